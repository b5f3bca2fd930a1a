"""The corpus's hostile classes as hypothesis properties: every import is a clear report naming file and row, never a crash."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skills.cells import safe_text
from skills.errors import InputError
from skills.io import ImportResult, read_table
from skills.io_csv import decode_text
from tests.fixtures.builders import tiny_taxonomy, xlsx_bytes
from tests.fixtures.hostile import (
    control_text,
    formula_payloads,
    huge_cell_refs,
    mixed_encoding_bytes,
    non_finite_numbers,
    quoted_csv,
    raw_number_cell,
    replace_cell,
)

COMPANY_HEADER = ["company_id", "name", "region", "sector", "employees"]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_companies(data: bytes, name: str = "companies.csv") -> ImportResult | None:
    try:
        return read_table("companies", data, name=name)
    except InputError as error:  # refusing the whole file is fine, as long as the file is named
        assert name in str(error)
        return None


#: What a text cell may never hold (C0 and C1 controls, DEL, non-characters); invisible format
#: characters such as U+200B are legal text and kept.
FORBIDDEN = {chr(code) for code in (*range(0x00, 0x20), *range(0x7F, 0xA0), 0xFFFE, 0xFFFF)}


@given(control_text(), st.sampled_from(["company_id", "name", "region", "sector"]))
@FAST
def test_a_control_character_in_any_text_column_is_refused_with_row_and_column(text: str, column: str) -> None:
    row = {"company_id": "C1", "name": "Lund ApS", "region": "DK041", "sector": "C25", "employees": 10}
    row[column] = text
    result = read_table("companies", quoted_csv([COMPANY_HEADER, list(row.values())]), name="c.csv")
    if not FORBIDDEN & set(text.strip()):
        return  # only trimmed edges or legal invisible characters: other rules decide
    if "\x00" in text:  # a NUL makes the file binary: refused whole, naming the file
        assert [problem.file for problem in result.report.errors] == ["c.csv"]
        return
    assert result.tables == {}
    assert any(problem.row == 2 and problem.column == column for problem in result.report.errors), [
        str(problem) for problem in result.report.errors
    ]


@given(mixed_encoding_bytes())
@FAST
def test_mixed_encodings_are_reported_by_row_never_decoded_garbled(data: bytes) -> None:
    try:
        text, encoding = decode_text(data, "mixed.csv")
    except InputError as error:
        assert error.problems and all(problem.row and "not UTF-8" in problem.message for problem in error.problems)
        return
    # decoded whole: either it was UTF-8, or it holds no UTF-8 at all (pure Windows-1252)
    assert encoding == "utf-8" or "Ã" not in text


@given(formula_payloads())
@FAST
def test_a_formula_payload_as_a_name_imports_as_text_and_exports_neutralised(payload: str) -> None:
    result = read_companies(quoted_csv([COMPANY_HEADER, ["C1", payload, "DK041", "C25", 10]]))
    if result is None or not result.tables:
        return  # refused (e.g. a control character), with a report
    stored = str(result.tables["companies"]["name"].iloc[0])
    assert stored == payload.strip()
    assert not str(safe_text(stored)).startswith(("=", "+", "-", "@"))


@given(non_finite_numbers())
@FAST
def test_a_non_finite_or_huge_number_is_refused_as_the_user_typed_it(number: str) -> None:
    try:
        value = float(number)
    except ValueError:
        value = math.nan
    if math.isfinite(value) and value.is_integer() and 0 <= value <= 1_000_000:
        return  # a whole number within float precision ("4.000000000000000000001"): accepted as such
    result = read_companies(quoted_csv([COMPANY_HEADER, ["C1", "Lund ApS", "DK041", "C25", number]]))
    assert result is not None
    [problem] = [problem for problem in result.report.errors if problem.column == "employees"]
    assert problem.row == 2
    assert "-9223372036854775808" not in problem.message + problem.value or "-9223372036854775808" in number


@pytest.mark.timeout(60)
@given(huge_cell_refs(beyond=True))
@settings(max_examples=25, deadline=None)
def test_a_cell_far_outside_any_table_is_refused_fast(reference: str) -> None:
    workbook = xlsx_bytes({"companies": [COMPANY_HEADER, ["C1", "Lund ApS", "DK041", "C25", 10]]})
    bomb = replace_cell(workbook, "E2", raw_number_cell("E2", "10") + raw_number_cell(reference, "1"))
    result = read_table("companies", bomb, name="bomb.xlsx", taxonomy=tiny_taxonomy())
    assert result.tables == {}
    assert any("far outside" in problem.message for problem in result.report.errors), [
        str(problem) for problem in result.report.errors
    ]

"""CSV encodings: UTF-16/32 read as text, a UTF-8 file with some cp1252 rows refused row by row, never garbled."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skills import service
from skills.io import read_table
from skills.io_csv import decode_text
from tests.fixtures.builders import DEMAND_HEADER, tiny_taxonomy

COMPANY_HEADER = "company_id,name,region,sector,employees"


def demand_text() -> str:
    rows = [DEMAND_HEADER, ["C1", "plc_programming", None, 3, 1, 3, 2027, "high"], ["C2", "cnc_milling", "7223", 2, 0, 2, 2028, "low"]]
    return "".join(",".join("" if value is None else str(value) for value in row) + "\r\n" for row in rows)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_csv_import_as_text(encoding: str) -> None:
    result = read_table("demand", demand_text().encode(encoding), name="answers.csv", taxonomy=tiny_taxonomy())
    assert result.ok, [str(problem) for problem in result.report.problems]
    assert result.report.rows_accepted == 2
    assert result.tables["demand"]["skill"].tolist() == ["plc_programming", "cnc_milling"]


def test_a_cut_utf16_file_is_named_not_called_binary() -> None:
    data = demand_text().encode("utf-16")[:-1]
    result = read_table("demand", data, name="cut.csv", taxonomy=tiny_taxonomy())
    [problem] = result.report.errors
    assert "UTF-16" in problem.message and "binary" not in problem.message
    assert problem.file == "cut.csv"


def test_one_cp1252_row_in_a_utf8_file_is_refused_with_row_and_column() -> None:
    data = (
        f"{COMPANY_HEADER}\nC1,Lund Møbler ApS,DK041,C31,10\n".encode()
        + "C2,Århus Stål A/S,DK042,C25,20\n".encode("cp1252")
        + "C3,Ærø Plast,DK042,C22,30\n".encode()
    )
    result = read_table("companies", data, name="mixed.csv")
    assert result.tables == {}
    [problem] = result.report.errors
    assert (problem.file, problem.row, problem.column) == ("mixed.csv", 3, "name")
    assert problem.value == "Århus Stål A/S"
    assert "not UTF-8" in problem.message


def test_a_mixed_file_never_overwrites_stored_names(database_url: str) -> None:
    service._store_for.cache_clear()
    good = f"{COMPANY_HEADER}\nC1,Lund Møbler ApS,DK041,C31,10\n".encode()
    assert service.import_data("companies", good, name="good.csv").stored
    mixed = good + "C2,Århus Stål A/S,DK042,C25,20\n".encode("cp1252")
    outcome = service.import_data("companies", mixed, name="mixed.csv")
    assert not outcome.stored
    assert service.company_choices()["name"].tolist() == ["Lund Møbler ApS"]


def test_a_pure_cp1252_file_still_decodes_as_cp1252() -> None:
    text = f"{COMPANY_HEADER}\nC1,Lund Møbler ApS,DK041,C31,10\n"
    assert decode_text(text.encode("cp1252"), "x.csv") == (text, "cp1252")


names = st.text(alphabet=st.sampled_from(list("abcdeæøåÆØÅé ")), min_size=1, max_size=12).filter(
    lambda name: name.strip() != "" and any(character not in "abcde " for character in name)
)


@given(st.lists(st.tuples(names, st.booleans()), min_size=2, max_size=12))
@settings(max_examples=120, deadline=None)
def test_exactly_the_cp1252_rows_are_reported(rows: list[tuple[str, bool]]) -> None:
    if all(as_cp1252 for _, as_cp1252 in rows) or not any(as_cp1252 for _, as_cp1252 in rows):
        return  # pure files are decoded whole (tested above)
    lines = [f"{COMPANY_HEADER}\n".encode()]
    for index, (name, as_cp1252) in enumerate(rows, start=1):
        lines.append(f"C{index},{name.strip()},DK041,C31,10\n".encode("cp1252" if as_cp1252 else "utf-8"))
    result = read_table("companies", b"".join(lines), name="m.csv")
    reported = sorted(problem.row for problem in result.report.errors if problem.row is not None)
    assert reported == [index + 1 for index, (_, as_cp1252) in enumerate(rows, start=1) if as_cp1252]
    assert result.tables == {}

"""Exports are safe however a spreadsheet splits them: no cell, after any line break or separator, runs a formula."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skills import service
from skills.cells import CELL_BREAKS, FORMULA_TRIGGERS, csv_bytes, safe_text
from skills.cli import main
from skills.io_write import write_table
from tests.fixtures.builders import csv_bytes as survey_csv

#: What a spreadsheet runs as a formula: these four at the start of a cell that is not a number.
RISKY = ("=", "+", "-", "@")
#: Company names an attacker puts in a survey (CR/LF-free: those are refused on import, and tested below).
HOSTILE_NAMES = [
    "=cmd|' /C calc'!A0",
    "Acme;=1+1 A/S",
    "Hansen,-2+3 ApS",
    '@SUM(A1) "Plast"',
    "+45 Metal",
    "Lund, =HYPERLINK(\"http://x\") ApS",
]
HOSTILE_SCENARIO = "x;=1+1"


def risky_cells(text: str, *, csv: bool = True) -> list[str]:
    """Every piece of ``text`` a spreadsheet could read as a cell, that would start a formula.

    Splits on every line break, and each line on ``,``, ``;`` and tab (English and Danish Excel);
    in CSV a piece's opening quote is dropped, as a CSV reader does; numbers are numbers, not formulas.
    """
    found = []
    for line in re.split(r"[\r\n]", text):
        for separator in (",", ";", "\t"):
            for piece in line.split(separator):
                cell = piece[1:] if csv and piece.startswith('"') else piece
                if cell.startswith(RISKY) and not _is_number(cell.rstrip('"')):
                    found.append(cell)
    return found


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def risky_in_file(data: bytes, fmt: str) -> list[str]:
    """:func:`risky_cells` over a CSV file, or over every text cell of every sheet of an xlsx file."""
    if fmt == "csv":
        return risky_cells(data.decode("utf-8-sig"))
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    found = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                if isinstance(value, str):
                    found += [value] if value.startswith(RISKY) else []
                    found += risky_cells(value, csv=False)
    return found


payloads = st.text(
    alphabet=st.sampled_from([*FORMULA_TRIGGERS, *CELL_BREAKS, "\n", '"', "'", "a", "1", " ", "ø", "C"]),
    max_size=24,
)


@given(payloads)
@settings(max_examples=400, deadline=None)
def test_no_piece_of_safe_text_starts_a_formula(text: str) -> None:
    safe = safe_text(text)
    assert isinstance(safe, str)
    for piece in re.split("[" + re.escape("".join(CELL_BREAKS)) + "]", safe):
        assert not piece.startswith(RISKY), (text, safe)
    # only quote marks are added: taking them out gives the text back
    assert safe.replace("'", "") == text.replace("'", "")


@given(st.lists(payloads, min_size=1, max_size=6))
@settings(max_examples=150, deadline=None)
def test_written_csv_and_xlsx_have_no_formula_cell(texts: list[str]) -> None:
    frame = pd.DataFrame({"name": texts, "value": range(len(texts))})
    frame[HOSTILE_SCENARIO] = texts[::-1]
    assert risky_in_file(csv_bytes(frame), "csv") == []
    buffer = io.BytesIO()
    write_table(frame, buffer, "xlsx")
    assert risky_in_file(buffer.getvalue(), "xlsx") == []


def test_csv_quotes_every_text_field_and_keeps_numbers_numbers() -> None:
    frame = pd.DataFrame({"name": ["Acme A/S\r=cmd|' /C calc'!A0", "a;b", "plain"], "units": [-2.5, 3.0, 4.0]})
    text = csv_bytes(frame).decode("utf-8-sig")
    assert text.startswith('"name","units"\r\n"Acme A/S\r\'=cmd')
    parsed = pd.read_csv(io.StringIO(text))
    assert parsed["name"].tolist() == ["Acme A/S\r'=cmd|' /C calc'!A0", "a;b", "plain"]
    assert parsed["units"].tolist() == [-2.5, 3.0, 4.0]


def test_xlsx_export_of_a_stored_control_character_still_writes() -> None:
    frame = pd.DataFrame({"name": ["bell\x07 ApS", "=x", "odd\ufffe\uffff"]})
    buffer = io.BytesIO()
    write_table(frame, buffer, "xlsx")
    values = [row[0] for row in openpyxl.load_workbook(buffer).active.iter_rows(min_row=2, values_only=True)]
    assert values == ["bell\ufffd ApS", "'=x", "odd\ufffd\ufffd"]


SURVEY_HEADER = [
    "company_name", "region", "sector", "employees",
    "skill", "headcount", "current_level", "required_level", "needed_by", "priority",
]


@pytest.fixture
def hostile_region(database_url: str, tmp_path: Path) -> Path:
    """The sample region plus companies with hostile names, and a plan stored under a hostile scenario name."""
    service._store_for.cache_clear()
    assert main(["init", "--sample"]) == 0
    rows = [SURVEY_HEADER] + [
        [name, "DK042", "C25", 20 + index, "plc_programming", 3, 1, 3, 2027, "high"]
        for index, name in enumerate(HOSTILE_NAMES)
    ]
    survey = tmp_path / "hostile.csv"
    pd.DataFrame(rows[1:], columns=rows[0]).to_csv(survey, index=False)
    assert main(["import", "survey", str(survey)]) == 0
    stored = set(service.company_choices()["name"])
    assert set(HOSTILE_NAMES) <= stored
    assert main(["solve", "--set", f"name={HOSTILE_SCENARIO}", "--set", "time_limit_s=20",
                 "--out", str(tmp_path / "plan.xlsx")]) == 0
    return tmp_path


@pytest.mark.slow
def test_every_export_of_a_hostile_region_is_safe(hostile_region: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = hostile_region
    files: dict[str, tuple[bytes, str]] = {}
    tables = [*service.data_tables(), "mapping_queue", "learned_aliases"]
    from sqlalchemy import select

    from skills.store import run_results

    with service.get_store().engine.connect() as connection:
        stored = connection.execute(select(run_results.c.table_name).distinct()).scalars().all()
    tables += [f"plan_{name}" for name in sorted(stored)]
    assert any(t.startswith("plan_") for t in tables)
    for table in tables:
        for fmt in ("csv", "xlsx"):
            files[f"export {table}.{fmt}"] = (service.export_table(table, fmt=fmt), fmt)
    for by in ("company", "skill", "sector", "region", "sector,region"):
        for fmt in ("csv", "xlsx"):
            target = out / f"gaps-{by}.{fmt}"
            assert main(["gaps", "--by", by, "--format", fmt, "--out", str(target)]) == 0
            files[target.name] = (target.read_bytes(), fmt)
    for view in ("coverage", "curriculum"):
        target = out / f"{view}.csv"
        assert main(["gaps", view, "--format", "csv", "--out", str(target)]) == 0
        files[target.name] = (target.read_bytes(), "csv")
    for fmt in ("csv", "xlsx"):
        target = out / f"scenarios.{fmt}"
        assert main(["scenarios", "--format", fmt, "--out", str(target)]) == 0
        files[target.name] = (target.read_bytes(), fmt)
    files["plan.xlsx"] = ((out / "plan.xlsx").read_bytes(), "xlsx")
    for kind in ("survey", "courses", "supply"):
        files[f"template {kind}"] = (service.template(kind), "xlsx")
    rejected = service.import_data("survey", survey_csv([SURVEY_HEADER, ["=1+1;@x", "DK042", "C25", "-5", "x", 1, 0, 9, 2027, "+high"]]), name="bad.csv")
    assert not rejected.ok
    for fmt in ("csv", "xlsx"):
        files[f"report.{fmt}"] = (service.report_file(rejected, fmt), fmt)

    # the hostile names are really in the files that list companies (so the check below means something)
    assert "Acme;'=1+1 A/S" in files["export companies.csv"][0].decode("utf-8-sig")
    assert HOSTILE_SCENARIO.replace("=", "'=") in files["scenarios.csv"][0].decode("utf-8-sig")
    unsafe = {name: found for name, (data, fmt) in files.items() if (found := risky_in_file(data, fmt))}
    assert unsafe == {}
    assert len(files) >= 40

"""vetplan gaps: views, formats and disclosure control at the CLI edge."""

from __future__ import annotations

import json

import openpyxl
import pytest

from skills.cli import main


@pytest.fixture(autouse=True)
def _sample(database_url: str) -> None:
    from skills import service

    service._store_for.cache_clear()
    assert main(["init", "--sample"]) == 0


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main([*argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_region_view_publishes_no_cell_from_fewer_than_three_companies(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "gaps", "--by", "skill")
    published = [row for row in rows if row["companies"] != ":c"]
    suppressed = [row for row in rows if row["companies"] == ":c"]
    assert published and suppressed
    assert all(isinstance(row["companies"], int) and row["companies"] >= 3 for row in published)
    assert all(row["gap_units"] == ":c" for row in suppressed)


def test_company_view_is_unsuppressed(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "gaps", "--company", "C001")
    assert rows and all(isinstance(row["gap_units"], int) for row in rows)
    assert not any(row["suppressed"] for row in rows)


def test_curriculum_and_coverage_views(capsys: pytest.CaptureFixture[str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    curriculum = _json(capsys, "gaps", "curriculum")
    assert curriculum and {"skill", "required_level", "gap_units"} <= set(curriculum[0])
    out = tmp_path / "coverage.xlsx"
    assert main(["gaps", "coverage", "--by", "group,sector", "--format", "xlsx", "--out", str(out)]) == 0
    sheet = openpyxl.load_workbook(out).active
    header = [cell.value for cell in sheet[1]]
    assert header[:2] == ["group", "sector"] and "covered_share" in header


def test_unknown_company_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["gaps", "--company", "NOPE"]) == 2
    assert "NOPE" in capsys.readouterr().err


def test_rows_waiting_for_review_are_stated(capsys: pytest.CaptureFixture[str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    survey = tmp_path / "survey.csv"
    survey.write_text(
        "company_name,region,sector,employees,skill,headcount,current_level,required_level,needed_by,priority\n"
        "Fjord Plast ApS,DK041,C22,25,truckcertifikat B,4,0,1,2027,low\n",
        encoding="utf-8",
    )
    assert main(["import", "survey", str(survey)]) == 0
    capsys.readouterr()
    assert main(["gaps", "--by", "group"]) == 0
    assert "1 survey row(s) (4 people) wait for skill review" in capsys.readouterr().err

"""Regional priorities report: areas ranked by weighted gap, small sectors pooled, actions from the plan, files."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from skills import service
from skills.cli import main
from skills.priorities import OTHER
from skills.store import Store
from tests.test_runs import _solve, tiny  # noqa: F401  (the small region fixture)


def test_areas_are_ranked_by_weighted_gap_and_add_up_to_the_plan(tiny: Store) -> None:  # noqa: F811
    plan = _solve("report")
    report = service.priorities_report("report")
    assert report.areas, "the region has gaps, so it has priority areas"
    weighted = [area.weighted_gap for area in report.areas]
    assert weighted == sorted(weighted, reverse=True)
    gaps = plan.plan.gaps if plan.plan is not None else None
    assert gaps is not None
    total_closed = float((gaps["weight"] * gaps["closed_units"]).sum())
    assert sum(area.weighted_closed for area in report.areas) == pytest.approx(total_closed)  # every group with a gap is an area here
    assert sum(area.closed_units for area in report.areas) == pytest.approx(plan.closed_units)
    runs = sum(int(area.course_runs["runs"].sum()) for area in report.areas)
    assert runs == plan.to_json_dict()["runs"]["total"]


def test_sectors_of_too_few_companies_are_pooled_or_withheld(tiny: Store) -> None:  # noqa: F811
    _solve("report")
    report = service.priorities_report("report")
    for area in report.areas:
        # the small region has two companies, each its own sector: below the 3-company rule nothing is named
        assert area.sectors.empty or set(area.sectors["sector"]) == {OTHER.format(n=report.min_companies)}
        assert (area.sectors["companies"] >= report.min_companies).all()


def test_cli_writes_markdown_and_a_workbook(tiny: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    _solve("report")
    assert main(["report", "priorities", "report", "--out", str(tmp_path / "p.md")]) == 0
    text = (tmp_path / "p.md").read_text(encoding="utf-8")
    assert text.startswith("# Regional skills priorities: scenario report")
    assert "## 1. " in text and "Money in EUR" in text
    assert main(["report", "priorities", "report", "--out", str(tmp_path / "p.xlsx")]) == 0
    assert openpyxl.load_workbook(tmp_path / "p.xlsx").sheetnames[0] == "Priority areas"
    assert main(["report", "priorities", "nosuch"]) == 2
    assert "nosuch" in capsys.readouterr().err
    assert main(["report", "priorities", "report", "--out", str(tmp_path / "p.pdf")]) == 2

"""The plan's JSON dict for ``vetplan solve --json`` and its Excel export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from optimisation.export import write_plan_xlsx
from optimisation.plan import JSON_KEYS, PlanResult, run_scenario
from skills.cells import safe_text as _safe_text
from tests.test_optimisation_known_answers import region, scenario


@pytest.fixture(scope="module")
def pooled_result() -> PlanResult:
    # The pooling example: A and B send 3 each into one run of K (2000 + 6 * 100); the provider's name
    # starts like a formula.
    dataset = region(
        companies=[("A", "DK041", 40), ("B", "DK041", 60)],
        demand=[
            {
                "company_id": "A",
                "skill": "plc_programming",
                "headcount": 3,
                "current_level": 1,
                "required_level": 2,
            },
            {
                "company_id": "B",
                "skill": "plc_programming",
                "headcount": 3,
                "current_level": 1,
                "required_level": 2,
            },
        ],
        courses=[
            {
                "course_id": "K",
                "provider": '=HYPERLINK("x")',
                "fixed_cost_per_run": 2000.0,
                "min_participants": 5,
                "max_participants": 10,
            }
        ],
        course_skills=[("K", "plc_programming", 2, 1)],
    )
    return run_scenario(dataset, scenario())


def test_json_dict_has_exactly_the_documented_keys(pooled_result: PlanResult) -> None:
    payload = pooled_result.to_json_dict()
    assert tuple(payload) == JSON_KEYS
    assert payload["status"] == "optimal"
    assert payload["objective"] == pytest.approx(15400.0)
    assert payload["gap"] == pytest.approx(0.0)
    assert payload["participants"]["total"] == 6
    assert payload["runs"]["total"] == 1
    assert payload["hires"] == {"total": 0, "records": []}
    assert payload["total_cost"] == pytest.approx(2600.0)
    assert payload["public_cost"] + payload["company_cost"] == pytest.approx(2600.0)
    assert payload["violations"] == []
    assert {record["course_id"] for record in payload["participants"]["records"]} == {"K"}
    json.dumps(payload)  # plain JSON types only


def test_safe_text_neutralises_formula_starts() -> None:
    assert [
        _safe_text(v) for v in ("=1+1", "+45", "-x", "@SUM", "\tx", "\rx", "plain", 3, None)
    ] == [
        "'=1+1",
        "'+45",
        "'-x",
        "'@SUM",
        "'\tx",
        "'\rx",
        "plain",
        3,
        None,
    ]


def test_xlsx_has_every_sheet_and_no_formula_cells(
    pooled_result: PlanResult, tmp_path: Path
) -> None:
    path = write_plan_xlsx(pooled_result, tmp_path / "plan.xlsx")
    workbook = load_workbook(path)
    assert workbook.sheetnames == [
        "Summary",
        "Participants",
        "Runs",
        "Hires",
        "Closures",
        "Gaps",
        "Costs",
        "Company costs",
        "Explanations",
        "Violations",
    ]
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} became a formula"
    participants = workbook["Participants"]
    providers = {
        participants.cell(row=r, column=4).value for r in range(2, participants.max_row + 1)
    }
    assert providers == {'\'=HYPERLINK("x")'}
    summary = {row[0].value: row[1].value for row in workbook["Summary"].iter_rows(min_row=2)}
    assert summary["status"] == "optimal"
    assert summary["total cost"] == pytest.approx(2600.0)

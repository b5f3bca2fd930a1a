"""The fast paths of extract_plan and check_plan give exactly what the slow, plain paths give.

extract_plan skips pandera when a table already conforms to its schema, and
check_plan runs each rule's pandas reporting function only when the rule's
numpy screen trips. These tests pin both shortcuts against the plain paths
(pandera on every table; every reporting function on every plan), on a
solved sample-region plan and on copies of it broken in many ways.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors
import pytest

from optimisation import checker, results
from optimisation.checker import Violation, check_plan
from optimisation.model import build_model
from optimisation.results import Plan, extract_plan
from optimisation.scenarios import Scenario
from optimisation.solve import solve
from skills.dataset import Dataset
from tests.test_optimisation_known_answers import region, scenario

ROOT = Path(__file__).resolve().parents[1]

SCHEMAS = {
    "participants": results.PARTICIPANTS_SCHEMA,
    "runs": results.RUNS_SCHEMA,
    "hires": results.HIRES_SCHEMA,
    "closures": results.CLOSURES_SCHEMA,
    "gaps": results.GAPS_SCHEMA,
    "costs": results.COSTS_SCHEMA,
    "company_costs": results.COMPANY_COSTS_SCHEMA,
}


def _solve(dataset: Dataset, scenario: Scenario) -> tuple[Dataset, Scenario, Plan]:
    model = build_model(dataset, scenario)
    solve(model)
    return dataset, scenario, extract_plan(model)


@pytest.fixture(scope="module")
def pooled() -> tuple[Dataset, Scenario, Plan]:
    """Two SMEs pooling into one run and a hire (the checker tests' region; tiers S, M and the
    sample region are compared with the pre-change code by bench/post.py's measurements and a
    one-off harness, too slow for a test)."""
    dataset = region(
        companies=[("A", "DK041", 40), ("B", "DK041", 60)],
        demand=[
            {"company_id": "A", "skill": "plc_programming", "headcount": 3, "current_level": 1, "required_level": 2},
            {"company_id": "B", "skill": "plc_programming", "headcount": 3, "current_level": 1, "required_level": 2},
            {"company_id": "A", "skill": "cnc_milling", "headcount": 1, "current_level": 0, "required_level": 3},
        ],
        courses=[{"course_id": "K", "fixed_cost_per_run": 2000.0, "min_participants": 5, "max_participants": 10}],
        course_skills=[("K", "plc_programming", 2, 1)],
        supply=[{"skill": "cnc_milling", "hires_available_per_year": 1, "cost_per_hire": 500.0}],
    )
    return _solve(dataset, scenario(budget_per_year=5000.0))


def test_every_table_is_what_pandera_makes_of_it(pooled: tuple[Dataset, Scenario, Plan]) -> None:
    _, _, plan = pooled
    for name, table in plan.tables().items():
        schema = SCHEMAS[name]
        assert list(table.columns) == list(schema.columns), name
        assert isinstance(table.index, pd.RangeIndex), name
        assert results._conforms(table, schema), name
        pd.testing.assert_frame_equal(schema.validate(table), table, check_exact=True)
    assert len(plan.participants) and len(plan.runs) and len(plan.hires) and len(plan.closures)


def test_a_table_that_breaks_its_schema_still_raises_pandera_s_error(
    pooled: tuple[Dataset, Scenario, Plan],
) -> None:
    _, _, plan = pooled
    broken = plan.participants.assign(participants=-plan.participants["participants"])
    assert not results._conforms(broken, results.PARTICIPANTS_SCHEMA)
    with pytest.raises(pandera.errors.SchemaError):
        results._validated(broken, results.PARTICIPANTS_SCHEMA)
    as_object = plan.runs.astype({"course_id": object})
    assert not results._conforms(as_object, results.RUNS_SCHEMA)
    assert results._validated(as_object, results.RUNS_SCHEMA)["course_id"].dtype == results.TEXT_DTYPE


def test_totals_balance(pooled: tuple[Dataset, Scenario, Plan]) -> None:
    _, _, plan = pooled
    totals = plan.totals
    assert totals["closed_units"] + totals["unmet_units"] == pytest.approx(totals["gap_units"])
    assert totals["public_cost"] + totals["company_cost"] == pytest.approx(totals["total_cost"])
    assert totals["participants"] == float(plan.runs["participants"].sum())
    assert plan.company_costs["total"].sum() == pytest.approx(totals["company_cost"])
    grouped = plan.closures.groupby(checker.KEY)["units"].sum()
    closed = plan.gaps.set_index(checker.KEY)["closed_units"]
    assert np.allclose(grouped.to_numpy(), closed.reindex(grouped.index).to_numpy())


def _broken(plan: Plan) -> Iterator[tuple[str, Plan]]:
    participants, runs, hires = plan.participants, plan.runs, plan.hires
    closures, gaps, costs = plan.closures, plan.gaps, plan.costs
    yield "valid", plan
    more = participants.copy()
    more.loc[more.index[:3], "participants"] += 7
    yield "more participants", replace(plan, participants=more)
    yield "fewer participants", replace(
        plan, participants=participants.assign(participants=participants["participants"] - 1)
    )
    yield "a run too many", replace(plan, runs=runs.assign(runs=runs["runs"] + 1))
    yield "half runs", replace(plan, runs=runs.assign(runs=runs["runs"] - 0.5))
    yield "no runs", replace(plan, runs=runs.iloc[:0])
    yield "more hires", replace(plan, hires=hires.assign(hires=hires["hires"] + 3))
    yield "no hires", replace(plan, hires=hires.assign(hires=0))
    late = closures.assign(year=closures["year"] + 1)
    yield "closures a year late", replace(plan, closures=late)
    yield "more units", replace(plan, closures=closures.assign(units=closures["units"] * 1.1))
    swapped = closures.copy()
    swapped["course_id"] = closures["course_id"].iloc[::-1].to_numpy()
    yield "courses swapped", replace(plan, closures=swapped)
    as_course = closures.copy()
    hired = as_course["route"] == "hire"
    as_course.loc[hired, "route"] = "course"
    as_course.loc[hired, "course_id"] = closures["course_id"].dropna().iloc[0]
    yield "hires as courses", replace(plan, closures=as_course)
    yield "duplicate closures", replace(plan, closures=pd.concat([closures, closures], ignore_index=True))
    yield "unmet up", replace(plan, gaps=gaps.assign(unmet_units=gaps["unmet_units"] + 1.0))
    yield "a gap dropped", replace(plan, gaps=gaps.iloc[1:].reset_index(drop=True))
    yield "costs up", replace(plan, costs=costs.assign(amount=costs["amount"] + 10.0))
    outside = participants.copy()
    outside.loc[outside.index[0], "year"] = 1999
    yield "outside the horizon", replace(plan, participants=outside)


def _scenarios(scenario: Scenario) -> Iterator[Scenario]:
    yield scenario
    yield scenario.model_copy(update={"company_cost_cap": 300.0})
    yield scenario.model_copy(
        update={
            "budget_per_year": 1000.0,
            "company_capacity_share": 0.01,
            "company_hours_per_employee": 0.5,
            "default_trainer_hours": 20.0,
        }
    )
    yield scenario.model_copy(update={"objective": "min_cost", "coverage_target": 0.99})


def _fast_and_plain(
    cases: list[tuple[str, Scenario, Plan]], dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> list[list[Violation]]:
    """check_plan with its screens, and with every reporting function run (no screen), case by case."""
    fast = [check_plan(dataset, settings, broken) for _, settings, broken in cases]
    with monkeypatch.context() as patch:
        patch.setattr(checker._Screen, "of", classmethod(lambda cls, *args: None))
        plain = [check_plan(dataset, settings, broken) for _, settings, broken in cases]
    for (name, _, _), quick, slow in zip(cases, fast, plain, strict=True):
        assert [repr(v) for v in quick] == [repr(v) for v in slow], name
    return fast


def test_screens_never_hide_a_violation(
    pooled: tuple[Dataset, Scenario, Plan], monkeypatch: pytest.MonkeyPatch
) -> None:
    dataset, settings, plan = pooled
    base, cap, tight, _ = _scenarios(settings)
    broken = dict(_broken(plan))
    chosen = [
        ("valid", base),
        ("valid", cap),
        ("valid", tight),
        ("more participants", base),
        ("half runs", base),
        ("closures a year late", base),
    ]
    fast = _fast_and_plain([(name, every, broken[name]) for name, every in chosen], dataset, monkeypatch)
    assert fast[0] == []
    found = {v.rule for violations in fast for v in violations}
    assert {
        "run_seats",
        "participant_pairs",
        "runs_whole",
        "closure_eligibility",
        "cost_table",
        "company_cost_cap",
        "public_budget",
        "company_places",
        "company_hours",
        "provider_hours",
    } <= found

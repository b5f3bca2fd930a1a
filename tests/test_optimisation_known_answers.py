"""Known-answer tests of the optimiser on regions small enough to solve by hand (HiGHS and CBC)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import pytest

from optimisation.checker import check_plan
from optimisation.explain import unmet_reasons
from optimisation.model import build_model
from optimisation.plan import run_scenario
from optimisation.results import extract_plan
from optimisation.scenarios import Scenario
from optimisation.solve import SolveStatus, solve
from skills.dataset import Dataset

SKILLS = ("plc_programming", "cnc_milling", "five_s", "robot_cells")

COURSE_DEFAULTS: dict[str, Any] = {
    "title": "A course",
    "provider": "Midtjysk Erhvervsskole",
    "region": "DK041",
    "mode": "in-person",
    "hours": 37.0,
    "cost_per_participant": 100.0,
    "fixed_cost_per_run": 1000.0,
    "min_participants": 1,
    "max_participants": 12,
    "max_runs_per_year": 1,
    "language": "da",
}
DEMAND_DEFAULTS: dict[str, Any] = {"role": "", "priority": "high", "needed_by": 2027}
SUPPLY_DEFAULTS: dict[str, Any] = {
    "occupation": "",
    "region": "DK041",
    "lead_time_months": 0,
    "balance": "shortage",
}


def region(
    *,
    companies: Sequence[tuple[str, str, int]],
    demand: Sequence[dict[str, Any]],
    courses: Sequence[dict[str, Any]] = (),
    course_skills: Sequence[tuple[str, str, int, int]] = (),
    supply: Sequence[dict[str, Any]] = (),
) -> Dataset:
    """A validated region from compact rows; unspecified course, demand and supply columns take defaults.

    ``companies`` are (id, region, employees); ``course_skills`` are (course, skill, level, entry level).
    """
    skills = pd.DataFrame(
        {
            "skill_id": list(SKILLS),
            "label": [s.replace("_", " ") for s in SKILLS],
            "label_da": [s.replace("_", " ") for s in SKILLS],
            "group": [
                "automation_robotics",
                "production_technology",
                "lean_quality",
                "automation_robotics",
            ],
            "aliases": "",
            "esco_uri": "",
            "description": "",
        }
    )
    company_frame = pd.DataFrame(
        [
            {"company_id": c, "name": f"Company {c}", "region": r, "sector": "C25", "employees": e}
            for c, r, e in companies
        ]
    )
    demand_frame = pd.DataFrame([{**DEMAND_DEFAULTS, **row} for row in demand])
    course_columns = ["course_id", *COURSE_DEFAULTS]
    course_frame = pd.DataFrame(
        [{**COURSE_DEFAULTS, **row} for row in courses], columns=course_columns
    )
    link_frame = pd.DataFrame(
        list(course_skills), columns=["course_id", "skill", "level", "entry_level"]
    )
    supply_columns = [
        "skill",
        "occupation",
        "region",
        "hires_available_per_year",
        "cost_per_hire",
        "lead_time_months",
        "balance",
    ]
    supply_frame = pd.DataFrame(
        [{**SUPPLY_DEFAULTS, **row} for row in supply], columns=supply_columns
    )
    return Dataset.from_frames(
        {
            "skills": skills,
            "companies": company_frame,
            "demand": demand_frame,
            "courses": course_frame,
            "course_skills": link_frame,
            "supply": supply_frame,
        }
    )


def scenario(**changes: Any) -> Scenario:
    """A one-year scenario without budget, capacity or attrition limits and a gap-unit value of 1 000."""
    values: dict[str, Any] = {
        "name": "known_answer",
        "years": [2027],
        "budget_per_year": None,
        "subsidy_rate": 0.5,
        "gap_unit_value": 1000.0,
        "company_capacity_share": None,
        "attrition_rate": 0.0,
        "mip_gap": 0.0,
        "time_limit_s": 30.0,
    }
    values.update(changes)
    return Scenario(**values)


def solved(dataset: Dataset, settings: Scenario, solver: str = "highs") -> tuple[Any, Any, Any]:
    model = build_model(dataset, settings)
    result = solve(model, solver=solver)
    assert result.status is SolveStatus.OPTIMAL, result.message
    plan = extract_plan(model)
    assert check_plan(dataset, settings, plan) == []
    return model, result, plan


def participants_of(plan: Any) -> dict[tuple[str, str], int]:
    return {
        (r.company_id, r.course_id): int(r.participants) for r in plan.participants.itertuples()
    }


SOLVERS = ["highs", "cbc"]


@pytest.mark.parametrize("solver", SOLVERS)
def test_two_smes_pool_to_reach_the_minimum_cohort(solver: str) -> None:
    # A and B each need 3 people at level 2 (from 1); K opens only with 5 participants.
    # Alone neither fills a run; pooled they send 3 + 3 = 6 into one run.
    # Objective = 1000 * 3 (weight high) * 6 units - (fixed 2000 + 6 * 100) = 18000 - 2600 = 15400.
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
                "fixed_cost_per_run": 2000.0,
                "min_participants": 5,
                "max_participants": 10,
            }
        ],
        course_skills=[("K", "plc_programming", 2, 1)],
    )
    _, result, plan = solved(dataset, scenario(), solver)
    assert result.objective == pytest.approx(15400.0)
    assert participants_of(plan) == {("A", "K"): 3, ("B", "K"): 3}
    assert plan.runs["runs"].tolist() == [1]
    assert plan.runs["companies"].tolist() == [2]
    assert plan.totals["unmet_units"] == pytest.approx(0.0)
    assert plan.totals["total_cost"] == pytest.approx(2600.0)


def test_one_sme_alone_cannot_open_the_run_and_explain_says_why() -> None:
    # Only A (3 people) needs K, whose minimum cohort is 5: no run, 3 units unmet, objective 0.
    dataset = region(
        companies=[("A", "DK041", 40)],
        demand=[
            {
                "company_id": "A",
                "skill": "plc_programming",
                "headcount": 3,
                "current_level": 1,
                "required_level": 2,
            }
        ],
        courses=[{"course_id": "K", "fixed_cost_per_run": 2000.0, "min_participants": 5}],
        course_skills=[("K", "plc_programming", 2, 1)],
    )
    model, result, plan = solved(dataset, scenario())
    assert result.objective == pytest.approx(0.0)
    assert plan.runs.empty
    assert plan.totals["unmet_units"] == pytest.approx(3.0)
    reasons = unmet_reasons(model, plan, result)
    assert reasons["reason"].tolist() == ["cohort_too_small"]
    assert "cohort of at least 5" in reasons["sentence"].iloc[0]


def binding_budget_region() -> Dataset:
    """One company, two gaps of 4 people: plc (high) via K1 and five_s (low) via K2."""
    return region(
        companies=[("A", "DK041", 40)],
        demand=[
            {
                "company_id": "A",
                "skill": "plc_programming",
                "headcount": 4,
                "current_level": 0,
                "required_level": 2,
            },
            {
                "company_id": "A",
                "skill": "five_s",
                "headcount": 4,
                "current_level": 0,
                "required_level": 2,
                "priority": "low",
            },
        ],
        courses=[
            {"course_id": "K1", "cost_per_participant": 250.0, "min_participants": 2},
            {"course_id": "K2", "cost_per_participant": 250.0, "min_participants": 2},
        ],
        course_skills=[("K1", "plc_programming", 2, 0), ("K2", "five_s", 2, 0)],
    )


@pytest.mark.parametrize("solver", SOLVERS)
def test_binding_budget_goes_to_the_high_priority_gap(solver: str) -> None:
    # Two gaps of 4 people: plc (high, weight 3) via K1 and five_s (low, weight 1) via K2.
    # Each full run costs 1000 + 4 * 250 = 2000, of which the public pays 50 % = 1000.
    # Budget 1500: one run only (K2 with its minimum 2 people would need another 750 > 500 left).
    # Objective = 1000 * 3 * 4 - 2000 = 10000; five_s stays unmet, because of the budget.
    dataset = binding_budget_region()
    model, result, plan = solved(dataset, scenario(budget_per_year=1500.0), solver)
    assert result.objective == pytest.approx(10000.0)
    assert plan.runs["course_id"].tolist() == ["K1"]
    assert participants_of(plan) == {("A", "K1"): 4}
    assert plan.totals["public_cost"] == pytest.approx(1000.0)
    unmet = plan.gaps.set_index("skill")["unmet_units"]
    assert unmet["five_s"] == pytest.approx(4.0)
    assert unmet["plc_programming"] == pytest.approx(0.0)
    assert unmet_reasons(model, plan, result)["reason"].tolist() == ["budget_exhausted"]


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_hire_cheaper_than_training_is_chosen(solver: str) -> None:
    # 2 people need level 3 from 1. Training: one run 5000 + 2 * 1000 = 7000. Hiring: 2 * 3000 = 6000.
    # With a gap-unit value of 10 000 both are worth it; the hire is cheaper: 10000 * 3 * 2 - 6000 = 54000.
    dataset = region(
        companies=[("A", "DK041", 40)],
        demand=[
            {
                "company_id": "A",
                "skill": "cnc_milling",
                "headcount": 2,
                "current_level": 1,
                "required_level": 3,
            }
        ],
        courses=[{"course_id": "K", "fixed_cost_per_run": 5000.0, "cost_per_participant": 1000.0}],
        course_skills=[("K", "cnc_milling", 3, 1)],
        supply=[{"skill": "cnc_milling", "hires_available_per_year": 5, "cost_per_hire": 3000.0}],
    )
    _, result, plan = solved(dataset, scenario(gap_unit_value=10000.0), solver)
    assert result.objective == pytest.approx(54000.0)
    assert plan.runs.empty
    assert plan.hires["hires"].tolist() == [2]
    assert plan.totals["company_cost"] == pytest.approx(6000.0)  # hires are paid by the company
    assert plan.totals["public_cost"] == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("needed_by", "route", "objective"),
    [
        # Need in 2027, hire lead time 12 months: a hire decided in 2027 is productive in 2028, too late.
        # So train in 2027: 10000 * 3 * 2 - 7000 = 53000.
        (2027, "course", 53000.0),
        # Need in 2028: hire in 2027 (productive 2028) for 6000 beats training for 7000: 60000 - 6000.
        (2028, "hire", 54000.0),
    ],
)
def test_lead_time_decides_between_hire_and_training(
    needed_by: int, route: str, objective: float
) -> None:
    dataset = region(
        companies=[("A", "DK041", 40)],
        demand=[
            {
                "company_id": "A",
                "skill": "cnc_milling",
                "headcount": 2,
                "current_level": 1,
                "required_level": 3,
                "needed_by": needed_by,
            }
        ],
        courses=[{"course_id": "K", "fixed_cost_per_run": 5000.0, "cost_per_participant": 1000.0}],
        course_skills=[("K", "cnc_milling", 3, 1)],
        supply=[
            {
                "skill": "cnc_milling",
                "hires_available_per_year": 5,
                "cost_per_hire": 3000.0,
                "lead_time_months": 12,
            }
        ],
    )
    _, result, plan = solved(dataset, scenario(years=[2027, 2028], gap_unit_value=10000.0))
    assert result.objective == pytest.approx(objective)
    assert plan.closures["route"].unique().tolist() == [route]
    if route == "hire":
        assert plan.hires[["year", "productive_year", "hires"]].values.tolist() == [[2027, 2028, 2]]
        assert plan.runs.empty
    else:
        assert plan.hires.empty
        assert plan.runs[["year", "runs", "participants"]].values.tolist() == [[2027, 1, 2]]


def test_a_level_no_course_reaches_stays_unmet_with_that_reason() -> None:
    # Level 4 is needed; the only course stops at level 3 and hires bring level 3: nothing can close it.
    dataset = region(
        companies=[("A", "DK041", 40)],
        demand=[
            {
                "company_id": "A",
                "skill": "robot_cells",
                "headcount": 2,
                "current_level": 2,
                "required_level": 4,
            }
        ],
        courses=[{"course_id": "K"}],
        course_skills=[("K", "robot_cells", 3, 2)],
        supply=[{"skill": "robot_cells", "hires_available_per_year": 5, "cost_per_hire": 3000.0}],
    )
    settings = scenario()
    result = run_scenario(dataset, settings)
    assert result.status is SolveStatus.OPTIMAL
    assert result.unmet_units == pytest.approx(2.0)
    assert result.objective == pytest.approx(0.0)
    assert result.violations == []
    unmet = [e for e in result.explanations if e.kind == "unmet"]
    assert [e.reason for e in unmet] == ["no_course_reaches_level"]
    assert "no course reaches level 4 (the highest taught is 3)" in unmet[0].sentence
    assert "hires bring level 3, below the required 4" in unmet[0].sentence


def test_provider_trainer_hours_limit_the_runs() -> None:
    # 20 people need K (max 10 per run, 2 runs a year, 37 hours a run); the provider has 40 trainer hours,
    # so one run: 10 trained, 10 unmet. Objective = 1000 * 3 * 10 - (1000 + 10 * 100) = 28000.
    dataset = region(
        companies=[("A", "DK041", 200)],
        demand=[
            {
                "company_id": "A",
                "skill": "five_s",
                "headcount": 20,
                "current_level": 0,
                "required_level": 1,
            }
        ],
        courses=[{"course_id": "K", "max_participants": 10, "max_runs_per_year": 2}],
        course_skills=[("K", "five_s", 1, 0)],
    )
    _, result, plan = solved(
        dataset, scenario(provider_trainer_hours={"Midtjysk Erhvervsskole": 40.0})
    )
    assert result.objective == pytest.approx(28000.0)
    assert plan.runs["runs"].tolist() == [1]
    assert plan.totals["unmet_units"] == pytest.approx(10.0)


def test_company_capacity_share_limits_participants() -> None:
    # 8 people need K; the company has 20 employees and releases 25 % = 5 a year.
    # Objective = 1000 * 3 * 5 - (1000 + 5 * 100) = 13500.
    dataset = region(
        companies=[("A", "DK041", 20)],
        demand=[
            {
                "company_id": "A",
                "skill": "five_s",
                "headcount": 8,
                "current_level": 0,
                "required_level": 1,
            }
        ],
        courses=[{"course_id": "K"}],
        course_skills=[("K", "five_s", 1, 0)],
    )
    _, result, plan = solved(dataset, scenario(company_capacity_share=0.25))
    assert result.objective == pytest.approx(13500.0)
    assert participants_of(plan) == {("A", "K"): 5}


def test_min_cost_reaches_the_coverage_target_at_least_cost() -> None:
    # Two gaps, weights 3 (plc, 2 people) and 1 (five_s, 6 people): weighted total 6 + 6 = 12.
    # Target 50 % = 6 weighted units. Options: plc run 1000 + 2 * 100 = 1200 closes 6;
    # five_s needs all 6 people: 1000 + 600 = 1600. Cheapest is the plc run: cost 1200.
    dataset = region(
        companies=[("A", "DK041", 40)],
        demand=[
            {
                "company_id": "A",
                "skill": "plc_programming",
                "headcount": 2,
                "current_level": 0,
                "required_level": 1,
            },
            {
                "company_id": "A",
                "skill": "five_s",
                "headcount": 6,
                "current_level": 0,
                "required_level": 1,
                "priority": "low",
            },
        ],
        courses=[{"course_id": "K1"}, {"course_id": "K2"}],
        course_skills=[("K1", "plc_programming", 1, 0), ("K2", "five_s", 1, 0)],
    )
    _, result, plan = solved(dataset, scenario(objective="min_cost", coverage_target=0.5))
    assert result.objective == pytest.approx(1200.0)
    assert plan.runs["course_id"].tolist() == ["K1"]
    assert plan.totals["coverage"] == pytest.approx(0.5)


def test_an_unreachable_coverage_target_is_infeasible() -> None:
    # Level 4 cannot be reached by anything, so 100 % coverage is impossible: INFEASIBLE, no plan.
    dataset = region(
        companies=[("A", "DK041", 40)],
        demand=[
            {
                "company_id": "A",
                "skill": "robot_cells",
                "headcount": 2,
                "current_level": 2,
                "required_level": 4,
            }
        ],
        courses=[{"course_id": "K"}],
        course_skills=[("K", "robot_cells", 3, 2)],
    )
    result = run_scenario(dataset, scenario(objective="min_cost", coverage_target=1.0))
    assert result.status is SolveStatus.INFEASIBLE
    assert result.plan is None
    payload = result.to_json_dict()
    assert payload["participants"] == {"total": None, "records": []}
    # Nothing but the catalogue caps it: relaxing every budget, cap and capacity still reaches 0 %.
    target = payload["target"]
    assert target["reachable_coverage"] == pytest.approx(0.0)
    assert target["coverage_with_every_limit_relaxed"] == pytest.approx(0.0)
    assert target["capped_by"] == [] and target["capped_by_catalogue"] is True
    assert "no course or hire serves the rest" in result.result.message


def test_an_unreachable_target_reports_the_reachable_coverage_and_the_budget_that_caps_it() -> None:
    # Two high-priority gaps (weight w each person): plc 4 people, five_s 6 people; weighted total 10 w.
    # Public share 50 %: K1's run costs 1000 + 4 * 100 = 1400 (public 700), K2's 1000 + 6 * 100 = 1600
    # (public 800). A public budget of 1000 pays for one run only: the best is K2, closing 6 of 10 = 60 %.
    # Without the budget both run: 100 %, so the target of 100 % is capped by the public budget alone.
    dataset = region(
        companies=[("A", "DK041", 40)],
        demand=[
            {"company_id": "A", "skill": "plc_programming", "headcount": 4, "current_level": 0, "required_level": 1},
            {"company_id": "A", "skill": "five_s", "headcount": 6, "current_level": 0, "required_level": 1},
        ],
        courses=[{"course_id": "K1"}, {"course_id": "K2"}],
        course_skills=[("K1", "plc_programming", 1, 0), ("K2", "five_s", 1, 0)],
    )
    result = run_scenario(
        dataset, scenario(objective="min_cost", coverage_target=1.0, budget_per_year=1000)
    )
    assert result.status is SolveStatus.INFEASIBLE and result.plan is None
    target = result.result.target
    assert target is not None
    assert target.target == pytest.approx(1.0)
    assert target.reachable == pytest.approx(0.6) and target.reachable_bound == pytest.approx(0.6)
    assert [(cap.family, cap.coverage_without) for cap in target.caps] == [
        ("public_budget", pytest.approx(1.0))
    ]
    assert not target.capped_by_catalogue
    assert "at most 60.0 % can be closed" in result.result.message
    assert "capped by the public training budget (without it 100.0 %)" in result.result.message
    payload = result.to_json_dict()
    for figure in ("objective", "unmet_units", "closed_units", "total_cost", "public_cost", "company_cost"):
        assert payload[figure] is None, figure
    assert all(payload[table]["total"] is None for table in ("participants", "runs", "hires"))
    assert payload["target"]["capped_by"][0]["constraint"] == "the public training budget"


def test_online_course_pools_companies_of_two_regions() -> None:
    # A (DK041) and B (DK042) each need 3; the in-person course in DK041 serves only A (too few alone,
    # minimum 5); the online course K2 (min 5) takes both: one run, 6 participants.
    # Objective = 1000 * 3 * 6 - (1000 + 600) = 16400.
    dataset = region(
        companies=[("A", "DK041", 40), ("B", "DK042", 40)],
        demand=[
            {
                "company_id": "A",
                "skill": "plc_programming",
                "headcount": 3,
                "current_level": 0,
                "required_level": 1,
            },
            {
                "company_id": "B",
                "skill": "plc_programming",
                "headcount": 3,
                "current_level": 0,
                "required_level": 1,
            },
        ],
        courses=[
            {"course_id": "K1", "min_participants": 5},
            {"course_id": "K2", "min_participants": 5, "mode": "online"},
        ],
        course_skills=[("K1", "plc_programming", 1, 0), ("K2", "plc_programming", 1, 0)],
    )
    _, result, plan = solved(dataset, scenario())
    assert result.objective == pytest.approx(16400.0)
    assert participants_of(plan) == {("A", "K2"): 3, ("B", "K2"): 3}
    assert plan.runs["region"].tolist() == ["online"]


def test_attrition_needs_more_people_trained_earlier() -> None:
    # 2 people needed by 2028 at 50 % attrition. Trained in 2027, a person counts 0.5 by 2028; trained in 2028, 1.
    # Cheapest: train 2 in 2028 (one run, 1000 + 200 = 1200). Objective = 1000 * 3 * 2 - 1200 = 4800.
    dataset = region(
        companies=[("A", "DK041", 40)],
        demand=[
            {
                "company_id": "A",
                "skill": "five_s",
                "headcount": 2,
                "current_level": 0,
                "required_level": 1,
                "needed_by": 2028,
            }
        ],
        courses=[{"course_id": "K"}],
        course_skills=[("K", "five_s", 1, 0)],
    )
    _, result, plan = solved(dataset, scenario(years=[2027, 2028], attrition_rate=0.5))
    assert result.objective == pytest.approx(4800.0)
    assert plan.runs[["year", "participants"]].values.tolist() == [[2028, 2]]


def test_demand_growth_raises_the_units_by_the_deadline() -> None:
    # 10 people needed by 2029 with 10 %/year growth in lean_quality: 10 * 1.1^2 = 12.1 units.
    dataset = region(
        companies=[("A", "DK041", 100)],
        demand=[
            {
                "company_id": "A",
                "skill": "five_s",
                "headcount": 10,
                "current_level": 0,
                "required_level": 1,
                "needed_by": 2029,
            }
        ],
    )
    _, _, plan = solved(
        dataset, scenario(years=[2027, 2028, 2029], demand_growth={"lean_quality": 0.1})
    )
    assert plan.gaps["units"].tolist() == [pytest.approx(12.1)]
    assert plan.gaps["unmet_units"].tolist() == [pytest.approx(12.1)]


@pytest.mark.parametrize(
    ("course_skills", "code", "said"),
    [
        ([("K", "five_s", 4, 0)], "no_course_for_skill", "no course teaches robot cells"),
        ([("K", "robot_cells", 3, 2)], "no_course_reaches_level", "no course reaches level 4"),
        ([("K", "robot_cells", 4, 3)], "entry_level_too_high", "need entry level 3 or more; staff are at level 2"),
    ],
)
def test_each_reason_no_course_serves_a_gap_has_its_own_code(course_skills: list[tuple[str, str, int, int]], code: str, said: str) -> None:
    from optimisation.explain import REASONS

    dataset = region(
        companies=[("A", "DK041", 40)],
        demand=[{"company_id": "A", "skill": "robot_cells", "headcount": 2, "current_level": 2, "required_level": 4}],
        courses=[{"course_id": "K"}],
        course_skills=course_skills,
    )
    unmet = [e for e in run_scenario(dataset, scenario()).explanations if e.kind == "unmet"]
    assert [e.reason for e in unmet] == [code]
    assert said in unmet[0].sentence and code in REASONS

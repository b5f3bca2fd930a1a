"""The independent plan checker: valid plans pass, tampered plans are caught rule by rule."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from optimisation.checker import check_plan
from optimisation.model import build_model
from optimisation.plan import JSON_KEYS, run_scenario
from optimisation.results import Plan, extract_plan
from optimisation.scenarios import Scenario, compose, load_scenario
from optimisation.solve import SolveStatus, solve
from skills.dataset import Dataset
from skills.sample import generate_region
from tests.test_optimisation_known_answers import region, scenario

ROOT = Path(__file__).resolve().parents[1]


def test_checker_uses_neither_pulp_nor_the_model() -> None:
    tree = ast.parse((ROOT / "optimisation" / "checker.py").read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(
        name.startswith(
            (
                "pulp",
                "highspy",
                "optimisation.model",
                "optimisation.sets",
                "optimisation.variables",
                "optimisation.constraints",
                "optimisation.matrix",
                "optimisation.solve",
            )
        )
        for name in imported
    )


def test_sample_region_plan_passes_the_checker() -> None:
    dataset = generate_region("sample")
    result = run_scenario(dataset, load_scenario(ROOT / "data" / "scenarios" / "base.yaml"))
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert result.gap is not None and result.gap <= 0.01
    assert result.violations == []
    assert result.closed_units > 0
    assert list(result.to_json_dict()) == list(JSON_KEYS)


def test_sample_region_tight_budget_passes_the_checker() -> None:
    dataset = generate_region("sample")
    result = run_scenario(dataset, compose(ROOT / "data" / "scenarios" / "base.yaml", "tight_budget"))
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert result.violations == []
    budget_left = (
        [
            80000 - result.plan.costs.query("payer == 'public' and year == @year")["amount"].sum()
            for year in (2027, 2028, 2029)
        ]
        if result.plan is not None
        else []
    )
    assert all(left >= -1e-6 for left in budget_left)


def test_tier_s_plan_passes_the_checker() -> None:
    settings = Scenario(
        name="tier_s",
        years=[2027],
        budget_per_year=60000.0,
        attrition_rate=0.05,
        company_cost_cap=8000.0,
    )
    result = run_scenario(generate_region("S"), settings)
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert result.violations == []


def test_tier_m_plan_passes_the_checker() -> None:
    settings = Scenario(
        name="tier_m",
        years=[2027, 2028, 2029],
        budget_per_year=450000.0,
        attrition_rate=0.05,
        demand_growth={"digital_data": 0.05},
        default_trainer_hours=600.0,
        time_limit_s=15.0,  # the solver uses its whole limit (coverage, then cost); the checker needs only a plan
    )
    result = run_scenario(generate_region("M"), settings)
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert result.violations == []


# --------------------------------------------------------------------------- tampered plans


@pytest.fixture
def pooled() -> tuple[Dataset, Scenario, Plan]:
    # Two SMEs (3 people each) pool into one run of K (min 5, max 10); a CNC gap of A is hired (supply 1).
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
            {
                "company_id": "A",
                "skill": "cnc_milling",
                "headcount": 1,
                "current_level": 0,
                "required_level": 3,
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
        supply=[{"skill": "cnc_milling", "hires_available_per_year": 1, "cost_per_hire": 500.0}],
    )
    settings = scenario(budget_per_year=5000.0)
    model = build_model(dataset, settings)
    result = solve(model)
    assert result.status is SolveStatus.OPTIMAL
    plan = extract_plan(model)
    assert check_plan(dataset, settings, plan) == []
    assert len(plan.hires) == 1 and len(plan.runs) == 1
    return dataset, settings, plan


def rules(dataset: Dataset, settings: Scenario, plan: Plan) -> set[str]:
    return {violation.rule for violation in check_plan(dataset, settings, plan)}


def with_table(plan: Plan, name: str, frame: pd.DataFrame) -> Plan:
    return replace(plan, **{name: frame})


def test_more_participants_than_seats_and_people(pooled: tuple[Dataset, Scenario, Plan]) -> None:
    dataset, settings, plan = pooled
    participants = plan.participants.copy()
    participants.loc[participants["company_id"] == "A", "participants"] = (
        8  # 8 + 3 > 10 seats; A has 3 people
    )
    found = rules(dataset, settings, with_table(plan, "participants", participants))
    assert {"run_seats", "participant_pairs", "cost_table"} <= found


def test_a_run_below_its_minimum_cohort(pooled: tuple[Dataset, Scenario, Plan]) -> None:
    dataset, settings, plan = pooled
    participants = plan.participants[plan.participants["company_id"] == "A"].reset_index(drop=True)
    closures = plan.closures[
        ~((plan.closures["company_id"] == "B") & (plan.closures["route"] == "course"))
    ]
    gaps = plan.gaps.copy()
    b_row = (gaps["company_id"] == "B").to_numpy()
    gaps.loc[b_row, "closed_units"] = 0.0
    gaps.loc[b_row, "unmet_units"] = 3.0
    tampered = replace(
        plan, participants=participants, closures=closures.reset_index(drop=True), gaps=gaps
    )
    assert "run_minimum" in rules(dataset, settings, tampered)


def test_closures_without_participants(pooled: tuple[Dataset, Scenario, Plan]) -> None:
    dataset, settings, plan = pooled
    participants = plan.participants.assign(participants=plan.participants["participants"] - 1)
    assert "participant_links" in rules(
        dataset, settings, with_table(plan, "participants", participants)
    )


def test_budget_overrun_is_caught(pooled: tuple[Dataset, Scenario, Plan]) -> None:
    dataset, _, plan = pooled
    # The run costs 2000 + 6 * 100 = 2600; the public pays 50 % = 1300 > a budget of 1000.
    assert "public_budget" in rules(dataset, scenario(budget_per_year=1000.0), plan)


def test_company_cost_cap_is_checked_pro_rata(pooled: tuple[Dataset, Scenario, Plan]) -> None:
    dataset, _, plan = pooled
    # Each company pays 50 % of (3 * 100 fees + 3/6 of the 2000 run) = 650; a cap of 600 is broken twice.
    violations = [
        v
        for v in check_plan(dataset, scenario(company_cost_cap=600.0), plan)
        if v.rule == "company_cost_cap"
    ]
    assert sorted(v.value for v in violations) == [pytest.approx(650.0), pytest.approx(650.0)]


def test_hires_beyond_the_market_supply(pooled: tuple[Dataset, Scenario, Plan]) -> None:
    dataset, settings, plan = pooled
    hires = plan.hires.assign(hires=3)
    assert "hire_supply" in rules(dataset, settings, with_table(plan, "hires", hires))


def test_a_closure_by_a_course_that_does_not_reach_the_level(
    pooled: tuple[Dataset, Scenario, Plan],
) -> None:
    dataset, settings, plan = pooled
    closures = plan.closures.copy()
    hired = closures["route"] == "hire"
    closures.loc[hired, "route"] = "course"
    closures.loc[hired, "course_id"] = "K"  # K teaches plc_programming, not cnc_milling
    violations = [
        v
        for v in check_plan(dataset, settings, with_table(plan, "closures", closures))
        if v.rule == "closure_eligibility"
    ]
    assert [v.message for v in violations] == ["the course does not teach the skill"]


def test_unmet_units_that_do_not_balance(pooled: tuple[Dataset, Scenario, Plan]) -> None:
    dataset, settings, plan = pooled
    gaps = plan.gaps.assign(unmet_units=plan.gaps["unmet_units"] + 1.0)
    assert "coverage" in rules(dataset, settings, with_table(plan, "gaps", gaps))


def test_a_gap_table_that_does_not_match_the_demand(pooled: tuple[Dataset, Scenario, Plan]) -> None:
    dataset, settings, plan = pooled
    gaps = plan.gaps.iloc[1:].reset_index(drop=True)
    assert "gap_table" in rules(dataset, settings, with_table(plan, "gaps", gaps))


def test_runs_beyond_the_yearly_maximum(pooled: tuple[Dataset, Scenario, Plan]) -> None:
    dataset, settings, plan = pooled
    runs = plan.runs.assign(runs=2)  # K allows 1 run a year
    assert "runs_per_year" in rules(dataset, settings, with_table(plan, "runs", runs))


def test_trainer_hours_and_company_places(pooled: tuple[Dataset, Scenario, Plan]) -> None:
    dataset, _, plan = pooled
    tight = scenario(
        default_trainer_hours=10.0, company_capacity_share=0.05
    )  # a run takes 37 h; A releases 2
    assert {"provider_hours", "company_places"} <= rules(dataset, tight, plan)

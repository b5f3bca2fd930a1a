"""Property tests: on random small regions every plan passes the checker and its figures add up."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimisation.plan import run_scenario
from optimisation.scenarios import Scenario
from optimisation.solve import SolveStatus
from tests.test_optimisation_known_answers import SKILLS, region

REGIONS = ("DK041", "DK042")


@st.composite
def small_regions(draw: st.DrawFn) -> dict[str, Any]:
    n_companies = draw(st.integers(1, 4))
    companies = [
        (f"C{i}", draw(st.sampled_from(REGIONS)), draw(st.integers(3, 60)))
        for i in range(n_companies)
    ]
    demand: dict[tuple[str, str, int], dict[str, Any]] = {}
    for _ in range(draw(st.integers(1, 7))):
        company = draw(st.sampled_from([c for c, _, _ in companies]))
        skill = draw(st.sampled_from(SKILLS))
        needed_by = draw(st.integers(2026, 2029))
        current = draw(st.integers(0, 3))
        demand[(company, skill, needed_by)] = {
            "company_id": company,
            "skill": skill,
            "needed_by": needed_by,
            "headcount": draw(st.integers(1, 9)),
            "current_level": current,
            "required_level": draw(st.integers(current, 4)),
            "priority": draw(st.sampled_from(["high", "medium", "low"])),
        }
    courses = []
    links: dict[tuple[str, str], tuple[str, str, int, int]] = {}
    for k in range(draw(st.integers(0, 4))):
        minimum = draw(st.integers(1, 6))
        courses.append(
            {
                "course_id": f"K{k}",
                "provider": draw(st.sampled_from(["P1", "P2"])),
                "region": draw(st.sampled_from(REGIONS)),
                "mode": draw(st.sampled_from(["in-person", "online", "blended"])),
                "hours": float(draw(st.integers(7, 74))),
                "cost_per_participant": float(draw(st.integers(0, 900))),
                "fixed_cost_per_run": float(draw(st.integers(0, 6000))),
                "min_participants": minimum,
                "max_participants": minimum + draw(st.integers(0, 8)),
                "max_runs_per_year": draw(st.integers(0, 3)),
            }
        )
        for skill in draw(st.lists(st.sampled_from(SKILLS), min_size=1, max_size=2, unique=True)):
            level = draw(st.integers(1, 4))
            links[(f"K{k}", skill)] = (f"K{k}", skill, level, draw(st.integers(0, level - 1)))
    supply: dict[tuple[str, str], dict[str, Any]] = {}
    for _ in range(draw(st.integers(0, 3))):
        skill, place = draw(st.sampled_from(SKILLS)), draw(st.sampled_from(REGIONS))
        supply[(skill, place)] = {
            "skill": skill,
            "region": place,
            "hires_available_per_year": draw(st.integers(0, 4)),
            "cost_per_hire": float(draw(st.integers(1000, 20000))),
            "lead_time_months": draw(st.sampled_from([0, 3, 12, 18])),
        }
    return {
        "companies": companies,
        "demand": list(demand.values()),
        "courses": courses,
        "course_skills": list(links.values()),
        "supply": list(supply.values()),
    }


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    budget = draw(st.one_of(st.none(), st.floats(0, 20000)))
    return Scenario(
        name="random",
        years=[2027, 2028],
        budget_per_year=budget,
        subsidy_rate=draw(st.floats(0, 1)),
        company_cost_cap=draw(st.one_of(st.none(), st.floats(0, 5000))),
        attrition_rate=draw(st.sampled_from([0.0, 0.1])),
        demand_growth=draw(st.sampled_from([{}, {"lean_quality": 0.2}])),
        company_capacity_share=draw(st.one_of(st.none(), st.floats(0.05, 1))),
        company_hours_per_employee=draw(st.one_of(st.none(), st.floats(5, 80))),
        default_trainer_hours=draw(st.one_of(st.none(), st.floats(1, 150))),
        mip_gap=0.0,
        time_limit_s=20.0,
        warm_start=False,
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=small_regions(), settings_=scenarios())
def test_random_plans_pass_the_checker_and_add_up(
    rows: dict[str, Any], settings_: Scenario
) -> None:
    dataset = region(**rows)
    result = run_scenario(dataset, settings_, with_explanations=True)
    assert result.status is SolveStatus.OPTIMAL
    assert result.violations == []
    plan = result.plan
    assert plan is not None
    totals = plan.totals
    assert totals["closed_units"] + totals["unmet_units"] == pytest.approx(
        totals["gap_units"], abs=1e-6
    )
    # the objective is the value of closed weighted units minus total cost
    value = result.objective
    assert value is not None
    assert value == pytest.approx(
        result.gap_unit_value * totals["weighted_closed_units"] - totals["total_cost"], abs=1e-4
    )
    assert totals["public_cost"] + totals["company_cost"] == pytest.approx(
        totals["total_cost"], abs=1e-6
    )
    unmet = [e for e in result.explanations if e.kind == "unmet"]
    assert len(unmet) == int((plan.gaps["unmet_units"] > 1e-6).sum())

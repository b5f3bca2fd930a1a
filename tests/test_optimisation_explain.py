"""Explanations: reasons for unmet gaps and shadow prices as plain sentences, on hand-solvable regions."""

from __future__ import annotations

import pytest

from optimisation.explain import REASONS, shadow_prices, unmet_reasons
from optimisation.model import build_model
from optimisation.plan import run_scenario
from optimisation.results import extract_plan
from optimisation.solve import SolveStatus, solve
from tests.test_optimisation_known_answers import binding_budget_region, region, scenario


def two_courses_one_budget() -> tuple[object, object, object]:
    # plc (high, 4 people) via K1 and five_s (low, 4 people) via K2; a full run costs 2000, the public pays 1000.
    dataset = binding_budget_region()
    settings = scenario(budget_per_year=1500.0)
    model = build_model(dataset, settings)
    result = solve(model)
    return model, result, extract_plan(model)


def test_budget_shadow_price_with_runs_fixed_and_free() -> None:
    # Runs as planned (K1 open, K2 closed): more budget closes nothing. With runs free to grow (LP),
    # K2 opens fractionally at 1000 public per run of 4: the 500 left buy half a run (2 units); 1500 buy the
    # whole run (4 units): one more EUR 1 000 closes 2 more weighted units (weight 1).
    model, _, plan = two_courses_one_budget()
    prices = shadow_prices(model, plan)
    budget = prices[prices["resource"] == "public_budget"]
    assert budget["sentence"].tolist() == [
        "One more EUR 1 000 of public budget in 2027 would close nothing more with the runs as planned; "
        "if runs could be added, about 2.00 weighted gap units (LP estimate)."
    ]


def test_seat_shadow_price_and_seats_exhausted_reason() -> None:
    # 8 people (high) need K, which takes 6 per run and runs once a year: 2 stay unmet because seats are used up.
    # One more seat trains one more person: 3 weighted units for one more fee of 100.
    dataset = region(
        companies=[("A", "DK041", 40)],
        demand=[
            {
                "company_id": "A",
                "skill": "five_s",
                "headcount": 8,
                "current_level": 0,
                "required_level": 1,
            }
        ],
        courses=[{"course_id": "K", "title": "Lean basics", "max_participants": 6}],
        course_skills=[("K", "five_s", 1, 0)],
    )
    model = build_model(dataset, scenario())
    result = solve(model)
    plan = extract_plan(model)
    reasons = unmet_reasons(model, plan, result)
    assert reasons[["reason", "unmet_units"]].values.tolist() == [["seats_or_runs_exhausted", 2.0]]
    prices = shadow_prices(model, plan)
    seat = prices[prices["resource"] == "seat"]
    assert seat["sentence"].tolist() == [
        "One more seat on Lean basics in 2027 would close 3.00 more weighted gap units (EUR 100 more spent in total)."
    ]


def test_company_capacity_reason() -> None:
    # 8 people need K, the company (20 employees) releases 25 % = 5 a year: 3 unmet for company capacity.
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
    result = run_scenario(dataset, scenario(company_capacity_share=0.25))
    unmet = [e for e in result.explanations if e.kind == "unmet"]
    assert [(e.reason, e.value) for e in unmet] == [("company_capacity", 3.0)]
    places = [e for e in result.explanations if e.reason == "company_place"]
    assert [e.sentence for e in places] == [
        "One more training place for Company A in 2027 would close 3.00 more weighted gap units (EUR 100 more spent in total)."
    ]


def test_no_course_in_region_and_no_hires() -> None:
    # The only suitable course is in-person in DK042; the company is in DK041 and no hires are on offer.
    dataset = region(
        companies=[("A", "DK041", 20)],
        demand=[
            {
                "company_id": "A",
                "skill": "five_s",
                "headcount": 2,
                "current_level": 0,
                "required_level": 1,
            }
        ],
        courses=[{"course_id": "K", "region": "DK042"}],
        course_skills=[("K", "five_s", 1, 0)],
    )
    result = run_scenario(dataset, scenario())
    unmet = [e for e in result.explanations if e.kind == "unmet"]
    assert [e.reason for e in unmet] == ["no_course_in_region"]
    assert "run only outside Vestjylland and not online" in unmet[0].sentence
    assert "the labour market in Vestjylland offers no five s hires" in unmet[0].sentence


def test_min_cost_leaves_the_rest_because_the_target_is_met() -> None:
    # Target 50 %: the high-priority gap (6 weighted units of 12) is enough; the low one stays unmet on purpose.
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
    result = run_scenario(dataset, scenario(objective="min_cost", coverage_target=0.5))
    assert result.status is SolveStatus.OPTIMAL
    unmet = [e for e in result.explanations if e.kind == "unmet"]
    assert [(e.reason, e.value) for e in unmet] == [("coverage_target_met", 6.0)]


def test_every_reason_code_is_documented() -> None:
    model, result, plan = two_courses_one_budget()
    reasons = unmet_reasons(model, plan, result)  # type: ignore[arg-type]
    for codes in reasons["reasons"]:
        assert set(codes.split(";")) <= set(REASONS)
    assert reasons["reason"].tolist() == ["budget_exhausted"]
    assert reasons["sentence"].iloc[0] == (
        "Company A needs 4 people at level 2 in five s by 2027 (now level 0): 4 people stay unmet because "
        "the public budget is used up in 2027; the labour market in Vestjylland offers no five s hires."
    )


def test_trainer_hour_shadow_price() -> None:
    # 20 people need K (10 seats a run, 2 runs a year, 37 hours a run); the provider has 40 trainer hours,
    # so one run. With runs free to grow, an hour buys 1/37 of a run worth 10 * 3 * 1000 - (1000 + 10 * 100)
    # = 28000: 28000 / 37 = 756.76 of net value, 0.757 weighted gap units at 1000 per unit.
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
    settings = scenario(provider_trainer_hours={"Midtjysk Erhvervsskole": 40.0})
    model = build_model(dataset, settings)
    assert solve(model).has_plan
    prices = shadow_prices(model, extract_plan(model))
    hours = prices[prices["resource"] == "trainer_hours"]
    assert hours["sentence"].tolist() == [
        "One more trainer hour at Midtjysk Erhvervsskole in 2027 is worth about 0.757 weighted gap units "
        "(EUR 757 of net value, runs free to grow beyond the plan)."
    ]
    assert hours["closed"].iloc[0] == pytest.approx(28000 / 37 / 1000)

"""One region rule for gap coverage, the optimiser and the plan checker."""

from __future__ import annotations

import pandas as pd

from skills.gaps import coverage
from skills.regions import same_area
from tests.test_optimisation_known_answers import region, scenario, solved


def test_same_area_is_a_prefix_rule_both_ways() -> None:
    companies = pd.Series(["DK041", "DK041", "DK04", "DK041", "SE22"], index=[10, 11, 12, 13, 14])
    courses = pd.Series(["DK04", "DK042", "DK042", "DK041", "DK04"])
    assert same_area(companies, courses).tolist() == [True, False, True, True, False]


def test_course_registered_for_the_nuts2_region_serves_its_nuts3_companies() -> None:
    # A (DK041) and B (DK042) each need PLC for 3 people; the only course is in-person, registered for DK04,
    # minimum cohort 5: only pooling both companies opens a run (6 participants).
    dataset = region(
        companies=[("A", "DK041", 40), ("B", "DK042", 40)],
        demand=[
            {"company_id": "A", "skill": "plc_programming", "headcount": 3, "current_level": 0, "required_level": 2},
            {"company_id": "B", "skill": "plc_programming", "headcount": 3, "current_level": 0, "required_level": 2},
        ],
        courses=[{"course_id": "K", "region": "DK04", "mode": "in-person", "min_participants": 5, "max_participants": 10}],
        course_skills=[("K", "plc_programming", 2, 0)],
    )
    by_company = coverage(dataset, "company", company="A")
    assert by_company.loc[by_company["is_total"] == False, "covered_units"].tolist() == [3]  # noqa: E712
    _, _, plan = solved(dataset, scenario())  # `solved` also asserts the checker finds no violation
    assert plan.runs["course_id"].tolist() == ["K"]
    assert sorted(plan.participants["participants"].tolist()) == [3, 3]

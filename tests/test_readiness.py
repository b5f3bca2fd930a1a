"""Plan readiness: which gap units a course or a hire can serve before any solve, and why not."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from skills.dataset import Dataset
from skills.errors import InputError
from skills.readiness import COURSE_REASONS, readiness

REPO = Path(__file__).resolve().parents[1]
LSIP = (
    REPO.parent / "shared" / "reference" / "lsip-wnycc" / "employer_survey_responses_2023-04.xlsx"
)
SKILLS = pd.DataFrame(
    {
        "skill_id": ["plc_programming", "cnc_milling", "welding"],
        "label": ["PLC programming", "CNC milling", "Welding"],
        "group": ["automation_robotics", "production_technology", "production_technology"],
    }
)


def _course(
    course_id: str, region: str, mode: str = "in-person", runs: int = 2
) -> dict[str, object]:
    return {
        "course_id": course_id, "title": course_id, "provider": "AMU", "region": region, "mode": mode,
        "hours": 37, "cost_per_participant": 400.0, "fixed_cost_per_run": 3000.0,
        "min_participants": 4, "max_participants": 12, "max_runs_per_year": runs, "language": "da",
    }  # fmt: skip


def _demand(
    company: str, skill: str, headcount: int, current: int, required: int, year: int = 2027
) -> dict[str, object]:
    return {
        "company_id": company, "skill": skill, "role": None, "headcount": headcount,
        "current_level": current, "required_level": required, "needed_by": year, "priority": "high",
    }  # fmt: skip


def _region(
    company_region: str = "UKE4",
    courses: list[dict[str, object]] | None = None,
    links: list[tuple[str, str, int, int]] | None = None,
    supply: list[dict[str, object]] | None = None,
    demand: list[dict[str, object]] | None = None,
) -> Dataset:
    companies = pd.DataFrame(
        {
            "company_id": ["holst", "skov"],
            "name": ["Holst", "Skov"],
            "region": [company_region, company_region],
            "sector": ["C25", "C22"],
            "employees": [40, 12],
        }
    )
    return Dataset.from_frames(
        {
            "skills": SKILLS,
            "companies": companies,
            "demand": pd.DataFrame(
                demand
                or [
                    _demand("holst", "plc_programming", 3, 1, 3),
                    _demand("skov", "cnc_milling", 2, 0, 2),
                ]
            ),
            "courses": pd.DataFrame(courses or [_course("K1", "DK041"), _course("K2", "DK042")]),
            "course_skills": pd.DataFrame(
                links or [("K1", "plc_programming", 3, 1), ("K2", "cnc_milling", 2, 0)],
                columns=["course_id", "skill", "level", "entry_level"],
            ),
            "supply": pd.DataFrame(
                supply or [],
                columns=[
                    "skill",
                    "region",
                    "hires_available_per_year",
                    "cost_per_hire",
                    "lead_time_months",
                    "balance",
                ],
            ),
        }
    )


def test_no_course_serves_the_companies_region() -> None:
    found = readiness(_region("UKE4"), [2027, 2028, 2029])
    assert (found.gap_units, found.course_units, found.course_share) == (5, 0, 0.0)
    assert found.course_reasons == {"no_course": 0, "level": 0, "entry_level": 0, "region": 5}
    assert (found.supply_units, found.supply_reasons["no_supply"]) == (0, 5)
    assert found.capped and found.servable_share == 0.0
    assert found.regions_out_of_reach == ("UKE4",) and found.course_regions == ("DK041", "DK042")
    headline = found.headline()
    assert (
        "At most 0 %" in headline and "no course serves the companies' regions (UKE4)" in headline
    )
    assert found.sentences()[0] == headline
    data = found.as_dict()
    assert data["course"] == {"units": 0, "share": 0.0, "unserved": found.course_reasons}
    assert data["servable"]["capped"] is True and data["headline"] == headline


def test_each_unserved_gap_has_the_first_reason_no_course_passes() -> None:
    demand = [
        _demand("holst", "plc_programming", 3, 1, 4),  # K1 reaches only level 3
        _demand("holst", "cnc_milling", 2, 0, 2),  # K2 starts at level 1
        _demand("skov", "welding", 1, 0, 2),  # nothing teaches welding
        _demand("skov", "plc_programming", 4, 1, 3),  # K1 fits and runs here
    ]
    links = [("K1", "plc_programming", 3, 1), ("K2", "cnc_milling", 3, 1)]
    found = readiness(_region("DK041", demand=demand, links=links), [2027])
    assert found.course_reasons == {"no_course": 1, "level": 3, "entry_level": 2, "region": 0}
    assert tuple(found.course_reasons) == COURSE_REASONS
    assert (found.course_units, found.gap_units) == (4, 10)
    assert found.unserved_skills == {"PLC programming": 3, "CNC milling": 2, "Welding": 1}  # names, never ids
    # an online course serves every region; a course that never runs serves nobody
    online = readiness(
        _region("UKE4", courses=[_course("K1", "DK041", "online"), _course("K2", "DK042", runs=0)]),
        [2027],
    )
    assert online.course_reasons == {"no_course": 2, "level": 0, "entry_level": 0, "region": 0}
    assert online.course_units == 3


def test_supply_and_the_horizon() -> None:
    supply = [
        {"skill": "plc_programming", "region": "UKE4", "hires_available_per_year": 2, "cost_per_hire": 9000.0, "lead_time_months": 6, "balance": "shortage"},
        {"skill": "cnc_milling", "region": "UKE4", "hires_available_per_year": 2, "cost_per_hire": 9000.0, "lead_time_months": 30, "balance": "shortage"},
    ]  # fmt: skip
    demand = [
        _demand("holst", "plc_programming", 3, 1, 3, year=2025),
        _demand("skov", "cnc_milling", 2, 0, 2, year=2031),
    ]
    found = readiness(_region("UKE4", supply=supply, demand=demand), [2027, 2028, 2029])
    # cnc: due 2031, treated as 2029; a 30-month lead time is productive from 2029: in time
    assert found.supply_reasons == {"no_supply": 0, "level": 0, "lead_time": 0}
    assert (found.supply_units, found.servable_units, found.capped) == (5, 5, False)
    assert found.headline() == ""
    assert (found.early_rows, found.early_units, found.early_years) == (1, 3, (2025,))
    assert (found.late_rows, found.late_units) == (1, 2)
    words = " ".join(found.sentences())
    assert "before the plan's first year 2027: the plan treats them as due in 2027" in words
    assert "treats them as due in 2029" in words
    short = readiness(_region("UKE4", supply=supply, demand=demand), [2027])
    assert short.supply_reasons["lead_time"] == 2


def test_assumed_values_are_counted() -> None:
    assumed = pd.DataFrame(
        {"company_id": ["skov", "skov", "holst"], "column": ["sector", "employees", "employees"]}
    )
    found = readiness(_region(), [2027], assumed=assumed)
    assert found.assumed_companies == {"employees": 2, "sector": 1}
    assert (found.assumed_rows, found.assumed_units) == (2, 5)
    assert "employees on 2 companies, sector on 1 company" in " ".join(found.sentences())
    assert readiness(_region(), [2027]).assumed_companies == {}


def test_years_must_increase() -> None:
    with pytest.raises(InputError, match="increasing"):
        readiness(_region(), [2028, 2027])
    with pytest.raises(InputError):
        readiness(_region(), [])


@pytest.mark.skipif(not LSIP.exists(), reason="shared reference data not present")
def test_lsip_survey_with_the_sample_catalogue_cannot_be_served() -> None:
    from skills.io import read_table
    from skills.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    result = read_table(
        "survey", LSIP, taxonomy=taxonomy, mapping_folder=REPO / "data" / "survey_mappings"
    )
    assert result.ok
    sample = REPO / "data" / "sample"
    frames = {
        name: pd.read_csv(sample / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("courses", "course_skills", "supply")
    }
    dataset = Dataset.from_frames({"skills": taxonomy.reset_index(), **result.tables, **frames})
    found = readiness(dataset, [2027, 2028, 2029], assumed=result.assumed)
    assert found.gap_units > 0 and found.course_units == 0 and found.supply_units == 0
    assert found.course_reasons["region"] > 0
    assert set(found.regions_out_of_reach) <= {"UKE", "UKE2", "UKE4"}
    assert set(found.course_regions) <= {"DK041", "DK042", "DK04"}
    assert "no course serves the companies' regions" in found.headline()
    # every row was needed by 2025, before the horizon; employees were assumed for every company
    assert found.early_rows == len(result.tables["demand"]) and found.early_years == (2025,)
    assert found.assumed_companies["employees"] == 311
    assert found.assumed_rows == len(result.tables["demand"])

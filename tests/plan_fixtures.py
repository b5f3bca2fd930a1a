"""Random plans over a region, shaped like a solved plan's tables, for the attacker's suite on generated regions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from skills.dataset import Dataset
from skills.gaps import gap_rows_for_audit

YEARS = (2027, 2028, 2029)
REASONS = ("no_course_for_skill", "no_course_reaches_level", "budget_exhausted", "cohort_too_small")


def random_plan(dataset: Dataset, seed: int) -> dict[str, pd.DataFrame]:
    """Participants, runs, hires, gaps and unmet explanations a plan of ``dataset`` could have (no solver: any plan must be protected)."""
    rng = np.random.default_rng(seed)
    companies = dataset.flat("companies")["company_id"].astype(str).tolist()
    courses = dataset.flat("courses")
    rows = []
    for company in companies:
        for index in rng.choice(len(courses), size=min(len(courses), int(rng.integers(0, 4))), replace=False):
            course = courses.iloc[int(index)]
            count = int(rng.integers(1, 16))
            fee = float(course["cost_per_participant"])
            rows.append((int(rng.choice(YEARS)), company, str(course["course_id"]), str(course["provider"]), count, fee, count * fee))
    participants = pd.DataFrame(
        rows, columns=["year", "company_id", "course_id", "provider", "participants", "fee_per_participant", "fees"]
    ).groupby(["year", "company_id", "course_id", "provider"], as_index=False).agg(
        participants=("participants", "sum"), fee_per_participant=("fee_per_participant", "first"), fees=("fees", "sum")
    )
    seats = courses.set_index("course_id")["max_participants"].astype("int64")
    runs = participants.groupby(["year", "course_id", "provider"], as_index=False).agg(
        participants=("participants", "sum"), companies=("company_id", "nunique")
    )
    runs["seats"] = runs["course_id"].map(seats).fillna(15).astype("int64").clip(lower=1)
    runs["runs"] = np.ceil(runs["participants"] / runs["seats"]).astype("int64")
    gap_rows = gap_rows_for_audit(dataset)
    gaps = gap_rows.groupby(
        ["company_id", "skill", "current_level", "required_level", "needed_by", "priority"], as_index=False
    )["gap_units"].sum().rename(columns={"needed_by": "deadline", "gap_units": "units"})
    gaps["units"] = gaps["units"].astype("float64")
    share = rng.choice([0.0, 0.25, 0.5, 1.0], size=len(gaps))
    gaps["closed_units"] = np.round(gaps["units"] * share, 4)
    gaps["unmet_units"] = gaps["units"] - gaps["closed_units"]
    hires = gaps[rng.random(len(gaps)) < 0.3][["company_id", "skill"]].assign(
        year=lambda frame: rng.choice(YEARS, size=len(frame)),
        hires=lambda frame: rng.integers(1, 5, size=len(frame)),
        cost_per_hire=lambda frame: rng.choice([6000.0, 9000.0, 15000.0], size=len(frame)),
    )
    hires["cost"] = hires["hires"] * hires["cost_per_hire"]
    unmet = gaps[gaps["unmet_units"] > 0]
    explanations = pd.DataFrame(
        {
            "kind": "unmet",
            "subject": [
                f"{row.company_id} / {row.skill} ({row.current_level}->{row.required_level}, by {row.deadline})"
                for row in unmet.itertuples(index=False)
            ],
            "reason": rng.choice(REASONS, size=len(unmet)),
            "sentence": "",
            "value": unmet["unmet_units"].to_numpy(dtype="float64"),
        }
    )
    runs = runs[["year", "course_id", "provider", "runs", "participants", "seats", "companies"]]
    return {"participants": participants, "runs": runs, "hires": hires.reset_index(drop=True), "gaps": gaps, "explanations": explanations}


#: Skills of the generated regions (two in one group, so group views pool them).
REGION_SKILLS = pd.DataFrame(
    {
        "skill_id": ["plc", "cnc", "lean", "iot"],
        "label": ["PLC", "CNC", "Lean", "IoT"],
        "group": ["automation_robotics", "production_technology", "lean_quality", "automation_robotics"],
    }
)
REGION_CODES = ("DK041", "DK042", "DK011")


def seeded_region(seed: int) -> Dataset:
    """A random small region, the same for the same seed: 4–12 companies, 10–60 demand rows, 2–8 courses of two providers.

    Shaped like ``tests.test_gaps_properties.regions`` (whose examples repeat), so that 25 seeds give 25 different regions.
    """
    rng = np.random.default_rng(10_000 + seed)
    count = int(rng.integers(4, 13))
    companies = pd.DataFrame(
        {
            "company_id": [f"C{i}" for i in range(count)],
            "name": [f"Company {i}" for i in range(count)],
            "region": rng.choice(REGION_CODES, size=count),
            "sector": rng.choice(["C25", "C28", "C10.5"], size=count),
            "employees": rng.choice([3, 20, 80, 400], size=count),
        }
    )
    skills = REGION_SKILLS["skill_id"].tolist()
    keys = sorted(
        {(int(rng.integers(0, count)), str(rng.choice(skills)), str(rng.choice(["op", "tech"])), int(rng.choice([2027, 2028])))
         for _ in range(int(rng.integers(10, 61)))}
    )
    rows = []
    for company, skill, role, year in keys:
        current = int(rng.integers(0, 4))
        required = max(0, min(4, current + int(rng.choice([-1, 0, 1, 1, 2, 2, 3]))))
        rows.append((f"C{company}", skill, role, int(rng.integers(0, 7)), current, required, year,
                     str(rng.choice(["high", "medium", "low"]))))
    demand = pd.DataFrame(
        rows, columns=["company_id", "skill", "role", "headcount", "current_level", "required_level", "needed_by", "priority"]
    )
    course_count = int(rng.integers(2, 9))
    levels = rng.choice([2, 3, 4, 4], size=course_count)
    courses = pd.DataFrame(
        {
            "course_id": [f"K{i}" for i in range(course_count)],
            "title": [f"Course {i}" for i in range(course_count)],
            "provider": ["P" if i % 2 == 0 else "Q" for i in range(course_count)],
            "region": rng.choice([*REGION_CODES, "DK04"], size=course_count),
            "mode": rng.choice(["in-person", "online", "blended"], size=course_count),
            "hours": [30.0] * course_count,
            "cost_per_participant": [100.0 * (i + 1) for i in range(course_count)],
            "fixed_cost_per_run": [500.0] * course_count,
            "min_participants": [1] * course_count,
            "max_participants": [10] * course_count,
            "max_runs_per_year": rng.choice([0, 1, 2, 3, 3], size=course_count),
            "language": ["da"] * course_count,
        }
    )
    course_skills = pd.DataFrame(
        {
            "course_id": courses["course_id"],
            "skill": rng.choice(skills, size=course_count),
            "level": levels,
            "entry_level": [int(rng.integers(0, level)) for level in levels],
        }
    )
    return Dataset.from_frames(
        {"skills": REGION_SKILLS, "companies": companies, "demand": demand, "courses": courses, "course_skills": course_skills}
    )

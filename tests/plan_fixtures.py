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

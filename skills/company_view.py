"""One company's own picture: roles × skills, compliance, the courses that close each gap or why none does, recruitment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from skills import rules
from skills.dataset import Dataset
from skills.errors import NotFoundError
from skills.regions import region_name

#: How a blank role reads.
NO_ROLE: Final = "role not stated"
#: Why no course closes a gap, by the code of :func:`skills.rules.course_reason` (the first test of
#: :func:`skills.rules.course_fit` that no course passes), as the company's HR manager reads it.
NO_COURSE_REASONS: Final = {
    rules.NO_COURSE_FOR_SKILL: "no course in the catalogue teaches this skill",
    rules.NO_COURSE_REACHES_LEVEL: "no course teaches this skill up to the level required",
    rules.ENTRY_LEVEL_TOO_HIGH: "every course that reaches the level starts above the staff's current level",
    rules.NO_COURSE_IN_REGION: "the courses that fit run only in other regions and none is online",
}


@dataclass(frozen=True)
class CompanyProfile:
    """What a company's HR manager reads about their own company (never suppressed: it is their data).

    Attributes
    ----------
    name, region, sector, employees
        The company as stored.
    compliance
        Share of the people a skill requirement names who already have the required level (0–1).
    matrix
        Roles × skills: ``current → required (people)`` per cell.
    gaps
        One row per gap: skill, role, people, levels, year, gap units, the cheapest course that closes it
        (title, provider, mode, hours, cost per participant) or the reason none does.
    recruitment
        For each skill with a gap: what the labour market in the company's region offers (hires per year,
        cost per hire, lead time, the market's balance).
    """

    company_id: str
    name: str
    region: str
    sector: str
    employees: int
    compliance: float
    matrix: pd.DataFrame
    gaps: pd.DataFrame
    recruitment: pd.DataFrame

    @property
    def roles_stated(self) -> bool:
        """Whether any gap names a role (else every gap reads "role not stated")."""
        return bool((self.gaps["role"] != NO_ROLE).any())

    @property
    def occupations_stated(self) -> bool:
        """Whether any recruitment row names an occupation (the labour-market data may name none)."""
        return bool((self.recruitment["occupation"].astype("string").fillna("") != "").any())

    def sheets(self) -> dict[str, pd.DataFrame]:
        """The profile as workbook sheets (About, Roles x skills, Gaps, Recruitment)."""
        about = pd.DataFrame(
            {
                "item": ["company", "region", "sector", "employees", "requirements already met"],
                "value": [self.name, region_name(self.region), self.sector, str(self.employees), f"{100 * self.compliance:.0f} %"],
            }
        )
        return {"About": about, "Roles x skills": self.matrix.reset_index(), "Gaps": self.gaps, "Recruitment": self.recruitment}


def company_profile(dataset: Dataset, company_id: str) -> CompanyProfile:
    """The profile of ``company_id`` from the stored region.

    Raises
    ------
    NotFoundError
        For a company that is not stored.
    """
    companies = dataset.flat("companies")
    found = companies[companies["company_id"] == company_id]
    if found.empty:
        msg = f"no company {company_id!r} in the database"
        raise NotFoundError(msg)
    company = found.iloc[0]
    labels = dict(zip(dataset.flat("skills")["skill_id"], dataset.flat("skills")["label"], strict=True))
    demand = dataset.flat("demand")
    demand = demand[demand["company_id"] == company_id].reset_index(drop=True)
    demand = demand.assign(
        skill_label=demand["skill"].map(labels).fillna(demand["skill"]).astype("string"),
        role_shown=demand["role"].astype("string").fillna("").replace("", NO_ROLE),
        gap_units=rules.gap_units(demand["headcount"], demand["required_level"], demand["current_level"]),
    )
    people = int(demand["headcount"].sum())
    met = int(demand.loc[demand["current_level"] >= demand["required_level"], "headcount"].sum())
    cells = demand.assign(
        cell=demand["current_level"].astype(str) + " → " + demand["required_level"].astype(str) + " (" + demand["headcount"].astype(str) + ")"
    )
    matrix = cells.pivot_table(index="role_shown", columns="skill_label", values="cell", aggfunc=" / ".join).fillna("")
    matrix.index.name, matrix.columns.name = "role", None

    gaps = demand[rules.is_gap(demand["required_level"], demand["current_level"], demand["headcount"])].copy()
    courses = dataset.flat("courses").rename(columns={"region": "course_region"})
    taught = dataset.flat("course_skills").merge(courses, on="course_id")
    pairs = (
        gaps.reset_index(names="gap")[["gap", "skill", "current_level", "required_level"]]
        .assign(region=company["region"])
        .merge(taught, on="skill")
    )
    fit = rules.course_fit(pairs) if len(pairs) else rules.CourseFit(*(np.zeros(0, dtype=bool),) * 3)
    reason = rules.course_reason(pairs["gap"].to_numpy(), fit, gaps.index)
    serving = pairs[fit.serves]
    cheapest = serving.sort_values(["gap", "cost_per_participant", "course_id"]).drop_duplicates("gap").set_index("gap")
    gap_table = pd.DataFrame(
        {
            "skill": gaps["skill_label"],
            "role": gaps["role_shown"],
            "people": gaps["headcount"].astype(int),
            "current_level": gaps["current_level"].astype(int),
            "required_level": gaps["required_level"].astype(int),
            "needed_by": gaps["needed_by"].astype(int),
            "priority": gaps["priority"],
            "gap_units": gaps["gap_units"].astype(int),
            "course": cheapest["title"].reindex(gaps.index),
            # beside the course it replaces, so that a gap with no course says why where the course would be
            "why_no_course": reason.map(NO_COURSE_REASONS).fillna(""),
            "provider": cheapest["provider"].reindex(gaps.index),
            "mode": cheapest["mode"].reindex(gaps.index),
            "hours": cheapest["hours"].reindex(gaps.index),
            "cost_per_participant": cheapest["cost_per_participant"].reindex(gaps.index),
        }
    ).sort_values(["needed_by", "skill", "role"], ignore_index=True)

    supply = dataset.flat("supply")
    regional = supply[(supply["region"] == company["region"]) & supply["skill"].isin(set(gaps["skill"]))]
    recruitment = pd.DataFrame(
        {
            "skill": regional["skill"].map(labels).fillna(regional["skill"]),
            "occupation": regional["occupation"],
            "hires_available_per_year": regional["hires_available_per_year"].astype(int),
            "cost_per_hire": regional["cost_per_hire"],
            "lead_time_months": regional["lead_time_months"].astype(int),
            "market_balance": regional["balance"] if "balance" in regional.columns else pd.NA,
            "hire_closes_gaps_up_to_level": rules.HIRE_LEVEL,
        }
    ).sort_values(["skill", "occupation"], ignore_index=True)
    return CompanyProfile(
        company_id=company_id,
        name=str(company["name"]),
        region=str(company["region"]),
        sector=str(company["sector"]),
        employees=int(company["employees"]) if pd.notna(company["employees"]) else 0,
        compliance=met / people if people else 1.0,
        matrix=matrix,
        gaps=gap_table,
        recruitment=recruitment,
    )

"""A school's course planning: expected participants, the plan's runs, curriculum gaps and competing courses, protected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from skills.disclosure import BAND, IS_TOTAL, SUPPRESSED, Rules, display, protect, publishable
from skills.regions import region_names

#: Columns of :attr:`CoursePlanning.runs`.
RUN_COLUMNS: Final = ("year", "course", "mode", "region", "runs", "seats", "participants", "participants_per_run", "companies", "band")
#: Columns of :attr:`CoursePlanning.competitors`.
COMPETITOR_COLUMNS: Final = (
    "your_course", "skill", "provider", "course", "levels", "mode", "region", "hours", "cost_per_participant",
)


@dataclass
class CoursePlanning:
    """What one provider plans its courses by; every figure from companies' answers is disclosure-controlled.

    Attributes
    ----------
    provider
        The course provider.
    expected
        Participants per course and year if every coverable gap went to its cheapest course.
    runs
        The runs a stored plan opens for the provider's courses, with cohort sizes (:data:`RUN_COLUMNS`).
    curriculum
        Skills and levels in demand that no course reaches, with the sectors asking.
    competitors
        Other providers' courses teaching the same skills at overlapping levels to the same companies
        (:data:`COMPETITOR_COLUMNS`): catalogue facts, no demand figures.
    plan
        The stored run the runs come from (``scenario (run N)``), or None when no plan is stored.
    """

    provider: str
    expected: pd.DataFrame
    runs: pd.DataFrame
    curriculum: pd.DataFrame
    competitors: pd.DataFrame
    plan: str | None = None
    notes: list[str] = field(default_factory=list)

    def sheets(self) -> dict[str, pd.DataFrame]:
        """The workbook's sheets: what it is, then one sheet per table."""
        about = pd.DataFrame(
            [("provider", self.provider), ("plan", self.plan or "none stored"), *(("note", note) for note in self.notes)],
            columns=["item", "value"],
        )
        return {
            "About": about,
            "Expected participants": self.expected,
            "Plan runs": self.runs,
            "Curriculum gaps": self.curriculum,
            "Competing courses": self.competitors,
        }


def _same_area(left: pd.Series, right: pd.Series) -> pd.Series:
    """Whether two NUTS codes are one area (one code a prefix of the other)."""
    a, b = left.astype("string").fillna(""), right.astype("string").fillna("")
    return pd.Series(
        [bool(x) and bool(y) and (x.startswith(y) or y.startswith(x)) for x, y in zip(a, b, strict=True)],
        index=left.index,
        dtype=bool,
    )


def competing_courses(
    courses: pd.DataFrame, course_skills: pd.DataFrame, skill_labels: pd.Series, provider: str
) -> pd.DataFrame:
    """Other providers' courses that compete with ``provider``'s for the same learners.

    Two courses compete when they teach the same skill over overlapping level ranges
    (``entry_level``–``level``) and can reach the same companies: either is online, or
    their regions are one area. One row per own course, skill and competing course, by
    course titles and skill labels (``skill_labels``: skill_id -> label), never ids.

    Examples
    --------
    >>> courses = pd.DataFrame({"course_id": ["A", "B", "C"], "title": ["PLC 1", "PLC basics", "PLC far"],
    ...     "provider": ["Us", "Them", "Far"], "region": ["DK041", "DK04", "DK011"], "mode": ["in-person"] * 3,
    ...     "hours": [10.0, 12.0, 8.0], "cost_per_participant": [100.0, 90.0, 80.0]})
    >>> taught = pd.DataFrame({"course_id": ["A", "B", "C"], "skill": ["plc"] * 3, "level": [2, 3, 2], "entry_level": [0, 1, 0]})
    >>> competing_courses(courses, taught, pd.Series({"plc": "PLC programming"}), "Us")[["your_course", "provider", "course"]].to_dict("records")
    [{'your_course': 'PLC 1', 'provider': 'Them', 'course': 'PLC basics'}]
    """
    catalogue = course_skills.merge(courses, on="course_id", how="inner")
    own = catalogue[catalogue["provider"].astype("string") == provider]
    others = catalogue[catalogue["provider"].astype("string") != provider]
    pairs = own.merge(others, on="skill", suffixes=("_own", ""))
    overlap = (pairs["entry_level"] < pairs["level_own"]) & (pairs["entry_level_own"] < pairs["level"])
    reachable = (
        pairs["mode_own"].astype("string").eq("online")
        | pairs["mode"].astype("string").eq("online")
        | _same_area(pairs["region_own"], pairs["region"])
    )
    chosen = pairs[(overlap & reachable).to_numpy(dtype=bool)]
    result = pd.DataFrame(
        {
            "your_course": chosen["title_own"].astype("string"),
            "skill": chosen["skill"].map(skill_labels).fillna(chosen["skill"]).astype("string"),
            "provider": chosen["provider"].astype("string"),
            "course": chosen["title"].astype("string"),
            "levels": chosen["entry_level"].astype(str) + " → " + chosen["level"].astype(str),
            "mode": chosen["mode"].astype("string"),
            "region": region_names(chosen["region"].astype("object")).astype("string"),
            "hours": chosen["hours"].astype("Float64"),
            "cost_per_participant": chosen["cost_per_participant"].astype("Float64"),
        }
    )
    result = result.sort_values(["your_course", "skill", "cost_per_participant", "course"], kind="stable")
    return result.drop_duplicates().reset_index(drop=True)[list(COMPETITOR_COLUMNS)]


def plan_runs(
    runs: pd.DataFrame, participants: pd.DataFrame, courses: pd.DataFrame, provider: str, rules: Rules
) -> pd.DataFrame:
    """The runs a plan opens for ``provider``'s courses, with their cohorts' sizes disclosure-controlled.

    ``runs`` and ``participants`` are one stored plan's tables. The number of runs and their
    seats are the plan's decision and shown as they are; participants per course and year
    are companies' figures and go through the disclosure rules (:func:`skills.disclosure.protect`,
    company by company), so a cohort of too few companies shows only a band. Participants per
    run are whole people (the protected participants shared over the runs, rounded).
    """
    own_runs = runs[runs["provider"].astype("string") == provider]
    if own_runs.empty:
        return pd.DataFrame({column: pd.Series(dtype="object") for column in RUN_COLUMNS})
    own_courses = set(own_runs["course_id"].astype(str))
    attending = participants[participants["course_id"].astype(str).isin(own_courses) & (participants["participants"] > 0)]
    contributions = pd.DataFrame(
        {
            "company_id": attending["company_id"].astype("string"),
            "course_id": attending["course_id"].astype("string"),
            "year": attending["year"].astype("Int64"),
            "participants": attending["participants"].astype("Int64"),
        }
    )
    protected = publishable(protect(contributions, ["course_id", "year"], ["participants"], rules), ["participants"])
    cells = protected[~protected[IS_TOTAL].to_numpy(dtype=bool)].rename(columns={"contributors": "companies"})
    cells = cells.assign(course_id=cells["course_id"].astype(str), year=cells["year"].astype("int64"))
    opened = (
        own_runs.assign(course_id=own_runs["course_id"].astype(str), year=own_runs["year"].astype("int64"))
        .groupby(["course_id", "year"], as_index=False)[["runs", "seats"]]
        .sum()
    )
    table = opened.merge(cells, on=["course_id", "year"], how="left")
    hidden = table[SUPPRESSED].fillna(True).to_numpy(dtype=bool)
    # a perturbed cohort can exceed the seats the plan opens; the seats are public, so the bound reveals nothing
    participants_shown = table["participants"].astype("Float64").clip(upper=table["seats"].astype("Float64")).mask(hidden)
    per_run = np.rint(participants_shown.astype("float64") / table["runs"].astype("float64").where(table["runs"] > 0))
    catalogue = courses.set_index(courses["course_id"].astype(str))
    result = pd.DataFrame(
        {
            "year": table["year"].astype("Int64"),
            "course": table["course_id"].map(catalogue["title"]).astype("string"),
            "mode": table["course_id"].map(catalogue["mode"]).astype("string"),
            "region": region_names(table["course_id"].map(catalogue["region"]).astype("object")).astype("string"),
            "runs": table["runs"].astype("Int64"),
            "seats": table["seats"].astype("Int64"),
            "participants": participants_shown.round().astype("Int64"),
            "participants_per_run": pd.array(per_run, dtype="Float64").astype("Int64"),
            "companies": table["companies"].astype("Float64").mask(hidden).astype("Int64"),
            "band": table[BAND].astype("string") if BAND in table.columns else pd.Series(pd.NA, index=table.index, dtype="string"),
            SUPPRESSED: hidden,
        }
    ).sort_values(["year", "course"], kind="stable")
    shown = display(result, ["participants", "participants_per_run", "companies"])
    return one_type_per_column(shown[list(RUN_COLUMNS)].reset_index(drop=True))


def one_type_per_column(frame: pd.DataFrame) -> pd.DataFrame:
    """Each column numbers where it holds only numbers, else text (``:c`` among numbers makes a column text).

    Examples
    --------
    >>> one_type_per_column(pd.DataFrame({"a": [1, 2], "b": [3, ":c"]}).astype(object)).dtypes.astype(str).tolist()
    ['Int64', 'string']
    """
    typed = frame.copy()
    for name in typed.columns:
        try:
            numbers = pd.to_numeric(typed[name])
        except (TypeError, ValueError):
            typed[name] = typed[name].astype("string")
            continue
        typed[name] = numbers.astype("Int64") if pd.api.types.is_integer_dtype(numbers) else numbers
    return typed

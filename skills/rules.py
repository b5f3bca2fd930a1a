"""The domain rules that gaps, the model and the explanations share: gap units, which course serves a gap, hires."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from skills.regions import same_area

#: The level a recruited person brings (0–4 scale): hiring closes gaps up to this required level.
HIRE_LEVEL: Final = 3
#: Course mode that serves every region.
ONLINE: Final = "online"


def level_gap(required_level: pd.Series, current_level: pd.Series) -> pd.Series:
    """Levels missing per person: required minus current, never below 0."""
    return (required_level - current_level).clip(lower=0)


def is_gap(required_level: pd.Series, current_level: pd.Series, headcount: pd.Series) -> np.ndarray:
    """True for a survey answer that is a gap: somebody needs the skill above the level they have."""
    return ((required_level > current_level) & (headcount > 0)).to_numpy(dtype=bool)


def gap_units(headcount: pd.Series, required_level: pd.Series, current_level: pd.Series) -> pd.Series:
    """Gap units of a survey answer: one per person who needs the skill above their level, else 0.

    >>> gap_units(pd.Series([4, 4, 0]), pd.Series([3, 2, 3]), pd.Series([1, 2, 0])).tolist()
    [4, 0, 0]
    """
    return headcount.where(level_gap(required_level, current_level) > 0, 0)


@dataclass(frozen=True)
class CourseFit:
    """For each (gap, course) pair, the three tests a course passes to serve a gap, each including the one before.

    ``reaches``: the course's level is at least the required level;
    ``enters``: it also starts at or below the current level;
    ``serves``: it also is online or runs in the company's area (:func:`skills.regions.same_area`).
    """

    reaches: np.ndarray
    enters: np.ndarray
    serves: np.ndarray


def course_fit(pairs: pd.DataFrame) -> CourseFit:
    """Which course serves which gap, for pairs of a gap and a course teaching its skill.

    Parameters
    ----------
    pairs
        One row per pair, with the gap's ``current_level``, ``required_level`` and company
        ``region``, and the course's ``level``, ``entry_level``, ``mode`` and ``course_region``.

    Examples
    --------
    >>> pairs = pd.DataFrame({"current_level": [1, 1, 1], "required_level": [3, 3, 3], "region": ["DK041"] * 3,
    ...     "level": [3, 3, 2], "entry_level": [1, 1, 0], "mode": ["in_person", "online", "online"],
    ...     "course_region": ["DK042", "DK042", "DK042"]})
    >>> course_fit(pairs).serves.tolist()
    [False, True, False]
    """
    reaches = (pairs["level"] >= pairs["required_level"]).to_numpy(dtype=bool)
    enters = reaches & (pairs["entry_level"] <= pairs["current_level"]).to_numpy(dtype=bool)
    online = (pairs["mode"] == ONLINE).to_numpy(dtype=bool)
    serves = enters & (online | same_area(pairs["region"], pairs["course_region"]))
    return CourseFit(reaches=reaches, enters=enters, serves=serves)


#: Why no course serves a gap, by the first :func:`course_fit` test that no course teaching the skill
#: passes: the one classification readiness, the explanations and the company view use.
NO_COURSE_FOR_SKILL: Final = "no_course_for_skill"
NO_COURSE_REACHES_LEVEL: Final = "no_course_reaches_level"
ENTRY_LEVEL_TOO_HIGH: Final = "entry_level_too_high"
NO_COURSE_IN_REGION: Final = "no_course_in_region"
#: The code of a gap that some course serves.
SERVED: Final = ""


def course_reason(gap_of_pair: np.ndarray, fit: CourseFit, gaps: pd.Index) -> pd.Series:
    """Per gap of ``gaps``: why no course serves it, or :data:`SERVED` (``""``) when one does.

    ``gap_of_pair`` names the gap of each (gap, course) pair that :func:`course_fit` tested,
    ``fit`` is its result; a gap with no pair has no course teaching its skill.

    >>> fit = CourseFit(np.array([True, True]), np.array([False, True]), np.array([False, False]))
    >>> course_reason(np.array(["a", "b"]), fit, pd.Index(["a", "b", "c"])).tolist()
    ['entry_level_too_high', 'no_course_in_region', 'no_course_for_skill']
    """
    # The furthest test any pair of the gap passes: 0 none, 1 reaches, 2 enters, 3 serves.
    stage = np.select([fit.serves, fit.enters, fit.reaches], [3, 2, 1], default=0)
    furthest = pd.Series(stage, dtype="int64").groupby(pd.Series(gap_of_pair)).max()
    codes = np.array([NO_COURSE_REACHES_LEVEL, ENTRY_LEVEL_TOO_HIGH, NO_COURSE_IN_REGION, SERVED], dtype=object)
    found = furthest.reindex(gaps)
    reason = np.full(len(gaps), NO_COURSE_FOR_SKILL, dtype=object)
    taught = found.notna().to_numpy()
    reason[taught] = codes[found[taught].astype("int64").to_numpy()]
    return pd.Series(reason, index=gaps, dtype=object)


def hire_lag_years(lead_time_months: pd.Series) -> pd.Series:
    """Whole years from the year a person is hired to the first year they count: lead time // 12."""
    return lead_time_months // 12


def hire_can_close(required_level: pd.Series) -> np.ndarray:
    """True where a hire, who brings :data:`HIRE_LEVEL`, closes a gap of this required level."""
    return (required_level <= HIRE_LEVEL).to_numpy(dtype=bool)


#: Why a gap stays unmet in a plan, in the order the first applicable one is called the main reason:
#: the English texts the explanations use and the app's catalogue translates.
UNMET_REASONS: Final[dict[str, str]] = {
    "no_course_for_skill": "no course in the catalogue teaches the skill",
    "no_course_reaches_level": "no course teaches the skill up to the required level",
    "entry_level_too_high": "the courses that reach the level start above the staff's current level",
    "no_course_in_region": "suitable courses run only in other regions and not online",
    "cohort_too_small": "too few people need the suitable courses to fill a minimum cohort",
    "budget_exhausted": "the public budget is used up",
    "seats_or_runs_exhausted": "the suitable courses' seats and runs are used up",
    "company_capacity": "the company cannot release more staff for training",
    "company_cost_cap": "the company's cost cap is reached",
    "provider_capacity": "the providers' trainer hours are used up",
    "no_hires_available": "no hire can close it",
    "coverage_target_met": "the coverage target is met; closing more would only add cost",
    "not_worth_its_cost": "closing it would cost more than it is worth at the scenario's gap-unit value",
    "solver_stopped": "the solver stopped within its gap; a better plan may close it",
}

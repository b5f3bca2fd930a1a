"""The shared domain rules (skills.rules) and the plan checker's own copy give the same answers on random regions."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from optimisation import checker
from skills import rules

LEVELS = st.integers(min_value=0, max_value=4)
REGIONS = st.sampled_from(["DK", "DK0", "DK04", "DK041", "DK042", "DK03", "DK032", "SE", "SE22", "NL3", ""])
MODES = st.sampled_from(["in_person", "blended", "online"])


@st.composite
def gap_course_pairs(draw: st.DrawFn) -> pd.DataFrame:
    """Random pairs of a gap and a course teaching its skill (levels, entry levels, areas, modes)."""
    size = draw(st.integers(min_value=1, max_value=40))
    columns = {
        "current_level": st.lists(LEVELS, min_size=size, max_size=size),
        "required_level": st.lists(LEVELS, min_size=size, max_size=size),
        "level": st.lists(LEVELS, min_size=size, max_size=size),
        "entry_level": st.lists(LEVELS, min_size=size, max_size=size),
        "region": st.lists(REGIONS, min_size=size, max_size=size),
        "course_region": st.lists(REGIONS, min_size=size, max_size=size),
        "mode": st.lists(MODES, min_size=size, max_size=size),
    }
    return pd.DataFrame({name: draw(values) for name, values in columns.items()})


@given(gap_course_pairs())
@settings(max_examples=300, deadline=None)
def test_course_serves_gap_the_same_in_checker_and_rules(pairs: pd.DataFrame) -> None:
    fit = rules.course_fit(pairs)
    assert fit.serves.tolist() == checker.course_serves(pairs).tolist()
    # each test includes the one before it
    assert not (fit.serves & ~fit.enters).any() and not (fit.enters & ~fit.reaches).any()


@given(
    st.lists(st.tuples(LEVELS, LEVELS, st.integers(min_value=0, max_value=50)), min_size=1, max_size=40)
)
@settings(max_examples=200, deadline=None)
def test_a_gap_is_the_same_in_checker_and_rules(answers: list[tuple[int, int, int]]) -> None:
    demand = pd.DataFrame(answers, columns=["current_level", "required_level", "headcount"])
    shared = rules.is_gap(demand["required_level"], demand["current_level"], demand["headcount"])
    assert shared.tolist() == checker.is_gap_answer(demand).tolist()
    units = rules.gap_units(demand["headcount"], demand["required_level"], demand["current_level"])
    assert (units > 0).tolist() == shared.tolist()
    assert units[shared].tolist() == demand["headcount"][shared].tolist()


@given(
    st.lists(st.tuples(st.integers(2020, 2040), st.integers(0, 120)), min_size=1, max_size=40),
    st.lists(LEVELS, min_size=1, max_size=40),
)
@settings(max_examples=200, deadline=None)
def test_hires_count_the_same_in_checker_and_rules(hires: list[tuple[int, int]], required: list[int]) -> None:
    frame = pd.DataFrame(hires, columns=["year", "lead_time_months"])
    shared = frame["year"] + rules.hire_lag_years(frame["lead_time_months"])
    assert shared.tolist() == checker.productive_year(frame["year"], frame["lead_time_months"]).tolist()
    levels = pd.Series(required)
    assert rules.hire_can_close(levels).tolist() == (levels <= checker.HIRE_LEVEL).tolist()
    assert rules.HIRE_LEVEL == checker.HIRE_LEVEL


def test_course_reason_names_the_first_test_no_course_passes() -> None:
    from skills.rules import CourseFit, course_reason

    # gap a: one course reaches the level but starts too high; gap b: one course enters but runs
    # elsewhere, another serves it; gap c: no course teaches the skill; gap d: nothing reaches.
    fit = CourseFit(
        reaches=np.array([True, True, True, False]),
        enters=np.array([False, True, True, False]),
        serves=np.array([False, False, True, False]),
    )
    reasons = course_reason(np.array(["a", "b", "b", "d"]), fit, pd.Index(["a", "b", "c", "d"]))
    assert reasons.to_dict() == {
        "a": "entry_level_too_high",
        "b": "",
        "c": "no_course_for_skill",
        "d": "no_course_reaches_level",
    }

"""A company's own picture: roles × skills, compliance, the cheapest course per gap or why none, recruitment."""

from __future__ import annotations

import pandas as pd
import pytest

from skills.company_view import NO_COURSE_REASONS, company_profile
from skills.dataset import Dataset
from skills.errors import NotFoundError
from tests.conftest import tiny_frames


def _region(**changes: pd.DataFrame) -> Dataset:
    return Dataset.from_frames({**tiny_frames(), **changes})


def test_roles_by_skills_and_the_courses_that_close_each_gap() -> None:
    profile = company_profile(_region(), "C1")
    assert profile.name == "Holst Metal ApS"
    assert profile.matrix.loc["7223", "CNC milling"] == "0 → 2 (2)"
    assert profile.matrix.loc["role not stated", "PLC programming"] == "1 → 3 (3)"
    gaps = profile.gaps.set_index("skill")
    assert gaps.loc["PLC programming", "course"] == "PLC – advanced"
    assert gaps.loc["CNC milling", "cost_per_participant"] == 200.0
    assert (gaps["why_no_course"] == "").all()
    recruitment = profile.recruitment
    assert recruitment[["skill", "hires_available_per_year", "cost_per_hire"]].values.tolist() == [["CNC milling", 2, 9000.0]]


def test_compliance_counts_people_who_already_have_the_level() -> None:
    frames = tiny_frames()
    met = pd.DataFrame(
        {"company_id": ["C1"], "skill": ["five_s"], "role": [""], "headcount": [5], "current_level": [2], "required_level": [2],
         "needed_by": [2027], "priority": ["low"]}
    )
    profile = company_profile(_region(demand=pd.concat([frames["demand"], met], ignore_index=True)), "C1")
    assert profile.compliance == pytest.approx(5 / (3 + 2 + 5))
    assert "5S" not in set(profile.gaps["skill"])  # a met requirement is no gap


def test_why_no_course_closes_a_gap() -> None:
    # C2 (DK042) needs PLC programming; the only PLC course runs in person in DK041
    assert company_profile(_region(), "C2").gaps["why_no_course"].tolist() == [NO_COURSE_REASONS["not_in_region"]]
    frames = tiny_frames()
    low = frames["course_skills"].assign(level=[2, 2])  # the PLC course stops at level 2; C1 needs 3
    assert company_profile(_region(course_skills=low), "C1").gaps.set_index("skill").loc["PLC programming", "why_no_course"] == (
        NO_COURSE_REASONS["no_course_reaches_level"]
    )
    high_entry = frames["course_skills"].assign(entry_level=[2, 0])  # C1's staff are at level 1
    reason = company_profile(_region(course_skills=high_entry), "C1").gaps.set_index("skill").loc["PLC programming", "why_no_course"]
    assert reason == NO_COURSE_REASONS["entry_level_too_high"]
    none = frames["course_skills"].iloc[1:]  # nothing teaches PLC programming
    reason = company_profile(_region(course_skills=none), "C1").gaps.set_index("skill").loc["PLC programming", "why_no_course"]
    assert reason == NO_COURSE_REASONS["no_course_for_skill"]


def test_an_unknown_company_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="NOPE"):
        company_profile(_region(), "NOPE")

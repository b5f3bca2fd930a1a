"""A company's own picture: roles × skills, compliance, the cheapest course per gap or why none, recruitment."""

from __future__ import annotations

import pandas as pd
import pytest

from skills import rules
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
    assert profile.roles_stated  # CNC milling's gap names role 7223
    unnamed = tiny_frames()
    unnamed["demand"] = unnamed["demand"].assign(role="")
    assert not company_profile(Dataset.from_frames(unnamed), "C1").roles_stated
    assert profile.occupations_stated  # the CNC milling hires name occupation 7223
    blank = tiny_frames()
    blank["supply"] = blank["supply"].assign(occupation="")
    assert not company_profile(Dataset.from_frames(blank), "C1").occupations_stated
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
    assert company_profile(_region(), "C2").gaps["why_no_course"].tolist() == [NO_COURSE_REASONS[rules.NO_COURSE_IN_REGION]]
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


def test_the_company_view_gives_the_reasons_of_the_one_rule() -> None:
    # every code the rules can give has the company's words, and nothing else does
    assert set(NO_COURSE_REASONS) == {rules.NO_COURSE_FOR_SKILL, rules.NO_COURSE_REACHES_LEVEL, rules.ENTRY_LEVEL_TOO_HIGH,
                                      rules.NO_COURSE_IN_REGION}
    frames = tiny_frames()
    for course_skills in (frames["course_skills"], frames["course_skills"].assign(level=[2, 2]),
                          frames["course_skills"].assign(entry_level=[2, 0]), frames["course_skills"].iloc[1:]):
        dataset = _region(course_skills=course_skills)
        for company in dataset.flat("companies")["company_id"]:
            profile = company_profile(dataset, company)
            demand = dataset.flat("demand")
            gaps = demand[(demand["company_id"] == company) & rules.is_gap(demand["required_level"], demand["current_level"],
                                                                           demand["headcount"])]
            region = dataset.flat("companies").set_index("company_id").at[company, "region"]
            courses = dataset.flat("courses").rename(columns={"region": "course_region"})
            pairs = gaps.reset_index(names="gap").assign(region=region).merge(
                dataset.flat("course_skills").merge(courses, on="course_id"), on="skill")
            expected = rules.course_reason(pairs["gap"].to_numpy(), rules.course_fit(pairs), gaps.index).map(NO_COURSE_REASONS)
            assert profile.gaps["why_no_course"].tolist() == expected.fillna("").tolist(), (company, course_skills)


def test_an_unknown_company_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="NOPE"):
        company_profile(_region(), "NOPE")


# ---- a company user imports its own survey (the service decides, whatever page asks) ---------------------

SURVEY_HEADER = "company_id,company_name,region,sector,employees,skill,headcount,current_level,required_level,needed_by,priority\n"
OWN_ROW = "C001,Dahl El-teknik ApS,DK042,C27,96,{skill},{people},0,2,2027,high\n"


def _survey(*rows: str) -> bytes:
    return (SURVEY_HEADER + "".join(rows)).encode("utf-8")


@pytest.fixture
def _sample_db(database_url: str) -> None:
    from tests.fixtures.sample_db import copy_sample_to

    copy_sample_to(database_url)


@pytest.mark.usefixtures("_sample_db")
def test_a_company_user_imports_its_own_survey_and_it_replaces_its_answers() -> None:
    from skills import service
    from skills.access import Principal

    own = Principal.parse("company:C001")
    others_before = service.load_dataset().flat("demand").query("company_id != 'C001'")
    outcome = service.import_data(
        "survey", _survey(OWN_ROW.format(skill="erp_use", people=4), OWN_ROW.format(skill="plc_programming", people=2)),
        name="ours.csv", principal=own,
    )
    assert outcome.ok and outcome.stored, outcome.summary["problems"]
    answers = service.survey_answers("C001", principal=own)
    assert sorted(zip(answers["skill"], answers["headcount"], strict=True)) == [("erp_use", 4), ("plc_programming", 2)]
    others = service.load_dataset().flat("demand").query("company_id != 'C001'")
    assert len(others) == len(others_before)  # nobody else's answers changed


@pytest.mark.usefixtures("_sample_db")
def test_a_company_user_importing_another_company_s_row_is_refused_whole_naming_file_sheet_row_and_column() -> None:
    from skills import service
    from skills.access import Principal
    from skills.errors import AccessError

    own = Principal.parse("company:C001")
    version, before = service.data_version(), service.survey_answers("C001", principal=own)
    mixed = _survey(OWN_ROW.format(skill="erp_use", people=4), "C002,Other Firm A/S,DK042,C28,40,erp_use,3,0,2,2027,high\n")
    for dry_run in (True, False):
        outcome = service.import_data("survey", mixed, name="mixed.csv", dry_run=dry_run, principal=own)
        assert not outcome.ok and not outcome.stored
        [problem] = [p for p in outcome.result.report.problems if p.severity == "error"]
        assert (problem.file, problem.row, problem.column, problem.value) == ("mixed.csv", 3, "company_id", "C002")
        assert "not your company C001 (Dahl El-teknik ApS)" in problem.message and "Nothing was stored" in problem.message
    assert service.data_version() == version and service.survey_answers("C001", principal=own).equals(before)
    # a company user imports surveys only; a provider imports nothing
    with pytest.raises(AccessError, match="company role"):
        service.import_data("courses", b"course_id\n", name="c.csv", principal=own)
    with pytest.raises(AccessError, match="importing data"):
        service.import_data("survey", mixed, name="mixed.csv", principal=Principal.parse("provider:Kattegat Tech"))
    # an analyst imports the same file: both companies are stored
    assert service.import_data("survey", mixed, name="mixed.csv", principal=Principal.parse("analyst")).stored

"""The survey edited in place on the My company view: checked as an import, saved after a confirmation, own company only."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from skills import service
from skills.access import Principal
from skills.errors import AccessError, InputError
from tests.fixtures.sample_db import copy_sample_to
from tests.fixtures.signin import signed_in

GAPS_PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "gaps.py")
COMPANY = "C001"


@pytest.fixture(autouse=True)
def _sample(database_url: str) -> None:
    copy_sample_to(database_url)


def company_page(role: str = "company", company_id: str | None = COMPANY) -> AppTest:
    app = signed_in(AppTest.from_file(GAPS_PAGE, default_timeout=90), role, company_id=company_id if role == "company" else None)
    return app.run()


def editor_key(app: AppTest) -> str:
    [editor] = [frame for frame in app.data_editor if str(frame.key).startswith("survey_editor_")]
    return str(editor.key)


def edit(app: AppTest, edited_rows: dict[int, dict[str, object]], added_rows: list[dict[str, object]] | None = None) -> AppTest:
    """Change cells of the survey form as a browser would, then press the check button."""
    app.session_state[editor_key(app)] = {"edited_rows": edited_rows, "added_rows": added_rows or [], "deleted_rows": []}
    return app.button(key="survey_check").click().run()


def gap_units(company: str) -> int:
    table = service.gaps("gaps", by="skill", company=company)
    return int(table.loc[~table["is_total"], "gap_units"].sum())


def test_the_form_shows_the_stored_answers_and_a_save_changes_the_company_gaps() -> None:
    app = company_page()
    assert not app.exception
    stored = service.survey_answers(COMPANY)
    [shown] = [frame.value for frame in app.data_editor if str(frame.key).startswith("survey_editor_")]
    assert shown["skill"].tolist() == stored["skill"].tolist()
    before = gap_units(COMPANY)
    row = int((stored["required_level"] > stored["current_level"]).to_numpy().argmax())
    new_headcount = int(stored.loc[row, "headcount"]) + 10
    added = {"skill": "plc_programming", "headcount": 2, "current_level": 0, "required_level": 2, "needed_by": 2028, "priority": "high"}
    assert "plc_programming" not in set(stored["skill"])

    app = edit(app, {row: {"headcount": new_headcount}}, [added])
    assert not app.exception and not app.error
    assert service.survey_answers(COMPANY).equals(stored)  # checked, not saved yet
    app = app.button(key="survey_confirm").click().run()
    assert not app.exception and not app.error
    assert any("Saved 6 answer(s)" in message.value for message in app.success)

    saved = service.survey_answers(COMPANY)
    assert len(saved) == len(stored) + 1
    assert int(saved.loc[row, "headcount"]) == new_headcount
    assert saved.iloc[:-1].drop(columns="headcount").equals(stored.drop(columns="headcount"))
    assert saved.iloc[-1][list(added)].tolist() == list(added.values())
    assert gap_units(COMPANY) == before + 10 + 2  # a gap unit is one person below the required level
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Gap units"] == f"{before + 12:,}"  # the page shows the new gaps after the save


def test_a_bad_edit_is_refused_naming_row_and_column_and_nothing_is_saved() -> None:
    app = company_page()
    stored = service.survey_answers(COMPANY)
    version = service.data_version()
    app = edit(app, {1: {"required_level": 9}, 2: {"skill": None}})
    assert not app.exception
    assert any("not saved" in message.value for message in app.error)
    [problems] = [frame.value for frame in app.dataframe if "message" in frame.value.columns]
    located = set(zip(problems["row"].astype(int), problems["column"], strict=True))
    assert located == {(2, "required_level"), (3, "skill")}  # the form's rows, counted from 1
    assert not [button for button in app.button if button.key == "survey_confirm"]  # nothing to confirm
    assert service.survey_answers(COMPANY).equals(stored)
    assert service.data_version() == version


def test_nothing_is_replaced_without_the_confirmation() -> None:
    app = company_page()
    stored = service.survey_answers(COMPANY)
    app = edit(app, {0: {"headcount": 99}})
    [warning] = [w.value for w in app.warning if "replaces" in w.value]
    assert "replaces the 5 answer(s) stored for this company with these 5" in warning
    app = app.button(key="survey_cancel").click().run()
    assert not app.exception
    assert not [button for button in app.button if button.key == "survey_confirm"]
    assert service.survey_answers(COMPANY).equals(stored)
    # and the service itself refuses to replace stored answers unless told the user confirmed
    edited = stored.assign(headcount=stored["headcount"] + 1)
    with pytest.raises(InputError, match="confirm the replacement"):
        service.save_survey_answers(COMPANY, edited)
    assert service.survey_answers(COMPANY).equals(stored)


def test_an_analyst_edits_any_company() -> None:
    other = service.company_choices()["company_id"].iloc[-1]
    app = signed_in(AppTest.from_file(GAPS_PAGE, default_timeout=90), "analyst").run()
    app.selectbox(key="gaps_company").set_value(other).run()
    stored = service.survey_answers(other)
    app = edit(app, {0: {"priority": "low" if stored.loc[0, "priority"] != "low" else "high"}})
    app = app.button(key="survey_confirm").click().run()
    assert not app.exception and not app.error
    assert service.survey_answers(other).loc[0, "priority"] != stored.loc[0, "priority"]


# ---- the access rule, in the service ----------------------------------------------------------------


def test_a_company_cannot_read_or_save_another_company_survey() -> None:
    own, other = "C001", "C002"
    answers = service.survey_answers(other)
    company_user = Principal.parse(f"company:{own}")
    with pytest.raises(AccessError, match="your own company"):
        service.survey_answers(other, principal=company_user)
    with pytest.raises(AccessError, match="your own company"):
        service.save_survey_answers(other, answers, replace=True, principal=company_user)
    for role in ("provider:Kattegat Tech", "policymaker"):
        with pytest.raises(AccessError):
            service.save_survey_answers(other, answers, replace=True, principal=Principal.parse(role))
    assert service.survey_answers(other).equals(answers)
    # its own company it may save
    outcome = service.save_survey_answers(own, service.survey_answers(own), replace=True, principal=company_user)
    assert outcome.ok and outcome.stored


def test_the_form_cannot_touch_the_company_record_or_other_companies() -> None:
    companies_before = service.load_dataset().flat("companies")
    demand_before = service.load_dataset().flat("demand")
    answers = service.survey_answers(COMPANY).assign(company_id="C002", name="Hijacked ApS", employees=1)
    outcome = service.save_survey_answers(COMPANY, answers, replace=True)
    assert outcome.ok and outcome.stored
    companies_after = service.load_dataset().flat("companies")
    pd.testing.assert_frame_equal(companies_after, companies_before)
    demand_after = service.load_dataset().flat("demand")
    others = demand_before[demand_before["company_id"] != COMPANY].reset_index(drop=True)
    pd.testing.assert_frame_equal(demand_after[demand_after["company_id"] != COMPANY].reset_index(drop=True), others)


# ---- the company's filled survey template, uploaded on My company ----------------------------------------

OWN_FILE = (
    "company_id,company_name,region,sector,employees,skill,headcount,current_level,required_level,needed_by,priority\n"
    "C001,Dahl El-teknik ApS,DK042,C27,96,erp_use,4,0,2,2027,high\n"
)


def upload_own(app: AppTest, data: bytes, name: str) -> AppTest:
    [uploader] = [widget for widget in app.get("file_uploader") if str(widget.key).startswith("own_survey_file_")]
    uploader.set_value((name, data, "text/csv"))
    return app.run().button(key="own_survey_import").click().run()


def test_a_company_user_uploads_its_filled_survey_and_confirms_the_replacement() -> None:
    app = company_page()
    stored = service.survey_answers(COMPANY)
    version = service.data_version()
    assert [button for button in app.get("download_button") if button.key == "own_survey_template"]
    # the upload names the company by its name, not its id
    [upload_caption] = [c.value for c in app.caption if "skill need of your company" in c.value]
    assert "your company (Dahl El-teknik ApS)" in upload_caption and COMPANY not in upload_caption
    # a row of another company: refused whole, the row and column named, nothing stored
    app = upload_own(app, (OWN_FILE + "C002,Lund Møbler ApS,DK042,C31,44,erp_use,2,0,2,2027,high\n").encode(), "mixed.csv")
    assert not app.exception
    assert any("mixed.csv was not imported" in message.value for message in app.error)
    [problems] = [frame.value for frame in app.dataframe if "message" in frame.value.columns]
    assert problems[["row", "column", "value"]].astype(str).values.tolist() == [["3", "company_id", "C002"]]
    assert service.data_version() == version
    # its own rows only: the page asks before the stored answers are replaced, then imports
    app = upload_own(app, OWN_FILE.encode(), "ours.csv")
    [warning] = [w.value for w in app.warning if "passed the check" in w.value]
    assert f"replaces the {len(stored)} answer(s) stored for your company with its 1 row(s)" in warning
    assert service.data_version() == version
    app = app.button(key="own_survey_confirm").click().run()
    assert not app.exception and not app.error
    assert any("ours.csv imported: 1 row(s)" in message.value for message in app.success)
    answers = service.survey_answers(COMPANY)
    assert answers[["skill", "headcount"]].values.tolist() == [["erp_use", 4]]
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Gap units"] == "4"  # a gap unit is one person below the level: the page shows the new answers

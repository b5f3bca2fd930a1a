"""Mapping review's bulk accept above a chance, and the Data page's confirmation before an import replaces stored rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from skills import service
from skills.access import Principal
from skills.errors import AccessError
from tests.fixtures.builders import csv_bytes
from tests.fixtures.sample_db import copy_sample_to
from tests.fixtures.signin import signed_in

PAGES = Path(__file__).resolve().parents[1] / "pages"
SURVEY_HEADER = [
    "company_name", "region", "sector", "employees",
    "skill", "headcount", "current_level", "required_level", "needed_by", "priority",
]
#: Phrases the matcher is unsure of, with suggestions of chances from about 6 % to 83 %.
PHRASES = [
    "truckcertifikat B", "gaffeltruck kursus", "cnc fræsning og drejning", "3d print af reservedele",
    "vedligehold af hydraulik", "data analyse i excel", "sikkerhed ved maskiner",
]


@pytest.fixture(autouse=True)
def _sample(database_url: str) -> None:
    copy_sample_to(database_url)


def queue_phrases() -> None:
    rows = [["Fjord Plast ApS", "DK041", "C22", 25, phrase, 1, 0, 2, 2028, "low"] for phrase in PHRASES]
    outcome = service.import_data("survey", csv_bytes([SURVEY_HEADER, *rows]), name="fjord.csv")
    assert outcome.stored and outcome.summary["pending"] >= 5


def test_bulk_accept_takes_exactly_the_suggestions_at_or_above_the_chance() -> None:
    queue_phrases()
    queue = service.review_queue()
    scores = sorted(queue["score"].astype(float))
    chance = int(scores[-3])  # the three likeliest suggestions are at or above it
    above = queue[queue["score"].astype(float) >= chance]
    below = queue[queue["score"].astype(float) < chance]
    assert len(above) == 3 and len(below) >= 2

    app = signed_in(AppTest.from_file(str(PAGES / "review.py"), default_timeout=60)).run()
    app.slider(key="bulk_chance").set_value(chance).run()
    assert any(caption.value.startswith("3 phrase(s) have a suggestion") for caption in app.caption)
    app.button(key="bulk_accept").click().run()
    assert not app.exception
    assert any("these 3 phrase(s)" in warning.value for warning in app.warning)
    assert len(service.review_queue()) == len(queue)  # shown, not yet accepted
    app.button(key="bulk_confirm_yes").click().run()
    assert not app.exception and not app.error
    assert any("Accepted 3 suggestion(s)" in message.value for message in app.success)

    left = service.review_queue()
    assert sorted(left["queue_id"]) == sorted(below["queue_id"])
    resolved = service.review_queue(status=None).set_index("queue_id").loc[above["queue_id"]]
    assert (resolved["status"] != "pending").all()
    assert resolved["chosen_skill"].tolist() == above["suggestion"].tolist()
    fjord = service.survey_answers("fjord_plast_aps")
    assert set(above["suggestion"]) <= set(fjord["skill"])  # each accepted row now counts under its skill


def test_bulk_accept_is_for_reviewers_only() -> None:
    queue_phrases()
    with pytest.raises(AccessError):
        service.accept_suggestions_at_least(0, principal=Principal.parse("policymaker"))
    assert len(service.review_queue()) == len(PHRASES)


def survey_of_stored_company(headcount: int) -> bytes:
    company = service.load_dataset().flat("companies").iloc[0]
    header = ["company_id", *SURVEY_HEADER]
    row = [company["company_id"], company["name"], company["region"], company["sector"], int(company["employees"]),
           "plc_programming", headcount, 0, 2, 2028, "high"]
    return csv_bytes([header, row])


def data_page() -> AppTest:
    return signed_in(AppTest.from_file(str(PAGES / "data.py"), default_timeout=60)).run()


def upload(app: AppTest, data: bytes, name: str = "again.csv") -> AppTest:
    app.get("file_uploader")[0].set_value((name, data, "text/csv"))
    return app.run()


def test_an_import_replacing_stored_answers_waits_for_a_confirmation() -> None:
    company_id = service.load_dataset().flat("companies")["company_id"].iloc[0]
    stored = len(service.survey_answers(company_id))
    version = service.data_version()
    app = data_page()
    assert any(f"data version {version}" in caption.value for caption in app.caption)  # the versions in use
    app = upload(app, survey_of_stored_company(3))
    app.button[1].click().run()  # Import
    assert not app.exception
    [warning] = [w.value for w in app.warning if "replaces" in w.value]
    assert f"replaces {stored + 1} stored row(s)" in warning  # the company's answers and its record
    assert f"survey answers: {stored}" in warning
    assert service.data_version() == version and len(service.survey_answers(company_id)) == stored

    app.button(key="import_confirm").click().run()
    assert not app.exception
    assert any("imported" in message.value for message in app.success)
    answers = service.survey_answers(company_id)
    assert answers["skill"].tolist() == ["plc_programming"] and answers["headcount"].tolist() == [3]
    assert any(f"data version {service.data_version()}" in caption.value for caption in app.caption)


def test_a_cancelled_import_stores_nothing_and_a_new_company_needs_no_confirmation() -> None:
    company_id = service.load_dataset().flat("companies")["company_id"].iloc[0]
    before = service.survey_answers(company_id)
    app = upload(data_page(), survey_of_stored_company(4))
    app.button[1].click().run()
    app.button(key="import_cancel").click().run()
    assert not app.exception
    assert not [w for w in app.warning if "replaces" in w.value]
    assert service.survey_answers(company_id).equals(before)

    new_company = csv_bytes([SURVEY_HEADER, ["Ny Fabrik ApS", "DK041", "C25", 12, "plc_programming", 2, 0, 2, 2028, "high"]])
    app = upload(app, new_company, "new.csv")
    app.button[1].click().run()
    assert not app.exception
    assert not [w for w in app.warning if "replaces" in w.value]
    assert len(service.survey_answers("ny_fabrik_aps")) == 1

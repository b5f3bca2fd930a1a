"""Real data: the UK LSIP employer survey with the sample catalogue says what cannot be planned and why."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from skills import service
from skills.access import Principal, acting_as
from skills.cli import main

REPO = Path(__file__).resolve().parents[1]
LSIP = REPO.parent / "shared" / "reference" / "lsip-wnycc" / "employer_survey_responses_2023-04.xlsx"
SAMPLE = REPO / "data" / "sample"

pytestmark = pytest.mark.skipif(not LSIP.exists(), reason="shared reference data not present")


@pytest.fixture(scope="module")
def lsip_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, service.ImportOutcome]]:
    """A database with the taxonomy, the sample courses and supply (DK041/DK042) and the LSIP survey (UK)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('lsip') / 'lsip.sqlite'}"
    with pytest.MonkeyPatch.context() as patch, acting_as(Principal.operator()):
        patch.setenv("DATABASE_URL", url)
        service._store_for.cache_clear()
        service.init_database()
        for kind in ("courses", "course_skills", "supply"):
            assert service.import_data(kind, SAMPLE / f"{kind}.csv").stored, kind
        outcome = service.import_data("survey", LSIP)
        assert outcome.stored, outcome.summary["problems"][:5]
        yield url, outcome
    service._store_for.cache_clear()


@pytest.fixture
def lsip(lsip_database: tuple[str, service.ImportOutcome], monkeypatch: pytest.MonkeyPatch) -> service.ImportOutcome:
    url, outcome = lsip_database
    monkeypatch.setenv("DATABASE_URL", url)
    service._store_for.cache_clear()
    return outcome


def test_readiness_says_no_course_serves_the_survey_regions(lsip: service.ImportOutcome) -> None:
    ready = service.plan_readiness()
    assert ready.gap_units > 0 and ready.course_units == 0 and ready.servable_units == 0
    assert ready.course_reasons["region"] > 0
    assert set(ready.regions_out_of_reach) <= {"UKE", "UKE2", "UKE4"} and ready.regions_out_of_reach
    assert set(ready.course_regions) <= {"DK04", "DK041", "DK042"}
    assert ready.headline().startswith("At most 0 % of the gap units can be closed")
    assert "no course serves the companies' regions" in ready.headline()
    # the flags stored with the rows reach the diagnostics without the import's own list
    assert ready.assumed_companies["employees"] == 311
    assert ready.assumed_demand["headcount"] == ready.gap_rows == len(service.load_dataset().demand)
    said = " ".join(ready.sentences())
    assert "employees on 311 companies" in said and "rest on an assumed headcount or level" in said


def test_the_base_plan_headline_says_so_first(lsip: service.ImportOutcome, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info"]) == 0
    info = capsys.readouterr().out
    assert "no course serves the companies' regions" in info and "UKE4" in info
    assert main(["solve", "--set", "time_limit_s=10"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("At most 0 % of the gap units can be closed")
    assert "no course serves the companies' regions" in lines[0]
    assert lines[1].startswith("scenario base:")


def test_other_answers_wait_in_the_review_queue_and_unused_columns_are_reported(lsip: service.ImportOutcome) -> None:
    raw = pd.read_excel(LSIP)
    queue = service.get_store().read_queue("pending")  # with the whole row each item keeps
    assert len(queue) > 10 and set(queue["table_name"]) == {"demand"}
    assert set(queue["source_file"]) == {LSIP.name}
    # every queued phrase comes from an "Other" answer of an employer who said it has a gap, at its sheet row
    answered = raw.index[(raw["Skills Gap"] == "Yes") & raw["Other"].notna()] + 2
    assert set(queue["source_row"].astype(int)) <= set(answered)
    rows = [json.loads(text) for text in queue["row_json"]]
    assert {row["assumed"] for row in rows} == {"headcount|current_level|required_level|needed_by|priority"}
    problems = lsip.summary["problems"]
    unused = [p for p in problems if "not used by the mapping" in p["message"]]
    assert {p["column"] for p in unused} == {
        "Challenge Recruiting",
        "Access Correct Training",
        "Training Format",
        "Identified Changes in Skills",
    }
    assert all(p["file"] == LSIP.name and p["sheet"] for p in unused)
    sent = [p for p in problems if "sent to review" in p["message"]]
    assert len(sent) == len(queue) and all(p["row"] and p["file"] == LSIP.name for p in sent)

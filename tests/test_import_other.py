"""A wide survey through the service: 'Other' answers reach the review queue, unused columns and assumed values are reported and stored."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from skills import service
from skills.dataset import Dataset
from skills.readiness import readiness
from skills.survey import parse_survey_mapping
from tests.conftest import tiny_frames
from tests.test_import_survey import _gap_mapping, _small_export


@pytest.fixture
def stored(database_url: str) -> service.ImportOutcome:
    """The small gated export stored on the tiny region (its taxonomy knows PLC, CNC and 5S)."""
    service._store_for.cache_clear()
    service.get_store().save_dataset(Dataset.from_frames(tiny_frames()))
    outcome = service.import_data(
        "survey", _small_export(), name="small.xlsx", mapping=parse_survey_mapping(_gap_mapping())
    )
    assert outcome.stored, outcome.summary["problems"]
    return outcome


def test_an_other_answer_reaches_the_review_queue(stored: service.ImportOutcome) -> None:
    queue = service.get_store().read_queue("pending")
    (item,) = queue.to_dict("records")
    assert (item["phrase"], item["table_name"], item["source_file"], item["source_row"]) == (
        "robot welding cells",
        "demand",
        "small.xlsx",
        2,
    )
    # the queued row is whole: the respondent's company, the need the phrase stands for, its flags
    row = json.loads(item["row_json"])
    assert (row["company_id"], row["headcount"], row["required_level"]) == ("holst_metal", 1, 2)
    assert row["assumed"] == "headcount|current_level|required_level|needed_by|priority"
    # the other phrase of the same answer ("Other: CNC milling; …") was mapped and stored
    demand = service.load_dataset().flat("demand")
    assert ("holst_metal", "cnc_milling") in set(zip(demand["company_id"], demand["skill"], strict=True))


def test_each_unused_column_is_a_line_naming_file_sheet_and_column(stored: service.ImportOutcome) -> None:
    unused = [p for p in stored.summary["problems"] if "not used by the mapping" in p["message"]]
    assert sorted((p["file"], p["sheet"], p["column"]) for p in unused) == [
        ("small.xlsx", "Svar", "Comment"),
        ("small.xlsx", "Svar", "Timestamp"),
    ]
    # the report file a user downloads holds the same lines
    report = pd.read_csv(io.BytesIO(service.report_file(stored, "csv")), dtype=str)
    lines = report[report["message"].str.contains("not used by the mapping", regex=False)]
    assert sorted(lines["column"]) == ["Comment", "Timestamp"]


def test_only_if_leaves_out_the_respondent_who_says_it_has_no_gap(stored: service.ImportOutcome) -> None:
    dataset = service.load_dataset()
    assert "skov_plast" in dataset.companies.index  # a respondent, stored as a company
    assert "skov_plast" not in set(dataset.flat("demand")["company_id"])  # but no gap rows
    left_out = [p for p in stored.summary["problems"] if "not counted" in p["message"]]
    assert {p["column"] for p in left_out} == {"PLC gap", "Other"}


def test_assumed_values_are_stored_counted_and_exported(stored: service.ImportOutcome) -> None:
    dataset = service.load_dataset()
    assert dataset.companies["assumed"].dropna().to_dict() == {"skov_plast": "sector|employees"}
    ours = dataset.flat("demand").query("company_id == 'holst_metal'")
    assert set(ours["assumed"]) == {"headcount|current_level|required_level|needed_by|priority"}
    assert dataset.flat("demand").query("company_id != 'holst_metal'")["assumed"].isna().all()
    lines = [p for p in stored.summary["problems"] if p["column"] == "assumed"]
    assert {p["table"] for p in lines} == {"companies", "demand"}
    ready = readiness(dataset, [2027, 2028])
    assert ready.assumed_companies == {"employees": 1, "sector": 1}
    assert ready.assumed_demand["headcount"] == 2 and ready.assumed_need_units == 3  # PLC 2 people, CNC 1
    exported = pd.read_csv(io.BytesIO(service.export_table("demand", fmt="csv")), dtype=str)
    assert "assumed" in exported.columns


def test_a_bad_assumed_cell_is_refused_by_row_and_column(database_url: str) -> None:
    service._store_for.cache_clear()
    service.get_store().save_dataset(Dataset.from_frames(tiny_frames()))
    frame = tiny_frames()["demand"].assign(assumed="headcount|salary")
    outcome = service.import_data("demand", frame.to_csv(index=False).encode(), name="demand.csv")
    assert not outcome.stored
    (problem,) = [p for p in outcome.summary["problems"] if p["severity"] == "error"][:1]
    assert (problem["file"], problem["row"], problem["column"]) == ("demand.csv", 2, "assumed")
    assert "headcount, current_level" in problem["message"]

"""Imports through the service: stored whole in one transaction or not at all; review queue; safe exports."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pandas as pd
import pytest

from skills import service
from skills.cli import main
from skills.store import Store
from tests.conftest import tiny_frames
from tests.fixtures.builders import csv_bytes, rewrite_part, xlsx_bytes

SURVEY_HEADER = [
    "company_name", "region", "sector", "employees",
    "skill", "headcount", "current_level", "required_level", "needed_by", "priority",
]


@pytest.fixture
def store(tmp_path) -> Store:  # type: ignore[no-untyped-def]
    """A store holding the tiny region (three skills, two companies, two courses)."""
    store = Store(f"sqlite:///{tmp_path / 'service.sqlite'}")
    store.replace_tables(tiny_frames())
    return store


def _survey(rows: list[list[object]]) -> bytes:
    return csv_bytes([SURVEY_HEADER, *rows])


def test_survey_import_stores_companies_and_demand(store: Store) -> None:
    data = _survey(
        [
            ["Fjord Plast ApS", "DK041", "C22", 25, "PLC programming", 2, 1, 3, 2027, "høj"],
            ["Fjord Plast ApS", "DK041", "C22", 25, "CNC milling", 1, 0, 2, 2028, "lav"],
        ]
    )
    outcome = service.import_data("survey", data, name="fjord.csv", store=store)
    assert outcome.ok and outcome.stored, outcome.summary["problems"]
    assert outcome.summary["rows_read"] == 2 and outcome.summary["rows_accepted"] == 2
    dataset = store.load_dataset()
    assert len(dataset.companies) == 3  # two before + Fjord Plast
    fjord = dataset.companies[dataset.companies["name"] == "Fjord Plast ApS"]
    assert fjord["employees"].tolist() == [25]
    new_demand = dataset.demand[dataset.demand["company_id"] == fjord.index[0]]
    assert sorted(new_demand["skill"]) == ["cnc_milling", "plc_programming"]
    assert sorted(new_demand["priority"]) == ["high", "low"]
    assert len(dataset.demand) == 3 + 2


def test_a_new_survey_answer_replaces_the_companys_earlier_demand(store: Store) -> None:
    first = _survey([["Fjord Plast ApS", "DK041", "C22", 25, "PLC", 2, 1, 3, 2027, "high"]])
    second = _survey([["Fjord Plast ApS", "DK041", "C22", 30, "5S", 4, 0, 2, 2027, "low"]])
    assert service.import_data("survey", first, name="a.csv", store=store).stored
    assert service.import_data("survey", second, name="b.csv", store=store).stored
    dataset = store.load_dataset()
    fjord_id = dataset.companies.index[dataset.companies["name"] == "Fjord Plast ApS"][0]
    assert dataset.demand.loc[dataset.demand["company_id"] == fjord_id, "skill"].tolist() == ["five_s"]
    assert dataset.companies.loc[fjord_id, "employees"] == 30
    assert len(dataset.demand) == 3 + 1  # the other companies' demand is untouched


def test_bad_row_rejects_whole_file_and_changes_nothing(store: Store) -> None:
    before = store.snapshot()
    data = _survey(
        [
            ["Fjord Plast ApS", "DK041", "C22", 25, "PLC", 2, 1, 3, 2027, "high"],
            ["Fjord Plast ApS", "DK041", "C22", 25, "CNC milling", -1, 0, 2, 2028, "low"],
        ]
    )
    outcome = service.import_data("survey", data, name="bad.csv", store=store)
    assert not outcome.ok and not outcome.stored
    [error] = [p for p in outcome.summary["problems"] if p["severity"] == "error"]
    assert (error["file"], error["row"], error["column"], error["value"]) == ("bad.csv", 3, "headcount", "-1")
    assert store.snapshot() == before


def test_demand_for_unknown_company_is_rejected_with_its_row(store: Store) -> None:
    before = store.snapshot()
    header = ["company_id", "skill", "headcount", "current_level", "required_level", "needed_by", "priority"]
    data = csv_bytes([header, ["C1", "PLC", 1, 0, 2, 2027, "high"], ["C77", "PLC", 1, 0, 2, 2027, "high"]])
    outcome = service.import_data("demand", data, name="demand.csv", store=store)
    assert not outcome.stored
    [error] = [p for p in outcome.summary["problems"] if p["severity"] == "error"]
    assert (error["file"], error["row"], error["column"], error["value"]) == ("demand.csv", 3, "company_id", "C77")
    assert error["message"] == "unknown company: not in companies (import companies first)"
    assert store.snapshot() == before


def _zip_bomb() -> bytes:
    valid = xlsx_bytes({"demand": [["company_id", "skill"], ["C1", "PLC"]]})
    buffer = io.BytesIO(rewrite_part(valid, "xl/worksheets/sheet1.xml", lambda xml: xml))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\x00" * (50 * 1024 * 1024))
    return buffer.getvalue()


BROKEN = {
    "truncated.xlsx": lambda: xlsx_bytes({"demand": [["company_id"], ["C1"]]})[:700],
    "bomb.xlsx": _zip_bomb,
    "setup.xlsx": lambda: b"MZ\x90\x00" + b"\x00" * 2000,
    "empty.csv": lambda: b"",
    "headers.csv": lambda: csv_bytes([SURVEY_HEADER]),
    "types.csv": lambda: _survey([["X", "DK041", "C22", "many", "PLC", "two", 1, 3, "soon", "high"]]),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_files_leave_the_database_unchanged(store: Store, name: str) -> None:
    before = store.snapshot()
    outcome = service.import_data("survey", BROKEN[name](), name=name, store=store)
    assert not outcome.ok and not outcome.stored
    errors = [p for p in outcome.summary["problems"] if p["severity"] == "error"]
    assert errors and all(p["file"] == name for p in errors)
    assert store.snapshot() == before


def test_unsure_phrases_wait_for_review_and_are_learned(store: Store) -> None:
    data = _survey(
        [
            ["Fjord Plast ApS", "DK041", "C22", 25, "PLC", 2, 1, 3, 2027, "high"],
            ["Fjord Plast ApS", "DK041", "C22", 25, "robotsvejsning med Yaskawa", 1, 0, 2, 2028, "low"],
        ]
    )
    outcome = service.import_data("survey", data, name="fjord.csv", store=store)
    assert outcome.stored and outcome.summary["pending"] == 1
    queue = service.review_queue(store=store)
    assert queue["phrase"].tolist() == ["robotsvejsning med Yaskawa"]
    assert len(store.load_dataset().demand) == 3 + 1  # the pending row is stored in the queue, not dropped
    assert service.info(store).pending_review == 1
    assert service.unmapped(store) == {"rows": 1, "headcount": 1}  # stated in every gap view

    result = service.resolve_review(int(queue["queue_id"].iloc[0]), "cnc_milling", store=store)
    assert result["skill_id"] == "cnc_milling"
    assert service.review_queue(store=store).empty
    dataset = store.load_dataset()
    assert len(dataset.demand) == 3 + 2
    assert store.read_aliases()["alias"].tolist() == ["robotsvejsning med yaskawa"]

    # the next export with the same phrase maps without review
    again = _survey([["Bakke Metal A/S", "DK042", "C25", 12, "Robotsvejsning med Yaskawa", 1, 0, 2, 2028, "low"]])
    outcome = service.import_data("survey", again, name="bakke.csv", store=store)
    assert outcome.stored and outcome.summary["pending"] == 0


def test_review_can_add_a_new_skill(store: Store) -> None:
    data = _survey([["Fjord Plast ApS", "DK041", "C22", 25, "truckcertifikat", 3, 0, 1, 2027, "low"]])
    service.import_data("survey", data, name="fjord.csv", store=store)
    [queue_id] = service.review_queue(store=store)["queue_id"].tolist()
    service.resolve_review(
        int(queue_id),
        new_skill={"skill_id": "forklift_licence", "label": "Forklift licence", "group": "transversal"},
        store=store,
    )
    dataset = store.load_dataset()
    assert "forklift_licence" in dataset.skills.index
    assert (dataset.demand["skill"] == "forklift_licence").sum() == 1
    assert len(dataset.course_skills) == 2 and len(dataset.supply) == 1  # children of skills survive


def test_dry_run_stores_nothing(store: Store) -> None:
    before = store.snapshot()
    data = _survey([["Fjord Plast ApS", "DK041", "C22", 25, "PLC", 2, 1, 3, 2027, "high"]])
    outcome = service.import_data("survey", data, name="fjord.csv", dry_run=True, store=store)
    assert outcome.ok and not outcome.stored
    assert store.snapshot() == before


def test_export_neutralises_formula_text(store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    frames = tiny_frames()
    frames["companies"].loc[0, "name"] = "=HYPERLINK(\"http://evil\")"
    frames["companies"].loc[1, "name"] = "@SUM(A1)"
    store.replace_tables(frames)
    out = tmp_path / "companies.xlsx"
    service.export_table("companies", fmt="xlsx", out=str(out), store=store)
    sheet = openpyxl.load_workbook(out).active
    names = [sheet.cell(row=r, column=2).value for r in (2, 3)]
    assert names == ["'=HYPERLINK(\"http://evil\")", "'@SUM(A1)"]
    assert sheet.cell(row=2, column=5).value == 40  # numbers stay numbers
    csv_text = service.export_table("companies", fmt="csv", store=store).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "\n=HYPERLINK" not in csv_text
    exported = json.loads(service.export_table("companies", fmt="json", store=store))
    assert exported[0]["name"].startswith("=HYPERLINK")  # JSON keeps the exact text


def test_cli_import_json_and_exit_codes(database_url: str, tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["init"]) == 0
    good = tmp_path / "survey.csv"
    good.write_bytes(_survey([["Fjord Plast ApS", "DK041", "C22", 25, "PLC programming", 2, 1, 3, 2027, "high"]]))
    capsys.readouterr()
    assert main(["import", "survey", str(good), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows_read"] == 1 and report["rows_accepted"] == 1 and report["problems"] == []
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_survey([["Fjord Plast ApS", "DK041", "C22", 25, "PLC programming", 2, 9, 3, 2027, "high"]]))
    assert main(["import", "survey", str(bad), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["rows_accepted"] == 0
    [problem] = report["problems"]
    assert set(problem) >= {"file", "sheet", "row", "column", "value", "message"}
    assert (problem["file"], problem["row"], problem["column"]) == ("bad.csv", 2, "current_level")


def test_cli_template_then_export(database_url: str, tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["init", "--sample"]) == 0
    out = tmp_path / "survey.xlsx"
    assert main(["template", "survey", str(out)]) == 0
    assert "Instructions" in " ".join(openpyxl.load_workbook(out).sheetnames) or len(openpyxl.load_workbook(out).sheetnames) > 1
    capsys.readouterr()
    assert main(["export", "courses", "--format", "csv"]) == 0
    exported = pd.read_csv(io.StringIO(capsys.readouterr().out.lstrip("\ufeff")))
    assert len(exported) >= 150


def test_survey_mapping_is_validated_before_it_is_saved(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import skills.io

    monkeypatch.setattr(skills.io, "SURVEY_MAPPINGS_DIR", tmp_path)
    from skills.settings import DATA_DIR

    example = (DATA_DIR / "survey_mappings" / "example_wide_survey.yaml").read_text(encoding="utf-8")
    with pytest.raises(service.InputError):
        service.save_survey_mapping_text("broken", "respondent_column: [unclosed")
    with pytest.raises(service.InputError):
        service.save_survey_mapping_text("wrong", "this_is_not_a_field: 1\n")
    assert list(tmp_path.iterdir()) == []  # nothing written for invalid mappings
    service.save_survey_mapping_text("copy", example)
    assert service.survey_mappings() == ["copy"]
    assert service.survey_mapping_text("copy") == example
    with pytest.raises(service.InputError, match="mapping name"):
        service.save_survey_mapping_text("../escape", example)


def test_esco_relations_are_kept_as_a_reference_table(store: Store) -> None:
    occupation = "http://data.europa.eu/esco/occupation/99999999-8888-4777-8666-555555555555"
    skill = "http://data.europa.eu/esco/skill/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    text = f"occupationUri,relationType,skillType,skillUri\n{occupation},essential,skill/competence,{skill}\n"
    before = store.counts()
    outcome = service.import_data("esco-relations", text.encode(), name="occupationSkillRelations_en.csv", store=store)
    assert outcome.ok and outcome.stored
    assert store.counts() == before  # data tables untouched
    exported = json.loads(service.export_table("esco_relations", fmt="json", store=store))
    assert exported == [
        {"source_uri": occupation, "relation_type": "essential", "skill_type": "skill/competence", "skill_uri": skill, "skill_id": "esco_0a1b2c3d4e5f"}
    ]
    with pytest.raises(service.InputError, match="unknown or empty table"):
        service.export_table("esco_occupations", store=store)


def test_cli_review_shows_the_likeliest_skills_then_accepts(
    database_url: str, tmp_path, capsys: pytest.CaptureFixture[str]  # type: ignore[no-untyped-def]
) -> None:
    assert main(["init"]) == 0
    survey = tmp_path / "fjord.csv"
    # no name of a skill in it: it waits for review, with suggestions from its words
    phrase = "skifte lejer og remme på transportbåndene"
    survey.write_bytes(_survey([["Fjord Plast ApS", "DK041", "C22", 25, phrase, 1, 0, 2, 2028, "low"]]))
    assert main(["import", "survey", str(survey)]) == 0
    capsys.readouterr()
    assert main(["mapping", "list", "--json"]) == 0
    [item] = json.loads(capsys.readouterr().out)["items"]
    assert item["phrase"] == phrase

    assert main(["mapping", "show", str(item["queue_id"]), "--json"]) == 0
    likely = json.loads(capsys.readouterr().out)["likely_skills"]
    assert 1 <= len(likely) <= 3
    assert likely[0]["skill_id"] == item["suggestion"]  # the queue's suggestion comes first
    scores = [entry["score"] for entry in likely]
    assert scores == sorted(scores, reverse=True) and scores[0] < 88  # unsure, hence the review

    assert main(["mapping", "accept", str(item["queue_id"])]) == 0
    capsys.readouterr()
    assert main(["mapping", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["items"] == []

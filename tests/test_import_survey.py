"""Surveys: long files split into companies and demand, wide exports through a saved YAML mapping."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from skills.errors import InputError
from skills.io import read_table
from skills.survey import (
    company_id_from_name,
    find_mapping_for,
    header_fingerprint,
    load_survey_mapping,
    parse_survey_mapping,
    save_survey_mapping,
)
from tests.fixtures.builders import FIXTURES, SURVEY_HEADER, csv_bytes, tiny_taxonomy, xlsx_bytes

REPO = Path(__file__).resolve().parents[1]
MAPPINGS = REPO / "data" / "survey_mappings"
EXAMPLE = MAPPINGS / "example_wide_survey.yaml"
WIDE_EXPORT = FIXTURES / "wide_survey_export.csv"
LSIP = (
    REPO.parent / "shared" / "reference" / "lsip-wnycc" / "employer_survey_responses_2023-04.xlsx"
)
WIDE_HEADER = [
    "Tidsstempel", "Virksomhedens navn", "Region", "Branche (NACE)", "Antal ansatte",
    "Behov for PLC-programmering", "Behov for CNC-fræsning", "Behov for 5S", "Kommentar",
]  # fmt: skip


def test_wide_export_imports_through_the_saved_mapping() -> None:
    # the mapping is found by the export header's fingerprint, no --mapping needed
    result = read_table("survey", WIDE_EXPORT, taxonomy=tiny_taxonomy(), mapping_folder=MAPPINGS)
    assert result.ok, result.report.problems
    assert (result.report.rows_read, result.report.rows_accepted) == (3, 3)
    companies = result.tables["companies"]
    # every respondent is a company, also Vestjysk Stål that states no need; size bands -> headcount
    assert companies[["company_id", "region", "sector", "employees"]].values.tolist() == [
        ["holst_metal_aps", "DK04", "C25", 30],
        ["skov_plast_a_s", "DK03", "C22", 150],
        ["vestjysk_staal", "DK05", "C24", 5],
    ]
    demand = result.tables["demand"]
    # Holst (30 staff): Stort PLC -> ceil(0.25*30) = 8 at 1->3 high; Noget CNC -> ceil(0.1*30) = 3 at 1->2
    # Skov (150 staff): Noget PLC -> 15; Stort 5S -> ceil(37.5) = 38, and "5S" maps to five_s
    assert demand[
        [
            "company_id",
            "skill",
            "headcount",
            "current_level",
            "required_level",
            "priority",
            "needed_by",
        ]
    ].values.tolist() == [
        ["holst_metal_aps", "plc_programming", 8, 1, 3, "high", 2027],
        ["holst_metal_aps", "cnc_milling", 3, 1, 2, "medium", 2027],
        ["skov_plast_a_s", "plc_programming", 15, 1, 2, "medium", 2027],
        ["skov_plast_a_s", "five_s", 38, 1, 3, "high", 2027],
    ]
    assert any("recognised by the header fingerprint" in p.message for p in result.report.problems)


def test_fingerprint_ignores_order_case_and_blank_columns() -> None:
    assert header_fingerprint(WIDE_HEADER) == header_fingerprint(
        [h.upper() for h in reversed(WIDE_HEADER)] + [None, ""]
    )
    assert header_fingerprint(WIDE_HEADER) != header_fingerprint(
        [*WIDE_HEADER, "Behov for svejsning"]
    )
    found = find_mapping_for(WIDE_HEADER, MAPPINGS)
    assert found is not None and found[0] == EXAMPLE and found[1].name == "example_wide_survey"
    assert find_mapping_for(["a", "b"], MAPPINGS) is None
    assert find_mapping_for(WIDE_HEADER, REPO / "no_such_folder") is None


def test_mapping_saves_and_loads_unchanged(tmp_path: Path) -> None:
    mapping = load_survey_mapping(EXAMPLE)
    saved = save_survey_mapping(mapping, tmp_path / "copy.yaml")
    assert load_survey_mapping(saved) == mapping
    assert find_mapping_for(WIDE_HEADER, tmp_path) is not None


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"answer_sets": {"need_scale": {"Noget": {"share": 0.1}}}}, "required_level"),
        (
            {
                "answer_sets": {
                    "need_scale": {"Noget": {"required_level": 2, "share": 0.1, "headcount": 3}}
                }
            },
            "exactly one of headcount and share",
        ),
        (
            {"answer_sets": {"need_scale": {"Noget": {"required_level": "lots", "share": 0.1}}}},
            "not a level",
        ),
        ({"questions": [{"column": "x", "skill": "y", "answers": "missing_set"}]}, "not defined"),
        ({"needed_by": 1999}, "needed_by"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_invalid_mappings_are_explained(change: dict[str, object], words: str) -> None:
    data = load_survey_mapping(EXAMPLE).model_dump(mode="json")
    data.update(change)
    with pytest.raises(InputError) as raised:
        parse_survey_mapping(data, name="broken.yaml")
    assert any(words in p.message for p in raised.value.problems), [
        p.message for p in raised.value.problems
    ]


def test_unreadable_mapping_file(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.yaml"):
        load_survey_mapping(tmp_path / "bad.yaml")


def wide_rows(*answers: list[object]) -> list[list[object]]:
    return [WIDE_HEADER, *answers]


def test_unknown_answer_is_an_error_naming_the_cell(tmp_path: Path) -> None:
    rows = wide_rows(
        ["t", "Holst Metal ApS", "Midtjylland", "C25", "10-49", "Meget stort", "Intet", "Intet", ""]
    )
    result = read_table(
        "survey",
        xlsx_bytes({"Svar": rows}),
        name="svar.xlsx",
        mapping=EXAMPLE,
        taxonomy=tiny_taxonomy(),
    )
    assert not result.ok and result.tables == {}
    (problem,) = result.report.errors
    assert (problem.row, problem.column, problem.value, problem.sheet) == (
        2,
        "Behov for PLC-programmering",
        "Meget stort",
        "Svar",
    )

    lenient = load_survey_mapping(EXAMPLE).model_copy(update={"unknown_answer": "skip"})
    result = read_table(
        "survey",
        xlsx_bytes({"Svar": rows}),
        name="svar.xlsx",
        mapping=lenient,
        taxonomy=tiny_taxonomy(),
    )
    assert result.ok and len(result.tables["demand"]) == 0 and len(result.tables["companies"]) == 1
    assert [p.row for p in result.report.warnings if p.column == "Behov for PLC-programmering"] == [
        2
    ]


def test_problems_in_expanded_rows_point_at_the_respondent_and_question() -> None:
    # unknown size band: employees blank, so a share-based headcount cannot be computed
    rows = [
        ["Survey export, March"],
        [],
        *wide_rows(
            ["t", "Holst Metal ApS", "Midtjylland", "C25", "500+", "Noget", "Intet", "Intet", ""]
        ),
    ]
    result = read_table(
        "survey",
        xlsx_bytes({"Svar": rows}),
        name="svar.xlsx",
        mapping=EXAMPLE,
        taxonomy=tiny_taxonomy(),
    )
    assert not result.ok
    located = {(p.row, p.column) for p in result.report.errors}
    assert (4, "Behov for PLC-programmering (headcount)") in located  # data row 4: header on row 3
    assert (4, "employees") in located
    assert any(p.severity == "warning" and p.value == "500+" for p in result.report.problems)


def test_export_lacking_a_mapped_column_is_refused() -> None:
    header = [h for h in WIDE_HEADER if h != "Behov for 5S"]
    result = read_table(
        "survey",
        csv_bytes(
            [header, ["t", "Holst", "Midtjylland", "C25", "1-9", "Intet", "Intet", ""]],
            separator=";",
        ),
        name="x.csv",
        mapping=EXAMPLE,
        taxonomy=tiny_taxonomy(),
    )
    assert not result.ok
    assert "Behov for 5S" in {p.column for p in result.report.errors}


def test_wide_export_without_a_mapping_asks_for_one(tmp_path: Path) -> None:
    data = csv_bytes([["Navn", "Spørgsmål 1"], ["Holst", "Ja"]])
    result = read_table(
        "survey", data, name="ukendt.csv", taxonomy=tiny_taxonomy(), mapping_folder=tmp_path
    )
    assert not result.ok
    assert (
        f"fingerprint {header_fingerprint(['Navn', 'Spørgsmål 1'])}"
        in result.report.errors[0].message
    )


def long_row(
    name: str, employees: object, skill: str, region: str = "DK041", company_id: str | None = None
) -> list[object]:
    return [company_id, name, region, "C25", employees, skill, None, 2, 1, 3, 2027, "high"]


def test_long_survey_derives_company_ids_and_reports_conflicts() -> None:
    rows = [
        SURVEY_HEADER,
        long_row("Holst Metal ApS", 40, "PLC"),
        long_row("HOLST  metal aps", 40, "CNC milling"),
        long_row("Holst Metal ApS", 45, "5S"),
        long_row("Skov Plast", 10, "5S", region="DK042", company_id="SKOV-1"),
    ]
    result = read_table("survey", csv_bytes(rows), name="long.csv", taxonomy=tiny_taxonomy())
    assert not result.ok and result.tables == {}
    (conflict,) = result.report.errors
    assert (conflict.row, conflict.column, conflict.value) == (4, "employees", "45")
    assert "row 2" in conflict.message

    rows[3] = long_row("Holst Metal ApS", 40, "5S")
    result = read_table("survey", csv_bytes(rows), name="long.csv", taxonomy=tiny_taxonomy())
    assert result.ok, result.report.problems
    assert result.tables["companies"]["company_id"].tolist() == ["holst_metal_aps", "SKOV-1"]
    assert result.tables["demand"]["company_id"].tolist() == ["holst_metal_aps"] * 3 + ["SKOV-1"]


def test_company_ids_are_stable_and_valid() -> None:
    assert company_id_from_name("Skive Stål & Smed A/S") == "skive_staal_and_smed_a_s"
    assert company_id_from_name("  Skive stål og smed a/s ") == "skive_staal_and_smed_a_s"
    assert company_id_from_name("!!!").startswith("company_")
    assert company_id_from_name("!!!") == company_id_from_name("!!!")


@pytest.mark.skipif(not LSIP.exists(), reason="shared reference data not present")
def test_real_lsip_employer_survey_imports_through_its_mapping() -> None:
    from skills.taxonomy import load_taxonomy

    result = read_table("survey", LSIP, taxonomy=load_taxonomy(), mapping_folder=MAPPINGS)
    assert result.ok, result.report.errors[:5]
    assert (result.report.rows_read, result.report.rows_accepted) == (311, 311)
    assert len(result.tables["companies"]) == 311
    raw = pd.read_excel(LSIP)
    yes = {
        column: int((raw[column] == "Yes").sum())
        for column in ("Technical Skills", "Soft Skills", "Functional Skills")
    }
    counts = result.tables["demand"]["skill"].value_counts().to_dict()
    assert counts == {
        "automation_fundamentals": yes["Technical Skills"],
        "workplace_communication": yes["Soft Skills"],
        "teamwork": yes["Soft Skills"],
        "workplace_literacy": yes["Functional Skills"],
        "workplace_numeracy": yes["Functional Skills"],
        "digital_literacy": yes["Functional Skills"],
    }
    assert set(result.tables["companies"]["region"]) <= {"UKE2", "UKE4", "UKE"}
    # the defaults the export forces are reported, not hidden
    assert any(p.column == "employees" and p.severity == "warning" for p in result.report.problems)

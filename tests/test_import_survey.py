"""Surveys: long files split into companies and demand, wide exports through a saved YAML mapping."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from skills.errors import InputError
from skills.io import ImportResult, read_table
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


def _gap_mapping(**extra: object) -> dict[str, object]:
    """A small mapping: a gate question, one skill question and a free-text "Other" column."""
    gate = {"column": "Skills gap?", "answers": ["Yes"]}
    data: dict[str, object] = {
        "name": "small_gap_survey",
        "needed_by": 2027,
        "company": {
            "name": {"column": "Company"},
            "region": {"column": "Region", "default": "DK041"},
            "sector": {"column": "Sector", "default": "C25"},
            "employees": {"column": "Staff", "default": 10},
        },
        "answer_sets": {
            "yes_no": {
                "Yes": {"headcount": 2, "current_level": 1, "required_level": 3},
                "No": {"skip": True},
            }
        },
        "questions": [
            {"column": "PLC gap", "skill": "plc_programming", "answers": "yes_no", "only_if": gate}
        ],
        "free_text": [
            {
                "column": "Other",
                "need": {"headcount": 1, "current_level": 0, "required_level": 2},
                "split": [";"],
                "only_if": gate,
            }
        ],
        "ignored": {"Comment": "remarks for the council, not a skill"},
    }
    data.update(extra)
    return data


SMALL_HEADER = ["Company", "Region", "Sector", "Staff", "Skills gap?", "PLC gap", "Other", "Comment", "Timestamp"]  # fmt: skip


def _small_export() -> bytes:
    rows = [
        SMALL_HEADER,
        ["Holst Metal", "DK041", "C25", 40, "Yes", "Yes", "Other: CNC milling; robot welding cells", "", "t1"],
        ["Skov Plast", "DK042", None, None, "No", "Yes", "5S", "call us", "t2"],
        ["Vest Stål", "DK041", "C24", 12, "Yes", "No", "n/a", "", "t3"],
    ]  # fmt: skip
    return xlsx_bytes({"Svar": rows})


def _read_small(mapping: dict[str, object]) -> ImportResult:
    return read_table(
        "survey",
        _small_export(),
        name="small.xlsx",
        mapping=parse_survey_mapping(mapping),
        taxonomy=tiny_taxonomy(),
    )


def test_free_text_other_answers_are_mapped_or_sent_to_review() -> None:
    result = _read_small(_gap_mapping())
    assert result.ok, result.report.errors
    demand = result.tables["demand"]
    # "Other: CNC milling" maps through the matcher like any phrase; "n/a" states nothing
    assert demand[["company_id", "skill", "headcount", "current_level"]].values.tolist() == [
        ["holst_metal", "plc_programming", 2, 1],
        ["holst_metal", "cnc_milling", 1, 0],
    ]
    # the phrase the matcher is unsure about waits in the review queue, at its row and file
    (queued,) = result.pending.to_dict("records")
    assert (queued["phrase"], queued["source_row"], queued["source_file"]) == (
        "robot welding cells",
        2,
        "small.xlsx",
    )
    assert any(
        p.row == 2 and p.column == "skill" and "sent to review" in p.message
        for p in result.report.warnings
    )


def test_unused_columns_are_listed_in_the_report() -> None:
    result = _read_small(_gap_mapping())
    unused = {p.column: p for p in result.report.problems if "not used by the mapping" in p.message}
    assert set(unused) == {"Comment", "Timestamp"}
    # listed under ignored: info with the mapping's reason; not listed: a warning counting the answers
    assert (
        unused["Comment"].severity == "info"
        and "remarks for the council" in unused["Comment"].message
    )
    assert (
        unused["Timestamp"].severity == "warning" and "3 answer(s)" in unused["Timestamp"].message
    )
    assert {(p.file, p.sheet) for p in unused.values()} == {("small.xlsx", "Svar")}


def test_only_if_counts_a_question_only_for_respondents_with_a_gap() -> None:
    result = _read_small(_gap_mapping())
    assert result.ok, result.report.errors
    # Skov Plast answered "No" to the gate: neither its PLC "Yes" nor its "5S" counts, but it is a company
    assert "skov_plast" not in set(result.tables["demand"]["company_id"])
    assert "skov_plast" in set(result.tables["companies"]["company_id"])
    left_out = [p for p in result.report.problems if "not counted" in p.message]
    assert {(p.column, p.severity) for p in left_out} == {("PLC gap", "info"), ("Other", "info")}
    assert all("rows 3" in p.message and "'Skills gap?'" in p.message for p in left_out)

    without = _gap_mapping()
    without["questions"] = [
        {k: v for k, v in q.items() if k != "only_if"} for q in without["questions"]
    ]  # type: ignore[attr-defined]
    result = _read_small(without)
    assert ("skov_plast", "plc_programming") in set(
        zip(result.tables["demand"]["company_id"], result.tables["demand"]["skill"], strict=True)
    )


def test_assumed_company_values_are_flagged_and_counted() -> None:
    result = _read_small(_gap_mapping())
    assert result.assumed.to_dict("records") == [
        {"company_id": "skov_plast", "column": "sector", "value": "C25", "source_row": 3},
        {"company_id": "skov_plast", "column": "employees", "value": "10", "source_row": 3},
    ]
    (summary,) = [
        p
        for p in result.report.problems
        if p.message.startswith("assumed values") and p.table == "companies"
    ]
    assert "employees on 1 company" in summary.message and "sector on 1 company" in summary.message
    assert (summary.file, summary.sheet, summary.column) == ("small.xlsx", "Svar", "assumed")
    # the flags are stored with the rows: the companies' and the demand rows' assumed column
    companies = result.tables["companies"].set_index("company_id")["assumed"]
    assert companies.dropna().to_dict() == {"skov_plast": "sector|employees"}
    assert companies.isna().sum() == 2
    # a yes/no answer and a free-text phrase give no headcount or levels, and the mapping no priority
    # or year in its answer rules: all of them are the mapping's, flagged on every row (also in review)
    every = "headcount|current_level|required_level|needed_by|priority"
    assert set(result.tables["demand"]["assumed"]) == {every}
    assert {json.loads(text)["assumed"] for text in result.pending["row_json"]} == {every}
    (rows,) = [
        p
        for p in result.report.problems
        if p.message.startswith("assumed values") and p.table == "demand"
    ]
    assert "headcount on 3 rows" in rows.message and rows.severity == "info"


def test_a_graded_answer_flags_only_what_the_mapping_filled_in() -> None:
    # two different needs (some / large): the answer says how large, so headcount and levels are
    # the respondent's; a share of staff is assumed where the staff count was; the year is the default
    mapping = _gap_mapping(
        answer_sets={
            "yes_no": {
                "Yes": {"share": 0.5, "current_level": 1, "required_level": 3, "priority": "high"},
                "Some": {"headcount": 1, "current_level": 1, "required_level": 2},
                "No": {"skip": True},
            }
        },
    )
    mapping["questions"] = [
        {k: v for k, v in q.items() if k != "only_if"} for q in mapping["questions"]
    ]  # type: ignore[attr-defined]
    result = _read_small(mapping)
    assert result.ok, result.report.errors
    demand = result.tables["demand"]
    plc = demand[demand["skill"] == "plc_programming"].set_index("company_id")["assumed"]
    assert plc.to_dict() == {"holst_metal": "needed_by", "skov_plast": "headcount|needed_by"}


def test_an_only_if_column_missing_from_the_export_is_refused() -> None:
    header = [h for h in SMALL_HEADER if h != "Skills gap?"]
    result = read_table(
        "survey",
        xlsx_bytes({"Svar": [header, ["Holst", "DK041", "C25", 4, "Yes", "", "", ""]]}),
        name="small.xlsx",
        mapping=parse_survey_mapping(_gap_mapping()),
        taxonomy=tiny_taxonomy(),
    )
    assert not result.ok and "Skills gap?" in {p.column for p in result.report.errors}


@pytest.mark.skipif(not LSIP.exists(), reason="shared reference data not present")
def test_real_lsip_employer_survey_imports_through_its_mapping() -> None:
    from skills.taxonomy import load_taxonomy

    result = read_table("survey", LSIP, taxonomy=load_taxonomy(), mapping_folder=MAPPINGS)
    assert result.ok, result.report.errors[:5]
    assert (result.report.rows_read, result.report.rows_accepted) == (311, 311)
    assert len(result.tables["companies"]) == 311
    raw = pd.read_excel(LSIP)
    has_gap = raw["Skills Gap"] == "Yes"
    yes = {
        column: int(((raw[column] == "Yes") & has_gap).sum())
        for column in ("Technical Skills", "Soft Skills", "Functional Skills")
    }
    demand = result.tables["demand"]
    counts = demand.loc[demand["skill"].isin(load_taxonomy().index), "skill"].value_counts()
    categorical = {
        "automation_fundamentals": yes["Technical Skills"],
        "workplace_communication": yes["Soft Skills"],
        "teamwork": yes["Soft Skills"],
        "workplace_literacy": yes["Functional Skills"],
        "workplace_numeracy": yes["Functional Skills"],
        "digital_literacy": yes["Functional Skills"],
    }
    # only_if: employers answering "No" (or nothing) to "Skills Gap" get no gap rows
    gap_companies = set(raw.loc[has_gap, "LSIPs: LSIPs Name"])
    assert set(demand["company_id"]) <= gap_companies
    assert {skill: counts.get(skill, 0) >= n for skill, n in categorical.items()} == dict.fromkeys(
        categorical, True
    )
    # every free-text "Other" answer of an employer with a gap is a mapped row, in review, or counted once
    other = raw.loc[has_gap, "Other"].dropna().astype(str).str.strip()
    stated = other[~other.str.casefold().isin(["na", "n/a", "not really", "test"])]
    free_rows = len(demand) - sum(categorical.values()) + len(result.pending)
    repeated = [p for p in result.report.problems if "counted once" in p.message]
    assert free_rows + len(repeated) == len(stated)
    assert len(result.pending) > 10
    assert set(result.pending["table_name"]) == {"demand"}
    # columns the mapping does not use are named; the gate's left-out answers are counted
    unused = {p.column for p in result.report.problems if "not used by the mapping" in p.message}
    assert unused == {
        "Challenge Recruiting",
        "Access Correct Training",
        "Training Format",
        "Identified Changes in Skills",
    }
    assert any(p.column == "Other" and "not counted" in p.message for p in result.report.problems)
    assert set(result.tables["companies"]["region"]) <= {"UKE2", "UKE4", "UKE"}
    # the defaults the export forces are reported and flagged, not hidden
    assert any(p.column == "employees" and p.severity == "warning" for p in result.report.problems)
    assumed = result.assumed.groupby("column")["company_id"].nunique().to_dict()
    assert assumed["employees"] == 311 and assumed["sector"] == int(
        raw["Company Sector"].isna().sum()
    )

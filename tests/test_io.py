"""Importers and writers: CSV dialects, Danish numbers and words, Excel layout, safe exports, reports."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skills.cells import neutralise_frame, safe_text
from skills.errors import InputError, Problem, Report
from skills.io import import_summary, read_table
from skills.io_csv import decode_text, sniff_separator
from skills.io_values import header_lookup, normalise_header, parse_numbers
from skills.io_write import report_to_frame, write_report, write_table
from tests.fixtures.builders import (
    DEMAND_HEADER,
    SURVEY_HEADER,
    csv_bytes,
    set_cached_value,
    tiny_taxonomy,
    xlsx_bytes,
)

COURSE_HEADER = [
    "course_id", "title", "provider", "region", "mode", "hours", "cost_per_participant",
    "fixed_cost_per_run", "min_participants", "max_participants", "max_runs_per_year", "language",
]  # fmt: skip


def errors_of(report: Report) -> list[tuple[int | None, str, str]]:
    return [(p.row, p.column, p.message) for p in report.errors]


# ---- CSV dialects --------------------------------------------------------------------------------


def test_cp1252_semicolon_survey_with_thousands_separators_and_danish_words() -> None:
    # A Danish Excel "CSV (semikolonsepareret)": cp1252, ;, two title rows above the header,
    # Danish headers, 1.250 employees (thousands point), level names and priorities in Danish.
    rows = [
        ["Kompetencebehov 2026"],
        ["Udfyldt af HR"],
        [
            "Virksomhed",
            "Region",
            "Branche",
            "Antal ansatte",
            "Kompetence",
            "Antal",
            "Nuværende niveau",
            "Krævet niveau",
            "År",
            "Prioritet",
        ],
        [
            "Holst Metal ApS",
            "DK041",
            "C25",
            "1.250",
            "PLC-programmering",
            "3",
            "grundlæggende",
            "avanceret",
            "2027",
            "Høj",
        ],
        [
            "Holst Metal ApS",
            "DK041",
            "C25",
            "1.250",
            "CNC milling",
            "2",
            "0",
            "2",
            "2028",
            "mellem",
        ],
        ["Skov Plast A/S", "DK042", "C22", "120", "5S", "4", "ingen", "selvstændig", "2027", "lav"],
    ]
    data = csv_bytes(rows, separator=";", encoding="cp1252")
    assert "æ".encode("cp1252") in data  # really cp1252, not UTF-8

    result = read_table("survey", data, name="behov.csv", taxonomy=tiny_taxonomy())

    assert result.ok, result.report.problems
    assert (result.report.rows_read, result.report.rows_accepted) == (3, 3)
    assert result.header_row == 3
    companies = result.tables["companies"]
    assert companies["company_id"].tolist() == ["holst_metal_aps", "skov_plast_a_s"]
    assert companies["employees"].tolist() == [
        1250,
        120,
    ]  # "1.250" is one thousand two hundred and fifty
    demand = result.tables["demand"]
    assert demand["skill"].tolist() == ["plc_programming", "cnc_milling", "five_s"]
    # grundlæggende = 1, avanceret = 3, ingen = 0, selvstændig = 2
    assert demand["current_level"].tolist() == [1, 0, 0]
    assert demand["required_level"].tolist() == [3, 2, 2]
    assert demand["priority"].tolist() == ["high", "medium", "low"]
    assert demand["needed_by"].tolist() == [2027, 2028, 2027]


def test_semicolon_courses_read_decimal_commas_and_danish_modes() -> None:
    rows = [
        COURSE_HEADER,
        [
            "AMU-1",
            "PLC grundkursus",
            "AMU Midt",
            "DK041",
            "fremmøde",
            "37,5",
            "1.250,50",
            "3.200",
            "6",
            "12",
            "2",
            "da",
        ],
        ["AMU-2", "CNC", "AMU Midt", "DK041", "online", "14,8", "0", "800", "4", "10", "1", "da"],
    ]
    result = read_table(
        "courses", csv_bytes(rows, separator=";", encoding="cp1252"), name="kurser.csv"
    )
    assert result.ok, result.report.problems
    courses = result.tables["courses"]
    assert courses["hours"].tolist() == [37.5, 14.8]
    assert courses["cost_per_participant"].tolist() == [1250.5, 0.0]
    assert courses["fixed_cost_per_run"].tolist() == [3200.0, 800.0]
    assert courses["mode"].tolist() == ["in-person", "online"]


def test_utf8_bom_comma_csv_reads_english_thousands() -> None:
    rows = [
        ["company_id", "name", "region", "sector", "employees"],
        ["C1", "Åby Værk", "DK041", "C25", '"1,250"'],
    ]
    data = b"\xef\xbb\xbf" + csv_bytes(rows, separator=",")
    result = read_table("companies", data, name="companies.csv")
    assert result.ok, result.report.problems
    assert result.tables["companies"]["name"].tolist() == ["Åby Værk"]
    assert result.tables["companies"]["employees"].tolist() == [1250]


def test_tab_separated_file_takes_its_decimal_mark_from_the_cells() -> None:
    # tab files come from both conventions: "14,8" can only be a decimal comma, so "3.200" is 3200
    rows = [
        COURSE_HEADER,
        ["K1", "PLC", "AMU", "DK041", "blended", "14,8", "450", "3.200", "6", "12", "2", "da"],
    ]
    result = read_table("courses", csv_bytes(rows, separator="\t"), name="courses.csv")
    assert result.ok, result.report.problems
    assert result.tables["courses"]["hours"].tolist() == [14.8]
    assert result.tables["courses"]["fixed_cost_per_run"].tolist() == [3200.0]


def test_number_that_reads_two_ways_is_reported_not_guessed() -> None:
    # a tab file with no decisive cell: "3.200" may be 3200 or 3.2
    rows = [
        COURSE_HEADER,
        ["K1", "PLC", "AMU", "DK041", "blended", "14", "450", "3.200", "6", "12", "2", "da"],
    ]
    result = read_table("courses", csv_bytes(rows, separator="\t"), name="courses.csv")
    assert not result.ok and result.tables == {}
    assert [(p.row, p.column) for p in result.report.errors] == [(2, "fixed_cost_per_run")]
    assert "ambiguous" in result.report.errors[0].message


def test_point_decimals_in_a_semicolon_file_are_reported_where_they_clash() -> None:
    # the file writes "3,5" elsewhere, so its "2.5" is a slip: reported, not read as 25 or 2.5
    rows = [
        COURSE_HEADER,
        ["K1", "PLC", "AMU", "DK041", "online", "3,5", "450", "800", "6", "12", "2", "da"],
        ["K2", "CNC", "AMU", "DK041", "online", "2.5", "450", "800", "6", "12", "2", "da"],
    ]
    result = read_table("courses", csv_bytes(rows, separator=";"), name="k.csv")
    assert [(p.row, p.column) for p in result.report.errors] == [(3, "hours")]
    assert "comma" in result.report.errors[0].message
    # a ; file whose cells only ever use points: "3.5" reads one way, "1.250" two ways
    rows = [
        COURSE_HEADER,
        ["K1", "PLC", "AMU", "DK041", "online", "3.5", "1.250", "800", "6", "12", "2", "da"],
    ]
    result = read_table("courses", csv_bytes(rows, separator=";"), name="k.csv")
    assert [(p.row, p.column) for p in result.report.errors] == [(2, "cost_per_participant")]
    assert "ambiguous" in result.report.errors[0].message


@pytest.mark.parametrize(
    ("cells", "mark", "values", "bad"),
    [
        (["1.250", "3,5", "1.250.000", "-2"], ",", [1250.0, 3.5, 1250000.0, -2.0], [False] * 4),
        (["1,250", "3.5", "1,250.75", "12"], ".", [1250.0, 3.5, 1250.75, 12.0], [False] * 4),
        (["1 250", "kr. 300", "450 €"], ",", [1250.0, 300.0, 450.0], [False] * 3),
        (["abc", "1.5", ""], ",", [None, None, None], [True, True, False]),
        (["1.250", "0,125", "12"], None, [None, 0.125, 12.0], [True, False, False]),
    ],
)
def test_parse_numbers(
    cells: list[str], mark: str | None, values: list[float | None], bad: list[bool]
) -> None:
    parsed = parse_numbers(pd.Series(cells, dtype=object), mark)
    assert [None if pd.isna(v) else v for v in parsed.values] == values
    assert parsed.errors.notna().tolist() == bad


def test_excel_numbers_pass_and_booleans_do_not() -> None:
    parsed = parse_numbers(pd.Series([3, 2.5, True, None], dtype=object), None)
    assert parsed.values.tolist()[:2] == [3.0, 2.5]
    assert parsed.errors.notna().tolist() == [False, False, True, False]


def test_decode_and_sniff() -> None:
    assert decode_text("æ;ø".encode("cp1252"), "x.csv") == ("æ;ø", "cp1252")
    assert decode_text(b"\xef\xbb\xbfa,b", "x.csv") == ("a,b", "utf-8")
    # title line first, then a ; header with decimal commas in the data
    assert sniff_separator("Survey 2026\na;b;c\n1,5;2;3\n4;5,5;6\n") == ";"
    assert sniff_separator("a,b,c\n1,2,3\n") == ","
    assert sniff_separator("a\tb\n1,5\t2\n") == "\t"


def test_header_names_accept_case_spacing_units_and_danish_synonyms() -> None:
    lookup = header_lookup(["company_id", "name", "region", "sector", "employees"])
    assert lookup[normalise_header(" Company ID ")] == "company_id"
    assert lookup[normalise_header("CVR-nr")] == "company_id"
    assert lookup[normalise_header("Antal ansatte (personer)")] == "employees"
    assert lookup[normalise_header("Branche")] == "sector"
    # "navn" is the company's name here, the skill label in the skills table
    assert header_lookup(["label", "group"])["navn"] == "label"


# ---- Excel layout --------------------------------------------------------------------------------


def demand_row(
    company: str = "C1", skill: str = "plc_programming", headcount: object = 3
) -> list[object]:
    return [company, skill, None, headcount, 1, 3, 2027, "high"]


def test_header_below_title_rows_and_errors_name_the_excel_row() -> None:
    # title on row 1, blank row 2, note on row 3, header on row 4: first data row is 5
    rows: list[list[object]] = [["Demand 2026"], [], ["exported by HR"], DEMAND_HEADER]
    rows += [demand_row("C1"), demand_row("C2", headcount="three"), demand_row("C3")]
    data = xlsx_bytes({"Behov": rows})
    result = read_table("demand", data, name="behov.xlsx", taxonomy=tiny_taxonomy())
    assert result.tables == {} and result.report.rows_accepted == 0
    assert result.report.rows_read == 3
    (problem,) = result.report.errors
    assert (problem.file, problem.sheet, problem.row, problem.column, problem.value) == (
        "behov.xlsx",
        "Behov",
        6,
        "headcount",
        "three",
    )


def test_sheet_is_detected_by_its_header_or_chosen_by_name() -> None:
    notes = [["Read me first"], ["nothing to import here"]]
    demand = [DEMAND_HEADER, demand_row()]
    data = xlsx_bytes({"Notes": notes, "Data": demand})
    detected = read_table("demand", data, name="d.xlsx", taxonomy=tiny_taxonomy())
    assert detected.ok and detected.sheet == "Data"
    missing = read_table("demand", data, name="d.xlsx", sheet="Nope", taxonomy=tiny_taxonomy())
    assert not missing.ok
    assert "'Notes', 'Data'" in missing.report.errors[0].message


def test_header_cell_merged_over_two_rows_is_read() -> None:
    # "company_id" is merged over A1:A2 (as a two-row header), the other headers sit on row 2
    header_top: list[object] = ["company_id", "Skill need", None, None, None, None, None, None]
    header: list[object] = [None, *DEMAND_HEADER[1:]]
    data = xlsx_bytes(
        {"d": [header_top, header, demand_row("C7")]}, merged={"d": ["A1:A2", "B1:H1"]}
    )
    result = read_table("demand", data, name="merged.xlsx", taxonomy=tiny_taxonomy())
    assert result.ok, result.report.problems
    assert result.header_row == 2
    assert result.tables["demand"]["company_id"].tolist() == ["C7"]


def test_formula_without_saved_value_is_reported_and_with_one_is_read() -> None:
    rows = [DEMAND_HEADER, demand_row("C1", headcount="=1+2"), demand_row("C2", headcount=4)]
    data = xlsx_bytes({"d": rows})
    unsaved = read_table("demand", data, name="f.xlsx", taxonomy=tiny_taxonomy())
    assert not unsaved.ok
    assert [(p.row, p.column) for p in unsaved.report.errors if "formula" in p.message] == [
        (2, "headcount")
    ]

    saved = read_table(
        "demand", set_cached_value(data, "D2", "3"), name="f.xlsx", taxonomy=tiny_taxonomy()
    )
    assert saved.ok, saved.report.problems
    assert saved.tables["demand"]["headcount"].tolist() == [3, 4]


def test_missing_and_duplicate_columns_are_reported() -> None:
    no_headcount = [c for c in DEMAND_HEADER if c != "headcount"]
    result = read_table(
        "demand", csv_bytes([no_headcount, ["C1"]]), name="d.csv", taxonomy=tiny_taxonomy()
    )
    assert [(p.column, p.message) for p in result.report.errors] == [
        ("headcount", "required column 'headcount' is missing from the header row")
    ]
    doubled = [*DEMAND_HEADER, "Headcount"]
    result = read_table(
        "demand", csv_bytes([doubled, [*demand_row(), 1]]), name="d.csv", taxonomy=tiny_taxonomy()
    )
    assert "appears twice" in result.report.errors[0].message


def test_no_gap_rows_are_kept_with_a_warning() -> None:
    rows = [DEMAND_HEADER, ["C1", "plc_programming", None, 3, 3, 2, 2027, "low"]]
    result = read_table("demand", csv_bytes(rows), name="d.csv", taxonomy=tiny_taxonomy())
    assert result.ok and result.report.rows_accepted == 1
    assert [p.severity for p in result.report.problems] == ["warning"]
    assert "no gap" in result.report.problems[0].message


def test_unrecognised_skills_go_to_review_and_are_not_dropped() -> None:
    rows = [
        DEMAND_HEADER,
        demand_row("C1", "PLC"),
        demand_row("C2", "Robot welding"),
        demand_row("C3", "CNC fræsning"),
    ]
    result = read_table("demand", csv_bytes(rows), name="d.csv", taxonomy=tiny_taxonomy())
    assert result.ok
    assert result.report.rows_accepted == 3  # two mapped rows plus one pending
    assert result.tables["demand"]["skill"].tolist() == ["plc_programming", "cnc_milling"]
    (pending,) = result.pending.to_dict("records")
    assert (
        pending["phrase"],
        pending["table_name"],
        pending["source_file"],
        pending["source_row"],
    ) == ("Robot welding", "demand", "d.csv", 3)
    row = json.loads(pending["row_json"])
    assert (row["company_id"], row["skill"], row["headcount"], row["required_level"]) == (
        "C2",
        "Robot welding",
        3,
        3,
    )
    assert [p.row for p in result.report.warnings] == [3]


def test_skill_tables_need_a_taxonomy() -> None:
    result = read_table("demand", csv_bytes([DEMAND_HEADER, demand_row()]), name="d.csv")
    assert not result.ok and "taxonomy" in result.report.errors[0].message


def test_unknown_kind_is_an_input_error() -> None:
    with pytest.raises(InputError):
        read_table("budget", b"a,b", name="x.csv")


def test_import_summary_has_the_cli_keys() -> None:
    result = read_table(
        "demand",
        csv_bytes([DEMAND_HEADER, demand_row(headcount="x")]),
        name="d.csv",
        taxonomy=tiny_taxonomy(),
    )
    summary = import_summary(result)
    assert {"rows_read", "rows_accepted", "problems"} <= summary.keys()
    assert summary["problems"][0] | {} == {
        "file": "d.csv", "sheet": "", "row": 2, "column": "headcount", "value": "x",
        "message": "must be a number", "severity": "error", "table": "demand",
    }  # fmt: skip
    json.dumps(summary)  # plain data


# ---- safe exports and reports ---------------------------------------------------------------------


def test_safe_text_neutralises_formula_triggers_only_in_text() -> None:
    assert [safe_text(v) for v in ("=SUM(A1)", "+1", "-x", "@cmd", "\tx", "\rx", "plain", "")] == [
        "'=SUM(A1)", "'+1", "'-x", "'@cmd", "'\tx", "'\rx", "plain", "",
    ]  # fmt: skip
    assert safe_text(-5) == -5 and safe_text(2.5) == 2.5 and safe_text(None) is None


def test_neutralise_frame_keeps_numbers_numbers() -> None:
    frame = pd.DataFrame(
        {
            "name": pd.Series(["=cmd|' /C calc'!A0", "ok"], dtype="string"),
            "n": [-1, 2],
            "obj": ["@x", 3],
        }
    )
    safe = neutralise_frame(frame)
    assert safe["name"].tolist() == ["'=cmd|' /C calc'!A0", "ok"]
    assert safe["n"].tolist() == [-1, 2] and str(safe["n"].dtype) == "int64"
    assert safe["obj"].tolist() == ["'@x", 3]
    assert frame["name"].tolist()[0].startswith("=")  # the input is not changed


def test_write_table_in_three_formats() -> None:
    frame = pd.DataFrame(
        {"skill": ['=HYPERLINK("http://evil")', "plc_programming"], "headcount": [3, -2]}
    )
    as_csv = io.BytesIO()
    write_table(frame, as_csv, "csv")
    text = as_csv.getvalue().decode("utf-8-sig")
    assert text.splitlines()[1].startswith("\"'=HYPERLINK") and text.splitlines()[2].endswith(",-2")

    as_xlsx = io.BytesIO()
    write_table(frame, as_xlsx, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.getvalue()))["data"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("'=")
    assert sheet["B3"].value == -2 and sheet["B3"].data_type == "n"

    as_json = io.BytesIO()
    write_table(frame, as_json, "json")
    assert json.loads(as_json.getvalue())[0] == {
        "skill": '=HYPERLINK("http://evil")',
        "headcount": 3,
    }

    with pytest.raises(InputError):
        write_table(frame, io.BytesIO(), "pdf")


def test_report_as_table_and_downloads() -> None:
    report = Report(
        rows_read=2,
        rows_accepted=0,
        problems=[
            Problem(
                "must be a number",
                table="demand",
                file="d.csv",
                row=3,
                column="headcount",
                value="=1+1",
            )
        ],
    )
    frame = report_to_frame(report)
    assert frame.to_dict("records") == [
        {
            "severity": "error",
            "file": "d.csv",
            "sheet": "",
            "table": "demand",
            "row": 3,
            "column": "headcount",
            "value": "=1+1",
            "message": "must be a number",
        }
    ]
    as_xlsx = io.BytesIO()
    write_report(report, as_xlsx, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.getvalue()))["problems"]
    assert [c.value for c in sheet[1]] == list(frame.columns)
    assert sheet["G2"].value == "'=1+1"  # the offending value is shown, not run
    as_json = io.BytesIO()
    write_report(report, as_json, "json")
    assert json.loads(as_json.getvalue())["rows_read"] == 2
    empty = report_to_frame(Report())
    assert empty.empty and list(empty.columns) == list(frame.columns)


def test_survey_header_constant_matches_the_template_columns() -> None:
    from skills.survey import SURVEY_COLUMNS

    assert tuple(SURVEY_HEADER) == SURVEY_COLUMNS


def test_excel_sep_hint_line_is_honoured() -> None:
    data = b"sep=;\r\n" + csv_bytes(
        [DEMAND_HEADER, ["C1", "plc_programming", "", "3", "1", "3", "2027", "high"]], separator=";"
    )
    result = read_table("demand", data, name="hint.csv", taxonomy=tiny_taxonomy())
    assert result.ok, result.report.problems
    assert result.header_row == 1  # Excel hides the hint line, so the header is row 1


def test_large_workbooks_stream_in_read_only_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    import skills.io_xlsx

    rows = [["Demand"], DEMAND_HEADER, demand_row("C1"), demand_row("C2", headcount="x")]
    data = xlsx_bytes({"d": rows})
    full = read_table("demand", data, name="d.xlsm", taxonomy=tiny_taxonomy())
    monkeypatch.setattr(skills.io_xlsx, "FULL_LOAD_MAX_BYTES", 0)
    streamed = read_table("demand", data, name="d.xlsm", taxonomy=tiny_taxonomy())
    assert (
        [(p.row, p.column) for p in streamed.report.errors]
        == [(p.row, p.column) for p in full.report.errors]
        == [(4, "headcount")]
    )


@settings(max_examples=200, deadline=None)
@given(
    whole=st.integers(min_value=0, max_value=10**9),
    cents=st.integers(min_value=0, max_value=99),
    negative=st.booleans(),
)
def test_grouped_numbers_read_back_in_both_styles(whole: int, cents: int, negative: bool) -> None:
    value = (-1 if negative else 1) * (whole + cents / 100)
    english = f"{value:,.2f}"  # 1,234,567.89
    danish = english.replace(",", "_").replace(".", ",").replace("_", ".")  # 1.234.567,89
    assert parse_numbers(pd.Series([english], dtype=object), ".").values[0] == pytest.approx(value)
    assert parse_numbers(pd.Series([danish], dtype=object), ",").values[0] == pytest.approx(value)


def test_the_project_taxonomy_and_sample_files_import_cleanly() -> None:
    from skills.settings import DATA_DIR
    from skills.taxonomy import load_taxonomy

    taxonomy = read_table("skills", DATA_DIR / "taxonomy" / "skills.csv")
    assert taxonomy.ok and taxonomy.report.rows_accepted == len(load_taxonomy())
    for kind in ("companies", "courses", "course_skills", "demand", "supply"):
        path = DATA_DIR / "sample" / f"{kind}.csv"
        if path.exists():
            result = read_table(kind, path, taxonomy=load_taxonomy())
            assert result.ok and len(result.pending) == 0, (kind, result.report.errors[:3])


def test_a_danish_skills_sheet_keeps_both_descriptions() -> None:
    csv = (
        "skill_id;Navn;Dansk navn;Gruppe;Beskrivelse;Dansk beskrivelse\n"
        "plc_programming;PLC programming;PLC-programmering;automation_robotics;Writes PLC programs;Skriver PLC-programmer\n"
    ).encode("cp1252")
    result = read_table("skills", csv, name="taksonomi.csv")
    assert result.ok, result.report.errors
    row = result.tables["skills"].iloc[0]
    assert (row["description"], row["description_da"]) == ("Writes PLC programs", "Skriver PLC-programmer")

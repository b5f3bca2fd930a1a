"""Excel templates: built from the schemas, with working dropdowns, and a filled one imports without loss."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.workbook.defined_name import DefinedName

from skills import i18n
from skills.errors import InputError
from skills.io import read_table
from skills.io_values import TEMPLATE_VERSION, TEMPLATE_VERSION_NAME
from skills.schemas import describe
from skills.survey import SURVEY_COLUMNS
from skills.templates import (
    INLINE_LIST_LIMIT,
    NACE_CHOICES,
    NACE_NAMES,
    REGION_EXAMPLE,
    make_template,
    write_template,
)
from tests.conftest import tiny_frames
from tests.fixtures.builders import tiny_taxonomy


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def validations(sheet: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, object]:
    """Column header -> its data validation."""
    headers = {cell.column_letter: cell.value for cell in sheet[1]}
    found = {}
    for validation in sheet.data_validations.dataValidation:
        letter = str(validation.sqref).split(":")[0].rstrip("0123456789")
        found[headers[letter]] = validation
    return found


def fill(data: bytes, rows: dict[str, list[list[object]]]) -> bytes:
    workbook = load(data)
    for sheet_name, sheet_rows in rows.items():
        for row in sheet_rows:
            workbook[sheet_name].append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_survey_template_layout() -> None:
    workbook = load(make_template("survey", tiny_taxonomy()))
    assert workbook.sheetnames == ["Instructions", "survey", "lists"]
    assert workbook["lists"].sheet_state == "hidden"
    assert [cell.value for cell in workbook["survey"][1]] == list(SURVEY_COLUMNS)
    assert workbook["Instructions"]["B2"].value == TEMPLATE_VERSION
    assert workbook.defined_names[TEMPLATE_VERSION_NAME].attr_text == f'"{TEMPLATE_VERSION}"'
    # the instructions list every column with its description from the schema
    described = {
        row[1].value: row[8].value
        for row in workbook["Instructions"].iter_rows(min_row=6)
        if row[0].value == "survey"
    }
    demand = describe("demand").set_index("column")
    assert described["headcount"] == demand.loc["headcount", "description"]
    assert set(described) == set(SURVEY_COLUMNS)


@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
def test_dropdowns_show_arrows_errors_and_messages(language: str) -> None:
    workbook = load(make_template("survey", tiny_taxonomy(), language))
    checks = validations(workbook["survey"])
    assert set(checks) >= {
        "skill",
        "sector",
        "priority",
        "current_level",
        "required_level",
        "headcount",
        "needed_by",
        "employees",
    }
    for name, validation in checks.items():
        assert validation.showErrorMessage is True, name
        assert validation.showInputMessage is True, name
        assert not validation.showDropDown, name  # True would hide the arrow
        assert validation.prompt, name
        assert validation.error, name
        assert len(validation.prompt) <= 255 and len(validation.errorTitle) <= 32, name
    # long lists live on the hidden sheet, short ones inline under Excel's 255-character cap
    assert checks["skill"].formula1 == "vetplan_skills"
    assert checks["sector"].formula1 == "vetplan_sectors"
    assert checks["priority"].formula1 == ('"høj,mellem,lav"' if language == "da" else '"high,medium,low"')
    assert checks["current_level"].formula1 == '"0,1,2,3,4"'
    assert all(len(v.formula1) <= INLINE_LIST_LIMIT for v in checks.values())
    assert (
        checks["needed_by"].type,
        checks["needed_by"].formula1,
        checks["needed_by"].formula2,
    ) == ("whole", "2000", "2100")
    assert workbook.defined_names["vetplan_skills"].attr_text == "'lists'!$A$2:$A$4"
    skills_listed = [cell.value for cell in workbook["lists"]["A"][1:] if cell.value is not None]
    if language == "da":  # the Danish labels, which the importer matches as well as the English ones
        assert skills_listed == ["5S", "CNC-fræsning", "PLC-programmering"]
        assert checks["headcount"].prompt.startswith("Medarbejdere, der har brug for kompetencen.")
        assert checks["current_level"].prompt.endswith("Niveauer: 0 ingen, 1 grundlæggende, 2 selvstændig, 3 avanceret, 4 ekspert.")
    else:
        assert skills_listed == ["5S", "CNC milling", "PLC programming"]
    # the sectors' names stand beside their codes on the lists sheet
    names = {row[1].value: row[2].value for row in workbook["lists"].iter_rows(min_row=2) if row[1].value}
    assert names["C25"] == NACE_NAMES["C25"][1 if language == "da" else 0]


def test_unknown_template_kind() -> None:
    with pytest.raises(InputError):
        make_template("budget", tiny_taxonomy())
    with pytest.raises(InputError, match="no template language 'de'"):
        make_template("survey", tiny_taxonomy(), "de")


def _instruction_rows(workbook: openpyxl.Workbook, sheet_name: str) -> list[list[object]]:
    return [[cell.value for cell in row] for row in workbook[sheet_name].iter_rows()]


def test_instructions_in_english_and_in_danish() -> None:
    english = load(make_template("survey", tiny_taxonomy(), "en"))
    danish = load(make_template("survey", tiny_taxonomy(), "da"))
    assert danish.sheetnames == ["Vejledning", "survey", "lists"]
    guide = danish["Vejledning"]
    assert guide["A1"].value == "vetplan-skabelon til indlæsning: spørgeskema"
    assert (guide["A2"].value, guide["B2"].value) == ("Skabelonens version", TEMPLATE_VERSION)
    assert guide["A3"].value == "Sådan udfylder du den" and "decimalkomma" in guide["B3"].value
    assert [cell.value for cell in guide[5]] == [
        "ark", "kolonne", "påkrævet", "type", "enhed", "interval", "tilladt", "eksempel", "beskrivelse",
    ]
    english_rows = {row[1]: row for row in _instruction_rows(english, "Instructions")[5:] if row[0] == "survey"}
    danish_rows = {row[1]: row for row in _instruction_rows(danish, "Vejledning")[5:] if row[0] == "survey"}
    assert set(english_rows) == set(danish_rows) == set(SURVEY_COLUMNS)  # the same columns, by their real names
    assert danish_rows["headcount"][4] == "personer" and danish_rows["headcount"][8] == "Medarbejdere, der har brug for kompetencen."
    assert danish_rows["priority"][6] == "høj, mellem, lav" and english_rows["priority"][6] == "high, medium, low"
    assert danish_rows["company_id"][2] == "nej" and english_rows["company_id"][2] == "no"
    danish_catalogue = i18n.messages("da")
    for column, row in english_rows.items():  # every English description has its Danish one beside it
        assert danish_rows[column][8] == danish_catalogue[row[8]], column
    # the levels in both languages, with the descriptor in the sheet's language
    levels = {row[0]: row for row in _instruction_rows(danish, "Vejledning") if isinstance(row[0], int)}
    assert levels[2][1:3] == ["selvstændig / independent", "Udfører rutineopgaver med kompetencen uden hjælp."]


@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
def test_sectors_are_listed_with_their_names_and_the_region_example_is_a_sample_region(language: str) -> None:
    workbook = load(make_template("survey", tiny_taxonomy(), language))
    rows = _instruction_rows(workbook, workbook.sheetnames[0])
    heading = "Brancher (NACE rev. 2)" if language == "da" else "Sectors (NACE Rev. 2)"
    start = next(number for number, row in enumerate(rows) if row[0] == heading)
    sectors = {row[0]: row[1] for row in rows[start + 1 : start + 1 + len(NACE_CHOICES)]}
    assert list(sectors) == list(NACE_CHOICES)
    assert all(sectors[f"C{division}"] == NACE_NAMES[f"C{division}"][language == "da"] for division in range(10, 34))
    assert sectors["C25"] == (
        "Fremstilling af metalprodukter, undtagen maskiner og udstyr" if language == "da"
        else "Manufacture of fabricated metal products, except machinery and equipment"
    )
    region = next(row for row in rows if row[:2] == ["survey", "region"])
    assert region[7] == REGION_EXAMPLE
    sample_regions = set(pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "sample" / "companies.csv")["region"])
    assert REGION_EXAMPLE in sample_regions


def test_filled_danish_survey_template_imports_like_the_english_one() -> None:
    rows = [
        [None, "Holst Metal ApS", "DK041", "C25", 40, "PLC-programmering", None, 3, 1, 3, 2027, "høj"],
        [None, "Holst Metal ApS", "DK041", "C25", 40, "CNC-fræsning", "7223", 2, 0, 2, 2028, "mellem"],
        ["C2", "Skov Plast A/S", "DK042", "C22", 120, "5S", None, 5, 1, 2, 2027, "lav"],
    ]
    danish = read_table(
        "survey", fill(make_template("survey", tiny_taxonomy(), "da"), {"survey": rows}), name="udfyldt.xlsx",
        taxonomy=tiny_taxonomy(),
    )
    assert danish.ok, danish.report.problems
    assert danish.report.problems == []
    assert danish.tables["demand"]["skill"].tolist() == ["plc_programming", "cnc_milling", "five_s"]
    assert danish.tables["demand"]["priority"].tolist() == ["high", "medium", "low"]


def test_a_danish_courses_template_offers_danish_modes_the_importer_reads() -> None:
    workbook = load(make_template("courses", tiny_taxonomy(), "da"))
    assert validations(workbook["courses"])["mode"].formula1 == '"fremmøde,online,kombineret"'
    supply = load(make_template("supply", tiny_taxonomy(), "da"))
    assert validations(supply["supply"])["balance"].formula1 == '"mangel,i balance,overskud"'


def test_filled_survey_template_imports_without_loss() -> None:
    rows = [
        [
            None,
            "Holst Metal ApS",
            "DK041",
            "C25",
            40,
            "PLC programming",
            None,
            3,
            1,
            3,
            2027,
            "high",
        ],
        [
            None,
            "Holst Metal ApS",
            "DK041",
            "C25",
            40,
            "CNC milling",
            "7223",
            2,
            0,
            2,
            2028,
            "medium",
        ],
        ["C2", "Skov Plast A/S", "DK042", "C22", 120, "5S", None, 5, 1, 2, 2027, "low"],
    ]
    result = read_table(
        "survey",
        fill(make_template("survey", tiny_taxonomy()), {"survey": rows}),
        name="filled.xlsx",
        taxonomy=tiny_taxonomy(),
    )
    assert result.ok, result.report.problems
    assert result.report.problems == []  # current version: no warning
    expected_companies = pd.DataFrame(
        {
            "company_id": ["holst_metal_aps", "C2"],
            "name": ["Holst Metal ApS", "Skov Plast A/S"],
            "region": ["DK041", "DK042"],
            "sector": ["C25", "C22"],
            "employees": [40, 120],
            "assumed": [None, None],  # a filled template states every value: nothing assumed
        }
    ).astype(
        {
            "company_id": "string",
            "name": "string",
            "region": "string",
            "sector": "string",
            "employees": "Int64",
            "assumed": "string",
        }
    )
    pd.testing.assert_frame_equal(result.tables["companies"], expected_companies)
    expected_demand = pd.DataFrame(
        {"company_id": ["holst_metal_aps", "holst_metal_aps", "C2"], "skill": ["plc_programming", "cnc_milling", "five_s"],
         "role": [None, "7223", None], "headcount": [3, 2, 5], "current_level": [1, 0, 1], "required_level": [3, 2, 2],
         "needed_by": [2027, 2028, 2027], "priority": ["high", "medium", "low"], "assumed": [None, None, None]}
    ).astype({"company_id": "string", "skill": "string", "role": "string", "headcount": "Int64", "current_level": "Int64",
              "required_level": "Int64", "needed_by": "Int64", "priority": "string", "assumed": "string"})  # fmt: skip
    pd.testing.assert_frame_equal(result.tables["demand"], expected_demand)


def test_filled_courses_template_imports_courses_and_their_skills() -> None:
    frames = tiny_frames()
    courses = frames["courses"]
    links = frames["course_skills"]
    filled = fill(
        make_template("courses", tiny_taxonomy()),
        {
            "courses": courses.values.tolist(),
            "course_skills": [["K1", "PLC programming", 3, 1], ["K2", "CNC milling", 2, 0]],
        },
    )
    result = read_table("courses", filled, name="courses.xlsx", taxonomy=tiny_taxonomy())
    assert result.ok, result.report.problems
    assert result.report.rows_accepted == 4
    expected = courses.astype(
        {
            c: str(t)
            for c, t in zip(
                courses.columns,
                ["string"] * 5 + ["Float64"] * 3 + ["Int64"] * 3 + ["string"],
                strict=True,
            )
        }
    )
    pd.testing.assert_frame_equal(result.tables["courses"], expected)
    assert (
        result.tables["course_skills"].astype(object).values.tolist()
        == links.astype(object).values.tolist()
    )


def test_course_skills_pointing_at_unknown_courses_are_rejected() -> None:
    frames = tiny_frames()
    filled = fill(
        make_template("courses", tiny_taxonomy()),
        {
            "courses": frames["courses"].values.tolist(),
            "course_skills": [["K9", "PLC programming", 3, 1]],
        },
    )
    result = read_table("courses", filled, name="courses.xlsx", taxonomy=tiny_taxonomy())
    assert not result.ok and result.tables == {}
    assert result.report.errors[0].message == "unknown course: not in courses"


def test_filled_supply_template_imports_without_loss(tmp_path: Path) -> None:
    path = write_template("supply", tmp_path / "supply.xlsx", tiny_taxonomy())
    supply = tiny_frames()["supply"]
    filled = fill(path.read_bytes(), {"supply": supply.values.tolist()})
    result = read_table("supply", filled, name="supply.xlsx", taxonomy=tiny_taxonomy())
    assert result.ok, result.report.problems
    got = result.tables["supply"]
    assert got.astype(object).values.tolist() == supply.astype(object).values.tolist()


def test_old_template_version_is_a_warning() -> None:
    workbook = load(make_template("supply", tiny_taxonomy()))
    workbook.defined_names[TEMPLATE_VERSION_NAME] = DefinedName(
        TEMPLATE_VERSION_NAME, attr_text='"1"'
    )
    workbook["supply"].append(tiny_frames()["supply"].values.tolist()[0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_table("supply", buffer.getvalue(), name="old.xlsx", taxonomy=tiny_taxonomy())
    assert result.ok
    (warning,) = result.report.warnings
    assert "template version 1" in warning.message and warning.value == "1"

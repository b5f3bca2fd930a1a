"""Text hardening: control characters, over-long text, mixed encodings and huge numbers, refused by file, row and column."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skills.dataset import Dataset
from skills.errors import InputError, Problem
from skills.io import TABLE_KINDS, ImportResult, read_table
from skills.schemas import DESCRIPTION_LENGTH, ID_LENGTH, NAME_LENGTH, TABLES, TEXT, validate
from skills.service import import_data
from skills.store import Store
from skills.survey import CompanyField, ValueSource, load_survey_mapping
from tests.conftest import tiny_frames
from tests.fixtures.builders import DEMAND_HEADER, tiny_taxonomy, xlsx_bytes

COMPANY_HEADER = ["company_id", "name", "region", "sector", "employees"]
EXAMPLE_MAPPING = Path(__file__).resolve().parents[1] / "data" / "survey_mappings" / "example_wide_survey.yaml"
WIDE_HEADER = [
    "Tidsstempel", "Virksomhedens navn", "Region", "Branche (NACE)", "Antal ansatte",
    "Behov for PLC-programmering", "Behov for CNC-fræsning", "Behov for 5S", "Kommentar",
]  # fmt: skip


def quoted_csv(rows: Sequence[Sequence[object]], *, separator: str = ",", encoding: str = "utf-8") -> bytes:
    """CSV as Excel writes it: every cell quoted, so line breaks and separators stay inside cells."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=separator, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerows([["" if value is None else str(value) for value in row] for row in rows])
    return buffer.getvalue().encode(encoding)


def read(kind: str, data: bytes, name: str) -> ImportResult:
    return read_table(kind, data, name=name, taxonomy=tiny_taxonomy())


def only_error(result: ImportResult) -> Problem:
    assert result.tables == {} and result.report.rows_accepted == 0
    [problem] = result.report.errors
    return problem


# ---- item 5: control characters ------------------------------------------------------------------


def test_a_control_character_in_a_csv_name_is_refused_with_file_row_column_and_escape() -> None:
    rows: list[Sequence[object]] = [
        COMPANY_HEADER,
        ["C1", "Holst Metal ApS", "DK041", "C25", 40],
        ["C2", "Skov\x07Plast A/S", "DK042", "C22", 120],
    ]
    problem = only_error(read("companies", quoted_csv(rows), "companies.csv"))
    assert (problem.file, problem.row, problem.column) == ("companies.csv", 3, "name")
    assert problem.message == "contains the control character U+0007; remove it"
    assert problem.value == "Skov<U+0007>Plast A/S"


def test_c1_controls_and_line_breaks_in_an_xlsx_are_refused_with_the_sheet() -> None:
    rows: list[Sequence[object]] = [
        COMPANY_HEADER,
        ["C1", "Holst\x85Metal ApS", "DK041", "C25", 40],
        ["C2", "Skov Plast\nA/S", "DK042", "C22", 120],
    ]
    result = read("companies", xlsx_bytes({"Virksomheder": rows}), "companies.xlsx")
    assert result.tables == {}
    found = {(p.sheet, p.row, p.column, p.message) for p in result.report.errors}
    assert found == {
        ("Virksomheder", 2, "name", "contains the control character U+0085; remove it"),
        ("Virksomheder", 3, "name", "contains the control character U+000A (line break); remove it"),
    }


def test_a_control_character_in_a_skill_phrase_is_refused_not_mapped_away() -> None:
    rows: list[Sequence[object]] = [DEMAND_HEADER, ["C1", "PLC\x1fprogramming", None, 3, 1, 3, 2027, "high"]]
    problem = only_error(read("demand", quoted_csv(rows), "demand.csv"))
    assert (problem.row, problem.column) == (2, "skill")
    assert "U+001F" in problem.message


def test_descriptions_keep_line_breaks_and_tabs_but_refuse_other_controls() -> None:
    skills = tiny_frames()["skills"].iloc[:1].assign(description="Reads ladder logic\r\n\tand fixes it")
    typed, _ = validate("skills", skills)
    assert typed.loc[0, "description"] == "Reads ladder logic\n\tand fixes it"  # CR LF kept as LF
    with pytest.raises(InputError) as caught:
        validate("skills", skills.assign(description="Rings a bell\x07"), file="skills.csv")
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("skills.csv", 2, "description")
    assert "U+0007" in problem.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Holst\x00Metal", "control character U+0000 (NUL)"),
        ("Holst\ufffeMetal", "non-character U+FFFE"),
        ("Holst\x7fMetal", "control character U+007F"),
    ],
)
def test_every_write_path_is_protected_not_only_file_imports(text: str, words: str) -> None:
    companies = tiny_frames()["companies"].astype(object)
    companies.loc[1, "name"] = text
    with pytest.raises(InputError) as caught:
        Dataset.from_frames({"companies": companies})
    [problem] = caught.value.problems
    assert (problem.table, problem.row, problem.column) == ("companies", 3, "name")
    assert words in problem.message


def test_a_nul_byte_past_the_binary_check_is_refused_by_row_and_column() -> None:
    filler = [[f"C{index}", "Holst Metal ApS", "DK041", "C25", 40] for index in range(400)]
    rows: list[Sequence[object]] = [COMPANY_HEADER, *filler, ["C999", "Skov\x00Plast", "DK042", "C22", 120]]
    data = quoted_csv(rows)
    assert data.index(b"\x00") > 8192
    problem = only_error(read("companies", data, "long.csv"))
    assert (problem.row, problem.column) == (402, "name") and "U+0000" in problem.message


def _text_columns() -> list[tuple[str, str, bool]]:
    columns = []
    for kind in TABLE_KINDS:
        for name, col in TABLES[kind].schema.columns.items():
            if str(col.dtype).startswith(TEXT):
                columns.append((kind, name, bool((col.metadata or {}).get("multiline"))))
    return columns


TEXT_COLUMNS = _text_columns()
#: C0 and C1 controls, DEL and the two non-characters (NUL is refused as binary data before any row)
forbidden_characters = st.one_of(
    st.characters(categories=["Cc"]).filter(lambda character: character != "\x00"),
    st.sampled_from(["\ufffe", "\uffff"]),
)


def _one_row_file(kind: str, column: str, value: str, file_format: str) -> bytes:
    base = tiny_frames()[kind]
    header = list(dict.fromkeys([*base.columns, column]))
    row = [None if pd.isna(base.iloc[0].get(name)) else base.iloc[0].get(name) for name in header]
    row[header.index(column)] = value
    if file_format == "xlsx":
        return xlsx_bytes({kind: [header, row]})
    return quoted_csv([header, row])


@given(
    target=st.sampled_from(TEXT_COLUMNS),
    character=forbidden_characters,
    file_format=st.sampled_from(["csv", "xlsx"]),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_control_character_in_any_text_column_is_refused_with_row_and_column(
    target: tuple[str, str, bool], character: str, file_format: str
) -> None:
    kind, column, multiline = target
    if multiline and character in "\t\n\r":
        return  # free text may hold line breaks and tabs
    if file_format == "xlsx" and not ("\x7f" <= character <= "\x9f" or character in "\t\n\r"):
        return  # openpyxl cannot write the others (and no xlsx can hold them)
    data = _one_row_file(kind, column, f"ab{character}cd", file_format)
    result = read(kind, data, f"{kind}.{file_format}")  # any exception but InputError fails the test
    assert result.tables == {}
    arrived = "\n" if file_format == "xlsx" and character == "\r" else character  # XML reads CR as LF
    located = {(p.row, p.column) for p in result.report.errors if f"U+{ord(arrived):04X}" in p.message}
    assert located == {(2, column)}, [str(p) for p in result.report.errors]


@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=30))
@settings(max_examples=200, deadline=None)
def test_text_the_schema_accepts_can_always_be_written_to_xlsx(name: str) -> None:
    companies = tiny_frames()["companies"].astype(object)
    companies.loc[0, "name"] = name
    try:
        typed, _ = validate("companies", companies)
    except InputError as error:
        assert all(p.column == "name" and p.row == 2 for p in error.problems)
        return
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for value in typed["name"]:
        sheet.append([value])  # raises IllegalCharacterError for what an xlsx cannot hold
    workbook.save(io.BytesIO())


# ---- item 8: declared lengths, checked before the database -----------------------------------------


def test_a_201_character_company_id_is_refused_before_the_database(store: Store) -> None:
    rows: list[Sequence[object]] = [
        COMPANY_HEADER,
        ["C" * 201, "Holst Metal ApS", "DK041", "C25", 40],
        ["C2", "S" * 201, "DK042", "C22", 120],
    ]
    before = store.snapshot()
    outcome = import_data("companies", quoted_csv(rows), name="long.csv", store=store)
    assert not outcome.stored
    found = {(p["row"], p["column"], p["message"]) for p in outcome.summary["problems"]}
    assert found == {
        (2, "company_id", f"is 201 characters; at most {ID_LENGTH}"),
        (3, "name", f"is 201 characters; at most {NAME_LENGTH}"),
    }
    assert all(len(p["value"]) <= 80 for p in outcome.summary["problems"])  # long values are cut
    assert store.snapshot() == before


def test_text_at_the_declared_lengths_is_stored_whole(store: Store) -> None:
    company_id, name = "C" * ID_LENGTH, "N" * NAME_LENGTH
    rows: list[Sequence[object]] = [COMPANY_HEADER, [company_id, name, "DK041", "C25", 40]]
    outcome = import_data("companies", quoted_csv(rows), name="edge.csv", store=store)
    assert outcome.stored, outcome.summary["problems"]
    stored = store.read_frame("companies")
    assert (stored.loc[0, "company_id"], stored.loc[0, "name"]) == (company_id, name)


def test_a_description_longer_than_declared_is_refused() -> None:
    skills = tiny_frames()["skills"].iloc[:1].assign(description="x" * (DESCRIPTION_LENGTH + 1))
    with pytest.raises(InputError) as caught:
        validate("skills", skills)
    [problem] = caught.value.problems
    assert problem.column == "description"
    assert problem.message == f"is {DESCRIPTION_LENGTH + 1} characters; at most {DESCRIPTION_LENGTH}"


# ---- item 6: a UTF-8 file with some cp1252 rows ------------------------------------------------------

GOOD = "C1,Skive Stål ApS,DK041,C25,3\r\n".encode()
BAD = "C2,Lund Møbler ApS,DK042,C31,4\r\n".encode("cp1252")
HEADER = (",".join(COMPANY_HEADER) + "\r\n").encode()


@pytest.mark.parametrize(
    ("data", "row", "value"),
    [
        (HEADER + GOOD + BAD, 3, "Lund Møbler ApS"),
        (b"sep=,\r\n" + HEADER + GOOD + BAD, 3, "Lund Møbler ApS"),  # Excel's hint line is not a row
        (b"Virksomheder 2026\r\n\r\n" + HEADER + GOOD + BAD, 5, "Lund Møbler ApS"),
        (HEADER + GOOD + '"C2","Lund, Møbler",DK042,C31,4\r\n'.encode("cp1252"), 3, "Lund, Møbler"),
        (HEADER + b'C0,"Holst\nMetal",DK041,C25,3\r\n' + GOOD + BAD, 4, "Lund Møbler ApS"),
        (b"\xef\xbb\xbf" + HEADER + BAD, 2, "Lund Møbler ApS"),  # a UTF-8 BOM is evidence enough
    ],
    ids=["plain", "sep-line", "title-rows", "quoted-separator", "multi-line-cell", "bom"],
)
def test_a_cp1252_row_is_named_by_the_row_and_column_the_user_sees(data: bytes, row: int, value: str) -> None:
    problem = only_error(read("companies", data, "mixed.csv"))
    assert (problem.file, problem.row, problem.column, problem.value) == ("mixed.csv", row, "name", value)
    assert "not UTF-8" in problem.message


names = st.text(alphabet=st.sampled_from(list("abcæøåÆØÅé ,;")), min_size=1, max_size=12).filter(
    lambda name: name.strip() != "" and any(character in "æøåÆØÅé" for character in name)
)


@given(
    rows=st.lists(st.tuples(names, st.booleans()), min_size=2, max_size=10),
    separator=st.sampled_from([",", ";", "\t"]),
    sep_line=st.booleans(),
    titles=st.integers(min_value=0, max_value=2),
)
@settings(max_examples=120, deadline=None)
def test_mixed_encodings_are_reported_on_exactly_the_cp1252_rows(
    rows: list[tuple[str, bool]], separator: str, sep_line: bool, titles: int
) -> None:
    if all(as_cp1252 for _, as_cp1252 in rows) or not any(as_cp1252 for _, as_cp1252 in rows):
        return  # pure files decode whole
    parts = [f"sep={separator}\r\n".encode()] if sep_line else []
    parts += [f"Spørgeskema {index}\r\n".encode() for index in range(titles)]
    parts.append(quoted_csv([COMPANY_HEADER], separator=separator))
    for index, (name, as_cp1252) in enumerate(rows, start=1):
        record = [f"C{index}", name.strip(), "DK041", "C25", 10]
        parts.append(quoted_csv([record], separator=separator, encoding="cp1252" if as_cp1252 else "utf-8"))
    result = read("companies", b"".join(parts), "m.csv")
    assert result.tables == {}
    first_data_row = titles + 2
    expected = [(first_data_row + index, "name") for index, (_, bad) in enumerate(rows) if bad]
    assert sorted((p.row, p.column) for p in result.report.errors) == expected


# ---- item 10: UTF-16 text, and numbers beyond any range -------------------------------------------


def test_a_utf16_csv_with_a_bom_is_read_as_text() -> None:
    text = ",".join(COMPANY_HEADER) + "\r\nC1,Skive Stål ApS,DK041,C25,3\r\n"
    result = read("companies", text.encode("utf-16"), "utf16.csv")
    assert result.ok, [str(p) for p in result.report.problems]
    assert result.tables["companies"]["name"].tolist() == ["Skive Stål ApS"]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_huge_integer_is_reported_as_the_user_typed_it(file_format: str) -> None:
    huge: object = "99999999999999999999" if file_format == "csv" else 99999999999999999999
    rows: list[Sequence[object]] = [COMPANY_HEADER, ["C1", "Holst Metal ApS", "DK041", "C25", huge]]
    data = quoted_csv(rows) if file_format == "csv" else xlsx_bytes({"companies": rows})
    problem = only_error(read("companies", data, f"big.{file_format}"))
    assert (problem.row, problem.column) == (2, "employees")
    assert problem.message == "must be a whole number between 1 and 100000"
    assert "-9223372036854775808" not in problem.value
    if file_format == "csv":
        assert problem.value == "99999999999999999999"


def test_a_huge_year_in_a_demand_row_names_the_range() -> None:
    rows: list[Sequence[object]] = [DEMAND_HEADER, ["C1", "plc_programming", None, 3, 1, 3, "99999999999999999999", "high"]]
    problem = only_error(read("demand", quoted_csv(rows), "demand.csv"))
    assert (problem.row, problem.column, problem.value) == (2, "needed_by", "99999999999999999999")
    assert problem.message == "must be a whole number between 2000 and 2100"


def test_a_wide_survey_with_an_endless_staff_count_is_refused_not_crashed() -> None:
    mapping = load_survey_mapping(EXAMPLE_MAPPING)
    company = mapping.company.model_copy(
        update={"employees": CompanyField(sources=[ValueSource(column="Antal ansatte")])}
    )
    mapping = mapping.model_copy(update={"company": company, "fingerprint": None})
    rows = [WIDE_HEADER, ["t", "Holst Metal ApS", "Midtjylland", "C25", "9" * 400, "Noget", "Intet", "Intet", ""]]
    result = read_table("survey", xlsx_bytes({"Svar": rows}), name="svar.xlsx", mapping=mapping, taxonomy=tiny_taxonomy())
    assert result.tables == {}
    assert (2, "employees") in {(p.row, p.column) for p in result.report.errors}

"""A corpus of broken and hostile files: each gets a clear report naming the file, never a crash."""

from __future__ import annotations

import io
import zipfile
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skills.errors import InputError
from skills.io import ImportResult, read_table
from skills.io_xlsx import read_xlsx_grid
from skills.safety import read_upload
from skills.settings import Settings
from tests.fixtures.builders import (
    DEMAND_HEADER,
    csv_bytes,
    rewrite_part,
    tiny_taxonomy,
    xlsx_bytes,
)

BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


@cache
def valid_xlsx() -> bytes:
    rows = [
        DEMAND_HEADER,
        ["C1", "plc_programming", None, 3, 1, 3, 2027, "high"],
        ["C2", "cnc_milling", "7223", 2, 0, 2, 2028, "low"],
    ]
    return xlsx_bytes({"demand": rows})


def read(data: bytes, name: str, **options: object) -> ImportResult:
    return read_table("demand", data, name=name, taxonomy=tiny_taxonomy(), **options)  # type: ignore[arg-type]


def assert_rejected(result: ImportResult, name: str, words: str = "") -> None:
    """No tables, nothing accepted, and every error names the file; ``words`` appear in a message."""
    assert result.tables == {}
    assert result.report.rows_accepted == 0
    assert result.report.errors, "a broken file must produce at least one error"
    assert all(p.file == name for p in result.report.errors)
    if words:
        assert any(words in p.message for p in result.report.errors), [
            p.message for p in result.report.errors
        ]


def test_valid_xlsx_is_accepted() -> None:
    result = read(valid_xlsx(), "ok.xlsx")
    assert result.ok and result.report.rows_accepted == 2


def test_truncated_xlsx() -> None:
    data = valid_xlsx()
    assert_rejected(
        read(data[: len(data) // 2], "cut.xlsx"), "cut.xlsx", "not a readable Excel workbook"
    )


def test_renamed_exe_is_refused_by_its_magic_bytes() -> None:
    program = b"MZ\x90\x00\x03" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
    assert_rejected(read(program, "survey.xlsx"), "survey.xlsx", "Windows program")
    assert_rejected(read(program, "survey.csv"), "survey.csv", "Windows program")


def test_other_file_types_are_refused() -> None:
    assert_rejected(read(b"a,b\n1,2\n", "data.txt"), "data.txt", "only .xlsx, .xlsm and .csv")
    assert_rejected(
        read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xlsx"),
        "old.xlsx",
        "old binary Office file",
    )
    assert_rejected(read(b"%PDF-1.7 ...", "scan.csv"), "scan.csv", "PDF")
    assert_rejected(read(b"not a zip at all", "fake.xlsx"), "fake.xlsx", "not an Excel workbook")
    assert_rejected(read(valid_xlsx(), "renamed.csv"), "renamed.csv", "zip archive")
    assert_rejected(read(b"", "empty.csv"), "empty.csv", "is empty")
    assert_rejected(read(b"a,b\x00c\n", "nul.csv"), "nul.csv", "NUL")


def test_zip_that_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert_rejected(
        read(buffer.getvalue(), "archive.xlsx"), "archive.xlsx", "not a readable Excel workbook"
    )


def test_upload_over_the_size_cap() -> None:
    small = Settings(max_upload_mb=0.001)  # about 1 KB
    data = csv_bytes(
        [DEMAND_HEADER] + [["C1", "plc_programming", None, 3, 1, 3, 2027, "high"]] * 50
    )
    result = read_table("demand", data, name="big.csv", taxonomy=tiny_taxonomy(), settings=small)
    assert_rejected(result, "big.csv", "the limit is 0.001 MB")


def test_zip_bomb_is_refused_before_inflating() -> None:
    # 50 MB of zeros deflate to about 50 KB: a ratio near 1 000
    bomb = rewrite_part(valid_xlsx(), "xl/worksheets/sheet1.xml", lambda xml: xml)
    buffer = io.BytesIO(bomb)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\x00" * (50 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    assert_rejected(read(data, "bomb.xlsx"), "bomb.xlsx", "zip bomb")


def test_decompression_budget_counts_every_part() -> None:
    # an ordinary workbook is refused when its parts add up to more than the budget
    tight = Settings(max_unzipped_mb=0.001)
    result = read_table(
        "demand", valid_xlsx(), name="plain.xlsx", taxonomy=tiny_taxonomy(), settings=tight
    )
    assert_rejected(result, "plain.xlsx", "would unpack to")


def test_xml_bomb_inside_a_sheet_is_refused() -> None:
    data = rewrite_part(valid_xlsx(), "xl/worksheets/sheet1.xml", lambda _: BILLION_LAUGHS)
    result = read(data, "laughs.xlsx")
    assert_rejected(result, "laughs.xlsx", "unsafe XML (EntitiesForbidden")


def test_wrong_types_are_each_reported_with_row_and_column() -> None:
    rows = [
        DEMAND_HEADER,
        ["C1", "plc_programming", None, "three", 1, 3, 2027, "high"],
        ["C2", "plc_programming", None, 2, 7, 3, "next year", "urgent"],
        ["C 3", "cnc_milling", None, 2.5, 0, 2, 2027, "low"],
    ]
    result = read(xlsx_bytes({"d": rows}), "types.xlsx")
    assert_rejected(result, "types.xlsx")
    found = {(p.row, p.column) for p in result.report.errors}
    assert found == {
        (2, "headcount"),
        (3, "current_level"),
        (3, "needed_by"),
        (3, "priority"),
        (4, "company_id"),
        (4, "headcount"),
    }


def test_empty_sheet() -> None:
    assert_rejected(read(xlsx_bytes({"empty": []}), "empty.xlsx"), "empty.xlsx", "empty")


def test_headers_only() -> None:
    assert_rejected(
        read(xlsx_bytes({"d": [DEMAND_HEADER]}), "header.xlsx"), "header.xlsx", "no data rows"
    )
    assert_rejected(read(csv_bytes([DEMAND_HEADER]), "header.csv"), "header.csv", "no data rows")


def test_unreadable_text_encoding() -> None:
    # 0x81 is undefined in cp1252 and invalid as UTF-8
    assert_rejected(
        read(b"company_id,skill\n\x81\x81,x\n", "odd.csv"),
        "odd.csv",
        "neither UTF-8 nor Windows-1252",
    )


def big_demand_csv(rows: int, bad_row: int | None = None) -> bytes:
    lines = [",".join(DEMAND_HEADER)]
    skills = ("plc_programming", "PLC-programmering", "cnc_milling", "5S")
    for i in range(rows):
        headcount = "lots" if bad_row is not None and i + 2 == bad_row else str(1 + i % 9)
        lines.append(f"C{i % 1000},{skills[i % 4]},role{i},{headcount},1,3,{2026 + i % 4},high")
    return ("\n".join(lines) + "\n").encode()


def test_hundred_thousand_rows_import() -> None:
    result = read(big_demand_csv(100_000), "big.csv")
    assert result.ok, result.report.problems[:5]
    assert result.report.rows_read == result.report.rows_accepted == 100_000
    demand = result.tables["demand"]
    assert len(demand) == 100_000
    # the four spellings map to three skills; 25 000 rows each, "5S" included
    assert demand["skill"].value_counts().to_dict() == {
        "plc_programming": 50_000,
        "cnc_milling": 25_000,
        "five_s": 25_000,
    }


def test_one_bad_row_deep_inside_rejects_the_whole_file_and_is_named() -> None:
    result = read(big_demand_csv(100_000, bad_row=87_654), "big.csv")
    assert_rejected(result, "big.csv")
    assert result.report.rows_read == 100_000
    assert [(p.row, p.column, p.value) for p in result.report.errors] == [
        (87_654, "headcount", "lots")
    ]


# ---- property tests: nothing but InputError, whatever the bytes -------------------------------------


def only_input_errors(data: bytes, name: str) -> None:
    """Lower level: the intake and the workbook reader raise InputError and nothing else."""
    try:
        checked = read_upload(data, name=name, settings=Settings())
        if checked.format == "xlsx":
            read_xlsx_grid(checked, None, lambda grid: True)
    except InputError as error:
        assert name in str(error) or all(p.file == name for p in error.problems)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=4096), extension=st.sampled_from([".csv", ".xlsx", ".xlsm"]))
def test_random_bytes_never_crash(data: bytes, extension: str) -> None:
    name = f"random{extension}"
    result = read(data, name)
    if not result.ok:
        assert_rejected(result, name)
    only_input_errors(data, name)


def test_zip_entry_needing_a_newer_zip_version_is_refused() -> None:
    # found by hypothesis: zipfile raises NotImplementedError("zip file version 6.4")
    data = bytearray(valid_xlsx())
    directory_entry = data.index(b"PK\x01\x02")
    data[directory_entry + 6 : directory_entry + 8] = (64).to_bytes(2, "little")  # version needed to extract
    assert_rejected(read(bytes(data), "version.xlsx"), "version.xlsx", "damaged zip")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cuts=st.lists(
        st.tuples(st.integers(min_value=0), st.binary(min_size=0, max_size=8)),
        min_size=1,
        max_size=4,
    ),
    truncate=st.booleans(),
)
def test_mutated_workbooks_never_crash(cuts: list[tuple[int, bytes]], truncate: bool) -> None:
    data = bytearray(valid_xlsx())
    for position, replacement in cuts:
        at = position % len(data)
        data[at : at + len(replacement)] = replacement
    if truncate:
        data = data[: len(data) * 3 // 4]
    result = read(bytes(data), "mutated.xlsx")
    if not result.ok:
        assert_rejected(result, "mutated.xlsx")
    only_input_errors(bytes(data), "mutated.xlsx")


@settings(max_examples=25, deadline=None)
@given(text=st.text(max_size=300), separator=st.sampled_from([",", ";", "\t"]))
def test_random_text_csv_never_crashes(text: str, separator: str) -> None:
    data = (separator.join(DEMAND_HEADER) + "\n" + text).encode("utf-8")
    result = read(data, "text.csv")
    if not result.ok:
        assert_rejected(result, "text.csv")


@pytest.mark.parametrize(
    "member",
    ["xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"],
)
def test_damaged_parts(member: str) -> None:
    broken = rewrite_part(valid_xlsx(), member, lambda xml: xml[: len(xml) // 2])
    result = read(broken, "damaged.xlsx")
    if not result.ok:
        assert_rejected(result, "damaged.xlsx")


def test_zip_directory_that_understates_sizes_is_refused() -> None:
    # the budget trusts the declared sizes; zipfile never inflates past them (the CRC check fails)
    import struct

    data = bytearray(valid_xlsx())
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) != -1:
        struct.pack_into(
            "<I", data, position + 24, 10
        )  # uncompressed size in the central directory
        position += 4
    assert_rejected(read(bytes(data), "liar.xlsx"), "liar.xlsx", "not a readable Excel workbook")


def test_defusedxml_guards_openpyxl() -> None:
    import openpyxl.xml

    import skills.safety  # noqa: F401  (refuses to import without defusedxml)

    assert openpyxl.xml.DEFUSEDXML is True

"""Tiny xlsx size bombs are refused before reading, and every odd cell gets a plain-words report."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from functools import cache

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter

import skills.io_xlsx
import skills.safety
from skills.errors import Problem
from skills.io import ImportResult, read_table
from skills.io_xlsx import load_workbook, read_sheet
from skills.safety import (
    MAX_RANGE_CELLS,
    MAX_SHEET_CELLS,
    MAX_SHEET_COLUMNS,
    MAX_SHEET_ROWS,
    check_sheet_extents,
    read_upload,
)
from tests.fixtures.builders import DEMAND_HEADER, rewrite_part, tiny_taxonomy, xlsx_bytes

SHEET_PART = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS_TYPE = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)
#: wording that means an exception's own text reached the user
RAW_EXCEPTION_TEXT = (
    "NoneType",
    "object has no attribute",
    "invalid literal",
    "could not read worksheets",
    "list index out of range",
    "There is no item named",
    "Traceback",
    "KeyError",
    "ValueError",
    "IndexError",
    "TypeError",
    "ParseError",
    "MemoryError",
)

Change = Callable[[bytes], bytes]


@cache
def demand_workbook() -> bytes:
    """A valid demand workbook: sheet ``Demand``, header in row 1, two data rows (A1:H3)."""
    rows = [
        DEMAND_HEADER,
        ["C1", "plc_programming", "r1", 3, 1, 3, 2027, "high"],
        ["C2", "cnc_milling", "7223", 2, 0, 2, 2028, "low"],
    ]
    return xlsx_bytes({"Demand": rows})


def replace_once(old: str, new: str) -> Change:
    """A change of the sheet XML that replaces the first ``old`` (which must be there)."""

    def change(xml: bytes) -> bytes:
        assert old.encode() in xml, old
        return xml.replace(old.encode(), new.encode(), 1)

    return change


def with_sheet(change: Change, data: bytes | None = None) -> bytes:
    return rewrite_part(data or demand_workbook(), SHEET_PART, change)


def after_sheet_data(xml: str) -> Change:
    return replace_once("</sheetData>", "</sheetData>" + xml)


def with_part(data: bytes, part: str, content: bytes | None, content_type: str) -> bytes:
    """A copy of a workbook that declares ``part`` in its content types (and holds it, unless None)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            body = source.read(entry.filename)
            if entry.filename == "[Content_Types].xml":
                override = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
                body = body.replace(b"</Types>", override.encode() + b"</Types>")
            target.writestr(entry.filename, body)
        if content is not None:
            target.writestr(part, content)
    return buffer.getvalue()


def with_shared_strings(sheet_change: Change, *, strings: list[str] | None) -> bytes:
    """The demand workbook with a sharedStrings part holding ``strings`` (None: declared, missing)."""
    data = with_sheet(sheet_change)
    content = None
    if strings is not None:
        items = "".join(f"<si><t>{text}</t></si>" for text in strings)
        content = f'<sst xmlns="{MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'.encode()
    return with_part(data, "xl/sharedStrings.xml", content, SHARED_STRINGS_TYPE)


def read(data: bytes, name: str) -> ImportResult:
    return read_table("demand", data, name=name, taxonomy=tiny_taxonomy())


@pytest.fixture(params=["full", "streamed"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the workbook loaded fully, and again streamed (read-only mode)."""
    if request.param == "streamed":
        monkeypatch.setattr(skills.io_xlsx, "FULL_LOAD_MAX_BYTES", 0)
    return str(request.param)


def assert_refused(
    result: ImportResult,
    name: str,
    *words: str,
    sheet: str | None = "Demand",
    row: int | None = None,
    column: str | None = None,
) -> list[Problem]:
    """Nothing accepted; every error names the file, and one names the sheet, row, column and words."""
    assert result.tables == {}
    assert result.report.rows_accepted == 0
    errors = result.report.errors
    assert errors, "the file must be refused"
    assert all(problem.file == name for problem in errors)
    text = " | ".join(str(problem) for problem in errors)
    for raw in RAW_EXCEPTION_TEXT:
        assert raw not in text, text
    for word in words:
        assert word in text, text
    if sheet is not None:
        assert any(problem.sheet == sheet for problem in errors), text
    if row is not None:
        assert any(problem.row == row for problem in errors), text
    if column is not None:
        assert any(problem.column == column for problem in errors), text
    return errors


def test_the_valid_workbook_imports(mode: str) -> None:
    result = read(demand_workbook(), "ok.xlsx")
    assert result.ok, result.report.problems
    assert result.report.rows_accepted == 2


# ---- size bombs: refused from the XML, before openpyxl builds a cell ------------------------------


@pytest.mark.timeout(20)
def test_a_cell_at_the_last_address_of_excel_is_refused(mode: str) -> None:
    bomb = with_sheet(
        replace_once(
            "</sheetData>",
            '<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>',
        )
    )
    assert len(bomb) < 10_000
    assert_refused(
        read(bomb, "bomb.xlsx"),
        "bomb.xlsx",
        "a cell at XFD1048576 is far outside any table",
        f"limit {MAX_SHEET_COLUMNS} columns × 200 000 rows",
        row=1_048_576,
        column="XFD",
    )


@pytest.mark.timeout(20)
def test_a_far_cell_inside_an_ordinary_row_is_refused(mode: str) -> None:
    # the row says 3, the cell says XFD1048576: openpyxl would trust the cell
    bomb = with_sheet(replace_once('<c r="H3"', '<c r="XFD1048576"'))
    assert_refused(read(bomb, "bomb.xlsx"), "bomb.xlsx", "XFD1048576", "far outside any table")


@pytest.mark.timeout(20)
def test_a_far_column_in_the_first_row_is_refused(mode: str) -> None:
    bomb = with_sheet(replace_once('<c r="H1"', '<c r="XFD1"'))
    assert_refused(read(bomb, "wide.xlsx"), "wide.xlsx", "a cell at XFD1", column="XFD")


@pytest.mark.timeout(20)
def test_an_empty_row_far_below_is_refused(mode: str) -> None:
    bomb = with_sheet(replace_once("</sheetData>", '<row r="1048576" ht="20"/></sheetData>'))
    assert_refused(
        read(bomb, "rows.xlsx"), "rows.xlsx", "row 1048576 is far outside", row=1_048_576
    )


@pytest.mark.timeout(20)
def test_a_sparse_sheet_over_the_cell_budget_is_refused(mode: str) -> None:
    # column SF (500) and row 20 001 are each allowed; together they span more than 10 000 000 cells
    far = f"{get_column_letter(MAX_SHEET_COLUMNS)}{MAX_SHEET_CELLS // MAX_SHEET_COLUMNS + 1}"
    bomb = with_sheet(
        replace_once(
            "</sheetData>",
            f'<row r="{far[2:]}"><c r="{far}" t="n"><v>1</v></c></row></sheetData>',
        )
    )
    assert_refused(
        read(bomb, "sparse.xlsx"),
        "sparse.xlsx",
        f"a cell at {far} is far outside any table: the sheet would span 500 columns × 20 001 rows, "
        "more than 10 000 000 cells",
        row=20_001,
        column="SF",
    )


@pytest.mark.timeout(20)
def test_a_merged_range_over_the_whole_sheet_is_refused(mode: str) -> None:
    bomb = with_sheet(
        after_sheet_data('<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>')
    )
    assert_refused(
        read(bomb, "merged.xlsx"),
        "merged.xlsx",
        "the merged range A1:XFD1048576 is far outside any table",
    )


@pytest.mark.timeout(20)
def test_whole_merged_columns_are_refused(mode: str) -> None:
    # what Excel writes when two whole columns are merged: two million cells
    bomb = with_sheet(
        after_sheet_data('<mergeCells count="1"><mergeCell ref="A1:B1048576"/></mergeCells>')
    )
    assert_refused(read(bomb, "columns.xlsx"), "columns.xlsx", "A1:B1048576")


@pytest.mark.timeout(20)
def test_merged_ranges_over_the_range_budget_are_refused(mode: str) -> None:
    rows = MAX_RANGE_CELLS // 10 // 2 + 1000  # each range 10 columns wide; two of them are too many
    ranges = f'<mergeCell ref="A10:J{rows + 9}"/><mergeCell ref="K10:T{rows + 9}"/>'
    bomb = with_sheet(after_sheet_data(f'<mergeCells count="2">{ranges}</mergeCells>'))
    assert_refused(
        read(bomb, "many.xlsx"),
        "many.xlsx",
        f"the merged range K10:T{rows + 9} brings merged ranges, links and comments to more than "
        "250 000 cells; unmerge or remove them",
    )


@pytest.mark.timeout(20)
def test_a_link_over_the_whole_sheet_is_refused(mode: str) -> None:
    links = '<hyperlinks><hyperlink ref="A1:XFD1048576" display="x"/></hyperlinks>'
    bomb = with_sheet(replace_once("<pageMargins", links + "<pageMargins"))
    assert_refused(read(bomb, "link.xlsx"), "link.xlsx", "the linked range A1:XFD1048576")


@pytest.mark.timeout(20)
def test_a_comment_on_a_far_cell_is_refused(mode: str) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(demand_workbook()))
    workbook["Demand"]["A1"].comment = Comment("note", "me")
    buffer = io.BytesIO()
    workbook.save(buffer)
    bomb = rewrite_part(
        buffer.getvalue(),
        "xl/comments/comment1.xml",
        replace_once('ref="A1"', 'ref="A1:XFD1048576"'),
    )
    assert_refused(read(bomb, "note.xlsx"), "note.xlsx", "the comment on A1:XFD1048576")


@pytest.mark.timeout(20)
def test_a_default_attribute_from_a_dtd_is_refused(mode: str) -> None:
    # a DTD could give every <c> a default r="XFD1048576" the scan would not see
    dtd = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ATTLIST c r CDATA "XFD1048576">]>'
    bomb = with_sheet(lambda xml: dtd + xml)
    assert_refused(read(bomb, "dtd.xlsx"), "dtd.xlsx", "unsafe XML")


@pytest.mark.timeout(20)
def test_a_sheet_in_utf16_is_refused(mode: str) -> None:
    data = with_sheet(lambda xml: xml.decode().encode("utf-16"))
    assert_refused(read(data, "utf16.xlsx"), "utf16.xlsx", "UTF-16")


@pytest.mark.timeout(20)
def test_a_prefixed_far_cell_is_seen(mode: str) -> None:
    xml_prefix = f'<x:c xmlns:x="{MAIN_NS}" r="XFD1048576" t="n"><x:v>1</x:v></x:c>'
    bomb = with_sheet(replace_once('<c r="H3"', xml_prefix + '<c r="H3"'))
    assert_refused(read(bomb, "prefix.xlsx"), "prefix.xlsx", "XFD1048576")


@pytest.mark.timeout(20)
def test_a_far_reference_after_another_attribute_is_seen(mode: str) -> None:
    bomb = with_sheet(replace_once('<c r="H3"', '<c s="0" r="XFD1048576"'))
    assert_refused(read(bomb, "order.xlsx"), "order.xlsx", "XFD1048576")
    hidden = with_sheet(replace_once('<c r="H3"', "<c s='0' title=' r=\"A1\"' r='XFD1048576'"))
    assert_refused(read(hidden, "order.xlsx"), "order.xlsx", "XFD1048576")


# ---- the dimension tag is never trusted ---------------------------------------------------------


@pytest.mark.timeout(20)
def test_a_bogus_huge_dimension_is_ignored(mode: str) -> None:
    data = with_sheet(replace_once('<dimension ref="A1:H3"', '<dimension ref="A1:XFD1048576"'))
    result = read(data, "export.xlsx")
    assert result.ok, result.report.problems
    assert result.report.rows_accepted == 2
    [extent] = read_upload(data, name="export.xlsx").sheets or ()
    assert (extent.rows, extent.columns, extent.cells) == (3, 8, 24)


@pytest.mark.timeout(20)
def test_a_missing_dimension_is_fine(mode: str) -> None:
    data = with_sheet(replace_once('<dimension ref="A1:H3" />', ""))
    assert read(data, "nodim.xlsx").ok


@pytest.mark.timeout(20)
def test_a_garbled_dimension_imports_in_full_mode_and_is_named_when_streamed(mode: str) -> None:
    data = with_sheet(replace_once('<dimension ref="A1:H3"', '<dimension ref="garbage"'))
    result = read(data, "dim.xlsx")
    if mode == "full":
        assert result.ok, result.report.problems
    else:
        assert_refused(result, "dim.xlsx", "recorded size (the dimension tag) is damaged")


# ---- odd cells: a plain-words report naming file, sheet and cell ----------------------------------


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ('<c r="D2" t="n"><v>NaN</v>', "cell D2 holds 'NaN', which is not a number"),
        ('<c r="D2" t="n"><v>inf</v>', "cell D2 holds 'inf', which is not a number"),
        ('<c r="D2"><v>1,5</v>', "cell D2 holds '1,5', which is not a number"),
        ('<c r="D2" t="n"><v>1e400</v>', "cell D2 holds a number too large to use"),
        ('<c r="D2" t="n"><v>-1E999</v>', "cell D2 holds a number too large to use"),
        (
            '<c r="D2" t="b"><v>2</v>',
            "cell D2 should hold TRUE or FALSE (stored as 1 or 0) but holds '2'",
        ),
        ('<c r="D2" t="b"><v>yes</v>', "cell D2 should hold TRUE or FALSE"),
        ('<c r="D2" t="d"><v>2027-13-45</v>', "cell D2 should hold a date but holds '2027-13-45'"),
        (
            '<c r="D2" t="s"><v>0</v>',
            "cell D2 points to a shared text, but the workbook has no list",
        ),
        ('<c r="D2" t="s"><v>x</v>', "cell D2 should point to one of the workbook's shared texts"),
    ],
)
def test_an_odd_cell_is_named(mode: str, cell: str, words: str) -> None:
    data = with_sheet(replace_once('<c r="D2" t="n"><v>3</v>', cell))
    assert_refused(read(data, "odd.xlsx"), "odd.xlsx", words, row=2, column="D")


@pytest.mark.timeout(20)
def test_a_shared_text_out_of_range_is_named(mode: str) -> None:
    data = with_shared_strings(
        replace_once('<c r="H2" t="inlineStr"><is><t>high</t></is>', '<c r="H2" t="s"><v>7</v>'),
        strings=["high"],
    )
    assert_refused(
        read(data, "strings.xlsx"),
        "strings.xlsx",
        "cell H2 points to shared text 7, but the workbook's list has only 1",
        row=2,
        column="H",
    )


@pytest.mark.timeout(20)
def test_shared_texts_read_when_they_are_right(mode: str) -> None:
    data = with_shared_strings(
        replace_once('<c r="H2" t="inlineStr"><is><t>high</t></is>', '<c r="H2" t="s"><v>0</v>'),
        strings=["high"],
    )
    assert read(data, "strings.xlsx").ok


@pytest.mark.timeout(20)
def test_a_missing_shared_strings_part_is_named(mode: str) -> None:
    data = with_shared_strings(
        replace_once('<c r="H2" t="inlineStr"><is><t>high</t></is>', '<c r="H2" t="s"><v>0</v>'),
        strings=None,
    )
    assert_refused(
        read(data, "nostrings.xlsx"),
        "nostrings.xlsx",
        "its list of shared texts (the text its cells point to) is missing or damaged",
        sheet=None,
    )


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "styles",
    [
        lambda xml: xml[: len(xml) // 2],
        lambda _: (
            f"<styleSheet xmlns='{MAIN_NS}'><cellXfs count='1'><xf numFmtId='abc'/></cellXfs></styleSheet>".encode()
        ),
    ],
    ids=["cut-off", "nonsense"],
)
def test_a_bad_styles_part_is_named(mode: str, styles: Change) -> None:
    data = rewrite_part(demand_workbook(), "xl/styles.xml", styles)
    assert_refused(
        read(data, "styles.xlsx"),
        "styles.xlsx",
        "its cell formats (styles) are damaged",
        sheet=None,
    )


@pytest.mark.timeout(20)
def test_a_cell_with_an_undefined_format_is_named() -> None:
    data = with_sheet(replace_once('<c r="D2" t="n">', '<c r="D2" t="n" s="99">'))
    assert_refused(
        read(data, "format.xlsx"),
        "format.xlsx",
        "cell D2 uses cell format number 99, which the file does not define",
        row=2,
        column="D",
    )


@pytest.mark.timeout(20)
@pytest.mark.parametrize("number", ["0", "-1", "x", "1e3"])
def test_a_row_with_an_impossible_number_is_named(mode: str, number: str) -> None:
    data = with_sheet(replace_once('<row r="2">', f'<row r="{number}">'))
    assert_refused(read(data, "row.xlsx"), "row.xlsx", f"a row is numbered {number!r}")


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    ("reference", "words"),
    [
        ("A0", "a cell has the reference 'A0'; row numbers start at 1"),
        ("2A", "a cell has the reference '2A', which is not a cell address like B7"),
        ("A1_000", "which is not a cell address"),
        ("$A$2", "which is not a cell address"),
        ("", "which is not a cell address"),
    ],
)
def test_a_cell_with_an_impossible_reference_is_named(
    mode: str, reference: str, words: str
) -> None:
    data = with_sheet(replace_once('<c r="A2"', f'<c r="{reference}"'))
    assert_refused(read(data, "ref.xlsx"), "ref.xlsx", words)


@pytest.mark.timeout(20)
@pytest.mark.parametrize("reference", ["A:B", "B2:A1", "A1:", "A0:B2"])
def test_an_impossible_merged_range_is_named(mode: str, reference: str) -> None:
    data = with_sheet(
        after_sheet_data(f'<mergeCells count="1"><mergeCell ref="{reference}"/></mergeCells>')
    )
    assert_refused(read(data, "merge.xlsx"), "merge.xlsx", f"the merged range {reference!r} is not")


@pytest.mark.timeout(20)
def test_a_cut_off_sheet_is_named(mode: str) -> None:
    data = with_sheet(lambda xml: xml[: len(xml) * 2 // 3])
    assert_refused(
        read(data, "cut.xlsx"), "cut.xlsx", "the sheet is damaged (cut off, or not valid XML)"
    )


@pytest.mark.timeout(20)
def test_cells_and_rows_without_references_still_import(mode: str) -> None:
    # some writers leave out r="..."; openpyxl numbers such rows and cells in order
    data = with_sheet(lambda xml: re.sub(rb' r="[A-Z]*[0-9]+"', b"", xml))
    result = read(data, "plain.xlsx")
    assert result.ok, result.report.problems
    assert result.report.rows_accepted == 2


# ---- properties ----------------------------------------------------------------------------------


def far_cell_is_refused(row: int, column: int) -> bool:
    """Whether a cell added to the demand sheet (A1:H3) goes beyond the caps."""
    columns = max(column, len(DEMAND_HEADER))
    return row > MAX_SHEET_ROWS or column > MAX_SHEET_COLUMNS or row * columns > MAX_SHEET_CELLS


@pytest.mark.timeout(300)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    column=st.integers(min_value=1, max_value=16_384),
    row=st.integers(min_value=4, max_value=1_048_576),
)
def test_a_cell_anywhere_is_refused_beyond_the_caps_and_read_within(column: int, row: int) -> None:
    reference = f"{get_column_letter(column)}{row}"
    data = with_sheet(
        replace_once(
            "</sheetData>",
            f'<row r="{row}"><c r="{reference}" t="n"><v>1</v></c></row></sheetData>',
        )
    )
    result = read(data, "anywhere.xlsx")
    text = " | ".join(str(problem) for problem in result.report.errors)
    if far_cell_is_refused(row, column):
        assert_refused(result, "anywhere.xlsx", f"a cell at {reference}", "far outside any table")
    else:
        assert "far outside" not in text
        for raw in RAW_EXCEPTION_TEXT:
            assert raw not in text, text


@pytest.mark.timeout(300)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    corners=st.tuples(
        st.integers(min_value=1, max_value=16_384),
        st.integers(min_value=1, max_value=1_048_576),
        st.integers(min_value=1, max_value=16_384),
        st.integers(min_value=1, max_value=1_048_576),
    )
)
def test_a_merged_range_anywhere_is_refused_beyond_the_caps(
    corners: tuple[int, int, int, int],
) -> None:
    first_column, last_column = sorted(corners[0::2])
    first_row, last_row = sorted(corners[1::2])
    reference = (
        f"{get_column_letter(first_column)}{first_row}:{get_column_letter(last_column)}{last_row}"
    )
    data = with_sheet(
        after_sheet_data(f'<mergeCells count="1"><mergeCell ref="{reference}"/></mergeCells>')
    )
    result = read(data, "merged.xlsx")
    covered = (last_row - first_row + 1) * (last_column - first_column + 1)
    refused = far_cell_is_refused(last_row, last_column) or covered > MAX_RANGE_CELLS
    text = " | ".join(str(problem) for problem in result.report.errors)
    if refused:
        assert_refused(result, "merged.xlsx", f"the merged range {reference}")
    else:
        assert "far outside" not in text and "unmerge" not in text
        for raw in RAW_EXCEPTION_TEXT:
            assert raw not in text, text


def sheet_xml(rows: list[tuple[int, list[int]]], styles: list[int]) -> bytes:
    """Worksheet XML with cells at the given (row, columns), each row written in one of three styles.

    Style 0 is Excel's (``<row r="2"><c r="B2">``), 1 puts other attributes first and uses
    single quotes, 2 leaves out every ``r`` (openpyxl then numbers rows and cells in order).
    """
    body = []
    for (number, columns), style in zip(rows, styles, strict=False):
        if style == 0:
            row = f'<row r="{number}">'
            cells = "".join(f'<c r="{get_column_letter(c)}{number}"><v>1</v></c>' for c in columns)
        elif style == 1:
            row = f"<row spans='1:2' r='{number}'>"
            cells = "".join(
                f"<c t='n' r='{get_column_letter(c)}{number}'><v>1</v></c>" for c in columns
            )
        else:
            row = "<row>"
            cells = "<c><v>1</v></c>" * len(columns)
        body.append(f"{row}{cells}</row>")
    return (
        f'<worksheet xmlns="{MAIN_NS}"><sheetData>{"".join(body)}</sheetData></worksheet>'.encode()
    )


@pytest.mark.timeout(120)
@settings(max_examples=60, deadline=None)
@given(
    layout=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=3),
            st.sets(st.integers(min_value=1, max_value=60), min_size=1, max_size=12),
            st.sampled_from([0, 0, 1, 2]),
        ),
        min_size=1,
        max_size=30,
    ),
    chunk=st.sampled_from([40, 97, 1 << 20]),
)
def test_the_bulk_scan_agrees_with_the_tag_by_tag_scan_and_with_openpyxl(
    layout: list[tuple[int, set[int], int]], chunk: int
) -> None:
    rows: list[tuple[int, list[int]]] = []
    number = 0
    for step, columns, _ in layout:
        number += step
        rows.append((number, sorted(columns)))
    xml = sheet_xml(rows, [style for _, _, style in layout])
    data = rewrite_part(xlsx_bytes({"Demand": [["x"]]}), SHEET_PART, lambda _: xml)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(skills.safety, "SCAN_CHUNK_BYTES", chunk)
        [bulk] = check_sheet_extents(data, "scan.xlsx")
        patch.setattr(skills.safety._SheetScan, "_plain_piece", lambda *_: False)
        [by_tag] = check_sheet_extents(data, "scan.xlsx")
    assert bulk == by_tag
    worksheet = openpyxl.load_workbook(io.BytesIO(data))["Demand"]
    assert (bulk.rows, bulk.columns) == (worksheet.max_row, worksheet.max_column)
    assert bulk.cells == sum(len(columns) for _, columns in rows)


cell_values = st.one_of(
    st.none(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["", "  ", "plc", "5S", "0"]),
)


@pytest.mark.timeout(120)
@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.lists(cell_values, max_size=8), min_size=1, max_size=12))
def test_a_fully_loaded_sheet_reads_as_openpyxl_walks_it(rows: list[list[object]]) -> None:
    data = xlsx_bytes({"Demand": rows})
    checked = read_upload(data, name="walk.xlsx")
    workbook = load_workbook(checked)
    grid = read_sheet(workbook, checked, "Demand")
    walked = [
        (number, [None if isinstance(v, str) and not v.strip() else v for v in values])
        for number, values in enumerate(workbook["Demand"].iter_rows(values_only=True), start=1)
    ]
    expected = [(number, cells) for number, cells in walked if any(c is not None for c in cells)]
    assert list(zip(grid.row_numbers, grid.rows, strict=True)) == expected

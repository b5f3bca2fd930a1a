"""Excel intake with openpyxl: safe loading, sheet choice, merged header cells, formulas without values."""

from __future__ import annotations

import io
import math
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Final

import openpyxl
from openpyxl.comments.comment_sheet import CommentSheet
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._reader import CELL_TAG, FORMULA_TAG, ROW_TAG, VALUE_TAG, WorkSheetParser
from openpyxl.xml.functions import fromstring, iterparse

from skills.errors import InputError, Problem
from skills.io_grid import HEADER_SCAN_ROWS, Grid
from skills.io_values import TEMPLATE_VERSION_NAME
from skills.safety import (
    DAMAGED_ZIP,
    UNSAFE_ENTITIES,
    CheckedFile,
    SheetExtent,
    WorksheetPart,
    check_sheet_extents,
    open_package,
    unreadable,
    unsafe_xml,
)

#: Workbooks whose sheets unpack to less than this are loaded fully (merged cells are visible);
#: larger ones stream in read-only mode, where openpyxl exposes no merged cells.
FULL_LOAD_MAX_BYTES: Final = 30 * 1024 * 1024
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]")
_CELL_ADDRESS = re.compile(r"([A-Za-z]{1,3})([0-9]{1,9})")
#: said when no part can be blamed: never an exception's own text
DAMAGED_SOMEWHERE: Final = (
    "a part of it is damaged or was not written by a spreadsheet program; "
    "open it in Excel, save it again and retry"
)


def _file_error(name: str, message: str) -> InputError:
    return InputError(f"{name}: {message}", [Problem(message, file=name)])


def _cell_error(name: str, sheet: str, message: str, address: str) -> InputError:
    found = _CELL_ADDRESS.fullmatch(address)
    return InputError(
        f"{name}: sheet {sheet}: {message}",
        [
            Problem(
                message,
                file=name,
                sheet=sheet,
                row=int(found.group(2)) if found else None,
                column=found.group(1).upper() if found else "",
            )
        ],
    )


def _shown(text: str | None) -> str:
    text = "" if text is None else text
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _cell_problem(
    parser: WorkSheetParser, element: Any, style_count: int, string_count: int
) -> str | None:
    """What is wrong with one ``<c>`` element, in the user's words; None when openpyxl reads it."""
    address = element.get("r") or ""
    where = f"cell {address}" if address else "a cell"
    style = element.get("s", "0")
    if not style.isdigit():
        return f"{where} has the format {_shown(style)}, which is not a format number (the file is damaged)"
    if int(style) >= style_count:
        return f"{where} uses cell format number {int(style)}, which the file does not define (the file is damaged)"
    try:
        parser.parse_cell(element)
    except Exception:  # openpyxl raises ValueError, IndexError, TypeError, ... on odd cells
        pass
    else:
        return None
    kind = element.get("t", "n")
    value = element.findtext(VALUE_TAG)
    if not parser.data_only and element.find(FORMULA_TAG) is not None:
        return f"{where} holds a formula that cannot be read"
    if kind == "n":
        return f"{where} holds {_shown(value)}, which is not a number"
    if kind == "s":
        if value is None or not value.strip().isdigit():
            return f"{where} should point to one of the workbook's shared texts but holds {_shown(value)}"
        if string_count == 0:
            return f"{where} points to a shared text, but the workbook has no list of shared texts (the file is damaged)"
        return (
            f"{where} points to shared text {int(value)}, but the workbook's list has only "
            f"{string_count} (numbered from 0; the file is damaged)"
        )
    if kind == "b":
        return f"{where} should hold TRUE or FALSE (stored as 1 or 0) but holds {_shown(value)}"
    if kind == "d":
        return f"{where} should hold a date but holds {_shown(value)}, which is not a valid date"
    if kind == "inlineStr":
        return f"{where} holds text that cannot be read"
    return f"{where} cannot be read"


def _damaged_sheet(
    name: str, reader: ExcelReader, worksheet: WorksheetPart, formulas: bool
) -> InputError | None:
    """The first damaged cell (or size record, or comments) of one worksheet, if any."""
    workbook = reader.wb
    style_count = len(workbook._cell_styles)
    string_count = len(reader.shared_strings)
    with reader.archive.open(worksheet.part) as source:
        parser = WorkSheetParser(
            source,
            reader.shared_strings,
            data_only=not formulas,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for _, element in iterparse(source):
            if element.tag == CELL_TAG:
                problem = _cell_problem(parser, element, style_count, string_count)
                if problem is not None:
                    return _cell_error(name, worksheet.sheet, problem, element.get("r") or "")
            elif element.tag == ROW_TAG:
                element.clear()
    try:
        with reader.archive.open(worksheet.part) as source:
            WorkSheetParser(source, []).parse_dimensions()
    except Exception:  # a damaged <dimension> breaks read-only loading
        return unreadable(
            name,
            "its recorded size (the dimension tag) is damaged; open it in Excel, save it again and retry",
            sheet=worksheet.sheet,
        )
    for part in worksheet.comment_parts:
        try:
            CommentSheet.from_tree(fromstring(reader.archive.read(part)))
        except Exception:
            return unreadable(name, "its comments are damaged", sheet=worksheet.sheet)
    return None


def _find_damage(checked: CheckedFile, sheet: str | None, formulas: bool) -> InputError | None:
    """Redo openpyxl's reading step by step to name the part, sheet and cell that fail."""
    reader, worksheets = open_package(checked.data, checked.name)
    reader.data_only = not formulas
    steps: list[tuple[Callable[[], object], str]] = [
        (
            reader.read_strings,
            "its list of shared texts (the text its cells point to) is missing or damaged",
        ),
        (reader.read_properties, "its document properties (author, title) are damaged"),
        (reader.read_custom, "its custom document properties are damaged"),
        (reader.read_theme, "its colour theme is damaged"),
        (
            lambda: apply_stylesheet(reader.archive, reader.wb),
            "its cell formats (styles) are damaged",
        ),
    ]
    with reader.archive:
        for step, what in steps:
            try:
                step()
            except Exception as error:  # any failure of a step blames its part
                if unsafe_xml(error):
                    return _file_error(checked.name, UNSAFE_ENTITIES)
                return unreadable(checked.name, what)
        for worksheet in worksheets:
            if sheet is not None and worksheet.sheet != sheet:
                continue
            try:
                found = _damaged_sheet(checked.name, reader, worksheet, formulas)
            except Exception as error:  # the sheet's XML itself is broken
                if unsafe_xml(error):
                    return _file_error(checked.name, UNSAFE_ENTITIES)
                return unreadable(
                    checked.name,
                    "the sheet is damaged (cut off, or not valid XML)",
                    sheet=worksheet.sheet,
                )
            if found is not None:
                return found
    return None


def explain_unreadable(
    checked: CheckedFile,
    error: BaseException,
    *,
    sheet: str | None = None,
    formulas: bool = False,
) -> InputError:
    """Turn an exception openpyxl raised on ``checked`` into an :class:`InputError` in plain words.

    Parameters
    ----------
    checked
        The workbook being read.
    error
        What openpyxl raised; its text is never shown (it speaks of Python, not of the file).
    sheet
        The sheet being read when the error came (read-only mode reads cells lazily).
    formulas
        Whether the workbook was loaded with formulas instead of cached values.

    Returns
    -------
    InputError
        Naming the file and, when it can be found, the damaged part, sheet and cell.
    """
    if unsafe_xml(error):
        return _file_error(checked.name, UNSAFE_ENTITIES)
    if isinstance(error, zipfile.BadZipFile | zlib.error | EOFError):
        return _file_error(checked.name, DAMAGED_ZIP)
    try:
        found = _find_damage(checked, sheet, formulas)
    except InputError as damage:
        return damage
    except Exception:  # the explanation must never fail worse than the read it explains
        found = None
    if found is not None:
        return found
    return unreadable(checked.name, DAMAGED_SOMEWHERE, sheet=sheet or "")


@contextmanager
def guarded(
    name: str,
    *,
    checked: CheckedFile | None = None,
    sheet: str | None = None,
    formulas: bool = False,
) -> Iterator[None]:
    """Turn any exception a damaged workbook provokes inside openpyxl into an :class:`InputError`.

    openpyxl raises KeyError, ValueError, TypeError, zipfile and XML errors (and
    defusedxml's ``EntitiesForbidden`` for entity bombs) on hostile or broken
    files; callers must only ever see ``InputError``. With ``checked`` the message
    names the damaged part, sheet and cell (see :func:`explain_unreadable`).
    """
    try:
        yield
    except InputError:
        raise
    except Exception as error:  # openpyxl and the XML parsers raise many types on damaged input
        if checked is None:
            if unsafe_xml(error):
                raise _file_error(name, UNSAFE_ENTITIES) from None
            raise unreadable(name, DAMAGED_SOMEWHERE, sheet=sheet or "") from None
        raise explain_unreadable(checked, error, sheet=sheet, formulas=formulas) from None


def sheet_extents(checked: CheckedFile) -> tuple[SheetExtent, ...]:
    """The measured size of every worksheet (scanned now if the intake did not)."""
    if checked.sheets is not None:
        return checked.sheets
    return check_sheet_extents(checked.data, checked.name)


def has_formulas(data: bytes, parts: Iterable[str] | None = None) -> bool:
    """Whether any worksheet part holds a formula element (searched in streamed chunks).

    ``parts`` are the worksheet parts (see :class:`~skills.safety.SheetExtent`); by default
    every part under ``xl/worksheets/``.
    """
    wanted = None if parts is None else set(parts)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for entry in archive.infolist():
            if wanted is None:
                if not (
                    entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml")
                ):
                    continue
            elif entry.filename not in wanted:
                continue
            tail = b""
            with archive.open(entry) as part:
                while chunk := part.read(1 << 20):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-16:]
    return False


def load_workbook(
    checked: CheckedFile, *, formulas: bool = False, read_only: bool | None = None
) -> Workbook:
    """Load a checked workbook: cached values (or formulas), no macros, no external links.

    ``read_only`` defaults to True for large workbooks only (see :data:`FULL_LOAD_MAX_BYTES`).
    Every sheet is measured first (:func:`~skills.safety.check_sheet_extents`): a sheet
    whose cells or merged ranges reach too far is refused before openpyxl builds them.
    """
    sheets = sheet_extents(checked)
    if read_only is None:
        read_only = sum(sheet.part_size for sheet in sheets) > FULL_LOAD_MAX_BYTES
    with guarded(checked.name, checked=checked, formulas=formulas):
        workbook = openpyxl.load_workbook(
            io.BytesIO(checked.data),
            read_only=read_only,
            data_only=not formulas,
            keep_vba=False,
            keep_links=False,
            rich_text=False,
        )
    return workbook


def template_version(workbook: Workbook) -> str | None:
    """The template version a vetplan template carries in a defined name, if any."""
    defined = workbook.defined_names.get(TEMPLATE_VERSION_NAME)
    if defined is None:
        return None
    text = str(defined.attr_text or "").strip()
    return text.strip('"') or None


def _not_finite(name: str, sheet: str, number: int, position: int) -> InputError:
    address = f"{get_column_letter(position + 1)}{number}"
    message = (
        f"cell {address} holds a number too large to use (beyond what a spreadsheet can store)"
    )
    return InputError(
        f"{name}: sheet {sheet}: {message}",
        [
            Problem(
                message, file=name, sheet=sheet, row=number, column=get_column_letter(position + 1)
            )
        ],
    )


def _rows(
    worksheet: Any, max_rows: int | None, name: str, sheet: str
) -> list[tuple[int, list[object]]]:
    """Non-empty rows ``(row number, cells)``; blank text reads as empty.

    A fully loaded sheet is read from its stored cells, never by walking its used range
    (which would create a cell object for every empty position); every row is as wide
    as the sheet. A streamed sheet ignores its ``dimension`` tag, so a wrong one is harmless.

    Raises
    ------
    InputError
        For a number too large for a spreadsheet (``1e400`` reads as infinity).
    """
    if getattr(worksheet, "reset_dimensions", None) is None:
        return _stored_rows(worksheet, max_rows, name, sheet)
    worksheet.reset_dimensions()
    rows: list[tuple[int, list[object]]] = []
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if max_rows is not None and number > max_rows:
            break
        cells = [None if (isinstance(v, str) and v.strip() == "") else v for v in values]
        if any(cell is not None for cell in cells):
            for position, cell in enumerate(cells):
                if isinstance(cell, float) and not math.isfinite(cell):
                    raise _not_finite(name, sheet, number, position)
            rows.append((number, cells))
    return rows


def _stored_rows(
    worksheet: Any, max_rows: int | None, name: str, sheet: str
) -> list[tuple[int, list[object]]]:
    stored: dict[tuple[int, int], Any] = worksheet._cells
    width = max((column for _, column in stored), default=0)
    by_number: dict[int, dict[int, object]] = {}
    for (number, column), cell in stored.items():
        if max_rows is not None and number > max_rows:
            continue
        value = cell.value
        if value is None or (isinstance(value, str) and value.strip() == ""):
            continue
        if isinstance(value, float) and not math.isfinite(value):
            raise _not_finite(name, sheet, number, column - 1)
        by_number.setdefault(number, {})[column] = value
    rows: list[tuple[int, list[object]]] = []
    for number in sorted(by_number):
        cells: list[object] = [None] * width
        for column, value in by_number[number].items():
            cells[column - 1] = value
        rows.append((number, cells))
    return rows


def _fill_merged(worksheet: Any, rows: list[tuple[int, list[object]]], scan_rows: int) -> None:
    """Copy the value of a merged range in the top rows into every cell of the range.

    Only header rows matter: a merged header such as ``Skill need`` spread over two
    columns, or a header merged over two rows, names every column it covers.
    """
    ranges = getattr(worksheet, "merged_cells", None)
    if not ranges:
        return
    by_number = {number: cells for number, cells in rows}
    for merged in ranges.ranges:
        if merged.min_row > scan_rows:
            continue
        top = by_number.get(merged.min_row)
        if top is None or len(top) < merged.min_col:
            continue
        value = top[merged.min_col - 1]
        for row in range(merged.min_row, min(merged.max_row, scan_rows) + 1):
            cells = by_number.get(row)
            if cells is None:
                cells = []
                by_number[row] = cells
                rows.append((row, cells))
            if len(cells) < merged.max_col:
                cells.extend([None] * (merged.max_col - len(cells)))
            for col in range(merged.min_col, merged.max_col + 1):
                if cells[col - 1] is None:
                    cells[col - 1] = value
    rows.sort(key=lambda pair: pair[0])


def sheet_names(workbook: Workbook) -> list[str]:
    """Names of the worksheets (chart sheets have no cells and are left out)."""
    return [worksheet.title for worksheet in workbook.worksheets]


def read_sheet(
    workbook: Workbook, checked: CheckedFile, sheet: str, *, max_rows: int | None = None
) -> Grid:
    """Raw cells of one sheet with their row numbers; merged header cells filled in."""
    with guarded(checked.name, checked=checked, sheet=sheet):
        worksheet = workbook[sheet]
        rows = _rows(worksheet, max_rows, checked.name, sheet)
        _fill_merged(worksheet, rows, HEADER_SCAN_ROWS + 5)
        version = template_version(workbook)
    return Grid(
        file=checked.name,
        sheet=sheet,
        rows=[cells for _, cells in rows],
        row_numbers=[number for number, _ in rows],
        decimal_default=None,
        template_version=version,
    )


def formulas_without_value(checked: CheckedFile, sheet: str, grid: Grid) -> set[tuple[int, int]]:
    """Cells of ``sheet`` that hold a formula but no saved (cached) value.

    A file written by a program (not Excel) often has formulas and no cached results:
    with ``data_only=True`` they read as empty, which would silently lose data.
    """
    with guarded(checked.name, checked=checked):
        if not has_formulas(checked.data, (extent.part for extent in sheet_extents(checked))):
            return set()
    workbook = load_workbook(checked, formulas=True, read_only=True)
    found: set[tuple[int, int]] = set()
    values = dict(zip(grid.row_numbers, grid.rows, strict=True))
    with guarded(checked.name, checked=checked, sheet=sheet, formulas=True):
        worksheet = workbook[sheet]
        worksheet.reset_dimensions()
        for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
            for position, cell in enumerate(cells):
                is_formula = (isinstance(cell, str) and cell.startswith("=")) or type(
                    cell
                ).__name__ in ("ArrayFormula", "DataTableFormula")
                if not is_formula:
                    continue
                cached = values.get(number, [])
                if position >= len(cached) or cached[position] is None:
                    found.add((number, position))
        workbook.close()
    return found


def choose_sheet(
    workbook: Workbook,
    checked: CheckedFile,
    sheet: str | None,
    is_table: Callable[[Grid], bool],
) -> str:
    """The sheet to read: the one named, or the first whose top rows hold the table's header."""
    names = sheet_names(workbook)
    if sheet is not None:
        if sheet not in names:
            message = f"has no sheet {sheet!r}; its sheets are {', '.join(map(repr, names))}"
            raise InputError(
                f"{checked.name}: {message}", [Problem(message, file=checked.name, sheet=sheet)]
            )
        return sheet
    for name in names:
        if is_table(read_sheet(workbook, checked, name, max_rows=HEADER_SCAN_ROWS)):
            return name
    if len(names) == 1:
        return names[0]
    message = f"no sheet has the expected header; sheets are {', '.join(map(repr, names))} (choose one with --sheet)"
    raise InputError(f"{checked.name}: {message}", [Problem(message, file=checked.name)])


def read_xlsx_grid(
    checked: CheckedFile, sheet: str | None, is_table: Callable[[Grid], bool]
) -> Grid:
    """Load a checked workbook and return the grid of the chosen (or detected) sheet."""
    workbook = load_workbook(checked)
    try:
        chosen = choose_sheet(workbook, checked, sheet, is_table)
        grid = read_sheet(workbook, checked, chosen)
    finally:
        with guarded(checked.name):
            workbook.close()
    grid.formulas_without_value = formulas_without_value(checked, chosen, grid)
    return grid

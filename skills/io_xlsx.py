"""Excel intake with openpyxl: safe loading, sheet choice, merged header cells, formulas without values."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.workbook.workbook import Workbook

from skills.errors import InputError, Problem
from skills.io_grid import HEADER_SCAN_ROWS, Grid
from skills.io_values import TEMPLATE_VERSION_NAME
from skills.safety import CheckedFile

#: Workbooks whose sheets unpack to less than this are loaded fully (merged cells are visible);
#: larger ones stream in read-only mode, where openpyxl exposes no merged cells.
FULL_LOAD_MAX_BYTES: Final = 30 * 1024 * 1024
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]")


def _damaged(name: str, error: BaseException) -> InputError:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    unsafe = next((item for item in chain if isinstance(item, DefusedXmlException)), None)
    if unsafe is not None:
        message = f"contains unsafe XML ({type(unsafe).__name__}: entity declarations, a possible XML bomb): refused"
    else:
        first_line = str(error).splitlines()[0][:200] if str(error) else ""
        message = f"is not a readable Excel workbook ({type(error).__name__}: {first_line})"
    return InputError(f"{name}: {message}", [Problem(message, file=name)])


@contextmanager
def guarded(name: str) -> Iterator[None]:
    """Turn any exception a damaged workbook provokes inside openpyxl into an :class:`InputError`.

    openpyxl raises KeyError, ValueError, TypeError, zipfile and XML errors (and
    defusedxml's ``EntitiesForbidden`` for entity bombs) on hostile or broken
    files; callers must only ever see ``InputError``.
    """
    try:
        yield
    except InputError:
        raise
    except Exception as error:  # openpyxl and the XML parsers raise many types on damaged input
        raise _damaged(name, error) from None


def has_formulas(data: bytes) -> bool:
    """Whether any worksheet part holds a formula element (searched in streamed chunks)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for entry in archive.infolist():
            if not (
                entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml")
            ):
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
    """
    if read_only is None:
        read_only = sum(checked.sheet_sizes) > FULL_LOAD_MAX_BYTES
    with guarded(checked.name):
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


def _rows(worksheet: Any, max_rows: int | None) -> list[tuple[int, list[object]]]:
    if getattr(worksheet, "reset_dimensions", None) is not None:
        worksheet.reset_dimensions()
    rows: list[tuple[int, list[object]]] = []
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if max_rows is not None and number > max_rows:
            break
        cells = [None if (isinstance(v, str) and v.strip() == "") else v for v in values]
        if any(cell is not None for cell in cells):
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
    with guarded(checked.name):
        worksheet = workbook[sheet]
        rows = _rows(worksheet, max_rows)
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
    with guarded(checked.name):
        if not has_formulas(checked.data):
            return set()
    workbook = load_workbook(checked, formulas=True, read_only=True)
    found: set[tuple[int, int]] = set()
    values = dict(zip(grid.row_numbers, grid.rows, strict=True))
    with guarded(checked.name):
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

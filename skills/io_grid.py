"""A sheet as raw cells with real row numbers, and finding its header row below title rows."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Final, TypedDict

import pandas as pd

from skills.errors import InputError, Problem
from skills.io_values import normalise_header

HEADER_SCAN_ROWS: Final = 20


class Where(TypedDict):
    """Where a problem is: table, file and sheet (keyword arguments of :class:`Problem`)."""

    table: str
    file: str
    sheet: str


@dataclass
class Grid:
    """Raw cells of one sheet (or CSV file) exactly as read, before any header is known.

    ``rows[i]`` is the list of cell values on spreadsheet row ``row_numbers[i]``
    (1-based, as a user sees it); empty rows are left out.
    """

    file: str
    sheet: str
    rows: list[list[object]]
    row_numbers: list[int]
    #: decimal mark the file format suggests ("," for ; CSV, "." for , CSV, None otherwise)
    decimal_default: str | None = None
    #: (row number, 0-based column) of formula cells that carry no saved value
    formulas_without_value: set[tuple[int, int]] = field(default_factory=set)
    template_version: str | None = None


@dataclass
class RawTable:
    """Cells under a located header: columns renamed to canonical names where recognised.

    ``frame`` holds raw cell values (object dtype); ``row_numbers`` the spreadsheet row
    of every frame row; ``headers`` the header cells as the user wrote them, by column.
    """

    file: str
    sheet: str
    header_row: int
    frame: pd.DataFrame
    row_numbers: pd.Series
    headers: dict[str, str]
    decimal_default: str | None
    problems: list[Problem] = field(default_factory=list)
    template_version: str | None = None


def _header_matches(cells: list[object], lookup: Mapping[str, str]) -> set[str]:
    return {lookup[key] for key in (normalise_header(cell) for cell in cells) if key in lookup}


def find_header(grid: Grid, lookup: Mapping[str, str], required: Collection[str]) -> int | None:
    """Index (into ``grid.rows``) of the first row in the top rows that holds every required column."""
    for index, cells in enumerate(grid.rows[:HEADER_SCAN_ROWS]):
        if set(required) <= _header_matches(cells, lookup):
            return index
    return None


def locate_table(
    grid: Grid, lookup: Mapping[str, str], required: Collection[str], *, table: str = ""
) -> RawTable:
    """Find the header row and cut the table under it.

    Parameters
    ----------
    grid
        Raw rows of the sheet.
    lookup
        Normalised header -> canonical column name (see :func:`skills.io_values.header_lookup`).
    required
        Canonical columns that must be present for a row to count as the header.
    table
        Table name used in problems.

    Raises
    ------
    InputError
        When no row among the first ones holds the required columns (naming what is
        missing in the best candidate), or a header name appears twice.
    """
    where = Where(table=table, file=grid.file, sheet=grid.sheet)
    if not grid.rows:
        msg = f"{grid.file}: the {'sheet ' + repr(grid.sheet) if grid.sheet else 'file'} is empty"
        raise InputError(msg, [Problem("no rows at all: the sheet is empty", **where)])
    index = find_header(grid, lookup, required)
    if index is None:
        scored = [
            (len(_header_matches(cells, lookup)), i)
            for i, cells in enumerate(grid.rows[:HEADER_SCAN_ROWS])
        ]
        best_count, best = max(scored, key=lambda pair: (pair[0], -pair[1]))
        found = _header_matches(grid.rows[best], lookup) if best_count else set()
        missing = [name for name in required if name not in found]
        row = grid.row_numbers[best] if best_count else None
        missing_problems = [
            Problem(
                f"required column {name!r} is missing from the header row",
                row=row,
                column=name,
                **where,
            )
            for name in missing
        ]
        msg = f"{grid.file}: no header row with the columns {', '.join(sorted(required))} in the first {HEADER_SCAN_ROWS} rows"
        raise InputError(msg, missing_problems)

    header_cells = grid.rows[index]
    names: list[str] = []
    headers: dict[str, str] = {}
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for position, cell in enumerate(header_cells):
        text = "" if cell is None else str(cell).strip()
        canonical = lookup.get(normalise_header(text), text) if text else f"__blank_{position}"
        if canonical in seen and text:
            problems.append(
                Problem(
                    f"column {text!r} appears twice in the header (columns {seen[canonical] + 1} and {position + 1})",
                    row=grid.row_numbers[index],
                    column=canonical,
                    **where,
                )
            )
            canonical = f"{canonical}__{position}"
        seen.setdefault(canonical, position)
        names.append(canonical)
        headers[canonical] = text
    if problems:
        msg = f"{grid.file}: the header row has duplicate columns"
        raise InputError(msg, problems)

    width = len(names)
    body = grid.rows[index + 1 :]
    numbers = grid.row_numbers[index + 1 :]
    overflow: list[Problem] = []
    padded: list[list[object]] = []
    for cells, number in zip(body, numbers, strict=True):
        if len(cells) > width:
            extra = [cell for cell in cells[width:] if cell is not None and str(cell).strip() != ""]
            if extra:
                overflow.append(
                    Problem(
                        "the row has more cells than the header has columns",
                        row=number,
                        value=str(extra[0]),
                        **where,
                    )
                )
            padded.append(cells[:width])
        else:
            padded.append(cells + [None] * (width - len(cells)))
    frame = (
        pd.DataFrame(padded, columns=names, dtype=object)
        if padded
        else pd.DataFrame(columns=names, dtype=object)
    )
    frame = frame.loc[
        :, [name for name in names if not name.startswith("__blank_") or frame[name].notna().any()]
    ]
    row_numbers = pd.Series(numbers, index=frame.index, dtype="int64")

    column_of = {position: name for position, name in enumerate(names)}
    for row_number, position in sorted(grid.formulas_without_value):
        if row_number <= grid.row_numbers[index]:
            continue
        name = column_of.get(position, "")
        overflow.append(
            Problem(
                "formula without a saved value: open the file in Excel and save it, or type the value",
                row=row_number,
                column=name,
                **where,
            )
        )
    return RawTable(
        file=grid.file,
        sheet=grid.sheet,
        header_row=grid.row_numbers[index],
        frame=frame,
        row_numbers=row_numbers,
        headers=headers,
        decimal_default=grid.decimal_default,
        problems=overflow,
        template_version=grid.template_version,
    )

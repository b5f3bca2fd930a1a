"""Excel workbooks people read: one sheet per table, frozen header, filters, number formats, widths, no formula."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from skills.cells import xlsx_text
from skills.regions import named_regions

#: Number formats: whole counts, amounts with two decimals, shares as per cent.
COUNT_FORMAT = "#,##0"
AMOUNT_FORMAT = "#,##0.00"


def _cell(value: Any) -> Any:
    """A value an xlsx cell holds as the user wrote it: text is never a formula, missing is empty."""
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return xlsx_text(value)


def add_sheet(workbook: Workbook, title: str, frame: pd.DataFrame) -> None:
    """Append ``frame`` as a sheet: header row frozen and filtered, numbers formatted, columns sized to their text;
    regions by name, their NUTS codes beside them (:func:`skills.regions.named_regions`)."""
    frame = named_regions(frame)
    sheet = workbook.create_sheet(title=title[:31])
    columns = [str(column) for column in frame.columns]
    sheet.append([_cell(column) for column in columns])
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_cell(value) for value in row])
    for position, column in enumerate(columns, start=1):
        values = frame.iloc[:, position - 1]
        letter = get_column_letter(position)
        if pd.api.types.is_integer_dtype(values) and column != "year" and not column.endswith("_id"):
            number_format = COUNT_FORMAT
        elif pd.api.types.is_float_dtype(values):
            number_format = AMOUNT_FORMAT
        else:
            number_format = None
        if number_format and len(frame):
            for (cell,) in sheet.iter_rows(min_row=2, max_row=len(frame) + 1, min_col=position, max_col=position):
                cell.number_format = number_format
        width = max([len(column), *(len(str(v)) for v in values.iloc[:200].tolist())]) if len(frame) else len(column)
        sheet.column_dimensions[letter].width = min(60, max(10, width + 2))
    sheet.freeze_panes = "A2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(frame) + 1)}"


def write_workbook(sheets: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write ``sheets`` (title -> table) to ``path`` in order; every text cell stays text."""
    target = Path(path)
    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    for title, frame in sheets.items():
        add_sheet(workbook, title, frame)
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)
    return target

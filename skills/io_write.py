"""Export: tables and import reports written as CSV, JSON or XLSX with text cells made safe."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import IO

import pandas as pd

from skills.cells import csv_bytes, neutralise_frame, xlsx_text
from skills.errors import InputError, Report
from skills.kinds import EXPORT_FORMATS


def write_table(
    frame: pd.DataFrame, target: str | Path | IO[bytes], format: str = "csv", *, sheet: str = "data"
) -> None:
    """Write a table as CSV (UTF-8 with BOM, for Excel), JSON (records) or XLSX.

    CSV and XLSX text cells are neutralised (:mod:`skills.cells`); JSON keeps the
    exact text (it is not opened by spreadsheets). Numbers stay numbers.

    Parameters
    ----------
    frame
        The table; a named index is written as a column.
    target
        A path or a binary buffer.
    format
        ``csv``, ``json`` or ``xlsx``.
    """
    if format not in EXPORT_FORMATS:
        msg = f"unknown export format {format!r}; expected one of {', '.join(EXPORT_FORMATS)}"
        raise InputError(msg)
    flat = frame.reset_index() if frame.index.name is not None else frame.reset_index(drop=True)
    if format == "json":
        text = flat.to_json(orient="records", force_ascii=False, indent=1, date_format="iso")
        _write_bytes(target, (text or "[]").encode("utf-8"))
        return
    if format == "csv":
        _write_bytes(target, csv_bytes(flat))
        return
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralise_frame(flat, xlsx_text).to_excel(
            writer, sheet_name=sheet[:31] or "data", index=False
        )
    _write_bytes(target, buffer.getvalue())


def _write_bytes(target: str | Path | IO[bytes], data: bytes) -> None:
    if isinstance(target, str | Path):
        Path(target).write_bytes(data)
    else:
        target.write(data)


def report_to_frame(report: Report) -> pd.DataFrame:
    """Every problem of an import report as a table (severity, file, sheet, table, row, column, value, message)."""
    columns = ["severity", "file", "sheet", "table", "row", "column", "value", "message"]
    frame = pd.DataFrame(
        [{name: getattr(p, name) for name in columns} for p in report.problems], columns=columns
    )
    frame["row"] = frame["row"].astype("Int64")
    return frame


def write_report(report: Report, target: str | Path | IO[bytes], format: str = "csv") -> None:
    """Download form of an import report: the problems table, with the counts on top for XLSX/JSON."""
    frame = report_to_frame(report)
    if format == "json":
        _write_bytes(
            target,
            json.dumps(report.as_dict(), ensure_ascii=False, indent=1, default=str).encode("utf-8"),
        )
        return
    write_table(frame, target, format, sheet="problems")


def export_table(
    frame: pd.DataFrame, *, format: str = "csv", out: str | Path | None = None
) -> bytes:
    """``vetplan export TABLE [--format csv|json|xlsx] [--out FILE]``: the bytes (also written to ``out``)."""
    buffer = io.BytesIO()
    write_table(frame, buffer, format)
    data = buffer.getvalue()
    if out is not None:
        Path(out).write_bytes(data)
    return data

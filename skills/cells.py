"""Spreadsheet-safe cells: text that no spreadsheet runs as a formula, in CSV or xlsx, however it is split."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from typing import Final

import pandas as pd

#: Characters that make a spreadsheet treat the text after them as a formula (CSV/formula injection).
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
#: Where a spreadsheet may start a new cell inside one text value: line breaks, and the separators
#: of English (``,``), Danish/German (``;``) and tab-separated CSV.
CELL_BREAKS: Final = ("\r", "\n", "\t", ",", ";")
#: A position that starts a cell (the text's start, or just after a break) followed by a trigger.
_RISKY_START: Final = re.compile(
    "(?:^|(?<=[" + re.escape("".join(CELL_BREAKS)) + "]))(?=[" + re.escape("".join(FORMULA_TRIGGERS)) + "])"
)
#: Characters an xlsx file (XML 1.0) cannot hold: C0 controls but tab, LF and CR (openpyxl refuses
#: them), lone surrogates and the non-characters U+FFFE and U+FFFF (openpyxl writes them, and Excel
#: then cannot open the file); shown as U+FFFD instead.
_XLSX_ILLEGAL: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def safe_text(value: object) -> object:
    """Neutralise text a spreadsheet would run as a formula: ``'`` before every ``= + - @``, tab or CR
    that starts the text or follows a line break or separator.

    Splitting the result on any line break, ``,``, ``;`` or tab never yields a piece that starts with a
    formula character. Numbers and other non-text values are returned unchanged.

    >>> safe_text("=1+1"), safe_text("Acme A/S\\r=cmd"), safe_text("x;-2"), safe_text(-5), safe_text("PLC")
    ("'=1+1", "Acme A/S\\r'=cmd", "x;'-2", -5, 'PLC')
    """
    if isinstance(value, str):
        return _RISKY_START.sub("'", value)
    return value


def xlsx_text(value: object) -> object:
    """:func:`safe_text`, with characters an xlsx file cannot hold replaced by U+FFFD."""
    value = safe_text(value)
    if isinstance(value, str):
        return _XLSX_ILLEGAL.sub("\ufffd", value)
    return value


def neutralise_frame(frame: pd.DataFrame, text: Callable[[object], object] = safe_text) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and column name) passed through ``text`` (:func:`safe_text`).

    Numeric, boolean and date columns are untouched, so numbers stay numbers in the written file.
    """
    result = frame.copy()
    result.columns = [text(str(column)) for column in result.columns]
    for position in range(result.shape[1]):
        column = result.iloc[:, position]
        dtype = column.dtype
        if (
            pd.api.types.is_numeric_dtype(dtype)
            or pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_datetime64_any_dtype(dtype)
        ):
            continue
        result.isetitem(position, column.map(text).astype(object).to_numpy())
    return result


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV for Excel (UTF-8 with BOM), neutralised, every text field quoted.

    Quoting every text field means a CR, LF, ``,`` or ``;`` inside a value never ends its cell
    in a reader that honours quotes; :func:`safe_text` covers readers that do not.
    """
    text = neutralise_frame(frame).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    return text.encode("utf-8-sig")

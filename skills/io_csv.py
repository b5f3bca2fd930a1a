"""CSV intake: encoding detection (UTF-8 with/without BOM, cp1252), separator sniffing, raw rows."""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from typing import Final

from skills.errors import InputError, Problem
from skills.io_grid import HEADER_SCAN_ROWS, Grid

SEPARATORS: Final = (";", "\t", ",")
#: decimal mark implied by the separator (Danish/German Excel writes ; and decimal commas)
DECIMAL_BY_SEPARATOR: Final[dict[str, str | None]] = {";": ",", ",": ".", "\t": None}


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode CSV bytes: UTF-16 by BOM, else UTF-8 (BOM optional, strict), else cp1252.

    Returns the text and the encoding used. Raises :class:`InputError` when neither fits.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        message = (
            f"is neither UTF-8 nor Windows-1252 text (undecodable byte at position {error.start})"
        )
        raise InputError(f"{name}: {message}", [Problem(message, file=name)]) from None


def sniff_separator(text: str) -> str:
    """Choose ``;``, tab or ``,``: the one that splits the top rows into the most consistent columns.

    Title rows above the header have one cell whatever the separator; the header and
    data rows agree on their cell count only for the right separator.
    """
    head = "\n".join(text.splitlines()[: HEADER_SCAN_ROWS + 5])
    best: tuple[int, int, int] = (0, 0, 0)
    chosen = ","
    for rank, separator in enumerate(reversed(SEPARATORS)):
        try:
            counts = [
                len(record)
                for record in csv.reader(io.StringIO(head), delimiter=separator)
                if record
            ]
        except csv.Error:
            continue
        wide = [count for count in counts if count >= 2]
        if not wide:
            continue
        width, agreeing = Counter(wide).most_common(1)[0]
        score = (agreeing, width, rank)
        if score > best:
            best, chosen = score, separator
    return chosen


def read_csv_grid(data: bytes, name: str) -> Grid:
    """Read CSV bytes into a :class:`Grid` of text cells with their row (record) numbers.

    A first line ``sep=;`` (Excel's hint) sets the separator and is not counted as a row.
    """
    text, _ = decode_text(data, name)
    separator: str | None = None
    first_line, _, rest = text.partition("\n")
    if first_line.strip().lower().startswith("sep=") and len(first_line.strip()) == 5:
        separator = first_line.strip()[4]
        text = rest
    if separator is None:
        separator = sniff_separator(text)
    rows: list[list[object]] = []
    numbers: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        for number, record in enumerate(reader, start=1):
            cells: list[object] = [cell if cell.strip() != "" else None for cell in record]
            if any(cell is not None for cell in cells):
                rows.append(cells)
                numbers.append(number)
    except csv.Error as error:
        message = f"is not valid CSV near row {reader.line_num}: {error}"
        raise InputError(
            f"{name}: {message}", [Problem(message, file=name, row=reader.line_num)]
        ) from None
    return Grid(
        file=name,
        sheet="",
        rows=rows,
        row_numbers=numbers,
        decimal_default=DECIMAL_BY_SEPARATOR.get(separator),
    )

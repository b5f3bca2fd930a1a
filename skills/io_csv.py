"""CSV intake: encoding detection (UTF-8 with/without BOM, cp1252), separator sniffing, raw rows."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from typing import Final

from skills.errors import InputError, Problem
from skills.io_grid import HEADER_SCAN_ROWS, Grid

SEPARATORS: Final = (";", "\t", ",")
#: decimal mark implied by the separator (Danish/German Excel writes ; and decimal commas)
DECIMAL_BY_SEPARATOR: Final[dict[str, str | None]] = {";": ",", ",": ".", "\t": None}


#: Byte-order marks of the UTF-16 and UTF-32 encodings (the longer UTF-32 marks first).
UNICODE_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: A well-formed UTF-8 sequence of two to four bytes: evidence that a file was written as UTF-8.
_UTF8_MULTIBYTE: Final = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _refused(name: str, message: str, problems: list[Problem] | None = None) -> InputError:
    return InputError(f"{name}: {message}", problems or [Problem(message, file=name)])


def utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when the head of ``data`` is plain text in UTF-16 without a BOM.

    Latin text in UTF-16 has a NUL as every second byte; which half holds them tells the byte order.
    """
    head = data[:4096]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """Decode CSV bytes: UTF-16/32 by BOM (or UTF-16 by its NUL pattern), else UTF-8 (BOM optional,
    strict), else cp1252.

    A file that is UTF-8 except for some rows (one row pasted from a Windows program, say) is
    refused with one problem per such row: decoding all of it as cp1252 would turn every
    ``ø`` of the other rows into ``Ã¸``. Returns the text and the encoding used.
    """
    for bom, encoding in UNICODE_BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                message = f"starts as {encoding.upper()} text but byte {error.start + 1} is not {encoding.upper()}; save it again as CSV UTF-8"
                raise _refused(name, message) from None
    bom_free = utf16_without_bom(data)
    if bom_free is not None:
        try:
            return data.decode(bom_free), bom_free
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _UTF8_MULTIBYTE.search(data):
        raise _mixed_encoding(data, name)
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        message = (
            f"is neither UTF-8 nor Windows-1252 text (undecodable byte at position {error.start})"
        )
        raise _refused(name, message) from None


def _mixed_encoding(data: bytes, name: str) -> InputError:
    """The rows of a mostly UTF-8 file that are not UTF-8, each with the column of its first bad cell."""
    lines = data.removeprefix(codecs.BOM_UTF8).split(b"\n")
    separator = sniff_separator(data.decode("utf-8", errors="replace")).encode()
    header = [cell.strip(b' "\r').decode("utf-8", errors="replace") for cell in lines[0].split(separator)]
    problems: list[Problem] = []
    for number, line in enumerate(lines, start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            cells = line.split(separator)
            position = next(
                (index for index, cell in enumerate(cells) if not _is_utf8(cell)), 0
            )
            problems.append(
                Problem(
                    "this row is not UTF-8 text, while the rest of the file is (perhaps pasted from another "
                    "program); retype its special letters or save the whole file again as CSV UTF-8",
                    file=name,
                    row=number,
                    column=header[position] if position < len(header) else f"column {position + 1}",
                    value=cells[position].decode("cp1252", errors="replace").strip('"\r') if cells else "",
                )
            )
    message = f"mixes encodings: {len(problems)} row(s) are not UTF-8 while the rest of the file is"
    return _refused(name, message, problems)


def _is_utf8(cell: bytes) -> bool:
    try:
        cell.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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

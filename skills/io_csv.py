"""CSV intake: encoding detection (UTF-8/16/32, cp1252, mixed files refused by row), separator sniffing, raw rows."""

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
#: One physical line with its end, as the CSV reader splits them.
_LINE: Final = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_TEXT_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")


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
    if _written_as_utf8(data):
        raise _mixed_encoding(data, name)
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        message = (
            f"is neither UTF-8 nor Windows-1252 text (undecodable byte at position {error.start})"
        )
        raise _refused(name, message) from None


def _split_lines(data: bytes) -> list[bytes]:
    """Physical lines with their ends, split as the CSV reader counts lines (CR LF, LF or CR)."""
    return _LINE.findall(data)


def _sep_line(text: str) -> tuple[str | None, str]:
    """Excel's ``sep=;`` first line: (the separator, the text after it), or (None, the text)."""
    first_line, _, rest = text.partition("\n")
    hint = first_line.rstrip("\r").strip(" ")  # not .strip(): the separator may be a tab
    if hint.lower().startswith("sep=") and len(hint) == 5:
        return hint[4], rest
    return None, text


def _guess_header(records: list[list[str]]) -> tuple[int, list[str]]:
    """(position, cells) of the likely header among the top records: the first of the widest.

    Title rows above a header have fewer filled cells than the header and the data.
    """
    top = records[:HEADER_SCAN_ROWS]
    filled = [sum(cell.strip() != "" for cell in record) for record in top]
    if not filled or max(filled) < 2:
        return -1, []
    position = filled.index(max(filled))
    return position, [cell.strip().lstrip("\ufeff") for cell in top[position]]


def _mixed_encoding(data: bytes, name: str) -> InputError:
    """The rows of a mostly UTF-8 file that are not UTF-8, each with the column of its first bad cell.

    Rows are counted as :func:`read_csv_grid` counts them (records, a ``sep=`` line not
    counted), so they match every other problem of the import; the bad cell is found in the
    record's own bytes, so separators inside quotes do not shift it.
    """
    lines = _split_lines(data.removeprefix(codecs.BOM_UTF8))
    foreign = {index for index, line in enumerate(lines) if not _is_utf8(line)}
    text = "".join(
        line.decode("cp1252", errors="replace") if index in foreign else line.decode("utf-8")
        for index, line in enumerate(lines)
    )
    separator, body = _sep_line(text)
    skipped = len(lines) - len(_split_lines(body.encode("utf-8", errors="replace")))
    separator = separator or sniff_separator(body)
    records: list[tuple[list[str], int, int]] = []  # cells, first and past-last physical line
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=separator)
    previous = 0
    try:
        for record in reader:
            records.append((record, previous + skipped, reader.line_num + skipped))
            previous = reader.line_num
    except csv.Error:  # unbalanced quotes: one record per line
        records = [
            (line.decode("latin-1").rstrip("\r\n").split(separator), index, index + 1)
            for index, line in enumerate(lines[skipped:], start=skipped)
        ]
    header_position, header = _guess_header([cells for cells, _, _ in records])
    problems: list[Problem] = []
    for position, (cells, first, last) in enumerate(records):
        if not foreign.intersection(range(first, last)):
            continue
        raw = b"".join(lines[first:last]).decode("latin-1")
        raw_cells = next(csv.reader(io.StringIO(raw, newline=""), delimiter=separator), [])
        column = next(
            (index for index, cell in enumerate(raw_cells) if not _is_utf8(cell.encode("latin-1"))),
            0,
        )
        named = position > header_position and column < len(header) and header[column] != ""
        problems.append(
            Problem(
                "this row is not UTF-8 text, while the rest of the file is (perhaps pasted from another "
                "program); retype its special letters or save the whole file again as CSV UTF-8",
                file=name,
                row=position + 1,
                column=header[column] if named else f"column {column + 1}",
                value=cells[column].strip() if column < len(cells) else "",
            )
        )
    message = f"mixes encodings: {len(problems)} row(s) are not UTF-8 while the rest of the file is"
    return _refused(name, message, problems)


def _written_as_utf8(data: bytes) -> bool:
    """Evidence that a file that is not all UTF-8 was written as UTF-8: a UTF-8 BOM, or a line
    that is valid UTF-8 and holds letters beyond ASCII.

    Whole lines are the test, so a cp1252 file is not taken for UTF-8 because two of its
    bytes happen to form a UTF-8 sequence in a line that has other cp1252 letters.
    """
    if data.startswith(codecs.BOM_UTF8):
        return True
    return any(max(line, default=0) >= 0x80 and _is_utf8(line) for line in _split_lines(data))


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
    # lines as the CSV reader splits them: str.splitlines would also split on U+001C-U+001E and
    # U+0085 inside a cell, and a control character typed into one cell must not change the separator
    head = "\n".join(
        _TEXT_LINE_BREAK.split(text, maxsplit=HEADER_SCAN_ROWS + 5)[: HEADER_SCAN_ROWS + 5]
    )
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
    separator, text = _sep_line(text)
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

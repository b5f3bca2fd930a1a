"""Hardened file intake: size caps, file-type checks by extension and magic bytes, zip and sheet-size bombs."""

from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

import openpyxl
import openpyxl.xml
from defusedxml import DefusedXmlException
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.xml.constants import COMMENTS_NS

from skills.errors import InputError, Problem
from skills.settings import Settings, load_settings

# openpyxl parses every part of a workbook with defusedxml when it is installed;
# refuse to run without it (billion-laughs and external-entity attacks).
if openpyxl.xml.DEFUSEDXML is not True:  # pragma: no cover - depends on the environment
    msg = "defusedxml is not installed: openpyxl would parse untrusted XML unsafely"
    raise ImportError(msg)

EXCEL_EXTENSIONS: Final = (".xlsx", ".xlsm")
ACCEPTED_EXTENSIONS: Final = (*EXCEL_EXTENSIONS, ".csv")
ZIP_MAGIC: Final = b"PK\x03\x04"
#: A compressed part may inflate at most this many times (deflate tops out near 1 000:1).
MAX_COMPRESSION_RATIO: Final = 200.0
#: Parts smaller than this are not held to the ratio cap (tiny XML compresses extremely well).
RATIO_EXEMPT_BYTES: Final = 1_000_000
MAX_ZIP_ENTRIES: Final = 2_000
#: Magic bytes of binary formats people rename by mistake (or on purpose).
BINARY_SIGNATURES: Final[dict[bytes, str]] = {
    b"MZ": "a Windows program (.exe/.dll)",
    b"\x7fELF": "a Linux program",
    b"\xd0\xcf\x11\xe0": "an old binary Office file (.xls/.doc); save it as .xlsx",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
}

#: A worksheet may use at most this many rows, columns, and cells (rows × columns from A1);
#: counted from its real cells, never from its ``dimension`` tag.
MAX_SHEET_ROWS: Final = 200_000
MAX_SHEET_COLUMNS: Final = 500
MAX_SHEET_CELLS: Final = 10_000_000
#: Merged ranges, linked ranges and comment ranges on one sheet may cover at most this many
#: cells together (openpyxl creates an object for every cell they cover).
MAX_RANGE_CELLS: Final = 250_000
#: Worksheet XML is scanned in pieces of this size; no single tag may be longer than this.
SCAN_CHUNK_BYTES: Final = 1 << 20


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the intake checks: its name, bytes and format (``"xlsx"`` or ``"csv"``)."""

    name: str
    data: bytes
    format: str
    #: uncompressed size of each worksheet part (xlsx only), in bytes
    sheet_sizes: tuple[int, ...] = ()
    #: size of every worksheet from its cells (xlsx only); None when not scanned yet
    sheets: tuple[SheetExtent, ...] | None = None


@dataclass(frozen=True)
class SheetExtent:
    """The size of one worksheet as its cells (not its ``dimension`` tag) say."""

    #: sheet name as the workbook shows it
    sheet: str
    #: path of the worksheet part inside the zip
    part: str
    #: last row and column any cell, row, merged range, link or comment reaches (1-based)
    rows: int
    columns: int
    #: number of cell elements
    cells: int
    #: uncompressed size of the part, in bytes
    part_size: int
    #: comment parts that belong to the sheet
    comment_parts: tuple[str, ...] = field(default=())


def _reject(name: str, message: str) -> InputError:
    return InputError(f"{name}: {message}", [Problem(message, file=name)])


def read_upload(
    source: str | Path | bytes,
    *,
    name: str | None = None,
    settings: Settings | None = None,
) -> CheckedFile:
    """Read a file for import and check it before any parser sees it.

    Parameters
    ----------
    source
        A path, or the bytes of an upload (then ``name`` gives its file name).
    name
        File name used for the extension check and in every message.
    settings
        Caps (``max_upload_mb``, ``max_unzipped_mb``); read from the environment when omitted.

    Returns
    -------
    CheckedFile
        The bytes and the detected format.

    Raises
    ------
    InputError
        When the file is too large, is not .xlsx/.xlsm/.csv by extension *and* content,
        or (xlsx) its zip directory promises more data than the decompression budget.
    """
    settings = settings or load_settings()
    cap = int(settings.max_upload_mb * 1024 * 1024)
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        label = name or "upload"
    else:
        path = Path(source)
        label = name or path.name
        try:
            status = path.stat()
        except OSError as error:
            raise _reject(label, f"cannot be read ({error.strerror or error})") from None
        if not stat.S_ISREG(status.st_mode):
            # a named pipe would block the read for ever, a device would never end
            raise _reject(label, "is not a regular file (a folder, pipe or device); name the file itself")
        size = status.st_size
        if size > cap:
            raise _reject(
                label, f"is {size / 1024 / 1024:.1f} MB; the limit is {settings.max_upload_mb:g} MB"
            )
        try:
            data = path.read_bytes()
        except OSError as error:
            raise _reject(label, f"cannot be read ({error.strerror or error})") from None
    if len(data) > cap:
        raise _reject(
            label,
            f"is {len(data) / 1024 / 1024:.1f} MB; the limit is {settings.max_upload_mb:g} MB",
        )
    if not data:
        raise _reject(label, "is empty")

    extension = Path(label).suffix.lower()
    if extension not in ACCEPTED_EXTENSIONS:
        raise _reject(
            label,
            f"has the extension {extension or '(none)'!r}; only .xlsx, .xlsm and .csv files are accepted",
        )
    for signature, what in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise _reject(label, f"is {what}, not a spreadsheet")
    if extension in EXCEL_EXTENSIONS:
        if not data.startswith(ZIP_MAGIC):
            raise _reject(
                label, "is not an Excel workbook (an .xlsx file is a zip archive; this one is not)"
            )
        check_zip_budget(data, label, settings)
        sheets = check_sheet_extents(data, label)
        return CheckedFile(label, data, "xlsx", tuple(sheet.part_size for sheet in sheets), sheets)
    if data.startswith(ZIP_MAGIC):
        raise _reject(
            label,
            "is a zip archive (perhaps an Excel file renamed to .csv); save it as .xlsx or real CSV",
        )
    from skills.io_csv import UNICODE_BOMS, utf16_without_bom

    unicode_text = data.startswith(tuple(bom for bom, _ in UNICODE_BOMS)) or utf16_without_bom(data)
    if b"\x00" in data[:8192] and not unicode_text:
        raise _reject(label, "contains binary data (NUL bytes); it is not a CSV text file")
    return CheckedFile(label, data, "csv")


def check_zip_budget(data: bytes, name: str, settings: Settings) -> tuple[int, ...]:
    """Check a zip's central directory against the decompression budget before inflating anything.

    Python's :mod:`zipfile` never inflates a member beyond the size its directory
    entry declares, so bounding the declared sizes bounds the real work.

    Returns the declared uncompressed sizes of the worksheet parts.
    """
    budget = int(settings.max_unzipped_mb * 1024 * 1024)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,  # e.g. "zip file version 6.4" from a damaged directory entry
        OSError,
        ValueError,
        EOFError,
    ):
        raise _reject(name, DAMAGED_ZIP) from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _reject(
            name,
            f"has {len(entries)} parts inside; a workbook with more than {MAX_ZIP_ENTRIES} is refused",
        )
    if any(entry.flag_bits & 0x1 for entry in entries):
        raise _reject(name, "is password-protected (encrypted); save it again without a password")
    total = 0
    sheet_sizes: list[int] = []
    for entry in entries:
        total += entry.file_size
        if entry.file_size > RATIO_EXEMPT_BYTES:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise _reject(
                    name,
                    f"part {entry.filename} would inflate {ratio:.0f} times (limit {MAX_COMPRESSION_RATIO:.0f}): refused as a possible zip bomb",
                )
        if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml"):
            sheet_sizes.append(entry.file_size)
    if total > budget:
        raise _reject(
            name,
            f"would unpack to {total / 1024 / 1024:.0f} MB; the limit is {settings.max_unzipped_mb:g} MB (possible zip bomb)",
        )
    return tuple(sheet_sizes)


# ---- worksheet size: bounded before openpyxl reads a cell ------------------------------------------

DAMAGED_ZIP: Final = (
    "is not a readable Excel workbook (damaged zip archive: it is cut off or corrupted)"
)
UNSAFE_ENTITIES: Final = (
    "contains unsafe XML (EntitiesForbidden: entity declarations, a possible XML bomb): refused"
)
UNSAFE_DOCTYPE: Final = (
    "contains unsafe XML (a document type declaration, which Excel never writes): refused"
)


def _number(count: int) -> str:
    """A count as people write it here: 200 000."""
    return f"{count:,}".replace(",", " ")


_LIMITS: Final = f"limit {MAX_SHEET_COLUMNS} columns × {_number(MAX_SHEET_ROWS)} rows"

_PREFIX: Final = rb"(?:[^\s<>/:=\"']+:)?"
_QUOTED: Final = rb"(?:\"[^\"]*\"|'[^']*')"
_ATTRIBUTE: Final = rb"\s+[^\s<>/=\"']+\s*=\s*" + _QUOTED
#: start tags that place cells: the reference attribute is captured when it comes first
#: (as Excel and openpyxl write it); otherwise the attributes are split one by one
_SHEET_TAG: Final = re.compile(
    rb"<" + _PREFIX + rb"(c|row|mergeCell|hyperlink)"
    rb"(?:\s+(r|ref)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'))?"
    rb"(?:" + _ATTRIBUTE + rb")*\s*/?>"
)
_COMMENT_TAG: Final = re.compile(
    rb"<" + _PREFIX + rb"(comment)"
    rb"(?:\s+(r|ref)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'))?"
    rb"(?:" + _ATTRIBUTE + rb")*\s*/?>"
)
_TAG_OF_INTEREST: Final = re.compile(
    rb"<" + _PREFIX + rb"(?:c|row|mergeCell|hyperlink|comment)[\s/>]"
)
#: any start tag the scan follows, and the plain forms Excel writes
_ANY_SHEET_TAG: Final = re.compile(rb"<" + _PREFIX + rb"(c|row|mergeCell|hyperlink)[\s/>]")
_PLAIN_CELL: Final = re.compile(rb"<c\s+r=\"([A-Za-z]{1,3}[0-9]{1,9})\"")
_PLAIN_ROW: Final = re.compile(rb"<row\s+r=\"([0-9]{1,9})\"")
_LETTERS: Final = bytes(range(ord("A"), ord("Z") + 1)) + bytes(range(ord("a"), ord("z") + 1))
#: a cell start tag and the text of the value element right after it
_VALUED_CELL: Final = re.compile(
    rb"<" + _PREFIX + rb"c((?:" + _ATTRIBUTE + rb")*)\s*>\s*<" + _PREFIX + rb"v\s*>([^<]*)<"
)
_ATTRIBUTE_PARTS: Final = re.compile(rb"\s+([^\s<>/=\"']+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_CELL_REF: Final = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,9})")
_RANGE_REF: Final = re.compile(
    rb"\$?([A-Za-z]{1,3})\$?([0-9]{1,9})(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,9}))?"
)
_ROW_NUMBER: Final = re.compile(rb"([0-9]{1,9})(?:\.0*)?")
_XML_ENCODING: Final = re.compile(rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
#: encodings that keep XML markup in plain ASCII bytes (what the scan reads)
_ASCII_MARKUP: Final = re.compile(
    rb"(?i)utf-?8|us-ascii|ascii|iso[-_]?8859-[0-9]{1,2}|latin-?1|windows-125[0-8]|cp125[0-8]"
)


def _refusal(
    name: str, sheet: str, message: str, *, row: int | None = None, column: str = ""
) -> InputError:
    return InputError(
        f"{name}: sheet {sheet}: {message}",
        [Problem(message, file=name, sheet=sheet, row=row, column=column)],
    )


def unreadable(name: str, what: str, *, sheet: str = "") -> InputError:
    """An :class:`InputError` saying, in the user's words, which part of a workbook is damaged."""
    message = f"is not a readable Excel workbook: {what}"
    where = f"sheet {sheet}: " if sheet else ""
    return InputError(f"{name}: {where}{message}", [Problem(message, file=name, sheet=sheet)])


def unsafe_xml(error: BaseException) -> bool:
    """Whether ``error`` (or an exception it was raised from) is defusedxml refusing unsafe XML."""
    current: BaseException | None = error
    for _ in range(10):
        if current is None:
            return False
        if isinstance(current, DefusedXmlException):
            return True
        current = current.__cause__ or current.__context__
    return False


def _shown(text: bytes) -> str:
    """A reference as it appears in the file, cut short for a message."""
    shown = text.decode("utf-8", errors="replace")
    return shown if len(shown) <= 40 else shown[:40] + "…"


def _reference(match: re.Match[bytes], attribute: bytes) -> bytes | None:
    """The value of ``attribute`` in a start tag matched by one of the tag patterns."""
    name, double, single = match.group(2, 3, 4)
    if name == attribute:
        return double if double is not None else single
    for found in _ATTRIBUTE_PARTS.finditer(match.group(0), match.end(1) - match.start(0)):
        if found.group(1) == attribute:
            value = found.group(2) if found.group(2) is not None else found.group(3)
            return value if isinstance(value, bytes) else b""
    return None


def _chunks(stream: IO[bytes], fail: Any) -> Iterator[tuple[bytes, int]]:
    """An XML stream in pieces ``(buffer, end)``: ``buffer[:end]`` holds whole tags only.

    A piece ends just before its last ``<`` (no tag contains one), and the rest is carried
    to the next piece. ``fail(message)`` returns the exception to raise for XML the scan
    refuses to read: another encoding than an ASCII-compatible one, a DTD, a tag of
    interest longer than a chunk.
    """
    head = stream.read(SCAN_CHUNK_BYTES)
    if head.startswith((b"\xfe\xff", b"\xff\xfe", b"\x00\x00\xfe\xff")) or b"\x00" in head[:4]:
        raise fail(
            "is stored as UTF-16/UTF-32 text, which Excel never writes; save it again with Excel"
        )
    declared = _XML_ENCODING.match(head.removeprefix(b"\xef\xbb\xbf"))
    if declared is not None and not _ASCII_MARKUP.fullmatch(declared.group(1)):
        raise fail(
            f"is stored in the text encoding {_shown(declared.group(1))!r}, which Excel never writes; save it again with Excel"
        )
    carry = b""
    chunk = head
    while chunk:
        buffer = carry + chunk
        if b"<!DOCTYPE" in buffer:
            raise fail(UNSAFE_ENTITIES if b"<!ENTITY" in buffer else UNSAFE_DOCTYPE)
        cut = buffer.rfind(b"<")
        if cut == -1:
            carry = b""
        else:
            yield buffer, cut
            carry = buffer[cut:]
            if len(carry) > SCAN_CHUNK_BYTES:
                if _TAG_OF_INTEREST.match(carry):
                    raise fail("has a cell tag longer than 1 MB: refused as a possible XML bomb")
                carry = b""  # long text or another tag: the next tag starts at the next "<"
        chunk = stream.read(SCAN_CHUNK_BYTES)
    if carry:
        yield carry, len(carry)


class _SheetScan:
    """Where the cells of one sheet reach, following openpyxl's own numbering of rows and cells.

    openpyxl numbers a row without ``r`` one past the previous row, and a cell without ``r``
    one right of the previous cell in its row; the scan does the same.
    """

    def __init__(self, name: str, sheet: str) -> None:
        self.name = name
        self.sheet = sheet
        self.rows = 0
        self.columns = 0
        self.cells = 0
        self.range_cells = 0
        self.row_counter = 0
        self.column_counter = 0
        self._column_numbers: dict[bytes, int] = {}

    def refuse(self, message: str, *, row: int | None = None, column: str = "") -> InputError:
        return _refusal(self.name, self.sheet, message, row=row, column=column)

    def column_number(self, letters: bytes) -> int:
        number = self._column_numbers.get(letters)
        if number is None:
            number = column_index_from_string(letters.decode("ascii").upper())
            self._column_numbers[letters] = number
        return number

    def reach(self, row: int, column: int, what: str) -> None:
        """Extend the used range to ``row``/``column``; refuse when it exceeds the caps."""
        if row > MAX_SHEET_ROWS or column > MAX_SHEET_COLUMNS:
            raise self.refuse(
                f"{what} is far outside any table ({_LIMITS})",
                row=row if row > MAX_SHEET_ROWS else None,
                column=get_column_letter(min(column, 18_278)) if column > MAX_SHEET_COLUMNS else "",
            )
        rows, columns = max(self.rows, row), max(self.columns, column)
        if rows * columns > MAX_SHEET_CELLS:
            raise self.refuse(
                f"{what} is far outside any table: the sheet would span {columns} columns × "
                f"{_number(rows)} rows, more than {_number(MAX_SHEET_CELLS)} cells",
                row=row,
                column=get_column_letter(column),
            )
        self.rows, self.columns = rows, columns

    def sheet_data(self, stream: IO[bytes]) -> None:
        """Scan a worksheet part: every row and cell, merged range and linked range."""
        for buffer, end in _chunks(stream, self._unreadable):
            if not self._plain_piece(buffer, end):
                self._piece(buffer, end)
            if b'"b"' in buffer or b"'b'" in buffer:
                self._booleans(buffer, end)

    def _booleans(self, buffer: bytes, end: int) -> None:
        """Refuse a TRUE/FALSE cell stored as anything but 1 or 0 (openpyxl reads ``2`` as TRUE)."""
        for match in _VALUED_CELL.finditer(buffer, 0, end):
            attributes = {
                found.group(1): found.group(2) if found.group(2) is not None else found.group(3)
                for found in _ATTRIBUTE_PARTS.finditer(match.group(1))
            }
            value = match.group(2)
            if attributes.get(b"t") == b"b" and value.strip() not in (b"0", b"1"):
                ref = attributes.get(b"r") or b""
                found = _CELL_REF.fullmatch(ref)
                raise self.refuse(
                    f"cell {_shown(ref)} should hold TRUE or FALSE (stored as 1 or 0) but holds {_shown(value)!r}",
                    row=int(found.group(2)) if found else None,
                    column=found.group(1).decode().upper() if found else "",
                )

    def _plain_piece(self, buffer: bytes, end: int) -> bool:
        """Scan a piece in bulk if it is plain (as Excel writes): ``<row r="7">``, ``<c r="B7"``.

        Returns False, changing nothing, for any other piece (a prefix, a tag without
        ``r`` or with ``r`` not first, a merged range, a value out of bounds): the
        tag-by-tag scan then reads it and words the refusal.
        """
        kinds = _ANY_SHEET_TAG.findall(buffer, 0, end)
        if not kinds:
            return True
        cell_count = kinds.count(b"c")
        row_count = kinds.count(b"row")
        if cell_count + row_count != len(kinds):
            return False
        references = _PLAIN_CELL.findall(buffer, 0, end) if cell_count else []
        row_numbers = _PLAIN_ROW.findall(buffer, 0, end) if row_count else []
        if len(references) != cell_count or len(row_numbers) != row_count:
            return False
        rows, columns = self.rows, self.columns
        row_counter, column_counter = self.row_counter, self.column_counter
        if row_numbers:
            numbers = set(map(int, row_numbers))
            if min(numbers) < 1:
                return False
            rows = max(rows, max(numbers))
            row_counter = int(row_numbers[-1])
            column_counter = 0
        if references:
            joined = b" ".join(references)
            letters = set(joined.translate(None, b"0123456789").split())
            cell_rows = set(map(int, joined.translate(None, _LETTERS).split()))
            if min(cell_rows) < 1:
                return False
            rows = max(rows, max(cell_rows))
            columns = max(columns, *map(self.column_number, letters))
            if kinds[-1] == b"c":
                column_counter = self.column_number(references[-1].translate(None, b"0123456789"))
        if (
            rows > MAX_SHEET_ROWS
            or columns > MAX_SHEET_COLUMNS
            or rows * columns > MAX_SHEET_CELLS
            or self.cells + cell_count > MAX_SHEET_CELLS
        ):
            return False
        self.rows, self.columns, self.cells = rows, columns, self.cells + cell_count
        self.row_counter, self.column_counter = row_counter, column_counter
        return True

    def _piece(self, buffer: bytes, end: int) -> None:
        """Scan a piece tag by tag."""
        row_counter, column_counter = self.row_counter, self.column_counter
        cell_ref = _CELL_REF.fullmatch
        for match in _SHEET_TAG.finditer(buffer, 0, end):
            kind = match.group(1)
            if kind == b"c":
                self.cells += 1
                ref = _reference(match, b"r")
                if ref is None:
                    column_counter += 1
                    row, column = max(row_counter, 1), column_counter
                else:
                    found = cell_ref(ref)
                    if found is None:
                        raise self.refuse(
                            f"a cell has the reference {_shown(ref)!r}, which is not a cell address like B7"
                        )
                    row, column = int(found.group(2)), self.column_number(found.group(1))
                    if row < 1:
                        raise self.refuse(
                            f"a cell has the reference {_shown(ref)!r}; row numbers start at 1"
                        )
                    column_counter = column
                if row > self.rows or column > self.columns:
                    self.reach(row, column, f"a cell at {get_column_letter(column)}{row}")
                if self.cells > MAX_SHEET_CELLS:
                    raise self.refuse(f"it holds more than {_number(MAX_SHEET_CELLS)} cells")
            elif kind == b"row":
                ref = _reference(match, b"r")
                if ref is None:
                    row_counter += 1
                else:
                    found = _ROW_NUMBER.fullmatch(ref)
                    if found is None or int(found.group(1)) < 1:
                        raise self.refuse(
                            f"a row is numbered {_shown(ref)!r}; rows are numbered 1, 2, 3 and so on"
                        )
                    row_counter = int(found.group(1))
                column_counter = 0
                if row_counter > self.rows:
                    self.reach(row_counter, *self._far_row(row_counter, buffer, match))
            else:
                what = "merged range" if kind == b"mergeCell" else "linked range"
                self.covered_range(_reference(match, b"ref"), what)
        self.row_counter, self.column_counter = row_counter, column_counter

    def _far_row(self, number: int, buffer: bytes, match: re.Match[bytes]) -> tuple[int, str]:
        """The column and wording for row ``number`` in a refusal: its first cell when it has one."""
        column = max(self.columns, 1)
        if number <= MAX_SHEET_ROWS and number * column <= MAX_SHEET_CELLS:
            return column, ""  # within bounds: nothing is refused
        following = _SHEET_TAG.search(buffer, match.end())
        if following is not None and following.group(1) == b"c":
            ref = _reference(following, b"r")
            found = _CELL_REF.fullmatch(ref) if ref is not None else None
            if found is not None:
                return max(
                    column, self.column_number(found.group(1))
                ), f"a cell at {_shown(ref or b'').upper()}"
        return column, f"row {number}"

    def comments(self, stream: IO[bytes]) -> None:
        """Scan a comments part: openpyxl creates the cell (or every cell of the range) each names."""
        for buffer, end in _chunks(stream, self._unreadable):
            for match in _COMMENT_TAG.finditer(buffer, 0, end):
                self.covered_range(_reference(match, b"ref"), "comment on")

    def covered_range(self, ref: bytes | None, what: str) -> None:
        """Check a range openpyxl fills cell by cell: merged cells, links, comments."""
        if ref is None:
            raise self.refuse(f"a {what.removesuffix(' on')} has no cell reference")
        found = _RANGE_REF.fullmatch(ref)
        if found is None:
            raise self.refuse(f"the {what} {_shown(ref)!r} is not a cell range like A1:C2")
        first_letters, first_digits, last_letters, last_digits = found.groups()
        first_row, first_column = int(first_digits), self.column_number(first_letters)
        last_row = int(last_digits) if last_digits is not None else first_row
        last_column = self.column_number(last_letters) if last_letters is not None else first_column
        shown = _shown(ref)
        if first_row < 1 or last_row < first_row or last_column < first_column:
            raise self.refuse(f"the {what} {shown!r} is not a valid range")
        self.reach(last_row, last_column, f"the {what} {shown}")
        self.range_cells += (last_row - first_row + 1) * (last_column - first_column + 1)
        if self.range_cells > MAX_RANGE_CELLS:
            raise self.refuse(
                f"the {what} {shown} brings merged ranges, links and comments to more than "
                f"{_number(MAX_RANGE_CELLS)} cells; unmerge or remove them",
                row=first_row,
                column=get_column_letter(first_column),
            )

    def _unreadable(self, message: str) -> InputError:
        if message in (UNSAFE_ENTITIES, UNSAFE_DOCTYPE):
            return InputError(
                f"{self.name}: {message}", [Problem(message, file=self.name, sheet=self.sheet)]
            )
        return self.refuse(message)


@dataclass(frozen=True)
class WorksheetPart:
    """A worksheet as openpyxl will find it: its name, its part and its comment parts."""

    sheet: str
    part: str
    comment_parts: tuple[str, ...]


def open_package(data: bytes, name: str) -> tuple[ExcelReader, list[WorksheetPart]]:
    """Read a workbook's table of contents and list of sheets the way openpyxl does.

    Returns the reader (its manifest and workbook read, nothing else) and the
    worksheets openpyxl would load. Raises :class:`InputError` naming the damaged part.
    """
    reader = ExcelReader(io.BytesIO(data), read_only=True, keep_vba=False, keep_links=False)
    try:
        reader.read_manifest()
    except Exception as error:
        raise _package_error(
            name, error, "it has no readable list of parts ([Content_Types].xml)"
        ) from None
    try:
        reader.read_workbook()
        worksheets: list[WorksheetPart] = []
        for sheet, relation in reader.parser.find_sheets():
            if relation.target not in reader.valid_files or "chartsheet" in relation.Type:
                continue
            comment_parts: list[str] = []
            relations_path = get_rels_path(relation.target)
            if relations_path in reader.valid_files:
                dependents = get_dependents(reader.archive, relations_path)
                comment_parts = [
                    dependent.target
                    for dependent in dependents.find(COMMENTS_NS)
                    if dependent.target in reader.valid_files
                ]
            worksheets.append(WorksheetPart(str(sheet.name), relation.target, tuple(comment_parts)))
    except Exception as error:
        raise _package_error(
            name, error, "its list of sheets (xl/workbook.xml and its relations) is damaged"
        ) from None
    return reader, worksheets


def _package_error(name: str, error: Exception, what: str) -> InputError:
    if unsafe_xml(error):
        return _reject(name, UNSAFE_ENTITIES)
    if isinstance(error, zipfile.BadZipFile | zlib.error | EOFError):
        return _reject(name, DAMAGED_ZIP)
    return unreadable(name, what)


def check_sheet_extents(data: bytes, name: str) -> tuple[SheetExtent, ...]:
    """Measure every worksheet from its real cells before openpyxl reads it; refuse size bombs.

    A few kilobytes of XML can name a cell at XFD1048576, a merged range over the whole
    sheet, or a link over it; openpyxl would then build billions of cells. Each sheet
    and its comments are scanned in chunks (a regular expression over start tags,
    following openpyxl's numbering of rows and cells without a reference), and refused
    when it reaches beyond :data:`MAX_SHEET_ROWS`, :data:`MAX_SHEET_COLUMNS` or
    :data:`MAX_SHEET_CELLS`, or its ranges cover more than :data:`MAX_RANGE_CELLS`.
    The ``dimension`` tag is ignored: only cells count.

    Raises
    ------
    InputError
        Naming the file, the sheet and the offending cell or range.
    """
    reader, worksheets = open_package(data, name)
    extents: list[SheetExtent] = []
    try:
        with reader.archive:
            for worksheet in worksheets:
                scan = _SheetScan(name, worksheet.sheet)
                with reader.archive.open(worksheet.part) as stream:
                    scan.sheet_data(stream)
                for comment_part in worksheet.comment_parts:
                    with reader.archive.open(comment_part) as stream:
                        scan.comments(stream)
                extents.append(
                    SheetExtent(
                        sheet=worksheet.sheet,
                        part=worksheet.part,
                        rows=scan.rows,
                        columns=scan.columns,
                        cells=scan.cells,
                        part_size=reader.archive.getinfo(worksheet.part).file_size,
                        comment_parts=worksheet.comment_parts,
                    )
                )
    except InputError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
        raise _reject(name, DAMAGED_ZIP) from None
    return tuple(extents)

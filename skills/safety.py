"""Hardened file intake: size caps, file-type checks by extension and magic bytes, zip-bomb budgets."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import openpyxl
import openpyxl.xml

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


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the intake checks: its name, bytes and format (``"xlsx"`` or ``"csv"``)."""

    name: str
    data: bytes
    format: str
    #: uncompressed size of each worksheet part (xlsx only), in bytes
    sheet_sizes: tuple[int, ...] = ()


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
            size = path.stat().st_size
        except OSError as error:
            raise _reject(label, f"cannot be read ({error.strerror or error})") from None
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
        sheet_sizes = check_zip_budget(data, label, settings)
        return CheckedFile(label, data, "xlsx", sheet_sizes)
    if data.startswith(ZIP_MAGIC):
        raise _reject(
            label,
            "is a zip archive (perhaps an Excel file renamed to .csv); save it as .xlsx or real CSV",
        )
    if b"\x00" in data[:8192]:
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
    ) as error:
        raise _reject(name, f"is not a readable Excel workbook (damaged zip: {error})") from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _reject(
            name,
            f"has {len(entries)} parts inside; a workbook with more than {MAX_ZIP_ENTRIES} is refused",
        )
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

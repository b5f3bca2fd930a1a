"""Broken-file corpus runner: hostile files for every ``vetplan import`` kind and for scenarios, run through the CLI.

Generates a seeded corpus (control characters in every text column, formula payloads,
mixed and UTF-16 encodings, huge workbook dimensions, non-finite numbers, overlong ids,
odd cells, duplicate headers, damaged zips, XML bombs, wrong types, bad dates, hostile
scenario YAML and ``--set`` values, odd file names and special files, plus the valid
baseline of each kind), runs each file through the real CLI in a subprocess against a
fresh copy of a sample database (30 s timeout, 3 GiB address-space cap) and classifies
the outcome:

ok        exit 0
refused   exit 2 with a clear message naming the file
CRASH     exit 1 (or another code), or "Traceback" / "internal error" in the output
HANG      the timeout was reached
OOM       killed, or out of memory (MemoryError, bad_alloc, an empty internal error at a high peak)
PARTIAL   exit != 0 but the database content changed (all rows of all tables compared)
UNCLEAR   exit 2 but the message shows raw Python exception text, a value the user never
          typed (-9223372036854775808, nan, <NA>), or names no file

Then, per class, the imports that succeeded are replayed into one database and every
export (``export TABLE --format csv|xlsx``, ``gaps``, ``template``, ``solve --out``,
``scenarios``, ``export plan_*``) is run on it; every exported cell, re-read as a
spreadsheet would (CSV lines split on CR and LF, cells on ``,`` and ``;``; xlsx cells via
openpyxl), that starts with ``= + - @`` (and is not a number) counts as FORMULA.

Usage::

    .venv/bin/python bench/attack.py                 # the whole corpus (about 20-30 minutes)
    .venv/bin/python bench/attack.py --quick         # about 60 files, a few minutes
    .venv/bin/python bench/attack.py --out var/attack-corpus --kinds demand,scenario
    .venv/bin/python bench/attack.py --generate-only --out var/attack-corpus

Findings go to standard output and to var/attack-findings.txt.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import datetime as dt
import hashlib
import json
import os
import random
import re
import resource
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skills.kinds import KINDS  # noqa: E402
from tests.fixtures import hostile as h  # noqa: E402
from tests.fixtures.builders import (  # noqa: E402
    DEMAND_HEADER,
    SURVEY_HEADER,
    xlsx_bytes,
)

TIMEOUT_S = 30.0
MEMORY_CAP_BYTES = 3 * 1024**3
MAX_WORKERS = 2
#: Output read back for classification (the rest is only counted).
OUTPUT_READ_BYTES = 4 * 1024 * 1024
FINDINGS_FILE = ROOT / "var" / "attack-findings.txt"
VERDICTS = ("ok", "refused", "CRASH", "HANG", "OOM", "PARTIAL", "UNCLEAR")
KIND_NAMES = (*KINDS, "scenario")
#: A plain scenario run gets this time limit (the quick check path of ``vetplan solve``).
QUICK_LIMIT = "time_limit_s=1"


# ---- the corpus -------------------------------------------------------------------------------


@dataclass
class Case:
    """One hostile input: a file (or special file) for ``vetplan import KIND`` or ``vetplan solve``."""

    name: str
    klass: str
    kind: str
    data: bytes | None = None
    #: "", or how the file is made: fifo, dev-zero, dev-urandom, directory, missing, loop
    special: str = ""
    #: extra CLI arguments; "{aux:NAME}" is replaced by the path of an aux file
    args: tuple[str, ...] = ()
    #: scenario overrides (``--set``), after the quick time limit
    sets: tuple[str, ...] = ()
    #: texts the "user typed" that the CLI may echo (removed before looking for raw Python text)
    typed: tuple[str, ...] = ()
    #: files beside the case (bytes, or a special kind as above)
    aux: dict[str, bytes | str] = field(default_factory=dict)
    #: scenario: add ``--set time_limit_s=1``
    quick_limit: bool = True
    #: no scenario file: ``vetplan solve`` on the default scenario with ``--set`` values
    no_file: bool = False
    #: what the case is, in a few words (for the findings)
    note: str = ""
    #: an id longer than the 200 characters of the SQL key columns
    overlong: bool = False

    @property
    def expect_name(self) -> str:
        """The name a refusal message should mention."""
        return "--set|overrides" if self.no_file else self.name


@dataclass(frozen=True)
class KindSpec:
    """A file kind: header, valid rows, and which columns are text, numbers and ids."""

    kind: str
    header: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    text: tuple[str, ...]
    numeric: tuple[str, ...]
    ids: tuple[str, ...]
    #: free-text columns whose value is kept and exported (formula payloads go there)
    names: tuple[str, ...] = ()
    xlsx: bool = True

    def value(self, column: str, row: int = 0) -> object:
        return self.rows[row][self.header.index(column)]

    def with_value(self, column: str, value: object, row: int = 0) -> list[list[object]]:
        rows = [list(r) for r in self.rows]
        rows[row][self.header.index(column)] = value
        return rows


SKILL_URI_1 = "http://data.europa.eu/esco/skill/6468e5fb-f3be-4025-87be-4b6556755c61"
SKILL_URI_2 = "http://data.europa.eu/esco/skill/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
OCCUPATION_URI = "http://data.europa.eu/esco/occupation/a7c1d23d-aeca-4bee-9a08-5993ed98b135"

SPECS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            "companies",
            ("company_id", "name", "region", "sector", "employees"),
            (
                ("H001", "Hostile Metal ApS", "DK041", "C25", 40),
                ("H002", "Second Plast A/S", "DK042", "C22", 120),
            ),
            ("company_id", "name", "region", "sector"),
            ("employees",),
            ("company_id",),
            ("name",),
        ),
        KindSpec(
            "demand",
            tuple(DEMAND_HEADER),
            (
                ("C001", "plc_programming", "7223", 3, 1, 3, 2027, "high"),
                ("C002", "cnc_milling", "", 2, 0, 2, 2028, "low"),
            ),
            ("company_id", "skill", "role", "priority"),
            ("headcount", "current_level", "required_level", "needed_by"),
            ("company_id",),
            ("skill", "role"),
        ),
        KindSpec(
            "courses",
            (
                "course_id",
                "title",
                "provider",
                "region",
                "mode",
                "hours",
                "cost_per_participant",
                "fixed_cost_per_run",
                "min_participants",
                "max_participants",
                "max_runs_per_year",
                "language",
            ),
            (
                (
                    "H-100",
                    "PLC advanced",
                    "Hostile Tech",
                    "DK041",
                    "in-person",
                    37,
                    500.0,
                    3000.0,
                    6,
                    12,
                    2,
                    "da",
                ),
                (
                    "H-101",
                    "CNC basic",
                    "Hostile Tech",
                    "DK042",
                    "online",
                    14.8,
                    200.0,
                    1000.0,
                    4,
                    10,
                    1,
                    "da",
                ),
            ),
            ("course_id", "title", "provider", "region", "mode", "language"),
            (
                "hours",
                "cost_per_participant",
                "fixed_cost_per_run",
                "min_participants",
                "max_participants",
                "max_runs_per_year",
            ),
            ("course_id",),
            ("title", "provider"),
        ),
        KindSpec(
            "course_skills",
            ("course_id", "skill", "level", "entry_level"),
            (("K00001", "plc_programming", 3, 1), ("K00002", "cnc_milling", 2, 0)),
            ("course_id", "skill"),
            ("level", "entry_level"),
            ("course_id",),
            ("skill",),
        ),
        KindSpec(
            "supply",
            (
                "skill",
                "occupation",
                "region",
                "hires_available_per_year",
                "cost_per_hire",
                "lead_time_months",
                "balance",
            ),
            (
                ("cnc_milling", "7223", "DK041", 2, 9000.0, 6, "shortage"),
                ("plc_programming", "", "DK042", 1, 12000.0, 3, "balanced"),
            ),
            ("skill", "occupation", "region", "balance"),
            ("hires_available_per_year", "cost_per_hire", "lead_time_months"),
            (),
            ("occupation", "skill"),
        ),
        KindSpec(
            "skills",
            (
                "skill_id",
                "label",
                "label_da",
                "group",
                "aliases",
                "esco_uri",
                "description",
                "description_da",
            ),
            (
                (
                    "hostile_skill",
                    "Hostile skill",
                    "Fjendtlig kompetence",
                    "digital_data",
                    "hostile thing|fjendtlig ting",
                    "",
                    "Does hostile things.",
                    "Gør fjendtlige ting.",
                ),
                (
                    "hostile_other",
                    "Other hostile skill",
                    "Anden kompetence",
                    "transversal",
                    "",
                    "",
                    "",
                    "",
                ),
            ),
            (
                "skill_id",
                "label",
                "label_da",
                "group",
                "aliases",
                "esco_uri",
                "description",
                "description_da",
            ),
            (),
            ("skill_id",),
            ("label", "label_da", "aliases", "description"),
        ),
        KindSpec(
            "survey",
            tuple(SURVEY_HEADER),
            (
                (
                    "H010",
                    "Hostile Survey ApS",
                    "DK041",
                    "C25",
                    40,
                    "plc_programming",
                    "7223",
                    3,
                    1,
                    3,
                    2027,
                    "high",
                ),
                (
                    "H010",
                    "Hostile Survey ApS",
                    "DK041",
                    "C25",
                    40,
                    "cnc_milling",
                    "",
                    2,
                    0,
                    2,
                    2028,
                    "low",
                ),
            ),
            ("company_id", "company_name", "region", "sector", "skill", "role", "priority"),
            ("employees", "headcount", "current_level", "required_level", "needed_by"),
            ("company_id",),
            ("company_name", "role", "skill"),
        ),
        KindSpec(
            "esco-skills",
            (
                "conceptType",
                "conceptUri",
                "skillType",
                "reuseLevel",
                "preferredLabel",
                "altLabels",
                "status",
                "description",
            ),
            (
                (
                    "KnowledgeSkillCompetence",
                    SKILL_URI_1,
                    "skill/competence",
                    "sector-specific",
                    "PLC programming",
                    "PLC\nladder logic",
                    "released",
                    "Program PLCs.",
                ),
                (
                    "KnowledgeSkillCompetence",
                    SKILL_URI_2,
                    "skill/competence",
                    "cross-sector",
                    "hostile welding",
                    "",
                    "released",
                    "Weld things.",
                ),
            ),
            (
                "conceptUri",
                "skillType",
                "reuseLevel",
                "preferredLabel",
                "altLabels",
                "status",
                "description",
            ),
            (),
            ("conceptUri",),
            ("preferredLabel", "altLabels", "description"),
            xlsx=False,
        ),
        KindSpec(
            "esco-occupations",
            (
                "conceptType",
                "conceptUri",
                "iscoGroup",
                "preferredLabel",
                "altLabels",
                "code",
                "description",
            ),
            (
                (
                    "Occupation",
                    OCCUPATION_URI,
                    "7543",
                    "quality inspector",
                    "inspector\nQA inspector",
                    "7543.1",
                    "Inspects products.",
                ),
                (
                    "Occupation",
                    OCCUPATION_URI.replace("a7c1", "b7c1"),
                    "7223",
                    "hostile machinist",
                    "",
                    "7223.2",
                    "Mills parts.",
                ),
            ),
            ("conceptUri", "iscoGroup", "preferredLabel", "altLabels", "code", "description"),
            (),
            ("conceptUri",),
            ("preferredLabel", "altLabels", "description"),
            xlsx=False,
        ),
        KindSpec(
            "esco-relations",
            ("occupationUri", "relationType", "skillType", "skillUri"),
            (
                (OCCUPATION_URI, "essential", "skill/competence", SKILL_URI_1),
                (OCCUPATION_URI, "optional", "knowledge", SKILL_URI_2),
            ),
            ("occupationUri", "relationType", "skillType", "skillUri"),
            (),
            ("occupationUri", "skillUri"),
            ("skillType",),
            xlsx=False,
        ),
    )
}
TABLE_KINDS = ("survey", "companies", "demand", "courses", "course_skills", "supply", "skills")
WIDE_EXPORT = ROOT / "tests" / "fixtures" / "wide_survey_export.csv"
SCENARIO_DIR = ROOT / "data" / "scenarios"


def _safe(text: str) -> str:
    """A file-name fragment: letters, digits and - only."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:40] or "x"


def _needs_raw(value: str) -> bool:
    return value.startswith("=") or any(
        ord(char) < 0x20 or char in h.NONCHARACTERS for char in value
    )


def workbook(
    header: Sequence[object],
    rows: Sequence[Sequence[object]],
    *,
    sheet: str = "data",
    raw: dict[str, str] | None = None,
    escapes: bool = False,
) -> bytes:
    """An xlsx with ``header`` and ``rows``; text openpyxl cannot hold is patched in as raw XML.

    Text cells with control characters (or starting with ``=``, which openpyxl would write
    as a formula) become inline strings with XML character references (or Excel's
    ``_x0001_`` escapes with ``escapes``); ``raw`` maps cell references to whole ``<c>``
    elements written verbatim (their cell must hold some value in ``rows``).
    """
    grid = [list(header), *[list(row) for row in rows]]
    patches: dict[str, str] = {}
    for number, cells in enumerate(grid, start=1):
        for position, value in enumerate(cells, start=1):
            if isinstance(value, str) and _needs_raw(value):
                ref = f"{h.column_letters(position)}{number}"
                text = h.excel_escapes(value) if escapes else value
                patches[ref] = h.inline_text_cell(ref, h.xml_char_refs(text))
                cells[position - 1] = "placeholder"
    data = xlsx_bytes({sheet: grid})
    return h.replace_cells(data, {**patches, **(raw or {})})


def table_bytes(
    spec: KindSpec,
    rows: Sequence[Sequence[object]],
    fmt: str,
    *,
    header: Sequence[object] | None = None,
    separator: str = ",",
    encoding: str = "utf-8",
    raw: dict[str, str] | None = None,
    escapes: bool = False,
) -> bytes:
    """The file of a kind in ``csv`` or ``xlsx``."""
    head = list(spec.header if header is None else header)
    if fmt == "csv":
        return h.quoted_csv([head, *rows], separator=separator, encoding=encoding)
    return workbook(head, rows, sheet=spec.kind.replace("-", "_"), raw=raw, escapes=escapes)


def cell_ref(spec: KindSpec, column: str, row: int = 0, header: Sequence[str] | None = None) -> str:
    """Reference of a data cell (row 0 = the first row under the header)."""
    names = list(spec.header if header is None else header)
    return f"{h.column_letters(names.index(column) + 1)}{row + 2}"


def _ext(fmt: str) -> str:
    return "xlsx" if fmt == "xlsx" else "csv"


def _esco_args(spec: KindSpec, index: int) -> tuple[str, ...]:
    return ("--esco-use", "taxonomy") if spec.kind == "esco-skills" and index % 2 == 0 else ()


def gen_baseline(rng: random.Random) -> list[Case]:
    """The valid file of each kind (csv and xlsx), the wide survey export, and the shipped scenarios."""
    cases: list[Case] = []
    for spec in SPECS.values():
        for fmt in ("csv", "xlsx") if spec.xlsx else ("csv",):
            cases.append(
                Case(
                    f"{spec.kind}-valid.{_ext(fmt)}",
                    "baseline",
                    spec.kind,
                    table_bytes(spec, spec.rows, fmt),
                    note="valid file",
                )
            )
    cases.append(
        Case(
            "esco-skills-valid-taxonomy.csv",
            "baseline",
            "esco-skills",
            table_bytes(SPECS["esco-skills"], SPECS["esco-skills"].rows, "csv"),
            args=("--esco-use", "taxonomy"),
            note="valid, --esco-use taxonomy",
        )
    )
    cases.append(
        Case(
            "wide_survey_export.csv",
            "baseline",
            "survey",
            WIDE_EXPORT.read_bytes(),
            note="wide export (mapping found by fingerprint)",
        )
    )
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        cases.append(
            Case(path.name, "baseline", "scenario", path.read_bytes(), note="shipped scenario")
        )
    return cases


def gen_control_chars(rng: random.Random) -> list[Case]:
    """C0, C1, DEL and U+FFFE in every text column of every kind; plus Excel's _x0001_ escapes."""
    cases: list[Case] = []
    for spec in SPECS.values():
        for index, column in enumerate(spec.text):
            for label, chars in h.CONTROL_SAMPLES.items():
                fmt = rng.choice(("csv", "xlsx")) if spec.xlsx else "csv"
                value = h.with_control(str(spec.value(column)) or "text", chars)
                cases.append(
                    Case(
                        f"{spec.kind}-{column}-{label}.{_ext(fmt)}",
                        "control-chars",
                        spec.kind,
                        table_bytes(spec, spec.with_value(column, value), fmt),
                        args=_esco_args(spec, index),
                        typed=(value,),
                        note=f"{label} characters in {column} ({fmt})",
                    )
                )
        if spec.xlsx and spec.names:
            column = spec.names[0]
            value = h.with_control(str(spec.value(column)), "\x01\x1b[31m")
            cases.append(
                Case(
                    f"{spec.kind}-{column}-excel-escapes.xlsx",
                    "control-chars",
                    spec.kind,
                    table_bytes(spec, spec.with_value(column, value), "xlsx", escapes=True),
                    typed=(h.excel_escapes(value),),
                    note=f"Excel _x0001_ escapes in {column}",
                )
            )
    return cases


def gen_formula(rng: random.Random) -> list[Case]:
    """CR/LF/separator formula payloads in the name-like columns; formula text in id columns."""
    cases: list[Case] = []
    payloads = list(h.FORMULA_PAYLOADS)
    for spec in SPECS.values():
        for column in spec.names:
            chosen = [
                payloads[0],
                payloads[3],
                payloads[5],
                rng.choice(payloads[1:3] + payloads[4:5] + payloads[6:]),
            ]
            for index, payload in enumerate(chosen):
                fmt = "xlsx" if spec.xlsx and index % 2 == 1 else "csv"
                cases.append(
                    Case(
                        f"{spec.kind}-{column}-formula{payloads.index(payload)}.{_ext(fmt)}",
                        "formula",
                        spec.kind,
                        table_bytes(spec, spec.with_value(column, payload), fmt),
                        args=_esco_args(spec, index),
                        typed=(payload,),
                        note=f"{payload!r} in {column} ({fmt})",
                    )
                )
        for column in spec.ids:
            payload = "=1+1" if column != "conceptUri" else SKILL_URI_1 + "\r=1+1"
            cases.append(
                Case(
                    f"{spec.kind}-{column}-formula-id.csv",
                    "formula",
                    spec.kind,
                    table_bytes(spec, spec.with_value(column, payload), "csv"),
                    typed=(payload,),
                    note=f"{payload!r} as {column}",
                )
            )
    # formula cells whose saved (cached) value is itself a formula payload
    for kind in ("companies", "survey", "courses"):
        spec = SPECS[kind]
        column = spec.names[0]
        ref = cell_ref(spec, column)
        payload = "=cmd|' /C calc'!A0"
        data = table_bytes(spec, spec.with_value(column, '=CONCAT("Acme","")'), "xlsx")
        xml = f'<c r="{ref}" t="str"><f>CONCAT("=cmd","")</f><v>{payload}</v></c>'
        cases.append(
            Case(
                f"{kind}-{column}-cached-formula.xlsx",
                "formula",
                kind,
                h.replace_cell(data, ref, xml),
                typed=(payload,),
                note="formula cell whose cached value is a formula payload",
            )
        )
    # a survey-tool export with a hostile company name (mapping found by its fingerprint)
    text = WIDE_EXPORT.read_text(encoding="utf-8")
    for number, payload in enumerate(payloads[:4]):
        quoted = '"' + payload.replace('"', '""') + '"'
        cases.append(
            Case(
                f"wide-export-formula{number}.csv",
                "formula",
                "survey",
                text.replace("Holst Metal ApS", quoted).encode("utf-8"),
                typed=(payload,),
                note=f"wide export, company name {payload!r}",
            )
        )
    return cases


DANISH = "Søren Ærøskøbing Stål & Smed"


def gen_encodings(rng: random.Random) -> list[Case]:
    """One cp1252 row in a UTF-8 file, all-cp1252, BOM + cp1252, undefined cp1252 bytes."""
    cases: list[Case] = []
    for spec in SPECS.values():
        column = spec.names[0] if spec.names else spec.text[0]
        rows = spec.with_value(column, DANISH)
        body = [list(spec.header), *rows]
        variants = {
            "one-cp1252-row": h.mixed_encoding_csv(body, 1),
            "all-cp1252": h.quoted_csv(body, encoding="cp1252"),
            "bom-then-cp1252-row": b"\xef\xbb\xbf" + h.mixed_encoding_csv(body, 1),
            "undefined-cp1252-bytes": h.quoted_csv(body).replace(
                DANISH.encode(), b"S\x81ren \x8d\x8f\x90\x9d"
            ),
        }
        for tag, data in variants.items():
            cases.append(
                Case(
                    f"{spec.kind}-{tag}.csv",
                    "mixed-encoding",
                    spec.kind,
                    data,
                    typed=(DANISH,),
                    note=tag,
                )
            )
    return cases


def gen_utf16(rng: random.Random) -> list[Case]:
    """UTF-16 LE/BE with and without a BOM (Excel's "Unicode text"); odd length; UTF-32."""
    cases: list[Case] = []
    for spec in SPECS.values():
        column = spec.names[0] if spec.names else spec.text[0]
        body = [list(spec.header), *spec.with_value(column, DANISH)]
        for bom in (True, False):
            for big in (False, True):
                tag = f"utf16-{'be' if big else 'le'}-{'bom' if bom else 'nobom'}"
                cases.append(
                    Case(
                        f"{spec.kind}-{tag}.csv",
                        "utf16",
                        spec.kind,
                        h.utf16_csv(
                            body,
                            bom=bom,
                            big_endian=big,
                            separator="\t" if rng.random() < 0.5 else ",",
                        ),
                        typed=(DANISH,),
                        note=tag,
                    )
                )
    body = [list(SPECS["demand"].header), *SPECS["demand"].rows]
    utf16 = h.utf16_csv(body, bom=True)
    cases += [
        Case(
            "demand-utf16-odd-length.csv",
            "utf16",
            "demand",
            utf16[:-1],
            note="UTF-16 with BOM, last byte cut",
        ),
        Case(
            "demand-utf16-lone-surrogate.csv",
            "utf16",
            "demand",
            utf16 + "\ud800x".encode("utf-16-le", "surrogatepass"),
            note="lone surrogate",
        ),
        Case(
            "demand-utf32.csv",
            "utf16",
            "demand",
            h.csv_text(body).encode("utf-32"),
            note="UTF-32 with BOM",
        ),
        Case(
            "demand-utf8-bom-utf16-body.csv",
            "utf16",
            "demand",
            b"\xef\xbb\xbf" + h.csv_text(body).encode("utf-16-le"),
            note="UTF-8 BOM, UTF-16 body",
        ),
    ]
    return cases


def gen_dimensions(rng: random.Random) -> list[Case]:
    """A cell at XFD1048576, dimension A1:XFD1048576, merged A1:XFD1048576 and friends."""
    cases: list[Case] = []
    for kind in TABLE_KINDS:
        spec = SPECS[kind]
        valid = table_bytes(spec, spec.rows, "xlsx")
        variants = {
            "far-cell": (h.add_far_cell(valid), "a cell at XFD1048576"),
            "dimension": (h.set_dimension(valid), "<dimension ref=A1:XFD1048576>"),
            "merged-whole-sheet": (
                h.add_merged_ranges(valid, [h.WHOLE_SHEET]),
                "merged A1:XFD1048576",
            ),
            "merged-header-row": (
                h.add_merged_ranges(valid, ["A1:XFD1"]),
                "merged A1:XFD1 (the header row)",
            ),
            "merged-last-column": (
                h.add_merged_ranges(valid, ["XFD1:XFD1048576"]),
                "merged XFD1:XFD1048576",
            ),
            "merged-5000": (
                h.add_merged_ranges(
                    valid,
                    [
                        f"{h.column_letters(20 + i % 400)}{1 + i // 400}:{h.column_letters(20 + i % 400)}{1 + i // 400}"
                        for i in range(5000)
                    ],
                ),
                "5000 merged ranges in the top rows",
            ),
        }
        for tag, (data, note) in variants.items():
            cases.append(Case(f"{kind}-{tag}.xlsx", "huge-dimensions", kind, data, note=note))
    spec = SPECS["demand"]
    valid = table_bytes(spec, spec.rows, "xlsx")
    for tag, ref in (
        ("beyond-last-cell", "XFE1048577"),
        ("row-zero", "A0"),
        ("row-20-digits", "A99999999999999999999"),
    ):
        cases.append(
            Case(
                f"demand-{tag}.xlsx",
                "huge-dimensions",
                "demand",
                h.add_far_cell(valid, ref),
                typed=(ref, re.sub(r"^[A-Z]+", "", ref)),
                note=f"a cell at {ref}",
            )
        )
    # a million rows (one cell each) written straight into the sheet XML
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="n"><v>{n}</v></c></row>' for n in range(4, h.MAX_ROW + 1)
    )
    big = h.patch_sheet(
        valid, lambda xml: xml.replace(b"</sheetData>", rows.encode() + b"</sheetData>", 1)
    )
    cases.append(
        Case(
            "demand-million-rows.xlsx",
            "huge-dimensions",
            "demand",
            big,
            note="1 048 573 extra one-cell rows",
        )
    )
    return cases


CORE_NUMBERS = ("NaN", "1e400", "99999999999999999999", "-9223372036854775809")


def gen_numbers(rng: random.Random) -> list[Case]:
    """NaN, inf, 1e400, 20-digit and below-int64 integers in every numeric column (CSV and raw xlsx)."""
    cases: list[Case] = []
    for spec in SPECS.values():
        for column in spec.numeric:
            extra = (*CORE_NUMBERS[3:], "inf") if column == spec.numeric[0] else ()
            for value in CORE_NUMBERS[:3] + extra:
                cases.append(
                    Case(
                        f"{spec.kind}-{column}-{_safe(value)}.csv",
                        "numbers",
                        spec.kind,
                        table_bytes(spec, spec.with_value(column, value), "csv"),
                        typed=(value,),
                        note=f"{value} in {column}",
                    )
                )
        if spec.xlsx and spec.numeric:
            for column in rng.sample(spec.numeric, 1):
                for raw in ("NaN", "INF", "1e400", "99999999999999999999", "-9223372036854775809"):
                    ref = cell_ref(spec, column)
                    cases.append(
                        Case(
                            f"{spec.kind}-{column}-xlsx-{_safe(raw)}.xlsx",
                            "numbers",
                            spec.kind,
                            table_bytes(
                                spec, spec.rows, "xlsx", raw={ref: h.raw_number_cell(ref, raw)}
                            ),
                            typed=(raw,),
                            note=f"numeric cell <v>{raw}</v> in {column}",
                        )
                    )
    spec = SPECS["demand"]
    for value in h.NON_FINITE_TEXT:
        if value in CORE_NUMBERS:
            continue
        cases.append(
            Case(
                f"demand-headcount-more-{_safe(repr(value))}.csv",
                "numbers",
                "demand",
                table_bytes(spec, spec.with_value("headcount", value), "csv"),
                typed=(value,),
                note=f"{value!r} in headcount",
            )
        )
    spec = SPECS["courses"]
    for value in ("1e308", "1.7976931348623157e308", "-0", "5e-324"):
        cases.append(
            Case(
                f"courses-cost-{_safe(value)}.csv",
                "numbers",
                "courses",
                table_bytes(spec, spec.with_value("fixed_cost_per_run", value), "csv"),
                typed=(value,),
                note=f"{value} in fixed_cost_per_run",
            )
        )
    return cases


def gen_overlong(rng: random.Random) -> list[Case]:
    """Ids of 201 and 10 000 characters, 10 000 and 1 000 000-character names, a 20 000-column header."""
    cases: list[Case] = []
    for spec in SPECS.values():
        for column in spec.ids:
            for length in (201, 10_000):
                if column.endswith("Uri"):
                    value = SKILL_URI_1 if column == "skillUri" else spec.value(column)
                    value = str(value) + "x" * (length - len(str(value)))
                else:
                    value = ("h" + "x" * length)[:length]
                fmt = "xlsx" if spec.xlsx and length == 201 else "csv"
                cases.append(
                    Case(
                        f"{spec.kind}-{column}-{length}.{_ext(fmt)}",
                        "overlong",
                        spec.kind,
                        table_bytes(spec, spec.with_value(column, value), fmt),
                        typed=(value,),
                        note=f"{column} of {length} characters",
                        overlong=length > 200,
                    )
                )
    for kind, column in (
        ("companies", "name"),
        ("courses", "title"),
        ("skills", "label"),
        ("survey", "company_name"),
        ("demand", "skill"),
    ):
        spec = SPECS[kind]
        for length in (10_000, 1_000_000):
            value = "".join(rng.choice("abcdefghij ") for _ in range(length))
            cases.append(
                Case(
                    f"{kind}-{column}-{length}.csv",
                    "overlong",
                    kind,
                    table_bytes(spec, spec.with_value(column, value), "csv"),
                    typed=(value,),
                    note=f"{column} of {length} characters",
                )
            )
    spec = SPECS["companies"]
    wide = [*spec.header, *[f"extra_{i}" for i in range(20_000)]]
    cases.append(
        Case(
            "companies-20000-columns.csv",
            "overlong",
            "companies",
            table_bytes(spec, [list(r) + [""] * 20_000 for r in spec.rows], "csv", header=wide),
            note="header of 20 005 columns",
        )
    )
    cases.append(
        Case(
            "companies-header-10000.csv",
            "overlong",
            "companies",
            table_bytes(
                spec, spec.rows, "csv", header=[*spec.header[:-1], "employees" + "x" * 10_000]
            ),
            note="a 10 000-character header cell",
        )
    )
    return cases


def gen_odd_cells(rng: random.Random) -> list[Case]:
    """Blank-looking cells, placeholder words, broken quoting, header placement, odd xlsx cell types."""
    cases: list[Case] = []
    blanks = {
        "spaces": "   ",
        "nbsp": "\u00a0",
        "zwsp": "\u200b",
        "bom": "\ufeff",
        "none-word": "None",
        "null": "NULL",
        "na": "#N/A",
        "ref-error": "#REF!",
    }
    for spec in SPECS.values():
        column = spec.ids[0] if spec.ids else spec.text[0]
        for tag in sorted(rng.sample(sorted(blanks), 4)):
            value = blanks[tag]
            if tag in ("none-word", "ref-error") and spec.numeric:
                target = spec.numeric[0]
            else:
                target = column
            fmt = "xlsx" if spec.xlsx and tag in ("nbsp", "zwsp") else "csv"
            cases.append(
                Case(
                    f"{spec.kind}-{target}-{tag}.{_ext(fmt)}",
                    "odd-cells",
                    spec.kind,
                    table_bytes(spec, spec.with_value(target, value), fmt),
                    typed=(value,),
                    note=f"{value!r} in {target}",
                )
            )
        text = h.csv_text([list(spec.header), *spec.rows])
        lines = text.split("\r\n")
        odd_csv = {
            "unclosed-quote": "\r\n".join([lines[0], '"' + lines[1], *lines[2:]]),
            "header-at-row-22": "\r\n".join(["title"] * 21 + lines),
            "only-bom": "\ufeff",
            "only-newlines": "\r\n" * 50,
            "extra-cells": "\r\n".join([lines[0], lines[1] + ",surplus,cells", *lines[2:]]),
            "sep-hint-wrong": "sep=;\r\n" + text,
            "mixed-newlines": lines[0] + "\n" + lines[1] + "\r" + "\r\n".join(lines[2:]),
        }
        for tag in sorted(rng.sample(sorted(odd_csv), 3)):
            body = odd_csv[tag]
            cases.append(
                Case(
                    f"{spec.kind}-{tag}.csv", "odd-cells", spec.kind, body.encode("utf-8"), note=tag
                )
            )
    spec = SPECS["demand"]
    ref_num = cell_ref(spec, "headcount")
    ref_text = cell_ref(spec, "role")
    odd_xlsx = {
        "error-cell": (ref_num, f'<c r="{ref_num}" t="e"><v>#DIV/0!</v></c>'),
        "bool-2": (ref_num, f'<c r="{ref_num}" t="b"><v>2</v></c>'),
        "shared-string-99999": (ref_text, f'<c r="{ref_text}" t="s"><v>99999</v></c>'),
        "shared-string-minus-1": (ref_text, f'<c r="{ref_text}" t="s"><v>-1</v></c>'),
        "number-abc": (ref_num, f'<c r="{ref_num}" t="n"><v>abc</v></c>'),
        "str-no-value": (ref_text, f'<c r="{ref_text}" t="str"></c>'),
        "date-type-bad": (ref_num, f'<c r="{ref_num}" t="d"><v>not a date</v></c>'),
        "unknown-type": (ref_num, f'<c r="{ref_num}" t="zz"><v>3</v></c>'),
        "rich-text-runs": (
            ref_text,
            f'<c r="{ref_text}" t="inlineStr"><is><r><t>72</t></r><r><t>23</t></r></is></c>',
        ),
        "style-999": (ref_num, f'<c r="{ref_num}" s="999" t="n"><v>3</v></c>'),
    }
    for tag, (ref, xml) in odd_xlsx.items():
        cases.append(
            Case(
                f"demand-{tag}.xlsx",
                "odd-cells",
                "demand",
                table_bytes(spec, spec.rows, "xlsx", raw={ref: xml}),
                note=tag,
            )
        )
    return cases


def gen_duplicate_headers(rng: random.Random) -> list[Case]:
    """The same column twice, in another case, as a synonym; a blank header over data; the header again."""
    from skills.io_values import HEADER_SYNONYMS

    cases: list[Case] = []
    for spec in SPECS.values():
        first = spec.header[0]
        rows = [[*row, row[0]] for row in spec.rows]
        variants: dict[str, tuple[list[object], list[list[object]]]] = {
            "exact": ([*spec.header, first], rows),
            "case": ([*spec.header, first.upper()], rows),
            "blank-header-over-data": ([*spec.header, ""], rows),
        }
        synonyms = [s for s in HEADER_SYNONYMS.get(first, ())]
        if synonyms and spec.kind in TABLE_KINDS:
            variants["synonym"] = ([*spec.header, synonyms[0]], rows)
        for tag, (header, body) in variants.items():
            fmt = "xlsx" if spec.xlsx and tag == "case" else "csv"
            cases.append(
                Case(
                    f"{spec.kind}-dup-{tag}.{_ext(fmt)}",
                    "dup-headers",
                    spec.kind,
                    table_bytes(spec, body, fmt, header=header),
                    note=f"header {tag}",
                )
            )
        repeated = [*spec.rows[:1], list(spec.header), *spec.rows[1:]]
        cases.append(
            Case(
                f"{spec.kind}-header-repeated.csv",
                "dup-headers",
                spec.kind,
                table_bytes(spec, repeated, "csv"),
                note="the header again inside the data",
            )
        )
    return cases


def _zip_member_patch(data: bytes, name: str, offset: int, value: bytes, *, central: bool) -> bytes:
    """Overwrite bytes of one member's local header (or central directory entry)."""
    buffer = bytearray(data)
    signature = b"PK\x01\x02" if central else b"PK\x03\x04"
    position = 0
    while (position := buffer.find(signature, position)) != -1:
        name_at = position + (46 if central else 30)
        length = int.from_bytes(
            buffer[position + (28 if central else 26) : position + (30 if central else 28)],
            "little",
        )
        if bytes(buffer[name_at : name_at + length]) == name.encode():
            buffer[position + offset : position + offset + len(value)] = value
        position += 4
    return bytes(buffer)


def gen_zips(rng: random.Random) -> list[Case]:
    """Truncated workbooks, a missing end record, duplicate or missing parts, odd compression and flags."""
    cases: list[Case] = []
    for kind in ("demand", "companies", "survey", "courses"):
        spec = SPECS[kind]
        valid = table_bytes(spec, spec.rows, "xlsx")
        for fraction in (0.1, 0.5, 0.9, 0.99):
            cases.append(
                Case(
                    f"{kind}-cut-{int(fraction * 100)}.xlsx",
                    "truncated-zip",
                    kind,
                    h.truncated(valid, fraction),
                    note=f"first {fraction:.0%} of the bytes",
                )
            )
    spec = SPECS["demand"]
    valid = table_bytes(spec, spec.rows, "xlsx")
    entries = h.zip_entries(valid)
    other = table_bytes(spec, [["C003", "five_s", "", 1, 0, 1, 2027, "low"]], "xlsx")
    other_sheet = dict(h.zip_entries(other))[h.SHEET_PART]
    variants = {
        "no-end-record": valid[: valid.rfind(b"PK\x05\x06")],
        "duplicate-sheet-part": h.zip_with([*entries, (h.SHEET_PART, other_sheet)]),
        "missing-sheet-part": h.zip_with([e for e in entries if e[0] != h.SHEET_PART]),
        "missing-workbook-part": h.zip_with([e for e in entries if e[0] != "xl/workbook.xml"]),
        "missing-content-types": h.zip_with([e for e in entries if e[0] != "[Content_Types].xml"]),
        "method-99": _zip_member_patch(
            _zip_member_patch(valid, h.SHEET_PART, 10, b"\x63\x00", central=True),
            h.SHEET_PART,
            8,
            b"\x63\x00",
            central=False,
        ),
        "encrypted-flag": _zip_member_patch(
            _zip_member_patch(valid, h.SHEET_PART, 8, b"\x01\x00", central=True),
            h.SHEET_PART,
            6,
            b"\x01\x00",
            central=False,
        ),
        "bad-crc": _zip_member_patch(valid, h.SHEET_PART, 16, b"\x00\x00\x00\x00", central=True),
        "2001-parts": h.zip_with([*entries, *[(f"xl/media/p{i}.bin", b"x") for i in range(2001)]]),
        "zip-slip-names": h.zip_with(
            [
                *entries,
                ("../../../tmp/vetplan-attack-slip.txt", b"slip"),
                ("/etc/vetplan-attack", b"abs"),
            ]
        ),
        "stored-not-deflated": h.zip_with(entries, compression=zipfile.ZIP_STORED),
        "bzip2": h.zip_with(entries, compression=zipfile.ZIP_BZIP2),
        "lzma": h.zip_with(entries, compression=zipfile.ZIP_LZMA),
        "sheet-is-directory": h.zip_with(
            [(n, b"") if n == h.SHEET_PART else (n, c) for n, c in entries]
            + [(h.SHEET_PART + "/", b"")]
        ),
        "sheet-empty-part": h.zip_with([(n, b"" if n == h.SHEET_PART else c) for n, c in entries]),
        "prepended-junk": b"PK\x03\x04" + b"\x00" * 26 + valid,
        "sheet-not-xml": h.zip_with(
            [(n, b"\x00\xff binary" if n == h.SHEET_PART else c) for n, c in entries]
        ),
    }
    for tag, data in variants.items():
        cases.append(Case(f"demand-{tag}.xlsx", "truncated-zip", "demand", data, note=tag))
    return cases


XXE_PASSWD = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
XXE_PARAMETER = '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>'
EXTERNAL_DTD = '<!DOCTYPE worksheet SYSTEM "http://127.0.0.1:9/evil.dtd">'
QUADRATIC = '<!DOCTYPE q [<!ENTITY a "' + "a" * 50_000 + '">]>'


def gen_xml_bombs(rng: random.Random) -> list[Case]:
    """Billion laughs in each part, external entities, parameter entities, deep nesting."""
    cases: list[Case] = []
    spec = SPECS["demand"]
    valid = table_bytes(spec, spec.rows, "xlsx")
    ref = cell_ref(spec, "role")
    parts = (
        h.SHEET_PART,
        "xl/workbook.xml",
        "xl/styles.xml",
        "[Content_Types].xml",
        "_rels/.rels",
        "docProps/core.xml",
        "xl/_rels/workbook.xml.rels",
    )
    for part in parts:
        data = h.rewrite_part(valid, part, lambda xml: h.bombed_part(xml, h.entity_bomb()))
        if part == h.SHEET_PART:
            data = h.replace_cell(
                data, ref, f'<c r="{ref}" t="inlineStr"><is><t>&lol9;</t></is></c>'
            )
        cases.append(
            Case(
                f"demand-laughs-{_safe(part)}.xlsx",
                "xml-bomb",
                "demand",
                data,
                note=f"billion laughs in {part}",
            )
        )
    for tag, doctype, reference in (
        ("xxe-passwd", XXE_PASSWD, "&xxe;"),
        ("parameter-entity", XXE_PARAMETER, "x"),
        ("external-dtd", EXTERNAL_DTD, "x"),
        ("quadratic", QUADRATIC, "&a;" * 1000),
    ):
        data = h.rewrite_part(valid, h.SHEET_PART, lambda xml, d=doctype: h.bombed_part(xml, d))
        data = h.replace_cell(
            data, ref, f'<c r="{ref}" t="inlineStr"><is><t>{reference}</t></is></c>'
        )
        cases.append(Case(f"demand-{tag}.xlsx", "xml-bomb", "demand", data, note=tag))
    deep = "<x>" * 100_000 + "</x>" * 100_000
    data = h.replace_cell(valid, ref, f'<c r="{ref}" t="inlineStr"><is><t>7223</t>{deep}</is></c>')
    cases.append(
        Case(
            "demand-deep-nesting.xlsx",
            "xml-bomb",
            "demand",
            data,
            note="100 000 nested elements in a cell",
        )
    )
    attributes = " ".join(f'a{i}="{i}"' for i in range(50_000))
    data = h.replace_cell(
        valid, ref, f'<c r="{ref}" t="inlineStr" {attributes}><is><t>7223</t></is></c>'
    )
    cases.append(
        Case(
            "demand-50000-attributes.xlsx",
            "xml-bomb",
            "demand",
            data,
            note="50 000 attributes on a cell",
        )
    )
    for kind in ("survey", "companies", "courses"):
        other = SPECS[kind]
        base = table_bytes(other, other.rows, "xlsx")
        data = h.rewrite_part(base, h.SHEET_PART, lambda xml: h.bombed_part(xml, h.entity_bomb()))
        cases.append(
            Case(
                f"{kind}-laughs-sheet.xlsx",
                "xml-bomb",
                kind,
                data,
                note="billion laughs in the sheet",
            )
        )
    return cases


def gen_wrong_types(rng: random.Random) -> list[Case]:
    """Words in number columns, numbers and booleans in text columns, dates in counts, unknown words."""
    cases: list[Case] = []
    words = ("three", "3 persons", "1.5", "true", "12 %", "1,234,5")
    for spec in SPECS.values():
        if spec.numeric:
            for value in rng.sample(words, 3):
                column = rng.choice(spec.numeric)
                cases.append(
                    Case(
                        f"{spec.kind}-{column}-{_safe(value)}.csv",
                        "wrong-types",
                        spec.kind,
                        table_bytes(spec, spec.with_value(column, value), "csv"),
                        typed=(value,),
                        note=f"{value!r} in {column}",
                    )
                )
        if spec.xlsx:
            column = spec.text[min(1, len(spec.text) - 1)]
            for tag, value in (
                ("int", 12345),
                ("float", 48911.0),
                ("bool", True),
                ("datetime", dt.datetime(2027, 1, 1, 12, 30)),
            ):
                cases.append(
                    Case(
                        f"{spec.kind}-{column}-{tag}.xlsx",
                        "wrong-types",
                        spec.kind,
                        table_bytes(spec, spec.with_value(column, value), "xlsx"),
                        note=f"{tag} cell in {column}",
                    )
                )
            if spec.numeric:
                column = spec.numeric[0]
                cases.append(
                    Case(
                        f"{spec.kind}-{column}-date.xlsx",
                        "wrong-types",
                        spec.kind,
                        table_bytes(spec, spec.with_value(column, dt.date(2027, 3, 1)), "xlsx"),
                        note=f"date cell in {column}",
                    )
                )
    for kind, column, value in (
        ("demand", "priority", "urgent"),
        ("courses", "mode", "ONLINE!"),
        ("supply", "balance", "2"),
        ("esco-skills", "status", "obsolete"),
        ("esco-relations", "relationType", "mandatory"),
        ("skills", "group", "hacking"),
    ):
        spec = SPECS[kind]
        cases.append(
            Case(
                f"{kind}-{column}-{_safe(value)}.csv",
                "wrong-types",
                kind,
                table_bytes(spec, spec.with_value(column, value), "csv"),
                typed=(value,),
                note=f"{value!r} in {column}",
            )
        )
    return cases


def gen_dates(rng: random.Random) -> list[Case]:
    """needed_by as dates, impossible dates, serial numbers, fractions, fullwidth digits, typed date cells."""
    cases: list[Case] = []
    texts = (
        "2027-13-45",
        "31/02/2027",
        "2027-01-01",
        "2027.5",
        "0",
        "-2027",
        "20270",
        "46388",
        "Q3 2027",
        "２０２７",
        "2027-01-01T00:00:00Z",
        "1e3",
    )
    for kind in ("demand", "survey"):
        spec = SPECS[kind]
        for value in texts:
            cases.append(
                Case(
                    f"{kind}-needed_by-{_safe(value)}.csv",
                    "dates",
                    kind,
                    table_bytes(spec, spec.with_value("needed_by", value), "csv"),
                    typed=(value,),
                    note=f"needed_by {value!r}",
                )
            )
        ref = cell_ref(spec, "needed_by")
        for tag, value in (
            ("datetime", dt.datetime(2027, 6, 30)),
            ("date", dt.date(2027, 6, 30)),
            ("time", dt.time(20, 27)),
        ):
            cases.append(
                Case(
                    f"{kind}-needed_by-{tag}.xlsx",
                    "dates",
                    kind,
                    table_bytes(spec, spec.with_value("needed_by", value), "xlsx"),
                    note=f"needed_by as a {tag} cell",
                )
            )
        for tag, xml in (
            ("iso-bad", f'<c r="{ref}" t="d"><v>2027-13-45T99:00:00</v></c>'),
            ("iso-good", f'<c r="{ref}" t="d"><v>2027-06-30T00:00:00</v></c>'),
            ("serial-huge", f'<c r="{ref}" s="1" t="n"><v>99999999</v></c>'),
        ):
            cases.append(
                Case(
                    f"{kind}-needed_by-{tag}.xlsx",
                    "dates",
                    kind,
                    table_bytes(spec, spec.rows, "xlsx", raw={ref: xml}),
                    note=f"needed_by {tag}",
                )
            )
    return cases


def _scenario(**fields: str) -> bytes:
    """A small scenario whose fields are raw YAML text (so .nan and friends stay as written)."""
    values = {
        "name": "attack",
        "years": "{start: 2027, count: 3}",
        "budget_per_year": "250000",
        "time_limit_s": "1",
    }
    values.update(fields)
    return "".join(f"{key}: {value}\n" for key, value in values.items()).encode("utf-8")


def gen_scenarios(rng: random.Random) -> list[Case]:
    """Scenario YAML: .nan/.inf/1e400/huge ints per field, deep nesting, huge files, encodings, bombs, tags."""
    cases: list[Case] = []

    def add(
        tag: str, data: bytes, note: str, typed: tuple[str, ...] = (), quick: bool = True
    ) -> None:
        cases.append(
            Case(
                f"scenario-{tag}.yaml",
                "scenario-yaml",
                "scenario",
                data,
                typed=typed,
                note=note,
                quick_limit=quick,
            )
        )

    hostile = (".nan", ".inf", "-.inf", "1e400", "99999999999999999999", "-9223372036854775809")
    fields: dict[str, Callable[[str], dict[str, str]]] = {
        "budget_per_year": lambda v: {"budget_per_year": v},
        "subsidy_rate": lambda v: {"subsidy_rate": v},
        "company_cost_cap": lambda v: {"company_cost_cap": v},
        "coverage_target": lambda v: {
            "objective": "min_cost",
            "coverage_target": v,
            "budget_per_year": "null",
        },
        "gap_unit_value": lambda v: {"gap_unit_value": v},
        "attrition_rate": lambda v: {"attrition_rate": v},
        "company_capacity_share": lambda v: {"company_capacity_share": v},
        "company_hours_per_employee": lambda v: {"company_hours_per_employee": v},
        "default_trainer_hours": lambda v: {"default_trainer_hours": v},
        "mip_gap": lambda v: {"mip_gap": v},
        "threads": lambda v: {"threads": v},
        "priority_weights": lambda v: {"priority_weights": f"{{high: {v}, medium: 2, low: 1}}"},
        "demand_growth": lambda v: {"demand_growth": f"{{digital_data: {v}}}"},
        "provider_trainer_hours": lambda v: {"provider_trainer_hours": f"{{Kattegat Tech: {v}}}"},
        "budget_by_year": lambda v: {"budget_per_year": f"{{2027: {v}, 2028: 1000, 2029: 1000}}"},
        "years_start": lambda v: {"years": f"{{start: {v}, count: 3}}"},
        "years_count": lambda v: {"years": f"{{start: 2027, count: {v}}}"},
        "time_limit_s": lambda v: {"time_limit_s": v},
    }
    for field_name, make in fields.items():
        for value in [".nan", rng.choice(hostile[1:])]:
            add(
                f"{field_name}-{_safe(value)}",
                _scenario(**make(value)),
                f"{field_name}: {value}",
                (value,),
                quick=field_name != "time_limit_s",
            )
    add(
        "years-count-1e12",
        _scenario(years="{start: 2027, count: 1000000000000}"),
        "years: count 10^12",
        ("1000000000000",),
    )
    add(
        "years-list-100000",
        _scenario(years="[" + ", ".join(["2027"] * 100_000) + "]"),
        "years: a list of 100 000 items",
    )
    add("years-list-nan", _scenario(years="[2027, .nan]"), "years: [2027, .nan]", (".nan",))
    add("years-empty", _scenario(years="[]"), "years: []")
    for depth in (100, 1000, 10_000, 100_000):
        add(
            f"nested-flow-{depth}",
            _scenario().replace(b"years: {start: 2027, count: 3}\n", b"")
            + h.nested_yaml("years", depth).encode(),
            f"years nested {depth} deep ([[[...]]])",
        )
    add(
        "nested-block-1000",
        _scenario().replace(b"years: {start: 2027, count: 3}\n", b"")
        + h.nested_yaml("years", 1000, flow=False).encode(),
        "years nested 1000 deep (block style)",
    )
    nested_map = "{a: " * 10_000 + "1" + "}" * 10_000
    add(
        "nested-mapping-10000",
        _scenario(priority_weights=nested_map),
        "priority_weights: mappings nested 10 000 deep",
    )
    add(
        "huge-description-20mb",
        _scenario(description='"' + "x" * 20_000_000 + '"'),
        "a 20 MB description",
    )
    add(
        "unknown-keys-200000",
        _scenario() + "".join(f"k{i}: {i}\n" for i in range(200_000)).encode(),
        "200 000 unknown keys",
    )
    add(
        "cp1252",
        _scenario(description="Målsætning for Århus").decode().encode("cp1252"),
        "cp1252 bytes (not UTF-8)",
    )
    add(
        "utf16-bom",
        _scenario(description="Målsætning").decode().encode("utf-16"),
        "UTF-16 with BOM",
    )
    add("utf8-bom", b"\xef\xbb\xbf" + _scenario(), "UTF-8 with BOM")
    add(
        "invalid-utf8",
        _scenario(description='"a\xff\xfe b"').replace(b"\xc3\xbf\xc3\xbe", b"\xff\xfe"),
        "bytes ff fe inside (invalid UTF-8)",
    )
    add(
        "nul-bytes",
        _scenario(description='"a\x00b"').replace(b"\\x00", b"\x00"),
        "a NUL byte in a value",
    )
    for key in ("years", "priority_weights", "description"):
        add(
            f"alias-bomb-{key}",
            _scenario().replace(f"{key}:".encode(), b"x_" + key.encode() + b":")
            + h.alias_bomb_yaml(key).encode(),
            f"YAML billion laughs under {key}",
        )
    add(
        "python-object",
        _scenario(years='!!python/object/apply:os.system ["echo pwned"]'),
        "!!python/object/apply tag",
    )
    add("python-name", _scenario(solver="!!python/name:os.system"), "!!python/name tag")
    add("top-level-list", b"- 1\n- 2\n", "a list, not a mapping")
    add("top-level-scalar", b"just text\n", "a scalar, not a mapping")
    add("empty", b"", "an empty file")
    add("comments-only", b"# nothing\n", "only comments")
    add("two-documents", _scenario() + b"---\n" + _scenario(), "two YAML documents")
    add("duplicate-keys", _scenario() + b"name: second\n", "name given twice")
    add("int-key", _scenario() + b"1: 2\n", "an integer key")
    add("null-key", _scenario() + b"null: 3\n", "a null key")
    add("list-key", _scenario() + b"? [a, b]\n: c\n", "a list as a key")
    add("tabs-indent", b"name: attack\nyears:\n\t- 2027\n", "tab indentation")
    for number, payload in enumerate(h.FORMULA_PAYLOADS[:3]):
        add(
            f"name-formula{number}",
            _scenario(name=json.dumps(payload)),
            f"name {payload!r}",
            (payload,),
        )
    add(
        "name-control",
        _scenario(name=json.dumps("att\x01\x1b[31mack")),
        "name with C0 controls",
        ("att\x01\x1b[31mack",),
    )
    add("name-10000", _scenario(name="n" * 10_000), "a 10 000-character name", ("n" * 10_000,))
    add(
        "name-path",
        _scenario(name='"../../../tmp/attack"'),
        "name ../../../tmp/attack",
        ("../../../tmp/attack",),
    )
    add("name-nul", _scenario(name='"a\\0b"'), "name with a NUL (YAML \\0)", ("a\x00b",))
    add("name-empty", _scenario(name='""'), "an empty name")
    add("name-nan", _scenario(name=".nan"), "name .nan (a float)", (".nan",))
    add("min-cost-no-target", _scenario(objective="min_cost"), "min_cost without coverage_target")
    add(
        "infeasible",
        _scenario(objective="min_cost", coverage_target="1.0", budget_per_year="0"),
        "min_cost, coverage 1.0, budget 0 (infeasible)",
    )
    add("objective-list", _scenario(objective="[max_coverage]"), "objective as a list")
    add("solver-cbc", _scenario(solver="cbc"), "solver cbc")
    add("solver-unknown", _scenario(solver="glpk"), "solver glpk")
    add("threads-million", _scenario(threads="1000000"), "threads 1 000 000", ("1000000",))
    add("time-limit-tiny", _scenario(time_limit_s="0.000000001"), "time_limit_s 1e-9", quick=False)
    add(
        "budget-string-keys",
        _scenario(budget_per_year='{"2027": 1, "2028": 2, "2029": 3}'),
        "budget_per_year with string year keys",
    )
    add(
        "budget-bool-key",
        _scenario(budget_per_year="{2027: 1, 2028: 2, 2029: 3, true: 4}"),
        "budget_per_year with a true key",
    )
    add(
        "priority-missing",
        _scenario(priority_weights="{high: 1}"),
        "priority_weights without medium and low",
    )
    return cases


def gen_sets(rng: random.Random) -> list[Case]:
    """Bad ``--set`` values on the default scenario."""
    values = (
        "budget_per_year=.nan",
        "budget_per_year=.inf",
        "budget_per_year=1e400",
        "budget_per_year=99999999999999999999",
        "subsidy_rate=.nan",
        "time_limit_s=.nan",
        "time_limit_s=1e400",
        "time_limit_s=1e-9",
        "mip_gap=.nan",
        "threads=99999999999999999999",
        "threads=-9223372036854775809",
        "threads=0",
        "years={start: 2027, count: 1000000000000}",
        "years=[2027, 2028, .nan]",
        "years=[]",
        "years=2027",
        "name=",
        "name==1+1",
        "name=Acme A/S\r=cmd|' /C calc'!A0",
        "name=x;=1+1",
        "name=" + "n" * 10_000,
        "name=../../../tmp/attack",
        "=1",
        "novalue",
        "priority_weights={high: .nan, medium: 1, low: 1}",
        "priority_weights=.nan",
        "demand_growth={digital_data: -1}",
        "demand_growth={digital_data: 1e400}",
        "attrition_rate=0.9999999999",
        "unknown_key=1",
        "years=!!python/object/apply:os.system [echo]",
        "description=&a [*a]",
        "budget_per_year={2027: 1, 2028: 2, 2029: .nan}",
        "provider_trainer_hours={x: .nan}",
        "default_trainer_hours=1e-300",
        "company_capacity_share=1e-300",
        "gap_unit_value=1e300",
        "years={start: 2027, count: -1}",
        "solver=[highs",
        "description=" + "d" * 100_000,
    )
    cases: list[Case] = []
    for number, value in enumerate(values):
        key, _, typed = value.partition("=")
        cases.append(
            Case(
                f"set-{number:02d}-{_safe(key) if key else 'empty-key'}",
                "scenario-set",
                "scenario",
                sets=(value,),
                typed=tuple(t for t in (typed, value) if t),
                no_file=True,
                quick_limit=not key.startswith("time_limit_s"),
                note=f"--set {value!r}"[:120],
            )
        )
    return cases


def gen_mappings(rng: random.Random) -> list[Case]:
    """Hostile ``--mapping`` YAML for a wide survey export."""
    export = WIDE_EXPORT.read_bytes()
    good = (ROOT / "data" / "survey_mappings" / "example_wide_survey.yaml").read_text(
        encoding="utf-8"
    )
    variants: dict[str, tuple[bytes | str, str]] = {
        "nested-100000": (
            h.nested_yaml("questions", 100_000).encode(),
            "questions nested 100 000 deep",
        ),
        "nested-block-1000": (
            h.nested_yaml("questions", 1000, flow=False).encode(),
            "questions nested 1000 deep (block)",
        ),
        "cp1252": (good.replace("Behov", "Behøv").encode("cp1252"), "cp1252 bytes"),
        "alias-bomb": (good.encode() + h.alias_bomb_yaml("extra").encode(), "YAML billion laughs"),
        "python-object": (
            b'name: !!python/object/apply:os.system ["echo pwned"]\n',
            "!!python/object/apply",
        ),
        "huge-20mb": (good.encode() + b"# " + b"x" * 20_000_000 + b"\n", "a 20 MB mapping"),
        "share-nan": (good.replace("share: 0.1,", "share: .nan,").encode(), "share .nan"),
        "share-1e400": (good.replace("share: 0.25,", "share: 1e400,").encode(), "share 1e400"),
        "skill-formula": (
            good.replace("skill: plc_programming", 'skill: "=1+1"').encode(),
            "question skill =1+1",
        ),
        "value-formula": (
            good.replace("Midtjylland: DK04", "Midtjylland: \"=cmd|' /C calc'!A0\"").encode(),
            "region value formula",
        ),
        "dev-zero": ("dev-zero", "mapping is a symlink to /dev/zero"),
        "directory": ("directory", "mapping is a directory"),
    }
    cases: list[Case] = []
    for tag, (content, note) in variants.items():
        aux_name = f"mapping-{tag}.yaml"
        cases.append(
            Case(
                f"wide-export-mapping-{tag}.csv",
                "survey-mapping",
                "survey",
                export,
                args=("--mapping", f"{{aux:{aux_name}}}"),
                aux={aux_name: content},
                note=note,
                typed=(aux_name,),
            )
        )
    cases.append(
        Case(
            "wide-export-mapping-missing.csv",
            "survey-mapping",
            "survey",
            export,
            args=("--mapping", "{aux:mapping-missing.yaml}"),
            aux={"mapping-missing.yaml": "missing"},
            note="mapping file does not exist",
            typed=("mapping-missing.yaml",),
        )
    )
    return cases


def gen_file_names(rng: random.Random) -> list[Case]:
    """File names with formula triggers, terminal escapes, CR/LF, separators; an unknown phrase reaches the review queue."""
    spec = SPECS["demand"]
    rows = spec.with_value("skill", "hostile phrase nobody knows")
    data = table_bytes(spec, rows, "csv")
    names = (
        "=cmd|' calc'!A0.csv",
        "+1+1.csv",
        "-1+1.csv",
        "@SUM(1).csv",
        "x;=1+1.csv",
        "\x1b[2J\x1b[31mred.csv",
        "a\rb=1+1.csv",
        "a\n=1+1.csv",
        "\u202egnp.csv",
        "a" * 240 + ".csv",
        ".csv",
        "no-extension",
    )
    return [
        Case(
            name,
            "file-names",
            "demand",
            data,
            typed=(name, "hostile phrase nobody knows"),
            note=f"file name {name!r}"[:100],
        )
        for name in names
    ]


def gen_special(rng: random.Random) -> list[Case]:
    """A FIFO, /dev/zero and /dev/urandom behind a .csv name, a directory, a missing file, a symlink loop."""
    return [
        Case(f"special-{kind}.{ext}", "special-files", "demand", special=kind, note=note)
        for kind, ext, note in (
            ("fifo", "csv", "a named pipe nobody writes to"),
            ("dev-zero", "csv", "a symlink to /dev/zero"),
            ("dev-urandom", "xlsx", "a symlink to /dev/urandom"),
            ("directory", "csv", "a directory"),
            ("missing", "csv", "no such file"),
            ("loop", "csv", "a symlink to itself"),
        )
    ]


def gen_arguments(rng: random.Random) -> list[Case]:
    """Hostile ``--sheet`` values and files of the wrong kind."""
    spec = SPECS["demand"]
    valid = table_bytes(spec, spec.rows, "xlsx")
    cases = [
        Case(
            f"demand-sheet-{tag}.xlsx",
            "arguments",
            "demand",
            valid,
            args=("--sheet", sheet),
            typed=(sheet,),
            note=f"--sheet {sheet!r}"[:80],
        )
        for tag, sheet in (
            ("formula", "=1+1"),
            ("empty", ""),
            ("long", "s" * 10_000),
            ("escape", "\x1b[31mred"),
            ("dotdot", "../demand"),
        )
    ]
    for kind, other in (
        ("demand", "companies"),
        ("skills", "survey"),
        ("esco-relations", "esco-skills"),
        ("courses", "course_skills"),
    ):
        source = SPECS[other]
        cases.append(
            Case(
                f"{other}-file-as-{kind}.csv",
                "arguments",
                kind,
                table_bytes(source, source.rows, "csv"),
                note=f"a {other} file imported as {kind}",
            )
        )
    return cases


GENERATORS: tuple[Callable[[random.Random], list[Case]], ...] = (
    gen_baseline,
    gen_control_chars,
    gen_formula,
    gen_encodings,
    gen_utf16,
    gen_dimensions,
    gen_numbers,
    gen_overlong,
    gen_odd_cells,
    gen_duplicate_headers,
    gen_zips,
    gen_xml_bombs,
    gen_wrong_types,
    gen_dates,
    gen_scenarios,
    gen_sets,
    gen_mappings,
    gen_file_names,
    gen_special,
    gen_arguments,
)


def build_corpus(seed: int) -> list[Case]:
    """Every case, deterministically: one seeded generator after the other."""
    rng = random.Random(seed)
    cases: list[Case] = []
    for generate in GENERATORS:
        cases += generate(rng)
    seen: Counter[tuple[str, str]] = Counter()
    for case in cases:
        seen[(case.klass, case.name)] += 1
        if seen[(case.klass, case.name)] > 1:
            stem, dot, ext = case.name.rpartition(".")
            case.name = (
                f"{stem}-{seen[(case.klass, case.name)]}{dot}{ext}"
                if dot
                else f"{case.name}-{seen[(case.klass, case.name)]}"
            )
    return cases


def quick_subset(cases: list[Case], seed: int, per_class: int = 2) -> list[Case]:
    """The baseline, and ``per_class`` cases of every other class (about 60 files)."""
    rng = random.Random(seed + 1)
    by_class: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        by_class[case.klass].append(case)
    chosen = {
        id(case)
        for case in by_class.pop("baseline", [])
        if case.kind != "scenario" or case.name == "base.yaml"
    }
    for group in by_class.values():
        chosen |= {id(case) for case in rng.sample(group, min(per_class, len(group)))}
    return [case for case in cases if id(case) in chosen]


def write_case(case: Case, folder: Path) -> Path | None:
    """Write a case (and its aux files) into ``folder / case.klass``; return the file path (None for --set cases)."""
    target = folder / case.klass
    target.mkdir(parents=True, exist_ok=True)
    for name, content in case.aux.items():
        _materialise(target / name, content)
    if case.no_file:
        return None
    path = target / case.name
    _materialise(path, case.special or (case.data if case.data is not None else b""))
    return path


def _materialise(path: Path, content: bytes | str) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content == "fifo":
        os.mkfifo(path)
    elif content == "dev-zero":
        os.symlink("/dev/zero", path)
    elif content == "dev-urandom":
        os.symlink("/dev/urandom", path)
    elif content == "directory":
        path.mkdir(exist_ok=True)
    elif content == "loop":
        os.symlink(path.name, path)
    elif content != "missing":
        msg = f"unknown special file {content!r}"
        raise ValueError(msg)


def command_for(case: Case, path: Path | None, vetplan: str) -> list[str]:
    """The CLI command that runs a case."""
    folder = path.parent if path is not None else None

    def resolve(argument: str) -> str:
        found = re.fullmatch(r"\{aux:(.+)\}", argument)
        if found and folder is not None:
            return str(folder / found.group(1))
        return argument

    extra = [resolve(argument) for argument in case.args]
    if case.kind == "scenario":
        command = [vetplan, "solve"]
        if path is not None:
            command.append(str(path))
        sets = [QUICK_LIMIT] if case.quick_limit else []
        for value in [*sets, *case.sets]:
            command += ["--set", value]
        return command + extra
    assert path is not None
    return [vetplan, "import", case.kind, str(path), *extra]


# ---- running ----------------------------------------------------------------------------------


@dataclass
class Run:
    """What one CLI run did."""

    command: list[str]
    returncode: int | None
    timed_out: bool
    output: str
    output_bytes: int
    seconds: float
    peak_mb: float
    changed: list[str] = field(default_factory=list)
    verdict: str = ""
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _limit_memory() -> None:  # runs in the child, between fork and exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _environment(folder: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VETPLAN_", "DATABASE_URL"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite'}",
        VETPLAN_DATA_HOME=str(folder),
        LC_ALL="C.UTF-8",
        PYTHONDONTWRITEBYTECODE="1",
        MPLCONFIGDIR=str(folder / "mpl"),
    )
    return env


def run_command(command: Sequence[str], folder: Path, timeout: float = TIMEOUT_S) -> Run:
    """Run one command in ``folder`` (its database is ``folder/db.sqlite``) with the caps; never raises."""
    out_path, err_path = folder / "stdout.txt", folder / "stderr.txt"
    started = time.perf_counter()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(
            list(command),
            cwd=folder,
            env=_environment(folder),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            preexec_fn=_limit_memory,
            start_new_session=True,
        )
        timed_out = False
        status, usage = 0, None
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                timed_out = True
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                _, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.02)
        process.returncode = os.waitstatus_to_exitcode(status)
        with contextlib.suppress(ProcessLookupError):  # anything the command left behind
            os.killpg(process.pid, signal.SIGKILL)
    seconds = time.perf_counter() - started
    texts = []
    total = 0
    for path in (err_path, out_path):
        total += path.stat().st_size
        with path.open("rb") as handle:
            texts.append(handle.read(OUTPUT_READ_BYTES).decode("utf-8", "replace"))
    return Run(
        command=list(command),
        returncode=None if timed_out else process.returncode,
        timed_out=timed_out,
        output="\n".join(text for text in texts if text),
        output_bytes=total,
        seconds=seconds,
        peak_mb=(usage.ru_maxrss / 1024.0) if usage is not None else 0.0,
    )


def database_digest(path: Path) -> dict[str, tuple[int, str]]:
    """Row count and a digest of all rows, per table of an SQLite file."""
    digest: dict[str, tuple[int, str]] = {}
    connection = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "select name from sqlite_master where type = 'table' order by name"
            )
        ]
        for table in tables:
            rows = sorted(repr(row) for row in connection.execute(f'select * from "{table}"'))
            digest[table] = (
                len(rows),
                hashlib.sha256("\n".join(rows).encode("utf-8", "surrogatepass")).hexdigest(),
            )
    finally:
        connection.close()
    return digest


def changed_tables(
    before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]
) -> list[str]:
    """Tables whose rows differ (with the row counts)."""
    names = sorted(set(before) | set(after))
    return [
        f"{name} ({before.get(name, (0, ''))[0]} -> {after.get(name, (0, ''))[0]} rows)"
        for name in names
        if before.get(name) != after.get(name)
    ]


RAW_TEXT = (
    (
        "raw Python text",
        re.compile(
            r"object has no attribute|invalid literal|could not convert|cannot convert|NoneType|Python int too large|out of bounds|codec can't"
        ),
    ),
    ("dtype", re.compile(r"\bdtype\b")),
    ("Errno", re.compile(r"\[Errno|Errno \d")),
    ("Traceback", re.compile(r"Traceback")),
    ("exception name", re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception)\b")),
    ("'<' in the message", re.compile(r"<")),
)
SUSPECT_VALUE = re.compile(r"\(value (['\"])(.*?)\1\)")
NEVER_TYPED = {"nan", "-nan", "inf", "-inf", "infinity", "-infinity", "none", "nat", "<na>", "null"}
BIG_NUMBER = re.compile(r"(?<![\w.])-?\d{16,}(?![\w])")
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]")
MEMORY_TEXT = re.compile(
    r"MemoryError|bad_alloc|Cannot allocate memory|out of memory", re.IGNORECASE
)
EMPTY_INTERNAL = re.compile(r"internal error \(please report it\):\s*$", re.MULTILINE)


def _without_typed(output: str, typed: Iterable[str]) -> str:
    cleaned = output
    forms: set[str] = set()
    for text in typed:
        for form in (text, repr(text)[1:-1], text.strip(), repr(text.strip())[1:-1]):
            if len(form) >= 1:
                forms.add(form)
    # a control character shown as <U+0001> stands for what was typed
    cleaned = re.sub(r"<U\+[0-9A-F]{0,6}(?:>|\u2026)", "\u00abchar\u00bb", cleaned)
    for form in sorted(forms, key=len, reverse=True):
        cleaned = cleaned.replace(form, "\u00abtyped\u00bb")
    return cleaned


def classify(run: Run, case_name: str, typed: Sequence[str], paths: Sequence[str] = ()) -> None:
    """Set ``run.verdict`` and ``run.reasons`` (see the module docstring)."""
    output = run.output
    names = [name for name in case_name.split("|") if name] if "|" in case_name else [case_name]
    cleaned = _without_typed(output, [*typed, *names, *paths])
    # YAML spellings of the same value: .nan is nan, -.inf is -inf
    typed_plain = {text.strip().lower().replace("-.", "-").lstrip(".") for text in typed}
    for text in typed:
        typed_plain |= {
            sign + word for sign, word in re.findall(r"(-?)\.(nan|inf)\b", text, re.IGNORECASE)
        }
        typed_plain |= {
            word.lower() for word in re.findall(r"\b(?:nan|inf)\b", text, re.IGNORECASE)
        }
    reasons: list[str] = []
    code = run.returncode
    if run.timed_out:
        run.verdict, run.reasons = "HANG", [f"no answer in {TIMEOUT_S:.0f} s"]
        return
    if (
        code in (-signal.SIGKILL, -signal.SIGABRT)
        or MEMORY_TEXT.search(output)
        or (code == 1 and EMPTY_INTERNAL.search(output) and run.peak_mb > 1000)
    ):
        run.verdict = "OOM"
        run.reasons = [f"exit {code}, peak {run.peak_mb:.0f} MB"]
        return
    if code != 0 and run.changed:
        run.verdict, run.reasons = "PARTIAL", [f"exit {code} but changed: {', '.join(run.changed)}"]
        return
    if code not in (0, 2) or "Traceback" in output or "internal error" in output:
        reasons.append(f"exit {code}" + (" (signal)" if code is not None and code < 0 else ""))
        if "Traceback" in output:
            reasons.append("Traceback")
        if "internal error" in output:
            reasons.append("internal error")
        run.verdict, run.reasons = "CRASH", reasons
        return
    if code == 2:
        for label, pattern in RAW_TEXT:
            found = pattern.search(cleaned)
            if found:
                start = max(0, found.start() - 40)
                reasons.append(f"{label}: ...{cleaned[start : found.end() + 40]!r}...")
        for match in SUSPECT_VALUE.finditer(cleaned):
            value = match.group(2)
            shown = value.strip().lower()
            if shown in typed_plain:
                continue
            if shown in NEVER_TYPED or BIG_NUMBER.fullmatch(value.strip()):
                reasons.append(f"value never typed: {value!r}")
        for match in BIG_NUMBER.finditer(cleaned):
            reasons.append(f"number never typed: {match.group(0)}")
        if not any(name in output or repr(name)[1:-1] in output for name in names):
            reasons.append("names no file")
        run.verdict = "UNCLEAR" if reasons else "refused"
        run.reasons = list(dict.fromkeys(reasons))
        return
    run.verdict = "ok"


def annotate(run: Run, case: Case | None) -> None:
    """Observations that are not verdicts: terminal escapes echoed, huge output, high memory, overlong ids kept."""
    if RAW_CONTROL.search(run.output):
        run.notes.append("raw control characters in the output (terminal escape injection)")
    if run.output_bytes > 1_000_000:
        run.notes.append(f"{run.output_bytes / 1e6:.1f} MB of output")
    if run.peak_mb > 1500:
        run.notes.append(f"peak memory {run.peak_mb:.0f} MB")
    if case is not None and case.overlong and run.verdict == "ok":
        run.notes.append(
            "an id over 200 characters was stored (SQL key columns are VARCHAR(200); PostgreSQL refuses)"
        )


@dataclass(frozen=True)
class Task:
    """A case as a worker needs it."""

    index: int
    command: tuple[str, ...]
    name: str
    typed: tuple[str, ...]
    paths: tuple[str, ...]
    template: str
    baseline: tuple[tuple[str, tuple[int, str]], ...]


#: Output of a CLI that did not start, or met code half-way through an edit (others work in this
#: checkout at the same time): such a run is tried again, and the note says so.
MID_EDIT = re.compile(
    r"bin/vetplan\", line \d+.*(?:ImportError|ModuleNotFoundError|SyntaxError|IndentationError|NameError)"
    r"|internal error \(please report it\): (?:name '\w+' is not defined|cannot import name)",
    re.DOTALL,
)
RETRIES = 2


def run_fresh(command: Sequence[str], folder: Path, template: str) -> Run:
    """Run on a fresh copy of the template database; again (up to twice) when the checkout was mid-edit."""
    for attempt in range(RETRIES + 1):
        shutil.copyfile(template, folder / "db.sqlite")
        for leftover in ("db.sqlite-wal", "db.sqlite-shm"):
            (folder / leftover).unlink(missing_ok=True)
        run = run_command(command, folder)
        if not MID_EDIT.search(run.output) or attempt == RETRIES:
            if attempt:
                run.notes.append(f"retried {attempt} time(s): the checkout was mid-edit")
            return run
        time.sleep(5)
    raise AssertionError("unreachable")


def run_task(task: Task) -> tuple[int, Run]:
    """Worker: a fresh copy of the sample database, the command, the database compared."""
    with tempfile.TemporaryDirectory(prefix="vetplan-attack-") as name:
        folder = Path(name)
        run = run_fresh(task.command, folder, task.template)
        try:
            after = database_digest(folder / "db.sqlite")
        except sqlite3.Error as error:
            after = {"(database unreadable)": (0, str(error))}
        run.changed = changed_tables(dict(task.baseline), after)
        classify(run, task.name, task.typed, task.paths)
    return task.index, run


# ---- exports ----------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@")


def _looks_like_number(text: str) -> bool:
    try:
        float(text.replace("%", ""))
    except ValueError:
        return False
    return True


def _formula_like(text: str) -> bool:
    cell = text.strip('"')
    return (
        cell[:1] in FORMULA_START and len(cell.strip()) > 1 and not _looks_like_number(cell.strip())
    )


def formula_cells(path: Path) -> list[str]:
    """Cells of an exported file that a spreadsheet would run as a formula (see the module docstring)."""
    found: list[str] = []
    if path.suffix == ".csv":
        text = path.read_bytes().decode("utf-8-sig", "replace")
        for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
            for piece in re.split(r"[,;]", line):
                if _formula_like(piece.lstrip('"')):
                    found.append(f"line {number}: {piece[:120]!r}")
        return found
    import openpyxl

    workbook = openpyxl.load_workbook(path, data_only=False)
    try:
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    value = cell.value
                    if cell.data_type == "f":
                        found.append(
                            f"{sheet.title}!{cell.coordinate} formula {str(value)[:120]!r}"
                        )
                    elif isinstance(value, str) and _formula_like(value):
                        found.append(f"{sheet.title}!{cell.coordinate} text {value[:120]!r}")
    finally:
        workbook.close()
    return found


@dataclass(frozen=True)
class ChainTask:
    """A class's successful imports to replay into one database, then the export suite."""

    klass: str
    replay: tuple[tuple[str, ...], ...]
    template: str
    vetplan: str
    quick: bool


@dataclass
class ChainResult:
    """The export suite's runs on one class's database, and the formula cells found."""

    klass: str
    replayed: int
    replay_failed: int
    runs: list[tuple[str, Run]]
    formulas: list[tuple[str, str]]
    #: replayed commands that did not succeed again (name of the file, first line of output)
    replay_failures: list[str] = field(default_factory=list)


def export_commands(
    vetplan: str, folder: Path, quick: bool
) -> list[tuple[str, list[str], Path | None]]:
    """(label, command, output file) of every export that can carry stored text, for the tables that hold rows."""
    connection = sqlite3.connect(folder / "db.sqlite")
    try:
        counts = {
            table: connection.execute(f'select count(*) from "{table}"').fetchone()[0]
            for table in (
                "skills",
                "companies",
                "courses",
                "demand",
                "course_skills",
                "supply",
                "mapping_queue",
                "learned_aliases",
            )
        }
        references = [row[0] for row in connection.execute("select name from reference_tables")]
    finally:
        connection.close()
    commands: list[tuple[str, list[str], Path | None]] = []
    formats = ("csv",) if quick else ("csv", "xlsx")
    for table in [*[t for t, n in counts.items() if n], *references]:
        for fmt in formats:
            out = folder / f"export-{table}.{fmt}"
            commands.append(
                (
                    f"export {table} --format {fmt}",
                    [vetplan, "export", table, "--format", fmt, "--out", str(out)],
                    out,
                )
            )
    gap_views = [
        ("gaps", "company", "csv"),
        ("gaps", "role", "xlsx"),
        ("gaps", "skill", "csv"),
        ("coverage", "skill", "csv"),
        ("curriculum", "skill", "xlsx"),
    ]
    for view, by, fmt in gap_views[: 2 if quick else None]:
        out = folder / f"gaps-{view}-{by}.{fmt}"
        commands.append(
            (
                f"gaps {view} --by {by} --format {fmt}",
                [vetplan, "gaps", view, "--by", by, "--format", fmt, "--out", str(out)],
                out,
            )
        )
    for kind in ("survey", "courses", "supply")[: 1 if quick else None]:
        out = folder / f"template-{kind}.xlsx"
        commands.append((f"template {kind}", [vetplan, "template", kind, str(out)], out))
    return commands


def run_chain(task: ChainTask) -> ChainResult:
    """Worker: replay a class's successful commands into one database, then run and scan every export."""
    runs: list[tuple[str, Run]] = []
    formulas: list[tuple[str, str]] = []
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="vetplan-export-") as name:
        folder = Path(name)
        shutil.copyfile(task.template, folder / "db.sqlite")
        for command in task.replay:
            run = run_command(command, folder)
            for _ in range(RETRIES):
                if not MID_EDIT.search(run.output):
                    break
                time.sleep(5)
                run = run_command(command, folder)
            if run.returncode != 0:
                target = (
                    Path(command[3]).name if command[1] == "import" else shlex.join(command[2:])
                )
                failures.append(
                    f"{target[:80]!r}: exit {run.returncode}: {run.output.strip()[:160]!r}"
                )

        def scan(label: str, command: list[str], out: Path | None) -> None:
            run = run_command(command, folder)
            for _ in range(RETRIES):
                if not MID_EDIT.search(run.output):
                    break
                time.sleep(5)
                run = run_command(command, folder)
            classify(run, "", ())
            runs.append((label, run))
            if out is not None and out.exists() and run.returncode == 0:
                try:
                    cells = formula_cells(out)
                except Exception as error:  # a file our own export wrote must open
                    cells = []
                    run.verdict = "CRASH"
                    run.reasons.append(
                        f"the exported file does not open: {type(error).__name__}: {error}"
                    )
                formulas.extend((label, cell) for cell in cells)

        for label, command, out in export_commands(task.vetplan, folder, task.quick):
            scan(label, command, out)
        plan = folder / "plan.xlsx"
        scan(
            "solve --out plan.xlsx",
            [
                task.vetplan,
                "solve",
                "--set",
                "time_limit_s=2",
                "--set",
                "name=attack_export",
                "--out",
                str(plan),
            ],
            plan,
        )
        out = folder / "scenarios.csv"
        scan(
            "scenarios --format csv",
            [task.vetplan, "scenarios", "--format", "csv", "--out", str(out)],
            out,
        )
        connection = sqlite3.connect(folder / "db.sqlite")
        try:
            tables = sorted(
                {row[0] for row in connection.execute("select table_name from run_results")}
            )
        finally:
            connection.close()
        for table in tables[: 3 if task.quick else None]:
            out = folder / f"plan-{table}.csv"
            scan(
                f"export plan_{table} --format csv",
                [task.vetplan, "export", f"plan_{table}", "--format", "csv", "--out", str(out)],
                out,
            )
    return ChainResult(task.klass, len(task.replay), len(failures), runs, formulas, failures)


# ---- report -----------------------------------------------------------------------------------


def _short(text: str, limit: int = 200) -> str:
    return repr(text.strip()[:limit])


def _display_command(command: Sequence[str], corpus: Path) -> str:
    shown = [str(part).replace(str(corpus) + os.sep, "") for part in command]
    shown[0] = ".venv/bin/vetplan"
    return shlex.join(shown)


def summary_table(cases: list[Case], runs: dict[int, Run], formulas: Counter[str]) -> str:
    """class | files | ok | refused | crash | hang | oom | partial | unclear | formula, and totals."""
    header = (
        "class",
        "files",
        "ok",
        "refused",
        "crash",
        "hang",
        "oom",
        "partial",
        "unclear",
        "formula",
    )
    rows: list[tuple[str, ...]] = []
    classes = list(dict.fromkeys(case.klass for case in cases))
    totals = Counter[str]()
    for klass in classes:
        verdicts = Counter(
            runs[i].verdict for i, case in enumerate(cases) if case.klass == klass and i in runs
        )
        files = sum(verdicts.values())
        totals.update(verdicts)
        totals["files"] += files
        totals["formula"] += formulas[klass]
        rows.append(
            (klass, str(files), *(str(verdicts[v]) for v in VERDICTS), str(formulas[klass]))
        )
    rows.append(
        ("TOTAL", str(totals["files"]), *(str(totals[v]) for v in VERDICTS), str(totals["formula"]))
    )
    widths = [max(len(header[i]), *(len(row[i]) for row in rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return " | ".join(
            cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i])
            for i, cell in enumerate(cells)
        )

    rule = "-+-".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *[line(row) for row in rows[:-1]], rule, line(rows[-1])])


def export_table(chains: list[ChainResult]) -> str:
    """class | replayed | commands | ok | failed | formula cells."""
    header = ("class", "replayed", "commands", "ok", "failed", "formula cells")
    rows = []
    for chain in chains:
        ok = sum(1 for _, run in chain.runs if run.verdict == "ok")
        rows.append(
            (
                chain.klass,
                f"{chain.replayed - chain.replay_failed}/{chain.replayed}",
                str(len(chain.runs)),
                str(ok),
                str(len(chain.runs) - ok),
                str(len(chain.formulas)),
            )
        )
    widths = (
        [max(len(header[i]), *(len(row[i]) for row in rows)) for i in range(len(header))]
        if rows
        else [len(x) for x in header]
    )
    lines = [
        " | ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        )
        for row in [header, *rows]
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def findings_text(
    cases: list[Case], runs: dict[int, Run], chains: list[ChainResult], corpus: Path
) -> list[str]:
    """Every non-ok finding: verdict, class, file, exit code, command, first 200 characters of output."""
    lines: list[str] = []
    order = {verdict: i for i, verdict in enumerate(("HANG", "OOM", "PARTIAL", "CRASH", "UNCLEAR"))}
    bad = [
        (i, case)
        for i, case in enumerate(cases)
        if i in runs and runs[i].verdict not in ("ok", "refused")
    ]
    bad.sort(key=lambda pair: (order.get(runs[pair[0]].verdict, 9), pair[1].klass, pair[1].name))
    for i, case in bad:
        run = runs[i]
        lines.append(
            f"{run.verdict:<8} {case.klass:<16} {case.name!r} exit={run.returncode} ({case.note})\n"
            f"         $ {_display_command(run.command, corpus)}\n"
            f"         why: {'; '.join(run.reasons)[:300]}\n"
            f"         out: {_short(run.output)}"
        )
    for chain in chains:
        for label, run in chain.runs:
            if run.verdict != "ok":
                lines.append(
                    f"{run.verdict:<8} export/{chain.klass:<9} {label} exit={run.returncode}\n"
                    f"         why: {'; '.join(run.reasons)[:300]}\n"
                    f"         out: {_short(run.output)}"
                )
        seen: set[tuple[str, str]] = set()
        for label, cell in chain.formulas:
            if (label, cell) in seen:
                continue
            seen.add((label, cell))
            lines.append(f"FORMULA  export/{chain.klass:<9} {label}: {cell}")
    return lines


def _normalised(line: str) -> str:
    """A message line with its file, places, quoted values and numbers blanked, to group alike failures."""
    line = re.sub(r"\b(?:file|sheet|table|row|column) [^,:]*[,:]\s*", "", line)
    line = re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "'…'", line)
    return re.sub(r"\d+", "N", line).strip()[:170]


def signature(case: Case, run: Run) -> str:
    """What kind of failure a finding is: verdict and the telling line of the output, normalised."""
    names = [case.name, *[p for p in case.typed if len(p) > 2]]
    text = run.output
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "FILE").replace(repr(name)[1:-1], "FILE")
    text = re.sub(r"/\S*FILE", "FILE", text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else "(no output)"
    if run.verdict == "HANG":
        return f"HANG {case.kind}: no answer in {TIMEOUT_S:.0f} s"
    if run.verdict == "PARTIAL":
        tables = ", ".join(re.sub(r" \(.*", "", change) for change in run.changed)
        return (
            f"PARTIAL {case.kind}: exit {run.returncode}, {tables} changed | {_normalised(first)}"
        )
    if run.verdict in ("CRASH", "OOM"):
        line = next(
            (line for line in lines if "internal error" in line or "Traceback" in line), first
        )
        return f"{run.verdict} {_normalised(line)}"
    labels = list(dict.fromkeys(reason.split(":")[0] for reason in run.reasons))
    cleaned = _without_typed(run.output, [*case.typed, case.name])
    stripped = [line.strip() for line in cleaned.splitlines() if line.strip()]
    errors = [line for line in stripped if line.startswith(("error:", "- ", "vetplan:"))]
    telling = errors[0] if errors else first
    for line in stripped:
        never_typed = any(
            match.group(2).strip().lower() in NEVER_TYPED for match in SUSPECT_VALUE.finditer(line)
        )
        if any(p.search(line) for _, p in RAW_TEXT) or BIG_NUMBER.search(line) or never_typed:
            telling = line
            break
    return f"UNCLEAR {'; '.join(labels)} | {_normalised(telling)}"


def failure_kinds(cases: list[Case], runs: dict[int, Run], corpus: Path) -> list[str]:
    """Findings grouped by :func:`signature`: count, classes, and one reproducer each."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, case in enumerate(cases):
        run = runs.get(index)
        if run is not None and run.verdict not in ("ok", "refused"):
            groups[signature(case, run)].append(index)
    order = {verdict: i for i, verdict in enumerate(("HANG", "OOM", "PARTIAL", "CRASH", "UNCLEAR"))}
    lines = []
    for key, members in sorted(
        groups.items(), key=lambda item: (order.get(item[0].split()[0], 9), -len(item[1]))
    ):
        example = cases[members[0]]
        classes = ", ".join(sorted({cases[i].klass for i in members}))
        lines.append(
            f"{len(members):>4} x {key}\n"
            f"         classes: {classes}\n"
            f"         e.g. {example.klass}/{example.name!r} ({example.note})\n"
            f"         $ {_display_command(runs[members[0]].command, corpus)}"
        )
    return lines


def notes_text(cases: list[Case], runs: dict[int, Run], corpus: Path) -> list[str]:
    """Observations that are not verdicts, grouped by what was seen."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for i, case in enumerate(cases):
        run = runs.get(i)
        if run is None:
            continue
        for note in run.notes:
            grouped[note if "MB" not in note else re.sub(r"[\d.]+ MB", "N MB", note)].append(
                f"{case.klass}/{case.name!r}"
            )
    lines = []
    for note, where in sorted(grouped.items()):
        lines.append(f"NOTE {note}: {len(where)} file(s), e.g. {', '.join(where[:4])}")
    return lines


def _git_head() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return "?"


def make_template_database(folder: Path, vetplan: str) -> Path:
    """``vetplan init --sample`` into ``folder/db.sqlite`` once; every run copies it."""
    run = run_command([vetplan, "init", "--sample"], folder, timeout=120)
    if run.returncode != 0:
        msg = f"vetplan init --sample failed: {run.output[:500]}"
        raise SystemExit(msg)
    return folder / "db.sqlite"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small subset (about 60 files) and a short export suite",
    )
    parser.add_argument(
        "--out", type=Path, help="keep the corpus in this folder (default: a temporary folder)"
    )
    parser.add_argument(
        "--kinds", help=f"comma-separated kinds to attack ({', '.join(KIND_NAMES)})"
    )
    parser.add_argument("--classes", help="comma-separated classes to run (default: all)")
    parser.add_argument("--seed", type=int, default=20260, help="corpus seed (default 20260)")
    parser.add_argument(
        "--workers", type=int, default=MAX_WORKERS, help="parallel runs (at most 2)"
    )
    parser.add_argument("--no-export", action="store_true", help="skip the export phase")
    parser.add_argument(
        "--generate-only", action="store_true", help="write the corpus (needs --out) and stop"
    )
    parser.add_argument(
        "--findings", type=Path, default=FINDINGS_FILE, help="where to write the findings"
    )
    args = parser.parse_args(argv)

    cases = build_corpus(args.seed)
    if args.kinds:
        wanted = {kind.strip() for kind in args.kinds.split(",") if kind.strip()}
        unknown = wanted - set(KIND_NAMES)
        if unknown:
            parser.error(f"unknown kind(s): {', '.join(sorted(unknown))}")
        cases = [case for case in cases if case.kind in wanted]
    if args.classes:
        wanted = {klass.strip() for klass in args.classes.split(",")}
        cases = [case for case in cases if case.klass in wanted or case.klass == "baseline"]
    if args.quick:
        cases = quick_subset(cases, args.seed)
    if args.generate_only and args.out is None:
        parser.error("--generate-only needs --out DIR")

    vetplan = str(Path(sys.executable).with_name("vetplan"))
    if not Path(vetplan).exists():
        vetplan = shutil.which("vetplan") or "vetplan"
    workers = max(1, min(args.workers, MAX_WORKERS))
    scratch = tempfile.TemporaryDirectory(prefix="vetplan-corpus-")
    corpus = (args.out or Path(scratch.name)).resolve()
    corpus.mkdir(parents=True, exist_ok=True)
    paths = [write_case(case, corpus) for case in cases]
    print(
        f"corpus: {len(cases)} cases in {corpus} (seed {args.seed}, HEAD {_git_head()})", flush=True
    )
    if args.generate_only:
        for case, path in zip(cases, paths, strict=True):
            print(
                f"{case.klass}/{case.name!r}: {' '.join(command_for(case, path, 'vetplan')[1:])[:160]}"
            )
        return 0

    started = time.perf_counter()
    template_dir = Path(scratch.name) / "template"
    template_dir.mkdir(exist_ok=True)
    template = make_template_database(template_dir, vetplan)
    baseline = tuple(sorted(database_digest(template).items()))
    tasks = []
    for index, (case, path) in enumerate(zip(cases, paths, strict=True)):
        command = command_for(case, path, vetplan)
        extra_paths = tuple(str(p) for p in ([path, path.parent] if path is not None else []))
        tasks.append(
            Task(
                index,
                tuple(command),
                case.expect_name,
                case.typed,
                extra_paths,
                str(template),
                baseline,
            )
        )
    runs: dict[int, Run] = {}
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_task, task) for task in tasks]
        for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
            index, run = future.result()
            annotate(run, cases[index])
            runs[index] = run
            if run.verdict not in ("ok", "refused"):
                print(
                    f"  [{done}/{len(tasks)}] {run.verdict:<8} {cases[index].klass}/{cases[index].name!r}",
                    flush=True,
                )
            elif done % 50 == 0:
                print(f"  [{done}/{len(tasks)}] ...", flush=True)
    imported = time.perf_counter() - started

    chains: list[ChainResult] = []
    if not args.no_export:
        replay: dict[str, list[tuple[str, ...]]] = {}
        for index, case in enumerate(cases):
            run = runs[index]
            carries = case.kind != "scenario" or case.typed
            if run.verdict == "ok" and carries:
                replay.setdefault(case.klass, []).append(tuple(run.command))
        if args.quick:
            replay = {
                klass: commands
                for klass, commands in replay.items()
                if klass in ("baseline", "formula")
            }
        chain_tasks = [
            ChainTask(klass, tuple(commands), str(template), vetplan, args.quick)
            for klass, commands in replay.items()
        ]
        print(f"exports: {len(chain_tasks)} class database(s)", flush=True)
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
            chains = list(pool.map(run_chain, chain_tasks))
    elapsed = time.perf_counter() - started

    formula_counts = Counter[str]()
    for chain in chains:
        formula_counts[chain.klass] += len(chain.formulas)
    table = summary_table(cases, runs, formula_counts)
    findings = findings_text(cases, runs, chains, corpus)
    notes = notes_text(cases, runs, corpus)
    notes += [
        f"NOTE replay into export/{chain.klass} did not succeed again: {failure}"
        for chain in chains
        for failure in chain.replay_failures
    ]
    header = (
        f"vetplan attack corpus: {len(cases)} files, seed {args.seed}, HEAD {_git_head()}, "
        f"{dt.datetime.now().isoformat(timespec='seconds')}, imports {imported:.0f} s, total {elapsed:.0f} s"
    )
    report = [header, "", table]
    if chains:
        report += [
            "",
            "export phase (successful imports of each class replayed into one database):",
            export_table(chains),
        ]
    kinds = failure_kinds(cases, runs, corpus)
    report += ["", f"failure kinds ({len(kinds)}; findings grouped by their message):", *kinds]
    report += ["", f"findings ({len(findings)}):", *findings]
    if notes:
        report += ["", "notes (not counted above):", *notes]
    if args.out is None:
        report += [
            "",
            "(the corpus was temporary: rerun with --out DIR to keep the files for reproducing)",
        ]
    text = "\n".join(report) + "\n"
    print()
    print(text)
    args.findings.parent.mkdir(parents=True, exist_ok=True)
    args.findings.write_text(text, encoding="utf-8", errors="backslashreplace")
    print(f"findings written to {args.findings}")
    scratch.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

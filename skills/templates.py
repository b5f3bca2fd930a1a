"""Excel input templates generated from the table contracts: instructions, dropdowns, a version stamp."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Final

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from skills.cells import xlsx_text
from skills.errors import InputError
from skills.io_values import TEMPLATE_VERSION, TEMPLATE_VERSION_NAME
from skills.kinds import TEMPLATE_KINDS
from skills.levels import LEVELS
from skills.schemas import BALANCES, MODES, PRIORITIES, describe
from skills.survey import SURVEY_COLUMNS

#: Data rows that carry dropdowns and checks.
TEMPLATE_ROWS: Final = 1000
INSTRUCTIONS_SHEET: Final = "Instructions"
LISTS_SHEET: Final = "lists"
#: Excel caps an inline list at 255 characters; longer lists go on the hidden lists sheet.
INLINE_LIST_LIMIT: Final = 255
#: NACE Rev. 2 sections and the manufacturing divisions (C10–C33) offered in the sector dropdown.
NACE_CHOICES: Final = (
    *[f"C{division}" for division in range(10, 34)],
    *"ABCDEFGHIJKLMNOPQRSTU",
)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

#: kind -> [(sheet, table whose contract describes it, columns)]
_SHEETS: Final[dict[str, list[tuple[str, str, tuple[str, ...]]]]] = {
    "survey": [("survey", "survey", SURVEY_COLUMNS)],
    "courses": [
        ("courses", "courses", tuple(describe("courses")["column"])),
        ("course_skills", "course_skills", tuple(describe("course_skills")["column"])),
    ],
    "supply": [("supply", "supply", tuple(describe("supply")["column"]))],
}


def column_contracts(table: str) -> pd.DataFrame:
    """The contract rows (see :func:`skills.schemas.describe`) behind the columns of a template sheet.

    The survey sheet combines the company columns (``company_name`` = the companies'
    ``name``; ``company_id`` optional, derived from the name when blank) with the
    demand columns.
    """
    if table != "survey":
        return describe(table)
    companies = describe("companies").set_index("column")
    demand = describe("demand").set_index("column")
    rows = []
    for name in SURVEY_COLUMNS:
        if name == "company_name":
            row = companies.loc["name"].copy()
        elif name in companies.index and name != "company_id":
            row = companies.loc[name].copy()
        elif name == "company_id":
            row = companies.loc["company_id"].copy()
            row["required"] = "no"
            row["description"] = (
                "Stable identifier of the company; left blank, it is derived from the name."
            )
        else:
            row = demand.loc[name].copy()
        if name == "skill":
            row["description"] = (
                "Skill from the list (or type its name: it is matched to the taxonomy)."
            )
        row["column"] = name
        rows.append(row)
    return pd.DataFrame(rows).reset_index(drop=True)


def _skill_choices(taxonomy: pd.DataFrame) -> list[str]:
    """Dropdown entries for skills: the English label when it is unique, else the skill_id."""
    frame = taxonomy.reset_index() if "skill_id" not in taxonomy.columns else taxonomy
    labels = frame["label"].astype("string").fillna(frame["skill_id"].astype("string"))
    unique = ~labels.str.casefold().duplicated(keep=False)
    return sorted(
        labels.where(unique, frame["skill_id"].astype("string")).astype(str).tolist(),
        key=str.casefold,
    )


def _write_lists(workbook: Workbook, taxonomy: pd.DataFrame) -> dict[str, str]:
    """Put long dropdown lists on a hidden sheet; return list name -> defined name."""
    sheet = workbook.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    lists = {"skills": _skill_choices(taxonomy), "sectors": list(NACE_CHOICES)}
    names: dict[str, str] = {}
    for position, (key, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(position)
        sheet.cell(row=1, column=position, value=key)
        for row, value in enumerate(values, start=2):
            sheet.cell(row=row, column=position, value=xlsx_text(value))
        name = f"vetplan_{key}"
        reference = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
        workbook.defined_names[name] = DefinedName(name, attr_text=reference)
        names[key] = name
    return names


def _inline(values: tuple[str, ...] | list[str]) -> str:
    text = '"' + ",".join(values) + '"'
    if len(text) > INLINE_LIST_LIMIT:
        msg = "inline dropdown list longer than 255 characters"
        raise ValueError(msg)
    return text


def _validation_for(name: str, contract: pd.Series, lists: dict[str, str]) -> DataValidation | None:
    """The dropdown or range check of one column, with an input message and an error alert."""
    description = str(contract["description"])
    unit = str(contract["unit"])
    prompt = description + (f" Unit: {unit}." if unit else "")
    validation: DataValidation | None = None
    if name == "skill":
        validation = DataValidation(
            type="list", formula1=lists["skills"], allow_blank=True, errorStyle="warning"
        )
        validation.error = "Not in the skills list: it will be matched by name, or sent to review."
    elif name == "sector":
        validation = DataValidation(
            type="list", formula1=lists["sectors"], allow_blank=True, errorStyle="warning"
        )
        validation.error = "Use a NACE code: a section letter, optionally with a division (C25)."
    elif name == "priority":
        validation = DataValidation(type="list", formula1=_inline(PRIORITIES), allow_blank=True)
        validation.error = "Choose high, medium or low."
    elif name == "mode":
        validation = DataValidation(type="list", formula1=_inline(MODES), allow_blank=True)
        validation.error = "Choose in-person, online or blended."
    elif name == "balance":
        validation = DataValidation(type="list", formula1=_inline(BALANCES), allow_blank=True)
        validation.error = "Choose shortage, balanced or surplus."
    elif name in ("current_level", "required_level", "level", "entry_level"):
        low = int(float(str(contract["range"]).split("–")[0].strip() or 0))
        high = int(float(str(contract["range"]).split("–")[1].strip() or 4))
        validation = DataValidation(
            type="list",
            formula1=_inline([str(level) for level in range(low, high + 1)]),
            allow_blank=True,
        )
        names = ", ".join(f"{level} {LEVELS[level][0]}" for level in range(low, high + 1))
        prompt = f"{description} Levels: {names}."
        validation.error = f"Choose a level from {low} to {high}."
    elif contract["type"] in ("integer", "number") and contract["range"]:
        low_text, _, high_text = str(contract["range"]).partition("–")
        kind = "whole" if contract["type"] == "integer" else "decimal"
        validation = DataValidation(
            type=kind,
            operator="between",
            formula1=low_text.strip() or "0",
            formula2=high_text.strip() or "1E+15",
            allow_blank=True,
        )
        validation.error = f"Enter a {'whole ' if kind == 'whole' else ''}number between {low_text.strip()} and {high_text.strip()}."
    if validation is None:
        return None
    validation.showErrorMessage = True
    validation.showInputMessage = True
    validation.errorTitle = f"{name}: value not accepted"
    validation.promptTitle = name[:32]
    validation.prompt = prompt[:255]
    return validation


def _data_sheet(
    workbook: Workbook, sheet_name: str, table: str, columns: tuple[str, ...], lists: dict[str, str]
) -> None:
    sheet: Worksheet = workbook.create_sheet(sheet_name)
    contracts = column_contracts(table).set_index("column")
    for position, name in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=position, value=name)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = max(12, len(name) + 4)
        contract = contracts.loc[name]
        assert isinstance(contract, pd.Series)
        validation = _validation_for(name, contract, lists)
        if validation is not None:
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    sheet.freeze_panes = "A2"


def _instructions(workbook: Workbook, kind: str) -> None:
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = INSTRUCTIONS_SHEET
    sheet["A1"] = f"vetplan input template: {kind}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = "Template version"
    sheet["B2"] = TEMPLATE_VERSION
    sheet["A3"] = "How to fill it in"
    sheet["B3"] = (
        "One row per record on the data sheet(s); keep the header row as it is. Dropdowns offer the allowed "
        "values; numbers may be typed with a decimal comma. Skills not in the list are matched by name and, "
        "when unsure, sent to review. Rows below the header are read until the last filled row."
    )
    sheet["B3"].alignment = Alignment(wrap_text=True, vertical="top")
    row = 5
    headers = [
        "sheet",
        "column",
        "required",
        "type",
        "unit",
        "range",
        "allowed",
        "example",
        "description",
    ]
    for position, header in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=position, value=header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for sheet_name, table, columns in _SHEETS[kind]:
        contracts = column_contracts(table).set_index("column")
        for name in columns:
            row += 1
            contract = contracts.loc[name]
            values = [sheet_name, name, *(str(contract[key]) for key in headers[2:])]
            for position, value in enumerate(values, start=1):
                sheet.cell(row=row, column=position, value=xlsx_text(value))
    row += 2
    sheet.cell(row=row, column=1, value="Levels").font = Font(bold=True)
    for level, (english, danish, descriptor) in LEVELS.items():
        row += 1
        sheet.cell(row=row, column=1, value=level)
        sheet.cell(row=row, column=2, value=f"{english} / {danish}")
        sheet.cell(row=row, column=3, value=descriptor)
    for letter, width in zip("ABCDEFGHI", (16, 24, 10, 10, 14, 16, 28, 18, 70), strict=True):
        sheet.column_dimensions[letter].width = width


def make_template(kind: str, taxonomy: pd.DataFrame) -> bytes:
    """An Excel template for ``survey``, ``courses`` (with course_skills) or ``supply``, as bytes.

    Sheets: *Instructions* (column contracts from the schemas, level names, the
    template version), the data sheet(s) with a header row, dropdowns (skills and
    sectors from a hidden *lists* sheet, levels and priorities inline) and range
    checks on number columns, each with an input message and an error alert.
    The version is also a defined name, which the importer checks.
    """
    if kind not in TEMPLATE_KINDS:
        msg = f"no template for {kind!r}; choose one of {', '.join(TEMPLATE_KINDS)}"
        raise InputError(msg)
    workbook = Workbook()
    _instructions(workbook, kind)
    lists = _write_lists(workbook, taxonomy)
    for sheet_name, table, columns in _SHEETS[kind]:
        _data_sheet(workbook, sheet_name, table, columns, lists)
    workbook.move_sheet(LISTS_SHEET, offset=len(workbook.sheetnames))
    workbook.defined_names[TEMPLATE_VERSION_NAME] = DefinedName(
        TEMPLATE_VERSION_NAME, attr_text=f'"{TEMPLATE_VERSION}"'
    )
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_template(kind: str, path: str | Path, taxonomy: pd.DataFrame) -> Path:
    """``vetplan template KIND OUT.xlsx``: write the template and return its path."""
    path = Path(path)
    path.write_bytes(make_template(kind, taxonomy))
    return path


def catalogue_texts() -> list[str]:
    """Texts the templates translate that come from the schemas, not from ``_("...")`` literals."""
    return []

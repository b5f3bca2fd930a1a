"""Excel input templates from the table contracts, in English or Danish: instructions, dropdowns, a version stamp."""

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

from skills import i18n
from skills.cells import xlsx_text
from skills.errors import InputError
from skills.io_values import (
    BALANCE_WORDS,
    MODE_WORDS,
    PRIORITY_WORDS,
    TEMPLATE_VERSION,
    TEMPLATE_VERSION_NAME,
)
from skills.kinds import TEMPLATE_KINDS
from skills.levels import LEVELS
from skills.schemas import BALANCES, MODES, PRIORITIES, describe
from skills.survey import SURVEY_COLUMNS

#: Data rows that carry dropdowns and checks.
TEMPLATE_ROWS: Final = 1000
INSTRUCTIONS_SHEET: Final = "Instructions"
LISTS_SHEET: Final = "lists"
#: A region of the sample (Vestjylland, NUTS 3), the example shown for every region column.
REGION_EXAMPLE: Final = "DK041"
#: Excel caps an inline list at 255 characters; longer lists go on the hidden lists sheet.
INLINE_LIST_LIMIT: Final = 255
#: NACE Rev. 2 manufacturing divisions (section C) and sections: code -> (English name, Danish name as in DB07).
NACE_NAMES: Final[dict[str, tuple[str, str]]] = {
    "C10": ("Manufacture of food products", "Fremstilling af fødevarer"),
    "C11": ("Manufacture of beverages", "Fremstilling af drikkevarer"),
    "C12": ("Manufacture of tobacco products", "Fremstilling af tobaksprodukter"),
    "C13": ("Manufacture of textiles", "Fremstilling af tekstiler"),
    "C14": ("Manufacture of wearing apparel", "Fremstilling af beklædningsartikler"),
    "C15": ("Manufacture of leather and related products", "Fremstilling af læder og lædervarer"),
    "C16": (
        "Manufacture of wood and of products of wood and cork, except furniture",
        "Fremstilling af træ og varer af træ og kork, undtagen møbler",
    ),
    "C17": ("Manufacture of paper and paper products", "Fremstilling af papir og papirvarer"),
    "C18": ("Printing and reproduction of recorded media", "Trykning og reproduktion af indspillede medier"),
    "C19": ("Manufacture of coke and refined petroleum products", "Fremstilling af koks og raffinerede mineralolieprodukter"),
    "C20": ("Manufacture of chemicals and chemical products", "Fremstilling af kemikalier og kemiske produkter"),
    "C21": (
        "Manufacture of basic pharmaceutical products and pharmaceutical preparations",
        "Fremstilling af farmaceutiske råvarer og farmaceutiske præparater",
    ),
    "C22": ("Manufacture of rubber and plastic products", "Fremstilling af gummi- og plastprodukter"),
    "C23": ("Manufacture of other non-metallic mineral products", "Fremstilling af andre ikke-metalholdige mineralske produkter"),
    "C24": ("Manufacture of basic metals", "Fremstilling af metal"),
    "C25": (
        "Manufacture of fabricated metal products, except machinery and equipment",
        "Fremstilling af metalprodukter, undtagen maskiner og udstyr",
    ),
    "C26": ("Manufacture of computer, electronic and optical products", "Fremstilling af computere, elektroniske og optiske produkter"),
    "C27": ("Manufacture of electrical equipment", "Fremstilling af elektrisk udstyr"),
    "C28": ("Manufacture of machinery and equipment n.e.c.", "Fremstilling af maskiner og udstyr i.a.n."),
    "C29": ("Manufacture of motor vehicles, trailers and semi-trailers", "Fremstilling af motorkøretøjer, påhængsvogne og sættevogne"),
    "C30": ("Manufacture of other transport equipment", "Fremstilling af andre transportmidler"),
    "C31": ("Manufacture of furniture", "Fremstilling af møbler"),
    "C32": ("Other manufacturing", "Anden fremstillingsvirksomhed"),
    "C33": ("Repair and installation of machinery and equipment", "Reparation og installation af maskiner og udstyr"),
    "A": ("Agriculture, forestry and fishing", "Landbrug, jagt, skovbrug og fiskeri"),
    "B": ("Mining and quarrying", "Råstofindvinding"),
    "C": ("Manufacturing", "Fremstillingsvirksomhed"),
    "D": ("Electricity, gas, steam and air conditioning supply", "El-, gas- og fjernvarmeforsyning"),
    "E": (
        "Water supply; sewerage, waste management and remediation activities",
        "Vandforsyning, kloakvæsen, affaldshåndtering og rensning af jord og grundvand",
    ),
    "F": ("Construction", "Bygge- og anlægsvirksomhed"),
    "G": (
        "Wholesale and retail trade; repair of motor vehicles and motorcycles",
        "Engros- og detailhandel; reparation af motorkøretøjer og motorcykler",
    ),
    "H": ("Transportation and storage", "Transport og godshåndtering"),
    "I": ("Accommodation and food service activities", "Overnatningsfaciliteter og restauration"),
    "J": ("Information and communication", "Information og kommunikation"),
    "K": ("Financial and insurance activities", "Pengeinstitut- og finansvirksomhed, forsikring"),
    "L": ("Real estate activities", "Fast ejendom"),
    "M": ("Professional, scientific and technical activities", "Liberale, videnskabelige og tekniske tjenesteydelser"),
    "N": ("Administrative and support service activities", "Administrative tjenesteydelser og hjælpetjenester"),
    "O": ("Public administration and defence; compulsory social security", "Offentlig administration, forsvar og socialsikring"),
    "P": ("Education", "Undervisning"),
    "Q": ("Human health and social work activities", "Sundhed og socialvæsen"),
    "R": ("Arts, entertainment and recreation", "Kultur, forlystelser og sport"),
    "S": ("Other service activities", "Andre serviceydelser"),
    "T": ("Activities of households as employers", "Private husholdninger med ansat medhjælp"),
    "U": ("Activities of extraterritorial organisations and bodies", "Ekstraterritoriale organisationer og organer"),
}
#: NACE Rev. 2 sections and the manufacturing divisions (C10–C33) offered in the sector dropdown.
NACE_CHOICES: Final = (
    *[f"C{division}" for division in range(10, 34)],
    *"ABCDEFGHIJKLMNOPQRSTU",
)
#: The words a Danish template offers in its dropdowns; the importer reads them (``skills.io_values``).
DANISH_WORDS: Final[dict[str, dict[str, str]]] = {
    "priority": {"high": "høj", "medium": "mellem", "low": "lav"},
    "mode": {"in-person": "fremmøde", "online": "online", "blended": "kombineret"},
    "balance": {"shortage": "mangel", "balanced": "i balance", "surplus": "overskud"},
}
_ACCEPTED_WORDS: Final = {"priority": PRIORITY_WORDS, "mode": MODE_WORDS, "balance": BALANCE_WORDS}
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


def _skill_choices(taxonomy: pd.DataFrame, language: str = "en") -> list[str]:
    """Dropdown entries for skills: the label in ``language`` when it is unique, else the skill_id.

    A Danish template offers ``label_da`` (the English label where a skill has none);
    the importer matches either language's label to the skill.
    """
    frame = taxonomy.reset_index() if "skill_id" not in taxonomy.columns else taxonomy
    labels = frame["label"].astype("string")
    if language == "da" and "label_da" in frame.columns:
        danish = frame["label_da"].astype("string").str.strip()
        labels = danish.where(danish.notna() & (danish != ""), labels)
    labels = labels.fillna(frame["skill_id"].astype("string"))
    unique = ~labels.str.casefold().duplicated(keep=False)
    return sorted(
        labels.where(unique, frame["skill_id"].astype("string")).astype(str).tolist(),
        key=str.casefold,
    )


def sector_name(code: str, language: str = "en") -> str:
    """The name of a NACE code in ``language`` (the code itself when it has none here)."""
    english, danish = NACE_NAMES.get(code, (code, code))
    return danish if language == "da" else english


def _write_lists(workbook: Workbook, taxonomy: pd.DataFrame, language: str) -> dict[str, str]:
    """Put long dropdown lists on a hidden sheet, the sectors' names beside them; return list name -> defined name."""
    sheet = workbook.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    lists = {"skills": _skill_choices(taxonomy, language), "sectors": list(NACE_CHOICES)}
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
    column = len(lists) + 1
    sheet.cell(row=1, column=column, value="sector_names")
    for row, code in enumerate(NACE_CHOICES, start=2):
        sheet.cell(row=row, column=column, value=xlsx_text(sector_name(code, language)))
    return names


def _inline(values: tuple[str, ...] | list[str]) -> str:
    text = '"' + ",".join(values) + '"'
    if len(text) > INLINE_LIST_LIMIT:
        msg = "inline dropdown list longer than 255 characters"
        raise ValueError(msg)
    return text


def _choices(name: str, language: str, values: tuple[str, ...]) -> list[str]:
    """The dropdown words of a word column in ``language`` (the importer reads both languages)."""
    if language != "da":
        return list(values)
    words = [DANISH_WORDS[name][value] for value in values]
    accepted = _ACCEPTED_WORDS[name]
    assert all(accepted[word] == value for word, value in zip(words, values, strict=True)), name
    return words


def _level_names(low: int, high: int, language: str) -> str:
    return ", ".join(f"{level} {LEVELS[level][1 if language == 'da' else 0]}" for level in range(low, high + 1))


def _validation_for(
    name: str, contract: pd.Series, lists: dict[str, str], language: str = i18n.DEFAULT_LANGUAGE
) -> DataValidation | None:
    """The dropdown or range check of one column, with an input message and an error alert in ``language``."""
    _ = i18n.translator(language)
    description = _.gettext(str(contract["description"]))
    unit = str(contract["unit"])
    prompt = description + (" " + _("Unit: {unit}.").format(unit=_.gettext(unit)) if unit else "")
    validation: DataValidation | None = None
    if name == "skill":
        validation = DataValidation(
            type="list", formula1=lists["skills"], allow_blank=True, errorStyle="warning"
        )
        validation.error = _("Not in the skills list: it will be matched by name, or sent to review.")
    elif name == "sector":
        validation = DataValidation(
            type="list", formula1=lists["sectors"], allow_blank=True, errorStyle="warning"
        )
        validation.error = _("Use a NACE code: a section letter, optionally with a division (C25).")
        prompt = description + " " + _("The codes and their names are listed on the instructions sheet.")
    elif name in ("priority", "mode", "balance"):
        words = _choices(name, language, {"priority": PRIORITIES, "mode": MODES, "balance": BALANCES}[name])
        validation = DataValidation(type="list", formula1=_inline(words), allow_blank=True)
        validation.error = _("Choose one of: {choices}.").format(choices=", ".join(words))
    elif name in ("current_level", "required_level", "level", "entry_level"):
        low = int(float(str(contract["range"]).split("–")[0].strip() or 0))
        high = int(float(str(contract["range"]).split("–")[1].strip() or 4))
        validation = DataValidation(
            type="list",
            formula1=_inline([str(level) for level in range(low, high + 1)]),
            allow_blank=True,
        )
        prompt = _("{description} Levels: {levels}.").format(
            description=description, levels=_level_names(low, high, language)
        )
        validation.error = _("Choose a level from {low} to {high}.").format(low=low, high=high)
    elif contract["type"] in ("integer", "number") and contract["range"]:
        low_text, _dash, high_text = str(contract["range"]).partition("–")
        kind = "whole" if contract["type"] == "integer" else "decimal"
        validation = DataValidation(
            type=kind,
            operator="between",
            formula1=low_text.strip() or "0",
            formula2=high_text.strip() or "1E+15",
            allow_blank=True,
        )
        between = _("Enter a whole number between {low} and {high}.") if kind == "whole" else _(
            "Enter a number between {low} and {high}."
        )
        validation.error = between.format(low=low_text.strip(), high=high_text.strip())
    if validation is None:
        return None
    validation.showErrorMessage = True
    validation.showInputMessage = True
    validation.errorTitle = _("{column}: value not accepted").format(column=name)[:32]
    validation.promptTitle = name[:32]
    validation.prompt = prompt[:255]
    return validation


def _data_sheet(
    workbook: Workbook, sheet_name: str, table: str, columns: tuple[str, ...], lists: dict[str, str], language: str
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
        validation = _validation_for(name, contract, lists, language)
        if validation is not None:
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    sheet.freeze_panes = "A2"


#: The columns of the instructions' table: contract field -> heading (translated when written).
_INSTRUCTION_HEADINGS: Final = ("sheet", "column", "required", "type", "unit", "range", "allowed", "example", "description")


def _kind_names(language: str) -> dict[str, str]:
    _ = i18n.translator(language)
    return {"survey": _("survey"), "courses": _("courses"), "supply": _("supply")}


def _heading_names(language: str) -> dict[str, str]:
    _ = i18n.translator(language)
    return {
        "sheet": _("sheet"), "column": _("column"), "required": _("required"), "type": _("type"), "unit": _("unit"),
        "range": _("range"), "allowed": _("allowed"), "example": _("example"), "description": _("description"),
    }


def _instruction_value(name: str, field: str, contract: pd.Series, language: str) -> str:
    """One cell of a column's row on the instructions sheet, in ``language``."""
    _ = i18n.translator(language)
    value = str(contract[field])
    if field == "example" and name == "region":
        return REGION_EXAMPLE
    if field == "allowed" and name in DANISH_WORDS and value:
        return ", ".join(_choices(name, language, tuple(part.strip() for part in value.split(","))))
    if field in ("required", "type", "unit", "description") and value:
        return _.gettext(value)
    return value


def _instructions(workbook: Workbook, kind: str, language: str = i18n.DEFAULT_LANGUAGE) -> None:
    _ = i18n.translator(language)
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = _("Instructions")
    sheet["A1"] = _("vetplan input template: {kind}").format(kind=_kind_names(language)[kind])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = _("Template version")
    sheet["B2"] = TEMPLATE_VERSION
    sheet["A3"] = _("How to fill it in")
    sheet["B3"] = _(
        "One row per record on the data sheet(s); keep the header row as it is. Dropdowns offer the allowed "
        "values; numbers may be typed with a decimal comma. Skills not in the list are matched by name and, "
        "when unsure, sent to review. Rows below the header are read until the last filled row."
    )
    sheet["B3"].alignment = Alignment(wrap_text=True, vertical="top")
    row = 5
    headings = _heading_names(language)
    for position, heading in enumerate(_INSTRUCTION_HEADINGS, start=1):
        cell = sheet.cell(row=row, column=position, value=headings[heading])
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for sheet_name, table, columns in _SHEETS[kind]:
        contracts = column_contracts(table).set_index("column")
        for name in columns:
            row += 1
            contract = contracts.loc[name]
            assert isinstance(contract, pd.Series)
            values = [
                sheet_name, name, *(_instruction_value(name, field, contract, language) for field in _INSTRUCTION_HEADINGS[2:])
            ]
            for position, value in enumerate(values, start=1):
                sheet.cell(row=row, column=position, value=xlsx_text(value))
    row += 2
    sheet.cell(row=row, column=1, value=_("Levels")).font = Font(bold=True)
    for level, (english, danish, descriptor) in LEVELS.items():
        row += 1
        sheet.cell(row=row, column=1, value=level)
        sheet.cell(row=row, column=2, value=f"{danish} / {english}" if language == "da" else f"{english} / {danish}")
        sheet.cell(row=row, column=3, value=_.gettext(descriptor))
    if any("sector" in columns for _sheet, _table, columns in _SHEETS[kind]):
        row += 2
        sheet.cell(row=row, column=1, value=_("Sectors (NACE Rev. 2)")).font = Font(bold=True)
        for code in NACE_CHOICES:
            row += 1
            sheet.cell(row=row, column=1, value=code)
            sheet.cell(row=row, column=2, value=xlsx_text(sector_name(code, language)))
    for letter, width in zip("ABCDEFGHI", (16, 24, 10, 10, 14, 16, 28, 18, 70), strict=True):
        sheet.column_dimensions[letter].width = width


def make_template(kind: str, taxonomy: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> bytes:
    """An Excel template for ``survey``, ``courses`` (with course_skills) or ``supply``, as bytes.

    Sheets: *Instructions* (*Vejledning* in Danish: column contracts from the schemas,
    level names, the sectors' codes and names, the template version), the data sheet(s)
    with a header row, dropdowns (skills and sectors from a hidden *lists* sheet, levels
    and priorities inline) and range checks on number columns, each with an input
    message and an error alert. The version is also a defined name, which the importer
    checks.

    Parameters
    ----------
    kind
        One of :data:`skills.kinds.TEMPLATE_KINDS`.
    taxonomy
        The skills offered in the skill dropdown.
    language
        ``en`` or ``da`` (see :data:`skills.i18n.LANGUAGES`): the instructions, input
        messages, alerts, skill labels and word dropdowns (priority, mode, balance) are in
        it; headers stay the column names the importer reads in both languages.
    """
    if kind not in TEMPLATE_KINDS:
        msg = f"no template for {kind!r}; choose one of {', '.join(TEMPLATE_KINDS)}"
        raise InputError(msg)
    if language not in i18n.LANGUAGES:
        msg = f"no template language {language!r}; choose one of {', '.join(i18n.LANGUAGES)}"
        raise InputError(msg)
    workbook = Workbook()
    _instructions(workbook, kind, language)
    lists = _write_lists(workbook, taxonomy, language)
    for sheet_name, table, columns in _SHEETS[kind]:
        _data_sheet(workbook, sheet_name, table, columns, lists, language)
    workbook.move_sheet(LISTS_SHEET, offset=len(workbook.sheetnames))
    workbook.defined_names[TEMPLATE_VERSION_NAME] = DefinedName(
        TEMPLATE_VERSION_NAME, attr_text=f'"{TEMPLATE_VERSION}"'
    )
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_template(kind: str, path: str | Path, taxonomy: pd.DataFrame, language: str = i18n.DEFAULT_LANGUAGE) -> Path:
    """``vetplan template KIND OUT.xlsx``: write the template (in ``language``) and return its path."""
    path = Path(path)
    path.write_bytes(make_template(kind, taxonomy, language))
    return path


def catalogue_texts() -> list[str]:
    """Texts the templates translate that come from the schemas and the levels, not from ``_("...")`` literals.

    Every column's description, unit, type and required flag, and each level's descriptor:
    the catalogue test fails when one of them has no Danish text.
    """
    texts: set[str] = set()
    for sheets in _SHEETS.values():
        for _sheet, table, columns in sheets:
            contracts = column_contracts(table).set_index("column")
            for name in columns:
                texts.update(str(contracts.loc[name, field]) for field in ("description", "unit", "type", "required"))
    texts.update(descriptor for _english, _danish, descriptor in LEVELS.values())
    texts.discard("")
    return sorted(texts)

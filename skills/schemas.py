"""Data contracts: one pandera schema per table, declared once and used for validation, docs and templates."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from skills.errors import InputError, Problem
from skills.levels import MAX_LEVEL, MIN_LEVEL

SKILL_GROUPS: Final = (
    "automation_robotics",
    "digital_data",
    "production_technology",
    "lean_quality",
    "green_sustainability",
    "servitisation_business",
    "transversal",
)
#: What a person reads for each skill group.
SKILL_GROUP_NAMES: Final = {
    "automation_robotics": "Automation and robotics",
    "digital_data": "Digitalisation and data",
    "production_technology": "Production technology",
    "lean_quality": "Lean and quality",
    "green_sustainability": "Green transition and sustainability",
    "servitisation_business": "Servitisation and business",
    "transversal": "Transversal skills",
}
#: The same names in Danish.
SKILL_GROUP_NAMES_DA: Final = {
    "automation_robotics": "Automatisering og robotter",
    "digital_data": "Digitalisering og data",
    "production_technology": "Produktionsteknologi",
    "lean_quality": "Lean og kvalitet",
    "green_sustainability": "Grøn omstilling og bæredygtighed",
    "servitisation_business": "Servitisering og forretning",
    "transversal": "Tværgående kompetencer",
}
PRIORITIES: Final = ("high", "medium", "low")
MODES: Final = ("in-person", "online", "blended")
BALANCES: Final = ("shortage", "balanced", "surplus")
NUTS_PATTERN: Final = r"^[A-Z]{2}[0-9A-Z]{0,3}$"
NACE_PATTERN: Final = r"^[A-U]([0-9]{2}(\.[0-9]{1,2})?)?$"
ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
ESCO_PATTERN: Final = r"^http://data\.europa\.eu/esco/(skill|occupation|isco)/.+$"

#: Columns whose value an import may fill in when the respondent gave none (a survey mapping's
#: default, or the fixed need a yes/no answer stands for); the table's ``assumed`` column names them.
ASSUMABLE: Final[dict[str, tuple[str, ...]]] = {
    "companies": ("region", "sector", "employees"),
    "demand": ("headcount", "current_level", "required_level", "needed_by", "priority"),
}
#: Separator between the column names in an ``assumed`` cell.
ASSUMED_SEPARATOR: Final = "|"

INT: Final = "Int64"  # nullable integer, so a missing value is reported, not mis-typed
FLOAT: Final = "Float64"
TEXT: Final = "string"

#: Longest text (in characters, after trimming) per kind of text column; also the SQL column lengths.
ID_LENGTH: Final = 64  # ids and codes: skill_id, company_id, region, sector, priority ...
NAME_LENGTH: Final = 200  # names, labels, titles, skill phrases, URIs
DESCRIPTION_LENGTH: Final = 2000  # free-text descriptions
LIST_LENGTH: Final = 4000  # lists in one cell (aliases separated by |)
#: Characters no text cell may hold: C0 and C1 controls (with DEL), lone surrogates, U+FFFE, U+FFFF.
#: xlsx cannot hold most of them (openpyxl refuses to write them) and none is typed on purpose.
FORBIDDEN_CHARACTERS: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: The same for free text (descriptions), where line breaks and tabs are legitimate.
FORBIDDEN_IN_FREE_TEXT: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SURROGATE: Final = re.compile(r"[\ud800-\udfff]")
_CHARACTER_NAMES: Final = {"\x00": "NUL", "\t": "tab", "\n": "line break", "\r": "carriage return"}
#: pandera error of the text checks declared on every text column (the message per cell says more)
CLEAN_TEXT_ERROR: Final = "contains a control character"
#: integers beyond this are not exact as float64 (and overflow Int64 near 2**63)
_EXACT_INTEGER: Final = 2**53


def _number_text(value: float) -> str:
    """``1000000`` not ``1e+06``; ``2.5`` as is."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def range_message(dtype: str, minimum: float | None, maximum: float | None) -> str:
    """How a number column's range is said in problems: "must be a whole number between 0 and 4"."""
    kind = "a whole number" if dtype == INT else "a number"
    if minimum is not None and maximum is not None:
        return f"must be {kind} between {_number_text(minimum)} and {_number_text(maximum)}"
    if minimum is not None:
        return f"must be {kind}, at least {_number_text(minimum)}"
    if maximum is not None:
        return f"must be {kind}, at most {_number_text(maximum)}"
    return f"must be {kind}"


def character_message(character: str) -> str:
    """The problem for a character no text cell may hold, naming it as an escape (U+0007)."""
    code = ord(character)
    if 0xD800 <= code <= 0xDFFF:
        kind = "invalid character"
    elif code in (0xFFFE, 0xFFFF):
        kind = "non-character"
    else:
        kind = "control character"
    name = _CHARACTER_NAMES.get(character)
    return f"contains the {kind} U+{code:04X}{f' ({name})' if name else ''}; remove it"


def escape_text(text: str, forbidden: re.Pattern[str] = FORBIDDEN_CHARACTERS, limit: int = 80) -> str:
    """``text`` for a problem's value: forbidden characters shown as ``<U+0007>``, long text cut.

    >>> escape_text("Acme\\x07 A/S")
    'Acme<U+0007> A/S'
    """
    shown = forbidden.sub(lambda found: f"<U+{ord(found.group()):04X}>", text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def text_problem(text: str, *, max_length: int | None, multiline: bool = False) -> str | None:
    """The problem with one text value (after trimming), or None when it is acceptable.

    >>> text_problem("Acme\\x07", max_length=200)
    'contains the control character U+0007; remove it'
    >>> text_problem("C" * 65, max_length=64)
    'is 65 characters; at most 64'
    """
    found = (FORBIDDEN_IN_FREE_TEXT if multiline else FORBIDDEN_CHARACTERS).search(text)
    if found is not None:
        return character_message(found.group())
    if max_length is not None and len(text) > max_length:
        return f"is {len(text)} characters; at most {max_length}"
    return None


def text_errors(col: pa.Column, cells: pd.Series) -> pd.Series:
    """Per cell of a text column, the problem with its text (:func:`text_problem`), ``None`` if fine.

    ``cells`` are trimmed text (or blanks); works on distinct values, so long columns are cheap.
    """
    meta = col.metadata or {}
    max_length, multiline = meta.get("max_length"), bool(meta.get("multiline"))
    present = cells.notna()
    result = pd.Series(None, index=cells.index, dtype=object)
    if not present.any():
        return result
    values = cells[present].astype(object)
    table = {
        value: text_problem(str(value), max_length=max_length, multiline=multiline)
        for value in pd.unique(values)
    }
    result[present] = values.map(table).astype(object)
    return result


def _clean_text_check(multiline: bool) -> Callable[[pd.Series], pd.Series[bool]]:
    forbidden = FORBIDDEN_IN_FREE_TEXT if multiline else FORBIDDEN_CHARACTERS

    def clean(series: pd.Series) -> pd.Series:
        return series.astype(object).map(
            lambda value: not isinstance(value, str) or forbidden.search(value) is None
        ).astype(bool)

    return clean


def column(
    dtype: str,
    description: str,
    *,
    unit: str = "",
    minimum: float | None = None,
    maximum: float | None = None,
    allowed: tuple[str, ...] | None = None,
    pattern: str | None = None,
    required: bool = True,
    nullable: bool = False,
    example: object = None,
    max_length: int | None = None,
    multiline: bool = False,
    pattern_error: str | None = None,
) -> pa.Column:
    """Declare one column with its type, unit, range and one-line description.

    The declaration is read back by :func:`describe` (docs, templates) and by the
    store (SQL column types and lengths), so it is the single place where a column's
    contract lives. Every text column declares ``max_length`` and refuses control
    characters (:data:`FORBIDDEN_CHARACTERS`); ``multiline`` free text may also hold
    line breaks and tabs. ``pattern_error`` says what a value breaking ``pattern`` should be.
    """
    if dtype == TEXT and max_length is None:
        msg = f"text column {description!r} declares no max_length"
        raise ValueError(msg)
    checks: list[pa.Check] = []
    error = range_message(dtype, minimum, maximum)
    if minimum is not None and maximum is not None:
        checks.append(pa.Check.in_range(minimum, maximum, error=error))
    elif minimum is not None:
        checks.append(pa.Check.ge(minimum, error=error))
    elif maximum is not None:
        checks.append(pa.Check.le(maximum, error=error))
    if dtype == TEXT:
        checks.append(pa.Check(_clean_text_check(multiline), error=CLEAN_TEXT_ERROR))
        checks.append(pa.Check.str_length(max_value=max_length, error=f"must be at most {max_length} characters"))
    if allowed is not None:
        checks.append(pa.Check.isin(list(allowed), error=f"must be one of {', '.join(allowed)}"))
    if pattern is not None:
        checks.append(pa.Check.str_matches(pattern, error=pattern_error or f"must match the pattern {pattern}"))
    metadata = {
        "unit": unit,
        "minimum": minimum,
        "maximum": maximum,
        "allowed": allowed,
        "pattern": pattern,
        "example": example,
        "max_length": max_length,
        "multiline": multiline,
    }
    return pa.Column(
        dtype,
        checks=checks,
        nullable=nullable,
        required=required,
        coerce=True,
        description=description,
        metadata=metadata,
    )


def assumed_column(table: str) -> pa.Column:
    """The optional ``assumed`` column of ``table``: which of its :data:`ASSUMABLE` columns the import filled in."""
    names = ASSUMABLE[table]
    one = "(" + "|".join(names) + ")"
    return column(
        TEXT,
        f"Columns whose value was assumed at import, not given by the respondent (a survey mapping's default or "
        f"the need a yes/no answer stands for), separated by |: {', '.join(names)}. Blank when every value was given.",
        pattern=rf"^{one}(\|{one})*$",
        required=False,
        nullable=True,
        example=names[-1],
        max_length=ID_LENGTH,
        pattern_error=f"must name columns among {', '.join(names)}, separated by |",
    )


def assumed_text(names: Iterable[str], table: str) -> str | None:
    """The ``assumed`` cell naming ``names`` in the table's column order (None when there are none).

    >>> assumed_text({"employees", "sector"}, "companies")
    'sector|employees'
    """
    wanted = set(names)
    unknown = wanted - set(ASSUMABLE[table])
    if unknown:
        msg = f"{table}: {', '.join(sorted(unknown))} cannot be flagged as assumed"
        raise InputError(msg)
    ordered = [name for name in ASSUMABLE[table] if name in wanted]
    return ASSUMED_SEPARATOR.join(ordered) if ordered else None


def assumed_names(cell: object) -> list[str]:
    """The column names in one ``assumed`` cell (none for a blank).

    >>> assumed_names("sector|employees"), assumed_names(None)
    (['sector', 'employees'], [])
    """
    if not isinstance(cell, str):
        return []
    return [part.strip() for part in cell.split(ASSUMED_SEPARATOR) if part.strip()]


RowCheck = Callable[[pd.DataFrame], "pd.Series[bool]"]


@dataclass(frozen=True)
class RowRule:
    """A rule across columns of one row: rows where ``failing`` is True break it."""

    columns: tuple[str, ...]
    message: str
    failing: RowCheck
    severity: str = "error"


@dataclass(frozen=True)
class Table:
    """A table of the data model: its pandera schema, key and cross-column rules."""

    name: str
    description: str
    schema: pa.DataFrameSchema
    key: tuple[str, ...]
    rules: tuple[RowRule, ...] = field(default_factory=tuple)

    @property
    def columns(self) -> list[str]:
        return list(self.schema.columns)

    @property
    def required_columns(self) -> list[str]:
        return [name for name, col in self.schema.columns.items() if col.required]


SKILLS = Table(
    name="skills",
    description="The skills taxonomy: one row per skill, with labels in English and Danish.",
    key=("skill_id",),
    schema=pa.DataFrameSchema(
        {
            "skill_id": column(TEXT, "Stable identifier of the skill (lowercase, digits, underscore).", pattern=r"^[a-z0-9_]+$", example="plc_programming", max_length=ID_LENGTH),
            "label": column(TEXT, "English label.", example="PLC programming", max_length=NAME_LENGTH),
            "label_da": column(TEXT, "Danish label.", required=False, nullable=True, example="PLC-programmering", max_length=NAME_LENGTH),
            "group": column(TEXT, "Skill group.", allowed=SKILL_GROUPS, example="automation_robotics", max_length=ID_LENGTH),
            "aliases": column(TEXT, "Other names people write, English and Danish, separated by |.", required=False, nullable=True, example="PLC|Siemens TIA Portal", max_length=LIST_LENGTH),
            "esco_uri": column(TEXT, "URI of the matching ESCO skill concept, if any.", pattern=ESCO_PATTERN, required=False, nullable=True, max_length=NAME_LENGTH),
            "description": column(TEXT, "What a worker with this skill can do.", required=False, nullable=True, max_length=DESCRIPTION_LENGTH, multiline=True),
            "description_da": column(TEXT, "The description in Danish.", required=False, nullable=True, max_length=DESCRIPTION_LENGTH, multiline=True),
        },
        name="skills",
    ),
)

COMPANIES = Table(
    name="companies",
    description="Companies (SMEs) answering the skills survey.",
    key=("company_id",),
    schema=pa.DataFrameSchema(
        {
            "company_id": column(TEXT, "Stable identifier of the company.", pattern=ID_PATTERN, example="C001", max_length=ID_LENGTH),
            "name": column(TEXT, "Company name.", example="Skive Stål ApS", max_length=NAME_LENGTH),
            "region": column(TEXT, "NUTS region code.", pattern=NUTS_PATTERN, example="DK04", max_length=ID_LENGTH),
            "sector": column(TEXT, "NACE Rev. 2 code (section letter plus division).", pattern=NACE_PATTERN, example="C25", max_length=ID_LENGTH),
            "employees": column(INT, "Number of employees (headcount).", unit="persons", minimum=1, maximum=100_000, example=42),
            "assumed": assumed_column("companies"),
        },
        name="companies",
    ),
)

DEMAND = Table(
    name="demand",
    description="Survey answers: one row per company and skill need.",
    key=("company_id", "skill", "role", "needed_by"),
    schema=pa.DataFrameSchema(
        {
            "company_id": column(TEXT, "Company that states the need.", pattern=ID_PATTERN, example="C001", max_length=ID_LENGTH),
            "skill": column(TEXT, "Skill id from the taxonomy.", example="plc_programming", max_length=NAME_LENGTH),
            "role": column(TEXT, "Role or occupation (ISCO code or free text).", required=False, nullable=True, example="7543", max_length=NAME_LENGTH),
            "headcount": column(INT, "Employees who need the skill.", unit="persons", minimum=0, maximum=100_000, example=3),
            "current_level": column(INT, "Level the staff have today (0 none … 4 expert).", unit="level 0–4", minimum=MIN_LEVEL, maximum=MAX_LEVEL, example=1),
            "required_level": column(INT, "Level the company needs (0 none … 4 expert).", unit="level 0–4", minimum=MIN_LEVEL, maximum=MAX_LEVEL, example=3),
            "needed_by": column(INT, "Year by which the skill is needed.", unit="year", minimum=2000, maximum=2100, example=2027),
            "priority": column(TEXT, "How urgent the need is.", allowed=PRIORITIES, example="high", max_length=ID_LENGTH),
            "assumed": assumed_column("demand"),
        },
        name="demand",
    ),
    rules=(
        RowRule(
            columns=("current_level", "required_level"),
            message="required level is at or below the current level: kept as no gap",
            failing=lambda frame: frame["required_level"] <= frame["current_level"],
            severity="warning",
        ),
    ),
)

COURSES = Table(
    name="courses",
    description="The course catalogue of vocational providers.",
    key=("course_id",),
    schema=pa.DataFrameSchema(
        {
            "course_id": column(TEXT, "Stable identifier of the course.", pattern=ID_PATTERN, example="AMU-48911", max_length=ID_LENGTH),
            "title": column(TEXT, "Course title.", example="PLC programming, basic", max_length=NAME_LENGTH),
            "provider": column(TEXT, "School or provider running the course.", example="AMU Midt", max_length=NAME_LENGTH),
            "region": column(TEXT, "NUTS region where the course runs.", pattern=NUTS_PATTERN, example="DK04", max_length=ID_LENGTH),
            "mode": column(TEXT, "Delivery mode; online courses are open to every region.", allowed=MODES, example="in-person", max_length=ID_LENGTH),
            "hours": column(FLOAT, "Teaching hours per participant.", unit="hours", minimum=1, maximum=2000, example=37),
            "cost_per_participant": column(FLOAT, "Fee per participant.", unit="currency", minimum=0, maximum=1_000_000, example=450.0),
            "fixed_cost_per_run": column(FLOAT, "Cost of opening one run (trainer, room, machines).", unit="currency", minimum=0, maximum=10_000_000, example=3200.0),
            "min_participants": column(INT, "Fewest participants for a run to open.", unit="persons", minimum=1, maximum=1000, example=6),
            "max_participants": column(INT, "Most participants in one run.", unit="persons", minimum=1, maximum=1000, example=14),
            "max_runs_per_year": column(INT, "Most runs per year.", unit="runs/year", minimum=0, maximum=365, example=4),
            "language": column(TEXT, "Teaching language (ISO 639-1).", pattern=r"^[a-z]{2}$", example="da", max_length=ID_LENGTH),
        },
        name="courses",
    ),
    rules=(
        RowRule(
            columns=("min_participants", "max_participants"),
            message="min_participants is larger than max_participants",
            failing=lambda frame: frame["min_participants"] > frame["max_participants"],
        ),
    ),
)

COURSE_SKILLS = Table(
    name="course_skills",
    description="Which skills a course teaches, to what level, from which entry level.",
    key=("course_id", "skill"),
    schema=pa.DataFrameSchema(
        {
            "course_id": column(TEXT, "Course.", pattern=ID_PATTERN, example="AMU-48911", max_length=ID_LENGTH),
            "skill": column(TEXT, "Skill id from the taxonomy.", example="plc_programming", max_length=NAME_LENGTH),
            "level": column(INT, "Level a participant reaches.", unit="level 1–4", minimum=1, maximum=MAX_LEVEL, example=2),
            "entry_level": column(INT, "Level a participant needs to start.", unit="level 0–3", minimum=MIN_LEVEL, maximum=MAX_LEVEL - 1, example=0),
        },
        name="course_skills",
    ),
    rules=(
        RowRule(
            columns=("entry_level", "level"),
            message="entry_level must be below the level the course reaches",
            failing=lambda frame: frame["entry_level"] >= frame["level"],
        ),
    ),
)

SUPPLY = Table(
    name="supply",
    description="Recruitment: hires the regional labour market offers per skill.",
    key=("skill", "region"),
    schema=pa.DataFrameSchema(
        {
            "skill": column(TEXT, "Skill id from the taxonomy that a hire brings (at level 3).", example="cnc_milling", max_length=NAME_LENGTH),
            "occupation": column(TEXT, "Occupation of the hires (ISCO code or text).", required=False, nullable=True, example="7223", max_length=NAME_LENGTH),
            "region": column(TEXT, "NUTS region of the labour market.", pattern=NUTS_PATTERN, example="DK04", max_length=ID_LENGTH),
            "hires_available_per_year": column(INT, "Hires the market can supply per year.", unit="persons/year", minimum=0, maximum=1_000_000, example=5),
            "cost_per_hire": column(FLOAT, "Recruitment cost per hire (ads, agency, onboarding).", unit="currency", minimum=0, maximum=10_000_000, example=9000.0),
            "lead_time_months": column(INT, "Months from decision to the hire being productive.", unit="months", minimum=0, maximum=120, example=6),
            "balance": column(TEXT, "Labour-market balance for the skill.", allowed=BALANCES, example="shortage", max_length=ID_LENGTH),
        },
        name="supply",
    ),
)

TABLES: Final[dict[str, Table]] = {
    table.name: table for table in (SKILLS, COMPANIES, DEMAND, COURSES, COURSE_SKILLS, SUPPLY)
}

#: (table, column) -> (referenced table, referenced key column)
REFERENCES: Final[dict[tuple[str, str], tuple[str, str]]] = {
    ("demand", "company_id"): ("companies", "company_id"),
    ("demand", "skill"): ("skills", "skill_id"),
    ("course_skills", "course_id"): ("courses", "course_id"),
    ("course_skills", "skill"): ("skills", "skill_id"),
    ("supply", "skill"): ("skills", "skill_id"),
}


def get_table(name: str) -> Table:
    """Return the :class:`Table` called ``name`` or raise :class:`InputError`."""
    try:
        return TABLES[name]
    except KeyError:
        msg = f"unknown table {name!r}; expected one of {', '.join(TABLES)}"
        raise InputError(msg) from None


def _dtype_name(col: pa.Column) -> str:
    name = str(col.dtype)
    return TEXT if name.startswith("string") else name


def _default_row_numbers(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(range(2, len(frame) + 2), index=frame.index)


def _cell_text(value: object) -> str:
    """A cell as a problem's value: blanks empty, forbidden characters escaped (``<U+0007>``)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    try:
        if pd.isna(value):  # type: ignore[call-overload]
            return ""
    except (TypeError, ValueError):
        pass
    return escape_text(str(value), limit=10_000)


def _without_surrogates(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``series`` with text holding lone surrogates blanked (pandas' string type cannot hold them), and their mask."""
    if series.dtype != object:
        return series, pd.Series(False, index=series.index)
    broken = series.map(lambda value: isinstance(value, str) and _SURROGATE.search(value) is not None).astype(bool)
    return (series.where(~broken, None) if broken.any() else series), broken


def _coerce_numeric(series: pd.Series, integer: bool, *, ranged: bool) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Convert ``series`` to numbers; return (converted, mask of cells that are not numbers, the numbers as float).

    Integers too large to convert exactly are left out of the converted column; they are
    flagged here unless the column has a range (then they are reported as out of range).
    """
    clean, broken = _without_surrogates(series)
    as_text = clean.astype("string").str.strip()
    blank = (as_text.isna() | (as_text == "")) & ~broken
    numbers = pd.to_numeric(as_text.where(~blank), errors="coerce").astype("float64")
    bad = (~blank & numbers.isna()) | broken
    if integer:
        fractional = numbers.notna() & (numbers != numbers.round())
        inexact = numbers.notna() & ~(numbers.abs() <= _EXACT_INTEGER)
        bad = bad | fractional | (inexact & (not ranged))
        return numbers.where(~bad & ~inexact).round().astype("Int64"), bad, numbers
    return numbers.where(~bad).astype("Float64"), bad, numbers


def _out_of_range(col: pa.Column, numbers: pd.Series) -> pd.Series:
    """Cells of ``numbers`` (float) outside the column's declared range (blanks are not)."""
    meta = col.metadata or {}
    minimum, maximum = meta.get("minimum"), meta.get("maximum")
    outside = pd.Series(False, index=numbers.index)
    present = numbers.notna()
    if minimum is not None:
        outside |= present & ~(numbers >= minimum)
    if maximum is not None:
        outside |= present & ~(numbers <= maximum)
    return outside.astype(bool)


def check_range(col: pa.Column, numbers: pd.Series) -> tuple[pd.Series, str]:
    """Cells of ``numbers`` outside the column's declared range, and the problem to report for them.

    Used before the numbers are typed, so a problem can show the text the user wrote
    (``99999999999999999999``) rather than what it became.
    """
    meta = col.metadata or {}
    message = range_message(_dtype_name(col), meta.get("minimum"), meta.get("maximum"))
    return _out_of_range(col, numbers.astype("float64")), message


def _coerce_text(series: pd.Series, multiline: bool) -> tuple[pd.Series, pd.Series]:
    """Trimmed text (blanks as NA; line breaks as LF in free text) and the mask of cells with lone surrogates."""
    clean, broken = _without_surrogates(series)
    as_text = clean.astype("string").str.strip()
    if multiline:
        as_text = as_text.str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False)
    return as_text.where(as_text != ""), broken


def max_length(col: pa.Column) -> int | None:
    """The declared longest text of a column (``None`` for numbers): the SQL column length too."""
    value = (col.metadata or {}).get("max_length")
    return int(value) if value is not None else None


def validate(
    table: Table | str,
    frame: pd.DataFrame,
    *,
    file: str = "",
    sheet: str = "",
    row_numbers: pd.Series | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate ``frame`` against a table's contract.

    Returns the typed frame (columns in contract order, extra columns dropped)
    and the warnings. Raises :class:`InputError` listing every problem, each
    naming table, file, sheet, row (header = row 1) and column.

    Examples
    --------
    >>> frame = pd.DataFrame({"company_id": ["C1"], "name": ["A/S"], "region": ["DK04"],
    ...                       "sector": ["C25"], "employees": ["12"]})
    >>> typed, warnings = validate("companies", frame)
    >>> int(typed.loc[0, "employees"]), warnings
    (12, [])
    """
    spec = get_table(table) if isinstance(table, str) else table
    frame = frame.reset_index(drop=frame.index.name is None or frame.index.name not in spec.columns)
    rows = _default_row_numbers(frame) if row_numbers is None else row_numbers.set_axis(frame.index)
    where: dict[str, Any] = {"table": spec.name, "file": file, "sheet": sheet}
    problems: list[Problem] = []

    missing = [name for name in spec.required_columns if name not in frame.columns]
    for name in missing:
        problems.append(Problem(f"required column {name!r} is missing", column=name, **where))
    if problems:
        msg = f"{spec.name}: {len(problems)} missing column(s)"
        raise InputError(msg, problems)

    typed = pd.DataFrame(index=frame.index)
    reported: set[tuple[object, str]] = set()
    for name, col in spec.schema.columns.items():
        if name not in frame.columns:
            typed[name] = pd.Series(pd.NA, index=frame.index, dtype=_dtype_name(col))
            continue
        dtype = _dtype_name(col)
        meta = col.metadata or {}
        if dtype in (INT, FLOAT):
            ranged = meta.get("minimum") is not None or meta.get("maximum") is not None
            converted, bad, numbers = _coerce_numeric(frame[name], integer=dtype == INT, ranged=ranged)
            kind = "a whole number" if dtype == INT else "a number"
            outside, range_error = check_range(col, numbers)
            for index in frame.index[bad]:
                reported.add((index, name))
                problems.append(
                    Problem(f"must be {kind}", row=int(rows[index]), column=name, value=_cell_text(frame.at[index, name]), **where)
                )
            for index in frame.index[outside & ~bad]:
                reported.add((index, name))
                problems.append(Problem(range_error, row=int(rows[index]), column=name, value=_cell_text(frame.at[index, name]), **where))
            typed[name] = converted
        else:
            text, broken = _coerce_text(frame[name], multiline=bool(meta.get("multiline")))
            messages = text_errors(col, text)
            for index in frame.index[broken]:
                reported.add((index, name))
                raw = str(frame.at[index, name])
                character = _SURROGATE.search(raw)
                message = character_message(character.group()) if character else "is not valid text"
                problems.append(Problem(message, row=int(rows[index]), column=name, value=_cell_text(raw), **where))
            for index in frame.index[messages.notna().to_numpy() & ~broken.to_numpy()]:
                reported.add((index, name))
                problems.append(
                    Problem(str(messages[index]), row=int(rows[index]), column=name, value=escape_text(str(text[index])), **where)
                )
            typed[name] = text

    try:
        spec.schema.validate(typed, lazy=True)
    except SchemaErrors as errors:
        problems.extend(_problems_from_pandera(errors.failure_cases, spec, rows, where, reported))

    key = [name for name in spec.key if name in typed.columns]
    duplicated = typed.duplicated(subset=key, keep="first") if key else pd.Series(False, index=typed.index)
    for index in typed.index[duplicated]:
        value = " / ".join(_cell_text(typed.at[index, name]) for name in key)
        problems.append(Problem(f"duplicate {' + '.join(key)}: already on an earlier row", row=int(rows[index]), column=key[0], value=value, **where))

    warnings: list[Problem] = []
    for rule in spec.rules:
        if not all(name in typed.columns for name in rule.columns):
            continue
        failing = rule.failing(typed).fillna(False).astype(bool)
        for index in typed.index[failing]:
            problem = Problem(
                rule.message,
                row=int(rows[index]),
                column=rule.columns[-1],
                value=", ".join(_cell_text(typed.at[index, name]) for name in rule.columns),
                severity=rule.severity,
                **where,
            )
            (warnings if rule.severity == "warning" else problems).append(problem)

    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column))
        msg = f"{spec.name}: {len(problems)} problem(s) found"
        raise InputError(msg, problems)
    return typed.reset_index(drop=True), warnings


def restore(table: Table | str, frame: pd.DataFrame) -> pd.DataFrame:
    """Give ``frame`` its contract's columns and types without checking it again.

    For rows read back from the database, which were validated by :func:`validate`
    when they were written: columns in contract order, missing optional columns as
    missing values, numbers as nullable ``Int64``/``Float64``, text as ``string``.

    >>> restore("companies", pd.DataFrame({"company_id": ["C1"], "name": ["A/S"], "region": ["DK04"],
    ...                                    "sector": ["C25"], "employees": [12]})).dtypes["employees"]
    Int64Dtype()
    """
    spec = get_table(table) if isinstance(table, str) else table
    typed = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for name, col in spec.schema.columns.items():
        dtype = _dtype_name(col)
        if name in frame.columns:
            values = frame[name].reset_index(drop=True)
            typed[name] = values.astype(dtype)
        else:
            typed[name] = pd.Series(pd.NA, index=typed.index, dtype=dtype)
    return typed


def _problems_from_pandera(
    failure_cases: pd.DataFrame,
    spec: Table,
    rows: pd.Series,
    where: Mapping[str, Any],
    reported: set[tuple[object, str]],
) -> list[Problem]:
    problems: list[Problem] = []
    for case in failure_cases.to_dict("records"):
        column_name = case.get("column")
        column_name = str(column_name) if isinstance(column_name, str) else ""
        check = str(case.get("check", ""))
        index = case.get("index")
        if (index, column_name) in reported:
            continue
        col = spec.schema.columns.get(column_name)
        own_errors = {c.error for c in col.checks if c.error} if col is not None else set()
        if check == "not_nullable":
            message = "a value is required"
        elif check in own_errors:
            message = check
        elif check.startswith(("coerce_dtype", "dtype")):
            message = f"has the wrong type ({check})"
        else:
            message = f"fails {check}"
        row = None
        if index is not None and not (isinstance(index, float) and pd.isna(index)) and index in rows.index:
            row = int(rows[index])
        problems.append(Problem(message, row=row, column=column_name, value=_cell_text(case.get("failure_case")), **where))
    return problems


def check_references(
    tables: Mapping[str, pd.DataFrame],
    *,
    known: Mapping[str, pd.DataFrame] | None = None,
    first_row: int = 2,
    file: str = "",
    sheet: str = "",
    suggest_import: bool = False,
) -> list[Problem]:
    """Report rows whose foreign keys (company, course, skill) point at nothing.

    ``tables`` maps table names to typed frames (id columns as columns or index); the ids
    they point at are looked up in ``known`` (``tables`` itself by default). Tables that are
    absent are not checked. A problem's row is ``first_row`` plus the row's position;
    ``suggest_import`` adds "(import <table> first)" to the message.
    """
    targets = tables if known is None else known
    problems: list[Problem] = []
    for (name, column_name), (target, target_column) in REFERENCES.items():
        if name not in tables or target not in targets:
            continue
        source = tables[name].reset_index() if tables[name].index.name else tables[name]
        target_frame = targets[target]
        known_ids = set(target_frame.index if target_frame.index.name == target_column else target_frame[target_column])
        unknown = ~source[column_name].isin(known_ids)
        advice = f" (import {target} first)" if suggest_import else ""
        for position in source.index[unknown]:
            problems.append(
                Problem(
                    f"unknown {target_column.removesuffix('_id')}: not in {target}{advice}",
                    table=name,
                    file=file,
                    sheet=sheet,
                    row=first_row + int(position),
                    column=column_name,
                    value=_cell_text(source.at[position, column_name]),
                )
            )
    return problems


def describe(table: Table | str) -> pd.DataFrame:
    """The contract of a table as a frame: column, type, unit, range, allowed values, description."""
    spec = get_table(table) if isinstance(table, str) else table
    records: list[dict[str, Any]] = []
    for name, col in spec.schema.columns.items():
        meta = col.metadata or {}
        minimum, maximum = meta.get("minimum"), meta.get("maximum")
        value_range = ""
        if minimum is not None or maximum is not None:
            low = "" if minimum is None else _number_text(minimum)
            high = "" if maximum is None else _number_text(maximum)
            value_range = f"{low} – {high}".strip()
        dtype = _dtype_name(col)
        length = max_length(col)
        if length is not None:
            value_range = f"at most {length} characters" + (" (line breaks and tabs allowed)" if meta.get("multiline") else "")
        records.append(
            {
                "column": name,
                "type": {INT: "integer", FLOAT: "number", TEXT: "text"}.get(dtype, dtype),
                "required": "yes" if col.required and not col.nullable else "no",
                "unit": meta.get("unit") or "",
                "range": value_range,
                "allowed": ", ".join(meta.get("allowed") or ()),
                "pattern": meta.get("pattern") or "",
                "max_length": length,
                "example": "" if meta.get("example") is None else str(meta["example"]),
                "description": col.description or "",
            }
        )
    return pd.DataFrame.from_records(records)

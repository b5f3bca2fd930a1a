"""Data contracts: one pandera schema per table, declared once and used for validation, docs and templates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
PRIORITIES: Final = ("high", "medium", "low")
MODES: Final = ("in-person", "online", "blended")
BALANCES: Final = ("shortage", "balanced", "surplus")
NUTS_PATTERN: Final = r"^[A-Z]{2}[0-9A-Z]{0,3}$"
NACE_PATTERN: Final = r"^[A-U]([0-9]{2}(\.[0-9]{1,2})?)?$"
ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
ESCO_PATTERN: Final = r"^http://data\.europa\.eu/esco/(skill|occupation|isco)/.+$"

INT: Final = "Int64"  # nullable integer, so a missing value is reported, not mis-typed
FLOAT: Final = "Float64"
TEXT: Final = "string"


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
) -> pa.Column:
    """Declare one column with its type, unit, range and one-line description.

    The declaration is read back by :func:`describe` (docs, templates) so it is
    the single place where a column's contract lives.
    """
    checks: list[pa.Check] = []
    if minimum is not None and maximum is not None:
        checks.append(pa.Check.in_range(minimum, maximum, error=f"must be between {minimum:g} and {maximum:g}"))
    elif minimum is not None:
        checks.append(pa.Check.ge(minimum, error=f"must be at least {minimum:g}"))
    elif maximum is not None:
        checks.append(pa.Check.le(maximum, error=f"must be at most {maximum:g}"))
    if allowed is not None:
        checks.append(pa.Check.isin(list(allowed), error=f"must be one of {', '.join(allowed)}"))
    if pattern is not None:
        checks.append(pa.Check.str_matches(pattern, error=f"must match the pattern {pattern}"))
    metadata = {
        "unit": unit,
        "minimum": minimum,
        "maximum": maximum,
        "allowed": allowed,
        "pattern": pattern,
        "example": example,
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
            "skill_id": column(TEXT, "Stable identifier of the skill (lowercase, digits, underscore).", pattern=r"^[a-z0-9_]+$", example="plc_programming"),
            "label": column(TEXT, "English label.", example="PLC programming"),
            "label_da": column(TEXT, "Danish label.", required=False, nullable=True, example="PLC-programmering"),
            "group": column(TEXT, "Skill group.", allowed=SKILL_GROUPS, example="automation_robotics"),
            "aliases": column(TEXT, "Other names people write, English and Danish, separated by |.", required=False, nullable=True, example="PLC|Siemens TIA Portal"),
            "esco_uri": column(TEXT, "URI of the matching ESCO skill concept, if any.", pattern=ESCO_PATTERN, required=False, nullable=True),
            "description": column(TEXT, "What a worker with this skill can do.", required=False, nullable=True),
            "description_da": column(TEXT, "The description in Danish.", required=False, nullable=True),
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
            "company_id": column(TEXT, "Stable identifier of the company.", pattern=ID_PATTERN, example="C001"),
            "name": column(TEXT, "Company name.", example="Skive Stål ApS"),
            "region": column(TEXT, "NUTS region code.", pattern=NUTS_PATTERN, example="DK04"),
            "sector": column(TEXT, "NACE Rev. 2 code (section letter plus division).", pattern=NACE_PATTERN, example="C25"),
            "employees": column(INT, "Number of employees (headcount).", unit="persons", minimum=1, maximum=100_000, example=42),
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
            "company_id": column(TEXT, "Company that states the need.", pattern=ID_PATTERN, example="C001"),
            "skill": column(TEXT, "Skill id from the taxonomy.", example="plc_programming"),
            "role": column(TEXT, "Role or occupation (ISCO code or free text).", required=False, nullable=True, example="7543"),
            "headcount": column(INT, "Employees who need the skill.", unit="persons", minimum=0, maximum=100_000, example=3),
            "current_level": column(INT, "Level the staff have today (0 none … 4 expert).", unit="level 0–4", minimum=MIN_LEVEL, maximum=MAX_LEVEL, example=1),
            "required_level": column(INT, "Level the company needs (0 none … 4 expert).", unit="level 0–4", minimum=MIN_LEVEL, maximum=MAX_LEVEL, example=3),
            "needed_by": column(INT, "Year by which the skill is needed.", unit="year", minimum=2000, maximum=2100, example=2027),
            "priority": column(TEXT, "How urgent the need is.", allowed=PRIORITIES, example="high"),
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
            "course_id": column(TEXT, "Stable identifier of the course.", pattern=ID_PATTERN, example="AMU-48911"),
            "title": column(TEXT, "Course title.", example="PLC programming, basic"),
            "provider": column(TEXT, "School or provider running the course.", example="AMU Midt"),
            "region": column(TEXT, "NUTS region where the course runs.", pattern=NUTS_PATTERN, example="DK04"),
            "mode": column(TEXT, "Delivery mode; online courses are open to every region.", allowed=MODES, example="in-person"),
            "hours": column(FLOAT, "Teaching hours per participant.", unit="hours", minimum=1, maximum=2000, example=37),
            "cost_per_participant": column(FLOAT, "Fee per participant.", unit="currency", minimum=0, maximum=1_000_000, example=450.0),
            "fixed_cost_per_run": column(FLOAT, "Cost of opening one run (trainer, room, machines).", unit="currency", minimum=0, maximum=10_000_000, example=3200.0),
            "min_participants": column(INT, "Fewest participants for a run to open.", unit="persons", minimum=1, maximum=1000, example=6),
            "max_participants": column(INT, "Most participants in one run.", unit="persons", minimum=1, maximum=1000, example=14),
            "max_runs_per_year": column(INT, "Most runs per year.", unit="runs/year", minimum=0, maximum=365, example=4),
            "language": column(TEXT, "Teaching language (ISO 639-1).", pattern=r"^[a-z]{2}$", example="da"),
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
            "course_id": column(TEXT, "Course.", pattern=ID_PATTERN, example="AMU-48911"),
            "skill": column(TEXT, "Skill id from the taxonomy.", example="plc_programming"),
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
            "skill": column(TEXT, "Skill id from the taxonomy that a hire brings (at level 3).", example="cnc_milling"),
            "occupation": column(TEXT, "Occupation of the hires (ISCO code or text).", required=False, nullable=True, example="7223"),
            "region": column(TEXT, "NUTS region of the labour market.", pattern=NUTS_PATTERN, example="DK04"),
            "hires_available_per_year": column(INT, "Hires the market can supply per year.", unit="persons/year", minimum=0, maximum=1_000_000, example=5),
            "cost_per_hire": column(FLOAT, "Recruitment cost per hire (ads, agency, onboarding).", unit="currency", minimum=0, maximum=10_000_000, example=9000.0),
            "lead_time_months": column(INT, "Months from decision to the hire being productive.", unit="months", minimum=0, maximum=120, example=6),
            "balance": column(TEXT, "Labour-market balance for the skill.", allowed=BALANCES, example="shortage"),
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
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    try:
        if pd.isna(value):  # type: ignore[call-overload]
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _coerce_numeric(series: pd.Series, integer: bool) -> tuple[pd.Series, pd.Series]:
    """Convert ``series`` to numbers; return (converted, mask of cells that are not numbers)."""
    as_text = series.astype("string").str.strip()
    blank = as_text.isna() | (as_text == "")
    numbers = pd.to_numeric(as_text.where(~blank), errors="coerce")
    bad = ~blank & numbers.isna()
    if integer:
        fractional = numbers.notna() & (numbers != numbers.round())
        bad = bad | fractional
        return numbers.where(~bad).round().astype("Int64"), bad
    return numbers.where(~bad).astype("Float64"), bad


def _coerce_text(series: pd.Series) -> pd.Series:
    as_text = series.astype("string").str.strip()
    return as_text.where(as_text != "")


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
        if dtype in (INT, FLOAT):
            converted, bad = _coerce_numeric(frame[name], integer=dtype == INT)
            kind = "a whole number" if dtype == INT else "a number"
            for index in frame.index[bad]:
                reported.add((index, name))
                problems.append(
                    Problem(f"must be {kind}", row=int(rows[index]), column=name, value=_cell_text(frame.at[index, name]), **where)
                )
            typed[name] = converted
        else:
            typed[name] = _coerce_text(frame[name])

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
            low = "" if minimum is None else f"{minimum:g}"
            high = "" if maximum is None else f"{maximum:g}"
            value_range = f"{low} – {high}".strip()
        dtype = _dtype_name(col)
        records.append(
            {
                "column": name,
                "type": {INT: "integer", FLOAT: "number", TEXT: "text"}.get(dtype, dtype),
                "required": "yes" if col.required and not col.nullable else "no",
                "unit": meta.get("unit") or "",
                "range": value_range,
                "allowed": ", ".join(meta.get("allowed") or ()),
                "pattern": meta.get("pattern") or "",
                "example": "" if meta.get("example") is None else str(meta["example"]),
                "description": col.description or "",
            }
        )
    return pd.DataFrame.from_records(records)

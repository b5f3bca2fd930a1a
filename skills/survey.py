"""Surveys: long files with company columns on every row, and wide survey-tool exports via a YAML mapping."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from skills.errors import InputError, Problem
from skills.io_grid import RawTable, Where
from skills.io_values import normalise_header, normalise_word, parse_numbers, text_cells
from skills.levels import MAX_LEVEL, MIN_LEVEL, parse_level
from skills.mapping import fold_danish, normalise
from skills.yaml_input import describe_yaml_error

COMPANY_COLUMNS: Final = ("company_id", "company_name", "region", "sector", "employees")
DEMAND_ANSWER_COLUMNS: Final = (
    "skill",
    "role",
    "headcount",
    "current_level",
    "required_level",
    "needed_by",
    "priority",
)
#: Columns of a long survey (one row per company and skill need).
SURVEY_COLUMNS: Final = (*COMPANY_COLUMNS, *DEMAND_ANSWER_COLUMNS)
SURVEY_REQUIRED: Final = ("company_name", "skill", "headcount", "current_level", "required_level")
_ID_UNSAFE = re.compile(r"[^a-z0-9]+")


def company_id_from_name(name: object) -> str:
    """A stable, readable company id from its name: same name (any case, accents, spacing) → same id.

    >>> company_id_from_name("Holst Metal ApS"), company_id_from_name(" holst  METAL aps")
    ('holst_metal_aps', 'holst_metal_aps')
    >>> company_id_from_name("Skive Stål & Smed")
    'skive_staal_and_smed'
    """
    slug = _ID_UNSAFE.sub("_", fold_danish(normalise(name))).strip("_")[:60].strip("_")
    if slug:
        return slug
    digest = hashlib.sha1(str(name).encode("utf-8")).hexdigest()[:12]
    return f"company_{digest}"


# ---- the YAML mapping of a wide export ---------------------------------------------------------


class ValueSource(BaseModel):
    """One column of the export, and (optionally) how its answer texts translate to values."""

    model_config = ConfigDict(extra="forbid")

    column: str
    values: dict[str, str | int | float | None] = Field(default_factory=dict)

    def lookup(self) -> dict[str, str | int | float | None]:
        return {normalise_word(key): value for key, value in self.values.items()}


class CompanyField(BaseModel):
    """Where a company attribute comes from: columns tried in order, then a default."""

    model_config = ConfigDict(extra="forbid")

    sources: list[ValueSource] = Field(default_factory=list)
    default: str | int | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        # `region: {column: X, values: {...}, default: Y}` is short for one source
        if isinstance(data, dict) and "column" in data:
            data = dict(data)
            source = {key: data.pop(key) for key in ("column", "values") if key in data}
            data["sources"] = [source]
        if isinstance(data, str):
            return {"sources": [{"column": data}]}
        return data


class CompanyFields(BaseModel):
    """Company attributes of a respondent."""

    model_config = ConfigDict(extra="forbid")

    name: CompanyField
    company_id: CompanyField | None = None
    region: CompanyField = Field(default_factory=CompanyField)
    sector: CompanyField = Field(default_factory=CompanyField)
    employees: CompanyField = Field(default_factory=CompanyField)


class AnswerRule(BaseModel):
    """What one answer text means: no need (``skip``), or a need with headcount (or share of staff) and levels."""

    model_config = ConfigDict(extra="forbid")

    skip: bool = False
    headcount: int | None = Field(default=None, ge=0)
    share: float | None = Field(
        default=None, ge=0, le=1, description="share of the company's employees"
    )
    required_level: int | None = None
    current_level: int = 0
    priority: Literal["high", "medium", "low"] | None = None
    needed_by: int | None = Field(default=None, ge=2000, le=2100)

    @field_validator("required_level", "current_level", mode="before")
    @classmethod
    def _level(cls, value: Any) -> Any:
        if value is None:
            return None
        level = parse_level(value)
        if level is None:
            msg = f"{value!r} is not a level ({MIN_LEVEL}–{MAX_LEVEL} or a level name)"
            raise ValueError(msg)
        return level

    @model_validator(mode="after")
    def _complete(self) -> AnswerRule:
        if self.skip:
            return self
        if self.required_level is None:
            msg = "an answer that states a need must give required_level (or skip: true)"
            raise ValueError(msg)
        if (self.headcount is None) == (self.share is None):
            msg = "an answer that states a need must give exactly one of headcount and share"
            raise ValueError(msg)
        return self


class Question(BaseModel):
    """A question column of the export that measures one skill need."""

    model_config = ConfigDict(extra="forbid")

    column: str
    skill: str = Field(description="skill_id of the taxonomy (or a phrase the matcher maps)")
    role: str | None = None
    answers: dict[str, AnswerRule] | str = Field(
        description="answer text -> rule, or the name of an answer set"
    )


class SurveyMapping(BaseModel):
    """How a wide survey export (one row per respondent) becomes companies and demand rows."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    fingerprint: str | None = Field(
        default=None, description="fingerprint of the export's header (see header_fingerprint)"
    )
    sheet: str | None = None
    needed_by: int = Field(ge=2000, le=2100, description="default year by which needs are due")
    priority: Literal["high", "medium", "low"] = "medium"
    unknown_answer: Literal["error", "skip"] = "error"
    company: CompanyFields
    answer_sets: dict[str, dict[str, AnswerRule]] = Field(default_factory=dict)
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _answer_sets_exist(self) -> SurveyMapping:
        for question in self.questions:
            if isinstance(question.answers, str) and question.answers not in self.answer_sets:
                msg = f"question {question.column!r} uses the answer set {question.answers!r}, which is not defined"
                raise ValueError(msg)
        return self

    def rules_for(self, question: Question) -> dict[str, AnswerRule]:
        """The answer rules of ``question`` keyed by normalised answer text."""
        rules = (
            self.answer_sets[question.answers]
            if isinstance(question.answers, str)
            else question.answers
        )
        return {normalise_word(text): rule for text, rule in rules.items()}

    def columns(self) -> list[str]:
        """Every export column the mapping reads."""
        fields = [
            self.company.name,
            self.company.company_id,
            self.company.region,
            self.company.sector,
            self.company.employees,
        ]
        names = [source.column for item in fields if item is not None for source in item.sources]
        return list(dict.fromkeys([*names, *(question.column for question in self.questions)]))


def header_fingerprint(headers: Iterable[object]) -> str:
    """A short fingerprint of an export's header: the same survey exported again gives the same one.

    Order and case of the columns do not matter; blank header cells are ignored.
    """
    names = sorted({normalise_header(cell) for cell in headers if normalise_header(cell)})
    return hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest()[:16]


#: Largest survey mapping read (a real one is a few kilobytes).
MAX_MAPPING_BYTES: Final = 1_000_000


def load_survey_mapping(path: str | Path) -> SurveyMapping:
    """Read and validate a YAML survey mapping file; :class:`InputError` names what is wrong."""
    path = Path(path)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_MAPPING_BYTES + 1)
    except OSError as error:
        message = f"cannot read the survey mapping ({error.strerror or error})"
        raise InputError(f"{path.name}: {message}", [Problem(message, file=path.name)]) from None
    return read_survey_mapping(data, name=path.name)


def read_survey_mapping(data: bytes, *, name: str) -> SurveyMapping:
    """Validate the bytes of a YAML survey mapping (at most 1 MB of UTF-8); :class:`InputError` names the file."""
    if len(data) > MAX_MAPPING_BYTES:
        message = f"a survey mapping larger than {MAX_MAPPING_BYTES / 1e6:g} MB is refused"
        raise InputError(f"{name}: {message}", [Problem(message, file=name)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        message = f"a survey mapping must be UTF-8 text (byte {error.start + 1} is not)"
        raise InputError(f"{name}: {message}", [Problem(message, file=name)]) from None
    return parse_survey_mapping_text(text, name=name)


def parse_survey_mapping_text(text: str, *, name: str) -> SurveyMapping:
    """Parse and validate YAML text as a survey mapping; :class:`InputError` names the file."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        message = f"not valid YAML {describe_yaml_error(error)}"
        raise InputError(f"{name}: {message}", [Problem(message, file=name)]) from None
    except RecursionError:
        message = "nested too deeply to be a survey mapping"
        raise InputError(f"{name}: {message}", [Problem(message, file=name)]) from None
    return parse_survey_mapping(data, name=name)


def parse_survey_mapping(data: Any, *, name: str = "mapping") -> SurveyMapping:
    """Validate a mapping given as plain data (what the YAML file holds)."""
    try:
        return SurveyMapping.model_validate(data)
    except ValidationError as error:
        problems = [
            Problem(f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}", file=name)
            for item in error.errors()
        ]
        msg = f"{name}: the survey mapping is not valid ({len(problems)} problem(s))"
        raise InputError(msg, problems) from None


def save_survey_mapping(mapping: SurveyMapping, path: str | Path) -> Path:
    """Write ``mapping`` as YAML (defaults left out) and return the path."""
    path = Path(path)
    data = mapping.model_dump(mode="json", exclude_defaults=True)
    path.write_text(
        yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
    )
    return path


def find_mapping_for(
    headers: Sequence[object], folder: str | Path
) -> tuple[Path, SurveyMapping] | None:
    """The saved mapping (path and model) whose fingerprint matches this export's header, if any.

    Files that are not valid mappings are skipped (they cannot be the one).
    """
    wanted = header_fingerprint(headers)
    folder = Path(folder)
    if not folder.is_dir():
        return None
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            mapping = load_survey_mapping(path)
        except InputError:
            continue
        if mapping.fingerprint == wanted:
            return path, mapping
    return None


# ---- turning a wide export into the long survey form --------------------------------------------


def _lookup_column(raw: RawTable, column: str) -> str | None:
    wanted = normalise_header(column)
    for name, header in raw.headers.items():
        if normalise_header(header) == wanted:
            return name
    return None


def _field_values(
    raw: RawTable, field: CompanyField | None, label: str, problems: list[Problem]
) -> pd.Series:
    """Value of a company attribute per respondent: first source with a (translated) value, else the default."""
    result = pd.Series(None, index=raw.frame.index, dtype=object)
    if field is None:
        return result
    for source in field.sources:
        column = _lookup_column(raw, source.column)
        if column is None:
            continue
        cells = text_cells(raw.frame[column])
        lookup = source.lookup()
        if lookup:
            keys = cells.map(lambda value: normalise_word(value) if value is not None else None)
            translated = keys.map(
                lambda key, table=lookup: table.get(key) if key is not None else None
            )
            unknown = cells.notna() & ~keys.isin(list(lookup))
            for index in raw.frame.index[unknown & result.isna()]:
                problems.append(
                    Problem(
                        f"answer not in the mapping's values for {label}",
                        row=int(raw.row_numbers[index]),
                        column=raw.headers.get(column, column),
                        value=str(cells[index]),
                        severity="warning",
                    )
                )
            values = translated
        else:
            values = cells
        result = result.where(result.notna(), values)
    missing = result.isna()
    if missing.any() and field.default is not None:
        rows = raw.row_numbers[missing].tolist()
        shown = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
        problems.append(
            Problem(
                f"{label} missing on {len(rows)} row(s): the mapping's default {field.default!r} is used (rows {shown})",
                column=label,
                value=str(field.default),
                severity="warning",
            )
        )
        result = result.where(~missing, field.default)
    return result


@dataclass
class WideRows:
    """A wide export turned long.

    ``long`` has the columns :data:`SURVEY_COLUMNS` (raw values, validated later), one row per
    respondent and stated need; ``row_numbers`` the spreadsheet row of the respondent behind
    each long row; ``source_columns`` the question column behind it (to name it in problems);
    ``respondents`` the company columns of every respondent (also those stating no need), on
    the index of the export's rows; ``problems`` unknown answers and defaults used.
    """

    long: pd.DataFrame
    row_numbers: pd.Series
    source_columns: pd.Series
    respondents: pd.DataFrame
    problems: list[Problem]


def expand_wide(raw: RawTable, mapping: SurveyMapping) -> WideRows:
    """Turn a wide export into long survey rows (one per respondent and stated need)."""
    problems: list[Problem] = []
    missing_columns = [
        column for column in mapping.columns() if _lookup_column(raw, column) is None
    ]
    required = {source.column for source in mapping.company.name.sources} | {
        q.column for q in mapping.questions
    }
    fatal = [column for column in missing_columns if column in required]
    if fatal:
        problems = [
            Problem(
                f"column {column!r} named in the mapping is not in the export",
                file=raw.file,
                sheet=raw.sheet,
                column=column,
            )
            for column in fatal
        ]
        msg = f"{raw.file}: the export lacks {len(fatal)} column(s) the mapping {mapping.name!r} needs"
        raise InputError(msg, problems)

    company = {
        "company_name": _field_values(raw, mapping.company.name, "company_name", problems),
        "company_id": _field_values(raw, mapping.company.company_id, "company_id", problems),
        "region": _field_values(raw, mapping.company.region, "region", problems),
        "sector": _field_values(raw, mapping.company.sector, "sector", problems),
        "employees": _field_values(raw, mapping.company.employees, "employees", problems),
    }
    employees = parse_numbers(company["employees"], ".").values

    pieces: list[pd.DataFrame] = []
    for question in mapping.questions:
        column = _lookup_column(raw, question.column)
        assert column is not None  # checked above
        rules = mapping.rules_for(question)
        answers = text_cells(raw.frame[column])
        keys = answers.map(lambda value: normalise_word(value) if value is not None else None)
        known = keys.isin(list(rules))
        unknown = answers.notna() & ~known
        for index in raw.frame.index[unknown]:
            problems.append(
                Problem(
                    f"answer not covered by the mapping {mapping.name!r} (known: {', '.join(sorted(rules)) or 'none'})",
                    row=int(raw.row_numbers[index]),
                    column=raw.headers.get(column, column),
                    value=str(answers[index]),
                    severity="error" if mapping.unknown_answer == "error" else "warning",
                )
            )
        for key, rule in rules.items():
            if rule.skip:
                continue
            chosen = raw.frame.index[(keys == key).to_numpy()]
            if len(chosen) == 0:
                continue
            if rule.share is not None:
                share = rule.share
                headcount = employees[chosen].map(
                    lambda staff, s=share: (
                        math.ceil(round(staff * s, 9))
                        if pd.notna(staff) and math.isfinite(staff)
                        else None
                    )
                )
            else:
                headcount = pd.Series(rule.headcount, index=chosen, dtype=object)
            piece = pd.DataFrame(
                {
                    "respondent": chosen,
                    "skill": question.skill,
                    "role": question.role,
                    "headcount": headcount.astype(object),
                    "current_level": rule.current_level,
                    "required_level": rule.required_level,
                    "needed_by": rule.needed_by or mapping.needed_by,
                    "priority": rule.priority or mapping.priority,
                    "source_column": raw.headers.get(column, column),
                },
                index=chosen,
            )
            pieces.append(piece)

    answer_frame = (
        pd.concat(pieces).sort_values(["respondent"], kind="stable").reset_index(drop=True)
        if pieces
        else pd.DataFrame(columns=["respondent", *DEMAND_ANSWER_COLUMNS, "source_column"])
    )
    respondents = answer_frame["respondent"]
    long = pd.DataFrame(
        {name: company[name].reindex(respondents).to_numpy() for name in COMPANY_COLUMNS}
    )
    for name in DEMAND_ANSWER_COLUMNS:
        long[name] = answer_frame[name].to_numpy()
    row_numbers = raw.row_numbers.reindex(respondents).reset_index(drop=True).astype("int64")
    source_columns = answer_frame["source_column"].astype("string").reset_index(drop=True)
    respondent_frame = pd.DataFrame(
        {name: company[name] for name in COMPANY_COLUMNS}, index=raw.frame.index
    )
    return WideRows(long, row_numbers, source_columns, respondent_frame, problems)


def derive_company_ids(frame: pd.DataFrame) -> pd.Series:
    """``company_id`` where given, else derived from ``company_name`` (None when neither is there)."""
    names = (
        text_cells(frame["company_name"])
        if "company_name" in frame
        else pd.Series(None, index=frame.index, dtype=object)
    )
    ids = (
        text_cells(frame["company_id"])
        if "company_id" in frame
        else pd.Series(None, index=frame.index, dtype=object)
    )
    derived = names.map(lambda name: company_id_from_name(name) if name is not None else None)
    return ids.where(ids.notna(), derived)


def split_companies(
    survey: pd.DataFrame,
    row_numbers: pd.Series,
    *,
    file: str = "",
    sheet: str = "",
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, list[Problem]]:
    """Split long survey rows into companies (one per company) and demand rows.

    ``company_id`` is derived from the name where absent; a company whose name,
    region, sector or employees differ between its rows is a problem on each row
    that disagrees with the company's first row.

    Returns (companies, the first row number of each company, demand, problems).
    """
    where = Where(table="companies", file=file, sheet=sheet)
    frame = survey.copy()
    frame["company_id"] = derive_company_ids(frame)
    frame["name"] = text_cells(frame["company_name"]) if "company_name" in frame else None
    problems: list[Problem] = []
    no_company = frame["company_id"].isna()
    for index in frame.index[no_company]:
        problems.append(
            Problem(
                "a company name (or company_id) is required",
                row=int(row_numbers[index]),
                column="company_name",
                **where,
            )
        )

    attributes = [
        name for name in ("name", "region", "sector", "employees") if name in frame.columns
    ]
    comparable = frame[attributes].apply(lambda column: column.map(normalise_word))
    known = frame.loc[~no_company]
    first_index = known.groupby("company_id", sort=False).head(1).index
    first_of = pd.Series(first_index, index=known.loc[first_index, "company_id"].to_numpy())
    anchor = known["company_id"].map(first_of)
    for attribute in attributes:
        own = comparable.loc[known.index, attribute]
        reference = comparable[attribute].reindex(anchor.to_numpy()).set_axis(known.index)
        differs = own.fillna("") != reference.fillna("")
        for index in known.index[differs.to_numpy()]:
            first_row = int(row_numbers[anchor[index]])
            problems.append(
                Problem(
                    f"company {frame.at[index, 'company_id']!r} has a different {attribute} than on row {first_row}",
                    row=int(row_numbers[index]),
                    column="company_name" if attribute == "name" else attribute,
                    value=str(frame.at[index, attribute]),
                    **where,
                )
            )
    companies = known.loc[first_index, ["company_id", *attributes]].reset_index(drop=True)
    company_rows = row_numbers.reindex(first_index).reset_index(drop=True)
    demand = frame[["company_id", *[c for c in DEMAND_ANSWER_COLUMNS if c in frame.columns]]]
    return companies, company_rows, demand, problems

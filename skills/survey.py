"""Surveys: long files with company columns on every row, and wide survey-tool exports via a YAML mapping."""

from __future__ import annotations

import dataclasses
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
from skills.schemas import ASSUMABLE, NAME_LENGTH, assumed_text
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


class Condition(BaseModel):
    """A question counted only for respondents whose answer in another column is one of ``answers``."""

    model_config = ConfigDict(extra="forbid")

    column: str
    answers: list[str] = Field(min_length=1, description="answer texts that let the question count")

    def allowed(self) -> set[str]:
        """The answers as normalised words."""
        return {normalise_word(answer) for answer in self.answers}


class Question(BaseModel):
    """A question column of the export that measures one skill need."""

    model_config = ConfigDict(extra="forbid")

    column: str
    skill: str = Field(description="skill_id of the taxonomy (or a phrase the matcher maps)")
    role: str | None = None
    answers: dict[str, AnswerRule] | str = Field(
        description="answer text -> rule, or the name of an answer set"
    )
    only_if: Condition | None = Field(
        default=None, description="count the answers only where another question was answered so"
    )


#: Free-text answers that state nothing (compared as normalised words).
NO_ANSWER_WORDS: Final = (
    "na",
    "n/a",
    "n a",
    "none",
    "no",
    "nothing",
    "-",
    "not applicable",
    "not really",
    "nil",
    "don't know",
    "test",
)
_OTHER_PREFIX: Final = re.compile(r"^\s*(?:other|andet|andre)\s*[:\-–]\s*", re.IGNORECASE)


class FreeTextQuestion(BaseModel):
    """A free-text column ("Other: …") whose answers name skills: each answer is a skill phrase for the matcher."""

    model_config = ConfigDict(extra="forbid")

    column: str
    need: AnswerRule = Field(description="the need each phrase states (headcount or share, levels)")
    role: str | None = None
    split: list[str] = Field(
        default_factory=list, description="separators between several phrases in one answer"
    )
    no_answer: list[str] = Field(
        default_factory=lambda: list(NO_ANSWER_WORDS),
        description="answers that state nothing (skipped)",
    )
    only_if: Condition | None = None

    @field_validator("need")
    @classmethod
    def _states_a_need(cls, need: AnswerRule) -> AnswerRule:
        if need.skip:
            msg = "a free-text question's need cannot be skip"
            raise ValueError(msg)
        return need

    def phrases(self, answer: str) -> list[str]:
        """The skill phrases of one answer: prefix ``Other:`` off, split, blanks and no-answers dropped."""
        parts = [_OTHER_PREFIX.sub("", answer)]
        for separator in self.split:
            parts = [piece for part in parts for piece in part.split(separator)]
        empty = {normalise_word(word) for word in self.no_answer}
        cleaned = [_shortened(" ".join(part.split()).strip(" .;,")) for part in parts]
        return [part for part in cleaned if part and normalise_word(part) not in empty]


def _shortened(phrase: str) -> str:
    """A phrase cut at a word to fit the ``skill`` column (long answers are sentences)."""
    if len(phrase) <= NAME_LENGTH:
        return phrase
    return phrase[: NAME_LENGTH - 1].rsplit(" ", 1)[0] + "…"


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
    free_text: list[FreeTextQuestion] = Field(default_factory=list)
    ignored: dict[str, str] = Field(
        default_factory=dict,
        description="columns deliberately not used -> why (named in the report)",
    )

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
        asking: list[Question | FreeTextQuestion] = [*self.questions, *self.free_text]
        asked = [question.column for question in asking]
        conditions = [
            question.only_if.column for question in asking if question.only_if is not None
        ]
        return list(dict.fromkeys([*names, *asked, *conditions]))

    def required_columns(self) -> list[str]:
        """Columns the export must have: the company name, the questions and their conditions."""
        optional = {
            source.column
            for item in (
                self.company.company_id,
                self.company.region,
                self.company.sector,
                self.company.employees,
            )
            if item is not None
            for source in item.sources
        } - {source.column for source in self.company.name.sources}
        return [column for column in self.columns() if column not in optional]


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
) -> tuple[pd.Series, pd.Series]:
    """Value of a company attribute per respondent (first source with a (translated) value, else
    the default), and the mask of respondents whose value is the mapping's default (assumed)."""
    result = pd.Series(None, index=raw.frame.index, dtype=object)
    assumed = pd.Series(False, index=raw.frame.index, dtype=bool)
    if field is None:
        return result, assumed
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
                f"{label} missing on {len(rows)} row(s): the mapping's default {field.default!r} is used "
                f"and the company is flagged as assumed (rows {shown})",
                column=label,
                value=str(field.default),
                severity="warning",
            )
        )
        result = result.where(~missing, field.default)
        assumed = missing.astype(bool)
    return result, assumed


#: Company attributes whose value a mapping's default can stand in for (flagged as assumed).
ASSUMABLE_COLUMNS: Final = ASSUMABLE["companies"]


@dataclass
class WideRows:
    """A wide export turned long.

    ``long`` has the columns :data:`SURVEY_COLUMNS` (raw values, validated later) and ``assumed``
    (the demand columns the mapping filled in, see :data:`skills.schemas.ASSUMABLE`), one row per
    respondent and stated need; ``row_numbers`` the spreadsheet row of the respondent behind
    each long row; ``source_columns`` the question column behind it (to name it in problems);
    ``free_text`` whether the row's skill is a phrase from a free-text answer; ``respondents``
    the company columns of every respondent (also those stating no need), on the index of the
    export's rows; ``assumed`` per respondent and :data:`ASSUMABLE_COLUMNS` whether the value
    is the mapping's default; ``problems`` unknown answers, defaults used, unused columns and
    answers not counted by ``only_if``.
    """

    long: pd.DataFrame
    row_numbers: pd.Series
    source_columns: pd.Series
    respondents: pd.DataFrame
    problems: list[Problem]
    free_text: pd.Series = dataclasses.field(default_factory=lambda: pd.Series(dtype=bool))
    assumed: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)


def unused_columns(raw: RawTable, mapping: SurveyMapping) -> list[Problem]:
    """One problem per column of the export the mapping does not read.

    Columns the mapping lists under ``ignored`` are ``info`` with its reason; any other column
    with answers is a ``warning`` (its answers are not imported); a column without a header is
    named by its position, and only when it holds answers.
    """
    used = {normalise_header(column) for column in mapping.columns()}
    ignored = {normalise_header(column): why for column, why in mapping.ignored.items()}
    problems: list[Problem] = []
    for position, (name, header) in enumerate(raw.headers.items(), start=1):
        key = normalise_header(header)
        if key and key in used:
            continue
        answered = int(text_cells(raw.frame[name]).notna().sum()) if name in raw.frame else 0
        label = header or f"column {position} (no header)"
        if key in ignored:
            message = f"column not used by the mapping {mapping.name!r}: {ignored[key]} ({answered} answer(s) not imported)"
            severity = "info"
        elif answered == 0:
            message = f"column not used by the mapping {mapping.name!r} (no answers in it)"
            severity = "info"
        else:
            message = (
                f"column not used by the mapping {mapping.name!r}: its {answered} answer(s) are not imported "
                "(map it, or list it under ignored: with the reason)"
            )
            severity = "warning"
        problems.append(
            Problem(message, file=raw.file, sheet=raw.sheet, column=label, severity=severity)
        )
    return problems


def _condition_mask(raw: RawTable, question: Question | FreeTextQuestion) -> tuple[pd.Series, str]:
    """Respondents for whom ``question`` counts (all without ``only_if``), and the condition in words."""
    condition = question.only_if
    if condition is None:
        return pd.Series(True, index=raw.frame.index, dtype=bool), ""
    column = _lookup_column(raw, condition.column)
    assert column is not None  # checked by expand_wide
    keys = text_cells(raw.frame[column]).map(
        lambda value: normalise_word(value) if value is not None else None
    )
    allowed = condition.allowed()
    words = " or ".join(repr(answer) for answer in condition.answers)
    return keys.isin(list(allowed)).astype(bool), f"{condition.column!r} was answered {words}"


def _not_counted(
    raw: RawTable,
    column: str,
    stated: pd.Series,
    counts: pd.Series,
    condition: str,
    mapping: SurveyMapping,
) -> list[Problem]:
    """The info problem for answers stating a need that ``only_if`` leaves out (never silent)."""
    left_out = stated & ~counts
    if not left_out.any():
        return []
    rows = raw.row_numbers[left_out].tolist()
    shown = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
    return [
        Problem(
            f"{len(rows)} answer(s) stating a need not counted: the mapping {mapping.name!r} counts this "
            f"question only where {condition} (rows {shown})",
            file=raw.file,
            sheet=raw.sheet,
            column=raw.headers.get(column, column),
            severity="info",
        )
    ]


def _graded(rules: dict[str, AnswerRule]) -> bool:
    """Whether a question's answers say how large the need is (two or more different needs), not only yes or no."""
    needs = {rule.model_dump_json() for rule in rules.values() if not rule.skip}
    return len(needs) > 1


def _assumed_need(
    chosen: pd.Index, rule: AnswerRule, graded: bool, employees_assumed: pd.Series
) -> pd.Series:
    """Per long row of ``chosen``, the demand columns the import fills in (``assumed``, see :data:`ASSUMABLE`).

    The mapping's default year and priority stand in where the answer's rule gives none; an
    answer that only says yes (one need for the whole question, or a free-text phrase) gives
    no headcount or levels, so the rule's are assumed; a share of staff is assumed where the
    company's headcount was.
    """
    fixed = [] if graded else ["headcount", "current_level", "required_level"]
    fixed += [name for name in ("needed_by", "priority") if getattr(rule, name) is None]
    flags = pd.Series(assumed_text(fixed, "demand"), index=chosen, dtype=object)
    if rule.share is not None and graded:
        by_staff = employees_assumed.reindex(chosen, fill_value=False).to_numpy(dtype=bool)
        flags[by_staff] = assumed_text([*fixed, "headcount"], "demand")
    return flags


def _need_frame(
    chosen: pd.Index,
    rule: AnswerRule,
    employees: pd.Series,
    mapping: SurveyMapping,
    *,
    skill: str | pd.Series,
    role: str | None,
    source_column: str,
    graded: bool,
    employees_assumed: pd.Series,
) -> pd.DataFrame:
    """Long answer rows (respondent, need columns, ``assumed``, source column) for respondents ``chosen``."""
    if rule.share is not None:
        share = rule.share
        headcount = employees[chosen].map(
            lambda staff, s=share: (
                math.ceil(round(staff * s, 9)) if pd.notna(staff) and math.isfinite(staff) else None
            )
        )
    else:
        headcount = pd.Series(rule.headcount, index=chosen, dtype=object)
    return pd.DataFrame(
        {
            "respondent": chosen,
            "skill": skill,
            "role": role,
            "headcount": headcount.astype(object),
            "current_level": rule.current_level,
            "required_level": rule.required_level,
            "needed_by": rule.needed_by or mapping.needed_by,
            "priority": rule.priority or mapping.priority,
            "assumed": _assumed_need(chosen, rule, graded, employees_assumed),
            "source_column": source_column,
        },
        index=chosen,
    )


def _answer_pieces(
    raw: RawTable,
    mapping: SurveyMapping,
    question: Question | FreeTextQuestion,
    employees: pd.Series,
    employees_assumed: pd.Series,
    problems: list[Problem],
) -> list[pd.DataFrame]:
    """Long answer rows of one question: by its answer rules, or one per phrase of a free-text answer."""
    column = _lookup_column(raw, question.column)
    assert column is not None  # checked by expand_wide
    answers = text_cells(raw.frame[column])
    counts, condition = _condition_mask(raw, question)
    source = raw.headers.get(column, column)
    if isinstance(question, FreeTextQuestion):
        phrases = answers.map(lambda value: question.phrases(str(value)) if pd.notna(value) else [])
        stated = phrases.map(bool).astype(bool)
        problems += _not_counted(raw, column, stated, counts, condition, mapping)
        chosen = raw.frame.index[(stated & counts).to_numpy()]
        if len(chosen) == 0:
            return []
        exploded = phrases[chosen].explode()
        frame = _need_frame(
            exploded.index,
            question.need,
            employees,
            mapping,
            skill=exploded,
            role=question.role,
            source_column=source,
            graded=False,
            employees_assumed=employees_assumed,
        )
        return [frame.assign(free_text=True)]
    rules = mapping.rules_for(question)
    keys = answers.map(lambda value: normalise_word(value) if value is not None else None)
    unknown = answers.notna() & ~keys.isin(list(rules))
    for index in raw.frame.index[unknown]:
        problems.append(
            Problem(
                f"answer not covered by the mapping {mapping.name!r} (known: {', '.join(sorted(rules)) or 'none'})",
                row=int(raw.row_numbers[index]),
                column=source,
                value=str(answers[index]),
                severity="error" if mapping.unknown_answer == "error" else "warning",
            )
        )
    needs = [key for key, rule in rules.items() if not rule.skip]
    problems += _not_counted(raw, column, keys.isin(needs), counts, condition, mapping)
    pieces = []
    for key in needs:
        chosen = raw.frame.index[((keys == key) & counts).to_numpy()]
        if len(chosen):
            pieces.append(
                _need_frame(
                    chosen,
                    rules[key],
                    employees,
                    mapping,
                    skill=question.skill,
                    role=question.role,
                    source_column=source,
                    graded=_graded(rules),
                    employees_assumed=employees_assumed,
                )
            )
    return pieces


def expand_wide(raw: RawTable, mapping: SurveyMapping) -> WideRows:
    """Turn a wide export into long survey rows (one per respondent and stated need).

    Categorical questions give their answer's rule; free-text questions give one row per
    phrase (the skill column holds the phrase, for the matcher); ``only_if`` leaves out the
    respondents whose answer to another question does not allow the question to count (each
    such answer counted in an ``info`` problem); every column not used is reported.
    """
    problems: list[Problem] = []
    missing_columns = [
        column for column in mapping.columns() if _lookup_column(raw, column) is None
    ]
    required = set(mapping.required_columns())
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

    fields = {
        "company_name": mapping.company.name,
        "company_id": mapping.company.company_id,
        "region": mapping.company.region,
        "sector": mapping.company.sector,
        "employees": mapping.company.employees,
    }
    company: dict[str, pd.Series] = {}
    assumed = pd.DataFrame(index=raw.frame.index)
    for name, field in fields.items():
        company[name], defaulted = _field_values(raw, field, name, problems)
        if name in ASSUMABLE_COLUMNS:
            assumed[name] = defaulted
    employees = parse_numbers(company["employees"], ".").values

    pieces: list[pd.DataFrame] = []
    asked: list[Question | FreeTextQuestion] = [*mapping.questions, *mapping.free_text]
    for question in asked:
        pieces += _answer_pieces(raw, mapping, question, employees, assumed["employees"], problems)
    problems += unused_columns(raw, mapping)
    problems = list(dict.fromkeys(problems))  # questions sharing a column report it once

    columns = ["respondent", *DEMAND_ANSWER_COLUMNS, "assumed", "source_column", "free_text"]
    answer_frame = (
        pd.concat([piece.reindex(columns=columns) for piece in pieces])
        .sort_values(["respondent"], kind="stable")
        .reset_index(drop=True)
        if pieces
        else pd.DataFrame(columns=columns)
    )
    respondents = answer_frame["respondent"]
    long = pd.DataFrame(
        {name: company[name].reindex(respondents).to_numpy() for name in COMPANY_COLUMNS}
    )
    for name in (*DEMAND_ANSWER_COLUMNS, "assumed"):
        long[name] = answer_frame[name].to_numpy()
    row_numbers = raw.row_numbers.reindex(respondents).reset_index(drop=True).astype("int64")
    source_columns = answer_frame["source_column"].astype("string").reset_index(drop=True)
    free_text = answer_frame["free_text"].map(lambda flag: flag is True).astype(bool)
    free_text = free_text.reset_index(drop=True)
    respondent_frame = pd.DataFrame(
        {name: company[name] for name in COMPANY_COLUMNS}, index=raw.frame.index
    )
    return WideRows(
        long, row_numbers, source_columns, respondent_frame, problems, free_text, assumed
    )


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

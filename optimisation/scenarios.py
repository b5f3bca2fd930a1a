"""Scenario configuration: a validated pydantic model, read from YAML, composed from override fragments."""

# A scenario file holds the base settings and, optionally, two sections (as calliope's model files do):
#
#     overrides:                 # named fragments: each a mapping of scenario keys
#       budget_cut: {budget_per_year: 80000}
#       fast_automation: {demand_growth: {digital_data: 0.10}}
#     scenarios:                 # named scenarios: fragments applied in order on the base
#       tight_budget:
#         description: Budget cut to EUR 80 000 a year.
#         apply: [budget_cut]
#
# Precedence, lowest first: the base < the scenario's fragments in the order `apply` lists them
# < the scenario's own `description` < explicit overrides (`--set`, a form). Nested mappings merge
# key by key; a list (`years`) or a number replaces what was there. Two fragments of one scenario
# setting the same key (the same leaf path, or one inside the other) is an error naming both.
# docs/scenarios.md says the same for users.

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Final, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from skills.errors import Problem, ScenarioError
from skills.schemas import PRIORITIES, SKILL_GROUPS
from skills.settings import MAX_PRIORITY_WEIGHT, load_settings
from skills.yaml_input import describe_yaml_error

#: Earliest and latest year a horizon may hold.
FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2100
#: Most years in a horizon (a plan beyond 30 years is a typing error, and the model grows with it).
MAX_YEARS: Final = 30
#: Most money (currency of the settings) of a budget, cost cap or gap-unit value: ten billion,
#: beyond any training budget this planner serves; it keeps the solver's numbers well scaled.
MAX_MONEY: Final = 1e10
#: Largest yearly attrition: half the staff leaving every year is already beyond any firm's; nearer 1
#: the people needed to keep one trained (1 / (1 - rate) ** years) overflow the solver's numbers.
MAX_ATTRITION_RATE: Final = 0.5
#: Largest yearly demand growth of a skill group (1.0 = doubling every year).
MAX_DEMAND_GROWTH: Final = 1.0
#: Most trainer hours per provider and year (about 500 full-time trainers).
MAX_TRAINER_HOURS: Final = 1e6
#: Most course hours per employee and year: the hours of a year.
MAX_HOURS_PER_EMPLOYEE: Final = 8760.0
#: Longest solver time limit: one day.
MAX_TIME_LIMIT_S: Final = 86400.0
#: Most solver threads.
MAX_THREADS: Final = 256
#: Largest scenario file (a real one is about 1 kB); also the longest ``--set`` value.
MAX_SCENARIO_BYTES: Final = 100_000
#: Deepest nesting of lists and mappings in a scenario file (a real one nests 2 levels).
MAX_NESTING_DEPTH: Final = 10

#: Name of a file's base settings among its scenarios (no scenario may take it).
BASE_SCENARIO: Final = "base"
#: Section of a scenario file holding the named override fragments.
OVERRIDES_SECTION: Final = "overrides"
#: Section of a scenario file holding the named scenarios (fragment lists).
SCENARIOS_SECTION: Final = "scenarios"
#: Keys of one entry of the scenarios section.
SCENARIO_KEYS: Final = ("description", "apply")
#: Default source of explicit overrides in messages and changes (the CLI passes ``"--set"``).
OVERRIDE_SOURCE: Final = "override"
#: Fields that label a scenario rather than change it: never listed as changes.
LABEL_FIELDS: Final = ("name", "description", "fragments")
#: The field compose sets; a file, a fragment or an override may not.
_FRAGMENTS_FIELD: Final = "fragments"
#: Why a user may not set ``fragments``.
_FRAGMENTS_REFUSED: Final = "is set by compose from the scenario's fragments; list them under scenarios: NAME: apply: instead"

#: Tags of the two forms of ``budget_per_year`` (they never appear in a message).
_BUDGET_FORMS: Final = ("amount", "by_year")
#: Longest input shown in a message.
_SHOWN_CHARACTERS: Final = 60
#: Pydantic error type of a broken bound -> (words, name of the bound in the error's context).
_BOUND_WORDS: Final = {
    "greater_than_equal": ("at least", "ge"),
    "greater_than": ("more than", "gt"),
    "less_than_equal": ("at most", "le"),
    "less_than": ("less than", "lt"),
}
#: Pydantic error type -> what a user reads.
_MESSAGES: Final = {
    "finite_number": "must be a finite number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "string_type": "must be text",
    "dict_type": "must be a mapping (key: value)",
    "list_type": "must be a list",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "too_short": "must not be empty",
    "string_too_short": "must not be empty",
}


class LocatedValueError(ValueError):
    """A validator's error about one part of a field's value: ``key`` is appended to its location.

    Parameters
    ----------
    message
        What is wrong, in the user's words ("must be ...").
    key
        Dotted location inside the field (``"count"`` for ``years.count``); empty for the field itself.
    value
        The offending input, shown after the message; ``None`` shows nothing.
    """

    def __init__(self, message: str, *, key: str = "", value: object = None) -> None:
        super().__init__(message)
        self.key = key
        self.value = value


def _refuse_booleans(value: object) -> object:
    """Refuse ``true``/``false`` (YAML also reads yes, no, on, off so) where a number belongs."""
    if isinstance(value, bool):
        msg = "must be a number"
        raise ValueError(msg)
    return value


#: A finite number; true/false is refused. Bounds are added per field.
FiniteNumber = Annotated[float, Field(allow_inf_nan=False), BeforeValidator(_refuse_booleans)]
#: A whole number; true/false is refused.
WholeNumber = Annotated[int, BeforeValidator(_refuse_booleans)]
#: An amount of money, 0 to :data:`MAX_MONEY`.
Money = Annotated[FiniteNumber, Field(ge=0, le=MAX_MONEY)]
#: A year of the horizon, :data:`FIRST_YEAR` to :data:`LAST_YEAR`.
Year = Annotated[WholeNumber, Field(ge=FIRST_YEAR, le=LAST_YEAR)]


def _budget_form(value: object) -> str:
    return "by_year" if isinstance(value, Mapping) else "amount"


#: One amount for every year, or a mapping year -> amount.
Budget = Annotated[
    Annotated[Money, Tag("amount")] | Annotated[dict[Year, Money], Tag("by_year")],
    Discriminator(_budget_form),
]


class Scenario(BaseModel):
    """One planning scenario: horizon, money, policy levers and solver settings.

    Every field has a default except ``years``; unknown keys are errors.
    Money is in the currency of the settings (EUR by default). Every number
    must be finite and within the range its description states.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(default="base", min_length=1, description="Short name of the scenario.")
    description: str = Field(default="", description="What the scenario explores.")
    years: list[Year] = Field(
        min_length=1,
        max_length=MAX_YEARS,
        description=f"Years of the horizon: a list, or a mapping {{start: 2027, count: 3}}; "
        f"consecutive, within {FIRST_YEAR}-{LAST_YEAR}, at most {MAX_YEARS} years.",
    )
    budget_per_year: Budget | None = Field(
        default=None,
        description="Public training budget per year (one number, or year -> amount), "
        f"0 to {MAX_MONEY:.0f}; none = unlimited.",
    )
    subsidy_rate: FiniteNumber = Field(
        default=0.8, ge=0, le=1, description="Public share of training cost, 0 to 1."
    )
    company_cost_cap: FiniteNumber | None = Field(
        default=None,
        ge=0,
        le=MAX_MONEY,
        description=f"Most a company pays for training per year (its share), 0 to {MAX_MONEY:.0f}; "
        "none = no cap.",
    )
    objective: Literal["max_coverage", "min_cost"] = Field(
        default="max_coverage",
        description="max_coverage: close the most priority-weighted gap units, then spend least; "
        "min_cost: spend least while reaching coverage_target.",
    )
    coverage_target: FiniteNumber | None = Field(
        default=None,
        ge=0,
        le=1,
        description="min_cost: share of priority-weighted gap units to close, 0 to 1.",
    )
    gap_unit_value: FiniteNumber | None = Field(
        default=None,
        gt=0,
        le=MAX_MONEY,
        description="Value of closing one weighted gap unit (currency) in max_coverage, "
        f"above 0 up to {MAX_MONEY:.0f}; "
        "none = larger than the cost of closing any single unit, so coverage comes first.",
    )
    priority_weights: dict[str, Annotated[FiniteNumber, Field(gt=0, le=MAX_PRIORITY_WEIGHT)]] = (
        Field(
            default_factory=lambda: dict(load_settings().priority_weights),
            description=f"Weight of one gap unit by priority, above 0 up to {MAX_PRIORITY_WEIGHT:g}; "
            "none given = the settings' weights (VETPLAN_PRIORITY_WEIGHTS).",
        )
    )
    attrition_rate: FiniteNumber = Field(
        default=0.0,
        ge=0,
        le=MAX_ATTRITION_RATE,
        description=f"Share of trained or hired staff who leave per year, 0 to {MAX_ATTRITION_RATE:g}.",
    )
    demand_growth: dict[str, Annotated[FiniteNumber, Field(gt=-1, le=MAX_DEMAND_GROWTH)]] = Field(
        default_factory=dict,
        description="Growth per year of headcount needing a skill, by skill group (0.05 = +5 %/year), "
        f"above -1 up to {MAX_DEMAND_GROWTH:g}.",
    )
    company_capacity_share: FiniteNumber | None = Field(
        default=0.25,
        gt=0,
        le=1,
        description="Most participants a company sends per year, as a share of its employees, "
        "above 0 up to 1; none = no limit.",
    )
    company_hours_per_employee: FiniteNumber | None = Field(
        default=None,
        gt=0,
        le=MAX_HOURS_PER_EMPLOYEE,
        description="Most course hours per employee per year a company can release, "
        f"above 0 up to {MAX_HOURS_PER_EMPLOYEE:g}; none = no limit.",
    )
    provider_trainer_hours: dict[
        str, Annotated[FiniteNumber, Field(ge=0, le=MAX_TRAINER_HOURS)]
    ] = Field(
        default_factory=dict,
        description=f"Trainer hours per year by provider name, 0 to {MAX_TRAINER_HOURS:.0f}.",
    )
    default_trainer_hours: FiniteNumber | None = Field(
        default=None,
        gt=0,
        le=MAX_TRAINER_HOURS,
        description="Trainer hours per year of providers not listed, "
        f"above 0 up to {MAX_TRAINER_HOURS:.0f}; none = unlimited.",
    )
    time_limit_s: FiniteNumber = Field(
        default=60.0,
        gt=0,
        le=MAX_TIME_LIMIT_S,
        description=f"Solver time limit in seconds, above 0 up to {MAX_TIME_LIMIT_S:.0f}.",
    )
    mip_gap: FiniteNumber = Field(
        default=0.01,
        ge=0,
        lt=1,
        description="Relative gap at which the solver stops, 0 to below 1.",
    )
    poor_gap: FiniteNumber | None = Field(
        default=None,
        gt=0,
        le=10,
        description="Relative gap above which a plan is labelled poor (not a good plan); none means 0.05.",
    )
    solver: Literal["highs", "cbc"] = Field(default="highs", description="MILP solver.")
    threads: WholeNumber | None = Field(
        default=None,
        ge=1,
        le=MAX_THREADS,
        description=f"Solver threads, 1 to {MAX_THREADS}; none = solver default.",
    )
    warm_start: bool = Field(
        default=True, description="Pass a heuristic plan to the solver as a start."
    )
    fragments: list[str] = Field(
        default_factory=list,
        description="Override fragments applied on the base, in order (set by compose; "
        "not allowed in a scenario file).",
    )
    #: Leaf key path -> the fragment or override source that set it last (the base sets nothing).
    _sources: dict[tuple[str, ...], str] = PrivateAttr(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        """Equal when every setting is: where a setting came from is not compared."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    @property
    def setting_sources(self) -> dict[str, str]:
        """Dotted key -> the fragment or override source that set it (keys the base set are absent).

        >>> Scenario(years=[2027]).with_overrides({"mip_gap": 0.02}, source="--set").setting_sources
        {'mip_gap': '--set'}
        """
        return {_dotted(path): source for path, source in self._sources.items()}

    @field_validator("years", mode="before")
    @classmethod
    def _years_from_start_count(cls, value: object) -> object:
        if isinstance(value, list | tuple) and len(value) > MAX_YEARS:
            msg = f"must hold at most {MAX_YEARS} years, not {len(value)}"
            raise LocatedValueError(msg)
        if not isinstance(value, Mapping):
            return value
        unknown = sorted(str(key) for key in value if key not in ("start", "count"))
        if unknown:
            msg = "unknown key; a years mapping has start and count"
            raise LocatedValueError(msg, key=unknown[0])
        start, count = value.get("start"), value.get("count", 1)
        if "start" not in value:
            msg = f"missing: the first year of the horizon ({FIRST_YEAR}-{LAST_YEAR})"
            raise LocatedValueError(msg, key="start")
        if isinstance(start, bool) or not isinstance(start, int):
            msg = "must be a whole number (a year)"
            raise LocatedValueError(msg, key="start", value=start)
        if not FIRST_YEAR <= start <= LAST_YEAR:
            msg = f"must be a year from {FIRST_YEAR} to {LAST_YEAR}"
            raise LocatedValueError(msg, key="start", value=start)
        if isinstance(count, bool) or not isinstance(count, int):
            msg = "must be a whole number of years"
            raise LocatedValueError(msg, key="count", value=count)
        if not 1 <= count <= MAX_YEARS:
            msg = f"must be from 1 to {MAX_YEARS} years"
            raise LocatedValueError(msg, key="count", value=count)
        if start + count - 1 > LAST_YEAR:
            msg = f"must end the horizon by {LAST_YEAR} (start {start} + {count} years)"
            raise LocatedValueError(msg, key="count", value=count)
        return list(range(start, start + count))

    @field_validator("years")
    @classmethod
    def _years_consecutive(cls, value: list[int]) -> list[int]:
        if value != list(range(value[0], value[0] + len(value))):
            msg = "must be consecutive and increasing years"
            raise LocatedValueError(msg)
        return value

    @field_validator("priority_weights")
    @classmethod
    def _weights_cover_priorities(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = [priority for priority in value if priority not in PRIORITIES]
        if unknown:
            msg = f"unknown priority; priority_weights needs exactly {', '.join(PRIORITIES)}"
            raise LocatedValueError(msg, key=unknown[0])
        missing = [priority for priority in PRIORITIES if priority not in value]
        if missing:
            msg = f"missing; priority_weights needs exactly {', '.join(PRIORITIES)}"
            raise LocatedValueError(msg, key=missing[0])
        return value

    @field_validator("demand_growth")
    @classmethod
    def _known_groups(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(SKILL_GROUPS))
        if unknown:
            msg = f"unknown skill group(s) {', '.join(unknown)}; expected {', '.join(SKILL_GROUPS)}"
            raise LocatedValueError(msg, key=unknown[0])
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if self.objective == "min_cost" and self.coverage_target is None:
            msg = "objective min_cost needs a coverage_target (share 0-1 of weighted gap units)"
            raise LocatedValueError(msg, key="coverage_target")
        if isinstance(self.budget_per_year, dict):
            missing = [year for year in self.years if year not in self.budget_per_year]
            extra = [year for year in self.budget_per_year if year not in self.years]
            if missing or extra:
                msg = f"must give exactly the years {self.years}"
                raise LocatedValueError(msg, key="budget_per_year")
        return self

    def budget(self, year: int) -> float | None:
        """Public budget of ``year`` (``None`` = unlimited)."""
        if isinstance(self.budget_per_year, dict):
            return self.budget_per_year[year]
        return self.budget_per_year

    def trainer_hours(self, provider: str) -> float | None:
        """Trainer hours per year of ``provider`` (``None`` = unlimited)."""
        return self.provider_trainer_hours.get(provider, self.default_trainer_hours)

    def with_overrides(
        self, overrides: Mapping[str, Any], *, source: str = "overrides"
    ) -> Scenario:
        """A new scenario: this one with ``overrides`` applied (nested mappings merge key by key).

        Parameters
        ----------
        overrides
            Keys and values to change, as in a scenario file.
        source
            Where the overrides come from (``"--set"``), named in every message.

        Raises
        ------
        ScenarioError
            Naming every unknown or invalid key, and ``fragments`` (only compose sets it).

        Examples
        --------
        >>> Scenario(years=[2027]).with_overrides({"subsidy_rate": 0.5}).subsidy_rate
        0.5
        """
        if _FRAGMENTS_FIELD in overrides:
            _refuse_fragments(source, _FRAGMENTS_FIELD)
        merged = _deep_merge(self.model_dump(), overrides)
        scenario = _validated(merged, source)
        sources = dict(self._sources)
        _record_sources(sources, overrides, source)
        scenario._sources = sources
        return scenario


def _deep_merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping) and key != "years":
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _validated(
    values: Mapping[str, Any],
    source: str,
    locate: Callable[[str], str] | None = None,
    *,
    label: str = "",
) -> Scenario:
    """``values`` as a :class:`Scenario`.

    ``source`` names the file in every problem, ``locate`` turns a key into where the user
    wrote it, ``label`` (default ``source``) starts the message.
    """
    try:
        return Scenario.model_validate(dict(values))
    except ValidationError as error:
        found = [_problem(item, source, locate) for item in error.errors()]
        msg = _headline(label or source, [sentence for _, sentence in found])
        raise ScenarioError(msg, [problem for problem, _ in found]) from None


def _headline(source: str, sentences: list[str]) -> str:
    """``"tight_budget.yaml: budget_per_year.2027: must be ..."``; the first three of several."""
    if len(sentences) == 1:
        return f"{source}: {sentences[0]}"
    shown = "; ".join(sentences[:3]) + ("; ..." if len(sentences) > 3 else "")
    return f"{source}: {len(sentences)} problems: {shown}"


def _problem(
    item: Mapping[str, Any], source: str, locate: Callable[[str], str] | None = None
) -> tuple[Problem, str]:
    """One pydantic error as a :class:`Problem` and a sentence naming the key in the user's words."""
    context = item.get("ctx") or {}
    cause = context.get("error")
    parts = [str(part) for part in item.get("loc", ())]
    is_key = "[key]" in parts
    parts = [part for part in parts if part != "[key]"]
    if parts[:1] == ["budget_per_year"] and parts[1:2] and parts[1] in _BUDGET_FORMS:
        del parts[1]
    value = item.get("input")
    if isinstance(cause, LocatedValueError):
        parts += [cause.key] if cause.key else []
        value = cause.value
        shown = "" if value is None else _shown(value)
    else:
        shown = _shown(value)
    location = ".".join(parts)
    message = _message(item, location, is_key=is_key)
    location = locate(location) if locate and location else location
    sentence = f"{location}: {message}" if location else message
    if shown and message.startswith(("must", "key must")):
        sentence += f", not {shown!r}" if isinstance(value, str) else f", not {shown}"
    problem = Problem(message, table="scenario", file=source, column=location, value=shown)
    return problem, sentence


def _message(item: Mapping[str, Any], location: str, *, is_key: bool) -> str:
    """What pydantic found wrong, as "must ..." where it can."""
    kind = item.get("type", "")
    context = item.get("ctx") or {}
    text = str(item.get("msg", "invalid value"))
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(location, list(Scenario.model_fields), n=1)
        return f"unknown key {location!r}" + (f" (did you mean {close[0]}?)" if close else "")
    if kind in _BOUND_WORDS:
        word, name = _BOUND_WORDS[kind]
        message = f"must be {word} {_number(context.get(name))}"
    elif kind in _MESSAGES:
        message = _MESSAGES[kind]
    elif kind == "literal_error":
        message = f"must be {context.get('expected', 'one of the listed values')}"
    elif kind == "value_error":
        message = text.removeprefix("Value error, ")
    else:
        message = text.replace("Input should be", "must be", 1)
    return f"key {message}" if is_key else message


def _number(bound: object) -> str:
    """A bound as a user writes it: ``10000000000``, ``0.5``, ``2100``."""
    return format(bound, ".15g") if isinstance(bound, int | float) else str(bound)


def _shown(value: object) -> str:
    """An input as text for a message, cut short; ``""`` for lists and mappings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int) and value.bit_length() > 64:
        return f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        return ""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= _SHOWN_CHARACTERS else text[: _SHOWN_CHARACTERS - 3] + "..."


def _parse_yaml(text: str, source: str) -> object:
    """YAML ``text`` as Python data, refusing text over the size and nesting limits.

    Nesting is measured on the parser's events before anything is built, so a
    deep document never reaches the recursive composer.

    Raises
    ------
    ScenarioError
        Naming ``source`` when the text is too large, too deep or not YAML.
    """
    if len(text) > MAX_SCENARIO_BYTES:
        msg = f"{source}: {len(text):,} characters; a scenario holds at most {MAX_SCENARIO_BYTES:,}"
        raise ScenarioError(msg, [Problem("too large", table="scenario", file=source)])
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_NESTING_DEPTH:
                    msg = f"{source}: lists and mappings nested more than {MAX_NESTING_DEPTH} deep"
                    raise ScenarioError(
                        msg, [Problem("nested too deeply", table="scenario", file=source)]
                    )
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        message = f"not valid YAML {describe_yaml_error(error)}"
        msg = f"{source}: {message}"
        raise ScenarioError(msg, [Problem(message, table="scenario", file=source)]) from None
    except (
        RecursionError,
        ValueError,
    ) as error:  # ValueError: an integer of more than 4 300 digits
        msg = f"{source}: not valid YAML: {error}"
        raise ScenarioError(
            msg, [Problem("not valid YAML", table="scenario", file=source)]
        ) from None


def _read_text(source: Path) -> str:
    """The UTF-8 text of a scenario file (a leading byte-order mark is dropped), at most the size limit."""
    try:
        with source.open("rb") as stream:
            data = stream.read(MAX_SCENARIO_BYTES + 1)
    except OSError as error:
        msg = f"cannot read scenario file {source}: {error.strerror or error}"
        raise ScenarioError(msg) from None
    if len(data) > MAX_SCENARIO_BYTES:
        msg = f"{source.name}: larger than {MAX_SCENARIO_BYTES:,} bytes; a scenario file is a few lines of YAML"
        raise ScenarioError(msg, [Problem("file too large", table="scenario", file=source.name)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        msg = (
            f"{source.name}: a scenario file must be UTF-8 text; byte {error.start + 1} "
            f"(0x{data[error.start]:02x}) is not (save the file as UTF-8)"
        )
        raise ScenarioError(
            msg, [Problem("not UTF-8 text", table="scenario", file=source.name)]
        ) from None


def parse_set_options(pairs: Iterable[str]) -> dict[str, Any]:
    """``--set key=value`` options as scenario overrides; each value is read as YAML (numbers, null, lists).

    Parameters
    ----------
    pairs
        Texts such as ``"budget_per_year=100000"``; a later key wins.

    Returns
    -------
    dict
        Key -> value, to pass to :meth:`Scenario.with_overrides`.

    Raises
    ------
    ScenarioError
        Naming the option when it is not ``key=value``, names no scenario key, or its
        value is not YAML (or too large or deep).
    """
    overrides: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        shown = _shown(pair)
        if not sep or not key:
            msg = f"--set {shown!r}: needs key=value, e.g. --set budget_per_year=100000"
            raise ScenarioError(
                msg, [Problem("needs key=value", table="scenario", file="--set", value=shown)]
            )
        if key == _FRAGMENTS_FIELD:
            _refuse_fragments(f"--set {shown}", key)
        if key not in Scenario.model_fields:
            close = difflib.get_close_matches(key, list(Scenario.model_fields), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            message = f"unknown key {_shown(key)!r}{hint}"
            msg = f"--set {shown}: {message}"
            raise ScenarioError(
                msg,
                [
                    Problem(
                        message,
                        table="scenario",
                        file="--set",
                        column=_shown(key),
                        value=_shown(text),
                    )
                ],
            )
        overrides[key] = _parse_yaml(text, f"--set {_shown(key)}")
    return overrides


def _refuse_fragments(where: str, column: str, *, file: str | None = None) -> None:
    """Raise the error for a user setting ``fragments`` at ``column`` (``where`` starts the message)."""
    message = f"{_FRAGMENTS_FIELD} {_FRAGMENTS_REFUSED}"
    msg = f"{where}: {column}: {message}" if column != _FRAGMENTS_FIELD else f"{where}: {message}"
    problem = Problem(message, table="scenario", file=file or where, column=column)
    raise ScenarioError(msg, [problem])


# ---- key paths and where each setting came from ---------------------------------------------------


def _dotted(path: tuple[str, ...]) -> str:
    """A key path as a user writes it: ``demand_growth.digital_data``."""
    return ".".join(path)


def _leaf_paths(values: Mapping[Any, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every key path ``values`` sets, as :func:`_deep_merge` applies it (``years`` is one leaf).

    >>> _leaf_paths({"budget_per_year": 1, "demand_growth": {"digital_data": 0.1}, "years": [2027]})
    [('budget_per_year',), ('demand_growth', 'digital_data'), ('years',)]
    """
    paths: list[tuple[str, ...]] = []
    for key, value in values.items():
        path = (*prefix, str(key))
        if isinstance(value, Mapping) and path != ("years",):
            paths.extend(_leaf_paths(value, path))
        else:
            paths.append(path)
    return paths


def _overlaps(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    """Whether two key paths set the same value: equal, or one inside the other."""
    shorter = min(len(first), len(second))
    return first[:shorter] == second[:shorter]


def _record_sources(
    sources: dict[tuple[str, ...], str], values: Mapping[str, Any], source: str
) -> None:
    """Note ``source`` as the setter of every path ``values`` sets (what it replaces is forgotten)."""
    for path in _leaf_paths(values):
        for known in [known for known in sources if known[: len(path)] == path]:
            del sources[known]
        sources[path] = source


def _source_of(sources: Mapping[tuple[str, ...], str], path: tuple[str, ...], fallback: str) -> str:
    """Who set ``path``: its own entry, else the nearest enclosing one, else the last inside it."""
    for length in range(len(path), 0, -1):
        if path[:length] in sources:
            return sources[path[:length]]
    inside = [source for known, source in sources.items() if known[: len(path)] == path]
    return inside[-1] if inside else fallback


# ---- effective changes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One setting of a scenario that differs from its base, and who changed it.

    Parameters
    ----------
    key
        Dotted key path (``budget_per_year``, ``demand_growth.digital_data``).
    before, after
        The base's value and the scenario's; ``None`` is a null setting or an entry one side lacks.
    source
        The fragment that set it, the overrides' source (``"--set"``, ``"override"``), or the
        scenario's name when nothing recorded where the value came from.

    Examples
    --------
    >>> Change("budget_per_year", 250000.0, 80000.0, "budget_cut").text()
    'budget_per_year: 250000 -> 80000'
    """

    key: str
    before: Any
    after: Any
    source: str

    def text(self) -> str:
        """``key: before -> after``, numbers as a user writes them, ``none`` for null."""
        return f"{self.key}: {_setting_text(self.before)} -> {_setting_text(self.after)}"


def _setting_text(value: object) -> str:
    """A setting's value in a change: ``250000``, ``0.05``, ``none``, ``[2027, 2028]``."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(value, ".15g")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_setting_text(item) for item in value) + "]"
    if isinstance(value, Mapping):
        entries = (f"{key}: {_setting_text(item)}" for key, item in value.items())
        return "{" + ", ".join(entries) + "}"
    return str(value)


def _differences(
    before: object, after: object, path: tuple[str, ...]
) -> list[tuple[tuple[str, ...], object, object]]:
    """Leaf paths where ``before`` and ``after`` differ, mappings compared entry by entry."""
    if isinstance(before, Mapping) and isinstance(after, Mapping) and path != ("years",):
        keys = list(before) + [key for key in after if key not in before]
        found: list[tuple[tuple[str, ...], object, object]] = []
        for key in keys:
            found += _differences(before.get(key), after.get(key), (*path, str(key)))
        return found
    return [] if before == after else [(path, before, after)]


def effective_changes(base: Scenario, scenario: Scenario) -> list[Change]:
    """The settings of ``scenario`` that differ from ``base``, each with the source that set it.

    ``name``, ``description`` and ``fragments`` label a scenario and are never changes. A
    setting a fragment restates at the base's value is no change either.

    Parameters
    ----------
    base
        The scenario compared against (usually ``compose(path)``).
    scenario
        The scenario to describe (usually ``compose(path, name, overrides)``).

    Returns
    -------
    list of Change
        In field order; entries of a mapping in the base's order, then new ones.

    Examples
    --------
    >>> base = Scenario(years=[2027], budget_per_year=250000)
    >>> [change.text() for change in effective_changes(base, base.with_overrides(
    ...     {"budget_per_year": 80000}, source="--set"))]
    ['budget_per_year: 250000 -> 80000']
    """
    before, after = base.model_dump(), scenario.model_dump()
    changes: list[Change] = []
    for field in Scenario.model_fields:
        if field in LABEL_FIELDS:
            continue
        for path, old, new in _differences(before[field], after[field], (field,)):
            source = _source_of(scenario._sources, path, scenario.name)
            changes.append(Change(_dotted(path), old, new, source))
    return changes


# ---- scenario files: base, fragments, scenarios ------------------------------------------------------


@dataclass(frozen=True)
class ScenarioDefinition:
    """One entry of a file's ``scenarios:`` section.

    Parameters
    ----------
    name
        The scenario's name (the key of its entry).
    description
        What the scenario explores; empty keeps what the base and fragments say.
    apply
        Names of the fragments applied on the base, in order.
    """

    name: str
    description: str
    apply: tuple[str, ...]


@dataclass(frozen=True)
class ScenarioFile:
    """A scenario file read and checked in shape: its base values, fragments and scenarios.

    Parameters
    ----------
    source
        The file's name, as every message names it.
    base
        The base settings as written (``name`` defaults to the file's stem).
    fragments
        Fragment name -> the scenario keys it sets, in file order.
    scenarios
        Scenario name -> its definition, in file order.

    Examples
    --------
    >>> scenario_file = read_scenario_file("data/scenarios/base.yaml")
    >>> scenario_file.compose("tight_budget").fragments
    ['budget_cut', 'company_cap', 'few_trainers']
    """

    source: str
    base: Mapping[str, Any]
    fragments: Mapping[str, Mapping[str, Any]]
    scenarios: Mapping[str, ScenarioDefinition]

    def names(self) -> list[str]:
        """``"base"``, then the file's scenarios in file order."""
        return [BASE_SCENARIO, *self.scenarios]

    def base_scenario(self) -> Scenario:
        """The base settings, validated (messages name the file and the key)."""
        return _validated(self.base, self.source)

    def compose(
        self,
        name: str = BASE_SCENARIO,
        overrides: Mapping[str, Any] | None = None,
        *,
        source: str = OVERRIDE_SOURCE,
    ) -> Scenario:
        """The scenario ``name``: its fragments applied in order on the base, then ``overrides``.

        See :func:`compose`.
        """
        base = self.base_scenario()
        if name == BASE_SCENARIO:
            scenario = base
        else:
            definition = self._definition(name)
            self._refuse_conflicts(definition)
            values = {**base.model_dump(), "name": name}
            sources: dict[tuple[str, ...], str] = {}
            for fragment in definition.apply:
                values = _deep_merge(values, self.fragments[fragment])
                _record_sources(sources, self.fragments[fragment], fragment)
            if definition.description:
                values["description"] = definition.description
            values[_FRAGMENTS_FIELD] = list(definition.apply)

            def locate(location: str) -> str:
                fragment = _source_of(sources, tuple(location.split(".")), "")
                return f"{OVERRIDES_SECTION}.{fragment}.{location}" if fragment else location

            label = f"{self.source}: scenario {name!r}"
            scenario = _validated(values, self.source, locate, label=label)
            scenario._sources = sources
        return scenario.with_overrides(overrides, source=source) if overrides else scenario

    def _definition(self, name: str) -> ScenarioDefinition:
        """The definition of scenario ``name``; an error listing the known names when none."""
        if name in self.scenarios:
            return self.scenarios[name]
        known = self.names()
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        message = f"unknown scenario {_shown(name)!r}{hint}; known: {', '.join(known)}"
        msg = f"{self.source}: {message}"
        problem = Problem(message, table="scenario", file=self.source, value=_shown(name))
        raise ScenarioError(msg, [problem])

    def _refuse_conflicts(self, definition: ScenarioDefinition) -> None:
        """Raise when two fragments of ``definition`` set one key, naming the scenario, both and the key."""
        sentences: list[str] = []
        problems: list[Problem] = []
        setters: list[tuple[tuple[str, ...], str]] = []
        reported: set[str] = set()
        for fragment in definition.apply:
            for path in _leaf_paths(self.fragments[fragment]):
                for known, earlier in setters:
                    key = _dotted(min(known, path, key=len))
                    if earlier != fragment and _overlaps(known, path) and key not in reported:
                        reported.add(key)
                        message = (
                            f"fragments {earlier!r} and {fragment!r} both set {key}; "
                            "a scenario may set each key once (keep it in one fragment)"
                        )
                        sentences.append(f"scenario {definition.name!r}: {message}")
                        problems.append(
                            Problem(
                                message,
                                table="scenario",
                                file=self.source,
                                column=f"{SCENARIOS_SECTION}.{definition.name}.apply",
                                value=key,
                            )
                        )
            setters += [(path, fragment) for path in _leaf_paths(self.fragments[fragment])]
        if problems:
            raise ScenarioError(_headline(self.source, sentences), problems)


def _file_problem(source: str, column: str, message: str) -> tuple[Problem, str]:
    """A shape problem of a scenario file at ``column`` and its sentence."""
    return Problem(message, table="scenario", file=source, column=column), f"{column}: {message}"


def _section(raw: Mapping[str, Any], key: str, source: str) -> dict[str, Any]:
    """The mapping under ``key`` (empty when absent); its names must be text."""
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problem, sentence = _file_problem(source, key, "must be a mapping of names to entries")
        raise ScenarioError(f"{source}: {sentence}", [problem])
    names = {}
    for name, entry in value.items():
        if not isinstance(name, str) or not name.strip():
            message = f"the name {_shown(name)!r} must be text (quote it: '{_shown(name)}')"
            problem, sentence = _file_problem(source, key, message)
            raise ScenarioError(f"{source}: {sentence}", [problem])
        names[name] = entry
    return names


def _fragment_problems(name: str, body: object, source: str) -> list[tuple[Problem, str]]:
    """What is wrong in the shape of fragment ``name``: not a mapping, unknown or refused keys."""
    where = f"{OVERRIDES_SECTION}.{name}"
    if not isinstance(body, Mapping):
        return [_file_problem(source, where, "must be a mapping of scenario keys to values")]
    found = []
    for key in body:
        column = f"{where}.{_shown(key)}"
        if key == _FRAGMENTS_FIELD:
            found.append(_file_problem(source, column, f"{_FRAGMENTS_FIELD} {_FRAGMENTS_REFUSED}"))
        elif key not in Scenario.model_fields:
            close = difflib.get_close_matches(str(key), list(Scenario.model_fields), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            found.append(_file_problem(source, column, f"unknown key {_shown(key)!r}{hint}"))
    return found


def _scenario_problems(
    name: str, entry: object, fragments: Mapping[str, Any], source: str
) -> list[tuple[Problem, str]]:
    """What is wrong in scenario entry ``name``: shape, unknown keys, unknown fragments."""
    where = f"{SCENARIOS_SECTION}.{name}"
    if name == BASE_SCENARIO:
        message = f"{BASE_SCENARIO!r} names the file's base settings; choose another name"
        return [_file_problem(source, where, message)]
    if not isinstance(entry, Mapping):
        message = "must be a mapping: {description: ..., apply: [fragment, ...]}"
        return [_file_problem(source, where, message)]
    found = []
    for key in entry:
        if key not in SCENARIO_KEYS:
            message = f"unknown key {_shown(key)!r}; a scenario has {' and '.join(SCENARIO_KEYS)}"
            found.append(_file_problem(source, f"{where}.{_shown(key)}", message))
    description = entry.get("description", "")
    if not isinstance(description, str):
        found.append(_file_problem(source, f"{where}.description", "must be text"))
    apply = entry.get("apply")
    known = ", ".join(fragments) or "none defined"
    if not isinstance(apply, list) or not apply:
        message = (
            f"must list the fragments to apply, e.g. apply: [{next(iter(fragments), 'fragment')}]"
        )
        found.append(_file_problem(source, f"{where}.apply", message))
        return found
    for fragment in apply:
        if not isinstance(fragment, str) or fragment not in fragments:
            close = difflib.get_close_matches(str(fragment), list(fragments), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            message = f"unknown fragment {_shown(fragment)!r}{hint}; known: {known}"
            found.append(_file_problem(source, f"{where}.apply", message))
    if len(set(map(str, apply))) < len(apply):
        found.append(_file_problem(source, f"{where}.apply", "names a fragment twice"))
    return found


def read_scenario_file(path: str | Path) -> ScenarioFile:
    """Read a scenario file and check its shape: base keys, fragments and scenarios.

    Values are validated when a scenario is composed (:meth:`ScenarioFile.compose`), so
    every message names the file, the section and the key.

    Parameters
    ----------
    path
        A UTF-8 YAML file of at most :data:`MAX_SCENARIO_BYTES` bytes, nested at
        most :data:`MAX_NESTING_DEPTH` deep.

    Raises
    ------
    ScenarioError
        For a missing, unreadable, too large, too deep or non-UTF-8 file, YAML that is
        not a mapping, ``fragments`` in the base or a fragment, a fragment with an unknown
        key, a scenario naming an unknown fragment or badly shaped.

    Examples
    --------
    >>> read_scenario_file("data/scenarios/base.yaml").names()[:3]
    ['base', 'tight_budget', 'min_cost']
    """
    file = Path(path)
    source = file.name
    raw = _parse_yaml(_read_text(file), source)
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        msg = f"scenario file {source} must hold a mapping of keys to values"
        raise ScenarioError(
            msg, [Problem("top level is not a mapping", table="scenario", file=source)]
        )
    base = {
        str(key): value
        for key, value in raw.items()
        if key not in (OVERRIDES_SECTION, SCENARIOS_SECTION)
    }
    if _FRAGMENTS_FIELD in base:
        _refuse_fragments(source, _FRAGMENTS_FIELD)
    base.setdefault("name", file.stem)
    fragments = _section(raw, OVERRIDES_SECTION, source)
    entries = _section(raw, SCENARIOS_SECTION, source)
    found = [
        problem
        for name, body in fragments.items()
        for problem in _fragment_problems(name, body, source)
    ]
    found += [
        problem
        for name, entry in entries.items()
        for problem in _scenario_problems(name, entry, fragments, source)
    ]
    if found:
        msg = _headline(source, [sentence for _, sentence in found])
        raise ScenarioError(msg, [problem for problem, _ in found])
    scenarios = {
        name: ScenarioDefinition(name, entry.get("description", ""), tuple(entry["apply"]))
        for name, entry in entries.items()
    }
    return ScenarioFile(source, base, fragments, scenarios)


def scenario_names(path: str | Path) -> list[str]:
    """Names of the scenarios a file defines: ``"base"`` first, then its scenarios in file order.

    Raises
    ------
    ScenarioError
        As :func:`read_scenario_file`.

    Examples
    --------
    >>> scenario_names("data/scenarios/base.yaml")[:3]
    ['base', 'tight_budget', 'min_cost']
    """
    return read_scenario_file(path).names()


def compose(
    path: str | Path,
    name: str = BASE_SCENARIO,
    overrides: Mapping[str, Any] | None = None,
    *,
    source: str = OVERRIDE_SOURCE,
) -> Scenario:
    """The scenario ``name`` of a file: its fragments applied in order on the base, then ``overrides``.

    Precedence, lowest first: the base < the fragments in the order the scenario lists
    them < the scenario's ``description`` < ``overrides``. Nested mappings merge key by
    key. The result's ``name`` is ``name`` unless a fragment or an override sets it; its
    ``fragments`` lists the fragments applied, and it records who set each key (see
    :func:`effective_changes`).

    Parameters
    ----------
    path
        A scenario file (see :func:`read_scenario_file`).
    name
        ``"base"`` (the file's base settings) or a name under its ``scenarios:`` section.
    overrides
        Keys and values applied last, as :meth:`Scenario.with_overrides` applies them.
    source
        Where ``overrides`` come from (``"--set"`` from the CLI), named in messages and changes.

    Raises
    ------
    ScenarioError
        As :func:`read_scenario_file`; for an unknown scenario (listing the known ones); for
        two fragments of the scenario setting one key (naming the scenario, both and the key);
        for invalid values, naming the file, the fragment and the key.

    Examples
    --------
    >>> scenario = compose("data/scenarios/base.yaml", "tight_budget", {"mip_gap": 0.02})
    >>> scenario.name, scenario.budget(2027), scenario.mip_gap
    ('tight_budget', 80000.0, 0.02)
    """
    return read_scenario_file(path).compose(name, overrides, source=source)


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Read the base scenario of a YAML file; apply ``overrides`` (a mapping) on top when given.

    The same as ``compose(path, "base", overrides)``: a file's ``overrides:`` and
    ``scenarios:`` sections are checked but not applied.

    Parameters
    ----------
    path
        A scenario file (see :func:`read_scenario_file`).
    overrides
        Keys and values applied on top (see :meth:`Scenario.with_overrides`).

    Raises
    ------
    ScenarioError
        For a missing, unreadable, too large, too deep or non-UTF-8 file, YAML that
        is not a mapping, unknown keys (named) and invalid values (named with the file).

    Examples
    --------
    >>> load_scenario("data/scenarios/base.yaml", {"subsidy_rate": 0.5}).subsidy_rate
    0.5
    """
    return compose(path, BASE_SCENARIO, overrides, source="overrides")

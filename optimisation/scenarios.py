"""Scenario configuration: a validated pydantic model, read from YAML, with overrides."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from skills.errors import Problem, ScenarioError
from skills.schemas import PRIORITIES, SKILL_GROUPS

#: Level a hire brings in every skill of the supply table (see ``skills.schemas.SUPPLY``).
HIRE_LEVEL = 3


class Scenario(BaseModel):
    """One planning scenario: horizon, money, policy levers and solver settings.

    Every field has a default except ``years``; unknown keys are errors.
    Money is in the currency of the settings (EUR by default).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(default="base", min_length=1, description="Short name of the scenario.")
    description: str = Field(default="", description="What the scenario explores.")
    years: list[int] = Field(
        min_length=1,
        description="Years of the horizon: a list, or a mapping {start: 2027, count: 3}.",
    )
    budget_per_year: float | dict[int, float] | None = Field(
        default=None,
        description="Public training budget per year (one number, or year -> amount); none = unlimited.",
    )
    subsidy_rate: float = Field(
        default=0.8, ge=0, le=1, description="Public share of training cost."
    )
    company_cost_cap: float | None = Field(
        default=None,
        ge=0,
        description="Most a company pays for training per year (its share); none = no cap.",
    )
    objective: Literal["max_coverage", "min_cost"] = Field(
        default="max_coverage",
        description="max_coverage: close the most priority-weighted gap units, then spend least; "
        "min_cost: spend least while reaching coverage_target.",
    )
    coverage_target: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="min_cost: share of priority-weighted gap units to close.",
    )
    gap_unit_value: float | None = Field(
        default=None,
        gt=0,
        description="Value of closing one weighted gap unit (currency) in max_coverage; "
        "none = larger than the cost of closing any single unit, so coverage comes first.",
    )
    priority_weights: dict[str, float] = Field(
        default_factory=lambda: {"high": 3.0, "medium": 2.0, "low": 1.0},
        description="Weight of one gap unit by priority.",
    )
    attrition_rate: float = Field(
        default=0.0, ge=0, lt=1, description="Share of trained or hired staff who leave per year."
    )
    demand_growth: dict[str, float] = Field(
        default_factory=dict,
        description="Growth per year of headcount needing a skill, by skill group (0.05 = +5 %/year).",
    )
    company_capacity_share: float | None = Field(
        default=0.25,
        gt=0,
        le=1,
        description="Most participants a company sends per year, as a share of its employees; none = no limit.",
    )
    company_hours_per_employee: float | None = Field(
        default=None,
        gt=0,
        description="Most course hours per employee per year a company can release; none = no limit.",
    )
    provider_trainer_hours: dict[str, float] = Field(
        default_factory=dict, description="Trainer hours per year by provider name."
    )
    default_trainer_hours: float | None = Field(
        default=None,
        gt=0,
        description="Trainer hours per year of providers not listed; none = unlimited.",
    )
    time_limit_s: float = Field(default=60.0, gt=0, description="Solver time limit in seconds.")
    mip_gap: float = Field(
        default=0.01, ge=0, lt=1, description="Relative gap at which the solver stops."
    )
    solver: Literal["highs", "cbc"] = Field(default="highs", description="MILP solver.")
    threads: int | None = Field(
        default=None, ge=1, description="Solver threads; none = solver default."
    )
    warm_start: bool = Field(
        default=True, description="Pass a heuristic plan to the solver as a start."
    )

    @field_validator("years", mode="before")
    @classmethod
    def _years_from_start_count(cls, value: object) -> object:
        if isinstance(value, Mapping):
            unknown = sorted(set(value) - {"start", "count"})
            if unknown:
                msg = f"years: unknown key(s) {', '.join(map(str, unknown))}; use start and count"
                raise ValueError(msg)
            start, count = value.get("start"), value.get("count", 1)
            if not isinstance(start, int) or not isinstance(count, int) or count < 1:
                msg = "years needs an integer start and a positive integer count"
                raise ValueError(msg)
            return list(range(start, start + count))
        return value

    @field_validator("years")
    @classmethod
    def _years_consecutive(cls, value: list[int]) -> list[int]:
        if any(not 2000 <= year <= 2100 for year in value):
            msg = "years must lie between 2000 and 2100"
            raise ValueError(msg)
        if value != list(range(value[0], value[0] + len(value))):
            msg = "years must be consecutive and increasing"
            raise ValueError(msg)
        return value

    @field_validator("priority_weights")
    @classmethod
    def _weights_cover_priorities(cls, value: dict[str, float]) -> dict[str, float]:
        missing = [p for p in PRIORITIES if p not in value]
        unknown = [p for p in value if p not in PRIORITIES]
        if missing or unknown:
            msg = f"priority_weights needs exactly {', '.join(PRIORITIES)}"
            raise ValueError(msg)
        if any(weight <= 0 for weight in value.values()):
            msg = "priority weights must be positive"
            raise ValueError(msg)
        return value

    @field_validator("demand_growth")
    @classmethod
    def _known_groups(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(SKILL_GROUPS))
        if unknown:
            msg = f"unknown skill group(s) {', '.join(unknown)}; expected {', '.join(SKILL_GROUPS)}"
            raise ValueError(msg)
        if any(rate <= -1 for rate in value.values()):
            msg = "demand growth must be above -1 (-100 %)"
            raise ValueError(msg)
        return value

    @field_validator("provider_trainer_hours")
    @classmethod
    def _positive_hours(cls, value: dict[str, float]) -> dict[str, float]:
        if any(hours < 0 for hours in value.values()):
            msg = "trainer hours cannot be negative"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        if self.objective == "min_cost" and self.coverage_target is None:
            msg = "objective min_cost needs a coverage_target (share 0-1 of weighted gap units)"
            raise ValueError(msg)
        if isinstance(self.budget_per_year, dict):
            missing = [year for year in self.years if year not in self.budget_per_year]
            extra = [year for year in self.budget_per_year if year not in self.years]
            if missing or extra:
                msg = f"budget_per_year must give exactly the years {self.years}"
                raise ValueError(msg)
            if any(amount < 0 for amount in self.budget_per_year.values()):
                msg = "budget_per_year cannot be negative"
                raise ValueError(msg)
        elif self.budget_per_year is not None and self.budget_per_year < 0:
            msg = "budget_per_year cannot be negative"
            raise ValueError(msg)
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

        Raises :class:`ScenarioError` naming every unknown or invalid key.
        """
        merged = _deep_merge(self.model_dump(), overrides)
        return _validated(merged, source)


def _deep_merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping) and key != "years":
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _validated(values: Mapping[str, Any], source: str) -> Scenario:
    try:
        return Scenario.model_validate(dict(values))
    except ValidationError as error:
        problems = [_problem(item, source) for item in error.errors()]
        msg = f"scenario {source}: {len(problems)} problem(s)"
        raise ScenarioError(msg, problems) from None


def _problem(item: Mapping[str, Any], source: str) -> Problem:
    location = ".".join(str(part) for part in item.get("loc", ()))
    if item.get("type") == "extra_forbidden":
        message = f"unknown key {location!r}"
    else:
        message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
    value = item.get("input")
    shown = "" if isinstance(value, Mapping | list) or value is None else str(value)
    return Problem(message, table="scenario", file=source, column=location, value=shown)


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Read a scenario from a YAML file; apply ``overrides`` (a mapping) on top when given.

    Raises :class:`ScenarioError` for a missing or unreadable file, YAML that is
    not a mapping, unknown keys (named) and invalid values.
    """
    source = Path(path)
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as error:
        msg = f"cannot read scenario file {source}: {error.strerror or error}"
        raise ScenarioError(msg) from None
    except yaml.YAMLError as error:
        msg = f"scenario file {source.name} is not valid YAML: {error}"
        raise ScenarioError(
            msg, [Problem("not valid YAML", table="scenario", file=source.name)]
        ) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        msg = f"scenario file {source.name} must hold a mapping of keys to values"
        raise ScenarioError(
            msg, [Problem("top level is not a mapping", table="scenario", file=source.name)]
        )
    raw = {str(key): value for key, value in raw.items()}
    raw.setdefault("name", source.stem)
    scenario = _validated(raw, source.name)
    return scenario.with_overrides(overrides, source="overrides") if overrides else scenario

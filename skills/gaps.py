"""Gap metrics: tidy tables of skills gaps, coverage, curriculum gaps and expected course demand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import pandas as pd
import pandera.pandas as pa

from skills.dataset import Dataset
from skills.disclosure import (
    BAND,
    CONTRIBUTORS,
    IS_TOTAL,
    REASON,
    REASONS,
    SUPPRESSED,
    Rules,
    aggregate,
    band_bounds,
    display,
    protect,
    publishable,
    unprotected,
)
from skills.errors import InputError, Problem
from skills.levels import MAX_LEVEL, MIN_LEVEL
from skills.rules import course_fit, gap_units, level_gap
from skills.schemas import MODES, PRIORITIES, SKILL_GROUPS
from skills.settings import Settings, load_settings

INT: Final = "Int64"
FLOAT: Final = "Float64"
TEXT: Final = "string"

#: Size bands by employees: micro 1–9, small 10–49, medium 50–249, large 250+.
SIZE_BANDS: Final = ("micro", "small", "medium", "large")
SIZE_BAND_EDGES: Final = (0, 9, 49, 249, float("inf"))
#: Role shown for demand rows that name none.
NOT_STATED: Final = "(not stated)"

#: Dimension name (as the CLI writes it) -> key column of the tables.
DIMENSIONS: Final[dict[str, str]] = {
    "company": "company_id",
    "skill": "skill",
    "group": "group",
    "sector": "sector",
    "region": "region",
    "size": "size_band",
    "role": "role",
    "year": "needed_by",
    "level": "required_level",
    "course": "course_id",
}
#: Views whose name stands for two dimensions.
PRESETS: Final[dict[str, tuple[str, ...]]] = {
    "company": ("company", "skill"),
    "course": ("course", "year"),
}

#: Why no course covers a gap, in the order they are tested.
WHY_NOT_TAUGHT: Final = "no course teaches the skill"
WHY_LEVEL: Final = "no course reaches the level"
WHY_ENTRY: Final = "entry level above current level"
WHY_REGION: Final = "not offered in the region"
WHY_UNCOVERED: Final = (WHY_NOT_TAUGHT, WHY_LEVEL, WHY_ENTRY, WHY_REGION)


@dataclass(frozen=True)
class Filters:
    """Which demand (and which catalogue) a table is built from; an empty field filters nothing.

    ``sectors`` and ``regions`` match code prefixes (``C2`` matches C25 and
    C28, ``DK0`` every Danish region). ``providers`` restricts the course
    catalogue that coverage, curriculum gaps and course demand consider.
    """

    companies: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    size_bands: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    priorities: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()

    def problems(self) -> list[Problem]:
        """Values that can never match."""
        allowed: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
            ("size band", "size_bands", self.size_bands, SIZE_BANDS),
            ("priority", "priorities", self.priorities, PRIORITIES),
            ("skill group", "groups", self.groups, SKILL_GROUPS),
        )
        problems = [
            Problem(f"unknown {what}; expected one of {', '.join(choices)}", column=column, value=value)
            for what, column, values, choices in allowed
            for value in values
            if value not in choices
        ]
        return problems


# --------------------------------------------------------------------------- schemas


def _column(
    dtype: str,
    description: str,
    *,
    nullable: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    allowed: Sequence[str] | None = None,
) -> pa.Column:
    checks: list[pa.Check] = []
    if minimum is not None:
        checks.append(pa.Check.ge(minimum))
    if maximum is not None:
        checks.append(pa.Check.le(maximum))
    if allowed is not None:
        checks.append(pa.Check.isin(list(allowed)))
    return pa.Column(dtype, checks=checks, nullable=nullable, coerce=True, description=description)


#: Key columns of the roll-ups; missing (``<NA>``) in a total row means "all".
KEY_COLUMNS: Final[dict[str, pa.Column]] = {
    "company_id": _column(TEXT, "Company.", nullable=True),
    "skill": _column(TEXT, "Skill id.", nullable=True),
    "group": _column(TEXT, "Skill group.", nullable=True, allowed=SKILL_GROUPS),
    "sector": _column(
        TEXT, "NACE division of the company (section letter and two digits).", nullable=True
    ),
    "region": _column(TEXT, "NUTS region of the company.", nullable=True),
    "size_band": _column(
        TEXT,
        "Company size: micro 1–9, small 10–49, medium 50–249, large 250+ employees.",
        nullable=True,
        allowed=SIZE_BANDS,
    ),
    "role": _column(
        TEXT, "Role or occupation named in the survey, or '(not stated)'.", nullable=True
    ),
    "needed_by": _column(INT, "Year by which the skill is needed.", nullable=True),
    "required_level": _column(
        INT, "Level the companies need (0–4).", nullable=True, minimum=MIN_LEVEL, maximum=MAX_LEVEL
    ),
    "course_id": _column(TEXT, "Course.", nullable=True),
}

#: Descriptive columns added after a key (public catalogue or taxonomy facts).
ATTRIBUTE_COLUMNS: Final[dict[str, dict[str, pa.Column]]] = {
    "skill": {
        "label": _column(TEXT, "English label of the skill.", nullable=True),
    },
    "course_id": {
        "title": _column(TEXT, "Course title.", nullable=True),
        "provider": _column(TEXT, "Provider running the course.", nullable=True),
        "mode": _column(TEXT, "Delivery mode.", nullable=True, allowed=MODES),
        "course_region": _column(TEXT, "NUTS region where the course runs.", nullable=True),
        "unit_cost": _column(
            FLOAT,
            "Cost of one place: cost_per_participant + fixed_cost_per_run / max_participants.",
            nullable=True,
            minimum=0,
        ),
        "max_participants": _column(INT, "Most participants in one run.", nullable=True, minimum=1),
        "max_runs_per_year": _column(INT, "Most runs per year.", nullable=True, minimum=0),
    },
}

_FLAGS: Final[dict[str, pa.Column]] = {
    BAND: _column(
        TEXT,
        "Perturbation only: the range of the main figure of a cell from too few companies (its figures are :c).",
        nullable=True,
    ),
    SUPPRESSED: _column("bool", "The cell's values are confidential (shown as :c)."),
    REASON: _column(
        TEXT,
        "Why the cell is suppressed: primary-count, primary-dominance, secondary; empty if published.",
        allowed=REASONS,
    ),
    IS_TOTAL: _column("bool", "The row is a total over the keys that are missing."),
}

_COMPANIES = _column(INT, "Companies with a positive value in the cell.", nullable=True, minimum=0)

#: Value columns of each kind of table (blanked when the cell is suppressed).
VALUE_COLUMNS: Final[dict[str, dict[str, pa.Column]]] = {
    "gaps": {
        "companies": _COMPANIES,
        "gap_units": _column(
            INT, "Headcount needing the skill above its current level.", nullable=True, minimum=0
        ),
        "weighted_gap_units": _column(
            FLOAT, "Gap units times the priority weight.", nullable=True, minimum=0
        ),
        "level_gap_units": _column(
            INT, "Gap units times the level gap (person-levels to train).", nullable=True, minimum=0
        ),
        "mean_level_gap": _column(
            FLOAT, "level_gap_units / gap_units.", nullable=True, minimum=0, maximum=MAX_LEVEL
        ),
    },
    "coverage": {
        "companies": _COMPANIES,
        "gap_units": _column(
            INT, "Headcount needing the skill above its current level.", nullable=True, minimum=0
        ),
        "covered_units": _column(
            INT,
            "Gap units that at least one course serving the company covers.",
            nullable=True,
            minimum=0,
        ),
        "uncovered_units": _column(INT, "Gap units no course covers.", nullable=True, minimum=0),
        "covered_share": _column(
            FLOAT, "covered_units / gap_units.", nullable=True, minimum=0, maximum=1
        ),
    },
    "curriculum": {
        "companies": _COMPANIES,
        "gap_units": _column(INT, "Uncovered gap units.", nullable=True, minimum=0),
        "weighted_gap_units": _column(
            FLOAT, "Uncovered gap units times the priority weight.", nullable=True, minimum=0
        ),
        "sectors": _column(
            TEXT,
            "NACE divisions of the companies asking, comma-separated (cells only).",
            nullable=True,
        ),
        "why_uncovered": _column(
            TEXT, "Why no course covers these gaps, '; '-separated (cells only).", nullable=True
        ),
    },
    "course_demand": {
        "companies": _COMPANIES,
        "participants": _column(
            INT,
            "Participants if every coverable gap were trained at its cheapest covering course.",
            nullable=True,
            minimum=0,
        ),
        "runs_needed": _column(
            INT,
            "ceil(participants / max_participants) (course and year cells only).",
            nullable=True,
            minimum=0,
        ),
        "training_cost": _column(
            FLOAT,
            "participants × cost_per_participant + runs_needed × fixed_cost_per_run (cells only).",
            nullable=True,
            minimum=0,
        ),
    },
}

#: Figures that are missing only when withheld (perturbation: fewer companies than the rule in that figure).
WITHHELD_WHEN_MISSING: Final = frozenset(
    {"gap_units", "weighted_gap_units", "level_gap_units", "mean_level_gap", "covered_units", "uncovered_units", "covered_share", "participants"}
)
#: Every column that a suppressed cell hides.
MASKED_COLUMNS: Final = frozenset(name for columns in VALUE_COLUMNS.values() for name in columns)

GAP_DETAIL: Final = pa.DataFrameSchema(
    {
        "company_id": _column(TEXT, "Company."),
        "skill": _column(TEXT, "Skill id."),
        "role": _column(TEXT, "Role or occupation, or '(not stated)'."),
        "needed_by": _column(INT, "Year by which the skill is needed."),
        "priority": _column(TEXT, "Priority stated in the survey.", allowed=PRIORITIES),
        "headcount": _column(INT, "Employees who need the skill.", minimum=0),
        "current_level": _column(INT, "Level today.", minimum=MIN_LEVEL, maximum=MAX_LEVEL),
        "required_level": _column(INT, "Level needed.", minimum=MIN_LEVEL, maximum=MAX_LEVEL),
        "level_gap": _column(
            INT, "required_level − current_level, 0 when not above.", minimum=0, maximum=MAX_LEVEL
        ),
        "gap_units": _column(INT, "headcount when level_gap > 0, else 0.", minimum=0),
        "weighted_gap_units": _column(FLOAT, "gap_units × priority weight.", minimum=0),
        "level_gap_units": _column(INT, "gap_units × level_gap.", minimum=0),
        "group": _column(TEXT, "Skill group.", allowed=SKILL_GROUPS),
        "sector": _column(TEXT, "NACE division of the company."),
        "region": _column(TEXT, "NUTS region of the company."),
        "size_band": _column(TEXT, "Size band of the company.", allowed=SIZE_BANDS),
    },
    name="gap_detail",
    strict=True,
    ordered=True,
)

COVERAGE_OPTIONS: Final = pa.DataFrameSchema(
    {
        "company_id": _column(TEXT, "Company."),
        "skill": _column(TEXT, "Skill id."),
        "role": _column(TEXT, "Role or occupation, or '(not stated)'."),
        "needed_by": _column(INT, "Year by which the skill is needed."),
        "current_level": _column(INT, "Level today.", minimum=MIN_LEVEL, maximum=MAX_LEVEL),
        "required_level": _column(INT, "Level needed.", minimum=MIN_LEVEL, maximum=MAX_LEVEL),
        "gap_units": _column(INT, "Headcount of the gap.", minimum=1),
        "course_id": _column(TEXT, "A course covering the gap."),
        "title": _column(TEXT, "Course title."),
        "provider": _column(TEXT, "Provider."),
        "mode": _column(TEXT, "Delivery mode.", allowed=MODES),
        "course_region": _column(TEXT, "NUTS region where the course runs."),
        "level": _column(INT, "Level the course reaches.", minimum=1, maximum=MAX_LEVEL),
        "entry_level": _column(
            INT, "Level the course needs to start.", minimum=MIN_LEVEL, maximum=MAX_LEVEL
        ),
        "hours": _column(FLOAT, "Teaching hours per participant.", minimum=0),
        "cost_per_participant": _column(FLOAT, "Fee per participant.", minimum=0),
        "fixed_cost_per_run": _column(FLOAT, "Cost of opening one run.", minimum=0),
        "max_participants": _column(INT, "Most participants in one run.", minimum=1),
        "unit_cost": _column(
            FLOAT, "cost_per_participant + fixed_cost_per_run / max_participants.", minimum=0
        ),
        "cheapest": _column(
            "bool", "The cheapest covering course of the gap (ties: lowest course_id)."
        ),
    },
    name="coverage_options",
    strict=True,
    ordered=True,
)


def view_schema(kind: str, keys: Sequence[str]) -> pa.DataFrameSchema:
    """The output schema of a roll-up of ``kind`` (gaps, coverage, curriculum, course_demand) by ``keys``."""
    if kind not in VALUE_COLUMNS:
        msg = f"unknown kind of table {kind!r}; expected one of {', '.join(VALUE_COLUMNS)}"
        raise InputError(msg)
    columns: dict[str, pa.Column] = {key: KEY_COLUMNS[key] for key in keys}
    for key in keys:
        columns.update(ATTRIBUTE_COLUMNS.get(key, {}))
    columns.update(VALUE_COLUMNS[kind])
    columns.update(_FLAGS)
    return pa.DataFrameSchema(
        columns, name=f"{kind}_by_{'_'.join(keys)}", strict=True, ordered=True
    )


# --------------------------------------------------------------------------- detail


def _settings(settings: Settings | None) -> Settings:
    return settings if settings is not None else load_settings()


def size_band(employees: pd.Series) -> pd.Series:
    """Eurostat enterprise size class of each employee count (micro, small, medium, large); the one home of the rule."""
    bands = pd.cut(employees.astype("float64"), bins=list(SIZE_BAND_EDGES), labels=list(SIZE_BANDS))
    return bands.astype(TEXT)


def _apply_filters(detail: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    keep = pd.Series(True, index=detail.index)
    exact = {
        "company_id": filters.companies,
        "skill": filters.skills,
        "group": filters.groups,
        "size_band": filters.size_bands,
        "role": filters.roles,
        "needed_by": filters.years,
        "priority": filters.priorities,
    }
    for column, allowed in exact.items():
        if allowed:
            keep &= detail[column].isin(list(allowed)).to_numpy(dtype=bool)
    for column, prefixes in (("sector", filters.sectors), ("region", filters.regions)):
        if prefixes:
            keep &= (
                detail[column].str.startswith(tuple(prefixes)).fillna(False).to_numpy(dtype=bool)
            )
    return detail[keep]


def _check_company(dataset: Dataset, company: str | None) -> None:
    if company is not None and company not in dataset.companies.index:
        msg = f"unknown company {company!r}"
        raise InputError(
            msg, [Problem("unknown company", table="companies", column="company_id", value=company)]
        )


def _own_filters(filters: Filters | None, company: str | None) -> Filters:
    filters = filters or Filters()
    problems = filters.problems()
    if problems:
        msg = f"{len(problems)} invalid filter value(s)"
        raise InputError(msg, problems)
    return filters if company is None else replace(filters, companies=(company,))


def gap_detail(
    dataset: Dataset, *, filters: Filters | None = None, settings: Settings | None = None
) -> pd.DataFrame:
    """One row per demand row (company × skill × role × year) with its gap.

    Company-level data: show it only in that company's own view (filter on the
    company). Rows whose required level is not above the current level are
    kept with a zero gap.

    Returns
    -------
    pandas.DataFrame
        Validated against :data:`GAP_DETAIL`; sorted by company, skill, role,
        year.
    """
    return GAP_DETAIL.validate(_detail(dataset, filters=filters, settings=settings))


def _detail(
    dataset: Dataset, *, filters: Filters | None = None, settings: Settings | None = None
) -> pd.DataFrame:
    """:func:`gap_detail` without the validation (internal: the views validate their own output)."""
    settings = _settings(settings)
    filters = _own_filters(filters, None)
    demand = dataset.demand
    companies = dataset.companies
    unknown_companies = sorted(set(demand["company_id"]) - set(companies.index))
    unknown_skills = sorted(set(demand["skill"]) - set(dataset.skills.index))
    if unknown_companies or unknown_skills:
        problems = [
            Problem("unknown company", table="demand", column="company_id", value=v)
            for v in unknown_companies
        ]
        problems += [
            Problem("unknown skill", table="demand", column="skill", value=v)
            for v in unknown_skills
        ]
        msg = f"demand refers to {len(problems)} unknown id(s)"
        raise InputError(msg, problems)
    weights = pd.Series(settings.priority_weights, dtype="float64")
    unweighted = sorted(set(demand["priority"].dropna()) - set(weights.index))
    if unweighted:
        msg = f"no priority weight for {', '.join(unweighted)}: set Settings.priority_weights"
        raise InputError(msg)

    levels_missing = level_gap(demand["required_level"], demand["current_level"])
    units = gap_units(demand["headcount"], demand["required_level"], demand["current_level"])
    detail = pd.DataFrame(
        {
            "company_id": demand["company_id"],
            "skill": demand["skill"],
            "role": demand["role"].fillna(NOT_STATED),
            "needed_by": demand["needed_by"],
            "priority": demand["priority"],
            "headcount": demand["headcount"],
            "current_level": demand["current_level"],
            "required_level": demand["required_level"],
            "level_gap": levels_missing,
            "gap_units": units,
            "weighted_gap_units": units.astype(FLOAT)
            * demand["priority"].map(weights).astype(FLOAT),
            "level_gap_units": units * levels_missing,
            "group": demand["skill"].map(dataset.skills["group"]),
            "sector": demand["company_id"].map(companies["sector"]).str.slice(0, 3),
            "region": demand["company_id"].map(companies["region"]),
            "size_band": demand["company_id"].map(size_band(companies["employees"])),
        }
    )
    detail = _apply_filters(detail, filters)
    detail = detail.sort_values(["company_id", "skill", "role", "needed_by"], kind="stable")
    return detail.reset_index(drop=True)


def _gap_rows(detail: pd.DataFrame) -> pd.DataFrame:
    """The demand rows with a gap (gap_units > 0), numbered by ``gap_id``."""
    gaps = detail[detail["gap_units"] > 0].reset_index(drop=True)
    gaps["gap_id"] = np.arange(len(gaps))
    return gaps


# --------------------------------------------------------------------------- coverage


def _catalogue(dataset: Dataset, filters: Filters) -> pd.DataFrame:
    """Course × skill offers of the courses that can run (max_runs_per_year > 0)."""
    courses = dataset.flat("courses")
    if filters.providers:
        courses = courses[courses["provider"].isin(list(filters.providers))]
    courses = courses[courses["max_runs_per_year"] > 0]
    courses = courses.rename(columns={"region": "course_region"})
    courses["unit_cost"] = (
        courses["cost_per_participant"]
        + courses["fixed_cost_per_run"] / courses["max_participants"]
    )
    return dataset.course_skills.merge(courses, on="course_id", how="inner")


def _coverage_pairs(gaps: pd.DataFrame, dataset: Dataset, filters: Filters) -> pd.DataFrame:
    """Every gap × every course teaching its skill, with the coverage tests as columns.

    ``reaches``, ``enters``, ``serves``: the tests of :func:`skills.rules.course_fit`.
    """
    offers = _catalogue(dataset, filters)
    pairs = gaps[["gap_id", "skill", "current_level", "required_level", "region"]].merge(
        offers, on="skill", how="inner"
    )
    fit = course_fit(pairs)
    pairs["reaches"] = fit.reaches
    pairs["enters"] = fit.enters
    pairs["serves"] = fit.serves
    return pairs


def _coverage_flags(gaps: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Per gap: ``covered`` and, when not covered, ``why_uncovered``."""
    tests = ["reaches", "enters", "serves"]
    flags = pairs.groupby("gap_id")[tests].any().reindex(gaps["gap_id"], fill_value=False)
    taught = gaps["gap_id"].isin(pairs["gap_id"]).to_numpy(dtype=bool)
    reaches = flags["reaches"].to_numpy(dtype=bool)
    enters = flags["enters"].to_numpy(dtype=bool)
    serves = flags["serves"].to_numpy(dtype=bool)
    why = np.select(
        [~taught, ~reaches, ~enters, ~serves],
        [WHY_NOT_TAUGHT, WHY_LEVEL, WHY_ENTRY, WHY_REGION],
        default="",
    )
    return pd.DataFrame({"covered": serves, "why_uncovered": why}, index=gaps.index)


def _cheapest(pairs: pd.DataFrame) -> pd.DataFrame:
    """The cheapest serving course of every coverable gap (ties: lowest course_id)."""
    serving = pairs[pairs["serves"]]
    ranked = serving.sort_values(["gap_id", "unit_cost", "course_id"], kind="stable")
    return ranked.drop_duplicates("gap_id")


def gap_rows_for_audit(dataset: Dataset, settings: Settings | None = None) -> pd.DataFrame:
    """Every gap row with what the attacker's suite assumes known: its keys, weight, level gap, coverage and cheapest course.

    The truth behind every view (``gap_units``); for :mod:`skills.audit` only.
    """
    settings = _settings(settings)
    gaps = _gap_rows(_detail(dataset, settings=settings))
    pairs = _coverage_pairs(gaps, dataset, Filters())
    flags = _coverage_flags(gaps, pairs)
    chosen = _cheapest(pairs).set_index("gap_id")["course_id"]
    weights = pd.Series(settings.priority_weights, dtype="float64")
    return gaps.assign(
        covered=flags["covered"].to_numpy(dtype=bool).astype("int64"),
        weight=gaps["priority"].map(weights).astype("float64"),
        course_id=gaps["gap_id"].map(chosen).astype(TEXT),
    )


# --------------------------------------------------------------------------- roll-ups


def _keys(by: str | Sequence[str], allowed: Sequence[str]) -> list[str]:
    names = PRESETS.get(by, (by,)) if isinstance(by, str) else tuple(by)
    problems = [
        Problem(
            f"cannot group by {name!r}; expected one of {', '.join(allowed)}",
            column="by",
            value=str(name),
        )
        for name in names
        if name not in allowed
    ]
    if problems or not 1 <= len(names) <= 2 or len(set(names)) != len(names):
        msg = f"invalid grouping {by!r}: one or two distinct dimensions of {', '.join(allowed)}"
        raise InputError(msg, problems)
    return [DIMENSIONS[name] for name in names]


def _tabulate(
    contributions: pd.DataFrame,
    keys: Sequence[str],
    values: Sequence[str],
    *,
    own: bool,
    settings: Settings,
) -> pd.DataFrame:
    """Aggregate with margins; disclosure-controlled unless it is a company's own view."""
    if own:
        table = unprotected(aggregate(contributions, keys, values, top_n=settings.dominance_n))
    else:
        table = protect(contributions, keys, values, Rules.from_settings(settings))
    return table.rename(columns={CONTRIBUTORS: "companies"})


def _add_attributes(table: pd.DataFrame, keys: Sequence[str], dataset: Dataset) -> pd.DataFrame:
    if "skill" in keys:
        table["label"] = table["skill"].map(dataset.skills["label"])
    if "course_id" in keys:
        courses = dataset.courses
        table["title"] = table["course_id"].map(courses["title"])
        table["provider"] = table["course_id"].map(courses["provider"])
        table["mode"] = table["course_id"].map(courses["mode"])
        table["course_region"] = table["course_id"].map(courses["region"])
        table["unit_cost"] = table["course_id"].map(
            courses["cost_per_participant"]
            + courses["fixed_cost_per_run"] / courses["max_participants"]
        )
        table["max_participants"] = table["course_id"].map(courses["max_participants"])
        table["max_runs_per_year"] = table["course_id"].map(courses["max_runs_per_year"])
    return table


def _ratio(numerator: pd.Series, denominator: pd.Series, ceiling: float) -> pd.Series:
    """numerator / denominator, at most ``ceiling`` (perturbed figures can give a ratio above it)."""
    top = numerator.astype(FLOAT)
    bottom = denominator.astype(FLOAT)
    return (top / bottom.where(bottom > 0)).clip(upper=ceiling).astype(FLOAT)


def _finish(table: pd.DataFrame, kind: str, keys: Sequence[str], dataset: Dataset) -> pd.DataFrame:
    """Blank suppressed values, add descriptive columns, order and validate."""
    schema = view_schema(kind, keys)
    shown = publishable(table, [name for name in VALUE_COLUMNS[kind] if name in table.columns])
    shown = _add_attributes(shown, keys, dataset)
    for name in schema.columns:
        if name not in shown.columns:
            shown[name] = pd.NA
    return schema.validate(shown[list(schema.columns)].reset_index(drop=True))


def gap_rollup(
    dataset: Dataset,
    by: str | Sequence[str] = "skill",
    *,
    filters: Filters | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Gap units summed by ``by`` with totals, before any suppression.

    For internal checks only: every value is shown. Use :func:`gap_view` for
    anything a person sees.
    """
    settings = _settings(settings)
    keys = _keys(by, [d for d in DIMENSIONS if d != "course"])
    gaps = _gap_rows(_detail(dataset, filters=_own_filters(filters, None), settings=settings))
    table = aggregate(
        gaps,
        keys,
        ["gap_units", "weighted_gap_units", "level_gap_units"],
        top_n=settings.dominance_n,
    )
    return table.rename(columns={CONTRIBUTORS: "companies"})


def gap_view(
    dataset: Dataset,
    by: str | Sequence[str] = "skill",
    company: str | None = None,
    settings: Settings | None = None,
    *,
    filters: Filters | None = None,
) -> pd.DataFrame:
    """Gap units, weighted gap units and level gaps by one or two dimensions.

    Parameters
    ----------
    dataset
        The region's tables.
    by
        ``company`` (company × skill), ``skill``, ``group``, ``sector``,
        ``region``, ``size``, ``role``, ``year``, ``level``, ``course``
        (expected course demand, see :func:`expected_course_demand`) or a pair
        of dimensions such as ``("group", "sector")``.
    company
        A company's own view: only its gaps, nothing suppressed. Without it
        the table is disclosure-controlled.
    settings
        Priority weights and disclosure thresholds (default: from the environment).
    filters
        Which demand to include.

    Returns
    -------
    pandas.DataFrame
        Cells then totals (keys missing), validated against
        ``view_schema("gaps", keys)``; suppressed values are ``<NA>``.
    """
    if by == "course":
        return expected_course_demand(dataset, company, settings, filters=filters)
    settings = _settings(settings)
    _check_company(dataset, company)
    keys = _keys(by, [d for d in DIMENSIONS if d != "course"])
    detail = _detail(dataset, filters=_own_filters(filters, company), settings=settings)
    gaps = _gap_rows(detail)
    table = _tabulate(
        gaps,
        keys,
        ["gap_units", "weighted_gap_units", "level_gap_units"],
        own=company is not None,
        settings=settings,
    )
    table["mean_level_gap"] = _ratio(table["level_gap_units"], table["gap_units"], MAX_LEVEL)
    return _finish(table, "gaps", keys, dataset)


def coverage(
    dataset: Dataset,
    by: str | Sequence[str] = "skill",
    company: str | None = None,
    settings: Settings | None = None,
    *,
    filters: Filters | None = None,
) -> pd.DataFrame:
    """Gap units the catalogue can cover, by one or two dimensions.

    A course covers a gap when it teaches the skill to at least the required
    level, starts at or below the current level, can run (``max_runs_per_year``
    > 0) and is online or runs in the company's NUTS region (one code a prefix
    of the other). Disclosure-controlled unless ``company`` is given.
    """
    settings = _settings(settings)
    _check_company(dataset, company)
    filters = _own_filters(filters, company)
    keys = _keys(by, [d for d in DIMENSIONS if d != "course"])
    gaps = _gap_rows(_detail(dataset, filters=filters, settings=settings))
    flags = _coverage_flags(gaps, _coverage_pairs(gaps, dataset, filters))
    gaps["covered_units"] = gaps["gap_units"].where(flags["covered"], 0)
    gaps["uncovered_units"] = gaps["gap_units"] - gaps["covered_units"]
    table = _tabulate(
        gaps,
        keys,
        ["gap_units", "covered_units", "uncovered_units"],
        own=company is not None,
        settings=settings,
    )
    table["covered_share"] = _ratio(table["covered_units"], table["gap_units"], 1.0)
    return _finish(table, "coverage", keys, dataset)


def coverage_options(
    dataset: Dataset,
    company: str,
    settings: Settings | None = None,
    *,
    filters: Filters | None = None,
) -> pd.DataFrame:
    """For each of one company's gaps, every course that covers it.

    Company-level: only for that company's own view. Rows are sorted by gap,
    then by unit cost and course id, so the first course of a gap is its
    cheapest (``cheapest`` marks it).
    """
    settings = _settings(settings)
    _check_company(dataset, company)
    filters = _own_filters(filters, company)
    gaps = _gap_rows(_detail(dataset, filters=filters, settings=settings))
    pairs = _coverage_pairs(gaps, dataset, filters)
    serving = pairs[pairs["serves"]].drop(
        columns=["skill", "current_level", "required_level", "region"]
    )
    options = gaps.merge(serving, on="gap_id", how="inner")
    options = options.sort_values(
        ["company_id", "skill", "role", "needed_by", "unit_cost", "course_id"], kind="stable"
    )
    options["cheapest"] = ~options.duplicated("gap_id")
    return COVERAGE_OPTIONS.validate(options[list(COVERAGE_OPTIONS.columns)].reset_index(drop=True))


def _joined_per_cell(
    frame: pd.DataFrame, keys: Sequence[str], column: str, order: Sequence[str] | None = None
) -> pd.DataFrame:
    """Distinct values of ``column`` per cell, joined (sorted, or in ``order``)."""
    distinct = frame[[*keys, column]].drop_duplicates()
    if order is None:
        distinct = distinct.sort_values([*keys, column], kind="stable")
        separator = ", "
    else:
        rank = {name: position for position, name in enumerate(order)}
        distinct = distinct.assign(_rank=distinct[column].map(rank)).sort_values(
            [*keys, "_rank"], kind="stable"
        )
        separator = "; "
    joined = distinct.groupby(list(keys), sort=False)[column].agg(separator.join)
    return joined.rename(column).reset_index()


def curriculum_gaps(
    dataset: Dataset,
    company: str | None = None,
    settings: Settings | None = None,
    *,
    filters: Filters | None = None,
) -> pd.DataFrame:
    """Skills and levels in demand that no course covers, ranked by gap units.

    The list a school uses to decide which courses to develop: per skill and
    required level, the uncovered gap units, the companies asking, their
    sectors and why no course covers the gaps. Ranked by gap units (a banded
    cell by its band's lower edge; then weighted gap units, skill, level);
    blank cells follow, totals come last. Disclosure-controlled unless ``company`` is given.
    """
    settings = _settings(settings)
    _check_company(dataset, company)
    filters = _own_filters(filters, company)
    keys = ["skill", "required_level"]
    gaps = _gap_rows(_detail(dataset, filters=filters, settings=settings))
    flags = _coverage_flags(gaps, _coverage_pairs(gaps, dataset, filters))
    uncovered = gaps[~flags["covered"].to_numpy(dtype=bool)].assign(
        why_uncovered=flags["why_uncovered"][~flags["covered"]]
    )
    table = _tabulate(
        uncovered,
        keys,
        ["gap_units", "weighted_gap_units"],
        own=company is not None,
        settings=settings,
    )
    for column, source, reasons in (
        ("sectors", "sector", None),
        ("why_uncovered", "why_uncovered", WHY_UNCOVERED),
    ):
        joined = _joined_per_cell(uncovered, keys, source, reasons).rename(columns={source: column})
        table = table.merge(joined, on=keys, how="left")
    finished = _finish(table, "curriculum", keys, dataset)
    # cells by their published figure or the lower edge of their band (blank cells last,
    # by key), then totals; the order uses only what is shown, so it reveals nothing more
    totals = finished[IS_TOTAL].to_numpy(dtype=bool)
    published = ~finished[SUPPRESSED].to_numpy(dtype=bool) & ~totals
    band_low = np.nan_to_num(band_bounds(finished[BAND])[0], nan=0.0)
    ranked = finished.assign(
        _block=np.where(totals, 2, 0),
        _gap=np.where(published, -finished["gap_units"].astype("float64").fillna(0), -band_low),
        _weighted=-finished["weighted_gap_units"].astype("float64").fillna(0).where(published, 0),
    )
    ranked = ranked.sort_values(
        ["_block", "_gap", "_weighted", "skill", "required_level"],
        kind="stable",
        na_position="last",
    )
    return ranked.drop(columns=["_block", "_gap", "_weighted"]).reset_index(drop=True)


def expected_course_demand(
    dataset: Dataset,
    company: str | None = None,
    settings: Settings | None = None,
    *,
    filters: Filters | None = None,
) -> pd.DataFrame:
    """Participants per course and year if every coverable gap went to its cheapest course.

    Cheapest: lowest ``cost_per_participant + fixed_cost_per_run /
    max_participants``, ties by course id. Each gap row counts on its own (a
    person with two gaps counts twice). Totals per course (all years), per
    year and overall follow the cells. Disclosure-controlled unless
    ``company`` is given.
    """
    settings = _settings(settings)
    _check_company(dataset, company)
    filters = _own_filters(filters, company)
    keys = ["course_id", "needed_by"]
    gaps = _gap_rows(_detail(dataset, filters=filters, settings=settings))
    chosen = _cheapest(_coverage_pairs(gaps, dataset, filters))[["gap_id", "course_id"]]
    assigned = gaps.merge(chosen, on="gap_id", how="inner").rename(
        columns={"gap_units": "participants"}
    )
    table = _tabulate(assigned, keys, ["participants"], own=company is not None, settings=settings)
    courses = dataset.courses
    cells = ~table[IS_TOTAL].to_numpy(dtype=bool)
    seats = table["course_id"].map(courses["max_participants"]).astype("float64")
    runs = np.ceil(table["participants"].astype("float64") / seats)
    table["runs_needed"] = pd.Series(np.where(cells, runs, np.nan), index=table.index).astype(INT)
    cost = table["participants"].astype("float64") * table["course_id"].map(
        courses["cost_per_participant"]
    ).astype("float64") + runs * table["course_id"].map(courses["fixed_cost_per_run"]).astype(
        "float64"
    )
    table["training_cost"] = pd.array(np.where(cells, cost, np.nan), dtype=FLOAT)
    return _finish(table, "course_demand", keys, dataset)


def for_display(table: pd.DataFrame, *, keep_reason: bool = False) -> pd.DataFrame:
    """A view as a person reads it: suppressed values ``:c``, total keys ``Total``."""
    keys = [name for name in table.columns if name in KEY_COLUMNS]
    columns = [name for name in table.columns if name in MASKED_COLUMNS]
    withheld = [name for name in table.columns if name in WITHHELD_WHEN_MISSING]
    return display(table, columns, keys, keep_reason=keep_reason, confidential_when_missing=withheld)

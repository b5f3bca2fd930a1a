"""Extract the plan from a solved model as tidy tables, each validated with a small pandera schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from optimisation.model import Model
from optimisation.sets import GAP_KEY, Sets
from optimisation.variables import variable_values

#: Values below this are solver noise and read as zero.
ZERO = 1e-7


def _schema(name: str, columns: dict[str, pa.Column]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(columns, name=name, strict=True, ordered=True, coerce=False)


def _count(nullable: bool = False) -> pa.Column:
    return pa.Column("int64", pa.Check.ge(0), nullable=nullable)


def _amount() -> pa.Column:
    return pa.Column("float64", pa.Check.ge(-1e-6))


_TEXT = pa.Column(str, coerce=True)
_YEAR = pa.Column("int64", pa.Check.in_range(2000, 2100))
_LEVEL = pa.Column("int64", pa.Check.in_range(0, 4))

PARTICIPANTS_SCHEMA = _schema(
    "participants",
    {
        "year": _YEAR,
        "company_id": _TEXT,
        "course_id": _TEXT,
        "provider": _TEXT,
        "participants": _count(),
        "fee_per_participant": _amount(),
        "fees": _amount(),
    },
)
RUNS_SCHEMA = _schema(
    "runs",
    {
        "year": _YEAR,
        "course_id": _TEXT,
        "provider": _TEXT,
        "region": _TEXT,
        "mode": _TEXT,
        "runs": _count(),
        "participants": _count(),
        "seats": _count(),
        "companies": _count(),
        "fixed_cost": _amount(),
    },
)
HIRES_SCHEMA = _schema(
    "hires",
    {
        "year": _YEAR,
        "productive_year": _YEAR,
        "company_id": _TEXT,
        "skill": _TEXT,
        "region": _TEXT,
        "hires": _count(),
        "cost_per_hire": _amount(),
        "cost": _amount(),
    },
)
CLOSURES_SCHEMA = _schema(
    "closures",
    {
        **{
            key: (_LEVEL if key.endswith("level") else _YEAR if key == "deadline" else _TEXT)
            for key in GAP_KEY
        },
        "route": pa.Column(str, coerce=True, checks=pa.Check.isin(["course", "hire"])),
        "course_id": pa.Column(str, nullable=True, coerce=True),
        "year": _YEAR,
        "people": _amount(),
        "units": _amount(),
    },
)
GAPS_SCHEMA = _schema(
    "gaps",
    {
        **{
            key: (_LEVEL if key.endswith("level") else _YEAR if key == "deadline" else _TEXT)
            for key in GAP_KEY
        },
        "weight": _amount(),
        "headcount": _count(),
        "units": _amount(),
        "closed_units": _amount(),
        "unmet_units": _amount(),
    },
)
COSTS_SCHEMA = _schema(
    "costs",
    {
        "year": _YEAR,
        "payer": pa.Column(str, coerce=True, checks=pa.Check.isin(["public", "company"])),
        "item": pa.Column(
            str, coerce=True, checks=pa.Check.isin(["run_fixed_costs", "participant_fees", "hires"])
        ),
        "amount": _amount(),
    },
)
COMPANY_COSTS_SCHEMA = _schema(
    "company_costs",
    {
        "year": _YEAR,
        "company_id": _TEXT,
        "training_share": _amount(),
        "hires": _amount(),
        "total": _amount(),
    },
)


@dataclass
class Plan:
    """A plan as tidy tables (one row per decision), with the scenario's horizon.

    ``participants`` (year, company, course), ``runs`` (year, course),
    ``hires`` (decision year, company, skill), ``closures`` (which gap
    group each trained or hired person closes, in people and in units after
    attrition), ``gaps`` (every gap group with closed and unmet units),
    ``costs`` (year x payer x item) and ``company_costs`` (year x company:
    pro-rata training share and hires).
    """

    scenario_name: str
    years: list[int]
    subsidy_rate: float
    participants: pd.DataFrame
    runs: pd.DataFrame
    hires: pd.DataFrame
    closures: pd.DataFrame
    gaps: pd.DataFrame
    costs: pd.DataFrame
    company_costs: pd.DataFrame
    totals: dict[str, float] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "participants": self.participants,
            "runs": self.runs,
            "hires": self.hires,
            "closures": self.closures,
            "gaps": self.gaps,
            "costs": self.costs,
            "company_costs": self.company_costs,
        }


#: The dtype pandera's ``str`` columns coerce to (``str``, pyarrow-backed, NaN for missing, in pandas 3).
TEXT_DTYPE = pd.Series(["a"]).astype(str).dtype


def _clean(values: np.ndarray) -> np.ndarray:
    cleaned = np.where(np.abs(values) < ZERO, 0.0, values)
    return np.maximum(cleaned, 0.0)


def _text(values: pd.Series | np.ndarray, rows: np.ndarray | None = None) -> Any:
    """``values`` (at positions ``rows``) as the text dtype the schemas coerce to; missing stays missing."""
    if isinstance(values, pd.Series):
        if values.dtype == TEXT_DTYPE:
            return values.array if rows is None else values.array.take(rows)
        values = values.to_numpy(object)
    picked = values if rows is None else values[rows]
    return pd.array(picked, dtype=TEXT_DTYPE)  # type: ignore[arg-type]


def _as_text(values: np.ndarray) -> Any:
    """Each value as text (``str(value)``, as ``astype(str)`` makes it), missing values kept missing."""
    missing = pd.isna(values)
    text = values.astype(str).astype(object)
    text[missing] = None
    return _text(text)


def _conforms(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> bool:
    """True when ``frame`` already satisfies ``schema`` exactly as validated and coerced.

    The rules of the schemas above, in vectorised numpy: column names and
    order, dtypes (text columns already in the coerced dtype, so coercion
    would change nothing), missing values and the ``ge``/``in_range``/``isin``
    checks. Anything else the schema might say answers False, so that pandera
    decides (and raises its own error).
    """
    if not (schema.strict is True and schema.ordered and not schema.checks and schema.index is None):
        return False
    if schema.unique or schema.add_missing_columns or schema.drop_invalid_rows:
        return False
    if list(frame.columns) != list(schema.columns):
        return False
    for name, column in schema.columns.items():
        series = frame[name]
        if column.unique or column.regex or not column.required:
            return False
        text = str(column.dtype) in ("str", "string[pyarrow]", "string[python]", "string")
        if text:
            if series.dtype != TEXT_DTYPE or not column.coerce:
                return False
        elif column.coerce or str(column.dtype) != str(series.dtype):
            return False
        values = series.to_numpy()
        missing = pd.isna(values) if text else (np.isnan(values) if values.dtype.kind == "f" else None)
        if missing is not None and not column.nullable and missing.any():
            return False
        present = values if missing is None or not missing.any() else values[~missing]
        for check in column.checks:
            stats = check.statistics
            if check.name == "greater_than_or_equal_to" and not text:
                ok = bool(np.all(present >= stats["min_value"]))
            elif check.name == "in_range" and not text and stats.get("include_min", True) and stats.get("include_max", True):
                ok = bool(np.all((present >= stats["min_value"]) & (present <= stats["max_value"])))
            elif check.name == "isin":
                ok = bool(pd.Series(present, dtype=object).isin(list(stats["allowed_values"])).all())
            else:
                return False
            if not ok:
                return False
    return True


def _validated(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """``schema.validate(frame)``, skipping pandera's per-column machinery when :func:`_conforms` shows it would pass unchanged."""
    if _conforms(frame, schema):
        return frame
    return schema.validate(frame)


def extract_plan(model: Model) -> Plan:
    """Read the solved variables into a :class:`Plan`, one builder per table.

    Integer decisions are rounded to whole numbers; continuous values below
    1e-7 are read as zero. Every table is validated with its schema (a table
    that already conforms, as the builders make them, is checked by
    :func:`_conforms`; any other goes through pandera).
    """
    sets, scenario = model.sets, model.scenario
    subsidy = scenario.subsidy_rate
    x = np.round(variable_values(model, "participants")).astype(np.int64)
    participants = participant_table(sets, x)
    runs = run_table(sets, x, np.round(variable_values(model, "runs")).astype(np.int64))
    hires = hire_table(sets, np.round(variable_values(model, "hires")).astype(np.int64))
    closures = closure_table(
        sets,
        _clean(variable_values(model, "training")),
        _clean(variable_values(model, "hire_options")),
    )
    gaps = gap_table(sets, _clean(variable_values(model, "unmet")))
    plan = Plan(
        scenario_name=scenario.name,
        years=list(sets.years),
        subsidy_rate=subsidy,
        participants=_validated(participants, PARTICIPANTS_SCHEMA),
        runs=_validated(runs, RUNS_SCHEMA),
        hires=_validated(hires, HIRES_SCHEMA),
        closures=_validated(closures, CLOSURES_SCHEMA),
        gaps=_validated(gaps, GAPS_SCHEMA),
        costs=_validated(cost_table(list(sets.years), subsidy, participants, runs, hires), COSTS_SCHEMA),
        company_costs=_validated(
            company_cost_table(subsidy, participants, runs, hires), COMPANY_COSTS_SCHEMA
        ),
    )
    plan.totals = plan_totals(plan)
    return plan


def participant_table(sets: Sets, x: np.ndarray) -> pd.DataFrame:
    """Participants per (year, company, course) with fees, from participant values ``x``; only slots used."""
    slots = sets.participants
    used = np.flatnonzero(x > 0)
    people = x[used]
    fee = slots["cost_per_participant"].to_numpy(float)[used]
    return pd.DataFrame(
        {
            "year": slots["year"].to_numpy(np.int64)[used],
            "company_id": _text(slots["company_id"], used),
            "course_id": _text(slots["course_id"], used),
            "provider": _text(slots["provider"], used),
            "participants": people,
            "fee_per_participant": fee,
            "fees": people * fee,
        }
    )


def _group_positions(keys: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Position of each of ``targets`` among the sorted unique ``keys`` (-1 where absent)."""
    unique = np.unique(keys)
    found = np.searchsorted(unique, targets)
    found = np.minimum(found, max(len(unique) - 1, 0))
    hit = (unique[found] == targets) if len(unique) else np.zeros(len(targets), dtype=bool)
    return np.where(hit, found, -1)


def run_table(sets: Sets, x: np.ndarray, r: np.ndarray) -> pd.DataFrame:
    """Runs per (year, course) with participants, seats, companies and fixed cost, from ``x`` and run values ``r``."""
    run_slots = sets.runs
    slot_run = sets.participants["run"].to_numpy(np.int64)
    run_ids = run_slots["run"].to_numpy(np.int64)
    # per run id of the participant slots: participants and companies with any (absent: 0)
    unique, inverse = np.unique(slot_run, return_inverse=True)
    attending = np.bincount(inverse, weights=x, minlength=len(unique)).astype(np.int64)
    companies = np.bincount(inverse, weights=(x > 0), minlength=len(unique)).astype(np.int64)
    position = _group_positions(unique, run_ids)
    used = np.flatnonzero(r > 0)
    runs = r[used]
    mode = run_slots["mode"].to_numpy(object)[used]
    region = np.where(mode == "online", "online", run_slots["course_region"].to_numpy(object)[used])
    at = position[used]
    return pd.DataFrame(
        {
            "year": run_slots["year"].to_numpy(np.int64)[used],
            "course_id": _text(run_slots["course_id"], used),
            "provider": _text(run_slots["provider"], used),
            "region": _text(region.astype(object)),
            "mode": _text(run_slots["mode"], used),
            "runs": runs,
            "participants": np.where(at >= 0, attending[at], 0).astype(np.int64),
            "seats": (runs * run_slots["max_participants"].to_numpy(np.int64)[used]).astype(np.int64),
            "companies": np.where(at >= 0, companies[at], 0).astype(np.int64),
            "fixed_cost": runs * run_slots["fixed_cost_per_run"].to_numpy(float)[used],
        }
    )


def hire_table(sets: Sets, h: np.ndarray) -> pd.DataFrame:
    """Hires per (decision year, company, skill) with their cost, from hire values ``h``; only slots used."""
    hire_slots = sets.hires
    used = np.flatnonzero(h > 0)
    hired = h[used]
    price = hire_slots["cost_per_hire"].to_numpy(float)[used]
    return pd.DataFrame(
        {
            "year": hire_slots["year"].to_numpy(np.int64)[used],
            "productive_year": hire_slots["productive_year"].to_numpy(np.int64)[used],
            "company_id": _text(hire_slots["company_id"], used),
            "skill": _text(hire_slots["skill"], used),
            "region": _text(hire_slots["region"], used),
            "hires": hired,
            "cost_per_hire": price,
            "cost": hired * price,
        }
    )


def closure_table(sets: Sets, z: np.ndarray, v: np.ndarray) -> pd.DataFrame:
    """Which gap group each trained (``z``) or hired (``v``) person closes, in people and in units after attrition."""
    trained, hired = np.flatnonzero(z > 0), np.flatnonzero(v > 0)
    training, hiring = sets.training, sets.hire_options
    gap = np.concatenate(
        [training["gap"].to_numpy(np.int64)[trained], hiring["gap"].to_numpy(np.int64)[hired]]
    )
    gaps = sets.gaps
    people = np.concatenate([z[trained], v[hired]])
    retention = np.concatenate(
        [training["retention"].to_numpy(float)[trained], hiring["retention"].to_numpy(float)[hired]]
    )
    course_id = np.empty(len(gap), dtype=object)
    course_id[: len(trained)] = training["course_id"].to_numpy(object)[trained]
    course_id[len(trained) :] = None
    route = np.empty(len(gap), dtype=object)
    route[: len(trained)] = "course"
    route[len(trained) :] = "hire"
    columns: dict[str, Any] = {}
    for key in GAP_KEY:
        if key.endswith("level") or key == "deadline":
            columns[key] = gaps[key].to_numpy(np.int64)[gap]
        else:
            columns[key] = _as_text(gaps[key].to_numpy(object)[gap])
    columns["route"] = _text(route)
    columns["course_id"] = _text(course_id)
    columns["year"] = np.concatenate(
        [training["year"].to_numpy(np.int64)[trained], hiring["year"].to_numpy(np.int64)[hired]]
    )
    columns["people"] = people
    columns["units"] = people * retention
    return pd.DataFrame(columns)


def gap_table(sets: Sets, u: np.ndarray) -> pd.DataFrame:
    """Every gap group with its weight, headcount, units and closed and unmet units, from unmet values ``u``."""
    gaps = sets.gaps
    columns: dict[str, Any] = {}
    for key in GAP_KEY:
        if key.endswith("level") or key == "deadline":
            columns[key] = gaps[key].to_numpy(np.int64)
        else:
            columns[key] = _as_text(gaps[key].to_numpy(object))
    units = gaps["units"].to_numpy(float)
    unmet = np.minimum(u, units)
    columns["weight"] = gaps["weight"].to_numpy(float)
    columns["headcount"] = gaps["headcount"].to_numpy(np.int64)
    columns["units"] = units
    columns["closed_units"] = units - unmet
    columns["unmet_units"] = unmet
    return pd.DataFrame(columns)


def _sum_by(values: np.ndarray, keys: np.ndarray) -> pd.Series:
    """``values`` summed per key, as pandas' groupby sums them (compensated, in row order), keys sorted."""
    return pd.Series(values).groupby(keys).sum()


def cost_table(
    years: list[int],
    subsidy: float,
    participants: pd.DataFrame,
    runs: pd.DataFrame,
    hires: pd.DataFrame,
) -> pd.DataFrame:
    fixed = _sum_by(runs["fixed_cost"].to_numpy(float), runs["year"].to_numpy()).reindex(years, fill_value=0.0)
    fees = _sum_by(participants["fees"].to_numpy(float), participants["year"].to_numpy()).reindex(years, fill_value=0.0)
    hire_cost = _sum_by(hires["cost"].to_numpy(float), hires["year"].to_numpy()).reindex(years, fill_value=0.0)
    year_column: list[int] = []
    payer: list[str] = []
    item: list[str] = []
    amount: list[float] = []
    for year in years:
        for who, share in (("public", subsidy), ("company", 1.0 - subsidy)):
            year_column += [year, year]
            payer += [who, who]
            item += ["run_fixed_costs", "participant_fees"]
            amount += [share * float(fixed[year]), share * float(fees[year])]
        year_column.append(year)
        payer.append("company")
        item.append("hires")
        amount.append(float(hire_cost[year]))
    return pd.DataFrame(
        {
            "year": np.array(year_column, dtype=np.int64),
            "payer": _text(np.array(payer, dtype=object)),
            "item": _text(np.array(item, dtype=object)),
            "amount": np.array(amount, dtype=float),
        }
    )


def _codes(*columns: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """One int64 code per row for the tuple of ``columns`` (codes ordered like the sorted tuples), and each column's sorted uniques."""
    code = np.zeros(len(columns[0]), dtype=np.int64)
    uniques = []
    for column in columns:
        levels, inverse = np.unique(column, return_inverse=True)
        code = code * max(len(levels), 1) + inverse.reshape(-1)
        uniques.append(levels)
    return code, uniques


def company_training_share(
    subsidy: float, participants: pd.DataFrame, runs: pd.DataFrame
) -> pd.DataFrame:
    """Each company's share of training cost per year: its fees plus its pro-rata part of run fixed costs, times (1 - subsidy)."""
    course = participants["course_id"].to_numpy(object)
    year = participants["year"].to_numpy(np.int64)
    run_course = runs["course_id"].to_numpy(object)
    run_year = runs["year"].to_numpy(np.int64)
    every, _ = _codes(np.concatenate([run_course, course]), np.concatenate([run_year, year]))
    run_key, key = every[: len(runs)], every[len(runs) :]
    if len(np.unique(run_key)) != len(run_key):
        raise ValueError("cannot reindex on an axis with duplicate labels")
    order = np.argsort(run_key)
    found = np.searchsorted(run_key[order], key) if len(runs) else np.zeros(len(key), dtype=np.int64)
    found = np.minimum(found, max(len(runs) - 1, 0))
    hit = run_key[order][found] == key if len(runs) else np.zeros(len(key), dtype=bool)
    at = order[found]
    fixed = np.where(hit, runs["fixed_cost"].to_numpy(float)[at] if len(runs) else 0.0, np.nan)
    total = np.where(hit, runs["participants"].to_numpy(float)[at] if len(runs) else 0.0, np.nan)
    with np.errstate(invalid="ignore"):
        share_of_fixed = np.where(
            total > 0,
            fixed * participants["participants"].to_numpy() / np.maximum(total, 1),
            0.0,
        )
    training = (1.0 - subsidy) * (participants["fees"].to_numpy() + np.nan_to_num(share_of_fixed))
    company = participants["company_id"].to_numpy(object)
    code, (years, names) = _codes(year, company)
    sums = _sum_by(training, code)
    group = sums.index.to_numpy(np.int64)
    n_names = max(len(names), 1)
    return pd.DataFrame(
        {
            "year": years[group // n_names] if len(group) else np.array([], dtype=np.int64),
            "company_id": _text(names[group % n_names].astype(object) if len(group) else np.array([], dtype=object)),
            "training_share": sums.to_numpy(float),
        }
    )


def company_cost_table(
    subsidy: float,
    participants: pd.DataFrame,
    runs: pd.DataFrame,
    hires: pd.DataFrame,
) -> pd.DataFrame:
    training = company_training_share(subsidy, participants, runs)
    train_year = training["year"].to_numpy(np.int64)
    train_company = training["company_id"].to_numpy(object)
    hire_year = hires["year"].to_numpy(np.int64)
    hire_company = hires["company_id"].to_numpy(object)
    code, (years, names) = _codes(
        np.concatenate([train_year, hire_year]), np.concatenate([train_company, hire_company])
    )
    train_code, hire_code = code[: len(training)], code[len(training) :]
    hiring = _sum_by(hires["cost"].to_numpy(float), hire_code)
    keys = np.union1d(train_code, hiring.index.to_numpy(np.int64))  # sorted: by year, then company
    share = np.zeros(len(keys))
    share[np.searchsorted(keys, train_code)] = training["training_share"].to_numpy(float)
    hired = np.zeros(len(keys))
    hired[np.searchsorted(keys, hiring.index.to_numpy(np.int64))] = hiring.to_numpy(float)
    n_names = max(len(names), 1)
    return pd.DataFrame(
        {
            "year": years[keys // n_names].astype(np.int64) if len(keys) else np.array([], dtype=np.int64),
            "company_id": _text(names[keys % n_names].astype(object) if len(keys) else np.array([], dtype=object)),
            "training_share": share,
            "hires": hired,
            "total": share + hired,
        }
    )


def plan_totals(plan: Plan) -> dict[str, float]:
    """Headline figures of a plan: people, runs, hires, units closed and unmet, costs by payer."""
    gaps = plan.gaps
    costs = plan.costs
    weighted_units = float((gaps["weight"] * gaps["units"]).sum())
    weighted_closed = float((gaps["weight"] * gaps["closed_units"]).sum())
    return {
        "participants": float(plan.participants["participants"].sum()),
        "runs": float(plan.runs["runs"].sum()),
        "hires": float(plan.hires["hires"].sum()),
        "gap_units": float(gaps["units"].sum()),
        "closed_units": float(gaps["closed_units"].sum()),
        "unmet_units": float(gaps["unmet_units"].sum()),
        "weighted_gap_units": weighted_units,
        "weighted_closed_units": weighted_closed,
        "coverage": weighted_closed / weighted_units if weighted_units > 0 else 1.0,
        "total_cost": float(costs["amount"].sum()),
        "public_cost": float(costs.loc[costs["payer"] == "public", "amount"].sum()),
        "company_cost": float(costs.loc[costs["payer"] == "company", "amount"].sum()),
    }


def objective_of_plan(plan: Plan, gap_unit_value: float, objective: str = "max_coverage") -> float:
    """The plan's objective recomputed from its tables alone.

    ``max_coverage``: ``V * weighted closed units - total cost`` (the net
    value the model maximises); ``min_cost``: the total cost.
    """
    totals = plan.totals or plan_totals(plan)
    if objective == "min_cost":
        return float(totals["total_cost"])
    return float(gap_unit_value * totals["weighted_closed_units"] - totals["total_cost"])

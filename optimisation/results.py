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


def _clean(values: np.ndarray) -> np.ndarray:
    cleaned = np.where(np.abs(values) < ZERO, 0.0, values)
    return np.maximum(cleaned, 0.0)


def _as_object(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for column in columns:
        frame[column] = frame[column].astype(str).where(frame[column].notna(), None)
    return frame


def extract_plan(model: Model) -> Plan:
    """Read the solved variables into a :class:`Plan`, one builder per table.

    Integer decisions are rounded to whole numbers; continuous values below
    1e-7 are read as zero. Every table is validated with its schema.
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
        participants=PARTICIPANTS_SCHEMA.validate(participants),
        runs=RUNS_SCHEMA.validate(runs),
        hires=HIRES_SCHEMA.validate(hires),
        closures=CLOSURES_SCHEMA.validate(closures),
        gaps=GAPS_SCHEMA.validate(gaps),
        costs=COSTS_SCHEMA.validate(
            cost_table(list(sets.years), subsidy, participants, runs, hires)
        ),
        company_costs=COMPANY_COSTS_SCHEMA.validate(
            company_cost_table(subsidy, participants, runs, hires)
        ),
    )
    plan.totals = plan_totals(plan)
    return plan


def participant_table(sets: Sets, x: np.ndarray) -> pd.DataFrame:
    """Participants per (year, company, course) with fees, from participant values ``x``; only slots used."""
    slots = sets.participants
    table = pd.DataFrame(
        {
            "year": slots["year"].to_numpy(np.int64),
            "company_id": slots["company_id"].to_numpy(object),
            "course_id": slots["course_id"].to_numpy(object),
            "provider": slots["provider"].to_numpy(object),
            "participants": x,
            "fee_per_participant": slots["cost_per_participant"].to_numpy(float),
        }
    )
    table["fees"] = table["participants"] * table["fee_per_participant"]
    return table[table["participants"] > 0].reset_index(drop=True)


def run_table(sets: Sets, x: np.ndarray, r: np.ndarray) -> pd.DataFrame:
    """Runs per (year, course) with participants, seats, companies and fixed cost, from ``x`` and run values ``r``."""
    run_slots = sets.runs
    per_run = (
        sets.participants.assign(x=x)
        .groupby("run")
        .agg(participants=("x", "sum"), companies=("x", lambda s: int((s > 0).sum())))
    )
    table = pd.DataFrame(
        {
            "year": run_slots["year"].to_numpy(np.int64),
            "course_id": run_slots["course_id"].to_numpy(object),
            "provider": run_slots["provider"].to_numpy(object),
            "region": np.where(
                run_slots["mode"] == "online", "online", run_slots["course_region"]
            ).astype(object),
            "mode": run_slots["mode"].to_numpy(object),
            "runs": r,
            "participants": per_run["participants"]
            .reindex(run_slots["run"])
            .fillna(0)
            .to_numpy(np.int64),
            "seats": (r * run_slots["max_participants"].to_numpy(np.int64)).astype(np.int64),
            "companies": per_run["companies"]
            .reindex(run_slots["run"])
            .fillna(0)
            .to_numpy(np.int64),
            "fixed_cost": r * run_slots["fixed_cost_per_run"].to_numpy(float),
        }
    )
    return table[table["runs"] > 0].reset_index(drop=True)


def hire_table(sets: Sets, h: np.ndarray) -> pd.DataFrame:
    """Hires per (decision year, company, skill) with their cost, from hire values ``h``; only slots used."""
    hire_slots = sets.hires
    table = pd.DataFrame(
        {
            "year": hire_slots["year"].to_numpy(np.int64),
            "productive_year": hire_slots["productive_year"].to_numpy(np.int64),
            "company_id": hire_slots["company_id"].to_numpy(object),
            "skill": hire_slots["skill"].to_numpy(object),
            "region": hire_slots["region"].to_numpy(object),
            "hires": h,
            "cost_per_hire": hire_slots["cost_per_hire"].to_numpy(float),
        }
    )
    table["cost"] = table["hires"] * table["cost_per_hire"]
    return table[table["hires"] > 0].reset_index(drop=True)


def closure_table(sets: Sets, z: np.ndarray, v: np.ndarray) -> pd.DataFrame:
    """Which gap group each trained (``z``) or hired (``v``) person closes, in people and in units after attrition."""
    gap_key = sets.gaps[GAP_KEY]
    parts = []
    for route, options, people, course_id in (
        ("course", sets.training, z, sets.training["course_id"].to_numpy(object)),
        ("hire", sets.hire_options, v, None),
    ):
        used = people > 0
        chosen = options[used]
        part = gap_key.iloc[chosen["gap"].to_numpy()].reset_index(drop=True)
        parts.append(
            part.assign(
                route=route,
                course_id=None if course_id is None else course_id[used],
                year=chosen["year"].to_numpy(np.int64),
                people=people[used],
                units=people[used] * chosen["retention"].to_numpy(float),
            )
        )
    closures = pd.concat(parts, ignore_index=True)
    closures = _as_object(closures, ["company_id", "skill", "priority", "route", "course_id"])
    return closures.astype(
        {
            "current_level": np.int64,
            "required_level": np.int64,
            "deadline": np.int64,
            "year": np.int64,
        }
    )


def gap_table(sets: Sets, u: np.ndarray) -> pd.DataFrame:
    """Every gap group with its weight, headcount, units and closed and unmet units, from unmet values ``u``."""
    gaps = sets.gaps
    table = _as_object(gaps[GAP_KEY].copy(), ["company_id", "skill", "priority"])
    table = table.astype(
        {"current_level": np.int64, "required_level": np.int64, "deadline": np.int64}
    )
    table["weight"] = gaps["weight"].to_numpy(float)
    table["headcount"] = gaps["headcount"].to_numpy(np.int64)
    table["units"] = gaps["units"].to_numpy(float)
    table["unmet_units"] = np.minimum(u, table["units"].to_numpy())
    table["closed_units"] = table["units"] - table["unmet_units"]
    return table[[*GAP_KEY, "weight", "headcount", "units", "closed_units", "unmet_units"]]


def cost_table(
    years: list[int],
    subsidy: float,
    participants: pd.DataFrame,
    runs: pd.DataFrame,
    hires: pd.DataFrame,
) -> pd.DataFrame:
    fixed = runs.groupby("year")["fixed_cost"].sum().reindex(years, fill_value=0.0)
    fees = participants.groupby("year")["fees"].sum().reindex(years, fill_value=0.0)
    hire_cost = hires.groupby("year")["cost"].sum().reindex(years, fill_value=0.0)
    records: list[dict[str, Any]] = []
    for year in years:
        for payer, share in (("public", subsidy), ("company", 1.0 - subsidy)):
            records.append(
                {
                    "year": year,
                    "payer": payer,
                    "item": "run_fixed_costs",
                    "amount": share * float(fixed[year]),
                }
            )
            records.append(
                {
                    "year": year,
                    "payer": payer,
                    "item": "participant_fees",
                    "amount": share * float(fees[year]),
                }
            )
        records.append(
            {"year": year, "payer": "company", "item": "hires", "amount": float(hire_cost[year])}
        )
    frame = pd.DataFrame.from_records(records, columns=["year", "payer", "item", "amount"])
    frame["year"] = frame["year"].astype(np.int64)
    frame["amount"] = frame["amount"].astype(float)
    return _as_object(frame, ["payer", "item"])


def company_training_share(
    subsidy: float, participants: pd.DataFrame, runs: pd.DataFrame
) -> pd.DataFrame:
    """Each company's share of training cost per year: its fees plus its pro-rata part of run fixed costs, times (1 - subsidy)."""
    per_run = runs.set_index(["course_id", "year"])
    fixed = per_run["fixed_cost"].reindex(
        pd.MultiIndex.from_frame(participants[["course_id", "year"]])
    )
    total = per_run["participants"].reindex(
        pd.MultiIndex.from_frame(participants[["course_id", "year"]])
    )
    share_of_fixed = np.where(
        total.to_numpy() > 0,
        fixed.to_numpy()
        * participants["participants"].to_numpy()
        / np.maximum(total.to_numpy(), 1),
        0.0,
    )
    frame = participants[["year", "company_id"]].assign(
        training_share=(1.0 - subsidy)
        * (participants["fees"].to_numpy() + np.nan_to_num(share_of_fixed))
    )
    return frame.groupby(["year", "company_id"], as_index=False)[["training_share"]].sum()


def company_cost_table(
    subsidy: float,
    participants: pd.DataFrame,
    runs: pd.DataFrame,
    hires: pd.DataFrame,
) -> pd.DataFrame:
    training = company_training_share(subsidy, participants, runs)
    hiring = (
        hires.groupby(["year", "company_id"], as_index=False)[["cost"]]
        .sum()
        .rename(columns={"cost": "hires"})
    )
    frame = training.merge(hiring, on=["year", "company_id"], how="outer").fillna(
        {"training_share": 0.0, "hires": 0.0}
    )
    frame["total"] = frame["training_share"] + frame["hires"]
    frame = frame.sort_values(["year", "company_id"]).reset_index(drop=True)
    frame = frame.astype(
        {"year": np.int64, "training_share": float, "hires": float, "total": float}
    )
    return _as_object(
        frame[["year", "company_id", "training_share", "hires", "total"]], ["company_id"]
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

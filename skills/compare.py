"""Stored runs side by side: one KPI table computed from the stored plan tables, differences against a baseline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import pandas as pd

#: The KPIs of a run, in the order a comparison shows them, with what each counts.
KPIS: Final = {
    "weighted_closed_units": "gap units closed, weighted by priority",
    "closed_units": "gap units closed",
    "unmet_units": "gap units left unmet",
    "total_cost": "total cost",
    "public_cost": "public cost",
    "company_cost": "company cost",
    "cost_per_closed_unit": "total cost per closed gap unit",
    "companies_reached": "companies with staff on a course or a hire",
    "runs": "course runs opened",
    "participants": "participants",
    "hires": "hires",
    "training_hours": "training hours (participants × course hours)",
}
#: KPIs that are money (shown with the currency).
MONEY: Final = frozenset({"total_cost", "public_cost", "company_cost", "cost_per_closed_unit"})
#: The prefix of a KPI that counts closed units of one skill group.
GROUP_PREFIX: Final = "closed_units:"


def _sum(frame: pd.DataFrame, column: str) -> float:
    return float(pd.to_numeric(frame[column], errors="coerce").sum()) if column in frame.columns and len(frame) else 0.0


def run_kpis(
    tables: Mapping[str, pd.DataFrame], *, skill_groups: Mapping[str, str], course_hours: Mapping[str, float]
) -> dict[str, float]:
    """The KPIs of one run from its stored tables (``gaps``, ``costs``, ``participants``, ``runs``, ``hires``).

    ``skill_groups`` maps skill id to the group's name (closed units by group are
    ``closed_units:<group name>``), ``course_hours`` course id to its hours.

    >>> gaps = pd.DataFrame({"skill": ["a", "b"], "weight": [3.0, 1.0], "closed_units": [2.0, 1.0], "unmet_units": [0.0, 4.0]})
    >>> costs = pd.DataFrame({"payer": ["public", "company"], "amount": [800.0, 200.0]})
    >>> kpis = run_kpis({"gaps": gaps, "costs": costs}, skill_groups={"a": "Automation", "b": "Digital"}, course_hours={})
    >>> kpis["weighted_closed_units"], kpis["cost_per_closed_unit"], kpis["closed_units:Digital"]
    (7.0, 333.3333333333333, 1.0)
    """
    empty = pd.DataFrame()
    gaps = tables.get("gaps", empty)
    costs = tables.get("costs", empty)
    participants = tables.get("participants", empty)
    hires = tables.get("hires", empty)
    closed = _sum(gaps, "closed_units")
    weighted = (
        float((pd.to_numeric(gaps["weight"]) * pd.to_numeric(gaps["closed_units"])).sum()) if len(gaps) else 0.0
    )
    by_payer = costs.groupby("payer")["amount"].sum() if len(costs) else pd.Series(dtype=float)
    public, company = float(by_payer.get("public", 0.0)), float(by_payer.get("company", 0.0))
    reached: set[str] = set()
    if len(participants):
        reached |= set(participants.loc[pd.to_numeric(participants["participants"]) > 0, "company_id"].astype(str))
    if len(hires):
        reached |= set(hires.loc[pd.to_numeric(hires["hires"]) > 0, "company_id"].astype(str))
    hours = (
        float((pd.to_numeric(participants["participants"]) * participants["course_id"].astype(str).map(course_hours).fillna(0.0)).sum())
        if len(participants)
        else 0.0
    )
    kpis = {
        "weighted_closed_units": weighted,
        "closed_units": closed,
        "unmet_units": _sum(gaps, "unmet_units"),
        "total_cost": public + company,
        "public_cost": public,
        "company_cost": company,
        "cost_per_closed_unit": (public + company) / closed if closed > 0 else float("nan"),
        "companies_reached": float(len(reached)),
        "runs": _sum(tables.get("runs", empty), "runs"),
        "participants": _sum(participants, "participants"),
        "hires": _sum(hires, "hires"),
        "training_hours": hours,
    }
    if len(gaps):
        groups = gaps["skill"].astype(str).map(skill_groups).fillna("other")
        by_group = pd.to_numeric(gaps["closed_units"]).groupby(groups).sum()
        kpis.update({f"{GROUP_PREFIX}{group}": float(value) for group, value in by_group.items()})
    return kpis


def against_baseline(kpis: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """A long table: each KPI of each run beside the baseline's, with the difference in units and per cent.

    ``kpis`` has one row per run (index: the run's label) and one column per KPI.
    The per-cent difference is missing where the baseline's value is 0.
    """
    base = {str(kpi): float(value) for kpi, value in kpis.loc[baseline].to_dict().items()}
    rows = []
    for label, values in kpis.iterrows():
        for kpi, value in values.items():
            found = base.get(str(kpi), float("nan"))
            before = 0.0 if found != found else found
            after = float(value)
            difference = after - before
            rows.append(
                {
                    "run": label,
                    "kpi": kpi,
                    "value": after,
                    "baseline": before,
                    "difference": difference,
                    "difference_pct": 100 * difference / before if before else float("nan"),
                }
            )
    return pd.DataFrame(rows)


def differing_settings(settings: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """The settings that differ between runs: one row per setting, one column per run label.

    Nested settings are flattened to dotted keys (``demand_growth.digital_data``).
    """
    flat = {label: _flatten(values) for label, values in settings.items()}
    keys = sorted({key for values in flat.values() for key in values} - {"name", "description", "fragments"})
    differing = [key for key in keys if len({repr(values.get(key)) for values in flat.values()}) > 1]
    return pd.DataFrame(
        {"setting": differing, **{label: [_text(values.get(key)) for key in differing] for label, values in flat.items()}}
    )


def _flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Mapping) and value and key != "budget_per_year":
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {_text(item)}" for key, item in value.items())
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(map(str, value))
    return str(value)

"""What of a plan each role sees: a company its own rows, a provider its runs, others protected aggregates without companies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from skills.access import Principal, Role
from skills.disclosure import (
    BAND,
    CONTRIBUTORS,
    IS_TOTAL,
    SUPPRESSED,
    Rules,
    aggregate,
    band_bounds,
    protect,
    publishable,
    to_band,
)
from skills.errors import AccessError
from skills.gaps import size_band

#: Plan tables without company rows: region-wide figures every role that sees plans may read.
REGIONAL_TABLES: Final = frozenset({"summary", "budget", "figures", "costs"})
#: What a pooled row says about the companies behind it.
POOLED_BY: Final = ("company_sector", "company_region", "size_band")
#: The words of each pooling key in a stacked table's ``pooled_by`` column.
POOL_NAMES: Final = {
    "company_sector": "sector", "company_region": "region", "size_band": "size band", "skill": "skill", "unmet_reason": "reason",
}
#: Plan tables a policymaker reads as protected aggregates (the rest of a plan names companies).
PROTECTED_TABLES: Final = frozenset({"participants", "hires", "gaps", "unmet"})
#: Text used for a missing key of a contribution (a company without a stated sector, say).
UNKNOWN: Final = "unknown"


@dataclass(frozen=True)
class PlanView:
    """One protected plan table: what it is called, the plan table it sums, its keys and its figures (main figure first)."""

    name: str
    table: str
    keys: tuple[str, ...]
    values: tuple[str, ...]


_PARTICIPANT_FIGURES: Final = ("participants", "fees")
_HIRE_FIGURES: Final = ("hires", "cost")
#: Every protected view of a plan a policymaker sees besides the runs (the attacker's suite publishes them all).
PLAN_VIEWS: Final = (
    *(PlanView(f"plan participants --by {POOL_NAMES[key]}", "participants", (key,), _PARTICIPANT_FIGURES) for key in POOLED_BY),
    *(PlanView(f"plan hires --by {POOL_NAMES[key]}", "hires", (key,), _HIRE_FIGURES) for key in (*POOLED_BY, "skill")),
    PlanView("plan gaps --by group", "gaps", ("group",), ("units", "closed_units", "unmet_units")),
    PlanView("plan unmet --by reason", "unmet", ("unmet_reason",), ("unmet_units",)),
)
#: The views behind each table a page shows: stacked one above the other, pooled by their key.
STACKED: Final = {
    "participants": tuple(view for view in PLAN_VIEWS if view.table == "participants"),
    "hires": tuple(view for view in PLAN_VIEWS if view.table == "hires"),
    "gaps": tuple(view for view in PLAN_VIEWS if view.table == "gaps"),
    "unmet": tuple(view for view in PLAN_VIEWS if view.table == "unmet"),
}
#: The figures the runs table carries, one run row being one course in one year (published only there, without margins).
RUNS_VIEW: Final = PlanView("plan runs", "participants", ("course_id", "year"), _PARTICIPANT_FIGURES)


def _company_attributes(companies: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "company_id": companies["company_id"].astype("string"),
            "company_sector": companies["sector"].astype("string").fillna(UNKNOWN),
            "company_region": companies["region"].astype("string").fillna(UNKNOWN),
            "size_band": size_band(companies["employees"]).astype("string").fillna(UNKNOWN),
        }
    )


#: How the plan's explanations name an unmet gap (optimisation.explain): company / skill (current->required, by deadline).
_SUBJECT: Final = r"^(?P<company_id>.+?) / (?P<skill>\S+) \((?P<current_level>\d+)->(?P<required_level>\d+), by (?P<deadline>\d+)\)$"
_GAP_KEY: Final = ["company_id", "skill", "current_level", "required_level", "deadline"]


def _unmet_with_reasons(plan: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The plan's gap rows with unmet units, each with the reason its explanation gives (``unmet_reason``)."""
    gaps = plan.get("gaps", pd.DataFrame(columns=[*_GAP_KEY, "unmet_units"]))
    explanations = plan.get("explanations", pd.DataFrame(columns=["kind", "subject", "reason"]))
    unmet = explanations[explanations["kind"].astype("string") == "unmet"]
    parsed = unmet["subject"].astype("string").str.extract(_SUBJECT)
    reasons = parsed.assign(unmet_reason=unmet["reason"].astype("string").to_numpy()).dropna()
    for key in _GAP_KEY[2:]:
        reasons[key] = reasons[key].astype("int64")
    rows = gaps[gaps["unmet_units"].astype("float64") > 0].astype({key: "int64" for key in _GAP_KEY[2:]})
    rows = rows.astype({"company_id": "string", "skill": "string"})
    reasons = reasons.astype({"company_id": "string", "skill": "string"})
    return rows.merge(reasons.drop_duplicates(_GAP_KEY), on=_GAP_KEY, how="inner")[[*_GAP_KEY, "unmet_reason", "unmet_units"]]


def plan_contributions(
    table: str, plan: Mapping[str, pd.DataFrame], companies: pd.DataFrame, groups: Mapping[str, str]
) -> pd.DataFrame:
    """One row per company's part of a plan table, with the company's sector, region and size band.

    Parameters
    ----------
    table
        ``participants``, ``hires``, ``gaps`` (closed and unmet units with the skill's group)
        or ``unmet`` (the gap rows' unmet units with the reason the plan's explanations give, ``unmet_reason``).
    plan
        The plan's tables (:func:`skills.service.plan_tables`, or one scenario's stored tables).
    companies
        The region's companies (``company_id``, ``sector``, ``region``, ``employees``).
    groups
        Skill group name of each skill id.

    Returns
    -------
    pandas.DataFrame
        ``company_id``, the company's attributes, the table's keys and its non-negative figures.
    """
    if table == "unmet":
        frame = _unmet_with_reasons(plan)
    else:
        frame = plan.get(table, pd.DataFrame()).copy()
    if frame.empty:
        frame = pd.DataFrame(columns=["company_id"])
    frame["company_id"] = frame["company_id"].astype("string")
    rows = frame.merge(_company_attributes(companies), on="company_id", how="left")
    for key in POOLED_BY:
        rows[key] = rows[key].astype("string").fillna(UNKNOWN)
    if table == "gaps":
        rows["group"] = rows["skill"].astype("string").map(dict(groups)).astype("string").fillna("other")
    for key in ("course_id", "skill", "provider", "unmet_reason"):
        if key in rows.columns:
            rows[key] = rows[key].astype("string").fillna(UNKNOWN)
    if "year" in rows.columns:
        rows["year"] = rows["year"].astype("Int64")
    for figure in {value for view in PLAN_VIEWS if view.table == table for value in view.values}:
        if figure not in rows.columns:
            rows[figure] = pd.Series(dtype="float64")
        if figure in ("participants", "hires"):
            rows[figure] = pd.to_numeric(rows[figure]).fillna(0).astype("int64")
        else:
            rows[figure] = np.maximum(pd.to_numeric(rows[figure]).astype("float64").fillna(0.0), 0.0)
    return rows.reset_index(drop=True)


def protected_view(view: PlanView, contributions: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """One plan view protected as gap tables are (:func:`skills.disclosure.protect`), ready to publish.

    The grand total carries the plan's exact figure, as its headline figures do (they are the
    same cell, so one page shows one figure), once it comes from enough companies; so does a
    cell that holds the whole total (the region's only sector, say).

    Returns
    -------
    pandas.DataFrame
        The keys, the figures (missing where withheld), ``companies``, ``is_total``,
        ``suppressed``, ``reason`` and ``band``.
    """
    keys, values = list(view.keys), list(view.values)
    if contributions.empty:
        empty = pd.DataFrame({name: pd.Series(dtype="string") for name in keys})
        for name in (*values, "companies"):
            empty[name] = pd.Series(dtype="Float64")
        return empty.assign(**{IS_TOTAL: pd.Series(dtype=bool), SUPPRESSED: pd.Series(dtype=bool), BAND: pd.Series(dtype="string")})
    table = protect(contributions, keys, values, rules)
    true = aggregate(contributions, keys, values, top_n=rules.dominance_n)
    grand = table[keys].isna().all(axis=1).to_numpy(dtype=bool)
    count = true[CONTRIBUTORS].to_numpy(dtype="float64")
    total_count = float(count[grand][0]) if grand.any() else 0.0
    for value in values:
        if total_count < rules.min_contributors:
            continue
        amounts = true[value].to_numpy(dtype="float64")
        exact = float(amounts[grand][0])
        # the total, and any cell holding all of it (one sector only, say): the same cell, so the same exact figure
        same = np.isclose(amounts, exact) & (count == total_count)
        integer = pd.api.types.is_integer_dtype(table[value].dtype)
        column = table[value].astype("Float64")
        column[same] = round(exact) if integer else exact
        table[value] = column.astype(table[value].dtype) if integer else column
    shown = publishable(table, values).rename(columns={CONTRIBUTORS: "companies"}).reset_index(drop=True)
    if BAND not in shown.columns:  # suppression shows no band
        shown[BAND] = pd.Series(pd.NA, index=shown.index, dtype="string")
    return shown


def stacked(
    views: tuple[PlanView, ...], plan: Mapping[str, pd.DataFrame], companies: pd.DataFrame, groups: Mapping[str, str], rules: Rules
) -> pd.DataFrame:
    """Protected views of one plan table one above the other: ``pooled_by``, ``group``, figures, ``companies``, ``band``.

    Each view's total is the same cell; it is shown once, last.
    """
    parts: list[pd.DataFrame] = []
    total: pd.DataFrame | None = None
    for view in views:
        key = view.keys[0]
        table = protected_view(view, plan_contributions(view.table, plan, companies, groups), rules)
        table = table.rename(columns={key: "group"}).assign(pooled_by=POOL_NAMES.get(key, key))
        table["group"] = table["group"].astype("string")
        cells = table[~table[IS_TOTAL].to_numpy(dtype=bool)]
        parts.append(cells)
        if total is None:
            total = table[table[IS_TOTAL].to_numpy(dtype=bool)].assign(pooled_by="all", group="Total")
    if total is not None:
        parts.append(total)
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    figures = list(dict.fromkeys(value for view in views for value in view.values))
    columns = ["pooled_by", "group", *figures, "companies", BAND]
    return frame[[column for column in columns if column in frame.columns]].reset_index(drop=True)


def protected_runs(
    runs: pd.DataFrame, plan: Mapping[str, pd.DataFrame], companies: pd.DataFrame, rules: Rules
) -> pd.DataFrame:
    """The runs table with participants as :data:`RUNS_VIEW` publishes them (withheld, with a band, for too few companies).

    Runs, seats and fixed costs are the plan's decisions about courses, not a company's figures; a
    perturbed figure (or band) above the run's seats is shown at the seats (the band of the seats).
    """
    view = protected_view(RUNS_VIEW, plan_contributions("participants", plan, companies, {}), rules)
    cells = view[view["course_id"].notna() & view["year"].notna()]
    figures = cells.assign(course_id=cells["course_id"].astype("string"), year=cells["year"].astype("Int64"))
    figures = figures[["course_id", "year", "participants", "companies", BAND]]
    shown = runs.drop(columns=["participants", "companies"], errors="ignore").copy()
    shown["course_id"] = shown["course_id"].astype("string")
    year_dtype = shown["year"].dtype
    shown["year"] = shown["year"].astype("Int64")
    shown = shown.merge(figures, on=["course_id", "year"], how="left")
    shown["year"] = shown["year"].astype(year_dtype) if not shown["year"].isna().any() else shown["year"]
    if {"runs", "seats"} <= set(shown.columns):
        # no run holds more than its seats: a perturbed figure above them is shown at them (public facts only)
        seats = (shown["runs"].astype("float64") * shown["seats"].astype("float64")).round().astype("Int64")
        shown["participants"] = shown["participants"].astype("Int64").clip(upper=seats)
        # likewise a band above the seats: the band of the seats (else a band's low edge pins a full run)
        low, _high = band_bounds(shown[BAND].astype("string"))
        above = ~np.isnan(low) & (low > seats.astype("Float64").to_numpy(dtype="float64", na_value=np.inf))
        shown.loc[above, BAND] = to_band(seats.astype("Float64"))[above]
    order = [column for column in runs.columns if column in shown.columns]
    return shown[[*order, *[column for column in shown.columns if column not in order]]].reset_index(drop=True)


def plan_table(
    name: str,
    frame: pd.DataFrame,
    principal: Principal,
    *,
    companies: pd.DataFrame,
    plan: Mapping[str, pd.DataFrame] | None = None,
    groups: Mapping[str, str] | None = None,
    rules: Rules | None = None,
) -> pd.DataFrame:
    """The rows of one plan table that ``principal`` may see.

    - analysts and admins: every row;
    - a company: its own rows, the runs its staff attend, and the region-wide figures;
    - a provider: the runs of its own courses, and the region-wide figures;
    - a policymaker: participants, hires, gaps and unmet units as protected aggregates
      (:data:`STACKED`), and the runs.

    Participants in runs shown to anyone but analysts and admins are protected (:func:`protected_runs`).

    Parameters
    ----------
    name, frame
        The plan table and its rows.
    principal
        Who asks.
    companies
        The region's companies (for the pooling keys).
    plan
        Every table of the same plan (``participants`` and ``explanations`` are read).
    groups
        Skill group of each skill id.
    rules
        The disclosure rules in force.

    Raises
    ------
    AccessError
        For a table the role may not see (a company's rows, explanations that name companies).
    """
    if principal.sees_everything or name in REGIONAL_TABLES:
        return frame
    plan = {name: frame, **(plan or {})}
    rules = rules or Rules()
    if name == "runs":
        if principal.role is Role.COMPANY:
            participants = plan.get("participants", pd.DataFrame(columns=["company_id", "year", "course_id"]))
            own = participants[participants["company_id"].astype("string") == principal.company_id]
            frame = frame.merge(own[["year", "course_id"]].drop_duplicates(), on=["year", "course_id"])
        elif principal.role is Role.PROVIDER:
            frame = frame[frame["provider"].astype("string") == principal.provider]
        return protected_runs(frame, plan, companies, rules)
    if principal.role is Role.COMPANY and "company_id" in frame.columns:
        return frame[frame["company_id"].astype("string") == principal.company_id].reset_index(drop=True)
    if principal.role is Role.POLICYMAKER and name in PROTECTED_TABLES:
        return stacked(STACKED[name], plan, companies, dict(groups or {}), rules)
    if principal.role is Role.POLICYMAKER and "company_id" in frame.columns:
        msg = (
            f"a company's plan rows ({name}) are not open to the policymaker role: the plan's participants, hires, "
            "gaps and unmet units are shown pooled by sector, region and size band, under disclosure control"
        )
        raise AccessError(msg)
    msg = f"the plan table {name!r} is not open to the {principal.role} role"
    raise AccessError(msg)

"""The attacker's suite: publish every view a non-company role sees (gaps and plans), then recover companies' values by differencing and linear programming."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Final

import highspy
import numpy as np
import pandas as pd

from skills.dataset import Dataset
from skills.disclosure import BAND, Rules, band_bounds
from skills.errors import InputError
from skills.gaps import (
    DIMENSIONS,
    coverage,
    curriculum_gaps,
    expected_course_demand,
    gap_rows_for_audit,
    gap_view,
)
from skills.settings import Settings
from skills.visibility import (
    PLAN_VIEWS,
    RUNS_VIEW,
    PlanView,
    plan_contributions,
    protected_runs,
    protected_view,
)

#: Dimensions a non-company role may group by (the company dimension is a company's own view).
PUBLIC_DIMENSIONS: Final = tuple(name for name in DIMENSIONS if name not in ("company", "course"))
#: Protection interval: a company is exposed when the attacker's interval for a cell it
#: dominates (or is one of fewer than the rule's companies of) is narrower than
#: ± max(PROTECTION_UNITS, PROTECTION_SHARE × the company's value).
PROTECTION_SHARE: Final = 0.10
PROTECTION_UNITS: Final = 1.0
#: The coefficient of each gap row in each additive quantity a view publishes.
QUANTITIES: Final = ("units", "weighted", "level", "covered", "uncovered", "uncovered_weighted")
#: Which quantity each published column of each kind of view sums, and over which gap rows.
COLUMNS: Final[dict[str, dict[str, str]]] = {
    "gaps": {"gap_units": "units", "weighted_gap_units": "weighted", "level_gap_units": "level"},
    "coverage": {"gap_units": "units", "covered_units": "covered", "uncovered_units": "uncovered"},
    "curriculum": {"gap_units": "uncovered", "weighted_gap_units": "uncovered_weighted"},
    "course_demand": {"participants": "covered"},
    "plan_participants": {"participants": "plan_participants", "fees": "plan_fees"},
    "plan_hires": {"hires": "plan_hires", "cost": "plan_hire_cost"},
    "plan_gaps": {"units": "plan_units", "closed_units": "plan_closed", "unmet_units": "plan_unmet"},
    "plan_unmet": {"unmet_units": "plan_unmet"},
    "plan_runs": {"participants": "plan_participants"},
    "plan_totals": {
        "participants": "plan_participants",
        "hires": "plan_hires",
        "closed_units": "plan_closed",
        "unmet_units": "plan_unmet",
    },
}
#: The plan's unknowns, one per company's row of a plan table: participants (course, year),
#: hires (skill, year), and each plan gap row's closed and unmet units (two unknowns; the
#: plan's gap units are their sum). What each plan quantity sums over them.
PLAN_FAMILIES: Final = ("participants", "hires", "closed", "unmet")
_PLAN_QUANTITIES: Final[dict[str, dict[str, str]]] = {
    "plan_participants": {"participants": "one"},
    "plan_fees": {"participants": "fee"},
    "plan_hires": {"hires": "one"},
    "plan_hire_cost": {"hires": "fee"},
    "plan_units": {"closed": "one", "unmet": "one"},
    "plan_closed": {"closed": "one"},
    "plan_unmet": {"unmet": "one"},
}
#: The column whose band stands in for a cell's values when the cell has too few companies.
MAIN_COLUMN: Final = {
    "gaps": "gap_units",
    "coverage": "gap_units",
    "curriculum": "gap_units",
    "course_demand": "participants",
    "plan_participants": "participants",
    "plan_hires": "hires",
    "plan_gaps": "units",
    "plan_unmet": "unmet_units",
    "plan_runs": "participants",
    "plan_totals": "participants",
}
_TOLERANCE: Final = 1e-6


@dataclass(frozen=True)
class View:
    """One published table: its name, kind, key columns and the call that builds it."""

    name: str
    kind: str
    keys: tuple[str, ...]
    build: Callable[[], pd.DataFrame]


def public_views(
    dataset: Dataset, settings: Settings, *, dimensions: Sequence[str] = PUBLIC_DIMENSIONS
) -> list[View]:
    """Every view a provider or a policymaker sees: gaps and coverage by every dimension and pair, curriculum gaps, course demand.

    Parameters
    ----------
    dataset
        The region.
    settings
        The disclosure settings in force.
    dimensions
        The dimensions (CLI names) the service offers to group by.

    Returns
    -------
    list[View]
        Charts draw from these same tables (top gaps and coverage by skill,
        group × sector, curriculum gaps), so their data is covered too.
    """
    views: list[View] = []
    groupings: list[tuple[str, ...]] = [(name,) for name in dimensions]
    groupings += list(combinations(dimensions, 2))
    functions: dict[str, Callable[..., pd.DataFrame]] = {"gaps": gap_view, "coverage": coverage}
    for kind, function in functions.items():
        for grouping in groupings:
            keys = tuple(DIMENSIONS[name] for name in grouping)
            by: str | tuple[str, ...] = grouping[0] if len(grouping) == 1 else grouping

            def build(
                function: Callable[..., pd.DataFrame] = function, by: str | tuple[str, ...] = by
            ) -> pd.DataFrame:
                return function(dataset, by, settings=settings)

            views.append(View(f"{kind} --by {','.join(grouping)}", kind, keys, build))
    views.append(
        View(
            "curriculum",
            "curriculum",
            ("skill", "required_level"),
            lambda: curriculum_gaps(dataset, settings=settings),
        )
    )
    views.append(
        View(
            "course demand",
            "course_demand",
            ("course_id", "needed_by"),
            lambda: expected_course_demand(dataset, settings=settings),
        )
    )
    return views


def provider_views(views: Sequence[View]) -> list[View]:
    """The views a provider sees: curriculum gaps and expected course demand."""
    return [view for view in views if view.kind in ("curriculum", "course_demand")]


def skill_groups(dataset: Dataset) -> dict[str, str]:
    """The group of each skill id (the key of plan gaps by group)."""
    skills = dataset.flat("skills")
    return dict(zip(skills["skill_id"].astype(str), skills["group"].astype(str), strict=True))


def plan_views(
    dataset: Dataset,
    settings: Settings,
    plan: Mapping[str, pd.DataFrame],
    *,
    role: str = "policymaker",
    provider: str | None = None,
) -> list[View]:
    """Every plan view ``role`` sees of one plan, as the service publishes it.

    Parameters
    ----------
    dataset, settings
        The region and the disclosure settings in force.
    plan
        The plan's tables (participants, runs, hires, gaps, explanations).
    role
        ``policymaker``: the protected views of :data:`skills.visibility.PLAN_VIEWS` (whose
        totals are the exact headline figures) and every run; ``provider``: the runs of
        ``provider``'s courses and the region's exact headline figures.
    provider
        The provider, for ``role="provider"``.

    Returns
    -------
    list[View]
        Kinds ``plan_*``; attack them with ``audit(..., plan=plan)``.
    """
    rules = Rules.from_settings(settings)
    companies = dataset.flat("companies")
    groups = skill_groups(dataset)
    runs = plan.get("runs", pd.DataFrame(columns=["year", "course_id", "provider", "runs", "seats"]))
    if role == "provider":
        runs = runs[runs["provider"].astype("string") == provider]
    views: list[View] = []
    if role == "policymaker":
        for each in PLAN_VIEWS:

            def build(each: PlanView = each) -> pd.DataFrame:
                return protected_view(each, plan_contributions(each.table, plan, companies, groups), rules)

            views.append(View(each.name, f"plan_{each.table}", each.keys, build))
    views.append(
        View(
            RUNS_VIEW.name if role == "policymaker" else f"plan runs of {provider}",
            "plan_runs",
            RUNS_VIEW.keys,
            lambda: protected_runs(runs, plan, companies, rules).assign(is_total=False),
        )
    )
    if role == "provider":
        views.append(View("plan totals", "plan_totals", (), lambda: plan_totals(plan)))
    return views


def plan_totals(plan: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The region's exact headline figures of a plan (participants, hires, closed and unmet units), as one total row."""

    def total(table: str, column: str) -> float:
        frame = plan.get(table, pd.DataFrame())
        return float(frame[column].sum()) if column in frame.columns else 0.0

    return pd.DataFrame(
        {
            "participants": [total("participants", "participants")],
            "hires": [total("hires", "hires")],
            "closed_units": [total("gaps", "closed_units")],
            "unmet_units": [total("gaps", "unmet_units")],
            "is_total": [True],
        }
    )


def role_views(
    dataset: Dataset,
    settings: Settings,
    role: str,
    plan: Mapping[str, pd.DataFrame] | None = None,
    *,
    provider: str | None = None,
    dimensions: Sequence[str] = PUBLIC_DIMENSIONS,
) -> list[View]:
    """Every view ``role`` (``policymaker`` or ``provider``) is published: gap views, and with ``plan`` its plan views."""
    if role not in ("policymaker", "provider"):
        msg = f"the attacker's suite publishes the views of a policymaker or a provider, not of {role!r}"
        raise InputError(msg)
    views = public_views(dataset, settings, dimensions=dimensions)
    if role == "provider":
        views = provider_views(views)
    if plan is not None:
        views += plan_views(dataset, settings, plan, role=role, provider=provider)
    return views


def _plan_atoms(dataset: Dataset, plan: Mapping[str, pd.DataFrame], first: int) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The plan's unknowns (rows numbered from ``first``) with their keys, and each plan quantity's coefficients on them."""
    companies = dataset.flat("companies")
    groups = skill_groups(dataset)
    participants = plan_contributions("participants", plan, companies, groups)
    hires = plan_contributions("hires", plan, companies, groups)
    gaps = plan_contributions("gaps", plan, companies, groups)
    unmet = plan_contributions("unmet", plan, companies, groups)
    reasons = unmet.set_index(["company_id", "skill", "current_level", "required_level", "deadline"])["unmet_reason"]
    gap_key = ["company_id", "skill", "current_level", "required_level", "deadline"]
    unmet_reason = (
        gaps[gap_key].merge(reasons.reset_index().drop_duplicates(gap_key), on=gap_key, how="left")["unmet_reason"]
        if len(gaps) and len(reasons)
        else pd.Series(pd.NA, index=gaps.index, dtype="string")
    )
    parts = [
        participants.assign(family="participants", gap_units=participants["participants"].astype("float64"),
                            fee=_per_unit(participants["fees"], participants["participants"])),
        hires.assign(family="hires", gap_units=hires["hires"].astype("float64"), fee=_per_unit(hires["cost"], hires["hires"])),
        gaps.assign(family="closed", gap_units=gaps["closed_units"].astype("float64"), fee=0.0),
        gaps.assign(family="unmet", gap_units=gaps["unmet_units"].astype("float64"), fee=0.0,
                    unmet_reason=unmet_reason.astype("string").to_numpy()),
    ]
    atoms = pd.concat([part for part in parts if len(part)], ignore_index=True) if any(len(part) for part in parts) else pd.DataFrame(
        columns=["family", "company_id", "gap_units", "fee"]
    )
    atoms["row"] = np.arange(first, first + len(atoms))
    family = atoms["family"].to_numpy(dtype=object)
    fee = atoms["fee"].to_numpy(dtype="float64")
    coefficients: dict[str, np.ndarray] = {}
    for quantity, families in _PLAN_QUANTITIES.items():
        coefficient = np.zeros(len(atoms))
        for name, how in families.items():
            chosen = family == name
            coefficient[chosen] = 1.0 if how == "one" else fee[chosen]
        coefficients[quantity] = coefficient
    return atoms, coefficients


def _per_unit(amount: pd.Series, count: pd.Series) -> np.ndarray:
    """Amount per unit (a course's fee per participant, a hire's cost), 0 where there is none."""
    counts = count.to_numpy(dtype="float64")
    per_unit: np.ndarray = np.divide(amount.to_numpy(dtype="float64"), counts, out=np.zeros(len(counts)), where=counts > 0)
    return per_unit


#: The plan families each kind of plan view sums.
_KIND_FAMILIES: Final = {
    "plan_participants": ("participants",),
    "plan_runs": ("participants",),
    "plan_hires": ("hires",),
    "plan_gaps": ("closed", "unmet"),
    "plan_unmet": ("unmet",),
    "plan_totals": PLAN_FAMILIES,
}


@dataclass(frozen=True)
class Cells:
    """Every cell of every view, one row per (view, row, published column), with its gap rows.

    Attributes
    ----------
    frame
        ``view``, ``cell`` (keys in words), ``column``, ``quantity``,
        ``signature`` (equal for the same sum of gap rows in any view),
        ``lower`` and ``upper`` (what the published table tells about the
        cell's value; ``nan`` when nothing), ``shown`` (the published figure),
        ``value`` (true), ``companies``, ``largest`` (largest company's part),
        ``company`` (that company), ``sensitive``; plus ``line_*`` columns.
    member_cell, member_row, member_coefficient
        The cell's gap rows (position in ``frame``, gap row, coefficient).
    units
        The true gap units of every gap row.
    """

    frame: pd.DataFrame
    member_cell: np.ndarray
    member_row: np.ndarray
    member_coefficient: np.ndarray
    units: np.ndarray


def _coefficients(rows: pd.DataFrame) -> dict[str, np.ndarray]:
    covered = rows["covered"].to_numpy(dtype="float64")
    weight = rows["weight"].to_numpy(dtype="float64")
    return {
        "units": np.ones(len(rows)),
        "weighted": weight,
        "level": rows["level_gap"].to_numpy(dtype="float64"),
        "covered": covered,
        "uncovered": 1.0 - covered,
        "uncovered_weighted": (1.0 - covered) * weight,
    }


def _interval(
    shown: pd.Series, band: pd.Series | None, rules: Rules
) -> tuple[np.ndarray, np.ndarray]:
    """What the attacker knows of each cell from its published figure, given the method."""
    value = shown.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    present = ~np.isnan(value)
    lower = np.full(len(value), np.nan)
    upper = np.full(len(value), np.nan)
    if rules.method == "suppression":
        lower[present] = value[present]
        upper[present] = value[present]
    else:
        slack = 0.5
        scale = rules.noise_scale
        lower[present] = np.maximum((value[present] - slack) / (1 + scale), 0.0)
        upper[present] = (value[present] + slack) / (1 - scale) if scale < 1 else np.inf
    if band is not None:
        band_low, band_high = band_bounds(band)
        banded = ~np.isnan(band_low) & ~present
        # the band holds the perturbed figure (at least 1)
        scale = rules.noise_scale
        lower[banded] = np.maximum((band_low[banded] - 0.5) / (1 + scale), 0.0)
        upper[banded] = (band_high[banded] + 0.5) / (1 - scale)
    return lower, upper


def collect(
    dataset: Dataset, settings: Settings, views: Sequence[View], plan: Mapping[str, pd.DataFrame] | None = None
) -> Cells:
    """Build every view and link each published figure to the gap rows (and plan rows) it sums.

    Parameters
    ----------
    dataset, settings
        The region and the settings in force.
    views
        The published tables (:func:`public_views`, :func:`plan_views`).
    plan
        The plan behind the ``plan_*`` views: its rows become unknowns too (:data:`PLAN_FAMILIES`).

    Returns
    -------
    Cells
        Every cell of every view, with what is published and the truth.
    """
    rules = Rules.from_settings(settings)
    rows = gap_rows_for_audit(dataset, settings).reset_index(drop=True)
    rows["row"] = np.arange(len(rows))
    coefficients = _coefficients(rows)
    atoms, plan_coefficients = (
        _plan_atoms(dataset, plan, len(rows)) if plan is not None else (pd.DataFrame(columns=["row", "family"]), {})
    )
    if any(view.kind.startswith("plan_") for view in views) and plan is None:
        msg = "plan views need the plan they publish: collect(..., plan=tables)"
        raise InputError(msg)
    coefficients = {name: np.concatenate([values, np.zeros(len(atoms))]) for name, values in coefficients.items()}
    coefficients.update({name: np.concatenate([np.zeros(len(rows)), values]) for name, values in plan_coefficients.items()})
    frames: list[pd.DataFrame] = []
    members: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    offset = 0
    for view in views:
        table = view.build().reset_index(drop=True)
        keys = list(view.keys)
        eligible = rows
        if view.kind == "curriculum":
            eligible = rows[rows["covered"] == 0]
        if view.kind == "course_demand":
            eligible = rows[rows["course_id"].notna()]
        if view.kind in _KIND_FAMILIES:
            eligible = atoms[atoms["family"].isin(_KIND_FAMILIES[view.kind])]
            if view.kind == "plan_unmet":
                eligible = eligible[eligible["unmet_reason"].notna()]
        cell_of, row_of = _membership(table, eligible, keys)
        label = _labels(table, keys)
        band = table[BAND] if BAND in table.columns else None
        for column, quantity in COLUMNS[view.kind].items():
            lower, upper = _interval(
                table[column], band if column == MAIN_COLUMN[view.kind] else None, rules
            )
            if view.kind == "plan_runs":
                # no run holds more than its seats, and the attacker knows the seats
                seats = table["runs"].to_numpy(dtype="float64") * table["seats"].to_numpy(dtype="float64")
                upper = np.fmin(upper, seats)
            frame = pd.DataFrame(
                {
                    "view": view.name,
                    "kind": view.kind,
                    "cell": label,
                    "column": column,
                    "quantity": quantity,
                    "lower": lower,
                    "upper": upper,
                    "shown": table[column].astype("Float64").to_numpy(dtype="float64", na_value=np.nan),
                    "position": np.arange(len(table)),
                    "is_total": table["is_total"].to_numpy(dtype=bool),
                }
            )
            frame = pd.concat([frame, _line_columns(table, keys)], axis=1)
            coefficient = coefficients[quantity][row_of]
            keep = coefficient != 0
            members.append((cell_of[keep] + offset, row_of[keep], coefficient[keep]))
            frames.append(frame)
            offset += len(frame)
    frame = pd.concat(frames, ignore_index=True)
    member_cell = np.concatenate([m[0] for m in members])
    member_row = np.concatenate([m[1] for m in members])
    member_coefficient = np.concatenate([np.asarray(m[2], dtype="float64") for m in members])
    unknowns = pd.DataFrame(
        {
            "company_id": np.concatenate(
                [rows["company_id"].astype(str).to_numpy(dtype=object), atoms["company_id"].astype(str).to_numpy(dtype=object)]
                if len(atoms) else [rows["company_id"].astype(str).to_numpy(dtype=object)]
            ),
            "gap_units": np.concatenate(
                [rows["gap_units"].to_numpy(dtype="float64"), atoms["gap_units"].to_numpy(dtype="float64")]
                if len(atoms) else [rows["gap_units"].to_numpy(dtype="float64")]
            ),
        }
    )
    frame = _truth(frame, unknowns, member_cell, member_row, member_coefficient, rules)
    units = unknowns["gap_units"].to_numpy(dtype="float64")
    return Cells(frame, member_cell, member_row, member_coefficient, units)


def _labels(table: pd.DataFrame, keys: Sequence[str]) -> np.ndarray:
    if not keys:
        return np.full(len(table), "Total", dtype=object)
    parts = [table[key].astype("string").fillna("Total") for key in keys]
    label: pd.Series = parts[0]
    for part in parts[1:]:
        label = label + " × " + part
    return label.to_numpy(dtype=object)


def _line_columns(table: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """For each key, the line a row belongs to (rows sharing the other keys) and whether it is its total."""
    columns: dict[str, np.ndarray] = {}
    for index, key in enumerate(keys):
        others = [other for other in keys if other != key]
        if others:
            line = table.groupby(others, dropna=False, sort=False).ngroup().to_numpy()
        else:
            line = np.zeros(len(table), dtype=np.int64)
        columns[f"line_{index}"] = line
        columns[f"line_total_{index}"] = table[key].isna().to_numpy(dtype=bool)
    for index in range(len(keys), 2):
        columns[f"line_{index}"] = np.full(len(table), -1)
        columns[f"line_total_{index}"] = np.zeros(len(table), dtype=bool)
    return pd.DataFrame(columns)


def _membership(
    table: pd.DataFrame, rows: pd.DataFrame, keys: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(table position, gap row) pairs: the gap rows each table row sums."""
    cells: list[np.ndarray] = []
    members: list[np.ndarray] = []
    missing = table[list(keys)].isna().to_numpy(dtype=bool)
    for size in range(len(keys) + 1):
        for subset in combinations(keys, size):
            pattern = np.array([key not in subset for key in keys])
            chosen = (missing == pattern).all(axis=1)
            if not chosen.any():
                continue
            part = table.loc[chosen, list(subset)].assign(_position=np.flatnonzero(chosen))
            if subset:
                pairs = part.merge(rows[[*subset, "row"]], on=list(subset), how="inner")
            else:
                pairs = part.merge(rows[["row"]], how="cross")
            cells.append(pairs["_position"].to_numpy(dtype=np.int64))
            members.append(pairs["row"].to_numpy(dtype=np.int64))
    if not cells:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    return np.concatenate(cells), np.concatenate(members)


def _truth(
    frame: pd.DataFrame,
    rows: pd.DataFrame,
    member_cell: np.ndarray,
    member_row: np.ndarray,
    member_coefficient: np.ndarray,
    rules: Rules,
) -> pd.DataFrame:
    """True value, companies, largest company's part and sensitivity of every cell; a signature per distinct sum."""
    units = rows["gap_units"].to_numpy(dtype="float64")
    company_codes, companies = pd.factorize(rows["company_id"])
    amount = member_coefficient * units[member_row]
    cells = len(frame)
    value = np.bincount(member_cell, weights=amount, minlength=cells)
    parts = pd.DataFrame(
        {"cell": member_cell, "company": company_codes[member_row], "amount": amount}
    )
    parts = parts.groupby(["cell", "company"], sort=False)["amount"].sum().reset_index()
    parts = parts[parts["amount"] > 0]
    count = np.bincount(parts["cell"].to_numpy(), minlength=cells)
    ranked = parts.sort_values(["cell", "amount"], ascending=[True, False], kind="stable")
    ranked["rank"] = ranked.groupby("cell").cumcount()
    first = ranked[ranked["rank"] == 0]
    largest = np.zeros(cells)
    largest[first["cell"].to_numpy()] = first["amount"].to_numpy()
    company = np.full(cells, "", dtype=object)
    company[first["cell"].to_numpy()] = np.asarray(companies)[first["company"].to_numpy()]
    top = ranked[ranked["rank"] < rules.dominance_n].groupby("cell")["amount"].sum()
    top_share = np.zeros(cells)
    top_share[top.index.to_numpy()] = top.to_numpy()
    top_share = np.divide(top_share, value, out=np.zeros(cells), where=value > 0)
    # one random weight per gap row: equal sums of the same rows give equal signatures
    generator = np.random.default_rng(20261203)
    weights = generator.random((2, len(rows)))
    signature = np.stack(
        [
            np.bincount(member_cell, weights=member_coefficient * weights[0][member_row], minlength=cells),
            np.bincount(member_cell, weights=member_coefficient * weights[1][member_row], minlength=cells),
        ],
        axis=1,
    )
    rounded = pd.DataFrame(np.round(signature, 9)).assign(quantity=frame["quantity"].to_numpy())
    frame = frame.assign(
        value=value,
        companies=count,
        largest=largest,
        company=company,
        signature=rounded.groupby(["quantity", 0, 1], sort=False).ngroup().to_numpy(),
        sensitive=(value > 0) & ((count < rules.min_contributors) | (top_share > rules.dominance_k)),
    )
    return frame


def protection(largest: np.ndarray) -> np.ndarray:
    """Half-width of the protection interval of a company's value: max(1 unit, 10 %)."""
    return np.maximum(PROTECTION_UNITS, PROTECTION_SHARE * largest)


def _known(cells: Cells) -> pd.DataFrame:
    """Per distinct cell (signature): the narrowest published interval, and the truth."""
    frame = cells.frame
    known = frame.groupby("signature").agg(
        lower=("lower", "max"),
        upper=("upper", "min"),
        value=("value", "first"),
        largest=("largest", "first"),
        company=("company", "first"),
        sensitive=("sensitive", "any"),
    )
    known["lower"] = known["lower"].fillna(0.0).clip(lower=0.0)
    known["upper"] = known["upper"].fillna(np.inf)
    return known


def differencing(cells: Cells, rounds: int = 20) -> pd.DataFrame:
    """Intervals of every distinct cell from totals minus published cells, line by line, across views, to a fixed point.

    Returns
    -------
    pandas.DataFrame
        Indexed by signature: ``lower``, ``upper`` (what differencing
        recovers), ``value``, ``largest``, ``company``, ``sensitive``.
    """
    frame = cells.frame
    known = _known(cells)
    line_parts = []
    for index in range(2):
        part = frame[frame[f"line_{index}"] >= 0]
        line_parts.append(
            pd.DataFrame(
                {
                    "line": part["view"] + "|" + part["column"] + f"|{index}|" + part[f"line_{index}"].astype(str),
                    "signature": part["signature"],
                    "is_line_total": part[f"line_total_{index}"],
                }
            )
        )
    lines = pd.concat(line_parts, ignore_index=True).drop_duplicates()
    line_code = pd.factorize(lines["line"])[0]
    total = lines["is_line_total"].to_numpy(dtype=bool)
    # a line without its total publishes no sum
    has_total = np.bincount(line_code, weights=total) > 0
    keep = has_total[line_code]
    line_code, total = line_code[keep], total[keep]
    signature = lines["signature"].to_numpy()[keep]
    count = int(line_code.max()) + 1 if len(line_code) else 0
    lower = known["lower"].to_numpy().copy()
    upper = known["upper"].to_numpy().copy()
    position = known.index.get_indexer(pd.Index(signature))
    for _ in range(rounds):
        member_lower = lower[position]
        member_upper = upper[position]
        cells_lower = np.bincount(line_code, weights=np.where(total, 0.0, member_lower), minlength=count)
        finite_upper = np.where(np.isfinite(member_upper), member_upper, 0.0)
        cells_upper = np.bincount(line_code, weights=np.where(total, 0.0, finite_upper), minlength=count)
        cells_unbounded = np.bincount(
            line_code, weights=(~total & ~np.isfinite(member_upper)).astype(float), minlength=count
        )
        total_lower = np.bincount(line_code, weights=np.where(total, member_lower, 0.0), minlength=count)
        total_upper_finite = np.bincount(line_code, weights=np.where(total, finite_upper, 0.0), minlength=count)
        total_unbounded = (
            np.bincount(line_code, weights=(total & ~np.isfinite(member_upper)).astype(float), minlength=count) > 0
        )
        total_upper = np.where(total_unbounded, np.inf, total_upper_finite)
        # a cell: total minus the other cells
        others_upper = np.where(
            cells_unbounded[line_code] - (~np.isfinite(member_upper)).astype(float) > 0,
            np.inf,
            cells_upper[line_code] - finite_upper,
        )
        others_lower = cells_lower[line_code] - member_lower
        new_lower = np.where(total, cells_lower[line_code], total_lower[line_code] - others_upper)
        new_upper = np.where(
            total,
            np.where(cells_unbounded[line_code] > 0, np.inf, cells_upper[line_code]),
            total_upper[line_code] - others_lower,
        )
        candidate_lower = np.full(len(lower), -np.inf)
        np.maximum.at(candidate_lower, position, new_lower)
        candidate_upper = np.full(len(upper), np.inf)
        np.minimum.at(candidate_upper, position, new_upper)
        tighter_lower = np.maximum(lower, candidate_lower)
        tighter_upper = np.minimum(upper, candidate_upper)
        if np.allclose(tighter_lower, lower, atol=1e-9) and np.allclose(
            np.where(np.isfinite(tighter_upper), tighter_upper, 0), np.where(np.isfinite(upper), upper, 0), atol=1e-9
        ) and (np.isfinite(tighter_upper) == np.isfinite(upper)).all():
            break
        lower, upper = tighter_lower, tighter_upper
    return known.assign(lower=lower, upper=upper)


def _members_of(cells: Cells, signatures: np.ndarray) -> pd.DataFrame:
    """(signature, row, coefficient) of the first cell of each signature."""
    first = cells.frame.reset_index().drop_duplicates("signature").set_index("signature")["index"]
    cell_of = pd.Series(first.reindex(signatures).to_numpy(), index=signatures)
    members = pd.DataFrame(
        {"cell": cells.member_cell, "row": cells.member_row, "coefficient": cells.member_coefficient}
    )
    wanted = pd.DataFrame({"signature": cell_of.index, "cell": cell_of.to_numpy()})
    return wanted.merge(members, on="cell", how="inner").drop(columns="cell")


def certified(cells: Cells, known: pd.DataFrame, targets: pd.DataFrame) -> np.ndarray:
    """Targets shown safe without a programme: two points consistent with everything published that far apart.

    The truth is one such point; scaling the units of a target's own gap rows by
    ``1 + δ`` keeps every published figure within its interval for ``δ`` in a
    range read off each figure's slack. If the target's value then moves over at
    least twice its protection, the programme cannot pin it either.
    """
    published = known[np.isfinite(known["upper"]) | (known["lower"] > 0)]
    figure_members = _members_of(cells, published.index.to_numpy())
    target_members = _members_of(cells, targets.index.to_numpy())
    units = cells.units
    target_members["moved"] = units[target_members["row"].to_numpy()]
    pairs = target_members[["signature", "row", "moved"]].rename(columns={"signature": "target"}).merge(
        figure_members.rename(columns={"signature": "figure"}), on="row", how="inner"
    )
    pairs["change"] = pairs["moved"] * pairs["coefficient"]
    change = pairs.groupby(["target", "figure"], sort=False)["change"].sum().reset_index()
    change = change[change["change"] > 0]
    figure = published.reindex(change["figure"].to_numpy())
    slack_up = (figure["upper"].to_numpy() - figure["value"].to_numpy()) / change["change"].to_numpy()
    slack_down = (figure["value"].to_numpy() - figure["lower"].to_numpy()) / change["change"].to_numpy()
    ranges = pd.DataFrame({"target": change["target"].to_numpy(), "up": slack_up, "down": slack_down})
    limits = ranges.groupby("target").agg(up=("up", "min"), down=("down", "min"))
    limits = limits.reindex(targets.index).fillna(np.inf)
    up = limits["up"].to_numpy()
    down = np.minimum(limits["down"].to_numpy(), 1.0)  # units stay >= 0
    width = (up + down) * targets["value"].to_numpy()
    return np.asarray(width >= 2 * targets["protection"].to_numpy() + _TOLERANCE, dtype=bool)


class _Attacker:
    """The linear programme over the gap rows: every published figure as a range on a sum of rows."""

    def __init__(self, cells: Cells, known: pd.DataFrame) -> None:
        frame = cells.frame
        published = known[np.isfinite(known["upper"]) | (known["lower"] > 0)]
        # one member list per distinct cell: the members of the first cell with that signature
        representative = frame.reset_index().drop_duplicates("signature").set_index("signature")["index"]
        self.representative = representative
        order = np.argsort(cells.member_cell, kind="stable")
        self.member_cell = cells.member_cell[order]
        self.member_row = cells.member_row[order]
        self.member_coefficient = cells.member_coefficient[order]
        self.starts = np.searchsorted(self.member_cell, np.arange(len(frame) + 1))
        self.columns = int(cells.member_row.max()) + 1 if len(cells.member_row) else 0
        self.highs = highspy.Highs()  # type: ignore[no-untyped-call]
        self.highs.setOptionValue("output_flag", False)
        self.highs.addVars(self.columns, np.zeros(self.columns), np.full(self.columns, highspy.kHighsInf))
        for signature, bounds in published.iterrows():
            rows, coefficient = self._members(int(signature))
            upper = bounds["upper"] if np.isfinite(bounds["upper"]) else highspy.kHighsInf
            self.highs.addRow(float(bounds["lower"]), float(upper), len(rows), rows.astype(np.int32), coefficient)
        self.objective = (np.array([], dtype=np.int32), np.array([]))

    def _members(self, signature: int) -> tuple[np.ndarray, np.ndarray]:
        cell = int(self.representative[signature])
        start, stop = self.starts[cell], self.starts[cell + 1]
        return self.member_row[start:stop], self.member_coefficient[start:stop]

    def bounds(self, signature: int) -> tuple[float, float]:
        """Least and greatest value of a cell consistent with everything published."""
        rows, coefficient = self._members(signature)
        old_rows, _ = self.objective
        if len(old_rows):
            self.highs.changeColsCost(len(old_rows), old_rows, np.zeros(len(old_rows)))
        self.highs.changeColsCost(len(rows), rows.astype(np.int32), coefficient)
        self.objective = (rows.astype(np.int32), coefficient)
        result = []
        for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
            self.highs.changeObjectiveSense(sense)
            self.highs.run()
            status = self.highs.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                result.append(float(self.highs.getInfo().objective_function_value))
            elif status == highspy.HighsModelStatus.kUnbounded and sense == highspy.ObjSense.kMaximize:
                result.append(np.inf)
            else:
                msg = f"the attacker's programme ended {self.highs.modelStatusToString(status)}"
                raise InputError(msg)
        return result[0], result[1]


@dataclass(frozen=True)
class AuditResult:
    """What the attacker tried and found.

    Attributes
    ----------
    views, cells, targets
        Views built, published cells read, distinct sensitive cells attacked.
    exposures
        One row per exposed cell: ``view``, ``cell``, ``column``,
        ``company``, ``value`` (true), ``lower``, ``upper`` (recovered),
        ``protection`` (half-width), ``attack`` (differencing or lp).
    inconsistent
        Distinct cells published with different figures in different views.
    mixed
        Distinct cells published in one view and hidden in another: ``view``,
        ``cell``, ``column``, ``shown`` of every occurrence.
    """

    views: int
    cells: int
    targets: int
    exposures: pd.DataFrame
    inconsistent: pd.DataFrame
    mixed: pd.DataFrame


def audit(
    dataset: Dataset,
    settings: Settings,
    views: Sequence[View] | None = None,
    *,
    cells: Cells | None = None,
    linear_programming: bool = True,
    plan: Mapping[str, pd.DataFrame] | None = None,
) -> AuditResult:
    """Attack every published view: differencing first, then a linear programme per sensitive cell.

    Parameters
    ----------
    dataset, settings
        The region and the disclosure settings in force.
    views
        The published views (default: :func:`public_views`).
    cells
        The views already collected (:func:`collect`), to attack them without building them again.
    linear_programming
        Also bound every sensitive cell the differencing did not expose by
        linear programming over every published figure (min and max).
    plan
        The plan behind the views' ``plan_*`` views (see :func:`collect`).

    Returns
    -------
    AuditResult
        The exposures: sensitive cells whose recovered interval is narrower
        than twice the protection half-width of their largest company.
    """
    views = list(views) if views is not None else public_views(dataset, settings)
    cells = cells if cells is not None else collect(dataset, settings, views, plan)
    frame = cells.frame
    recovered = differencing(cells)
    targets = recovered[recovered["sensitive"]].copy()
    targets["protection"] = protection(targets["largest"].to_numpy())
    width = targets["upper"] - targets["lower"]
    targets["attack"] = np.where(width < 2 * targets["protection"] - _TOLERANCE, "differencing", "")
    if linear_programming:
        known = _known(cells)
        safe = certified(cells, known, targets)
        attacker = _Attacker(cells, known)
        for signature in targets.index[(targets["attack"] == "") & ~safe]:
            low, high = attacker.bounds(int(signature))
            targets.loc[signature, ["lower", "upper"]] = [max(low, 0.0), high]
        width = targets["upper"] - targets["lower"]
        exposed_by_lp = (targets["attack"] == "") & (width < 2 * targets["protection"] - _TOLERANCE)
        targets.loc[exposed_by_lp, "attack"] = "lp"
    exposed = targets[targets["attack"] != ""]
    where = frame[frame["sensitive"]].drop_duplicates("signature").set_index("signature")
    exposures = exposed.join(where[["view", "cell", "column"]]).reset_index()[
        ["view", "cell", "column", "company", "value", "lower", "upper", "protection", "attack"]
    ]
    # an empty cell (value 0, no gap rows) is the same "cell" in every view only by name
    filled = frame[frame["value"] > 0]
    shown = filled[~np.isnan(filled["shown"])]
    spread = shown.groupby("signature")["shown"].agg(["min", "max"])
    different = spread[(spread["max"] - spread["min"]) > _TOLERANCE].index
    inconsistent = shown[shown["signature"].isin(different)][["view", "cell", "column", "shown", "signature"]]
    present = ~np.isnan(filled["shown"].to_numpy())
    some = filled.assign(_present=present).groupby("signature")["_present"].agg(["any", "all"])
    partly = some[some["any"] & ~some["all"]].index
    mixed = filled[filled["signature"].isin(partly)][["view", "cell", "column", "shown", "signature"]]
    return AuditResult(
        views=len(views),
        cells=len(frame),
        targets=len(targets),
        exposures=exposures.sort_values(["view", "cell", "column"]).reset_index(drop=True),
        inconsistent=inconsistent.reset_index(drop=True),
        mixed=mixed.reset_index(drop=True),
    )


def usable_share(table: pd.DataFrame, kind: str) -> float:
    """Share of a view's rows that carry a usable value of its main measure (a number or a band)."""
    if not len(table):
        return 1.0
    usable = table[MAIN_COLUMN[kind]].notna().to_numpy(dtype=bool)
    if BAND in table.columns:
        usable = usable | table[BAND].notna().to_numpy(dtype=bool)
    return float(usable.mean())

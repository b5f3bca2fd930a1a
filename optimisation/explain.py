"""Explain a plan: why each unmet gap stays unmet, and what one more unit of a scarce resource is worth."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import highspy
import numpy as np
import pandas as pd

from optimisation.model import Model
from optimisation.results import Plan
from optimisation.sets import GAP_KEY, course_table
from optimisation.solve import SolveResult, SolveStatus, new_highs
from skills import rules
from skills.regions import region_name
from skills.rules import HIRE_LEVEL, course_fit

#: Unmet reasons, in the order the first applicable one is called the main reason (texts in :mod:`skills.rules`).
REASONS = rules.UNMET_REASONS

STEP_BUDGET = 1000.0
TOP = 5
TOL = 1e-6


@dataclass(frozen=True)
class Explanation:
    """One sentence a coordinator can read out, with the figures behind it."""

    kind: str  # "unmet" or "shadow_price"
    subject: str
    reason: str
    sentence: str
    value: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _money(amount: float, currency: str) -> str:
    return f"{currency} {amount:,.0f}".replace(",", " ")


# --------------------------------------------------------------------------- unmet gaps


def _structural(model: Model, gaps: pd.DataFrame) -> pd.DataFrame:
    """Per gap group without a usable run slot: why training cannot reach it (code and detail)."""
    offered = course_table(model.dataset)
    minimum = model.dataset.courses["min_participants"].astype("int64")
    pairs = gaps[["gap", "skill", "current_level", "required_level", "region"]].merge(
        offered, on="skill", how="inner"
    )
    fit = course_fit(pairs)
    reason = rules.course_reason(pairs["gap"].to_numpy(), fit, pd.Index(gaps["gap"]))
    pairs["reaches"] = fit.reaches
    pairs["enters"] = fit.enters
    pairs["local"] = fit.serves
    pairs["entry_if_reaching"] = pairs["entry_level"].where(pairs["reaches"])
    pairs["minimum_if_local"] = pairs["course_id"].map(minimum).where(pairs["local"])
    summary = pairs.groupby("gap").agg(
        highest=("level", "max"),
        reaches=("reaches", "any"),
        enters=("enters", "any"),
        local=("local", "any"),
        lowest_entry=("entry_if_reaching", "min"),
        smallest_cohort=("minimum_if_local", "min"),
    )
    frame = (
        gaps[["gap", "skill", "current_level", "required_level", "region"]]
        .set_index("gap")
        .join(summary)
    )
    skill_labels = model.dataset.skills["label"]
    records = []
    gap_id: Any
    for gap_id, row in frame.iterrows():
        required, current = int(row["required_level"]), int(row["current_level"])
        code = reason[gap_id] or "cohort_too_small"
        if code == rules.NO_COURSE_FOR_SKILL:
            text = f"no course teaches {skill_labels.get(row['skill'], row['skill'])}"
        elif code == rules.NO_COURSE_REACHES_LEVEL:
            text = f"no course reaches level {required} (the highest taught is {int(row['highest'])})"
        elif code == rules.ENTRY_LEVEL_TOO_HIGH:
            text = f"courses reaching level {required} need entry level {int(row['lowest_entry'])} or more; staff are at level {current}"
        elif code == rules.NO_COURSE_IN_REGION:
            text = f"courses reaching level {required} run only outside {region_name(row['region'])} and not online"
        else:
            text = f"too few people in reach need the suitable courses to fill a cohort of at least {int(row['smallest_cohort'])}"
        records.append({"gap": gap_id, "code": code, "detail": text})
    return pd.DataFrame.from_records(records, columns=["gap", "code", "detail"]).set_index("gap")


def _hire_details(model: Model, gaps: pd.DataFrame, market_full: set[int]) -> pd.Series:
    """Per gap group: why no (more) hires close it, or an empty string when hiring is not the obstacle."""
    sets = model.sets
    supply = model.dataset.supply
    supply = pd.DataFrame(
        {
            "skill": supply["skill"].astype(str).to_numpy(),
            "region": supply["region"].astype(str).to_numpy(),
            "available": supply["hires_available_per_year"].astype("int64").to_numpy(),
            "lead": supply["lead_time_months"].astype("int64").to_numpy(),
        }
    )
    frame = gaps[["gap", "skill", "region", "required_level", "deadline"]].astype(
        {"skill": str, "region": str}
    )
    frame = frame.merge(supply, on=["skill", "region"], how="left")
    options = sets.hire_options
    has_option = frame["gap"].isin(options["gap"])
    markets_of_gap = options[["gap", "hire"]].merge(sets.hires[["hire", "market"]], on="hire")
    markets_of_gap["full"] = markets_of_gap["market"].isin(market_full)
    all_full = markets_of_gap.groupby("gap")["full"].all()
    skill_labels = model.dataset.skills["label"]
    texts = []
    every_market_full = frame["gap"].isin(all_full.index[all_full.to_numpy(dtype=bool)])
    row: Any
    for row, option, full in zip(
        frame.itertuples(index=False), has_option, every_market_full, strict=True
    ):
        if row.required_level > HIRE_LEVEL:
            texts.append(f"hires bring level {HIRE_LEVEL}, below the required {row.required_level}")
        elif pd.isna(row.available) or row.available == 0:
            texts.append(f"the labour market in {region_name(row.region)} offers no {skill_labels.get(row.skill, row.skill)} hires")
        elif not option:
            texts.append(f"a hire takes {int(row.lead)} months, too late for {row.deadline}")
        elif full:
            texts.append(f"the {skill_labels.get(row.skill, row.skill)} hires available in {region_name(row.region)} are all taken")
        else:
            texts.append("")
    return pd.Series(texts, index=frame["gap"].to_numpy(), dtype=object)


def unmet_reasons(model: Model, plan: Plan, result: SolveResult | None = None) -> pd.DataFrame:
    """Why each gap group with unmet units stays (partly) unmet.

    Returns one row per unmet gap group: the gap key, ``unmet_units``,
    ``reason`` (the main code of :data:`REASONS`: the first that applies in
    that order), ``reasons`` (every code that applies, ``;``-separated) and
    a plain ``sentence``. A resource counts as exhausted for a gap when it
    is for every year and course the gap could use.
    """
    sets, scenario = model.sets, model.scenario
    gaps = sets.gaps.assign(unmet_units=plan.gaps["unmet_units"].to_numpy(float))
    unmet = gaps[gaps["unmet_units"] > TOL]
    columns = [*GAP_KEY, "unmet_units", "reason", "reasons", "sentence"]
    if unmet.empty:
        return pd.DataFrame(columns=columns)

    participants = sets.participants.assign(x=_plan_values(model, "participants"))
    runs = sets.runs.assign(r=_plan_values(model, "runs"))
    runs["attending"] = (
        participants.groupby("run")["x"].sum().reindex(runs["run"]).fillna(0).to_numpy()
    )
    seats_per_run = runs["max_participants"]
    runs["full"] = (runs["r"] >= runs["max_runs_per_year"]) & (
        runs["attending"] >= seats_per_run * runs["r"] - TOL
    )
    # One more participant costs the fee in an open run with a free seat, else a new run with a minimum cohort.
    spare_seat = (runs["r"] >= 1) & (runs["attending"] < seats_per_run * runs["r"] - TOL)
    runs["cheapest_public"] = scenario.subsidy_rate * np.where(
        spare_seat,
        runs["cost_per_participant"],
        runs["fixed_cost_per_run"] + runs["min_participants"] * runs["cost_per_participant"],
    )
    budget_left = _budget_left(model, plan)
    runs["budget_short"] = (
        runs["year"].map(lambda year: budget_left.get(int(year), np.inf))
        < runs["cheapest_public"] - TOL
    )
    provider_full = _provider_full(model, runs)
    runs["provider_full"] = [
        (str(p), int(y)) in provider_full
        for p, y in zip(runs["provider"], runs["year"], strict=True)
    ]

    options = sets.training[sets.training["gap"].isin(unmet["gap"])][
        ["gap", "company_id", "year", "participant"]
    ]
    options = options.merge(sets.participants[["participant", "run"]], on="participant")
    options = options.merge(runs[["run", "full", "budget_short", "provider_full"]], on="run")
    places_full = _company_places_full(model, participants)
    cap_full = _company_cap_full(model, plan)
    pairs = list(zip(options["company_id"].astype(str), options["year"].astype(int), strict=True))
    options["places_full"] = [pair in places_full for pair in pairs]
    options["cap_full"] = [pair in cap_full for pair in pairs]
    per_gap = options.groupby("gap").agg(
        budget=("budget_short", "all"),
        seats=("full", "all"),
        places=("places_full", "all"),
        cap=("cap_full", "all"),
        provider=("provider_full", "all"),
        years=("year", lambda y: sorted(set(int(v) for v in y))),
    )
    structural = _structural(model, unmet[~unmet["gap"].isin(per_gap.index)])

    hires = sets.hires.assign(h=_plan_values(model, "hires"))
    used = hires.groupby("market")["h"].sum().reindex(sets.markets["market"]).fillna(0).to_numpy()
    market_full = set(
        sets.markets.loc[used >= sets.markets["available"].to_numpy() - TOL, "market"].astype(int)
    )
    hire_text = _hire_details(model, unmet, market_full)

    if scenario.objective == "min_cost":
        fallback = "coverage_target_met"
    elif result is not None and result.status in (SolveStatus.FEASIBLE, SolveStatus.POOR):
        fallback = "solver_stopped"
    else:
        fallback = "not_worth_its_cost"
    order = list(REASONS)
    company_names = model.dataset.companies["name"]
    skill_labels = model.dataset.skills["label"]
    records: list[dict[str, Any]] = []
    gap: Any
    for gap in unmet.itertuples(index=False):
        company = company_names.get(gap.company_id, gap.company_id)
        reasons: list[tuple[str, str]] = []
        if gap.gap in structural.index:
            reasons.append(
                (str(structural.at[gap.gap, "code"]), str(structural.at[gap.gap, "detail"]))
            )
        elif gap.gap in per_gap.index:
            found = per_gap.loc[gap.gap]
            if found["budget"]:
                reasons.append(
                    (
                        "budget_exhausted",
                        f"the public budget is used up in {_years(found['years'])}",
                    )
                )
            if found["seats"]:
                reasons.append(
                    (
                        "seats_or_runs_exhausted",
                        "every suitable course's runs are at their yearly maximum and full",
                    )
                )
            if found["places"]:
                reasons.append(
                    (
                        "company_capacity",
                        f"{company} already sends as many staff as it can release",
                    )
                )
            if found["cap"]:
                reasons.append(("company_cost_cap", f"{company} has reached its cost cap"))
            if found["provider"]:
                reasons.append(
                    (
                        "provider_capacity",
                        "the providers of the suitable courses have no trainer hours left",
                    )
                )
        if hire_text.get(gap.gap, ""):
            reasons.append(("no_hires_available", str(hire_text[gap.gap])))
        if not any(code != "no_hires_available" for code, _ in reasons):
            reasons.insert(0, (fallback, REASONS[fallback]))
        main = min((code for code, _ in reasons if code != "no_hires_available"), key=order.index)
        because = "; ".join(detail for _, detail in reasons)
        skill = skill_labels.get(gap.skill, gap.skill)
        sentence = (
            f"{company} needs {people(gap.units)} at level {gap.required_level} in {skill} by {gap.deadline} "
            f"(now level {gap.current_level}): {people(gap.unmet_units)} "
            f"{'stays' if max(0, round(gap.unmet_units)) == 1 else 'stay'} unmet because {because}."
        )
        records.append(
            {
                **{key: getattr(gap, key) for key in GAP_KEY},
                "unmet_units": float(gap.unmet_units),
                "reason": main,
                "reasons": ";".join(dict.fromkeys(code for code, _ in reasons)),
                "sentence": sentence,
            }
        )
    return pd.DataFrame.from_records(records, columns=columns)


def people(units: float) -> str:
    """Gap units in whole people, as a person reads them: "2 people", "about 19 people" for 18.74.

    >>> people(2.0), people(18.7425), people(1.0)
    ('2 people', 'about 19 people', '1 person')
    """
    whole = max(0, round(units))
    about = "about " if abs(units - whole) > 0.05 else ""
    return f"{about}{whole} {'person' if whole == 1 else 'people'}"


def _years(years: list[int]) -> str:
    return ", ".join(str(year) for year in years)


def _plan_values(model: Model, family: str) -> np.ndarray:
    return np.round(np.array([v.varValue or 0.0 for v in model.variables[family]], dtype=float))


def _budget_left(model: Model, plan: Plan) -> dict[int, float]:
    scenario = model.scenario
    public = plan.costs[plan.costs["payer"] == "public"].groupby("year")["amount"].sum()
    left: dict[int, float] = {}
    for year in scenario.years:
        budget = scenario.budget(year)
        if budget is not None and scenario.subsidy_rate > 0:
            left[year] = budget - float(public.get(year, 0.0))
    return left


def _company_places_full(model: Model, participants: pd.DataFrame) -> set[tuple[str, int]]:
    rows = model.rows.get("company_places")
    if rows is None or rows.empty:
        return set()
    used = participants.groupby(["company_id", "year"])["x"].sum()
    limits = rows.set_index(["company_id", "year"])["limit"].astype(float)
    taken = used.reindex(limits.index).fillna(0.0)
    full = limits.index[taken.to_numpy() >= limits.to_numpy() - TOL]
    return {(str(company), int(year)) for company, year in full}


def _company_cap_full(model: Model, plan: Plan) -> set[tuple[str, int]]:
    cap = model.scenario.company_cost_cap
    if cap is None:
        return set()
    # The model's cap row is conservative (fixed cost / minimum cohort per participant), so a
    # company paying 80 % of its cap or more has no room for one more participant in practice.
    table = plan.company_costs
    near = table[table["training_share"] >= 0.8 * cap]
    return {(str(c), int(y)) for c, y in zip(near["company_id"], near["year"], strict=True)}


def _provider_full(model: Model, runs: pd.DataFrame) -> set[tuple[str, int]]:
    rows = model.rows.get("provider_hours")
    if rows is None or rows.empty:
        return set()
    used = (
        runs.assign(hours_used=runs["r"] * runs["hours"])
        .groupby(["provider", "year"])["hours_used"]
        .sum()
    )
    smallest = runs.groupby("provider")["hours"].min()
    full = set()
    row: Any
    for row in rows.itertuples(index=False):
        left = float(row.capacity) - float(used.get((row.provider, row.year), 0.0))
        if left < float(smallest.get(row.provider, 0.0)) - TOL:
            full.add((str(row.provider), int(row.year)))
    return full


# --------------------------------------------------------------------------- shadow prices


class _FixedRunLP:
    """The model as an LP with the runs fixed at the plan's values, kept in HiGHS for quick re-solves."""

    def __init__(self, model: Model, *, runs_at_least: bool = False) -> None:
        self.model = model
        matrix = model.matrix
        self.highs = new_highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.passModel(matrix.highs_lp(mip=False))
        sets = model.sets
        runs_index = model.columns("runs")
        planned = _plan_values(model, "runs")
        upper = planned if not runs_at_least else sets.runs["run_upper"].to_numpy(float)
        if len(runs_index):
            self.highs.changeColsBounds(len(runs_index), runs_index, planned, upper)
        cut_rows = matrix.rows(
            model.rows.get("cohort_cuts", pd.DataFrame({"constraint": []}))["constraint"]
            .dropna()
            .tolist()
        )
        if not runs_at_least:
            self._natural_resources(model, cut_rows)
        self.unmet_index = model.columns("unmet")
        self.weights = sets.gaps["weight"].to_numpy(float)
        self.cost = np.zeros(matrix.n_cols)
        for family, frame, column in (
            ("runs", sets.runs, "fixed_cost_per_run"),
            ("participants", sets.participants, "cost_per_participant"),
            ("hires", sets.hires, "cost_per_hire"),
        ):
            self.cost[model.columns(family)] = frame[column].to_numpy(float)
        self.row_lower = matrix.row_lower.copy()
        self.row_upper = matrix.row_upper.copy()
        if not runs_at_least:
            self.row_lower[cut_rows] = -highspy.kHighsInf
            self.row_upper[cut_rows] = highspy.kHighsInf

    def _natural_resources(self, model: Model, cut_rows: np.ndarray) -> None:
        """With runs fixed, state the real resources: true seats, people as the only cap, no cohort cuts.

        The valid inequalities and pool-tightened seat counts help the MILP but
        would hide which real resource binds when one more seat or place is offered.
        """
        sets, matrix = model.sets, model.matrix
        participants_index = model.columns("participants")
        if len(participants_index):
            people = sets.participants["people_upper"].to_numpy(float)
            self.highs.changeColsBounds(
                len(participants_index), participants_index, np.zeros(len(people)), people
            )
        for row in cut_rows.tolist():
            self.highs.changeRowBounds(row, -highspy.kHighsInf, highspy.kHighsInf)
        seat_rows = model.rows.get("run_seats", pd.DataFrame({"constraint": []}))
        seats = sets.runs["max_participants"].to_numpy(float)
        run_columns = model.columns("runs")
        for name, run in zip(seat_rows["constraint"], sets.runs["run"], strict=False):
            if isinstance(name, str):
                self.highs.changeCoeff(
                    matrix.row_of[name], int(run_columns[int(run)]), -seats[int(run)]
                )

    def solve(self) -> tuple[float, float] | None:
        """(weighted unmet units, total cost) of the LP optimum, or None."""
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        values = np.asarray(self.highs.getSolution().col_value, dtype=float)
        return float(self.weights @ values[self.unmet_index]), float(self.cost @ values)

    def row_duals(self) -> np.ndarray:
        return np.asarray(self.highs.getSolution().row_dual, dtype=float)

    def with_row_upper(self, row: int, extra: float) -> tuple[float, float] | None:
        """Re-solve with row ``row``'s upper bound raised by ``extra``; restore it afterwards."""
        self.highs.changeRowBounds(row, self.row_lower[row], self.row_upper[row] + extra)
        try:
            return self.solve()
        finally:
            self.highs.changeRowBounds(row, self.row_lower[row], self.row_upper[row])


def _effect(base: tuple[float, float], changed: tuple[float, float] | None) -> tuple[float, float]:
    if changed is None:
        return 0.0, 0.0
    return base[0] - changed[0], changed[1] - base[1]  # weighted units closed more, cost added


def _effect_sentence(prefix: str, closed: float, cost: float, currency: str, min_cost: bool) -> str:
    if min_cost:
        if cost < -0.5:
            return f"{prefix} would lower total cost by {_money(-cost, currency)}."
        return f"{prefix} would not lower total cost with the runs as planned."
    if closed > 1e-3:
        return f"{prefix} would close {closed:.2f} more weighted gap units ({_money(cost, currency)} more spent in total)."
    return f"{prefix} would close nothing more with the runs as planned."


def shadow_prices(
    model: Model, plan: Plan, *, currency: str = "EUR", top: int = TOP
) -> pd.DataFrame:
    """What one more unit of budget, seat, trainer hour, hire or company place is worth.

    The MILP's own duals mean nothing, so the runs are fixed at the plan's
    values, participants and hires are relaxed to continuous, and the LP is
    solved; each resource's row is then relaxed by one unit (EUR 1 000 of
    budget, one seat, one hire, one place) and re-solved, and the change in
    weighted gap units closed and in cost is reported. Trainer hours only
    constrain runs, so for them the runs may grow continuously above the
    plan's values and the row dual gives the value of one hour.

    Returns rows with ``resource``, ``subject``, ``closed`` (weighted units),
    ``cost`` (currency) and ``sentence``; only resources whose relaxation
    changes something are listed (at most ``top`` per kind, budget always).
    """
    del (
        plan
    )  # the runs are read from the model's solved variables, which the plan was extracted from
    scenario = model.scenario
    min_cost = scenario.objective == "min_cost"
    columns = ["resource", "subject", "closed", "cost", "sentence"]
    lp = _FixedRunLP(model)
    base = lp.solve()
    if base is None:
        return pd.DataFrame(columns=columns)
    records: list[dict[str, Any]] = []
    row_of = model.matrix.row_of

    budget_rows = model.rows.get("public_budget", pd.DataFrame())
    provider_rows = model.rows.get("provider_hours", pd.DataFrame())
    growing: _FixedRunLP | None = None
    growing_base: tuple[float, float] | None = None
    if len(budget_rows) or len(provider_rows):
        growing = _FixedRunLP(model, runs_at_least=True)
        growing_base = growing.solve()
    row: Any
    for row in budget_rows.itertuples(index=False):
        if not isinstance(row.constraint, str):
            continue
        index = row_of[row.constraint]
        closed, cost = _effect(base, lp.with_row_upper(index, STEP_BUDGET))
        prefix = f"One more {_money(STEP_BUDGET, currency)} of public budget in {row.year}"
        sentence = _effect_sentence(prefix, closed, cost, currency, min_cost)
        if growing is not None and growing_base is not None:
            more, extra = _effect(growing_base, growing.with_row_upper(index, STEP_BUDGET))
            estimate = (
                f"{more:.2f} weighted gap units"
                if not min_cost
                else f"{_money(max(0.0, -extra), currency)} less cost"
            )
            sentence = sentence[:-1] + f"; if runs could be added, about {estimate} (LP estimate)."
        records.append(
            {
                "resource": "public_budget",
                "subject": str(row.year),
                "closed": closed,
                "cost": cost,
                "sentence": sentence,
            }
        )

    duals = lp.row_duals()
    titles = model.dataset.courses["title"]
    skill_labels = model.dataset.skills["label"]
    company_names = model.dataset.companies["name"]
    # One more unit of each resource kind: (constraint family, resource, subject, sentence start).
    unit_relaxations: list[tuple[pd.DataFrame, str, Callable[[Any], str], Callable[[Any], str]]] = [
        (
            _ranked(model, "run_seats", duals, top, require=_plan_values(model, "runs") > 0),
            "seat",
            lambda r: f"{r.course_id} {r.year}",
            lambda r: f"One more seat on {titles.get(r.course_id, r.course_id)} in {r.year}",
        ),
        (
            _ranked(model, "hire_supply", duals, top),
            "hire_supply",
            lambda r: f"{r.skill} {r.region} {r.year}",
            lambda r: f"One more {skill_labels.get(r.skill, r.skill)} hire available in {region_name(r.region)} in {r.year}",
        ),
        (
            _ranked(model, "company_places", duals, top),
            "company_place",
            lambda r: f"{r.company_id} {r.year}",
            lambda r: f"One more training place for {company_names.get(r.company_id, r.company_id)} in {r.year}",
        ),
    ]
    for ranked, resource, subject_of, prefix_of in unit_relaxations:
        for row in ranked.itertuples(index=False):
            closed, cost = _effect(base, lp.with_row_upper(row_of[row.constraint], 1.0))
            if abs(closed) < 1e-6 and abs(cost) < 0.5:
                continue
            records.append(
                {
                    "resource": resource,
                    "subject": subject_of(row),
                    "closed": closed,
                    "cost": cost,
                    "sentence": _effect_sentence(prefix_of(row), closed, cost, currency, min_cost),
                }
            )

    if len(provider_rows) and growing is not None and growing_base is not None:
        growing.solve()
        hour_duals = growing.row_duals()
        for row in _ranked(model, "provider_hours", hour_duals, top).itertuples(index=False):
            dual = abs(float(hour_duals[row_of[row.constraint]]))
            if min_cost:
                closed = 0.0
                sentence = (
                    f"One more trainer hour at {row.provider} in {row.year} would lower total cost "
                    f"by about {_money(dual, currency)}."
                )
            else:
                closed = dual / model.gap_unit_value
                sentence = (
                    f"One more trainer hour at {row.provider} in {row.year} is worth about {closed:.3f} "
                    f"weighted gap units ({_money(dual, currency)} of net value, runs free to grow "
                    "beyond the plan)."
                )
            records.append(
                {
                    "resource": "trainer_hours",
                    "subject": f"{row.provider} {row.year}",
                    "closed": closed,
                    "cost": 0.0,
                    "sentence": sentence,
                }
            )
    return pd.DataFrame.from_records(records, columns=columns)


def _ranked(
    model: Model, family: str, duals: np.ndarray, top: int, require: np.ndarray | None = None
) -> pd.DataFrame:
    rows = model.rows.get(family)
    if rows is None or rows.empty:
        return pd.DataFrame(columns=["constraint"])
    present = rows["constraint"].notna().to_numpy().copy()
    if require is not None:
        present &= require
    chosen = rows[present].copy()
    chosen["dual"] = np.abs(duals[model.matrix.rows(chosen["constraint"])])
    chosen = chosen[chosen["dual"] > 1e-6]
    return chosen.sort_values("dual", ascending=False).head(top)


def explain(
    model: Model, plan: Plan, result: SolveResult | None = None, *, currency: str = "EUR"
) -> list[Explanation]:
    """Every explanation of a plan: unmet gaps (largest weighted first), then shadow prices."""
    explanations: list[Explanation] = []
    reasons = unmet_reasons(model, plan, result)
    if len(reasons):
        weight = reasons["priority"].map(model.scenario.priority_weights).astype(float)
        reasons = reasons.assign(weighted=weight * reasons["unmet_units"]).sort_values(
            "weighted", ascending=False
        )
        row: Any
        for row in reasons.itertuples(index=False):
            subject = f"{row.company_id} / {row.skill} ({row.current_level}->{row.required_level}, by {row.deadline})"
            explanations.append(
                Explanation(
                    "unmet", subject, str(row.reason), str(row.sentence), float(row.unmet_units)
                )
            )
    prices = shadow_prices(model, plan, currency=currency)
    for row in prices.itertuples(index=False):
        explanations.append(
            Explanation(
                "shadow_price",
                f"{row.resource}: {row.subject}",
                str(row.resource),
                str(row.sentence),
                float(row.closed),
            )
        )
    return explanations

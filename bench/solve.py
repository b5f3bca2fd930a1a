"""Time vetplan's whole pipeline per benchmark tier, beside a naive formulation of the same tables.

Each tier runs in its own process so that its peak memory is its own: ``peak_mb``
is the process's peak resident set size (``resource.getrusage(...).ru_maxrss``),
including Python, the libraries and the generated region.

vetplan: ``run_scenario`` without explanations (build, start, coverage MIP, cost
stage, extract, check), with the tier's time limit. ``--baseline`` adds the naive
model (:func:`baseline`): one integer variable of whole people per demand row x
course x year, integer runs with min/max seats, whole hires, places per company,
the budget, no aggregation, no cuts, no start, passed to highspy as arrays with
the same time limit. Both plans are re-scored by one evaluator: mapped to the
model's variables, extracted to plan tables, checked by the plan checker and
valued by :func:`optimisation.results.objective_of_plan`; both gaps are measured
against vetplan's proven bound (valid for both: the naive model's plans are plans
of the full model).

Targets on a 2-core machine: S <= 0.5 s, M <= 5 s at <= 0.5 %, L <= 20 s at
<= 0.5 %, NS <= 120 s at <= 1 %. The bench exits with status 1 when a vetplan
plan is poor or missing, has checker violations, or its total time exceeds the
limit plus :func:`optimisation.plan.time_margin`.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Per tier: years, relative gap and time limit (the target).
TIER_SETTINGS: dict[str, dict[str, Any]] = {
    "S": {"years": [2027], "mip_gap": 0.005, "time_limit_s": 0.5},
    "M": {"years": [2027, 2028, 2029], "mip_gap": 0.005, "time_limit_s": 5.0},
    "L": {"years": [2027, 2028, 2029], "mip_gap": 0.005, "time_limit_s": 20.0},
    "NS": {"years": [2027, 2028, 2029], "mip_gap": 0.01, "time_limit_s": 120.0},
}
BUDGET_PER_COMPANY = 3500.0
COLUMNS = (
    "tier",
    "limit_s",
    "build_s",
    "start_s",
    "mip_s",
    "cost_s",
    "post_s",
    "total_s",
    "status",
    "gap",
    "cost_gap",
    "closed_units",
    "cost",
    "violations",
    "peak_mb",
    "base_total_s",
    "base_status",
    "base_gap",
    "base_closed_units",
    "base_cost",
    "base_violations",
)


def _scenario(tier: str, n_companies: int, solver: str, budget_per_company: float) -> Any:
    from optimisation.scenarios import load_scenario

    settings = TIER_SETTINGS[tier]
    return load_scenario(
        ROOT / "data" / "scenarios" / "base.yaml",
        {
            "name": f"bench_{tier}",
            "years": settings["years"],
            "budget_per_year": budget_per_company * n_companies,
            "mip_gap": settings["mip_gap"],
            "time_limit_s": settings["time_limit_s"],
            "solver": solver,
        },
    )


def run_tier(
    tier: str, solver: str, budget_per_company: float = BUDGET_PER_COMPANY, with_baseline: bool = False
) -> dict[str, Any]:
    """Generate the tier, run vetplan's pipeline once and, optionally, the naive baseline."""
    from optimisation.plan import run_scenario
    from skills.sample import generate_region

    dataset = generate_region(tier)
    scenario = _scenario(tier, len(dataset.companies), solver, budget_per_company)
    began = time.perf_counter()
    result = run_scenario(dataset, scenario, with_explanations=False)
    total = time.perf_counter() - began
    timings = result.timings
    totals = result.plan.totals if result.plan is not None else {}
    row: dict[str, Any] = {
        "tier": tier,
        "limit_s": scenario.time_limit_s,
        "build_s": round(timings.get("build_s", 0.0), 3),
        "start_s": round(timings.get("solve_start_s", 0.0), 3),
        "lp_s": round(timings.get("solve_lp_s", 0.0), 3),
        "mip_s": round(timings.get("solve_mip_s", 0.0), 3),
        "cost_s": round(timings.get("solve_cost_s", 0.0), 3),
        "post_s": round(timings.get("extract_s", 0.0) + timings.get("check_s", 0.0), 3),
        "total_s": round(total, 3),
        "status": result.status.value,
        "objective": _round(result.objective),
        "bound": _round(result.bound),
        "gap": _round(result.gap, 5),
        "cost_gap": _round(result.result.cost_gap, 5),
        "closed_units": round(float(totals.get("closed_units", 0.0)), 1),
        "cost": round(float(totals.get("total_cost", 0.0)), 0),
        "violations": len(result.violations),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
        "message": result.result.message,
        "_size": result.model_size,
    }
    if with_baseline:
        row.update(baseline(dataset, scenario, result.bound))
    return row


def _round(value: float | None, digits: int = 2) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def baseline(dataset: Any, scenario: Any, bound: float | None) -> dict[str, Any]:
    """Build and solve the naive formulation with highspy, then re-score its plan like vetplan's.

    Its elements are the model's index sets (the same eligibility rules, so
    both models see the same options; in the generated tiers every gap group
    is one demand row). Columns: ``y`` whole people per (demand row, course,
    year), ``r`` runs per (course, year) up to ``max_runs_per_year``, ``w``
    whole hires per (demand row, year), ``u`` unmet units. Rows: coverage
    (``sum rho y + sum rho w + u >= n``), seats and minimum cohort per run
    slot, people per company and course at most those who need it, company
    places, the public budget per year, market supply. No cuts, no start,
    no aggregation of people across a course's skills.
    """
    import highspy

    from optimisation.checker import check_plan
    from optimisation.model import build_model
    from optimisation.results import extract_plan, objective_of_plan
    from optimisation.solve import new_highs, relative_gap

    if (
        scenario.company_cost_cap is not None
        or scenario.company_hours_per_employee is not None
        or scenario.default_trainer_hours is not None
        or scenario.provider_trainer_hours
    ):
        msg = "the baseline covers the bench scenario only (no cost cap, hours or trainer limits)"
        raise ValueError(msg)
    began = time.perf_counter()
    model = build_model(dataset, scenario)  # for its index sets and, afterwards, for re-scoring
    sets = model.sets
    training, participants, runs = sets.training, sets.participants, sets.runs
    options, hires, markets, gaps = sets.hire_options, sets.hires, sets.markets, sets.gaps
    n_y, n_r, n_w, n_u = len(training), len(runs), len(options), len(gaps)
    y0, r0, w0, u0 = 0, n_y, n_y + n_r, n_y + n_r + n_w
    n_cols = u0 + n_u
    value = model.gap_unit_value
    weight = gaps["weight"].to_numpy(float)
    slot = training["participant"].to_numpy()
    run_of_option = participants["run"].to_numpy()[slot]
    fee = participants["cost_per_participant"].to_numpy(float)[slot]
    fixed = runs["fixed_cost_per_run"].to_numpy(float)
    hire_cost = hires["cost_per_hire"].to_numpy(float)[options["hire"].to_numpy()]
    cost = np.concatenate([-fee, -fixed, -hire_cost, -value * weight])
    lower = np.zeros(n_cols)
    upper = np.concatenate(
        [
            np.ceil(training["units"].to_numpy(float) / training["retention"].to_numpy(float) - 1e-9),
            runs["max_runs_per_year"].to_numpy(float),
            np.ceil(options["units"].to_numpy(float) / options["retention"].to_numpy(float) - 1e-9),
            gaps["units"].to_numpy(float),
        ]
    )
    integer = np.concatenate([np.ones(n_y + n_r + n_w, bool), np.zeros(n_u, bool)])
    rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (row, column, coefficient)
    row_lower: list[np.ndarray] = []
    row_upper: list[np.ndarray] = []
    next_row = 0

    def add(row: np.ndarray, column: np.ndarray, coefficient: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        nonlocal next_row
        rows.append((row + next_row, column, coefficient))
        row_lower.append(lo)
        row_upper.append(hi)
        next_row += len(lo)

    inf = highspy.kHighsInf
    gap_of_option = training["gap"].to_numpy()
    gap_of_hire = options["gap"].to_numpy()
    add(
        np.concatenate([gap_of_option, gap_of_hire, np.arange(n_u)]),
        np.concatenate([y0 + np.arange(n_y), w0 + np.arange(n_w), u0 + np.arange(n_u)]),
        np.concatenate([training["retention"].to_numpy(float), options["retention"].to_numpy(float), np.ones(n_u)]),
        gaps["units"].to_numpy(float),
        np.full(n_u, inf),
    )
    for seats, lo, hi in (
        (runs["max_participants"].to_numpy(float), np.full(n_r, -inf), np.zeros(n_r)),
        (runs["min_participants"].to_numpy(float), np.zeros(n_r), np.full(n_r, inf)),
    ):
        add(
            np.concatenate([run_of_option, np.arange(n_r)]),
            np.concatenate([y0 + np.arange(n_y), r0 + np.arange(n_r)]),
            np.concatenate([np.ones(n_y), -seats]),
            lo,
            hi,
        )
    n_slots = len(participants)
    add(slot, y0 + np.arange(n_y), np.ones(n_y), np.full(n_slots, -inf), participants["upper"].to_numpy(float))
    if scenario.company_capacity_share is not None:
        keys = participants[["company_id", "year"]].drop_duplicates().reset_index(drop=True)
        keys["row"] = np.arange(len(keys))
        slot_row = participants.merge(keys, on=["company_id", "year"], how="left")["row"].to_numpy()
        employees = keys["company_id"].map(sets.companies["employees"]).to_numpy(float)
        places = np.maximum(1.0, np.floor(employees * scenario.company_capacity_share + 1e-9))
        add(slot_row[slot], y0 + np.arange(n_y), np.ones(n_y), np.full(len(keys), -inf), places)
    years = list(sets.years)
    budgets = [scenario.budget(year) for year in years]
    limited = [i for i, b in enumerate(budgets) if b is not None]
    if limited and scenario.subsidy_rate > 0:
        position = {years[i]: j for j, i in enumerate(limited)}
        option_year = training["year"].map(position)
        run_year = runs["year"].map(position)
        keep_y, keep_r = option_year.notna().to_numpy(), run_year.notna().to_numpy()
        add(
            np.concatenate([option_year.to_numpy()[keep_y], run_year.to_numpy()[keep_r]]).astype(np.int64),
            np.concatenate([y0 + np.arange(n_y)[keep_y], r0 + np.arange(n_r)[keep_r]]),
            scenario.subsidy_rate * np.concatenate([fee[keep_y], fixed[keep_r]]),
            np.full(len(limited), -inf),
            np.array([budgets[i] for i in limited], dtype=float),
        )
    market_of_option = hires["market"].to_numpy()[options["hire"].to_numpy()]
    add(
        market_of_option,
        w0 + np.arange(n_w),
        np.ones(n_w),
        np.full(len(markets), -inf),
        markets["available"].to_numpy(float),
    )
    row_index = np.concatenate([r for r, _, _ in rows])
    column_index = np.concatenate([c for _, c, _ in rows])
    coefficients = np.concatenate([v for _, _, v in rows])
    order = np.argsort(row_index, kind="stable")
    starts = np.searchsorted(row_index[order], np.arange(next_row + 1))

    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_cols, next_row
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
    lp.row_lower_, lp.row_upper_ = np.concatenate(row_lower), np.concatenate(row_upper)
    lp.offset_ = float(value * (weight * gaps["units"].to_numpy(float)).sum())
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_cols, next_row
    lp.a_matrix_.start_ = starts.astype(np.int32)
    lp.a_matrix_.index_ = column_index[order].astype(np.int32)
    lp.a_matrix_.value_ = coefficients[order]
    kinds = (highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous)
    lp.integrality_ = [kinds[0] if flag else kinds[1] for flag in integer.tolist()]
    highs = new_highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("mip_rel_gap", float(scenario.mip_gap))
    highs.setOptionValue("time_limit", max(0.05, scenario.time_limit_s - (time.perf_counter() - began)))
    highs.passModel(lp)
    highs.run()
    status = highs.getModelStatus().name
    info = highs.getInfo()
    out: dict[str, Any] = {"base_status": status, "base_rows": next_row, "base_cols": n_cols,
                           "base_nnz": len(coefficients)}
    if int(info.primal_solution_status) != 2:
        out.update({"base_total_s": round(time.perf_counter() - began, 3), "base_gap": None,
                    "base_closed_units": 0.0, "base_cost": None, "base_violations": None})
        return out
    solution = np.asarray(highs.getSolution().col_value, dtype=float)
    solution[integer] = np.round(solution[integer])
    y, r, w = solution[:n_y], solution[r0:w0], solution[w0:u0]

    # Re-score: the naive plan as values of the model's variables, then tables, checker, objective.
    retention_y = training["retention"].to_numpy(float)
    retention_w = options["retention"].to_numpy(float)
    closed = np.bincount(gap_of_option, retention_y * y, n_u) + np.bincount(gap_of_hire, retention_w * w, n_u)
    units = gaps["units"].to_numpy(float)
    scale = np.where(closed > units, units / np.maximum(closed, 1e-12), 1.0)  # nobody closes more than the gap
    z, v = y * scale[gap_of_option], w * scale[gap_of_hire]
    unmet = np.maximum(0.0, units - np.bincount(gap_of_option, retention_y * z, n_u) - np.bincount(gap_of_hire, retention_w * v, n_u))
    mapped = {
        "training": z,
        "participants": np.bincount(slot, y, n_slots),
        "runs": r,
        "hire_options": v,
        "hires": np.bincount(options["hire"].to_numpy(), w, len(hires)),
        "unmet": unmet,
    }
    for family, values in mapped.items():
        for variable, number in zip(model.variables[family], values.tolist(), strict=True):
            variable.varValue = number
    plan = extract_plan(model)
    violations = check_plan(dataset, scenario, plan)
    objective = objective_of_plan(plan, model.gap_unit_value, scenario.objective)
    out.update(
        {
            "base_total_s": round(time.perf_counter() - began, 3),
            "base_objective": round(objective, 2),
            "base_own_gap": _round(relative_gap(float(info.objective_function_value), float(info.mip_dual_bound)), 5),
            "base_gap": _round(relative_gap(objective, bound), 5),
            "base_closed_units": round(float(plan.totals["closed_units"]), 1),
            "base_cost": round(float(plan.totals["total_cost"]), 0),
            "base_violations": len(violations),
        }
    )
    return out


def _percent(value: Any) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


def _table(rows: list[dict[str, Any]]) -> str:
    header = [c for c in COLUMNS if any(c in row for row in rows)]
    lines = []
    for row in rows:
        values = []
        for column in header:
            item = row.get(column)
            if column in ("gap", "cost_gap", "base_gap"):
                values.append(_percent(item))
            elif isinstance(item, float):
                values.append(f"{item:,.0f}" if column in ("cost", "base_cost", "closed_units", "base_closed_units") else f"{item:.2f}")
            else:
                values.append("-" if item is None else str(item))
        lines.append(values)
    widths = [max(len(h), *(len(v[i]) for v in lines)) for i, h in enumerate(header)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out.extend("  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) for values in lines)
    return "\n".join(out)


def failures(rows: list[dict[str, Any]]) -> list[str]:
    """Why the bench fails: a poor or missing plan, checker violations, or a total beyond limit + margin."""
    from optimisation.plan import time_margin

    problems = []
    for row in rows:
        tier, limit = row["tier"], row["limit_s"]
        if row["status"] not in ("optimal", "feasible"):
            problems.append(f"{tier}: status {row['status']} ({row.get('message', '')})")
        if row["violations"]:
            problems.append(f"{tier}: {row['violations']} plan checker violation(s)")
        if row["total_s"] > limit + time_margin(limit):
            problems.append(f"{tier}: total {row['total_s']:.2f} s exceeds {limit:g} s + margin {time_margin(limit):.2f} s")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiers", nargs="+", default=["S", "M", "L"], choices=list(TIER_SETTINGS))
    parser.add_argument("--solver", default="highs", choices=["highs", "cbc"])
    parser.add_argument("--baseline", action="store_true", help="also solve the naive formulation of each tier")
    parser.add_argument(
        "--budget-per-company",
        type=float,
        default=BUDGET_PER_COMPANY,
        help="public budget per company per year (default: the sample's base scenario, EUR 250 000 for 72 companies)",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list of rows instead of a table")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one tier in this process
    args = parser.parse_args(argv)

    if args.one:
        print(json.dumps(run_tier(args.one, args.solver, args.budget_per_company, args.baseline)))
        return 0
    rows = []
    for tier in args.tiers:
        command = [sys.executable, str(Path(__file__).resolve()), "--one", tier, "--solver", args.solver,
                   "--budget-per-company", str(args.budget_per_company)]
        if args.baseline:
            command.append("--baseline")
        completed = subprocess.run(command, check=True, capture_output=True, text=True)
        rows.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    problems = failures(rows)
    if args.json:
        print(json.dumps({"rows": rows, "failures": problems}, indent=2))
    else:
        print(
            f"solver {args.solver}; public budget EUR {args.budget_per_company:,.0f} per company per year; "
            "gaps on each plan's own objective against vetplan's proven bound; base_* = naive model"
        )
        print(_table(rows))
        for problem in problems:
            print(f"FAIL {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

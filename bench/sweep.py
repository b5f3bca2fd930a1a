"""Time a budget sweep against independent cold solves of the same budgets; profile one solve per tier.

Sweep mode (default): tier M (``--tier``) from :func:`skills.sample.generate_region`,
the sample's base scenario with the tier's years, gap and time limit from
``bench/solve.py`` (``TIER_SETTINGS``), and 8 public budgets per year of
``--fractions`` x EUR ``--budget-per-company`` x companies. First the 8 cold solves,
one after another in this process (``run_scenario`` without explanations, as the
sweep), then :func:`skills.sweep.budget_sweep` on a fresh executor (local processes,
one per core; its start-up counts in the sweep's wall time). Prints one row per
budget (both plans, their gaps and where the sweep's plan came from) and the
speed-up; the target is >= 2.5x on a 2-core machine with every plan within its
requested gap.

Profile mode (``--profile S M L``): one solve per tier, each in its own process:
seconds per phase, peak resident memory (``ru_maxrss``) before and after the
solve, and the pickled sizes of a task and of its result (what goes over the wire
to a Dask worker and back).
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.solve import BUDGET_PER_COMPANY, TIER_SETTINGS  # noqa: E402

#: Budgets of the sweep as multiples of EUR --budget-per-company x companies, per year.
FRACTIONS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)


def _scenario(tier: str, time_limit_s: float | None, mip_gap: float | None) -> Any:
    from optimisation.scenarios import load_scenario

    settings = dict(TIER_SETTINGS[tier])
    if time_limit_s is not None:
        settings["time_limit_s"] = time_limit_s
    if mip_gap is not None:
        settings["mip_gap"] = mip_gap
    return load_scenario(
        ROOT / "data" / "scenarios" / "base.yaml",
        {
            "name": f"sweep_{tier}",
            "years": settings["years"],
            "mip_gap": settings["mip_gap"],
            "time_limit_s": settings["time_limit_s"],
        },
    )


def _cold(dataset: Any, scenario: Any, budget: float) -> dict[str, Any]:
    from optimisation.plan import run_scenario
    from skills.sweep import peak_public_per_year

    began = time.perf_counter()
    result = run_scenario(
        dataset, scenario.model_copy(update={"budget_per_year": budget}), with_explanations=False
    )
    seconds = time.perf_counter() - began
    totals = result.plan.totals if result.plan is not None else {}
    peak = peak_public_per_year(result.plan.costs) if result.plan is not None else math.nan
    return {
        "seconds": seconds,
        "status": result.status.value,
        "gap": result.gap,
        "weighted": float(totals.get("weighted_closed_units", math.nan)),
        "public": float(totals.get("public_cost", math.nan)),
        "peak": peak,
    }


def run_sweep(args: argparse.Namespace) -> dict[str, Any]:
    """Cold solves, then the sweep, of the same budgets; every figure the table prints."""
    from skills.executor import SolveExecutor
    from skills.sample import generate_region
    from skills.sweep import budget_sweep

    dataset = generate_region(args.tier)
    scenario = _scenario(args.tier, args.time_limit, args.mip_gap)
    per_year = args.budget_per_company * len(dataset.companies)
    budgets = [round(fraction * per_year, 2) for fraction in args.fractions]
    began = time.perf_counter()
    cold = [_cold(dataset, scenario, budget) for budget in budgets]
    cold_wall = time.perf_counter() - began
    began = time.perf_counter()
    with SolveExecutor(workers=args.workers) as executor:
        sweep = budget_sweep(dataset, scenario, budgets, executor=executor)
    sweep_wall = time.perf_counter() - began
    return {
        "tier": args.tier,
        "budgets": budgets,
        "mip_gap": scenario.mip_gap,
        "time_limit_s": scenario.time_limit_s,
        "cold": cold,
        "cold_wall_s": cold_wall,
        "sweep_wall_s": sweep_wall,
        "sweep": sweep.to_json_dict(),
    }


def _percent(value: float | None) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{100 * value:.2f}%"


def _budget(value: float | str | None) -> str:
    if value is None:
        return "-"
    return value if isinstance(value, str) else f"{value:,.0f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in rows)
    return "\n".join(lines)


def print_sweep(report: dict[str, Any]) -> None:
    from skills.sweep import monotonicity_problems, yearly_budget_notes

    sweep = report["sweep"]
    gap = report["mip_gap"]
    header = [
        "budget", "cold s", "cold status", "cold gap", "cold W", "cold public",
        "sweep status", "sweep gap", "sweep W", "sweep public", "solved", "plan of", "knee",
    ]  # fmt: skip
    rows = []
    for cold, point in zip(report["cold"], sweep["points"], strict=True):
        rows.append(
            [
                _budget(point["budget"]),
                f"{cold['seconds']:.1f}",
                cold["status"],
                _percent(cold["gap"]),
                f"{cold['weighted']:,.1f}",
                f"{cold['public']:,.0f}",
                point["status"],
                _percent(point["gap"]),
                f"{point['weighted_closed_units']:,.1f}",
                f"{point['public_cost']:,.0f}",
                "yes" if point["solved"] else "no",
                _budget(point["plan_budget"]) if point["reused_from"] is not None else "own",
                "*" if point["is_knee"] else "",
            ]
        )
    unlimited = sweep["unlimited"]
    cold_within = sum(1 for c in report["cold"] if c["gap"] is not None and c["gap"] <= gap)
    sweep_within = sum(1 for p in sweep["points"] if p["within_gap"])
    cold_breaches = _cold_findings(report, monotonicity_problems)
    cold_notes = _cold_findings(report, yearly_budget_notes)
    speed_up = report["cold_wall_s"] / report["sweep_wall_s"]
    print(
        f"tier {report['tier']}: {len(report['budgets'])} budgets per year, mip_gap {_percent(gap)}, "
        f"time limit {report['time_limit_s']:g} s; executor {sweep['executor']}; "
        f"W = weighted closed gap units, public = public money over the horizon (EUR)"
    )
    print(_table(header, rows))
    print(
        f"unlimited plan: W {unlimited['weighted_closed_units']:,.1f}, largest yearly public spend "
        f"{unlimited['peak_public_per_year']:,.0f}, gap {_percent(unlimited['gap'])}, "
        f"{unlimited['seconds']:.1f} s"
    )
    print(
        f"cold: 8 solves one after another {report['cold_wall_s']:.1f} s, {cold_within}/8 within "
        f"{_percent(gap)}, {cold_breaches} monotonicity breaches, {cold_notes} yearly-budget notes | "
        f"sweep: {sweep['solves']} solves (unlimited included) {report['sweep_wall_s']:.1f} s, "
        f"{sweep_within}/8 within {_percent(gap)}, {len(sweep['problems'])} monotonicity breaches, "
        f"{len(sweep['notes'])} yearly-budget notes | speed-up {speed_up:.2f}x"
    )
    for problem in sweep["problems"]:
        print(f"  sweep breach: {problem}")
    for note in sweep["notes"]:
        print(f"  sweep note: {note}")


def _cold_findings(report: dict[str, Any], check: Any) -> int:
    """How many findings of ``check`` (breaches, or yearly-budget notes) the cold solves' curve has."""
    from skills.sweep import SweepPoint

    points = [
        SweepPoint(
            budget=budget,
            weighted_closed_units=cold["weighted"],
            closed_units=math.nan,
            unmet_units=math.nan,
            coverage=math.nan,
            public_cost=cold["public"],
            company_cost=math.nan,
            total_cost=math.nan,
            peak_public_per_year=cold["peak"],
            objective=None,
            status=cold["status"],
            gap=cold["gap"],
            within_gap=True,
            solved=True,
            seconds=cold["seconds"],
            plan_budget=budget,
            reused_from=None,
            reason="cold solve",
        )
        for budget, cold in zip(report["budgets"], report["cold"], strict=True)
        if math.isfinite(cold["weighted"])
    ]
    return len(check(points))


def profile_tier(tier: str, args: argparse.Namespace) -> dict[str, Any]:
    """One solve of ``tier`` in this process: phase seconds, peak memory, task and result sizes."""
    from optimisation.plan import run_scenario
    from skills.executor import make_task
    from skills.sample import generate_region

    began = time.perf_counter()
    dataset = generate_region(tier)
    generated = time.perf_counter() - began
    scenario = _scenario(tier, args.time_limit, args.mip_gap)
    scenario = scenario.model_copy(
        update={"budget_per_year": args.budget_per_company * len(dataset.companies)}
    )
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    began = time.perf_counter()
    result = run_scenario(dataset, scenario, with_explanations=False)
    solve_s = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    task_bytes = len(pickle.dumps(make_task(dataset, scenario)))
    result_bytes = len(pickle.dumps(result))
    return {
        "tier": tier,
        "companies": len(dataset.companies),
        "courses": len(dataset.courses),
        "demand_rows": len(dataset.demand),
        "years": len(scenario.years),
        "time_limit_s": scenario.time_limit_s,
        "generate_s": round(generated, 2),
        "build_s": round(result.timings.get("build_s", 0.0), 2),
        "solve_s": round(result.timings.get("solve_s", 0.0), 2),
        "total_s": round(solve_s, 2),
        "status": result.status.value,
        "gap": result.gap,
        "rss_before_mb": round(before_mb, 1),
        "peak_rss_mb": round(peak_mb, 1),
        "task_kb": round(task_bytes / 1024.0, 1),
        "result_kb": round(result_bytes / 1024.0, 1),
        "nonzeros": result.model_size.get("nonzeros", 0),
    }


def print_profiles(rows: list[dict[str, Any]]) -> None:
    header = [
        "tier", "companies", "courses", "demand", "years", "limit s", "build s", "solve s",
        "total s", "status", "gap", "rss before MB", "peak rss MB", "task KB", "result KB", "nnz",
    ]  # fmt: skip
    table = [
        [
            row["tier"],
            str(row["companies"]),
            str(row["courses"]),
            str(row["demand_rows"]),
            str(row["years"]),
            f"{row['time_limit_s']:g}",
            f"{row['build_s']:.2f}",
            f"{row['solve_s']:.2f}",
            f"{row['total_s']:.2f}",
            row["status"],
            _percent(row["gap"]),
            f"{row['rss_before_mb']:.0f}",
            f"{row['peak_rss_mb']:.0f}",
            f"{row['task_kb']:.0f}",
            f"{row['result_kb']:.0f}",
            str(row["nonzeros"]),
        ]
        for row in rows
    ]
    print("one run_scenario per tier, each in its own process; rss = ru_maxrss of that process")
    print(_table(header, table))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tier", default="M", choices=sorted(TIER_SETTINGS))
    parser.add_argument("--fractions", nargs=8, type=float, default=list(FRACTIONS))
    parser.add_argument("--budget-per-company", type=float, default=BUDGET_PER_COMPANY)
    parser.add_argument("--time-limit", type=float, help="seconds per solve (default: the tier's)")
    parser.add_argument("--mip-gap", type=float, help="relative gap (default: the tier's)")
    parser.add_argument("--workers", type=int, help="local processes (default: one per core)")
    parser.add_argument("--profile", nargs="+", choices=sorted(TIER_SETTINGS), help="tiers")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: profile one tier here
    args = parser.parse_args(argv)

    if args.one:
        print(json.dumps(profile_tier(args.one, args)))
        return 0
    if args.profile:
        rows = []
        for tier in args.profile:
            command = [sys.executable, str(Path(__file__).resolve()), "--one", tier]
            command += ["--budget-per-company", str(args.budget_per_company)]
            for option, value in (("--time-limit", args.time_limit), ("--mip-gap", args.mip_gap)):
                command += [option, str(value)] if value is not None else []
            completed = subprocess.run(command, check=True, capture_output=True, text=True)
            rows.append(json.loads(completed.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows, indent=2)) if args.json else print_profiles(rows)
        return 0
    report = run_sweep(args)
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print_sweep(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

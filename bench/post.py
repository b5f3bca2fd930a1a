"""CPU time of the post-solve glue: ``extract_plan`` and ``check_plan`` per tier.

Builds and solves each instance once (tiers S and M with bench/solve.py's
scenario, the sample region with ``data/scenarios/base.yaml``), then times
``extract_plan(model)`` and ``check_plan(dataset, scenario, plan)`` N times
with ``time.process_time()`` (CPU seconds, robust on a shared machine) and
prints min and median per tier.

    .venv/bin/python bench/post.py [--tiers S M sample] [--runs 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _instance(tier: str) -> tuple[Any, Any]:
    from optimisation.scenarios import load_scenario
    from skills.sample import generate_region

    dataset = generate_region(tier)
    if tier == "sample":
        return dataset, load_scenario(ROOT / "data" / "scenarios" / "base.yaml")
    import solve as bench_solve  # bench/solve.py

    scenario = bench_solve._scenario(
        tier, len(dataset.companies), "highs", bench_solve.BUDGET_PER_COMPANY
    )
    return dataset, scenario


def measure(tier: str, runs: int) -> dict[str, Any]:
    """Solve ``tier`` once, then time extract_plan and check_plan ``runs`` times each."""
    from optimisation.checker import check_plan
    from optimisation.model import build_model
    from optimisation.results import extract_plan
    from optimisation.solve import solve

    dataset, scenario = _instance(tier)
    model = build_model(dataset, scenario)
    result = solve(model)
    extract: list[float] = []
    check: list[float] = []
    violations: list[Any] = []
    plan = extract_plan(model)  # warm-up (imports, caches)
    check_plan(dataset, scenario, plan)
    for _ in range(runs):
        began = time.process_time()
        plan = extract_plan(model)
        extract.append(time.process_time() - began)
        began = time.process_time()
        violations = check_plan(dataset, scenario, plan)
        check.append(time.process_time() - began)
    return {
        "tier": tier,
        "status": str(getattr(result.status, "value", result.status)),
        "closures": len(plan.closures),
        "participants": len(plan.participants),
        "violations": len(violations),
        "extract_min": min(extract),
        "extract_median": statistics.median(extract),
        "check_min": min(check),
        "check_median": statistics.median(check),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiers", nargs="+", default=["S", "M", "sample"])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = [measure(tier, args.runs) for tier in args.tiers]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"CPU seconds over {args.runs} runs (time.process_time)")
    header = (
        f"{'tier':<7} {'status':<9} {'closures':>8} {'viol':>4} "
        f"{'extract min':>11} {'median':>7} {'check min':>9} {'median':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['tier']:<7} {row['status']:<9} {row['closures']:>8} {row['violations']:>4} "
            f"{row['extract_min']:>11.4f} {row['extract_median']:>7.4f} "
            f"{row['check_min']:>9.4f} {row['check_median']:>7.4f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

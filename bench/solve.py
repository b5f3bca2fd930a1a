"""Time model build, solve and extract on the benchmark tiers, with the LP relaxation as a reference.

Each tier runs in its own process so that its peak memory is its own: ``peak_mb``
is the process's peak resident set size (``resource.getrusage(...).ru_maxrss``)
after build, solve and extract, so it includes Python, the libraries and the
generated region. Targets on a 2-core machine: S within 2 s; M within 10 s at
<= 1 % gap; L within 60 s at <= 2 % gap; build under 20 % of the total.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Per tier: years, public budget per company per year, relative gap and time limit (the target).
TIER_SETTINGS: dict[str, dict[str, Any]] = {
    "S": {"years": [2027], "mip_gap": 0.01, "time_limit_s": 2.0},
    "M": {"years": [2027, 2028, 2029], "mip_gap": 0.01, "time_limit_s": 10.0},
    "L": {"years": [2027, 2028, 2029], "mip_gap": 0.02, "time_limit_s": 60.0},
}
BUDGET_PER_COMPANY = 3500.0
COLUMNS = (
    "tier",
    "build_s",
    "solve_s",
    "extract_s",
    "total_s",
    "status",
    "objective",
    "gap",
    "lp_relaxation_s",
    "peak_mb",
)


def run_tier(
    tier: str, solver: str, budget_per_company: float = BUDGET_PER_COMPANY
) -> dict[str, Any]:
    """Generate the tier, then build, solve and extract once; solve its LP relaxation on a fresh build."""
    from optimisation.model import build_model
    from optimisation.results import extract_plan
    from optimisation.scenarios import load_scenario
    from optimisation.solve import solve
    from skills.sample import generate_region

    dataset = generate_region(tier)
    settings = TIER_SETTINGS[tier]
    scenario = load_scenario(
        ROOT / "data" / "scenarios" / "base.yaml",
        {
            "name": f"bench_{tier}",
            "years": settings["years"],
            "budget_per_year": budget_per_company * len(dataset.companies),
            "mip_gap": settings["mip_gap"],
            "time_limit_s": settings["time_limit_s"],
            "solver": solver,
        },
    )
    began = time.perf_counter()
    model = build_model(dataset, scenario)
    built = time.perf_counter()
    result = solve(model)
    solved = time.perf_counter()
    extract_plan(model) if result.has_plan else None
    extracted = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    size = model.size()

    relaxed_model = build_model(dataset, scenario)
    relax_began = time.perf_counter()
    solve(relaxed_model, relax=True, solver="highs")
    relax_s = time.perf_counter() - relax_began
    return {
        "tier": tier,
        "build_s": round(built - began, 3),
        "solve_s": round(solved - built, 3),
        "extract_s": round(extracted - solved, 3),
        "total_s": round(extracted - began, 3),
        "status": result.status.value,
        "objective": None if result.objective is None else round(result.objective, 2),
        "gap": None if result.gap is None else round(result.gap, 5),
        "lp_relaxation_s": round(relax_s, 3),
        "peak_mb": round(peak_mb, 1),
        "_constraints": size["constraints"],
        "_variables": sum(v for k, v in size.items() if k not in ("constraints", "nonzeros")),
        "_nonzeros": size["nonzeros"],
        "_solver_status": result.solver_status,
    }


def _table(rows: list[dict[str, Any]]) -> str:
    header = [*COLUMNS, "build %", "rows", "cols", "nnz"]
    lines = []
    for row in rows:
        share = 100.0 * row["build_s"] / row["total_s"] if row["total_s"] else 0.0
        gap = "-" if row["gap"] is None else f"{100 * row['gap']:.2f}%"
        values = [
            row["tier"],
            f"{row['build_s']:.2f}",
            f"{row['solve_s']:.2f}",
            f"{row['extract_s']:.2f}",
            f"{row['total_s']:.2f}",
            row["status"],
            "-" if row["objective"] is None else f"{row['objective']:,.0f}",
            gap,
            f"{row['lp_relaxation_s']:.2f}",
            f"{row['peak_mb']:.0f}",
            f"{share:.0f}%",
            str(row["_constraints"]),
            str(row["_variables"]),
            str(row["_nonzeros"]),
        ]
        lines.append(values)
    widths = [max(len(str(h)), *(len(v[i]) for v in lines)) for i, h in enumerate(header)]
    out = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out.extend(
        "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) for values in lines
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--tiers", nargs="+", default=["S", "M", "L"], choices=sorted(TIER_SETTINGS)
    )
    parser.add_argument("--solver", default="highs", choices=["highs", "cbc"])
    parser.add_argument(
        "--budget-per-company",
        type=float,
        default=BUDGET_PER_COMPANY,
        help="public budget per company per year (default: the sample's base scenario, EUR 250 000 for 72 companies)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print a JSON list of rows instead of a table"
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one tier in this process
    args = parser.parse_args(argv)

    if args.one:
        print(json.dumps(run_tier(args.one, args.solver, args.budget_per_company)))
        return 0
    rows = []
    for tier in args.tiers:
        completed = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--one",
                tier,
                "--solver",
                args.solver,
                "--budget-per-company",
                str(args.budget_per_company),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps([{key: row[key] for key in COLUMNS} for row in rows], indent=2))
    else:
        print(
            f"solver {args.solver}; public budget EUR {args.budget_per_company:,.0f} per company per year; "
            "peak_mb = peak RSS (ru_maxrss) of the tier's own process"
        )
        print(_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

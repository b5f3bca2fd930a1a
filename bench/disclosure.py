"""Disclosure bench: per view the share of rows a provider and a policymaker can use, and what the attacker's suite recovers.

Usage::

    .venv/bin/python bench/disclosure.py                 # the method in force (settings)
    .venv/bin/python bench/disclosure.py --before        # primary and secondary suppression (the method before perturbation)
    .venv/bin/python bench/disclosure.py --regions 25    # also attack 25 generated tier-S regions
    .venv/bin/python bench/disclosure.py --no-plan       # gap views only (no plan solved)
    .venv/bin/python bench/disclosure.py --no-attack     # the share tables only (tests/test_audit.py attacks)
    .venv/bin/python bench/disclosure.py --generated 25  # only tests/test_audit.py's sweep: every role of 25 seeded regions

With a plan (the default: the base scenario solved on each region, ``--solve-seconds``), the
plan views a policymaker and a provider see are measured and attacked too; ``--before`` shows
them as they were published before (pools of fewer than 3 companies withheld, other figures and
every run's participants exact).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from skills import service
from skills.audit import (
    MAIN_COLUMN,
    audit,
    collect,
    plan_views,
    provider_views,
    public_views,
    role_views,
    usable_share,
)
from skills.dataset import Dataset
from skills.disclosure import Rules
from skills.sample import generate_region, read_csv_folder
from skills.settings import Settings
from skills.visibility import POOLED_BY, plan_contributions

#: The keys plan rows were pooled by before (every key of the row, plus the company's sector, region, size band).
_BEFORE_KEYS = {
    "participants": ["year", "course_id", "provider", *POOLED_BY],
    "hires": ["year", "skill", *POOLED_BY],
    "gaps": ["skill", "current_level", "required_level", "deadline", "priority", *POOLED_BY],
}


def plan_of(dataset: Dataset, seconds: float) -> dict[str, pd.DataFrame]:
    """The base scenario solved on ``dataset`` within ``seconds``, as the service stores it."""
    from optimisation.plan import run_scenario

    result = run_scenario(dataset, service.load_scenario(None, {"name": "bench", "time_limit_s": seconds, "mip_gap": 0.05}))
    return service.plan_tables(result)


def before_plan_shares(dataset: Dataset, plan: dict[str, pd.DataFrame], minimum: int) -> pd.DataFrame:
    """Plan tables as published before: rows pooled by all their keys, withheld under ``minimum`` companies; runs exact."""
    companies = dataset.flat("companies")
    rows = []
    for table, keys in _BEFORE_KEYS.items():
        contributions = plan_contributions(table, plan, companies, {})
        pooled = contributions.groupby(keys, dropna=False)["company_id"].nunique()
        share = float((pooled >= minimum).mean()) if len(pooled) else 1.0
        rows.append({"view": f"plan {table} (pooled rows)", "rows": len(pooled), "provider": "-",
                     "policymaker": f"{100 * share:.0f} %", "of which a number": f"{100 * share:.0f} %"})
    runs = plan.get("runs", pd.DataFrame())
    rows.append({"view": "plan runs", "rows": len(runs), "provider": "100 %", "policymaker": "100 %", "of which a number": "100 %"})
    return pd.DataFrame(rows)


def shares(dataset: Dataset, settings: Settings, plan: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Rows and usable shares (a number or a band) per view.

    A provider sees the region's protected gap views, curriculum gaps, demand for its own courses
    and the runs of its courses; of a plan, no participants, hires, gaps or unmet units ("-").
    """
    views = public_views(dataset, settings)
    provider = {view.name for view in views} | {view.name for view in provider_views(views)}
    if plan is not None:
        plan_published = plan_views(dataset, settings, plan)
        views += plan_published
        provider.add("plan runs")
    rows = []
    for view in views:
        table = view.build()
        share = usable_share(table, view.kind)
        numbers = float(table[MAIN_COLUMN[view.kind]].notna().mean()) if len(table) else 1.0
        rows.append(
            {
                "view": view.name,
                "rows": len(table),
                "provider": f"{100 * share:.0f} %" if view.name in provider else "-",
                "policymaker": f"{100 * share:.0f} %",
                "of which a number": f"{100 * numbers:.0f} %",
            }
        )
    return pd.DataFrame(rows)


def attack(
    dataset: Dataset, settings: Settings, name: str, show: int, plan: dict[str, pd.DataFrame] | None = None, role: str = "policymaker"
) -> int:
    """Run the attacker's suite on one region's views for ``role``; print its counts and the first ``show`` exposures."""
    started = time.perf_counter()
    if role == "provider":
        providers = sorted(set(dataset.flat("courses")["provider"].astype(str)))
        return sum(
            attack_views(dataset, settings, f"{name}, provider {each}", show, plan, role_views(dataset, settings, "provider", plan, provider=each))
            for each in providers
        )
    views = role_views(dataset, settings, "policymaker", plan)
    return attack_views(dataset, settings, name, show, plan, views, started)


def attack_views(
    dataset: Dataset,
    settings: Settings,
    name: str,
    show: int,
    plan: dict[str, pd.DataFrame] | None,
    views: list,  # type: ignore[type-arg]
    started: float | None = None,
) -> int:
    """Attack ``views``; print the counts and the first ``show`` exposures; return the number of exposures."""
    started = started or time.perf_counter()
    cells = collect(dataset, settings, views, plan)
    result = audit(dataset, settings, views, cells=cells)
    seconds = time.perf_counter() - started
    by_attack = result.exposures["attack"].value_counts().to_dict()
    plan_cells = int(cells.frame["kind"].str.startswith("plan_").sum())
    print(
        f"{name}: {result.views} views ({sum(view.kind.startswith('plan_') for view in views)} of a plan), "
        f"{result.cells} cells read ({plan_cells} of a plan), {result.targets} sensitive cells attacked, "
        f"{len(result.exposures)} exposed ({by_attack.get('differencing', 0)} by differencing, {by_attack.get('lp', 0)} by LP), "
        f"{result.inconsistent['signature'].nunique()} cells published with two figures, "
        f"{result.mixed['signature'].nunique()} published in one view and hidden in another ({seconds:.1f} s)"
    )
    if show and len(result.exposures):
        print(result.exposures.head(show).to_string(index=False))
    return len(result.exposures)


def _generated(seed: int) -> tuple[int, int, int, int, int, int, int, str, float]:
    """tests/test_audit.py's attack of every role of seeded region ``seed`` (its random plan); counts and outcome."""
    from tests.plan_fixtures import seeded_region
    from tests.test_audit import _attack_generated_region

    started = time.perf_counter()
    region = seeded_region(seed)
    counts = region.counts()
    try:
        _, roles, views, cells, targets = _attack_generated_region(seed)
        outcome = "no exposure"
    except AssertionError as error:  # an exposure (or an inconsistent figure): the test's message
        roles = views = cells = targets = 0
        outcome = "EXPOSED: " + str(error).splitlines()[0][:80]
    return seed, counts["companies"], len(region.flat("demand")), roles, views, cells, targets, outcome, time.perf_counter() - started


def generated_sweep(count: int, workers: int) -> int:
    """Attack every role's views of ``count`` seeded regions (tests/test_audit.py keeps a spread of them); print a table."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        rows = list(pool.map(_generated, range(count)))
    table = pd.DataFrame(
        rows, columns=["seed", "companies", "demand rows", "roles", "views", "cells", "sensitive attacked", "outcome", "seconds"]
    )
    print(table.to_string(index=False, float_format=lambda value: f"{value:.1f}"))
    exposed = int((table["outcome"] != "no exposure").sum())
    print(f"\n{exposed} of {count} generated regions with an exposure; {int(table['sensitive attacked'].sum())} sensitive cells attacked")
    return exposed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", action="store_true", help="primary and secondary suppression, the method before")
    parser.add_argument("--tiers", default="sample,M", help="regions to measure (sample, S, M, L), comma-separated")
    parser.add_argument("--regions", type=int, default=0, help="also attack this many generated tier-S regions")
    parser.add_argument("--show", type=int, default=10, help="exposures listed per region")
    parser.add_argument("--no-plan", action="store_true", help="gap views only: solve no plan")
    parser.add_argument("--no-attack", action="store_true", help="print the share tables only")
    parser.add_argument("--solve-seconds", type=float, default=20.0, help="time limit of the plan solved per region")
    parser.add_argument(
        "--generated", type=int, default=0,
        help="only attack every role of this many seeded regions with a random plan (tests/test_audit.py's sweep)",
    )
    parser.add_argument("--workers", type=int, default=2, help="processes for --generated")
    arguments = parser.parse_args()
    if arguments.generated:
        raise SystemExit(1 if generated_sweep(arguments.generated, arguments.workers) else 0)
    settings = Settings(disclosure_method="suppression") if arguments.before else Settings()
    print(Rules.from_settings(settings).sentence())
    for tier in arguments.tiers.split(","):
        dataset = read_csv_folder() if tier == "sample" else generate_region(tier)
        print(f"\nregion {tier}: {dataset.counts()['companies']} companies — share of rows with a usable value")
        plan = None if arguments.no_plan else plan_of(dataset, arguments.solve_seconds)
        if arguments.before and plan is not None:
            table = pd.concat([shares(dataset, settings), before_plan_shares(dataset, plan, settings.min_companies_per_cell)])
            print(table.to_string(index=False))
            if not arguments.no_attack:
                attack(dataset, settings, f"attack on {tier} (gap views; plan views as before are exact)", arguments.show)
            continue
        table = shares(dataset, settings, plan)
        print(table.to_string(index=False))
        if arguments.no_attack:
            continue
        attack(dataset, settings, f"attack on {tier}, policymaker", arguments.show, plan)
        attack(dataset, settings, f"attack on {tier}", 0, plan, role="provider")
    exposed_regions = 0
    for seed in range(1, arguments.regions + 1):
        found = attack(generate_region("S", seed=seed), settings, f"tier S seed {seed}", 0)
        exposed_regions += found > 0
    if arguments.regions:
        print(f"\n{exposed_regions} of {arguments.regions} generated regions with an exposure")


if __name__ == "__main__":
    main()

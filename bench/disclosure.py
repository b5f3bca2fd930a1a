"""Disclosure bench: per view the share of rows a provider and a policymaker can use, and what the attacker's suite recovers.

Usage::

    .venv/bin/python bench/disclosure.py                 # the method in force (settings)
    .venv/bin/python bench/disclosure.py --before        # primary and secondary suppression (the method before perturbation)
    .venv/bin/python bench/disclosure.py --regions 25    # also attack 25 generated tier-S regions
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from skills.audit import MAIN_COLUMN, audit, collect, provider_views, public_views, usable_share
from skills.dataset import Dataset
from skills.disclosure import Rules
from skills.sample import generate_region, read_csv_folder
from skills.settings import Settings


def shares(dataset: Dataset, settings: Settings) -> pd.DataFrame:
    """Rows and usable shares (a number or a band) per view (provider: curriculum and course demand only)."""
    views = public_views(dataset, settings)
    provider = {view.name for view in provider_views(views)}
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


def attack(dataset: Dataset, settings: Settings, name: str, show: int) -> int:
    """Run the attacker's suite on one region; print its counts and the first ``show`` exposures."""
    started = time.perf_counter()
    views = public_views(dataset, settings)
    cells = collect(dataset, settings, views)
    result = audit(dataset, settings, views, cells=cells)
    seconds = time.perf_counter() - started
    by_attack = result.exposures["attack"].value_counts().to_dict()
    print(
        f"{name}: {result.views} views, {result.cells} cells read, {result.targets} sensitive cells attacked, "
        f"{len(result.exposures)} exposed ({by_attack.get('differencing', 0)} by differencing, {by_attack.get('lp', 0)} by LP), "
        f"{result.inconsistent['signature'].nunique()} cells published with two figures, "
        f"{result.mixed['signature'].nunique()} published in one view and hidden in another ({seconds:.1f} s)"
    )
    if show and len(result.exposures):
        print(result.exposures.head(show).to_string(index=False))
    return len(result.exposures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", action="store_true", help="primary and secondary suppression, the method before")
    parser.add_argument("--tiers", default="sample,M", help="regions to measure (sample, S, M, L), comma-separated")
    parser.add_argument("--regions", type=int, default=0, help="also attack this many generated tier-S regions")
    parser.add_argument("--show", type=int, default=10, help="exposures listed per region")
    arguments = parser.parse_args()
    settings = Settings(disclosure_method="suppression") if arguments.before else Settings()
    print(Rules.from_settings(settings).sentence())
    for tier in arguments.tiers.split(","):
        dataset = read_csv_folder() if tier == "sample" else generate_region(tier)
        print(f"\nregion {tier}: {dataset.counts()['companies']} companies — share of rows with a usable value")
        table = shares(dataset, settings)
        print(table.to_string(index=False))
        attack(dataset, settings, f"attack on {tier}", arguments.show)
    exposed_regions = 0
    for seed in range(1, arguments.regions + 1):
        found = attack(generate_region("S", seed=seed), settings, f"tier S seed {seed}", 0)
        exposed_regions += found > 0
    if arguments.regions:
        print(f"\n{exposed_regions} of {arguments.regions} generated regions with an exposure")


if __name__ == "__main__":
    main()

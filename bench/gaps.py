"""Time every gap view on a generated region: prints view, median seconds of 3 runs, rows, suppressed cells."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import pandas as pd

from skills.dataset import Dataset
from skills.gaps import (
    coverage,
    coverage_options,
    curriculum_gaps,
    expected_course_demand,
    gap_detail,
    gap_view,
)
from skills.sample import generate_region
from skills.settings import Settings


def views(dataset: Dataset, settings: Settings) -> dict[str, Callable[[], pd.DataFrame]]:
    """Every view the CLI and the pages show, as zero-argument calls."""
    company = str(
        dataset.demand["company_id"].value_counts().index[0]
    )  # the company with most rows
    calls: dict[str, Callable[[], pd.DataFrame]] = {
        "gap_detail (all companies)": lambda: gap_detail(dataset, settings=settings),
    }
    for by in ["skill", "group", "sector", "region", "size", "role", "year", "company"]:
        calls[f"gaps --by {by}"] = lambda by=by: gap_view(dataset, by, settings=settings)
    calls["gaps group x sector"] = lambda: gap_view(dataset, ("group", "sector"), settings=settings)
    calls["gaps --by course"] = lambda: gap_view(dataset, "course", settings=settings)
    calls[f"gaps --by company --company {company}"] = lambda: gap_view(
        dataset, "company", company, settings
    )
    calls["coverage --by skill"] = lambda: coverage(dataset, "skill", settings=settings)
    calls["coverage --by region"] = lambda: coverage(dataset, "region", settings=settings)
    calls[f"coverage options {company}"] = lambda: coverage_options(dataset, company, settings)
    calls["curriculum gaps"] = lambda: curriculum_gaps(dataset, settings=settings)
    calls["expected course demand"] = lambda: expected_course_demand(dataset, settings=settings)
    return calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tier", default="L", help="generator tier: sample, S, M or L (default L)")
    parser.add_argument("--runs", type=int, default=3, help="runs per view; the median is shown")
    arguments = parser.parse_args()

    started = time.perf_counter()
    dataset = generate_region(arguments.tier)
    generated = time.perf_counter() - started
    counts = dataset.counts()
    settings = Settings()
    print(
        f"tier {arguments.tier}: {counts['companies']} companies, {counts['demand_rows']} demand rows, "
        f"{counts['courses']} courses, {counts['course_skills']} course skills, "
        f"{counts['skills']} skills (generated in {generated:.1f} s)"
    )
    print(f"{'view':<40} {'seconds':>8} {'rows':>7} {'suppressed':>11}")
    total = 0.0
    for name, call in views(dataset, settings).items():
        seconds: list[float] = []
        table = pd.DataFrame()
        for _ in range(arguments.runs):
            start = time.perf_counter()
            table = call()
            seconds.append(time.perf_counter() - start)
        median = statistics.median(seconds)
        total += median
        hidden = f"{int(table['suppressed'].sum())}" if "suppressed" in table.columns else "-"
        print(f"{name:<40} {median:>8.3f} {len(table):>7} {hidden:>11}")
    print(f"{'all views':<40} {total:>8.3f}")


if __name__ == "__main__":
    main()

"""vetplan sweep: the curve printed, every solved plan stored as a run of its budget, bad input refused."""

from __future__ import annotations

import json

import pytest

from skills import service
from skills.cli import main
from skills.store import Store
from tests.test_runs import tiny  # noqa: F401  (the small region fixture)


def test_a_sweep_stores_each_solved_budget_as_a_run(tiny: Store, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert main(["sweep", "base", "--budgets", "0", "500", "5000", "--set", "time_limit_s=10", "--json"]) == 0
    curve = json.loads(capsys.readouterr().out)
    budgets = [point["budget"] for point in curve["points"]]
    closed = [point["weighted_closed_units"] for point in curve["points"]]
    assert budgets == sorted(budgets) and closed == sorted(closed)  # more budget never closes less
    runs = service.scenario_runs()
    stored = set(runs["scenario"])
    assert stored and all(name.startswith("base-budget-") for name in stored)
    assert any("(sweep)" in changes for changes in runs["changes"])
    # each stored run's public cost stays within its budget
    for name in stored - {"base-budget-unlimited"}:
        budget = float(name.removeprefix("base-budget-"))
        costs = service.scenario_table("costs", [name])
        public = costs[costs["payer"] == "public"].groupby("year")["amount"].sum()
        assert (public <= budget + 1e-6).all(), name


def test_a_sweep_needs_two_budgets(tiny: Store, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert main(["sweep", "base", "--budgets", "1000"]) == 2
    assert "budget" in capsys.readouterr().err

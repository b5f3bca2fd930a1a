"""vetplan solve and vetplan scenarios: JSON keys, stored results, bad scenarios as exit 2."""

from __future__ import annotations

import json

import openpyxl
import pytest

from skills.cli import main

SOLVE_KEYS = {
    "status", "objective", "bound", "gap", "unmet_units", "closed_units", "participants", "runs", "hires",
    "total_cost", "public_cost", "company_cost", "violations",
}


@pytest.fixture(autouse=True)
def _sample(database_url: str) -> None:
    from skills import service

    service._store_for.cache_clear()
    assert main(["init", "--sample"]) == 0


def test_solve_json_checker_clean_and_stored(capsys: pytest.CaptureFixture[str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "plan.xlsx"
    capsys.readouterr()
    assert main(["solve", "--json", "--out", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= SOLVE_KEYS
    assert report["status"] in ("optimal", "feasible")
    assert report["violations"] == []
    assert report["closed_units"] > 0
    assert report["total_cost"] == pytest.approx(report["public_cost"] + report["company_cost"], abs=1)
    assert report["participants"]["total"] == sum(r["participants"] for r in report["participants"]["records"])
    assert "Summary" in openpyxl.load_workbook(out).sheetnames

    assert main(["solve", "--name", "tight_budget", "--set", "name=tight", "--json"]) == 0
    capsys.readouterr()
    assert main(["scenarios", "--json"]) == 0
    compared = json.loads(capsys.readouterr().out)
    assert [row["scenario"] for row in compared] == ["base", "tight"]
    tight = compared[1]
    assert tight["public_cost"] <= 80_000 * 3 + 1e-6  # the tight budget holds over three years


def test_unknown_scenario_key_is_bad_input(capsys: pytest.CaptureFixture[str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("name: bad\nyears: [2027]\nbudgett_per_year: 100\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["solve", str(scenario)]) == 2
    assert "budgett_per_year" in capsys.readouterr().err


def test_bad_override_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["solve", "--set", "subsidy_rate=1.7"]) == 2
    assert "subsidy_rate" in capsys.readouterr().err


def test_an_infeasible_scenario_says_why_stores_nothing_and_is_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path  # type: ignore[no-untyped-def]
) -> None:
    from skills import service

    scenario = tmp_path / "unreachable.yaml"
    scenario.write_text(
        "name: unreachable\nyears: {start: 2027, count: 3}\nbudget_per_year: 0\n"
        "objective: min_cost\ncoverage_target: 1.0\ntime_limit_s: 10\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["solve", str(scenario)]) == 2
    out = capsys.readouterr().out
    assert "infeasible, no plan: the coverage target of 100.0 % of weighted gap units cannot be met" in out
    assert "capped by the public training budget (without it" in out
    assert "Nothing was stored" in out and "unmet 0" not in out
    assert main(["solve", str(scenario), "--json"]) == 2
    payload = json.loads(capsys.readouterr().out)
    assert payload["stored"] is False and payload["unmet_units"] is None and payload["total_cost"] is None
    target = payload["target"]
    assert 0.0 <= target["reachable_coverage"] < 1.0
    assert target["capped_by"][0]["family"] == "public_budget"
    assert "unreachable" not in service.stored_scenarios()

"""Stored runs and comparisons: every solve a run, older data flagged, re-runs repeat, KPIs equal the single plans."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from skills import service
from skills.cli import main
from skills.dataset import Dataset
from skills.errors import InputError, NotFoundError
from skills.store import Store
from tests.fixtures.builders import csv_bytes

QUICK = {"time_limit_s": 20, "mip_gap": 0.0}


@pytest.fixture
def tiny(database_url: str, tiny_dataset: Dataset) -> Store:
    """The hand-made two-company region in the configured database."""
    service._store_for.cache_clear()
    store = service.get_store()
    store.save_dataset(tiny_dataset)
    courses = store.read_frame("courses").assign(min_participants=[2, 1])  # so that runs open in this small region
    store.replace_tables({"courses": courses, "course_skills": store.read_frame("course_skills")})
    return store


def _solve(name: str, **overrides: object) -> service.PlanResult:
    return service.solve(service.load_scenario(None, {"name": name, **QUICK, **overrides}))


def test_every_solve_is_a_run_and_the_name_points_at_the_latest(tiny: Store) -> None:
    first = _solve("trial")
    second = _solve("trial", budget_per_year=1000)
    runs = service.scenario_runs(["trial"])
    assert len(runs) == 2
    latest, older = runs.iloc[0], runs.iloc[1]
    assert bool(latest["latest"]) and not bool(older["latest"])
    assert latest["changes"] == "budget_per_year: 250000 -> 1000; time_limit_s: 60 -> 20; mip_gap: 0.01 -> 0"
    assert older["changes"] == "time_limit_s: 60 -> 20; mip_gap: 0.01 -> 0"
    assert {latest["status"], older["status"]} <= {"optimal", "feasible"}
    assert latest["data_version"] == older["data_version"] == service.data_version()
    assert latest["seconds"] > 0
    # the name's tables are the latest run's
    summary = service.compare_scenarios(["trial"]).iloc[0]
    assert summary["public_cost"] == pytest.approx(second.public_cost)
    assert first.public_cost != pytest.approx(second.public_cost)
    # removing the latest run points the name back at the older one
    service.delete_runs("trial", run_id=int(latest["run_id"]))
    assert service.compare_scenarios(["trial"]).iloc[0]["public_cost"] == pytest.approx(first.public_cost)
    assert service.delete_runs("trial") == 1
    assert service.stored_scenarios() == []


def test_a_run_on_older_data_says_so(tiny: Store) -> None:
    _solve("before")
    assert bool(service.scenario_runs(["before"])["on_current_data"].iloc[0])
    survey = csv_bytes(
        [
            ["company_name", "region", "sector", "employees", "skill", "headcount", "current_level", "required_level", "needed_by", "priority"],
            ["Fjord Plast ApS", "DK041", "C22", 25, "plc_programming", 2, 0, 3, 2028, "high"],
        ]
    )
    assert service.import_data("survey", survey, name="fjord.csv").stored
    runs = service.scenario_runs(["before"])
    assert not bool(runs["on_current_data"].iloc[0])
    record = service.show_run(int(runs["run_id"].iloc[0]))
    sentence = service.stale_sentence(record, service.data_version())
    assert "was made on data version" in sentence and "vetplan scenario run before" in sentence
    comparison = service.compare_runs(["before"])
    assert comparison.notes == [sentence]
    # re-running it plans on the current data, as a new run
    again = service.rerun_scenario("before")
    assert again.scenario.name == "before"
    assert bool(service.scenario_runs(["before"])["on_current_data"].iloc[0])


def test_re_running_a_stored_scenario_on_the_same_data_gives_the_same_plan(tiny: Store) -> None:
    first = _solve("again", budget_per_year=3000)
    second = service.rerun_scenario("again")
    assert second.scenario.model_dump() == first.scenario.model_dump()
    assert first.status.value == second.status.value == "optimal"
    assert second.objective == pytest.approx(first.objective, rel=1e-9)
    for name in ("participants", "runs", "hires"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name))


def test_comparison_figures_equal_those_of_the_single_plans(tiny: Store) -> None:
    plans = {"wide": _solve("wide"), "narrow": _solve("narrow", budget_per_year=2000, subsidy_rate=0.5)}
    comparison = service.compare_runs(["wide", "narrow"], baseline="wide")
    for name, plan in plans.items():
        kpis = comparison.kpis.loc[name]
        summary = plan.to_json_dict()
        assert kpis["closed_units"] == pytest.approx(plan.closed_units)
        assert kpis["unmet_units"] == pytest.approx(plan.unmet_units)
        assert kpis["public_cost"] == pytest.approx(plan.public_cost)
        assert kpis["company_cost"] == pytest.approx(plan.company_cost)
        assert kpis["total_cost"] == pytest.approx(plan.total_cost)
        assert kpis["participants"] == summary["participants"]["total"]
        assert kpis["runs"] == summary["runs"]["total"]
        assert kpis["hires"] == summary["hires"]["total"]
        group_total = sum(v for k, v in kpis.items() if str(k).startswith("closed_units:"))
        assert group_total == pytest.approx(plan.closed_units)
    differences = comparison.against_baseline.set_index(["run", "kpi"])
    assert differences.loc[("wide", "public_cost"), "difference"] == 0
    expected = plans["narrow"].public_cost - plans["wide"].public_cost
    assert differences.loc[("narrow", "public_cost"), "difference"] == pytest.approx(expected)
    assert set(comparison.settings["setting"]) == {"budget_per_year", "subsidy_rate"}
    assert [row["run"] for row in comparison.as_json()] == ["wide", "narrow"]


def test_unknown_names_are_an_error(tiny: Store, capsys: pytest.CaptureFixture[str]) -> None:
    _solve("known")
    with pytest.raises(NotFoundError, match=r"'nosuch'.*stored: known"):
        service.compare_runs(["known", "nosuch"])
    with pytest.raises(InputError, match="baseline"):
        service.compare_runs(["known"], baseline="other")
    assert main(["compare", "known", "nosuch"]) == 2
    assert "nosuch" in capsys.readouterr().err
    assert main(["scenario", "show", "nosuch"]) == 2
    assert main(["scenarios", "known", "nosuch"]) == 2
    assert main(["scenario", "run", "nosuch"]) == 2


def test_cli_lists_shows_compares_and_deletes(tiny: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _solve("one")
    _solve("two", budget_per_year=2000)
    capsys.readouterr()
    assert main(["compare", "one", "two", "--baseline", "one", "--json"]) == 0
    objects = json.loads(capsys.readouterr().out)
    assert [o["run"] for o in objects] == ["one", "two"]
    assert set(objects[0]["kpis"]) >= {"weighted_closed_units", "closed_units", "cost_per_closed_unit", "training_hours"}
    assert objects[0]["difference"]["public_cost"] == 0
    assert main(["scenario", "show", "two"]) == 0
    assert "budget_per_year: 250000 -> 2000" in capsys.readouterr().out
    assert main(["compare", "one", "two", "--out", str(tmp_path / "c.xlsx")]) == 0
    sheets = openpyxl.load_workbook(tmp_path / "c.xlsx").sheetnames
    assert sheets[:4] == ["Runs", "KPIs", "Against baseline", "Settings that differ"]
    assert main(["compare", "one", "two", "--out", str(tmp_path / "c.csv")]) == 0
    rows = pd.read_csv(tmp_path / "c.csv")
    assert set(rows["run"]) == {"one", "two"} and {"kpi", "value", "baseline", "difference_pct", "data_version"} <= set(rows.columns)
    assert main(["scenario", "delete", "one"]) == 0
    assert service.stored_scenarios() == ["two"]


def test_an_exported_comparison_holds_no_formula_for_hostile_names(tiny: Store, tmp_path: Path) -> None:
    hostile = "=HYPERLINK(\"http://x\",\"y\")"
    courses = tiny.read_frame("courses").assign(provider=[hostile, "+cmd|' /C calc'!A0"])
    tiny.replace_tables({"courses": courses, "course_skills": tiny.read_frame("course_skills")})
    _solve("hostile")
    path = service.comparison_file(service.compare_runs(["hostile"]), tmp_path / "hostile.xlsx")
    workbook = openpyxl.load_workbook(path)
    texts = [
        cell.value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert any(hostile in text for text in texts)  # the provider is there, as text
    assert not any(text[:1] in "=+-@\t\r" for text in texts if text)
    assert all(cell.data_type != "f" for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row)


def test_a_named_scenario_of_the_file_runs_with_its_fragments(tiny: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", "--name", "tight_budget", "--set", "time_limit_s=20", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert "budget_per_year: 250000 -> 80000 (budget_cut)" in payload["changes"]
    assert "time_limit_s: 60 -> 20 (--set)" in payload["changes"]
    [run] = service.scenario_runs(["tight_budget"]).to_dict("records")
    assert "company_cost_cap: none -> 6000 (company_cap)" in run["changes"]
    assert main(["solve", "--name", "nosuch"]) == 2
    assert "nosuch" in capsys.readouterr().err


def test_a_plan_workbook_says_first_what_it_is(tiny: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan.xlsx"
    assert main(["solve", "--name", "tight_budget", "--set", "time_limit_s=20", "--out", str(out)]) == 0
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames[:2] == ["About", "Summary"]
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(min_row=2, values_only=True)}
    assert about["scenario"] == "tight_budget"
    assert about["data version"] == str(service.data_version())
    assert "budget_per_year: 250000 -> 80000 (budget_cut)" in about["changes against the base"]
    assert about["solver status"] in {"optimal", "feasible"}
    participants = workbook["Participants"]
    assert participants.freeze_panes == "A2" and participants.auto_filter.ref.startswith("A1:")
    assert participants["F2"].number_format == "#,##0.00"  # fee per participant, an amount

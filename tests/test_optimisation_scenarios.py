"""Scenario configuration: YAML files, validation with named keys, overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimisation.scenarios import Scenario, load_scenario
from skills.errors import ScenarioError

SCENARIOS = Path(__file__).resolve().parents[1] / "data" / "scenarios"


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["base.yaml", "tight_budget.yaml", "min_cost.yaml"])
def test_shipped_scenarios_load(name: str) -> None:
    scenario = load_scenario(SCENARIOS / name)
    assert scenario.years == [2027, 2028, 2029]
    assert scenario.name == name.removesuffix(".yaml")


def test_base_scenario_values() -> None:
    scenario = load_scenario(SCENARIOS / "base.yaml")
    assert scenario.budget(2028) == 250000
    assert scenario.subsidy_rate == 0.8
    assert scenario.demand_growth["digital_data"] == 0.05
    assert scenario.trainer_hours("Any school") is None


def test_unknown_key_is_an_error_naming_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, "years: [2027]\nbudjet_per_year: 1000\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert [p.column for p in caught.value.problems] == ["budjet_per_year"]
    assert "unknown key 'budjet_per_year'" in str(caught.value)
    assert caught.value.problems[0].file == "scenario.yaml"


def test_invalid_values_are_reported_per_key(tmp_path: Path) -> None:
    path = write(tmp_path, "years: [2027]\nsubsidy_rate: 1.5\nsolver: gurobi\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert sorted(p.column for p in caught.value.problems) == ["solver", "subsidy_rate"]


def test_years_from_start_and_count(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, "years: {start: 2030, count: 2}\n"))
    assert scenario.years == [2030, 2031]


def test_years_must_be_consecutive() -> None:
    with pytest.raises(ValueError, match="consecutive"):
        Scenario(years=[2027, 2029])


def test_budget_per_year_mapping_must_cover_the_horizon() -> None:
    with pytest.raises(ValueError, match="exactly the years"):
        Scenario(years=[2027, 2028], budget_per_year={2027: 1000.0})
    scenario = Scenario(years=[2027, 2028], budget_per_year={2027: 1000.0, 2028: 500.0})
    assert (scenario.budget(2027), scenario.budget(2028)) == (1000.0, 500.0)


def test_min_cost_needs_a_coverage_target() -> None:
    with pytest.raises(ValueError, match="coverage_target"):
        Scenario(years=[2027], objective="min_cost")


def test_unknown_skill_group_in_demand_growth() -> None:
    with pytest.raises(ValueError, match="unknown skill group"):
        Scenario(years=[2027], demand_growth={"cooking": 0.1})


def test_with_overrides_merges_nested_mappings_and_keeps_the_rest() -> None:
    base = Scenario(years=[2027], provider_trainer_hours={"A": 100.0}, budget_per_year=5000.0)
    changed = base.with_overrides({"provider_trainer_hours": {"B": 50.0}, "subsidy_rate": 0.5})
    assert changed.provider_trainer_hours == {"A": 100.0, "B": 50.0}
    assert changed.subsidy_rate == 0.5
    assert changed.budget_per_year == 5000.0
    assert base.subsidy_rate == 0.8  # the original is unchanged (frozen)


def test_with_overrides_rejects_unknown_keys() -> None:
    with pytest.raises(ScenarioError) as caught:
        Scenario(years=[2027]).with_overrides({"time_limit": 5})
    assert [p.column for p in caught.value.problems] == ["time_limit"]


def test_load_scenario_applies_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "years: [2027]\nmip_gap: 0.05\n")
    assert load_scenario(path, {"mip_gap": 0.02}).mip_gap == 0.02


def test_a_missing_file_and_bad_yaml_are_scenario_errors(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "nope.yaml")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(write(tmp_path, "years: [2027\n"))
    with pytest.raises(ScenarioError, match="mapping"):
        load_scenario(write(tmp_path, "- 2027\n"))

"""Scenario configuration: YAML files, validation with named keys, overrides, fragments and scenarios."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimisation.scenarios import (
    LABEL_FIELDS,
    Change,
    Scenario,
    compose,
    effective_changes,
    load_scenario,
    parse_set_options,
    scenario_names,
)
from skills.errors import ScenarioError

SCENARIOS = Path(__file__).resolve().parents[1] / "data" / "scenarios"


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", scenario_names(SCENARIOS / "base.yaml"))
def test_shipped_scenarios_load(name: str) -> None:
    scenario = compose(SCENARIOS / "base.yaml", name)
    assert scenario.years == [2027, 2028, 2029]
    assert scenario.name == name


def test_the_example_scenarios_are_fragments_of_one_file() -> None:
    assert sorted(path.name for path in SCENARIOS.glob("*.yaml")) == ["base.yaml"]


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


# ---- fragments and scenarios ------------------------------------------------------------------------

#: A small file: a base, three fragments, three scenarios.
COMPOSED = """\
name: region
description: The base.
years: [2027, 2028]
budget_per_year: 250000
mip_gap: 0.05
demand_growth: {digital_data: 0.05, lean_quality: 0.01}
overrides:
  cut:
    budget_per_year: 80000
  fine_gap:
    mip_gap: 0.03
    description: Set by a fragment.
  fast_digital:
    demand_growth: {digital_data: 0.2}
scenarios:
  tight:
    description: Less money, finer gap.
    apply: [cut, fine_gap]
  fast:
    apply: [fast_digital]
  all:
    apply: [fast_digital, cut, fine_gap]
"""


def test_a_scenario_is_its_fragments_applied_on_the_base(tmp_path: Path) -> None:
    path = write(tmp_path, COMPOSED)
    base, tight = compose(path), compose(path, "tight")
    assert (base.name, base.budget(2027), base.mip_gap, base.fragments) == (
        "region",
        250000,
        0.05,
        [],
    )
    assert (tight.name, tight.budget(2027), tight.mip_gap) == ("tight", 80000, 0.03)
    assert tight.fragments == ["cut", "fine_gap"]
    assert tight.description == "Less money, finer gap."  # the scenario's own beats its fragment's
    assert tight.demand_growth == base.demand_growth  # untouched keys keep the base's values
    assert compose(path, "all").fragments == ["fast_digital", "cut", "fine_gap"]


@pytest.mark.parametrize(
    ("key", "read"),
    [
        ("mip_gap", lambda s: s.mip_gap),
        ("demand_growth", lambda s: s.demand_growth["digital_data"]),
    ],
)
def test_base_then_fragment_then_set_the_last_wins(tmp_path: Path, key: str, read: Any) -> None:
    fragment = {"mip_gap": 0.03} if key == "mip_gap" else {"demand_growth": {"digital_data": 0.2}}
    given_ = {"mip_gap": 0.02} if key == "mip_gap" else {"demand_growth": {"digital_data": 0.3}}
    text = (
        "years: [2027]\nmip_gap: 0.05\ndemand_growth: {digital_data: 0.05, lean_quality: 0.01}\n"
        + yaml.safe_dump({"overrides": {"frag": fragment}, "scenarios": {"s": {"apply": ["frag"]}}})
    )
    path = write(tmp_path, text)
    assert read(compose(path)) == 0.05
    assert read(compose(path, "s")) == (0.03 if key == "mip_gap" else 0.2)
    assert read(compose(path, "s", given_, source="--set")) == (0.02 if key == "mip_gap" else 0.3)
    assert read(compose(path, "base", given_)) == (0.02 if key == "mip_gap" else 0.3)
    # the set option replaced one entry of the mapping, not the mapping
    assert compose(path, "s", given_).demand_growth["lean_quality"] == 0.01


def test_set_options_win_over_fragments_and_name_their_source(tmp_path: Path) -> None:
    path = write(tmp_path, COMPOSED)
    scenario = compose(path, "tight", parse_set_options(["budget_per_year=1000"]), source="--set")
    assert scenario.budget(2028) == 1000
    change = next(
        c for c in effective_changes(compose(path), scenario) if c.key == "budget_per_year"
    )
    assert (change.after, change.source) == (1000, "--set")


def test_two_fragments_in_either_order_give_the_same_settings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        COMPOSED.replace(
            "apply: [fast_digital, cut, fine_gap]", "apply: [fine_gap, cut, fast_digital]"
        ),
    )
    reordered = compose(path, "all")
    original = compose(write(tmp_path, COMPOSED, "other.yaml"), "all")
    assert settings_of(reordered) == settings_of(original)
    assert reordered.fragments == ["fine_gap", "cut", "fast_digital"]


def test_a_fragment_or_an_override_may_rename_the_scenario(tmp_path: Path) -> None:
    path = write(tmp_path, COMPOSED.replace("  cut:\n", "  cut:\n    name: renamed\n"))
    assert compose(path, "tight").name == "renamed"
    assert compose(path, "fast", {"name": "mine"}).name == "mine"


def conflict_file(tmp_path: Path, first: Mapping[str, Any], second: Mapping[str, Any]) -> Path:
    text = "years: [2027, 2028]\n" + yaml.safe_dump(
        {
            "overrides": {"more": first, "less": second, "other": {"mip_gap": 0.02}},
            "scenarios": {"both": {"apply": ["other", "more", "less"]}, "one": {"apply": ["more"]}},
        }
    )
    return write(tmp_path, text, "conflict.yaml")


@pytest.mark.parametrize(
    ("first", "second", "key"),
    [
        ({"budget_per_year": 1000}, {"budget_per_year": 2000}, "budget_per_year"),
        ({"budget_per_year": 1000}, {"budget_per_year": 1000}, "budget_per_year"),
        (
            {"demand_growth": {"digital_data": 0.1}},
            {"demand_growth": {"digital_data": 0.2, "lean_quality": 0.1}},
            "demand_growth.digital_data",
        ),
        ({"budget_per_year": 1000}, {"budget_per_year": {2027: 1, 2028: 2}}, "budget_per_year"),
        ({"years": [2027]}, {"years": {"start": 2027, "count": 1}}, "years"),
    ],
    ids=["same-key", "same-value", "nested", "scalar-vs-by-year", "years"],
)
def test_two_fragments_setting_one_key_is_an_error_naming_both_and_the_key(
    tmp_path: Path, first: Mapping[str, Any], second: Mapping[str, Any], key: str
) -> None:
    path = conflict_file(tmp_path, first, second)
    with pytest.raises(ScenarioError) as caught:
        compose(path, "both")
    message = str(caught.value)
    assert message.startswith(
        f"conflict.yaml: scenario 'both': fragments 'more' and 'less' both set {key};"
    )
    [problem] = caught.value.problems
    assert (problem.file, problem.column, problem.value) == (
        "conflict.yaml",
        "scenarios.both.apply",
        key,
    )
    assert compose(path, "one").fragments == [
        "more"
    ]  # a scenario without the conflict still composes


def test_fragments_setting_different_entries_of_a_mapping_do_not_conflict(tmp_path: Path) -> None:
    path = conflict_file(
        tmp_path, {"demand_growth": {"digital_data": 0.1}}, {"demand_growth": {"lean_quality": 0.2}}
    )
    assert compose(path, "both").demand_growth == {"digital_data": 0.1, "lean_quality": 0.2}


def test_an_unknown_scenario_lists_the_known_ones(tmp_path: Path) -> None:
    path = write(tmp_path, COMPOSED)
    with pytest.raises(ScenarioError) as caught:
        compose(path, "tigth")
    assert caught.value.args[0] == (
        "scenario.yaml: unknown scenario 'tigth' (did you mean tight?); known: base, tight, fast, all"
    )
    assert caught.value.problems[0].file == "scenario.yaml"


def test_an_unknown_fragment_is_an_error_naming_file_scenario_and_the_known_fragments(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, COMPOSED.replace("apply: [fast_digital]", "apply: [fast_digitl]"))
    with pytest.raises(ScenarioError) as caught:
        scenario_names(path)
    assert caught.value.args[0] == (
        "scenario.yaml: scenarios.fast.apply: unknown fragment 'fast_digitl' (did you mean "
        "fast_digital?); known: cut, fine_gap, fast_digital"
    )
    assert [(p.file, p.column) for p in caught.value.problems] == [
        ("scenario.yaml", "scenarios.fast.apply")
    ]


def test_a_fragment_with_an_unknown_key_names_file_fragment_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, COMPOSED.replace("budget_per_year: 80000", "budjet_per_year: 80000"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)  # the base alone is refused too: the file is wrong
    assert caught.value.args[0] == (
        "scenario.yaml: overrides.cut.budjet_per_year: unknown key 'budjet_per_year' "
        "(did you mean budget_per_year?)"
    )
    assert [p.column for p in caught.value.problems] == ["overrides.cut.budjet_per_year"]


def test_an_invalid_value_in_a_fragment_names_the_fragment(tmp_path: Path) -> None:
    path = write(tmp_path, COMPOSED.replace("mip_gap: 0.03", "mip_gap: 1.5"))
    assert compose(path).mip_gap == 0.05  # the base does not apply the fragment
    with pytest.raises(ScenarioError) as caught:
        compose(path, "tight")
    assert caught.value.args[0] == (
        "scenario.yaml: scenario 'tight': overrides.fine_gap.mip_gap: must be less than 1, not 1.5"
    )
    assert [(p.file, p.column) for p in caught.value.problems] == [
        ("scenario.yaml", "overrides.fine_gap.mip_gap")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("years: [2027]\nfragments: [a]\n", "scenario.yaml: fragments is set by compose"),
        (
            "years: [2027]\noverrides: {a: {fragments: [a]}}\n",
            "scenario.yaml: overrides.a.fragments: fragments is set by compose",
        ),
        ("years: [2027]\noverrides: [a]\n", "scenario.yaml: overrides: must be a mapping"),
        ("years: [2027]\noverrides: {a: null}\n", "scenario.yaml: overrides.a: must be a mapping"),
        (
            "years: [2027]\noverrides: {a: {}}\nscenarios: {s: [a]}\n",
            "scenario.yaml: scenarios.s: must be a mapping: {description: ..., apply: [fragment, ...]}",
        ),
        (
            "years: [2027]\noverrides: {a: {}}\nscenarios: {base: {apply: [a]}}\n",
            "scenario.yaml: scenarios.base: 'base' names the file's base settings",
        ),
        (
            "years: [2027]\noverrides: {a: {}}\nscenarios: {s: {apply: []}}\n",
            "scenario.yaml: scenarios.s.apply: must list the fragments to apply, e.g. apply: [a]",
        ),
        (
            "years: [2027]\noverrides: {a: {}}\nscenarios: {s: {apply: [a], fragments: [a]}}\n",
            "scenario.yaml: scenarios.s.fragments: unknown key 'fragments'; a scenario has description and apply",
        ),
        (
            "years: [2027]\noverrides: {a: {}}\nscenarios: {s: {apply: [a, a]}}\n",
            "scenario.yaml: scenarios.s.apply: names a fragment twice",
        ),
        (
            "years: [2027]\noverrides: {yes: {}}\n",
            "scenario.yaml: overrides: the name 'true' must be text",
        ),
    ],
)
def test_badly_shaped_sections_are_refused_naming_file_and_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_names(write(tmp_path, text))
    assert str(caught.value).startswith(expected)


def test_fragments_cannot_be_set_by_an_option_or_an_override() -> None:
    with pytest.raises(ScenarioError, match=r"--set fragments=\[a\]: fragments is set by compose"):
        parse_set_options(["fragments=[a]"])
    with pytest.raises(ScenarioError, match="--set: fragments is set by compose"):
        Scenario(years=[2027]).with_overrides({"fragments": ["a"]}, source="--set")


def test_effective_changes_list_key_values_source_and_text(tmp_path: Path) -> None:
    path = write(tmp_path, COMPOSED)
    base = compose(path)
    scenario = compose(path, "all", {"subsidy_rate": 0.5, "name": "x"}, source="--set")
    changes = effective_changes(base, scenario)
    assert changes == [
        Change("budget_per_year", 250000.0, 80000.0, "cut"),
        Change("subsidy_rate", 0.8, 0.5, "--set"),
        Change("demand_growth.digital_data", 0.05, 0.2, "fast_digital"),
        Change("mip_gap", 0.05, 0.03, "fine_gap"),
    ]  # name, description and fragments changed too, but label the scenario
    assert [change.text() for change in changes] == [
        "budget_per_year: 250000 -> 80000",
        "subsidy_rate: 0.8 -> 0.5",
        "demand_growth.digital_data: 0.05 -> 0.2",
        "mip_gap: 0.05 -> 0.03",
    ]
    assert effective_changes(base, base) == []


def test_effective_changes_of_nulls_new_entries_and_restated_values(tmp_path: Path) -> None:
    text = "years: [2027]\nbudget_per_year: 1000\nmip_gap: 0.05\n" + yaml.safe_dump(
        {
            "overrides": {
                "free": {"budget_per_year": None, "mip_gap": 0.05},
                "lean": {"demand_growth": {"lean_quality": 0.1}},
                "yearly": {"budget_per_year": {2027: 500.0}},
            },
            "scenarios": {"s": {"apply": ["free", "lean"]}, "y": {"apply": ["yearly"]}},
        }
    )
    path = write(tmp_path, text)
    changes = effective_changes(compose(path), compose(path, "s"))
    assert [(c.text(), c.source) for c in changes] == [
        (
            "budget_per_year: 1000 -> none",
            "free",
        ),  # mip_gap restated at the base's value: no change
        ("demand_growth.lean_quality: none -> 0.1", "lean"),
    ]
    [yearly] = effective_changes(compose(path), compose(path, "y"))
    assert (yearly.text(), yearly.source) == ("budget_per_year: 1000 -> {2027: 500}", "yearly")


def test_changes_of_a_scenario_read_without_fragments_name_that_scenario(tmp_path: Path) -> None:
    base = load_scenario(SCENARIOS / "base.yaml")
    text = (SCENARIOS / "base.yaml").read_text(encoding="utf-8").split("\noverrides:")[0]
    text = text.replace("name: base", "name: tight_budget").replace("budget_per_year: 250000", "budget_per_year: 80000")
    tight = load_scenario(write(tmp_path, text, "tight_budget.yaml"))
    assert {change.source for change in effective_changes(base, tight)} == {"tight_budget"}


def test_a_file_without_fragments_loads_as_before(tmp_path: Path) -> None:
    text = "years: {start: 2027, count: 2}\nbudget_per_year: 5000\ndemand_growth: {digital_data: 0.1}\n"
    path = write(tmp_path, text, "plain.yaml")
    expected = Scenario.model_validate({**yaml.safe_load(text), "name": "plain"})
    assert load_scenario(path) == expected
    assert compose(path) == expected
    assert compose(path).fragments == []
    assert scenario_names(path) == ["base"]
    assert load_scenario(path, {"mip_gap": 0.02}) == expected.with_overrides({"mip_gap": 0.02})


def settings_of(scenario: Scenario) -> dict[str, Any]:
    """Every field but the labels (name, description, fragments)."""
    return {key: value for key, value in scenario.model_dump().items() if key not in LABEL_FIELDS}


def test_the_shipped_base_is_the_base_of_before() -> None:
    assert load_scenario(SCENARIOS / "base.yaml") == compose(SCENARIOS / "base.yaml")
    names = scenario_names(SCENARIOS / "base.yaml")
    assert names[:3] == ["base", "tight_budget", "min_cost"]
    for name in names:  # every shipped scenario composes and validates
        assert compose(SCENARIOS / "base.yaml", name).name == name


def test_the_tight_budget_scenario_is_what_the_former_tight_budget_yaml_held() -> None:
    """The scenario that replaced tight_budget.yaml changes exactly what that file changed against the base."""
    base, composed = settings_of(compose(SCENARIOS / "base.yaml")), settings_of(compose(SCENARIOS / "base.yaml", "tight_budget"))
    changed = {key: composed[key] for key in composed if composed[key] != base[key]}
    assert changed == {"budget_per_year": 80000.0, "company_cost_cap": 6000.0, "default_trainer_hours": 1200.0}


def test_the_min_cost_scenario_sets_the_objective_and_its_target() -> None:
    composed = compose(SCENARIOS / "base.yaml", "min_cost")
    assert composed.objective == "min_cost" and composed.coverage_target is not None
    assert composed.demand_growth == compose(SCENARIOS / "base.yaml").demand_growth  # it keeps the base's growth



# ---- property: composing equals applying fragments one by one ---------------------------------------

#: Leaf key path -> valid values of it (a pool the fragments share out, so they never conflict).
LEAF_VALUES: dict[tuple[str, ...], st.SearchStrategy[Any]] = {
    ("subsidy_rate",): st.floats(0, 1),
    ("mip_gap",): st.floats(0, 0.5),
    ("attrition_rate",): st.floats(0, 0.5),
    ("budget_per_year",): st.none() | st.floats(0, 1e6),
    ("company_cost_cap",): st.none() | st.floats(0, 1e5),
    ("years",): st.builds(
        lambda start, count: {"start": start, "count": count},
        st.integers(2027, 2030),
        st.integers(1, 3),
    ),
    ("priority_weights", "high"): st.floats(0.1, 10),
    ("priority_weights", "low"): st.floats(0.1, 10),
    ("demand_growth", "digital_data"): st.floats(-0.5, 1),
    ("demand_growth", "lean_quality"): st.floats(-0.5, 1),
    ("provider_trainer_hours", "Kattegat Tech"): st.floats(0, 1e4),
    ("provider_trainer_hours", "AMU Midt"): st.floats(0, 1e4),
}
BASE_VALUES: dict[str, Any] = {
    "years": [2027, 2028],
    "budget_per_year": 1000.0,
    "priority_weights": {"high": 3.0, "medium": 2.0, "low": 1.0},
    "demand_growth": {"digital_data": 0.05},
    "provider_trainer_hours": {"AMU Midt": 100.0},
}


def reference_merge(base: Mapping[str, Any], fragment: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge written out for the test: mappings merge by key (except years), the rest replaces."""
    merged = dict(base)
    for key, value in fragment.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and key != "years":
            merged[key] = reference_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@st.composite
def disjoint_fragments(draw: st.DrawFn) -> list[dict[str, Any]]:
    """One to four fragments, each setting its own leaf paths of the pool."""
    count = draw(st.integers(1, 4))
    paths = draw(
        st.lists(st.sampled_from(sorted(LEAF_VALUES)), unique=True, max_size=len(LEAF_VALUES))
    )
    fragments: list[dict[str, Any]] = [{} for _ in range(count)]
    for path in paths:
        target = fragments[draw(st.integers(0, count - 1))]
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = draw(LEAF_VALUES[path])
    return fragments


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fragments=disjoint_fragments())
def test_composing_fragments_equals_applying_them_one_by_one(
    fragments: list[dict[str, Any]],
) -> None:
    names = [f"f{index}" for index in range(len(fragments))]
    document = {
        **BASE_VALUES,
        "overrides": dict(zip(names, fragments, strict=True)),
        "scenarios": {"s": {"apply": names}, "reversed": {"apply": names[::-1]}},
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.yaml"
        path.write_text(yaml.safe_dump(document), encoding="utf-8")
        base, composed, backwards = compose(path), compose(path, "s"), compose(path, "reversed")
    expected = base.model_dump()
    for fragment in fragments:
        expected = reference_merge(expected, fragment)
    one_by_one = Scenario.model_validate({**expected, "name": "s", "fragments": names})
    assert composed.model_dump() == one_by_one.model_dump()
    assert settings_of(backwards) == settings_of(
        composed
    )  # without conflicts, order does not matter
    for change in effective_changes(base, composed):  # each change names the fragment that made it
        path_ = (
            tuple(change.key.split("."))
            if not change.key.startswith("provider")
            else ("provider_trainer_hours", change.key.partition(".")[2])
        )
        setters = [
            name for name, fragment in zip(names, fragments, strict=True) if sets(fragment, path_)
        ]
        assert setters == [change.source], (change, fragments)


def sets(fragment: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    """Whether ``fragment`` sets ``path`` or a mapping holding it."""
    value: Any = fragment
    for part in path:
        if not isinstance(value, Mapping) or (part not in value and int_key(part) not in value):
            return False
        value = value.get(part, value.get(int_key(part)))
        if not isinstance(value, Mapping) or path[:1] == ("years",):
            return True
    return True


def int_key(part: str) -> object:
    return int(part) if part.isdigit() else part

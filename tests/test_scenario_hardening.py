"""Scenario files and --set refuse non-finite, out-of-range, huge, deep and non-UTF-8 input by name."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimisation.scenarios import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_ATTRITION_RATE,
    MAX_DEMAND_GROWTH,
    MAX_HOURS_PER_EMPLOYEE,
    MAX_MONEY,
    MAX_NESTING_DEPTH,
    MAX_PRIORITY_WEIGHT,
    MAX_SCENARIO_BYTES,
    MAX_THREADS,
    MAX_TIME_LIMIT_S,
    MAX_TRAINER_HOURS,
    MAX_YEARS,
    Scenario,
    compose,
    load_scenario,
    parse_set_options,
)
from skills.cli import main
from skills.errors import ScenarioError

#: Every numeric key a scenario holds -> (lowest, highest, lowest allowed, highest allowed, whole number).
NUMERIC_KEYS: dict[str, tuple[float, float, bool, bool, bool]] = {
    "years.start": (FIRST_YEAR, LAST_YEAR, True, True, True),
    "years.count": (1, MAX_YEARS, True, True, True),
    "years.0": (FIRST_YEAR, LAST_YEAR, True, True, True),
    "budget_per_year": (0, MAX_MONEY, True, True, False),
    "budget_per_year.2027": (0, MAX_MONEY, True, True, False),
    "subsidy_rate": (0, 1, True, True, False),
    "company_cost_cap": (0, MAX_MONEY, True, True, False),
    "coverage_target": (0, 1, True, True, False),
    "gap_unit_value": (0, MAX_MONEY, False, True, False),
    "priority_weights.high": (0, MAX_PRIORITY_WEIGHT, False, True, False),
    "attrition_rate": (0, MAX_ATTRITION_RATE, True, True, False),
    "demand_growth.digital_data": (-1, MAX_DEMAND_GROWTH, False, True, False),
    "company_capacity_share": (0, 1, False, True, False),
    "company_hours_per_employee": (0, MAX_HOURS_PER_EMPLOYEE, False, True, False),
    "provider_trainer_hours.Kattegat Tech": (0, MAX_TRAINER_HOURS, True, True, False),
    "default_trainer_hours": (0, MAX_TRAINER_HOURS, False, True, False),
    "time_limit_s": (0, MAX_TIME_LIMIT_S, False, True, False),
    "mip_gap": (0, 1, True, False, False),
    "poor_gap": (0, 10, False, True, False),
    "threads": (1, MAX_THREADS, True, True, True),
}


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def scenario_values(key: str, value: object) -> dict[str, Any]:
    """A valid two-year scenario with ``value`` at the dotted ``key`` (as in NUMERIC_KEYS)."""
    head, _, rest = key.partition(".")
    values: dict[str, Any] = {"years": [2027, 2028]}
    if key in ("years.start", "years.count"):
        values["years"] = {"start": 2027, "count": 2, rest: value}
    elif key == "years.0":
        values["years"] = [value]
    elif key == "budget_per_year.2027":
        values["budget_per_year"] = {2027: value, 2028: 1000.0}
    elif key == "priority_weights.high":
        values["priority_weights"] = {"high": value, "medium": 2.0, "low": 1.0}
    elif rest:
        values[head] = {rest: value}
    else:
        values[key] = value
    return values


def refused(call: Any) -> ScenarioError:
    """The ScenarioError ``call()`` raises (any other outcome fails the test)."""
    with pytest.raises(ScenarioError) as caught:
        call()
    return caught.value


def columns(error: ScenarioError) -> list[str]:
    return [problem.column for problem in error.problems]


# ---- non-finite numbers in files ------------------------------------------------------------------


@pytest.mark.parametrize("text", [".inf", "-.inf", ".nan", "1e400", "1.0e+400", "-1e400"])
def test_a_non_finite_budget_is_refused_naming_file_and_key(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, f"years: [2027]\nbudget_per_year: {text}\n", "budget.yaml")
    error = refused(lambda: load_scenario(path))
    assert columns(error) == ["budget_per_year"]
    assert str(error).startswith("budget.yaml: budget_per_year: must be a finite number, not ")
    assert error.problems[0].file == "budget.yaml"


def test_the_message_names_the_file_and_the_year_of_a_budget(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "years: {start: 2027, count: 3}\nbudget_per_year: {2027: .inf, 2028: 1000, 2029: 1000}\n",
        "tight_budget.yaml",
    )
    error = refused(lambda: load_scenario(path))
    assert str(error).startswith(
        "tight_budget.yaml: budget_per_year.2027: must be a finite number, not inf"
    )
    assert columns(error) == ["budget_per_year.2027"]


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("priority_weights.high", "priority_weights: {high: .inf, medium: 2, low: 1}"),
        ("priority_weights.low", "priority_weights: {high: 3, medium: 2, low: .nan}"),
        ("provider_trainer_hours.Kattegat Tech", "provider_trainer_hours: {Kattegat Tech: .inf}"),
        ("default_trainer_hours", "default_trainer_hours: 1e400"),
        ("company_hours_per_employee", "company_hours_per_employee: .nan"),
        ("gap_unit_value", "gap_unit_value: .inf"),
        ("time_limit_s", "time_limit_s: .inf"),
        ("company_cost_cap", "company_cost_cap: .nan"),
    ],
)
def test_non_finite_weights_hours_and_money_are_refused(
    tmp_path: Path, key: str, text: str
) -> None:
    error = refused(lambda: load_scenario(write(tmp_path, f"years: [2027]\n{text}\n")))
    assert columns(error) == [key]
    assert str(error).startswith(f"scenario.yaml: {key}: must be a finite number")


def test_a_nan_demand_growth_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path, "years: [2027]\ndemand_growth: {digital_data: .nan, lean_quality: 0.1}\n"
    )
    error = refused(lambda: load_scenario(path))
    assert columns(error) == ["demand_growth.digital_data"]
    assert "demand_growth.digital_data: must be a finite number, not nan" in str(error)


def test_yes_or_no_is_not_a_number(tmp_path: Path) -> None:
    error = refused(lambda: load_scenario(write(tmp_path, "years: [2027]\nbudget_per_year: no\n")))
    assert columns(error) == ["budget_per_year"]
    assert "must be a number, not false" in str(error)


# ---- horizon size --------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1_000_000_000, 10**30, MAX_YEARS + 1, 0])
def test_a_huge_year_count_is_refused_before_the_years_are_built(
    tmp_path: Path, count: int
) -> None:
    path = write(tmp_path, f"years: {{start: 2027, count: {count}}}\n")
    error = refused(lambda: load_scenario(path))
    assert columns(error) == ["years.count"]
    assert str(error).startswith("scenario.yaml: years.count: must be from 1 to 30 years")


def test_a_horizon_may_not_run_past_the_last_year(tmp_path: Path) -> None:
    error = refused(lambda: load_scenario(write(tmp_path, "years: {start: 2095, count: 10}\n")))
    assert columns(error) == ["years.count"]
    assert f"by {LAST_YEAR}" in str(error)


@pytest.mark.parametrize(
    "start", ["1999", "2101", "1000000000000", "'2027'", "2027.5", "true", ".nan"]
)
def test_the_start_year_must_be_a_plausible_whole_year(tmp_path: Path, start: str) -> None:
    error = refused(
        lambda: load_scenario(write(tmp_path, f"years: {{start: {start}, count: 2}}\n"))
    )
    assert columns(error) == ["years.start"]


def test_a_long_list_of_years_is_refused(tmp_path: Path) -> None:
    years = ", ".join(str(2000 + index % 100) for index in range(10_000))
    error = refused(lambda: load_scenario(write(tmp_path, f"years: [{years}]\n")))
    assert columns(error) == ["years"]
    assert "at most 30 years, not 10000" in str(error)


def test_the_longest_horizons_are_accepted(tmp_path: Path) -> None:
    scenario = load_scenario(
        write(tmp_path, f"years: {{start: {LAST_YEAR - MAX_YEARS + 1}, count: {MAX_YEARS}}}\n")
    )
    assert scenario.years[-1] == LAST_YEAR
    assert len(scenario.years) == MAX_YEARS
    assert Scenario(years=[FIRST_YEAR]).years == [FIRST_YEAR]


# ---- file shape: nesting, size, encoding -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "years: [2027]\ndescription: " + "[" * 5000 + "]" * 5000 + "\n",
        "years: [2027]\npriority_weights: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
        "years: " + "[" * (MAX_NESTING_DEPTH + 1) + "2027" + "]" * (MAX_NESTING_DEPTH + 1) + "\n",
    ],
    ids=["lists", "mappings", "just-too-deep"],
)
def test_deeply_nested_yaml_is_refused_naming_the_file(tmp_path: Path, text: str) -> None:
    error = refused(lambda: load_scenario(write(tmp_path, text, "deep.yaml")))
    assert str(error).startswith(
        f"deep.yaml: lists and mappings nested more than {MAX_NESTING_DEPTH} deep"
    )
    assert error.problems[0].file == "deep.yaml"


def test_nesting_within_the_limit_gets_the_ordinary_message(tmp_path: Path) -> None:
    depth = MAX_NESTING_DEPTH - 1  # one level is the top mapping
    path = write(tmp_path, "years: " + "[" * depth + "2027" + "]" * depth + "\n")
    error = refused(lambda: load_scenario(path))
    assert "nested" not in str(error)
    assert columns(error) == ["years.0"]


def test_a_non_utf8_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("years: [2027]\nname: Århus café\n".encode("latin-1"))
    error = refused(lambda: load_scenario(path))
    assert str(error).startswith("latin1.yaml: a scenario file must be UTF-8 text; byte 21 (0xc5)")


def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffyears: [2027]\nname: Århus\n".encode())
    assert load_scenario(path).name == "Århus"


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    padding = "# " + "x" * 98 + "\n"
    path = write(
        tmp_path, "years: [2027]\n" + padding * (MAX_SCENARIO_BYTES // len(padding) + 1), "big.yaml"
    )
    error = refused(lambda: load_scenario(path))
    assert str(error).startswith(f"big.yaml: larger than {MAX_SCENARIO_BYTES:,} bytes")


def test_an_integer_too_long_to_read_is_a_scenario_error(tmp_path: Path) -> None:
    error = refused(
        lambda: load_scenario(write(tmp_path, "years: [2027]\nthreads: " + "9" * 5000 + "\n"))
    )
    assert str(error).startswith("scenario.yaml: not valid YAML")


# ---- --set ---------------------------------------------------------------------------------------


def test_set_options_are_read_as_yaml_values() -> None:
    overrides = parse_set_options(
        ["budget_per_year=1e5", "years={start: 2030, count: 2}", " mip_gap = 0.02"]
    )
    scenario = Scenario(years=[2027]).with_overrides(overrides, source="--set")
    assert (scenario.budget_per_year, scenario.years, scenario.mip_gap) == (
        100000.0,
        [2030, 2031],
        0.02,
    )


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("x", "--set 'x': needs key=value"),
        ("=3", "--set '=3': needs key=value"),
        ("nosuch=1", "--set nosuch=1: unknown key 'nosuch'"),
        (
            "budjet_per_year=1",
            "--set budjet_per_year=1: unknown key 'budjet_per_year' (did you mean budget_per_year?)",
        ),
        (
            "years=" + "[" * 3000 + "]" * 3000,
            f"--set years: lists and mappings nested more than {MAX_NESTING_DEPTH} deep",
        ),
        ("name=[1", "--set name: not valid YAML"),
        ("description=" + "x" * (MAX_SCENARIO_BYTES + 1), "--set description: 100,001 characters"),
    ],
)
def test_a_malformed_set_option_is_refused_by_name(option: str, expected: str) -> None:
    error = refused(lambda: parse_set_options([option]))
    assert str(error).startswith(expected)


# ---- the CLI -------------------------------------------------------------------------------------


@pytest.fixture
def isolated_database(database_url: str) -> str:
    """An empty database of its own, so a scenario that slipped through could not touch a real one."""
    from skills import service

    service._store_for.cache_clear()
    return database_url


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "Traceback" not in output
    assert "internal error" not in output
    return code, output


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("budget_per_year=abc", "--set: budget_per_year: must be a number, not 'abc'"),
        ("budget_per_year=.inf", "--set: budget_per_year: must be a finite number, not inf"),
        ("budget_per_year=1e400", "--set: budget_per_year: must be a finite number, not '1e400'"),
        (
            "demand_growth={digital_data: .nan}",
            "--set: demand_growth.digital_data: must be a finite number, not nan",
        ),
        ("nosuch=1", "--set nosuch=1: unknown key 'nosuch'"),
        ("x", "--set 'x': needs key=value"),
        ("years=" + "[" * 3000 + "]" * 3000, "--set years: lists and mappings nested more than"),
        (
            "years={start: 2027, count: 1000000000}",
            "--set: years.count: must be from 1 to 30 years, not 1000000000",
        ),
        ("name=[1", "--set name: not valid YAML"),
    ],
)
def test_a_bad_set_option_is_bad_input_with_a_message(
    isolated_database: str, capsys: pytest.CaptureFixture[str], option: str, expected: str
) -> None:
    code, output = run_cli(capsys, "solve", "--set", option)
    assert code == 2
    assert f"vetplan: {expected}" in output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "years: [2027]\nbudget_per_year: .inf\n",
            "bad.yaml: budget_per_year: must be a finite number, not inf",
        ),
        (
            "years: [2027]\npriority_weights: {high: 1e400, medium: 2, low: 1}\n",
            "bad.yaml: priority_weights.high: must be a finite number",
        ),
        (
            "years: {start: 2027, count: 1000000000}\n",
            "bad.yaml: years.count: must be from 1 to 30 years",
        ),
        (
            "years: [2027]\nx: " + "[" * 5000 + "]" * 5000 + "\n",
            "bad.yaml: lists and mappings nested more than",
        ),
    ],
)
def test_a_bad_scenario_file_is_bad_input_with_a_message(
    isolated_database: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    text: str,
    expected: str,
) -> None:
    code, output = run_cli(capsys, "solve", str(write(tmp_path, text, "bad.yaml")))
    assert code == 2
    assert f"vetplan: {expected}" in output


def test_a_non_utf8_scenario_file_is_bad_input(
    isolated_database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"years: [2027]\nname: caf\xe9\n")
    code, output = run_cli(capsys, "solve", str(path))
    assert code == 2
    assert "vetplan: latin1.yaml: a scenario file must be UTF-8 text" in output


def test_a_bad_set_option_in_json_mode_lists_the_problem(
    isolated_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    code, output = run_cli(capsys, "solve", "--json", "--set", "budget_per_year=.nan")
    assert code == 2
    report = json.loads(output)
    assert report["problems"][0]["column"] == "budget_per_year"
    assert report["problems"][0]["file"] == "--set"
    assert report["problems"][0]["value"] == "nan"


# ---- every numeric key: non-finite or out of range is a ScenarioError ------------------------------------


def bad_numbers(key: str) -> st.SearchStrategy[object]:
    """Values outside ``key``'s declared range: non-finite, below, above (and their YAML texts)."""
    lowest, highest, lowest_allowed, highest_allowed, whole = NUMERIC_KEYS[key]
    non_finite = st.sampled_from([math.inf, -math.inf, math.nan, "1e400", "-1e400", "inf", "nan"])
    if whole:
        below = st.integers(max_value=int(lowest) - 1)
        above = st.integers(min_value=int(highest) + 1)
    else:
        below = st.floats(
            max_value=lowest if not lowest_allowed else math.nextafter(lowest, -math.inf),
            allow_nan=False,
            allow_infinity=False,
        )
        above = st.floats(
            min_value=highest if not highest_allowed else math.nextafter(highest, math.inf),
            allow_nan=False,
            allow_infinity=False,
        )
    return st.one_of(non_finite, below, above)


@st.composite
def bad_keys(draw: st.DrawFn) -> tuple[str, object]:
    key = draw(st.sampled_from(sorted(NUMERIC_KEYS)))
    return key, draw(bad_numbers(key))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=bad_keys())
def test_any_non_finite_or_out_of_range_number_is_a_scenario_error(
    case: tuple[str, object],
) -> None:
    key, value = case
    values = scenario_values(key, value)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.yaml"
        path.write_text(yaml.safe_dump(values), encoding="utf-8")
        from_file = refused(lambda: load_scenario(path))
    assert key in columns(from_file), (key, value, str(from_file))
    assert all(problem.file == "random.yaml" for problem in from_file.problems)

    from_overrides = refused(
        lambda: Scenario(years=[2027, 2028]).with_overrides(values, source="--set")
    )
    assert key in columns(from_overrides), (key, value, str(from_overrides))

    options = [
        f"{top}={yaml.safe_dump(item, default_flow_style=True)}" for top, item in values.items()
    ]
    from_options = refused(
        lambda: Scenario(years=[2027, 2028]).with_overrides(
            parse_set_options(options), source="--set"
        )
    )
    assert key in columns(from_options), (key, value, str(from_options))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=bad_keys())
def test_a_bad_number_in_a_fragment_is_refused_naming_the_fragment_and_key(
    case: tuple[str, object],
) -> None:
    key, value = case
    document = {
        "years": [2027, 2028],
        "overrides": {"bad": scenario_values(key, value), "fine": {"description": "fine"}},
        "scenarios": {"s": {"apply": ["fine", "bad"]}},
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.yaml"
        path.write_text(yaml.safe_dump(document), encoding="utf-8")
        assert load_scenario(path).years == [2027, 2028]  # the base does not apply the fragment
        error = refused(lambda: compose(path, "s"))
    assert f"overrides.bad.{key}" in columns(error), (key, value, str(error))
    assert all(problem.file == "random.yaml" for problem in error.problems)
    assert str(error).startswith("random.yaml: scenario 's': ")


def test_deep_nesting_inside_a_fragment_is_refused_naming_the_file(tmp_path: Path) -> None:
    text = "years: [2027]\noverrides:\n  a: {description: " + "[" * 50 + "]" * 50 + "}\n"
    error = refused(lambda: compose(write(tmp_path, text, "deep.yaml")))
    assert str(error).startswith(
        f"deep.yaml: lists and mappings nested more than {MAX_NESTING_DEPTH} deep"
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("x" * 200, "scenario.yaml: unknown scenario 'xxxxxxxx"),
        ("", "scenario.yaml: unknown scenario ''; known: base, s"),
    ],
)
def test_an_unknown_scenario_name_is_shown_cut_short(
    tmp_path: Path, name: str, expected: str
) -> None:
    text = "years: [2027]\noverrides: {a: {mip_gap: 0.02}}\nscenarios: {s: {apply: [a]}}\n"
    error = refused(lambda: compose(write(tmp_path, text), name))
    assert error.args[0].startswith(expected)
    assert len(error.args[0]) < 160


@pytest.mark.parametrize("key", sorted(NUMERIC_KEYS))
def test_the_allowed_ends_of_every_declared_range_are_accepted(key: str) -> None:
    lowest, highest, lowest_allowed, highest_allowed, whole = NUMERIC_KEYS[key]
    ends = [
        end for end, allowed in ((lowest, lowest_allowed), (highest, highest_allowed)) if allowed
    ]
    assert ends, f"{key} has no allowed end to check"
    for end in ends:
        values = scenario_values(key, int(end) if whole else float(end))
        if key == "years.start":
            values["years"]["count"] = 1  # a horizon starting in the last year holds one year
        elif key == "years.count":
            values["years"]["start"] = FIRST_YEAR
        Scenario.model_validate(values)


def test_the_numeric_keys_cover_every_numeric_field() -> None:
    numeric = {
        name
        for name, field in Scenario.model_fields.items()
        if any(word in str(field.annotation) for word in ("float", "int"))
    }
    assert numeric == {key.partition(".")[0] for key in NUMERIC_KEYS}

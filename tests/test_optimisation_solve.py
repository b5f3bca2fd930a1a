"""Honest solve status (time limits are never "optimal"), solver choices, warm start, LP relaxation."""

from __future__ import annotations

import time

import numpy as np
import pulp
import pytest

from optimisation import solve as solve_module
from optimisation.checker import check_plan
from optimisation.heuristic import initial_plan, region_blocks, starting_plan
from optimisation.model import build_model
from optimisation.plan import run_scenario, time_margin
from optimisation.results import extract_plan
from optimisation.scenarios import Scenario
from optimisation.solve import (
    POOR_GAP,
    SolveStatus,
    classify,
    highs_threads,
    new_highs,
    parse_cbc_log,
    relative_gap,
    set_default_threads,
    solve,
)
from skills.dataset import Dataset
from skills.errors import SolverError
from skills.sample import generate_region


@pytest.fixture(scope="module")
def tier_m() -> Dataset:
    return generate_region("M")


@pytest.fixture(scope="module")
def tier_s() -> Dataset:
    return generate_region("S")


def hard(**changes: object) -> Scenario:
    """Tier M with a binding budget and a zero gap tolerance: HiGHS needs far more than a second to prove it."""
    values: dict[str, object] = {
        "name": "hard",
        "years": [2027, 2028, 2029],
        "budget_per_year": 150000.0,
        "mip_gap": 0.0,
        "time_limit_s": 1.0,
        "warm_start": False,
    }
    values.update(changes)
    return Scenario(**values)  # type: ignore[arg-type]


def test_a_time_limited_plan_is_never_optimal(tier_m: Dataset) -> None:
    model = build_model(tier_m, hard())
    result = solve(model)
    assert result.solver_status == "kTimeLimit"
    assert result.status in (SolveStatus.FEASIBLE, SolveStatus.POOR)
    assert result.limit == "time limit"
    assert result.gap is not None and result.gap > 0.0
    assert result.best_bound is not None and result.objective is not None
    assert result.best_bound > result.objective  # a maximisation stopped before closing the gap
    plan = extract_plan(model)
    assert check_plan(tier_m, model.scenario, plan) == []


def test_the_reported_objective_is_the_plan_s_own(tier_m: Dataset) -> None:
    # A warm-started solve on M: whichever plan is returned (solver's, start or cost stage), the
    # objective reported is the one recomputed from the plan's tables, and the gap is measured on it.
    result = run_scenario(tier_m, hard(time_limit_s=6.0, warm_start=True, mip_gap=0.005))
    assert result.plan is not None and result.objective is not None
    totals = result.plan.totals
    recomputed = result.gap_unit_value * totals["weighted_closed_units"] - totals["total_cost"]
    assert result.objective == pytest.approx(recomputed, rel=1e-9, abs=1e-6)
    assert result.gap == pytest.approx(relative_gap(recomputed, result.bound), rel=1e-9)
    assert result.result.cost == pytest.approx(totals["total_cost"], rel=1e-9, abs=1e-6)
    assert result.result.cost_bound is not None
    assert result.result.cost_bound <= totals["total_cost"] + 1e-6
    assert result.violations == []


#: A threshold no plan of M reaches in a few seconds: the poor label is forced, whatever the machine's load.
FORCED_POOR_GAP = 1e-4


def test_a_forced_poor_plan_is_labelled_poor(tier_m: Dataset) -> None:
    # M with a tiny time limit, no start and a binding budget returns a valid plan that is not proven
    # optimal; with a poor threshold below any gap it can reach in that time, it must be labelled poor,
    # with its figures, in the solve result and in the plan result.
    result = run_scenario(tier_m, hard(time_limit_s=2.5, poor_gap=FORCED_POOR_GAP), with_explanations=False)
    assert result.status is SolveStatus.POOR
    assert result.is_poor and result.result.has_plan and result.plan is not None
    assert result.gap is not None and result.gap > FORCED_POOR_GAP
    assert result.violations == []
    message = result.result.message
    assert message.startswith("poor plan")
    assert f"{result.gap:.1%}" in message and f"{result.objective:,.0f}" in message
    payload = result.to_json_dict()
    assert payload["status"] == "poor" and payload["poor_gap"] == FORCED_POOR_GAP
    assert payload["message"] == message


def test_the_default_poor_threshold_is_five_per_cent() -> None:
    assert POOR_GAP == 0.05
    assert classify(100.0, 104.9, limit="time limit")[0] is SolveStatus.FEASIBLE


def test_classify_thresholds() -> None:
    assert classify(100.0, 100.0, limit="")[0] is SolveStatus.OPTIMAL
    assert classify(100.0, 100.0, limit="time limit")[0] is SolveStatus.FEASIBLE
    assert classify(100.0, 104.0, limit="time limit")[0] is SolveStatus.FEASIBLE
    assert classify(100.0, 106.0, limit="time limit")[0] is SolveStatus.POOR
    assert classify(100.0, None, limit="time limit")[0] is SolveStatus.POOR
    assert classify(100.0, 106.0, limit="", poor_gap=0.1)[0] is SolveStatus.FEASIBLE


def test_the_time_limit_holds_on_a_short_limit(tier_m: Dataset) -> None:
    # The whole pipeline (build, start, MIP, cost stage, extract, check, explain) on M with a
    # 3-second limit ends within the limit plus the documented margin, however loaded the machine.
    limit = 3.0
    began = time.perf_counter()
    result = run_scenario(tier_m, hard(time_limit_s=limit, warm_start=True, mip_gap=0.005))
    elapsed = time.perf_counter() - began
    assert result.plan is not None
    assert result.timings["total_s"] <= limit + time_margin(limit)
    assert elapsed <= limit + time_margin(limit)


def test_pulp_itself_calls_the_same_time_limited_run_optimal(tier_m: Dataset) -> None:
    # The trap this package works around: PuLP 3.3.2 maps HiGHS's kTimeLimit to LpStatusOptimal;
    # only sol_status tells that the solution is merely integer feasible.
    model = build_model(tier_m, hard())
    model.problem.solve(pulp.HiGHS(msg=False, timeLimit=1.0))
    assert model.problem.status == pulp.LpStatusOptimal
    assert model.problem.sol_status == pulp.LpSolutionIntegerFeasible


def test_cbc_without_a_plan_in_time_is_an_error_not_optimal(tier_m: Dataset) -> None:
    model = build_model(tier_m, hard(time_limit_s=0.3))
    result = solve(model, solver="cbc")
    assert result.status in (SolveStatus.FEASIBLE, SolveStatus.ERROR)
    assert result.limit == "time limit"


def test_a_gap_limit_stop_reports_feasible_with_its_gap(tier_s: Dataset) -> None:
    # With a 5 % tolerance HiGHS stops as soon as it is within 5 %; unless the gap is zero that is not "optimal".
    model = build_model(
        tier_s, Scenario(years=[2027], budget_per_year=80000.0, mip_gap=0.05, warm_start=False)
    )
    result = solve(model)
    assert result.gap is not None and result.gap <= 0.05
    if result.gap > 1e-4:
        assert result.status is SolveStatus.FEASIBLE
        assert result.limit == "gap limit"
    else:
        assert result.status is SolveStatus.OPTIMAL


def test_highs_and_cbc_agree_on_tier_s(tier_s: Dataset) -> None:
    settings = Scenario(years=[2027], budget_per_year=80000.0, mip_gap=0.0, time_limit_s=60.0)
    highs = solve(build_model(tier_s, settings), solver="highs")
    cbc = solve(build_model(tier_s, settings), solver="cbc")
    assert highs.status is SolveStatus.OPTIMAL
    assert cbc.status is SolveStatus.OPTIMAL
    assert highs.objective == pytest.approx(cbc.objective, rel=1e-6)


def test_lp_relaxation_bounds_the_milp(tier_s: Dataset) -> None:
    settings = Scenario(years=[2027], budget_per_year=80000.0, mip_gap=0.0)
    relaxed = solve(build_model(tier_s, settings), relax=True)
    exact = solve(build_model(tier_s, settings))
    assert relaxed.status is SolveStatus.OPTIMAL
    assert relaxed.objective is not None and exact.objective is not None
    assert relaxed.objective >= exact.objective - 1e-6


def test_the_warm_start_is_a_valid_plan(tier_s: Dataset) -> None:
    settings = Scenario(years=[2027], budget_per_year=80000.0, mip_gap=0.01)
    model = build_model(tier_s, settings)
    start, start_objective = initial_plan(model, min_integers=0)
    assert start and start_objective is not None
    for variable, value in start.items():
        variable.varValue = value
    plan = extract_plan(model)
    assert check_plan(tier_s, settings, plan) == []
    assert pulp.value(model.problem.objective) == pytest.approx(start_objective, rel=1e-6)
    result = solve(build_model(tier_s, settings.with_overrides({"mip_gap": 0.0})))
    assert result.objective is not None and result.objective >= start_objective - 1e-6


def test_the_area_by_area_start_covers_every_column_and_only_improves_the_plan(tier_s: Dataset) -> None:
    """Tier S has two areas; the start forced area by area (``area_integers=0``) is a valid, no worse plan."""
    settings = Scenario(years=[2027, 2028, 2029], budget_per_year=150000.0, mip_gap=0.01)
    model = build_model(tier_s, settings)
    blocks = region_blocks(model)
    assert len(blocks) >= 2
    covered = np.logical_or.reduce(blocks)
    assert covered[model.matrix.integer].all()
    participants = model.columns("participants")
    in_blocks = np.sum([mask[participants] for mask in blocks], axis=0)
    assert (in_blocks == 1).all(), "every participant slot belongs to its company's area alone"
    rounded = starting_plan(model, seconds=5.0, min_integers=10**9)
    by_area = starting_plan(model, seconds=5.0, min_integers=0, area_integers=0)
    assert rounded.objective is not None and by_area.objective is not None
    assert by_area.objective >= rounded.objective - 1e-6
    for variable, value in by_area.values.items():
        variable.varValue = value
    assert check_plan(tier_s, settings, extract_plan(model)) == []
    assert pulp.value(model.problem.objective) == pytest.approx(by_area.objective, rel=1e-6)


def test_a_large_model_takes_the_area_by_area_start_and_is_labelled_by_it(
    tier_s: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the large-model threshold at 0, tier S goes the NS way: no coverage MIP, the start's own figures."""
    import optimisation.solve as solve_module

    monkeypatch.setattr(solve_module, "LARGE_MIP_INTEGERS", 0)
    settings = Scenario(years=[2027, 2028, 2029], budget_per_year=150000.0, mip_gap=0.01, time_limit_s=6.0)
    result = run_scenario(tier_s, settings, with_explanations=False)
    assert result.result.solver_status.startswith("not run")
    assert result.status in {SolveStatus.FEASIBLE, SolveStatus.POOR}
    assert result.plan is not None and result.objective is not None and result.violations == []
    totals = result.plan.totals
    recomputed = result.gap_unit_value * totals["weighted_closed_units"] - totals["total_cost"]
    assert result.objective == pytest.approx(recomputed, rel=1e-9, abs=1e-6)
    assert result.gap == pytest.approx(relative_gap(recomputed, result.bound), rel=1e-9)
    assert result.timings["total_s"] <= settings.time_limit_s + time_margin(settings.time_limit_s)


def test_relative_gap_definition() -> None:
    assert relative_gap(100.0, 101.0) == pytest.approx(0.01)
    assert relative_gap(None, 1.0) is None
    assert relative_gap(0.0, 0.0) == 0.0


def test_parse_cbc_log_reads_result_objective_and_bound() -> None:
    log = "Result - Stopped on time limit\n\nObjective value:                -41356500.00000000\nUpper bound:                    -41275792.758\n"
    parsed = parse_cbc_log(log)
    assert parsed["result"] == "Stopped on time limit"
    assert parsed["abs_gap"] == pytest.approx(80707.242)


def test_cbc_with_a_warm_start_still_searches(tier_s: Dataset) -> None:
    # CBC 2.10 given a start on a maximisation returns the start as "optimal" without searching
    # (coin-or/Cbc#670); solve.py hands CBC the negated minimisation instead, where starts work.
    settings = Scenario(years=[2027], budget_per_year=80000.0, mip_gap=0.0, time_limit_s=60.0)
    model = build_model(tier_s, settings)
    start, start_objective = initial_plan(model, min_integers=0)
    assert start_objective is not None
    cbc = solve(model, solver="cbc", start=start)
    highs = solve(build_model(tier_s, settings), solver="highs")
    assert highs.objective is not None and cbc.objective is not None
    assert start_objective < highs.objective - 1.0  # the start is not optimal ...
    assert cbc.status is SolveStatus.OPTIMAL
    assert cbc.objective == pytest.approx(highs.objective, rel=1e-9)  # ... and CBC improved on it


def test_a_small_mip_is_solved_without_the_cohort_cuts_and_keeps_its_optimum(tier_s: Dataset) -> None:
    """The cohort cuts are valid inequalities: HiGHS leaves them out on small models, CBC keeps them (same optimum above)."""
    settings = Scenario(years=[2027], budget_per_year=80000.0, mip_gap=0.0, time_limit_s=60.0)
    model = build_model(tier_s, settings)
    cuts = model.rows["cohort_cuts"]["constraint"].notna().sum()
    result = solve(model, solver="highs", start={})
    assert cuts > 0
    assert model.problem.solverModel.getNumRow() == model.matrix.n_rows - cuts
    assert result.status is SolveStatus.OPTIMAL
    plan = extract_plan(model)
    assert check_plan(tier_s, settings, plan) == []


def test_a_scenario_s_threads_hold_whatever_ran_before_in_the_process(tier_s: Dataset) -> None:
    """HiGHS keeps one thread scheduler per process: a solve asking for another count used to fail at once.

    Before, ``threads: 1`` after any default solve in the same process came
    back POOR with bound 0 (HiGHS ``kNotset``) and no search at all.
    """
    plans = []
    for threads in (None, 1, 2, 1, None):
        settings = Scenario(
            years=[2027], budget_per_year=80000.0, mip_gap=0.0, time_limit_s=60.0, threads=threads
        )
        result = run_scenario(tier_s, settings, with_explanations=False)
        assert result.status is SolveStatus.OPTIMAL, (threads, result.result.message)
        plans.append(result.objective)
    assert plans == pytest.approx([plans[0]] * len(plans), rel=1e-9)


def test_the_thread_count_changes_only_between_solves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solve_module._THREADS, "count", solve_module._THREADS.count)
    monkeypatch.setattr(solve_module._THREADS, "default", None)
    with highs_threads(1) as held:
        assert held == 1
        assert new_highs().getOptionValue("threads")[1] == 1
        with highs_threads(2) as inner:  # another solve of this process runs: it keeps 1
            assert inner == 1
            assert new_highs().getOptionValue("threads")[1] == 1
    with highs_threads(2) as alone:
        assert alone == 2
        assert new_highs().getOptionValue("threads")[1] == 2
    set_default_threads(1)
    with highs_threads(None) as worker:  # an executor worker's share when the scenario sets none
        assert worker == 1
    with pytest.raises(SolverError, match="at least 1 thread"):
        set_default_threads(0)

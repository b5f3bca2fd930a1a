"""Budget sweep: monotone curve, reuse of plans, the knee, and the Dask path against a LocalCluster."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimisation.scenarios import Scenario
from skills.dataset import Dataset
from skills.errors import InputError
from skills.executor import SolveExecutor, make_task
from skills.sample import generate_region
from skills.sweep import (
    UNLIMITED,
    Sweep,
    SweepPoint,
    budget_sweep,
    knee_index,
    monotonicity_problems,
    yearly_budget_notes,
)

#: Eight budgets from nothing to beyond what a small region can spend.
BUDGETS = [0.0, 2_000.0, 5_000.0, 10_000.0, 20_000.0, 40_000.0, 80_000.0, 400_000.0]


@cache
def _s_region(seed: int) -> Dataset:
    return generate_region("S", seed=seed)


def small_region(seed: int = 7, companies: int = 6) -> Dataset:
    """The first ``companies`` companies of tier S (seed ``seed``) with their survey answers."""
    region = _s_region(seed)
    kept = region.companies.index[:companies]
    frames = {name: region.flat(name) for name in Dataset.INDEXED}
    frames["companies"] = frames["companies"][frames["companies"]["company_id"].isin(kept)]
    frames["demand"] = region.demand[region.demand["company_id"].isin(kept)]
    frames["course_skills"] = region.course_skills
    frames["supply"] = region.supply
    return Dataset.from_frames(frames)


def scenario(**changes: object) -> Scenario:
    base = Scenario(years=[2027], time_limit_s=5.0, mip_gap=0.01, attrition_rate=0.05)
    return base.model_copy(update=changes)


def assert_monotone(sweep: Sweep) -> None:
    """Both guarantees, checked directly on the points (not only through ``sweep.problems``)."""
    points = [point for point in sweep.points if point.plan_budget is not None]
    assert len(points) == len(sweep.points), "every budget has a plan (doing nothing always fits)"
    for lower, higher in itertools.pairwise(points):
        assert higher.weighted_closed_units >= lower.weighted_closed_units - 1e-6
    for first in points:
        for other in points:
            if other.weighted_closed_units >= first.weighted_closed_units - 1e-6:
                assert first.public_cost <= other.public_cost + 0.01
    for point in points:
        assert point.peak_public_per_year <= point.budget + 0.01
    assert sweep.problems == ()


@pytest.fixture(scope="module")
def region() -> Dataset:
    return small_region()


@pytest.fixture(scope="module")
def serial_sweep(region: Dataset) -> Sweep:
    with SolveExecutor("serial") as executor:
        return budget_sweep(region, scenario(), BUDGETS, executor=executor)


def test_sweep_is_monotone_and_reuses_plans(serial_sweep: Sweep) -> None:
    sweep = serial_sweep
    assert sweep.budgets == BUDGETS
    assert_monotone(sweep)
    assert sweep.points[0].weighted_closed_units <= sweep.points[-1].weighted_closed_units
    assert sweep.points[0].public_cost == 0.0
    # the highest budget is beyond the unlimited plan's spend: that plan, without a solve
    top = sweep.points[-1]
    assert sweep.unlimited.peak_public_per_year < top.budget
    assert (top.solved, top.plan_budget, top.reused_from) == (False, UNLIMITED, UNLIMITED)
    assert "unlimited" in top.reason
    assert sweep.solves < len(BUDGETS) + 1
    assert UNLIMITED in sweep.plans
    for point in sweep.points:
        assert point.within_gap, point
        assert (point.reused_from is None) == (point.plan_budget == point.budget)
        if point.solved:
            assert point.seconds > 0
            assert point.budget in sweep.plans
        plan = sweep.plan_at(point.budget)
        assert plan is not None and math.isclose(plan.public_cost, point.public_cost)


def test_sweep_table_and_json(serial_sweep: Sweep) -> None:
    frame = serial_sweep.to_frame()
    assert list(frame["budget"]) == BUDGETS
    for column in (
        "weighted_closed_units",
        "closed_units",
        "unmet_units",
        "public_cost",
        "company_cost",
        "total_cost",
        "status",
        "gap",
        "seconds",
        "reused_from",
        "is_knee",
    ):
        assert column in frame.columns
    assert frame["is_knee"].sum() == (serial_sweep.knee_budget is not None)
    data = serial_sweep.to_json_dict()
    assert data["unlimited"]["budget"] == "unlimited"
    assert data["points"][-1]["reused_from"] == "unlimited"
    assert len(data["points"]) == len(BUDGETS)


def test_dominance_replaces_a_worse_own_solve() -> None:
    """A budget's own plan that closes less than a plan of a lower budget is replaced, and says so."""
    from skills.sweep import _point, _Solved

    low = _Solved(
        100.0,
        "feasible",
        1000.0,
        1.0,
        True,
        objective=990.0,
        weighted_closed_units=10.0,
        public_cost=90.0,
        peak_public_per_year=90.0,
    )
    own = _Solved(
        200.0,
        "feasible",
        1000.0,
        1.0,
        True,
        objective=980.0,
        weighted_closed_units=9.0,
        public_cost=150.0,
        peak_public_per_year=150.0,
    )
    point = _point(200.0, [low, own], mip_gap=0.02, poor_gap=0.05)
    assert (point.plan_budget, point.reused_from, point.solved) == (100.0, 100.0, True)
    assert point.reason.startswith("dominance")
    assert point.weighted_closed_units == 10.0 and point.public_cost == 90.0
    assert math.isclose(point.gap or 0.0, 10.0 / 990.0)


def test_monotonicity_problems_names_a_breach() -> None:
    def at(budget: float, closed: float, public: float, peak: float | None = None) -> SweepPoint:
        return SweepPoint(
            budget,
            closed,
            closed,
            0.0,
            0.0,
            public,
            0.0,
            public,
            public if peak is None else peak,
            None,
            "feasible",
            0.0,
            True,
            True,
            1.0,
            budget,
            None,
            "own solve",
        )

    assert monotonicity_problems([at(1, 5, 1), at(2, 6, 2)]) == []
    problems = monotonicity_problems([at(1, 5, 1), at(2, 4, 2), at(3, 6, 0.5)])
    assert any("closes 4.00 weighted units, fewer than budget 1" in p for p in problems)
    assert any("budget 1 spends 1.00 of public money, more than budget 3" in p for p in problems)
    assert yearly_budget_notes([at(1, 5, 1), at(2, 4, 2), at(3, 6, 0.5)]) == []
    # Over two years: budget 300's plan is cheaper in total (150 against 200) but needs 150 in one
    # year, more than budget 100 allows: not a breach, a note that names the year's spend.
    shared = replace(at(400, 6, 150, peak=150), plan_budget=300, reused_from=300)  # budget 300's plan again
    two_years = [at(100, 5, 200, peak=100), at(300, 6, 150, peak=150), shared]
    assert monotonicity_problems(two_years) == []
    assert yearly_budget_notes(two_years) == [
        "budget 100 spends 200.00 of public money over the years, more than budget 300 (150.00), whose "
        "plan closes at least as many weighted units but needs 150 in one year, above budget 100"
    ]


def test_knee_on_a_hand_made_curve() -> None:
    budgets = [0, 10_000, 20_000, 30_000, 40_000, 50_000]
    closed = [0.0, 50.0, 80.0, 90.0, 95.0, 97.0]
    # normalised heights above the chord: .315, .425, .328, .179, 0 -> the knee is 20 000
    assert knee_index(budgets, closed) == 2
    assert knee_index(budgets, [0.0, 10, 20, 30, 40, 50]) is None  # straight: no knee
    assert knee_index(budgets, [0.0, 1, 4, 9, 16, 25]) is None  # convex: no knee
    assert knee_index([0, 1], [0.0, 1.0]) is None
    assert knee_index(budgets, [5.0] * 6) is None
    # points without a plan are skipped
    assert knee_index([0, 1, 2, 3], [0.0, math.nan, 9.0, 10.0]) == 2


def test_bad_budgets_and_objective_are_input_errors(region: Dataset) -> None:
    with SolveExecutor("serial") as executor:
        for budgets, words in (
            ([1000.0], "2 to 200 budgets"),
            ([1000.0, 1000.0, 5.0], "more than once"),
            ([-1.0, 5.0], "from 0 to"),
            ([math.inf, 5.0], "from 0 to"),
        ):
            with pytest.raises(InputError, match=words):
                budget_sweep(region, scenario(), budgets, executor=executor)
        with pytest.raises(InputError, match="max_coverage"):
            budget_sweep(
                region,
                scenario(objective="min_cost", coverage_target=0.2),
                BUDGETS,
                executor=executor,
            )


def test_executor_settings_and_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VETPLAN_DASK_SCHEDULER", raising=False)
    assert SolveExecutor(workers=1).mode == "serial"
    assert SolveExecutor(workers=2).mode == "processes"
    with pytest.raises(InputError, match="unknown executor mode"):
        SolveExecutor("threads")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="scheduler address"):
        SolveExecutor("dask")
    monkeypatch.setenv("VETPLAN_DASK_SCHEDULER", "tcp://127.0.0.1:1")
    executor = SolveExecutor()
    assert executor.mode == "dask" and executor._scheduler == "tcp://127.0.0.1:1"


def test_process_pool_gives_the_serial_results(region: Dataset, serial_sweep: Sweep) -> None:
    """Spawned local processes: the same curve as in-process (the plans are proven optimal here)."""
    with SolveExecutor("processes", workers=2) as executor:
        parallel = budget_sweep(region, scenario(), BUDGETS, executor=executor)
        batch = executor.solve_all(
            [make_task(region, scenario(budget_per_year=b)) for b in (0.0, 5_000.0)]
        )
    assert parallel.executor == "processes x2"
    _assert_same_curve(parallel, serial_sweep)
    assert [round(r.public_cost, 2) for r in batch] == [
        round(serial_sweep.points[i].public_cost, 2) for i in (0, 2)
    ]


def _assert_same_curve(first: Sweep, second: Sweep) -> None:
    for a, b in zip(first.points, second.points, strict=True):
        assert a.budget == b.budget
        assert math.isclose(a.weighted_closed_units, b.weighted_closed_units, abs_tol=1e-6)
        assert math.isclose(a.public_cost, b.public_cost, abs_tol=0.01)
        assert math.isclose(a.total_cost, b.total_cost, abs_tol=0.01)
    assert first.knee_budget == second.knee_budget


def test_dask_local_cluster_gives_the_local_results(region: Dataset, serial_sweep: Sweep) -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
        SolveExecutor(client=client) as executor,
    ):
        assert executor.mode == "dask" and executor.workers == 2
        remote = budget_sweep(region, scenario(), BUDGETS, executor=executor)
        batch = executor.solve_all([make_task(region, scenario(budget_per_year=5_000.0))])
    _assert_same_curve(remote, serial_sweep)
    assert remote.executor.startswith("dask x2")
    assert math.isclose(batch[0].public_cost, serial_sweep.points[2].public_cost, abs_tol=0.01)
    assert batch[0].plan is not None and not batch[0].plan.participants.empty


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    seed=st.integers(min_value=1, max_value=50),
    companies=st.integers(min_value=2, max_value=6),
    subsidy=st.sampled_from([0.5, 0.8, 1.0]),
    steps=st.lists(st.integers(min_value=1, max_value=30), min_size=8, max_size=8),
)
def test_sweep_is_monotone_on_random_small_regions(
    seed: int, companies: int, subsidy: float, steps: list[int]
) -> None:
    region = small_region(seed, companies)
    budgets = sorted({1_000.0 * sum(steps[: i + 1]) for i in range(len(steps))})
    with SolveExecutor("serial") as executor:
        sweep = budget_sweep(region, scenario(subsidy_rate=subsidy), budgets, executor=executor)
    assert_monotone(sweep)

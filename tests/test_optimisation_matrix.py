"""The model's matrix: built once per model, equal to the PuLP problem, rebuilt when the problem changes."""

from __future__ import annotations

import highspy
import numpy as np
import pulp
import pytest

import optimisation.model as model_module
from optimisation.explain import explain
from optimisation.heuristic import initial_plan
from optimisation.matrix import Matrix, block_lp, build_matrix
from optimisation.model import build_model
from optimisation.results import extract_plan
from optimisation.scenarios import Scenario
from optimisation.solve import SolveStatus, new_highs, solve
from skills.dataset import Dataset
from skills.sample import generate_region
from tests.test_optimisation_known_answers import region

SETTINGS = Scenario(years=[2027], budget_per_year=80000.0, mip_gap=0.01)


@pytest.fixture(scope="module")
def tier_s() -> Dataset:
    return generate_region("S")


def test_the_matrix_is_the_pulp_problem(tier_s: Dataset) -> None:
    model = build_model(tier_s, SETTINGS)
    matrix = model.matrix
    constraints = model.problem.constraints()
    assert (
        matrix.n_rows
        == len(constraints)
        == sum(frame["constraint"].notna().sum() for frame in model.rows.values())
    )
    assert matrix.n_cols == len(model.problem.variables())
    assert matrix.nonzeros == model.size()["nonzeros"]
    for row in (0, len(constraints) // 2, len(constraints) - 1):
        constraint = constraints[row]
        assert matrix.row_of[str(constraint.name)] == row
        entries = slice(int(matrix.start[row]), int(matrix.start[row + 1]))
        expected = {matrix.column_of[v.name]: a for v, a in constraint.expr.items()}
        assert (
            dict(zip(matrix.index[entries].tolist(), matrix.value[entries].tolist(), strict=True))
            == expected
        )
    runs = model.columns("runs")
    assert [matrix.variables[i] for i in runs.tolist()] == model.variables["runs"]
    assert matrix.integer[runs].all() and not matrix.integer[model.columns("unmet")].any()
    objective = model.problem.objective
    assert objective is not None
    assert matrix.offset == pytest.approx(objective.constant)
    assert matrix.maximise
    with pytest.raises(ValueError, match="read-only"):
        matrix.value[0] = 1.0


def test_heuristic_solver_and_explanations_share_one_matrix(
    tier_s: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[Matrix] = []

    def counted(problem: pulp.LpProblem) -> Matrix:
        builds.append(build_matrix(problem))
        return builds[-1]

    monkeypatch.setattr(model_module, "build_matrix", counted)
    model = build_model(tier_s, SETTINGS)
    start, _ = initial_plan(model, min_integers=0)
    result = solve(model, start=start)
    assert result.has_plan
    explain(model, extract_plan(model), result)
    assert len(builds) == 1 and model.matrix is builds[0]


def test_a_constraint_added_after_the_build_is_seen_by_the_next_solve(tier_s: Dataset) -> None:
    model = build_model(tier_s, SETTINGS)
    first = solve(model)
    assert first.has_plan and extract_plan(model).totals["runs"] > 0
    before = model.matrix
    model.problem.addConstraint(pulp.lpSum(model.variables["runs"]) <= 0, "no_runs")
    assert not before.matches(model.problem)
    after = model.matrix
    assert after is not before and after.n_rows == before.n_rows + 1
    assert after.row_of["no_runs"] == before.n_rows
    second = solve(model)
    assert second.has_plan and extract_plan(model).totals["runs"] == 0
    assert second.objective is not None and first.objective is not None
    assert second.objective < first.objective
    assert np.isfinite(after.row_upper[-1]) and after.row_upper[-1] == 0.0


def test_a_model_without_decisions_is_solved_with_pulps_dummy_column() -> None:
    # LpProblem.solve adds a ``__dummy`` term to a constant objective in place, after the model's
    # matrix was built; the solver sees the changed fingerprint and rebuilds (HiGHS: optimal, not empty).
    dataset = region(
        companies=[("C0", "DK041", 3)],
        demand=[
            {
                "company_id": "C0",
                "skill": "plc_programming",
                "headcount": 1,
                "current_level": 0,
                "required_level": 0,
            }
        ],
    )
    model = build_model(dataset, Scenario(years=[2027], warm_start=False))
    assert model.matrix.n_cols == 0
    result = solve(model)
    assert result.status is SolveStatus.OPTIMAL and result.objective == 0.0


def test_a_block_lp_is_the_model_with_the_other_columns_fixed(tier_s: Dataset) -> None:
    """Solved to optimality, the block's optimum (offset included) is the full model's with the rest pinned."""
    model = build_model(tier_s, SETTINGS)
    matrix = model.matrix
    start, _ = initial_plan(model, min_integers=0)
    incumbent = np.array([start.get(v, 0.0) for v in matrix.variables], dtype=float)
    incumbent = np.where(matrix.integer, np.round(incumbent), incumbent)
    free = np.zeros(matrix.n_cols, dtype=bool)
    free[::2] = True
    free[model.columns("unmet")] = True
    lower, upper = np.asarray(matrix.col_lower, dtype=float), np.asarray(matrix.col_upper, dtype=float)

    def optimum(lp: highspy.HighsLp) -> tuple[float, np.ndarray]:
        highs = new_highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("mip_rel_gap", 0.0)
        highs.passModel(lp)
        highs.run()
        assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        return highs.getInfo().objective_function_value, np.asarray(highs.getSolution().col_value)

    block = block_lp(matrix, free, incumbent, lower, upper)
    assert block.num_col_ == int(free.sum()) and block.num_row_ < matrix.n_rows
    block_value, block_solution = optimum(block)
    full = matrix.highs_lp(mip=True)
    pinned_lower, pinned_upper = lower.copy(), upper.copy()
    pinned_lower[~free] = pinned_upper[~free] = incumbent[~free]
    full.col_lower_, full.col_upper_ = pinned_lower, pinned_upper
    full_value, _ = optimum(full)
    assert block_value == pytest.approx(full_value, rel=1e-9, abs=1e-6)
    assert block_value >= float(np.dot(matrix.cost, incumbent)) + matrix.offset - 1e-6
    plan = incumbent.copy()
    plan[free] = block_solution
    activity = matrix.activity(plan)
    assert (activity >= matrix.row_lower - 1e-6).all() and (activity <= matrix.row_upper + 1e-6).all()

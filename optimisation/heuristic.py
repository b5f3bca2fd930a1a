"""A starting plan for the MILP: solve the LP relaxation, then a restricted MILP around it (RENS-like)."""

from __future__ import annotations

import time

import highspy
import numpy as np
import pulp

from optimisation.model import Model
from optimisation.solve import new_highs

#: Below this many integer variables HiGHS alone is faster than heuristic plus solve.
MIN_INTEGERS_FOR_START = 2000


def initial_plan(
    model: Model, *, time_share: float = 0.25, min_integers: int = MIN_INTEGERS_FOR_START
) -> tuple[dict[pulp.LpVariable, float], float | None]:
    """A feasible plan to warm-start the solver, and its objective value.

    1. Solve the LP relaxation.
    2. Solve the MILP with every integer variable bounded above by the
       ceiling of its LP value, except that participants of runs the LP
       opens get one more person of room (RENS with a little slack: the
       bare LP ceiling often cannot fill a whole run's minimum cohort).
       Lower bounds stay 0, so the all-zero plan, and hence a feasible one,
       remains (in ``min_cost`` mode the restricted problem may be
       infeasible). Runs the LP leaves closed stay closed, which shrinks
       the problem to a fraction of its size.

    Uses at most ``time_share`` of the scenario's time limit. Returns an
    empty mapping (no start) for models with fewer than ``min_integers``
    integer variables or when no plan is found.
    """
    began = time.perf_counter()
    matrix = model.matrix
    integer = matrix.integer
    if int(integer.sum()) < min_integers:
        return {}, None
    lp = matrix.highs_lp(mip=True)
    variables = matrix.variables
    budget = model.scenario.time_limit_s * time_share
    relaxation = new_highs()
    relaxation.setOptionValue("output_flag", False)
    relaxation.passModel(lp)
    columns = np.arange(len(variables), dtype=np.int32)
    relaxation.changeColsIntegrality(
        len(columns),
        columns,
        np.full(len(columns), int(highspy.HighsVarType.kContinuous), dtype=np.uint8),
    )
    relaxation.setOptionValue("time_limit", max(0.1, budget))
    relaxation.run()
    if relaxation.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return {}, None
    lp_values = np.asarray(relaxation.getSolution().col_value, dtype=float)

    restricted = new_highs()
    restricted.setOptionValue("output_flag", False)
    restricted.passModel(lp)
    bound = matrix.col_upper
    upper = np.minimum(np.ceil(lp_values - 1e-6), bound)
    # Participants of runs the LP opens (even a little) get one more person of room, so that
    # whole runs can reach their minimum cohort; everything else stays within the LP's ceiling.
    run_columns = model.columns("runs")
    slot_columns = model.columns("participants")
    if len(slot_columns):
        opened = lp_values[run_columns] > 1e-6
        slot_open = opened[model.sets.participants["run"].to_numpy()]
        upper[slot_columns] = np.where(
            slot_open,
            np.minimum(bound[slot_columns], upper[slot_columns] + 1.0),
            upper[slot_columns],
        )
    chosen = np.flatnonzero(integer).astype(np.int32)
    restricted.changeColsBounds(
        len(chosen), chosen, np.zeros(len(chosen)), np.maximum(upper[chosen], 0.0)
    )
    restricted.setOptionValue("mip_rel_gap", max(model.scenario.mip_gap / 2, 1e-4))
    restricted.setOptionValue("time_limit", max(0.1, budget - (time.perf_counter() - began)))
    if model.scenario.threads is not None:
        restricted.setOptionValue("threads", int(model.scenario.threads))
    restricted.run()
    info = restricted.getInfo()
    if int(info.primal_solution_status) != 2:
        return {}, None
    values = np.asarray(restricted.getSolution().col_value, dtype=float)
    values[integer] = np.round(values[integer])
    start = dict(zip(variables, values.tolist(), strict=True))
    return start, float(info.objective_function_value)

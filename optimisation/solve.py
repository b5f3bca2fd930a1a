"""Solve a built model with HiGHS (in-process) or CBC and report an honest, typed status."""

from __future__ import annotations

import contextlib
import ctypes
import enum
import math
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pulp
from pulp.apis import coin_api

from optimisation.matrix import Matrix, build_matrix
from optimisation.model import Model
from skills.errors import SolverError

#: A MIP is reported OPTIMAL only when its relative gap is at most this (HiGHS's default tolerance).
OPTIMAL_GAP = 1e-4


class SolveStatus(enum.StrEnum):
    """What the solver proved about the plan it returns."""

    OPTIMAL = "optimal"  # proven optimal (relative gap <= 0.01 %)
    FEASIBLE = (
        "feasible"  # a plan within ``gap`` of the bound; a time or gap limit stopped the search
    )
    INFEASIBLE = "infeasible"  # no plan satisfies the input (e.g. an unreachable coverage target)
    ERROR = "error"  # the solver failed or found no plan in time


@dataclass(frozen=True)
class SolveResult:
    """Outcome of one solve.

    ``objective`` is the plan's objective value, ``best_bound`` the best
    proven bound on the optimum, ``gap`` their relative difference
    ``|objective - bound| / max(|objective|, 1)``; ``limit`` names what
    stopped the search early (``"time limit"``, ``"gap limit"``, ...) or is
    empty.
    """

    status: SolveStatus
    objective: float | None
    best_bound: float | None
    gap: float | None
    solver: str
    seconds: float
    message: str
    limit: str = ""
    start_objective: float | None = None
    solver_status: str = ""

    @property
    def has_plan(self) -> bool:
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "objective": self.objective,
            "best_bound": self.best_bound,
            "gap": self.gap,
            "solver": self.solver,
            "seconds": self.seconds,
            "message": self.message,
            "limit": self.limit,
            "start_objective": self.start_objective,
            "solver_status": self.solver_status,
        }


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """``|objective - bound| / max(|objective|, 1)``, or ``None`` when either is missing."""
    if (
        objective is None
        or bound is None
        or not math.isfinite(objective)
        or not math.isfinite(bound)
    ):
        return None
    return abs(objective - bound) / max(abs(objective), 1.0)


# --------------------------------------------------------------------------- HiGHS

_BANNER_SHOWN = False


def new_highs() -> highspy.Highs:
    """A ``highspy.Highs`` whose one-off start-up banner does not reach stdout (it would break ``--json``)."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        return highspy.Highs()  # type: ignore[no-untyped-call]
    _BANNER_SHOWN = True
    with _silenced_stdout():
        return highspy.Highs()  # type: ignore[no-untyped-call]


@contextlib.contextmanager
def _silenced_stdout() -> Iterator[None]:
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no real stdout (e.g. captured): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).fflush(None)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


_LIMITS = {
    "kTimeLimit": "time limit",
    "kIterationLimit": "iteration limit",
    "kSolutionLimit": "solution limit",
    "kInterrupt": "interrupted",
    "kHighsInterrupt": "interrupted",
    "kObjectiveBound": "objective bound",
    "kObjectiveTarget": "objective target",
    "kMemoryLimit": "memory limit",
}


class VetplanHiGHS(pulp.HiGHS):  # type: ignore[misc]
    """PuLP's in-process HiGHS with a bulk model transfer, a warm start and the truth about limits.

    PuLP 3.3.2 adds columns and rows one call at a time and reports a time
    limit as ``LpStatusOptimal``; this subclass passes ``matrix`` (the
    model's, built once) in one call, hands ``start`` (variable -> value) to
    ``Highs.setSolution`` and keeps the HiGHS model status, bound and gap in
    ``self.outcome``. A matrix that does not match the problem solved is
    rebuilt from it.
    """

    name = "HiGHS"

    def __init__(
        self,
        *,
        matrix: Matrix | None = None,
        start: Mapping[pulp.LpVariable, float] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.matrix = matrix
        self.start = dict(start or {})
        self.outcome: dict[str, Any] = {}

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:
        highs = new_highs()
        lp.solverModel = highs
        highs.setOptionValue("output_flag", bool(self.msg))
        if self.gapRel is not None:
            highs.setOptionValue("mip_rel_gap", float(self.gapRel))
        if self.gapAbs is not None:
            highs.setOptionValue("mip_abs_gap", float(self.gapAbs))
        if self.threads is not None:
            highs.setOptionValue("threads", int(self.threads))
        if self.timeLimit is not None:
            highs.setOptionValue("time_limit", float(self.timeLimit))
        for key, value in self.optionsDict.items():
            highs.setOptionValue(key, value)

    def buildSolverModel(self, lp: pulp.LpProblem) -> None:
        if self.matrix is None or not self.matrix.matches(lp):
            self.matrix = build_matrix(lp)
        lp.solverModel.passModel(self.matrix.highs_lp(mip=self.mip))

    def _matrix(self) -> Matrix:
        if self.matrix is None:
            msg = "the HiGHS model was not built"
            raise SolverError(msg)
        return self.matrix

    def callSolver(self, lp: pulp.LpProblem) -> None:
        if self.start and self.mip:
            index = self._matrix().columns(self.start)
            value = np.fromiter(self.start.values(), float, len(self.start))
            lp.solverModel.setSolution(len(index), index, value)
        lp.solverModel.run()

    def findSolutionValues(self, lp: pulp.LpProblem) -> tuple[int, int]:
        highs = lp.solverModel
        status = highs.getModelStatus()
        status_name = status.name if hasattr(status, "name") else str(status)
        info = highs.getInfo()
        has_solution = int(info.primal_solution_status) == 2  # kSolutionStatusFeasible
        objective = float(info.objective_function_value) if has_solution else None
        matrix = self._matrix()
        is_mip = self.mip and bool(matrix.integer.any())
        bound = float(info.mip_dual_bound) if is_mip else objective
        if has_solution:
            solution = highs.getSolution()
            values = np.asarray(solution.col_value, dtype=float)
            for variable, col_value in zip(matrix.variables, values.tolist(), strict=True):
                variable.varValue = col_value
            if not is_mip and solution.dual_valid:
                col_duals = np.asarray(solution.col_dual, dtype=float).tolist()
                for variable, dual in zip(matrix.variables, col_duals, strict=True):
                    variable.dj = dual
                row_values = np.asarray(solution.row_value, dtype=float).tolist()
                row_duals = np.asarray(solution.row_dual, dtype=float).tolist()
                for constraint, dual, row_value in zip(
                    matrix.constraints, row_duals, row_values, strict=True
                ):
                    constraint.pi = dual
                    slack = constraint.constant + row_value
                    constraint.slack = -slack if constraint.sense == pulp.LpConstraintLE else slack
        self.outcome = {
            "status_name": status_name,
            "has_solution": has_solution,
            "objective": objective,
            "bound": bound,
            "highs_gap": float(info.mip_gap) if is_mip and has_solution else 0.0,
            "is_mip": is_mip,
        }
        if status_name == "kOptimal":
            return (
                pulp.LpStatusOptimal,
                pulp.LpSolutionOptimal if not is_mip else pulp.LpSolutionIntegerFeasible,
            )
        if status_name in ("kInfeasible", "kUnboundedOrInfeasible"):
            return pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible
        if has_solution:
            return pulp.LpStatusNotSolved, pulp.LpSolutionIntegerFeasible
        return pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound


def _highs_result(
    solver: VetplanHiGHS, seconds: float, start_objective: float | None
) -> SolveResult:
    outcome = solver.outcome
    status_name = str(outcome.get("status_name", ""))
    objective = outcome.get("objective")
    bound = outcome.get("bound")
    gap = (
        relative_gap(objective, bound)
        if outcome.get("is_mip")
        else (0.0 if objective is not None else None)
    )
    common: dict[str, Any] = {
        "solver": "highs",
        "seconds": seconds,
        "start_objective": start_objective,
        "solver_status": status_name,
    }
    if status_name == "kOptimal" and objective is not None:
        if gap is not None and gap > OPTIMAL_GAP:
            message = f"feasible plan within {gap:.2%} of the bound (stopped at the gap limit)"
            return SolveResult(
                SolveStatus.FEASIBLE,
                objective,
                bound,
                gap,
                message=message,
                limit="gap limit",
                **common,
            )
        return SolveResult(
            SolveStatus.OPTIMAL, objective, bound, gap, message="proven optimal", **common
        )
    if status_name in ("kInfeasible", "kUnboundedOrInfeasible"):
        message = "no plan satisfies the scenario (infeasible input)"
        return SolveResult(SolveStatus.INFEASIBLE, None, None, None, message=message, **common)
    limit = _LIMITS.get(status_name, status_name)
    if outcome.get("has_solution") and objective is not None:
        shown = "unknown distance" if gap is None else f"{gap:.2%}"
        message = f"feasible plan within {shown} of the bound (stopped by the {limit})"
        return SolveResult(
            SolveStatus.FEASIBLE, objective, bound, gap, message=message, limit=limit, **common
        )
    message = f"no plan found (HiGHS status {status_name})"
    return SolveResult(SolveStatus.ERROR, None, bound, None, message=message, limit=limit, **common)


# --------------------------------------------------------------------------- CBC


def cbc_path() -> str:
    """Path of a CBC executable: ``cbc`` on PATH, else the binary bundled with PuLP 3.x."""
    found = shutil.which("cbc")
    if found:
        return found
    bundled = str(coin_api.pulp_cbc_path)
    if os.path.exists(bundled):
        if not os.access(bundled, os.X_OK):
            with contextlib.suppress(OSError):
                os.chmod(bundled, os.stat(bundled).st_mode | 0o111)
        return bundled
    msg = "CBC is not available: install it (apt install coinor-cbc, or pip install pulp[cbc])"
    raise SolverError(msg)


_CBC_NUMBER = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"


def parse_cbc_log(text: str) -> dict[str, Any]:
    """Result line, objective and bound (as CBC prints them) and their absolute gap from a CBC log.

    CBC prints its internal objective without the constant term and, for a
    maximisation, with its own sign convention, so only the absolute
    distance ``abs_gap`` between objective and bound is used.
    """
    result = re.search(r"^Result - (.+)$", text, flags=re.MULTILINE)
    objective = re.search(rf"^Objective value:\s+{_CBC_NUMBER}", text, flags=re.MULTILINE)
    bound = re.search(rf"^(?:Lower|Upper) bound:\s+{_CBC_NUMBER}", text, flags=re.MULTILINE)
    parsed: dict[str, Any] = {
        "result": result.group(1).strip() if result else "",
        "objective": float(objective.group(1)) if objective else None,
        "bound": float(bound.group(1)) if bound else None,
        "abs_gap": None,
    }
    if parsed["objective"] is not None and parsed["bound"] is not None:
        parsed["abs_gap"] = abs(parsed["objective"] - parsed["bound"])
    return parsed


def _solve_cbc(
    model: Model,
    *,
    time_limit: float,
    gap: float,
    msg: bool,
    threads: int | None,
    mip: bool = True,
    start: Mapping[pulp.LpVariable, float] | None = None,
    start_objective: float | None = None,
) -> SolveResult:
    """Solve with CBC as a minimisation (negating a maximised objective) and read status, bound and gap.

    CBC 2.10 mishandles a MIP start together with ``-max``: it accepts the
    start without searching and calls it optimal ("The LP relaxation is
    infeasible or too expensive", coin-or/Cbc#670, reproduced here), so a
    maximisation is passed to CBC as the minimisation of its negation, where
    starts work. CBC drops the objective's constant, so its relative gap is
    not ours: for a maximised net value the gap is passed as an absolute gap,
    ``gap * |start objective|`` (zero, i.e. prove optimality, without a start).
    """
    problem = model.problem
    is_mip = mip and any(v.cat == pulp.LpInteger for v in problem.variables())
    maximise = problem.sense == pulp.LpMaximize
    objective = problem.objective
    if start:
        for variable in problem.variables():
            variable.varValue = start.get(variable, 0.0)
    gap_rel: float | None = gap
    gap_abs: float | None = None
    if maximise:
        gap_rel = None
        gap_abs = gap * abs(start_objective) if start_objective is not None else 0.0
    with tempfile.TemporaryDirectory(prefix="vetplan-cbc-") as folder:
        log_path = Path(folder) / "cbc.log"
        solver = pulp.COIN_CMD(
            path=cbc_path(),
            mip=mip,
            msg=False,
            timeLimit=time_limit,
            gapRel=gap_rel,
            gapAbs=gap_abs,
            threads=threads,
            warmStart=bool(start) and is_mip,
            logPath=str(log_path),
        )
        began = time.perf_counter()
        try:
            if maximise:
                problem.sense = pulp.LpMinimize
                problem.objective = -objective
            problem.solve(solver)
        except pulp.PulpSolverError as error:
            raise SolverError(f"CBC failed: {error}") from error
        finally:
            problem.sense = pulp.LpMaximize if maximise else pulp.LpMinimize
            problem.objective = objective
        seconds = time.perf_counter() - began
        log = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    if msg:
        print(log)
    parsed = parse_cbc_log(log)
    result_line = str(parsed["result"])
    common: dict[str, Any] = {"solver": "cbc", "seconds": seconds, "solver_status": result_line}
    if problem.status == pulp.LpStatusInfeasible or "infeasible" in result_line.lower():
        return SolveResult(
            SolveStatus.INFEASIBLE,
            None,
            None,
            None,
            message="no plan satisfies the scenario (infeasible input)",
            **common,
        )
    has_solution = problem.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    if not has_solution:
        limit = "time limit" if "time" in result_line.lower() else ""
        message = f"no plan found (CBC: {result_line or 'no result'})"
        return SolveResult(
            SolveStatus.ERROR, None, None, None, message=message, limit=limit, **common
        )
    objective = float(pulp.value(problem.objective) or 0.0)
    abs_gap = parsed["abs_gap"]
    if not is_mip or (
        abs_gap is None
        and problem.sol_status == pulp.LpSolutionOptimal
        and "gap" not in result_line.lower()
    ):
        abs_gap = 0.0
    bound: float | None = None
    if abs_gap is not None:
        bound = objective + abs_gap if problem.sense == pulp.LpMaximize else objective - abs_gap
    relative = relative_gap(objective, bound)
    stopped = "stopped" in result_line.lower()
    if not stopped and relative is not None and relative <= OPTIMAL_GAP:
        return SolveResult(
            SolveStatus.OPTIMAL, objective, bound, relative, message="proven optimal", **common
        )
    limit = (
        "time limit"
        if "time" in result_line.lower()
        else ("gap limit" if not stopped else result_line)
    )
    shown = "unknown distance" if relative is None else f"{relative:.2%}"
    message = f"feasible plan within {shown} of the bound (stopped by the {limit})"
    return SolveResult(
        SolveStatus.FEASIBLE, objective, bound, relative, message=message, limit=limit, **common
    )


# --------------------------------------------------------------------------- entry point


def solve(
    model: Model,
    *,
    solver: str | None = None,
    time_limit_s: float | None = None,
    mip_gap: float | None = None,
    start: Mapping[pulp.LpVariable, float] | None = None,
    relax: bool = False,
    msg: bool = False,
) -> SolveResult:
    """Solve ``model``; settings default to the model's scenario.

    Parameters
    ----------
    solver
        ``"highs"`` (in-process, default) or ``"cbc"``.
    start
        A feasible assignment (variable -> value) passed as a warm start;
        ``None`` computes one with :func:`optimisation.heuristic.initial_plan`
        when the scenario asks for a warm start, an empty mapping passes none.
    relax
        Solve the LP relaxation (every variable continuous).

    Returns
    -------
    SolveResult
        A status that never calls a time-limited plan optimal.
    """
    scenario = model.scenario
    name = solver or scenario.solver
    time_limit = float(time_limit_s if time_limit_s is not None else scenario.time_limit_s)
    gap = float(mip_gap if mip_gap is not None else scenario.mip_gap)
    start_objective: float | None = None
    began = time.perf_counter()
    if start is None and scenario.warm_start and not relax:
        from optimisation.heuristic import initial_plan

        start, start_objective = initial_plan(model)
    start = dict(start or {})
    remaining = max(0.01, time_limit - (time.perf_counter() - began))
    if name == "cbc":
        result = _solve_cbc(
            model,
            time_limit=remaining,
            gap=gap,
            msg=msg,
            threads=scenario.threads,
            mip=not relax,
            start=start if not relax else None,
            start_objective=start_objective,
        )
        return _with_seconds(result, time.perf_counter() - began, start_objective)
    if name != "highs":
        raise SolverError(f"unknown solver {name!r}; expected highs or cbc")
    highs = VetplanHiGHS(
        matrix=model.matrix,
        msg=msg,
        mip=not relax,
        timeLimit=remaining,
        gapRel=gap,
        threads=scenario.threads,
        start=start if not relax else None,
    )
    try:
        model.problem.solve(highs)
    except Exception as error:
        return SolveResult(
            SolveStatus.ERROR,
            None,
            None,
            None,
            solver="highs",
            seconds=time.perf_counter() - began,
            message=f"HiGHS failed: {error}",
        )
    result = _highs_result(highs, time.perf_counter() - began, start_objective)
    if start and result.has_plan and start_objective is not None:
        result = _keep_better_start(model, result, start)
    return result


def _keep_better_start(
    model: Model, result: SolveResult, start: Mapping[pulp.LpVariable, float]
) -> SolveResult:
    """Return the warm start instead of the solver's plan when the start is better.

    HiGHS re-evaluates a start in its presolved space and can keep a slightly
    worse incumbent than the start it was given; the start is a feasible
    plan, so it is kept, with the solver's bound.
    """
    maximise = model.problem.sense == pulp.LpMaximize
    solver_values = {v: v.varValue for v in model.problem.variables()}
    for variable, value in start.items():
        variable.varValue = value
    start_value = float(pulp.value(model.problem.objective) or 0.0)
    assert result.objective is not None
    better = (
        start_value > result.objective + 1e-6 if maximise else start_value < result.objective - 1e-6
    )
    within_bound = result.best_bound is None or (
        start_value <= result.best_bound + 1e-6
        if maximise
        else start_value >= result.best_bound - 1e-6
    )
    if not (better and within_bound):
        for variable, value in solver_values.items():
            variable.varValue = value
        return result
    gap = relative_gap(start_value, result.best_bound)
    status = SolveStatus.OPTIMAL if gap is not None and gap <= OPTIMAL_GAP else SolveStatus.FEASIBLE
    shown = "unknown distance" if gap is None else f"{gap:.2%}"
    message = (
        f"feasible plan within {shown} of the bound (the warm start beat the solver's last plan)"
    )
    if status is SolveStatus.OPTIMAL:
        message = "proven optimal"
    return SolveResult(
        status=status,
        objective=start_value,
        best_bound=result.best_bound,
        gap=gap,
        solver=result.solver,
        seconds=result.seconds,
        message=message,
        limit=result.limit,
        start_objective=result.start_objective,
        solver_status=result.solver_status,
    )


def _with_seconds(
    result: SolveResult, seconds: float, start_objective: float | None
) -> SolveResult:
    return SolveResult(
        status=result.status,
        objective=result.objective,
        best_bound=result.best_bound,
        gap=result.gap,
        solver=result.solver,
        seconds=seconds,
        message=result.message,
        limit=result.limit,
        start_objective=start_objective,
        solver_status=result.solver_status,
    )

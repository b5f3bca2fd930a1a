"""Solve a built model with HiGHS (in-process) or CBC and report an honest, typed status."""

from __future__ import annotations

import contextlib
import ctypes
import enum
import functools
import math
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Concatenate, ParamSpec

import highspy
import numpy as np
import pulp
from pulp.apis import coin_api

from optimisation.matrix import Matrix, build_matrix
from optimisation.model import Model
from optimisation.target import TargetDiagnosis, diagnose_target
from skills.errors import SolverError

#: A MIP is reported OPTIMAL only when its relative gap is at most this (HiGHS's default tolerance).
OPTIMAL_GAP = 1e-4

#: A plan whose own objective is further than this (relative gap) from the proven bound is POOR:
#: returned, with its figures, but never shown as a good plan. 5 % is ten times the gap the
#: benchmark targets ask for (0.5 %) and far below the junk plans this label exists for (100 %+).
#: A scenario may set ``poor_gap`` (read with ``getattr``, default this value).
POOR_GAP = 0.05

#: The MIP (and the cost stage) start only with at least this many seconds left.
MIN_PHASE_S = 0.05

#: The starting plan always gets at least this long (see :func:`solve`).
MIN_START_S = 0.1

#: Shares of the solve's time: the starting plan (LP relaxation and restricted MIP) may use up to
#: ``START_SHARE``; the coverage MIP may use the rest; the cost stage gets what it left, at most
#: ``COST_SHARE``.
START_SHARE = 0.65
COST_SHARE = 0.15

#: From this many integer variables (tier NS: 111 000; L: 24 000) the start improves the rounded plan
#: area by area (:func:`optimisation.heuristic.fix_and_optimise`) instead of in one restricted MIP, and
#: the coverage MIP is not run: on NS, HiGHS neither improved the start nor tightened the LP bound in
#: 25 s, and the one restricted MIP stayed at 4.5 % under load where the areas reach 0.40 % (docs/model.md).
LARGE_MIP_INTEGERS = 60000

#: Below this many integer variables the coverage MIP is solved without the cohort cuts (the
#: starting plan keeps them). Tier M (4 092 integers), the MIP from the same start to 0.5 %: 1.22 s
#: -> 0.88 s at a quarter of the bench budget, 1.45 s -> 1.00 s at half, 1.77 s at its limit ->
#: 1.15 s at 35 %; 0.26 s both ways at three quarters. Tier L (23 725) keeps them: the same time and
#: bounds either way.
SMALL_MIP_INTEGERS = 10000

#: A start within this share of the requested gap of the LP bound is returned without the MIP.
SKIP_MIP_SHARE = 0.9


class SolveStatus(enum.StrEnum):
    """What the solver proved about the plan it returns."""

    OPTIMAL = "optimal"  # proven optimal (relative gap <= 0.01 %)
    FEASIBLE = (
        "feasible"  # a plan within ``gap`` of the bound; a time or gap limit stopped the search
    )
    POOR = "poor"  # a valid plan, but further than ``poor_gap`` from the bound (or no bound known)
    INFEASIBLE = "infeasible"  # no plan satisfies the input (e.g. an unreachable coverage target)
    ERROR = "error"  # the solver failed or found no plan in time


@dataclass(frozen=True)
class SolveResult:
    """Outcome of one solve.

    ``objective`` is the returned plan's own objective value, recomputed
    from the plan (integer decisions rounded), never the solver's log value
    (``solver_objective``); ``best_bound`` the best proven bound on the
    optimum (the MIP's dual bound or the LP relaxation, whichever is
    tighter), ``gap`` their relative difference
    ``|objective - bound| / max(|objective|, 1)``; ``limit`` names what
    stopped the search early (``"time limit"``, ``"gap limit"``, ...) or is
    empty. ``cost``, ``cost_bound`` and ``cost_gap`` come from the cost
    stage: the plan's total cost, a proven lower bound on the cost of any
    plan with at least its weighted coverage, and their relative gap.
    ``phases`` holds the seconds spent per phase. ``target`` says, for an
    infeasible min-cost scenario, the coverage reachable instead and what
    caps it (:func:`optimisation.target.diagnose_target`).
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
    solver_objective: float | None = None
    cost: float | None = None
    cost_bound: float | None = None
    cost_gap: float | None = None
    poor_gap: float = POOR_GAP
    phases: Mapping[str, float] = field(default_factory=dict)
    target: TargetDiagnosis | None = None

    @property
    def has_plan(self) -> bool:
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE, SolveStatus.POOR)

    @property
    def is_poor(self) -> bool:
        return self.status is SolveStatus.POOR

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
            "solver_objective": self.solver_objective,
            "cost": self.cost,
            "cost_bound": self.cost_bound,
            "cost_gap": self.cost_gap,
            "poor_gap": self.poor_gap,
            "phases": dict(self.phases),
            "target": None if self.target is None else self.target.as_dict(),
        }

    def with_objective(self, objective: float) -> SolveResult:
        """This result for a plan whose objective (recomputed from its tables) is ``objective``.

        The gap is measured again from the plan's value and the status
        follows (:func:`classify`); the bound stays.
        """
        status, gap, message = classify(
            objective,
            self.best_bound,
            limit=self.limit,
            poor_gap=self.poor_gap,
            cost_gap=self.cost_gap,
        )
        return replace(self, status=status, objective=objective, gap=gap, message=message)


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


def classify(
    objective: float,
    bound: float | None,
    *,
    limit: str,
    poor_gap: float = POOR_GAP,
    cost_gap: float | None = None,
) -> tuple[SolveStatus, float | None, str]:
    """Status, gap and message of a plan with objective ``objective`` against the proven ``bound``.

    OPTIMAL: gap at most :data:`OPTIMAL_GAP` and no time limit stopped the
    search; POOR: no bound known, or a gap above ``poor_gap``; FEASIBLE
    otherwise. The message is a whole sentence with the figures.
    """
    gap = relative_gap(objective, bound)
    cost_text = "" if cost_gap is None else f"; cost within {cost_gap:.2%} of the cheapest plan at its coverage"
    stopped = f" (stopped by the {limit})" if limit else ""
    if gap is not None and gap <= OPTIMAL_GAP and limit != "time limit":
        return SolveStatus.OPTIMAL, gap, f"proven optimal{cost_text}"
    if gap is None or gap > poor_gap:
        distance = "an unknown distance" if gap is None else f"{gap:.1%}"
        shown_bound = "no proven bound" if bound is None or not math.isfinite(bound) else f"the proven bound {bound:,.0f}"
        message = (
            f"poor plan: its objective {objective:,.0f} is {distance} from {shown_bound}, "
            f"more than the {poor_gap:.0%} a usable plan may be{stopped}; allow more time "
            "(time_limit_s) before relying on it"
        )
        return SolveStatus.POOR, gap, message
    return SolveStatus.FEASIBLE, gap, f"feasible plan within {gap:.2%} of the bound{stopped}{cost_text}"


def plan_objective(matrix: Matrix, values: np.ndarray) -> float:
    """The objective of the plan with column values ``values``, integer columns rounded as the plan reads them."""
    plan = np.where(matrix.integer, np.round(values), values)
    return float(np.dot(matrix.cost, plan) + matrix.offset)


# --------------------------------------------------------------------------- HiGHS

_BANNER_SHOWN = False
_Options = ParamSpec("_Options")


@dataclass
class _Threads:
    """The process's HiGHS thread scheduler: the threads it runs with and the solves holding it.

    HiGHS keeps one scheduler per process, started by the first ``run()``
    with that instance's ``threads`` option; an instance asking for another
    count fails at once (``kNotset``, no plan, no bound). So every instance
    of vetplan's gets the same count (:func:`new_highs`), and the count
    changes only between solves (:func:`highs_threads`).
    """

    lock: threading.Lock = field(default_factory=threading.Lock)
    count: int | None = None  # None: HiGHS's default (what the scheduler started with, if at all)
    holders: int = 0
    default: int | None = None  # threads per solve when a scenario sets none (an executor worker's)


_THREADS = _Threads()


def set_default_threads(threads: int | None) -> None:
    """Threads per solve in this process when a scenario sets none (``None``: HiGHS's default).

    An executor's worker sets it to its share of the cores, so that two
    solves on two cores do not each start two solver threads.
    """
    if threads is not None and threads < 1:
        msg = f"a solve needs at least 1 thread, not {threads}"
        raise SolverError(msg)
    _THREADS.default = threads


@contextlib.contextmanager
def highs_threads(requested: int | None) -> Iterator[int | None]:
    """Hold the process's HiGHS scheduler for one solve, with ``requested`` threads where possible.

    ``requested`` (a scenario's ``threads``; ``None``: the process's default
    from :func:`set_default_threads`, else HiGHS's own) replaces the
    scheduler's count when no other solve holds it; while another solve of
    this process runs (the app's sessions, a Dask worker's threads), the
    scheduler keeps its count and this solve runs with it. Yields the
    count every instance of this solve gets (``None``: HiGHS's default).
    """
    wanted = requested if requested is not None else _THREADS.default
    with _THREADS.lock:
        if wanted is not None and wanted != _THREADS.count and _THREADS.holders == 0:
            highspy.Highs.resetThreadScheduler(True)
            _THREADS.count = wanted
        _THREADS.holders += 1
        count = _THREADS.count
    try:
        yield count
    finally:
        with _THREADS.lock:
            _THREADS.holders -= 1


def new_highs() -> highspy.Highs:
    """A ``highspy.Highs`` on the process's thread count, whose start-up banner does not reach stdout.

    The banner (shown once per process) would break ``--json``; the
    ``threads`` option is the scheduler's (:func:`highs_threads`), which
    every instance must share.
    """
    global _BANNER_SHOWN
    with _THREADS.lock:
        if _BANNER_SHOWN:
            highs = highspy.Highs()  # type: ignore[no-untyped-call]
        else:
            _BANNER_SHOWN = True
            with _silenced_stdout():
                highs = highspy.Highs()  # type: ignore[no-untyped-call]
        if _THREADS.count is not None:
            highs.setOptionValue("threads", int(_THREADS.count))
    return highs


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
    rebuilt from it. ``drop_rows`` (matrix row positions of valid
    inequalities) are left out of a MIP.
    """

    name = "HiGHS"

    def __init__(
        self,
        *,
        matrix: Matrix | None = None,
        start: Mapping[pulp.LpVariable, float] | None = None,
        drop_rows: np.ndarray | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.matrix = matrix
        self.start = dict(start or {})
        self.drop_rows = drop_rows
        self.outcome: dict[str, Any] = {}

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:
        highs = new_highs()
        lp.solverModel = highs
        highs.setOptionValue("output_flag", bool(self.msg))
        if self.gapRel is not None:
            highs.setOptionValue("mip_rel_gap", float(self.gapRel))
        if self.gapAbs is not None:
            highs.setOptionValue("mip_abs_gap", float(self.gapAbs))
        if self.timeLimit is not None:
            highs.setOptionValue("time_limit", float(self.timeLimit))
        for key, value in self.optionsDict.items():
            highs.setOptionValue(key, value)

    def buildSolverModel(self, lp: pulp.LpProblem) -> None:
        if self.matrix is None or not self.matrix.matches(lp):
            self.matrix = build_matrix(lp)
        lp.solverModel.passModel(self.matrix.highs_lp(mip=self.mip))
        if self.mip and self.drop_rows is not None and len(self.drop_rows):
            lp.solverModel.deleteRows(len(self.drop_rows), np.asarray(self.drop_rows, dtype=np.int32))

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
    # CBC stopped by its time limit before any plan may still leave PuLP saying "infeasible";
    # only a run that ended before its limit, or whose log says so, has proven the input infeasible.
    stopped_on_time = "time" in result_line.lower() or seconds >= 0.95 * time_limit
    proven = not stopped_on_time and ("infeasible" in result_line.lower() or problem.status == pulp.LpStatusInfeasible)
    if proven:
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
        limit = "time limit" if stopped_on_time else ""
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


def _holding_threads(
    function: Callable[Concatenate[Model, _Options], SolveResult],
) -> Callable[Concatenate[Model, _Options], SolveResult]:
    """``function`` run within the process's HiGHS scheduler, on its model's scenario's threads."""

    @functools.wraps(function)
    def holding(model: Model, /, *args: _Options.args, **options: _Options.kwargs) -> SolveResult:
        with highs_threads(model.scenario.threads):
            return function(model, *args, **options)

    return holding


@_holding_threads
def solve(
    model: Model,
    *,
    solver: str | None = None,
    time_limit_s: float | None = None,
    mip_gap: float | None = None,
    start: Mapping[pulp.LpVariable, float] | None = None,
    relax: bool = False,
    msg: bool = False,
    deadline: float | None = None,
) -> SolveResult:
    """Solve ``model``; settings default to the model's scenario.

    Phases, each within its share of the time left (see :data:`START_SHARE`,
    :data:`COST_SHARE`): the starting plan (LP relaxation, whose optimum is
    kept as a proven bound, then a restricted MIP), the coverage MIP warm
    started from it (all the time left), and the cost stage (least cost at
    the weighted coverage reached, in what the coverage MIP left). A phase
    with less than :data:`MIN_PHASE_S` left is skipped: the MIP is never
    started with no time left. The returned objective is
    the plan's own, recomputed from its values, and the status follows from
    its gap to the best proven bound (:func:`classify`).

    Parameters
    ----------
    solver
        ``"highs"`` (in-process, default) or ``"cbc"``.
    start
        A feasible assignment (variable -> value) passed as a warm start;
        ``None`` computes one with :func:`optimisation.heuristic.starting_plan`
        when the scenario asks for a warm start, an empty mapping passes none.
    relax
        Solve the LP relaxation (every variable continuous).
    deadline
        ``time.perf_counter()`` value by which the solve must end (the
        caller's share of the scenario's limit); default: now plus the
        time limit.

    The solve holds the process's HiGHS scheduler (:func:`highs_threads`):
    every HiGHS instance it starts runs on one thread count, the
    scenario's ``threads`` where no other solve of the process is running.

    Returns
    -------
    SolveResult
        A status that never calls a time-limited plan optimal nor a plan far
        from its bound good.
    """
    scenario = model.scenario
    name = solver or scenario.solver
    if name not in ("highs", "cbc"):
        raise SolverError(f"unknown solver {name!r}; expected highs or cbc")
    began = time.perf_counter()
    time_limit = float(time_limit_s if time_limit_s is not None else scenario.time_limit_s)
    end = deadline if deadline is not None else began + time_limit
    gap = float(mip_gap if mip_gap is not None else scenario.mip_gap)
    poor_gap = float(getattr(scenario, "poor_gap", None) or POOR_GAP)
    matrix = model.matrix
    maximise = matrix.maximise
    is_mip = not relax and bool(matrix.integer.any())
    phases: dict[str, float] = {}
    lp_bound: float | None = None
    start_objective: float | None = None
    large = is_mip and int(matrix.integer.sum()) >= LARGE_MIP_INTEGERS
    if start is None and scenario.warm_start and is_mip:
        from optimisation.heuristic import starting_plan

        # At least MIN_START_S: the LP and the rounding take ~0.02 s on small models and give a plan
        # (labelled by its gap) where otherwise there would be none; a large LP just stops.
        share = START_SHARE * (end - time.perf_counter())
        if large:
            share = end - time.perf_counter()  # neither coverage MIP nor cost MIP runs after it
        found = starting_plan(model, seconds=max(MIN_START_S, share), area_integers=LARGE_MIP_INTEGERS)
        start, start_objective, lp_bound = found.values, found.objective, found.lp_bound
        phases["lp_s"] = found.lp_seconds
        phases["start_s"] = found.seconds
    start = dict(start or {}) if is_mip else {}
    start_values: np.ndarray | None = None
    if start:
        start_values = np.array([start.get(v, 0.0) for v in matrix.variables], dtype=float)
        start_objective = plan_objective(matrix, start_values)
    cost_stage = is_mip and name == "highs" and maximise and scenario.objective != "min_cost"
    # On large models the cost MIP is not run either: on NS its presolve alone took 18 s quiet and
    # 29 s loaded (11 s past its share), and its bound was weaker than the value bound below.
    cost_mip = cost_stage and not large
    # Coverage comes first: the coverage MIP may use all the time left, and the cost stage gets what
    # the coverage MIP left, up to its share. Keeping the cost stage's share back cost plans under
    # load (tier S, both cores busy: 8.0 % with 0.075 s held back for a cost stage that then had no
    # time; tier L: 0.52 % with 2.4 s held back), and where the coverage MIP stops at its time
    # limit the cost gap still has the bound that the coverage gap gives (below).
    share = COST_SHARE * (end - began) if cost_mip else 0.0
    available = end - time.perf_counter()
    step = time.perf_counter()
    start_gap = relative_gap(start_objective, lp_bound) if start_values is not None else None
    # Where the MIP is not run, the start is the plan: (what stopped the search, why the MIP did not run).
    skipped: tuple[str, str] | None = None
    if large and start_values is not None:
        skipped = ("time limit", "not run: on a model this large the area-by-area start had the time")
    elif start_values is not None and start_gap is not None and start_gap <= SKIP_MIP_SHARE * gap:
        # The start is already well within the requested gap of the LP bound: the MIP would only
        # confirm it (tier M: 0.3 s saved at 0.42 %). Nearer the edge the MIP runs (tier L: the
        # start's 0.49 % becomes 0.43 %), so that load does not push a plan over the gap.
        skipped = ("", "not needed: the start is within the requested gap")
    elif available < MIN_PHASE_S and start_values is not None:
        skipped = ("time limit", "not started")
    elif available < MIN_PHASE_S:
        return SolveResult(
            SolveStatus.ERROR,
            None,
            lp_bound,
            None,
            solver=name,
            seconds=time.perf_counter() - began,
            message="no plan: no time was left to start the solver",
            limit="time limit",
            solver_status="not started",
            poor_gap=poor_gap,
            phases=phases,
        )
    if skipped is not None and start_values is not None:
        raw = SolveResult(
            SolveStatus.FEASIBLE,
            start_objective,
            lp_bound,
            start_gap if skipped[1] != "not started" else None,
            solver=name,
            seconds=0.0,
            message="",
            limit=skipped[0],
            solver_status=skipped[1],
        )
        _set_values(matrix, start_values)
    elif name == "cbc":
        raw = _solve_cbc(
            model,
            time_limit=available,
            gap=gap,
            msg=msg,
            threads=scenario.threads,
            mip=not relax,
            start=start or None,
            start_objective=start_objective,
        )
    else:
        raw = _solve_highs(model, available, gap, msg, relax, start)
    phases["mip_s"] = time.perf_counter() - step
    if raw.status is SolveStatus.INFEASIBLE and scenario.objective == "min_cost":
        step = time.perf_counter()
        diagnosis = diagnose_target(model, seconds=max(MIN_PHASE_S, end - step))
        phases["target_s"] = time.perf_counter() - step
        if diagnosis is not None:
            raw = replace(raw, target=diagnosis, message=f"no plan: {diagnosis.sentence()}")
    if raw.status in (SolveStatus.INFEASIBLE,) or (
        raw.status is SolveStatus.ERROR and start_values is None
    ):
        return replace(
            raw,
            seconds=time.perf_counter() - began,
            start_objective=start_objective,
            poor_gap=poor_gap,
            phases=phases,
        )
    if not is_mip:
        return replace(raw, seconds=time.perf_counter() - began, poor_gap=poor_gap, phases=phases)

    # The plan returned is the better of the solver's and the start; its objective is its own.
    values = _get_values(matrix) if raw.has_plan else None
    objective = None if values is None else plan_objective(matrix, values)
    if start_values is not None and start_objective is not None and (
        objective is None or _better(start_objective, objective, maximise)
    ):
        values, objective = start_values, start_objective
        _set_values(matrix, values)
    assert values is not None and objective is not None
    bound = _tightest(raw.best_bound, lp_bound, maximise)
    limit = raw.limit

    plan_cost: float | None = None
    cost_bound: float | None = None
    if scenario.objective == "min_cost":
        plan_cost, cost_bound = objective, bound
    elif cost_stage:
        step = time.perf_counter()
        # The cost stage has its share, not the whole rest: on the bench tiers it never found a
        # cheaper plan at the coverage reached (M, L: 3-9 s spent on the bound alone), and time
        # the coverage stage did not need is time the user gets back.
        seconds = min(end - time.perf_counter(), max(share, MIN_PHASE_S)) if cost_mip else 0.0
        plan_cost, cost_bound, cheaper = _cost_stage(model, values, seconds, gap)
        phases["cost_s"] = time.perf_counter() - step
        if cheaper is not None:
            values = cheaper
            objective = plan_objective(matrix, values)
            _set_values(matrix, values)
    if plan_cost is not None and scenario.objective != "min_cost" and bound is not None:
        # Any plan with at least this weighted coverage W has net value V*W - cost <= bound, so
        # its cost is at least this plan's cost less the absolute gap: a second proven bound.
        by_value = plan_cost - max(0.0, bound - objective)
        by_value = max(0.0, by_value)  # costs are never negative
        cost_bound = by_value if cost_bound is None else max(cost_bound, by_value)
    cost_gap = relative_gap(plan_cost, cost_bound)
    status, final_gap, message = classify(
        objective, bound, limit=limit, poor_gap=poor_gap, cost_gap=cost_gap
    )
    return SolveResult(
        status=status,
        objective=objective,
        best_bound=bound,
        gap=final_gap,
        solver=raw.solver,
        seconds=time.perf_counter() - began,
        message=message,
        limit=limit,
        start_objective=start_objective,
        solver_status=raw.solver_status,
        solver_objective=raw.objective,
        cost=plan_cost,
        cost_bound=cost_bound,
        cost_gap=cost_gap,
        poor_gap=poor_gap,
        phases=phases,
    )


def _solve_highs(
    model: Model,
    seconds: float,
    gap: float,
    msg: bool,
    relax: bool,
    start: Mapping[pulp.LpVariable, float],
) -> SolveResult:
    drop_rows = None
    if not relax and int(model.matrix.integer.sum()) < SMALL_MIP_INTEGERS and "cohort_cuts" in model.rows:
        # Valid inequalities only: the integer plans and the bound are the same without them, and on
        # small models HiGHS finds its plan faster (tier S, both cores busy: 0.42 s -> 0.28 s).
        names = model.rows["cohort_cuts"]["constraint"].dropna().tolist()
        drop_rows = np.sort(model.matrix.rows(names)).astype(np.int32)
    highs = VetplanHiGHS(
        matrix=model.matrix,
        drop_rows=drop_rows,
        msg=msg,
        mip=not relax,
        timeLimit=seconds,
        gapRel=gap,
        start=start or None,
    )
    began = time.perf_counter()
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
    return _highs_result(highs, time.perf_counter() - began, None)


def _get_values(matrix: Matrix) -> np.ndarray:
    return np.array(
        [0.0 if v.varValue is None else v.varValue for v in matrix.variables], dtype=float
    )


def _set_values(matrix: Matrix, values: np.ndarray) -> None:
    for variable, value in zip(matrix.variables, values.tolist(), strict=True):
        variable.varValue = value


def _better(candidate: float, incumbent: float, maximise: bool) -> bool:
    tolerance = 1e-9 * max(1.0, abs(incumbent))
    return candidate > incumbent + tolerance if maximise else candidate < incumbent - tolerance


def _tightest(first: float | None, second: float | None, maximise: bool) -> float | None:
    """The tighter of two proven bounds (the smaller for a maximisation), ignoring missing ones."""
    known = [b for b in (first, second) if b is not None and math.isfinite(b)]
    if not known:
        return None
    return min(known) if maximise else max(known)


def _cost_stage(
    model: Model, values: np.ndarray, seconds: float, gap: float
) -> tuple[float, float | None, np.ndarray | None]:
    r"""Least cost at the weighted coverage reached: (plan cost, proven lower bound, cheaper plan or None).

    .. math::

        \min\; \text{total cost} \quad\text{s.t. all rows and}\quad
        \sum_g w_g u_g \le \sum_g w_g u^*_g

    warm-started from the coverage plan :math:`u^*`, which is feasible. The
    dual bound bounds the cost of every plan with at least the plan's
    weighted coverage; it is ``None`` when the stage had no time (less than
    :data:`MIN_PHASE_S`) or found no bound.
    """
    matrix = model.matrix
    unmet = model.columns("unmet")
    weights = model.sets.gaps["weight"].to_numpy(dtype=float)
    cost = -np.asarray(matrix.cost, dtype=float)  # costs enter the maximised net value negatively
    cost[unmet] = 0.0
    rounded = np.where(matrix.integer, np.round(values), values)
    plan_cost = float(np.dot(cost, rounded))
    if seconds < MIN_PHASE_S or len(unmet) == 0:
        return plan_cost, None, None
    lp = matrix.highs_lp(mip=True)
    lp.col_cost_ = cost
    lp.offset_ = 0.0
    lp.sense_ = highspy.ObjSense.kMinimize
    highs = new_highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", float(seconds))
    highs.setOptionValue("mip_rel_gap", float(gap))
    highs.passModel(lp)
    reached = float(np.dot(weights, rounded[unmet]))
    highs.addRow(
        -highspy.kHighsInf,
        reached + 1e-7 * max(1.0, reached),
        len(unmet),
        unmet.astype(np.int32),
        weights,
    )
    columns = np.arange(matrix.n_cols, dtype=np.int32)
    highs.setSolution(len(columns), columns, rounded)
    highs.run()
    info = highs.getInfo()
    bound = float(info.mip_dual_bound)
    lower = bound if math.isfinite(bound) else None
    if int(info.primal_solution_status) != 2:
        return plan_cost, lower, None
    found = np.asarray(highs.getSolution().col_value, dtype=float)
    found_rounded = np.where(matrix.integer, np.round(found), found)
    found_cost = float(np.dot(cost, found_rounded))
    covered = float(np.dot(weights, found_rounded[unmet])) <= reached + 1e-6 * max(1.0, reached)
    if covered and found_cost < plan_cost - 1e-6:
        return found_cost, lower, found
    return plan_cost, lower, None

"""One call for the CLI and pages: build, solve, extract, check and explain a scenario."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from optimisation.checker import Violation, check_plan
from optimisation.explain import Explanation, explain
from optimisation.model import Model, build_model
from optimisation.results import Plan, extract_plan, objective_of_plan
from optimisation.scenarios import Scenario
from optimisation.solve import SolveResult, SolveStatus, highs_threads, solve
from skills.dataset import Dataset

#: Keys of :meth:`PlanResult.to_json_dict`, in order.
JSON_KEYS = (
    "status",
    "objective",
    "bound",
    "gap",
    "poor_gap",
    "message",
    "cost_bound",
    "cost_gap",
    "unmet_units",
    "closed_units",
    "participants",
    "runs",
    "hires",
    "total_cost",
    "public_cost",
    "company_cost",
    "violations",
    "explanations",
    "target",
)


@dataclass
class PlanResult:
    """Everything ``vetplan solve`` shows: status and bound, the plan's tables, checks and explanations."""

    scenario: Scenario
    result: SolveResult
    plan: Plan | None
    violations: list[Violation] = field(default_factory=list)
    explanations: list[Explanation] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    model_size: dict[str, int] = field(default_factory=dict)
    gap_unit_value: float = 0.0

    @property
    def status(self) -> SolveStatus:
        return self.result.status

    @property
    def objective(self) -> float | None:
        return self.result.objective

    @property
    def bound(self) -> float | None:
        return self.result.best_bound

    @property
    def gap(self) -> float | None:
        return self.result.gap

    @property
    def is_poor(self) -> bool:
        """The plan is valid but far from its proven bound (see :data:`optimisation.solve.POOR_GAP`)."""
        return self.result.is_poor

    def _total(self, key: str) -> float:
        return float(self.plan.totals.get(key, 0.0)) if self.plan is not None else 0.0

    @property
    def unmet_units(self) -> float:
        return self._total("unmet_units")

    @property
    def closed_units(self) -> float:
        return self._total("closed_units")

    @property
    def surveyed_units(self) -> float:
        """Gap units as the surveys state them (one per person), the figure the Overview shows."""
        return float(self.plan.gaps["headcount"].sum()) if self.plan is not None else 0.0

    @property
    def growth_units(self) -> float:
        """Gap units the scenario's demand growth adds by each gap's deadline: closed + unmet - surveyed."""
        return self._total("gap_units") - self.surveyed_units if self.plan is not None else 0.0

    @property
    def total_cost(self) -> float:
        return self._total("total_cost")

    @property
    def public_cost(self) -> float:
        return self._total("public_cost")

    @property
    def company_cost(self) -> float:
        return self._total("company_cost")

    def _table(self, name: str) -> pd.DataFrame:
        if self.plan is None:
            return pd.DataFrame()
        return self.plan.tables()[name]

    @property
    def participants(self) -> pd.DataFrame:
        return self._table("participants")

    @property
    def runs(self) -> pd.DataFrame:
        return self._table("runs")

    @property
    def hires(self) -> pd.DataFrame:
        return self._table("hires")

    def to_json_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with exactly the keys of :data:`JSON_KEYS`.

        ``participants``, ``runs`` and ``hires`` are ``{"total": n, "records": [...]}``;
        ``violations`` and ``explanations`` are lists of records. Without a
        plan every plan figure (units, totals, costs) is ``None``, never 0;
        ``target`` is the unreachable-target diagnosis of an infeasible
        min-cost scenario, else ``None``.
        """
        planned = self.plan is not None

        def figure(value: float, digits: int) -> float | None:
            return round(value, digits) if planned else None

        def table(frame: pd.DataFrame, key: str) -> dict[str, Any]:
            return {"total": int(self._total(key)) if planned else None, "records": _records(frame)}

        return {
            "status": self.status.value,
            "objective": _number(self.objective),
            "bound": _number(self.bound),
            "gap": _number(self.gap),
            "poor_gap": self.result.poor_gap,
            "message": self.result.message,
            "cost_bound": _number(self.result.cost_bound),
            "cost_gap": _number(self.result.cost_gap),
            "unmet_units": figure(self.unmet_units, 6),
            "closed_units": figure(self.closed_units, 6),
            "participants": table(self.participants, "participants"),
            "runs": table(self.runs, "runs"),
            "hires": table(self.hires, "hires"),
            "total_cost": figure(self.total_cost, 2),
            "public_cost": figure(self.public_cost, 2),
            "company_cost": figure(self.company_cost, 2),
            "violations": [violation.as_dict() for violation in self.violations],
            "explanations": [explanation.as_dict() for explanation in self.explanations],
            "target": None if self.result.target is None else self.result.target.as_dict(),
        }


def _number(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for record in frame.to_dict("records"):
        records.append({str(key): _plain(value) for key, value in record.items()})
    return records


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


#: Seconds of explain per constraint-matrix non-zero, measured on tier L (4.7 s for 187 000
#: non-zeros with the build at 1.7 s, a loaded 2-core machine).
POST_SOLVE_S_PER_NONZERO = 2.4e-5
#: The same for extract and check alone (0.26 s on that tier L), about four times over for safety.
CHECK_S_PER_NONZERO = 1.2e-6
#: Fixed part of extract, check and explain (pandas overheads).
POST_SOLVE_FIXED_S = 0.05
#: Extract and check, and explain, in multiples of the build's own time: all three are pandas work
#: over the same index sets, so the build measured in this process, under the machine's present
#: load, predicts them. Measured on tiers S, M and L: extract and check 0.10–0.17 times the build,
#: explain 0.8–2.7 times.
POST_SOLVE_PER_BUILD = 0.3
EXPLAIN_PER_BUILD = 2.8
#: The share of the time left after the build that the solve always keeps (see :func:`run_scenario`).
MIN_SOLVE_SHARE = 0.5


def post_solve_reserve(
    model: Model, *, with_explanations: bool = True, build_seconds: float | None = None
) -> float:
    """Seconds kept back from the solve for extract, check and (optionally) explain.

    The larger of a size estimate (:data:`POST_SOLVE_S_PER_NONZERO` per
    non-zero) and, when ``build_seconds`` is given, the build's time scaled
    by :data:`POST_SOLVE_PER_BUILD` (+ :data:`EXPLAIN_PER_BUILD`): on a
    loaded machine the build runs slower and so will the rest, which the
    size estimate alone does not know.
    """
    per_nonzero = CHECK_S_PER_NONZERO + (POST_SOLVE_S_PER_NONZERO if with_explanations else 0.0)
    by_size = POST_SOLVE_FIXED_S + per_nonzero * model.matrix.nonzeros
    if build_seconds is None:
        return by_size
    per_build = POST_SOLVE_PER_BUILD + (EXPLAIN_PER_BUILD if with_explanations else 0.0)
    return max(by_size, per_build * build_seconds)


def time_margin(time_limit_s: float) -> float:
    """How far a whole :func:`run_scenario` may overrun ``time_limit_s``: 1 s plus 5 % of the limit.

    It covers what cannot be interrupted: HiGHS checks its clock between
    nodes and LP iterations, and extract, check and explain take longer than
    their reserve on a loaded machine.
    """
    return 1.0 + 0.05 * time_limit_s


def run_scenario(
    dataset: Dataset, scenario: Scenario, *, with_explanations: bool = True
) -> PlanResult:
    """Build, solve, extract, check and explain ``scenario`` over ``dataset``, within its time limit.

    The whole call takes at most ``time_limit_s`` plus :func:`time_margin`:
    the solve ends by the limit less the time build took and the time
    extract, check and explain are expected to take
    (:func:`post_solve_reserve`). The result's objective is recomputed from
    the extracted plan's tables and its gap and status follow from that
    value. The plan checker always runs on a plan; ``violations`` is empty
    for a valid plan. Without a plan (INFEASIBLE, ERROR) the tables are empty.
    """
    timings: dict[str, float] = {}
    began = time.perf_counter()
    model: Model = build_model(dataset, scenario)
    timings["build_s"] = time.perf_counter() - began
    step = time.perf_counter()
    reserve = post_solve_reserve(
        model, with_explanations=with_explanations, build_seconds=timings["build_s"]
    )
    # A limit too short for build, solve and the rest together: the solve keeps at least half of
    # what the build left, so that a plan exists (the overrun stays within time_margin).
    reserve = min(reserve, MIN_SOLVE_SHARE * max(0.0, scenario.time_limit_s - timings["build_s"]))
    # One thread count for the solve and the explanations' re-solves (the process's HiGHS scheduler).
    with highs_threads(scenario.threads):
        result = solve(model, deadline=began + scenario.time_limit_s - reserve)
        timings["solve_s"] = time.perf_counter() - step
        timings.update({f"solve_{name}": seconds for name, seconds in result.phases.items()})
        plan: Plan | None = None
        violations: list[Violation] = []
        explanations: list[Explanation] = []
        if result.has_plan:
            step = time.perf_counter()
            plan = extract_plan(model)
            result = result.with_objective(
                objective_of_plan(plan, model.gap_unit_value, scenario.objective)
            )
            timings["extract_s"] = time.perf_counter() - step
            step = time.perf_counter()
            violations = check_plan(dataset, scenario, plan)
            timings["check_s"] = time.perf_counter() - step
            if with_explanations:
                step = time.perf_counter()
                explanations = explain(model, plan, result)
                timings["explain_s"] = time.perf_counter() - step
    timings["total_s"] = time.perf_counter() - began
    return PlanResult(
        scenario=scenario,
        result=result,
        plan=plan,
        violations=violations,
        explanations=explanations,
        timings=timings,
        model_size=model.size(),
        gap_unit_value=model.gap_unit_value,
    )

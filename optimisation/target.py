"""Why a min-cost coverage target cannot be met: the highest coverage reachable, and the constraint families that cap it."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np

if TYPE_CHECKING:
    from optimisation.model import Model

#: Constraint families a region can change (budget, caps, capacities, supply), each with the words
#: a person reads. Relaxing one at a time shows which of them caps the coverage; the links between
#: people, runs and gaps are the model itself and are never relaxed.
LIMIT_FAMILIES: dict[str, str] = {
    "public_budget": "the public training budget",
    "company_cost_cap": "the companies' cost caps",
    "company_places": "the companies' training places",
    "company_hours": "the companies' training hours",
    "provider_hours": "the providers' trainer hours",
    "hire_supply": "the hires available on the labour market",
    "run_minimum": "the courses' minimum cohort sizes",
}

#: Gains in coverage below this share are not a cap (solver tolerances).
GAIN_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Cap:
    """A constraint family that caps the reachable coverage: with its rows relaxed, ``coverage_without`` is reachable."""

    family: str
    label: str
    coverage_without: float

    def as_dict(self) -> dict[str, Any]:
        return {"family": self.family, "constraint": self.label, "coverage_without": self.coverage_without}


@dataclass(frozen=True)
class TargetDiagnosis:
    """What a min-cost scenario's coverage target asks, and what the same constraints allow.

    ``reachable`` is the weighted coverage of the best plan found without the
    target (a plan exists that closes that share), ``reachable_bound`` the
    proven upper bound on any plan's coverage (equal to ``reachable`` when
    the search finished). ``caps`` are the limit families whose relaxation
    (one at a time, everything else kept) raises the reachable coverage,
    largest gain first; ``structural`` is the coverage with every limit
    family relaxed at once: what the catalogue, the course levels and
    regions and the hire supply allow at all.

    Example: a target of 100 % where no course reaches the required level
    gives ``reachable == structural == 0.0`` and no caps: the catalogue, not
    the budget, is what to change.
    """

    target: float
    reachable: float
    reachable_bound: float
    structural: float
    caps: tuple[Cap, ...] = field(default_factory=tuple)

    @property
    def capped_by_catalogue(self) -> bool:
        """Even with every limit relaxed the target stays out of reach."""
        return self.structural < self.target - GAIN_TOLERANCE

    def sentence(self) -> str:
        """One sentence a policymaker reads: the target, the reachable coverage and what caps it."""
        reach = _share(self.reachable)
        if self.reachable_bound > self.reachable + GAIN_TOLERANCE:
            reach = f"{reach} (proven at most {_share(self.reachable_bound)})"
        text = (
            f"the coverage target of {_share(self.target)} of weighted gap units cannot be met: "
            f"under the same constraints at most {reach} can be closed"
        )
        if self.caps:
            parts = [f"{cap.label} (without it {_share(cap.coverage_without)})" for cap in self.caps]
            text += "; capped by " + ", ".join(parts)
        if self.capped_by_catalogue:
            text += (
                f"; even with every budget, cap and capacity relaxed only {_share(self.structural)} can be closed, "
                "because no course or hire serves the rest (see the readiness diagnostics)"
            )
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "coverage_target": self.target,
            "reachable_coverage": self.reachable,
            "reachable_coverage_bound": self.reachable_bound,
            "coverage_with_every_limit_relaxed": self.structural,
            "capped_by": [cap.as_dict() for cap in self.caps],
            "capped_by_catalogue": self.capped_by_catalogue,
            "sentence": self.sentence(),
        }


def _share(value: float) -> str:
    return f"{100.0 * value:.1f} %"


def diagnose_target(model: Model, *, seconds: float) -> TargetDiagnosis | None:
    r"""Highest weighted coverage reachable without the coverage target, and the limit families that cap it.

    .. math::

        \min \sum_g w_g u_g \quad\text{s.t. every row but the coverage target}

    solved as the MIP, then once per family of :data:`LIMIT_FAMILIES` with
    that family's rows relaxed, and once with all of them relaxed. ``seconds``
    is shared: a third for the first solve, the rest across the others.
    ``None`` when the model has no coverage target.
    """
    target_rows = model.rows.get("coverage_target")
    if target_rows is None or target_rows.empty or model.scenario.coverage_target is None:
        return None
    began = time.perf_counter()
    matrix = model.matrix
    weights = model.sets.gaps["weight"].to_numpy(dtype=float)
    units = model.sets.gaps["units"].to_numpy(dtype=float)
    total = float(np.dot(weights, units))
    if total <= 0:
        return None
    unmet = model.columns("unmet")
    cost = np.zeros(matrix.n_cols)
    cost[unmet] = weights
    present = {
        family: _family_rows(model, family)
        for family in LIMIT_FAMILIES
        if len(_family_rows(model, family))
    }
    target_positions = _family_rows(model, "coverage_target")

    def coverage(relaxed: np.ndarray, budget: float) -> tuple[float, float]:
        lower = np.array(matrix.row_lower, dtype=float)
        upper = np.array(matrix.row_upper, dtype=float)
        lower[relaxed], upper[relaxed] = -highspy.kHighsInf, highspy.kHighsInf
        lp = matrix.highs_lp(mip=True)
        lp.col_cost_ = cost
        lp.offset_ = 0.0
        lp.sense_ = highspy.ObjSense.kMinimize
        lp.row_lower_, lp.row_upper_ = lower, upper
        from optimisation.solve import new_highs

        highs = new_highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("time_limit", max(0.05, float(budget)))
        highs.passModel(lp)
        columns = np.arange(matrix.n_cols, dtype=np.int32)
        nothing = np.zeros(matrix.n_cols)
        nothing[unmet] = units  # training nobody is a plan: every gap unmet
        highs.setSolution(len(columns), columns, nothing)
        highs.run()
        info = highs.getInfo()
        found = float(info.objective_function_value) if int(info.primal_solution_status) == 2 else total
        bound = float(info.mip_dual_bound) if matrix.integer.any() else found
        bound = bound if math.isfinite(bound) else 0.0
        return 1.0 - min(found, total) / total, 1.0 - max(0.0, min(bound, found)) / total

    reachable, reachable_bound = coverage(target_positions, seconds / 3.0)
    left = seconds - (time.perf_counter() - began)
    share = max(0.05, left / (len(present) + 1)) if present else 0.0
    caps: list[Cap] = []
    for family, positions in present.items():
        without, _ = coverage(np.concatenate([target_positions, positions]), share)
        if without > reachable + GAIN_TOLERANCE:
            caps.append(Cap(family, LIMIT_FAMILIES[family], without))
    every = np.concatenate([target_positions, *present.values()]) if present else target_positions
    structural = coverage(every, share)[0] if present else reachable
    caps.sort(key=lambda cap: -cap.coverage_without)
    return TargetDiagnosis(
        target=float(model.scenario.coverage_target),
        reachable=reachable,
        reachable_bound=max(reachable, reachable_bound),
        structural=max(structural, reachable),
        caps=tuple(caps),
    )


def _family_rows(model: Model, family: str) -> np.ndarray:
    frame = model.rows.get(family)
    if frame is None or frame.empty:
        return np.empty(0, dtype=np.int32)
    names = [name for name in frame["constraint"].tolist() if isinstance(name, str)]
    return model.matrix.rows(names)

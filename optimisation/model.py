"""The training-and-recruitment MILP: a PuLP problem over the index sets, its variables, constraint families and objective."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from optimisation.constraints import FAMILIES
from optimisation.matrix import Matrix, build_matrix
from optimisation.scenarios import Scenario
from optimisation.sets import Sets, automatic_gap_unit_value, build_sets
from optimisation.variables import define_variables
from skills.dataset import Dataset


@dataclass
class Model:
    """A built model: the PuLP problem, its index sets, variables and rows by family.

    ``variables[family][i]`` is the variable of row ``i`` of the family's set;
    ``rows[family]`` is a frame describing each constraint of the family with
    its PuLP name in column ``constraint``. :attr:`matrix` is the problem as
    arrays, built on first use and shared by the start heuristic, the solver
    and the explanations.
    """

    problem: pulp.LpProblem
    dataset: Dataset
    scenario: Scenario
    sets: Sets
    gap_unit_value: float
    variables: dict[str, list[pulp.LpVariable]] = field(default_factory=dict)
    rows: dict[str, pd.DataFrame] = field(default_factory=dict)
    objective_terms: dict[str, pulp.LpAffineExpression] = field(default_factory=dict)
    _matrix: Matrix | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def matrix(self) -> Matrix:
        """The problem as arrays, built once; rebuilt when constraints, variables, objective or sense changed since."""
        if self._matrix is None or not self._matrix.matches(self.problem):
            self._matrix = build_matrix(self.problem)
        return self._matrix

    def columns(self, family: str) -> np.ndarray:
        """Matrix columns of a variable family, in the family's row order."""
        return self.matrix.columns(self.variables[family])

    def size(self) -> dict[str, int]:
        """Numbers of variables (by family), constraints and non-zeros."""
        counts = {family: len(values) for family, values in self.variables.items()}
        counts["constraints"] = sum(len(rows) for rows in self.rows.values())
        counts["nonzeros"] = sum(len(c.expr) for c in self.problem.constraints())
        return counts


def define_objective(model: Model) -> None:
    r"""Maximise the value of closed weighted gap units minus total cost (``min_cost``: minimise cost).

    .. math::

        \max\; V \sum_g w_g (n_g - u_g) - \Big( \sum_{k,y} F_k r_{ky} + \sum_{c,k,y} f_k x_{cky}
              + \sum_{c,s,y} C_{s,r(c)} h_{csy} \Big)

    :math:`w_g` is the priority weight, :math:`V` the value of one weighted
    gap unit (``gap_unit_value``; by default just above the cost of closing
    any single unit, so coverage comes first and cost decides between plans
    of equal coverage) and :math:`C` the cost per hire. Total cost counts
    both payers. The objective is the plan's net value, so the solver's
    relative gap is measured against what the plan achieves, not against
    gaps nobody can close. In ``min_cost`` the problem is
    :math:`\min` cost and :func:`define_coverage_target` holds coverage.
    """
    sets, scenario = model.sets, model.scenario
    maximise = scenario.objective != "min_cost"
    value = model.gap_unit_value if maximise else 0.0
    sign = -1.0 if maximise else 1.0  # costs enter a maximised objective negatively
    weights = sets.gaps["weight"].to_numpy(dtype=float)
    parts = {
        "unmet": (sets.gaps["gap"].to_numpy(), -value * weights),
        "runs": (
            sets.runs["run"].to_numpy(),
            sign * sets.runs["fixed_cost_per_run"].to_numpy(dtype=float),
        ),
        "participants": (
            sets.participants["participant"].to_numpy(),
            sign * sets.participants["cost_per_participant"].to_numpy(dtype=float),
        ),
        "hires": (
            sets.hires["hire"].to_numpy(),
            sign * sets.hires["cost_per_hire"].to_numpy(dtype=float),
        ),
    }
    constant = float(value * (weights * sets.gaps["units"].to_numpy(dtype=float)).sum())
    objective = pulp.LpAffineExpression(constant=constant)
    for family, (positions, coefficients) in parts.items():
        family_vars = model.variables[family]
        term = pulp.LpAffineExpression(
            (family_vars[i], c)
            for i, c in zip(positions.tolist(), coefficients.tolist(), strict=True)
            if c != 0
        )
        model.objective_terms[family] = term
        objective.update(term)
    model.problem.sense = pulp.LpMaximize if maximise else pulp.LpMinimize
    model.problem.setObjective(objective)


def build_model(dataset: Dataset, scenario: Scenario, *, name: str | None = None) -> Model:
    """Build the MILP of ``scenario`` over ``dataset``.

    Calls :func:`build_sets`, :func:`define_variables`, every constraint
    family in :data:`FAMILIES` and :func:`define_objective`.
    """
    sets = build_sets(dataset, scenario)
    value = scenario.gap_unit_value or automatic_gap_unit_value(sets, scenario)
    problem = pulp.LpProblem(_safe_name(name or scenario.name), pulp.LpMinimize)
    model = Model(
        problem=problem, dataset=dataset, scenario=scenario, sets=sets, gap_unit_value=value
    )
    define_variables(model)
    for define in FAMILIES:
        define(model)
    define_objective(model)
    return model


def _safe_name(text: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in text)
    return cleaned or "vetplan"

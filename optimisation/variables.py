"""Decision variables of the MILP: one PuLP variable per element of an index set, with its bounds."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pulp

if TYPE_CHECKING:
    from optimisation.model import Model


def _variables(
    model: Model, family: str, prefix: str, upper: pd.Series | np.ndarray, integer: bool
) -> None:
    category = pulp.LpInteger if integer else pulp.LpContinuous
    add = model.problem.add_variable
    model.variables[family] = [
        add(f"{prefix}_{i}", 0, bound, category)
        for i, bound in enumerate(np.asarray(upper, dtype=float).tolist())
    ]


def define_variables(model: Model) -> None:
    r"""Create the decision variables, each with its bounds.

    .. math::

        z_{gky} &\in [0, n_g / \rho_{gy}]      && \text{people of gap } g \text{ trained on } k \text{ in } y\\
        x_{cky} &\in \{0, \dots, U_{cky}\}       && \text{participants of company } c \text{ on } k \text{ in } y\\
        r_{ky}  &\in \{0, \dots, R_{ky}\}        && \text{runs of course } k \text{ in } y\\
        v_{gy}  &\in [0, n_g / \rho^h_{gy}]      && \text{people of gap } g \text{ hired (decided in } y)\\
        h_{csy} &\in \{0, \dots, \min(A_{s,r(c)}, U^h_{csy})\} && \text{hires}\\
        u_g     &\in [0, n_g]                    && \text{unmet gap units}

    with :math:`\rho` the retention at the deadline, :math:`U_{cky}` the
    largest number of people of one taught skill that ``k`` can usefully
    train for ``c`` in ``y`` (capped by the course's seats per year and the
    company's training places) and
    :math:`R_{ky} = \min(\text{max\_runs\_per\_year}, \lfloor \text{pool}_{ky} / m_k \rfloor)`
    with :math:`\text{pool}_{ky} = \sum_c U_{cky}`.
    """
    sets = model.sets
    _variables(
        model, "training", "z", sets.training["units"] / sets.training["retention"], integer=False
    )
    _variables(model, "participants", "x", sets.participants["upper"], integer=True)
    _variables(model, "runs", "r", sets.runs["run_upper"], integer=True)
    _variables(
        model,
        "hire_options",
        "v",
        sets.hire_options["units"] / sets.hire_options["retention"],
        integer=False,
    )
    _variables(model, "hires", "h", sets.hires["upper"], integer=True)
    _variables(model, "unmet", "u", sets.gaps["units"], integer=False)


def variable_values(model: Model, family: str) -> np.ndarray:
    """Values of a variable family after a solve (0 where the solver gave none)."""
    return np.array(
        [v.varValue if v.varValue is not None else 0.0 for v in model.variables[family]],
        dtype=float,
    )

"""The PuLP problem as arrays (columns, row-wise matrix, bounds, objective), built once and shared by every solve."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import highspy
import numpy as np
import pulp

#: What identifies the state of a problem the matrix was built from (see :func:`fingerprint`).
Fingerprint = tuple[int, int, int, int, int]


def fingerprint(problem: pulp.LpProblem) -> Fingerprint:
    """Numbers of constraints and variables, the objective's identity and length, and the sense of ``problem``.

    Adding a constraint or a variable, setting a new objective, adding a
    term to it (as ``LpProblem.solve`` does with ``__dummy`` when the
    objective is a constant) or changing the sense changes the fingerprint;
    editing a constraint, a bound or a coefficient in place does not
    (nothing in vetplan does that after a build).
    """
    objective = problem.objective
    return (
        problem.numConstraints(),
        problem.numVariables(),
        id(objective),
        0 if objective is None else len(objective),
        int(problem.sense),
    )


def _frozen(values: np.ndarray) -> np.ndarray:
    values.setflags(write=False)
    return values


@dataclass(frozen=True, eq=False)
class Matrix:
    """A PuLP problem as HiGHS sees it: columns in ``problem.variables()`` order, rows in insertion order.

    ``start``, ``index`` and ``value`` hold the constraint matrix row-wise
    (CSR: row ``i`` has the entries ``start[i]:start[i + 1]``); ``cost`` and
    ``offset`` the objective; ``column_of`` and ``row_of`` map variable and
    constraint names to positions. The arrays are read-only.
    """

    variables: tuple[pulp.LpVariable, ...]
    constraints: tuple[pulp.LpConstraint, ...]
    column_of: Mapping[str, int]
    row_of: Mapping[str, int]
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    cost: np.ndarray
    offset: float
    maximise: bool
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    built_from: Fingerprint

    @property
    def n_cols(self) -> int:
        return len(self.variables)

    @property
    def n_rows(self) -> int:
        return len(self.constraints)

    @property
    def nonzeros(self) -> int:
        return len(self.index)

    @functools.cached_property
    def row_of_entry(self) -> np.ndarray:
        """The row of each entry of ``index``/``value`` (read-only)."""
        return _frozen(np.repeat(np.arange(self.n_rows), np.diff(self.start)))

    def activity(self, values: np.ndarray) -> np.ndarray:
        """Each row's left-hand side at the column ``values``."""
        return np.bincount(
            self.row_of_entry, weights=self.value * values[self.index], minlength=self.n_rows
        )

    def matches(self, problem: pulp.LpProblem) -> bool:
        """Whether ``problem`` looks unchanged since the matrix was built from it."""
        return self.built_from == fingerprint(problem)

    def columns(self, variables: Iterable[pulp.LpVariable]) -> np.ndarray:
        """Column positions of ``variables`` (int32)."""
        column_of = self.column_of
        return np.fromiter((column_of[v.name] for v in variables), np.int32)

    def rows(self, names: Iterable[str]) -> np.ndarray:
        """Row positions of the constraints named ``names`` (int32)."""
        row_of = self.row_of
        return np.fromiter((row_of[name] for name in names), np.int32)

    def highs_lp(self, *, mip: bool = True) -> highspy.HighsLp:
        """A fresh ``HighsLp`` of the problem (with integrality when ``mip`` and any column is integer)."""
        return _highs_lp(
            self,
            cost=self.cost,
            col_lower=self.col_lower,
            col_upper=self.col_upper,
            row_lower=self.row_lower,
            row_upper=self.row_upper,
            offset=self.offset,
            csr=(self.start, self.index, self.value),
            integer=self.integer if mip and self.integer.any() else None,
        )


def _highs_lp(
    matrix: Matrix,
    *,
    cost: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    offset: float,
    csr: tuple[np.ndarray, np.ndarray, np.ndarray],
    integer: np.ndarray | None,
) -> highspy.HighsLp:
    """A ``HighsLp`` of these columns, rows and row-wise entries, in ``matrix``'s sense."""
    start, index, value = csr
    lp = highspy.HighsLp()
    lp.num_col_ = lp.a_matrix_.num_col_ = len(cost)
    lp.num_row_ = lp.a_matrix_.num_row_ = len(row_lower)
    lp.col_cost_ = cost
    lp.col_lower_ = col_lower
    lp.col_upper_ = col_upper
    lp.row_lower_ = row_lower
    lp.row_upper_ = row_upper
    lp.offset_ = offset
    lp.sense_ = highspy.ObjSense.kMaximize if matrix.maximise else highspy.ObjSense.kMinimize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    if integer is not None:
        kinds = highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous
        lp.integrality_ = [kinds[0] if flag else kinds[1] for flag in integer.tolist()]
    return lp


def block_lp(
    matrix: Matrix, free: np.ndarray, values: np.ndarray, col_lower: np.ndarray, col_upper: np.ndarray
) -> highspy.HighsLp:
    """The problem over the ``free`` columns alone, every other column fixed at ``values``.

    Rows without a free column are dropped (the fixed values decide them);
    the others keep their free entries, with bounds shifted by what the
    fixed columns contribute, and the objective's offset takes the fixed
    columns' cost. Columns keep ``matrix`` order, so the block's solution
    ``x`` goes back as ``values[free] = x``. A block of one area on tier NS
    is a sixth of the model: HiGHS no longer presolves the whole model for
    each block (:func:`optimisation.heuristic.fix_and_optimise`).
    """
    free_entry = free[matrix.index]
    fixed = ~free_entry
    activity = np.bincount(
        matrix.row_of_entry[fixed],
        matrix.value[fixed] * values[matrix.index[fixed]],
        minlength=matrix.n_rows,
    )
    per_row = np.bincount(matrix.row_of_entry[free_entry], minlength=matrix.n_rows)
    kept = np.flatnonzero(per_row > 0)
    new_column = np.cumsum(free) - 1
    index = new_column[matrix.index[free_entry]].astype(np.int32)  # CSR: entries stay row by row
    start = np.concatenate([[0], np.cumsum(per_row[kept])]).astype(np.int32)
    columns = np.flatnonzero(free)
    return _highs_lp(
        matrix,
        cost=matrix.cost[columns],
        col_lower=col_lower[columns],
        col_upper=col_upper[columns],
        row_lower=matrix.row_lower[kept] - activity[kept],
        row_upper=matrix.row_upper[kept] - activity[kept],
        offset=matrix.offset + float(np.dot(matrix.cost[~free], values[~free])),
        csr=(start, index, matrix.value[free_entry]),
        integer=matrix.integer[columns],
    )


def build_matrix(problem: pulp.LpProblem) -> Matrix:
    """Read ``problem`` through PuLP's public API (``variables()``, ``constraints()``, ``objective``) into a :class:`Matrix`."""
    variables = tuple(problem.variables())
    constraints = tuple(problem.constraints())
    column_of = {v.name: i for i, v in enumerate(variables)}
    n_cols, n_rows = len(variables), len(constraints)
    inf = highspy.kHighsInf
    col_lower = np.fromiter(
        (-inf if v.lowBound is None else v.lowBound for v in variables), float, n_cols
    )
    col_upper = np.fromiter(
        (inf if v.upBound is None else v.upBound for v in variables), float, n_cols
    )
    integer = np.fromiter((v.cat == pulp.LpInteger for v in variables), bool, n_cols)
    objective = problem.objective or pulp.LpAffineExpression()
    cost = np.zeros(n_cols)
    if len(objective):
        positions = np.fromiter((column_of[v.name] for v in objective), np.int64, len(objective))
        cost[positions] = np.fromiter(objective.values(), float, len(objective))
    expressions = [c.expr for c in constraints]
    lengths = np.fromiter((len(e) for e in expressions), np.int64, n_rows)
    n_nonzeros = int(lengths.sum())
    index = np.fromiter((column_of[v.name] for e in expressions for v in e), np.int32, n_nonzeros)
    value = np.fromiter((a for e in expressions for a in e.values()), float, n_nonzeros)
    start = np.zeros(n_rows + 1, dtype=np.int32)
    np.cumsum(lengths, out=start[1:])
    row_lower = np.fromiter(
        (-inf if (b := c.getLb()) is None else b for c in constraints), float, n_rows
    )
    row_upper = np.fromiter(
        (inf if (b := c.getUb()) is None else b for c in constraints), float, n_rows
    )
    return Matrix(
        variables=variables,
        constraints=constraints,
        column_of=column_of,
        row_of={c.name: i for i, c in enumerate(constraints)},
        col_lower=_frozen(col_lower),
        col_upper=_frozen(col_upper),
        integer=_frozen(integer),
        cost=_frozen(cost),
        offset=float(objective.constant),
        maximise=problem.sense == pulp.LpMaximize,
        start=_frozen(start),
        index=_frozen(index),
        value=_frozen(value),
        row_lower=_frozen(row_lower),
        row_upper=_frozen(row_upper),
        built_from=fingerprint(problem),
    )

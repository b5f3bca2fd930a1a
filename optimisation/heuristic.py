"""A starting plan for the MILP: solve the LP relaxation, then a restricted MILP around it (RENS-like)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd
import pulp

from optimisation.matrix import Matrix, block_lp
from optimisation.model import Model
from optimisation.solve import LARGE_MIP_INTEGERS, new_highs

#: Below this many integer variables HiGHS alone is faster than heuristic plus solve.
MIN_INTEGERS_FOR_START = 2000

#: Up to this many integer variables the wide restricted MIP runs directly (tier M: 0.38 % in 2 s,
#: against 1.24 % for the narrow box); above it the narrow box runs first (tier L: the wide box
#: alone stays at its root node for 8 s, the narrow one reaches 0.55 % in 7 s).
WIDE_INTEGERS = 20000

#: HiGHS's ``mip_heuristic_effort`` in the restricted MIPs (HiGHS's default is 0.05).
RESTRICTED_HEURISTIC_EFFORT = 0.5

#: At most this many passes over the areas.
FO_PASSES = 4

#: A block with less time than this is skipped (passing the model to HiGHS alone takes ~1 s on NS).
MIN_BLOCK_S = 1.0

#: The rounding opens one run where the LP seats at least this share of a minimum cohort.
OPEN_SHARE = 0.5


@dataclass
class Start:
    """A starting plan (variable -> value), its objective, and the LP relaxation's bound and solve time.

    ``lp_bound`` is the optimum of the LP relaxation: a proven bound on the
    MILP's optimum, valid whatever happens to the MIP search afterwards.
    """

    values: dict[pulp.LpVariable, float] = field(default_factory=dict)
    objective: float | None = None
    lp_bound: float | None = None
    lp_seconds: float = 0.0
    seconds: float = 0.0


def starting_plan(
    model: Model, *, seconds: float, min_integers: int = MIN_INTEGERS_FOR_START, area_integers: int = LARGE_MIP_INTEGERS
) -> Start:
    """A feasible plan to warm-start the solver, computed within ``seconds``.

    1. Solve the LP relaxation (its optimum is kept as a proven bound).
    2. Solve the MILP with every integer variable bounded above by the
       ceiling of its LP value, except that participants of runs the LP
       opens get one more person of room (RENS with a little slack: the
       bare LP ceiling often cannot fill a whole run's minimum cohort).
       Lower bounds stay 0, so the all-zero plan, and hence a feasible one,
       remains (in ``min_cost`` mode the restricted problem may be
       infeasible). Runs the LP leaves closed stay closed, which shrinks
       the problem to a fraction of its size.

    3. Models with at least ``area_integers`` integer variables replace
       step 2 by :func:`fix_and_optimise`: the restricted MIP area by area,
       the other areas fixed, in passes.

    Models with fewer than ``min_integers`` integer variables get the
    rounded plan only (no restricted MIP).
    """
    began = time.perf_counter()
    matrix = model.matrix
    integer = matrix.integer
    if seconds <= 0.05 or not integer.any():
        return Start()
    lp = matrix.highs_lp(mip=True)
    variables = matrix.variables
    relaxation = new_highs()
    relaxation.setOptionValue("output_flag", False)
    relaxation.passModel(lp)
    columns = np.arange(len(variables), dtype=np.int32)
    relaxation.changeColsIntegrality(
        len(columns),
        columns,
        np.full(len(columns), int(highspy.HighsVarType.kContinuous), dtype=np.uint8),
    )
    relaxation.setOptionValue("time_limit", max(0.05, seconds))
    relaxation.run()
    lp_seconds = time.perf_counter() - began
    if relaxation.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return Start(lp_seconds=lp_seconds, seconds=lp_seconds)
    lp_values = np.asarray(relaxation.getSolution().col_value, dtype=float)
    lp_bound = float(relaxation.getInfo().objective_function_value)
    best: np.ndarray | None = None
    rounded = rounded_plan(model, lp_values)
    if rounded is not None:
        best = _fixed_integer_lp(model, lp, rounded, seconds - (time.perf_counter() - began))
    # Restricted MIPs: "narrow" (participants within one person of the LP's ceiling) first on
    # large models, where the wide box stalls at its root node; "wide" (participants up to their
    # bound) on the rest of the time, and directly on models up to WIDE_INTEGERS integers.
    n_integers = int(integer.sum())
    # (wide, keep_open): the wide box alone may also close the rounded plan's runs. Where a budget
    # binds, the repair keeps runs the optimum does not open: tier M at a quarter of the bench's
    # budget ends at 1.5 % from the bound keeping them open, at 0.48 % free to close them.
    boxes: tuple[tuple[bool, bool], ...] = ((True, False),) if n_integers <= WIDE_INTEGERS else ((False, True), (True, True))
    if n_integers < min_integers:
        boxes = ()  # small models: HiGHS alone improves the rounded plan faster
    if n_integers >= area_integers and best is not None:
        boxes = ()  # large models: area by area
        best = fix_and_optimise(model, lp, lp_values, best, seconds - (time.perf_counter() - began))
    for wide, keep_open in boxes:
        left = seconds - (time.perf_counter() - began)
        if left <= 0.1:
            break
        improved, _ = _restricted_mip(model, lp, lp_values, best, left, wide=wide, keep_open=keep_open)
        if improved is not None and (
            best is None or _value(matrix, improved) > _value(matrix, best) + 1e-9
        ):
            best = improved
    spent = time.perf_counter() - began
    if best is None:
        return Start(lp_bound=lp_bound, lp_seconds=lp_seconds, seconds=spent)
    best[integer] = np.round(best[integer])
    return Start(
        values=dict(zip(variables, best.tolist(), strict=True)),
        objective=float(np.dot(matrix.cost, best) + matrix.offset),
        lp_bound=lp_bound,
        lp_seconds=lp_seconds,
        seconds=spent,
    )


def _value(matrix: Matrix, values: np.ndarray) -> float:
    """The objective of ``values`` as a maximisation (negated for a minimisation)."""
    value = float(np.dot(matrix.cost, values) + matrix.offset)
    return value if matrix.maximise else -value


def _fixed_integer_lp(
    model: Model, lp: highspy.HighsLp, integers: np.ndarray, seconds: float
) -> np.ndarray | None:
    """The best continuous values (who closes which gap) with every integer column fixed at ``integers``."""
    matrix = model.matrix
    if seconds <= 0.05:
        return integers
    highs = new_highs()
    highs.setOptionValue("output_flag", False)
    highs.passModel(lp)
    chosen = np.flatnonzero(matrix.integer).astype(np.int32)
    highs.changeColsIntegrality(
        len(chosen),
        chosen,
        np.full(len(chosen), int(highspy.HighsVarType.kContinuous), dtype=np.uint8),
    )
    highs.changeColsBounds(len(chosen), chosen, integers[chosen], integers[chosen])
    highs.setOptionValue("time_limit", max(0.05, seconds))
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return integers
    values = np.asarray(highs.getSolution().col_value, dtype=float)
    values[chosen] = integers[chosen]
    return values


def _restricted_mip(
    model: Model,
    lp: highspy.HighsLp,
    lp_values: np.ndarray,
    incumbent: np.ndarray | None,
    seconds: float,
    *,
    wide: bool = False,
    free: np.ndarray | None = None,
    keep_open: bool = True,
) -> tuple[np.ndarray | None, bool]:
    """The MILP restricted around the LP and the incumbent.

    Runs between the incumbent's (``keep_open``; else 0) and the LP's
    ceiling; hires within the LP's ceiling; participants within one more
    person than the LP's ceiling on runs the LP opens (``wide``: up to their
    bound). With ``free`` (a
    column mask) and an incumbent, every other column is fixed at the
    incumbent's value: one block of a fix-and-optimise pass. Returns the
    plan (``None`` without one) and whether HiGHS finished, i.e. stopped at
    its gap rather than its time limit.
    """
    matrix = model.matrix
    integer = matrix.integer
    bound = matrix.col_upper
    upper = np.minimum(np.ceil(lp_values - 1e-6), bound)
    if incumbent is not None:
        upper = np.maximum(upper, np.round(incumbent))
    # Participants of runs the LP opens (even a little) get one more person of room, so that
    # whole runs can reach their minimum cohort; everything else stays within the LP's ceiling.
    run_columns = model.columns("runs")
    slot_columns = model.columns("participants")
    if len(slot_columns) and wide:
        upper[slot_columns] = bound[slot_columns]
    elif len(slot_columns):
        opened = lp_values[run_columns] > 1e-6
        slot_open = opened[model.sets.participants["run"].to_numpy()]
        upper[slot_columns] = np.where(
            slot_open,
            np.minimum(bound[slot_columns], upper[slot_columns] + 1.0),
            upper[slot_columns],
        )
    lower = np.zeros(matrix.n_cols)
    if incumbent is not None and keep_open:
        # Runs the rounded plan opens stay open: the box holds the incumbent and is much smaller
        # than the LP's ceiling alone (on tier L this is the difference between 0.5 % and 14 %).
        lower[run_columns] = np.round(incumbent[run_columns])
    upper = np.where(integer, np.maximum(upper, lower), bound)
    lower = np.where(integer, lower, matrix.col_lower)
    restricted = new_highs()
    restricted.setOptionValue("output_flag", False)
    block = free if incumbent is not None else None
    if block is not None and incumbent is not None:
        # Only the block's columns and rows go to HiGHS, the rest enters as fixed activity: on NS
        # passing the whole model for each block cost ~1 s of presolve before any search.
        restricted.passModel(block_lp(matrix, block, incumbent, lower, upper))
    else:
        restricted.passModel(lp)
        chosen = np.flatnonzero(integer).astype(np.int32)
        restricted.changeColsBounds(len(chosen), chosen, lower[chosen], upper[chosen])
    # A block's objective includes the fixed rest of the plan, so a gap relative to it would stop the
    # block almost at once (0.25 % of tier NS's objective is more than most areas can add): blocks
    # run to a tight gap within their share of the time.
    restricted.setOptionValue("mip_rel_gap", 1e-4 if free is not None else max(model.scenario.mip_gap / 2, 1e-4))
    # Ten times HiGHS's default heuristic effort: on tier L its sub-MIPs find 0.9 % in 6 s where the
    # default spends the time separating cuts at the root and returns the start unchanged.
    restricted.setOptionValue("mip_heuristic_effort", RESTRICTED_HEURISTIC_EFFORT)
    restricted.setOptionValue("time_limit", max(0.05, seconds))
    if block is not None and incumbent is not None:
        part = incumbent[block]
        restricted.setSolution(len(part), np.arange(len(part), dtype=np.int32), part)
    elif incumbent is not None:
        columns = np.arange(matrix.n_cols, dtype=np.int32)
        restricted.setSolution(len(columns), columns, incumbent)
    restricted.run()
    finished = restricted.getModelStatus() == highspy.HighsModelStatus.kOptimal
    if int(restricted.getInfo().primal_solution_status) != 2:
        return None, finished
    found = np.asarray(restricted.getSolution().col_value, dtype=float)
    if block is None or incumbent is None:
        return found, finished
    values = incumbent.copy()
    values[block] = found
    return values, finished


def rounded_plan(model: Model, lp_values: np.ndarray) -> np.ndarray | None:
    """Integer values rounded from the LP relaxation and repaired to satisfy every row on integers alone.

    Participants are rounded down; each run slot then opens the most runs
    its people can fill to the minimum cohort (at most the runs needed to
    seat them and its bound) and sends home whoever does not fit; hires are
    rounded down. Rows the rounding can still break (public budget, company
    caps and places, trainer hours: non-negative coefficients on runs and
    participants) are repaired by closing, one at a time, the run slot that
    uses most of the violated row per participant. Continuous columns are
    left at their neutral values (nobody trained or hired, every gap unmet),
    which satisfy every row given the integers. Returns the full column
    vector, or ``None`` when some other row is violated (e.g. a coverage
    target in ``min_cost``).
    """
    matrix, sets = model.matrix, model.sets
    values = np.zeros(matrix.n_cols)
    unmet = model.columns("unmet")
    values[unmet] = matrix.col_upper[unmet]
    x_col, r_col, h_col = (model.columns(f) for f in ("participants", "runs", "hires"))
    runs, participants = sets.runs, sets.participants
    n_runs = len(runs)
    run_of = participants["run"].to_numpy()
    x_lp = np.clip(lp_values[x_col], 0.0, matrix.col_upper[x_col])
    x = np.floor(x_lp + 1e-6)
    seats = runs[["max_participants", "pool"]].min(axis=1).to_numpy(dtype=float)
    minimum = runs["min_participants"].to_numpy(dtype=float)
    run_upper = runs["run_upper"].to_numpy(dtype=float)
    # Runs from the LP's people (before rounding them down): the most runs they fill to the
    # minimum cohort, at most those needed to seat them; then people are rounded to the nearest
    # whole number in total, by raising the largest fractions, within the runs' seats.
    lp_people = np.bincount(run_of, weights=x_lp, minlength=n_runs)
    r = np.minimum(run_upper, np.floor(lp_people / minimum + 1e-9))
    r = np.maximum(np.minimum(r, np.ceil(lp_people / seats - 1e-9)), 0.0)
    # A slot the LP fills to at least half a minimum cohort opens one run (the LP's fractional
    # runs hold a few percent of its people on tier L); the rows it may break are repaired below.
    r = np.where((r == 0) & (lp_people >= OPEN_SHARE * minimum), 1.0, r)
    target = np.clip(np.round(lp_people), minimum * r, seats * r)
    missing = target - np.bincount(run_of, weights=x, minlength=n_runs)
    room = (x < matrix.col_upper[x_col]) & (r[run_of] > 0)
    order = np.lexsort((-(x_lp - x), run_of))  # by run, largest fraction first
    order = order[room[order]]
    for _ in range(int(seats.max(initial=0.0)) + 1):  # one more person per member and pass
        if not len(order) or (missing <= 1e-9).all():
            break
        rank = np.arange(len(order)) - np.searchsorted(run_of[order], run_of[order])
        raise_one = order[rank < missing[run_of[order]] - 1e-9]
        x[raise_one] += 1.0
        missing -= np.bincount(run_of[raise_one], minlength=n_runs)
        order = order[x[order] < matrix.col_upper[x_col][order]]
    people = np.bincount(run_of, weights=x, minlength=n_runs)
    r = np.minimum(r, np.floor(people / minimum + 1e-9))
    x = np.where(r[run_of] > 0, x, 0.0)
    excess = np.bincount(run_of, weights=x, minlength=n_runs) - seats * r
    for run in np.flatnonzero(excess > 1e-9).tolist():
        members = np.flatnonzero(run_of == run)
        extra = round(float(excess[run]))
        for member in members[np.argsort(-x[members], kind="stable")].tolist():
            cut = min(extra, int(x[member]))
            x[member] -= cut
            extra -= cut
            if extra == 0:
                break
    values[x_col], values[r_col] = x, r
    values[h_col] = np.clip(np.floor(lp_values[h_col] + 1e-6), 0.0, matrix.col_upper[h_col])

    slot_of_column = np.full(matrix.n_cols, -1, dtype=np.int64)
    slot_of_column[x_col] = run_of
    slot_of_column[r_col] = np.arange(n_runs)
    for _ in range(max(100, n_runs)):
        activity = matrix.activity(values)
        tolerance = 1e-6 * np.maximum(1.0, np.abs(activity))
        over = activity > matrix.row_upper + tolerance
        under = activity < matrix.row_lower - tolerance
        if under.any():
            return None
        if not over.any():
            return values
        row = int(np.flatnonzero(over)[0])
        entries = slice(int(matrix.start[row]), int(matrix.start[row + 1]))
        columns, coefficients = matrix.index[entries], matrix.value[entries]
        slots = slot_of_column[columns]
        used = coefficients * values[columns]
        chosen = (slots >= 0) & (used > 0)
        if not chosen.any():
            return None
        use = np.bincount(slots[chosen], weights=used[chosen], minlength=n_runs)
        seated = np.bincount(run_of, weights=values[x_col], minlength=n_runs)
        worst = int(np.argmax(use / np.maximum(seated, 1.0)))
        values[r_col[worst]] = 0.0
        values[x_col[run_of == worst]] = 0.0
    return None


def initial_plan(
    model: Model, *, time_share: float = 0.25, min_integers: int = MIN_INTEGERS_FOR_START
) -> tuple[dict[pulp.LpVariable, float], float | None]:
    """:func:`starting_plan` within ``time_share`` of the scenario's time limit: (start, its objective)."""
    start = starting_plan(
        model, seconds=model.scenario.time_limit_s * time_share, min_integers=min_integers
    )
    return start.values, start.objective


def region_blocks(model: Model) -> list[np.ndarray]:
    """Column masks of the parts of the model that only the budget and online runs couple: one per area.

    Areas are the connected groups of company regions and the regions of the
    in-person courses their companies can attend (:func:`skills.regions.same_area`
    links ``DK04`` with ``DK041``). An area's block holds its companies'
    training options, participant slots (online ones included) and hires,
    its in-person runs, and every online run (shared by all areas; a block
    may open more of them, never fewer). Unmet units are free in every
    block: they are the slack that lets a block's new plan close more.
    """
    sets, matrix = model.sets, model.matrix
    companies = sets.companies["region"].astype(object)
    participants, runs = sets.participants, sets.runs
    online = (runs["mode"].astype(object) == "online").to_numpy()
    company_region = participants["company_id"].map(companies).astype(object).to_numpy()
    run_of = participants["run"].to_numpy()
    parent: dict[object, object] = {}

    def find(node: object) -> object:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    in_person = ~online[run_of]
    links = pd.DataFrame(
        {
            "company": company_region[in_person],
            "course": runs["course_region"].astype(object).to_numpy()[run_of[in_person]],
        }
    ).drop_duplicates()
    for region in companies.unique().tolist():
        find(region)
    for company, course in links.itertuples(index=False):
        parent[find(company)] = find(course)
    area_of = {region: find(region) for region in list(parent)}
    areas = sorted({area_of[region] for region in companies.unique().tolist()}, key=str)
    slot_area = np.array([area_of.get(region) for region in company_region.tolist()], dtype=object)
    run_area = np.array([area_of.get(region) for region in runs["course_region"].astype(object).tolist()], dtype=object)
    hire_area = np.array(
        [area_of.get(region) for region in sets.hires["company_id"].map(companies).astype(object).tolist()], dtype=object
    )
    option_slot = sets.training["participant"].to_numpy()
    hire_of_option = sets.hire_options["hire"].to_numpy()
    blocks: list[np.ndarray] = []
    for area in areas:
        mask = np.zeros(matrix.n_cols, dtype=bool)
        slots = slot_area == area
        mask[model.columns("participants")[slots]] = True
        mask[model.columns("training")[slots[option_slot]]] = True
        mask[model.columns("runs")[((run_area == area) & ~online) | online]] = True
        hires = hire_area == area
        mask[model.columns("hires")[hires]] = True
        mask[model.columns("hire_options")[hires[hire_of_option]]] = True
        mask[model.columns("unmet")] = True
        blocks.append(mask)
    return blocks


def fix_and_optimise(
    model: Model, lp: highspy.HighsLp, lp_values: np.ndarray, incumbent: np.ndarray, seconds: float
) -> np.ndarray:
    """Improve ``incumbent`` one block of :func:`region_blocks` at a time, the rest fixed at its values.

    Passes over the blocks, largest first, within ``seconds``. Each block's
    restricted MIP (participants up to their bound; runs and hires within
    the LP's ceiling and at least the incumbent's) gets a share of the time
    left in proportion to its integer columns, and only the block's columns
    and rows go to HiGHS (:func:`optimisation.matrix.block_lp`). A block
    that finished (HiGHS reached its gap) is not solved again; the next pass
    takes the blocks that their time stopped, so a loaded machine gets the
    same plan later rather than a worse one (NS, the whole start: 0.43 % in
    53 s quiet, 0.48 % in 107 s with both cores busy), and a quiet one stops
    early. Every block's
    plan is a plan of the whole model, so the incumbent only improves. The
    budget is left to the blocks in turn: capping each at its LP share of
    the budget was tried and stopped blocks early (tier L: 2.45 % against
    0.54 %).
    """
    matrix = model.matrix
    end = time.perf_counter() + seconds
    blocks = region_blocks(model)
    sizes = np.array([int((mask & matrix.integer).sum()) for mask in blocks], dtype=float)
    pending: list[int] = np.argsort(-sizes, kind="stable").tolist()
    best = incumbent
    for _ in range(FO_PASSES):
        stopped: list[int] = []
        for position, index in enumerate(pending):
            left = end - time.perf_counter()
            share = left * sizes[index] / max(float(sizes[pending[position:]].sum()), 1.0)
            if share <= MIN_BLOCK_S:
                stopped.append(index)
                continue
            improved, finished = _restricted_mip(
                model, lp, lp_values, best, share, wide=True, free=blocks[index]
            )
            if improved is not None and _value(matrix, improved) > _value(matrix, best) * (1 + 1e-9) + 1e-9:
                best = improved
            if not finished:
                stopped.append(index)
        pending = stopped
        if not pending or end - time.perf_counter() <= MIN_BLOCK_S:
            break
    return best

"""Budget sweep: closed gap against public budget, monotone by construction, with its knee marked."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Final

import pandas as pd

from skills.errors import InputError
from skills.executor import Pending, SolveExecutor, SolveTask

if TYPE_CHECKING:
    from optimisation.plan import PlanResult
    from optimisation.scenarios import Scenario
    from skills.dataset import Dataset

#: Budget of the unlimited solve (``budget_per_year: null``) in :attr:`Sweep.plans`.
UNLIMITED: Final = math.inf
#: Fewest budgets of a sweep (the knee needs three; the issue asks for at least eight).
MIN_BUDGETS: Final = 2
#: Most budgets of one sweep.
MAX_BUDGETS: Final = 200
#: Most money of one budget (as :data:`optimisation.scenarios.MAX_MONEY`).
MAX_BUDGET: Final = 1e10
#: Decimals of weighted closed units compared by the dominance step (solver noise is far below).
UNIT_DECIMALS: Final = 4
#: Public money (currency) two plans may differ by and still count as spending the same.
MONEY_TOLERANCE: Final = 0.01
#: A relative gap at most this is reported as optimal (as :data:`optimisation.solve.OPTIMAL_GAP`).
OPTIMAL_GAP: Final = 1e-4
#: A relative gap above this is reported as poor (as :data:`optimisation.solve.POOR_GAP`).
POOR_GAP: Final = 0.05
#: Public money per which the marginal closed units are shown.
MARGINAL_STEP: Final = 10_000.0
#: Statuses of a solve that returns a plan.
_PLAN_STATUSES: Final = ("optimal", "feasible", "poor")


@dataclass(frozen=True)
class SweepPoint:
    """One budget of a sweep: the plan shown there and where it comes from.

    ``plan_budget`` is the budget of the solve whose plan is shown
    (:data:`UNLIMITED` for the unlimited solve; ``None`` when no plan exists
    at this budget); ``reused_from`` is the same number when it is not this
    budget's own solve, else ``None``. ``gap`` is the plan's relative gap to
    the tightest bound known at this budget (any solve at this or a higher
    budget bounds it); ``status`` follows from that gap. ``solved`` says
    whether this budget was solved at all; ``seconds`` is that solve's time
    (0 when not solved). Money is per the scenario's currency; costs are
    over the whole horizon, ``peak_public_per_year`` the largest year's
    public spend (what the budget limits).
    """

    budget: float
    weighted_closed_units: float
    closed_units: float
    unmet_units: float
    coverage: float
    public_cost: float
    company_cost: float
    total_cost: float
    peak_public_per_year: float
    objective: float | None
    status: str
    gap: float | None
    within_gap: bool
    solved: bool
    seconds: float
    plan_budget: float | None
    reused_from: float | None
    reason: str
    marginal_per_10k: float | None = None
    is_knee: bool = False


@dataclass(frozen=True)
class Sweep:
    """The result of :func:`budget_sweep`.

    ``points`` are in increasing budget; ``unlimited`` is the plan with no
    budget (every budget at or above its ``peak_public_per_year`` shows it);
    ``plans`` holds every solve made, by its budget (:data:`UNLIMITED` for the
    unlimited one), for the caller to store; ``knee_budget`` is the point of
    diminishing returns (:func:`knee_index`); ``problems`` lists every
    breach of the two monotonicity guarantees (:func:`monotonicity_problems`)
    and is empty when both hold; ``notes`` says where a yearly budget keeps
    a cheaper-in-total plan from a lower budget (:func:`yearly_budget_notes`).
    """

    scenario_name: str
    mip_gap: float
    points: tuple[SweepPoint, ...]
    unlimited: SweepPoint
    knee_budget: float | None
    plans: Mapping[float, PlanResult] = field(repr=False)
    solves: int
    wall_s: float
    executor: str
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def budgets(self) -> list[float]:
        return [point.budget for point in self.points]

    def plan_at(self, budget: float) -> PlanResult | None:
        """The full plan result shown at ``budget`` (``None`` when that budget has no plan)."""
        point = next((point for point in self.points if point.budget == budget), None)
        if point is None:
            msg = f"budget {budget:g} is not in the sweep ({', '.join(f'{b:g}' for b in self.budgets)})"
            raise InputError(msg)
        return None if point.plan_budget is None else self.plans[point.plan_budget]

    def to_frame(self) -> pd.DataFrame:
        """One row per budget with every field of :class:`SweepPoint`."""
        return pd.DataFrame([asdict(point) for point in self.points])

    def to_json_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the points, the unlimited plan, the knee and how the sweep ran.

        The unlimited budget is written ``"unlimited"``; figures of a budget without a plan ``null``.
        """
        return {
            "scenario": self.scenario_name,
            "mip_gap": self.mip_gap,
            "knee_budget": self.knee_budget,
            "solves": self.solves,
            "wall_s": round(self.wall_s, 3),
            "executor": self.executor,
            "problems": list(self.problems),
            "notes": list(self.notes),
            "unlimited": _json_point(self.unlimited),
            "points": [_json_point(point) for point in self.points],
        }


def _json_point(point: SweepPoint) -> dict[str, Any]:
    """A point as JSON: the unlimited budget (infinite) is written ``"unlimited"``, NaN as ``null``."""
    values: dict[str, Any] = {}
    for key, value in asdict(point).items():
        if isinstance(value, float) and math.isinf(value):
            value = "unlimited"
        elif isinstance(value, float) and math.isnan(value):
            value = None
        values[key] = value
    return values


@dataclass(frozen=True)
class _Solved:
    """What the sweep needs of one solve: its budget, bound and (if any) plan figures."""

    budget: float
    status: str
    bound: float | None
    seconds: float
    has_plan: bool
    objective: float = math.nan
    weighted_closed_units: float = math.nan
    closed_units: float = math.nan
    unmet_units: float = math.nan
    coverage: float = math.nan
    public_cost: float = math.nan
    company_cost: float = math.nan
    total_cost: float = math.nan
    peak_public_per_year: float = math.nan

    def fits(self, budget: float) -> bool:
        """The plan respects ``budget`` in every year (a plan feasible at a budget is at every higher one)."""
        tolerance = MONEY_TOLERANCE + 1e-9 * max(1.0, budget)
        return self.has_plan and self.peak_public_per_year <= budget + tolerance

    def rank(self, budget: float) -> tuple[float, float, bool]:
        """Dominance order: most weighted closed units, then least public money, then own solve."""
        return (
            round(self.weighted_closed_units, UNIT_DECIMALS),
            -round(self.public_cost / MONEY_TOLERANCE) * MONEY_TOLERANCE,
            self.budget == budget,
        )


def peak_public_per_year(costs: pd.DataFrame) -> float:
    """The largest year's public spend of a plan's ``costs`` (what a yearly budget limits); 0 without any."""
    public = costs.loc[costs["payer"] == "public"].groupby("year")["amount"].sum()
    return float(public.max()) if len(public) else 0.0


def _solved(budget: float, result: PlanResult) -> _Solved:
    status = result.status.value
    bound = result.bound if result.bound is not None and math.isfinite(result.bound) else None
    seconds = float(result.timings.get("total_s", 0.0))
    plan = result.plan
    if plan is None or status not in _PLAN_STATUSES:
        return _Solved(budget, status, bound, seconds, has_plan=False)
    totals = plan.totals
    objective = result.objective
    return _Solved(
        budget,
        status,
        bound,
        seconds,
        has_plan=True,
        objective=math.nan if objective is None else float(objective),
        weighted_closed_units=float(totals["weighted_closed_units"]),
        closed_units=float(totals["closed_units"]),
        unmet_units=float(totals["unmet_units"]),
        coverage=float(totals["coverage"]),
        public_cost=float(totals["public_cost"]),
        company_cost=float(totals["company_cost"]),
        total_cost=float(totals["total_cost"]),
        peak_public_per_year=peak_public_per_year(plan.costs),
    )


def relative_gap(objective: float, bound: float) -> float:
    """``|bound - objective| / max(|objective|, 1)``, the solver's definition of a relative gap."""
    return abs(bound - objective) / max(abs(objective), 1.0)


def _bound_at(budget: float, solved: Iterable[_Solved]) -> float | None:
    """Tightest upper bound on the best objective at ``budget``: a higher budget only relaxes the model."""
    bounds = [item.bound for item in solved if item.budget >= budget and item.bound is not None]
    return min(bounds) if bounds else None


def _best_plan(budget: float, solved: Iterable[_Solved]) -> _Solved | None:
    """The dominance step: among the sweep's plans that fit ``budget``, the best by :meth:`_Solved.rank`."""
    fitting = [item for item in solved if item.fits(budget)]
    return max(fitting, key=lambda item: item.rank(budget)) if fitting else None


def _accepted(budget: float, solved: Sequence[_Solved], mip_gap: float) -> bool:
    """``budget`` needs no solve of its own: the dominance step's plan there is within ``mip_gap``.

    The plan fits the budget (a plan feasible at a lower budget is feasible
    at every higher one; a plan found at a higher budget fits when the
    budget does not bind it) and its gap is measured against the tightest
    bound known at this budget (a solve at any higher budget, the unlimited
    one included, bounds every lower budget). A plan that missed the gap
    where it was found is not reused without a solve: the budget gets its
    own chance, and the dominance step keeps the better of the two.
    """
    best, bound = _best_plan(budget, solved), _bound_at(budget, solved)
    if best is None or bound is None or math.isnan(best.objective):
        return False
    return relative_gap(best.objective, bound) <= mip_gap


def _status(gap: float | None, poor_gap: float) -> str:
    if gap is None:
        return "poor"
    if gap <= OPTIMAL_GAP:
        return "optimal"
    return "feasible" if gap <= poor_gap else "poor"


def _money(value: float) -> str:
    return "unlimited" if math.isinf(value) else f"{value:,.0f}"


#: Figures of a plan that a sweep point shows (fields of both :class:`_Solved` and :class:`SweepPoint`).
PLAN_FIGURES: Final = (
    "weighted_closed_units",
    "closed_units",
    "unmet_units",
    "coverage",
    "public_cost",
    "company_cost",
    "total_cost",
    "peak_public_per_year",
)


def _reason(budget: float, best: _Solved, own: _Solved | None) -> str:
    """Why ``budget`` shows the plan of ``best``'s solve (its own, or another, and why)."""
    source = _money(best.budget)
    if best.budget == budget:
        return "own solve"
    if own is not None:
        return (
            f"dominance: the plan of budget {source} fits this budget and closes more weighted "
            f"units (or as many for less public money) than this budget's own solve"
        )
    if math.isinf(best.budget):
        return (
            f"not solved: the unlimited plan spends at most {best.peak_public_per_year:,.0f} a year, "
            "within this budget, so it is this budget's plan too"
        )
    if best.budget > budget:
        return (
            f"not solved: the plan of budget {source} spends at most "
            f"{best.peak_public_per_year:,.0f} a year, within this budget, which does not bind it"
        )
    return (
        f"not solved: the plan of budget {source} fits this budget and is within the "
        "requested gap of the bound of a higher budget"
    )


def _point(budget: float, solved: Sequence[_Solved], mip_gap: float, poor_gap: float) -> SweepPoint:
    """The point of ``budget``: the dominance step's plan, its gap at this budget and its source."""
    own = next((item for item in solved if item.budget == budget), None)
    best = _best_plan(budget, solved)
    bound = _bound_at(budget, solved)
    gap: float | None = None
    if best is not None and bound is not None and not math.isnan(best.objective):
        gap = relative_gap(best.objective, bound)
    if best is None:
        status = own.status if own is not None else "error"
        reason = f"no plan: this budget's solve ended {status} and no plan of the sweep fits it"
    else:
        status, reason = _status(gap, poor_gap), _reason(budget, best, own)
    figures: dict[str, Any] = {
        name: getattr(best, name) if best is not None else math.nan for name in PLAN_FIGURES
    }
    return SweepPoint(
        budget=budget,
        **figures,
        objective=None if best is None else best.objective,
        status=status,
        gap=gap,
        within_gap=gap is not None and gap <= mip_gap,
        solved=own is not None,
        seconds=own.seconds if own is not None else 0.0,
        plan_budget=None if best is None else best.budget,
        reused_from=None if best is None or best.budget == budget else best.budget,
        reason=reason,
    )


def knee_index(budgets: Sequence[float], closed: Sequence[float]) -> int | None:
    """The point of diminishing returns: the point furthest above the chord of the normalised curve.

    Both axes are scaled to 0-1 over the sweep (lowest to highest budget,
    least to most closed units); the chord joins the first and last point;
    the knee is the point with the largest height above it (the "Kneedle"
    knee of Satopää et al., 2011). It is scale-free (no currency, no unit,
    no threshold to tune). ``None`` with fewer than three points, a flat
    curve, or no point above the chord (a straight or convex curve has no
    diminishing returns).

    Examples
    --------
    >>> knee_index([0, 1, 2, 3, 4, 5], [0, 50, 80, 90, 95, 97])
    2
    >>> knee_index([0, 1, 2], [0, 1, 2]) is None
    True
    """
    if len(budgets) != len(closed):
        msg = (
            f"a curve needs as many budgets as closed values, not {len(budgets)} and {len(closed)}"
        )
        raise InputError(msg)
    points = [(x, y) for x, y in zip(budgets, closed, strict=True) if math.isfinite(y)]
    if len(points) < 3:
        return None
    xs, ys = [x for x, _ in points], [y for _, y in points]
    width, height = xs[-1] - xs[0], max(ys) - min(ys)
    if width <= 0 or height <= 0:
        return None
    heights = [
        (y - ys[0]) / height - (x - xs[0]) / width * (ys[-1] - ys[0]) / height
        for x, y in zip(xs, ys, strict=True)
    ]
    best = max(range(len(heights)), key=lambda i: heights[i])
    if heights[best] <= 1e-9:
        return None
    finite = [i for i, y in enumerate(closed) if math.isfinite(y)]
    return finite[best]


def _closes_as_many(other: SweepPoint, first: SweepPoint) -> bool:
    return round(other.weighted_closed_units, UNIT_DECIMALS) >= round(
        first.weighted_closed_units, UNIT_DECIMALS
    )


def _shown(points: Sequence[SweepPoint]) -> list[SweepPoint]:
    return sorted((point for point in points if point.plan_budget is not None), key=lambda p: p.budget)


def _costlier_than(shown: Sequence[SweepPoint]) -> Iterator[tuple[SweepPoint, SweepPoint]]:
    """Pairs ``(first, other)`` of ``shown`` where ``other`` closes as many units for less public money.

    ``first`` runs in budget order. A pair is a breach when ``other`` fits
    ``first``'s budget in every year (:func:`monotonicity_problems`), else a
    yearly-budget note (:func:`yearly_budget_notes`).
    """
    for first in shown:
        for other in shown:
            if other is not first and _closes_as_many(other, first) and (
                first.public_cost > other.public_cost + MONEY_TOLERANCE
            ):
                yield first, other


def monotonicity_problems(points: Sequence[SweepPoint]) -> list[str]:
    """Every breach of the sweep's two guarantees (empty when both hold).

    1. More budget never closes fewer weighted units.
    2. No plan spends more public money than another plan of the sweep that
       closes at least as many weighted units and fits its budget in every
       year (a plan that needs more than the budget in some year cannot be
       shown there: :func:`yearly_budget_notes` names those cases).

    Points without a plan are skipped.
    """
    shown = _shown(points)
    problems: list[str] = []
    for lower, higher in itertools.pairwise(shown):
        if round(higher.weighted_closed_units, UNIT_DECIMALS) < round(
            lower.weighted_closed_units, UNIT_DECIMALS
        ):
            problems.append(
                f"budget {_money(higher.budget)} closes {higher.weighted_closed_units:,.2f} weighted "
                f"units, fewer than budget {_money(lower.budget)} ({lower.weighted_closed_units:,.2f})"
            )
    for first, other in _costlier_than(shown):
        if other.peak_public_per_year <= first.budget + MONEY_TOLERANCE:
            problems.append(
                f"budget {_money(first.budget)} spends {first.public_cost:,.2f} of public money, "
                f"more than budget {_money(other.budget)} ({other.public_cost:,.2f}), which closes "
                "at least as many weighted units within this budget in every year"
            )
    return problems


def yearly_budget_notes(points: Sequence[SweepPoint]) -> list[str]:
    """Where a plan spends more in total than another that closes as many but needs more in one year.

    With a budget per year, a plan cheaper over the horizon can need more
    than a lower budget in one of its years; the lower budget cannot show
    it, so it shows a plan that spends more in total. One sentence per such
    budget and plan (a plan shown at several budgets is named by the lowest),
    with the year's spend (empty with one year, where the yearly spend is the
    total).
    """
    notes: list[str] = []
    named: set[tuple[float, float | None]] = set()  # a plan shown at several budgets: named at the lowest
    for first, other in _costlier_than(_shown(points)):
        if other.peak_public_per_year > first.budget + MONEY_TOLERANCE and (
            (first.budget, other.plan_budget) not in named
        ):
            named.add((first.budget, other.plan_budget))
            notes.append(
                f"budget {_money(first.budget)} spends {first.public_cost:,.2f} of public money over "
                f"the years, more than budget {_money(other.budget)} ({other.public_cost:,.2f}), whose "
                f"plan closes at least as many weighted units but needs {other.peak_public_per_year:,.0f} "
                f"in one year, above budget {_money(first.budget)}"
            )
    return notes


def _checked_budgets(budgets: Iterable[float]) -> list[float]:
    values = [float(budget) for budget in budgets]
    bad = [value for value in values if not math.isfinite(value) or not 0 <= value <= MAX_BUDGET]
    if bad:
        msg = f"a budget must be a number from 0 to {MAX_BUDGET:.0f}, not {bad[0]!r}"
        raise InputError(msg)
    twice = sorted({value for value in values if values.count(value) > 1})
    if twice:
        msg = f"budget {twice[0]:g} is given more than once"
        raise InputError(msg)
    if not MIN_BUDGETS <= len(values) <= MAX_BUDGETS:
        msg = f"a sweep needs {MIN_BUDGETS} to {MAX_BUDGETS} budgets, not {len(values)}"
        raise InputError(msg)
    return sorted(values)


def budget_sweep(
    dataset: Dataset,
    scenario: Scenario,
    budgets: Iterable[float],
    *,
    executor: SolveExecutor | None = None,
    with_explanations: bool = False,
) -> Sweep:
    """Plans of ``scenario`` at every public budget per year in ``budgets``, monotone, with the knee.

    Each budget replaces the scenario's ``budget_per_year`` (the same amount
    every year); every other setting, including ``mip_gap`` and
    ``time_limit_s``, is the scenario's. Method (docs/sweep.md):

    1. Solve the unlimited budget, and (with a second worker) the lowest
       budget beside it.
    2. A budget is decided without a solve when a plan that fits it (its
       public spend in every year is within the budget: a plan feasible at a
       lower budget is feasible at every higher one) is within ``mip_gap`` of
       the tightest bound known there (a solve at any higher budget, the
       unlimited one included, bounds every lower one). When the unlimited
       solve reaches its gap, every budget at or above its largest yearly
       spend is decided so.
    3. The remaining budgets are solved in increasing order, as many at a
       time as the executor has workers; after each solve step 2 is tried
       again.
    4. Dominance: each budget shows the best plan of the sweep that fits it
       (most weighted closed units, then least public money), which makes
       the closed units monotone; ``reused_from`` and ``reason`` say when
       that is not the budget's own solve. :attr:`Sweep.problems` lists any
       breach of the guarantees left (:func:`monotonicity_problems`).

    Parameters
    ----------
    executor
        Where the solves run; default :class:`~skills.executor.SolveExecutor`
        from the settings (local processes, or Dask with
        ``VETPLAN_DASK_SCHEDULER``), closed at the end.
    with_explanations
        Explain each plan (slower; the sweep's table does not need it).

    Raises
    ------
    InputError
        Fewer than :data:`MIN_BUDGETS` budgets, a repeated or negative
        budget, or a scenario whose objective is not ``max_coverage``.

    Examples
    --------
    ::

        sweep = budget_sweep(dataset, scenario, [50_000 * k for k in range(1, 9)])
        sweep.to_frame()[["budget", "weighted_closed_units", "public_cost", "reused_from"]]
        sweep.knee_budget
    """
    levels = _checked_budgets(budgets)
    if scenario.objective != "max_coverage":
        msg = (
            f"a budget sweep needs objective max_coverage (closed gap against budget), "
            f"not {scenario.objective}"
        )
        raise InputError(msg)
    began = time.perf_counter()
    mip_gap = float(scenario.mip_gap)
    poor_gap = float(getattr(scenario, "poor_gap", None) or POOR_GAP)
    runner = executor if executor is not None else SolveExecutor()
    tables = dataset.tables()
    plans: dict[float, PlanResult] = {}
    solved: list[_Solved] = []
    running: dict[int, tuple[Pending, float]] = {}

    def submit(budget: float) -> None:
        amount = None if math.isinf(budget) else budget
        settings = scenario.model_copy(update={"budget_per_year": amount}).model_dump()
        task = SolveTask(
            tables=tables,
            settings=settings,
            with_explanations=with_explanations,
            label=f"{scenario.name}-budget-{_money(budget).replace(',', '')}",
        )
        handle = runner.submit(task)
        running[id(handle)] = (handle, budget)

    try:
        slots = runner.workers
        waiting = list(levels)
        submit(UNLIMITED)
        while waiting and len(running) < slots:
            submit(waiting.pop(0))
        while running:
            done = runner.wait_any([handle for handle, _ in running.values()])
            _, budget = running.pop(id(done))
            result = done.result()
            plans[budget] = result
            solved.append(_solved(budget, result))
            waiting = [level for level in waiting if not _accepted(level, solved, mip_gap)]
            while waiting and len(running) < slots:
                submit(waiting.pop(0))
        kind = runner.describe()
    finally:
        if executor is None:
            runner.close()

    points = [_point(level, solved, mip_gap, poor_gap) for level in levels]
    points = _with_marginals(points)
    knee = knee_index([p.budget for p in points], [p.weighted_closed_units for p in points])
    if knee is not None:
        points[knee] = _replace(points[knee], is_knee=True)
    unlimited = _point(UNLIMITED, solved, mip_gap, poor_gap)
    return Sweep(
        scenario_name=scenario.name,
        mip_gap=mip_gap,
        points=tuple(points),
        unlimited=unlimited,
        knee_budget=None if knee is None else points[knee].budget,
        plans=plans,
        solves=len(plans),
        wall_s=time.perf_counter() - began,
        executor=kind,
        problems=tuple(monotonicity_problems(points)),
        notes=tuple(yearly_budget_notes(points)),
    )


def _replace(point: SweepPoint, **changes: Any) -> SweepPoint:
    values = asdict(point)
    values.update(changes)
    return SweepPoint(**values)


def _with_marginals(points: list[SweepPoint]) -> list[SweepPoint]:
    """Each point with the weighted units its budget step closes per :data:`MARGINAL_STEP` of budget."""
    out = points[:1]
    for previous, point in itertools.pairwise(points):
        step = point.budget - previous.budget
        rise = point.weighted_closed_units - previous.weighted_closed_units
        marginal = rise / step * MARGINAL_STEP if step > 0 and math.isfinite(rise) else None
        out.append(_replace(point, marginal_per_10k=marginal))
    return out

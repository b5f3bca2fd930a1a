"""The training-and-recruitment MILP: sparse index sets from a Dataset and one ``define_*`` per constraint family."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from optimisation.matrix import Matrix, build_matrix
from optimisation.scenarios import Scenario
from skills.dataset import Dataset
from skills.rules import course_fit, hire_can_close, hire_lag_years, is_gap

#: Key of a gap group: demand rows with the same values are one group.
GAP_KEY = ["company_id", "skill", "current_level", "required_level", "deadline", "priority"]

LE = pulp.LpConstraintLE
GE = pulp.LpConstraintGE
EQ = pulp.LpConstraintEQ


@dataclass
class Sets:
    """Sparse index sets of the model, one tidy frame per set (row position = element id).

    ``gaps``
        One row per gap group ``g``: company, skill, current and required
        level, deadline (needed_by clipped to the horizon), priority, weight,
        ``units`` n_g (headcount grown by the skill group's demand growth).
    ``training``
        Training options ``(g, k, y)``: course ``k`` closes gap ``g`` when run
        in year ``y``; ``participant`` points into ``participants``;
        ``retention`` is the share still employed at the deadline.
    ``participants``
        Participant slots ``(c, k, y)`` with upper bound ``upper`` (people
        needing the course, capped by seats and company places) and
        ``people_upper`` (uncapped); ``run`` points into ``runs``.
    ``runs``
        Run slots ``(k, y)`` with the course's attributes, ``pool`` (sum of
        the slots' ``upper``) and ``run_upper`` (most runs the pool can fill).
    ``links``
        One row per (participant slot, taught skill): the seat-sharing rows.
    ``hire_options``
        Hire options ``(g, y)``: a hire decided in ``y`` is productive in
        ``productive_year`` <= deadline; ``hire`` points into ``hires``.
    ``hires``
        Hire slots ``(c, s, y)``; ``market`` points into ``markets``.
    ``markets``
        Labour-market slots ``(s, region, y)`` with ``available`` hires.
    """

    years: list[int]
    gaps: pd.DataFrame
    training: pd.DataFrame
    participants: pd.DataFrame
    runs: pd.DataFrame
    links: pd.DataFrame
    hire_options: pd.DataFrame
    hires: pd.DataFrame
    markets: pd.DataFrame
    companies: pd.DataFrame


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


# --------------------------------------------------------------------------- sets


def _retention(scenario: Scenario, years_held: np.ndarray) -> np.ndarray:
    return np.asarray(
        np.power(1.0 - scenario.attrition_rate, years_held.astype(float)), dtype=float
    )


def _expand_years(frame: pd.DataFrame, first: np.ndarray, last: np.ndarray) -> pd.DataFrame:
    """Repeat each row of ``frame`` once per year in ``[first, last]`` (row-wise bounds), adding ``year``."""
    count = np.maximum(last - first + 1, 0).astype(np.int64)
    repeated = frame.loc[frame.index.repeat(count)].reset_index(drop=True)
    starts = np.repeat(np.cumsum(count) - count, count)
    offset = np.arange(int(count.sum()), dtype=np.int64) - starts
    repeated["year"] = np.repeat(first.astype(np.int64), count) + offset
    return repeated


def _ceil_units(values: pd.Series) -> pd.Series:
    """Round people up to whole persons (ignoring float noise), never below zero."""
    rounded = np.maximum(np.ceil(values.to_numpy(dtype=float) - 1e-9), 0.0)
    return pd.Series(rounded, index=values.index)


def build_sets(dataset: Dataset, scenario: Scenario) -> Sets:
    """Index sets of the model from the tidy tables (no Cartesian products).

    Gap groups aggregate demand rows with equal company, skill, current and
    required level, deadline and priority. Training options exist only where
    a course teaches the skill from at most the current level up to at least
    the required level, in the company's region or online, in a year no later
    than the deadline. Hire options exist only where the regional market
    supplies the skill (a hire brings level 3), the hire is productive by the
    deadline and the required level is at most 3.
    """
    years = list(scenario.years)
    first_year, last_year = years[0], years[-1]
    companies = dataset.flat("companies")[["company_id", "region", "employees"]].astype(
        {"company_id": object, "region": object, "employees": "int64"}
    )
    skills = dataset.flat("skills")[["skill_id", "group"]].astype(object)

    demand = dataset.demand
    gap_rows = demand[is_gap(demand["required_level"], demand["current_level"], demand["headcount"])]
    gap_rows = pd.DataFrame(
        {
            "company_id": gap_rows["company_id"].astype(object).to_numpy(),
            "skill": gap_rows["skill"].astype(object).to_numpy(),
            "current_level": gap_rows["current_level"].astype("int64").to_numpy(),
            "required_level": gap_rows["required_level"].astype("int64").to_numpy(),
            "deadline": gap_rows["needed_by"]
            .astype("int64")
            .clip(first_year, last_year)
            .to_numpy(),
            "priority": gap_rows["priority"].astype(object).to_numpy(),
            "headcount": gap_rows["headcount"].astype("int64").to_numpy(),
        }
    )
    gap_rows["group"] = gap_rows["skill"].map(skills.set_index("skill_id")["group"])
    growth = gap_rows["group"].map(scenario.demand_growth).fillna(0.0).astype(float)
    gap_rows["units"] = gap_rows["headcount"] * np.power(
        1.0 + growth, gap_rows["deadline"] - first_year
    )
    gaps = gap_rows.groupby(GAP_KEY, as_index=False, sort=True).agg(
        headcount=("headcount", "sum"),
        units=("units", "sum"),
        demand_rows=("headcount", "size"),
        group=("group", "first"),
    )
    gaps = gaps.merge(companies[["company_id", "region"]], on="company_id", how="left")
    gaps["weight"] = gaps["priority"].map(scenario.priority_weights).astype(float)
    gaps["gap"] = np.arange(len(gaps), dtype=np.int64)

    training, participants, runs, links = _training_sets(
        dataset, scenario, gaps, companies.set_index("company_id")
    )
    hire_options, hires, markets = _hire_sets(dataset, scenario, gaps)
    return Sets(
        years=years,
        gaps=gaps,
        training=training,
        participants=participants,
        runs=runs,
        links=links,
        hire_options=hire_options,
        hires=hires,
        markets=markets,
        companies=companies.set_index("company_id"),
    )


def course_table(dataset: Dataset) -> pd.DataFrame:
    """Courses joined with the skills they teach: one row per (course, skill), runnable courses only."""
    courses = dataset.flat("courses")
    offered = dataset.course_skills.merge(courses, on="course_id", how="inner")
    offered = offered[(offered["max_runs_per_year"] > 0)]
    return pd.DataFrame(
        {
            "course_id": offered["course_id"].astype(object).to_numpy(),
            "skill": offered["skill"].astype(object).to_numpy(),
            "level": offered["level"].astype("int64").to_numpy(),
            "entry_level": offered["entry_level"].astype("int64").to_numpy(),
            "course_region": offered["region"].astype(object).to_numpy(),
            "mode": offered["mode"].astype(object).to_numpy(),
        }
    )


def _training_sets(
    dataset: Dataset, scenario: Scenario, gaps: pd.DataFrame, companies: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    first_year = scenario.years[0]
    offered = course_table(dataset)
    pairs = gaps[
        [
            "gap",
            "company_id",
            "skill",
            "current_level",
            "required_level",
            "deadline",
            "region",
            "units",
        ]
    ].merge(offered, on="skill", how="inner")
    pairs = pairs[course_fit(pairs).serves].reset_index(drop=True)
    training = _expand_years(
        pairs[["gap", "company_id", "course_id", "skill", "deadline", "units"]],
        np.full(len(pairs), first_year),
        pairs["deadline"].to_numpy(),
    )
    training["retention"] = _retention(
        scenario, (training["deadline"] - training["year"]).to_numpy()
    )

    # Participant slots (c, k, y): the most people that can usefully attend is the largest
    # number of units of any one taught skill the course can close for the company that year.
    per_skill = (
        training.assign(people=training["units"] / training["retention"])
        .groupby(["company_id", "course_id", "year", "skill"], as_index=False, sort=True)[
            ["people"]
        ]
        .sum()
    )
    participants = per_skill.groupby(
        ["company_id", "course_id", "year"], as_index=False, sort=True
    )["people"].max()
    courses = dataset.flat("courses").astype({"course_id": object})
    course_attributes = pd.DataFrame(
        {
            "course_id": courses["course_id"].to_numpy(),
            "provider": courses["provider"].astype(object).to_numpy(),
            "course_region": courses["region"].astype(object).to_numpy(),
            "mode": courses["mode"].astype(object).to_numpy(),
            "hours": courses["hours"].astype(float).to_numpy(),
            "cost_per_participant": courses["cost_per_participant"].astype(float).to_numpy(),
            "fixed_cost_per_run": courses["fixed_cost_per_run"].astype(float).to_numpy(),
            "min_participants": courses["min_participants"].astype("int64").to_numpy(),
            "max_participants": courses["max_participants"].astype("int64").to_numpy(),
            "max_runs_per_year": courses["max_runs_per_year"].astype("int64").to_numpy(),
        }
    )
    participants = participants.merge(course_attributes, on="course_id", how="left")
    seats = participants["max_participants"] * participants["max_runs_per_year"]
    participants["people_upper"] = _ceil_units(participants["people"]).astype("int64")
    upper = np.minimum(participants["people_upper"], seats)
    employees = participants["company_id"].map(companies["employees"]).astype(float)
    if scenario.company_capacity_share is not None:
        upper = np.minimum(upper, company_place_limit(employees, scenario.company_capacity_share))
    if scenario.company_hours_per_employee is not None:
        upper = np.minimum(
            upper,
            np.floor(
                employees * scenario.company_hours_per_employee / participants["hours"] + 1e-9
            ),
        )
    participants["upper"] = upper.astype("int64")
    participants = participants.drop(columns="people")

    # A run slot whose whole pool of possible participants is below the minimum cohort can never
    # open: drop it (and its participant slots and options). Runs are also bounded by pool / min.
    pool = (
        participants.groupby(["course_id", "year"], as_index=False)[["upper"]]
        .sum()
        .rename(columns={"upper": "pool"})
    )
    pool = pool.merge(
        course_attributes[["course_id", "min_participants", "max_runs_per_year"]], on="course_id"
    )
    pool = pool[pool["pool"] >= pool["min_participants"]]
    pool["run_upper"] = np.minimum(
        pool["max_runs_per_year"], pool["pool"] // pool["min_participants"]
    )
    participants = participants.merge(
        pool[["course_id", "year"]], on=["course_id", "year"], how="inner"
    )
    participants = participants.sort_values(["company_id", "course_id", "year"]).reset_index(
        drop=True
    )
    participants["participant"] = np.arange(len(participants), dtype=np.int64)

    runs = (
        pool[["course_id", "year", "pool", "run_upper"]]
        .sort_values(["course_id", "year"])
        .reset_index(drop=True)
        .merge(course_attributes, on="course_id", how="left")
    )
    runs["run"] = np.arange(len(runs), dtype=np.int64)
    participants = participants.merge(
        runs[["course_id", "year", "run"]], on=["course_id", "year"], how="left"
    )

    training = training.merge(
        participants[["company_id", "course_id", "year", "participant"]],
        on=["company_id", "course_id", "year"],
        how="inner",
    ).sort_values(["gap", "course_id", "year"], ignore_index=True)
    links = (
        training[["participant", "skill"]]
        .drop_duplicates()
        .sort_values(["participant", "skill"])
        .reset_index(drop=True)
    )
    links["link"] = np.arange(len(links), dtype=np.int64)
    training = training.merge(links, on=["participant", "skill"], how="left")
    training["option"] = np.arange(len(training), dtype=np.int64)
    return training, participants, runs, links


def _hire_sets(
    dataset: Dataset, scenario: Scenario, gaps: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    first_year = scenario.years[0]
    supply = dataset.supply
    supply = pd.DataFrame(
        {
            "skill": supply["skill"].astype(object).to_numpy(),
            "region": supply["region"].astype(object).to_numpy(),
            "available": supply["hires_available_per_year"].astype("int64").to_numpy(),
            "cost_per_hire": supply["cost_per_hire"].astype(float).to_numpy(),
            "lead_time_months": supply["lead_time_months"].astype("int64").to_numpy(),
        }
    )
    supply = supply[supply["available"] > 0]
    supply["lag"] = hire_lag_years(supply["lead_time_months"])
    options = gaps.loc[
        hire_can_close(gaps["required_level"]),
        ["gap", "company_id", "skill", "region", "deadline", "units"],
    ].merge(supply, on=["skill", "region"], how="inner")
    options = _expand_years(
        options.reset_index(drop=True),
        np.full(len(options), first_year),
        (options["deadline"] - options["lag"]).to_numpy(),
    )
    options["productive_year"] = options["year"] + options["lag"]
    options["retention"] = _retention(
        scenario, (options["deadline"] - options["productive_year"]).to_numpy()
    )
    per_slot = (
        options.assign(people=options["units"] / options["retention"])
        .groupby(["company_id", "skill", "year"], as_index=False, sort=True)
        .agg(
            people=("people", "sum"),
            region=("region", "first"),
            available=("available", "first"),
            cost_per_hire=("cost_per_hire", "first"),
            lead_time_months=("lead_time_months", "first"),
            lag=("lag", "first"),
        )
    )
    per_slot["upper"] = np.minimum(_ceil_units(per_slot["people"]), per_slot["available"]).astype(
        "int64"
    )
    hires = per_slot.drop(columns="people")
    hires["productive_year"] = hires["year"] + hires["lag"]
    hires["hire"] = np.arange(len(hires), dtype=np.int64)
    markets = (
        hires[["skill", "region", "year", "available"]]
        .drop_duplicates(["skill", "region", "year"])
        .sort_values(["skill", "region", "year"])
        .reset_index(drop=True)
    )
    markets["market"] = np.arange(len(markets), dtype=np.int64)
    hires = hires.merge(
        markets[["skill", "region", "year", "market"]], on=["skill", "region", "year"], how="left"
    )
    options = options.merge(
        hires[["company_id", "skill", "year", "hire"]],
        on=["company_id", "skill", "year"],
        how="left",
    )
    options["option"] = np.arange(len(options), dtype=np.int64)
    return options, hires, markets


# --------------------------------------------------------------------------- helpers


def _add_rows(
    model: Model,
    family: str,
    rows: pd.DataFrame,
    terms: Sequence[tuple[str, np.ndarray, np.ndarray, np.ndarray]],
    sense: int,
    rhs: np.ndarray,
) -> None:
    """Add one constraint per row of ``rows``: sum of terms ``sense`` rhs.

    Each term is (variable family, variable positions, coefficients, row
    positions), all arrays of equal length. Rows without terms are skipped
    (they would be constant). The constraint names are ``{family}_{i}``.
    """
    n_rows = len(rows)
    if n_rows == 0:
        model.rows[family] = rows.assign(constraint=pd.Series(dtype=object))
        return
    all_vars: list[pulp.LpVariable] = []
    coefficient_parts: list[np.ndarray] = []
    row_parts: list[np.ndarray] = []
    for variable_family, positions, coefficients, row_ids in terms:
        family_vars = model.variables[variable_family]
        all_vars.extend(family_vars[i] for i in positions.tolist())
        coefficient_parts.append(np.asarray(coefficients, dtype=float))
        row_parts.append(np.asarray(row_ids, dtype=np.int64))
    coefficient = np.concatenate(coefficient_parts) if coefficient_parts else np.empty(0)
    row_of_term = np.concatenate(row_parts) if row_parts else np.empty(0, dtype=np.int64)
    order = np.argsort(row_of_term, kind="stable")
    bounds = np.searchsorted(row_of_term[order], np.arange(n_rows + 1)).tolist()
    ordered_vars = [all_vars[i] for i in order.tolist()]
    ordered_coefficients = coefficient[order].tolist()
    right = np.asarray(rhs, dtype=float).tolist()
    names: list[str | None] = []
    problem = model.problem
    for i in range(n_rows):
        start, stop = bounds[i], bounds[i + 1]
        if start == stop:
            names.append(None)
            continue
        name = f"{family}_{i}"
        expression = pulp.LpAffineExpression(
            zip(ordered_vars[start:stop], ordered_coefficients[start:stop], strict=True)
        )
        problem.addConstraint(pulp.LpConstraint(expression, sense, name, right[i]))
        names.append(name)
    model.rows[family] = rows.assign(constraint=pd.Series(names, index=rows.index, dtype=object))


def _variables(
    model: Model, family: str, prefix: str, upper: pd.Series | np.ndarray, integer: bool
) -> None:
    category = pulp.LpInteger if integer else pulp.LpContinuous
    add = model.problem.add_variable
    model.variables[family] = [
        add(f"{prefix}_{i}", 0, bound, category)
        for i, bound in enumerate(np.asarray(upper, dtype=float).tolist())
    ]


def automatic_gap_unit_value(sets: Sets, scenario: Scenario) -> float:
    """A gap-unit value larger than the cost of closing any single unit by any one option.

    The most a single unit can cost is a whole run for one participant
    (fixed cost plus fee) or one hire, divided by the smallest retention and
    the smallest priority weight; the value is 1 % above that, rounded up to
    a multiple of 100, and at least 100.
    """
    run_cost = sets.runs["fixed_cost_per_run"] + sets.runs["cost_per_participant"]
    costs = [float(run_cost.max()) if len(run_cost) else 0.0]
    if len(sets.hires):
        costs.append(float(sets.hires["cost_per_hire"].max()))
    retention = (1.0 - scenario.attrition_rate) ** (len(scenario.years) - 1)
    lowest_weight = min(scenario.priority_weights.values())
    value = 1.01 * max(costs) / (retention * lowest_weight)
    return float(max(100.0, math.ceil(value / 100.0) * 100.0))


# --------------------------------------------------------------------------- families


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


def define_coverage(model: Model) -> None:
    r"""Every gap unit is closed by training, by a hire, or stays unmet.

    .. math::

        \sum_{(k,y)} \rho_{gy} z_{gky} + \sum_{y} \rho^h_{gy} v_{gy} + u_g = n_g
        \qquad \forall g \in G

    :math:`\rho_{gy} = (1-a)^{d_g - y}` is the share of people trained in
    ``y`` still employed at the deadline :math:`d_g` (attrition ``a``); for a
    hire it counts from the productive year. Options exist only for
    ``y <= d_g`` (training) and productive year ``<= d_g`` (hires), so
    skills needed by a year are trained or hired by then.
    """
    sets = model.sets
    training, options, gaps = sets.training, sets.hire_options, sets.gaps
    _add_rows(
        model,
        "coverage",
        gaps[[*GAP_KEY, "gap"]],
        [
            (
                "training",
                training["option"].to_numpy(),
                training["retention"].to_numpy(),
                training["gap"].to_numpy(),
            ),
            (
                "hire_options",
                options["option"].to_numpy(),
                options["retention"].to_numpy(),
                options["gap"].to_numpy(),
            ),
            ("unmet", gaps["gap"].to_numpy(), np.ones(len(gaps)), gaps["gap"].to_numpy()),
        ],
        EQ,
        gaps["units"].to_numpy(),
    )


def define_participant_links(model: Model) -> None:
    r"""People closing gaps on a course are participants of their company on it.

    .. math::

        \sum_{g \in G(c,s)} z_{gky} \le x_{cky}
        \qquad \forall (c,k,y) \in P,\; s \in S(k)

    One participant closes at most one unit of each skill the course
    teaches (a course teaching two skills serves two gaps of one person).
    """
    sets = model.sets
    training, links = sets.training, sets.links
    _add_rows(
        model,
        "participant_links",
        links,
        [
            (
                "training",
                training["option"].to_numpy(),
                np.ones(len(training)),
                training["link"].to_numpy(),
            ),
            (
                "participants",
                links["participant"].to_numpy(),
                -np.ones(len(links)),
                links["link"].to_numpy(),
            ),
        ],
        LE,
        np.zeros(len(links)),
    )


def define_run_capacity(model: Model) -> None:
    r"""Runs hold at most ``max_participants`` and open only with ``min_participants`` (pooled cohorts).

    .. math::

        m_k r_{ky} \le \sum_{c} x_{cky} \le M_k r_{ky} \qquad \forall (k,y) \in R

    Participants of every company eligible for the course share its runs;
    an online course pools companies of every region. ``r_{ky} <= R_k``
    (``max_runs_per_year``) is the variable's bound.
    """
    sets = model.sets
    participants, runs = sets.participants, sets.runs
    run_of = participants["run"].to_numpy()
    ones = np.ones(len(participants))
    seats_per_run = runs[["max_participants", "pool"]].min(axis=1).to_numpy(dtype=float)
    _add_rows(
        model,
        "run_seats",
        runs[["course_id", "year", "run"]],
        [
            ("participants", participants["participant"].to_numpy(), ones, run_of),
            ("runs", runs["run"].to_numpy(), -seats_per_run, runs["run"].to_numpy()),
        ],
        LE,
        np.zeros(len(runs)),
    )
    _add_rows(
        model,
        "run_minimum",
        runs[["course_id", "year", "run"]],
        [
            ("participants", participants["participant"].to_numpy(), ones, run_of),
            (
                "runs",
                runs["run"].to_numpy(),
                -runs["min_participants"].to_numpy(dtype=float),
                runs["run"].to_numpy(),
            ),
        ],
        GE,
        np.zeros(len(runs)),
    )


def define_cohort_cuts(model: Model) -> None:
    r"""Valid inequalities linking each company's participants to the runs of the course.

    .. math::

        x_{cky} \le \min(U_{cky}, M_k)\, r_{ky}
        \qquad \forall (c,k,y) \in P \text{ with } U_{cky} < M_k R_k

    Valid because a company sends at most :math:`U_{cky}` people and at
    most :math:`M_k` fit one run; they cut off LP solutions that open a
    fraction of a run for a small company (the aggregate seat row alone
    allows :math:`r = x / M_k`). Rows where the bound is not tighter than
    :math:`x \le U_{cky}` and the seat row are omitted.
    """
    sets = model.sets
    participants = sets.participants
    coefficient = participants[["upper", "max_participants"]].min(axis=1).to_numpy(dtype=float)
    run_upper = sets.runs["run_upper"].to_numpy()[participants["run"].to_numpy()]
    useful = (
        participants["upper"].to_numpy() < participants["max_participants"].to_numpy() * run_upper
    )
    useful &= coefficient > 0
    chosen = participants[useful].reset_index(drop=True)
    positions = np.arange(len(chosen))
    _add_rows(
        model,
        "cohort_cuts",
        chosen[["company_id", "course_id", "year", "participant"]],
        [
            ("participants", chosen["participant"].to_numpy(), np.ones(len(chosen)), positions),
            ("runs", chosen["run"].to_numpy(), -coefficient[useful], positions),
        ],
        LE,
        np.zeros(len(chosen)),
    )


def define_residual_capacity_cuts(model: Model) -> None:
    r"""Residual-capacity inequalities: the convex hull of a run slot's seats for whole runs.

    With :math:`a_{ky} = \min(\text{pool}_{ky}, M_k R_{ky})` people who could
    attend, :math:`q = \lceil a / M_k \rceil` runs to seat them all and the
    residual :math:`\rho = a - M_k (q-1)` people of the last run,

    .. math::

        \sum_c x_{cky} \le a_{ky} - \rho_{ky}\, (q_{ky} - r_{ky})
        \qquad \forall (k,y) \text{ with } q \ge 2,\ \rho < M_k

    is valid for whole runs (it holds with equality at :math:`r = q-1` and
    :math:`r = q`) and, with the seat row, describes the hull of
    :math:`\{(\sum_c x, r): \sum_c x \le \min(a, M_k r),\ r \in \mathbb{Z}_+\}`
    (Magnanti, Mirchandani and Vachani, 1993). Without it the LP pays
    a fraction of a run for the few people that overflow a full one.
    """
    sets = model.sets
    runs, participants = sets.runs, sets.participants
    seats = runs["max_participants"].to_numpy(dtype=float)
    reach = np.minimum(
        runs["pool"].to_numpy(dtype=float), seats * runs["run_upper"].to_numpy(dtype=float)
    )
    runs_needed = np.ceil(reach / seats - 1e-9)
    residual = reach - seats * (runs_needed - 1)
    useful = (runs_needed >= 2) & (residual < seats - 1e-9)
    chosen = runs[useful].reset_index(drop=True)
    row_of_run = np.full(len(runs), -1, dtype=np.int64)
    row_of_run[runs["run"].to_numpy()[useful]] = np.arange(len(chosen))
    member = row_of_run[participants["run"].to_numpy()]
    keep = member >= 0
    _add_rows(
        model,
        "residual_cuts",
        chosen[["course_id", "year", "run"]],
        [
            (
                "participants",
                participants["participant"].to_numpy()[keep],
                np.ones(int(keep.sum())),
                member[keep],
            ),
            ("runs", chosen["run"].to_numpy(), -residual[useful], np.arange(len(chosen))),
        ],
        LE,
        reach[useful] - residual[useful] * runs_needed[useful],
    )


def define_hire_links(model: Model) -> None:
    r"""People of gaps closed by hiring are hires of their company.

    .. math::

        \sum_{g \in G(c,s)} v_{gy} \le h_{csy} \qquad \forall (c,s,y) \in H

    A hire decided in year ``y`` is productive from
    :math:`y + \lfloor \text{lead\_time\_months} / 12 \rfloor`.
    """
    sets = model.sets
    options, hires = sets.hire_options, sets.hires
    _add_rows(
        model,
        "hire_links",
        hires[["company_id", "skill", "year", "hire"]],
        [
            (
                "hire_options",
                options["option"].to_numpy(),
                np.ones(len(options)),
                options["hire"].to_numpy(),
            ),
            ("hires", hires["hire"].to_numpy(), -np.ones(len(hires)), hires["hire"].to_numpy()),
        ],
        LE,
        np.zeros(len(hires)),
    )


def define_hire_supply(model: Model) -> None:
    r"""Hires of a skill in a region and year stay within the market's supply.

    .. math::

        \sum_{c \in C(r)} h_{csy} \le A_{sr} \qquad \forall (s,r,y)
    """
    sets = model.sets
    hires, markets = sets.hires, sets.markets
    _add_rows(
        model,
        "hire_supply",
        markets,
        [("hires", hires["hire"].to_numpy(), np.ones(len(hires)), hires["market"].to_numpy())],
        LE,
        markets["available"].to_numpy(dtype=float),
    )


def _training_cost_terms(
    sets: Sets, share: float
) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    participants, runs = sets.participants, sets.runs
    year_row = {year: i for i, year in enumerate(sets.years)}
    return [
        (
            "runs",
            runs["run"].to_numpy(),
            share * runs["fixed_cost_per_run"].to_numpy(dtype=float),
            runs["year"].map(year_row).to_numpy(),
        ),
        (
            "participants",
            participants["participant"].to_numpy(),
            share * participants["cost_per_participant"].to_numpy(dtype=float),
            participants["year"].map(year_row).to_numpy(),
        ),
    ]


def define_public_budget(model: Model) -> None:
    r"""The public share of training cost stays within each year's budget.

    .. math::

        \sigma \Big( \sum_{k} F_k r_{ky} + \sum_{c,k} f_k x_{cky} \Big) \le B_y \qquad \forall y

    :math:`\sigma` is the subsidy rate, :math:`F_k` the fixed cost of a run
    and :math:`f_k` the fee per participant. Years without a budget get no row.
    """
    scenario, sets = model.scenario, model.sets
    budgets = [scenario.budget(year) for year in sets.years]
    if all(budget is None for budget in budgets) or scenario.subsidy_rate == 0:
        model.rows["public_budget"] = pd.DataFrame({"year": [], "budget": [], "constraint": []})
        return
    limited = [i for i, budget in enumerate(budgets) if budget is not None]
    keep = {i: j for j, i in enumerate(limited)}
    terms = []
    for family, positions, coefficients, rows in _training_cost_terms(sets, scenario.subsidy_rate):
        mask = np.isin(rows, limited)
        mapped = np.array([keep[int(row)] for row in rows[mask]], dtype=np.int64)
        terms.append((family, positions[mask], coefficients[mask], mapped))
    frame = pd.DataFrame(
        {"year": [sets.years[i] for i in limited], "budget": [budgets[i] for i in limited]}
    )
    _add_rows(model, "public_budget", frame, terms, LE, frame["budget"].to_numpy(dtype=float))


def define_company_cost_cap(model: Model) -> None:
    r"""A company's share of training cost per year stays within the cap (when set).

    .. math::

        (1-\sigma) \sum_k \Big(f_k + \frac{F_k}{m_k}\Big) x_{cky} \le \text{Cap} \qquad \forall (c, y)

    A company's share of a run's fixed cost is pro rata to its participants;
    since a run has at least :math:`m_k` participants, :math:`F_k / m_k` per
    participant bounds that share from above, so the row is a safe
    (conservative) linear form of the pro-rata cap.
    """
    scenario, sets = model.scenario, model.sets
    participants = sets.participants
    if scenario.company_cost_cap is None or scenario.subsidy_rate >= 1 or len(participants) == 0:
        model.rows["company_cost_cap"] = pd.DataFrame(
            {"company_id": [], "year": [], "constraint": []}
        )
        return
    keys = (
        participants[["company_id", "year"]].drop_duplicates().sort_values(["company_id", "year"])
    )
    keys = keys.reset_index(drop=True)
    keys["row"] = np.arange(len(keys))
    row_of = participants.merge(keys, on=["company_id", "year"], how="left")["row"].to_numpy()
    per_participant = (1.0 - scenario.subsidy_rate) * (
        participants["cost_per_participant"]
        + participants["fixed_cost_per_run"] / participants["min_participants"]
    )
    _add_rows(
        model,
        "company_cost_cap",
        keys[["company_id", "year"]],
        [
            (
                "participants",
                participants["participant"].to_numpy(),
                per_participant.to_numpy(dtype=float),
                row_of,
            )
        ],
        LE,
        np.full(len(keys), float(scenario.company_cost_cap)),
    )


def company_place_limit(employees: pd.Series, share: float) -> pd.Series:
    """Most participant places per year: the share of employees, rounded down, at least one."""
    places = np.maximum(1.0, np.floor(employees.to_numpy(dtype=float) * share + 1e-9))
    return pd.Series(places.astype("int64"), index=employees.index)


def define_company_capacity(model: Model) -> None:
    r"""A company releases only part of its staff for training per year.

    .. math::

        \sum_k x_{cky} &\le \max(1, \lfloor \alpha E_c \rfloor) \qquad \forall (c, y)\\
        \sum_k \text{hours}_k\, x_{cky} &\le \beta E_c \qquad \forall (c, y)

    :math:`\alpha` is ``company_capacity_share`` and :math:`\beta`
    ``company_hours_per_employee``; each row exists only when its parameter
    is set. Places are counted per course, so one person on two courses
    takes two places.
    """
    scenario, sets = model.scenario, model.sets
    participants = sets.participants
    keys = (
        participants[["company_id", "year"]].drop_duplicates().sort_values(["company_id", "year"])
    )
    keys = keys.reset_index(drop=True)
    keys["employees"] = keys["company_id"].map(sets.companies["employees"]).astype("int64")
    keys["row"] = np.arange(len(keys))
    row_of = participants.merge(keys, on=["company_id", "year"], how="left")["row"].to_numpy()
    positions = participants["participant"].to_numpy()
    if scenario.company_capacity_share is not None:
        limit = company_place_limit(keys["employees"], scenario.company_capacity_share)
        _add_rows(
            model,
            "company_places",
            keys[["company_id", "year"]].assign(limit=limit),
            [("participants", positions, np.ones(len(positions)), row_of)],
            LE,
            limit.to_numpy(dtype=float),
        )
    else:
        model.rows["company_places"] = pd.DataFrame(
            {"company_id": [], "year": [], "constraint": []}
        )
    if scenario.company_hours_per_employee is not None:
        limit_hours = keys["employees"] * scenario.company_hours_per_employee
        _add_rows(
            model,
            "company_hours",
            keys[["company_id", "year"]].assign(limit=limit_hours),
            [("participants", positions, participants["hours"].to_numpy(dtype=float), row_of)],
            LE,
            limit_hours.to_numpy(dtype=float),
        )
    else:
        model.rows["company_hours"] = pd.DataFrame({"company_id": [], "year": [], "constraint": []})


def define_provider_capacity(model: Model) -> None:
    r"""A provider's runs fit its trainer hours per year (when given).

    .. math::

        \sum_{k \in K(p)} \text{hours}_k\, r_{ky} \le \Theta_p \qquad \forall (p, y)

    One run of a course takes its teaching hours of one trainer.
    """
    scenario, sets = model.scenario, model.sets
    runs = sets.runs
    capacity = runs["provider"].map(lambda provider: scenario.trainer_hours(str(provider)))
    limited = runs[capacity.notna()].assign(capacity=capacity[capacity.notna()].astype(float))
    keys = limited[["provider", "year", "capacity"]].drop_duplicates(["provider", "year"])
    keys = keys.sort_values(["provider", "year"]).reset_index(drop=True)
    keys["row"] = np.arange(len(keys))
    row_of = limited.merge(keys[["provider", "year", "row"]], on=["provider", "year"], how="left")[
        "row"
    ].to_numpy()
    _add_rows(
        model,
        "provider_hours",
        keys[["provider", "year", "capacity"]],
        [("runs", limited["run"].to_numpy(), limited["hours"].to_numpy(dtype=float), row_of)],
        LE,
        keys["capacity"].to_numpy(dtype=float),
    )


def define_coverage_target(model: Model) -> None:
    r"""In ``min_cost`` mode, close at least the target share of weighted gap units.

    .. math::

        \sum_g w_g u_g \le (1-\tau) \sum_g w_g n_g

    :math:`\tau` is ``coverage_target``. A target that no plan reaches makes
    the model infeasible (reported as INFEASIBLE: the input asks too much).
    """
    scenario, sets = model.scenario, model.sets
    if scenario.objective != "min_cost" or scenario.coverage_target is None:
        model.rows["coverage_target"] = pd.DataFrame({"target": [], "constraint": []})
        return
    gaps = sets.gaps
    total = float((gaps["weight"] * gaps["units"]).sum())
    allowed = (1.0 - scenario.coverage_target) * total
    _add_rows(
        model,
        "coverage_target",
        pd.DataFrame({"target": [scenario.coverage_target], "allowed_weighted_unmet": [allowed]}),
        [
            (
                "unmet",
                gaps["gap"].to_numpy(),
                gaps["weight"].to_numpy(dtype=float),
                np.zeros(len(gaps), dtype=np.int64),
            )
        ],
        LE,
        np.array([allowed]),
    )


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


FAMILIES = (
    define_coverage,
    define_participant_links,
    define_run_capacity,
    define_cohort_cuts,
    define_residual_capacity_cuts,
    define_hire_links,
    define_hire_supply,
    define_public_budget,
    define_company_cost_cap,
    define_company_capacity,
    define_provider_capacity,
    define_coverage_target,
)


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


def variable_values(model: Model, family: str) -> np.ndarray:
    """Values of a variable family after a solve (0 where the solver gave none)."""
    return np.array(
        [v.varValue if v.varValue is not None else 0.0 for v in model.variables[family]],
        dtype=float,
    )

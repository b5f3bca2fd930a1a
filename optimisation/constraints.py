"""Constraint families of the MILP, one ``define_*`` per family, each with its formula."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pulp

from optimisation.sets import GAP_KEY, Sets, company_place_limit

if TYPE_CHECKING:
    from optimisation.model import Model

LE = pulp.LpConstraintLE
GE = pulp.LpConstraintGE
EQ = pulp.LpConstraintEQ


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

"""Sparse index sets of the MILP from a Dataset: gap groups, training and hire options, slots and markets."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimisation.scenarios import Scenario
from skills.dataset import Dataset
from skills.rules import course_fit, hire_can_close, hire_lag_years, is_gap

#: Key of a gap group: demand rows with the same values are one group.
GAP_KEY = ["company_id", "skill", "current_level", "required_level", "deadline", "priority"]


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
    gap_rows = demand[
        is_gap(demand["required_level"], demand["current_level"], demand["headcount"])
    ]
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


def company_place_limit(employees: pd.Series, share: float) -> pd.Series:
    """Most participant places per year: the share of employees, rounded down, at least one."""
    places = np.maximum(1.0, np.floor(employees.to_numpy(dtype=float) * share + 1e-9))
    return pd.Series(places.astype("int64"), index=employees.index)


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

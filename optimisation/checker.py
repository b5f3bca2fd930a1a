"""Independent plan checker: recompute every rule of the model on a plan from the Dataset and Scenario (no PuLP, no model.py)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from optimisation.scenarios import Scenario
from skills.dataset import Dataset
from skills.regions import same_area

if TYPE_CHECKING:
    from optimisation.results import Plan

ABS_TOL = 1e-6
REL_TOL = 1e-7
KEY = ["company_id", "skill", "current_level", "required_level", "deadline", "priority"]

# ---- the checker's own copy of the domain rules -----------------------------------------------
# Written again from docs/model.md, on purpose, instead of imported from skills.rules: a wrong
# shared rule would otherwise pass its own check. tests/test_rules.py asserts both agree.

#: Level a hire brings (docs/model.md, "Hires").
HIRE_LEVEL = 3


def is_gap_answer(demand: pd.DataFrame) -> pd.Series:
    """A survey answer is a gap when someone needs the skill above the level they have."""
    return (demand["required_level"] > demand["current_level"]) & (demand["headcount"] > 0)


def course_serves(pairs: pd.DataFrame) -> np.ndarray:
    """A course serves a gap when it reaches the required level, starts at or below the current one,
    and is online or in the company's area."""
    reaches = (pairs["level"] >= pairs["required_level"]).to_numpy(dtype=bool)
    enters = (pairs["entry_level"] <= pairs["current_level"]).to_numpy(dtype=bool)
    online = (pairs["mode"] == "online").to_numpy(dtype=bool)
    served: np.ndarray = reaches & enters & (online | same_area(pairs["region"], pairs["course_region"]))
    return served


def productive_year(year: pd.Series, lead_time_months: pd.Series) -> pd.Series:
    """The first year a hire counts: the hiring year plus the whole years of the lead time."""
    return year + lead_time_months // 12


@dataclass(frozen=True)
class Violation:
    """One rule the plan breaks: which rule, where, by how much."""

    rule: str
    where: str
    message: str
    value: float = 0.0
    limit: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.rule} [{self.where}]: {self.message}"


def _tolerance(limit: Any) -> Any:
    """Absolute plus relative tolerance for a limit (a number, an array or a Series)."""
    return ABS_TOL + REL_TOL * np.abs(limit)


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {str(key): value for key, value in record.items()} for record in frame.to_dict("records")
    ]


def _where(row: dict[str, Any], columns: list[str]) -> str:
    return ", ".join(f"{column}={row[column]}" for column in columns)


def _over(
    frame: pd.DataFrame, value: str, limit: str, rule: str, columns: list[str], text: str
) -> list[Violation]:
    """Violations for rows where ``value`` exceeds ``limit`` beyond tolerance."""
    excess = frame[value].to_numpy(float) - frame[limit].to_numpy(float)
    bad = frame[excess > _tolerance(frame[limit].to_numpy(float))]
    return [
        Violation(
            rule,
            _where(row, columns),
            text.format(value=row[value], limit=row[limit]),
            float(row[value]),
            float(row[limit]),
        )
        for row in _rows(bad)
    ]


def expected_gaps(dataset: Dataset, scenario: Scenario) -> pd.DataFrame:
    """Gap groups as the documented rules define them (recomputed here, not taken from the model)."""
    first, last = scenario.years[0], scenario.years[-1]
    demand = dataset.flat("demand")
    demand = demand[is_gap_answer(demand)].copy()
    demand["deadline"] = demand["needed_by"].astype(int).clip(first, last)
    groups = demand["skill"].map(dataset.skills["group"]).astype(object)
    growth = groups.map(lambda group: scenario.demand_growth.get(str(group), 0.0)).astype(float)
    demand["units"] = demand["headcount"].astype(float) * (1.0 + growth) ** (
        demand["deadline"] - first
    )
    frame = pd.DataFrame(
        {
            "company_id": demand["company_id"].astype(str),
            "skill": demand["skill"].astype(str),
            "current_level": demand["current_level"].astype(int),
            "required_level": demand["required_level"].astype(int),
            "deadline": demand["deadline"].astype(int),
            "priority": demand["priority"].astype(str),
            "headcount": demand["headcount"].astype(int),
            "units": demand["units"],
        }
    )
    grouped = frame.groupby(KEY, as_index=False)[["headcount", "units"]].sum()
    grouped["weight"] = grouped["priority"].map(scenario.priority_weights).astype(float)
    return grouped


def _normalise_keys(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in ("company_id", "skill", "priority"):
        frame[column] = frame[column].astype(str)
    for column in ("current_level", "required_level", "deadline"):
        frame[column] = frame[column].astype(int)
    return frame


def check_plan(dataset: Dataset, scenario: Scenario, plan: Plan) -> list[Violation]:
    """Every violation of the model's rules by ``plan``; an empty list means the plan is valid.

    Checks the gap table against the demand, each closure's eligibility
    (course level and entry level, region, timing, hire level and lead
    time), coverage balance, participants versus closures, runs (cohort
    size, runs per year), hires versus closures and market supply, public
    budget, company cost cap, company capacity, provider trainer hours,
    coverage target and the cost table.
    """
    violations: list[Violation] = []
    years = list(scenario.years)
    courses = dataset.flat("courses").set_index("course_id")
    companies = dataset.flat("companies").set_index("company_id")

    gaps = _normalise_keys(plan.gaps)
    closures = _normalise_keys(plan.closures) if len(plan.closures) else plan.closures.copy()
    participants = plan.participants.copy()
    runs = plan.runs.copy()
    hires = plan.hires.copy()

    violations += _check_horizon(years, participants, runs, hires, closures)
    violations += _check_gap_table(dataset, scenario, gaps)
    violations += _check_closures(dataset, scenario, closures, companies, courses)
    violations += _check_coverage(gaps, closures)
    violations += _check_participants(dataset, scenario, participants, closures, companies, courses)
    violations += _check_runs(participants, runs, courses)
    violations += _check_hires(dataset, hires, closures, companies)
    violations += _check_money(scenario, participants, runs, courses)
    violations += _check_capacity(scenario, participants, runs, companies, courses)
    violations += _check_target(scenario, gaps)
    violations += _check_cost_table(
        dataset, scenario, plan, participants, runs, hires, courses, companies
    )
    return violations


def _check_horizon(
    years: list[int],
    participants: pd.DataFrame,
    runs: pd.DataFrame,
    hires: pd.DataFrame,
    closures: pd.DataFrame,
) -> list[Violation]:
    found: list[Violation] = []
    for name, frame in (
        ("participants", participants),
        ("runs", runs),
        ("hires", hires),
        ("closures", closures),
    ):
        outside = frame[~frame["year"].isin(years)] if len(frame) else frame
        for row in _rows(outside):
            found.append(
                Violation(
                    "horizon",
                    f"{name}, year={row['year']}",
                    f"a {name} row lies outside the horizon {years}",
                )
            )
    return found


def _check_gap_table(dataset: Dataset, scenario: Scenario, gaps: pd.DataFrame) -> list[Violation]:
    expected = expected_gaps(dataset, scenario)
    merged = expected.merge(
        gaps[[*KEY, "units", "closed_units", "unmet_units"]],
        on=KEY,
        how="outer",
        suffixes=("", "_plan"),
        indicator=True,
    )
    found: list[Violation] = []
    for row in _rows(merged[merged["_merge"] != "both"]):
        side = "missing from the plan" if row["_merge"] == "left_only" else "not in the demand"
        found.append(Violation("gap_table", _where(row, KEY), f"gap group {side}"))
    both = merged[merged["_merge"] == "both"]
    off = both[np.abs(both["units"] - both["units_plan"]) > _tolerance(both["units"])]
    for row in _rows(off):
        found.append(
            Violation(
                "gap_table",
                _where(row, KEY),
                f"plan counts {row['units_plan']:.4g} gap units, the demand {row['units']:.4g}",
                row["units_plan"],
                row["units"],
            )
        )
    negative = gaps[(gaps["unmet_units"] < -ABS_TOL) | (gaps["closed_units"] < -ABS_TOL)]
    for row in _rows(negative):
        found.append(Violation("gap_table", _where(row, KEY), "negative closed or unmet units"))
    return found


def _check_closures(
    dataset: Dataset,
    scenario: Scenario,
    closures: pd.DataFrame,
    companies: pd.DataFrame,
    courses: pd.DataFrame,
) -> list[Violation]:
    found: list[Violation] = []
    if len(closures) == 0:
        return found
    attrition = scenario.attrition_rate
    region = closures["company_id"].map(companies["region"])

    by_course = closures[closures["route"] == "course"].copy()
    if len(by_course):
        by_course["region"] = region[by_course.index]
        taught = dataset.course_skills.astype({"course_id": str, "skill": str})
        by_course = by_course.merge(taught, on=["course_id", "skill"], how="left")
        by_course["course_region"] = by_course["course_id"].map(courses["region"])
        by_course["mode"] = by_course["course_id"].map(courses["mode"])
        columns = ["company_id", "skill", "course_id", "year", "deadline"]
        checks = {
            "the course does not teach the skill": by_course["level"].isna(),
            "the course does not reach the required level": by_course["level"].fillna(99)
            < by_course["required_level"],
            "the course needs a higher entry level than the staff have": by_course[
                "entry_level"
            ].fillna(-1)
            > by_course["current_level"],
            "the course runs in another region and is not online": (by_course["mode"] != "online")
            & ~same_area(by_course["region"], by_course["course_region"]),
            "the course runs after the year the skill is needed": by_course["year"]
            > by_course["deadline"],
        }
        for message, failing in checks.items():
            for row in _rows(by_course[failing.fillna(True).to_numpy(bool)]):
                found.append(Violation("closure_eligibility", _where(row, columns), message))
        retention = (1.0 - attrition) ** (by_course["deadline"] - by_course["year"]).astype(float)
        found += _units_match(by_course, retention, columns)

    by_hire = closures[closures["route"] == "hire"].copy()
    if len(by_hire):
        by_hire["region"] = region[by_hire.index].to_numpy()
        supply = dataset.flat("supply")[
            ["skill", "region", "hires_available_per_year", "lead_time_months"]
        ].astype({"skill": str, "region": str})
        by_hire = by_hire.merge(supply, on=["skill", "region"], how="left")
        productive = productive_year(by_hire["year"], by_hire["lead_time_months"].fillna(10**6).astype(int))
        columns = ["company_id", "skill", "year", "deadline"]
        checks = {
            "no supply of hires for the skill in the company's region": by_hire[
                "hires_available_per_year"
            ].isna(),
            f"hires bring level {HIRE_LEVEL}, below the required level": by_hire["required_level"]
            > HIRE_LEVEL,
            "the hire is productive only after the year the skill is needed": productive
            > by_hire["deadline"],
        }
        for message, failing in checks.items():
            for row in _rows(by_hire[failing.to_numpy(bool)]):
                found.append(Violation("closure_eligibility", _where(row, columns), message))
        retention = (1.0 - attrition) ** (by_hire["deadline"] - productive).clip(lower=0).astype(
            float
        )
        found += _units_match(by_hire, retention, columns)
    return found


def _units_match(frame: pd.DataFrame, retention: pd.Series, columns: list[str]) -> list[Violation]:
    expected = frame["people"].to_numpy(float) * retention.to_numpy(float)
    bad = np.abs(frame["units"].to_numpy(float) - expected) > _tolerance(expected)
    return [
        Violation(
            "closure_units",
            _where(row, columns),
            f"{row['people']:.4g} people close {row['units']:.4g} units; attrition allows {value:.4g}",
        )
        for row, value in zip(_rows(frame[bad]), expected[bad], strict=True)
    ]


def _check_coverage(gaps: pd.DataFrame, closures: pd.DataFrame) -> list[Violation]:
    closed = (
        closures.groupby(KEY, as_index=False)[["units"]].sum()
        if len(closures)
        else pd.DataFrame(columns=[*KEY, "units"])
    )
    merged = gaps.merge(
        closed.rename(columns={"units": "closed_by_plan"}), on=KEY, how="left"
    ).fillna({"closed_by_plan": 0.0})
    merged["balance"] = merged["closed_by_plan"] + merged["unmet_units"]
    found = _over(
        merged,
        "closed_by_plan",
        "units",
        "coverage",
        KEY,
        "closes {value:.4g} units of a gap of {limit:.4g}",
    )
    short = merged[np.abs(merged["balance"] - merged["units"]) > _tolerance(merged["units"])]
    for row in _rows(short):
        found.append(
            Violation(
                "coverage",
                _where(row, KEY),
                f"closed {row['closed_by_plan']:.4g} + unmet {row['unmet_units']:.4g} != gap units {row['units']:.4g}",
            )
        )
    table_closed = np.abs(merged["closed_units"] - merged["closed_by_plan"]) > _tolerance(
        merged["units"]
    )
    for row in _rows(merged[table_closed]):
        found.append(
            Violation(
                "coverage",
                _where(row, KEY),
                f"gap table says {row['closed_units']:.4g} closed, closures sum to {row['closed_by_plan']:.4g}",
            )
        )
    return found


def _eligible_people(
    dataset: Dataset, scenario: Scenario, companies: pd.DataFrame, courses: pd.DataFrame
) -> pd.DataFrame:
    """Most people per (company, course, year, skill) whose gaps the course can close (documented rule)."""
    gaps = expected_gaps(dataset, scenario)
    gaps["region"] = gaps["company_id"].map(companies["region"])
    taught = dataset.flat("course_skills").astype({"course_id": str, "skill": str})
    pairs = gaps.merge(taught, on="skill")
    pairs["course_region"] = pairs["course_id"].map(courses["region"])
    pairs["mode"] = pairs["course_id"].map(courses["mode"])
    pairs = pairs[pd.Series(course_serves(pairs), index=pairs.index)]
    rows = []
    for year in scenario.years:
        usable = pairs[pairs["deadline"] >= year]
        people = usable["units"] / (1.0 - scenario.attrition_rate) ** (usable["deadline"] - year)
        rows.append(
            usable[["company_id", "course_id", "skill"]].assign(year=year, people=people.to_numpy())
        )
    if not rows:
        return pd.DataFrame(columns=["company_id", "course_id", "year", "people"])
    every = pd.concat(rows, ignore_index=True)
    per_skill = every.groupby(["company_id", "course_id", "year", "skill"], as_index=False)[
        ["people"]
    ].sum()
    return per_skill.groupby(["company_id", "course_id", "year"], as_index=False)[["people"]].max()


def _check_participants(
    dataset: Dataset,
    scenario: Scenario,
    participants: pd.DataFrame,
    closures: pd.DataFrame,
    companies: pd.DataFrame,
    courses: pd.DataFrame,
) -> list[Violation]:
    found: list[Violation] = []
    columns = ["company_id", "course_id", "year"]
    eligible = _eligible_people(dataset, scenario, companies, courses)
    merged = participants.merge(eligible, on=columns, how="left")
    for row in _rows(merged[merged["people"].isna()]):
        found.append(
            Violation(
                "participant_pairs",
                _where(row, columns),
                "participants on a course that closes none of the company's gaps",
            )
        )
    with_pool = merged[merged["people"].notna()].assign(limit=lambda f: np.ceil(f["people"] - 1e-9))
    found += _over(
        with_pool,
        "participants",
        "limit",
        "participant_pairs",
        columns,
        "{value} participants but only {limit} people have gaps the course closes",
    )

    trained = closures[closures["route"] == "course"] if len(closures) else closures
    if len(trained):
        per_skill = trained.groupby([*columns, "skill"], as_index=False)[["people"]].sum()
        per_skill = per_skill.merge(
            participants[[*columns, "participants"]], on=columns, how="left"
        ).fillna({"participants": 0})
        found += _over(
            per_skill,
            "people",
            "participants",
            "participant_links",
            [*columns, "skill"],
            "{value:.4g} people close gaps but only {limit} participants attend",
        )
    return found


def _check_runs(
    participants: pd.DataFrame, runs: pd.DataFrame, courses: pd.DataFrame
) -> list[Violation]:
    found: list[Violation] = []
    columns = ["course_id", "year"]
    attending = participants.groupby(columns, as_index=False)[["participants"]].sum()
    merged = attending.merge(runs[[*columns, "runs"]], on=columns, how="outer").fillna(
        {"participants": 0, "runs": 0}
    )
    merged["min_participants"] = merged["course_id"].map(courses["min_participants"]).astype(float)
    merged["max_participants"] = merged["course_id"].map(courses["max_participants"]).astype(float)
    merged["max_runs_per_year"] = (
        merged["course_id"].map(courses["max_runs_per_year"]).astype(float)
    )
    merged["seats"] = merged["runs"] * merged["max_participants"]
    merged["cohort_minimum"] = merged["runs"] * merged["min_participants"]
    found += _over(
        merged,
        "participants",
        "seats",
        "run_seats",
        columns,
        "{value} participants in runs with {limit} seats",
    )
    found += _over(
        merged,
        "cohort_minimum",
        "participants",
        "run_minimum",
        columns,
        "runs need {value} participants, only {limit} attend",
    )
    found += _over(
        merged,
        "runs",
        "max_runs_per_year",
        "runs_per_year",
        columns,
        "{value} runs, at most {limit} a year",
    )
    for row in _rows(merged[merged["runs"] != np.round(merged["runs"])]):
        found.append(Violation("runs_whole", _where(row, columns), "runs must be whole"))
    return found


def _check_hires(
    dataset: Dataset, hires: pd.DataFrame, closures: pd.DataFrame, companies: pd.DataFrame
) -> list[Violation]:
    found: list[Violation] = []
    hired = closures[closures["route"] == "hire"] if len(closures) else closures
    columns = ["company_id", "skill", "year"]
    if len(hired):
        per_slot = hired.groupby(columns, as_index=False)[["people"]].sum()
        per_slot = per_slot.merge(hires[[*columns, "hires"]], on=columns, how="left").fillna(
            {"hires": 0}
        )
        found += _over(
            per_slot,
            "people",
            "hires",
            "hire_links",
            columns,
            "{value:.4g} people hired but only {limit} hires made",
        )
    if len(hires):
        hires = hires.assign(region=hires["company_id"].map(companies["region"]))
        market = hires.groupby(["skill", "region", "year"], as_index=False)[["hires"]].sum()
        supply = dataset.flat("supply")[["skill", "region", "hires_available_per_year"]].astype(
            {"skill": str, "region": str}
        )
        market = market.merge(supply, on=["skill", "region"], how="left").fillna(
            {"hires_available_per_year": 0}
        )
        market["hires_available_per_year"] = market["hires_available_per_year"].astype(float)
        found += _over(
            market,
            "hires",
            "hires_available_per_year",
            "hire_supply",
            ["skill", "region", "year"],
            "{value} hires, the market supplies {limit} a year",
        )
    return found


def _training_costs(
    participants: pd.DataFrame, runs: pd.DataFrame, courses: pd.DataFrame
) -> pd.DataFrame:
    fees = participants.assign(
        cost=participants["participants"]
        * participants["course_id"].map(courses["cost_per_participant"]).astype(float)
    )
    fixed = runs.assign(
        cost=runs["runs"] * runs["course_id"].map(courses["fixed_cost_per_run"]).astype(float)
    )
    return pd.concat(
        [
            fees.groupby("year")["cost"].sum().rename("fees"),
            fixed.groupby("year")["cost"].sum().rename("fixed"),
        ],
        axis=1,
    ).fillna(0.0)


def _check_money(
    scenario: Scenario, participants: pd.DataFrame, runs: pd.DataFrame, courses: pd.DataFrame
) -> list[Violation]:
    found: list[Violation] = []
    costs = _training_costs(participants, runs, courses)
    spent: dict[Any, Any] = (costs["fees"] + costs["fixed"]).to_dict()
    for year in scenario.years:
        budget = scenario.budget(year)
        if budget is None or year not in spent:
            continue
        public = scenario.subsidy_rate * float(spent[year])
        if public > budget + float(_tolerance(budget)) + 1e-6:
            found.append(
                Violation(
                    "public_budget",
                    f"year={year}",
                    f"public share {public:,.2f} exceeds the budget {budget:,.2f}",
                    public,
                    budget,
                )
            )
    if scenario.company_cost_cap is not None and len(participants):
        fees = participants["participants"] * participants["course_id"].map(
            courses["cost_per_participant"]
        ).astype(float)
        run_fixed = runs.assign(
            fixed=runs["runs"] * runs["course_id"].map(courses["fixed_cost_per_run"]).astype(float)
        )
        totals = (
            participants.groupby(["course_id", "year"])["participants"].sum().rename("attending")
        )
        run_fixed = run_fixed.merge(
            totals, left_on=["course_id", "year"], right_index=True, how="left"
        )
        share = participants.merge(
            run_fixed[["course_id", "year", "fixed", "attending"]],
            on=["course_id", "year"],
            how="left",
        )
        pro_rata = (
            share["fixed"].fillna(0.0)
            * share["participants"]
            / share["attending"].where(share["attending"] > 0, 1)
        )
        paid = participants[["company_id", "year"]].assign(
            paid=(1.0 - scenario.subsidy_rate) * (fees.to_numpy() + pro_rata.to_numpy())
        )
        per_company = (
            paid.groupby(["company_id", "year"], as_index=False)[["paid"]]
            .sum()
            .assign(cap=float(scenario.company_cost_cap))
        )
        found += _over(
            per_company,
            "paid",
            "cap",
            "company_cost_cap",
            ["company_id", "year"],
            "company pays {value:,.2f}, the cap is {limit:,.2f}",
        )
    return found


def _check_capacity(
    scenario: Scenario,
    participants: pd.DataFrame,
    runs: pd.DataFrame,
    companies: pd.DataFrame,
    courses: pd.DataFrame,
) -> list[Violation]:
    found: list[Violation] = []
    if len(participants):
        places = participants.groupby(["company_id", "year"], as_index=False)[
            ["participants"]
        ].sum()
        employees = places["company_id"].map(companies["employees"]).astype(float)
        if scenario.company_capacity_share is not None:
            places["limit"] = np.maximum(
                1.0, np.floor(employees * scenario.company_capacity_share + 1e-9)
            )
            found += _over(
                places,
                "participants",
                "limit",
                "company_places",
                ["company_id", "year"],
                "{value} participants, the company can release {limit}",
            )
        if scenario.company_hours_per_employee is not None:
            hours = participants.assign(
                hours=participants["participants"]
                * participants["course_id"].map(courses["hours"]).astype(float)
            )
            per_company = hours.groupby(["company_id", "year"], as_index=False)[["hours"]].sum()
            per_company["limit"] = (
                per_company["company_id"].map(companies["employees"]).astype(float)
                * scenario.company_hours_per_employee
            )
            found += _over(
                per_company,
                "hours",
                "limit",
                "company_hours",
                ["company_id", "year"],
                "{value:,.1f} course hours, the company can release {limit:,.1f}",
            )
    if len(runs):
        teaching = runs.assign(
            provider=runs["course_id"].map(courses["provider"]).astype(str),
            hours=runs["runs"] * runs["course_id"].map(courses["hours"]).astype(float),
        )
        per_provider = teaching.groupby(["provider", "year"], as_index=False)[["hours"]].sum()
        per_provider["limit"] = per_provider["provider"].map(
            lambda p: scenario.trainer_hours(str(p))
        )
        limited = per_provider[per_provider["limit"].notna()].astype({"limit": float})
        found += _over(
            limited,
            "hours",
            "limit",
            "provider_hours",
            ["provider", "year"],
            "{value:,.1f} trainer hours, the provider has {limit:,.1f}",
        )
    return found


def _check_target(scenario: Scenario, gaps: pd.DataFrame) -> list[Violation]:
    if scenario.objective != "min_cost" or scenario.coverage_target is None:
        return []
    weight = gaps["priority"].map(scenario.priority_weights).astype(float)
    total = float((weight * gaps["units"]).sum())
    closed = float((weight * gaps["closed_units"]).sum())
    needed = scenario.coverage_target * total
    if closed + float(_tolerance(needed)) < needed:
        return [
            Violation(
                "coverage_target",
                "plan",
                f"closes {closed:,.2f} weighted units, the target is {needed:,.2f}",
                closed,
                needed,
            )
        ]
    return []


def _check_cost_table(
    dataset: Dataset,
    scenario: Scenario,
    plan: Plan,
    participants: pd.DataFrame,
    runs: pd.DataFrame,
    hires: pd.DataFrame,
    courses: pd.DataFrame,
    companies: pd.DataFrame,
) -> list[Violation]:
    found: list[Violation] = []
    training = _training_costs(participants, runs, courses)
    hire_cost = pd.Series(dtype=float)
    if len(hires):
        supply = (
            dataset.flat("supply")
            .astype({"skill": str, "region": str})
            .set_index(["skill", "region"])["cost_per_hire"]
        )
        keys = pd.MultiIndex.from_arrays(
            [hires["skill"].astype(str), hires["company_id"].map(companies["region"]).astype(str)]
        )
        price = supply.reindex(keys).astype(float).fillna(0.0).to_numpy()
        hire_cost = (
            hires.assign(cost=hires["hires"].to_numpy(float) * price).groupby("year")["cost"].sum()
        )
    costs = plan.costs
    for year in scenario.years:
        fixed = float(training["fixed"].get(year, 0.0))
        fees = float(training["fees"].get(year, 0.0))
        expected = {
            ("public", "run_fixed_costs"): scenario.subsidy_rate * fixed,
            ("company", "run_fixed_costs"): (1 - scenario.subsidy_rate) * fixed,
            ("public", "participant_fees"): scenario.subsidy_rate * fees,
            ("company", "participant_fees"): (1 - scenario.subsidy_rate) * fees,
            ("company", "hires"): float(hire_cost.get(year, 0.0)),
        }
        for (payer, item), amount in expected.items():
            rows = costs[
                (costs["year"] == year) & (costs["payer"] == payer) & (costs["item"] == item)
            ]
            stated = float(rows["amount"].sum())
            if abs(stated - amount) > float(_tolerance(amount)) + 1e-6:
                found.append(
                    Violation(
                        "cost_table",
                        f"year={year}, payer={payer}, item={item}",
                        f"cost table says {stated:,.2f}, recomputed {amount:,.2f}",
                        stated,
                        amount,
                    )
                )
    return found

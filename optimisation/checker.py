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

    Each rule first runs as a vectorised numpy *screen* (:class:`_Screen`)
    that is conservative: it trips at half the rule's tolerance, and on
    anything it cannot decide (a missing key, a duplicate key, a table not as
    :func:`optimisation.results.extract_plan` makes it). Only a rule whose
    screen trips runs its reporting function (the ``_check_*`` functions,
    pandas), which decides and words the violations, so a plan's violations
    are exactly those of the reporting functions alone; a valid plan costs
    only the screens.
    """
    violations: list[Violation] = []
    years = list(scenario.years)
    inputs = _Inputs(dataset, scenario, plan)
    screen = _Screen.of(dataset, scenario, plan)

    def trips(rule: str) -> bool:
        if screen is None:
            return True
        try:
            return bool(getattr(screen, rule)())
        except _UNDECIDED:
            return True

    if trips("horizon"):
        violations += _check_horizon(
            years, inputs.participants, inputs.runs, inputs.hires, inputs.closures
        )
    if trips("gap_table"):
        violations += _check_gap_table(dataset, scenario, inputs.gaps)
    if trips("closures"):
        violations += _check_closures(
            dataset, scenario, inputs.closures, inputs.companies, inputs.courses
        )
    if trips("coverage"):
        violations += _check_coverage(inputs.gaps, inputs.closures)
    if trips("participants"):
        violations += _check_participants(
            dataset, scenario, inputs.participants, inputs.closures, inputs.companies, inputs.courses
        )
    if trips("runs"):
        violations += _check_runs(inputs.participants, inputs.runs, inputs.courses)
    if trips("hires"):
        violations += _check_hires(dataset, inputs.hires, inputs.closures, inputs.companies)
    if trips("money"):
        violations += _check_money(scenario, inputs.participants, inputs.runs, inputs.courses)
    if trips("capacity"):
        violations += _check_capacity(
            scenario, inputs.participants, inputs.runs, inputs.companies, inputs.courses
        )
    if scenario.objective == "min_cost" and scenario.coverage_target is not None:
        violations += _check_target(scenario, inputs.gaps)
    if trips("cost_table"):
        violations += _check_cost_table(
            dataset,
            scenario,
            plan,
            inputs.participants,
            inputs.runs,
            inputs.hires,
            inputs.courses,
            inputs.companies,
        )
    return violations


class _Inputs:
    """The reporting functions' inputs, each made on first use (a valid plan needs none of them)."""

    def __init__(self, dataset: Dataset, scenario: Scenario, plan: Plan) -> None:
        self._dataset, self._plan = dataset, plan
        self._made: dict[str, pd.DataFrame] = {}

    def _get(self, name: str) -> pd.DataFrame:
        if name not in self._made:
            plan = self._plan
            made: Any = {
                "courses": lambda: self._dataset.flat("courses").set_index("course_id"),
                "companies": lambda: self._dataset.flat("companies").set_index("company_id"),
                "gaps": lambda: _normalise_keys(plan.gaps),
                "closures": lambda: (
                    _normalise_keys(plan.closures) if len(plan.closures) else plan.closures.copy()
                ),
                "participants": lambda: plan.participants.copy(),
                "runs": lambda: plan.runs.copy(),
                "hires": lambda: plan.hires.copy(),
            }[name]
            self._made[name] = made()
        return self._made[name]

    courses = property(lambda self: self._get("courses"))
    companies = property(lambda self: self._get("companies"))
    gaps = property(lambda self: self._get("gaps"))
    closures = property(lambda self: self._get("closures"))
    participants = property(lambda self: self._get("participants"))
    runs = property(lambda self: self._get("runs"))
    hires = property(lambda self: self._get("hires"))


class _Unsure(Exception):
    """A screen cannot decide; the rule's reporting function does."""


#: What a screen may raise on a table it was not written for (then the reporting function decides).
_UNDECIDED = (_Unsure, ValueError, TypeError, IndexError, KeyError)


def _text(frame: pd.DataFrame, column: str, missing_ok: bool = False) -> np.ndarray:
    series = frame[column]
    if not isinstance(series.dtype, pd.StringDtype):
        raise _Unsure(column)
    values = series.to_numpy(object)
    if not missing_ok and len(values) and pd.isna(values).any():
        raise _Unsure(column)
    return values


def _whole(frame: pd.DataFrame, column: str) -> np.ndarray:
    series = frame[column]
    if series.dtype.kind not in "iu":
        raise _Unsure(column)
    return series.to_numpy(np.int64)


def _number(frame: pd.DataFrame, column: str) -> np.ndarray:
    series = frame[column]
    if series.dtype.kind not in "iuf":
        raise _Unsure(column)
    values = series.to_numpy(float)
    if np.isnan(values).any():
        raise _Unsure(column)
    return values


def _dataset_number(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(float, na_value=np.nan)


def _codes(*tables: list[np.ndarray]) -> list[np.ndarray]:
    """One int64 code per row of each table, equal where the rows' key columns are equal."""
    sizes = [len(columns[0]) for columns in tables]
    code = np.zeros(sum(sizes), dtype=np.int64)
    for position in range(len(tables[0])):
        joined = np.concatenate([columns[position] for columns in tables])
        labels, uniques = pd.factorize(joined)
        if len(labels) and labels.min() < 0:
            raise _Unsure("missing key")
        code = code * (len(uniques) + 1) + labels
    return np.split(code, np.cumsum(sizes)[:-1])


def _find(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Row of ``keys`` holding each of ``wanted`` (-1 where none); unsure when ``keys`` repeats."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    if len(ordered) > 1 and bool((ordered[1:] == ordered[:-1]).any()):
        raise _Unsure("duplicate key")
    if not len(ordered):
        return np.full(len(wanted), -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(ordered, wanted), len(ordered) - 1)
    return np.where(ordered[at] == wanted, order[at], -1)


def _sums(codes: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique codes and ``values`` summed per code."""
    unique, inverse = np.unique(codes, return_inverse=True)
    return unique, np.bincount(inverse.reshape(-1), weights=values, minlength=len(unique))


def _over_half(value: np.ndarray, limit: np.ndarray) -> bool:
    """Any ``value`` above ``limit`` by half the tolerance (or any NaN): the screens' trip wire."""
    value, limit = np.asarray(value, float), np.asarray(limit, float)
    if np.isnan(value).any() or np.isnan(limit).any():
        return True
    return bool((value - limit > 0.5 * _tolerance(limit)).any())


def _near_half(value: np.ndarray, limit: np.ndarray) -> bool:
    """Any ``value`` away from ``limit`` by half the tolerance (or any NaN)."""
    return _over_half(value, limit) or _over_half(limit, value)


def _same_area(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """:func:`skills.regions.same_area` on arrays of text (one code a prefix of the other, neither empty)."""
    return np.array(
        [
            bool(a) and bool(b) and (a.startswith(b) or b.startswith(a))
            for a, b in zip(left.tolist(), right.tolist(), strict=True)
        ],
        dtype=bool,
    )


class _Screen:
    """The plan, dataset and scenario as numpy arrays, and one conservative screen per rule."""

    @classmethod
    def of(cls, dataset: Dataset, scenario: Scenario, plan: Plan) -> _Screen | None:
        try:
            return cls(dataset, scenario, plan)
        except _UNDECIDED:
            return None

    def __init__(self, dataset: Dataset, scenario: Scenario, plan: Plan) -> None:
        self.scenario = scenario
        self.years = np.array(list(scenario.years), dtype=np.int64)
        participants, runs, hires = plan.participants, plan.runs, plan.hires
        closures, gaps, costs = plan.closures, plan.gaps, plan.costs
        self.p_company = _text(participants, "company_id")
        self.p_course = _text(participants, "course_id")
        self.p_year = _whole(participants, "year")
        self.p_n = _whole(participants, "participants").astype(float)
        self.r_course = _text(runs, "course_id")
        self.r_year = _whole(runs, "year")
        self.r_n = _whole(runs, "runs").astype(float)
        self.h_company = _text(hires, "company_id")
        self.h_skill = _text(hires, "skill")
        self.h_year = _whole(hires, "year")
        self.h_n = _whole(hires, "hires").astype(float)
        self.c_key = [
            _text(closures, key) if key in ("company_id", "skill", "priority") else _whole(closures, key)
            for key in KEY
        ]
        self.c_route = _text(closures, "route")
        self.c_course = _text(closures, "course_id", missing_ok=True)
        self.c_year = _whole(closures, "year")
        self.c_people = _number(closures, "people")
        self.c_units = _number(closures, "units")
        self.g_key = [
            _text(gaps, key) if key in ("company_id", "skill", "priority") else _whole(gaps, key)
            for key in KEY
        ]
        self.g_units = _number(gaps, "units")
        self.g_closed = _number(gaps, "closed_units")
        self.g_unmet = _number(gaps, "unmet_units")
        self.co_year = _whole(costs, "year")
        self.co_payer = _text(costs, "payer")
        self.co_item = _text(costs, "item")
        self.co_amount = _number(costs, "amount")

        courses = dataset.courses
        self.k_id = np.asarray(courses.index.to_numpy(object))
        self.k_region = courses["region"].to_numpy(object, na_value="")
        self.k_mode = courses["mode"].to_numpy(object, na_value="")
        self.k_provider = courses["provider"].to_numpy(object, na_value="")
        self.k = {
            column: _dataset_number(courses, column)
            for column in (
                "hours",
                "cost_per_participant",
                "fixed_cost_per_run",
                "min_participants",
                "max_participants",
                "max_runs_per_year",
            )
        }
        companies = dataset.companies
        self.m_id = np.asarray(companies.index.to_numpy(object))
        self.m_region = companies["region"].to_numpy(object, na_value="")
        self.m_employees = _dataset_number(companies, "employees")
        taught = dataset.course_skills
        self.t_course = taught["course_id"].to_numpy(object)
        self.t_skill = taught["skill"].to_numpy(object)
        self.t_level = _dataset_number(taught, "level")
        self.t_entry = _dataset_number(taught, "entry_level")
        supply = dataset.supply
        self.s_skill = supply["skill"].to_numpy(object)
        self.s_region = supply["region"].to_numpy(object)
        self.s_available = _dataset_number(supply, "hires_available_per_year")
        self.s_lead = _dataset_number(supply, "lead_time_months")
        self.s_price = _dataset_number(supply, "cost_per_hire")
        self._dataset = dataset
        self._cache: dict[str, Any] = {}

    # ---- shared lookups, each made once -------------------------------------------------------

    def _once(self, name: str, make: Any) -> Any:
        if name not in self._cache:
            self._cache[name] = make()
        return self._cache[name]

    def course_of(self, course: np.ndarray) -> np.ndarray:
        """Row of each course id in the courses table; unsure when a course is unknown."""
        k_code, code = _codes([self.k_id], [course])
        at = _find(k_code, code)
        if (at < 0).any():
            raise _Unsure("unknown course")
        return at

    def region_of(self, company: np.ndarray) -> np.ndarray:
        m_code, code = _codes([self.m_id], [company])
        at = _find(m_code, code)
        if (at < 0).any():
            raise _Unsure("unknown company")
        region: np.ndarray = self.m_region[at]
        return region

    def expected(self) -> dict[str, Any]:
        """The expected gap groups (as :func:`expected_gaps`), keyed like the plan's gaps and closures."""
        expected: dict[str, Any] = self._once("expected", self._expected)
        return expected

    def _expected(self) -> dict[str, Any]:
        scenario = self.scenario
        demand = self._dataset.demand
        first, last = int(self.years[0]), int(self.years[-1])
        headcount = _dataset_number(demand, "headcount")
        current = _dataset_number(demand, "current_level")
        required = _dataset_number(demand, "required_level")
        needed = _dataset_number(demand, "needed_by")
        if np.isnan(headcount).any() or np.isnan(current).any() or np.isnan(required).any():
            raise _Unsure("missing demand")
        gap = (required > current) & (headcount > 0)
        if np.isnan(needed[gap]).any():
            raise _Unsure("missing deadline")
        deadline = np.clip(needed[gap].astype(np.int64), first, last)
        skill = demand["skill"].to_numpy(object)[gap]
        group = pd.Series(skill).map(self._dataset.skills["group"]).to_numpy(object)
        growth = np.array(
            [scenario.demand_growth.get(str(value), 0.0) for value in group.tolist()], dtype=float
        )
        units = headcount[gap] * (1.0 + growth) ** (deadline - first)
        key = [
            demand["company_id"].to_numpy(object)[gap],
            skill,
            current[gap].astype(np.int64),
            required[gap].astype(np.int64),
            deadline,
            demand["priority"].to_numpy(object)[gap],
        ]
        for column in (key[0], key[1], key[5]):
            if pd.isna(column).any():
                raise _Unsure("missing demand key")
        e_code, g_code, c_code = _codes(key, self.g_key, self.c_key)
        unique, inverse = np.unique(e_code, return_inverse=True)
        inverse = inverse.reshape(-1)
        first_row = np.full(len(unique), len(e_code), dtype=np.int64)
        np.minimum.at(first_row, inverse, np.arange(len(e_code)))
        return {
            "code": unique,
            "units": np.bincount(inverse, weights=units, minlength=len(unique)),
            "company": key[0][first_row],
            "skill": key[1][first_row],
            "current": key[2][first_row],
            "required": key[3][first_row],
            "deadline": key[4][first_row],
            "g_code": g_code,
            "c_code": c_code,
        }

    def run_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Codes of the plan's (course, year) for participants and runs; unsure if runs repeat one."""
        def make() -> tuple[np.ndarray, np.ndarray]:
            p_code, r_code = _codes([self.p_course, self.p_year], [self.r_course, self.r_year])
            _find(r_code, r_code[:0])  # unsure on a repeated run row
            return p_code, r_code

        result: tuple[np.ndarray, np.ndarray] = self._once("run_rows", make)
        return result

    # ---- the screens: True when the rule's reporting function must run ----------------------

    def horizon(self) -> bool:
        return any(
            not np.isin(year, self.years).all()
            for year in (self.p_year, self.r_year, self.h_year, self.c_year)
        )

    def gap_table(self) -> bool:
        expected = self.expected()
        g_code = expected["g_code"]
        if len(g_code) != len(expected["code"]):
            return True
        at = _find(g_code, expected["code"])
        if (at < 0).any():
            return True
        if _near_half(self.g_units[at], expected["units"]):
            return True
        return bool((self.g_unmet < -0.5 * ABS_TOL).any() or (self.g_closed < -0.5 * ABS_TOL).any())

    def closures(self) -> bool:
        if not len(self.c_route):
            return False
        attrition = self.scenario.attrition_rate
        company, skill, current, required, deadline, _ = self.c_key
        region = self.region_of(company)
        course_rows = np.flatnonzero(self.c_route == "course")
        if len(course_rows):
            course = self.c_course[course_rows]
            if pd.isna(course).any():
                return True
            t_code, code = _codes([self.t_course, self.t_skill], [course, skill[course_rows]])
            taught = _find(t_code, code)
            if (taught < 0).any():
                return True
            if (self.t_level[taught] < required[course_rows]).any():
                return True
            if (self.t_entry[taught] > current[course_rows]).any():
                return True
            at = self.course_of(course)
            away = self.k_mode[at] != "online"
            if away.any() and not _same_area(region[course_rows][away], self.k_region[at][away]).all():
                return True
            year = self.c_year[course_rows]
            if (year > deadline[course_rows]).any():
                return True
            retention = (1.0 - attrition) ** (deadline[course_rows] - year).astype(float)
            if _near_half(self.c_units[course_rows], self.c_people[course_rows] * retention):
                return True
        hire_rows = np.flatnonzero(self.c_route == "hire")
        if len(hire_rows):
            s_code, code = _codes([self.s_skill, self.s_region], [skill[hire_rows], region[hire_rows]])
            offer = _find(s_code, code)
            if (offer < 0).any() or np.isnan(self.s_available[offer]).any():
                return True
            if (required[hire_rows] > HIRE_LEVEL).any():
                return True
            lead = self.s_lead[offer]
            if np.isnan(lead).any():
                return True
            productive = self.c_year[hire_rows] + lead.astype(np.int64) // 12
            if (productive > deadline[hire_rows]).any():
                return True
            retention = (1.0 - attrition) ** np.maximum(deadline[hire_rows] - productive, 0).astype(
                float
            )
            if _near_half(self.c_units[hire_rows], self.c_people[hire_rows] * retention):
                return True
        return False

    def coverage(self) -> bool:
        expected = self.expected()
        g_code, c_code = expected["g_code"], expected["c_code"]
        at = _find(g_code, c_code)  # unsure when the gap table repeats a group
        closed = np.bincount(at[at >= 0], weights=self.c_units[at >= 0], minlength=len(g_code))
        units = self.g_units
        if _over_half(closed, units):
            return True
        if _near_half(closed + self.g_unmet, units):
            return True
        # |closed_units - closed| against the tolerance of the gap's units
        return bool(
            (np.abs(self.g_closed - closed) > 0.5 * _tolerance(units)).any()
        )

    def participants(self) -> bool:
        scenario = self.scenario
        expected = self.expected()
        # pairs (expected gap, course teaching its skill) the course serves
        t_code, e_code = _codes([self.t_skill], [expected["skill"]])
        order = np.argsort(t_code, kind="stable")
        ordered = t_code[order]
        begin = np.searchsorted(ordered, e_code, side="left")
        count = np.searchsorted(ordered, e_code, side="right") - begin
        gap = np.repeat(np.arange(len(e_code)), count)
        offset = np.arange(len(gap)) - np.repeat(np.cumsum(count) - count, count)
        taught = order[np.repeat(begin, count) + offset]
        course = self.t_course[taught]
        at = self.course_of(course)
        region = self.region_of(expected["company"][gap]) if len(gap) else np.array([], dtype=object)
        serves = (
            (self.t_level[taught] >= expected["required"][gap])
            & (self.t_entry[taught] <= expected["current"][gap])
        )
        online = self.k_mode[at] == "online"
        away = serves & ~online
        if away.any():
            serves[away] = _same_area(region[away], self.k_region[at][away])
        gap, course = gap[serves], course[serves]
        deadline, units = expected["deadline"][gap], expected["units"][gap]
        company, skill = expected["company"][gap], expected["skill"][gap]
        rows: list[tuple[np.ndarray, ...]] = []
        for year in scenario.years:
            usable = deadline >= year
            people = units[usable] / (1.0 - scenario.attrition_rate) ** (deadline[usable] - year)
            rows.append(
                (company[usable], course[usable], np.full(int(usable.sum()), year), skill[usable], people)
            )
        pool_company = np.concatenate([row[0] for row in rows])
        pool_course = np.concatenate([row[1] for row in rows])
        pool_year = np.concatenate([row[2] for row in rows]).astype(np.int64)
        pool_skill = np.concatenate([row[3] for row in rows])
        pool_people = np.concatenate([row[4] for row in rows]).astype(float)
        if len(self.p_n):
            trained = np.flatnonzero(self.c_route == "course")
            pool_code, p_code, trained_code = _codes(
                [pool_company, pool_course, pool_year],
                [self.p_company, self.p_course, self.p_year],
                [self.c_key[0][trained], self.c_course[trained], self.c_year[trained]],
            )
            skill_code, trained_skill = _codes([pool_skill], [self.c_key[1][trained]])
            radix = int(max(skill_code.max(initial=0), trained_skill.max(initial=0))) + 1
            per_skill, people = _sums(pool_code * radix + skill_code, pool_people)
            triple = per_skill // radix
            unique, inverse = np.unique(triple, return_inverse=True)
            most = np.full(len(unique), -np.inf)
            np.maximum.at(most, inverse.reshape(-1), people)
            where = _find(unique, p_code)
            if (where < 0).any():
                return True
            # ceil of a slightly smaller pool: a pool within 1e-7 of a whole number trips, never passes wrongly
            limit = np.ceil(most[where] - 1e-9 - 1e-7)
            if _over_half(self.p_n, limit):
                return True
            if len(trained):
                if pd.isna(self.c_course[trained]).any():
                    return True
                links, linked = _sums(trained_code * radix + trained_skill, self.c_people[trained])
                attend = _find(p_code, links // radix)  # unsure when participants repeat a slot
                seats = np.where(attend >= 0, self.p_n[np.maximum(attend, 0)], 0.0)
                if _over_half(linked, seats):
                    return True
        return False

    def runs(self) -> bool:
        p_code, r_code = self.run_rows()
        codes, attending = _sums(p_code, self.p_n)
        keys = np.union1d(codes, r_code)
        people = np.zeros(len(keys))
        people[np.searchsorted(keys, codes)] = attending
        runs = np.zeros(len(keys))
        runs[np.searchsorted(keys, r_code)] = self.r_n
        course = np.empty(len(keys), dtype=object)
        course[np.searchsorted(keys, p_code)] = self.p_course
        course[np.searchsorted(keys, r_code)] = self.r_course
        at = self.course_of(course)
        if _over_half(people, runs * self.k["max_participants"][at]):
            return True
        if _over_half(runs * self.k["min_participants"][at], people):
            return True
        if _over_half(runs, self.k["max_runs_per_year"][at]):
            return True
        return bool((runs != np.round(runs)).any())

    def hires(self) -> bool:
        hired = np.flatnonzero(self.c_route == "hire")
        if len(hired):
            c_code, h_code = _codes(
                [self.c_key[0][hired], self.c_key[1][hired], self.c_year[hired]],
                [self.h_company, self.h_skill, self.h_year],
            )
            slots, people = _sums(c_code, self.c_people[hired])
            at = _find(h_code, slots)
            made = np.where(at >= 0, self.h_n[np.maximum(at, 0)], 0.0)
            if _over_half(people, made):
                return True
        if len(self.h_n):
            region = self.region_of(self.h_company)
            s_code, h_code = _codes([self.s_skill, self.s_region], [self.h_skill, region])
            y_code = _codes([self.h_year])[0]
            radix = int(y_code.max()) + 1
            markets, hires = _sums(h_code * radix + y_code, self.h_n)
            offer = _find(s_code, markets // radix)
            available = np.where(offer >= 0, self.s_available[np.maximum(offer, 0)], 0.0)
            if _over_half(hires, np.nan_to_num(available, nan=0.0)):
                return True
        return False

    def spending(self) -> dict[int, tuple[float, float]]:
        """Fees and fixed costs per year from the courses' prices (as :func:`_training_costs`)."""
        def make() -> dict[int, tuple[float, float]]:
            fees = self.p_n * self.k["cost_per_participant"][self.course_of(self.p_course)]
            fixed = self.r_n * self.k["fixed_cost_per_run"][self.course_of(self.r_course)]
            if np.isnan(fees).any() or np.isnan(fixed).any():
                raise _Unsure("missing price")
            spent: dict[int, tuple[float, float]] = {}
            for year in np.union1d(self.p_year, self.r_year).tolist():
                spent[int(year)] = (
                    float(fees[self.p_year == year].sum()),
                    float(fixed[self.r_year == year].sum()),
                )
            return spent

        result: dict[int, tuple[float, float]] = self._once("spending", make)
        return result

    def money(self) -> bool:
        scenario = self.scenario
        spent = self.spending()
        for year in scenario.years:
            budget = scenario.budget(year)
            if budget is None or year not in spent:
                continue
            public = scenario.subsidy_rate * (spent[year][0] + spent[year][1])
            if public - budget > 0.5 * (float(_tolerance(budget)) + 1e-6):
                return True
        cap = scenario.company_cost_cap
        if cap is not None and len(self.p_n):
            p_code, r_code = self.run_rows()
            codes, attending = _sums(p_code, self.p_n)
            fees = self.p_n * self.k["cost_per_participant"][self.course_of(self.p_course)]
            fixed_of_run = self.r_n * self.k["fixed_cost_per_run"][self.course_of(self.r_course)]
            run = _find(r_code, p_code)
            fixed = np.where(run >= 0, fixed_of_run[np.maximum(run, 0)] if len(r_code) else 0.0, 0.0)
            total = attending[np.searchsorted(codes, p_code)]
            pro_rata = fixed * self.p_n / np.where(total > 0, total, 1.0)
            paid = (1.0 - scenario.subsidy_rate) * (fees + pro_rata)
            m_code = _codes([self.p_company, self.p_year])[0]
            _, per_company = _sums(m_code, paid)
            if _over_half(per_company, np.full(len(per_company), float(cap))):
                return True
        return False

    def capacity(self) -> bool:
        scenario = self.scenario
        if len(self.p_n):
            m_code, code = _codes([self.m_id], [self.p_company])
            company = _find(m_code, code)
            if (company < 0).any():
                return True
            employees = self.m_employees[company]
            pair = _codes([self.p_company, self.p_year])[0]
            unique, inverse = np.unique(pair, return_inverse=True)
            inverse = inverse.reshape(-1)
            staff = np.zeros(len(unique))
            staff[inverse] = employees
            if scenario.company_capacity_share is not None:
                places = np.bincount(inverse, weights=self.p_n, minlength=len(unique))
                limit = np.maximum(1.0, np.floor(staff * scenario.company_capacity_share + 1e-9))
                if _over_half(places, limit):
                    return True
            if scenario.company_hours_per_employee is not None:
                hours = self.p_n * self.k["hours"][self.course_of(self.p_course)]
                per_company = np.bincount(inverse, weights=hours, minlength=len(unique))
                if _over_half(per_company, staff * scenario.company_hours_per_employee):
                    return True
        if len(self.r_n):
            at = self.course_of(self.r_course)
            provider = self.k_provider[at]
            hours = self.r_n * self.k["hours"][at]
            for name in np.unique(provider.astype(str)).tolist():
                trainer_hours = scenario.trainer_hours(str(name))
                if trainer_hours is None:
                    continue
                mine = provider == name
                years, per_year = _sums(self.r_year[mine], hours[mine])
                if _over_half(per_year, np.full(len(years), float(trainer_hours))):
                    return True
        return False

    def cost_table(self) -> bool:
        scenario = self.scenario
        spent = self.spending()
        hire_cost: dict[int, float] = {}
        if len(self.h_n):
            region = self.region_of(self.h_company)
            s_code, h_code = _codes([self.s_skill, self.s_region], [self.h_skill, region])
            offer = _find(s_code, h_code)
            price = np.where(offer >= 0, self.s_price[np.maximum(offer, 0)], 0.0)
            cost = self.h_n * np.nan_to_num(price, nan=0.0)
            for year in np.unique(self.h_year).tolist():
                hire_cost[int(year)] = float(cost[self.h_year == year].sum())
        share = scenario.subsidy_rate
        for year in scenario.years:
            fees, fixed = spent.get(year, (0.0, 0.0))
            expected = {
                ("public", "run_fixed_costs"): share * fixed,
                ("company", "run_fixed_costs"): (1 - share) * fixed,
                ("public", "participant_fees"): share * fees,
                ("company", "participant_fees"): (1 - share) * fees,
                ("company", "hires"): hire_cost.get(year, 0.0),
            }
            in_year = self.co_year == year
            for (payer, item), amount in expected.items():
                rows = in_year & (self.co_payer == payer) & (self.co_item == item)
                stated = float(self.co_amount[rows].sum())
                if abs(stated - amount) > 0.5 * (float(_tolerance(amount)) + 1e-6):
                    return True
        return False


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

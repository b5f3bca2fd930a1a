"""Property tests of the gap views on random small regions: signs, sums and disclosure guarantees."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skills.dataset import Dataset
from skills.disclosure import unsafe_lines
from skills.gaps import (
    DIMENSIONS,
    PRESETS,
    coverage,
    curriculum_gaps,
    expected_course_demand,
    gap_detail,
    gap_rollup,
    gap_view,
)
from skills.settings import Settings
from tests.fixtures.builders import DEMAND_HEADER

SETTINGS = Settings(disclosure_method="suppression")
LOOSE = Settings(min_companies_per_cell=2, dominance_n=1, dominance_k=0.7, disclosure_method="suppression")
SKILLS = pd.DataFrame(
    {
        "skill_id": ["plc", "cnc", "lean", "iot"],
        "label": ["PLC", "CNC", "Lean", "IoT"],
        "group": [
            "automation_robotics",
            "production_technology",
            "lean_quality",
            "automation_robotics",
        ],
    }
)
REGIONS = ["DK041", "DK042", "DK011"]
VALUES = ["gap_units", "weighted_gap_units", "level_gap_units"]


@st.composite
def regions(draw: st.DrawFn) -> Dataset:
    """A random region dense enough that cells get published: 4–12 companies, 10–60 demand rows, up to 6 courses."""
    count = draw(st.integers(4, 12))
    companies = pd.DataFrame(
        {
            "company_id": [f"C{i}" for i in range(count)],
            "name": [f"Company {i}" for i in range(count)],
            "region": draw(st.lists(st.sampled_from(REGIONS), min_size=count, max_size=count)),
            "sector": draw(
                st.lists(st.sampled_from(["C25", "C28", "C10.5"]), min_size=count, max_size=count)
            ),
            "employees": draw(
                st.lists(st.sampled_from([3, 20, 80, 400]), min_size=count, max_size=count)
            ),
        }
    )
    keys = draw(
        st.lists(
            st.tuples(
                st.integers(0, count - 1),
                st.sampled_from(list(SKILLS["skill_id"])),
                st.sampled_from(["op", "tech"]),
                st.sampled_from([2027, 2028]),
            ),
            min_size=10,
            max_size=60,
            unique=True,
        )
    )
    rows = []
    for company, skill, role, year in keys:
        current = draw(st.integers(0, 3))
        required = min(4, current + draw(st.sampled_from([-1, 0, 1, 1, 2, 2, 3])))
        rows.append(
            (
                f"C{company}",
                skill,
                role,
                draw(st.integers(0, 6)),
                current,
                max(required, 0),
                year,
                draw(st.sampled_from(["high", "medium", "low"])),
            )
        )
    demand = pd.DataFrame(rows, columns=DEMAND_HEADER)
    course_rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(list(SKILLS["skill_id"])),
                st.sampled_from([1, 2, 3, 4, 4]),
                st.sampled_from([0, 0, 0, 1, 2]),
                st.sampled_from(["in-person", "online", "blended"]),
                st.sampled_from([*REGIONS, "DK04"]),
                st.sampled_from([0, 1, 2, 3, 3]),
            ),
            max_size=8,
        )
    )
    course_rows = [row for row in course_rows if row[2] < row[1]]  # entry below the level reached
    courses = pd.DataFrame(
        {
            "course_id": [f"K{i}" for i in range(len(course_rows))],
            "title": [f"Course {i}" for i in range(len(course_rows))],
            "provider": ["P"] * len(course_rows),
            "region": [row[4] for row in course_rows],
            "mode": [row[3] for row in course_rows],
            "hours": [30.0] * len(course_rows),
            "cost_per_participant": [100.0 * (i + 1) for i in range(len(course_rows))],
            "fixed_cost_per_run": [500.0] * len(course_rows),
            "min_participants": [1] * len(course_rows),
            "max_participants": [10] * len(course_rows),
            "max_runs_per_year": [row[5] for row in course_rows],
            "language": ["da"] * len(course_rows),
        }
    )
    course_skills = pd.DataFrame(
        {
            "course_id": courses["course_id"],
            "skill": [row[0] for row in course_rows],
            "level": [row[1] for row in course_rows],
            "entry_level": [row[2] for row in course_rows],
        }
    )
    return Dataset.from_frames(
        {
            "skills": SKILLS,
            "companies": companies,
            "demand": demand,
            "courses": courses,
            "course_skills": course_skills,
        }
    )


def _keys(by: str | tuple[str, ...]) -> list[str]:
    names = PRESETS.get(by, (by,)) if isinstance(by, str) else by
    return [DIMENSIONS[name] for name in names]


def _matching(frame: pd.DataFrame, row: pd.Series, keys: list[str]) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    for key in keys:
        if not pd.isna(row[key]):
            mask &= (frame[key] == row[key]).to_numpy(dtype=bool)
    return frame[mask]


def _primary_passes(
    contributions: pd.DataFrame,
    table: pd.DataFrame,
    keys: list[str],
    values: list[str],
    who: str,
    rules: Settings = SETTINGS,
) -> pd.Series:
    """Per row of ``table``: does the cell pass the count rule and the (n, k) dominance rule of ``rules``?

    Recomputed from company-level ``contributions`` with plain pandas (no skills.disclosure), one
    group of rows per pattern of missing keys (cells, row totals, column totals, grand total).
    """
    passes = pd.Series(False, index=table.index)
    patterns = table[keys].isna()
    for pattern, rows in table.groupby([patterns[key] for key in keys]):
        missing = pattern if isinstance(pattern, tuple) else (pattern,)
        fixed = [key for key, is_missing in zip(keys, missing, strict=True) if not is_missing]
        frame = contributions.assign(_all=0)
        group = fixed or ["_all"]
        per_company = frame.groupby(list(dict.fromkeys([*group, who])))[values].sum().reset_index()
        contributors = (
            (per_company[values] > 0).any(axis=1).groupby([per_company[k] for k in group]).sum()
        )
        ok = contributors >= rules.min_companies_per_cell
        for value in values:
            total = per_company.groupby(group)[value].sum().astype(float)
            top = (
                per_company.sort_values(value, ascending=False)
                .groupby(group)
                .head(rules.dominance_n)
                .groupby(group)[value]
                .sum()
                .astype(float)
            )
            ok &= (total == 0) | (top / total.where(total > 0) <= rules.dominance_k + 1e-12)
        lookup = rows.assign(_all=0)[group]
        index = pd.MultiIndex.from_frame(lookup) if len(group) > 1 else pd.Index(lookup[group[0]])
        passes[rows.index] = ok.reindex(index).fillna(False).to_numpy(dtype=bool)
    return passes


def common(examples: int) -> settings:
    return settings(
        max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


@common(30)
@given(regions())
def test_gap_units_are_never_negative_and_rollups_add_up(dataset: Dataset) -> None:
    detail = gap_detail(dataset, settings=SETTINGS)
    assert (
        (detail[["level_gap", "gap_units", "weighted_gap_units", "level_gap_units"]] >= 0)
        .all()
        .all()
    )
    has_gap = detail["required_level"] > detail["current_level"]
    assert (detail["gap_units"] == detail["headcount"].where(has_gap, 0)).all()
    for by in [
        "skill",
        "group",
        "sector",
        "region",
        "size",
        "role",
        "year",
        "level",
        ("group", "sector"),
        ("skill", "year"),
    ]:
        rollup = gap_rollup(dataset, by, settings=SETTINGS)
        assert (rollup[VALUES] >= 0).all().all()
        cells = rollup[~rollup["is_total"]]
        for value in VALUES:
            assert abs(float(cells[value].sum()) - float(detail[value].sum())) < 1e-9, (by, value)
        keys = _keys(by)
        for _, total in rollup[rollup["is_total"]].iterrows():
            inside = _matching(detail, total, keys)
            assert abs(float(total["gap_units"]) - float(inside["gap_units"].sum())) < 1e-9


@common(25)
@given(regions(), st.sampled_from([SETTINGS, LOOSE]))
def test_published_gap_cells_pass_the_primary_rules(dataset: Dataset, rules: Settings) -> None:
    detail = gap_detail(dataset, settings=rules)
    gaps = detail[detail["gap_units"] > 0]
    for by in [
        "skill",
        "group",
        "sector",
        "region",
        "size",
        "role",
        "year",
        ("group", "sector"),
        "company",
    ]:
        table = gap_view(dataset, by, settings=rules)
        keys = _keys(by)
        rollup = gap_rollup(dataset, by, settings=rules)
        shown = ~table["suppressed"]
        assert _primary_passes(gaps, table, keys, VALUES, "company_id", rules)[shown].all(), by
        assert (table.loc[shown, "companies"] >= rules.min_companies_per_cell).all()
        # a published cell shows the value it had before suppression
        assert (table.loc[shown, "gap_units"] == rollup.loc[shown, "gap_units"]).all()
        assert table.loc[~shown, VALUES].isna().all().all()
        assert unsafe_lines(table, keys).empty, by


@common(12)
@given(regions(), st.sampled_from([SETTINGS, LOOSE]))
def test_coverage_curriculum_and_course_demand_are_protected(
    dataset: Dataset, rules: Settings
) -> None:
    """Published cells pass the rules against company-level figures taken from each company's own view.

    Run with the default rules and with looser ones (2 companies, the largest holding at most 70 %)
    so that these sparser tables publish enough cells to test.
    """
    companies = list(dataset.companies.index)

    def own(view: pd.DataFrame, company: str) -> pd.DataFrame:
        return view[~view["is_total"]].assign(company=company)

    by_skill = coverage(dataset, "skill", settings=rules)
    own_coverage = pd.concat(
        [own(coverage(dataset, "skill", company=c, settings=rules), c) for c in companies]
    )
    coverage_values = ["gap_units", "covered_units", "uncovered_units"]
    passes = _primary_passes(own_coverage, by_skill, ["skill"], coverage_values, "company", rules)
    assert passes[~by_skill["suppressed"]].all()
    assert unsafe_lines(by_skill, ["skill"]).empty

    demand = expected_course_demand(dataset, settings=rules)
    own_demand = pd.concat(
        [own(expected_course_demand(dataset, company=c, settings=rules), c) for c in companies]
    )
    passes = _primary_passes(
        own_demand, demand, ["course_id", "needed_by"], ["participants"], "company", rules
    )
    assert passes[~demand["suppressed"]].all()
    grand = demand[demand["course_id"].isna() & demand["needed_by"].isna()]
    if len(grand) and not grand["suppressed"].iloc[0]:
        assert grand["participants"].iloc[0] == own_demand["participants"].sum()
    assert unsafe_lines(demand, ["course_id", "needed_by"]).empty

    curriculum = curriculum_gaps(dataset, settings=rules)
    own_curriculum = pd.concat(
        [own(curriculum_gaps(dataset, company=c, settings=rules), c) for c in companies]
    )
    keys = ["skill", "required_level"]
    passes = _primary_passes(
        own_curriculum, curriculum, keys, ["gap_units", "weighted_gap_units"], "company", rules
    )
    assert passes[~curriculum["suppressed"]].all()
    assert unsafe_lines(curriculum, keys).empty

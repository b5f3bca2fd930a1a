"""Known answers for gap metrics, coverage, curriculum gaps and course demand on a hand-made region.

The region (six companies, four skills, seven courses) is small enough that
every figure below is computed by hand in the comments next to the assertion.

Companies (region, NACE, employees → size band)::

    A DK041 C25     8 micro     B DK041 C25    40 small    C DK042 C28  120 medium
    D DK042 C28   300 large     E DK041 C25.11 15 small    F DK011 C28   60 medium

Demand (weights high 3, medium 2, low 1; g = gap units, w = weighted, lgu = g × level gap)::

    #  co skill role  head cur→req year  prio    g  w  lgu
    1  A  plc   7543   2   1→3   2027 high      2  6  4
    2  B  plc   7543   3   0→2   2027 medium    3  6  6
    3  C  plc   7543   4   1→2   2027 low       4  4  4
    4  D  plc   7543   3   2→3   2028 high      3  9  3
    5  E  plc   -      4   0→1   2027 medium    4  8  4
    6  A  cnc   7223   1   2→2   2027 low       0  0  0   (no gap)
    7  B  cnc   7223   2   1→3   2027 high      2  6  4
    8  C  cnc   7223   8   0→2   2028 medium    8 16 16
    9  D  cnc   7223   1   1→2   2028 low       1  1  1
    10 F  cnc   7223   1   0→1   2027 low       1  1  1
    11 C  lean  -      2   0→2   2027 medium    2  4  4
    12 D  lean  -      2   1→2   2028 low       2  2  2
    13 F  iot   -      5   2→3   2028 high      5 15  5
    14 E  lean  -      2   0→2   2027 low       2  2  4

Per company (g / w / lgu): A 2/6/4, B 5/12/10, C 14/24/24, D 6/12/6, E 6/10/8,
F 6/16/6; region 39/80/58.

Courses (unit cost = cost_per_participant + fixed_cost_per_run / max_participants)::

    K1 plc  level 3 entry 0 in-person DK041  500 + 3000/12 = 750
    K2 plc  level 2 entry 0 online           600 + 1200/8  = 750
    K3 cnc  level 2 entry 1 in-person DK042  400 + 2000/10 = 600
    K4 cnc  level 3 entry 0 blended   DK04   900 + 1000/10 = 1000
    K5 lean level 2 entry 0 in-person DK011  300 + 0       = 300
    K6 iot  level 2 entry 0 online           200 + 0       = 200
    K7 plc  level 4 entry 0 online, max_runs_per_year 0: cannot run, never covers
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from skills.dataset import Dataset
from skills.disclosure import CONFIDENTIAL, unsafe_lines
from skills.errors import InputError
from skills.gaps import (
    COVERAGE_OPTIONS,
    GAP_DETAIL,
    WHY_ENTRY,
    WHY_LEVEL,
    WHY_NOT_TAUGHT,
    WHY_REGION,
    Filters,
    coverage,
    coverage_options,
    curriculum_gaps,
    expected_course_demand,
    for_display,
    gap_detail,
    gap_rollup,
    gap_view,
    view_schema,
)
from skills.settings import Settings
from tests.fixtures.builders import DEMAND_HEADER

SETTINGS = Settings(disclosure_method="suppression")


def region_frames() -> dict[str, pd.DataFrame]:
    skills = pd.DataFrame(
        {
            "skill_id": ["plc", "cnc", "lean", "iot"],
            "label": ["PLC programming", "CNC milling", "Lean", "Industrial IoT"],
            "group": [
                "automation_robotics",
                "production_technology",
                "lean_quality",
                "digital_data",
            ],
        }
    )
    companies = pd.DataFrame(
        {
            "company_id": list("ABCDEF"),
            "name": ["Alfa", "Beta", "Cirkel", "Dansk", "Eg", "Fjord"],
            "region": ["DK041", "DK041", "DK042", "DK042", "DK041", "DK011"],
            "sector": ["C25", "C25", "C28", "C28", "C25.11", "C28"],
            "employees": [8, 40, 120, 300, 15, 60],
        }
    )
    rows = [
        ("A", "plc", "7543", 2, 1, 3, 2027, "high"),
        ("B", "plc", "7543", 3, 0, 2, 2027, "medium"),
        ("C", "plc", "7543", 4, 1, 2, 2027, "low"),
        ("D", "plc", "7543", 3, 2, 3, 2028, "high"),
        ("E", "plc", None, 4, 0, 1, 2027, "medium"),
        ("A", "cnc", "7223", 1, 2, 2, 2027, "low"),
        ("B", "cnc", "7223", 2, 1, 3, 2027, "high"),
        ("C", "cnc", "7223", 8, 0, 2, 2028, "medium"),
        ("D", "cnc", "7223", 1, 1, 2, 2028, "low"),
        ("F", "cnc", "7223", 1, 0, 1, 2027, "low"),
        ("C", "lean", None, 2, 0, 2, 2027, "medium"),
        ("D", "lean", None, 2, 1, 2, 2028, "low"),
        ("F", "iot", None, 5, 2, 3, 2028, "high"),
        ("E", "lean", None, 2, 0, 2, 2027, "low"),
    ]
    demand = pd.DataFrame(rows, columns=DEMAND_HEADER)
    courses = pd.DataFrame(
        {
            "course_id": ["K1", "K2", "K3", "K4", "K5", "K6", "K7"],
            "title": [
                "PLC advanced",
                "PLC online",
                "CNC basic",
                "CNC blended",
                "Lean",
                "IoT intro",
                "PLC expert",
            ],
            "provider": ["P1", "P2", "P1", "P3", "P2", "P3", "P2"],
            "region": ["DK041", "DK041", "DK042", "DK04", "DK011", "DK01", "DK01"],
            "mode": [
                "in-person",
                "online",
                "in-person",
                "blended",
                "in-person",
                "online",
                "online",
            ],
            "hours": [37.0, 20.0, 37.0, 30.0, 14.8, 7.4, 37.0],
            "cost_per_participant": [500.0, 600.0, 400.0, 900.0, 300.0, 200.0, 100.0],
            "fixed_cost_per_run": [3000.0, 1200.0, 2000.0, 1000.0, 0.0, 0.0, 0.0],
            "min_participants": [6, 4, 5, 4, 4, 1, 1],
            "max_participants": [12, 8, 10, 10, 10, 20, 20],
            "max_runs_per_year": [2, 3, 2, 2, 1, 5, 0],
            "language": ["da"] * 7,
        }
    )
    course_skills = pd.DataFrame(
        {
            "course_id": ["K1", "K2", "K3", "K4", "K5", "K6", "K7"],
            "skill": ["plc", "plc", "cnc", "cnc", "lean", "iot", "plc"],
            "level": [3, 2, 2, 3, 2, 2, 4],
            "entry_level": [0, 0, 1, 0, 0, 0, 0],
        }
    )
    return {
        "skills": skills,
        "companies": companies,
        "demand": demand,
        "courses": courses,
        "course_skills": course_skills,
    }


@pytest.fixture(scope="module")
def region() -> Dataset:
    return Dataset.from_frames(region_frames())


def cell(table: pd.DataFrame, **keys: object) -> pd.Series:
    """The one row whose keys equal ``keys`` (``None`` = the total over that key)."""
    mask = pd.Series(True, index=table.index)
    for name, value in keys.items():
        mask &= table[name].isna() if value is None else (table[name] == value).fillna(False)
    matched = table[mask]
    assert len(matched) == 1, f"{keys}: {len(matched)} rows"
    return matched.iloc[0]


def published(row: pd.Series) -> bool:
    return not bool(row["suppressed"])


# --------------------------------------------------------------------------- detail


def test_gap_detail_row_by_row(region: Dataset) -> None:
    detail = gap_detail(region, settings=SETTINGS)
    GAP_DETAIL.validate(detail)
    assert len(detail) == 14  # every demand row, the no-gap row A/cnc included
    by_row = detail.set_index(["company_id", "skill", "role"])
    # A/plc: head 2, 1→3: level gap 2, gap units 2, weighted 2 × 3 (high) = 6, lgu 2 × 2 = 4
    a_plc = by_row.loc[("A", "plc", "7543")]
    assert (
        a_plc["level_gap"],
        a_plc["gap_units"],
        a_plc["weighted_gap_units"],
        a_plc["level_gap_units"],
    ) == (2, 2, 6.0, 4)
    # A/cnc: 2→2 is no gap: everything zero, the row kept
    a_cnc = by_row.loc[("A", "cnc", "7223")]
    assert (
        a_cnc["level_gap"],
        a_cnc["gap_units"],
        a_cnc["weighted_gap_units"],
        a_cnc["level_gap_units"],
    ) == (0, 0, 0.0, 0)
    # E/plc has no role: '(not stated)'; E is C25.11 → division C25; 15 employees → small
    e_plc = by_row.loc[("E", "plc", "(not stated)")]
    assert (e_plc["sector"], e_plc["size_band"], e_plc["region"], e_plc["weighted_gap_units"]) == (
        "C25",
        "small",
        "DK041",
        8.0,
    )
    # size bands: A 8 micro, B 40 small, C 120 medium, D 300 large
    bands = detail.drop_duplicates("company_id").set_index("company_id")["size_band"]
    assert bands.to_dict() == {
        "A": "micro",
        "B": "small",
        "C": "medium",
        "D": "large",
        "E": "small",
        "F": "medium",
    }
    # column sums: g 39, w 80, lgu 58 (module docstring)
    assert (
        detail["gap_units"].sum(),
        detail["weighted_gap_units"].sum(),
        detail["level_gap_units"].sum(),
    ) == (39, 80.0, 58)


def test_priority_weights_are_a_setting(region: Dataset) -> None:
    heavy = Settings(priority_weights={"high": 10.0, "medium": 2.0, "low": 1.0})
    detail = gap_detail(region, settings=heavy)
    # high rows: A/plc g2, D/plc g3, B/cnc g2, F/iot g5 → 12 units × 10 = 120;
    # medium: B/plc 3, E/plc 4, C/cnc 8, C/lean 2 → 17 × 2 = 34; low: C/plc 4, D/cnc 1, F/cnc 1, D/lean 2, E/lean 2 → 10
    assert detail["weighted_gap_units"].sum() == 120 + 34 + 10
    with pytest.raises(InputError, match="no priority weight for low"):
        gap_detail(region, settings=Settings(priority_weights={"high": 3.0, "medium": 2.0}))


def test_filters(region: Dataset) -> None:
    # sector prefix C2 matches both; C28 only C, D, F
    c28 = gap_detail(region, filters=Filters(sectors=("C28",)), settings=SETTINGS)
    assert set(c28["company_id"]) == {"C", "D", "F"}
    # region prefix DK04 excludes F (DK011); year 2028 keeps rows 4, 8, 9, 12, 13 minus F's row 13
    dk04_2028 = gap_detail(
        region, filters=Filters(regions=("DK04",), years=(2028,)), settings=SETTINGS
    )
    assert sorted(zip(dk04_2028["company_id"], dk04_2028["skill"], strict=True)) == [
        ("C", "cnc"),
        ("D", "cnc"),
        ("D", "lean"),
        ("D", "plc"),
    ]
    small = gap_detail(
        region, filters=Filters(size_bands=("small",), priorities=("medium",)), settings=SETTINGS
    )
    assert sorted(zip(small["company_id"], small["skill"], strict=True)) == [
        ("B", "plc"),
        ("E", "plc"),
    ]
    with pytest.raises(InputError, match="invalid filter"):
        gap_detail(region, filters=Filters(size_bands=("huge",)), settings=SETTINGS)
    wrong = Filters(size_bands=("huge",), priorities=("urgent", "high"), groups=("welding",))
    assert [(p.column, p.value) for p in wrong.problems()] == [
        ("size_bands", "huge"),
        ("priorities", "urgent"),
        ("groups", "welding"),
    ]


# --------------------------------------------------------------------------- gap views


def test_gaps_by_skill_known_answers(region: Dataset) -> None:
    table = gap_view(region, "skill", settings=SETTINGS)
    view_schema("gaps", ["skill"]).validate(table)
    # plc: A2 B3 C4 D3 E4 → g16, w 6+6+4+9+8 = 33, lgu 4+6+4+3+4 = 21, 5 companies;
    # top two: g 4+4 = 8/16 = 50 %, w 9+8 = 17/33 = 52 %, lgu 6+4 = 10/21 = 48 % → published
    plc = cell(table, skill="plc")
    assert published(plc)
    assert (
        plc["companies"],
        plc["gap_units"],
        plc["weighted_gap_units"],
        plc["level_gap_units"],
    ) == (5, 16, 33.0, 21)
    assert plc["mean_level_gap"] == pytest.approx(21 / 16)
    assert plc["label"] == "PLC programming"
    # cnc: B2 C8 D1 F1 (A has no gap, so 4 companies) → g12: top two 10/12 = 83 % passes,
    # but weighted B6 C16 D1 F1 = 24: top two 22/24 = 92 % > 85 % → primary-dominance
    cnc = cell(table, skill="cnc")
    assert (cnc["suppressed"], cnc["reason"]) == (True, "primary-dominance")
    assert (
        pd.isna(cnc["gap_units"]) and pd.isna(cnc["companies"]) and pd.isna(cnc["mean_level_gap"])
    )
    # lean: C2 D2 E2 → g6, w 4+2+2 = 8, lgu 4+2+4 = 10; top two 4/6, 6/8 = 75 %, 8/10 = 80 % → published
    lean = cell(table, skill="lean")
    assert published(lean)
    assert (
        lean["companies"],
        lean["gap_units"],
        lean["weighted_gap_units"],
        lean["level_gap_units"],
    ) == (3, 6, 8.0, 10)
    # iot: F only → primary-count
    iot = cell(table, skill="iot")
    assert (iot["suppressed"], iot["reason"]) == (True, "primary-count")
    # total: 6 companies, 39 / 80 / 58; top two g C14 + 6 = 20/39, w C24 + F16 = 40/80, lgu C24 + B10 = 34/58 → published;
    # two cells suppressed in the line, so no secondary suppression is needed
    total = cell(table, skill=None)
    assert bool(total["is_total"]) and published(total)
    assert (
        total["companies"],
        total["gap_units"],
        total["weighted_gap_units"],
        total["level_gap_units"],
    ) == (6, 39, 80.0, 58)
    assert total["mean_level_gap"] == pytest.approx(58 / 39)
    assert len(table) == 5
    assert list(table["skill"].iloc[:4]) == [
        "cnc",
        "iot",
        "lean",
        "plc",
    ]  # cells in key order, then the total


def test_gaps_by_role_needs_secondary_suppression(region: Dataset) -> None:
    table = gap_view(region, "role", settings=SETTINGS)
    # 7223 = the cnc rows → suppressed by dominance (as above)
    assert cell(table, role="7223")["reason"] == "primary-dominance"
    # 7543 = plc rows 1–4: A2 B3 C4 D3 → g12, w 25, lgu 17; top two 7/12, 15/25, 10/17 → passes primary
    # (not stated) = E/plc 4, C/lean 2, D/lean 2, F/iot 5, E/lean 2 → g15 (E6 C2 D2 F5), w 10+4+2+15 = 31,
    #   lgu 8+4+2+5 = 19; top two 11/15 = 73 %, 25/31 = 81 %, 13/19 = 68 % → passes primary
    # the total (39) is published and only 7223 is suppressed: 7223 = 39 − 12 − 15 would follow,
    # so the smaller of the others, 7543 (12 < 15), is suppressed as secondary
    assert cell(table, role="7543")["reason"] == "secondary"
    not_stated = cell(table, role="(not stated)")
    assert (
        published(not_stated)
        and not_stated["gap_units"] == 15
        and not_stated["weighted_gap_units"] == 31.0
    )
    assert cell(table, role=None)["gap_units"] == 39
    assert unsafe_lines(table, ["role"]).empty


def test_gaps_by_region_and_year(region: Dataset) -> None:
    by_region = gap_view(region, "region", settings=SETTINGS)
    # DK041 = A, B, E: g 2+5+6 = 13, w 6+12+10 = 28, lgu 4+10+8 = 22; top two 11/13 = 84.6 %, 22/28, 18/22 → published
    dk041 = cell(by_region, region="DK041")
    assert published(dk041) and (
        dk041["companies"],
        dk041["gap_units"],
        dk041["weighted_gap_units"],
    ) == (3, 13, 28.0)
    assert cell(by_region, region="DK042")["reason"] == "primary-count"  # C, D
    assert cell(by_region, region="DK011")["reason"] == "primary-count"  # F
    by_year = gap_view(region, "year", settings=SETTINGS)
    # 2027: A2, B5, C6, E6, F1 → g20, w 6+12+8+10+1 = 37; 2028: C8, D6, F5 → g19, w 16+12+15 = 43,
    #   lgu 16+6+5 = 27, top two lgu 22/27 = 81 % → both published
    y2027, y2028 = cell(by_year, needed_by=2027), cell(by_year, needed_by=2028)
    assert published(y2027) and (
        y2027["companies"],
        y2027["gap_units"],
        y2027["weighted_gap_units"],
    ) == (5, 20, 37.0)
    assert published(y2028) and (
        y2028["companies"],
        y2028["gap_units"],
        y2028["weighted_gap_units"],
    ) == (3, 19, 43.0)


def test_group_by_sector_two_way_secondary_suppression(region: Dataset) -> None:
    table = gap_view(region, ("group", "sector"), settings=SETTINGS)
    reasons = {
        (
            row.group if isinstance(row.group, str) else None,
            row.sector if isinstance(row.sector, str) else None,
        ): row.reason
        for row in table.itertuples()
    }
    assert reasons == {
        # automation × C25 = A2 B3 E4: g9 (7/9), w 6+6+8 = 20 (14/20), lgu 4+6+4 = 14 (10/14) passes primary,
        # but automation × C28 (C, D) is suppressed and the automation total is published, so the
        # row's only other cell goes too; it is also the C25 column's only publishable cell
        ("automation_robotics", "C25"): "secondary",
        ("automation_robotics", "C28"): "primary-count",  # C, D
        ("production_technology", "C25"): "primary-count",  # B
        ("production_technology", "C28"): "primary-dominance",  # C8 D1 F1: 9/10 = 90 %
        ("lean_quality", "C25"): "primary-count",  # E
        ("lean_quality", "C28"): "primary-count",  # C, D
        ("digital_data", "C28"): "primary-count",  # F
        # row totals: automation = plc (published), production = cnc (dominance), lean (C, D, E, published), digital (F)
        ("automation_robotics", None): "",
        ("production_technology", None): "primary-dominance",
        ("lean_quality", None): "",
        ("digital_data", None): "primary-count",
        # column totals: C25 = A, B, E: g13 w28 lgu22 (as DK041) → published;
        # C28 = C14/24/24, D6/12/6, F6/16/6 → g26 (20/26), w52 (40/52), lgu36 (30/36 = 83 %) → published
        (None, "C25"): "",
        (None, "C28"): "",
        (None, None): "",
    }
    assert cell(table, group="automation_robotics", sector=None)["gap_units"] == 16
    assert cell(table, group="lean_quality", sector=None)["gap_units"] == 6
    assert cell(table, group=None, sector="C25")["gap_units"] == 13
    assert cell(table, group=None, sector="C28")["gap_units"] == 26
    assert unsafe_lines(table, ["group", "sector"]).empty


def test_own_company_view_is_unsuppressed(region: Dataset) -> None:
    table = gap_view(region, "company", company="C", settings=SETTINGS)
    assert not table["suppressed"].any()
    cells = table[~table["is_total"]].set_index("skill")
    # C: cnc 8 (0→2, medium: w16, lgu16), lean 2 (w4, lgu4), plc 4 (1→2, low: w4, lgu4)
    assert cells["gap_units"].to_dict() == {"cnc": 8, "lean": 2, "plc": 4}
    assert cells["weighted_gap_units"].to_dict() == {"cnc": 16.0, "lean": 4.0, "plc": 4.0}
    assert cells["level_gap_units"].to_dict() == {"cnc": 16, "lean": 4, "plc": 4}
    assert set(cells["company_id"]) == {"C"}
    total = cell(table, company_id=None, skill=None)
    assert (total["gap_units"], total["weighted_gap_units"], total["level_gap_units"]) == (
        14,
        24.0,
        24,
    )
    # the same company in the region view: every company × skill cell is one company → suppressed
    region_view = gap_view(region, "company", settings=SETTINGS)
    assert region_view[~region_view["is_total"]]["suppressed"].all()
    with pytest.raises(InputError, match="unknown company"):
        gap_view(region, "skill", company="Z", settings=SETTINGS)


def test_rollups_add_up_to_the_detail(region: Dataset) -> None:
    detail = gap_detail(region, settings=SETTINGS)
    for by in ["skill", "group", "sector", "region", "size", "role", "year", "level"]:
        rollup = gap_rollup(region, by, settings=SETTINGS)
        cells = rollup[~rollup["is_total"]]
        total = rollup[rollup["is_total"]]
        assert (
            cells["gap_units"].sum()
            == total["gap_units"].iloc[0]
            == detail["gap_units"].sum()
            == 39
        ), by
        assert cells["weighted_gap_units"].sum() == pytest.approx(80.0), by


def test_invalid_grouping(region: Dataset) -> None:
    with pytest.raises(InputError, match="invalid grouping"):
        gap_view(region, "colour", settings=SETTINGS)
    with pytest.raises(InputError, match="invalid grouping"):
        gap_view(region, ("skill", "group", "sector"), settings=SETTINGS)
    with pytest.raises(InputError, match="invalid grouping"):
        coverage(region, "course", settings=SETTINGS)


# --------------------------------------------------------------------------- coverage


def test_coverage_options_for_one_company(region: Dataset) -> None:
    options = coverage_options(region, "B", settings=SETTINGS)
    COVERAGE_OPTIONS.validate(options)
    rows = list(
        zip(
            options["skill"],
            options["course_id"],
            options["cheapest"],
            options["unit_cost"],
            strict=True,
        )
    )
    # B/cnc 1→3 (DK041): K3 reaches only level 2; K4 level 3 from 0, blended in DK04 ⊃ DK041 → K4 (1000)
    # B/plc 0→2 (DK041): K1 level 3 in DK041 (750) and K2 online (750): a tie, K1 first by id;
    #   K7 (level 4, online) cannot run (0 runs a year)
    assert rows == [
        ("cnc", "K4", True, 1000.0),
        ("plc", "K1", True, 750.0),
        ("plc", "K2", False, 750.0),
    ]
    assert set(options["provider"]) == {"P1", "P2", "P3"}
    # C: plc 1→2 in DK042 → K2 only (K1 runs in DK041); cnc 0→2 → K4 (K3 needs entry 1); lean → none (K5 in DK011)
    c_options = coverage_options(region, "C", settings=SETTINGS)
    assert list(zip(c_options["skill"], c_options["course_id"], strict=True)) == [
        ("cnc", "K4"),
        ("plc", "K2"),
    ]


def test_coverage_by_skill_and_region(region: Dataset) -> None:
    table = coverage(region, "skill", settings=SETTINGS)
    view_schema("coverage", ["skill"]).validate(table)
    # covered gaps: A/plc 2 (K1), B/plc 3 (K1, K2), C/plc 4 (K2), E/plc 4 (K1), B/cnc 2 (K4), C/cnc 8 (K4), D/cnc 1 (K3, K4)
    # uncovered: D/plc 3 (K1 not in DK042, K2 only level 2), F/cnc 1 (K4 in DK04, not DK011), C, D, E/lean 2 each
    #   (K5 only in DK011), F/iot 5 (K6 reaches level 2 only)
    # plc: uncovered 3 all from D → dominance on uncovered_units
    assert cell(table, skill="plc")["reason"] == "primary-dominance"
    # cnc: covered B2 C8 D1 = 11, top two 10/11 = 91 % → dominance
    assert cell(table, skill="cnc")["reason"] == "primary-dominance"
    # lean: C2 D2 E2, nothing covered: gap 6, covered 0, uncovered 6 (top two 4/6) → published, share 0
    lean = cell(table, skill="lean")
    assert published(lean)
    assert (
        lean["companies"],
        lean["gap_units"],
        lean["covered_units"],
        lean["uncovered_units"],
        lean["covered_share"],
    ) == (3, 6, 0, 6, 0.0)
    assert cell(table, skill="iot")["reason"] == "primary-count"
    # total: gap 39, covered 2+3+4+4+2+8+1 = 24 (A2 B5 C12 D1 E4: top two 17/24 = 71 %),
    # uncovered 15 (C2 D5 E2 F6: top two 11/15 = 73 %) → published, share 24/39
    total = cell(table, skill=None)
    assert published(total)
    assert (total["gap_units"], total["covered_units"], total["uncovered_units"]) == (39, 24, 15)
    assert total["covered_share"] == pytest.approx(24 / 39)
    assert unsafe_lines(table, ["skill"]).empty
    by_region = coverage(region, "region", settings=SETTINGS)
    # DK041 = A (2 covered), B (5 covered), E (4 covered, lean 2 uncovered): uncovered 2 all from E → dominance
    assert cell(by_region, region="DK041")["reason"] == "primary-dominance"
    own = coverage(region, "skill", company="E", settings=SETTINGS)
    # E's own view: plc 4 covered by K1; lean 2 uncovered
    assert cell(own, skill="plc")["covered_units"] == 4
    assert cell(own, skill="lean")["uncovered_units"] == 2
    assert cell(own, skill=None)["covered_share"] == pytest.approx(4 / 6)


def test_catalogue_restricted_to_providers(region: Dataset) -> None:
    # only P1's courses (K1, K3): A/plc (K1), B/plc (K1), E/plc (K1), D/cnc (K3) are covered:
    # 2 + 3 + 4 + 1 = 10 of 39
    own_views = [
        coverage(region, "skill", company=c, settings=SETTINGS, filters=Filters(providers=("P1",)))
        for c in "ABCDEF"
    ]
    covered = sum(int(cell(view, skill=None)["covered_units"]) for view in own_views)
    assert covered == 10


# --------------------------------------------------------------------------- curriculum gaps


def test_curriculum_gaps_known_answers(region: Dataset) -> None:
    table = curriculum_gaps(region, settings=SETTINGS)
    view_schema("curriculum", ["skill", "required_level"]).validate(table)
    # uncovered gaps: D/plc@3 (g3 w9), F/cnc@1 (g1 w1), C/lean@2 (g2 w4), D/lean@2 (g2 w2), E/lean@2 (g2 w2), F/iot@3 (g5 w15)
    # lean@2: C, D, E → g6, w8; top two 4/6, 6/8 → published; sectors C28 (C, D), C25 (E)
    first = table.iloc[0]
    assert (
        first["skill"],
        first["required_level"],
        first["companies"],
        first["gap_units"],
        first["weighted_gap_units"],
    ) == ("lean", 2, 3, 6, 8.0)
    assert first["sectors"] == "C25, C28"
    assert first["why_uncovered"] == WHY_REGION
    # the other cells are one company each → primary-count, listed after the published one, by key
    cells = table[~table["is_total"]]
    assert list(zip(cells["skill"], cells["required_level"], cells["reason"], strict=True)) == [
        ("lean", 2, ""),
        ("cnc", 1, "primary-count"),
        ("iot", 3, "primary-count"),
        ("plc", 3, "primary-count"),
    ]
    assert cells["sectors"].iloc[1:].isna().all() and cells["why_uncovered"].iloc[1:].isna().all()
    # grand total: C2 D5 E2 F6 → g15, w 4+11+2+16 = 33; top two g 11/15 = 73 %, w 27/33 = 82 % → published
    total = cell(table, skill=None, required_level=None)
    assert published(total) and (
        total["companies"],
        total["gap_units"],
        total["weighted_gap_units"],
    ) == (4, 15, 33.0)
    # level 2 total = lean@2 (published); level 3 = D, F (count); skill totals follow their single level
    assert published(cell(table, skill=None, required_level=2))
    assert cell(table, skill=None, required_level=3)["reason"] == "primary-count"
    assert unsafe_lines(table, ["skill", "required_level"]).empty
    # F's own view: iot@3 — K6 reaches level 2 only; cnc@1 — K4 is blended in DK04, F is in DK011
    own = curriculum_gaps(region, company="F", settings=SETTINGS)
    why = {(r.skill, r.required_level): r.why_uncovered for r in own[~own["is_total"]].itertuples()}
    assert why == {("iot", 3): WHY_LEVEL, ("cnc", 1): WHY_REGION}
    assert list(own[~own["is_total"]]["skill"]) == ["iot", "cnc"]  # ranked: 5 units before 1


def test_why_uncovered_not_taught_and_entry() -> None:
    frames = region_frames()
    # G (DK042) asks for cnc 0→2 and for robot cells, which no course teaches; without K4 the only
    # cnc course reaching level 2 in G's region is K3, which needs entry level 1
    frames["companies"] = pd.concat(
        [
            frames["companies"],
            pd.DataFrame(
                [
                    {
                        "company_id": "G",
                        "name": "Gran",
                        "region": "DK042",
                        "sector": "C28",
                        "employees": 20,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    frames["skills"] = pd.concat(
        [
            frames["skills"],
            pd.DataFrame(
                [{"skill_id": "robot", "label": "Robot cells", "group": "automation_robotics"}]
            ),
        ],
        ignore_index=True,
    )
    extra = pd.DataFrame(
        [("G", "cnc", "7223", 3, 0, 2, 2027, "high"), ("G", "robot", None, 2, 0, 2, 2027, "high")],
        columns=list(frames["demand"].columns),
    )
    frames["demand"] = pd.concat([frames["demand"], extra], ignore_index=True)
    frames["course_skills"] = frames["course_skills"][frames["course_skills"]["course_id"] != "K4"]
    frames["courses"] = frames["courses"][frames["courses"]["course_id"] != "K4"]
    dataset = Dataset.from_frames(frames)
    own = curriculum_gaps(dataset, company="G", settings=SETTINGS)
    why = {(r.skill, r.required_level): r.why_uncovered for r in own[~own["is_total"]].itertuples()}
    # cnc@2: K3 reaches 2 in DK042 but needs entry 1 > 0 → entry; robot: no course at all
    assert why == {("cnc", 2): WHY_ENTRY, ("robot", 2): WHY_NOT_TAUGHT}


# --------------------------------------------------------------------------- expected course demand


def test_expected_course_demand_known_answers(region: Dataset) -> None:
    table = expected_course_demand(region, settings=SETTINGS)
    view_schema("course_demand", ["course_id", "needed_by"]).validate(table)
    # cheapest serving course per coverable gap:
    #   A/plc 2027 → K1; B/plc 2027 → K1 (K1 = K2 = 750, K1 by id); C/plc 2027 → K2 (K1 not in DK042);
    #   E/plc 2027 → K1 (tie); B/cnc 2027 → K4; C/cnc 2028 → K4; D/cnc 2028 → K3 (600 < 1000)
    # K1 × 2027: A2 B3 E4 = 9, 3 companies, top two 7/9 = 78 % → published;
    #   runs ceil(9/12) = 1; cost 9 × 500 + 1 × 3000 = 7500
    k1 = cell(table, course_id="K1", needed_by=2027)
    assert published(k1)
    assert (k1["participants"], k1["companies"], k1["runs_needed"], k1["training_cost"]) == (
        9,
        3,
        1,
        7500.0,
    )
    assert (k1["title"], k1["provider"], k1["unit_cost"], k1["max_runs_per_year"]) == (
        "PLC advanced",
        "P1",
        750.0,
        2,
    )
    # one company each → primary-count: K2 × 2027 (C4), K4 × 2027 (B2), K4 × 2028 (C8), K3 × 2028 (D1)
    for course_id, year in [("K2", 2027), ("K4", 2027), ("K4", 2028), ("K3", 2028)]:
        row = cell(table, course_id=course_id, needed_by=year)
        assert (
            row["reason"] == "primary-count"
            and pd.isna(row["participants"])
            and pd.isna(row["training_cost"])
        )
    # K4 total (B, C: 2 companies) → count; K1 total = the K1 cell → published, runs left blank on totals
    assert cell(table, course_id="K4", needed_by=None)["reason"] == "primary-count"
    k1_total = cell(table, course_id="K1", needed_by=None)
    assert (
        published(k1_total) and k1_total["participants"] == 9 and pd.isna(k1_total["runs_needed"])
    )
    # year totals: 2027 = A2 B5 C4 E4 = 15 (top two 9/15) passes primary; 2028 = C8 D1 → count.
    # grand total A2 B5 C12 D1 E4 = 24 (17/24) published; then 2028 = 24 − 15 would follow, so
    # the 2027 total (the line's only other cell) is suppressed as secondary
    assert cell(table, course_id=None, needed_by=2028)["reason"] == "primary-count"
    assert cell(table, course_id=None, needed_by=2027)["reason"] == "secondary"
    grand = cell(table, course_id=None, needed_by=None)
    assert published(grand) and grand["participants"] == 24 and grand["companies"] == 5
    assert unsafe_lines(table, ["course_id", "needed_by"]).empty
    # gap_view(by="course") is this view
    pd.testing.assert_frame_equal(gap_view(region, "course", settings=SETTINGS), table)


def test_expected_course_demand_own_view(region: Dataset) -> None:
    table = expected_course_demand(region, company="C", settings=SETTINGS)
    cells = table[~table["is_total"]]
    # C: plc 4 → K2 (2027), cnc 8 → K4 (2028); lean uncovered. K4: ceil(8/10) = 1 run, 8 × 900 + 1000 = 8200
    assert list(
        zip(cells["course_id"], cells["needed_by"], cells["participants"], strict=True)
    ) == [("K2", 2027, 4), ("K4", 2028, 8)]
    k4 = cell(table, course_id="K4", needed_by=2028)
    assert (k4["runs_needed"], k4["training_cost"]) == (1, 8200.0)
    k2 = cell(table, course_id="K2", needed_by=2027)
    assert (k2["runs_needed"], k2["training_cost"]) == (1, 4 * 600 + 1200.0)
    assert not table["suppressed"].any()


def test_runs_needed_rounds_up() -> None:
    frames = region_frames()
    # A needs plc 1→3 for 5 people and K1 (the only course reaching level 3 that can run) holds 2:
    # ceil(5/2) = 3 runs; cost 5 × 500 + 3 × 3000 = 11 500; unit cost 500 + 3000/2 = 2000
    demand = frames["demand"]
    demand.loc[(demand["company_id"] == "A") & (demand["skill"] == "plc"), "headcount"] = 5
    courses = frames["courses"]
    courses.loc[courses["course_id"] == "K1", ["min_participants", "max_participants"]] = [1, 2]
    dataset = Dataset.from_frames(frames)
    k1 = cell(
        expected_course_demand(dataset, company="A", settings=SETTINGS),
        course_id="K1",
        needed_by=2027,
    )
    assert (k1["participants"], k1["runs_needed"], k1["training_cost"], k1["unit_cost"]) == (
        5,
        3,
        11500.0,
        2000.0,
    )
    # B (plc 0→2) now goes to K2: 750 < 2000
    b_view = expected_course_demand(dataset, company="B", settings=SETTINGS)
    assert cell(b_view, course_id="K2", needed_by=2027)["participants"] == 3
    assert math.isclose(float(cell(b_view, course_id="K2", needed_by=2027)["unit_cost"]), 750.0)


# --------------------------------------------------------------------------- display


def test_for_display_marks_confidential_cells(region: Dataset) -> None:
    shown = for_display(gap_view(region, "skill", settings=SETTINGS))
    by_skill = shown.set_index("skill")
    assert by_skill.loc["cnc", "gap_units"] == CONFIDENTIAL
    assert by_skill.loc["cnc", "companies"] == CONFIDENTIAL
    assert by_skill.loc["cnc", "weighted_gap_units"] == CONFIDENTIAL
    assert by_skill.loc["plc", "gap_units"] == 16
    assert by_skill.loc["plc", "mean_level_gap"] == round(21 / 16, 2)
    assert by_skill.loc["Total", "gap_units"] == 39
    assert "reason" not in shown.columns and "top_share" not in shown.columns
    assert (
        "reason"
        in for_display(gap_view(region, "skill", settings=SETTINGS), keep_reason=True).columns
    )


def test_views_never_carry_top_share_or_hidden_values(region: Dataset) -> None:
    for table in [
        gap_view(region, "skill", settings=SETTINGS),
        coverage(region, "skill", settings=SETTINGS),
        curriculum_gaps(region, settings=SETTINGS),
        expected_course_demand(region, settings=SETTINGS),
    ]:
        assert "top_share" not in table.columns
        hidden = table[table["suppressed"]]
        values = [
            c
            for c in [
                "companies",
                "gap_units",
                "participants",
                "covered_units",
                "weighted_gap_units",
            ]
            if c in table
        ]
        assert hidden[values].isna().all().all()


def test_empty_region() -> None:
    dataset = Dataset.empty()
    table = gap_view(dataset, "skill", settings=SETTINGS)
    assert table.empty and list(table.columns) == list(view_schema("gaps", ["skill"]).columns)
    assert curriculum_gaps(dataset, settings=SETTINGS).empty
    assert expected_course_demand(dataset, settings=SETTINGS).empty
    assert coverage(dataset, ("group", "sector"), settings=SETTINGS).empty

"""Disclosure control on small tables worked out by hand: count rule, dominance, secondary suppression, display."""

from __future__ import annotations

import pandas as pd
import pytest

from skills.disclosure import (
    CONFIDENTIAL,
    PRIMARY_COUNT,
    PRIMARY_DOMINANCE,
    SECONDARY,
    TOTAL_LABEL,
    Rules,
    aggregate,
    display,
    primary,
    protect,
    publishable,
    secondary,
    unprotected,
    unsafe_lines,
)
from skills.settings import Settings

RULES = Rules(method="suppression")


def contributions(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """(cell, company, value) rows as a one-key contributions table."""
    return pd.DataFrame(rows, columns=["cell", "company_id", "value"])


def by_cell(table: pd.DataFrame, key: str = "cell") -> pd.DataFrame:
    return table.assign(**{key: table[key].fillna("ALL")}).set_index(key)


def test_rules_from_settings() -> None:
    rules = Rules.from_settings(Settings(min_companies_per_cell=5, dominance_n=1, dominance_k=0.6))
    assert rules == Rules(min_contributors=5, dominance_n=1, dominance_k=0.6)
    assert Rules.from_settings(Settings()) == Rules(3, 2, 0.85)


def test_aggregate_sums_counts_and_top_share() -> None:
    table = aggregate(
        contributions(
            [
                ("x", "A", 5),
                ("x", "A", 1),
                ("x", "B", 3),
                ("x", "C", 2),
                ("y", "D", 0),
                ("y", "E", 4),
            ]
        ),
        ["cell"],
        ["value"],
    )
    cells = by_cell(table)
    # x: A 5+1 = 6, B 3, C 2 → 11, three contributors, top two 9/11
    assert cells.loc["x", "value"] == 11 and cells.loc["x", "contributors"] == 3
    assert cells.loc["x", "top_share"] == pytest.approx(9 / 11)
    # y: D contributes 0, so only E counts as a contributor; E holds everything
    assert cells.loc["y", "contributors"] == 1 and cells.loc["y", "top_share"] == pytest.approx(1.0)
    # total: A6 B3 C2 E4 = 15 (D has zero), top two 10/15
    assert cells.loc["ALL", "value"] == 15 and cells.loc["ALL", "contributors"] == 4
    assert cells.loc["ALL", "top_share"] == pytest.approx(10 / 15)
    assert list(table["is_total"]) == [False, False, True]


def test_top_share_is_the_largest_over_every_value() -> None:
    frame = pd.DataFrame(
        {
            "cell": ["x"] * 4,
            "company_id": list("ABCD"),
            "units": [3, 3, 2, 2],
            "weighted": [9, 1, 1, 1],
        }
    )
    table = aggregate(frame, ["cell"], ["units", "weighted"], margins=False)
    # units: top two 6/10 = 60 %; weighted: 9 + 1 = 10/12 = 83 % → 0.8333
    assert table["top_share"].iloc[0] == pytest.approx(10 / 12)


def test_count_rule() -> None:
    table = primary(
        aggregate(
            contributions(
                [("x", "A", 1), ("x", "B", 1), ("y", "A", 1), ("y", "B", 1), ("y", "C", 1)]
            ),
            ["cell"],
            ["value"],
        ),
        RULES,
    )
    cells = by_cell(table)
    # x has two contributors (< 3) → count; y has three equal ones (top two 2/3 = 67 %) → published
    assert (cells.loc["x", "suppressed"], cells.loc["x", "reason"]) == (True, PRIMARY_COUNT)
    assert (cells.loc["y", "suppressed"], cells.loc["y", "reason"]) == (False, "")
    relaxed = by_cell(
        primary(
            aggregate(contributions([("x", "A", 1), ("x", "B", 1)]), ["cell"], ["value"]),
            Rules(2, 2, 1.0, method="suppression"),
        )
    )
    assert not relaxed.loc[
        "x", "suppressed"
    ]  # 2 companies, k = 100 %: "more than" 100 % never happens


@pytest.mark.parametrize(
    ("values", "suppressed"),
    [
        ([10, 7, 3], False),  # top two 17/20 = 85 %: not more than 85 % → published
        ([10, 8, 3], True),  # 18/21 = 85.7 % → dominance
        ([5, 5, 5, 5], False),  # 10/20 = 50 %
        ([90, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], True),  # 91/101 = 90 %
    ],
)
def test_dominance_rule_boundary(values: list[int], suppressed: bool) -> None:
    rows = [("x", f"C{position}", float(value)) for position, value in enumerate(values)]
    table = primary(aggregate(contributions(rows), ["cell"], ["value"], margins=False), RULES)
    assert bool(table["suppressed"].iloc[0]) is suppressed
    assert table["reason"].iloc[0] == (PRIMARY_DOMINANCE if suppressed else "")


def test_dominance_n_is_a_setting() -> None:
    rows = [("x", "A", 60.0), ("x", "B", 30.0), ("x", "C", 5.0), ("x", "D", 5.0)]
    # (1, 0.5): the largest holds 60/100 > 50 % → suppressed; (2, 0.85): 90 % > 85 % → suppressed;
    # (3, 0.96): 95 % → published
    for n, k, expected in [(1, 0.5, True), (2, 0.85, True), (3, 0.96, False)]:
        rules = Rules(3, n, k, method="suppression")
        table = protect(contributions(rows), ["cell"], ["value"], rules)
        assert bool(by_cell(table).loc["x", "suppressed"]) is expected, (n, k)


def test_one_way_secondary_suppresses_the_next_smallest_cell() -> None:
    rows = [
        ("a", "A", 1.0),  # a: one company → count
        ("b", "B", 4.0), ("b", "C", 4.0), ("b", "D", 4.0),  # b: 12, published alone
        ("c", "E", 3.0), ("c", "F", 3.0), ("c", "G", 3.0),  # c: 9
        ("d", "H", 5.0), ("d", "I", 5.0), ("d", "J", 5.0),  # d: 15
    ]  # fmt: skip
    table = by_cell(protect(contributions(rows), ["cell"], ["value"], RULES))
    # the total 37 is published; a alone suppressed would be 37 − 12 − 9 − 15: the smallest
    # published cell, c (9), is suppressed too
    assert table["reason"].to_dict() == {
        "a": PRIMARY_COUNT,
        "b": "",
        "c": SECONDARY,
        "d": "",
        "ALL": "",
    }


def test_secondary_ties_take_the_first_cell_in_key_order() -> None:
    rows = [("a", "A", 1.0)] + [(cell, f"{cell}{i}", 3.0) for cell in "bcd" for i in range(3)]
    table = by_cell(protect(contributions(rows), ["cell"], ["value"], RULES))
    # b, c, d are all 9: b comes first
    assert table["reason"].to_dict() == {
        "a": PRIMARY_COUNT,
        "b": SECONDARY,
        "c": "",
        "d": "",
        "ALL": "",
    }


def test_suppressed_total_forces_a_cell() -> None:
    # a flagged table whose total failed a primary rule while every cell passed
    table = pd.DataFrame(
        {
            "cell": ["x", "y", "z", None],
            "value": [5.0, 3.0, 4.0, 12.0],
            "suppressed": [False, False, False, True],
            "reason": ["", "", "", PRIMARY_DOMINANCE],
            "is_total": [False, False, False, True],
        }
    )
    result = by_cell(secondary(table, ["cell"], "value"))
    # the total would be 5 + 3 + 4: the smallest cell, y (3), is suppressed
    assert result["reason"].to_dict() == {
        "x": "",
        "y": SECONDARY,
        "z": "",
        "ALL": PRIMARY_DOMINANCE,
    }


def test_two_way_secondary_iterates_until_stable() -> None:
    # 2 × 2 table rows r1, r2 × columns s1, s2, each cell three companies of equal size, except
    # (r1, s1) which is one company. Values: (r1,s1) 1, (r1,s2) 9, (r2,s1) 6, (r2,s2) 12.
    rows: list[tuple[str, str, str, float]] = [("r1", "s1", "A", 1.0)]
    for r, s, total in [("r1", "s2", 9.0), ("r2", "s1", 6.0), ("r2", "s2", 12.0)]:
        rows += [(r, s, f"{r}{s}{i}", total / 3) for i in range(3)]
    frame = pd.DataFrame(rows, columns=["r", "s", "company_id", "value"])
    table = protect(frame, ["r", "s"], ["value"], RULES)
    reasons = {
        (
            row.r if isinstance(row.r, str) else "ALL",
            row.s if isinstance(row.s, str) else "ALL",
        ): row.reason
        for row in table.itertuples()
    }
    # pass 1: row r1 has one suppressed cell → (r1,s2) goes; column s1 has one → (r2,s1) goes.
    # pass 2: row r2 now has one ((r2,s1)) → (r2,s2) goes; column s2 has two. Pass 3: stable.
    # Margins: r1 = A1 + three of 3 = 10 (top two 6/10), s1 = A1 + three of 2 = 7 (4/7): all published.
    assert reasons == {
        ("r1", "s1"): PRIMARY_COUNT,
        ("r1", "s2"): SECONDARY,
        ("r2", "s1"): SECONDARY,
        ("r2", "s2"): SECONDARY,
        ("r1", "ALL"): "",
        ("r2", "ALL"): "",
        ("ALL", "s1"): "",
        ("ALL", "s2"): "",
        ("ALL", "ALL"): "",
    }
    assert unsafe_lines(table, ["r", "s"]).empty


def test_unsafe_lines_finds_a_lone_suppressed_cell() -> None:
    table = pd.DataFrame(
        {
            "cell": ["x", "y", None],
            "value": [1.0, 5.0, 6.0],
            "suppressed": [True, False, False],
            "reason": [PRIMARY_COUNT, "", ""],
            "is_total": [False, False, True],
        }
    )
    assert list(unsafe_lines(table, ["cell"])["cell"]) == ["x"]


def test_contributor_may_be_a_key() -> None:
    frame = pd.DataFrame({"company_id": list("ABCD"), "skill": ["s"] * 4, "units": [1, 2, 3, 4]})
    table = protect(frame, ["company_id", "skill"], ["units"], RULES)
    cells = table[~table["is_total"]]
    assert cells["suppressed"].all() and set(cells["reason"]) == {PRIMARY_COUNT}
    skill_total = table[table["company_id"].isna() & table["skill"].notna()].iloc[0]
    # the skill total over A1 B2 C3 D4 = 10: four companies, top two 7/10 → published
    assert not skill_total["suppressed"] and skill_total["units"] == 10


def test_publishable_and_display() -> None:
    rows = [("a", "A", 1.0)] + [(cell, f"{cell}{i}", 3.0) for cell in "bc" for i in range(3)]
    table = protect(contributions(rows), ["cell"], ["value"], RULES)
    shown = publishable(table, ["value", "contributors"])
    assert "top_share" not in shown.columns
    suppressed = shown[shown["suppressed"]]
    assert suppressed["value"].isna().all() and suppressed["contributors"].isna().all()
    text = display(shown, ["value", "contributors"], ["cell"]).set_index("cell")
    # a is count-suppressed, b (9, first of the ties) secondary; c and the total stay
    assert text.loc["a", "value"] == CONFIDENTIAL and text.loc["b", "contributors"] == CONFIDENTIAL
    assert text.loc["c", "value"] == 9.0 and text.loc[TOTAL_LABEL, "value"] == 19.0
    assert "reason" not in text.columns
    own = display(unprotected(table), ["value"], ["cell"]).set_index("cell")
    assert own.loc["a", "value"] == 1.0  # a company's own view shows everything


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        aggregate(contributions([("x", "A", -1.0)]), ["cell"], ["value"])
    with pytest.raises(ValueError, match="missing"):
        aggregate(contributions([(None, "A", 1.0)]), ["cell"], ["value"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="lack"):
        aggregate(contributions([("x", "A", 1.0)]), ["region"], ["value"])


def test_empty_contributions() -> None:
    table = protect(contributions([]), ["cell"], ["value"], RULES)
    assert table.empty and {"suppressed", "reason", "is_total"} <= set(table.columns)

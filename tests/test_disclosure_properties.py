"""Property tests of disclosure control on random one- and two-way tables."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from skills.disclosure import Rules, aggregate, primary, protect, unsafe_lines

COMPANIES = list("ABCDEFGH")


@st.composite
def tables(draw: st.DrawFn) -> tuple[pd.DataFrame, list[str]]:
    """Random contributions: one or two keys, up to 40 rows, two non-negative values."""
    two_way = draw(st.booleans())
    size = draw(st.integers(0, 40))
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["a", "b", "c", "d"]),
                st.sampled_from(["p", "q", "r"]),
                st.sampled_from(COMPANIES),
                st.integers(0, 50),
                st.integers(0, 20),
            ),
            min_size=size,
            max_size=size,
        )
    )
    frame = pd.DataFrame(rows, columns=["row", "column", "company_id", "units", "weighted"])
    frame[["units", "weighted"]] = frame[["units", "weighted"]].astype("int64")
    return frame, (["row", "column"] if two_way else ["row"])


rules_strategy = st.builds(
    Rules,
    min_contributors=st.integers(1, 4),
    dominance_n=st.integers(1, 3),
    dominance_k=st.sampled_from([0.5, 0.7, 0.85, 0.95, 1.0]),
    method=st.just("suppression"),
)


def _in_cell(contributions: pd.DataFrame, row: pd.Series, keys: list[str]) -> pd.DataFrame:
    """Contribution rows of the cell ``row`` (a missing key = all values), found without aggregate()."""
    mask = pd.Series(True, index=contributions.index)
    for key in keys:
        if not pd.isna(row[key]):
            mask &= contributions[key] == row[key]
    return contributions[mask]


@settings(max_examples=80, deadline=None)
@given(tables(), rules_strategy)
def test_published_cells_pass_the_primary_rules(
    data: tuple[pd.DataFrame, list[str]], rules: Rules
) -> None:
    contributions, keys = data
    table = protect(contributions, keys, ["units", "weighted"], rules)
    for _, row in table[~table["suppressed"]].iterrows():
        per_company = (
            _in_cell(contributions, row, keys).groupby("company_id")[["units", "weighted"]].sum()
        )
        contributors = int(((per_company["units"] > 0) | (per_company["weighted"] > 0)).sum())
        assert contributors >= rules.min_contributors
        for value in ["units", "weighted"]:
            total = per_company[value].sum()
            top = per_company[value].nlargest(rules.dominance_n).sum()
            assert total == 0 or top / total <= rules.dominance_k + 1e-12


@settings(max_examples=80, deadline=None)
@given(tables(), rules_strategy)
def test_no_suppressed_value_follows_from_a_total(
    data: tuple[pd.DataFrame, list[str]], rules: Rules
) -> None:
    contributions, keys = data
    table = protect(contributions, keys, ["units", "weighted"], rules)
    assert unsafe_lines(table, keys).empty
    # secondary suppression only adds: every primary suppression is kept
    flagged = primary(
        aggregate(contributions, keys, ["units", "weighted"], top_n=rules.dominance_n), rules
    )
    assert (table["suppressed"] | ~flagged["suppressed"]).all()


@settings(max_examples=60, deadline=None)
@given(tables())
def test_margins_add_up_before_suppression(data: tuple[pd.DataFrame, list[str]]) -> None:
    contributions, keys = data
    table = aggregate(contributions, keys, ["units", "weighted"])
    cells = table[~table["is_total"]]
    assert cells["units"].sum() == contributions["units"].sum()
    for _, row in table[table["is_total"]].iterrows():
        assert row["units"] == _in_cell(contributions, row, keys)["units"].sum()
        assert row["weighted"] == _in_cell(contributions, row, keys)["weighted"].sum()
        fixed = [key for key in keys if not pd.isna(row[key])]
        inside = cells
        for key in fixed:
            inside = inside[inside[key] == row[key]]
        assert row["units"] == inside["units"].sum()

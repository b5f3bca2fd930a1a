"""Altair charts built from the tidy gap tables; suppressed cells are never plotted as values."""

from __future__ import annotations

from typing import Final

import altair as alt
import pandas as pd

from skills.disclosure import CONFIDENTIAL, IS_TOTAL, SUPPRESSED

#: Colour of a suppressed cell in a heatmap.
SUPPRESSED_COLOUR: Final = "#d9d9d9"
COVERED_COLOUR: Final = "#2e7d32"
UNCOVERED_COLOUR: Final = "#c62828"
#: A coverage bar whose split into covered and uncovered is withheld: its total, in grey.
SPLIT_HIDDEN: Final = "split not shown"
SPLIT_HIDDEN_COLOUR: Final = "#9e9e9e"


def _cells(table: pd.DataFrame) -> pd.DataFrame:
    """The rows that are cells (not totals)."""
    if IS_TOTAL not in table.columns:
        return table
    return table[~table[IS_TOTAL].to_numpy(dtype=bool)]


def _published(table: pd.DataFrame, value: str) -> pd.DataFrame:
    """Cells whose ``value`` may be shown: not suppressed and present."""
    cells = _cells(table)
    hidden = cells[SUPPRESSED].to_numpy(dtype=bool) if SUPPRESSED in cells.columns else False
    return cells[~hidden & cells[value].notna().to_numpy(dtype=bool)]


def _suppressed_count(table: pd.DataFrame) -> int:
    cells = _cells(table)
    return int(cells[SUPPRESSED].sum()) if SUPPRESSED in cells.columns else 0


def _subtitle(table: pd.DataFrame) -> str:
    hidden = _suppressed_count(table)
    if not hidden:
        return ""
    return f"{hidden} confidential cell(s) ({CONFIDENTIAL}) not shown"


def _number_text(values: pd.Series) -> pd.Series:
    numbers = values.astype("float64")
    return numbers.map(
        lambda number: f"{number:,.0f}" if float(number).is_integer() else f"{number:,.1f}"
    )


def _name(table: pd.DataFrame, key: str) -> pd.Series:
    """What a bar is called: the skill label when there is one, else the key."""
    if key == "skill" and "label" in table.columns:
        return table["label"].fillna(table["skill"]).astype(str)
    return table[key].astype(str)


def gap_heatmap(
    table: pd.DataFrame,
    *,
    rows: str = "group",
    columns: str = "sector",
    value: str = "gap_units",
    title: str = "Gap units by skill group and sector",
) -> alt.LayerChart:
    """Heatmap of a two-key view (e.g. ``gap_view(dataset, ("group", "sector"))``).

    Published cells are coloured by ``value`` and labelled with it; suppressed
    cells are grey and labelled ``:c``; their values are not in the chart's
    data. Totals are left out.
    """
    cells = _cells(table)
    published = _published(cells, value)
    shown = pd.DataFrame(
        {
            rows: published[rows].astype(str),
            columns: published[columns].astype(str),
            value: published[value].astype("float64"),
            "text": _number_text(published[value]),
            "companies": published["companies"].astype("float64")
            if "companies" in published.columns
            else pd.Series(dtype="float64"),
        }
    )
    hidden_rows = (
        cells[cells[SUPPRESSED].to_numpy(dtype=bool)]
        if SUPPRESSED in cells.columns
        else cells.iloc[0:0]
    )
    hidden = pd.DataFrame(
        {
            rows: hidden_rows[rows].astype(str),
            columns: hidden_rows[columns].astype(str),
            "text": CONFIDENTIAL,
        }
    )
    # Sector and skill-group names are long ("C25 Fremstilling af metalprodukter"): slanted, and
    # room enough to read them whole.
    x = alt.X(f"{columns}:N", title=columns.replace("_", " "), axis=alt.Axis(labelAngle=-35, labelLimit=260, labelOverlap=False))
    y = alt.Y(f"{rows}:N", title=rows.replace("_", " "), axis=alt.Axis(labelLimit=320))
    coloured = (
        alt.Chart(shown)
        .mark_rect()
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                f"{value}:Q", title=value.replace("_", " "), scale=alt.Scale(scheme="oranges")
            ),
            tooltip=[f"{rows}:N", f"{columns}:N", f"{value}:Q", "companies:Q"],
        )
    )
    grey = (
        alt.Chart(hidden)
        .mark_rect(color=SUPPRESSED_COLOUR)
        .encode(x=x, y=y, tooltip=[f"{rows}:N", f"{columns}:N", "text:N"])
    )
    labels = (
        alt.Chart(pd.concat([shown[[rows, columns, "text"]], hidden], ignore_index=True))
        .mark_text(fontSize=11)
        .encode(x=x, y=y, text="text:N")
    )
    chart = alt.LayerChart(layer=[coloured, grey, labels])
    return chart.properties(title=alt.TitleParams(title, subtitle=_subtitle(table)))


def top_gaps_chart(
    table: pd.DataFrame,
    *,
    key: str = "skill",
    value: str = "gap_units",
    n: int = 15,
    title: str = "Largest skills gaps",
) -> alt.Chart:
    """Horizontal bars of the ``n`` largest published cells of a one-key view."""
    published = _published(table, value)
    published = published.assign(_value=published[value].astype("float64"))
    published = published.sort_values(["_value", key], ascending=[False, True], kind="stable").head(
        n
    )
    data = pd.DataFrame(
        {
            "name": _name(published, key),
            value: published["_value"],
            "companies": published["companies"].astype("float64"),
        }
    )
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(f"{value}:Q", title=value.replace("_", " ")),
            y=alt.Y("name:N", sort="-x", title=None),
            tooltip=["name:N", f"{value}:Q", "companies:Q"],
        )
        .properties(title=alt.TitleParams(title, subtitle=_subtitle(table)))
    )
    return chart


def coverage_chart(
    table: pd.DataFrame,
    *,
    key: str = "skill",
    n: int = 20,
    title: str = "Gap units the course catalogue can cover",
) -> alt.Chart:
    """Stacked bars, covered and uncovered gap units, of the ``n`` largest published cells of ``coverage()``."""
    published = _published(table, "gap_units")
    published = published.assign(_gap=published["gap_units"].astype("float64"))
    published = published.sort_values(["_gap", key], ascending=[False, True], kind="stable").head(n)
    names = _name(published, key)
    # A cell whose total is shown but whose split is withheld (too few companies on one side)
    # shows its total as one bar of its own colour, not as an empty row that reads as zero.
    split_hidden = (published["covered_units"].isna() & published["uncovered_units"].isna()).to_numpy(dtype=bool)
    parts = [
        ("covered", published["covered_units"]),
        ("uncovered", published["uncovered_units"]),
        (SPLIT_HIDDEN, published["gap_units"].where(split_hidden)),
    ]
    data = pd.concat(
        [
            pd.DataFrame(
                {
                    "name": names,
                    "status": status,
                    "units": units.astype("float64"),
                    "covered_share": published["covered_share"].astype("float64"),
                }
            )
            for status, units in parts
        ],
        ignore_index=True,
    )
    data = data[data["units"].notna()]
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("units:Q", stack="zero", title="gap units"),
            y=alt.Y(
                "name:N",
                sort=alt.EncodingSortField(field="units", op="sum", order="descending"),
                title=None,
            ),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(
                    domain=["covered", "uncovered", SPLIT_HIDDEN], range=[COVERED_COLOUR, UNCOVERED_COLOUR, SPLIT_HIDDEN_COLOUR]
                ),
                title=None,
            ),
            tooltip=["name:N", "status:N", "units:Q", alt.Tooltip("covered_share:Q", format=".0%")],
        )
        .properties(title=alt.TitleParams(title, subtitle=_subtitle(table)))
    )
    return chart


def curriculum_gaps_chart(
    table: pd.DataFrame,
    *,
    n: int = 15,
    title: str = "Skills in demand that no course covers",
) -> alt.Chart:
    """Bars of the ``n`` largest published curriculum gaps (skill at level), coloured by why."""
    published = _published(table, "gap_units")
    published = published.assign(_gap=published["gap_units"].astype("float64"))
    published = published.sort_values(
        ["_gap", "skill", "required_level"], ascending=[False, True, True], kind="stable"
    )
    published = published.head(n)
    data = pd.DataFrame(
        {
            "name": _name(published, "skill")
            + " (level "
            + published["required_level"].astype(str)
            + ")",
            "gap_units": published["_gap"],
            "companies": published["companies"].astype("float64"),
            "sectors": published["sectors"].astype(str),
            "why_uncovered": published["why_uncovered"].astype(str),
        }
    )
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("gap_units:Q", title="uncovered gap units"),
            y=alt.Y("name:N", sort="-x", title=None),
            color=alt.Color("why_uncovered:N", title="why"),
            tooltip=["name:N", "gap_units:Q", "companies:Q", "sectors:N", "why_uncovered:N"],
        )
        .properties(title=alt.TitleParams(title, subtitle=_subtitle(table)))
    )
    return chart


def closed_by_group_chart(closed: pd.DataFrame) -> alt.Chart:
    """Gap units closed per skill group, one bar per run (``run``, ``group``, ``closed_units``)."""
    chart: alt.Chart = (
        alt.Chart(closed, title="Gap units closed, by skill group")
        .mark_bar()
        .encode(
            y=alt.Y("group:N", title=None, sort="-x"),
            x=alt.X("closed_units:Q", title="Gap units closed"),
            yOffset=alt.YOffset("run:N"),
            color=alt.Color("run:N", title="Run"),
            tooltip=[alt.Tooltip("run:N", title="Run"), alt.Tooltip("group:N", title="Skill group"),
                     alt.Tooltip("closed_units:Q", title="Gap units closed", format=",.1f")],
        )
    )
    return chart


#: Who pays, in the order the cost charts colour them.
PAYERS: Final = ("company", "public")


def cost_by_payer_chart(costs: pd.DataFrame, currency: str) -> alt.Chart | alt.FacetChart:
    """Cost per year and payer, stacked (``run``, ``year``, ``payer``, ``amount``); one panel per run.

    Colour is the payer alone, so the legend's swatches are the bars' colours; with two or
    more runs each run has its own panel, named above it, on one shared cost axis.
    """
    title = f"Cost per year, by who pays ({currency})"
    bars = (
        alt.Chart(costs)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(amount):Q", title=f"Cost ({currency})", stack="zero"),
            # a fixed order, so that each payer keeps its colour in every language (the words sort differently)
            color=alt.Color("payer:N", title="Paid by", scale=alt.Scale(domain=list(PAYERS))),
            tooltip=[alt.Tooltip("run:N", title="Run"), alt.Tooltip("year:O", title="Year"), alt.Tooltip("payer:N", title="Paid by"),
                     alt.Tooltip("sum(amount):Q", title=f"Cost ({currency})", format=",.0f")],
        )
    )
    if costs["run"].nunique() < 2:
        single: alt.Chart = bars.properties(title=title)
        return single
    panels: alt.FacetChart = bars.facet(column=alt.Column("run:N", title=None)).properties(title=title)
    return panels


def runs_by_provider_chart(runs: pd.DataFrame) -> alt.Chart:
    """Course runs opened per provider and year, one bar per run (``run``, ``year``, ``provider``, ``runs``)."""
    chart: alt.Chart = (
        alt.Chart(runs, title="Course runs opened, by provider and year")
        .mark_bar()
        .encode(
            y=alt.Y("provider:N", title=None, sort="-x"),
            x=alt.X("sum(runs):Q", title="Course runs", axis=alt.Axis(format="d", tickMinStep=1)),  # whole runs: 1, 2, 3
            yOffset=alt.YOffset("run:N"),
            color=alt.Color("year:O", title="Year"),
            tooltip=[alt.Tooltip("run:N", title="Run"), alt.Tooltip("provider:N", title="Provider"), alt.Tooltip("year:O", title="Year"),
                     alt.Tooltip("sum(runs):Q", title="Course runs", format=",.0f")],
        )
    )
    return chart


def closed_and_unmet_chart(closed: pd.DataFrame) -> alt.Chart:
    """Gap units closed and left unmet per skill group (``group``, ``status``, ``units``), stacked."""
    chart: alt.Chart = (
        alt.Chart(closed, title="Gap units closed and left unmet, by skill group")
        .mark_bar()
        .encode(
            y=alt.Y("group:N", title=None, sort="-x"),
            x=alt.X("units:Q", title="Gap units", stack="zero"),
            color=alt.Color("status:N", title=None, scale=alt.Scale(domain=["closed", "unmet"], range=[COVERED_COLOUR, UNCOVERED_COLOUR])),
            tooltip=[alt.Tooltip("group:N", title="Skill group"), alt.Tooltip("status:N", title="Status"),
                     alt.Tooltip("units:Q", title="Gap units", format=",.1f")],
        )
    )
    return chart


def runs_timeline_chart(runs: pd.DataFrame) -> alt.Chart:
    """Course runs each year, by provider (``year``, ``provider``, ``runs``)."""
    chart: alt.Chart = (
        alt.Chart(runs, title="Course runs each year, by provider")
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(runs):Q", title="Course runs"),
            color=alt.Color("provider:N", title="Provider"),
            tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("provider:N", title="Provider"),
                     alt.Tooltip("sum(runs):Q", title="Course runs", format=",.0f")],
        )
    )
    return chart


def sweep_chart(curve: pd.DataFrame, currency: str) -> alt.LayerChart:
    """Weighted gap units closed against the public budget per year, the point of diminishing returns marked.

    ``curve`` has ``budget``, ``weighted_closed_units`` and ``is_knee`` (from :meth:`skills.sweep.Sweep.to_frame`).
    """
    points = curve[["budget", "weighted_closed_units", "is_knee"]].copy()
    base = alt.Chart(points, title=f"Gap units closed against the public budget ({currency} a year)")
    line = base.mark_line(point=True).encode(
        x=alt.X("budget:Q", title=f"Public budget per year ({currency})"),
        y=alt.Y("weighted_closed_units:Q", title="Gap units closed, weighted by priority"),
        tooltip=[alt.Tooltip("budget:Q", title=f"Budget ({currency})", format=",.0f"),
                 alt.Tooltip("weighted_closed_units:Q", title="Weighted units closed", format=",.1f")],
    )
    knee = base.transform_filter(alt.datum.is_knee).mark_rule(strokeDash=[4, 4], color=UNCOVERED_COLOUR).encode(x="budget:Q")
    return alt.LayerChart(layer=[line, knee])

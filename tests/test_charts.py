"""Charts as functions: encodings, data rows, and no suppressed value in a chart's data."""

from __future__ import annotations

import json
from typing import Any

import altair as alt
import pandas as pd
import pytest

from skills.charts import (
    SUPPRESSED_COLOUR,
    coverage_chart,
    curriculum_gaps_chart,
    gap_heatmap,
    top_gaps_chart,
)
from skills.dataset import Dataset
from skills.gaps import coverage, curriculum_gaps, gap_view
from skills.settings import Settings
from tests.test_gaps import region_frames

SETTINGS = Settings(disclosure_method="suppression")  # these charts are checked against suppressed cells


@pytest.fixture(scope="module")
def region() -> Dataset:
    return Dataset.from_frames(region_frames())


def layer_data(spec: dict[str, Any], layer: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = spec["datasets"][layer["data"]["name"]]
    return rows


def test_heatmap_plots_published_cells_and_greys_out_the_rest(region: Dataset) -> None:
    table = gap_view(region, ("group", "sector"), settings=SETTINGS)
    chart = gap_heatmap(table)
    assert isinstance(chart, alt.LayerChart)
    spec = chart.to_dict()
    coloured, grey, labels = spec["layer"]
    assert coloured["mark"]["type"] == "rect"
    assert coloured["encoding"]["color"]["field"] == "gap_units"
    assert (
        coloured["encoding"]["x"]["field"] == "sector"
        and coloured["encoding"]["y"]["field"] == "group"
    )
    # in the hand-made region every group × sector cell is suppressed (test_gaps: the only one passing
    # primary, automation × C25, goes as secondary), so nothing is coloured and all seven are grey
    assert layer_data(spec, coloured) == []
    grey_rows = layer_data(spec, grey)
    assert len(grey_rows) == 7 and {row["text"] for row in grey_rows} == {":c"}
    assert all("gap_units" not in row for row in grey_rows)
    assert grey["mark"]["color"] == SUPPRESSED_COLOUR
    assert labels["encoding"]["text"]["field"] == "text"
    assert "7 confidential" in spec["title"]["subtitle"]
    # long sector names ("C25 Fremstilling af metalprodukter") slanted and with room to be read whole
    for layer in (coloured, grey, labels):
        assert layer["encoding"]["x"]["axis"]["labelAngle"] == -35
        assert layer["encoding"]["x"]["axis"]["labelLimit"] >= 260
        assert layer["encoding"]["x"]["axis"]["labelOverlap"] is False  # every sector named, none hidden
        assert layer["encoding"]["y"]["axis"]["labelLimit"] >= 320


def test_heatmap_values_come_from_published_cells_only() -> None:
    table = pd.DataFrame(
        {
            "group": ["digital_data", "digital_data", "lean_quality", "lean_quality", None],
            "sector": ["C25", "C28", "C25", "C28", None],
            "companies": [4, None, 5, 3, 12],
            "gap_units": [10, 999, 7, 4, 21],  # 999: a value left in a suppressed row by mistake
            "suppressed": [False, True, False, False, False],
            "is_total": [False, False, False, False, True],
        }
    )
    spec = gap_heatmap(table).to_dict()
    coloured, grey, labels = spec["layer"]
    plotted = {
        (row["group"], row["sector"]): row["gap_units"] for row in layer_data(spec, coloured)
    }
    assert plotted == {
        ("digital_data", "C25"): 10.0,
        ("lean_quality", "C25"): 7.0,
        ("lean_quality", "C28"): 4.0,
    }
    assert [(row["group"], row["sector"]) for row in layer_data(spec, grey)] == [
        ("digital_data", "C28")
    ]
    texts = sorted(row["text"] for row in layer_data(spec, labels))
    assert texts == sorted(["10", "7", "4", ":c"])
    assert "999" not in json.dumps(
        spec["datasets"]
    )  # the total (21) and the hidden value never appear


def test_top_gaps_chart(region: Dataset) -> None:
    table = gap_view(region, "skill", settings=SETTINGS)
    spec = top_gaps_chart(table).to_dict()
    rows = layer_data(spec, spec)
    # published skills: PLC programming 16, Lean 6 (cnc and iot suppressed; total left out)
    assert [(row["name"], row["gap_units"], row["companies"]) for row in rows] == [
        ("PLC programming", 16.0, 5.0),
        ("Lean", 6.0, 3.0),
    ]
    assert spec["mark"]["type"] == "bar"
    assert (
        spec["encoding"]["x"]["field"] == "gap_units" and spec["encoding"]["y"]["field"] == "name"
    )
    assert "2 confidential" in spec["title"]["subtitle"]
    first = top_gaps_chart(table, n=1).to_dict()
    assert [row["name"] for row in layer_data(first, first)] == ["PLC programming"]


def test_coverage_chart(region: Dataset) -> None:
    own = coverage(region, "skill", company="E", settings=SETTINGS)
    spec = coverage_chart(own).to_dict()
    rows = layer_data(spec, spec)
    # E: plc 4 units, all covered; lean 2 units, none covered → two bars of two segments each
    assert {(row["name"], row["status"]): row["units"] for row in rows} == {
        ("PLC programming", "covered"): 4.0,
        ("PLC programming", "uncovered"): 0.0,
        ("Lean", "covered"): 0.0,
        ("Lean", "uncovered"): 2.0,
    }
    assert spec["encoding"]["color"]["field"] == "status"
    assert spec["encoding"]["x"]["stack"] == "zero"
    region_spec = coverage_chart(coverage(region, "skill", settings=SETTINGS)).to_dict()
    # region view: only lean (6 units, 0 covered) is published
    assert {row["name"] for row in layer_data(region_spec, region_spec)} == {"Lean"}


def test_a_coverage_bar_whose_split_is_withheld_shows_its_total_in_grey() -> None:
    table = pd.DataFrame(
        {
            "skill": ["plc", "cam"], "label": ["PLC programming", "CAM programming"], "companies": [5, 4],
            "gap_units": [10.0, 23.0], "covered_units": [6.0, None], "uncovered_units": [4.0, None],
            "covered_share": [0.6, None], "suppressed": [False, False], "is_total": [False, False],
        }
    )
    spec = coverage_chart(table).to_dict()
    rows = {(row["name"], row["status"]): row["units"] for row in layer_data(spec, spec)}
    # CAM's total is shown, its split withheld: one grey bar of 23, not an empty row that reads as 0
    assert rows == {
        ("PLC programming", "covered"): 6.0,
        ("PLC programming", "uncovered"): 4.0,
        ("CAM programming", "split not shown"): 23.0,
    }
    assert spec["encoding"]["color"]["scale"]["domain"] == ["covered", "uncovered", "split not shown"]


def test_curriculum_gaps_chart(region: Dataset) -> None:
    spec = curriculum_gaps_chart(curriculum_gaps(region, settings=SETTINGS)).to_dict()
    rows = layer_data(spec, spec)
    assert [(row["name"], row["gap_units"], row["sectors"]) for row in rows] == [
        ("Lean (level 2)", 6.0, "C25, C28")
    ]
    assert spec["encoding"]["color"]["field"] == "why_uncovered"
    own = curriculum_gaps(region, company="F", settings=SETTINGS)
    own_spec = curriculum_gaps_chart(own).to_dict()
    own_rows = layer_data(own_spec, own_spec)
    assert [row["name"] for row in own_rows] == [
        "Industrial IoT (level 3)",
        "CNC milling (level 1)",
    ]


def test_charts_of_empty_tables(region: Dataset) -> None:
    empty = gap_view(Dataset.empty(), "skill", settings=SETTINGS)
    spec = top_gaps_chart(empty).to_dict()
    assert layer_data(spec, spec) == []
    heat = gap_heatmap(gap_view(Dataset.empty(), ("group", "sector"), settings=SETTINGS)).to_dict()
    assert all(layer_data(heat, layer) == [] for layer in heat["layer"])


def test_comparison_charts_say_what_they_show_with_the_currency() -> None:
    from skills.charts import closed_by_group_chart, cost_by_payer_chart, runs_by_provider_chart

    costs = pd.DataFrame(
        {"run": ["base", "base", "tight"], "year": [2027, 2027, 2027], "payer": ["public", "company", "public"], "amount": [800.0, 200.0, 500.0]}
    )
    spec = cost_by_payer_chart(costs, "DKK").to_dict()
    assert spec["title"] == "Cost per year, by who pays (DKK)"
    # Two runs: one panel per run; colour is the payer alone, so the legend's swatches are the bars'.
    assert spec["facet"]["column"]["field"] == "run"
    encoding = spec["spec"]["encoding"]
    assert encoding["y"]["title"] == "Cost (DKK)"
    assert encoding["color"]["field"] == "payer"
    assert encoding["color"]["scale"]["domain"] == ["company", "public"]  # the same colours in every language
    assert not {"opacity", "xOffset"} & set(encoding)
    assert len(next(iter(spec["datasets"].values()))) == 3
    one = cost_by_payer_chart(costs[costs["run"] == "base"], "DKK").to_dict()
    assert "facet" not in one and one["encoding"]["color"]["field"] == "payer"
    closed = pd.DataFrame({"run": ["base", "tight"], "group": ["Automation and robotics"] * 2, "closed_units": [12.0, 7.5]})
    spec = closed_by_group_chart(closed).to_dict()
    assert spec["title"] == "Gap units closed, by skill group"
    assert [row["closed_units"] for row in next(iter(spec["datasets"].values()))] == [12.0, 7.5]
    runs = pd.DataFrame({"run": ["base"], "year": [2027], "provider": ["Kattegat Tech"], "runs": [3]})
    assert runs_by_provider_chart(runs).to_dict()["encoding"]["x"]["title"] == "Course runs"

"""AppTest of the data and review pages: they render, import a file end to end, and resolve a review item."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from skills import i18n, regions, service
from skills.cli import main
from tests.fixtures.builders import csv_bytes
from tests.fixtures.signin import signed_in
from tests.test_i18n import displayed

PAGES = Path(__file__).resolve().parents[1] / "pages"
SURVEY_HEADER = [
    "company_name", "region", "sector", "employees",
    "skill", "headcount", "current_level", "required_level", "needed_by", "priority",
]


@pytest.fixture(autouse=True)
def _sample(database_url: str) -> None:
    service._store_for.cache_clear()
    assert main(["init", "--sample"]) == 0


def test_data_page_renders_templates_and_export() -> None:
    app = signed_in(AppTest.from_file(str(PAGES / "data.py"), default_timeout=60)).run()
    assert not app.exception
    assert app.title[0].value == "Data"
    assert [s.label for s in app.selectbox][:1] == ["What the file holds"]


def test_review_page_resolves_a_pending_phrase() -> None:
    data = csv_bytes(
        [SURVEY_HEADER, ["Fjord Plast ApS", "DK041", "C22", 25, "truckcertifikat B", 1, 0, 2, 2028, "low"]]
    )
    outcome = service.import_data("survey", data, name="fjord.csv")
    assert outcome.stored and outcome.summary["pending"] == 1
    before = demand_rows_with("occupational_health_safety")
    app = signed_in(AppTest.from_file(str(PAGES / "review.py"), default_timeout=60)).run()
    assert not app.exception
    [queue_id] = service.review_queue()["queue_id"].tolist()
    first = service.review_suggestions(int(queue_id))["label"].iloc[0]
    assert any(c.value.startswith("Likeliest skills: " + first) for c in app.caption)
    app.selectbox(key=f"review_skill_{queue_id}").set_value("occupational_health_safety")
    app.button[0].click().run()
    assert not app.exception
    assert service.review_queue().empty
    assert demand_rows_with("occupational_health_safety") == before + 1
    assert any("Nothing waits" in s.value for s in app.success)
    assert any("'truckcertifikat B' →" in s.value for s in app.success)  # the message survives the rerun


def test_the_next_phrase_starts_from_its_own_suggestion_not_the_last_choice() -> None:
    rows = [
        ["Fjord Plast ApS", "DK041", "C22", 25, "truckcertifikat B", 1, 0, 2, 2028, "low"],
        ["Fjord Plast ApS", "DK041", "C22", 25, "gaffeltruck kursus", 1, 0, 2, 2028, "low"],
    ]
    assert service.import_data("survey", csv_bytes([SURVEY_HEADER, *rows]), name="fjord.csv").summary["pending"] == 2
    app = signed_in(AppTest.from_file(str(PAGES / "review.py"), default_timeout=60)).run()
    first_id, second_id = service.review_queue()["queue_id"].astype(int).tolist()
    app.selectbox(key=f"review_skill_{first_id}").set_value("occupational_health_safety")
    app.button[0].click().run()
    assert not app.exception
    second = service.review_queue()
    assert second["queue_id"].astype(int).tolist() == [second_id]
    suggestion = second["suggestion"].iloc[0]
    expected = suggestion if isinstance(suggestion, str) and suggestion else None
    assert app.selectbox(key=f"review_skill_{second_id}").value == expected
    assert expected != "occupational_health_safety"


def demand_rows_with(skill_id: str) -> int:
    demand = service.load_dataset().demand
    return int((demand["skill"] == skill_id).sum())


def test_gaps_page_shows_company_region_and_school_views() -> None:
    app = signed_in(AppTest.from_file(str(PAGES / "gaps.py"), default_timeout=90)).run()
    assert not app.exception
    assert len(app.tabs) == 3
    assert len(app.dataframe) >= 4
    first_company = app.selectbox(key="gaps_company").value
    assert first_company
    profile = service.company_profile(first_company)
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Skill requirements already met"] == f"{100 * profile.compliance:.0f} %"
    assert metrics["Gap units"] == f"{int(profile.gaps['gap_units'].sum()):,}"
    shown = [displayed(frame) for frame in app.dataframe]
    assert any("why no course closes it" in frame.columns and len(frame) == len(profile.gaps) for frame in shown)
    [gaps] = [frame for frame in shown if "why no course closes it" in frame.columns]
    assert not {"why_no_course", "cost_per_participant", "gap_units"} & set(gaps.columns)
    assert not {"None", "nan", ":c"} & set(gaps.to_numpy().ravel().astype(str))
    app.selectbox(key="gaps_by").set_value("sector").run()
    assert not app.exception


def test_a_company_user_sees_only_its_own_company_on_the_gaps_page() -> None:
    companies = service.company_choices()
    own, other = companies["company_id"].iloc[0], companies["company_id"].iloc[1]
    app = signed_in(AppTest.from_file(str(PAGES / "gaps.py"), default_timeout=90), "company", company_id=own).run()
    assert not app.exception
    assert [tab.label for tab in app.tabs] == ["My company", "Region"]
    assert app.selectbox(key="gaps_company").options == [companies["name"].iloc[0]]
    assert all(other not in frame.value.astype(str).to_numpy().ravel() for frame in app.dataframe)


def test_plan_page_solves_and_scenarios_page_compares() -> None:
    app = signed_in(AppTest.from_file(str(PAGES / "plan.py"), default_timeout=180)).run()
    assert not app.exception
    assert any("press Solve" in info.value for info in app.info)
    app.text_input[0].set_value("page_test")
    app.button[0].click().run()
    assert not app.exception
    assert any("page_test" in message.value for message in [*app.success, *app.info])
    assert {metric.label for metric in app.metric} >= {"Gap units closed", "Course runs", "Hires"}
    assert "page_test" in service.stored_scenarios()
    plan_specs = " ".join(chart.proto.spec for chart in app.get("vega_lite_chart"))
    assert "Gap units closed and left unmet, by skill group" in plan_specs and "Course runs each year, by provider" in plan_specs
    # regions by name in the tables and in "What limits the plan", never their NUTS codes (DK041)
    page_text = " ".join([*(frame.value.to_string() for frame in app.dataframe), *(markdown.value for markdown in app.markdown)])
    assert not re.search(r"\bDK\d{2,3}\b", page_text), page_text
    assert set(app.dataframe[0].value["region"]) - {"online"} <= set(regions.NUTS_NAMES.values())  # an online run has no region
    closed = service.plan_charts(app.session_state["plan_result"])["closed_and_unmet"]
    assert closed.loc[closed["status"] == "closed", "units"].sum() == pytest.approx(app.session_state["plan_result"].closed_units)

    result: service.PlanResult = app.session_state["plan_result"]
    # Plan and Overview totals differ, and the Plan says why: the surveys' units (the Overview's figure) plus demand growth
    overview = signed_in(AppTest.from_file(str(PAGES / "home.py"), default_timeout=60)).run()
    overview_units = next(metric.value for metric in overview.metric if metric.label == "Gap units")
    english = i18n.translator("en")
    assert english.number(result.surveyed_units) == overview_units
    assert result.growth_units > 0.05  # the base scenario grows digital, automation and green demand
    assert result.closed_units + result.unmet_units == pytest.approx(result.surveyed_units + result.growth_units)
    [why] = [caption.value for caption in app.caption if caption.value.startswith("Closed and unmet add up to")]
    assert english.number(result.closed_units + result.unmet_units, 1) in why and overview_units in why
    assert english.number(result.growth_units, 1) in why and "demand growth" in why
    assert any("the Plan page says by how much" in caption.value for caption in overview.caption)
    # a second run with half the budget, then both side by side against the first
    service.solve(result.scenario.model_copy(update={"name": "half", "budget_per_year": 125_000.0}))
    compare = signed_in(AppTest.from_file(str(PAGES / "scenarios.py"), default_timeout=60)).run()
    assert not compare.exception
    assert compare.selectbox(key="compare_baseline").value == "half"  # the first name, sorted
    compare.selectbox(key="compare_baseline").set_value("page_test").run()
    assert not compare.exception
    kpis = compare.dataframe[0].value.set_index("key figure")
    # figures are numbers (their columns sort by value), shown in the language with each figure's decimals
    assert all(pd.api.types.is_float_dtype(kpis[column]) for column in kpis.columns), kpis.dtypes
    assert kpis.loc["Gap units closed", "page_test"] == pytest.approx(result.closed_units)
    assert kpis.loc["Public cost (EUR)", "page_test vs baseline (%)"] == 0.0
    shown = displayed(compare.dataframe[0]).set_index("key figure")
    english = i18n.translator("en")
    assert shown.loc["Gap units closed", "page_test"] == english.number(result.closed_units, 1)
    assert shown.loc["Public cost (EUR)", "page_test"] == english.number(result.public_cost)  # money in whole units
    assert shown.loc["Public cost (EUR)", "page_test vs baseline (%)"] == "0.0"
    assert re.fullmatch(r"\d+", shown.loc["Course runs opened", "page_test"])  # counts are whole: never "47.0"
    settings = compare.dataframe[1].value
    assert settings["setting"].tolist() == ["public budget per year"]
    assert set(settings["half"]) == {"EUR 125,000"}  # the setting's money with its currency
    runs = compare.dataframe[2].value
    assert set(runs["run"]) == {"page_test", "half"} and runs["on the current data"].all()
    assert set(runs["changes against the base"]) >= {"public budget per year: EUR 250,000 → EUR 125,000"}, runs["changes against the base"]
    specs = " ".join(chart.proto.spec for chart in compare.get("vega_lite_chart"))
    assert "Cost per year, by who pays (EUR)" in specs and "Gap units closed, by skill group" in specs
    assert not compare.warning  # both runs are on the current data

    # a budget sweep from the same page: the curve, its table, and each solved budget stored as a run
    compare.text_input(key="sweep_budgets").set_value("0 100000 250000")
    compare.number_input(key="sweep_time").set_value(5)
    compare.button(key="sweep_run").click().run(timeout=240)
    assert not compare.exception and not compare.error
    specs = " ".join(chart.proto.spec for chart in compare.get("vega_lite_chart"))
    assert "Gap units closed against the public budget (EUR a year)" in specs
    curve, _knee = compare.session_state["sweep_curve"]
    assert curve["budget"].tolist() == [0.0, 100000.0, 250000.0]
    assert curve["weighted_closed_units"].is_monotonic_increasing
    assert any(name.startswith("base-budget-") for name in service.stored_scenarios())


def test_overview_shows_the_top_gaps_the_coverage_and_the_heatmap() -> None:
    app = signed_in(AppTest.from_file(str(PAGES / "home.py"), default_timeout=60), "policymaker").run()
    assert not app.exception
    specs = [chart.proto.spec for chart in app.get("vega_lite_chart")]
    assert len(specs) == 3
    joined = " ".join(specs)
    assert "Largest skills gaps" in joined and "Gap units the course catalogue can cover" in joined
    assert "Gap units by skill group and sector" in joined
    assert any("cell-key noise" in caption.value or "withheld" in caption.value for caption in app.caption)  # the disclosure rule beside them

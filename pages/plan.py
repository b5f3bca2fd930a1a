"""Plan: solve a scenario — who trains on which course when, which runs open, whom to recruit — and why not more."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import streamlit as st

from pages import cached
from skills import charts, service
from skills.errors import VetplanError

_ = cached.translator()
#: How the public budget is given: none, one amount for every year, or an amount per year.
BUDGET_FORMS = {
    "unlimited": _("Unlimited"),
    "same": _("The same every year"),
    "by_year": _("Set per year"),
}
#: What the solver proved, in words (the statuses other than optimal and feasible).
STATUS_NAMES = {
    "poor": _("a valid plan, but far from the best bound"),
    "infeasible": _("no plan satisfies the input"),
    "error": _("the solver found no plan"),
}
#: What each objective does, in words.
OBJECTIVES = {
    "max_coverage": _("close the most gaps, then spend least"),
    "min_cost": _("spend least for a coverage target"),
}

st.title(_("Training and recruitment plan"))
who = cached.signed_in()
currency = cached.info(cached.data_key(), who).currency

files = service.scenario_files()
file_column, scenario_column = st.columns(2)
base_file = file_column.selectbox(_("Scenario file"), files, format_func=lambda path: Path(path).stem, key="plan_base")
scenario_name = scenario_column.selectbox(
    _("Start from"), service.scenario_names(base_file), key=f"plan_scenario_{Path(base_file).stem}",
    help=_("base, or a scenario of the file: its fragments applied in order on the base"),
)
base = service.load_scenario(base_file, name=scenario_name)
stem = f"{Path(base_file).stem}_{scenario_name}"  # widget keys per starting scenario, so each starts from its own values
if base.fragments:
    st.caption(
        _("Applies on the base: {fragments}. Changes against the base: {changes}").format(
            fragments=", ".join(base.fragments), changes=_.changes("; ".join(service.scenario_changes(base, base_file)), currency)
        )
    )

left, middle, right = st.columns(3)
name = left.text_input(_("Scenario name"), value=base.name, key=f"plan_name_{stem}")
objective = left.selectbox(
    _("Objective"),
    list(OBJECTIVES),
    index=0 if base.objective == "max_coverage" else 1,
    format_func=OBJECTIVES.__getitem__,
    key=f"plan_objective_{stem}",
)
subsidy = middle.slider(
    _("Subsidy rate (public share of training cost)"), 0.0, 1.0, float(base.subsidy_rate), 0.05, key=f"plan_subsidy_{stem}"
)
target = middle.slider(
    _("Coverage target (min_cost)"), 0.0, 1.0, float(base.coverage_target or 0.4), 0.05, key=f"plan_target_{stem}",
    disabled=objective != "min_cost",
)
time_limit = float(
    right.number_input(_("Time limit (s)"), min_value=1, value=round(base.time_limit_s), step=10, format="%d", key=f"plan_time_{stem}")
)

st.subheader(_("Public budget"))
base_budget = base.budget_per_year
base_form = "unlimited" if base_budget is None else "by_year" if isinstance(base_budget, dict) else "same"
form = st.radio(
    _("Public budget"), list(BUDGET_FORMS), index=list(BUDGET_FORMS).index(base_form), format_func=BUDGET_FORMS.__getitem__,
    horizontal=True, key=f"plan_budget_form_{stem}", label_visibility="collapsed",
)
budget: float | dict[int, float] | None
if form == "unlimited":
    budget = None
    st.caption(_("No ceiling on public money: the plan spends what closing the gaps needs."))
elif form == "same":
    same = base_budget if isinstance(base_budget, int | float) else max(base_budget.values()) if isinstance(base_budget, dict) else 0.0
    budget = float(
        st.number_input(
            _("Public budget per year ({currency})").format(currency=currency), min_value=0, value=round(same), step=1000,
            format="%d", key=f"plan_budget_{stem}",
        )
    )
    st.caption(_("0 means no public money: companies pay all training themselves."))
else:
    columns = st.columns(min(len(base.years), 6))
    budget = {}
    for index, year in enumerate(base.years):
        start = base.budget(year)
        budget[year] = float(
            columns[index % len(columns)].number_input(
                f"{year} ({currency})", min_value=0, value=round(start or 0), step=1000, format="%d", key=f"plan_budget_{stem}_{year}"
            )
        )
    st.caption(_("0 in a year means no public money that year."))

if st.button(_("Solve"), type="primary", key="plan_solve"):
    wanted: dict[str, Any] = {
        "name": name,
        "budget_per_year": budget,
        "subsidy_rate": subsidy,
        "objective": objective,
        "time_limit_s": time_limit,
    }
    if objective == "min_cost":
        wanted["coverage_target"] = target
    overrides = service.scenario_overrides(base, wanted)
    try:
        with st.spinner(_("Solving…")):
            st.session_state["plan_result"] = service.solve(
                service.load_scenario(base_file, overrides, name=scenario_name),
                store=cached.store(), principal=who, source_file=base_file,
            )
    except VetplanError as error:
        st.error(str(error))

result = st.session_state.get("plan_result")
if result is None:
    st.info(_("Choose a scenario and press Solve. Stored results are compared on the Scenarios page."))
    st.stop()

status = result.status.value
scenario = result.scenario.name
if status == "optimal":
    st.success(_("Scenario {scenario}: optimal plan.").format(scenario=scenario))
elif status == "feasible" and result.gap is None:
    st.info(_("Scenario {scenario}: good plan, not proven optimal.").format(scenario=scenario))
elif status == "feasible":
    st.info(
        _("Scenario {scenario}: good plan, not proven optimal (within {gap} of the best bound).").format(
            scenario=scenario, gap=_.percent(result.gap, 2)
        )
    )
elif status == "poor":
    st.warning(
        _("Scenario {scenario}: poor plan — valid, but far from the best bound, so not a good plan. {message}").format(
            scenario=scenario, message=result.result.message
        )
    )
else:
    st.error(
        _("Scenario {scenario}: {status}. {message}").format(
            scenario=scenario, status=STATUS_NAMES.get(status, status), message=result.result.message
        )
    )
    st.stop()  # no plan: no plan figures, charts or tables (a min-cost target's reachable coverage is in the message)
if result.result.cost_gap is not None:
    st.caption(
        _("Its cost is within {gap} of the cheapest plan that closes as much.").format(gap=_.percent(result.result.cost_gap, 2))
    )
if result.violations:
    st.error(
        _("The plan checker found {count} violation(s): {violations}").format(
            count=_.number(len(result.violations)), violations="; ".join(map(str, result.violations[:5]))
        )
    )
st.caption(_("Public budget: {budget}.").format(budget=_.budget(result.scenario.budget_per_year, currency)))

summary = result.to_json_dict()
cols = [*st.columns(3), *st.columns(3)]  # two rows of three: each figure has room to show whole
cols[0].metric(_("Gap units closed"), _.number(result.closed_units))
cols[1].metric(_("Unmet gap units"), _.number(result.unmet_units))
cols[2].metric(_("Participants"), _.number(summary["participants"]["total"]))
cols[3].metric(_("Course runs"), _.number(summary["runs"]["total"]))
cols[4].metric(_("Hires"), _.number(summary["hires"]["total"]))
cols[5].metric(_("Public cost"), _.compact_money(result.public_cost, currency), help=_.money(result.public_cost, currency))
if abs(result.growth_units) >= 0.05:  # why Plan and Overview differ: the scenario grows demand to each deadline
    st.caption(
        _(
            "Closed and unmet add up to {total} gap units: the {surveyed} the surveys state (as on the Overview) "
            "and {growth} from this scenario's demand growth up to each gap's deadline."
        ).format(
            total=_.number(result.closed_units + result.unmet_units, 1), surveyed=_.number(result.surveyed_units),
            growth=_.number(result.growth_units, 1),
        )
    )
else:
    st.caption(_("Closed and unmet add up to the {surveyed} gap units the surveys state, as on the Overview.").format(
        surveyed=_.number(result.surveyed_units)
    ))

plan_charts = service.plan_charts(result, store=cached.store(), principal=who)
if len(plan_charts["closed_and_unmet"]):
    left, right = st.columns(2)
    cached.draw(left, charts.closed_and_unmet_chart(plan_charts["closed_and_unmet"]))
    cached.draw(right, charts.cost_by_payer_chart(plan_charts["cost_by_year"], currency))
    cached.draw(st, charts.runs_timeline_chart(plan_charts["runs_by_year"]))

skills = cached.skill_choices(cached.data_key())
#: English skill labels (what the explanations name) -> the session's language
skill_names = dict(zip(skills["label"], skills["label_da" if _.language == "da" else "label"], strict=True))
limits = service.plan_limits(result, store=cached.store(), principal=who)
if limits:
    st.subheader(_("What limits the plan"))
    for sentence in limits[:10]:
        st.markdown(f"- {_.explanation(sentence, skill_names)}")

runs_tab, participants_tab, hires_tab, unmet_tab = st.tabs(
    [_("Course runs"), _("Participants"), _("Hires"), _("Unmet gaps and why")]
)
shown = service.plan_view(result, store=cached.store(), principal=who)
if not who.sees_everything:
    st.caption(_.disclosure(service.disclosure_terms(), plan=True))
runs_tab.dataframe(cached.shown(shown["runs"], currency), hide_index=True, width="stretch")
participants_tab.dataframe(cached.shown(shown["participants"], currency), hide_index=True, width="stretch")
hires_tab.dataframe(cached.shown(shown["hires"], currency, figure="hires"), hide_index=True, width="stretch")
unmet = service.unmet_reasons(result, store=cached.store(), principal=who)
if "sentence" in unmet:  # each gap in one sentence that names the company and the skill (the subject holds their ids)
    unmet = unmet.drop(columns="subject").assign(sentence=[_.explanation(str(text), skill_names) for text in unmet["sentence"]])
unmet_tab.dataframe(cached.shown(unmet, currency, figure="unmet_units"), hide_index=True, width="stretch")

shown_plan: service.PlanResult = result
if who.sees_everything:
    st.download_button(
        _("Download the plan (xlsx)"),
        functools.partial(service.plan_workbook, shown_plan, principal=who),
        f"plan-{result.scenario.name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
    )

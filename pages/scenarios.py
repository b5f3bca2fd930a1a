"""Scenarios: stored runs against a baseline; a company or a school sees its own part of them."""

import functools

import streamlit as st

from pages import cached
from skills import charts, service
from skills.errors import VetplanError

_ = cached.translator()
words = _.words()
#: Decimals of each key figure (closed units can be fractions of a unit; people, runs and money are whole).
KPI_DIGITS = {"weighted_closed_units": 1, "closed_units": 1, "unmet_units": 1}
def kpi_name(kpi: str) -> str:
    """What a key figure is called, money with its currency."""
    names = {
        "weighted_closed_units": _("Gap units closed, weighted by priority"),
        "closed_units": _("Gap units closed"),
        "unmet_units": _("Gap units left unmet"),
        "total_cost": _("Total cost ({currency})"),
        "public_cost": _("Public cost ({currency})"),
        "company_cost": _("Company cost ({currency})"),
        "cost_per_closed_unit": _("Total cost per closed gap unit ({currency})"),
        "companies_reached": _("Companies with staff on a course or a hire"),
        "runs": _("Course runs opened"),
        "participants": _("Participants"),
        "hires": _("Hires"),
        "training_hours": _("Training hours (participants × course hours)"),
    }
    if kpi.startswith("closed_units:"):
        group = kpi.removeprefix("closed_units:")
        return _("Gap units closed: {group}").format(group=_.chart_values().get(group, group))
    return names.get(kpi, kpi.replace("_", " ")).format(currency=comparison_currency)


comparison_currency = "EUR"
st.title(_("Compare scenarios"))
who = cached.signed_in()
key = cached.results_key()
data = cached.data_key()
names = cached.stored_scenarios(key, who)
if not names:
    st.info(_("No stored results yet: solve a scenario on the Plan page or with `vetplan solve`."))
    st.stop()

chosen = st.multiselect(_("Scenarios (each at its latest run)"), names, default=names, key="compare_names")
if not chosen:
    st.stop()

if str(who.role) in {"policymaker", "analyst", "admin"}:
    baseline = st.selectbox(_("Baseline"), chosen, key="compare_baseline", help=_("The run the others are compared with."))
    comparison = cached.compare_runs(key, data, who, tuple(chosen), baseline or chosen[0])
    for note in comparison.notes:
        st.warning(_.stale_note(note))
    currency = comparison_currency = comparison.currency

    st.subheader(_("Key figures against the baseline"))
    table = comparison.against_baseline
    kpis = list(dict.fromkeys(table["kpi"]))
    values = table.pivot(index="kpi", columns="run", values="value").reindex(kpis)
    differences = table.pivot(index="kpi", columns="run", values="difference_pct").reindex(kpis)
    key_figures = {_("key figure"): [kpi_name(kpi) for kpi in kpis]}
    key_figures.update({str(run): values[run].tolist() for run in values.columns})
    key_figures.update({_("{run} vs baseline (%)").format(run=run): differences[run].tolist() for run in differences.columns})
    styled = _.figures(key_figures, [KPI_DIGITS.get(kpi, 0) for kpi in kpis], {name: 1 for name in list(key_figures)[1 + len(values.columns):]})
    st.dataframe(styled, hide_index=True, width="stretch")

    st.subheader(_("Settings that differ"))
    if len(comparison.settings):
        settings = comparison.settings.copy()
        for column in settings.columns[1:]:
            settings[column] = [_.setting_value(str(key), value, currency) for key, value in zip(settings["setting"], settings[column], strict=True)]
        settings["setting"] = settings["setting"].map(lambda name: _.setting_name(str(name)))
        st.dataframe(settings.rename(columns={"setting": _("setting")}), hide_index=True, width="stretch")
    else:
        st.caption(_("The runs compared share every setting."))

    runs = comparison.runs[["label", "scenario", "run_id", "created_at", "status", "gap", "data_version", "on_current_data", "changes"]]
    runs = runs.assign(gap=runs["gap"].map(lambda share: _.percent(share, 2) if share is not None and share == share else ""))
    st.dataframe(cached.shown(runs.drop(columns="scenario"), currency), hide_index=True, width="stretch")

    left, right = st.columns(2)
    cached.draw(left, charts.closed_by_group_chart(comparison.charts["closed_by_group"]))
    cached.draw(right, charts.cost_by_payer_chart(comparison.charts["cost_by_payer"], currency))
    cached.draw(st, charts.runs_by_provider_chart(comparison.charts["runs_by_provider"]))
    st.download_button(
        _("Download the comparison (xlsx)"),
        functools.partial(service.comparison_workbook, comparison),
        "comparison.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
    )
    with st.expander(_("Budget sweep: what more public money buys")):
        sweep_name = st.selectbox(_("Scenario"), service.scenario_names(), key="sweep_name")
        budgets_text = st.text_input(
            _("Public budgets per year ({currency}), separated by spaces").format(currency=currency),
            "50000 100000 150000 200000 250000 300000 400000 500000", key="sweep_budgets",
        )
        time_limit = float(st.number_input(_("Time limit per budget (s)"), min_value=5, value=30, step=5, format="%d", key="sweep_time"))
        if st.button(_("Run the sweep"), key="sweep_run"):
            try:
                budgets = [float(text) for text in budgets_text.replace(",", " ").split()]
            except ValueError:
                st.error(_("Write the budgets as numbers separated by spaces, for example 50000 100000 150000."))
            else:
                try:
                    with st.status(_("Solving each budget…")):
                        sweep = service.sweep_budgets(
                            budgets, name=sweep_name, overrides={"time_limit_s": time_limit}, in_process=True,
                            store=cached.store(), principal=who,
                        )
                    st.session_state["sweep_curve"] = (sweep.to_frame(), sweep.knee_budget)
                except VetplanError as error:
                    st.error(str(error))
        if "sweep_curve" in st.session_state:
            curve, knee_budget = st.session_state["sweep_curve"]
            cached.draw(st, charts.sweep_chart(curve, currency))
            if knee_budget is not None:
                st.caption(
                    _("Diminishing returns from {budget} a year: above it, each extra unit of money closes less.").format(
                        budget=_.money(knee_budget, currency)
                    )
                )
            columns = [c for c in ("budget", "weighted_closed_units", "closed_units", "public_cost", "status", "gap", "reused_from") if c in curve]
            st.dataframe(cached.shown(curve[columns], currency), hide_index=True, width="stretch")
    st.subheader(_("Course runs by scenario"))
else:
    st.caption(_("Your part of each plan, {who}.").format(who=_.describe(who, cached.own_company_name(who))))
    st.subheader(_("Course runs your staff attend") if who.company_id else _("Course runs your courses hold"))
currency = cached.info(data, who).currency
st.dataframe(cached.shown(cached.scenario_table(key, who, "runs", tuple(chosen)), currency), hide_index=True, width="stretch")
if who.company_id:
    st.subheader(_("Your staff on courses"))
    st.dataframe(cached.shown(cached.scenario_table(key, who, "participants", tuple(chosen)), currency), hide_index=True, width="stretch")
    st.subheader(_("Your hires"))
    st.dataframe(
        cached.shown(cached.scenario_table(key, who, "hires", tuple(chosen)), currency, figure="hires"), hide_index=True, width="stretch"
    )

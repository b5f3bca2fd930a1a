"""Scenarios: stored runs against a baseline; a company or a school sees its own part of them."""

import functools

import streamlit as st

from pages import cached
from skills import charts, service
from skills.errors import VetplanError

_ = cached.translator()
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
        st.warning(note)
    currency = comparison.currency

    st.subheader(_("Key figures against the baseline"))
    table = comparison.against_baseline
    labels = {**service.kpi_labels(currency), **{k: k for k in table["kpi"].unique() if k not in service.kpi_labels(currency)}}
    shown = table.assign(kpi=table["kpi"].map(labels)).pivot(index="kpi", columns="run", values="value")
    differences = table.assign(kpi=table["kpi"].map(labels)).pivot(index="kpi", columns="run", values="difference_pct")
    shown = shown.join(differences.rename(columns=lambda run: _("{run} vs baseline (%)").format(run=run)))
    order = [labels[k] for k in dict.fromkeys(table["kpi"])]
    st.dataframe(shown.loc[order], width="stretch", column_config={c: st.column_config.NumberColumn(format="%,.1f") for c in shown.columns})

    st.subheader(_("Settings that differ"))
    if len(comparison.settings):
        st.dataframe(comparison.settings, hide_index=True, width="stretch")
    else:
        st.caption(_("The runs compared share every setting."))

    runs = comparison.runs[["label", "scenario", "run_id", "created_at", "status", "gap", "data_version", "on_current_data", "changes"]]
    st.dataframe(runs, hide_index=True, width="stretch", column_config={"gap": st.column_config.NumberColumn(format="percent")})

    left, right = st.columns(2)
    left.altair_chart(charts.closed_by_group_chart(comparison.charts["closed_by_group"]), width="stretch")
    right.altair_chart(charts.cost_by_payer_chart(comparison.charts["cost_by_payer"], currency), width="stretch")
    st.altair_chart(charts.runs_by_provider_chart(comparison.charts["runs_by_provider"]), width="stretch")
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
        time_limit = st.number_input(_("Time limit per budget (s)"), min_value=5.0, value=30.0, step=5.0, key="sweep_time")
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
            st.altair_chart(charts.sweep_chart(curve, currency), width="stretch")
            if knee_budget is not None:
                st.caption(
                    _("Diminishing returns from {budget} a year: above it, each extra unit of money closes less.").format(
                        budget=f"{currency} {knee_budget:,.0f}"
                    )
                )
            columns = [c for c in ("budget", "weighted_closed_units", "closed_units", "public_cost", "status", "gap", "reused_from") if c in curve]
            st.dataframe(curve[columns], hide_index=True, width="stretch")
    st.subheader(_("Course runs by scenario"))
else:
    st.caption(_("Your part of each plan, {who}.").format(who=who.describe()))
    st.subheader(_("Course runs your staff attend") if who.company_id else _("Course runs your courses hold"))
st.dataframe(cached.scenario_table(key, who, "runs", tuple(chosen)), hide_index=True, width="stretch")
if who.company_id:
    st.subheader(_("Your staff on courses"))
    st.dataframe(cached.scenario_table(key, who, "participants", tuple(chosen)), hide_index=True, width="stretch")
    st.subheader(_("Your hires"))
    st.dataframe(cached.scenario_table(key, who, "hires", tuple(chosen)), hide_index=True, width="stretch")

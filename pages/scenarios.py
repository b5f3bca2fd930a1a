"""Scenarios: stored plan results side by side; a company or a school sees its own part of them."""

import streamlit as st

from pages import cached
from skills import charts, service

st.title("Compare scenarios")
who = cached.signed_in()
key = cached.results_key()
names = cached.stored_scenarios(key, who)
if not names:
    st.info("No stored results yet: solve a scenario on the Plan page or with `vetplan solve`.")
    st.stop()

chosen = st.multiselect("Scenarios", names, default=names, key="compare_names")
if not chosen:
    st.stop()
if str(who.role) in {"policymaker", "analyst", "admin"}:
    summary = cached.compare_scenarios(key, who, tuple(chosen))
    st.altair_chart(charts.scenario_comparison_chart(summary))
    st.dataframe(summary, hide_index=True, width="stretch")
    st.download_button(
        "Download (xlsx)",
        lambda: service.write_frame(summary, "xlsx"),
        "scenarios.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
    )
    st.subheader("Course runs by scenario")
else:
    st.caption(f"Your part of each plan, {who.describe()}.")
    st.subheader("Course runs your " + ("staff attend" if who.company_id else "courses hold"))
st.dataframe(cached.scenario_table(key, who, "runs", tuple(chosen)), hide_index=True, width="stretch")
if who.company_id:
    st.subheader("Your staff on courses")
    st.dataframe(cached.scenario_table(key, who, "participants", tuple(chosen)), hide_index=True, width="stretch")
    st.subheader("Your hires")
    st.dataframe(cached.scenario_table(key, who, "hires", tuple(chosen)), hide_index=True, width="stretch")

"""Scenarios: stored plan results side by side."""

import streamlit as st

from pages import cached
from skills import charts, service

st.title("Compare scenarios")
key = cached.results_key()
names = cached.stored_scenarios(key)
if not names:
    st.info("No stored results yet: solve a scenario on the Plan page or with `vetplan solve`.")
    st.stop()

chosen = st.multiselect("Scenarios", names, default=names, key="compare_names")
if not chosen:
    st.stop()
summary = cached.compare_scenarios(key, tuple(chosen))
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
st.dataframe(cached.scenario_table(key, "runs", tuple(chosen)), hide_index=True, width="stretch")

"""Scenarios: stored plan results side by side."""

import streamlit as st

from skills import charts, service

st.title("Compare scenarios")
names = service.stored_scenarios()
if not names:
    st.info("No stored results yet: solve a scenario on the Plan page or with `vetplan solve`.")
    st.stop()

chosen = st.multiselect("Scenarios", names, default=names, key="compare_names")
if not chosen:
    st.stop()
summary = service.compare_scenarios(chosen)
st.altair_chart(charts.scenario_comparison_chart(summary))
st.dataframe(summary, hide_index=True, width="stretch")
st.download_button("Download (xlsx)", service.write_frame(summary, "xlsx"), "scenarios.xlsx")

st.subheader("Course runs by scenario")
st.dataframe(service.scenario_table("runs", chosen), hide_index=True, width="stretch")

"""Plan: solve a scenario — who trains on which course when, which runs open, whom to recruit — and why not more."""

from pathlib import Path

import streamlit as st

from skills import service
from skills.errors import VetplanError

st.title("Training and recruitment plan")

files = service.scenario_files()
base_file = st.selectbox("Start from", files, format_func=lambda path: Path(path).stem, key="plan_base")
base = service.load_scenario(base_file)
with st.form("scenario"):
    left, middle, right = st.columns(3)
    name = left.text_input("Scenario name", value=base.name)
    budget = middle.number_input(
        "Public budget per year (0 = unlimited)",
        min_value=0.0,
        value=float(base.budget_per_year) if isinstance(base.budget_per_year, int | float) else 0.0,
        step=10_000.0,
    )
    subsidy = right.slider("Subsidy rate (public share of training cost)", 0.0, 1.0, float(base.subsidy_rate), 0.05)
    objective = left.selectbox(
        "Objective",
        ["max_coverage", "min_cost"],
        index=0 if base.objective == "max_coverage" else 1,
        format_func=lambda kind: {"max_coverage": "close the most gaps, then spend least", "min_cost": "spend least for a coverage target"}[kind],
    )
    target = middle.slider("Coverage target (min_cost)", 0.0, 1.0, float(base.coverage_target or 0.4), 0.05)
    time_limit = right.number_input("Time limit (s)", min_value=1.0, value=float(base.time_limit_s), step=10.0)
    submitted = st.form_submit_button("Solve", type="primary")

if submitted:
    overrides = {
        "name": name,
        "budget_per_year": budget or None,
        "subsidy_rate": subsidy,
        "objective": objective,
        "coverage_target": target if objective == "min_cost" else None,
        "time_limit_s": time_limit,
    }
    try:
        with st.spinner("Solving…"):
            st.session_state["plan_result"] = service.solve(service.load_scenario(base_file, overrides))
    except VetplanError as error:
        st.error(str(error))

result = st.session_state.get("plan_result")
if result is None:
    st.info("Choose a scenario and press Solve. Stored results are compared on the Scenarios page.")
    st.stop()

status = result.status.value
gap_text = "" if result.gap is None else f" (within {100 * result.gap:.2f} % of the best bound)"
if status == "optimal":
    st.success(f"Scenario {result.scenario.name}: optimal plan.")
elif status == "feasible":
    st.info(f"Scenario {result.scenario.name}: good plan, not proven optimal{gap_text}.")
else:
    st.error(f"Scenario {result.scenario.name}: {status}. {result.result.message}")
if result.violations:
    st.error(f"The plan checker found {len(result.violations)} violation(s): " + "; ".join(map(str, result.violations[:5])))

summary = result.to_json_dict()
cols = st.columns(6)
cols[0].metric("Gap units closed", f"{result.closed_units:,.0f}")
cols[1].metric("Unmet gap units", f"{result.unmet_units:,.0f}")
cols[2].metric("Participants", f"{summary['participants']['total']:,}")
cols[3].metric("Course runs", f"{summary['runs']['total']:,}")
cols[4].metric("Hires", f"{summary['hires']['total']:,}")
cols[5].metric("Public cost", f"{result.public_cost:,.0f}")

limits = service.plan_limits(result)
if limits:
    st.subheader("What limits the plan")
    for sentence in limits[:10]:
        st.markdown(f"- {sentence}")

runs_tab, participants_tab, hires_tab, unmet_tab = st.tabs(["Course runs", "Participants", "Hires", "Unmet gaps and why"])
runs_tab.dataframe(result.runs, hide_index=True, width="stretch")
participants_tab.dataframe(result.participants, hide_index=True, width="stretch")
hires_tab.dataframe(result.hires, hide_index=True, width="stretch")
unmet_tab.dataframe(service.unmet_reasons(result), hide_index=True, width="stretch")

st.download_button(
    "Download the plan (xlsx)",
    service.plan_workbook(result),
    f"plan-{result.scenario.name}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)

"""Overview: the loaded region's headline figures, or what is missing."""

import streamlit as st

from pages import cached

st.title("vetplan")
st.write(
    "Which courses to run, for whom, and where recruiting is the better answer: "
    "skills gaps of manufacturing SMEs, the vocational course offer and the labour market in one plan."
)

who = cached.signed_in()
summary = cached.info(cached.data_key(), who)
counts = summary.counts
if not counts["companies"] and not counts["courses"]:
    st.warning("The database holds no region yet. Run `vetplan init --sample` or import a survey and a course catalogue.")

columns = st.columns(6)
figures = [
    ("Companies", counts["companies"]),
    ("Employees", counts["employees"]),
    ("Courses", counts["courses"]),
    ("Providers", counts["providers"]),
    ("Skills", counts["skills"]),
    ("Gap units", counts["gap_units"]),
]
for column, (label, value) in zip(columns, figures, strict=True):
    column.metric(label, f"{value:,}")

if summary.missing:
    st.subheader("Missing")
    for item in summary.missing:
        st.markdown(f"- {item}")
if summary.pending_review:
    st.info(f"{summary.pending_review} skill phrase(s) wait for review; they count as unmapped until then.")
st.caption(f"Database: {summary.database} · money in {summary.currency}")

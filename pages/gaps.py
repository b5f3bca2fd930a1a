"""Gaps: a company's own gaps, the region's picture (disclosure-controlled) and curriculum gaps for schools."""

import streamlit as st

from skills import charts, service

st.title("Skills gaps")
counts = service.info().counts
if not counts["demand_rows"]:
    st.warning("No survey answers yet: import a survey on the Data page.")
    st.stop()

waiting = service.unmapped()
if waiting["rows"]:
    st.warning(
        f"{waiting['rows']} survey row(s) ({waiting['headcount']} people) wait for skill review on the Mapping review page "
        "and are not counted in these figures yet."
    )

company_tab, region_tab, school_tab = st.tabs(["My company", "Region", "Schools: curriculum and course demand"])

with company_tab:
    companies = service.company_choices()
    names = dict(zip(companies["company_id"], companies["name"] + " (" + companies["company_id"] + ")", strict=True))
    company = st.selectbox("Company", companies["company_id"].tolist(), format_func=lambda cid: names[cid], key="gaps_company")
    if company:
        own = service.gaps("gaps", by="company", company=company)
        st.caption("Your own data: nothing is suppressed in this view.")
        st.dataframe(service.gaps_for_display(own, for_app=True), hide_index=True, width="stretch")
        st.subheader("Courses that close these gaps")
        st.dataframe(service.coverage_options(company), hide_index=True, width="stretch")

with region_tab:
    st.caption("Cells from fewer than 3 companies, or dominated by two companies, are suppressed and shown as :c.")
    dimension = st.selectbox(
        "By", ["skill", "group", "sector", "region", "size", "year", "role"], key="gaps_by"
    )
    table = service.gaps("gaps", by=dimension)
    if dimension == "skill":
        st.altair_chart(charts.top_gaps_chart(table), width="stretch")
    st.dataframe(service.gaps_for_display(table, for_app=True), hide_index=True, width="stretch")
    st.download_button("Download (xlsx)", service.write_frame(service.gaps_for_display(table), "xlsx"), f"gaps-by-{dimension}.xlsx")
    st.subheader("Skill group × sector")
    st.altair_chart(charts.gap_heatmap(service.gaps("gaps", by=("group", "sector"))), width="stretch")
    st.subheader("Coverage by the course catalogue")
    st.altair_chart(charts.coverage_chart(service.gaps("coverage", by="skill")), width="stretch")

with school_tab:
    curriculum = service.gaps("curriculum")
    st.subheader("Curriculum gaps: skills in demand that no course covers")
    st.altair_chart(charts.curriculum_gaps_chart(curriculum), width="stretch")
    st.dataframe(service.gaps_for_display(curriculum, for_app=True), hide_index=True, width="stretch")
    st.subheader("Expected course demand")
    st.caption("Participants per course and year if every coverable gap went to its cheapest covering course.")
    st.dataframe(service.gaps_for_display(service.gaps("gaps", by="course"), for_app=True), hide_index=True, width="stretch")

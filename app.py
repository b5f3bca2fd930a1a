"""vetplan Streamlit app: page routing and the shared sidebar; no logic here."""

import streamlit as st

st.set_page_config(page_title="vetplan", page_icon=":material/school:", layout="wide", initial_sidebar_state="expanded")

PAGES = [
    st.Page("pages/home.py", title="Overview", icon=":material/home:", default=True),
    st.Page("pages/gaps.py", title="Gaps", icon=":material/insights:"),
    st.Page("pages/plan.py", title="Plan", icon=":material/event_available:"),
    st.Page("pages/scenarios.py", title="Scenarios", icon=":material/compare:"),
    st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
    st.Page("pages/review.py", title="Mapping review", icon=":material/rule:"),
]

navigation = st.navigation(PAGES)
with st.sidebar:
    st.caption("vetplan — training and recruitment plans for Industry 4.0 skills gaps")
navigation.run()

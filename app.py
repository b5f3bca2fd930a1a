"""vetplan Streamlit app: page routing, the shared sidebar and the error page; no logic here."""

import logging
import uuid

import streamlit as st

from skills.errors import VetplanError

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
try:
    navigation.run()
except VetplanError as error:
    # Bad input or an unusable database: the message is written for the user.
    st.error(str(error))
except Exception:
    # Anything else is a bug: the user gets what happened and what to do, the server log the details.
    reference = uuid.uuid4().hex[:8]
    logging.getLogger("vetplan.app").exception("page %s failed (reference %s)", navigation.title, reference)
    st.error(
        f"Something went wrong while showing this page, and it stopped. Nothing you stored was changed. "
        f"Reload the page or try another one; if it happens again, tell your administrator the reference "
        f"**{reference}** — the details are in the server log under it."
    )

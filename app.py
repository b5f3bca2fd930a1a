"""vetplan Streamlit app: sign-in, page routing by role, the shared sidebar and the error page; no logic here."""

import logging
import uuid

import streamlit as st

from pages import cached
from skills.errors import VetplanError

st.set_page_config(page_title="vetplan", page_icon=":material/school:", layout="wide", initial_sidebar_state="expanded")

PAGES = {
    "home": st.Page("pages/home.py", title="Overview", icon=":material/home:", default=True),
    "gaps": st.Page("pages/gaps.py", title="Gaps", icon=":material/insights:"),
    "plan": st.Page("pages/plan.py", title="Plan", icon=":material/event_available:"),
    "scenarios": st.Page("pages/scenarios.py", title="Scenarios", icon=":material/compare:"),
    "data": st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
    "review": st.Page("pages/review.py", title="Mapping review", icon=":material/rule:"),
}
#: The pages each role is offered; the service refuses what a role may not see, whatever page asks.
PAGES_OF_ROLE = {
    "company": ["home", "gaps", "scenarios"],
    "provider": ["home", "gaps", "scenarios"],
    "policymaker": ["home", "gaps", "plan", "scenarios"],
    "analyst": list(PAGES),
    "admin": list(PAGES),
}

who = cached.principal()
if who is None:
    navigation = st.navigation([st.Page("pages/sign_in.py", title="Sign in", icon=":material/login:", default=True)])
else:
    navigation = st.navigation([PAGES[name] for name in PAGES_OF_ROLE[str(who.role)]])
with st.sidebar:
    st.caption("vetplan — training and recruitment plans for Industry 4.0 skills gaps")
    if who is not None:
        st.caption(f"Signed in as {who.describe()}")
        if st.button("Sign out", key="sign_out", icon=":material/logout:"):
            cached.sign_out()
            st.rerun()
try:
    navigation.run()
except VetplanError as error:
    # Bad input, a refused request or an unusable database: the message is written for the user.
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

"""vetplan Streamlit app: sign-in, page routing by role, the language switch, the shared sidebar and the error page."""

import logging
import uuid

import streamlit as st

from pages import cached
from skills import i18n, service
from skills.errors import VetplanError

st.set_page_config(page_title="vetplan", page_icon=":material/school:", layout="wide", initial_sidebar_state="expanded")

if i18n.LANGUAGE_KEY not in st.session_state:
    # the session starts in the default language and keeps the reader's choice from then on
    st.session_state[i18n.LANGUAGE_KEY] = i18n.language_of(service.default_language())


def remember_language() -> None:
    """Keep the switch's choice where every page reads it (runs before the page draws, so it draws in it)."""
    st.session_state[i18n.LANGUAGE_KEY] = i18n.language_of(st.session_state.get(i18n.LANGUAGE_SWITCH_KEY))


_ = cached.translator()

PAGES = {
    "home": st.Page("pages/home.py", title=_("Overview"), icon=":material/home:", default=True),
    "gaps": st.Page("pages/gaps.py", title=_("Gaps"), icon=":material/insights:"),
    "courses": st.Page("pages/courses.py", title=_("Course planning"), icon=":material/school:"),
    "plan": st.Page("pages/plan.py", title=_("Plan"), icon=":material/event_available:"),
    "scenarios": st.Page("pages/scenarios.py", title=_("Scenarios"), icon=":material/compare:"),
    "data": st.Page("pages/data.py", title=_("Data"), icon=":material/upload_file:"),
    "review": st.Page("pages/review.py", title=_("Mapping review"), icon=":material/rule:"),
}
#: The pages each role is offered; the service refuses what a role may not see, whatever page asks.
PAGES_OF_ROLE = {
    "company": ["home", "gaps", "scenarios"],
    "provider": ["home", "gaps", "courses", "scenarios"],
    "policymaker": ["home", "gaps", "courses", "plan", "scenarios"],
    "analyst": list(PAGES),
    "admin": list(PAGES),
}

who = cached.principal()
if who is None:
    navigation = st.navigation([st.Page("pages/sign_in.py", title=_("Sign in"), icon=":material/login:", default=True)])
else:
    navigation = st.navigation([PAGES[name] for name in PAGES_OF_ROLE[str(who.role)]])
with st.sidebar:
    st.selectbox(
        i18n.LANGUAGE_LABEL, list(i18n.LANGUAGES), index=list(i18n.LANGUAGES).index(cached.language()),
        format_func=i18n.LANGUAGES.__getitem__, key=i18n.LANGUAGE_SWITCH_KEY, on_change=remember_language,
    )
    st.caption(_("vetplan — training and recruitment plans for Industry 4.0 skills gaps"))
    if who is not None:
        st.caption(_("Signed in as {who}").format(who=_.describe(who, cached.own_company_name(who))))
        if st.button(_("Sign out"), key="sign_out", icon=":material/logout:"):
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
        _(
            "Something went wrong while showing this page, and it stopped. Nothing you stored was changed. "
            "Reload the page or try another one; if it happens again, tell your administrator the reference "
            "**{reference}** — the details are in the server log under it."
        ).format(reference=reference)
    )

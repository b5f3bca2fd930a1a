"""Sign in: user name and password, or the region's single sign-on when the operator configured it."""

import streamlit as st

from pages import cached
from skills import service
from skills.errors import AccessError

_ = cached.translator()
st.title(_("Sign in to vetplan"))
st.caption(
    _(
        "Each user sees what their role allows: a company its own data, a school its courses and the region's "
        "curriculum gaps, policymakers protected aggregates and scenarios."
    )
)

with st.form("sign_in"):
    user_name = st.text_input(_("User name"), key="sign_in_user")
    password = st.text_input(_("Password"), type="password", key="sign_in_password")
    submitted = st.form_submit_button(_("Sign in"), type="primary")
if submitted:
    try:
        st.session_state[cached.TOKEN] = service.sign_in(user_name, password, store=cached.store())
        st.rerun()
    except AccessError as error:
        st.error(str(error))

if cached.single_sign_on_configured():
    st.divider()
    if st.user.is_logged_in and st.user.email:
        try:
            st.session_state[cached.TOKEN] = service.sign_in_by_email(str(st.user.email), store=cached.store())
            st.rerun()
        except AccessError as error:
            st.error(str(error))
            st.button(_("Sign out of single sign-on"), on_click=st.logout)
    else:
        st.button(_("Sign in with single sign-on"), on_click=st.login)

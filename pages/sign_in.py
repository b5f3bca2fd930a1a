"""Sign in: user name and password, or the region's single sign-on when the operator configured it."""

import importlib.util

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
    # Streamlit reports the identity provider's claims in st.user once st.login succeeded; the role
    # is the users table's, found by the e-mail (st.user is not read unless the operator configured [auth]).
    st.divider()
    if st.user.is_logged_in and st.user.email:
        if st.user.get("email_verified") is False:
            st.error(
                _("Single sign-on reports {email} as not verified; vetplan signs in verified e-mail addresses only.").format(
                    email=st.user.email
                )
            )
            st.button(_("Sign out of single sign-on"), on_click=st.logout)
        else:
            try:
                st.session_state[cached.TOKEN] = service.sign_in_by_email(str(st.user.email), store=cached.store())
                st.rerun()
            except AccessError as error:
                st.error(str(error))
                st.button(_("Sign out of single sign-on"), on_click=st.logout)
    elif importlib.util.find_spec("authlib") is None:
        st.error(
            _(
                "Single sign-on is configured but cannot start: the server needs Authlib "
                "(pip install 'streamlit[auth]'). Sign in with a user name and password meanwhile."
            )
        )
    else:
        st.button(_("Sign in with single sign-on"), on_click=st.login)

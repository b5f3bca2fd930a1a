"""Single sign-on (OpenID Connect through ``st.login``): the role comes from the users table by e-mail.

No identity provider is reached: AppTest seeds ``st.user`` (what Streamlit reports after ``st.login``)
and ``st.secrets`` (the operator's ``[auth]`` section).
"""

from __future__ import annotations

import importlib.machinery
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pages.cached import TOKEN
from skills import accounts, service
from skills.access import Principal, Role
from skills.dataset import Dataset
from skills.errors import AccessError, SignInError
from skills.store import Store
from tests.conftest import tiny_frames

APP = str(Path(__file__).resolve().parents[1] / "app.py")
#: What an operator puts in ``.streamlit/secrets.toml`` (values made up; nothing is contacted).
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret",
    "client_id": "vetplan",
    "client_secret": "a-test-client-secret",
    "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration",
}


@pytest.fixture
def region(database_url: str) -> Iterator[Store]:
    """The tiny region in a fresh database, with an SSO-only company user and a password user."""
    service._store_for.cache_clear()
    store = service.get_store()
    store.save_dataset(Dataset.from_frames(tiny_frames()))
    accounts.add_user(store, "hr-c1", "company", company_id="C1", email="HR@Holst.example", password="")
    accounts.add_user(store, "policy", "policymaker", password="a long enough password")
    yield store
    service._store_for.cache_clear()


def _app(*, configured: bool, user: dict[str, object] | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=30)
    if configured:
        app.secrets["auth"] = AUTH
    app.user = user if user is not None else {"is_logged_in": False}
    return app


def _buttons(app: AppTest) -> list[str]:
    return [button.label for button in app.button]


def test_without_oidc_the_password_form_is_shown_and_no_login_button(region: Store) -> None:
    app = _app(configured=False, user={"is_logged_in": True, "email": "hr@holst.example"}).run()
    assert not app.exception
    assert [field.label for field in app.text_input] == ["User name", "Password"]
    assert not any("single sign-on" in label for label in _buttons(app))
    assert TOKEN not in app.session_state  # st.user is not trusted when the operator did not configure OIDC


@pytest.fixture
def authlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Authlib (``streamlit[auth]``) as the server would have it: only its presence is checked before a click."""
    module = types.ModuleType("authlib")
    module.__spec__ = importlib.machinery.ModuleSpec("authlib", None)
    monkeypatch.setitem(sys.modules, "authlib", module)


def test_with_oidc_configured_a_login_button_beside_the_password_form(region: Store, authlib: None) -> None:
    app = _app(configured=True).run()
    assert not app.exception
    assert [field.label for field in app.text_input] == ["User name", "Password"]
    assert "Sign in with single sign-on" in _buttons(app)
    assert not app.error
    assert TOKEN not in app.session_state


def test_oidc_configured_without_authlib_says_what_the_server_needs(region: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "authlib", None)  # an import of it fails, as when it is not installed
    app = _app(configured=True).run()
    assert not app.exception
    assert "Sign in with single sign-on" not in _buttons(app)
    assert any("streamlit[auth]" in error.value for error in app.error)
    assert [field.label for field in app.text_input] == ["User name", "Password"]


def test_a_known_email_signs_in_with_that_users_role(region: Store) -> None:
    app = _app(configured=True, user={"is_logged_in": True, "email": "hr@holst.example", "email_verified": True}).run()
    assert not app.exception, app.exception
    who = accounts.session_principal(region, app.session_state[TOKEN])
    assert who == Principal("hr-c1", Role.COMPANY, company_id="C1")  # the e-mail matched case-insensitively
    assert not app.error
    # the company's pages, not the sign-in page
    assert not app.text_input or "Password" not in [field.label for field in app.text_input]
    assert any("hr-c1" in caption.value for caption in app.sidebar.caption)


def test_signing_out_ends_the_session_row_and_single_sign_on(region: Store) -> None:
    # what the sidebar's Sign out button calls (a second AppTest run does not redraw this app's sidebar)
    app = AppTest.from_string("from pages import cached\ncached.sign_out()\n", default_timeout=30)
    app.secrets["auth"] = AUTH
    app.user = {"is_logged_in": True, "email": "hr@holst.example"}
    token = accounts.sign_in_by_email(region, "hr@holst.example")
    app.session_state[TOKEN] = token
    app.run()
    assert not app.exception
    assert TOKEN not in app.session_state
    assert _session_rows(region, "hr-c1") == 0
    assert accounts.session_principal(region, token) is None
    assert app.user == {"is_logged_in": False}  # st.logout ran: reloading does not sign in again by e-mail


def _session_rows(store: Store, user_name: str) -> int:
    from sqlalchemy import func, select

    from skills.store import sessions

    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).where(sessions.c.user_name == user_name)).scalar_one())


def test_an_unknown_email_is_refused_with_a_clear_message(region: Store) -> None:
    app = _app(configured=True, user={"is_logged_in": True, "email": "stranger@example.org"}).run()
    assert not app.exception
    assert TOKEN not in app.session_state
    assert [error.value for error in app.error] == [
        "stranger@example.org signed in, but no vetplan user has this e-mail; ask an administrator to add you"
    ]
    assert "Sign out of single sign-on" in _buttons(app)


def test_an_unverified_email_is_refused(region: Store) -> None:
    app = _app(configured=True, user={"is_logged_in": True, "email": "hr@holst.example", "email_verified": False}).run()
    assert not app.exception
    assert TOKEN not in app.session_state
    assert any("not verified" in error.value for error in app.error)


def test_an_sso_only_user_has_no_password_to_guess(region: Store) -> None:
    with pytest.raises(SignInError, match=accounts.WRONG):
        accounts.sign_in(region, "hr-c1", "")
    with pytest.raises(SignInError, match=accounts.WRONG):
        accounts.sign_in(region, "hr-c1", "any password at all")
    with pytest.raises(AccessError, match="no vetplan user has this e-mail"):
        accounts.sign_in_by_email(region, "nobody@holst.example")
    # a password user without an e-mail cannot be reached through single sign-on
    with pytest.raises(AccessError):
        accounts.sign_in_by_email(region, "")

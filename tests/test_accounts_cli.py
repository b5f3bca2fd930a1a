"""`vetplan user add|list|remove|passwd`: generated passwords shown once, never a hash, sessions ended."""

from __future__ import annotations

import json

import pytest

from skills import accounts, service
from skills.cli import main
from skills.errors import SignInError
from skills.store import Store


@pytest.fixture
def store(database_url: str) -> Store:
    service._store_for.cache_clear()
    assert main(["init"]) == 0
    return service.get_store()


def _json(capsys: pytest.CaptureFixture[str]) -> object:
    return json.loads(capsys.readouterr().out)


def test_user_add_list_passwd_remove(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["user", "add", "ana", "--role", "analyst", "--json"]) == 0
    first = _json(capsys)
    assert isinstance(first, dict) and len(first["password"]) >= accounts.MIN_PASSWORD_LENGTH
    token = accounts.sign_in(store, "ana", first["password"])

    assert main(["user", "list", "--json"]) == 0
    listed = capsys.readouterr().out
    assert "ana" in listed and "argon2" not in listed and first["password"] not in listed

    assert main(["user", "passwd", "ana", "--json"]) == 0
    second = _json(capsys)
    assert isinstance(second, dict) and second["password"] != first["password"]
    assert accounts.session_principal(store, token) is None  # a new password ends the sessions
    with pytest.raises(SignInError):
        accounts.sign_in(store, "ana", first["password"])
    token = accounts.sign_in(store, "ana", second["password"])

    assert main(["user", "remove", "ana"]) == 0
    assert accounts.session_principal(store, token) is None
    with pytest.raises(SignInError):
        accounts.sign_in(store, "ana", second["password"])
    capsys.readouterr()
    assert main(["user", "remove", "ana"]) == 2  # unknown now: a message, not a traceback
    assert "no user 'ana'" in capsys.readouterr().err


def test_user_add_refuses_an_unbound_company_and_adds_an_sso_only_user(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["user", "add", "x", "--role", "company", "--company", "NOPE"]) == 2
    assert "stored company" in capsys.readouterr().err
    assert main(["user", "add", "sso", "--role", "policymaker", "--email", "p@example.org", "--sso-only"]) == 0
    assert "single sign-on only" in capsys.readouterr().out
    with pytest.raises(SignInError):
        accounts.sign_in(store, "sso", "")

"""Users, passwords and sessions: Argon2 hashes, throttled sign-in, sessions that expire."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, insert, select, update

from skills.access import Principal, Role
from skills.errors import AccessError, InputError, NotFoundError, SignInError
from skills.settings import Settings, load_settings
from skills.store import Store, sessions, users

#: Argon2id with the library's defaults (RFC 9106 low-memory profile).
_HASHER: Final = PasswordHasher()
#: Verified when the user name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH: Final = _HASHER.hash("vetplan: no such user")
#: The longest wait a run of failures can cause.
MAX_WAIT: Final = timedelta(minutes=15)
#: Fewest characters of a password a person chooses (generated ones are longer).
MIN_PASSWORD_LENGTH: Final = 12
#: The one message for an unknown user and a wrong password: it does not tell which.
WRONG: Final = "unknown user name or wrong password"
#: ``last_seen`` is written at most this often, so a page view is not a write.
_TOUCH_EVERY: Final = timedelta(minutes=1)


@dataclass(frozen=True)
class User:
    """A stored user, without the password hash."""

    user_name: str
    role: Role
    company_id: str | None
    provider: str | None
    email: str | None

    def principal(self) -> Principal:
        return Principal(self.user_name, self.role, company_id=self.company_id, provider=self.provider)


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def generate_password() -> str:
    """A random password of 20 URL-safe characters (about 120 bits)."""
    return secrets.token_urlsafe(15)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        msg = f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
        raise InputError(msg)


def _check_binding(store: Store, role: Role, company_id: str | None, provider: str | None) -> None:
    """A company user names a stored company, a provider user a stored provider; other roles neither."""
    if role is Role.COMPANY:
        companies = store.read_frame("companies")
        if not company_id or company_id not in set(companies["company_id"]):
            msg = f"a company user needs the id of a stored company (--company); {company_id!r} is not one"
            raise InputError(msg)
    elif role is Role.PROVIDER:
        providers = set(store.read_frame("courses")["provider"])
        if not provider or provider not in providers:
            msg = f"a provider user needs the name of a provider of a stored course (--provider); {provider!r} is not one"
            raise InputError(msg)
    elif company_id or provider:
        msg = f"the {role} role is not bound to a company or provider"
        raise InputError(msg)


def _check_name(user_name: str) -> str:
    name = user_name.strip()
    if not name or len(name) > 100 or not name.isprintable():
        msg = f"a user name is 1 to 100 printable characters; {user_name!r} is not"
        raise InputError(msg)
    return name


def add_user(
    store: Store,
    user_name: str,
    role: Role | str,
    *,
    company_id: str | None = None,
    provider: str | None = None,
    email: str | None = None,
    password: str | None = None,
) -> str:
    """Store a user and return their password (a generated one unless ``password`` is given).

    Only the Argon2 hash is stored. A user with only an ``email`` and ``password=""`` signs in
    through single sign-on only.
    """
    name = _check_name(user_name)
    try:
        role = Role(role)
    except ValueError:
        msg = f"unknown role {role!r}; expected one of {', '.join(Role)}"
        raise InputError(msg) from None
    _check_binding(store, role, company_id, provider)
    chosen = generate_password() if password is None else password
    if chosen:
        _check_password(chosen)
    with store.transaction(advances=()) as connection:
        if connection.execute(select(users.c.user_name).where(users.c.user_name == name)).first():
            msg = f"a user {name!r} exists already (vetplan user passwd {name} sets a new password)"
            raise InputError(msg)
        if email and connection.execute(select(users.c.user_name).where(func.lower(users.c.email) == email.lower())).first():
            msg = f"another user has the e-mail {email!r}"
            raise InputError(msg)
        connection.execute(
            insert(users).values(
                user_name=name,
                role=str(role),
                company_id=company_id,
                provider=provider,
                email=email.lower() if email else None,
                password_hash=_HASHER.hash(chosen) if chosen else None,
                failed_attempts=0,
                created_at=_stamp(_now()),
            )
        )
    return chosen


def list_users(store: Store) -> pd.DataFrame:
    """Every user: name, role, company, provider, e-mail and whether sign-in waits (never a hash)."""
    query = select(
        users.c.user_name, users.c.role, users.c.company_id, users.c.provider, users.c.email, users.c.locked_until, users.c.created_at
    ).order_by(users.c.user_name)
    with store.engine.connect() as connection:
        rows = connection.execute(query).mappings().all()
    return pd.DataFrame([dict(row) for row in rows], columns=[c.name for c in query.selected_columns])


def get_user(store: Store, user_name: str) -> User:
    """One stored user. Raises :class:`NotFoundError` for an unknown name."""
    with store.engine.connect() as connection:
        row = connection.execute(select(users).where(users.c.user_name == user_name)).mappings().first()
    if row is None:
        msg = f"no user {user_name!r} (vetplan user list shows them)"
        raise NotFoundError(msg)
    return User(row["user_name"], Role(row["role"]), row["company_id"], row["provider"], row["email"])


def remove_user(store: Store, user_name: str) -> None:
    """Remove a user and end their sessions."""
    get_user(store, user_name)
    with store.transaction(advances=()) as connection:
        connection.execute(delete(sessions).where(sessions.c.user_name == user_name))
        connection.execute(delete(users).where(users.c.user_name == user_name))


def set_password(store: Store, user_name: str, password: str | None = None) -> str:
    """Give a user a new password (generated unless given), clear their failures and end their sessions."""
    get_user(store, user_name)
    chosen = generate_password() if password is None else password
    _check_password(chosen)
    with store.transaction(advances=()) as connection:
        connection.execute(
            update(users)
            .where(users.c.user_name == user_name)
            .values(password_hash=_HASHER.hash(chosen), failed_attempts=0, locked_until=None)
        )
        connection.execute(delete(sessions).where(sessions.c.user_name == user_name))
    return chosen


def _wait_after(failures: int, settings: Settings) -> timedelta:
    """How long sign-in waits after ``failures`` wrong passwords in a row: none at first, then doubling."""
    extra = failures - settings.sign_in_free_failures
    if extra <= 0:
        return timedelta(0)
    return min(timedelta(seconds=settings.sign_in_wait_s * 2 ** min(extra - 1, 20)), MAX_WAIT)


def sign_in(store: Store, user_name: str, password: str, *, now: datetime | None = None) -> str:
    """Check a password and open a session; the returned token identifies it (keep it secret).

    After ``sign_in_free_failures`` wrong passwords in a row, each further attempt must wait
    (30 s, then doubling, at most 15 minutes), even with the right password.

    Raises
    ------
    SignInError
        For an unknown user or a wrong password (one message for both), or while sign-in waits.
    """
    settings = load_settings()
    moment = now or _now()
    with store.engine.connect() as connection:
        row = connection.execute(select(users).where(users.c.user_name == user_name.strip())).mappings().first()
    if row is None or not row["password_hash"]:
        _verify(_DUMMY_HASH, password)
        raise SignInError(WRONG)
    if row["locked_until"] and datetime.fromisoformat(row["locked_until"]) > moment:
        seconds = int((datetime.fromisoformat(row["locked_until"]) - moment).total_seconds()) + 1
        msg = f"too many wrong passwords for {row['user_name']!r}: try again in {seconds} s"
        raise SignInError(msg)
    if not _verify(row["password_hash"], password):
        failures = int(row["failed_attempts"] or 0) + 1
        wait = _wait_after(failures, settings)
        with store.transaction(advances=()) as connection:
            connection.execute(
                update(users)
                .where(users.c.user_name == row["user_name"])
                .values(failed_attempts=failures, locked_until=_stamp(moment + wait) if wait else None)
            )
        raise SignInError(WRONG)
    return _open_session(store, row["user_name"], moment, settings)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _open_session(store: Store, user_name: str, moment: datetime, settings: Settings) -> str:
    token = secrets.token_urlsafe(32)
    with store.transaction(advances=()) as connection:
        connection.execute(
            update(users).where(users.c.user_name == user_name).values(failed_attempts=0, locked_until=None)
        )
        connection.execute(sessions.delete().where(sessions.c.expires_at < _stamp(moment)))
        connection.execute(
            insert(sessions).values(
                token_hash=_token_hash(token),
                user_name=user_name,
                created_at=_stamp(moment),
                expires_at=_stamp(moment + timedelta(hours=settings.session_hours)),
                last_seen=_stamp(moment),
            )
        )
    return token


def sign_in_by_email(store: Store, email: str, *, now: datetime | None = None) -> str:
    """Open a session for the user with ``email`` (after single sign-on proved who they are).

    Raises
    ------
    AccessError
        When no user has that e-mail: single sign-on proves who someone is, not what they may see.
    """
    with store.engine.connect() as connection:
        row = connection.execute(select(users.c.user_name).where(func.lower(users.c.email) == email.lower())).first()
    if row is None:
        msg = f"{email} signed in, but no vetplan user has this e-mail; ask an administrator to add you"
        raise AccessError(msg)
    return _open_session(store, row[0], now or _now(), load_settings())


def session_principal(store: Store, token: str | None, *, now: datetime | None = None) -> Principal | None:
    """The principal of an open session, or None when the token is unknown, expired or idle too long."""
    if not token:
        return None
    settings = load_settings()
    moment = now or _now()
    query = (
        select(sessions.c.expires_at, sessions.c.last_seen, users.c.user_name, users.c.role, users.c.company_id, users.c.provider)
        .join(users, users.c.user_name == sessions.c.user_name)
        .where(sessions.c.token_hash == _token_hash(token))
    )
    with store.engine.connect() as connection:
        row = connection.execute(query).mappings().first()
    if row is None:
        return None
    last_seen = datetime.fromisoformat(row["last_seen"])
    if datetime.fromisoformat(row["expires_at"]) <= moment or moment - last_seen > timedelta(minutes=settings.session_idle_minutes):
        sign_out(store, token)
        return None
    if moment - last_seen > _TOUCH_EVERY:
        with store.transaction(advances=()) as connection:
            connection.execute(update(sessions).where(sessions.c.token_hash == _token_hash(token)).values(last_seen=_stamp(moment)))
    return Principal(row["user_name"], Role(row["role"]), company_id=row["company_id"], provider=row["provider"])


def sign_out(store: Store, token: str | None) -> None:
    """End a session (nothing happens for an unknown token)."""
    if token:
        with store.transaction(advances=()) as connection:
            connection.execute(delete(sessions).where(sessions.c.token_hash == _token_hash(token)))


def demo_users(store: Store) -> list[dict[str, str]]:
    """One demo user per role for the sample region, with generated passwords (returned once, stored as hashes).

    Users that exist already are left alone and listed without a password.
    """
    companies = store.read_frame("companies").sort_values("company_id")
    providers = sorted(set(store.read_frame("courses")["provider"]))
    wanted: list[tuple[str, Role, str | None, str | None]] = [
        ("admin", Role.ADMIN, None, None),
        ("analyst", Role.ANALYST, None, None),
        ("policy", Role.POLICYMAKER, None, None),
    ]
    if len(companies):
        wanted.append(("company", Role.COMPANY, str(companies["company_id"].iloc[0]), None))
    if providers:
        wanted.append(("school", Role.PROVIDER, None, str(providers[0])))
    existing = set(list_users(store)["user_name"])
    created = []
    for name, role, company_id, provider in wanted:
        entry = {"user": name, "role": str(role), "company_id": company_id or "", "provider": provider or ""}
        if name in existing:
            entry["password"] = ""
        else:
            entry["password"] = add_user(store, name, role, company_id=company_id, provider=provider)
        created.append(entry)
    return created

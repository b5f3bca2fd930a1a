"""Who may see what: the roles, the principal a request acts for, and the checks the service applies."""

from __future__ import annotations

import contextvars
import enum
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

from skills.errors import AccessError


class Role(enum.StrEnum):
    """What a user is, and so what the service shows them.

    ``company`` and ``provider`` are bound to one company or one course provider.
    """

    COMPANY = "company"
    PROVIDER = "provider"
    POLICYMAKER = "policymaker"
    ANALYST = "analyst"
    ADMIN = "admin"


#: What each role is for, in the words of the sign-in page and ``vetplan user list``.
ROLE_PURPOSE: Final = {
    Role.COMPANY: "an SME's HR staff: their own company's data, unsuppressed, and its part of plans",
    Role.PROVIDER: "a school or course provider: demand for its own courses, the region's curriculum gaps, its runs in plans",
    Role.POLICYMAKER: "regional policymakers: protected aggregates and scenario results without company identities",
    Role.ANALYST: "analysts: everything, and data management",
    Role.ADMIN: "administrators: everything, data management and users",
}


@dataclass(frozen=True)
class Principal:
    """The user a service call acts for.

    Examples
    --------
    >>> Principal.parse("company:C001")
    Principal(user='as company:C001', role=<Role.COMPANY: 'company'>, company_id='C001', provider=None)
    >>> Principal.operator().sees_everything
    True
    """

    user: str
    role: Role
    company_id: str | None = None
    provider: str | None = None

    @classmethod
    def operator(cls) -> Principal:
        """The operator at the database host (the CLI): sees everything."""
        return cls("operator", Role.ADMIN)

    @classmethod
    def parse(cls, text: str) -> Principal:
        """A principal from ``ROLE[:ID]`` (``company:C001``, ``provider:Kattegat Tech``, ``policymaker``).

        Raises
        ------
        InputError
            For an unknown role, or a company or provider role without its id.
        """
        role_text, _, bound = text.partition(":")
        try:
            role = Role(role_text.strip().lower())
        except ValueError:
            msg = f"unknown role {role_text!r}; expected one of {', '.join(Role)} (company and provider as ROLE:ID)"
            raise AccessError(msg) from None
        bound = bound.strip()
        if role in (Role.COMPANY, Role.PROVIDER) and not bound:
            msg = f"the {role} role needs the {'company id' if role is Role.COMPANY else 'provider name'}: --as {role}:ID"
            raise AccessError(msg)
        if role not in (Role.COMPANY, Role.PROVIDER) and bound:
            msg = f"the {role} role is not bound to a company or provider; write --as {role}"
            raise AccessError(msg)
        return cls(
            f"as {text.strip()}",
            role,
            company_id=bound if role is Role.COMPANY else None,
            provider=bound if role is Role.PROVIDER else None,
        )

    @property
    def sees_everything(self) -> bool:
        """Analysts and administrators see every row, unsuppressed."""
        return self.role in (Role.ANALYST, Role.ADMIN)

    def describe(self) -> str:
        """Who this is, for a page header: ``anna (company C001)``."""
        bound = self.company_id or self.provider
        return f"{self.user} ({self.role}{' ' + bound if bound else ''})"


_CURRENT: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("vetplan_principal", default=None)


@contextmanager
def acting_as(principal: Principal) -> Iterator[Principal]:
    """Service calls in this block, in this thread, act for ``principal`` unless they name another."""
    token = _CURRENT.set(principal)
    try:
        yield principal
    finally:
        _CURRENT.reset(token)


def who(principal: Principal | None) -> Principal:
    """The principal a call acts for: the one it names, else the one of :func:`acting_as`.

    Raises
    ------
    AccessError
        When neither is set: nobody signed in, so nothing is shown.
    """
    found = principal or _CURRENT.get()
    if found is None:
        msg = "sign in first: this needs a signed-in user"
        raise AccessError(msg)
    return found


def require(principal: Principal | None, roles: tuple[Role, ...], action: str) -> Principal:
    """The principal, if its role is one of ``roles``; otherwise an :class:`AccessError` naming ``action``."""
    found = who(principal)
    if found.role not in roles:
        allowed = ", ".join(str(role) for role in roles)
        msg = f"{action} is not open to the {found.role} role (only {allowed})"
        raise AccessError(msg)
    return found


#: Roles that see every row (data management, review, raw exports).
EVERYTHING: Final = (Role.ANALYST, Role.ADMIN)
#: Roles that plan scenarios and see their results without company identities.
PLANNERS: Final = (Role.POLICYMAKER, Role.ANALYST, Role.ADMIN)


def require_company(principal: Principal | None, company_id: str) -> Principal:
    """The principal, if it may see ``company_id``'s own data: that company's users, analysts and admins."""
    found = who(principal)
    if found.sees_everything or (found.role is Role.COMPANY and found.company_id == company_id):
        return found
    if found.role is Role.COMPANY:
        msg = "you can see your own company's data only"
    else:
        msg = f"a single company's data is not open to the {found.role} role; choose a regional view"
    raise AccessError(msg)


def require_provider(principal: Principal | None, provider: str) -> Principal:
    """The principal, if it may see ``provider``'s own course figures: that provider's users, analysts and admins."""
    found = who(principal)
    if found.sees_everything or (found.role is Role.PROVIDER and found.provider == provider):
        return found
    msg = (
        "you can see your own courses' figures only"
        if found.role is Role.PROVIDER
        else f"a single provider's course figures are not open to the {found.role} role"
    )
    raise AccessError(msg)

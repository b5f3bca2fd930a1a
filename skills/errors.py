"""Project exceptions and the problem record every input check reports."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in user input.

    ``row`` is the spreadsheet row number as a user sees it (header = row 1);
    ``None`` when the problem concerns the whole table or a column.
    """

    message: str
    table: str = ""
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    severity: str = "error"  # "error" rejects the import, "warning" keeps the row

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = [
            part
            for part in (
                f"file {self.file}" if self.file else "",
                f"sheet {self.sheet}" if self.sheet else "",
                f"table {self.table}" if self.table else "",
                f"row {self.row}" if self.row is not None else "",
                f"column {self.column}" if self.column else "",
            )
            if part
        ]
        value = f" (value {self.value!r})" if self.value != "" else ""
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}{value}" if prefix else f"{self.message}{value}"


class VetplanError(Exception):
    """Base class of every error vetplan raises on purpose."""


class InputError(VetplanError):
    """User input (a file, a table, a CLI argument) is not acceptable.

    Carries the list of problems so callers can show all of them at once.
    """

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems: list[Problem] = list(problems or [])

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        shown = "\n".join(f"  - {p}" for p in self.problems[:20])
        more = len(self.problems) - 20
        tail = f"\n  ... and {more} more" if more > 0 else ""
        return f"{head}\n{shown}{tail}"


class SettingsError(InputError):
    """A setting in the environment (``VETPLAN_*``, ``DATABASE_URL``) has a value vetplan cannot use."""


class StoreError(VetplanError):
    """The database cannot be reached or is in an unexpected state."""


class StoreBusyError(StoreError):
    """Another write kept the database's write lock too long; nothing was changed, trying again will do.

    The CLI exits with code 2 for it, as for bad input: the user's next step is to try again.
    """


class NotFoundError(InputError):
    """The user named something that does not exist (a review item, a stored scenario, a table)."""


class AccessError(InputError):
    """The signed-in user may not see or do this (or nobody is signed in); the message says what is open to them."""


class SignInError(AccessError):
    """A sign-in was refused: unknown user or wrong password (one message for both), or too many failures."""


class ScenarioError(InputError):
    """A scenario file or override is invalid or conflicts with another."""


class SolverError(VetplanError):
    """The solver failed for a reason other than the model itself."""


@dataclass
class Report:
    """Outcome of an import: counts and every problem found."""

    rows_read: int = 0
    rows_accepted: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "problems": [p.as_dict() for p in self.problems],
        }

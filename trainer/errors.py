"""Errors a user can cause and read: each carries a one-line message, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class TrainerError(Exception):
    """A refusal the user can act on (bad input, not permitted, conflict, unavailable)."""

    exit_code = 1


class NotFound(TrainerError):
    pass


class PermissionDenied(TrainerError):
    pass


class Conflict(TrainerError):
    """Someone else saved the record first; `current` holds what they saved."""

    def __init__(self, message: str, current: Any = None) -> None:
        super().__init__(message)
        self.current = current


@dataclass(frozen=True)
class FieldProblem:
    field: str
    reason: str
    row: int | None = None

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}{self.field}: {self.reason}"


class ValidationFailed(TrainerError):
    def __init__(self, problems: list[FieldProblem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class DatabaseError(TrainerError):
    """The database cannot be opened or is of the wrong version."""


# The start of the message for an exception no code foresaw; tests look for it (a bug, though never a traceback).
INTERNAL = "internal error"


class DatabaseBusy(TrainerError):
    """The database stayed locked or unreachable past the wait: nothing was changed; try again."""


def readable(exc: BaseException) -> TrainerError:
    """Any exception from a service call as a one-line refusal the user can act on.

    TrainerErrors pass through. Driver errors (a locked SQLite file, a restarted
    PostgreSQL server, a dropped connection) become DatabaseBusy, which a screen
    shows while keeping what is on it, so the person can retry. Anything else is
    a fault, still reported in one line rather than closing the app.
    """
    if isinstance(exc, TrainerError):
        return exc
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else exc.__cause__
    if isinstance(cause, OSError) and not isinstance(exc, OSError):  # a library's wrapper (xlsxwriter …)
        return readable(cause)
    text = (str(exc).strip() or exc.__class__.__name__).splitlines()[0][:300]
    if _is_database_error(exc):
        if type(exc).__name__ in ("IntegrityError", "UniqueViolation", "ForeignKeyViolation"):
            return Conflict(f"not saved: the database refused it ({text}); reload and try again")
        if "locked" in text or "busy" in text:
            return DatabaseBusy("busy: another program is writing to the database (an import?); try again")
        return DatabaseBusy(f"the database is unavailable ({text}); nothing was saved: try again")
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        return TrainerError(f"{where}{exc.strerror or text}")
    if isinstance(exc, MemoryError):
        return TrainerError("out of memory: the input is too large")
    if isinstance(exc, RecursionError):
        return TrainerError("the input is nested too deeply")
    return TrainerError(f"{INTERNAL} ({exc.__class__.__name__}: {text})")


def _is_database_error(exc: BaseException) -> bool:
    import sqlite3

    import peewee

    if isinstance(exc, (peewee.PeeweeException, sqlite3.Error)):
        return True
    # psycopg2 and other DB-API drivers: their errors derive from a class named Error in the driver's module
    return any(k.__module__.split(".")[0] in ("psycopg2", "psycopg") for k in type(exc).__mro__)

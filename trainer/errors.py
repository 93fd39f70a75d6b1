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

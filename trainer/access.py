"""Who is acting, and what each role may do: the one permission matrix services check."""
from __future__ import annotations

from dataclasses import dataclass, field

from trainer.errors import PermissionDenied

ROLES = ("admin", "registrar", "instructor", "analyst", "auditor")

# operation -> roles allowed. Services call `require(actor, op)`; screens only
# hide what this would refuse anyway.
PERMISSIONS: dict[str, frozenset[str]] = {
    "trainee.read": frozenset({"admin", "registrar", "instructor", "auditor"}),
    "trainee.write": frozenset({"admin", "registrar"}),
    "trainee.identify": frozenset({"admin", "registrar", "auditor"}),  # names and national IDs
    "course.read": frozenset(ROLES),
    "course.write": frozenset({"admin"}),
    "cohort.read": frozenset({"admin", "registrar", "instructor", "auditor"}),
    "cohort.write": frozenset({"admin", "registrar"}),
    "enrolment.write": frozenset({"admin", "registrar"}),
    "attendance.write": frozenset({"admin", "instructor"}),
    "result.write": frozenset({"admin", "instructor"}),
    "certificate.issue": frozenset({"admin"}),
    "report.run": frozenset({"admin", "analyst", "auditor"}),
    "user.manage": frozenset({"admin"}),
    "reference.write": frozenset({"admin"}),
    "audit.read": frozenset({"admin", "auditor"}),
    "demo.load": frozenset({"admin"}),
    "import.run": frozenset({"admin", "registrar"}),
}


@dataclass(frozen=True)
class Actor:
    """The acting user, carried into every service call."""

    user_id: int | None
    username: str
    role: str
    centre_ids: frozenset[int] = field(default_factory=frozenset)

    def may(self, operation: str) -> bool:
        return self.role in PERMISSIONS[operation]


# The process itself (migrations, first-user bootstrap, tests' fixtures).
SYSTEM = Actor(user_id=None, username="system", role="admin")


def require(actor: Actor, operation: str) -> None:
    if not actor.may(operation):
        raise PermissionDenied(f"{actor.username} ({actor.role}) may not {operation.replace('.', ' ')}")

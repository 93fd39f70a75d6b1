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
    "certificate.read": frozenset({"admin", "registrar", "instructor", "auditor"}),
    "certificate.revoke": frozenset({"admin"}),
    "session.write": frozenset({"admin", "registrar", "instructor"}),
    "graduation.confirm": frozenset({"admin"}),
    "report.run": frozenset({"admin", "analyst", "auditor"}),
    "user.manage": frozenset({"admin"}),
    "reference.write": frozenset({"admin"}),
    "audit.read": frozenset({"admin", "auditor"}),  # the whole trail, `trainer audit log/verify`
    "record.history": frozenset({"admin", "registrar", "auditor"}),  # one record's changes (names shown)
    "backup.run": frozenset({"admin"}),
    "backup.restore": frozenset({"admin"}),
    "demo.load": frozenset({"admin"}),
    "import.run": frozenset({"admin", "registrar"}),
    "merge.run": frozenset({"admin", "registrar"}),  # two records found to be one person
    "vetting.write": frozenset({"admin", "registrar"}),  # record a funder's vetting decision
    # Police in a Box (docs/stations.md): stations, kits, postings, programs of instruction.
    "station.read": frozenset({"admin", "registrar", "analyst", "auditor"}),
    "station.write": frozenset({"admin"}),
    "kit.move": frozenset({"admin", "registrar"}),  # receive, issue, set up, transfer (centre-scoped)
    "kit.check": frozenset({"admin", "registrar"}),  # inventory checks (centre-scoped)
    "posting.read": frozenset({"admin", "registrar", "auditor"}),  # names of posted officers
    "posting.write": frozenset({"admin", "registrar"}),
    "program.write": frozenset({"admin"}),  # programs of instruction, a cohort's delivering nations
    "site.manage": frozenset({"admin"}),  # site identity, its keys, trusted peers (docs/sync.md)
}


@dataclass(frozen=True)
class Actor:
    """The acting user, carried into every service call."""

    user_id: int | None
    username: str
    role: str
    centre_ids: frozenset[int] = field(default_factory=frozenset)
    # The signed-in app's UserSession; None for one-shot CLI commands and the system.
    session_id: int | None = None

    def may(self, operation: str) -> bool:
        return self.role in PERMISSIONS[operation]


# The process itself (migrations, first-user bootstrap, tests' fixtures).
SYSTEM = Actor(user_id=None, username="system", role="admin")


class SessionEnded(PermissionDenied):
    """An administrator disabled the account or changed its role: sign in again."""


def require(actor: Actor, operation: str) -> None:
    if actor.session_id is not None:
        check_session(actor)
    if not actor.may(operation):
        raise PermissionDenied(f"{actor.username} ({actor.role}) may not {operation.replace('.', ' ')}")


def check_session(actor: Actor) -> None:
    """Refuse an actor whose sign-in session an administrator has ended (one indexed read)."""
    from db import models
    from db.connection import database

    with database.connection_context():
        row = (
            models.UserSession.select(models.UserSession.ended_at, models.UserSession.end_reason)
            .where(models.UserSession.id == actor.session_id)
            .tuples()
            .first()
        )
    if row is None or row[0] is not None:
        reason = {
            "disabled": "your account was disabled",
            "role-changed": "your role or centres were changed",
            "password-changed": "your password was changed",
        }.get(row[1] if row else "", "your session ended")
        raise SessionEnded(f"{reason}: sign in again")


# Scope. A registrar acts only at their own centre(s); an instructor only on the
# cohorts they teach. Other roles are limited by the matrix alone (admin
# everywhere; auditor and analyst never write). Services call these after, or
# instead of, `require`.
CENTRE_SCOPED = frozenset({"registrar"})
TEACHING_SCOPED = frozenset({"instructor"})


def require_centre(actor: Actor, centre_id: int, operation: str | None = None) -> None:
    """`operation` (if given) per the matrix, and the centre within the actor's scope."""
    if operation is not None:
        require(actor, operation)
    if actor.role in CENTRE_SCOPED and centre_id not in actor.centre_ids:
        raise PermissionDenied(f"{actor.username} ({actor.role}) does not work at this centre")


def teaches(actor: Actor, cohort_id: int) -> bool:
    from db import models
    from db.connection import database

    CI = models.CohortInstructor
    with database.connection_context():
        return CI.select().where((CI.cohort == cohort_id) & (CI.user == actor.user_id)).exists()


def require_teaches(actor: Actor, cohort_id: int, operation: str | None = None) -> None:
    """`operation` (if given) per the matrix, and an instructor teaching this cohort."""
    if operation is not None:
        require(actor, operation)
    if actor.role in TEACHING_SCOPED and not teaches(actor, cohort_id):
        raise PermissionDenied(f"{actor.username} (instructor) does not teach this cohort")


def require_cohort(actor: Actor, cohort_id: int, operation: str | None = None) -> None:
    """Both scopes for an operation on one cohort: its centre (registrar) and its teachers (instructor)."""
    if operation is not None:
        require(actor, operation)
    if actor.role in CENTRE_SCOPED:
        from db import models
        from db.connection import database

        with database.connection_context():
            centre = models.Cohort.select(models.Cohort.centre).where(models.Cohort.id == cohort_id).scalar()
        require_centre(actor, centre)
    require_teaches(actor, cohort_id)


def home_centre(actor: Actor) -> int | None:
    """The centre a registrar registers people at (their first, if they work at several)."""
    return min(actor.centre_ids) if actor.role in CENTRE_SCOPED and actor.centre_ids else None


def require_trainee(actor: Actor, trainee_id: int, operation: str | None = None) -> None:
    """`operation` (if given) per the matrix, and, for a registrar, a trainee of theirs: registered
    at one of their centres, or enrolled in a cohort at one (docs/robustness.md)."""
    if operation is not None:
        require(actor, operation)
    if actor.role not in CENTRE_SCOPED:
        return
    from db import models
    from db.connection import database

    T, E, C = models.Trainee, models.Enrolment, models.Cohort
    centres = list(actor.centre_ids)
    with database.connection_context():
        registered = T.select().where((T.id == trainee_id) & T.registered_centre.in_(centres)).exists()
        enrolled = registered or (
            E.select().join(C, on=(E.cohort == C.id)).where((E.trainee == trainee_id) & C.centre.in_(centres)).exists()
        )
    if not enrolled:
        raise PermissionDenied(
            f"{actor.username} (registrar) may change only trainees registered or enrolled at their centre"
        )

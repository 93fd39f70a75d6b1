"""The site settings an admin changes, by name: what each means, its default, and how its text is read.

One catalogue serves `trainer settings get|set` and the Admin area's settings
screen, so both accept the same words and refuse the same mistakes. The values
live in the `setting` table where their readers look for them (the idle lock,
the vetting gate, session planning, the backup schedule, certificates).
Users' guide: docs/settings.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trainer.accounts import backup, settings
from trainer.accounts.access import Actor, require
from trainer.errors import FieldProblem, ValidationFailed

DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


@dataclass(frozen=True)
class SiteSetting:
    key: str
    label: str
    meaning: str  # one line, shown under the value
    default: Any
    parse: Callable[[str], Any]  # text -> value; ValueError says what is wanted
    show: Callable[[Any], str] = str


def _whole(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise ValueError(f"a whole number from {low} to {high}") from None
        if not low <= value <= high:
            raise ValueError(f"a whole number from {low} to {high}")
        return value

    return parse


def _days(text: str) -> list[str]:
    names = [d.strip().lower()[:3] for d in text.replace(" ", ",").split(",") if d.strip()]
    if not names or any(n not in DAYS for n in names):
        raise ValueError(f"day names separated by commas, from {', '.join(DAYS)}")
    return list(dict.fromkeys(names))


def _text(limit: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        text = " ".join(text.split())
        if len(text) > limit:
            raise ValueError(f"at most {limit} characters")
        return text

    return parse


def _cell(text: str) -> str:
    """ "IQ-NI police": a province code and a force code, as the requirement table has them."""
    from db import models
    from db.connection import database

    parts = text.split()
    if len(parts) != 2:
        raise ValueError("a province code and a force code, e.g. IQ-NI police")
    province, force = parts[0].upper(), parts[1].lower()
    with database.connection_context():
        if not models.Province.select().where(models.Province.code == province).exists():
            raise ValueError(f"no province {province} (codes like IQ-NI, IQ-AN)")
        if not models.Force.select().where(models.Force.code == force).exists():
            raise ValueError(f"no force {force} (police, border, army, cts, tribal, peshmerga)")
    return f"{province} {force}"


# Backup settings are the three parts of backup.schedule, written through backup.set_schedule.
BACKUP_PARTS = {"backup_every_hours": "every_hours", "backup_directory": "directory", "backup_keep": "keep"}

CATALOGUE: tuple[SiteSetting, ...] = (
    SiteSetting(
        "idle_lock_minutes",
        "Idle lock (minutes)",
        "Ask for the password again after this many quiet minutes.",
        10,
        _whole(1, 240),
    ),
    SiteSetting(
        "vetting_validity_months",
        "Vetting valid for (months)",
        "An approval clears a person for cohorts starting within these months.",
        12,
        _whole(1, 60),
    ),
    SiteSetting(
        "working_week",
        "Working week",
        "Days on which sessions are planned (holidays are left out).",
        ["sun", "mon", "tue", "wed", "thu"],
        _days,
        lambda v: ", ".join(v),
    ),
    SiteSetting(
        "certificate_signatory",
        "Certificate signatory",
        "Signer printed on new certificates; empty: the user who issues them.",
        "",
        _text(80),
    ),
    SiteSetting(
        "dashboard_requirement",
        "Dashboard requirement",
        "The requirement shown on its own dashboard line (e.g. IQ-NI police).",
        "IQ-NI police",
        _cell,
    ),
    # The readiness rule's two thresholds (trainer/stations/readiness.py; docs/stations.md, "Readiness").
    SiteSetting(
        "readiness.strength_pct",
        "Ready: strength (%)",
        "A station is ready with qualified officers at least this % of its authorised strength.",
        100,
        _whole(1, 200),
    ),
    SiteSetting(
        "readiness.ilp_pct",
        "Ready: ILP/community (%)",
        "A ready station also has at least this % of those officers trained in ILP or community policing.",
        20,
        _whole(0, 100),
    ),
    SiteSetting(
        "backup_every_hours",
        "Backup every (hours)",
        "0 = off. A system timer runs `trainer backup --scheduled` hourly.",
        0,
        _whole(0, 744),
    ),
    SiteSetting(
        "backup_directory",
        "Backup folder",
        "Where scheduled backups go (on the machine that runs the timer).",
        "",
        _text(400),
    ),
    SiteSetting("backup_keep", "Backups kept", "The newest this many scheduled backups are kept.", 14, _whole(1, 1000)),
)
BY_KEY = {s.key: s for s in CATALOGUE}


def _known(key: str) -> SiteSetting:
    if key not in BY_KEY:
        raise ValidationFailed([FieldProblem("key", f"no setting {key!r} (settings: {', '.join(BY_KEY)})")])
    return BY_KEY[key]


def value(actor: Actor, key: str) -> Any:
    item = _known(key)
    if key in BACKUP_PARTS:
        return backup.schedule()[BACKUP_PARTS[key]]
    return settings.get(actor, key, item.default)


def values(actor: Actor) -> list[tuple[SiteSetting, str]]:
    """Every setting with its current value as text, in the catalogue's order."""
    return [(item, item.show(value(actor, item.key))) for item in CATALOGUE]


def change(actor: Actor, key: str, text: str) -> str:
    """Set a setting from its text; the value as now stored, as text. Admins only, audited."""
    require(actor, "reference.write")
    item = _known(key)
    try:
        parsed = item.parse(text)
    except ValueError as exc:
        raise ValidationFailed([FieldProblem(key, str(exc))]) from None
    if key in BACKUP_PARTS:
        plan = {**backup.schedule(), BACKUP_PARTS[key]: parsed}
        backup.set_schedule(actor, plan["every_hours"], plan["directory"], plan["keep"])
    else:
        settings.set(actor, key, parsed)
    return item.show(value(actor, key))

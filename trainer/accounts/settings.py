"""Settings kept in the `setting` table as JSON values.

Two kinds of key:
* site settings (``vetting_validity_months`` …): anyone signed in reads them,
  only an admin (``reference.write``) changes them;
* personal preferences (theme, Arabic reordering), stored under
  ``user.<username>.<name>``: each user reads and writes their own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from db import models
from db.connection import database
from trainer.accounts import audit, owned_settings
from trainer.accounts.access import Actor, require
from trainer.errors import FieldProblem, ValidationFailed

# Personal preferences a user may set, with their defaults.
PERSONAL_DEFAULTS: dict[str, Any] = {
    "theme": "textual-dark",
    # False for terminals that shape and reorder Arabic themselves (VTE, Konsole).
    "arabic_reorder": True,
    # Where reports, exports, PDFs and badges are written; empty: default_exports_folder().
    "exports_directory": "",
}
THEMES = ("textual-dark", "textual-light")


def _personal_key(actor: Actor, name: str) -> str:
    return f"user.{actor.username}.{name}"


def _read(key: str, default: Any) -> Any:
    with database.connection_context():
        row = models.Setting.get_or_none(models.Setting.key == key)
    return json.loads(row.value) if row else default


def _write(actor: Actor, key: str, value: Any) -> None:
    text = json.dumps(value, ensure_ascii=False)
    with database.connection_context(), database.atomic():
        row = models.Setting.get_or_none(models.Setting.key == key)
        before = json.loads(row.value) if row else None
        (
            models.Setting.insert(key=key, value=text)
            .on_conflict(conflict_target=[models.Setting.key], update={models.Setting.value: text})
            .execute()
        )
        audit.record(actor, "update", "setting", key, before={"value": before}, after={"value": value})


def get(actor: Actor, key: str, default: Any = None) -> Any:
    """A site setting (any signed-in user may read it)."""
    return _read(key, default)


def set(actor: Actor, key: str, value: Any) -> None:  # noqa: A001 - mirrors get()
    """Change a site setting: an admin's job."""
    require(actor, "reference.write")
    if key.startswith("user."):
        raise ValidationFailed([FieldProblem("key", "personal preferences are set with set_personal")])
    with database.connection_context():
        owned_settings.refuse_at_site(key)  # a field site takes national rules from headquarters
    _write(actor, key, value)


def get_personal(actor: Actor, name: str) -> Any:
    if name not in PERSONAL_DEFAULTS:
        raise ValidationFailed([FieldProblem(name, "no such preference")])
    return _read(_personal_key(actor, name), PERSONAL_DEFAULTS[name])


def set_personal(actor: Actor, name: str, value: Any) -> None:
    """Each user sets their own preferences; nobody else's."""
    if name not in PERSONAL_DEFAULTS:
        raise ValidationFailed([FieldProblem(name, "no such preference")])
    if name == "theme" and value not in THEMES:
        raise ValidationFailed([FieldProblem("theme", f"one of {', '.join(THEMES)}")])
    if name == "arabic_reorder" and not isinstance(value, bool):
        raise ValidationFailed([FieldProblem("arabic_reorder", "true or false")])
    if name == "exports_directory" and (not isinstance(value, str) or len(value) > 400):
        raise ValidationFailed([FieldProblem("exports_directory", "a folder path (at most 400 characters)")])
    if actor.user_id is None and actor.username == "system":
        raise ValidationFailed([FieldProblem(name, "preferences belong to a signed-in user")])
    _write(actor, _personal_key(actor, name), value)


def personal(actor: Actor) -> dict[str, Any]:
    """All of a user's preferences, defaults filled in (one query)."""
    prefix = f"user.{actor.username}."
    with database.connection_context():
        rows = models.Setting.select().where(models.Setting.key.startswith(prefix))
        stored = {r.key[len(prefix) :]: json.loads(r.value) for r in rows}
    return {name: stored.get(name, default) for name, default in PERSONAL_DEFAULTS.items()}


def default_exports_folder() -> Path:
    """`trainer-exports` in the user's documents folder (never the folder the app was started from)."""
    from platformdirs import user_documents_dir

    return Path(user_documents_dir()) / "trainer-exports"


def exports_folder(actor: Actor) -> Path:
    """The user's chosen exports folder, else the default (docs/settings.md)."""
    return exports_folder_of(personal(actor) if actor.user_id is not None else {})


def exports_folder_of(prefs: dict[str, Any]) -> Path:
    """The exports folder from preferences already read (the app holds them: no database call)."""
    chosen = prefs.get("exports_directory") or ""
    return Path(chosen).expanduser() if chosen else default_exports_folder()

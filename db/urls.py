"""Which database a URL names: the app's start reads this before it imports peewee.

`trainer` paints its first screen before it opens the database (docs/speed.md), and chooses
that screen (sign-in, or first run for a file not made yet) from the URL alone: this module
imports nothing of peewee or of the drivers.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse


def default_sqlite_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("trainer", appauthor=False)) / "trainer.db"


def resolve_url(url: str | None) -> str:
    """--db beats TRAINER_DATABASE_URL beats the per-user default file."""
    url = url or os.environ.get("TRAINER_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{default_sqlite_path()}"


def sqlite_path(url: str) -> Path | None:
    parsed = urlparse(url)
    if parsed.scheme != "sqlite":
        return None
    path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else parsed.path
    return Path(path) if path and path != ":memory:" else None


def is_local_file(url: str) -> bool:
    """An SQLite file on this machine (which a site may encrypt), not a server."""
    return sqlite_path(url) is not None


def not_made_yet(url: str) -> bool:
    """An SQLite file that does not exist yet: opening it makes a database without users."""
    path = sqlite_path(url)
    return path is not None and not path.exists()

"""peewee without the PostgreSQL drivers, for a process that opens an SQLite file.

peewee imports psycopg2 and psycopg (3), when installed, as it is itself first imported: well
over 100 ms of CPU at every start of an app that opens SQLite and never talks to PostgreSQL.
A one-database process (the CLI, the terminal app) that opens SQLite calls
`import_peewee_for(url)` before anything imports peewee: the drivers are hidden from that
import (and playhouse.migrate's, which tries them too) and visible again afterwards. peewee
then holds no PostgreSQL driver, so such a process cannot open PostgreSQL later (it has no
reason to); a process opening PostgreSQL, or one that imported peewee already (the tests), is
left as it is.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

POSTGRES_DRIVERS = ("psycopg2", "psycopg", "psycopg2cffi")
_ABSENT = object()


def import_peewee_for(url: str | None) -> None:
    """Import peewee, without PostgreSQL drivers when `url` (resolved as db.connection does:
    it, else TRAINER_DATABASE_URL, else the default SQLite file) is an SQLite one."""
    url = url or os.environ.get("TRAINER_DATABASE_URL") or "sqlite:"
    if "peewee" in sys.modules or not url.startswith("sqlite:"):
        return
    hidden: dict[str, ModuleType | object] = {name: sys.modules.get(name, _ABSENT) for name in POSTGRES_DRIVERS}
    for name in POSTGRES_DRIVERS:
        sys.modules[name] = None  # type: ignore[assignment]  # `import name` raises ImportError
    try:
        import peewee  # noqa: F401
        import playhouse.migrate  # noqa: F401  (db.schema's; through playhouse.cockroachdb it tries them too)
    finally:
        for name, was in hidden.items():
            if was is _ABSENT:
                del sys.modules[name]
            else:
                sys.modules[name] = was  # type: ignore[assignment]  # the module (or None) found before

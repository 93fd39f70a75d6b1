"""Several databases in one test process: each a site (or headquarters) with its own keys.

`Place.use()` binds the global database to that place and points the config directory
(where its private keys live) at its own; the audit key is shared through the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from peewee import Database

from db.connection import database
from trainer.accounts import users
from trainer.accounts.access import SYSTEM, Actor
from trainer.setup import connect
from trainer.sync import identity

AUDIT_KEY = "sync-test-audit-key-0123456789abcdef"


@dataclass
class Place:
    code: str
    url: str
    config: Path
    hq: bool = False
    block: int = 0
    admin: Actor = field(default=SYSTEM)
    db: Database | None = None

    def use(self) -> Place:
        os.environ["XDG_CONFIG_HOME"] = str(self.config)
        if self.db is None:
            connect(self.url)
            self.db = database.obj
        else:
            database.initialize(self.db)
        return self

    def close(self) -> None:
        if self.db is not None:
            if not self.db.is_closed():
                self.db.close()
            if hasattr(self.db, "close_all"):
                self.db.close_all()
            self.db = None

    def setup(self) -> Place:
        self.use()
        users.create_user(SYSTEM, "chief", "admin", "correct horse battery")
        self.admin = users.authenticate("chief", "correct horse battery")
        identity.init(self.admin, self.code, f"{self.code} site", hq=self.hq, block=None if self.hq else self.block)
        return self

    def key_file(self, tmp: Path) -> Path:
        import json

        self.use()
        path = tmp / f"{self.code}.json"
        path.write_text(json.dumps(identity.public_document(self.admin)))
        return path


def link(hq: Place, sites: list[Place], tmp: Path) -> None:
    """Headquarters trusts every site; every site trusts headquarters."""
    hq_key = hq.key_file(tmp)
    site_keys = [s.key_file(tmp) for s in sites]
    for s, key in zip(sites, site_keys):
        hq.use()
        identity.trust(hq.admin, s.code, key.read_text())
        s.use()
        identity.trust(s.admin, hq.code, hq_key.read_text())

"""Several databases in one test process: each a site (or headquarters) with its own keys.

`Place.use()` binds the global database to that place and points the config directory
(where its private keys live) at its own; the audit key is shared through the environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def hq_and_two_sites(db_url: str, tmp: Path, monkeypatch: Any) -> Iterator[tuple[Place, Place, Place, Path]]:
    """Headquarters on `db_url` and two SQLite sites, ERBIL and BASRA, trusting each other:
    the world of the exchange tests (a fixture body: `yield from` it)."""
    monkeypatch.setenv("TRAINER_AUDIT_KEY", AUDIT_KEY)
    monkeypatch.setenv("XDG_CONFIG_HOME", os.environ.get("XDG_CONFIG_HOME", str(tmp / "cfg")))
    hq = Place("HQ", db_url, tmp / "hq-config", hq=True).setup()
    a = Place("ERBIL", f"sqlite:///{tmp / 'a.db'}", tmp / "a-config", block=3).setup()
    b = Place("BASRA", f"sqlite:///{tmp / 'b.db'}", tmp / "b-config", block=4).setup()
    link(hq, [a, b], tmp)
    yield hq, a, b, tmp
    for p in (a, b):
        p.close()


def send(sender: Place, recipient: Place, path: Path) -> Any:
    """One bundle from `sender` (headquarters addresses it to `recipient`) imported there."""
    from trainer.sync import exchange

    sender.use()
    exchange.export(sender.admin, path, recipient.code if sender.hq else None)
    recipient.use()
    return exchange.import_bundle(recipient.admin, path)

"""Rows of the permission matrix: accounts, settings, the audit trail, backups, the site's
identity and peers, and the demo loader."""

from __future__ import annotations

from pathlib import Path

from tests.unit.permissions.world import Op, as_hq, fresh_backup, next_n, op, peer_document


def rows() -> dict[str, Op]:
    from trainer import encryption
    from trainer.accounts import audit, backup, settings, site_settings, users
    from trainer.demo import build as demo
    from trainer.sync import exchange, identity, persons, trim

    return {
        "accounts.settings.set": op("reference.write", lambda w, a: settings.set(a, "vetting_validity_months", 12)),
        "accounts.site_settings.change": op(
            "reference.write", lambda w, a: site_settings.change(a, "idle_lock_minutes", "12")
        ),
        "accounts.users.create_user": op(
            "user.manage", lambda w, a: users.create_user(a, "newclerk", "analyst", "long enough pw")
        ),
        "accounts.users.list_users": op("user.manage", lambda w, a: users.list_users(a)),
        "accounts.users.set_disabled": op("user.manage", lambda w, a: users.set_disabled(a, w.user_id, True)),
        "accounts.users.set_role": op("user.manage", lambda w, a: users.set_role(a, w.user_id, "auditor")),
        "accounts.users.set_password": op(
            "user.manage", lambda w, a: users.set_password(a, w.user_id, "another long one")
        ),
        "accounts.users.clear_lockout": op("user.manage", lambda w, a: users.clear_lockout(a, w.user_id)),
        # encryption at rest: past the gate, a plain SQLite/PostgreSQL world refuses for its own reasons
        "encryption.encrypt_existing": op(
            "user.manage", lambda w, a: encryption.encrypt_existing("postgresql://nobody@localhost/none", a, "x")
        ),
        "encryption.rekey": op("user.manage", lambda w, a: encryption.rekey(a, "x")),
        "accounts.audit.history": op("record.history", lambda w, a: audit.history(a, "trainee", "x")),
        "accounts.audit.log": op("audit.read", lambda w, a: audit.log(a, limit=5)),
        "accounts.backup.backup": op(
            "backup.run", lambda w, a: backup.backup(w.tmp / f"b-{a.role}-{next_n()}.bak", a), rollback=False
        ),
        "accounts.backup.set_schedule": op("backup.run", lambda w, a: backup.set_schedule(a, 24, str(w.tmp / "auto"))),
        "accounts.backup.restore": op(
            "backup.restore", lambda w, a: backup.restore(fresh_backup(w), a), rollback=False
        ),
        "sync.identity.init": op("site.manage", lambda w, a: identity.init(a, "HQ", "Baghdad HQ", hq=True)),
        "sync.identity.show": op("site.manage", lambda w, a: (as_hq(w), identity.show(a))),
        "sync.identity.public_document": op("site.manage", lambda w, a: (as_hq(w), identity.public_document(a))),
        "sync.identity.trust": op("site.manage", lambda w, a: (as_hq(w), identity.trust(a, "ERBIL", peer_document()))),
        "sync.identity.peers": op("site.manage", lambda w, a: identity.peers(a)),
        "sync.exchange.status": op("site.manage", lambda w, a: exchange.status(a)),
        "sync.exchange.reviews": op("site.manage", lambda w, a: exchange.reviews(a)),
        # Past the gate these are refused on the merits: the world is not a site / holds no such item.
        "sync.exchange.export": op("site.manage", lambda w, a: exchange.export(a, Path("/nonexistent/b"))),
        "sync.exchange.import_bundle": op("site.manage", lambda w, a: exchange.import_bundle(a, Path("/nonexistent"))),
        "sync.trim.trim": op("site.manage", lambda w, a: trim.trim(a)),
        "sync.persons.merge_held": op("site.manage", lambda w, a: persons.merge_held(a, 999_999)),
        "sync.persons.distinct": op("site.manage", lambda w, a: persons.distinct(a, 999_999)),
        "sync.persons.hold_likely_duplicates": op(
            "site.manage", lambda w, a: persons.hold_likely_duplicates(a, 10**9, "ERBIL")
        ),
        # Past the gate an admin is refused on the merits: the world's database is not empty.
        "demo.build.generate": op("demo.load", lambda w, a: demo.generate(a)),
    }

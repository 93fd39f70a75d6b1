"""Encryption at rest (docs/encryption.md): an encrypted site gives nothing away from its files,
opens only with a user's password, and keeps working through rekey, conversion and backups."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from db import cipher
from trainer.accounts import sealing
from trainer.cli import main

PASSWORD = "correct horse battery"
OTHER = "another long password"


@pytest.fixture(autouse=True)
def site_env(tmp_path, monkeypatch):
    """Keys in this test's own config dir, none from the environment, a quick Argon2 (the
    parameters are stored per wrap, so the code path is the real one), and no keys held after."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("TRAINER_AUDIT_KEY", "TRAINER_PSEUDONYM_KEY", "TRAINER_SIGNING_KEY", "TRAINER_RECOVERY_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("TRAINER_USER", raising=False)
    monkeypatch.setenv("TRAINER_PASSWORD", PASSWORD)
    monkeypatch.setattr(sealing, "KDF", {"t": 1, "m": 1024, "p": 1})
    yield
    _let_go()
    sealing.hold(None)


def _let_go() -> None:
    """What a command's process ending does: its connections and checkpointer go (each main()
    here binds a new database; the previous one's connections would otherwise stay open)."""
    from db.connection import database

    if database.obj is not None:
        database.obj.close()
        checkpointer = getattr(database.obj, "checkpointer", None)
        if checkpointer is not None:
            checkpointer.stop()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    _let_go()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def recovery_key(out: str) -> str:
    lines = out.splitlines()
    return lines[lines.index(next(x for x in lines if x.startswith("RECOVERY KEY"))) + 1].strip()


@pytest.fixture
def site(tmp_path, capsys):
    """An encrypted database made by `init --encrypt`; (url, path, recovery key)."""
    path = tmp_path / "site" / "trainer.db"
    url = f"sqlite:///{path}"
    code, out, err = run(capsys, "--db", url, "init", "--encrypt", "--admin", "boss")
    assert code == 0, err
    return url, path, recovery_key(out)


def test_demo_in_an_encrypted_database_leaves_no_name_id_or_phone_in_any_file(site, tmp_path, capsys):
    url, path, _ = site
    assert run(capsys, "--db", url, "--user", "boss", "demo", "--scale", "quick")[0] == 0
    from db import models
    from db.connection import database

    with database.connection_context():
        rows = list(
            models.Trainee.select(
                models.Trainee.given_name,
                models.Trainee.family_name,
                models.Trainee.given_name_latin,
                models.Trainee.family_name_latin,
                models.Trainee.national_id,
                models.Trainee.phone,
            )
            .order_by(models.Trainee.id)
            .limit(150)
            .tuples()
        )
    needles = {v for row in rows for v in row if v and len(v) >= 5}
    needles |= {f"{r[0]} {r[1]}" for r in rows if r[1]}
    assert len(needles) > 300
    pattern = re.compile(b"|".join(re.escape(n.encode("utf-8")) for n in sorted(needles, key=len, reverse=True)))
    # one more write so that the WAL holds recent pages when it is read
    assert run(capsys, "--db", url, "--user", "boss", "user", "add", "clerk2", "--role", "registrar",
               "--centre", "BGD-PA", "--password-stdin")[0] in (0, 1)  # fmt: skip
    code, out, err = run(capsys, "--db", url, "--user", "boss", "backup", str(tmp_path / "bk") + "/")
    assert code == 0, err
    backup = next((tmp_path / "bk").glob("*.db"))
    files = [path, Path(f"{path}-wal"), backup, cipher.key_file(path), cipher.key_file(backup)]
    files += [p for p in (tmp_path / "config").rglob("*") if p.is_file()]
    assert Path(f"{path}-wal").exists()
    assert not any(p.name in ("audit.key", "pseudonym.key", "signing.key") for p in files)
    for file in files:
        raw = file.read_bytes()
        assert b"SQLite format 3" not in raw[:16], file
        found = pattern.search(raw)
        assert found is None, f"{file.name} shows {found.group(0).decode('utf-8', 'replace')}"
    # the plain SQLite library cannot read it, with the file's key file beside it or not
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(f"file:{backup}?mode=ro", uri=True).execute("SELECT count(*) FROM trainee").fetchone()
    if shutil.which("sqlite3"):
        done = subprocess.run(["sqlite3", str(backup), "SELECT count(*) FROM trainee"], capture_output=True, text=True)
        assert done.returncode != 0 and "not a database" in done.stderr
    # the right password reads it (a new unlock, as another process would)
    keys = sealing.unlock(cipher.key_file(path), "boss", PASSWORD)
    conn = cipher.connect(backup, keys.db_key)
    assert conn.execute("SELECT count(*) FROM trainee").fetchone()[0] == 10_000
    conn.close()


def test_a_wrong_password_is_one_line_and_changes_nothing(site, capsys, monkeypatch):
    url, path, _ = site
    _let_go()
    before = (path.read_bytes(), cipher.key_file(path).read_bytes())
    monkeypatch.setenv("TRAINER_PASSWORD", "not the password at all")
    code, out, err = run(capsys, "--db", url, "--user", "boss", "init")
    assert code == 1 and err == "trainer: unknown user or wrong password\n"
    code, out, err2 = run(capsys, "--db", url, "--user", "nobody", "init")
    assert code == 1 and err2 == err  # an unknown name reads the same
    monkeypatch.delenv("TRAINER_PASSWORD")
    code, out, err = run(capsys, "--db", url, "init")
    assert code == 1 and "encrypted" in err and "--user" in err
    assert (path.read_bytes(), cipher.key_file(path).read_bytes()) == before


def _add_user(capsys, monkeypatch, url: str, name: str, password: str) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    code, out, err = run(capsys, "--db", url, "--user", "boss", "user", "add", name, "--role", "auditor",
                         "--password-stdin")  # fmt: skip
    assert code == 0, err


def test_a_second_user_unlocks_and_a_disabled_one_no_longer_can(site, capsys, monkeypatch):
    url, path, _ = site
    _add_user(capsys, monkeypatch, url, "clerk", OTHER)
    assert sealing.has_wrap(cipher.key_file(path), "clerk")
    assert b"clerk" not in cipher.key_file(path).read_bytes()  # wraps are listed under a hash of the name
    sealing.hold(None)
    monkeypatch.setenv("TRAINER_PASSWORD", OTHER)
    code, out, err = run(capsys, "--db", url, "--user", "clerk", "init")
    assert code == 0, err
    # boss disables clerk: the wrap goes with the account
    from trainer.accounts.users import authenticate, list_users, set_disabled

    sealing.hold(None)
    monkeypatch.setenv("TRAINER_PASSWORD", PASSWORD)
    assert run(capsys, "--db", url, "--user", "boss", "init")[0] == 0
    boss = authenticate("boss", PASSWORD)
    clerk = next(u for u in list_users(boss) if u.username == "clerk")
    set_disabled(boss, clerk.id, True)
    assert not sealing.has_wrap(cipher.key_file(path), "clerk")
    sealing.hold(None)
    monkeypatch.setenv("TRAINER_PASSWORD", OTHER)
    code, out, err = run(capsys, "--db", url, "--user", "clerk", "init")
    assert code == 1 and "unknown user or wrong password" in err


def test_rekey_keeps_every_password_working_and_refuses_while_another_program_reads(site, capsys, monkeypatch):
    url, path, _ = site
    _add_user(capsys, monkeypatch, url, "clerk", OTHER)
    old_key = sealing.current.db_key
    reader = cipher.connect(path, old_key, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM user").fetchone()  # a running reader, holding a snapshot
    sealing.hold(None)
    code, out, err = run(capsys, "--db", url, "--user", "boss", "rekey")
    assert code == 1 and "open in another program" in err and "nothing changed" in err
    assert sealing.unlock(cipher.key_file(path), "boss", PASSWORD).db_key == old_key
    assert "db_next" not in json.loads(cipher.key_file(path).read_text())
    reader.execute("COMMIT")
    reader.close()
    sealing.hold(None)
    code, out, err = run(capsys, "--db", url, "--user", "boss", "rekey")
    assert code == 0, err
    new_key = sealing.unlock(cipher.key_file(path), "clerk", OTHER).db_key
    assert new_key != old_key
    with pytest.raises(cipher.WrongKey):
        cipher.check_key(path, old_key)
    cipher.check_key(path, new_key)
    sealing.hold(None)
    monkeypatch.setenv("TRAINER_PASSWORD", OTHER)
    assert run(capsys, "--db", url, "--user", "clerk", "init")[0] == 0


def test_a_new_master_key_leaves_only_the_admin_until_passwords_are_reset(site, capsys, monkeypatch):
    url, path, old_recovery = site
    _add_user(capsys, monkeypatch, url, "clerk", OTHER)
    sealing.hold(None)
    code, out, err = run(capsys, "--db", url, "--user", "boss", "rekey", "--new-master")
    assert code == 0, err
    new_recovery = recovery_key(out)
    with pytest.raises(sealing.Locked):
        sealing.unlock(cipher.key_file(path), "clerk", OTHER)
    with pytest.raises(sealing.Locked):
        sealing.unlock_with_recovery(cipher.key_file(path), old_recovery)
    sealing.unlock_with_recovery(cipher.key_file(path), new_recovery)
    # the admin re-sets clerk's password: clerk unlocks again
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a third long password\n"))
    sealing.hold(None)
    code, out, err = run(capsys, "--db", url, "--user", "boss", "user", "password", "clerk", "--password-stdin")
    assert code == 0, err
    sealing.unlock(cipher.key_file(path), "clerk", "a third long password")


def test_converting_a_plain_database_keeps_every_record_and_seals_the_key_files(tmp_path, capsys):
    path = tmp_path / "plain.db"
    url = f"sqlite:///{path}"
    assert run(capsys, "--db", url, "demo", "--scale", "quick")[0] == 0
    from db.connection import database

    tables = [r[0] for r in database.execute_sql("SELECT name FROM sqlite_master WHERE type='table'").fetchall()]
    before = {t: database.execute_sql(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    config = tmp_path / "config" / "trainer"
    assert (config / "audit.key").exists()
    database.obj.close()
    code, out, err = run(capsys, "--db", url, "--user", "admin", "encrypt")
    assert code == 0, err
    assert "audit.key" in out and not (config / "audit.key").exists()
    assert not list(tmp_path.glob("plain.plain*"))  # no plain copy unless asked
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute("SELECT count(*) FROM trainee").fetchone()
    keys = sealing.unlock(cipher.key_file(path), "admin", PASSWORD)
    conn = cipher.connect(path, keys.db_key)
    after = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert after.pop("audit_event") > before.pop("audit_event")  # sign-ins and the conversion are audited
    assert after == before and before["trainee"] == 10_000
    sealing.hold(None)
    code, out, err = run(capsys, "--db", url, "--user", "admin", "audit", "verify")
    assert code == 0, err  # the audit chain still verifies with the key now sealed in the key file


def test_keep_plain_warns(tmp_path, capsys):
    path = tmp_path / "plain.db"
    url = f"sqlite:///{path}"
    assert run(capsys, "--db", url, "demo", "--scale", "quick")[0] == 0
    code, out, err = run(capsys, "--db", url, "--user", "admin", "encrypt", "--keep-plain")
    assert code == 0 and "WARNING" in err and "plain" in err
    assert (tmp_path / "plain.plain.db").exists()


def test_an_encrypted_backup_comes_back_with_the_recovery_key_alone(site, tmp_path, capsys, monkeypatch):
    url, path, recovery = site
    _add_user(capsys, monkeypatch, url, "clerk", OTHER)
    code, out, err = run(capsys, "--db", url, "--user", "boss", "backup", str(tmp_path / "bk") + "/")
    assert code == 0, err
    backup = next((tmp_path / "bk").glob("*.db"))
    # the laptop is lost: the site, its key file and the passwords with it
    sealing.hold(None)
    from db.connection import database

    database.obj.close()
    shutil.rmtree(path.parent)
    # a backup with its key file is itself an encrypted site: a known password opens a copy of it
    copy = tmp_path / "copy" / "trainer.db"
    copy.parent.mkdir()
    shutil.copyfile(backup, copy)
    shutil.copyfile(cipher.key_file(backup), cipher.key_file(copy))
    monkeypatch.setenv("TRAINER_PASSWORD", OTHER)
    assert run(capsys, "--db", f"sqlite:///{copy}", "--user", "clerk", "init")[0] == 0
    sealing.hold(None)
    monkeypatch.setenv("TRAINER_PASSWORD", PASSWORD)
    target = tmp_path / "new" / "trainer.db"
    monkeypatch.setenv("TRAINER_RECOVERY_KEY", "AAAA-" + recovery[5:])
    code, out, err = run(capsys, "recover", str(backup), "--to", str(target))
    assert code == 1 and "recovery key" in err and not target.exists()
    monkeypatch.setenv("TRAINER_RECOVERY_KEY", recovery.lower())
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a brand new password\n"))
    code, out, err = run(capsys, "recover", str(backup), "--to", str(target), "--admin", "boss")
    assert code == 0, err
    sealing.hold(None)
    monkeypatch.setenv("TRAINER_PASSWORD", "a brand new password")
    code, out, err = run(capsys, "--db", f"sqlite:///{target}", "--user", "boss", "init")
    assert code == 0, err
    monkeypatch.setenv("TRAINER_PASSWORD", OTHER)
    sealing.hold(None)
    assert run(capsys, "--db", f"sqlite:///{target}", "--user", "clerk", "init")[0] == 0


def test_restore_of_an_encrypted_backup_into_the_site(site, tmp_path, capsys, monkeypatch):
    url, path, _ = site
    code, out, err = run(capsys, "--db", url, "--user", "boss", "backup", str(tmp_path / "bk") + "/")
    assert code == 0, err
    backup = next((tmp_path / "bk").glob("*.db"))
    _add_user(capsys, monkeypatch, url, "clerk", OTHER)
    sealing.hold(None)
    code, out, err = run(capsys, "--db", url, "--user", "boss", "rekey")  # the backup keeps the old key
    assert code == 0, err
    sealing.hold(None)
    code, out, err = run(capsys, "--db", url, "--user", "boss", "restore", str(backup) + ".manifest.json", "--yes")
    assert code == 0, err
    from db import models
    from db.connection import database

    with database.connection_context():
        assert [u.username for u in models.User.select()] == ["boss"]  # the backup's, before clerk
    replaced = next(path.parent.glob("*.replaced-*"))
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(f"file:{replaced}?mode=ro", uri=True).execute("SELECT 1 FROM user").fetchone()


def test_the_checkpointer_of_an_encrypted_file_uses_its_key(site):
    from db.connection import database

    checkpointer = database.obj.checkpointer
    assert checkpointer.checkpoint() is not None


def test_the_site_keys_are_sealed_in_the_key_file_never_plain_files(site, tmp_path):
    from trainer.accounts import audit
    from trainer.certification import signing
    from trainer.reporting import pseudonyms

    url, path, recovery = site
    audit_key, pseudonym_key = audit.audit_key(), pseudonyms.load_key()
    private = signing.private_key()
    names = {p.name for p in (tmp_path / "config").rglob("*") if p.is_file()}
    assert not names & {audit.AUDIT_KEY.file, pseudonyms.PSEUDONYM_KEY.file, signing.KEY_FILE}
    assert signing.PUBLIC_FILE in names  # the public half is public
    raw = cipher.key_file(path).read_bytes()
    assert audit_key not in raw and pseudonym_key not in raw
    # a later process (the recovery key, say) reads the same keys back from the key file
    sealing.hold(sealing.unlock_with_recovery(cipher.key_file(path), recovery))
    assert audit.audit_key() == audit_key and pseudonyms.load_key() == pseudonym_key
    assert signing.raw_public(signing.private_key().public_key()) == signing.raw_public(private.public_key())


def test_the_first_run_never_replaces_a_file_that_holds_records(sqlite_url):
    from tests.unit.test_reports import build_small
    from trainer import encryption
    from trainer.errors import DatabaseError

    build_small()  # trainees, courses, cohorts; no user yet
    path = cipher.site_file(sqlite_url)
    with pytest.raises(DatabaseError, match="holds records"):
        encryption.first_run_encrypted(sqlite_url, "boss", PASSWORD)
    assert path.exists() and not cipher.is_encrypted(path)
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"


def test_the_sign_in_ledger_of_an_encrypted_site_gives_away_no_name(site, capsys):
    """A sign-in while another program holds the write lock is counted in `<db>-signin`
    (trainer/accounts/sign_in_ledger.py): on an encrypted site that file is encrypted too."""
    from db.connection import database
    from trainer.accounts import sign_in_ledger

    url, path, _ = site
    assert run(capsys, "--db", url, "--user", "boss", "init")[0] == 0  # unlocked and bound, as a command is
    keys = sealing.unlock(cipher.key_file(path), "boss", PASSWORD)
    holder = cipher.connect(path, keys.db_key, isolation_level=None)  # an import's long transaction
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO setting (key, value) VALUES ('held', '1')")
    try:
        actor = sign_in_ledger.sign_in("boss", PASSWORD)
        assert actor.username == "boss"
        ledger = Path(f"{path}{sign_in_ledger.SUFFIX}")
        assert ledger.exists() and sign_in_ledger.waiting()  # counted there, not yet in the database
        for file in [ledger, *(Path(f"{ledger}{x}") for x in ("-journal", "-wal"))]:
            if file.exists():
                raw = file.read_bytes()
                assert b"SQLite format 3" not in raw[:16], file.name
                assert b"boss" not in raw and b"while_busy" not in raw, file.name
        with pytest.raises(sqlite3.DatabaseError, match="not a database"):
            sqlite3.connect(f"file:{ledger}?mode=ro", uri=True).execute("SELECT * FROM attempt").fetchall()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    sign_in_ledger.flush()  # the lock is free: the ledger's sign-in is written into the database
    assert not sign_in_ledger.waiting()
    from db import models

    with database.connection_context():
        boss = models.User.get(models.User.username == "boss")
        assert boss.last_login is not None and boss.failed_logins == 0


def test_a_plain_ledger_left_from_before_conversion_is_not_kept(site, capsys):
    """A ledger its key does not open (written before `encrypt` or `rekey`, whose writers replayed
    it) is started anew at the next busy sign-in, never left readable."""
    from trainer.accounts import sign_in_ledger

    url, path, _ = site
    assert run(capsys, "--db", url, "--user", "boss", "init")[0] == 0
    ledger = Path(f"{path}{sign_in_ledger.SUFFIX}")
    plain = sqlite3.connect(str(ledger))
    plain.executescript(sign_in_ledger._SCHEMA)
    plain.execute(
        "INSERT INTO attempt (key, username, role, uuid, at, outcome)"
        " VALUES ('x', 'boss', 'a', 'u', '2026-01-01', 'ok')"
    )
    plain.commit()
    plain.close()
    keys = sealing.unlock(cipher.key_file(path), "boss", PASSWORD)
    holder = cipher.connect(path, keys.db_key, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO setting (key, value) VALUES ('held', '1')")
    try:
        assert sign_in_ledger.sign_in("boss", PASSWORD).username == "boss"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert b"boss" not in ledger.read_bytes()


def _digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_plain_backup_is_not_restored_into_an_encrypted_site(site, tmp_path, capsys, monkeypatch):
    """It would leave the site's records plain on the disk (and its key file naming a plain file)."""
    url, path, _ = site
    plain = tmp_path / "plain" / "trainer.db"
    plain_url = f"sqlite:///{plain}"
    sealing.hold(None)
    assert run(capsys, "--db", plain_url, "init")[0] == 0
    from trainer.accounts import users

    users.create_user(None, "boss", "admin", PASSWORD)
    code, out, err = run(capsys, "--db", plain_url, "--user", "boss", "backup", str(tmp_path / "bk") + "/")
    assert code == 0, err
    manifest = next((tmp_path / "bk").glob("*.manifest.json"))
    _let_go()
    before = {
        p.name: _digest(p) for p in path.parent.iterdir() if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }
    code, out, err = run(capsys, "--db", url, "--user", "boss", "restore", str(manifest), "--yes")
    assert code == 1, (out, err)
    assert len(err.strip().splitlines()) == 1 and "plain" in err and "encrypt" in err, err
    _let_go()
    after = {p.name: _digest(p) for p in path.parent.iterdir() if p.is_file() and not p.name.endswith(("-wal", "-shm"))}
    assert (
        set(after) == set(before)
        and after[path.name] == before[path.name]
        and after[cipher.key_file(path).name] == before[cipher.key_file(path).name]
    )
    assert run(capsys, "--db", url, "--user", "boss", "init")[0] == 0  # the site still opens as before


def test_an_encrypted_backup_on_a_plain_site_without_the_recovery_key_is_one_line(site, tmp_path, capsys, monkeypatch):
    url, path, _ = site
    code, out, err = run(capsys, "--db", url, "--user", "boss", "backup", str(tmp_path / "bk") + "/")
    assert code == 0, err
    manifest = next((tmp_path / "bk").glob("*.manifest.json"))
    sealing.hold(None)
    plain = tmp_path / "plain" / "trainer.db"
    plain_url = f"sqlite:///{plain}"
    assert run(capsys, "--db", plain_url, "init")[0] == 0
    from trainer.accounts import users

    users.create_user(None, "admin", "admin", PASSWORD)
    _let_go()
    before = _digest(plain)
    code, out, err = run(capsys, "--db", plain_url, "--user", "admin", "restore", str(manifest), "--yes")
    assert code == 1, (out, err)
    assert len(err.strip().splitlines()) == 1 and "TRAINER_RECOVERY_KEY" in err, err
    _let_go()
    assert _digest(plain) == before and not cipher.key_file(plain).exists()
    assert not list(plain.parent.glob("*.replaced-*"))


def test_init_with_an_administrator_but_no_encryption_says_how_to_add_one(tmp_path, capsys):
    path = tmp_path / "trainer.db"
    code, out, err = run(capsys, "--db", f"sqlite:///{path}", "init", "--admin", "boss")
    assert code == 1 and "init --admin goes with --encrypt" in err and "trainer user add NAME --role admin" in err
    assert not path.exists()  # nothing made half-way


def test_a_roster_goes_into_an_encrypted_site(site, capsys):
    """A field site's laptop is encrypted, and rosters are what a site imports most: the encrypted
    driver (sqlcipher3) has no getlimit(), which once made every import an internal error."""
    url, _path, _ = site
    roster = Path(__file__).parents[1] / "fixtures" / "roster" / "roster.csv"
    code, out, err = run(capsys, "--db", url, "--user", "boss", "import", "trainees", str(roster), "--skip-invalid")
    assert code == 0, err
    assert "30" in out and "internal error" not in err
    code, out, err = run(capsys, "--db", url, "--user", "boss", "import", "trainees", str(roster), "--skip-invalid")
    assert code == 0 and "internal error" not in err, err
    from db import models
    from db.connection import database

    with database.connection_context():
        assert models.Trainee.select().count() == 30

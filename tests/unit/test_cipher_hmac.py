"""Encrypted files use HMAC-SHA256 pages (db/cipher.py: SHA512 doubled the cost of reading a large
database), and files made earlier with SQLCipher's default HMAC-SHA512 still open."""

from __future__ import annotations

import pytest

from db import cipher

KEY = "c" * 64
OTHER = "d" * 64


def _open_with(path, key, algorithm):
    conn = cipher.driver().connect(str(path))
    conn.execute(cipher._key_pragma(key))
    conn.execute(f"PRAGMA cipher_hmac_algorithm = {algorithm}")
    return conn


def _legacy_file(path):
    conn = _open_with(path, KEY, cipher.LEGACY_HMAC)
    conn.execute("CREATE TABLE t(x)")
    conn.execute("INSERT INTO t VALUES ('kept')")
    conn.commit()
    conn.close()


def test_new_files_and_their_copies_carry_sha256_pages(tmp_path):
    new = tmp_path / "new.db"
    conn = cipher.connect(new, KEY)
    conn.execute("CREATE TABLE t(x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    conn.execute(f"VACUUM INTO '{tmp_path / 'copy.db'}'")
    conn.close()
    plain = tmp_path / "plain.db"
    p = cipher.connect(plain, None)
    p.execute("CREATE TABLE t(x)")
    p.commit()
    p.close()
    cipher.export_encrypted(plain, tmp_path / "exported.db", KEY)
    for name in ("new.db", "copy.db", "exported.db"):
        with pytest.raises(cipher.driver().DatabaseError, match="not a database"):
            _open_with(tmp_path / name, KEY, cipher.LEGACY_HMAC).execute("SELECT * FROM t").fetchall()
        assert _open_with(tmp_path / name, KEY, cipher.HMAC).execute("SELECT count(*) FROM t").fetchone()


def test_a_file_made_with_the_older_hmac_still_opens_and_stays_readable(tmp_path):
    old = tmp_path / "old.db"
    _legacy_file(old)
    conn = cipher.connect(old, KEY)
    assert conn.execute("SELECT x FROM t").fetchall() == [("kept",)]
    conn.execute("INSERT INTO t VALUES ('added')")
    conn.commit()
    conn.close()
    again = cipher.connect(old, KEY)  # told apart once, remembered
    assert [r[0] for r in again.execute("SELECT x FROM t ORDER BY rowid")] == ["kept", "added"]
    again.close()
    cipher.check_key(old, KEY)
    with pytest.raises(cipher.WrongKey):
        cipher.check_key(old, OTHER)
    # Rekeying keeps the file's own HMAC: the new key opens it, the old one does not.
    cipher.rekey(old, KEY, OTHER)
    cipher.check_key(old, OTHER)
    with pytest.raises(cipher.WrongKey):
        cipher.check_key(old, KEY)


def test_a_wrong_key_on_a_new_file_fails_as_before(tmp_path):
    new = tmp_path / "new.db"
    conn = cipher.connect(new, KEY)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    with pytest.raises(cipher.WrongKey):
        cipher.check_key(new, OTHER)
    cipher.check_key(new, KEY)

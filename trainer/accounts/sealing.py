"""The key file of an encrypted site: one secret per person (docs/encryption.md).

Two layers. A random 32-byte master key K is wrapped once per active user (Argon2id of
the user's normalised password, a salt of its own per wrap, then ChaCha20-Poly1305 with
the username as associated data, so a wrap cannot be moved to another name) and once
for the recovery key printed at `init --encrypt`. K in turn wraps (AEAD) the SQLCipher
key of the database and the site's other secrets: the audit, pseudonym and signing keys,
which on an encrypted site are never plain files. So:

- a clerk types one password, as before; it unwraps K, K unwraps the database key;
- an admin's session holds K in memory, which is what lets it add a wrap for a new
  user or a re-set password, and drop the wrap of a disabled user;
- `trainer rekey` replaces the database key and re-encrypts only the inner wrap: every
  user's wrap stays valid; `--new-master` also replaces K, after which only the acting
  admin (and the new recovery key) can unlock until the others' passwords are re-set.

The file is JSON, mode 0600, written whole (temporary file, then rename) under an
exclusive lock on a companion `.lock` file, so two admins' changes never lose one another.
Wraps are listed under a keyed hash of the username, so the file shows no names.
Nothing here touches the database: trainer.unlocking does the order of things.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainer.accounts import keys
from trainer.errors import TrainerError

FORMAT = "trainer-keys/1"
# Argon2id: 64 MiB, 3 passes (about 0.3 s here); stored per wrap, so a change applies to new wraps only.
KDF = {"t": 3, "m": 65_536, "p": 1}
WRONG = "unknown user or wrong password"


class Locked(TrainerError):
    """The key file refuses: a wrong password, an unknown user, a lost recovery key."""


@dataclass
class Unlocked:
    """What a signed-in process of an encrypted site holds: the key file's path, K and the database key."""

    path: Path
    master: bytes
    db_key: str  # 64 hex digits, for db.cipher
    username: str | None = None
    next_key: str | None = field(default=None, repr=False)  # during a rekey: the key being moved to


current: Unlocked | None = None  # this process's, set by trainer.unlocking after a sign-in


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


# cryptography and argon2 are imported where a box is sealed or opened, not with this module:
# the app's start imports it (users, encryption) and never needs them before a sign-in.


class _NotOpened(Exception):
    """A box did not open: the wrong key or secret (cryptography's InvalidTag)."""


def _seal(key: bytes, plain: bytes, ad: bytes) -> dict[str, str]:
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    nonce = secrets.token_bytes(12)
    return {"nonce": _b64(nonce), "ct": _b64(ChaCha20Poly1305(key).encrypt(nonce, plain, ad))}


def _open(key: bytes, box: dict[str, Any], ad: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    try:
        return ChaCha20Poly1305(key).decrypt(_unb64(box["nonce"]), _unb64(box["ct"]), ad)
    except InvalidTag:
        raise _NotOpened() from None


def _stretch(secret: str, salt: bytes, kdf: dict[str, int]) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    from trainer.accounts.spelling import normal  # the same password typed any way is the same password

    return hash_secret_raw(
        normal(secret).encode("utf-8", "surrogatepass"),
        salt,
        time_cost=kdf["t"],
        memory_cost=kdf["m"],
        parallelism=kdf["p"],
        hash_len=32,
        type=Type.ID,
    )


def _wrap(master: bytes, secret: str, ad: str) -> dict[str, Any]:
    salt, kdf = secrets.token_bytes(16), dict(KDF)
    box = _seal(_stretch(secret, salt, kdf), master, ad.encode("utf-8"))
    return {"salt": _b64(salt), **kdf, **box}


def _unwrap(wrap: dict[str, Any], secret: str, ad: str) -> bytes:
    kdf = {k: int(wrap[k]) for k in ("t", "m", "p")}
    return _open(_stretch(secret, _unb64(wrap["salt"]), kdf), wrap, ad.encode("utf-8"))


def _slot(data: dict[str, Any], username: str) -> str:
    """Where a user's wrap is listed: a hash of the name salted per file (no names in the file)."""
    salt = _unb64(data["name_salt"])
    return hashlib.blake2b(username.strip().encode("utf-8", "surrogatepass"), key=salt, digest_size=16).hexdigest()


_DB_AD = b"trainer database key"
_RECOVERY = "recovery"


# --- the file -------------------------------------------------------------------------


def read(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Locked(f"no key file {path}: this database cannot be opened without it") from None
    except (OSError, ValueError) as exc:
        raise Locked(f"the key file {path} cannot be read ({exc})") from None
    if data.get("format") != FORMAT:
        raise Locked(f"{path} is not a trainer key file")
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


@contextlib.contextmanager
def _changing(path: Path) -> Iterator[dict[str, Any]]:
    """Read, let the block change, write back: one writer at a time (flock on PATH.lock)."""
    lock = path.with_name(path.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        data = read(path)
        yield data
        _write(path, data)
    finally:
        os.close(fd)  # the lock file is never the database: closing it drops no database lock


def new_recovery_key() -> str:
    raw = base64.b32encode(secrets.token_bytes(20)).decode("ascii")  # 160 bits, 32 letters and digits
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def create(path: Path, username: str, password: str) -> tuple[Unlocked, str]:
    """A new key file for a new encrypted database: its first admin's wrap and the recovery
    wrap. Returns the unlocked keys and the recovery key (shown once, never stored)."""
    master, db_key, recovery = secrets.token_bytes(32), secrets.token_hex(32), new_recovery_key()
    data: dict[str, Any] = {
        "format": FORMAT,
        "name_salt": _b64(secrets.token_bytes(16)),
        "db": _seal(master, db_key.encode("ascii"), _DB_AD),
        "users": {},
        "recovery": _wrap(master, recovery, _RECOVERY),
        "secrets": {},
    }
    data["users"][_slot(data, username)] = _wrap(master, password, username.strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never over another database's keys
    os.close(fd)
    _write(path, data)
    return Unlocked(path, master, db_key, username.strip()), recovery


def _inner(path: Path, data: dict[str, Any], master: bytes, username: str | None) -> Unlocked:
    db_key = _open(master, data["db"], _DB_AD).decode("ascii")
    pending = data.get("db_next")
    next_key = _open(master, pending, _DB_AD).decode("ascii") if pending else None
    return Unlocked(path, master, db_key, username, next_key)


def unlock(path: Path, username: str, password: str) -> Unlocked:
    """K and the database key for a user's password; Locked (one line, the same for an unknown
    name and a wrong password) otherwise. Argon2 runs for an unknown name too (no timing tell)."""
    data = read(path)
    wrap = data["users"].get(_slot(data, username))
    try:
        if wrap is None:
            _stretch(password, secrets.token_bytes(16), KDF)
            raise Locked(WRONG)
        master = _unwrap(wrap, password, username.strip())
    except _NotOpened:
        raise Locked(WRONG) from None
    return _inner(path, data, master, username.strip())


def unlock_with_recovery(path: Path, recovery: str) -> Unlocked:
    data = read(path)
    try:
        master = _unwrap(data["recovery"], recovery.strip().upper(), _RECOVERY)
    except _NotOpened:
        raise Locked("that is not this database's recovery key") from None
    return _inner(path, data, master, None)


def has_wrap(path: Path, username: str) -> bool:
    data = read(path)
    return _slot(data, username) in data["users"]


def add_wrap(keys_: Unlocked, username: str, password: str) -> None:
    """A wrap of K for `username` (a new user, or a new password); replaces any older one."""
    with _changing(keys_.path) as data:
        data["users"][_slot(data, username)] = _wrap(keys_.master, password, username.strip())


def remove_wrap(path: Path, username: str) -> bool:
    """Drop a user's wrap (disabled or removed): their password opens nothing any more."""
    with _changing(path) as data:
        return data["users"].pop(_slot(data, username), None) is not None


def begin_rekey(keys_: Unlocked) -> str:
    """Step 1 of a rekey: a new database key, recorded (wrapped under K) as pending before the
    file is re-encrypted, so a crash between the two never leaves a key that is nowhere."""
    new = secrets.token_hex(32)
    with _changing(keys_.path) as data:
        data["db_next"] = _seal(keys_.master, new.encode("ascii"), _DB_AD)
    keys_.next_key = new
    return new


def finish_rekey(keys_: Unlocked, done: bool) -> None:
    """Step 2: the new key becomes the key (done), or the pending one is dropped (refused)."""
    with _changing(keys_.path) as data:
        pending = data.pop("db_next", None)
        if done and pending is not None:
            data["db"] = pending
    if done and keys_.next_key:
        keys_.db_key = keys_.next_key
    keys_.next_key = None


def new_master(keys_: Unlocked, password: str) -> str:
    """Replace K (after a suspected loss of a password or of the file with a recovery key):
    every wrap but the acting admin's is dropped, the recovery key is replaced (returned),
    and the database key and sealed secrets are re-encrypted under the new K."""
    if keys_.username is None:
        raise Locked("replacing the master key needs an admin's sign-in, not the recovery key")
    fresh, recovery = secrets.token_bytes(32), new_recovery_key()
    with _changing(keys_.path) as data:
        opened = {name: _open(keys_.master, box, name.encode("utf-8")) for name, box in data["secrets"].items()}
        data["db"] = _seal(fresh, keys_.db_key.encode("ascii"), _DB_AD)
        data.pop("db_next", None)
        data["secrets"] = {name: _seal(fresh, text, name.encode("utf-8")) for name, text in opened.items()}
        data["users"] = {_slot(data, keys_.username): _wrap(fresh, password, keys_.username)}
        data["recovery"] = _wrap(fresh, recovery, _RECOVERY)
    keys_.master = fresh
    return recovery


# --- sealed secrets (the audit, pseudonym and signing keys of an encrypted site) ---------------


def seal_secret(keys_: Unlocked, name: str, text: str) -> None:
    with _changing(keys_.path) as data:
        data["secrets"][name] = _seal(keys_.master, text.encode("utf-8"), name.encode("utf-8"))


def sealed_secret(keys_: Unlocked, name: str) -> str | None:
    box = read(keys_.path)["secrets"].get(name)
    return None if box is None else _open(keys_.master, box, name.encode("utf-8")).decode("utf-8")


_secret_cache: dict[tuple[str, str], tuple[tuple[int, int], str]] = {}


def _sealed_key(spec: keys.KeySpec, create: bool) -> str | None:
    """keys.load's source on an encrypted site: the key sealed in the key file, made on first use.
    Read once and kept while the key file is unchanged (the audit key is read on every save)."""
    held = current
    if held is None:
        return None
    st = held.path.stat()
    ident, cache_key = (st.st_ino, st.st_mtime_ns), (str(held.path), spec.file)
    cached = _secret_cache.get(cache_key)
    if cached is not None and cached[0] == ident:
        return cached[1]
    text = sealed_secret(held, spec.file)
    if text is None:
        if not create:
            raise spec.error(f"no {spec.what.removeprefix('the ')} in the key file {held.path}")
        text = spec.make()
        seal_secret(held, spec.file, text)
        if spec.created is not None:  # e.g. the signing key's public half, a public file beside it
            beside = keys.default_path(spec)
            beside.parent.mkdir(parents=True, exist_ok=True)
            spec.created(beside, text)
        st = held.path.stat()
        ident = (st.st_ino, st.st_mtime_ns)
    _secret_cache[cache_key] = (ident, text.strip())
    return text.strip()


def hold(unlocked: Unlocked | None) -> None:
    """This process's keys from now on (None: forget them). Key lookups go to the key file while held."""
    global current
    current = unlocked
    keys.sealed_source = _sealed_key if unlocked is not None else None
    _secret_cache.clear()


# --- what user management calls (trainer/accounts/users.py) ---------------------------------


def password_set(username: str, password: str) -> None:
    """A user was created or their password set: their wrap follows, if this site is encrypted."""
    if current is not None:
        add_wrap(current, username, password)


def access_ended(username: str) -> None:
    """A user was disabled or removed: their password no longer unlocks this site."""
    if current is not None:
        remove_wrap(current.path, username)


def open_copy(path: Path, recovery: str | None = None) -> Unlocked:
    """The keys of another key file of this site (a backup's copy): opened with the master key
    this process holds when it is the same, else with the recovery key."""
    data = read(path)
    if current is not None:
        try:
            return _inner(path, data, current.master, current.username)
        except _NotOpened:
            pass  # the master key was replaced since that backup: its recovery key opens it
    if recovery:
        return unlock_with_recovery(path, recovery)
    raise Locked(f"{path} was sealed under another master key: give its recovery key ({RECOVERY_ENV})")


RECOVERY_ENV = "TRAINER_RECOVERY_KEY"


def copy_beside(backup_file: Path) -> None:
    """Beside an encrypted site's backup: a copy of its key file (0600), so the backup can be
    restored with an admin's password or the recovery key even if the site is lost."""
    if current is None:
        return
    import shutil

    target = backup_file.with_name(backup_file.name + ".keys")
    shutil.copyfile(current.path, target)
    os.chmod(target, 0o600)


def key_of_copy(backup_file: Path) -> None:
    """Before a backup is read: unwrap its key (from the key file beside it) for db.cipher."""
    from db import cipher

    beside = backup_file.with_name(backup_file.name + ".keys")
    if beside.exists():
        cipher.remember(backup_file, open_copy(beside, os.environ.get(RECOVERY_ENV)).db_key)

"""Keyed pseudonyms for person-level exports: HMAC-SHA256, never a plain hash.

A plain hash of a UUID or national ID can be reversed by hashing every
candidate; an HMAC cannot without the key. The key lives outside the
database, so a copy of the database (or of an export) does not carry it:
- `TRAINER_PSEUDONYM_KEY` in the environment (any text of 32+ characters,
  e.g. 64 hex digits), shared by the sites that must produce the same tokens;
- else a file `pseudonym.key` in the user's config directory (platformdirs),
  created on first use with 32 random bytes and mode 0600.
The same person gets the same token for one key, and unrelated tokens under
another key, so partners can link exports over time without learning who.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from trainer.errors import TrainerError

ENV_KEY = "TRAINER_PSEUDONYM_KEY"
KEY_FILE = "pseudonym.key"
MIN_KEY_CHARS = 32
PREFIX = "P-"


def key_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("trainer", appauthor=False)) / KEY_FILE


def load_key(*, create: bool = True) -> bytes:
    """The pseudonymisation key: the environment's, else the config file's (made on first use)."""
    env = os.environ.get(ENV_KEY)
    if env:
        if len(env) < MIN_KEY_CHARS:
            raise TrainerError(f"{ENV_KEY} is too short: give at least {MIN_KEY_CHARS} characters")
        return env.encode("utf-8")
    path = key_path()
    if path.exists():
        if path.stat().st_mode & 0o077:
            raise TrainerError(f"{path} is readable by other users: chmod 600 it")
        data = path.read_bytes().strip()
        if len(data) < MIN_KEY_CHARS:
            raise TrainerError(f"{path} holds no usable key")
        return data
    if not create:
        raise TrainerError(f"no pseudonym key: set {ENV_KEY} or create {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    data = secrets.token_hex(32).encode("ascii")
    # O_EXCL: two processes starting at once must not overwrite each other's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_key(create=False)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return data


class Pseudonymiser:
    """Tokens for one key; build once per export (the key is read once)."""

    def __init__(self, key: bytes | None = None):
        self._key = key if key is not None else load_key()
        # HMAC (RFC 2104) by its two keyed SHA-256 states, 'trainee:' already in the inner one:
        # copied per token instead of keyed again, a third of hmac.digest's time (an export
        # makes one token per person). tests/unit/test_pseudonyms.py checks it against hmac.
        block = hashlib.sha256(self._key).digest() if len(self._key) > 64 else self._key
        block = block.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._inner.update(b"trainee:")
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def token(self, identity: str) -> str:
        """`P-` and 20 hex digits (80 bits) of HMAC-SHA256(key, 'trainee:' + identity without dashes)."""
        # One canonical form, however the database hands a UUID over (SQLite: 32 hex digits).
        text = str(identity).replace("-", "").lower()
        inner = self._inner.copy()
        inner.update(text.encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return PREFIX + outer.digest()[:10].hex().upper()


def token(identity: str, key: bytes | None = None) -> str:
    return Pseudonymiser(key).token(identity)

"""Keyed pseudonyms for person-level exports: HMAC-SHA256, never a plain hash.

A plain hash of a UUID or national ID can be reversed by hashing every
candidate; an HMAC cannot without the key. The key lives outside the
database, so a copy of the database (or of an export) does not carry it:
- `TRAINER_PSEUDONYM_KEY` in the environment (any text of 32+ characters,
  e.g. 64 hex digits), shared by the sites that must produce the same tokens;
- else a file `pseudonym.key` in the user's config directory (platformdirs),
  created on first use with 32 random bytes (hex) and mode 0600
(trainer.accounts.keys: the rule every key file follows).
The same person gets the same token for one key, and unrelated tokens under
another key, so partners can link exports over time without learning who.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from trainer.accounts import keys

ENV_KEY = "TRAINER_PSEUDONYM_KEY"
PSEUDONYM_KEY = keys.KeySpec("the pseudonym key", ENV_KEY, "pseudonym.key")
PREFIX = "P-"


def key_path() -> Path:
    return keys.default_path(PSEUDONYM_KEY)


def load_key(*, create: bool = True) -> bytes:
    """The pseudonymisation key: the environment's, else the config file's (made on first use)."""
    return keys.load(PSEUDONYM_KEY, create=create).encode("utf-8")


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

"""Keys kept outside the database: the audit-chain key, the pseudonym key, the certificate signing key.

One rule for all three (docs/architecture.md, "Keys kept outside the database"): the environment variable wins;
else a file in the user's config directory, created on first use with mode 0600 (never
overwritten: O_EXCL, so two processes starting at once agree on one key) and refused
when others can read it. A key is text of at least 32 characters. A file's key is
read once and kept while the file is unchanged (same inode, size, mode and mtime).
Errors name the variable or the file.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from trainer.errors import TrainerError
from trainer.text import read_small

MIN_CHARS = 32


class KeyFileError(TrainerError):
    """No usable key: the message names the variable or file and what to do."""


@dataclass(frozen=True)
class KeySpec:
    what: str  # "the audit key": how messages name it
    env: str  # the environment variable that overrides the file
    file: str  # the file's name in the config directory
    make: Callable[[], str] = lambda: secrets.token_hex(32) + "\n"  # a new file's content
    error: type[TrainerError] = KeyFileError
    created: Callable[[Path, str], None] | None = None  # called after this process made the file


def config_dir() -> Path:
    return _in_config_dir("", *_environment())


def default_path(spec: KeySpec) -> Path:
    return _in_config_dir(spec.file, *_environment())


def _environment() -> tuple[Any, ...]:
    return os.environ.get("XDG_CONFIG_HOME"), os.environ.get("HOME"), os.environ.get("APPDATA")


@lru_cache(maxsize=32)
def _in_config_dir(name: str, *_environment: Any) -> Path:
    """platformdirs and pathlib cost a tenth of a millisecond and the audit key is read on every
    save: cached per value of the variables platformdirs reads (tests change them)."""
    from platformdirs import user_config_dir

    folder = Path(user_config_dir("trainer", appauthor=False))
    return folder / name if name else folder


_cache: dict[str, tuple[tuple[Any, ...], str]] = {}

# On an encrypted site these keys live sealed in the database's key file, never as plain files:
# trainer.accounts.sealing sets this while a process holds the site's keys (spec, create) -> text.
sealed_source: Callable[[KeySpec, bool], str | None] | None = None


def load(spec: KeySpec, path: Path | Callable[[], Path] | None = None, *, create: bool = True) -> str:
    """The key's text: `spec.env` if set, else the file at `path` (a path, or a function giving
    it, asked only when needed; default: the config directory's)."""
    env = os.environ.get(spec.env)
    if env:
        if len(env.strip()) < MIN_CHARS:
            raise spec.error(f"{spec.env} is too short: give at least {MIN_CHARS} characters (e.g. 64 hex digits)")
        return env
    if sealed_source is not None:
        sealed = sealed_source(spec, create)
        if sealed is not None:
            return sealed
    path = path() if callable(path) else path
    if path is None:
        path = default_path(spec)
    elif not isinstance(path, Path):
        path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        if not create:
            raise spec.error(f"no {spec.what.removeprefix('the ')}: set {spec.env} or create {path}") from None
        content = spec.make()
        if _create(path, content) and spec.created is not None:
            spec.created(path, content)
        st = path.stat()
    if os.name == "posix" and st.st_mode & 0o077:
        raise spec.error(f"{spec.what} {path} is readable by other users: run `chmod 600 {path}`")
    identity = (st.st_ino, st.st_size, st.st_mode, st.st_mtime_ns)
    cached = _cache.get(str(path))
    if cached is not None and cached[0] == identity:
        return cached[1]
    try:
        text = read_small(path, 64 * 1024, "key file").decode("utf-8").strip()
    except (TrainerError, UnicodeDecodeError) as exc:
        raise spec.error(f"{spec.what} {path}: {exc}") from None
    if len(text) < MIN_CHARS:
        raise spec.error(f"{spec.what} {path} is empty or too short: it needs at least {MIN_CHARS} characters")
    _cache[str(path)] = (identity, text)
    return text


def _create(path: Path, content: str) -> bool:
    """Write a new key file; False when another process made it first (then theirs is used)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(content)
    return True

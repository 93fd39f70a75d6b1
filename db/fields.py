"""Field types shared by the models and the frozen models in migrations."""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

from peewee import SQL, CharField, Check, Model, UUIDField


def uuid7() -> uuid.UUID:
    """Time-ordered UUID (RFC 9562 v7): an identity that survives merging two sites' databases."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")  # 80 random bits
    rand_a = rand >> 68  # 12 bits
    rand_b = rand & ((1 << 62) - 1)  # 62 bits
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return uuid.UUID(int=value)


class ChoiceField(CharField):
    """A text column limited to `choices` by a CHECK constraint in the database itself."""

    def __init__(self, choices: tuple[str, ...], *args: Any, **kwargs: Any) -> None:
        self.allowed = tuple(choices)
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)

    def bind(self, model: type[Model], name: str, set_attribute: bool = True) -> None:
        super().bind(model, name, set_attribute)
        values = ", ".join(f"'{v}'" for v in self.allowed)
        check = Check(f'"{self.column_name}" IN ({values})')
        self.constraints = [c for c in (self.constraints or []) if not _is_choice(c)] + [check]


def _is_choice(constraint: object) -> bool:
    return isinstance(constraint, SQL) and " IN (" in constraint.sql


class IdField(UUIDField):
    """The cross-site identity of a record people create."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("default", uuid7)
        kwargs.setdefault("unique", True)
        super().__init__(**kwargs)

"""The base model: every table lives in the one proxied database."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Self, TypeVar

from peewee import AutoField, DateTimeField, IntegerField, Model

from db.connection import database
from db.fields import IdField


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


if TYPE_CHECKING:
    from collections.abc import Iterator

    from peewee import ModelSelect

    # peewee's stubs type `.tuples()` and `.dicts()` as the same query, iterating model
    # instances; these say what they yield. Types only: nothing here exists at run time.
    class RowSelect(ModelSelect[Any]):
        def __iter__(self) -> Iterator[tuple[Any, ...]]: ...
        def get(self, database: Any = None) -> tuple[Any, ...]: ...

    class DictSelect(ModelSelect[Any]):
        def __iter__(self) -> Iterator[dict[str, Any]]: ...
        def get(self, database: Any = None) -> dict[str, Any]: ...

    M = TypeVar("M", bound=Model)

    class Select(ModelSelect[M]):
        def select(self, *fields_or_models: Any) -> Select[M]: ...
        def tuples(self, as_tuple: bool = True) -> RowSelect: ...  # type: ignore[override]
        def dicts(self, as_dict: bool = True) -> DictSelect: ...  # type: ignore[override]


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False

    if TYPE_CHECKING:

        @classmethod
        def select(cls, *fields: Any) -> Select[Self]: ...

        @classmethod
        def get_or_create(cls, **kwargs: Any) -> tuple[Self, bool]: ...


class Record(BaseModel):
    """A record people create and edit: cross-site identity, optimistic-lock version, times."""

    # Declared for the type checker, as beside every foreign key `x` its key `x_id`:
    # peewee adds both at run time, its stubs cannot know them.
    id: AutoField[int]

    uuid = IdField()
    version = IntegerField(default=1)
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)

"""trainer/sync/rows.py: the import's short cuts hand the driver what peewee would have handed it.

Each field's converter is compared with the field's own `db_value` for the values an import
meets (the exchange's forms of times, dates, UUIDs, numbers, booleans) and for odd ones that
must take peewee's path. A datetime or date from peewee counts as its ISO text: what SQLite's
adapter writes and what PostgreSQL parses either way.
"""

from __future__ import annotations

import datetime
import uuid

import pytest

from db import models
from trainer.sync import rows

VALUES = [
    None,
    "",
    "x",
    "2021-03-19",
    "2021-02-30",
    "2021-03-19 08:00:00",
    "2021-03-19 08:00:00.123000",
    "2021-03-19 08:00:00.000000",
    "2021-03-19T08:00:00",
    "2021-02-30 08:00:00",
    "01a19467-e8dc-7738-a560-15586cbf8328",
    "01A19467-E8DC-7738-A560-15586CBF8328",
    "01a19467e8dc7738a56015586cbf8328",
    uuid.UUID("01a19467-e8dc-7738-a560-15586cbf8328"),
    0,
    7,
    2.5,
    True,
    False,
    datetime.date(2021, 3, 19),
    datetime.datetime(2021, 3, 19, 8, 0, 0),
]


def _as_stored(value: object) -> object:
    if isinstance(value, datetime.datetime):
        return value.isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@pytest.mark.parametrize("model", models.MODELS, ids=lambda m: m._meta.table_name)
def test_each_converter_gives_what_peewee_gives(model):
    converters = rows.converters(model)
    for field in model._meta.sorted_fields:
        for value in VALUES:
            want, got = field.db_value(value), converters[field.name](value)
            assert _as_stored(got) == _as_stored(want), (field.name, value)
            assert type(got) is type(want) or isinstance(want, datetime.date), (field.name, value)


def test_the_import_analyses_columns_every_shared_table_has(db_url):
    # On PostgreSQL a column a table lacks fails the ANALYZE, and with it the import.
    from db.connection import database
    from db.dialect import dialect
    from trainer.sync import exchange, log

    wanted = exchange._lookup_columns(log.shared_models())
    assert wanted["sync_change"] == ("origin", "seq", "record_uuid") and wanted["trainee"] == ("uuid",)
    assert wanted["kit_item"] == ("kit_id", "item") and wanted["cohort_delivery"] == ("cohort_id",)
    with database.connection_context(), database.atomic():
        dialect().analyze_filled(wanted)

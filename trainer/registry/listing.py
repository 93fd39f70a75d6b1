"""SQL for the registry list: one page of the filtered registry, fast at any position.

Measured on 250,000 trainees (SQLite): `ORDER BY id LIMIT 100 OFFSET 200000`
costs ~50 ms and `id IN (SELECT rowid FROM trainee_fts …)` materialises every
match (tens of ms for a common prefix), so:
* a search joins the FTS5 table as the outer loop in rowid order: matches
  stream and LIMIT stops early;
* the next or previous page continues from a neighbouring row's id (keyset),
  and a jump into the second half counts from the end (`ORDER BY id DESC`);
* counts stop at a cap.
Rows are read as tuples straight into TraineeView (no model instances).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from db.connection import database
from db.dialect import dialect
from trainer.registry.scope import TAUGHT, TEACHES_ROW, taught_condition

if TYPE_CHECKING:
    from trainer.registry.trainees import TraineeFilters

# The TraineeView fields, in the order selected.
FIELDS = (
    "id",
    "uuid",
    "version",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "mother_name",
    "given_name_latin",
    "father_name_latin",
    "grandfather_name_latin",
    "family_name_latin",
    "date_of_birth",
    "gender",
    "national_id",
    "service_number",
    "force_id",
    "province_id",
    "rank",
    "phone",
    "status",
)
# Rows that are persons, not merged records: the exact text of migration 0020's partial indexes.
PERSONS = "t.status <> 'merged'"
VETTING = {"approved": ("approved",), "pending": ("pending",), "denied": ("denied", "suspended")}


def source(
    filters: TraineeFilters,
    terms: list[tuple[str, ...]],
    taught_by: int | None = None,
    *,
    page: bool = False,
    after: int | None = None,
    before: int | None = None,
) -> tuple[str, str, list[str], list[Any]]:
    """(FROM clause, ordering key, WHERE conditions, parameters) for the filters; `taught_by` keeps
    only the trainees of the cohorts that user teaches (trainer.registry.scope): for a `page`
    (read in order up to a LIMIT) in the form that reads least, for a count as one list; `after`
    and `before` tell the search where the page lies (the caller bounds the key itself)."""
    p = database.obj.param
    frm, key = "trainee t", "t.id"
    conds: list[str] = []
    params: list[Any] = []
    scope = None if taught_by is None else taught_condition(taught_by) if page else TAUGHT.format(p=p)
    if terms:
        # An instructor's scope checked row by row (TEACHES_ROW) keeps a steady share of the
        # matches: walking them in id order stops within a few pages of reading; as a list it
        # is small and rare, and the rows are read from it instead (docs/speed.md).
        narrowed = any((filters.force, filters.province, filters.status, filters.vetting)) or (
            scope is not None and scope != TEACHES_ROW.format(p=p)
        )
        frm, key, conds, params = dialect().search_source(
            terms, substring=filters.substring, after=after, before=before, narrowed=narrowed
        )
    if scope is not None:
        conds.append(scope)
        params.append(taught_by)
    for column, value in (("force_id", filters.force), ("province_id", filters.province), ("status", filters.status)):
        if value:
            conds.append(f"t.{column} = {p}")
            params.append(value)
    if not filters.status:
        # Persons only: a merged record (a tombstone pointing at its survivor) is listed when the
        # status filter asks for "merged". The text repeats migration 0020's partial indexes' WHERE,
        # so that the counts read one of them (docs/speed.md "Merged records").
        conds.append(PERSONS)
    if filters.vetting == "none":
        conds.append("NOT EXISTS (SELECT 1 FROM vetting_record v WHERE v.trainee_id = t.id)")
    elif filters.vetting:
        results = VETTING[filters.vetting]
        conds.append(
            "EXISTS (SELECT 1 FROM vetting_record v WHERE v.trainee_id = t.id AND v.result IN ("
            + ", ".join([p] * len(results))
            + "))"
        )
        params += list(results)
    return frm, key, conds, params


def rows(
    filters: TraineeFilters,
    terms: list[tuple[str, ...]],
    *,
    limit: int,
    offset: int = 0,
    after_id: int | None = None,
    before_id: int | None = None,
    total: int | None = None,
    taught_by: int | None = None,
) -> list[tuple[Any, ...]]:
    """Tuples of FIELDS in id order: after `after_id`, before `before_id`, or at `offset`
    (counted from the end when `total` is exact and the offset lies in the second half)."""
    p = database.obj.param
    frm, key, conds, params = source(filters, terms, taught_by, page=True, after=after_id, before=before_id)
    descending = False
    if after_id is not None:
        conds.append(f"{key} > {p}")
        params.append(after_id)
        offset = 0
    elif before_id is not None:
        conds.append(f"{key} < {p}")
        params.append(before_id)
        descending, offset = True, 0
    elif total is not None and offset > total // 2:
        limit = max(0, min(limit, total - offset))
        descending, offset = True, max(0, total - offset - limit)
    where = (" WHERE " + " AND ".join(conds)) if conds else ""
    columns = ", ".join(f"t.{c}" for c in FIELDS)
    sql = f"SELECT {columns} FROM {frm}{where} ORDER BY {key}{' DESC' if descending else ''} LIMIT {p} OFFSET {p}"
    found: list[tuple[Any, ...]] = database.execute_sql(sql, params + [limit, offset]).fetchall()
    return found[::-1] if descending else found


def count(
    filters: TraineeFilters, terms: list[tuple[str, ...]], *, cap: int | None, taught_by: int | None = None
) -> int:
    frm, _, conds, params = source(filters, terms, taught_by)
    where = (" WHERE " + " AND ".join(conds)) if conds else ""
    if cap is None:
        return int(database.execute_sql(f"SELECT count(*) FROM {frm}{where}", params).fetchone()[0])
    p = database.obj.param
    return int(
        database.execute_sql(
            f"SELECT count(*) FROM (SELECT 1 FROM {frm}{where} LIMIT {p}) capped", params + [cap]
        ).fetchone()[0]
    )

"""Trainee search in the service: prefix and substring, the first 50 of the whole registry.

Queries are built from the registry itself (a fixed seed): one or two name words as a clerk
types them, Latin or Arabic. Prefix queries are word beginnings; substring queries are pieces
from inside a word that begin no word, so the service's prefix search finds nothing and it
falls back to the trigram index, as it does for a real clerk.
Baseline: the same search through a `LIKE '%x%'` scan of search_text (PostgreSQL: strpos, which
no index serves), then the same row fetch.
"""

from __future__ import annotations

import functools
import random

from tests.bench.context import Context, actor, bind, missing
from tests.bench.measure import PeakMemory, Row, Target, attempt, not_measured, timed

AREA = "search"
TARGETS = (Target("p95", 0.002),)
KINDS = ("prefix", "substring")
INDEX_OP = "search {}, first 50: index query"
SERVICE_OP = "search {}, first 50: service call"
BASELINE = "LIKE scan"


def measure(ctx: Context) -> list[Row]:
    ops = [op.format(k) for op in (INDEX_OP, SERVICE_OP) for k in KINDS]
    why = missing("trainer.registry.trainees:search", "trainer.registry.trainees:query_words", "db.search:search_ids")
    if why:
        return [not_measured(AREA, op, why, TARGETS) for op in ops]
    bind(ctx.url)
    n = ctx.runs(300, 100)
    prefix, substring = queries(n, seed=8)
    rows = []
    for kind, qs in zip(KINDS, (prefix, substring)):
        rows += attempt(AREA, INDEX_OP.format(kind), TARGETS, functools.partial(index_query, ctx, kind, qs))
    for kind, qs in zip(KINDS, (prefix, substring)):
        rows += attempt(AREA, SERVICE_OP.format(kind), TARGETS, functools.partial(service_call, ctx, kind, qs))
    return rows


def index_query(ctx: Context, kind: str, qs: list[str]) -> Row:
    """The ids of the first 50 matches, in one open connection: what the indexes themselves cost."""
    from db.connection import database, is_postgres
    from db.search import search_ids
    from trainer.registry.trainees import query_words

    terms = [query_words(q) for q in qs]
    with database.connection_context():
        db, pg, sub = database.obj, is_postgres(), kind == "substring"
        with PeakMemory() as mem:
            stats = timed(
                lambda t: search_ids(db, t, postgres=pg, limit=50, substring=sub), terms[-10:] + terms, warmup=10
            )
        base = timed(lambda q: like_ids(db, q), qs[: ctx.runs(40, 20) + 2], warmup=2)
    return Row(
        AREA,
        INDEX_OP.format(kind),
        stats,
        mem.mb,
        TARGETS,
        BASELINE,
        base,
        memory_method=mem.method,
        note=f"db.search.search_ids, {len(qs)} queries typed from registered names, in one open "
        f"connection; baseline LIKE '%x%' on {base.n} of them",
    )


def service_call(ctx: Context, kind: str, qs: list[str]) -> Row:
    """What a screen gets: the service opens its connection, searches (prefix, then substring when
    prefixes find nothing), fetches the rows and returns views."""
    from trainer.registry import trainees

    who = actor("admin")
    with PeakMemory() as mem:
        stats = timed(lambda q: trainees.search(who, q, limit=50), qs[-10:] + qs, warmup=10)
    base = timed(like_search, qs[: ctx.runs(40, 20) + 2], warmup=2)
    hits = sum(1 for q in qs[:20] if trainees.search(who, q, limit=50))
    return Row(
        AREA,
        SERVICE_OP.format(kind),
        stats,
        mem.mb,
        TARGETS,
        "LIKE scan+fetch",
        base,
        memory_method=mem.method,
        note=f"trainees.search, {len(qs)} queries ({hits}/20 sampled found someone): connection opened "
        "and closed per call, rows fetched as model objects and turned into views; baseline on "
        f"{base.n} of them",
    )


def _words(text: str) -> list[str]:
    from trainer.registry import names

    return [w for w in names.normalise(text).split() if len(w) >= 4 and w.isalpha()]


def queries(n: int, *, seed: int) -> tuple[list[str], list[str]]:
    """n prefix and n substring queries taken from registered names."""
    from db import models
    from db.connection import database, is_postgres
    from db.search import search_ids
    from trainer.registry.trainees import query_words

    rng = random.Random(seed)
    T = models.Trainee
    with database.connection_context():
        top = T.select(T.id).order_by(T.id.desc()).scalar() or 0
        ids = rng.sample(range(1, top + 1), min(top, 4 * n))
        people = list(
            T.select(T.given_name, T.father_name, T.given_name_latin, T.father_name_latin, T.family_name_latin)
            .where(T.id.in_(ids))
            .tuples()
        )
        prefix, substring = [], []
        db, pg = database.obj, is_postgres()
        for parts in people:
            latin = rng.random() < 0.5
            given, father = (
                (_words(parts[2]), _words(parts[3] or parts[4])) if latin else (_words(parts[0]), _words(parts[1]))
            )
            if not given:
                continue
            word = rng.choice(given)
            if len(prefix) < n:
                q = word[: rng.randint(3, min(5, len(word)))]
                if father and rng.random() < 0.5:
                    q += " " + rng.choice(father)[:3]
                prefix.append(q)
            if len(substring) < n and len(word) >= 5:
                start = rng.randint(1, len(word) - 3)
                piece = word[start : start + rng.randint(3, min(4, len(word) - start))]
                terms = query_words(piece)
                if terms and not search_ids(db, terms, postgres=pg, limit=1):
                    substring.append(piece)
            if len(prefix) >= n and len(substring) >= n:
                break
    return prefix, substring


def like_ids(db, text: str) -> list[int]:
    """The naive id query: scan search_text for every word (PostgreSQL: strpos, which no index serves)."""
    from db.connection import is_postgres
    from db.search import like_escape
    from trainer.registry.trainees import query_words

    words = [t[0] for t in query_words(text)]
    p = db.param
    if is_postgres(db):
        where = " AND ".join(f"strpos(search_text, {p}) > 0" for _ in words)
        params = list(words)
    else:
        where = " AND ".join(f"search_text LIKE {p} ESCAPE '\\'" for _ in words)
        params = ["%" + like_escape(w) + "%" for w in words]
    sql = f"SELECT id FROM trainee WHERE {where} ORDER BY id LIMIT 50"
    return [r[0] for r in db.execute_sql(sql, params).fetchall()]


def like_search(text: str) -> list:
    """The naive service: the LIKE scan, then the same row fetch as trainees.search."""
    from db import models
    from db.connection import database

    T = models.Trainee
    with database.connection_context():
        ids = like_ids(database.obj, text)
        return list(T.select().where(T.id.in_(ids))) if ids else []

"""PostgreSQL prefix search through the word index (db.search_words): the queries.

A term is a typed word and its alternatives (docs/speed.md, "Prefix search"); each alternative
is read from a btree in id order: a prefix of three characters or more from (head, trainee_id,
word), a whole word from (word, trainee_id), a prefix of two characters from each head that
begins with it (found by a skip scan of the head index, one probe a head).

One term: each alternative's first ids, merged. Several (`search_ids`): each term's ids in id
order, merge-joined, so the page's last match ends the reading instead of every entry of every
word; past MERGED ids of each (common apart, rare together) the tsvector GIN index serves the
rest. The registry list (`source`, with its filters and keyset pages) merges the same way,
every range starting at the page's bound, and looks each match's row up by primary key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peewee import Database

from db.search_words import HEAD, TABLE, VOCABULARY, word


@dataclass(frozen=True)
class Alt:
    """One alternative of a term: `text` as a word prefix, or (not `prefix`) a whole word; a
    prefix shorter than a head is read through `heads`, the heads beginning with it."""

    text: str
    prefix: bool
    heads: tuple[str, ...] = ()


Term = list[Alt]

# Skip scan of the head index: each step the next head above the last, while it begins with the
# prefix. It takes the heads sharing a prefix to sort together: true in the C and C.UTF-8
# collations (our databases); a collation that skips punctuation could interleave "a-0" with "a0".
_HEADS = f"""WITH RECURSIVE h(head) AS (
    (SELECT head FROM "{TABLE}" WHERE head >= {{p}} ORDER BY head LIMIT 1)
    UNION ALL
    SELECT (SELECT w.head FROM "{TABLE}" w WHERE w.head > h.head ORDER BY w.head LIMIT 1)
    FROM h WHERE starts_with(h.head, {{p}})
) SELECT head FROM h WHERE starts_with(head, {{p}})"""

SHORTEST = 2  # a prefix of one character stays with the trigram index (it spans every head of its letter)


def served(terms: list[tuple[str, ...]]) -> bool:
    """Whether the word index answers these terms: every prefix two characters or more."""
    for first, *alts in terms:
        if len(word(first)) < SHORTEST:
            return False
        if any(a.endswith("*") and len(word(a)) < SHORTEST for a in alts):
            return False
    return True


def walks(terms: list[tuple[str, ...]]) -> bool:
    """Whether a list can walk the word index for some of these terms (`source`) and test the
    rest, words of one character, on each row it reads."""
    return any(served([term]) for term in terms)


def _short(term: tuple[str, ...]) -> Term:
    """A term the word index does not serve, as alternatives for `check` (no heads looked up)."""
    first, *alts = term
    return [Alt(word(first), True)] + [Alt(word(a), a.endswith("*")) for a in alts if word(a)]


def resolve(db: Database, terms: list[tuple[str, ...]]) -> list[Term]:
    """The terms as alternatives, a short prefix with its heads (one round trip per short prefix)."""
    found: dict[str, tuple[str, ...]] = {}
    resolved = []
    for first, *alts in terms:
        term: Term = []
        for text, prefix in [(word(first), True)] + [(word(a), a.endswith("*")) for a in alts]:
            if not text or any(a.text == text and a.prefix == prefix for a in term):
                continue
            heads: tuple[str, ...] = ()
            if prefix and len(text) < HEAD:
                if text not in found:
                    sql = _HEADS.format(p=db.param)
                    found[text] = tuple(r[0] for r in db.execute_sql(sql, [text] * 3).fetchall())
                heads = found[text]
            term.append(Alt(text, prefix, heads))
        resolved.append(term)
    return resolved


def _arms(p: str, term: Term, bounds: tuple[int | None, int | None] = (None, None)) -> list[tuple[str, list[Any]]]:
    """Conditions on trainee_word `w`, one index range per alternative (per head for a short
    prefix), each range in id order; with `bounds`, only ids above the first and below the second."""
    arms: list[tuple[str, list[Any]]] = []
    for alt in term:
        if alt.heads:
            arms += [(f"w.head = {p}", [head]) for head in alt.heads]
        elif alt.prefix:
            # starts_with, not LIKE: the planner's row estimate stays sane (see 0012's notes in
            # docs/speed.md), and with it the plan.
            arms.append((f"w.head = {p} AND starts_with(w.word, {p})", [alt.text[:HEAD], alt.text]))
        else:
            arms.append((f"w.word = {p}", [alt.text]))
    after, before = bounds
    bound, values = "", []
    if after is not None:
        bound, values = f" AND w.trainee_id > {p}", [after]
    if before is not None:
        bound, values = bound + f" AND w.trainee_id < {p}", values + [before]
    return [(cond + bound, ps + values) for cond, ps in arms]


_NONE = "SELECT 1 AS id WHERE false"  # a term with no alternative left finds no one


def first_ids(p: str, term: Term, want: int) -> tuple[str, list[Any]]:
    """SQL for the first `want` ids of one term: each range's first `want` distinct ids (an
    index-only scan stopped by its LIMIT), merged."""
    arms = _arms(p, term)
    if not arms:
        return _NONE, []
    sql = " UNION ALL ".join(
        f'(SELECT DISTINCT w.trainee_id AS id FROM "{TABLE}" w WHERE {cond} ORDER BY 1 LIMIT {p})' for cond, _ in arms
    )
    params = [x for _, ps in arms for x in ps + [want]]
    return f"SELECT DISTINCT d.id FROM ({sql}) d ORDER BY 1 LIMIT {p}", params + [want]


def stream(p: str, term: Term, bounds: tuple[int | None, int | None] = (None, None)) -> tuple[str, list[Any]]:
    """SQL for every id of one term, distinct, as a subquery that a caller orders by id: the
    ranges merged (Merge Append), stopped where the caller's LIMIT stops, and a condition on
    `id` outside reaches each range's index scan.

    Each range has its own ORDER BY, and duplicates go by DISTINCT ON: a subquery in FROM is
    planned for all its rows, and as plain ranges under DISTINCT the planner, trusting its
    estimate of a few hundred rows, sorted or hashed every entry of the term (11,783 for
    "kar", 109,069 for "عبد": 120 ms) rather than merge them in the order the index has."""
    arms = _arms(p, term, bounds)
    if not arms:
        return _NONE, []
    ranges = (f'(SELECT w.trainee_id AS id FROM "{TABLE}" w WHERE {cond} ORDER BY 1)' for cond, _ in arms)
    return f"SELECT DISTINCT ON (a.id) a.id FROM ({' UNION ALL '.join(ranges)}) a", [x for _, ps in arms for x in ps]


def check(p: str, term: Term) -> tuple[str, list[Any]]:
    """Condition on the trainee row `t`: its search text has a word matching the term (the word
    table's words are its search text split on spaces: the same test, row by row)."""
    ors, params = [], []
    for alt in term:
        if alt.prefix:
            ors.append(f"strpos(' ' || t.search_text, {p}) > 0")
            params.append(" " + alt.text)
        else:
            ors.append(f"strpos(' ' || t.search_text || ' ', {p}) > 0")
            params.append(f" {alt.text} ")
    return "(" + (" OR ".join(ors) or "false") + ")", params


# Several terms are merged over at most MERGED ids of each; past them, the GIN index serves.
MERGED = 3000


def source(
    db: Database,
    terms: list[tuple[str, ...]],
    *,
    after: int | None = None,
    before: int | None = None,
    narrowed: bool = False,
) -> tuple[str, str, list[str], list[Any]]:
    """(FROM clause, ordering key, conditions, parameters) for a list: the terms' ids merge-joined
    in id order (as `search_ids`), from `after` or up to `before` in every term's ranges, each
    match joined to its trainee row `t` by primary key (OFFSET 0: a merge join with the whole
    table in id order would read every row up to the page).

    `narrowed`: the list has other conditions (a filter, an instructor's list of trainees), which
    may keep few of the matches; walking every match to test them cost an instructor 0.8-25 s a
    keystroke. The terms are then tested on each row (`check`) and the planner starts from
    whichever condition is narrowest. A condition that keeps a steady share of any name's
    matches (an instructor's scope checked row by row) is not narrowing: the walk reads about
    a page over that share."""
    p = db.param
    if narrowed:
        conds, params = [], []
        for term in resolve(db, terms):
            cond, ps = check(p, term)
            conds.append(cond)
            params += ps
        return "trainee t", "t.id", conds, params
    # A word of one character ("mur b") is tested on the rows the other words' walk reads: as a
    # trigram query beside an instructor's scope it read every match of its letter (60-80 ms).
    resolved = resolve(db, [term for term in terms if served([term])])
    tests = [check(p, _short(term)) for term in terms if not served([term])]
    parts, params = [], []
    for i, term in enumerate(resolved):
        sql, ps = stream(p, term, (after, before))
        parts.append(f"({sql}) s{i}" + (f" ON s{i}.id = s0.id" if i else ""))
        params += ps
    # The row refers to every term's id, so it is joined after all of them: a condition of the
    # caller on `t` (an instructor's scope) is then tested on the matches of every term, not on
    # each of the first term's (5,785 of "mur" for 253 of "mur bak": 211 ms against 23 ms).
    same = "".join(f" AND t.id = s{i}.id" for i in range(1, len(parts)))
    frm = f"{' JOIN '.join(parts)} CROSS JOIN LATERAL (SELECT * FROM trainee t WHERE t.id = s0.id{same} OFFSET 0) t"
    return frm, "s0.id", [cond for cond, _ in tests], params + [x for _, ps in tests for x in ps]


def _tsquery(terms: list[Term]) -> str:
    """The terms as a tsquery: each an OR of its alternatives (a prefix as `:*`)."""
    return " & ".join(
        "(" + " | ".join(a.text + (":*" if a.prefix else "") for a in term) + ")" for term in terms if term
    )


def search_ids(db: Database, terms: list[tuple[str, ...]], *, limit: int, offset: int = 0) -> list[int]:
    """The first `limit` ids after `offset` of the trainees matching every term, in id order.

    One term: `first_ids`. Several: each term's ids, at most MERGED of them, merge-joined (the
    planner's Merge Join of the terms' Merge Appends, stopped by the LIMIT); when the page is
    not full and every term had more, the matches past the last id all of them reached come
    from the tsvector GIN index (rare together: its cost is their matches and the posting
    lists of the words each prefix begins, where the merge would read every entry of both)."""
    p = db.param
    want = limit + offset
    resolved = resolve(db, terms)
    if len(resolved) == 1:
        sql, params = first_ids(p, resolved[0], want)
        return [r[0] for r in db.execute_sql(sql, params).fetchall()][offset:want]
    parts, params = [], []
    for i, term in enumerate(resolved):
        sql, ps = stream(p, term)
        parts.append(f"({sql} ORDER BY 1 LIMIT {p}) s{i}" + (f" ON s{i}.id = s0.id" if i else ""))
        params += ps + [MERGED]
    joined = f"SELECT s0.id FROM {' JOIN '.join(parts)} ORDER BY s0.id LIMIT {p}"
    found = [r[0] for r in db.execute_sql(joined, params + [want]).fetchall()]
    if len(found) >= want:
        return found[offset:want]
    # Every match up to the smallest of the terms' MERGED-th ids is in; a term with fewer has no
    # more (then no row of `reached`, and the one-time test skips the GIN scan). One round trip.
    lasts, params = [], []
    for term in resolved:
        sql, ps = stream(p, term)
        lasts.append(f"(({sql} ORDER BY 1 OFFSET {p} LIMIT 1))")
        params += ps + [MERGED - 1]
    reached = f"SELECT min(x) AS low FROM (VALUES {', '.join(lasts)}) v(x) HAVING count(x) = {len(lasts)}"
    # `id + 0`: ordered by id, the planner would walk the primary key testing every row.
    rest = (
        f"WITH r AS MATERIALIZED ({reached}) SELECT id FROM trainee WHERE (SELECT low FROM r) IS NOT NULL "
        f"AND id > (SELECT low FROM r) AND to_tsvector('simple', search_text) @@ to_tsquery('simple', {p}) "
        f"ORDER BY id + 0 LIMIT {p}"
    )
    more = db.execute_sql(rest, params + [_tsquery(resolved), want - len(found)]).fetchall()
    return (found + [r[0] for r in more])[offset:want]


# A substring in more words than this is left to the trigram index (db.search): each word is
# one probe of the word index, and a short common piece is in thousands.
SUBSTRING_WORDS = 200


def vocabulary_serves(piece: str) -> bool:
    """Whether the vocabulary holds every word that can contain `piece`: three characters or
    more (its trigram index) and one that is not an ASCII digit (digits-only words are not in it)."""
    return len(piece) >= 3 and any(c not in "0123456789" for c in piece)


def substring_ids(db: Database, pattern: str, *, limit: int, offset: int = 0) -> list[int] | None:
    """The first `limit` ids after `offset` of the trainees having a word LIKE `pattern`, in id
    order, in one round trip: the vocabulary's words that match (its trigram index), each word's
    first ids from the word index, merged. None when more than SUBSTRING_WORDS words match."""
    p = db.param
    want = limit + offset
    sql = (
        f'WITH v AS MATERIALIZED (SELECT word FROM "{VOCABULARY}" WHERE word LIKE {p} LIMIT {p}) '
        f"SELECT (SELECT count(*) FROM v), ARRAY(SELECT DISTINCT x.id FROM v CROSS JOIN LATERAL (SELECT "
        f'w.trainee_id AS id FROM "{TABLE}" w WHERE w.word = v.word ORDER BY 1 LIMIT {p}) x ORDER BY 1 LIMIT {p})'
    )
    count, ids = db.execute_sql(sql, [pattern, SUBSTRING_WORDS + 1, want, want]).fetchone()
    if count > SUBSTRING_WORDS:
        return None
    return list(ids)[offset:want]

"""Small-count suppression: nothing from 1 to 4 published, nothing hidden that the totals give back.

The check here is independent of the module's own: exact rational Gaussian
elimination over the published equations (fractions), plus simple bounds.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.reporting.suppression import SUPPRESSED, Layout, suppress


def published_equations(original_rows, layout, shown_rows):
    """Linear equations an attacker holds: {hidden cell: coefficient} = constant."""
    n = len(shown_rows)
    value = {}
    data = [list(r) for r in original_rows]
    if layout.column_totals:
        total = [sum(r[c] for r in data) if c in layout.counts else None for c in range(len(data[0]))]
        data.append(total)
    for i, r in enumerate(data):
        for c in layout.counts:
            value[(i, c)] = r[c]
    hidden = {(i, c) for i in range(n) for c in layout.counts if shown_rows[i][c] == SUPPRESSED}
    raw = []
    for i in range(n):
        for tot, parts in layout.row_sums:
            eq = {(i, p): 1 for p in parts}
            eq[(i, tot)] = -1
            raw.append(eq)
    if layout.column_totals:
        for c in layout.counts:
            eq = {(i, c): 1 for i in range(n - 1)}
            eq[(n - 1, c)] = -1
            raw.append(eq)
    eqs = []
    for eq in raw:
        const = -sum(coef * value[cell] for cell, coef in eq.items() if cell not in hidden)
        eqs.append(({cell: coef for cell, coef in eq.items() if cell in hidden}, const))
    return hidden, eqs, value


def determined(hidden, eqs) -> set:
    """Hidden cells whose value follows from the equations (exact rational row reduction)."""
    cells = sorted(hidden)
    index = {c: k for k, c in enumerate(cells)}
    rows = []
    for eq, _const in eqs:
        row = [Fraction(0)] * len(cells)
        for cell, coef in eq.items():
            row[index[cell]] = Fraction(coef)
        if any(row):
            rows.append(row)
    pivots = []
    r = 0
    for col in range(len(cells)):
        pivot = next((k for k in range(r, len(rows)) if rows[k][col] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        p = rows[r][col]
        rows[r] = [x / p for x in rows[r]]
        for k in range(len(rows)):
            if k != r and rows[k][col] != 0:
                f = rows[k][col]
                rows[k] = [a - f * b for a, b in zip(rows[k], rows[r])]
        pivots.append((r, col))
        r += 1
    return {cells[col] for row_no, col in pivots if sum(1 for x in rows[row_no] if x != 0) == 1}


def check(rows, layout):
    columns = tuple(f"c{i}" for i in range(len(rows[0])))
    done = suppress(columns, rows, layout)
    hidden, eqs, value = published_equations(rows, layout, done.rows)
    for i, r in enumerate(done.rows):
        for c in layout.counts:
            if r[c] != SUPPRESSED:
                assert not 1 <= r[c] <= 4, (i, c, r[c])
                assert r[c] == value[(i, c)]  # published values are the true ones
    assert not determined(hidden, eqs), done.rows
    # No line's hidden cells add up to something that itself gives a small count away.
    for eq, const in eqs:
        if len(eq) >= 2 and all(coef == 1 for coef in eq.values()):
            assert const >= 5 or const == 0 or any(value[c] == 0 for c in eq)
    assert done.primary == sum(1 for v in value.values() if 1 <= v <= 4)
    return done


def test_small_counts_are_hidden_and_zeros_are_shown():
    done = check([("a", 0, 3, 10), ("b", 7, 12, 6), ("c", 9, 8, 11)], Layout(counts=(1, 2, 3)))
    assert done.rows[0][1] == 0 and done.rows[0][2] == SUPPRESSED
    assert done.rows[-1][0] == "Total" and done.rows[-1][1] == 16
    assert done.primary == 1 and done.secondary >= 1
    assert "1 count(s) from 1 to 4 hidden" in done.note


def test_a_cross_table_with_row_totals_cannot_be_solved():
    rows = [("x", 3, 10, 12, 25), ("y", 7, 20, 2, 29), ("z", 9, 8, 11, 28)]
    done = check(rows, Layout(counts=(1, 2, 3, 4), row_sums=((4, (1, 2, 3)),)))
    assert done.primary == 2 and done.secondary >= 2


def test_a_small_total_is_itself_hidden():
    done = check([("a", 1, 0), ("b", 2, 0), ("c", 0, 0)], Layout(counts=(1, 2)))
    assert done.rows[-1][1] == SUPPRESSED


def test_percentages_follow_their_sources():
    rows = [("a", 3, 10, 30.0), ("b", 8, 9, 88.9), ("c", 20, 20, 100.0)]
    done = suppress(("k", "num", "den", "pct"), rows, Layout(counts=(1, 2), derived=((3, (1,), (2,)),)))
    assert done.rows[0][3] == SUPPRESSED and done.rows[2][3] == 100.0
    assert done.rows[1][3] == SUPPRESSED  # b's numerator is the complement of a's
    assert done.rows[-1][3] == 79.5  # 31 / 39: both totals are published anyway


def test_nothing_to_hide_says_so():
    done = suppress(("k", "n"), [("a", 10), ("b", 0)], Layout(counts=(1,)))
    assert done.primary == done.secondary == 0 and "no count from 1 to 4" in done.note


counts = st.one_of(st.integers(0, 6), st.integers(5, 60))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(counts, min_size=3, max_size=3), min_size=1, max_size=7))
def test_random_tables_with_column_totals(table):
    check([("r", *r) for r in table], Layout(counts=(1, 2, 3)))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(counts, min_size=3, max_size=3), min_size=1, max_size=6))
def test_random_cross_tables_with_row_and_column_totals(table):
    rows = [("r", *r, sum(r)) for r in table]
    check(rows, Layout(counts=(1, 2, 3, 4), row_sums=((4, (1, 2, 3)),)))

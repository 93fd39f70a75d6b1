"""Small-count suppression for aggregate exports.

Primary: every count from 1 to 4 is hidden (zeros are shown: "nobody" singles
nobody out). Secondary: more cells are hidden until no hidden cell can be
worked out from what is published — the totals row, totals within a row, and
the other cells. The check is exact linear algebra, not a rule of thumb: a
hidden cell is recomputable exactly when its unit vector lies in the row
space of the published equations restricted to hidden cells, which a fully
reduced echelon form shows as a pivot row with no free variable. Arithmetic
is modulo a large prime (the equations have small integer coefficients).

Complements are the smallest non-zero published cells of the line, and a line
whose hidden cells add up (as the totals tell) to 1–4 gets one more, so such a
group never gives away that its members are small.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

SUPPRESSED = "[c]"
MAX_HIDDEN = 4
_P = (1 << 61) - 1
Cell = tuple[int, int]  # (row, column) of a count


@dataclass(frozen=True)
class Layout:
    """Which columns are counts and which published equations tie them together."""

    counts: tuple[int, ...]
    # (total column, part columns): in every row, the parts add up to the total.
    row_sums: tuple[tuple[int, tuple[int, ...]], ...] = ()
    # (column, numerator columns, denominator columns): a percentage, hidden with its sources.
    derived: tuple[tuple[int, tuple[int, ...], tuple[int, ...]], ...] = ()
    # Append a totals row (a published equation for every count column).
    column_totals: bool = True
    label_column: int = 0


@dataclass(frozen=True)
class Suppressed:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    primary: int
    secondary: int
    hidden: frozenset[tuple[int, int]] = field(default_factory=frozenset)  # (row, column) of count cells

    @property
    def note(self) -> str:
        if not self.primary and not self.secondary:
            return "Small-count suppression applied: no count from 1 to 4 to hide."
        return (
            f"Small-count suppression applied: {self.primary} count(s) from 1 to 4 hidden as {SUPPRESSED}; "
            f"{self.secondary} further cell(s) hidden so that none can be worked out from the totals."
        )


def percent(num: int, den: int) -> float | None:
    return round(100.0 * num / den, 1) if den else None


def suppress(columns: Sequence[str], rows: Iterable[Sequence[Any]], layout: Layout) -> Suppressed:
    data = [list(r) for r in rows]
    counts = tuple(layout.counts)
    if layout.column_totals:
        total: list[Any] = [""] * len(columns)
        if data:
            total[layout.label_column] = "Total"
        for c in counts:
            total[c] = sum(int(r[c] or 0) for r in data)
        if data:
            data.append(total)
    value = {(i, c): int(r[c] or 0) for i, r in enumerate(data) for c in counts}
    equations = _equations(len(data), layout)
    hidden = {cell for cell, v in value.items() if 1 <= v <= MAX_HIDDEN}
    primary = len(hidden)
    by_cell: dict[tuple[int, int], list[int]] = {}
    for n, eq in enumerate(equations):
        for cell in eq:
            by_cell.setdefault(cell, []).append(n)
    _line_rule(equations, value, hidden)
    while True:
        exposed = _recomputable(equations, hidden)
        if not exposed:
            break
        for cell in sorted(exposed):
            for n in by_cell.get(cell, ()):
                extra = _complement(equations[n], value, hidden)
                if extra is not None:
                    hidden.add(extra)
                    break
        _line_rule(equations, value, hidden)
    for i, r in enumerate(data):
        for col, num, den in layout.derived:
            if any((i, c) in hidden for c in (*num, *den)):
                r[col] = SUPPRESSED
            elif layout.column_totals and i == len(data) - 1:
                r[col] = percent(sum(int(r[c] or 0) for c in num), sum(int(r[c] or 0) for c in den))
        for c in counts:
            if (i, c) in hidden:
                r[c] = SUPPRESSED
    return Suppressed(tuple(columns), tuple(tuple(r) for r in data), primary, len(hidden) - primary, frozenset(hidden))


def _equations(n_rows: int, layout: Layout) -> list[dict[tuple[int, int], int]]:
    """Every published linear identity, as {cell: coefficient} summing to zero."""
    eqs = []
    for i in range(n_rows):
        for tot, parts in layout.row_sums:
            eq = {(i, p): 1 for p in parts}
            eq[(i, tot)] = -1
            eqs.append(eq)
    if layout.column_totals and n_rows:
        last = n_rows - 1
        for c in layout.counts:
            eq = {(i, c): 1 for i in range(last)}
            eq[(last, c)] = -1
            eqs.append(eq)
    return eqs


def _complement(eq: dict[Cell, int], value: dict[Cell, int], hidden: set[Cell]) -> Cell | None:
    """The published cell of this line to hide next: the smallest non-zero, else a zero."""
    candidates = [cell for cell in eq if cell not in hidden]
    if not candidates:
        return None
    return min(candidates, key=lambda cell: (value[cell] == 0, value[cell], cell))


def _line_rule(equations: list[dict[Cell, int]], value: dict[Cell, int], hidden: set[Cell]) -> None:
    """Cheap first pass: no line may hide exactly one cell, nor a group whose known sum is 1 to 4.

    When the hidden cells of a line sit on the same side of its equation, the
    published cells give their sum away; a sum from 1 to 4 says each is small.
    """
    changed = True
    while changed:
        changed = False
        for eq in equations:
            inside = [cell for cell in eq if cell in hidden]
            if not inside:
                continue
            exposed = len(inside) == 1
            if not exposed and len({eq[cell] > 0 for cell in inside}) == 1:
                exposed = 1 <= sum(value[cell] for cell in inside) <= MAX_HIDDEN
            if exposed:
                extra = _complement(eq, value, hidden)
                if extra is not None:
                    hidden.add(extra)
                    changed = True


def _recomputable(equations: list[dict[Cell, int]], hidden: set[Cell]) -> set[Cell]:
    """Hidden cells fixed by the published equations (sparse reduced row echelon form mod P)."""
    rows: dict[Cell, dict[Cell, int]] = {}  # pivot cell -> {cell: coef}, coef[pivot] == 1, no other pivot inside
    occurs: dict[Cell, set[Cell]] = {}  # free cell -> pivots whose row holds it
    for eq in sorted(equations, key=len):
        r = {cell: c % _P for cell, c in eq.items() if cell in hidden}
        for v in [v for v in r if v in rows]:
            c = r.pop(v)
            for w, cw in rows[v].items():
                if w != v:
                    nv = (r.get(w, 0) - c * cw) % _P
                    if nv:
                        r[w] = nv
                    else:
                        r.pop(w, None)
        if not r:
            continue
        p = min(r, key=lambda cell: (len(occurs.get(cell, ())), cell))
        inv = pow(r[p], _P - 2, _P)
        r = {w: (cw * inv) % _P for w, cw in r.items()}
        for q in occurs.pop(p, set()):
            row = rows[q]
            c = row.pop(p)
            for w, cw in r.items():
                if w == p:
                    continue
                nv = (row.get(w, 0) - c * cw) % _P
                if nv:
                    row[w] = nv
                    occurs.setdefault(w, set()).add(q)
                elif w in row:
                    del row[w]
                    occurs.get(w, set()).discard(q)
        rows[p] = r
        for w in r:
            if w != p:
                occurs.setdefault(w, set()).add(p)
    return {p for p, row in rows.items() if len(row) == 1}

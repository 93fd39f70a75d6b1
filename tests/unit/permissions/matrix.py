"""Every row of the matrix under its function's dotted name (relative to trainer/), and the three
checks each theme's test module runs on its own rows."""

from __future__ import annotations

from tests.unit.permissions import rows_accounts, rows_records, rows_registry, rows_stations, rows_training
from tests.unit.permissions.world import Op, World, allowed, run
from trainer.accounts.access import ROLES

THEMES = {
    "registry": rows_registry.rows(),
    "training": rows_training.rows(),
    "records": rows_records.rows(),
    "accounts": rows_accounts.rows(),
    "stations": rows_stations.rows(),
}
OPERATIONS: dict[str, Op] = {name: row for rows in THEMES.values() for name, row in rows.items()}


def scoped(rows: dict[str, Op]) -> list[str]:
    return sorted(n for n, r in rows.items() if r.scoped)


def taught(rows: dict[str, Op]) -> list[str]:
    return sorted(n for n, r in rows.items() if r.taught)


def check_every_role(name: str, row: Op, world: World) -> None:
    wrong = []
    for role in ROLES:
        refused, error = run(row, world, world.actors[role])
        if refused == allowed(row, role):
            wrong.append(f"{role}: {'refused' if refused else 'allowed'} ({error})")
    assert not wrong, f"{name} {row.permissions}: " + "; ".join(wrong)


def check_scope(name: str, row: Op, world: World) -> None:
    for role, actor in world.outsiders.items():
        if allowed(row, role):
            refused, _ = run(row, world, actor)
            assert refused, f"{name}: {actor.username} acted outside their {role} scope"


def check_taught(name: str, row: Op, world: World) -> None:
    refused, error = run(row, world, world.outsiders["instructor"])
    assert refused, f"{name}: an instructor read a trainee of a cohort they do not teach"
    assert "teaches no cohort of this trainee" in str(error)
    refused, _ = run(row, world, world.actors["instructor"])
    assert not refused

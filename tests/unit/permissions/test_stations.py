"""The permission matrix for stations, kits, inventory checks and postings (rows in rows_stations.py)."""

from __future__ import annotations

import pytest

from tests.unit.permissions.matrix import THEMES, check_every_role, check_scope, scoped
from tests.unit.permissions.world import World

ROWS = THEMES["stations"]


@pytest.mark.parametrize("name", sorted(ROWS))
def test_every_role_against_the_matrix(world: World, name: str) -> None:
    check_every_role(name, ROWS[name], world)


@pytest.mark.parametrize("name", scoped(ROWS))
def test_registrars_and_instructors_act_only_within_their_scope(world: World, name: str) -> None:
    check_scope(name, ROWS[name], world)

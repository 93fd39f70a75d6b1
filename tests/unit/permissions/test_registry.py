"""The permission matrix for people and rosters (rows in rows_registry.py)."""

from __future__ import annotations

import pytest

from tests.unit.permissions.matrix import THEMES, check_every_role, check_scope, check_taught, scoped, taught
from tests.unit.permissions.world import World

ROWS = THEMES["registry"]


@pytest.mark.parametrize("name", sorted(ROWS))
def test_every_role_against_the_matrix(world: World, name: str) -> None:
    check_every_role(name, ROWS[name], world)


@pytest.mark.parametrize("name", scoped(ROWS))
def test_registrars_and_instructors_act_only_within_their_scope(world: World, name: str) -> None:
    check_scope(name, ROWS[name], world)


@pytest.mark.parametrize("name", taught(ROWS))
def test_instructors_read_only_the_trainees_they_teach(world: World, name: str) -> None:
    check_taught(name, ROWS[name], world)

"""The permission matrix for accounts, settings, audit, backups, site identity, demo data (rows in rows_accounts.py).

None of these is scoped: they are all admin-wide or read-only operations."""

from __future__ import annotations

import pytest

from tests.unit.permissions.matrix import THEMES, check_every_role
from tests.unit.permissions.world import World

ROWS = THEMES["accounts"]


@pytest.mark.parametrize("name", sorted(ROWS))
def test_every_role_against_the_matrix(world: World, name: str) -> None:
    check_every_role(name, ROWS[name], world)

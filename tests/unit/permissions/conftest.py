"""The matrix's world, built once per database for the whole package (its rows roll back)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.conftest import fresh_url
from tests.unit.permissions.world import World, build_world


@pytest.fixture(scope="package", params=["sqlite", "postgres"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from trainer.setup import connect

    tmp = tmp_path_factory.mktemp(f"perm-{request.param}")
    old = {k: os.environ.get(k) for k in ("TRAINER_AUDIT_KEY", "XDG_CONFIG_HOME")}
    os.environ["TRAINER_AUDIT_KEY"] = "permissions-test-key-0123456789abcdef"
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
    try:
        url = fresh_url(request.param, tmp)
        connect(url)
        yield build_world(tmp)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

"""The lock check that `make lint` runs: a dependency pyproject.toml asks for must be pinned in the lock."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("check_lock", ROOT / ".ci" / "check_lock.py")
assert _spec and _spec.loader
check_lock = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_lock)

PYPROJECT = (ROOT / "pyproject.toml").read_text("utf-8")
LOCK = (ROOT / "requirements.lock").read_text("utf-8")


def test_the_committed_lock_pins_everything_pyproject_asks_for():
    assert check_lock.problems(PYPROJECT, LOCK) == []


def test_a_dependency_missing_from_the_lock_or_pinned_outside_its_range_is_named():
    changed = PYPROJECT.replace('"textual==8.2.8"', '"textual==8.3.0"').replace(
        '"pytest>=8",', '"pytest>=8",\n    "not-a-locked-package>=1",'
    )
    assert check_lock.problems(changed, LOCK) == [
        "textual: the lock pins 8.2.8, pyproject.toml asks for ==8.3.0",
        "not-a-locked-package: not in requirements.lock",
    ]

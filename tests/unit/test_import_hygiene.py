"""Layering: screens -> trainer -> db, never back."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> list[tuple[str, bool]]:
    """(module, at top level?) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, id(node) in top))
    return found


def roots(path: Path, *, top_level_only: bool = False) -> set[str]:
    return {m.split(".")[0] for m, top in imported_modules(path) if top or not top_level_only}


def test_screens_never_import_the_database_layer():
    for path in (ROOT / "screens").rglob("*.py"):
        assert not roots(path) & {"db", "peewee", "playhouse"}, path


def test_trainer_never_imports_the_ui():
    for path in (ROOT / "trainer").rglob("*.py"):
        # The CLI may open the TUI, but only inside the command that does so.
        bad = roots(path, top_level_only=path.name == "cli.py") & {"textual", "screens", "rich"}
        assert not bad, path


def test_db_imports_neither_trainer_nor_ui():
    for path in (ROOT / "db").rglob("*.py"):
        assert not roots(path) & {"trainer", "screens", "textual"}, path


def test_importing_the_core_loads_no_textual():
    code = (
        "import sys, pkgutil, importlib, trainer, db\n"
        "for pkg in (trainer, db):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'screens')]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

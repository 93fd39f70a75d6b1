"""Layering: screens -> trainer -> db, never back; inside trainer/, each package imports only what
its row of ALLOWED names (docs/architecture.md says why; each package's __init__ docstring says the same)."""

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
        assert not roots(path) & {"trainer", "screens", "textual", "rich"}, path


def test_reporting_never_imports_screens_even_lazily():
    for path in (ROOT / "trainer" / "reporting").rglob("*.py"):
        assert not roots(path) & {"screens", "textual", "rich"}, path


# What each part of trainer/ may import besides itself and the standard library and third-party
# packages: "db" for the database layer, else trainer modules or packages (a prefix allows all below it).
EVERYTHING = {"db", "trainer"}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "text": {"trainer.errors"},  # what may be stored and printed: beside errors, under everything
    "setup": {"db", "trainer.errors", "trainer.registry.reference"},
    "accounts": {"db", "trainer.errors", "trainer.text"},
    "registry": {"db", "trainer.errors", "trainer.text", "trainer.accounts", "trainer.reporting.summary"},
    "reporting": {
        "db",
        "trainer.errors",
        "trainer.accounts",
        "trainer.registry.reference",
        "trainer.registry.names",
        "trainer.registry.vetting",
        "trainer.stations.readiness",  # station-readiness and the dashboard judge stations by its rule
    },
    "training": {
        "db",
        "trainer.errors",
        "trainer.text",
        "trainer.accounts",
        "trainer.registry",
        "trainer.reporting.summary",
    },
    "sync": {
        "db",
        "trainer.errors",
        "trainer.accounts",
        "trainer.reporting.summary",
        "trainer.rosters.likely",  # persons new at headquarters: the roster import's duplicate check
        "trainer.rosters.merges",  # a held person's review decided by the merge service
    },
    "certification": {
        "db",
        "trainer.errors",
        "trainer.text",
        "trainer.accounts",
        "trainer.sync",
        "trainer.registry",
        "trainer.training",
        "trainer.reporting.summary",
    },
    "rosters": {
        "db",
        "trainer.errors",
        "trainer.text",
        "trainer.accounts",
        "trainer.registry",
        "trainer.training",
        "trainer.reporting.summary",
    },
    "demo": {
        "db",
        "trainer.errors",
        "trainer.accounts",
        "trainer.registry",
        "trainer.training",
        "trainer.certification",
        "trainer.reporting",
        "trainer.stations.kits",  # a kit's manifest
    },
    "stations": {
        "db",
        "trainer.errors",
        "trainer.text",
        "trainer.accounts",
        "trainer.registry.reference",
        "trainer.rosters.reading",
        "trainer.reporting.summary",
    },
    "encryption": {
        "db",
        "trainer.errors",
        "trainer.accounts",
        "trainer.setup",  # unlock first, then open: it orders sign-in around setup.connect
        "trainer.certification.signing",  # the key files a conversion seals
        "trainer.reporting.pseudonyms",
    },
    "commands": EVERYTHING - {"trainer.cli"},
    "cli": {"trainer.commands", "trainer.errors", "trainer.text"},  # and the UI, inside the tui command only
}


def part_of(path: Path) -> str:
    """The package (or top-level module) of trainer/ a file belongs to."""
    rel = path.relative_to(ROOT / "trainer").parts
    return rel[0] if len(rel) > 1 else rel[0].removesuffix(".py")


def allowed(module: str, rules: set[str]) -> bool:
    if module.split(".")[0] not in ("db", "trainer"):
        return True  # the standard library and third-party packages: checked by the UI tests above
    return any(module == r or module.startswith(r + ".") for r in rules)


def test_every_part_of_trainer_has_a_row():
    parts = {
        part_of(p) for p in (ROOT / "trainer").rglob("*.py") if p.name != "__init__.py" or p.parent.name != "trainer"
    }
    assert parts == set(ALLOWED)


def test_each_package_imports_only_what_its_row_allows():
    bad = []
    for path in (ROOT / "trainer").rglob("*.py"):
        if path.parent == ROOT / "trainer" and path.name == "__init__.py":
            continue
        part = part_of(path)
        rules = ALLOWED[part] | {f"trainer.{part}"}
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from trainer.x import y`: y may be a module of x, so the rule sees trainer.x.y
                names = [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            bad += [f"{path.relative_to(ROOT)} imports {n}" for n in names if not allowed(n, rules)]
    assert not bad, "\n".join(bad)


def test_services_never_ask_which_database():
    """What differs between SQLite and PostgreSQL is db.dialect's (docs/architecture.md)."""
    asking = {"is_postgres", "is_sqlite", "PostgresqlDatabase", "SqliteDatabase", "sqlite_path"}
    for path in (ROOT / "trainer").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not {a.name for a in node.names} & asking, f"{path.relative_to(ROOT)}: {node.module}"


def test_the_rule_catches_a_wrong_import():
    assert not allowed("trainer.screens", ALLOWED["reporting"])
    assert not allowed("trainer.rosters.imports", ALLOWED["reporting"])
    assert not allowed("trainer.reporting.catalogue.REPORTS", ALLOWED["training"])
    assert allowed("trainer.reporting.summary.refresh_cohort", ALLOWED["training"])
    assert not allowed("db.models", ALLOWED["errors"])


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

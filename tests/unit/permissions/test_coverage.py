"""The matrix misses nothing: every PERMISSIONS key and every service function anywhere under
trainer/ that checks a permission has a row, and the scan itself cannot go blind.

The scan reads the source (ast), so a new package or module is covered as soon as it exists;
a function is named by its dotted path relative to trainer/ (e.g. registry.trainees.search).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from tests.unit.permissions.matrix import OPERATIONS
from trainer.accounts.access import PERMISSIONS

TRAINER = Path(__file__).resolve().parents[3] / "trainer"
GATES = {"require", "require_centre", "require_teaches", "require_cohort", "may"}
# Public functions that test a permission but are not operations of their own: they shape
# what an operation with its own row returns.
HELPERS = {
    "reporting.people.labeller": "names or pseudonyms in a report, for reporting.people's rows",
    "registry.scope.shown": "blanks what a role may not read, in registry.trainees' rows",
}
# CLI handlers that check a permission themselves (the services they call take no actor).
CLI_GATED = {"commands.audit.cmd_verify": "audit.read"}
# Fewer than this means the scan stopped seeing the code (as it did when trainer/ became packages
# and it still read only trainer/*.py); there are well over a hundred.
MIN_GATED = 80


def module_name(path: Path) -> str:
    parts = path.relative_to(TRAINER).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def gates(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            f = sub.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if name in GATES:
                return True
    return False


def gated_functions() -> set[str]:
    """package.module.function for every public function under trainer/ that checks a permission."""
    found = set()
    for path in sorted(TRAINER.rglob("*.py")):
        module = module_name(path)
        if module == "accounts.access":  # the gates themselves
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
                if gates(node):
                    found.add(f"{module}.{node.name}")
    return found


def test_the_scan_sees_every_package() -> None:
    found = gated_functions()
    assert len(found) >= MIN_GATED, f"only {len(found)} gated functions found: the scan went blind"
    packages = {name.split(".")[0] for name in found}
    for package in ("accounts", "certification", "registry", "reporting", "rosters", "stations", "training"):
        assert package in packages, f"no gated function found in trainer/{package}/"


def test_every_gated_service_function_has_a_row() -> None:
    covered = {name.split("(")[0] for name in OPERATIONS} | set(HELPERS) | set(CLI_GATED)
    missing = sorted(gated_functions() - covered)
    assert not missing, f"service operations without a row in OPERATIONS: {missing}"


def test_every_row_names_a_real_function() -> None:
    """A row's name is where its function is defined, so that the coverage above means something."""
    wrong = []
    for name in {n.split("(")[0] for n in OPERATIONS} | set(HELPERS) | set(CLI_GATED):
        module, _, function = name.rpartition(".")
        target = getattr(importlib.import_module(f"trainer.{module}"), function, None)
        if target is None or getattr(target, "__module__", None) != f"trainer.{module}":
            wrong.append(name)
    assert not wrong, f"rows named after no function defined there: {sorted(wrong)}"


def test_cli_gates_are_real_and_have_rows() -> None:
    assert {n for n in gated_functions() if n.startswith("commands.")} == set(CLI_GATED)
    covered = {p for row in OPERATIONS.values() for p in row.permissions}
    assert set(CLI_GATED.values()) <= covered


def test_every_permission_has_a_row() -> None:
    covered = {p for row in OPERATIONS.values() for p in row.permissions}
    missing = sorted(set(PERMISSIONS) - covered)
    assert not missing, f"PERMISSIONS keys without a row in OPERATIONS: {missing}"
    unknown = sorted(covered - set(PERMISSIONS))
    assert not unknown, f"rows name permissions the matrix lacks: {unknown}"

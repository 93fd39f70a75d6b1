"""Every public service in `trainer` that writes takes an actor and checks it (issue 14).

A static scan, so a new service cannot slip by untested: for each public function of
trainer's modules (the CLI aside, which calls services), find whether it writes
(a model's insert/update/delete/create/save, an audit event, or INSERT/UPDATE/DELETE
SQL), following the module's private helpers and calls to other services, and whether
it checks the actor (require, require_centre, require_cohort, require_teaches, or a
service that does). The few that write on no one's behalf are listed, each with why.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRAINER = ROOT / "trainer"

WRITE_METHODS = {
    "insert",
    "insert_many",
    "insert_from",
    "update",
    "delete",
    "create",
    "save",
    "delete_instance",
    "bulk_create",
    "get_or_create",
}
CHECKS = {"require", "require_centre", "require_cohort", "require_teaches", "require_trainee"}
AUDIT = {"record", "record_many"}

# Writes that act for no one, or before anyone can be known: why each is not a hole.
EXEMPT = {
    "trainer.accounts.users.authenticate": "sign-in: who acts is what it establishes; throttled and audited",
    "trainer.accounts.sign_in_ledger.sign_in": "sign-in (users.authenticate, or its ledger while the database is busy)",
    "trainer.accounts.sign_in_ledger.drain": "in audit.record_many's transaction: ledger sign-ins, each by its actor",
    "trainer.accounts.app_sign_in.open_session": "the session of a sign-in the ledger has just counted and checked",
    "trainer.accounts.sign_in_ledger.flush": "sign-ins already made (counts, audit events) into the database",
    "trainer.accounts.users.unlock": "the idle lock: the signed-in person proves it again (checks the session)",
    "trainer.accounts.users.sign_out": "ends the actor's own session only",
    "trainer.accounts.users.create_user": "actor None only while no account exists (the bootstrap admin)",
    "trainer.accounts.users.set_password": "one's own password, else user.manage (checked in the body)",
    "trainer.accounts.audit.record_many": "the audit events of a checked write, in its transaction",
    "trainer.setup.seed_reference": "reference data (forces, provinces) kept equal to the code's",
    "trainer.reporting.summary.rebuild": "derived summary rows, rebuilt from the records (no one's edit)",
    "trainer.reporting.summary.refresh_cohort": "derived summary rows, inside the checked write that changed them",
    "trainer.reporting.summary.refresh_cohort_results": "derived summary rows, inside the checked write",
    "trainer.reporting.summary.refresh_trainees": "derived summary rows, inside the checked write",
    "trainer.accounts.backup.note_attempt": "what the scheduled backup (run as the system) last did, for the admin",
    "trainer.accounts.settings.set_personal": "the actor's own preferences only: the key is bound to the actor",
    "trainer.rosters.writing.ensure_units": "units named by a roster, inside import_trainees' checked transaction",
    "trainer.training.rules.freeze": "snapshots a course's pass rule when a checked service first uses it",
    "trainer.sync.merge.retry_waiting": "a peer's records, inside sync.exchange.import_bundle's checked transaction",
    "trainer.sync.merge.materialise": "a peer's records, inside sync.exchange.import_bundle's checked transaction",
    "trainer.sync.merge.settle_national_ids": "a peer's records, in sync.exchange.import_bundle's checked transaction",
    "trainer.sync.audit_chains.remember_ack": "HQ's word, inside sync.exchange.import_bundle's checked transaction",
    "trainer.sync.audit_chains.take": "a site's audit trail, inside sync.exchange.import_bundle's checked transaction",
    "trainer.accounts.owned_settings.take": "HQ's rules, inside sync.exchange.import_bundle's checked transaction",
    "trainer.sync.aliases.collided": "HQ's alias of a peer's unit, inside import_bundle's checked transaction",
    "trainer.sync.aliases.adopt": "HQ's alias applied to a site's unit, inside import_bundle's checked transaction",
}


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(TRAINER.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts)
        if name.startswith(("trainer.commands", "trainer.cli")):
            continue
        found[name.removesuffix(".__init__")] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def _receiver_is_model(node: ast.expr) -> bool:
    """models.Trainee.insert / U.update / Trainee.create: a capitalised receiver (not dict.update)."""
    if isinstance(node, ast.Name):
        return node.id[:1].isupper()
    if isinstance(node, ast.Attribute):
        return node.attr[:1].isupper()
    if isinstance(node, ast.Call):  # Model.select(...).where(...).update? no: query builders start from a model
        return False
    return False


def _called(node: ast.Call) -> str | None:
    f = node.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return None


def facts(fn: ast.FunctionDef) -> tuple[bool, bool, set[str]]:
    """(writes directly, checks directly, names it calls)."""
    writes = checks = False
    calls: set[str] = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            name = _called(node)
            if name:
                calls.add(name)
            if name in CHECKS:
                checks = True
            if name in AUDIT and isinstance(node.func, ast.Attribute):
                writes = True
            if (
                isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITE_METHODS
                and _receiver_is_model(node.func.value)
            ):
                writes = True
            if name in ("execute_sql", "execute") and node.args and isinstance(node.args[0], ast.Constant):
                sql = str(node.args[0].value).lstrip().upper()
                if sql.startswith(("INSERT", "UPDATE", "DELETE")):
                    writes = True
    return writes, checks, calls


def scan() -> dict[str, dict]:
    table: dict[str, dict] = {}
    by_name: dict[str, list[str]] = {}
    for mod, tree in modules().items():
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                writes, checks, calls = facts(node)
                key = f"{mod}.{node.name}"
                params = [a.arg for a in node.args.args + node.args.kwonlyargs]
                positional = node.args.args[len(node.args.args) - len(node.args.defaults) :]
                defaults = dict(zip([a.arg for a in positional], node.args.defaults))
                defaults.update({a.arg: d for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults) if d})
                system_default = isinstance(defaults.get("actor"), ast.Name) and defaults["actor"].id == "SYSTEM"
                table[key] = dict(
                    writes=writes,
                    checks=checks,
                    calls=calls,
                    public=not node.name.startswith("_"),
                    params=params,
                    system_default=system_default,
                )
                by_name.setdefault(node.name, []).append(key)
    # Follow calls to a fixed point: a helper's write is its caller's; so is a called service's check.
    changed = True
    while changed:
        changed = False
        for key, f in table.items():
            mod = key.rsplit(".", 1)[0]
            for name in f["calls"]:
                for other in by_name.get(name, ()):
                    o = table[other]
                    same_module_helper = other.rsplit(".", 1)[0] == mod and not o["public"]
                    if o["writes"] and not f["writes"] and (same_module_helper or o["public"]):
                        if same_module_helper:
                            f["writes"] = changed = True
                    if (
                        o["checks"]
                        and not f["checks"]
                        and (same_module_helper or (o["public"] and "actor" in o["params"]))
                    ):
                        f["checks"] = changed = True
    return table


def test_every_public_service_that_writes_checks_its_actor():
    table = scan()
    writers = {k: f for k, f in table.items() if f["public"] and f["writes"]}
    assert len(writers) > 40, sorted(writers)  # the scan sees the services at all
    unchecked = sorted(k for k, f in writers.items() if not f["checks"] and k not in EXEMPT)
    assert not unchecked, "public functions that write without a permission check:\n" + "\n".join(unchecked)
    no_actor = sorted(k for k, f in writers.items() if "actor" not in f["params"] and k not in EXEMPT)
    assert not no_actor, "public functions that write without taking an actor:\n" + "\n".join(no_actor)
    # backup() and restore() once defaulted to the system actor: a caller that forgot it acted as admin
    defaulted = sorted(k for k, f in writers.items() if f["system_default"])
    assert not defaulted, f"services whose actor defaults to SYSTEM: {defaulted}"


def test_the_exemptions_are_still_real():
    table = scan()
    stale = sorted(k for k in EXEMPT if k not in table or not table[k]["writes"])
    assert not stale, f"exempted functions that no longer exist or no longer write: {stale}"


def test_the_scan_catches_a_write_without_a_check():
    tree = ast.parse(
        "def rename(actor, cid, name):\n"
        "    with database.atomic():\n"
        "        models.Centre.update(name_en=name).where(models.Centre.id == cid).execute()\n"
    )
    writes, checks, _ = facts(tree.body[0])
    assert writes and not checks
    tree = ast.parse("def tidy(d):\n    d.update(x=1)\n")
    assert facts(tree.body[0])[0] is False  # a dict's update is no write

"""No traceback, ever: the CLI over a generated table of bad arguments, paths, URLs, payloads and files.

Every case must end with exit 0, 1 or 2, at most one line on stderr when it
fails, no "internal error" (an exception no code foresaw: the catch-all in
trainer.cli keeps it to one line, but it is still a bug), and no file left
half-written (no *.partial beside an output, no output file after a failure).
Run on SQLite and, with TRAINER_TEST_DATABASE_URL, on PostgreSQL (issue 14).
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_SKIP, PG_URL, reset_postgres
from trainer.cli import main
from trainer.errors import INTERNAL

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def hostile_files(d: Path) -> dict[str, Path]:
    """Files a clumsy user or an attacker hands to a command."""
    d.mkdir(exist_ok=True)
    header = "given_name,father_name,grandfather_name,date_of_birth,force,province\n"
    files = {
        "empty": b"",
        "binary": bytes(range(256)) * 40,
        "nul": b"given_name\x00,x\n",
        "utf16": "given_name,x\n".encode("utf-16"),
        "mixed": (header + "أحمد,علي,حسن,1990-01-31,police,IQ-NI\n").encode("utf-8")
        + "محمد,علي,حسن,1990-01-31,police,IQ-NI\n".encode("windows-1256"),
        "latin1": (header + "Zoë,Ana,Béa,1990-01-31,police,IQ-NI\n").encode("latin-1"),
        "huge_field": (header + "x" * 200_000 + ",a,b,1990-01-31,police,IQ-NI\n").encode(),
        "control": (header + "\x1b]0;pwned\x07Ali,a,b,1990-01-31,police,IQ-NI\n").encode(),
        "bidi": (header + "Ali\u202e,a,b,1990-01-31,police,IQ-NI\n").encode(),
        "only_header": header.encode(),
        "no_header": b"1,2,3\n4,5,6\n",
        "many_columns": (",".join(f"c{i}" for i in range(5000)) + "\n").encode(),
        "fake_xlsx": b"PK\x03\x04" + os.urandom(64),
        "json_list": b"[1,2,3]",
        "json_deep": b"[" * 100_000 + b"]" * 100_000,
        "manifest_not_json": b"{not json",
        "manifest_list": b"[]",
        "manifest_types": json.dumps({"created_at": 5, "counts": "x", "audit_head": [], "hmac": 1}).encode(),
        "manifest_empty_obj": b"{}",
        "pem_garbage": b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        "results_sheet": b"national_id,LAW\n" + b"1" * 200_000 + b",50\n",
    }
    out = {}
    for name, data in files.items():
        path = d / f"{name}.csv"
        path.write_bytes(data)
        out[name] = path
    # a "backup" whose manifest is malformed in several ways
    for name in ("manifest_not_json", "manifest_list", "manifest_types", "manifest_empty_obj"):
        bk = d / f"bk-{name}.db"
        bk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
        Path(str(bk) + ".manifest.json").write_bytes(files[name])
        out[f"backup_{name}"] = bk
    return out


def cert_codes() -> list[str]:
    deep = json.dumps({"k": "x"})[:-1] + ',"n":' + "[" * 5000 + "]" * 5000 + "}"
    return [
        "",
        "TRC1",
        "TRC1.",
        "TRC1..",
        "TRC1.a.b",
        "TRC1.!!!.???",
        "TRC1." + "A" * 100_000 + ".AAAA",
        "TRC1." + _b64(b"\xff\xfe") + ".AAAA",
        "TRC1." + _b64(b"[1,2]") + ".AAAA",
        "TRC1." + _b64(b'{"k": [1]}') + ".AAAA",
        "TRC1." + _b64(b'{"k": {"a": 1}}') + ".AAAA",
        "TRC1." + _b64(b'{"k": null}') + ".AAAA",
        "TRC1." + _b64(deep.encode()) + ".AAAA",
        "TRC1." + _b64(b'{"k": "x", "e": 5}') + ".AAAA",
        "x" * 5000,  # a "file name" too long for the file system
        "/nonexistent/code.txt",
        "\x1b]0;title\x07",
        "TRC1.\u202e.x",
    ]


def cases(tmp: Path, url: str) -> list[tuple[str, list[str], Path | None]]:
    """(name, argv, output path that must not be left half-written)."""
    f = hostile_files(tmp / "in")
    missing = tmp / "no-such-folder" / "out.csv"
    ro = Path("/proc/trainer-out.csv")
    outs = {
        "missing-folder": missing,
        "dev-full": Path("/dev/full"),
        "a-directory": tmp,
        "proc": ro,
        "too-long": tmp / ("n" * 300 + ".csv"),
        "fine": tmp / "fine.out",
    }
    db = ["--db", url]
    me = [*db, "--user", "admin"]
    found: list[tuple[str, list[str], Path | None]] = []

    def add(name, argv, output=None):
        found.append((name, [str(a) for a in argv], output))

    # database URLs × commands
    urls = [
        f"sqlite:///{tmp}",
        "sqlite:////dev/null",
        f"sqlite:///{tmp}/missing.db",
        "sqlite:///relative/dir/x.db",
        f"sqlite:///{tmp}/x.db?mode=ro",
        "sqlite://",
        "sqlite:///",
        "postgresql://x@127.0.0.1:99999/x",
        "postgresql://x@127.0.0.1:abc/x",
        "postgresql://x@127.0.0.1:1/x",
        "postgresql:///",
        "mongodb://localhost/x",
        "",
        "not a url",
        f"sqlite:///{f['binary']}",
        f"sqlite:///{tmp}/{'d' * 300}.db",
    ]
    for u, cmd in itertools.product(
        urls, [["report", "trained-by-force"], ["audit", "log"], ["import", "held"], ["backup", tmp / "b/"]]
    ):
        add(f"url {u[:40]} {cmd[0]}", ["--db", u, *cmd])
    # users
    for user in ["", "nobody", "ａdmin", "аdmin", "admin\x1b[31m", "x" * 10_000, "admin\u202e", " admin "]:
        for cmd in (["audit", "log"], ["import", "held"], ["cert", "expiring"]):
            add(f"user {user[:12]!r} {cmd[0]}", [*db, "--user", user, *cmd])
    # reports: names, dates, filters, formats, outputs
    for name in ["nope", "", "trained-by-force\x1b", "cohort-roster"]:
        add(f"report name {name!r}", [*me, "report", name])
    for flag, value in itertools.product(
        ["--from", "--to"], ["yesterday", "2026-13-01", "0000-00-00", "9999-99-99", "", "2026-02-30", "٢٠٢٦-٠١-٠١"]
    ):
        add(f"report {flag} {value!r}", [*me, "report", "trained-by-force", flag, value])
    for flag, value in itertools.product(
        ["--force", "--province", "--centre", "--cohort"], ["nope", "", "\x1b[2J", "' OR 1=1 --", "x" * 5000]
    ):
        add(f"report {flag} {value[:12]!r}", [*me, "report", "cohort-roster", "--cohort", "C", flag, value])
    for fmt, (oname, out) in itertools.product(["table", "csv", "xlsx", "json", "hxl", "pdf"], outs.items()):
        add(f"report {fmt} -> {oname}", [*me, "report", "trained-by-force", "--format", fmt, "--output", out], out)
    # person-level export
    for fmt, (oname, out) in itertools.product(["csv", "xlsx", "json", "xml"], outs.items()):
        add(f"export {fmt} -> {oname}", [*me, "export", "trainees", "--format", fmt, "--output", out], out)
    add("export without user", [*db, "export", "trainees", "--output", outs["fine"]], outs["fine"])
    # certificates
    for i, code in enumerate(cert_codes()):
        add(f"cert verify #{i}", [*db, "cert", "verify", code])
        add(f"cert verify #{i} key", ["cert", "verify", code, "--public-key", f["pem_garbage"]])
    for key in [tmp / "missing.pem", tmp, f["binary"], f["empty"], Path("/dev/null")]:
        add(f"cert verify key {key.name}", ["cert", "verify", "TRC1.a.b", "--public-key", key])
    for number, (oname, out) in itertools.product(["NOPE-1", "", "\x1b"], outs.items()):
        add(f"cert pdf {number!r} -> {oname}", [*me, "cert", "pdf", number, "--output", out], out)
        add(f"cert badge {number!r} -> {oname}", [*me, "cert", "badge", number, "--output", out], out)
    for days in ["0", "-1", "x", "99999999999999999999", ""]:
        add(f"cert expiring {days}", [*me, "cert", "expiring", "--days", days])
    for oname, out in outs.items():
        add(f"cert public-key -> {oname}", ["cert", "public-key", "--output", out], out)
    # roster and result files
    inputs = {**{k: v for k, v in f.items() if not k.startswith("backup_")}, "missing": tmp / "none.csv"}
    inputs.update({"dir": tmp, "devnull": Path("/dev/null"), "long": tmp / ("f" * 300)})
    for name, path in inputs.items():
        add(f"import trainees {name}", [*me, "import", "trainees", path])
        add(f"import trainees {name} dry", [*me, "import", "trainees", path, "--dry-run", "--skip-invalid"])
        add(f"import results {name}", [*me, "import", "results", path, "--cohort", "NOPE"])
    for fmt in ["DD/MM/YYYY", "YYYY", "", "%Y%m%d", "\x1b"]:
        add(f"import date format {fmt!r}", [*me, "import", "trainees", f["mixed"], "--date-format", fmt])
    for oname, out in outs.items():
        add(f"import report -> {oname}", [*me, "import", "trainees", f["control"], "--report", out], out)
    for limit in ["-1", "0", "x", "99999999999999999999999"]:
        add(f"import held {limit}", [*me, "import", "held", "--limit", limit])
        add(f"audit log {limit}", [*me, "audit", "log", "--limit", limit])
    # backup and restore
    for oname, out in outs.items():
        if oname != "fine":
            add(f"backup -> {oname}", [*me, "backup", out], out)
    for name in ("manifest_not_json", "manifest_list", "manifest_types", "manifest_empty_obj"):
        bk = f[f"backup_{name}"]
        add(f"restore {name}", [*me, "restore", bk, "--yes"])
        add(f"restore {name} check", [*me, "restore", bk, "--check"])
        add(f"audit verify {name}", [*me, "audit", "verify", "--manifest", str(bk) + ".manifest.json"])
    for path in [tmp / "none.db", tmp, Path("/dev/null"), f["binary"], tmp / ("m" * 300)]:
        add(f"restore {path.name[:20]}", [*me, "restore", path, "--yes"])
        add(f"audit verify manifest {path.name[:20]}", [*me, "audit", "verify", "--manifest", path])
    # numbers past a database integer, or past sense (they ended in OverflowError)
    for big in ["99999999999999999999999", "-5", "1e3", "nan"]:
        add(
            f"station strength {big}",
            [*me, "station", "add", "S1", "--kind", "police", "--province", "IQ-BG", "--name", "n", "--strength", big],
        )
        add(f"station edit strength {big}", [*me, "station", "edit", "S1", "--strength", big])
        add(f"station list limit {big}", [*me, "station", "list", "--limit", big])
        add(f"posting end {big}", [*me, "posting", "end", big, "--on", "2026-01-01", "--reason", "r"])
        add(f"report days {big}", [*me, "report", "deployment-leakage", "--days", big])
        add(f"serve port {big}", [*db, "serve", "--port", big])
        add(f"demo seed {big}", [*db, "demo", "--seed", big])
    for coord in ["nan", "inf", "-inf", "1e309", "91"]:
        add(
            f"station lat {coord}",
            [
                *me,
                "station",
                "add",
                "S2",
                "--kind",
                "police",
                "--province",
                "IQ-BG",
                "--name",
                "n",
                "--lat",
                coord,
                "--lon",
                "44",
            ],
        )
    # files that are not regular files: refused before a byte is read (see test_endless_inputs_…)
    for name, path in (("dir", tmp), ("devnull", Path("/dev/null")), ("long", tmp / ("p" * 300))):
        add(f"posting import {name}", [*me, "posting", "import", path, "--dry-run"])
        add(f"site trust key {name}", [*me, "site", "trust", "PEER", "--public-key", path])
        add(
            f"vetting sheet {name}",
            [*me, "vetting", "record", "--case-ref", "c", "--result", "approved", "--national-id", "1"],
        )
    # accounts and the rest
    for name in ["", "a b", "аdmin", "x" * 100, "new\x1b", "admin", "ok_name"]:
        add(f"user add {name[:10]!r}", [*me, "user", "add", name, "--role", "analyst", "--password-stdin"])
    for role in ["", "root", "ADMIN"]:
        add(f"user add role {role!r}", [*me, "user", "add", "someone", "--role", role, "--password-stdin"])
    add("user add centre", [*me, "user", "add", "reg1", "--role", "registrar", "--centre", "NOPE", "--password-stdin"])
    for argv in (
        ["demo", "--scale", "huge"],
        ["demo", "--seed", "x"],
        ["audit"],
        ["cert"],
        ["import"],
        ["user"],
        ["report"],
        ["backup"],
        ["frobnicate"],
        ["--nope"],
        ["restore"],
    ):
        add(f"usage {' '.join(argv)}", [*db, *argv])
    return found


def run_case(argv: list[str], capsys) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: usage errors
        code = exc.code if isinstance(exc.code, int) else 2
    _, err = capsys.readouterr()
    return code, err


def is_file(path: Path | None) -> bool:
    try:
        return path is not None and path.is_file()
    except OSError:  # a name too long to look up
        return False


def leftovers(tmp: Path) -> list[str]:
    return sorted(str(p) for p in tmp.rglob("*.partial*"))


def hostile_database(backend: str, tmp: Path) -> str:
    from trainer.accounts import users
    from trainer.setup import connect

    if backend == "postgres":
        if not PG_URL:
            pytest.skip(PG_SKIP)
        reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{tmp / 'hostile.db'}"
    connect(url)
    users.create_user(None, "admin", "admin", PASSWORD)
    return url


def test_no_traceback_over_hundreds_of_hostile_cases(backend, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TRAINER_PASSWORD", PASSWORD)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("TRAINER_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # a script: no terminal, end of input at once
    # A cheap Argon2 profile for this test's one account: 400 sign-ins at the real cost take minutes.
    from argon2 import PasswordHasher

    from trainer.accounts import users

    monkeypatch.setattr(users, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    monkeypatch.setattr(users, "_decoy_hash", functools.lru_cache(maxsize=1)(lambda: users.hasher.hash("decoy")))
    url = hostile_database(backend, tmp_path)
    table = cases(tmp_path, url)
    assert len(table) >= 300, len(table)
    bad = []
    for name, argv, output in table:
        existed = is_file(output)
        code, err = run_case(argv, capsys)
        lines = err.strip().splitlines()
        if code not in (0, 1, 2):
            bad.append(f"{name}: exit {code}")
        if "Traceback" in err or INTERNAL in err:
            bad.append(f"{name}: {err.strip()[-300:]}")
        if code == 1 and len(lines) != 1:
            bad.append(f"{name}: {len(lines)} lines on stderr: {err[:300]!r}")
        if "\x1b" in err or "\u202e" in err:
            bad.append(f"{name}: raw control character printed: {err[:100]!r}")
        if leftovers(tmp_path):
            bad.append(f"{name}: half-written {leftovers(tmp_path)}")
        if code != 0 and not existed and is_file(output):
            bad.append(f"{name}: left {output} after failing")
        if is_file(output) and output.parent == tmp_path:
            output.unlink()
    assert not bad, f"{len(bad)} of {len(table)} cases went wrong:\n" + "\n".join(bad)
    assert not (tmp_path / "relative").exists()  # a missing database is never created by a reading command
    assert not Path("/dev/null-journal").exists()


SUBPROCESS_CASES = [
    # (argv as bytes, stdin bytes, environment additions)
    ([b"--user", b"\xff\xfe"], b"", {}),
    ([b"--db", b"sqlite:///\xff.db", b"init"], b"", {}),
    ([b"--user", b"admin", b"audit", b"log"], b"", {"TRAINER_PASSWORD": b"\xff\xfe\xfd"}),
    ([b"--user", b"admin", b"audit", b"log"], b"", {"TRAINER_PASSWORD": b""}),  # prompt: Ctrl-D at once
    ([b"--user", b"admin", b"restore", b"x.db"], b"", {}),
    ([b"user", b"add", b"first", b"--role", b"admin"], b"", {}),
]


@pytest.mark.parametrize("argv, stdin, env", SUBPROCESS_CASES)
def test_bytes_and_end_of_input_in_a_real_process(tmp_path, argv, stdin, env):
    """What only a real process shows: argv and environment bytes that are not UTF-8, Ctrl-D at a prompt."""
    url = f"sqlite:///{tmp_path / 'p.db'}".encode()
    environ = {k.encode(): v.encode() for k, v in os.environ.items() if k != "TRAINER_PASSWORD"}
    environ.update(
        {
            b"PYTHONPATH": str(ROOT).encode(),
            b"XDG_CONFIG_HOME": str(tmp_path).encode(),
            **{k.encode(): v for k, v in env.items()},
        }
    )
    assert main(["--db", url.decode(), "init"]) == 0
    done = subprocess.run(
        [sys.executable, "-m", "trainer.cli", b"--db", url, *argv],
        input=stdin,
        capture_output=True,
        env=environ,
        cwd=tmp_path,
        timeout=120,
    )
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode in (1, 2), err
    assert "Traceback" not in err and INTERNAL not in err, err
    assert len(err.strip().splitlines()) == 1 or done.returncode == 2, err


ENDLESS = ["/dev/zero", "/dev/urandom", "FIFO"]
READERS = [
    ["posting", "import", "{src}", "--dry-run"],
    ["cert", "verify", "TRC1.a.b", "--public-key", "{src}"],
    ["site", "trust", "PEER", "--public-key", "{src}"],
    ["audit", "verify", "--manifest", "{src}"],
    ["import", "trainees", "{src}", "--dry-run"],
    ["audit", "log", "--limit", "1"],  # with TRAINER_AUDIT_HEADS={src}
]


@pytest.mark.parametrize("src", ENDLESS)
@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c[:2]))
def test_endless_inputs_are_refused_not_read(tmp_path, src, command):
    """/dev/zero as a public key or a personnel list was read until the machine ran out of memory
    (the OOM killer took 23 GB), /dev/urandom or a named pipe hung the command. Run in a process
    with a 2 GB address-space cap and a time limit, so a regression fails instead of harming the machine."""
    import resource

    if src == "FIFO":
        src = str(tmp_path / "pipe")
        os.mkfifo(src)
    url = f"sqlite:///{tmp_path / 'p.db'}"
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_CONFIG_HOME=str(tmp_path), TRAINER_PASSWORD=PASSWORD)
    env["TRAINER_AUDIT_KEY"] = "endless-key-0123456789abcdef0123456789"
    from trainer.accounts import users
    from trainer.setup import connect

    connect(url)
    users.create_user(None, "admin", "admin", PASSWORD)
    if command[0] == "audit" and command[1] == "log":
        env["TRAINER_AUDIT_HEADS"] = src
    argv = [part.replace("{src}", src) for part in command]

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    done = subprocess.run(
        [sys.executable, "-m", "trainer.cli", "--db", url, "--user", "admin", *argv],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        preexec_fn=cap,
        stdin=subprocess.DEVNULL,
    )
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode in (0, 1), err
    assert "Traceback" not in err and INTERNAL not in err and "out of memory" not in err, err
    assert len(err.strip().splitlines()) <= 1, err
    if src.startswith("/dev/"):
        assert Path(src).is_char_device() and not Path(src + ".lock").exists()


def test_an_xlsx_onto_a_full_disk_is_one_error_and_no_stray_traceback(capfd):
    """xlsxwriter wrote the file itself; on a full disk its zipfile's __del__ printed a traceback
    after ours. The workbook is now built in memory and written by us."""
    import gc

    from trainer.reporting.exports import write_xlsx

    with pytest.raises(OSError):
        write_xlsx("/dev/full", ["a", "b"], [[str(i) * 50, i] for i in range(5000)])
    gc.collect()
    _, err = capfd.readouterr()
    assert "Traceback" not in err and "Exception ignored" not in err, err

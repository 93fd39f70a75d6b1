"""The whole journey on the command line (issue 16): a site works offline, headquarters takes it in.

A field site (SQLite) trains and certifies twelve people offline and exports; headquarters
(SQLite, and PostgreSQL when configured) imports the bundle twice (nothing new the
second time) and refuses a tampered copy with one line; its `report trained-by-force`
counts the site's trainees; a certificate revoked at headquarters is REVOKED at the site
after the next exchange.
"""

from __future__ import annotations

import json

import pytest

from db import models
from db.connection import database
from tests.instructor_fixtures import D, build, private_config  # noqa: F401
from tests.unit.test_cli_site import PASSWORD, _admin, run
from trainer.setup import connect

pytestmark = pytest.mark.usefixtures("private_config")


def test_a_site_exchanges_with_headquarters_through_files(db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TRAINER_AUDIT_KEY", "sync-test-audit-key-0123456789abcdef")
    monkeypatch.setenv("TRAINER_PASSWORD", PASSWORD)
    site_url, hq_url = f"sqlite:///{tmp_path / 'erbil.db'}", db_url
    site_config, hq_config = tmp_path / "erbil-config", tmp_path / "hq-config"
    at_site = ("--db", site_url, "--user", "chief")
    at_hq = ("--db", hq_url, "--user", "chief")

    def site(*argv):
        monkeypatch.setenv("XDG_CONFIG_HOME", str(site_config))
        return run(capsys, *at_site, *argv)

    def hq(*argv):
        monkeypatch.setenv("XDG_CONFIG_HOME", str(hq_config))
        return run(capsys, *at_hq, *argv)

    # Identities and trust, both ways.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(site_config))
    _admin(site_url)
    assert site("site", "init", "ERBIL", "--name", "Erbil", "--block", "3")[0] == 0
    assert site("site", "key", "--output", str(tmp_path / "erbil.json"))[0] == 0
    monkeypatch.setenv("XDG_CONFIG_HOME", str(hq_config))
    _admin(hq_url)
    assert hq("site", "init", "HQ", "--name", "Baghdad", "--hq")[0] == 0
    assert hq("site", "key", "--output", str(tmp_path / "hq.json"))[0] == 0
    assert hq("site", "trust", "ERBIL", "--public-key", str(tmp_path / "erbil.json"))[0] == 0
    assert site("site", "trust", "HQ", "--public-key", str(tmp_path / "hq.json"))[0] == 0

    # Offline at the site: a basic course open to the police; twelve trainees graduate and are
    # certified (twelve: above small-cell suppression).
    monkeypatch.setenv("XDG_CONFIG_HOME", str(site_config))
    connect(site_url)
    w = build(trainees=12, prefix="site-")
    from trainer.certification import certificates as certs

    with database.connection_context():
        models.CourseForce.create(course=w.course_id, force="police")
        models.Enrolment.update(status="graduated").where(models.Enrolment.id.in_(w.enrolments)).execute()
    from trainer.reporting import summary

    summary.rebuild()
    issued = [certs.issue(w.admin, e, on=D(2025, 3, 14)) for e in w.enrolments]
    assert issued[0].number.startswith("IQTC-03")
    with database.connection_context():
        code = models.Certificate.get(models.Certificate.number == issued[0].number).verification_code

    code_, out, err = site("sync", "status")
    assert code_ == 0 and "peer HQ:" in out and "never" in out, err
    bundle = tmp_path / "erbil-1.bundle"
    code_, out, err = site("sync", "export", "--output", str(bundle))
    assert code_ == 0 and "for HQ" in out, err
    assert json.dumps(json.loads("{}")) and b"IQTC" not in bundle.read_bytes()  # encrypted: no clear text

    # Headquarters: a tampered copy is refused with one line and nothing applied.
    tampered = tmp_path / "tampered.bundle"
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0x40
    tampered.write_bytes(bytes(data))
    code_, out, err = hq("sync", "import", str(tampered))
    assert code_ == 1 and err.count("\n") == 1 and "signature does not verify" in err and "Traceback" not in err
    connect(hq_url)
    with database.connection_context():
        assert models.Trainee.select().count() == 0 and models.SyncChange.select().count() == 0

    code_, out, err = hq("sync", "import", str(bundle))
    assert code_ == 0 and "from ERBIL:" in out and " 0 already held" in out, err
    assert "audit trail of ERBIL: " in out and "did not verify" not in out, out
    applied = int(out.split(":")[1].split()[0])
    assert applied > 20
    code_, out, err = hq("sync", "import", str(bundle))
    assert code_ == 0 and "0 applied" in out and f"{applied} already held" in out, err
    code_, out, err = hq("sync", "review")
    assert code_ == 0 and "0 persons held as likely duplicates" in out, err

    # The site's audit trail came with its bundle: headquarters checks it beside its own.
    code_, out, err = hq("audit", "verify")
    assert code_ == 0 and "site ERBIL: audit trail verified" in out and "TAMPERED" not in out, (out, err)
    connect(hq_url)
    A = models.SyncAuditEvent
    with database.connection_context():
        second = A.select().where(A.origin == "ERBIL").order_by(A.event_id).offset(1).first()
        kept = second.event
        altered = json.loads(kept)
        altered[3] = "mallory"  # who did it
        A.update(event=json.dumps(altered, ensure_ascii=False, separators=(",", ":"))).where(
            A.id == second.id
        ).execute()
    code_, out, err = hq("audit", "verify")
    assert code_ == 1 and f"TAMPERED: site ERBIL: event #{second.event_id} does not follow" in out, (out, err)
    with database.connection_context():
        A.update(event=kept).where(A.id == second.id).execute()
    code_, out, err = hq("sync", "review", "--merge", "999")
    assert code_ == 1 and len(err.strip().splitlines()) == 1 and "999" in err, (out, err)

    code_, out, err = hq("report", "trained-by-force", "--format", "json")
    assert code_ == 0, err
    rows = json.loads(out)
    rows = rows.get("rows", rows) if isinstance(rows, dict) else rows
    police = [r for r in rows if (r.get("force") if isinstance(r, dict) else r[0]) == "police"]
    assert police and (police[0]["trained"] if isinstance(police[0], dict) else police[0][3]) == 12, out

    # A bundle for another site, or replayed at the site it came from, is refused.
    code_, out, err = site("sync", "import", str(bundle))
    assert code_ == 1 and "addressed to HQ, not to ERBIL" in err

    # Revoked at headquarters; after the next exchange the site's records say so.
    code_, out, err = hq("cert", "revoke", issued[0].number, "--reason", "issued in error")
    assert code_ == 0, err
    back = tmp_path / "hq-1.bundle"
    assert hq("sync", "export", "--for", "ERBIL", "--output", str(back))[0] == 0
    code_, out, err = site("sync", "import", str(back))
    assert code_ == 0 and "from HQ:" in out, err
    code_, out, err = site("cert", "verify", code)
    assert code_ == 1 and "REVOKED: issued in error" in out, (out, err)

    # A national rule is headquarters' to set: a site's change is refused in one line.
    code_, out, err = site("settings", "set", "vetting_validity_months", "6")
    assert code_ == 1 and len(err.strip().splitlines()) == 1 and "owned by headquarters" in err, (out, err)

    # The site's next export acknowledges; headquarters then has nothing waiting for it.
    assert site("sync", "export", "--output", str(tmp_path / "erbil-2.bundle"))[0] == 0
    code_, out, err = hq("sync", "import", str(tmp_path / "erbil-2.bundle"))
    assert code_ == 0, err
    code_, out, err = hq("sync", "status")
    assert "peer ERBIL: 0 changes waiting" in out, out

    # Trimming the log asks first; with --yes it runs and the exchange still holds.
    code_, out, err = hq("sync", "trim")
    assert code_ == 1 and len(err.strip().splitlines()) == 1 and "confirm with --yes" in err, (out, err)
    code_, out, err = hq("sync", "trim", "--yes")
    assert code_ == 0 and out.startswith("trimmed: "), (out, err)
    code_, out, err = hq("sync", "import", str(tmp_path / "erbil-2.bundle"))
    assert code_ == 0 and "0 applied" in out, (out, err)

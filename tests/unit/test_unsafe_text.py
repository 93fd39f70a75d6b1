"""Terminal control and bidi-override characters: refused in stored text at the service layer,
escaped wherever the CLI prints (issue 14)."""

from __future__ import annotations

import dataclasses
import io

import pytest

from db import models
from db.connection import database
from tests import clerk_data as make
from trainer.accounts.access import SYSTEM
from trainer.errors import ValidationFailed
from trainer.registry import centres, trainees
from trainer.text import TerminalSafe, printable, problems
from trainer.training import courses

HOSTILE = [
    "\x1b[2J\x1b[HAli",  # clear the screen
    "\x1b]0;owned\x07Ali",  # OSC: retitle the terminal
    "Ali\u202eilA",  # right-to-left override
    "Ali\u2066x\u2069",  # isolates
    "Ali\x9b31m",  # C1 CSI
    "Ali\x00",
    "Ali\x7f",  # DEL (a carriage return or tab is whitespace: normalised to a space)
]


def count(model) -> int:
    with database.connection_context():
        return model.select().count()


@pytest.mark.parametrize("bad", HOSTILE)
def test_trainee_names_with_control_characters_are_refused(db_url, bad):
    with pytest.raises(ValidationFailed) as caught:
        make.trainee(given=bad)
    assert caught.value.problems[0].field == "given_name"
    assert "control character U+" in caught.value.problems[0].reason
    assert count(models.Trainee) == 0 and count(models.AuditEvent) == 0


def test_every_text_field_of_a_trainee_is_checked(db_url):
    ok = make.trainee()
    for field in (
        "family_name",
        "mother_name",
        "given_name_latin",
        "family_name_latin",
        "rank",
        "service_number",
        "phone",
    ):
        data = dataclasses.replace(ok.as_input(), **{field: "x\u202ey"})
        with pytest.raises(ValidationFailed) as caught:
            trainees.update_trainee(SYSTEM, ok.id, ok.version, data)
        assert [p.field for p in caught.value.problems] == [field]
    with database.connection_context():
        assert models.Trainee.get_by_id(ok.id).version == ok.version


def test_arabic_marks_are_ordinary_text(db_url):
    view = make.trainee(given="علي\u200f", father="حسن\u061c")
    assert view.given_name.startswith("علي")


def test_course_titles_and_assessment_names_are_checked(db_url):
    with pytest.raises(ValidationFailed) as caught:
        make.course(title_ar="دورة\x1b[31m")
    assert caught.value.problems[0].field == "title_ar"
    spec = courses.AssessmentSpec("LAW", "Law\u202e", 100, 60, 1.0)
    with pytest.raises(ValidationFailed) as caught:
        make.course("POL-2", assessments=(spec,))
    assert caught.value.problems[0].field == "assessments"
    assert count(models.Course) == 0


def test_the_audit_backstop_refuses_any_other_write(db_url):
    """A service without its own check (centres here) is stopped by the audit event it must write."""
    with pytest.raises(ValidationFailed) as caught:
        centres.create_centre(SYSTEM, "BAD-1", "Centre\x1b]0;x\x07", "IQ-NI")
    assert caught.value.problems[0].field == "name_en"
    assert count(models.Centre) == 0 and count(models.AuditEvent) == 0


def test_printing_escapes_what_older_rows_may_hold():
    assert printable("a\x1b[2Jb\u202ec") == "a\\x1b[2Jb\\u202ec"
    out = io.StringIO()
    TerminalSafe(out).write("name,\x1b]0;x\x07\u202e\r\nnext\rover\n")
    assert out.getvalue() == "name,\\x1b]0;x\\x07\\u202e\r\nnext\\x0dover\n"
    assert problems({"a": "fine", "b": ("ok", "x\x1b")}) and not problems({"n": "line\nbreak"}, multiline={"n"})


def test_the_cli_escapes_stored_control_characters(db_url, capsys, monkeypatch):
    """Rows written before the check (or by hand) still cannot drive the terminal."""
    from trainer.accounts import users
    from trainer.cli import main

    users.create_user(None, "admin", "admin", "correct horse")
    make.centre()
    make.course()
    cohort = make.cohort()
    t = make.trainee()
    make.graduate(t.id, cohort.id)
    with database.connection_context():
        models.Trainee.update(given_name="\x1b]0;owned\x07علي\u202e").where(models.Trainee.id == t.id).execute()
    monkeypatch.setenv("TRAINER_PASSWORD", "correct horse")
    code = main(["--db", db_url, "--user", "admin", "report", "cohort-roster", "--cohort", cohort.code])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "\\x1b]0;owned\\x07" in out and "\\u202e" in out
    assert "\x1b" not in out and "\u202e" not in out

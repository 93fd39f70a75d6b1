"""The one rule for keys kept outside the database (trainer.accounts.keys), for each of the three."""

from __future__ import annotations

import os
import stat

import pytest

from trainer.accounts import audit, keys
from trainer.certification import signing
from trainer.reporting import pseudonyms

SPECS = [audit.AUDIT_KEY, pseudonyms.PSEUDONYM_KEY, signing.SIGNING_KEY]


@pytest.fixture
def config_home(tmp_path, monkeypatch):
    for spec in SPECS:
        monkeypatch.delenv(spec.env, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config" / "trainer"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.file)
def test_a_short_variable_is_refused_naming_it(spec, config_home, monkeypatch):
    monkeypatch.setenv(spec.env, "x" * 31)
    with pytest.raises(spec.error, match=f"^{spec.env} is too short: give at least 32 characters"):
        keys.load(spec)
    monkeypatch.setenv(spec.env, "x" * 32)
    assert keys.load(spec) == "x" * 32
    assert not (config_home / spec.file).exists()


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.file)
def test_the_file_is_made_private_once_and_read_again_only_when_changed(spec, config_home):
    first = keys.load(spec)
    path = config_home / spec.file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(first) >= 32
    assert keys.load(spec) == first
    path.write_text("y" * 40)  # replaced: the cache must not serve the old key
    assert keys.load(spec) == "y" * 40
    path.write_text("short\n")
    with pytest.raises(spec.error, match=f"{path} is empty or too short"):
        keys.load(spec)
    path.write_text("z" * 40)
    os.chmod(path, 0o644)
    with pytest.raises(spec.error, match=f"{path} is readable by other users: run `chmod 600 {path}`"):
        keys.load(spec)


def test_without_create_a_missing_file_is_named(config_home):
    with pytest.raises(keys.KeyFileError, match="no pseudonym key: set TRAINER_PSEUDONYM_KEY or create"):
        keys.load(pseudonyms.PSEUDONYM_KEY, create=False)


def test_a_new_signing_key_file_gets_its_public_half(config_home):
    key = signing.private_key()
    public = signing.load_public_key(config_home / signing.PUBLIC_FILE)
    assert signing.raw_public(public) == signing.raw_public(key.public_key())

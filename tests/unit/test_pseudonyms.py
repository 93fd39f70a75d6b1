"""Keyed pseudonyms: stable for one key, unrelated across keys, the key kept outside the database."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat

import pytest

from trainer.errors import TrainerError
from trainer.reporting import pseudonyms
from trainer.reporting.pseudonyms import ENV_KEY, Pseudonymiser, load_key

UUID = "0192f3a4-1b2c-7d3e-8f40-123456789abc"


@pytest.fixture
def config_home(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_KEY, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config"


def test_stable_for_one_key_and_different_across_keys():
    a, b = Pseudonymiser(b"a" * 32), Pseudonymiser(b"b" * 32)
    assert a.token(UUID) == a.token(UUID) == Pseudonymiser(b"a" * 32).token(UUID)
    assert a.token(UUID) != b.token(UUID)
    assert a.token(UUID) != a.token(UUID.replace("abc", "abd"))
    assert a.token(UUID).startswith("P-") and len(a.token(UUID)) == 22


def test_never_a_plain_hash_of_the_identity():
    token = Pseudonymiser(b"a" * 32).token(UUID)[2:].lower()
    for plain in (
        hashlib.sha256(UUID.encode()).hexdigest(),
        hashlib.sha256(b"trainee:" + UUID.encode()).hexdigest(),
        hashlib.md5(UUID.encode()).hexdigest(),
        hashlib.sha1(UUID.encode()).hexdigest(),
    ):
        assert token not in plain


def test_key_file_is_created_once_with_mode_0600_in_the_config_dir(config_home):
    key = load_key()
    path = pseudonyms.key_path()
    assert path.is_relative_to(config_home) and path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key() == key and len(key) >= 32
    assert Pseudonymiser().token(UUID) == Pseudonymiser(key).token(UUID)


def test_environment_key_wins_and_must_be_long(config_home, monkeypatch):
    monkeypatch.setenv(ENV_KEY, "x" * 40)
    assert load_key() == b"x" * 40
    assert not pseudonyms.key_path().exists()
    monkeypatch.setenv(ENV_KEY, "short")
    with pytest.raises(TrainerError, match="too short"):
        load_key()


def test_a_key_file_others_can_read_is_refused(config_home):
    load_key()
    os.chmod(pseudonyms.key_path(), 0o644)
    with pytest.raises(TrainerError, match="chmod 600"):
        load_key()


def test_tokens_are_hmac_sha256_of_the_canonical_identity():
    for key in (b"a" * 32, b"k" * 64, b"long" * 40):
        p = Pseudonymiser(key)
        for identity in (UUID, UUID.replace("-", ""), UUID.upper()):
            text = identity.replace("-", "").lower()
            expected = hmac.digest(key, b"trainee:" + text.encode(), "sha256")[:10].hex().upper()
            assert p.token(identity) == "P-" + expected

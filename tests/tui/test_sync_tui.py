"""Admin > Sync by keys: the site's identity and its peer are shown, an export writes a bundle and says
how many changes it holds, a file that is no bundle is refused in words."""

from __future__ import annotations

import base64
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from screens.admin_sync import SyncScreen
from tests.tui.conftest import PASSWORD, new_app, settle, sign_in, text_of
from trainer.accounts import users
from trainer.sync import identity


def _raw(key) -> str:
    data = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _private(key) -> str:
    data = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _headquarters_document() -> str:
    return json.dumps(
        {
            "type": "trainer-site-key",
            "code": "HQ",
            "kind": "hq",
            "block": 0,
            "ed25519": _raw(Ed25519PrivateKey.generate()),
            "x25519": _raw(X25519PrivateKey.generate()),
        }
    )


async def test_sync_screen_shows_the_site_exports_and_refuses_junk(admin_url, tmp_path, monkeypatch):
    for env, cls in (("TRAINER_SITE_SIGN_KEY", Ed25519PrivateKey), ("TRAINER_SITE_BOX_KEY", X25519PrivateKey)):
        monkeypatch.setenv(env, _private(cls.generate()))  # the site's keys from the environment: no files
    admin = users.authenticate("admin", PASSWORD)
    identity.init(admin, "ERBIL", "Erbil Training Site", block=3)
    identity.trust(admin, "HQ", _headquarters_document())
    junk = tmp_path / "junk.bundle"
    junk.write_bytes(b"not a bundle at all")
    app = new_app(admin_url)
    async with app.run_test(size=(80, 24)) as pilot:  # the narrowest screen: nothing may wrap
        await sign_in(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen)
        assert "ERBIL" in text_of(app, "#sync-identity") and "block 03" in text_of(app, "#sync-identity")
        assert "HQ" in text_of(app, "#sync-peers") and "never" in text_of(app, "#sync-peers")
        app.screen.query_one("#sync-file").value = str(tmp_path / "out.bundle")
        await pilot.click("#sync-export")
        await settle(pilot)
        assert "for HQ" in text_of(app, "#sync-status"), text_of(app, "#sync-status")
        assert (tmp_path / "out.bundle").stat().st_size > 0
        assert "never" in text_of(app, "#sync-peers")  # the last import; the export is dated
        peers = app.screen.query_one("#sync-peers")
        lines = text_of(app, "#sync-peers").splitlines()
        assert len(lines) == 2 and max(map(len, lines)) <= peers.content_region.width, lines
        app.screen.query_one("#sync-file").value = str(junk)
        await pilot.click("#sync-import")
        await settle(pilot)
        assert text_of(app, "#sync-status") == "Not imported: not a trainer sync bundle"
        assert "Nothing waits for review." in text_of(app, "#sync-review")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, SyncScreen)

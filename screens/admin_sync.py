"""Admin > Sync: this site's identity, what waits for each peer, the last exchanges, export and import
of bundle files with progress, and what waits for review (docs/sync.md)."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Label, Static

from screens.calls import ServiceCalls
from screens.widgets.chrome import KeyBar, TitleBar
from screens.widgets.forms import Field
from trainer.sync import exchange, identity, persons


def _when(at) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at else "never"


def status_lines(st: exchange.Status) -> tuple[str, str]:
    """(identity, peers) as shown."""
    if st.site is None:
        who = "Not a site yet: run `trainer site init CODE --name NAME (--block N | --hq)`."
    else:
        who = (
            f"{st.site.code}  {st.site.name}  ({identity.kind_name(st.site.kind)}, block {st.site.block:02d})\n"
            f"signing key {identity.fingerprint(st.site.ed25519)}\n"
            f"{st.logged:,} changes logged"
        )
    # Two lines a peer: on one, the dates wrapped at 80 columns.
    peers = "\n".join(
        f"{p.code:<10} {p.waiting:>8,} changes waiting\n"
        f"{'':<10} last export {_when(p.last_export_at)} · last import {_when(p.last_import_at)}"
        for p in st.peers
    )
    return who, peers or "No trusted peer yet (`trainer site trust CODE --public-key FILE`)."


class SyncScreen(ServiceCalls, Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="sync.back"),
        Binding("f5", "reload", "Reload", id="sync.reload"),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="sync"):
            yield Label("This site", classes="card-title")
            yield Static("Loading …", id="sync-identity")
            yield Label("Peers", classes="card-title")
            yield Static("", id="sync-peers")
            yield Label("Exchange", classes="card-title")
            with Horizontal(classes="form-row"):
                yield Label("Bundle file")
                yield Field(placeholder="path of the bundle to write or read", id="sync-file")
                yield Field(placeholder="for site (at HQ)", id="sync-peer")
            with Horizontal(classes="form-row"):
                yield Button("Export", id="sync-export")
                yield Button("Import", id="sync-import")
            yield Static("", id="sync-status")
            yield Label("Waiting for review", classes="card-title")
            yield Static("", id="sync-review")
        yield KeyBar()

    def on_mount(self) -> None:
        self.action_reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.call("status", exchange.status, self.actor)
        self.call("reviews", exchange.reviews, self.actor)

    def done_status(self, st: exchange.Status) -> None:
        who, peers = status_lines(st)
        self.query_one("#sync-identity", Static).update(who)
        self.query_one("#sync-peers", Static).update(peers)

    def failed_status(self, error) -> None:
        self.query_one("#sync-identity", Static).update(f"Not shown: {error}")

    def done_reviews(self, items: list[exchange.Review]) -> None:
        text = "\n".join(f"{r.table} {r.record_uuid} {r.field or ''}: {r.reason} (from {r.origin})" for r in items[:50])
        more = f"\n… and {len(items) - 50} more (`trainer sync review`)" if len(items) > 50 else ""
        held = sum(1 for r in items if r.field == persons.FIELD)
        if held:  # decided on the command line: a merge is not undone by a stray key
            text = (
                f"{held} persons held as likely duplicates: `trainer sync review --merge ID` or `--distinct ID`\n"
                + text
            )
        self.query_one("#sync-review", Static).update((text + more) or "Nothing waits for review.")

    def failed_reviews(self, error) -> None:
        self.query_one("#sync-review", Static).update(f"Not shown: {error}")

    def _progress(self, count: int) -> None:
        """Called on the worker's thread: the widget is updated on the UI thread."""
        self.app.call_from_thread(self.query_one("#sync-status", Static).update, f"Working … {count:,} changes")

    def _path(self) -> Path | None:
        text = self.query_one("#sync-file", Field).value.strip()
        if not text:
            self.query_one("#sync-status", Static).update("Give the bundle file's path first.")
            return None
        return Path(text).expanduser()

    @on(Button.Pressed, "#sync-export")
    def _export(self) -> None:
        path = self._path()
        if path is not None:
            peer = self.query_one("#sync-peer", Field).value.strip() or None
            self.query_one("#sync-status", Static).update("Exporting …")
            self.call("export", exchange.export, self.actor, path, peer, self._progress)

    def done_export(self, done: exchange.Exported) -> None:
        self.query_one("#sync-status", Static).update(
            f"Wrote {done.changes:,} changes for {done.peer} to {done.path} ({done.bytes:,} bytes)."
        )
        self.action_reload()

    def failed_export(self, error) -> None:
        self.query_one("#sync-status", Static).update(f"Not exported: {error}")

    @on(Button.Pressed, "#sync-import")
    def _import(self) -> None:
        path = self._path()
        if path is not None:
            self.query_one("#sync-status", Static).update("Checking the bundle …")
            self.call("import", exchange.import_bundle, self.actor, path, self._progress)

    def done_import(self, done: exchange.Imported) -> None:
        self.query_one("#sync-status", Static).update(
            f"From {done.peer}: {done.applied:,} applied, {done.held:,} already held, {done.review:,} held for review."
        )
        self.action_reload()

    def failed_import(self, error) -> None:
        self.query_one("#sync-status", Static).update(f"Not imported: {error}")

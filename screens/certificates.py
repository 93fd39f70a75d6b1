"""Certificates: find one, see who expires soon, revoke with a reason, renew, export.

Type a number, verification code or name in the search line (Arabic or
Latin); 3, 6 and 9 list the valid certificates expiring within 30, 60 and
90 days. On a highlighted certificate: x revokes it (a reason is asked for
and kept), n recertifies it inside its window, f6 writes its PDF and b its
Open Badges credential into the export folder (keys: docs/keys.md).
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from screens.calls import ServiceCalls
from screens.widgets import arabic
from screens.widgets.chrome import KeyBar, TitleBar
from screens.widgets.dialogs import ConfirmDialog, ReasonDialog
from screens.widgets.forms import Field
from trainer.accounts import settings
from trainer.certification import badges, certificates
from trainer.certification import pdf as certificate_pdf
from trainer.certification.certificates import CertificateView
from trainer.registry.scope import taught_by

PAGE = 100
STATUS_STYLE = {"valid": "green", "expired": "yellow", "revoked": "bold red", "superseded": "dim"}


def export_pdf(view: CertificateView, folder: Path) -> Path:
    return certificate_pdf.write(view, certificates.payload(view), folder / f"{view.number}.pdf")


def export_badge(view: CertificateView, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{view.number}.badge.json"
    path.write_text(badges.export(view) + "\n", encoding="utf-8")
    return path


class CertificatesScreen(ServiceCalls, Screen):
    CSS_PATH = Path(__file__).with_name("instructor.tcss")
    BINDINGS = [
        Binding("slash", "search", "Search", id="certificates.search", key_display="/"),
        Binding("3", "expiring(30)", "Expiring 30d", id="certificates.expiring30"),
        Binding("6", "expiring(60)", "60d", id="certificates.expiring60"),
        Binding("9", "expiring(90)", "90d", id="certificates.expiring90"),
        Binding("x", "revoke", "Revoke", id="certificates.revoke", tooltip="Revoke (asks a reason)"),
        Binding("n", "recertify", "Recertify", id="certificates.recertify"),
        Binding("f6", "pdf", "PDF", id="certificates.pdf", tooltip="Write the certificate's PDF (f6 writes a file)"),
        Binding("b", "badge", "Badge", id="certificates.badge", show=False),
        Binding("k", "check_code", "Check code", id="certificates.check_code"),
        Binding("f5", "reload", "Reload", id="certificates.reload", show=False),
        Binding("escape", "list_all", "All", id="certificates.all", show=False),
    ]

    def __init__(self, export_dir: Path | None = None) -> None:
        super().__init__()
        self.given_dir = Path(export_dir) if export_dir else None
        self.shown: list[CertificateView] = []
        self.query_text = ""
        self.listing = "recent"

    @property
    def export_dir(self) -> Path:
        """The folder given (tests), else the user's exports folder (Admin > Site settings)."""
        return self.given_dir or settings.exports_folder_of(getattr(self.app, "prefs", {}))

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Certificates", id="title", classes="grid-title")
        yield Field(placeholder="number, verification code or name (Enter)", id="search")
        yield DataTable(id="certificates", cursor_type="row", zebra_stripes=True)
        yield Static("", id="detail")
        yield Static("", id="status", classes="grid-status")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#certificates", DataTable)
        # Sized to the terminal: every number and date whole; the holder's name takes what is left
        # and, below 100 columns, the issue date (in the detail line) gives its room.
        self.with_issued = self.app.size.width >= 100
        fixed = 15 + 10 + 10 + 10 + (10 if self.with_issued else 0)
        self.holder_width = max(14, min(30, self.app.size.width - fixed - 2 * (5 + self.with_issued) - 4))
        table.add_column("Number", key="number", width=15)
        table.add_column("Holder", key="holder", width=self.holder_width)
        table.add_column("Course", key="course", width=10)
        if self.with_issued:
            table.add_column("Issued", key="issued", width=10)
        table.add_column("Expires", key="expires", width=10)
        table.add_column("Status", key="status", width=10)
        table.focus()
        self.action_reload()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        needs = {"revoke": "certificate.revoke", "recertify": "certificate.issue"}.get(action)
        if needs:
            actor = getattr(self.app, "actor", None)
            return actor is not None and actor.may(needs)
        return True

    # --- listing -------------------------------------------------------------------

    def action_reload(self) -> None:
        if self.listing.startswith("expiring"):
            self.action_expiring(int(self.listing[len("expiring") :]))
        else:
            self.call("list", certificates.search, self.actor, self.query_text, limit=PAGE)

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    @on(Input.Submitted, "#search")
    def _searched(self, event: Input.Submitted) -> None:
        self.query_text = event.value.strip()
        self.listing = "search" if self.query_text else "recent"
        self.action_reload()
        self.query_one("#certificates", DataTable).focus()

    def action_expiring(self, days: int) -> None:
        self.listing = f"expiring{days}"
        self.call("list", certificates.expiring, self.actor, days, limit=PAGE * 10)

    def action_list_all(self) -> None:
        self.query_one("#search", Input).value = ""
        self.query_text, self.listing = "", "recent"
        self.action_reload()
        self.query_one("#certificates", DataTable).focus()

    def done_list(self, found: list[CertificateView]) -> None:
        self.shown = found
        table = self.query_one("#certificates", DataTable)
        row = table.cursor_row
        table.clear()
        for c in found:
            issued = (c.issued_on.isoformat(),) if self.with_issued else ()
            table.add_row(
                c.number,
                arabic.fit(c.latin_name or c.name, self.holder_width),
                c.course_code,
                *issued,
                c.expires_on.isoformat() if c.expires_on else "never",
                Text(c.status, style=STATUS_STYLE.get(c.status, "")),
                key=str(c.id),
            )
        if found:
            table.move_cursor(row=min(row, len(found) - 1))
        what = {"recent": "latest certificates", "search": f"matching {self.query_text!r}"}.get(
            self.listing, f"valid, expiring within {self.listing[len('expiring') :]} days"
        )
        more = (
            f" (first {len(found)}; refine the search)"
            if len(found) >= PAGE and not self.listing.startswith("expiring")
            else ""
        )
        scoped = " · of the trainees of the cohorts you teach" if taught_by(self.actor) is not None else ""
        self.query_one("#title", Static).update(f"Certificates · {len(found)} {what}{more}{scoped}")
        self._detail()

    def _current(self) -> CertificateView | None:
        table = self.query_one("#certificates", DataTable)
        if not self.shown or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row]

    @on(DataTable.RowHighlighted, "#certificates")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        c = self._current()
        if c is None:
            self.query_one("#detail", Static).update("")
            return
        lines = [
            f"{c.number} · code {c.verification_code} · issued {c.issued_on}",
            # The names on a line of their own: a narrow terminal wrapping a shaped, reordered name
            # puts its first word on the next line.
            f"{c.latin_name} · {arabic.display(c.name)}",
            f"{c.course_title_en} ({c.course_code}) · cohort {c.cohort_code or '—'}",
            f"Instructor {c.issued_by or '—'} · signed by {c.signed_by or c.issued_by or '—'}",
        ]
        if c.status == "revoked":
            lines.append(f"Revoked: {c.revoked_reason}")
        if c.superseded_by:
            lines.append(f"Superseded by {c.superseded_by}")
        self.query_one("#detail", Static).update("\n".join(lines))

    def _say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "error")

    # --- actions on the highlighted certificate -------------------------------------------

    def action_revoke(self) -> None:
        c = self._current()
        if c is None:
            return

        def reason_given(reason: str | None) -> None:
            if reason:
                self.call("changed", certificates.revoke, self.actor, c.id, reason, version=c.version)

        self.app.push_screen(
            ReasonDialog(
                f"Revoke certificate {c.number} ({c.latin_name or c.name})",  # the dialog shapes names
                "It stops verifying as valid at once, and a revocation cannot be undone. "
                "Why is it revoked? The reason is kept with the certificate.",
            ),
            reason_given,
        )

    def action_recertify(self) -> None:
        c = self._current()
        if c is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.call("changed", certificates.recertify, self.actor, c.id, version=c.version)

        self.app.push_screen(
            ConfirmDialog(f"Recertify {c.number} ({c.latin_name or c.name})? A new certificate replaces it."), answered
        )

    def done_changed(self, view: CertificateView) -> None:
        if view.status == "revoked":
            self._say(f"{view.number} revoked: {view.revoked_reason}")
        else:
            self._say(
                f"New certificate {view.number}, valid until "
                f"{view.expires_on.isoformat() if view.expires_on else 'no expiry'}."
            )
        self.action_reload()

    def failed_changed(self, error) -> None:
        self._say(f"Refused: {error}", error=True)
        self.app.bell()

    def action_check_code(self) -> None:
        """The printed code's look-up, as `trainer cert verify CODE` does it."""
        from screens.verify_code import VerifyCodeDialog

        self.app.push_screen(VerifyCodeDialog())

    def action_pdf(self) -> None:
        c = self._current()
        if c is not None:
            self.call("exported", export_pdf, c, self.export_dir)

    def action_badge(self) -> None:
        c = self._current()
        if c is not None:
            self.call("exported", export_badge, c, self.export_dir)

    def done_exported(self, path: Path) -> None:
        self._say(f"Wrote {path}")

    def failed_exported(self, error) -> None:
        self._say(f"Not exported: {error}", error=True)

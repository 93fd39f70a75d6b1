"""Check a certificate by the code printed on it: the same look-up as `trainer cert verify CODE`
(docs/certificates.md). Type the code, Enter; another code, Enter again; Escape closes."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from screens.calls import ServiceCalls
from screens.widgets import arabic
from screens.widgets.forms import Field
from trainer.certification import verification
from trainer.certification.verification import CodeCheck

STYLE = {"valid": "bold green", "expired": "bold yellow", "revoked": "bold red", "superseded": "yellow"}


def describe(code: str, found: CodeCheck | None) -> Text:
    if found is None:
        return Text(f"No certificate with verification code {code} in these records.", style="bold red")
    expiry = found.expires_on.isoformat() if found.expires_on else "no expiry"
    status = {
        "revoked": f"REVOKED: {found.revoked_reason}",
        "superseded": f"superseded by {found.superseded_by}",
        "expired": "EXPIRED",
    }.get(found.status, found.status)
    return Text.assemble(
        f"Certificate {found.number} (code {found.code})\n",
        f"Holder   {found.holder_latin}  /  {arabic.display(found.holder_arabic, 40)}\n",
        f"Course   {found.course}\n",
        f"Issued   {found.issued_on.isoformat()}, valid until {expiry}\n",
        "Status   ",
        (status, STYLE.get(found.status, "")),
    )


class VerifyCodeDialog(ServiceCalls, ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "Close", id="verify_code.close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="verify-code", classes="dialog wide"):
            yield Label("Check a printed verification code", classes="card-title")
            yield Field(placeholder="e.g. VBYC6JCQ6U", id="code")
            yield Static("", id="verify-result")
            yield Static("Enter to check, Escape to close.", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#code").focus()

    @on(Field.Submitted, "#code")
    def _check(self, event: Field.Submitted) -> None:
        code = verification.normalise(event.value)
        if not verification.looks_like_code(code):
            self.query_one("#verify-result", Static).update(
                Text("A verification code is 10 letters and digits, as printed under the QR code.", style="red")
            )
            return
        self.call("check", lambda: (code, verification.check_code(code)))

    def done_check(self, result: tuple[str, CodeCheck | None]) -> None:
        self.query_one("#verify-result", Static).update(describe(*result))

    def action_close(self) -> None:
        self.dismiss(None)

"""Escape on a form with changes asks before dropping them (docs/keys.md, "Leaving a form").

A form mixes in DiscardGuard, calls `mark_pristine()` whenever it has filled its fields from a
record (on mount, after its choices arrive, after reloading another user's version), and routes
Escape and its Cancel button to `leave()`.
"""

from __future__ import annotations

from textual.widgets import Checkbox, Input, Label, Select, SelectionList, TextArea


class DiscardGuard:
    def on_mount(self) -> None:
        # Found along the MRO like every named handler: runs after the form's own on_mount has
        # filled the fields, and the refresh lets the values settle first.
        self.call_after_refresh(self.mark_pristine)  # type: ignore[attr-defined]

    def form_values(self) -> tuple:
        out: list[tuple[str | None, object]] = []
        for widget in self.query("*"):  # type: ignore[attr-defined]
            if isinstance(widget, SelectionList):
                out.append((widget.id, tuple(widget.selected)))
            elif isinstance(widget, TextArea):
                out.append((widget.id, widget.text))
            elif isinstance(widget, (Input, Select, Checkbox)):
                out.append((widget.id, widget.value))
        return tuple(out)

    def mark_pristine(self) -> None:
        self._pristine = self.form_values()

    def changed(self) -> bool:
        pristine = getattr(self, "_pristine", None)
        return pristine is not None and self.form_values() != pristine

    def leave(self) -> None:
        """Close without saving; with changes, only after a yes."""
        if not self.changed():
            self.dismiss(None)  # type: ignore[attr-defined]
            return
        from screens.widgets.dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)  # type: ignore[attr-defined]

        self.app.push_screen(  # type: ignore[attr-defined]
            ConfirmDialog(
                f"Discard your changes to “{self.form_title()}”? Nothing of it has been saved: it will be lost."
            ),
            answered,
        )

    def form_title(self) -> str:
        titles = self.query(".card-title")  # type: ignore[attr-defined]
        return str(titles.first(Label).content) if titles else "this form"

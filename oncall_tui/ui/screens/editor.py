"""A small editor for notes, calls, chats, replies, summaries and facts.

The text is never lost: if saving fails (the store stayed locked, the text was
refused) the editor stays open with the text and says what happened.
"""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from ...store.db import StoreError
from ..safe import literal


class EditorScreen(ModalScreen[str | None]):
    """Edit text; `save` is called with it and may raise StoreError to keep the editor open."""

    BINDINGS = [
        Binding("ctrl+s,f2", "save", "Save", id="editor.save"),
        Binding("escape", "cancel", "Cancel", id="editor.cancel"),
    ]

    def __init__(self, title: str, *, text: str = "", save: Callable[[str], object],
                 hint: str = "ctrl+s or F2 saves · escape cancels", on_typing: Callable[[bool], None] | None = None) -> None:
        super().__init__(id="editor")
        self.title_text = title
        self.initial = text
        self.save = save
        self.hint = hint
        self.on_typing = on_typing

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(self.title_text, "bold"), id="editor-title")
            yield TextArea(self.initial, id="editor-text", soft_wrap=True, show_line_numbers=False)
            yield Static(Text(self.hint, "dim"), id="editor-status")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)
        if self.on_typing:
            self.on_typing(True)

    @property
    def text(self) -> str:
        # Until the text area is mounted nothing can have been typed: the draft is the text.
        areas = self.query(TextArea)
        return areas.first().text if areas else self.initial

    def action_save(self) -> None:
        text = self.text
        try:
            self.save(text)
        except StoreError as exc:
            self.query_one("#editor-status", Static).update(
                Text(f"Not saved: {exc}. Your text is still here — fix it or try again (ctrl+s).", "bold red"))
            return
        if self.on_typing:
            self.on_typing(False)
        self.dismiss(text)

    def action_cancel(self) -> None:
        if self.on_typing:
            self.on_typing(False)
        self.dismiss(None)

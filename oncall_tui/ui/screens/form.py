"""A small form of one-line and multi-line fields, saved with ctrl+s (or F2).

Like the editor, it never loses what was typed: a refused save keeps the form
open with the reason shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from ...store.db import StoreError
from ..safe import literal


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    multiline: bool = False
    initial: str = ""
    placeholder: str = ""


class FormScreen(ModalScreen[dict | None]):
    # Its own rules: parsed when the screen is first opened, not before the queue's first frame.
    DEFAULT_CSS = """
        .form-text {
            height: 8;
        }
    """

    BINDINGS = [
        Binding("ctrl+s,f2", "save", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(self, title: str, fields: list[Field], *, save: Callable[[dict[str, str]], object],
                 hint: str = "tab moves · ctrl+s or F2 saves · escape cancels") -> None:
        super().__init__(id="form")
        self.title_text = title
        self.fields = fields
        self.save = save
        self.hint = hint

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(literal(self.title_text, "bold"))
            for f in self.fields:
                yield Label(f.label)
                if f.multiline:
                    yield TextArea(f.initial, id=f"field-{f.name}", soft_wrap=True, classes="form-text")
                else:
                    yield Input(f.initial, placeholder=f.placeholder, id=f"field-{f.name}")
            yield Static(Text(self.hint, "dim"), id="form-status")

    def on_mount(self) -> None:
        self.query_one(f"#field-{self.fields[0].name}").focus()

    def values(self) -> dict[str, str]:
        out = {}
        for f in self.fields:
            widget = self.query_one(f"#field-{f.name}")
            out[f.name] = widget.text if isinstance(widget, TextArea) else widget.value
        return out

    def action_save(self) -> None:
        values = self.values()
        try:
            self.save(values)
        except (StoreError, ValueError) as exc:
            self.query_one("#form-status", Static).update(
                Text(f"Not saved: {exc}. Everything you typed is still here.", "bold red"))
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)

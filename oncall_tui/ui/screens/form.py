"""A small form of one-line and multi-line fields, saved with ctrl+s (or F2).

Like the editor, it never loses what was typed: the save runs in a worker,
and a refused save keeps the form open with the reason shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from ...usecases.session import Session
from ..keymap import default_bindings
from ..messages import WriteRefused, Wrote
from ..safe import literal
from .closing import SelfClosing


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    multiline: bool = False
    initial: str = ""
    placeholder: str = ""


class FormScreen(SelfClosing, ModalScreen[dict | None]):
    # Its own rules: parsed when the screen is first opened, not before the queue's first frame.
    DEFAULT_CSS = """
        .form-text {
            height: 8;
        }
    """

    KEYMAP = "form"
    BINDINGS = default_bindings("form")

    def __init__(self, title: str, fields: list[Field], *, save: Callable[[Session, dict[str, str]], Any],
                 hint: str = "tab moves · ctrl+s or F2 saves · escape cancels") -> None:
        super().__init__(name="form")
        self.title_text = title
        self.fields = fields
        self.save = save
        self.hint = hint
        self.result: Any = None  # what the save returned
        self.saving = False  # a save is on its way to the store

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
        if self.saving:
            return
        self.saving = True
        values, save = self.values(), self.save
        self.query_one("#form-status", Static).update(Text("Saving…", "bold"))
        self.app.write(self, "form", lambda s: (save(s, values), values))

    def on_wrote(self, message: Wrote) -> None:
        message.stop()
        self.saving = False
        result, values = message.result
        self.result = result
        self.close(values)

    def on_write_refused(self, message: WriteRefused) -> None:
        message.stop()
        self.saving = False
        self.query_one("#form-status", Static).update(
            Text(f"Not saved: {message.reason}. Everything you typed is still here.", "bold red"))
        field = getattr(message.error, "field", None)
        if field and self.query(f"#field-{field}"):
            self.query_one(f"#field-{field}").focus()

    def action_cancel(self) -> None:
        if self.saving:  # the answer (saved, or refused and why) must be seen: it is on its way
            self.query_one("#form-status", Static).update(
                Text("Saving… — wait for the answer; what you typed is kept either way.", "bold"))
            return
        self.close(None)

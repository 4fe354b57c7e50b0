"""Pick one of a few options with the keyboard (a status, an action)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..keymap import default_bindings
from ..safe import literal
from .closing import SelfClosing


class ChoiceScreen(SelfClosing, ModalScreen[str | None]):
    KEYMAP = "choice"
    BINDINGS = default_bindings("choice")

    def __init__(self, title: str, options: list[tuple[str, str]]) -> None:
        super().__init__(name="choice")
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(self.title_text, "bold"))
            yield OptionList(*[Option(literal(label), id=value) for value, label in self.options])

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.close(event.option.id)

    def action_cancel(self) -> None:
        self.close(None)

"""One long text whole (a pasted log, a long mail): read-only, drawn only where it is looked at."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static, TextArea

from ...core.errors import OncallError
from ...core.visible import visible
from ...usecases import history
from ...usecases.history import Entry
from ..keymap import default_bindings
from ..safe import literal
from ..timefmt import local_clock
from ..widgets.key_hints import KeyHints
from .closing import SelfClosing


class BodyScreen(SelfClosing):
    """The whole body of *entry*, control characters made visible; escape or q goes back."""

    DEFAULT_CSS = """
        BodyScreen #body-title { height: 1; background: $boost; padding: 0 1; }
        BodyScreen #body-text { height: 1fr; }
    """

    KEYMAP = "body"
    BINDINGS = default_bindings("body")

    def __init__(self, entry: Entry) -> None:
        super().__init__(name="body")
        self.entry = entry

    def compose(self) -> ComposeResult:
        e = self.entry
        yield Static(literal(f"{local_clock(e.at, self.app.engineer_timezone)} · {e.author} · {e.kind} · "
                             f"{e.length:,} characters", "bold"), id="body-title")
        try:
            text = history.full_body(self.app.session, e.id)
        except OncallError as exc:
            text = f"(cannot read it: {exc})"
        # A TextArea draws only the lines on screen: a 2 MB log opens as fast as a short mail.
        yield TextArea(visible(text, multiline=True), id="body-text", read_only=True, soft_wrap=True,
                       show_line_numbers=False)
        yield KeyHints()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_back(self) -> None:
        self.close()

"""A one-line list of the screen's keys: a light stand-in for Textual's Footer.

The Footer mounts and styles a widget per key, which was most of the queue's
start-up time; one line of text costs next to nothing and says the same.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class KeyHints(Static):
    DEFAULT_CSS = """
    KeyHints {
        dock: bottom;
        height: 1;
        background: $panel;
        color: $text-muted;
    }
    """

    def on_mount(self) -> None:
        self.call_after_refresh(self.update_hints)
        # The keys change with focus (an input takes the letters): follow it.
        self.watch(self.screen, "focused", lambda _: self.update_hints(), init=False)

    def update_hints(self) -> None:
        """Rebuild from the screen's active bindings (user keymap overrides included).

        The way out (back, or quit on the queue) and the keys help always show, first:
        at 80 columns the rest is cut, never them.
        """
        bindings = [b.binding for b in self.screen.active_bindings.values() if b.binding.show]
        first = [b for b in bindings if (b.id or "").endswith((".back", ".quit")) and b.id != "app.quit"]
        first += [b for b in bindings if b.id == "app.help"]
        if not any((b.id or "").endswith(".back") for b in first):
            first += [b for b in bindings if b.id == "app.quit"]
        text = Text(no_wrap=True, overflow="ellipsis")
        seen: set[str] = set()
        for binding in first + bindings:
            if binding.description in seen:
                continue
            seen.add(binding.description)
            text.append(f" {self.app.get_key_display(binding)} ", "bold reverse")
            text.append(f" {binding.description} ")
        self.update(text, layout=False)  # one line, fixed height: no layout pass

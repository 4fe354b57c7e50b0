"""Customer text on screen: always literal, control characters made visible.

Rich markup like "[bold]" is never parsed because we build `Text`/`Segment`
objects from the raw string; terminal escapes like "\\x1b[2J" would still
reach the terminal through a Segment, so every control character is replaced
by its visible picture (ESC -> "␛") before display.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text

from ..core.visible import visible


def literal(text: str, style: str | Style = "", *, multiline: bool = False) -> Text:
    """A Rich Text that shows *text* exactly as the customer wrote it."""
    return Text(visible(text, multiline=multiline), style=style, end="")


def fit(text: str, width: int) -> str:
    """*text* (already visible) cut or padded to exactly *width* cells, with an ellipsis when cut."""
    if cell_len(text) <= width:
        # Text of no width at all (a lone emoji modifier) fits a column of none: kept, not dropped.
        return set_cell_size(text, width) if width > 0 else text
    if width <= 0:
        return ""
    return set_cell_size(text, width - 1) + "…"

"""Customer text on screen: always literal, control characters made visible.

Rich markup like "[bold]" is never parsed because we build `Text`/`Segment`
objects from the raw string; terminal escapes like "\\x1b[2J" would still
reach the terminal through a Segment, so every control character is replaced
by its visible picture (ESC -> "␛") before display.
"""

from __future__ import annotations

import re

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text

# C0 controls (except newline/tab handled per context), DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def _picture(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀..␟
    if code == 0x7F:
        return "␡"
    return f"<U+{code:04X}>"


def visible(text: str, *, multiline: bool = False) -> str:
    """*text* with every control character shown as a visible symbol."""
    if not multiline:
        text = text.replace("\r\n", "␤").replace("\n", "␤").replace("\t", " ")
    else:
        text = text.replace("\r\n", "\n").replace("\t", "    ")
    return _CONTROL.sub(_picture, text)


def literal(text: str, style: str | Style = "", *, multiline: bool = False) -> Text:
    """A Rich Text that shows *text* exactly as the customer wrote it."""
    return Text(visible(text, multiline=multiline), style=style, end="")


def fit(text: str, width: int) -> str:
    """*text* (already visible) cut or padded to exactly *width* cells, with an ellipsis when cut."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"

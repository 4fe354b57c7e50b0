"""A customer's timeline as one Rich renderable: each line behind its gutter, wrapped at the width drawn.

Long lines wrap *under* their text, not back to the left edge: the bar that
marks the opened case (▌) runs down every line of its entries at any width.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text


@dataclass(frozen=True)
class Line:
    """One logical line: its gutter on the first screen line, the gutter of its continuations, its text."""

    gutter: Text
    text: Text
    continuation: Text | None = None  # default: the gutter's width in spaces


class Timeline:
    """Lines with gutters, wrapped to the width Rich gives (so also to the width Textual lays it out at)."""

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        # Textual renders a widget's content to measure its height, then to draw it: wrapping a hundred
        # entries twice is most of the time a history takes to open.
        self._drawn: tuple[int, Console, list[Segment]] | None = None

    @property
    def plain(self) -> str:
        """The text of every line with its gutter, unwrapped."""
        return "\n".join(line.gutter.plain + line.text.plain for line in self.lines)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        if self._drawn is None or self._drawn[:2] != (width, console):
            self._drawn = (width, console, list(self._wrapped(console, width)))
        return self._drawn[2]

    def _wrapped(self, console: Console, width: int) -> RenderResult:
        for line in self.lines:
            gutter = line.gutter
            room = max(1, width - gutter.cell_len)
            text = line.text
            if not text.plain:
                wrapped = [Text("")]
            elif (text.cell_len <= room and len(text.plain) == text.cell_len and "\n" not in text.plain
                  and "\t" not in text.plain):
                # Most lines fit: Rich's wrap costs as much for them as for long ones. Only lines of one cell a
                # character: Rich's wrap measures a combining accent or a wide character its own way (a line
                # starting with U+0300 lost a space), and the picture must be the wrap's.
                wrapped = [text.copy()]
            else:
                wrapped = text.wrap(console, room, overflow="fold")
            rest = line.continuation if line.continuation is not None else Text(" " * gutter.cell_len)
            for i, part in enumerate(wrapped):
                yield from (gutter if i == 0 else rest).render(console)
                part.end = ""
                yield from part.render(console)
                yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, options.max_width)

"""The queue: a Line-API view that reads only the visible rows.

A DataTable needs every row up front (34 s at 100k rows); this view asks its
source for the page on screen, so the first frame costs the same at any size.
Moving the cursor repaints two lines; scrolling repaints the visible page;
`sync()` after a change re-reads the page and repaints only the lines whose
text changed (another engineer's note on a case off screen writes nothing).

Columns are laid out for the width: the subject keeps most of the row, empty
columns (no assignee, nobody else on the page) fold away, and at 80 columns
the customer narrows. The heat band shows as a colour *and* a mark (▲ hot,
△ warm), so it reads without colour too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Protocol, Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from ...core.visible import visible
from ..safe import fit
from ..timefmt import local_hhmm, short_duration


class QueueSource(Protocol):
    def count(self) -> int: ...
    def page(self, offset: int, limit: int) -> Sequence: ...
    def page_from_end(self, offset: int, limit: int) -> Sequence: ...


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int  # 0 = takes the remaining space
    align: str = "left"
    narrow: int = 0  # width below NARROW terminal columns (0: same)
    short: str = ""  # the title at the narrow width (default: the title)
    folds: bool = False  # left out when no visible row has a value
    drops_below: int = 0  # left out on terminals narrower than this


COLUMNS = (
    Column("heat", "HEAT", 5, "right", narrow=4, short="HOT"), Column("id", "CASE", 8, narrow=7),
    Column("customer", "CUSTOMER", 22, narrow=13),
    Column("subject", "SUBJECT", 0), Column("waiting", "WAITING", 7, "right", narrow=5, short="WAIT"),
    Column("age", "AGE", 5, "right", drops_below=100), Column("exchanges", "EXCH", 4, "right", drops_below=100),
    Column("assignee", "ASSIGNEE", 9, narrow=8, folds=True), Column("who", "WHO", 9, narrow=7, folds=True),
    Column("local", "LOCAL", 5, "right"),
)
NARROW = 100  # below this many terminal columns, the narrow widths and short titles apply
MIN_SUBJECT = 16

#: One definition per heat band: the colour of the HEAT cell and its mark (text that reads without colour).
BAND_STYLE = {"hot": Style(bgcolor="rgb(200,40,30)", color="rgb(255,255,255)", bold=True),
              "warm": Style(bgcolor="rgb(170,120,20)", color="rgb(255,255,255)"),
              "cool": Style(bgcolor="rgb(40,70,140)", color="rgb(230,230,230)")}
BAND_MARK = {"hot": "▲", "warm": "△", "cool": " "}

_PLAIN = Style()
_CURSOR = Style(reverse=True)
_WHO = Style(color="green", bold=True)


def band_style(band: str) -> Style:
    return BAND_STYLE[band]


class QueueTable(ScrollView, can_focus=True):
    """Ranked open cases; `enter` posts `Opened`, a move posts `Highlighted`."""

    # No scrollbar: at 100k rows its thumb is one cell, and redrawing it on every
    # scroll cost a third of the scroll's time. The screen shows "row N of M" instead.
    DEFAULT_CSS = """
    QueueTable { height: 1fr; scrollbar-size-vertical: 0; }
    """

    @dataclass
    class Opened(Message):
        case_id: str

    @dataclass
    class Highlighted(Message):
        case_id: str | None

    def __init__(self, source: QueueSource, *, now: Callable[[], datetime],
                 presence: Callable[[], dict[str, str]] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.now = now
        self.presence = presence or (lambda: {})
        self.cursor = 0
        self._rows: dict[int, object] = {}
        # Drawn rows by (index, cursor on it, width, minute, who is on it, layout): a scroll by
        # one row redraws one new row, the others come from here.
        self._strips: dict[tuple, Strip] = {}
        self._painted: dict[int, str] = {}  # screen line -> the text last painted there (for `sync`)
        self._presence: dict[str, str] = {}
        self._layout: tuple[tuple[Column, int], ...] = ()
        self._layout_key: tuple = ()
        # Known before the first layout, so the very first frame already shows rows.
        self.row_count = source.count()
        self.virtual_size = Size(0, self.row_count)

    # -- data -------------------------------------------------------------
    def on_mount(self) -> None:
        self._presence = self.presence()
        self.post_message(self.Highlighted(self.current_case_id()))
        # Textual drops the paint made before the app is running and only repaints what changed
        # since: ask for the rows again so they go out with the first frame that reaches the terminal.
        self.call_after_refresh(self.refresh)

    def reload(self, *, keep_case: bool = True) -> None:
        """Re-read everything and repaint (a new filter or view)."""
        current = self.current_case_id() if keep_case else None
        self._forget()
        self.row_count = self.source.count()
        self.virtual_size = Size(self.size.width, self.row_count)
        self._place_cursor(current)
        self.refresh()
        self.post_message(self.Highlighted(self.current_case_id()))

    def sync(self) -> None:
        """After a change in the store: re-read the visible page, repaint only lines that changed."""
        current = self.current_case_id()
        count = self.source.count()
        self._forget()
        if count != self.row_count:
            self.row_count = count
            self.virtual_size = Size(self.size.width, count)
        moved = self._place_cursor(current)
        if moved:
            self.scroll_to_cursor()
        top = self.scroll_offset.y
        for y in range(self.size.height):
            line = self._line(top + y)
            if self._painted.get(y) != line:
                self.refresh(Region(0, y, self.row_width, 1))
        if moved or self.current_case_id() != current:
            self.post_message(self.Highlighted(self.current_case_id()))

    def _forget(self) -> None:
        self._rows.clear()
        self._strips.clear()
        self._presence = self.presence()

    def _place_cursor(self, case_id: str | None) -> bool:
        """Keep the cursor on *case_id* if it is still nearby (heat moves rows around); True if it moved."""
        before = self.cursor
        if self.cursor >= self.row_count:
            self.cursor = max(0, self.row_count - 1)
        if case_id is not None:
            start = max(0, self.cursor - 50)
            for offset, row in enumerate(self.source.page(start, 101)):
                if row.id == case_id:
                    self.cursor = start + offset
                    break
        return self.cursor != before

    def _row(self, index: int):
        row = self._rows.get(index)
        if row is None and 0 <= index < self.row_count:
            height = max(self.size.height, 1)
            start = max(0, index - height)
            limit = height * 3
            if len(self._rows) > 2000:
                self._rows.clear()
                self._strips.clear()
            if start > self.row_count // 2:
                # Deep in the queue: read from the cold end, so `G` costs as little as `g`.
                end = min(self.row_count, start + limit)
                fetched = self.source.page_from_end(self.row_count - end, end - start)
                for offset, item in enumerate(fetched):  # last row first
                    self._rows[end - 1 - offset] = item
            else:
                for offset, fetched in enumerate(self.source.page(start, limit)):
                    self._rows[start + offset] = fetched
            row = self._rows.get(index)
        return row

    def current_case_id(self) -> str | None:
        row = self._row(self.cursor) if self.row_count else None
        return row.id if row is not None else None

    # -- layout -----------------------------------------------------------
    @property
    def row_width(self) -> int:
        """Width of a row: the widget minus its scrollbar."""
        return self.scrollable_content_region.width or self.size.width

    def columns(self) -> tuple[tuple[Column, int], ...]:
        """The columns shown at this width, with their widths (empty folding columns left out)."""
        width = self.row_width
        top = self.scroll_offset.y
        rows = [r for r in (self._row(top + y) for y in range(max(1, self.size.height))) if r is not None]
        has = {"assignee": any(r.assignee for r in rows),
               "who": any(self._presence.get(r.id) for r in rows)}
        key = (width, has["assignee"], has["who"])
        if key == self._layout_key:
            return self._layout
        narrow = width < NARROW
        chosen = [c for c in COLUMNS if not (c.folds and not has[c.key]) and width >= c.drops_below]
        widths = {c.key: (c.narrow or c.width) if narrow else c.width for c in chosen}
        fixed = sum(w + 1 for k, w in widths.items() if k != "subject")
        # Still too narrow: drop columns from the right until the subject keeps its minimum.
        for drop in ("exchanges", "age", "local", "who", "assignee"):
            if width - fixed - 1 >= MIN_SUBJECT:
                break
            if drop in widths:
                fixed -= widths.pop(drop) + 1
                chosen = [c for c in chosen if c.key != drop]
        widths["subject"] = max(8, width - fixed - 1)
        self._layout = tuple((c, widths[c.key]) for c in chosen)
        self._layout_key = key
        return self._layout

    def header_line(self, width: int) -> str:
        parts = []
        narrow = self.row_width < NARROW
        for col, w in self.columns():
            title = col.short if narrow and col.short else col.title
            title = title[:w]
            parts.append(title.rjust(w) if col.align == "right" else title.ljust(w))
        return fit(" ".join(parts), width)

    # -- rendering --------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.row_width
        row = self._row(index)
        if row is None:
            self._painted[y] = ""
            return Strip.blank(width, _PLAIN)
        now = self.now()
        who = self._presence.get(row.id, "")
        layout = self.columns()
        key = (index, index == self.cursor, width, int(now.timestamp()) // 60, who, layout, row)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) > 1000:
                self._strips.clear()
            strip = self._strips[key] = self._render_row(row, index, width, now, who, layout)
        self._painted[y] = strip.text + ("\0" if index == self.cursor else "")
        return strip

    def _line(self, index: int) -> str:
        """What `render_line` would paint for row *index* now (to compare with what is painted)."""
        row = self._row(index)
        if row is None:
            return ""
        now = self.now()
        strip = self._render_row(row, index, self.row_width, now, self._presence.get(row.id, ""), self.columns())
        return strip.text + ("\0" if index == self.cursor else "")

    def _cells(self, row, now: datetime, who: str) -> dict[str, str]:
        if row.status == "pending":
            waited = "them"
        elif row.waiting_since is not None:
            waited = short_duration((now - row.waiting_since).total_seconds())
        else:
            waited = "—"
        return {
            "heat": f"{BAND_MARK[row.band]}{row.heat:>3}", "id": visible(row.id), "customer": visible(row.customer),
            "subject": visible(row.subject), "waiting": waited,
            "age": short_duration((now - row.opened_at).total_seconds()), "exchanges": str(row.exchanges),
            "assignee": visible(row.assignee), "who": visible(who), "local": local_hhmm(row.timezone, now),
        }

    def _render_row(self, row, index: int, width: int, now: datetime, who: str, layout) -> Strip:
        cells = self._cells(row, now, who)
        base = _CURSOR if index == self.cursor else _PLAIN
        texts = {}
        for col, w in layout:
            text = cells[col.key]
            text = text.rjust(w) if col.align == "right" and len(text) < w else text
            texts[col.key] = fit(text, w)
        # Few segments: each style change costs escape bytes on every repaint of the row.
        keys = [c.key for c, _ in layout]
        segments = [Segment(texts["heat"], band_style(row.band)), Segment(" ", base)]
        rest = keys[1:]
        if who and "who" in rest:
            at = rest.index("who")
            before = " ".join(texts[k] for k in rest[:at])
            after = " ".join(texts[k] for k in rest[at + 1:])
            segments += [Segment(before + " ", base), Segment(texts["who"], base + _WHO),
                         Segment(" " + after + " ", base)]
        else:
            segments.append(Segment(" ".join(texts[k] for k in rest) + " ", base))
        return Strip(segments).crop_extend(0, width, base)

    # -- cursor -----------------------------------------------------------
    def move_to(self, index: int) -> None:
        if not self.row_count:
            return
        index = max(0, min(self.row_count - 1, index))
        old, self.cursor = self.cursor, index
        top = self.scroll_offset.y
        height = self.size.height
        if index < top or index >= top + height:
            self.scroll_to_cursor()
        else:
            # On-screen move: repaint just the two rows that changed.
            self.refresh(Region(0, old - top, self.row_width, 1))
            self.refresh(Region(0, index - top, self.row_width, 1))
        self.post_message(self.Highlighted(self.current_case_id()))

    def scroll_to_cursor(self) -> None:
        """Bring the cursor's row on screen (after a move, a resize, or its case moving in the ranking).

        At once and forced: the virtual size is already the new one, while Textual's own checks go by the
        last layout (a queue of 3 rows "cannot scroll") and a deferred scroll was dropped when it ran.
        """
        top = self.scroll_offset.y
        height = max(1, self.size.height)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True, force=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True, force=True)

    def on_resize(self) -> None:
        self._layout_key = ()
        self.scroll_to_cursor()

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.row_count - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(1, self.size.height - 1))

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(1, self.size.height - 1))

    def action_open(self) -> None:
        case_id = self.current_case_id()
        if case_id:
            self.post_message(self.Opened(case_id))

    def on_click(self, event) -> None:
        """A click selects the row under the mouse; a second click on it opens it."""
        index = self.scroll_offset.y + event.y
        if 0 <= index < self.row_count:
            if index == self.cursor and event.chain > 1:
                self.action_open()
            else:
                self.move_to(index)


class QueueHeader(Widget):
    """The column titles above a QueueTable, laid out from the table's width when drawn.

    Computed at render time, after layout, so the titles line up with the rows
    from the very first frame and after every resize.
    """

    DEFAULT_CSS = "QueueHeader { height: 1; }"

    def __init__(self, table: QueueTable, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.table = table
        self.line = ""  # the titles last drawn

    def render(self) -> Text:
        self.line = self.table.header_line(self.table.row_width)
        return Text(self.line, "bold")

    def follow_columns(self) -> None:
        """Repaint only if the columns changed (a column folded or came back): idle, nothing is written."""
        if self.table.header_line(self.table.row_width) != self.line:
            self.refresh()

"""The queue: a Line-API view that reads only the visible rows.

A DataTable needs every row up front (34 s at 100k rows); this view asks its
source for the page on screen, so the first frame costs the same at any size.
Moving the cursor repaints two lines; scrolling repaints the visible page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime
from typing import Callable, Protocol, Sequence
from zoneinfo import ZoneInfo

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from ...core.model import HOT_HEAT, WARM_HEAT
from ...core.timeutil import parse_ts, short_duration
from ..safe import fit, visible


class QueueSource(Protocol):
    def count(self) -> int: ...
    def page(self, offset: int, limit: int) -> Sequence: ...


@dataclass(frozen=True)
class Column:
    title: str
    width: int  # 0 = takes the remaining space
    align: str = "left"


COLUMNS = (
    Column("HEAT", 5, "right"), Column("CUSTOMER", 22), Column("SUBJECT", 0),
    Column("WAITING", 7, "right"), Column("AGE", 5, "right"), Column("EXCH", 4, "right"),
    Column("ASSIGNEE", 9), Column("WHO", 9), Column("LOCAL", 5, "right"),
)


def heat_style(score: int) -> Style:
    """Cold blue (0) → amber → hot red (100), as a cell background."""
    return _ramp(max(0, min(100, score)))


@lru_cache(maxsize=None)  # 101 styles at most, built when first drawn rather than at import
def _ramp(score: int) -> Style:
    stops = ((0, (40, 70, 140)), (WARM_HEAT, (150, 120, 40)), (HOT_HEAT, (200, 80, 20)), (100, (210, 20, 30)))
    for (a, ca), (b, cb) in zip(stops, stops[1:]):
        if score <= b:
            t = (score - a) / (b - a)
            rgb = tuple(round(x + (y - x) * t) for x, y in zip(ca, cb))
            break
    # Background only: every attribute is escape bytes on each repaint of the row.
    return Style(bgcolor=f"rgb({rgb[0]},{rgb[1]},{rgb[2]})")


_CURSOR = Style(reverse=True)
_WHO = Style(color="green", bold=True)
_DIM = Style(dim=True)


def _local_time(tz_name: str, now: datetime, cache: dict[str, ZoneInfo] = {}) -> str:
    tz = cache.get(tz_name)
    if tz is None:
        try:
            tz = cache[tz_name] = ZoneInfo(tz_name)
        except Exception:
            tz = cache[tz_name] = ZoneInfo("UTC")
    return now.astimezone(tz).strftime("%H:%M")


class QueueTable(ScrollView, can_focus=True):
    """Ranked open cases; `enter` posts `Opened`."""

    # No scrollbar: at 100k rows its thumb is one cell, and redrawing it on every
    # scroll cost a third of the scroll's time. The screen shows "row N of M" instead.
    DEFAULT_CSS = """
    QueueTable { height: 1fr; scrollbar-size-vertical: 0; }
    """

    class Opened(Message):
        def __init__(self, case_id: str) -> None:
            super().__init__()
            self.case_id = case_id

    def __init__(self, source: QueueSource, *, now: Callable[[], datetime],
                 presence: Callable[[], dict[str, str]] | None = None,
                 on_highlight: Callable[[str | None], None] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        # Called in the same frame as the move, so what depends on the cursor repaints with it.
        self.on_highlight = on_highlight or (lambda case_id: None)
        self.source = source
        self.now = now
        self.presence = presence or (lambda: {})
        self.cursor = 0
        self._rows: dict[int, object] = {}
        # Drawn rows by (index, cursor on it, width, second, who is on it): a scroll by
        # one row redraws one new row, the others come from here.
        self._strips: dict[tuple, Strip] = {}
        self._presence: dict[str, str] = {}
        # Known before the first layout, so the very first frame already shows rows.
        self.row_count = source.count()
        self.virtual_size = Size(0, self.row_count)

    # -- data -------------------------------------------------------------
    def on_mount(self) -> None:
        self._presence = self.presence()
        self.on_highlight(self.current_case_id())
        # Textual drops the paint made before the app is running and only repaints what changed
        # since: ask for the rows again so they go out with the first frame that reaches the terminal.
        self.call_after_refresh(self.refresh)

    def reload(self, *, keep_case: bool = True) -> None:
        """Re-read the count and drop cached rows (after a change in the store)."""
        current = self.current_case_id() if keep_case else None
        self._rows.clear()
        self._strips.clear()
        self._presence = self.presence()
        self.row_count = self.source.count()
        self.virtual_size = Size(self.size.width, self.row_count)
        if self.cursor >= self.row_count:
            self.cursor = max(0, self.row_count - 1)
        if current is not None:
            # Stay on the same case if it is still nearby (heat moves rows around).
            start = max(0, self.cursor - 50)
            for offset, row in enumerate(self.source.page(start, 101)):
                if row["id"] == current:
                    self.cursor = start + offset
                    break
        self.refresh()
        self.on_highlight(self.current_case_id())

    def _row(self, index: int):
        row = self._rows.get(index)
        if row is None and 0 <= index < self.row_count:
            height = max(self.size.height, 1)
            start = max(0, index - height)
            limit = height * 3
            if len(self._rows) > 2000:
                self._rows.clear()
                self._strips.clear()
            if start > self.row_count // 2 and hasattr(self.source, "page_from_end"):
                # Deep in the queue: read from the cold end, so `G` costs as little as `g`.
                end = min(self.row_count, start + limit)
                fetched = self.source.page_from_end(self.row_count - end, end - start)
                for offset, item in enumerate(reversed(fetched)):
                    self._rows[end - 1 - offset] = item
            else:
                for offset, fetched in enumerate(self.source.page(start, limit)):
                    self._rows[start + offset] = fetched
            row = self._rows.get(index)
        return row

    def current_case_id(self) -> str | None:
        row = self._row(self.cursor) if self.row_count else None
        return row["id"] if row is not None else None

    # -- rendering --------------------------------------------------------
    @property
    def row_width(self) -> int:
        """Width of a row: the widget minus its scrollbar."""
        return self.scrollable_content_region.width or self.size.width

    def _widths(self) -> list[int]:
        fixed = sum(c.width + 1 for c in COLUMNS if c.width)
        flexible = max(8, self.row_width - fixed - 1)
        return [c.width or flexible for c in COLUMNS]

    def header_line(self, width: int) -> str:
        parts = []
        for col, w in zip(COLUMNS, self._widths()):
            parts.append(col.title.rjust(w) if col.align == "right" else col.title.ljust(w))
        return fit(" ".join(parts), width)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.row_width
        row = self._row(index)
        if row is None:
            return Strip.blank(width)
        now = self.now()
        who = self._presence.get(row["id"], "")
        key = (index, index == self.cursor, width, int(now.timestamp()), who)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) > 1000:
                self._strips.clear()
            strip = self._strips[key] = self._render_row(row, index, width, now, who)
        return strip

    def _render_row(self, row, index: int, width: int, now: datetime, who: str) -> Strip:
        widths = self._widths()
        waiting = row["waiting_since"]
        waited = short_duration((now - parse_ts(waiting)).total_seconds()) if waiting else "—"
        if row["status"] == "pending":
            waited = "them"
        age = short_duration((now - parse_ts(row["opened_at"])).total_seconds())
        cells = [
            str(row["heat"]), visible(row["customer"]), visible(row["subject"]), waited, age,
            str(row["exchanges"]), visible(row["assignee"]), visible(who),
            _local_time(row["timezone"], now),
        ]
        base = _CURSOR if index == self.cursor else Style()
        # Few segments: each style change costs escape bytes on every repaint of the row.
        texts = []
        for col, w, text in zip(COLUMNS, widths, cells):
            text = text.rjust(w) if col.align == "right" and len(text) < w else text
            texts.append(fit(text, w))
        segments = [Segment(texts[0], heat_style(row["heat"])), Segment(" ")]
        if who:
            segments += [Segment(" ".join(texts[1:7]) + " ", base),
                         Segment(texts[7], base + _WHO), Segment(" " + texts[8] + " ", base)]
        else:
            segments.append(Segment(" ".join(texts[1:]) + " ", base))
        return Strip(segments).crop_extend(0, width, base)

    # -- cursor -----------------------------------------------------------
    def move_to(self, index: int) -> None:
        if not self.row_count:
            return
        index = max(0, min(self.row_count - 1, index))
        old, self.cursor = self.cursor, index
        top = self.scroll_offset.y
        height = self.size.height
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False)
        else:
            # On-screen move: repaint just the two rows that changed.
            self.refresh(Region(0, old - top, self.row_width, 1))
            self.refresh(Region(0, index - top, self.row_width, 1))
        self.on_highlight(self.current_case_id())

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


class QueueHeader(Widget):
    """The column titles above a QueueTable, laid out from the table's width when drawn.

    Computed at render time, after layout, so the titles line up with the rows
    from the very first frame and after every resize.
    """

    DEFAULT_CSS = "QueueHeader { height: 1; }"

    def __init__(self, table: QueueTable, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.table = table

    def render(self) -> Text:
        return Text(self.table.header_line(self.table.row_width), "bold")

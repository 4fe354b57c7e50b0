"""The queue screen: every open case, hottest first, and why the selected one is hot."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from ...core.errors import OncallError
from ...usecases import presence, queue
from ...usecases.queue import SORT_TITLES, VIEW_TITLES, Queue
from ..keymap import default_bindings
from ..messages import StoreChanged, SyncProgress
from ..safe import literal
from ..widgets.incident_banner import IncidentBanner
from ..widgets.key_hints import KeyHints
from ..widgets.queue_table import BAND_MARK, QueueHeader, QueueTable, band_style
from .case_keys import CaseKeys
from .closing import ReadyScreen

SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: tuple[int, ...] | list[int], width: int = 24) -> str:
    """A tiny chart of *values* (the last *width* of them)."""
    values = list(values)[-width:]
    if not values:
        return ""
    top = max(values) or 1
    return "".join(SPARK[min(len(SPARK) - 1, round(v / top * (len(SPARK) - 1)))] for v in values)


def _short(value: str, width: int = 28) -> str:
    return value if len(value) <= width else value[:width - 1] + "…"


class QueueScreen(CaseKeys, ReadyScreen):
    """Ranked open cases."""

    KEYMAP = "queue"
    BINDINGS = default_bindings("queue")

    def __init__(self) -> None:
        super().__init__(name="queue")
        self.queue = Queue(self.app.session)
        self._shown_once = False
        self._seen_changes = 0
        self._title = None
        self._why: Text | None = None  # the reason line last drawn

    def compose(self) -> ComposeResult:
        yield Static(id="queue-title")
        yield IncidentBanner(id="queue-banner")
        table = QueueTable(self.queue, now=self.app.now, presence=lambda: presence.by_case(self.app.session),
                           id="queue-table")
        yield QueueHeader(table, id="queue-header")
        yield table
        yield Static(id="queue-why")
        yield KeyHints()

    @property
    def table(self) -> QueueTable:
        return self.query_one(QueueTable)

    def on_mount(self) -> None:
        self.update_header()
        self.table.focus()

    def on_resize(self) -> None:
        # The column titles follow the table's width; the cursor's position sits at the right edge.
        self.query_one(QueueHeader).refresh()
        if self._shown_once:
            self._update_why(self.table.current_case_id())

    # -- header -------------------------------------------------------------
    def update_header(self) -> None:
        """The title line: how many cases, per heat band (the same bands as the rows' colours and marks)."""
        bands = queue.bands(self.app.session)
        title = Text()
        title.append(" oncall ", "bold reverse")
        order = "" if self.queue.sort == "heat" else f", {SORT_TITLES[self.queue.sort]}"
        title.append(f"  {self.table.row_count} cases ({VIEW_TITLES[self.queue.view]}{order})  ")
        for band, n in (("hot", bands.hot), ("warm", bands.warm), ("cool", bands.cool)):
            title.append(f" {BAND_MARK[band].strip()}{n} {band} ", band_style(band))
            title.append(" ")
        if bands.hot_per_hour:
            title.append(f" hot 24h {sparkline(bands.hot_per_hour)}", "dim")
        if self.queue.text:
            title.append("  filter: ", "dim")
            title.append_text(literal(self.queue.text, "bold"))
        title.append(f"  {self.app.user}", "dim")
        if title != self._title:  # unchanged: no repaint, no bytes
            self._title = title
            self.query_one("#queue-title", Static).update(title, layout=False)
        self.query_one(QueueHeader).follow_columns()

    def on_queue_table_highlighted(self, message: QueueTable.Highlighted) -> None:
        if not self._shown_once:
            # The first frame shows the rows; the reason (and the heat model it needs) follows at
            # once, for the case under the cursor by then (a key may have moved it).
            self.call_after_refresh(lambda: self._update_why(self.table.current_case_id()))
        else:
            self._update_why(message.case_id)

    def _update_why(self, case_id: str | None) -> None:
        if not self.is_mounted:
            return
        why = self.query_one("#queue-why", Static)
        if not case_id:
            why.update(Text(" No open case matches." if self.queue.text else " No open cases.", "dim"),
                       layout=False)
            return
        try:
            _, heat = queue.explain(self.app.session, case_id)
        except OncallError:
            return  # the case left the queue meanwhile: the next change refreshes the line
        line = Text(f" {case_id} ", "bold")
        line.append(f"{heat.score}: ")
        if heat.probably_done:
            line.append("probably done (Z resolves) · ", "green")
        # The three biggest reasons, each kept short: the line repaints on every move; `e` shows it all.
        line.append_text(literal(" · ".join(f"{_short(t.value)} {t.points:+.0f}" for t in heat.terms[:3])))
        if not heat.terms:
            line.append("nothing pressing", "dim")
        # Where the cursor is, at the right (the table has no scrollbar). Unstyled: it takes
        # the place of padding, so a move writes no more bytes for it.
        table = self.table
        where = f" {table.cursor + 1:,}/{table.row_count:,} "
        line.truncate(max(0, (why.size.width or self.app.size.width) - len(where)), pad=True)
        line.append(where)
        # One line, fixed height: no layout pass, so a cursor move repaints only what changed.
        if line != self._why:
            self._why = line
            why.update(line, layout=False)

    def on_queue_table_opened(self, message: QueueTable.Opened) -> None:
        self.app.open_case(message.case_id)

    def _filter_box(self) -> Input:
        # Mounted on first use: the queue's first frame should not pay for widgets it does not show.
        boxes = self.query("#queue-filter")
        if boxes:
            return boxes.first(Input)
        box = Input(placeholder="filter: customer, subject, case id, assignee — enter to apply, escape to clear",
                    id="queue-filter")
        self.mount(box, before=self.query_one(KeyHints))
        return box

    def on_sync_progress(self, message: SyncProgress) -> None:
        """A long first sync shows its progress; it hides itself when done."""
        from textual.widgets import ProgressBar  # only a long sync shows one

        bars = self.query("#queue-sync")
        if not bars:
            self.mount(ProgressBar(id="queue-sync", show_eta=False), after=self.query_one("#queue-why"))
        bar = self.query_one("#queue-sync", ProgressBar)
        bar.display = bool(message.total) and message.done < message.total
        bar.update(total=message.total or None, progress=message.done)
        bar.tooltip = f"{message.source}: {message.done}/{message.total} tickets"
        if message.total and message.done >= message.total:
            self.notify(f"{message.source}: {message.total} tickets synced", timeout=4)

    # -- refresh --------------------------------------------------------------
    def on_screen_resume(self) -> None:
        # Back from a case: catch up with what changed meanwhile (our own writes too).
        if self._shown_once and self._seen_changes != self.app.changes:
            self.refresh_rows()
        self._seen_changes = self.app.changes
        self._shown_once = True

    def on_store_changed(self, message: StoreChanged) -> None:
        self._seen_changes = self.app.changes
        change = message.change
        if change.touches_queue() or change.presence:
            self.refresh_rows()
        elif change.incidents or change.everything:
            self.query_one(IncidentBanner).refresh_banner()

    def refresh_rows(self) -> None:
        """Re-read the page and the counts; only what changed is repainted."""
        self.table.sync()
        self.update_header()
        self.query_one(IncidentBanner).refresh_banner()

    # -- actions --------------------------------------------------------------
    def current_case(self) -> str | None:
        return self.table.current_case_id()

    def after_write(self) -> None:
        self.refresh_rows()

    # A move updates the reason line in the same frame as the rows: waiting for the table's
    # Highlighted message would cost a second frame (up to 16 ms later) on every key.
    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()
        self._update_why(self.table.current_case_id())

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()
        self._update_why(self.table.current_case_id())

    def action_first(self) -> None:
        self.table.action_first()
        self._update_why(self.table.current_case_id())

    def action_last(self) -> None:
        self.table.action_last()
        self._update_why(self.table.current_case_id())

    def action_page_down(self) -> None:
        self.table.action_page_down()
        self._update_why(self.table.current_case_id())

    def action_page_up(self) -> None:
        self.table.action_page_up()
        self._update_why(self.table.current_case_id())

    def action_open(self) -> None:
        self.table.action_open()

    def action_filter(self) -> None:
        box = self._filter_box()
        box.display = True
        box.value = self.queue.text
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "queue-filter":
            self._apply_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "queue-filter":
            self._apply_filter(event.value)
            event.input.display = bool(event.value)
            self.table.focus()

    def key_escape(self) -> None:
        boxes = self.query("#queue-filter")
        if not boxes:
            return
        box = boxes.first(Input)
        if box.has_focus or box.display:
            box.value = ""
            self._apply_filter("")
            box.display = False
            self.table.focus()

    def _from_the_top(self) -> None:
        """After the queue's filter, view or order changed: its first row, under the cursor."""
        self.table.cursor = 0
        self.table.scroll_to(y=0, animate=False)
        self.table.reload(keep_case=False)
        self.update_header()

    def _apply_filter(self, text: str) -> None:
        self.queue.set_text(text)
        self._from_the_top()

    def action_next_view(self) -> None:
        view = self.queue.next_view()
        self._from_the_top()
        self.notify(f"View: {VIEW_TITLES[view]}", timeout=2)

    def action_next_sort(self) -> None:
        sort = self.queue.next_sort()
        self._from_the_top()
        self.notify(f"Sort: {SORT_TITLES[sort]}", timeout=2)

    def action_run_action(self, action_id: str) -> None:
        case_id = self.table.current_case_id()
        if case_id:
            self.app.start_action(case_id, action_id)

    def action_suggested(self) -> None:
        case_id = self.table.current_case_id()
        if case_id:
            self.app.start_action(case_id)

    def action_actions(self) -> None:
        case_id = self.table.current_case_id()
        if case_id:
            self.app.choose_action(case_id)

    def action_explain(self) -> None:
        case_id = self.table.current_case_id()
        if case_id:
            self.app.explain_case(case_id)

    def on_key(self, event) -> None:
        """Keys a user gave site runbooks in their keymap ([actions] my_runbook = { keys = "X" })."""
        action_id = self.app.keymap.site_actions().get(event.key)
        if action_id:
            event.stop()
            self.action_run_action(action_id)

"""The queue screen: every open case, hottest first, and why the selected one is hot."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Input, Static

from ...core.timeutil import format_ts
from ...store import queries
from ..keymap import add_site_action_bindings, default_bindings
from ..widgets.key_hints import KeyHints
from ..safe import literal
from ..sources import StoreQueueSource
from ..widgets.queue_table import QueueHeader, QueueTable, heat_style

VIEW_TITLES = {"all": "all open", "waiting": "waiting on us", "mine": "mine", "region": "in business hours"}
SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int], width: int = 24) -> str:
    """A tiny chart of *values* (the last *width* of them)."""
    values = values[-width:]
    if not values:
        return ""
    top = max(values) or 1
    return "".join(SPARK[min(len(SPARK) - 1, round(v / top * (len(SPARK) - 1)))] for v in values)


def _short(value: str, width: int = 28) -> str:
    return value if len(value) <= width else value[:width - 1] + "…"


class QueueScreen(Screen):
    """Ranked open cases."""

    BINDINGS = default_bindings("queue")

    def __init__(self) -> None:
        super().__init__(id="queue")
        add_site_action_bindings(self, self.app.keymap)
        self.source = StoreQueueSource(self.app.store)
        self._shown_once = False

    def compose(self) -> ComposeResult:
        yield Static(id="queue-title")
        yield Static(id="queue-banner")
        table = QueueTable(self.source, now=self.app.now, presence=self.app.presence_by_case,
                           on_highlight=self.update_why, id="queue-table")
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
        store = self.app.store
        hot, warm, cool = queries.queue_bands(store)
        since = format_ts(self.app.now() - timedelta(hours=24))
        samples = queries.hot_per_hour(store, since)
        flt = self.source.filter
        title = Text()
        title.append(" oncall ", "bold reverse")
        title.append(f"  {self.table.row_count} cases ({VIEW_TITLES[flt.view]})  ")
        title.append(f" {hot} hot ", heat_style(90))
        title.append(" ")
        title.append(f" {warm} warm ", heat_style(55))
        title.append(" ")
        title.append(f" {cool} cool ", heat_style(10))
        if samples:
            title.append(f"  hot 24h {sparkline(samples)}", "dim")
        if flt.text:
            title.append("  filter: ", "dim")
            title.append_text(literal(flt.text, "bold"))
        title.append(f"  {self.app.user}", "dim")
        self.query_one("#queue-title", Static).update(title, layout=False)
        self.query_one(QueueHeader).refresh()
        banner = self.app.incident_banner()
        box = self.query_one("#queue-banner", Static)
        if box.display != (banner is not None):
            box.display = banner is not None
        if banner is not None:
            box.update(banner)

    def update_why(self, case_id: str | None) -> None:
        if not self._shown_once:
            # The first frame shows the rows; the reason (and the heat model it needs) follows at
            # once, for the case under the cursor by then (a key may have moved it).
            self.call_after_refresh(lambda: self._update_why(self.table.current_case_id()))
        else:
            self._update_why(case_id)

    def _update_why(self, case_id: str | None) -> None:
        if self.app._closed:
            return
        why = self.query_one("#queue-why", Static)
        if not case_id:
            why.update(Text(" No open case matches." if self.source.filter.text else " No open cases.", "dim"),
                       layout=False)
            return
        heat = self.app.case_heat(case_id)
        line = Text(f" {case_id} ", "bold")
        line.append(f"{heat.score}: ")
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

    def show_sync_progress(self, name: str, done: int, total: int) -> None:
        """A long first sync shows its progress; it hides itself when done."""
        from textual.widgets import ProgressBar  # only a long sync shows one

        bars = self.query("#queue-sync")
        if not bars:
            self.mount(ProgressBar(id="queue-sync", show_eta=False), after=self.query_one("#queue-why"))
        bar = self.query_one("#queue-sync", ProgressBar)
        bar.display = bool(total) and done < total
        bar.update(total=total or None, progress=done)
        bar.tooltip = f"{name}: {done}/{total} tickets"
        if total and done >= total:
            self.notify(f"{name}: {total} tickets synced", timeout=4)

    # -- refresh --------------------------------------------------------------
    def on_screen_resume(self) -> None:
        # Coming back from a case: the store may have changed under us (our own writes too).
        if self._shown_once:
            self.refresh_from_store()
        self._shown_once = True

    def refresh_from_store(self) -> None:
        self.table.reload()
        self.update_header()

    # -- actions --------------------------------------------------------------
    def action_cursor_down(self) -> None:
        self.table.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.table.action_cursor_up()

    def action_first(self) -> None:
        self.table.action_first()

    def action_last(self) -> None:
        self.table.action_last()

    def action_page_down(self) -> None:
        self.table.action_page_down()

    def action_page_up(self) -> None:
        self.table.action_page_up()

    def action_open(self) -> None:
        self.table.action_open()

    def action_filter(self) -> None:
        box = self._filter_box()
        box.display = True
        box.value = self.source.filter.text
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

    def _apply_filter(self, text: str) -> None:
        flt = self.source.filter
        self.source.filter = queries.QueueFilter(text=text.strip(), view=flt.view, me=flt.me,
                                                 customer_ids=flt.customer_ids)
        self.table.cursor = 0
        self.table.scroll_to(y=0, animate=False)
        self.table.reload(keep_case=False)
        self.update_header()

    def action_next_view(self) -> None:
        views = list(queries.QUEUE_VIEWS)
        flt = self.source.filter
        view = views[(views.index(flt.view) + 1) % len(views)]
        self.source.filter = queries.QueueFilter(
            text=flt.text, view=view, me=self.app.user,
            customer_ids=tuple(self.app.customers_in_business_hours()) if view == "region" else ())
        self.table.cursor = 0
        self.table.scroll_to(y=0, animate=False)
        self.table.reload(keep_case=False)
        self.update_header()
        self.notify(f"View: {VIEW_TITLES[view]}", timeout=2)

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


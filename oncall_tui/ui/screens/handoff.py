"""Follow-the-sun handoff: what I leave to the next shift, and what the last shift left me.

Keys: `enter` opens the case, `s` writes its summary right here, `a`
acknowledges a case of the incoming brief, `ctrl+s` sends my brief.
"""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...store import handoffs, writes
from ...store.db import Store, StoreError
from ..keymap import default_bindings
from ..widgets.key_hints import KeyHints
from ..safe import literal
from .editor import EditorScreen

SHIFT = timedelta(hours=8)
INCOMING_WITHIN = timedelta(hours=24)


class HandoffScreen(Screen):
    # Its own rules: parsed when the screen is first opened, not before the queue's first frame.
    DEFAULT_CSS = """
        #handoff-title {
            height: 1;
        }

        #handoff-list {
            height: 1fr;
        }

        #handoff-status {
            height: auto;
            padding: 0 1;
        }
    """

    BINDINGS = default_bindings("handoff")

    def __init__(self) -> None:
        super().__init__(id="handoff")
        self.brief = None
        self.incoming = None

    def compose(self) -> ComposeResult:
        yield Static(id="handoff-title")
        yield OptionList(id="handoff-list")
        yield Static(id="handoff-status")
        yield KeyHints()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.refresh_from_store()

    def refresh_from_store(self) -> None:
        self.query_one("#handoff-status", Static).update(Text("Gathering your shift…", "dim"))
        self.gather()

    @work(thread=True, exclusive=True, group="handoff")
    def gather(self) -> None:
        # A private connection: this runs in a thread, and gathering scans the shift's events.
        store = Store.open(self.app.store_path, migrate=False)
        try:
            now = self.app.now()
            brief = handoffs.gather(store, self.app.user, now - SHIFT, now, rescore=False)
            incoming = handoffs.latest_for(store, now, self.app.user, within=INCOMING_WITHIN)
            pending = handoffs.pending_acks(store, incoming.id, self.app.user) if incoming else []
        finally:
            store.close()
        self.app.call_from_thread(self.show, brief, incoming, pending)

    def show(self, brief, incoming, pending) -> None:
        self.brief, self.incoming = brief, incoming
        listing = self.query_one(OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        title = Text(" Handoff ", "bold reverse")
        title.append(f"  your shift since {brief.since.astimezone(self.app.engineer_zone):%H:%M}: "
                     f"{brief.headline()}")
        self.query_one("#handoff-title", Static).update(title)
        if incoming is not None:
            listing.add_option(Option(Text(f"── {incoming.line()} — a acknowledges ──", "bold"), disabled=True))
            for case_id in incoming.case_ids:
                done = case_id not in pending
                label = Text("  ✓ " if done else "  • ", "green" if done else "bold yellow")
                label.append(case_id)
                label.append(" acknowledged" if done else " not acknowledged yet", "dim" if done else "yellow")
                listing.add_option(Option(label, id=f"in:{case_id}"))
        listing.add_option(Option(Text("── Your brief for the next shift — s writes a summary, ctrl+s sends ──",
                                       "bold"), disabled=True))
        for item in brief.items:
            label = Text(f"  {item.case_id} ", "bold")
            label.append(f"{item.heat:>3} ")
            label.append_text(literal(item.customer))
            label.append(" · ")
            label.append_text(literal(item.subject))
            label.append(f"\n      {item.why}", "yellow" if item.summary_stale else "dim")
            summary = item.summary.strip().splitlines()[0] if item.summary.strip() else "no summary"
            label.append("\n      ")
            label.append_text(literal(summary, "italic" if item.summary.strip() else "bold red"))
            listing.add_option(Option(label, id=f"out:{item.case_id}"))
        if not brief.items:
            listing.add_option(Option(Text("  nothing to hand over", "dim"), disabled=True))
        if highlighted is not None and highlighted < listing.option_count:
            listing.highlighted = highlighted
        else:
            listing.action_first()
        self.query_one("#handoff-status", Static).update(Text(""))

    def _selected(self) -> tuple[str, str] | None:
        listing = self.query_one(OptionList)
        if listing.highlighted is None:
            return None
        option_id = listing.get_option_at_index(listing.highlighted).id or ""
        side, _, case_id = option_id.partition(":")
        return (side, case_id) if case_id else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        side, _, case_id = (event.option.id or "").partition(":")
        if case_id:
            self.app.open_case(case_id)

    def action_summary(self) -> None:
        selected = self._selected()
        if not selected:
            return
        case_id = selected[1]
        app = self.app
        item = next((i for i in self.brief.items if i.case_id == case_id), None)
        current = item.summary if item else ""

        def save(text: str) -> None:
            writes.set_summary(app.store, case_id, text, author=app.user, now=app.now(), region=app.region)

        app.push_screen(EditorScreen(f"Living summary of {case_id}", text=current or
                                     "Wants: \nDone: \nNext: \nWho to call: ", save=save,
                                     on_typing=app.set_writing),
                        lambda result: result is not None and self.refresh_from_store())

    def action_acknowledge(self) -> None:
        selected = self._selected()
        if not selected or selected[0] != "in" or self.incoming is None:
            self.notify("Pick a case of the incoming brief to acknowledge it.", severity="warning")
            return
        try:
            handoffs.acknowledge(self.app.store, self.incoming.id, selected[1], self.app.user, self.app.now(),
                                 region=self.app.region)
        except StoreError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.refresh_from_store()

    def action_send(self) -> None:
        if self.brief is None:
            return
        if not self.brief.items:
            self.notify("Nothing to hand over.", severity="warning")
            return
        app = self.app
        handoff_id = handoffs.send(app.store, self.brief, author=app.user, region=app.region, now=app.now())
        self.notify(f"Brief stored ({len(self.brief.items)} cases); the next shift sees it at start-up.")
        if app.config.handoff_webhook:
            self.post(handoff_id, self.brief.text)
        self.refresh_from_store()

    @work(thread=True, group="webhook")
    def post(self, handoff_id: str, text: str) -> None:
        from ...commands.handoff import post_webhook, webhook_host

        cfg = self.app.config
        ok, detail = post_webhook(cfg.handoff_webhook, text, timeout=cfg.handoff_timeout)
        store = Store.open(self.app.store_path, migrate=False)
        try:
            handoffs.record_post(store, handoff_id, ok=ok, detail=detail, host=webhook_host(cfg.handoff_webhook),
                                 author=self.app.user, region=self.app.region, now=self.app.now())
        finally:
            store.close()
        message = "Brief posted to the team chat." if ok else \
            f"Posting the brief failed ({detail}); it is stored in the history — nothing lost."
        self.app.call_from_thread(self.notify, message, severity="information" if ok else "error")

    def action_back(self) -> None:
        self.app.pop_screen()

"""Follow-the-sun handoff: what I leave to the next shift, and what the last shift left me.

Keys: `enter` opens the case, `s` writes its summary right here, `a`
acknowledges a case of the incoming brief, `ctrl+s` sends my brief.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...core.errors import OncallError
from ...core.timeutil import zone
from ...usecases import handoff, writing
from ..keymap import default_bindings
from ..messages import StoreChanged, WriteRefused, Wrote
from ..safe import literal
from ..widgets.key_hints import KeyHints
from .closing import SelfClosing
from .editor import EditorScreen


class HandoffScreen(SelfClosing):
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

    KEYMAP = "handoff"
    BINDINGS = default_bindings("handoff")

    def __init__(self) -> None:
        super().__init__(name="handoff")
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

    @work(thread=True, exclusive=True, group="handoff", exit_on_error=False)
    def gather(self) -> None:
        # Its own connection: this runs in a thread, and gathering scans the shift's events.
        session = self.app.session.reopen()
        try:
            brief = handoff.brief(session, rescore=False)
            incoming = handoff.incoming(session)
        except OncallError as exc:
            self.app.call_from_thread(self.notify, f"Cannot gather the shift: {exc}", severity="error")
            return
        finally:
            session.close()
        self.app.call_from_thread(self.show, brief, incoming)

    def on_store_changed(self, message: StoreChanged) -> None:
        if message.change.cases or message.change.everything:
            self.refresh_from_store()

    def show(self, brief, incoming) -> None:
        self.brief = brief
        self.incoming = incoming.handoff if incoming else None
        pending = incoming.pending if incoming else ()
        listing = self.query_one(OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        title = Text(" Handoff ", "bold reverse")
        title.append(f"  your shift since {brief.since.astimezone(zone(self.app.engineer_timezone)):%H:%M}: "
                     f"{brief.headline()}")
        self.query_one("#handoff-title", Static).update(title)
        if self.incoming is not None:
            listing.add_option(Option(Text.assemble(("── ", "bold"), literal(self.incoming.line(), "bold"),
                                                    (" — a acknowledges ──", "bold")), disabled=True))
            for case_id in self.incoming.case_ids:
                done = case_id not in pending
                label = Text("  ✓ " if done else "  • ", "green" if done else "bold yellow")
                label.append_text(literal(case_id))
                label.append(" acknowledged" if done else " not acknowledged yet", "dim" if done else "yellow")
                listing.add_option(Option(label, id=f"in:{case_id}"))
        listing.add_option(Option(Text("── Your brief for the next shift — s writes a summary, ctrl+s sends ──",
                                       "bold"), disabled=True))
        for item in brief.items:
            label = Text("  ", "bold")
            label.append_text(literal(item.case_id, "bold"))
            label.append(" ")
            label.append(f"{item.heat:>3} ")
            label.append_text(literal(item.customer))
            label.append(" · ")
            label.append_text(literal(item.subject))
            label.append("\n      ")
            label.append_text(literal(item.why, "yellow" if item.summary_stale else "dim"))
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
        item = next((i for i in self.brief.items if i.case_id == case_id), None)
        current = item.summary if item else ""

        def save(s, text, force):
            return writing.set_summary(s, case_id, text, base=None if force else current)

        self.app.push_screen(EditorScreen(f"Living summary of {case_id}", case_id=case_id, kind="summary",
                                          text=current or "Wants: \nDone: \nNext: \nWho to call: ", base=current,
                                          save=save),
                             lambda result: result is not None and self.refresh_from_store())

    def action_acknowledge(self) -> None:
        selected = self._selected()
        if not selected or selected[0] != "in" or self.incoming is None:
            self.notify("Pick a case of the incoming brief to acknowledge it.", severity="warning")
            return
        handoff_id, case_id = self.incoming.id, selected[1]
        self.app.write(self, "ack", lambda s: handoff.acknowledge(s, handoff_id, case_id))

    def action_send(self) -> None:
        if self.brief is None:
            return
        if not self.brief.items:
            self.notify("Nothing to hand over.", severity="warning")
            return
        brief = self.brief
        self.app.write(self, "send", lambda s: handoff.send(s, brief))

    def on_wrote(self, message: Wrote) -> None:
        message.stop()
        if message.request == "send":
            self.notify(f"Brief stored ({len(self.brief.items)} cases); the next shift sees it at start-up.")
            if self.app.session.config.handoff_webhook:
                self.post(message.result, self.brief.text)
        self.refresh_from_store()

    def on_write_refused(self, message: WriteRefused) -> None:
        message.stop()
        self.notify(str(message.reason), severity="warning")

    @work(thread=True, group="webhook", exit_on_error=False)
    def post(self, handoff_id: str, text: str) -> None:
        session = self.app.session.reopen()
        try:
            posted = handoff.post(session, handoff_id, text, cancel=self.app.quitting)
        finally:
            session.close()
        if posted is None:
            return
        message = "Brief posted to the team chat." if posted.ok else \
            f"Posting the brief failed ({posted.detail}); it is stored in the history — nothing lost."
        self.app.call_from_thread(self.notify, message, severity="information" if posted.ok else "error")

    def action_back(self) -> None:
        self.close()

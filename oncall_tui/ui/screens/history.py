"""A customer's whole history: every case and channel on one timeline, the opened case set apart."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...core.errors import OncallError
from ...core.timeutil import business_hours, zone
from ...usecases import history, writing
from ...usecases.history import CaseView, Entry
from ..keymap import default_bindings
from ..messages import StoreChanged, Suggested, Wrote
from ..safe import literal
from ..timefmt import ago, local_clock
from ..widgets.key_hints import KeyHints
from ..widgets.timeline import Line, Timeline
from .case_keys import CaseKeys
from .choice import ChoiceScreen
from .closing import SelfClosing
from .editor import EditorScreen

ARROWS = {"in": "←", "out": "→", "internal": "•"}
KIND_LABEL = {"message": "mail", "call": "phone", "chat": "chat", "note": "note", "action": "action",
              "status": "status", "summary": "summary", "handoff": "handoff", "fact": "facts",
              "incident": "incident", "ack": "ack", "assign": "assigned"}
PREVIEW_LINES = 12  # lines of a body shown before "… N more lines (x shows all)"


#: Entries drawn when a case opens; going to the top (g) draws the whole history.
RECENT_ENTRIES = 60


class HistoryScreen(CaseKeys, SelfClosing):
    """The customer behind a case, and everything they ever told us."""

    # Its own rules: parsed when the screen is first opened, not before the queue's first frame.
    DEFAULT_CSS = """
        #history-header { height: auto; padding: 0 1; background: $boost; text-wrap: nowrap; text-overflow: ellipsis; }
        #history-summary, #history-facts { height: auto; max-height: 6; padding: 0 1; }
        #history-suggestion { height: auto; max-height: 3; padding: 0 1; background: $success 20%; }
        #history-scroll { height: 1fr; padding: 0 1; scrollbar-gutter: stable; }  /* one width: wrapped once */
        HistoryScreen.-short #history-summary, HistoryScreen.-short #history-facts,
        HistoryScreen.-short #history-suggestion { max-height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    KEYMAP = "history"
    BINDINGS = default_bindings("history")

    def __init__(self, case_id: str) -> None:
        super().__init__(name="history")
        self.timeline: Timeline | None = None  # what the timeline shows (its text: `timeline.plain`)
        self._seen_changes = 0
        self._set_case(case_id)

    def _set_case(self, case_id: str) -> None:
        view = history.case_view(self.app.session, case_id, newest=RECENT_ENTRIES)  # may fail: nothing changed
        self.case_id, self.view = case_id, view
        self.whole_timeline = False  # only the newest RECENT_ENTRIES until the engineer goes to the top
        self.suggestion = None
        self.pending_close, self.closed_by_itself = None, False

    def reopen(self, case_id: str) -> None:
        """Show *case_id* in this screen, as if new: the app opens every case in one screen, since composing
        and styling a new one is a fifth of the time an opening may take. Drawn before it is shown again."""
        self._set_case(case_id)
        self._seen_changes = self.app.changes
        self._first_frame()

    @property
    def customer_id(self) -> str:
        return self.view.customer.id

    def compose(self) -> ComposeResult:
        yield Static(id="history-header")
        yield Static(id="history-summary")
        yield Static(id="history-facts")
        sug = Static(id="history-suggestion")
        sug.display = False
        yield sug
        with VerticalScroll(id="history-scroll"):
            yield Static(id="history-timeline")
        yield KeyHints()

    def on_mount(self) -> None:
        self._first_frame()

    def _first_frame(self) -> None:
        self.set_class(self.short, "-short")
        self.query_one("#history-suggestion", Static).display = False  # the decoder's, when it has read
        # The first frame draws only the newest entries, enough to fill the screen; the older ones follow
        # right after it, above, out of sight (the view stays at the bottom): laying out sixty entries
        # costs as much as the rest of the screen.
        if not self.show(fill=self.app.size.height):
            self.call_after_refresh(self.show)
        scroll = self.query_one("#history-scroll", VerticalScroll)
        scroll.focus()
        # The newest entry is what matters: stay at the bottom once the timeline is laid out.
        scroll.anchor()
        # The decoder reads the customer's latest messages (up to megabytes): in a thread, but it still
        # shares the interpreter with the first frame, so it starts once that frame is drawn.
        self.call_after_refresh(self.suggest)

    def on_resize(self) -> None:
        # Only crossing the short-terminal line changes what is shown; the timeline wraps itself at any width.
        if self.short != self.has_class("-short"):
            self.set_class(self.short, "-short")
            self.show()

    # -- rendering ------------------------------------------------------------
    def _load(self) -> CaseView:
        # Reading and laying out hundreds of entries takes longer than opening a case may (≤ 50 ms):
        # the newest ones first, the rest a key away.
        return history.case_view(self.app.session, self.case_id,
                                 newest=None if self.whole_timeline else RECENT_ENTRIES)

    def reload(self) -> None:
        try:
            self.view = self._load()
        except OncallError as exc:
            self.notify(str(exc), severity="error")
            return
        self.show()

    def show(self, fill: int | None = None) -> bool:
        """Draw the case; with *fill*, only the newest entries that take that many lines. True: all drawn."""
        view, now = self.view, self.app.now()
        self.query_one("#history-header", Static).update(self._header(now))
        summary = view.case.summary
        box = Text(no_wrap=self.short, overflow="ellipsis")
        if summary:
            box.append("Summary  ", "bold")
            box.append_text(literal(summary, multiline=not self.short))
        else:
            box.append("Summary  none yet — press s to write what the customer wants, what was done, what's next",
                       "dim")
        self.query_one("#history-summary", Static).update(box)
        self.query_one("#history-facts", Static).update(self._facts())
        self.timeline, whole = self._timeline(now, fill)
        self.query_one("#history-timeline", Static).update(self.timeline)
        return whole

    def _header(self, now) -> Text:
        """Two lines (three with an undelivered reply), each cut rather than wrapped: the timeline keeps the room."""
        view = self.view
        customer, case = view.customer, view.case
        who = Text(no_wrap=True, overflow="ellipsis")
        who.append_text(literal(customer.name, "bold"))
        who.append(f"  {customer.id}  ", "dim")
        local = now.astimezone(zone(customer.timezone))
        open_now = business_hours(now, customer.timezone)
        who.append(f"their time {local:%a %H:%M} ")
        who.append("(business hours)" if open_now else "(outside business hours)", "green" if open_now else "yellow")
        who.append(f" · {customer.language.upper()} · {customer.tier} · owner ")
        who.append_text(literal(customer.owner or "—"))
        who.append(f" · {customer.timezone}", "dim")
        what = Text(no_wrap=True, overflow="ellipsis")
        what.append(f"{case.id} ", "bold")
        what.append_text(literal(case.subject))
        what.append(f"  [{case.status}] heat {case.heat} · assignee ")
        what.append_text(literal(case.assignee or "—"))
        if view.others:
            what.append("  ")
            what.append_text(literal(view.others, "bold green"))
        lines = [who, what]
        if view.outbox_notice:
            lines.append(literal(view.outbox_notice, "bold yellow"))
        return Text("\n").join(lines)

    @property
    def short(self) -> bool:
        """A short terminal (80×24): summary and facts take one line each, the timeline the rest."""
        return self.app.size.height < 30

    def _facts(self) -> Text:
        assets, facts = self.view.assets, self.view.customer.facts
        t = Text(no_wrap=self.short, overflow="ellipsis")
        sep = " · " if self.short else "\n"
        servers = [a for a in assets if a.kind == "server"]
        domains = [a for a in assets if a.kind == "domain"]
        databases = [a for a in assets if a.kind == "database"]
        if servers:
            t.append("Servers  ", "bold")
            for i, a in enumerate(servers):
                if i:
                    t.append(" · ")
                t.append_text(literal(a.name, "bold"))
                addresses = ", ".join(x for x in (a.ipv4, a.ipv6) if x)
                t.append_text(literal(f" {a.datacenter or '?'} {addresses}"))
        if domains:
            t.append(sep if servers else "")
            t.append("Domains  ", "bold")
            t.append_text(literal(", ".join(a.name + (f" ({a.server})" if a.server else "") for a in domains)))
        if databases:
            t.append(sep if servers or domains else "")
            t.append("Databases  ", "bold")
            t.append_text(literal(", ".join(a.name for a in databases)))
        if facts:
            t.append(sep if assets else "")
            t.append("Facts  ", "bold")
            t.append_text(literal(facts, multiline=not self.short))
        if not assets and not facts:
            t.append("No known servers, domains or facts yet — press f to write what we know", "dim")
        return t

    def _timeline(self, now, fill: int | None = None) -> tuple[Timeline, bool]:
        tz = self.app.engineer_timezone
        lines: list[Line] = []
        entries = self.view.timeline
        if fill is not None:
            entries = _newest_filling(entries, fill, self.app.size.width)
        whole = len(entries) == len(self.view.timeline)
        if self.view.earlier and whole:
            key = self.app.keymap.display("history.top")
            since = f", since {local_clock(self.view.since, tz)}" if self.view.since else ""
            lines.append(Line(Text("  "), Text(f"… {self.view.earlier} earlier entries{since} — {key} shows them all",
                                               "italic yellow")))
        for ev in entries:
            mine = ev.case_id == self.case_id
            body_style = "" if mine else "dim"
            bar = Text("▌   " if mine else "    ", "cyan" if mine else "dim")
            head = Text(style="bold" if mine else "dim")
            head.append(f"{local_clock(ev.at, tz)} ({ago(ev.at, now)}) ")
            head.append(f"{ARROWS.get(ev.direction, '·')} ")
            head.append_text(literal(ev.author))
            if ev.author_region:
                head.append_text(literal(f" ({ev.author_region})"))
            head.append(f" · {KIND_LABEL.get(ev.kind, ev.kind)}")
            if ev.channel and ev.channel not in ("note",):
                head.append(f" · {ev.channel}")
            if not mine and ev.case_id:
                head.append(f" · {ev.case_id} ")
                head.append_text(literal(ev.subject))
            lines.append(Line(Text("▌ " if mine else "  ", "bold cyan" if mine else "dim"), head,
                              Text("▌ " if mine else "  ", "cyan" if mine else "dim")))
            shown, hidden = _preview(ev)
            for text in shown:
                lines.append(Line(bar, literal(text, body_style), bar))
            if hidden:
                lines.append(Line(bar, Text(f"… {hidden} — x shows it all", "italic yellow"), bar))
            for file in ev.attachments:  # described only: nothing is fetched or opened from here
                lines.append(Line(bar, Text("attachment ", "italic").append_text(literal(file.line, body_style)),
                                  bar))
        if not self.view.timeline:
            lines.append(Line(Text(""), Text("No history yet.", "dim")))
        return Timeline(lines), whole

    # -- what the customer's words suggest (the decoder runs in a worker) ---------------------------------
    @work(thread=True, exclusive=True, group="suggest", exit_on_error=False)
    def suggest(self) -> None:
        # Loaded here, in the worker: the decoder and the actions' checks (DNS, ACME) are a third of what the
        # first case opened in a session would otherwise wait for before its first frame.
        from ...usecases import actions

        session = self.app.session.reopen()  # this thread's own connection
        try:
            found = actions.suggestion(session, self.case_id)
        except OncallError:
            found = None
        finally:
            session.close()
        self.post_message(Suggested(self.case_id, found))

    def on_suggested(self, message: Suggested) -> None:
        if message.case_id != self.case_id:
            return  # read for the case this screen showed before
        self.suggestion = message.suggestion
        box = self.query_one("#history-suggestion", Static)
        box.display = message.suggestion is not None
        if message.suggestion is None:
            return
        found = message.suggestion
        if found.proposal is None:  # not sure, or done already: say so, suggest nothing
            # The text says which ("not sure: …", "already done by …"): the label only says whose line it is.
            box.update(Text.assemble(("Decoder  ", "bold"), literal(found.text(), "dim"), no_wrap=True,
                                     overflow="ellipsis"))
            return
        text = Text("Looks like: ", "bold", no_wrap=True, overflow="ellipsis")
        text.append_text(literal(found.text()))
        if found.action is not None:
            key = self.app.keymap.display("history.suggested")
            off = self.app.session.readonly or self.app.session.config.actions_off
            text.append(f" — press {key}" + (" (actions are disabled here)" if off else ""))
        elif found.by_hand:
            text.no_wrap = False
            text.append("\n")
            text.append_text(literal(found.by_hand, "dim"))
        else:
            text.append(" — no one-key action for this yet", "dim")
        box.update(text)

    # -- changes from elsewhere -------------------------------------------------------------------------
    def on_store_changed(self, message: StoreChanged) -> None:
        self._seen_changes = self.app.changes
        change = message.change
        mine = {e.case_id for e in self.view.timeline if e.case_id} | {self.case_id}
        if change.touches_customer(self.customer_id, mine) or change.presence or self.case_id in change.outbox:
            self.reload()
            if self.case_id in change.cases or change.everything:
                self.suggest()

    def on_screen_resume(self) -> None:
        self.app.set_viewing(self.case_id)
        if self._seen_changes != self.app.changes:
            self._seen_changes = self.app.changes
            self.reload()

    def on_screen_suspend(self) -> None:
        if self not in self.app.screen_stack:  # closed, not covered by a dialog or an editor
            self.app.set_viewing(None)

    def on_unmount(self) -> None:
        self.app.set_viewing(None)

    # -- moving around ------------------------------------------------------------------------------------
    def action_back(self) -> None:
        self.close()

    def action_scroll_down(self) -> None:
        self.query_one("#history-scroll").scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one("#history-scroll").scroll_up(animate=False)

    def action_scroll_home(self) -> None:
        scroll = self.query_one("#history-scroll", VerticalScroll)
        if not self.whole_timeline and self.view.earlier:
            # The top of the history is its first entry: read and draw them all, then go there.
            self.whole_timeline = True
            scroll.release_anchor()
            self.reload()
            self.call_after_refresh(scroll.scroll_home, animate=False)
            return
        scroll.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.query_one("#history-scroll").scroll_end(animate=False)

    def action_explain(self) -> None:
        self.app.explain_case(self.case_id)

    def action_expand(self) -> None:
        """Show whole a body the timeline cut (the case's latest one, or pick among several)."""
        from .body import BodyScreen

        cut = [e for e in self.view.timeline if _preview(e)[1]]
        if not cut:
            self.notify("Nothing is cut short here.", timeout=3)
            return

        def show(entry_id: str | None) -> None:
            entry = next((e for e in cut if e.id == entry_id), None)
            if entry is not None:
                self.app.push_screen(BodyScreen(entry))

        if len(cut) == 1:
            show(cut[0].id)
            return
        tz = self.app.engineer_timezone
        options = [(e.id, f"{local_clock(e.at, tz)} {e.author} · {KIND_LABEL.get(e.kind, e.kind)} · "
                          f"{e.length:,} characters") for e in reversed(cut)]
        self.app.push_screen(ChoiceScreen("Which text, whole?", options), show)

    # -- writing into the history ----------------------------------------------
    def _edit(self, title: str, kind: str, save, *, text: str = "", base: str = "") -> None:
        def saved(result) -> None:
            if result is not None:
                self.reload()
                self.query_one("#history-scroll", VerticalScroll).scroll_end(animate=False)
                if kind in ("note", "reply"):
                    self.app.tell_authorship(self.case_id)
        self.app.push_screen(EditorScreen(title, case_id=self.case_id, kind=kind, save=save, text=text, base=base),
                             saved)

    def _writer(self, kind: str):
        case_id = self.case_id
        return lambda s, text, force: writing.add(s, case_id, kind, text)

    def action_note(self) -> None:
        self._edit(f"Internal note on {self.case_id}", "note", self._writer("note"))

    def action_call(self) -> None:
        self._edit(f"Phone call with {self.view.customer.name} — what was said", "call", self._writer("call"))

    def action_chat(self) -> None:
        self._edit(f"Paste the chat transcript with {self.view.customer.name}", "chat", self._writer("chat"))

    def action_reply(self, draft: str = "") -> None:
        case_id, seen = self.case_id, self.view.last_seq
        lang = {"fr": "French", "en": "English"}.get(self.view.customer.language, self.view.customer.language)
        self._edit(f"Reply to {self.view.customer.name} ({case_id}, in {lang})", "reply",
                   lambda s, text, force: writing.reply(s, case_id, text, seen_seq=seen, force=force), text=draft)

    def action_summary(self) -> None:
        case_id = self.case_id
        current = self.view.case.summary

        def save(s, text, force):
            return writing.set_summary(s, case_id, text, base=None if force else current)
        self._edit(f"Living summary of {case_id}", "summary", save,
                   text=current or "Wants: \nDone: \nNext: \nWho to call: ", base=current)

    def action_facts(self) -> None:
        from .form import Field, FormScreen

        customer_id = self.customer_id
        known = writing.facts(self.app.session, customer_id)

        def save(s, values: dict[str, str]):
            return writing.save_facts(s, customer_id, values["facts"], values["assets"])

        def done(values) -> None:
            if values is not None:
                self.reload()

        self.app.push_screen(FormScreen(f"What we know about {self.view.customer.name}", [
            Field("facts", "Facts: contacts, habits, where things are", multiline=True, initial=known.facts),
            Field("assets", "Servers, domains, databases — one per line: server web-01 datacenter=RBX "
                            "ipv4=… ipv6=… webroot=… · domain example.fr server=web-01 · database shop server=db-01",
                  multiline=True, initial=known.assets),
        ], save=save), done)

    def action_status(self) -> None:
        current = self.view.case.status

        def chosen(status: str | None) -> None:
            if status:
                case_id = self.case_id
                self.app.write(self, "status", lambda s: (writing.set_status(s, case_id, status), status, case_id))

        options = [(s, label) for s, label in writing.STATUS_CHOICES if s != current]
        self.app.push_screen(ChoiceScreen(f"Status of {self.case_id} (now {current})", options), chosen)

    def current_case(self) -> str | None:
        return self.case_id

    def after_write(self) -> None:
        self.reload()

    def on_wrote(self, message: Wrote) -> None:
        if message.request == "status":
            message.stop()
            self.reload()
            _, status, case_id = message.result  # the screen may show another case by now
            self.notify(f"{case_id} is now {status}")
            self.app.tell_authorship(case_id)
        else:
            super().on_wrote(message)

    def action_find(self) -> None:
        self.app.action_search(self.customer_id, self.view.customer.name)

    def action_run_action(self, action_id: str) -> None:
        self.app.start_action(self.case_id, action_id, suggestion=self.suggestion)

    def action_suggested(self) -> None:
        self.app.start_action(self.case_id, suggestion=self.suggestion)

    def action_actions(self) -> None:
        self.app.choose_action(self.case_id)

    def on_key(self, event) -> None:
        """Keys a user gave site runbooks in their keymap."""
        action_id = self.app.keymap.site_actions().get(event.key)
        if action_id:
            event.stop()
            self.action_run_action(action_id)


def _newest_filling(entries: tuple[Entry, ...], rows: int, width: int) -> tuple[Entry, ...]:
    """The newest *entries* that take at least *rows* screen rows at *width* (all when they take fewer).

    A line of n characters takes at most ⌈n / width⌉ rows (fewer than wrapped at the timeline's narrower
    width, and wide characters take more cells): the entries returned fill the rows, if anything more.
    """
    taken, width = 0, max(1, width)
    for count, ev in enumerate(reversed(entries), 1):
        shown, hidden = _preview(ev)
        taken += 1 + sum(-(-len(line) // width) or 1 for line in shown) + bool(hidden) + len(ev.attachments)
        if taken >= rows:
            return entries[-count:]
    return entries


def _preview(ev: Entry) -> tuple[list[str], str]:
    """The lines of a body shown in the timeline, and what is hidden ("38 more lines", "2.1 MB")."""
    body = ev.body
    if ev.kind == "action":
        outcome = ev.meta.get("outcome")
        body += f"  [{outcome}]" if outcome else ""
    lines = body.splitlines() or [""]
    hidden_lines = max(0, len(lines) - PREVIEW_LINES)
    if not hidden_lines and not ev.cut:
        return lines, ""
    shown = lines[:PREVIEW_LINES]
    rest = ev.length - sum(len(line) + 1 for line in shown)
    if ev.cut:
        return shown, f"{rest:,} more characters"
    return shown, f"{hidden_lines} more line{'s' if hidden_lines != 1 else ''}"

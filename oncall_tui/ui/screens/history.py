"""A customer's whole history: every case and channel on one timeline, the opened case set apart."""

from __future__ import annotations

import json

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from ...store import queries, writes
from ...store.db import StoreError
from ..keymap import add_site_action_bindings, default_bindings
from ..widgets.key_hints import KeyHints
from ..safe import literal
from ..timefmt import ago, business_hours, local_clock, zone
from .choice import ChoiceScreen
from .editor import EditorScreen

ARROWS = {"in": "←", "out": "→", "internal": "•"}
KIND_LABEL = {"message": "mail", "call": "phone", "chat": "chat", "note": "note", "action": "action",
              "status": "status", "summary": "summary", "handoff": "handoff", "fact": "facts",
              "incident": "incident", "ack": "ack"}


class HistoryScreen(Screen):
    """The customer behind a case, and everything they ever told us."""

    # Its own rules: parsed when the screen is first opened, not before the queue's first frame.
    DEFAULT_CSS = """
        #history-header {
            height: auto;
            padding: 0 1;
            background: $boost;
        }

        #history-summary, #history-facts, #history-suggestion {
            height: auto;
            max-height: 8;
            padding: 0 1;
        }

        #history-suggestion {
            background: $success 20%;
        }

        #history-scroll {
            height: 1fr;
            padding: 0 1;
        }
    """

    BINDINGS = default_bindings("history")

    def __init__(self, case_id: str) -> None:
        super().__init__(id="history")
        add_site_action_bindings(self, self.app.keymap)
        self.case_id = case_id
        self.case = queries.get_case(self.app.store, case_id)
        self.customer_id = self.case["customer_id"]

    def compose(self) -> ComposeResult:
        yield Static(id="history-header")
        yield Static(id="history-summary")
        yield Static(id="history-facts")
        yield Static(id="history-suggestion")
        with VerticalScroll(id="history-scroll"):
            yield Static(id="history-timeline")
        yield KeyHints()

    def on_mount(self) -> None:
        self.refresh_from_store()
        scroll = self.query_one("#history-scroll", VerticalScroll)
        scroll.focus()
        self.call_after_refresh(scroll.scroll_end, animate=False)

    # -- rendering ------------------------------------------------------------
    def refresh_from_store(self) -> None:
        store = self.app.store
        self.case = queries.get_case(store, self.case_id)
        customer = queries.get_customer(store, self.customer_id)
        now = self.app.now()
        self.query_one("#history-header", Static).update(self._header(customer, now))
        summary = self.case["summary"]
        box = self.query_one("#history-summary", Static)
        box.update(Text.assemble(("Summary  ", "bold"), literal(summary, multiline=True))
                   if summary else Text("Summary  none yet — press s to write what the customer wants, "
                                        "what was done, what's next", "dim"))
        self.query_one("#history-facts", Static).update(self._facts())
        suggestion = self.app.suggestion_for(self.case_id)
        sug = self.query_one("#history-suggestion", Static)
        sug.display = suggestion is not None
        if suggestion is not None:
            sug.update(suggestion)
        self.query_one("#history-timeline", Static).update(self._timeline(now))

    def _header(self, customer, now) -> Text:
        case = self.case
        t = Text()
        t.append_text(literal(customer["name"], "bold"))
        t.append(f"  {customer['id']}  ", "dim")
        t.append(f"{customer['language'].upper()} · {customer['tier']} · owner ")
        t.append_text(literal(customer["owner"] or "—"))
        local = now.astimezone(zone(customer["timezone"]))
        open_now = business_hours(now, customer["timezone"])
        t.append(f" · their time {local:%a %H:%M} ({customer['timezone']}, ")
        t.append("business hours" if open_now else "outside business hours",
                 "green" if open_now else "yellow")
        t.append(")\n")
        t.append(f"{case['id']} ", "bold")
        t.append_text(literal(case["subject"]))
        t.append(f"  [{case['status']}] heat {case['heat']} · assignee ")
        t.append_text(literal(case["assignee"] or "—"))
        others = self.app.presence_for_case(case["id"])
        if others:
            t.append("  ")
            t.append_text(literal(others, "bold green"))
        notice = self.app.outbox_notice(case["id"])
        if notice:
            t.append("\n")
            t.append_text(literal(notice, "bold yellow"))
        return t

    def _facts(self) -> Text:
        assets = queries.customer_assets(self.app.store, self.customer_id)
        t = Text()
        servers = [a for a in assets if a["kind"] == "server"]
        domains = [a for a in assets if a["kind"] == "domain"]
        databases = [a for a in assets if a["kind"] == "database"]
        if servers:
            t.append("Servers  ", "bold")
            for i, a in enumerate(servers):
                if i:
                    t.append(" · ")
                t.append_text(literal(a["name"], "bold"))
                addresses = ", ".join(x for x in (a["ipv4"], a["ipv6"]) if x)
                t.append_text(literal(f" {a['datacenter'] or '?'} {addresses}"))
        if domains:
            t.append("\nDomains  ", "bold")
            t.append_text(literal(", ".join(
                a["name"] + (f" ({a['server']})" if a["server"] else "") for a in domains)))
        if databases:
            t.append("\nDatabases  ", "bold")
            t.append_text(literal(", ".join(a["name"] for a in databases)))
        facts = queries.get_customer(self.app.store, self.customer_id)["facts"]
        if facts:
            t.append("\nFacts  ", "bold")
            t.append_text(literal(facts, multiline=True))
        if not assets and not facts:
            t.append("No known servers, domains or facts yet — press f to write what we know", "dim")
        return t

    def _timeline(self, now) -> Text:
        events = queries.customer_history(self.app.store, self.customer_id)
        tz = self.app.engineer_timezone
        t = Text()
        for ev in events:
            mine = ev["case_id"] == self.case_id
            body_style = "" if mine else "dim"
            t.append("▌ " if mine else "  ", "bold cyan" if mine else "dim")
            head = Text(style="bold" if mine else "dim")
            head.append(f"{local_clock(ev['at'], tz)} ({ago(ev['at'], now)}) ")
            head.append(f"{ARROWS.get(ev['direction'], '·')} ")
            head.append_text(literal(ev["author"]))
            if ev["author_region"]:
                head.append(f" ({ev['author_region']})")
            head.append(f" · {KIND_LABEL.get(ev['kind'], ev['kind'])}")
            if ev["channel"] and ev["channel"] not in ("note",):
                head.append(f" · {ev['channel']}")
            if not mine and ev["case_id"]:
                head.append(f" · {ev['case_id']} ")
                head.append_text(literal(ev["subject"] or ""))
            t.append_text(head)
            t.append("\n")
            body = ev["body"]
            if ev["kind"] == "action":
                body = _action_body(ev)
            for line in (body or "").splitlines() or [""]:
                t.append("▌   " if mine else "    ", "cyan" if mine else "dim")
                t.append_text(literal(line, body_style))
                t.append("\n")
        if not events:
            t.append("No history yet.", "dim")
        return t

    # -- actions ----------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_scroll_down(self) -> None:
        self.query_one("#history-scroll").scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.query_one("#history-scroll").scroll_up(animate=False)

    def action_scroll_home(self) -> None:
        self.query_one("#history-scroll").scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.query_one("#history-scroll").scroll_end(animate=False)

    def action_explain(self) -> None:
        self.app.explain_case(self.case_id)

    # -- writing into the history ----------------------------------------------
    def _edit(self, title: str, save, text: str = "") -> None:
        def saved(result: str | None) -> None:
            if result is not None:
                self.refresh_from_store()
                self.query_one("#history-scroll").scroll_end(animate=False)
        self.app.push_screen(EditorScreen(title, text=text, save=save, on_typing=self.app.set_writing), saved)

    def _event_writer(self, kind: str, direction: str | None = None):
        app = self.app

        def save(text: str) -> None:
            writes.add_case_event(app.store, self.case_id, kind=kind, body=text, author=app.user,
                                  now=app.now(), region=app.region, direction=direction,
                                  outbox_source=app.outbox_source_for(self.case_id) if kind == "message" else None)
        return save

    def action_note(self) -> None:
        self._edit(f"Internal note on {self.case_id}", self._event_writer("note"))

    def action_call(self) -> None:
        self._edit(f"Phone call with {self._customer_name()} — what was said", self._event_writer("call", "in"))

    def action_chat(self) -> None:
        self._edit(f"Paste the chat transcript with {self._customer_name()}", self._event_writer("chat", "in"))

    def action_reply(self, draft: str = "") -> None:
        self._edit(f"Reply to {self._customer_name()} ({self.case_id})", self._event_writer("message", "out"),
                   text=draft)

    def action_summary(self) -> None:
        app = self.app
        template = self.case["summary"] or "Wants: \nDone: \nNext: \nWho to call: "

        def save(text: str) -> None:
            writes.set_summary(app.store, self.case_id, text, author=app.user, now=app.now(), region=app.region)
        self._edit(f"Living summary of {self.case_id}", save, text=template)

    def action_facts(self) -> None:
        from ...core.assets_text import format_assets, parse_assets
        from .form import Field, FormScreen

        app = self.app
        current = queries.get_customer(app.store, self.customer_id)["facts"]
        assets = format_assets(queries.customer_assets(app.store, self.customer_id))

        def save(values: dict[str, str]) -> None:
            # Both parts are checked before anything is written, then saved in one transaction.
            parsed = parse_assets(values["assets"])
            writes.update_customer(app.store, self.customer_id, facts=values["facts"], assets=parsed,
                                   author=app.user, now=app.now(), region=app.region)

        def done(values) -> None:
            if values is not None:
                self.refresh_from_store()

        app.push_screen(FormScreen(f"What we know about {self._customer_name()}", [
            Field("facts", "Facts: contacts, habits, where things are", multiline=True, initial=current),
            Field("assets", "Servers, domains, databases — one per line: server web-01 datacenter=RBX "
                            "ipv4=… ipv6=… webroot=… · domain example.fr server=web-01 · database shop server=db-01",
                  multiline=True, initial=assets),
        ], save=save), done)

    def action_status(self) -> None:
        app = self.app

        def chosen(status: str | None) -> None:
            if not status:
                return
            try:
                writes.set_status(app.store, self.case_id, status, author=app.user, now=app.now(),
                                  region=app.region, outbox_source=app.outbox_source_for(self.case_id))
            except StoreError as exc:
                self.notify(str(exc), severity="error")
                return
            self.refresh_from_store()
            self.notify(f"{self.case_id} is now {status}")
        options = [(s, label) for s, label in (
            ("open", "open — we are on it"), ("pending", "pending — waiting on the customer"),
            ("resolved", "resolved — done, the customer can reopen"), ("closed", "closed"))
            if s != self.case["status"]]
        app.push_screen(ChoiceScreen(f"Status of {self.case_id} (now {self.case['status']})", options), chosen)

    def action_find(self) -> None:
        self.app.action_search(self.customer_id, self._customer_name())

    def action_run_action(self, action_id: str) -> None:
        case_id = self.case_id
        if case_id:
            self.app.start_action(case_id, action_id)

    def action_suggested(self) -> None:
        self.app.start_action(self.case_id)

    def action_actions(self) -> None:
        self.app.choose_action(self.case_id)

    def _customer_name(self) -> str:
        return queries.get_customer(self.app.store, self.customer_id)["name"]

    def on_screen_resume(self) -> None:
        self.app.set_viewing(self.case_id)

    def on_unmount(self) -> None:
        self.app.set_viewing(None)


def _action_body(ev) -> str:
    try:
        meta = json.loads(ev["meta"] or "{}")
    except ValueError:
        meta = {}
    outcome = meta.get("outcome")
    return ev["body"] + (f"  [{outcome}]" if outcome else "")

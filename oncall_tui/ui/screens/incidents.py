"""Incidents: declare one, tell every affected customer early and often, resolve it."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...core.errors import Refused
from ...core.incident_text import parse_scope
from ...core.timeutil import parse_ts
from ...core.visible import visible
from ...usecases import incidents
from ...usecases.incidents import STATUSES
from ..keymap import default_bindings
from ..messages import StoreChanged, WriteRefused, Wrote
from ..safe import literal
from ..timefmt import ago, local_clock
from ..widgets.key_hints import KeyHints
from .choice import ChoiceScreen
from .closing import SelfClosing
from .form import Field, FormScreen


class IncidentsScreen(SelfClosing):
    """Open incidents; `n` declares a new one."""

    KEYMAP = "incidents"
    BINDINGS = default_bindings("incidents")

    def __init__(self) -> None:
        super().__init__(name="incidents")

    def compose(self) -> ComposeResult:
        yield Static(Text(" Incidents — enter opens, n declares a new one", "bold"), id="incidents-title")
        yield OptionList(id="incidents-list")
        yield KeyHints()

    def on_mount(self) -> None:
        self.refresh_from_store()
        self.query_one(OptionList).focus()

    def on_store_changed(self, message: StoreChanged) -> None:
        if message.change.incidents or message.change.everything:
            self.refresh_from_store()

    def on_screen_resume(self) -> None:
        self.refresh_from_store()

    def refresh_from_store(self) -> None:
        listing = self.query_one(OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        rows = incidents.listing(self.app.session, include_resolved=True)
        for inc in rows:
            label = Text(f"{inc.id}  ", "bold")
            label.append_text(literal(inc.title))
            label.append(f"  · {inc.status} · {inc.customers} customers · {inc.cases} cases",
                         "dim" if inc.status == "resolved" else "")
            listing.add_option(Option(label, id=inc.id))
        if not rows:
            listing.add_option(Option(Text("No incidents. Press n to declare one.", "dim"), disabled=True))
        else:
            listing.highlighted = highlighted if highlighted is not None and highlighted < len(rows) else 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.push_screen(IncidentScreen(event.option.id))

    def action_declare(self) -> None:
        app = self.app

        def save(s, values: dict[str, str]):
            if not values["title"].strip():
                raise Refused("title: say what is happening (e.g. Power outage in SBG)", field="title")
            return incidents.declare(s, title=values["title"].strip(), title_fr=values["title_fr"].strip(),
                                     scope=parse_scope(values["scope"]))

        def done(values) -> None:
            if values is not None:
                inc = form.result
                self.notify(f"{inc.id}: {inc.customers} customers linked, {len(inc.opened_cases)} cases opened")
                self.refresh_from_store()
                app.push_screen(IncidentScreen(inc.id))

        form = FormScreen("Declare an incident", [
            Field("title", "Title (English)", placeholder="Power outage in SBG"),
            Field("title_fr", "Titre (français, optionnel)", placeholder="Coupure électrique à SBG"),
            Field("scope", "Scope", placeholder="datacenter=SBG  or  server=web-01,web-02  or  customer=c-42"),
        ], save=save)
        app.push_screen(form, done)

    def action_back(self) -> None:
        self.close()


class IncidentScreen(SelfClosing):
    """One incident: who is hit, whether they have been told, and its own timeline."""

    # Its own rules: parsed when the screen is first opened, not before the queue's first frame.
    DEFAULT_CSS = """
        #incident-header {
            height: auto;
            padding: 0 1;
            background: $boost;
        }

        #incident-body {
            padding: 0 1;
        }
    """

    KEYMAP = "incident"
    BINDINGS = default_bindings("incident")

    def __init__(self, incident_id: str) -> None:
        super().__init__(name="incident")
        self.incident_id = incident_id

    def compose(self) -> ComposeResult:
        yield Static(id="incident-header")
        with VerticalScroll(id="incident-body"):
            yield Static(id="incident-affected")
            yield Static(id="incident-timeline")
        yield KeyHints()

    def on_mount(self) -> None:
        self.refresh_from_store()
        self.query_one("#incident-body").focus()

    def on_store_changed(self, message: StoreChanged) -> None:
        if self.incident_id in message.change.incidents or message.change.everything:
            self.refresh_from_store()

    def refresh_from_store(self) -> None:
        detail = incidents.detail(self.app.session, self.incident_id)
        inc = detail.incident
        now = self.app.now()
        banner = next((b for b in incidents.banners(self.app.session, now) if b.incident_id == inc.id), None)
        head = Text(f" {inc.id} ", "bold reverse")
        head.append(" ")
        head.append_text(literal(inc.title, "bold"))
        opened = parse_ts(inc.opened_at)
        head.append(f"\n status {inc.status} · opened {local_clock(opened, self.app.engineer_timezone)} "
                    f"({ago(opened, now)}) by ")
        head.append_text(literal(inc.opened_by))
        head.append(" · scope ")
        head.append_text(literal(", ".join(f"{k}={'/'.join(v)}" for k, v in inc.scope.items())))
        if banner is not None:
            head.append(" · ")
            head.append(banner.last_update, "bold red" if banner.overdue else "green")
        self.query_one("#incident-header", Static).update(head)
        table = Table(expand=True, box=None, header_style="bold", title=f"{len(detail.affected)} affected customers",
                      title_justify="left")
        for col in ("customer", "tier", "lang", "cases", "told latest update"):
            table.add_column(col)
        for a in detail.affected:
            table.add_row(literal(a.name), a.tier, a.language, ", ".join(a.cases),
                          Text("yes", "green") if a.told else Text("not yet", "bold yellow"))
        self.query_one("#incident-affected", Static).update(table)
        timeline = Text("\nTimeline\n", "bold")
        for ev in detail.timeline:
            timeline.append(f"{local_clock(parse_ts(ev['at']), self.app.engineer_timezone)} ", "dim")
            timeline.append_text(literal(ev["author"]))
            timeline.append(f" · {ev['kind']}\n", "dim")
            for line in (ev["body"] or "").splitlines():
                timeline.append("    ")
                timeline.append_text(literal(line))
                timeline.append("\n")
        self.query_one("#incident-timeline", Static).update(timeline)

    def action_broadcast(self) -> None:
        app = self.app
        inc = incidents.detail(app.session, self.incident_id).incident
        incident_id = self.incident_id

        def save(s, values: dict[str, str]):
            status = values["status"].strip() or inc.status
            if status not in STATUSES:
                raise Refused(f"status: {status!r} is not one of {', '.join(STATUSES)} (resolve with R)",
                              field="status")
            # An empty text is drafted from the template, as the form says.
            return incidents.update(s, incident_id, fr=values["fr"], en=values["en"],
                                    status=status if status != inc.status else None)

        def done(values) -> None:
            if values is not None:
                r = form.result
                self.notify("already sent — nothing sent again" if r.already_sent and not r.written
                            else f"update sent to {len(r.written)} cases")
                self.refresh_from_store()

        form = FormScreen(f"Update to every affected customer — {self.incident_id}", [
            Field("status", "Status (investigating / identified / monitoring)", initial=inc.status),
            Field("fr", "Français (laissez vide : brouillon depuis le modèle)", multiline=True),
            Field("en", "English (leave empty: drafted from the template)", multiline=True),
        ], save=save)
        app.push_screen(form, done)

    def action_resolve(self) -> None:
        app = self.app
        fr, en = incidents.drafts(app.session, self.incident_id, "resolved")
        incident_id = self.incident_id

        def save(s, values: dict[str, str]):
            return incidents.resolve(s, incident_id, fr=values["fr"], en=values["en"], notes=values["notes"])

        def done(values) -> None:
            if values is not None:
                self.notify(f"{self.incident_id} resolved; linked cases lose the incident heat floor")
                self.refresh_from_store()

        app.push_screen(FormScreen(f"Resolve {self.incident_id}", [
            Field("fr", "Dernier message (français)", multiline=True, initial=fr),
            Field("en", "Closing update (English)", multiline=True, initial=en),
            Field("notes", "Post-incident notes: cause, what changes (internal)", multiline=True),
        ], save=save), done)

    def action_unlink(self) -> None:
        """Take a case off the incident (it was about something else): it loses the heat floor and updates."""
        incident_id = self.incident_id
        detail = incidents.detail(self.app.session, incident_id)
        options = [(case_id, f"{case_id} · {visible(a.name)}") for a in detail.affected for case_id in a.cases]
        if not options:
            self.notify("No case is linked to this incident.", severity="warning")
            return

        def chosen(case_id: str | None) -> None:
            if case_id:
                self.app.write(self, "unlink", lambda s: incidents.unlink(s, incident_id, case_id))
                self.notify(f"{case_id} unlinked from {incident_id}: it gets no more updates", timeout=4)
        self.app.push_screen(ChoiceScreen(f"Unlink a case from {incident_id}", options), chosen)

    def action_status(self) -> None:
        incident_id = self.incident_id

        def chosen(status: str | None) -> None:
            if status:
                self.app.write(self, "status", lambda s: incidents.set_status(s, incident_id, status))
        self.app.push_screen(ChoiceScreen("Incident status", [(s, s) for s in STATUSES]), chosen)

    def on_wrote(self, message: Wrote) -> None:
        message.stop()
        self.refresh_from_store()

    def on_write_refused(self, message: WriteRefused) -> None:
        message.stop()
        self.notify(f"Not saved: {message.reason}", severity="error", timeout=8)

    def action_back(self) -> None:
        self.close()

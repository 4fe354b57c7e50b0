"""The Textual application: screens, the shared store, and keeping everything live."""

from __future__ import annotations

import gc
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from rich.text import Text
from textual.app import App

from ..config import Config
from ..store import presence, queries
from ..store.db import Store, StoreError
from .case_actions import CaseActions
from .keymap import Keymap, default_bindings, load_keymap
from .safe import literal
from .screens.queue import QueueScreen
from .timefmt import business_hours

if TYPE_CHECKING:
    from ..core.heat import Heat


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class OncallApp(CaseActions, App):
    """oncall: the queue, the customer history, and one-key actions."""

    CSS_PATH = "oncall.tcss"
    TITLE = "oncall"
    BINDINGS = default_bindings("app")
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, store_path: str | Path, *, config: Config | None = None,
                 keymap: Keymap | None = None, user: str = "oncall",
                 clock: Callable[[], datetime] = utc_now, demo: bool = False) -> None:
        # Collecting the objects start-up creates only delays the first frame; the
        # collector comes back once it is drawn (`oncall` turns it off even earlier).
        gc.disable()
        super().__init__()
        self.store_path = str(store_path)
        self.config = config or Config()
        self.keymap = keymap or load_keymap(None)
        self.user = user
        self.clock = clock
        self.demo = demo
        self.store = Store.open(self.store_path)
        self._data_version = self.store.data_version()
        self._closed = False  # set on exit: late timers must not touch the closed store
        self._actions: dict | None = None
        self._sources: list | None = None
        self._sync_stop = None
        self._heat_process = None  # HeatProcess, started by the first heat tick
        self._ticking = False
        self._viewing: str | None = None
        self._writing = False
        me = queries.engineers(self.store).get(user)
        self.region = self.config.region or (me["region"] if me else "")
        self.city = self.config.city or (me["city"] if me else "")
        if not self.config.timezone or self.config.timezone == "UTC":
            self.config.timezone = me["timezone"] if me else (self.config.timezone or "UTC")

    # -- time and identity -----------------------------------------------------
    def now(self) -> datetime:
        return self.clock()

    @property
    def engineer_timezone(self) -> str:
        return self.config.timezone or "UTC"

    # -- lifecycle -------------------------------------------------------------
    def get_default_screen(self) -> QueueScreen:
        # The queue is the base screen: pushing it over Textual's blank default
        # screen would compose and lay out a screen nobody sees before the first frame.
        return QueueScreen()

    def on_mount(self) -> None:
        if self.keymap.overrides:
            self.set_keymap(self.keymap.overrides)
        if self.store.is_empty():
            from .screens.dialogs import WelcomeScreen

            self.push_screen(WelcomeScreen(self.store_path))
        self.set_timer(0.3, self.announce_handoff)
        for problem in self.keymap.problems:
            self.notify(problem, title="Key clash", severity="error", timeout=15)
        self.set_interval(self.config.refresh_seconds, self.check_for_changes)
        self.set_interval(self.config.tick_seconds, self.heat_tick)
        self.set_interval(presence.STALE_SECONDS / 3, self.heartbeat)
        self.heartbeat()
        self.start_sync()
        # Everything loaded so far lives for the whole session: keep the GC off it.
        self.call_after_refresh(self._settle_gc)

    @staticmethod
    def _settle_gc() -> None:
        # What start-up loaded lives all session: out of the collector's reach first.
        gc.freeze()
        gc.enable()

    async def on_unmount(self) -> None:
        self._closed = True
        if self._sync_stop is not None:
            self._sync_stop.set()
        if self._heat_process is not None:
            await self._heat_process.stop()
        gc.enable()  # in case the app ends before its first frame (the collector is off until then)
        try:
            presence.leave(self.store, self.user)
        except StoreError:
            pass
        self.store.close()

    def check_for_changes(self) -> None:
        """Cheap poll: has any other process committed? Then refresh what is on screen."""
        if self._closed:
            return
        version = self.store.data_version()
        if version != self._data_version:
            self._data_version = version
            self.refresh_screens()

    def refresh_screens(self) -> None:
        for screen in self.screen_stack:
            refresh = getattr(screen, "refresh_from_store", None)
            if refresh is not None:
                refresh()

    def heat_tick(self) -> None:
        """Rescore every open case as time passes, in the heat process (one tick at a time)."""
        if self._ticking or self._closed:
            return
        self._ticking = True
        self.run_worker(self._heat_tick(), group="heat")

    async def _heat_tick(self) -> None:
        from ..store.heat_process import HeatProcess, HeatProcessError

        if self._heat_process is None:
            self._heat_process = HeatProcess(self.store_path)
        try:
            await self._heat_process.tick(self.now(), self.config.weights)
        except HeatProcessError as exc:
            if not self._closed:
                self.notify(str(exc), title="Heat", severity="error", timeout=15)
            return
        finally:
            self._ticking = False
        if not self._closed:
            # The tick committed from another connection: take that news now, so the
            # change poll does not redraw everything a second time.
            version = self.store.data_version()
            self.refresh_screens()
            self._data_version = version

    # -- questions screens ask ---------------------------------------------------
    def case_heat(self, case_id: str) -> "Heat":
        # The heat model is imported on first use, after the first frame.
        from ..store.derived import INCIDENT_OPEN_SQL, score_row

        row = self.store.query_one(
            f"SELECT c.stats, c.status, c.opened_at, cu.tier, {INCIDENT_OPEN_SQL} AS inc FROM cases c "
            "JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?", (case_id,))
        return score_row(row[0], row[1], row[2], row[3], bool(row[4]), self.now(), self.config.weights)

    def presence_by_case(self) -> dict[str, str]:
        return presence.by_case(self.store, self.user, now=self.now())

    def presence_for_case(self, case_id: str) -> str:
        return presence.describe_case(self.store, self.user, case_id, now=self.now())

    # -- my own presence ---------------------------------------------------------
    def set_viewing(self, case_id: str | None) -> None:
        self._viewing = case_id
        self._writing = False
        self.heartbeat()

    def set_writing(self, writing: bool) -> None:
        self._writing = writing
        self.heartbeat()

    def heartbeat(self) -> None:
        if self._closed:
            return
        try:
            presence.beat(self.store, self.user, now=self.now(), case_id=self._viewing,
                          state="writing" if self._writing else "viewing", region=self.region, city=self.city)
        except StoreError:
            pass  # presence is best effort; the next beat will try again

    # -- helpdesk sync ----------------------------------------------------------------
    @property
    def sources(self) -> list:
        if self._sources is None:
            from ..connectors.base import SourceConfigError, load_sources

            try:
                self._sources = load_sources(self.config) if self.config.sources else []
            except (SourceConfigError, ValueError) as exc:
                self.notify(f"Helpdesk sync is off: {exc}", severity="error", timeout=30)
                self._sources = []
        return self._sources

    def outbox_source_for(self, case_id: str) -> str | None:
        """The helpdesk a reply on this case must reach, if the case came from one."""
        if not self.sources:
            return None
        from ..connectors.sync import outbox_source_for

        return outbox_source_for(self.store, case_id, self.sources)

    def outbox_notice(self, case_id: str) -> str | None:
        """"1 reply not yet delivered to RT (cannot connect, retrying in 40 s)"."""
        from ..store.outbox import case_notice

        return case_notice(self.store, case_id, self.now())

    def start_sync(self) -> None:
        if self.config.sources and self.sources:
            self.run_worker(self._sync_loop, thread=True, exclusive=True, group="sync")

    def _sync_loop(self) -> None:
        import asyncio
        import threading

        from ..connectors.sync import run_forever

        self._sync_stop = threading.Event()

        def progress(name: str, done: int, total: int) -> None:
            self.call_from_thread(self._show_sync_progress, name, done, total)

        def error(name: str, message: str) -> None:
            self.call_from_thread(self.notify, f"{name}: {message}", title="Sync", severity="warning", timeout=10)

        # Its own event loop and store connection: a long first sync never blocks the screen.
        asyncio.run(run_forever(self.store_path, self.config, stop_event=self._sync_stop, on_progress=progress,
                                on_error=error, clock=self.now))

    def _show_sync_progress(self, name: str, done: int, total: int) -> None:
        screen = self.screen
        show = getattr(screen, "show_sync_progress", None)
        if show is not None:
            show(name, done, total)

    def incident_banner(self) -> Text | None:
        # Most of the time there is no incident: answer that without loading the incident code.
        if self.store.query_one("SELECT 1 FROM incidents WHERE status != 'resolved' LIMIT 1") is None:
            return None
        from ..store.incident_queries import open_banner

        banners = open_banner(self.store, self.now(), self.config.incident_update_minutes)
        if not banners:
            return None
        text = Text()
        for i, b in enumerate(banners):
            if i:
                text.append("\n")
            text.append(" INCIDENT ", "bold reverse red")
            text.append(" ")
            text.append_text(literal(f"{b.incident_id} {b.title} · {b.status} · open {b.elapsed} · "
                                     f"{b.customers} customers · "))
            text.append(b.last_update + (" — update overdue" if b.overdue else ""),
                        "bold red" if b.overdue else "green")
        return text

    def action_handoff(self) -> None:
        from .screens.handoff import HandoffScreen

        self.push_screen(HandoffScreen())

    def action_search(self, customer_id: str | None = None, customer_name: str = "") -> None:
        from .screens.search import SearchScreen

        self.push_screen(SearchScreen(customer_id=customer_id, customer_name=customer_name))

    def announce_handoff(self) -> None:
        """At start-up: "Handoff from alice, Paris, 2 h ago — 7 cases"."""
        from datetime import timedelta

        from ..store.handoffs import latest_for, pending_acks

        if self._closed:
            return
        incoming = latest_for(self.store, self.now(), self.user, within=timedelta(hours=24))
        if incoming is not None and pending_acks(self.store, incoming.id, self.user):
            key = self.keymap.display("app.handoff")
            self.notify(f"{incoming.line()} — press {key} to read and acknowledge", title="Handoff",
                        timeout=20)

    def action_incidents(self) -> None:
        from .screens.incidents import IncidentsScreen

        self.push_screen(IncidentsScreen())

    @property
    def engineer_zone(self):
        from .timefmt import zone

        return zone(self.engineer_timezone)

    def customers_in_business_hours(self) -> list[str]:
        now = self.now()
        return [r["id"] for r in self.store.query("SELECT id, timezone FROM customers")
                if business_hours(now, r["timezone"])]

    # -- navigation ----------------------------------------------------------------
    # Screens beyond the queue are imported when first opened: the first frame does not wait for them.
    def open_case(self, case_id: str) -> None:
        from .screens.history import HistoryScreen

        self.push_screen(HistoryScreen(case_id))

    def explain_case(self, case_id: str) -> None:
        from .screens.dialogs import ExplainScreen

        case = queries.get_case(self.store, case_id)
        self.push_screen(ExplainScreen(case_id, case["subject"], self.case_heat(case_id)))

    def action_help(self) -> None:
        from .screens.dialogs import HelpScreen

        rows = []
        seen = set()
        for _key, binding in [*self.screen._bindings, *self._bindings]:
            if binding.id in seen or binding.id is None:
                continue
            seen.add(binding.id)
            rows.append((self.keymap.keys_for(binding.id).replace(",", " "), binding.description, binding.id))
        self.push_screen(HelpScreen(rows, self.keymap.problems))

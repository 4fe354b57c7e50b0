"""The Textual application: the session, its screens, and keeping everything live without waiting.

The screen never waits on the store's lock, the disk or the network: writes
go to a worker on a connection of their own (`write`), the outcome comes back
as a typed Message; other engineers' writes are noticed by a cheap poll — or at
once when the store hears of them (PostgreSQL's LISTEN/NOTIFY) — and reach the
screen on top as `StoreChanged` (screens below catch up when they come back);
the heat tick runs in a child process; helpdesk sync in a thread. A store
server that goes away is said once ("store unreachable, reconnecting"); writes
asked meanwhile wait, in order, and are saved once it is back.
"""

from __future__ import annotations

import asyncio
import gc
import io
import queue
import signal
import sys
import threading
import time
from typing import Any, Callable

from rich.console import Console
from textual import events, work
from textual.app import App
from textual.await_complete import AwaitComplete
from textual.command import CommandPalette
from textual.message import Message
from textual.message_pump import MessagePump

from ..core.errors import OncallError, StoreError, StoreUnreachable
from ..core.visible import visible
from ..usecases import crash, presence
from ..usecases.changes import ChangeFeed
from ..usecases.session import Session
from .commands import KeyCommands, Palette
from .keymap import Keymap, default_bindings, load_keymap
from .messages import (
    ChangesSeen,
    StoreChanged,
    StoreNews,
    StoreWritten,
    SyncProgress,
    WriteRefused,
    Wrote,
)
from .screens.queue import QueueScreen


class OncallApp(App):
    """oncall: the queue, the customer history, and one-key actions."""

    CSS_PATH = "oncall.tcss"
    TITLE = "oncall"
    BINDINGS = default_bindings("app")
    # The palette offers the keymap's own actions only (ui/commands.py): no screenshots, no themes.
    COMMANDS = {KeyCommands}

    def __init__(self, session: Session, *, keymap: Keymap | None = None, demo: bool = False) -> None:
        # Collecting the objects start-up creates only delays the first frame; the
        # collector comes back once it is drawn (`oncall` turns it off even earlier).
        gc.disable()
        super().__init__()
        self.session = session  # reads, on the event loop (WAL: readers never wait for writers)
        self.keymap = keymap or load_keymap(None)
        self.demo = demo
        self.crash_report = None  # where the crash report went, if the app crashed
        # Tracebacks with local variables (Textual's default) could show a token: the report has none.
        self.error_console = Console(file=io.StringIO(), markup=False, highlight=False)
        self.changes = 0  # how many store changes were seen: screens below the top compare on resume
        self._writer: Session | None = None
        self._write_lock = threading.Lock()
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._writer_started = False
        self._writer_done = threading.Event()
        self._writer_closed = False
        self._feed: ChangeFeed | None = None
        self.unreachable = False  # the store's server went away; reconnecting (said once, until it is back)
        self._looking = False  # a worker is looking for other engineers' writes
        self._look_again = False  # someone asked meanwhile: look once more when it comes back
        self._heat = None  # HeatProcess, started by the first heat tick
        self._ticking = False
        self._sync_stop: threading.Event | None = None
        self.closing = False
        self.quitting = threading.Event()  # set on the way out: network calls in flight give up
        self._viewing: str | None = None
        self._history = None  # the case screen, composed once and reused for every case (see `open_case`)
        self._writing: str | None = None
        self._told_undelivered = False  # the quit warning is said once, then quitting leaves
        self._told_running = False  # likewise for an action still running
        self._told_authorship = False

    # -- who, when -------------------------------------------------------------------
    @property
    def user(self) -> str:
        return self.session.user

    def now(self):
        return self.session.now()

    @property
    def engineer_timezone(self) -> str:
        return self.session.timezone

    # -- lifecycle ----------------------------------------------------------------------
    def get_default_screen(self) -> QueueScreen:
        # The queue is the base screen: pushing it over Textual's blank default
        # screen would compose and lay out a screen nobody sees before the first frame.
        return QueueScreen()

    def on_mount(self) -> None:
        # The writer runs from the start: a first write asked while quitting (a draft kept at ctrl+q)
        # would start a worker on a closing app that never runs, and the text would be lost.
        self._writer_started = True
        self._writer_loop()
        if self.keymap.overrides:
            self.set_keymap(self.keymap.overrides)
        for problem in self.keymap.problems:
            self.notify(problem, title="Key clash", severity="error", timeout=15)
        if self.session.store.is_empty():
            from .screens.dialogs import WelcomeScreen

            self.push_screen(WelcomeScreen(self.session.store.path))
        if self.session.readonly:
            self.notify(f"Read-only: {self.session.readonly_reason}. You can look; nothing you do is saved.",
                        title="Read-only", severity="warning", timeout=10)
        for warning in self.session.store.warnings:
            self.notify(warning, title="Store", severity="warning", timeout=20)
        self._feed = ChangeFeed(self.session)
        # From the store's listening thread: posting a message is safe from any thread, and news coalesces.
        self._feed.listen(self._heard)
        self.set_interval(self.session.config.refresh_seconds, self.check_for_changes)
        self.set_interval(self.session.config.tick_seconds, self.heat_tick)
        self.set_interval(presence.STALE_SECONDS / 3, self.heartbeat)
        self.heartbeat()
        self.set_timer(0.3, self.announce_handoff)
        self.start_sync()
        # SIGHUP (the SSH session closed) and SIGTERM end the app as quitting does: what it started stops.
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self.end_on_signal, sig)
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread (tests)
                pass
        self.call_after_refresh(self._settle_gc)

    def end_on_signal(self, sig: int) -> None:
        """SIGHUP or SIGTERM: quit as `q` does (what the app started stops), exit status 128 + signal."""
        if sig == signal.SIGHUP:
            from .terminal import terminal_gone

            terminal_gone()
        self.keep_what_is_typed()
        self.exit(None, 128 + sig)

    def keep_what_is_typed(self) -> None:
        """Keep every open editor's text as a draft now (quitting: the draft timer would not fire)."""
        from .screens.editor import EditorScreen

        for screen in self.screen_stack:
            if isinstance(screen, EditorScreen):
                screen.keep_draft()

    def get_driver_class(self):
        """Textual's own driver; on Linux, one that survives the terminal hanging up (ui/terminal.py)."""
        driver = super().get_driver_class()
        if driver.__module__ == "textual.drivers.linux_driver" and driver.__name__ == "LinuxDriver":
            from .terminal import SessionDriver

            return SessionDriver
        return driver

    @staticmethod
    def _settle_gc() -> None:
        # What start-up loaded lives all session: out of the collector's reach first.
        gc.freeze()
        gc.enable()

    def push_screen(self, screen, *args, **kwargs):
        # Quitting: a screen a worker or a timer asks for now would mount on a closing app, half built.
        if self.return_code is not None or self.closing:
            return AwaitComplete.nothing()
        return super().push_screen(screen, *args, **kwargs)

    def pop_screen(self):
        # Quitting: a dialog that dismisses itself late (the command palette running `quit`) would pop
        # a stack that is already empty (ScreenStackError, found by the monkey, seed 1246631707).
        if self.return_code is not None or self.closing or len(self.screen_stack) <= 1:
            return AwaitComplete.nothing()
        return super().pop_screen()

    async def on_event(self, event: events.Event) -> None:
        # Once quitting, keys typed ahead (q then A, fast, over SSH) must not open screens on a closing app.
        if isinstance(event, (events.Key, events.Paste)) and self.return_code is not None:
            return
        await super().on_event(event)

    async def on_unmount(self) -> None:
        self.closing = True
        self.quitting.set()
        if self._feed is not None:
            self._feed.stop_listening(self._heard)
        if self._writer_started:
            self._jobs.put(None)  # the writer finishes what was asked, then stops
            await asyncio.to_thread(self._writer_done.wait, 10)
        if self._sync_stop is not None:
            self._sync_stop.set()
        if self._heat is not None:
            await self._heat.stop()
        gc.enable()  # in case the app ends before its first frame (the collector is off until then)
        with self._write_lock:  # no worker is writing: close the writer under the lock, then nobody can
            try:
                if not self.session.readonly:
                    presence.leave(self._writer_session())
            except OncallError:
                pass
            if self._writer is not None:
                self._writer.close()
            self._writer_closed = True
        self.session.close()

    async def action_quit(self) -> None:
        """Quit; with an action running or writes the helpdesk has not received yet, say so first (quitting
        again leaves)."""
        running = [title for title in (getattr(s, "running_action", None) for s in self.screen_stack) if title]
        if running and not self._told_running:
            self._told_running = True
            self.notify(f"{running[0]} is still running. Quitting stops its step in flight; the history records "
                        "it as stopped with what it printed. Quit again to stop it and leave.",
                        title="Action running", severity="warning", timeout=20)
            return
        if not self._told_undelivered and not self.session.readonly:
            from ..usecases.outbox import undelivered_count

            try:
                waiting = undelivered_count(self.session)
            except OncallError:
                waiting = 0
            if waiting:
                self._told_undelivered = True
                self.notify(f"{waiting} note(s), reply(ies) or status change(s) have not reached the helpdesk yet. "
                            "They go out with the next oncall that runs, or now with `oncall sync --once` "
                            "(`oncall outbox` lists them). Quit again to leave.",
                            title="Not delivered yet", severity="warning", timeout=20)
                return
        self.keep_what_is_typed()
        await super().action_quit()

    def tell_authorship(self, case_id: str) -> None:
        """Once per run: the engineer's writes reach the helpdesk as the shared account, and how to change it."""
        if self._told_authorship:
            return
        from ..usecases.writing import authorship

        try:
            text = authorship(self.session, case_id)
        except OncallError:
            return
        if text:
            self._told_authorship = True
            self.notify(text, title="Helpdesk authorship", severity="information", timeout=20)

    def bell(self) -> None:
        # Textual rings the bell from inside its handler of an unhandled exception: write the report
        # then (the exception is at hand), so the one line the command prints can point at it.
        error = sys.exc_info()
        if error[1] is not None and self.return_code == 1 and self.crash_report is None:
            self.crash_report = crash.write_report(error, command="oncall")
        super().bell()

    def notify(self, message: str, *, title: str = "", severity: str = "information", timeout: float | None = None,
               markup: bool = False) -> None:
        # Messages carry stored and remote text (authors, error bodies): never markup, no control characters.
        super().notify(visible(message, multiline=True), title=visible(title), severity=severity, timeout=timeout,
                       markup=False)

    # -- writing, off the event loop --------------------------------------------------------
    def _writer_session(self) -> Session:
        """The writer's session (call with the write lock held)."""
        if self._writer_closed:
            raise StoreError("oncall is closing: nothing was written")
        if self._writer is None:
            self._writer = self.session.reopen()
        return self._writer

    def write(self, requester: MessagePump, request: str, do: Callable[[Session], Any]) -> None:
        """Run the write *do(session)* off the event loop; *requester* receives `Wrote` or `WriteRefused`.

        Writes run one after the other, in the order asked (a draft kept before
        a save never lands after it), on the writer's own connection: waiting
        for the store's lock (other engineers writing) never holds the screen.
        """
        self._jobs.put((requester, request, do))

    @work(thread=True, group="write", exit_on_error=False)
    def _writer_loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                self._writer_done.set()
                return
            requester, request, do = job
            requester.post_message(self._write_until_reachable(request, do))

    def _write_until_reachable(self, request: str, do: Callable[[Session], Any]) -> Message:
        """Run one write; while the store's server is unreachable (nothing was written), try again until it
        is back — the text stays in its editor, later writes wait behind it — unless oncall is closing."""
        pause = 0.2
        while True:
            try:
                with self._write_lock:
                    result = do(self._writer_session())
                # Our own write: every screen catches up now, not at the next poll.
                self.post_message(StoreWritten())
                return Wrote(request, result)
            except StoreUnreachable as exc:
                if self.closing:
                    return WriteRefused(request, exc)
                self.post_message(StoreNews())  # the app says "unreachable" once, if it has not yet
                time.sleep(pause)
                pause = min(pause * 2, 2.0)
            except OncallError as exc:
                return WriteRefused(request, exc)
            except Exception:  # a bug: keep the text, say where the report is
                report = crash.write_report(sys.exc_info(), command=f"oncall ({request})")
                return WriteRefused(request, OncallError(f"internal error, nothing was saved (report: {report})"))

    def on_store_written(self, message: StoreWritten) -> None:
        self.check_for_changes()

    def on_wrote(self, message: Wrote) -> None:
        """A write nobody waits for went through (a draft kept while its editor closed)."""

    def on_write_refused(self, message: WriteRefused) -> None:
        """A write nobody waits for failed: say so (the text is in no editor any more)."""
        self.notify(f"Not saved ({message.request}): {message.reason}", severity="error", timeout=10)

    # -- noticing other engineers -----------------------------------------------------------
    def _heard(self) -> None:
        self.post_message(StoreNews())

    def on_store_news(self, message: StoreNews) -> None:
        self.check_for_changes()

    def check_for_changes(self) -> None:
        """Did anyone write? Asked by a worker (on a shared server that is a round trip: never on the event
        loop); `on_changes_seen` tells the screen on top what their writes touched. One look at a time: a
        request meanwhile is remembered and made when the look in flight comes back."""
        # A write's answer can arrive while the app is closing, its screens already gone: nobody to tell.
        if self.closing or self._feed is None or not self.screen_stack:
            return
        if self._looking:
            self._look_again = True
            return
        self._looking = True
        self._look_for_changes(self._feed)

    @work(thread=True, group="changes", exit_on_error=False)
    def _look_for_changes(self, feed: ChangeFeed) -> None:
        try:
            self.post_message(ChangesSeen(feed.poll()))
        except Exception as exc:  # said by on_changes_seen; the next look tries again
            self.post_message(ChangesSeen(None, exc))

    def on_changes_seen(self, message: ChangesSeen) -> None:
        self._looking = False
        if self.closing or not self.screen_stack:
            return
        if isinstance(message.error, StoreUnreachable):
            if not self.unreachable:
                self.unreachable = True
                self.notify("Store unreachable, reconnecting… What you write is kept and saved once it is back.",
                            title="Store", severity="warning", timeout=24 * 3600)
        elif message.error is not None:
            self.notify(f"Cannot read the store: {message.error}", title="Store", severity="error", timeout=10)
        else:
            if self.unreachable:
                self.unreachable = False
                self.clear_notifications()
                self.notify("Store reachable again.", title="Store", timeout=5)
            if message.change is not None:
                self.changes += 1
                self.screen.post_message(StoreChanged(message.change))
        if self._look_again:
            self._look_again = False
            self.check_for_changes()

    def heat_tick(self) -> None:
        """Rescore every open case as time passes, in the heat process (one tick at a time)."""
        if self._ticking or self.closing or self.session.readonly:
            return
        self._ticking = True
        self._tick()

    @work(group="heat", exit_on_error=False)
    async def _tick(self) -> None:
        from ..usecases.heat_tick import HeatProcess, HeatProcessError

        if self._heat is None:
            self._heat = HeatProcess(self.session.store.target)
        try:
            await self._heat.tick(self.now(), self.session.config.heat)
        except HeatProcessError as exc:
            if not self.closing:
                self.notify(str(exc), title="Heat", severity="error", timeout=15)
        finally:
            self._ticking = False
        # The tick wrote a "heat" change: the next poll brings it to the screen (no second redraw).
        self.check_for_changes()

    @property
    def heat_process_pid(self) -> int | None:
        """The heat process's pid while it runs (None before the first tick or after it stopped)."""
        return self._heat.pid if self._heat is not None else None

    @property
    def ticking(self) -> bool:
        return self._ticking

    # -- my own presence -----------------------------------------------------------------------
    def set_viewing(self, case_id: str | None) -> None:
        self._viewing, self._writing = case_id, None
        self.heartbeat()

    def set_writing(self, kind: str | None) -> None:
        """I am writing a *kind* ("reply", "note"…) on the case I view, or stopped (None)."""
        self._writing = kind
        self.heartbeat()

    def heartbeat(self) -> None:
        if self.closing or self.session.readonly:
            return
        self._beat(self._viewing, self._writing)

    @work(thread=True, group="presence", exclusive=True, exit_on_error=False)
    def _beat(self, case_id: str | None, writing: str | None) -> None:
        try:
            with self._write_lock:
                presence.beat(self._writer_session(), case_id=case_id, writing=writing)
        except OncallError:
            pass  # presence is best effort; the next beat tries again

    # -- helpdesk sync ------------------------------------------------------------------------
    def start_sync(self) -> None:
        if not self.session.config.sources or self.session.readonly:
            return
        try:
            self.session.sources()
        except OncallError as exc:
            self.notify(f"Helpdesk sync is off: {exc}", severity="error", timeout=30)
            return
        self._sync_loop()

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def _sync_loop(self) -> None:
        import asyncio

        from ..usecases.sync import run_forever

        self._sync_stop = threading.Event()

        def progress(name: str, done: int, total: int) -> None:
            self.screen.post_message(SyncProgress(name, done, total))

        def error(name: str, message: str) -> None:
            # Not call_from_thread: it would wait for an app that may be quitting (and waiting for us).
            if not self.quitting.is_set():
                self.notify(f"{name}: {message}", title="Sync", severity="warning", timeout=10)

        async def until_quit() -> None:
            # Quitting stops a pull or a push in flight within a tenth of a second, not at its timeout.
            loop = asyncio.create_task(run_forever(self.session.reopen(), stop_event=self._sync_stop,
                                                   on_progress=progress, on_error=error))
            while not loop.done():
                if self._sync_stop.is_set() or self.quitting.is_set():
                    loop.cancel()
                await asyncio.wait({loop}, timeout=0.1)
            if not loop.cancelled():
                loop.result()

        # Its own event loop and session: a long first sync never blocks the screen.
        asyncio.run(until_quit())

    # -- navigation (screens beyond the queue load when first opened) --------------------------------
    def open_case(self, case_id: str) -> None:
        from .screens.history import HistoryScreen

        screen = self._history
        if screen is None or screen in self.screen_stack:  # none yet, or a case opened from a case (search)
            screen = HistoryScreen(case_id)
            if self._history is None:
                self._history = screen
                self.install_screen(screen, "history")  # kept when closed, for the next case
        else:
            try:
                screen.reopen(case_id)
            except OncallError as exc:
                self.notify(str(exc), severity="error")
                return
        self.push_screen(screen)

    def explain_case(self, case_id: str) -> None:
        from ..usecases import queue
        from .screens.dialogs import ExplainScreen

        try:
            subject, heat = queue.explain(self.session, case_id)
        except OncallError as exc:
            self.notify(str(exc), severity="error")
            return
        self.push_screen(ExplainScreen(case_id, subject, heat))

    NAVIGATION = {"help", "handoff", "incidents", "search", "command_palette"}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Over the command palette, app-wide keys wait: the palette is a question being answered.
        if action in self.NAVIGATION and CommandPalette.is_open(self):
            return False
        return True

    def action_command_palette(self) -> None:
        if not CommandPalette.is_open(self):
            self.push_screen(Palette())

    def showing(self, name: str) -> bool:
        """Whether the screen on top is *name* (app-wide keys do not open a second copy over itself)."""
        return self.screen.name == name

    def action_handoff(self) -> None:
        from .screens.handoff import HandoffScreen

        if not self.showing("handoff"):
            self.push_screen(HandoffScreen())

    def action_incidents(self) -> None:
        from .screens.incidents import IncidentsScreen

        if not self.showing("incidents"):
            self.push_screen(IncidentsScreen())

    def action_search(self, customer_id: str | None = None, customer_name: str = "") -> None:
        from .screens.search import SearchScreen

        if not self.showing("search"):
            self.push_screen(SearchScreen(customer_id=customer_id, customer_name=customer_name))

    def action_help(self) -> None:
        from .screens.dialogs import HelpScreen

        if self.showing("help"):
            return
        section = getattr(self.screen, "KEYMAP", "") or self.screen.name or ""
        self.push_screen(HelpScreen(self.keymap.help_rows(section), self.keymap.problems))

    def announce_handoff(self) -> None:
        """At start-up: "Handoff from alice, Paris, 2 h ago — 7 cases"."""
        from ..usecases import handoff

        if self.closing:
            return
        incoming = handoff.incoming(self.session)
        if incoming is not None and incoming.pending:
            key = self.keymap.display("app.handoff")
            self.notify(f"{incoming.handoff.line()} — press {key} to read and acknowledge", title="Handoff",
                        timeout=20)

    # -- one-key actions ---------------------------------------------------------------------------
    def start_action(self, case_id: str, action_id: str | None = None, suggestion=None) -> None:
        """Open the action screen for the suggested (or the named) action on *case_id*."""
        from ..usecases import actions
        from .screens.action import ActionScreen

        try:
            self.session.check_actions()
            catalogue = actions.catalogue(self.session)
            if action_id is None:
                found = suggestion if suggestion is not None else actions.suggestion(self.session, case_id)
                if found is None or found.action is None or found.proposal is None:
                    self.notify("No action suggested for this case — press a to choose one.", severity="warning")
                    return
                action, params = found.action, dict(found.proposal.params)
            elif action_id not in catalogue:
                self.notify(f"No action {action_id!r}: no built-in action or runbook has that id.", severity="error")
                return
            else:
                action = catalogue[action_id]
                found = suggestion if suggestion is not None else actions.suggestion(self.session, case_id)
                params = dict(found.proposal.params) if found is not None and found.proposal is not None \
                    and found.action is action else {}
            ctx = actions.context(self.session, case_id)
        except OncallError as exc:
            self.notify(str(exc), severity="warning" if exc.exit_code == 2 else "error")
            return
        self.push_screen(ActionScreen(action, ctx, params))

    def choose_action(self, case_id: str) -> None:
        from ..usecases import actions
        from .screens.choice import ChoiceScreen

        try:
            self.session.check_actions()
            options = [(a.id, a.title) for a in actions.catalogue(self.session).values()]
        except OncallError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.push_screen(ChoiceScreen(f"Action on {case_id}", options),
                         lambda chosen: chosen and self.start_action(case_id, chosen))


"""Syncing helpdesks: sources → store (pull, in batches) and outbox → helpdesk (push, with retries).

No Textual here: the app runs `run_forever` in a worker with its own session
(its own store connection); `oncall sync` runs the same code from the command line.

Pull: each batch is imported in one transaction together with the cursor that
follows it, so a process killed mid-sync resumes after the last committed
batch: nothing is duplicated (event ids are keys) and nothing is skipped.

Push: `deliver_outbox` claims due rows (store/outbox.py), sends each through
its source, then marks it sent (with the remote event id, so the echo that
the next pull brings back is not shown twice) or failed with exponential
backoff. A failure that may have reached the helpdesk makes the next attempt
look in the helpdesk's history first.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..connectors.source import (
    DEFAULT_BATCH,
    Pushed,
    PushRefused,
    Source,
    SourceConfigError,
)
from ..core.errors import InvalidDocument
from ..core.timeutil import format_ts, parse_ts
from ..store import identity, outbox, queries
from .session import Session

BACKOFF_FIRST = 10.0  # seconds before the first retry; doubles each time
BACKOFF_MAX = 600.0
OUTBOX_INTERVAL = 5.0  # seconds between outbox rounds in run_forever
MAX_ROUNDS = 20  # outbox rounds per call: each round sends the next row of every case


class SyncError(RuntimeError):
    """A pull could not be imported; the message names the source and the problem."""


@dataclass
class SyncReport:
    """What one `sync_once` did."""

    source: str
    tickets: int = 0
    batches: int = 0
    events_added: int = 0
    events_skipped: int = 0
    echoes_dropped: int = 0  # our own pushed replies coming back from the helpdesk
    customers_created: list[str] = field(default_factory=list)
    cursor: str | None = None

    def line(self) -> str:
        extra = f", {len(self.customers_created)} new customer(s)" if self.customers_created else ""
        return (f"{self.source}: {self.tickets} tickets, {self.events_added} new events "
                f"({self.events_skipped} already present){extra}")


@dataclass
class DeliveryReport:
    """What one `deliver_outbox` did: row ids sent, retried later, stopped for good; what still waits."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)
    waiting: int = 0  # rows not delivered after this round (failed now, or not due yet)
    next_try: datetime | None = None  # the earliest of their next attempts

    def line(self) -> str:
        line = f"outbox: {len(self.sent)} sent, {len(self.failed)} failed this time, {len(self.refused)} refused"
        if self.waiting:
            when = f", next try at {format_ts(self.next_try)}" if self.next_try else ""
            line += f"; {self.waiting} not delivered yet{when} (oncall outbox lists them)"
        return line


def backoff(attempts: int) -> timedelta:
    """Delay after the *attempts*-th failure: 10 s, 20 s, 40 s … capped at 10 min."""
    return timedelta(seconds=min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, attempts - 1)))


def outbox_source_for(session: Session, case_id: str, sources: list[Source] | None = None) -> str | None:
    """The name of the source a reply on *case_id* must go to, or None (a local case, a read-only feed,
    or sync off because its configuration is wrong — the screen said so at start).

    *sources*: these instead of the configured ones.
    """
    if sources is None:
        if not session.config.sources:
            return None
        try:
            sources = session.sources()
        except SourceConfigError:
            return None
    return _source_for(session.store, case_id, sources)


def _drop_echoes(store, source: str, doc: dict) -> int:
    """Remove pulled events that are our own outbox rows coming back (shown once, as we wrote them)."""
    ids = [ev.get("id") for case in doc.get("cases") or [] if isinstance(case, dict)
           for ev in case.get("events") or [] if isinstance(ev, dict) and ev.get("id")]
    echoes = outbox.sent_as(store, source, ids)
    if not echoes:
        return 0
    for case in doc["cases"]:
        if isinstance(case, dict) and isinstance(case.get("events"), list):
            case["events"] = [ev for ev in case["events"] if not (isinstance(ev, dict) and ev.get("id") in echoes)]
    return len(echoes)


def _add_missing_customers(store, doc: dict) -> list[str]:
    """Bare records for customers the cases name but neither the document nor the store holds."""
    have = {c.get("id") for c in doc.get("customers") or [] if isinstance(c, dict)}
    wanted = sorted({c.get("customer") for c in doc.get("cases") or []
                     if isinstance(c, dict) and isinstance(c.get("customer"), str)} - have)
    known = queries.known_customers(store, wanted)
    missing = [cid for cid in wanted if cid not in known]
    # Named after their id until the customer list is imported (which then fills in name, language…).
    doc.setdefault("customers", []).extend({"id": cid, "name": cid} for cid in missing)
    return missing


async def sync_once(session: Session, source: Source, *, now: datetime | None = None,
                    progress: Callable[[int, int], None] | None = None,
                    batch_size: int = DEFAULT_BATCH) -> SyncReport:
    """Pull what changed since the stored cursor and import it batch by batch.

    *progress(done, total)* is called after each committed batch.
    """
    from ..store import (
        importer,  # the interchange schema loads when a sync runs, not at start
    )

    session.check_writable(f"syncing {source.name}")
    store = session.store
    now = now or session.now()
    report = SyncReport(source.name, cursor=queries.sync_cursor(store, source.name))
    async for batch in source.pull_batches(report.cursor, batch_size):
        doc = batch.document
        # What the store knows better than the helpdesk: tickets oncall opened, merges and splits.
        identity.apply(store, source.name, doc, batch.requestors)
        report.echoes_dropped += _drop_echoes(store, source.name, doc)
        if source.placeholder_customers:
            report.customers_created += _add_missing_customers(store, doc)

        def people(conn, batch=batch) -> None:
            identity.refresh_people(conn, source.name, batch.people, now)

        try:
            result = importer.import_document(store, doc, now=now, source=source.name, cursor=batch.cursor,
                                              also=people if batch.people else None)
        except InvalidDocument as exc:
            shown = "; ".join(exc.problems[:3]) + (f" (+{len(exc.problems) - 3} more)" if len(exc.problems) > 3 else "")
            raise SyncError(f"source {source.name!r}: the pulled document was refused, nothing of this batch "
                            f"was imported ({batch.done}/{batch.total} tickets): {shown}") from None
        report.batches += 1
        report.tickets = batch.done
        report.events_added += result.events_added
        report.events_skipped += result.events_skipped
        report.cursor = batch.cursor
        if progress is not None:
            progress(batch.done, batch.total)
    return report


def _by_name(sources: Iterable[Source]) -> dict[str, Source]:
    table = {s.name: s for s in sources}
    rt = [s for s in table.values() if s.kind == "rt"]
    if len(rt) == 1 and "rt" not in table:
        # Rows queued by helpdesk kind (incidents queue "rt" for a case with external_ref "rt:N").
        table["rt"] = rt[0]
    return table


async def deliver_outbox(session: Session, sources: Iterable[Source], *, now: datetime | None = None,
                         clock: Callable[[], datetime] | None = None) -> DeliveryReport:
    """Send every due outbox row of *sources*, oldest first and at most once at a time.

    *now* (default: the session's clock) decides which rows are due; *clock()*
    (default: the session's) stamps each outcome, since sending takes time.
    """
    session.check_writable("delivering the outbox")
    store = session.store
    if clock is None:
        clock = session.clock if now is None else (lambda: now)
    now = now or session.now()
    table = _by_name(sources)
    report = DeliveryReport()
    for _ in range(MAX_ROUNDS):
        claimed = [item for name in table for item in outbox.claim(store, now, name, me=session.user)]
        if not claimed:
            break
        for item in claimed:
            source = table[item.source]
            try:
                pushed = await source.push(item)
            except PushRefused as exc:
                outbox.mark_failed(store, item.id, str(exc), None, clock(), permanent=True)
                report.refused.append(item.id)
                report.errors[item.id] = str(exc)
                continue
            except Exception as exc:  # noqa: BLE001 — any failure of the remote must leave the row to retry
                error = str(exc) or type(exc).__name__
                ambiguous = bool(getattr(exc, "ambiguous", False)) or item.check_first
                at = clock()
                outbox.mark_failed(store, item.id, error, at + backoff(item.attempts + 1), at, ambiguous=ambiguous)
                report.failed.append(item.id)
                report.errors[item.id] = error
                continue
            if isinstance(pushed, str):
                pushed = Pushed(pushed)
            outbox.mark_sent(store, item.id, pushed.remote_ref, clock(), external_ref=pushed.external_ref)
            report.sent.append(item.id)
    left = [r for r in outbox.undelivered(store) if r["source"] in table and r["state"] != "failed"]
    report.waiting = len(left)
    report.next_try = min((parse_ts(r["next_at"]) for r in left), default=None)
    return report


def retry_now(session: Session, sources: Iterable[Source] | None = None) -> int:
    """Every undelivered row of *sources* (default: all) is due now: a manual sync tries everything at once."""
    session.check_writable("retrying the outbox")
    if sources is None:
        return outbox.retry_now(session.store, session.now())
    return sum(outbox.retry_now(session.store, session.now(), name) for name in _by_name(sources))


def source_named(session: Session, name: str) -> Source | None:
    """The configured source called *name* (None when sync is off or there is none)."""
    try:
        return next((s for s in session.sources() if s.name == name), None)
    except SourceConfigError:
        return None


def _source_for(store, case_id: str, sources: Iterable[Source]) -> str | None:
    external_ref = queries.external_ref(store, case_id)
    if external_ref is None:
        return None
    pushable = [s for s in sources if s.can_push]
    for source in pushable:
        if source.owns(case_id, external_ref):
            return source.name
    # A case renamed or prefixed differently: its pulled events still carry the source name.
    for source in pushable:
        if queries.has_event_prefixed(store, case_id, f"{source.kind}:{source.name}:"):
            return source.name
    # A case oncall opened whose ticket a source's outbox created (an incident's).
    if external_ref:
        opened = queries.ticket_opened_by(store, case_id)
        if opened in {s.name for s in pushable}:
            return opened
    return None


# -- the loop the app runs --------------------------------------------------------------


async def _wait(stop_event, seconds: float) -> None:
    """Wait *seconds* or until *stop_event* (asyncio.Event or threading.Event) is set."""
    if isinstance(stop_event, asyncio.Event):
        try:
            await asyncio.wait_for(stop_event.wait(), timeout=max(0.0, seconds))
        except asyncio.TimeoutError:
            pass
        return
    deadline = time.monotonic() + seconds
    while not stop_event.is_set() and time.monotonic() < deadline:
        await asyncio.sleep(min(0.2, max(0.0, deadline - time.monotonic())))


async def run_forever(session: Session, *, stop_event: asyncio.Event | threading.Event,
                      on_progress: Callable[[str, int, int], None] | None = None,
                      on_error: Callable[[str, str], None] | None = None,
                      sources: list[Source] | None = None,
                      batch_size: int = DEFAULT_BATCH, outbox_interval: float = OUTBOX_INTERVAL) -> None:
    """Poll every source each `poll_interval` and deliver the outbox every few seconds, until stopped.

    *session* is this loop's own (its own store connection: it runs in its own
    thread); its configured `[[sources]]` are used unless *sources* is given.
    The sources are closed on the way out, since their HTTP clients belong to
    this event loop; the session is closed too.

    Errors don't stop the loop: they go to *on_error(source name or "outbox",
    message)* and the source is tried again at its next poll.
    *on_progress(source name, done, total)* follows pulls. In a Textual app,
    run it in a thread worker (`asyncio.run(...)` with a `threading.Event`) so
    big imports never block the screen.
    """
    clock = session.clock
    if sources is None:
        from ..config import config_dir
        from ..connectors.catalog import load_sources

        sources = load_sources(session.config, user=session.user, config_dir=config_dir())
    next_poll = {s.name: 0.0 for s in sources}
    next_outbox = 0.0
    try:
        while not stop_event.is_set():
            for source in sources:
                if stop_event.is_set() or time.monotonic() < next_poll[source.name]:
                    continue
                next_poll[source.name] = time.monotonic() + source.poll_interval
                report_progress = (lambda done, total, name=source.name: on_progress(name, done, total)) \
                    if on_progress else None
                try:
                    await sync_once(session, source, now=clock(), progress=report_progress, batch_size=batch_size)
                except Exception as exc:  # noqa: BLE001 — one bad source must not stop the others
                    if on_error:
                        on_error(source.name, str(exc) or type(exc).__name__)
            if time.monotonic() >= next_outbox and not stop_event.is_set():
                next_outbox = time.monotonic() + outbox_interval
                try:
                    report = await deliver_outbox(session, sources, now=clock(), clock=clock)
                    if on_error:
                        for message in report.errors.values():
                            on_error("outbox", message)
                except Exception as exc:  # noqa: BLE001
                    if on_error:
                        on_error("outbox", str(exc) or type(exc).__name__)
            wake = min([next_outbox, *next_poll.values()]) - time.monotonic()
            await _wait(stop_event, max(0.05, wake))
    finally:
        for source in sources:  # their HTTP clients belong to this event loop
            await source.aclose()
        session.close()

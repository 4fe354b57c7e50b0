"""Noticing other engineers' writes: what changed since I last looked, for each screen to refresh only that.

The store says cheaply whether another connection committed
(`Store.data_version`); only then is the change log read. A store that can
tell when news arrives (`listen`) calls back at once, so the screen looks
then instead of waiting for its next poll. Presence is compared without
its heartbeat times, so a colleague's heartbeat alone changes nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from ..store import changes as log
from .presence import snapshot
from .session import Session

#: Seconds between looks at who is where when the store tells of news (a heartbeat gone stale says nothing).
PRESENCE_EXPIRY = 5.0


@dataclass(frozen=True)
class Change:
    """What another engineer's (or our own sync's) writes touched since the last look."""

    cases: frozenset[str] = frozenset()
    customers: frozenset[str] = frozenset()
    incidents: frozenset[str] = frozenset()
    outbox: frozenset[str] = frozenset()  # cases whose helpdesk delivery state changed
    heat: bool = False  # every open case was rescored
    presence: bool = False  # someone opened, left or started writing in a case
    everything: bool = False  # too much to say: refresh all

    def touches_customer(self, customer_id: str, case_ids: set[str] | frozenset[str] = frozenset()) -> bool:
        return self.everything or customer_id in self.customers or bool(self.cases & case_ids)

    def touches_queue(self) -> bool:
        """Whether the queue's rows, order or counts may have moved."""
        return self.everything or self.heat or bool(self.cases)


@dataclass
class ChangeFeed:
    """Remembers how far this session has read; `poll()` says what changed since (None: nothing)."""

    session: Session
    version: int = field(init=False)
    mark: log.Mark = field(init=False)
    present: frozenset = field(init=False)
    told: bool = field(init=False, default=False)  # the store says when there is news (`listen`)
    present_at: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        self.version = self.session.store.data_version()
        self.mark = log.mark(self.session.store)
        self.present = snapshot(self.session)
        self.present_at = time.monotonic()

    def listen(self, news: Callable[[], None]) -> bool:
        """Call *news* (from another thread) as soon as another writer commits, or the store is lost or back;
        False when the store cannot tell (then only polling notices).

        Once told, a poll with no news reads nothing, except who is where every `PRESENCE_EXPIRY` seconds
        (heartbeats expire silently): on a distant server, an idle screen makes no round trip a second.
        """
        self.told = self.session.store.watch(news)
        return self.told

    def stop_listening(self, news: Callable[[], None]) -> None:
        self.session.store.unwatch(news)

    def poll(self, *, presence: bool = True) -> Change | None:
        """What changed since the last poll. *presence*: also compare who is where (heartbeats expire)."""
        store = self.session.store
        version = store.data_version()
        touched = None
        if version != self.version:
            self.version = version
            self.mark, touched = log.since(store, self.mark)
        moved = False
        if presence and (not self.told or touched is not None
                         or time.monotonic() - self.present_at >= PRESENCE_EXPIRY):
            now_present = snapshot(self.session)
            moved, self.present = now_present != self.present, now_present
            self.present_at = time.monotonic()
        if not touched and not moved:
            return None
        if touched is None:
            return Change(presence=moved)
        if touched.overflow:
            return Change(everything=True, presence=moved)
        customers = set(touched.customers)
        if touched.cases:
            customers |= log.customers_of(store, touched.cases)
        return Change(frozenset(touched.cases), frozenset(customers), frozenset(touched.incidents),
                      frozenset(touched.outbox), touched.heat, moved)

    def skip(self) -> None:
        """Forget what is pending (our own write, already shown): read from here next time."""
        self.version = self.session.store.data_version()
        self.mark = log.mark(self.session.store)

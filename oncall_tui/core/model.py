"""Plain data the core computes on. No I/O, no Textual."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: Event kinds that carry words from or to the customer.
CONVERSATION_KINDS = frozenset({"message", "call", "chat"})
EVENT_KINDS = ("message", "note", "call", "chat", "action", "status", "summary",
               "handoff", "fact", "incident", "ack", "assign")
DIRECTIONS = ("in", "out", "internal")
STATUSES = ("new", "open", "pending", "resolved", "closed")
OPEN_STATUSES = frozenset({"new", "open", "pending"})
TIERS = ("standard", "business", "critical")
CHANNELS = ("email", "phone", "chat", "note", "tool")

#: Heat bands: the one definition behind the queue's header counts, its colours, its text
#: marks, the sparkline and the handoff brief (the store's band counters use the same numbers).
HOT_HEAT = 60
WARM_HEAT = 35
BANDS = ("hot", "warm", "cool")


def band(heat: int) -> str:
    """"hot" from HOT_HEAT, "warm" from WARM_HEAT, else "cool"."""
    return "hot" if heat >= HOT_HEAT else "warm" if heat >= WARM_HEAT else "cool"


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of a case's history, as the core sees it."""

    at: datetime  # timezone-aware, UTC
    kind: str
    direction: str
    author: str
    body: str
    channel: str = ""
    #: Sent to many cases at once (an incident update, a mass mailing; the store's `meta.broadcast`):
    #: part of the history, never an answer to this customer.
    broadcast: bool = False
    #: The update that closed an incident (the store's `meta.closing`): once the incident is reopened, its
    #: "services are back" no longer holds.
    closing: bool = False

    @property
    def from_customer(self) -> bool:
        return self.direction == "in" and self.kind in CONVERSATION_KINDS

    @property
    def to_customer(self) -> bool:
        return self.direction == "out" and self.kind in CONVERSATION_KINDS


@dataclass(frozen=True)
class OutboxItem:
    """One outbox row with its case's external reference (e.g. ``rt:123``).

    `check_first` is True when an earlier attempt may have reached the helpdesk:
    the sender must look for it there before sending again.
    """

    id: int
    event_id: str
    case_id: str
    source: str
    action: str
    payload: dict
    state: str
    attempts: int
    last_error: str
    next_attempt_at: str
    remote_ref: str
    created_at: str
    sent_at: str | None
    external_ref: str
    author: str = ""  # the engineer who wrote it (their own helpdesk token sends it, when they have one)
    exclusive_until: str | None = None  # until then only the author's process may send it

    @property
    def check_first(self) -> bool:
        return self.state in ("unsure", "sending")

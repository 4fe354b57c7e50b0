"""Plain data the core computes on. No I/O, no Textual."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: Event kinds that carry words from or to the customer.
CONVERSATION_KINDS = frozenset({"message", "call", "chat"})
EVENT_KINDS = ("message", "note", "call", "chat", "action", "status", "summary",
               "handoff", "fact", "incident", "ack")
DIRECTIONS = ("in", "out", "internal")
STATUSES = ("new", "open", "pending", "resolved", "closed")
OPEN_STATUSES = frozenset({"new", "open", "pending"})
TIERS = ("standard", "business", "critical")
CHANNELS = ("email", "phone", "chat", "note", "tool")

#: Heat bands shared by the queue header, its sparkline and the handoff brief.
HOT_HEAT = 60
WARM_HEAT = 35


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of a case's history, as the core sees it."""

    at: datetime  # timezone-aware, UTC
    kind: str
    direction: str
    author: str
    body: str
    channel: str = ""

    @property
    def from_customer(self) -> bool:
        return self.direction == "in" and self.kind in CONVERSATION_KINDS

    @property
    def to_customer(self) -> bool:
        return self.direction == "out" and self.kind in CONVERSATION_KINDS

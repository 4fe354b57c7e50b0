"""What waits to reach a helpdesk: the outbox as the engineer sees it (`oncall outbox`, the quit warning)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from ..core.timeutil import parse_ts
from ..store import outbox
from .session import Session

#: How each action reads in a sentence.
ACTIONS = {"correspond": "reply", "comment": "note", "status": "status change", "create": "new ticket"}


@dataclass(frozen=True)
class Waiting:
    """One outbox row not delivered yet."""

    id: int
    case_id: str
    customer_id: str
    subject: str
    source: str
    action: str  # reply | note | status change | new ticket
    author: str
    state: str  # waiting | retrying | checking (may have arrived) | sending | stopped
    attempts: int
    reason: str  # the last error, "" before the first attempt
    next_try: datetime | None  # None: stopped, not retried until a manual sync
    exclusive_until: datetime | None  # until then only the author's own oncall sends it
    text: str

    def to_dict(self) -> dict:
        return {"id": self.id, "case_id": self.case_id, "customer_id": self.customer_id, "subject": self.subject,
                "source": self.source, "action": self.action, "author": self.author, "state": self.state,
                "attempts": self.attempts, "reason": self.reason,
                "next_try": self.next_try.isoformat().replace("+00:00", "Z") if self.next_try else None,
                "only_author_until": (self.exclusive_until.isoformat().replace("+00:00", "Z")
                                      if self.exclusive_until else None),
                "text": self.text}


def undelivered(session: Session) -> list[Waiting]:
    """Every row not delivered yet, oldest first: what it is, why it waits, when it is tried next."""
    out = []
    for r in outbox.undelivered(session.store):
        try:
            payload = json.loads(r["payload"] or "{}")
        except ValueError:
            payload = {}
        if r["state"] == "failed":
            state, next_try = "stopped", None
        else:
            state = {"pending": "retrying" if r["attempts"] else "waiting", "unsure": "checking",
                     "sending": "sending"}.get(r["state"], r["state"])
            next_try = parse_ts(r["next_at"])
        text = payload.get("text") if isinstance(payload, dict) else None
        if not isinstance(text, str):
            text = str(payload.get("status", "")) if isinstance(payload, dict) else ""
        out.append(Waiting(r["id"], r["case_id"], r["customer_id"], r["subject"], r["source"],
                           ACTIONS.get(r["action"], r["action"]), r["author"], state, r["attempts"], r["last_error"],
                           next_try, parse_ts(r["exclusive_until"]) if r["exclusive_until"] else None, text))
    return out


def undelivered_count(session: Session) -> int:
    """How many writes have not reached their helpdesk yet (the quit warning)."""
    return outbox.undelivered_count(session.store)

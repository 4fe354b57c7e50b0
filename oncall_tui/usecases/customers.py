"""Customers as the team sees them: the list, and identity repairs (merge two, split one requestor off).

A repair keeps every event (they are re-filed, never changed), is itself an
event in the customers' histories, and lasts: later syncs follow it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..store import identity, queries
from ..store.identity import Repair
from .history import find_customer
from .session import Session


@dataclass(frozen=True)
class CustomerLine:
    id: str
    name: str
    language: str
    timezone: str
    tier: str
    emails: tuple[str, ...]
    cases: int
    open_cases: int


def listing(session: Session) -> list[CustomerLine]:
    """Every customer with how many cases (and open ones) they have, by name."""
    rows = queries.customers_with_counts(session.store)
    out = []
    for r in rows:
        try:
            emails = tuple(e for e in json.loads(r["emails"] or "[]") if isinstance(e, str))
        except ValueError:
            emails = ()
        out.append(CustomerLine(r["id"], r["name"], r["language"], r["timezone"], r["tier"], emails, r["cases"],
                                r["open_cases"]))
    return out


def merge(session: Session, keep: str, other: str) -> Repair:
    """*other* is the same customer as *keep* (each given by id, e-mail or name): everything moves to *keep*."""
    session.check_writable("merging customers")
    keep_id, other_id = find_customer(session, keep).id, find_customer(session, other).id
    return identity.merge(session.store, keep_id, other_id, author=session.user, region=session.region,
                          now=session.now(), heat=session.models.heat)


def split(session: Session, customer: str, email: str, *, into: str | None = None) -> Repair:
    """The cases *email* opened under *customer* become the person's own (or *into*'s)."""
    session.check_writable("splitting a customer")
    customer_id = find_customer(session, customer).id
    into_id = find_customer(session, into).id if into else None
    return identity.split(session.store, customer_id, email, into=into_id, author=session.user,
                          region=session.region, now=session.now(), heat=session.models.heat)

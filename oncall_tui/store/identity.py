"""Who a helpdesk's requestors are: people, the customers they belong to, and repairs that last.

A sync brings, besides cases, the people on the tickets (name, language,
time zone, organisation, the customer their source maps them to).
`refresh_people` keeps them, inside the sync's own transaction, and brings
the customers the source created up to date (language and time zone: the
most common among their people; addresses: all of them).

Identity is repaired by hand with `merge` (two customers are one) and `split`
(one requestor's cases become a customer of their own). Both keep every
event: events are re-filed under the other customer, their content never
changes, and the change is an event in the customers' histories. Each leaves
an override (`customer_overrides`) that later syncs follow (`apply`), so a
repair is never undone by the next pull.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..core.errors import NotFound, Refused
from ..core.heat_model import HeatModel
from ..core.timeutil import format_ts
from .db import Store
from .derived import refresh_cases
from .writes import insert_event

MAX_HOPS = 20  # a merge of a merge of …: followed this far (a loop is refused when written)


# -- what syncs follow ------------------------------------------------------------------------------

def resolve(conn: Any, customer_id: str) -> str:
    """The customer *customer_id* became through merges (itself when never merged)."""
    seen = {customer_id}
    for _ in range(MAX_HOPS):
        row = conn.execute("SELECT customer_id FROM customer_overrides WHERE kind = 'customer' AND key = ?",
                           (customer_id,)).fetchone()
        if row is None or row[0] in seen:
            return customer_id
        customer_id = row[0]
        seen.add(customer_id)
    return customer_id


def customer_of(conn: Any, email: str, mapped: str) -> str:
    """Where a requestor's cases go: a split moved their address, else the customer *mapped* became."""
    row = conn.execute("SELECT customer_id FROM customer_overrides WHERE kind = 'email' AND key = ?",
                       (email.strip().lower(),)).fetchone()
    return resolve(conn, row[0] if row is not None else mapped)


def apply(store: Store, source: str, doc: dict, requestors: dict[str, str]) -> None:
    """Rewrite a pulled document (in place) by what the store knows better than the helpdesk.

    - a ticket oncall opened for one of its own cases (an incident's) is that
      case, under its id and customer, not a second case;
    - a case goes to the customer its requestor was split into, or the one
      its customer was merged into;
    - customer records no case of the document refers to any more are dropped
      (a merged customer is not created again).
    """
    conn = store.conn
    cases = [c for c in doc.get("cases") or [] if isinstance(c, dict)]
    refs = [c.get("external_ref") for c in cases if isinstance(c.get("external_ref"), str) and c.get("external_ref")]
    opened = _opened_here(conn, source, refs)
    for case in cases:
        mine = opened.get(case.get("external_ref"))
        if mine is not None and mine[0] != case.get("id"):
            case["id"], case["customer"] = mine
            continue
        if not isinstance(case.get("customer"), str):
            continue
        email = requestors.get(case.get("id"), "")
        case["customer"] = customer_of(conn, email, case["customer"]) if email else resolve(conn, case["customer"])
    wanted = {c.get("customer") for c in cases}
    if isinstance(doc.get("customers"), list):
        doc["customers"] = [r for r in doc["customers"] if not isinstance(r, dict) or r.get("id") in wanted]


def _opened_here(conn: Any, source: str, refs: list) -> dict[str, tuple[str, str]]:
    """external_ref → (case id, customer) of cases whose ticket this source's outbox opened."""
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(refs), 500):
        chunk = refs[start:start + 500]
        for r in conn.execute(
                "SELECT c.external_ref, c.id, c.customer_id FROM outbox o JOIN cases c ON c.id = o.case_id "
                f"WHERE o.source = ? AND o.action = 'create' AND o.state = 'sent' "
                f"AND c.external_ref IN ({','.join('?' * len(chunk))})", (source, *chunk)):
            found[r[0]] = (r[1], r[2])
    return found


def refresh_people(conn: Any, source: str, people: list[dict], now: datetime) -> None:
    """Keep what *source* says about its requestors, and bring the customers it created up to date.

    Runs inside the sync's transaction. A row identical to the stored one is
    not written, so a sync that brings nothing new changes nothing.
    Customers the source created have ids starting with "<source>:"; the
    others (configured, imported) are the team's to name and describe.
    """
    touched: set[str] = set()
    for p in people:
        email = str(p.get("email") or "").strip().lower()
        if not email:
            continue
        customer = customer_of(conn, email, str(p["customer_id"]))
        values = (str(p.get("name") or ""), str(p.get("language") or ""), str(p.get("timezone") or ""),
                  str(p.get("organization") or ""), customer)
        row = conn.execute("SELECT name, language, timezone, organization, customer_id FROM people "
                           "WHERE source = ? AND email = ?", (source, email)).fetchone()
        if row is not None and tuple(row) == values:
            touched.add(customer)
            continue
        if row is None:
            conn.execute("INSERT INTO people(source, email, name, language, timezone, organization, customer_id, "
                         "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (source, email, *values, format_ts(now)))
        else:
            conn.execute("UPDATE people SET name = ?, language = ?, timezone = ?, organization = ?, customer_id = ?, "
                         "updated_at = ? WHERE source = ? AND email = ?", (*values, format_ts(now), source, email))
            touched.add(row["customer_id"])
        touched.add(customer)
    for customer in sorted(touched):
        if customer.startswith(f"{source}:"):
            _refresh_customer(conn, customer)


def _refresh_customer(conn: Any, customer_id: str) -> None:
    row = conn.execute("SELECT language, timezone, emails FROM customers WHERE id = ?", (customer_id,)).fetchone()
    if row is None:
        return
    people = conn.execute("SELECT email, language, timezone FROM people WHERE customer_id = ? "
                          "ORDER BY updated_at DESC, email", (customer_id,)).fetchall()
    language = _most_common([p["language"] for p in people]) or row["language"]
    timezone = _most_common([p["timezone"] for p in people]) or row["timezone"]
    emails = json.dumps(sorted(set(_emails(row["emails"])) | {p["email"] for p in people}), ensure_ascii=False)
    if (language, timezone, emails) != (row["language"], row["timezone"], row["emails"]):
        conn.execute("UPDATE customers SET language = ?, timezone = ?, emails = ? WHERE id = ?",
                     (language, timezone, emails, customer_id))


def _most_common(values: list[str]) -> str:
    """The most frequent non-empty value; on a tie, the one seen first (the most recently refreshed person)."""
    counts = Counter(v for v in values if v)
    if not counts:
        return ""
    top = max(counts.values())
    return next(v for v in values if v and counts[v] == top)


def _emails(text: str) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [e for e in value if isinstance(e, str)] if isinstance(value, list) else []


# -- repairs by hand ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Repair:
    """What a merge or a split moved."""

    kind: str  # merge | split
    source_customer: str
    target_customer: str
    cases: tuple[str, ...]
    events: int
    emails: tuple[str, ...]
    created: bool = False  # the split made the target customer

    def line(self) -> str:
        what = f"{len(self.cases)} case(s), {self.events} event(s)"
        if self.kind == "merge":
            return f"merged {self.source_customer} into {self.target_customer}: {what} moved"
        made = " (new customer)" if self.created else ""
        return (f"split {', '.join(self.emails)} off {self.source_customer} into {self.target_customer}{made}: "
                f"{what} moved")


def merge(store: Store, keep: str, other: str, *, author: str, region: str, now: datetime,
          heat: HeatModel) -> Repair:
    """*other* is the same customer as *keep*: its cases, events, assets, addresses and people move to *keep*.

    *other* is gone afterwards; its id stays known (`history OTHER` finds
    *keep*, and syncs file its tickets under *keep*). One transaction: all or nothing.
    """
    if keep == other:
        raise Refused(f"merge: {keep!r} and {other!r} are the same customer; nothing changed")
    with store.write() as conn:
        target, gone = _customer(conn, keep), _customer(conn, other)
        cases = [r[0] for r in conn.execute("SELECT id FROM cases WHERE customer_id = ? ORDER BY opened_at, id",
                                            (other,))]
        events = conn.execute("UPDATE events SET customer_id = ? WHERE customer_id = ?", (keep, other)).rowcount
        conn.execute("UPDATE cases SET customer_id = ? WHERE customer_id = ?", (keep, other))
        # The same server or domain known under both: one copy (keep's) is enough.
        conn.execute("INSERT INTO assets(customer_id, kind, name, ipv4, ipv6, datacenter, server, webroot) "
                     "SELECT ?, kind, name, ipv4, ipv6, datacenter, server, webroot FROM assets a WHERE customer_id = ? "
                     "AND NOT EXISTS (SELECT 1 FROM assets b WHERE b.customer_id = ? AND b.kind = a.kind "
                     "AND b.name = a.name)", (keep, other, keep))
        conn.execute("DELETE FROM assets WHERE customer_id = ?", (other,))
        conn.execute("UPDATE people SET customer_id = ? WHERE customer_id = ?", (keep, other))
        moved = sorted(set(_emails(gone["emails"])) - set(_emails(target["emails"])))
        facts = target["facts"]
        if gone["facts"].strip() and gone["facts"].strip() not in facts:
            facts = (facts.rstrip() + "\n\n" if facts.strip() else "") + gone["facts"].strip()
        conn.execute("UPDATE customers SET emails = ?, facts = ?, owner = ? WHERE id = ?",
                     (json.dumps(sorted(set(_emails(target["emails"])) | set(moved)), ensure_ascii=False), facts,
                      target["owner"] or gone["owner"], keep))
        # Later syncs file the merged id's tickets under keep; overrides that led to other now lead to keep.
        conn.execute("UPDATE customer_overrides SET customer_id = ? WHERE customer_id = ?", (keep, other))
        _override(conn, "customer", other, keep, author, now)
        conn.execute("DELETE FROM customers WHERE id = ?", (other,))
        repair = Repair("merge", other, keep, tuple(cases), events, tuple(moved))
        insert_event(conn, case_id=None, customer_id=keep, kind="fact", direction="internal", author=author,
                     region=region, channel="tool", now=now,
                     body=f"Customer {other} ({gone['name']}) merged into this one: {len(cases)} case(s) "
                          f"({', '.join(cases) or 'none'}), {events} event(s), addresses {', '.join(moved) or 'none'}",
                     meta={"identity": "merge", "from": other, "from_name": gone["name"], "into": keep,
                           "cases": cases, "events": events, "emails": moved})
        refresh_cases(conn, cases, now, heat)
    return repair


def split(store: Store, customer: str, email: str, *, into: str | None, author: str, region: str, now: datetime,
          heat: HeatModel) -> Repair:
    """The cases *email* opened under *customer* become another customer's (*into*, or the person themselves).

    A case is *email*'s when its first message from the customer came from
    that address. Without *into*, the person's own customer is used (made
    from what the helpdesk said about them). Later syncs file *email*'s
    tickets under the new customer. One transaction: all or nothing.
    """
    email = email.strip().lower()
    if "@" not in email:
        raise Refused(f"split: {email!r} is not an e-mail address")
    with store.write() as conn:
        old = _customer(conn, customer)
        cases = [r[0] for r in conn.execute(
            "SELECT c.id FROM cases c WHERE c.customer_id = ? AND lower((SELECT e.author FROM events e "
            "WHERE e.case_id = c.id AND e.direction = 'in' ORDER BY e.at, e.seq LIMIT 1)) = ? "
            "ORDER BY c.opened_at, c.id", (customer, email))]
        if not cases:
            raise Refused(f"split: customer {customer} has no case opened by {email}; nothing changed")
        person = conn.execute("SELECT source, name, language, timezone FROM people WHERE email = ? "
                              "ORDER BY updated_at DESC LIMIT 1", (email,)).fetchone()
        if into is None:
            if person is None:
                raise Refused(f"split: no helpdesk has told about {email}: give the customer to move them to "
                              "(--into ID); nothing changed")
            into = f"{person['source']}:{email}"
        if into == customer:
            raise Refused(f"split: {email}'s cases are already {customer}'s; nothing changed")
        created = conn.execute("SELECT 1 FROM customers WHERE id = ?", (into,)).fetchone() is None
        if created:
            if person is None:
                raise NotFound(f"split: no customer {into!r} (to make one from the helpdesk's record, leave "
                               "--into out); nothing changed")
            conn.execute("INSERT INTO customers(id, name, language, timezone, emails) VALUES (?, ?, ?, ?, ?)",
                         (into, person["name"] or email, person["language"] or old["language"],
                          person["timezone"] or old["timezone"], json.dumps([email])))
        marks = ",".join("?" * len(cases))
        events = conn.execute(f"UPDATE events SET customer_id = ? WHERE case_id IN ({marks})", (into, *cases)).rowcount
        conn.execute(f"UPDATE cases SET customer_id = ? WHERE id IN ({marks})", (into, *cases))
        conn.execute("UPDATE customers SET emails = ? WHERE id = ?",
                     (json.dumps([e for e in _emails(old["emails"]) if e.lower() != email], ensure_ascii=False),
                      customer))
        if not created:
            target = _customer(conn, into)
            conn.execute("UPDATE customers SET emails = ? WHERE id = ?",
                         (json.dumps(sorted(set(_emails(target["emails"])) | {email}), ensure_ascii=False), into))
        conn.execute("UPDATE people SET customer_id = ? WHERE email = ?", (into, email))
        _override(conn, "email", email, into, author, now)
        repair = Repair("split", customer, into, tuple(cases), events, (email,), created)
        meta = {"identity": "split", "from": customer, "into": into, "email": email, "cases": cases, "events": events}
        for who, body in ((customer, f"Cases of {email} moved to customer {into}: {', '.join(cases)}"),
                          (into, f"Split from customer {customer} ({old['name']}): the cases of {email}, "
                                 f"{', '.join(cases)}")):
            insert_event(conn, case_id=None, customer_id=who, kind="fact", direction="internal", author=author,
                         region=region, channel="tool", now=now, body=body, meta=meta)
        refresh_cases(conn, cases, now, heat)
    return repair


def _customer(conn: Any, customer_id: str):
    row = conn.execute("SELECT * FROM customers WHERE id = ?", (customer_id,)).fetchone()
    if row is None:
        merged = conn.execute("SELECT customer_id FROM customer_overrides WHERE kind = 'customer' AND key = ?",
                              (customer_id,)).fetchone()
        hint = f" (it was merged into {merged[0]})" if merged else ""
        raise NotFound(f"no customer {customer_id!r}{hint}; nothing changed")
    return row


def _override(conn: Any, kind: str, key: str, customer_id: str, author: str, now: datetime) -> None:
    conn.execute("DELETE FROM customer_overrides WHERE kind = ? AND key = ?", (kind, key))
    conn.execute("INSERT INTO customer_overrides(kind, key, customer_id, at, author) VALUES (?, ?, ?, ?, ?)",
                 (kind, key, customer_id, format_ts(now), author))


def merged_into(store: Store, customer_id: str) -> str | None:
    """The customer *customer_id* was merged into, if it was."""
    row = store.query_one("SELECT customer_id FROM customer_overrides WHERE kind = 'customer' AND key = ?",
                          (customer_id,))
    return resolve(store.conn, row[0]) if row is not None else None

"""Provider-wide incidents: declare, link the affected customers' cases, tell them all, resolve.

Declaring links an affected customer's open case when it is about the
incident: the subject or the customer's own words name something in the
scope (a domain, a server, the datacenter), or the customer reports a site or
service down. A billing question of an affected customer stays unlinked; a
customer left without a linked case gets a new one. An engineer can still
`link` or `unlink` a case by hand; both are recorded in the case's history.

Each public write is one transaction: the incident, its timeline events, the
linked cases' messages, the outbox rows and the heat refresh land together or
not at all. Event ids are deterministic (`<incident>:<broadcast>:<case>`), so a
retried broadcast finds its own events and writes nothing new.

Incident-timeline events carry `incident_id` with `case_id` and `customer_id`
NULL (the export files them under the incident); case events carry the
incident in `meta` only, so they round-trip through the interchange format.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ..core import incident_text as words
from ..core.errors import NotFound, Refused
from ..core.heat_model import HeatModel
from ..core.incident_text import INCIDENT_STATUSES, ScopeError
from ..core.lexicon import Lexicon, fast_fold, tokens
from ..core.timeutil import format_ts
from .db import Store
from .derived import refresh_cases
from .incident_queries import Incident, incident_row
from .writes import enqueue, insert_event

_BROADCAST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class BroadcastResult:
    """What one broadcast wrote: the cases newly told, those that already had it, outbox rows."""

    incident_id: str
    broadcast_id: str
    written: tuple[str, ...]
    skipped: tuple[str, ...]
    queued: int
    already_sent: bool  # the broadcast was in the incident timeline before this call
    fr: str = ""
    en: str = ""
    drafted: tuple[str, ...] = field(default=())  # languages drafted from the template


# -- declare -----------------------------------------------------------------

def declare(store: Store, *, title: str, scope: Any, author: str, region: str, now: datetime,
            title_fr: str = "") -> Incident:
    """Declare an incident: link the affected customers' open cases about it, open a case for the others.

    A case is about the incident when its subject or its customer's messages
    name a domain, server or datacenter of the scope, or report a site down.

    Raises Refused (nothing written) for an empty title, a bad scope, a scope
    that matches no customer, or the same incident already open.
    """
    title, title_fr = title.strip(), title_fr.strip()
    if not title:
        raise Refused("incident: the title is empty")
    try:
        scope = words.normalize_scope(scope)
    except ScopeError as exc:
        raise Refused(f"incident {title!r}: {exc}") from None
    scope_json = json.dumps(scope, sort_keys=True)
    stamp = format_ts(now)
    heat = store.heat_model()
    with store.write() as conn:
        same = conn.execute("SELECT id, opened_at FROM incidents WHERE status != 'resolved' AND title = ? "
                            "AND scope = ?", (title, scope_json)).fetchone()
        if same is not None:
            raise Refused(f"incident {same['id']} {title!r} with the same scope is already open "
                               f"(declared {same['opened_at']}); update it instead")
        customers = _affected_customers(conn, scope, title)
        inc_id = _next_id(conn, now)
        conn.execute("INSERT INTO incidents(id, title, scope, status, opened_at, opened_by) "
                     "VALUES (?, ?, ?, 'investigating', ?, ?)", (inc_id, title, scope_json, stamp, author))
        linked, opened = [], []
        for cust in customers:
            reasons = _link_open_cases(conn, cust["id"], inc_id, _scope_names(conn, scope, cust["id"]),
                                       heat.lexicon)
            mine = list(reasons)
            if not mine:
                case_id = f"{inc_id}-{cust['id']}"
                conn.execute("INSERT INTO cases(id, customer_id, subject, status, opened_at, incident_id) "
                             "VALUES (?, ?, ?, 'new', ?, ?)",
                             (case_id, cust["id"], words.case_subject(cust["language"], title, title_fr),
                              stamp, inc_id))
                opened.append(case_id)
                mine = [case_id]
            for case_id in mine:
                meta = {"incident": inc_id, "title": title}
                if case_id in opened:
                    body = f"Case opened for incident {inc_id}: {title}"
                else:
                    body = f"Linked to incident {inc_id}: {title} ({reasons[case_id]})"
                    meta["why"] = reasons[case_id]
                insert_event(conn, case_id=case_id, customer_id=cust["id"], kind="incident",
                             direction="internal", author=author, body=body, now=now, region=region,
                             channel="tool", meta=meta, event_id=f"{inc_id}:link:{case_id}")
            linked += mine
        insert_event(conn, case_id=None, customer_id=None, incident_id=inc_id, kind="incident",
                     direction="internal", author=author, region=region, channel="tool", now=now,
                     body=(f"Incident declared: {title} ({words.scope_text(scope)}); {len(customers)} "
                           f"customer(s) affected, {len(linked) - len(opened)} open case(s) linked, "
                           f"{len(opened)} case(s) opened"),
                     meta={"scope": scope, "title_fr": title_fr, "customers": [c["id"] for c in customers],
                           "cases": linked, "opened_cases": opened},
                     event_id=f"{inc_id}:declared")
        refresh_cases(conn, linked, now, heat)
    inc = incident_row(store, inc_id)
    return replace(inc, opened_cases=tuple(opened))


def _next_id(conn, now: datetime) -> str:
    prefix = f"INC-{now.strftime('%Y%m%d')}-"
    rows = conn.execute("SELECT id FROM incidents WHERE id LIKE ?", (prefix + "%",)).fetchall()
    n = max((int(r[0][len(prefix):]) for r in rows if r[0][len(prefix):].isdigit()), default=0)
    return f"{prefix}{n + 1:02d}"


def _affected_customers(conn, scope: dict[str, list[str]], title: str) -> list:
    """Customers touched by *scope*, each scope name checked to match something."""
    ids: set[str] = set()
    for dc in scope.get("datacenter", []):
        servers = [r[0] for r in conn.execute(
            "SELECT DISTINCT name FROM assets WHERE kind = 'server' AND UPPER(datacenter) = ?", (dc,))]
        found = {r[0] for r in conn.execute(
            "SELECT customer_id FROM assets WHERE UPPER(datacenter) = ? "
            "OR server IN (SELECT value FROM json_each(?))", (dc, json.dumps(servers)))}
        if not found:
            known = [r[0] for r in conn.execute(
                "SELECT DISTINCT UPPER(datacenter) FROM assets WHERE datacenter != '' ORDER BY 1")]
            raise Refused(f"incident {title!r}: scope datacenter {dc!r}: no customer has anything hosted "
                               f"there (known datacenters: {', '.join(known) or 'none'}); nothing was written")
        ids |= found
    for server in scope.get("servers", []):
        found = {r[0] for r in conn.execute(
            "SELECT customer_id FROM assets WHERE (kind = 'server' AND name = ?) OR server = ?", (server, server))}
        if not found:
            raise Refused(f"incident {title!r}: scope server {server!r}: no such server in the store; "
                               "nothing was written")
        ids |= found
    for cid in scope.get("customers", []):
        if conn.execute("SELECT 1 FROM customers WHERE id = ?", (cid,)).fetchone() is None:
            raise Refused(f"incident {title!r}: scope customer {cid!r}: no such customer in the store; "
                               "nothing was written")
        ids.add(cid)
    return conn.execute("SELECT id, name, language, tier FROM customers WHERE id IN "
                        "(SELECT value FROM json_each(?)) ORDER BY id", (json.dumps(sorted(ids)),)).fetchall()


def _scope_names(conn, scope: dict[str, list[str]], customer_id: str) -> set[str]:
    """What a case of this customer may name to be about the incident: datacenters, servers, their sites."""
    names = set(scope.get("datacenter", []))
    servers = set(scope.get("servers", []))
    for dc in scope.get("datacenter", []):
        servers.update(r[0] for r in conn.execute(
            "SELECT name FROM assets WHERE kind = 'server' AND UPPER(datacenter) = ?", (dc,)))
    everything = customer_id in scope.get("customers", [])
    for kind, name, server, datacenter in conn.execute(
            "SELECT kind, name, server, UPPER(datacenter) FROM assets WHERE customer_id = ?", (customer_id,)):
        if everything or name in servers or server in servers or datacenter in names:
            names.add(name)
            if server:
                names.add(server)
    return {n for n in names if n}


def _names_pattern(names: Iterable[str]) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One pattern for whole names ("web-01" not in "web-012", "shop.fr" also before a full stop),
    and each folded name's spelling in the scope."""
    spelled = {fast_fold(n).replace("\0", " "): n for n in names}
    if not spelled:
        return None, spelled
    alternatives = sorted(map(re.escape, spelled), key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9.-])(" + "|".join(alternatives) + r")(?![a-z0-9-]|\.[a-z0-9])"), spelled


def about_incident(subject: str, messages: Iterable[tuple[str, str]], names: set[str],
                   lexicon: Lexicon) -> str:
    """Why a case is about an incident: 'names web-01', 'reports a site or service down' (or slow), or ''.

    Only the subject and what the customer wrote themselves (quotes,
    signatures and pasted logs set aside) are read; *messages* are
    (body, author) pairs of the customer's messages.
    """
    pattern, spelled = _names_pattern(names)
    down = lexicon.section("down")
    from ..core.reading import (
        read,  # the reader loads when an incident links cases, not at start
    )

    texts = [subject] + [read(body, author).text for body, author in messages]
    for text in texts:
        folded = fast_fold(text)
        if pattern is not None:
            m = pattern.search(folded)
            if m:
                return f"names {spelled[m.group(1)]}"
    slow = lexicon.section("slow")
    for text in texts:
        folded = fast_fold(text)
        words = tokens(folded)
        if down.scan(folded, words):
            return "reports a site or service down"
        if slow.scan(folded, words):
            # An affected customer's "très lent depuis ce matin" during a slowness incident is that incident.
            return "reports a site or service slow"
    return ""


def _link_open_cases(conn, customer_id: str, inc_id: str, names: set[str], lexicon: Lexicon) -> dict[str, str]:
    """Link the customer's open cases about the incident (not on another unresolved incident): {case: why}."""
    rows = conn.execute(
        "SELECT c.id, c.subject FROM cases c LEFT JOIN incidents i ON i.id = c.incident_id "
        "WHERE c.customer_id = ? AND c.is_open = 1 AND (i.id IS NULL OR i.status = 'resolved') "
        "ORDER BY c.id", (customer_id,)).fetchall()
    reasons = {}
    for case_id, subject in rows:
        messages = conn.execute(
            "SELECT body, author FROM events WHERE case_id = ? AND direction = 'in' "
            "AND kind IN ('message', 'call', 'chat') ORDER BY at, seq", (case_id,)).fetchall()
        why = about_incident(subject, [(m[0], m[1]) for m in messages], names, lexicon)
        if why:
            reasons[case_id] = why
    conn.executemany("UPDATE cases SET incident_id = ? WHERE id = ?", [(inc_id, c) for c in reasons])
    return reasons


def link(store: Store, incident_id: str, case_id: str, *, author: str, region: str, now: datetime) -> str:
    """Link one more case (a customer who wrote in later, a case the scope missed); returns the event id.

    The case then receives the next broadcast, or the latest one again if that
    broadcast is retried with the same id.
    """
    heat = store.heat_model()
    with store.write() as conn:
        row = _row(conn, incident_id)
        if row["status"] == "resolved":
            raise Refused(f"incident {incident_id} is resolved; reopen it (oncall incident update "
                               f"{incident_id} --status investigating) before linking {case_id}")
        case = conn.execute("SELECT c.customer_id, c.incident_id, i.status AS other_status FROM cases c "
                            "LEFT JOIN incidents i ON i.id = c.incident_id WHERE c.id = ?", (case_id,)).fetchone()
        if case is None:
            raise Refused(f"incident {incident_id}: no case {case_id!r} in the store")
        if case["incident_id"] == incident_id:
            raise Refused(f"case {case_id} is already linked to incident {incident_id}")
        if case["incident_id"] and case["other_status"] != "resolved":
            raise Refused(f"case {case_id} is linked to incident {case['incident_id']}, still open; "
                               "a case follows one incident at a time")
        conn.execute("UPDATE cases SET incident_id = ? WHERE id = ?", (incident_id, case_id))
        eid = insert_event(conn, case_id=case_id, customer_id=case["customer_id"], kind="incident",
                           direction="internal", author=author, body=f"Linked to incident {incident_id}: "
                           f"{row['title']}", now=now, region=region, channel="tool",
                           meta={"incident": incident_id, "title": row["title"]})
        insert_event(conn, case_id=None, customer_id=None, incident_id=incident_id, kind="incident",
                     direction="internal", author=author, region=region, channel="tool", now=now,
                     body=f"Case {case_id} ({case['customer_id']}) linked", meta={"case": case_id})
        refresh_cases(conn, [case_id], now, heat)
    return eid


def unlink(store: Store, incident_id: str, case_id: str, *, author: str, region: str, now: datetime) -> str:
    """Take a case off an incident (it was not about it); returns the case event's id.

    The case loses the incident lift and gets no more updates; its history
    keeps both the link and the unlink. Refused (nothing written) when the case
    is not linked to this incident.
    """
    heat = store.heat_model()
    with store.write() as conn:
        row = _row(conn, incident_id)
        case = conn.execute("SELECT customer_id, incident_id FROM cases WHERE id = ?", (case_id,)).fetchone()
        if case is None:
            raise Refused(f"incident {incident_id}: no case {case_id!r} in the store")
        if case["incident_id"] != incident_id:
            linked = f"linked to incident {case['incident_id']}" if case["incident_id"] else "linked to no incident"
            raise Refused(f"case {case_id} is {linked}, not to {incident_id}; nothing was changed")
        conn.execute("UPDATE cases SET incident_id = NULL WHERE id = ?", (case_id,))
        eid = insert_event(conn, case_id=case_id, customer_id=case["customer_id"], kind="incident",
                           direction="internal", author=author, now=now, region=region, channel="tool",
                           body=f"Unlinked from incident {incident_id}: {row['title']}",
                           meta={"incident": incident_id, "title": row["title"], "unlinked": True})
        insert_event(conn, case_id=None, customer_id=None, incident_id=incident_id, kind="incident",
                     direction="internal", author=author, region=region, channel="tool", now=now,
                     body=f"Case {case_id} ({case['customer_id']}) unlinked", meta={"case": case_id, "unlinked": True})
        refresh_cases(conn, [case_id], now, heat)
    return eid


# -- updates -----------------------------------------------------------------

def broadcast(store: Store, incident_id: str, *, fr: str, en: str, author: str, region: str, now: datetime,
              broadcast_id: str | None = None, outbox_source: str | None = None, status: str | None = None,
              next_update_minutes: int | None = None, create_source: str | None = None) -> BroadcastResult:
    """Send one update to every linked case, in the customer's language; idempotent per broadcast id.

    Each case's history gets the update; on the helpdesk a customer is mailed
    once, on their first linked ticket, and their other tickets get an internal comment.

    An empty *fr* or *en* is drafted from the template (title and status). With
    *status*, the incident moves to it in the same transaction (not 'resolved':
    use `resolve`). *broadcast_id* defaults to a hash of the incident and the texts.
    *create_source*: the helpdesk where a case the tool opened gets its ticket.
    """
    fr, en = fr.strip(), en.strip()  # an empty text is drafted from the template (title and status)
    if status is not None and status == "resolved":
        raise Refused(f"incident {incident_id}: resolve it with a closing update (oncall incident resolve)")
    heat = store.heat_model()
    with store.write() as conn:
        row = _row(conn, incident_id)
        if status is not None:
            _change_status(conn, row, status, author=author, region=region, now=now, heat=heat,
                           quiet_if_same=True)
            row = _row(conn, incident_id)
        bid = broadcast_id or _default_broadcast_id(incident_id, fr, en, row["status"])
        return _broadcast(conn, row, fr=fr, en=en, author=author, region=region, now=now, broadcast_id=bid,
                          outbox_source=outbox_source, heat=heat, next_update_minutes=next_update_minutes,
                          create_source=create_source)


def set_status(store: Store, incident_id: str, status: str, *, author: str, now: datetime,
               region: str = "") -> str:
    """Move the incident to *status* (investigating/identified/monitoring; reopening clears resolved_at)."""
    if status == "resolved":
        raise Refused(f"incident {incident_id}: resolve it with a closing update (oncall incident resolve)")
    heat = store.heat_model()
    with store.write() as conn:
        return _change_status(conn, _row(conn, incident_id), status, author=author, region=region, now=now,
                              heat=heat)


def resolve(store: Store, incident_id: str, *, closing_fr: str = "", closing_en: str = "", notes: str = "",
            author: str, region: str, now: datetime, broadcast_id: str | None = None,
            outbox_source: str | None = None, create_source: str | None = None) -> BroadcastResult:
    """Close the incident: a closing update to every linked case, post-incident notes, heat floor removed."""
    heat = store.heat_model()
    with store.write() as conn:
        row = _row(conn, incident_id)
        if row["status"] == "resolved":
            raise Refused(f"incident {incident_id} is already resolved (at {row['resolved_at']}); "
                               "nothing was sent")
        _change_status(conn, row, "resolved", author=author, region=region, now=now, heat=heat)
        conn.execute("UPDATE incidents SET resolved_at = ? WHERE id = ?", (format_ts(now), incident_id))
        row = _row(conn, incident_id)
        bid = broadcast_id or f"closing-{now.strftime('%Y%m%dT%H%M%S')}"
        result = _broadcast(conn, row, fr=closing_fr.strip(), en=closing_en.strip(), author=author, region=region,
                            now=now, broadcast_id=bid, outbox_source=outbox_source, heat=heat, closing=True,
                            create_source=create_source)
        if notes.strip():
            insert_event(conn, case_id=None, customer_id=None, incident_id=incident_id, kind="note",
                         direction="internal", author=author, region=region, channel="note", now=now,
                         body=notes.strip(), meta={"post_incident": True},
                         event_id=f"{incident_id}:post-incident:{bid}")
        refresh_cases(conn, _linked_case_ids(conn, incident_id), now, heat)
    return result


def _default_broadcast_id(incident_id: str, fr: str, en: str, status: str) -> str:
    digest = hashlib.sha1("\x1f".join((incident_id, status, fr, en)).encode()).hexdigest()
    return "b" + digest[:12]


def _broadcast(conn, row, *, fr: str, en: str, author: str, region: str, now: datetime, broadcast_id: str,
               outbox_source: str | None, heat: HeatModel, next_update_minutes: int | None = None,
               closing: bool = False, create_source: str | None = None) -> BroadcastResult:
    inc_id = row["id"]
    if not _BROADCAST_ID.match(broadcast_id):
        raise Refused(f"incident {inc_id}: broadcast id {broadcast_id!r}: use letters, digits, '.', '_' "
                           "or '-' (up to 64), no ':'")
    title_fr = _title_fr(conn, inc_id)
    drafted = []
    if not fr:
        fr = words.draft_update("fr", title=row["title"], status=row["status"], title_fr=title_fr,
                                next_update_minutes=next_update_minutes)
        drafted.append("fr")
    if not en:
        en = words.draft_update("en", title=row["title"], status=row["status"],
                                next_update_minutes=next_update_minutes)
        drafted.append("en")
    timeline_id = f"{inc_id}:{broadcast_id}"
    already = conn.execute("SELECT 1 FROM events WHERE id = ?", (timeline_id,)).fetchone() is not None
    cases = conn.execute(
        "SELECT c.id, c.customer_id, c.subject, c.external_ref, cu.language, cu.emails FROM cases c "
        "JOIN customers cu ON cu.id = c.customer_id WHERE c.incident_id = ? ORDER BY c.id", (inc_id,)).fetchall()
    written, skipped, queued = [], [], 0
    mailed: dict[str, str] = {}  # customer -> the case whose ticket mails them this update
    meta_common = {"incident": inc_id, "broadcast": broadcast_id, "status": row["status"]}
    if closing:
        meta_common["closing"] = True
    for case in cases:
        eid = f"{timeline_id}:{case['id']}"
        if conn.execute("SELECT 1 FROM events WHERE id = ?", (eid,)).fetchone() is not None:
            skipped.append(case["id"])
            continue
        lang = "fr" if words.is_french(case["language"]) else "en"
        body = fr if lang == "fr" else en
        insert_event(conn, case_id=case["id"], customer_id=case["customer_id"], kind="message", direction="out",
                     author=author, region=region, channel="email", now=now, body=body,
                     meta={**meta_common, "language": lang}, event_id=eid)
        written.append(case["id"])
        target = _outbox_target(case["external_ref"], outbox_source, create_source)
        if target is not None:
            source, action = target
            text = body
            if action == "correspond":
                first = mailed.setdefault(case["customer_id"], case["id"])
                if first != case["id"]:
                    # One mail per customer: their other tickets record the update as an internal comment.
                    action, text = "comment", f"Incident update mailed to the customer with {first}:\n\n{body}"
            enqueue(conn, eid, case["id"], source, action,
                    {"text": text, "external_ref": case["external_ref"], "subject": case["subject"],
                     "customer": case["customer_id"], "emails": json.loads(case["emails"] or "[]")}, now,
                    author=author)
            queued += 1
    if not already:
        insert_event(conn, case_id=None, customer_id=None, incident_id=inc_id, kind="message", direction="out",
                     author=author, region=region, channel="email", now=now, body=f"[fr] {fr}\n\n[en] {en}",
                     meta={**meta_common, "fr": fr, "en": en, "recipients": len(written), "drafted": drafted},
                     event_id=timeline_id)
        conn.execute("UPDATE incidents SET last_update_at = ? WHERE id = ?", (format_ts(now), inc_id))
    refresh_cases(conn, written, now, heat)
    return BroadcastResult(inc_id, broadcast_id, tuple(written), tuple(skipped), queued, already, fr, en,
                           tuple(drafted))


def _outbox_target(external_ref: str, outbox_source: str | None,
                   create_source: str | None = None) -> tuple[str, str] | None:
    """(source, action) to queue a case's update for its helpdesk, or None when it stays local.

    With an explicit source every case is queued: a reply on a helpdesk ticket, or
    a new ticket for a case the tool opened. Without one, a case whose external_ref
    names a helpdesk ("rt:123") is queued for that helpdesk kind, and a case the
    tool opened gets a new ticket in *create_source* (when there is one).
    """
    if outbox_source:
        return outbox_source, "correspond" if external_ref else "create"
    kind, sep, ticket = external_ref.partition(":")
    if sep and kind and ticket:
        return kind, "correspond"
    if not external_ref and create_source:
        return create_source, "create"
    return None


def _change_status(conn, row, status: str, *, author: str, region: str, now: datetime, heat: HeatModel,
                   quiet_if_same: bool = False) -> str:
    if status not in INCIDENT_STATUSES:
        raise Refused(f"incident {row['id']}: status {status!r} is not one of {'|'.join(INCIDENT_STATUSES)}")
    if row["status"] == status:
        if quiet_if_same:
            return ""
        raise Refused(f"incident {row['id']} is already {status}")
    eid = insert_event(conn, case_id=None, customer_id=None, incident_id=row["id"], kind="status",
                       direction="internal", author=author, region=region, channel="tool", now=now,
                       body=f"{row['status']} → {status}", meta={"from": row["status"], "to": status})
    conn.execute("UPDATE incidents SET status = ? WHERE id = ?", (status, row["id"]))
    if row["status"] == "resolved":  # reopened: the linked cases get their floor back
        conn.execute("UPDATE incidents SET resolved_at = NULL WHERE id = ?", (row["id"],))
        refresh_cases(conn, _linked_case_ids(conn, row["id"]), now, heat)
    return eid


def _row(conn, incident_id: str):
    row = conn.execute("SELECT * FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    if row is None:
        raise NotFound(f"no incident {incident_id!r} in the store (see: oncall incident list --all)")
    return row


def _title_fr(conn, incident_id: str) -> str:
    row = conn.execute("SELECT meta FROM events WHERE id = ?", (f"{incident_id}:declared",)).fetchone()
    return json.loads(row[0]).get("title_fr", "") if row else ""


def _linked_case_ids(conn, incident_id: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT id FROM cases WHERE incident_id = ? ORDER BY id", (incident_id,))]

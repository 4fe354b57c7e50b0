"""Reading `oncall export` out of the store: everything about some customers, in one snapshot.

`build_export` reads one consistent snapshot of the store (a read transaction,
so another engineer's write cannot land half inside it) into plain rows; the
core turns them into the interchange document, CSV tables or dossiers
(`core.export_doc`, `core.export_md`).
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

from ..core.errors import NotFound, StoreCorrupt
from ..core.export_doc import Export, canonical
from ..core.handoff import body_about
from .db import Store

# -- reading ----------------------------------------------------------------

def build_export(store: Store, customer_ids: Iterable[str] | None = None) -> Export:
    """Everything about *customer_ids* (all customers when None) from one snapshot.

    Raises NotFound naming any unknown customer id, or StoreCorrupt for a stored
    JSON column that does not parse.
    """
    with store.snapshot() as conn:  # one read snapshot for all the queries below
        return _read(conn, None if customer_ids is None else list(dict.fromkeys(customer_ids)))


_EVENT_COLUMNS = ("seq, id, case_id, customer_id, incident_id, at, kind, direction, author, author_region, "
                  "channel, body, meta")


def _read(conn, wanted: list[str] | None) -> Export:
    exp = Export()
    if wanted is not None:
        known = {r[0] for r in conn.execute(f"SELECT id FROM customers WHERE id IN ({_marks(wanted)})", wanted)}
        missing = [c for c in wanted if c not in known]
        if missing:
            raise NotFound("unknown customer " + ", ".join(repr(c) for c in missing))
    params = wanted or []
    of_customers = "" if wanted is None else f"WHERE customer_id IN ({_marks(wanted)})"

    for r in conn.execute(f"SELECT * FROM customers {of_customers.replace('customer_id', 'id')} ORDER BY id",
                          params):
        exp.customers.append({**dict(r), "emails": _json(r["emails"], f"customer {r['id']!r}: emails")})
    exp.assets = [dict(r) for r in conn.execute(
        f"SELECT customer_id, kind, name, ipv4, ipv6, datacenter, server, webroot FROM assets {of_customers} "
        "ORDER BY customer_id, kind, name", params)]
    exp.cases = [dict(r) for r in conn.execute(
        "SELECT id, customer_id, subject, status, opened_at, assignee, summary, external_ref, incident_id "
        f"FROM cases {of_customers} ORDER BY opened_at, id", params)]
    case_ids = {c["id"] for c in exp.cases}

    for r in conn.execute("SELECT id, author, region, at, body, case_ids FROM handoffs ORDER BY at, id"):
        every = _json(r["case_ids"], f"handoff {r['id']!r}: case_ids")
        mentioned, body = every, r["body"]
        if wanted is not None:
            # Only this selection's cases: another customer's case ids and words are not theirs to take.
            mentioned = [c for c in every if c in case_ids]
            if not mentioned:
                continue
            body = body_about(body, set(mentioned), set(every) - set(mentioned))
        exp.handoffs.append({**dict(r), "case_ids": mentioned, "body": body})
    handoff_ids = {h["id"] for h in exp.handoffs}
    exp.acks = [dict(r) for r in conn.execute(
        "SELECT handoff_id, case_id, engineer, at FROM handoff_acks ORDER BY handoff_id, at, case_id, engineer")
        if r["handoff_id"] in handoff_ids and (wanted is None or r["case_id"] in case_ids)]

    if wanted is None:
        events = conn.execute(f"SELECT {_EVENT_COLUMNS} FROM events ORDER BY at, seq").fetchall()
        incidents = conn.execute("SELECT * FROM incidents ORDER BY opened_at, id").fetchall()
    else:
        # Two indexed queries rather than one OR: the case events, then customer-level ones (facts).
        events = conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE case_id IN (SELECT id FROM cases {of_customers})",
            params).fetchall()
        events += conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events {of_customers} AND case_id IS NULL", params).fetchall()
        ids = sorted({c["incident_id"] for c in exp.cases if c["incident_id"]}
                     | {e["incident_id"] for e in events if e["incident_id"]})
        incidents = conn.execute(
            f"SELECT * FROM incidents WHERE id IN ({_marks(ids)}) ORDER BY opened_at, id", ids).fetchall()
        # An incident's own timeline (no case) belongs to every customer it touches.
        events += conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE case_id IS NULL AND customer_id IS NULL "
            f"AND incident_id IN ({_marks(ids)})", ids).fetchall()
        # Events about a handoff itself (e.g. its webhook post) travel with the handoff.
        hids = sorted(handoff_ids)
        events += conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE case_id IS NULL AND customer_id IS NULL "
            "AND incident_id IS NULL AND CASE WHEN json_valid(meta) THEN json_extract(meta, '$.handoff_id') END "
            f"IN ({_marks(hids)})", hids).fetchall()
        events.sort(key=lambda e: (e["at"], e["seq"]))
    files = _attachments(conn, [e["id"] for e in events])
    exp.events = [{**dict(e), "meta": canonical(_json(e["meta"], f"event {e['id']!r}: meta")),
                   "attachments": files.get(e["id"], [])} for e in events]
    exp.incidents = [{**dict(r), "scope": canonical(_json(r["scope"], f"incident {r['id']!r}: scope"))}
                     for r in incidents]
    if wanted is not None and (exp.incidents or any(e["customer_id"] is None for e in exp.events)):
        # An incident's own records list every customer and case it touched: keep this selection's only.
        foreign = {r[0] for r in conn.execute(
            f"SELECT id FROM cases WHERE customer_id NOT IN ({_marks(wanted)}) "
            f"UNION SELECT id FROM customers WHERE id NOT IN ({_marks(wanted)})", [*wanted, *wanted])}
        for e in exp.events:
            if e["customer_id"] is None:
                e["meta"] = _without(e["meta"], foreign)
                e["body"] = _redacted(e["body"], foreign)
        for i in exp.incidents:
            i["scope"] = _without(i["scope"], foreign)

    engineers = conn.execute("SELECT name, region, city, timezone FROM engineers ORDER BY name").fetchall()
    if wanted is not None:
        # The engineers these records name (owners, assignees, authors), not the whole team.
        named = ({c["owner"] for c in exp.customers} | {c["assignee"] for c in exp.cases}
                 | {e["author"] for e in exp.events} | {h["author"] for h in exp.handoffs}
                 | {a["engineer"] for a in exp.acks} | {i["opened_by"] for i in exp.incidents})
        engineers = [r for r in engineers if r["name"] in named]
    exp.engineers = [dict(r) for r in engineers]
    return exp


def _attachments(conn, event_ids: list[str]) -> dict[str, list[dict]]:
    """The files described on each of *event_ids* (name, type, size, ref), in their order."""
    found: dict[str, list[dict]] = {}
    for start in range(0, len(event_ids), 500):
        chunk = event_ids[start:start + 500]
        for r in conn.execute("SELECT event_id, name, content_type, size, ref FROM attachments "
                              f"WHERE event_id IN ({_marks(chunk)}) ORDER BY event_id, position", chunk):
            found.setdefault(r["event_id"], []).append(
                {"name": r["name"], "type": r["content_type"], "size": r["size"], "ref": r["ref"]})
    return found


def _without(value: Any, foreign: set[str]) -> Any:
    """*value* (meta, scope) without the strings that are another customer's or case's id."""
    if isinstance(value, dict):
        return {k: _without(v, foreign) for k, v in value.items() if not (isinstance(v, str) and v in foreign)}
    if isinstance(value, list):
        return [_without(v, foreign) for v in value if not (isinstance(v, str) and v in foreign)]
    return value


_ID = re.compile(r"[\w-]+")


def _redacted(text: str, foreign: set[str]) -> str:
    """*text* with another customer's or case's id replaced by "(another customer)"."""
    return _ID.sub(lambda m: "(another customer)" if m.group() in foreign else m.group(), text)


def _marks(values: list) -> str:
    return ",".join("?" * len(values)) or "NULL"


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError) as exc:
        raise StoreCorrupt(f"{what}: stored value is not JSON ({exc}); fix the record, then export again") from None

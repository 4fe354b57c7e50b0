"""The Markdown dossier of `oncall export --format md`: one readable file per customer.

Customer text is shown as typed and never as markup: control characters
become visible symbols and Markdown specials are escaped; bodies go in fenced
blocks longer than any backtick run inside them.
"""

from __future__ import annotations

import json
import re
from typing import Iterable

from .errors import NotFound
from .export_doc import Export
from .visible import visible

# Characters that could start markup. `_` only matters at a word edge and `&`
# only as an entity, so "shop_prod" and "Q&A" stay as typed.
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|~#])|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])|&(?=#?\w+;)")


def _inline(text: str) -> str:
    """One line of customer text inside Markdown: shown as typed, never as markup."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(), visible(text))


def _block(text: str, info: str = "text") -> list[str]:
    """*text* as a fenced block longer than any backtick run inside it, so nothing can close it."""
    body = visible(text.replace("\r\n", "\n").replace("\r", "\n"), multiline=True)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, *body.split("\n"), fence, ""]


def render_markdown(exp: Export, customer_id: str) -> str:
    """A readable dossier of one customer: who, assets, then each case with summary and timeline."""
    if not any(c["id"] == customer_id for c in exp.customers):
        raise NotFound(f"unknown customer {customer_id!r}")
    return markdown_dossiers(exp, [customer_id])[customer_id]


def markdown_dossiers(exp: Export, customer_ids: Iterable[str] | None = None) -> dict[str, str]:
    """Customer id -> dossier, for *customer_ids* (default: every exported customer).

    The records are grouped once, so a thousand dossiers cost one pass, not a thousand.
    """
    ix = _Index(exp)
    wanted = set(customer_ids) if customer_ids is not None else None
    return {c["id"]: _dossier(ix, c) for c in exp.customers if wanted is None or c["id"] in wanted}


class _Index:
    def __init__(self, exp: Export) -> None:
        self.assets = _group(exp.assets, "customer_id")
        self.cases = _group(exp.cases, "customer_id")
        self.case_events = _group([e for e in exp.events if e["case_id"]], "case_id")
        self.loose_events = _group([e for e in exp.events if not e["case_id"] and e["customer_id"]], "customer_id")
        self.incident_events = _group([e for e in exp.events if not e["case_id"] and not e["customer_id"]],
                                      "incident_id")
        self.incidents = {i["id"]: i for i in exp.incidents}
        self.acks = _group(exp.acks, "handoff_id")
        self.handoffs: dict[str, list[dict]] = {}
        for h in exp.handoffs:
            for case_id in dict.fromkeys(h["case_ids"]):
                self.handoffs.setdefault(case_id, []).append(h)


def _group(rows: list[dict], key: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return out


def _dossier(ix: _Index, cust: dict) -> str:
    out = [f"# {_inline(cust['name'])}", "",
           f"- Customer id: {_inline(cust['id'])}",
           f"- Language: {_inline(cust['language'])}",
           f"- Tier: {_inline(cust['tier'])}",
           f"- Owner: {_inline(cust['owner']) or '—'}",
           f"- Time zone: {_inline(cust['timezone'])}",
           f"- Emails: {', '.join(_inline(e) for e in cust['emails']) or '—'}", ""]
    if cust.get("facts"):
        out += ["## What we know", "", *_block(cust["facts"])]

    out += ["## Assets", ""]
    assets = ix.assets.get(cust["id"], [])
    for kind, title in (("server", "Servers"), ("domain", "Domains"), ("database", "Databases")):
        out += [f"### {title}", "", *([_asset_line(a) for a in assets if a["kind"] == kind] or ["None."]), ""]

    cases = ix.cases.get(cust["id"], [])
    out += ["## Cases", "", *([] if cases else ["None.", ""])]
    for case in cases:
        facts = [f"status {_inline(case['status'])}", f"opened {case['opened_at']}",
                 f"assignee {_inline(case['assignee']) or '—'}"]
        if case["external_ref"]:
            facts.append(f"ref {_inline(case['external_ref'])}")
        if case["incident_id"]:
            facts.append(f"incident {_inline(case['incident_id'])}")
        out += [f"### {_inline(case['id'])}: {_inline(case['subject'])}", "", " · ".join(facts), "",
                "#### Summary", "", *(_block(case["summary"]) if case["summary"] else ["No summary yet.", ""]),
                "#### Timeline", "", *_timeline(ix.case_events.get(case["id"], []))]

    loose = ix.loose_events.get(cust["id"], [])
    if loose:
        out += ["## Customer history outside cases", "", *_timeline(loose)]
    incident_ids = list(dict.fromkeys(c["incident_id"] for c in cases if c["incident_id"] in ix.incidents))
    if incident_ids:
        out += ["## Incidents", ""]
        for inc in sorted((ix.incidents[i] for i in incident_ids), key=lambda i: (i["opened_at"], i["id"])):
            out += [f"### {_inline(inc['id'])}: {_inline(inc['title'])}", "",
                    f"status {_inline(inc['status'])} · opened {inc['opened_at']}"
                    + (f" · resolved {inc['resolved_at']}" if inc["resolved_at"] else ""), "",
                    *_timeline(ix.incident_events.get(inc["id"], []))]
    mine = {c["id"] for c in cases}
    handoffs = {h["id"]: h for case in cases for h in ix.handoffs.get(case["id"], [])}
    if handoffs:
        out += ["## Handoffs", ""]
        for h in sorted(handoffs.values(), key=lambda h: (h["at"], h["id"])):
            region = f" ({_inline(h['region'])})" if h["region"] else ""
            ours = ", ".join(_inline(c) for c in h["case_ids"] if c in mine)
            out += [f"**{h['at']}** · {_inline(h['author'])}{region} · cases {ours}", "", *_block(h["body"])]
            acks = [a for a in ix.acks.get(h["id"], []) if a["case_id"] in mine]
            out += [f"- acknowledged by {_inline(a['engineer'])} for {_inline(a['case_id'])} at {a['at']}"
                    for a in acks] + ([""] if acks else [])
    return "\n".join(out).rstrip("\n") + "\n"


def _asset_line(a: dict) -> str:
    parts = []
    for key, label in (("datacenter", "datacenter"), ("ipv4", "IPv4"), ("ipv6", "IPv6"),
                       ("server", "on server"), ("webroot", "webroot")):
        if a[key]:
            parts.append(f"{label} {_inline(a[key])}")
    return f"- {_inline(a['name'])}" + (" — " + " · ".join(parts) if parts else "")


def _timeline(events: list[dict]) -> list[str]:
    if not events:
        return ["No events.", ""]
    out = []
    for e in events:
        who = _inline(e["author"]) + (f" ({_inline(e['author_region'])})" if e["author_region"] else "")
        head = [f"**{e['at']}**", _inline(e["direction"]), who, _inline(e["channel"] or "—"), _inline(e["kind"])]
        out += [" · ".join(head), "", *_block(e["body"])]
        for a in e.get("attachments") or ():
            out += [f"- attachment: {_inline(a['name'])} ({_inline(a['type'] or 'unknown type')}, {a['size']} bytes)"]
        if e.get("attachments"):
            out.append("")
        if e["kind"] == "action" and e["meta"]:
            # What an action did (target, outcome) lives in its meta: part of the record.
            out += _block(json.dumps(e["meta"], ensure_ascii=False, indent=2), info="json")
    return out

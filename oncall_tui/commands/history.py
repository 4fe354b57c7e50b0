"""`oncall history CUSTOMER`: one customer's whole timeline, by id, e-mail or name."""

from __future__ import annotations

from .common import open_session, print_json, say


def register(sub, common) -> None:
    p = sub.add_parser("history", help="a customer's whole history (CUSTOMER: an id, an e-mail or a name)")
    p.add_argument("customer")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run="history:cmd_history")


def cmd_history(args) -> int:
    from ..core.timeutil import format_ts
    from ..usecases import history

    session = open_session(args)
    try:
        found = history.customer_history(session, args.customer)
    finally:
        session.close()
    c = found.customer
    if args.json:
        print_json({
            "customer": {"id": c.id, "name": c.name, "language": c.language, "timezone": c.timezone, "tier": c.tier,
                         "owner": c.owner, "emails": list(c.emails), "facts": c.facts},
            "assets": _assets(found.assets),
            "cases": list(found.cases),
            "events": [{"seq": e.seq, "id": e.id, "case_id": e.case_id, "subject": e.subject, "at": format_ts(e.at),
                        "kind": e.kind, "direction": e.direction, "author": e.author,
                        "author_region": e.author_region, "channel": e.channel, "body": e.body, "meta": e.meta,
                        "attachments": [{"name": a.name, "type": a.content_type, "size": a.size}
                                        for a in e.attachments]}
                       for e in found.events]})
        return 0
    say(f"{c.name} ({c.id}) · {c.language} · {c.tier} · owner {c.owner or '-'} · {c.timezone}")
    for a in found.assets:
        say(f"  {a.kind:<8} {a.name} {a.datacenter} {a.ipv4} {a.ipv6}".rstrip())
    for e in found.events:
        arrow = {"in": "<-", "out": "->"}.get(e.direction, "..")
        say(f"{format_ts(e.at)} {e.case_id or '-':<10} {arrow} {e.author} [{e.kind}/{e.channel or '-'}]")
        for line in (e.body or "").splitlines():
            say(f"    {line}")
        for a in e.attachments:
            say(f"    attachment: {a.line}")
    return 0


def _assets(assets):
    return [{"kind": a.kind, "name": a.name, "datacenter": a.datacenter, "ipv4": a.ipv4, "ipv6": a.ipv6,
             "server": a.server, "webroot": a.webroot} for a in assets]

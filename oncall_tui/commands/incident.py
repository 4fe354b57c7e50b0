"""`oncall incident`: declare an outage, tell every affected customer, resolve it — from a shell or a bot.

    oncall incident open --title "Power outage in SBG" --scope datacenter=SBG
    oncall incident update INC-20261123-01 --fr "..." --en "..." [--status identified]
    oncall incident resolve INC-20261123-01 [--fr ..] [--en ..] [--notes ..]
    oncall incident link INC-20261123-01 T-1234
    oncall incident list [--all] [--json]
    oncall incident show INC-20261123-01 [--json]
"""

from __future__ import annotations

import argparse

from .common import EXIT_REFUSED, open_session, parse_now, print_json, say

STATUSES = ("investigating", "identified", "monitoring")


def _fail(what: str, exc: Exception) -> int:
    say(f"oncall incident {what}: {exc}", err=True)
    return EXIT_REFUSED


def _session(args):
    return open_session(args, now=parse_now(getattr(args, "now", None)))


def cmd_open(args) -> int:
    from ..core.incident_text import ScopeError, parse_scope
    from ..usecases import incidents

    try:
        scope = parse_scope(args.scope)
    except ScopeError as exc:
        return _fail("open", exc)
    session = _session(args)
    try:
        inc = incidents.declare(session, title=args.title, title_fr=args.title_fr or "", scope=scope)
    finally:
        session.close()
    if args.json:
        print_json({**inc.to_json(), "opened_cases": list(inc.opened_cases)})
    else:
        say(f"{inc.id} declared: {inc.title} — {inc.customers} customer(s), "
            f"{inc.cases - len(inc.opened_cases)} open case(s) linked, {len(inc.opened_cases)} case(s) opened")
    return 0


def _print_result(args, res, verb: str) -> None:
    if args.json:
        print_json({"incident": res.incident_id, "broadcast": res.broadcast_id, "written": list(res.written),
                     "skipped": list(res.skipped), "queued": res.queued, "already_sent": res.already_sent,
                     "drafted": list(res.drafted), "fr": res.fr, "en": res.en})
    elif res.already_sent and not res.written:
        say(f"{res.incident_id}: update {res.broadcast_id} was already sent to all {len(res.skipped)} case(s); "
              "nothing sent again (to repeat the same text on purpose, pass a new --broadcast-id)")
    else:
        drafted = f"; {'/'.join(res.drafted)} drafted from the template" if res.drafted else ""
        again = f" ({len(res.skipped)} already had it)" if res.skipped else ""
        say(f"{res.incident_id}: {verb} {res.broadcast_id} written to {len(res.written)} case(s){again}, "
              f"{res.queued} queued for the helpdesk{drafted}")


def cmd_update(args) -> int:
    from ..usecases import incidents

    if not (args.fr or args.en or args.status):
        return _fail(f"update {args.id}", ValueError("give --fr and/or --en text, or --status"))
    session = _session(args)
    try:
        if not (args.fr or args.en):
            incidents.set_status(session, args.id, args.status)
            say(f"{args.id}: status {args.status} (no update sent to customers)")
            return 0
        res = incidents.update(session, args.id, fr=args.fr or "", en=args.en or "", status=args.status,
                               broadcast_id=args.broadcast_id, outbox_source=args.outbox_source)
    finally:
        session.close()
    _print_result(args, res, "update")
    return 0


def cmd_resolve(args) -> int:
    from ..usecases import incidents

    session = _session(args)
    try:
        res = incidents.resolve(session, args.id, fr=args.fr or "", en=args.en or "", notes=args.notes or "",
                                broadcast_id=args.broadcast_id, outbox_source=args.outbox_source)
    finally:
        session.close()
    _print_result(args, res, "closing update")
    return 0


def cmd_link(args) -> int:
    from ..usecases import incidents

    session = _session(args)
    try:
        incidents.link(session, args.id, args.case)
    finally:
        session.close()
    say(f"{args.case} linked to {args.id}; it gets the next update")
    return 0


def cmd_list(args) -> int:
    from ..usecases import incidents

    session = _session(args)
    try:
        rows = incidents.listing(session, include_resolved=args.all)
        banners = {b.incident_id: b for b in incidents.banners(session)}
    finally:
        session.close()
    if args.json:
        print_json([i.to_json() for i in rows])
        return 0
    if not rows:
        say("no open incident" if not args.all else "no incident")
    for i in rows:
        if i.status == "resolved" or i.id not in banners:
            say(f"{i.id}  resolved {i.resolved_at}  {i.customers} customer(s)  {i.title}")
        else:
            say(banners[i.id].text())
    return 0


def cmd_show(args) -> int:
    from ..usecases import incidents

    session = _session(args)
    try:
        detail = incidents.detail(session, args.id)
    finally:
        session.close()
    if args.json:
        print_json(detail.to_json())
        return 0
    inc = detail.incident
    told = sum(a.told for a in detail.affected)
    say(f"{inc.id} {inc.title} · {inc.status} · opened {inc.opened_at} by {inc.opened_by or '-'}"
        + (f" · resolved {inc.resolved_at}" if inc.resolved_at else ""))
    say(f"  scope: {', '.join(f'{k}={v}' for k, vs in inc.scope.items() for v in vs)}")
    say(f"  {len(detail.affected)} customer(s), {told} told the latest update")
    for a in detail.affected:
        say(f"  {'✓' if a.told else '✗'} {a.id:<12} {a.name[:30]:<30} {a.tier:<9} {a.language:<5} "
            f"{', '.join(a.cases)}")
    for e in detail.timeline:
        say(f"{e['at']} {e['author']} [{e['kind']}]")
        for line in (e["body"] or "").splitlines():
            say(f"    {line}")
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("incident", help="declare, update and resolve provider-wide incidents")
    inner = p.add_subparsers(dest="incident_command", required=True,
                             parser_class=lambda **kw: argparse.ArgumentParser(parents=[common], **kw))

    def writer(name: str, help_: str):
        q = inner.add_parser(name, help=help_)
        q.add_argument("--author", help="who writes (default: ONCALL_USER, config, Unix user)")
        q.add_argument("--now", help="record at this ISO 8601 instant (replays, tests)")
        return q

    q = writer("open", "declare an incident and link every affected customer")
    q.add_argument("--title", required=True)
    q.add_argument("--title-fr", help="the title for French-speaking customers' new cases")
    q.add_argument("--scope", action="append", default=[], metavar="KIND=NAME",
                   help="datacenter=SBG, server=web-01 or customer=c-1 (repeat for more)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(run="incident:cmd_open")

    for name, help_, verb in (("update", "send an update to every affected customer", "update"),
                              ("resolve", "close the incident with a final update", "closing update")):
        q = writer(name, help_)
        q.add_argument("id")
        q.add_argument("--fr", help=f"the {verb} for French speakers (empty: drafted from the template)")
        q.add_argument("--en", help=f"the {verb} for everyone else (empty: drafted from the template)")
        q.add_argument("--broadcast-id", help="reuse on retry so nothing is sent twice (default: from the text)")
        q.add_argument("--outbox-source", help="queue the messages for this helpdesk source")
        q.add_argument("--json", action="store_true")
        if name == "update":
            q.add_argument("--status", choices=STATUSES)
            q.set_defaults(run="incident:cmd_update")
        else:
            q.add_argument("--notes", help="post-incident notes: the cause, what changes")
            q.set_defaults(run="incident:cmd_resolve")

    q = writer("link", "link one more case to an incident")
    q.add_argument("id")
    q.add_argument("case")
    q.set_defaults(run="incident:cmd_link")

    q = inner.add_parser("list", help="open incidents (all with --all)")
    q.add_argument("--all", action="store_true")
    q.add_argument("--now", help="evaluate 'last update' at this ISO 8601 instant")
    q.add_argument("--json", action="store_true")
    q.set_defaults(run="incident:cmd_list")

    q = inner.add_parser("show", help="an incident, its affected customers and its timeline")
    q.add_argument("id")
    q.add_argument("--json", action="store_true")
    q.set_defaults(run="incident:cmd_show")

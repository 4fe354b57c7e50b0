"""`oncall queue` and `oncall explain`: the ranked queue and why a case is hot."""

from __future__ import annotations

from .common import open_session, parse_now, print_json, say


def register(sub, common) -> None:
    p = sub.add_parser("queue", help="the ranked queue, each case with why it is hot")
    p.add_argument("--json", action="store_true")
    p.add_argument("--now", help="rank at this ISO 8601 instant (nothing is written)")
    p.add_argument("--limit", type=int)
    p.add_argument("--view", choices=("all", "waiting", "mine", "region"), default="all")
    p.add_argument("--sort", choices=("heat", "waiting", "age", "customer"), default="heat",
                   help="hottest first (default), longest waiting on us first, oldest first, or by customer")
    p.set_defaults(run="queue:cmd_queue")

    p = sub.add_parser("refold", help="re-read every case's conversation with this version's heat model "
                                      "(after an upgrade, or a change to the site's lexicon)")
    p.set_defaults(run="queue:cmd_refold")

    p = sub.add_parser("resolve-done", help="resolve a case its customer said is done (thanks, it works, close it)")
    p.add_argument("case")
    p.set_defaults(run="queue:cmd_resolve_done")

    p = sub.add_parser("explain", help="why a case is hot, term by term")
    p.add_argument("case")
    p.add_argument("--now", help="evaluate at this ISO 8601 instant")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run="queue:cmd_explain")


def cmd_queue(args) -> int:
    from ..ui.timefmt import short_duration
    from ..usecases import queue

    now = parse_now(args.now)
    session = open_session(args)
    try:
        ranked = queue.ranked(session, view=args.view, limit=args.limit, now=now, sort=args.sort)
    finally:
        session.close()
    if args.json:
        print_json(ranked.rows)
        return 0
    if ranked.heat_at is not None:
        say(f"oncall queue: read-only: heat as of the last tick, {ranked.heat_at:%Y-%m-%d %H:%M} UTC", err=True)
    for r in ranked.rows:
        why = "; ".join(t["value"] for t in r["terms"][:3])
        waited = short_duration(r["waiting_seconds"]) if r["waiting_seconds"] else "-"
        say(f"{r['heat']:>3}  {r['id']:<10} {r['customer_name'][:24]:<24} {waited:>6}  {r['subject'][:40]:<40}  {why}")
    return 0


def cmd_explain(args) -> int:
    from ..usecases import queue

    now = parse_now(args.now)
    session = open_session(args)
    try:
        subject, heat = queue.explain(session, args.case, now)
    finally:
        session.close()
    if args.json:
        print_json({"id": args.case, "heat": heat.score, "terms": [
            {"name": t.name, "value": t.value, "points": round(t.points, 1)} for t in heat.terms]})
        return 0
    say(f"{args.case} {subject} — heat {heat.score}/100")
    for t in heat.terms:
        say(f"  {t.points:>5.1f}  {t.name:<12} {t.value}")
    return 0


def cmd_refold(args) -> int:
    from ..usecases import queue

    session = open_session(args)
    try:
        n = queue.refold(session)
    finally:
        session.close()
    say(f"oncall refold: {n} cases re-read; their heat is current")
    return 0


def cmd_resolve_done(args) -> int:
    from ..usecases import queue

    session = open_session(args)
    try:
        done = queue.probably_done(session, args.case)
        queue.resolve_done(session, args.case)
    finally:
        session.close()
    said = " / ".join(done.said) if done else ""
    say(f"{args.case} resolved (the customer wrote: {said})")
    return 0

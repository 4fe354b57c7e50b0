"""`oncall outbox`: what has not reached the helpdesk yet, why, and when it is tried next."""

from __future__ import annotations

from .common import open_session, print_json, say


def register(sub, common) -> None:
    p = sub.add_parser("outbox", help="notes, replies and status changes not delivered to the helpdesk yet")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run="outbox:cmd_outbox")


def cmd_outbox(args) -> int:
    from ..core.timeutil import format_ts
    from ..usecases.outbox import undelivered

    session = open_session(args)
    try:
        rows = undelivered(session)
    finally:
        session.close()
    if args.json:
        print_json({"undelivered": [r.to_dict() for r in rows]})
        return 0
    if not rows:
        say("outbox: everything was delivered")
        return 0
    for r in rows:
        when = f"next try {format_ts(r.next_try)}" if r.next_try else "stopped: `oncall sync` tries it again"
        by = f" by {r.author}" if r.author else ""
        say(f"#{r.id} {r.case_id} {r.action}{by} → {r.source}: {r.state}, {r.attempts} attempt(s), {when}")
        if r.reason:
            say(f"    why: {r.reason}")
        if r.exclusive_until:
            say(f"    sent by {r.author}'s own oncall (their RT token) until {format_ts(r.exclusive_until)}, "
                "then by anyone's with the shared token")
        first = (r.text or "").strip().splitlines()
        if first:
            say(f"    {first[0][:100]}")
    say(f"{len(rows)} not delivered yet; `oncall sync --once` tries them all now")
    return 0

"""`oncall handoff`: the brief of my shift, stored and posted to the team chat."""

from __future__ import annotations

from ..core.model import HOT_HEAT
from .common import (
    EXIT_FAILED,
    EXIT_REFUSED,
    Stop,
    open_session,
    parse_now,
    say,
    write_document,
)


def register(sub, common) -> None:
    p = sub.add_parser("handoff", help="the handoff brief of my shift (--send stores it and posts it)")
    p.add_argument("--since", default="8h", help="start of the shift: 8h, 90m, 1d or ISO 8601 (default 8h)")
    p.add_argument("--format", choices=("md", "json"), default="md")
    p.add_argument("--send", action="store_true",
                   help="store it in the history and post it to [handoff] webhook if configured")
    p.add_argument("--author", help="whose shift (default: ONCALL_USER, config, Unix user)")
    p.add_argument("--hot", type=int, default=HOT_HEAT,
                   help=f"heat from which a case counts as hot (default {HOT_HEAT})")
    p.add_argument("--now", help="evaluate at this ISO 8601 instant (default: now)")
    p.set_defaults(run="handoff:cmd_handoff")


def cmd_handoff(args) -> int:
    from datetime import datetime, timezone

    from ..core.handoff import parse_since
    from ..usecases import handoff

    now = parse_now(args.now) or datetime.now(timezone.utc)
    try:
        since = parse_since(args.since, now)
    except ValueError as exc:
        raise Stop(EXIT_REFUSED, f"oncall handoff: --since {exc}") from None
    session = open_session(args, now=now)
    try:
        brief = handoff.brief(session, since=since, hot_threshold=args.hot)
        if args.format == "json":
            write_document(brief.to_json() + "\n", "json")
        else:
            say(brief.to_markdown())
        if not args.send:
            return 0
        handoff_id = handoff.send(session, brief)
        n = len(brief.items)
        say(f"oncall handoff: stored handoff {handoff_id} ({n} case{'' if n == 1 else 's'})", err=True)
        posted = handoff.post(session, handoff_id, brief.text)
        if posted is None:
            return 0
        if not posted.ok:
            say(f"oncall handoff: posting to {posted.host} failed: {posted.detail}. The brief is stored as handoff "
                f"{handoff_id} in every listed case's history; nothing is lost.", err=True)
            return EXIT_FAILED
        say(f"oncall handoff: posted to {posted.host}", err=True)
        return 0
    finally:
        session.close()

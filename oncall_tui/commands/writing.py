"""`oncall note`, `reply`, `summary` and `status`: write into the history from scripts and bots."""

from __future__ import annotations

import sys

from .common import open_session, say


def register(sub, common) -> None:
    p = sub.add_parser("note", help="add a note, a phone call or a chat transcript to a case")
    p.add_argument("case")
    p.add_argument("text", help="the text, or - to read it from standard input")
    p.add_argument("--kind", choices=("note", "call", "chat"), default="note")
    p.add_argument("--author", help="who writes (default: ONCALL_USER, config, Unix user)")
    p.set_defaults(run="writing:cmd_note")

    p = sub.add_parser("reply", help="send a reply to the customer (queued for their helpdesk)")
    p.add_argument("case")
    p.add_argument("text", help="the text, or - to read it from standard input")
    p.add_argument("--author")
    p.set_defaults(run="writing:cmd_reply")

    p = sub.add_parser("summary", help="write a new revision of a case's living summary")
    p.add_argument("case")
    p.add_argument("text", help="the text, or - to read it from standard input")
    p.add_argument("--author")
    p.set_defaults(run="writing:cmd_summary")

    p = sub.add_parser("status", help="change a case's status")
    p.add_argument("case")
    p.add_argument("status", choices=("new", "open", "pending", "resolved", "closed"))
    p.add_argument("--author")
    p.set_defaults(run="writing:cmd_status")


def _text(value: str) -> str:
    return sys.stdin.read() if value == "-" else value


def _write(args, do) -> int:
    session = open_session(args)
    try:
        say(do(session))
    finally:
        session.close()
    return 0


def cmd_note(args) -> int:
    from ..usecases import writing

    return _write(args, lambda s: writing.add(s, args.case, args.kind, _text(args.text)))


def cmd_reply(args) -> int:
    from ..usecases import writing

    return _write(args, lambda s: writing.reply(s, args.case, _text(args.text)))


def cmd_summary(args) -> int:
    from ..usecases import writing

    return _write(args, lambda s: writing.set_summary(s, args.case, _text(args.text)))


def cmd_status(args) -> int:
    from ..usecases import writing

    return _write(args, lambda s: writing.set_status(s, args.case, args.status))

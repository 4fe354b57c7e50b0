"""`oncall attachment list|get`: the files a customer sent on a case, fetched one at a time, on demand."""

from __future__ import annotations

import argparse

from .common import open_session, print_json, say


def register(sub, common) -> None:
    p = sub.add_parser("attachment", help="list the files sent on a case, or fetch one (never opened)")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True,
                             parser_class=lambda **kw: argparse.ArgumentParser(parents=[common], **kw))
    q = verbs.add_parser("list", help="the files sent on CASE")
    q.add_argument("case")
    q.add_argument("--json", action="store_true")
    q.set_defaults(run="attachment:cmd_list")
    q = verbs.add_parser("get", help="save the file NAME sent on CASE into --out DIR (mode 600)")
    q.add_argument("case")
    q.add_argument("name", help="the file's name as listed (or enough of it to be unique)")
    q.add_argument("--out", required=True, metavar="DIR", help="an existing folder; an existing file is never replaced")
    q.add_argument("--max-mb", type=float, help="refuse files bigger than this (default: attachment_max_mb)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(run="attachment:cmd_get")


def cmd_list(args) -> int:
    from ..usecases.attachments import case_files
    from ..usecases.history import human_size

    session = open_session(args)
    try:
        files = case_files(session, args.case)
    finally:
        session.close()
    if args.json:
        print_json({"case": args.case, "attachments": [
            {"name": f["name"], "type": f["content_type"], "size": f["size"], "at": f["at"], "author": f["author"]}
            for f in files]})
        return 0
    for f in files:
        say(f"{f['name']}  ({f['content_type'] or 'unknown type'}, {human_size(f['size'])}) — {f['author']}, {f['at']}")
    if not files:
        say(f"no file was sent on {args.case}")
    return 0


def cmd_get(args) -> int:
    from ..usecases.attachments import fetch

    session = open_session(args)
    try:
        saved = fetch(session, args.case, args.name, args.out, max_mb=args.max_mb)
    finally:
        session.close()
    if args.json:
        print_json({"path": str(saved.path), "size": saved.size, "type": saved.content_type, "note": saved.note})
        return 0
    if saved.note:
        say(saved.note)
    say(f"saved {saved.path} ({saved.size} bytes, {saved.content_type or 'unknown type'}); not opened")
    return 0

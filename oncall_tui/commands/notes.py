"""`oncall note` and `oncall summary`: write into the history from scripts and bots."""

from __future__ import annotations

import sys
from datetime import datetime, timezone


def _identity(args):
    from ..cli import _config
    from ..config import current_user

    cfg = _config(args)
    return cfg, (args.author or current_user(cfg))


def _region(store, cfg, author: str) -> str:
    from ..store import queries

    if cfg.region:
        return cfg.region
    me = queries.engineers(store).get(author)
    return me["region"] if me else ""


def cmd_note(args) -> int:
    from ..cli import _open_store
    from ..store import writes
    from ..store.db import StoreError

    cfg, author = _identity(args)
    store = _open_store(args)
    try:
        direction = {"note": "internal", "call": "in", "chat": "in"}[args.kind]
        eid = writes.add_case_event(store, args.case, kind=args.kind, body=args.text, author=author,
                                    now=datetime.now(timezone.utc), region=_region(store, cfg, author),
                                    direction=direction)
    except StoreError as exc:
        print(f"oncall note: {args.case}: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(eid)
    return 0


def cmd_summary(args) -> int:
    from ..cli import _open_store
    from ..store import writes
    from ..store.db import StoreError

    cfg, author = _identity(args)
    store = _open_store(args)
    try:
        eid = writes.set_summary(store, args.case, args.text, author=author, now=datetime.now(timezone.utc),
                                 region=_region(store, cfg, author))
    except StoreError as exc:
        print(f"oncall summary: {args.case}: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(eid)
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("note", help="add a note, a phone call or a chat transcript to a case")
    p.add_argument("case")
    p.add_argument("text")
    p.add_argument("--kind", choices=("note", "call", "chat"), default="note")
    p.add_argument("--author", help="who writes (default: ONCALL_USER, config, Unix user)")
    p.set_defaults(func=cmd_note)

    p = sub.add_parser("summary", help="write a new revision of a case's living summary")
    p.add_argument("case")
    p.add_argument("text")
    p.add_argument("--author")
    p.set_defaults(func=cmd_summary)

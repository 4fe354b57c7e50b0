"""`oncall search`: full-text search across every customer's history."""

from __future__ import annotations

import sys

from .common import open_session, print_json, say


def register(sub, common) -> None:
    p = sub.add_parser("search", help="full-text search in every case's history (accents ignored)")
    p.add_argument("query", nargs="+", help='words, "a phrase" or prefix*; all must match')
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, help="at most this many results (default 50, max 500)")
    p.add_argument("--customer", help="only this customer's history")
    p.set_defaults(run="search:cmd_search")


def cmd_search(args) -> int:
    from ..core.visible import visible
    from ..usecases.search import search

    query = " ".join(args.query)
    session = open_session(args)
    try:
        # No time budget: a script waits for the complete ranking (the screen uses one).
        results = search(session, query, limit=args.limit if args.limit is not None else 50,
                         customer_id=args.customer, budget=None)
    finally:
        session.close()
    if args.json:
        print_json({"query": query, "truncated": results.truncated, "message": results.message,
                    "hits": [h.to_dict() for h in results]})
        return 0
    if results.message:
        say(f"oncall search: {results.message}", err=True)
    if not results and not results.message:
        say(f"oncall search: no match for {query!r}", err=True)
    bold = sys.stdout.isatty()
    for h in results:
        say(f"{h.at} {h.case_id or '-':<10} {h.customer or '-'} ({h.customer_id or '-'}) · "
            f"{h.kind} by {h.author} · {h.subject}")
        line = "".join(f"\x1b[1m{visible(t)}\x1b[0m" if m and bold else visible(t) for t, m in h.snippet)
        say(f"    {line}")
    return 0

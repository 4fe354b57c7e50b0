"""`oncall search`: full-text search across every customer's history."""

from __future__ import annotations

import sys


def cmd_search(args) -> int:
    from ..cli import EXIT_BAD_INPUT, _open_store, _print_json
    from ..store import queries
    from ..store.search import search

    query = " ".join(args.query)
    if args.limit is not None and args.limit < 1:
        print(f"oncall search: --limit: expected a positive number, got {args.limit}", file=sys.stderr)
        return EXIT_BAD_INPUT
    store = _open_store(args)
    try:
        if args.customer and queries.get_customer(store, args.customer) is None:
            print(f"oncall search: --customer: no customer {args.customer!r} in {store.path}", file=sys.stderr)
            return EXIT_BAD_INPUT
        # No time budget: a script waits for the complete ranking (the screen uses one).
        results = search(store, query, limit=args.limit or 50, customer_id=args.customer, budget=None)
    finally:
        store.close()
    if args.json:
        _print_json({"query": query, "truncated": results.truncated, "message": results.message,
                     "hits": [h.to_dict() for h in results]})
        return 0
    from ..ui.safe import visible

    if results.message:
        print(f"oncall search: {results.message}", file=sys.stderr)
    if not results and not results.message:
        print(f"oncall search: no match for {query!r}", file=sys.stderr)
    bold = sys.stdout.isatty()
    for h in results:
        print(visible(f"{h.at} {h.case_id or '-':<10} {h.customer or '-'} ({h.customer_id or '-'}) · "
                      f"{h.kind} by {h.author} · {h.subject}"))
        line = "".join(f"\x1b[1m{visible(t)}\x1b[0m" if m and bold else visible(t) for t, m in h.snippet)
        print(f"    {line}")
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("search", help="full-text search in every case's history (accents ignored)")
    p.add_argument("query", nargs="+", help='words, "a phrase" or prefix*; all must match')
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, help="at most this many results (default 50, max 500)")
    p.add_argument("--customer", help="only this customer's history")
    p.set_defaults(func=cmd_search)

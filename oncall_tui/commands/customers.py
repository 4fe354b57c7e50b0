"""`oncall customers`: the customer list, and identity repairs (merge, split) that later syncs keep."""

from __future__ import annotations

import argparse

from .common import open_session, print_json, say


def register(sub, common) -> None:
    p = sub.add_parser("customers", help="list customers; merge two into one, or split a requestor off")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True,
                             parser_class=lambda **kw: argparse.ArgumentParser(parents=[common], **kw))
    q = verbs.add_parser("list", help="every customer, with their cases")
    q.add_argument("--json", action="store_true")
    q.set_defaults(run="customers:cmd_list")
    q = verbs.add_parser("merge", help="OTHER is the same customer as KEEP: move everything to KEEP")
    q.add_argument("keep", help="the customer that stays (an id, an e-mail or a name)")
    q.add_argument("other", help="the customer that goes (its id keeps leading to KEEP)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(run="customers:cmd_merge")
    q = verbs.add_parser("split", help="the cases EMAIL opened under CUSTOMER become a customer of their own")
    q.add_argument("customer")
    q.add_argument("email")
    q.add_argument("--into", help="an existing customer to move them to (default: the person themselves)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(run="customers:cmd_split")


def cmd_list(args) -> int:
    from ..usecases.customers import listing

    session = open_session(args)
    try:
        rows = listing(session)
    finally:
        session.close()
    if args.json:
        print_json({"customers": [{"id": r.id, "name": r.name, "language": r.language, "timezone": r.timezone,
                                   "tier": r.tier, "emails": list(r.emails), "cases": r.cases,
                                   "open_cases": r.open_cases} for r in rows]})
        return 0
    for r in rows:
        say(f"{r.id}  {r.name} · {r.language} · {r.timezone} · {r.cases} case(s), {r.open_cases} open"
            + (f" · {', '.join(r.emails)}" if r.emails else ""))
    return 0


def _repair(args, do) -> int:
    session = open_session(args)
    try:
        repair = do(session)
    finally:
        session.close()
    if args.json:
        print_json({"kind": repair.kind, "from": repair.source_customer, "into": repair.target_customer,
                    "cases": list(repair.cases), "events": repair.events, "emails": list(repair.emails),
                    "created": repair.created})
    else:
        say(repair.line())
    return 0


def cmd_merge(args) -> int:
    from ..usecases import customers

    return _repair(args, lambda s: customers.merge(s, args.keep, args.other))


def cmd_split(args) -> int:
    from ..usecases import customers

    return _repair(args, lambda s: customers.split(s, args.customer, args.email, into=args.into))

"""`oncall intents "TEXT"`: what the jargon decoder reads in a customer's words."""

from __future__ import annotations

import sys

from .common import print_json, say


def register(sub, common) -> None:
    p = sub.add_parser("intents", help="propose actions from a customer's message (the jargon decoder)")
    p.add_argument("text", help="the message, or - to read it from standard input")
    p.add_argument("--domain", action="append", help="a domain the customer is known to have (repeatable)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run="intents:cmd_intents")


def cmd_intents(args) -> int:
    from ..core.intents import decode, describe
    from ..usecases.models import shipped_reader, shipped_rules

    text = args.text if args.text != "-" else sys.stdin.read()
    reading = decode(text, rules=shipped_rules(), known_domains=tuple(args.domain or ()), reader=shipped_reader())
    proposals = reading.proposals
    if args.json:
        print_json([p.to_json() for p in proposals], indent=None)
    elif not proposals:
        say(f"nothing to do: {reading.summary()}")
    else:
        for p in proposals:
            say(f"{p.confidence:.2f}  {p.intent:<18} {describe(p)}  (words: {', '.join(p.matched)}"
                f"{', in what they quote' if p.quoted else ''})")
    return 0

"""`oncall run ACTION --case ID`: the same steps as the screen, for scripts and audits."""

from __future__ import annotations

import asyncio
from datetime import timezone

from .common import EXIT_FAILED, EXIT_OK, EXIT_REFUSED, open_session, print_json, say


def register(sub, common) -> None:
    p = sub.add_parser("run", help="run an action on a case: preflight, plan, then (with --yes) run and record")
    p.add_argument("action")
    p.add_argument("--case", required=True)
    p.add_argument("--param", action="append", metavar="NAME=VALUE")
    p.add_argument("--yes", action="store_true", help="run after the preflight and the plan")
    p.add_argument("--again", action="store_true", help="run even if the same action ran in the last 10 minutes")
    p.add_argument("--confirm", action="append", metavar="CHECK",
                   help="accept a check that asks for it (e.g. a webroot that already holds files); repeatable")
    p.add_argument("--send-reply", action="store_true", help="save the reply draft as an outgoing message")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run="run:cmd_run")


def cmd_run(args) -> int:
    from ..core.errors import NotFound
    from ..usecases import actions, writing

    raw = {}
    for item in args.param or []:
        name, sep, value = item.partition("=")
        if not sep:
            say(f"oncall run: --param {item!r}: expected NAME=VALUE", err=True)
            return EXIT_REFUSED
        raw[name.strip()] = value
    session = open_session(args)
    try:
        catalogue = actions.catalogue(session)
        action = catalogue.get(args.action)
        if action is None:
            raise NotFound(f"unknown action {args.action!r} (known: {', '.join(sorted(catalogue))})")
        ctx = actions.context(session, args.case)
        params = action.validate({**action.defaults(ctx, {}), **raw}, ctx)
        checks = asyncio.run(actions.preflight(action, params, ctx))
        plan = action.plan(params, ctx)
        report = {"action": action.id, "case": args.case, "params": params,
                  "checks": [{"name": c.name, "status": c.status, "message": c.message} for c in checks],
                  "plan": plan}
        if not args.json:
            say(f"{action.title} on {args.case} ({ctx.customer_name})")
            for c in checks:
                say(f"  [{c.status:>4}] {c.name}: {c.message}")
            say("Plan:")
            for line in plan:
                say(f"  {line}")
        failed = actions.failed_checks(checks)
        if not args.yes:
            if not args.json:
                say("Not run: add --yes to run it." if not failed else "Not run: preflight failed.")
            else:
                print_json({**report, "outcome": None})
            return EXIT_FAILED if failed else EXIT_OK
        session.check_actions()
        if failed:
            say(f"oncall run: preflight failed ({'; '.join(c.message for c in failed)}); nothing was run", err=True)
            return EXIT_FAILED
        unconfirmed = actions.to_confirm(checks, args.confirm or ())
        if unconfirmed:
            for c in unconfirmed:
                say(f"oncall run: {c.name}: {c.message}; add --confirm {c.name} to run it anyway", err=True)
            say("oncall run: nothing was run", err=True)
            return EXIT_FAILED
        previous = actions.already_done(session, ctx, action, params)
        if previous and not args.again:
            say(f"oncall run: {action.id} {previous.question(timezone.utc)} (add --again)", err=True)
            return EXIT_FAILED
        outcome = asyncio.run(action.run(params, ctx, on_output=(lambda line: None) if args.json
                                         else (lambda line: say(f"  | {line}")), cancel=asyncio.Event()))
        event_id = actions.record(session, ctx, action, params, outcome, checks)
        reply = actions.draft_reply(action, params, outcome, ctx)
        reply_id = None
        if args.send_reply and reply and outcome.ok:
            reply_id = writing.reply(session, args.case, reply)
        if args.json:
            print_json({**report, "outcome": outcome.status, "summary": outcome.summary,
                              "duration": round(outcome.duration, 3), "event": event_id, "reply": reply,
                              "reply_event": reply_id})
        else:
            say(f"{outcome.status}: {outcome.summary} ({outcome.duration:.1f} s)")
            if reply:
                say("Reply draft" + (" (saved as an outgoing message)" if reply_id else "") + ":")
                say(reply)
        return EXIT_OK if outcome.ok else EXIT_FAILED
    finally:
        session.close()

"""`oncall run ACTION --case ID`: the same steps as the screen, for scripts and audits."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime, timezone


def _now() -> datetime:
    return datetime.now(timezone.utc)


def cmd_run(args) -> int:
    from ..actions.base import ActionError, blocking
    from ..actions.engine import already_done, draft_reply, load_actions, make_context, record, refuse_if_readonly
    from ..actions.runbooks import RunbookError
    from ..cli import _config, _open_store
    from ..config import current_user
    from ..store import queries, writes
    from ..ui.safe import visible

    cfg = _config(args)
    if args.readonly:
        cfg.readonly = True
    user = current_user(cfg)
    raw = {}
    for item in args.param or []:
        name, sep, value = item.partition("=")
        if not sep:
            print(f"oncall run: --param {item!r}: expected NAME=VALUE", file=sys.stderr)
            return 2
        raw[name.strip()] = value
    store = _open_store(args)
    try:
        try:
            actions = load_actions(cfg)
        except RunbookError as exc:
            print(f"oncall run: {exc}", file=sys.stderr)
            return 2
        action = actions.get(args.action)
        if action is None:
            print(f"oncall run: unknown action {args.action!r} (known: {', '.join(sorted(actions))})", file=sys.stderr)
            return 2
        me = queries.engineers(store).get(user)
        region = cfg.region or (me["region"] if me else "")
        try:
            ctx = make_context(store, args.case, user=user, region=region, now=_now, cfg=cfg)
            params = action.validate({**action.defaults(ctx, {}), **raw}, ctx)
        except ActionError as exc:
            print(f"oncall run: {args.case}: {exc}", file=sys.stderr)
            return 2
        checks = asyncio.run(action.preflight(params, ctx))
        plan = action.plan(params, ctx)
        report = {"action": action.id, "case": args.case, "params": params,
                  "checks": [{"name": c.name, "status": c.status, "message": c.message} for c in checks],
                  "plan": plan}
        if not args.json:
            print(visible(f"{action.title} on {args.case} ({ctx.customer_name})"))
            for c in checks:
                print(visible(f"  [{c.status:>4}] {c.name}: {c.message}"))
            print("Plan:")
            for line in plan:
                print(visible(f"  {line}"))
        failed = blocking(checks)
        if not args.yes:
            if not args.json:
                print("Not run: add --yes to run it." if not failed else "Not run: preflight failed.")
            else:
                print(json.dumps({**report, "outcome": None}, ensure_ascii=False, indent=2))
            return 1 if failed else 0
        try:
            refuse_if_readonly(cfg)
        except ActionError as exc:
            print(f"oncall run: {exc}", file=sys.stderr)
            return 2
        if failed:
            print(f"oncall run: preflight failed ({'; '.join(c.message for c in failed)}); nothing was run",
                  file=sys.stderr)
            return 1
        previous = already_done(store, ctx, action, params)
        if previous and not args.again:
            print(f"oncall run: {action.id} {previous.question(timezone.utc)} (add --again)", file=sys.stderr)
            return 1
        outcome = asyncio.run(action.run(params, ctx, on_output=(lambda line: None) if args.json
                                         else (lambda line: print(visible(f"  | {line}"))),
                                         cancel=asyncio.Event()))
        event_id = record(store, ctx, action, params, outcome, checks)
        reply = draft_reply(action, params, outcome, ctx)
        reply_id = None
        if args.send_reply and reply and outcome.ok:
            reply_id = writes.add_case_event(store, args.case, kind="message", direction="out", body=reply,
                                             author=user, now=_now(), region=region)
        if args.json:
            print(json.dumps({**report, "outcome": outcome.status, "summary": outcome.summary,
                              "duration": round(outcome.duration, 3), "event": event_id, "reply": reply,
                              "reply_event": reply_id}, ensure_ascii=False, indent=2))
        else:
            print(visible(f"{outcome.status}: {outcome.summary} ({outcome.duration:.1f} s)"))
            if reply:
                print("Reply draft" + (" (saved as an outgoing message)" if reply_id else "") + ":")
                print(visible(reply, multiline=True))
        return 0 if outcome.ok else 1
    finally:
        store.close()


def register(sub, common) -> None:
    p = sub.add_parser("run", help="run an action on a case: preflight, plan, then (with --yes) run and record")
    p.add_argument("action")
    p.add_argument("--case", required=True)
    p.add_argument("--param", action="append", metavar="NAME=VALUE")
    p.add_argument("--yes", action="store_true", help="run after the preflight and the plan")
    p.add_argument("--again", action="store_true", help="run even if the same action ran in the last 10 minutes")
    p.add_argument("--send-reply", action="store_true", help="save the reply draft as an outgoing message")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_run)

"""`oncall`: the full-screen tool and its scriptable twin.

Everything the screen shows has a command here with `--json` output, for cron
jobs, chat bots and tests. Heavy imports happen inside the commands so the
full-screen start stays fast.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT = 0, 1, 2


def _now(value: str | None) -> datetime:
    from .core.timeutil import parse_ts

    if not value:
        return datetime.now(timezone.utc)
    try:
        return parse_ts(value)
    except ValueError as exc:
        raise SystemExit(f"oncall: --now: {exc}")


def _open_store(args):
    from .config import resolve_db_path
    from .store.db import Store

    return Store.open(resolve_db_path(args.db))


def _config(args):
    from .config import ConfigError, load_config

    try:
        return load_config(Path(args.config) if args.config else None)
    except ConfigError as exc:
        print(f"oncall: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)


def _print_json(data) -> None:
    import json

    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


# -- commands ----------------------------------------------------------------

def cmd_tui(args) -> int:
    from .config import current_user, resolve_db_path

    cfg = _config(args)
    return _run_app(args, cfg, resolve_db_path(args.db), user=current_user(cfg))


def _run_app(args, cfg, db_path, *, user: str, demo: bool = False, clock=None) -> int:
    import gc

    # Start-up allocates hundreds of thousands of long-lived objects (Textual,
    # styles, our modules): collecting them now only delays the first frame.
    # The app freezes them and turns the collector back on once it is drawn.
    gc.disable()
    from .config import ConfigError, config_dir
    from .ui.keymap import load_keymap

    keymap_file = Path(args.keymap) if getattr(args, "keymap", None) else config_dir() / "keymap.toml"
    if getattr(args, "keymap", None) and not keymap_file.exists():
        print(f"oncall: --keymap: {keymap_file}: no such file", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        keymap = load_keymap(keymap_file)
    except ConfigError as exc:
        print(f"oncall: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if getattr(args, "readonly", False):
        cfg.readonly = True
    from .ui.app import OncallApp

    kwargs = {"clock": clock} if clock else {}
    app = OncallApp(db_path, config=cfg, keymap=keymap, user=user, demo=demo, **kwargs)
    app.run()
    return EXIT_OK


def cmd_demo(args) -> int:
    from .demo import demo_environment

    cfg = _config(args)
    try:
        with demo_environment(cfg, now=datetime.now(timezone.utc), acme_local=args.acme_local) as db:
            return _run_app(args, cfg, db, user=os.environ.get("ONCALL_USER") or "alice", demo=True)
    except RuntimeError as exc:  # the local ACME server could not start
        print(f"oncall demo --acme-local: {exc}", file=sys.stderr)
        return EXIT_ERROR


def cmd_import(args) -> int:
    from .store.importer import import_document, load_json_file
    from .store.interchange import ImportError_

    store = _open_store(args)
    try:
        doc = load_json_file(args.file)
        report = import_document(store, doc, now=_now(None))
    except ImportError_ as exc:
        for problem in exc.problems:
            print(f"{args.file}: {problem}" if not problem.startswith(str(args.file)) else problem,
                  file=sys.stderr)
        print(f"oncall import: {len(exc.problems)} problem(s); nothing was imported.", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        store.close()
    print(f"imported {args.file}: {report.line()}")
    return EXIT_OK


def queue_rows(store, now: datetime, limit: int | None, view: str = "all", me: str = "",
               weights=None) -> list[dict]:
    """The ranked queue evaluated at *now* (used by `queue --json` and tests)."""
    from .core.timeutil import parse_ts
    from .store.derived import INCIDENT_OPEN_SQL, score_row

    rows = store.query(
        f"SELECT c.id, c.customer_id, cu.name, c.subject, c.status, c.opened_at, c.assignee, c.stats, "
        f"c.waiting_since, c.exchanges, cu.tier, cu.language, cu.timezone, c.incident_id, "
        f"{INCIDENT_OPEN_SQL} AS inc FROM cases c JOIN customers cu ON cu.id = c.customer_id "
        "WHERE c.is_open = 1" + (" AND c.assignee = ?" if view == "mine" else "")
        + (" AND c.waiting_since IS NOT NULL" if view == "waiting" else ""),
        (me,) if view == "mine" else ())
    out = []
    for r in rows:
        heat = score_row(r["stats"], r["status"], r["opened_at"], r["tier"], bool(r["inc"]), now, weights)
        waiting = r["waiting_since"]
        out.append({
            "id": r["id"], "customer": r["customer_id"], "customer_name": r["name"],
            "subject": r["subject"], "status": r["status"], "heat": heat.score,
            "terms": [{"name": t.name, "value": t.value, "points": round(t.points, 1)} for t in heat.terms],
            "waiting_seconds": int((now - parse_ts(waiting)).total_seconds()) if waiting else 0,
            "age_seconds": int((now - parse_ts(r["opened_at"])).total_seconds()),
            "exchanges": r["exchanges"], "assignee": r["assignee"], "tier": r["tier"],
            "language": r["language"], "timezone": r["timezone"], "incident": r["incident_id"],
        })
    out.sort(key=lambda row: (-row["heat"], row["id"]))
    return out[:limit] if limit else out


def cmd_queue(args) -> int:
    from .core.timeutil import short_duration

    cfg = _config(args)
    store = _open_store(args)
    try:
        rows = queue_rows(store, _now(args.now), args.limit, args.view, os.environ.get("ONCALL_USER", ""),
                          cfg.weights)
    finally:
        store.close()
    if args.json:
        _print_json(rows)
    else:
        from .ui.safe import visible

        for r in rows:
            why = "; ".join(t["value"] for t in r["terms"][:3])
            print(visible(f"{r['heat']:>3}  {r['id']:<10} {r['customer_name'][:24]:<24} "
                          f"{short_duration(r['waiting_seconds']) if r['waiting_seconds'] else '-':>6}  "
                          f"{r['subject'][:40]:<40}  {why}"))
    return EXIT_OK


def cmd_history(args) -> int:
    from .store import queries

    store = _open_store(args)
    try:
        customer = queries.get_customer(store, args.customer)
        if customer is None:
            print(f"oncall history: no customer {args.customer!r} in {store.path}", file=sys.stderr)
            return EXIT_BAD_INPUT
        events = [dict(r) for r in queries.customer_history(store, args.customer)]
        assets = [dict(r) for r in queries.customer_assets(store, args.customer)]
        cases = [dict(r) for r in queries.customer_cases(store, args.customer)]
    finally:
        store.close()
    if args.json:
        _print_json({"customer": dict(customer), "assets": assets, "cases": cases, "events": events})
        return EXIT_OK
    from .ui.safe import visible

    # Customer text goes to a terminal here too: make control characters visible.
    print(visible(f"{customer['name']} ({customer['id']}) · {customer['language']} · {customer['tier']} · "
                  f"owner {customer['owner'] or '-'} · {customer['timezone']}"))
    for a in assets:
        print(visible(f"  {a['kind']:<8} {a['name']} {a['datacenter']} {a['ipv4']} {a['ipv6']}".rstrip()))
    for e in events:
        arrow = {"in": "<-", "out": "->"}.get(e["direction"], "..")
        print(visible(f"{e['at']} {e['case_id'] or '-':<10} {arrow} {e['author']} "
                      f"[{e['kind']}/{e['channel'] or '-'}]"))
        for line in visible(e["body"], multiline=True).splitlines():
            print(f"    {line}")
    return EXIT_OK


def cmd_explain(args) -> int:
    from .store.derived import INCIDENT_OPEN_SQL, score_row

    store = _open_store(args)
    try:
        row = store.query_one(
            f"SELECT c.id, c.subject, c.stats, c.status, c.opened_at, cu.tier, {INCIDENT_OPEN_SQL} "
            "FROM cases c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?", (args.case,))
    finally:
        store.close()
    if row is None:
        print(f"oncall explain: no case {args.case!r}", file=sys.stderr)
        return EXIT_BAD_INPUT
    heat = score_row(row[2], row[3], row[4], row[5], bool(row[6]), _now(args.now), _config(args).weights)
    if args.json:
        _print_json({"id": row[0], "heat": heat.score, "terms": [
            {"name": t.name, "value": t.value, "points": round(t.points, 1)} for t in heat.terms]})
    else:
        from .ui.safe import visible

        print(visible(f"{row[0]} {row[1]} — heat {heat.score}/100"))
        for t in heat.terms:
            print(visible(f"  {t.points:>5.1f}  {t.name:<12} {t.value}"))
    return EXIT_OK


def cmd_keys(args) -> int:
    """Every binding id with its keys (after the user's overrides) and what it does."""
    from .config import ConfigError, config_dir
    from .ui.keymap import load_keymap

    keymap_file = Path(args.keymap) if getattr(args, "keymap", None) else config_dir() / "keymap.toml"
    try:
        keymap = load_keymap(keymap_file)
    except ConfigError as exc:
        print(f"oncall: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for screen, specs in keymap.specs.items():
        for spec in specs.values():
            print(f"{spec.id:<24} {keymap.keys_for(spec.id):<22} {spec.description}")
    for problem in keymap.problems:
        print(f"clash: {problem}", file=sys.stderr)
    return EXIT_BAD_INPUT if keymap.problems else EXIT_OK


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with *argv*, only the feature module of the command named there is imported."""
    import argparse

    def global_options(p: argparse.ArgumentParser, default) -> None:
        p.add_argument("--db", default=default, help="store file (default: $ONCALL_DB or the user data dir)")
        p.add_argument("--config", default=default, help="config file (default: config.toml in the config dir)")
        p.add_argument("--keymap", default=default, help="a keymap file overriding keys by id")
        p.add_argument("--readonly", action="store_true", default=default or False,
                       help="disable every action")

    parser = argparse.ArgumentParser(prog="oncall", description=__doc__.splitlines()[0])
    global_options(parser, None)
    # The same options are accepted after the sub-command ("oncall queue --db x").
    common = argparse.ArgumentParser(add_help=False)
    global_options(common, argparse.SUPPRESS)
    parser.set_defaults(func=cmd_tui)
    sub = parser.add_subparsers(dest="command", parser_class=lambda **kw: argparse.ArgumentParser(
        parents=[common], **kw))
    sub.common = common

    p = sub.add_parser("demo", help="open a throwaway store seeded with realistic demo cases")
    p.add_argument("--acme-local", action="store_true",
                   help="issue certificates for real against a local Pebble (Debian package pebble)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("import", help="import an interchange JSON file (all or nothing)")
    p.add_argument("file")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("queue", help="the ranked queue")
    p.add_argument("--json", action="store_true")
    p.add_argument("--now", help="evaluate heat at this ISO 8601 instant")
    p.add_argument("--limit", type=int)
    p.add_argument("--view", choices=("all", "waiting", "mine"), default="all")
    p.set_defaults(func=cmd_queue)

    p = sub.add_parser("history", help="a customer's whole history")
    p.add_argument("customer")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("keys", help="list every key binding id, its keys and what it does")
    p.set_defaults(func=cmd_keys)

    p = sub.add_parser("explain", help="why a case is hot, term by term")
    p.add_argument("case")
    p.add_argument("--now")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_explain)

    import importlib

    from .commands import COMMANDS, MODULES

    wanted = MODULES
    if argv is not None and not any(a in ("-h", "--help") for a in argv):
        wanted = tuple(dict.fromkeys(COMMANDS[a] for a in argv if a in COMMANDS))
    for name in wanted:
        importlib.import_module(f"oncall_tui.commands.{name}").register(sub, common)
    return parser


GLOBAL_VALUE_OPTIONS = ("--db", "--config", "--keymap")


def full_screen_args(argv: list[str]) -> SimpleNamespace | None:
    """`oncall [--db P] [--config F] [--keymap F] [--readonly]` read without argparse, else None.

    Plain `oncall` is what engineers start every shift: building the parser
    and its sub-commands would delay the first frame. Anything else
    (a sub-command, --help, a typo, a missing value) goes to the real parser.
    """
    args = SimpleNamespace(db=None, config=None, keymap=None, readonly=False, func=cmd_tui)
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        name, eq, value = arg.partition("=")
        if arg == "--readonly":
            args.readonly = True
        elif name in GLOBAL_VALUE_OPTIONS and eq and value:
            setattr(args, name[2:], value)
        elif arg in GLOBAL_VALUE_OPTIONS and rest and not rest[0].startswith("-"):
            setattr(args, arg[2:], rest.pop(0))
        else:
            return None
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = full_screen_args(argv)
    if args is None:
        args = build_parser(argv).parse_args(argv)
    try:
        return args.func(args) or EXIT_OK
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

"""`oncall import` and `oncall export`: data in (all or nothing) and out (JSON, CSV, Markdown)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_REFUSED,
    Stop,
    open_session,
    say,
    write_document,
)


def register(sub, common) -> None:
    p = sub.add_parser(
        "import", help="import an interchange JSON file (all or nothing)",
        description="Import an interchange JSON file (docs/import-format.md): every problem is listed as "
                    "'path: reason' and nothing is written unless there are none. Re-importing a file adds nothing.")
    p.add_argument("file")
    p.add_argument("--on-conflict", type=conflict_policy, default="refuse", metavar="refuse|keep",
                   help="an event id already in the store (or given twice) with other content: refuse the "
                        "import (default), or keep the stored event and leave the file's out. Events are "
                        "append-only, so there is no 'replace': correct an event with a new one")
    p.add_argument("--max-size", type=megabytes, default=DEFAULT_MAX_MB, metavar="MB",
                   help=f"refuse files larger than this (default {DEFAULT_MAX_MB} MB; memory stays flat whatever "
                        "the size)")
    p.set_defaults(run="exchange:cmd_import")

    p = sub.add_parser(
        "export", help="everything about customers, as JSON (re-importable), CSV or Markdown",
        description="Export customers, assets, cases, every event, incidents and handoffs. "
                    "JSON re-imports identically with `oncall import`.")
    p.add_argument("--customer", action="append", dest="customers", metavar="ID",
                   help="only this customer (repeatable; default: every customer)")
    p.add_argument("--format", choices=("json", "csv", "md"), default="json",
                   help="json (interchange format, default), csv (one file per table) or md (dossier)")
    p.add_argument("--out", metavar="DIR", help="write into DIR (created if missing); required for csv")
    p.add_argument("--at", metavar="TIMESTAMP",
                   help="record this instant as exported_at in the JSON (left out by default so that "
                        "two exports of the same data are byte-identical)")
    p.set_defaults(run="exchange:cmd_export")


DEFAULT_MAX_MB = 512  # the store's default too (store.import_reader); a command does not import the store


def conflict_policy(value: str) -> str:
    if value == "replace":
        raise argparse.ArgumentTypeError(
            "'replace' is not possible: events are append-only (the store refuses to change one); use keep, "
            "then add a correcting note to the case")
    if value not in ("refuse", "keep"):
        raise argparse.ArgumentTypeError(f"{value!r} is not one of refuse|keep")
    return value


def megabytes(value: str) -> float:
    try:
        mb = float(value)
    except ValueError:
        mb = -1.0
    if not 0 < mb < 1 << 40:
        raise argparse.ArgumentTypeError(f"{value!r} is not a size in megabytes (e.g. 512)")
    return mb


def cmd_import(args) -> int:
    from ..core.errors import InvalidDocument
    from ..usecases.exchange import import_file

    session = open_session(args, create=True)
    try:
        report = import_file(session, args.file, on_conflict=args.on_conflict, max_mb=args.max_size)
    except InvalidDocument as exc:
        for problem in exc.problems:
            say(problem if problem.startswith(str(args.file)) else f"{args.file}: {problem}", err=True)
        say(f"oncall import: {len(exc.problems)} problem(s); nothing was imported.", err=True)
        return EXIT_REFUSED
    finally:
        session.close()
    say(f"imported {args.file}: {report.line()}")
    return EXIT_OK


def cmd_export(args) -> int:
    from ..core.timeutil import format_ts, parse_ts
    from ..usecases.exchange import export, write_atomically

    fmt, out = args.format, Path(args.out) if args.out else None
    if fmt == "csv" and out is None:
        raise Stop(EXIT_REFUSED, "oncall export: --format csv writes one file per table: give --out DIR")
    if fmt == "md" and out is None and len(set(args.customers or ())) != 1:
        raise Stop(EXIT_REFUSED, "oncall export: --format md without --out prints one customer's dossier: give "
                                 "exactly one --customer, or --out DIR for one file per customer")
    exported_at = None
    if args.at:
        try:
            exported_at = format_ts(parse_ts(args.at))
        except ValueError as exc:
            raise Stop(EXIT_REFUSED, f"oncall export: --at: {exc}") from None
    session = open_session(args)
    try:
        done = export(session, args.customers, fmt, exported_at=exported_at)
    finally:
        session.close()
    if out is None:
        (text,) = done.files.values()
        write_document(text, fmt)
        return EXIT_OK
    try:
        write_atomically(out, done.files)
    except OSError as exc:
        where = exc.filename or out
        say(f"oncall export: cannot write to {where}: {exc.strerror or exc}; nothing was written — "
            "choose a writable --out DIR", err=True)
        return EXIT_FAILED
    names = ", ".join(sorted(done.files)) if len(done.files) <= 8 else f"{len(done.files)} files"
    say(f"exported {done.customers} customers, {done.cases} cases, {done.events} events to {out} ({names})", err=True)
    return EXIT_OK

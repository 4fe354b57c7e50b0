"""`oncall export`: a customer leaves with all their data (JSON, CSV, Markdown).

JSON is the interchange format and re-imports identically; CSV is one file per
table for spreadsheets; Markdown is a dossier to read. Files are written to
temporary names and renamed only once every one of them is complete, so a
failed export never leaves a half-written file behind.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT = 0, 1, 2


def register(sub, common) -> None:
    """Add the `export` sub-command to the `oncall` parser."""
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
    p.set_defaults(func=cmd_export)


def _fail(message: str, code: int) -> int:
    print(f"oncall export: {message}", file=sys.stderr)
    return code


def cmd_export(args) -> int:
    from ..config import resolve_db_path
    from ..core.timeutil import format_ts, parse_ts
    from ..store.db import Store
    from ..store.export import ExportError, build_export

    fmt, out = args.format, Path(args.out) if args.out else None
    if fmt == "csv" and out is None:
        return _fail("--format csv writes one file per table: give --out DIR", EXIT_BAD_INPUT)
    if fmt == "md" and out is None and len(set(args.customers or ())) != 1:
        return _fail("--format md without --out prints one customer's dossier: give exactly one "
                     "--customer, or --out DIR for one file per customer", EXIT_BAD_INPUT)
    exported_at = None
    if args.at:
        try:
            exported_at = format_ts(parse_ts(args.at))
        except ValueError as exc:
            return _fail(f"--at: {exc}", EXIT_BAD_INPUT)

    store = Store.open(resolve_db_path(args.db))
    try:
        exp = build_export(store, args.customers)
    except ExportError as exc:
        return _fail(f"{store.path}: {exc}; nothing was exported", EXIT_BAD_INPUT)
    finally:
        store.close()

    files = _render(exp, fmt, exported_at)
    if out is None:
        (text,) = files.values()
        sys.stdout.write(text)
        sys.stdout.flush()
        return EXIT_OK
    try:
        write_atomically(out, files)
    except OSError as exc:
        where = exc.filename or out
        return _fail(f"cannot write to {where}: {exc.strerror or exc}; nothing was written — "
                     "choose a writable --out DIR", EXIT_ERROR)
    names = ", ".join(sorted(files)) if len(files) <= 8 else f"{len(files)} files"
    print(f"exported {len(exp.customers)} customers, {len(exp.cases)} cases, {len(exp.events)} events "
          f"to {out} ({names})", file=sys.stderr)
    return EXIT_OK


def _render(exp, fmt: str, exported_at: str | None) -> dict[str, str]:
    """File name -> text for the chosen format."""
    from ..store.export import csv_tables, dump_json, to_document
    from ..store.export_md import markdown_dossiers

    if fmt == "json":
        return {"export.json": dump_json(to_document(exp, exported_at=exported_at))}
    if fmt == "csv":
        files = {}
        for name, (header, rows) in csv_tables(exp).items():
            buf = io.StringIO(newline="")
            writer = csv.writer(buf)  # minimal quoting; newlines and commas inside a cell are quoted
            writer.writerow(header)
            writer.writerows(rows)
            files[f"{name}.csv"] = buf.getvalue()
        return files
    return {markdown_name(cid): text for cid, text in markdown_dossiers(exp).items()}


def markdown_name(customer_id: str) -> str:
    """A safe, distinct file name for a customer's dossier (ids may hold '/' or start with '.')."""
    name = quote(customer_id, safe="")
    return ("%2E" + name[1:] if name.startswith(".") else name) + ".md"


def write_atomically(out_dir: Path, files: dict[str, str]) -> None:
    """Write every file to a temporary name in *out_dir*, then rename them all; on failure, none."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in files:
        if (out_dir / name).is_dir():
            raise IsADirectoryError(21, "a directory is in the way", str(out_dir / name))
    temps: list[tuple[str, Path]] = []
    try:
        for name, text in files.items():
            # mkstemp makes the file private (0600): exports hold customer data on a shared host.
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            temps.append((tmp, out_dir / name))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp, target in temps:
            os.replace(tmp, target)
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)

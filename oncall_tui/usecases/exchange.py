"""Data in and out: importing an interchange file, exporting customers (JSON, CSV, Markdown).

Customers must be able to leave with all their data: JSON re-imports
identically, CSV is one file per table for spreadsheets, Markdown a dossier
to read. Files are written to temporary names and renamed only once every one
of them is complete, so a failed export never leaves a half-written file.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..core.errors import Refused
from ..core.export_doc import Export, csv_tables, dump_json, to_document
from ..core.export_md import markdown_dossiers
from ..store.export import build_export
from ..store.import_reader import DEFAULT_MAX_MB
from ..store.import_schema import TimeWindow
from ..store.importer import ImportReport, import_document, import_path
from .session import Session

FORMATS = ("json", "csv", "md")


def import_file(session: Session, path: str | Path, *, on_conflict: str = "refuse",
                max_mb: float = DEFAULT_MAX_MB) -> ImportReport:
    """Import an interchange file: all or nothing (InvalidDocument lists every problem), re-import is a no-op.

    The file is read as a stream, twice (check, then write), so memory stays flat whatever its size;
    only regular files up to *max_mb* megabytes are read. Timestamps before 1970 or more than a day
    after now are refused. *on_conflict*: an event id already stored (or given twice) with other
    content is a problem ("refuse") or left out, the stored event kept ("keep").
    """
    session.check_writable(f"importing {path}")
    now = session.now()
    return import_path(session.store, path, now=now, on_conflict=on_conflict, window=TimeWindow.around(now),
                       max_bytes=int(max_mb * (1 << 20)))


def import_data(session: Session, doc: dict, *, on_conflict: str = "refuse") -> ImportReport:
    """Import an interchange document already in memory (the demo's fixtures, a test's story)."""
    session.check_writable("importing")
    now = session.now()
    return import_document(session.store, doc, now=now, on_conflict=on_conflict, window=TimeWindow.around(now))


@dataclass(frozen=True)
class Exported:
    """An export rendered: file name -> text, and what it holds."""

    files: dict[str, str]
    customers: int
    cases: int
    events: int


def export(session: Session, customer_ids: list[str] | None, fmt: str, *,
           exported_at: str | None = None) -> Exported:
    """Everything about *customer_ids* (every customer when None) in *fmt*, from one snapshot."""
    if fmt not in FORMATS:
        raise Refused(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    exp = build_export(session.store, customer_ids)
    return Exported(render(exp, fmt, exported_at), len(exp.customers), len(exp.cases), len(exp.events))


def render(exp: Export, fmt: str, exported_at: str | None) -> dict[str, str]:
    """File name -> text for the chosen format."""
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

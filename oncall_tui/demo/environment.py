"""The demo: a throwaway store seeded from the shipped fixtures, made to look live."""

from __future__ import annotations

import json
import shutil
import tempfile
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterator

from ..config import Config
from ..core.timeutil import format_ts, parse_ts
from ..resources import fixture_file
from ..usecases.exchange import import_data
from ..usecases.session import Session

_TS_KEYS = {"at", "opened_at", "resolved_at", "last_update_at"}


def load_demo_document() -> dict:
    return json.loads(fixture_file("demo.json").read_text(encoding="utf-8"))


def newest_timestamp(doc) -> datetime:
    stamps = [parse_ts(e["at"]) for c in doc.get("cases", []) for e in c.get("events", [])]
    return max(stamps)


def shift_document(doc, delta: timedelta):
    """A copy of *doc* with every timestamp moved by *delta*."""
    if isinstance(doc, dict):
        return {k: (format_ts(parse_ts(v) + delta) if k in _TS_KEYS and isinstance(v, str) else shift_document(v, delta))
                for k, v in doc.items()}
    if isinstance(doc, list):
        return [shift_document(v, delta) for v in doc]
    return doc


def seed_demo_store(path: str | Path, *, now: datetime, freshness: timedelta = timedelta(minutes=4),
                    doc: dict | None = None) -> None:
    """Create a store at *path* from the demo fixtures, the newest event *freshness* before *now*."""
    doc = doc if doc is not None else load_demo_document()
    delta = (now - freshness) - newest_timestamp(doc)
    # Whole minutes keep the demo's clock times tidy.
    delta = timedelta(minutes=round(delta.total_seconds() / 60))
    session = Session.open(path, Config(), user="demo", clock=lambda: now)
    try:
        import_data(session, shift_document(doc, delta))
    finally:
        session.close()


@contextmanager
def demo_environment(cfg, *, now: datetime, acme_local: bool = False) -> Iterator[Path]:
    """A throwaway demo store (and with *acme_local*, a local Pebble set up in *cfg*); removed on exit.

    Raises `demo_acme.LocalAcmeError` when the local ACME server cannot start.
    """
    tmp = Path(tempfile.mkdtemp(prefix="oncall-demo-"))
    acme = None
    try:
        doc = load_demo_document()
        if acme_local:
            from .local_acme import LocalAcme, localise, stale_aaaa_records, webroots

            stale = stale_aaaa_records(doc)  # before localise() drops the servers' real IPv6
            doc = localise(doc)
            acme = LocalAcme(tmp / "acme")
            acme.start(webroots(doc, tmp / "servers"), stale)
            acme.configure(cfg, tmp / "servers")
        else:
            # The demo's servers and domains are fictional: no action may reach out to them.
            cfg.actions_off = ("the demo's servers are fictional — `oncall demo --acme-local` runs the "
                               "certificate action for real against a local ACME server")
        db = tmp / "demo.db"
        seed_demo_store(db, now=now, doc=doc)
        yield db
    finally:
        if acme is not None:
            acme.stop()
        shutil.rmtree(tmp, ignore_errors=True)

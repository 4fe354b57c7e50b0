"""Soak: several bastions, each with several engineers, saving notes into one store as fast as they can.

    python -m devtools.soak [--db URL_OR_PATH] [--bastions 3] [--engineers 8] [--seconds 60] [--restarts 0]

Each bastion is a process; each engineer in it a thread with a session of
its own, saving notes through the same use case as the screen, and — as the
screen's writer does — trying a note again while the store is unreachable.
Afterwards every note is looked for in the store: none may be missing, none
may be there twice. Without --db, a throwaway PostgreSQL 15 cluster is
started (the tests' own, `tests/servers/postgres.py`) and removed after;
--restarts N restarts it N times during the run. Exits 1 if anything was
lost or duplicated.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

CASES = ("T-100", "T-200", "T-300")


def bastion(target: str, name: str, engineers: int, seconds: float) -> None:
    """One bastion process: *engineers* threads saving notes for *seconds*; prints {engineer: notes saved}."""
    from oncall_tui.config import Config
    from oncall_tui.core.errors import StoreUnreachable
    from oncall_tui.usecases import writing
    from oncall_tui.usecases.session import Session

    first = Session.open(target, Config(), user=f"{name}-e0", create=False)
    sessions = [first] + [first.reopen() for _ in range(engineers - 1)]
    saved: dict[str, int] = {}
    end = time.monotonic() + seconds

    def engineer(n: int) -> None:
        session, me, count = sessions[n], f"{name}-e{n}", 0
        while time.monotonic() < end:
            while True:
                try:
                    writing.add(session, CASES[count % len(CASES)], "note", f"{me} note {count}")
                    break
                except StoreUnreachable:
                    time.sleep(0.2)  # nothing was written: try again once the store is back
            count += 1
        saved[me] = count

    threads = [threading.Thread(target=engineer, args=(n,)) for n in range(engineers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in sessions:
        s.close()
    print(json.dumps(saved))


def run(target: str, bastions: int, engineers: int, seconds: float, restart=None, restarts: int = 0) -> dict:
    root = Path(__file__).resolve().parents[1]
    started = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-m", "devtools.soak", "--bastion", f"b{b}", "--db", target,
                               "--engineers", str(engineers), "--seconds", str(seconds)],
                              cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for b in range(bastions)]
    if restart is not None and restarts:
        for n in range(restarts):
            time.sleep(seconds / (restarts + 1))
            print(f"[soak] restarting PostgreSQL ({n + 1}/{restarts})", file=sys.stderr, flush=True)
            restart()
    saved: dict[str, int] = {}
    for p in procs:
        out, err = p.communicate(timeout=seconds + 600)
        if p.returncode != 0:
            raise SystemExit(f"a bastion failed (exit {p.returncode}): {err.strip()[-2000:]}")
        saved.update(json.loads(out.strip().splitlines()[-1]))
    wall = time.monotonic() - started
    from oncall_tui.store.engines import open_store

    store = open_store(target, create=False, migrate=False)
    try:
        bodies = Counter(r[0] for r in store.query("SELECT body FROM events WHERE kind = 'note'"))
    finally:
        store.close()
    expected = {f"{me} note {n}" for me, count in saved.items() for n in range(count)}
    lost = sorted(expected - set(bodies))
    duplicated = sorted(b for b, n in bodies.items() if n > 1)
    return {"bastions": bastions, "engineers_each": engineers, "seconds": seconds, "restarts": restarts,
            "notes_saved": sum(saved.values()), "notes_stored": sum(bodies.values()),
            "notes_per_s": round(sum(saved.values()) / wall, 1), "lost": len(lost), "duplicated": len(duplicated),
            "examples": (lost + duplicated)[:5]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m devtools.soak", description=__doc__.splitlines()[0])
    p.add_argument("--db", help="the store (a path or a postgresql:// URL); default: a throwaway PostgreSQL")
    p.add_argument("--bastions", type=int, default=3)
    p.add_argument("--engineers", type=int, default=8)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--restarts", type=int, default=0, help="restart the throwaway PostgreSQL this many times")
    p.add_argument("--bastion", help=argparse.SUPPRESS)  # internal: run as one bastion
    args = p.parse_args(argv)
    if args.bastion:
        bastion(args.db, args.bastion, args.engineers, args.seconds)
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from oncall_tui.store.engines import open_store
    from oncall_tui.store.importer import import_document
    from oncall_tui.usecases.models import shipped
    from tests.conftest import SMALL_DOC

    cluster = None
    target = args.db
    if target is None:
        from tests.servers.postgres import remove_cluster, start_cluster

        cluster = start_cluster()
        with cluster.admin() as conn:
            conn.execute("CREATE DATABASE soak")
        target = cluster.url("soak")
    elif args.restarts:
        p.error("--restarts needs the throwaway cluster (leave out --db)")
    try:
        store = open_store(target, heat=shipped().heat)
        try:
            if store.is_empty():
                import_document(store, copy.deepcopy(SMALL_DOC), now=datetime.now(timezone.utc))
        finally:
            store.close()
        report = run(target, args.bastions, args.engineers, args.seconds,
                     restart=cluster.restart if cluster else None, restarts=args.restarts)
    finally:
        if cluster is not None:
            remove_cluster(cluster)
    print(json.dumps(report, indent=2))
    return 0 if report["lost"] == 0 and report["duplicated"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

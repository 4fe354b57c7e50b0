"""Closing a store while other threads still read it: a clear "closed" error for them, never a crash.

The app reads the store from several threads at once (the screen, the worker that looks for other
engineers' writes, a search). When the engineer quits, the store is closed while one of them may be
inside a statement. On SQLite that was a segmentation fault: the whole app died at exit, and under CI
the test worker with it. The stress runs in a child process, so a crash is a failed test, not a lost run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Each round: open the store, start readers that use every way of reading, close it while they run.
STRESS = r"""
import json, random, sys, threading, time
from oncall_tui.core.errors import StoreError
from oncall_tui.store.engines import open_store

target, rounds = sys.argv[1], int(sys.argv[2])
random.seed(7)
ended = []  # how each reader ended: the class of the error that stopped it

def read(store, stop):
    try:
        while not stop.is_set():
            store.query("SELECT id FROM cases ORDER BY id")
            store.query_one("SELECT COUNT(*) FROM events")
            store.data_version()
            for _ in store.iterate("SELECT id, body FROM events"):
                pass
            with store.snapshot() as conn:
                conn.execute("SELECT COUNT(*) FROM customers").fetchone()
        ended.append("stopped before the close")
    except StoreError as exc:
        ended.append(type(exc).__name__ + ": " + str(exc))
    except Exception as exc:
        ended.append("NOT A STORE ERROR " + type(exc).__name__ + ": " + str(exc))

for _ in range(rounds):
    store = open_store(target)
    stop = threading.Event()
    readers = [threading.Thread(target=read, args=(store, stop)) for _ in range(2)]
    for reader in readers:
        reader.start()
    time.sleep(random.random() * 0.004)
    store.close()
    time.sleep(0.01)
    stop.set()
    for reader in readers:
        reader.join(10)
print(json.dumps(ended))
"""


def test_closing_the_store_while_threads_read_it_tells_them_it_is_closed(store, store_path, backend):
    rounds = 150 if backend == "sqlite" else 25
    run = subprocess.run([sys.executable, "-c", STRESS, str(store_path), str(rounds)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"the process died (exit {run.returncode}): {run.stderr[-3000:]}"
    ended = json.loads(run.stdout)
    assert len(ended) == 2 * rounds
    wrong = [e for e in ended if e != "stopped before the close" and not e.startswith("StoreClosed: ")]
    assert not wrong, wrong[:5]
    # The close did come while they were reading (else this test proves nothing).
    assert sum(e.startswith("StoreClosed: ") for e in ended) >= rounds
    assert all("closed" in e for e in ended if e.startswith("StoreClosed"))


def test_a_store_used_after_it_was_closed_says_so(store, store_path):
    from oncall_tui.core.errors import StoreClosed

    store.close()
    try:
        store.query("SELECT COUNT(*) FROM cases")
    except StoreClosed as exc:
        assert "closed" in str(exc)
    else:
        raise AssertionError("a closed store answered a query")


def test_threads_reading_in_their_own_snapshots_do_not_collide(store):
    """A read snapshot (export, a migration's copy) is its thread's: another thread opening one at the
    same time neither fails ("a transaction is already open") nor reads inside the first one."""
    import threading

    counts, errors = [], []

    def read() -> None:
        try:
            for _ in range(60):
                with store.snapshot() as conn:
                    cases = conn.execute("SELECT COUNT(*) FROM cases").fetchone()[0]
                    events = sum(1 for _ in store.iterate("SELECT id FROM events"))
                counts.append((cases, events))
        except Exception as exc:  # noqa: BLE001 - what a colliding transaction raises is the finding
            errors.append(f"{type(exc).__name__}: {exc}")

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(60)
    assert not errors, errors[:3]
    expected = (store.query_one("SELECT COUNT(*) FROM cases")[0], store.query_one("SELECT COUNT(*) FROM events")[0])
    assert counts == [expected] * 180

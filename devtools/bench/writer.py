"""Another engineer writing notes as fast as they can: `python -m devtools.bench.writer DB SEED`.

The benchmark starts several while it drives the app's keys. Each opens its
own session, prints ``ready``, then saves notes through the use case the
screen's editor calls (`usecases.writing.add`) until SIGTERM or SIGINT, on
random open cases and, one note in four, on a case of the queue's first
page (on screen). At the end it prints ``NOTES REFUSED`` on one line.
"""

from __future__ import annotations

import random
import signal
import sys

from oncall_tui.config import Config
from oncall_tui.core.errors import OncallError
from oncall_tui.usecases import writing
from oncall_tui.usecases.queue import Queue
from oncall_tui.usecases.session import Session

ON_SCREEN = 0.25  # share of notes on a case of the first page


def main(db: str, seed: int) -> int:
    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(True))  # finish the note being saved, then stop
    session = Session.open(db, Config(), user=f"writer{seed}", create=False, migrate=False)
    rng = random.Random(f"oncall-bench-writer-{seed}")
    cases = [r[0] for r in session.store.query("SELECT id FROM cases WHERE is_open = 1")]
    on_screen = [r.id for r in Queue(session).page(0, 40)]
    if not cases:
        print(f"writer {seed}: no open case in {db}", file=sys.stderr)
        return 1
    print("ready", flush=True)
    notes = refused = 0
    while not stop:
        case_id = rng.choice(on_screen) if rng.random() < ON_SCREEN else rng.choice(cases)
        try:
            writing.add(session, case_id, "note", f"Checked web-{rng.randrange(200):04d} for {case_id}: "
                                                  f"nothing in the logs yet (writer {seed}, note {notes}).")
            notes += 1
        except OncallError:  # the store stayed locked longer than lock_wait: count it, go on
            refused += 1
    session.close()
    print(notes, refused, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))

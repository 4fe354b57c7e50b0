"""`oncall import` of a big interchange file: its duration and its peak memory, in its own process.

The file holds the benchmark's synthetic customers and cases (`data.write_interchange`);
the import goes into an empty store, through the command engineers run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from .data import write_interchange


def measure_import(work: Path, env: dict, megabytes: float, out: dict) -> None:
    """Write a file of *megabytes* MiB in *work*, import it with `oncall import`, time it and read its peak RSS."""
    path = work / "interchange.json"
    cases, events = write_interchange(path, int(megabytes * 2 ** 20), now=datetime.now(timezone.utc))
    db = work / "imported.db"
    argv = [sys.executable, "-m", "oncall_tui", "import", str(path), "--db", str(db)]
    with open(work / "import.log", "w+", encoding="utf-8") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
        # wait4: the resources of this child alone (RUSAGE_CHILDREN would also count every app measured before).
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        said = log.read().strip()
    if proc.returncode != 0 or f"{cases} cases" not in said:
        raise RuntimeError(f"oncall import of {path} ({cases} cases) failed (exit {proc.returncode}): {said[-400:]}")
    out["import_rss_mb"] = usage.ru_maxrss / 1024  # KiB on Linux
    out["import_s"] = seconds
    out["import_file_mb"] = path.stat().st_size / 2 ** 20
    out["import_events"] = events
    path.unlink()

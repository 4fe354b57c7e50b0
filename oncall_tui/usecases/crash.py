"""Crash reports: when oncall hits a bug, a file to send, and nothing secret in it.

The report holds the versions, the command's name and the traceback — code
lines only, never local variables or configuration values. URLs in it lose
their user, password and query string (a webhook or feed token lives there).
It is written in the user data dir, readable by its owner only.
"""

from __future__ import annotations

import os
import platform
import sys
import traceback
from datetime import datetime, timezone
from pathlib import Path

from ..config import data_dir
from ..core.secrets import mask_urls


def write_report(exc_info, *, command: str, folder: Path | None = None) -> Path:
    """Write the crash report of *exc_info* and return its path (a temporary folder if the data dir fails)."""
    from .. import __version__

    etype, value, tb = exc_info
    lines = traceback.format_exception(etype, value, tb)  # code lines, no locals
    now = datetime.now(timezone.utc)
    text = "\n".join([
        f"oncall-tui {__version__} crash report, {now:%Y-%m-%d %H:%M:%S} UTC",
        f"command: {command}",
        f"python {platform.python_version()} on {platform.system()} {platform.release()}",
        f"textual {_version('textual')}, rich {_version('rich')}",
        "",
        mask_urls("".join(lines)),
    ])
    name = f"crash-{now:%Y%m%d-%H%M%S}-{os.getpid()}.txt"
    for place in ([folder] if folder else []) + [data_dir() / "crashes", Path("/tmp") / f"oncall-{os.getuid()}"]:
        try:
            place.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = place / name
            fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as fh:
                fh.write(text)
            return path
        except OSError:
            continue
    sys.stderr.write(text)
    return Path("<stderr>")


def _version(package: str) -> str:
    try:
        from importlib.metadata import version

        return version(package)
    except Exception:  # noqa: BLE001 — a report must be written whatever the environment
        return "?"

"""The heat's readings on hostile text: what folding one message costs when it is built to be slow.

Each customer message and each note is read once, when it is folded into its
case (`derived.refresh_cases`, budget 10 ms a case). The readings are regular
expressions; one that tries a run of "a.a.a.…" from each of its letters costs
the square of the run. The fold reads at most `lexicon.MAX_CHARS` characters of
a message, so every message here is that long: a cheap check's word that lets a
reading run (every `"…" in folded` of the core, and all of them at once), then
one short unit repeated ("a.", "/a", "a_", "a\\n"…). Each is folded as the
customer's message and as an engineer's note; the slowest is reported with its
shape, and the median beside it.
"""

from __future__ import annotations

import re
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

from oncall_tui.core.heat_stats import fold_events
from oncall_tui.core.lexicon import MAX_CHARS
from oncall_tui.core.model import Event
from oncall_tui.usecases.models import shipped

CORE = Path(__file__).resolve().parents[2] / "oncall_tui" / "core"
#: Short units a reading's `[\w.-]+`, `(?:/[\w]+)+`, `\w+_\w+` or line-by-line loop may try again and again.
UNITS = ("a.", "/a", "a-", "a ", "a/", ".a", "a,", "1.", "a@", "a:", "'a", "(a", "a)", "\n> ", "- ", "a\n", "1 ",
         "a_", "=a", "<a", "aa", "é ", "!", "?", "  ", "\n", ". ", "1:", "a;", "#", "/a.", "a.-")
_CHECK = re.compile(r'"([^"\n]{2,30})" (?:not )?in \w+')
_NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)


def triggers() -> list[str]:
    """The words the core checks for before a reading runs (`"index of" in folded`), sorted."""
    return sorted({w for path in sorted(CORE.glob("*.py")) for w in _CHECK.findall(path.read_text(encoding="utf-8"))})


def hostile_messages() -> list[tuple[str, str]]:
    """(shape, text) of every hostile message: each trigger alone and all of them, times each unit."""
    words = triggers()
    out = []
    for unit in UNITS:
        for head in [*words, " ".join(words)]:
            head += " "
            shape = f"{head[:24].strip()!r} + {unit!r}…"
            out.append((shape, head + unit * ((MAX_CHARS - len(head)) // len(unit))))
    return out


def measure_readings(out: dict) -> str:
    """Fold every hostile message as a customer's message and as a note; return the slowest one's shape."""
    heat = shipped().heat
    lexicon, window = heat.lexicon, heat.weights.promise_window_hours
    fold_events([Event(_NOW, "message", "in", "c", "warm-up", "email")], lexicon=lexicon,
                promise_window_hours=window)
    times = []
    for shape, text in hostile_messages():
        for kind, direction, author in (("message", "in", "customer"), ("note", "internal", "Nadia")):
            event = Event(_NOW, kind, direction, author, text, "email" if kind == "message" else "note")
            started = time.perf_counter()
            fold_events([event], lexicon=lexicon, promise_window_hours=window)
            times.append((time.perf_counter() - started, f"{shape} as a {kind}"))
    slowest = max(times)
    out["readings_hostile_max_ms"] = slowest[0] * 1000
    out["readings_hostile_median_ms"] = statistics.median(t for t, _ in times) * 1000
    out["readings_hostile_messages"] = len(times)
    return slowest[1]

"""The jargon decoder on what customers send: a 2 kB message, one 100 000-letter word, a 2 MB pasted log.

It runs on the customer's latest message each time a case is opened (in a
worker, but holding the interpreter), so hostile sizes must cost what a
short message costs.
"""

from __future__ import annotations

import time

from oncall_tui.core.intents import propose
from oncall_tui.usecases.models import shipped

from .data import long_word, pasted_log

LONG_WORD = 100_000  # letters
BIG_MESSAGE = 2 * 2 ** 20  # bytes


def message_2kb() -> str:
    """A 2 kB French message with a quoted reply: what the decoder reads most days."""
    paragraph = ("Bonjour, depuis la mise à jour d'hier notre boutique en ligne boutique-martin.fr est très "
                 "lente et le cadenas a disparu, les clients nous écrivent à contact@boutique-martin.fr. ")
    return (paragraph * 20)[:1800] + "\n\nLe lun. 3 mars, Support a écrit :\n> " + "bla " * 50


def measure_decoder(out: dict) -> None:
    models = shipped()
    rules, reader = models.rules, models.reader  # as the product decodes: the rules and the reader
    text = message_2kb()
    if not propose(text, rules=rules, reader=reader):
        raise RuntimeError("the jargon decoder proposed nothing for the benchmark message")
    out["intents_2kb_ms"] = best_of(lambda: propose(text, rules=rules, reader=reader))
    word = long_word(LONG_WORD)
    out["intents_word_ms"] = best_of(lambda: propose(word, rules=rules, reader=reader))
    log = pasted_log(BIG_MESSAGE)
    out["intents_2mb_ms"] = best_of(lambda: propose(log, rules=rules, reader=reader))


def best_of(run, repeats: int = 30) -> float:
    """Milliseconds of the fastest of *repeats* runs: other processes share the CPU."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times) * 1000

"""The knowledge the core computes with: heat weights, lexicons, decoder rules and reader.

Shipped as data files (`oncall_tui/data/`) and read here, once, so the core
stays pure: it receives them as parameters. A site's `[heat]` table is laid
over the shipped weights.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from ..core.heat_model import HeatModel
from ..core.heat_stats import OutageReader
from ..core.heat_weights import Weights, parse_weights
from ..core.lexicon import Lexicon, load_lexicon
from ..resources import data_file

if TYPE_CHECKING:  # the decoder's rules and reader are built at the first decoding, not at start
    from ..core.intent_reader import Reader
    from ..core.intent_rules import Rules

LEXICON_FILES = ("lexicon_fr.txt", "lexicon_en.txt")
READER_FILE = "intent_reader.json.gz"


@dataclass(frozen=True)
class Models:
    """What scoring and decoding need: the heat model (weights, lexicon), the decoder's rules and reader."""

    heat: HeatModel
    load_rules: Callable[[], Rules]
    load_reader: Callable[[], Reader] = field(default_factory=lambda: shipped_reader)

    @cached_property
    def rules(self) -> Rules:
        # Built at the first decoding, not at start: the queue's first frame does not need them.
        return self.load_rules()

    @cached_property
    def reader(self) -> Reader:
        # ~0.2 s to read 1 MB of weights: at the first decoding, in the worker that decodes.
        return self.load_reader()

    @property
    def weights(self) -> Weights:
        return self.heat.weights


@cache
def shipped_weights() -> Weights:
    table = tomllib.loads(data_file("heat.toml").read_text(encoding="utf-8")).get("heat", {})
    return parse_weights(table, "oncall_tui/data/heat.toml")


@cache
def shipped_lexicon() -> Lexicon:
    return load_lexicon((data_file(name).read_text(encoding="utf-8"), name) for name in LEXICON_FILES)


@cache
def shipped_rules() -> Rules:
    from ..core.intent_rules import build_rules

    return build_rules(data_file("intents.toml").read_bytes(), "oncall_tui/data/intents.toml")


@cache
def shipped_reader() -> Reader:
    from ..core.intent_reader import load_reader

    return load_reader(data_file(READER_FILE).read_bytes(), f"oncall_tui/data/{READER_FILE}")


#: The decoder's class the heat reads as an outage.
OUTAGE = "site_down"
_PUNCTUATION = ".,;:!?()[]\"'«»…"


def shipped_outage_reader() -> OutageReader:
    """The decoder's reader as the heat uses it: a customer's own words -> the words that make them read as
    an outage (the reader is sure it is the site_down request), or ()."""
    from ..core.intents import reader_input

    rules, reader = shipped_rules(), shipped_reader()

    def reads_outage(text: str) -> tuple[str, ...]:
        seen = reader_input(text, rules)
        reading = reader.read(seen)
        if reading.best != OUTAGE or reading.probability < reader.threshold:
            return ()
        return tuple(dict.fromkeys(w for word in reader.evidence(seen, OUTAGE) if (w := word.strip(_PUNCTUATION))))

    return reads_outage


def site_rules(path: str | Path) -> Rules:
    """The shipped decoder rules with a site's rules file layered on top (RulesError names the file and key)."""
    from ..core.intent_rules import RulesError, build_rules

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RulesError(f"{path}: cannot read the rules file: {exc.strerror or exc}") from None
    return build_rules(data_file("intents.toml").read_bytes(), "oncall_tui/data/intents.toml", data, str(path))


def site_weights(table: Mapping[str, Any], source: str) -> Weights:
    """A site's [heat] table over the shipped weights; ValueError names *source* and the key."""
    return parse_weights(table, source, base=shipped_weights())


@cache
def shipped() -> Models:
    """The shipped models, loaded once per process."""
    return Models(HeatModel(shipped_weights(), shipped_lexicon, shipped_outage_reader), shipped_rules)


def models_for(heat_table: Mapping[str, Any] | None, source: str = "config") -> Models:
    """The shipped models with a site's [heat] weights, if any."""
    base = shipped()
    if not heat_table:
        return base
    return Models(HeatModel(site_weights(heat_table, source), base.heat.load_lexicon, base.heat.load_outage_reader),
                  shipped_rules)

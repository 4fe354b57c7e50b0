"""What folding and scoring a case need besides its events: the weights, the lexicon and the outage reader."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

from .heat_stats import OutageReader
from .heat_weights import Weights
from .lexicon import Lexicon


@dataclass(frozen=True)
class HeatModel:
    """The heat model: how much each signal counts, and which words are frustration."""

    weights: Weights
    load_lexicon: Callable[[], Lexicon]
    #: Builds the reader that tells an outage said in words no lexicon holds; None: only the lexicon's words.
    load_outage_reader: Callable[[], OutageReader] | None = None

    @cached_property
    def lexicon(self) -> Lexicon:
        # Built when a message is first read (hundreds of patterns, ~0.1 s): ranking the
        # queue from stored heat, as the first frame does, never needs it.
        return self.load_lexicon()

    @cached_property
    def reads_outage(self) -> OutageReader | None:
        # Like the lexicon, loaded when a message is first folded (~0.2 s of weights).
        return self.load_outage_reader() if self.load_outage_reader else None

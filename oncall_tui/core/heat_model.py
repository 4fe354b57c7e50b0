"""What folding and scoring a case need besides its events: the weights and the lexicon."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

from .heat_weights import Weights
from .lexicon import Lexicon


@dataclass(frozen=True)
class HeatModel:
    """The heat model: how much each signal counts, and which words are frustration."""

    weights: Weights
    load_lexicon: Callable[[], Lexicon]

    @cached_property
    def lexicon(self) -> Lexicon:
        # Built when a message is first read (hundreds of patterns, ~0.1 s): ranking the
        # queue from stored heat, as the first frame does, never needs it.
        return self.load_lexicon()

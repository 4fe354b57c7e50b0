"""What folding and scoring a case need besides its events: the weights and the lexicon."""

from __future__ import annotations

from dataclasses import dataclass

from .heat_weights import Weights
from .lexicon import Lexicon


@dataclass(frozen=True)
class HeatModel:
    """The heat model: how much each signal counts, and which words are frustration."""

    weights: Weights
    lexicon: Lexicon

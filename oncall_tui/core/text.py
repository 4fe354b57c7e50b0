"""Text helpers shared by the core: accent folding and word tokenising.

Customers write "securite", "sécurité" or "SÉCURITÉ" for the same word, so every
matcher in the core (frustration lexicons, the jargon decoder, repetition)
compares *folded* text: lower case, accents removed, apostrophes unified.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


@lru_cache(maxsize=4096)
def _fold_cached(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def fold(text: str) -> str:
    """Lower-case *text* and strip accents ("Sécurité" -> "securite")."""
    if len(text) < 200:
        return _fold_cached(text)
    return _fold_cached.__wrapped__(text)


def words(text: str) -> list[str]:
    """Folded words of *text*; elisions are split ("l'ssl" -> ["l", "ssl"])."""
    return [w for token in _WORD.findall(fold(text)) for w in token.split("'") if w]


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A regex matching folded *phrase* on word boundaries, spaces flexible."""
    parts = [re.escape(p) for p in fold(phrase).split()]
    return re.compile(r"(?<![a-z0-9])" + r"[\s'-]+".join(parts) + r"(?![a-z0-9])")

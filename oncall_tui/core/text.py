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
_APOSTROPHES = ("\u2019", "\u2018", "\u02bc", "`")


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_COMMON_MARKS = re.compile("[\u0300-\u034e\u0350-\u036f]+")  # the accents of Latin letters, all combining


def _without_marks(run: re.Match[str]) -> str:
    return "".join(ch for ch in run.group() if not unicodedata.combining(ch))


@lru_cache(maxsize=4096)
def _fold_cached(text: str) -> str:
    for apostrophe in _APOSTROPHES:  # str.replace: a translate table costs a Python step per character
        if apostrophe in text:
            text = text.replace(apostrophe, "'")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = _COMMON_MARKS.sub("", decomposed)
    if not stripped.isascii():  # other marks are never ASCII: only runs of other characters are looked at
        stripped = _NON_ASCII.sub(_without_marks, stripped)
    return stripped.casefold()


def fold(text: str) -> str:
    """Lower-case *text* and strip accents ("Sécurité" -> "securite")."""
    if len(text) < 200:
        return _fold_cached(text)
    return _fold_cached.__wrapped__(text)


def words(text: str) -> list[str]:
    """Folded words of *text*; elisions are split ("l'ssl" -> ["l", "ssl"])."""
    return [w for token in _WORD.findall(fold(text)) for w in token.split("'") if w]


def word_start(escaped: str) -> str:
    """Regex for the literal *escaped* (already `re.escape`d) where no letter or digit comes before it.

    The look-behind follows the word instead of leading the pattern: a pattern that
    starts with a literal lets the regex engine jump to its occurrences, one that
    starts with a look-behind tries every position (ten times slower on a 2 kB message).
    """
    return f"{escaped}(?<![a-z0-9]{escaped})"


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A regex matching folded *phrase* on word boundaries, spaces flexible."""
    parts = [re.escape(p) for p in fold(phrase).split()]
    parts[0] = word_start(parts[0])
    return re.compile(r"[\s'-]+".join(parts) + r"(?![a-z0-9])")


_FRENCH = frozenset("le la les un une des du de et est pas je vous nous mon ma mes votre vos notre avec pour "
                    "sur dans que qui ce cette merci bonjour cordialement depuis encore toujours".split())
_ENGLISH = frozenset("the a an and is are not i you we my your our with for on in that this thanks hello "
                     "regards since still please".split())


def guess_language(text: str) -> str:
    """"fr" or "en" by which common words dominate the first 2000 characters; "" when it cannot tell."""
    found = words(text[:2000])
    fr = sum(w in _FRENCH for w in found)
    en = sum(w in _ENGLISH for w in found)
    if fr == en:
        return ""
    return "fr" if fr > en else "en"

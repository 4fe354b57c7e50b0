"""The decoder's reader: a linear model over character n-grams that tells which action a message asks for.

The rules (`intents.py`) know the words of each action; customers keep finding
new ones ("il faudrait que le site soit visible sur le nom qu'on vient
d'acheter"). The reader was trained, at build time, on the tune part of the
project's labelled messages (`devtools/train_reader.py`, scikit-learn): a
TF-IDF over the character 2- to 5-grams of each word (`char_wb`, sublinear
term frequency, l2 norm) and one logistic regression per action plus one for
"none" (no request). Character n-grams read typos, plurals, conjugations and
both languages alike.

This module only *applies* the trained weights, in plain Python: no
scikit-learn at run time. Reading is linear in the text's length (the decoder
gives it at most MAX_BODY_CHARS characters) and the result is the same as
scikit-learn's, which a test checks on every labelled message.

The model file (`oncall_tui/data/intent_reader.json.gz`) holds the n-grams,
their IDF, one weight column per class, the intercepts, the confidence
threshold chosen out of fold, and which messages it was trained on.
"""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter
from dataclasses import dataclass
from operator import itemgetter, mul
from typing import Any, Sequence

from .text import fold

FORMAT = 1
#: What a domain or an e-mail address reads as: the reader learns "create <mail>", not one customer's address.
SITE_WORD, MAIL_WORD = "zzsite", "zzmail"
NONE = "none"


class ReaderError(ValueError):
    """The model file cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class Reading:
    """What the reader makes of a message: the likeliest class, its probability, and all probabilities."""

    best: str
    probability: float
    probabilities: dict[str, float]


@dataclass(frozen=True)
class Reader:
    """Trained weights: `read` a message's own words, `evidence` says which of them pointed to a class."""

    classes: tuple[str, ...]
    ngram_range: tuple[int, int]
    index: dict[str, int]            # n-gram -> column
    idf: list[float]
    weights: tuple[list[float], ...]  # one list per class, indexed like idf
    intercepts: tuple[float, ...]
    threshold: float                  # below this probability the best guess is only "not sure"
    trained_on: dict[str, Any]

    def read(self, text: str) -> Reading:
        """Probabilities of every class for *text* (the output of `reader_text`)."""
        counts = self._counts(text)
        present = [g for g in counts if g in self.index]
        if not present:
            scores = list(self.intercepts)
        else:
            columns = [self.index[g] for g in present]
            if len(columns) == 1:  # itemgetter of one index gives a value, not a tuple
                pick = lambda seq, i=columns[0]: (seq[i],)  # noqa: E731
            else:
                pick = itemgetter(*columns)
            values = [(1.0 + math.log(counts[g])) * idf for g, idf in zip(present, pick(self.idf))]
            norm = math.sqrt(math.fsum(v * v for v in values))
            scores = [math.fsum(map(mul, values, pick(w))) / norm + b for w, b in zip(self.weights, self.intercepts)]
        # One logistic regression per class, normalised as scikit-learn's one-vs-rest does.
        raw = [1.0 / (1.0 + math.exp(-max(-500.0, min(500.0, s)))) for s in scores]
        total = math.fsum(raw) or 1.0
        probabilities = {c: p / total for c, p in zip(self.classes, raw)}
        best = max(self.classes, key=lambda c: (probabilities[c], c == NONE))
        return Reading(best, probabilities[best], probabilities)

    def evidence(self, text: str, label: str, limit: int = 3) -> tuple[str, ...]:
        """The words of *text* whose n-grams pushed most towards *label*, strongest first."""
        if label not in self.classes:
            return ()
        column = self.weights[self.classes.index(label)]
        counts = self._counts(text)
        norm = math.sqrt(math.fsum(((1.0 + math.log(n)) * self.idf[self.index[g]]) ** 2
                                   for g, n in counts.items() if g in self.index)) or 1.0
        pushes: dict[str, float] = {}
        for word in dict.fromkeys(text.split()):
            if word in (SITE_WORD, MAIL_WORD):
                continue
            push = 0.0
            for g in set(self._grams(word)):
                i = self.index.get(g)
                if i is not None:
                    push += (1.0 + math.log(counts[g])) * self.idf[i] * column[i] / norm
            if push > 0:
                pushes[word] = push
        return tuple(sorted(pushes, key=pushes.get, reverse=True)[:limit])

    def _grams(self, word: str) -> list[str]:
        # scikit-learn's char_wb n-grams of one word: padded with a space on each side; a word no longer
        # than n (padding included) gives itself once and no longer n-grams.
        w = f" {word} "
        size = len(w)
        out: list[str] = []
        low, high = self.ngram_range
        for n in range(low, high + 1):
            if size <= n:
                out.append(w)
                break
            out += [w[i:i + n] for i in range(size - n + 1)]
        return out

    def _counts(self, text: str) -> Counter[str]:
        # Counted in C in one pass: one 4,000-letter "word" alone is 16,000 n-grams.
        grams: list[str] = []
        for word, times in Counter(text.split()).items():
            grams += self._grams(word) * times
        return Counter(grams)


def reader_text(body: str, spans: Sequence[tuple[int, int, bool]]) -> str:
    """The customer's own text as the reader sees it: folded, each domain/URL and e-mail address one word.

    *spans* are `domains.scan`'s (start, end, is an e-mail) of *body*.
    """
    pieces, at = [], 0
    for start, end, email in sorted(spans):
        if start < at:
            continue
        pieces += [body[at:start], f" {MAIL_WORD if email else SITE_WORD} "]
        at = end
    pieces.append(body[at:])
    return fold("".join(pieces))


def load_reader(data: bytes, source: str) -> Reader:
    """A Reader from a model file's bytes (gzip'd JSON); ReaderError names *source* and what is wrong."""
    try:
        raw = json.loads(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)
    except (OSError, EOFError, ValueError) as exc:
        raise ReaderError(f"{source}: not a reader model file ({exc})") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ReaderError(f"{source}: unknown model format {raw.get('format') if isinstance(raw, dict) else raw!r}"
                          f" (this version reads format {FORMAT})")
    try:
        classes = tuple(str(c) for c in raw["classes"])
        grams = [str(g) for g in raw["grams"]]
        idf = [float(x) for x in raw["idf"]]
        weights = tuple([float(x) for x in column] for column in raw["weights"])
        intercepts = tuple(float(x) for x in raw["intercepts"])
        low, high = (int(n) for n in raw["ngram_range"])
        threshold = float(raw["threshold"])
        trained_on = dict(raw.get("trained_on") or {})
    except (KeyError, TypeError, ValueError) as exc:
        raise ReaderError(f"{source}: missing or malformed field {exc}") from None
    if NONE not in classes:
        raise ReaderError(f"{source}: no {NONE!r} class: the reader could never say 'nothing asked'")
    if len(weights) != len(classes) or len(intercepts) != len(classes):
        raise ReaderError(f"{source}: {len(classes)} classes but {len(weights)} weight columns "
                          f"and {len(intercepts)} intercepts")
    if len(idf) != len(grams) or any(len(column) != len(grams) for column in weights):
        raise ReaderError(f"{source}: {len(grams)} n-grams but IDF or weight columns of another length")
    if not 1 <= low <= high <= 8:
        raise ReaderError(f"{source}: n-gram range {low}-{high} is not a range of 1 to 8 characters")
    if not 0.0 <= threshold <= 1.0:
        raise ReaderError(f"{source}: threshold {threshold} is not a probability")
    return Reader(classes, (low, high), {g: i for i, g in enumerate(grams)}, idf, weights, intercepts,
                  threshold, trained_on)

"""The decoder's reader: a linear model over character n-grams that tells which action a message asks for.

The rules (`intents.py`) know the words of each action; customers keep finding
new ones ("il faudrait que le site soit visible sur le nom qu'on vient
d'acheter"). The reader was trained, at build time, on the tune part of the
project's labelled messages (`devtools/train_reader.py`, scikit-learn): two
TF-IDFs side by side (sublinear term frequency, each l2-normed), one over the
character 2- to 5-grams of each word (`char_wb`), one over the words and pairs
of words, and one logistic regression per action plus one for "none" (no
request). Character n-grams read typos, plurals, conjugations and both
languages alike; the pairs of words read what a word means beside another
("plus de place", "ne marche plus").

This module only *applies* the trained weights, with numpy: no
scikit-learn at run time. Reading is linear in the text's length (the decoder
gives it at most MAX_BODY_CHARS characters) and the result is the same as
scikit-learn's, which a test checks on every labelled message.

The model file (`oncall_tui/data/intent_reader.json.gz`) holds the character
n-grams and the word n-grams, their IDF, one weight column per class (the
character n-grams' rows first), the intercepts, the confidence
threshold chosen out of fold, and which messages it was trained on.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, Sequence

import numpy as np

from .text import fold

FORMAT = 2
#: scikit-learn's word tokens as the reader was trained with them (`token_pattern`): runs of letters and digits.
WORD_TOKEN = re.compile(r"\b\w+\b")
#: What a domain or an e-mail address reads as: the reader learns "create <mail>", not one customer's address.
SITE_WORD, MAIL_WORD = "zzsite", "zzmail"
#: Words that may push the model but tell an engineer nothing as evidence ("ça", "this", "What"): the
#: explanation names the words that carry the meaning.
_NOT_EVIDENCE = frozenset(fold(w) for w in (
    "a au aux avec ce ces cet cette ceci cela ça c est et en de des du la le les leur leurs ma mais me mes moi mon "
    "ne nos notre nous on ou où par pas pour qu que quel quelle qui sa se ses son sur ta te tes toi ton tu un une "
    "vos votre vous y il ils elle elles je j l d n s m t "
    "a an and are as at be been but by can could do does for from had has have he her his i if in is it its me my "
    "no not of on or our she so that the their them there these they this those to us was we were what when which "
    "who why will with would you your hi hello bonjour merci thanks thank please svp").split())
NONE = "none"


class ReaderError(ValueError):
    """The model file cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class Reading:
    """What the reader makes of a message: the likeliest class, its probability, and all probabilities."""

    best: str
    probability: float
    probabilities: dict[str, float]


@dataclass(frozen=True, eq=False)
class Reader:
    """Trained weights: `read` a message's own words, `evidence` says which of them pointed to a class."""

    classes: tuple[str, ...]
    ngram_range: tuple[int, int]
    index: dict[str, int]            # character n-gram -> row
    word_range: tuple[int, int]
    word_index: dict[str, int]       # word n-gram ("plus de") -> row, after the character n-grams' rows
    idf: np.ndarray                  # one per n-gram, character n-grams first
    weights: np.ndarray              # n-grams × classes
    intercepts: np.ndarray           # one per class
    threshold: float                 # below this probability the best guess is only "not sure"
    trained_on: dict[str, Any]
    _rows_cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _distinct_cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _last_vector: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    def read(self, text: str) -> Reading:
        """Probabilities of every class for *text* (the output of `reader_text`)."""
        rows, values = self._vector(text)
        # A 2 kB message writes about 2,000 distinct n-grams: their weights are gathered and summed in C.
        scores = values @ self.weights[rows] + self.intercepts if len(rows) else self.intercepts
        # One logistic regression per class, normalised as scikit-learn's one-vs-rest does.
        raw = 1.0 / (1.0 + np.exp(-np.clip(scores, -500.0, 500.0)))
        probabilities = dict(zip(self.classes, (raw / (raw.sum() or 1.0)).tolist()))
        best = max(self.classes, key=lambda c: (probabilities[c], c == NONE))
        return Reading(best, probabilities[best], probabilities)

    def evidence(self, text: str, label: str, limit: int = 3) -> tuple[str, ...]:
        """The words of *text* whose n-grams pushed most towards *label*, strongest first."""
        if label not in self.classes:
            return ()
        rows, values = self._vector(text)
        row_push = values * self.weights[rows, self.classes.index(label)]
        # A pair of words pushes both of its words, half each.
        token_push: Counter[str] = Counter()
        grams = [(gram, row) for gram, row in self._word_grams(text) if row >= 0]
        if grams:
            at = np.searchsorted(rows, np.fromiter((row for _, row in grams), dtype=np.intp, count=len(grams)))
            for (gram, _), push in zip(grams, row_push[at].tolist()):
                tokens = gram.split(" ")
                for token in tokens:
                    token_push[token] += push / len(tokens)
        words = [word for word in dict.fromkeys(text.split()) if word not in (SITE_WORD, MAIL_WORD)
                 and fold(word.strip(".,;:!?()[]«»\"'")).lower() not in _NOT_EVIDENCE]
        if not words:
            return ()
        # Each word's character n-grams, each counted once: all of them are among the text's rows, which are
        # sorted (the character n-grams' rows, then the word n-grams'), so one search finds where.
        distinct = [self._distinct_rows_of(word) for word in words]
        sizes = np.fromiter(map(len, distinct), dtype=np.intp, count=len(words))
        pushes_of_grams = row_push[np.searchsorted(rows, np.concatenate(distinct))] if sizes.any() else np.zeros(0)
        char_push = np.bincount(np.repeat(np.arange(len(words)), sizes), weights=pushes_of_grams,
                                minlength=len(words)).tolist()
        pushes: dict[str, float] = {}
        for word, push in zip(words, char_push):
            if token_push:
                push += math.fsum(token_push[token] for token in set(WORD_TOKEN.findall(word.lower())))
            if push > 0:
                pushes[word] = push
        return tuple(sorted(pushes, key=pushes.get, reverse=True)[:limit])

    def _vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The rows of the known n-grams of *text* and their TF-IDF values: the character n-grams' part and
        the word n-grams' part each with sublinear tf and its own l2 norm, as scikit-learn's FeatureUnion."""
        # The decoder reads a message, then asks which of its words pushed: the same text twice in a row.
        last = self._last_vector.get(text)
        if last is not None:
            return last
        vector = self._vector_of(text)
        self._last_vector.clear()
        self._last_vector[text] = vector
        return vector

    def _vector_of(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        words = Counter(text.split())
        parts = [self._rows_of(word) for word in words]
        sizes = [len(part) for part in parts]
        if any(sizes):
            times = np.repeat(np.fromiter(words.values(), dtype=float, count=len(words)), sizes)
            char_rows, char_values = self._tfidf(np.concatenate(parts), times)
        else:
            char_rows, char_values = np.zeros(0, dtype=np.intp), np.zeros(0)
        known = [row for _, row in self._word_grams(text) if row >= 0]
        word_rows, word_values = self._tfidf(np.array(known, dtype=np.intp), np.ones(len(known)))
        return np.concatenate([char_rows, word_rows]), np.concatenate([char_values, word_values])

    def _tfidf(self, rows: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows counted *times* each: the distinct rows and their l2-normed sublinear TF-IDF values."""
        if not len(rows):
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        # Counted over the rows present, not over every n-gram of the model: a message holds a few hundred
        # of its 44,000 (a bincount over all of them was most of the reading's time).
        distinct, where = np.unique(rows, return_inverse=True)
        counted = np.bincount(where, weights=times)
        values = (1.0 + np.log(counted)) * self.idf[distinct]
        return distinct, values / (math.sqrt(float(values @ values)) or 1.0)

    def _word_grams(self, text: str) -> list[tuple[str, int]]:
        """Each word n-gram of *text* (scikit-learn's, repeats kept) with its row, -1 when the model has none."""
        tokens = WORD_TOKEN.findall(text.lower())
        low, high = self.word_range
        grams = [" ".join(tokens[i:i + n]) for n in range(low, min(high, len(tokens)) + 1)
                 for i in range(len(tokens) - n + 1)]
        return [(gram, self.word_index.get(gram, -1)) for gram in grams]

    def _distinct_rows_of(self, word: str) -> np.ndarray:
        """`_rows_of(word)` without its repeats, sorted."""
        known = self._distinct_cache.get(word)
        if known is None:
            known = np.unique(self._rows_of(word))
            if len(word) <= 40:
                if len(self._distinct_cache) > 50_000:  # a cache, not a leak
                    self._distinct_cache.clear()
                self._distinct_cache[word] = known
        return known

    def _rows_of(self, word: str) -> np.ndarray:
        """The rows of the model's n-grams in *word* (scikit-learn's char_wb n-grams, repeats kept)."""
        known = self._rows_cache.get(word)
        if known is not None:
            return known
        # Padded with a space on each side; a word no longer than n (padding included) gives itself once
        # and no longer n-grams.
        w = f" {word} "
        size = len(w)
        grams: list[str] = []
        low, high = self.ngram_range
        for n in range(low, high + 1):
            if size <= n:
                grams.append(w)
                break
            grams += [w[i:i + n] for i in range(size - n + 1)]
        # Looked up in C: one 4,000-letter "word" alone is 16,000 n-grams.
        rows = np.fromiter(map(self.index.get, grams, repeat(-1)), dtype=np.intp, count=len(grams))
        known = rows[rows >= 0]
        if len(word) <= 40:  # the words customers write again and again; not a pasted blob's
            if len(self._rows_cache) > 50_000:  # a cache, not a leak
                self._rows_cache.clear()
            self._rows_cache[word] = known
        return known


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
        word_grams = [str(g) for g in raw["word_grams"]]
        word_idf = [float(x) for x in raw["word_idf"]]
        weights = tuple([float(x) for x in column] for column in raw["weights"])
        intercepts = tuple(float(x) for x in raw["intercepts"])
        low, high = (int(n) for n in raw["ngram_range"])
        word_low, word_high = (int(n) for n in raw["word_ngram_range"])
        threshold = float(raw["threshold"])
        trained_on = dict(raw.get("trained_on") or {})
    except (KeyError, TypeError, ValueError) as exc:
        raise ReaderError(f"{source}: missing or malformed field {exc}") from None
    if NONE not in classes:
        raise ReaderError(f"{source}: no {NONE!r} class: the reader could never say 'nothing asked'")
    if len(weights) != len(classes) or len(intercepts) != len(classes):
        raise ReaderError(f"{source}: {len(classes)} classes but {len(weights)} weight columns "
                          f"and {len(intercepts)} intercepts")
    rows = len(grams) + len(word_grams)
    if len(idf) != len(grams) or len(word_idf) != len(word_grams) or any(len(column) != rows for column in weights):
        raise ReaderError(f"{source}: {len(grams)} character and {len(word_grams)} word n-grams but IDF or weight "
                          "columns of another length")
    if not 1 <= low <= high <= 8:
        raise ReaderError(f"{source}: n-gram range {low}-{high} is not a range of 1 to 8 characters")
    if not 1 <= word_low <= word_high <= 4:
        raise ReaderError(f"{source}: word n-gram range {word_low}-{word_high} is not a range of 1 to 4 words")
    if not 0.0 <= threshold <= 1.0:
        raise ReaderError(f"{source}: threshold {threshold} is not a probability")
    return Reader(classes, (low, high), {g: i for i, g in enumerate(grams)}, (word_low, word_high),
                  {g: len(grams) + i for i, g in enumerate(word_grams)}, np.array(idf + word_idf),
                  np.array(weights).T.copy(), np.array(intercepts), threshold, trained_on)

"""Full-text search over every event (messages, notes, summaries), whichever engine holds them.

Users type plain words; `"a phrase"` and `prefix*` are supported, nothing
else is syntax, so no input raises. Each engine matches with its own index
(`Store.search_matches`: FTS5 on SQLite, tsvector and GIN on PostgreSQL);
both fold accents, so "securite" finds "sécurité". A search runs under a time
budget: a very common word cannot freeze the screen, it returns the most
recent matches flagged `truncated` instead.
Words of scripts written without spaces (Chinese, Japanese, Thai…) are one long
token to the index: they are found as parts of the bodies, read newest first
under the same budget. A snippet is one line of at most SNIPPET_CHARS characters.
"""

from __future__ import annotations

import bisect
import itertools
import re
import time
import unicodedata
from dataclasses import dataclass
from typing import Callable

from ..core.text import fold
from .attachments import matching_names
from .db import Store

MAX_TERMS = 16
MAX_LIMIT = 500
DEFAULT_BUDGET = 0.5  # seconds
SNIPPET_TOKENS = 16  # words shown around the first match
SNIPPET_BEFORE = 4
SNIPPET_CHARS = 280  # a snippet is one line on screen, whatever the body
SNIPPET_SCAN = 20_000  # characters of a body read word by word for its snippet (a pasted log is megabytes)
MAX_SPOTS = 50  # occurrences of an unsegmented word looked at in one body
# Scripts written without spaces between words: Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar.
_UNSEGMENTED = re.compile("[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
                          "\u0e00-\u0eff\u1780-\u17ff\u1000-\u109f\U00020000-\U0002fa1f]")

# What the unicode61 tokenizer calls a token: a run of letters and digits.
_TOKEN = re.compile(r"[^\W_]+")
_SPACES = re.compile(r"\s+")

Piece = tuple[str, bool]  # (text, is_match)


@dataclass(frozen=True, slots=True)
class Term:
    """One thing the user asked for: a word or a phrase, the last word maybe a prefix."""

    words: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        # Tokens hold letters and digits only, so they never contain a quote.
        return '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Hit:
    """One matching event, with where it belongs and a plain-text snippet."""

    seq: int
    event_id: str
    case_id: str | None
    customer_id: str | None
    customer: str
    subject: str
    at: str
    kind: str
    direction: str
    author: str
    rank: float  # bm25: lower is better
    snippet: tuple[Piece, ...]

    @property
    def snippet_text(self) -> str:
        return "".join(text for text, _ in self.snippet)

    def to_dict(self) -> dict:
        return {"seq": self.seq, "event_id": self.event_id, "case_id": self.case_id,
                "customer_id": self.customer_id, "customer": self.customer, "subject": self.subject,
                "at": self.at, "kind": self.kind, "direction": self.direction, "author": self.author,
                "rank": round(self.rank, 4), "snippet": [{"text": t, "match": m} for t, m in self.snippet],
                "snippet_text": self.snippet_text}


class SearchResults(list):
    """A list of Hit, plus whether it was cut short and a message for the user."""

    def __init__(self, hits=(), *, truncated: bool = False, cancelled: bool = False, message: str = ""):
        super().__init__(hits)
        self.truncated = truncated
        self.cancelled = cancelled
        self.message = message


def parse_query(text: str) -> list[Term]:
    """Plain user input -> terms. Never fails: anything that is not a word is ignored."""
    text = unicodedata.normalize("NFC", text)
    terms: list[Term] = []
    # Quoted phrases first (an unclosed quote runs to the end), then loose chunks.
    for phrase, star, loose in re.findall(r'"([^"]*)"?(\*?)|([^\s"]+)', text):
        chunk = loose or phrase + star
        if unsegmented(chunk):
            # Matched as written, marks and all (Thai vowel signs are not "letters" to a tokenizer).
            part = chunk.rstrip("*").strip()
            terms.append(Term((part,)))
            if len(terms) == MAX_TERMS:
                break
            continue
        words = tuple(_TOKEN.findall(chunk.lower()))
        if not words:
            continue
        terms.append(Term(words, prefix=chunk.rstrip().endswith("*")))
        if len(terms) == MAX_TERMS:
            break
    return terms


_DETAILS = ("SELECT e.seq, e.id, e.case_id, e.customer_id, COALESCE(cu.name, ''), COALESCE(c.subject, ''), "
            "e.at, e.kind, e.direction, e.author, e.body FROM events e LEFT JOIN cases c ON c.id = e.case_id "
            "LEFT JOIN customers cu ON cu.id = e.customer_id WHERE e.seq IN ({marks})")


def search(store: Store, query: str, *, limit: int = 50, customer_id: str | None = None,
           budget: float | None = DEFAULT_BUDGET, should_stop: Callable[[], bool] | None = None) -> SearchResults:
    """Events matching *query*, best bm25 first then most recent, at most *limit*.

    Runs within *budget* seconds (None: no limit); past it, returns the most
    recent matches with `truncated` set. *should_stop* (checked often, from any
    thread) cancels: empty results with `cancelled` set. Never raises on user input.
    """
    terms = parse_query(query)
    if not terms:
        return SearchResults(message="type a word to search for (letters or digits)")
    limit = max(1, min(int(limit), MAX_LIMIT))
    if any(unsegmented(w) for t in terms for w in t.words):
        return _scan(store, query, terms, limit, customer_id, budget, should_stop)
    start = time.monotonic()
    ranked_budget = None if budget is None else budget * 0.6
    ranked, state = store.search_matches(terms, limit=limit, customer_id=customer_id, newest=False,
                                         budget=ranked_budget, should_stop=should_stop)
    truncated, message = False, ""
    if state == "timeout":
        # Too many matches to rank in time: the newest come straight off the
        # index in rowid order, so this stops after *limit* rows.
        rest = max(0.1, budget - (time.monotonic() - start)) if budget is not None else None
        ranked, state = store.search_matches(terms, limit=limit, customer_id=customer_id, newest=True,
                                             budget=rest, should_stop=should_stop)
        if state == "timeout":
            return SearchResults(truncated=True, message=f"too many matches for {query!r} to search in time; "
                                 "add words to narrow it down")
        if state == "ok":
            truncated = True
            message = (f"too many matches for {query!r} to rank in time: showing the {len(ranked)} most "
                       "recent; add words to narrow it down")
    if state == "cancelled":
        return SearchResults(truncated=True, cancelled=True, message="search cancelled")
    if state == "error":
        return SearchResults(message=f"could not search for {query!r}: {ranked}")
    return SearchResults(_hits(store, ranked, terms, customer_id, limit), truncated=truncated, message=message)


def _hits(store: Store, ranked: list, terms: list[Term], customer_id: str | None, limit: int) -> list[Hit]:
    rank = {seq: r for seq, r in ranked}
    # A file name asked for ("facture-2026-03.pdf") is what the engineer means: those events come first.
    files = _file_matches(store, terms, customer_id, limit)
    best = min(rank.values(), default=0.0)
    for seq in files:
        rank.setdefault(seq, best - 1.0)
    rows = store.query(_DETAILS.format(marks=",".join("?" * len(rank))), tuple(rank)) if rank else []
    hits = []
    for r in rows:
        excerpt = snippet(r[10], terms)
        if r[0] in files and not any(is_match for _, is_match in excerpt):
            excerpt = (("attachment ", False), (files[r[0]], True))
        hits.append(Hit(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], float(rank[r[0]]), excerpt))
    hits.sort(key=lambda h: (h.at, h.seq), reverse=True)
    hits.sort(key=lambda h: h.rank)  # stable: equal ranks stay newest first
    return hits


def _scan(store: Store, query: str, terms: list[Term], limit: int, customer_id: str | None,
          budget: float | None, should_stop: Callable[[], bool] | None) -> SearchResults:
    """Words of scripts without spaces are parts of one long index token: the bodies are read
    instead (newest first, under the same budget), every term a part of the text."""
    parts = [w for t in terms for w in t.words]
    rows, state = store.scan_bodies(parts, limit=limit, customer_id=customer_id, budget=budget,
                                    should_stop=should_stop)
    if state == "cancelled":
        return SearchResults(truncated=True, cancelled=True, message="search cancelled")
    if state == "timeout":
        return SearchResults(truncated=True, message=f"too many events to read for {query!r} in time; "
                             "add words to narrow it down")
    if state == "error":
        return SearchResults(message=f"could not search for {query!r}: {rows}")
    return SearchResults(_hits(store, rows, terms, customer_id, limit))


def _file_matches(store: Store, terms: list[Term], customer_id: str | None, limit: int) -> dict[int, str]:
    """Events whose attached file names hold every word asked for: seq -> the first such name."""
    found: dict[int, str] = {}
    for row in matching_names(store, [w for t in terms for w in t.words], customer_id=customer_id, limit=limit):
        found.setdefault(row["seq"], row["name"])
    return found


def snippet(body: str, terms: list[Term], *, tokens: int = SNIPPET_TOKENS,
            before: int = SNIPPET_BEFORE, width: int = SNIPPET_CHARS) -> tuple[Piece, ...]:
    """A one-line excerpt of *body* around the first match, as (text, is_match) pieces.

    About *tokens* words, never more than *width* characters of the body: one "word"
    of a pasted blob can be megabytes long. In a long body only the stretch where a word
    asked for first appears as typed (any case) is read word by word, or failing that
    its first SNIPPET_SCAN characters: a search that finds a pasted log stays quick.
    """
    if len(body) <= SNIPPET_SCAN:
        return _excerpt(body, 0, body, terms, tokens, before, width)
    spot = _first_spot(body, terms)
    if spot is not None:
        offset = max(0, spot - width)
        pieces = _excerpt(body[offset:spot + 2 * width], offset, body, terms, tokens, before, width)
        if any(is_match for _, is_match in pieces):
            return pieces
    return _excerpt(body[:SNIPPET_SCAN], 0, body, terms, tokens, before, width)


def _first_spot(body: str, terms: list[Term]) -> int | None:
    """Where the first word of a term first appears in *body*, as typed (any case), if it does."""
    spots = [m.start() for t in terms if t.words
             for m in [re.search(re.escape(t.words[0]), body, re.IGNORECASE)] if m]
    return min(spots, default=None)


def _excerpt(text: str, offset: int, body: str, terms: list[Term], tokens: int, before: int,
             width: int) -> tuple[Piece, ...]:
    """`snippet` of the stretch *text* of *body* that starts at *offset*."""
    found = [(m.start(), m.end(), fold(m.group())) for m in _TOKEN.finditer(text)]
    if not found:
        return ((_one_line(text[:width]), False),) if offset == 0 else (("…", False), (_one_line(text[:width]), False))
    matches = _match_ranges(text, found, terms)
    first = matches[0][0] if matches else found[0][0]
    at = max(0, bisect.bisect_right([a for a, _, _ in found], first) - 1)  # the token holding the match
    lo = max(0, min(at - before, len(found) - tokens))  # fill the window when the match is near the end
    hi = min(len(found), lo + tokens)
    start = 0 if lo == 0 else found[lo][0]
    end = len(text) if hi == len(found) else found[hi - 1][1]
    if end - start > width:
        start = max(start, first - width // 4)
        end = min(end, start + width)
    pieces: list[Piece] = [("…", False)] if offset + start > 0 else []
    pos = start
    for a, b in matches:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        if a > pos:
            pieces.append((_one_line(text[pos:a]), False))
        pieces.append((_one_line(text[a:b]), True))
        pos = b
    if pos < end:
        pieces.append((_one_line(text[pos:end]), False))
    if offset + end < len(body):
        pieces.append(("…", False))
    return tuple(p for p in pieces if p[0])


def unsegmented(word: str) -> bool:
    """True for a word in a script written without spaces (Chinese, Japanese, Thai…): one
    "token" there is a whole sentence, so it is matched as a part of the text."""
    return bool(_UNSEGMENTED.search(word))


def _match_ranges(body: str, found: list[tuple[int, int, str]], terms: list[Term]) -> list[tuple[int, int]]:
    """Character ranges of *body* where a term matches, merged and sorted."""
    spans = []
    for term in terms:
        if any(unsegmented(w) for w in term.words):
            for word in term.words:
                for m in itertools.islice(re.finditer(re.escape(word), body, re.IGNORECASE), MAX_SPOTS):
                    spans.append((m.start(), m.end()))
            continue
        words = tuple(fold(w) for w in term.words)
        n = len(words)
        for i in range(len(found) - n + 1):
            if all(found[i + j][2] == words[j] for j in range(n - 1)):
                last = found[i + n - 1][2]
                if last == words[-1] or (term.prefix and last.startswith(words[-1])):
                    spans.append((found[i][0], found[i + n - 1][1]))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text)

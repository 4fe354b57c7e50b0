"""The jargon decoder: a customer's words in, proposed actions out.

Customers say "charger un SSL" for *issue a certificate*, "ftp" for *add a
vhost*, "mémoire pleine" for *disk full*. `propose` reads one message (French or
English, typos, SHOUTING, signature and quoted history included) and returns
the actions it suggests, best first, with parameters, a confidence and the
words that triggered each one; `decode` also says, when it proposes nothing,
its best guess below the threshold and why ("not sure: add a vhost? (0.41: 'ftp')"). The
rules are data: `oncall_tui/data/intents.toml`. A wrong suggestion is worse
than none: when unsure, nothing is proposed.

How a message is read:

0. Only the first MAX_MESSAGE_CHARS characters are read, and only the first
   MAX_BODY_CHARS of the customer's own text analysed; words longer than the
   longest keyword + 1 are never matched one typo away. Every step is linear
   in that bounded size, and no pattern can backtrack without bound.
1. Quoted history (">" lines; everything after "Le ... a écrit :", "On ...
   wrote:", an Outlook "De :/Envoyé :" header or a "Forwarded message" line)
   and the signature (after "--" or a closing line such as "Cordialement") are
   set aside. They trigger a proposal only when the customer's own words ask
   for nothing and say yes to them ("allez-y", "please go ahead", "pouvez-vous
   faire ce qu'elle demande ?"); otherwise they can only confirm one of the
   customer's known domains. The headers of a forwarded mail at the very top
   are skipped: the customer's text follows them.
2. Domains, e-mail addresses and URLs are found, then blanked out, so "ftp" in
   "ftp.boutique.fr" or "https" in a link is not a request; an e-mail address
   reads as the word the rules write "<email>" ("créer <email>"). Version
   numbers and IP addresses are left as they are ("PHP 8.2").
3. The rest is folded (case, accents) and matched by whole words against each
   intent's phrases ("a ... b" allows up to three words between); single words
   of `fuzzy_min_length` letters or more also match one typo away
   ("certifcat" -> "certificat").
4. Per sentence, an intent's evidence is the noisy-OR of its phrase weights
   (each phrase counted once; a longer phrase hides the shorter ones inside
   it), raised by a request marker ("pouvez-vous", "please") or a named
   parameter, then damped by negative phrases (invoices, questions about how
   things work, follow-ups, auto-replies) and the intent's own `against`
   phrases *in that sentence*. "Resolved" phrases ("ça remarche", "you can
   close the ticket") damp the whole message, unless another sentence asks for
   something. The intent's score is the noisy-OR over sentences; from
   `threshold` up it is proposed.
5. An intent may hide another (a renewal is not also a first issuance) or
   outrank it (the restart asked for comes before the outage it fixes).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from itertools import accumulate
from typing import Sequence

from .domains import Found, known_named, nearest, normalise, said_fine, scan
from .intent_reader import NONE, Reader, reader_text
from .intent_rules import (
    EMAIL_WORD,
    INTENTS,
    VALUE_KIND,
    WORD_RUN,
    IntentRule,
    RulePhrase,
    Rules,
    deletions,
)
from .text import fold, phrase_pattern

#: Characters of a message read to find where the customer's own text ends
#: (quoted history, signature): the words that matter come first.
MAX_MESSAGE_CHARS = 20_000
#: Characters of the customer's own text analysed: a pasted 80 kB log or a
#: 1 MB "word" must not stall the screen; requests come in the first lines.
MAX_BODY_CHARS = 4_000
#: Characters of the quoted history and signature searched for a known domain.
MAX_ASIDE_CHARS = 4_000
#: A below-threshold guess weaker than this is not worth showing as "not sure".
UNSURE_FLOOR = 0.2


@dataclass(frozen=True)
class Proposal:
    """One suggested action: what, on what, how sure, and which words said so."""

    intent: str
    params: dict[str, str] = field(hash=False)
    confidence: float
    matched: tuple[str, ...]
    quoted: bool = False  # read in what they quote or forward, which their own words say yes to

    def to_json(self) -> dict:
        return {"intent": self.intent, "params": dict(self.params), "confidence": self.confidence,
                "matched": list(self.matched), **({"quoted": True} if self.quoted else {})}


# ---------------------------------------------------------------- message parts

_REPLY_ONE_LINE = re.compile(r"^(?:le|on)\s.*(?:a ecrit|wrote)\s*:$")
_REPLY_START, _REPLY_END = re.compile(r"^(?:le|on)\s"), re.compile(r"(?:a ecrit|wrote)\s*:$")
_ORIGINAL = re.compile(r"^-{2,}\s*(?:original message|message d'origine)\s*-{2,}$")
_FORWARDED = re.compile(r"^-{2,}\s*(?:forwarded message|message transfere)\s*-{2,}$")
_FORWARD_END = re.compile(r"^-{3,}$")
_HEADER_FROM, _HEADER_NEXT = re.compile(r"^(?:de|from)\s*:"), re.compile(r"^(?:envoye|sent|date)\s*:")
_HEADER_MORE = re.compile(r"^(?:objet|subject|a|to|cc)\s*:")


def _is_closing(line: str, closings: tuple[str, ...]) -> bool:
    line = " ".join(line.strip(" ,.!;:-").split())
    return any(line == c or (c.endswith(" *") and line.startswith(c[:-1])) for c in closings)


def _split(text: str, closings: tuple[str, ...]) -> tuple[str, str]:
    """(fresh body, quoted history + signature); quoted lines stay as blank body lines."""
    lines = text.splitlines()
    folded = [fold(line[:200]).strip() for line in lines]  # headers and closings are short lines
    body, aside, seen, header, resume = [], [], False, False, 0
    for i, (line, f) in enumerate(zip(lines, folded)):
        if i < resume:  # inside a forwarded block that a rule of dashes closes
            aside.append(line)
            body.append("")
            continue
        nxt = folded[i + 1:i + 4]
        if _FORWARDED.match(f) and (end := next((j for j in range(i + 1, len(folded))
                                                 if _FORWARD_END.match(folded[j])), None)):
            # "---- Message transféré ----" … "----------": what they write below the rule is theirs again
            # ("Vous pouvez faire le nécessaire pour que ça ne coupe pas ?").
            aside.append(line)
            body.append("")
            resume = end + 1
            continue
        if not seen and _HEADER_FROM.match(f) and any(_HEADER_NEXT.match(n) for n in nxt):
            header = True  # a forwarded mail starts with its headers: the text below them is the customer's
        if header:
            aside.append(line)
            header = bool(f)
            continue
        if (_REPLY_ONE_LINE.match(f) or _ORIGINAL.match(f) or f == "--" or _FORWARDED.match(f)
                or (_REPLY_START.match(f) and nxt and _REPLY_END.search(nxt[0]))
                # (a client that forwards with "De :" and "Objet :" only, no date, still starts a forward)
                or (_HEADER_FROM.match(f) and any(_HEADER_NEXT.match(n) or _HEADER_MORE.match(n) for n in nxt))
                or (seen and _is_closing(f, closings))):
            aside.extend(lines[i:])
            break
        quoted = f.startswith(">")
        (aside if quoted else body).append(line)
        if quoted:
            body.append("")
        seen = seen or (bool(f) and not quoted)
    sign = _signature_start(body)
    return "\n".join(body[:sign]), "\n".join(body[sign:] + aside)


# A signature with no closing above it: a short name line, then a line of names, sites and phones cut by
# separators ("Delphine Lacoste" / "Vignobles Lacoste — vignobles-lacoste.fr — chateau-lacoste-margaux.fr").
_SEPARATED = re.compile(r"\S\s+[-|—–·•]\s+\S")
_NAME_LINE = re.compile(r"^[^\W\d_][^.?!:;,]{0,40}$")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


def _signature_start(body: list[str]) -> int:
    """Where a trailing signature starts in *body*, or its end: a name line above a line cut by separators, or
    one line cut twice ("Niamh O'Connell – Cork Web Studio – +353 21 555 7733")."""
    filled = [i for i, line in enumerate(body) if line.strip()]
    if len(filled) < 3:
        return len(body)
    last, name = filled[-1], filled[-2]
    line = body[last].strip()
    if len(line) > 120 or _SENTENCE_END.search(line):
        return len(body)
    cuts = len(_SEPARATED.findall(line))
    if cuts >= 2:
        return last
    if cuts and "." in line and len(body[name].split()) <= 4 and _NAME_LINE.match(body[name].strip()):
        return name
    return len(body)


# ---------------------------------------------------------------- matching

@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    phrase: RulePhrase


def _one_edit(a: str, b: str) -> bool:
    """True if a and b differ by one insertion, deletion, substitution or swap."""
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if len(a) > len(b):
        a, b = b, a
    i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), len(a))
    return len(b) - len(a) == 1 and a[i:] == b[i + 1:]


def _hits(phrases: Sequence[RulePhrase], folded: str, tokens: set[str]) -> list[_Hit]:
    return [_Hit(m.start(), m.end(), p) for p in phrases if p.needs <= tokens
            for m in p.pattern.finditer(folded)]


def _fuzzy_hits(rules: Rules, folded: str, tokens: set[str]) -> dict[str, list[_Hit]]:
    out: dict[str, list[_Hit]] = {}
    if not rules.fuzzy:
        return out
    for tok in tokens:
        for intent, phrase in _one_typo_from(rules, tok):
            out.setdefault(intent, []).extend(
                _Hit(m.start(), m.end(), phrase) for m in phrase_pattern(tok).finditer(folded))
    return out


def _one_typo_from(rules: Rules, tok: str) -> tuple[tuple[str, RulePhrase], ...]:
    """(intent, phrase) of each keyword *tok* is one typo away from; remembered per word, as words recur."""
    found = rules.typo_memo.get(tok)
    if found is not None:
        return found
    found = ()
    if (rules.fuzzy_min_length - 1 <= len(tok) <= rules.fuzzy_max_length and tok.isalpha()
            and not any(word == tok for _, word, _ in rules.fuzzy.get(tok, ()))):
        # not too short, and not a keyword spelt right: an exact match already counts it
        found = tuple((intent, phrase) for key in {tok} | deletions(tok)
                      for intent, word, phrase in rules.fuzzy.get(key, ())
                      if word != tok and word[0] == tok[0] and _one_edit(tok, word))
    if len(rules.typo_memo) > 50_000:  # a cache, not a leak, even on hostile input
        rules.typo_memo.clear()
    rules.typo_memo[tok] = found
    return found


def _longest(hits: list[_Hit]) -> list[_Hit]:
    """Drop hits overlapping a longer one, so "charger un ssl" is not also "ssl"."""
    if len(hits) < 2:
        return hits
    starts: list[int] = []  # kept hits, sorted and disjoint: check only the neighbours
    kept: list[_Hit] = []
    for h in sorted(hits, key=lambda h: (h.start - h.end, h.start)):
        i = bisect_right(starts, h.start)
        if (i == 0 or kept[i - 1].end <= h.start) and (i == len(kept) or h.end <= kept[i].start):
            starts.insert(i, h.start)
            kept.insert(i, h)
    return kept


def _noisy_or(weights) -> float:
    miss = 1.0
    for w in weights:
        miss *= 1.0 - w
    return 1.0 - miss


def _evidence(hits: list[_Hit]) -> float:
    best: dict[int, float] = {}
    for h in hits:
        best[id(h.phrase)] = max(best.get(id(h.phrase), 0.0), h.phrase.weight)
    return _noisy_or(best.values())


class _Text:
    """A body folded for matching, with the way back to the customer's own words."""

    _chars: dict[str, str] = {}

    def __init__(self, body: str, masked: str):
        self.body = body
        table = self._chars
        if len(table) > 20_000:  # a cache, not a leak, even on hostile input
            table.clear()
        if masked.isascii():  # fold() of ASCII text, without its per-character work
            self.folded, self._ends = masked.lower().replace("`", "'"), None
        elif all(len(table[c] if c in table else table.setdefault(c, fold(c))) == 1
                 for c in set(masked) if not c.isascii()):  # "é" -> "e": positions stay where they are
            self.folded, self._ends = fold(masked), None
        else:
            pieces = [table[c] if c in table else table.setdefault(c, fold(c)) for c in masked]
            self.folded, self._ends = "".join(pieces), list(accumulate(map(len, pieces)))
        self.tokens = set(WORD_RUN.findall(self.folded))
        self.newlines = [m.start() for m in re.finditer("\n", body)]

    def folded_at(self, pos: int) -> int:
        """Where body position *pos* is in the folded text."""
        if self._ends is None:
            return pos
        return self._ends[pos - 1] if 0 < pos <= len(self._ends) else 0

    def span(self, start: int, end: int) -> tuple[int, int]:
        if self._ends is None:
            return start, end
        return bisect_right(self._ends, start), bisect_right(self._ends, end - 1) + 1


_SENTENCE_END = re.compile(r"[.!?;]+(?=\s|$)|\n")


class _Context:
    """Scores intents sentence by sentence: a request marker, a named parameter, a
    "thanks" or "it works now" only weigh on the hits in their own sentence, so
    "Thanks for the certificate! Can you restart apache?" asks for a restart only."""

    def __init__(self, t: _Text, rules: Rules, requests: list[_Hit], negative: list[_Hit],
                 resolved: list[_Hit], value_hits: dict[str, list[_Hit]]):
        self.t, self.rules = t, rules
        self.bounds = [m.end() for m in _SENTENCE_END.finditer(t.folded)]
        self.requests = {self.sentence(h.start) for h in requests}
        self.negative = self.group(negative)
        # "The vhost works. You can close the ticket." weighs on the whole message; in a message that
        # also asks for something ("the https works on a.fr; can you add it to b.fr?") only on its sentence.
        self.resolved = {s: _evidence(hits) for s, hits in self.group(resolved).items()}
        self.resolved_all = 0.0 if requests else _evidence(resolved)
        self.values = {kind: {self.sentence(h.start) for h in hits} for kind, hits in value_hits.items()}

    def sentence(self, pos: int) -> int:
        return bisect_right(self.bounds, pos)

    def group(self, hits: list[_Hit]) -> dict[int, list[_Hit]]:
        out: dict[int, list[_Hit]] = {}
        for h in hits:
            out.setdefault(self.sentence(h.start), []).append(h)
        return out

    def score(self, rule: IntentRule, hits: list[_Hit]) -> tuple[float, list[_Hit]]:
        """The intent's score, and the hits of the sentences that carry it (where to look for its domain)."""
        against = self.group(_longest(_hits(rule.against, self.t.folded, self.t.tokens)))
        parts, carriers = [], []
        for s, found in self.group(hits).items():
            boosts = [b for p, b in rule.param_bonus.items() if s in self.values.get(VALUE_KIND.get(p, ""), ())]
            if s in self.requests:
                boosts.append(self.rules.request_bonus)
            damp = (1.0 - _evidence(self.negative.get(s, []))) * (1.0 - _evidence(against.get(s, [])))
            if s not in self.requests:
                damp *= (1.0 - self.resolved.get(s, 0.0)) * (1.0 - self.resolved_all)
            parts.append(_noisy_or([_evidence(found), *boosts]) * damp)
            carriers.append(found)
        best = max(parts, default=0.0)
        kept = [h for part, found in zip(parts, carriers) if part >= best / 2 for h in found]
        return _noisy_or(parts), kept


# ---------------------------------------------------------------- propose

@dataclass(frozen=True)
class Decoding:
    """What the decoder read: its proposals, or why it proposes nothing.

    `unsure` is the best guess that stayed below the threshold (None if no
    intent's words were found at all), so a screen can say "not sure: add a
    vhost? (0.41: 'ftp') — nothing suggested"; `why` says it in a few words.
    """

    proposals: list[Proposal]
    unsure: Proposal | None = None
    why: str = ""
    closing: bool = False  # nothing proposed because the customer says it is done or thanks us

    def summary(self) -> str:
        """One line for the engineer when nothing is proposed ("" when something is)."""
        if self.proposals:
            return ""
        if self.unsure is not None:
            # The guess itself, not only the words: "is down" might be a site to look at or a service to restart.
            words = ", ".join(f"'{w}'" for w in self.unsure.matched[:3])
            read = f"{self.unsure.confidence:.2f}: {words}" if words else f"{self.unsure.confidence:.2f}"
            return f"not sure: {describe(self.unsure)}? ({read}) — nothing suggested"
        return f"{self.why} — nothing suggested"


def propose(text: str, *, rules: Rules, known_domains: Sequence[str] = (), reader: Reader | None = None
            ) -> list[Proposal]:
    """Actions the message asks for, best first; [] when it asks for nothing (or the decoder is unsure).

    The domain is the one written nearest the trigger words; else a known
    domain written in an e-mail address; else the single known domain the
    message names ("la boutique"); else a known domain quoted in the history
    or signature; else the only known domain; else any e-mail address's domain.
    A domain not written in the fresh text lowers the confidence. Domains are
    never invented. `decode` also tells why nothing was proposed.
    """
    return decode(text, rules=rules, known_domains=known_domains, reader=reader).proposals


def reader_input(text: str, rules: Rules) -> str:
    """What the reader reads of a message: the customer's own words as `decode` bounds them, addresses as words."""
    body, _ = _split(text[:MAX_MESSAGE_CHARS], rules.closings)
    body = body[:MAX_BODY_CHARS]
    return reader_text(body, scan(body, rules)[1])


def read_as(text: str, rules: Rules) -> str:
    """What `decode` reads a message as at its last pass (`reader_input` form): the customer's own words, and
    what they quote or forward below them when those words say yes to it ("allez-y", "Kev's latest,
    forwarded:"). The reader learns a labelled message from this text: learnt from the pointer alone,
    "je vous transfère la demande de notre développeur" would mean the request that was forwarded."""
    body, aside = _split(text[:MAX_MESSAGE_CHARS], rules.closings)
    body, aside = body[:MAX_BODY_CHARS], aside[:MAX_ASIDE_CHARS]
    if aside.strip() and _goes_ahead(body, rules):
        body = _with_quoted(body, aside)
    return reader_text(body, scan(body, rules)[1])


def _with_quoted(body: str, aside: str) -> str:
    return (body + "\n\n" + _unquoted(aside))[:MAX_BODY_CHARS]


def decode(text: str, *, rules: Rules, known_domains: Sequence[str] = (), reader: Reader | None = None
           ) -> Decoding:
    """`propose`, with the best below-threshold guess and the reason when nothing is proposed.

    Only the first MAX_MESSAGE_CHARS characters are read to tell the fresh text
    from the quoted history and signature, and only the first MAX_BODY_CHARS of
    the customer's own text are analysed: every path is linear in that bounded
    size, whatever the message's length.
    """
    if isinstance(known_domains, str):
        raise TypeError(f"known_domains must be a list of domains, not the string {known_domains!r}")
    body, aside = _split(text[:MAX_MESSAGE_CHARS], rules.closings)
    body, aside = body[:MAX_BODY_CHARS], aside[:MAX_ASIDE_CHARS]
    ahead = bool(aside.strip()) and _goes_ahead(body, rules)
    # The reader learnt a yes with what it says yes to (`read_as`): "go ahead with option 1" alone is nothing
    # it was taught, and its guess would come before the plan quoted below. The rules read the customer's own
    # words, unless these name neither the site nor the action: then the plan they say yes to names them.
    read = _decode(body, aside, rules, known_domains, reader, _with_quoted(body, aside) if ahead else None)
    if ahead and reader is not None and read.proposals:
        own = {f.domain for f in scan(body, rules)[0]}
        if not own or not _says(body, rules, read.proposals[0].intent):
            again = _decode(_with_quoted(body, aside), aside, rules, known_domains, reader)
            # A site they name stays theirs: not one of the signature's, below the yes.
            if again.proposals and (not own or again.proposals[0].params.get("domain") in own):
                return Decoding([replace(p, quoted=True) for p in again.proposals])
        return read
    if read.proposals or read.closing or not ahead:
        return read
    # "Allez-y", "please go ahead", "pouvez-vous faire ce qu'elle demande ?": the customer says yes to what
    # is quoted or forwarded below (our proposal, their web designer's request). Read it as theirs.
    again = _decode(_with_quoted(body, aside), aside, rules, known_domains, reader)
    return Decoding([replace(p, quoted=True) for p in again.proposals]) if again.proposals else read


def _says(body: str, rules: Rules, intent: str) -> bool:
    """Whether *body* has words of its own for *intent* (not only what the reader weighs)."""
    t = _Text(body, body)
    return bool(_hits(rules.intents[intent].phrases, t.folded, t.tokens))


def _goes_ahead(body: str, rules: Rules) -> bool:
    t = _Text(body, body)
    pointers = _hits(rules.go_ahead, t.folded, t.tokens)
    if rules.refers and _hits(rules.request, t.folded, t.tokens):
        pointers += _hits(rules.refers, t.folded, t.tokens)  # "can you deal with this email?"
    return any(not _HELD_BACK.search(t.folded, max(0, h.start - 20), h.start) for h in pointers)


# "Please don't go ahead", "ne faites pas le nécessaire": not a yes.
_HELD_BACK = re.compile(r"(?:^|[^a-z0-9])(?:don't|dont|do not|not|never|ne|n|pas|no need to|inutile de)[\s'-]*"
                        r"(?:please[\s'-]*)?$")


def _unquoted(aside: str) -> str:
    """The quoted or forwarded text without its quote marks and mail headers ("Le ... a écrit :", "De :")."""
    kept = []
    for line in aside.splitlines():
        line = line.lstrip("> \t")
        f = fold(line[:200]).strip()
        if not (_REPLY_ONE_LINE.match(f) or _REPLY_START.match(f) and _REPLY_END.search(f) or _ORIGINAL.match(f)
                or _FORWARDED.match(f) or _HEADER_FROM.match(f) or _HEADER_NEXT.match(f) or _HEADER_MORE.match(f)):
            kept.append(line)
    return "\n".join(kept)


def _decode(body: str, aside: str, rules: Rules, known_domains: Sequence[str], reader: Reader | None,
            reader_reads: str | None = None) -> Decoding:
    """`decode` of the customer's own text *body*, beside the quoted history and signature *aside*.

    The reader reads *reader_reads* instead of *body* when given (what a yes says yes to, with it)."""
    if not body.strip():
        return Decoding([], None, "no words of the customer's own (only quotes or a signature)" if aside.strip()
                        else "an empty message")
    found, spans = scan(body, rules)
    masked = list(body)
    for a, b, email in spans:  # an address becomes the word "<email>" of the rules: "creer <email>"
        word = EMAIL_WORD if email and b - a >= len(EMAIL_WORD) else ""
        masked[a:b] = word + " " * (b - a - len(word))
    t = _Text(body, "".join(masked))
    cues = _longest(_hits(rules.request, t.folded, t.tokens) + _hits(rules.negative, t.folded, t.tokens)
                    + _hits(rules.resolved, t.folded, t.tokens))
    request_set, resolved_set = set(map(id, rules.request)), set(map(id, rules.resolved))
    requests = [h for h in cues if id(h.phrase) in request_set]  # "merci de ..." asks, "vous pouvez fermer" closes
    resolved = [h for h in cues if id(h.phrase) in resolved_set and not _negated(t.folded, h)]
    negative = [h for h in cues if id(h.phrase) not in request_set and id(h.phrase) not in resolved_set]
    fuzzy = _fuzzy_hits(rules, t.folded, t.tokens)
    value_hits = {kind: _longest(_hits(phrases, t.folded, t.tokens)) for kind, phrases in rules.values.items()}
    values = {kind: list(dict.fromkeys(h.phrase.tag for h in hits)) for kind, hits in value_hits.items()}
    context = _Context(t, rules, requests, negative, resolved, value_hits)
    known = [n for d in known_domains if d and (n := normalise(d.strip(), rules) or d.strip().lower())]
    envs = values.get("environment", [])
    # Two environments named: from the first to the second; one alone is where the copy goes,
    # unless it is production, which is only ever the source.
    env_params = ({"source": envs[0], "target": envs[1]} if len(envs) >= 2 else
                  {"source" if envs[0] == "production" else "target": envs[0]} if envs else {})
    simple = {"record": values.get("record", [])[:1], "version": _wanted_version(value_hits.get("php", []), t.folded)}

    def reading_of(name: str, hits: list[_Hit], words: Sequence[str] = ()) -> tuple[float, float, list[Proposal]]:
        """The rules' score for one intent, its domain factor and its proposals (one per service named).

        Without hits (the reader chose an intent the rules found no words for), *words* are the reader's
        evidence: they stand for the trigger words (the domain nearest them, shown as written)."""
        rule = rules.intents[name]
        score, carrying = context.score(rule, hits) if hits else (0.0, [])
        params = {k: v for k, v in env_params.items() if k in rule.params}
        params.update({k: v[0] for k, v in simple.items() if v and k in rule.params})
        origin = [_whole_addresses(t.span(h.start, h.end), spans) for h in hits] or \
            [t.span(a, b) for a, b in _word_spans(t.folded, words)]
        factor = 1.0
        if "domain" in rule.params:  # near the words of the sentences that ask, not those that thank
            near = [_whole_addresses(t.span(h.start, h.end), spans) for h in carrying] or origin
            domain, factor = _choose_domain(found, near, t, aside, known, rules, rule.domain_from_email,
                                            rule.domain_new, rule.domain_own)
            hosts = _clone_hosts(found) if "target_domain" in rule.params else None
            if hosts:  # "dupliquer boucherie.ca vers preprod.boucherie.ca": the site copied, and its copy
                site, params["target_domain"] = hosts
                params.pop("target", None)  # the copy's name says where it goes; the site copied is live
                params["source"] = "production"
                domain = site if domain in (None, params["target_domain"]) else domain
            if domain:
                params["domain"] = domain
        matched = tuple(dict.fromkeys(" ".join(body[a:b].split()) for a, b in origin))
        services = values.get("service", []) if "service" in rule.params else []
        return score, factor, [Proposal(name, {**({"service": s} if s else {}), **params},
                                        round(score * factor, 2), matched) for s in services or [None]]

    read_by_rules: dict[str, tuple[float, float, list[Proposal]]] = {}
    for name, rule in rules.intents.items():
        hits = _longest(_hits(rule.phrases, t.folded, t.tokens) + fuzzy.get(name, []))
        if hits:
            read_by_rules[name] = reading_of(name, hits)
    said_done = ""
    if resolved:
        a, b = t.span(resolved[0].start, resolved[0].end)
        said_done = f"the customer says it is done ('{' '.join(body[a:b].split())}')"
    unnamed = _unnamed(rules, t, aside)
    if reader is not None:
        text = reader_text(body, spans) if reader_reads is None else reader_text(reader_reads,
                                                                                  scan(reader_reads, rules)[1])
        return _as_reader_reads(reader, text, read_by_rules, reading_of, rules, said_done,
                                unnamed)
    above = [p for name, (score, _, ps) in read_by_rules.items() if score >= rules.threshold and name not in unnamed
             for p in ps]
    below = [p for name, (score, _, ps) in read_by_rules.items() if score < rules.threshold and name not in unnamed
             for p in ps]
    hidden = {h for p in above for h in rules.intents[p.intent].hides}
    proposals = _ranked([p for p in above if p.intent not in hidden], rules)
    if proposals:
        return Decoding(proposals)
    unsure = max((p for p in below if p.confidence >= UNSURE_FLOOR),
                 key=lambda p: (p.confidence, -INTENTS.index(p.intent)), default=None)
    blocked = [ps[0] for name, (score, _, ps) in read_by_rules.items() if score >= rules.threshold and name in unnamed]
    why = said_done or (_names_nothing(blocked[0]) if blocked and unsure is None else
                        "too little evidence" if below else "no request recognised")
    return Decoding([], unsure, why, closing=bool(said_done))


def _names_nothing(guess: Proposal) -> str:
    """Why an action read with confidence is not proposed: the message names nothing it acts on."""
    return f"'{describe(guess)}' read, but nothing it acts on is named"


def _unnamed(rules: Rules, t: "_Text", aside: str) -> set[str]:
    """The intents whose object ("requires") neither the customer's words nor what they quote name."""
    out, quoted = set(), None
    for name, rule in rules.intents.items():
        if not rule.requires or _hits(rule.requires, t.folded, t.tokens):
            continue
        if quoted is None:
            quoted = _Text(aside, aside)
        if not _hits(rule.requires, quoted.folded, quoted.tokens):
            out.add(name)
    return out


def _as_reader_reads(reader: Reader, text: str, read_by_rules: dict[str, tuple[float, float, list[Proposal]]],
                     reading_of, rules: Rules, said_done: str, unnamed: set[str] = frozenset()) -> Decoding:
    """The reader picks the action (or none); the rules give its parameters and, when they matched, its words.

    Confidence is the reader's probability (times the rules' domain factor: a domain not written in the fresh
    text lowers it); under the reader's threshold the guess is only "not sure". Another action the rules
    propose is kept after it when the reader gives it at least UNSURE_FLOOR (a message asking two things).
    """
    reading = reader.read(text)

    def proposals_for(name: str, probability: float) -> list[Proposal]:
        _, factor, found = read_by_rules.get(name) or reading_of(name, [], reader.evidence(text, name))
        return [Proposal(name, p.params, round(probability * factor, 2), p.matched) for p in found]

    guesses = sorted(((p, c) for c, p in reading.probabilities.items() if c != NONE and c in rules.intents),
                     reverse=True)
    if reading.best == NONE or reading.best not in rules.intents:
        unsure = proposals_for(guesses[0][1], guesses[0][0])[0] if guesses and guesses[0][0] >= UNSURE_FLOOR \
            else None
        why = said_done or f"reads as asking for nothing ({reading.probability:.2f})"
        return Decoding([], unsure, why, closing=bool(said_done))
    best = proposals_for(reading.best, reading.probability)
    if reading.best in unnamed:
        return Decoding([], None, _names_nothing(best[0]))
    if reading.probability < reader.threshold:
        return Decoding([], best[0], "too little evidence")
    hidden = set(rules.intents[reading.best].hides)
    more = [p for probability, name in guesses[1:]
            if probability >= UNSURE_FLOOR and name not in hidden and name not in unnamed and name in read_by_rules
            and read_by_rules[name][0] >= rules.threshold for p in proposals_for(name, probability)]
    return Decoding(best + more)


_NOT_AFTER = re.compile(r"[\s'-]+(?:plus|pas|not|no longer|jamais)(?![a-z0-9])")
_NOT_BEFORE = re.compile(r"(?:^|[^a-z0-9])(?:ne|n|pas|not|no longer|isn't)[\s'-]*$")
# "rappeler dès que c'est revenu", "let me know once it works": a condition, not a report.
_IF_BEFORE = re.compile(r"(?:^|[^a-z0-9])(?:des que|quand|lorsque|une fois que|si|once|when|as soon as|if|until)"
                        r"(?:[\s'-]+[a-z0-9]+){0,3}[\s'-]*$")


def _negated(folded: str, h: _Hit) -> bool:
    """ "le site (ne) marche plus" is not "le site marche"; "dès que c'est revenu" is not "c'est revenu"."""
    return bool(_NOT_AFTER.match(folded, h.end) or _NOT_BEFORE.search(folded, max(0, h.start - 12), h.start)
                or _IF_BEFORE.search(folded, max(0, h.start - 30), h.start))


def _word_spans(folded: str, words: Sequence[str]) -> list[tuple[int, int]]:
    """Where each of *words* (folded) is first written as a whole word in *folded*."""
    out = []
    for word in words:
        m = phrase_pattern(word).search(folded)
        if m:
            out.append((m.start(), m.end()))
    return sorted(out)


def _whole_addresses(span: tuple[int, int], spans: list[tuple[int, int, bool]]) -> tuple[int, int]:
    """A match ending inside an e-mail address ("créer <email>") shows the whole address."""
    a, b = span
    for x, y, email in spans:
        if email and x < b < y:
            return a, y
    return a, b


_TOWARDS = re.compile(r"(?:^|[^a-z0-9])(?:to|en|vers|a|passer|upgrade|move|switch)[\s'-]+(?:php[\s'-]*)?$")


def _wanted_version(hits: list[_Hit], folded: str) -> list[str]:
    """The PHP version asked for: the one written after "to", "en", "vers"; else the only one named."""
    towards = [h.phrase.tag for h in hits if _TOWARDS.search(folded, max(0, h.start - 16), h.start)]
    named = list(dict.fromkeys(h.phrase.tag for h in hits))
    return towards[:1] or (named if len(named) == 1 else [])


def _ranked(proposals: list[Proposal], rules: Rules) -> list[Proposal]:
    """Best first; an intent that outranks another (a restart asked for, over the outage it fixes) goes first."""
    out = sorted(proposals, key=lambda p: (-p.confidence, INTENTS.index(p.intent)))
    for _ in range(len(out)):
        moved = False
        for i in range(len(out) - 1):
            a, b = out[i], out[i + 1]
            if a.intent in rules.intents[b.intent].outranks and b.intent not in rules.intents[a.intent].outranks:
                out[i], out[i + 1], moved = b, a, True
        if not moved:
            break
    return out


def _choose_domain(found: list[Found], origin: list[tuple[int, int]], t: _Text, aside: str,
                   known: list[str], rules: Rules, from_email: bool = False, new: bool = False, own_only: bool = False
                   ) -> tuple[str | None, float]:
    sites = [f for f in found if not f.email]
    if own_only and known:
        # "_sip._tls.clinic.ie SRV ... sipdir.online.lync.com": the record is in their zone, the host it
        # points to is someone else's.
        sites = [f for f in sites if _is_known(f.domain, known)]
    if len({f.domain for f in sites}) > 1:
        # "The old kernowcottages.co.uk has the padlock and works fine. Could you sort out the same for the
        # new one?": a site named as fine is not the one to act on.
        fine = {d for d in {f.domain for f in sites}
                if said_fine(t.folded, tuple((t.folded_at(f.start), t.folded_at(f.end))
                                             for f in sites if f.domain == d))}
        kept = [f for f in sites if f.domain not in fine]
        if any(_is_known(f.domain, known) for f in kept):  # ...when another of theirs is named
            sites = kept
    # A vhost is for the domain just bought, written beside the site it will sit next to ("ça ne remplace
    # pas l'ancien site benoit-kine.fr")...
    if new and (fresh := [f for f in sites if not _is_known(f.domain, known)]):
        return nearest(fresh, origin, t.newlines), 1.0
    # ...or named only in the registrar's mail they forward ("Bought this one, could you add it to our
    # hosting?").
    if new and not sites and aside and (bought := _bought_in(aside, known, rules)):
        return bought, rules.domain_confidence["quoted"]
    if from_email and (mailboxes := [f for f in found if f.email]):  # a mailbox's domain is the one to act on
        return nearest(mailboxes, origin, t.newlines), 1.0
    own = [f for f in sites if _is_known(f.domain, known)]
    if own and len(own) < len(sites):  # the customer's own site, not the third party's it points to
        return nearest(own, origin, t.newlines), 1.0
    if sites:
        return nearest(sites, origin, t.newlines), 1.0
    emails = [f for f in found if f.email]
    own = [f for f in emails if f.domain in known]  # the customer's own mailbox names their site
    if own:
        return nearest(own, origin, t.newlines), rules.domain_confidence["email"]
    named = known_named(known, t.tokens, t.folded, [(t.folded_at(a), t.folded_at(b)) for a, b in origin]) \
        if known else None
    if named:
        return named, rules.domain_confidence["partial"]
    if known and aside:
        # The quoted lines first: a signature above them names the writer's agency ("Dan / Northern Pixel
        # Studio - northernpixel.studio" above "> The vhost for winterfest-leeds.co.uk is now live").
        quoted_lines = "\n".join(line for line in aside.splitlines() if line.lstrip().startswith(">"))
        in_quote = {f.domain for f in scan(quoted_lines, rules)[0] if not f.email and f.domain in known}
        if len(in_quote) == 1:
            return in_quote.pop(), rules.domain_confidence["quoted"]
        quoted_found = scan(aside, rules)[0]
        for pool in ([f for f in quoted_found if not f.email], quoted_found):  # a site named beats an address
            # The host they quote, when it is one of theirs ("the certificate for intranet.example.fr will
            # expire"); "www." and the site's own name are one site (a signature's address).
            quoted = {k if f.domain in (k, "www." + k) else f.domain
                      for f in pool for k in known if f.domain == k or f.domain.endswith("." + k)}
            if len(quoted) == 1:
                return quoted.pop(), rules.domain_confidence["quoted"]
            if quoted:
                break
    if len(known) == 1:
        return known[0], rules.domain_confidence["single_known"]
    # One site and its subdomains ("theatre-lumen.fr", "billetterie.theatre-lumen.fr"): "the website", "mon
    # site", a mailbox, without a word for a subdomain's own role, are the main site's.
    main = [k for k in known if all(o == k or o.endswith("." + k) for o in known)]
    if len(main) == 1:
        return main[0], rules.domain_confidence["single_known"]
    if emails:
        return nearest(emails, origin, t.newlines), rules.domain_confidence["email"]
    return None, 1.0


# The first label of a copy's host name: staging.example.fr, preprod2.example.fr, formation.example.fr, and the
# copy of one site among several: learn-test.example.ie, shop-staging.example.fr, staging-tickets.example.be.
_COPY_LABEL = re.compile(r"(?:[a-z0-9]+-)?(?:staging|stage|preprod|pre-prod|recette|test|tests|dev|demo|formation|"
                         r"training|uat|qa|beta|sandbox|copie|copy)\d*(?:-[a-z0-9]+)?\.")


def _clone_hosts(found: list[Found]) -> tuple[str, str] | None:
    """(site copied, copy) when a clone names the copy's host beside another host of the same domain, or None."""
    sites = list(dict.fromkeys(f.domain for f in found if not f.email))
    copies = [d for d in sites if _COPY_LABEL.match(d)]
    if len(copies) != 1:
        return None
    copy = copies[0]
    base = copy.split(".", 1)[1]
    site = next((d for d in sites if d != copy and (d == base or d.endswith("." + base))), None)
    return (site, copy) if site else None


# Hosts that serve a domain rather than name it: a registrar's mail lists the nameservers it set.
_SERVICE_HOST = re.compile(r"(?:ns|dns|mx|smtp|imap|pop|mail)\d*\.")


def _bought_in(aside: str, known: list[str], rules: Rules) -> str | None:
    """The one domain, not yet theirs, that the text they quote or forward names most often, or None."""
    counts: dict[str, int] = {}
    for f in scan(aside, rules)[0]:
        if not f.email and not _is_known(f.domain, known) and not _SERVICE_HOST.match(f.domain):
            counts[f.domain] = counts.get(f.domain, 0) + 1
    ranked = sorted(counts.values(), reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0] == ranked[1]):
        return None
    return max(counts, key=counts.get)


def _is_known(domain: str, known: list[str]) -> bool:
    return any(domain == k or domain.endswith("." + k) for k in known)


# ---------------------------------------------------------------- describe

_WORDS = {
    "en": {"issue_certificate": "issue a certificate", "renew_certificate": "renew the certificate",
           "add_vhost": "add a vhost", "create_database": "create a database", "disk_usage": "check disk usage",
           "clone_environment": "clone {source}", "add_capacity": "add capacity",
           "restart_service": "restart {service}", "site_down": "investigate an outage",
           "dns_change": "change the DNS records", "mailbox": "create a mailbox or reset its password",
           "php_version": "change the PHP version", "backup_restore": "restore from a backup",
           "for": " for {domain}", "to": " to {target}", "clone_into": "clone {domain} into {target}", "source": "the environment", "service": "a service",
           "version": " to PHP {version}", "record": " ({record} record)",
           "production": "production", "staging": "staging", "development": "development",
           "no_runbook": "no runbook yet: {text}"},
    "fr": {"issue_certificate": "émettre un certificat", "renew_certificate": "renouveler le certificat",
           "add_vhost": "ajouter un vhost", "create_database": "créer une base de données",
           "disk_usage": "vérifier l'espace disque", "clone_environment": "cloner {source}",
           "add_capacity": "ajouter de la capacité", "restart_service": "redémarrer {service}",
           "site_down": "diagnostiquer une panne", "dns_change": "modifier les enregistrements DNS",
           "mailbox": "créer une boîte mail ou réinitialiser son mot de passe",
           "php_version": "changer la version de PHP", "backup_restore": "restaurer une sauvegarde",
           "for": " pour {domain}", "to": " vers {target}", "clone_into": "cloner {domain} vers {target}", "source": "l'environnement", "service": "un service",
           "version": " en PHP {version}", "record": " (enregistrement {record})",
           "production": "la production", "staging": "la préproduction", "development": "le développement",
           "no_runbook": "pas encore de runbook : {text}"},
}


def _words(language: str) -> dict[str, str]:
    return _WORDS.get(language.lower().split("-")[0].split("_")[0], _WORDS["en"])


def describe(p: Proposal, language: str = "en") -> str:
    """A short sentence for the engineer: "issue a certificate for boutique.fr".

    English and French; other languages ("de", "fr-CA" -> fr) fall back to English.
    """
    words = _words(language)
    if p.params.get("domain") and p.params.get("target_domain"):  # a clone whose copy is named
        return words["clone_into"].format(domain=p.params["domain"], target=p.params["target_domain"])
    source = p.params.get("source")
    text = words[p.intent].format(source=words.get(source, source) if source else words["source"],
                                  service=p.params.get("service") or words["service"])
    if p.params.get("version"):
        text += words["version"].format(version=p.params["version"])
    if p.params.get("record"):
        text += words["record"].format(record=p.params["record"].upper())
    if p.params.get("target"):
        text += words["to"].format(target=words.get(p.params["target"], p.params["target"]))
    if p.params.get("domain"):
        text += words["for"].format(domain=p.params["domain"])
    return text


def by_hand(intent: str, language: str = "en", *, rules: Rules) -> str | None:
    """For an intent without a runbook (`runbook = false` in the rules): "no runbook yet: what to do by hand".

    None when the intent has a runbook (or a built-in action).
    """
    rule = rules.intents.get(intent)
    if rule is None or rule.runbook or not rule.by_hand:
        return None
    lang = language.lower().split("-")[0].split("_")[0]
    return _words(language)["no_runbook"].format(text=rule.by_hand.get(lang) or rule.by_hand["en"])

"""The jargon decoder: a customer's words in, proposed actions out.

Customers say "charger un SSL" for *issue a certificate*, "ftp" for *add a
vhost*, "mémoire pleine" for *disk full*. `propose` reads one message (French or
English, typos, SHOUTING, signature and quoted history included) and returns
the actions it suggests, best first, with parameters, a confidence and the
words that triggered each one. The rules are data: `oncall_tui/data/intents.toml`.

How a message is read:

1. Quoted history (">" lines; everything after "Le ... a écrit :", "On ...
   wrote:" or an Outlook "De :/Envoyé :" header) and the signature (after "--"
   or a closing line such as "Cordialement") are set aside. They never trigger
   a proposal; they can only confirm one of the customer's known domains.
2. Domains, e-mail addresses and URLs are found, then blanked out, so "ftp" in
   "ftp.boutique.fr" or "https" in a link is not a request.
3. The rest is folded (case, accents) and matched by whole words against each
   intent's phrases; single words of `fuzzy_min_length` letters or more also
   match one typo away ("certifcat" -> "certificat").
4. Per sentence, an intent's evidence is the noisy-OR of its phrase weights
   (each phrase counted once; a longer phrase hides the shorter ones inside
   it), raised by a request marker ("pouvez-vous", "please") or a named
   parameter, then damped by negative phrases (thanks, invoices, "ça
   remarche") and the intent's own `against` phrases *in that sentence*. The
   intent's score is the noisy-OR over sentences; from `threshold` up it is
   proposed.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from pathlib import Path
from typing import Sequence

from .text import fold, phrase_pattern

INTENTS = ("issue_certificate", "add_vhost", "create_database", "disk_usage",
           "clone_environment", "add_capacity", "restart_service", "site_down")
#: Parameters an intent may ask for; service and source/target come from [values].
PARAMS = ("domain", "service", "source", "target")
_VALUE_KIND = {"service": "service", "source": "environment", "target": "environment"}
_DEFAULT_NAME = "oncall_tui/data/intents.toml"
_FACTORS = ("email", "partial", "quoted", "single_known")


class RulesError(ValueError):
    """A rules file is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class Proposal:
    """One suggested action: what, on what, how sure, and which words said so."""

    intent: str
    params: dict[str, str] = field(hash=False)
    confidence: float
    matched: tuple[str, ...]

    def to_json(self) -> dict:
        return {"intent": self.intent, "params": dict(self.params),
                "confidence": self.confidence, "matched": list(self.matched)}


@dataclass(frozen=True, eq=False)
class _Phrase:
    text: str  # as written in the rules
    weight: float
    pattern: re.Pattern[str]
    needs: frozenset[str]  # folded words that must all occur: a cheap pre-filter
    tag: str = ""  # canonical value, for [values] phrases


@dataclass(frozen=True)
class IntentRule:
    name: str
    phrases: tuple[_Phrase, ...]
    against: tuple[_Phrase, ...]
    params: tuple[str, ...]
    param_bonus: dict[str, float]


@dataclass(frozen=True)
class Rules:
    """Compiled decoder rules (read-only); build with `load_rules`."""

    source: str
    threshold: float
    request_bonus: float
    fuzzy_min_length: int
    domain_confidence: dict[str, float]
    ignore_domains: frozenset[str]
    tlds: frozenset[str]
    not_tlds: frozenset[str]
    closings: tuple[str, ...]
    request: tuple[_Phrase, ...]
    negative: tuple[_Phrase, ...]
    values: dict[str, tuple[_Phrase, ...]]
    intents: dict[str, IntentRule]
    fuzzy: dict[str, tuple[tuple[str, str, _Phrase], ...]]  # delete-key -> (intent, word, phrase)


# ---------------------------------------------------------------- rules loading

_RUN = re.compile(r"[a-z0-9]+")


def _key(parent: str, key: str) -> str:
    return f"{parent}.{key}" if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'{parent}."{key}"'


class _Reader:
    """Validates the raw TOML; every error names the file and the dotted key."""

    def __init__(self, name: str):
        self.name = name

    def error(self, key: str, reason: str) -> RulesError:
        return RulesError(f"{self.name}: {key.lstrip('.')}: {reason}")

    def table(self, value, key: str, allowed: set[str] | None = None) -> dict:
        if not isinstance(value, dict):
            raise self.error(key, f"expected a table, got {value!r}")
        for k in value if allowed is not None else ():
            if k not in allowed:
                raise self.error(_key(key, k), f"unknown key (expected one of: {', '.join(sorted(allowed))})")
        return value

    def number(self, value, key: str, lo: float = 0.0, hi: float = 1.0) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            raise self.error(key, f"expected a number from {lo:g} to {hi:g}, got {value!r}")
        return float(value)

    def strings(self, value, key: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(key, f"expected a list of non-empty strings, got {value!r}")
        return value

    def phrase(self, text: str, weight: float, key: str, tag: str = "") -> _Phrase:
        folded = " ".join(fold(text).split())
        if not _RUN.search(folded):
            raise self.error(key, "a phrase needs at least one letter or digit")
        if "*" not in folded:
            return _Phrase(text, weight, phrase_pattern(folded), frozenset(_RUN.findall(folded)), tag)
        parts, needs = [], set()
        for word in folded.split():
            stem = word[:-1] if word.endswith("*") else word
            if "*" in stem or not _RUN.search(stem):
                raise self.error(key, "'*' may only end a word, after at least one letter")
            parts.append(re.escape(stem) + ("[a-z0-9]*" if word.endswith("*") else ""))
            needs.update(_RUN.findall(stem) if stem == word else ())
        pattern = re.compile(r"(?<![a-z0-9])" + r"[\s'-]+".join(parts) + r"(?![a-z0-9])")
        return _Phrase(text, weight, pattern, frozenset(needs), tag)

    def phrases(self, raw, key: str) -> tuple[_Phrase, ...]:
        table = self.table(raw, key)
        return tuple(self.phrase(p, self.number(w, _key(key, p)), _key(key, p)) for p, w in table.items())


def _sub(reader: _Reader, raw: dict, key: str, parent: str, allowed: set[str] | None = None) -> dict:
    return reader.table(raw.get(key, {}), _key(parent, key) if parent else key, allowed)


def _build(raw: dict, name: str) -> Rules:
    r = _Reader(name)
    r.table(raw, "", {"version", "threshold", "request_bonus", "fuzzy_min_length", "domain_confidence",
                      "domains", "message", "request", "negative", "values", "intents"})
    if raw.get("version", 1) != 1:
        raise r.error("version", f"expected 1, got {raw['version']!r}")
    threshold = r.number(raw.get("threshold", 0.5), "threshold")
    bonus = r.number(raw.get("request_bonus", 0.0), "request_bonus")
    fuzzy_len = raw.get("fuzzy_min_length", 0)
    if isinstance(fuzzy_len, bool) or not isinstance(fuzzy_len, int) or not 0 <= fuzzy_len <= 50:
        raise r.error("fuzzy_min_length", f"expected a whole number from 0 (off) to 50, got {fuzzy_len!r}")
    conf = _sub(r, raw, "domain_confidence", "", set(_FACTORS))
    factors = {f: r.number(conf.get(f, 1.0), _key("domain_confidence", f)) for f in _FACTORS}
    domains = _sub(r, raw, "domains", "", {"ignore", "tlds", "not_tlds"})
    lists = {k: frozenset(fold(v).strip().rstrip(".") for v in r.strings(domains.get(k, []), _key("domains", k)))
             for k in ("ignore", "tlds", "not_tlds")}
    message = _sub(r, raw, "message", "", {"closings"})
    closings = tuple(" ".join(fold(c).split()) for c in r.strings(message.get("closings", []), "message.closings"))
    request = _sub(r, raw, "request", "", {"phrases"})
    req = tuple(r.phrase(p, 1.0, "request.phrases") for p in r.strings(request.get("phrases", []), "request.phrases"))
    negative = r.phrases(raw.get("negative", {}), "negative")
    values: dict[str, tuple[_Phrase, ...]] = {}
    for kind, table in _sub(r, raw, "values", "", {"service", "environment"}).items():
        table = r.table(table, _key("values", kind))
        values[kind] = tuple(r.phrase(p, 1.0, _key(_key("values", kind), canon), canon)
                             for canon, ps in table.items()
                             for p in r.strings(ps, _key(_key("values", kind), canon)))
    intents = {}
    for intent, spec in _sub(r, raw, "intents", "", set(INTENTS)).items():
        key = _key("intents", intent)
        spec = r.table(spec, key, {"params", "phrases", "against", "param_bonus"})
        params = tuple(r.strings(spec.get("params", []), _key(key, "params")))
        for p in params:
            if p not in PARAMS:
                raise r.error(_key(key, "params"), f"unknown parameter {p!r} (expected one of: {', '.join(PARAMS)})")
            if p in _VALUE_KIND and _VALUE_KIND[p] not in values:
                raise r.error(_key(key, "params"), f"{p!r} needs a [values.{_VALUE_KIND[p]}] table")
        bonus_table = _sub(r, spec, "param_bonus", key, set(params))
        phrases = r.phrases(spec.get("phrases", {}), _key(key, "phrases"))
        if not phrases:
            raise r.error(_key(key, "phrases"), "an intent needs at least one phrase")
        intents[intent] = IntentRule(intent, phrases, r.phrases(spec.get("against", {}), _key(key, "against")),
                                     params, {p: r.number(b, _key(_key(key, "param_bonus"), p))
                                              for p, b in bonus_table.items()})
    fuzzy: dict[str, list] = {}
    for rule in intents.values() if fuzzy_len else ():
        for p in rule.phrases:
            word = fold(p.text).strip()
            if len(word) >= fuzzy_len and word.isalpha() and word.isascii():
                for k in {word} | _deletes(word):
                    fuzzy.setdefault(k, []).append((rule.name, word, p))
    return Rules(name, threshold, bonus, fuzzy_len, factors, lists["ignore"], lists["tlds"], lists["not_tlds"],
                 closings, req, negative, values, intents, {k: tuple(v) for k, v in fuzzy.items()})


def _parse(data: bytes, name: str) -> dict:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"{name}: not valid TOML: {exc}") from None


@lru_cache(maxsize=1)
def _default_raw() -> dict:
    return _parse(resources.files("oncall_tui.data").joinpath("intents.toml").read_bytes(), _DEFAULT_NAME)


@lru_cache(maxsize=1)
def _default_rules() -> Rules:
    return _build(_default_raw(), _DEFAULT_NAME)


def load_rules(path: Path | str | None = None) -> Rules:
    """Compile the packaged rules, or a site file layered on top of them.

    A site file replaces each top-level setting or section it defines; inside
    [intents] and [values] it replaces whole entries (one intent, one value
    kind) and keeps the packaged others. Errors raise `RulesError` (a
    ValueError) naming the file and the key.
    """
    if path is None:
        return _default_rules()
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RulesError(f"{path}: cannot read the rules file: {exc.strerror or exc}") from None
    raw = _parse(data, str(path))
    merged = {**_default_raw(), **raw}
    for section in ("intents", "values"):
        if isinstance(raw.get(section), dict):
            merged[section] = {**_default_raw().get(section, {}), **raw[section]}
    return _build(merged, str(path))


# ---------------------------------------------------------------- message parts

_REPLY_ONE_LINE = re.compile(r"^(?:le|on)\s.*(?:a ecrit|wrote)\s*:$")
_REPLY_START, _REPLY_END = re.compile(r"^(?:le|on)\s"), re.compile(r"(?:a ecrit|wrote)\s*:$")
_ORIGINAL = re.compile(r"^-{2,}\s*(?:original message|message d'origine)\s*-{2,}$")
_HEADER_FROM, _HEADER_NEXT = re.compile(r"^(?:de|from)\s*:"), re.compile(r"^(?:envoye|sent|date)\s*:")


def _is_closing(line: str, closings: tuple[str, ...]) -> bool:
    line = " ".join(line.strip(" ,.!;:-").split())
    return any(line == c or (c.endswith(" *") and line.startswith(c[:-1])) for c in closings)


def _split(text: str, closings: tuple[str, ...]) -> tuple[str, str]:
    """(fresh body, quoted history + signature); quoted lines stay as blank body lines."""
    lines = text.splitlines()
    folded = [fold(line[:200]).strip() for line in lines]  # headers and closings are short lines
    body, aside, seen = [], [], False
    for i, (line, f) in enumerate(zip(lines, folded)):
        nxt = folded[i + 1:i + 4]
        if (_REPLY_ONE_LINE.match(f) or _ORIGINAL.match(f) or f == "--"
                or (_REPLY_START.match(f) and nxt and _REPLY_END.search(nxt[0]))
                or (_HEADER_FROM.match(f) and any(_HEADER_NEXT.match(n) for n in nxt))
                or (seen and _is_closing(f, closings))):
            aside.extend(lines[i:])
            break
        quoted = f.startswith(">")
        (aside if quoted else body).append(line)
        if quoted:
            body.append("")
        seen = seen or (bool(f) and not quoted)
    return "\n".join(body), "\n".join(aside)


# ---------------------------------------------------------------- domains

_LABEL = r"[^\W_](?:[^\W_]|-){0,62}"
_DOMAIN = re.compile(rf"(?<![\w.-])(?:{_LABEL}\.)+{_LABEL}(?![\w@-]|\.[^\W_])")
_URL = re.compile(r"(?i)\b(?:https?|ftp)://([^\s<>\"'()\[\]]+)")
_LOCAL_PART = re.compile(r"[\w.+-]+@$")


@dataclass(frozen=True)
class _Found:
    domain: str
    start: int
    end: int
    email: bool


def _normalise(name: str, rules: Rules) -> str | None:
    """Lower-case Unicode form of a written domain, or None if it is not one (index.php)."""
    name = unicodedata.normalize("NFC", name).lower().rstrip(".")
    if "xn--" in name:
        try:
            name = name.encode("ascii").decode("idna")
        except UnicodeError:
            return None
    labels = name.split(".")
    tld = labels[-1]
    if not tld.isalpha() or not (tld in rules.tlds or not tld.isascii()
                                 or (len(tld) == 2 and tld not in rules.not_tlds)):
        return None
    if len(name) > 253 or any(l.startswith("-") or l.endswith("-") for l in labels):
        return None
    try:
        name.encode("idna")
    except UnicodeError:
        return None
    return name


def _ignored(domain: str, rules: Rules) -> bool:
    parts = domain.split(".")
    return any(".".join(parts[i:]) in rules.ignore_domains for i in range(len(parts) - 1))


def _scan(text: str, rules: Rules) -> tuple[list[_Found], list[tuple[int, int]]]:
    """Domains written in *text* (ignored ones dropped) and the spans to blank out."""
    urls = [(m.start(), m.end(), m.start(1)) for m in _URL.finditer(text)]
    found, spans = [], [(a, b) for a, b, _ in urls]
    for m in _DOMAIN.finditer(text):
        start = m.start()
        if any(a <= start < b and start != host for a, b, host in urls):
            continue  # a path segment like /redirect/other.com is not the site
        local = _LOCAL_PART.search(text, max(0, start - 128), start) if start and text[start - 1] == "@" else None
        spans.append((local.start() if local else start, m.end()))
        name = _normalise(m.group(), rules)
        if name and not _ignored(name, rules):
            found.append(_Found(name, start, m.end(), local is not None))
    return found, spans


def extract_domains(text: str, *, rules: Rules | None = None) -> list[str]:
    """Domains written in *text*, in order, deduplicated.

    Lower-cased Unicode (IDNA-aware: "café-martin.fr"; "xn--" input is decoded),
    no trailing dot. File names ("index.php") are not domains. E-mail addresses
    are skipped (they name a mailbox, not a site; `propose` uses them only as a
    last resort), and so are the rules' ignored domains (gmail.com, letsencrypt.org).
    """
    found, _ = _scan(text, rules or _default_rules())
    return list(dict.fromkeys(f.domain for f in found if not f.email))


def _known_named(known: Sequence[str], tokens: set[str]) -> str | None:
    """The one known domain whose distinctive name parts the message mentions."""
    parts = {d: {t for t in _RUN.findall(fold(d.rsplit(".", 1)[0])) if len(t) >= 3 and t != "www"} for d in known}
    common = set.intersection(*parts.values()) if len(parts) > 1 else set()
    scores = {d: len((p - common) & tokens) for d, p in parts.items()}
    best = max(scores.values(), default=0)
    winners = [d for d, s in scores.items() if s == best]
    return winners[0] if best and len(winners) == 1 else None


def _nearest(pool: list[_Found], spans: list[tuple[int, int]], newlines: list[int]) -> str:
    """The domain closest to the words that triggered the intent: same line first,
    then fewest characters away, a domain written before the words counting 1.5 times."""
    def cost(f: _Found) -> tuple[int, float]:
        return min((abs(bisect_right(newlines, f.start) - bisect_right(newlines, s)),
                    f.start - e if f.start >= e else (s - f.end) * 1.5 if f.end <= s else 0)
                   for s, e in spans)
    return min(pool, key=cost).domain


# ---------------------------------------------------------------- matching

@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    phrase: _Phrase


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


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


def _hits(phrases: Sequence[_Phrase], folded: str, tokens: set[str]) -> list[_Hit]:
    return [_Hit(m.start(), m.end(), p) for p in phrases if p.needs <= tokens
            for m in p.pattern.finditer(folded)]


def _fuzzy_hits(rules: Rules, folded: str, tokens: set[str]) -> dict[str, list[_Hit]]:
    out: dict[str, list[_Hit]] = {}
    if not rules.fuzzy:
        return out
    for tok in tokens:
        if (len(tok) < rules.fuzzy_min_length - 1 or not tok.isalpha()
                or any(word == tok for _, word, _ in rules.fuzzy.get(tok, ()))):
            continue  # too short, or a keyword spelt right: an exact match already counts it
        for key in {tok} | _deletes(tok):
            for intent, word, phrase in rules.fuzzy.get(key, ()):
                if word != tok and word[0] == tok[0] and _one_edit(tok, word):
                    out.setdefault(intent, []).extend(
                        _Hit(m.start(), m.end(), phrase)
                        for m in phrase_pattern(tok).finditer(folded))
    return out


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
        if masked.isascii():  # fold() of ASCII text, without its per-character work
            self.folded, self._ends = masked.lower().replace("`", "'"), None
        else:
            table = self._chars
            if len(table) > 20_000:  # a cache, not a leak, even on hostile input
                table.clear()
            pieces = [table[c] if c in table else table.setdefault(c, fold(c)) for c in masked]
            self.folded, self._ends = "".join(pieces), list(accumulate(map(len, pieces)))
        self.tokens = set(_RUN.findall(self.folded))
        self.newlines = [m.start() for m in re.finditer("\n", body)]

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
                 value_hits: dict[str, list[_Hit]]):
        self.t, self.rules = t, rules
        self.bounds = [m.end() for m in _SENTENCE_END.finditer(t.folded)]
        self.requests = {self.sentence(h.start) for h in requests}
        self.negative = self.group(negative)
        self.values = {kind: {self.sentence(h.start) for h in hits} for kind, hits in value_hits.items()}

    def sentence(self, pos: int) -> int:
        return bisect_right(self.bounds, pos)

    def group(self, hits: list[_Hit]) -> dict[int, list[_Hit]]:
        out: dict[int, list[_Hit]] = {}
        for h in hits:
            out.setdefault(self.sentence(h.start), []).append(h)
        return out

    def score(self, rule: IntentRule, hits: list[_Hit]) -> float:
        against = self.group(_longest(_hits(rule.against, self.t.folded, self.t.tokens)))
        parts = []
        for s, found in self.group(hits).items():
            boosts = [b for p, b in rule.param_bonus.items() if s in self.values.get(_VALUE_KIND.get(p, ""), ())]
            if s in self.requests:
                boosts.append(self.rules.request_bonus)
            damp = (1.0 - _evidence(self.negative.get(s, []))) * (1.0 - _evidence(against.get(s, [])))
            parts.append(_noisy_or([_evidence(found), *boosts]) * damp)
        return _noisy_or(parts)


# ---------------------------------------------------------------- propose

def propose(text: str, *, known_domains: Sequence[str] = (), rules: Rules | None = None) -> list[Proposal]:
    """Actions the message asks for, best first; [] when it asks for nothing.

    The domain is the one written nearest the trigger words; else a known
    domain written in an e-mail address; else the single known domain the
    message names ("la boutique"); else a known domain quoted in the history
    or signature; else the only known domain; else any e-mail address's domain.
    A domain not written in the fresh text lowers the confidence. Domains are
    never invented.
    """
    if isinstance(known_domains, str):
        raise TypeError(f"known_domains must be a list of domains, not the string {known_domains!r}")
    rules = rules or _default_rules()
    body, aside = _split(text, rules.closings)
    found, spans = _scan(body, rules)
    masked = list(body)
    for a, b in spans:
        masked[a:b] = " " * (b - a)
    t = _Text(body, "".join(masked))
    requests = _hits(rules.request, t.folded, t.tokens)
    negative = [h for h in _longest(_hits(rules.negative, t.folded, t.tokens))
                if not any(h.start < r.end and r.start < h.end for r in requests)]  # "merci de ..." asks
    fuzzy = _fuzzy_hits(rules, t.folded, t.tokens)
    value_hits = {kind: _longest(_hits(phrases, t.folded, t.tokens)) for kind, phrases in rules.values.items()}
    values = {kind: list(dict.fromkeys(h.phrase.tag for h in hits)) for kind, hits in value_hits.items()}
    context = _Context(t, rules, requests, negative, value_hits)
    known = [n for d in known_domains if d and (n := _normalise(d.strip(), rules) or d.strip().lower())]
    envs = values.get("environment", [])
    # Two environments named: from the first to the second; one alone is where the copy goes,
    # unless it is production, which is only ever the source.
    env_params = ({"source": envs[0], "target": envs[1]} if len(envs) >= 2 else
                  {"source" if envs[0] == "production" else "target": envs[0]} if envs else {})
    proposals = []
    for name, rule in rules.intents.items():
        hits = _longest(_hits(rule.phrases, t.folded, t.tokens) + fuzzy.get(name, []))
        if not hits:
            continue
        score = context.score(rule, hits)
        if score < rules.threshold:
            continue
        params = {k: v for k, v in env_params.items() if k in rule.params}
        origin = [t.span(h.start, h.end) for h in hits]
        factor = 1.0
        if "domain" in rule.params:
            domain, factor = _choose_domain(found, origin, t, aside, known, rules)
            if domain:
                params["domain"] = domain
        matched = tuple(dict.fromkeys(" ".join(body[a:b].split()) for a, b in origin))
        services = values.get("service", []) if "service" in rule.params else []
        for service in services or [None]:
            extra = {"service": service} if service else {}
            proposals.append(Proposal(name, {**extra, **params}, round(score * factor, 2), matched))
    return sorted(proposals, key=lambda p: (-p.confidence, INTENTS.index(p.intent)))


def _choose_domain(found: list[_Found], origin: list[tuple[int, int]], t: _Text, aside: str,
                   known: list[str], rules: Rules) -> tuple[str | None, float]:
    sites = [f for f in found if not f.email]
    if sites:
        return _nearest(sites, origin, t.newlines), 1.0
    emails = [f for f in found if f.email]
    own = [f for f in emails if f.domain in known]  # the customer's own mailbox names their site
    if own:
        return _nearest(own, origin, t.newlines), rules.domain_confidence["email"]
    named = _known_named(known, t.tokens) if known else None
    if named:
        return named, rules.domain_confidence["partial"]
    if known and aside:
        quoted = {k for f in _scan(aside, rules)[0] for k in known
                  if f.domain == k or f.domain.endswith("." + k)}
        if len(quoted) == 1:
            return quoted.pop(), rules.domain_confidence["quoted"]
    if len(known) == 1:
        return known[0], rules.domain_confidence["single_known"]
    if emails:
        return _nearest(emails, origin, t.newlines), rules.domain_confidence["email"]
    return None, 1.0


# ---------------------------------------------------------------- describe

_WORDS = {
    "en": {"issue_certificate": "issue a certificate", "add_vhost": "add a vhost",
           "create_database": "create a database", "disk_usage": "check disk usage",
           "clone_environment": "clone {source}", "add_capacity": "add capacity",
           "restart_service": "restart {service}", "site_down": "investigate an outage",
           "for": " for {domain}", "to": " to {target}", "source": "the environment", "service": "a service",
           "production": "production", "staging": "staging", "development": "development"},
    "fr": {"issue_certificate": "émettre un certificat", "add_vhost": "ajouter un vhost",
           "create_database": "créer une base de données", "disk_usage": "vérifier l'espace disque",
           "clone_environment": "cloner {source}", "add_capacity": "ajouter de la capacité",
           "restart_service": "redémarrer {service}", "site_down": "diagnostiquer une panne",
           "for": " pour {domain}", "to": " vers {target}", "source": "l'environnement", "service": "un service",
           "production": "la production", "staging": "la préproduction", "development": "le développement"},
}


def describe(p: Proposal, language: str = "en") -> str:
    """A short sentence for the engineer: "issue a certificate for boutique.fr".

    English and French; other languages ("de", "fr-CA" -> fr) fall back to English.
    """
    words = _WORDS.get(language.lower().split("-")[0].split("_")[0], _WORDS["en"])
    source = p.params.get("source")
    text = words[p.intent].format(source=words.get(source, source) if source else words["source"],
                                  service=p.params.get("service") or words["service"])
    if p.params.get("target"):
        text += words["to"].format(target=words.get(p.params["target"], p.params["target"]))
    if p.params.get("domain"):
        text += words["for"].format(domain=p.params["domain"])
    return text

"""Decoder rules: merging and checking the intents rules (the shipped `data/intents.toml`, a site file)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

from .text import fold, phrase_pattern, word_start

INTENTS = ("issue_certificate", "renew_certificate", "add_vhost", "create_database", "disk_usage",
           "clone_environment", "add_capacity", "restart_service", "site_down", "dns_change", "mailbox",
           "php_version", "backup_restore")
#: Parameters an intent may ask for; all but the domain come from [values].
PARAMS = ("domain", "target_domain", "service", "source", "target", "record", "version")
VALUE_KIND = {"service": "service", "source": "environment", "target": "environment", "record": "record",
               "version": "php"}
_VALUE_KINDS = {"service", "environment", "record", "php"}
_LANGUAGES = ("en", "fr")
#: What an e-mail address written in a message reads as: rules write it "<email>" ("creer <email>").
EMAIL_WORD = "qmailq"
_FACTORS = ("email", "partial", "quoted", "single_known")


class RulesError(ValueError):
    """A rules file is wrong; the message names the file and the key."""


@dataclass(frozen=True, eq=False)
class RulePhrase:
    text: str  # as written in the rules
    weight: float
    pattern: re.Pattern[str]
    needs: frozenset[str]  # folded words that must all occur: a cheap pre-filter
    tag: str = ""  # canonical value, for [values] phrases


@dataclass(frozen=True)
class IntentRule:
    name: str
    phrases: tuple[RulePhrase, ...]
    against: tuple[RulePhrase, ...]
    params: tuple[str, ...]
    param_bonus: dict[str, float]
    outranks: tuple[str, ...] = ()  # when both are proposed, this one comes first
    hides: tuple[str, ...] = ()  # when this one is proposed, these are not
    runbook: bool = True  # False: no safe generic runbook, `by_hand` says what to do
    by_hand: dict[str, str] | None = None  # language -> "what to do by hand"
    domain_from_email: bool = False  # the domain of an e-mail address written beats a site's
    domain_new: bool = False  # a domain the customer does not have yet beats their known ones (a new site)
    domain_own: bool = False  # only a domain of theirs is acted on: another one written is a target (a CNAME's)
    # What the action acts on, one of which the message must name (in their words or what they quote):
    # without it the action is only a guess ("notre nom de domaine expire" is no certificate to renew).
    requires: tuple[RulePhrase, ...] = ()


@dataclass(frozen=True)
class Rules:
    """Compiled decoder rules (read-only); build with `build_rules`."""

    source: str
    threshold: float
    request_bonus: float
    fuzzy_min_length: int
    fuzzy_max_length: int  # longest fuzzy keyword + 1: longer words are never one typo away
    domain_confidence: dict[str, float]
    ignore_domains: frozenset[str]
    tlds: frozenset[str]
    not_tlds: frozenset[str]
    closings: tuple[str, ...]
    go_ahead: tuple[RulePhrase, ...]  # "allez-y", "please go ahead": what to do is in the quoted text
    refers: tuple[RulePhrase, ...]  # "this email", "ceci": the same, in a message that asks ("can you deal with this?")
    request: tuple[RulePhrase, ...]
    negative: tuple[RulePhrase, ...]
    resolved: tuple[RulePhrase, ...]  # "it works, you can close": damp every sentence that does not ask
    values: dict[str, tuple[RulePhrase, ...]]
    intents: dict[str, IntentRule]
    fuzzy: dict[str, tuple[tuple[str, str, RulePhrase], ...]]  # delete-key -> (intent, word, phrase)
    # word -> the (intent, phrase) of the keywords it is one typo away from, filled as messages are read
    typo_memo: dict[str, tuple[tuple[str, RulePhrase], ...]] = field(default_factory=dict, repr=False,
                                                                      compare=False)


# ---------------------------------------------------------------- rules loading

WORD_RUN = re.compile(r"[a-z0-9]+")
_SEP = r"[\s'-]+"
#: "a ... b": a and b with up to three words between them (bounded: no runaway backtracking).
_GAP = r"(?:[\s'-]+[a-z0-9]+){0,3}?[\s'-]+"  # lazy: the words read are the nearest a ... b, not a span to a later b


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

    def phrase(self, text: str, weight: float, key: str, tag: str = "") -> RulePhrase:
        folded = " ".join(fold(text.replace("<email>", EMAIL_WORD)).split())
        if not WORD_RUN.search(folded):
            raise self.error(key, "a phrase needs at least one letter or digit")
        if "*" not in folded and "..." not in folded:
            return RulePhrase(text, weight, phrase_pattern(folded), frozenset(WORD_RUN.findall(folded)), tag)
        words = folded.split()
        if words[0] == "..." or words[-1] == "...":
            raise self.error(key, "'...' (up to three words) goes between two words")
        parts, needs = [], set()
        for word in words:
            if word == "...":
                parts.append(_GAP)
                continue
            stem = word[:-1] if word.endswith("*") else word
            if "*" in stem or not WORD_RUN.search(stem):
                raise self.error(key, "'*' may only end a word, after at least one letter")
            escaped = re.escape(stem) if parts else word_start(re.escape(stem))
            parts.append(escaped + ("[a-z0-9]*" if word.endswith("*") else ""))
            needs.update(WORD_RUN.findall(stem) if stem == word else ())
        body = ""
        for prev, part in zip([None, *parts], parts):
            body += part if prev is None or part == _GAP or prev == _GAP else _SEP + part
        pattern = re.compile(body + r"(?![a-z0-9])")
        return RulePhrase(text, weight, pattern, frozenset(needs), tag)

    def phrases(self, raw, key: str) -> tuple[RulePhrase, ...]:
        table = self.table(raw, key)
        return tuple(self.phrase(p, self.number(w, _key(key, p)), _key(key, p)) for p, w in table.items())


def _sub(reader: _Reader, raw: dict, key: str, parent: str, allowed: set[str] | None = None) -> dict:
    return reader.table(raw.get(key, {}), _key(parent, key) if parent else key, allowed)


def _build(raw: dict, name: str) -> Rules:
    r = _Reader(name)
    r.table(raw, "", {"version", "threshold", "request_bonus", "fuzzy_min_length", "domain_confidence",
                      "domains", "message", "request", "negative", "resolved", "values", "intents"})
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
    message = _sub(r, raw, "message", "", {"closings", "go_ahead", "refers"})
    closings = tuple(" ".join(fold(c).split()) for c in r.strings(message.get("closings", []), "message.closings"))
    go_ahead, refers = (tuple(r.phrase(p, 1.0, f"message.{key}") for p in r.strings(message.get(key, []),
                                                                                    f"message.{key}"))
                        for key in ("go_ahead", "refers"))
    request = _sub(r, raw, "request", "", {"phrases"})
    req = tuple(r.phrase(p, 1.0, "request.phrases") for p in r.strings(request.get("phrases", []), "request.phrases"))
    negative = r.phrases(raw.get("negative", {}), "negative")
    resolved = r.phrases(raw.get("resolved", {}), "resolved")
    values: dict[str, tuple[RulePhrase, ...]] = {}
    for kind, table in _sub(r, raw, "values", "", _VALUE_KINDS).items():
        table = r.table(table, _key("values", kind))
        values[kind] = tuple(r.phrase(p, 1.0, _key(_key("values", kind), canon), canon)
                             for canon, ps in table.items()
                             for p in r.strings(ps, _key(_key("values", kind), canon)))
    intents = {}
    for intent, spec in _sub(r, raw, "intents", "", set(INTENTS)).items():
        key = _key("intents", intent)
        spec = r.table(spec, key, {"params", "phrases", "against", "param_bonus", "outranks", "hides", "runbook",
                                   "by_hand", "domain_from_email", "domain_new", "domain_own",
                                   "requires"})
        params = tuple(r.strings(spec.get("params", []), _key(key, "params")))
        for p in params:
            if p not in PARAMS:
                raise r.error(_key(key, "params"), f"unknown parameter {p!r} (expected one of: {', '.join(PARAMS)})")
            if p in VALUE_KIND and VALUE_KIND[p] not in values:
                raise r.error(_key(key, "params"), f"{p!r} needs a [values.{VALUE_KIND[p]}] table")
        bonus_table = _sub(r, spec, "param_bonus", key, set(params))
        phrases = r.phrases(spec.get("phrases", {}), _key(key, "phrases"))
        if not phrases:
            raise r.error(_key(key, "phrases"), "an intent needs at least one phrase")
        order = {k: tuple(r.strings(spec.get(k, []), _key(key, k))) for k in ("outranks", "hides")}
        for k, names in order.items():
            for other in names:
                if other not in INTENTS or other == intent:
                    raise r.error(_key(key, k), f"{other!r} is not another intent (expected one of: "
                                                f"{', '.join(i for i in INTENTS if i != intent)})")
        runbook = spec.get("runbook", True)
        if not isinstance(runbook, bool):
            raise r.error(_key(key, "runbook"), f"expected true or false, got {runbook!r}")
        by_hand = _sub(r, spec, "by_hand", key, set(_LANGUAGES))
        for lang in _LANGUAGES if not runbook else ():
            if not isinstance(by_hand.get(lang), str) or not by_hand[lang].strip():
                raise r.error(_key(_key(key, "by_hand"), lang),
                              "an intent without a runbook says what to do by hand, in English and French")
        if runbook and by_hand:
            raise r.error(_key(key, "by_hand"), "only for an intent with runbook = false")
        flags = {k: spec.get(k, False) for k in ("domain_from_email", "domain_new", "domain_own")}
        for k, value in flags.items():
            if not isinstance(value, bool):
                raise r.error(_key(key, k), f"expected true or false, got {value!r}")
        intents[intent] = IntentRule(intent, phrases, r.phrases(spec.get("against", {}), _key(key, "against")),
                                     params, {p: r.number(b, _key(_key(key, "param_bonus"), p))
                                              for p, b in bonus_table.items()},
                                     order["outranks"], order["hides"], runbook,
                                     {lang: " ".join(t.split()) for lang, t in by_hand.items()} or None,
                                     flags["domain_from_email"], flags["domain_new"], flags["domain_own"],
                                     tuple(r.phrase(w, 1.0, _key(key, "requires"))
                                           for w in r.strings(spec.get("requires", []), _key(key, "requires"))))
    fuzzy: dict[str, list] = {}
    longest = 0
    for rule in intents.values() if fuzzy_len else ():
        for p in rule.phrases:
            word = fold(p.text).strip()
            if len(word) >= fuzzy_len and word.isalpha() and word.isascii():
                longest = max(longest, len(word))
                for k in {word} | deletions(word):
                    fuzzy.setdefault(k, []).append((rule.name, word, p))
    return Rules(name, threshold, bonus, fuzzy_len, longest + 1, factors, lists["ignore"], lists["tlds"],
                 lists["not_tlds"], closings, go_ahead, refers, req, negative, resolved, values, intents,
                 {k: tuple(v) for k, v in fuzzy.items()})


def _parse(data: bytes, name: str) -> dict:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RulesError(f"{name}: not valid TOML: {exc}") from None


def build_rules(shipped: bytes, shipped_name: str, site: bytes | None = None, site_name: str = "") -> Rules:
    """Compile the shipped rules, or a site file's rules layered on top of them.

    A site file replaces each top-level setting or section it defines; inside
    [intents] and [values] it replaces whole entries (one intent, one value
    kind) and keeps the shipped others. Errors raise `RulesError` (a
    ValueError) naming the file and the key.
    """
    base = _parse(shipped, shipped_name)
    if site is None:
        return _build(base, shipped_name)
    raw = _parse(site, site_name)
    merged = {**base, **raw}
    for section in ("intents", "values"):
        if isinstance(raw.get(section), dict):
            merged[section] = {**base.get(section, {}), **raw[section]}
    return _build(merged, site_name)


def deletions(word: str) -> set[str]:
    """Every one-letter deletion of *word*: quadratic in its length, so callers
    only pass keywords and words no longer than the longest keyword + 1."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}

"""Decoder rules: merging and checking the intents rules (the shipped `data/intents.toml`, a site file)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

from .text import fold, phrase_pattern

INTENTS = ("issue_certificate", "add_vhost", "create_database", "disk_usage",
           "clone_environment", "add_capacity", "restart_service", "site_down")
#: Parameters an intent may ask for; service and source/target come from [values].
PARAMS = ("domain", "service", "source", "target")
_VALUE_KIND = {"service": "service", "source": "environment", "target": "environment"}
_FACTORS = ("email", "partial", "quoted", "single_known")


class RulesError(ValueError):
    """A rules file is wrong; the message names the file and the key."""


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
    """Compiled decoder rules (read-only); build with `build_rules`."""

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


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}

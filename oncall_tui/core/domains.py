"""Domain extraction: the sites, e-mail domains and URLs a customer's message names."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from .intent_rules import WORD_RUN, Rules
from .text import fold, phrase_pattern

_LABEL = r"[^\W_](?:[^\W_]|-){0,62}"
_DOMAIN = re.compile(rf"(?<![\w.-])(?:{_LABEL}\.)+{_LABEL}(?![\w@-]|\.[^\W_])")
_URL = re.compile(r"(?i)\b(?:https?|ftp)://([^\s<>\"'()\[\]]+)")
_LOCAL_PART = re.compile(r"[\w.+-]+@$")
# An address named by its local part alone: "can we get a bookings@ address?", "créer contact@ et resa@".
_BARE_LOCAL = re.compile(r"(?<![\w.+@-])[^\W\d_][\w.+-]*@(?=[\s,;:!?)\]»\"'/]|$)")
_NUMBERS = re.compile(r"[0-9.]+")
# The owner names of DNS records ("_dmarc.", "k2._domainkey.", "_acme-challenge.") before a zone: not hosts.
_RECORD_OWNER = re.compile(r"(?<![\w.-])(?:[^\W_][\w-]*\.)*_[\w-]+\.(?=[^\W_])")


@dataclass(frozen=True)
class Found:
    domain: str
    start: int
    end: int
    email: bool


def normalise(name: str, rules: Rules) -> str | None:
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


def scan(text: str, rules: Rules) -> tuple[list[Found], list[tuple[int, int, bool]]]:
    """Domains written in *text* (ignored ones dropped) and the spans to blank out (start, end, is an e-mail).

    Version numbers and IP addresses ("PHP 8.2", "185.31.40.22") are neither found nor blanked out. A DNS
    record's owner name ("_dmarc.example.fr", "k2._domainkey.example.fr") gives its zone, example.fr.
    """
    urls = [(m.start(), m.end(), m.start(1)) for m in _URL.finditer(text)]
    found, spans = [], [(a, b, False) for a, b, _ in urls]
    url_starts = [a for a, _, _ in urls]
    hosts = _RECORD_OWNER.sub(lambda m: " " * len(m.group()), text) if "_" in text else text  # same positions
    for m in _DOMAIN.finditer(hosts):
        start = m.start()
        i = bisect_right(url_starts, start) - 1  # URLs do not overlap: only the last one starting before counts
        if i >= 0 and start < urls[i][1] and start != urls[i][2]:
            continue  # a path segment like /redirect/other.com is not the site
        local = _LOCAL_PART.search(text, max(0, start - 128), start) if start and text[start - 1] == "@" else None
        if local is None and _NUMBERS.fullmatch(m.group()):
            continue
        spans.append((local.start() if local else start, m.end(), local is not None))
        name = normalise(m.group(), rules)
        if name and not _ignored(name, rules):
            found.append(Found(name, start, m.end(), local is not None))
    if "@" in text:
        spans += [(m.start(), m.end(), True) for m in _BARE_LOCAL.finditer(text)]
    return found, spans


def extract_domains(text: str, *, rules: Rules) -> list[str]:
    """Domains written in *text*, in order, deduplicated.

    Lower-cased Unicode (IDNA-aware: "café-martin.fr"; "xn--" input is decoded),
    no trailing dot. File names ("index.php") are not domains. E-mail addresses
    are skipped (they name a mailbox, not a site; `propose` uses them only as a
    last resort), and so are the rules' ignored domains (gmail.com, letsencrypt.org).
    """
    found, _ = scan(text, rules)
    return list(dict.fromkeys(f.domain for f in found if not f.email))


def known_named(known: Sequence[str], tokens: set[str], folded: str = "",
                 near: Sequence[tuple[int, int]] = ()) -> str | None:
    """The one known domain whose distinctive name parts the message mentions.

    Two named as often ("la pâtisserie est en panne, le traiteur marche"): the one
    named nearest the words that triggered the intent, if *folded* and *near* are given.
    """
    parts = {d: {t for t in WORD_RUN.findall(fold(d.rsplit(".", 1)[0])) if len(t) >= 3 and t != "www"} for d in known}
    common = set.intersection(*parts.values()) if len(parts) > 1 else set()
    # The words of the message that name each site: its name's parts, or a word for the same role
    # ("la billetterie" for tickets.…, "our booking page" for reservations.…), where not said to be fine.
    named = {d: {w for part in p - common for w in _ROLES.get(part, frozenset((part,))) & tokens}
             for d, p in parts.items()}
    if not any(named.values()) and len(known) > 1:
        # A name run together ("ludlowchristmasmarket", "pumpkinpatchfarm", "centreloisirs", "gedcab"), said in
        # words: "the Christmas market site", "the farm website", "le centre de loisirs", "l'outil de GED".
        named = {d: {w for w in tokens - _PLAIN_WORDS for part in p - common if _inside(w, part)}
                 for d, p in parts.items()}
    said = {d: {w for w in words if not (folded and _spared(folded, w))} for d, words in named.items()}
    scores = {d: len(words) for d, words in said.items()}
    best = max(scores.values(), default=0)
    if not best and folded:
        # Every site named is said to be fine: of two, the other one ("the wedding site loads fine", "le site
        # vitrine n'est pas concerné").
        unnamed = [d for d in known if not named[d]]
        if len(unnamed) == 1 and len(unnamed) < len(known):
            return unnamed[0]
    winners = [d for d, s in scores.items() if s == best]
    if best and len(winners) == 1:
        return winners[0]
    if folded and "." in folded and len(winners) > 1:
        # Sites under one name told apart by their ending: "it's the .fr site, the .bzh one is fine".
        by_ending = [d for d in winners if "." in d and _ending_named(folded, d.split(".", 1)[1])]
        if len(by_ending) == 1:
            return by_ending[0]
    if not best or not folded or not near:
        return None
    distance = {d: min(_distance(folded, m.start(), m.end(), near) for t in said[d]
                       for m in phrase_pattern(t).finditer(folded))
                for d in winners}
    ranked = sorted(distance.values())
    return min(distance, key=distance.get) if ranked[0] < ranked[1] else None


_CLAUSE_END = re.compile(r"[,;.!?()\n]")
# The roles a subdomain is named after, and the words customers use for them, in French and English.
_ROLE_GROUPS = (
    frozenset({"shop", "boutique", "store", "eshop"}),
    frozenset({"booking", "bookings", "book", "reservation", "reservations", "resa", "reserver", "reservez"}),
    frozenset({"tickets", "ticket", "billetterie", "billets", "ticketing"}),
    frozenset({"blog", "actualites", "news"}),
    frozenset({"members", "membres", "adherents"}),
)
_ROLES = {word: group for group in _ROLE_GROUPS for word in group}
# A site named to say it is not the one: "the shop seems fine, it's the main club site", "(not the volunteers
# app)", "the cottages site is fine as it is", "la boutique n'est pas concernée", "on touchera à la boutique
# plus tard".
_SPARING = re.compile(r"\b(?:fine|unaffected|not affected|can stay|as it is|untouched|later|can wait|"
                      r"no (?:problem|issue)s?|(?:seems?|looks?|is|est|semble) ok|"
                      r"plus tard|peut attendre|pas de (?:souci|probleme)|aucun (?:souci|probleme)|"
                      r"va bien|peut rester|reste tel|pas concerne\w*|pas touche\w*|pas impacte\w*|"
                      # "le site du château marche", "the shop works": working, unless negated (and not "le
                      # marché", the noun). The word comes first, what is around it is checked after: a pattern
                      # opening with a look-behind is tried at every position.
                      r"(?:marche|fonctionne)(?<!\bne marche)(?<!\bn'marche)(?<!\ble marche)(?<!\bdu marche)"
                      r"(?<!\bau marche)(?<!\bun marche)(?<!\bce marche)(?<!\bne fonctionne)(?<!\bn'fonctionne)"
                      r"(?! (?:pas|plus|jamais|mal|a moitie))|"
                      r"(?:works|working)(?<!\bnot works)(?<!\bnot working)(?<!n't works)(?<!n't working)"
                      r"(?! (?:only|intermittently|sometimes)))\b")
# A clause turns at "but" and "mais": "the Dublin page is fine but the Belfast one has expired".
_CONTRAST = re.compile(r"\b(?:but|mais)\b")
# A clause that starts with its verb says something of the names just before it.
_PREDICATE = re.compile(r"\s*(?:(?:both|all|tous|toutes|les deux) )?(?:are|is|were|was|seem|seems|look|looks|work|"
                        r"sont|est|semblent|marchent|fonctionnent|vont)\b")
# The site named as the model to follow is not the one to act on: "done like on the main site shannontyres.ie",
# "show the same site as our .co.uk", "le même site que".
_MODEL = re.compile(r"(?:\b(?:like|as) (?:on|for|with|in)|\bsame (?:site |website |page |pages |content |thing )?as|"
                    r"\bcomme (?:sur|pour|avec)|\bcomme|\bmeme (?:site |page |pages |contenu |chose )?que)"
                    r"(?: (?:the|our|le|la|l'|notre|nos)?\s*(?:main|other|old|existing|principal|autre|ancien)?"
                    r"\s*(?:site|website|one)?)?\s*$")
# ...or right before the name: "not the volunteers app", "pas la boutique" (not anywhere in the clause: "la
# boutique ne s'affiche pas le matin" is about the shop).
_NOT_THE = re.compile(r"(?:\bnot (?:on |for |in )?the|\bpas (?:sur |pour |dans )?(?:le|la|les|l'))"
                      r"(?:\s*(?:site|website|one))?\s*$")


# Words too plain to name a site by being part of its name.
_PLAIN_WORDS = frozenset("""site sites website web page pages mail email mails les des aux une the and our not for
with from into your their notre votre leur nos vos pour avec dans sur par est pas plus que qui this that les www
com net org online ligne shop""".split())


def _inside(word: str, part: str) -> bool:
    """Whether *word* is a piece of the run-together name *part*: its start or end (3 letters or more), or
    anywhere in it (5 or more)."""
    if len(word) < 3 or len(part) < len(word) + 3:
        return False
    return part.startswith(word) or part.endswith(word) or (len(word) >= 5 and word in part)


@lru_cache(maxsize=256)
def said_fine(folded: str, spans: tuple[tuple[int, int], ...]) -> bool:
    """Whether every clause of *folded* holding one of *spans* (where a site is named) says that site is fine or
    not the one meant ("the old kernowcottages.co.uk has the padlock and works fine"). Cached: each intent the
    rules weigh asks again about the same sites of the same message."""
    return _spared_at(folded, spans)


def _ending_named(folded: str, ending: str) -> bool:
    """Whether *folded* names a site by its *ending* alone (".fr", "le .co.uk"), not as said to be fine."""
    named = re.compile(r"(?<![\w.-])\." + re.escape(fold(ending)) + r"(?![\w.-])")
    return any(True for _ in named.finditer(folded)) and not _spared(folded, named)


def _spared(folded: str, word: str | re.Pattern[str]) -> bool:
    """Whether every clause of *folded* naming *word* says that site is fine or not the one meant."""
    pattern = phrase_pattern(word) if isinstance(word, str) else word
    return _spared_at(folded, [m.span() for m in pattern.finditer(folded)])


def _spared_at(folded: str, spans: Sequence[tuple[int, int]]) -> bool:
    for a, b in spans:
        start = max((e.end() for e in _CLAUSE_END.finditer(folded, max(0, a - 120), a)), default=0)
        start = max((e.end() for e in _CONTRAST.finditer(folded, start, a)), default=start)
        end = _CLAUSE_END.search(folded, b)
        # "The others, a.co.uk and b.co.uk, are fine": the names set between commas, what is said of them follows.
        if end and folded[end.start()] == "," and _PREDICATE.match(folded, end.end()):
            end = _CLAUSE_END.search(folded, end.end())
        stop = end.start() if end else len(folded)
        stop = min((e.start() for e in _CONTRAST.finditer(folded, b, stop)), default=stop)
        if not (_SPARING.search(folded, start, stop) or _NOT_THE.search(folded, max(start, a - 24), a)
                or _MODEL.search(folded, max(start, a - 40), a)):
            return False
    return bool(spans)


def _distance(folded: str, start: int, end: int, spans: Sequence[tuple[int, int]]) -> int:
    """Characters from a name to the nearest trigger, plus 1,000 when a comma or a stop lies between."""
    def one(s: int, e: int) -> int:
        a, b = (e, start) if start >= e else (end, s) if end <= s else (start, start)
        return b - a + (1000 if _CLAUSE_END.search(folded, a, b) else 0)
    return min((one(s, e) for s, e in spans), default=0)


def nearest(pool: list[Found], spans: list[tuple[int, int]], newlines: list[int]) -> str:
    """The domain closest to the words that triggered the intent: same line first,
    then fewest characters away, a domain written before the words counting 1.5 times; with no words, the first."""
    if not spans:
        return pool[0].domain
    def cost(f: Found) -> tuple[int, float]:
        return min((abs(bisect_right(newlines, f.start) - bisect_right(newlines, s)),
                    f.start - e if f.start >= e else (s - f.end) * 1.5 if f.end <= s else 0)
                   for s, e in spans)
    return min(pool, key=cost).domain

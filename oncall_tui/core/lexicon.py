"""Reading a customer's message: frustration and urgency lexicons, tone, repetition.

A lexicon is text (the shipped ``oncall_tui/data/lexicon_*.txt``), one phrase
per line with an optional weight::

    # comment
    troisième fois = 3
    encore                # weight 1

Phrases match accent- and case-insensitively, on whole words ("down" does not
match "download"), spaces and hyphens flexible. Each distinct phrase counts once
per message; a phrase inside a longer one counts as well, so give the longer
phrase only the extra weight.

Phrases before any section header are frustration and urgency (`Lexicon.phrases`).
A line ``[name]`` starts a section of other phrases the heat reads a message
for (`Lexicon.section(name)`; weights are ignored there, but for closings: how strong a word of what went
wrong they outweigh): see SECTIONS.

Phrases are read with `text.fold`; messages go through `fast_fold`, `tokens`
and `fast_pattern`, which give the same words and matches as `text.fold`,
`text.words` and `text.phrase_pattern` without per-character Python loops: the
heat folds every customer message through here. `tokens` also splits hyphens,
so "hors-service" holds the words of the phrase "hors service", as
phrase_pattern has it.
"""

from __future__ import annotations

import binascii
import codecs
import re
import sys
import zlib
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from itertools import filterfalse, islice
from typing import Iterable, Iterator, Sequence

from .text import fold, word_start

#: Only the first characters of a message are analysed: the words that matter
#: come first, and an 80 kB pasted log must not stall a refresh.
MAX_CHARS = 4000
MAX_WEIGHT = 10.0
#: Sections a lexicon file may hold besides frustration, and what their phrases mean.
SECTIONS = {
    "calm": "the customer says it is not pressing; frustration phrases inside one do not count",
    "closing": "the customer confirms it works or asks us to close: probably done",
    "ack": "the customer acknowledges and will come back (will test, will let us know)",
    "thanks": "words a message can be made of alone and only thank or greet (an acknowledgement)",
    "contrast": "words that turn a confirmation into a new problem ('but', 'except')",
    "yes": "the customer says yes to what we offered ('allez-y', 'go ahead'): our move, never a closing",
    "docs": "our reply points to documentation instead of acting",
    "template": "our reply is an automatic or canned acknowledgement",
    "wait": "our reply only says to wait for the network ('DNS propagation can take 48 h'): a bounce unless it says "
            "what was fixed",
    "done": "our reply says we did something (not a bounce, even with a link)",
    "down": "a site or service is down (links the case to an incident on its scope)",
    "harm": "data or security is at risk (hacked, leaked, phishing): pressing however calmly said",
    "data": "their customers' data named (personal data, card numbers): at risk, unless it is paperwork",
    "slow": "a site or service is slow or nearly full: it hurts, less than down",
    "sales": "a billing or commercial matter (quote, invoice, refund, prices): the sales team's hours",
    "promise": "our reply promises to come back later ('je reviens vers vous dans la journée')",
    "fixed": "our reply says something was done, in the past ('j'ai corrigé'): more than a promise",
    "spared": "an incident update says the customers' services are not affected: the incident lifts no case",
}
_SECTION = re.compile(r"\[([a-z_]+)\]")

_ALNUM = re.compile(r"[a-z0-9]+")
_PHRASE_CHARS = re.compile(r"[^a-z0-9\s'-]")
_QUOTES = ("\u2019", "\u2018", "\u02bc")


@dataclass(frozen=True, slots=True)
class Phrase:
    """One lexicon entry: the phrase as written (for display), its folded words, its weight."""

    text: str
    words: tuple[str, ...]
    weight: float
    source: str  # "file:line", for error messages
    section: str = ""  # "" for frustration, else one of SECTIONS


def _fold_byte(ch: str) -> str:
    """What *ch* folds to, as ASCII: words kept, spaces as ' ', other separators as NUL."""
    return "".join(c if c.isascii() else " " if c.isspace() else "\0" for c in fold(ch))


# Latin-1 text (most French and English mail, once curly quotes are straightened)
# folds with one bytes.translate. Characters beyond Latin-1 ('œ', '—', '€') go
# through a codec error handler, one call per run; four Latin-1 characters fold
# to several and are replaced first.
_LATIN1_FOLD = bytes(ord(_fold_byte(chr(b))) if len(fold(chr(b))) == 1 else 0 for b in range(256))
_LATIN1_MULTI = {ch: _fold_byte(ch) for ch in "\u00bc\u00bd\u00be\u00df"}  # ¼ ½ ¾ ß
_BEYOND: dict[str, str] = {}


def _fold_beyond_latin1(error: UnicodeError) -> tuple[str, int]:
    run = error.object[error.start:error.end]  # type: ignore[attr-defined]
    out = []
    for ch in run:
        folded = _BEYOND.get(ch)
        if folded is None:
            if len(_BEYOND) > 10_000:  # emoji and CJK text could grow it without end
                _BEYOND.clear()
            folded = _BEYOND[ch] = _fold_byte(ch)
        out.append(folded)
    return "".join(out), error.end  # type: ignore[attr-defined]


codecs.register_error("oncall_tui.fold", _fold_beyond_latin1)
# bytes.translate table: every byte that is not [a-z0-9] becomes a space.
_SPACES = bytes(b if chr(b).isascii() and chr(b).isalnum() and not chr(b).isupper() else 32
                for b in range(256))


def fast_fold(text: str) -> str:
    """`text.fold` for matching, as ASCII, several times faster on long text.

    Same words (`tokens`) and same phrase matches (`fast_pattern`) as
    `fold(text)`: characters that fold to non-ASCII separators ('«', '€', '—')
    come back as NUL.
    """
    if "`" in text:
        text = text.replace("`", "'")
    if text.isascii():
        return text.lower()  # casefold == lower on ASCII
    for quote in _QUOTES:
        if quote in text:
            text = text.replace(quote, "'")
    for ch, folded in _LATIN1_MULTI.items():
        if ch in text:
            text = text.replace(ch, folded)
    return text.encode("latin-1", "oncall_tui.fold").translate(_LATIN1_FOLD).decode("ascii")


def tokens(folded: str) -> list[str]:
    """Alphanumeric runs of *folded* text: `text.words`, with hyphenated words split too."""
    if folded.isascii():
        return folded.encode("ascii").translate(_SPACES).decode("ascii").split()
    return _ALNUM.findall(folded)  # text.fold output


def fast_pattern(words: tuple[str, ...], last_endings: tuple[str, ...] = ("",)) -> re.Pattern[str]:
    """Matches exactly what `text.phrase_pattern(" ".join(words))` matches, for `fast_fold` text; with
    *last_endings*, the last word with any of those endings too."""
    parts = [re.escape(w) for w in words]
    parts[0] = word_start(parts[0])  # before the endings: a look-behind needs a fixed width ("ransomware")
    if last_endings != ("",):
        parts[-1] += "(?:" + "|".join(re.escape(e) for e in sorted(last_endings, key=len, reverse=True)) + ")"
    return re.compile(r"[\s'-]+".join(parts) + r"(?![a-z0-9])")


#: A phrase's last word also matches its French plural and feminine ("piraté": "piratés", "piratée", "piratées";
#: "plus accessible": "plus accessibles") and the English plural: the lexicon lists each phrase once.
_INFLECTED_MIN = 4  # letters: on a shorter word an ending too often makes another word ("car", "care")


def endings(word: str) -> tuple[str, ...]:
    """The endings *word* (folded) may also be written with, as a phrase's last word: "", then the others."""
    if word.isdigit() and len(word) == 3:
        return ("", "s")  # an HTTP status: "a few 504s on checkout", "the 502s are back"
    if len(word) < _INFLECTED_MIN or not word.isalpha() or word.endswith("s"):
        return ("",)
    return ("", "s", "e", "es")  # folded, "piraté" ends in e: "piratée" is "piratee"


class Lexicon:
    """A set of weighted phrases, matched by words on folded text."""

    def __init__(self, phrases: Iterable[Phrase]):
        phrases = tuple(phrases)
        self.phrases: tuple[Phrase, ...] = tuple(p for p in phrases if not p.section)
        grouped: dict[str, list[Phrase]] = {}
        for p in phrases:
            if p.section:
                grouped.setdefault(p.section, []).append(Phrase(p.text, p.words, p.weight, p.source))
        self._sections = {name: Lexicon(group) for name, group in grouped.items()}
        self._endings: dict[Phrase, tuple[str, ...]] = {}
        by_first: dict[str, list[tuple[Phrase, tuple[str, ...], re.Pattern[str] | None]]] = {}
        forms: set[str] = set()
        listed = {p.words for p in self.phrases}
        for p in self.phrases:
            *head, last = p.words
            # A form listed on its own ("bloquée" beside "bloqué") is matched by its own line only: counted
            # once, and shown as written.
            own = tuple(e for e in endings(last) if not e or (*head, last + e) not in listed)
            last_forms = [last + ending for ending in own]
            forms.update(last_forms)
            self._endings[p] = own
            if not head:  # single words are decided by the word set alone...
                for form in last_forms:
                    by_first.setdefault(form, []).append((p, (), None))
            else:  # ...longer phrases are confirmed by a regex (adjacency, flexible spaces, the last word's form)
                by_first.setdefault(p.words[0], []).append((p, tuple(head), fast_pattern(p.words, own)))
        self._by_first = by_first
        #: Every word used by some phrase (in each of its forms); the repetition fingerprint ignores
        #: them, so adding a frustration word never changes it.
        self.vocabulary: frozenset[str] = frozenset(w for p in self.phrases for w in p.words) | forms
        #: The phrases that are one word ("urgent", "again"), in each form: a case's topic leaves them out.
        self.single_words: frozenset[str] = frozenset(p.words[0] + ending for p in self.phrases if len(p.words) == 1
                                                      for ending in endings(p.words[0]))

    def __len__(self) -> int:
        return len(self.phrases)

    def section(self, name: str) -> "Lexicon":
        """The phrases of section *name* (see SECTIONS) as a lexicon of their own; empty if none."""
        if name not in SECTIONS:
            raise KeyError(f"lexicon section {name!r}: expected one of {', '.join(SECTIONS)}")
        found = self._sections.get(name)
        if found is None:
            found = self._sections[name] = Lexicon(())
        return found

    def scan(self, folded: str, words: Iterable[str]) -> list[Phrase]:
        """Distinct phrases present in *folded* text (see `fast_fold`) whose words are *words*."""
        found: dict[Phrase, None] = {}
        by_first = self._by_first
        present = set(words)
        for word in present.intersection(by_first):
            for phrase, head, pattern in by_first[word]:
                if pattern is None or (present.issuperset(head) and pattern.search(folded)):
                    found[phrase] = None
        return list(found)

    def where(self, folded: str, phrase: Phrase) -> Iterator[re.Match[str]]:
        """Each place *phrase* (one of this lexicon's) is written in *folded* text, in order."""
        return fast_pattern(phrase.words, self._endings[phrase]).finditer(folded)

    def match(self, text: str) -> list[Phrase]:
        """Distinct phrases of this lexicon found in raw *text*, in lexicon order."""
        folded = fast_fold(text)
        found = set(self.scan(folded, tokens(folded)))
        return [p for p in self.phrases if p in found]


def parse_lexicon(text: str, source: str) -> list[Phrase]:
    """Parse lexicon file *text*; errors name ``source:line`` and the reason."""
    phrases: list[Phrase] = []
    seen: dict[tuple[str, tuple[str, ...]], str] = {}
    section = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        where = f"{source}:{number}"
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            header = _SECTION.fullmatch(line)
            if header is None or header.group(1) not in SECTIONS:
                raise ValueError(f"{where}: section: expected one of {', '.join(f'[{n}]' for n in SECTIONS)}, "
                                 f"got {line!r}")
            section = header.group(1)
            continue
        phrase_text, sep, weight_text = line.partition("=")
        phrase_text = " ".join(phrase_text.split())
        weight = 1.0
        if sep:
            try:
                weight = float(weight_text.strip())
            except ValueError:
                raise ValueError(f"{where}: weight: expected a number, got {weight_text.strip()!r}") from None
            if not 0 < weight <= MAX_WEIGHT:
                raise ValueError(f"{where}: weight: expected a number in (0, {MAX_WEIGHT:g}], got {weight:g}")
        folded = fold(phrase_text)
        phrase_words = tuple(tokens(folded))
        if not phrase_words:
            raise ValueError(f"{where}: expected a phrase (letters or digits), got {raw.strip()!r}")
        bad = _PHRASE_CHARS.search(folded)
        if bad:
            raise ValueError(f"{where}: phrase {phrase_text!r}: expected words separated by spaces, "
                             f"hyphens or apostrophes, got {bad.group()!r}")
        if (section, phrase_words) in seen:
            raise ValueError(f"{where}: {phrase_text!r} repeats {seen[section, phrase_words]}")
        seen[section, phrase_words] = where
        phrases.append(Phrase(phrase_text, phrase_words, weight, where, section))
    return phrases


def load_lexicon(sources: Iterable[tuple[str, str]]) -> Lexicon:
    """Build one lexicon from ``(text, source_name)`` pairs; a phrase twice in a section is an error."""
    phrases: list[Phrase] = []
    seen: dict[tuple[str, tuple[str, ...]], str] = {}
    for text, source in sources:
        for p in parse_lexicon(text, source):
            if (p.section, p.words) in seen:
                raise ValueError(f"{p.source}: {p.text!r} repeats {seen[p.section, p.words]}")
            seen[p.section, p.words] = p.source
            phrases.append(p)
    return Lexicon(phrases)


# --- tone: "!!!" and SHOUTING -------------------------------------------------

_BANGS = re.compile(r"!(?:\s?!)+")
# Latin-1 byte -> b"A" for an upper-case letter, b"a" for a lower-case one, b" "
# otherwise: shouted words are runs of "A" in this mask, found by a fast regex.
_CASE_MASK = bytes(65 if chr(b).isupper() else 97 if chr(b).isalpha() else 32 for b in range(256))
_CAPS_RUN = re.compile(rb"AAAA+")
#: Upper-case words that are names, not shouting.
ACRONYMS = frozenset("""
    AAAA API CDN CNAME CPU CSS DNS DDOS DKIM DMARC FTP FTPS GDPR HTML HTTP HTTPS IMAP IPV LDAP
    NAS NFS PDF PHP POP RAM RGPD SAV SFTP SLA SMTP SPF SQL MYSQL SSD SSH SSL TLS TTL TVA TXT URL
    VPN VPS WAF WWW XML JSON YAML CMS CRM ERP SEO OVH AWS GCP KVM LVM RAID CEO CTO DSI
    """.split())


def exclamation_level(text: str) -> float:
    """0 without repeated '!', 0.5 for '!!', 1 for '!!!' or more (longest run)."""
    runs = _BANGS.findall(text)
    if not runs:
        return 0.0
    longest = max(run.count("!") for run in runs)
    return 1.0 if longest >= 3 else 0.5


def shouting_level(text: str) -> float:
    """How much of *text* is SHOUTED: upper-case words of 4+ letters (not acronyms), 3 or more -> 1."""
    mask = text.encode("latin-1", "replace").translate(_CASE_MASK)  # one byte per character
    if b"AAAA" not in mask:
        return 0.0
    shouted = 0
    end_of_text = len(mask)
    for run in _CAPS_RUN.finditer(mask):
        start, end = run.span()
        # A whole word only: "McDONALD" or "HTTPSite" is not shouting.
        if (start and mask[start - 1] == 97) or (end < end_of_text and mask[end] == 97):
            continue
        if text[start:end] not in ACRONYMS:
            shouted += 1
            if shouted == 3:
                return 1.0
    return shouted / 3


# --- what the customer wrote, without what they quoted ------------------------

# A line that starts a quoted reply; such lines all hold a colon, which is rare
# enough in a message to look only at the lines around one.
_QUOTE_HEADER = re.compile(r"[ \t]*(?:On\b.{0,200}\bwrote:|Le\b.{0,200}\ba [ée]crit ?:|From: |De ?: )",
                           re.IGNORECASE)


def own_text(body: str) -> str:
    """The customer's own words: quoted lines ('> ...') and quoted replies dropped, capped."""
    body = body[:MAX_CHARS]  # their own words come first; quotes and pasted logs after
    colon = body.find(":")
    while colon != -1:
        line = body.rfind("\n", 0, colon) + 1
        if _QUOTE_HEADER.match(body, line):
            body = body[:line]
            break
        colon = body.find(":", colon + 1)
    if ">" in body:
        body = "\n".join(line for line in body.split("\n") if not line.lstrip().startswith(">"))
    return body


# --- repetition: fingerprints of content words ---------------------------------

# A customer who repeats themselves restates the problem in other words, so a
# message is compared with their earlier ones on a compact sketch of its content
# words and word pairs (a bottom-k sketch, estimating Jaccard similarity).
# Sketches are stored per case; they must not depend on the process.

SKETCH = 24  # 16-bit hashes per fingerprint
MIN_CONTENT = 4  # content words a message needs to be compared at all
#: Words that say nothing about the problem. Callers also ignore the lexicon's
#: words, so adding "toujours pas" to a message never changes its fingerprint.
_STOP = frozenset("""
    a au aux c ca ce ces cet cette ceci cela chez d dans de des du elle elles en est et etre ete
    fait faire il ils j je l la le les leur leurs lui m ma mais me mes moi mon n ne nos notre nous
    on ont ou par pas peu plus pour qu que qui quoi s sa sans se ses son sont suis sur t ta te tes
    toi ton tous tout toute toutes tres tu un une vos votre vous y avez avons etes sommes avoir
    bien aussi comme donc car deja bonjour bonsoir merci cordialement bonne journee madame monsieur
    salutations svp stp
    an and are as at be been by can could did do does for from had has have hello how i if in into
    is it its me my no not of on or our please regards so that the their them there these they
    this those to us was we were what when where which who why will with would you your thanks
    thank best dear kind sir team any some all just get got
    """.split())
MAX_CONTENT = 32  # content words fingerprinted: a repeat restates the problem up front
_IDS: dict[str, int] = {}
_BIG_ENDIAN = sys.byteorder == "big"


def _word_id(word: str) -> int:
    # crc32, not hash(): str hashes change per process, fingerprints are stored.
    if len(_IDS) > 50_000:
        _IDS.clear()
    wid = _IDS[word] = zlib.crc32(word.encode())
    return wid


_SKIPS: dict[frozenset[str], frozenset[str]] = {}


def fingerprint(words: list[str], ignore: frozenset[str] = frozenset()) -> list[int] | None:
    """Bottom-k sketch (16-bit values) of content words and word pairs; None if too short.

    Content words are *words* minus stop words and *ignore*. Integer-tuple
    hashes are the same in every 64-bit CPython process (>= 3.8), unlike
    string hashes.
    """
    skip = _SKIPS.get(ignore)
    if skip is None:
        skip = _SKIPS[ignore] = _STOP | ignore
    content = list(islice(filterfalse(skip.__contains__, words), MAX_CONTENT))
    if len(content) < MIN_CONTENT:
        return None
    ids = list(map(_IDS.get, content))
    if None in ids:
        ids = [i if i is not None else _word_id(w) for i, w in zip(ids, content)]
    features = set(map(hash, zip(ids)))
    features.update(map(hash, zip(ids, ids[1:])))
    # Keep the top 16 bits: an order-preserving map, so the sketch stays bottom-k
    # (and sorted); a rare collision merges two values.
    return list(dict.fromkeys([(h >> 48) + 32768 for h in sorted(features)[:SKETCH]]))


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of the feature sets behind two sorted sketches (0..1).

    A sketch shorter than SKETCH holds its whole set. Otherwise only hashes up
    to the smaller of the two sketches' largest are known for both sets, and
    the share of those in both estimates the similarity.
    """
    limit = min(a[-1] if len(a) >= SKETCH else 65536, b[-1] if len(b) >= SKETCH else 65536)
    known_a, known_b = bisect_right(a, limit), bisect_right(b, limit)
    shared = len(set(a[:known_a]).intersection(b[:known_b]))
    return shared / (known_a + known_b - shared) if shared else 0.0


def pack_print(sketch: list[int]) -> str:
    """A sketch as short ASCII text (base64 of little-endian 16-bit values)."""
    packed = array("H", sketch)
    if _BIG_ENDIAN:  # stored little-endian everywhere
        packed.byteswap()
    return binascii.b2a_base64(packed.tobytes(), newline=False).decode("ascii")


def unpack_print(text: str) -> array:
    """The sketch stored by `pack_print`."""
    packed = array("H", binascii.a2b_base64(text))
    if _BIG_ENDIAN:
        packed.byteswap()
    return packed


# --- topics: what a case is about, to find the same request in the customer's other cases -------

# A customer who opens a new case for an old problem words it differently and
# the cases' subjects differ: a case's topic is the set of its first content
# words (stop words, the lexicon's words, numbers and very short words left
# out; a plural 's'/'x' dropped), hashed to 16 bits. Two topics are the same
# request when they share enough words relative to the smaller one.

TOPIC_WORDS = 24
_TOPIC_STOP = _STOP | frozenset("""
    pouvez pourriez pouvons peut peuvent pourrais voudrais voudrions aimerions merci cordialement
    regarder verifier voir depuis matin soir hier aujourd hui cette ces notre nos votre vos leur leurs
    could would can check look looking see since morning yesterday today tonight last please thanks
    hi hello hey bonjour com fr net org co uk www http https also only some very really good bien
    appel entrant sortant pris explique dit call inbound outbound taken says said min minutes
    """.split())


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 4 and word[-1] in "sx" else word


# Host names say whose request it is, not what it is about: every case of a customer names their domain.
# A name is tried only where its run of letters, digits, dots and dashes starts: tried from each letter of
# "a.a.a.a…" (4 kB of it pasted), the search took 0.2 s.
_HOST = re.compile(r"(?<=@)[\w.-]+|\b(?<![\w-])(?<![\w-]\.)(?:https?://)?(?:[\w-]+\.)+[a-z]{2,6}\b(?:/\S*)?",
                   re.IGNORECASE)


def topic_words(text: str) -> list[str]:
    """The folded words of *text* a topic is made of: host names and links left out ("orders@" stays)."""
    return tokens(fast_fold(_HOST.sub(" ", text)))


def topic_print(words: Iterable[str], ignore: frozenset[str] = frozenset()) -> list[int]:
    """Sorted 16-bit hashes of the first TOPIC_WORDS content words of *words* (folded tokens)."""
    skip = _TOPIC_STOP | ignore
    content = []
    for w in words:
        if len(w) > 2 and not w.isdigit() and w not in skip:
            content.append(_stem(w))
            if len(content) == TOPIC_WORDS:
                break
    return sorted({zlib.crc32(w.encode()) & 0xFFFF for w in content})


def topic_overlap(a: Sequence[int], b: Sequence[int]) -> tuple[int, float]:
    """(shared words, shared / the smaller topic's size) of two topics; (0, 0.0) if either is empty."""
    if not a or not b:
        return 0, 0.0
    shared = len(set(a).intersection(b))
    return shared, shared / min(len(a), len(b))

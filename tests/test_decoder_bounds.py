"""The jargon decoder on hostile input: whatever a customer pastes, it answers soon and well-formed.

Precise timings are measured by `python -m devtools.decoder_eval`; these tests only
assert behaviour with generous bounds, so a slow CI machine does not fail them.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from oncall_tui.core.domains import _DOMAIN, _URL
from oncall_tui.core.intent_rules import PARAMS
from oncall_tui.core.intents import INTENTS, MAX_BODY_CHARS, MAX_MESSAGE_CHARS

from .models import decode, extract_domains, load_rules, propose


def elapsed(fn, *args, **kwargs) -> float:
    started = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - started


def test_a_one_megabyte_word_is_decoded_quickly():
    assert elapsed(propose, "certificat" * 100_000) < 2.0


def test_a_one_megabyte_word_of_typos_is_decoded_quickly():
    # every word near a keyword used to have all its one-letter deletions built
    assert elapsed(propose, "certifcat" * 110_000 + " svp") < 2.0


def test_a_two_megabyte_message_is_decoded_quickly_and_still_read():
    text = "Pouvez-vous installer un certificat sur boutique.fr ?\n" + "bla bla. " * 230_000
    assert len(text) > 2_000_000
    started = time.perf_counter()
    proposals = propose(text)
    assert time.perf_counter() - started < 2.0
    assert proposals[0].intent == "issue_certificate"


def test_a_million_short_lines_are_decoded_quickly():
    assert elapsed(propose, "a\n" * 1_000_000) < 2.0


def test_only_the_start_of_the_customers_own_text_is_analysed():
    late = "x " * (MAX_BODY_CHARS // 2) + "Pouvez-vous installer un certificat sur boutique.fr ?"
    assert propose(late) == []
    assert decode(late).why
    assert MAX_MESSAGE_CHARS >= MAX_BODY_CHARS


def test_a_typo_in_a_keyword_is_still_read():
    assert propose("le certifcat de boutique.fr n'est pas installé, pouvez-vous l'installer ?")


@pytest.mark.parametrize("hostile", [
    "a" * 50_000,
    "a." * 25_000 + "@",
    "a-" * 25_000,
    ("x" * 63 + ".") * 800 + "-",
    "ab@" * 15_000,
    "http://" + "a" * 50_000,
    "certificat" + " " * 50_000 + "x",
    "certificat " + "de " * 25_000 + "expire",
])
def test_no_decoder_pattern_backtracks_on_hostile_text(hostile):
    rules = load_rules()
    patterns = [_DOMAIN, _URL]  # (an address's local part is only looked for in the 128 characters before "@")
    patterns += [p.pattern for rule in rules.intents.values() for p in (*rule.phrases, *rule.against)]
    patterns += [p.pattern for p in (*rules.request, *rules.negative, *rules.resolved)]
    patterns += [p.pattern for phrases in rules.values.values() for p in phrases]
    started = time.perf_counter()
    for pattern in patterns:
        for _ in pattern.finditer(hostile):
            pass
    assert time.perf_counter() - started < 10.0  # ~1,400 patterns over 50 kB each: linear, or it would be hours


@pytest.mark.parametrize("hostile", [
    "http://a.fr/b.fr " * 20_000,
    "jean@" * 50_000 + "boutique.fr",
    "a." * 100_000 + "fr",
])
def test_extracting_domains_from_a_huge_text_is_linear(hostile):
    assert elapsed(extract_domains, hostile) < 2.0


_HOSTILE_CHARS = st.characters(codec="utf-8") | st.sampled_from(
    ["\x00", "\x1b", "\x07", "\u202e", "\u200b", "\r", "\t", "\n", ">", "@", ".", "-", "'", "\u2019", "é", "ß",
     "\u0130", "ﬁ", "中", "ж", "ع", "🙂", "\ufeff"])
_WORDS = st.sampled_from([
    "certificat", "ssl", "expiré", "renouveler", "vhost", "ftp", "bdd", "disque plein", "redémarrer apache",
    "site down", "dns", "aaaa", "mx", "boîte mail", "mot de passe", "php 8.2", "restaurer la sauvegarde",
    "pouvez-vous", "merci", "vous pouvez fermer le ticket", "boutique.fr", "café.fr", "jean@boutique.fr",
    "https://shop.fr/x", "Le lun. 3 mars, Support a écrit :", "--", "Cordialement", "> quoted"])


@st.composite
def hostile_messages(draw):
    parts = draw(st.lists(st.one_of(
        _WORDS,
        st.text(_HOSTILE_CHARS, max_size=40),
        st.builds(lambda c, n: c * n, st.sampled_from(["a", "é", "中", ".", " ", "\n", "certificat"]),
                  st.integers(0, 30_000)),
    ), max_size=12))
    return draw(st.sampled_from([" ", "\n", ""])).join(parts)


@settings(max_examples=120, deadline=None)
@given(hostile_messages(), st.lists(st.sampled_from(["boutique.fr", "café.fr", "x", "shop.fr"]), max_size=3))
# A phrase with a gap ("disque ... plein") showed 'disque plein disque plein', words the customer never wrote
# in that order: the gap spanned to a later "plein", across the quoted line set aside (found by this property).
@example(text="disque plein\n> quoted\ndisque plein", known=[])
# A renewal read with confidence but no certificate named was shown as "not sure" above the threshold (found by
# this property): it now says that nothing it acts on is named.
@example(text="Pouvez-vous renouveler ?", known=[])
# A known "domain" with no dot, beside a message holding a dot, crashed the search for a site named by its
# ending (found by this property).
@example(text="certificat .", known=["boutique.fr", "x"])
def test_any_text_gives_well_formed_proposals_or_a_reason(text, known):
    rules = load_rules()
    d = decode(text, known_domains=known)
    assert d.proposals == propose(text, known_domains=known)
    flat = " ".join(text.split())
    for p in d.proposals:
        assert p.intent in INTENTS
        assert 0 <= p.confidence <= 1 and p.confidence == round(p.confidence, 2)
        assert all(word and word in flat for word in p.matched)
        assert set(p.params) <= set(PARAMS)
        domain = p.params.get("domain")
        assert domain is None or domain in known or domain.lower() in text.lower() or "xn--" in text.lower()
    if not d.proposals:
        assert d.summary().endswith("nothing suggested")
        assert d.unsure is None or d.unsure.confidence < rules.threshold + 0.01

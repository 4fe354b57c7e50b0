"""Lexicon sections: besides frustration, the phrases the heat reads a message for (calm, closing, links...)."""

from __future__ import annotations

import pytest

from oncall_tui.core.lexicon import (
    SECTIONS,
    load_lexicon,
    parse_lexicon,
    tokens,
    topic_overlap,
    topic_print,
)

from .models import LEXICON


def test_phrases_after_a_section_header_belong_to_that_section():
    lex = load_lexicon([("urgent = 2\n[calm]\npas urgent\n[closing]\ntout fonctionne\n", "fr.txt")])
    assert [p.text for p in lex.phrases] == ["urgent"]
    assert [p.text for p in lex.section("calm").phrases] == ["pas urgent"]
    assert [p.text for p in lex.section("closing").match("Merci, tout fonctionne !")] == ["tout fonctionne"]
    assert len(lex.section("ack")) == 0


def test_the_same_phrase_may_be_in_two_sections_but_not_twice_in_one():
    load_lexicon([("down = 2\n[down]\ndown\n", "en.txt")])
    with pytest.raises(ValueError, match=r"en.txt:3: 'tout fonctionne' repeats fr.txt:2"):
        load_lexicon([("[closing]\ntout fonctionne\n", "fr.txt"), ("[closing]\n\ntout fonctionne\n", "en.txt")])


@pytest.mark.parametrize("line, message", [
    ("[moods]", "lex.txt:1: section: expected one of [calm], [closing]"),
    ("[Calm]", "lex.txt:1: section: expected one of"),
    ("[calm", "lex.txt:1: section: expected one of"),
])
def test_an_unknown_section_is_named(line, message):
    with pytest.raises(ValueError) as err:
        parse_lexicon(f"{line}\nfoo\n", "lex.txt")
    assert str(err.value).startswith(message)


def test_asking_for_an_unknown_section_is_an_error():
    with pytest.raises(KeyError, match="moods"):
        LEXICON.section("moods")


def test_the_shipped_lexicon_has_every_section():
    for name in SECTIONS:
        assert len(LEXICON.section(name)) > 0, name
    assert "vous pouvez fermer" in [p.text for p in LEXICON.section("closing").phrases]
    assert "no rush" in [p.text for p in LEXICON.section("calm").phrases]


def test_topics_are_the_content_words_of_a_request():
    a = topic_print(tokens("emails sent to orders@tidewater.com are not arriving since this morning"))
    b = topic_print(tokens("order emails not arriving"))
    c = topic_print(tokens("could you send us a copy of the september invoice"))
    assert topic_overlap(a, b)[0] >= 3 and topic_overlap(a, c) == (0, 0.0)
    assert topic_overlap([], a) == (0, 0.0)

"""Frustration and urgency lexicons: what counts as the customer saying it, and what does not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncall_tui.core.lexicon import (
    Lexicon,
    exclamation_level,
    fast_fold,
    fast_pattern,
    load_lexicon,
    own_text,
    parse_lexicon,
    shouting_level,
    tokens,
)
from oncall_tui.core.text import fold, phrase_pattern, words

from .models import LEXICON


def found(text: str, lexicon: Lexicon | None = None) -> list[str]:
    return [p.text for p in (lexicon or LEXICON).match(text)]


# --- matching ----------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "C'est la troisième fois que je vous écris.",
    "c'est la troisieme fois que je vous ecris",  # typed without accents
    "C'EST LA TROISIÈME FOIS",
    "la troisième\n fois",  # spacing is flexible
    "la troisième-fois",
])
def test_phrase_matches_whatever_the_accents_case_and_spacing(text):
    assert "troisième fois" in found(text)


def test_a_matched_phrase_is_shown_as_written_in_the_lexicon():
    assert found("TROISIEME FOIS, INADMISSIBLE") == ["troisième fois", "inadmissible"]


@pytest.mark.parametrize("text, phrase", [
    ("Il faut encorer la page", "encore"),
    ("The download is slow", "down"),
    ("Planned downtime tonight", "down"),
    ("A moment of stillness", "still"),
    ("c'est admissible", "inadmissible"),
    ("la troisième. Fois", "troisième fois"),  # a sentence break is not the phrase
])
def test_phrases_match_whole_words_only(text, phrase):
    assert phrase not in found(text)


@pytest.mark.parametrize("text, phrase", [
    ("encore une panne", "encore"),
    ("The site is down.", "down"),
    ("still broken", "still"),
    ("C'est INADMISSIBLE !", "inadmissible"),
    ("je vous l\u2019ai déjà dit", "je vous l'ai déjà dit"),  # curly apostrophe
    ("le serveur ne répond plus", "ne répond plus"),
    ("Le site est hors-service", "hors service"),
])
def test_phrases_match_as_words(text, phrase):
    assert phrase in found(text)


def test_both_languages_are_in_the_default_lexicon():
    fr = found("Toujours pas de certificat, c'est inadmissible, encore une fois.")
    en = found("This is unacceptable, the shop is down again, fix it asap.")
    assert {"toujours pas", "inadmissible", "encore"} <= set(fr)
    assert {"unacceptable", "down", "again", "asap"} <= set(en)


def test_polite_messages_match_nothing():
    assert found("Bonjour, pourriez-vous regarder le certificat de mon site ? Merci, bonne journée.") == []
    assert found("Hello, could you have a look at the DNS records when you have a moment? Thanks.") == []


def test_each_phrase_counts_once_per_message():
    assert found("encore et encore, encore !") == ["encore"]


SMALL = Lexicon(parse_lexicon("piraté = 3\nplus accessible = 2\nnul\nhors service\n", "small.txt"))


@pytest.mark.parametrize("text, phrase", [
    ("Nos boîtes sont-elles piratées ?", "piraté"),  # the phrase is listed once, as the masculine singular
    ("nos sites ont été piratés", "piraté"),
    ("ma boutique a été piratée", "piraté"),
    ("les deux sites ne sont plus accessibles", "plus accessible"),
    ("les deux serveurs sont hors services", "hors service"),
])
def test_a_phrase_s_last_word_matches_its_plural_and_feminine(text, phrase):
    assert [p.text for p in SMALL.match(text)] == [phrase]


@pytest.mark.parametrize("text", [
    "un piratage",               # another word is not a form of it
    "c'est nuls",                # a short word takes no ending (its neighbours are other words)
])
def test_another_word_or_a_short_word_s_plural_is_not_the_phrase(text):
    assert SMALL.match(text) == []


def test_a_phrase_matched_in_two_forms_counts_once():
    assert [p.text for p in SMALL.match("piraté, puis piratée encore")] == ["piraté"]


def test_a_form_listed_on_its_own_is_matched_by_its_own_line_only():
    listed = Lexicon(parse_lexicon("bloqué\nbloquée = 2\n", "listed.txt"))
    assert [(p.text, p.weight) for p in listed.match("la boutique est bloquée")] == [("bloquée", 2.0)]
    assert [p.text for p in listed.match("les comptes sont bloqués")] == ["bloqué"]


# --- the file format -----------------------------------------------------------

def test_weights_comments_and_defaults_come_from_the_file():
    phrases = parse_lexicon("# heading\n\npas content = 2.5\nfâché   # inline comment\n", "my.txt")
    assert [(p.text, p.words, p.weight, p.source) for p in phrases] == [
        ("pas content", ("pas", "content"), 2.5, "my.txt:3"),
        ("fâché", ("fache",), 1.0, "my.txt:4"),
    ]


def test_default_lexicon_weights_are_those_of_the_data_files():
    weights = {p.text: p.weight for p in LEXICON.phrases}
    assert weights["troisième fois"] == 3 and weights["encore"] == 1 and weights["asap"] == 2


@pytest.mark.parametrize("text, message", [
    ("ok\nfâché = beaucoup\n", "lex.txt:2: weight: expected a number, got 'beaucoup'"),
    ("fâché = 0\n", "lex.txt:1: weight: expected a number in (0, 10], got 0"),
    ("fâché = 11\n", "lex.txt:1: weight: expected a number in (0, 10], got 11"),
    ("= 2\n", "lex.txt:1: expected a phrase (letters or digits), got '= 2'"),
    ("24/7\n", "lex.txt:1: phrase '24/7': expected words separated by spaces, hyphens or apostrophes, got '/'"),
    ("encore\nEncore = 2\n", "lex.txt:2: 'Encore' repeats lex.txt:1"),
])
def test_a_bad_line_names_the_file_the_line_and_the_reason(text, message):
    with pytest.raises(ValueError) as err:
        parse_lexicon(text, "lex.txt")
    assert str(err.value) == message


def test_a_phrase_in_two_files_is_an_error_naming_both():
    with pytest.raises(ValueError, match=r"en.txt:1: 'urgent' repeats fr.txt:2"):
        load_lexicon([("# fr\nurgent\n", "fr.txt"), ("urgent = 2\n", "en.txt")])


def test_custom_lexicon_weights_are_used():
    lex = load_lexicon([("site en rade = 4\n", "site.txt")])
    assert [(p.text, p.weight) for p in lex.match("Le SITE EN RADE depuis hier")] == [("site en rade", 4.0)]


# --- tone ----------------------------------------------------------------------

@pytest.mark.parametrize("text, level", [
    ("Merci !", 0.0), ("Help!", 0.0), ("Help!!", 0.5), ("Help!!!", 1.0), ("Au secours ! ! !", 1.0),
    ("Vraiment?!!", 0.5),
])
def test_repeated_exclamation_marks(text, level):
    assert exclamation_level(text) == level


@pytest.mark.parametrize("text, level", [
    ("Le site ne marche pas.", 0.0),
    ("The SSL and DNS records for HTTPS, and the AAAA record", 0.0),  # acronyms are not shouting
    ("Le site MARCHE pas", 1 / 3),
    ("ÇA NE MARCHE TOUJOURS PAS", 2 / 3),  # MARCHE, TOUJOURS (short words do not count)
    ("URGENT PLEASE HELP, CUSTOMERS WAITING", 1.0),
    ("Call McDONALDS and HTTPSite", 0.0),  # part of a word
    ("RÉPONDEZ — ÉNORME problème", 2 / 3),  # accents and a character beyond Latin-1
])
def test_shouting_counts_upper_case_words(text, level):
    assert shouting_level(text) == pytest.approx(level)


# --- what the customer wrote -----------------------------------------------------

def test_quoted_reply_does_not_count_as_the_customers_words():
    body = ("Thanks, it works now.\n\nOn Mon, 3 Mar 2025 at 10:00, Support <support@example.net> wrote:\n"
            "> This is unacceptable, the site is still down!!!\n")
    assert own_text(body).strip() == "Thanks, it works now."
    assert found(own_text(body)) == []


def test_quoted_lines_and_french_reply_headers_are_dropped():
    body = "Merci.\n> toujours pas\nBonne journée\n\nLe lun. 3 mars 2025 à 10:00, Support a écrit :\nencore"
    assert own_text(body) == "Merci.\nBonne journée\n\n"


# --- the fast paths agree with core.text -------------------------------------------

ALPHABET = st.sampled_from(list("aeiouyAZ09 -'’`‘.,!?\n\t") + list("éèÉçÀœŒßẞ¼—€«»\u00a0\u202f\u0301\u0327İﬁ😀ĳ"))
TEXTS = st.text(ALPHABET, max_size=40)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_fast_fold_gives_the_words_of_text_fold(text):
    expected = [piece for word in words(text) for piece in word.split("-")]
    assert tokens(fast_fold(text)) == expected
    assert tokens(fold(text)) == expected


PHRASES = ["toujours pas", "l'ai deja", "a e", "ae", "hors service", "0 a"]


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.sampled_from(PHRASES))
def test_fast_pattern_matches_what_phrase_pattern_matches(text, phrase):
    fast = fast_pattern(tuple(tokens(fold(phrase))))
    assert bool(fast.search(fast_fold(text))) == bool(phrase_pattern(phrase).search(fold(text)))


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(list("toujrspa -'.")), max_size=30))
def test_fast_pattern_agrees_on_near_misses(text):
    assert bool(fast_pattern(("toujours", "pas")).search(text)) == bool(
        phrase_pattern("toujours pas").search(text))


def test_a_pasted_log_is_read_only_as_far_as_the_cap():
    body = "Le site est en panne.\n" + "GET /index.php 500 unacceptable\n" * 5000
    text = own_text(body)
    assert len(text) <= 4000 and text.startswith("Le site est en panne.")


def test_outlook_style_quoted_message_is_dropped():
    body = ("Thanks, all good.\n-----Original Message-----\nFrom: Support <support@example.net>\n"
            "Sent: Monday\n\nSorry, the site is still down, this is urgent.")
    assert found(own_text(body)) == []
    assert own_text("Ok.\n\nDe : Support\nEnvoyé : lundi\nObjet : toujours pas\n").strip() == "Ok."


def test_where_finds_every_phrase_it_scans_one_word_phrases_with_endings_too():
    """`Lexicon.where` places each phrase `scan` finds: a one-word phrase whose word takes endings
    ("ransomware", "rançongiciel") included (its pattern once failed to compile)."""
    for name in ("harm", "down", "closing"):
        section = LEXICON.section(name)
        for phrase in section.phrases:
            text = " ".join(phrase.words)
            folded = fast_fold(f"well: {text}.")
            if phrase in section.scan(folded, tokens(folded)):
                assert next(section.where(folded, phrase), None) is not None, phrase

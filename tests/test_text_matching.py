"""The fast ways of folding and matching text find exactly what their plain definitions find.

Folding skips its per-character work on the accents of Latin letters, and every
phrase pattern puts its word-boundary look-behind after the first word (so the
regex engine can jump to that word). Both are speed-ups only: a message must
read the same with them, whatever it holds.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from oncall_tui.core.intents import decode
from oncall_tui.core.text import fold, phrase_pattern
from oncall_tui.usecases.models import shipped_rules

RULES = shipped_rules()

ODD = list("éèÉçÀœŒßẞ¼—€«»\u00a0\u202f\u0301\u0327\u034f\u0489İﬁ😀ĳ’`‘ǅ")
ALPHABET = st.sampled_from(list("aeiouyAZ09 -'.,!?\n\t") + ODD)


def plain_fold(text: str) -> str:
    """fold() as defined: apostrophes unified, NFKD, every combining mark dropped, casefolded."""
    text = text.translate(str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"}))
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(ALPHABET, max_size=300), st.text(max_size=300)))
def test_fold_is_its_plain_definition_on_any_text(text):
    assert fold(text) == plain_fold(text)
    assert fold(text * 3) == plain_fold(text * 3)  # long text takes the uncached path


def boundary_first(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The same pattern with its look-behind leading, as patterns used to be written."""
    moved = re.match(r"(.+?)\(\?<!\[a-z0-9\]\1\)", pattern.pattern)
    assert moved, f"{pattern.pattern!r} does not start with a word and its look-behind"
    return re.compile(r"(?<![a-z0-9])" + moved.group(1) + pattern.pattern[moved.end():])


def spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def around(words: list[str]) -> st.SearchStrategy[str]:
    """Folded text made of *words*, their pieces and neighbours: where matches and near-misses are."""
    pieces = words + [w[:-1] for w in words if len(w) > 1] + ["x" + words[0], words[0] + "s", "a", "9"]
    glue = st.sampled_from([" ", "  ", "-", "'", "\n", ", ", "x", ""])
    return st.lists(st.tuples(st.sampled_from(pieces), glue), max_size=12).map(
        lambda parts: "".join(p + g for p, g in parts))


SHIPPED = [p for rule in RULES.intents.values() for p in (*rule.phrases, *rule.against)] + [
    *RULES.request, *RULES.negative, *RULES.resolved, *(p for ps in RULES.values.values() for p in ps)]


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_every_shipped_phrase_matches_where_its_boundary_first_form_matches(data):
    phrase = data.draw(st.sampled_from(SHIPPED))
    words = [w.rstrip("*") for w in fold(phrase.text.replace("<email>", "qmailq")).split() if w != "..."]
    text = data.draw(around(words))
    assert spans(phrase.pattern, text) == spans(boundary_first(phrase.pattern), text), phrase.text


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["toujours pas", "l'ai deja", "a e", "ae", "hors service", "0 a", "php.ini", "e-mail"]),
       st.data())
def test_a_phrase_pattern_matches_where_its_boundary_first_form_matches(phrase, data):
    text = data.draw(around(fold(phrase).split()))
    assert spans(phrase_pattern(phrase), text) == spans(boundary_first(phrase_pattern(phrase)), text)


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(ODD + list("ab .")), max_size=8), st.text(st.sampled_from(ODD + list("ab .")),
                                                                         max_size=8))
def test_the_words_read_are_shown_as_the_customer_wrote_them_whatever_surrounds_them(before, after):
    # "Cértificat" folds in place; "ﬁ" folds to two letters and a lone accent to none: the words
    # the screen shows must still be cut from the customer's text at the right place.
    text = f"{before} Merci de charger un SSL sur boutique-martin.fr, le cadenas a disparu {after}"
    decoding = decode(text, rules=RULES)
    assert decoding.proposals, decoding.why
    shown = decoding.proposals[0].matched
    assert "charger un SSL" in shown and "cadenas" in shown

"""Untrusted text shown on a terminal: nothing invisible, nothing that steers the terminal."""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from oncall_tui.core.visible import visible

FILLERS = "\u115f\u1160\u3164\uffa0\u2800"


def test_every_format_separator_and_filler_character_is_made_visible():
    hidden = [chr(cp) for cp in range(sys.maxunicode + 1)
              if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Zl", "Zp") and chr(cp) not in "\n\t"]
    for ch in hidden + list(FILLERS):
        shown = visible(f"a{ch}b")
        assert ch not in shown and shown.startswith("a") and shown.endswith("b"), f"U+{ord(ch):04X}"


def test_the_characters_the_adversarial_pass_found_are_named():
    assert visible("pay\u2060pal\ufeff\u061c\u00ad\u180e\u3164\U000e0041") == \
        "pay<U+2060>pal<U+FEFF><U+061C><U+00AD><U+180E><U+3164><U+E0041>"
    assert visible("\x1b[2Jcleared\x07") == "␛[2Jcleared␇"
    assert visible("ligne 1\nligne 2\tfin") == "ligne 1␤ligne 2 fin"
    assert visible("ligne 1\r\nligne 2\tfin", multiline=True) == "ligne 1\nligne 2    fin"


@given(st.text())
def test_what_is_shown_holds_no_control_or_format_character(text):
    for multiline in (False, True):
        shown = visible(text, multiline=multiline)
        allowed = "\n" if multiline else ""
        assert not [ch for ch in shown if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch not in allowed]
        # Printable text is left exactly as written.
        if all(unicodedata.category(ch)[0] in "LNPS" or ch == " " for ch in text) and not set(text) & set(FILLERS):
            assert shown == text

"""Untrusted text made safe to show: every control and invisible character becomes visible.

Customer text, authors, server error bodies and file contents reach terminals
(the screen, stderr, logs) and Markdown. A terminal escape ("\\x1b[2J"), a
bidi override (U+202E) or an invisible character (U+200B, U+2060, tag
characters, Hangul fillers) could hide, reorder or forge what the engineer
reads. Each one is replaced by a visible picture: ESC -> "␛", others -> "<U+202E>".
"""

from __future__ import annotations

import re

# C0 controls (newline and tab are handled per context), DEL, C1 controls, every
# character of Unicode category Cf (format), Zl/Zp (line and paragraph separators),
# and the fillers that draw as blank. tests/test_visible.py checks the ranges
# against the running Python's Unicode database.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\x80-\x9f"
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u2800\u3164\ufeff\uffa0\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀..␟
    if code == 0x7F:
        return "␡"
    return f"<U+{code:04X}>"


def visible(text: str, *, multiline: bool = False) -> str:
    """*text* with every control and invisible character shown as a visible symbol.

    One line unless *multiline*: line breaks become "␤" and tabs a space; with
    *multiline* line breaks stay and tabs become four spaces.
    """
    if not multiline:
        text = text.replace("\r\n", "␤").replace("\n", "␤").replace("\t", " ")
    else:
        text = text.replace("\r\n", "\n").replace("\t", "    ")
    return _INVISIBLE.sub(_picture, text)


def json_escaped(document: str) -> str:
    """A JSON text with every invisible character written as a \\u escape: the same data, safe on a terminal.

    `json.dumps(..., ensure_ascii=False)` escapes C0 controls but leaves C1
    controls (U+009B starts an escape sequence on some terminals), bidi overrides
    and invisible characters raw. These only occur inside strings, where the
    escape means the same character.
    """
    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        if code > 0xFFFF:  # a surrogate pair, as JSON writes astral characters
            code -= 0x10000
            return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
        return f"\\u{code:04x}"
    return _INVISIBLE.sub(escape, document)


def visible_record(record) -> bool:
    """A logging filter: the record's message with control and invisible characters made visible.

    Log lines carry server replies and file paths; add it to each logger that may log them.
    """
    record.msg, record.args = visible(record.getMessage(), multiline=True), None
    return True

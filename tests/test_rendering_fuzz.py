"""Random text through every helper that puts text on screen: nothing parsed, nothing lost, nothing overflows.

The helpers are the only way customer or stored text reaches a widget (ui/safe.py and the
timeline); whatever a customer writes — markup, escapes, wide or combining characters,
bidi controls — they must show it literally, within the width they are given.
"""

from __future__ import annotations

import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.text import Text

from oncall_tui.core.visible import visible
from oncall_tui.ui.safe import fit, literal
from oncall_tui.ui.widgets.timeline import Line, Timeline

HOSTILE = st.sampled_from(["[bold]", "[/]", "[@click=app.quit]", "\x1b[2J", "\x1b]52;c;aGk=\x07", "\u202e", "\u200b",
                           "\ufeff", "\r", "\t", "\n", "界", "👍🏽", "e\u0301", "\U000e0041", "\u3164", "…"])
TEXT = st.lists(st.one_of(st.text(max_size=40), HOSTILE), max_size=12).map("".join)


def hidden(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_literal_shows_the_text_as_written_never_as_markup_or_escapes(text):
    for multiline in (False, True):
        shown = literal(text, "bold", multiline=multiline)
        assert shown.plain == visible(text, multiline=multiline)  # no markup parsed: every "[" kept
        assert text.count("[") == shown.plain.count("[")
        assert not [ch for ch in shown.plain if hidden(ch) and ch != "\n"]


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(min_value=0, max_value=100))
@example("\U0001F3FB", 0)  # a lone skin-tone modifier is zero cells wide: found by this test (stop 31)
def test_fit_gives_exactly_the_width_asked(text, width):
    shown = fit(visible(text), width)
    assert cell_len(shown) == width
    if cell_len(visible(text)) <= width:
        assert shown.rstrip(" ") == visible(text).rstrip(" ")  # not cut: all of it
    elif width:
        assert shown.rstrip(" ").endswith("…")  # cut, and it says so (a wide character may leave a space)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=5), st.integers(min_value=1, max_value=120))
def test_a_timeline_never_runs_past_its_width_and_loses_no_character(entries, width):
    gutters = [fit(visible(gutter), 4) for gutter, _ in entries]  # the timeline's gutters are fixed-width
    width = max(width, 6)  # room for one wide character after the gutter
    console = Console(width=width, file=None, color_system=None, legacy_windows=False)
    lines = [Line(Text(g), literal(text, multiline=True)) for g, (_, text) in zip(gutters, entries)]
    with console.capture() as capture:
        console.print(Timeline(lines), soft_wrap=False)
    out = capture.get()
    rows = out.split("\n")[:-1]
    assert all(cell_len(row) <= width for row in rows), max(rows, key=cell_len)
    assert not [ch for ch in out if hidden(ch) and ch != "\n"]
    # Every printable character of every entry is on screen, in order (wrapping only adds breaks).
    drawn = "".join(out.split())
    for _, text in entries:
        kept = "".join(visible(text, multiline=True).split())
        assert _in_order(kept, drawn)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=5), st.integers(min_value=-2, max_value=2), st.integers(0, 4))
# A combining accent first, then a tab: Rich's wrap of the line as wide as the room kept one space less.
@example(texts=["\u0300\t"], near=0, which=0)
def test_a_timeline_draws_each_line_as_rich_wraps_it(texts, near, which):
    # Lines that fit are drawn without Rich's wrap (it is most of the time a history takes to open):
    # the picture must be the one the wrap gives, styles included, also for a line just as wide as the room.
    gutter = Text("\u258c ", "bold cyan")
    lines = [Line(gutter, literal(text, "bold", multiline=True)) for text in texts]
    width = max(6, 2 + lines[which % len(lines)].text.cell_len + near)
    console = Console(width=width, file=None, color_system="truecolor", legacy_windows=False)
    expected = []
    for line in lines:
        parts = line.text.wrap(console, width - 2, overflow="fold") if line.text.plain else [Text("")]
        for i, part in enumerate(parts):
            expected += list((gutter if i == 0 else Text("  ")).render(console))
            part.end = ""
            expected += list(part.render(console))
            expected.append(Segment.line())
    options = console.options.update_width(width)
    assert list(Timeline(lines).__rich_console__(console, options)) == expected


def _in_order(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


def test_markup_in_a_timeline_entry_is_text_not_style():
    console = Console(width=60, color_system="truecolor")
    with console.capture() as capture:
        console.print(Timeline([Line(Text("> "), literal("[@click=app.quit]dave[/] \x1b[31mred"))]))
    out = capture.get()
    assert "[@click=app.quit]dave[/]" in out and "\x1b[31m" not in out and "␛[31mred" in out

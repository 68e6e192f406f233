"""Which terminals get ASCII, and the two filters: no colour at all, and ASCII only with nothing
moved (each character replaced by as many cells as it took)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.color import Color

from linreg_tui.tui.terminal import AsciiOnly, Colourless, wants_ascii


@pytest.mark.parametrize(
    ("env", "ascii_only"),
    [
        ({"LANG": "en_US.UTF-8"}, False),
        ({"LANG": "en_US.utf8"}, False),
        ({"LC_ALL": "C.UTF-8"}, False),
        ({"LANG": "C", "LC_CTYPE": "de_DE.UTF-8"}, False),
        ({}, True),
        ({"LANG": "C"}, True),
        ({"LANG": "POSIX"}, True),
        ({"LANG": "de_DE.ISO-8859-1"}, True),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "C"}, True),  # LC_ALL wins
        # Python's own PEP 538 coercion of a C locale: the terminal is still a C one
        ({"LANG": "C", "LC_CTYPE": "C.UTF-8"}, True),
        ({"LC_CTYPE": "C.UTF-8"}, True),
    ],
)
def test_ascii_when_the_locale_is_not_utf8(env, ascii_only):
    assert wants_ascii(env) is ascii_only


@given(st.text(max_size=40))
def test_ascii_only_sends_ascii_in_the_same_cells(text):
    text = "".join(c for c in text if c.isprintable())
    [out] = AsciiOnly().apply([Segment(text, Style(bold=True))], Color(0, 0, 0))
    assert out.text.isascii()
    assert cell_len(out.text) == cell_len(text)
    assert out.style == Style(bold=True)


def test_ascii_look_alikes_for_what_the_app_draws():
    [out] = AsciiOnly().apply([Segment("╭─ ŷ(6) R² ⣿⠀ ● ◆ │ ↺ ⌫")], Color(0, 0, 0))
    assert out.text == "+- y(6) R2 .  o * | @ <"


def test_colourless_keeps_bold_and_reverse_and_drops_every_colour():
    style = Style.parse("bold reverse red on #102030")
    [out, none] = Colourless().apply([Segment("x", style), Segment("y")], Color(0, 0, 0))
    assert out.style == Style(bold=True, reverse=True)
    assert out.style.color is None and out.style.bgcolor is None
    assert none.style is None

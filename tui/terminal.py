"""Terminals as they are: one that cannot address the cursor is refused with a hint, ``NO_COLOR``
sends no colour codes at all, and a terminal that is not UTF-8 gets ASCII only.

Textual writes xterm sequences whatever ``TERM`` says, so a terminal is refused only when it says
it cannot take them: ``TERM`` unset, empty or ``dumb``, or a ``TERM`` that terminfo knows without
cursor addressing (``cup``). A ``TERM`` terminfo does not know (a new emulator, over SSH to an
old server) is let through, as Textual itself would.

The other two are line filters over everything Textual draws (borders, widgets, charts), so no
widget can leak a colour code or a non-ASCII character past them.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.cells import cell_len
from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

#: Locales' names that say UTF-8.
_UTF8 = ("utf-8", "utf8")


def unusable_terminal(env: Mapping[str, str], fd: int) -> str | None:
    """Why the terminal on ``fd`` cannot show the app, or None if it can."""
    term = env.get("TERM", "")
    if term in ("", "dumb"):
        what = f"TERM={term}" if term else "no TERM"
        return f"the terminal ({what}) cannot draw a full-screen app"
    try:
        import curses

        curses.setupterm(term, fd)
        if curses.tigetstr("cup") is None:
            return f"the terminal (TERM={term}) cannot move the cursor"
    except (ImportError, curses.error):
        pass  # terminfo does not know it: trust it to be an xterm, as Textual does
    return None


def wants_ascii(env: Mapping[str, str]) -> bool:
    """Whether the locale's character set is not UTF-8.

    Python turns a plain C locale into C.UTF-8 for itself at start-up (PEP 538, by setting
    ``LC_CTYPE``); the terminal is still the one the C locale describes, so that counts as not
    UTF-8.
    """
    lc_all, lc_ctype, lang = env.get("LC_ALL", ""), env.get("LC_CTYPE", ""), env.get("LANG", "")
    locale = lc_all or lc_ctype or lang
    coerced = (
        not lc_all and lang in ("", "C", "POSIX") and lc_ctype.lower() in ("c.utf-8", "c.utf8")
    )
    if coerced:
        return True
    return not any(mark in locale.lower() for mark in _UTF8)


class Colourless(LineFilter):
    """Drop every colour, keep bold, reverse, underline and the rest: no colour code is sent."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            Segment(text, None if style is None else style.without_color, control)
            for text, style, control in segments
        ]


class _AsciiTable(dict):
    """str.translate's table: a look-alike for the characters the app draws, '?' for others (as
    many as the character took cells, so nothing moves)."""

    def __missing__(self, code: int) -> str:
        if 0x2800 <= code <= 0x28FF:  # braille dots: a chart's line
            out = " " if code == 0x2800 else "."
        else:
            out = "?" * cell_len(chr(code))
        self[code] = out
        return out


_LOOK_ALIKES = {
    "│┃║▏▕▎▍▌▊▋▐|╎╏┆┇┊┋": "|",
    "─━═▔▁╌╍┄┅┈┉": "-",
    "╭╮╰╯┌┐└┘┏┓┗┛╔╗╚╝┬┴├┤┼╋┳┻┣┫╤╧╟╢╪╫": "+",
    "█▀▄▃▅▆▇▂░▒▓■▪": "#",
    "●•○◦◉": "o",
    "◆◇♦": "*",
    "·∙⋅…": ".",
    "−–—": "-",
    "×": "x",
    "←◀⌫‹«": "<",
    "→▶›»": ">",
    "↑▲": "^",
    "↓▼": "v",
    "↺↻": "@",
    "✓✔": "v",
    "✗✘": "x",
    "ŷ": "y",
    "²": "2",
    "³": "3",
    "∂": "d",
    "θ": "t",
    "λ": "L",
    "∇": "V",
    "Σ": "S",
    "≤": "<",
    "≥": ">",
    "≈": "~",
    "‖": "|",
    "°": "o",
    "\u00a0": " ",
}
ASCII_TABLE = _AsciiTable(
    {ord(c): out for chars, out in _LOOK_ALIKES.items() for c in chars}
    | {c: chr(c) for c in range(128)}
)


class AsciiOnly(LineFilter):
    """Everything drawn in ASCII: box lines as ``+-|``, chart dots as ``.``, symbols by a
    look-alike, anything else as ``?``."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        table = ASCII_TABLE
        return [
            Segment(text if control or text.isascii() else text.translate(table), style, control)
            for text, style, control in segments
        ]

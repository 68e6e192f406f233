"""Repaint only the cells that changed.

Textual sends to the terminal every cell of every region marked dirty: a widget that calls
``refresh()`` sends all of itself, a line refreshed with ``refresh(Region(0, y, width, 1))``
sends the whole line. Over a slow link that is most of a frame when only a point moved or a
number changed. Here a widget's new lines are compared with the lines on screen, cell by cell,
and only the stretch of each line from its first changed cell to its last is marked dirty.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.visual import Visual, VisualType, visualize
from textual.widget import Widget
from textual.widgets import Static

Cell = tuple[str, Style | None]


def cells(strip: Strip) -> list[Cell]:
    """One (character, style) a cell; a wide character is followed by an empty cell."""
    out: list[Cell] = []
    for segment in strip:
        text, style = segment.text, segment.style
        if segment.control:
            continue
        if text.isascii():
            out += [(ch, style) for ch in text]
            continue
        for ch in text:
            out.append((ch, style))
            if cell_len(ch) == 2:
                out.append(("", style))
    return out


def changed_span(old: Strip, new: Strip) -> tuple[int, int] | None:
    """The cells ``[start, end)`` of ``new`` that differ from ``old``; None if none do."""
    if old is new:
        return None
    a, b = cells(old), cells(new)
    if a == b:
        return None
    n = min(len(a), len(b))
    start = 0
    while start < n and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    return start, max(end_a, end_b, start + 1)


def repaint_changed(
    widget: Widget, old: Sequence[Strip | None] | None, new: Sequence[Strip], top: int = 0
) -> None:
    """Mark dirty the cells of ``widget`` (lines ``top``…, in content coordinates) where ``new``
    differs from ``old``: the whole widget if there is no ``old`` to compare with or the number
    of lines changed; a whole line where the old one is not known (None)."""
    if old is None or len(old) != len(new):
        widget.refresh()
        return
    width = widget.size.width
    for y, (a, b) in enumerate(zip(old, new)):
        if a is None:
            widget.refresh(Region(0, top + y, width, 1))
            continue
        span = changed_span(a, b)
        if span is not None:
            widget.refresh(Region(span[0], top + y, span[1] - span[0], 1))


class QuietStatic(Static):
    """A Static whose updates repaint only the cells that changed (all of it if its height
    changes): a status line whose numbers move sends those numbers, not the line.

    A subclass may show its content its own way (:meth:`visual_of`, asked again at every
    render, so it may depend on the width).
    """

    def __init__(self, content: VisualType = "", **kwargs) -> None:
        super().__init__(content, **kwargs)
        self._text: VisualType = content
        #: The lines drawn for the last update: (size, style, content, lines).
        self._drawn: tuple[object, object, VisualType, list[Strip]] | None = None

    @property
    def content(self) -> VisualType:
        return self._text

    def visual_of(self, content: VisualType) -> Visual:
        """What shows ``content``."""
        return visualize(self, content, markup=self._render_markup)

    @property
    def visual(self) -> Visual:
        return self.visual_of(self._text)

    def render(self) -> Visual:
        return self.visual

    def _lines(self, visual: Visual, height: int | None) -> list[Strip]:
        return Visual.to_strips(self, visual, self.size.width, height, self.visual_style)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        width, height = self.size
        old_text, self._text = self._text, content
        if not (self.is_mounted and width and height):
            self._drawn = None
            self.refresh(layout=layout)
            return
        style = self.visual_style
        old_visual = self.visual_of(old_text)
        drawn = self._drawn
        if drawn is not None and drawn[:3] == (self.size, style, old_text):
            old = drawn[3]
        else:
            old = self._lines(old_visual, height)
        new_visual = self.visual_of(content)
        if len(self._lines(old_visual, None)) != len(self._lines(new_visual, None)):
            # another height: a layout, and all of it drawn again
            self._drawn = None
            self.refresh(layout=True)
            return
        new = self._lines(new_visual, height)
        self._drawn = (self.size, style, content, new)
        repaint_changed(self, old, new)

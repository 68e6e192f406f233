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
from textual.widget import Widget, _RenderCache  # see QuietStatic._render_content
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
    """The cells ``[start, end)`` where ``new`` differs from ``old``, cell for cell at the same
    column (a cell one line has and the other not counts as changed); None if none do."""
    if old is new:
        return None
    a, b = cells(old), cells(new)
    if a == b:
        return None
    n = max(len(a), len(b))
    a += [None] * (n - len(a))  # type: ignore[list-item]
    b += [None] * (n - len(b))  # type: ignore[list-item]
    start = 0
    while a[start] == b[start]:
        start += 1
    end = n
    while a[end - 1] == b[end - 1]:
        end -= 1
    return start, end


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

    An update renders the new content once: the lines on screen are kept from the last update,
    and Textual draws from those lines too (it would otherwise render the whole content again
    for the first changed cell). Whether the height changed is asked only of a Static whose
    height follows its content (``height: auto``); one of fixed height never needs a layout.

    A subclass may show its content its own way (:meth:`visual_of`, asked again at every
    render, so it may depend on the width).
    """

    def __init__(self, content: VisualType = "", **kwargs) -> None:
        super().__init__(content, **kwargs)
        self._text: VisualType = content
        #: The last update's lines: (size, style, content, the lines shown, all its lines' count).
        self._drawn: tuple[object, object, VisualType, list[Strip], int] | None = None

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

    def _all_lines(self, content: VisualType) -> tuple[list[Strip], int]:
        """(the lines shown in the widget's height, how many lines the content has in all)."""
        width, height = self.size
        visual = self.visual_of(content)
        style = self.visual_style
        if self.styles.content_align != ("left", "top"):  # aligned within the height: pads it
            shown = Visual.to_strips(self, visual, width, height, style)
            return shown, len(Visual.to_strips(self, visual, width, None, style))
        lines = Visual.to_strips(self, visual, width, None, style)
        # below the content, what Textual draws there (see Widget.render_line)
        blank = Strip.blank(width, style.rich_style)
        return lines[:height] + [blank] * (height - len(lines)), len(lines)

    def _follows_content(self) -> bool:
        """Does the height depend on the content?"""
        height = self.styles.height
        return height is None or height.is_auto

    def _height_changes(self, old_count: int, count: int) -> bool:
        """Does the widget's height change when its content of ``old_count`` lines gets
        ``count``?"""
        return count != old_count and self._follows_content()

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        width, height = self.size
        old_text, self._text = self._text, content
        if not (self.is_mounted and width and height) or self.text_selection is not None:
            self._drawn = None  # (text selected with the mouse: drawn whole, as Textual does)
            self.refresh(layout=layout)
            return
        style = self.visual_style
        drawn = self._drawn
        if drawn is not None and drawn[:3] == (self.size, style, old_text):
            old, old_count = drawn[3], drawn[4]
        else:
            old, old_count = self._all_lines(old_text)
        new, count = self._all_lines(content)
        if self._height_changes(old_count, count):
            # another height: a layout, and all of it drawn again
            self._drawn = None
            self.refresh(layout=True)
            return
        self._drawn = (self.size, style, content, new, count)
        repaint_changed(self, old, new)

    def _render_content(self) -> None:
        # Textual renders all of a widget's content again when any of it is dirty; the lines of
        # the last update are those lines, if nothing else changed since (size, style, content),
        # else they are made as an update makes them (so a subclass's _all_lines shows the same
        # either way).
        if self.text_selection is not None:  # (text selected with the mouse: Textual's way)
            super()._render_content()
            return
        drawn = self._drawn
        if drawn is not None and drawn[:3] == (self.size, self.visual_style, self._text):
            lines = drawn[3]
        else:
            lines = self._all_lines(self._text)[0]
        self._render_cache = _RenderCache(self.size, lines)
        self._dirty_regions.clear()

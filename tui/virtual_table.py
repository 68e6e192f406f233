"""A table drawn line by line: only the rows on screen are made, and each column's width follows
the widget's width, so numbers get as many digits as fit and are never cut off.

Subclasses say what the columns are and what is in a row; the header stays put while rows scroll.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .repaint import repaint_changed

#: Narrowest and widest column, in characters (one of them is the gap between columns).
MIN_COLUMN = 8
MAX_COLUMN = 11

_HEADER = Style(bold=True, underline=True)
_CURSOR_ROW = Style(bold=True)
_CURSOR_CELL = Style(reverse=True, bold=True)


class VirtualTable(ScrollView, can_focus=True):
    """Header plus ``row_count()`` rows; subclasses give ``columns()`` and ``row_cells()``."""

    DEFAULT_CSS = """
    VirtualTable {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._painted: list[Strip | None] = []
        self._painted_for: object = None

    def columns(self) -> list[str]:
        raise NotImplementedError

    def row_count(self) -> int:
        raise NotImplementedError

    def row_cells(self, index: int, width: int) -> list[str]:
        """The cells of row ``index``, each at most ``width`` characters."""
        raise NotImplementedError

    def row_note(self, index: int) -> str:
        """Text after the last column (if there is room)."""
        return ""

    def cursor(self) -> tuple[int, int] | None:
        """(row, column) of the highlighted cell, if the table has a cursor. A subclass whose
        cursor moves calls ``refresh()`` (line texts do not show it)."""
        return None

    def column_width(self) -> int:
        n = max(1, len(self.columns()))
        usable = self.scrollable_content_region.width or self.size.width
        return max(MIN_COLUMN, min(MAX_COLUMN, usable // n))

    def update_size(self) -> None:
        """Call when the number of rows or columns changed."""
        width = self.column_width() * len(self.columns())
        self.virtual_size = Size(width, self.row_count() + 1)

    def on_resize(self) -> None:
        self.update_size()

    def refresh_lines(self) -> None:
        """Repaint only the cells on screen that changed (the rest stay as they are, and cost
        nothing to send); everything after a scroll or a resize."""
        key = (self.scroll_offset, self.size, self.column_width())
        if key != self._painted_for or len(self._painted) != self.size.height:
            self.refresh()
            return
        new = [self._make_line(y) for y in range(self.size.height)]
        repaint_changed(self, self._painted, new)

    def _join(self, cells: list[str], width: int) -> str:
        return "".join(cell[: width - 1].rjust(width - 1) + " " for cell in cells)

    def _line_text(self, y: int) -> str | None:
        """Line ``y`` of the view, uncropped; None below the last row."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.column_width()
        if y == 0:
            return self._join(self.columns(), width)
        index = scroll_y + y - 1
        if index >= self.row_count():
            return None
        text = self._join(self.row_cells(index, width - 1), width)
        note = self.row_note(index)
        view = self.scrollable_content_region.width or self.size.width
        if note and len(text) + 2 + len(note) <= view + scroll_x:
            text += " " + note
        return text

    def _cursor_strip(self, index: int, column: int) -> Strip:
        width = self.column_width()
        parts = []
        for i, cell in enumerate(self.row_cells(index, width - 1)):
            style = _CURSOR_CELL if i == column else _CURSOR_ROW
            parts += [Segment(cell[: width - 1].rjust(width - 1), style), Segment(" ")]
        return Strip(parts)

    def render_line(self, y: int) -> Strip:
        # What is painted, line by line, to compare the next lines with (refresh_lines).
        key = (self.scroll_offset, self.size, self.column_width())
        if key != self._painted_for or len(self._painted) != self.size.height:
            self._painted = [None] * self.size.height
            self._painted_for = key
        strip = self._make_line(y)
        if 0 <= y < len(self._painted):
            self._painted[y] = strip
        return strip

    def _make_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        view = self.scrollable_content_region.width or self.size.width
        cursor = self.cursor()
        if cursor is not None and y > 0 and cursor[0] == scroll_y + y - 1 < self.row_count():
            return self._cursor_strip(*cursor).crop_extend(scroll_x, scroll_x + view, None)
        text = self._line_text(y)
        if text is None:
            return Strip.blank(view)
        # Padded to the view's width, so the table's background reaches the pane's edge.
        strip = Strip([Segment(text, _HEADER if y == 0 else None)])
        return strip.crop_extend(scroll_x, scroll_x + view, None)

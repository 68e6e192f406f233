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
        """(row, column) of the highlighted cell, if the table has a cursor."""
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

    def _join(self, cells: list[str], width: int) -> str:
        return "".join(cell[: width - 1].rjust(width - 1) + " " for cell in cells)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        view = self.scrollable_content_region.width or self.size.width
        width = self.column_width()
        if y == 0:
            strip = Strip([Segment(self._join(self.columns(), width), _HEADER)])
            return strip.crop_extend(scroll_x, scroll_x + view, None)
        index = scroll_y + y - 1
        if index >= self.row_count():
            return Strip.blank(view)
        cells = self.row_cells(index, width - 1)
        cursor = self.cursor()
        if cursor is not None and cursor[0] == index:
            segments = [
                Segment(
                    cell[: width - 1].rjust(width - 1),
                    _CURSOR_CELL if i == cursor[1] else _CURSOR_ROW,
                )
                for i, cell in enumerate(cells)
            ]
            spaced = [part for seg in segments for part in (seg, Segment(" "))]
            return Strip(spaced).crop_extend(scroll_x, scroll_x + view, None)
        text = self._join(cells, width)
        note = self.row_note(index)
        if note and len(text) + 2 + len(note) <= view + scroll_x:
            text += " " + note
        # Padded to the view's width, so the table's background reaches the pane's edge.
        return Strip([Segment(text)]).crop_extend(scroll_x, scroll_x + view, None)

"""A table drawn line by line: only the rows on screen are made, and each column's width follows
the widget's own width, so numbers get as many digits as fit and are never cut off.

Subclasses say what the columns are and what is in a row; the header stays put while rows scroll.
The first column (a row number, an epoch) always shows. The others share the rest of the width:
each at least as wide as its header and :data:`NUM_MIN`, growing to :data:`NUM_MAX` where there
is room. Where even their narrowest do not fit, the table shows as many whole columns as fit and
a marker (‹ ›) on the side where more are; ←/→ move along them. A column is never drawn in part:
a number cut at the pane's edge would read as another number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .repaint import repaint_changed

#: Narrowest and widest number column, in characters (the gap after each is one more): 5 shows
#: three or four significant digits of most values, 10 the six the app rounds to.
NUM_MIN = 5
NUM_MAX = 10
#: The markers for columns hidden to the left and to the right (Unicode, ASCII).
MARKERS = {False: ("‹", "›"), True: ("<", ">")}

_HEADER = Style(bold=True, underline=True)
_CURSOR_ROW = Style(bold=True)
_CURSOR_CELL = Style(reverse=True, bold=True)


@dataclass(frozen=True)
class Layout:
    """Where the columns go at one width.

    Attributes
    ----------
    widths : tuple of int
        Each column's width in characters; 0 for a column not drawn.
    first, last : int
        The drawn columns after the first: ``first`` … ``last - 1``.
    notes : bool
        Whether the notes after the last column are drawn.
    left, right : bool
        Whether columns are hidden to the left, to the right (not counting the notes).
    notes_hidden : bool
        Whether there are notes that are not drawn.
    """

    widths: tuple[int, ...]
    first: int
    last: int
    notes: bool
    left: bool
    right: bool
    notes_hidden: bool

    @property
    def windowed(self) -> bool:
        """Whether some columns (or the notes) are hidden and ←/→ move along them."""
        return self.left or self.right or self.notes_hidden


def lay_out(
    headers: Sequence[str], index_width: int, note_width: int, view: int, first: int = 1
) -> Layout:
    """The layout of columns called ``headers`` in ``view`` characters.

    Column 0 is ``index_width`` characters (or its header's), the others between their
    narrowest (``NUM_MIN`` or the header) and widest (``NUM_MAX`` or the header); notes up to
    ``note_width`` characters follow the last column. If all of it does not fit, the columns
    from ``first`` on (moved left as far as needed to fill the view) at their narrowest, as many
    as fit whole, and one character kept at the right edge for the marker.
    """
    n = len(headers)
    w0 = max(len(headers[0]), index_width) if n else 0
    mins = [max(len(h), NUM_MIN) for h in headers[1:]]
    maxs = [max(len(h), NUM_MAX) for h in headers[1:]]
    note = note_width + 1 if note_width else 0  # a space before the note
    room = view - (w0 + 1)
    need = sum(m + 1 for m in mins)
    if need + note <= room:
        widths = _grow(mins, maxs, room - need - note)
        return Layout((w0, *widths), 1, n, bool(note), False, False, False)
    room -= 1  # the marker's column at the right edge
    items = [m + 1 for m in mins] + ([note] if note else [])
    # the last start from which everything to the right end fits
    latest, total = len(items), 0
    while latest > 0 and total + items[latest - 1] <= room:
        latest -= 1
        total += items[latest]
    start = max(0, min(first - 1, latest, len(items) - 1))
    end, total = start, 0
    while end < len(items) and total + items[end] <= room:
        total += items[end]
        end += 1
    last = min(end, n - 1) + 1  # in column numbers (the notes are not a column)
    widths = tuple(w if start + 1 <= i + 1 < last else 0 for i, w in enumerate(mins))
    notes = bool(note) and end == len(items)
    return Layout(
        (w0, *widths),
        start + 1,
        last,
        notes,
        left=start > 0,
        right=last < n,
        notes_hidden=bool(note) and not notes,
    )


def _grow(mins: list[int], maxs: list[int], spare: int) -> tuple[int, ...]:
    """Widen the columns one character at a time, left to right, up to their widest."""
    widths = list(mins)
    while spare > 0:
        grew = False
        for i, w in enumerate(widths):
            if spare and w < maxs[i]:
                widths[i] += 1
                spare -= 1
                grew = True
        if not grew:
            break
    return tuple(widths)


class VirtualTable(ScrollView, can_focus=True):
    """Header plus ``row_count()`` rows; subclasses give ``columns()`` and ``row_cells()``."""

    DEFAULT_CSS = """
    VirtualTable {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._painted: list[Strip | None] = []
        self._painted_for: object = None
        #: The first column asked for after column 0, where not all of them fit.
        self._first = 1
        self._layout_key: object = None
        self._layout_now = Layout((), 1, 1, False, False, False, False)

    # -- what subclasses give ---------------------------------------------------------------------

    def columns(self) -> list[str]:
        raise NotImplementedError

    def row_count(self) -> int:
        raise NotImplementedError

    def row_cells(self, index: int, widths: Sequence[int] | int) -> list[str]:
        """The cells of row ``index``, each at most its column's width (``widths``, one a column
        or one for all; 0: the column is not drawn, and its cell may be empty)."""
        raise NotImplementedError

    def index_width(self) -> int:
        """Characters the first column's values take at most."""
        return 0

    def note_width(self) -> int:
        """Characters the longest note takes (0: no notes)."""
        return 0

    def row_note(self, index: int) -> str:
        """Text after the last column (if there is room)."""
        return ""

    def cursor(self) -> tuple[int, int] | None:
        """(row, column) of the highlighted cell, if the table has a cursor. A subclass whose
        cursor moves calls ``refresh()`` (line texts do not show it)."""
        return None

    # -- columns ----------------------------------------------------------------------------------

    def view_width(self) -> int:
        return self.scrollable_content_region.width or self.size.width

    def layout(self) -> Layout:
        """The columns' layout at the widget's width now (worked out again only when the width,
        the columns or the first column shown changed)."""
        headers = self.columns()
        key = (self.view_width(), *headers, self.index_width(), self.note_width(), self._first)
        if key != self._layout_key:
            self._layout_key = key
            self._layout_now = lay_out(
                headers, self.index_width(), self.note_width(), self.view_width(), self._first
            )
        return self._layout_now

    def scroll_columns(self, by: int) -> bool:
        """Move the columns shown by ``by`` (where not all fit); whether they moved."""
        layout = self.layout()
        if not layout.windowed:
            return False
        self._first = max(1, layout.first + by)
        moved = self.layout().first != layout.first
        if moved:
            self.refresh()
        else:
            self._first = layout.first
        return moved

    def show_column(self, column: int) -> None:
        """Move the columns shown so that ``column`` is among them."""
        layout = self.layout()
        if column < 1 or not layout.windowed:
            return
        if column < layout.first:
            self.scroll_columns(column - layout.first)
        while column >= self.layout().last and self.scroll_columns(1):
            pass

    def action_scroll_left(self) -> None:
        self.scroll_columns(-1)

    def action_scroll_right(self) -> None:
        self.scroll_columns(1)

    def action_page_left(self) -> None:
        layout = self.layout()
        self.scroll_columns(-max(1, layout.last - layout.first))

    def action_page_right(self) -> None:
        layout = self.layout()
        self.scroll_columns(max(1, layout.last - layout.first))

    def update_size(self) -> None:
        """Call when the number of rows or columns changed."""
        self.virtual_size = Size(0, self.row_count() + 1)

    def on_resize(self) -> None:
        self.update_size()

    # -- drawing ----------------------------------------------------------------------------------

    def refresh_lines(self) -> None:
        """Repaint only the cells on screen that changed (the rest stay as they are, and cost
        nothing to send); everything after a scroll, a resize or a new layout."""
        key = (self.scroll_offset, self.size, self.layout())
        if key != self._painted_for or len(self._painted) != self.size.height:
            self.refresh()
            return
        new = [self._make_line(y) for y in range(self.size.height)]
        repaint_changed(self, self._painted, new)

    def _pieces(self, y: int) -> list[tuple[str, int]] | None:
        """Line ``y`` of the view as (text, column) pieces (column -1: a gap, a marker or the
        note); None below the last row."""
        layout = self.layout()
        scroll_y = self.scroll_offset.y
        if y == 0:
            cells, note = self.columns(), ""
        else:
            index = scroll_y + y - 1
            if index >= self.row_count():
                return None
            cells, note = self.row_cells(index, layout.widths), self.row_note(index)
        left, right = MARKERS[bool(getattr(self.app, "ascii_only", False))]
        w = layout.widths
        pieces = [(cells[0].rjust(w[0]), 0), (left if layout.left else " ", -1)]
        for i in range(layout.first, layout.last):
            pieces += [(cells[i].rjust(w[i]), i), (" ", -1)]
        if layout.notes and note:
            pieces.append((" " + note, -1))
        if layout.right or (layout.notes_hidden and (note or y == 0)):
            used = sum(len(text) for text, _ in pieces)
            pieces += [(" " * (self.view_width() - 1 - used), -1), (right, -1)]
        return pieces

    def _line_text(self, y: int) -> str | None:
        """Line ``y`` of the view; None below the last row."""
        pieces = self._pieces(y)
        return None if pieces is None else "".join(text for text, _ in pieces)

    def _cursor_strip(self, y: int, column: int) -> Strip:
        parts = [
            Segment(text, _CURSOR_CELL if i == column else _CURSOR_ROW)
            for text, i in self._pieces(y) or []
        ]
        return Strip(parts)

    def render_line(self, y: int) -> Strip:
        # What is painted, line by line, to compare the next lines with (refresh_lines).
        key = (self.scroll_offset, self.size, self.layout())
        if key != self._painted_for or len(self._painted) != self.size.height:
            self._painted = [None] * self.size.height
            self._painted_for = key
        strip = self._make_line(y)
        if 0 <= y < len(self._painted):
            self._painted[y] = strip
        return strip

    def _make_line(self, y: int) -> Strip:
        scroll_y = self.scroll_offset.y
        view = self.view_width()
        cursor = self.cursor()
        if cursor is not None and y > 0 and cursor[0] == scroll_y + y - 1 < self.row_count():
            return self._cursor_strip(y, cursor[1]).crop_extend(0, view, None)
        text = self._line_text(y)
        if text is None:
            return Strip.blank(view)
        # Padded to the view's width, so the table's background reaches the pane's edge.
        strip = Strip([Segment(text, _HEADER if y == 0 else None)])
        return strip.crop_extend(0, view, None)


def cell_widths(widths: Sequence[int] | int, count: int) -> Sequence[int]:
    """``widths`` as one width a column (a single width: the same for all ``count``)."""
    return [widths] * count if isinstance(widths, int) else widths

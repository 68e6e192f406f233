"""A caption of items (Rich markup) laid out to fit a width and a number of lines."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

#: Between two items on a line.
SEPARATOR = " · "
#: Ends a caption whose last items were left out.
MORE = "…"


def cells(markup: str) -> int:
    """Terminal cells the markup takes once shown."""
    return Text.from_markup(markup).cell_len


def layout(items: Sequence[str], width: int) -> list[list[str]]:
    """The items in lines: one after another separated by :data:`SEPARATOR`, a new line begun
    where the next item does not fit. An item wider than the line has a line of its own (the
    widget cuts it with an ellipsis)."""
    lines: list[list[str]] = []
    used = 0
    for item in items:
        size = cells(item)
        if lines and used + len(SEPARATOR) + size <= width:
            lines[-1].append(item)
            used += len(SEPARATOR) + size
        else:
            lines.append([item])
            used = size
    return lines


def fit(items: Sequence[str], width: int, max_lines: int) -> str:
    """The items, in order, as markup of at most ``max_lines`` lines of ``width`` cells, no item
    split across two lines. Where they do not all fit, the last ones are left out and
    :data:`MORE` ends the caption; the first item is always kept."""
    kept = list(items)
    lines = layout(kept, width)
    while len(lines) > max_lines and len(kept) > 1:
        kept.pop()
        lines = layout([*kept, MORE], width)
    return "\n".join(SEPARATOR.join(line) for line in lines)

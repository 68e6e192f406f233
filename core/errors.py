"""The error types that carry bad user input back to the user.

Every message names what was wrong and where (file, row, column, field), so the command line and
the app can show it as it is, without a traceback.
"""

from __future__ import annotations


class DataError(ValueError):
    """A data file, column or cell that cannot be used; the message names file, row and column."""


class HyperparameterError(ValueError):
    """A hyperparameter outside its allowed range, with a message naming the field and the range."""


#: Longest piece of user text (a cell, a column name) quoted in a message.
SHOWN_CHARS = 40
#: Most items (column names, …) listed in one message before "… and N more".
SHOWN_ITEMS = 5


def shown(text: str, limit: int = SHOWN_CHARS) -> str:
    """``repr`` of ``text``, cut to ``limit`` characters with "…" so a message stays one short line
    whatever the input holds (a 140,000-character cell, a 100 MB header)."""
    text = str(text)
    if len(text) <= limit:
        return repr(text)
    return repr(text[:limit]) + f"… ({len(text):,} characters)"


def few(items, limit: int = SHOWN_ITEMS, quote: bool = False) -> str:
    """The first ``limit`` of ``items`` joined by commas, then "… and N more".

    Parameters
    ----------
    items : sequence of str
    limit : int
    quote : bool
        Quote each item with :func:`shown` (else each is cut to :data:`SHOWN_CHARS` plainly).
    """
    items = list(items)
    head = [shown(i) if quote else _cut(str(i)) for i in items[:limit]]
    more = len(items) - limit
    return ", ".join(head) + (f" … and {more:,} more" if more > 0 else "")


def _cut(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"

"""The error types that carry bad user input back to the user.

Every message names what was wrong and where (file, row, column, field), so the command line and
the app can show it as it is, without a traceback.
"""

from __future__ import annotations


class DataError(ValueError):
    """A data file, column or cell that cannot be used; the message names file, row and column."""


class HyperparameterError(ValueError):
    """A hyperparameter outside its allowed range, with a message naming the field and the range."""


#: Items a message names before "… and N more": an error stays one short line whatever the data.
SHOWN = 5
#: Longest piece of user text (a cell, a column name) quoted in a message.
SHOWN_CHARS = 40


def listing(items: list[str], shown: int = SHOWN) -> str:
    """``items`` joined by ", ", the first ``shown`` only, then "… and N more"."""
    rest = len(items) - shown
    head = ", ".join(items[:shown])
    return f"{head} … and {rest:,} more" if rest > 0 else head


def shown(text: str, limit: int = SHOWN_CHARS) -> str:
    """``repr`` of ``text``, cut to ``limit`` characters with "…" so a message stays one short line
    whatever the input holds (a 140,000-character cell, a 100 MB header)."""
    text = str(text)
    if len(text) <= limit:
        return repr(text)
    return repr(text[:limit]) + f"… ({len(text):,} characters)"


def few(items, limit: int = SHOWN) -> str:
    """:func:`listing` of ``items`` with each item cut to :data:`SHOWN_CHARS` characters."""
    items = list(items)
    head = [i if len(i) <= SHOWN_CHARS else i[:SHOWN_CHARS] + "…" for i in map(str, items[:limit])]
    return listing(head + [""] * (len(items) - len(head)), limit)

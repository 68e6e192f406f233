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


def listing(items: list[str], shown: int = SHOWN) -> str:
    """``items`` joined by ", ", the first ``shown`` only, then "… and N more"."""
    rest = len(items) - shown
    head = ", ".join(items[:shown])
    return f"{head} … and {rest:,} more" if rest > 0 else head

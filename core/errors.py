"""The error types that carry bad user input back to the user.

Every message names what was wrong and where (file, row, column, field), so the command line and
the app can show it as it is, without a traceback.
"""

from __future__ import annotations


class DataError(ValueError):
    """A data file, column or cell that cannot be used; the message names file, row and column."""


class HyperparameterError(ValueError):
    """A hyperparameter outside its allowed range, with a message naming the field and the range."""

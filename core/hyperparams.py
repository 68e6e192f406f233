"""Hyperparameters of a gradient-descent run: one frozen, self-checking dataclass and the parsers
that turn typed text (command-line flags, the app's input boxes) into checked values.

The parsers are the single source of every "this value is not allowed" message, so the command
line and the app say the same thing about the same mistake.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import HyperparameterError

#: The largest epoch budget accepted. The trainer keeps one float64 of loss history per epoch
#: (8 bytes), so this bounds that history at 800 MB.
MAX_EPOCHS = 100_000_000


def _number(field: str, text: str) -> float:
    """Parse ``text`` as a finite float, or raise a message naming ``field``."""
    cleaned = text.strip()
    if not cleaned:
        raise HyperparameterError(f"{field}: a number is needed, got nothing")
    try:
        value = float(cleaned)
    except ValueError:
        raise HyperparameterError(f"{field}: {cleaned!r} is not a number") from None
    if not math.isfinite(value):
        raise HyperparameterError(f"{field}: must be a finite number, got {cleaned!r}")
    return value


def parse_lr(text: str) -> float:
    """Learning rate: a finite number greater than 0."""
    value = _number("lr", text)
    check_lr(value)
    return value


def parse_epochs(text: str) -> int:
    """Epoch budget: a whole number from 0 to :data:`MAX_EPOCHS` (``1e6``, ``1_000_000`` work)."""
    cleaned = text.strip()
    try:
        value: int | float = int(cleaned)
    except ValueError:
        value = _number("epochs", cleaned)
        if not float(value).is_integer():
            raise HyperparameterError(
                f"epochs: must be a whole number from 0 to {MAX_EPOCHS:,}, got {cleaned!r}"
            ) from None
        value = int(value)
    check_epochs(value)
    return value


def parse_tol(text: str) -> float:
    """Tolerance: a finite number ≥ 0 (0 turns the check off)."""
    value = _number("tol", text)
    check_tol(value)
    return value


def parse_degree(text: str) -> int:
    """Polynomial degree: a whole number ≥ 1."""
    cleaned = text.strip()
    try:
        value = int(cleaned)
    except ValueError:
        raise HyperparameterError(f"degree: must be a whole number ≥ 1, got {cleaned!r}") from None
    if value < 1:
        raise HyperparameterError(f"degree: must be a whole number ≥ 1, got {value}")
    return value


def parse_number(field: str, text: str) -> float:
    """Any finite number (initial intercept, one predict-x value)."""
    return _number(field, text)


def parse_numbers(field: str, text: str) -> tuple[float, ...]:
    """One finite number, or several separated by commas (one per x column)."""
    parts = text.split(",")
    return tuple(
        _number(field if len(parts) == 1 else f"{field} item {i}", part)
        for i, part in enumerate(parts, start=1)
    )


def check_lr(value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise HyperparameterError(f"lr: must be a finite number > 0, got {value!r}")


def check_epochs(value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_EPOCHS:
        raise HyperparameterError(
            f"epochs: must be a whole number from 0 to {MAX_EPOCHS:,}, got {value!r}"
        )


def check_tol(value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise HyperparameterError(f"tol: must be a finite number ≥ 0, got {value!r}")


def _check_finite_tuple(field: str, values: tuple[float, ...]) -> None:
    if not values:
        raise HyperparameterError(f"{field}: at least one number is needed")
    for v in values:
        if not math.isfinite(v):
            raise HyperparameterError(f"{field}: must be finite numbers, got {v!r}")


@dataclass(frozen=True)
class Hyperparameters:
    """Settings of one gradient-descent run. Checked on creation.

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    epochs : int
        Epoch budget, 0 to :data:`MAX_EPOCHS`.
    tol : float
        Stop when one epoch lowers the MSE by less than this; 0 turns the check off.
    m0 : tuple of float
        Initial weight(s): one value used for every weight, or one per weight.
    b0 : float
        Initial intercept (must be 0 without an intercept).
    predict_x : tuple of float
        Where to predict: one value per x column of the data (before polynomial expansion).
    standardize : bool
        Train on standardised features, report in the data's units.
    fit_intercept : bool
        Fit y = X·w + b (True) or y = X·w (False).
    """

    lr: float = 0.01
    epochs: int = 1000
    tol: float = 0.0
    m0: tuple[float, ...] = (0.0,)
    b0: float = 0.0
    predict_x: tuple[float, ...] = (6.0,)
    standardize: bool = False
    fit_intercept: bool = True

    def __post_init__(self) -> None:
        check_lr(self.lr)
        check_epochs(self.epochs)
        check_tol(self.tol)
        _check_finite_tuple("m0", self.m0)
        _check_finite_tuple("predict", self.predict_x)
        if not math.isfinite(self.b0):
            raise HyperparameterError(f"b0: must be a finite number, got {self.b0!r}")
        if not self.fit_intercept and self.b0 != 0:
            raise HyperparameterError(
                "b0: there is no intercept to start (--no-intercept); leave b0 at 0"
            )

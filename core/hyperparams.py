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


def _ascii(field: str, cleaned: str) -> str:
    """``cleaned`` if written in ASCII: Python's float() and int() also take other scripts'
    digits ('١' is 1), which the data's cells (and a person reading the number) do not."""
    if not cleaned.isascii():
        raise HyperparameterError(f"{field}: {cleaned!r} is not a number (write it in 0-9)")
    return cleaned


def _number(field: str, text: str) -> float:
    """Parse ``text`` as a finite float, or raise a message naming ``field``."""
    cleaned = _ascii(field, text.strip())
    if not cleaned:
        raise HyperparameterError(f"{field}: a number is needed, got nothing")
    try:
        value = float(cleaned)
    except ValueError:
        raise HyperparameterError(f"{field}: {cleaned!r} is not a number") from None
    if not math.isfinite(value):
        raise HyperparameterError(f"{field}: must be a finite number, got {cleaned!r}")
    if value == 0 and any(c in "123456789" for c in cleaned.lower().partition("e")[0]):
        raise HyperparameterError(
            f"{field}: {cleaned!r} is too small for float64 (it would be 0; the smallest is "
            "about 5e-324)"
        )
    return value


def parse_lr(text: str) -> float:
    """Learning rate: a finite number greater than 0."""
    value = _number("lr", text)
    check_lr(value)
    return value


def parse_epochs(text: str) -> int:
    """Epoch budget: a whole number from 0 to :data:`MAX_EPOCHS` (``1e6``, ``1_000_000`` work)."""
    cleaned = _ascii("epochs", text.strip())
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
    cleaned = _ascii("degree", text.strip())
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


def parse_choice(field: str, choices: tuple[str, ...], text: str) -> str:
    """One of ``choices`` (case and surrounding spaces ignored)."""
    cleaned = text.strip().lower()
    check_choice(field, choices, cleaned)
    return cleaned


def check_choice(field: str, choices: tuple[str, ...], value: object) -> None:
    if value not in choices:
        raise HyperparameterError(f"{field}: must be one of {', '.join(choices)}; got {value!r}")


def parse_fraction(field: str, text: str) -> float:
    """A decay factor: a number from 0 to just below 1 (β, ρ, β₁, β₂)."""
    value = _number(field, text)
    check_fraction(field, value)
    return value


def check_fraction(field: str, value: float) -> None:
    if not (math.isfinite(value) and 0 <= value < 1):
        raise HyperparameterError(f"{field}: must be a number from 0 to below 1, got {value!r}")


def parse_positive(field: str, text: str) -> float:
    """A finite number greater than 0 (ε)."""
    value = _number(field, text)
    check_positive(field, value)
    return value


def check_positive(field: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise HyperparameterError(f"{field}: must be a finite number > 0, got {value!r}")


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


def parse_count(field: str, text: str, lowest: int = 1, none: str | None = None) -> int | None:
    """A whole number ≥ ``lowest``; ``none`` (e.g. "all") or nothing means None when allowed."""
    cleaned = _ascii(field, text.strip().lower())
    if none is not None and cleaned in (none, ""):
        return None
    try:
        value = int(cleaned)
    except ValueError:
        try:
            number = float(cleaned)
        except ValueError:
            number = math.nan
        if not (math.isfinite(number) and number.is_integer()):
            extra = f" or {none}" if none else ""
            raise HyperparameterError(
                f"{field}: must be a whole number ≥ {lowest}{extra}, got {text.strip()!r}"
            ) from None
        value = int(number)
    check_count(field, value, lowest, none)
    return value


def check_count(field: str, value: object, lowest: int = 1, none: str | None = None) -> None:
    if value is None and none is not None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
        extra = f" or {none}" if none else ""
        raise HyperparameterError(
            f"{field}: must be a whole number ≥ {lowest}{extra}, got {value!r}"
        )


def parse_open_fraction(field: str, text: str) -> float:
    """A number from 0 to below 1 (decay of a schedule must be > 0)."""
    value = _number(field, text)
    check_open_fraction(field, value)
    return value


def check_open_fraction(field: str, value: float) -> None:
    if not (math.isfinite(value) and 0 < value <= 1):
        raise HyperparameterError(f"{field}: must be a number above 0 and at most 1, got {value!r}")


def check_finite(field: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise HyperparameterError(f"{field}: must be a finite number, got {value!r}")


def check_bool(field: str, value: object) -> None:
    if not isinstance(value, bool):
        raise HyperparameterError(f"{field}: must be yes or no, got {value!r}")


def parse_bool(field: str, text: str) -> bool:
    """yes/no, true/false, on/off, 1/0."""
    cleaned = text.strip().lower()
    if cleaned in ("yes", "true", "on", "1", "y"):
        return True
    if cleaned in ("no", "false", "off", "0", "n"):
        return False
    raise HyperparameterError(f"{field}: must be yes or no, got {text.strip()!r}")


def check_numbers(field: str, values: tuple[float, ...]) -> None:
    if not values:
        raise HyperparameterError(f"{field}: at least one number is needed")
    for v in values:
        if not math.isfinite(v):
            raise HyperparameterError(f"{field}: must be finite numbers, got {v!r}")


@dataclass(frozen=True)
class Hyperparameters:
    """Settings of one gradient-descent run. Checked on creation.

    Each field is declared once more in :mod:`.settings` (its flag, label, parser, whether a
    change restarts the run, and its help); the defaults are here.

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    epochs : int
        Epoch budget, 0 to :data:`MAX_EPOCHS`.
    tol : float
        Stop when one epoch lowers the loss by less than this; 0 turns the check off.
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
    optimizer : str
        A name in :data:`~linreg_tui.core.optimizers.OPTIMIZERS`.
    momentum : float
        β of momentum and Nesterov, 0 ≤ β < 1.
    rho : float
        ρ, RMSProp's decay, 0 ≤ ρ < 1.
    beta1, beta2 : float
        Adam's decays, each 0 ≤ β < 1.
    eps : float
        ε of AdaGrad, RMSProp and Adam, > 0.
    batch_size : int or None
        Rows per step (mini-batch SGD); None: all rows (batch gradient descent).
    seed : int or None
        Seeds the shuffling of mini-batches and the validation split (None: drawn at random when
        needed, then kept, so the run stays reproducible and step-back exact).
    shuffle : bool
        Shuffle the rows every epoch before cutting them into batches.
    schedule : str
        A name in :data:`~linreg_tui.core.schedules.SCHEDULES`.
    decay, step_every, power_t : float, int, float
        The schedules' settings.
    l1, l2 : float
        λ₁, λ₂ ≥ 0: J = MSE + λ₂‖w‖² + λ₁‖w‖₁ (the intercept is not penalised; with
        ``standardize`` the standardised weights are).
    validation : float
        The fraction of rows held out (0 ≤ F < 1; 0: none), chosen by ``seed``.
    """

    lr: float = 0.01
    epochs: int = 1000
    tol: float = 0.0
    m0: tuple[float, ...] = (0.0,)
    b0: float = 0.0
    predict_x: tuple[float, ...] = (6.0,)
    standardize: bool = False
    fit_intercept: bool = True
    optimizer: str = "gd"
    momentum: float = 0.9
    rho: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    batch_size: int | None = None
    seed: int | None = None
    shuffle: bool = True
    schedule: str = "constant"
    decay: float = 0.9
    step_every: int = 100
    power_t: float = 0.25
    l1: float = 0.0
    l2: float = 0.0
    validation: float = 0.0

    def __post_init__(self) -> None:
        from .settings import SETTINGS  # the declarations name this class; import when used

        for setting in SETTINGS:
            setting.check(getattr(self, setting.name))
        if not self.fit_intercept and self.b0 != 0:
            raise HyperparameterError(
                "b0: there is no intercept to start (--no-intercept); leave b0 at 0"
            )

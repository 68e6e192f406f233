"""Learning-rate schedules: the rate of the step that makes epoch e (e = 1 for the first), from the
base rate ``lr``. Every schedule starts at ``lr``; one function per schedule, registered by name.

* constant:    lr
* step:        lr·decay^⌊(e−1)/step_every⌋
* exponential: lr·decay^(e−1)
* invscaling:  lr/e^power_t (scikit-learn's ``invscaling``, per epoch rather than per sample)
* cosine:      lr·(1 + cos(π·(e−1)/epochs))/2, from lr down to 0 at the epoch budget

With mini-batches every step of an epoch uses that epoch's rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


def constant(hp: Any, e: int) -> float:
    return hp.lr


def step(hp: Any, e: int) -> float:
    return hp.lr * hp.decay ** ((e - 1) // hp.step_every)


def exponential(hp: Any, e: int) -> float:
    return hp.lr * hp.decay ** (e - 1)


def invscaling(hp: Any, e: int) -> float:
    return hp.lr / e**hp.power_t


def cosine(hp: Any, e: int) -> float:
    return hp.lr * (1 + math.cos(math.pi * min(e - 1, hp.epochs) / max(hp.epochs, 1))) / 2


#: Name → rate(hp, e), in the order the command line lists them.
SCHEDULES: dict[str, Callable[[Any, int], float]] = {
    "constant": constant,
    "step": step,
    "exponential": exponential,
    "invscaling": invscaling,
    "cosine": cosine,
}

#: The settings each schedule reads (besides lr).
FIELDS: dict[str, tuple[str, ...]] = {
    "constant": (),
    "step": ("decay", "step_every"),
    "exponential": ("decay",),
    "invscaling": ("power_t",),
    "cosine": (),
}


def rate(hp: Any, e: int) -> float:
    """The rate of the step that makes epoch ``e`` (≥ 1) under ``hp``'s schedule."""
    return SCHEDULES[hp.schedule](hp, e)

"""The optimisers, by name. Adding one is one file here plus one line in :data:`OPTIMIZERS`.

Each is a frozen dataclass of its own settings (see :class:`.base.Optimizer`)::

    from linreg_tui.core.optimizers import OPTIMIZERS, make
    opt = make(hp)                  # hp.optimizer names the class; its fields come from hp
    theta, state = opt.step(theta, g, state, lr, opt.coefficients(t))
"""

from __future__ import annotations

from typing import Any

from .adagrad import AdaGrad
from .adam import Adam
from .base import Optimizer, Stability, State, Term
from .gd import GradientDescent
from .momentum import Momentum
from .nesterov import Nesterov
from .rmsprop import RMSProp

#: Name → class, in the order the command line and the app list them.
OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (GradientDescent, Momentum, Nesterov, AdaGrad, RMSProp, Adam)
}


def make(hp: Any) -> Optimizer:
    """The optimiser a Hyperparameters asks for (``hp.optimizer``), with its settings."""
    return OPTIMIZERS[hp.optimizer].from_settings(hp)


__all__ = ["OPTIMIZERS", "Optimizer", "Stability", "State", "Term", "make"]

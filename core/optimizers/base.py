"""What every optimiser is: its settings, its state, one step, the terms the log shows, and what
the Hessian says about its learning rate.

A step works on one block of parameters at a time (the weights, then the intercept) and is written
once with plain arithmetic, so the same code runs on a float (the one-feature fast path) and on an
ndarray (several features). It never changes its arguments: it returns new values, so a state kept
in a checkpoint stays as it was.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

#: One block's optimiser state: a tuple of floats or of ndarrays, in ``state_names`` order.
State = tuple


@dataclass(frozen=True)
class Term:
    """One line of a step's arithmetic: ``symbol ← formula = value``.

    ``formula`` is text with ``{0}``, ``{1}``… where ``values`` go, so the caller chooses how to
    write the numbers.
    """

    symbol: str
    formula: str
    values: tuple[float, ...]
    result: float


@dataclass(frozen=True)
class Stability:
    """What the eigenvalues of the Hessian say about a method's rate.

    Attributes
    ----------
    lr_max : float or None
        The exact largest stable rate (with the method's other settings as they are); None when
        no fixed bound applies (adaptive methods).
    lr_best : float or None
        The fixed rate that converges fastest (None when there is no such closed form).
    bound : str
        How the bound reads, e.g. ``"2/λmax"``, ``"2(1+β)/λmax"``.
    note : str
        A plain sentence on the method's bound (for adaptive methods: why none applies).
    best_other : dict
        Other optimal settings with the rate (momentum's Polyak optimum: ``{"momentum": β*}``).
    """

    lr_max: float | None
    lr_best: float | None
    bound: str
    note: str
    best_other: dict[str, float]


class Optimizer:
    """Base of the optimisers. Subclasses are frozen dataclasses of their own settings.

    Class attributes
    ----------------
    name : str
        The name on the command line (``--optimizer NAME``).
    title : str
        A few words for people ("heavy-ball momentum").
    fields : tuple of str
        The :class:`~linreg_tui.core.hyperparams.Hyperparameters` fields it reads.
    state_names : tuple of str
        Its state per parameter, all zero at the start.
    counts_steps : bool
        Its step needs the step count t (Adam's bias correction).
    adaptive : bool
        It scales each coordinate by its own history (no fixed stable rate).
    proximal : bool
        With an L1 penalty it takes the proximal (soft-threshold) step instead of a subgradient.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    fields: ClassVar[tuple[str, ...]] = ()
    state_names: ClassVar[tuple[str, ...]] = ()
    counts_steps: ClassVar[bool] = False
    adaptive: ClassVar[bool] = False
    proximal: ClassVar[bool] = False

    @classmethod
    def from_settings(cls, hp: Any) -> Optimizer:
        """The optimiser with its settings taken from a Hyperparameters."""
        return cls(**{f: getattr(hp, f) for f in cls.fields})

    def settings(self) -> dict[str, float]:
        return {f: getattr(self, f) for f in self.fields}

    def initial(self, zero: Any) -> State:
        """The state at the start: ``zero`` (0.0 or an ndarray of zeros) for each name."""
        return tuple(zero for _ in self.state_names)

    def coefficients(self, t: int) -> Any:
        """Constants of step t (1-based) shared by every block; None unless ``counts_steps``."""
        return None

    def step(self, theta: Any, g: Any, state: State, lr: float, c: Any) -> tuple[Any, State]:
        """One update of a block: parameters ``theta``, gradient ``g``. Returns (θ', state')."""
        raise NotImplementedError

    def stepper(self):
        """:meth:`step` as a plain function, for the loop (an optimiser may bind its settings to
        locals there, which Python reads faster than attributes)."""
        return self.step

    def terms(
        self, symbol: str, theta: float, g: float, state: State, lr: float, c: Any
    ) -> list[Term]:
        """The arithmetic of :meth:`step` for one coordinate, with its numbers."""
        raise NotImplementedError

    def stability(self, lam_min: float, lam_max: float) -> Stability:
        """The bound on lr from the Hessian's extreme eigenvalues (of the smooth objective)."""
        raise NotImplementedError

    def iteration_radius(self, lr: float, lam: float) -> float | None:
        """Spectral radius of one step on the quadratic direction with curvature ``lam`` (how much
        that component of the error shrinks an epoch, asymptotically); None for adaptive methods."""
        return None


def spectral_radius_2x2(trace: float, det: float) -> float:
    """Largest |root| of z² − trace·z + det."""
    disc = trace * trace - 4 * det
    if disc >= 0:
        root = math.sqrt(disc)
        return max(abs((trace + root) / 2), abs((trace - root) / 2))
    return math.sqrt(abs(det))  # complex pair: |z|² = det


def adaptive_stability(title: str) -> Stability:
    """Adaptive methods divide each step by a running size of the gradient: no fixed bound."""
    return Stability(
        None,
        None,
        "none",
        f"{title} scales each coordinate's step by its own gradient history, so no fixed "
        "learning-rate bound applies on this quadratic; the loss chart shows what a rate does",
        {},
    )

"""A sweep: the same run at N log-spaced values of one setting, each to its end, compared with what
the analysis predicts (the stability bound, the fastest rate).

``lr=START:STOP:N`` gives N values from START to STOP, equally spaced in log (both ends
included). The runs are independent: :func:`~.variants.run_many` spreads them over the cores.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import hyperparams as hpmod
from . import settings as settings_mod
from .dataset import Dataset
from .errors import HyperparameterError
from .hyperparams import Hyperparameters
from .optimizers import OPTIMIZERS
from .session import Problem, Session
from .trainer import Status
from .variants import Outcome, apply, common_seed, run_many

#: Most runs one sweep may ask for.
MAX_POINTS = 10_000


@dataclass(frozen=True)
class Sweepable:
    """A setting a sweep can vary: its field and the check of one value."""

    name: str
    field: str
    check: Callable[[float], object]
    integer: bool = False


#: Settings that only some optimisers read.
OPTIMIZER_FIELDS = frozenset(f for o in OPTIMIZERS.values() for f in o.fields)


def _check(field: str) -> Callable[[float], object]:
    """The setting's own check, from its declaration."""
    return settings_mod.BY_NAME[field].check


#: The settings ``--sweep`` accepts, by the name typed (the flag without dashes).
SWEEPABLE: dict[str, Sweepable] = {
    s.name: s
    for s in (
        Sweepable("lr", "lr", _check("lr")),
        Sweepable("momentum", "momentum", _check("momentum")),
        Sweepable("batch-size", "batch_size", lambda v: _check("batch_size")(int(v)), True),
        Sweepable("l2", "l2", _check("l2")),
    )
}


@dataclass(frozen=True)
class SweepSpec:
    """``name=START:STOP:N``.

    Attributes
    ----------
    name : str
    start, stop : float
    count : int
    """

    name: str
    start: float
    stop: float
    count: int

    def values(self) -> np.ndarray:
        """The N values, log-spaced from start to stop (ndarray of shape (count,))."""
        values = np.geomspace(self.start, self.stop, self.count)
        if self.count > 1:  # the ends exactly as typed
            values[0], values[-1] = self.start, self.stop
        if SWEEPABLE[self.name].integer:
            values = np.unique(np.round(values))
        return values


def parse_sweep(text: str) -> SweepSpec:
    """Parse ``name=START:STOP:N`` (e.g. ``lr=1e-4:1:50``).

    Raises
    ------
    HyperparameterError
        One line naming what is wrong.
    """
    name, eq, rest = text.partition("=")
    name = name.strip()
    where = f"--sweep {text!r}"
    if not eq:
        raise HyperparameterError(f"{where}: write name=START:STOP:N, e.g. lr=1e-4:1:50")
    sweepable = SWEEPABLE.get(name.replace("_", "-").lower())
    if sweepable is None:
        known = ", ".join(SWEEPABLE)
        raise HyperparameterError(f"{where}: cannot sweep {name!r} (one of: {known})")
    parts = rest.split(":")
    if len(parts) != 3:
        raise HyperparameterError(f"{where}: write {name}=START:STOP:N, e.g. {name}=1e-4:1:50")
    try:
        start = hpmod.parse_number(f"{name} START", parts[0])
        stop = hpmod.parse_number(f"{name} STOP", parts[1])
    except HyperparameterError as exc:
        raise HyperparameterError(f"{where}: {exc}") from None
    count_text = parts[2].strip()
    if not count_text.isdigit() or not 1 <= int(count_text) <= MAX_POINTS:
        raise HyperparameterError(
            f"{where}: N must be a whole number from 1 to {MAX_POINTS:,}, got {count_text!r}"
        )
    for label, value in (("START", start), ("STOP", stop)):
        if not value > 0:
            raise HyperparameterError(
                f"{where}: {label} must be > 0 (the values are log-spaced), got {value:g}"
            )
        try:
            sweepable.check(value)
        except HyperparameterError as exc:
            raise HyperparameterError(f"{where}: {label}: {exc}") from None
    return SweepSpec(sweepable.name, start, stop, int(count_text))


@dataclass(frozen=True)
class SweepResult:
    """The runs of a sweep and what the analysis says about them.

    Attributes
    ----------
    spec : SweepSpec
    values : ndarray of shape (k,)
    outcomes : list of Outcome
        One per value, in order.
    bound : float or None
        The method's stability bound on lr (2/λmax for gradient descent); above it a run
        diverges, below it it does not. None when the swept setting is not lr.
    fastest : float or None
        The fixed rate that converges fastest (2/(λmin + λmax)).
    nearest : int
        Index of the run nearest (in log) the base setting.
    """

    spec: SweepSpec
    values: np.ndarray
    outcomes: list[Outcome]
    bound: float | None
    fastest: float | None
    nearest: int


def run_sweep(
    dataset: Dataset,
    base: Hyperparameters,
    spec: SweepSpec,
    processes: int | None = None,
    progress: Callable[[int, int], object] | None = None,
    problem: Problem | None = None,
) -> SweepResult:
    """Run ``base`` at every value of ``spec`` to its end (on every core when the work repays a
    process pool), all from the same start (and the same batches' seed)."""
    values = spec.values()
    field = SWEEPABLE[spec.name].field
    cast = int if SWEEPABLE[spec.name].integer else float
    if field in OPTIMIZER_FIELDS and field not in OPTIMIZERS[base.optimizer].fields:
        users = [name for name, o in OPTIMIZERS.items() if field in o.fields]
        raise HyperparameterError(
            f"--sweep {spec.name}: the optimizer {base.optimizer} does not use it; choose "
            f"{' or '.join(users)} (--optimizer)"
        )
    session = Session(dataset, base, problem)
    base = session.hp  # with the seed drawn, if the run needs one
    runs = common_seed([apply(base, {field: cast(v)}) for v in values.tolist()], base.seed)
    outcomes = run_many(dataset, runs, session.problem, processes, progress, problem_hp=session.hp)
    bound = fastest = None
    if spec.name == "lr" and bound_applies(base):  # mini-batches or a schedule: no fixed bound
        a = session.analysis
        bound, fastest = a.lr_max, a.lr_best
    here = getattr(base, field)
    if here is None and field == "batch_size":
        here = session.dataset.n_samples  # all rows
    here = float(here)
    nearest = int(np.argmin(np.abs(np.log(values) - math.log(here)))) if here > 0 else 0
    return SweepResult(spec, values, outcomes, bound, fastest, nearest)


def bound_applies(hp: Hyperparameters) -> bool:
    """Whether the method's stability bound decides the run's fate: full-batch steps at a fixed
    rate (mini-batch noise and a changing rate are outside the analysis)."""
    return hp.batch_size is None and hp.schedule == "constant"


def disagreements(result: SweepResult) -> list[int]:
    """Indices of runs whose end contradicts their method's stability bound on lr (each run's
    own: with momentum or a penalty the bound moves with β or λ): above it and not diverged, or
    below it and diverged. Runs the bound does not decide (no fixed bound: the adaptive methods;
    mini-batches; a schedule) are not counted. Empty when the sweep agrees with the analysis."""
    out = []
    for i, o in enumerate(result.outcomes):
        if o.lr_max is None or not bound_applies(o.hp) or o.hp.lr == o.lr_max:
            continue
        if (o.hp.lr > o.lr_max) != (o.status is Status.DIVERGED):
            out.append(i)
    return out

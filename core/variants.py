"""Runs that differ from the current one in a few settings: parsing ``name=value,…`` specs, running
each variant to its end (in a process pool when there are several), and naming each by what
differs.

The command line's ``--compare`` and ``--sweep``, and the app's pinned runs, all go through here.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields, replace

from . import hyperparams as hpmod
from .dataset import Dataset
from .errors import HyperparameterError
from .hyperparams import Hyperparameters
from .session import Problem, Session
from .trainer import Status

#: Epochs per call to the trainer when a variant runs to its end.
CHUNK = 1 << 16
#: Work (epochs × (features + 1)², summed over the runs) from which the runs go to a process pool.
#: The pool costs about half a second to start (each process imports numpy and the core), and two
#: cores halve the rest at best, so it pays from about a second of work in one process (about
#: 2,000,000 epochs of one feature); below that one process finishes first.
POOL_FROM = 10_000_000


def _parse_bool(field: str, text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise HyperparameterError(f"{field}: must be true or false, got {text.strip()!r}")


@dataclass(frozen=True)
class Setting:
    """A setting a spec may change: its name in specs, its field, its parser, how it is shown."""

    name: str
    field: str
    parse: Callable[[str], object]
    show: Callable[[object], str]


def _g(value: object) -> str:
    if isinstance(value, tuple):
        return ",".join(f"{v:g}" for v in value)
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value:g}" if isinstance(value, float) else str(value)


#: The settings a spec can name (``--compare lr=0.1,epochs=500``).
SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("lr", "lr", hpmod.parse_lr, _g),
        Setting("epochs", "epochs", hpmod.parse_epochs, _g),
        Setting("tol", "tol", hpmod.parse_tol, _g),
        Setting("m0", "m0", lambda t: hpmod.parse_numbers("m0", t), _g),
        Setting("b0", "b0", lambda t: hpmod.parse_number("b0", t), _g),
        Setting("standardize", "standardize", lambda t: _parse_bool("standardize", t), _g),
    )
}


def parse_spec(text: str, where: str = "--compare") -> dict[str, object]:
    """``name=value,name=value`` → {field: value}, each value checked by its setting's parser.

    Raises
    ------
    HyperparameterError
        Naming the spec and what is wrong with it.
    """
    out: dict[str, object] = {}
    parts = [p for p in _split(text) if p.strip()]
    if not parts:
        raise HyperparameterError(f"{where} {text!r}: give name=value pairs, e.g. lr=0.1")
    for part in parts:
        name, eq, value = part.partition("=")
        name = name.strip().replace("_", "-")
        key = name.replace("-", "_") if name.replace("-", "_") in SETTINGS else name
        if not eq:
            raise HyperparameterError(f"{where} {text!r}: {part.strip()!r} is not name=value")
        setting = SETTINGS.get(key)
        if setting is None:
            known = ", ".join(SETTINGS)
            raise HyperparameterError(
                f"{where} {text!r}: unknown setting {name!r} (one of {known})"
            )
        try:
            out[setting.field] = setting.parse(value)
        except HyperparameterError as exc:
            raise HyperparameterError(f"{where} {text!r}: {exc}") from None
    return out


def _split(text: str) -> list[str]:
    """Split at commas that start a new ``name=`` (``m0=1,2,b0=3`` keeps ``m0=1,2``)."""
    parts: list[str] = []
    for piece in text.split(","):
        if parts and "=" not in piece:
            parts[-1] += "," + piece
        else:
            parts.append(piece)
    return parts


def apply(base: Hyperparameters, changes: dict[str, object]) -> Hyperparameters:
    """``base`` with ``changes`` (checked by the dataclass)."""
    return replace(base, **changes)


def labels(settings: Sequence[Hyperparameters]) -> list[str]:
    """A short name for each run: the settings that differ between them ("lr 0.01 · epochs 500"),
    or "run k" when none does."""
    names = [f.name for f in fields(Hyperparameters)]
    differing = [n for n in names if len({repr(getattr(hp, n)) for hp in settings}) > 1]
    shown = {s.field: s for s in SETTINGS.values()}
    out = []
    for k, hp in enumerate(settings, start=1):
        parts = []
        for n in differing:
            s = shown.get(n)
            value = getattr(hp, n)
            parts.append(f"{s.name if s else n} {(s.show if s else _g)(value)}")
        out.append(" · ".join(parts) if parts else f"run {k}")
    return out


@dataclass(frozen=True)
class Outcome:
    """How one run ended.

    Attributes
    ----------
    hp : Hyperparameters
    status : Status
    epochs_run : int
    mse : float
        At the last epoch (the last finite one for a run that overflowed).
    weights : tuple of float
        In the data's units.
    intercept : float
    message : str
    lr_max : float
        The method's stability bound for this run (2/λmax for gradient descent).
    """

    hp: Hyperparameters
    status: Status
    epochs_run: int
    mse: float
    weights: tuple[float, ...]
    intercept: float
    message: str
    lr_max: float


def run_to_end(dataset: Dataset, hp: Hyperparameters, problem: Problem | None = None) -> Outcome:
    """Train one variant to its end: the budget, ``tol``, or divergence."""
    if problem is not None and (
        problem.scaling.identity == hp.standardize
        or problem.quadratic.fit_intercept != hp.fit_intercept
    ):
        problem = None  # built for other settings
    session = Session(dataset, hp, problem)
    trainer = session.trainer
    while trainer.status is Status.READY:
        trainer.advance(CHUNK, records=False)
    rec = session.record()
    return Outcome(
        hp,
        trainer.status,
        trainer.epoch,
        float(rec.mse),
        tuple(float(w) for w in rec.weights),
        float(rec.intercept),
        trainer.message,
        session.lr_max,
    )


# -- running many ---------------------------------------------------------------------------------

_WORKER: tuple[Dataset, Problem | None] | None = None


def _init_worker(dataset: Dataset, problem: Problem | None) -> None:
    global _WORKER
    _WORKER = (dataset, problem)


def _run_chunk(chunk: list[tuple[int, Hyperparameters]]) -> list[tuple[int, Outcome]]:
    assert _WORKER is not None
    dataset, problem = _WORKER
    return [(i, run_to_end(dataset, hp, problem)) for i, hp in chunk]


def default_processes() -> int:
    """Both cores (every core the process may use)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_many(
    dataset: Dataset,
    settings: Sequence[Hyperparameters],
    problem: Problem | None = None,
    processes: int | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> list[Outcome]:
    """Run every variant to its end; in a pool of ``processes`` processes when there are several.
    ``progress(done, total)`` is called as runs finish.

    By default (``processes`` None) every core is used once the work is large enough to repay the
    pool's start-up (:data:`POOL_FROM`), one process below that.

    The pool's processes start by forkserver (never by forking a process that has threads, such
    as the app), and receive the data once each.
    """
    total = len(settings)
    if processes is None:
        work = sum(hp.epochs for hp in settings) * (1 + dataset.n_features) ** 2
        processes = default_processes() if work > POOL_FROM else 1
    indexed = list(enumerate(settings))
    results: list[Outcome | None] = [None] * total
    if processes <= 1 or total <= 1:
        for i, hp in indexed:
            results[i] = run_to_end(dataset, hp, problem)
            if progress:
                progress(i + 1, total)
        return [r for r in results if r is not None]
    workers = min(processes, total)
    size = max(1, math.ceil(total / (workers * 4)))
    chunks = [indexed[k : k + size] for k in range(0, total, size)]
    context = multiprocessing.get_context(_start_method())
    done = 0
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(dataset, problem)
    ) as pool:
        for finished in _as_done(pool, chunks):
            for i, outcome in finished:
                results[i] = outcome
            done += len(finished)
            if progress:
                progress(done, total)
    return [r for r in results if r is not None]


def _as_done(pool: ProcessPoolExecutor, chunks: Iterable[list]) -> Iterable[list]:
    from concurrent.futures import as_completed

    futures = [pool.submit(_run_chunk, chunk) for chunk in chunks]
    for future in as_completed(futures):
        yield future.result()


def _start_method() -> str:
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"

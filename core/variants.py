"""Runs that differ from the current one in a few settings: parsing ``name=value,…`` specs, running
each variant to its end (in a process pool when there are several), and naming each by what
differs.

The command line's ``--compare`` and ``--sweep``, and the app's pinned runs, all go through here.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import secrets
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

from . import settings as settings_mod
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


def parse_spec(
    text: str, base: Hyperparameters | None = None, where: str = "--compare"
) -> Hyperparameters:
    """``name=value,name=value`` on top of ``base``, every value checked by its setting's own
    parser (:func:`.settings.parse_spec`: any setting, by name, flag or label).

    Raises
    ------
    HyperparameterError
        Naming the spec and what is wrong with it.
    """
    if not text.strip():
        raise HyperparameterError(f"{where} {text!r}: give name=value pairs, e.g. lr=0.1")
    try:
        return settings_mod.parse_spec(text, base)
    except HyperparameterError as exc:
        raise HyperparameterError(f"{where} {text!r}: {exc}") from None


def apply(base: Hyperparameters, changes: dict[str, object]) -> Hyperparameters:
    """``base`` with ``changes`` (checked by the dataclass)."""
    return replace(base, **changes)


def describe(name: str, value: object) -> str:
    """One setting as a legend shows it: a choice by its value ("adam"), others by label and value
    ("lr 0.01", "β 0.9", "batch all")."""
    setting = settings_mod.BY_NAME.get(name)
    if setting is None:
        return f"{name} {value}"
    if setting.choices:
        return str(value)
    if value is None:
        shown = setting.none_text or "none"
    elif isinstance(value, bool):
        shown = "on" if value != setting.invert else "off"
    elif isinstance(value, float):
        shown = f"{value:g}"
    elif isinstance(value, tuple):
        shown = ",".join(f"{v:g}" for v in value)
    else:
        shown = str(value)
    return f"{setting.label} {shown}"


def labels(runs: Sequence[Hyperparameters]) -> list[str]:
    """A short name for each run: the settings that differ between them ("lr 0.01 · adam"), in
    the settings' declared order, or "run k" when none does."""
    names = [s.name for s in settings_mod.SETTINGS]
    differing = [n for n in names if len({repr(getattr(hp, n)) for hp in runs}) > 1]
    out = []
    for k, hp in enumerate(runs, start=1):
        parts = [describe(n, getattr(hp, n)) for n in differing]
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
    lr_max : float or None
        The method's stability bound on lr for this run (2/λmax for gradient descent; None for
        the adaptive methods, which have no fixed bound).
    """

    hp: Hyperparameters
    status: Status
    epochs_run: int
    mse: float
    weights: tuple[float, ...]
    intercept: float
    message: str
    lr_max: float | None


def run_to_end(
    dataset: Dataset,
    hp: Hyperparameters,
    problem: Problem | None = None,
    problem_hp: Hyperparameters | None = None,
) -> Outcome:
    """Train one variant to its end: the budget, ``tol``, or divergence. ``problem`` (built for
    ``problem_hp``) is reused when the variant's data settings are the same."""
    if problem is not None and (
        problem_hp is None or Session._problem_key(problem_hp) != Session._problem_key(hp)
    ):
        problem = None  # built for other settings (scaling, intercept, penalty, split)
    session = Session(dataset, hp, problem)
    trainer = session.trainer
    while trainer.status is Status.READY:
        trainer.advance(CHUNK, records=False)
    rec = session.record()
    return Outcome(
        session.hp,
        trainer.status,
        trainer.epoch,
        float(rec.mse),
        tuple(float(w) for w in rec.weights),
        float(rec.intercept),
        trainer.message,
        session.lr_max,
    )


def common_seed(runs: Sequence[Hyperparameters], seed: int | None) -> list[Hyperparameters]:
    """Give every run that draws batches or a validation split and has no seed the same one, so
    the variants start from the same shuffling (``seed``: the base run's, or drawn here)."""
    needs = [hp.seed is None and (hp.batch_size is not None or hp.validation > 0) for hp in runs]
    if not any(needs):
        return list(runs)
    if seed is None:
        seed = secrets.randbelow(2**31)
    return [replace(hp, seed=seed) if need else hp for hp, need in zip(runs, needs)]


# -- running many ---------------------------------------------------------------------------------

_WORKER: tuple[Dataset, Problem | None, Hyperparameters | None] | None = None


def _init_worker(
    dataset: Dataset, problem: Problem | None, problem_hp: Hyperparameters | None
) -> None:
    global _WORKER
    _WORKER = (dataset, problem, problem_hp)


def _run_chunk(chunk: list[tuple[int, Hyperparameters]]) -> list[tuple[int, Outcome]]:
    assert _WORKER is not None
    dataset, problem, problem_hp = _WORKER
    return [(i, run_to_end(dataset, hp, problem, problem_hp)) for i, hp in chunk]


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
    problem_hp: Hyperparameters | None = None,
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
            results[i] = run_to_end(dataset, hp, problem, problem_hp)
            if progress:
                progress(i + 1, total)
        return [r for r in results if r is not None]
    workers = min(processes, total)
    size = max(1, math.ceil(total / (workers * 4)))
    chunks = [indexed[k : k + size] for k in range(0, total, size)]
    context = multiprocessing.get_context(_start_method())
    _start_resource_tracker()
    done = 0
    with ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(dataset, problem, problem_hp),
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


_TRACKER_LOCK = threading.Lock()


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a real standard error.

    The tracker hands ``sys.stderr.fileno()`` to its process. A program may have replaced
    ``sys.stderr`` with an object whose ``fileno()`` is -1 (a full-screen app capturing prints
    does), and then every pool fails to start with "bad value(s) in fds_to_keep". For the moment
    the tracker starts, ``sys.stderr`` is the process's own (``sys.__stderr__``); once running it
    serves every later pool.
    """
    from multiprocessing import resource_tracker

    with _TRACKER_LOCK:
        current = sys.stderr
        try:
            usable = current is not None and current.fileno() >= 0
        except (AttributeError, OSError, ValueError):
            usable = False
        if not usable and sys.__stderr__ is not None:
            sys.stderr = sys.__stderr__
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = current


def _start_method() -> str:
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"

"""Side-by-side timings of the seed script's gradient-descent loop and linreg-tui's core.

Run from the repository root::

    .venv/bin/python benchmarks/bench_core.py           # the full run, well under a minute
    .venv/bin/python benchmarks/bench_core.py --quick   # fewer epochs and repeats

It prints the machine, then one markdown table with a ratio and the target for each row:

1. the seed's five points: epochs per second of the seed loop (copied from the blog post, minus
   its tqdm progress bar) and of ``Session(...).trainer.advance(...)``, with and without records;
2. the same on 1,000,000 synthetic rows, where the seed loop is O(n) an epoch and the core pays
   one O(n) setup (statistics, reference answer, analysis), reported on its own row;
3. the peak RSS of a 10,000,000-epoch headless run, in a fresh subprocess, next to the peak RSS of
   the same subprocess doing only the imports;
4. loading a 1,000,000-row CSV with ``load_csv``, next to ``numpy.loadtxt`` on the same file.

A measurement, not a test: nothing here asserts. Timings are the best of a few runs with the
garbage collector off during each one (as :mod:`timeit` does).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from report import markdown, yes  # benchmarks/report.py, beside this script

from linreg_tui.core.csv_loader import load_csv
from linreg_tui.core.dataset import Dataset, seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session

#: The seed script's learning rate.
SEED_LR = 0.01
#: Epochs per ``advance`` call in the memory run: the headless CLI's chunk (tui/cli.py).
HEADLESS_CHUNK = 1 << 16
#: Targets, from the project brief.
TARGET_SMALL = 10.0
TARGET_LARGE = 1000.0
TARGET_RSS_MB = 200.0
TARGET_CSV_S = 2.0


@dataclass(frozen=True)
class Plan:
    """How much work each section does."""

    small_epochs: int
    seed_repeats: int
    core_repeats: int
    large_rows: int
    large_seed_epochs: int
    large_core_epochs: int
    large_repeats: int
    memory_epochs: int
    csv_rows: int
    csv_repeats: int


FULL = Plan(
    small_epochs=200_000,
    seed_repeats=3,
    core_repeats=5,
    large_rows=1_000_000,
    large_seed_epochs=10,
    large_core_epochs=200_000,
    large_repeats=3,
    memory_epochs=10_000_000,
    csv_rows=1_000_000,
    csv_repeats=3,
)
QUICK = Plan(
    small_epochs=20_000,
    seed_repeats=1,
    core_repeats=3,
    large_rows=1_000_000,
    large_seed_epochs=3,
    large_core_epochs=20_000,
    large_repeats=1,
    memory_epochs=1_000_000,
    csv_rows=1_000_000,
    csv_repeats=1,
)


# -- the two loops --------------------------------------------------------------------------------


def seed_loop(X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> tuple[float, float]:
    """The blog post's script, statement for statement, without ``tqdm`` around ``range``."""
    m = 0  # slope
    b = 0  # intercept
    n = len(X)
    for _ in range(epochs):
        y_hat = m * X + b
        dm = (-2 / n) * np.sum(X * (y - y_hat))  # gradient wrt m
        db = (-2 / n) * np.sum(y - y_hat)  # gradient wrt b
        m -= lr * dm
        b -= lr * db
    return float(m), float(b)


def core_run(session: Session, epochs: int, records: bool) -> Session:
    session.trainer.advance(epochs, records=records)
    return session


# -- timing ---------------------------------------------------------------------------------------


def best_of(repeats: int, run: Callable[[object], object], setup: Callable[[], object]):
    """Best wall time of ``run(setup())`` over ``repeats`` runs (setup not timed), and the last
    result."""
    best = math.inf
    result = None
    for _ in range(repeats):
        arg = setup()
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            result = run(arg)
            elapsed = time.perf_counter() - start
        finally:
            gc.enable()
        best = min(best, elapsed)
    return best, result


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


# -- the memory subprocess ------------------------------------------------------------------------

# ru_maxrss is kept across execve: a child spawned straight from this process (vfork + exec)
# reports at least this process's own peak RSS. So a tiny isolated launcher forks a clean process
# and execs the measured child from there; the child also reports /proc's VmHWM as a check.
_LAUNCHER = """\
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
"""

_MEMORY_CHILD = """\
import json, resource, sys, time
import numpy as np
from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.core.trainer import Status

mode, epochs, chunk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
out = {"mode": mode, "elapsed": 0.0}
if mode == "run":
    start = time.perf_counter()
    session = Session(seed_dataset(), Hyperparameters(epochs=epochs, lr=0.01))
    trainer = session.trainer
    while trainer.status is Status.READY:
        trainer.advance(chunk, records=False)
    out["elapsed"] = time.perf_counter() - start
    rec = session.record()
    out.update(status=trainer.status.value, epoch=trainer.epoch,
               slope=float(rec.weights[0]), intercept=rec.intercept)
out["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with open("/proc/self/status") as status:
    out["vmhwm_kib"] = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
print(json.dumps(out))
"""


def memory_child(mode: str, epochs: int) -> dict:
    cmd = [sys.executable, "-I", "-S", "-c", _LAUNCHER, "-c", _MEMORY_CHILD, mode, str(epochs)]
    cmd.append(str(HEADLESS_CHUNK))
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"memory subprocess ({mode}) failed:\n{done.stderr}")
    return json.loads(done.stdout)


# -- output ---------------------------------------------------------------------------------------


def rate(epochs: int, seconds: float) -> str:
    return f"{epochs / seconds:,.0f} epochs/s"


def times(x: float) -> str:
    return f"{x:,.0f}×" if x >= 100 else f"{x:.1f}×"


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    return "\n".join(
        [
            f"- platform: {platform.platform()} ({cpu})",
            f"- CPUs: {os.cpu_count()}",
            f"- Python: {platform.python_version()} ({platform.python_implementation()})",
            f"- numpy: {np.__version__}",
        ]
    )


# -- the sections ---------------------------------------------------------------------------------


def bench_memory(plan: Plan) -> tuple[list[list[str]], list[str]]:
    say(f"memory: {plan.memory_epochs:,} epochs in a fresh subprocess ...")
    base = memory_child("imports", plan.memory_epochs)
    run = memory_child("run", plan.memory_epochs)
    peak_mb = run["maxrss_kib"] * 1024 / 1e6
    rows = [
        [
            f"3. Peak RSS, {plan.memory_epochs:,}-epoch headless run (seed data, "
            f"chunks of {HEADLESS_CHUNK:,}, records=False)",
            f"imports only: {mib(base['maxrss_kib'])}",
            f"{mib(run['maxrss_kib'])} ({peak_mb:.0f} MB)",
            f"+{mib(run['maxrss_kib'] - base['maxrss_kib'])}",
            f"< {TARGET_RSS_MB:.0f} MB",
            yes(peak_mb < TARGET_RSS_MB),
        ],
        [
            f"3. Time, same run ({run['status']} at epoch {run['epoch']:,})",
            "",
            f"{run['elapsed']:.2f} s ({rate(run['epoch'], run['elapsed'])})",
            "",
            "",
            "",
        ],
    ]
    notes = [
        f"- Memory run: ru_maxrss {run['maxrss_kib']:,} KiB, VmHWM {run['vmhwm_kib']:,} KiB "
        f"(imports only: {base['maxrss_kib']:,} / {base['vmhwm_kib']:,} KiB); ended at "
        f"slope {run['slope']:.15g}, intercept {run['intercept']:.15g}.",
    ]
    return rows, notes


def bench_small(plan: Plan) -> tuple[list[list[str]], list[str]]:
    epochs = plan.small_epochs
    X = np.array([1, 2, 3, 4, 5])  # the seed's arrays, integers as in the post
    y = np.array([2, 4, 5, 4, 5])
    say(f"1. seed data: seed loop, {epochs:,} epochs × {plan.seed_repeats} ...")
    t_seed, (m, b) = best_of(plan.seed_repeats, lambda _: seed_loop(X, y, SEED_LR, epochs), tuple)

    def fresh() -> Session:
        return Session(seed_dataset(), Hyperparameters(lr=SEED_LR, epochs=epochs))

    say(f"1. seed data: core, {epochs:,} epochs × {plan.core_repeats} (×2) ...")
    t_off, s_off = best_of(plan.core_repeats, lambda s: core_run(s, epochs, False), fresh)
    t_on, _ = best_of(plan.core_repeats, lambda s: core_run(s, epochs, True), fresh)
    rec = s_off.record()
    rows = []
    for label, t in (("records=False", t_off), ("records=True", t_on)):
        ratio = t_seed / t
        rows.append(
            [
                f"1. Seed's 5 points, {epochs:,} epochs, core {label}",
                f"seed loop: {rate(epochs, t_seed)}",
                rate(epochs, t),
                times(ratio),
                f"≥ {TARGET_SMALL:g}×",
                yes(ratio >= TARGET_SMALL),
            ]
        )
    notes = [
        f"- Seed data after {epochs:,} epochs: seed loop m={m:.15g}, b={b:.15g}; core "
        f"m={rec.weights[0]:.15g}, b={rec.intercept:.15g} "
        f"(|Δm|={abs(m - rec.weights[0]):.1e}, |Δb|={abs(b - rec.intercept):.1e}).",
        f"- Per epoch: seed loop {t_seed / epochs * 1e6:.2f} µs, "
        f"core {t_off / epochs * 1e6:.3f} µs (records=False), "
        f"{t_on / epochs * 1e6:.3f} µs (records=True).",
    ]
    return rows, notes


def bench_large(plan: Plan) -> tuple[list[list[str]], list[str]]:
    n = plan.large_rows
    rng = np.random.default_rng(20240601)
    x = rng.uniform(0.0, 10.0, n)
    y = 3.0 + 2.0 * x + rng.normal(0.0, 1.0, n)
    dataset = Dataset(raw_x=x[:, None], y=y, x_names=("x",), y_name="y", source="synthetic")

    say(f"2. {n:,} rows: core setup (cold) ...")
    t_cold, probe = timed(lambda: Session(dataset, Hyperparameters(lr=SEED_LR, epochs=1)))
    lr = probe.lr_max / 2  # half the largest stable rate: well inside the stable range
    method = probe.reference.method
    del probe
    hp = Hyperparameters(lr=lr, epochs=plan.large_core_epochs)

    say(f"2. {n:,} rows: seed loop, {plan.large_seed_epochs} epochs × {plan.large_repeats} ...")
    k = plan.large_seed_epochs
    t_seed, (m, b) = best_of(plan.large_repeats, lambda _: seed_loop(x, y, lr, k), tuple)

    say(f"2. {n:,} rows: core, {plan.large_core_epochs:,} epochs × {plan.large_repeats} (×2) ...")
    setups: list[float] = []

    def fresh() -> Session:
        elapsed, session = timed(lambda: Session(dataset, hp))
        setups.append(elapsed)
        return session

    e = plan.large_core_epochs
    t_off, _ = best_of(plan.large_repeats, lambda s: core_run(s, e, False), fresh)
    t_on, _ = best_of(plan.large_repeats, lambda s: core_run(s, e, True), fresh)
    t_setup = min(setups)

    check = Session(dataset, Hyperparameters(lr=lr, epochs=k))
    check.trainer.advance(k, records=False)
    rec = check.record()

    seed_rate = k / t_seed
    rows = []
    for label, t in (("records=False", t_off), ("records=True", t_on)):
        ratio = (e / t) / seed_rate
        rows.append(
            [
                f"2. {n:,} rows, per epoch after setup, core {label}",
                f"seed loop: {rate(k, t_seed)}",
                rate(e, t),
                times(ratio),
                f"≥ {TARGET_LARGE:,.0f}×",
                yes(ratio >= TARGET_LARGE),
            ]
        )
    rows.append(
        [
            f"2. {n:,} rows, one-off setup (Session: statistics, {method} reference, analysis)",
            "none",
            f"{t_setup:.3f} s (cold: {t_cold:.3f} s)",
            f"= {t_setup / (t_seed / k):.0f} seed epochs",
            "",
            "",
        ]
    )
    notes = [
        f"- {n:,} rows: y = 3 + 2x + N(0, 1), x ~ U(0, 10); lr = lr_max/2 = {lr:.6g} for both.",
        f"- {n:,} rows after {k} epochs: seed loop m={m:.15g}, b={b:.15g}; core "
        f"m={rec.weights[0]:.15g}, b={rec.intercept:.15g} "
        f"(|Δm|={abs(m - rec.weights[0]):.1e}, |Δb|={abs(b - rec.intercept):.1e}).",
        f"- Per epoch: seed loop {t_seed / k * 1e3:.2f} ms, core {t_off / e * 1e6:.3f} µs "
        f"(records=False), {t_on / e * 1e6:.3f} µs (records=True).",
    ]
    return rows, notes


def bench_csv(plan: Plan) -> tuple[list[list[str]], list[str]]:
    n = plan.csv_rows
    rng = np.random.default_rng(7)
    x = rng.uniform(0.0, 100.0, n)
    y = 3.0 + 2.0 * x + rng.normal(0.0, 5.0, n)
    with tempfile.TemporaryDirectory(prefix="linreg-bench-") as tmp:
        path = os.path.join(tmp, "big.csv")
        say(f"4. writing a {n:,}-row CSV ...")
        t_write, _ = timed(
            lambda: np.savetxt(
                path, np.column_stack([x, y]), fmt="%.10g", delimiter=",", header="x,y", comments=""
            )
        )
        size_mb = os.path.getsize(path) / 1e6
        say(f"4. loading it × {plan.csv_repeats} (×2) ...")
        t_numpy, table = best_of(
            plan.csv_repeats, lambda _: np.loadtxt(path, delimiter=",", skiprows=1), tuple
        )
        t_core, dataset = best_of(plan.csv_repeats, lambda _: load_csv(path), tuple)
    rows = [
        [
            f"4. Load a {n:,}-row, 2-column CSV ({size_mb:.0f} MB)",
            f"numpy.loadtxt: {t_numpy:.3f} s",
            f"load_csv: {t_core:.3f} s",
            f"{t_core / t_numpy:.2f}× numpy's time",
            f"< {TARGET_CSV_S:g} s",
            yes(t_core < TARGET_CSV_S),
        ]
    ]
    same = np.array_equal(table[:, 0], dataset.raw_x[:, 0]) and np.array_equal(
        table[:, 1], dataset.y
    )
    notes = [
        f"- CSV written with numpy.savetxt (%.10g) in {t_write:.2f} s (not timed above); "
        f"load_csv and numpy.loadtxt read identical values: {same}.",
    ]
    return rows, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs and repeats")
    opts = parser.parse_args(argv)
    plan = QUICK if opts.quick else FULL

    started = time.perf_counter()
    # Memory first, while this process is small; the launcher (see _LAUNCHER) keeps this
    # process's peak out of the child's ru_maxrss anyway.
    memory = bench_memory(plan)
    small = bench_small(plan)
    large = bench_large(plan)
    csv = bench_csv(plan)

    header = ["Benchmark", "Baseline", "linreg-tui core", "Ratio", "Target", "Met"]
    rows: list[list[str]] = []
    notes: list[str] = []
    for section_rows, section_notes in (small, large, memory, csv):
        rows += section_rows
        notes += section_notes

    print(f"# linreg-tui core benchmark{' (--quick)' if opts.quick else ''}\n")
    print(machine())
    print()
    print(markdown(header, rows))
    print()
    print("Ratios are core speed / seed-loop speed (epochs per second), best of a few runs each.")
    print("The seed loop runs without tqdm, which would only slow it further.\n")
    print("\n".join(notes))
    print(f"\nTotal wall time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

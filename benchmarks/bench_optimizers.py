"""Side-by-side timings of the optimisers and mini-batches (issue 7), in one run.

Run from the repository root::

    .venv/bin/python benchmarks/bench_optimizers.py           # the full run, about a minute
    .venv/bin/python benchmarks/bench_optimizers.py --quick   # fewer epochs

Three tables:

1. the seed's five points, full batch: epochs/s of each optimiser in the core, against the
   pre-reshape core's gradient-descent loop (copied here from core/kernel.py as it was before the
   reshape: plain floats, the update and the MSE inlined) — target ≥ 0.5×; over the first 5,000
   epochs too (Adam reaches the exact optimum on these points, after which its first moment
   decays into subnormal numbers, whose arithmetic the CPU does slowly: the long run measures
   that as well);
2. 1,000,000 rows, full batch: each optimiser in the core (sufficient statistics, O(d²) an epoch
   after one pass) against the seed-style numpy loop of the same method (the gradient from the
   rows every epoch) — target ≥ 1000×;
3. 1,000,000 rows, mini-batches: one epoch of the core at B = 32, 256 and 1, against one epoch of
   scikit-learn's SGDRegressor (constant rate, no penalty, shuffled; when it is installed) —
   target: B ≥ 32 no slower.

A measurement, not a test: nothing here asserts. Timings are the best of a few runs with the
garbage collector off, in CPU seconds of this process (``time.process_time``): on a shared machine
wall time mostly measures the wait for a core, which swings the ratios by 2× between runs;
``--wall`` times by the wall clock instead.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import sys
import time

# One thread for BLAS and OpenMP on both sides: idle worker threads spin and their CPU time would
# count against whichever side started them.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
from report import markdown, yes  # noqa: E402

from linreg_tui.core.dataset import Dataset, seed_dataset  # noqa: E402
from linreg_tui.core.hyperparams import Hyperparameters  # noqa: E402
from linreg_tui.core.optimizers import OPTIMIZERS  # noqa: E402
from linreg_tui.core.session import Session  # noqa: E402

LR = {"gd": 0.01, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.5, "rmsprop": 0.01}
LR["adam"] = 0.05


#: The clock :func:`best` reads (``--wall``: time.perf_counter).
clock = time.process_time


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            t0 = clock()
            fn()
            times.append(clock() - t0)
        finally:
            gc.enable()
    return min(times)


def pre_reshape_gd(epochs: int) -> None:
    """The pre-reshape core's one-feature loop (core/kernel.py _run_scalar before issue 7), on
    the seed's data: the MSE and gradient from sufficient statistics, inlined, records kept."""
    from array import array

    g, mean, ws, bs, ms, lr = 2.0, 3.0, 0.6, 2.2, 0.48, 0.01
    unstable, tol = False, 0.0
    w = b = 0.0
    out = [array("d") for _ in range(5)]
    put_w, put_b, put_mse, put_gw, put_gb = (a.append for a in out)
    dw = w - ws
    c = (b - bs) + mean * dw
    mse = ms + g * dw * dw + c * c
    gw, gb = 2 * g * dw + 2 * c * mean, 2 * c
    for _ in range(epochs):
        w_new, b_new = w - lr * gw, b - lr * gb
        dw = w_new - ws
        c = (b_new - bs) + mean * dw
        mse_new = ms + g * dw * dw + c * c
        gw_new, gb_new = 2 * g * dw + 2 * c * mean, 2 * c
        if not mse_new + abs(gw_new) + abs(gb_new) < math.inf:
            break
        w, b = w_new, b_new
        put_w(w)
        put_b(b)
        put_mse(mse_new)
        put_gw(gw_new)
        put_gb(gb_new)
        if unstable and mse_new > mse:  # the checks it made (off here, as in a stable run)
            break
        if tol and mse - mse_new < tol:
            break
        mse, gw, gb = mse_new, gw_new, gb_new


def core_epochs(dataset: Dataset, name: str, epochs: int, runs: int = 1, **extra) -> float:
    """Seconds for ``runs`` runs of ``epochs`` epochs of the core, each from epoch 0 (records
    kept in buffers, as the app runs)."""
    hp = Hyperparameters(optimizer=name, lr=LR[name], epochs=epochs, **extra)

    def go():
        for _ in range(runs):
            Session(dataset, hp, problem).trainer.advance(epochs, records=False)

    problem = Session(dataset, hp).problem  # the one O(n) pass, timed apart
    return best(go, 3)


def seed_style(x: np.ndarray, y: np.ndarray, name: str, epochs: int) -> None:
    """The seed script's loop, generalised to the method: the gradient from all rows each epoch."""
    n = y.shape[0]
    m = b = 0.0
    state = {k: np.zeros(2) for k in ("v", "m", "s")}
    lr = LR[name]
    for t in range(1, epochs + 1):
        y_pred = m * x + b
        g = np.array([(-2 / n) * np.sum(x * (y - y_pred)), (-2 / n) * np.sum(y - y_pred)])
        theta = np.array([m, b])
        if name == "gd":
            theta = theta - lr * g
        elif name in ("momentum", "nesterov"):
            state["v"] = 0.9 * state["v"] + g
            step = state["v"] if name == "momentum" else g + 0.9 * state["v"]
            theta = theta - lr * step
        elif name == "adagrad":
            state["s"] = state["s"] + g * g
            theta = theta - lr * g / (np.sqrt(state["s"]) + 1e-8)
        elif name == "rmsprop":
            state["s"] = 0.9 * state["s"] + 0.1 * g * g
            theta = theta - lr * g / (np.sqrt(state["s"]) + 1e-8)
        else:
            state["m"] = 0.9 * state["m"] + 0.1 * g
            state["v"] = 0.999 * state["v"] + 0.001 * g * g
            m_hat = state["m"] / (1 - 0.9**t)
            v_hat = state["v"] / (1 - 0.999**t)
            theta = theta - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
        m, b = float(theta[0]), float(theta[1])


def synthetic(rows: int) -> Dataset:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, rows)
    y = 3 * x + 2 + rng.normal(0, 1, rows)
    return Dataset(x[:, None], y, ("x",), "y", source="synthetic")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--wall", action="store_true", help="time by the wall clock, not CPU")
    args = parser.parse_args()
    global clock
    if args.wall:
        clock = time.perf_counter
    small = 50_000 if args.quick else 200_000
    big_core = 20_000 if args.quick else 100_000
    big_seed = 3
    print(
        f"{platform.processor() or platform.machine()}, Python {sys.version.split()[0]}, "
        f"numpy {np.__version__}, {'wall' if args.wall else 'CPU'} time\n"
    )

    seed = seed_dataset()
    base = best(lambda: pre_reshape_gd(small), 3)
    rows = []
    early_base = best(lambda: pre_reshape_gd(5000 * 20), 3) / 20
    for name in OPTIMIZERS:
        t = core_epochs(seed, name, small)
        ratio = (small / t) / (small / base)
        early = early_base / (core_epochs(seed, name, 5000, runs=20) / 20)
        rows.append(
            [
                name,
                f"{small / base:,.0f}",
                f"{small / t:,.0f}",
                f"{ratio:.2f}×",
                yes(ratio >= 0.5),
                f"{early:.2f}×",
            ]
        )
    print("Seed's 5 points, full batch, epochs/s (pre-reshape gd loop vs the core):\n")
    print(
        markdown(
            ["method", "pre-reshape gd", "core", "ratio", "≥ 0.5×", "first 5,000 epochs"], rows
        )
        + "\n"
    )

    data = synthetic(1_000_000)
    x, y = data.raw_x[:, 0], data.y
    rows = []
    for name in OPTIMIZERS:
        t_seed = best(lambda name=name: seed_style(x, y, name, big_seed), 2) / big_seed
        t_core = core_epochs(data, name, big_core) / big_core
        ratio = t_seed / t_core
        rows.append(
            [name, f"{1 / t_seed:,.0f}", f"{1 / t_core:,.0f}", f"{ratio:,.0f}×", yes(ratio >= 1000)]
        )
    print("1,000,000 rows, full batch, epochs/s (seed-style numpy loop vs the core):\n")
    print(markdown(["method", "seed-style", "core", "ratio", "≥ 1000×"], rows) + "\n")

    rows = []
    sk = None
    try:
        from sklearn.linear_model import SGDRegressor

        def sk_epoch():
            SGDRegressor(
                learning_rate="constant",
                eta0=1e-4,
                penalty=None,
                max_iter=1,
                tol=None,
                shuffle=True,
                random_state=0,
            ).fit(data.raw_x, y)

        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sk = best(sk_epoch, 3)
    except ImportError:
        pass
    for batch in (256, 32, 1):
        hp = Hyperparameters(lr=1e-4, batch_size=batch, seed=0, epochs=1)
        problem = Session(data, hp).problem
        t = best(
            lambda hp=hp, problem=problem: Session(data, hp, problem).trainer.advance(
                1, records=False
            ),
            1 if batch == 1 else 3,
        )
        rows.append(
            [
                f"B = {batch}",
                f"{t:.3f} s",
                "n/a" if sk is None else f"{sk:.3f} s",
                "n/a" if sk is None else f"{sk / t:.2f}×",
                "n/a" if sk is None or batch < 32 else yes(t <= sk),
            ]
        )
    print(
        "1,000,000 rows, one mini-batch epoch (gd), seconds (core vs scikit-learn SGDRegressor, "
        "B = 1 per sample):\n"
    )
    print(markdown(["core", "core", "SGDRegressor", "speed ratio", "no slower (B ≥ 32)"], rows))


if __name__ == "__main__":
    main()

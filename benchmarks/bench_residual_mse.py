"""What the true MSE of the parameters shown costs, side by side with the fast path's model of it.

Run from the repository root::

    .venv/bin/python benchmarks/bench_residual_mse.py    # about 20 seconds

The status line, ``--headless`` and ``--json`` show the MSE of the printed parameters computed from
the data's residuals (core/residuals.py: Dot2, every residual as if in twice float64's precision),
once per frame shown; the trainer's epochs use the fast path (O(d²) an epoch, whatever n). For
n rows of one x column this prints the median time of one residual MSE, of one fast-path
evaluation, of a plain float64 ``mean((y − X·w − b)²)``, and the ratios. A measurement, not a
test: nothing here asserts.
"""

from __future__ import annotations

import platform
import statistics
import time

import numpy as np
from report import markdown  # benchmarks/report.py, beside this script

from linreg_tui.core.quadratic import Quadratic
from linreg_tui.core.residuals import ResidualLoss


def median_s(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    print(f"{platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}")
    rng = np.random.default_rng(0)
    rows = []
    for n in (1_000, 10_000, 100_000, 1_000_000):
        x = rng.random((n, 1))
        y = 0.5 * x[:, 0] + rng.normal(0, 0.1, n)
        w, b = np.array([0.3]), 0.1
        loss = ResidualLoss(x, y)
        q = Quadratic.from_features(x, y, np.array([0.5]), 0.0, 0.01, True)
        repeat = 21 if n <= 100_000 else 7
        exact = median_s(lambda: loss.mse(w, b), repeat)  # noqa: B023
        fast = median_s(lambda: q.evaluate(w, b), repeat)  # noqa: B023
        plain = median_s(lambda: float(np.mean((y - x @ w - b) ** 2)), repeat)  # noqa: B023
        rows.append(
            [
                f"{n:,}",
                f"{exact * 1e3:.3f} ms",
                f"{plain * 1e3:.3f} ms",
                f"{exact / plain:.1f}×",
                f"{fast * 1e6:.1f} µs",
                f"{exact / fast:,.0f}×",
            ]
        )
    header = ["rows", "residual MSE", "plain float mean", "ratio", "fast path", "ratio"]
    print(markdown(header, rows))


if __name__ == "__main__":
    main()

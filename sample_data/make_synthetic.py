"""Make the synthetic sample data sets: noisy_line.csv, badly_scaled.csv, multi_feature.csv.

The files are written next to this script. Each data set draws from its own
``numpy.random.default_rng`` with a fixed seed, so running the script twice gives
byte-identical files (with the same numpy: numpy does not promise the same random
stream across releases, which is why the CSVs themselves are committed).

Every number is rounded before it is written, and the written text is the data: the
least-squares answers in README.md are computed from the CSV text, not from the
unrounded draws.

Run with ``python sample_data/make_synthetic.py``. It prints, for badly_scaled.csv,
the condition number of the MSE Hessian with raw and with standardised x.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _fmt(value: float, decimals: int) -> str:
    """Write ``value`` with a fixed number of decimals, never as ``-0.0``."""
    text = f"{value:.{decimals}f}"
    if float(text) == 0.0:
        text = f"{0.0:.{decimals}f}"
    return text


def _write_csv(name: str, header: list[str], columns: list[list[str]]) -> Path:
    path = HERE / name
    lines = [",".join(header)]
    lines.extend(",".join(row) for row in zip(*columns, strict=True))
    # newline="\n" keeps LF endings on every platform.
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    return path


def make_noisy_line() -> Path:
    """100 points on y = 3 + 2x with Gaussian noise (sd 1.5), x uniform in [0, 10]."""
    rng = np.random.default_rng(20240601)
    n = 100
    x = np.round(rng.uniform(0.0, 10.0, size=n), 4)
    y = np.round(3.0 + 2.0 * x + rng.normal(0.0, 1.5, size=n), 4)
    return _write_csv(
        "noisy_line.csv",
        ["x", "y"],
        [[_fmt(v, 4) for v in x], [_fmt(v, 4) for v in y]],
    )


def make_badly_scaled() -> Path:
    """50 large properties: area in square feet (20,000-90,000) and price in $1000s.

    The rule is price_k = 3000 + 0.2 * area_sqft + noise (sd 600): a fixed site value
    plus a price per square foot. With x this large and this far from zero, the MSE
    Hessian (2/n) [[1, mean x], [mean x, mean x^2]] has a condition number of about
    1e10, so gradient descent on raw x must take steps below ~1/mean(x^2) to stay
    stable, and with such steps the intercept barely moves: the loss stalls at the
    best line through the origin, well above the minimum. Standardised x gives a
    Hessian of 2*I and convergence in tens of epochs.
    """
    rng = np.random.default_rng(20240602)
    n = 50
    area = np.round(rng.uniform(20_000.0, 90_000.0, size=n), -1)
    price = np.round(3000.0 + 0.2 * area + rng.normal(0.0, 600.0, size=n), 1)
    return _write_csv(
        "badly_scaled.csv",
        ["area_sqft", "price_k"],
        [[_fmt(v, 0) for v in area], [_fmt(v, 1) for v in price]],
    )


def make_multi_feature() -> Path:
    """40 students: three features and an exam score from a known linear rule.

    score = 20 + 4.5 * hours_studied + 3 * hours_slept - 1.5 * coffee_cups + noise (sd 3).
    """
    rng = np.random.default_rng(20240603)
    n = 40
    studied = np.round(rng.uniform(0.0, 10.0, size=n), 1)
    slept = np.round(rng.uniform(4.0, 9.0, size=n), 1)
    coffee = rng.integers(0, 6, size=n)
    score = np.round(
        20.0 + 4.5 * studied + 3.0 * slept - 1.5 * coffee + rng.normal(0.0, 3.0, size=n), 1
    )
    return _write_csv(
        "multi_feature.csv",
        ["hours_studied", "hours_slept", "coffee_cups", "score"],
        [
            [_fmt(v, 1) for v in studied],
            [_fmt(v, 1) for v in slept],
            [str(int(v)) for v in coffee],
            [_fmt(v, 1) for v in score],
        ],
    )


def hessian_condition(x: np.ndarray) -> float:
    """Condition number of the MSE Hessian for y ~ b + w*x, i.e. of [[1, x], [x, x^2]] means."""
    design = np.column_stack([np.ones_like(x), x])
    hessian = 2.0 * design.T @ design / len(x)
    return float(np.linalg.cond(hessian))


def main() -> None:
    for path in (make_noisy_line(), make_badly_scaled(), make_multi_feature()):
        print(f"wrote {path.name}")
    area = np.loadtxt(HERE / "badly_scaled.csv", delimiter=",", skiprows=1)[:, 0]
    standardised = (area - area.mean()) / area.std()
    for label, x in (("raw x", area), ("standardised x", standardised)):
        print(
            f"badly_scaled.csv: MSE Hessian condition number, {label}: {hessian_condition(x):.3g}"
        )


if __name__ == "__main__":
    main()

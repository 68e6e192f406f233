"""Generated data for lessons: a registry of small recipes, each reproducible from its seed.

Each recipe makes a :class:`~.dataset.Dataset` from a seed and a number of rows with numpy's
``default_rng(seed)``, so the same seed gives the same data on every machine (numpy's PCG64
stream is stable across versions for these distributions). The dataset's source names the
recipe and the seed, which the app shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .dataset import Dataset

#: Rows when none are asked for.
DEFAULT_ROWS = 50


@dataclass(frozen=True)
class Recipe:
    """One kind of generated data."""

    name: str
    label: str
    what: str
    make: Callable[[np.random.Generator, int], tuple[np.ndarray, np.ndarray, tuple[str, ...]]]
    #: Polynomial degree the data is fitted with.
    degree: int = 1


def _line(rng: np.random.Generator, n: int):
    x = np.round(rng.uniform(0, 10, n), 2)
    y = np.round(3 + 2 * x + rng.normal(0, 2, n), 2)
    return x[:, None], y, ("x",)


def _outliers(rng: np.random.Generator, n: int):
    x = np.round(rng.uniform(0, 10, n), 2)
    y = 3 + 2 * x + rng.normal(0, 1, n)
    bad = rng.choice(n, size=max(1, n // 20), replace=False)
    y[bad] += rng.choice([-1, 1], size=bad.size) * rng.uniform(15, 30, bad.size)
    return x[:, None], np.round(y, 2), ("x",)


def _badly_scaled(rng: np.random.Generator, n: int):
    rooms = rng.integers(1, 8, n).astype(np.float64)
    area = np.round(rng.uniform(300, 3000, n), 0)
    price = np.round(20 * rooms + 0.15 * area + rng.normal(0, 20, n), 1)
    return np.column_stack([rooms, area]), price, ("rooms", "area")


def _polynomial(rng: np.random.Generator, n: int):
    x = np.round(rng.uniform(-3, 3, n), 2)
    y = np.round(1 - 2 * x + 0.5 * x**3 + rng.normal(0, 1, n), 2)
    return x[:, None], y, ("x",)


RECIPES: dict[str, Recipe] = {
    r.name: r
    for r in (
        Recipe("line", "line with noise", "y = 3 + 2x + noise (sd 2), x in 0..10", _line),
        Recipe(
            "outliers",
            "line with outliers",
            "y = 3 + 2x + noise, one row in 20 pushed 15–30 away",
            _outliers,
        ),
        Recipe(
            "badly-scaled",
            "badly scaled columns",
            "price from rooms (1–7) and area (300–3000): try standardise",
            _badly_scaled,
        ),
        Recipe(
            "polynomial",
            "cubic with noise",
            "y = 1 − 2x + 0.5x³ + noise, x in −3..3, fitted as a cubic",
            _polynomial,
            degree=3,
        ),
    )
}


def generate(name: str, seed: int, rows: int = DEFAULT_ROWS) -> Dataset:
    """The dataset of recipe ``name`` for ``seed`` with ``rows`` rows (at least 3)."""
    recipe = RECIPES[name]
    rows = max(3, int(rows))
    raw_x, y, names = recipe.make(np.random.default_rng(seed), rows)
    return Dataset(
        raw_x=raw_x,
        y=y,
        x_names=names,
        y_name="price" if name == "badly-scaled" else "y",
        degree=recipe.degree,
        source=f"generated {recipe.label} (seed {seed}, {rows} rows)",
    )

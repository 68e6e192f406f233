"""Plain gradient descent: θ ← θ − lr·g (the seed's update)."""

from __future__ import annotations

from dataclasses import dataclass

from .base import Optimizer, Stability, Term


@dataclass(frozen=True)
class GradientDescent(Optimizer):
    name = "gd"
    title = "gradient descent"
    proximal = True

    rule = "theta = theta - lr * g"

    def terms(self, symbol, theta, g, state, lr, c):
        r = self.explain(theta, g, state, lr, c)
        return [Term(symbol, "{0} − {1} × ({2})", (theta, lr, g), r["theta"])]

    def stability(self, lam_min, lam_max):
        return Stability(
            2.0 / lam_max,
            2.0 / (lam_min + lam_max),
            "2/λmax",
            "gradient descent is stable for lr < 2/λmax; 2/(λmin+λmax) is the fastest fixed rate",
            {},
        )

    def rate_formulas(self):
        return {"lr_max": lambda lo, hi, num: 2 / hi, "lr_best": lambda lo, hi, num: 2 / (lo + hi)}

    def iteration_radius(self, lr, lam):
        return abs(1.0 - lr * lam)

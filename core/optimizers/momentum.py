"""Heavy-ball momentum: v ← β·v + g, θ ← θ − lr·v."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .base import Optimizer, Stability, Term, spectral_radius_2x2


@dataclass(frozen=True)
class Momentum(Optimizer):
    momentum: float = 0.9

    name = "momentum"
    title = "heavy-ball momentum"
    fields = ("momentum",)
    state_names = ("v",)

    rule = """
        v = momentum * v + g
        theta = theta - lr * v
    """

    def terms(self, symbol, theta, g, state, lr, c):
        (v,) = state
        r = self.explain(theta, g, state, lr, c)
        return [
            Term(f"v({symbol})", "{0} × ({1}) + ({2})", (self.momentum, v, g), r["v"]),
            Term(symbol, "{0} − {1} × ({2})", (theta, lr, r["v"]), r["theta"]),
        ]

    def stability(self, lam_min, lam_max):
        beta = self.momentum
        # Polyak's optimum for this quadratic: both rate and β chosen together.
        root_max, root_min = math.sqrt(lam_max), math.sqrt(max(lam_min, 0.0))
        best_beta = ((root_max - root_min) / (root_max + root_min)) ** 2
        return Stability(
            2.0 * (1.0 + beta) / lam_max,
            4.0 / (root_max + root_min) ** 2,
            "2(1+β)/λmax",
            f"heavy-ball momentum with β = {beta:g} is stable for lr < 2(1+β)/λmax; Polyak's "
            "optimum is lr = 4/(√λmax+√λmin)² with β = ((√κ−1)/(√κ+1))²",
            {"momentum": best_beta},
        )

    def rate_formulas(self):
        beta = self.momentum
        return {
            "lr_max": lambda lo, hi, num: 2 * (1 + num(beta)) / hi,
            "lr_best": lambda lo, hi, num: 4 / (hi.sqrt() + lo.sqrt()) ** 2,
            "momentum": lambda lo, hi, num: (
                ((hi.sqrt() - lo.sqrt()) / (hi.sqrt() + lo.sqrt())) ** 2
            ),
        }

    def iteration_radius(self, lr, lam):
        # e' = e − lr·(β·v + λ·e) = (1 + β − lr·λ)·e − β·e_prev
        return spectral_radius_2x2(1.0 + self.momentum - lr * lam, self.momentum)

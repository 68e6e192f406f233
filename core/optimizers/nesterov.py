"""Nesterov momentum: v ← β·v + g, θ ← θ − lr·(g + β·v)."""

from __future__ import annotations

from dataclasses import dataclass

from .base import Optimizer, Stability, Term, spectral_radius_2x2


@dataclass(frozen=True)
class Nesterov(Optimizer):
    momentum: float = 0.9

    name = "nesterov"
    title = "Nesterov momentum"
    fields = ("momentum",)
    state_names = ("v",)

    rule = """
        v = momentum * v + g
        theta = theta - lr * (g + momentum * v)
    """

    def terms(self, symbol, theta, g, state, lr, c):
        (v,) = state
        beta = self.momentum
        r = self.explain(theta, g, state, lr, c)
        return [
            Term(f"v({symbol})", "{0} × ({1}) + ({2})", (beta, v, g), r["v"]),
            Term(
                symbol,
                "{0} − {1} × (({2}) + {3} × ({4}))",
                (theta, lr, g, beta, r["v"]),
                r["theta"],
            ),
        ]

    def stability(self, lam_min, lam_max):
        beta = self.momentum
        # On a direction with curvature λ and a = lr·λ the iteration matrix of (e, v) is
        # [[1 − a(1+β), −lr·β²], [λ, β]]: trace (1+β)(1−a), determinant β(1−a). Jury's conditions
        # for z² − T·z + D hold iff 0 < a < 2(1+β)/(1+2β) (for 0 ≤ β < 1).
        return Stability(
            2.0 * (1.0 + beta) / ((1.0 + 2.0 * beta) * lam_max),
            None,
            "2(1+β)/((1+2β)·λmax)",
            f"Nesterov momentum with β = {beta:g} is stable for lr < 2(1+β)/((1+2β)·λmax), "
            "from the eigenvalues of its iteration matrix",
            {},
        )

    def rate_formulas(self):
        beta = self.momentum
        return {"lr_max": lambda lo, hi, num: 2 * (1 + num(beta)) / ((1 + 2 * num(beta)) * hi)}

    def iteration_radius(self, lr, lam):
        a = lr * lam
        beta = self.momentum
        return spectral_radius_2x2((1.0 + beta) * (1.0 - a), beta * (1.0 - a))

"""AdaGrad: G ← G + g², θ ← θ − lr·g/(√G + ε)."""

from __future__ import annotations

from dataclasses import dataclass

from .base import Optimizer, Term, adaptive_stability


@dataclass(frozen=True)
class AdaGrad(Optimizer):
    eps: float = 1e-8

    name = "adagrad"
    title = "AdaGrad"
    fields = ("eps",)
    state_names = ("G",)
    adaptive = True

    rule = """
        G = G + g * g
        theta = theta - lr * g / (sqrt(G) + eps)
    """

    def terms(self, symbol, theta, g, state, lr, c):
        (big_g,) = state
        r = self.explain(theta, g, state, lr, c)
        return [
            Term(f"G({symbol})", "{0} + ({1})²", (big_g, g), r["G"]),
            Term(
                symbol,
                "{0} − {1} × ({2}) / (√{3} + {4})",
                (theta, lr, g, r["G"], self.eps),
                r["theta"],
            ),
        ]

    def stability(self, lam_min, lam_max):
        return adaptive_stability(self.title)

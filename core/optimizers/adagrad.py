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

    def step(self, theta, g, state, lr, c):
        (big_g,) = state
        big_g = big_g + g * g
        return theta - lr * g / (big_g**0.5 + self.eps), (big_g,)

    def terms(self, symbol, theta, g, state, lr, c):
        (big_g,) = state
        new = big_g + g * g
        return [
            Term(f"G({symbol})", "{0} + ({1})²", (big_g, g), new),
            Term(
                symbol,
                "{0} − {1} × ({2}) / (√{3} + {4})",
                (theta, lr, g, new, self.eps),
                theta - lr * g / (new**0.5 + self.eps),
            ),
        ]

    def stability(self, lam_min, lam_max):
        return adaptive_stability(self.title)

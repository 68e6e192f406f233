"""RMSProp: s ← ρ·s + (1−ρ)·g², θ ← θ − lr·g/(√s + ε)."""

from __future__ import annotations

from dataclasses import dataclass

from .base import Optimizer, Term, adaptive_stability


@dataclass(frozen=True)
class RMSProp(Optimizer):
    rho: float = 0.9
    eps: float = 1e-8

    name = "rmsprop"
    title = "RMSProp"
    fields = ("rho", "eps")
    state_names = ("s",)
    adaptive = True

    def stepper(self):
        rho, one_rho, eps = self.rho, 1 - self.rho, self.eps

        def step(theta, g, state, lr, c):
            (s,) = state
            s = rho * s + one_rho * (g * g)
            return theta - lr * g / (s**0.5 + eps), (s,)

        return step

    def step(self, theta, g, state, lr, c):
        return self.stepper()(theta, g, state, lr, c)

    def terms(self, symbol, theta, g, state, lr, c):
        (s,) = state
        new = self.rho * s + (1 - self.rho) * (g * g)
        return [
            Term(f"s({symbol})", "{0} × {1} + (1 − {0}) × ({2})²", (self.rho, s, g), new),
            Term(
                symbol,
                "{0} − {1} × ({2}) / (√{3} + {4})",
                (theta, lr, g, new, self.eps),
                theta - lr * g / (new**0.5 + self.eps),
            ),
        ]

    def stability(self, lam_min, lam_max):
        return adaptive_stability(self.title)

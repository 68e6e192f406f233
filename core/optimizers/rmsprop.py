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

    rule = """
        s = rho * s + one_minus_rho * (g * g)
        theta = theta - lr * g / (sqrt(s) + eps)
    """
    constants = {"one_minus_rho": lambda o: 1 - o.rho}

    def terms(self, symbol, theta, g, state, lr, c):
        (s,) = state
        r = self.explain(theta, g, state, lr, c)
        return [
            Term(f"s({symbol})", "{0} × {1} + (1 − {0}) × ({2})²", (self.rho, s, g), r["s"]),
            Term(
                symbol,
                "{0} − {1} × ({2}) / (√{3} + {4})",
                (theta, lr, g, r["s"], self.eps),
                r["theta"],
            ),
        ]

    def stability(self, lam_min, lam_max):
        return adaptive_stability(self.title)

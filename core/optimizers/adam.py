"""Adam: m ← β₁·m + (1−β₁)·g, v ← β₂·v + (1−β₂)·g², θ ← θ − lr·m̂/(√v̂ + ε), with the bias
corrections m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ) at step t."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .base import Optimizer, Term, adaptive_stability


@dataclass(frozen=True)
class Adam(Optimizer):
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    name = "adam"
    title = "Adam"
    fields = ("beta1", "beta2", "eps")
    state_names = ("m", "v")
    adaptive = True
    rule = """
        m = beta1 * m + one_minus_beta1 * g
        v = beta2 * v + one_minus_beta2 * (g * g)
        m_hat = m / c1
        v_hat = v / c2
        theta = theta - lr * m_hat / (sqrt(v_hat) + eps)
    """
    constants = {
        "one_minus_beta1": lambda o: 1 - o.beta1,
        "one_minus_beta2": lambda o: 1 - o.beta2,
    }
    coefficient_names = ("c1", "c2")

    def coefficient_table(self, first, count):
        return _one_minus_powers(self.beta1, first, count), _one_minus_powers(
            self.beta2, first, count
        )

    def terms(self, symbol, theta, g, state, lr, c):
        m, v = state
        b1, b2 = self.beta1, self.beta2
        r = self.explain(theta, g, state, lr, c)
        return [
            Term(f"m({symbol})", "{0} × ({1}) + (1 − {0}) × ({2})", (b1, m, g), r["m"]),
            Term(f"v({symbol})", "{0} × {1} + (1 − {0}) × ({2})²", (b2, v, g), r["v"]),
            Term(f"m̂({symbol})", "({0}) / {1}", (r["m"], c[0]), r["m_hat"]),
            Term(f"v̂({symbol})", "{0} / {1}", (r["v"], c[1]), r["v_hat"]),
            Term(
                symbol,
                "{0} − {1} × ({2}) / (√{3} + {4})",
                (theta, lr, r["m_hat"], r["v_hat"], self.eps),
                r["theta"],
            ),
        ]

    def stability(self, lam_min, lam_max):
        return adaptive_stability(self.title)


def _one_minus_powers(beta: float, first: int, count: int) -> list[float]:
    """1 − βᵗ for t = first … first + count − 1.

    numpy's power on an array, never Python's or numpy's scalar one: they may differ in the last
    bit (numpy may use its own vectorised pow), and every step and the log read this table, so it
    must not depend on how epochs are grouped (numpy's array power is elementwise: it does not).
    From the t where βᵗ ≤ 2⁻⁵⁵ on, 1 − βᵗ rounds to exactly 1.0 (anything below 2⁻⁵⁴ does), so
    those entries are not computed: for β₁ = 0.9 that is every step after the 362nd.
    """
    ones_from = 1 if beta == 0 else math.ceil(-55 * math.log(2) / math.log(beta)) + 2
    computed = max(0, min(count, ones_from - first))
    t = np.arange(first, first + computed, dtype=np.float64)
    return (1.0 - beta**t).tolist() + [1.0] * (count - computed)

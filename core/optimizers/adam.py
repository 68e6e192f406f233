"""Adam: m ← β₁·m + (1−β₁)·g, v ← β₂·v + (1−β₂)·g², θ ← θ − lr·m̂/(√v̂ + ε), with the bias
corrections m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ) at step t."""

from __future__ import annotations

from dataclasses import dataclass

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
    counts_steps = True
    adaptive = True

    def coefficients(self, t):
        return (1 - self.beta1**t, 1 - self.beta2**t)

    def stepper(self):
        b1, b2, eps = self.beta1, self.beta2, self.eps
        one_b1, one_b2 = 1 - b1, 1 - b2

        def step(theta, g, state, lr, c):
            m, v = state
            m = b1 * m + one_b1 * g
            v = b2 * v + one_b2 * (g * g)
            m_hat = m / c[0]
            v_hat = v / c[1]
            return theta - lr * m_hat / (v_hat**0.5 + eps), (m, v)

        return step

    def step(self, theta, g, state, lr, c):
        return self.stepper()(theta, g, state, lr, c)

    def terms(self, symbol, theta, g, state, lr, c):
        m, v = state
        b1, b2 = self.beta1, self.beta2
        m_new = b1 * m + (1 - b1) * g
        v_new = b2 * v + (1 - b2) * (g * g)
        m_hat = m_new / c[0]
        v_hat = v_new / c[1]
        return [
            Term(f"m({symbol})", "{0} × ({1}) + (1 − {0}) × ({2})", (b1, m, g), m_new),
            Term(f"v({symbol})", "{0} × {1} + (1 − {0}) × ({2})²", (b2, v, g), v_new),
            Term(f"m̂({symbol})", "({0}) / {1}", (m_new, c[0]), m_hat),
            Term(f"v̂({symbol})", "{0} / {1}", (v_new, c[1]), v_hat),
            Term(
                symbol,
                "{0} − {1} × ({2}) / (√{3} + {4})",
                (theta, lr, m_hat, v_hat, self.eps),
                theta - lr * m_hat / (v_hat**0.5 + self.eps),
            ),
        ]

    def stability(self, lam_min, lam_max):
        return adaptive_stability(self.title)

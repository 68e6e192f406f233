"""The objective gradient descent minimises: J = MSE + λ₂·‖w‖² + λ₁·‖w‖₁ (the intercept is not
penalised), in training coordinates (so with standardisation the standardised weights are
penalised, as glmnet does).

* On the whole data the MSE and its gradient come from the sufficient statistics
  (:class:`~.quadratic.Quadratic`), O(d²) an epoch whatever n is; its Hessian is constant, and the
  L2 term adds 2·λ₂ to the weights' block.
* On a mini-batch the gradient comes from the batch's rows: ∂MSE/∂w = (−2/B)·X_Bᵀ(y_B − ŷ_B),
  ∂MSE/∂b = (−2/B)·Σ(y_B − ŷ_B), the seed's formula on B rows, summed out into the batch's own
  statistics (Σx, Σxxᵀ, Σxy, Σy), which an epoch computes for all its batches at once.
* The L1 term is not differentiable at 0. Methods that take the proximal step (plain gradient
  descent) step on the smooth part and then soft-threshold: w ← sign(w)·max(|w| − lr·λ₁, 0), so
  weights reach exactly zero. The others add the subgradient λ₁·sign(w) (0 at 0).

The functions here accept a float (one weight) or an ndarray (several) for the weights, so the
one-feature fast path and the general path share them.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .quadratic import Quadratic
from .spectrum import FeatureSums, Spectrum

#: What the reference answer is called, by :attr:`Penalty.name` of the penalty it solved: a word
#: for status lines ("MSE 0.48 (ridge 0.47)") and a title for legends. The app, the SVG report
#: and the command line all read them here.
REFERENCE_WORD = {"none": "LS", "l2": "ridge", "l1": "lasso", "elastic net": "e-net"}
REFERENCE_TITLE = {
    "none": "least squares",
    "l2": "ridge",
    "l1": "lasso",
    "elastic net": "elastic net",
}


@dataclass(frozen=True)
class Penalty:
    """λ₁·‖w‖₁ + λ₂·‖w‖², on the weights only.

    Attributes
    ----------
    l1, l2 : float
        λ₁, λ₂ ≥ 0.
    """

    l1: float = 0.0
    l2: float = 0.0

    @property
    def active(self) -> bool:
        return bool(self.l1 or self.l2)

    @property
    def name(self) -> str:
        """``"none"``, ``"l2"`` (ridge), ``"l1"`` (lasso) or ``"elastic net"``."""
        if self.l1 and self.l2:
            return "elastic net"
        return "l1" if self.l1 else "l2" if self.l2 else "none"

    def terms(self, fmt=lambda v: f"{v:.4g}") -> str:
        """The penalty as written in J: ``"0.1·‖w‖² + 0.2·‖w‖₁"`` ("" without one); ``fmt``
        writes a number."""
        terms = []
        if self.l2:
            terms.append(f"{fmt(self.l2)}·‖w‖²")
        if self.l1:
            terms.append(f"{fmt(self.l1)}·‖w‖₁")
        return " + ".join(terms)

    def value(self, w) -> float:
        """λ₁·‖w‖₁ + λ₂·‖w‖² (w: float or ndarray)."""
        total = 0.0
        if self.l2:
            total += self.l2 * float(np.sum(w * w))
        if self.l1:
            total += self.l1 * float(np.sum(np.abs(w)))
        return total

    def gradient(self, w, subgradient: bool):
        """2·λ₂·w, plus λ₁·sign(w) when ``subgradient`` (not for a proximal step)."""
        g = 2 * self.l2 * w
        if subgradient and self.l1:
            g = g + self.l1 * np.sign(w)
        return g if isinstance(w, np.ndarray) else float(g)

    def prox(self, w, step: float):
        """Soft-threshold: the proximal step of λ₁·‖w‖₁ for a step size ``step`` (= lr)."""
        t = step * self.l1
        shrunk = np.sign(w) * np.maximum(np.abs(w) - t, 0.0)
        return shrunk if isinstance(w, np.ndarray) else float(shrunk)


@dataclass(frozen=True, eq=False)
class Objective:
    """J in training coordinates.

    Attributes
    ----------
    quadratic : Quadratic
        The MSE on the (training) data, from its sufficient statistics.
    penalty : Penalty
    features : ndarray of shape (n_samples, n_features)
        Training-coordinate rows (for mini-batch gradients).
    y : ndarray of shape (n_samples,)
    """

    quadratic: Quadratic
    penalty: Penalty
    features: np.ndarray
    y: np.ndarray

    @property
    def n_features(self) -> int:
        return self.quadratic.n_features

    @property
    def n_samples(self) -> int:
        return int(self.y.shape[0])

    @property
    def fit_intercept(self) -> bool:
        return self.quadratic.fit_intercept

    def evaluate(self, w: np.ndarray, b: float, subgradient: bool = True):
        """(J, MSE, ∂J/∂w, ∂J/∂b) on the whole data. ∂J/∂w leaves out λ₁·sign(w) unless
        ``subgradient``."""
        mse, gw, gb = self.quadratic.evaluate(w, b)
        if not self.penalty.active:
            return mse, mse, gw, gb
        return (
            mse + self.penalty.value(w),
            mse,
            gw + self.penalty.gradient(w, subgradient),
            gb,
        )

    @cached_property
    def rows(self) -> np.ndarray:
        """ndarray of shape (n_samples, n_features + 1): each row's features then its y, side by
        side, so a shuffled epoch gathers each row with one random access (made on first use,
        by mini-batch runs only)."""
        return np.column_stack([self.features, self.y])

    def batch_stats(self, x: np.ndarray, y: np.ndarray, size: int):
        """Sufficient statistics of consecutive batches of ``size`` rows (the last may be smaller),
        all batches at once, so a mini-batch epoch's loop works on d×d numbers only.

        Parameters
        ----------
        x : ndarray of shape (n_rows, n_features)
            The rows in the order they are used (training coordinates).
        y : ndarray of shape (n_rows,)
        size : int

        Returns
        -------
        count : ndarray of shape (n_batches,)
            Rows in each batch.
        sx, sxy : ndarray of shape (n_batches, n_features)
            Σx and Σx·y over each batch's rows.
        sxx : ndarray of shape (n_batches, n_features, n_features)
            Σx·xᵀ.
        sy : ndarray of shape (n_batches,)
            Σy.
        """
        n, d = x.shape
        full = n // size * size
        parts = []
        for lo, hi, k in ((0, full, size), (full, n, n - full)):
            if hi > lo:
                xb, yb = x[lo:hi].reshape(-1, k, d), y[lo:hi].reshape(-1, k)
                xt = xb.transpose(0, 2, 1)
                parts.append(
                    (
                        np.full(xb.shape[0], float(k)),
                        xb.sum(axis=1),
                        xt @ xb,
                        (xt @ yb[:, :, None])[:, :, 0],
                        yb.sum(axis=1),
                    )
                )
        return tuple(np.concatenate(p) for p in zip(*parts))

    def batch_gradient(self, scalar: bool, subgradient: bool):
        """The function (count, sx, sxx, sxy, sy, w, b) ↦ (∂J/∂w, ∂J/∂b) on one batch from its
        statistics (:meth:`batch_stats`): the MSE part (−2/B)·(Σxy − Σxxᵀ·w − b·Σx) and
        (−2/B)·(Σy − Σx·w − b·B), the seed's formula summed out. Bound once per epoch, as the
        loop calls it once per batch.

        With ``scalar`` (one feature) w, sx, sxx and sxy are plain floats (the one-feature fast
        path); otherwise w, sx, sxy are ndarrays of shape (n_features,) and sxx of shape
        (n_features, n_features).
        """
        dot = operator.mul if scalar else operator.matmul
        intercept = self.fit_intercept
        penalty = self.penalty.gradient if self.penalty.active else None

        def gradient(count, sx, sxx, sxy, sy, w, b):
            scale = -2 / count
            gw = scale * (sxy - dot(sxx, w) - b * sx)
            gb = scale * (sy - dot(sx, w) - b * count) if intercept else 0.0
            if not scalar:  # a numpy scalar from the products
                gb = float(gb)
            if penalty is not None:
                gw = gw + penalty(w, subgradient)
            return gw, gb

        return gradient

    def hessian_eigen(self) -> tuple[np.ndarray, np.ndarray]:
        """Eigenvalues (ascending) and eigenvectors (columns) of the smooth part's Hessian, from
        the singular values of a square root (as :meth:`.Quadratic.hessian_eigen`): with λ₂ the
        root gets √λ₂ rows on the weights, since ∇² = 2·(MᵀM + λ₂·I_w)."""
        if not self.penalty.l2:
            return self.quadratic.hessian_eigen()
        root = self.quadratic._root()
        p, d = root.shape[1], self.n_features
        extra = np.zeros((d, p))
        extra[np.arange(d), np.arange(d)] = np.sqrt(self.penalty.l2)
        _, s, vt = np.linalg.svd(np.vstack([root, extra]), full_matrices=False)
        order = np.argsort(s)
        return 2 * s[order] ** 2, vt[order].T

    @cached_property
    def spectrum(self) -> Spectrum:
        """The smooth part's Hessian formed exactly from the training features, with its extreme
        eigenvalues enclosed (:mod:`.spectrum`): what the analysis's numbers are rounded from."""
        hessian = self.feature_sums.hessian(self.fit_intercept, self.penalty.l2)
        return Spectrum(hessian, self.hessian_eigen())

    @cached_property
    def feature_sums(self) -> FeatureSums:
        """n, Σx, Σx·xᵀ of the training features, exactly (:class:`.spectrum.FeatureSums`). An
        edit's new session is given its old one's, updated from the changed rows
        (:meth:`.Session.edited`), instead of a pass over the data."""
        return FeatureSums.of(self.features)

    def hessian(self) -> np.ndarray:
        """∇² of the smooth part (MSE + λ₂‖w‖²), ndarray of shape (p, p), intercept last."""
        h = self.quadratic.hessian()
        if self.penalty.l2:
            d = self.n_features
            h = h.copy()
            h[np.arange(d), np.arange(d)] += 2 * self.penalty.l2
        return h

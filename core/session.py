"""One dataset with one set of hyperparameters: the reference answer, the analysis and a trainer,
wired together. The command line and the app both work through a :class:`Session`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from . import float_range, residuals
from . import reference as reference_mod
from .analysis import Analysis, analyse
from .dataset import Dataset
from .errors import HyperparameterError
from .hyperparams import Hyperparameters
from .quadratic import Quadratic
from .reference import Reference
from .scaling import Scaling
from .trainer import Record, Trainer

#: Fields whose change starts the run again from epoch 0.
RESTART_FIELDS = frozenset({"m0", "b0", "standardize", "fit_intercept"})
#: Fields that apply from the next step on.
NEXT_STEP_FIELDS = frozenset({"lr", "epochs", "tol"})


@dataclass(frozen=True, eq=False)
class Problem:
    """What does not change while hyperparameters do (for one choice of scaling and intercept)."""

    dataset: Dataset
    reference: Reference
    scaling: Scaling
    quadratic: Quadratic
    loss: residuals.ResidualLoss

    @classmethod
    def build(
        cls,
        dataset: Dataset,
        standardize: bool,
        fit_intercept: bool,
        reference: Reference | None = None,
    ) -> Problem:
        ref = reference or reference_mod.solve(dataset, fit_intercept)
        if standardize:
            scaling = Scaling.standardizing(dataset.features, fit_intercept)
        else:
            scaling = Scaling.none(dataset.n_features)
        w_star, b_star = scaling.to_training(ref.weights, ref.intercept)
        with np.errstate(all="ignore"):  # out-of-range values are refused just below, by name
            q = Quadratic.from_features(
                scaling.features(dataset.features), w_star, b_star, ref.mse, fit_intercept
            )
        float_range.check_curvature(dataset, scaling, q, standardize)
        return cls(dataset, ref, scaling, q, residuals.ResidualLoss(dataset.features, dataset.y))


class Session:
    """A dataset, hyperparameters, and the run they define.

    Parameters
    ----------
    dataset : Dataset
    hp : Hyperparameters

    Raises
    ------
    DataError
        The data cannot be fitted (too few rows, collinear columns).
    HyperparameterError
        m0 or predict-x have the wrong number of values for the data.
    """

    def __init__(self, dataset: Dataset, hp: Hyperparameters, _problem: Problem | None = None):
        self.hp = hp
        self._analysis_cache: tuple[tuple[float, float, int], Analysis] | None = None
        self._mse_cache: tuple[tuple[bytes, float], float] | None = None
        self._check_against_data(dataset, hp)
        self.problem = _problem or Problem.build(dataset, hp.standardize, hp.fit_intercept)
        w0, b0 = self._start(hp)
        self._check_start(hp, w0, b0)
        self.trainer = Trainer(
            self.problem.quadratic,
            self.problem.scaling,
            w0,
            b0,
            hp.lr,
            hp.epochs,
            hp.tol,
            self.lr_max,
        )

    # -- what the session knows ----------------------------------------------------------------

    @property
    def dataset(self) -> Dataset:
        return self.problem.dataset

    @property
    def reference(self) -> Reference:
        return self.problem.reference

    @property
    def lr_max(self) -> float:
        return self._analysis_for(self.hp.lr, self.hp.tol, self.hp.epochs).lr_max

    @property
    def analysis(self) -> Analysis:
        """The learning-rate analysis for the current settings, from the starting point."""
        return self._analysis_for(self.hp.lr, self.hp.tol, self.hp.epochs)

    def _analysis_for(self, lr: float, tol: float, budget: int) -> Analysis:
        key = (lr, tol, budget)
        cache = self._analysis_cache
        if cache is None or cache[0] != key:
            w0, b0 = self._start(self.hp)
            cache = (key, analyse(self.problem.quadratic, w0, b0, lr, tol, budget))
            self._analysis_cache = cache
        return cache[1]

    def _start(self, hp: Hyperparameters) -> tuple[np.ndarray, float]:
        d = self.dataset.n_features
        m0 = np.array(hp.m0 * d if len(hp.m0) == 1 else hp.m0, dtype=np.float64)
        return self.problem.scaling.to_training(m0, hp.b0)

    def _check_start(self, hp: Hyperparameters, w0: np.ndarray, b0: float) -> None:
        """Refuse a start whose loss or gradient float64 cannot hold (--m0 1e200): the run would
        begin at inf, and its verdict could not agree with its outcome."""
        d = self.dataset
        m0 = np.array(hp.m0 * d.n_features if len(hp.m0) == 1 else hp.m0, dtype=np.float64)
        loss = self.problem.loss.mse(m0, hp.b0)
        with np.errstate(all="ignore"):
            model_loss, gw, gb = self.problem.quadratic.evaluate(w0, b0)
        if math.isfinite(loss) and np.all(np.isfinite(gw)) and math.isfinite(gb + model_loss):
            return
        start = f"m0 {', '.join(f'{v:g}' for v in hp.m0)}" + (
            f", b0 {hp.b0:g}" if hp.fit_intercept else ""
        )
        raise HyperparameterError(
            f"m0/b0: the loss or its gradient at the start ({start}) is beyond the range float64 "
            "holds (1.8e308); start nearer the data's scale"
        )

    @staticmethod
    def _check_against_data(dataset: Dataset, hp: Hyperparameters) -> None:
        d = dataset.n_features
        if len(hp.m0) not in (1, d):
            raise HyperparameterError(
                f"m0: give one value for every weight or one per weight ({d}: "
                f"{', '.join(dataset.feature_names)}), got {len(hp.m0)}"
            )
        columns = dataset.raw_x.shape[1]
        if len(hp.predict_x) != columns:
            raise HyperparameterError(
                f"predict: give one x value per x column "
                f"({columns}: {', '.join(dataset.x_names)}), "
                f"got {len(hp.predict_x)}"
            )

    # -- answers -------------------------------------------------------------------------------

    def record(self, epoch: int | None = None) -> Record:
        """An epoch's record (default: the current one), its MSE that of the parameters it shows,
        computed on the data (:mod:`.residuals`), not the trainer's fast-path model of it."""
        rec = self.trainer.record(epoch)
        key = (rec.weights.tobytes(), rec.intercept)
        if self._mse_cache is None or self._mse_cache[0] != key:
            self._mse_cache = (key, self.problem.loss.mse(rec.weights, rec.intercept))
        return replace(rec, mse=self._mse_cache[1])

    def prediction(self, record: Record | None = None) -> float:
        """ŷ at predict-x from a record's parameters (default: the current epoch): computed
        exactly, then rounded once; ±inf when it is beyond float64's range."""
        rec = record or self.record()
        return self._predict(rec.weights, rec.intercept)

    def reference_prediction(self) -> float:
        """ŷ at predict-x from the least-squares answer (exact, rounded once; ±inf beyond
        float64's range)."""
        return self._predict(self.reference.weights, self.reference.intercept)

    def _predict(self, weights: np.ndarray, intercept: float) -> float:
        d = self.dataset
        xs = [Fraction(v) for v in self.hp.predict_x]
        features = xs if d.degree == 1 else [xs[0] ** k for k in range(1, d.degree + 1)]
        value = Fraction(intercept) + sum(
            (Fraction(w) * f for w, f in zip(weights.tolist(), features)), Fraction(0)
        )
        return (
            float(value)
            if float_range.fits(value) or abs(value) < 1
            else (math.inf if value > 0 else -math.inf)
        )

    def r2_at(self, mse: float) -> float | None:
        """R² of parameters whose MSE is ``mse`` (same convention as the reference)."""
        ss_tot = self.reference.ss_tot
        if ss_tot == 0:
            return None
        return 1.0 - mse * self.dataset.n_samples / ss_tot

    def distance_to_reference(self, record: Record | None = None) -> float:
        """Euclidean distance, in data units, from a record's parameters to least squares'."""
        rec = record or self.record()
        diff = np.append(
            rec.weights - self.reference.weights, rec.intercept - self.reference.intercept
        )
        return math.hypot(*diff.tolist())

    # -- changing settings ---------------------------------------------------------------------

    def with_hyperparameters(self, hp: Hyperparameters) -> Session:
        """Apply new settings. lr, epochs and tol apply from the current epoch on (the same session
        is returned); any other change starts a new run at epoch 0 (a new session)."""
        changed = {f for f in hp.__dataclass_fields__ if getattr(hp, f) != getattr(self.hp, f)}
        if changed & RESTART_FIELDS:
            same_problem = (hp.standardize, hp.fit_intercept) == (
                self.hp.standardize,
                self.hp.fit_intercept,
            )
            problem = (
                self.problem
                if same_problem
                else Problem.build(
                    self.dataset,
                    hp.standardize,
                    hp.fit_intercept,
                    self.reference if hp.fit_intercept == self.hp.fit_intercept else None,
                )
            )
            return Session(self.dataset, hp, problem)
        self._check_against_data(self.dataset, hp)
        self.hp = hp
        self.trainer.set_budget(hp.epochs)
        self.trainer.set_tol(hp.tol)
        self.trainer.set_lr(hp.lr)
        return self

    def replace(self, **changes) -> Session:
        """Shorthand: ``session.replace(lr=0.05)``."""
        return self.with_hyperparameters(replace(self.hp, **changes))

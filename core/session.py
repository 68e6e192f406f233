"""One dataset with one set of hyperparameters: the reference answer, the objective, the
analysis and the run, wired together. The command line and the app both work through a
:class:`Session`, and change its settings in place with :meth:`Session.apply`.
"""

from __future__ import annotations

import math
import secrets
import threading
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from . import float_range, penalised, residuals
from . import reference as reference_mod
from . import settings as settings_mod
from . import validation as validation_mod
from .analysis import Analysis, analyse
from .dataset import Dataset
from .errors import HyperparameterError
from .float_range import quiet
from .hyperparams import Hyperparameters
from .moments import Change, Moments
from .objective import Objective, Penalty
from .optimizers import make
from .quadratic import Quadratic
from .reference import Reference
from .scaling import Scaling
from .spectrum import exact_stability
from .trainer import Record, Step, Trainer
from .validation import Validation


@dataclass(frozen=True, eq=False)
class Problem:
    """What does not change while the run's other settings do (for one choice of scaling,
    intercept and penalty)."""

    dataset: Dataset
    reference: Reference
    scaling: Scaling
    objective: Objective
    loss: residuals.ResidualLoss  # or, for streamed data, its SumsLoss (the same .mse)
    least_squares: Reference | None = None
    validation: Validation | None = None

    @property
    def quadratic(self) -> Quadratic:
        return self.objective.quadratic

    @classmethod
    @quiet
    def build(
        cls,
        dataset: Dataset,
        standardize: bool,
        fit_intercept: bool,
        reference: Reference | None = None,
        penalty: Penalty | None = None,
        validation: Validation | None = None,
    ) -> Problem:
        penalty = penalty or Penalty()
        ref = reference or reference_mod.solve(dataset, fit_intercept)  # least squares
        if standardize:
            scaling = Scaling.standardizing(dataset.features, fit_intercept)
        else:
            scaling = Scaling.none(dataset.n_features)
        w_star, b_star = scaling.to_training(ref.weights, ref.intercept)
        features = scaling.features(dataset.features)
        with np.errstate(all="ignore"):  # out-of-range values are refused just below, by name
            q = Quadratic.from_features(features, dataset.y, w_star, b_star, ref.mse, fit_intercept)
        float_range.check_curvature(dataset, scaling, q, standardize)
        shown = (
            penalised.solve(dataset, fit_intercept, penalty, scaling.scale)
            if penalty.active
            else ref
        )
        return cls(
            dataset,
            shown,
            scaling,
            Objective(q, penalty, features, dataset.y),
            dataset.streamed.loss()
            if dataset.streamed is not None
            else residuals.ResidualLoss(dataset.features, dataset.y),
            ref,
            validation,
        )


#: A gradient component within this many eps of the size of its terms is rounding noise (see
#: :meth:`Session.gradient_rounding_bound`): rounding the parameters shown, θ* and the moments,
#: and the model's few operations, each cost about one eps of those sizes, and the run's own
#: coordinates (standardised) can double them; 16 leaves room for their sum (the tests check
#: that the exact gradient is always within it).
ROUNDING_FACTOR = 16


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

    @quiet
    def __init__(self, dataset: Dataset, hp: Hyperparameters, _problem: Problem | None = None):
        hp = self._settle(hp)
        self._check_against_data(dataset, hp)
        self.loaded = dataset  # all rows; the problem's dataset is the training rows
        self.hp = hp
        self._analysis_cache: tuple[Hyperparameters, Analysis] | None = None
        self._mse_cache: tuple[tuple[bytes, float], float] | None = None
        self._rounding_cache: tuple | None = None
        #: The loaded data's moments (:mod:`.moments`), formed at the first edit.
        self._moments: Moments | None = None
        #: Held while the moments are formed (a worker thread may form them, see prepare_edits).
        self._moments_lock = threading.Lock()
        self.problem = _problem or self._build(hp)
        self.trainer = self._new_trainer(hp)

    def _new_trainer(self, hp: Hyperparameters) -> Trainer:
        w0, b0 = self._start(hp)
        self._check_start(hp, w0, b0)
        return Trainer(
            self.problem.objective,
            self.problem.scaling,
            w0,
            b0,
            hp,
            self.bound_of,
            self.problem.validation,
        )

    # -- what the session knows ----------------------------------------------------------------

    @property
    def dataset(self) -> Dataset:
        return self.problem.dataset

    @property
    def n_rows(self) -> int:
        """Rows of the data: those read, for streamed data (whose dataset holds only rows with
        the same moments), else those trained on."""
        streamed = self.dataset.streamed
        return streamed.n_samples if streamed is not None else self.dataset.n_samples

    @property
    def shown_data(self) -> Dataset:
        """The rows the fit chart and the data pane show: the dataset, or for streamed data its
        uniform sample (:meth:`~.streaming.StreamSummary.sample_dataset`)."""
        streamed = self.dataset.streamed
        if streamed is None:
            return self.dataset
        return streamed.sample_dataset(self.dataset.x_names, self.dataset.y_name)

    @property
    def reference(self) -> Reference:
        return self.problem.reference

    @property
    def lr_max(self) -> float | None:
        """The current method's largest stable rate (None: no fixed bound)."""
        return self.analysis.lr_max

    @property
    def analysis(self) -> Analysis:
        """The learning-rate analysis for the current settings, from the starting point."""
        return self._analysis_for(self.hp)

    @quiet
    def bound_of(self, hp: Hyperparameters) -> tuple[float | None, str]:
        """(largest stable rate or None, its formula) of the method ``hp`` names."""
        stability = exact_stability(self.problem.objective.spectrum, make(hp))
        return stability.lr_max, stability.bound

    @quiet
    def _analysis_for(self, hp: Hyperparameters) -> Analysis:
        cache = self._analysis_cache
        if cache is None or cache[0] != hp:
            w0, b0 = self._start(hp)
            q = self.problem.quadratic
            if self.problem.objective.penalty.active:  # the penalised optimum
                w_star, b_star = self.problem.scaling.to_training(
                    self.reference.weights, self.reference.intercept
                )
            else:
                w_star, b_star = q.w_star, q.b_star
            delta = np.asarray(w0, dtype=np.float64) - w_star
            if q.fit_intercept:
                delta = np.append(delta, b0 - b_star)
            result = analyse(
                self.problem.objective.hessian_eigen(),
                delta,
                hp.lr,
                hp.tol,
                hp.epochs,
                make(hp),
                exact=self.problem.objective.penalty.l1 == 0,
                spectrum=self.problem.objective.spectrum,
            )
            cache = (hp, result)
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
        # J (with the penalty) and its gradient, as the run's first step will compute them
        objective, model_loss, gw, gb = self.problem.objective.evaluate(w0, b0)
        finite = np.all(np.isfinite(gw)) and math.isfinite(gb + model_loss + objective)
        # The model is the loss (MSE* plus non-negative terms, each to a few ulps): far below
        # the overflow threshold it vouches for the data's loss without a pass over the data.
        if finite and model_loss < 1e300:
            return
        loss = self.problem.loss.mse(m0, hp.b0)
        # Epoch 0's record shows these parameters: its MSE (a pass over the data) is this one.
        self._mse_cache = ((m0.tobytes(), float(hp.b0)), loss)
        if math.isfinite(loss) and finite:
            return
        start = f"m0 {', '.join(f'{v:g}' for v in hp.m0)}" + (
            f", b0 {hp.b0:g}" if hp.fit_intercept else ""
        )
        penalised = self.problem.objective.penalty.active
        raise HyperparameterError(
            f"m0/b0: the loss{' (MSE + penalty)' if penalised else ''} or its gradient at the "
            f"start ({start}) is beyond the range float64 holds (1.8e308); start nearer the "
            f"data's scale{' or lower λ' if penalised else ''}"
        )

    def check_settings(self, hp: Hyperparameters) -> None:
        """Raise what applying ``hp`` would raise for not fitting the data (a value per column,
        what streamed data cannot do), without applying it.

        Raises
        ------
        HyperparameterError
        """
        self._check_against_data(self.loaded, hp)

    @staticmethod
    def _check_against_data(dataset: Dataset, hp: Hyperparameters) -> None:
        d = dataset.n_features
        if dataset.streamed is not None and hp.batch_size is not None:
            from .streaming import NO_MINI_BATCH

            raise HyperparameterError(f"batch size {hp.batch_size}: {NO_MINI_BATCH}")
        if dataset.streamed is not None and hp.validation > 0:
            from .streaming import NO_VALIDATION

            raise HyperparameterError(f"validation {hp.validation:g}: {NO_VALIDATION}")
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

    @quiet
    def record(self, epoch: int | None = None) -> Record:
        """An epoch's record (default: the current one), its MSE that of the parameters it shows,
        computed on the data (:mod:`.residuals`), not the trainer's fast-path model of it."""
        rec = self.trainer.record(epoch)
        key = (rec.weights.tobytes(), rec.intercept)
        if self._mse_cache is None or self._mse_cache[0] != key:
            self._mse_cache = (key, self.problem.loss.mse(rec.weights, rec.intercept))
        return replace(rec, mse=self._mse_cache[1])

    @quiet
    def step(self, epoch: int | None = None) -> Step:
        """The update that produced ``epoch`` (default: the current one), explained."""
        return self.trainer.step(epoch)

    @quiet
    def prediction(self, record: Record | None = None) -> float:
        """ŷ at predict-x from a record's parameters (default: the current epoch): computed
        exactly, then rounded once; ±inf when it is beyond float64's range."""
        rec = record or self.record()
        return self._predict(rec.weights, rec.intercept)

    @quiet
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

    @quiet
    def r2_at(self, mse: float) -> float | None:
        """R² of parameters whose MSE is ``mse`` (same convention as the reference)."""
        ss_tot = self.reference.ss_tot
        if ss_tot == 0:
            return None
        return 1.0 - mse * self.reference.n_samples / ss_tot

    @quiet
    def gradient_rounding_bound(self, record: Record | None = None) -> tuple[np.ndarray, float]:
        """How far float64 rounding may put a record's gradient (data units) from the exact
        gradient of the exact MSE at its parameters as shown: :data:`ROUNDING_FACTOR`·eps·Σ|terms|,
        per weight and for the intercept (0.0 without one).

        The gradient is H·(θ − θ*) and is computed from rounded parameters (those shown are the
        training coordinates' rounded back to data units), a rounded θ*, rounded moments and a
        few operations on them, each off by about eps of the size of its terms. Those sizes are
        bounded without a pass over the data: (2/n)·Σ|xᵢ·xⱼ| ≤ √(Hᵢᵢ·Hⱼⱼ) and (2/n)·Σ|xᵢ·y| ≤
        √Hᵢᵢ·√(2·mean(y²)) (Cauchy–Schwarz), so the terms of component i add up to at most
        aᵢ·(aᵀ(|θ| + |θ*|) + √(2·mean(y²))) with aᵢ = √Hᵢᵢ (H in data units). A
        computed component below its bound is rounding noise: the exact one may be anything from
        0 to about twice the bound, of either sign.
        """
        rec = record or self.record()
        a, star = self._rounding_sizes()
        d = self.dataset.n_features
        theta = np.abs(rec.weights)
        if self.hp.fit_intercept:
            theta = np.append(theta, abs(rec.intercept))
        with np.errstate(over="ignore", invalid="ignore"):
            size = a * float(a @ (theta + star)) + self.problem.objective.penalty.l1
            # (plus the subnormals' spacing: no float result is closer than that)
            bound = ROUNDING_FACTOR * (np.finfo(np.float64).eps * size + 2.0**-1074)
        return bound[:d], float(bound[d]) if self.hp.fit_intercept else 0.0

    def _rounding_sizes(self) -> tuple[np.ndarray, np.ndarray]:
        """(a, |θ*|) of :meth:`gradient_rounding_bound`, once per problem (the log asks for
        every row it draws)."""
        cache = self._rounding_cache
        if cache is not None and cache[0] is self.problem:
            return cache[1], cache[2]
        objective, scaling = self.problem.objective, self.problem.scaling
        h = objective.hessian()  # training coordinates
        d = self.dataset.n_features
        diag = np.abs(np.diag(h))
        with np.errstate(over="ignore", invalid="ignore"):
            if scaling.identity:
                a = np.sqrt(diag)
            else:
                # mean(x²) of x = σ·z + μ: σ²·mean(z²) + 2σμ·mean(z) + μ², from H's entries,
                # as (σt)²·(mean(z²) + 2r·mean(z) + r²)/t² with r = μ/σ, t = max(1, |r|): no
                # square of a tiny σ underflows, none of a huge μ/σ overflows
                mean_z = h[:d, d] / 2 if self.hp.fit_intercept else np.zeros(d)
                sigma = scaling.scale
                r = scaling.shift / sigma
                t = np.maximum(1.0, np.abs(r))
                inner = diag[:d] / 2 / t / t + 2 * (r / t) * (mean_z / t) + (r / t) ** 2
                a = math.sqrt(2) * sigma * t * np.sqrt(np.abs(inner))
                if self.hp.fit_intercept:
                    a = np.append(a, math.sqrt(diag[d]))
        # The model is anchored at least squares' answer; a penalised run heads for its own.
        answers = {id(r): r for r in (self.problem.least_squares, self.reference) if r is not None}
        star = sum(np.abs(np.append(r.weights, r.intercept)) for r in answers.values())
        if not self.hp.fit_intercept:
            star = star[:d]
        # The gradient's sum also has the terms x·y: (2/n)·Σ|xᵢ·y| ≤ aᵢ·√(2·mean(y²)), and
        # mean(y²) is the MSE at θ = 0 (y is never scaled).
        y_size = math.sqrt(2 * abs(self.problem.quadratic.evaluate(np.zeros(d), 0.0)[0]))
        star = star + y_size / max(float(a.sum()), np.finfo(np.float64).tiny)
        self._rounding_cache = (self.problem, a, star)
        return a, star

    @quiet
    def distance_to_reference(self, record: Record | None = None) -> float:
        """Euclidean distance, in data units, from a record's parameters to least squares'."""
        rec = record or self.record()
        diff = np.append(
            rec.weights - self.reference.weights, rec.intercept - self.reference.intercept
        )
        return math.hypot(*diff.tolist())

    # -- changing settings ---------------------------------------------------------------------

    @quiet
    def apply(self, hp: Hyperparameters) -> bool:
        """Apply new settings, in place. Settings declared to restart the run (see
        :mod:`.settings`) start a new run at epoch 0; the others apply from the current epoch on.

        Returns
        -------
        bool
            True if the run restarted.

        Raises
        ------
        HyperparameterError
            The settings do not fit the data (nothing is changed then).
        """
        hp = self._settle(hp)
        self._check_against_data(self.dataset, hp)
        changed = settings_mod.changed(self.hp, hp)
        if not settings_mod.restarts(changed):
            self.hp = hp
            self.trainer.apply(hp)
            return False
        old = self.hp
        kept = (self.problem, self._analysis_cache, self._mse_cache)
        try:
            if self._problem_key(hp) != self._problem_key(old):
                same_ls = (hp.fit_intercept, hp.validation, hp.seed) == (
                    old.fit_intercept,
                    old.validation,
                    old.seed,
                )
                self.problem = self._build(hp, self.problem.least_squares if same_ls else None)
            self._analysis_cache = None
            self.trainer = self._new_trainer(hp)
        except Exception:  # leave everything as it was (a refused start, data out of range)
            self.problem, self._analysis_cache, self._mse_cache = kept
            raise
        self.hp = hp
        return True

    def _build(self, hp: Hyperparameters, least_squares: Reference | None = None) -> Problem:
        data, held = self.loaded, None
        if hp.validation > 0:
            p = data.n_features + int(hp.fit_intercept)
            data, held = validation_mod.split(data, hp.validation, hp.seed, p)
        return Problem.build(
            data, hp.standardize, hp.fit_intercept, least_squares, Penalty(hp.l1, hp.l2), held
        )

    @staticmethod
    def _settle(hp: Hyperparameters) -> Hyperparameters:
        """Draw a seed when the settings need one and have none, so the run is reproducible (and
        stepping back exact) and the seed can be shown."""
        if hp.seed is None and (hp.batch_size is not None or hp.validation > 0):
            return replace(hp, seed=secrets.randbelow(2**31))
        return hp

    @staticmethod
    def _problem_key(hp: Hyperparameters) -> tuple:
        """The settings the problem (scaling, reference, objective) depends on."""
        split = (hp.validation, hp.seed) if hp.validation > 0 else None
        return (hp.standardize, hp.fit_intercept, hp.l1, hp.l2, split)

    # -- edited data -----------------------------------------------------------------------------

    def prepare_edits(self) -> None:
        """Form the data's moments now, which the first edit would otherwise form (about 40 ms a
        million rows of one column), and the exact feature sums behind the analysis; a worker
        thread may call this while the run goes on: it only reads the data. An edit made in
        place (:class:`~.editing.Patch`) calls this before it writes: once it returns, nothing
        reads the data for them any more (a worker forming them meanwhile is waited for)."""
        with self._moments_lock:
            if self._moments is None and self.loaded.streamed is None and self.hp.validation == 0:
                self._moments = Moments.of(self.loaded)
            if self._sums_follow_edits(self.hp):
                # the exact sums behind the analysis, formed now (before any in-place write)
                self.problem.objective.feature_sums  # noqa: B018

    def edited(self, dataset: Dataset, change: Change | None, hp: Hyperparameters) -> Session:
        """A new session for ``dataset``, which is this session's data after ``change`` (the rows
        an edit took out and put in; None: other data altogether), with settings ``hp``.

        The least-squares answer is updated from the changed rows alone: the data's moments
        (:class:`~.moments.Moments`, formed at the first edit) change by their outer products,
        exactly, and the answer is solved from them. Everything else (scaling, the quadratic
        model, the analysis) is built from the new rows as a new session builds it; where the
        moments cannot answer (a validation split, data too ill-conditioned for them, see
        :meth:`.Moments.reference`) the answer is solved from the rows too.

        Raises
        ------
        DataError, HyperparameterError
            As :class:`Session` does for the same data and settings.
        """
        hp = self._settle(hp)
        moments = None
        # (With a validation split the problem's rows are not all the loaded rows: an editor
        # shown them cannot be trusted to describe a change of the loaded ones.)
        expected = self.loaded.n_samples + len(change.added) - len(change.removed) if change else -1
        # An edit made in place shares the arrays: the loaded data already holds the new values,
        # so the moments before it are only those formed before the write (prepare_edits).
        in_place = dataset.y is self.loaded.y and dataset.raw_x is self.loaded.raw_x
        if (
            change is not None
            and self.loaded.streamed is None
            and self.hp.validation == 0
            and dataset.n_samples == expected
        ):
            with self._moments_lock:
                if self._moments is None and not in_place:
                    self._moments = Moments.of(self.loaded)
            if self._moments is not None:
                moments = self._moments.updated(change)
        least_squares = None
        if moments is not None and hp.validation == 0:
            least_squares = moments.reference(dataset, hp.fit_intercept)
        if least_squares is None:
            session = Session(dataset, hp)
        else:
            self._check_against_data(dataset, hp)
            problem = Problem.build(
                dataset, hp.standardize, hp.fit_intercept, least_squares, Penalty(hp.l1, hp.l2)
            )
            session = Session(dataset, hp, _problem=problem)
        session._moments = moments
        old = self.problem.objective
        if (
            moments is not None
            and self._sums_follow_edits(self.hp)
            and session._sums_follow_edits(hp)
            and "feature_sums" in old.__dict__  # formed (before an in-place write)
        ):
            # The exact sums behind the analysis, updated from the changed rows alone (seeding
            # the new objective's cached property) instead of a pass over a million rows.
            d = dataset.n_features
            sums = old.feature_sums.updated(change.removed[:, :d], change.added[:, :d])
            session.problem.objective.__dict__["feature_sums"] = sums
        return session

    def _sums_follow_edits(self, hp: Hyperparameters) -> bool:
        """An edit's changed rows are rows of the training features: unscaled data of plain
        columns, all rows trained on."""
        ds = self.dataset
        return (
            self.problem.scaling.identity
            and hp.validation == 0
            and ds.streamed is None
            and ds.degree == 1
            and ds.moment_features is None
        )

    def with_hyperparameters(self, hp: Hyperparameters) -> Session:
        """:meth:`apply`, returning the session (the same one) for chaining."""
        self.apply(hp)
        return self

    def replace(self, **changes) -> Session:
        """Shorthand: ``session.replace(lr=0.05)`` (in place; returns the session)."""
        return self.with_hyperparameters(replace(self.hp, **changes))

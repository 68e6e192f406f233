"""The loss landscape: J over two parameters, the others held, as a grid of excess loss J − J*.

J is a quadratic in θ = (w, b) with constant Hessian H and minimum J* at θ*, so on the plane
through a point θₕ spanned by parameters i and j (a *slice*), with δ = θ − θ*,

    J − J* = ½·δᵀ·H·δ = E₀ + ½·dᵀ·Hₐₐ·d,     d = (θᵢ, θⱼ) − (the slice's own minimum)

where Hₐₐ is the 2×2 block of H for (i, j) and E₀ ≥ 0 is the excess at the slice's minimum (0 when
the held parameters are at the optimum, as they always are with two parameters). Both terms are
sums of non-negative parts (Hₐₐ is split into its eigenvalues), so the excess is never the
difference of two nearly equal numbers, however thin the valley. A grid costs O(cells) and
nothing else: not the data's size, not the history's length.

The coordinates are those gradient descent runs in (standardised ones when standardising): the
geometry of that space (round bowl or long thin valley) is what decides how gradient descent moves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .objective import Objective
from .quadratic import Quadratic

#: Largest number of contour bands (levels + 1); the app has a glyph for each.
MAX_BANDS = 8
#: Band widths tried, in decades of J − J*: the smallest that fits the view into MAX_BANDS.
LEVEL_STEPS = (0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
#: The excess is drawn down to this fraction of its largest value in the view (below: one band).
DYNAMIC_RANGE = 1e-12


@dataclass(frozen=True)
class Bowl:
    """J as a quadratic: its Hessian, minimiser and minimum (training coordinates, b last).

    Attributes
    ----------
    hessian : ndarray of shape (p, p)
    theta_star : ndarray of shape (p,)
    j_star : float
    names : tuple of str
        One per parameter.
    """

    hessian: np.ndarray
    theta_star: np.ndarray
    j_star: float
    names: tuple[str, ...]
    #: With an L1 penalty (J not quadratic): λ₁, the number of weights (the first parameters),
    #: and the smooth part's gradient at θ*, so J − J* = g·δ + ½δᵀHδ + λ₁(‖w‖₁ − ‖w*‖₁).
    l1: float = 0.0
    n_weights: int = 0
    gradient: np.ndarray | None = None

    @classmethod
    def from_objective(
        cls, objective: Objective, theta_star: np.ndarray, names: tuple[str, ...]
    ) -> Bowl:
        """J = MSE + λ₂‖w‖² + λ₁‖w‖₁ around its minimiser ``theta_star`` (training coordinates,
        b last): the smooth part's Hessian, and with λ₁ the smooth part's gradient at θ*."""
        pen = objective.penalty
        d = objective.n_features
        theta_star = np.asarray(theta_star, dtype=np.float64)
        w, b = theta_star[:d], float(theta_star[d]) if objective.fit_intercept else 0.0
        j_star = float(objective.evaluate(w, b)[0])
        gradient = None
        if pen.l1:
            _, gw, gb = objective.quadratic.evaluate(w, b)
            gw = gw + 2 * pen.l2 * w
            gradient = np.append(gw, gb) if objective.fit_intercept else gw
        return cls(objective.hessian(), theta_star, j_star, tuple(names), pen.l1, d, gradient)

    @classmethod
    def from_quadratic(cls, q: Quadratic, names: tuple[str, ...]) -> Bowl:
        """The MSE's bowl (training coordinates; b last when there is an intercept)."""
        star = np.append(q.w_star, q.b_star) if q.fit_intercept else q.w_star.copy()
        return cls(q.hessian(), star, q.mse_star, tuple(names))

    @property
    def n_params(self) -> int:
        return int(self.theta_star.shape[0])

    def excess(self, theta: np.ndarray) -> np.ndarray:
        """J − J* at points ``theta`` of shape (..., p): for a quadratic J, a sum of non-negative
        terms; with L1, that plus the penalty's linear and |w| terms (at least 0)."""
        theta = np.asarray(theta, dtype=np.float64)
        lam, vec = np.linalg.eigh(self.hessian)
        delta = theta - self.theta_star
        coords = delta @ vec
        quad = 0.5 * (coords * coords) @ np.maximum(lam, 0.0)
        if not self.l1:
            return quad
        k = self.n_weights
        absw = np.abs(theta[..., :k]).sum(axis=-1) - np.abs(self.theta_star[:k]).sum()
        return np.maximum(delta @ self.gradient + quad + self.l1 * absw, 0.0)


def parameter_names(
    feature_names: tuple[str, ...], fit_intercept: bool, standardized: bool
) -> tuple[str, ...]:
    """Names of the parameters as the landscape labels them: m and b for one feature, else one
    w per feature; a ``z`` subscript marks standardised coordinates."""
    z = "_z" if standardized else ""
    one = len(feature_names) == 1
    names = [f"m{z}"] if one else [f"w{z}[{name}]" for name in feature_names]
    if fit_intercept:
        names.append(f"b{z}")
    return tuple(names)


def pairs(n_params: int) -> list[tuple[int, int]]:
    """Every pair of parameters the landscape can show, in the order a key cycles through them:
    (0, last) first (the first weight against the intercept), then the others."""
    if n_params < 2:
        return []
    first = (0, n_params - 1)
    rest = [(i, j) for i in range(n_params) for j in range(i + 1, n_params) if (i, j) != first]
    return [first, *rest]


@dataclass(frozen=True)
class Slice:
    """J − J* on the plane through ``held`` spanned by parameters ``i`` and ``j``.

    Attributes
    ----------
    i, j : int
        The parameters on the horizontal and vertical axes.
    held : ndarray of shape (p,)
        The point the plane passes through (the other parameters keep its values).
    minimum : ndarray of shape (2,)
        (θᵢ, θⱼ) where J is smallest on the plane.
    floor : float
        E₀, the excess J − J* there (0 with two parameters, or when the held ones are optimal).
    curvatures : ndarray of shape (2,)
        Eigenvalues of the 2×2 Hessian block, ascending.
    directions : ndarray of shape (2, 2)
        Its eigenvectors, as columns: the ellipses' long axis first (the smallest curvature).
    """

    i: int
    j: int
    held: np.ndarray
    minimum: np.ndarray
    floor: float
    curvatures: np.ndarray
    directions: np.ndarray
    l1: float = 0.0
    n_weights: int = 0
    offset: float = 0.0

    @classmethod
    def through(cls, bowl: Bowl, held: np.ndarray, i: int, j: int) -> Slice:
        """The slice of ``bowl`` through ``held`` along parameters ``i`` and ``j``."""
        p = bowl.n_params
        if not (0 <= i < p and 0 <= j < p and i != j):
            raise ValueError(f"parameters {i} and {j}: need two different ones of 0..{p - 1}")
        h = np.asarray(bowl.hessian, dtype=np.float64)
        held = np.asarray(held, dtype=np.float64)
        delta = held - bowl.theta_star
        a = [i, j]
        rest = [k for k in range(p) if k not in a]
        h_aa = h[np.ix_(a, a)]
        lam, vec = np.linalg.eigh(h_aa)
        d_min = np.zeros(2)
        if rest:
            # The plane's minimum: ∂/∂(θᵢ, θⱼ) = 0 ⇔ Hₐₐ·dₐ = −Hₐᵣ·δᵣ (pseudo-inverse: a flat
            # direction has its minimum anywhere; the held point's own coordinate is then kept).
            rhs = -h[np.ix_(a, rest)] @ delta[rest]
            inv = np.where(lam > lam.max() * 1e-14, 1.0 / np.where(lam > 0, lam, 1.0), 0.0)
            d_min = vec @ (inv * (vec.T @ rhs))
        if bowl.l1:
            # The smooth part Q(θ) − Q(θ*) = g·δ + ½δᵀHδ is minimised on the plane where
            # Hₐₐ·dₐ = −(gₐ + Hₐᵣ·δᵣ).
            g = bowl.gradient
            rhs = -(g[a] + (h[np.ix_(a, rest)] @ delta[rest] if rest else 0.0))
            inv = np.where(lam > lam.max() * 1e-14, 1.0 / np.where(lam > 0, lam, 1.0), 0.0)
            d_min = vec @ (inv * (vec.T @ rhs))
            full = delta.copy()
            full[a] = d_min
            smooth_min = float(full @ g + 0.5 * full @ h @ full)
            k = bowl.n_weights
            rest_abs = sum(abs(float(held[r])) for r in rest if r < k)
            offset = bowl.l1 * (rest_abs - float(np.abs(bowl.theta_star[:k]).sum()))
            minimum = bowl.theta_star[a] + d_min
            return cls(
                i, j, held, minimum, smooth_min, np.maximum(lam, 0.0), vec, bowl.l1, k, offset
            )
        full = delta.copy()
        full[a] = d_min
        floor = float(bowl.excess(bowl.theta_star + full))
        minimum = bowl.theta_star[a] + d_min
        return cls(i, j, held, minimum, floor, np.maximum(lam, 0.0), vec)

    def excess(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """J − J* at (θᵢ, θⱼ) = (u, v), broadcast (e.g. u of shape (1, W), v of shape (H, 1))."""
        u = np.asarray(u, dtype=np.float64)
        v = np.asarray(v, dtype=np.float64)
        du = u - self.minimum[0]
        dv = v - self.minimum[1]
        c0 = du * self.directions[0, 0] + dv * self.directions[1, 0]
        c1 = du * self.directions[0, 1] + dv * self.directions[1, 1]
        smooth = self.floor + 0.5 * (self.curvatures[0] * c0 * c0 + self.curvatures[1] * c1 * c1)
        if not self.l1:
            return smooth
        # J is the smooth part plus λ₁‖w‖₁: the smooth part's own excess (measured from its
        # minimum on the plane), plus λ₁·|each weight on the axes|, plus the constant rest.
        on_axes = sum(np.abs(x) for x, k in ((u, self.i), (v, self.j)) if k < self.n_weights)
        return np.maximum(smooth + self.l1 * on_axes + self.offset, 0.0)

    def extent(self, level: float) -> np.ndarray:
        """Half-widths (along θᵢ and θⱼ) of the ellipse J − J* ≤ ``level`` (0 if below the floor;
        inf along a flat direction)."""
        above = level - self.floor
        if above <= 0:
            return np.zeros(2)
        lam, vec = self.curvatures, self.directions
        # Half-width along axis k of {½ Σ λ (vᵀd)² ≤ L}: √(2L · Σ vₖ²/λ).
        with np.errstate(divide="ignore"):
            inv = np.where(lam > 0, 1.0 / np.where(lam > 0, lam, 1.0), np.inf)
        return np.sqrt(2 * above * ((vec * vec) @ inv))


@dataclass(frozen=True)
class View:
    """The rectangle of the plane shown: centre and units per pixel (the same on both axes, so
    the ellipses have their true shape and the gradient is perpendicular to the contours)."""

    centre: tuple[float, float]
    scale: float

    def axes(self, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
        """Pixel-centre coordinates: u of shape (width,), v of shape (height,) top row first."""
        cu, cv = self.centre
        u = cu + (np.arange(width) - (width - 1) / 2) * self.scale
        v = cv - (np.arange(height) - (height - 1) / 2) * self.scale
        return u, v

    def pixel(self, u: np.ndarray, v: np.ndarray, width: int, height: int):
        """(column, row) of points, as floats (off the picture when outside 0..size−1)."""
        cu, cv = self.centre
        col = (np.asarray(u) - cu) / self.scale + (width - 1) / 2
        row = (cv - np.asarray(v)) / self.scale + (height - 1) / 2
        return col, row

    def zoomed(self, factor: float) -> View:
        """Zoom in by ``factor`` (> 1 in, < 1 out) about the centre."""
        return View(self.centre, self.scale / factor)

    def centred(self, u: float, v: float) -> View:
        return View((float(u), float(v)), self.scale)


def fit_view(sl: Slice, points: np.ndarray, width: int, height: int, margin: float = 0.1) -> View:
    """The view that shows ``points`` of shape (k, 2) and the slice's minimum, with a margin
    (when they all coincide: the contour through a unit step from the minimum).

    Parameters
    ----------
    points : ndarray of shape (k, 2)
        (θᵢ, θⱼ) of the points to show (path, current point, optimum).
    width, height : int
        The picture in pixels.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    pts = pts[np.isfinite(pts).all(axis=1)]
    pts = np.vstack([pts, sl.minimum[None, :]])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = hi - lo
    if not (span > 0).any():
        # Everything at one point (a start at the optimum): the neighbourhood where J − J* is
        # up to what a unit step along the flattest direction costs.
        half = sl.extent(sl.floor + 0.5 * max(float(sl.curvatures[0]), 1e-300))
        half = np.where(np.isfinite(half) & (half > 0), half, 1.0)
        lo, span = sl.minimum - half, 2 * half
    centre = lo + span / 2
    scale = max(span[0] / max(width - 1, 1), span[1] / max(height - 1, 1)) * (1 + 2 * margin)
    if not (math.isfinite(scale) and scale > 0):
        scale = 1.0
    return View((float(centre[0]), float(centre[1])), scale)


@dataclass(frozen=True)
class Levels:
    """Log-spaced contour levels of J − J*.

    Attributes
    ----------
    values : ndarray of shape (k,)
        Ascending; k + 1 ≤ MAX_BANDS bands.
    step : float
        Decades between neighbouring levels.
    """

    values: np.ndarray
    step: float

    def bands(self, excess: np.ndarray) -> np.ndarray:
        """Band of each value: 0 below the lowest level, k above the highest (int array)."""
        return np.searchsorted(self.values, excess, side="right")


def choose_levels(excess: np.ndarray) -> Levels:
    """Levels at whole multiples of a step in log10 (a nice number of decades), so that the values
    in ``excess`` fall into at most :data:`MAX_BANDS` bands."""
    finite = excess[np.isfinite(excess)]
    hi = float(finite.max()) if finite.size else 0.0
    if not hi > 0:
        return Levels(np.array([]), 1.0)
    lo = max(float(finite.min()), hi * DYNAMIC_RANGE, np.finfo(float).tiny)
    top, bottom = math.log10(hi), math.log10(lo)
    for step in LEVEL_STEPS:
        first = math.floor(bottom / step) + 1
        last = math.ceil(top / step) - 1
        if last - first + 2 <= MAX_BANDS:
            break
    if last < first:  # the whole view inside one step: one level in the middle
        return Levels(np.array([10 ** ((top + bottom) / 2)]), step)
    exponents = np.arange(first, last + 1) * step
    return Levels(10.0**exponents, step)


@dataclass(frozen=True)
class Picture:
    """A slice drawn into a grid of pixels.

    Attributes
    ----------
    bands : ndarray of shape (height, width), int
        Band of each pixel (0: lowest).
    levels : Levels
    view : View
    """

    bands: np.ndarray
    levels: Levels
    view: View


def draw(sl: Slice, view: View, width: int, height: int) -> Picture:
    """The slice's excess at every pixel centre of a ``width`` × ``height`` picture, in bands."""
    u, v = view.axes(width, height)
    with np.errstate(over="ignore", invalid="ignore"):
        excess = sl.excess(u[None, :], v[:, None])
    levels = choose_levels(excess)
    return Picture(levels.bands(excess), levels, view)


def thin_path(points: np.ndarray, view: View, width: int, height: int) -> np.ndarray:
    """The path's points as pixels, consecutive duplicates dropped, ndarray of shape (k, 2) of
    (column, row) floats. Cost O(len(points)), which the caller keeps bounded."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    col, row = view.pixel(pts[:, 0], pts[:, 1], width, height)
    px = np.column_stack([col, row])
    px = px[np.isfinite(px).all(axis=1)]
    if len(px) < 2:
        return px
    cells = np.round(px).astype(np.int64)
    keep = np.ones(len(px), dtype=bool)
    keep[1:] = (cells[1:] != cells[:-1]).any(axis=1)
    keep[-1] = True
    return px[keep]


def segment_pixels(path: np.ndarray, width: int, height: int, limit: int = 4000) -> np.ndarray:
    """Pixels on the straight segments joining consecutive path points, clipped to the picture,
    ndarray of shape (k, 2) of (column, row) ints. At most ``limit`` pixels (one sample per pixel
    of segment length)."""
    if len(path) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    a, b = path[:-1], path[1:]
    # Clip each segment's length to the picture's diagonal: a run that diverged jumps far off.
    lengths = np.ceil(np.abs(b - a).max(axis=1)).clip(1, width + height)
    total = int(lengths.sum())
    if total > limit:
        lengths = np.maximum(1, np.floor(lengths * limit / total))
    counts = lengths.astype(np.int64)
    seg = np.repeat(np.arange(len(a)), counts)
    starts = np.cumsum(counts) - counts
    t = (np.arange(counts.sum()) - np.repeat(starts, counts)) / np.repeat(counts, counts)
    pts = a[seg] + (b[seg] - a[seg]) * t[:, None]
    pix = np.round(pts).astype(np.int64)
    inside = (pix[:, 0] >= 0) & (pix[:, 0] < width) & (pix[:, 1] >= 0) & (pix[:, 1] < height)
    return pix[inside]

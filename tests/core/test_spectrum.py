"""The analysis's numbers (λmin, λmax, lr_max, lr_best, condition number, Polyak's β) against an
independent answer, correctly rounded to float64.

The independent answer: the Hessian (2/n)·[X 1]ᵀ[X 1] (+ 2·λ₂ on the weights) summed over the
rows in Fractions; its extreme eigenvalues enclosed by bisection with Sturm sequences of its exact
characteristic polynomial (Faddeev–LeVerrier, in Fractions) to 2^-300 of their size; each formula
evaluated exactly at both ends of the enclosure (rational ones) or in decimal at 120 digits (those
with square roots); the float both ends round to is the correctly rounded value. (The code under
test counts eigenvalues by the signs of leading principal minors instead, and starts from float
eigenvectors' Rayleigh quotients.)
"""

from __future__ import annotations

import decimal
import itertools
import math
import os
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from refdata import load_nist

from linreg_tui.core.dataset import Dataset, seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session

# -- the independent answer --------------------------------------------------------------------


def exact_hessian(features: np.ndarray, fit_intercept: bool, l2: float) -> list[list[Fraction]]:
    n, d = features.shape
    rows = [
        [Fraction(v) for v in row] + ([Fraction(1)] if fit_intercept else [])
        for row in features.tolist()
    ]
    p = len(rows[0])
    h = [
        [sum((r[i] * r[j] for r in rows), Fraction(0)) * Fraction(2, n) for j in range(p)]
        for i in range(p)
    ]
    for i in range(d):
        h[i][i] += 2 * Fraction(l2)
    return h


def char_poly(h: list[list[Fraction]]) -> list[Fraction]:
    """Coefficients of det(λI − H), highest degree first (Faddeev–LeVerrier)."""
    p = len(h)
    coeffs = [Fraction(1)]
    m = [[Fraction(0)] * p for _ in range(p)]
    for k in range(1, p + 1):
        # M_k = H·M_{k−1} + c_{k−1}·I ; c_k = −tr(H·M_k)/k
        for i in range(p):
            m[i][i] += coeffs[-1]
        hm = [
            [sum((h[i][t] * m[t][j] for t in range(p)), Fraction(0)) for j in range(p)]
            for i in range(p)
        ]
        coeffs.append(-sum((hm[i][i] for i in range(p)), Fraction(0)) / k)
        m = hm
    return coeffs


def _evaluate(poly: list[Fraction], x: Fraction) -> Fraction:
    value = Fraction(0)
    for c in poly:
        value = value * x + c
    return value


def _remainder(a: list[Fraction], b: list[Fraction]) -> list[Fraction]:
    a = list(a)
    while len(a) >= len(b) and any(a):
        factor = a[0] / b[0]
        for i in range(len(b)):
            a[i] -= factor * b[i]
        a.pop(0)
    while a and a[0] == 0:
        a.pop(0)
    return a


def sturm(poly: list[Fraction]) -> list[list[Fraction]]:
    deg = len(poly) - 1
    derivative = [c * (deg - i) for i, c in enumerate(poly[:-1])]
    chain = [poly, derivative]
    while len(chain[-1]) > 1:
        r = _remainder(chain[-2], chain[-1])
        if not r:
            break
        chain.append([-c for c in r])
    return chain


def roots_above(chain, x: Fraction) -> int:
    """Sign changes of the chain at x: minus those at +∞, the distinct roots in (x, ∞)."""
    signs = [v for v in (_evaluate(q, x) for q in chain) if v != 0]
    return sum(1 for a, b in itertools.pairwise(signs) if (a > 0) != (b > 0))


def extreme_roots(h: list[list[Fraction]]) -> tuple[tuple[Fraction, Fraction], ...]:
    """Enclosures (lo, hi) of the smallest and largest eigenvalue, to 2^-300 relative."""
    if len(h) == 1:  # the one eigenvalue is the one entry
        return ((h[0][0], h[0][0]),) * 2
    poly = char_poly(h)
    chain = sturm(poly)
    top = sum((abs(v) for row in h for v in row), Fraction(1))
    at_inf = roots_above(chain, top)  # the chain's sign changes left at +∞
    total = roots_above(chain, Fraction(-1)) - at_inf  # distinct roots, all in [0, top)
    out = []
    for want in (total, 1):  # λmin: all distinct roots above lo; λmax: one root above lo
        lo, hi = Fraction(-1), top
        if want == total and poly[-1] == 0:
            out.append((Fraction(0), Fraction(0)))
            continue
        while hi - lo > abs(hi) / (1 << 300):
            mid = (lo + hi) / 2
            if _evaluate(poly, mid) == 0:
                # a root exactly: it is the one sought if the count says so on both sides
                above_mid = roots_above(chain, mid) - at_inf
                if above_mid == want - 1:
                    lo = hi = mid
                    break
            if roots_above(chain, mid) - at_inf >= want:
                lo = mid
            else:
                hi = mid
        # an eigenvalue with few bits (2 for standardized data) is found exactly: a tie then
        # rounds to even
        short = Fraction(round(hi * 2**80), 2**80)
        if lo <= short <= hi and _evaluate(poly, short) == 0:
            lo = hi = short
        out.append((lo, hi))
    return tuple(out)


def rounded(values) -> float:
    """The float every value in ``values`` rounds to (they enclose the exact one)."""
    floats = {float(v) for v in values}
    assert len(floats) == 1, f"the enclosure straddles a rounding boundary: {floats}"
    return floats.pop()


def expected(h):
    (min_lo, min_hi), (max_lo, max_hi) = extreme_roots(h)
    out = {
        "lam_min": rounded([min_lo, min_hi]),
        "lam_max": rounded([max_lo, max_hi]),
        "lr_max": rounded([2 / max_lo, 2 / max_hi]),
        "lr_best": rounded([2 / (min_lo + max_lo), 2 / (min_hi + max_hi)]),
        "condition": math.inf if min_lo == 0 else rounded([max_lo / min_hi, max_hi / min_lo]),
    }
    beta = Fraction(0.9)
    out["momentum_lr_max"] = rounded([2 * (1 + beta) / max_lo, 2 * (1 + beta) / max_hi])
    out["nesterov_lr_max"] = rounded(
        [2 * (1 + beta) / ((1 + 2 * beta) * m) for m in (max_lo, max_hi)]
    )
    with decimal.localcontext() as ctx:
        ctx.prec = 120
        dec = [Decimal(q.numerator) / Decimal(q.denominator) for q in (min_lo, min_hi)]
        dec_max = [Decimal(q.numerator) / Decimal(q.denominator) for q in (max_lo, max_hi)]
        pairs = [(a, b) for a in dec for b in dec_max] if len(h) > 1 else list(zip(dec, dec))
        polyak = [4 / (a.sqrt() + b.sqrt()) ** 2 for a, b in pairs]
        beta_star = [((b.sqrt() - a.sqrt()) / (b.sqrt() + a.sqrt())) ** 2 for a, b in pairs]
        out["polyak_lr"] = rounded([Fraction(v) for v in polyak])
        out["polyak_beta"] = rounded([Fraction(v) for v in beta_star])
    return out


# -- the code under test, through the session ----------------------------------------------------


def hyper(dataset: Dataset, **settings) -> Hyperparameters:
    return Hyperparameters(predict_x=(0.0,) * dataset.raw_x.shape[1], **settings)


def shown(dataset: Dataset, **hp) -> dict:
    base = dict(standardize=False)
    base.update(hp)
    gd = Session(dataset, hyper(dataset, **base)).analysis
    momentum = Session(dataset, hyper(dataset, optimizer="momentum", momentum=0.9, **base)).analysis
    nesterov = Session(dataset, hyper(dataset, optimizer="nesterov", momentum=0.9, **base)).analysis
    return {
        "lam_min": float(gd.eigenvalues[0]),
        "lam_max": float(gd.eigenvalues[-1]),
        "lr_max": gd.lr_max,
        "lr_best": gd.lr_best,
        "condition": gd.condition,
        "momentum_lr_max": momentum.lr_max,
        "nesterov_lr_max": nesterov.lr_max,
        "polyak_lr": momentum.lr_best,
        "polyak_beta": momentum.best_other["momentum"],
    }


def check(dataset: Dataset, fit_intercept: bool = True, l2: float = 0.0, standardize=False):
    session = Session(
        dataset, hyper(dataset, standardize=standardize, fit_intercept=fit_intercept, l2=l2)
    )
    features = session.problem.objective.features  # the training coordinates
    want = expected(exact_hessian(np.asarray(features), fit_intercept, l2))
    got = shown(dataset, fit_intercept=fit_intercept, l2=l2, standardize=standardize)
    assert got == want, np.asarray(dataset.raw_x).tolist()


def test_seed_data_to_the_last_digit():
    """The report's numbers: Hessian [[22, 6], [6, 2]], λ = 12 ± √136."""
    got = shown(seed_dataset())
    assert got["lr_best"] == 0.08333333333333333 == float(Fraction(1, 12))
    assert got["lr_max"] == 0.08452405257734977
    assert got["condition"] == 69.98571136907181
    check(seed_dataset())


def _nist(name: str) -> Dataset:
    case = load_nist(name)
    x = case.x if case.x.ndim == 2 else case.x[:, None]
    names = tuple(f"x{i}" for i in range(x.shape[1]))
    return Dataset(
        raw_x=np.ascontiguousarray(x, dtype=np.float64), y=case.y, x_names=names, y_name="y"
    )


@pytest.mark.parametrize("name", ["Norris", "NoInt1", "Pontius"])
def test_nist_one_column(name):
    check(_nist(name), fit_intercept=name != "NoInt1")


def test_nist_longley_standardized():
    """Longley: six columns, condition number ~1e8 of the design even standardized."""
    check(_nist("Longley"), standardize=True)


def test_nist_longley_raw_smallest_eigenvalue():
    """Raw Longley's Hessian has condition number ~1e20: λmin is still right to the last bit."""
    data = _nist("Longley")
    session = Session(data, hyper(data, standardize=False))
    h = exact_hessian(np.asarray(session.problem.objective.features), True, 0.0)
    (min_lo, min_hi), (max_lo, max_hi) = extreme_roots(h)
    a = session.analysis
    assert a.eigenvalues[0] == rounded([min_lo, min_hi])
    assert a.eigenvalues[-1] == rounded([max_lo, max_hi])
    assert a.lr_max == rounded([2 / max_lo, 2 / max_hi])
    assert a.condition == rounded([max_lo / min_hi, max_hi / min_lo])


def _column(draw, n: int) -> list[float]:
    """One column of any scale: mantissas times a power of two, maybe around a large offset."""
    scale = draw(st.integers(-80, 80))
    offset = draw(st.sampled_from([0.0, 0.0, 1e9, -3.5e4, 2.0**60]))
    values = draw(st.lists(st.integers(-(2**20), 2**20), min_size=n, max_size=n))
    return [offset + math.ldexp(v, scale - 20) for v in values]


@st.composite
def data(draw):
    n = draw(st.integers(3, 12))
    d = draw(st.integers(1, 3))
    x = np.array([_column(draw, n) for _ in range(d)]).T
    y = np.array(draw(st.lists(st.floats(-1e3, 1e3), min_size=n, max_size=n)))
    return Dataset(raw_x=x, y=y, x_names=tuple(f"x{i}" for i in range(d)), y_name="y")


@settings(
    max_examples=int(os.environ.get("SPECTRUM_EXAMPLES", 60)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data(), st.booleans(), st.sampled_from([0.0, 0.0, 1e-3, 0.25]), st.booleans())
def test_random_data_any_scale(dataset, fit_intercept, l2, standardize):
    try:
        Session(
            dataset, hyper(dataset, standardize=standardize, fit_intercept=fit_intercept, l2=l2)
        )
    except ValueError:  # collinear columns, values out of float64's range: refused by name
        assume(False)
    check(dataset, fit_intercept, l2, standardize)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda p: st.tuples(
            st.just(p),
            st.lists(st.integers(-3, 3), min_size=p * p, max_size=p * p),
            st.integers(-12, 12),
        )
    )
)
def test_inertia_counts_repeated_eigenvalues(case):
    """Eigenvalues below and at σ of small integer matrices (repeated ones, singular ones, σ on an
    eigenvalue), against the exact characteristic polynomial's roots: integer matrices' rational
    eigenvalues are integers (the others, roots of an integer quartic with small coefficients, are
    far more than 1e-6 from any integer)."""
    from linreg_tui.core.spectrum import _Integer

    p, entries, sigma = case
    a = np.array(entries, dtype=np.int64).reshape(p, p)
    sym = (a + a.T).tolist()
    h = [[Fraction(v) for v in row] for row in sym]
    poly = char_poly(h)
    equal = 0
    reduced = poly
    while _evaluate(reduced, Fraction(sigma)) == 0:  # the multiplicity of σ as a root
        equal += 1
        reduced = _remainder_quotient(reduced, sigma)
    values = np.linalg.eigvalsh(np.array(sym, dtype=float))
    below = int(np.sum(values < sigma - 1e-6))
    assert _Integer(h).inertia(Fraction(sigma)) == (below, equal)


def _remainder_quotient(poly: list[Fraction], root: int) -> list[Fraction]:
    """poly / (λ − root) (synthetic division; the remainder is zero)."""
    out = [poly[0]]
    for c in poly[1:-1]:
        out.append(c + out[-1] * root)
    return out


def _numbers(session: Session) -> tuple:
    a = session.analysis
    return (a.lr_max, a.lr_best, a.condition, a.eigenvalues[0], a.eigenvalues[-1])


@pytest.mark.parametrize("in_place", [False, True])
def test_an_edit_updates_the_exact_sums_from_the_changed_rows(in_place):
    """After edits (set, add, delete; in place or copied) the analysis is bit for bit a fresh
    session's on the new rows, and the sums came from the update, not a pass over the rows."""
    from linreg_tui.core.editing import EditableData

    rng = np.random.default_rng(5)
    x = np.round(rng.uniform(-50, 50, (40, 2)), 3)
    ds = Dataset(x, np.round(x @ [1.5, -2.0] + rng.normal(0, 1, 40), 2), ("a", "b"), "y")
    hp = hyper(ds, m0=(0.0,))
    session, data = Session(ds, hp), EditableData(ds)
    _numbers(session)
    for propose in (
        lambda: data.propose_set(4, 0, "1e-9", in_place=in_place),
        lambda: data.propose_add(["0.3", "-2e7", "1"], at=0),
        lambda: data.propose_delete(10),
        lambda: data.propose_set(0, 1, "3.25", in_place=in_place),
    ):
        session.prepare_edits()  # as the app does (before an in-place write)
        new, edit = propose()
        if edit.patch is not None:
            edit.patch.write()
        updated = session.edited(new, edit.change, hp)
        assert "feature_sums" in updated.problem.objective.__dict__  # seeded by the update
        fresh = Session(replace_arrays(new), hp)
        assert _numbers(updated) == _numbers(fresh)
        assert updated.problem.objective.feature_sums == fresh.problem.objective.feature_sums
        data.apply(new, edit)
        session = updated


def replace_arrays(ds: Dataset) -> Dataset:
    from dataclasses import replace

    return replace(ds, raw_x=ds.raw_x.copy(), y=ds.y.copy())


def test_nist_filip_smallest_eigenvalue():
    """Filip (degree 10, condition number 3e30 unscaled): the float λmin has 6 digits; the
    exact one is found from it (inverse iteration solved exactly) and rounded correctly."""
    case = load_nist("Filip")
    data = Dataset(np.ascontiguousarray(case.x[:, None]), case.y, ("x",), "y", case.degree)
    session = Session(data, hyper(data, standardize=False))
    h = exact_hessian(np.asarray(session.problem.objective.features), True, 0.0)
    (min_lo, min_hi), (max_lo, max_hi) = extreme_roots(h)
    a = session.analysis
    assert a.eigenvalues[0] == rounded([min_lo, min_hi])
    assert a.lr_max == rounded([2 / max_lo, 2 / max_hi])
    assert a.condition == rounded([max_lo / min_hi, max_hi / min_lo])

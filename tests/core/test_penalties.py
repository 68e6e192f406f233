"""L2 and L1 penalties: the reference follows the penalty (ridge exactly, against a rational solve
written here; lasso and elastic net against the closed form of one centred feature and the
optimality conditions, with the duality gap certified), gradient descent converges to it, and
gradient descent with L1 takes the proximal step, so weights reach exactly zero."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from linreg_tui.core.csv_loader import load_csv
from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.penalised import duality_gap
from linreg_tui.core.session import Session

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def ridge_by_fractions(x: np.ndarray, y: np.ndarray, lam: float, scale: np.ndarray):
    """(XᵀX + n·λ·diag(σ², 0))θ = Xᵀy with an intercept column, by Cramer-free elimination in
    Fractions (independent of the core's code)."""
    n, d = x.shape
    rows = [[Fraction(float(v)) for v in r] + [Fraction(1)] for r in x]
    ys = [Fraction(float(v)) for v in y]
    p = d + 1
    a = [[sum(r[i] * r[j] for r in rows) for j in range(p)] for i in range(p)]
    rhs = [sum(r[i] * yv for r, yv in zip(rows, ys)) for i in range(p)]
    for j in range(d):
        a[j][j] += n * Fraction(lam) * Fraction(float(scale[j])) ** 2
    m = [a[i] + [rhs[i]] for i in range(p)]
    for c in range(p):
        piv = next(r for r in range(c, p) if m[r][c] != 0)
        m[c], m[piv] = m[piv], m[c]
        for r in range(p):
            if r != c and m[r][c] != 0:
                f = m[r][c] / m[c][c]
                m[r] = [u - f * v for u, v in zip(m[r], m[c])]
    return [m[i][p] / m[i][i] for i in range(p)]


@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("lam", [0.01, 0.5, 3.0])
def test_ridge_reference_is_exact(lam, standardize):
    data = load_csv(str(SAMPLE / "multi_feature.csv"), x=["1", "2", "3"])
    hp = Hyperparameters(l2=lam, standardize=standardize, predict_x=(6.0,) * 3)
    session = Session(data, hp)
    ref = session.reference
    assert ref.penalty == "l2" and ref.method == "exact"
    scale = session.problem.scaling.scale
    theta = ridge_by_fractions(data.features, data.y, lam, scale)
    assert ref.weights.tolist() == [float(t) for t in theta[:3]]
    assert ref.intercept == float(theta[3])


def test_gd_with_l2_converges_to_the_ridge_answer_and_the_analysis_is_exact():
    session = Session(seed_dataset(), Hyperparameters(l2=0.5, epochs=20000))
    # seed: Sxx/n = 2, Sxy/n = 1.2: w = 1.2/(2 + 0.5) = 0.48, b = 4 − 3·0.48 = 2.56
    assert session.reference.weights.tolist() == [0.48]
    assert session.reference.intercept == 2.56
    lam = session.analysis.eigenvalues  # of ∇²J: the MSE's plus 2λ₂ on the weight
    h = np.array([[2 * 11 + 1.0, 2 * 3], [2 * 3, 2]])  # 2·[[Σx²/n + λ₂, x̄], [x̄, 1]]
    np.testing.assert_allclose(lam, np.linalg.eigvalsh(h), rtol=1e-12)
    assert session.analysis.lr_max == pytest.approx(2 / np.linalg.eigvalsh(h)[-1], rel=1e-12)
    session.trainer.advance(20000, records=False)
    rec = session.record()
    assert rec.weights[0] == pytest.approx(0.48, abs=1e-12)
    assert rec.intercept == pytest.approx(2.56, abs=1e-12)
    needed = session.analysis.epochs_needed
    assert needed is not None and needed < 20000


@pytest.mark.parametrize(("l1", "l2"), [(0.5, 0.0), (0.3, 0.2), (1.0, 1.0), (2.4, 0.0), (5.0, 0.1)])
def test_lasso_and_elastic_net_references_against_the_closed_form_of_one_feature(l1, l2):
    session = Session(seed_dataset(), Hyperparameters(l1=l1, l2=l2))
    ref = session.reference
    # one centred feature: w = S(2·Sxy/n, λ₁) / (2(Sxx/n + λ₂)), with Sxy/n = 1.2, Sxx/n = 2
    w = max(2.4 - l1, 0.0) / (2 * (2 + l2))
    assert ref.weights[0] == pytest.approx(w, abs=1e-13)
    assert ref.intercept == pytest.approx(4 - 3 * w, abs=1e-13)
    assert ref.gap is not None and ref.gap <= 1e-12
    assert ref.method == "coordinate descent"


@pytest.mark.parametrize("standardize", [False, True])
def test_elastic_net_on_three_features_meets_its_optimality_conditions(standardize):
    data = load_csv(str(SAMPLE / "multi_feature.csv"), x=["1", "2", "3"])
    hp = Hyperparameters(l1=0.8, l2=0.1, standardize=standardize, predict_x=(6.0,) * 3)
    session = Session(data, hp)
    ref = session.reference
    scale = session.problem.scaling.scale
    v = ref.weights * scale  # the penalised (training) weights
    z = data.features / scale
    zc, yc = z - z.mean(axis=0), data.y - data.y.mean()
    n = data.y.shape[0]
    grad = -2 / n * zc.T @ (yc - zc @ v) + 2 * 0.1 * v  # of the smooth part
    for g, vj in zip(grad.tolist(), v.tolist()):
        if vj != 0:
            assert g + 0.8 * np.sign(vj) == pytest.approx(0, abs=1e-9)
        else:
            assert abs(g) <= 0.8 + 1e-9
    assert duality_gap(zc, yc, v, hp_penalty(hp)) <= 1e-12 * max(1, ref.objective)


def hp_penalty(hp):
    from linreg_tui.core.objective import Penalty

    return Penalty(hp.l1, hp.l2)


def test_gd_with_l1_takes_the_proximal_step_and_reaches_exactly_zero():
    # λ₁ = 3 > 2·Sxy/n = 2.4: the lasso answer is w = 0, b = ȳ
    session = Session(seed_dataset(), Hyperparameters(l1=3.0, epochs=5000, lr=0.05))
    session.trainer.advance(5000, records=False)
    rec = session.record()
    assert rec.weights[0] == 0.0  # exactly: soft-thresholding, not a subgradient's jitter
    assert rec.intercept == pytest.approx(4.0, abs=1e-12)
    step = session.step()
    assert step.proximal and step.threshold == pytest.approx(0.05 * 3.0)


def test_other_methods_with_l1_use_the_subgradient_and_near_the_lasso_answer():
    session = Session(
        seed_dataset(), Hyperparameters(l1=0.5, optimizer="adam", lr=0.01, epochs=20000)
    )
    session.trainer.advance(20000, records=False)
    assert not session.step().proximal
    assert session.record().weights[0] == pytest.approx(0.475, abs=1e-3)

"""Comparing runs and sweeping a setting, against independent answers: the seed script's own loop,
the stability bound from the data's Hessian computed here (2/λmax of 2·[X 1]ᵀ[X 1]/n), and
log-spacing written out by hand; and the command line in a subprocess."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seed_script import SEED_X, SEED_Y, seed_loop

from linreg_tui.core.dataset import Dataset, seed_dataset
from linreg_tui.core.errors import HyperparameterError
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.sweep import SweepSpec, disagreements, parse_sweep, run_sweep
from linreg_tui.core.trainer import Status
from linreg_tui.core.variants import labels, parse_spec, run_many

#: The seed's final numbers after 1000 epochs at lr 0.01.
SEED_SLOPE = 0.6176946148762643
SEED_INTERCEPT = 2.136116825825789


def hessian_bound(x: np.ndarray) -> float:
    """2/λmax of the MSE's Hessian 2·AᵀA/n, A = [x 1], straight from the rows."""
    a = np.column_stack([x, np.ones(len(x))])
    return 2.0 / float(np.linalg.eigvalsh(2.0 * a.T @ a / len(x))[-1])


def test_sweep_values_are_log_spaced_with_the_ends_as_typed():
    spec = parse_sweep("lr=1e-4:1:5")
    assert spec == SweepSpec("lr", 1e-4, 1.0, 5)
    want = [1e-4 * (1.0 / 1e-4) ** (k / 4) for k in range(5)]
    np.testing.assert_allclose(spec.values(), want, rtol=1e-14)
    assert spec.values()[0] == 1e-4 and spec.values()[-1] == 1.0


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("lr", "name=START:STOP:N"),
        ("lr=1:2", "lr=START:STOP:N"),
        ("lr=0:1:5", "START must be > 0"),
        ("lr=1e-3:x:5", "STOP"),
        ("lr=1e-3:1:0", "N must be a whole number"),
        ("lr=1e-3:1:2.5", "N must be a whole number"),
        ("speed=1:2:3", "cannot sweep 'speed'"),
        ("momentum=0.5:1.5:3", "momentum"),
    ],
)
def test_bad_sweeps_say_what_is_wrong(text, says):
    with pytest.raises(HyperparameterError, match="--sweep") as info:
        parse_sweep(text)
    assert says in str(info.value)


def test_a_seed_sweep_through_0_01_ends_where_the_seed_script_does():
    result = run_sweep(seed_dataset(), Hyperparameters(), parse_sweep("lr=0.01:0.5:10"))
    first = result.outcomes[0]
    assert first.hp.lr == 0.01
    assert first.weights == (SEED_SLOPE,) and first.intercept == SEED_INTERCEPT
    m, b, _ = seed_loop(SEED_X, SEED_Y, 0.04, 1000)
    # A second value checked against the seed's loop at the same rate.
    lr = float(result.values[2])
    m, b, _ = seed_loop(SEED_X, SEED_Y, lr, 1000)
    assert result.outcomes[2].weights[0] == pytest.approx(m, rel=1e-12)
    assert result.outcomes[2].intercept == pytest.approx(b, rel=1e-12)
    assert result.bound == pytest.approx(hessian_bound(np.array(SEED_X, dtype=float)), rel=1e-14)
    assert result.fastest == pytest.approx(1 / 12, rel=1e-14)  # 2/(λmin + λmax) = 2/24
    assert result.nearest == 0


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    lo=st.floats(-3, -0.5),
    hi=st.floats(0.05, 1.5),
    n=st.integers(2, 25),
)
def test_every_rate_above_the_bound_diverges_and_none_below(seed, lo, hi, n):
    rng = np.random.default_rng(seed)
    rows = int(rng.integers(3, 30))
    x = rng.normal(loc=rng.normal() * 3, scale=rng.uniform(0.1, 4), size=rows)
    y = 2 * x + 1 + rng.normal(size=rows)
    ds = Dataset(x[:, None], y, ("x",), "y")
    bound = hessian_bound(x)
    spec = SweepSpec("lr", bound * 10**lo, bound * 10**hi, n)
    result = run_sweep(ds, Hyperparameters(lr=bound / 10), spec, processes=1)
    assert result.bound == pytest.approx(bound, rel=1e-9)
    for v, o in zip(result.values.tolist(), result.outcomes):
        if v > bound * (1 + 1e-9):
            assert o.status is Status.DIVERGED, (v, bound, o.message)
        elif v < bound * (1 - 1e-9):
            assert o.status is not Status.DIVERGED, (v, bound, o.message)
    assert disagreements(result) == [] or any(
        abs(result.values[i] / bound - 1) < 1e-9 for i in disagreements(result)
    )


def test_the_pool_gives_the_same_runs_as_one_process():
    spec = parse_sweep("lr=1e-3:0.2:9")
    base = Hyperparameters(epochs=2000)
    pooled = run_sweep(seed_dataset(), base, spec, processes=2)
    serial = run_sweep(seed_dataset(), base, spec, processes=1)
    assert [o.weights for o in pooled.outcomes] == [o.weights for o in serial.outcomes]
    assert [o.status for o in pooled.outcomes] == [o.status for o in serial.outcomes]
    done = []
    run_many(seed_dataset(), [base] * 3, processes=2, progress=lambda d, t: done.append((d, t)))
    assert done[-1] == (3, 3)


def test_the_pool_starts_when_stderr_has_no_descriptor():
    # A full-screen app replaces sys.stderr with a capture whose fileno() is -1 (Textual's does);
    # multiprocessing's resource tracker passed that -1 on and every pool failed to start ("bad
    # value(s) in fds_to_keep": the app's sweep crashed). A fresh process, so no tracker runs yet.
    script = """
import sys
from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.variants import run_many

class Capture:
    def write(self, text):
        return len(text)
    def flush(self):
        pass
    def fileno(self):
        return -1

sys.stderr = Capture()
runs = [Hyperparameters(lr=lr, epochs=200) for lr in (0.01, 0.02, 0.03)]
pooled = run_many(seed_dataset(), runs, processes=2)
alone = run_many(seed_dataset(), runs, processes=1)
assert isinstance(sys.stderr, Capture)
print([o.mse for o in pooled] == [o.mse for o in alone] and len(pooled) == 3)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_specs_and_labels_by_what_differs():
    base = Hyperparameters()
    assert parse_spec("lr=0.1", base) == replace(base, lr=0.1)
    got = parse_spec("optimizer=adam,lr=0.1,m0=1,2", base)
    assert (got.optimizer, got.lr, got.m0) == ("adam", 0.1, (1.0, 2.0))
    assert parse_spec("batch-size=2", base).batch_size == 2
    for bad, says in [
        ("", "name=value"),
        ("lr", "needs a value"),
        ("lr=-1", "lr: must be a finite number > 0"),
        ("optimiser=adam", "'optimiser' is not a setting"),
        ("optimizer=sgdx", "optimizer"),
    ]:
        with pytest.raises(HyperparameterError, match="--compare") as info:
            parse_spec(bad, base)
        assert says in str(info.value)
    a = Hyperparameters(lr=0.01)
    b = Hyperparameters(lr=0.1, optimizer="adam")
    c = Hyperparameters(lr=0.1, epochs=500)
    assert labels([a, b, c]) == [
        "lr 0.01 · epochs 1000 · gd",
        "lr 0.1 · epochs 1000 · adam",
        "lr 0.1 · epochs 500 · gd",
    ]
    assert labels([a, a]) == ["run 1", "run 2"]


def test_momentum_sweep_agrees_with_heavy_balls_bound_run_by_run():
    """Heavy-ball momentum is stable exactly for lr < 2(1 + β)/λmax: at a fixed lr, the runs
    whose β is too small for it diverge and the others do not."""
    lam_max = 12 + math.sqrt(136)
    base = Hyperparameters(lr=0.1, optimizer="momentum")
    result = run_sweep(seed_dataset(), base, parse_sweep("momentum=0.01:0.95:12"), processes=1)
    for beta, o in zip(result.values.tolist(), result.outcomes):
        bound = 2 * (1 + beta) / lam_max
        assert o.lr_max == pytest.approx(bound, rel=1e-12)
        assert (o.status is Status.DIVERGED) == (bound < 0.1), (beta, o.message)
    assert disagreements(result) == []
    with pytest.raises(HyperparameterError, match="does not use it"):
        run_sweep(seed_dataset(), Hyperparameters(), parse_sweep("momentum=0.1:0.9:3"))


def test_l2_and_batch_size_sweeps():
    # Ridge adds 2λ to the weights' curvature: the bound 2/λmax falls as λ grows.
    result = run_sweep(
        seed_dataset(), Hyperparameters(lr=0.08), parse_sweep("l2=0.01:10:4"), processes=1
    )
    x = np.array(SEED_X, dtype=float)
    for lam, o in zip(result.values.tolist(), result.outcomes):
        a = np.column_stack([x, np.ones(5)])
        h = 2 * a.T @ a / 5 + np.diag([2 * lam, 0.0])
        bound = 2 / float(np.linalg.eigvalsh(h)[-1])
        assert o.lr_max == pytest.approx(bound, rel=1e-12)
        assert (o.status is Status.DIVERGED) == (bound < 0.08)
    sizes = run_sweep(
        seed_dataset(), Hyperparameters(seed=3), parse_sweep("batch-size=1:5:3"), processes=1
    )
    assert sizes.values.tolist() == [1.0, 2.0, 5.0]
    assert [o.hp.batch_size for o in sizes.outcomes] == [1, 2, 5]
    assert len({o.hp.seed for o in sizes.outcomes}) == 1  # the same shuffling for every run
    # B = n without shuffling is batch gradient descent: the seed's own numbers... with shuffling
    # the order changes the float sums, so only the end is compared, loosely.
    assert sizes.outcomes[-1].weights[0] == pytest.approx(SEED_SLOPE, rel=1e-9)


# -- the command line ---------------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "linreg_tui.tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_compare_json_lists_every_run_from_the_same_start():
    out = cli("--compare", "lr=0.01", "--compare", "lr=0.1", "--json")
    assert out.returncode == 0, out.stderr
    runs = json.loads(out.stdout)["runs"]
    assert [r["label"] for r in runs] == ["lr 0.01", "lr 0.1"]
    assert runs[1]["settings"]["lr"] == 0.1 and runs[1]["settings"]["optimizer"] == "gd"
    assert runs[0]["weights"] == [SEED_SLOPE] and runs[0]["intercept"] == SEED_INTERCEPT
    assert runs[0]["status"] == "budget spent" and runs[0]["epochs_run"] == 1000
    assert runs[1]["status"] == "diverged"  # 0.1 > 2/λmax ≈ 0.0845


def test_compare_table():
    out = cli("--compare", "lr=0.01", "--compare", "lr=0.05,epochs=3000")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["run", "settings", "epochs", "final", "MSE", "status"]
    assert "lr 0.01 · epochs 1000" in lines[1] and "0.480743" in lines[1]
    assert "3,000" in lines[2]


def test_compare_optimizers_from_the_command_line():
    out = cli("--compare", "optimizer=gd,lr=0.01", "--compare", "optimizer=adam,lr=0.1", "--json")
    assert out.returncode == 0, out.stderr
    runs = json.loads(out.stdout)["runs"]
    assert [r["label"] for r in runs] == ["lr 0.01 · gd", "lr 0.1 · adam"]
    assert runs[0]["weights"] == [SEED_SLOPE]
    assert runs[1]["lr_max"] is None  # Adam: no fixed bound


def test_sweep_table_and_json():
    out = cli("--sweep", "lr=1e-3:0.2:50", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["sweep"]["count"] == 50 and len(report["runs"]) == 50
    bound = hessian_bound(np.array(SEED_X, dtype=float))
    assert report["sweep"]["stability_bound"] == pytest.approx(bound, rel=1e-14)
    for run in report["runs"]:
        assert (run["status"] == "diverged") == (run["lr"] > bound)
    assert report["sweep"]["agrees_with_analysis"] is True
    text = cli("--sweep", "lr=1e-3:0.2:5")
    assert text.returncode == 0
    assert "stability bound 2/λmax = 0.0845241" in text.stdout
    assert "agrees with the analysis" in text.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--compare", "lr=abc"],
        ["--compare", "speed=2"],
        ["--sweep", "lr=1:0:3"],
        ["--sweep", "lr=1e-3:1:5", "--compare", "lr=0.1"],
        ["--sweep", "lr=1e-3:1:5", "--history", "h.csv"],
    ],
)
def test_bad_compare_or_sweep_exits_2_with_one_line(args):
    out = cli(*args)
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("linreg-tui: error:")
    assert "Traceback" not in out.stderr


def test_progress_never_reaches_a_pipe():
    out = cli("--sweep", "lr=1e-3:0.2:3")
    assert "runs" not in out.stderr
    assert math.isfinite(float(out.stdout.splitlines()[1].split()[4]))

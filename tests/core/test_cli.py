"""The ``linreg-tui`` command, run for real in subprocesses (and the atomic history writer it uses).

Expected numbers come from outside the program: the seed script's printed answer, closed-form
least squares in exact rational arithmetic, hand-computed first epochs, the least-squares table in
sample_data/README.md. Subprocesses that do not depend on each other run side by side.
"""

from __future__ import annotations

import csv
import fcntl
import json
import math
import os
import pty
import re
import stat
import struct
import subprocess
import sys
import termios
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from linreg_tui.core.errors import DataError
from linreg_tui.core.history import atomic_history

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DATA = REPO / "sample_data"

_SCRIPT = Path(sys.executable).with_name("linreg-tui")
#: The installed console script when there is one (it is what users run), else the module.
COMMAND = [str(_SCRIPT)] if _SCRIPT.is_file() else [sys.executable, "-m", "linreg_tui.tui.cli"]
#: Warnings shown (once per place), whatever the caller's environment says.
ENV = {**os.environ, "PYTHONWARNINGS": "default"}

# The seed script ("Gradient Descent Linear Regression in Python": x = 1..5, y = 2, 4, 5, 4, 5,
# m = b = 0, L = 0.01, 1000 epochs) prints these three lines.
SEED_LINES = [
    "Slope: 0.6176946148762643",
    "Intercept: 2.136116825825789",
    "Predicted y for x=6: 5.842284515083374",
]
SEED_X = [1, 2, 3, 4, 5]
SEED_Y = [2, 4, 5, 4, 5]


def run(
    *args: str, cwd: Path | None = None, timeout: float = 120, **kwargs
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*COMMAND, *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        **kwargs,
    )


def seed_least_squares() -> dict[str, Fraction]:
    """Closed-form least squares for the seed's points, in exact arithmetic."""
    n = len(SEED_X)
    x_bar = Fraction(sum(SEED_X), n)
    y_bar = Fraction(sum(SEED_Y), n)
    sxy = sum((x - x_bar) * (y - y_bar) for x, y in zip(SEED_X, SEED_Y))
    sxx = sum((x - x_bar) ** 2 for x in SEED_X)
    slope = sxy / sxx
    intercept = y_bar - slope * x_bar
    ss_res = sum((y - slope * x - intercept) ** 2 for x, y in zip(SEED_X, SEED_Y))
    ss_tot = sum((y - y_bar) ** 2 for y in SEED_Y)
    return {
        "slope": slope,
        "intercept": intercept,
        "mse": ss_res / n,
        "r2": 1 - ss_res / ss_tot,
    }


def mse_at(m: float, b: float) -> float:
    """Exact MSE of the seed's points at float parameters m, b, rounded once."""
    m, b = Fraction(m), Fraction(b)
    return float(sum((y - m * x - b) ** 2 for x, y in zip(SEED_X, SEED_Y)) / len(SEED_X))


def strict_json(text: str) -> dict:
    """json.loads that refuses NaN and Infinity (not JSON)."""

    def refuse(constant: str):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


# -- the seed -------------------------------------------------------------------------------------


def test_headless_prints_the_seed_scripts_three_lines_first():
    result = run("--headless")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:3] == SEED_LINES
    assert result.stderr == ""


def test_json_reports_the_run_and_the_least_squares_answer():
    result = run("--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = strict_json(result.stdout)
    assert out["slope"] == 0.6176946148762643
    assert out["weights"] == [0.6176946148762643]
    assert out["intercept"] == 2.136116825825789
    assert out["prediction"] == 5.842284515083374
    assert out["epochs_run"] == 1000
    assert out["status"] == "budget spent"
    np.testing.assert_allclose(out["mse"], mse_at(out["slope"], out["intercept"]), rtol=1e-13)
    # Hessian of the MSE in (m, b): (2/n)·[[Σx², Σx], [Σx, n]] = [[22, 6], [6, 2]], whose largest
    # eigenvalue is 12 + √136; gradient descent is stable below 2/λmax.
    np.testing.assert_allclose(out["lr_max"], 2 / (12 + math.sqrt(136)), rtol=1e-12)
    exact = seed_least_squares()
    assert (exact["slope"], exact["intercept"]) == (Fraction(3, 5), Fraction(11, 5))
    ref = out["reference"]
    assert len(ref["weights"]) == 1
    np.testing.assert_allclose(ref["weights"][0], float(exact["slope"]), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ref["intercept"], float(exact["intercept"]), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ref["mse"], float(exact["mse"]), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ref["r2"], float(exact["r2"]), rtol=0, atol=1e-12)
    assert (float(exact["mse"]), float(exact["r2"])) == (0.48, 0.6)


# -- sample_data: the README's least-squares table ------------------------------------------------


def readme_answers() -> dict[str, dict[str, list[float] | float]]:
    """The least-squares table of sample_data/README.md, file → intercept, slopes, MSE, R²."""
    answers = {}
    for line in (SAMPLE_DATA / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].endswith(".csv"):
            answers[cells[0]] = {
                "intercept": float(cells[1]),
                "slopes": [float(s) for s in cells[2].split(";")],
                "mse": float(cells[3]),
                "r2": float(cells[4]),
            }
    return answers


README_ANSWERS = readme_answers()
#: x columns that give the table's answer (the README: multi_feature uses all three features).
SAMPLE_X = {"multi_feature.csv": ["--x", "hours_studied,hours_slept,coffee_cups"]}
#: The table has 12 significant digits.
TABLE_RTOL = 1e-11

_BATCH = """
import contextlib, io, json, sys
from linreg_tui.tui.cli import main
results = []
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    results.append({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def sample_runs() -> dict[str, dict]:
    """Every sample file with --standardize --json, through the command's main() in one process."""
    names = sorted(README_ANSWERS)
    argvs = [
        [
            str(SAMPLE_DATA / name),
            "--standardize",
            "--json",
            "--epochs",
            "5000",
            *SAMPLE_X.get(name, []),
        ]
        for name in names
    ]
    result = subprocess.run(
        [sys.executable, "-c", _BATCH, json.dumps(argvs)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return dict(zip(names, json.loads(result.stdout)))


def test_the_readme_table_lists_every_sample_file():
    assert sorted(README_ANSWERS) == sorted(p.name for p in SAMPLE_DATA.glob("*.csv"))
    assert README_ANSWERS["seed.csv"] == {"intercept": 2.2, "slopes": [0.6], "mse": 0.48, "r2": 0.6}


@pytest.mark.parametrize("name", sorted(README_ANSWERS))
def test_sample_data_standardized_gives_the_readme_least_squares_answer(sample_runs, name):
    run_ = sample_runs[name]
    assert run_["code"] == 0, run_["stderr"]
    assert run_["stderr"] == ""
    out = strict_json(run_["stdout"])
    table = README_ANSWERS[name]
    assert out["standardized"] is True
    assert out["status"] == "budget spent"
    # The least-squares answer the program reports ...
    ref = out["reference"]
    np.testing.assert_allclose(ref["weights"], table["slopes"], rtol=TABLE_RTOL)
    np.testing.assert_allclose(ref["intercept"], table["intercept"], rtol=TABLE_RTOL)
    np.testing.assert_allclose(ref["mse"], table["mse"], rtol=TABLE_RTOL)
    np.testing.assert_allclose(ref["r2"], table["r2"], rtol=TABLE_RTOL)
    # ... and where gradient descent on standardised x got to, in the data's units.
    np.testing.assert_allclose(out["weights"], table["slopes"], rtol=TABLE_RTOL)
    np.testing.assert_allclose(out["intercept"], table["intercept"], rtol=TABLE_RTOL)
    np.testing.assert_allclose(out["mse"], table["mse"], rtol=TABLE_RTOL)


# -- bad input: exit 2, one line on stderr that says what and where -------------------------------

CORPUS_FILES: dict[str, bytes] = {
    "binary.csv": b"x,y\n1,2\n\x00\x00\x00\x00",
    "latin1.csv": "température,y\n1,2\n2,3\n".encode("latin-1"),
    "empty.csv": b"",
    "header_only.csv": b"x,y\n",
    "numbers.csv": b"1,2\n2,3\n3,5\n",
    "single.csv": b"x\n1\n2\n",
    "text.csv": b"x,y\n1,2\n2,abc\n3,4\n",
    "blank.csv": b"x,y\n,2\n2,3\n",
    "nan.csv": b"x;y\n1;2\n2;3\n3;NaN\n",
    "ragged.csv": b"x,y\n1,2\n2,3,4\n",
    "abc.csv": b"a,b,c\n1,4,2\n2,3,3\n3,1,5\n4,0,1\n",
    "dup.csv": b"t,t,y\n1,5,2\n2,3,3\n3,1,5\n",
    "flat.csv": b"x,y\n2,1\n2,3\n2,5\n",
    "one_row.csv": b"x,y\n1,2\n",
}

# case → (arguments, what the one stderr line must contain)
BAD_CASES: dict[str, tuple[list[str], list[str]]] = {
    "missing-file": (["absent.csv"], ["absent.csv", "no such file"]),
    "directory": (["adir.csv"], ["adir.csv", "directory"]),
    "binary": (["binary.csv"], ["binary.csv", "binary"]),
    "not-utf8": (["latin1.csv"], ["latin1.csv", "UTF-8"]),
    "empty": (["empty.csv"], ["empty.csv", "empty"]),
    "header-only": (["header_only.csv"], ["header_only.csv", "no data rows"]),
    "no-header": (["numbers.csv"], ["numbers.csv", "line 1", "header"]),
    "single-column": (["single.csv"], ["single.csv", "line 1", "single column"]),
    "text-cell": (["text.csv"], ["text.csv", "row 2", "line 3", "'y'", "'abc'"]),
    "blank-cell": (["blank.csv"], ["blank.csv", "row 1", "line 2", "'x'", "blank"]),
    "nan-cell": (["nan.csv"], ["nan.csv", "row 3", "line 4", "'y'", "'NaN'"]),
    "ragged-row": (["ragged.csv"], ["ragged.csv", "row 2", "line 3", "3 cells"]),
    "unknown-column": (["abc.csv", "--x", "speed"], ["abc.csv", "'speed'"]),
    "duplicate-name": (["dup.csv", "--x", "t"], ["dup.csv", "'t'", "columns 1 and 2"]),
    "y-as-x": (["abc.csv", "--x", "a,c"], ["abc.csv", "'c'", "as y and as an x column"]),
    "constant-x": (["flat.csv"], ["flat.csv", "'x'", "constant"]),
    "degree-two-x": (["abc.csv", "--x", "a,b", "--degree", "2"], ["abc.csv", "degree 2", "a, b"]),
    "too-few-rows": (["one_row.csv"], ["one_row.csv", "1 row", "2 parameters"]),
    "lr-zero": (["--lr", "0"], ["lr:", "> 0"]),
    "epochs-fraction": (["--epochs", "1.5"], ["epochs:", "'1.5'"]),
    "tol-negative": (["--tol", "-1"], ["tol:", "≥ 0"]),
    "degree-zero": (["--degree", "0"], ["degree:", "got 0"]),
    "m0-count": (["abc.csv", "--x", "a,b", "--m0", "1,2,3"], ["m0:", "got 3"]),
    "predict-text": (["--predict", "six"], ["predict:", "'six'"]),
    "b0-without-intercept": (["--no-intercept", "--b0", "1"], ["b0:", "no intercept"]),
    "unknown-option": (["--speed", "3"], ["--speed"]),
    "optimizer-unknown": (["--optimizer", "sgd"], ["optimizer:", "'sgd'", "adam"]),
    "momentum-one": (["--momentum", "1"], ["momentum:", "below 1"]),
    "rho-negative": (["--rho", "-0.1"], ["rho:", "from 0"]),
    "beta1-text": (["--beta1", "high"], ["beta1:", "'high'"]),
    "beta2-nan": (["--beta2", "nan"], ["beta2:", "finite"]),
    "eps-zero": (["--eps", "0"], ["eps:", "> 0"]),
    "batch-zero": (["--batch-size", "0"], ["batch-size:", "≥ 1"]),
    "batch-fraction": (["--batch-size", "2.5"], ["batch-size:", "'2.5'"]),
    "seed-negative": (["--seed", "-1"], ["seed:", "≥ 0"]),
    "schedule-unknown": (["--schedule", "linear"], ["schedule:", "'linear'", "cosine"]),
    "decay-zero": (["--decay", "0"], ["decay:", "above 0"]),
    "step-every-zero": (["--step-every", "0"], ["step-every:", "≥ 1"]),
    "power-t-negative": (["--power-t", "-1"], ["power-t:", "≥ 0"]),
    "l2-negative": (["--l2", "-0.1"], ["l2:", "≥ 0"]),
    "l1-text": (["--l1", "lots"], ["l1:", "'lots'"]),
    "history-without-headless": (["--history", "h.csv"], ["--history", "--headless"]),
    "history-missing-folder": (
        ["--headless", "--history", "missing/h.csv"],
        ["missing/h.csv", "does not exist"],
    ),
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Each bad case run once, as its own process, side by side; → (folder, results)."""
    folder = tmp_path_factory.mktemp("corpus")
    for name, content in CORPUS_FILES.items():
        (folder / name).write_bytes(content)
    (folder / "adir.csv").mkdir()
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {
            case: pool.submit(run, *args, cwd=folder) for case, (args, _) in BAD_CASES.items()
        }
        results = {case: future.result() for case, future in futures.items()}
    return folder, results


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_exits_2_with_one_line_naming_what_and_where(corpus, case):
    _, results = corpus
    result = results[case]
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("linreg-tui: error: ")
    for needle in BAD_CASES[case][1]:
        assert needle in lines[0]
    assert result.stdout == ""


def test_bad_input_writes_nothing(corpus):
    folder, _ = corpus
    written = {*CORPUS_FILES, "adir.csv"}
    assert {p.name for p in folder.iterdir()} == written  # no history, no temporary file
    assert not (folder / "missing").exists()
    assert list((folder / "adir.csv").iterdir()) == []


# -- divergence: exit 1, no traceback, no warnings ------------------------------------------------


@pytest.mark.parametrize(
    ("lr", "mode"),
    [("0.1", "--headless"), ("1", "--json"), ("1e3", "--headless"), ("1e300", "--json")],
)
def test_divergence_exits_1_cleanly(lr, mode):
    result = run(mode, "--lr", lr)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "Warning" not in result.stderr  # RuntimeWarning: overflow / invalid value
    if mode == "--json":
        out = strict_json(result.stdout)
        assert out["status"] == "diverged"
        assert all(math.isfinite(v) for v in [out["slope"], out["intercept"], out["mse"]])
    else:
        assert "Status: diverged" in result.stdout
    assert float(lr) > 2 / (12 + math.sqrt(136))  # every rate here is above the stable limit


# -- --history ------------------------------------------------------------------------------------


def seed_script_epochs(epochs: int) -> list[tuple[float, float]]:
    """(m, b) after each epoch, computed the seed script's way (numpy, L = 0.01)."""
    x, y = np.array(SEED_X), np.array(SEED_Y)
    n = float(len(x))
    m = b = 0.0
    out = [(m, b)]
    for _ in range(epochs):
        y_pred = m * x + b
        d_m = (-2 / n) * sum(x * (y - y_pred))
        d_b = (-2 / n) * sum(y - y_pred)
        m, b = m - 0.01 * d_m, b - 0.01 * d_b
        out.append((float(m), float(b)))
    return out


def test_history_writes_every_epoch(tmp_path):
    result = run("--headless", "--history", "seed_history.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:3] == SEED_LINES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seed_history.csv"]  # no temp file left
    with (tmp_path / "seed_history.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["epoch", "m", "b", "mse", "grad_m", "grad_b"]
    body = [[float(c) for c in row] for row in rows[1:]]
    assert len(body) == 1000 + 1  # epoch 0 (the start) to epoch 1000
    assert [row[0] for row in body] == list(range(1001))
    # Epoch 0: m = b = 0, MSE = Σy²/n = 86/5, gradient (-2/n)·(Σxy, Σy) = (-26.4, -8).
    assert body[0][1:3] == [0.0, 0.0]
    np.testing.assert_allclose(body[0][3:], [17.2, -26.4, -8.0], rtol=1e-15)
    # Epoch 1: m = 0.01·26.4, b = 0.01·8, MSE from the residuals 1.656, 3.392, 4.128, 2.864, 3.6.
    np.testing.assert_allclose(body[1][1:4], [0.264, 0.08, 10.490176], rtol=1e-14)
    # The last row is what was printed, and every row follows the seed script's loop.
    assert body[-1][1:3] == [0.6176946148762643, 2.136116825825789]
    expected = np.array(seed_script_epochs(1000))
    np.testing.assert_allclose(np.array(body)[:, 1:3], expected, rtol=1e-13)
    np.testing.assert_allclose(
        [row[3] for row in body], [mse_at(m, b) for m, b in expected], rtol=1e-12
    )


@pytest.mark.parametrize("raised", [RuntimeError, KeyboardInterrupt])
def test_atomic_history_leaves_nothing_when_the_block_raises(tmp_path, raised):
    target = tmp_path / "h.csv"
    with pytest.raises(raised), atomic_history(str(target), fit_intercept=True) as writer:
        writer.header(["epoch", "m", "b", "mse", "grad_m", "grad_b"])
        raise raised("stopped")
    assert list(tmp_path.iterdir()) == []


def test_atomic_history_keeps_an_existing_file_when_the_block_raises(tmp_path):
    target = tmp_path / "h.csv"
    target.write_text("old contents\n")
    with pytest.raises(ValueError), atomic_history(str(target), fit_intercept=False) as writer:
        writer.header(["epoch", "m", "mse", "grad_m"])
        raise ValueError("stopped")
    assert [p.name for p in tmp_path.iterdir()] == ["h.csv"]
    assert target.read_text() == "old contents\n"


def test_atomic_history_appears_only_when_the_block_completes(tmp_path):
    target = tmp_path / "h.csv"
    with atomic_history(str(target), fit_intercept=True) as writer:
        writer.header(["epoch", "m", "b"])
        assert not target.exists()
        assert len(list(tmp_path.iterdir())) == 1  # only the temporary file, beside the target
    assert [p.name for p in tmp_path.iterdir()] == ["h.csv"]
    assert target.read_text() == "epoch,m,b\n"


def test_the_history_file_gets_the_permissions_of_any_new_file(tmp_path):
    # The temporary file behind the atomic write must not leave its private 0600 mode on the
    # result: the history should be as readable as a file opened the ordinary way.
    ordinary = tmp_path / "ordinary.csv"
    ordinary.write_text("epoch\n")
    target = tmp_path / "h.csv"
    with atomic_history(str(target), fit_intercept=True) as writer:
        writer.header(["epoch"])
    assert oct(stat.S_IMODE(target.stat().st_mode)) == oct(stat.S_IMODE(ordinary.stat().st_mode))


def test_atomic_history_refuses_a_missing_folder_before_creating_anything(tmp_path):
    with (
        pytest.raises(DataError, match="does not exist"),
        atomic_history(str(tmp_path / "no" / "h.csv"), fit_intercept=True),
    ):
        pass
    assert list(tmp_path.iterdir()) == []


# -- --version ------------------------------------------------------------------------------------


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"linreg-tui \d+(\.\d+)+\S*\n", result.stdout), result.stdout


# -- the progress bar: on a terminal only ---------------------------------------------------------

#: About 1.5 s of training on the seed data on the machine these tests were written on (the CLI
#: shows the bar once a run has taken 0.5 s).
LONG_RUN = 2_700_000


def test_a_long_headless_run_shows_a_progress_bar_on_a_terminal():
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        proc = subprocess.Popen(
            [*COMMAND, "--headless", "--epochs", str(LONG_RUN)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=slave,
            env={**ENV, "TERM": "xterm-256color"},
        )
    finally:
        os.close(slave)  # the child has its own copy; ours would keep the terminal open
    seen = bytearray()
    try:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child has exited and closed its end
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    stdout = proc.communicate(timeout=120)[0].decode()
    assert proc.returncode == 0
    shown = seen.decode("utf-8", "replace")
    assert "epochs" in shown
    assert re.search(rf"\d+/{LONG_RUN}\b", shown), shown[-400:]
    assert "Traceback" not in shown
    assert stdout.startswith("Slope: ")
    assert f"{LONG_RUN:,} epochs run" in stdout


def test_a_long_headless_run_prints_only_the_result_when_stderr_is_not_a_terminal():
    result = run("--headless", "--epochs", str(LONG_RUN))
    assert result.stderr == ""
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Slope: ")
    # Two point seven million epochs at lr 0.01 reach the least-squares line 0.6x + 2.2.
    np.testing.assert_allclose(float(lines[0].split()[-1]), 0.6, rtol=1e-12)
    np.testing.assert_allclose(float(lines[1].split()[-1]), 2.2, rtol=1e-12)
    assert f"Status: budget spent: {LONG_RUN:,} epochs run" in result.stdout


def test_the_app_without_a_terminal_says_so_instead_of_drawing_into_a_pipe():
    result = run()  # stdin is /dev/null, stdout a pipe
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "needs a terminal" in lines[0] and "--headless" in lines[0]
    assert result.stdout == ""  # no escape codes written into the pipe


def test_json_names_the_optimizer_and_its_settings():
    out = strict_json(run("--json", "--optimizer", "adam", "--lr", "0.05", "--beta1", "0.8").stdout)
    assert out["optimizer"] == {"name": "adam", "beta1": 0.8, "beta2": 0.999, "eps": 1e-8}
    assert out["lr_max"] is None and out["verdict"] == "no fixed bound"
    gd = strict_json(run("--json").stdout)
    assert gd["optimizer"] == {"name": "gd"}
    assert gd["slope"] == 0.6176946148762643 and gd["lr_bound"] == "2/λmax"
    heavy = strict_json(run("--json", "--optimizer", "momentum", "--momentum", "0").stdout)
    assert heavy["slope"] == 0.6176946148762643  # β = 0 is gd, bit for bit


def test_json_carries_the_penalty_and_the_reference_says_which_it_solved():
    out = strict_json(run("--json", "--l2", "0.5").stdout)
    assert out["penalty"] == {"name": "l2", "l1": 0.0, "l2": 0.5}
    assert out["reference"]["penalty"] == "l2" and out["reference"]["weights"] == [0.48]
    assert out["reference"]["objective"] == 0.5088 + 0.5 * 0.48**2
    lasso = strict_json(run("--json", "--l1", "0.5").stdout)
    assert lasso["reference"]["penalty"] == "l1"
    assert lasso["reference"]["duality_gap"] <= 1e-12
    batches = strict_json(run("--json", "--batch-size", "2", "--seed", "3").stdout)
    assert (batches["batch_size"], batches["seed"], batches["shuffle"]) == (2, 3, True)
    assert batches["schedule"] == {"name": "constant"}


def test_json_and_history_carry_the_validation_mse(tmp_path):
    path = tmp_path / "h.csv"
    data = str(Path(__file__).resolve().parents[2] / "sample_data" / "noisy_line.csv")
    result = run(data, "--json", "--validation", "0.3", "--seed", "1", "--history", str(path))
    out = strict_json(result.stdout)
    assert out["validation"] == 0.3 and out["validation_rows"] == 30 and out["seed"] == 1
    assert out["validation_mse"] > 0
    lines = path.read_text().splitlines()
    assert lines[0].split(",")[-1] == "validation_mse"
    assert float(lines[-1].split(",")[-1]) == out["validation_mse"]


@pytest.mark.parametrize("value", ["-1e300", "-2.5E-3", "-.5e1", "-7."])
@pytest.mark.parametrize("option", ["--predict", "--m0"])
def test_a_negative_number_in_any_float_form_is_a_value_not_an_option(option, value):
    # "--predict=-1e300" cannot be mistaken for an option; the spaced form must mean the same.
    spaced = subprocess.run(
        [*COMMAND, "--headless", option, value], env=ENV, capture_output=True, text=True
    )
    joined = subprocess.run(
        [*COMMAND, "--headless", f"{option}={value}"], env=ENV, capture_output=True, text=True
    )
    # Either a run or the value's own one-line refusal (m0 -1e300 is beyond float64), but the
    # same for both spellings, and never argparse's "expected one argument".
    assert "expected one argument" not in spaced.stderr
    assert (spaced.returncode, spaced.stdout, spaced.stderr) == (
        joined.returncode,
        joined.stdout,
        joined.stderr,
    )


def test_with_a_penalty_the_text_output_prints_j_and_names_the_penalised_answer():
    # ridge on the seed's points with λ = 0.5, by hand: w = 1.2/2.5 = 0.48, b = 4 − 3·0.48
    # = 2.56, MSE 2.544/5 = 0.5088, J = 0.5088 + 0.5·0.48² = 0.624
    out = run("--headless", "--l2", "0.5", "--epochs", "1").stdout.splitlines()
    # after one epoch from (0, 0): m = 0.01·26.4 = 0.264, b = 0.08 (the penalty's gradient
    # 2λw is 0 at w = 0), so J = MSE(0.264, 0.08) + 0.5·0.264²
    mse = sum((y - (0.264 * x + 0.08)) ** 2 for x, y in zip((1, 2, 3, 4, 5), (2, 4, 5, 4, 5))) / 5
    j = [line for line in out if line.startswith("J = MSE + 0.5·‖w‖²: ")]
    assert len(j) == 1 and float(j[0].split(": ")[1]) == pytest.approx(mse + 0.5 * 0.264**2)
    ridge = [line for line in out if line.startswith("Ridge (exact): ")]
    assert ridge and "slope 0.48, intercept 2.56" in ridge[0] and "J 0.624" in ridge[0], out
    assert not any("Least squares" in line or "Least-squares" in line for line in out), out
    plain = run("--headless", "--epochs", "1").stdout
    assert "J = MSE" not in plain and "Least squares (exact)" in plain

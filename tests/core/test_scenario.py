"""Scenario files: save, open and --json give bit-identical results; every setting is in the
file (one key per Hyperparameters field); command-line options override; bad files are refused
with one line naming the file and the key; data over 10,000 rows is referred to by path."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cli import COMMAND, SAMPLE_DATA

from linreg_tui.core import scenario
from linreg_tui.core import settings as declared
from linreg_tui.core.dataset import Dataset, seed_dataset
from linreg_tui.core.errors import DataError, HyperparameterError
from linreg_tui.core.hyperparams import Hyperparameters

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*COMMAND, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    "options",
    [
        [],
        [str(SAMPLE_DATA / "cars.csv"), "--lr", "0.001", "--epochs", "700", "--b0", "-3"],
        [
            str(SAMPLE_DATA / "multi_feature.csv"),
            "--x",
            "1,2,3",
            "--standardize",
            "--tol",
            "1e-9",
            "--m0",
            "0.5",
            "--predict",
            "1,2,3",
        ],
        ["--degree", "2", "--lr", "0.0005", "--epochs", "2000", "--no-intercept"],
        ["--optimizer", "adam", "--lr", "0.05", "--beta1", "0.8", "--eps", "1e-7"],
        ["--batch-size", "2", "--seed", "7", "--schedule", "step", "--epochs", "300"],
        [str(SAMPLE_DATA / "badly_scaled.csv"), "--standardize", "--epochs", "300"],
    ],
)
def test_save_open_json_is_bit_identical(options: list[str], tmp_path: Path):
    saved = run(*options, "--save-scenario", "s.toml", cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr
    assert "wrote s.toml" in saved.stderr
    direct = run(*options, "--json", cwd=tmp_path)
    reopened = run("s.toml", "--json", cwd=tmp_path)
    assert direct.returncode == reopened.returncode
    assert reopened.stdout == direct.stdout  # every number, byte for byte
    # and saving the reopened scenario writes the same settings and data again
    again = run("s.toml", "--save-scenario", "t.toml", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    a = tomllib.loads((tmp_path / "s.toml").read_text())
    b = tomllib.loads((tmp_path / "t.toml").read_text())
    assert a["settings"] == b["settings"] and a["data"]["rows"] == b["data"]["rows"]


def test_a_drawn_seed_is_saved_so_the_scenario_reproduces_the_run(tmp_path: Path):
    saved = run("--batch-size", "2", "--save-scenario", "s.toml", cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr
    seed = tomllib.loads((tmp_path / "s.toml").read_text())["settings"]["seed"]
    assert isinstance(seed, int)
    first = run("s.toml", "--json", cwd=tmp_path)
    assert first.returncode == 0 and run("s.toml", "--json", cwd=tmp_path).stdout == first.stdout
    assert run("--batch-size", "2", "--seed", str(seed), "--json", cwd=tmp_path).stdout == (
        first.stdout
    )


def test_every_setting_is_written_one_key_per_declared_setting():
    text = scenario.dumps(seed_dataset(), Hyperparameters(), None)
    doc = tomllib.loads(text)
    assert list(doc["settings"]) == [s.name for s in declared.SETTINGS]
    assert set(doc["settings"]) == {f.name for f in dataclasses.fields(Hyperparameters)}
    assert doc["data"]["rows"] == [[1.0, 2.0], [2.0, 4.0], [3.0, 5.0], [4.0, 4.0], [5.0, 5.0]]


@settings(max_examples=50, deadline=None)
@given(
    lr=st.floats(1e-12, 10, allow_nan=False),
    b0=st.floats(-1e300, 1e300, allow_nan=False),
    m0=st.lists(st.floats(-1e300, 1e300, allow_nan=False), min_size=1, max_size=1),
    ys=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=5, max_size=5),
)
def test_settings_and_data_round_trip_exactly(tmp_path_factory, lr, b0, m0, ys):
    hp = Hyperparameters(lr=lr, b0=b0, m0=tuple(m0), epochs=12345, tol=5e-324)
    ds = Dataset(np.arange(1.0, 6.0)[:, None], np.array(ys), ("x",), "y")
    path = tmp_path_factory.mktemp("s") / "s.toml"
    path.write_text(scenario.dumps(ds, hp, None))
    back = scenario.read(str(path))
    assert back.hp == hp
    assert np.array_equal(back.dataset.y, ds.y) and np.array_equal(back.dataset.raw_x, ds.raw_x)
    assert [v.hex() for v in back.dataset.y.tolist()] == [v.hex() for v in ds.y.tolist()]


def test_command_line_options_override_the_scenario(tmp_path: Path):
    (tmp_path / "s.toml").write_text(
        scenario.dumps(seed_dataset(), Hyperparameters(lr=0.02, epochs=50, b0=1.0), None)
    )
    from linreg_tui.tui.cli import parse_options

    opts = parse_options([str(tmp_path / "s.toml"), "--epochs", "7"])
    assert (opts.hp.lr, opts.hp.epochs, opts.hp.b0) == (0.02, 7, 1.0)


def test_large_data_is_referred_to_by_its_path(tmp_path: Path):
    n = scenario.EMBED_LIMIT + 1
    x = np.arange(n, dtype=float)
    csv_path = tmp_path / "big.csv"
    csv_path.write_text("x,y\n" + "".join(f"{v!r},{2 * v + 1!r}\n" for v in x.tolist()))
    saved = run(str(csv_path), "--lr", "1e-9", "--save-scenario", "big.toml", cwd=tmp_path)
    assert saved.returncode == 0, saved.stderr
    doc = tomllib.loads((tmp_path / "big.toml").read_text())
    assert "rows" not in doc["data"] and doc["data"]["path"] == "big.csv"
    direct = run(str(csv_path), "--lr", "1e-9", "--json", cwd=tmp_path)
    assert run("big.toml", "--json", cwd=tmp_path).stdout == direct.stdout


def test_large_data_without_a_file_cannot_be_saved():
    n = scenario.EMBED_LIMIT + 1
    ds = Dataset(np.arange(n, dtype=float)[:, None], np.arange(n, dtype=float), ("x",), "y")
    with pytest.raises(DataError, match="write the data to a CSV first"):
        scenario.dumps(ds, Hyperparameters(), None)


def test_note_and_hide_are_read(tmp_path: Path):
    text = scenario.dumps(
        seed_dataset(), Hyperparameters(), None, note="Try lr 0.09!", hide=("tol",)
    )
    (tmp_path / "l.toml").write_text(text)
    s = scenario.read(str(tmp_path / "l.toml"))
    assert (s.note, s.hide) == ("Try lr 0.09!", ("tol",))


BAD = {
    "not toml": ("lr = = 1", "is not valid TOML"),
    "unknown setting": (
        "[settings]\nspeed = 3\n[data]\nrows = [[1.0,2.0],[2.0,3.0]]",
        "unknown setting 'speed'",
    ),
    "wrong type": (
        '[settings]\nlr = "fast"\n[data]\nrows = [[1.0,2.0],[2.0,3.0]]',
        "settings.lr must be a number",
    ),
    "out of range": (
        "[settings]\nlr = -1\n[data]\nrows = [[1.0,2.0],[2.0,3.0]]",
        "lr: must be a finite number > 0",
    ),
    "no data": ("[settings]\nlr = 0.1\n", "a [data] table"),
    "ragged rows": ("[data]\nrows = [[1.0,2.0],[2.0]]", "data.rows must be rows of 2 numbers"),
    "missing file": ('[data]\npath = "nope.csv"', "nope.csv: no such file"),
    "hide unknown": (
        'hide = ["speed"]\n[data]\nrows = [[1.0,2.0],[2.0,3.0]]',
        "hide: 'speed' is not a setting",
    ),
    "unknown key": ('colour = "red"\n[data]\nrows = [[1.0,2.0],[2.0,3.0]]', "unknown key 'colour'"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_scenario_exits_2_with_one_line(case: str, tmp_path: Path):
    text, message = BAD[case]
    (tmp_path / "bad.toml").write_text(text)
    proc = run("bad.toml", "--json", cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr and "bad.toml" in proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    with pytest.raises((DataError, HyperparameterError)):
        scenario.read(str(tmp_path / "bad.toml"))


def test_save_scenario_without_headless_writes_and_exits(tmp_path: Path):
    proc = run("--save-scenario", "x.toml", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == ""
    assert os.listdir(tmp_path) == ["x.toml"]

"""--engine dask on a real local cluster: a `dask scheduler` and a `dask worker` started on
127.0.0.1 by the fixture (not a mock), stopped afterwards.

The expected answers come from the in-memory loader and reference on the same rows written as one
file, and the expected messages from the in-memory loader on the part that holds the bad cell.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from nist_scale import check_certified, write_replicated
from refdata import NIST_NAMES
from test_cli import run

from linreg_tui.core import reference
from linreg_tui.core.errors import DataError
from linreg_tui.core.loading import load_data

distributed = pytest.importorskip("distributed")
from linreg_tui.core.dask_engine import load_dask  # noqa: E402

DASK = str(Path(sys.executable).with_name("dask"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and one worker on 127.0.0.1; yields the scheduler's address."""
    if not os.path.exists(DASK):
        pytest.fail(f"{DASK} is missing: install the test extra (it holds dask and distributed)")
    folder = tmp_path_factory.mktemp("dask")
    port, dashboard = free_port(), free_port()
    address = f"tcp://127.0.0.1:{port}"
    common = {"cwd": folder, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [
            DASK,
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--dashboard-address",
            f"127.0.0.1:{dashboard}",
        ],
        start_new_session=True,
        **common,
    )
    worker = subprocess.Popen(
        [
            DASK,
            "worker",
            address,
            "--host",
            "127.0.0.1",
            "--nthreads",
            "2",
            "--nworkers",
            "1",
            "--no-dashboard",
            "--local-directory",
            str(folder),
        ],
        start_new_session=True,
        **common,
    )
    try:
        with distributed.Client(address, timeout="60s") as client:
            client.wait_for_workers(1, timeout=120)
        yield address
    finally:
        for process in (worker, scheduler):
            os.killpg(process.pid, signal.SIGTERM)
        for process in (worker, scheduler):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def write_parts(folder: Path, n: int, parts: int, bad: tuple[int, int] | None = None) -> Path:
    rng = np.random.default_rng(7)
    x1 = (1e4 + rng.uniform(0, 100, n)).tolist()
    x2 = rng.normal(size=n).tolist()
    y = (0.5 * np.array(x1) - 3 * np.array(x2) + 2 + rng.normal(size=n)).tolist()
    header = "x1,x2,y\n"
    lines = [f"{a!r},{b!r},{c!r}\n" for a, b, c in zip(x1, x2, y)]
    (folder / "whole.csv").write_text(header + "".join(lines))
    bounds = np.linspace(0, n, parts + 1).astype(int)
    for p in range(parts):
        chunk = lines[bounds[p] : bounds[p + 1]]
        if bad is not None and bad[0] == p:
            chunk[bad[1]] = chunk[bad[1]].rsplit(",", 1)[0] + ",n/a\n"
        (folder / f"part-{p}.csv").write_text(header + "".join(chunk))
    return folder


def same_digits(a, b, digits):
    np.testing.assert_allclose(a, b, rtol=10.0**-digits, atol=0)


def test_four_parts_on_a_real_cluster_give_the_one_file_answer(tmp_path, cluster):
    folder = write_parts(tmp_path, 200_000, 4)
    whole = reference.solve(load_data(str(folder / "whole.csv"), x="x1,x2", y="y"))
    parts = load_dask(str(folder / "part-*.csv"), x="x1,x2", y="y", scheduler=cluster)
    assert parts.streamed.n_samples == 200_000
    ref = reference.solve(parts)
    same_digits(ref.weights, whole.weights, 12)
    same_digits(ref.mse, whole.mse, 12)
    same_digits(ref.r2, whole.r2, 12)
    scale = abs(whole.weights @ parts.streamed.moments.mean[:2])
    assert abs(ref.intercept - whole.intercept) <= 1e-12 * scale


def test_a_bad_cell_in_one_part_is_named_as_the_in_memory_loader_names_it(tmp_path, cluster):
    folder = write_parts(tmp_path, 20_000, 4, bad=(2, 1234))
    with pytest.raises(DataError) as expected:
        load_data(str(folder / "part-2.csv"))
    with pytest.raises(DataError) as got:
        load_dask(str(folder / "part-*.csv"), scheduler=cluster)
    assert str(got.value) == str(expected.value)
    assert "part-2.csv: row 1235 (line 1236), column 'y': 'n/a' is not a number" in str(got.value)


def test_the_command_line_on_the_cluster_and_on_the_local_scheduler(tmp_path, cluster):
    folder = write_parts(tmp_path, 50_000, 4)
    args = ["--x", "x1,x2", "--json", "--lr", "1e-9", "--epochs", "2000"]
    outs = []
    for extra in (
        [str(folder / "whole.csv")],
        [str(folder / "part-*.csv"), "--engine", "dask"],
        [str(folder / "part-*.csv"), "--engine", "dask", "--scheduler", cluster],
    ):
        result = run(*extra, *args, timeout=300)
        assert result.returncode == 0, result.stderr
        outs.append(json.loads(result.stdout))
    for out in outs[1:]:
        same_digits(out["reference"]["weights"], outs[0]["reference"]["weights"], 12)
        same_digits(out["weights"], outs[0]["weights"], 10)


def test_a_parquet_dataset_folder(tmp_path, cluster):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rng = np.random.default_rng(3)
    folder = tmp_path / "ds"
    folder.mkdir()
    xs, ys = [], []
    for p in range(3):
        x = rng.uniform(0, 10, 1000)
        y = 2 * x + 1 + rng.normal(size=1000)
        pq.write_table(pa.table({"x": x, "y": y}), folder / f"p{p}.parquet")
        xs.append(x)
        ys.append(y)
    got = reference.solve(load_dask(str(folder), scheduler=cluster))
    x, y = np.concatenate(xs), np.concatenate(ys)
    slope, intercept = np.polyfit(x, y, 1)
    same_digits(got.weights[0], slope, 11)
    same_digits(got.intercept, intercept, 11)


def test_an_unreachable_scheduler_is_one_line(tmp_path):
    folder = write_parts(tmp_path, 100, 2)
    result = run(
        str(folder / "part-*.csv"),
        "--engine",
        "dask",
        "--headless",
        "--scheduler",
        f"tcp://127.0.0.1:{free_port()}",
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "cannot reach the Dask scheduler" in result.stderr


@pytest.mark.parametrize("name", NIST_NAMES)
def test_nist_replicated_to_100000_rows_in_4_parts_on_a_real_cluster(name, tmp_path, cluster):
    """Every NIST linear set (with --degree for the polynomials), in 4 files reduced on the
    cluster: each part's sums are exact around its own shift and merge exactly, so the answer is
    the certified one to >= 10 digits (parameters, R², residual SD)."""
    rep = write_replicated(name, tmp_path, parts=4)
    data = load_dask(
        str(tmp_path / "part-*.csv"),
        x=",".join(rep.x_names),
        y="y",
        degree=rep.case.degree,
        scheduler=cluster,
    )
    check_certified(reference.solve(data, rep.case.intercept), rep)


def test_degree_and_standardize_with_dask_give_the_in_memory_run(tmp_path, cluster):
    """--engine dask --degree 3 --standardize on 3 parts: the in-memory least squares (12
    digits) and run (9 digits) of the same rows as one file."""
    rng = np.random.default_rng(8)
    x = rng.uniform(-1, 4, 30_000)
    y = 2 - x + 0.3 * x**2 - 0.05 * x**3 + rng.normal(size=x.size)
    lines = [f"{a!r},{b!r}\n" for a, b in zip(x.tolist(), y.tolist())]
    (tmp_path / "whole.csv").write_text("x,y\n" + "".join(lines))
    for p in range(3):
        (tmp_path / f"part-{p}.csv").write_text(
            "x,y\n" + "".join(lines[p * 10_000 : (p + 1) * 10_000])
        )
    args = ["--degree", "3", "--standardize", "--json", "--lr", "0.1", "--epochs", "2000"]
    outs = []
    for extra in (
        [str(tmp_path / "whole.csv")],
        [str(tmp_path / "part-*.csv"), "--engine", "dask", "--scheduler", cluster],
    ):
        result = run(*extra, *args, timeout=300)
        assert result.returncode == 0, result.stderr
        outs.append(json.loads(result.stdout))
    memory, dask_run = outs
    same_digits(dask_run["reference"]["weights"], memory["reference"]["weights"], 12)
    same_digits(dask_run["reference"]["mse"], memory["reference"]["mse"], 12)
    same_digits(dask_run["weights"], memory["weights"], 9)
    same_digits(dask_run["mse"], memory["mse"], 9)

"""Exports (loss history, current fit), the SVG report and the all-or-nothing file writer.

Expected numbers are the seed's first epochs computed by hand in exact decimal arithmetic
(m1 = 0.264, b1 = 0.08; MSE 17.2, 10.490176, 6.5782231552, 4.29674325446656) and the seed's
least-squares answer (slope 6/10, intercept 2.2, MSE 0.48), never the core's own output.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from test_cli import COMMAND

from linreg_tui.core import export, svg_report
from linreg_tui.core.dataset import Dataset, seed_dataset
from linreg_tui.core.errors import DataError
from linreg_tui.core.files import write_text
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session

SEED_MSE = [17.2, 10.490176, 6.5782231552, 4.29674325446656]
SVG = "{http://www.w3.org/2000/svg}"


def seed_after(epochs: int) -> Session:
    s = Session(seed_dataset(), Hyperparameters())
    s.trainer.advance(epochs)
    return s


def test_loss_history_csv_has_the_mse_of_every_epoch():
    rows = list(csv.reader(io.StringIO(export.loss_history_csv(seed_after(3)))))
    assert rows[0] == ["epoch", "mse"]
    assert [int(r[0]) for r in rows[1:]] == [0, 1, 2, 3]
    np.testing.assert_allclose([float(r[1]) for r in rows[1:]], SEED_MSE, rtol=1e-14)


def test_loss_history_json_has_the_mse_of_every_epoch():
    data = json.loads(export.loss_history_json(seed_after(3)))
    assert data["epochs"] == 3
    np.testing.assert_allclose(data["mse"], SEED_MSE, rtol=1e-14)


def test_fit_json_has_the_weights_now_and_at_least_squares():
    data = json.loads(export.fit_json(seed_after(1)))
    assert data["epoch"] == 1
    np.testing.assert_allclose(data["weights"], [0.264], rtol=1e-15)
    assert data["intercept"] == pytest.approx(0.08, rel=1e-15)
    assert data["mse"] == pytest.approx(10.490176, rel=1e-14)
    assert data["prediction"] == pytest.approx(0.264 * 6 + 0.08, rel=1e-15)
    ls = data["least_squares"]
    assert ls["weights"] == [0.6] and ls["intercept"] == 2.2 and ls["mse"] == 0.48
    assert ls["prediction"] == pytest.approx(5.8, rel=1e-15)


def test_fit_csv_names_each_parameter():
    rows = list(csv.reader(io.StringIO(export.fit_csv(seed_after(1)))))
    table = {r[0]: r[1:] for r in rows[1:]}
    assert rows[0] == ["parameter", "now", "least_squares"]
    assert float(table["m"][0]) == pytest.approx(0.264, rel=1e-15)
    assert float(table["m"][1]) == 0.6
    assert float(table["b"][1]) == 2.2
    assert float(table["mse"][1]) == 0.48


def test_fit_csv_with_several_weights_and_no_intercept():
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    ds = Dataset(x, np.array([1.0, 2.0, 3.0]), ("u", "v"), "y")
    s = Session(ds, Hyperparameters(fit_intercept=False, predict_x=(1.0, 1.0)))
    rows = list(csv.reader(io.StringIO(export.fit_csv(s))))
    assert [r[0] for r in rows[1:]] == ["w_u", "w_v", "mse", "r2", "prediction"]
    # y = u + 2v exactly: least squares (1, 2), MSE 0.
    assert [float(rows[1][2]), float(rows[2][2])] == [1.0, 2.0]


def test_write_text_never_overwrites_unless_asked(tmp_path: Path):
    target = tmp_path / "out.csv"
    write_text(str(target), "one\n")
    with pytest.raises(FileExistsError):
        write_text(str(target), "two\n")
    assert target.read_text() == "one\n"
    write_text(str(target), "three\n", overwrite=True)
    assert target.read_text() == "three\n"
    assert sorted(os.listdir(tmp_path)) == ["out.csv"]  # no temporary file left


def test_write_text_refuses_a_missing_folder_without_creating_anything(tmp_path: Path):
    with pytest.raises(DataError, match="does not exist"):
        write_text(str(tmp_path / "nope" / "out.csv"), "x")
    assert os.listdir(tmp_path) == []


def test_svg_report_is_well_formed_and_thins_a_long_history():
    s = Session(seed_dataset(), Hyperparameters(epochs=200_000))
    s.trainer.advance(200_000, records=False)
    root = ET.fromstring(svg_report.render(s))
    assert root.tag == f"{SVG}svg"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Loss" in texts and "Fit" in texts
    lines = root.findall(f"{SVG}polyline")
    most = max(len(p.get("points").split()) for p in lines)
    assert most <= svg_report.LOSS_POINTS + 1
    # five data points and the prediction
    assert len(root.findall(f"{SVG}circle")) == 6


def test_svg_report_with_several_x_columns_plots_predicted_against_actual():
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    ds = Dataset(x, np.array([1.0, 2.0, 3.0, 4.5]), ("u", "v"), "y")
    root = ET.fromstring(svg_report.render(Session(ds, Hyperparameters(predict_x=(1.0, 1.0)))))
    assert "Predicted against actual" in [t.text for t in root.iter(f"{SVG}text")]


def test_headless_svg_writes_the_charts(tmp_path: Path):
    out = tmp_path / "run.svg"
    proc = subprocess.run(
        [*COMMAND, "--headless", "--svg", str(out)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    root = ET.parse(out).getroot()
    caption = next(root.iter(f"{SVG}text")).text
    assert "epoch 1,000 of 1,000" in caption and "MSE 0.480743" in caption


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--svg", "x.svg"], "--svg needs --headless"),
        (["--headless", "--svg", "/no/such/folder/x.svg"], "does not exist"),
    ],
)
def test_bad_svg_use_exits_2(args, message, tmp_path: Path):
    proc = subprocess.run(
        [*COMMAND, *args], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert proc.returncode == 2 and message in proc.stderr
    assert os.listdir(tmp_path) == []


def test_svg_report_with_a_penalty_draws_j_against_the_penalised_answers_j():
    """Ridge λ = 0.5 on the seed's points: J* = 0.5088 + 0.5·0.48² = 0.624 (by hand)."""
    s = Session(seed_dataset(), Hyperparameters(l2=0.5))
    s.trainer.advance(50, records=False)
    text = svg_report.render(s)
    assert "J by epoch" in text and "min J (ridge) 0.624" in text, text
    assert "least squares" not in text and "MSE by epoch" not in text
    assert "J = MSE + 0.5·‖w‖²" in text and "(ridge 0.624)" in text
    plain = svg_report.render(Session(seed_dataset(), Hyperparameters()))
    assert "MSE by epoch" in plain and "least squares 0.48" in plain


def test_a_penalised_fit_export_names_the_answer_for_what_it_solved():
    s = Session(seed_dataset(), Hyperparameters(l2=0.5))
    f = json.loads(export.fit_json(s))
    assert "least_squares" not in f and f["ridge"]["weights"] == [0.48]
    assert f["ridge"]["objective"] == pytest.approx(0.624, rel=1e-15)  # by hand, as above
    assert f["objective"] == 17.2 and f["penalty"] == "0.5·‖w‖²"  # epoch 0: J = Σy²/5
    rows = list(csv.reader(io.StringIO(export.fit_csv(s))))
    assert (
        rows[0] == ["parameter", "now", "ridge"]
        and ["J", "17.2", repr(0.5088 + 0.5 * 0.48**2)] in rows
    )
    assert "least_squares" in json.loads(
        export.fit_json(Session(seed_dataset(), Hyperparameters()))
    )

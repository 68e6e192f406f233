"""Scenarios in the app: a lesson's note and hidden settings, ctrl+s saving a scenario that
reopens to the same data and settings, and --resume remembering settings per data file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pilot import app_test
from test_keys import SIZE
from textual.widgets import Input

from linreg_tui.core import scenario
from linreg_tui.core.dataset import seed_dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.tui import resume
from linreg_tui.tui.app import make_app
from linreg_tui.tui.cli import parse_options
from linreg_tui.tui.data_editing import ConfirmDialog, ValuesDialog


async def type_into(pilot, text: str) -> None:
    inp = pilot.app.focused
    assert isinstance(inp, Input)
    inp.value = ""
    await pilot.press(*text)


@app_test
async def test_a_lesson_shows_its_note_and_hides_its_settings():
    app = make_app(note="Raise lr to 0.09 and watch it diverge.", hide=("tol", "m0"))
    async with app.run_test(size=SIZE):
        assert "watch it diverge" in str(app.query_one("#lesson-note").render())
        # the field and its label (their holder) are hidden; the others stay
        assert not app.query_one("#set-tol").parent.display
        assert not app.query_one("#set-m0").parent.display
        assert app.query_one("#set-lr").parent.display
        app.query_one("SettingsPanel").load(app.session.hp)  # the panel re-showing what applies
        assert not app.query_one("#set-tol").parent.display


@app_test
async def test_ctrl_s_saves_a_scenario_that_reopens_identically(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(Session(seed_dataset(), Hyperparameters(lr=0.03, epochs=40)))
    async with app.run_test(size=SIZE) as pilot:
        # edit row 2's y: 4 → 7 (in place: the value starts selected, typing replaces it)
        await pilot.press("4", "down", "right", "enter", "7", "enter", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ValuesDialog)
        await type_into(pilot, "lesson.toml")
        await pilot.press("enter")
        await pilot.pause()
        assert any("lesson.toml" in n.message for n in app._notifications)
        await pilot.press("ctrl+s")
        await type_into(pilot, "lesson.toml")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # asks before replacing
        await pilot.press("n")
    back = scenario.read(str(tmp_path / "lesson.toml"))
    assert back.hp == Hyperparameters(lr=0.03, epochs=40)
    assert back.dataset.y.tolist() == [2.0, 7.0, 5.0, 4.0, 5.0]
    assert os.listdir(tmp_path) == ["lesson.toml"]


def test_resume_remembers_settings_per_data_file_only_when_asked(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    data = str(Path(__file__).resolve().parents[2] / "sample_data" / "cars.csv")
    assert parse_options([data, "--resume"]).hp == Hyperparameters()  # nothing remembered yet
    resume.remember(resume.key(data), Hyperparameters(lr=0.002, epochs=77))
    resume.remember(resume.key(None), Hyperparameters(lr=0.05))
    assert resume.path().startswith(str(tmp_path / "config" / "linreg-tui"))
    opts = parse_options([data, "--resume"])
    assert (opts.hp.lr, opts.hp.epochs) == (0.002, 77)
    assert parse_options([data, "--resume", "--lr", "0.003"]).hp.lr == 0.003  # options win
    assert parse_options([data]).hp == Hyperparameters()  # not asked: not used
    assert parse_options(["--resume"]).hp.lr == 0.05


def test_resume_writes_nothing_unless_asked(tmp_path: Path):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    proc = subprocess.run(
        [sys.executable, "-m", "linreg_tui.tui.cli", "--headless"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0
    assert not (tmp_path / "config").exists()


def test_a_broken_resume_file_is_ignored(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    os.makedirs(os.path.dirname(resume.path()))
    Path(resume.path()).write_text("this is [not toml")
    assert resume.recall(resume.key(None)) is None
    resume.remember(resume.key(None), Hyperparameters(lr=0.07))
    assert resume.recall(resume.key(None)).lr == 0.07

"""Snapshot tests: the main screen at the smallest comfortable size and at the size that shows all
four panes, and the help screen. Review a changed SVG (``__snapshots__/``) before
``pytest --snapshot-update`` accepts it.
"""

from __future__ import annotations

import asyncio

from linreg_tui.tui.app import make_app

APP = "snapshot_app.py"
#: Two epochs, so every number on screen has moved from its starting value.
TWO_STEPS = ["space", "space"]


def test_main_screen_80x24(snap_compare):
    assert snap_compare(APP, terminal_size=(80, 24), press=TWO_STEPS)


def test_main_screen_120x40(snap_compare):
    assert snap_compare(APP, terminal_size=(120, 40), press=TWO_STEPS)


def test_help_screen_80x24(snap_compare):
    assert snap_compare(APP, terminal_size=(80, 24), press=["question_mark"])


async def _screenshot(size: tuple[int, int]) -> str:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press(*TWO_STEPS)
        await pilot.pause()
        return app.export_screenshot()


def test_screens_are_deterministic():
    """Two fresh apps given the same keys draw the same picture, to the character and colour."""
    for size in [(80, 24), (120, 40)]:
        first = asyncio.run(_screenshot(size))
        second = asyncio.run(_screenshot(size))
        assert "epoch" in first
        assert first == second, size


# -- the landscape pane ------------------------------------------------------------------------

#: Three epochs, then the landscape pane.
LANDSCAPE = ["space", "space", "space", "5"]


def _badly_scaled(**hp):
    from linreg_tui.core.csv_loader import load_csv
    from linreg_tui.core.hyperparams import Hyperparameters
    from linreg_tui.core.session import Session

    return make_app(Session(load_csv("sample_data/badly_scaled.csv"), Hyperparameters(**hp)))


def test_landscape_seed_80x24(snap_compare):
    assert snap_compare(make_app(), terminal_size=(80, 24), press=[*LANDSCAPE, "h"])


def test_landscape_seed_120x40(snap_compare):
    assert snap_compare(make_app(), terminal_size=(120, 40), press=["]", "5"])


def test_landscape_badly_scaled_80x24(snap_compare):
    """Raw: a valley so thin (condition 2.7e10) it is a line; the path crawls along it."""
    app = _badly_scaled(lr=2e-10, epochs=100_000)
    assert snap_compare(app, terminal_size=(80, 24), press=["}", "5", "h"])


def test_landscape_badly_scaled_standardised_120x40(snap_compare):
    """Standardised: a round bowl, the path goes straight to the optimum."""
    app = _badly_scaled(lr=0.1, standardize=True)
    assert snap_compare(app, terminal_size=(120, 40), press=["]", "5", "h"])


def test_landscape_no_color_80x24(snap_compare, monkeypatch):
    """NO_COLOR: bands by character density, not colour."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app(), terminal_size=(80, 24), press=LANDSCAPE)

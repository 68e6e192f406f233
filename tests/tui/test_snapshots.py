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

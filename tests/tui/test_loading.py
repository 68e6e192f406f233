"""The loading screen: its first frame comes before the data, keys that need data wait politely,
a bad file ends it with the loader's message, q gives up (and stops the load)."""

from __future__ import annotations

import threading

from pilot import app_test
from test_keys import wait_until

from linreg_tui.core.errors import DataError
from linreg_tui.tui.loading import LoadingApp


def gated_build(gate: threading.Event, calls: list, fail: Exception | None = None):
    """A load that reports two blocks, then waits for the test to open the gate."""

    def build(progress, stage):
        progress(1_000_000, 4_000_000, 25_000)
        calls.append("first block")
        gate.wait(30)
        progress(4_000_000, 4_000_000, 100_000)
        if fail is not None:
            raise fail
        stage("solving least squares")
        calls.append("solved")
        return "the session"

    return build


def screen_text(app) -> str:
    return " ".join(str(w.render()) for w in app.query("Static"))


@app_test
async def test_the_first_frame_comes_before_the_data_and_keys_wait_politely():
    gate, calls = threading.Event(), []
    app = LoadingApp("big.csv", gated_build(gate, calls), (DataError,))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "reading big.csv" in screen_text(app)
        assert "q quits" in screen_text(app)
        await pilot.press("space")
        await pilot.pause()
        notes = [n.message for n in app._notifications]
        assert any("still loading" in n for n in notes), notes
        assert calls == ["first block"]  # the data is not there yet, and the app answered
        gate.set()
        await wait_until(pilot, lambda: app.return_value is not None, "the load ended the app")
    assert calls == ["first block", "solved"]
    assert app.return_value.result == "the session" and app.return_value.error is None
    assert app.return_code == 0


@app_test
async def test_a_bad_file_ends_the_loading_screen_with_the_loaders_message():
    gate, calls = threading.Event(), []
    bad = DataError("big.csv: row 7 (line 8), column 'y': 'x' is not a number")
    app = LoadingApp("big.csv", gated_build(gate, calls, fail=bad), (DataError,))
    async with app.run_test(size=(80, 24)) as pilot:
        gate.set()
        await wait_until(pilot, lambda: app.return_value is not None, "the load ended the app")
    assert app.return_code == 2
    assert app.return_value.error == str(bad)


@app_test
async def test_q_gives_up_and_the_load_stops_at_its_next_block():
    gate, calls = threading.Event(), []
    app = LoadingApp("big.csv", gated_build(gate, calls), (DataError,))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        gate.set()
        await wait_until(pilot, lambda: app.return_value is not None, "q ended the app")
    assert app.return_code == 130
    assert "solved" not in calls  # the next progress call saw the cancellation

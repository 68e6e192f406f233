"""The window (a browser tab, a terminal with focus reporting) gaining or losing focus changes
nothing on screen and costs no frame: Textual restyled every widget then (55–110 ms at 142×44),
and in a browser the first key after switching to a tab waited for it."""

from __future__ import annotations

from pilot import app_test
from textual import events
from textual.widgets import Input

from linreg_tui.tui.app import make_app


def record_frames(app) -> list[object]:
    frames: list[object] = []
    display = app._display

    def spy(screen, update):
        if update is not None:
            frames.append(update)
        return display(screen, update)

    app._display = spy
    return frames


@app_test
async def test_focus_and_blur_of_the_window_draw_nothing_and_keys_still_work():
    app = make_app()
    async with app.run_test(size=(142, 44)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        before = app.export_screenshot()
        frames = record_frames(app)
        for _ in range(3):
            app.post_message(events.AppBlur())
            await pilot.pause()
            app.post_message(events.AppFocus())
            await pilot.pause()
        assert frames == []
        assert app.export_screenshot() == before
        await pilot.press("space")
        await pilot.pause()
        assert app.session.trainer.epoch == 2
        assert frames  # the key's frame


@app_test
async def test_a_settings_field_keeps_its_focus_and_its_typing_across_a_tab_switch():
    app = make_app()
    async with app.run_test(size=(142, 44)) as pilot:
        await pilot.press("tab")  # into the first settings field
        await pilot.pause()
        field = app.focused
        assert isinstance(field, Input)
        app.post_message(events.AppBlur())
        await pilot.pause()
        app.post_message(events.AppFocus())
        await pilot.pause()
        assert app.focused is field
        await pilot.press("end", "5")
        await pilot.pause()
        assert field.value.endswith("5")

"""The line under a chart says what each mark means: where its words do not fit, whole items
are left out (with "…"), never an item cut mid-number by the widget."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from pilot import app_test
from rich.text import Text

from linreg_tui.tui.app import make_app
from linreg_tui.tui.chart import KEY_GAP, whole_items
from linreg_tui.tui.numbers import num

item = st.builds(
    lambda mark, words, value: f"[green]{mark}[/] {words} {num(value)}",
    st.sampled_from(["──", "●", "⠤⠤", "◆"]),
    st.sampled_from(["least-squares MSE", "now", "ŷ(x=6) now", "validation", "run 1"]),
    st.floats(-1e12, 1e12, allow_nan=False),
)


@given(
    st.lists(item, min_size=1, max_size=6, unique_by=lambda i: Text.from_markup(i).plain),
    st.integers(1, 160),
)
def test_a_key_keeps_its_first_items_whole_as_many_as_fit(items, width):
    wording = KEY_GAP.join(items)
    shown = Text.from_markup(whole_items(wording, width)).plain
    plain = [Text.from_markup(i).plain for i in items]
    if len(KEY_GAP.join(plain)) <= width:
        assert shown == KEY_GAP.join(plain)  # all of it, as it was
        return
    assert shown.endswith("…")
    kept = shown.removesuffix("…").removesuffix(KEY_GAP)
    pieces = kept.split(KEY_GAP) if kept else []
    # the first items, each whole: "…" stands for the ones after them
    assert pieces == plain[: len(pieces)]
    assert len(shown) <= width or not pieces  # (a line too narrow for any item: "…")
    # and as many as fit: the next item would not have
    with_next = KEY_GAP.join([*plain[: len(pieces) + 1], "…"])
    assert len(with_next) > width


@app_test
async def test_the_keys_in_narrow_panes_keep_the_least_squares_numbers_whole():
    """At 120×40 (all panes, each chart ~36 cells wide) the keys take their shorter wordings
    ("LS MSE" for "least-squares MSE"), and what still does not fit goes whole: before, the
    loss key was cut after "MSE by epoch", losing the least-squares MSE."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        for selector in ("#loss-key", "#fit-key"):
            widget = app.query_one(selector)
            line = widget.render_line(0).text.rstrip()
            assert len(line) <= widget.content_region.width, (selector, line)
            *items, last = line.split(KEY_GAP)
            assert last == "…" or "…" not in last, (selector, line)
            assert all("…" not in i for i in items), (selector, line)
        loss = app.query_one("#loss-key").render_line(0).text
        assert f"LS MSE {num(app.session.reference.mse)}" in loss, loss

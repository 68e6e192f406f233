"""The landscape's caption: items laid out in a few lines, none cut across two, the last ones
left out with "…" when they do not fit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from pilot import app_test
from rich.text import Text

from linreg_tui.core.csv_loader import load_csv
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.tui.app import make_app
from linreg_tui.tui.caption import MORE, SEPARATOR, fit
from linreg_tui.tui.landscape_view import CAPTION_LINES, LandscapeView

# (no " ·" or "· " inside an item: joined, it would read as the separator, " · ")
words = (
    st.text("abc xyz·→↑●✚0123456789.", min_size=1, max_size=30)
    .map(str.strip)
    .filter(lambda w: w and " ·" not in w and "· " not in w)
)
items = st.lists(st.one_of(words, words.map(lambda w: f"[b]{w}[/]")), min_size=1, max_size=12)


def plain(markup: str) -> str:
    return Text.from_markup(markup).plain


@given(items, st.integers(10, 120), st.integers(2, 6))
def test_the_caption_keeps_whole_items_in_order_within_its_lines(given_items, width, max_lines):
    text = plain(fit(given_items, width, max_lines))
    lines = text.split("\n")
    shown = [part for line in lines for part in line.split(SEPARATOR)]
    wanted = [plain(i) for i in given_items]
    cut = shown[-1] == MORE and len(shown) - 1 < len(wanted)
    kept = shown[:-1] if cut else shown
    assert kept == wanted[: len(kept)]  # whole items, in order, from the first
    assert cut or kept == wanted  # all of them, or "…" says some were left out
    assert kept  # the first is always there
    first_fits = len(wanted[0]) + len(SEPARATOR) + len(MORE) <= width
    if first_fits:
        assert len(lines) <= max_lines
    for line in lines:
        # a line is within the width unless it is one item wider than the line by itself
        assert len(line) <= width or SEPARATOR not in line
    if cut:  # as many as fit: one more item (with the "…" or without) would not
        more = wanted[: len(kept) + 1]
        tail = [] if len(more) == len(wanted) else [MORE]
        assert len(plain(fit([*more, *tail], width, 100)).split("\n")) > max_lines or not first_fits


@app_test
async def test_a_long_caption_at_80x24_shows_whole_items_and_says_what_it_left_out():
    """Three features, a lasso penalty, a pinned run and the eigen-axes: more than four lines
    of items at 80 columns. Before, the caption was wrapped and cut at its fourth line in the
    middle of an item ('held at now: w_z[hours_slept] 0, w_z[')."""
    ds = load_csv("sample_data/multi_feature.csv", x=["1", "2", "3"])
    hp = Hyperparameters(lr=0.001, l1=0.1, standardize=True, predict_x=(6.0, 6.0, 6.0))
    app = make_app(Session(ds, hp))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5", "h", "p")
        await pilot.pause()
        view = app.query_one(LandscapeView)
        key = app.query_one("#landscape-key")
        text = str(key.render())  # the text shown
        lines = text.split("\n")
        assert len(lines) <= CAPTION_LINES == key.size.height
        assert all(len(line) <= key.content_region.width for line in lines)
        assert text == plain(view.caption(key.content_region.width))
        for item in ("J = MSE + 0.1·‖w‖₁", "held at now: w_z[hours_slept] 0, w_z[coffee_cups] 0"):
            assert item in text
        assert text.endswith(MORE)  # the keys did not fit, and it says something is left out


@app_test
async def test_the_caption_keeps_its_lines_as_the_numbers_change():
    """The numbers' widths change from epoch to epoch ('m 0' then 'm 1.03'): a caption that
    took a line more would take a row from the picture, refit its view (every cell sent
    again) and lay out the screen."""
    from linreg_tui.core.dataset import seed_dataset

    for size in ((120, 40), (80, 24), (200, 60)):
        app = make_app(Session(seed_dataset(), Hyperparameters(epochs=100_000_000)))
        async with app.run_test(size=size) as pilot:
            await pilot.press("5")
            await pilot.pause()
            view = app.query_one(LandscapeView)
            key = app.query_one("#landscape-key")
            sizes = {(view.size, key.size)}
            for keys in (["space"], ["right_square_bracket"], ["right_curly_bracket"], ["e"]):
                await pilot.press(*keys)
                await app.workers.wait_for_complete()
                await pilot.pause()
                sizes.add((view.size, key.size))
            assert len(sizes) == 1, (size, sizes)

"""Pilot tests of the landscape pane: key 5, what it draws, its caption and its keys.

Independent answers: the seed's epochs by hand (m1 = 0.264, b1 = 0.08), its least squares
(0.6, 2.2), and the eigenvalues of the seed's Hessian [[22, 6], [6, 2]]: 12 ± √136.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from exact import exact_line
from pilot import app_test

from linreg_tui.core.csv_loader import load_csv
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.session import Session
from linreg_tui.tui.app import make_app
from linreg_tui.tui.landscape_view import (
    BAND_GLYPHS,
    OPTIMUM_GLYPH,
    PATH_GLYPHS,
    POINT_GLYPHS,
    LandscapeView,
)

LAMBDA_MIN, LAMBDA_MAX = 12 - math.sqrt(136), 12 + math.sqrt(136)


def screen_text(view: LandscapeView) -> list[str]:
    return ["".join(seg.text for seg in view.render_line(y)) for y in range(view.size.height)]


def caption(app) -> str:
    return str(app.query_one("#landscape-key").render())


def multi_feature_app():
    ds = load_csv("sample_data/multi_feature.csv", x=["1", "2", "3"])
    return make_app(Session(ds, Hyperparameters(lr=0.001, predict_x=(6.0, 6.0, 6.0))))


@app_test
async def test_key_5_shows_the_landscape_with_optimum_current_point_and_path():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "space", "space", "5")
        await pilot.pause()
        assert app.current_pane == "landscape"
        assert "5 Landscape" in str(app.query_one("#panes").border_title)
        view = app.query_one(LandscapeView)
        assert view.region.area > 0
        text = "\n".join(screen_text(view))
        assert OPTIMUM_GLYPH in text
        assert POINT_GLYPHS[0] in text
        assert PATH_GLYPHS[0] in text
        cap = caption(app)
        assert "m→ b↑" in cap
        # Epoch 3 of the seed: m = 0.61824, b = 0.1918016 (4 significant digits on screen).
        assert "● m 0.6182 b 0.1918" in cap
        assert f"{OPTIMUM_GLYPH} LS 0.6 2.2" in cap
        assert "J−J*" in cap and "×10" in cap


@app_test
async def test_h_shows_the_hessians_axes_with_their_eigenvalues():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5", "h")
        await pilot.pause()
        cap = caption(app)
        assert f"λ {LAMBDA_MIN:.3g}" in cap and f"λ {LAMBDA_MAX:.3g}" in cap
        text = "\n".join(screen_text(app.query_one(LandscapeView)))
        assert any(g in text for g in "─│╱╲")
        await pilot.press("h")
        await pilot.pause()
        assert "λ" not in caption(app)


@app_test
async def test_zoom_and_recentre_keys():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "5")
        await pilot.pause()
        view = app.query_one(LandscapeView)
        scale = view.picture.view.scale
        await pilot.press("z")
        await pilot.pause()
        assert view.picture.view.scale == pytest.approx(scale / 2)
        assert "zoom ×2" in caption(app)
        await pilot.press("Z", "Z")
        await pilot.pause()
        assert view.picture.view.scale == pytest.approx(scale * 2)
        await pilot.press("c")
        await pilot.pause()
        assert view.picture.view.centre == pytest.approx((0.264, 0.08))
        await pilot.press("o")
        await pilot.pause()
        assert view.picture.view.centre == pytest.approx((0.6, 2.2))
        await pilot.press("v")
        await pilot.pause()
        assert view.picture.view.scale == pytest.approx(scale)
        assert "zoom ×" not in caption(app)


@app_test
async def test_x_cycles_the_parameter_pairs_and_says_what_is_held():
    app = multi_feature_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("space", "5")
        await pilot.pause()
        seen = []
        for _ in range(7):
            cap = caption(app)
            seen.append(cap.split(" · ")[0])
            assert "held at now:" in cap
            await pilot.press("x")
            await pilot.pause()
        # 4 parameters (3 weights and b): 6 pairs, then back to the first.
        assert len(set(seen)) == 6
        assert seen[6] == seen[0]
        assert seen[0].startswith("w[hours_studied]→ b↑")


@app_test
async def test_no_color_draws_bands_as_characters(monkeypatch=None):
    import os

    os.environ["NO_COLOR"] = "1"
    try:
        app = make_app()
    finally:
        del os.environ["NO_COLOR"]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "5")
        await pilot.pause()
        view = app.query_one(LandscapeView)
        lines = screen_text(view)
        glyphs = {c for line in lines for c in line}
        used = [g for g in BAND_GLYPHS if g in glyphs]
        assert len(used) >= 4  # several bands, each by its own character
        assert "▀" not in glyphs
        assert all(
            seg.style is None or (seg.style.bgcolor is None)
            for y in range(view.size.height)
            for seg in view.render_line(y)
        )


@app_test
async def test_redraws_only_when_something_shown_changed():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5", "space")
        await pilot.pause()
        view = app.query_one(LandscapeView)
        strips = view._ensure_built()
        app.refresh_views()  # nothing moved
        assert view._ensure_built() is strips
        await pilot.press("space")
        await pilot.pause()
        assert view._ensure_built() is not strips


@app_test
async def test_badly_scaled_raw_is_a_thin_valley_and_standardised_a_round_bowl():
    ds = load_csv("sample_data/badly_scaled.csv")
    raw = make_app(Session(ds, Hyperparameters(lr=1e-10)))
    async with raw.run_test(size=(80, 24)) as pilot:
        await pilot.press("5", "h")
        await pilot.pause()
        sl = raw.query_one(LandscapeView).slice
        assert sl.curvatures[1] / sl.curvatures[0] > 1e9
    std = make_app(Session(ds, Hyperparameters(lr=0.1, standardize=True)))
    async with std.run_test(size=(80, 24)) as pilot:
        await pilot.press("5", "h")
        await pilot.pause()
        sl = std.query_one(LandscapeView).slice
        np.testing.assert_allclose(sl.curvatures, [2.0, 2.0], rtol=1e-9)
        assert "standardised coordinates" in caption(std)
        assert "m_z→ b_z↑" in caption(std)


@app_test
async def test_ascii_only_draws_the_landscape_in_ascii():
    app = make_app(ascii_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "space", "5", "h", "p", "ctrl+r", "space")
        await pilot.pause()
        view = app.query_one(LandscapeView)
        text = "\n".join(screen_text(view))
        assert text.isascii()
        assert "X" in text and "@" in text and "o" in text
        assert "1" in text  # the pinned run, by its number


@app_test
async def test_the_caption_changes_with_the_picture_not_a_frame_later():
    """New data (an edit) draws a new bowl: its caption is given to the caption line when the
    view is told, so the frame that draws the new picture has the new numbers beside it (they
    came a frame later, leaving the old least-squares answer on screen for that frame)."""
    from linreg_tui.core.editing import EditableData

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "✚ LS 0.6 2.2" in caption(app)
        new, edit = EditableData(app.session.dataset).propose_set(1, 1, "6")
        app.replace_data(new, app.session.hp, edit.description, edit.change)
        # no await: nothing has been rendered since
        m, b = exact_line([1, 2, 3, 4, 5], [2, 6, 5, 4, 5])
        assert f"✚ LS {m:.4g} {b:.4g}" in caption(app)

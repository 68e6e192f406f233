"""The screenshot key and the palette's exports: files written in a terminal (named in the toast,
never over an existing file), downloads in a browser (nothing written on the server)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from pilot import app_test
from test_keys import SIZE

from linreg_tui.tui.app import make_app


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


async def palette_command(app, title: str) -> None:
    for c in app.get_system_commands(app.screen):
        if c.title == title:
            c.callback()
            return
    raise AssertionError(f"no palette command {title!r}")


@app_test
async def test_i_saves_an_svg_screenshot_named_in_the_toast(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "i")
        await pilot.pause()
        files = os.listdir(tmp_path)
        assert len(files) == 1 and files[0].endswith(".svg")
        assert files[0].startswith("linreg-tui-screen-")
        assert any(str(tmp_path / files[0]) in n for n in notes(app))
        assert "epoch" in (tmp_path / files[0]).read_text()
        await pilot.press("i")  # the same second: a new name, the first file untouched
        await pilot.pause()
        assert len(os.listdir(tmp_path)) == 2


@pytest.mark.parametrize(
    ("title", "check"),
    [
        (
            "Export loss history (CSV)",
            lambda t: (
                float(list(csv.reader(t.splitlines()))[2][1]) == pytest.approx(10.490176, rel=1e-14)
            ),
        ),
        ("Export loss history (JSON)", lambda t: json.loads(t)["epochs"] == 1),
        (
            "Export current fit (JSON)",
            lambda t: json.loads(t)["weights"] == pytest.approx([0.264], rel=1e-15),
        ),
        (
            "Export current fit (CSV)",
            lambda t: (
                t.splitlines()[1].startswith("m,0.264") and t.splitlines()[1].endswith(",0.6")
            ),
        ),
    ],
)
def test_palette_exports_write_a_new_file_and_name_it(title, check, tmp_path: Path, monkeypatch):
    @app_test
    async def body():
        monkeypatch.chdir(tmp_path)
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("space")
            await palette_command(app, title)
            await pilot.pause()
            (name,) = os.listdir(tmp_path)
            assert check((tmp_path / name).read_text())
            assert any(name in n for n in notes(app))

    body()


@app_test
async def test_the_palette_lists_the_exports_and_the_screenshot_once():
    app = make_app()
    async with app.run_test(size=SIZE):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert titles.count("Screenshot") == 1
        assert {"Export loss history (CSV)", "Export current fit (JSON)"} <= set(titles)


@app_test
async def test_served_files_go_to_the_browser_and_nothing_is_written(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(served=True)
    sent = []
    monkeypatch.setattr(app, "deliver_text", lambda f, **kw: sent.append((f.read(), kw)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await palette_command(app, "Export current fit (JSON)")
        await pilot.pause()
    assert os.listdir(tmp_path) == []
    assert [kw["save_filename"].rsplit(".", 1)[1] for _, kw in sent] == ["svg", "json"]
    assert json.loads(sent[1][0])["weights"] == [0.0]

"""``linreg-tui --serve`` in a real browser (headless chromium): the page opens the app, keys
typed in the page step it, each tab is its own session, and ten tabs at once all answer.

The numbers are the seed script's: after one epoch m = 0.264, b = 0.08 (see test_terminal.py).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from browser import Tab, chromium, served, wait_until
from tmux import LINREG_TUI


@pytest.fixture
def server(tmp_path: Path):
    work = tmp_path / "cwd"
    work.mkdir()
    with served(cwd=work) as (url, _):
        yield url, work


def test_a_key_in_the_page_steps_the_app(server, tmp_path: Path) -> None:
    url, _ = server
    with chromium(tmp_path / "profile") as browser:
        tab = Tab(browser, url)
        assert "epoch 0/1,000" in tab.screen()
        tab.press(" ")
        screen = tab.wait_for("epoch 1/1,000")
        assert "m 0.264 (LS 0.6)  b 0.08 (LS 2.2)" in screen
        tab.press("?")
        tab.wait_for("─ Help ─")
        tab.press("Escape")
        # (A key straight after Escape would read as an escape sequence, as in a terminal.)
        tab.wait_until_gone("─ Help ─")
        tab.press("]")
        tab.wait_for("epoch 11/1,000")


def test_each_tab_is_its_own_session_and_ten_tabs_answer(server, tmp_path: Path) -> None:
    url, _ = server
    with chromium(tmp_path / "profile") as browser:
        tabs = [Tab(browser, url) for _ in range(10)]
        # Tab k steps k epochs; every other tab is left where it was.
        for k, tab in enumerate(tabs):
            for _ in range(k):
                tab.press(" ")
        for k, tab in enumerate(tabs):
            tab.wait_for(f"epoch {k}/1,000")
        for k, tab in enumerate(tabs):
            tab.press("]")
            tab.wait_for(f"epoch {k + 10}/1,000")


def test_the_data_and_settings_given_reach_every_tab(tmp_path: Path) -> None:
    data = tmp_path / "line.csv"
    data.write_text("x,y\n1,3\n2,5\n3,7\n")
    with (
        served(str(data), "--lr", "0.05", "--epochs", "77", cwd=tmp_path) as (url, _),
        chromium(tmp_path / "profile") as browser,
    ):
        screen = Tab(browser, url).screen()
        assert "epoch 0/77" in screen
        assert "line.csv: 3 rows" in screen
        assert "lr 0.05" in screen


def test_it_listens_on_loopback_unless_a_host_is_given() -> None:
    # The address is what --serve was told: checked without starting a server.
    from linreg_tui.tui.cli import parse_options

    assert parse_options(["--serve"]).serve.host == "127.0.0.1"
    opts = parse_options(["--serve", "--host", "0.0.0.0", "--port", "9000"]).serve
    assert (opts.host, opts.port, opts.host_given) == ("0.0.0.0", 9000, True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--serve", "--headless"], "cannot be combined with --headless"),
        (["--serve", "--port", "http"], "--port: 'http' is not a whole number"),
        (["--serve", "--port", "70000"], "--port: must be from 1 to 65535"),
        (["--port", "9000"], "--host and --port are for --serve"),
    ],
)
def test_bad_serve_options_exit_2_with_one_line(args: list[str], message: str) -> None:
    proc = subprocess.run(
        [str(LINREG_TUI), *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2
    assert message in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_a_given_host_is_warned_about(tmp_path: Path) -> None:
    with served("--host", "127.0.0.1", cwd=tmp_path) as (_, proc):
        pass
    err = proc.stderr.read()
    assert "no authentication" in err


def test_served_files_are_downloads_and_nothing_lands_on_the_server(tmp_path: Path) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    with served(cwd=work) as (url, proc), chromium(tmp_path / "profile") as browser:
        tab = Tab(browser, url)
        tab.press("i")
        tab.wait_for("Exported")
        tab.press("4")
        tab.wait_for("residual")
        tab.press("w")
        wait_until(
            lambda: "sent linreg-tui-data-" in " ".join(tab.screen().split()),
            "the data's download toast",
        )
        shown = " ".join(tab.screen().split())
        assert "sent linreg-tui-screen-" in shown
    assert list(work.iterdir()) == []  # the server wrote nothing
    log = " ".join(proc.stdout.read().split())  # the server's log, its line wrapping undone
    assert "GET /download/" in log  # the browser fetched a download

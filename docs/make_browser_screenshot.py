"""Make docs/browser.png: ``linreg-tui --serve`` in headless chromium, after two steps and a run to
the end, as a visitor's browser shows it. Run: .venv/bin/python docs/make_browser_screenshot.py
(needs chromium and playwright, as the browser test does)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "tui"))
from browser import Tab, chromium, served  # noqa: E402  (the tests' browser driver)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        with (
            served(cwd=tmp_path) as (url, _),
            chromium(tmp_path / "profile", viewport=(1200, 760)) as browser,
        ):
            tab = Tab(browser, url)
            tab.press(" ")
            tab.wait_for("epoch 1/")
            tab.press(" ")
            tab.wait_for("epoch 2/")
            tab.press("e")
            tab.wait_for("epoch 1,000/1,000")
            tab.page.wait_for_timeout(500)  # let the last frame settle before the picture
            tab.page.screenshot(path=str(HERE / "browser.png"))


if __name__ == "__main__":
    main()

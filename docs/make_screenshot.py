"""Make docs/screenshot.svg: the app at 120×36 on the seed data, after a few steps and a run to
the end. Run: .venv/bin/python docs/make_screenshot.py"""

from __future__ import annotations

import asyncio
from pathlib import Path

from linreg_tui.tui.app import make_app

HERE = Path(__file__).parent


async def main() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("space", "space", "e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.clear_notifications()
        await pilot.pause()
        app.save_screenshot(filename="screenshot.svg", path=str(HERE))


if __name__ == "__main__":
    asyncio.run(main())

"""Running the app's async pilot tests (test support; holds no tests)."""

from __future__ import annotations

import asyncio
import functools


def app_test(body):
    """Run an async test body to completion (the project has no pytest async plugin)."""

    @functools.wraps(body)
    def run(*args, **kwargs):
        asyncio.run(body(*args, **kwargs))

    return run

"""Fixtures shared by the real-terminal tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tmux import LINREG_TUI, Tmux


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    """A private tmux server in the test's temporary directory, killed at the end."""
    assert LINREG_TUI.is_file(), f"{LINREG_TUI} is missing: install the package (pip install -e .)"
    server = Tmux(tmp_path)  # a short directory: a Unix socket path must fit in about 100 bytes
    try:
        yield server
    finally:
        server.kill()

"""``linreg-tui FILE --stream`` in a real terminal (tmux): the loading screen, then the panes with
the sample marked, a run to the end on the whole file's statistics, and a clean exit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from test_terminal import ENV_256
from tmux import LINREG_TUI, Tmux

from linreg_tui.core import reference
from linreg_tui.core.loading import load_data

ROWS = 150_000


def test_the_app_on_a_streamed_file(tmux: Tmux, tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 10, ROWS)
    y = 0.75 * x + 3 + rng.normal(size=ROWS)
    path = tmp_path / "big.csv"  # 5.6 MB: above the loading screen's threshold
    path.write_text("x,y\n" + "".join(f"{a!r},{b!r}\n" for a, b in zip(x.tolist(), y.tolist())))
    session = tmux.start(
        "stream", [str(LINREG_TUI), str(path), "--stream", "--lr", "0.02"], ENV_256, 120, 40
    )
    # The least-squares slope the status shows (once solved: the panes open with the data
    # first) is the in-memory one (6 significant digits).
    ref = reference.solve(load_data(str(path)))
    first = session.wait_for_text(
        "150,000 rows (streamed)",
        "a uniform sample of 100,000 of the",
        f"(LS {ref.weights[0]:.6g})",
    )
    assert "sample of 100,000/150,000 rows" in first, first
    session.send("e")
    end = session.wait_for_text("epoch 1,000/1,000 budget spent")
    assert "Traceback" not in end
    session.send("4")
    session.wait_for_text("⏎ Edit")  # the data pane has the focus (its keys in the footer)
    session.send("Enter")  # an edit: refused, saying why
    refused = session.wait_for_text("Editing is off with --stream")
    assert "150,000 rows (streamed)" in refused
    session.send("q")
    status, text = session.wait_for_exit()
    assert status == 0, text

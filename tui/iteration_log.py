"""The iteration log: a row per epoch stepped by hand, a row per frame while running, and the
arithmetic of the last hand step with its numbers filled in."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import RichLog, Static

from linreg_tui.core.trainer import Record

from .numbers import fit, num

#: Rows kept; older ones scroll away.
MAX_ROWS = 5000
W = 10  # characters a column, one of them the gap


def _cells(cells: list[str]) -> str:
    return cells[0].rjust(8) + "".join(c.rjust(W) for c in cells[1:])


def _n(value: float) -> str:
    return fit(value, W - 1)


def header(names: tuple[str, ...], intercept: bool) -> str:
    if len(names) == 1:
        cells = ["epoch", "m", *(["b"] if intercept else []), "∂m", *(["∂b"] if intercept else [])]
    else:
        cells = ["epoch", *(["b"] if intercept else []), "‖∇‖", *(f"w:{n}" for n in names)]
    return _cells([*cells[:1], "MSE", *cells[1:]])


def row(rec: Record, intercept: bool, note: str = "") -> str:
    """One log row for an epoch (weights beyond the width scroll horizontally)."""
    b = [_n(rec.intercept)] if intercept else []
    if rec.weights.shape[0] == 1:
        gb = [_n(rec.grad_intercept)] if intercept else []
        cells = [
            f"{rec.epoch:,}",
            _n(rec.mse),
            _n(rec.weights[0]),
            *b,
            _n(rec.grad_weights[0]),
            *gb,
        ]
    else:
        cells = [
            f"{rec.epoch:,}",
            _n(rec.mse),
            *b,
            _n(rec.grad_norm),
            *(_n(w) for w in rec.weights),
        ]
    return _cells(cells) + (f"  {note}" if note else "")


def arithmetic(
    before: Record,
    after: Record,
    lr: float,
    names: tuple[str, ...],
    intercept: bool,
    standardized: bool,
) -> str:
    """θ ← θ − lr × ∂θ = θ', with the numbers of one step filled in."""
    if standardized:
        return (
            f"epoch {before.epoch:,} → {after.epoch:,}: the step ran on standardised x "
            "(z = (x − mean)/sd); the numbers above are converted back to the data's units"
        )
    lines = [f"epoch {before.epoch:,} → {after.epoch:,}:"]
    symbols = ["m"] if len(names) == 1 else [f"w:{n}" for n in names]
    for sym, w0, g, w1 in zip(
        symbols, before.weights.tolist(), before.grad_weights.tolist(), after.weights.tolist()
    ):
        lines.append(f"  {sym} ← {num(w0)} − {num(lr)} × ({num(g)}) = {num(w1)}")
    if intercept:
        lines.append(
            f"  b ← {num(before.intercept)} − {num(lr)} × ({num(before.grad_intercept)}) "
            f"= {num(after.intercept)}"
        )
    return "\n".join(lines)


class IterationLog(Vertical):
    """Header, rows, and the last hand step's arithmetic."""

    DEFAULT_CSS = """
    IterationLog {
        height: 1fr;
    }
    IterationLog #log-header {
        height: 1;
        text-style: bold underline;
    }
    IterationLog RichLog {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    IterationLog #log-arithmetic {
        height: auto;
        max-height: 5;
        color: $text-accent;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="log-header")
        yield RichLog(max_lines=MAX_ROWS, wrap=False, auto_scroll=True, id="log-rows")
        yield Static(id="log-arithmetic")

    def start(self, names: tuple[str, ...], intercept: bool, first: Record) -> None:
        self._intercept = intercept
        self.query_one("#log-header", Static).update(Text(header(names, intercept)))
        self.query_one("#log-rows", RichLog).clear()
        self.query_one("#log-arithmetic", Static).update("")
        self.add(first, "start")

    def add(self, rec: Record, note: str = "") -> None:
        self.query_one("#log-rows", RichLog).write(Text(row(rec, self._intercept, note)))

    def explain(self, text: str) -> None:
        self.query_one("#log-arithmetic", Static).update(Text(text))

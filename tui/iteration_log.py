"""The iteration log: a row per epoch stepped by hand, a row per frame while running, and the
arithmetic of the last hand step with its numbers filled in."""

from __future__ import annotations

from collections import deque

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from linreg_tui.core.trainer import Record

from .numbers import fit, num
from .virtual_table import VirtualTable

#: Rows kept; older ones scroll away.
MAX_ROWS = 5000


class LogTable(VirtualTable):
    """The rows: epoch, MSE, the parameters and the gradient (for one x: m, b, ∂m, ∂b)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: deque[tuple[Record, str]] = deque(maxlen=MAX_ROWS)
        self._names: tuple[str, ...] = ("x",)
        self._intercept = True

    def start(self, names: tuple[str, ...], intercept: bool) -> None:
        self._names, self._intercept = names, intercept
        self._rows.clear()
        self.update_size()
        self.refresh()

    def add(self, rec: Record, note: str = "") -> None:
        at_end = self.scroll_y >= self.max_scroll_y
        self._rows.append((rec, note))
        self.update_size()
        if at_end:
            self.scroll_end(animate=False, immediate=True)
        self.refresh()

    def columns(self) -> list[str]:
        b = ["b"] if self._intercept else []
        if len(self._names) == 1:
            return ["epoch", "MSE", "m", *b, "∂m", *(["∂b"] if self._intercept else [])]
        return ["epoch", "MSE", *b, "‖∇‖", *(f"w:{n}" for n in self._names)]

    def row_count(self) -> int:
        return len(self._rows)

    def row_note(self, index: int) -> str:
        return self._rows[index][1]

    def row_cells(self, index: int, width: int) -> list[str]:
        rec = self._rows[index][0]
        b = [rec.intercept] if self._intercept else []
        if rec.weights.shape[0] == 1:
            gb = [rec.grad_intercept] if self._intercept else []
            values = [rec.mse, rec.weights[0], *b, rec.grad_weights[0], *gb]
        else:
            values = [rec.mse, *b, rec.grad_norm, *rec.weights.tolist()]
        return [f"{rec.epoch:,}", *(fit(v, width) for v in values)]


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
    """The rows and, below them, the last hand step's arithmetic."""

    DEFAULT_CSS = """
    IterationLog {
        height: 1fr;
    }
    IterationLog #log-arithmetic {
        height: auto;
        max-height: 5;
        color: $text-accent;
    }
    """

    def compose(self) -> ComposeResult:
        yield LogTable(id="log-rows")
        yield Static(id="log-arithmetic")

    def start(self, names: tuple[str, ...], intercept: bool, first: Record) -> None:
        self.query_one(LogTable).start(names, intercept)
        self.query_one("#log-arithmetic", Static).update("")
        self.add(first, "start")

    def add(self, rec: Record, note: str = "") -> None:
        self.query_one(LogTable).add(rec, note)

    def explain(self, text: str) -> None:
        self.query_one("#log-arithmetic", Static).update(Text(text))

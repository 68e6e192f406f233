"""The iteration log: a row per epoch stepped by hand, a row per frame while running, and the
arithmetic of the last hand step with its numbers filled in."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.strip import Strip

from linreg_tui.core.trainer import Record, Step

from .numbers import fit, num
from .repaint import QuietStatic
from .virtual_table import VirtualTable, cell_widths

#: Rows kept; older ones scroll away, :data:`DROP` at a time (dropping one a row would move
#: every row on screen up a line, and so send the whole table every frame).
MAX_ROWS = 5000
DROP = 1000
#: What the arithmetic says while a run moves the epoch on every frame.
RUNNING = "running: the arithmetic of the last step shows when the run stops"


class LogTable(VirtualTable):
    """The rows: epoch, MSE, the parameters and the gradient (for one x: m, b, ∂m, ∂b)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[tuple[Record, str]] = []
        self._names: tuple[str, ...] = ("x",)
        self._intercept = True
        self._behind = False  # rows were added while the table was not on screen
        #: While following the last row: the scrolling height (the view's last line, + 1).
        self._page_end = 0
        self._following = True
        #: The longest epoch and note in the rows, in characters (the columns' widths follow).
        self._widest_epoch = 0
        self._widest_note = 0
        #: record ↦ (bound per weight, intercept's): a gradient below it is rounding noise
        #: (:meth:`~linreg_tui.core.session.Session.gradient_rounding_bound`).
        self._rounding: Callable[[Record], tuple[np.ndarray, float]] | None = None

    def start(self, names: tuple[str, ...], intercept: bool, rounding=None) -> None:
        self._names, self._intercept, self._rounding = names, intercept, rounding
        self._rows.clear()
        self._widest_epoch = self._widest_note = 0
        self._page_end = 0
        self._following = True
        self.update_size()
        self.refresh()

    def add(self, rec: Record, note: str = "") -> None:
        self._rows.append((rec, note))
        self._widest_epoch = max(self._widest_epoch, len(f"{rec.epoch:,}"))
        self._widest_note = max(self._widest_note, len(note))
        at_end = False
        if len(self._rows) > MAX_ROWS:
            # Following the last row before the drop, it still does after: the drop moves the
            # rows up by DROP but the new one is past the page the view had turned to.
            at_end = self.scroll_y >= self.max_scroll_y
            del self._rows[:DROP]
            self._widest_note = max(len(n) for _, n in self._rows)
            self._page_end = max(0, self._page_end - DROP)
            self.update_size()
            self.scroll_to(
                y=max(0, self.scroll_y - DROP), animate=False, immediate=True, force=True
            )
        # A new row changes the scrolling height, which costs a layout of the screen: not for a
        # table that is not on screen (a run adds a row a frame); it catches up when shown.
        if self.is_on_screen:
            self._follow(always=at_end)
        else:
            self._behind = True

    def update_size(self) -> None:
        # Blank lines below the last row while the view follows it (see _follow): the
        # scrolling height stays put between page turns, so the scroll bar is not redrawn.
        self.virtual_size = Size(0, max(self.row_count() + 1, self._page_end))

    def _follow(self, always: bool = False) -> None:
        """Keep the last row in view, turning half a page when it would pass the bottom.

        A table that scrolled by a row for every row added would be sent whole every frame
        (Textual repaints all of a widget that scrolled); turning half a page at a time, each
        new row is one line sent, and the whole table once every half page.
        """
        view = max(2, self.scrollable_content_region.height or self.size.height)
        following = self._following = always or self.scroll_y >= self.max_scroll_y
        last = self.row_count() - 1  # its line: last - scroll_y + 1 (line 0 is the header)
        if following and last - int(self.scroll_y) + 1 >= view:
            top = max(0, last - (view - 1) // 2)
            self._page_end = top + view
            self.update_size()
            self.scroll_to(y=top, animate=False, immediate=True, force=True)
            self.refresh()
        elif following:
            self._page_end = int(self.scroll_y) + view
            self.update_size()
            self.refresh_lines()
        else:
            self._page_end = 0
            self.update_size()
            self.refresh_lines()
        self._behind = False

    def _size_updated(self, size: Size, *args, **kwargs) -> bool:
        # Textual decides the scroll bars here, from the scrolling height, before on_resize is
        # sent. Following the last row, that height is padded to the view's bottom (see
        # _follow): a table shrunk by a line (the arithmetic under it grew) would get a scroll
        # bar for the padding alone, then lose it once on_resize trimmed the padding, each a
        # layout and a redraw of the table after the frame. The padding follows the new
        # height first. (A table that grows keeps Textual's way: the scroll offset is held to
        # the old padding, so the rows above come into view instead of blank lines below.)
        if self._following and self._page_end and size.height < self._size.height:
            self._page_end = int(self.scroll_y) + max(2, size.height)
            height = max(self.row_count() + 1, self._page_end)
            self.set_reactive(LogTable.virtual_size, Size(0, height))
        return super()._size_updated(size, *args, **kwargs)

    def on_resize(self) -> None:
        # A table that followed the last row still does when it grows or shrinks (the
        # arithmetic under it takes a few lines once a step is explained).
        if self._following:
            self._follow(always=True)
        else:
            self.update_size()

    def on_show(self) -> None:
        if self._behind:
            self._follow(always=True)

    def columns(self) -> list[str]:
        b = ["b"] if self._intercept else []
        if len(self._names) == 1:
            return ["epoch", "MSE", "m", *b, "∂m", *(["∂b"] if self._intercept else [])]
        return ["epoch", "MSE", *b, "‖∇‖", *(f"w:{n}" for n in self._names)]

    def row_count(self) -> int:
        return len(self._rows)

    def row_note(self, index: int) -> str:
        return self._rows[index][1]

    def index_width(self) -> int:
        return self._widest_epoch

    def note_width(self) -> int:
        return self._widest_note

    def row_cells(self, index: int, widths: Sequence[int] | int) -> list[str]:
        rec = self._rows[index][0]
        b = [rec.intercept] if self._intercept else []
        bound_w, bound_b = self._rounding(rec) if self._rounding else (None, None)
        if rec.weights.shape[0] == 1:
            values = [rec.mse, rec.weights[0], *b]
            grads = [(rec.grad_weights[0], _at(bound_w, 0))]
            if self._intercept:
                grads.append((rec.grad_intercept, bound_b))
            w = cell_widths(widths, len(values) + len(grads) + 1)[1:]
            return [
                f"{rec.epoch:,}",
                *(fit(v, x) for v, x in zip(values, w)),
                *(_gradient(g, bound, x) for (g, bound), x in zip(grads, w[len(values) :])),
            ]
        with np.errstate(over="ignore", invalid="ignore"):  # shown as beyond float64
            grad_norm = rec.grad_norm
            norm = None if bound_w is None else float(np.hypot(np.linalg.norm(bound_w), bound_b))
        values = [rec.mse, *b]
        weights = rec.weights.tolist()
        w = cell_widths(widths, len(values) + 2 + len(weights))[1:]
        return [
            f"{rec.epoch:,}",
            *(fit(v, x) for v, x in zip(values, w)),
            _gradient(grad_norm, norm, w[len(values)]),
            *(fit(v, x) for v, x in zip(weights, w[len(values) + 1 :])),
        ]


def _at(values, i: int) -> float | None:
    return None if values is None else float(values[i])


def _gradient(value: float, bound: float | None, width: int) -> str:
    """A gradient cell: the value, or "≈0 (rounding)" when it is below its rounding bound (the
    float gradient the step used, but indistinguishable from 0: see
    :meth:`~linreg_tui.core.session.Session.gradient_rounding_bound`)."""
    if bound is not None and abs(value) < bound:
        words = ("≈0 (rounding)", "≈0 (round)", "≈0 round", "≈0")
        return next(t for t in words if len(t) <= width or t == "≈0")
    return fit(value, width)


def arithmetic(step: Step, names: tuple[str, ...], standardized: bool) -> str:
    """The update that made ``step.after``, with its own settings and numbers filled in: for
    gradient descent ``m ← 0.264 − 0.01 × (-20.112) = 0.46512``, for Adam the moments, their bias
    corrections and the step."""
    before, after = step.before, step.after
    opt = step.optimizer
    extra = ", ".join(f"{k} {num(v)}" for k, v in opt.settings().items())
    hp = step.settings
    rate = f"lr {num(step.lr)}"
    if hp.schedule != "constant":
        rate += f" ({hp.schedule} schedule from {num(hp.lr)})"
    title = f"{opt.title}, {rate}" + (f", {extra}" if extra else "")
    if opt.counts_steps:
        title += f", t = {step.t:,}"
    head = f"epoch {before.epoch:,} → {after.epoch:,} ({title}):"
    if step.rows is not None:
        shown_rows = ", ".join(str(r + 1) for r in step.rows[:8].tolist())
        more = ", …" if step.rows.shape[0] > 8 else ""
        order = f"shuffled, seed {hp.seed}" if hp.shuffle else "in file order"
        head += (
            f"\n  {step.steps:,} steps of {hp.batch_size:,} rows ({order}); "
            f"the last, on rows {shown_rows}{more}:"
        )
    if standardized:
        return (
            f"{head} the step ran on standardised x (z = (x − mean)/sd); "
            "the numbers above are converted back to the data's units"
        )
    lines = [head]
    rename = {"m": "m", "b": "b"}
    if len(names) > 1:
        rename.update({f"w{j + 1}": f"w:{n}" for j, n in enumerate(names)})
    for name, terms in step.terms:
        shown_name = rename.get(name, name)
        for term in terms:
            symbol = term.symbol.replace(name, shown_name) if term.symbol != name else shown_name
            formula = term.formula.format(*(num(v) for v in term.values))
            lines.append(f"  {symbol} ← {formula} = {num(term.result)}")
    if step.proximal:
        lines.append(
            f"  then the proximal step: each weight moves {num(step.threshold)} (lr·λ₁) toward 0, "
            "stopping at 0"
        )
    return "\n".join(lines)


class Arithmetic(QuietStatic):
    """The last hand step's arithmetic, as tall as the most lines it has taken at its width since
    the log started.

    Its lines wrap where the pane is narrow, and how many lines they wrap to changes with the
    widths of the numbers: 3 lines, then 4, then 3 again. Each change moved the table above it
    by a row and laid out the whole screen, once every few keys. Holding the tallest height
    keeps the table still and a key's frame to the cells that changed. Held per width, so that
    the screen drawn afresh at a width (a resize away and back) is the screen it was.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._tallest: dict[int, int] = {}  # width → the most lines seen at that width
        self._held = 0  # the height of the last layout

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # Given a new height by a layout, Textual sets the (scrollable) text's virtual size as a
        # reactive that asks for another layout of the screen, and the text was drawn only after
        # that one, a frame later (the first edit's "restarted at epoch 0" came 35 ms after the
        # edit's frame). Nothing is laid out inside a text: the new size is enough.
        return super()._size_updated(size, virtual_size, container_size, layout=False)

    def _all_lines(self, content) -> tuple[list[Strip], int]:
        # Taller than its height (at most half the pane's): the last line shown says how many
        # are hidden below, instead of the lines simply stopping (Adam's step at 80×24 took 11
        # lines, 7 showed, and b's update was gone without a word).
        shown, count = super()._all_lines(content)
        height = len(shown)
        if count > height > 0:
            width = self.size.width
            hidden = count - height + 1
            style = self.visual_style.rich_style + Style(dim=True)
            words = f"  … {hidden} more lines below (a taller window shows them)"
            last = Strip([Segment(words, style)]).crop_extend(0, width, style)
            shown = [*shown[:-1], last]
        return shown, count

    def forget_heights(self) -> None:
        """Start again from the content's own height (the log started again)."""
        self._tallest.clear()
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        lines = super().get_content_height(container, viewport, width)
        if width:
            lines = self._tallest[width] = max(lines, self._tallest.get(width, 0))
        self._held = lines
        return lines

    def _height_changes(self, old_count: int, count: int) -> bool:
        if count > self._held:
            return True  # taller than ever at this width
        # Within the held height, no; beyond what shows (the rest scrolls), the scroll's length.
        return count != old_count and max(count, old_count) > self.size.height


class IterationLog(Vertical):
    """The rows and, below them, the last hand step's arithmetic."""

    DEFAULT_CSS = """
    IterationLog {
        height: 1fr;
    }
    IterationLog #log-arithmetic {
        height: auto;
        max-height: 50%;
        overflow-y: auto;
        color: $text-accent;
    }
    """

    #: The text under the rows now.
    explained = ""

    def compose(self) -> ComposeResult:
        yield LogTable(id="log-rows")
        yield Arithmetic(id="log-arithmetic")

    def start(self, names: tuple[str, ...], intercept: bool, first: Record, rounding=None) -> None:
        self.query_one(LogTable).start(names, intercept, rounding)
        arithmetic = self.query_one(Arithmetic)
        arithmetic.forget_heights()
        self.explain("")
        self.add(first, "start")

    def add(self, rec: Record, note: str = "") -> None:
        self.query_one(LogTable).add(rec, note)

    def explain(self, text: str) -> None:
        self.explained = text
        self.query_one(Arithmetic).update(Text(text))

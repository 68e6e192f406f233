"""The status lines: where the run is, how good the parameters are now and at the optimum, and
what the Hessian says about the learning rate."""

from __future__ import annotations

import os

from rich.text import Text

from linreg_tui.core.analysis import Verdict
from linreg_tui.core.dataset import Dataset
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.objective import REFERENCE_WORD
from linreg_tui.core.session import Session
from linreg_tui.core.trainer import Status

from .frame import Frame
from .markup import escape
from .numbers import count, num
from .repaint import QuietStatic

_STATUS_STYLE = {
    Status.READY: "bold",
    Status.CONVERGED: "bold green",
    Status.BUDGET_SPENT: "bold",
    Status.DIVERGED: "bold red reverse",
}
_VERDICT_STYLE = {
    Verdict.TOO_SMALL: "yellow",
    Verdict.GOOD: "green",
    Verdict.OSCILLATING: "yellow",
    Verdict.WILL_DIVERGE: "bold red",
    Verdict.STABLE: "green",
    Verdict.NO_BOUND: "yellow",
}


def status_lines(
    session: Session, running: bool, speed: str, width: int | None = None, change: str = ""
) -> list[str]:
    """Four lines of Rich markup, each short enough for an 80-column terminal. ``width``: the
    columns there are (with a penalty, the reference numbers then get fewer digits, and the
    first line leaves out the MSE's reference, where they would not fit). ``change``: what an
    edit of the data just did, said on the last line (in place of the data's description)."""
    t = session.trainer
    rec = session.record()
    ref = session.reference
    a = session.analysis
    hp = session.hp
    status = t.status
    state = "[reverse] running [/]" if running else f"[{_STATUS_STYLE[status]}]{status.value}[/]"
    # what the reference solved: "LS" (least squares), "ridge", "lasso" or "e-net"
    ref_word = REFERENCE_WORD[ref.penalty]
    if ref.objective is None:
        head = (
            f"epoch [b]{count(t.epoch)}[/]/{count(t.budget)} {state}  "
            f"MSE [b]{num(rec.mse)}[/] ({ref_word} {num(ref.mse)})"
        )
        r2 = f"  R² {num(session.r2_at(rec.mse), 4)}"
        # where the line is too narrow, R²'s reference goes, then R²: never a number cut off
        full = f"{head}{r2} ({ref_word} {num(ref.r2, 4)})"
        line1 = _first_fitting([full, head + r2, head], width)
    else:  # J = MSE + penalty is what the run minimises: it comes first, then the MSE
        head = (
            f"epoch [b]{count(t.epoch)}[/]/{count(t.budget)} {state}  J [b]{num(rec.objective)}[/]"
        )
        # the penalised answer's name is longer than "LS": where the line is too narrow, its
        # numbers get fewer digits, then the MSE's reference goes
        line1 = _first_fitting(
            [
                f"{head} ({ref_word} {num(ref.objective, d)})  MSE {num(rec.mse)}"
                + (f" ({ref_word} {num(ref.mse, d)})" if with_mse else "")
                for d, with_mse in ((6, True), (4, True), (4, False))
            ]
            + [f"{head} ({ref_word} {num(ref.objective, 4)})", head],
            width,
        )
    names = session.dataset.feature_names
    x = ",".join(num(v) for v in hp.predict_x)
    lines2 = []
    now = f"ŷ({escape(x)}) [b]{num(session.prediction(rec))}[/]"
    for d in (6, 4):
        b = (
            f"b [b]{num(rec.intercept)}[/] ({ref_word} {num(ref.intercept, d)})  "
            if hp.fit_intercept
            else ""
        )
        if len(names) == 1:
            params = f"m [b]{num(rec.weights[0])}[/] ({ref_word} {num(ref.weights[0], d)})  {b}"
        else:
            params = f"{b}‖θ−θ*‖ {num(session.distance_to_reference(rec), 4)}  "
        lines2.append(f"{params}{now} ({ref_word} {num(session.reference_prediction(), d)})")
    # narrower still: the prediction's reference goes, then the prediction (parts go whole)
    line2 = _first_fitting([*lines2, params + now, params.rstrip()], width)
    verdict = f"lr {num(hp.lr)}: [{_VERDICT_STYLE[a.verdict]}]{a.verdict.value}[/] · "
    # mini-batches and a schedule are outside the analysis: its figures are full batch's
    full_batch = hp.batch_size is None and hp.schedule == "constant"
    if a.lr_max is None:
        opt = escape(hp.optimizer)
        line3s = [f"{verdict}{opt}: adaptive, no fixed stable rate", f"{verdict}{opt}: adaptive"]
    elif a.method == "gd":
        if not full_batch:
            needed = "full-batch figures"
        elif a.epochs_needed is None and a.verdict is Verdict.STABLE:
            needed = "smooth part's bound (L1)"
        elif a.epochs_needed is None:
            needed = "never converges"
        else:
            needed = f"~{count(a.epochs_needed)} epoch{'' if a.epochs_needed == 1 else 's'} needed"
        rates = f"{verdict}stable < {num(a.lr_max, 4)} · best {num(a.lr_best, 4)}"
        line3s = [f"{rates} · {needed}", f"{rates} · {needed.removesuffix(' needed')}", rates]
    else:
        rate = f" · best {num(a.lr_best, 4)}" if a.lr_best is not None else ""
        best = rate + "".join(f" with {n} {num(v, 4)}" for n, v in (a.best_other or {}).items())
        whose = "" if full_batch else " (full batch)"
        stable = f"stable < {num(a.lr_max, 4)}"
        opt = escape(hp.optimizer)
        line3s = [
            f"{verdict}{opt}: {stable} ({escape(a.bound)}){best}{whose}",
            f"{verdict}{opt}: {stable}{best}{whose}",
            f"{verdict}{stable}{best}{whose}",
            f"{verdict}{stable}{rate}{whose}",
            f"{verdict}{stable}{whose}",
        ]
    # the first that fits: parts go whole where the line is too narrow, never a number cut off
    line3 = _first_fitting(line3s, width)
    if status in (Status.DIVERGED, Status.CONVERGED) and not running:
        line4 = f"[{_STATUS_STYLE[status]}]{escape(t.brief)}[/]"
    elif change:
        rows = _rows_line(session.dataset, session.n_rows)
        said = f"[b]{escape(change)}[/] · restarted at epoch 0"
        line4 = _first_fitting(
            [
                f"{rows} · {said} · ? help",
                f"{rows} · {said}",
                said,
                "data changed · restarted at epoch 0",
            ],
            width,
        )
    else:
        line4 = _data_line(session.dataset, hp, session.n_rows, f"· speed {speed} (+/−) · ? help")
    return [line1, line2, line3, line4]


def _first_fitting(lines: list[str], width: int | None) -> str:
    """The first of ``lines`` (Rich markup) that fits ``width`` columns, else the last."""
    for line in lines:
        if width is None or Text.from_markup(line).cell_len <= width:
            return line
    return lines[-1]


def pending_lines(dataset: Dataset, hp: Hyperparameters, rows: int) -> list[str]:
    """Four lines of Rich markup while least squares is being solved."""
    names = dataset.feature_names
    d = len(names)
    m0 = ", ".join(num(v) for v in (hp.m0 * d if len(hp.m0) == 1 else hp.m0))
    b = f"  b [b]{num(hp.b0)}[/]" if hp.fit_intercept else ""
    start = f"m [b]{m0}[/]{b}" if d == 1 else f"start: m {m0}{b}"
    return [
        f"epoch [b]0[/]/{count(hp.epochs)} [reverse] solving least squares [/]  for "
        f"{count(rows)} rows",
        f"{start}  (least squares, the MSE and the analysis appear when solved)",
        f"lr {num(hp.lr)} · keys that need the answer wait for it; q quits",
        _data_line(dataset, hp, rows, "· ? help"),
    ]


def _data_line(dataset: Dataset, hp: Hyperparameters, rows: int, tail: str) -> str:
    names = dataset.feature_names
    shape = "y = m·x + b" if len(names) == 1 else f"{len(names)} weights + b"
    if not hp.fit_intercept:
        shape = shape.replace(" + b", "")
    std = ", standardised" if hp.standardize else ""
    return f"[dim]{_rows_line(dataset, rows)}, {shape}{std} {tail}[/]"


def _rows_line(dataset: Dataset, rows: int) -> str:
    """Where the data came from and how many rows it has: "seed's 5 points: 5 rows"."""
    streamed = " (streamed)" if dataset.streamed is not None else ""
    noun = "row" if rows == 1 else "rows"
    return f"{escape(data_label(dataset.source))}: {count(rows)} {noun}{streamed}"


def data_label(source: str) -> str:
    """A short name for where the data came from."""
    if source.startswith("built-in"):
        return "seed's points, edited" if source.endswith("(edited)") else "seed's 5 points"
    return os.path.basename(source) or source


class StatusPanel(QuietStatic):
    DEFAULT_CSS = """
    StatusPanel {
        height: 4;
        padding: 0 1;
        background: $boost;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown = ""
        self._last: tuple[Session, bool, str, str] | None = None

    def show_frame(self, frame: Frame) -> None:
        self.show(frame.session, frame.running, frame.speed, frame.change)

    def show_pending(self, dataset: Dataset, hp: Hyperparameters, rows: int) -> None:
        """The status before least squares is known: the settings and the data, and what the
        app is waiting for."""
        self._put("\n".join(pending_lines(dataset, hp, rows)))

    def _put(self, text: str) -> None:
        if text != self._shown:
            self._shown = text
            self.update(text, layout=False)  # four lines, always: no layout needed

    def show(self, session: Session, running: bool, speed: str, change: str = "") -> None:
        """Show the status; nothing is redrawn if the lines are the ones on screen."""
        self._last = (session, running, speed, change)
        width = self.content_region.width or None
        self._put("\n".join(status_lines(session, running, speed, width, change)))

    def on_resize(self) -> None:
        # the lines are chosen for the width (parts left out whole where it is narrow): the
        # first frame may come before the layout has given the panel one
        if self._last is not None:
            self.show(*self._last)

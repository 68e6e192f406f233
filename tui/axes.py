"""Chart axes whose every cell stands for a round value, and tick labels that are those values.

plotext picks its own limits and labels: it writes the tick values with as many decimals as
tell them apart (``110000000000000014221978689228702908153856.0`` at 1e41, noise digits and half
the pane), rounds others it shows (``0.5`` on the row of 0.48), and at 1e150 its labels are wider
than the pane, so nothing is drawn. Here the charts choose the axes themselves: a step per cell
of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten, cell ``c`` standing for
``(first + c) * step`` exactly (a short decimal), and a label on every few cells saying that
value, in the app's short number format (:func:`.numbers.num`), at most :data:`MAX_LABEL` cells
wide. plotext is handed the data in cells (0 to cells - 1 on each axis), so the size of the
numbers never reaches its arithmetic: a loss of 1e300 draws as well as one of 3.

A log axis does the same in log10 units: a cell stands for a power of ten; labels on whole
powers read ``1e+05``, others the value to 3 significant digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .numbers import num

#: A cell's step is one of these times a power of ten (over 10: the step is m·10^e, m an integer).
MANTISSAS = (10, 12, 15, 20, 25, 30, 40, 50, 60, 80)
#: A label on every k-th value (k·step a rounder number than step), the smallest k that leaves room.
STRIDES = (1, 2, 4, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)
#: Widest tick label, in cells.
MAX_LABEL = 8
#: Significant digits of a log axis's labels off the whole powers of ten.
LOG_DIGITS = 3
#: Said in the chart when none of its values can be drawn.
NOTHING_TO_DRAW = "(nothing to draw: every value is beyond ±1.8e308)"
#: Said above the chart when some of its values are not drawn.
SOME_NOT_DRAWN = "values beyond ±1.8e308 not drawn"


@dataclass(frozen=True)
class Axis:
    """One axis of ``cells`` cells; cell ``c`` stands for ``(first + c) * 10**exponent * m``
    (``m`` from :data:`MANTISSAS`, over 10), of the value (linear) or of its log10 (``log``)."""

    first: int
    m: int
    exponent: int
    cells: int
    log: bool
    ticks: tuple[int, ...]  # cells with a label
    labels: tuple[str, ...]
    step: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "step", float(f"{self.m}e{self.exponent - 1}"))

    def units(self, c: int) -> float:
        """What cell ``c`` stands for (the log10 of the value on a log axis), correctly rounded."""
        return float(f"{(self.first + c) * self.m}e{self.exponent - 1}")

    def value(self, c: int) -> float:
        """The value cell ``c`` stands for."""
        u = self.units(c)
        if not self.log:
            return u
        with np.errstate(over="ignore"):
            return float(np.power(10.0, u))

    def cells_of(self, values: np.ndarray) -> np.ndarray:
        """Where ``values`` lie, in cells (cell ``c`` at ``c``; plotext rounds to the nearest)."""
        v = np.asarray(values, dtype=float)
        if self.log:
            with np.errstate(divide="ignore", invalid="ignore"):
                v = np.log10(v)
        with np.errstate(over="ignore", invalid="ignore"):
            return v / self.step - self.first


def label(n: int, exponent: int) -> str:
    """The exact decimal ``n · 10**(exponent - 1)`` in the app's number format, as short as its
    digits allow (``100`` rather than ``1e+02``, ``1e+06`` rather than ``1000000``)."""
    if n == 0:
        return "0"
    digits = str(abs(n))
    sig = len(digits.rstrip("0"))
    value = float(f"{n}e{exponent - 1}")
    whole = len(digits) + exponent - 1  # digits before the point
    forms = [num(value, max(sig, whole)), num(value, sig)]  # the first on a tie
    return min(forms, key=len)


def log_label(units: float) -> str:
    """The label of a log axis's cell that stands for 10**units."""
    if units > 308.25:
        return ">1.8e308"  # left out by the caller
    if float(units).is_integer():
        return num(10.0**units, 1) if units > 5 or units < -4 else num(10.0**units)
    return num(10.0**units, LOG_DIGITS)


def choose(
    lo: float,
    hi: float,
    cells: int,
    *,
    log: bool = False,
    gap: int = 2,
    x: bool = False,
    whole: bool = False,
) -> Axis | None:
    """The axis of ``cells`` cells from ``lo`` to ``hi`` (finite; positive on a log axis) with the
    smallest round step whose labels fit in :data:`MAX_LABEL` cells, labelled every ``gap`` cells
    or more (``x``: also room for the labels side by side; ``whole``: labels at whole numbers
    only). None if it cannot be drawn (a range
    wider than float64 holds)."""
    if log:
        lo, hi = math.log10(lo), math.log10(hi)
    if lo > hi:
        lo, hi = hi, lo
    if lo == hi:  # a constant: a small range around it
        pad = abs(lo) * 1e-3 or 1.0
        lo, hi = lo - pad, hi + pad
    cells = max(cells, 2)
    with np.errstate(over="ignore"):
        span = hi / 2 - lo / 2  # / 2 first: 1e308 - -1e308 would overflow
        target = span / (cells - 1) * 2
    if not math.isfinite(target) or target <= 0:
        return None
    e = math.floor(math.log10(target))  # step >= 10**e·(10/10)
    lone = None  # the first axis found with one label: a coarser step may give two
    while e <= 310 and (lone is None or e <= lone.exponent + 1):
        for m in MANTISSAS:
            step = float(f"{m}e{e - 1}")
            if step < target:
                continue
            axis = _fit(lo, hi, cells, m, e, step, log, gap, x, whole)
            if axis is not None and len(axis.ticks) >= 2:
                return axis
            lone = lone or axis
        e += 1
    return lone


def _fit(lo, hi, cells, m, e, step, log, gap, x, whole) -> Axis | None:
    if max(abs(lo), abs(hi)) / step > 1e12:
        return None  # labels of 12 digits and more: a coarser step has shorter ones
    first = math.floor(lo / step)
    while float(f"{first * m}e{e - 1}") > lo:
        first -= 1
    while float(f"{(first + 1) * m}e{e - 1}") <= lo:
        first += 1
    last = first + cells - 1
    top = float(f"{last * m}e{e - 1}")
    if top < hi or not math.isfinite(top):
        return None

    # The strides that leave room, roundest step between labels first (m = 15: every 20th cell,
    # 300, 600, rather than every 5th, 75, 150; 1, 2 or 5 before 3, 4 or 8), then the densest;
    # three labels or more if any stride gives them, and not far sparser than asked.
    def order(k: int) -> tuple:
        shown = (first + cells - 1) // k - (first - 1) // k
        digits = str(k * m).rstrip("0")
        return (shown < 3, k > 4 * gap, len(digits), digits not in ("1", "2", "5"), k)

    for k in sorted((k for k in STRIDES if k >= gap), key=order):
        if whole and e < 1 and (k * m) % 10 ** (1 - e):
            continue  # labels at whole numbers only (epochs)
        ticks = [c for c in range(cells) if (first + c) % k == 0]
        if log:
            names = [log_label(float(f"{(first + c) * m}e{e - 1}")) for c in ticks]
        else:
            names = [label((first + c) * m, e) for c in ticks]
        keep = [i for i, t in enumerate(names) if "e308" not in t and "n/a" not in t]
        ticks, names = [ticks[i] for i in keep], [names[i] for i in keep]
        widest = max(map(len, names), default=0)
        if widest > MAX_LABEL:
            return None  # a coarser step has shorter labels
        if not ticks or (x and len(ticks) > 1 and k < widest + 2):
            continue
        return Axis(first, m, e, cells, log, tuple(ticks), tuple(names))
    return None


@dataclass
class Series:
    kind: str  # "plot" or "scatter"
    x: np.ndarray
    y: np.ndarray
    marker: str
    color: str


class Figure:
    """What a chart draws, in the data's own units; :meth:`draw` hands it to plotext in cells of
    axes chosen by :func:`choose`."""

    def __init__(self, *, log_y: bool = False) -> None:
        self.log_y = log_y
        self.series: list[Series] = []
        self.hlines: list[tuple[float, str]] = []
        self.xlabel: str | None = None
        self.xrange: tuple[float, float] | None = None  # the x axis covers at least this
        self.whole_x = False  # x labels at whole numbers only (epochs)
        self.axes: tuple[Axis, Axis] | None = None  # after draw()

    def plot(self, x, y, *, marker: str, color: str) -> None:
        self.series.append(
            Series("plot", np.asarray(x, float), np.asarray(y, float), marker, color)
        )

    def scatter(self, x, y, *, marker: str, color: str) -> None:
        self.series.append(
            Series("scatter", np.asarray(x, float), np.asarray(y, float), marker, color)
        )

    def hline(self, y: float, *, color: str) -> None:
        self.hlines.append((float(y), color))

    def _drawable(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        keep = np.isfinite(x) & np.isfinite(y)
        if self.log_y:
            keep &= y > 0
        return keep

    def draw(self, plt, width: int, height: int) -> str | None:
        """Draw on ``plt`` (a figure ``width`` × ``height`` cells); a note instead if nothing can
        be drawn (then ``plt`` is left empty)."""
        xs, ys, dropped = [], [], False
        kept = []
        for s in self.series:
            keep = self._drawable(s.x, s.y)
            dropped |= not keep.all()
            kept.append(keep)
            xs.append(s.x[keep])
            ys.append(s.y[keep])
        lines = [(y, c) for y, c in self.hlines if math.isfinite(y) and (y > 0 or not self.log_y)]
        dropped |= len(lines) < len(self.hlines)
        allx = np.concatenate([*xs, np.array(self.xrange or (), float)])
        ally = np.concatenate([*ys, np.array([y for y, _ in lines], float)])
        if not allx.size or not ally.size:
            return NOTHING_TO_DRAW
        title = SOME_NOT_DRAWN if dropped else None
        # plotext's layout: a frame line above and below the canvas, a row of x labels, one for
        # the x axis's name, one for the title; a frame column either side and the y labels.
        rows = height - 3 - (self.xlabel is not None) - (title is not None)
        yaxis = choose(
            float(ally.min()), float(ally.max()), rows, log=self.log_y, gap=max(2, rows // 6)
        )
        if yaxis is None:
            return NOTHING_TO_DRAW
        columns = width - 2 - max(map(len, yaxis.labels), default=0)
        xaxis = choose(
            float(allx.min()),
            float(allx.max()),
            columns,
            x=True,
            gap=max(2, columns // 10),
            whole=self.whole_x,
        )
        if xaxis is None or rows < 2 or columns < 2:
            return NOTHING_TO_DRAW
        self.axes = (xaxis, yaxis)
        for s, keep in zip(self.series, kept):
            cx = xaxis.cells_of(s.x[keep]).tolist()
            cy = yaxis.cells_of(s.y[keep]).tolist()
            if s.kind == "plot":
                plt.plot(cx, cy, marker=s.marker, color=s.color)
            else:
                plt.scatter(cx, cy, marker=s.marker, color=s.color)
        for y, color in lines:
            plt.hline(float(yaxis.cells_of(np.array([y]))[0]), color=color)
        plt.xlim(0, xaxis.cells - 1)
        plt.ylim(0, yaxis.cells - 1)
        plt.xticks(list(xaxis.ticks), list(xaxis.labels))
        plt.yticks(list(yaxis.ticks), list(yaxis.labels))
        if self.xlabel is not None:
            plt.xlabel(self.xlabel)
        if title is not None:
            plt.title(title)
        return None

"""The loss and fit charts of a run as one SVG picture, for reports (``--headless --svg FILE``).

Plain SVG 1.1 written by hand (no plotting library): the loss chart (MSE per epoch, thinned to
an envelope of :data:`LOSS_POINTS` buckets so a million epochs cost what a thousand do, with the
least-squares MSE as a dashed line; log scale when the MSE spans more than three decades) beside
the fit chart (the data, the current line or curve, the least-squares one and the prediction;
with several x columns, predicted against actual y with the line ŷ = y).
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

import numpy as np

from . import model
from .downsample import envelope
from .objective import REFERENCE_TITLE
from .session import Session

WIDTH, HEIGHT = 960, 420
PANEL_W, PANEL_H = 400, 300
LEFT, TOP = 70, 50
GAP = 480
LOSS_POINTS = 600
MAX_DOTS = 2000
NOW, LS, DATA, PRED = "#1f77b4", "#2ca02c", "#333333", "#d62728"


def _g(value: float) -> str:
    return format(float(value), ".6g")


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / count
    step = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * step:
            step *= m
            break
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


class _Panel:
    """A plot area at (x0, y0) mapping data ranges to pixels."""

    def __init__(self, x0: float, title: str, xr, yr, xlabel: str, ylabel: str, log_y=False):
        self.x0, self.y0 = x0, TOP
        self.log_y = log_y
        self.xlo, self.xhi = self._pad(*xr)
        ylo, yhi = (math.log10(yr[0]), math.log10(yr[1])) if log_y else yr
        self.ylo, self.yhi = self._pad(ylo, yhi)
        self.parts = [
            f'<text x="{x0 + PANEL_W / 2}" y="{TOP - 18}" class="title">{escape(title)}</text>',
            f'<rect x="{x0}" y="{TOP}" width="{PANEL_W}" height="{PANEL_H}" class="frame"/>',
            f'<text x="{x0 + PANEL_W / 2}" y="{TOP + PANEL_H + 38}" class="label">'
            f"{escape(xlabel)}</text>",
            f'<text x="{x0 - 52}" y="{TOP + PANEL_H / 2}" class="label" '
            f'transform="rotate(-90 {x0 - 52} {TOP + PANEL_H / 2})">{escape(ylabel)}</text>',
        ]
        for t in _ticks(self.xlo, self.xhi):
            px = self.px(t)
            self.parts.append(
                f'<text x="{px:.1f}" y="{TOP + PANEL_H + 16}" class="tick">{_g(t)}</text>'
            )
        for t in _ticks(self.ylo, self.yhi):
            py = TOP + PANEL_H - (t - self.ylo) / (self.yhi - self.ylo) * PANEL_H
            label = _g(10**t) if log_y else _g(t)
            self.parts.append(
                f'<text x="{x0 - 6}" y="{py + 4:.1f}" class="tick" text-anchor="end">{label}</text>'
            )

    @staticmethod
    def _pad(lo: float, hi: float) -> tuple[float, float]:
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return 0.0, 1.0
        if hi <= lo:
            return lo - 1, hi + 1
        pad = (hi - lo) * 0.04
        return lo - pad, hi + pad

    def px(self, x: float) -> float:
        return self.x0 + (x - self.xlo) / (self.xhi - self.xlo) * PANEL_W

    def py(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        if self.log_y:
            y = np.log10(np.maximum(y, 10**self.ylo))
        y = np.clip(y, self.ylo, self.yhi)
        return TOP + PANEL_H - (y - self.ylo) / (self.yhi - self.ylo) * PANEL_H

    def line(self, x, y, color: str, dash: bool = False) -> None:
        xs = [self.px(v) for v in np.asarray(x, dtype=np.float64).tolist()]
        ys = self.py(y).tolist()
        points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys))
        style = ' stroke-dasharray="6 4"' if dash else ""
        self.parts.append(
            f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="1.5"{style}/>'
        )

    def dots(self, x, y, color: str, r: float = 2.5) -> None:
        xs = [self.px(v) for v in np.asarray(x, dtype=np.float64).tolist()]
        ys = self.py(y).tolist()
        self.parts += [
            f'<circle cx="{a:.1f}" cy="{b:.1f}" r="{r}" fill="{color}"/>' for a, b in zip(xs, ys)
        ]

    def legend(self, items: list[tuple[str, str]]) -> None:
        y = TOP + PANEL_H + 58
        x = self.x0
        for color, text in items:
            self.parts.append(f'<rect x="{x}" y="{y - 9}" width="12" height="4" fill="{color}"/>')
            self.parts.append(
                f'<text x="{x + 16}" y="{y - 3}" class="legend">{escape(text)}</text>'
            )
            x += 18 + 6.6 * len(text) + 14


def _loss_panel(session: Session) -> _Panel:
    trace = session.trainer.loss_trace
    finite = trace[np.isfinite(trace)]
    env = envelope(trace, LOSS_POINTS)
    ref = session.reference
    # with a penalty the trace is J = MSE + penalty, and the line the penalised answer's J
    optimum = ref.mse if ref.objective is None else ref.objective
    loss = "MSE" if ref.objective is None else "J"
    both = np.concatenate([finite, [optimum]]) if finite.size else np.array([optimum])
    positive = both[both > 0]
    lo, hi = float(both.min()), float(both.max())
    log_y = positive.size > 0 and float(positive.max()) > 1000 * float(positive.min())
    yr = (float(positive.min()), float(positive.max())) if log_y else (lo, hi)
    last = max(1, trace.shape[0] - 1)
    p = _Panel(0 + LEFT, "Loss", (0, last), yr, "epoch", loss + (" (log)" if log_y else ""), log_y)
    p.line(env.x, env.high, NOW)
    if not np.array_equal(env.low, env.high):
        p.line(env.x, env.low, NOW)
    p.line([0, last], [optimum, optimum], LS, dash=True)
    best = "least squares" if ref.objective is None else f"min J ({REFERENCE_TITLE[ref.penalty]})"
    p.legend([(NOW, f"{loss} by epoch"), (LS, f"{best} {_g(optimum)}")])
    return p


def _fit_panel(session: Session) -> _Panel:
    ds = session.shown_data  # streamed data: its sample
    rec = session.record()
    ref = session.reference
    stride = max(1, ds.n_samples // MAX_DOTS)
    if ds.raw_x.shape[1] == 1:
        x = ds.raw_x[::stride, 0]
        y = ds.y[::stride]
        px = session.hp.predict_x[0]
        lo, hi = min(float(ds.raw_x[:, 0].min()), px), max(float(ds.raw_x[:, 0].max()), px)
        grid = np.linspace(lo, hi, 2 if ds.degree == 1 else 200)
        features = ds.expand(grid[:, None])
        now = model.predict(features, rec.weights, rec.intercept)
        best = ref.predict(features)
        pred = session.prediction(rec)
        ys = np.concatenate([y, now, best, [pred]])
        ys = ys[np.isfinite(ys)]
        p = _Panel(GAP + LEFT, "Fit", (lo, hi), (ys.min(), ys.max()), ds.x_names[0], ds.y_name)
        p.dots(x, y, DATA)
        p.line(grid, best, LS, dash=True)
        p.line(grid, now, NOW)
        p.dots([px], [pred], PRED, r=4)
        p.legend(
            [
                (DATA, "data"),
                (NOW, "now"),
                (LS, REFERENCE_TITLE[ref.penalty]),
                (PRED, f"ŷ({_g(px)}) {_g(pred)}"),
            ]
        )
        return p
    y = ds.y[::stride]
    features = ds.features[::stride]
    now = model.predict(features, rec.weights, rec.intercept)
    best = ref.predict(features)
    lo, hi = float(ds.y.min()), float(ds.y.max())
    ys = np.concatenate([now, best, [lo, hi]])
    ys = ys[np.isfinite(ys)]
    p = _Panel(
        GAP + LEFT,
        "Predicted against actual",
        (lo, hi),
        (ys.min(), ys.max()),
        f"actual {ds.y_name}",
        f"predicted {ds.y_name}",
    )
    p.line([lo, hi], [lo, hi], DATA, dash=True)
    p.dots(y, best, LS)
    p.dots(y, now, NOW)
    p.legend([(NOW, "now"), (LS, REFERENCE_TITLE[ref.penalty]), (DATA, "ŷ = y")])
    return p


def render(session: Session) -> str:
    """The SVG text: the loss chart and the fit chart of the session's current epoch."""
    t = session.trainer
    ref, rec = session.reference, session.record()
    title = REFERENCE_TITLE[ref.penalty]
    loss = f"MSE {_g(rec.mse)} ({title} {_g(ref.mse)})"
    if ref.objective is not None:
        terms = session.problem.objective.penalty.terms(_g)
        loss = f"J = MSE + {terms} {_g(rec.objective)} ({title} {_g(ref.objective)}), {loss}"
    caption = (
        f"{session.dataset.source}: epoch {t.epoch:,} of {t.budget:,}, lr {_g(session.hp.lr)}, "
        f"{loss}; {t.message}"
    )
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif">',
        "<style>.title{font-size:15px;font-weight:bold;text-anchor:middle}"
        ".label{font-size:12px;text-anchor:middle}.tick{font-size:10px;text-anchor:middle}"
        ".legend{font-size:11px}.caption{font-size:11px;fill:#555}"
        ".frame{fill:none;stroke:#999}</style>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="10" y="16" class="caption">{escape(caption)}</text>',
    ]
    for panel in (_loss_panel(session), _fit_panel(session)):
        parts += panel.parts
    parts.append("</svg>")
    return "\n".join(parts) + "\n"

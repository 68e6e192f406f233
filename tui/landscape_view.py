"""The landscape pane: J over two parameters as filled contour bands, with the optimum, the current
point, the path so far, pinned runs' paths and (on a key) the Hessian's eigen-directions.

Colour: each cell is a half block (▀) whose two halves are two pixels, coloured by band. The band
colours are colours of the standard 16-colour palette, so a 16-colour terminal shows them as they
are. Without colour (NO_COLOR) each cell shows its band as a character of its own density
(`` ·:-=+*#``), so the bands read in plain text. Every number comes from
:mod:`linreg_tui.core.landscape`; this module only chooses glyphs and colours.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from linreg_tui.core.landscape import (
    Bowl,
    Picture,
    Slice,
    View,
    draw,
    fit_view,
    pairs,
    parameter_names,
    segment_pixels,
    thin_path,
)
from linreg_tui.core.session import Problem, Session

from .caption import fit
from .chart import Same
from .frame import Frame
from .markup import escape
from .numbers import num
from .repaint import repaint_changed

#: Band colours, lowest J first: colours of the standard 16-colour palette (rich's STANDARD).
BAND_COLOURS = (
    "#000000",
    "#0000aa",
    "#5555ff",
    "#00aaaa",
    "#55ffff",
    "#00aa00",
    "#55ff55",
    "#ffff55",
)
#: Band characters without colour, lowest J first (more ink, more loss).
BAND_GLYPHS = (" ", "·", ":", "-", "=", "+", "*", "#")
#: Each run's colour, path glyph and point glyph: the current run first, then pinned runs.
RUN_COLOURS = ("#ff5555", "#ffffff", "#ff55ff", "#aa5500", "#aaaaaa")
PATH_GLYPHS = ("•", "x", "∘", "▪", "▴")
POINT_GLYPHS = ("●", "×", "○", "■", "▲")
OPTIMUM_GLYPH = "✚"
#: Lines the caption may take (its widget's max-height in app.tcss).
CAPTION_LINES = 4
#: The same in ASCII (a locale that is not UTF-8, or --ascii): bands, optimum, current point,
#: path, and the pinned runs by number.
BAND_GLYPHS_ASCII = (" ", ".", ":", "-", "=", "+", "*", "#")
OPTIMUM_ASCII, POINT_ASCII, PATH_ASCII = "X", "@", "o"
OPTIMUM_COLOUR = "#ffffff"
AXIS_COLOURS = ("#ff55ff", "#ffff55")  # long axis, short axis
#: Zoom factor of one key press.
ZOOM_STEP = 2.0
#: The margin (a share of the span, each side) a view gets when the path has left the last one.
ROOM = 0.3
#: A view kept while the path is in it may be at most this many times larger than needed.
SHRINK = 3.0


@dataclass(frozen=True)
class LandscapeData:
    """What the landscape draws, all in training coordinates (parameters: weights then b).

    Attributes
    ----------
    bowl : Bowl
    current : ndarray of shape (p,)
    path : ndarray of shape (k, p)
        The current run's thinned path (last row: the current point).
    pins : tuple of ndarray of shape (k, p)
        Pinned runs' thinned paths, in the same coordinates.
    standardized : bool
    """

    bowl: Bowl
    current: np.ndarray
    path: np.ndarray
    pins: tuple[np.ndarray, ...] = ()
    labels: tuple[str, ...] = ()
    #: Per pinned path: (colour, path glyph, end glyph).
    pin_styles: tuple[tuple[str, str, str], ...] = ()
    standardized: bool = False
    #: The penalty's terms ("0.1·‖w‖²"), empty without one: then J is the MSE.
    penalty: str = ""


def _angle_glyph(du: float, dv: float, ascii_only: bool = False) -> str:
    """A line glyph for a direction in (square) pixel space, as it looks on screen."""
    angle = math.degrees(math.atan2(dv, du)) % 180
    glyphs = "-/|\\" if ascii_only else "─╱│╲"
    if angle < 22.5 or angle >= 157.5:
        return glyphs[0]
    if angle < 67.5:
        return glyphs[1]
    if angle < 112.5:
        return glyphs[2]
    return glyphs[3]


class LandscapeView(Widget, can_focus=True):
    """J − J* over two parameters around the optimum; redrawn only when what it shows changed."""

    DEFAULT_CSS = """
    LandscapeView {
        height: 1fr;
        min-height: 4;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._data: LandscapeData | None = None
        self.pair_index = 0
        self.zoom = 1.0
        self.centre: tuple[float, float] | None = None
        self.show_axes = False
        #: Draw in ASCII only (set by the app for a locale that is not UTF-8, or --ascii).
        self.ascii_only = False
        self._strips: list[Strip] | None = None
        self._drawn_for: tuple | None = None
        self.picture: Picture | None = None
        self._grid_for: tuple | None = None
        #: The rows drawn last, by row: (its marks, its strip), for the picture in _rows_for.
        self._row_strips: dict[int, tuple[tuple, Strip]] = {}
        self._rows_for: tuple | None = None
        #: The view in use (see _steady_view), with what it was fitted for.
        self._view: tuple[tuple, View] | None = None
        self.slice: Slice | None = None
        #: Called with the caption (Rich markup) whenever the picture is drawn anew.
        self.on_caption: Callable[[str], object] | None = None

    # -- state ----------------------------------------------------------------------------------

    def show(self, data: LandscapeData) -> None:
        """New data; repainted only if it differs from what is drawn."""
        old = self._data
        self._data = data
        if old is not None and old.bowl is not data.bowl:
            self.reset_view(keep_pair=old.bowl.n_params == data.bowl.n_params)
            return
        if self._state_key() == self._drawn_for:
            return
        old = self._strips
        if old is None or not self.is_mounted or not self.size.area:
            self._invalidate()
            return
        # Drawn now, not at the next render: only the cells where the point and the path moved
        # are repainted (and the caption changes in the same frame).
        repaint_changed(self, old, self._ensure_built())

    def show_frame(
        self,
        frame: Frame,
        pins: tuple[np.ndarray, ...] = (),
        labels: tuple[str, ...] = (),
        pin_styles: tuple[tuple[str, str, str], ...] = (),
    ) -> None:
        """Show a frame's run (the thinned path costs the same at any history length), with
        pinned runs' paths (in its training coordinates), their labels and styles."""
        self.show(landscape_data(frame.session, pins, labels, pin_styles))

    def reset_view(self, keep_pair: bool = True) -> None:
        if not keep_pair:
            self.pair_index = 0
        self.zoom = 1.0
        self.centre = None
        self._view = None  # fitted afresh to the path as it is now
        self._invalidate()

    def next_pair(self) -> None:
        n = len(self.pairs)
        if n:
            self.pair_index = (self.pair_index + 1) % n
        self.zoom, self.centre = 1.0, None
        self._invalidate()

    def zoom_by(self, factor: float) -> None:
        self.zoom *= factor
        self._invalidate()

    def centre_on_current(self) -> None:
        if self._data is not None:
            i, j = self.pair
            self.centre = (float(self._data.current[i]), float(self._data.current[j]))
            self._invalidate()

    def centre_on_optimum(self) -> None:
        if self._data is not None:
            i, j = self.pair
            star = self._data.bowl.theta_star
            self.centre = (float(star[i]), float(star[j]))
            self._invalidate()

    def toggle_axes(self) -> None:
        self.show_axes = not self.show_axes
        self._invalidate()

    def _invalidate(self) -> None:
        """Draw the picture afresh: now, if the view is on screen, so that its caption (another
        widget) changes in the same frame as the picture, not in the next."""
        self._strips = None
        self._drawn_for = None
        if self.is_mounted and self.size.area and self._data is not None:
            self._ensure_built()
        self.refresh()

    @property
    def pairs(self) -> list[tuple[int, int]]:
        return pairs(self._data.bowl.n_params) if self._data is not None else []

    @property
    def pair(self) -> tuple[int, int]:
        ps = self.pairs
        return ps[self.pair_index % len(ps)] if ps else (0, 0)

    def _state_key(self) -> tuple:
        d = self._data
        if d is None:
            return ()
        return (
            Same(d.bowl),
            d.current.tobytes(),
            len(d.path),
            d.path[-1].tobytes() if len(d.path) else b"",
            tuple((len(p), p[-1].tobytes() if len(p) else b"") for p in d.pins),
            self.pair_index,
            self.zoom,
            self.centre,
            self.show_axes,
            self.size.width,
            self.size.height,
            self.app.no_color,
            self.ascii_only,
        )

    # -- drawing --------------------------------------------------------------------------------

    def _ensure_built(self) -> list[Strip]:
        key = self._state_key()
        if self._strips is None or self._drawn_for != key:
            self._strips = self._build()
            self._drawn_for = key
            if self.on_caption is not None:
                self.on_caption(self.caption())
        return self._strips

    def render_line(self, y: int) -> Strip:
        strips = self._ensure_built()
        if 0 <= y < len(strips):
            return strips[y]
        return Strip.blank(self.size.width)

    def view_for(self, width: int, height: int) -> tuple[Slice, View] | None:
        """The slice and the view (in pixels of ``width`` × ``height``) for the current data."""
        d = self._data
        if d is None or d.bowl.n_params < 2:
            return None
        i, j = self.pair
        sl = Slice.through(d.bowl, d.current, i, j)
        points = np.vstack(
            [d.path[:, [i, j]], d.current[None, [i, j]], d.bowl.theta_star[None, [i, j]]]
        )
        view = self._steady_view(sl, points, width, height)
        view = view.zoomed(self.zoom)
        if self.centre is not None:
            view = view.centred(*self.centre)
        return sl, view

    def _steady_view(self, sl: Slice, points: np.ndarray, width: int, height: int) -> View:
        """The view that shows the path, the point and the optimum, kept while they stay in it.

        A view fitted afresh every frame moves whenever the path reaches further, and then every
        cell of the picture changes and is sent again. So the view stands while everything
        still fits in it (and it is not over :data:`SHRINK` times too large, as after a
        restart); when the path leaves it, the new view gets :data:`ROOM` to grow into.
        """
        fitted = fit_view(sl, points, width, height)
        key = (Same(self._data.bowl if self._data else None), sl.i, sl.j, width, height)
        kept = self._view
        if kept is not None and kept[0] == key:
            view = kept[1]
            col, row = view.pixel(points[:, 0], points[:, 1], width, height)
            inside = bool(
                np.all((col >= 0) & (col <= width - 1) & (row >= 0) & (row <= height - 1))
            )
            if inside and view.scale <= SHRINK * fitted.scale:
                return view
            if not inside:
                fitted = fit_view(sl, points, width, height, margin=ROOM)
        self._view = (key, fitted)
        return fitted

    def _build(self) -> list[Strip]:
        width, rows = self.size.width, self.size.height
        d = self._data
        if width <= 0 or rows <= 0:
            return []
        if d is None or d.bowl.n_params < 2:
            note = "(one parameter: the landscape needs two)" if d is not None else ""
            return [Strip([Segment(note[:width].ljust(width))])] + [
                Strip.blank(width) for _ in range(rows - 1)
            ]
        height = rows * 2
        found = self.view_for(width, height)
        assert found is not None
        sl, view = found
        # The bands depend on the slice and the view, not on the current point: while a run moves
        # only the marks, the grid is not evaluated again.
        grid_key = (
            Same(d.bowl),
            sl.i,
            sl.j,
            sl.minimum.tobytes(),
            sl.floor,
            view.centre,
            view.scale,
            width,
            height,
        )
        if self._grid_for == grid_key and self.picture is not None:
            picture = self.picture
        else:
            picture = draw(sl, view, width, height)
            self._grid_for = grid_key
        self.picture, self.slice = picture, sl
        mono = self.app.no_color
        ascii_only = self.ascii_only
        bands = picture.bands
        # Glyph cells drawn over the bands: (row, col) → (glyph, colour).
        marks: dict[tuple[int, int], tuple[str, str]] = {}
        i, j = self.pair
        if self.show_axes:
            self._mark_axes(marks, sl, view, width, height, self.ascii_only)
        runs = [d.path, *d.pins]
        for r in range(len(runs) - 1, -1, -1):  # the current run last, on top
            path = runs[r]
            if not len(path):
                continue
            colour, step_glyph, end_glyph = self._style(r)
            px = thin_path(path[:, [i, j]], view, width, height)
            for col, row in segment_pixels(px, width, height).tolist():
                marks[(row // 2, col)] = (step_glyph, colour)
            end = px[-1] if len(px) else None
            if r > 0 and end is not None:
                self._mark_point(marks, end, end_glyph, colour, width, height)
        star = d.bowl.theta_star
        cols, prow = view.pixel(star[i], star[j], width, height)
        optimum = OPTIMUM_ASCII if ascii_only else OPTIMUM_GLYPH
        self._mark_point(marks, (cols, prow), optimum, OPTIMUM_COLOUR, width, height)
        cu, cv = view.pixel(d.current[i], d.current[j], width, height)
        point = POINT_ASCII if ascii_only else POINT_GLYPHS[0]
        self._mark_point(marks, (cu, cv), point, RUN_COLOURS[0], width, height)
        # A step moves the point and the path's end: the rows whose marks are as they were keep
        # their strips (the same objects, which the repaint sees unchanged at no cost).
        by_row: dict[int, list] = {}
        for (y, x), mark in marks.items():
            by_row.setdefault(y, []).append((x, mark))
        base = (Same(picture), mono, ascii_only, width, rows)
        if self._rows_for != base:
            self._rows_for, self._row_strips = base, {}
        kept = self._row_strips
        strips = []
        styles: dict[tuple, Style] = {}
        for y in range(rows):
            row_marks = tuple(sorted(by_row.get(y, ())))
            old = kept.get(y)
            if old is None or old[0] != row_marks:
                old = kept[y] = (
                    row_marks,
                    _row_strip(bands, marks, mono, ascii_only, width, y, styles),
                )
            strips.append(old[1])
        return strips

    def _style(self, r: int) -> tuple[str, str, str]:
        """(colour, path glyph, end glyph) of run r: 0 the current run, then the pinned ones."""
        d = self._data
        if r > 0 and d is not None and r - 1 < len(d.pin_styles):
            return d.pin_styles[r - 1]
        k = r % len(RUN_COLOURS)
        if self.ascii_only:
            return (
                RUN_COLOURS[k],
                PATH_ASCII if k == 0 else str(k),
                POINT_ASCII if k == 0 else str(k),
            )
        return RUN_COLOURS[k], PATH_GLYPHS[k], POINT_GLYPHS[k]

    @staticmethod
    def _mark_point(marks, px, glyph: str, colour: str, width: int, height: int) -> None:
        col, row = round(float(px[0])), round(float(px[1]))
        if 0 <= col < width and 0 <= row < height:
            marks[(row // 2, col)] = (glyph, colour)

    @staticmethod
    def _mark_axes(
        marks, sl: Slice, view: View, width: int, height: int, ascii_only: bool = False
    ) -> None:
        cu, cv = view.pixel(sl.minimum[0], sl.minimum[1], width, height)
        reach = float(width + height)
        t = np.linspace(-reach, reach, int(4 * reach))
        for k in (1, 0):  # the long axis (k = 0) drawn last, over the short one
            du, dv = float(sl.directions[0, k]), float(sl.directions[1, k])
            glyph = _angle_glyph(du, dv, ascii_only)
            cols = np.round(cu + t * du).astype(np.int64)
            rows = np.round(cv - t * dv).astype(np.int64)
            ok = (cols >= 0) & (cols < width) & (rows >= 0) & (rows < height)
            for col, row in zip(cols[ok].tolist(), rows[ok].tolist()):
                marks[(row // 2, col)] = (glyph, AXIS_COLOURS[k])

    @staticmethod
    def _strips_from(
        bands: np.ndarray, marks, mono: bool, ascii_only: bool, width: int, rows: int
    ) -> list[Strip]:
        """Lines of cells, all made afresh (what :meth:`_build` keeps row by row)."""
        styles: dict[tuple, Style] = {}
        return [_row_strip(bands, marks, mono, ascii_only, width, y, styles) for y in range(rows)]

    # -- the caption ----------------------------------------------------------------------------

    def caption(self, width: int | None = None) -> str:
        """Axes, the current point, the optimum, the levels, what is held, the pinned runs and
        the keys, as Rich markup in at most :data:`CAPTION_LINES` lines of ``width`` cells (the
        view's width less the caption's padding by default): the items are in the order they
        matter, and those that do not fit are left out, with "…" saying so."""
        d = self._data
        if d is None:
            return ""
        if d.bowl.n_params < 2:
            return "one parameter: no landscape to draw"
        self._ensure_built()
        width = self.size.width - 2 if width is None else width
        text = fit(self._caption_items(d, num), width, CAPTION_LINES)
        # As many lines as the widest numbers would take, whatever these ones are: a line
        # fewer would give the picture a row, refit its view (every cell sent again) and lay
        # out the screen, as the numbers' widths change from epoch to epoch.
        widest = fit(self._caption_items(d, _widest_number), width, CAPTION_LINES)
        return text + "\n" * max(0, widest.count("\n") - text.count("\n"))

    def _caption_items(self, d: LandscapeData, number: Callable[[float, int], str]) -> list[str]:
        """The caption's items, in the order they matter, numbers written by ``number``."""
        names = d.bowl.names
        i, j = self.pair
        pic = self.picture
        cur, star = d.current, d.bowl.theta_star
        ni, nj = escape(names[i]), escape(names[j])
        now = f"[b]●[/] {ni} {number(cur[i], 4)} {nj} {number(cur[j], 4)}"
        which = "min J" if d.penalty else "LS"
        opt = f"{OPTIMUM_GLYPH} {which} {number(star[i], 4)} {number(star[j], 4)}"
        if pic is not None and len(pic.levels.values):
            lv = pic.levels.values
            step = pic.levels.step
            ratio = "×10" if step == 1 else f"×10^{step:g}"
            levels = f"J−J* {number(lv[0], 2)}…{number(lv[-1], 2)} {ratio}"
        else:
            levels = "J−J* flat"
        items = [f"{ni}→ {nj}↑", now, opt, levels]
        if d.penalty:
            items.append(f"J = MSE + {escape(d.penalty)}")
        held = [k for k in range(d.bowl.n_params) if k not in (i, j)]
        if held:
            items.append(
                "held at now: " + ", ".join(f"{escape(names[k])} {number(cur[k], 3)}" for k in held)
            )
        for r, label in enumerate(d.labels, start=1):
            colour, _, glyph = self._style(r)
            items.append(f"[{colour}]{glyph}[/] {escape(label)}")
        if self.show_axes and self.slice is not None:
            lam = self.slice.curvatures
            items.append(
                f"[{AXIS_COLOURS[0]}]long axis[/] λ {number(lam[0], 3)}, "
                f"[{AXIS_COLOURS[1]}]short[/] λ {number(lam[1], 3)}"
            )
        if self.zoom != 1.0:
            items.append(f"zoom ×{num(self.zoom, 3)}")
        if d.standardized:
            items.append("standardised coordinates")
        # the keys as items of their own, so a narrow caption keeps those that fit whole
        items += ["keys: x axes", "h eigen", "z/Z zoom", "c/o/v centre"]
        return items


def _widest_number(value: float, digits: int) -> str:
    """As wide as :func:`~.numbers.num` writes a number of ``digits`` digits (short of
    exponents of three digits): "-8.888e+88"."""
    return "-8." + "8" * (digits - 1) + "e+88"


@functools.lru_cache(maxsize=8)
def bowl_of(problem: Problem) -> Bowl:
    """The bowl of a session's problem (cached: it changes only with the problem)."""
    ds = problem.dataset
    names = parameter_names(
        ds.feature_names, problem.quadratic.fit_intercept, not problem.scaling.identity
    )
    objective = problem.objective
    # The minimiser of J: least squares, or with a penalty the penalised answer.
    w_star, b_star = problem.scaling.to_training(
        problem.reference.weights, problem.reference.intercept
    )
    star = np.append(w_star, b_star) if objective.fit_intercept else np.asarray(w_star)
    return Bowl.from_objective(objective, star, names)


def landscape_data(
    session: Session,
    pins: tuple[np.ndarray, ...] = (),
    labels: tuple[str, ...] = (),
    pin_styles: tuple[tuple[str, str, str], ...] = (),
) -> LandscapeData:
    """The current run's bowl, point and thinned path, with pinned paths (already in the
    session's training coordinates)."""
    bowl = bowl_of(session.problem)
    _, theta = session.trainer.path()
    theta = theta[:, : bowl.n_params]
    pins = tuple(p[:, : bowl.n_params] for p in pins)
    pen = session.problem.objective.penalty
    return LandscapeData(
        bowl,
        theta[-1],
        theta,
        pins,
        labels,
        pin_styles,
        standardized=not session.problem.scaling.identity,
        penalty=pen.terms(lambda v: num(v, 4)),
    )


def _row_strip(
    bands: np.ndarray,
    marks: dict[tuple[int, int], tuple[str, str]],
    mono: bool,
    ascii_only: bool,
    width: int,
    y: int,
    styles: dict[tuple, Style],
) -> Strip:
    """Line ``y`` of cells. Colour: half blocks, two pixels (bands) a cell. NO_COLOR: one band a
    cell, by a character of its own density. ASCII with colour: those characters on the band's
    colour. ``styles``: the styles made so far, by (colour, background, bold)."""
    ramp = BAND_GLYPHS_ASCII if ascii_only else BAND_GLYPHS
    glyphs = mono or ascii_only

    def style(fg: str | None, bg: str | None, bold: bool = False) -> Style:
        key = (fg, bg, bold)
        if key not in styles:
            styles[key] = Style(color=fg, bgcolor=bg, bold=bold)
        return styles[key]

    top = bands[2 * y].tolist()
    bottom = bands[2 * y + 1].tolist() if 2 * y + 1 < len(bands) else top
    segments: list[Segment] = []
    run_text: list[str] = []
    run_style: Style | None = None
    for x in range(width):
        mark = marks.get((y, x))
        if mark is not None:
            glyph = mark[0]
            st = style(mark[1], None if mono else BAND_COLOURS[top[x]], True)
        elif glyphs:
            bg = None if mono else BAND_COLOURS[top[x]]
            ink = None if mono else ("#ffffff" if top[x] < 3 else "#000000")
            glyph, st = ramp[top[x]], style(ink, bg)
        elif top[x] == bottom[x]:
            glyph, st = " ", style(None, BAND_COLOURS[top[x]])
        else:
            glyph, st = "▀", style(BAND_COLOURS[top[x]], BAND_COLOURS[bottom[x]])
        if st is not run_style and run_text:
            segments.append(Segment("".join(run_text), run_style))
            run_text = []
        run_style = st
        run_text.append(glyph)
    if run_text:
        segments.append(Segment("".join(run_text), run_style))
    return Strip(segments, width)

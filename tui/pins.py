"""Pinned runs in the app: ``p`` pins the current run, ``P`` un-pins the last one pinned. The loss
chart, the fit chart and the landscape overlay every pinned run in its own colour and marker,
named by what differs between the runs; the log pane lists them in a small table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from textual.binding import Binding

from linreg_tui.core.pins import MAX_PINS, PinnedRun
from linreg_tui.core.variants import labels

from .markup import escape
from .numbers import count, num

#: Pinned run k's colour (plotext's name and the landscape's hex) and marker, k = 0..3. The same
#: four in every chart; the current run keeps each chart's own colour.
PIN_COLOURS = ("white", "magenta", "orange", "gray")
PIN_HEX = ("#ffffff", "#ff55ff", "#aa5500", "#aaaaaa")
PIN_MARKS = ("×", "○", "■", "▲")
#: The smaller glyphs of a pinned run's path on the landscape (its end gets PIN_MARKS).
PIN_STEPS = ("x", "∘", "▪", "▴")
#: In ASCII (a terminal whose locale is not UTF-8, or --ascii): the run's number.
PIN_ASCII = ("1", "2", "3", "4")

PIN_BINDINGS = [
    Binding(
        "p",
        "pin",
        "Pin",
        tooltip=f"pin the current run (settings and history; up to {MAX_PINS}) to compare "
        "later runs against it",
        id="pin",
    ),
    Binding("P", "unpin", "Unpin", tooltip="un-pin the last pinned run", show=False, id="unpin"),
    Binding(
        "s",
        "sweep",
        "Sweep lr",
        tooltip="sweep: the current run at 40 learning rates around 2/λmax, final loss by lr",
        show=False,
        id="sweep",
    ),
]


@dataclass(frozen=True)
class Overlay:
    """One pinned run as a chart draws it."""

    run: PinnedRun
    label: str
    colour: str
    hex: str
    mark: str
    step: str


def overlays(
    pinned: list[PinnedRun], current_hp, dataset, ascii_only: bool = False
) -> list[Overlay]:
    """The pinned runs drawn over ``dataset``'s charts, each labelled by what differs between the
    pinned runs and the current one."""
    names = labels([*(p.hp for p in pinned), current_hp])
    out = []
    for k, (run, name) in enumerate(zip(pinned, names)):
        if run.dataset_id == id(dataset):
            mark, step = (
                (PIN_ASCII[k], PIN_ASCII[k]) if ascii_only else (PIN_MARKS[k], PIN_STEPS[k])
            )
            out.append(Overlay(run, name, PIN_COLOURS[k], PIN_HEX[k], mark, step))
    return out


def current_label(pinned: list[PinnedRun], current_hp) -> str:
    return labels([*(p.hp for p in pinned), current_hp])[-1] if pinned else ""


def runs_table(
    pinned: list[PinnedRun], current_hp, ascii_only: bool = False, started_hp=None
) -> str:
    """Rich markup: one line per pinned run (marker, what differs, epochs, final MSE, status),
    then the current run's; ``started_hp``: the settings the current run started with, where a
    setting changed during it (its path so far is not a run of the current settings)."""
    if not pinned:
        return ""
    names = labels([*(p.hp for p in pinned), current_hp])
    if started_hp is not None and started_hp != current_hp:
        both = labels([*(p.hp for p in pinned), started_hp, current_hp])
        names[-1] = f"{both[-2]}, then {both[-1]} (changed during the run; ctrl+r restarts)"
    lines = ["[b]pinned runs[/] (P un-pins the last)"]
    marks = PIN_ASCII if ascii_only else PIN_MARKS
    for k, (run, name) in enumerate(zip(pinned, names)):
        lines.append(
            f"[{PIN_COLOURS[k]}]{marks[k]}[/] {escape(name)}: {count(run.epoch)} epochs, "
            f"MSE {num(run.mse)}, {run.status.value}"
        )
    lines.append(f"[b]{'*' if ascii_only else '●'}[/] now: {escape(names[-1])}")
    return "\n".join(lines)


class PinKeys:
    """Mixed into the app (which keeps ``self.pinned``, a list)."""

    def action_pin(self) -> None:
        if len(self.pinned) >= MAX_PINS:
            self.notify(
                f"{MAX_PINS} runs are pinned already: un-pin one first (P).",
                severity="warning",
                timeout=4,
            )
            return
        run = PinnedRun.of(self.session)
        self.pinned.append(run)
        k = len(self.pinned) - 1
        self.notify(
            f"Pinned run {k + 1} ({PIN_MARKS[k]}): change a setting and run again to compare.",
            timeout=3,
        )
        self.refresh_views()

    def action_unpin(self) -> None:
        if not self.pinned:
            self.notify("No run is pinned (p pins the current one).", timeout=3)
            return
        self.pinned.pop()
        self.refresh_views()

    def action_sweep(self) -> None:
        from .sweep_screen import SweepScreen

        self.push_screen(SweepScreen(self.session, self.ascii_only))

    def pin_overlays(self) -> list[Overlay]:
        return overlays(self.pinned, self.session.hp, self.session.dataset, self.ascii_only)

    def pinned_landscape(self) -> tuple[tuple[np.ndarray, ...], tuple[str, ...], tuple]:
        """Pinned paths in the current run's training coordinates, their labels and their
        (colour, path glyph, end glyph)."""
        s = self.session
        shown = self.pin_overlays()
        paths = tuple(o.run.path_in(s.problem.scaling, s.hp.fit_intercept) for o in shown)
        styles = tuple((o.hex, o.step, o.mark) for o in shown)
        return paths, tuple(o.label for o in shown), styles

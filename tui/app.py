"""The Textual app: status, settings, and four panes (loss, fit, log, data) over one session.

At 80×24 the panes are tabs (1–5 or tab to switch); from :data:`WIDE` up they sit in a grid.
Below :data:`SMALLEST` the app asks for a larger window and comes back when it gets one.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterable

import numpy as np
from textual import on, work
from textual.actions import parse as parse_action
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.containers import Container, Vertical
from textual.content import Content
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver
from textual.events import AppBlur, AppFocus, CursorPosition, DescendantFocus, Resize
from textual.filter import LineFilter, Monochrome, NoColor
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from linreg_tui.core import settings
from linreg_tui.core.dataset import Dataset, seed_dataset
from linreg_tui.core.errors import DataError, HyperparameterError
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.moments import Change
from linreg_tui.core.pins import PinnedRun
from linreg_tui.core.session import Session
from linreg_tui.core.trainer import Record, Status

from . import export, heap, lesson, signals
from .chart import Chart, ChartKey, Same
from .data_editing import DataEditor
from .data_view import DataView
from .fit_chart import FitChart, FitView
from .frame import Frame
from .help_screen import HelpScreen, key_names
from .iteration_log import RUNNING, IterationLog, arithmetic
from .landscape_keys import LANDSCAPE_BINDINGS, LandscapeKeys
from .landscape_view import LandscapeView
from .loss_chart import LossChart
from .messages import Progress, RunStopped
from .numbers import count
from .pacing import FramePacer, PacedDriver
from .palette import GuardedCommandPalette
from .pins import PIN_BINDINGS, PinKeys, runs_table
from .repaint import QuietStatic
from .settings_panel import SettingsPanel, shown
from .status_panel import StatusPanel
from .stepper import Stepper, speed_label
from .terminal import AsciiOnly, Colourless

#: (columns, rows) below which the app shows "make the window larger" instead of its panes.
SMALLEST = (60, 18)
#: (columns, rows) from which the four panes are shown together.
WIDE = (110, 34)

PANES = ("loss", "fit", "log", "data", "landscape")
#: Rows from which the data's moments (for quick edits) are formed in the background at start.
PREPARE_EDITS_ROWS = 50_000
#: The app's actions that need no least-squares answer: they work while it is being solved.
WITHOUT_SESSION = frozenset(
    {
        "pane",
        "help",
        "quit",
        "settings_page",
        "leave_field",
        "suspend_process",
        "command_palette",
        "log_scale",
        "faster",
        "slower",
        "screenshot",
    }
)
#: The only actions keys may take while the window is too small to show the app.
WHILE_TOO_SMALL = frozenset({"quit", "suspend_process"})
PANE_TITLES = {
    "loss": "Loss",
    "fit": "Fit",
    "log": "Log",
    "data": "Data",
    "landscape": "Landscape",
}


class LinregApp(LandscapeKeys, PinKeys, App[None]):
    """Gradient descent for linear regression, one keypress at a time."""

    CSS_PATH = "app.tcss"
    TITLE = "linreg-tui"
    AUTO_FOCUS = None  # keys work at once: no input takes them at start
    BINDINGS = [
        Binding("space", "step(1)", "Step", tooltip="one epoch forward", id="step"),
        Binding(
            "backspace",
            "back(1)",
            "Back",
            tooltip="one epoch back, exactly (down to epoch 0)",
            id="back",
        ),
        Binding("r", "run", "Run", tooltip="run / pause, at the current speed", id="run"),
        Binding(
            "e", "end", "End", tooltip="run to the end: the budget, tol, or divergence", id="end"
        ),
        Binding(
            "ctrl+r",
            "restart",
            "Restart",
            tooltip="restart at epoch 0 with the current settings",
            id="restart",
        ),
        Binding(
            "l", "log_scale", "Log", tooltip="log / linear scale of the loss chart", id="log-scale"
        ),
        Binding(
            "i",
            "screenshot",
            "Screenshot",
            tooltip="save an SVG image of the screen (a screenshot)",
            show=False,
            id="screenshot",
        ),
        Binding(
            "ctrl+s",
            "save_scenario",
            "Save scenario",
            tooltip="save the data and every setting as a scenario",
            show=False,
            id="save-scenario",
        ),
        Binding("question_mark", "help", "Help", tooltip="this help", id="help"),
        Binding("q", "quit", "Quit", tooltip="quit", id="quit"),
        Binding("right_square_bracket", "step(10)", "10 epochs forward", show=False, id="step10"),
        Binding("left_square_bracket", "back(10)", "10 epochs back", show=False, id="back10"),
        Binding("right_curly_bracket", "step(100)", "100 epochs forward", show=False, id="step100"),
        Binding("left_curly_bracket", "back(100)", "100 epochs back", show=False, id="back100"),
        Binding("plus,equals_sign", "faster", "Run faster", show=False, id="faster"),
        Binding("minus,underscore", "slower", "Run slower", show=False, id="slower"),
        Binding("1", "pane('loss')", "Loss chart", show=False, id="pane-loss"),
        Binding("2", "pane('fit')", "Fit chart", show=False, id="pane-fit"),
        Binding("3", "pane('log')", "Iteration log", show=False, id="pane-log"),
        Binding("4", "pane('data')", "Data table", show=False, id="pane-data"),
        Binding(
            "g",
            "settings_page",
            "Settings page",
            tooltip="next page of settings (run, method, …)",
            show=False,
            id="settings-page",
        ),
        Binding("5", "pane('landscape')", "Loss landscape", show=False, id="pane-landscape"),
        *LANDSCAPE_BINDINGS,
        *PIN_BINDINGS,
        Binding("escape", "leave_field", "Leave a settings field", show=False, id="leave"),
        Binding("ctrl+z", "suspend_process", "Suspend (fg resumes)", show=False, id="suspend"),
    ]

    def __init__(
        self,
        session: Session | None,
        served: bool = False,
        ascii_only: bool = False,
        handle_signals: bool = False,
        note: str = "",
        hide: tuple[str, ...] = (),
        data_path: str | None = None,
        pending: tuple[Dataset, Hyperparameters] | None = None,
    ) -> None:
        super().__init__()
        if session is None and pending is None:
            raise ValueError("give a session, or the data and settings to build one")
        #: The run; None while least squares is solved for ``pending`` (see :meth:`_solve`).
        self.session: Session | None = session
        #: The data and settings the session is being built from, until it is there.
        self.pending = pending
        #: Why the session could not be built (the app then exits with status 2).
        self.failure: str | None = None
        #: Builds the session from ``pending`` in a thread (tests hold it back to see the
        #: frames before least squares is known).
        self.build_session: Callable[[Dataset, Hyperparameters], Session] = Session
        #: In a browser (--serve): files go to the visitor as downloads, never to a named path.
        self.served = served
        #: A lesson scenario's note (shown under the status) and the settings it hides.
        self.note = note
        self.hide = hide
        #: The CSV file the data was loaded from, and the data's source as loaded (ctrl+s names
        #: the file only while the data is unchanged).
        self.data_path = data_path
        self.loaded_source = (session.dataset if session else pending[0]).source
        #: Quit (restoring the terminal) on SIGINT, SIGTERM and SIGHUP; the command line sets it,
        #: tests leave the test runner's handlers alone.
        self.handle_signals = handle_signals
        #: The signal that ended the app, if one did (the command line then exits by it).
        self.exit_signal: int | None = None
        #: Draw in ASCII only (a terminal whose locale is not UTF-8, or --ascii).
        self.ascii_only = ascii_only
        # NO_COLOR: Textual's own filter turns colours into greys (still colour codes); this one
        # drops them, keeping bold and reverse.
        self._own_filters: list[LineFilter] = [Colourless()] if self.no_color else []
        if ascii_only:
            self._own_filters.append(AsciiOnly())
        self.stepper = Stepper(lambda: self.session.trainer, self.post_message)
        #: Paces a run's frames by what the terminal drains (see :mod:`.pacing`).
        self.pacer = FramePacer(
            busy=lambda: self.stepper.busy,
            flat_out=lambda: self.stepper.running and self.stepper.speed is None,
        )
        self.data_editor = DataEditor(self)
        self.log_scale = False
        self.current_pane = "loss"
        self._logged_epoch = -1
        self._texts: dict[str, str] = {}  # what each one-line Static shows
        self._titles: dict[str, str | None] = {}  # the border titles set by _set_title
        self._frame_owed = False  # a run's frame was held back by the pacer
        self._quitting = False
        self.pinned: list[PinnedRun] = []
        #: What an edit of the data did, and the state it left (the session, its run and
        #: settings, the speed): the status's last line says what the edit did until any of
        #: these changes or the run leaves epoch 0, then shows the data and the speed again.
        self._change: tuple[str, tuple] | None = None

    def get_line_filters(self) -> list[LineFilter]:
        """Textual's filters, with NO_COLOR meaning no colour at all, and ASCII if asked for."""
        kept = super().get_line_filters()
        if self.no_color:
            kept = [f for f in kept if not isinstance(f, (NoColor, Monochrome))]
        return [*kept, *self._own_filters]

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this terminal; on Linux/macOS terminals, the one that paces."""
        driver = super().get_driver_class()
        return PacedDriver if driver is LinuxDriver else driver

    # -- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusPanel(id="status")
        if self.note:
            yield Static(Content(self.note), id="lesson-note")
        yield SettingsPanel(self.hp, id="settings")
        with Container(id="panes", classes="-tabbed"):
            with Vertical(id="pane-loss", classes="pane -current"):
                yield LossChart(id="loss")
                yield ChartKey(id="loss-key", classes="chart-key")
            with Vertical(id="pane-fit", classes="pane"):
                yield FitChart(id="fit")
                yield ChartKey(id="fit-key", classes="chart-key")
            # In the wide grid the landscape is the third column, over both rows.
            with Vertical(id="pane-landscape", classes="pane"):
                yield LandscapeView(id="landscape")
                yield QuietStatic(id="landscape-key", classes="chart-key -two")
            with Vertical(id="pane-log", classes="pane"):
                yield QuietStatic(id="runs", classes="runs-table")
                yield IterationLog(id="log")
            with Vertical(id="pane-data", classes="pane"):
                yield Static(id="data-note", classes="chart-key")
                yield DataView(id="data")
        yield Static(id="too-small")
        yield Footer()

    #: Freeze the heap after the first frame (:mod:`.heap`): the command sets it; tests, which run
    #: many apps in one process, do not (frozen leftovers of one app would outlive it).
    settle_heap = False

    def on_mount(self) -> None:
        if self.settle_heap:
            self.call_after_refresh(heap.settle)
        if self.handle_signals:
            loop = asyncio.get_running_loop()
            for sig in signals.ENDING:
                loop.add_signal_handler(sig, self._quit_on_signal, sig)
        # Back from Ctrl-Z (fg): the terminal shows the shell's screen; draw everything again.
        self.app_resume_signal.subscribe(self, self._redraw_after_resume)
        for chart in self.query(Chart):
            chart.ascii_only = self.ascii_only
        self.query_one(LandscapeView).ascii_only = self.ascii_only
        for name in PANES:
            self.query_one(
                f"#pane-{name}"
            ).border_title = f"{PANES.index(name) + 1} {PANE_TITLES[name]}"
        self.query_one(LandscapeView).on_caption = lambda text: self._show_text(
            "#landscape-key", text
        )
        lesson.hide_settings(self.query_one(SettingsPanel), self.hide)
        self.query_one(SettingsPanel).check_with_data = self._check_settings
        if self.session is None:
            self._solve()
        else:
            self._start_log()
        self._fit_layout(self.size.width, self.size.height)  # draws the views too
        self._prepare_edits()

    def _check_settings(self, hp: Hyperparameters) -> None:
        """Raise where ``hp`` does not fit the data (for the settings' check as typed)."""
        if self.session is not None:
            self.session.check_settings(hp)

    def _prepare_edits(self) -> None:
        """For large data, form what an edit's update needs in a worker thread now, so the first
        edit is as quick as the others (small data forms it in no time at the edit)."""
        if self.session is not None and self.session.loaded.n_samples >= PREPARE_EDITS_ROWS:
            self.run_worker(
                self.session.prepare_edits, thread=True, group="prepare-edits", exclusive=True
            )

    @property
    def hp(self) -> Hyperparameters:
        """The current settings (those being solved for, before the session is there)."""
        return self.session.hp if self.session is not None else self.pending[1]

    # -- opening before least squares is known ----------------------------------------------------

    @work(thread=True, exclusive=True, group="solve")
    def _solve(self) -> None:
        """Build the session (least squares, the analysis) while the data already shows."""
        dataset, hp = self.pending
        try:
            session = self.build_session(dataset, hp)
        except (DataError, HyperparameterError) as exc:
            self.call_from_thread(self._solve_failed, str(exc))
            return
        self.call_from_thread(self._solved, session)

    def _solved(self, session: Session) -> None:
        self.session = session
        self.pending = None
        self.query_one(SettingsPanel).load(session.hp)
        self._start_log()
        self.refresh_views()
        self._prepare_edits()

    def _solve_failed(self, message: str) -> None:
        self.failure = message
        self.exit(return_code=2)

    def _show_pending(self) -> None:
        """The frame before least squares is known: the data in the fit chart and the data
        pane with the starting parameters, the rest saying what it waits for."""
        dataset, hp = self.pending
        shown = shown_data_of(dataset)
        d = dataset.n_features
        w0 = np.array(hp.m0 * d if len(hp.m0) == 1 else hp.m0, dtype=np.float64)
        b0 = hp.b0 if hp.fit_intercept else 0.0
        self.query_one(StatusPanel).show_pending(dataset, hp, rows_of(dataset))
        waiting = "solving least squares: the loss, the log and the landscape follow"
        if self._visible("loss"):
            self._show_text("#loss-key", waiting)
        if self._visible("fit"):
            chart = self.query_one(FitChart)
            rows = rows_of(dataset)
            sampled = rows if shown.n_samples < rows else None
            chart.show(FitView(shown, w0, b0, None, hp.predict_x, 0.0, 0.0, (), sampled))
            self._show_text("#fit-key", chart.key())
        if self._visible("data"):
            self.query_one(DataView).show(shown, w0, b0)
            note = sample_note_of(dataset, shown)
            self.query_one("#data-note").set_class(bool(note), "-shown")
            self._show_text("#data-note", note)
        if self._visible("landscape"):
            self._show_text("#landscape-key", waiting)

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        """Actions of the app that need the session wait politely until it is there; while
        the window is too small to show anything, keys do nothing but quit (a run, an export or
        a screenshot made there would happen unseen)."""
        small = self.default_screen.has_class("-too-small")
        if small and isinstance(action, str) and parse_action(action)[1] not in WHILE_TOO_SMALL:
            self.bell()
            return True
        in_field = isinstance(self.focused, Input)  # its own keys (Enter) keep its error
        if isinstance(action, str) and self.screen is self.default_screen and not in_field:
            # a key that acts: the user has moved on from a field's error, which would
            # otherwise stay on the hint line through steps, runs and restarts
            self.query_one(SettingsPanel).clear_error()
        if self.session is None and isinstance(action, str):
            where, name, _ = parse_action(action)
            mine = (where == "app") or (not where and default_namespace in (None, self))
            if mine and name not in WITHOUT_SESSION:
                self._wait_politely()
                return True
        if namespaces is None:  # Textual before 8 has no ``namespaces`` parameter
            return await super().run_action(action, default_namespace)
        return await super().run_action(action, default_namespace, namespaces)

    def _wait_politely(self) -> None:
        rows = rows_of(self.pending[0])
        self.notify(
            f"Solving least squares for {rows:,} rows; that key works once the answer is in "
            "(a moment).",
            title="Still solving",
            timeout=3,
        )

    def on_app_focus(self, event: AppFocus) -> None:
        # Textual restyles every widget when the window (or browser tab) gains or loses focus,
        # for the App's :focus/:blur pseudo-classes (only its Header uses them; this app has
        # none), and recomposes the footer: 55-110 ms at 142x44, and in a browser the first key
        # after switching to a tab waited for it. Nothing here looks different when unfocused.
        event.prevent_default()

    def on_app_blur(self, event: AppBlur) -> None:
        event.prevent_default()  # see on_app_focus

    def on_resize(self, event: Resize) -> None:
        self._fit_layout(event.size.width, event.size.height)

    def _fit_layout(self, width: int, height: int) -> None:
        small = width < SMALLEST[0] or height < SMALLEST[1]
        self.default_screen.set_class(small, "-too-small")
        if small:
            self.query_one("#too-small", Static).update(
                f"Make the window larger: linreg-tui needs at least {SMALLEST[0]}×{SMALLEST[1]}, "
                f"this one is {width}×{height}. Keys wait until then; q quits."
            )
        wide = width >= WIDE[0] and height >= WIDE[1]
        panes = self.query_one("#panes")
        panes.set_class(wide, "-wide")
        panes.set_class(not wide, "-tabbed")
        self._title_tabs()
        self.refresh_views()

    def _title_tabs(self) -> None:
        self._set_title("#pane-loss", "1 Loss" + (" · log" if self.log_scale else ""))
        panes = self.query_one("#panes")
        if panes.has_class("-wide"):
            self._set_title("#panes", None)
            return
        tabs = []
        for i, name in enumerate(PANES, start=1):
            label = f" {i} {PANE_TITLES[name]} "
            tabs.append(f"[reverse]{label}[/]" if name == self.current_pane else label)
        scale = " · log scale" if self.log_scale and self.current_pane == "loss" else ""
        self._set_title("#panes", "".join(tabs) + scale)

    def _set_title(self, selector: str, title: str | None) -> None:
        """A container's border title, set only if it changes: setting one repaints all of the
        container, the panes in it included (in the wide grid, the whole screen)."""
        if self._titles.get(selector, "") != title:
            self._titles[selector] = title
            self.query_one(selector).border_title = title

    def _visible(self, name: str) -> bool:
        if self.default_screen.has_class("-too-small"):
            return False
        return self.query_one("#panes").has_class("-wide") or self.current_pane == name

    # -- drawing --------------------------------------------------------------------------------

    def frame(self) -> Frame:
        """What a frame shows now."""
        stepper = self.stepper
        change = self._change
        if change is not None and change[1] != self._edit_state():
            self._change = change = None  # something else happened since
        said = "" if change is None else change[0]
        return Frame.of(
            self.session, stepper.running, speed_label(stepper.speed), self.log_scale, said
        )

    def _edit_state(self) -> tuple:
        """What an edit's words on the status line stand for (compared by identity: a new
        session, run or settings, another speed, or a step, is something that happened after
        it)."""
        s = self.session
        t = s.trainer
        return (Same(s), Same(t), Same(s.hp), t.epoch, self.stepper.speed, self.stepper.running)

    def refresh_views(self) -> None:
        """Show the current frame: each visible pane redraws only what changed in it."""
        if self.session is None:
            self._show_pending()
            return
        frame = self.frame()
        self._frame_owed = False
        self.query_one(StatusPanel).show_frame(frame)
        if self._visible("loss"):
            chart = self.query_one(LossChart)
            chart.show_frame(frame, self.pin_overlays())
            self._show_text("#loss-key", chart.key())
        if self._visible("fit"):
            chart = self.query_one(FitChart)
            chart.show_frame(frame, self.pin_overlays())
            self._show_text("#fit-key", chart.key())
        if self._visible("data"):
            self.query_one(DataView).show_frame(frame)
            note = sample_note(self.session)
            self.query_one("#data-note").set_class(bool(note), "-shown")
            self._show_text("#data-note", note)
        if self._visible("landscape"):
            self.query_one(LandscapeView).show_frame(frame, *self.pinned_landscape())
        runs = self.query_one("#runs", Static)
        runs.set_class(bool(self.pinned), "-shown")
        if self.pinned:
            t = self.session.trainer
            table = runs_table(self.pinned, self.session.hp, self.ascii_only, t.started_with)
            self._show_text("#runs", table)

    def _show_text(self, selector: str, text: str) -> None:
        """Update a one-line Static, unless it shows ``text`` already."""
        if self._texts.get(selector) != text:
            self._texts[selector] = text
            # one line whatever it says (nowrap): no layout of the screen needed
            self.query_one(selector, Static).update(text, layout=False)

    def _start_log(self) -> None:
        s = self.session
        self.query_one(IterationLog).start(
            s.dataset.feature_names, s.hp.fit_intercept, s.record(), s.gradient_rounding_bound
        )
        self._logged_epoch = s.trainer.epoch

    def _log(self, rec: Record, note: str = "") -> None:
        self.query_one(IterationLog).add(rec, note)
        self._logged_epoch = rec.epoch

    def _explain(self, epoch: int, before: str = "") -> None:
        """The arithmetic of the step that made ``epoch``, with the settings that made it
        (after ``before``, a line saying how the epoch was reached)."""
        s = self.session
        self.query_one(IterationLog).explain(
            before + arithmetic(s.step(epoch), s.dataset.feature_names, s.hp.standardize)
        )

    def _explain_epoch_shown(self, before: str = "") -> None:
        """The arithmetic of the step that made the epoch shown; at epoch 0, why no step was
        kept (a run that diverged at its first step) or ``before`` alone."""
        t = self.session.trainer
        if t.epoch > 0:
            self._explain(t.epoch, before)
        elif t.status is not Status.READY:
            self.query_one(IterationLog).explain(f"{before}epoch 0: {t.message}")
        elif before:
            self.query_one(IterationLog).explain(before.rstrip())
        elif self.query_one(IterationLog).explained == RUNNING:
            self.query_one(IterationLog).explain("")  # paused before the first step

    # -- keys -----------------------------------------------------------------------------------

    def action_step(self, epochs: int) -> None:
        if self.stepper.running:
            self.stepper.pause()
            return
        t = self.session.trainer
        if t.status is not Status.READY:
            self._why_not_forward()
            return
        recs = t.advance(epochs)
        for i in range(len(recs)):
            self._log(recs[i])
        if len(recs):
            self._explain(int(recs.epochs[-1]))
        if t.status is not Status.READY:
            self._announce_stop()
        self.refresh_views()

    def action_back(self, epochs: int) -> None:
        if self.stepper.running:
            self.stepper.pause()
            return
        t = self.session.trainer
        if t.epoch == 0:
            self.notify("Already at epoch 0.", timeout=2)
            return
        t.back(epochs)
        self._log(self.session.record(), "← back")
        self._explain_epoch_shown(
            f"stepped back to epoch {count(t.epoch)} (exactly: "
            "recomputed from the nearest checkpoint)\n"
        )
        self.refresh_views()

    def action_run(self) -> None:
        if self.stepper.running:
            self.stepper.pause()
        elif self._can_go_forward():
            self._run(to_end=False)

    def action_end(self) -> None:
        if self.stepper.running:
            self.stepper.to_end = True
        elif self._can_go_forward():
            self._run(to_end=True)

    def action_restart(self) -> None:
        self.stepper.pause()
        self.session.trainer.restart()
        self._log(self.session.record(), "restart")
        self.query_one(IterationLog).explain(
            "restarted at epoch 0 with the current settings (backspace keeps the history instead)"
        )
        self.refresh_views()

    def action_log_scale(self) -> None:
        self.log_scale = not self.log_scale
        self._title_tabs()
        self.refresh_views()

    def action_faster(self) -> None:
        self.stepper.faster()
        self.refresh_views()

    def action_slower(self) -> None:
        self.stepper.slower()
        self.refresh_views()

    def action_pane(self, name: str) -> None:
        """Show a pane and give it the focus, so arrows and PgUp/PgDn scroll it."""
        self.current_pane = name
        for pane in PANES:
            self.query_one(f"#pane-{pane}").set_class(pane == name, "-current")
        self._title_tabs()
        self.refresh_views()
        target = self.query_one(f"#pane-{name}").query(
            "LossChart, FitChart, LogTable, DataView, LandscapeView"
        )
        if target and self.focused not in target:
            target.first().focus()

    def action_settings_page(self) -> None:
        self.query_one(SettingsPanel).next_page()

    def action_leave_field(self) -> None:
        self.screen.set_focus(None)

    def action_help(self) -> None:
        # The app's keys, then the Data pane's editing keys (those with a tooltip).
        keys = [*self.BINDINGS, *(b for b in DataView.BINDINGS if b.tooltip)]
        bindings = [b for b in keys if isinstance(b, Binding)]
        self.push_screen(HelpScreen(bindings, self.pacer.stats().describe()))

    def edit_data(self, what: str) -> None:
        """A Data pane key: ``cell``, ``add``, ``delete``, ``undo``, ``generate``, ``write``."""
        if self.session is None:
            self._wait_politely()
            return
        self.data_editor.run(what)

    def replace_data(
        self, dataset: Dataset, hp: Hyperparameters, what: str, change: Change | None = None
    ) -> bool:
        """New data: a new session (reference, analysis, charts) restarted at epoch 0; with
        ``change`` (the rows an edit took out and put in) the reference is updated from them
        (:meth:`~linreg_tui.core.session.Session.edited`). Raises DataError or
        HyperparameterError, leaving everything as it was."""
        new = self.session.edited(dataset, change, hp)
        self.stepper.pause()
        self.workers.cancel_group(self, "stepper")
        self.session = new
        # Pinned runs were fitted to the old data: their paths and losses mean nothing here.
        dropped = " Pinned runs dropped (other data)." if self.pinned else ""
        self.pinned.clear()
        self.query_one(SettingsPanel).load(hp)
        self._start_log()
        self.query_one(IterationLog).explain(f"data: {what}; restarted at epoch 0")
        self._change = (what, self._edit_state())  # said on the status, in the edit's frame
        self.clear_notifications()  # the last edit's toast is old news: one toast, not a stack
        if change is None or dropped:
            # other data altogether, or runs lost: worth a toast (an edit of a cell is not: its
            # frame would be followed by a second, laying out the screen for the toast)
            self.notify(f"{what}. Restarted at epoch 0.{dropped}", title="Data changed", timeout=4)
        for chart in self.query(Chart):
            chart.forget_rows()
        self.refresh_views()
        if change is None:  # other data altogether (an edit carries the moments on)
            self._prepare_edits()
        return True

    def action_save_scenario(self) -> None:
        lesson.save(self)

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        export.hand_out(
            self, "screen", "svg", "image/svg+xml", self.export_screenshot(), self.served
        )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's own "Screenshot" saves into ~/Downloads; the s key's command replaces it.
        yield from (c for c in super().get_system_commands(screen) if c.title != "Screenshot")
        for b in self.BINDINGS:
            if isinstance(b, Binding) and b.action not in ("quit", "leave_field"):
                help_text = f"{b.tooltip or b.description} (key: {key_names(b)})"
                yield SystemCommand(b.description, help_text, _runner(self, b.action))
        if self.session is not None:  # nothing to export before least squares is known
            yield from export.system_commands(self, lambda: self.session, self.served)

    def _can_go_forward(self) -> bool:
        if self.session.trainer.status is Status.READY:
            return True
        self._why_not_forward()
        return False

    def _why_not_forward(self) -> None:
        t = self.session.trainer
        hint = {
            Status.BUDGET_SPENT: "raise epochs to go on, step back, or restart (ctrl+r)",
            Status.CONVERGED: "lower tol to go on, or step back",
            Status.DIVERGED: "lower lr, or step back (backspace) or restart (ctrl+r)",
        }.get(t.status, "")
        self.notify(
            f"{t.message}. {hint}", title="Cannot step forward", severity="warning", timeout=4
        )

    def _announce_stop(self) -> None:
        """A toast for the stops worth a second look (the status line shows the budget)."""
        t = self.session.trainer
        if t.status is Status.DIVERGED:
            self.notify(
                f"{t.message}. Lower lr, or step back.",
                title="Diverged",
                severity="error",
                timeout=8,
            )
        elif t.status is Status.CONVERGED:
            self.notify(t.message, title="Converged", timeout=5)

    # -- the stepper ------------------------------------------------------------------------------

    @work(exclusive=True, group="stepper")
    async def _run(self, to_end: bool) -> None:
        # The epoch moves on every frame: the last step's arithmetic shows when the run stops
        # (working it out a frame would cost a step from a checkpoint each time).
        self.query_one(IterationLog).explain(RUNNING)
        self.refresh_views()
        await self.stepper.run(to_end)

    @on(Progress)
    def redraw_progress(self, message: Progress) -> None:
        """A run moved on: draw it now, or as soon as the pacer lets a frame go."""
        wait = self.pacer.wait()
        if wait > 0:
            if not self._frame_owed and wait != float("inf"):
                self.set_timer(wait, self._draw_owed)
            self._frame_owed = True
            return
        self._draw_run_frame()

    def _draw_owed(self) -> None:
        if self._frame_owed and self.stepper.running and self.pacer.wait() == 0:
            self._draw_run_frame()

    def _draw_run_frame(self) -> None:
        self.pacer.drew()
        rec = self.session.record()
        if rec.epoch != self._logged_epoch:
            self._log(rec)
        self.refresh_views()

    @on(CursorPosition)
    def frame_answered(self, event: CursorPosition) -> None:
        """The terminal has read a frame (the pacer's question after it came back)."""
        self.pacer.answered()
        if self._quitting and not self.pacer.unanswered:
            self.exit()
        elif self._frame_owed:
            self._draw_owed()

    def action_command_palette(self) -> None:
        """Textual's palette, guarded against its PageDown crash (see :mod:`.palette`)."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(GuardedCommandPalette(id="--command-palette"))

    def _redraw_after_resume(self, _app: App) -> None:
        self.refresh(repaint=True, layout=True)

    def _quit_on_signal(self, signum: int) -> None:
        """SIGINT, SIGTERM or SIGHUP: quit as `q` does, which restores the terminal; if the
        terminal itself has gone (a closed SSH connection), end at once: there is nothing to
        restore, and Textual's shutdown would wait forever on writes to it."""
        if signals.terminal_gone():
            signals.end_now(signum)
        self.exit_signal = signum
        self.stepper.pause()
        self.run_worker(self.action_quit(), exclusive=True, group="quit")

    async def action_quit(self) -> None:
        """Quit, once the terminal has answered the last frame's question (or after a second):
        an answer arriving after the app has gone would be typed into the shell."""
        if not self.pacer.unanswered:
            self.exit()
            return
        self._quitting = True
        self.set_timer(1.0, self.exit)

    @on(RunStopped)
    def finish_run(self, message: RunStopped) -> None:
        rec = self.session.record()
        if rec.epoch != self._logged_epoch:
            self._log(rec, "paused" if message.paused else "")
        self._explain_epoch_shown()
        if not message.paused:
            self._announce_stop()
        self.refresh_views()

    # -- settings -------------------------------------------------------------------------------

    @on(SettingsPanel.Changed)
    def apply_setting(self, message: SettingsPanel.Changed) -> None:
        panel = self.query_one(SettingsPanel)
        s = self.session
        if s is None:
            panel.load(self.hp)
            panel.refuse(
                "least squares is still being solved; settings apply once it is in; "
                f"kept {shown(message.name, self.hp)}"
            )
            return
        old = s.hp
        try:
            hp = dataclasses.replace(old, **{message.name: message.value})
            if settings.restarts({message.name}):
                self.stepper.pause()
            restarted = s.apply(hp)
        except (HyperparameterError, DataError) as exc:
            panel.load(old)
            panel.refuse(f"{exc}; kept {shown(message.name, old)}")
            return
        panel.load(s.hp)
        label = settings.BY_NAME[message.name].label
        if restarted:
            self.workers.cancel_group(self, "stepper")
            self._start_log()
            self.query_one(IterationLog).explain(
                f"{label} → {shown(message.name, hp)}: restarted at epoch 0"
            )
        else:
            self._log(s.record(), f"{label} → {shown(message.name, hp)}")
        self.refresh_views()

    @on(DescendantFocus)
    def follow_focus(self, event: DescendantFocus) -> None:
        """Tabbing into a pane shows it."""
        if event.widget is not self.default_screen.focused:
            # Stale: the focus moved on before this event arrived. Showing this pane would
            # focus it again (action_pane), and two stale events ping-pong the focus forever.
            return
        for node in event.widget.ancestors_with_self:
            if node.has_class("pane") and node.id:
                name = node.id.removeprefix("pane-")
                if name != self.current_pane:
                    self.action_pane(name)
                return


def sample_note(session: Session) -> str:
    """The line over the data table: what the rows are, when they are a sample (else empty)."""
    return sample_note_of(session.dataset, session.shown_data)


def sample_note_of(dataset: Dataset, shown: Dataset) -> str:
    streamed = dataset.streamed
    if streamed is None:
        return ""
    if not streamed.is_sample:
        return f"all {shown.n_samples:,} rows, streamed (--stream): editing is off"
    return (
        f"a uniform sample of {shown.n_samples:,} of the {streamed.n_samples:,} rows (--stream "
        "keeps only the sums of the rest): editing is off"
    )


def shown_data_of(dataset: Dataset) -> Dataset:
    """The rows the fit chart and the data pane show (a streamed dataset's sample)."""
    streamed = dataset.streamed
    if streamed is None:
        return dataset
    return streamed.sample_dataset(dataset.x_names, dataset.y_name)


def rows_of(dataset: Dataset) -> int:
    """Rows of the data (those read, for streamed data)."""
    streamed = dataset.streamed
    return streamed.n_samples if streamed is not None else dataset.n_samples


def _runner(app: App, action: str):
    async def run() -> None:
        await app.run_action(action)

    return run


def make_app(
    session: Session | None = None,
    served: bool = False,
    ascii_only: bool = False,
    handle_signals: bool = False,
    pending: tuple[Dataset, Hyperparameters] | None = None,
    **scenario,
) -> LinregApp:
    """The app on a session (default: the seed's five points with the seed's settings), or on
    ``pending`` (data, settings): the app opens with the data shown and builds the session (least
    squares, the analysis) in a thread, the panes filling in when it is there.
    ``served``: running in a browser through ``--serve``; ``ascii_only``: draw with ASCII
    characters only; ``handle_signals``: quit, restoring the terminal, on SIGINT, SIGTERM and
    SIGHUP; ``scenario``: ``note``, ``hide`` and ``data_path`` of a scenario file."""
    if session is None and pending is None:
        session = Session(seed_dataset(), Hyperparameters())
    return LinregApp(
        session,
        pending=pending,
        served=served,
        ascii_only=ascii_only,
        handle_signals=handle_signals,
        **scenario,
    )

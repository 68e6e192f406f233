"""The ``linreg-tui`` command: options, a headless mode for scripts, and the app.

Exit status: 0 when training finished (converged or budget spent), 1 when it diverged, 2 for bad
input or usage (one line on stderr, never a traceback), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from linreg_tui.core import hyperparams as hpmod
from linreg_tui.core import scenario as scenario_mod
from linreg_tui.core import settings, svg_report
from linreg_tui.core.dataset import Dataset, seed_dataset
from linreg_tui.core.errors import DataError, HyperparameterError
from linreg_tui.core.files import check_folder, write_text
from linreg_tui.core.history import atomic_history, check_writable, history_header
from linreg_tui.core.hyperparams import Hyperparameters
from linreg_tui.core.loading import load_data
from linreg_tui.core.objective import REFERENCE_TITLE
from linreg_tui.core.schedules import FIELDS as SCHEDULE_FIELDS
from linreg_tui.core.session import Session
from linreg_tui.core.streaming import load_streamed
from linreg_tui.core.sweep import SweepSpec, parse_sweep
from linreg_tui.core.trainer import Records, Status
from linreg_tui.core.variants import parse_spec

from . import resume as resume_mod
from . import serve as serve_mod
from . import signals, strict_json
from .numbers import plain

PROG = "linreg-tui"
#: Epochs per call to the trainer in a headless run.
HEADLESS_CHUNK = 1 << 16
#: A headless run shows a progress bar (on a terminal) once it has taken this long.
PROGRESS_AFTER_S = 0.5


#: The longest error line printed; a longer message is cut, saying how much was left out.
MAX_LINE = 400


def one_line(message: str) -> str:
    """An error message as one bounded line: line breaks become spaces, and past
    :data:`MAX_LINE` characters the rest is replaced by "… (N more characters)"."""
    text = " ".join(message.split("\n"))
    if len(text) <= MAX_LINE:
        return text
    cut = text[: MAX_LINE - 40].rsplit(" ", 1)[0]
    return f"{cut} … ({len(text) - len(cut):,} more characters)"


class UsageError(Exception):
    """Bad command-line usage; exit status 2."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # argparse reads "-1e300" and "-1.5e-3" as options (its pattern for a negative number
        # has no exponent), so "--predict -1e300" failed with "expected one argument". No option
        # of ours looks like a number, so any number a value can be is a value.
        self._negative_number_matcher = _NEGATIVE_NUMBER

    def error(self, message: str):  # one line, not argparse's usage block
        raise UsageError(f"{message} (see {PROG} --help)")


_NEGATIVE_NUMBER = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-(inf|infinity|nan)$", re.I)


def _version() -> str:
    try:
        return version("linreg-tui")
    except PackageNotFoundError:  # running from a source tree without installing
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Fit y = m·x + b by batch gradient descent and watch it learn. Without DATA, "
        "the seed's five points (x = 1..5, y = 2, 4, 5, 4, 5).",
        epilog="In the app: space steps an epoch, backspace steps back, r runs or pauses, e runs "
        "to the end, ctrl+r restarts, ? lists every key, q quits. Exit status: 0 finished, "
        "1 diverged, 2 bad input or usage.",
    )
    p.add_argument(
        "data",
        nargs="?",
        metavar="DATA.csv",
        help="CSV file with a header row (also .csv.gz, Parquet, or - for standard input), or a "
        "scenario file (.toml) made by --save-scenario",
    )
    p.add_argument(
        "--x",
        metavar="COL[,COL…]",
        help="x column(s), by name or 1-based number (default: the first column); a name "
        "holding a comma may be put in double quotes: --x '\"weight, kg\",age'",
    )
    p.add_argument("--y", metavar="COL", help="y column, by name or number (default: the last)")
    p.add_argument(
        "--degree",
        metavar="D",
        default="1",
        help="fit a polynomial of degree D in the single x column (default 1)",
    )
    settings.add_arguments(p)  # one option per declared setting (core/settings.py)
    p.add_argument("--history", metavar="FILE", help="write every epoch to a CSV file (headless)")
    p.add_argument(
        "--save-scenario",
        metavar="FILE",
        help="write the data and every setting to a scenario file (TOML) that reopens this run: "
        f"{PROG} FILE",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="start from the settings last used with this data file, and remember them on quit "
        "(kept in the user's config folder)",
    )
    p.add_argument(
        "--svg",
        metavar="FILE",
        help="with --headless: write the loss and fit charts of the run as an SVG picture",
    )
    p.add_argument(
        "--headless", action="store_true", help="train without a screen and print the result"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object (implies --headless)")
    p.add_argument(
        "--serve",
        action="store_true",
        help="serve the app to web browsers (each tab its own session), on 127.0.0.1 unless "
        "--host is given",
    )
    p.add_argument("--port", default="8000", help="port for --serve (default 8000)")
    p.add_argument(
        "--host",
        default=None,
        help="address for --serve to listen on (default 127.0.0.1); anyone who can reach it "
        "can use the app: there is no authentication",
    )
    # Set by --serve for the app it starts per browser tab: no terminal is needed, and nothing
    # reads or writes a file a visitor could name.
    p.add_argument("--served", action="store_true", help=argparse.SUPPRESS)
    p.add_argument(
        "--engine",
        choices=("memory", "dask"),
        default="memory",
        help="memory (default), or dask: DATA may be a glob of files or a Parquet folder, reduced "
        "with Dask (optional extra: pip install 'linreg-tui[dask]'); headless",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --engine dask: a dask.distributed scheduler, e.g. tcp://10.0.0.5:8786 "
        "(default: Dask's local scheduler)",
    )
    p.add_argument(
        "--stream",
        action="store_true",
        help="read the data in one pass in blocks, keeping only its sums and a 100,000-row sample "
        "(for files larger than memory; full-batch gradient descent only; the app's fit chart and "
        "data pane show the sample)",
    )
    p.add_argument(
        "--compare",
        action="append",
        metavar="SPEC",
        help="run a variant of the settings, e.g. optimizer=adam,lr=0.1 (any setting by name; "
        "repeatable; headless): "
        "a table of every variant, or with --json one object with a runs list",
    )
    p.add_argument(
        "--sweep",
        metavar="NAME=START:STOP:N",
        help="run N log-spaced values of lr, momentum, batch-size or l2 to their end, e.g. "
        "lr=1e-3:0.1:50 "
        "(headless; on every core when the work is large): a table, or --json",
    )
    p.add_argument(
        "--ascii",
        action="store_true",
        help="draw with ASCII characters only (the default when the locale is not UTF-8)",
    )
    p.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    return p


@dataclass(frozen=True)
class Options:
    """What the command line asked for, checked."""

    dataset: Dataset
    hp: Hyperparameters
    history: str | None
    headless: bool
    svg: str | None
    json: bool
    serve: serve_mod.ServeOptions | None = None
    served: bool = False
    save_scenario: str | None = None
    #: The data file's key for --resume (None: not asked).
    resume: str | None = None
    note: str = ""
    hide: tuple[str, ...] = ()
    #: The CSV file the data came from, if any (for scenarios).
    data_path: str | None = None
    ascii: bool = False
    compare: tuple[str, ...] = ()
    sweep: SweepSpec | None = None
    from_stdin: bool = False


def parse_options(argv: Sequence[str] | None, progress=None) -> Options:
    """Parse and check arguments, load the data. Raises UsageError, DataError or
    HyperparameterError with a one-line message. ``progress``: the loader's progress callback
    (default: a bar on stderr for a long load)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    given = _given(argv)
    degree = hpmod.parse_degree(args.degree)
    scenario = None
    data_path = None if args.data == "-" else args.data  # standard input is no file to name
    if args.data is not None and scenario_mod.is_scenario(args.data):
        if given & {"x", "y", "degree"}:
            raise UsageError(
                "--x, --y and --degree choose a CSV file's columns; a scenario fixes its data "
                "(its [data] table)"
            )
        scenario = scenario_mod.read(args.data)
        dataset = scenario.dataset
        data_path = scenario.data_path
    elif args.data is None:
        if args.x or args.y:
            raise UsageError("--x and --y choose columns of a DATA.csv file; none was given")
        if degree != 1:
            dataset = Dataset(
                seed_dataset().raw_x, seed_dataset().y, ("x",), "y", degree, seed_dataset().source
            )
        else:
            dataset = seed_dataset()
    else:
        # The --x text goes whole to the loader, which knows the header: a column whose name
        # holds a comma can then still be chosen by name.
        if args.engine == "dask":
            dataset = _load_with_dask(args, degree)
        else:
            load = load_streamed if args.stream else load_data
            with LoadProgress(args.data) as bar:
                dataset = load(
                    args.data, x=args.x, y=args.y, degree=degree, progress=progress or bar
                )
    columns = dataset.raw_x.shape[1]
    # What the settings start from, lowest first: the defaults (predicting at 6 in every x
    # column), the scenario, the settings remembered for this data (--resume); the options
    # given on the command line override them all.
    base = scenario.hp if scenario else Hyperparameters(predict_x=(6.0,) * columns)
    resume_key = resume_mod.key(args.data) if args.resume else None
    if resume_key is not None:
        if args.serve or args.served:
            raise UsageError("--resume is for one person's app; it cannot be used with --serve")
        base = resume_mod.recall(resume_key, base) or base
    hp = settings.from_arguments(args, base)
    if args.save_scenario:
        check_folder(args.save_scenario)
    if args.history:
        check_writable(args.history)
    compare = tuple(args.compare or ())
    for text in compare:  # checked now: a bad spec exits 2 before any run
        parse_spec(text, hp)
    sweep = parse_sweep(args.sweep) if args.sweep else None
    if compare and sweep:
        raise UsageError("--compare and --sweep are separate reports; give one of them")
    if (compare or sweep) and args.history:
        raise UsageError("--history writes one run; it does not go with --compare or --sweep")
    headless = args.headless or args.json or bool(compare) or sweep is not None
    if args.scheduler and args.engine != "dask":
        raise UsageError("--scheduler is the address of a Dask cluster; it needs --engine dask")
    if args.engine == "dask" and not headless:
        raise UsageError("--engine dask runs headless; add --headless or --json")
    if args.stream and args.save_scenario:
        raise UsageError(
            "--save-scenario writes the data's rows, and --stream keeps only their sums and a "
            "sample; save the scenario without --stream"
        )
    if args.stream and args.data is None:
        raise UsageError("--stream reads a DATA file; none was given")
    if args.history and not headless:
        raise UsageError("--history needs --headless (or --json)")
    if args.svg:
        if not headless:
            raise UsageError("--svg needs --headless (or --json)")
        check_folder(args.svg)
    serve = None
    if args.serve:
        if args.data == "-":
            raise UsageError("--serve starts an app per browser tab; it cannot read standard input")
        if headless:
            raise UsageError("--serve serves the app; it cannot be combined with --headless/--json")
        try:
            port = serve_mod.parse_port(args.port)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        serve = serve_mod.ServeOptions(
            host=args.host or serve_mod.LOOPBACK,
            port=port,
            host_given=args.host is not None,
            app_args=serve_mod.app_arguments(parser, args),
        )
    elif args.host is not None or args.port != "8000":
        raise UsageError("--host and --port are for --serve")
    if (compare or sweep) and (args.serve or args.save_scenario or args.svg):
        raise UsageError(
            "--compare and --sweep print a report; they do not go with --serve, "
            "--save-scenario or --svg"
        )
    return Options(
        dataset=dataset,
        hp=hp,
        history=args.history,
        headless=headless,
        json=args.json,
        ascii=args.ascii,
        compare=compare,
        sweep=sweep,
        svg=args.svg,
        serve=serve,
        served=args.served,
        save_scenario=args.save_scenario,
        resume=resume_key,
        note=scenario.note if scenario else "",
        hide=scenario.hide if scenario else (),
        data_path=data_path,
        from_stdin=args.data == "-",
    )


def _open_at_once(argv: Sequence[str] | None):
    """The app on a large file: show the loading screen at once and load behind it.

    Returns None when this does not apply (headless, small or no file, no terminal, ...: the
    ordinary path runs), an exit status when the load ended without data (2: bad input, 130: the
    user quit), else ``(options, None)``: the app builds the session, showing the data meanwhile.
    """
    try:
        args = build_parser().parse_args(argv)
    except UsageError:
        return None  # the ordinary path reports it
    batch = args.headless or args.json or args.compare or args.sweep or args.serve or args.served
    other = args.save_scenario or args.svg or args.history
    if batch or other or args.engine != "memory" or args.data in (None, "-"):
        return None
    from .loading import OPEN_AT_ONCE_BYTES  # Textual loads only on the way to the app

    try:
        if os.path.getsize(args.data) < OPEN_AT_ONCE_BYTES or scenario_mod.is_scenario(args.data):
            return None
    except OSError:
        return None
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return None
    from linreg_tui.tui.terminal import unusable_terminal

    if unusable_terminal(os.environ, sys.stdout.fileno()):
        return None
    from .loading import LoadingApp

    def build(progress, stage):
        # Only the data: the app opens with it shown and solves least squares itself, the
        # panes filling in when the answer is there. Its module is imported here, while the
        # loading screen shows, not after it.
        opts = parse_options(argv, progress=progress)
        import linreg_tui.tui.app  # noqa: F401

        return opts, None

    app = LoadingApp(args.data, build, (UsageError, DataError, HyperparameterError))
    outcome = app.run()
    if app.return_code == 130:
        print(f"{PROG}: interrupted while loading {args.data}", file=sys.stderr)
        return 130
    if outcome is None:
        return app.return_code or 1
    if outcome.error is not None:
        print(f"{PROG}: error: {one_line(outcome.error)}", file=sys.stderr)
        return 2
    return outcome.result


def _given(argv: Sequence[str] | None) -> set[str]:
    """The destinations of the options written on the command line (not left at a default)."""
    quiet = build_parser()
    for action in quiet._actions:  # argparse has no public list of its actions
        action.default = argparse.SUPPRESS
    return set(vars(quiet.parse_args(argv)))


def _load_with_dask(args: argparse.Namespace, degree: int) -> Dataset:
    from linreg_tui.core.dask_engine import INSTALL_HINT, dask_available, load_dask

    if not dask_available():
        raise UsageError(INSTALL_HINT)
    return load_dask(args.data, x=args.x, y=args.y, degree=degree, scheduler=args.scheduler)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        with signals.as_exceptions():
            return _main(argv)
    except KeyboardInterrupt:
        _say(f"{PROG}: interrupted; nothing was written")
        return signals.exit_status(signal.SIGINT)
    except signals.Signalled as exc:
        _say(f"{PROG}: {signals.name(exc.signum)} received; nothing was written")
        return signals.exit_status(exc.signum)


def entry() -> None:
    """The ``linreg-tui`` command: :func:`main`, then the process ends at once with its status.

    Everything the program owns is finished by then (files closed or removed in ``finally``
    blocks, the terminal restored, output flushed below). What is skipped is the interpreter's
    own teardown, where pyarrow's reader threads aborted the process now and then ("terminate
    called without an active exception", SIGABRT, in about 1 run in 30 that had read a CSV
    file) after every result had already been printed.
    """
    status = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)


def _say(line: str) -> None:
    """One line on stderr, which may be gone (SIGHUP after the terminal closed)."""
    with contextlib.suppress(OSError, ValueError):
        print(line, file=sys.stderr, flush=True)


def _main(argv: Sequence[str] | None) -> int:
    opened = _open_at_once(argv)
    if isinstance(opened, int):
        return opened
    if opened is not None:
        opts, session = opened
    else:
        try:
            opts = parse_options(argv)
            session = Session(opts.dataset, opts.hp)
        except (UsageError, DataError, HyperparameterError) as exc:
            print(f"{PROG}: error: {one_line(str(exc))}", file=sys.stderr)
            return 2
    if opts.save_scenario:
        try:
            save_scenario(opts, session)
        except DataError as exc:
            print(f"{PROG}: error: {exc}", file=sys.stderr)
            return 2
        if not opts.headless and opts.serve is None:
            return 0
    if opts.serve is not None:
        return serve_mod.serve(opts.serve)
    if not opts.headless:
        if opts.from_stdin and sys.stdout.isatty():
            _keys_from_terminal()
        if not opts.served and not (sys.stdin.isatty() and sys.stdout.isatty()):
            print(
                f"{PROG}: error: the app needs a terminal (stdin and stdout are not one); "
                "use --headless or --json in scripts and pipes",
                file=sys.stderr,
            )
            return 2
        from linreg_tui.tui.terminal import unusable_terminal, wants_ascii

        # Served, the "terminal" is the visitor's browser (xterm.js, UTF-8), not this process's.
        if not opts.served and (why := unusable_terminal(os.environ, sys.stdout.fileno())):
            print(f"{PROG}: error: {why}; use --headless or --json", file=sys.stderr)
            return 2
        from linreg_tui.tui.app import make_app  # Textual loads only for the app

        app = make_app(
            session,
            pending=(opts.dataset, opts.hp) if session is None else None,
            served=opts.served,
            ascii_only=opts.ascii or (not opts.served and wants_ascii(os.environ)),
            handle_signals=True,
            note=opts.note,
            hide=opts.hide,
            data_path=opts.data_path,
        )
        app.settle_heap = True
        app.run()
        if app.failure is not None:  # the data could not be fitted (collinear columns, ...)
            print(f"{PROG}: error: {one_line(app.failure)}", file=sys.stderr)
            return 2
        if opts.resume is not None and app.session is not None:
            resume_mod.remember(opts.resume, app.session.hp)
        if app.exit_signal is not None:
            return signals.exit_status(app.exit_signal)
        return app.return_code or 0  # Textual sets 1 if the app failed
    if opts.compare or opts.sweep:
        return _batch(session, opts)
    try:
        train_headless(session, opts.history)
    except OSError as exc:
        print(f"{PROG}: error: {opts.history}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if opts.svg:
        try:
            write_text(opts.svg, svg_report.render(session), overwrite=True)
        except DataError as exc:
            print(f"{PROG}: error: {exc}", file=sys.stderr)
            return 2
    try:
        print(render_json(session) if opts.json else render_text(session))
        sys.stdout.flush()
    except BrokenPipeError:  # `linreg-tui --headless | head -1`: the reader left; say nothing
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1 if session.trainer.status is Status.DIVERGED else 0


def save_scenario(opts: Options, session: Session) -> None:
    """Write --save-scenario's file (atomically; the name was given, so it is replaced)."""
    path = opts.save_scenario
    text = scenario_mod.dumps(
        session.dataset,
        session.hp,
        opts.data_path,
        note=opts.note,
        hide=opts.hide,
        folder=os.path.dirname(os.path.abspath(path)),
    )
    write_text(path, text, overwrite=True)
    print(f"{PROG}: wrote {path}", file=sys.stderr)


def _keys_from_terminal() -> None:
    """The data came on standard input (``linreg-tui - < data.csv``): read the keys from the
    controlling terminal instead, as ``less`` and ``vim -`` do."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        return  # no controlling terminal: the check below says the app needs one
    os.dup2(fd, sys.stdin.fileno())
    os.close(fd)


def _batch(session: Session, opts: Options) -> int:
    """--compare or --sweep: several runs, one report. Exit 0 (a diverged run is a result)."""
    from . import batch

    try:
        if opts.sweep is not None:
            text, _ = batch.sweep(session, opts.sweep, opts.json)
        else:
            text, _ = batch.compare(session, opts.compare, opts.json)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except (DataError, HyperparameterError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def train_headless(session: Session, history: str | None) -> None:
    """Run to the end (budget, tol or divergence), writing the history file if asked."""
    if history is None:
        _run(session, None)
        return
    header = history_header(
        session.dataset.feature_names,
        session.hp.fit_intercept,
        session.problem.objective.penalty.active,
        session.problem.validation is not None,
    )
    with atomic_history(history, session.hp.fit_intercept) as writer:
        writer.header(header)
        writer.records(Records.single(session.record(0)))
        _run(session, writer)


def _run(session: Session, writer) -> None:
    trainer = session.trainer
    started = time.perf_counter()
    progress = None
    try:
        while trainer.status is Status.READY:
            recs = trainer.advance(HEADLESS_CHUNK, records=writer is not None)
            if writer is not None:
                writer.records(recs)
            if progress is None and time.perf_counter() - started > PROGRESS_AFTER_S:
                progress = _progress_bar(trainer.budget)  # False when stderr is no terminal
            if progress:
                progress[0].update(progress[1], completed=trainer.epoch)
    finally:
        if progress:
            progress[0].stop()


def _progress_bar(total: int):
    """A rich progress bar on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return False
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("epochs", total=total)
    bar.start()
    return bar, task


class LoadProgress:
    """A progress bar on stderr (a terminal only) for a load that takes over half a second:
    bytes read of the file, rows, MB/s. Callable as the loader's ``progress``."""

    def __init__(self, name: str):
        self.name = name
        self.started = time.perf_counter()
        self._bar = None

    def __enter__(self) -> LoadProgress:
        return self

    def __exit__(self, *exc) -> None:
        if self._bar:
            self._bar[0].stop()

    def __call__(self, done: int, total: int | None, rows: int) -> None:
        elapsed = time.perf_counter() - self.started
        if self._bar is None and elapsed > PROGRESS_AFTER_S:
            self._bar = _load_bar(self.name, total)
        if self._bar:
            rate = done / elapsed / 1e6 if elapsed > 0 else 0.0
            self._bar[0].update(
                self._bar[1], completed=done, rows=f"{rows:,} rows, {rate:,.0f} MB/s"
            )


def _load_bar(name: str, total: int | None):
    if not sys.stderr.isatty():
        return False
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    bar = Progress(
        TextColumn("reading {task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]}"),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task(name, total=total, rows="")
    bar.start()
    return bar, task


def _x_label(session: Session) -> str:
    names = session.dataset.x_names
    values = [plain(v) for v in session.hp.predict_x]
    if len(names) == 1:
        return f"x={values[0]}" if names[0] == "x" else f"{names[0]}={values[0]}"
    return ", ".join(f"{n}={v}" for n, v in zip(names, values))


def render_text(session: Session) -> str:
    """The seed's three lines (one per weight for several), then the run and the reference."""
    rec = session.record()
    ref = session.reference
    names = session.dataset.feature_names
    t = session.trainer
    lines = []
    if len(names) == 1:
        lines.append(f"Slope: {float(rec.weights[0])!r}")
    else:
        lines += [f"Weight {name}: {w!r}" for name, w in zip(names, rec.weights.tolist())]
    if session.hp.fit_intercept:
        lines.append(f"Intercept: {rec.intercept!r}")
    else:
        lines.append("Intercept: none (--no-intercept)")
    lines.append(f"Predicted y for {_x_label(session)}: {_text(session.prediction(rec))}")
    lines.append(f"Status: {t.message}")
    lines.append(f"MSE: {_text(rec.mse)}")
    if rec.loss is not None:  # what the run minimises, beside the MSE
        terms = session.problem.objective.penalty.terms(repr)
        lines.append(f"J = MSE + {terms}: {_text(rec.loss)}")
    if len(names) == 1:
        ref_weights = f"slope {float(ref.weights[0])!r}"
    else:
        ref_weights = ", ".join(f"{n} {w!r}" for n, w in zip(names, ref.weights.tolist()))
    ref_b = f", intercept {ref.intercept!r}" if session.hp.fit_intercept else ""
    r2 = "n/a" if ref.r2 is None else repr(ref.r2)
    what = REFERENCE_TITLE[ref.penalty].capitalize()
    gap = f", duality gap {ref.gap:.3g}" if ref.gap is not None else ""
    j = f", J {ref.objective!r}" if ref.objective is not None else ""
    lines.append(f"{what} ({ref.method}{gap}): {ref_weights}{ref_b}; MSE {ref.mse!r}{j}, R² {r2}")
    predicted = _text(session.reference_prediction())
    adjective = what.replace("Least squares", "Least-squares")
    lines.append(f"{adjective} prediction for {_x_label(session)}: {predicted}")
    a = session.analysis
    limit = (
        ""
        if a.lr_max is None or "largest stable" in a.summary or f"{a.lr_max:.6g}" in a.summary
        else f" (largest stable rate {a.lr_max:.6g})"
    )
    method = "" if session.hp.optimizer == "gd" else f" ({session.trainer.optimizer.title})"
    lines.append(f"Learning rate {session.hp.lr:.6g}{method}: {a.summary}{limit}")
    return "\n".join(lines)


def _schedule(hp) -> dict:
    """The schedule's name and the settings it reads."""
    return {"name": hp.schedule, **{f: getattr(hp, f) for f in SCHEDULE_FIELDS[hp.schedule]}}


def render_json(session: Session) -> str:
    rec = session.record()
    ref = session.reference
    a = session.analysis
    t = session.trainer
    bound_w, bound_b = session.gradient_rounding_bound(rec)
    out: dict = {}
    if session.dataset.n_features == 1:
        out["slope"] = float(rec.weights[0])
    out.update(
        weights=rec.weights.tolist(),
        feature_names=list(session.dataset.feature_names),
        intercept=float(rec.intercept) if session.hp.fit_intercept else None,
        predict_x=list(session.hp.predict_x),
        prediction=session.prediction(rec),
        epochs_run=t.epoch,
        epochs=t.budget,
        mse=rec.mse,
        gradient=rec.grad_weights.tolist()
        + ([rec.grad_intercept] if session.hp.fit_intercept else []),
        gradient_rounding_bound=bound_w.tolist() + ([bound_b] if session.hp.fit_intercept else []),
        status=t.status.value,
        message=t.message,
        lr=session.hp.lr,
        optimizer={"name": session.hp.optimizer, **session.trainer.optimizer.settings()},
        schedule=_schedule(session.hp),
        batch_size=session.hp.batch_size,
        seed=session.hp.seed,
        shuffle=session.hp.shuffle,
        penalty={
            "name": session.problem.objective.penalty.name,
            "l1": session.hp.l1,
            "l2": session.hp.l2,
        },
        objective=rec.objective,
        validation=session.hp.validation,
        validation_rows=(session.problem.validation.n_samples if session.problem.validation else 0),
        validation_mse=rec.val_mse,
        lr_max=a.lr_max,
        lr_bound=a.bound,
        lr_best=a.lr_best,
        condition_number=a.condition if a.condition != float("inf") else None,
        verdict=a.verdict.value,
        epochs_needed=a.epochs_needed,
        standardized=session.hp.standardize,
        distance_to_reference=session.distance_to_reference(rec),
        reference={
            "weights": ref.weights.tolist(),
            "intercept": ref.intercept if session.hp.fit_intercept else None,
            "mse": ref.mse,
            "rmse": ref.rmse,
            "r2": ref.r2,
            "prediction": session.reference_prediction(),
            "method": ref.method,
            "penalty": ref.penalty,
            "objective": ref.objective,
            "duality_gap": ref.gap,
        },
    )
    nulls: dict[str, str] = {}
    out = strict_json.strict(out, nulls)
    if nulls:
        out["nulls"] = nulls
        out["message"] += "; " + "; ".join(f"{k} is null: {why}" for k, why in nulls.items())
    return json.dumps(out, indent=2, allow_nan=False)


def _text(value: float) -> str:
    """A number for the text report: repr (round-trips) when finite, else words."""
    return repr(value) if math.isfinite(value) else strict_json.why_not_finite(value)


if __name__ == "__main__":
    entry()

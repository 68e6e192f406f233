"""``--compare`` and ``--sweep``: several runs without a screen, as a table or one JSON object.

Every number comes from :mod:`linreg_tui.core.variants` and :mod:`linreg_tui.core.sweep`; this
module only lays them out.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence

from linreg_tui.core.session import Session
from linreg_tui.core.sweep import (
    SweepResult,
    SweepSpec,
    bound_applies,
    disagreements,
    run_sweep,
)
from linreg_tui.core.variants import Outcome, common_seed, labels, parse_spec, run_many

from . import strict_json


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))
        ).rstrip()

    return "\n".join([line(header), *(line(r) for r in rows)])


def _outcome_json(o: Outcome, label: str) -> dict:
    hp = o.hp
    return {
        "label": label,
        "settings": {
            name: list(value) if isinstance(value, tuple) else value
            for name, value in dataclasses.asdict(hp).items()
        },
        "status": o.status.value,
        "epochs_run": o.epochs_run,
        "mse": o.mse,
        "weights": list(o.weights),
        "intercept": o.intercept if hp.fit_intercept else None,
        "message": o.message,
        "lr_max": o.lr_max,
    }


def compare(session: Session, specs: Sequence[str], as_json: bool) -> tuple[str, list[Outcome]]:
    """Run each variant (``name=value,…`` on top of the session's settings) from the same start
    (and the same batches' seed); the report and the outcomes."""
    runs = common_seed([parse_spec(text, session.hp) for text in specs], session.hp.seed)
    outcomes = run_many(
        session.dataset, runs, session.problem, progress=_progress(), problem_hp=session.hp
    )
    names = labels(runs)
    if as_json:
        runs_out = [_outcome_json(o, n) for o, n in zip(outcomes, names)]
        return strict_json.dumps({"runs": runs_out}), outcomes
    rows = [
        [str(k), n, f"{o.epochs_run:,}", f"{o.mse:.6g}", o.status.value]
        for k, (o, n) in enumerate(zip(outcomes, names), start=1)
    ]
    table = _table(["run", "settings", "epochs", "final MSE", "status"], rows, {0, 2, 3})
    return table, outcomes


def sweep(session: Session, spec: SweepSpec, as_json: bool) -> tuple[str, SweepResult]:
    """Run the sweep from the session's settings; the report and the result."""
    result = run_sweep(
        session.dataset, session.hp, spec, progress=_progress(), problem=session.problem
    )
    name = spec.name
    bad = disagreements(result)
    if as_json:
        out = {
            "sweep": {
                "setting": name,
                "start": spec.start,
                "stop": spec.stop,
                "count": spec.count,
                "stability_bound": result.bound,
                "fastest": result.fastest,
                "nearest": result.nearest,
                "agrees_with_analysis": not bad,
            },
            "runs": [
                {name: float(v), **_outcome_json(o, f"{name} {v:g}")}
                for v, o in zip(result.values.tolist(), result.outcomes)
            ],
        }
        return strict_json.dumps(out), result
    rows = []
    for k, (v, o) in enumerate(zip(result.values.tolist(), result.outcomes)):
        side = "—"
        if o.lr_max is not None and bound_applies(o.hp):
            side = f"{'above' if o.hp.lr > o.lr_max else 'below'} {o.lr_max:.4g}"
        mark = "← now" if k == result.nearest else ""
        rows.append([f"{v:.6g}", side, f"{o.epochs_run:,}", f"{o.mse:.6g}", o.status.value, mark])
    header = [name, "lr vs bound", "epochs", "final MSE", "status", ""]
    lines = [_table(header, rows, {0, 2, 3})]
    formula = session.bound_of(session.hp)[1]
    if result.bound is not None:
        fastest = f"; fastest fixed rate {result.fastest:.6g}" if result.fastest else ""
        lines.append(
            f"stability bound {formula} = {result.bound:.6g}: every lr above it diverges, none "
            f"below{fastest}"
        )
    checked = [o for o in result.outcomes if o.lr_max is not None and bound_applies(o.hp)]
    if checked:
        lines.append(
            "agrees with the analysis (each run's bound)"
            if not bad
            else f"disagrees with the analysis at {', '.join(str(i + 1) for i in bad)} "
            "(the budget ended before the divergence showed)"
        )
    else:
        lines.append(
            "no fixed stability bound decides these runs (an adaptive method, mini-batches or "
            "a schedule)"
        )
    return "\n".join(lines), result


def _progress():
    """A progress callback drawing a bar on stderr when it is a terminal, else None."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress

    bar = Progress(
        "runs", BarColumn(), MofNCompleteColumn(), console=Console(stderr=True), transient=True
    )
    task = None

    def update(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task("runs", total=total)
        bar.update(task, completed=done)
        if done >= total:
            bar.stop()

    return update

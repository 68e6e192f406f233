"""One declaration per setting: from it come the command-line flag, the app's settings field, the
help text and the parsing of scenario specs.

How to use it (from anywhere; the core has no UI)::

    from linreg_tui.core import settings

    hp = settings.parse_spec("optimizer=adam,lr=0.1")        # a checked Hyperparameters
    hp = settings.parse_spec("lr=0.05,m0=1,2", base=hp)      # changes on top of another
    settings.SETTINGS                                          # every Setting, in panel order
    settings.BY_NAME["lr"].parse("0.3")                        # the one parser (or raises)
    settings.BY_NAME["lr"].show(0.3)                           # "0.3", text that parses back
    settings.restarts({"lr", "m0"})                            # True: a change of m0 restarts
    settings.add_arguments(parser); settings.from_arguments(ns, base)   # argparse, both ways

A :class:`Setting` names a field of :class:`~.hyperparams.Hyperparameters` (whose default it
reads), its flag and label, the parser from text and the check of a value (both raise
:class:`~.errors.HyperparameterError` naming the setting), whether a change restarts the run at
epoch 0 (otherwise it applies from the next step), its help, and whether it matters for a given
set of settings (``applies``: β only for momentum and Nesterov), which the settings panel uses to
show only what is relevant. Keys in a spec may be the name (``batch_size``), the flag without
dashes (``batch-size``) or the label.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, fields, replace
from typing import Any

from . import hyperparams as hpm
from .errors import HyperparameterError
from .hyperparams import Hyperparameters
from .optimizers import OPTIMIZERS
from .schedules import FIELDS as SCHEDULE_FIELDS
from .schedules import SCHEDULES


def _always(hp: Hyperparameters) -> bool:
    return True


def _plain(value: float) -> str:
    """The shortest text that parses back to exactly ``value``."""
    if float(value).is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(float(value))


@dataclass(frozen=True)
class Setting:
    """One setting, declared once.

    Attributes
    ----------
    name : str
        The Hyperparameters field.
    flag : str
        The command-line flag (``--lr``).
    label : str
        The settings panel's label.
    parse : callable
        Text → checked value; raises HyperparameterError naming the setting.
    check : callable
        Checks a value (the Hyperparameters' own check on creation).
    restarts : bool
        A change starts the run again at epoch 0 (else it applies from the next step).
    help : str
        One line for ``--help``, the panel and the help screen.
    metavar : str or None
    choices : tuple of str
        The allowed names, for a choice.
    switch : bool
        A yes/no flag: ``--standardize`` sets True (``--no-intercept`` with ``invert`` sets False).
    invert : bool
    width : int
        The panel field's width in cells.
    applies : callable
        hp → whether the setting matters with these settings (shown in the panel only then).
    panel : bool
        Shown in the app's settings panel at all.
    page, row : str, int
        Where the settings panel shows it: which page (:data:`PAGES`) and which of its rows.
    none_text : str
        How None reads (``all`` rows, a ``random`` seed), for settings that allow it.
    """

    name: str
    flag: str
    label: str
    parse: Callable[[str], Any]
    check: Callable[[Any], None]
    restarts: bool
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    switch: bool = False
    invert: bool = False
    width: int = 9
    applies: Callable[[Hyperparameters], bool] = _always
    panel: bool = True
    page: str = "run"
    row: int = 0
    none_text: str = ""

    @property
    def default(self) -> Any:
        for f in fields(Hyperparameters):
            if f.name == self.name:
                return f.default if f.default is not MISSING else f.default_factory()
        raise KeyError(self.name)

    def show(self, value: Any) -> str:
        """Text for ``value`` that :attr:`parse` turns back into exactly ``value``."""
        if value is None:
            return self.none_text
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, tuple):
            return ",".join(_plain(v) for v in value)
        if isinstance(value, str):
            return value
        if isinstance(value, int):
            return str(value)
        return _plain(value)

    @property
    def key(self) -> str:
        """The argparse destination."""
        return self.flag.lstrip("-").replace("-", "_")


def _number(name: str) -> Callable[[str], float]:
    return lambda text: hpm.parse_number(name, text)


def _numbers(name: str) -> Callable[[str], tuple[float, ...]]:
    return lambda text: hpm.parse_numbers(name, text)


def _uses(field: str) -> Callable[[Hyperparameters], bool]:
    """Applies when the chosen optimiser reads ``field``."""
    return lambda hp: field in OPTIMIZERS[hp.optimizer].fields


def _scheduled(field: str) -> Callable[[Hyperparameters], bool]:
    """Applies when the chosen schedule reads ``field``."""
    return lambda hp: field in SCHEDULE_FIELDS[hp.schedule]


def _batched(hp: Hyperparameters) -> bool:
    return hp.batch_size is not None


def _parse_nonnegative(name: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = hpm.parse_number(name, text)
        _check_nonnegative(name)(value)
        return value

    return parse


def _check_nonnegative(name: str) -> Callable[[float], None]:
    def check(value: float) -> None:
        hpm.check_finite(name, value)
        if value < 0:
            raise HyperparameterError(f"{name}: must be a finite number ≥ 0, got {value!r}")

    return check


_OPTIMIZER_NAMES = tuple(OPTIMIZERS)
_SCHEDULE_NAMES = tuple(SCHEDULES)

#: Every setting, in the settings panel's order.
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "lr",
        "--lr",
        "lr",
        hpm.parse_lr,
        hpm.check_lr,
        False,
        "learning rate (> 0)",
        width=10,
    ),
    Setting(
        "epochs",
        "--epochs",
        "epochs",
        hpm.parse_epochs,
        hpm.check_epochs,
        False,
        f"epoch budget (0 to {hpm.MAX_EPOCHS:,}; 1e6 works)",
        width=11,
    ),
    Setting(
        "tol",
        "--tol",
        "tol",
        hpm.parse_tol,
        hpm.check_tol,
        False,
        "stop when an epoch lowers the loss by less than this (0: off)",
        width=8,
    ),
    Setting(
        "predict_x",
        "--predict",
        "predict",
        _numbers("predict"),
        lambda v: hpm.check_numbers("predict", v),
        False,
        "x value(s) to predict at, one per x column",
        metavar="X[,X…]",
        width=9,
    ),
    Setting(
        "m0",
        "--m0",
        "m0",
        _numbers("m0"),
        lambda v: hpm.check_numbers("m0", v),
        True,
        "initial weight: one value for all, or one per weight, comma-separated",
        metavar="W[,W…]",
        width=10,
        row=1,
    ),
    Setting(
        "b0",
        "--b0",
        "b0",
        _number("b0"),
        lambda v: hpm.check_finite("b0", v),
        True,
        "initial intercept",
        width=10,
        row=1,
    ),
    Setting(
        "standardize",
        "--standardize",
        "standardise",
        lambda t: hpm.parse_bool("standardize", t),
        lambda v: hpm.check_bool("standardize", v),
        True,
        "train on standardised x; everything is reported in the data's units",
        switch=True,
        row=1,
    ),
    Setting(
        "fit_intercept",
        "--no-intercept",
        "intercept",
        lambda t: hpm.parse_bool("intercept", t),
        lambda v: hpm.check_bool("intercept", v),
        True,
        "fit y = m·x (no b)",
        switch=True,
        invert=True,
        panel=False,
    ),
    Setting(
        "optimizer",
        "--optimizer",
        "optimizer",
        lambda t: hpm.parse_choice("optimizer", _OPTIMIZER_NAMES, t),
        lambda v: hpm.check_choice("optimizer", _OPTIMIZER_NAMES, v),
        True,
        "the update rule: " + ", ".join(_OPTIMIZER_NAMES),
        metavar="{" + ",".join(_OPTIMIZER_NAMES) + "}",
        choices=_OPTIMIZER_NAMES,
        width=10,
        page="method",
    ),
    Setting(
        "momentum",
        "--momentum",
        "β",
        lambda t: hpm.parse_fraction("momentum", t),
        lambda v: hpm.check_fraction("momentum", v),
        False,
        "β of momentum and nesterov: v ← βv + g (0 ≤ β < 1)",
        metavar="β",
        width=7,
        applies=_uses("momentum"),
        page="method",
    ),
    Setting(
        "rho",
        "--rho",
        "ρ",
        lambda t: hpm.parse_fraction("rho", t),
        lambda v: hpm.check_fraction("rho", v),
        False,
        "ρ, RMSProp's decay: s ← ρs + (1−ρ)g² (0 ≤ ρ < 1)",
        metavar="ρ",
        width=7,
        applies=_uses("rho"),
        page="method",
    ),
    Setting(
        "beta1",
        "--beta1",
        "β1",
        lambda t: hpm.parse_fraction("beta1", t),
        lambda v: hpm.check_fraction("beta1", v),
        False,
        "Adam's β₁: m ← β₁m + (1−β₁)g (0 ≤ β₁ < 1)",
        metavar="β1",
        width=7,
        applies=_uses("beta1"),
        page="method",
    ),
    Setting(
        "beta2",
        "--beta2",
        "β2",
        lambda t: hpm.parse_fraction("beta2", t),
        lambda v: hpm.check_fraction("beta2", v),
        False,
        "Adam's β₂: v ← β₂v + (1−β₂)g² (0 ≤ β₂ < 1)",
        metavar="β2",
        width=7,
        applies=_uses("beta2"),
        page="method",
    ),
    Setting(
        "eps",
        "--eps",
        "ε",
        lambda t: hpm.parse_positive("eps", t),
        lambda v: hpm.check_positive("eps", v),
        False,
        "ε of adagrad, rmsprop and adam: θ ← θ − lr·g/(√G + ε) (> 0)",
        metavar="ε",
        width=7,
        applies=_uses("eps"),
        page="method",
    ),
    Setting(
        "schedule",
        "--schedule",
        "schedule",
        lambda t: hpm.parse_choice("schedule", _SCHEDULE_NAMES, t),
        lambda v: hpm.check_choice("schedule", _SCHEDULE_NAMES, v),
        False,
        "how lr changes by epoch: " + ", ".join(_SCHEDULE_NAMES),
        metavar="{" + ",".join(_SCHEDULE_NAMES) + "}",
        choices=_SCHEDULE_NAMES,
        width=12,
        page="method",
        row=1,
    ),
    Setting(
        "decay",
        "--decay",
        "decay",
        lambda t: hpm.parse_open_fraction("decay", t),
        lambda v: hpm.check_open_fraction("decay", v),
        False,
        "the step and exponential schedules' factor (0 < decay ≤ 1)",
        metavar="F",
        width=7,
        applies=_scheduled("decay"),
        page="method",
        row=1,
    ),
    Setting(
        "step_every",
        "--step-every",
        "every",
        lambda t: hpm.parse_count("step-every", t),
        lambda v: hpm.check_count("step-every", v),
        False,
        "the step schedule multiplies lr by decay every this many epochs (≥ 1)",
        metavar="K",
        width=7,
        applies=_scheduled("step_every"),
        page="method",
        row=1,
    ),
    Setting(
        "power_t",
        "--power-t",
        "power",
        _parse_nonnegative("power-t"),
        _check_nonnegative("power-t"),
        False,
        "invscaling's exponent p: lr/tᵖ at epoch t (≥ 0)",
        metavar="P",
        width=7,
        applies=_scheduled("power_t"),
        page="method",
        row=1,
    ),
    Setting(
        "batch_size",
        "--batch-size",
        "batch",
        lambda t: hpm.parse_count("batch-size", t, none="all"),
        lambda v: hpm.check_count("batch-size", v, none="all"),
        True,
        "rows per step: mini-batch SGD with any optimiser; all (default) is batch GD",
        metavar="B",
        width=8,
        page="data",
        none_text="all",
    ),
    Setting(
        "seed",
        "--seed",
        "seed",
        lambda t: hpm.parse_count("seed", t, lowest=0, none="random"),
        lambda v: hpm.check_count("seed", v, lowest=0, none="random"),
        True,
        "seeds the batches' shuffling and the validation split (default: drawn, then shown)",
        metavar="S",
        width=11,
        page="data",
        none_text="random",
    ),
    Setting(
        "shuffle",
        "--no-shuffle",
        "shuffle",
        lambda t: hpm.parse_bool("shuffle", t),
        lambda v: hpm.check_bool("shuffle", v),
        True,
        "take the batches in the file's order instead of shuffling every epoch",
        switch=True,
        invert=True,
        applies=_batched,
        page="data",
    ),
    Setting(
        "l2",
        "--l2",
        "l2",
        _parse_nonnegative("l2"),
        _check_nonnegative("l2"),
        True,
        "λ₂: J = MSE + λ₂‖w‖² (ridge; the intercept is not penalised) (≥ 0)",
        metavar="λ",
        width=8,
        page="data",
        row=1,
    ),
    Setting(
        "l1",
        "--l1",
        "l1",
        _parse_nonnegative("l1"),
        _check_nonnegative("l1"),
        True,
        "λ₁: J = MSE + λ₁‖w‖₁ (lasso; gd takes the proximal step, others the subgradient) (≥ 0)",
        metavar="λ",
        width=8,
        page="data",
        row=1,
    ),
    Setting(
        "validation",
        "--validation",
        "valid",
        lambda t: hpm.parse_fraction("validation", t),
        lambda v: hpm.check_fraction("validation", v),
        True,
        "hold out this fraction of the rows (by --seed) and chart their MSE (0 ≤ F < 1)",
        metavar="F",
        width=6,
        page="data",
        row=1,
    ),
)

#: The settings panel's pages, in order, with their titles.
PAGES: dict[str, str] = {"run": "run", "method": "method", "data": "data"}

#: Name → Setting.
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}

_KEYS: dict[str, Setting] = {}
for _s in SETTINGS:
    for _k in (_s.name, _s.flag.lstrip("-"), _s.key, _s.label):
        _KEYS.setdefault(_k.lower(), _s)
_KEYS["intercept"] = BY_NAME["fit_intercept"]
_KEYS["predict"] = BY_NAME["predict_x"]
_KEYS["shuffle"] = BY_NAME["shuffle"]


def lookup(key: str) -> Setting:
    """The setting a spec key names (name, flag without dashes, or label)."""
    found = _KEYS.get(key.strip().lstrip("-").lower())
    if found is None:
        known = ", ".join(s.flag.lstrip("-") for s in SETTINGS)
        raise HyperparameterError(f"{key.strip()!r} is not a setting (known: {known})")
    return found


def restarts(names: Iterable[str]) -> bool:
    """Whether changing these settings starts the run again at epoch 0."""
    return any(BY_NAME[n].restarts for n in names)


def changed(old: Hyperparameters, new: Hyperparameters) -> set[str]:
    """Names of the settings whose values differ."""
    return {s.name for s in SETTINGS if getattr(old, s.name) != getattr(new, s.name)}


def parse_spec(spec: str, base: Hyperparameters | None = None) -> Hyperparameters:
    """Settings from ``"name=value,name=value"`` on top of ``base`` (default: the defaults).

    A comma not followed by ``name=`` continues the previous value, so lists work:
    ``"m0=1,2,lr=0.1"``. A yes/no setting may be given bare (``"standardize"``).

    Raises
    ------
    HyperparameterError
        An unknown name or a bad value, naming which.
    """
    items: list[list[str]] = []
    for part in spec.split(","):
        bare_switch = _KEYS.get(part.strip().lstrip("-").lower())
        if "=" in part or not items or (bare_switch is not None and bare_switch.switch):
            items.append([part])
        else:
            items[-1].append(part)
    values: dict[str, Any] = {}
    for item in items:
        text = ",".join(item)
        if not text.strip():
            continue
        key, eq, raw = text.partition("=")
        setting = lookup(key)
        if not eq:
            if not setting.switch:
                raise HyperparameterError(f"{key.strip()}: needs a value ({key.strip()}=…)")
            # "no-intercept" means False; "intercept" or "standardize" means True
            value = not setting.invert if setting.flag.lstrip("-") == key.strip() else True
        else:
            value = setting.parse(raw)
        values[setting.name] = value
    return replace(base or Hyperparameters(), **values)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One argparse option per setting (values stay text until :func:`from_arguments`)."""
    for s in SETTINGS:
        if s.switch:
            parser.add_argument(s.flag, dest=s.key, action="store_true", help=s.help)
            continue
        default = s.show(s.default)
        parser.add_argument(
            s.flag,
            dest=s.key,
            metavar=s.metavar,
            default=None,
            help=f"{s.help} (default {default})".replace("%", "%%"),
        )


def from_arguments(namespace: argparse.Namespace, base: Hyperparameters) -> Hyperparameters:
    """Apply the options given on the command line to ``base``."""
    values: dict[str, Any] = {}
    for s in SETTINGS:
        given = getattr(namespace, s.key)
        if s.switch:
            if given:
                values[s.name] = not s.invert
        elif given is not None:
            values[s.name] = s.parse(given)
    return replace(base, **values)

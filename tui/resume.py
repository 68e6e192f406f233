"""``--resume``: the settings last used with each data file, kept in the user's config folder
(platformdirs' ``user_config_dir("linreg-tui")``, e.g. ``~/.config/linreg-tui/last-settings.toml``).

Nothing is read or written unless ``--resume`` is given. The file maps a data file's absolute
path (or ``<built-in>``) to a ``[settings]``-style table, the same one scenario files hold; a
file that cannot be read is ignored (and replaced on the next save), never an error.
"""

from __future__ import annotations

import os
import sys

import tomli_w
from platformdirs import user_config_dir

from linreg_tui.core import scenario
from linreg_tui.core.errors import DataError, HyperparameterError
from linreg_tui.core.files import write_text
from linreg_tui.core.hyperparams import Hyperparameters

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FILE = "last-settings.toml"


def path() -> str:
    return os.path.join(user_config_dir("linreg-tui", appauthor=False), FILE)


def key(data: str | None) -> str:
    """What the settings are remembered under: the data file's absolute path."""
    return "<built-in>" if data is None else os.path.abspath(data)


def _load() -> dict:
    try:
        with open(path(), "rb") as handle:
            doc = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    runs = doc.get("runs")
    return runs if isinstance(runs, dict) else {}


def recall(data_key: str, base: Hyperparameters | None = None) -> Hyperparameters | None:
    """The settings remembered for ``data_key`` (over ``base``), or None."""
    table = _load().get(data_key)
    if not isinstance(table, dict):
        return None
    try:
        hp, _ = scenario.hyperparameters_from(table, path(), base)
    except HyperparameterError:
        return None  # an old or hand-edited entry: start from the defaults instead
    return hp


def remember(data_key: str, hp: Hyperparameters) -> None:
    """Keep ``hp`` for ``data_key`` (atomically; the other data files' entries stay)."""
    runs = _load()
    runs[data_key] = scenario.settings_table(hp)
    os.makedirs(os.path.dirname(path()), exist_ok=True)
    try:
        write_text(path(), tomli_w.dumps({"runs": runs}), overwrite=True)
    except DataError as exc:
        print(f"linreg-tui: warning: settings not remembered: {exc}", file=sys.stderr)

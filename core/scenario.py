"""Scenario files: every setting, the data's path and (up to :data:`EMBED_LIMIT` rows) the data
itself in one TOML file, so one file reproduces a run anywhere.

::

    # linreg-tui scenario: `linreg-tui THIS.toml` opens it
    note = "Push lr up to 0.09 and watch it diverge."   # optional, shown in the app
    hide = ["tol", "m0"]                                 # optional, settings the app hides

    [settings]                 # one key per setting, generated from the settings themselves
    lr = 0.01
    ...

    [data]
    path = "sample_data/seed.csv"   # where it came from (CSV, .csv.gz or Parquet; relative: to
                                    # the scenario's folder)
    x = ["x"]
    y = "y"
    degree = 1
    rows = [[1.0, 2.0], ...]        # x columns then y; present up to 10,000 rows

The settings table is generated from the settings' declarations (:data:`.settings.SETTINGS`: one
key per setting, its name), never from a hand-kept list; each value is checked by its setting's
own check and then by :class:`~.hyperparams.Hyperparameters` (a wrong one is a
:class:`~.errors.HyperparameterError` naming the file and the key). Floats are written with
``repr`` and TOML reads them back correctly rounded, so a saved scenario opens to bit-identical
settings and data.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import typing
from dataclasses import dataclass, field

import numpy as np
import tomli_w

from . import settings
from .dataset import Dataset
from .errors import DataError, HyperparameterError
from .hyperparams import Hyperparameters
from .loading import load_data

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: Data up to this many rows is written into the scenario itself.
EMBED_LIMIT = 10_000
HEADER = (
    "# linreg-tui scenario: `linreg-tui THIS.toml` opens it; command-line options override it\n"
)


@dataclass(frozen=True)
class Scenario:
    """What a scenario file holds."""

    dataset: Dataset
    hp: Hyperparameters
    note: str = ""
    hide: tuple[str, ...] = ()
    #: Setting names whose values the file gave (the rest are defaults).
    given: frozenset[str] = field(default_factory=frozenset)
    #: The CSV file the data came from (absolute), if the scenario names one.
    data_path: str | None = None


# -- settings <-> TOML values, generically over the dataclass's fields -------------------------


def _field_types() -> dict[str, object]:
    """Each setting's value type (from the Hyperparameters field it declares)."""
    hints = typing.get_type_hints(Hyperparameters)
    return {s.name: hints[s.name] for s in settings.SETTINGS}


def settings_table(hp: Hyperparameters) -> dict:
    """``{name: value}`` for every declared setting, in TOML's types (tuples become arrays)."""
    out = {}
    for s in settings.SETTINGS:
        value = getattr(hp, s.name)
        if value is None:  # TOML has no null: the setting's own word for none ("all")
            value = s.none_text
        out[s.name] = list(value) if isinstance(value, tuple) else value
    return out


def _coerce(where: str, name: str, kind, value):
    """A TOML value as the field's type, or a HyperparameterError saying what was expected."""
    none_text = settings.BY_NAME[name].none_text
    if none_text and value == none_text:
        return None
    args = [a for a in typing.get_args(kind) if a is not type(None)]
    if none_text and len(args) == 1:  # int | None: the value itself is an int
        kind = args[0]
    origin = typing.get_origin(kind)
    if kind is bool:
        if isinstance(value, bool):
            return value
        expected = "true or false"
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        expected = "a whole number"
    elif kind is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        expected = "a number"
    elif origin is tuple:
        items = value if isinstance(value, list) else [value]
        if items and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in items):
            return tuple(float(v) for v in items)
        expected = "a number or a list of numbers"
    elif kind is str:
        if isinstance(value, str):
            return value
        expected = "a string"
    else:  # a field type this module does not know yet
        return value
    raise HyperparameterError(f"{where}: settings.{name} must be {expected}, got {value!r}")


def hyperparameters_from(table: dict, where: str, base: Hyperparameters | None = None):
    """Settings from a ``[settings]`` table over ``base`` (default: the defaults).
    Returns (Hyperparameters, the names given)."""
    types = _field_types()
    unknown = sorted(set(table) - set(types))
    if unknown:
        raise HyperparameterError(
            f"{where}: unknown setting {unknown[0]!r}; the settings are {', '.join(types)}"
        )
    values = {k: _coerce(where, k, types[k], v) for k, v in table.items()}
    try:
        for name, value in values.items():
            settings.BY_NAME[name].check(value)
        hp = dataclasses.replace(base or Hyperparameters(), **values)
    except HyperparameterError as exc:
        raise HyperparameterError(f"{where}: {exc}") from None
    return hp, frozenset(values)


# -- writing -----------------------------------------------------------------------------------


def _float_list(values) -> str:
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"


def dumps(
    dataset: Dataset,
    hp: Hyperparameters,
    data_path: str | None,
    note: str = "",
    hide: tuple[str, ...] = (),
    folder: str = ".",
) -> str:
    """The scenario's TOML text.

    Parameters
    ----------
    dataset : Dataset
    hp : Hyperparameters
    data_path : str or None
        The CSV the data came from (None for built-in, generated or edited data); written
        relative to ``folder`` (where the scenario goes) when it is inside it.

    Raises
    ------
    DataError
        The data has no file and too many rows to be written into the scenario.
    """
    if data_path is None and dataset.n_samples > EMBED_LIMIT:
        raise DataError(
            f"the data has {dataset.n_samples:,} rows and no file of its own; a scenario holds at "
            f"most {EMBED_LIMIT:,} rows: write the data to a CSV first (w in the Data pane)"
        )
    top: dict = {}
    if note:
        top["note"] = note
    if hide:
        top["hide"] = list(hide)
    top["settings"] = settings_table(hp)
    data: dict = {}
    if data_path is not None:
        path = os.path.abspath(data_path)
        rel = os.path.relpath(path, os.path.abspath(folder))
        data["path"] = path if rel.startswith("..") else rel
    data["source"] = dataset.source
    data["x"] = list(dataset.x_names)
    data["y"] = dataset.y_name
    data["degree"] = dataset.degree
    text = HEADER + tomli_w.dumps({**top, "data": data})
    if dataset.n_samples <= EMBED_LIMIT:
        table = np.column_stack([dataset.raw_x, dataset.y])
        text += "rows = [\n" + "".join(f"    {_float_list(r)},\n" for r in table.tolist()) + "]\n"
    return text


# -- reading -----------------------------------------------------------------------------------


def is_scenario(path: str) -> bool:
    return path.lower().endswith(".toml")


def read(path: str, base: Hyperparameters | None = None) -> Scenario:
    """Open a scenario file.

    Raises
    ------
    DataError
        The file cannot be read, is not TOML, or its data is missing or wrong.
    HyperparameterError
        A setting is unknown, of the wrong type or out of range (file and key named).
    """
    try:
        with open(path, "rb") as handle:
            doc = tomllib.load(handle)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory, not a scenario file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{path}: is not valid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: is not UTF-8 text") from None
    known = {"note", "hide", "settings", "data"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise DataError(f"{path}: unknown key {unknown[0]!r}; a scenario has {', '.join(known)}")
    table = doc.get("settings", {})
    if not isinstance(table, dict):
        raise DataError(f"{path}: settings must be a table ([settings])")
    hp, given = hyperparameters_from(table, path, base)
    note = doc.get("note", "")
    hide = doc.get("hide", [])
    if not isinstance(note, str):
        raise DataError(f"{path}: note must be a string")
    if not (isinstance(hide, list) and all(isinstance(h, str) for h in hide)):
        raise DataError(f"{path}: hide must be a list of setting names")
    try:
        hide = [settings.lookup(h).name for h in hide]  # a name, flag or label
    except HyperparameterError as exc:
        raise DataError(f"{path}: hide: {exc}") from None
    dataset, data_path = _dataset(path, doc.get("data"))
    return Scenario(dataset, hp, note, tuple(hide), given, data_path)


def _dataset(path: str, data) -> tuple[Dataset, str | None]:
    """The data and the absolute path of its CSV file (None if the scenario names none)."""
    if not isinstance(data, dict):
        raise DataError(f"{path}: a [data] table with the data's path or rows is needed")
    x = data.get("x")
    y = data.get("y")
    degree = data.get("degree", 1)
    if x is not None and not (isinstance(x, list) and all(isinstance(c, str) for c in x) and x):
        raise DataError(f"{path}: data.x must be a list of column names")
    if y is not None and not isinstance(y, str):
        raise DataError(f"{path}: data.y must be a column name")
    if not (isinstance(degree, int) and not isinstance(degree, bool) and degree >= 1):
        raise DataError(f"{path}: data.degree must be a whole number ≥ 1")
    rows = data.get("rows")
    file = data.get("path")
    if file is not None:
        if not isinstance(file, str):
            raise DataError(f"{path}: data.path must be a file name")
        if not os.path.isabs(file):
            file = os.path.join(os.path.dirname(os.path.abspath(path)), file)
    if rows is None:
        if file is None:
            raise DataError(f"{path}: data needs a path (a CSV file) or rows")
        try:
            return load_data(file, x=x, y=y, degree=degree), file
        except DataError as exc:
            raise DataError(f"{path}: data.path: {exc}") from None
    names = x or ["x"]
    width = len(names) + 1
    ok = isinstance(rows, list) and all(
        isinstance(r, list)
        and len(r) == width
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in r)
        for r in rows
    )
    if not ok:
        raise DataError(
            f"{path}: data.rows must be rows of {width} numbers ({', '.join(names)}, {y or 'y'})"
        )
    table = np.array(rows, dtype=np.float64).reshape(len(rows), width)
    if not np.isfinite(table).all():
        raise DataError(f"{path}: data.rows: every value must be a finite number")
    source = data.get("source") if isinstance(data.get("source"), str) else path
    return Dataset(table[:, :-1], table[:, -1], tuple(names), y or "y", degree, source), file

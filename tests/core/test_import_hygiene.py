"""One direction only: the core knows nothing about screens.

Importing ``linreg_tui.core`` (all of it) loads no Textual, plotext or rich module, the headless
command does not load Textual, and no file under core/ imports the UI or a UI library.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import linreg_tui.core

UI_PACKAGES = ("textual", "textual_plotext", "plotext", "rich")
CORE_DIR = Path(linreg_tui.core.__file__).resolve().parent

_IMPORT_ALL_OF_CORE = """
import importlib, json, pkgutil, sys
import linreg_tui.core as core
names = [m.name for m in pkgutil.walk_packages(core.__path__, core.__name__ + ".")]
for name in names:
    importlib.import_module(name)
print(json.dumps({"submodules": names, "loaded": sorted(sys.modules)}))
"""


def is_ui(module: str) -> bool:
    return module.split(".")[0] in UI_PACKAGES


def test_importing_all_of_the_core_loads_no_ui_library():
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL_OF_CORE],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(result.stdout)
    submodules = set(report["submodules"])
    # Every module file under core/ was imported (so the check below covers all of them).
    expected = set()
    for path in CORE_DIR.rglob("*.py"):
        parts = path.relative_to(CORE_DIR).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts and not parts[-1].startswith("_"):
            expected.add(".".join(("linreg_tui.core", *parts)))
    assert submodules == expected
    assert {"linreg_tui.core.csv_loader", "linreg_tui.core.session"} <= submodules
    assert submodules <= set(report["loaded"])
    assert [m for m in report["loaded"] if is_ui(m)] == []
    assert "linreg_tui.tui" not in report["loaded"]


def test_the_headless_command_does_not_load_textual():
    script = Path(sys.executable).with_name("linreg-tui")
    # The console script, or what it does: import the cli module and call main().
    command = (
        [str(script)]
        if script.is_file()
        else ["-c", "import sys; from linreg_tui.tui.cli import main; sys.exit(main())"]
    )
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *command, "--headless"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Slope: 0.6176946148762643\n")
    # -X importtime writes "import time: self [us] | cumulative | imported package" per import.
    imported = [
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    ]
    assert "linreg_tui.tui.cli" in imported
    assert "linreg_tui.core.session" in imported
    assert [
        m for m in imported if m.split(".")[0] in ("textual", "textual_plotext", "plotext")
    ] == []


# -- static: what the files under core/ import ----------------------------------------------------


def ui_imports(source: str, filename: str = "<source>") -> list[str]:
    """Modules imported by ``source`` (a module of linreg_tui.core) that belong to the UI."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                modules = [node.module or ""]
            elif node.level == 1:  # from .x import y: a sibling inside core
                modules = []
            else:  # from ..tui import y, from .. import tui: out of core, into the package
                parent = node.module or ""
                modules = [parent] if parent else [alias.name for alias in node.names]
                modules = [f"linreg_tui.{m}" for m in modules]
        else:
            continue
        for module in modules:
            if is_ui(module) or module == "linreg_tui.tui" or module.startswith("linreg_tui.tui."):
                found.append(module)
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "linreg_tui":
            found += [f"linreg_tui.{a.name}" for a in node.names if a.name == "tui"]
    return found


def test_the_static_check_sees_every_way_of_importing_the_ui():
    offending = """
import textual
import rich.console as rc
from plotext import plot
from textual_plotext import PlotextPlot
from linreg_tui.tui.app import make_app
from linreg_tui import tui
from ..tui import cli
from .. import tui
import linreg_tui.tui
def later():
    from textual.app import App
"""
    assert ui_imports(offending) == [
        "textual",
        "rich.console",
        "plotext",
        "textual_plotext",
        "linreg_tui.tui.app",
        "linreg_tui.tui",
        "linreg_tui.tui",
        "linreg_tui.tui",
        "linreg_tui.tui",
        "textual.app",
    ]
    clean = "import numpy as np\nfrom .errors import DataError\nimport richards\nimport textwrap\n"
    assert ui_imports(clean) == []


def test_no_file_under_core_imports_the_ui():
    files = sorted(CORE_DIR.rglob("*.py"))
    assert len(files) >= 10  # the check is not looking at an empty folder
    offenders = {
        str(path.relative_to(CORE_DIR)): found
        for path in files
        if (found := ui_imports(path.read_text(encoding="utf-8"), str(path)))
    }
    assert offenders == {}

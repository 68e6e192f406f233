"""Print pip constraints pinning every runtime dependency and the build backend of pyproject.toml
to the lowest version it allows (its ``>=`` floor), one ``name==version`` a line.

CI installs the package against these in a second virtual environment and runs the fast tests,
so a floor that does not work fails CI instead of a user's install.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

FLOOR = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*[^;]*?>=\s*([0-9][^,;\s]*)")


def floors(requirements: list[str]) -> list[str]:
    pins = []
    for requirement in requirements:
        found = FLOOR.match(requirement)
        if found is None:
            sys.exit(f"floors: {requirement!r} has no >= floor; give it one")
        marker = requirement.split(";", 1)[1].strip() if ";" in requirement else ""
        pins.append(f"{found.group(1)}=={found.group(2)}" + (f"; {marker}" if marker else ""))
    return pins


def main() -> None:
    project = tomllib.loads(Path(sys.argv[1]).read_text())
    which = sys.argv[2] if len(sys.argv) > 2 else "runtime"
    if which == "build":
        print("\n".join(floors(project["build-system"]["requires"])))
    else:
        print("\n".join(floors(project["project"]["dependencies"])))


if __name__ == "__main__":
    main()

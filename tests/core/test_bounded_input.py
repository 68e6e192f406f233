"""Bad input is refused before costly work, in bounded memory, with one bounded line.

Run for real in subprocesses; the memory bound is enforced (RLIMIT_AS), so a check that came
after building the features would fail here with a MemoryError instead of the one-line refusal.
"""

from __future__ import annotations

import resource
import subprocess

from test_cli import COMMAND, ENV

from linreg_tui.tui.cli import MAX_LINE

#: Address space allowed to the command: numpy and Python need well under this, while a
#: degree-100,000,000 feature matrix on 5 rows needs 4 GB.
MEMORY_LIMIT = 1 << 30


def limited(*args: str, cwd=None) -> subprocess.CompletedProcess:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(
        [*COMMAND, *args],
        cwd=cwd,
        env={**ENV, "OPENBLAS_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        preexec_fn=limit,
    )


def test_a_huge_degree_on_5_rows_is_refused_at_once():
    result = limited("--degree", "100000000", "--headless")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "5 rows cannot fit a polynomial of degree 100,000,000" in lines[0]


def test_too_many_feature_values_are_refused_before_they_are_built(tmp_path):
    rows = "".join(f"{k},{k % 7}\n" for k in range(200_000))
    (tmp_path / "d.csv").write_text("x,y\n" + rows)
    result = limited("d.csv", "--degree", "1000", "--headless", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "200,000,000 feature values" in lines[0], result.stderr


def test_an_unknown_column_names_the_first_few_of_10000(tmp_path):
    names = [f"column_{i}" for i in range(10_000)]
    text = ",".join(names) + "\n" + ",".join("1" for _ in names) + "\n"
    text += ",".join(str(i % 3) for i in range(10_000)) + "\n"
    (tmp_path / "wide.csv").write_text(text)
    result = limited("wide.csv", "--x", "nope", "--headless", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and len(lines[0]) <= MAX_LINE + 40, lines
    assert "1:column_0" in lines[0] and "and 9,995 more" in lines[0]


def test_every_error_line_is_bounded(tmp_path):
    # Whatever makes a message long (here a 100,000-character column choice), the line is cut.
    (tmp_path / "d.csv").write_text("a,b\n1,2\n2,3\n")
    result = limited("d.csv", "--x", "x" * 100_000, "--headless", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and len(lines[0]) <= MAX_LINE + 40
    # Cut by the CLI ("… (N more characters)") or quoted short at the source ("… (N characters)").
    assert "characters)" in lines[0]

"""The command line with data from unusual places: standard input, gzip, Parquet, and files whose
errors would once have printed megabytes."""

from __future__ import annotations

import gzip
import subprocess

import pytest
from test_cli import COMMAND, ENV, SEED_LINES

SEED_CSV = "x,y\n1,2\n2,4\n3,5\n4,4\n5,5\n"


def run_with_input(*args: str, data: bytes) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*COMMAND, *args], env=ENV, input=data, capture_output=True, timeout=120, check=False
    )


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
def test_a_dash_reads_the_data_from_standard_input(packed):
    data = SEED_CSV.encode()
    result = run_with_input("-", "--headless", data=gzip.compress(data) if packed else data)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines()[:3] == SEED_LINES


def test_bad_data_on_standard_input_is_named_as_standard_input():
    result = run_with_input("-", "--headless", data=b"x,y\n1,2\n2,zz\n")
    assert result.returncode == 2
    err = result.stderr.decode()
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "standard input: row 2 (line 3), column 'y'" in err


@pytest.mark.parametrize("option", [["--x", "nope"], ["--y", "nope"], ["--x", "1,2,nope"]])
def test_an_unknown_column_of_a_10000_column_file_is_one_short_line(tmp_path, option):
    names = [f"column_number_{j}" for j in range(10_000)]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(names) + "\n" + ",".join(str(j) for j in range(10_000)) + "\n")
    result = subprocess.run(
        [*COMMAND, str(path), "--headless", *option],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and len(result.stderr) < 600 + len(str(path))
    assert "and 9,995 more" in result.stderr


def test_a_name_with_a_comma_is_chosen_from_the_command_line(tmp_path):
    path = tmp_path / "kg.csv"
    path.write_text('"weight, kg";age;"height, cm"\n1;3;10\n2;5;30\n4;6;20\n')
    args = ["--json", "--x", "weight, kg,height, cm", "--y", "age", "--epochs", "0"]
    result = subprocess.run(
        [*COMMAND, str(path), *args],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert '"weight, kg"' in result.stdout and '"height, cm"' in result.stdout

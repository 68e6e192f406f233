"""Large data, side by side in one run: linreg-tui's loader, --stream and the whole headless
process against pandas, polars, pyarrow and scikit-learn on the same files.

Every measurement runs in a fresh subprocess and reports its wall time and its peak resident
memory (VmHWM from /proc, which, unlike ru_maxrss, is not inherited from the parent). pandas,
polars and scikit-learn are benchmark-only (``pip install pandas polars scikit-learn``); they are
not dependencies of linreg-tui.

    python benchmarks/bench_data.py [--rows 10000000] [--stream-copies 3] [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from report import markdown, yes

LINREG = str(Path(sys.executable).with_name("linreg-tui"))

PEAK = (
    "\nimport sys\n"
    "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
    "print('PEAK', int(hwm.split()[1]) // 1024, file=sys.stderr)\n"
)

SCRIPTS = {
    "linreg-tui load_data": "from linreg_tui.core.loading import load_data\nd = load_data({p!r})\n",
    "pandas.read_csv": "import pandas as pd\nd = pd.read_csv({p!r}).to_numpy()\n",
    "polars.read_csv": "import polars as pl\nd = pl.read_csv({p!r}).to_numpy()\n",
    "numpy.loadtxt": "import numpy as np\nd = np.loadtxt({p!r}, delimiter=',', skiprows=1)\n",
    "pandas + sklearn LinearRegression": (
        "import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n"
        "d = pd.read_csv({p!r})\nm = LinearRegression().fit(d.iloc[:, :-1], d.iloc[:, -1])\n"
        "print(m.coef_, m.intercept_)\n"
    ),
}


def measure(argv: list[str]) -> tuple[float, int]:
    """(wall seconds, peak MB) of a subprocess; the peak comes from VmHWM read at its exit."""
    started = time.perf_counter()
    # linreg-tui ends with os._exit (core/cli.py's entry): the peak is reported on the way out.
    wrapped = [
        sys.executable,
        "-c",
        "import os, runpy, sys\n"
        "def report():" + PEAK.replace("\n", "\n    ") + "\n"
        "_exit = os._exit\n"
        "def exit_reporting(status):\n"
        "    report()\n"
        "    sys.stderr.flush()\n"
        "    _exit(status)\n"
        "os._exit = exit_reporting\n"
        f"sys.argv = {argv!r}\n"
        "try:\n"
        f"    runpy.run_path({argv[0]!r}, run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "report()\n",
    ]
    result = subprocess.run(wrapped, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    peak = [line for line in result.stderr.splitlines() if line.startswith("PEAK")]
    if not peak:
        raise SystemExit(f"{argv}: failed:\n{result.stderr[-2000:]}")
    return elapsed, int(peak[-1].split()[1])


def measure_code(code: str) -> tuple[float, int]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code + PEAK], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    peak = [line for line in result.stderr.splitlines() if line.startswith("PEAK")]
    if not peak:
        raise SystemExit(f"failed:\n{result.stderr[-2000:]}")
    return elapsed, int(peak[-1].split()[1])


def write_csv(path: Path, rows: int, columns: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    with path.open("w") as handle:
        handle.write(",".join([f"x{j}" for j in range(columns)] + ["y"]) + "\n")
        for start in range(0, rows, 1_000_000):
            n = min(1_000_000, rows - start)
            x = rng.uniform(0, 100, (n, columns))
            y = x @ np.linspace(1, 2, columns) + 2 + rng.normal(size=n)
            np.savetxt(handle, np.column_stack([x, y]), fmt="%.17g", delimiter=",")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--stream-copies", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1,000,000 rows, one stream copy")
    parser.add_argument(
        "--data",
        type=Path,
        help="keep the generated files in this folder and use them again on the next run "
        "(e.g. to time two versions on the same files)",
    )
    args = parser.parse_args()
    if args.quick:
        args.rows, args.stream_copies = 1_000_000, 1
    folder = args.data or Path(tempfile.mkdtemp(prefix="bench_data_"))
    folder.mkdir(parents=True, exist_ok=True)
    big = folder / f"big_{args.rows}.csv"
    if not big.exists():
        write_csv(big, args.rows, 1)
    wide = folder / "wide.csv"
    if not wide.exists():
        write_csv(wide, 100_000, 100, seed=1)
    mb = big.stat().st_size / 1e6
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")

    print(f"## Loading {args.rows:,} rows × 2 columns ({mb:.0f} MB)\n")
    rows = []
    timings = {}
    for name in ("linreg-tui load_data", "pandas.read_csv", "polars.read_csv"):
        code = SCRIPTS[name].format(p=str(big))
        t, peak = measure_code(code)
        timings[name] = (t, peak)
        rows.append([name, f"{t:.2f} s", f"{peak:,} MB"])
    ours, pandas = timings["linreg-tui load_data"], timings["pandas.read_csv"]
    print(markdown(["reader", "time (process)", "peak memory"], rows))
    print(
        f"\nlinreg-tui / pandas: time {ours[0] / pandas[0]:.2f}× (target ≤ 1.2×: "
        f"{yes(ours[0] <= 1.2 * pandas[0])}), memory {ours[1] / pandas[1]:.2f}× (target ≤ 1: "
        f"{yes(ours[1] <= pandas[1])})\n"
    )

    print(f"## Whole headless process, {args.rows:,} rows\n")
    t_ours, p_ours = measure([LINREG, str(big), "--headless", "--lr", "1e-4"])
    t_sk, p_sk = measure_code(SCRIPTS["pandas + sklearn LinearRegression"].format(p=str(big)))
    print(
        markdown(
            ["process", "time", "peak memory"],
            [
                [
                    "linreg-tui --headless (1000 epochs + reference)",
                    f"{t_ours:.2f} s",
                    f"{p_ours:,} MB",
                ],
                ["pandas + sklearn LinearRegression", f"{t_sk:.2f} s", f"{p_sk:,} MB"],
            ],
        )
    )
    print(f"\nratio {t_ours / t_sk:.2f}× (target ≤ 1.2×: {yes(t_ours <= 1.2 * t_sk)})\n")

    print("## 100 x columns × 100,000 rows, whole process\n")
    t_ours, p_ours = measure(
        [
            LINREG,
            str(wide),
            "--x",
            ",".join(str(j) for j in range(1, 101)),
            "--y",
            "101",
            "--headless",
            "--lr",
            "1e-6",
            "--epochs",
            "100",
        ]
    )
    t_sk, p_sk = measure_code(SCRIPTS["pandas + sklearn LinearRegression"].format(p=str(wide)))
    print(
        markdown(
            ["process", "time", "peak memory"],
            [
                ["linreg-tui --headless", f"{t_ours:.2f} s", f"{p_ours:,} MB"],
                ["pandas + sklearn LinearRegression", f"{t_sk:.2f} s", f"{p_sk:,} MB"],
            ],
        )
    )
    print(
        f"\ntime {t_ours / t_sk:.2f}× (target ≤ 1: {yes(t_ours <= t_sk)}), memory "
        f"{p_ours / p_sk:.2f}× (target ≤ 1: {yes(p_ours <= p_sk)})\n"
    )

    print(f"## --stream on {args.stream_copies} copies of the file\n")
    streamed = folder / f"stream_{args.rows}x{args.stream_copies}.csv"
    if not streamed.exists():
        with streamed.open("wb") as out:
            out.write(big.read_bytes())
            body = big.read_bytes().split(b"\n", 1)[1]
            for _ in range(args.stream_copies - 1):
                out.write(body)
    size = streamed.stat().st_size / 1e6
    t, peak = measure([LINREG, str(streamed), "--stream", "--headless", "--lr", "1e-4"])
    print(
        f"{size:,.0f} MB: {t:.1f} s, {size / t:,.0f} MB/s (target ≥ 100: {yes(size / t >= 100)}), "
        f"peak memory {peak:,} MB (target ≤ 400: {yes(peak <= 400)})"
    )
    if args.data is None:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()

"""Cold wall time of `forecast --help` and `forecast run burglary` (a new process each time, as a user runs it).

    python bench/cold_run.py            # 10 runs of --help, 3 of each forecast
Runs this checkout's code (`python -m crimecast.cli` from the repository root),
not whichever `forecast` is installed, and records the machine's load average,
since on a shared machine that moves the figures more than anything else.
Writes the "cold-run" section of bench/RESULTS.md.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.results import machine, write_section  # noqa: E402

RUNS = 3
HELP_RUNS = 10
ROOT = Path(__file__).resolve().parents[1]
FORECAST = [sys.executable, "-m", "crimecast.cli"]


def time_once(args: list[str], *, out: bool = True) -> float:
    folder = tempfile.mkdtemp()
    try:
        started = time.perf_counter()
        subprocess.run([*FORECAST, *args, *(["--out", folder] if out else [])], check=True, capture_output=True, cwd=ROOT)
        return time.perf_counter() - started
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _row(args: list[str], times: list[float], digits: int = 1) -> str:
    return (f"| `forecast {' '.join(args)}` | {len(times)} | {statistics.median(times):.{digits}f} | "
            f"{min(times):.{digits}f} | {max(times):.{digits}f} |")


def main() -> None:
    load_before = os.getloadavg()[0]
    rows = [_row(["--help"], [time_once(["--help"], out=False) for _ in range(HELP_RUNS)], digits=2)]
    for args in (["run", "burglary"], ["run", "burglary", "--no-backtest"]):
        rows.append(_row(args, [time_once(args) for _ in range(RUNS)]))
    load_after = os.getloadavg()[0]
    body = "\n".join([
        "## Cold wall time of the main job",
        "",
        f"{machine()}; 1-minute load average {load_before:.1f} before and {load_after:.1f} after (the machine is "
        "shared: a load near its 2 cores means other work competed). `python bench/cold_run.py`: each a new process "
        "of this checkout's code, including Python start-up, imports, the fit with interval calibration, the "
        "backtest against baselines (`run burglary`) and the chart. `--help` imports no pandas, SciPy, Prophet, "
        "matplotlib or PuLP (tests/test_cli_bad_input.py checks it).",
        "",
        "| command | runs | median s | min s | max s |",
        "|---|---|---|---|---|",
        *rows,
    ])
    write_section("cold-run", body)
    print(body)


if __name__ == "__main__":
    main()

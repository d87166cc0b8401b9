"""Cold wall time of `forecast --help` and `forecast run burglary` (a new process each time, as a user runs it).

    python bench/cold_run.py                                   # 10 runs of --help, 5 of each forecast
    python bench/cold_run.py --installed /path/to/venv/bin/forecast  # and an installed console command too

Runs this checkout's code (`python -m crimecast.cli` from the repository root)
and, with ``--installed``, a `forecast` console command installed as the
README's first command does (`pip install .` in a fresh virtual environment:
its own bytecode and dependency versions). Records the machine's load average,
since on a shared machine that moves the figures more than anything else.
Writes the "cold-run" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
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

RUNS = 5
HELP_RUNS = 10
ROOT = Path(__file__).resolve().parents[1]
FORECAST = [sys.executable, "-m", "crimecast.cli"]


def time_once(args: list[str], *, out: bool = True, command: list[str] = FORECAST) -> float:
    folder = tempfile.mkdtemp()
    try:
        started = time.perf_counter()
        subprocess.run([*command, *args, *(["--out", folder] if out else [])], check=True, capture_output=True,
                       cwd=folder, env={**os.environ, "PYTHONPATH": str(ROOT)} if command == FORECAST else None)
        return time.perf_counter() - started
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _row(args: list[str], times: list[float], digits: int = 1, where: str = "this checkout") -> str:
    return (f"| {where} | `forecast {' '.join(args)}` | {len(times)} | {statistics.median(times):.{digits}f} | "
            f"{min(times):.{digits}f} | {max(times):.{digits}f} |")


def _rows(command: list[str], where: str) -> list[str]:
    rows = [_row(["--help"], [time_once(["--help"], out=False, command=command) for _ in range(HELP_RUNS)], digits=2,
                 where=where)]
    for args in (["run", "burglary"], ["run", "burglary", "--no-backtest"]):
        rows.append(_row(args, [time_once(args, command=command) for _ in range(RUNS)], where=where))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--installed", default=None, help="an installed `forecast` executable to time as well")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    rows = _rows(FORECAST, "this checkout")
    if args.installed:
        rows += _rows([args.installed], "`pip install .`, fresh venv")
    load_after = os.getloadavg()[0]
    body = "\n".join([
        "## Cold wall time of the main job",
        "",
        f"{machine()}; 1-minute load average {load_before:.1f} before and {load_after:.1f} after (the machine is "
        "shared: a load near its 2 cores means other work competed). `python bench/cold_run.py"
        f"{' --installed ...' if args.installed else ''}`: each a new process, in an empty folder, including Python "
        "start-up, imports, the fit with interval calibration, the backtest against baselines (`run burglary`) and the chart. `--help` imports no pandas, SciPy, Prophet, "
        "matplotlib or PuLP (tests/test_cli_bad_input.py checks it).",
        "",
        "| code | command | runs | median s | min s | max s |",
        "|---|---|---|---|---|---|",
        *rows,
    ])
    write_section("cold-run", body)
    print(body)


if __name__ == "__main__":
    main()

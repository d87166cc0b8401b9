"""Cold wall time of `forecast run burglary` (a new process each time, as a user runs it).

    python bench/cold_run.py            # 3 runs
Writes the "cold-run" section of bench/RESULTS.md.
"""

from __future__ import annotations

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


def time_once(command: list[str]) -> float:
    out = tempfile.mkdtemp()
    try:
        started = time.perf_counter()
        subprocess.run([*command, "--out", out], check=True, capture_output=True)
        return time.perf_counter() - started
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    executable = shutil.which("forecast")
    if executable is None:
        sys.exit("install crimecast first: pip install .")
    rows = []
    for args in (["run", "burglary"], ["run", "burglary", "--no-backtest"]):
        times = [time_once([executable, *args]) for _ in range(RUNS)]
        rows.append(f"| `forecast {' '.join(args)}` | {statistics.median(times):.1f} | {min(times):.1f} | {max(times):.1f} |")
    body = "\n".join([
        "## Cold wall time of the main job",
        "",
        f"{machine()}. `python bench/cold_run.py`: each a new process ({RUNS} runs), including Python start-up, "
        "imports, the fit with interval calibration, the backtest against baselines (first row) and the chart.",
        "",
        "| command | median s | min s | max s |",
        "|---|---|---|---|",
        *rows,
    ])
    write_section("cold-run", body)
    print(body)


if __name__ == "__main__":
    main()

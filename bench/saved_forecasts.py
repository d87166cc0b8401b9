"""Forecast once, use everywhere: `run all --save`, then a scenario, milestones and the fund on the saved forecast.

    python bench/saved_forecasts.py                     # the default model (minutes on 2 cores)
    python bench/saved_forecasts.py --model ets         # quicker, for a loaded machine

Each command is a new process of this checkout's code (`python -m crimecast.cli`)
in an empty folder (its store is `crimecast.duckdb` there), on the embedded
data. The same three commands are then run again refitting, as they would
without `--forecast` (the scenario with its file's settings, the fund with
its file's `ets`/500 paths, the milestone with `--model`). Writes the
"saved-forecasts" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.results import machine, write_section  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FORECAST = [sys.executable, "-m", "crimecast.cli"]
NAME = "bench"


def timed(args: list[str], folder: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run([*FORECAST, *args, "--out", str(folder / "out")], capture_output=True, text=True, cwd=folder,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"forecast {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="Model of the saved forecast and the milestone refit.")
    parser.add_argument("--jobs", default="2")
    parser.add_argument("--no-write", action="store_true", help="Print only; leave RESULTS.md alone.")
    options = parser.parse_args()
    model = ["--model", options.model] if options.model else []
    jobs = ["--jobs", options.jobs]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        save = timed(["run", "all", "--no-backtest", "--no-chart", "--save", NAME, *model, *jobs], folder)
        size = (folder / "crimecast.duckdb").stat().st_size
        uses = [("milestones burglary --target -8%", ["milestones", "burglary", "--target", "-8%", "--no-chart"], model),
                ("scenario run planning-2014-15", ["scenario", "run", "planning-2014-15", "--no-chart"], []),
                ("optimise csf", ["optimise", "csf", "--no-chart"], [])]
        rows = []
        for label, args, refit_options in uses:
            reused = timed([*args, "--forecast", NAME], folder)
            refit = timed([*args, *refit_options, *jobs], folder)
            rows.append(f"| `forecast {label}` | {reused:.1f} | {refit:.1f} | {refit / reused:.1f}x |")
    load_after = os.getloadavg()[0]
    body = "\n".join([
        "## Saved forecasts: forecast once, use everywhere",
        "",
        f"{machine()}; 1-minute load average {load_before:.1f} before and {load_after:.1f} after. "
        f"`python bench/saved_forecasts.py{' --model ' + options.model if options.model else ''}`: "
        f"`forecast run all --no-backtest --no-chart --save {NAME}{' --model ' + options.model if options.model else ''}` "
        f"(70 bottom series: every category in every district; the force and total recorded crime are their sums) "
        f"took **{save:.1f} s** and left a store of **{size / 1024:,.0f} kB** (paths as compressed float32). "
        "Then each command read that forecast (`--forecast`) and, for comparison, refitted as it does without it "
        "(the scenario with its file's settings, the fund with its file's, the milestone with the same model). "
        "Wall seconds, a new process each, including start-up and imports:",
        "",
        "| command | with `--forecast` s | refitting s | refit / saved |",
        "|---|---:|---:|---:|",
        *rows,
    ])
    print(body)
    if not options.no_write:
        write_section("saved-forecasts", body)


if __name__ == "__main__":
    main()

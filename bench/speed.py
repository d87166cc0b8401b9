"""Speed of the default model and of the main commands, measured in one run on one machine.

    python bench/speed.py              # everything (a few minutes on an idle 2-core machine)
    python bench/speed.py --reps 3     # fewer repetitions of the in-process ratio

1. In one process, with imports done: the default model's fit + 1,000 paths
   + interval calibration (``CrimeForecaster().fit(y).predict(12)``) against
   one plain Prophet fit + predict (``Prophet()`` on the raw counts, 12 months
   ahead with its default 1,000 uncertainty samples) on the same embedded
   series (burglary-dwelling, force), alternated ``--reps`` times; the ratio
   of the medians, and how many model fits the default makes.
2. New processes of this checkout's code (``python -m crimecast.cli``), as a
   user runs them: ``forecast run all --area all`` (the 88 embedded series,
   with backtests) on 2 processes, ``forecast run all`` (the 11 force-wide
   series), ``forecast milestones burglary --target -8%`` and a cold
   ``forecast run burglary`` (median of 3).

The machine's load average is recorded before and after: on a shared
machine it moves absolute times more than anything else, so compare the
ratio, and rerun on an idle machine for the absolute targets. Writes the
"speed" section of bench/RESULTS.md.
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
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.results import machine, write_section  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FORECAST = [sys.executable, "-m", "crimecast.cli"]
CATEGORY, AREA = "burglary-dwelling", "force"
COLD_RUNS = 3
TARGETS = {  # issue 13 item 4
    "ratio": 3.0,
    "run all --area all": 60.0,
    "milestones burglary --target -8%": 15.0,
    "run burglary (cold)": 2.5,
}


def _series():
    from crimecast import load_counts, series_of, with_totals

    return series_of(with_totals(load_counts()), category=CATEGORY, area=AREA)


def plain_prophet(y) -> None:
    """One plain Prophet fit and predict, as a newcomer runs it."""
    import pandas as pd

    from crimecast.forecast.cores import _import_prophet

    Prophet = _import_prophet()
    model = Prophet()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(pd.DataFrame({"ds": y.index, "y": y.to_numpy(dtype=float)}))
        model.predict(pd.DataFrame({"ds": pd.date_range(y.index[-1], periods=13, freq="MS")[1:]}))


def default_model(y) -> int:
    """The default model's fit, 1,000 paths and calibration; returns how many cores it fitted."""
    from crimecast.forecast.calibrate import FitCache
    from crimecast.forecast.models import CrimeForecaster

    fits = FitCache()
    CrimeForecaster().fit(y, fits=fits).predict(12)
    return fits.fits


def ratio(reps: int) -> tuple[float, float, float, int]:
    """Median seconds of plain Prophet and of the default model, their ratio, and the default's fits."""
    y = _series()
    plain_prophet(y)  # imports and Stan model load, outside the timings
    default_model(y)
    plain, default, fits = [], [], 0
    for _ in range(reps):
        started = time.perf_counter()
        plain_prophet(y)
        plain.append(time.perf_counter() - started)
        started = time.perf_counter()
        fits = default_model(y)
        default.append(time.perf_counter() - started)
    p, d = statistics.median(plain), statistics.median(default)
    return p, d, d / p, fits


def command_seconds(args: list[str], *, runs: int = 1) -> list[float]:
    """Wall seconds of ``forecast ARGS`` in new processes of this checkout, writing into a temporary folder."""
    times = []
    for _ in range(runs):
        folder = tempfile.mkdtemp()
        try:
            started = time.perf_counter()
            subprocess.run([*FORECAST, *args, "--out", folder], check=True, capture_output=True, cwd=ROOT)
            times.append(time.perf_counter() - started)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return times


def _verdict(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=5, help="repetitions of the in-process ratio (median)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for the many-series commands")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    plain, default, measured_ratio, fits = ratio(args.reps)
    jobs = ["--jobs", str(args.jobs)]
    commands = [
        ("run all --area all", ["run", "all", "--area", "all", *jobs], 1),
        ("run all", ["run", "all", *jobs], 1),
        ("milestones burglary --target -8%", ["milestones", "burglary", "--target", "-8%"], 1),
        ("run burglary (cold)", ["run", "burglary"], COLD_RUNS),
    ]
    rows = []
    for label, command, runs in commands:
        seconds = statistics.median(command_seconds(command, runs=runs))
        target = TARGETS.get(label)
        rows.append(f"| `forecast {' '.join(command)}` | {runs} | {seconds:.1f} | "
                    + (f"{target:.1f} | {_verdict(seconds, target)} |" if target else "- | - |"))
    load_after = os.getloadavg()[0]
    body = "\n".join([
        "## Speed of the default model and the main commands",
        "",
        f"{machine()}; 1-minute load average {load_before:.1f} before and {load_after:.1f} after (a load above the "
        "2 cores means other work competed: compare the ratio, and rerun on an idle machine for absolute times). "
        f"`python bench/speed.py --reps {args.reps} --jobs {args.jobs}`.",
        "",
        f"In one process, imports done, median of {args.reps} alternated runs on the embedded {CATEGORY} ({AREA}) "
        "series: plain Prophet (`Prophet()` on raw counts, fit + predict 12 months with its 1,000 uncertainty "
        f"samples) **{plain:.2f} s**; the default model (fit + 1,000 paths + interval calibration, {fits} model fits) "
        f"**{default:.2f} s**; ratio **{measured_ratio:.1f}x** (target at most {TARGETS['ratio']:.0f}x: "
        f"{_verdict(measured_ratio, TARGETS['ratio'])}).",
        "",
        "Commands, each a new process of this checkout's code (imports, fits, backtests against baselines, CSV and "
        "charts):",
        "",
        "| command | runs | median s | target s | |",
        "|---|---|---|---|---|",
        *rows,
    ])
    write_section("speed", body)
    print(body)


if __name__ == "__main__":
    main()

"""The interval width factor crimecast's calibration picks on real series.

    python bench/calibration_scale.py

Fits the default model to every 5th London series (full history) and reports the
distribution of the calibration scale; its median is FALLBACK_SCALE, used for
series too short to calibrate on their own backtests. Writes the
"calibration-scale" section of bench/RESULTS.md.
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.accuracy import LONDON, london_series  # noqa: E402
from bench.results import machine, write_section  # noqa: E402
from crimecast.forecast.calibrate import FALLBACK_SCALE  # noqa: E402
from crimecast.forecast.models import CrimeForecaster  # noqa: E402

EVERY = 5


def _scale(item) -> float:
    return CrimeForecaster(seed=1).fit(item[2]).calibration_.scale


def main() -> None:
    if not LONDON.exists():
        sys.exit(f"skipped: {LONDON} is absent (the real data lives only in ../shared/data).")
    series = london_series()[::EVERY]
    with ProcessPoolExecutor(2) as pool:
        scales = np.array(list(pool.map(_scale, series)))
    quartiles = np.quantile(scales, [0.25, 0.5, 0.75])
    body = "\n".join([
        "## Interval calibration factor on real series",
        "",
        f"{machine()}. `python bench/calibration_scale.py`: the default model fitted to {len(series)} London series "
        f"(every {EVERY}th), full history. The factor stretches the model's own spread around the median.",
        "",
        f"Quartiles of the factor: {quartiles[0]:.2f}, **{quartiles[1]:.2f}** (median), {quartiles[2]:.2f}; "
        f"range {scales.min():.2f} to {scales.max():.2f}. FALLBACK_SCALE in crimecast/forecast/calibrate.py is {FALLBACK_SCALE}.",
    ])
    write_section("calibration-scale", body)
    print(body)


if __name__ == "__main__":
    main()

"""The interval width factor crimecast's calibration picks on real series.

    python bench/calibration_scale.py

Fits the default model to every 5th London series at its last four yearly origins
(the full history, and one, two and three years earlier: the origins
bench/accuracy.py scores, so turbulent years count as often as they occur) and
reports the distribution of the calibration scale; its median is FALLBACK_SCALE,
used for series too short to calibrate on their own backtests and as the prior
that series with less than three years of backtest are weighed against. Writes
the "calibration-scale" section of bench/RESULTS.md.
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.accuracy import LONDON, known_by, london, references  # noqa: E402
from bench.results import machine, no_options, write_section  # noqa: E402
from crimecast.data.exceptional import load_exceptional  # noqa: E402
from crimecast.defaults import DEFAULT_EXCEPTIONAL  # noqa: E402
from crimecast.forecast.calibrate import FALLBACK_SCALE, FitCache  # noqa: E402
from crimecast.forecast.models import CrimeForecaster  # noqa: E402

EVERY = 5
YEARS_BACK = (3, 2, 1, 0)  # origins: the full history and one, two and three years earlier


def _scales(item, reference) -> list[float]:
    """The factor at each origin, the model set up as the product sets it: the default exceptional calendar
    (the periods begun by the origin) and the category's whole for its month effects."""
    y, fits = item[2], FitCache()  # one cache per series: the origins share their calibration windows' fits
    exceptional = load_exceptional(DEFAULT_EXCEPTIONAL)
    scales = []
    for back in YEARS_BACK:
        train = y.iloc[:len(y) - 12 * back]
        forecaster = CrimeForecaster(seed=1, exceptional=known_by(exceptional, train), seasonal_reference=reference)
        scales.append(forecaster.fit(train, fits=fits).calibration_.scale)
    return scales


def main() -> None:
    no_options(__doc__)
    if not LONDON.exists():
        sys.exit(f"skipped: {LONDON} is absent (the real data lives only in ../shared/data).")
    every = london()
    series, wholes = every[::EVERY], references(every)
    with ProcessPoolExecutor(2) as pool:
        scales = np.concatenate(list(pool.map(_scales, series, [wholes.get(item[0]) for item in series])))
    quartiles = np.quantile(scales, [0.25, 0.5, 0.75])
    body = "\n".join([
        "## Interval calibration factor on real series",
        "",
        f"{machine()}. `python bench/calibration_scale.py`: the default model fitted to {len(series)} London series "
        f"(every {EVERY}th) at their last {len(YEARS_BACK)} yearly origins ({len(scales)} fits), with the "
        f"{DEFAULT_EXCEPTIONAL} calendar and month effects pooled with the whole's, as the product runs it. The factor "
        "stretches the model's own spread around the median.",
        "",
        f"Quartiles of the factor: {quartiles[0]:.2f}, **{quartiles[1]:.2f}** (median), {quartiles[2]:.2f}; "
        f"range {scales.min():.2f} to {scales.max():.2f}. FALLBACK_SCALE in crimecast/forecast/calibrate.py is {FALLBACK_SCALE}.",
    ])
    write_section("calibration-scale", body)
    print(body)


if __name__ == "__main__":
    main()

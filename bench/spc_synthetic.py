"""Step detection on seeded synthetic series: detection rate and false-step rate.

    python bench/spc_synthetic.py            # 500 series with a step, 500 without

Each series is 48 months of Poisson counts around 200 a month; half the stepped
series step up 20%, half down, at a random month between the 13th and 36th.
Writes the "spc-synthetic" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.results import machine, write_section  # noqa: E402
from crimecast.forecast.spc import STEP_T_CRITICAL, detect_steps  # noqa: E402

MONTHS, LEVEL, STEP = 48, 200.0, 0.2


def synthetic(seed: int, step: float) -> tuple[pd.Series, pd.Timestamp]:
    rng = np.random.default_rng(seed)
    at = int(rng.integers(12, MONTHS - 12))
    mean = np.full(MONTHS, LEVEL)
    mean[at:] *= 1 + step
    series = pd.Series(rng.poisson(mean).astype(float), index=pd.date_range("2010-01-01", periods=MONTHS, freq="MS"))
    return series, series.index[at]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--series", type=int, default=500)
    args = parser.parse_args()
    found = false = 0
    for seed in range(args.series):
        series, truth = synthetic(seed, STEP if seed % 2 else -STEP)
        found += any(abs((s.month - truth).days) <= 31 for s in detect_steps(series))
        false += bool(detect_steps(synthetic(10_000 + seed, 0.0)[0]))
    body = "\n".join([
        "## Step detection on synthetic series",
        "",
        f"{machine()}. `python bench/spc_synthetic.py --series {args.series}`: {MONTHS} months of Poisson counts "
        f"around {LEVEL:.0f} a month; threshold t >= {STEP_T_CRITICAL}.",
        "",
        f"- +/-{STEP:.0%} step found within one month: **{found / args.series:.1%}** of {args.series} series (target at least 90%).",
        f"- false step on series with no step: **{false / args.series:.1%}** of {args.series} series (target at most 5%).",
    ])
    write_section("spc-synthetic", body)
    print(body)


if __name__ == "__main__":
    main()

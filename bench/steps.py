"""Forecast benefit of step-change level shifts: the default model with and without them.

    python bench/steps.py             # embedded series with steps + London series with breaks
    python bench/steps.py --limit 20  # fewer London series

Embedded data: vehicle crime, shoplifting and violence with injury (force and
districts), forecast 6 months ahead from each month from 2013-07 to 2013-09,
when the 2012/13 steps are old enough (7 months) to be confirmed. London: series
(force-wide and borough x major category) whose last three years before the
first backtest origin hold a confirmed step, scored on the usual last three
12-month windows. Writes the "steps" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.accuracy import LONDON, london_series  # noqa: E402
from bench.results import machine, write_section  # noqa: E402
from crimecast.data.load import load_counts  # noqa: E402
from crimecast.data.series import series_of, with_totals  # noqa: E402
from crimecast.forecast.backtest import backtest_origins, backtest_series  # noqa: E402
from crimecast.forecast.metrics import mase  # noqa: E402
from crimecast.forecast.models import CrimeForecaster  # noqa: E402
from crimecast.forecast.steps import find_level_shifts  # noqa: E402

EMBEDDED_CATEGORIES = ("vehicle-crime", "shoplifting", "violence-with-injury")
EMBEDDED_ORIGINS = ("2013-07-01", "2013-08-01", "2013-09-01")
EMBEDDED_HORIZON = 6
VARIANTS = {"with steps": "auto", "without steps": ()}


def _embedded_scores(item: tuple[str, str, pd.Series]) -> list[dict]:
    category, area, y = item
    rows = []
    for origin in EMBEDDED_ORIGINS:
        train, actual = y[y.index < origin], y[y.index >= origin].iloc[:EMBEDDED_HORIZON]
        for variant, shifts in VARIANTS.items():
            result = CrimeForecaster(level_shifts=shifts, seed=1).fit(train).predict(EMBEDDED_HORIZON)
            rows.append({"data": "embedded", "category": category, "area": area, "origin": origin, "variant": variant,
                         "mase": mase(train.to_numpy(float), actual.to_numpy(float), result.paths)})
    return rows


def _has_break(y: pd.Series) -> bool:
    first_origin = backtest_origins(len(y))[0]
    return bool(find_level_shifts(y.iloc[:first_origin]))


def _london_scores(item: tuple[str, str, pd.Series]) -> list[dict]:
    category, area, y = item
    rows = []
    for variant, shifts in VARIANTS.items():
        scores = backtest_series(y, models=("crimecast",), level_shifts=shifts, category=category, area=area)
        rows += [{"data": "London", "category": category, "area": area, "origin": f"{o:%Y-%m}", "variant": variant,
                  "mase": m} for o, m in zip(scores["origin"], scores["mase"])]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=40, help="London series with a break to score (default 40)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = with_totals(load_counts("west-midlands"))
    embedded = [(c, a, series_of(counts, category=c, area=a)) for c in EMBEDDED_CATEGORIES for a in sorted(counts["area"].unique())]
    with ProcessPoolExecutor(args.jobs) as pool:
        rows = [r for chunk in pool.map(_embedded_scores, embedded) for r in chunk]
        if LONDON.exists():
            candidates = london_series()
            flags = list(pool.map(_has_break, [y for _, _, y in candidates], chunksize=4))
            broken = [item for item, flag in zip(candidates, flags) if flag][: args.limit]
            rows += [r for chunk in pool.map(_london_scores, broken) for r in chunk]
    scores = pd.DataFrame(rows)
    per_series = scores.groupby(["data", "category", "area", "variant"])["mase"].mean().unstack("variant")
    lines = ["| data | series | mean MASE with steps | mean MASE without steps | series better with steps |", "|---|---|---|---|---|"]
    for data, table in per_series.groupby(level="data"):
        better = int((table["with steps"] < table["without steps"]).sum())
        lines.append(f"| {data} | {len(table)} | {table['with steps'].mean():.3f} | {table['without steps'].mean():.3f} | {better} |")
    body = "\n".join([
        "## Forecast benefit of step changes as level shifts",
        "",
        f"{machine()}. `python bench/steps.py --limit {args.limit}`, {time.perf_counter() - started:.0f} s. "
        f"Embedded: {', '.join(EMBEDDED_CATEGORIES)} (force and districts), {EMBEDDED_HORIZON} months ahead from "
        f"{', '.join(o[:7] for o in EMBEDDED_ORIGINS)}. London: series with a confirmed step in the three years before "
        "the first backtest origin, last three 12-month windows. Steps are found from each window's own training data.",
        "",
        *lines,
    ])
    write_section("steps", body)
    print(body)


if __name__ == "__main__":
    main()

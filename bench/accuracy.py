"""Accuracy benchmark on the real London borough panel (../shared/data).

Runs the default crimecast model, Prophet with its default settings, ETS and
seasonal naive on the same series in one process pool: rolling origin, the
last 3 windows of 12 months. Writes the "accuracy" section of bench/RESULTS.md.

    python bench/accuracy.py            # all series (about 10 minutes on 2 cores)
    python bench/accuracy.py --limit 40 # a quick look
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.results import SHARED_DATA, machine, write_section  # noqa: E402
from crimecast.data.load import ColumnMap, load_counts  # noqa: E402
from crimecast.data.series import FORCE_AREA, series_of, with_totals  # noqa: E402
from crimecast.forecast.backtest import backtest_series  # noqa: E402

LONDON = SHARED_DATA / "london-mps-borough-monthly-2010-04_2023-09.csv"
MODELS = ("crimecast", "prophet", "prophet-default", "ets", "seasonal-naive")
EXCLUDED_AREAS = ("aviation-security-so18", "london-heathrow-and-london-city-airports", "unknown")
MIN_MEAN_COUNT = 20


def london_series() -> list[tuple[str, str, pd.Series]]:
    """Force-wide major categories and borough x major category, busy enough to forecast."""
    counts = load_counts(LONDON, columns=ColumnMap(wide=True, category_col="MajorText", area_col="BoroughName"),
                         sum_duplicates=True, fill_missing="zero")
    counts = with_totals(counts[~counts["area"].isin(EXCLUDED_AREAS)])
    counts = counts[counts["category"] != "total-recorded-crime"]
    chosen = []
    for category, area in counts[["category", "area"]].drop_duplicates().itertuples(index=False):
        y = series_of(counts, category=category, area=area)
        full_span = len(y) == counts["month"].nunique()
        if full_span and y.mean() >= MIN_MEAN_COUNT and (y > 0).all():
            chosen.append((category, area, y))
    chosen.sort(key=lambda item: (item[1] != FORCE_AREA, item[1], item[0]))
    return chosen


def _score(item: tuple[str, str, pd.Series]) -> pd.DataFrame:
    category, area, y = item
    return backtest_series(y, models=MODELS, category=category, area=area)


def _table(scores: pd.DataFrame) -> str:
    per_model = scores.groupby("model")
    per_series_seconds = scores.groupby(["model", "category", "area"])["seconds"].sum().groupby("model").mean()
    table = pd.DataFrame({
        "mean MASE": per_model["mase"].mean(),
        "median MASE": per_model["mase"].median(),
        "mean 12-month total error %": per_model["total_ape"].mean(),
        "80% coverage %": per_model["coverage80"].mean(),
        "95% coverage %": per_model["coverage95"].mean(),
        "total inside its 80% interval %": per_model["total_in80"].mean(),
        "seconds per series (3 windows)": per_series_seconds,
    }).loc[list(MODELS)]
    lines = ["| model | " + " | ".join(table.columns) + " |", "|---|" + "---|" * len(table.columns)]
    for model, row in table.iterrows():
        lines.append(f"| {model} | " + " | ".join(f"{v:.3f}" if "MASE" in c else f"{v:.1f}" for c, v in row.items()) + " |")
    return "\n".join(lines), table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N series")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if not LONDON.exists():
        sys.exit(f"skipped: {LONDON} is absent (the real data lives only in ../shared/data).")
    series = london_series()[: args.limit]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        scores = pd.concat(pool.map(_score, series, chunksize=2), ignore_index=True)
    wall = time.perf_counter() - started
    scores.to_csv(Path(__file__).with_name("accuracy-scores.csv"), index=False)
    text, table = _table(scores)
    ratio = table.at["crimecast", "mean MASE"] / table.at["prophet-default", "mean MASE"]
    coverage = table.at["crimecast", "80% coverage %"]
    beats_ets = table.at["crimecast", "mean MASE"] <= table.at["ets", "mean MASE"]
    wins = scores.groupby(["category", "area", "model"])["mase"].mean().unstack().idxmin(axis=1).value_counts()
    body = f"""## Accuracy on the real London borough panel

{machine()}. `python bench/accuracy.py{'' if args.limit is None else f' --limit {args.limit}'}`; {len(series)} series
(force-wide and borough x major category, mean at least {MIN_MEAN_COUNT} a month, no zero months),
last 3 windows of 12 months (origins {', '.join(sorted({f'{o:%Y-%m}' for o in scores['origin']}))}), {wall:.0f} s wall on {args.jobs} processes.

{text}

Targets: crimecast mean MASE at most 0.85 x Prophet-default's (measured ratio **{ratio:.3f}**: {'met' if ratio <= 0.85 else 'MISSED'});
no worse than ETS's ({'met' if beats_ets else 'MISSED'}); 80% coverage within 75-85% (measured **{coverage:.1f}%**: {'met' if 75 <= coverage <= 85 else 'MISSED'}).

Best model per series by mean MASE: {', '.join(f'{m} {n}' for m, n in wins.items())}.

Models: `crimecast` is the default (Prophet member averaged with two ETS forms, step changes as level
shifts, calibrated intervals); `prophet` is its Prophet member's configuration alone (month effects, damped trend,
calibrated) without automatic level shifts; `prophet-default` is `Prophet()` untouched on raw counts.
"""
    write_section("accuracy", body)
    print(body)


if __name__ == "__main__":
    main()

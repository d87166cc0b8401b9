"""Is a force's year total read as the sum of its districts' paths as honest as the force forecast directly?

On the real London borough table (../shared/data), for a few busy categories
and yearly origins (data to September, so the next 12 months run October to
September and no year touches a lockdown), the next 12 months' total of the
Metropolitan Police area is forecast two ways with the default crimecast model:

* direct: the force-wide series alone (``forecast_panel`` with needs
  ``[(category, force)]``, what ``forecast milestones CATEGORY`` does);
* sum: the 32 boroughs forecast separately and paired as the product pairs them
  (``forecast_panel`` with the force and every borough, what
  ``forecast run all --area all --save`` stores and milestones then reads:
  the force is the sum of its boroughs, path by path).

For each it reports the median, the 80% interval (10th to 90th percentile of
the 12-month path totals) and whether it held the actual total, and the
interval's width relative to the median. Two reference widths from the same
borough paths: "indep" (borough paths shuffled independently) and "comon"
(borough year totals sorted together, perfect dependence), to show where the
pairing puts the sum between the two; and the share of boroughs whose own
80% interval held their actual total (if the boroughs hold about 80% and
their sum much less, the pairing makes them move together too little). The data are cut at each origin before
forecasting (the dataset drift and seasonal references see no later month).

    nice -n 10 python bench/sum_calibration.py      # 8 categories x 7 origins, 1,000 paths: about 3.5 minutes (one process)
    nice -n 10 python bench/sum_calibration.py --categories burglary --origins 2016-09 --paths 400
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.accuracy import EXCLUDED_AREAS, LONDON  # noqa: E402
from crimecast.data.load import ColumnMap, load_counts  # noqa: E402
from crimecast.data.series import FORCE_AREA, series_of, with_totals  # noqa: E402
from crimecast.defaults import DEFAULT_PATHS  # noqa: E402
from crimecast.forecast.panel import forecast_panel  # noqa: E402
from crimecast.forecast.spec import ForecastSpec  # noqa: E402

CATEGORIES = ("theft", "violence-against-the-person", "vehicle-offences", "burglary", "arson-and-criminal-damage",
              "drug-offences", "public-order-offences", "robbery")  # the eight busiest
ORIGINS = ("2013-09", "2014-09", "2015-09", "2016-09", "2017-09", "2018-09", "2022-09")
HORIZON = 12
LEVELS = (0.1, 0.5, 0.9)
ALPHA = 0.2  # outside the 80% interval


def london_counts() -> pd.DataFrame:
    """The London borough table as the product reads it (wide, minor categories summed), the 32 boroughs and their force."""
    counts = load_counts(LONDON, columns=ColumnMap(wide=True, category_col="MajorText", area_col="BoroughName"),
                         sum_duplicates=True, fill_missing="zero")
    return with_totals(counts[~counts["area"].isin(EXCLUDED_AREAS)])


def cut(counts: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    kept = counts[counts["month"] <= as_of].copy()
    kept.attrs = dict(counts.attrs)
    return kept


def interval(totals: np.ndarray) -> tuple[float, float, float]:
    low, median, high = np.quantile(totals, LEVELS)
    return float(low), float(median), float(high)


def one_case(counts: pd.DataFrame, category: str, origin: str, *, spec: ForecastSpec) -> dict:
    as_of = pd.Timestamp(f"{origin}-01")
    data = cut(counts, as_of)
    boroughs = sorted(set(data.loc[data["category"] == category, "area"]) - {FORCE_AREA})
    actual_months = pd.date_range(as_of + pd.offsets.MonthBegin(1), periods=HORIZON, freq="MS")
    actual = float(series_of(counts, category=category, area=FORCE_AREA).reindex(actual_months).sum())

    direct = forecast_panel(data, spec=spec, needs=[(category, FORCE_AREA)], as_of=as_of, horizon=HORIZON)
    direct_totals = direct.total(category, FORCE_AREA).sum(axis=1)
    summed = forecast_panel(data, spec=spec, needs=[(category, FORCE_AREA)] + [(category, b) for b in boroughs],
                            as_of=as_of, horizon=HORIZON)
    assert summed.paths.keys_for(category, FORCE_AREA) == [(category, b) for b in boroughs]
    sum_totals = summed.total(category, FORCE_AREA).sum(axis=1)
    parts = np.array([summed.paths.bottom[(category, b)].sum(axis=1) for b in boroughs])  # (boroughs, paths)
    rng = np.random.default_rng(spec.seed)
    indep = np.array([rng.permutation(p) for p in parts]).sum(axis=0)
    comon = np.sort(parts, axis=1).sum(axis=0)
    borough_actual = np.array([series_of(counts, category=category, area=b).reindex(actual_months).sum() for b in boroughs])
    low, high = np.quantile(parts, [LEVELS[0], LEVELS[-1]], axis=1)
    row = {"category": category, "origin": origin, "actual": actual,
           "boroughs_held": float(((low <= borough_actual) & (borough_actual <= high)).mean())}
    for name, totals in (("direct", direct_totals), ("sum", sum_totals)):
        low, median, high = interval(totals)
        row.update({f"{name}_low": low, f"{name}_median": median, f"{name}_high": high,
                    f"{name}_held": bool(low <= actual <= high), f"{name}_width": (high - low) / median,
                    # the interval score (lower is better; width plus 2 / alpha times any miss), per unit of the actual
                    f"{name}_score": ((high - low) + 2 / ALPHA * (max(low - actual, 0) + max(actual - high, 0))) / actual,
                    # the miss in half-widths of the interval: inside the interval when within +-1
                    f"{name}_z": (actual - median) / ((high - low) / 2)})
    for name, totals in (("indep", indep), ("comon", comon)):
        low, median, high = interval(totals)
        row[f"{name}_width"] = (high - low) / median
    return row


def case_table(rows: pd.DataFrame) -> str:
    lines = ["| category | data to | actual | direct median (80%) | held | width | sum median (80%) | held | width "
             "| indep | comon |", "|---|---|---:|---|:-:|---:|---|:-:|---:|---:|---:|"]
    for r in rows.itertuples():
        lines.append(f"| {r.category} | {r.origin} | {r.actual:,.0f} "
                     f"| {r.direct_median:,.0f} ({r.direct_low:,.0f}-{r.direct_high:,.0f}) | {'y' if r.direct_held else 'n'} "
                     f"| {r.direct_width:.1%} | {r.sum_median:,.0f} ({r.sum_low:,.0f}-{r.sum_high:,.0f}) "
                     f"| {'y' if r.sum_held else 'n'} | {r.sum_width:.1%} | {r.indep_width:.1%} | {r.comon_width:.1%} |")
    return "\n".join(lines)


def summary_table(rows: pd.DataFrame) -> str:
    lines = ["| category | cases | direct held | sum held | direct width | sum width | sum/direct width "
             "| direct abs error | sum abs error | direct score | sum score | boroughs' own held |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    groups = [(c, g) for c, g in rows.groupby("category", sort=False)] + [("all", rows)]
    for name, g in groups:
        lines.append(f"| {name} | {len(g)} | {int(g.direct_held.sum())}/{len(g)} | {int(g.sum_held.sum())}/{len(g)} "
                     f"| {g.direct_width.mean():.1%} | {g.sum_width.mean():.1%} "
                     f"| {(g.sum_width / g.direct_width).mean():.2f} "
                     f"| {(abs(g.actual - g.direct_median) / g.direct_median).mean():.1%} "
                     f"| {(abs(g.actual - g.sum_median) / g.sum_median).mean():.1%} "
                     f"| {g.direct_score.mean():.1%} | {g.sum_score.mean():.1%} | {g.boroughs_held.mean():.0%} |")
    return "\n".join(lines)


def overall_lines(rows: pd.DataFrame) -> str:
    """Coverage by origin, the cases one interval held and the other missed, and the widening 80% coverage needed."""
    by_origin = rows.groupby("origin")[["direct_held", "sum_held", "boroughs_held"]].mean()
    lines = ["held by origin (direct / sum / boroughs' own): "
             + "; ".join(f"{o} {r.direct_held:.0%} / {r.sum_held:.0%} / {r.boroughs_held:.0%}" for o, r in by_origin.iterrows())]
    only_direct = int((rows.direct_held & ~rows.sum_held).sum())
    only_sum = int((rows.sum_held & ~rows.direct_held).sum())
    lines.append(f"held by direct only: {only_direct}; by sum only: {only_sum}")
    ratio = rows.sum_width / rows.direct_width
    lines.append(f"sum width / direct width: median {ratio.median():.2f}, quartiles {ratio.quantile(0.25):.2f} to "
                 f"{ratio.quantile(0.75):.2f}, range {ratio.min():.2f} to {ratio.max():.2f}")
    for name in ("direct", "sum"):
        below, above = (rows.actual < rows[f"{name}_low"]).mean(), (rows.actual > rows[f"{name}_high"]).mean()
        lines.append(f"{name}: actual below the interval {below:.0%}, above {above:.0%}; widening about the median "
                     f"that would have held 80% of cases: x{np.quantile(rows[f'{name}_z'].abs(), 0.8):.2f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--categories", default=",".join(CATEGORIES))
    parser.add_argument("--origins", default=",".join(ORIGINS))
    parser.add_argument("--paths", type=int, default=DEFAULT_PATHS)
    parser.add_argument("--csv", help="also write every case to this CSV")
    args = parser.parse_args()
    spec = ForecastSpec(paths=args.paths)
    counts = london_counts()
    rows, started = [], time.time()
    for category in args.categories.split(","):
        for origin in args.origins.split(","):
            rows.append(one_case(counts, category, origin, spec=spec))
            print(f"# {category} {origin}: {time.time() - started:.0f} s", file=sys.stderr, flush=True)
    table = pd.DataFrame(rows)
    if args.csv:
        table.to_csv(args.csv, index=False)
    print(f"London, 80% intervals of the next 12 months' force total; {args.paths} paths; "
          f"width = (90th - 10th percentile) / median.\n")
    print(case_table(table))
    print()
    print(summary_table(table))
    print()
    print(overall_lines(table))
    print(f"\n{time.time() - started:.0f} s")


if __name__ == "__main__":
    main()

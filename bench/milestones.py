"""Are milestone probabilities calibrated? Reliability on the real London borough panel (../shared/data).

For every series (borough x major category, and London-wide categories) and
origin, the default crimecast model forecasts the next financial year; each
target (a change of -10% ... +5% on the year before) gets P(total <= target)
from the paths, exactly as `forecast milestones` computes it. The outcome is
whether the actual total met it. Origins: the month before each year starts
(2015/16 ... 2019/20, 2021/22, 2022/23; 2020/21, the lockdown year, is left
out) and, for in-year assurance, six months into 2016/17, 2018/19 and
2021/22.

Reported: a reliability table (predicted probability bins vs observed
frequency), and the Brier score against climatology (the share of the
series' own past years whose change met the target). Target: in every bin
with at least 30 cases, observed within 10 points of predicted.

    python bench/milestones.py            # all series, about an hour on 2 cores
    python bench/milestones.py --every 2  # every other series, about 30 minutes
    python bench/milestones.py --limit 30 # a quick look
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.accuracy import LONDON, london_series  # noqa: E402
from bench.results import machine, write_section  # noqa: E402
from crimecast.data.calendar import financial_year_months, financial_year_start  # noqa: E402
from crimecast.forecast.models import CrimeForecaster  # noqa: E402
from crimecast.scenarios.milestones import probability_of_meeting  # noqa: E402

PRE_YEAR = ("2015-03", "2016-03", "2017-03", "2018-03", "2019-03", "2021-03", "2022-03")
IN_YEAR = ("2016-09", "2018-09", "2021-09")
TARGETS = (-0.10, -0.05, -0.02, 0.0, 0.02, 0.05)
BINS = np.linspace(0, 1, 11)
MIN_BIN_CASES = 30
TOLERANCE = 0.10
MIN_PAST_YEARS = 3


def _year_totals(y: pd.Series, before: pd.Timestamp) -> pd.Series:
    """Financial-year totals of the complete years ending by ``before``."""
    totals = {}
    for start in range(financial_year_start(y.index[0]), financial_year_start(before) + 1):
        months = financial_year_months(start)
        if months[-1] <= before and months.isin(y.index).all():
            totals[start] = float(y[months].sum())
    return pd.Series(totals)


def _climatology(y: pd.Series, as_of: pd.Timestamp, target: float) -> float:
    totals = _year_totals(y, as_of)
    changes = (totals / totals.shift(1) - 1).dropna()
    return float((changes <= target).mean()) if len(changes) >= MIN_PAST_YEARS else np.nan


def _cases(item) -> list[dict]:
    category, area, y = item
    rows = []
    for origin, stage in [(o, "before the year") for o in PRE_YEAR] + [(o, "in year (6 months)") for o in IN_YEAR]:
        as_of = pd.Timestamp(f"{origin}-01")
        start = financial_year_start(as_of + pd.offsets.MonthBegin(1)) if as_of.month == 3 else financial_year_start(as_of)
        months = financial_year_months(start)
        history = y.loc[:as_of]
        previous = y.reindex(financial_year_months(start - 1))
        actual = y.reindex(months)
        if previous.isna().any() or actual.isna().any() or len(history) < 36:
            continue
        horizon = len(pd.date_range(as_of + pd.offsets.MonthBegin(1), months[-1], freq="MS"))
        result = CrimeForecaster(seed=2014).fit(history).predict(horizon, category=category, area=area)
        totals = result.year_total_paths(start)
        for target in TARGETS:
            threshold = (1 + target) * previous.sum()
            rows.append({"category": category, "area": area, "origin": origin, "stage": stage, "target": target,
                         "p": probability_of_meeting(totals, threshold).p, "met": float(actual.sum() <= threshold),
                         "climatology": _climatology(y, as_of, target)})
    return rows


def _reliability(frame: pd.DataFrame) -> tuple[str, bool]:
    frame = frame.assign(bin=pd.cut(frame["p"], BINS, include_lowest=True, right=False))
    frame.loc[frame["p"] == 1.0, "bin"] = frame["bin"].cat.categories[-1]
    table = frame.groupby("bin", observed=False).agg(cases=("p", "size"), predicted=("p", "mean"), observed=("met", "mean"))
    lines = ["| predicted P(meet) | cases | mean predicted | observed frequency | gap (points) |", "|---|---|---|---|---|"]
    ok = True
    for interval, row in table.iterrows():
        if row.cases == 0:
            continue
        gap = (row.observed - row.predicted) * 100
        judged = row.cases >= MIN_BIN_CASES
        flag = "" if not judged else (" ok" if abs(gap) <= TOLERANCE * 100 else " **outside 10**")
        ok &= (not judged) or abs(gap) <= TOLERANCE * 100
        lines.append(f"| {interval.left:.1f}-{interval.right:.1f} | {int(row.cases)} | {row.predicted:.3f} | "
                     f"{row.observed:.3f} | {gap:+.1f}{flag} |")
    return "\n".join(lines), ok


def _brier(frame: pd.DataFrame) -> str:
    both = frame.dropna(subset=["climatology"])
    model = ((both["p"] - both["met"]) ** 2).mean()
    climate = ((both["climatology"] - both["met"]) ** 2).mean()
    return (f"Brier score on the {len(both):,} cases with at least {MIN_PAST_YEARS} past years: crimecast "
            f"**{model:.4f}**, climatology {climate:.4f} (skill {1 - model / climate:+.1%}).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N series")
    parser.add_argument("--every", type=int, default=1, help="every Nth series (a spread sample across boroughs)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if not LONDON.exists():
        sys.exit(f"skipped: {LONDON} is absent (the real data lives only in ../shared/data).")
    series = london_series()[:: args.every][: args.limit]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        frame = pd.DataFrame([row for rows in pool.map(_cases, series) for row in rows])
    minutes = (time.perf_counter() - started) / 60
    parts = [f"Measured {machine()}: {len(series)} London series, {frame[['category', 'area', 'origin']].drop_duplicates().shape[0]:,} "
             f"forecasts, {len(frame):,} (series, origin, target) cases, targets {', '.join(f'{t:+.0%}' for t in TARGETS)} "
             f"on the year before; {minutes:.0f} minutes.", ""]
    verdicts = []
    for stage, group in [("all cases", frame), *frame.groupby("stage")]:
        table, ok = _reliability(group)
        verdicts.append(ok)
        parts += [f"**{stage}** ({len(group):,} cases; observed share met {group['met'].mean():.3f}, mean predicted "
                  f"{group['p'].mean():.3f}):", "", table, "", _brier(group), ""]
    by_origin = frame.groupby(["stage", "origin"]).agg(cases=("met", "size"), predicted=("p", "mean"), observed=("met", "mean"))
    parts += ["**By origin** (mean predicted P(meet) against the share met; a negative gap means too optimistic):", "",
              "| stage | origin | cases | mean predicted | observed | gap (points) |", "|---|---|---|---|---|---|"]
    parts += [f"| {stage} | {origin} | {int(r.cases)} | {r.predicted:.3f} | {r.observed:.3f} | "
              f"{(r.observed - r.predicted) * 100:+.1f} |" for (stage, origin), r in by_origin.iterrows()]
    parts.append("")
    met = "met" if all(verdicts) else "**missed**"
    parts.append(f"Target (every bin with at least {MIN_BIN_CASES} cases within 10 points): {met}.")
    body = "## Milestone probabilities: calibration\n\n`python bench/milestones.py`\n\n" + "\n".join(parts)
    write_section("milestones", body)
    print(body)


if __name__ == "__main__":
    main()

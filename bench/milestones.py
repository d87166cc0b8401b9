"""Are milestone probabilities calibrated? Reliability on real panels (../shared/data).

For every series of a panel (London: borough x major category, and
London-wide categories; the Home Office table: force x offence group, in
quarters; the panels of bench/accuracy.py) and origin, the default crimecast
model forecasts the next financial year; each
target (a change of -10% ... +5% on the year before) gets P(total <= target)
from the paths, exactly as `forecast milestones` computes it. The outcome is
whether the actual total met it. Origins: the month before each year starts
(2015/16 ... 2019/20, 2021/22, 2022/23; 2020/21, the lockdown year, is left
out) and, for in-year assurance, six months into each of the same years
(until issue 14's session 26 only into 2016/17, 2018/19 and 2021/22: three
years, so one year's surprise, 2018/19's rise in London, moved whole bins).
These seven years are the ones London and the Home Office table share. With
``--origins all`` every year a panel's data allow is forecast instead (three
years of history, a complete year before and after; the Home Office table
2005/06 ... 2023/24, London 2013/14 ... 2022/23; 2020/21 always left out),
written to its own section: seven years, four of them one national rise in
recorded crime, are few for a reliability table.

Reported: a reliability table (predicted probability bins vs observed
frequency), and the Brier score against climatology (the share of the
series' own past years whose change met the target). Target: in every bin
with at least 30 cases, observed within 10 points of predicted. Also the
year totals behind them: 80% interval coverage of the actual total, the
median total's mean absolute % error, and the slope of the actual change on
the year before against the forecast change (1 when forecast changes are
as large as the changes that happen).

    python bench/milestones.py                      # all London series, about 16 minutes on 2 idle cores
    python bench/milestones.py --every 2            # every other series, about 8 minutes
    python bench/milestones.py --panels london,home-office --every 2   # tune on one panel, confirm on another
    python bench/milestones.py --every 2 --cases cases.csv             # and keep every case for a closer look
    python bench/milestones.py --limit 30           # a quick look
    python bench/milestones.py --panels london,home-office --every 2 --origins all   # every year the data allow
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
from bench.accuracy import PANELS, drift_at, known_by, references  # noqa: E402
from bench.results import machine, write_section  # noqa: E402
from crimecast.data.calendar import financial_year_periods, financial_year_start  # noqa: E402
from crimecast.data.exceptional import load_exceptional  # noqa: E402
from crimecast.defaults import DEFAULT_EXCEPTIONAL, NO_EXCEPTIONAL  # noqa: E402
from crimecast.forecast.cores import series_frequency  # noqa: E402
from crimecast.forecast.models import CrimeForecaster  # noqa: E402
from crimecast.scenarios.milestones import probability_of_meeting  # noqa: E402

SHARED_YEARS = (2015, 2016, 2017, 2018, 2019, 2021, 2022)  # financial years (by their start) London and the HO table share
LOCKDOWN_YEAR = 2020  # 2020/21 is never a target year
PAST_YEARS_NEEDED = 3  # complete years of history before a before-the-year origin
BEFORE, IN_YEAR = "before the year", "in year (6 months)"
TARGETS = (-0.10, -0.05, -0.02, 0.0, 0.02, 0.05)
BINS = np.linspace(0, 1, 11)
MIN_BIN_CASES = 30
TOLERANCE = 0.10
MIN_PAST_YEARS = 3


def _year_totals(y: pd.Series, before: pd.Timestamp) -> pd.Series:
    """Financial-year totals of the complete years ending by ``before``."""
    totals = {}
    frequency = series_frequency(y)
    for start in range(financial_year_start(y.index[0]), financial_year_start(before) + 1):
        months = financial_year_periods(start, frequency)
        if months[-1] <= before and months.isin(y.index).all():
            totals[start] = float(y[months].sum())
    return pd.Series(totals)


def _climatology(y: pd.Series, as_of: pd.Timestamp, target: float) -> float:
    totals = _year_totals(y, as_of)
    changes = (totals / totals.shift(1) - 1).dropna()
    return float((changes <= target).mean()) if len(changes) >= MIN_PAST_YEARS else np.nan


EXCEPTIONAL: tuple = ()  # --exceptional: set in each worker by _init
REFERENCES: dict = {}  # per category, the panel's sum over areas (each series' seasonal reference): set by _init
DRIFT = True  # --no-drift: set by _init
YEARS: tuple = SHARED_YEARS  # --origins: set by _init


def _init(exceptional: tuple, season_references: dict, drift: bool = True, years: tuple = SHARED_YEARS) -> None:
    global EXCEPTIONAL, REFERENCES, DRIFT, YEARS
    EXCEPTIONAL, REFERENCES, DRIFT, YEARS = exceptional, season_references, drift, years


def origins(years: tuple[int, ...]) -> list[tuple[str, str]]:
    """(origin month, stage) for each financial year: its March before, then six months in."""
    return [(f"{y}-03", BEFORE) for y in years] + [(f"{y}-09", IN_YEAR) for y in years]


def every_year(series: list) -> tuple[int, ...]:
    """The financial years a panel's data allow as targets: three years of history before, the year complete."""
    first = min(financial_year_start(y.index[0]) for _, _, y in series)
    after = [y.index[-1] + pd.DateOffset(months=series_frequency(y).months_per_period) for _, _, y in series]
    last = max(financial_year_start(month) for month in after) - 1  # the last year whose periods are all in
    return tuple(year for year in range(first + PAST_YEARS_NEEDED, last + 1) if year != LOCKDOWN_YEAR)


def _cases(item) -> list[dict]:
    category, area, y = item
    frequency = series_frequency(y)
    rows = []
    for origin, stage in origins(YEARS):
        as_of = pd.Timestamp(f"{origin}-01")
        start = financial_year_start(as_of + pd.offsets.MonthBegin(1)) if as_of.month == 3 else financial_year_start(as_of)
        months = financial_year_periods(start, frequency)
        history = y.loc[:as_of]
        previous = y.reindex(financial_year_periods(start - 1, frequency))
        actual = y.reindex(months)
        if previous.isna().any() or actual.isna().any() or len(history) < 3 * frequency.periods_per_year:
            continue
        horizon = int((~months.isin(history.index)).sum())
        result = CrimeForecaster(seed=2014, exceptional=known_by(EXCEPTIONAL, history),
                                 seasonal_reference=REFERENCES.get(category),
                                 drift=drift_at(REFERENCES, history.index[-1], EXCEPTIONAL) if DRIFT else None).fit(history).predict(
            horizon, category=category, area=area)
        totals = result.year_total_paths(start)
        median, low, high = np.quantile(totals, [0.5, 0.1, 0.9])
        year = {"forecast_change": np.log(median / previous.sum()), "actual_change": np.log(actual.sum() / previous.sum()),
                "total_ape": abs(median / actual.sum() - 1) * 100, "covered80": float(low <= actual.sum() <= high)}
        for target in TARGETS:
            threshold = (1 + target) * previous.sum()
            rows.append({"category": category, "area": area, "origin": origin, "stage": stage, "target": target,
                         "p": probability_of_meeting(totals, threshold).p, "met": float(actual.sum() <= threshold),
                         "climatology": _climatology(y, as_of, target), **year})
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


def _year_totals_line(frame: pd.DataFrame) -> str:
    """Year totals behind the probabilities: coverage, error and the slope of actual on forecast change."""
    years = frame.drop_duplicates(["category", "area", "origin"])
    slope = np.polyfit(years["forecast_change"], years["actual_change"], 1)[0] if len(years) > 2 else np.nan
    return (f"Year totals ({len(years):,} forecasts): 80% interval covered the actual total in "
            f"**{years['covered80'].mean():.1%}**; median total's mean absolute error **{years['total_ape'].mean():.2f}%**; "
            f"slope of actual change on forecast change (log, on the year before) **{slope:.2f}**.")


def panel_section(name: str, series: list, frame: pd.DataFrame, minutes: float) -> tuple[str, bool]:
    """The reliability tables of one panel, and whether every judged bin is within 10 points."""
    title = PANELS[name][2]
    if frame.empty:
        return (f"### {title} (`{name}`)\n\nNo cases: no series has three years of history, a complete year "
                "before and a complete year after any origin.", True)
    forecasts = frame[["category", "area", "origin"]].drop_duplicates().shape[0]
    parts = [f"### {title} (`{name}`)", "",
             f"{len(series)} series, {forecasts:,} forecasts, {len(frame):,} (series, origin, target) cases, targets "
             f"{', '.join(f'{t:+.0%}' for t in TARGETS)} on the year before; {minutes:.0f} minutes.", ""]
    verdicts = []
    for stage, group in [("all cases", frame), *frame.groupby("stage")]:
        table, ok = _reliability(group)
        verdicts.append(ok)
        parts += [f"**{stage}** ({len(group):,} cases; observed share met {group['met'].mean():.3f}, mean predicted "
                  f"{group['p'].mean():.3f}):", "", table, "", _brier(group), "", _year_totals_line(group), ""]
    by_origin = frame.groupby(["stage", "origin"]).agg(cases=("met", "size"), predicted=("p", "mean"), observed=("met", "mean"))
    parts += ["**By origin** (mean predicted P(meet) against the share met; a negative gap means too optimistic):", "",
              "| stage | origin | cases | mean predicted | observed | gap (points) |", "|---|---|---|---|---|---|"]
    parts += [f"| {stage} | {origin} | {int(r.cases)} | {r.predicted:.3f} | {r.observed:.3f} | "
              f"{(r.observed - r.predicted) * 100:+.1f} |" for (stage, origin), r in by_origin.iterrows()]
    met = "met" if all(verdicts) else "**missed**"
    parts += ["", f"Target (every bin with at least {MIN_BIN_CASES} cases within 10 points): {met}."]
    return "\n".join(parts), all(verdicts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--panels", default="london", help=f"comma-separated, from {', '.join(PANELS)} (default london)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N series of each panel")
    parser.add_argument("--every", type=int, default=1, help="every Nth series (a spread sample across areas)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cases", type=Path, default=None, metavar="CSV",
                        help="also write every (series, origin, target) case to this CSV, with a panel column")
    parser.add_argument("--exceptional", default=DEFAULT_EXCEPTIONAL, metavar="NAME|FILE|none",
                        help="exceptional periods passed to the model, only those that began before each origin "
                             f"(default: the product's, {DEFAULT_EXCEPTIONAL}; none for every month)")
    parser.add_argument("--no-drift", action="store_true",
                        help="forecasts without the dataset drift (the product's --no-drift)")
    parser.add_argument("--origins", choices=("shared", "all"), default="shared",
                        help="shared: the seven years London and the Home Office table share (section milestones); "
                             "all: every year each panel's data allow (section milestones-all-years)")
    args = parser.parse_args()
    exceptional = () if args.exceptional == NO_EXCEPTIONAL else load_exceptional(args.exceptional)
    panels = [p.strip() for p in args.panels.split(",") if p.strip()]
    unknown = [p for p in panels if p not in PANELS]
    if unknown:
        sys.exit(f"unknown panel(s) {', '.join(unknown)}; choose from {', '.join(PANELS)}.")
    sections, case_frames = [], []
    for name in panels:
        path, load, title = PANELS[name]
        if not path.exists():
            sections.append(f"### {title} (`{name}`)\n\nskipped: `{path.name}` is absent (the real data lives only in ../shared/data).")
            continue
        every = load()
        series = every[:: args.every][: args.limit]
        years = SHARED_YEARS if args.origins == "shared" else every_year(every)
        print(f"{name}: target years {', '.join(f'{y}/{(y + 1) % 100:02d}' for y in years)}", flush=True)
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=args.jobs, initializer=_init,
                                 initargs=(exceptional, references(every), not args.no_drift, years)) as pool:
            frame = pd.DataFrame([row for rows in pool.map(_cases, series) for row in rows])
        section, _ = panel_section(name, series, frame, (time.perf_counter() - started) / 60)
        case_frames.append(frame.assign(panel=name))
        sections.append(section)
        print(section, flush=True)
    command = "python bench/milestones.py" + "".join(
        f" --{flag} {value}" for flag, value, default in (
            ("panels", args.panels, "london"), ("every", args.every, 1), ("limit", args.limit, None),
            ("jobs", args.jobs, 2), ("exceptional", args.exceptional, DEFAULT_EXCEPTIONAL),
            ("origins", args.origins, "shared")) if value != default) + (" --no-drift" if args.no_drift else "")
    if args.origins == "shared":
        write_section("milestones", f"## Milestone probabilities: calibration\n\n{machine()}. `{command}`.\n\n"
                      + "\n\n".join(sections))
    else:
        write_section("milestones-all-years", "## Milestone probabilities: every year the data allow\n\n"
                      f"{machine()}. `{command}`: before each financial year and six months into it, every year "
                      "with three years of history and a complete year before and after (2020/21 left out).\n\n"
                      + "\n\n".join(sections))
    if args.cases is not None and case_frames:
        pd.concat(case_frames).to_csv(args.cases, index=False)


if __name__ == "__main__":
    main()

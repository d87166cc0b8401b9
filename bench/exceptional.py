"""Lockdowns as exceptional periods: forecasts from origins inside and just after 2020 (issue 12).

On real monthly series (London boroughs; police.uk forces), the default model
forecasts 12 months from each origin twice: with every month, and with the
covid-uk calendar's exceptional periods kept out of fitting (and out of the
calibration windows' fits and, since issue 14's session 25, their scores;
``CrimeForecaster(exceptional=...)``; the RESULTS section was written before
that change). Only the periods that began before
the origin are passed, as an analyst would know them then. Each forecast is
scored on the months after the origin that the data holds (at least 6): MASE
(scaled by the in-sample seasonal-naive MAE) and 80% coverage, on every
scored month and on the scored months outside the calendar's periods.
Writes the "exceptional" section of bench/RESULTS.md.

    nice -n 10 python bench/exceptional.py --series 6
    nice -n 10 python bench/exceptional.py --panels london --series 20 --model crimecast
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.accuracy import PANELS, subsample  # noqa: E402
from bench.results import machine, write_section  # noqa: E402
from crimecast.defaults import DEFAULT_PATHS, DEFAULT_SEED  # noqa: E402
from crimecast.forecast.metrics import seasonal_naive_mae  # noqa: E402
from crimecast.forecast.parallel import map_series  # noqa: E402

CALENDAR = "covid-uk"
ORIGINS = ("2020-06", "2020-09", "2020-12", "2021-03", "2021-06")  # first forecast month: inside and after 2020
HORIZON = 12
MIN_SCORED = 6
BENCH_PANELS = ("london", "police-uk-forces")


def _calendar():
    """The covid-uk periods, or a clear exit when this checkout has no calendars or no exceptional model yet."""
    try:
        from crimecast.data.exceptional import load_exceptional
    except ImportError:
        sys.exit("skipped: this checkout has no exceptional-period calendars (crimecast.data.exceptional.load_exceptional).")
    import inspect

    from crimecast.forecast.models import CrimeForecaster

    if "exceptional" not in inspect.signature(CrimeForecaster).parameters:
        sys.exit("skipped: this checkout's CrimeForecaster takes no exceptional periods.")
    return load_exceptional(CALENDAR)


def _scores(train: pd.Series, actual: np.ndarray, paths: np.ndarray, keep: np.ndarray) -> dict[str, float]:
    scale = seasonal_naive_mae(train.to_numpy(dtype=float))
    median = np.median(paths, axis=0)
    low, high = np.quantile(paths, [0.1, 0.9], axis=0)
    inside = (actual >= low) & (actual <= high)
    error = np.abs(actual - median)
    return {"mase": error.mean() / scale, "coverage80": inside.mean() * 100,
            "mase_normal": error[keep].mean() / scale if keep.any() else np.nan,
            "coverage80_normal": inside[keep].mean() * 100 if keep.any() else np.nan}


def score_series(item, *, periods, model: str, n_paths: int, seed: int) -> pd.DataFrame:
    """Both forecasts (without and with the periods known at the origin) from every origin of one series."""
    from crimecast.data.exceptional import exceptional_mask
    from crimecast.forecast.models import CrimeForecaster

    category, area, y = item
    rows = []
    for text in ORIGINS:
        origin = pd.Timestamp(text)
        if origin not in y.index:
            continue
        at = y.index.get_loc(origin)
        train, actual = y.iloc[:at], y.to_numpy(dtype=float)[at:at + HORIZON]
        if len(actual) < MIN_SCORED:
            continue
        known = tuple(p for p in periods if p.start < origin)
        keep = ~exceptional_mask(y.index[at:at + len(actual)], periods)
        for label, exceptional in (("as today", ()), (f"{CALENDAR} kept out", known)):
            started = time.perf_counter()
            forecaster = CrimeForecaster(model=model, n_paths=n_paths, seed=seed, exceptional=exceptional).fit(train)
            paths = forecaster.predict(HORIZON).paths[:, :len(actual)]
            rows.append({"category": category, "area": area, "origin": text, "fit": label,
                         "seconds": time.perf_counter() - started, **_scores(train, actual, paths, keep)})
    return pd.DataFrame(rows)


def _table(scores: pd.DataFrame) -> str:
    grouped = scores.groupby(["origin", "fit"])
    table = pd.DataFrame({"cases": grouped.size(), "mean MASE": grouped["mase"].mean(),
                          "80% coverage %": grouped["coverage80"].mean(),
                          "mean MASE, months outside the periods": grouped["mase_normal"].mean(),
                          "80% coverage %, months outside the periods": grouped["coverage80_normal"].mean()})
    overall = scores.groupby("fit").agg(cases=("mase", "size"), m=("mase", "mean"), c=("coverage80", "mean"),
                                        mn=("mase_normal", "mean"), cn=("coverage80_normal", "mean"))
    lines = ["| origin | fit | " + " | ".join(table.columns) + " |", "|---|---|" + "---|" * len(table.columns)]
    for (origin, fit), row in table.iterrows():
        lines.append(f"| {origin} | {fit} | {int(row['cases'])} | " + " | ".join(
            "-" if pd.isna(v) else (f"{v:.3f}" if "MASE" in c else f"{v:.1f}") for c, v in row.items() if c != "cases") + " |")
    for fit, row in overall.iterrows():
        lines.append(f"| **all** | {fit} | {int(row['cases'])} | {row['m']:.3f} | {row['c']:.1f} | {row['mn']:.3f} | {row['cn']:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--panels", default=",".join(BENCH_PANELS))
    parser.add_argument("--series", type=int, default=None, help="at most N series per panel, spread evenly")
    parser.add_argument("--model", default="crimecast")
    parser.add_argument("--paths", type=int, default=DEFAULT_PATHS)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    periods = _calendar()
    sections = []
    for name in (p.strip() for p in args.panels.split(",") if p.strip()):
        path, load, title = PANELS[name]
        if not path.exists():
            sections.append(f"### {title}\n\nskipped: `{path.name}` is absent.")
            continue
        every = load()
        series = subsample(every, args.series)
        started = time.perf_counter()
        work = partial(score_series, periods=periods, model=args.model, n_paths=args.paths, seed=DEFAULT_SEED)
        scores = pd.concat(map_series(work, series, jobs=args.jobs, label=lambda item: f"{item[0]} / {item[1]}",
                                      progress=lambda label: print(f"  {name}: {label}", file=sys.stderr, flush=True)),
                           ignore_index=True)
        sections.append(f"### {title} (`{name}`)\n\n{len(series)} of {len(every)} series; "
                        f"{time.perf_counter() - started:.0f} s wall.\n\n{_table(scores)}")
        print(sections[-1], flush=True)
    command = "nice -n 10 python bench/exceptional.py" + "".join(
        f" --{flag} {value}" for flag, value, default in (
            ("panels", args.panels, ",".join(BENCH_PANELS)), ("series", args.series, None), ("model", args.model, "crimecast"),
            ("paths", args.paths, DEFAULT_PATHS), ("jobs", args.jobs, 2)) if value != default)
    spans = ", ".join(f"{p.start:%Y-%m} to {p.end:%Y-%m}" for p in periods)
    body = f"""## Lockdowns kept out as exceptional periods (issue 12)

{machine()}. `{command}`. Model `{args.model}`; each origin's forecast made twice, as today and with the
`{CALENDAR}` periods ({spans}) that began before the origin kept out of fitting (and of the interval calibration's scores once settled).
Scored on the next {HORIZON} months the data holds (at least {MIN_SCORED}; police.uk ends 2021-09): MASE and 80% coverage on
every scored month, and on the scored months outside the calendar's periods.
{chr(10).join(chr(10) + s for s in sections)}
"""
    write_section("exceptional", body)


if __name__ == "__main__":
    main()

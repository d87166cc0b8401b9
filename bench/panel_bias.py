"""Shift every forecast by a share of the panel's pooled error on the last complete year: replayed on the real panels (issue 14).

The Home Office table's milestone probabilities ran 22-27 points too
optimistic before the years 2015/16-2018/19: recorded crime rose nationally
(recording practice) more than any series' own history said. An offline look at
the stored milestone cases suggested shifting each forecast by ``k`` times the
panel's mean error on the last year complete at the origin. This replays that
rule the way the product would compute it, on bench/accuracy.py's panels.

The panel bias at an origin: each series' forecast is fitted as the product
fits it (``CrimeForecaster``, bench/accuracy.py's seeds, exceptional periods
known by the origin and seasonal references); its calibration windows (the
one-year backtests ``calibrate`` scores, shared through ``FitCache``, so no extra
fit) give, per window, ``log(1 + actual total) - median over paths of
log(1 + path total)``, the paths stretched by the forecast's calibration scale
as ``calibrate`` stretches them to score year totals. The series' error is its
latest window's; the panel bias is the mean over the panel's series (the series
of this run) that have one. Two ways to treat exceptional periods:

- ``skip`` (the rule proposed): a window whose periods touch any exceptional period known by the origin
  (kept out of the fit or still waiting to settle) is skipped, and the latest ordinary window is used;
- ``scored``: every window, its totals over the periods ``calibrate`` scores (kept-out periods left out of
  both, a period still waiting to settle left in; ``NaN`` when fewer than half are left).

Every path of every series is then multiplied by ``exp(k x panel bias)`` (a
shift of ``log(1 + count)``, so forecasts and milestone probabilities agree).
The calibration width is not recomputed for shifted windows: the shift is a
panel-level step after each series' own forecast. Rules:

- ``product``: no shift (its rows match bench/accuracy.py's crimecast rows run with ``--no-drift``, window for window:
  since session 28 the product carries the dataset drift, crimecast/forecast/drift.py, which this script does not);
- ``bias-k0.25``, ``bias-k0.5``: ``skip`` windows;
- ``bias-k0.25-agree``, ``bias-k0.5-agree``: the same, only when the panel bias of the latest two ordinary
  windows among the three ``calibrate`` fits has the same sign (no shift when there are fewer than two);
- ``scored-k0.25``, ``scored-k0.5``: ``scored`` windows.

Each series and origin is fitted once; the rules only transform its paths.
Prints per panel the panel bias by origin (with the ``realised bias``: the same
pooled error of the origin's own forecast year, what the shift tries to
anticipate), the rules' mean MASE, one-year total error, coverage and the share
of one-year totals inside the 80% interval of the paths' totals (what milestones
are judged on), the same by origin year, and the
``k`` (from -0.5 to 1.5 by 0.125) with the lowest mean total error under each
window treatment. Nothing is written to bench/RESULTS.md.

What it showed (session 27, 30 series per panel; the ``product`` rows equal
bench/accuracy.py's crimecast rows in bench/RESULTS.md, every figure):

- At the accuracy bench's origins (the last three years) the rule hardly acts: the pooled error of the latest
  ordinary window is small. London +0.033 (window 2018-10), +0.033 (2018-10 again: the 2019-10 and 2020-10
  windows touch lockdowns), +0.030 (2021-10) at 2020-10/2021-10/2022-10; Home Office +0.006 (2019-04),
  -0.027, +0.005 at 2021-04/2022-04/2023-04. k = 0.25 / 0.5: London MASE 0.772 -> 0.772 / 0.774 (ratio to
  sf-median's 0.818: 0.944 -> 0.944 / 0.946), total error 8.7 -> 8.9 / 9.1% (the 2020-10 origin: 11.9 ->
  12.4 / 12.9; the window said +0.033, the lockdown year came in at -0.061), 80% coverage 83.1 -> 83.1 / 82.9
  (by year 81.9/83.1/84.4 -> 81.4/83.6/84.2 and 81.1/83.9/83.6). Home Office MASE 1.046 -> 1.045 / 1.045,
  total error 9.8 -> 9.8 / 9.7%, coverage 80.0 -> 80.6 / 80.6, by year 73.3/91.7/75.0 -> 73.3/93.3/75.0 (both
  k): the 2021 miss stays (that year came in at +0.082; the last ordinary window, 2019/20, said +0.006).
- police.uk (forces and LAs): no shift at all. The series start in 2018-01, so at their one origin (2020-10)
  ``calibrate`` has a single part-year window, 2020-01..2020-09, which holds lockdown 1 (still waiting to
  settle, so in the fit and scored); no ordinary window exists, so the panel bias is left at 0. With the
  lockdown months counted (``scored``) the bias is -0.200 (forces) and -0.077 (LAs): forces 11.3 -> 12.3 /
  14.3% total error, MASE 0.935 -> 0.949 / 1.038; LAs 13.8 -> 13.3 / 13.3%, MASE 0.834 -> 0.827 / 0.828 (the
  years came in at -0.020 and -0.062). ``scored`` also hurts the Home Office at 2021-04 (window 2020/21,
  -0.154: total error 15.1 -> 16.3 / 17.5%) and London at 2021-10 (8.1 -> 8.3 / 9.5%).
- Where the rule was meant to act, the Home Office's 2016-2019 origins (``--windows 8``): the pooled
  window errors are +0.116, +0.146, +0.127, +0.089 at 2016-04..2019-04 (the years came in at +0.153,
  +0.128, +0.084, +0.008). k = 0.25 / 0.5: total error 14.9/11.5/10.8/9.5% -> 13.0/9.7/9.9/10.1 and
  11.6/8.8/9.6/11.1 (2019: the national rise had stopped, the one-year-old error had not), all eight origins
  12.4 -> 11.9 / 11.7%, MASE 1.242 -> 1.197 / 1.175, monthly 80% coverage 77.7 -> 79.3 / 78.1; but the
  share of year totals inside the 80% interval 75.8 -> 76.2 / 74.6 (2016-2019: 76.7/73.3/80.0/83.3 ->
  76.7/90.0/76.7/73.3 and 76.7/83.3/76.7/66.7): it moves which years miss rather than how many.
- London over 2015-10..2022-10 (``--windows 8``): window errors +0.022..+0.065 before 2019; total error
  9.6 -> 9.6 / 9.7%, MASE 0.849 -> 0.846 / 0.846, year totals in the 80% interval 80.8 -> 82.1 / 82.9;
  the 2019-10 origin (its year came in at -0.084) 12.9 -> 13.5 / 14.1%.
- The sign check (``-agree``) changes nothing where it matters: the Home Office's 2016-2021 window errors are
  all positive, so 2019 is shifted as before; it only switches the shift off where the three windows hold
  fewer than two ordinary ones (London 2021-10 and 2022-10, Home Office 2022-04 and 2023-04).
- k with the lowest mean total error (skip windows, every origin shifted): London 0 (9.55%; 3 origins:
  -0.375, 8.70 vs 8.75), Home Office 0.5 (11.74 vs 12.43; 3 origins: 0.5, 9.74 vs 9.80), police.uk none
  (no shift). With lockdown months scored: London 0.25, Home Office 0.375 (8 origins) / -0.375 (3), forces 0,
  LAs 0.5-0.625.

So as a forecast change the shift is a lagged copy of a national drift: it pays while the drift lasts (Home
Office 2016-2018, about 2-3 points of total error) and costs as much the year it stops (2019) or when an
exceptional year follows (London 2019-10 and 2020-10); on the accuracy bench's own origins it is nearly
neutral, keeps every met target met (London MASE ratio 0.946 at k = 0.5) and does not fix the Home Office's
2021 coverage. Not measured here: the milestone bins with the shift in the product (bench/milestones.py);
the calibration width with shifted windows; a panel other than the run's 30 series (in the product the
panel would be whatever series are forecast together).

    nice -n 5 python bench/panel_bias.py --series 30                      # every panel
    nice -n 5 python bench/panel_bias.py --series 20 --panels home-office
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.accuracy import _from_paths, _scores, known_by, markdown, references, replay_panels, replay_parser  # noqa: E402
from crimecast.data.exceptional import exceptional_mask, load_exceptional  # noqa: E402
from crimecast.data.frequency import frequency_of  # noqa: E402
from crimecast.defaults import DEFAULT_EXCEPTIONAL, DEFAULT_PATHS, DEFAULT_SEED  # noqa: E402
from crimecast.forecast import models  # noqa: E402
from crimecast.forecast.backtest import backtest_origins  # noqa: E402
from crimecast.forecast.calibrate import (CALIBRATION_MIN_TRAIN_YEARS, FitCache, apply_scale,  # noqa: E402
                                          calibration_origins, short_window)
from crimecast.forecast.cores import series_frequency  # noqa: E402
from crimecast.forecast.models import CrimeForecaster  # noqa: E402
from crimecast.forecast.parallel import map_series  # noqa: E402

KS = (0.25, 0.5)
SWEEP = np.round(np.arange(-0.5, 1.5001, 0.125), 3)
RULES = ("product", *(f"bias-k{k:g}" for k in KS), *(f"bias-k{k:g}-agree" for k in KS),
         *(f"scored-k{k:g}" for k in KS))


# --- one series: its forecasts and its calibration windows' year-total errors -----------------------------

@contextlib.contextmanager
def calibration_calls(calls: list) -> Iterator[None]:
    """``calibrate`` as the forecaster calls it, its arguments recorded in ``calls``."""
    original = models.calibrate

    def recording(y_log, make_core, **kwargs):
        calls.append((y_log, make_core, kwargs))
        return original(y_log, make_core, **kwargs)

    models.calibrate = recording
    try:
        yield
    finally:
        models.calibrate = original


def _log_total(paths_log: np.ndarray) -> np.ndarray:
    return np.log1p(np.expm1(paths_log).clip(0.0, None).sum(axis=-1))


def window_errors(y_log: pd.Series, make_core, *, seed: int, horizon: int, fits: FitCache, scored: pd.Series,
                  scale: float, exceptional) -> list[dict]:
    """Each calibration window's year-total error (log, actual less the paths' median), as ``calibrate`` sees it."""
    per_year = frequency_of(y_log).periods_per_year
    origins = calibration_origins(len(y_log), horizon=horizon, min_train=CALIBRATION_MIN_TRAIN_YEARS * per_year)
    if not origins:
        short = short_window(len(y_log), horizon=horizon, periods_per_year=per_year)
        origins = [] if short is None else [short]
    kept_out = np.isnan(y_log.to_numpy(dtype=float))
    actual_log = scored.to_numpy(dtype=float)
    touched = exceptional_mask(y_log.index, exceptional)
    rows = []
    for o in origins:
        paths = apply_scale(fits.window_paths(y_log, o, horizon, make_core, seed + o), scale)
        window = slice(o, o + horizon)
        actual, kept = actual_log[window], ~kept_out[window]
        paths = paths[:, :len(actual)]
        full = float(_log_total(actual) - np.median(_log_total(paths)))
        part = (float(_log_total(actual[kept]) - np.median(_log_total(paths[:, kept])))
                if kept.sum() >= len(actual) / 2 else float("nan"))
        rows.append({"window": y_log.index[o], "periods": len(actual), "ordinary": not touched[window].any(),
                     "error": full, "error_scored": part})
    return rows


def replay_series(item, *, windows: int, exceptional, seasonal: dict) -> list[dict]:
    """bench/accuracy.py's crimecast forecasts of one series (its paths) and each origin's window errors."""
    category, area, y = item
    season = series_frequency(y).periods_per_year
    out = []
    for origin in backtest_origins(len(y), windows=windows, horizon=season, frequency=series_frequency(y)):
        train, actual = y.iloc[:origin], y.to_numpy(dtype=float)[origin:origin + season]
        fits, calls = FitCache(), []
        known = known_by(exceptional, train)
        with calibration_calls(calls):
            forecaster = CrimeForecaster(n_paths=DEFAULT_PATHS, seed=DEFAULT_SEED, exceptional=known,
                                         seasonal_reference=seasonal.get(category)).fit(train, fits=fits)
        paths = forecaster.predict(season).paths
        errors = []
        if calls and forecaster.calibration_ is not None:
            y_log, make_core, kwargs = calls[0]
            errors = window_errors(y_log, make_core, seed=kwargs["seed"], horizon=kwargs["horizon"], fits=fits,
                                   scored=kwargs["scored"], scale=forecaster.calibration_.scale, exceptional=known)
        out.append({"category": category, "area": area, "origin": y.index[origin], "paths": paths,
                    "train": train.to_numpy(dtype=float), "actual": actual, "season": season, "windows": errors,
                    "fits": fits.fits})
    return out


# --- the panel: biases per origin, rules as shifts ------------------------------------------------------

def _latest(windows: list[dict], how: str, back: int = 0) -> dict | None:
    """The series' latest usable window (``back`` = 1: the one before it) under ``how`` (``skip`` or ``scored``)."""
    usable = ([w for w in windows if w["ordinary"]] if how == "skip"
              else [w for w in windows if np.isfinite(w["error_scored"])])
    return usable[-1 - back] if len(usable) > back else None


def panel_biases(cases: list[dict]) -> pd.DataFrame:
    """Per origin: the pooled error of the latest usable window (and the one before) under each treatment."""
    rows = []
    for origin in sorted({c["origin"] for c in cases}):
        here = [c for c in cases if c["origin"] == origin]
        realised = [float(np.log1p(c["actual"].sum()) - np.log1p(np.median(c["paths"].sum(axis=1)))) for c in here]
        row = {"origin": origin.strftime("%Y-%m"), "series": len(here), "realised bias": float(np.mean(realised))}
        for how, column in (("skip", "error"), ("scored", "error_scored")):
            for back, label in ((0, ""), (1, " before")):
                found = [w for w in (_latest(c["windows"], how, back) for c in here) if w is not None]
                row[f"{how}{label} n"] = len(found)
                row[f"{how}{label} window"] = (", ".join(sorted({w["window"].strftime("%Y-%m") for w in found}))
                                              or "-")
                row[f"{how}{label} bias"] = float(np.mean([w[column] for w in found])) if found else 0.0
        rows.append(row)
    return pd.DataFrame(rows).set_index("origin")


def shift_for(rule: str, biases: pd.Series) -> float:
    """The log shift ``rule`` gives at one origin (``biases``: that origin's row of ``panel_biases``)."""
    if rule == "product":
        return 0.0
    how, k = ("scored", rule.split("-k")[1]) if rule.startswith("scored") else ("skip", rule.split("-k")[1])
    agree = k.endswith("-agree")
    k = float(k.removesuffix("-agree"))
    bias = biases[f"{how} bias"]
    if agree and not (biases[f"{how} before n"] and np.sign(bias) == np.sign(biases[f"{how} before bias"])):
        return 0.0
    return k * bias


def scored_rows(cases: list[dict], biases: pd.DataFrame, rules) -> pd.DataFrame:
    rows = []
    for c in cases:
        for rule in rules:
            shift = rule if isinstance(rule, float) else shift_for(rule, biases.loc[c["origin"].strftime("%Y-%m")])
            paths = np.expm1(np.log1p(c["paths"]) + shift).clip(0.0, None)
            low, high = np.quantile(paths.sum(axis=1), [0.1, 0.9])
            rows.append({"category": c["category"], "area": c["area"], "rule": rule, "origin": c["origin"],
                         **_scores(_from_paths(paths, 0.0), c["train"], c["actual"], c["season"]),
                         "total80": float(low <= c["actual"].sum() <= high) * 100})
    return pd.DataFrame(rows)


def summary(scores: pd.DataFrame, rules: tuple[str, ...]) -> str:
    """Per rule: mean MASE, total error, coverage; then MASE, total error and 80% coverage by origin year."""
    table = scores.groupby("rule").agg(**{"mean MASE": ("mase", "mean"), "mean total error %": ("total_ape", "mean"),
                                          "80% coverage %": ("coverage80", "mean"),
                                          "95% coverage %": ("coverage95", "mean"),
                                          "year total in 80% %": ("total80", "mean")}).loc[list(rules)]
    by_year = scores.assign(year=pd.to_datetime(scores["origin"]).dt.year)
    parts = [markdown(table, first="rule")]
    for value, label in (("mase", "MASE"), ("total_ape", "total error %"), ("coverage80", "80% coverage %"),
                         ("total80", "year total in 80% %")):
        pivot = by_year.pivot_table(index="rule", columns="year", values=value, aggfunc="mean").loc[list(rules)]
        parts.append(f"{label} by origin year:\n\n" + markdown(pivot.rename(columns=lambda y: f"{label} {y}"),
                                                                 first="rule"))
    return "\n\n".join(parts)


def bias_table(biases: pd.DataFrame) -> str:
    """``panel_biases`` as markdown: biases signed to three places, counts and window starts as they are."""
    def cell(column, value):
        return f"{value:+.3f}" if column.endswith("bias") else str(value)

    lines = ["| origin | " + " | ".join(biases.columns) + " |", "|---|" + "---|" * len(biases.columns)]
    lines += [f"| {origin} | " + " | ".join(cell(c, v) for c, v in row.items()) + " |" for origin, row in biases.iterrows()]
    return "\n".join(lines)


def sweep(cases: list[dict], biases: pd.DataFrame) -> str:
    """Mean total error per ``k`` (every origin shifted, no sign check) under each window treatment; the best ``k``."""
    lines = []
    for how in ("skip", "scored"):
        shifts = {(c["category"], c["area"], c["origin"]): biases.loc[c["origin"].strftime("%Y-%m"), f"{how} bias"]
                  for c in cases}
        errors = {}
        for k in SWEEP:
            total = []
            for c in cases:
                paths = np.expm1(np.log1p(c["paths"]) + k * shifts[(c["category"], c["area"], c["origin"])])
                forecast = float(np.median(paths.clip(0.0, None).sum(axis=1)))
                if c["actual"].sum() > 0:
                    total.append(abs(forecast - c["actual"].sum()) / c["actual"].sum() * 100)
            errors[k] = float(np.mean(total))
        best = min(errors, key=errors.get)
        lines.append(f"- {how}: lowest mean total error {errors[best]:.2f}% at k = {best:g} (k = 0: {errors[0.0]:.2f}%); "
                     + ", ".join(f"{k:g}: {e:.2f}" for k, e in errors.items()))
    return "\n".join(lines)


def main() -> None:
    args = replay_parser(__doc__).parse_args()
    exceptional = load_exceptional(DEFAULT_EXCEPTIONAL)
    for name, title, every, series in replay_panels(args.panels, args.series):
        found = map_series_cases(series, name=name, windows=args.windows, exceptional=exceptional,
                                 seasonal=references(every), jobs=args.jobs)
        cases = [c for per_series in found for c in per_series]
        biases = panel_biases(cases)
        scores = scored_rows(cases, biases, RULES)
        print(f"### {title} (`{name}`), {len(series)} of {len(every)} series, {sum(c['fits'] for c in cases)} fits\n\n"
              f"Panel bias (log, actual less forecast) by origin:\n\n{bias_table(biases)}\n\n"
              f"{summary(scores, RULES)}\n\nk sweep:\n\n{sweep(cases, biases)}\n", flush=True)


def map_series_cases(series, *, name: str, windows: int, exceptional, seasonal: dict, jobs: int) -> list:
    """``replay_series`` on every series, on up to ``jobs`` processes, with progress on stderr."""
    return map_series(partial(replay_series, windows=windows, exceptional=exceptional, seasonal=seasonal), series,
                      jobs=jobs, progress=lambda label: print(f"  {name}: {label}", file=sys.stderr, flush=True),
                      label=lambda item: f"{item[0]} / {item[1]}")


if __name__ == "__main__":
    main()

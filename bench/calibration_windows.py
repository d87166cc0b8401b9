"""How the interval calibration's windows behave on the real panels, and what other rules would give (issue 14).

For every series and rolling origin of bench/accuracy.py (the same series,
origins, seeds and exceptional periods), the default crimecast model is fitted
once; its calibration windows' sampled paths and outcomes and the forecast's
own uncalibrated paths are kept (``--cache``). Calibration rules are then
replayed on them without refitting: a rule maps the windows to a width factor
(and a year-total factor), the forecast's paths are scaled as
``CrimeForecaster.predict`` scales them, and the window is scored as
bench/accuracy.py scores it (MASE, total error, 80% and 95% coverage). The
windows' fits do not depend on the rule, so one collection replays every
rule; ``before`` is the calibration as it was until issue 14's session 25
(its row matched the accuracy section's crimecast row then, window for
window) and ``after`` is ``calibrate`` now. The cache is keyed by panel, series
count and ``--older`` only: delete it after changing the model.

After each panel's rule table comes a table by origin (``by_window``): the
median score of each calibration window over every series, and of the
forecast's own year against its uncalibrated paths, with the factor that year
called for (x 1.90) beside the median factor the calibration gave. It is how
session 26 found why the Home Office table's 2022 origin and London's 2021
origin over-cover: their forecast years were calmer (median score 0.54 and
0.78) than any year their windows could see, the pre-2020 ones included
(0.84-1.10), so no rule on the windows narrows them without narrowing the
next origin, whose windows are the same disturbed years plus that calm one.
The session-26 rules (distrusting windows trained before a period settled,
leaving out the months while one settles, no pull towards the fallback, the
median of the windows' medians, a floor at a waiting window's factor, and
replacing distrusted windows by older ordinary years) are kept in ``RULES``
so the comparison can be re-run; the last needs the older windows fitted too
(``--older 3``, a separate cache file; without them it only drops windows).

    nice -n 5 python bench/calibration_windows.py --series 30                    # collect (minutes) and compare
    python bench/calibration_windows.py --series 30 --diagnose                   # and every case's factor and windows
    nice -n 5 python bench/calibration_windows.py --series 30 --panels london,home-office --older 3  # reach-back rule
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.accuracy import PANELS, _from_paths, known_by, markdown, references, subsample  # noqa: E402
from bench.accuracy import _scores as accuracy_scores  # noqa: E402
from crimecast.data.exceptional import exceptional_mask, load_exceptional  # noqa: E402
from crimecast.defaults import CALENDAR_SETTLE_MONTHS, DEFAULT_EXCEPTIONAL, DEFAULT_PATHS, DEFAULT_SEED  # noqa: E402
from crimecast.forecast import calibrate as calibration  # noqa: E402
from crimecast.forecast import models  # noqa: E402
from crimecast.forecast.backtest import backtest_origins  # noqa: E402
from crimecast.forecast.cores import series_frequency  # noqa: E402
from crimecast.forecast.parallel import map_series  # noqa: E402
from crimecast.forecast.threads import one_blas_thread  # noqa: E402


@dataclass
class Case:
    """One series at one origin: its calibration windows and its forecast's uncalibrated paths."""

    panel: str
    category: str
    area: str
    origin: pd.Timestamp
    window_origins: list[pd.Timestamp]
    window_paths: list[np.ndarray]  # log paths of each window (CALIBRATION_PATHS x window length)
    window_scored: list[np.ndarray]  # what each window is scored on (log1p counts, every period)
    window_fitted: list[np.ndarray]  # the same with the periods the fit kept out as NaN
    window_exceptional: list[np.ndarray]  # the window's periods inside a known exceptional period (settled or not)
    window_train_exceptional: list[int]  # periods since its training data last touched a known period (-1: never)
    paths_log: np.ndarray  # the forecast's uncalibrated log paths, first year
    actual: np.ndarray
    train: np.ndarray
    season: int
    scale: float  # what calibrate chose
    total_scale: float
    evidence: float
    extra: dict = field(default_factory=dict)


def _window_record(y_log: pd.Series, scored: pd.Series, inside: np.ndarray, origins: list[int], horizon: int,
                   window_paths: list[np.ndarray], index: pd.DatetimeIndex) -> dict[str, list]:
    """The windows from ``origins``, as ``Case`` keeps them (field name without ``window_``)."""
    touched = []
    for o in origins:
        hits = np.flatnonzero(inside[:o])
        touched.append(int(o - 1 - hits[-1]) if len(hits) else -1)
    return dict(origins=[index[o] for o in origins], paths=window_paths,
                scored=[scored.to_numpy()[o:o + horizon] for o in origins],
                fitted=[y_log.to_numpy()[o:o + horizon] for o in origins],
                exceptional=[inside[o:o + horizon] for o in origins], train_exceptional=touched)


def _record(item, *, panel: str, exceptional, refs, older: int = 0) -> list[Case]:
    category, area, y = item
    frequency = series_frequency(y)
    season = frequency.periods_per_year
    cases = []
    for origin in backtest_origins(len(y), windows=3, horizon=season, frequency=frequency):
        train = y.iloc[:origin]
        known = known_by(exceptional, train)
        seen = {}

        def recording(y_log, make_core, **kwargs):
            seen.update(y_log=y_log, make_core=make_core, **kwargs)
            return calibration.calibrate(y_log, make_core, **kwargs)

        models.calibrate, original = recording, models.calibrate
        try:
            forecaster = models.CrimeForecaster(model="crimecast", n_paths=DEFAULT_PATHS, seed=DEFAULT_SEED,
                                                exceptional=known, seasonal_reference=refs.get(category)).fit(train)
        finally:
            models.calibrate = original
        y_log, scored, horizon = seen["y_log"], seen["scored"], seen["horizon"]
        origins = calibration.calibration_origins(len(y_log), horizon=horizon,
                                                  min_train=calibration.CALIBRATION_MIN_TRAIN_YEARS * season)
        if not origins:
            short = calibration.short_window(len(y_log), horizon=horizon, periods_per_year=season)
            origins = [] if short is None else [short]
        inside = exceptional_mask(train.index, known) if known else np.zeros(len(train), bool)
        with one_blas_thread():
            window_paths = [seen["fits"].window_paths(y_log, o, horizon, seen["make_core"], seen["seed"] + o)
                            for o in origins]
            paths_log = forecaster.core_.sample(models.MAX_HORIZON // frequency.months_per_period,
                                                DEFAULT_PATHS, DEFAULT_SEED)[:, :season]
        windows = _window_record(y_log, scored, inside, origins, horizon, window_paths, y.index)
        extra = {}
        if older and len(origins) == calibration.CALIBRATION_WINDOWS:  # full windows only, not a part-year one
            before = [o for o in (origins[0] - horizon * k for k in range(older, 0, -1))
                      if o >= calibration.CALIBRATION_MIN_TRAIN_YEARS * season]
            with one_blas_thread():
                paths = [seen["fits"].window_paths(y_log, o, horizon, seen["make_core"], seen["seed"] + o) for o in before]
            extra["older"] = _window_record(y_log, scored, inside, before, horizon, paths, y.index)
        cal = forecaster.calibration_
        cases.append(Case(
            panel=panel, category=category, area=area, origin=y.index[origin],
            **{f"window_{name}": value for name, value in windows.items()},
            paths_log=paths_log, actual=y.to_numpy(dtype=float)[origin:origin + season],
            train=train.to_numpy(dtype=float), season=season, scale=cal.scale, total_scale=cal.total_scale,
            evidence=cal.evidence, extra=extra))
    return cases


def collect(panel: str, n_series: int, jobs: int, cache: Path, older: int = 0) -> list[Case]:
    """Every case of ``panel`` (from ``cache`` when it holds them); ``older`` windows before the usual ones too."""
    file = cache / f"{panel}-{n_series}{f'-older{older}' if older else ''}.pkl"
    if file.exists():
        return [Case(**fields) for fields in pickle.loads(file.read_bytes())]
    _, load, _ = PANELS[panel]
    every = load()
    series = subsample(every, n_series)
    exceptional = load_exceptional(DEFAULT_EXCEPTIONAL)
    work = partial(_record, panel=panel, exceptional=exceptional, refs=references(every), older=older)
    found = [c for cases in map_series(work, series, jobs=jobs,
                                       progress=lambda label: print(f"  {panel}: {label}", file=sys.stderr, flush=True),
                                       label=lambda item: f"{item[0]} / {item[1]}")
             for c in cases]
    cache.mkdir(parents=True, exist_ok=True)
    file.write_bytes(pickle.dumps([vars(case) for case in found]))  # plain dicts: readable from any module
    return found


# --- replaying a rule ---------------------------------------------------------------------------------------

def final_paths(case: Case, scale: float, total_scale: float) -> np.ndarray:
    paths = calibration.apply_scale(case.paths_log, scale, total_scale=total_scale, periods=case.season)
    return np.clip(np.expm1(paths), 0.0, None)


def score(case: Case, scale: float, total_scale: float) -> dict[str, float]:
    """bench/accuracy.py's scores of the forecast with these factors."""
    window = _from_paths(final_paths(case, scale, total_scale), 0.0)
    row = accuracy_scores(window, case.train, case.actual, case.season)
    del row["seconds"]
    return row


def _scores(case: Case, *, leave_out: str, after: int = 0, spare_waiting: bool = False) -> list[np.ndarray]:
    """Each window's scores (``NaN`` left out): ``leave_out`` "none", "kept" (the periods the fit kept out, as
    ``calibrate`` does) or "known" (every known exceptional period, settled or waiting); ``after`` more months after
    a kept-out period left out too (but not those inside a waiting period when ``spare_waiting``)."""
    found = []
    fitted_all = np.concatenate(case.window_fitted)
    since = np.full(len(fitted_all), np.inf)  # periods since the last kept-out one, within the windows
    last = None
    for i, gap in enumerate(np.isnan(fitted_all)):
        last = i if gap else last
        since[i] = np.inf if last is None else i - last
    since = np.split(since, np.cumsum([len(f) for f in case.window_fitted])[:-1])
    months = 12 // case.season
    for paths, scored, fitted, known, gone in zip(case.window_paths, case.window_scored, case.window_fitted,
                                                  case.window_exceptional, since):
        scores = calibration._window_scores(paths, scored)
        drop = {"none": np.zeros(len(scores), bool), "kept": np.isnan(fitted), "known": known[:len(scores)]}[leave_out]
        soon_after = (gone > 0) & (gone * months <= after)
        drop = drop | (soon_after & ~(known[:len(scores)] & spare_waiting))
        found.append(np.where(drop, np.nan, scores))
    return found


def _waiting(case: Case) -> list[np.ndarray]:
    """Each window's periods inside a known exceptional period that the fit kept in (one still waiting to settle)."""
    return [known[:len(fitted)] & ~np.isnan(fitted) for known, fitted in zip(case.window_exceptional, case.window_fitted)]


def _per_year_quantile(windows: list[np.ndarray]) -> float:
    per_window = [np.quantile(w[~np.isnan(w)], calibration.CALIBRATION_LEVEL) for w in windows if (~np.isnan(w)).any()]
    return float(np.median(per_window))


def _pooled_quantile(windows: list[np.ndarray]) -> float:
    scores = np.concatenate(windows)
    return float(np.quantile(scores[~np.isnan(scores)], calibration.CALIBRATION_LEVEL))


def _median_rule(windows: list[np.ndarray]) -> float:
    return calibration.score_scale(np.concatenate(windows))


def _median_of_window_medians(windows: list[np.ndarray]) -> float:
    medians = [np.nanmedian(w) for w in windows if (~np.isnan(w)).any()]
    return float(np.median(medians) * calibration._level_over_median(calibration.CALIBRATION_LEVEL))


@dataclass(frozen=True)
class Rule:
    """A calibration rule to replay: how the windows' scores are aggregated, which are left out, how evidence counts.

    ``after``: months after a kept-out period left out too (``spare_waiting``: not those inside a waiting period);
    ``distrust``: a window whose training ended less than this many months after a known period is left out
    (0: never); ``full_evidence``: no pull towards ``FALLBACK_SCALE`` for missing scores; ``waiting_floor``: when
    the last window holds a waiting period, the factor is at least that window's own; ``reach_back``: windows
    left out by ``distrust`` or with under half their periods scored are replaced by the latest older ones that
    are neither (collected with ``--older``), up to three windows.
    """

    aggregate: Callable[[list[np.ndarray]], float] = _median_rule
    leave_out: str = "kept"
    after: int = 0
    spare_waiting: bool = False
    distrust: int = 0
    full_evidence: bool = False
    waiting_floor: bool = False
    reach_back: bool = False


SETTLE = CALENDAR_SETTLE_MONTHS  # a shipped calendar's period settles once this many months follow it
RULES = {
    "before: median of per-year 80% quantiles, every period scored": Rule(_per_year_quantile, "none"),
    "after (calibrate): 1.90 x median of all scores, kept-out periods not scored": Rule(),
    "per-year quantiles, kept-out periods not scored": Rule(_per_year_quantile),
    "per-year quantiles, kept-out periods and 3 months after not scored": Rule(_per_year_quantile, after=3),
    "pooled 80% quantile, kept-out periods not scored": Rule(_pooled_quantile),
    "1.90 x median, every period scored": Rule(leave_out="none"),
    "1.90 x median, every known period not scored (waiting ones too)": Rule(leave_out="known"),
    "1.90 x median, kept-out not scored, windows trained < 4 months after a period left out": Rule(distrust=4),
    # session 26 (Home Office 2022 and London 2021 origins over-covered)
    "1.90 x median, kept-out and the 6 months after not scored (waiting periods still scored)":
        Rule(after=SETTLE, spare_waiting=True),
    "1.90 x median, kept-out not scored, windows trained before a period settled left out": Rule(distrust=SETTLE),
    "... and the 6 months after a kept-out period not scored (waiting ones still scored)":
        Rule(after=SETTLE, spare_waiting=True, distrust=SETTLE),
    "... windows trained before a period settled left out, no pull towards the fallback":
        Rule(distrust=SETTLE, full_evidence=True),
    "1.90 x median, no pull towards the fallback": Rule(full_evidence=True),
    "1.90 x median of the windows' medians": Rule(_median_of_window_medians),
    "1.90 x median, at least the last window's factor when it holds a waiting period": Rule(waiting_floor=True),
    "1.90 x median, windows trained before a period settled or under half scored replaced by older ones (--older 3)":
        Rule(distrust=SETTLE, reach_back=True),
}


def _with_older(case: Case) -> Case:
    """``case`` with its older windows (``--older``) before the usual ones."""
    older = case.extra.get("older")
    if not older:
        return case
    return replace(case, **{f"window_{name}": [*values, *getattr(case, f"window_{name}")] for name, values in older.items()})


def replay(case: Case, rule: str) -> tuple[float, float]:
    """The width and year-total factors ``rule`` gives ``case`` (``calibrate``'s evidence weighing and bounds)."""
    rule = RULES[rule]
    if not case.window_paths:
        return calibration.FALLBACK_SCALE, 1.0
    case = _with_older(case) if rule.reach_back else case
    windows = _scores(case, leave_out=rule.leave_out, after=rule.after, spare_waiting=rule.spare_waiting)
    trusted = [not (0 <= since * 12 // case.season < rule.distrust) for since in case.window_train_exceptional]
    if rule.reach_back:
        usable = np.flatnonzero([ok and (~np.isnan(w)).sum() >= len(w) / 2 for w, ok in zip(windows, trusted)])
        trusted = [i in usable[-calibration.CALIBRATION_WINDOWS:] for i in range(len(windows))]
    windows = [w if ok else np.full(len(w), np.nan) for w, ok in zip(windows, trusted)]
    n_scores = int(sum((~np.isnan(w)).sum() for w in windows))
    if n_scores == 0:
        return calibration.FALLBACK_SCALE, 1.0
    evidence = 1.0 if rule.full_evidence else min(1.0, n_scores / (calibration.CALIBRATION_WINDOWS * case.season))
    factor = calibration.WINDOW_FACTOR_SHARE * rule.aggregate(windows)  # the product's share, for every rule
    if rule.waiting_floor and _waiting(case)[-1].any() and (~np.isnan(windows[-1])).any():
        factor = max(factor, rule.aggregate(windows[-1:]))
    scale = calibration.weigh_evidence(float(np.clip(factor, *calibration.SCALE_BOUNDS)), evidence=evidence)
    totals = [calibration._total_score(calibration.apply_scale(paths, scale),
                                       np.where(np.isnan(w), np.nan, scored) if rule.leave_out != "none" else scored)
              for paths, scored, w, ok in zip(case.window_paths, case.window_scored, windows, trusted) if ok]
    return scale, calibration.total_scale(totals)


def rule_table(cases: list[Case]) -> pd.DataFrame:
    """Per rule: bench/accuracy.py's crimecast metrics and 80% coverage by origin year."""
    rows = []
    for rule in RULES:
        scored = pd.DataFrame([{"origin": case.origin.year, **score(case, *replay(case, rule))} for case in cases])
        rows.append({"rule": rule, "mean MASE": scored["mase"].mean(), "total error %": scored["total_ape"].mean(),
                     "80% cov. %": scored["coverage80"].mean(), "95% cov. %": scored["coverage95"].mean(),
                     **{str(year): value for year, value in scored.groupby("origin")["coverage80"].mean().items()}})
    return pd.DataFrame(rows).set_index("rule")


def by_window(cases: list[Case]) -> pd.DataFrame:
    """Per origin: the median score (kept-out periods left out) of each calibration window over every series, and of
    the forecast's own year (its uncalibrated paths against the outcomes), with the factor each implies (x 1.90).

    A rule can only see the windows; the forecast's year is what its factor is judged on.
    """
    rows = []
    for origin in sorted({case.origin for case in cases}):
        at = [case for case in cases if case.origin == origin]
        row = {"origin": f"{origin:%Y-%m}"}
        for k in range(max(len(case.window_paths) for case in at)):
            pooled = np.concatenate([_scores(case, leave_out="kept")[k] for case in at if len(case.window_paths) > k])
            start = next(case.window_origins[k] for case in at if len(case.window_paths) > k)
            row[f"window {k + 1}"] = f"{start:%Y-%m}: {np.nanmedian(pooled):.2f} ({(~np.isnan(pooled)).sum()})"
        own = np.concatenate([calibration._window_scores(case.paths_log, np.log1p(case.actual)) for case in at])
        row["forecast's year"] = f"{np.median(own):.2f} ({len(own)})"
        row["its factor"] = round(float(calibration.score_scale(own)), 2)
        row["median factor given"] = round(float(np.median([case.scale for case in at])), 2)
        rows.append(row)
    return pd.DataFrame(rows).set_index("origin")


def diagnose(cases: list[Case]) -> pd.DataFrame:
    """Per case: the factor ``calibrate`` chose, each window's 80% quantile of scores and how exceptional it was."""
    rows = []
    for case in cases:
        row = {"panel": case.panel, "origin": f"{case.origin:%Y-%m}", "series": f"{case.category}/{case.area}",
               "scale": case.scale, "total_scale": case.total_scale, "evidence": case.evidence,
               **score(case, case.scale, case.total_scale)}
        for i, (scores, exc, since) in enumerate(zip(_scores(case, leave_out="none"), case.window_exceptional,
                                                     case.window_train_exceptional)):
            row[f"q{i}"] = float(np.quantile(scores, 0.8))
            row[f"exc{i}"] = int(exc.sum())
            row[f"since{i}"] = since
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--panels", default="london,home-office,police-uk-forces,police-uk-las")
    parser.add_argument("--series", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "crimecast-calibration-windows")
    parser.add_argument("--diagnose", action="store_true", help="also print every case's factor and windows")
    parser.add_argument("--older", type=int, default=0,
                        help="also fit this many windows before the usual three (the reach-back rules need them)")
    args = parser.parse_args()
    pd.set_option("display.width", 250, "display.max_rows", 500, "display.max_columns", 30)
    for panel in args.panels.split(","):
        cases = collect(panel, args.series, args.jobs, args.cache, args.older)
        print(f"### {panel}: {len(cases)} cases (series x origins)\n")
        print(markdown(rule_table(cases), first="rule"), "\n", flush=True)
        print(by_window(cases).to_string(), "\n", flush=True)
        if args.diagnose:
            print(diagnose(cases).round(2).to_string(), "\n")


if __name__ == "__main__":
    main()

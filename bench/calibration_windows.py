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
window) and ``after`` is ``calibrate`` now. The cache is keyed by panel and
series count only: delete it after changing the model.

    nice -n 5 python bench/calibration_windows.py --series 30                    # collect (minutes) and compare
    python bench/calibration_windows.py --series 30 --diagnose                   # and every case's factor and windows
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.accuracy import PANELS, _from_paths, known_by, markdown, references, subsample  # noqa: E402
from bench.accuracy import _scores as accuracy_scores  # noqa: E402
from crimecast.data.exceptional import exceptional_mask, load_exceptional  # noqa: E402
from crimecast.defaults import DEFAULT_EXCEPTIONAL, DEFAULT_PATHS, DEFAULT_SEED  # noqa: E402
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


def _record(item, *, panel: str, exceptional, refs) -> list[Case]:
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
        touched = []
        for o in origins:
            hits = np.flatnonzero(inside[:o])
            touched.append(int(o - 1 - hits[-1]) if len(hits) else -1)
        cal = forecaster.calibration_
        cases.append(Case(
            panel=panel, category=category, area=area, origin=y.index[origin],
            window_origins=[y.index[o] for o in origins], window_paths=window_paths,
            window_scored=[scored.to_numpy()[o:o + horizon] for o in origins],
            window_fitted=[y_log.to_numpy()[o:o + horizon] for o in origins],
            window_exceptional=[inside[o:o + horizon] for o in origins], window_train_exceptional=touched,
            paths_log=paths_log, actual=y.to_numpy(dtype=float)[origin:origin + season],
            train=train.to_numpy(dtype=float), season=season, scale=cal.scale, total_scale=cal.total_scale,
            evidence=cal.evidence))
    return cases


def collect(panel: str, n_series: int, jobs: int, cache: Path) -> list[Case]:
    """Every case of ``panel`` (from ``cache`` when it holds them)."""
    file = cache / f"{panel}-{n_series}.pkl"
    if file.exists():
        return [Case(**fields) for fields in pickle.loads(file.read_bytes())]
    _, load, _ = PANELS[panel]
    every = load()
    series = subsample(every, n_series)
    exceptional = load_exceptional(DEFAULT_EXCEPTIONAL)
    work = partial(_record, panel=panel, exceptional=exceptional, refs=references(every))
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


def _scores(case: Case, *, leave_out: str, after: int = 0) -> list[np.ndarray]:
    """Each window's scores (``NaN`` left out): ``leave_out`` "none", "kept" (the periods the fit kept out, as
    ``calibrate`` does) or "known" (every known exceptional period, settled or waiting); ``after`` more months after
    a kept-out period left out too."""
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
        drop = drop | ((gone > 0) & (gone * months <= after))
        found.append(np.where(drop, np.nan, scores))
    return found


def _per_year_quantile(windows: list[np.ndarray]) -> float:
    per_window = [np.quantile(w[~np.isnan(w)], calibration.CALIBRATION_LEVEL) for w in windows if (~np.isnan(w)).any()]
    return float(np.median(per_window))


def _pooled_quantile(windows: list[np.ndarray]) -> float:
    scores = np.concatenate(windows)
    return float(np.quantile(scores[~np.isnan(scores)], calibration.CALIBRATION_LEVEL))


def _median_rule(windows: list[np.ndarray]) -> float:
    return calibration.score_scale(np.concatenate(windows))


# name: (aggregate of the windows' scores, which periods are left out, months after a kept-out period left out too,
#        distrust a window whose training ended less than this many months after a known period (0: never))
RULES = {
    "before: median of per-year 80% quantiles, every period scored": (_per_year_quantile, "none", 0, 0),
    "after (calibrate): 1.90 x median of all scores, kept-out periods not scored": (_median_rule, "kept", 0, 0),
    "per-year quantiles, kept-out periods not scored": (_per_year_quantile, "kept", 0, 0),
    "per-year quantiles, kept-out periods and 3 months after not scored": (_per_year_quantile, "kept", 3, 0),
    "pooled 80% quantile, kept-out periods not scored": (_pooled_quantile, "kept", 0, 0),
    "1.90 x median, every period scored": (_median_rule, "none", 0, 0),
    "1.90 x median, every known period not scored (waiting ones too)": (_median_rule, "known", 0, 0),
    "1.90 x median, kept-out not scored, windows trained < 4 months after a period left out":
        (_median_rule, "kept", 0, 4),
}


def replay(case: Case, rule: str) -> tuple[float, float]:
    """The width and year-total factors ``rule`` gives ``case`` (``calibrate``'s evidence weighing and bounds)."""
    aggregate, leave_out, after, distrust = RULES[rule]
    if not case.window_paths:
        return calibration.FALLBACK_SCALE, 1.0
    windows = _scores(case, leave_out=leave_out, after=after)
    trusted = [not (0 <= since * 12 // case.season < distrust) for since in case.window_train_exceptional]
    windows = [w if ok else np.full(len(w), np.nan) for w, ok in zip(windows, trusted)]
    n_scores = int(sum((~np.isnan(w)).sum() for w in windows))
    if n_scores == 0:
        return calibration.FALLBACK_SCALE, 1.0
    evidence = min(1.0, n_scores / (calibration.CALIBRATION_WINDOWS * case.season))
    scale = calibration.weigh_evidence(float(np.clip(aggregate(windows), *calibration.SCALE_BOUNDS)), evidence=evidence)
    totals = [calibration._total_score(calibration.apply_scale(paths, scale),
                                       np.where(np.isnan(w), np.nan, scored) if leave_out != "none" else scored)
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
    args = parser.parse_args()
    pd.set_option("display.width", 250, "display.max_rows", 500, "display.max_columns", 30)
    for panel in args.panels.split(","):
        cases = collect(panel, args.series, args.jobs, args.cache)
        print(f"### {panel}: {len(cases)} cases (series x origins)\n")
        print(markdown(rule_table(cases), first="rule"), "\n", flush=True)
        if args.diagnose:
            print(diagnose(cases).round(2).to_string(), "\n")


if __name__ == "__main__":
    main()

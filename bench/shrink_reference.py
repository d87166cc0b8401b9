"""What the blend's change shrink should measure the forecast change against: rules replayed on the real panels (issue 14).

``BlendCore`` shrinks the blend's forecast change on the year before towards no
change (``CHANGE_SHRINK`` for rises, ``FALL_SHRINK`` for falls, both tuned on
London's milestone calibration); the change is the log ratio of the median
paths' first-year total to the same periods of the last year observed. When a
series fell inside that last year and stayed down (police.uk, origin 2020-10:
South Yorkshire theft from the person, City of London burglary), the last year
still holds the months before the fall and the shrink pulls the forecast back
up. The rules below measure the change against something else:

- ``last-year``: the product's rule (its rows match bench/accuracy.py's crimecast rows run with ``--no-drift``, window
  for window; the dataset drift of session 28 is not replayed here);
- ``after-step``: the part of the last year after the latest level shift the Prophet member modelled, when
  one lies inside the last year (that part's seasonally adjusted mean carried over the forecast year with the
  month effects);
- ``after-step-6``: the same with steps searched as the member searches them but confirmed by a run of 6
  points (half a year) instead of 7, so a fall six months before the origin counts;
- ``recent-level``: always the last half-year's seasonally adjusted level (the recent-level member's point forecast);
- ``recent-if-shifted``: the recent level only when the last half-year's adjusted mean differs from the
  half-year's before it by a two-mean t of 4 or more (the step search's threshold) with every point on its new side;
- ``halfway``: the geometric mean of the last year's total and the recent level's;
- ``beyond-both``: only the part of the change beyond both the last year and the recent level is shrunk
  (none when the forecast lies between them);
- ``rise-shrink-*``, ``fall-shrink-*``: the last year, with the shrink constants moved (a sensitivity check).

Every series and origin of bench/accuracy.py (same series, seeds, exceptional
periods and seasonal references) is fitted once per origin; the fitted cores
are shared between the rules (``FitCache``) and only the sampled paths
(forecast and calibration windows) are redrawn per rule, so every row is what
the accuracy bench would give with the rule in the product. Prints per panel
the mean MASE, one-year total error and coverage, and MASE, total error and 80%
coverage by origin year. Nothing is written to bench/RESULTS.md.

What it showed (session 27, 30 series per panel): neither of the two series
has a step at that origin (the fall is six months old, one short of the run
rule, and even a run of 6 finds none), and every rule that measures against
the lower recent level makes the police.uk forces' total error worse (11.3%
-> 11.7-13.4%): most of the forces' series that fell with lockdown 1 came
back in 2021 (City of London and Merseyside theft from the person, City of
London violence), and pulling them back up was right. The same rules help
London and the police.uk local authorities (London 8.7% -> 7.8-8.3%, LAs
13.8% -> 11.7-13.3%), but only at the 2020-10 origin: at London's 2021 and
2022 origins and the Home Office table's they are level or worse. At the one
origin where the rules differ, the panels disagree on whether lockdown-1 falls
lasted, which no rule using the data before the origin can tell; the product's
rule was kept.

    nice -n 5 python bench/shrink_reference.py --series 30                  # every panel, about 5 minutes
    nice -n 5 python bench/shrink_reference.py --series 30 --panels police-uk-forces --rules last-year,recent-level
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.accuracy import _from_paths, _scores, known_by, markdown, references, replay_panels, replay_parser  # noqa: E402
from crimecast.data.exceptional import load_exceptional  # noqa: E402
from crimecast.defaults import DEFAULT_EXCEPTIONAL, DEFAULT_PATHS, DEFAULT_SEED  # noqa: E402
from crimecast.forecast.backtest import backtest_origins  # noqa: E402
from crimecast.forecast.calibrate import FitCache  # noqa: E402
from crimecast.forecast.cores import RECENT_LEVEL_YEARS, BlendCore, series_frequency  # noqa: E402
from crimecast.forecast.gaps import fill_gaps, season_effects  # noqa: E402
from crimecast.forecast.models import CHANGE_SHRINK, FALL_SHRINK, CrimeForecaster  # noqa: E402
from crimecast.forecast.parallel import map_series  # noqa: E402
from crimecast.forecast.seasonal import seasonally_adjust  # noqa: E402
from crimecast.forecast.spc import MIN_POINTS, STEP_T_CRITICAL, _step_t, detect_steps  # noqa: E402
from crimecast.forecast.steps import search_start, step_search_points  # noqa: E402


# --- what a rule sees ------------------------------------------------------------------------------------

def _adjusted(y_log: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The series' log values less their period effects, and the effect of each period from the first on."""
    frequency = series_frequency(y_log)
    per_year = frequency.periods_per_year
    effects = season_effects(y_log).loc[frequency.range(y_log.index[0], periods=per_year).month].to_numpy()
    values = y_log.to_numpy(dtype=float)
    return values - effects[np.arange(len(values)) % per_year], effects


def level_total(y_log: pd.Series, start: int, periods: int) -> float:
    """Total over the next ``periods`` of the adjusted mean from position ``start`` on, with the period effects."""
    adjusted, effects = _adjusted(y_log)
    future = effects[(len(y_log) + np.arange(periods)) % len(effects)]
    return float(np.expm1(adjusted[start:].mean() + future).clip(0.0, None).sum())


def _inside_last_year(y_log: pd.Series, months) -> int | None:
    per_year = series_frequency(y_log).periods_per_year
    positions = [int(y_log.index.get_loc(m)) for m in months]
    inside = [p for p in positions if p > len(y_log) - per_year]
    return max(inside) if inside else None


def _steps_run(y_log: pd.Series, run_length: int) -> list:
    """The member's step search (``find_level_shifts``) with another run length."""
    counts = np.expm1(y_log)
    recent = counts.iloc[search_start(np.ones(len(counts), dtype=bool),
                                      need=step_search_points(series_frequency(counts))):]
    if len(recent) < MIN_POINTS or recent.nunique() <= 1:
        return []
    effects = np.exp(season_effects(y_log))
    adjusted, _ = seasonally_adjust(recent, effects / effects.mean())
    return detect_steps(adjusted, run_length=run_length)


def _half_year_shifted(y_log: pd.Series) -> bool:
    adjusted, _ = _adjusted(y_log)
    half = max(round(series_frequency(y_log).periods_per_year * RECENT_LEVEL_YEARS), 1)
    last = adjusted[-2 * half:]
    before, after = last[:half].mean(), last[half:]
    one_side = bool((after > before).all() or (after < before).all())
    return one_side and abs(_step_t(last, half)) >= STEP_T_CRITICAL


# --- the rules: (blend, first-year median total, periods) -> log change the shrink acts on ---------------

def _log_change(forecast: float, reference: float) -> float:
    return float(np.log1p(forecast) - np.log1p(reference))


def _recent_total(blend, periods: int) -> float:
    half = max(round(series_frequency(blend.history_).periods_per_year * RECENT_LEVEL_YEARS), 1)
    return level_total(blend.history_, len(blend.history_) - half, periods)


def last_year(blend, forecast: float, periods: int) -> float:
    return _log_change(forecast, blend.last_year_[:periods].clip(0.0, None).sum())


def after_step(blend, forecast: float, periods: int, *, run_length: int | None = None) -> float:
    steps = ([s for core in blend.cores_ for s in getattr(core, "steps_", [])] if run_length is None
             else _steps_run(blend.history_, run_length))
    start = _inside_last_year(blend.history_, [s.month for s in steps])
    if start is None:
        return last_year(blend, forecast, periods)
    return _log_change(forecast, level_total(blend.history_, start, periods))


def recent_level(blend, forecast: float, periods: int) -> float:
    return _log_change(forecast, _recent_total(blend, periods))


def recent_if_shifted(blend, forecast: float, periods: int) -> float:
    if not _half_year_shifted(blend.history_):
        return last_year(blend, forecast, periods)
    return recent_level(blend, forecast, periods)


def halfway(blend, forecast: float, periods: int) -> float:
    year = blend.last_year_[:periods].clip(0.0, None).sum()
    return _log_change(forecast, float(np.sqrt(year * _recent_total(blend, periods))))


def beyond_both(blend, forecast: float, periods: int) -> float:
    to_year, to_recent = last_year(blend, forecast, periods), recent_level(blend, forecast, periods)
    if to_year * to_recent <= 0:
        return 0.0
    return min(to_year, to_recent, key=abs)


def other_shrinks(blend, forecast: float, periods: int, *, rise: float, fall: float) -> float:
    """The last-year change scaled so the blend's shrinks act as ``rise`` and ``fall`` would (a sensitivity check)."""
    change = last_year(blend, forecast, periods)
    return change * (rise / blend.change_shrink if change >= 0 else fall / blend.fall_shrink)


RULES: dict[str, Callable] = {
    "last-year": last_year, "after-step": after_step, "after-step-6": partial(after_step, run_length=6),
    "recent-level": recent_level, "recent-if-shifted": recent_if_shifted, "halfway": halfway,
    "beyond-both": beyond_both,
    # the product's constants moved (CHANGE_SHRINK 0.3 for rises, FALL_SHRINK 0.55 for falls)
    "rise-shrink-0": partial(other_shrinks, rise=0.0, fall=FALL_SHRINK),
    "rise-shrink-0.45": partial(other_shrinks, rise=0.45, fall=FALL_SHRINK),
    "fall-shrink-0.4": partial(other_shrinks, rise=CHANGE_SHRINK, fall=0.4),
    "fall-shrink-0.7": partial(other_shrinks, rise=CHANGE_SHRINK, fall=0.7),
}


@contextlib.contextmanager
def measured_against(rule: Callable) -> Iterator[None]:
    """``BlendCore`` measuring its forecast change with ``rule`` (and keeping its filled training series)."""
    fit_members, year_change = BlendCore.fit_members, BlendCore._year_change

    def keeping_history(self, cores, y_log=None):
        fit_members(self, cores, y_log)
        self.history_ = None if y_log is None else fill_gaps(y_log)
        return self

    def change(self, paths):
        periods = min(paths.shape[1], len(self.last_year_))
        forecast = float(np.expm1(np.median(paths[:, :periods], axis=0)).clip(0.0, None).sum())
        return rule(self, forecast, periods)

    BlendCore.fit_members, BlendCore._year_change = keeping_history, change
    try:
        yield
    finally:
        BlendCore.fit_members, BlendCore._year_change = fit_members, year_change


# --- replay ----------------------------------------------------------------------------------------------

def replay_series(item, *, rules: tuple[str, ...], windows: int, exceptional, seasonal: dict) -> pd.DataFrame:
    """Every rule on bench/accuracy.py's origins of one series, the cores fitted once per origin."""
    category, area, y = item
    season = series_frequency(y).periods_per_year
    rows = []
    for origin in backtest_origins(len(y), windows=windows, horizon=season, frequency=series_frequency(y)):
        train, actual = y.iloc[:origin], y.to_numpy(dtype=float)[origin:origin + season]
        fits = FitCache()
        for name in rules:
            fits._paths.clear()  # the sampled paths depend on the rule; the fitted cores do not
            with measured_against(RULES[name]):
                forecaster = CrimeForecaster(n_paths=DEFAULT_PATHS, seed=DEFAULT_SEED,
                                             exceptional=known_by(exceptional, train),
                                             seasonal_reference=seasonal.get(category)).fit(train, fits=fits)
                window = _from_paths(forecaster.predict(season).paths, 0.0)
            rows.append({"category": category, "area": area, "rule": name, "origin": y.index[origin],
                         **_scores(window, train.to_numpy(dtype=float), actual, season)})
    return pd.DataFrame(rows)


def summary(scores: pd.DataFrame, rules: tuple[str, ...]) -> str:
    """Per rule: mean MASE, total error, coverage; then MASE, total error and 80% coverage by origin year."""
    table = scores.groupby("rule").agg(**{"mean MASE": ("mase", "mean"), "mean total error %": ("total_ape", "mean"),
                                          "80% coverage %": ("coverage80", "mean"),
                                          "95% coverage %": ("coverage95", "mean")}).loc[list(rules)]
    by_year = scores.assign(year=pd.to_datetime(scores["origin"]).dt.year)
    parts = [markdown(table, first="rule")]
    for value, label in (("mase", "MASE"), ("total_ape", "total error %"), ("coverage80", "80% coverage %")):
        pivot = by_year.pivot_table(index="rule", columns="year", values=value, aggfunc="mean").loc[list(rules)]
        parts.append(f"{label} by origin year:\n\n" + markdown(pivot.rename(columns=lambda y: f"{label} {y}"),
                                                                 first="rule"))
    return "\n\n".join(parts)


def main() -> None:
    parser = replay_parser(__doc__)
    parser.add_argument("--rules", default=",".join(RULES), help=f"comma-separated, from {', '.join(RULES)}")
    args = parser.parse_args()
    rules = tuple(r.strip() for r in args.rules.split(",") if r.strip())
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        sys.exit(f"unknown rule(s) {', '.join(unknown)}; rules: {', '.join(RULES)}.")
    exceptional = load_exceptional(DEFAULT_EXCEPTIONAL)
    for name, title, every, series in replay_panels(args.panels, args.series):
        frames = map_series(partial(replay_series, rules=rules, windows=args.windows, exceptional=exceptional,
                                    seasonal=references(every)), series, jobs=args.jobs,
                            progress=lambda label: print(f"  {name}: {label}", file=sys.stderr, flush=True),
                            label=lambda item: f"{item[0]} / {item[1]}")
        scores = pd.concat(frames, ignore_index=True)
        print(f"### {title} (`{name}`), {len(series)} of {len(every)} series\n\n{summary(scores, rules)}\n", flush=True)


if __name__ == "__main__":
    main()

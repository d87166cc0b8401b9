"""Conformal calibration of interval width from the series' own backtests.

Prophet's intervals on monthly crime cover far fewer outcomes than they
claim, because its noise and trend uncertainty are estimated in-sample. We
refit the core at earlier origins, measure how far the outcomes fell from
the median in units of the core's own 80% half-width, and widen (or narrow)
the spread of every path around the median by that factor. The factor is
the median of the three backtest years' scores, taken together, times 1.90
(for normal errors, the ratio of the 80% quantile of the absolute error to
its median; ``score_scale``): a median of 36 scores is steadier than an 80%
quantile of one year's 12 (or 4 quarters), and however wild one year was,
it moves the median no further than the other years' upper quartile.
The factor used is ``WINDOW_FACTOR_SHARE`` (0.9) of that: the first years
after the lockdowns settled (London's 2021-22, the Home Office's 2022-23)
were calmer than any year a window could see, the pre-2020 years included,
and were over-covered (86.6% and 85.9% for a nominal 80% on every series
of the two panels); nine tenths of the factor puts every origin year of
both panels inside 75-85%, at a cost of about two points over the longer
history (bench/RESULTS.md, "calibration-share").
Periods the fit keeps out (a settled exceptional period, such as a lockdown
once six months of data follow it) are kept out of the scores too: the
forecast does not expect them back, and with two of the three years holding
2020-21 they had set the width (88-89% coverage for a nominal 80% on
London's 2021 and 2022 origins under the median of per-year 80% quantiles
that came before; bench/calibration_windows.py replays both). A period
still waiting to settle stays in the fit and in the scores: the coming year
may be as disturbed as it was. Path shapes, and so the correlation that
annual totals need, are kept.

Evidence is weighed: three full years of scores set the factor alone; fewer
(a series with only one or two backtest years, exceptional months left out,
or a series under four years long, calibrated on the part-year after its
first two years) pull it towards the factor typical of real series,
``FALLBACK_SCALE``, in proportion (on the log scale) to what is missing.
A series too short for even half a year of backtest gets ``FALLBACK_SCALE``.

Year totals are calibrated too. Monthly coverage says nothing about how
months move together, and a year's total is what milestones are judged on:
in each window the actual one-year total is scored against the totals of
the (monthly calibrated) paths, in units of their 80% half-width, and the
root mean square of those scores over the windows, relative to what a
calibrated forecast gives, is the total factor. Three windows are little
evidence, so the factor is pulled half-way (on the log scale, in proportion
to the windows scored) towards 1. Paths apply it by stretching each path's
mean deviation over the first year from the median (``apply_scale``):
the year total's spread grows by about that factor, and each month's a little.

How paths are stretched (``apply_scale``) widens them without pushing year
totals up. A path's deviation from each period's median has two parts: its
level over the year (the mean deviation over the year's periods) and each
period's own deviation around that level. The level is stretched on the log
scale, as an error in the level multiplies every month; each period's own
deviation is stretched on the count scale, as counting noise adds. Stretching
both on the log scale, as before, made every month's counts more right-skewed
the wider it stretched them (a month's mean over its median grows as
``exp(scale ** 2 * sigma ** 2 / 2)``), and a year's total, a sum of months whose
own noise partly cancels, follows the means: on low counts the median of the
summed paths ran above the summed monthly medians by several times what the
core's own paths gave (police.uk's City of London burglary, about 20 a month,
at the 2020-10 origin with a factor of 2.4: 6.5% above, against 1.0% before
calibration; 4.9% under this stretch). A linear stretch widens the month noise
without changing its shape, so its mean over its median grows only in
proportion to the stretch. Each period's median is then put where the log-scale
stretch puts it (where the core had it, but for the year-total factor's stretch
of path levels): the shape of the month noise never moves the point forecast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from crimecast.data.frequency import frequency_of

CALIBRATION_LEVEL = 0.8
CALIBRATION_WINDOWS = 3
CALIBRATION_MIN_TRAIN = 36
CALIBRATION_MIN_TRAIN_YEARS = 3  # CALIBRATION_MIN_TRAIN in years: 36 months or 12 quarters
# A series with no full window after three years' training is calibrated on the periods after
# its first two years (the least a seasonal model is fitted to), if they make half a year or more.
SHORT_MIN_TRAIN_YEARS = 2
SHORT_MIN_WINDOW_YEARS = 0.5
CALIBRATION_PATHS = 400
# Windows are always a year long, whatever the forecast's horizon, so that the
# width (and so every month's interval) does not depend on how far ahead one asks.
CALIBRATION_HORIZON = 12
SCALE_BOUNDS = (0.5, 6.0)
# The share of the windows' factor used (see the module's docstring): the middle of the range, 0.87-0.93 of it, that
# put every one of the three yearly origins of bench/accuracy.py inside 75-85% coverage on every series of London and
# the Home Office table (tuned on both; the police.uk panels, calibrated mostly on FALLBACK_SCALE, moved by 0.3-1.0
# point); over London's 11 yearly origins and the Home Office's 16, 80% coverage 79.9 -> 77.9% and 79.0 -> 76.8%.
WINDOW_FACTOR_SHARE = 0.9
# Used when a series is too short to calibrate on itself, and as the prior its
# own evidence is weighed against: the median scale the calibration picked on
# London series at their last four yearly origins, the model run as the product runs it, before
# WINDOW_FACTOR_SHARE (bench/calibration_scale.py, bench/RESULTS.md: 1.81 under the median-of-scores rule; it was 1.64
# under the median of per-year quantiles, when this was 1.7). It is not scaled by WINDOW_FACTOR_SHARE: a series
# without its own windows is fitted on under four years, and the police.uk panels (2018-2021, calibrated mostly on
# this) cover 79.4% (forces) and 77.0% (local authorities) with it (section "accuracy-all-series").
FALLBACK_SCALE = 1.8
# What London series' factors usually are, for the wide-intervals note: the middle half of the factors on London
# series (quartiles 1.49 / 1.83 / 2.24 before WINDOW_FACTOR_SHARE, at most 3.32; bench/RESULTS.md, calibration-scale).
TYPICAL_SCALES = (1.3, 2.0)
# A factor this large is said to make the intervals wide, with the backtest years it came from: beyond the range of
# the factor on London series (at most 3.0 with WINDOW_FACTOR_SHARE). It changes only what is said, never a number.
WIDE_SCALE = 3.0
_TYPICAL = f"where {TYPICAL_SCALES[0]:.1f} to {TYPICAL_SCALES[1]:.1f} is typical"
WIDE_INTERVALS = (f"intervals are wide (width factor {WIDE_SCALE:g} or more, {_TYPICAL}): in "
                  "some backtest years the counts ran far outside the model's own intervals; a forecast of one of these "
                  "series alone says which years and by how much.")
# Year-total factor: windows' weight against the prior of 1 is n / (n + TOTAL_PRIOR_WINDOWS) (a half for three
# windows), and the factor is kept within TOTAL_SCALE_BOUNDS. A calibrated forecast's score (error over the 80%
# half-width) has a mean square of 1 / 1.2816 ** 2 (normal errors).
TOTAL_PRIOR_WINDOWS = 3
TOTAL_SCALE_BOUNDS = (0.7, 3.0)
_NORMAL_80 = 1.2816


@dataclass(frozen=True)
class Calibration:
    """How much the core's spread around its median is scaled, and on what evidence."""

    scale: float
    n_scores: int
    windows: int
    evidence: float = 1.0  # scored periods over three full windows' worth (capped at 1): the weight of the data
    total_scale: float = 1.0  # how much each path's first-year level deviation is stretched (apply_scale)
    # Per window: (origin, the window's own factor, the median relative miss of its scored periods, actual over the
    # median minus 1): what a wide factor came from, for the note that says so (``wide_note``).
    window_misses: tuple[tuple[int, float, float], ...] = ()

    @property
    def from_data(self) -> bool:
        return self.n_scores > 0


def calibration_origins(n_months: int, *, horizon: int, windows: int = CALIBRATION_WINDOWS,
                        min_train: int = CALIBRATION_MIN_TRAIN) -> list[int]:
    """Origins (training lengths) of the non-overlapping windows ending at ``n_months`` (periods, in fact)."""
    origins = [n_months - horizon * k for k in range(windows, 0, -1)]
    return [o for o in origins if o >= min_train]


def short_window(n_periods: int, *, horizon: int, periods_per_year: int) -> int | None:
    """Origin of the one part-year window a series too short for ``calibration_origins`` is calibrated on.

    Training is at least two years, and the window runs to the end of the
    series (at most ``horizon`` periods); ``None`` when that leaves less than half a year.
    """
    origin = max(SHORT_MIN_TRAIN_YEARS * periods_per_year, n_periods - horizon)
    return origin if n_periods - origin >= SHORT_MIN_WINDOW_YEARS * periods_per_year else None


def weigh_evidence(scale: float, *, evidence: float, prior: float = FALLBACK_SCALE) -> float:
    """``scale`` pulled towards ``prior`` on the log scale: ``evidence`` (0 to 1) is the data's weight."""
    evidence = float(np.clip(evidence, 0.0, 1.0))
    return float(np.exp(evidence * np.log(scale) + (1 - evidence) * np.log(prior)))


def score_scale(scores: np.ndarray, *, level: float = CALIBRATION_LEVEL) -> float:
    """The factor that makes ``level`` intervals cover ``scores``: their median times ``_level_over_median(level)``.

    ``scores`` are absolute errors in units of the ``CALIBRATION_LEVEL``
    half-width; for normal errors their ``level`` quantile is the median
    times that ratio (1.90 at 80%), and the median is not moved by how wild
    the wildest scores are. ``NaN`` scores (periods kept out) are left out.
    """
    scores = np.asarray(scores, dtype=float)
    return float(np.median(scores[~np.isnan(scores)]) * _level_over_median(level))


def _level_over_median(level: float) -> float:
    """For normal errors, the ``level`` quantile of the absolute error over its median (1.90 at 80%, 2.91 at 95%)."""
    normal = NormalDist()
    return normal.inv_cdf((1 + level) / 2) / normal.inv_cdf(0.75)


class FitCache:
    """Cores fitted to the leading part of one series, shared explicitly within one piece of work.

    A forecast calibrates on the three years before its origin, and a
    backtest refits at origins a year apart, each calibrating on the three
    years before it, so the same training data recurs: the forecast's
    calibration windows are the backtest's windows. The caller makes one
    cache per series (``CrimeForecaster.fit`` makes its own when given
    none), so how many fits a command makes never depends on what ran before
    it in the process. A core is keyed by the model (``repr(make_core)``)
    and the exact training data, so a shared core is the one a fresh fit
    would give.
    """

    def __init__(self) -> None:
        self._cores: dict[tuple, object] = {}
        self._paths: dict[tuple, np.ndarray] = {}
        self.fits = 0

    @staticmethod
    def _key(y_log: pd.Series, make_core: Callable) -> tuple:
        return (repr(make_core), y_log.index[0], len(y_log), y_log.to_numpy(dtype=float).tobytes())

    def core(self, y_log: pd.Series, make_core: Callable):
        """``make_core()`` fitted to ``y_log``, fitted once."""
        key = self._key(y_log, make_core)
        if key not in self._cores:
            core = make_core()
            if hasattr(core, "fit_members"):  # a blend: members fitted once too (the ETS member is the ETS baseline)
                self._cores[key] = core.fit_members([self.core(y_log, member) for member in core.makers], y_log)
            else:
                self._cores[key] = core.fit(y_log)
                self.fits += 1
        return self._cores[key]

    def window_paths(self, y_log: pd.Series, origin: int, horizon: int, make_core: Callable, seed: int) -> np.ndarray:
        """Log paths of the calibration window from ``origin`` (the core fitted to what came before), sampled once."""
        key = (self._key(y_log.iloc[:origin], make_core), horizon, seed)
        if key not in self._paths:
            core = self.core(y_log.iloc[:origin], make_core)
            self._paths[key] = core.sample(horizon, CALIBRATION_PATHS, seed)
        return self._paths[key]


def _median_and_half_width(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The median of ``values`` (paths along axis 0) and the half-width of their central ``CALIBRATION_LEVEL`` interval."""
    tail = (1 - CALIBRATION_LEVEL) / 2
    low, median, high = np.quantile(values, [tail, 0.5, 1 - tail], axis=0)
    return median, np.maximum((high - low) / 2, 1e-6)


def _window_scores(paths: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """How far each actual fell from the paths' median, in units of their 80% half-width (``NaN`` where exceptional)."""
    median, half_width = _median_and_half_width(paths[:, :len(actual)])
    return np.abs(actual - median) / half_width


def _total_score(paths: np.ndarray, actual: np.ndarray) -> float:
    """The window's actual total against the paths' totals (logs), in units of their 80% half-width.

    Exceptional months are left out of both totals; ``NaN`` when fewer than half the months are left.
    """
    paths = paths[:, :len(actual)]
    kept = ~np.isnan(actual)
    if kept.sum() < len(actual) / 2:
        return float("nan")
    totals = np.log1p(np.expm1(paths[:, kept]).clip(0.0, None).sum(axis=1))
    median, half_width = _median_and_half_width(totals)
    return float((np.log1p(np.expm1(actual[kept]).sum()) - median) / half_width)


def total_scale(scores: list[float]) -> float:
    """The year-total factor from the windows' total scores, weighed against 1 (``NaN`` scores left out)."""
    scores = np.asarray([s for s in scores if np.isfinite(s)], dtype=float)
    if not len(scores):
        return 1.0
    raw = float(np.clip(np.sqrt(np.mean(scores ** 2)) * _NORMAL_80, *TOTAL_SCALE_BOUNDS))
    return weigh_evidence(raw, evidence=len(scores) / (len(scores) + TOTAL_PRIOR_WINDOWS), prior=1.0)


def calibrate(y_log: pd.Series, make_core: Callable, *, seed: int, horizon: int = CALIBRATION_HORIZON,
              fits: FitCache | None = None, scored: pd.Series | None = None) -> Calibration:
    """Scale factor for the core's spread, from backtests inside ``y_log``.

    ``y_log`` holds ``NaN`` for periods kept out of fitting (settled
    exceptional periods): they are gaps in each window's training data (see
    ``cores``) and are not scored. ``scored`` (default ``y_log``) is what
    each window is scored on where ``y_log`` is not ``NaN``:
    ``CrimeForecaster`` passes the log counts themselves, since its
    ``y_log`` has month effects pooled with the whole's. The factor is
    ``WINDOW_FACTOR_SHARE`` of ``score_scale`` of every window's scores together. A series with
    no full window is calibrated on one part-year window (``short_window``).
    The factor from fewer scores than three full windows is weighed against
    ``FALLBACK_SCALE`` (``weigh_evidence``). Returns the fallback scale, with
    ``n_scores == 0``, when the series is too short for even a part-year
    window, or every scored period was kept out.
    ``fits`` shares fitted cores with the caller's other work on this series.
    """
    per_year = frequency_of(y_log).periods_per_year
    origins = calibration_origins(len(y_log), horizon=horizon, min_train=CALIBRATION_MIN_TRAIN_YEARS * per_year)
    if not origins:
        short = short_window(len(y_log), horizon=horizon, periods_per_year=per_year)
        origins = [] if short is None else [short]
    if not origins:
        return Calibration(scale=FALLBACK_SCALE, n_scores=0, windows=0, evidence=0.0)
    fits = fits or FitCache()
    kept_out = np.isnan(y_log.to_numpy(dtype=float))
    values = np.where(kept_out, np.nan, (y_log if scored is None else scored).to_numpy(dtype=float))
    windows = [(fits.window_paths(y_log, o, horizon, make_core, seed + o), values[o:o + horizon]) for o in origins]
    scores = np.concatenate([_window_scores(paths, actual) for paths, actual in windows])
    n_scores = int((~np.isnan(scores)).sum())
    if n_scores == 0:  # every window's periods kept out
        return Calibration(scale=FALLBACK_SCALE, n_scores=0, windows=0, evidence=0.0)
    evidence = min(1.0, n_scores / (CALIBRATION_WINDOWS * horizon))
    scale = weigh_evidence(float(np.clip(WINDOW_FACTOR_SHARE * score_scale(scores), *SCALE_BOUNDS)), evidence=evidence)
    totals = [_total_score(apply_scale(paths, scale), actual) for paths, actual in windows]
    return Calibration(scale=scale, n_scores=n_scores, windows=len(origins), evidence=evidence,
                       total_scale=total_scale(totals), window_misses=tuple(
                           _window_miss(origin, paths, actual) for origin, (paths, actual) in zip(origins, windows)
                           if not np.isnan(actual).all()))


def _window_miss(origin: int, paths: np.ndarray, actual: np.ndarray) -> tuple[int, float, float]:
    """``(origin, factor, miss)``: the window's own factor (``score_scale`` of its scores) and the median of its
    scored periods' relative misses (actual over the paths' median, minus 1)."""
    median = np.median(paths[:, :len(actual)], axis=0)
    return origin, score_scale(_window_scores(paths, actual)), float(np.expm1(np.nanmedian(actual - median)))


def wide_note(calibration: Calibration, index: pd.DatetimeIndex, *, label: Callable[[pd.Timestamp], str],
              noun: str) -> str | None:
    """One line saying the intervals are wide and why (the backtest years the model missed by far more than its
    own intervals), when the factor reaches ``WIDE_SCALE``; else ``None``.

    A wide year whose typical miss rounds to 0% (its periods ran far out on both sides of the forecast) is left out
    of the years said to have run above or below it; when every wide year is such a year, the line says that.
    """
    if calibration.scale < WIDE_SCALE or not calibration.window_misses:
        return None
    wide = [m for m in calibration.window_misses if m[1] >= WIDE_SCALE] or [max(calibration.window_misses,
                                                                                 key=lambda m: m[1])]
    missed = [m for m in wide if f"{abs(m[2]):.0%}" != "0%"] or wide
    years = " and ".join(label(index[origin]) for origin, _, _ in missed)
    return (f"intervals are wide (width factor {calibration.scale:.1f}, {_TYPICAL}): in the "
            f"backtest year{'s' if len(missed) > 1 else ''} from {years} the counts ran {_misses(missed, noun=noun)}, "
            "far outside the model's own intervals, so every interval is widened to cover misses that size.")


def _misses(wide: list[tuple[int, float, float]], *, noun: str) -> str:
    """How the wide years' counts ran against the forecast: ``"19% and 21% above the forecast in a typical month"``;
    ``"above and below the forecast (a typical month close to it)"`` when each year's typical miss rounds to 0%."""
    if all(f"{abs(miss):.0%}" == "0%" for _, _, miss in wide):
        return f"above and below the forecast (a typical {noun} close to it)"
    sides = {"above" if miss > 0 else "below" for _, _, miss in wide}
    misses = (" and ".join(f"{abs(miss):.0%}" for _, _, miss in wide) + f" {sides.pop()}" if len(sides) == 1 else
              " and ".join(f"{abs(miss):.0%} {'above' if miss > 0 else 'below'}" for _, _, miss in wide))
    return f"{misses} the forecast in a typical {noun}"


def apply_scale(paths_log: np.ndarray, scale: float, *, total_scale: float = 1.0,
                periods: int | None = None) -> np.ndarray:
    """Stretch every path's distance from each period's median by ``scale`` (log paths in and out).

    Each path's deviation from the median is split, one year (``periods``; default the
    whole horizon, a calibration window) at a time, into its level over the year, its
    mean deviation, stretched by ``scale`` on the log scale, and each period's own
    deviation around that level, stretched by ``scale`` on the count scale (``1 + count``
    moves ``scale`` times as far from the level's, never below a count of zero). The
    first year's level is stretched ``total_scale`` times further, on every period, so
    the spread of year totals grows by about that factor and path shapes are kept.
    Every period's median is then put where stretching both parts on the log scale puts
    it: the median itself at ``total_scale`` 1, and where a path set whose first-year
    levels spread further has it otherwise; so the point forecast does not depend on the
    shape given to the period noise. A year level stretched on the log scale moves the
    year total's median no more than the months', and a count-scale stretch keeps the
    month noise's shape, so the median of the summed paths rises above the sum of the
    monthly medians only in proportion to ``scale``, not with its square in the
    exponent (see the module docstring).
    A period's result depends only on its own year and the first year of the
    paths, so cutting the paths after stretching them never changes the first periods.
    """
    median = np.median(paths_log, axis=0, keepdims=True)
    deviation = paths_log - median
    periods = periods or deviation.shape[1]
    level = np.empty_like(deviation)
    for start in range(0, deviation.shape[1], periods):
        level[:, start:start + periods] = deviation[:, start:start + periods].mean(axis=1, keepdims=True)
    base = median + scale * level + (total_scale - 1.0) * scale * level[:, :1]
    noise = 1.0 + scale * np.expm1(deviation - level)  # 1 + count, relative to the level's
    stretched = base + np.log(np.maximum(noise, np.exp(-base)))  # a count below zero is zero
    on_log_scale = base + scale * (deviation - level)  # where each period's median belongs
    return stretched - np.median(stretched, axis=0, keepdims=True) + np.median(on_log_scale, axis=0, keepdims=True)

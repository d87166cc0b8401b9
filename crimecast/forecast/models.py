"""CrimeForecaster: Prophet configured for monthly crime counts, plus baselines."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import partial
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from crimecast.data.exceptional import ExceptionalPeriod, calendar_of, exceptional_mask, settled_in
from crimecast.data.frequency import Frequency
from crimecast.data.series import recorded_words
from crimecast.defaults import (BASELINES, DEFAULT_HORIZON, DEFAULT_MODEL,  # noqa: F401
                                DEFAULT_PATHS, DEFAULT_SEED, MAX_HORIZON, MODEL_NAMES)  # DEFAULT_* and BASELINES are re-exported for older imports
from crimecast.errors import ModelError, NotFittedError
from crimecast.forecast.calibrate import FALLBACK_SCALE, Calibration, FitCache, apply_scale, calibrate
from crimecast.forecast.cores import (BlendCore, ETSCore, LevelCore, ProphetCore, ProphetDefaultCore, RecentLevelCore,
                                      SeasonalNaiveCore, series_frequency, with_frequency)
from crimecast.forecast.gaps import pool_season
from crimecast.forecast.paths import ForecastResult
from crimecast.forecast.steps import AutoStepProphetCore
from crimecast.forecast.threads import one_blas_thread
from crimecast.words import counted, plural

if TYPE_CHECKING:
    from crimecast.forecast.drift import Drift

MIN_MONTHS_TO_MODEL = 24
MIN_YEARS_TO_MODEL = 2  # MIN_MONTHS_TO_MODEL in years, so that it scales to quarters
MIN_MONTHS = 3  # points: months or quarters


def min_periods_to_model(frequency: Frequency) -> int:
    """Periods of history a seasonal model needs: two years (24 months or 8 quarters)."""
    return MIN_YEARS_TO_MODEL * frequency.periods_per_year


def default_horizon(frequency: Frequency) -> int:
    """One year ahead: 12 months or 4 quarters."""
    return frequency.periods_per_year


@dataclass(frozen=True)
class ModelSpec:
    """A named model: how to build its core and whether intervals are calibrated."""

    make_core: Callable
    calibrated: bool
    description: str


AUTO = "auto"
PROPHET_CHANGEPOINT_RANGE = 0.95
PROPHET_TREND_DAMPING = 0.8
# The blend's forecast change on the last year is shrunk by this share (``BlendCore``): actual changes on the year
# before moved by 0.44 (London) and 0.78 (Home Office) times the forecast change (bench/RESULTS.md, milestones).
CHANGE_SHRINK = 0.3
# Forecast falls are shrunk harder: on London, predicted falls that did not come made the probabilities of meeting
# reduction milestones 11-24 points too high above 70% before the year (bench/RESULTS.md, milestones).
FALL_SHRINK = 0.55
# How a batch says, once for all the series it applies to, that intervals were calibrated on under three years.
PARTLY_CALIBRATED = ("intervals calibrated on under three years of backtests: each width factor is weighed against "
                     f"the factor for series without backtests of their own, {FALLBACK_SCALE:.2f} (a series forecast alone gives its own).")
# The default's month effects are moved this share of the way to those of the whole of the series' category (its
# force, or the sum of a dataset's forces; ``pool_season``): a district's own effects are noisy. Tuned on London
# (mean MASE 0.791 -> 0.779 / 0.778 / 0.779 at 0.5 / 0.75 / 1), confirmed on the Home Office table (1.053 -> 1.039)
# and the police.uk forces (0.984 -> 0.935) and local authorities (0.892 -> 0.834) (bench/RESULTS.md, accuracy).
POOLED_SEASON_WEIGHT = 0.75


def crimecast_core(*, level_shifts: tuple[pd.Timestamp, ...] | str = AUTO,
                   known_changes: tuple[pd.Timestamp, ...] = ()) -> BlendCore:
    """The default model: Prophet configured for counts, averaged with no-trend ETS and the recent level.

    Prophet (month effects, level shifts, changepoints up to the last year,
    damped trend) carries the structure; no-trend ETS adapts the level and
    the seasonal pattern quickly; the recent level (``RecentLevelCore``: the
    last half-year's seasonally adjusted mean with the seasonal pattern of the
    whole history) ignores period-to-period noise. Averaging their log paths
    beat each member on London, the Home Office table and the police.uk forces
    (bench/RESULTS.md); the recent level in place of a damped-trend ETS member
    lowered the mean MASE on all four real panels.
    """
    options = {"changepoint_range": PROPHET_CHANGEPOINT_RANGE, "trend_damping": PROPHET_TREND_DAMPING,
               "known_changes": known_changes}
    if level_shifts == AUTO:
        prophet = partial(AutoStepProphetCore, **options)
    else:
        prophet = partial(ProphetCore, level_shifts=level_shifts, **options)
    return BlendCore((prophet, partial(ETSCore, trend=False), RecentLevelCore), change_shrink=CHANGE_SHRINK,
                     fall_shrink=FALL_SHRINK)


MODELS: dict[str, ModelSpec] = {
    "crimecast": ModelSpec(crimecast_core, True, "Prophet (month effects, level shifts, damped trend) averaged with no-trend ETS and the recent level; calibrated intervals"),
    "prophet": ModelSpec(partial(ProphetCore, changepoint_range=PROPHET_CHANGEPOINT_RANGE, trend_damping=PROPHET_TREND_DAMPING),
                         True, "the Prophet member of crimecast alone (no automatic level shifts), calibrated"),
    "prophet-default": ModelSpec(ProphetDefaultCore, False, "Prophet with its default settings on raw counts"),
    "ets": ModelSpec(ETSCore, False, "damped additive ETS on log counts"),
    "seasonal-naive": ModelSpec(SeasonalNaiveCore, False, "same month last year"),
}
assert tuple(MODELS) == MODEL_NAMES, "crimecast.defaults.MODEL_NAMES must list MODELS"


def _as_series(y: pd.Series) -> pd.Series:
    if not isinstance(y.index, pd.DatetimeIndex):
        raise ModelError("the series must be indexed by month (a DatetimeIndex of month starts).")
    if y.isna().any() or (y < 0).any():
        raise ModelError(f"{y.name or 'series'}: counts must be non-negative with no gaps; load it with load_counts.")
    if len(y) < MIN_MONTHS:
        raise ModelError(f"{y.name or 'series'}: only {series_frequency(y).count_of(len(y))} of data; at least "
                         f"{MIN_MONTHS} are needed for any forecast.")
    return with_frequency(y).astype(float)


def _steps_used(core) -> list:
    members = getattr(core, "cores_", [core])
    return [step for member in members for step in getattr(member, "steps_", [])]


def step_note(step, *, frequency: Frequency, filled: bool = False) -> str:
    """The note on one step modelled as a level shift, its start named as ``frequency`` names a period
    (``2012-11``; ``2019/20 Q1`` for a quarterly series, never the quarter's first month); ``filled``: that period
    was missing from the data and filled in, so the note says the step may have begun a period later."""
    direction = "down" if step.change < 0 else "up"
    origin = "known change" if step.known else "step change"
    start = frequency.label(step.month)
    return (f"{origin} {direction} of {abs(step.change):.0%} from {start} is modelled as a level shift "
            "(pass --no-steps, or level_shifts=(), to switch this off); the periods either side average "
            f"{step.before:,.0f} and {step.after:,.0f} (seasonally adjusted)."
            + (f" {start} itself was missing from the data and filled in, so the step began then or a "
               f"{frequency.noun} later." if filled else ""))


def short_note(periods: int, *, frequency: Frequency, filled: int = 0) -> str:
    """The note on a series too short for a seasonal model, forecast at its recent level; ``filled``: how many of its
    ``periods`` were missing from the data and filled in, so the note says how many are recorded."""
    recorded = recorded_words(periods, filled, frequency)
    return (f"only {frequency.count_of(periods)} of data (fewer than {min_periods_to_model(frequency)}){recorded}: "
            "forecast is the recent average level with no seasonality or trend. Add more history for a seasonal model.")


class CrimeForecaster:
    """Forecast one monthly (or quarterly) crime series as predictive sample paths.

    The series' frequency comes from its index (``freq='MS'`` or
    ``'QS-JAN'``): quarterly series are modelled in quarters, with four
    periods a year.

    Parameters
    ----------
    model
        ``"crimecast"`` (default: Prophet configured for counts, calibrated),
        ``"prophet-default"``, ``"ets"`` or ``"seasonal-naive"``.
    n_paths
        Number of sample paths (at least 1,000 for milestone probabilities).
    seed
        Seed for every random step; the same seed gives identical paths.
    level_shifts
        ``"auto"`` (default): step changes confirmed by the SPC rules in the
        last three years of the seasonally adjusted series become 0/1
        level-shift regressors in the Prophet member. Or a tuple of months to
        use exactly those; ``()`` for none.
    known_changes
        Months of known process changes (recording rules, a reporting
        campaign) that ``"auto"`` always treats as steps.
    exceptional
        Exceptional periods (e.g. lockdowns): their months stay in the
        history shown, but are kept out of model fitting (Prophet skips them;
        ETS and the step search see the seasonal pattern around them instead,
        see ``crimecast.forecast.gaps``), so the forecast returns to the
        pattern around them. The interval calibration windows are fitted the
        same way and do not score them (a shipped calendar's period still
        waiting to settle is fitted and scored, see ``settled``).
        Default ``()``: the library fits what it is given; a
        ``ForecastSpec`` (the command line, scenario, plan and fund files)
        defaults to the ``covid-uk`` calendar.
    seasonal_reference
        Counts of the whole the series belongs to (its category force-wide,
        or summed over a dataset's forces; ``season_references``), indexed by
        month like the series. The default model then fits the series with
        its month effects moved ``POOLED_SEASON_WEIGHT`` of the way to the
        whole's, estimated over the same periods: a district's own effects
        are noisy. Only the periods of the training series are read.
        ``None`` (default) uses the series' own; baselines ignore it.
    drift
        The dataset's drift at the origin (``dataset_drift``): each path's
        period ``h`` ahead is multiplied by ``exp(drift.shifts(...)[h])``, and a
        note says so. ``None`` (default): no shift.

    Attributes
    ----------
    y_
        The training series (counts indexed by month).
    core_
        The fitted model core.
    calibration_
        The interval calibration, or ``None`` for uncalibrated models.
    steps_
        The step changes used as level shifts (``StepChange`` objects).
    notes_
        Automatic decisions taken while fitting, each with how to override it.

    Examples
    --------
    >>> from crimecast import load_counts, with_totals, series_of
    >>> y = series_of(with_totals(load_counts()), category="burglary-dwelling", area="force")
    >>> result = CrimeForecaster(seed=1).fit(y).predict(12)  # doctest: +SKIP
    >>> result.paths.shape  # doctest: +SKIP
    (1000, 12)
    """

    def __init__(self, *, model: str = DEFAULT_MODEL, n_paths: int = DEFAULT_PATHS, seed: int = DEFAULT_SEED,
                 level_shifts: tuple[str | pd.Timestamp, ...] | str = AUTO,
                 known_changes: tuple[str | pd.Timestamp, ...] = (),
                 exceptional: tuple[ExceptionalPeriod, ...] = (),
                 seasonal_reference: pd.Series | None = None, drift: Drift | None = None) -> None:
        self.model = model
        self.drift = drift
        self.seasonal_reference = seasonal_reference
        self.exceptional = exceptional
        self.known_changes = known_changes
        self.n_paths = n_paths
        self.seed = seed
        self.level_shifts = level_shifts

    def get_params(self) -> dict:
        """The constructor parameters, as scikit-learn estimators report them."""
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params) -> "CrimeForecaster":
        """Change constructor parameters; refit afterwards."""
        unknown = set(params) - set(self.get_params())
        if unknown:
            raise ModelError(f"{plural(len(unknown), 'unknown parameter')} {', '.join(sorted(unknown))}; known: {', '.join(self.get_params())}.")
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def _make_core(self) -> Callable:
        if self.model == "crimecast":
            shifts = self.level_shifts if self.level_shifts == AUTO else tuple(pd.Timestamp(s) for s in self.level_shifts)
            known = tuple(pd.Timestamp(s) for s in self.known_changes)
            return partial(crimecast_core, level_shifts=shifts, known_changes=known)
        return MODELS[self.model].make_core

    def fit(self, y: pd.Series, *, fits: FitCache | None = None) -> "CrimeForecaster":
        """Fit to a count series indexed by month (or quarter) start; returns ``self``.

        ``fits`` shares fitted cores between the forecasts of one series (its
        backtest windows, see ``backtest_series``): the results are the same
        with or without it, only faster.
        """
        with one_blas_thread():
            return self._fit(y, fits or FitCache())

    def _fit(self, y: pd.Series, fits: FitCache) -> "CrimeForecaster":
        if self.model not in MODELS:
            raise ModelError(f"unknown model '{self.model}'. Choose one of: {', '.join(MODELS)}.")
        y = _as_series(y)
        self.notes_: list[str] = []
        self.partly_calibrated_note_: str | None = None  # calibrated on under 3 years: a batch says it once (PARTLY_CALIBRATED)
        scored = np.log1p(y)  # what calibration scores (y_log's month effects are pooled); not its kept-out periods
        y_log = self._without_exceptional(scored)
        if self.seasonal_reference is not None and self.model == "crimecast":
            y_log = pool_season(y_log, np.log1p(self.seasonal_reference.astype(float)), weight=POOLED_SEASON_WEIGHT)
        make_core = self._make_core()
        frequency = series_frequency(y)
        if len(y) < min_periods_to_model(frequency):
            make_core = LevelCore
            self.notes_.append(short_note(len(y), frequency=frequency))
        self.core_ = fits.core(y_log, make_core)
        self.calibration_: Calibration | None = None
        if MODELS[self.model].calibrated and make_core is not LevelCore:
            # always one-year windows, so a forecast does not depend on how far ahead it is asked for
            self.calibration_ = calibrate(y_log, make_core, horizon=default_horizon(frequency), seed=self.seed + 1,
                                          fits=fits, scored=scored)
            if not self.calibration_.from_data:
                self.notes_.append(
                    f"series too short to calibrate intervals on its own backtests; used the width factor for series without backtests of their own, {self.calibration_.scale:.2f}."
                )
            elif self.calibration_.evidence < 1:
                self.notes_.append(
                    f"intervals calibrated on only {self.calibration_.n_scores} backtest {frequency.noun}"
                    f"{'s' if self.calibration_.n_scores != 1 else ''} (three years "
                    f"make full evidence): their width factor is weighed against the factor for series without "
                    f"backtests of their own, {FALLBACK_SCALE:.2f}, giving {self.calibration_.scale:.2f}."
                )
                self.partly_calibrated_note_ = self.notes_[-1]
        self.steps_ = _steps_used(self.core_)
        self.notes_ += [step_note(step, frequency=frequency) for step in self.steps_]
        if self.drift is not None and (drift_note := self.drift.note(frequency=frequency)):
            self.notes_.append(drift_note)
        self.y_ = y
        return self

    def _without_exceptional(self, y_log: pd.Series) -> pd.Series:
        """``y_log`` with exceptional months as ``NaN``, and notes saying which were left out or are waiting."""
        frequency = series_frequency(y_log)
        noun = frequency.noun
        periods, notes = settled_in(self.exceptional, y_log.index, last_month=frequency.period_end_month(y_log.index[-1]),
                                    stays_in="the fit", remedy="; give the dates in your own --exceptional file to "
                                    "keep them out now.")
        self.notes_ += notes
        mask = exceptional_mask(y_log.index, periods)
        if not mask.any():
            return y_log
        if mask.all() or (~mask).sum() < MIN_MONTHS:
            raise ModelError(f"{y_log.name or 'series'}: only {frequency.count_of(int((~mask).sum()))} outside the "
                             f"exceptional periods; at least {MIN_MONTHS} are needed. Shorten the periods or add history.")
        names = ", ".join(dict.fromkeys(p.name for p in periods))
        calendar = calendar_of(periods)
        self.notes_.append(f"{counted(int(mask.sum()), f'exceptional {noun}')} ({names}{f' of the {calendar} calendar' if calendar else ''}) "
                           "kept out of fitting; the forecast follows the pattern around them"
                           f"{' (and out of the interval calibration scores)' if MODELS[self.model].calibrated else ''}. "
                           "--exceptional none (exceptional: none in a file) keeps them in.")
        return y_log.where(~mask)

    def predict(self, horizon: int | None = None, *, category: str = "", area: str = "") -> ForecastResult:
        """Simulate ``n_paths`` paths for the next ``horizon`` periods (default: one year; at most
        ``MAX_HORIZON`` months' worth).

        Every path is simulated the longest horizon ahead and cut to
        ``horizon``, so the first periods are identical whatever ``horizon`` is.
        """
        if not hasattr(self, "core_"):
            raise NotFittedError("call fit(series) before predict().")
        frequency = series_frequency(self.y_)
        horizon = horizon or default_horizon(frequency)
        longest = MAX_HORIZON // frequency.months_per_period
        if not 1 <= horizon <= longest:
            raise ModelError(f"horizon {horizon}: forecasts go 1 to {longest} {frequency.noun}s ahead.")
        with one_blas_thread():
            paths_log = self.core_.sample(longest, self.n_paths, self.seed)
        if self.calibration_ is not None:  # on every simulated period, then cut: the first periods never depend on horizon
            paths_log = apply_scale(paths_log, self.calibration_.scale, total_scale=self.calibration_.total_scale,
                                    periods=frequency.periods_per_year)
        if self.drift is not None:
            paths_log = paths_log + self.drift.shifts(longest)
        paths_log = paths_log[:, :horizon]
        paths = np.clip(np.expm1(paths_log), 0.0, None)
        return ForecastResult(category=category, area=area, model=self.model, history=self.y_.astype("int64"),
                              paths=paths, notes=list(self.notes_))

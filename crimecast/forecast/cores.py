"""The models behind the forecasts, as small fit-then-sample pieces.

Each core works on log(1 + count), so that back-transformed paths are never
negative and seasonality is multiplicative, and exposes
``fit(y_log) -> self`` and ``sample(horizon, n_paths, seed) -> (n_paths, horizon)``.
``y_log`` may hold ``NaN`` for exceptional months: Prophet leaves them out of
its fit, and the cores that need every month fill them with the seasonal
pattern around them (``crimecast.forecast.gaps.fill_gaps``).
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from collections.abc import Iterator

import numpy as np
import pandas as pd

from crimecast.data.frequency import MONTHLY, Frequency
from crimecast.forecast.frequency import season_starts, series_frequency, with_frequency  # noqa: F401 (re-exported)
from crimecast.forecast.ets import fit_ets, simulate_ets
from crimecast.forecast.gaps import fill_gaps, season_effects
from crimecast.forecast.prophet_map import fit_prophet_map, quiet_stan_import, sample_prophet

RECENT_LEVEL_YEARS = 0.5  # RecentLevelCore's window: the last half-year (6 months, 2 quarters)


def _import_prophet():
    """Import Prophet with its and cmdstanpy's chatter silenced."""
    with quiet_stan_import("prophet"):
        from prophet import Prophet
    return Prophet


_GLOBAL_NUMPY = threading.Lock()


@contextlib.contextmanager
def _seeded_global_numpy(seed: int) -> Iterator[None]:
    """Prophet draws from numpy's global generator: seed it and restore it after, one thread at a time (the dataset
    drift fits its categories on threads; two samples drawing at once would interleave their draws)."""
    with _GLOBAL_NUMPY:
        state = np.random.get_state()
        np.random.seed(seed)
        try:
            yield
        finally:
            np.random.set_state(state)


def _month_dummies(months: pd.DatetimeIndex, frequency: Frequency = MONTHLY) -> pd.DataFrame:
    """One indicator per period of the year but the first, named by its first month.

    Monthly: m02..m12 (January is the baseline). Quarterly: m04, m07, m10
    (January-March is the baseline).
    """
    starts = season_starts(frequency)[1:]
    return pd.DataFrame({f"m{k:02d}": (months.month == k).astype(float) for k in starts}, index=months)


def _step_columns(months: pd.DatetimeIndex, steps: tuple[pd.Timestamp, ...]) -> pd.DataFrame:
    return pd.DataFrame({f"step_{s:%Y_%m}": (months >= s).astype(float) for s in steps}, index=months)


class ProphetCore:
    """Prophet on log counts with month-of-year effects and level shifts.

    Prophet's Fourier yearly seasonality drifts when fitted to monthly data
    (facebook/prophet#823); one indicator per calendar month is exact for
    monthly data (one per quarter of the year for quarterly data). Level
    shifts (step changes) enter as 0/1 regressors, which
    Prophet's slope changepoints cannot express, given as months
    (``crimecast.forecast.steps.AutoStepProphetCore`` finds them in the series).
    """

    def __init__(self, *, changepoint_prior_scale: float = 0.05, changepoint_range: float = 0.8,
                 seasonality_prior_scale: float = 1.0, level_shifts: tuple[pd.Timestamp, ...] = (),
                 known_changes: tuple[pd.Timestamp, ...] = (), trend_damping: float | None = None) -> None:
        self.known_changes = tuple(known_changes)
        self.changepoint_prior_scale = changepoint_prior_scale
        self.trend_damping = trend_damping
        self.changepoint_range = changepoint_range
        self.seasonality_prior_scale = seasonality_prior_scale
        self.level_shifts = level_shifts

    def design(self, months: pd.DatetimeIndex) -> pd.DataFrame:
        """The regressors at ``months``: month (or quarter) indicators and step columns."""
        return pd.concat([_month_dummies(months, self.frequency_), _step_columns(months, self.active_shifts_)], axis=1)

    def _fit_prophet(self, y_log: pd.Series, shifts: tuple[pd.Timestamp, ...]) -> None:
        months = pd.DatetimeIndex(y_log.index)
        self.active_shifts_ = tuple(s for s in shifts if months[0] < s <= months[-1])
        design = self.design(months)
        priors = [self.seasonality_prior_scale if column.startswith("m") else 10.0 for column in design.columns]
        observed = y_log.notna().to_numpy()  # exceptional months are left out, as Prophet leaves out missing values
        self.fit_ = fit_prophet_map(months[observed], y_log.to_numpy()[observed], design.to_numpy()[observed],
                                    prior_scales=priors, changepoint_prior_scale=self.changepoint_prior_scale,
                                    changepoint_range=self.changepoint_range)
        self.columns_ = list(design.columns)

    @property
    def effects_(self) -> pd.Series:
        """Each regressor's fitted effect on the log scale (month indicators and level shifts), by column."""
        return pd.Series(self.fit_.beta * self.fit_.y_scale, index=self.columns_)

    def fit(self, y_log: pd.Series) -> "ProphetCore":
        """Fit with the level shifts given (``crimecast.forecast.steps.AutoStepProphetCore`` finds them)."""
        self.last_month_ = y_log.index[-1]
        self.frequency_ = series_frequency(y_log)
        self.steps_ = []
        self._fit_prophet(y_log, tuple(self.level_shifts))
        return self

    def sample(self, horizon: int, n_paths: int, seed: int) -> np.ndarray:
        future = self.frequency_.range(self.frequency_.next(self.last_month_), periods=horizon)
        draws = sample_prophet(self.fit_, future, self.design(future).to_numpy(), n_paths=n_paths, seed=seed)
        return draws - self._damping_offset(future)

    def _damping_offset(self, future: pd.DatetimeIndex) -> np.ndarray:
        """How far the damped trend falls short of Prophet's straight-line trend, per month ahead.

        Prophet carries the last slope on for ever; monthly crime rarely keeps
        a slope for a year, so the slope is damped by ``trend_damping`` per month
        (``trend_damping`` cubed per quarter).
        """
        if not self.trend_damping:
            return np.zeros(len(future))
        months = future.insert(0, self.last_month_)
        trend = self.fit_.trend(months)
        slope = trend[1] - trend[0]
        steps = np.arange(1, len(future) + 1)
        damping = self.trend_damping ** self.frequency_.months_per_period
        damped = slope * np.cumsum(damping ** steps)
        return slope * steps - damped


class ProphetDefaultCore:
    """Prophet exactly as a newcomer would run it on raw monthly counts (benchmark only)."""

    def fit(self, y_log: pd.Series) -> "ProphetDefaultCore":
        Prophet = _import_prophet()

        self.model_ = Prophet()
        frame = pd.DataFrame({"ds": y_log.index, "y": np.expm1(y_log.to_numpy())})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.model_.fit(frame, seed=1)
        self.last_month_ = y_log.index[-1]
        self.frequency_ = series_frequency(y_log)
        return self

    def sample(self, horizon: int, n_paths: int, seed: int) -> np.ndarray:
        future = pd.DataFrame({"ds": self.frequency_.range(self.frequency_.next(self.last_month_), periods=horizon)})
        self.model_.uncertainty_samples = n_paths
        with _seeded_global_numpy(seed), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            draws = np.asarray(self.model_.predictive_samples(future)["yhat"]).T
        return np.log1p(np.clip(draws, 0, None))


class ETSCore:
    """Additive ETS on log counts, damped trend by default, simulated paths (``crimecast.forecast.ets``)."""

    def __init__(self, *, trend: bool = True) -> None:
        self.trend = trend

    def fit(self, y_log: pd.Series) -> "ETSCore":
        period = series_frequency(y_log).periods_per_year
        self.fit_ = fit_ets(fill_gaps(y_log).to_numpy(), period=period, damped_trend=self.trend)
        return self

    def sample(self, horizon: int, n_paths: int, seed: int) -> np.ndarray:
        return simulate_ets(self.fit_, horizon=horizon, n_paths=n_paths, seed=seed)


class RecentLevelCore:
    """The last half-year's seasonally adjusted level carried forward with the long-run seasonal pattern.

    Each period's effect of the year comes from a line plus one indicator per
    period fitted to the whole history (``crimecast.forecast.gaps.season_effects``);
    the level is the mean of the last half-year (``RECENT_LEVEL_YEARS``: 6 months
    or 2 quarters) of the adjusted series, with no trend. Its paths add Gaussian noise whose
    one-period scale is the root mean squared error of this same forecast one
    period ahead in the history, carried on like simple exponential smoothing
    with the weight ``2 / (window + 1)`` that matches a moving average of the
    window. The level ignores the period-to-period noise that the ETS member
    follows, and the seasonal pattern is pooled over every year.
    """

    def fit(self, y_log: pd.Series) -> "RecentLevelCore":
        frequency = series_frequency(y_log)
        period = frequency.periods_per_year
        first_year = frequency.range(y_log.index[0], periods=period)
        effects = season_effects(y_log).loc[first_year.month].to_numpy()
        values = fill_gaps(y_log).to_numpy()
        adjusted = values - effects[np.arange(len(values)) % period]
        window = max(round(period * RECENT_LEVEL_YEARS), 1)
        self.level_ = float(adjusted[-window:].mean())
        self.season_ = effects[(len(values) + np.arange(period)) % period]
        means = np.convolve(adjusted, np.ones(window) / window, mode="valid")[:-1]  # the forecast made at each period
        errors = adjusted[window:] - means
        self.sigma_ = float(np.sqrt(np.mean(errors ** 2))) if len(errors) else 0.0
        self.weight_ = 2.0 / (window + 1)
        return self

    def sample(self, horizon: int, n_paths: int, seed: int) -> np.ndarray:
        noise = np.random.default_rng(seed).normal(0.0, self.sigma_, size=(n_paths, horizon))
        carried = self.weight_ * (np.cumsum(noise, axis=1) - noise)
        return self.level_ + np.resize(self.season_, horizon)[None, :] + noise + carried


class SeasonalNaiveCore:
    """Same month (or quarter) last year, with bootstrapped year-on-year log changes as noise."""

    def fit(self, y_log: pd.Series) -> "SeasonalNaiveCore":
        values = fill_gaps(y_log).to_numpy()
        season = series_frequency(y_log).periods_per_year
        self.last_year_ = values[-season:]
        self.residuals_ = values[season:] - values[:-season]
        return self

    def sample(self, horizon: int, n_paths: int, seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        base = np.resize(self.last_year_, horizon)
        noise = rng.choice(self.residuals_, size=(n_paths, horizon), replace=True)
        return base[None, :] + noise


class LevelCore:
    """The recent average level with its spread: for series too short to model.

    The spread is the history's own, but never less than counting noise
    (Poisson) at that level gives on the log scale, ``sqrt(m) / (m + 1)`` for
    a mean count ``m``: a few equal counts (three months of 1) do not make a
    certain forecast.
    """

    def fit(self, y_log: pd.Series) -> "LevelCore":
        y_log = fill_gaps(y_log)
        recent = y_log.to_numpy()[-series_frequency(y_log).periods_per_year:]
        self.level_ = float(recent.mean())
        mean_count = float(np.expm1(self.level_))
        counting_noise = np.sqrt(max(mean_count, 0.0)) / (mean_count + 1)
        observed = float(np.std(y_log.to_numpy(), ddof=1)) if len(y_log) > 1 else 0.5
        self.scale_ = max(observed, counting_noise) * np.sqrt(1 + 1 / len(recent))
        return self

    def sample(self, horizon: int, n_paths: int, seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        return self.level_ + rng.normal(0.0, self.scale_, size=(n_paths, horizon))


class BlendCore:
    """Average, on the log scale, the paths of several cores fitted to the same series.

    With ``change_shrink`` above 0, the blend's forecast change on the last
    year is shrunk towards no change: every path is shifted (on the log
    scale, the same amount every period) by ``-change_shrink`` times the log
    ratio of the median paths' first-year total to the same periods of the
    last year observed. Forecast changes on the year before overshoot on
    real series: on London, actual changes moved by about half the forecast
    change (bench/RESULTS.md, milestone calibration), whether the change came
    from a trend or from the recent level. ``fall_shrink`` (default: the same
    as ``change_shrink``) is used instead when the forecast change is a fall:
    forecast falls in recorded crime overshoot more than forecast rises.
    """

    def __init__(self, makers: tuple, weights: tuple[float, ...] | None = None, *, change_shrink: float = 0.0,
                 fall_shrink: float | None = None) -> None:
        self.makers = makers
        self.weights = weights
        self.change_shrink = change_shrink
        self.fall_shrink = fall_shrink

    def fit(self, y_log: pd.Series) -> "BlendCore":
        return self.fit_members([make().fit(y_log) for make in self.makers], y_log)

    def fit_members(self, cores: list, y_log: pd.Series | None = None) -> "BlendCore":
        """The blend of ``cores``, already fitted (one per maker, in order) to ``y_log``.

        ``y_log`` is needed only with ``change_shrink``: its last year (exceptional
        periods filled with the pattern around them) is what the change is measured on.
        """
        self.cores_ = list(cores)
        self.last_year_ = None
        if self._shrinks:
            if y_log is None:
                raise ValueError("BlendCore.fit_members needs the training series when change_shrink or fall_shrink is set.")
            per_year = series_frequency(y_log).periods_per_year
            self.last_year_ = np.expm1(fill_gaps(y_log).to_numpy()[-per_year:])
        return self

    def sample(self, horizon: int, n_paths: int, seed: int) -> np.ndarray:
        return self.combine([core.sample(horizon, n_paths, seed + i) for i, core in enumerate(self.cores_)])

    def combine(self, draws: list[np.ndarray], *, weights: tuple[float, ...] | None = None) -> np.ndarray:
        """The blend's log paths from its members' log paths ``draws`` (one array per member, in order).

        ``weights`` (default: the blend's own, or equal) are normalised to sum to 1.
        """
        weights = np.asarray(weights or self.weights or [1.0] * len(draws), dtype=float)
        weights = weights / weights.sum()
        paths = sum(w * d for w, d in zip(weights, draws))
        if not self._shrinks:
            return paths
        change = self._year_change(paths)
        shrink = self.change_shrink if change >= 0 or self.fall_shrink is None else self.fall_shrink
        return paths - shrink * change

    @property
    def _shrinks(self) -> bool:
        return bool(self.change_shrink or self.fall_shrink)

    def _year_change(self, paths: np.ndarray) -> float:
        """Log ratio of the median paths' total over the first year ahead (or the horizon, if shorter)
        to the same periods of the last year observed."""
        k = min(paths.shape[1], len(self.last_year_))
        forecast = np.expm1(np.median(paths[:, :k], axis=0)).clip(0.0, None).sum()
        return float(np.log1p(forecast) - np.log1p(self.last_year_[:k].clip(0.0, None).sum()))

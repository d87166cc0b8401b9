"""Forecasts of proportions (satisfied / surveyed): a local level on the logit scale with binomial sampling.

The model, for a monthly series of ``x`` satisfied out of ``n`` surveyed:

* ``y_t = logit((x_t + 0.5) / (n_t + 1))`` follows simple exponential
  smoothing (a local level): ``y_t = l_{t-1} + e_t``, ``l_t = l_{t-1} + alpha e_t``,
  ``e_t ~ N(0, s2)``; ``alpha`` is chosen by one-step squared error.
* Ahead, the level is a random walk whose monthly variance is the larger of
  ``alpha^2 s2`` and the variance implied by the changes between consecutive
  twelve-month means (a level that moves a point a year is invisible to
  one-step errors under month-to-month noise, but not to a year's rate).
* ``s2`` holds two parts: binomial sampling of ``n_t`` surveys (about
  ``1 / (n p (1 - p))`` on the logit scale) and extra-binomial variation
  (the month's true rate moving about the level). Their difference,
  ``s2 - sampling``, is the extra-binomial variance.
* The level's estimate is uncertain by at least as much as a twelve-month
  mean (variance ``max(alpha / (2 - alpha), 1/12) s2``), a shift shared by
  every month of a path, so a year's rate is not made falsely precise by
  averaging twelve months' noise.
* A path draws that shift, the level's random walk, each month's true rate
  ``expit(level + N(0, extra))`` and then ``Binomial(n, rate)`` satisfied
  victims: a logit-normal-binomial, the logit cousin of the beta-binomial.
  So the interval widens with fewer surveys (sampling) and with months that
  vary more than surveys explain (overdispersion), and stays inside [0, 1].

Future survey numbers are the mean of the last twelve months unless given.
Satisfaction shows no clear seasonality, so none is modelled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimecast.data.calendar import financial_year_months
from crimecast.data.frequency import MONTHLY
from crimecast.errors import ModelError

ALPHAS = tuple(np.round(np.arange(0.0, 0.61, 0.02), 2))
MIN_MONTHS = 24
DEFAULT_RATE_PATHS = 2000
BURN_IN = 12
INTERVALS = {"80": (0.1, 0.9), "95": (0.025, 0.975)}


def logit(p):
    return np.log(p / (1 - p))


def expit(z):
    return 1 / (1 + np.exp(-z))


LOGIT_BINOMIAL = "logit-binomial"  # the rate model: a local level on the logit scale, binomial sampling
# The forecast settings of a count forecast only (ForecastSpec's keys): the rate model takes paths, seed and horizon.
NOT_FOR_RATES = ("model", "steps", "drift", "known_changes", "exceptional")
BINOMIAL_ONLY = "binomial-only"  # the backtest's comparison: binomial sampling around a fixed rate

@dataclass(frozen=True)
class RateFit:
    """The fitted local level on the logit scale and its variance split."""

    alpha: float
    level: float
    s2: float
    sampling: float
    extra: float
    drift: float = 0.0

    @property
    def level_error(self) -> float:
        """Variance of the level's estimate, shared by every month of a path: at least that of a twelve-month mean."""
        return max(self.alpha / (2 - self.alpha), 1 / 12) * self.s2

    @property
    def step(self) -> float:
        """Monthly variance of the level's random walk: the larger of the smoothing's and the year-on-year estimate."""
        return max(self.alpha ** 2 * self.s2, self.drift)

    @property
    def dispersion(self) -> float:
        """One-step variance over the binomial part: 1 means no extra-binomial variation."""
        return self.s2 / self.sampling if self.sampling > 0 else float("nan")


@dataclass(frozen=True)
class RateForecast:
    """Sample paths of a rate series' numerators for given future denominators.

    Attributes
    ----------
    history
        ``numerator, denominator`` by month (the data used).
    months
        The forecast months.
    denominators
        Surveys assumed per forecast month.
    paths
        ``(n_paths, horizon)`` simulated numerators.
    fit
        The fitted model.
    """

    category: str
    area: str
    history: pd.DataFrame
    months: pd.DatetimeIndex
    denominators: np.ndarray
    paths: np.ndarray
    fit: RateFit
    model: str = LOGIT_BINOMIAL

    @property
    def rate_paths(self) -> np.ndarray:
        return self.paths / self.denominators

    @property
    def words(self):
        """What the rate's numerator and denominator are (:class:`crimecast.data.rates.RateWords`, the history's)."""
        from crimecast.data.rate_words import words_of

        return words_of(self.history)

    def table(self) -> pd.DataFrame:
        """Month by month: the denominator assumed (surveys, burglaries: :attr:`words` says what it counts), the
        expected rate and its 80% / 95% intervals (fractions)."""
        rates = self.rate_paths
        frame = pd.DataFrame({"month": self.months, "denominator": self.denominators, "mean": rates.mean(axis=0)})
        for name, (lo, hi) in INTERVALS.items():
            frame[f"lo{name}"] = np.quantile(rates, lo, axis=0)
            frame[f"hi{name}"] = np.quantile(rates, hi, axis=0)
        return frame

    def window_rate_paths(self, months: pd.DatetimeIndex) -> np.ndarray:
        """The rate over ``months`` on every path: observed months as recorded, the rest simulated.

        The rate of a window is sum(numerator) / sum(denominator), so months
        with more surveys weigh more, as in a published rolling 12-month rate.

        Raises
        ------
        ModelError
            When a month is neither observed nor forecast.
        """
        observed = self.history.reindex(months).dropna()
        ahead = np.isin(self.months, months)
        if len(observed) + int(ahead.sum()) != len(months):
            raise ModelError(f"the window {months[0]:%Y-%m} to {months[-1]:%Y-%m} is not covered by the data and the forecast.")
        numerator = observed["numerator"].sum() + self.paths[:, ahead].sum(axis=1)
        denominator = observed["denominator"].sum() + self.denominators[ahead].sum()
        return numerator / denominator

    def year_rate_paths(self, start: int) -> np.ndarray:
        """The financial year's rate (April to March of ``start``/``start + 1``) on every path."""
        return self.window_rate_paths(financial_year_months(start))


def _smooth(y: np.ndarray, alpha: float) -> tuple[np.ndarray, float]:
    """One-step errors and the final level of simple exponential smoothing."""
    level = float(np.mean(y[:BURN_IN]))
    errors = np.empty(len(y))
    for t, value in enumerate(y):
        errors[t] = value - level
        level += alpha * errors[t]
    return errors, level


def fit_rate(history: pd.DataFrame) -> RateFit:
    """Fit the logit local level to ``numerator, denominator`` by month.

    Raises
    ------
    ModelError
        With fewer than 24 months.
    """
    if len(history) < MIN_MONTHS:
        raise ModelError(f"only {MONTHLY.count_of(len(history))} of the rate; a rate forecast needs at least {MIN_MONTHS}.")
    x = history["numerator"].to_numpy(dtype=float)
    n = history["denominator"].to_numpy(dtype=float)
    p = (x + 0.5) / (n + 1)
    y = logit(p)
    best = None
    for alpha in ALPHAS:
        errors, level = _smooth(y, alpha)
        score = float(np.mean(errors[BURN_IN:] ** 2))
        if best is None or score < best[1] - 1e-12:
            best = (alpha, score, level)
    alpha, s2, level = best
    sampling = float(np.mean(1 / ((n[-MIN_MONTHS:] + 1) * p[-MIN_MONTHS:] * (1 - p[-MIN_MONTHS:]))))
    return RateFit(alpha=float(alpha), level=level, s2=s2, sampling=sampling, extra=max(s2 - sampling, 0.0),
                   drift=_year_on_year_drift(y, s2))


def _year_on_year_drift(y: np.ndarray, s2: float) -> float:
    """Monthly random-walk variance implied by how much twelve-month means move from one year to the next.

    One-step errors hardly see a level that moves by a point or two a year
    under month-to-month noise; the change between consecutive twelve-month
    means does. For a random walk with monthly variance q plus noise of
    variance s2, that change has variance (2 m^2 + 1) / (3 m) q + 2 s2 / m
    (m = 12), solved here for q (floored at zero).
    """
    m = 12
    if len(y) < 2 * m + 1:
        return 0.0
    means = np.convolve(y, np.ones(m) / m, mode="valid")
    changes = means[m:] - means[:-m]
    return max(float(np.mean(changes ** 2)) - 2 * s2 / m, 0.0) / ((2 * m * m + 1) / (3 * m))


def forecast_rate(history: pd.DataFrame, *, horizon: int = 12, n_paths: int = DEFAULT_RATE_PATHS, seed: int = 42,
                  denominators: np.ndarray | None = None, binomial_only: bool = False,
                  category: str = "", area: str = "") -> RateForecast:
    """Sample paths of the next ``horizon`` months of a rate series.

    Parameters
    ----------
    history
        ``numerator, denominator`` indexed by month (``freq='MS'``).
    horizon
        Months ahead.
    n_paths, seed
        Paths simulated, and the seed (same inputs, same paths).
    denominators
        Surveys per forecast month (default: the last twelve months' mean).
    binomial_only
        A reference model for the benchmarks: the last twelve months' rate
        with binomial sampling only (no level drift, no extra variation).

    Returns
    -------
    RateForecast
    """
    fit = fit_rate(history)
    last = history.index[-1]
    months = pd.date_range(last + pd.DateOffset(months=1), periods=horizon, freq="MS")
    if denominators is None:
        denominators = np.full(horizon, max(int(round(history["denominator"].iloc[-12:].mean())), 1))
    denominators = np.asarray(denominators, dtype="int64")
    rng = np.random.default_rng(seed)
    if binomial_only:
        recent = history.iloc[-12:]
        rate = np.full((n_paths, horizon), recent["numerator"].sum() / recent["denominator"].sum())
    else:
        steps = rng.normal(0.0, np.sqrt(fit.step), size=(n_paths, horizon))
        walk = np.concatenate([np.zeros((n_paths, 1)), np.cumsum(steps[:, :-1], axis=1)], axis=1)
        noise = rng.normal(0.0, np.sqrt(fit.extra), size=(n_paths, horizon))
        start = rng.normal(0.0, np.sqrt(fit.level_error), size=(n_paths, 1))
        rate = expit(fit.level + start + walk + noise)
    paths = rng.binomial(denominators, rate)
    return RateForecast(category=category, area=area, history=history, months=months, denominators=denominators,
                        paths=paths, fit=fit, model=BINOMIAL_ONLY if binomial_only else LOGIT_BINOMIAL)


@dataclass(frozen=True)
class RateCoverage:
    """Backtest coverage of a rate model's intervals."""

    model: str
    origins: int
    monthly80: float
    monthly95: float
    window80: float
    window95: float
    mean_width80: float


def backtest_rate(series: pd.DataFrame, *, origins: int = 24, horizon: int = 12, n_paths: int = 1000, seed: int = 42,
                  binomial_only: bool = False) -> RateCoverage:
    """Coverage of the monthly and 12-month-window intervals from rolling origins.

    Each origin fits on the months up to it and forecasts the next
    ``horizon`` with the actual survey numbers (as a milestone would once
    they are known); a month is covered when its actual rate is inside the
    interval. The window is the rate over the ``horizon`` months together.
    """
    hits = {"m80": [], "m95": [], "w80": [], "w95": []}
    widths = []
    last_origin = len(series) - horizon
    chosen = range(max(MIN_MONTHS, last_origin - origins + 1), last_origin + 1)
    for end in chosen:
        history, future = series.iloc[:end], series.iloc[end:end + horizon]
        result = forecast_rate(history, horizon=horizon, n_paths=n_paths, seed=seed + end,
                               denominators=future["denominator"].to_numpy(), binomial_only=binomial_only)
        actual = (future["numerator"] / future["denominator"]).to_numpy()
        rates = result.rate_paths
        for level, (lo, hi) in (("80", INTERVALS["80"]), ("95", INTERVALS["95"])):
            low, high = np.quantile(rates, [lo, hi], axis=0)
            hits[f"m{level}"] += list((actual >= low) & (actual <= high))
            window = result.paths.sum(axis=1) / future["denominator"].sum()
            true_window = future["numerator"].sum() / future["denominator"].sum()
            wlo, whi = np.quantile(window, [lo, hi])
            hits[f"w{level}"].append(wlo <= true_window <= whi)
            if level == "80":
                widths += list(high - low)
    return RateCoverage(model=result.model, origins=len(chosen), monthly80=float(np.mean(hits["m80"])),
                        monthly95=float(np.mean(hits["m95"])), window80=float(np.mean(hits["w80"])),
                        window95=float(np.mean(hits["w95"])), mean_width80=float(np.mean(widths)))


@dataclass(frozen=True)
class RateReport:
    """What ``forecast run`` shows for a rate series: the forecast, the last twelve months, backtest coverage."""

    forecast: RateForecast
    last12: float
    next12: np.ndarray
    coverage: tuple[RateCoverage, ...] = ()
    notes: tuple[str, ...] = ()


def run_rate(rates: pd.DataFrame, *, category: str, area: str, horizon: int = 12, n_paths: int = DEFAULT_RATE_PATHS,
             seed: int = 42, backtest: bool = True) -> RateReport:
    """Forecast one rate series, with its rolling twelve-month rate now and ahead, and backtest coverage.

    Parameters
    ----------
    rates
        The rates contract (:mod:`crimecast.data.rates`).
    category, area
        The series.
    horizon, n_paths, seed
        Months ahead, paths, seed.
    backtest
        Score the 80% and 95% intervals from 24 rolling origins (and the
        binomial-only reference), as :func:`backtest_rate`.

    Raises
    ------
    DataError, ModelError
        Unknown series, or too short a history.
    """
    from crimecast.data.rates import rate_series

    series = rate_series(rates, category=category, area=area)
    result = forecast_rate(series, horizon=horizon, n_paths=n_paths, seed=seed,
                           category=series.attrs["category"], area=series.attrs["area"])
    recent = series.iloc[-12:]
    ahead = min(12, horizon)
    window = result.paths[:, :ahead].sum(axis=1)
    behind = series.iloc[len(series) - (12 - ahead):] if ahead < 12 else series.iloc[:0]
    next12 = (window + behind["numerator"].sum()) / (result.denominators[:ahead].sum() + behind["denominator"].sum())
    coverage = ()
    notes = [f"{result.words.unit} ahead assumed at {result.denominators[0]:,} a month (the last twelve months' mean)."]
    if backtest:
        if len(series) >= MIN_MONTHS + 12 + 1:
            origins = min(24, len(series) - MIN_MONTHS - 12 + 1)
            coverage = tuple(backtest_rate(series, origins=origins, n_paths=500, seed=seed, binomial_only=b)
                             for b in (False, True))
        else:
            notes.append(f"no backtest: {len(series)} months is too short (it needs {MIN_MONTHS + 13}).")
    return RateReport(forecast=result, last12=float(recent["numerator"].sum() / recent["denominator"].sum()),
                      next12=next12, coverage=coverage, notes=tuple(notes))

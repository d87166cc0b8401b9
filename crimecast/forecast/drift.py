"""Dataset drift: how far last year's forecasts of a dataset's categories, taken as wholes, fell short.

Each series is forecast from its own history, so a change that moves every
series of a dataset at once and keeps going (recorded crime in England and
Wales fell faster than its trend from 2007 to 2013, then rose 10-15% a year
from 2014/15 to 2017/18 as forces' recording improved) is missed by every
forecast in the same direction, year after year. What the forecasts missed
last year is known at the origin: each category's whole (the force-wide
series of a force's districts, the sum over forces of a table of forces:
``season_references``) is forecast from a year before the origin, as the
default model forecasts it, and set against the year that followed. The
drift is the mean over the categories of that error (log actual less the
forecast's median log), period by period; forecasts carry ``DRIFT_SHARE`` of
a straight line through it forward (``Drift.shifts``): the period ``h``
ahead is multiplied by ``exp(shift[h])``, so a forecast a year ahead moves
about as far as last year's forecasts a year ahead missed, times the share.

Only the last year counts: a year touching an exceptional period (a
lockdown) says nothing about the next, so it gives no drift, and neither does
a dataset with fewer than ``MIN_DRIFT_CATEGORIES`` categories that have such a
year (one series' own error is mostly its own noise). Total recorded crime (a
sum of the others), a category whose counts stop before the origin (the
Home Office's fraud, whose last year was its fall to Action Fraud) and a
quiet one (under ``MIN_WHOLE_MEAN`` a period, or any empty period, in the
four years to the origin: London's fraud and forgery), one whose counts
collapsed in the year measured (``COLLAPSED_SHARE``: the Home Office's fraud
in 2013, still counted a little by four forces) are not measured,
nor is a whole with a period missing. Every series of a dataset gets the
same drift, whichever command asks for it. Measured in bench/RESULTS.md
(sections "milestones" and "accuracy").
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
import numpy as np
import pandas as pd

from crimecast.data.exceptional import ExceptionalPeriod, calendar_of, exceptional_mask, settled_in
from crimecast.data.frequency import Frequency
from crimecast.data.series import TOTAL_CATEGORY
from crimecast.defaults import DRIFT_SHARE
from crimecast.forecast.calibrate import CALIBRATION_MIN_TRAIN_YEARS, FitCache
from crimecast.forecast.frequency import series_frequency, with_frequency
from crimecast.forecast.threads import one_blas_thread

MIN_DRIFT_CATEGORIES = 3
MIN_WHOLE_MEAN = 20  # a category's whole is measured only at this many a period or more, with no empty period
# A whole whose last quarter-year came in under this share of its mean over the year before the year measured has
# collapsed: its recording moved (the Home Office's fraud, to Action Fraud in 2013: 18,600 a quarter, then 5,493, 91,
# 17), and its error, a fall no crime trend makes, would move every other series' forecast (-4.9% on a year's total
# at 2013/14 Q1, -1.0% without it). No whole of the benchmark panels comes near it at any origin.
COLLAPSED_SHARE = 0.25
FIT_THREADS = 4
SAID_FROM = 0.005  # a drift under half a percent on the year's total is applied but not said


@dataclass(frozen=True)
class Drift:
    """The dataset's drift at one origin, and the share of it each forecast carries forward.

    ``errors`` holds, period by period of the year measured, the mean over
    ``categories`` of log(actual) less the forecast's median log (the period
    ``h`` ahead); ``year_start`` is the year's first period.
    """

    errors: tuple[float, ...]
    categories: int
    year_start: pd.Timestamp
    share: float = DRIFT_SHARE

    def shifts(self, periods: int) -> np.ndarray:
        """The log shift of each of the next ``periods`` periods: ``share`` times a straight line through
        ``errors`` (one period's error is mostly noise; the line keeps how the error grew with the horizon),
        held at the year's last period beyond it."""
        errors = np.asarray(self.errors, dtype=float)
        ahead = np.arange(len(errors))
        slope, intercept = np.polyfit(ahead, errors, 1) if len(errors) > 1 else (0.0, float(errors[0]))
        line = intercept + slope * np.minimum(np.arange(periods), len(errors) - 1)
        return self.share * line

    @property
    def year_change(self) -> float:
        """The shift of the next year's total, as a proportion (0.05: forecasts raised 5%), for a flat year."""
        return float(np.expm1(np.mean(self.shifts(len(self.errors)))))

    @property
    def missed(self) -> float:
        """How far the year measured came in above its forecasts (a proportion; negative: below), as the
        shifts carry it: the mean of ``errors``, so ``year_change`` is ``share`` of it on the log scale (the
        categories' year totals can say otherwise when one category's paths are very skewed)."""
        return float(np.expm1(np.mean(self.errors)))

    def note(self, *, frequency: Frequency) -> str | None:
        """What a forecast of ``frequency`` says about its drift, or ``None`` when it is too small to matter."""
        if abs(self.year_change) < SAID_FROM:
            return None
        direction = "above" if self.missed > 0 else "below"
        shifts = self.shifts(len(self.errors))
        first = "less" if abs(shifts[0]) <= abs(np.mean(shifts)) else "more"
        year_end = frequency.range(self.year_start, periods=len(self.errors))[-1]
        return (f"dataset drift: in the year {frequency.label(self.year_start)} to {frequency.label(year_end)} this "
                f"dataset's {self.categories} categories, each summed over its areas, came in {abs(self.missed):.1%} "
                f"{direction} their forecasts made a year ahead; {self.share:.0%} of that (on the log scale) is "
                f"carried into this forecast: about {self.year_change:+.1%} on a year's total, {first} in its first "
                f"{frequency.noun}s; --no-drift (drift: false in a file) leaves it out.")


def _busy(counts: pd.Series) -> bool:
    """Whether a whole is busy enough to measure: ``MIN_WHOLE_MEAN`` or more a period and no period without a crime
    (on the log scale a category near zero, such as London's fraud and forgery since it went to Action Fraud, misses
    by whole multiples; bench/accuracy.py's panels hold only such busy series)."""
    return bool(counts.mean() >= MIN_WHOLE_MEAN and (counts > 0).all())


def _collapsed(recent: pd.Series, *, per_year: int) -> bool:
    """Whether a whole's counts collapsed in its last year (``COLLAPSED_SHARE``): the mean of its last quarter-year
    against its mean over the year before the year measured."""
    last = recent.iloc[-max(1, per_year // 4):].mean()
    year_before = recent.iloc[-2 * per_year:-per_year]
    return bool(len(year_before) and last < COLLAPSED_SHARE * year_before.mean())


def _year_error(y: pd.Series, *, exceptional: tuple[ExceptionalPeriod, ...], seed: int,
                make_core: Callable) -> tuple[np.ndarray, pd.Timestamp] | None:
    """Per period, the log error over the last year of ``y`` (see the module), and the year's first period; ``None``
    when that year touches an exceptional period, follows under three years of history, the category is too quiet
    or its counts collapsed, or a period is missing."""
    frequency = series_frequency(y)
    if len(frequency.between(y.index[0], y.index[-1])) != len(y):
        return None  # a whole with a period missing (areas covering different spans) is not measured
    y = with_frequency(y)
    per_year = frequency.periods_per_year
    touched = exceptional_mask(y.index, exceptional)
    kept_out, _ = settled_in(exceptional, y.index, last_month=frequency.period_end_month(y.index[-1]), stays_in="",
                             remedy="")
    y_log = np.log1p(y.astype(float)).where(~exceptional_mask(y.index, kept_out))
    origin = len(y) - per_year
    window = slice(origin, len(y))
    recent = y.iloc[-(CALIBRATION_MIN_TRAIN_YEARS + 1) * per_year:]
    if (origin < CALIBRATION_MIN_TRAIN_YEARS * per_year or touched[window].any() or not _busy(recent)
            or _collapsed(recent, per_year=per_year)):
        return None
    paths = FitCache().window_paths(y_log, origin, per_year, make_core, seed)
    actual = y.to_numpy(dtype=float)[window]
    return np.log1p(actual) - np.median(paths, axis=0), y.index[origin]


def dataset_drift(wholes: dict[str, pd.Series], *, as_of: pd.Timestamp, make_core: Callable,
                  exceptional: tuple[ExceptionalPeriod, ...] = (), seed: int,
                  share: float = DRIFT_SHARE) -> Drift | None:
    """The drift of a dataset whose categories' wholes are ``wholes``, at ``as_of``.

    Parameters
    ----------
    wholes
        Per category, the series its areas' forecasts pool their seasonal
        pattern with (``season_references``): counts indexed by period start.
    as_of
        The last period the forecasts use; later periods are ignored.
    make_core
        The model the wholes are forecast with: the default model's
        (``crimecast.forecast.models.crimecast_core``), as the forecasts that
        carry the drift are, with its own settings (steps found
        automatically; a run's known changes and ``--no-steps`` apply to its
        series, not to the wholes: a known change in the year measured counts
        as drift).
    exceptional
        Exceptional periods (only those starting by ``as_of`` count): a year
        touching one is not measured, and settled ones are kept out of fits.
    seed
        The seed of the year's forecasts.
    share
        How much of the drift forecasts carry forward.

    Returns
    -------
    Drift or None
        ``None`` when fewer than ``MIN_DRIFT_CATEGORIES`` categories have an
        ordinary year to measure.
    """
    frequency = series_frequency(next(iter(wholes.values()))) if wholes else None
    last_month = frequency.period_end_month(as_of) if frequency else as_of  # a quarter: periods starting in it count
    known = tuple(p for p in exceptional if p.start <= last_month)
    wholes = {category: y.loc[:as_of].dropna() for category, y in wholes.items()
              if category != TOTAL_CATEGORY}  # a sum of the others, not a category of its own
    key = (tuple((c, len(y), int(pd.util.hash_pandas_object(y).sum())) for c, y in sorted(wholes.items())),
           as_of, known, seed, share, make_core)
    if key not in _MEASURED:  # a process often forecasts from the same data and origin again (the Board pack's panels)
        if len(_MEASURED) >= _MEASURED_KEPT:
            _MEASURED.pop(next(iter(_MEASURED)))
        _MEASURED[key] = _measured(wholes, known=known, seed=seed, share=share, make_core=make_core)
    return _MEASURED[key]


_MEASURED: dict[tuple, Drift | None] = {}
_MEASURED_KEPT = 32


def _measured(wholes: dict[str, pd.Series], *, known: tuple[ExceptionalPeriod, ...], seed: int, share: float,
              make_core: Callable) -> Drift | None:
    latest = max((y.index[-1] for y in wholes.values() if len(y)), default=None)
    # a category whose counts stop earlier (the Home Office's fraud) has no year to the origin
    categories = [category for category, y in sorted(wholes.items()) if len(y) and y.index[-1] == latest]
    # Most of a fit is Prophet's optimiser in its own process (CmdStan), so threads overlap them.
    with one_blas_thread(), ThreadPoolExecutor(max_workers=FIT_THREADS) as pool:
        errors = pool.map(partial(_year_error, exceptional=known, seed=seed, make_core=make_core),
                          [wholes[c] for c in categories])
        found = {category: error for category, error in zip(categories, errors) if error is not None}
    if len(found) < MIN_DRIFT_CATEGORIES or len({len(e) for e, _ in found.values()}) != 1:
        return None
    errors = np.mean([e for e, _ in found.values()], axis=0)
    year_start = max(start for _, start in found.values())
    return Drift(errors=tuple(float(e) for e in errors), categories=len(found), year_start=year_start, share=share)


def passed_over(wholes: dict[str, pd.Series], *, as_of: pd.Timestamp,
                exceptional: tuple[ExceptionalPeriod, ...] = ()) -> str | None:
    """Why no drift is carried from ``as_of`` when the year to it holds an exceptional period, in one sentence.

    Parameters
    ----------
    wholes
        The dataset's category wholes (``season_references``): only their frequency is read.
    as_of
        The last period the forecasts use.
    exceptional
        Exceptional periods; those starting by the end of the ``as_of`` period count.

    Returns
    -------
    str or None
        The note, or ``None`` when the year holds none (a drift is then
        measured, or is missing for another reason, such as a short history).
    """
    if not wholes:
        return None
    frequency = series_frequency(next(iter(wholes.values())))
    per_year = frequency.periods_per_year
    year = frequency.range(as_of - pd.DateOffset(months=(per_year - 1) * frequency.months_per_period),
                           periods=per_year)
    last_month = frequency.period_end_month(as_of)
    held = [p for p in exceptional if p.start <= last_month and exceptional_mask(year, [p]).any()]
    if not held:
        return None
    calendar = calendar_of(held)
    names = ", ".join(dict.fromkeys(p.name for p in held))
    return (f"no dataset drift carried: the year {frequency.label(year[0])} to {frequency.label(year[-1])} holds "
            f"{names}{f' of the {calendar} calendar' if calendar else ''}, so last year's dataset-wide forecast error "
            "says nothing about the next.")


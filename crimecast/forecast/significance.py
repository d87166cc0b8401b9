"""Is a change in counts real? The Poisson E-test instead of a raw percentage.

Comparing this year's count with last year's as a percentage says nothing
about chance: 25 robberies after 16 is +56% but weak evidence. The E-test of
Krishnamoorthy and Thomson (2004) tests whether two Poisson counts over equal
periods share one rate; it is more powerful than the conditional (C) test and
holds its size for small counts, where a z-score does not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimecast.data.calendar import financial_year_label, financial_year_periods, financial_year_start
from crimecast.forecast.cores import series_frequency

SIGNIFICANCE_LEVEL = 0.05
_GRID_SDS = 12.0
# Above this average count the E-test's sum is replaced by its normal limit,
# which agrees with it to three decimal places there and costs nothing.
NORMAL_LIMIT_RATE = 2000.0


@dataclass(frozen=True)
class ChangeTest:
    """Two counts over equal periods and the evidence that their rates differ."""

    current: float
    previous: float
    z: float
    p_value: float

    @property
    def change(self) -> float:
        """Relative change, e.g. -0.061."""
        return self.current / self.previous - 1 if self.previous else float("nan")

    @property
    def significant(self) -> bool:
        return self.p_value < SIGNIFICANCE_LEVEL

    @property
    def verdict(self) -> str:
        """``"a significant fall"``, ``"a significant rise"`` or ``"no significant change"``."""
        if not self.significant:
            return "no significant change"
        return "a significant rise" if self.current > self.previous else "a significant fall"


def _statistic(k1: np.ndarray, k2: np.ndarray) -> np.ndarray:
    total = k1 + k2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (k1 - k2) / np.sqrt(np.maximum(total, 1)), 0.0)


def _extreme_bounds(grid: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """For each first count ``k1`` in ``grid``: the largest ``k2`` with statistic >= ``threshold`` and the smallest with <= -``threshold``.

    The statistic falls as ``k2`` rises, and ``(k1 - k2) / sqrt(k1 + k2) = t``
    is a quadratic in ``sqrt(k1 + k2)``, so both bounds have closed forms;
    one step either way then settles the rounding exactly.
    """
    k1 = grid.astype(float)
    root = np.sqrt(threshold ** 2 + 8 * k1)
    high = np.floor(((root - threshold) / 2) ** 2 - k1).astype(np.int64)
    low = np.ceil(((root + threshold) / 2) ** 2 - k1).astype(np.int64)
    high = np.where(_statistic(grid, high + 1) >= threshold, high + 1, high)
    high = np.where((high >= 0) & (_statistic(grid, np.maximum(high, 0)) < threshold), high - 1, high)
    low = np.where((low >= 1) & (_statistic(grid, low - 1) <= -threshold), low - 1, low)
    low = np.where(_statistic(grid, np.maximum(low, 0)) > -threshold, low + 1, low)
    return high, low


def _poisson_pmf(counts: np.ndarray, rate: float) -> np.ndarray:
    """Poisson probabilities of ``counts`` (log-space, so large counts do not overflow); no SciPy import."""
    log_factorial = np.array([math.lgamma(k + 1.0) for k in counts])
    return np.exp(counts * math.log(rate) - rate - log_factorial)


def poisson_e_test(current: int, previous: int) -> ChangeTest:
    """Two-sided E-test that ``current`` and ``previous`` (equal periods) share one Poisson rate.

    Returns
    -------
    ChangeTest
        With ``z = (current - previous) / sqrt(current + previous)`` and the
        E-test p-value, the probability under one shared rate (estimated by
        the average count) of a statistic at least as extreme.
    """
    current, previous = int(round(current)), int(round(previous))
    if current < 0 or previous < 0:
        raise ValueError("counts must be non-negative")
    observed = float(_statistic(np.array(current), np.array(previous)))
    rate = (current + previous) / 2
    if rate == 0:
        return ChangeTest(current, previous, 0.0, 1.0)
    if rate > NORMAL_LIMIT_RATE:
        return ChangeTest(float(current), float(previous), observed, math.erfc(abs(observed) / math.sqrt(2)))
    spread = _GRID_SDS * math.sqrt(rate) + 10
    grid = np.arange(max(0, math.floor(rate - spread)), math.ceil(rate + spread) + 1)
    weights = _poisson_pmf(grid, rate)
    threshold = abs(observed) - 1e-12
    if threshold <= 0:
        return ChangeTest(float(current), float(previous), observed, 1.0)
    high, low = _extreme_bounds(grid, threshold)
    # cumulative sums run in a fixed order, so a Dask worker gets the same last digit as this process
    below = np.concatenate([[0.0], np.cumsum(weights)])  # below[i]: weight of the grid's first i counts
    first = grid[0]
    at_most_high = below[np.clip(high - first + 1, 0, len(grid))]
    from_low = below[-1] - below[np.clip(low - first, 0, len(grid))]
    p_value = float(min(1.0, float(np.sum(weights * (at_most_high + from_low)))))
    return ChangeTest(float(current), float(previous), observed, p_value)


@dataclass(frozen=True)
class PeriodComparison:
    """An observed period against the same months a year earlier."""

    label: str
    test: ChangeTest
    filled: tuple[pd.Timestamp, ...] = ()  # periods in either total that were missing and filled in, not recorded
    left_out: tuple = ()  # parts of a total whose counts stop (forecast.compared.StoppedPart), left out of both spans


def year_on_year(history: pd.Series, *, filled=(), left_out=()) -> list[PeriodComparison]:
    """The last full financial year against the one before, and year to date if a year is under way.

    ``history`` is a count series indexed by month start (or quarter start:
    a year is then its four quarters and year to date counts quarters).
    ``filled`` are the periods that were missing from the data and filled
    in; each comparison names those its totals include. ``left_out`` are the
    parts of a total whose counts stop before ``history`` ends
    (:class:`crimecast.forecast.compared.StoppedPart`): a comparison whose
    later span runs past a part's last count leaves that part out of both
    spans (like with like), and names it.
    """
    from crimecast.forecast.compared import counted_in, without

    comparisons = []
    filled = pd.DatetimeIndex(list(filled))

    def compared(later: pd.DatetimeIndex, earlier) -> tuple[pd.Series, tuple]:
        parts = tuple(p for p in counted_in(left_out, later.union(pd.DatetimeIndex(earlier))) if p.last < later[-1])
        return without(history, parts), parts

    def within(*spans) -> tuple[pd.Timestamp, ...]:
        return tuple(sorted(m for m in filled if any(m in pd.DatetimeIndex(span) for span in spans)))

    frequency = series_frequency(history)
    last = history.index[-1]
    ends_year = frequency.period_end_month(last).month == 3
    current_start = financial_year_start(last)
    full_year = current_start if ends_year else current_start - 1
    this_year = financial_year_periods(full_year, frequency)
    year_before = financial_year_periods(full_year - 1, frequency)
    if this_year.isin(history.index).all() and year_before.isin(history.index).all():
        counts, parts = compared(this_year, year_before)
        test = poisson_e_test(counts[this_year].sum(), counts[year_before].sum())
        comparisons.append(PeriodComparison(f"{financial_year_label(full_year)} on {financial_year_label(full_year - 1)}", test,
                                            within(this_year, year_before), parts))
    if not ends_year:
        to_date = financial_year_periods(current_start, frequency)
        to_date = to_date[to_date <= last]
        earlier = [m - pd.DateOffset(years=1) for m in to_date]
        if all(m in history.index for m in earlier):
            counts, parts = compared(to_date, earlier)
            test = poisson_e_test(counts[to_date].sum(), counts[earlier].sum())
            comparisons.append(PeriodComparison(
                f"{financial_year_label(current_start)} year to date ({frequency.count_of(len(to_date))}) on the same {frequency.noun}s of "
                f"{financial_year_label(current_start - 1)}", test, within(to_date, earlier), parts))
    return comparisons

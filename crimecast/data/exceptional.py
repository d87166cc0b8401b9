"""Exceptional periods: months that happened but should not set the pattern (e.g. lockdowns).

Unlike a known change, which is a permanent step, an exceptional period is
temporary: its months are shown, but kept out of model fitting, interval
calibration windows and control limits, and the forecast returns to the
pattern around them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimecast.errors import DataError


@dataclass(frozen=True)
class ExceptionalPeriod:
    """A run of exceptional months, ``start`` to ``end`` inclusive (month starts)."""

    start: pd.Timestamp
    end: pd.Timestamp
    label: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise DataError(f"exceptional period '{self.label or f'{self.start:%Y-%m}'}': ends ({self.end:%Y-%m}) before it "
                            f"starts ({self.start:%Y-%m}); give the first and last month in order.")

    @property
    def name(self) -> str:
        return self.label or f"{self.start:%Y-%m} to {self.end:%Y-%m}"

    @property
    def last_day(self) -> pd.Timestamp:
        return self.end + pd.offsets.MonthEnd(0)


def exceptional_mask(index: pd.DatetimeIndex, periods: Iterable[ExceptionalPeriod]) -> np.ndarray:
    """True for each period of ``index`` that overlaps an exceptional period.

    ``index`` holds period starts (months, or quarters of a quarterly series):
    a quarter is exceptional when any of its months is.
    """
    index = pd.DatetimeIndex(index)
    mask = np.zeros(len(index), dtype=bool)
    if len(index) == 0:
        return mask
    step = pd.infer_freq(index) if len(index) >= 3 else None
    months = 3 if step and step.startswith("QS") else 1
    period_ends = index + pd.DateOffset(months=months) - pd.Timedelta(days=1)
    for period in periods:
        mask |= (index <= period.last_day) & (period_ends >= period.start)
    return mask


def check_no_overlap(periods: Iterable[ExceptionalPeriod], *, where: str = "exceptional periods") -> None:
    """DataError naming the two periods when any pair overlaps."""
    ordered = sorted(periods, key=lambda p: p.start)
    for before, after in zip(ordered, ordered[1:]):
        if after.start <= before.end:
            raise DataError(f"{where}: '{before.name}' ({before.start:%Y-%m} to {before.end:%Y-%m}) "
                            f"overlaps '{after.name}' ({after.start:%Y-%m} to {after.end:%Y-%m}); "
                            "merge them into one period or move one boundary.")

"""Forecast accuracy metrics, registered in one place.

Every metric takes the training series, the actual outcomes and the
predictive paths of one forecast window (and the keyword ``season``, the
periods in a year: 12 for months, 4 for quarters), and returns one number.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

SEASON = 12


def seasonal_naive_mae(train: np.ndarray, season: int = SEASON) -> float:
    """In-sample mean absolute error of the same-month (or quarter) last-year forecast."""
    if len(train) <= season:
        return float(np.mean(np.abs(np.diff(train)))) if len(train) > 1 else float("nan")
    return float(np.mean(np.abs(train[season:] - train[:-season])))


def mase(train: np.ndarray, actual: np.ndarray, paths: np.ndarray, *, season: int = SEASON) -> float:
    """MAE of the path median, scaled by the in-sample seasonal-naive MAE."""
    scale = seasonal_naive_mae(train, season)
    error = np.mean(np.abs(actual - np.median(paths, axis=0)))
    return float(error / scale) if scale > 0 else float("nan")


def total_ape(train: np.ndarray, actual: np.ndarray, paths: np.ndarray, *, season: int = SEASON) -> float:
    """Absolute % error of the window's total (what milestones are judged on)."""
    total = actual.sum()
    return float(abs(np.median(paths.sum(axis=1)) - total) / total * 100) if total > 0 else float("nan")


def _coverage(level: float) -> Callable[[np.ndarray, np.ndarray, np.ndarray], float]:
    tail = (1 - level) / 2

    def coverage(train: np.ndarray, actual: np.ndarray, paths: np.ndarray, *, season: int = SEASON) -> float:
        low, high = np.quantile(paths, [tail, 1 - tail], axis=0)
        return float(np.mean((actual >= low) & (actual <= high)) * 100)

    coverage.__doc__ = f"% of months whose outcome fell inside the central {level:.0%} interval."
    return coverage


def total_in_80(train: np.ndarray, actual: np.ndarray, paths: np.ndarray, *, season: int = SEASON) -> float:
    """100 if the window's total fell inside the 80% interval of the total, else 0."""
    low, high = np.quantile(paths.sum(axis=1), [0.1, 0.9])
    return 100.0 if low <= actual.sum() <= high else 0.0


METRICS: dict[str, Callable[..., float]] = {
    "mase": mase,
    "total_ape": total_ape,
    "coverage80": _coverage(0.8),
    "coverage95": _coverage(0.95),
    "total_in80": total_in_80,
}
METRIC_LABELS: dict[str, str] = {
    "mase": "MASE",
    "total_ape": "12-month total error %",
    "coverage80": "80% coverage %",
    "coverage95": "95% coverage %",
    "total_in80": "total in 80% interval %",
}

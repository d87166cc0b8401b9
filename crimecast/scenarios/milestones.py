"""Milestone arithmetic on sample paths: P(meet), recommended targets, trajectories, verdicts.

Every function here takes simulated financial-year totals (one per path) or
monthly paths, so the forecast's uncertainty (and a scenario's) flows into
the probability.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RECOMMENDED_LEVELS: tuple[float, ...] = (0.5, 0.7, 0.9)
LIKELY = 0.7  # P(meet) at or above: "likely met"
UNLIKELY = 0.3  # below: "unlikely"; between: "at risk"
AT_MOST, AT_LEAST = "at_most", "at_least"


@dataclass(frozen=True)
class Probability:
    """A Monte Carlo probability with its standard error, sqrt(p (1 - p) / n)."""

    p: float
    se: float
    n: int


def probability_of_meeting(totals: np.ndarray, threshold: float, *, direction: str = AT_MOST) -> Probability:
    """P(total <= threshold) (``at_most``, a reduction target) or P(total >= threshold) (``at_least``).

    Parameters
    ----------
    totals
        Simulated financial-year totals, one per path.
    threshold
        The count the milestone allows (e.g. 0.92 x last year for -8%), or
        one per path when the year before is itself forecast on the same paths.
    direction
        ``"at_most"`` or ``"at_least"``.

    Examples
    --------
    >>> probability_of_meeting(np.array([90.0, 100.0, 110.0, 120.0]), 100.0).p
    0.5
    """
    totals = np.asarray(totals, dtype=float)
    met = totals <= threshold if direction == AT_MOST else totals >= threshold
    p = float(met.mean())
    return Probability(p=p, se=float(np.sqrt(p * (1 - p) / totals.size)), n=int(totals.size))


def recommended_levels(totals: np.ndarray, *, levels: tuple[float, ...] = RECOMMENDED_LEVELS,
                       direction: str = AT_MOST) -> dict[float, float]:
    """The target (a total, or a rate) that would be met with each probability.

    For a reduction target (``at_most``) the target met with probability q
    is the q-quantile of the total; for ``at_least`` the (1 - q)-quantile.
    A higher probability means a less ambitious target.
    """
    quantiles = levels if direction == AT_MOST else tuple(1 - q for q in levels)
    values = np.quantile(np.asarray(totals, dtype=float), quantiles)
    return {level: float(value) for level, value in zip(levels, values)}


def recommended_changes(totals: np.ndarray, last_year: float, *, levels: tuple[float, ...] = RECOMMENDED_LEVELS,
                        direction: str = AT_MOST) -> dict[float, float]:
    """The change on last year that would be met with each probability (:func:`recommended_levels` over ``last_year``)."""
    return {level: value / last_year - 1
            for level, value in recommended_levels(totals, levels=levels, direction=direction).items()}


def seasonal_profile(monthly_mean: np.ndarray) -> np.ndarray:
    """Each month's share of the year, from the model's expected monthly counts."""
    monthly_mean = np.asarray(monthly_mean, dtype=float)
    total = monthly_mean.sum()
    return monthly_mean / total if total > 0 else np.full(monthly_mean.size, 1 / monthly_mean.size)


def trajectory(target_total: float, monthly_mean: np.ndarray) -> np.ndarray:
    """Cumulative counts month by month that end the year exactly on ``target_total``.

    The target is apportioned by the model's seasonal profile (not flat
    twelfths), so a month that is always busy does not look like a miss.
    """
    return target_total * np.cumsum(seasonal_profile(monthly_mean))


def verdict(probability: float) -> str:
    """``"likely met"`` (P >= 0.7), ``"at risk"`` or ``"unlikely"`` (P < 0.3)."""
    if probability >= LIKELY:
        return "likely met"
    return "at risk" if probability >= UNLIKELY else "unlikely"

"""The p-chart of a rate series, with Laney's p' correction when the data are overdispersed.

A p-chart sets limits for each month's proportion from its own sample size:
``p_bar +/- 3 sqrt(p_bar (1 - p_bar) / n_i)``, which assumes the months
differ only by binomial sampling. With surveys of hundreds a month, real
rates usually vary more than that (the true rate moves from month to month),
and a plain p-chart then flags half the months. Laney's p' chart (Laney 2002)
measures that extra variation: each month's z-score
``(p_i - p_bar) / sigma_i`` has moving ranges whose average over 1.128 is
``sigma_z``; the limits become ``p_bar +/- 3 sigma_i sigma_z``. Here the
p' chart is used when the chi-square test of the z-scores (sum z^2 on k - 1
degrees of freedom) shows overdispersion at the 5% level and ``sigma_z`` is
above 1, and the plain p-chart otherwise; the chart says which and why. The
test can show overdispersion while ``sigma_z`` is at most 1: the months stray
from the average more than sampling explains, but each differs from the one
before no more than sampling does (the rate drifts or shifts rather than
jumping about). Laney's factor would then narrow the limits, so the plain
p-chart is kept, and the sentence says so rather than that the months vary no
more than sampling explains.

Signals are the same rules as the XmR chart's (a point beyond a limit, a
run of points on one side of the centre line); a confirmed step change
(found on the monthly rates as for counts) starts a new period.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crimecast.data.rate_words import RateWords, words_of
from crimecast.defaults import RUN_LENGTH
from crimecast.errors import DataError
from crimecast.forecast.distributions import chi2_sf
from crimecast.forecast.spc import (RULE_BEYOND, RULE_RUN, MIN_POINTS, Signal, StepChange, detect_steps,
                                   refuse_start_after_end, runs, split_periods)
from crimecast.words import counted

D2 = 1.128
SIGMA_LIMIT = 3.0
OVERDISPERSION_ALPHA = 0.05
LANEY, PLAIN = "p' chart (Laney)", "p-chart"


@dataclass(frozen=True)
class RatePeriod:
    """A stretch of months sharing one centre line, and the kind of limits used."""

    start: pd.Timestamp
    end: pd.Timestamp
    centre: float
    sigma_z: float
    dispersion: float
    p_value: float
    points: int

    @property
    def laney(self) -> bool:
        """Whether the months vary more than sampling explains (so the p' limits are used)."""
        return self.p_value < OVERDISPERSION_ALPHA and self.sigma_z > 1

    @property
    def drifting(self) -> bool:
        """Whether the months stray from the average more than sampling explains (the chi-square test), yet each
        differs from the one before no more than sampling does (``sigma_z`` at most 1): a slow drift, not month-to-month
        noise, so Laney's widening does not apply."""
        return self.p_value < OVERDISPERSION_ALPHA and not self.laney

    @property
    def kind(self) -> str:
        return LANEY if self.laney else PLAIN


@dataclass
class PChart:
    """Monthly rates with their per-month limits, periods and signals.

    ``points`` has ``month, numerator, denominator, rate, centre, lower, upper``; ``words`` say what the numerator
    and denominator are (the series' ``attrs['words']``: satisfied / surveyed, dwelling / burglaries).
    """

    points: pd.DataFrame
    periods: list[RatePeriod]
    signals: list[Signal]
    steps: list[StepChange] = field(default_factory=list)
    words: RateWords = field(default_factory=RateWords)

    @property
    def kind(self) -> str:
        """``p' chart (Laney)`` if any period uses it, else ``p-chart``."""
        return LANEY if any(p.laney for p in self.periods) else PLAIN


def _period(piece: pd.DataFrame) -> tuple[RatePeriod, np.ndarray, np.ndarray]:
    x, n = piece["numerator"].to_numpy(dtype=float), piece["denominator"].to_numpy(dtype=float)
    centre = x.sum() / n.sum()
    if centre in (0.0, 1.0):
        raise DataError(f"every month from {piece.index[0]:%Y-%m} to {piece.index[-1]:%Y-%m} has a rate of "
                        f"{centre:.0%}, so there is no variation to set limits from.")
    sigma = np.sqrt(centre * (1 - centre) / n)
    z = (x / n - centre) / sigma
    sigma_z = float(np.mean(np.abs(np.diff(z))) / D2) if len(z) > 1 else 1.0
    dispersion = float(np.sum(z ** 2) / max(len(z) - 1, 1))
    p_value = chi2_sf(float(np.sum(z ** 2)), max(len(z) - 1, 1))
    period = RatePeriod(start=piece.index[0], end=piece.index[-1], centre=float(centre), sigma_z=sigma_z,
                        dispersion=dispersion, p_value=p_value, points=len(piece))
    width = SIGMA_LIMIT * sigma * (sigma_z if period.laney else 1.0)
    return period, np.clip(centre - width, 0, 1), np.clip(centre + width, 0, 1)


def p_chart(series: pd.DataFrame, *, start: pd.Timestamp | None = None, run_length: int = RUN_LENGTH,
            find_steps: bool = True) -> PChart:
    """The p-chart (or Laney p' chart) of a rate series.

    Parameters
    ----------
    series
        ``numerator, denominator`` indexed by month (its ``attrs['words']``, from
        :func:`crimecast.data.rates.rate_series`, name them).
    start
        First month charted (default: all).
    run_length
        Points in a row on one side of the centre line that signal a shift.
    find_steps
        Start a new period at each confirmed step change in the rates.

    Raises
    ------
    DataError
        Fewer than 12 months, or a rate that never varies.
    """
    words = words_of(series)
    if start is not None:
        refuse_start_after_end(series.index, start)
        series = series.loc[start:]
    if len(series) < MIN_POINTS:
        raise DataError(f"{len(series)} months is too few for a p-chart; it needs at least {MIN_POINTS}. Use an earlier --from.")
    rate = (series["numerator"] / series["denominator"]).rename("rate")
    steps = detect_steps(rate, run_length=run_length) if find_steps and np.ptp(rate.to_numpy()) > 0 else []
    periods, lower, upper, centre, signals = [], [], [], [], []
    for piece_rate in split_periods(rate, [s.month for s in steps]):
        piece = series.loc[piece_rate.index]
        period, lo, hi = _period(piece)
        periods.append(period)
        lower.append(lo)
        upper.append(hi)
        centre.append(np.full(len(piece), period.centre))
        values = piece_rate.to_numpy()
        beyond = (values < lo) | (values > hi)
        signals += [Signal(month=piece.index[i], rule=RULE_BEYOND, value=float(values[i])) for i in np.flatnonzero(beyond)]
        signals += [Signal(month=piece.index[i], rule=RULE_RUN, value=float(values[i]))
                    for i in np.flatnonzero(runs(values, period.centre, length=run_length))]
    points = pd.DataFrame({"month": series.index, "numerator": series["numerator"].to_numpy(),
                           "denominator": series["denominator"].to_numpy(), "rate": rate.to_numpy(),
                           "centre": np.concatenate(centre), "lower": np.concatenate(lower), "upper": np.concatenate(upper)})
    return PChart(points=points, periods=periods, signals=sorted(signals, key=lambda s: (s.month, s.rule)), steps=steps,
                  words=words)


def describe_p_chart(chart: PChart) -> list[str]:
    """Sentences in a performance report's words: the chart used and why, the current average, signals."""
    lines, sampling = [], chart.words.sampling
    for period in chart.periods:
        span = f"{period.start:%b %Y} to {period.end:%b %Y}"
        if period.laney:
            lines.append(f"{span}: {LANEY} used: the monthly rates vary {period.sigma_z:.2f} times as much as "
                         f"{sampling} alone explains (chi-square p = {period.p_value:.3g}), so the limits are widened by "
                         f"that factor. Average {period.centre:.1%}.")
        elif period.drifting:
            lines.append(f"{span}: {PLAIN} used: the months stray from the average more than {sampling} "
                         f"explains (chi-square p = {period.p_value:.2g}), but each differs from the one before no more "
                         f"than sampling does (sigma_z {period.sigma_z:.2f}): the rate drifts or shifts rather than "
                         "jumping about, and Laney's p' chart widens the limits only for month-to-month variation, so "
                         "the plain limits are kept and a month outside them may show the drift. "
                         f"Average {period.centre:.1%}.")
        else:
            lines.append(f"{span}: {PLAIN} used: the months vary no more than {sampling} explains "
                         f"(sigma_z {period.sigma_z:.2f}, chi-square p = {period.p_value:.2g}). Average {period.centre:.1%}.")
    for step in chart.steps:
        lines.append(f"Step change {'up' if step.after > step.before else 'down'} from {step.month:%B %Y}: "
                     f"{step.before:.1%} to {step.after:.1%} ({step.evidence}).")
    beyond = [s for s in chart.signals if s.rule == RULE_BEYOND]
    if beyond:
        listed = ", ".join(f"{s.month:%b %Y} ({s.value:.1%})" for s in beyond[:6])
        lines.append(f"{counted(len(beyond), 'month')} outside the limits: {listed}.")
    else:
        lines.append("No month outside the limits.")
    return lines

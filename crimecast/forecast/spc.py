"""Statistical process control: XmR charts, special-cause rules and step changes.

Pure functions on arrays of monthly (or quarterly) values: every rule counts
points, and limits come from the moving ranges between consecutive points of
the series' own frequency. An XmR chart's natural process
limits are the mean +/- 2.66 x the average moving range; the special-cause
rules are those of NHS "Making Data Count" practice, which police
performance teams share: a point beyond a limit, a run of points on one side
of the mean, a trend of points rising or falling, and two of three points
beyond two-thirds of the way to a limit. A confirmed step change starts a new
period with its own mean and limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from crimecast.data.exceptional import ExceptionalPeriod, exceptional_mask
from crimecast.data.frequency import MONTHLY, QUARTERLY, Frequency
from crimecast.defaults import RUN_LENGTH
from crimecast.errors import DataError

LIMIT_FACTOR = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two points
MR_SCREEN_FACTOR = 3.267  # upper limit of the moving-range chart
TREND_LENGTH = 6
MIN_POINTS = 12  # points an XmR chart needs; a period after a step with fewer has provisional limits
MIN_LIMIT_WIDTH = 2.0  # natural limits closer than this (in the series' units) cannot tell a signal from one crime
STEP_T_CRITICAL = 4.0
MAX_STEPS = 4

RULE_BEYOND = "beyond limit"
RULE_RUN = "run"
RULE_TREND = "trend"
RULE_TWO_OF_THREE = "two of three near a limit"


@dataclass(frozen=True)
class Limits:
    """Process mean, average moving range and natural process limits."""

    mean: float
    mr_bar: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Period:
    """A stretch of months sharing one process mean and one set of limits."""

    start: pd.Timestamp
    end: pd.Timestamp
    limits: Limits
    points: int

    @property
    def degenerate(self) -> bool:
        """Limits less than ``MIN_LIMIT_WIDTH`` apart (counts too few and too even, e.g. mostly zeros): they mean
        nothing, so no rule is read against them and they are not shown."""
        return self.limits.upper - self.limits.lower < MIN_LIMIT_WIDTH

    @property
    def provisional(self) -> bool:
        """Fewer than ``MIN_POINTS`` points (a recent step): limits to firm up as the points come."""
        return self.points < MIN_POINTS


@dataclass(frozen=True)
class Signal:
    """A special cause: which rule fired at which month, and the value there."""

    month: pd.Timestamp
    rule: str
    value: float


@dataclass(frozen=True)
class StepChange:
    """A sustained level shift: when, how large, on what evidence."""

    month: pd.Timestamp
    before: float
    after: float
    t_statistic: float
    evidence: str
    known: bool = False

    @property
    def change(self) -> float:
        """Relative size of the step, e.g. -0.11 for a step down of 11%."""
        return self.after / self.before - 1 if self.before else float("nan")


@dataclass
class ControlChart:
    """An XmR chart of one series, split into periods at its step changes."""

    values: pd.Series
    periods: list[Period]
    signals: list[Signal]
    steps: list[StepChange] = field(default_factory=list)
    seasonally_adjusted: bool = False
    exceptional: tuple[ExceptionalPeriod, ...] = ()

    @property
    def excluded(self) -> np.ndarray:
        """True for the points in an exceptional period: shown, but out of the average, limits and rules."""
        return exceptional_mask(self.values.index, self.exceptional)

    @property
    def frequency(self) -> Frequency:
        """Months or quarters: what one point of the chart is."""
        return _frequency(self.values)


def moving_ranges(values: np.ndarray) -> np.ndarray:
    """Absolute differences of consecutive values."""
    return np.abs(np.diff(np.asarray(values, dtype=float)))


def xmr_limits(values: np.ndarray, *, screen: bool = False) -> Limits:
    """Natural process limits of ``values``.

    With ``screen=True`` moving ranges above 3.267 x their average are left
    out and the average recomputed once, so a single wild point does not
    widen the limits.

    Raises
    ------
    DataError
        If there are fewer than 2 values.
    """
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        raise DataError("an XmR chart needs at least 2 points.")
    ranges = moving_ranges(values)
    mr_bar = ranges.mean()
    if screen and mr_bar > 0:
        kept = ranges[ranges <= MR_SCREEN_FACTOR * mr_bar]
        mr_bar = kept.mean() if len(kept) else mr_bar
    mean = values.mean()
    return Limits(mean=float(mean), mr_bar=float(mr_bar), lower=float(mean - LIMIT_FACTOR * mr_bar),
                  upper=float(mean + LIMIT_FACTOR * mr_bar))


def beyond_limits(values: np.ndarray, limits: Limits) -> np.ndarray:
    """Points above the upper or below the lower natural process limit."""
    values = np.asarray(values, dtype=float)
    return (values > limits.upper) | (values < limits.lower)


def _mark_runs(condition: np.ndarray, length: int) -> np.ndarray:
    """Mark every point belonging to a stretch of at least ``length`` True values."""
    marked = np.zeros(len(condition), dtype=bool)
    start = None
    for i, flag in enumerate(np.append(condition, False)):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= length:
                marked[start:i] = True
            start = None
    return marked


def runs(values: np.ndarray, mean: float, *, length: int = RUN_LENGTH) -> np.ndarray:
    """Points in a run of ``length`` or more on one side of ``mean`` (points on it break a run)."""
    values = np.asarray(values, dtype=float)
    return _mark_runs(values > mean, length) | _mark_runs(values < mean, length)


def trends(values: np.ndarray, *, length: int = TREND_LENGTH) -> np.ndarray:
    """Points in ``length`` or more consecutive points each higher (or lower) than the last."""
    values = np.asarray(values, dtype=float)
    steps = np.diff(values)
    marked = np.zeros(len(values), dtype=bool)
    for direction in (steps > 0, steps < 0):
        rising = _mark_runs(direction, length - 1)
        for i in np.flatnonzero(rising):
            marked[i] = marked[i + 1] = True
    return marked


def two_of_three(values: np.ndarray, limits: Limits) -> np.ndarray:
    """Two of three consecutive points beyond two-thirds of the way to a limit, same side."""
    values = np.asarray(values, dtype=float)
    high = values > limits.mean + 2 / 3 * (limits.upper - limits.mean)
    low = values < limits.mean - 2 / 3 * (limits.mean - limits.lower)
    marked = np.zeros(len(values), dtype=bool)
    for side in (high, low):
        for i in range(len(values) - 2):
            window = side[i:i + 3]
            if window.sum() >= 2:
                marked[i:i + 3] |= window
    return marked


def period_signals(values: pd.Series, limits: Limits, *, run_length: int = RUN_LENGTH,
                   trend_length: int = TREND_LENGTH) -> list[Signal]:
    """Every special cause within one period, in month order, each point once per rule."""
    array = values.to_numpy(dtype=float)
    masks = {
        RULE_BEYOND: beyond_limits(array, limits),
        RULE_RUN: runs(array, limits.mean, length=run_length),
        RULE_TREND: trends(array, length=trend_length),
        RULE_TWO_OF_THREE: two_of_three(array, limits),
    }
    signals = [Signal(month=values.index[i], rule=rule, value=float(array[i]))
               for rule, mask in masks.items() for i in np.flatnonzero(mask)]
    return sorted(signals, key=lambda s: (s.month, s.rule))


def _frequency(values: pd.Series) -> Frequency:
    """Months or quarters: the series' index ``freq``, or its spacing."""
    from crimecast.forecast.cores import series_frequency

    return series_frequency(values) if isinstance(values.index, pd.DatetimeIndex) else MONTHLY


def _as_option(period: pd.Timestamp, frequency: Frequency) -> str:
    """A period as --from takes it: ``2013-04``; a quarter as its first month, with its label."""
    return f"{period:%Y-%m}" if frequency is MONTHLY else f"{period:%Y-%m} ({frequency.label(period)})"


def refuse_start_after_end(index: pd.DatetimeIndex, start: pd.Timestamp, *, frequency: Frequency = MONTHLY,
                           name: str | None = None) -> None:
    """Refuse a ``--from`` after the data's last period, naming that period and the latest start that charts.

    Raises
    ------
    DataError
        When ``start`` is after the last period of ``index`` (a typing error, 2030-01 for 2013-01, or data that
        ends sooner than thought): "only 0 months to chart" would send the user to an earlier --from blind.
    """
    last = index[-1]
    if pd.Timestamp(start) < frequency.next(last):  # a --from inside the last period (a quarter's second month) charts it
        return
    latest = frequency.next(last, -(MIN_POINTS - 1))
    raise DataError(f"{name + ': ' if name else ''}--from {pd.Timestamp(start):%Y-%m} is after the data ends (its last "
                    f"{frequency.noun} is {frequency.label(last)}): there is nothing to chart. A chart needs at least "
                    f"{MIN_POINTS} {frequency.noun}s: give a --from no later than {_as_option(latest, frequency)}, or "
                    f"leave it out to chart the last {'three' if frequency is MONTHLY else 'five'} years.")


def _check_series(values: pd.Series, *, kept: pd.Series | None = None) -> None:
    if kept is not None and len(kept) < len(values) and len(kept) < MIN_POINTS:
        raise DataError(f"{values.name or 'series'}: {len(kept)} points outside the exceptional periods is too few for "
                        f"control limits; an XmR chart needs at least {MIN_POINTS} {_frequency(values).noun}s. "
                        "Use an earlier --from.")
    if len(values) < MIN_POINTS:  # the series may be that short, or cut short by --from: the advice fits both
        noun = _frequency(values).noun
        raise DataError(f"{values.name or 'series'}: only {_frequency(values).count_of(len(values))} to chart, too few for control limits "
                        f"(an XmR chart needs at least {MIN_POINTS} {noun}s). Chart a longer span (an earlier --from) "
                        "where the data holds one.")
    if np.ptp(values.to_numpy(dtype=float)) == 0:
        raise DataError(f"{values.name or 'series'}: every value is {values.iloc[0]:g}, so there is no variation "
                        "to set limits from. Check the series, or chart a longer span.")


def split_periods(values: pd.Series, breaks: list[pd.Timestamp]) -> list[pd.Series]:
    """The series cut at each break month (a break starts a new period)."""
    edges = [values.index[0], *sorted(b for b in breaks if values.index[0] < b <= values.index[-1])]
    pieces = []
    for i, start in enumerate(edges):
        end = edges[i + 1] if i + 1 < len(edges) else None
        piece = values[values.index >= start]
        pieces.append(piece[piece.index < end] if end is not None else piece)
    return pieces


def _kept(values: pd.Series, exceptional: tuple[ExceptionalPeriod, ...]) -> pd.Series:
    """The points outside every exceptional period."""
    return values[~exceptional_mask(values.index, exceptional)] if exceptional else values


def control_chart(values: pd.Series, *, breaks: list[pd.Timestamp] = (), run_length: int = RUN_LENGTH,
                  trend_length: int = TREND_LENGTH, screen: bool = True,
                  exceptional: tuple[ExceptionalPeriod, ...] = ()) -> ControlChart:
    """An XmR chart with a new period (mean and limits) at each break.

    Points in an ``exceptional`` period (e.g. a lockdown) stay on the chart
    but are left out of each period's mean, moving ranges, limits and rules:
    the moving range is taken between the kept points either side.

    Raises
    ------
    DataError
        For fewer than 12 points (outside exceptional periods) or a constant series.
    """
    exceptional = tuple(exceptional)
    _check_series(values, kept=_kept(values, exceptional))
    periods, signals = [], []
    for piece in split_periods(values, list(breaks)):
        kept = _kept(piece, exceptional)
        kept = kept if len(kept) else piece  # a period wholly exceptional is charted on its own points
        limits = xmr_limits(kept.to_numpy(), screen=screen) if len(kept) > 1 else Limits(
            float(kept.iloc[0]), 0.0, float(kept.iloc[0]), float(kept.iloc[0]))
        period = Period(start=piece.index[0], end=piece.index[-1], limits=limits, points=len(kept))
        periods.append(period)
        if not period.degenerate:  # rules against limits that mean nothing would flag nearly every point
            signals += period_signals(kept, limits, run_length=run_length, trend_length=trend_length)
    return ControlChart(values=values, periods=periods, signals=signals, exceptional=exceptional)


def _step_t(values: np.ndarray, k: int) -> float:
    """t-statistic of a shift between the mean before index ``k`` and the mean from it."""
    n = len(values)
    design = np.column_stack([np.ones(n), (np.arange(n) >= k).astype(float)])
    coef = _coefficients(values, design)  # one least-squares solve gives both the residuals and the shift
    sse = _sse(values, design, coef)
    if n <= 2 or sse <= 0:
        return 0.0
    covariance = np.linalg.pinv(design.T @ design)
    return float(coef[-1] / np.sqrt(sse / (n - 2) * covariance[-1, -1]))


def levels_around(values: np.ndarray, k: int, *, year: int = 12) -> tuple[float, float]:
    """Mean level in the year (``year`` points, or less) before index ``k`` and the year from it."""
    window = min(year, max(1, len(values) // 4))
    return float(values[max(0, k - window):k].mean()), float(values[k:k + window].mean())


def _coefficients(values: np.ndarray, design: np.ndarray) -> np.ndarray:
    coef, *_ = np.linalg.lstsq(design, values, rcond=None)
    return coef


def _sse(values: np.ndarray, design: np.ndarray, coef: np.ndarray | None = None) -> float:
    coef = _coefficients(values, design) if coef is None else coef
    return float(np.sum((values - design @ coef) ** 2))


def _more_step_than_trend(values: np.ndarray, k: int) -> bool:
    """True when two flat levels split at ``k`` fit better than one straight line."""
    n = len(values)
    t = np.arange(n, dtype=float)
    line = np.column_stack([np.ones(n), t])
    levels = np.column_stack([np.ones(n), (t >= k).astype(float)])
    return _sse(values, levels) < _sse(values, line)


def _best_split(values: np.ndarray, *, min_points: int) -> tuple[int, float] | None:
    """Where a level shift fits best (the best two-mean split) and its t-statistic."""
    candidates = range(min_points, len(values) - min_points + 1)
    if not candidates:
        return None
    return max(((k, _step_t(values, k)) for k in candidates), key=lambda item: abs(item[1]))


def _sustained(values: np.ndarray, k: int, before_mean: float, run_length: int) -> bool:
    """SPC evidence: a run of ``run_length`` points after the step on its new side of the old mean."""
    after = values[k:]
    side = after > before_mean if after.mean() > before_mean else after < before_mean
    return bool(_mark_runs(side, run_length).any())


def detect_steps(values: pd.Series, *, run_length: int = RUN_LENGTH, known: list[pd.Timestamp] = (),
                 t_critical: float = STEP_T_CRITICAL, max_steps: int = MAX_STEPS,
                 exceptional: tuple[ExceptionalPeriod, ...] = ()) -> list[StepChange]:
    """Find sustained level shifts by binary segmentation, confirmed by the run rule.

    Each period is searched for the month that best splits it into two
    levels (largest two-mean t-statistic). It is confirmed when that
    t-statistic reaches ``t_critical``, at least ``run_length`` consecutive
    points after it sit on the new side of the old mean, and two flat levels
    fit the period better than one straight line (so a steady decline is not
    mistaken for a step). Known process changes (``known``) are always
    periods' edges and reported as steps with their measured size.

    Points in ``exceptional`` periods are left out of the search and of
    the sizes (a known change inside one takes effect at the next kept
    point). A step's size compares the periods either side of it: the
    mean from the previous step (or a year before, if later; a quarter of
    a short series) to the step, and from the step to the next one (or a
    year after).
    """
    year = _frequency(values).periods_per_year
    _check_series(values, kept=_kept(values, tuple(exceptional)))
    values = _kept(values, tuple(exceptional))
    array = values.to_numpy(dtype=float)
    months = values.index
    breaks = sorted({months[months >= pd.Timestamp(k)][0] for k in known
                     if months[0] < pd.Timestamp(k) <= months[-1]})
    steps = [_known_step(array, months, b, year=year) for b in breaks]
    while len(steps) - len(breaks) < max_steps:
        found = None
        for piece in split_periods(values, breaks):
            if len(piece) < 2 * run_length:
                continue
            piece_values = piece.to_numpy(dtype=float)
            best = _best_split(piece_values, min_points=run_length)
            if best is None or abs(best[1]) < t_critical:
                continue
            k, t_stat = best
            if not _sustained(piece_values, k, piece_values[:k].mean(), run_length):
                continue
            if not _more_step_than_trend(piece_values, k):
                continue
            before, after = levels_around(piece_values, k, year=year)
            if found is None or abs(t_stat) > abs(found.t_statistic):
                found = StepChange(month=piece.index[k], before=before, after=after, t_statistic=t_stat,
                                   evidence=f"run of {run_length}+ points on the new side of the old mean; shift t = {t_stat:.1f}")
        if found is None:
            break
        steps.append(found)
        breaks = sorted([*breaks, found.month])
    return _sized_between(sorted(steps, key=lambda s: s.month), array, months, year=year)


def _sized_between(steps: list[StepChange], array: np.ndarray, months: pd.DatetimeIndex, *,
                   year: int) -> list[StepChange]:
    """Each step's levels from the periods either side of it, never reaching past a neighbouring step."""
    edges = [0, *(int(months.get_loc(s.month)) for s in steps), len(array)]
    window = min(year, max(1, len(array) // 4))  # as levels_around: a year, or a quarter of a short series
    sized = []
    for i, step in enumerate(steps, start=1):
        before = array[max(edges[i - 1], edges[i] - window):edges[i]]
        after = array[edges[i]:min(edges[i + 1], edges[i] + window)]
        if len(before) and len(after):
            step = replace(step, before=float(before.mean()), after=float(after.mean()))
        sized.append(step)
    return sized


def _known_step(array: np.ndarray, months: pd.DatetimeIndex, month: pd.Timestamp, *, year: int = 12) -> StepChange:
    before, after = levels_around(array, int(months.get_loc(month)), year=year)
    return StepChange(month=month, before=before, after=after, t_statistic=float("nan"),
                      evidence="known process change (from the known-changes file)", known=True)


MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
QUARTER_NAMES = {1: "January-March", 4: "April-June", 7: "July-September", 10: "October-December"}
SEASONAL_THRESHOLD = 0.03  # a month at least 3% above the typical month is "above average"


def _step_sentence(step: StepChange, periods: list[Period], frequency: Frequency = MONTHLY) -> str:
    direction = "up" if step.change > 0 else "down"
    kind = "known change" if step.known else "step change"
    later = [p for p in periods if p.start >= step.month]
    level = f" to a process average of {later[0].limits.mean:,.0f}" if later else ""
    return f"{kind.capitalize()} {direction} of {abs(step.change):.0%} from {frequency.label(step.month)}{level}"


def describe_chart(chart: ControlChart, *, month_effects: pd.Series | None = None) -> list[str]:
    """The chart in a performance report's words: steps, stability, special causes, seasonality.

    Quarterly charts speak of quarters (``2013/14 Q1``, "a quarter").
    """
    frequency = chart.frequency
    label = frequency.label
    lines = []
    last = chart.periods[-1]
    since_last = [s for s in chart.signals if s.month >= last.start]
    stable = not since_last
    adjusted = " (seasonally adjusted)" if chart.seasonally_adjusted else ""
    for step in chart.steps:
        lines.append(_step_sentence(step, chart.periods, frequency) + ".")
    if not chart.steps:
        lines.append(f"No step change since {label(chart.values.index[0])}.")
    shown = [p for p in chart.exceptional if chart.excluded.any() and p.last_day >= chart.values.index[0]
             and p.start <= chart.values.index[-1]]
    if shown:
        listed = "; ".join(p.named_span for p in shown)
        lines.append(f"Exceptional {frequency.noun}s shown but kept out of the average, limits and rules: {listed}.")
    if last.degenerate:
        lines.append(no_limits_sentence(chart))
        return lines
    status = "stable" if stable else "not stable"
    lines.append(f"Since {label(last.start)} the process is {status}{adjusted}: average {last.limits.mean:,.0f} a "
                 f"{frequency.noun}, natural limits {max(last.limits.lower, 0):,.0f} to {last.limits.upper:,.0f}"
                 f"{provisional_words(last, frequency)}.")
    for rule in (RULE_BEYOND, RULE_RUN, RULE_TREND, RULE_TWO_OF_THREE):
        months = sorted({s.month for s in since_last if s.rule == rule})
        if months:
            listed = ", ".join(label(m) for m in months[:6]) + (" ..." if len(months) > 6 else "")
            lines.append(f"Special cause ({rule}) in the current period: {listed}.")
    if month_effects is not None:
        names = QUARTER_NAMES if frequency is QUARTERLY else dict(enumerate(MONTH_NAMES, start=1))
        above = [names[m] for m, v in month_effects.items() if v > 1 + SEASONAL_THRESHOLD]
        if above:
            lines.append(f"Seasonal pattern: above average levels in {', '.join(above)}.")
    return lines


def provisional_words(period: Period, frequency: Frequency = MONTHLY) -> str:
    """``' (provisional: only 7 months since the step; limits firm up at 12)'`` for a short period, else ``''``."""
    if not period.provisional:
        return ""
    return (f" (provisional: only {frequency.count_of(period.points)} since {frequency.label(period.start)}; "
            f"limits firm up at {MIN_POINTS})")


def no_limits_sentence(chart: ControlChart) -> str:
    """Why the current period has no control limits worth reading, in a Board's words."""
    frequency = chart.frequency
    last = chart.periods[-1]
    kept = _kept(chart.values[chart.values.index >= last.start], chart.exceptional)
    noun, since = frequency.noun, frequency.label(last.start)
    zeros = int((kept == 0).sum())
    spread = (f"{zeros} of the {frequency.count_of(len(kept))} since {since} had none" if zeros
              else f"the {frequency.count_of(len(kept))} since {since} barely vary")
    return (f"Too few crimes, too evenly spread, for a control chart: {spread} (average {last.limits.mean:,.1f} a "
            f"{noun}), so its limits would be less than {MIN_LIMIT_WIDTH:g} apart and flag almost every {noun} as "
            f"unusual. No limits are set and no signals read; judge the counts themselves.{_latest_run(kept, frequency)}")


def _latest_run(kept: pd.Series, frequency: Frequency) -> str:
    """``' The latest 6 months (2023-04 to 2023-09) all had some, 1 to 20 a month, after 30 months with none: ...'``
    when a period of mostly zeros ends in a run of periods with crimes (a change too recent to be a step yet), else
    ``''``."""
    zeros = np.flatnonzero(kept.to_numpy() == 0)
    if not len(zeros):
        return ""
    run = kept.iloc[zeros[-1] + 1:]
    if len(run) < 3:  # one or two non-zero periods in a row are the noise of a quiet series
        return ""
    noun, label = frequency.noun, frequency.label
    return (f" The latest {len(run)} {noun}s ({label(run.index[0])} to {label(run.index[-1])}) all had some, "
            f"{run.min():,.0f} to {run.max():,.0f} a {noun}, after {frequency.count_of(len(zeros))} with none: a change too recent "
            "to be tested as a step; watch whether it lasts.")

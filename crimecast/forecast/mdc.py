"""Summary icons in the manner of NHS England's "Making Data Count": variation and assurance.

Two readings of an XmR chart that a Board takes in at a glance:

- **Variation**: is the latest month common cause, or a special cause, and
  if so is it improving or concerning? A month is special cause when a
  special-cause rule fires on it in the current period. Because a confirmed
  step change starts a new period (and so would hide itself), a step within
  the last 12 months also counts as special cause, in the step's direction.
  The converse: when the latest points have lain beyond one limit, unbroken,
  for more than those 12 months (a level the process settled at after a
  gradual fall or rise, which the step search, preferring a straight line,
  did not confirm as a step), the chart is re-baselined there as "Making
  Data Count" practice would (:func:`settled_level`): the latest point is
  read against the limits of that run, not the old ones, so a fall that ended
  more than a year ago is not called "improving" while the latest months
  rise again (West Midlands total recorded crime, 2013/14 Q1: five quarters
  below the lower limit of the average since 2008/09 Q2, after the fall of
  2011/12, and the latest quarter 3% up on the year before).
- **Assurance**: will the process meet the target by itself? The target is
  put on the chart's scale (the year's allowed total over 12 for monthly
  data, over 4 for quarterly data) and set
  against the current period's natural process limits: outside the limits on
  the right side, the target is consistently met; on the wrong side,
  consistently missed; between them, hit and miss. When the target lies
  beyond a limit and so do any of the latest periods (the latest 6 months, or
  2 quarters: :data:`RECENT_MONTHS`; a change not yet confirmed as a step, or
  months that have already crossed the limit and come back), the process has
  moved past the limits the reading would rest on: the target is not judged
  (``moved``).

Which side is "improving" depends on the milestone's direction: for a
reduction target (``at_most``) lower is better. When the current period's
limits mean nothing (too few crimes, too evenly spread:
``Period.degenerate``), no target is judged (assurance is ``no-limits``)
and no rule is read (variation is ``no-limits`` unless a step in the last
12 months makes it special cause).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimecast.data.frequency import MONTHLY, Frequency
from crimecast.forecast.spc import MIN_LIMIT_WIDTH, RULE_TREND, ControlChart, Limits, period_signals, xmr_limits

COMMON_CAUSE = "common-cause"
IMPROVING = "improving"
CONCERNING = "concerning"
CONSISTENTLY_MET = "consistently-met"
CONSISTENTLY_MISSED = "consistently-missed"
HIT_AND_MISS = "hit-and-miss"
MOVED = "moved"  # the target lies beyond a limit and so do some of the latest periods: not judged against those limits
NO_LIMITS = "no-limits"  # the current period's limits mean nothing (Period.degenerate): nothing is read against them
RECENT_STEP_MONTHS = 12
RECENT_MONTHS = 6  # the assurance reading's window: any of the latest 6 months (2 quarters) beyond the target's limit


@dataclass(frozen=True)
class Settled:
    """A level the latest periods have held beyond one of the current period's limits for more than
    :data:`RECENT_STEP_MONTHS`: where the chart is re-baselined for the variation reading (:func:`settled_level`)."""

    since: pd.Timestamp  # the first period of the run beyond the limit
    when: str  # ``since`` as the data's periods are named: ``2012-04``, or ``2012/13 Q1``
    points: int
    side: str  # ``"lower"`` (below the lower limit) or ``"higher"`` (above the upper)
    limits: Limits  # the run's own natural process limits


@dataclass(frozen=True)
class Variation:
    """The variation reading: ``kind`` (common-cause, improving, concerning), the side and why; ``settled`` when it
    is read against a level the process settled at beyond the chart's limits (:func:`settled_level`)."""

    kind: str
    side: str | None
    reason: str
    settled: Settled | None = None

    @property
    def label(self) -> str:
        """Text equivalent of the icon, e.g. ``"Special cause: concerning (higher)"``, or ``"Common cause at a lower
        level since 2012/13 Q1"`` when read against a settled level."""
        if self.kind == NO_LIMITS:
            return "Too few crimes to chart"
        if self.settled is not None:  # short, for the summary's cell: the section says it in full
            level = f"a {self.settled.side} level since {self.settled.when}"
            return f"Common cause at {level}" if self.kind == COMMON_CAUSE else \
                f"Special cause: {self.kind} ({self.side}) at {level}"
        return "Common cause variation" if self.kind == COMMON_CAUSE else f"Special cause: {self.kind} ({self.side})"


@dataclass(frozen=True)
class Assurance:
    """The assurance reading: ``kind`` and the numbers it rests on (the target per period and the limits).

    ``monthly_target`` is the year's target per period of ``frequency``: a
    month's share for monthly data, a quarter's for quarterly data.
    """

    kind: str
    monthly_target: float
    lower: float
    upper: float
    frequency: Frequency = MONTHLY

    @property
    def label(self) -> str:
        """Text equivalent of the icon."""
        return {CONSISTENTLY_MET: "Target consistently met", CONSISTENTLY_MISSED: "Target consistently missed",
                HIT_AND_MISS: "Hit and miss", NO_LIMITS: "Not judged: too few crimes for limits",
                MOVED: f"Not judged: recent {self.frequency.noun}s lie beyond the limits"}[self.kind]

    @property
    def side(self) -> str:
        """Which limit the target lies beyond: ``"below the lower limit"``, ``"above the upper limit"``, or ``""``."""
        return ("below the lower limit" if self.monthly_target < self.lower else
                "above the upper limit" if self.monthly_target > self.upper else "")


def recent_periods(*, frequency: Frequency = MONTHLY) -> int:
    """How many of the latest periods the assurance reading looks at: :data:`RECENT_MONTHS` in periods of
    ``frequency`` (6 months, 2 quarters)."""
    return max(RECENT_MONTHS // frequency.months_per_period, 1)


def recent_beyond(values, *, monthly_target: float, lower: float, upper: float,
                  frequency: Frequency = MONTHLY) -> tuple[np.ndarray, np.ndarray]:
    """The latest ``values``, and which of them lie beyond the limit the target lies beyond.

    Parameters
    ----------
    values
        The current period's values, oldest first.
    monthly_target, lower, upper
        The target per period and the limits (as in :class:`Assurance`).
    frequency
        The values' periods: the window is :func:`recent_periods` of them.

    Returns
    -------
    recent, beyond
        The latest values (up to 6 months or 2 quarters, fewer when the current period is shorter), oldest first,
        and a boolean array of the same length: below ``lower`` when the target is below it, above ``upper`` when
        above; all False when the target lies within the limits.
    """
    recent = np.asarray(values, dtype=float)[-recent_periods(frequency=frequency):]
    if monthly_target < lower:
        return recent, recent < lower
    if monthly_target > upper:
        return recent, recent > upper
    return recent, np.zeros(len(recent), dtype=bool)


def special_cause_kind(side: str, *, lower_is_better: bool) -> str:
    """Whether a special cause on ``side`` (``higher`` or ``lower``) is improving or concerning.

    Shared by every chart's variation reading: the XmR chart's (:func:`variation`) and the p-chart's (the Board
    pack's rate milestones).
    """
    return IMPROVING if (side == "lower") == lower_is_better else CONCERNING


def settled_level(chart: ControlChart) -> Settled | None:
    """The level the latest points have held beyond one limit of the chart's current period, when they have done so,
    unbroken, for more than :data:`RECENT_STEP_MONTHS` (the run began at or before the latest period less 12 months:
    as a step that old counts no more as special cause); else ``None``.

    Exceptional periods are left out, as the limits leave them out. The run's own limits are its XmR limits, screened
    as the chart's are: what the chart would show had it been re-baselined where the run began.
    """
    period = chart.periods[-1]
    if period.degenerate:
        return None
    values = chart.values
    kept = values[np.asarray(values.index >= period.start) & ~chart.excluded]
    if len(kept) < 2:
        return None
    limits, last = period.limits, float(kept.iloc[-1])
    if last < limits.lower:
        side, beyond = "lower", kept.to_numpy(dtype=float) < limits.lower
    elif last > limits.upper:
        side, beyond = "higher", kept.to_numpy(dtype=float) > limits.upper
    else:
        return None
    run = int(np.cumprod(beyond[::-1]).sum())
    since = kept.index[-run]
    if run < 2 or since > values.index[-1] - pd.DateOffset(months=RECENT_STEP_MONTHS):
        return None
    return Settled(since=since, when=chart.frequency.label(since), points=run, side=side,
                   limits=xmr_limits(kept.iloc[-run:].to_numpy(dtype=float), screen=True))


def _settled_variation(chart: ControlChart, settled: Settled, *, lower_is_better: bool) -> Variation:
    """The latest point read against the level the process settled at: a rule firing on it within the run (against
    the run's own limits) is special cause, on its side of the run's mean; else common cause."""
    values = chart.values
    last = values.index[-1]
    run = values[np.asarray(values.index >= settled.since) & ~chart.excluded]
    rules = sorted({s.rule for s in period_signals(run, settled.limits) if s.month == last})
    since = f"against the level held since {settled.when} ({settled.points} points beyond the chart's limits)"
    if not rules:
        return Variation(COMMON_CAUSE, None, f"{last:%Y-%m} within the limits {since}", settled)
    side = _signal_side(run, rules, mean=settled.limits.mean)
    return Variation(special_cause_kind(side, lower_is_better=lower_is_better), side,
                     f"{last:%Y-%m}: {', '.join(rules)} {since}", settled)


def _signal_side(values: pd.Series, rules: list[str], *, mean: float) -> str:
    """The side of a special cause firing on the latest of ``values``: a trend's by its last step, any other rule's
    by the latest point against ``mean``."""
    if rules == [RULE_TREND] and len(values) > 1:
        return "higher" if values.iloc[-1] > values.iloc[-2] else "lower"
    return "higher" if values.iloc[-1] > mean else "lower"


def variation(chart: ControlChart, *, lower_is_better: bool = True) -> Variation:
    """Common cause or special cause (improving or concerning) at the chart's latest month.

    Read against the chart's current limits; or, when the latest points have lain beyond one of them for more than
    12 months (:func:`settled_level`), against the level they settled at (the module's docstring says why).

    Parameters
    ----------
    chart
        From :func:`crimecast.forecast.spc.control_chart` or ``run_spc``.
    lower_is_better
        True for a reduction target.
    """
    settled = settled_level(chart)
    if settled is not None:
        return _settled_variation(chart, settled, lower_is_better=lower_is_better)
    values = chart.values
    last = values.index[-1]
    period = chart.periods[-1]
    rules = sorted({s.rule for s in chart.signals if s.month == last})
    if rules:
        side = _signal_side(values, rules, mean=period.limits.mean)
        return Variation(special_cause_kind(side, lower_is_better=lower_is_better), side,
                         f"{last:%Y-%m}: {', '.join(rules)}")
    since = last - pd.DateOffset(months=RECENT_STEP_MONTHS)
    recent = [s for s in chart.steps if s.month > since]
    if recent:
        step = recent[-1]
        side = "higher" if step.change > 0 else "lower"
        when = chart.frequency.label(step.month)  # 2021-10, or 2021/22 Q3 for quarterly data
        return Variation(special_cause_kind(side, lower_is_better=lower_is_better), side,
                         f"step change {step.change:+.0%} from {when}")
    if period.degenerate:  # no rule is read against limits that mean nothing; a recent step (above) still counts
        return Variation(NO_LIMITS, None, f"{last:%Y-%m}: limits less than {MIN_LIMIT_WIDTH:g} apart, no rule read")
    return Variation(COMMON_CAUSE, None, f"{last:%Y-%m} within the limits, no special-cause rule fired")


def assurance(limits: Limits, *, year_target: float, lower_is_better: bool = True,
              frequency: Frequency = MONTHLY, degenerate: bool = False, latest=()) -> Assurance:
    """Where the target (as an average per period: month or quarter) sits against the natural process limits.

    Parameters
    ----------
    limits
        The current period's limits.
    year_target
        The count the milestone allows for the year (e.g. 0.92 x last year).
    lower_is_better
        True when the target is a ceiling (``at_most``).
    frequency
        The chart's periods (the data's frequency): the year's target is
        shared over its ``periods_per_year`` (12 months or 4 quarters).
    degenerate
        The limits mean nothing (``Period.degenerate``): the reading is
        ``no-limits`` and the target is not judged.
    latest
        The current period's values, oldest first (those kept in the
        limits): when any of the latest 6 months (2 quarters) lie beyond
        the limit the target lies beyond, the reading is ``moved`` (see
        :func:`recent_beyond`).
    """
    monthly = year_target / frequency.periods_per_year
    lower, upper = max(limits.lower, 0.0), limits.upper
    if degenerate:
        kind = NO_LIMITS
    elif lower_is_better:
        kind = CONSISTENTLY_MET if monthly >= upper else CONSISTENTLY_MISSED if monthly < lower else HIT_AND_MISS
    else:
        kind = CONSISTENTLY_MET if monthly <= lower else CONSISTENTLY_MISSED if monthly > upper else HIT_AND_MISS
    if kind != NO_LIMITS and recent_beyond(latest, monthly_target=monthly, lower=lower, upper=upper,
                                           frequency=frequency)[1].any():
        kind = MOVED
    return Assurance(kind=kind, monthly_target=monthly, lower=lower, upper=upper, frequency=frequency)


__all__ = ["Assurance", "Settled", "Variation", "assurance", "recent_beyond", "recent_periods", "settled_level",
           "special_cause_kind", "variation"]

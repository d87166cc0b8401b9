"""In-year assurance against the forecast saved at the start of the year: is the year running ahead of the plan?

A plan's milestones are set on the forecast made just before the year
begins. ``forecast run ... --as-of 2013-03 --save start-2013`` keeps that
forecast; inside the year, ``forecast milestones ... --as-of 2013-09
--against start-2013`` reads it back (without refitting) and sets the months
observed against it, beside the refitted in-year assurance of
:mod:`crimecast.scenarios.assess`:

* the year to date actual against what the saved forecast expected for the
  same months (its mean, 80% interval, and the actual's percentile among
  the saved paths);
* the chance of meeting the milestone from the saved forecast given the
  months observed: the observed year to date plus each saved path's
  remaining months;
* the chance the saved forecast gave at the start of the year.

The saved forecast must start at the start of the milestone's year and hold
its series; that its data has not changed before its origin is checked when
it is read (:func:`crimecast.forecast.saved.load_panel`: months after the
origin may have been added since, earlier months must be as they were).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crimecast.data.calendar import financial_year_label, financial_year_periods
from crimecast.data.frequency import MONTHLY, Frequency, last_complete_period
from crimecast.errors import DataError, UsageError
from crimecast.forecast.panel import Panel
from crimecast.forecast.spec import ForecastSpec
from crimecast.scenarios.assessment import LEVEL_TAILS, Assessment, MilestoneReport, Outlook, outlook
from crimecast.scenarios.milestones import AT_MOST

AHEAD, BEHIND, ON_PLAN = "ahead", "behind", "on plan"


@dataclass(frozen=True)
class AgainstSaved:
    """One milestone's year so far against the forecast saved at the start of its year.

    Attributes
    ----------
    assessment
        The refitted in-year assessment of the same milestone.
    periods_observed
        Months (or quarters) of the year observed.
    actual
        The year to date recorded.
    expected, lo80, hi80
        What the saved forecast expected for the same periods: its mean and
        80% interval.
    percentile
        The share of saved paths whose year to date is below the actual
        (ties counted half), 0 to 1.
    at_start
        The saved forecast's whole year, as it stood when saved.
    now
        The observed year to date plus each saved path's remaining periods.
    """

    assessment: Assessment
    periods_observed: int
    actual: float
    expected: float
    lo80: float
    hi80: float
    percentile: float
    at_start: Outlook
    now: Outlook

    @property
    def gap(self) -> float:
        """The actual against the saved forecast's expectation (-0.05: 5% below it)."""
        return self.actual / self.expected - 1 if self.expected else float("nan")

    @property
    def position(self) -> str:
        """``"ahead"`` of the plan's forecast (better than it expected for the target's direction), ``"behind"``, or ``"on plan"``."""
        if self.actual == self.expected:
            return ON_PLAN
        better = self.actual < self.expected if self.assessment.milestone.direction == AT_MOST else self.actual > self.expected
        return AHEAD if better else BEHIND

    @property
    def inside80(self) -> bool:
        """Whether the actual lies inside the saved forecast's 80% interval for the year to date."""
        return self.lo80 <= self.actual <= self.hi80


@dataclass
class AgainstReport:
    """The milestones' years so far against the saved forecast ``saved``."""

    saved: str
    saved_as_of: pd.Timestamp  # the last period of data the saved forecast used (a quarter's first month for quarters)
    spec: ForecastSpec
    as_of: pd.Timestamp
    milestones: list[AgainstSaved]
    frequency: Frequency = MONTHLY
    notes: list[str] = field(default_factory=list)

    @property
    def saved_data_to(self) -> pd.Timestamp:
        """The last month of data the saved forecast used."""
        return self.frequency.period_end_month(self.saved_as_of)

    def table(self) -> pd.DataFrame:
        """One row per milestone: year to date against the saved forecast, and P(meet) from it now and at the start."""
        return pd.DataFrame([_row(m) for m in self.milestones])


def _row(m: AgainstSaved) -> dict:
    a = m.assessment
    return {"milestone": a.label, "category": a.category, "area": a.area, "year": a.year, "target": a.milestone.describe(),
            "threshold": a.threshold, "periods_observed": m.periods_observed, "ytd_actual": m.actual,
            "ytd_expected": m.expected, "ytd_lo80": m.lo80, "ytd_hi80": m.hi80, "ytd_gap": m.gap,
            "ytd_percentile": m.percentile, "position": m.position, "inside80": m.inside80,
            "expected": m.now.expected, "lo80": m.now.lo80, "hi80": m.now.hi80, "expected_change": m.now.expected_change,
            "p_meet": m.now.probability.p, "p_meet_se": m.now.probability.se,
            "p_meet_at_start": m.at_start.probability.p, "p_meet_refitted": a.baseline.probability.p}


def _check_start(saved: Panel, start: int, periods: pd.DatetimeIndex, frequency: Frequency) -> None:
    name = f"the saved forecast '{saved.saved}'"
    year = financial_year_label(start)
    if saved.months[0] != periods[0]:
        before = periods[0] - pd.DateOffset(months=1)
        made = frequency.period_end_month(saved.as_of)
        raise DataError(f"{name} was made from data to {made:%Y-%m}, not at the start of {year}: --against needs "
                        f"the forecast saved just before the year begins "
                        f"(`{saved.save_command(periods=len(periods), as_of=frequency.next(periods[0], -1))}`).")
    if saved.months[-1] < periods[-1]:
        stops, ends = (frequency.period_end_month(m) for m in (saved.months[-1], periods[-1]))
        raise DataError(f"{name} stops at {stops:%Y-%m}, before {year} ends ({ends:%Y-%m}). Save it again over the "
                        f"whole year (`{saved.save_command(periods=len(periods))}`).")


def check_against(saved: Panel, keys: list[tuple[str, str]], *, years: list[int], frequency: Frequency,
                  as_of: pd.Timestamp) -> None:
    """Check, before any forecasting, that ``saved`` can serve as the start-of-year forecast of ``keys`` in ``years``.

    Raises
    ------
    UsageError
        When no period of a year is observed yet at ``as_of`` (the last complete period).
    DataError
        When ``saved`` does not start at the start of a year, stops before it ends, or lacks a series.
    """
    for start in years:
        periods = financial_year_periods(start, frequency)
        if as_of < periods[0]:
            year = financial_year_label(start)
            raise UsageError(f"--against sets the months observed in {year} against the saved forecast, but the as-of "
                             f"month {frequency.period_end_month(as_of):%Y-%m} is before {year} starts "
                             f"({periods[0]:%Y-%m}): give --as-of inside the year "
                             f"(e.g. {periods[0] + pd.DateOffset(months=5):%Y-%m}).")
        _check_start(saved, start, periods, frequency)
    for category, area in dict.fromkeys(keys):
        if not saved.has(category, area):
            raise DataError(f"the saved forecast '{saved.saved}' lacks {category} / {area}, which the plan needs. Save "
                            "a forecast at the start of the year that includes it "
                            f"(e.g. `{saved.save_command(periods=len(saved.months))}`).")


def _against_one(a: Assessment, saved: Panel, *, as_of: pd.Timestamp) -> AgainstSaved:
    periods = financial_year_periods(a.year_start, a.frequency)
    year_paths = saved.total(a.category, a.area)[:, saved.months.get_indexer(periods)]
    observed = int((periods <= as_of).sum())
    so_far = year_paths[:, :observed].sum(axis=1)
    lo, hi = np.quantile(so_far, LEVEL_TAILS)
    percentile = float((so_far < a.ytd_actual).mean() + 0.5 * (so_far == a.ytd_actual).mean())
    direction = a.milestone.direction
    at_start = outlook(year_paths.sum(axis=1), last_year=a.last_year, threshold=a.threshold, direction=direction)
    now = outlook(a.ytd_actual + year_paths[:, observed:].sum(axis=1), last_year=a.last_year, threshold=a.threshold,
                  direction=direction)
    return AgainstSaved(assessment=a, periods_observed=observed, actual=a.ytd_actual, expected=float(so_far.mean()),
                        lo80=float(lo), hi80=float(hi), percentile=percentile, at_start=at_start, now=now)


def against_saved(report: MilestoneReport, saved: Panel) -> AgainstReport:
    """Set the year so far of each count milestone in ``report`` against the forecast saved at the start of its year.

    Parameters
    ----------
    report
        The refitted in-year assessment (:func:`crimecast.scenarios.assess.assess_milestones`).
    saved
        The saved forecast (:func:`crimecast.forecast.saved.load_panel`, which
        has checked its data up to its origin against the data used now).

    Raises
    ------
    UsageError, DataError
        As :func:`check_against` (which ``assess_milestones`` calls before forecasting).
    """
    counted = [a for a in report.assessments if a.unit != "rate"]
    if not counted:
        raise UsageError("--against reads a saved forecast of counts, and the plan has only rate milestones.")
    frequency = counted[0].frequency
    check_against(saved, [(a.category, a.area) for a in counted], years=sorted({a.year_start for a in counted}),
                  frequency=frequency, as_of=last_complete_period(report.as_of, frequency))
    milestones = [_against_one(a, saved, as_of=last_complete_period(report.as_of, a.frequency)) for a in counted]
    notes = []
    if len(counted) < len(report.assessments):
        notes.append("rate milestones are not set against the saved forecast, which holds counts only.")
    return AgainstReport(saved=saved.saved or "", saved_as_of=saved.as_of, spec=saved.spec, as_of=report.as_of,
                         milestones=milestones, frequency=counted[0].frequency, notes=notes)


__all__ = ["AHEAD", "BEHIND", "ON_PLAN", "AgainstReport", "AgainstSaved", "against_saved", "check_against"]

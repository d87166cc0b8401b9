"""What an assessed milestone holds: the outlook read off year totals, the assessment and the plan's report.

Shared by the count assessment (``crimecast.scenarios.assess``), the rate
milestones (``rate_assess``) and the comparison with a saved start-of-year
forecast (``against``), so none of them imports another for its types.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crimecast.data.calendar import financial_year_label
from crimecast.data.frequency import MONTHLY, Frequency
from crimecast.data.rate_words import RateWords
from crimecast.data.slugs import area_label, display_name
from crimecast.defaults import QUIET_CHANCE_BAND, QUIET_YEAR_TOTAL
from crimecast.forecast.significance import ChangeTest
from crimecast.forecast.spec import ForecastSpec
from crimecast.scenarios.milestones import (AT_MOST, RECOMMENDED_LEVELS, Probability, probability_of_meeting,
                                            recommended_changes, recommended_levels, verdict)
from crimecast.scenarios.plan import Milestone, Plan

LEVEL_TAILS = (0.1, 0.9)


@dataclass(frozen=True)
class Outlook:
    """What the paths say about one milestone's year: totals, change, P(meet), recommended targets."""

    expected: float
    lo80: float
    hi80: float
    expected_change: float
    probability: Probability
    recommended: dict[float, float]
    levels: dict[float, float] = field(default_factory=dict)  # the year totals met with 50/70/90% (count targets)

    @property
    def verdict(self) -> str:
        return verdict(self.probability.p)


def outlook(totals: np.ndarray, *, last_year: float | np.ndarray, threshold: float | np.ndarray,
            direction: str = AT_MOST) -> Outlook:
    """Read a milestone off simulated year totals.

    ``last_year`` and ``threshold`` are numbers, or one value per path when the
    year before is itself partly forecast: then P(meet) compares each path's
    year with the same path's year before, and the recommended changes are
    quantiles of the per-path change. ``levels`` are the year totals met with
    each probability, which a count target ("at most 90,000") is read in.

    The expected total and change are the median path's, the central figure
    ``forecast run`` gives a year total: on a skewed series the mean of the
    paths lies far above it, and a change "expected" there would be one that
    fewer than half the paths reach. So the expected change is the target
    that is a coin toss (``recommended[0.5]``).
    """
    totals, base = np.asarray(totals, dtype=float), np.asarray(last_year, dtype=float)
    levels = recommended_levels(totals, direction=direction)
    median = float(np.median(totals))
    if not np.all(base > 0):  # no year before to compare with (none, NaN or zero)
        return read_outlook(totals, threshold=threshold, direction=direction, levels=levels, expected=median)
    recommended = (recommended_changes(totals / base, 1.0, direction=direction) if base.ndim
                   else recommended_changes(totals, float(base), direction=direction))
    return read_outlook(totals, threshold=threshold, direction=direction, change=recommended[0.5],
                        recommended=recommended, levels=levels, expected=median)


def read_outlook(values: np.ndarray, *, threshold: float | np.ndarray, direction: str, change: float = float("nan"),
                 recommended: dict[float, float] | None = None, levels: dict[float, float] | None = None,
                 expected: float | None = None) -> Outlook:
    """The :class:`Outlook` of simulated ``values`` (year totals, or rates) given the expected ``change`` and targets.

    The one place an outlook's level, 80% band and P(meet) are read; with no year before to compare with, the
    change is ``NaN`` and there are no recommended targets (the defaults). ``expected`` is the central figure
    (default the mean of ``values``, as ``forecast run`` gives a rate; year totals give their median).
    """
    lo, hi = np.quantile(values, LEVEL_TAILS)
    central = float(values.mean()) if expected is None else expected
    return Outlook(expected=central, lo80=float(lo), hi80=float(hi), expected_change=change,
                   probability=probability_of_meeting(values, threshold, direction=direction),
                   recommended=recommended or {}, levels=levels or {})


@dataclass
class Assessment:
    """One milestone assessed: the outlook (baseline and scenario), year to date and the outcome if known.

    Attributes
    ----------
    cumulative
        Month by month through the year: ``actual`` (cumulative, observed
        months), ``trajectory`` (where the target says the force should be),
        the cumulative forecast ``baseline_lo80/mean/hi80`` (and
        ``scenario_...`` under a scenario), and ``outcome`` (the whole year's
        cumulative actuals, when the data already holds them: a replay).
    last_year
        The year before's total; when that year is not yet complete
        (``last_year_forecast`` names its forecast months), its expected
        total, while P(meet) and the recommended changes compare each path
        with the same path's year before. A rate milestone's is the rate over
        the months of the year before that have surveys
        (``last_year_recorded`` of them; ``NaN`` when none has).
    scenario_changes
        Whether a scenario driver changed this series' paths
        (:attr:`crimecast.scenarios.apply.Applied.changed`); where it did not,
        the scenario outlook equals the baseline and charts leave it out.
    compared_without
        The parts of a total whose counts stop before the forecast begins and
        that counted crimes in the year or the year before: the year before,
        the year to date, the expected total and the outcome all leave them out
        (:mod:`crimecast.forecast.compared`), so the change is like with like.
    """

    milestone: Milestone
    category: str
    area: str
    year_start: int
    last_year: float
    threshold: float
    baseline: Outlook
    scenario: Outlook | None
    months_observed: int
    ytd_actual: float
    ytd_trajectory: float
    ytd_test: ChangeTest | None
    outcome: float | None
    cumulative: pd.DataFrame
    frequency: Frequency = MONTHLY
    unit: str = "count"  # "rate" for a rate series (scenarios/rate_assess.py): values are fractions, changes points
    scenario_changes: bool = False  # a scenario driver changed this series (else its scenario outlook is the baseline's)
    last_year_forecast: tuple = ()  # months of the year before that are forecast (planning next year from mid-year data)
    last_year_recorded: int | None = None  # a rate milestone's: months of the year before with surveys (its last_year's)
    rate_words: RateWords | None = None  # a rate milestone's: what its numerator and denominator are called
    compared_without: tuple = ()  # parts whose counts stop (forecast.compared.StoppedPart), left out of both years
    whole_title: str = ""  # what titles call the data's whole when it is one named force (series.whole_title)

    @property
    def key(self) -> tuple[str, str]:
        """The milestone's series, (category, area)."""
        return self.category, self.area

    @property
    def last_year_partly_forecast(self) -> bool:
        """Whether the year before (the base of a change target) is not yet complete and partly forecast."""
        return bool(self.last_year_forecast)

    @property
    def last_year_months_recorded(self) -> int:
        """Months of the year before the data holds: a rate's last year is their rate, a count's others are forecast."""
        if self.last_year_recorded is not None:
            return self.last_year_recorded
        return 12 - len(self.last_year_forecast) * self.frequency.months_per_period

    @property
    def periods_observed(self) -> int:
        """Months, or quarters for quarterly data, of the year observed."""
        return self.months_observed // self.frequency.months_per_period

    @property
    def year(self) -> str:
        return financial_year_label(self.year_start)

    @property
    def label(self) -> str:
        """The milestone's name, or its series in words."""
        return self.milestone.name or f"{display_name(self.category)} — {area_label(self.area, whole=self.whole_title)}"

    @property
    def count_target(self) -> bool:
        """Whether the target is a count for the year ("at most 90,000"), read in crimes, not a change on last year."""
        return self.unit == "count" and self.milestone.count is not None

    @property
    def outcome_change(self) -> float | None:
        if self.unit == "rate" and self.outcome is not None:
            return self.outcome - self.last_year  # points
        return None if self.outcome is None or not self.last_year else self.outcome / self.last_year - 1

    @property
    def quiet(self) -> bool:
        """A count series with under :data:`~crimecast.defaults.QUIET_YEAR_TOTAL` crimes in the year before and the
        year expected: whether a target on so few crimes is met is mostly chance."""
        level = np.nanmax([self.last_year, self.baseline.expected])
        return self.unit == "count" and bool(level < QUIET_YEAR_TOTAL)

    @property
    def met(self) -> bool | None:
        if self.outcome is None:
            return None
        return self.outcome <= self.threshold if self.milestone.direction == AT_MOST else self.outcome >= self.threshold


@dataclass
class MilestoneReport:
    """A plan assessed from ``as_of``, with the forecast settings and notes."""

    plan: Plan
    as_of: pd.Timestamp
    base: ForecastSpec  # the forecast's settings
    assessments: list[Assessment]
    scenario_name: str | None = None
    notes: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    drivers: tuple = ()  # the scenario's resolved drivers, as applied
    against: object = None  # crimecast.scenarios.against.AgainstReport: the year so far against a saved start-of-year forecast
    # the rate series read for its rate milestones (crimecast.data.rates.rates_for the counts assessed), kept for what
    # is drawn of them (a Board pack's p-charts) so they are read once; None for a plan of counts only
    rates: pd.DataFrame | None = field(default=None, compare=False, repr=False)

    @property
    def title(self) -> str:
        """The plan's name for headings; a plan of one milestone named after it (``burglary westminster``, from the
        command line) reads as its series in words (``Burglary — Westminster``), as its row does."""
        plan = self.plan
        if len(plan.milestones) == 1 and plan.name == plan.milestones[0].label and self.assessments:
            return self.assessments[0].label
        return plan.name

    @property
    def count_model(self) -> str | None:
        """The model the count milestones are forecast with (``base.model``), or ``None`` for a plan of rates only."""
        return self.base.model if any(a.unit != "rate" for a in self.assessments) else None

    @property
    def rate_model(self) -> str | None:
        """The model the rate milestones are forecast with (logit-binomial), or ``None`` for a plan of counts only."""
        from crimecast.forecast.rates import LOGIT_BINOMIAL

        return LOGIT_BINOMIAL if any(a.unit == "rate" for a in self.assessments) else None

    def table(self) -> pd.DataFrame:
        """One row per milestone: target, last year, expected, interval, P(meet), verdict, recommended targets."""
        return pd.DataFrame([_row(a, self.scenario_name is not None) for a in self.assessments])


def _row(a: Assessment, with_scenario: bool) -> dict:
    row = {"milestone": a.label, "unit": a.unit, "category": a.category, "area": a.area, "year": a.year,
           "target": a.milestone.describe(), "last_year": a.last_year,
           "last_year_months_forecast": len(a.last_year_forecast) * a.frequency.months_per_period,
           "last_year_months_recorded": a.last_year_months_recorded,
           "threshold": a.threshold,
           "expected": a.baseline.expected, "lo80": a.baseline.lo80, "hi80": a.baseline.hi80,
           "compared_without": "; ".join(f"{p.named_in(a.key)} (to {p.label})" for p in a.compared_without),
           "expected_change": a.baseline.expected_change, "p_meet": a.baseline.probability.p,
           "p_meet_se": a.baseline.probability.se, "verdict": a.baseline.verdict, "quiet": a.quiet}
    row.update({f"target_p{round(level * 100)}": a.baseline.recommended.get(level, np.nan) for level in RECOMMENDED_LEVELS})
    row.update({f"count_p{round(level * 100)}": a.baseline.levels.get(level, np.nan) for level in RECOMMENDED_LEVELS})
    if with_scenario:
        row.update({"scenario_expected": a.scenario.expected, "scenario_change": a.scenario.expected_change,
                    "scenario_p_meet": a.scenario.probability.p, "scenario_verdict": a.scenario.verdict})
    row.update({"months_observed": a.months_observed, "ytd_actual": a.ytd_actual, "ytd_trajectory": a.ytd_trajectory,
                "ytd_change": a.ytd_test.change if a.ytd_test else np.nan,
                "ytd_p_value": a.ytd_test.p_value if a.ytd_test else np.nan,
                "outcome": a.outcome if a.outcome is not None else np.nan,
                "outcome_change": a.outcome_change if a.outcome_change is not None else np.nan,
                "met": a.met})
    return row


QUIET_NAMED = 6  # quiet milestones named in the note; the CSV and JSON flag every one


def quiet_note(assessments: list[Assessment]) -> list[str]:
    """Say of milestones on quiet series (a handful of crimes a year) that meeting a target is mostly chance.

    Only where the baseline's P(meet) lies between :data:`~crimecast.defaults.QUIET_CHANCE_BAND` and one less it
    (5% to 95%): beyond that (a cut on a year of none: nothing must happen) the note says a target on a year so small
    is fragile, and does not call an all but certain result chance.
    """
    quiet = [a for a in assessments if a.quiet]
    if not quiet:
        return []

    def about(a: Assessment) -> str:
        expected = f"{a.baseline.expected:,.0f}"
        return (f"about {expected} crime{'' if expected == '1' else 's'} expected in {a.year}, last year "
                f"{a.last_year:,.0f}")

    def swing(a: Assessment) -> float:  # one Poisson standard deviation, as a share of the year
        return 1 / np.sqrt(max(a.baseline.expected, 1.0))

    def chancy(a: Assessment) -> bool:  # P(meet) neither all but nil nor all but certain
        return QUIET_CHANCE_BAND <= a.baseline.probability.p <= 1 - QUIET_CHANCE_BAND

    fragile = "a target on a year total this small is fragile"
    band = f"{QUIET_CHANCE_BAND:.0%} and {1 - QUIET_CHANCE_BAND:.0%}"
    if len(quiet) == 1:
        a = quiet[0]
        head = (f"{a.label} is a quiet series ({about(a)}). Chance alone moves a year total this small by about "
                f"{swing(a):.0%} either way")
        what = f"whether it meets {a.milestone.describe()} is mostly chance, not performance" if chancy(a) else fragile
    else:
        named = "; ".join(f"{a.label} ({about(a)})" for a in quiet[:QUIET_NAMED])
        more = f"; and {len(quiet) - QUIET_NAMED} more (quiet in the CSV)" if len(quiet) > QUIET_NAMED else ""
        head = (f"{len(quiet)} milestones are on quiet series, under {QUIET_YEAR_TOTAL} crimes a year: {named}{more}"
                + f". Chance alone moves a year total this small by {min(swing(a) for a in quiet):.0%} or more either way")
        some = [chancy(a) for a in quiet]
        what = ("whether each meets its target is mostly chance, not performance" if all(some) else
                fragile + (f", and whether it is met mostly chance where P(meet) is between {band}" if any(some) else ""))
    advice = ("; a percentage on a handful of crimes says little, a count target or several years taken together "
              "say more." if any(a.milestone.count is None for a in quiet) else ".")
    return [f"{head} (one standard deviation of a Poisson count), so {what}{advice}"]


def named_force(report: MilestoneReport, force: str, *, whole: str = "force") -> MilestoneReport:
    """``report`` with the whole (``force``) called by the force's own name, for one force taken out of several.

    A force taken out of a dataset of forces is forecast as the whole of
    what is left (:func:`crimecast.data.sources.restrict_to` calls it
    ``force``); its milestones, the plan's name and the notes say which
    force it is (``Robbery — West Midlands``, area ``west-midlands``), not
    "force-wide".

    Parameters
    ----------
    report
        From :func:`crimecast.scenarios.assess.assess_milestones`.
    force
        The force's slug (``counts.attrs["force_name"]``).
    whole
        The area the force was renamed to.
    """
    import dataclasses

    from crimecast.data.series import force_named_in

    def rename(milestone: Milestone) -> Milestone:
        return milestone.model_copy(update={"area": force}) if milestone.area == whole else milestone

    def parts(a: Assessment) -> tuple:  # the parts left out of a comparison, named by the force too
        return tuple(dataclasses.replace(p, key=(p.key[0], force)) if p.key[1] == whole else p
                     for p in a.compared_without)

    assessments = [dataclasses.replace(a, area=force, milestone=rename(a.milestone), compared_without=parts(a))
                   if a.area == whole else a for a in report.assessments]
    plan = report.plan
    name = plan.name
    if len(plan.milestones) == 1 and name == plan.milestones[0].label:  # a plan named after its one milestone
        name = rename(plan.milestones[0]).label
    plan = dataclasses.replace(plan, name=name, milestones=tuple(rename(m) for m in plan.milestones))
    notes = [force_named_in(note, force, whole=whole) for note in report.notes]
    return dataclasses.replace(report, plan=plan, assessments=assessments, notes=notes)

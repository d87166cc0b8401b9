"""The Board pack: every number a Police and Crime Board reads, computed once by the library.

:func:`build_board_pack` calls the same library functions as the CLI
commands (``assess_milestones``, ``run_spc``, the Poisson E-test,
``optimise_csf``, ``fleet_report``) and gathers their results, the
summary icons and the generated sentences into a :class:`BoardPack`. It
renders nothing: :mod:`crimecast.report.board_html` turns the pack into one
self-contained HTML page (and a PDF).

A pack dated at or after the end of the plan's year is a year-end pack: the
year to date is the whole year (the outcome), and the forecast and P(meet)
shown are those made from the month before the year began, so the Board sees
the year against the odds it was planned with. Inside the year it is in-year
assurance (the forecast refitted to the months observed).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from crimecast.data.calendar import financial_year_label, financial_year_months, parse_financial_year
from crimecast.data.frequency import MONTHLY, Frequency, frequency_of
from crimecast.data.rates import rates_for
from crimecast.data.series import FORCE_AREA, names_the_whole, source_read, whole_title
from crimecast.data.sources import DataSource, data_read, force_wide, open_counts
from crimecast.data.slugs import slugify
from crimecast.data.store import crimecast_version, fingerprint  # the store's: one hash for one table
from crimecast.errors import DataError, UsageError
from crimecast.forecast.calibrate import WIDE_INTERVALS
from crimecast.forecast.mdc import (COMMON_CAUSE, MOVED, NO_LIMITS, Assurance, Variation, assurance, recent_beyond,
                                    special_cause_kind, variation)
from crimecast.forecast.panel import Panel
from crimecast.forecast.models import PARTLY_CALIBRATED
from crimecast.forecast.parallel import Progress
from crimecast.forecast.run import ProcessReport, run_spc
from crimecast.forecast.saved import read_as
from crimecast.forecast.significance import ChangeTest, poisson_e_test
from crimecast.optimise.assumptions import CsfAssumptions
from crimecast.optimise.csf import CsfResult, optimise_csf
from crimecast.optimise.fleet import FleetReport, fleet_report
from crimecast.optimise.fleet_spec import Fleet
from crimecast.optimise.model import money
from crimecast.report import fleet as fleet_text
from crimecast.report import optimise as csf_text
from crimecast.report.milestones import CALIBRATION_CAVEAT, against_sentences, probability, targets_met
from crimecast.report.scenarios import describe_driver
from crimecast.report.tables import count, p_equals, percent
from crimecast.scenarios.assess import assess_milestones, milestone_spec, partly_forecast_note
from crimecast.scenarios.assessment import Assessment, MilestoneReport
from crimecast.scenarios.milestones import AT_MOST
from crimecast.scenarios.plan import Plan, PlanCounts, open_plan_counts
from crimecast.scenarios.rate_assess import rate_milestone_seed
from crimecast.scenarios.spec import Scenario
from crimecast.words import counted

YEAR_END, IN_YEAR, PLANNING = "year end", "in year", "planning"
CAVEAT_ABOVE = 0.6


@dataclass(frozen=True)
class YearToDate:
    """Months observed in the milestone's year against the same months a year before, with the E-test."""

    months: int
    actual: float
    previous: float
    test: ChangeTest | None
    frequency: Frequency = MONTHLY

    @property
    def span(self) -> str:
        """The periods observed in words: ``'9 months'``, or ``'3 quarters'`` for quarterly data."""
        return self.frequency.count_of(self.months // self.frequency.months_per_period)


@dataclass
class MilestoneView:
    """One milestone as the Board reads it: the assessment, its SPC chart, icons and sentences."""

    assessment: Assessment
    process: ProcessReport
    variation: Variation
    assurance: Assurance
    ytd: YearToDate
    sentences: list[str]
    scenario_changed: bool = False
    number: int = 1

    @property
    def anchor(self) -> str:
        """A unique id for the milestone's section: ``m2-burglary-dwelling``."""
        return f"m{self.number}-{slugify(self.assessment.label)}"


@dataclass
class ScenarioView:
    """The scenario: what it is, its drivers in words (with their evidence), and the milestones it moves."""

    name: str
    description: str
    source: str
    drivers: list[str]
    milestones: list[MilestoneView]


@dataclass
class CsfView:
    """The Community Safety Fund allocation with its explanation in words."""

    result: CsfResult
    summary: list[str]
    marginal: list[str]
    binding: list[str]
    forecast: str = ""  # how its baseline crime was forecast (model, paths, seed), for the provenance


@dataclass
class FleetView:
    """The fleet plan with whole-life cost, CO2 and switching values in words."""

    report: FleetReport
    name: str
    summary: list[str]
    switching: list[str]
    years: int
    notes: list[str] = field(default_factory=list)  # the optimiser's notes (prices in thousands, what ran out of time)


@dataclass(frozen=True)
class Provenance:
    """Where every number comes from."""

    data: str
    illustrative: bool
    notice: str
    fingerprint: str
    first_month: pd.Timestamp
    last_month: pd.Timestamp
    as_of: pd.Timestamp
    forecast_from: pd.Timestamp
    model: str
    paths: int
    seed: int
    version: str
    inputs: tuple[tuple[str, str], ...]
    forecasts: tuple[tuple[str, str], ...] = ()  # (which part of the pack, its model, paths and seed): every forecast used
    frequency: Frequency = MONTHLY  # the data's periods: months or quarters
    holds: str = "counts"  # what the fingerprint is of: the counts, or (a dataset of rates only) the rates

    @property
    def span(self) -> str:
        """The data's first to last period: ``2010-04 to 2014-03``, or ``2002/03 Q1 to 2023/24 Q3`` for quarters."""
        return f"{self.frequency.label(self.first_month)} to {self.frequency.label(self.last_month)}"


@dataclass
class BoardPack:
    """Everything the Board pack shows, computed; rendering is :mod:`crimecast.report.board_html`."""

    title: str
    plan: Plan
    stage: str
    report: MilestoneReport
    milestones: list[MilestoneView]
    provenance: Provenance
    scenario: ScenarioView | None = None
    csf: CsfView | None = None
    fleet: FleetView | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)  # (the part of the pack it is about, the note)

    @property
    def as_of(self) -> pd.Timestamp:
        return self.provenance.as_of

    @property
    def year(self) -> str:
        return self.milestones[0].assessment.year

    @property
    def previous_year(self) -> str:
        return financial_year_label(self.milestones[0].assessment.year_start - 1)

    @property
    def months_after_year(self) -> int:
        """A year-end pack dated after the plan's year ended (``--as-of`` later): the months of data after it that its
        control charts and icons read (0 for a pack dated at the year's end, or before it)."""
        end = year_end_month(self.plan)
        return max(0, (self.as_of.year - end.year) * 12 + self.as_of.month - end.month)


# ---------------------------------------------------------------- provenance

def _rate_units(views: list[MilestoneView]) -> str:
    """What the rate milestones' denominators count ("surveys", "burglaries"), in one phrase: "surveys and burglaries"."""
    units = list(dict.fromkeys(v.process.chart.words.unit for v in views))
    return " and ".join(units) if len(units) < 3 else ", ".join(units[:-1]) + f" and {units[-1]}"


def _forecasts(report: MilestoneReport, views: list[MilestoneView], *, scenario: bool, saved: Panel | None,
               csf: CsfView | None) -> tuple[tuple[str, str], ...]:
    """Every forecast the pack shows, by the part of the pack it serves: model, simulated paths and seed."""
    rows = []
    counted = [v for v in views if v.assessment.unit != "rate"]
    rates = [v for v in views if v.assessment.unit == "rate"]
    if counted:
        what = "Forecast: the count milestones" + (" and the scenario" if scenario else "")
        how = report.base.describe(paths_word="simulated paths")
        rows.append((what, f"read from the saved forecast '{saved.saved}': {how}" if saved is not None else how))
    if rates:
        from crimecast.forecast.rates import LOGIT_BINOMIAL  # the model every rate milestone is forecast with

        seeds = [rate_milestone_seed(report.base.seed, index=v.number - 1) for v in rates]
        rows.append(("Forecast: the rate milestones",
                     f"{LOGIT_BINOMIAL} (a local level on the logit scale, binomial sampling of the "
                     f"{_rate_units(rates)}), "
                     f"{report.base.paths:,} simulated paths, seed{'s' if len(seeds) > 1 else ''} "
                     f"{', '.join(str(seed) for seed in seeds)}"))
    if csf is not None:
        rows.append(("Forecast: the Community Safety Fund's baseline crime", csf.forecast))
    return tuple(rows)


# ---------------------------------------------------------------- when the pack stands

def _plan_years(plan: Plan) -> list[int]:
    return sorted({parse_financial_year(m.year) for m in plan.milestones})


def year_end_month(plan: Plan) -> pd.Timestamp:
    """The last month of the plan's (last) year: a pack dated then, or later, is a year-end pack.

    Parameters
    ----------
    plan
        The pack's plan.

    Returns
    -------
    pandas.Timestamp
        March of its last financial year (the first day of the month).
    """
    return financial_year_months(_plan_years(plan)[-1])[-1]


def _data_end(counts: pd.DataFrame, data: pd.DataFrame) -> pd.Timestamp:
    """The last month of the data a pack is dated by, ``data`` from :func:`_pack_data` (a quarter's last month, for
    quarterly data; a dataset of rates only: its rates')."""
    return frequency_of(counts).period_end_month(data["month"].max())


class PackDate(NamedTuple):
    """When a pack without ``--as-of`` stands (:func:`default_date`)."""

    month: pd.Timestamp | None  # ``None``: the data's last month (it ends at or before the plan's year's end)
    note: str | None  # why it is not the data's last month, when it is not
    rates: pd.DataFrame | None = None  # a dataset of rates only: its rates as stored, read to date the pack


def default_date(plan: Plan, counts: pd.DataFrame) -> PackDate:
    """The date a pack without ``--as-of`` stands at, and a note saying why, when that is not the data's last month.

    A Board reads a year-end report as the year as it ended: when the data runs past the end of the plan's year
    (a 2020/21 plan on data to September 2021), the pack is dated at the year's end, its control charts and icons
    reading the data to then, not a year-end report "as of September 2021" whose charts speak of the months after.
    Month and note ``None`` when the data ends at or before the year's end (the pack is dated by it). A dataset of
    rates only is dated by its rates, read from the store here: :attr:`PackDate.rates` passes them on to
    :func:`build_board_pack` (its ``rates``), which then does not read them again.

    Parameters
    ----------
    plan
        The pack's plan.
    counts
        Its counts, as read (a dataset of rates only: empty, ``attrs["kind"] == "rates"``).

    Returns
    -------
    PackDate
        The month (``None``: the data's last), the note, and a dataset of rates only's rates.

    Raises
    ------
    DataError
        For a stored dataset that holds neither counts nor rates.
    """
    data, holds = _pack_data(counts)
    rates = data if holds == "rates" else None
    end, last = year_end_month(plan), _data_end(counts, data)
    if last <= end:
        return PackDate(None, None, rates)
    frequency = frequency_of(counts)
    return PackDate(end, f"the data runs to {frequency.label(frequency.period_containing(last))}, after {_plan_year_label(plan)} "
                 f"ended: the pack is its year-end report, dated at the year's end ({end:%B %Y}); --as-of "
                 f"{last:%Y-%m} dates it by the data's last month instead, its charts reading the later "
                 f"{frequency.noun}s too.", rates)


@dataclass(frozen=True)
class PackCounts:
    """The data a Board pack is built from, and its date (:func:`open_pack_counts`).

    Attributes
    ----------
    data
        The plan and its counts (:func:`crimecast.scenarios.plan.open_plan_counts`), as they stood at the pack's date.
    as_of
        The pack's date: ``--as-of``, the end of the plan's year when the data runs past it, else ``None`` (the
        data's last month, as :func:`build_board_pack` reads it).
    note
        Why the pack is dated at the year's end, not the data's last month, when it is (:func:`default_date`).
    rates
        A dataset of rates only: its rates, read once to date the pack (``build_board_pack(rates=...)``).
    """

    data: PlanCounts
    as_of: pd.Timestamp | None
    note: str | None = None
    rates: pd.DataFrame | None = None


def open_pack_counts(source: DataSource, *, plan_file: str, as_of: pd.Timestamp | None = None,
                     scenario: Scenario | None = None) -> PackCounts:
    """Read a Board pack's plan and counts, and date the pack.

    Without ``as_of``, a pack on data that runs past the end of the plan's year is its year-end report, dated at
    the year's end (:func:`default_date`), and its counts are read again as they stood then (their gaps decided on
    the months up to it).

    Parameters
    ----------
    source
        The data the user named; when none was, the plan's own ``data:``.
    plan_file
        A plan file, or a shipped plan.
    as_of
        ``--as-of``: the pack's date, its data as it stood then; ``None``: dated by the data.
    scenario
        The scenario assessed beside the milestones (on separate forces, the force it names is taken as the
        whole), as :func:`crimecast.scenarios.plan.open_plan_counts` takes it.

    Returns
    -------
    PackCounts
        The plan and counts, the pack's date, and the note on it when it is not the data's last month.

    Raises
    ------
    PlanError, DataError, UsageError
        As :func:`crimecast.scenarios.plan.open_plan_counts` raises them.
    """
    read = partial(open_plan_counts, source, plan_file=plan_file, force_wide=False, scenario=scenario)
    data = read(as_of=as_of)
    if as_of is not None:
        return PackCounts(data, as_of)
    month, note, rates = default_date(data.plan, data.counts)  # (a dataset of rates only: read once)
    if month is None:
        return PackCounts(data, None, None, rates)
    return PackCounts(read(as_of=month), month, note, rates)


def _plan_year_label(plan: Plan) -> str:
    years = _plan_years(plan)
    return financial_year_label(years[-1]) if len(years) == 1 else \
        f"{financial_year_label(years[0])} to {financial_year_label(years[-1])}"


def _stage(plan: Plan, as_of: pd.Timestamp) -> tuple[str, pd.Timestamp]:
    """(stage, month the forecast is made from) for a pack dated ``as_of``."""
    years = _plan_years(plan)
    first_month = financial_year_months(years[0])[0]
    if as_of >= year_end_month(plan):
        return YEAR_END, first_month - pd.DateOffset(months=1)
    return (PLANNING if as_of < first_month else IN_YEAR), as_of


def _known_by(counts: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The data as it stood at the pack's date: the counts up to ``as_of``, and (``attrs['as_of']``, read by
    :func:`crimecast.data.rates.rates_for`) the rates up to it too, even where there are no counts to cut."""
    known = counts[counts["month"] <= as_of].reset_index(drop=True)
    known.attrs.update(counts.attrs)
    known.attrs["as_of"] = as_of
    return known


def _pack_data(counts: pd.DataFrame, rates: pd.DataFrame | None = None) -> tuple[pd.DataFrame, str]:
    """The table the pack's dates and fingerprint are read from, and what it holds (``counts`` or ``rates``).

    The counts; for a stored dataset of rates only (which has no counts), its rates as stored: ``rates`` when
    already read (:attr:`PackDate.rates`), else read from the store.
    """
    if counts.attrs.get("kind") != "rates":
        return counts, "counts"
    from crimecast.data.store import read_rates

    if rates is None:
        rates = read_rates(str(counts.attrs.get("source", "")), store=counts.attrs["store"])
    if rates is None:
        raise DataError(f"{counts.attrs.get('source', 'the data')} holds neither counts nor rates: there is nothing "
                        "to report. Import data into it first (see `forecast data import --help`).")
    return rates, "rates"


# ---------------------------------------------------------------- one milestone

def _year_to_date(a: Assessment, stage: str) -> YearToDate:
    if stage == YEAR_END and a.outcome is not None:
        return YearToDate(12, a.outcome, a.last_year, poisson_e_test(a.outcome, a.last_year), a.frequency)
    previous = a.ytd_test.previous if a.ytd_test else float("nan")
    return YearToDate(a.months_observed, a.ytd_actual, previous, a.ytd_test, a.frequency)


def _position_sentence(a: Assessment, ytd: YearToDate, stage: str) -> str:
    target = f"the {percent(a.milestone.target)} milestone" if a.milestone.target is not None else "the milestone"
    if ytd.test is None or not ytd.months:
        return f"{a.label}: no {a.frequency.noun} of {a.year} is observed yet."
    change = ytd.test.change
    side = "below" if change < 0 else "above"
    if stage == YEAR_END:
        before = financial_year_label(a.year_start - 1)
        return (f"{a.label} was {abs(change):.1%} {side} {before} in {a.year} ({count(ytd.actual)} against "
                f"{count(ytd.previous)}), {ytd.test.verdict} ({p_equals(ytd.test.p_value)}); {target} was "
                f"{'met' if a.met else 'missed'}.")
    return (f"{a.label} is {abs(change):.1%} {side} the same {ytd.span} of last year ({count(ytd.actual)} against "
            f"{count(ytd.previous)}), {ytd.test.verdict} ({p_equals(ytd.test.p_value)}).")


def _article(number: str) -> str:
    """``"an"`` before a number said with a vowel first (8, 11, 18, 80-89: "an 11% chance"), else ``"a"``."""
    return "an" if number.startswith("8") or re.match(r"1[18](?!\d)", number) else "a"


def _chance(p: float, n: int) -> str:
    """``"a 35%"``, ``"an 11%"``, ``"less than a 0.5%"``, ``"more than a 99.9%"``: to read "... chance of meeting it"."""
    text = probability(p, n)
    if text[0] in "<>":
        number = text[2:]
        return f"{'less' if text[0] == '<' else 'more'} than {_article(number)} {number}"
    return f"{_article(text)} {text}"


def _target_in_crimes(a: Assessment, stage: str) -> str:
    """The milestone in crimes beside last year's total, leading the odds sentence: "The -8.0% milestone is at most
    8,154 crimes in 2020/21, on 8,863 in 2019/20." or "The milestone is at most 1,000 crimes in 2020/21, against
    1,302 in 2019/20." (last year's expected total while that year is partly forecast); empty without a year before."""
    if not (a.last_year == a.last_year and a.last_year > 0 and a.threshold == a.threshold):
        return ""
    verb = "was" if stage == YEAR_END else "is"
    last = f"{'an expected ' if a.last_year_partly_forecast else ''}{count(a.last_year)} in " \
           f"{financial_year_label(a.year_start - 1)}"
    if a.milestone.target is None:
        return f"The milestone {verb} {a.milestone.describe()} crimes in {a.year}, against {last}. "
    bound = "at most" if a.milestone.direction == AT_MOST else "at least"
    return f"The {percent(a.milestone.target)} milestone {verb} {bound} {count(a.threshold)} crimes in {a.year}, on {last}. "


def _odds_sentence(a: Assessment, stage: str, forecast_from: pd.Timestamp) -> str:
    outlook = a.baseline
    chance = _chance(outlook.probability.p, outlook.probability.n)
    lead = _target_in_crimes(a, stage)
    target = "it" if lead else f"the {percent(a.milestone.target)} milestone" if a.milestone.target is not None \
        else "the milestone"
    base = (f" on {'a partly forecast' if len(a.last_year_forecast) < a.frequency.periods_per_year else 'a forecast'} "
            f"{financial_year_label(a.year_start - 1)}" if a.last_year_partly_forecast else "")
    interval = (f"expected {percent(outlook.expected_change)}{base}, 80% interval {count(outlook.lo80)} to "
                f"{count(outlook.hi80)}")
    coin = targets_met(a).get(0.5)  # a count target's in crimes, a change target's as a change
    toss = (f"a target of {coin}" if a.count_target else f"a {coin} target") if coin is not None else ""
    if stage == YEAR_END:
        text = f"{lead}Forecast from {forecast_from:%B %Y}, there was {chance} chance of meeting {target} ({interval})"
        return text + (f"; {toss} would have been a coin toss." if coin is not None else ".")
    text = f"{lead}There is {chance} chance of meeting {target} ({interval})"
    return text + (f"; {toss} would be a coin toss." if coin is not None else ".")


def _assurance_words(kind: str, stage: str) -> str:
    """What the limits say of the target: in the future tense, or the past once the year is over."""
    verb = "was" if stage == YEAR_END else "will be"
    return f"{verb} " + {"hit-and-miss": "hit and miss", "consistently-met": "consistently met",
                         "consistently-missed": "consistently missed"}[kind]


def _process_sentence(process: ProcessReport, var: Variation, assure: Assurance, stage: str) -> str:
    if assure.kind == NO_LIMITS:  # limits that mean nothing: say why, and judge no target against them
        from crimecast.forecast.spc import no_limits_sentence

        return f"{no_limits_sentence(process.chart)} The target is not judged against control limits."
    steps = len(process.chart.steps)  # the summary opens with one sentence per step: the last sets the current period
    first = process.summary[max(steps - 1, 0)].rstrip(".")
    noun = assure.frequency.noun
    limits = "the chart's natural limits" if var.settled is not None else "the natural limits"
    return (f"{first}{_latest_words(var, noun)}. Against {limits} ({count(assure.lower)} to "
            f"{count(assure.upper)} a {noun}) the target's {assure.frequency.adjective} equivalent "
            f"({count(assure.monthly_target)}) {_target_words(assure, stage, _current_values(process.chart), count)}")


def _latest_words(var: Variation, noun: str) -> str:
    """``"; the latest month is common cause variation"``; or, read against a level the process settled at beyond the
    limits (:func:`crimecast.forecast.mdc.settled_level`), that level and the reading against it."""
    settled = var.settled
    if settled is None:
        return f"; the latest {noun} is {_reading(var)}"
    limit = "below the lower limit" if settled.side == "lower" else "above the upper limit"
    return (f", but the latest {settled.points} {noun}s, since {settled.when}, lie {limit}: a {settled.side} level held "
            f"for more than a year, not confirmed as a step change. Against that level ({count(settled.limits.lower)} "
            f"to {count(settled.limits.upper)} a {noun}) the latest {noun} is {_reading(var)}")


def _reading(var: Variation) -> str:
    """The latest period's variation in words: ``"common cause variation"``, ``"special cause, improving (lower)"``."""
    return "common cause variation" if var.side is None else f"special cause, {var.kind} ({var.side})"


def _two_signals_sentence(var: Variation, ytd: YearToDate, chart, stage: str) -> str | None:
    """Why the variation icon and the year to date's E-test seem to disagree, when they do; else ``None``.

    They answer different questions: the E-test asks whether the year so far differs from the same periods a year
    before by more than chance (treating crimes as independent, so on thousands of crimes a few per cent is
    "significant"); the icon asks whether the latest period is a signal against the chart's limits, which allow for
    how much periods really vary. A special cause on the other side from the change (below the limits of a long
    average, yet up on last year), or a significant change read against a level the process settled at
    (:func:`crimecast.forecast.mdc.settled_level`), is said in words here; a significant change beside a plain
    common-cause icon, which is frequent, is explained once, in the key to the icons.
    """
    test = ytd.test
    if test is None or not ytd.months or not test.significant or var.kind == NO_LIMITS:
        return None
    if var.kind == COMMON_CAUSE and var.settled is None:
        return None
    rise = test.current > test.previous
    what = "year" if stage == YEAR_END else "year to date"
    noun = ytd.frequency.noun
    level = (f"the level held since {var.settled.when}" if var.settled is not None else
             f"the average since {ytd.frequency.label(chart.periods[-1].start)}")
    if var.kind == COMMON_CAUSE:
        return (f"The Poisson E-test finds the {what}'s {'rise' if rise else 'fall'} on last year more than chance "
                f"alone would give, treating crimes as independent events; the control chart, which allows for how "
                f"much {noun}s really vary, reads the latest {noun} as common cause variation around {level}: no "
                "signal yet that it has moved from that level.")
    if (var.side == "higher") == rise:
        return None  # the icon's side and the change agree
    side = "above the upper" if var.side == "higher" else "below the lower"
    return (f"The {what} is {'up' if rise else 'down'} on last year, while the control chart reads the latest {noun} "
            f"as special cause, {var.kind}: it lies {side} limit of {level}. Both hold: the latest {noun} is "
            f"{var.side} than that {'level' if var.settled is not None else 'average'}, but "
            f"{'higher' if rise else 'lower'} than a year before.")


def _target_words(assure: Assurance, stage: str, values, shown) -> str:
    """How the target sits against the limits, for counts and rates alike: not judged when the latest of ``values``
    (the current period's, oldest first, each number ``shown``) have moved past them (``moved``), else the reading."""
    return _moved_words(values, assure, shown) if assure.kind == MOVED else f"{_assurance_words(assure.kind, stage)}."


def _current_values(chart) -> np.ndarray:
    """The values the chart's current limits rest on, oldest first: its current period's (since its last step or
    known change), exceptional periods left out (all of them when the period is wholly exceptional, as the chart
    does). The counts' match for a rate's :func:`_current_rows`."""
    current = np.asarray(chart.values.index >= chart.periods[-1].start)
    kept = current & ~chart.excluded
    return chart.values[kept if kept.any() else current].to_numpy(dtype=float)


def _latest_run(values, assure: Assurance, shown) -> str:
    """``"do the latest 6 months (545 to 565)"``, or ``"do 3 of the latest 6 months (4,300 to 4,578)"``: the latest
    of ``values`` (oldest first; the window is :func:`crimecast.forecast.mdc.recent_periods`) beyond the limit the
    target lies beyond, each number ``shown`` (``count`` or ``_pct``). When those beyond are the very latest, an
    unbroken run, the run is named ("the latest 2 months"); else how many of the window. Merseyside burglary, 2021:
    six months under the lower limit and the target's monthly equivalent, a fall not yet confirmed as a step;
    Westminster theft, 2023: three of the latest six months above the upper limit, the latest two back inside."""
    recent, beyond = recent_beyond(values, monthly_target=assure.monthly_target, lower=assure.lower,
                                   upper=assure.upper, frequency=assure.frequency)
    noun, n, shown_values = assure.frequency.noun, int(beyond.sum()), recent[beyond]
    run = int(np.cumprod(beyond[::-1]).sum())  # how many of the very latest lie beyond, unbroken
    which = (f"the latest {noun}" if n == 1 else f"the latest {n} {noun}s") if run == n else \
        f"{n} of the latest {len(recent)} {noun}s"
    numbers = shown(shown_values[0]) if n == 1 else f"{shown(shown_values.min())} to {shown(shown_values.max())}"
    return f"{'does' if n == 1 else 'do'} {which} ({numbers})"


def _moved_words(values, assure: Assurance, shown) -> str:
    """What a ``moved`` reading says, for counts and rates alike: the target lies beyond a limit, but so do some or all
    of the latest ``values`` (the current period's, oldest first), so it is not judged against those limits."""
    return f"lies {assure.side}, but so {_latest_run(values, assure, shown)}: the process has moved past the limits, " \
           "so the target is not judged against them."


def _milestone_view(a: Assessment, *, number: int, counts: pd.DataFrame, stage: str,
                    forecast_from: pd.Timestamp, exceptional: tuple | None = None) -> MilestoneView:
    lower_is_better = a.milestone.direction == AT_MOST
    area = FORCE_AREA if names_the_whole(counts, a.area) else a.area  # one force taken out of several: its whole
    process = run_spc(counts, category=a.category, area=area, exceptional=exceptional)
    var = variation(process.chart, lower_is_better=lower_is_better)
    current = process.chart.periods[-1]
    assure = assurance(current.limits, year_target=a.threshold, lower_is_better=lower_is_better,
                       frequency=a.frequency, degenerate=current.degenerate, latest=_current_values(process.chart))
    ytd = _year_to_date(a, stage)
    sentences = [_position_sentence(a, ytd, stage), _odds_sentence(a, stage, forecast_from),
                 _process_sentence(process, var, assure, stage)]
    both = _two_signals_sentence(var, ytd, process.chart, stage)
    sentences += [both] if both else []
    changed = a.scenario is not None and abs(a.scenario.expected - a.baseline.expected) > 1e-9 * max(a.baseline.expected, 1)
    if changed:
        sentences.append(f"Under the scenario the expected change is {percent(a.scenario.expected_change)}, with "
                         f"{_chance(a.scenario.probability.p, a.scenario.probability.n)} chance of meeting the milestone.")
    return MilestoneView(assessment=a, process=process, variation=var, assurance=assure, ytd=ytd,
                         sentences=sentences, scenario_changed=changed, number=number)


def part_forecast_footnote(a: Assessment) -> str | None:
    """What the summary's change on last year rests on when the year before is not complete (planning a year from
    mid-year data): which of its months are actual and which forecast, for a footnote tied to the cell; else ``None``.

    The terminal's note on it (:func:`crimecast.scenarios.assess.partly_forecast_note`) speaks of its table's
    'last year' and the changes met with 50/70/90%, which the pack does not show; this says the same for the pack.
    """
    if a.unit == "rate" or not a.last_year_partly_forecast:
        return None
    before = financial_year_label(a.year_start - 1)
    first, first_forecast = financial_year_months(a.year_start - 1)[0], a.last_year_forecast[0]
    end = a.frequency.period_end_month(a.last_year_forecast[-1])
    if first_forecast > first:
        how = (f"is not complete: {first:%B %Y} to {first_forecast - pd.DateOffset(months=1):%B %Y} are actual and "
               f"{first_forecast:%B %Y} to {end:%B %Y} forecast")
    else:
        how = f"has not begun: it is forecast in full ({first_forecast:%B %Y} to {end:%B %Y})"
    return (f"The forecast's change is on {before}, which {how}. P(meet) allows for the uncertainty of that forecast "
            "too.")


# ---------------------------------------------------------------- a rate milestone (satisfaction, or any rate)

@dataclass(frozen=True)
class RateProcess:
    """The p-chart reading of a rate milestone's series (in place of the XmR chart of counts)."""

    category: str
    area: str
    chart: object  # crimecast.forecast.pchart.PChart
    summary: list[str]


def _pct(value: float) -> str:
    return "-" if value is None or value != value else f"{value * 100:.1f}%"


def _rate_variation(chart, *, lower_is_better: bool) -> Variation:
    """Common or special cause at the p-chart's latest month (a point beyond its limits or in a run)."""
    points = chart.points
    last = points["month"].iloc[-1]
    rules = sorted({s.rule for s in chart.signals if s.month == last})
    if rules:
        side = "higher" if points["rate"].iloc[-1] > points["centre"].iloc[-1] else "lower"
        return Variation(special_cause_kind(side, lower_is_better=lower_is_better), side,
                         f"{last:%Y-%m}: {', '.join(rules)}")
    return Variation(COMMON_CAUSE, None, f"{last:%Y-%m} within the p-chart's limits, no special-cause rule fired")


def _current_rows(chart) -> pd.DataFrame:
    """The p-chart's points in its current period (since its last step), oldest first: those its limits rest on."""
    return chart.points[chart.points["month"] >= chart.periods[-1].start]


def _rate_assurance(chart, *, target: float, lower_is_better: bool) -> Assurance:
    """Where the target rate sits against the current period's limits for a typical month's denominator (surveys).

    The same reading as for counts (:func:`crimecast.forecast.mdc.assurance`): when the target lies beyond a typical
    month's limit and so do any of the latest 6 months' rates, the reading is ``moved`` and the target is not judged.
    """
    from crimecast.forecast.spc import Limits

    period, rows = chart.periods[-1], _current_rows(chart)
    limits = Limits(mean=period.centre, mr_bar=0.0, lower=float(rows["lower"].mean()), upper=float(rows["upper"].mean()))
    return assurance(limits, year_target=12 * target, lower_is_better=lower_is_better,  # a month's target is the rate
                     latest=rows["rate"].to_numpy(dtype=float))


def _against_last_rate(a: Assessment, year: float) -> str:
    """The year before, for a rate's year-end sentence: its rate and change, and over how many months if not all."""
    before, months = financial_year_label(a.year_start - 1), a.last_year_months_recorded
    if not months or a.last_year is None:
        return f"(no month of {before} recorded)"
    partly = "" if months == 12 else f", recorded in only {months} of its 12 months"
    return f"against {_pct(a.last_year)} in {before}{partly} ({(year - a.last_year) * 100:+.1f} points)"


def _rate_process_sentence(process: RateProcess, var: Variation, assure: Assurance, target: float, stage: str) -> str:
    """The p-chart's sentence: the current period, the latest month's variation, and the target against the limits
    (not judged, in the same words as for counts, when any of the latest months lie beyond the limit the target lies
    beyond)."""
    chart = process.chart
    return (f"{process.summary[len(chart.periods) - 1].rstrip('.')}; the latest month is {_reading(var)}. Against the "
            f"limits for a typical month's {chart.words.unit} ({_pct(assure.lower)} to {_pct(assure.upper)}) the target of "
            f"{_pct(target)} {_target_words(assure, stage, _current_rows(chart)['rate'], _pct)}")


def _rate_view(a: Assessment, *, number: int, rates: pd.DataFrame, stage: str,
               forecast_from: pd.Timestamp) -> MilestoneView:
    """A rate milestone as the Board reads it: the p-chart, icons, the year's rate and the odds, in percentages.

    ``rates`` are :func:`crimecast.data.rates.rates_for` the counts cut at the pack's date (:func:`_known_by`), read
    once for every rate milestone: the p-chart has no month after the date, as the counts' charts have none.
    """
    from crimecast.data.rates import rate_series
    from crimecast.forecast.pchart import describe_p_chart, p_chart

    lower_is_better = a.milestone.direction == AT_MOST
    series = rate_series(rates, category=a.category, area=a.area)
    chart = p_chart(series, start=series.index[-1] - pd.DateOffset(months=35))
    process = RateProcess(category=a.category, area=a.area, chart=chart, summary=describe_p_chart(chart))
    var = _rate_variation(chart, lower_is_better=lower_is_better)
    assure = _rate_assurance(chart, target=a.threshold, lower_is_better=lower_is_better)
    year = a.outcome if stage == YEAR_END and a.outcome is not None else a.ytd_actual
    months = 12 if stage == YEAR_END and a.outcome is not None else a.months_observed
    ytd = YearToDate(months, year, a.last_year, None)
    b = a.baseline
    when = f"Forecast from {forecast_from:%B %Y}, there was" if stage == YEAR_END else "There is"
    position = (f"{a.label} was {_pct(year)} in {a.year} {_against_last_rate(a, year)}; the "
                f"{a.milestone.describe()} milestone was {'met' if a.met else 'missed'}."
                if stage == YEAR_END and a.outcome is not None else
                f"{a.label}: {_pct(year)} over the {months} month{'s' if months > 1 else ''} of {a.year} observed." if months else
                f"{a.label}: no month of {a.year} is observed yet.")
    odds = (f"{when} {_chance(b.probability.p, b.probability.n)} chance of meeting the {_pct(a.threshold)} milestone "
            f"(expected {_pct(b.expected)}, 80% interval {_pct(b.lo80)} to {_pct(b.hi80)}); a target of "
            f"{_pct(b.recommended[0.5])} {'would have been' if stage == YEAR_END else 'would be'} a coin toss.")
    return MilestoneView(assessment=a, process=process, variation=var, assurance=assure, ytd=ytd,
                         sentences=[position, odds, _rate_process_sentence(process, var, assure, a.threshold, stage)],
                         scenario_changed=False, number=number)


# ---------------------------------------------------------------- money

def _marginal_sentences(result: CsfResult) -> list[str]:
    table = result.table.sort_values("marginal_10k", ascending=False)
    unit = result.weights.unit
    best, worst = table.iloc[0], table.iloc[-1]
    return [f"At the optimum, the next £10,000 buys {csf_text.outcome(best['marginal_10k'], result)} ({unit}) in "
            f"{best['label']}, the most of any recipient, and {csf_text.outcome(worst['marginal_10k'], result)} in "
            f"{worst['label']}, the least; where the limits allow, money has moved until these are as equal as they "
            "can be."]


def _negligible(price: float, result: CsfResult) -> str | None:
    """``"less than 0.05"`` when a price shows as nothing at the precision outcomes are shown in, else ``None``."""
    if csf_text.outcome(price, result) != csf_text.outcome(0.0, result):
        return None
    return "less than £0.50" if result.weights.currency == "cost" else "less than 0.05"


def _binding_sentences(result: CsfResult) -> list[str]:
    """Each binding constraint and what relaxing it would gain; a limit whose relaxation gains nothing at the shown
    precision is said to be reached but to cost next to nothing, not presented as a gain of 0.0."""
    lines = []
    for row in result.binding.itertuples():
        small = _negligible(row.price, result) if row.price == row.price else None
        if row.price != row.price:
            lines.append(f"{row.description} binds; dropping it alone leaves no allocation that meets the rest.")
        elif small is not None:
            more = "£10,000 more" if row.group == "budget" else "dropping it"
            lines.append(f"{row.description} is reached but hardly holds the plan back: {more} would gain {small} "
                         f"({result.weights.unit}).")
        elif row.group == "payback":  # the description is a sentence ("X: payback 3.8 years is beyond the limit")
            lines.append(f"The payback limit keeps a scheme out ({row.description}): allowing it would gain "
                         f"{csf_text.outcome(row.price, result)} ({result.weights.unit}).")
        elif row.group == "budget":
            lines.append(f"The budget ({money(result.spec.budget)}) binds: £10,000 more would buy "
                         f"{csf_text.outcome(row.price, result)} ({result.weights.unit}).")
        else:
            lines.append(f"{row.description} binds: dropping it would gain {csf_text.outcome(row.price, result)} "
                         f"({result.weights.unit}).")
    return lines or ["No constraint binds: the optimum is set by the response curves alone."]


def _data_to(panel: Panel, counts: pd.DataFrame) -> pd.Timestamp:
    """The last month of data a (saved) forecast used: its as-of period's last month."""
    from crimecast.data.frequency import frequency_of

    return frequency_of(counts).period_end_month(panel.as_of)


def _fund_with_saved(counts: pd.DataFrame, assumptions: CsfAssumptions, source: str, *, saved: Panel,
                     jobs: int, progress: Progress | None) -> tuple[CsfResult, str | None]:
    """The fund on the saved forecast when it serves the fund's as-of and series; else forecast afresh, saying why."""
    try:
        return optimise_csf(counts, assumptions, source=source, saved=saved, jobs=jobs, progress=progress), None
    except DataError as error:
        result = optimise_csf(counts, assumptions, source=source, jobs=jobs, progress=progress)
        return result, (f"the fund's baseline crime was forecast afresh, as the saved forecast '{saved.saved}' does not "
                        f"serve it (it {str(error).split('. ')[0].removeprefix(f'the saved forecast {saved.saved!r} ')}).")


def _csf_view(counts: pd.DataFrame, assumptions: CsfAssumptions, source: str, *, jobs: int,
              progress: Progress | None, saved: Panel | None = None, store: str | None = None) -> CsfView:
    """The fund as ``forecast optimise csf`` allocates it: baseline crime forecast from the file's own as-of.

    The plan's scenario is not applied: its drivers describe the plan's year, and
    applied again from the fund's as-of they would count a change the data already holds.
    A saved forecast is read for baseline crime when it is from the fund's as-of and holds its series.
    The fund's areas are read as ``forecast optimise csf`` reads them, whichever force the plan and scenario took out
    of a dataset of separate forces: in the area every command defaults to
    (``force_wide``, as ``DataSource.inside(None)``: peers of one force are that force, ``area: force``), and
    its ``forecast.data`` as ``optimise csf`` reads it: a file, an embedded dataset or a dataset in ``store``.
    """
    wanted = assumptions.forecast.data
    same_data = source_read(counts) == wanted
    # the data as read (one force taken out of several for the plan and scenario: every force again, as the fund
    # names them), in the area every command defaults to
    csf_counts = (force_wide(data_read(counts)) if same_data else
                  open_counts(DataSource(store=store).naming(wanted, where=f"{source}: forecast.data").inside(None)))
    saved = read_as(saved, csf_counts) if saved is not None and same_data else saved
    afresh = None
    if saved is not None and same_data:
        result, afresh = _fund_with_saved(csf_counts, assumptions, source, saved=saved, jobs=jobs, progress=progress)
    else:
        result = optimise_csf(csf_counts, assumptions, source=source, jobs=jobs, progress=progress)
    settings = assumptions.forecast
    made = pd.Timestamp(settings.as_of) if settings.as_of else csf_counts["month"].max()
    if saved is not None and same_data and afresh is None:
        data_to = _data_to(saved, csf_counts)
        basis = (f"Baseline crime is each recipient's forecast for {result.year} read from the saved forecast "
                 f"'{saved.saved}' (data to {data_to:%B %Y}; {saved.spec.describe()}); the plan's scenario is not "
                 "applied to it.")
        forecast = (f"read from the saved forecast '{saved.saved}': {saved.spec.describe(paths_word='simulated paths')}, "
                    f"from the data to {data_to:%B %Y}")
    else:
        forecast = f"{settings.describe(paths_word='simulated paths')}, from the data to {made:%B %Y}"
        basis = (f"Baseline crime is each recipient's forecast for {result.year} from the data to {made:%B %Y} "
                 f"(model {settings.model}, {settings.paths:,} paths); the plan's scenario is not applied to it.")
    if afresh is not None:
        result.notes.append(afresh)
    return CsfView(result=result, summary=[basis, *csf_text.summary_sentences(result)], marginal=_marginal_sentences(result),
                   binding=_binding_sentences(result), forecast=forecast)


def fleet_view(fleet: Fleet, report: FleetReport) -> FleetView:
    """The fleet section's words: the plan against like-for-like and, when a site's charge-point limit binds, which
    vehicles it kept off plug-in options and what lifting it would do (as ``forecast optimise fleet`` says), and the
    optimiser's notes (prices that look like thousands, what ran out of time) in plain words (:func:`fleet_note_for_board`)."""
    years = fleet.spec.appraisal.years
    return FleetView(report=report, name=fleet.spec.name,
                     summary=[*fleet_text.summary_sentences(report.plan, report.headlines, years=years),
                              *fleet_text.site_limit_sentence(report.site_limit, report.plan)],
                     switching=[fleet_text.switching_sentence(v, label) for v, label in report.switching], years=years,
                     notes=list(dict.fromkeys(n for n in (fleet_note_for_board(note) for note in report.notes) if n)))


# The fleet optimiser's words for a solve stopped by its time limit, as a Board member reads them: the solver, its best
# plan and bound (and the switch to allow more time) are the analyst's (the terminal and workbook keep them).
_FLEET_PLAIN: tuple[tuple[re.Pattern, object], ...] = (
    (re.compile(r"[a-zA-Z][\w-]* did not prove an optimum within the time limit of (?P<s>[\d.]+) s "
                r"\((?:[^()]|\([^()]*\))*\), so crimecast reports nothing from it"
                r"(?:\. Allow more time \(--time-limit\) or simplify the problem)?(?:\.(?=[.)]))?"),
     lambda m: f"the solver ran out of its {m['s']} s before it could be sure of the best plan, so nothing is reported "
               "from it"),
    (re.compile(r"not proven optimal within the time allowed"), "not worked out for certain in the time allowed"),
)


def fleet_note_for_board(note: str) -> str:
    """A fleet optimiser's note (``FleetReport.notes``) as the pack's fleet section gives it: a solve stopped by its
    time limit said without the solver's figures, then as every note in the pack is (:func:`for_board`)."""
    for pattern, words in _FLEET_PLAIN:
        note = pattern.sub(words, note)
    return for_board(note)


# ---------------------------------------------------------------- the pack

def _with_paths(scenario: Scenario | None, assumptions: CsfAssumptions | None, paths: int | None):
    if paths is None:
        return scenario, assumptions
    if scenario is not None:
        scenario = dataclasses.replace(scenario, base=scenario.base.model_copy(update={"paths": paths}))
    if assumptions is not None:
        assumptions = assumptions.model_copy(update={"forecast": assumptions.forecast.model_copy(update={"paths": paths})})
    return scenario, assumptions


def _whole_named(counts: pd.DataFrame) -> str:
    """What a scenario's force-wide targets are called, as ``scenario check`` and ``scenario run`` call them
    (``ResolvedScenario.whole_title``): one force taken out of several, the one force of a dataset of peers
    (``force_wide``), or a dataset of one named force; empty for a force with its districts and an unnamed whole,
    which is "force-wide"."""
    return whole_title(counts.attrs) or whole_title(force_wide(counts).attrs)


def _scenario_view(scenario: Scenario, report: MilestoneReport, views: list[MilestoneView], *,
                   whole: str = "") -> ScenarioView:
    return ScenarioView(name=scenario.name, description=scenario.description.strip(), source=Path(scenario.source).name,
                        drivers=[describe_driver(d, whole=whole) for d in report.drivers],
                        milestones=[v for v in views if v.scenario_changed])


MILESTONES, FUND = "the milestones", "the Community Safety Fund"

# An analyst's switch in a note (``--no-drift``, ``--exceptional``; a file's ``drift: false`` rides with it), which
# a Board member cannot act on: the aside holding one (``level_shifts=()`` may sit inside it), the clause after a
# semicolon holding one (to the end of its sentence), and a sentence holding one, in that order.
_SWITCH = r"--[a-z]"
_SWITCH_ASIDE = re.compile(rf"\s*\((?:[^()]|\(\))*{_SWITCH}(?:[^()]|\(\))*\)")
_SWITCH_CLAUSE = re.compile(rf";\s[^;.]*{_SWITCH}[^;.]*(?=\.)")
_SENTENCE_BREAK = re.compile(r"(?<=\.)(\s+)")


_LESS_CERTAIN = "as less certain than usual"
# The forecast's notes on how its ranges were made (calibration, the dataset drift, adding series up), in the words of
# what each means for a Board member reading the ranges and chances; the terminal, CSV and JSON keep the analyst's
# (width factors, backtests, the log scale). Each pattern is the whole of the note's wording after its series lead
# ("13 series (...): ", "burglary / merseyside: "); a note none matches is given as it is.
_PLAIN_WORDS: tuple[tuple[re.Pattern, object], ...] = (
    (re.compile(re.escape(PARTLY_CALIBRATED)),
     "there are under three years of past forecasts to test these series' ranges on, so how wide their ranges are "
     "rests partly on what is typical of other series, not only on their own record: read their ranges, and the "
     f"chances drawn from them, {_LESS_CERTAIN}."),
    (re.compile(r"intervals calibrated on only (?P<n>\d+) backtest (?P<noun>month|quarter)s? \(three years make full "
                r"evidence\): their width factor is weighed against the factor for series without backtests of their "
                r"own, \d+\.\d+, giving \d+\.\d+\."),
     lambda m: f"only {counted(int(m['n']), m['noun'])} of past forecasts could test its range (three years would be full "
               "evidence), so how wide its range is rests partly on what is typical of other series, not only on its "
               f"own record: read its range, and the chance drawn from it, {_LESS_CERTAIN}."),
    (re.compile(r"series too short to calibrate intervals on its own backtests; used the width factor for series "
                r"without backtests of their own, \d+\.\d+\."),
     "too short to test its forecast's range on its own past: the range is as wide as is typical of other series, so "
     f"read it, and the chance drawn from it, {_LESS_CERTAIN}."),
    (re.compile(re.escape(WIDE_INTERVALS)),
     "their ranges are wide: in some past years these series' counts ran much further from the forecast than "
     "expected, so their ranges are widened to allow for moves that size."),
    (re.compile(r"intervals are wide \(width factor \d+\.\d+, where [^)]* is typical\): in the backtest years? from "
                r"(?P<years>.+?) the counts ran (?P<misses>.+?), far outside the model's own intervals, so every "
                r"interval is widened to cover misses that size\."),
     lambda m: f"its range is wide: in the year{'s' if ' and ' in m['years'] else ''} from {m['years']} its counts "
               f"ran {m['misses']}, much further than expected, so its range is widened to allow for moves that size."),
    (re.compile(r" \(and out of the interval calibration scores\)"), ""),
    (re.compile(r"dataset drift: in the year (?P<span>.+?) this dataset's (?P<n>\d+) categories, each summed over its "
                r"areas, came in (?P<missed>[\d.]+%) (?P<side>above|below) their forecasts made a year ahead; "
                r"(?P<share>\d+%) of that \(on the log scale\) is carried into this forecast: "),
     lambda m: f"recent forecasts {'fell short' if m['side'] == 'above' else 'ran high'}: in the year {m['span']}, "
               f"recorded crime in this dataset's {m['n']} categories came in {m['missed']} {m['side']} what was "
               f"forecast a year ahead, so this forecast carries {m['share']} of that gap forward: "),
    (re.compile(r"(?P<n>\d+) series forecast separately and added up path by path \(totals are coherent\); their "
                r"paths are paired so year totals move together as their year-on-year changes have\."),
     lambda m: f"{m['n']} series are forecast one by one and added up, so each total agrees with its parts, and its "
               "range allows for parts that tend to rise and fall together."),
    (re.compile(r"^Backtested on real data, "), "Tested against what really happened, "),
    (re.compile(r"; bench/RESULTS\.md\)"), ")"),
)


def plain_words(note: str) -> str:
    """``note`` with its calibration and method wording (:data:`_PLAIN_WORDS`) said as what it means for the reader:
    "intervals calibrated on under three years of backtests: each width factor is weighed against ... 1.80" becomes
    "there are under three years of past forecasts to test these series' ranges on, ... read their ranges, and the
    chances drawn from them, as less certain than usual." A note with none of that wording is returned as it is."""
    for pattern, words in _PLAIN_WORDS:
        note = pattern.sub(words, note)
    return note


def for_board(note: str) -> str:
    """``note`` as the Board pack gives it: without the command-line switches that turn off what it describes, and
    in plain words (:func:`plain_words`).

    The terminal, CSV and JSON keep the note whole (analysts act on it); a Board member cannot, so the aside,
    clause or sentence naming a switch is left out and the rest still reads as whole sentences ("... modelled as
    level shifts: burglary / force -6% from 2011-04 (steps: false, or --no-steps, switches this off)." becomes
    "... from 2011-04."). A note that was nothing but a switch becomes empty.
    """
    text = _SWITCH_CLAUSE.sub("", _SWITCH_ASIDE.sub("", note))
    pieces = _SENTENCE_BREAK.split(text)  # sentence, space, sentence, ...
    kept = [sentence for sentence in pieces[::2] if not re.search(_SWITCH, sentence)]
    return plain_words(" ".join(kept).strip())


def _notes(report: MilestoneReport, views: list[MilestoneView], csf: CsfView | None) -> list[tuple[str, str]]:
    """The pack's notes as (the part of the pack each is about, the note); a note two parts share is given once."""
    parts: dict[str, list[str]] = {}
    footnoted = set(partly_forecast_note(report.assessments))  # said in the summary's footnote, in the pack's words
    for text in [*report.notes, *(report.against.notes if report.against is not None else [])]:
        if text not in footnoted:
            parts.setdefault(text, []).append(MILESTONES)
    if any(v.assessment.baseline.probability.p > CAVEAT_ABOVE for v in views):
        parts.setdefault(CALIBRATION_CAVEAT, []).append("P(meet) in the summary")
    for text in (note for v in views for note in getattr(v.process, "notes", [])):  # the control charts' notes
        if "the control charts" not in parts.setdefault(text, []):
            parts[text].append("the control charts")
    for text in (csf.result.notes if csf is not None else []):
        if FUND not in parts.setdefault(text, []):
            parts[text].append(FUND)
    worded: dict[str, list[str]] = {}  # as the Board reads them: two notes differing only in a switch are one
    for text, where in parts.items():
        worded.setdefault(for_board(text), []).extend(where)
    return [(" and ".join(dict.fromkeys(where)), text) for text, where in worded.items() if text]


def _add_against(views: list[MilestoneView], against) -> None:
    """Each count milestone's year so far against the saved start-of-year forecast, as one more sentence."""
    sentences = dict(zip((id(m.assessment) for m in against.milestones), against_sentences(against)))
    for view in views:
        if id(view.assessment) in sentences:
            view.sentences.append(sentences[id(view.assessment)])


def build_board_pack(counts: pd.DataFrame, plan: Plan, *, as_of: pd.Timestamp | None = None,
                     scenario: Scenario | None = None, csf: tuple[CsfAssumptions, str] | None = None,
                     fleet: Fleet | None = None, model: str | None = None, paths: int | None = None,
                     seed: int | None = None, saved: Panel | None = None, against: Panel | None = None,
                     jobs: int = 1, progress: Progress | None = None, store: str | None = None,
                     rates: pd.DataFrame | None = None) -> BoardPack:
    """Compute the Board pack for ``plan`` as of ``as_of``.

    Parameters
    ----------
    counts
        The data with totals (``with_totals``).
    plan
        From :func:`crimecast.scenarios.plan.load_plan`.
    as_of
        The pack's date: the last month of data used (default: the data's
        last month, or the end of the plan's year when the data runs past
        it: :func:`default_date`). At or after the end of the plan's year the
        pack is a year-end pack (see the module docstring); dated after it,
        its title says it reads the later data.
    scenario
        Applied to the milestones' paths (not to the fund, whose baseline is
        forecast from its own as-of).
    csf
        ``(assumptions, source)`` from ``load_assumptions``: adds the money section's allocation.
    fleet
        From ``load_fleet``: adds the fleet plan.
    model, paths, seed
        Forecast settings (``paths`` also overrides the scenario's and the
        fund's, for a quicker pack). ``None`` keeps the library defaults.
    saved
        A saved forecast read instead of forecasting the milestones (it must
        be from the month the pack forecasts from: the pack's date, or the
        month before the year for a year-end pack); the fund reads it too
        when it is from the fund's as-of, else forecasts afresh and says so.
    against
        For an in-year pack: the forecast saved at the start of the year;
        each milestone then says how the year so far stands against it
        (:mod:`crimecast.scenarios.against`).
    jobs, progress
        Worker processes, and a callback per series forecast.
    store
        The store a fund file's ``forecast.data`` may name a dataset in (default ``$CRIMECAST_STORE`` or
        ``crimecast.duckdb``), as ``forecast optimise csf`` reads it.
    rates
        For a stored dataset of rates only: its rates as stored, when already read (:attr:`PackDate.rates`, from
        :func:`default_date`); ``None`` reads them. Ignored for data with counts.

    Raises
    ------
    CrimecastError
        Whatever the underlying functions raise (unknown series, an
        infeasible fund, ...), before anything is written.
    """
    data, holds = _pack_data(counts, rates)  # a dataset of rates only is dated by its rates (read once)
    last = _data_end(counts, data)  # a quarter's last month, for quarterly data
    as_of = min(last, year_end_month(plan)) if as_of is None else as_of  # a year-end pack: at the year's end
    what = "the rates" if holds == "rates" else "data"
    if as_of > last:
        raise UsageError(f"--as-of {as_of:%Y-%m} is after the last month of {what} ({last:%Y-%m}). "
                         f"Use {last:%Y-%m} or earlier.")
    first = data["month"].min()
    if as_of < first:  # nothing known then: every series would read as unknown
        raise UsageError(f"--as-of {as_of:%Y-%m} is before the first month of {what} ({first:%Y-%m}): nothing was "
                         "known then. Use a later month.")
    stage, forecast_from = _stage(plan, as_of)
    if against is not None and stage != IN_YEAR:
        better = ("a year-end pack already reads the forecast from the start of the year: pass it as --forecast "
                  f"{against.saved}" if stage == YEAR_END else f"date the pack inside {plan.milestones[0].year}")
        raise UsageError(f"--against sets the year so far against a saved forecast, for an in-year pack; this is a "
                         f"{stage} pack as of {as_of:%Y-%m}: {better}.")
    scenario, assumptions = _with_paths(scenario, csf[0] if csf else None, paths)
    fleet_part = fleet_view(fleet, fleet_report(fleet)) if fleet is not None else None
    csf_view = (_csf_view(counts, assumptions, csf[1], jobs=jobs, progress=progress, saved=saved, store=store)
                if csf is not None else None)
    known = _known_by(counts, as_of)
    spec = milestone_spec(plan, scenario, model=model, paths=paths, seed=seed,
                          as_of=None if forecast_from is None else f"{forecast_from:%Y-%m}")
    report = assess_milestones(known, plan, spec=spec, scenario=scenario, saved=saved, against=against, jobs=jobs,
                               progress=progress, rates=rates_for(known, stored=data) if holds == "rates" else None)
    milestone_view = partial(_milestone_view, counts=known,
                             exceptional=report.base.exceptional)  # the charts keep out what the forecast did
    rate_view = partial(_rate_view, rates=report.rates)  # the rates as they stood at the pack's date, read once
    views = [(rate_view if a.unit == "rate" else milestone_view)(a, number=i + 1, stage=stage,
                                                                 forecast_from=forecast_from)
             for i, a in enumerate(report.assessments)]
    if report.against is not None:
        _add_against(views, report.against)
    notes = _notes(report, views, csf_view)
    inputs = [("Plan", Path(plan.source).name)]
    if scenario is not None:
        inputs.append(("Scenario", Path(scenario.source).name))
    if csf is not None:
        inputs.append(("Community Safety Fund assumptions", Path(csf[1]).name))
    if fleet is not None:
        inputs.append(("Fleet", Path(fleet.source).name))
    if saved is not None:
        inputs.append(("Saved forecast (read, not refitted)", f"{saved.saved} (data to {_data_to(saved, counts):%Y-%m})"))
    if against is not None:
        inputs.append(("Saved start-of-year forecast (year so far set against it)",
                       f"{against.saved} (data to {_data_to(against, counts):%Y-%m})"))
    used = known if holds == "counts" else data[data["month"] <= as_of]
    provenance = Provenance(
        data=str(counts.attrs.get("source", "")), illustrative=bool(counts.attrs.get("illustrative")),
        notice=str(counts.attrs.get("notice", "") or ""), fingerprint=fingerprint(used), holds=holds,
        first_month=used["month"].min(), last_month=used["month"].max(), as_of=as_of, forecast_from=forecast_from,
        model=report.base.model, paths=report.base.paths, seed=report.base.seed, version=crimecast_version(),
        inputs=tuple(inputs), forecasts=_forecasts(report, views, scenario=scenario is not None, saved=saved, csf=csf_view),
        frequency=frequency_of(counts))
    later = stage == YEAR_END and as_of > year_end_month(plan)  # dated after the year ended: said in its title
    title = (f"{report.title}: year-end report, with data to {as_of:%B %Y}" if later else
             f"{report.title}: {'year-end report' if stage == YEAR_END else 'position'} as of {as_of:%B %Y}")
    return BoardPack(title=title, plan=plan, stage=stage, report=report, milestones=views, provenance=provenance,
                     scenario=_scenario_view(scenario, report, views, whole=_whole_named(counts))
                     if scenario is not None else None,
                     csf=csf_view, fleet=fleet_part, notes=notes)


__all__ = ["BoardPack", "MilestoneView", "PackCounts", "PackDate", "Provenance", "build_board_pack", "default_date",
           "fingerprint", "for_board", "open_pack_counts", "part_forecast_footnote", "plain_words", "year_end_month"]

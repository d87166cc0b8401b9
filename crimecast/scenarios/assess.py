"""Assess a plan of milestones on sample paths: before the year, in year, or under a scenario.

In-year assurance **refits** the forecast to the data up to ``as_of`` rather
than conditioning the pre-year paths on the observed months. Conditioning
(keeping or reweighting the paths that happen to pass near the actuals)
collapses onto a handful of paths exactly when the year is going unusually
well or badly, which is when assurance matters; a refit uses every month
observed, including a level change the months reveal, and is the same
procedure the backtests score.

Quarterly data is assessed in quarters: a year is its four quarters,
``as_of`` must be a quarter end (March, June, September or December), and
year to date counts whole quarters.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from crimecast.data.calendar import financial_year_label, financial_year_periods, parse_financial_year
from crimecast.data.frequency import MONTHLY, Frequency, frequency_of, last_complete_period
from crimecast.data.series import (FORCE_AREA, default_area, filled_in_years, names_the_whole, resolve_area,
                                   resolve_category, series_of, source_read, whole_title)
from crimecast.data.load import data_option
from crimecast.data.rates import rates_for
from crimecast.data.slugs import area_label
from crimecast.errors import DataError, ScenarioError, UsageError
from crimecast.forecast.compared import compared_note, without
from crimecast.forecast.panel import Panel, forecast_panel, series_result
from crimecast.forecast.parallel import Progress
from crimecast.forecast.paths import ForecastResult
from crimecast.forecast.seasonal import fit_month_effects
from crimecast.forecast.significance import poisson_e_test
from crimecast.scenarios.apply import apply_drivers
from crimecast.data.calendar import planning_as_of
from crimecast.scenarios.assessment import Assessment, MilestoneReport, outlook
from crimecast.scenarios.assessment import named_force, quiet_note
from crimecast.scenarios.milestones import trajectory
from crimecast.scenarios.plan import Milestone, Plan
from crimecast.scenarios.rate_assess import count_part, rate_only_report, rates_afresh_note, with_rate_milestones
from crimecast.forecast.spec import ForecastSpec
from crimecast.scenarios.resolve import driver_needs, resolve_scenario, scenario_at
from crimecast.scenarios.spec import Scenario
from crimecast.scenarios.spec import MAX_HORIZON as MAX_MONTHS_AHEAD

Key = tuple[str, str]
MIN_YEARS_OF_HISTORY = 2  # before --as-of: 24 months or 8 quarters


# ---------------------------------------------------------------- checking the plan against the data

def _resolve_milestone(counts: pd.DataFrame, milestone: Milestone, where: str, *, in_file: bool = True,
                       area_where: str | None = None) -> Key:
    """The milestone's (category, area) in the data; errors lead with ``where`` (``area_where`` for its area: the
    plan's ``area:`` when the milestone took it)."""
    named = milestone.area
    try:
        category, _ = resolve_category(counts, milestone.category)
        if named == FORCE_AREA and FORCE_AREA not in set(counts["area"]):
            named = _one_area_or_named(counts, in_file=in_file)
    except DataError as error:
        raise ScenarioError(f"{where}: {error}") from None
    try:
        area = resolve_area(counts, _as_narrowed(counts, named))
    except DataError as error:  # an unknown area: said in terms of --area when one force was taken out of several
        area_where = area_where or where
        raise ScenarioError(_outside_the_force(counts, milestone.area, area_where) if counts.attrs.get("force_name")
                            else f"{area_where}: {error}") from None
    try:  # a series left out (a gap too long to fill) says why, before any forecasting
        series_of(counts, category=category, area=area)
    except DataError as error:
        raise DataError(f"{where}: {error}") from None
    return category, area


def _read_as_notes(counts: pd.DataFrame, plan: Plan) -> list[str]:
    """A category the milestones name by another name (``burglary``: burglary-dwelling), said once however many
    name it, as every command says it (``--area all`` names the categories by their slugs: its selection said it)."""
    return list(dict.fromkeys(note for m in plan.milestones if (note := resolve_category(counts, m.category)[1])))


def check_milestones(counts: pd.DataFrame, plan: Plan, *, spec: ForecastSpec | None = None) -> None:
    """Refuse a plan whose count milestones name a category or area the data does not hold (or a series left out for
    gaps), as :func:`assess_milestones` would, naming the milestone; with ``spec``, also an as-of month (``--as-of``,
    or the plan's ``as_of:``) or a year the data cannot be assessed at: checked before anything is said about the
    data, so the error comes alone.

    Parameters
    ----------
    counts
        The data with totals, as :func:`assess_milestones` is given it.
    plan
        The plan to be assessed.
    spec
        The forecast settings it will be assessed with (:func:`milestone_spec`); ``None``: the as-of month is
        not checked.

    Raises
    ------
    ScenarioError, DataError, UsageError
        :func:`assess_milestones`'s errors for such a milestone or as-of month.
    """
    counted = count_part(plan)  # rate milestones are checked on their rate series
    force = counts.attrs.get("force_name") or ""  # messages name the whole of one force taken out of several by it
    for i, milestone in enumerate(counted.milestones):
        _resolve_milestone(counts, milestone, counted.where(i, force=force), in_file=counted.from_file,
                           area_where=counted.where_area(i, force=force))
    if spec is not None and counted.milestones:
        _timing(counts, counted, spec)


def _timing(counts: pd.DataFrame, plan: Plan, spec: ForecastSpec) -> tuple[list[int], pd.Timestamp, pd.Timestamp, int]:
    """The plan's financial years, its as-of month (``spec``'s, else the one it is planned from), the last period
    that leaves complete and the periods to forecast to the end of its last year; refused when the data cannot
    serve them (:func:`_check_as_of`) or the forecast would run too far ahead."""
    as_of = spec.as_of_month
    years = sorted({parse_financial_year(m.year) for m in plan.milestones})
    frequency = frequency_of(counts)
    last_month = frequency.period_end_month(counts["month"].max())
    given = as_of is not None
    as_of = as_of if given else planning_as_of(years[0], last_month)
    cut = _check_as_of(as_of, years, counts, given=given)
    horizon = len(frequency.between(frequency.next(cut), financial_year_periods(years[-1], frequency)[-1]))
    months_ahead = horizon * frequency.months_per_period
    if months_ahead > MAX_MONTHS_AHEAD:
        last_year = financial_year_label(years[-1])
        made_from = ("the as-of month" if given else "the data's last month" if as_of == last_month else
                     f"the month before {financial_year_label(years[0])} begins, which it is planned from")
        instead = ("Choose a nearer --year." if not given and as_of == last_month else
                   "Choose a nearer --year, or a later --as-of.")
        raise UsageError(f"financial year {last_year} ends {months_ahead} months after {as_of:%Y-%m} ({made_from}); "
                         f"at most {MAX_MONTHS_AHEAD} months can be forecast. {instead}")
    return years, as_of, cut, horizon


def _outside_the_force(counts: pd.DataFrame, area: str, where: str) -> str:
    """Why ``area`` is unknown when --area took one force out of several: its areas are "force" and its own."""
    force = counts.attrs["force_name"]
    parts = [a for a in sorted(set(counts["area"])) if a != FORCE_AREA]
    held = f"its areas: {', '.join(parts)}" if parts else "no areas of its own in this data"
    return (f"{where}: unknown area '{area}': --area {force} reads {force} alone ({held}). "
            f"Name {force}{' or one of its areas' if parts else ''}, or leave --area out to read every force.")


def _as_narrowed(counts: pd.DataFrame, area: str) -> str:
    """A milestone naming the force that --area took out of several is about the whole of what is left."""
    return FORCE_AREA if names_the_whole(counts, area) else area


def _one_area_or_named(counts: pd.DataFrame, *, in_file: bool) -> str:
    """The force-wide area a milestone without one means, by the rule every command uses (``default_area``: a
    dataset of one force alone is that force); separate forces and none named: say so, rather than "unknown area
    'force'"."""
    try:
        return default_area(counts)
    except DataError as error:
        hint = (" In a plan file, an area: key at the top (the default of every milestone) or on a milestone does the same."
                if in_file else "")
        raise DataError(f"{error}{hint}") from None


def _check_as_of(as_of: pd.Timestamp, years: list[int], counts: pd.DataFrame, *, given: bool = True) -> pd.Timestamp:
    """Check ``as_of`` against the data and the plan's years; returns the last period it leaves complete."""
    frequency = frequency_of(counts)
    cut = last_complete_period(as_of, frequency)
    first, last = counts["month"].min(), frequency.period_end_month(counts["month"].max())
    if as_of > last:
        raise _after_the_data(as_of, counts, years, last=last, frequency=frequency)
    for start in years:  # a year after the as-of month is planning: its horizon is checked in assess_milestones
        periods = financial_year_periods(start, frequency)
        latest = frequency.period_end_month(periods[-2])
        if as_of > latest:
            subject = f"--as-of {as_of:%Y-%m}" if given else f"the data's last month, {as_of:%Y-%m},"
            raise UsageError(
                f"{subject} is after the last month but one of financial year {financial_year_label(start)}: assess "
                f"it from {latest:%Y-%m} or earlier, or a later year. Change --as-of or --year."
            )
    need = MIN_YEARS_OF_HISTORY * frequency.periods_per_year
    held = len(frequency.between(first, cut)) if cut >= first else 0
    if held < need:
        raise _too_early(as_of, years, first=first, last=last, held=held, need=need, frequency=frequency)
    return cut


def _after_the_data(as_of: pd.Timestamp, counts: pd.DataFrame, years: list[int], *, last: pd.Timestamp,
                    frequency: Frequency) -> UsageError:
    """Why an ``as_of`` after the data's last period cannot be assessed: the data ends before it, or (the data
    as it stood then ended before it but goes on later: ``attrs["resumes"]``) it falls in a gap of the data, with
    the as-of months either side of the gap that serve (:func:`_either_side`). The month is called the as-of month,
    not ``--as-of``: it may be a plan's or scenario's ``as_of:``, or a Board pack's, as well as the user's option."""
    subject = f"the as-of month, {as_of:%Y-%m},"
    resumes = {a: m for a, m in counts.attrs.get("resumes", {}).items() if a in set(counts["area"])}
    if not resumes:
        return UsageError(f"{subject} is after the last month of data ({last:%Y-%m}): actuals for it are not "
                          f"known yet. Use {last:%Y-%m} or earlier.")
    resume = min(resumes.values())
    gap = frequency.between(frequency.next(counts["month"].max()), frequency.next(resume, -1))
    missing = frequency.label(gap[0]) if len(gap) == 1 else f"{frequency.label(gap[0])} to {frequency.label(gap[-1])}"
    force = counts.attrs.get("force_name") or ""
    named = [area_label(a, whole=whole_title(counts.attrs)) for a in sorted(resumes) if a != FORCE_AREA or force]
    whose = ("the data has" if not named else ", ".join(named[:3]) + (" ..." if len(named) > 3 else "")
             + (" has" if len(named) == 1 else " have"))
    ends = [m for a, m in counts.attrs.get("resumes_to", {}).items() if a in set(counts["area"])]
    end = frequency.period_end_month(max(ends)) if ends else None
    return UsageError(f"{subject} falls in a gap in the data: {whose} no counts for {missing} (they "
                      f"go on from {frequency.label(resume)}), so as the data stood at the end of {as_of:%Y-%m} its last "
                      f"{frequency.noun} was {frequency.label(counts['month'].max())} and actuals for {as_of:%Y-%m} are "
                      f"not known. {_either_side(counts, years, last=last, resume=resume, end=end, frequency=frequency)}")


def _either_side(counts: pd.DataFrame, years: list[int], *, last: pd.Timestamp, resume: pd.Timestamp,
                 frequency: Frequency, end: pd.Timestamp | None = None) -> str:
    """The as-of months before and after a gap (the data's ``last`` month before it; it goes on from ``resume`` to
    ``end``, when known) that serve, each said to be before or after the gap, and why the other side does not: a side
    serves when it leaves enough data to forecast from, is not after the last month but one of a year assessed, is
    within ``MAX_MONTHS_AHEAD`` of the end of the last year assessed (as :func:`assess_milestones` requires) and, after
    the gap, not after the data's ``end``."""
    first = counts["month"].min()
    need = MIN_YEARS_OF_HISTORY * frequency.periods_per_year
    earliest = frequency.period_end_month(frequency.next(first, need - 1))  # the first as-of with ``need`` periods
    year = min(years, key=lambda start: financial_year_periods(start, frequency)[-2])
    latest = frequency.period_end_month(financial_year_periods(year, frequency)[-2])
    final = max(years)  # the forecast reaches the end of the last year assessed: at most MAX_MONTHS_AHEAD months
    year_end = frequency.period_end_month(financial_year_periods(final, frequency)[-1])
    nearest = frequency.period_end_month(frequency.period_containing(year_end - pd.DateOffset(months=MAX_MONTHS_AHEAD)))
    before, after = min(last, latest), max(frequency.period_end_month(resume), earliest, nearest)
    if before < earliest:
        held = len(frequency.between(first, frequency.period_containing(before)))
        not_before = (f"up to {before:%Y-%m}, before it, the data holds only {frequency.count_of(held)}, and a milestone "
                      f"forecast needs at least {frequency.count_of(need)} of data up to the month it is made from")
    elif before < nearest:
        ahead = (year_end.year - before.year) * 12 + year_end.month - before.month
        not_before = (f"from {before:%Y-%m}, before it, financial year {financial_year_label(final)} ends {ahead} "
                      f"months ahead, and at most {MAX_MONTHS_AHEAD} months can be forecast")
    else:
        not_before = ""
    if after > latest:
        not_after = (f"{after:%Y-%m} is after {latest:%Y-%m}, the last month but one of financial year "
                     f"{financial_year_label(year)}, the latest it can be assessed from")
    elif end is not None and after > end:
        not_after = (f"{after:%Y-%m}, the first month from which financial year {financial_year_label(final)} ends "
                     f"within {MAX_MONTHS_AHEAD} months, is after the last month of data ({end:%Y-%m})")
    else:
        not_after = ""
    span = f"{nearest:%Y-%m} to {before:%Y-%m}" if earliest < nearest < before else f"{before:%Y-%m} or earlier"
    if not_after:
        if not_before:  # a later year moves the latest month on; a nearer one brings its end within reach
            return (f"No month either side of the gap serves: {not_before}; after it, {not_after}. Choose a "
                    f"{'later' if after > latest else 'nearer'} --year.")
        return f"Use a month before the gap, {span}: after it, {not_after}."
    if not_before:
        return f"Use a month after the gap, {after:%Y-%m} or later: {not_before}."
    return f"Use a month before the gap, {span}, or one after it, {after:%Y-%m} or later."


def _too_early(as_of: pd.Timestamp, years: list[int], *, first: pd.Timestamp, last: pd.Timestamp, held: int,
               need: int, frequency: Frequency) -> DataError | UsageError:
    """Why ``as_of`` leaves too little data to forecast from, and what would leave enough: the first as-of month;
    for a year the data holds whole, assessed from the month before it begins (a replay, a year-end pack), the first
    such year; nothing, when the data itself is shorter than a forecast needs. A replay of a year before the data
    starts was "only 0 months of data up to 2009-03"."""
    earliest = frequency.period_end_month(frequency.next(first, need - 1))  # the first as-of with ``need`` periods
    enough = f"a milestone forecast needs at least {frequency.count_of(need)} of data up to the month it is made from"
    year = financial_year_periods(years[0], MONTHLY)
    if earliest > last:  # no as-of month or year helps
        span = f"{frequency.label(first)} to {frequency.label(frequency.period_containing(last))}"
        held_then = (f"--as-of {as_of:%Y-%m} is before the data starts" if held == 0 else
                     f"only {frequency.count_of(held)} of data up to {as_of:%Y-%m}")
        return DataError(f"{held_then} (the data runs {span}, {frequency.count_of(len(frequency.between(first, last)))}"
                         f"): {enough}.")
    if as_of == year[0] - pd.DateOffset(months=1) and last >= year[-1]:
        first_year = earliest.year if earliest.month <= 3 else earliest.year + 1  # planned from the March before it
        return UsageError(f"financial year {financial_year_label(years[0])} is assessed from {as_of:%Y-%m}, the month "
                         f"before it begins, and the data starts {frequency.label(first)}: {enough}, so the first year "
                         f"that can be assessed is {financial_year_label(first_year)}. Choose a later year for the "
                         "milestones.")
    if held == 0:
        return UsageError(f"--as-of {as_of:%Y-%m} is before the data starts ({frequency.label(first)}): {enough}. "
                          f"Use --as-of {earliest:%Y-%m} or later.")
    return DataError(f"only {frequency.count_of(held)} of data up to {as_of:%Y-%m} (from {frequency.label(first)}): "
                     f"{enough}. Use --as-of {earliest:%Y-%m} or later.")


def _needs(keys: list[Key], resolved) -> list[Key]:
    """The milestones' series, and a scenario's targets with their categories force-wide."""
    return list(dict.fromkeys([*keys, *(driver_needs(resolved) if resolved is not None else [])]))


def _same_data(scenario: Scenario, counts: pd.DataFrame) -> None:
    """The scenario's data is the milestones' (one force taken out of a dataset of several is still that dataset)."""
    source = str(counts.attrs.get("source", ""))
    if scenario.base.data != source_read(counts):
        raise UsageError(f"the scenario {scenario.source} uses data '{scenario.base.data}' but the milestones use "
                         f"'{source}'. Pass {data_option(scenario.base.data)} {scenario.base.data}, or change the scenario's base.data.")


def _scenario_on_rates(scenario: Scenario, counts: pd.DataFrame) -> None:
    """A scenario beside a plan of rate milestones on a dataset of rates only, checked as on counts: its data, then its
    drivers' categories, which a dataset with no counts never holds (drivers change counts)."""
    _same_data(scenario, counts)
    if scenario.drivers:
        driver = scenario.drivers[0]
        rates = rates_for(counts)
        held = ", ".join(sorted(set(rates["category"]))) if rates is not None else "none"
        raise ScenarioError(f"{scenario.where.get(driver.label, scenario.source)}.category: "
                            f"{counts.attrs.get('source', 'the data')} holds rate series only ({held}) and no counts, "
                            f"and a scenario's drivers change counts: '{', '.join(driver.category)}' would change nothing. "
                            "Leave out --scenario, or assess the plan on a dataset of counts.")


def milestone_spec(plan: Plan, scenario: Scenario | None = None, **options) -> ForecastSpec:
    """The forecast settings of an assessment: the scenario's (not its as_of or horizon), else the plan's, else the defaults; then ``options`` given (``None``: not given)."""
    if scenario is not None:
        base = scenario.base.forecast_spec().model_copy(update={"as_of": None, "horizon": None})
    else:
        base = plan.forecast or ForecastSpec()
    return base.updated(**options)


# ---------------------------------------------------------------- one milestone

def _previous_total(history: pd.Series, start: int, frequency: Frequency = MONTHLY) -> float:
    previous = history.reindex(financial_year_periods(start - 1, frequency))
    return float(previous.sum()) if previous.notna().all() else float("nan")


def _pending_year_before(known: pd.Series, start: int, as_of: pd.Timestamp, frequency: Frequency) -> pd.DatetimeIndex:
    """The periods of the year before ``start`` still to come at ``as_of``, when every period before them is known.

    Non-empty when next year is planned from data inside (or before) the
    year before: that year's total is then read off the same paths as the
    year planned, its known periods actual. Empty when the year before is
    complete, or has a gap in its known periods (then it has no total).
    """
    periods = financial_year_periods(start - 1, frequency)
    pending, past = periods[periods > as_of], periods[periods <= as_of]
    if not len(pending) or known.reindex(past).isna().any():
        return periods[:0]
    return pending


def _thresholds(milestone: Milestone, bases: dict[str, np.ndarray]) -> dict[str, np.ndarray | float]:
    """Per path: the count a milestone allows against each path's own year before (a count target: that count)."""
    if milestone.count is not None:
        return {name: milestone.count for name in bases}
    return {name: (1 + milestone.target) * base for name, base in bases.items()}


def _threshold(milestone: Milestone, last_year: float, where: str) -> float:
    if milestone.count is not None:
        return milestone.count
    if not last_year == last_year:
        raise ScenarioError(f"{where}: a change target needs the whole year before ({milestone.year}'s previous year) "
                            "in the data. Give a count target instead, or more history.")
    return (1 + milestone.target) * last_year


def _cumulative(months: pd.DatetimeIndex, observed: pd.Series, forecasts: dict[str, ForecastResult],
                target_path: np.ndarray, outcome: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame({"month": months, "actual": observed.reindex(months).cumsum().to_numpy(dtype=float),
                          "trajectory": target_path, "outcome": outcome.reindex(months).cumsum().to_numpy(dtype=float)})
    done = float(observed.reindex(months).fillna(0).sum())
    for name, result in forecasts.items():
        ahead = result.paths[:, result.months.isin(months)]
        cumulative = done + np.cumsum(ahead, axis=1)
        pad = len(months) - ahead.shape[1]
        for label, values in (("lo80", np.quantile(cumulative, 0.1, axis=0)), ("mean", cumulative.mean(axis=0)),
                              ("hi80", np.quantile(cumulative, 0.9, axis=0))):
            frame[f"{name}_{label}"] = np.concatenate([np.full(pad, np.nan), values])
    return frame


def _assess_one(milestone: Milestone, key: Key, *, counts: pd.DataFrame, as_of: pd.Timestamp, paths: dict,
                model: str, where: str, scenario_changes: bool = False) -> Assessment:
    start = parse_financial_year(milestone.year)
    frequency = frequency_of(counts)
    months = financial_year_periods(start, frequency)
    history = series_of(counts, category=key[0], area=key[1])
    forecasts = {name: series_result(p, counts, *key, as_of=as_of, model=model) for name, p in paths.items()}
    left_out = forecasts["baseline"].compared_without(start)
    if left_out:  # like with like: a part whose counts stop adds 0 to the year, so it is left out of both years
        history = without(history, left_out)
        forecasts = {name: f.compared(start) for name, f in forecasts.items()}
    known = history.loc[:as_of]
    pending = _pending_year_before(known, start, as_of, frequency)
    if len(pending):  # planning next year mid-year: the year before is partly forecast, on the same paths
        bases = {name: f.year_total_paths(start - 1) for name, f in forecasts.items()}
        thresholds = _thresholds(milestone, bases)
        last_year = float(np.median(bases["baseline"]))  # its expected total: the median path's, as run gives it
        threshold = float(np.median(thresholds["baseline"]))
    else:
        last_year = _previous_total(known, start, frequency)
        threshold = _threshold(milestone, last_year, where)
        bases, thresholds = {name: last_year for name in forecasts}, {name: threshold for name in forecasts}
    outlooks = {name: outlook(f.year_total_paths(start), last_year=bases[name], threshold=thresholds[name],
                              direction=milestone.direction) for name, f in forecasts.items()}
    observed_months = months[months <= as_of]
    effects = fit_month_effects(known)
    profile = np.ones(len(months)) if effects is None else effects.reindex(months.month).to_numpy()
    target_path = trajectory(threshold, profile)
    ytd_actual = float(known.reindex(observed_months).sum())
    ytd_test = None
    if len(observed_months):
        same_months_before = known.reindex(observed_months - pd.DateOffset(years=1))
        if same_months_before.notna().all():
            ytd_test = poisson_e_test(ytd_actual, float(same_months_before.sum()))
    full_year = history.reindex(months)
    outcome_known = bool(full_year.notna().all() and months[-1] > as_of)
    return Assessment(
        milestone=milestone, category=key[0], area=key[1], year_start=start, last_year=last_year, threshold=threshold,
        baseline=outlooks["baseline"], scenario=outlooks.get("scenario"),
        months_observed=len(observed_months) * frequency.months_per_period,
        ytd_actual=ytd_actual, ytd_trajectory=float(target_path[len(observed_months) - 1]) if len(observed_months) else 0.0,
        ytd_test=ytd_test, outcome=float(full_year.sum()) if outcome_known else None,
        cumulative=_cumulative(months, known.reindex(observed_months), forecasts, target_path,
                               full_year if outcome_known else pd.Series(dtype=float)),
        frequency=frequency, scenario_changes=scenario_changes, last_year_forecast=tuple(pending),
        compared_without=left_out, whole_title=whole_title(counts.attrs),
    )


def partly_forecast_note(assessments: list[Assessment]) -> list[str]:
    """Say, once per year planned, that the year before is not complete: which months are actual, which forecast."""
    notes = {}
    for a in assessments:
        if not a.last_year_partly_forecast or a.year in notes:
            continue
        previous = financial_year_periods(a.year_start - 1, a.frequency)
        first_forecast, end = a.last_year_forecast[0], a.frequency.period_end_month(previous[-1])
        before = financial_year_label(a.year_start - 1)
        if first_forecast > previous[0]:
            how = (f"is partly forecast ({previous[0]:%b %Y} to {first_forecast - pd.DateOffset(months=1):%b %Y} are "
                   f"actual and {first_forecast:%b %Y} to {end:%b %Y} forecast")
        else:
            how = f"has not begun: it is forecast in full ({first_forecast:%b %Y} to {end:%b %Y}"
        notes[a.year] = (
            f"{a.year} is planned before {before} is complete: {before}, the year its change targets are measured "
            f"on, {how}, on the same sample paths as {a.year}). 'Last year' is its expected total; P(meet) and the "
            f"changes met with 50/70/90% compare each path's {a.year} with the same path's {before}, so they allow for "
            "the uncertainty of the year before.")
    return list(notes.values())


def filled_note(assessments: list[Assessment], counts: pd.DataFrame) -> list[str]:
    """Name the periods filled in by interpolation (not recorded) inside a count milestone's year or the year before."""
    named = []
    for a in assessments:
        shown = filled_in_years(counts, category=a.category, area=a.area, start_year=a.year_start,
                                frequency=a.frequency) if a.unit == "count" else ""
        if shown:
            named.append(f"{a.category} / {a.area} {shown}")
    if not named:
        return []
    return [f"{assessments[0].frequency.noun}s filled in by interpolation, not recorded, inside the years planned: "
            f"{'; '.join(dict.fromkeys(named))}. Last year's total, the year to date and the outcome rest partly on "
            "those estimates where they include them."]


def compared_without_note(assessments: list[Assessment]) -> list[str]:
    """Say, once, which totals' changes leave out parts whose counts stop, in both years (like with like)."""
    return compared_note(((a.key, part) for a in assessments for part in a.compared_without),
                         name_areas=len({a.area for a in assessments}) > 1)


# ---------------------------------------------------------------- the plan

def _without_failed(full_plan: Plan, plan: Plan, keys: list, baseline: Panel) -> tuple[Plan, Plan, list]:
    """The plans (whole, and its count part) and keys without the milestones whose series ``baseline`` could not
    forecast, and a note naming them with run's reasons (``forecast run`` lists the same series as not forecast);
    every one failing is an error with those reasons."""
    from crimecast.forecast.run import series_failure

    failed = [series_failure(baseline, *key) for key in dict.fromkeys(keys) if not baseline.has(*key)]
    if not failed:
        return full_plan, plan, keys
    grouped: dict[str, list[str]] = {}
    for f in failed:  # one reason (run's wording) once, after every series it holds for
        grouped.setdefault(f.why.rstrip(".") + ".", []).append(f.label)
    reasons = " ".join(f"{', '.join(labels)}: {why}" for why, labels in grouped.items())
    if len(failed) == len(set(keys)):
        raise DataError(f"no series asked for could be forecast. {reasons}")
    gone = {(f.category, f.area) for f in failed}
    dropped = {id(m) for m, key in zip(plan.milestones, keys) if key in gone}
    one = len(failed) == 1
    note = (f"{len(failed)} series could not be forecast, so {'its milestone is' if one else 'their milestones are'} "
            f"left out (the others are done). {reasons}")

    def kept(m: Milestone) -> bool:
        return id(m) not in dropped

    return (full_plan.keeping(kept), dataclasses.replace(plan.keeping(kept), notes=(*plan.notes, note)),
            [key for key in keys if key not in gone])


def assess_milestones(counts: pd.DataFrame, plan: Plan, *, spec: ForecastSpec | None = None,
                      scenario: Scenario | None = None, saved: Panel | None = None, against: Panel | None = None,
                      rates: pd.DataFrame | None = None, jobs: int = 1,
                      progress: Progress | None = None) -> MilestoneReport:
    """Probability of meeting each milestone of a plan, with recommended targets and year to date.

    Parameters
    ----------
    counts
        The data with totals (``with_totals``).
    plan
        From :func:`crimecast.scenarios.plan.load_plan` or ``single_milestone``.
    spec
        The forecast settings (default: :func:`milestone_spec`). Its
        ``as_of`` is the last observed month used. Default: the month before the (first)
        year when the data already holds the whole year (a replay), else
        the last month of data. For quarterly data it must end a quarter. Inside the year this is in-year assurance:
        the forecast is refitted to the months observed (see the module
        docstring for why a refit rather than conditioning). Its
        ``horizon`` is ignored: the forecast runs to the end of the plan's last year.
    scenario
        Drivers applied to the same paths; each milestone then has a
        scenario outlook beside the baseline.
    saved
        A saved forecast to read instead of forecasting; it must start
        from the same month as the assessment.
    against
        The forecast saved at the start of the milestones' year: the year so
        far is also set against it (``MilestoneReport.against``, see
        :mod:`crimecast.scenarios.against`), beside the refitted assessment.
    rates
        The counts' rate series (:func:`crimecast.data.rates.rates_for`) when
        read already; else they are read when the plan has rate milestones.
        The report keeps them (``MilestoneReport.rates``).
    jobs, progress
        Worker processes, and a callback per series forecast.

    Raises
    ------
    ScenarioError
        A milestone for a series that does not exist, or a change target
        without the previous year in the data.
    UsageError
        ``as_of`` in the future, before a milestone's year or after it,
        or inside a quarter of quarterly data (the nearest quarter ends named).
    DataError
        A saved forecast from another month, too short, or without a series needed; an ``against`` forecast
        that does not start at the start of the year or lacks a series.
    """
    spec = spec or milestone_spec(plan, scenario)
    full_plan, plan = plan, count_part(plan)  # rate milestones are assessed on their rate series
    if not plan.milestones:
        if against is not None:
            raise UsageError("--against reads a saved forecast of counts, and the plan has only rate milestones.")
        if scenario is not None:
            _scenario_on_rates(scenario, counts)
        report = rate_only_report(counts, full_plan, spec=spec, scenario=scenario, rates=rates)
        if saved is not None:
            report.notes.append(rates_afresh_note(report))
        return report
    force = counts.attrs.get("force_name") or ""  # messages name the whole of one force taken out of several by it
    keys = [_resolve_milestone(counts, m, plan.where(i, force=force), in_file=plan.from_file,
                               area_where=plan.where_area(i, force=force))
            for i, m in enumerate(plan.milestones)]
    years, as_of, cut, horizon = _timing(counts, plan, spec)
    frequency = frequency_of(counts)
    resolved = None
    if scenario is not None:
        _same_data(scenario, counts)
        resolved = resolve_scenario(scenario_at(scenario, as_of=as_of, horizon=horizon), counts)
    needs = _needs(keys, resolved)
    if against is not None:  # before any forecasting: a saved forecast that cannot serve is refused at once
        from crimecast.scenarios.against import check_against

        check_against(against, keys, years=years, frequency=frequency, as_of=cut)
    if saved is not None:
        if saved.as_of < cut:
            saved_to, wanted = (f"{frequency.period_end_month(m):%Y-%m}" for m in (saved.as_of, cut))
            raise DataError(f"the saved forecast '{saved.saved}' is from the data to {saved_to} but the plan needs a "
                            f"forecast from the data to {wanted}. To set the year so far against a forecast saved earlier, "
                            f"pass it as --against {saved.saved}; to reuse one, save it with the data to {wanted} "
                            f"(`{saved.save_command(periods=horizon, as_of=cut)}`).")
        baseline = saved.for_request(needs, as_of=cut, periods=horizon, what="the plan",
                                      said_stopped=frozenset(plan.left_out))
        baseline.notes.append(f"forecast read from the saved forecast '{saved.saved}' ({saved.spec.describe()}), not refitted.")
        spec = saved.spec
    else:
        baseline = forecast_panel(counts, spec=spec, needs=needs, as_of=cut, horizon=horizon, jobs=jobs,
                                  progress=progress, said_stopped=frozenset(plan.left_out),
                                  keep_going=plan.carry_on and resolved is None)
        if baseline.failures:  # reached through ``all``: what could not be forecast is left out, as run lists it
            full_plan, plan, keys = _without_failed(full_plan, plan, keys, baseline)
    paths = {"baseline": baseline.paths}
    applied = None
    if resolved is not None:
        applied = apply_drivers(baseline.paths, resolved.drivers, seed=scenario.base.seed)
        paths["scenario"] = applied.paths
    base = spec.model_copy(update={"as_of": f"{as_of:%Y-%m}"})
    assessments = [_assess_one(m, key, counts=counts, as_of=cut, paths=paths, model=spec.model,
                               where=plan.where(i, force=force),
                               scenario_changes=applied is not None and applied.changes(*key))
                   for i, (m, key) in enumerate(zip(plan.milestones, keys))]
    data = {k: counts.attrs.get(k) for k in ("source", "illustrative", "notice")}
    report = MilestoneReport(plan=plan, as_of=as_of, base=base, assessments=assessments,
                             scenario_name=scenario.name if scenario else None,
                             notes=list(plan.notes) + _read_as_notes(counts, plan) + partly_forecast_note(assessments)
                             + filled_note(assessments, counts)
                             + list(baseline.notes) + compared_without_note(assessments), data=data,
                             drivers=resolved.drivers if resolved is not None else ())
    report = with_rate_milestones(report, full_plan, counts, rates=rates)
    if counts.attrs.get("force_name"):  # one force of several, forecast as the whole: called by its own name
        report = named_force(report, counts.attrs["force_name"])
    report.notes[:0] = quiet_note(report.assessments)  # first: it says how to read P(meet)
    if saved is not None and len(report.assessments) > len(assessments):
        report.notes.append(rates_afresh_note(report))
    if against is not None:
        from crimecast.scenarios.against import against_saved

        report.against = against_saved(report, against)
    return report

"""Milestones on rate series ("at least 88% satisfied"): P(meet), recommended targets, outcome.

A rate milestone is judged on the financial year's rate (sum satisfied /
sum surveyed, April to March) or on the rolling 12-month rate at the year's
end (``basis``); at a financial year's end the two windows are the same
twelve months, and the output names the one the plan chose. The paths come
from :func:`crimecast.forecast.rates.forecast_rate` (logit local level with
binomial sampling of the surveys), fitted to the months up to ``as_of``.
Recommended targets are rates: the rate met with probability 50%, 70% and 90%.
Scenario drivers act on counts, so a scenario leaves rate milestones unchanged.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from crimecast.forecast.spec import ForecastSpec

from crimecast.data.calendar import financial_year_months, parse_financial_year, planning_as_of
from crimecast.data.frequency import MONTHLY
from crimecast.data.rate_words import words_of
from crimecast.data.rates import rate_series, rates_for
from crimecast.errors import DataError, ScenarioError, UsageError
from crimecast.forecast.rates import MIN_MONTHS, forecast_rate
from crimecast.scenarios.assessment import Assessment, MilestoneReport, Outlook, read_outlook
from crimecast.scenarios.milestones import recommended_levels
from crimecast.scenarios.plan import Milestone, Plan

RATE = "rate"


def is_rate_milestone(milestone: Milestone) -> bool:
    return milestone.rate is not None


def count_part(plan: Plan) -> Plan:
    """The plan without its rate milestones (assessed on counts as before)."""
    return plan.keeping(lambda m: not is_rate_milestone(m))


def rate_outlook(rates: np.ndarray, *, last_year: float, threshold: float, direction: str) -> Outlook:
    """A rate milestone read off simulated window rates; ``expected_change`` is in points (fractions)."""
    rates = np.asarray(rates, dtype=float)
    return read_outlook(rates, threshold=threshold, direction=direction,
                        change=float(rates.mean() - last_year) if last_year == last_year else float("nan"),
                        recommended=recommended_levels(rates, direction=direction))


def _window_rate(series: pd.DataFrame, months: pd.DatetimeIndex) -> float:
    chosen = series.reindex(months)
    if chosen["denominator"].isna().any():
        return float("nan")
    return float(chosen["numerator"].sum() / chosen["denominator"].sum())


def _cumulative(months: pd.DatetimeIndex, known: pd.DataFrame, forecast, threshold: float,
                outcome: pd.DataFrame | None) -> pd.DataFrame:
    """Month by month: the year's rate so far (actual, outcome) and the forecast's cumulative rate (80% band)."""
    observed = known.reindex(months)
    done_x, done_n = observed["numerator"].fillna(0).cumsum(), observed["denominator"].fillna(0).cumsum()
    actual = (done_x / done_n).where(observed["denominator"].notna())
    frame = pd.DataFrame({"month": months, "actual": actual.to_numpy(), "trajectory": threshold})
    frame["outcome"] = (outcome["numerator"].cumsum() / outcome["denominator"].cumsum()).to_numpy() \
        if outcome is not None else np.nan
    ahead = np.isin(forecast.months, months)
    base_x, base_n = float(observed["numerator"].fillna(0).sum()), float(observed["denominator"].fillna(0).sum())
    rates = (base_x + np.cumsum(forecast.paths[:, ahead], axis=1)) / (base_n + np.cumsum(forecast.denominators[ahead]))
    pad = len(months) - rates.shape[1]
    for label, values in (("lo80", np.quantile(rates, 0.1, axis=0)), ("mean", rates.mean(axis=0)),
                          ("hi80", np.quantile(rates, 0.9, axis=0))):
        frame[f"baseline_{label}"] = np.concatenate([np.full(pad, np.nan), values])
    return frame


def assess_rate_milestone(milestone: Milestone, rates: pd.DataFrame, *, as_of: pd.Timestamp, n_paths: int, seed: int,
                          where: str, with_scenario: bool = False) -> Assessment:
    """One rate milestone assessed from the months up to ``as_of``.

    Raises
    ------
    ScenarioError
        A series not in the rates, or too little history before ``as_of``.
    """
    try:
        series = rate_series(rates, category=milestone.category, area=milestone.area)
    except DataError as error:
        raise ScenarioError(f"{where}: {error}") from None
    start = parse_financial_year(milestone.year)
    months = financial_year_months(start)
    known = series.loc[:as_of]
    if len(known) < MIN_MONTHS:
        raise ScenarioError(f"{where}: only {MONTHLY.count_of(len(known))} of {series.attrs['category']} up to {as_of:%Y-%m}; "
                            f"a rate milestone needs at least {MIN_MONTHS}.")
    horizon = max(len(pd.date_range(known.index[-1], months[-1], freq="MS")) - 1, 1)
    forecast = forecast_rate(known, horizon=horizon, n_paths=n_paths, seed=seed,
                             category=series.attrs["category"], area=series.attrs["area"])
    paths = forecast.window_rate_paths(months)
    previous = financial_year_months(start - 1)
    recorded = previous[known.reindex(previous)["denominator"].notna().to_numpy()]  # not all when planning mid-year
    last_year = _window_rate(known, recorded) if len(recorded) else float("nan")
    baseline = rate_outlook(paths, last_year=last_year, threshold=milestone.rate, direction=milestone.direction)
    observed = months[months <= as_of]
    full_year = series.reindex(months)
    outcome_known = bool(full_year["denominator"].notna().all() and months[-1] > as_of)
    return Assessment(
        milestone=milestone, category=series.attrs["category"], area=series.attrs["area"], year_start=start,
        last_year=last_year, last_year_recorded=len(recorded), threshold=milestone.rate, baseline=baseline,
        scenario=baseline if with_scenario else None,
        months_observed=len(observed), ytd_actual=_window_rate(known, observed) if len(observed) else 0.0,
        ytd_trajectory=milestone.rate if len(observed) else 0.0, ytd_test=None,
        outcome=_window_rate(series, months) if outcome_known else None,
        cumulative=_cumulative(months, known, forecast, milestone.rate, full_year if outcome_known else None),
        unit=RATE, rate_words=words_of(series),
    )


def _rates_or_error(counts: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    rates = rates_for(counts)
    if rates is None:
        first = next(i for i, m in enumerate(plan.milestones) if is_rate_milestone(m))
        label = f" ({plan.milestones[first].label})" if plan.from_file else ""
        raise ScenarioError(f"{plan.where(first, force=counts.attrs.get('force_name') or '')}{label} is a rate milestone, but "
                            f"{counts.attrs.get('source', 'the data')} has no rate series. Import them with `forecast data "
                            "import csv FILE --numerator-col ... --denominator-col ... --name NAME` and use --dataset NAME.")
    return rates


def rate_milestone_seed(seed: int, *, index: int) -> int:
    """The seed of the rate milestone at ``index`` in its plan: the forecast's seed plus its place, so each differs."""
    return seed + index


def with_rate_milestones(report: MilestoneReport, plan: Plan, counts: pd.DataFrame, *,
                         rates: pd.DataFrame | None = None) -> MilestoneReport:
    """The report of the count milestones with the plan's rate milestones assessed and put back in plan order.

    ``rates`` are the counts' rates (:func:`crimecast.data.rates.rates_for`) when already read; else they are read.
    The report keeps them (``MilestoneReport.rates``) for what is drawn of them, so they are read once.
    """
    if not any(is_rate_milestone(m) for m in plan.milestones):
        return report
    read = _rates_or_error(counts, plan) if rates is None else rates
    last = counts["month"].max()
    # counts cut at a month (a Board pack's as-of): no survey after it is read either
    rates = read[read["month"] <= last] if read["month"].max() > last else read
    counted = iter(report.assessments)
    assessments = []
    for index, milestone in enumerate(plan.milestones):
        if is_rate_milestone(milestone):
            assessments.append(assess_rate_milestone(
                milestone, rates, as_of=report.as_of, n_paths=report.base.paths,
                seed=rate_milestone_seed(report.base.seed, index=index),
                where=plan.where(index, force=counts.attrs.get("force_name") or ""),
                with_scenario=report.scenario_name is not None))
        else:
            assessments.append(next(counted))
    notes = list(report.notes)
    if report.scenario_name is not None:
        notes.append(f"the scenario's drivers act on counts: rate milestones ({words_of(rates).name}) are shown "
                     "unchanged under it.")
    return dataclasses.replace(report, plan=plan, assessments=assessments, notes=notes, rates=read)


def rates_afresh_note(report: MilestoneReport) -> str:
    """Why a saved forecast did not serve the rate milestones, in their own words ("(satisfaction)", "(dwelling /
    burglaries)")."""
    words = next(a.rate_words for a in report.assessments if a.rate_words is not None)
    return (f"the rate milestones ({words.name}) are forecast afresh from their {words.series} series: a saved "
            "forecast holds counts only.")


def rate_only_report(counts: pd.DataFrame, plan: Plan, *, spec: ForecastSpec, scenario=None,
                     rates: pd.DataFrame | None = None) -> MilestoneReport:
    """A plan of rate milestones only (e.g. on a stored dataset of rates, which has no counts); ``rates`` as for
    :func:`with_rate_milestones`."""
    rates = _rates_or_error(counts, plan) if rates is None else rates
    years = sorted({parse_financial_year(m.year) for m in plan.milestones})
    last = rates["month"].max()
    as_of = spec.as_of_month if spec.as_of_month is not None else planning_as_of(years[0], last)
    if as_of > last:
        raise UsageError(f"--as-of {as_of:%Y-%m} is after the last month of the rates ({last:%Y-%m}). Use {last:%Y-%m} or earlier.")
    empty = MilestoneReport(plan=plan, as_of=as_of, base=spec.model_copy(update={"as_of": f"{as_of:%Y-%m}"}), assessments=[],
                            scenario_name=scenario.name if scenario else None,
                            data={k: rates.attrs.get(k) for k in ("source", "illustrative", "notice")})
    return with_rate_milestones(empty, plan, counts, rates=rates)

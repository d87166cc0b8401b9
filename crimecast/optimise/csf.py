"""The Community Safety Fund: baseline crime per recipient, response curves, and the answers a finance officer needs.

Baseline crime is each recipient's forecast for the next financial year (a
district, or the force as a whole), optionally under a scenario. A curve says
what spend buys: ``max_reduction x weighted baseline x s / (s + half)`` with
``half = half_spend_per_crime x baseline crimes`` (S-shaped when
``steepness`` > 1). The central allocation uses each parameter's mean; the
uncertainty analysis draws the parameters per sample.
"""

from __future__ import annotations

import dataclasses
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crimecast.data.calendar import financial_year_label, financial_year_periods, financial_year_start
from crimecast.data.frequency import Frequency, frequency_of, last_complete_period
from crimecast.data.series import FORCE_AREA, force_named_in, names_the_whole, resolve_area, resolve_category
from crimecast.data.slugs import area_label
from crimecast.errors import DataError, FundFileError, InfeasibleError, UsageError
from crimecast.forecast.parallel import Progress
from crimecast.forecast.panel import Panel, forecast_panel, series_result
from crimecast.forecast.spec import ForecastSpec
from crimecast.optimise.allocate import (AllocationSpec, Allocation, Limit, Recipient, Scheme, allocate, build_problem,
                                         initial_points, warm_points, with_budget)
from crimecast.optimise.assumptions import CsfAssumptions
from crimecast.optimise.curves import ResponseCurve
from crimecast.optimise.model import GE, LE, SLIP_RATIO, money
from crimecast.optimise.solver import DEFAULT_SOLVER
from crimecast.optimise.weights import Weights, weights_for
from crimecast.scenarios.apply import apply_drivers
from crimecast.scenarios.resolve import driver_needs, resolve_scenario, scenario_at
from crimecast.scenarios.spec import Scenario, month_of

MARGINAL_STEP = 10_000.0
SAME_RATE = 0.05  # marginal values within 5% of the going rate count as "the same rate"


# ---------------------------------------------------------------- baseline crime

def _resolved_areas(counts: pd.DataFrame, assumptions: CsfAssumptions, source: str) -> dict[str, str]:
    """Each recipient's area in the data; the force taken out of several (``force_name``) is the whole, by name too."""
    areas = {}
    for key, recipient in assumptions.fund.recipients.items():
        try:
            areas[key] = FORCE_AREA if names_the_whole(counts, recipient.area) else resolve_area(counts, recipient.area)
        except DataError as error:
            raise FundFileError(f"{source}: fund.recipients.{key}.area: {error}") from None
    return areas


def districts_left_out(counts: pd.DataFrame, areas: dict[str, str]) -> tuple[str, ...]:
    """Districts of the data that no recipient's area is: the fund gives them nothing.

    Only where the fund is split by district (some recipient is a district)
    and the data's areas are parts of one force; the force-wide area is never
    counted as left out.
    """
    whole = counts.attrs.get("whole") or FORCE_AREA
    funded = set(areas.values())
    if counts.attrs.get("areas", "parts") != "parts" or not funded - {whole}:
        return ()
    return tuple(sorted(set(counts["area"]) - funded - {whole}))


def _categories(counts: pd.DataFrame, assumptions: CsfAssumptions, source: str) -> tuple[list[str], list[str]]:
    """The outcome categories as the data names them, and the notes on any read as another (``burglary``: once)."""
    out, notes = [], []
    for index, name in enumerate(assumptions.outcome.categories):
        try:
            slug, note = resolve_category(counts, name)
        except DataError as error:
            raise FundFileError(f"{source}: outcome.categories[{index}]: {error}") from None
        out.append(slug)
        notes.append(note)
    return out, list(dict.fromkeys(note for note in notes if note))


def fund_year_start(as_of: pd.Timestamp, frequency: Frequency) -> int:
    """The financial year the fund is allocated for: the first that starts after ``as_of`` (a period start).

    Data ending at a year end (March) gives the year after it; data ending
    inside a year gives the next whole year, not the one already under way
    (whose recorded months no allocation can change).
    """
    start = financial_year_start(frequency.next(as_of))
    return start if financial_year_periods(start, frequency)[0] > as_of else start + 1


def baseline_crime(counts: pd.DataFrame, assumptions: CsfAssumptions, *, source: str, scenario: Scenario | None = None,
                   saved: Panel | None = None, jobs: int = 1,
                   progress: Progress | None = None) -> tuple[pd.DataFrame, str, list[str]]:
    """Expected crimes next financial year per recipient and category (under the scenario, if given).

    Only the outcome categories in the recipients' areas are forecast (and a
    scenario's targets); ``saved`` is read instead of forecasting when given.

    Returns
    -------
    (table, financial_year, notes)
        ``recipient, area, category, expected``; the notes say first which outcome category is read as another
        (``'burglary' is read as burglary-dwelling.``), as every command does.
    """
    settings = assumptions.forecast
    frequency = frequency_of(counts)
    as_of = month_of(settings.as_of) if settings.as_of else frequency.period_end_month(counts["month"].max())
    data_end = frequency.period_end_month(counts["month"].max())
    if as_of > data_end:
        raise UsageError(f"{source}: forecast.as_of {as_of:%Y-%m} is after the data ends ({data_end:%Y-%m}).")
    as_of = last_complete_period(as_of, frequency, option=f"{source}: forecast.as_of")
    start = fund_year_start(as_of, frequency)
    horizon = len(frequency.between(frequency.next(as_of), financial_year_periods(start, frequency)[-1]))
    areas = _resolved_areas(counts, assumptions, source)
    categories, alias_notes = _categories(counts, assumptions, source)
    needs = [(category, area) for area in dict.fromkeys(areas.values()) for category in categories]
    resolved = None
    if scenario is not None:
        resolved = resolve_scenario(scenario_at(scenario, as_of=as_of, horizon=horizon), counts)
        needs += driver_needs(resolved)
    if saved is not None:
        baseline = saved.for_request(needs, as_of=as_of, periods=horizon, what=f"the fund in {source}")
        baseline.notes.append(f"baseline crime read from the saved forecast '{saved.saved}' ({saved.spec.describe()}), "
                              "not refitted; the file's forecast settings are not used.")
    else:
        baseline = forecast_panel(counts, spec=settings.forecast_spec(), needs=needs, as_of=as_of, horizon=horizon,
                                  jobs=jobs, progress=progress)
    paths = baseline.paths
    if resolved is not None:
        paths = apply_drivers(paths, resolved.drivers, seed=scenario.base.seed).paths
    rows = []
    for key, area in areas.items():
        for category in categories:
            result = series_result(paths, counts, category, area, as_of=as_of, model=baseline.spec.model)
            rows.append({"recipient": key, "area": area, "category": category,
                         "expected": float(result.year_total_paths(start).mean())})
    return pd.DataFrame(rows), financial_year_label(start), [*alias_notes, *baseline.notes]


# ---------------------------------------------------------------- curves and the spec

def _draws(assumptions: CsfAssumptions, key: str, n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(key.encode("utf-8"))]))
    return {name: value.sample(rng, n) for name, value in assumptions.response_for(key).items()}


def _curve(max_reduction: float, half_per_crime: float, steepness: float, *, crimes: float, weighted: float) -> ResponseCurve:
    return ResponseCurve(ceiling=max(max_reduction, 0.0) * weighted, half_spend=max(half_per_crime, 1e-9) * max(crimes, 1e-9),
                         steepness=max(steepness, 0.1))


def curves_for(assumptions: CsfAssumptions, baselines: pd.DataFrame, weights: Weights, *,
               samples: int | None = None) -> tuple[dict[str, ResponseCurve], ...]:
    """Central curves (parameter means), or ``samples`` sets of drawn curves."""
    totals = baselines.groupby("recipient")["expected"].sum()
    weighted = (baselines.assign(w=baselines["category"].map(weights.of)).eval("expected * w")
                .groupby(baselines["recipient"]).sum())
    keys = list(assumptions.fund.recipients)
    if samples is None:
        central = {}
        for key in keys:
            params = assumptions.response_for(key)
            central[key] = _curve(params["max_reduction"].mean, params["half_spend_per_crime"].mean,
                                  params["steepness"].mean, crimes=totals[key], weighted=weighted[key])
        return (central,)
    draws = {key: _draws(assumptions, key, samples, assumptions.uncertainty.seed) for key in keys}
    return tuple({key: _curve(draws[key]["max_reduction"][s], draws[key]["half_spend_per_crime"][s],
                              draws[key]["steepness"][s], crimes=totals[key], weighted=weighted[key]) for key in keys}
                 for s in range(samples))


def previous_year(year: str) -> str:
    """``"2014/15"`` -> ``"2013/14"``."""
    return financial_year_label(int(year[:4]) - 1)


def _limits(key: str, label: str, recipient, change_limit: float | None, last_label: str) -> tuple[Limit, ...]:
    last = recipient.last_year
    limits = []
    if change_limit is not None:
        limits.append(Limit("change-down", GE, (1 - change_limit) * last,
                            f"{label}: at most {change_limit:.0%} below {last_label} (at least {money((1 - change_limit) * last)})", "change"))
        limits.append(Limit("change-up", LE, (1 + change_limit) * last,
                            f"{label}: at most {change_limit:.0%} above {last_label} (at most {money((1 + change_limit) * last)})", "change"))
    for name, sense, bound, word in (("floor", GE, recipient.floor, "at least"), ("ceiling", LE, recipient.ceiling, "at most")):
        if bound is None:
            continue
        kind, number = bound
        amount = number * last if kind == "share" else number
        why = f" ({number:.0%} of {last_label})" if kind == "share" else ""
        limits.append(Limit(name, sense, amount, f"{label} {name}: {word} {money(amount)}{why}", name))
    return tuple(limits)


def _shares(assumptions: CsfAssumptions, baselines: pd.DataFrame, weights: Weights, areas: dict[str, str]) -> dict | None:
    fairness = assumptions.constraints.fairness
    if fairness is None:
        return None
    districts = [k for k, a in areas.items() if a != FORCE_AREA]
    if fairness.basis == "population":
        values = {k: assumptions.fund.recipients[k].population for k in districts}
        if any(v is None for v in values.values()):
            missing = [k for k, v in values.items() if v is None]
            raise FundFileError(f"constraints.fairness.basis is population but fund.recipients.{missing[0]}.population "
                                "is missing. Add populations, or use basis: crime.")
    else:
        table = baselines if fairness.basis == "crime" else baselines.assign(
            expected=baselines["expected"] * baselines["category"].map(weights.of))
        values = table.groupby("recipient")["expected"].sum().reindex(districts).to_dict()
    total = sum(values.values())
    return {k: v / total for k, v in values.items()}


def _schemes(assumptions: CsfAssumptions, weights: Weights) -> tuple[Scheme, ...]:
    schemes = []
    for index, option in enumerate(assumptions.schemes.options):
        payback = option.cost / option.savings_per_year if option.savings_per_year else None
        benefit = option.crimes_prevented * weights.of(option.category)
        schemes.append(Scheme(key=f"s{index}", label=option.name, cost=option.cost, benefit=benefit, payback_years=payback))
    return tuple(schemes)


def build_spec(assumptions: CsfAssumptions, baselines: pd.DataFrame, weights: Weights, *, budget: float | None = None,
               samples: int | None = None, fix_last_year: bool = False, last_year_label: str | None = None) -> AllocationSpec:
    """The allocation problem as numbers: recipients and limits, curves, budget, fairness, schemes.

    ``last_year_label`` names the year of the recipients' ``last_year``
    allocations in descriptions (default: the file's ``fund.last_year_label``,
    else "last year").
    """
    constraints = assumptions.constraints
    last_label = last_year_label or assumptions.fund.last_year_label or "last year"
    areas = dict(zip(baselines["recipient"], baselines["area"]))
    recipients = []
    for key, recipient in assumptions.fund.recipients.items():
        label = recipient.label or area_label(key)
        recipients.append(Recipient(key=key, label=label, last_year=recipient.last_year,
                                    limits=_limits(key, label, recipient, constraints.change_limit, last_label),
                                    fixed=recipient.last_year if fix_last_year else None))
    protected = constraints.protected
    return AllocationSpec(
        recipients=tuple(recipients), curves=curves_for(assumptions, baselines, weights, samples=samples),
        budget=budget or assumptions.fund.budget, reserve=assumptions.fund.reserve,
        schemes=_schemes(assumptions, weights), payback_limit=assumptions.schemes.payback_limit_years,
        shares=_shares(assumptions, baselines, weights, areas),
        fairness_band=constraints.fairness.band if constraints.fairness else None,
        share_basis=constraints.fairness.basis if constraints.fairness else "",
        protected_key=protected.recipient if protected else None, protected_share=protected.share if protected else None,
        measure=assumptions.uncertainty.measure, cvar_alpha=assumptions.uncertainty.cvar_alpha, unit=weights.unit,
    )


# ---------------------------------------------------------------- the answers

@dataclass(frozen=True)
class GainSpread:
    """How the gain over last year's split varies across sampled response curves.

    The optimal (central) plan and last year's split are both scored on each
    sampled set of curves: the spread says whether the gain survives the
    curves' own uncertainty.
    """

    samples: int
    median: float
    p10: float
    p90: float
    share_negative: float


@dataclass
class CsfResult:
    """The optimal split and everything a finance officer asks of it.

    Attributes
    ----------
    table
        Per recipient: last year's and the optimal allocation, change,
        outcome under each, what the next £10,000 buys, whether a limit holds
        it, why it gets what it gets (a sentence), and the robust
        (uncertainty) allocation with the 80% range of its share.
    binding
        Constraints that hold the plan back and what each costs (outcome
        gained by solving again without it), with the tolerance of that price.
    budget_curve
        The fund's outcome (schemes excluded, as in the headline) as the
        budget sweeps; infeasible budgets say why.
    schemes
        Invest-to-save options: cost, benefit, payback, chosen or why not.
    reproduction
        Last year's allocation solved as a constraint: it must come back exactly.
    gain_spread
        The gain over last year's split across the sampled curve sets.
    left_out
        Districts of the data with no recipient in the fund file (they get nothing).
    last_year_breaks
        The share limits last year's split breaks, in words (:func:`last_year_breaks`):
        ``reproduction`` is solved without them.
    """

    name: str
    source: str
    year: str
    weights: Weights
    baselines: pd.DataFrame
    spec: AllocationSpec
    optimal: Allocation
    table: pd.DataFrame
    binding: pd.DataFrame
    budget_curve: pd.DataFrame
    schemes: pd.DataFrame
    reproduction: Allocation
    robust: Allocation
    seconds: dict[str, float]
    samples: int = 0
    notes: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    gain_spread: GainSpread | None = None
    scenario: str | None = None
    last_year_label: str = ""
    going_rate: float = float("nan")
    assumptions: CsfAssumptions | None = None
    left_out: tuple[str, ...] = ()
    last_year_breaks: tuple[str, ...] = ()
    forecast: ForecastSpec | None = None  # the baseline crime forecast's settings (the file's, or a saved forecast's)

    @property
    def gain(self) -> float:
        """Outcome of the optimal split minus last year's split (fund only, not schemes)."""
        return float(self.table["optimal_outcome"].sum() - self.table["last_year_outcome"].sum())

    @property
    def moved(self) -> float:
        """Pounds that change hands between recipients."""
        return float((self.table["optimal"] - self.table["last_year"]).abs().sum() / 2)


THIN_SPEND = 0.01  # a fund giving every recipient under this share of its curve's half-spend buys almost nothing


def thin_fund_note(spec: AllocationSpec, optimal: Allocation) -> str | None:
    """A sentence when every recipient gets under 1% of the spend that buys half its curve's ceiling (its
    ``half_spend_per_crime`` x baseline crimes): a fund written in thousands of pounds (6969 for £6,969,000) looks
    like this, and buys almost nothing whatever the split. ``None`` otherwise.

    Parameters
    ----------
    spec
        The fund: its recipients, budget and response curves (the central curves are read).
    optimal
        The optimal allocation, whose ``spend`` per recipient is compared with each curve's half-spend.

    Returns
    -------
    str or None
        The sentence (naming the first recipient's spend and half-spend, and the budget written in full), or
        ``None`` when some recipient gets at least :data:`THIN_SPEND` of its half-spend.
    """
    central = spec.curves[0]
    ratios = {r.key: optimal.spend.get(r.key, 0.0) / central[r.key].half_spend for r in spec.recipients}
    if not ratios or max(ratios.values()) >= THIN_SPEND:
        return None
    first = spec.recipients[0]
    return (f"Every recipient gets under {THIN_SPEND:.0%} of the spend that buys half of its response curve's ceiling "
            f"({first.label}: {money(optimal.spend.get(first.key, 0.0))} against "
            f"{money(central[first.key].half_spend)}), so on these curves the fund buys almost nothing and the split "
            f"hardly matters. The file's amounts are in pounds: if they were written in thousands, write them in full "
            f"({spec.budget * 1000:,.0f}, not {spec.budget:,.0f}).")


def last_year_slip_note(spec: AllocationSpec, source: str) -> str | None:
    """A sentence naming each recipient whose ``last_year`` alone looks like thousands (Camden's 450 beside the other
    boroughs' £400,000s), by its key in the fund file, with the fix; ``None`` otherwise.

    The sign is two things together: under :data:`THIN_SPEND` of the spend that buys half its curve's ceiling (it
    buys almost nothing) and :data:`SLIP_RATIO` times or more below the median of the other recipients' last years.
    A change limit then holds it at a few hundred pounds, solved as written.

    Parameters
    ----------
    spec
        The fund as solved.
    source
        The fund file (its name begins each sentence).

    Returns
    -------
    str or None
        The sentences, one a recipient, or ``None`` when no last year looks like thousands.
    """
    central = spec.curves[0]
    said = []
    for r in spec.recipients:
        others = [o.last_year for o in spec.recipients if o.key != r.key and o.last_year > 0]
        if (0 < r.last_year < THIN_SPEND * central[r.key].half_spend and others
                and r.last_year * SLIP_RATIO <= float(np.median(others))):
            said.append(f"{Path(source).name}: fund.recipients.{r.key}.last_year is {money(r.last_year)}, where the other "
                        f"recipients' median is {money(float(np.median(others)))}: it looks like thousands of pounds (the fund "
                        f"is solved as written, {r.label}'s limits on last year with it). Amounts are in pounds: if it was written in thousands, write it in full ({r.last_year * 1000:,.0f}, not "
                        f"{r.last_year:,.0f}).")
    return " ".join(said) or None


def thousands_hint(spec: AllocationSpec) -> str | None:
    """For an infeasibility message: a sentence when the amounts look like thousands of pounds, as in
    :func:`thin_fund_note` (which needs a plan). ``None`` otherwise.

    The symptom is the same, before any split: every recipient's ``last_year``
    is under 1% of the spend that buys half its curve's ceiling, or the whole
    fund is under 1% of those spends added up (London boroughs' last years in
    thousands against a fund in pounds made the protected share, 10% of
    £3,000,000, more than the force could take, and the error said only that).
    """
    central = spec.curves[0]
    first = spec.recipients[0]
    halves = {r.key: central[r.key].half_spend for r in spec.recipients}
    if all(0 < r.last_year < THIN_SPEND * halves[r.key] for r in spec.recipients):
        said, example = (f"every recipient's last-year amount is under "
                         f"{THIN_SPEND:.0%} of the spend that buys half of its response curve's ceiling ({first.label}: "
                         f"{money(first.last_year)} against {money(halves[first.key])})", first.last_year)
    elif spec.budget < THIN_SPEND * sum(halves.values()):
        said, example = (f"the fund ({money(spec.budget)}) is under {THIN_SPEND:.0%} of the spend that buys half of the "
                         f"recipients' response curves' ceilings ({money(sum(halves.values()))} in all)", spec.budget)
    else:
        return None
    return (f"The amounts look like thousands of pounds: {said}. The file's amounts are in pounds: if they were written "
            f"in thousands, write them in full ({example * 1000:,.0f}, not {example:,.0f}).")


def _fund_outcome(spec: AllocationSpec, spend: dict[str, float]) -> dict[str, float]:
    curves = spec.curves[0]
    return {k: float(curves[k](v)) for k, v in spend.items()}


def _fund_only(spec: AllocationSpec) -> AllocationSpec:
    """The fund without the invest-to-save schemes (they draw on a separate reserve and add a fixed benefit)."""
    return dataclasses.replace(spec, schemes=(), reserve=0.0)


def _price(spec: AllocationSpec, optimal: Allocation, constraint, solver: str,
           time_limit: float | None) -> tuple[float, float]:
    """(price, tolerance): outcome gained by solving again without the constraint (the budget: £10,000 more).

    Both solves are exact to their proven gap on the true curves, so the
    price is exact to the sum of the two gaps.
    """
    if constraint.group == "budget":
        relaxed = with_budget(spec, spec.budget + MARGINAL_STEP)
    else:
        relaxed = dataclasses.replace(spec, dropped=spec.dropped | {constraint.name})
    again = allocate(relaxed, solver=solver, time_limit=time_limit, points=warm_points(relaxed, optimal))
    return again.true_outcome - optimal.true_outcome, again.gap + optimal.gap


def _prices(spec: AllocationSpec, optimal: Allocation, solver: str, time_limit: float | None) -> pd.DataFrame:
    """Each binding constraint's price: the outcome gained by solving again without it (verified, not a dual)."""
    rows = []
    for constraint in optimal.solution.binding(optimal.problem):
        if constraint.group in ("curve", "cvar", "fixed"):
            continue
        try:
            price, tolerance = _price(spec, optimal, constraint, solver, time_limit)
        except InfeasibleError:
            price, tolerance = float("nan"), float("nan")
        per = "per £10,000 more" if constraint.group == "budget" else "if dropped"
        rows.append({"constraint": constraint.name, "description": constraint.description, "group": constraint.group,
                     "price": max(price, 0.0) if price == price else price, "price_tolerance": tolerance,
                     "price_basis": per})
    return pd.DataFrame(rows, columns=["constraint", "description", "group", "price", "price_tolerance", "price_basis"])


def last_year_breaks(spec: AllocationSpec) -> dict[str, str]:
    """The share limits (fairness band, protected share) last year's split breaks, each in words with its share then.

    Last year's split is the check that the optimiser returns a split it is
    held to, and the split the optimum is compared with; a band narrower than
    last year's spread (London boroughs, ``band: 0.10``: Westminster had 27.5%
    of the district total, at most 24.8%) made that check infeasible and the
    whole command an error naming the band. The check is made without these
    limits, and the output says last year's split breaks them.

    Returns
    -------
    dict
        Constraint name -> "<its description>: it had 27.5%".
    """
    problem, spend, _ = build_problem(spec, initial_points(spec))
    values = {spend[r.key]: r.last_year for r in spec.recipients}
    broken = {}
    for constraint in problem.constraints.values():
        if constraint.group in ("fairness", "protected") and constraint.slack(values) < -1e-9 * constraint.size:
            mine = next(name for name, v in constraint.terms.items() if v > 0)  # the recipient the limit is on
            total = constraint.share_of.total(values) if constraint.share_of else 0.0
            had = f": it had {values[mine] / total:.1%}" if total > 0 else ""
            broken[constraint.name] = f"{constraint.description}{had}"
    return broken


def _budget_curve(spec: AllocationSpec, solver: str, sweep: tuple[float, float, float],
                  time_limit: float | None) -> pd.DataFrame:
    """The fund's outcome (schemes excluded) as the budget sweeps, with every constraint and with the change limit lifted."""
    fund = _fund_only(spec)
    loose = dataclasses.replace(fund, recipients=tuple(
        dataclasses.replace(r, limits=tuple(x for x in r.limits if x.group != "change")) for r in fund.recipients))
    rows = []
    previous = {}  # each variant's last solve: the next budget's search starts from its refinements
    for budget in np.arange(sweep[0], sweep[1] + sweep[2] / 2, sweep[2]):
        row = {"budget": float(budget)}
        for name, variant in (("", fund), ("no_change_limit_", loose)):
            spec_at = with_budget(variant, float(budget))
            warm = warm_points(spec_at, previous[name]) if name in previous else None
            try:
                allocation = allocate(spec_at, solver=solver, time_limit=time_limit, points=warm)
                previous[name] = allocation
                row.update({f"{name}outcome": allocation.true_outcome, f"{name}spent": allocation.total_spend,
                            f"{name}why_not": ""})
            except InfeasibleError as error:
                row.update({f"{name}outcome": np.nan, f"{name}spent": np.nan,
                            f"{name}why_not": error.reason})
        rows.append(row)
    return pd.DataFrame(rows)


def _stability(spec: AllocationSpec, sampled: tuple, count: int, solver: str, time_limit: float | None) -> pd.DataFrame:
    shares = []
    fund = _fund_only(spec)
    for curves in sampled[:count]:
        allocation = allocate(dataclasses.replace(fund, curves=(curves,), measure="mean"), solver=solver,
                              time_limit=time_limit)
        total = allocation.total_spend
        shares.append({k: v / total for k, v in allocation.spend.items()})
    frame = pd.DataFrame(shares)
    return pd.DataFrame({"share_p10": frame.quantile(0.1), "share_median": frame.median(), "share_p90": frame.quantile(0.9)})


def gain_spread(spec: AllocationSpec, sampled: tuple, optimal: dict[str, float]) -> GainSpread:
    """The gain of ``optimal`` over last year's split, scored on every sampled set of curves."""
    last = {r.key: r.last_year for r in spec.recipients}
    gains = np.array([sum(float(c[k](optimal[k])) - float(c[k](last[k])) for k in optimal) for c in sampled])
    return GainSpread(samples=len(gains), median=float(np.median(gains)), p10=float(np.quantile(gains, 0.1)),
                      p90=float(np.quantile(gains, 0.9)), share_negative=float((gains < 0).mean()))


def _scheme_table(spec: AllocationSpec, optimal: Allocation) -> pd.DataFrame:
    rows = []
    for scheme in spec.schemes:
        chosen = optimal.schemes.get(scheme.key, False)
        beyond = spec.payback_limit is not None and scheme.payback_years is not None and scheme.payback_years > spec.payback_limit
        why = "chosen" if chosen else ("payback beyond the limit" if beyond else "reserve better spent on the others")
        rows.append({"scheme": scheme.label, "cost": scheme.cost, "benefit": scheme.benefit,
                     "payback_years": scheme.payback_years, "chosen": chosen, "why": why})
    return pd.DataFrame(rows, columns=["scheme", "cost", "benefit", "payback_years", "chosen", "why"])


def _holding_limits(spec: AllocationSpec, optimal: Allocation) -> dict[str, list]:
    """Per recipient, the binding constraints that concern it alone or name it (limits, fairness, protected share)."""
    held: dict[str, list] = {r.key: [] for r in spec.recipients}
    for constraint in optimal.solution.binding(optimal.problem):
        if constraint.group in ("curve", "cvar", "fixed", "budget", "reserve", "payback"):
            continue
        key = spec.protected_key if constraint.name == "protected-share" else constraint.name.split(":", 1)[-1]
        if key in held:
            held[key].append(constraint)
    return held


def going_rate(table: pd.DataFrame) -> float:
    """What £10,000 buys where no limit holds the recipient (the rate the optimiser evens out)."""
    free = table.loc[table["held_by"] == "", "marginal_10k"]
    return float(free.median()) if not free.empty else float(table["marginal_10k"].median())


def compared_rates(table: pd.DataFrame, rate: float) -> list[float]:
    """Per recipient, what its next £10,000 is set against in its sentence: the going rate where some recipient is
    free of limits (money moves to and from it); with every recipient held, what the money would do where it could go:
    for one at its lower limit, the most a recipient not at its upper limit buys (its money would go there, so
    without the limit it would get less only if that is more); for one at its upper limit, the least a recipient not
    at its lower limit buys (where more for it would come from); ``nan`` where no other recipient could take or give.
    (A median over held recipients had said "buys only 0.66 against 0.70 elsewhere, so without the limit it would get
    less" of a floor whose relaxation gains nothing.)"""
    if (table["held_by"] == "").any():
        return [rate] * len(table)
    out = []
    for i, row in enumerate(table.itertuples(index=False)):
        others = table.drop(index=table.index[i])
        if row.at_floor:
            could = others.loc[~others["at_ceiling"], "marginal_10k"]
            out.append(float(could.max()) if not could.empty else float("nan"))
        elif row.at_ceiling:
            could = others.loc[~others["at_floor"], "marginal_10k"]
            out.append(float(could.min()) if not could.empty else float("nan"))
        else:
            out.append(rate)
    return out


def _why(row: dict, rate: float, fmt) -> str:
    """One sentence: why this recipient gets what it gets."""
    here = row["marginal_10k"]
    if not row["held_by"]:
        return (f"Gets {money(row['optimal'])}: no limit holds it, so the optimiser gives it money until its next "
                f"£10,000 buys {fmt(here)}, the same as elsewhere ({fmt(rate)}).")
    limit = row["held_by"]
    differs = not np.isnan(rate) and fmt(here) != fmt(rate)  # "more" or "only" where it shows (compared_rates)
    if row["at_ceiling"]:
        than = f", more than the {fmt(rate)} elsewhere," if differs and here > rate else ","
        return (f"Gets {money(row['optimal'])}, held at its upper limit ({limit}): its next £10,000 would buy "
                f"{fmt(here)}{than} but it cannot take more.")
    if row["at_floor"]:
        if not differs or here >= rate:
            return (f"Gets {money(row['optimal'])}, held at its lower limit ({limit}): its next £10,000 buys "
                    f"{fmt(here)}.")
        return (f"Gets {money(row['optimal'])}, held at its lower limit ({limit}): its next £10,000 buys only "
                f"{fmt(here)} against {fmt(rate)} elsewhere, so without the limit it would get less.")
    return f"Gets {money(row['optimal'])}, held by {limit}: its next £10,000 buys {fmt(here)} against {fmt(rate)} elsewhere."


def _allocation_table(spec: AllocationSpec, optimal: Allocation, robust: Allocation, stability: pd.DataFrame,
                      fmt) -> tuple[pd.DataFrame, float]:
    last = {r.key: r.last_year for r in spec.recipients}
    optimal_outcome = _fund_outcome(spec, optimal.spend)
    last_outcome = _fund_outcome(spec, last)
    curves = spec.curves[0]
    robust_total = robust.total_spend
    held = _holding_limits(spec, optimal)
    rows = []
    for r in spec.recipients:
        x = optimal.spend[r.key]
        upper = [c for c in held[r.key] if c.sense == LE or (c.name.startswith("fair-high"))]
        lower = [c for c in held[r.key] if c not in upper]
        rows.append({"recipient": r.key, "label": r.label, "last_year": r.last_year, "optimal": x,
                     "change": x - r.last_year, "change_pct": x / r.last_year - 1 if r.last_year else np.nan,
                     "optimal_outcome": optimal_outcome[r.key], "last_year_outcome": last_outcome[r.key],
                     "marginal_10k": curves[r.key].marginal(x, MARGINAL_STEP),
                     "at_ceiling": bool(upper), "at_floor": bool(lower),
                     "held_by": "; ".join(c.description for c in held[r.key]),
                     "robust": robust.spend[r.key], "robust_share": robust.spend[r.key] / robust_total,
                     **stability.loc[r.key].to_dict()})
    table = pd.DataFrame(rows)
    rate = going_rate(table)
    table["why"] = why_sentences(table, rate, fmt)
    return table, rate


def why_sentences(table: pd.DataFrame, rate: float, fmt) -> list[str]:
    """One sentence per recipient of the allocation ``table`` (``optimal``, ``marginal_10k``, ``held_by``,
    ``at_floor``, ``at_ceiling``): why it gets what it gets, its next £10,000 set against ``rate`` (the going rate)
    or, with every recipient held, against where the money could go (:func:`compared_rates`)."""
    return [_why(row, against, fmt) for row, against in zip(table.to_dict("records"), compared_rates(table, rate))]


def _rate_format(weights: Weights):
    return (lambda v: money(v)) if weights.currency == "cost" else (lambda v: f"{v:,.2f}")


def optimise_csf(counts: pd.DataFrame, assumptions: CsfAssumptions, *, source: str, budget: float | None = None,
                 currency: str | None = None, scenario: Scenario | None = None, saved: Panel | None = None,
                 solver: str = DEFAULT_SOLVER, jobs: int = 1, progress: Progress | None = None, time_limit: float | None = None,
                 budget_sweep: tuple[float, float, float] | None = None) -> CsfResult:
    """Allocate the Community Safety Fund to maximise the outcome, and explain the answer.

    Parameters
    ----------
    counts
        The data with totals (for baseline crime).
    assumptions
        From :func:`crimecast.optimise.assumptions.load_assumptions`.
    source
        The assumptions file, for messages.
    budget
        Overrides ``fund.budget``.
    currency
        ``"crimes"``, ``"harm"`` or ``"cost"``; overrides ``outcome.currency``.
    saved
        A saved forecast read for baseline crime instead of forecasting.
    scenario
        Drivers applied to the baseline forecasts.
    solver
        ``"highs"`` or ``"cbc"``.
    time_limit
        Seconds allowed for each solve (``None``: no limit).
    budget_sweep
        (low, high, step) of the budget curve; default ``fund.budget_sweep``.

    Raises
    ------
    InfeasibleError
        The constraints cannot all hold; names the smallest relaxation.
    FundFileError
        An assumptions entry that does not match the data.
    """
    try:
        weights = weights_for(currency or assumptions.outcome.currency, harm=assumptions.outcome.harm_weights,
                              harm_source=assumptions.outcome.harm_source)
    except ValueError as error:
        raise FundFileError(f"{source}: {error}.") from None
    if scenario is not None and scenario.base.data != assumptions.forecast.data:
        raise UsageError(f"the scenario uses data '{scenario.base.data}' but the assumptions forecast "
                         f"'{assumptions.forecast.data}'; make them the same.")
    baselines, year, notes = baseline_crime(counts, assumptions, source=source, scenario=scenario, saved=saved,
                                            jobs=jobs, progress=progress)
    last_label = assumptions.fund.last_year_label or previous_year(year)
    spec = build_spec(assumptions, baselines, weights, budget=budget, last_year_label=last_label)
    seconds = {}
    started = time.perf_counter()
    try:
        optimal = allocate(spec, solver=solver, time_limit=time_limit)
    except InfeasibleError as error:
        hint = thousands_hint(spec)
        if hint is None:
            raise
        raise InfeasibleError(f"{error} {hint}", error.relaxations, reason=error.reason) from None
    seconds["optimal"] = time.perf_counter() - started
    # The check that last year's split comes back: a fund cut below last year's total could not hold it at all.
    last_total = sum(r.last_year for r in spec.recipients)
    fixed = build_spec(assumptions, baselines, weights, budget=max(spec.budget, last_total), fix_last_year=True,
                       last_year_label=last_label)
    broken = last_year_breaks(fixed)
    reproduction = allocate(dataclasses.replace(fixed, dropped=frozenset(broken)), solver=solver, time_limit=time_limit)
    sampled = curves_for(assumptions, baselines, weights, samples=assumptions.uncertainty.samples)
    started = time.perf_counter()
    robust = allocate(dataclasses.replace(spec, curves=sampled), solver=solver, time_limit=time_limit)
    seconds["uncertainty"] = time.perf_counter() - started
    started = time.perf_counter()
    stability = _stability(spec, sampled, assumptions.uncertainty.stability_samples, solver, time_limit)
    seconds["stability"] = time.perf_counter() - started
    started = time.perf_counter()
    binding = _prices(spec, optimal, solver, time_limit)
    sweep = budget_sweep or assumptions.fund.sweep(spec.budget)
    curve = _budget_curve(spec, solver, sweep, time_limit)
    seconds["prices_and_budget_curve"] = time.perf_counter() - started
    data = {key: counts.attrs.get(key) for key in ("source", "illustrative", "notice")}
    table, rate = _allocation_table(spec, optimal, robust, stability, _rate_format(weights))
    scenario_label = None if scenario is None else f"{scenario.name} ({Path(scenario.source).name})"
    if scenario is not None:
        baselines = baselines.assign(scenario=scenario_label)
    thin = thin_fund_note(spec, optimal) or last_year_slip_note(spec, source)
    notes = [*notes, thin] if thin else notes
    force = counts.attrs.get("force_name")
    if force:  # one force of several, held as the whole (area force): its tables and notes name it
        baselines = baselines.assign(area=baselines["area"].replace({FORCE_AREA: force}))
        notes = [force_named_in(note, force) for note in notes]
    return CsfResult(name=assumptions.name, source=source, year=year, weights=weights, baselines=baselines, spec=spec,
                     optimal=optimal, table=table, binding=binding, budget_curve=curve,
                     schemes=_scheme_table(spec, optimal), reproduction=reproduction, robust=robust, seconds=seconds,
                     samples=len(sampled), notes=notes, data=data, gain_spread=gain_spread(spec, sampled, optimal.spend),
                     scenario=scenario_label, last_year_label=last_label,
                     going_rate=rate, assumptions=assumptions,
                     left_out=districts_left_out(counts, _resolved_areas(counts, assumptions, source)),
                     last_year_breaks=tuple(broken.values()),
                     forecast=saved.spec if saved is not None else assumptions.forecast.forecast_spec())


__all__ = ["CsfResult", "GainSpread", "baseline_crime", "build_spec", "curves_for", "districts_left_out",
           "fund_year_start", "gain_spread", "last_year_breaks", "optimise_csf"]

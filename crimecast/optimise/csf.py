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

import numpy as np
import pandas as pd

from crimecast.data.calendar import financial_year_label, financial_year_periods, financial_year_start
from crimecast.data.frequency import frequency_of, last_complete_period
from crimecast.data.series import FORCE_AREA, resolve_area, resolve_category, series_of
from crimecast.errors import DataError, InfeasibleError, ScenarioError, UsageError
from crimecast.forecast.parallel import Progress
from crimecast.forecast.paths import ForecastResult
from crimecast.optimise.allocate import AllocationSpec, Allocation, Limit, Recipient, Scheme, allocate, with_budget
from crimecast.optimise.assumptions import CsfAssumptions
from crimecast.optimise.curves import ResponseCurve
from crimecast.optimise.model import GE, LE, money
from crimecast.optimise.solver import DEFAULT_SOLVER, solve
from crimecast.optimise.weights import Weights, weights_for
from crimecast.scenarios.apply import apply_drivers
from crimecast.scenarios.resolve import resolve_scenario
from crimecast.scenarios.run import fit_baseline
from crimecast.scenarios.spec import Base, Scenario, month_of

MARGINAL_STEP = 10_000.0
BUDGET_SWEEP = (6_000_000.0, 8_500_000.0, 250_000.0)


# ---------------------------------------------------------------- baseline crime

def _resolved_areas(counts: pd.DataFrame, assumptions: CsfAssumptions, source: str) -> dict[str, str]:
    areas = {}
    for key, recipient in assumptions.fund.recipients.items():
        try:
            areas[key] = resolve_area(counts, recipient.area)
        except DataError as error:
            raise ScenarioError(f"{source}: fund.recipients.{key}.area: {error}") from None
    return areas


def _categories(counts: pd.DataFrame, assumptions: CsfAssumptions, source: str) -> list[str]:
    out = []
    for index, name in enumerate(assumptions.outcome.categories):
        try:
            out.append(resolve_category(counts, name)[0])
        except DataError as error:
            raise ScenarioError(f"{source}: outcome.categories[{index}]: {error}") from None
    return out


def baseline_crime(counts: pd.DataFrame, assumptions: CsfAssumptions, *, source: str, scenario: Scenario | None = None,
                   jobs: int = 1, progress: Progress | None = None) -> tuple[pd.DataFrame, str, list[str]]:
    """Expected crimes next financial year per recipient and category (under the scenario, if given).

    Returns
    -------
    (table, financial_year, notes)
        ``recipient, area, category, expected``.
    """
    settings = assumptions.forecast
    frequency = frequency_of(counts)
    as_of = month_of(settings.as_of) if settings.as_of else frequency.period_end_month(counts["month"].max())
    data_end = frequency.period_end_month(counts["month"].max())
    if as_of > data_end:
        raise UsageError(f"{source}: forecast.as_of {as_of:%Y-%m} is after the data ends ({data_end:%Y-%m}).")
    as_of = last_complete_period(as_of, frequency, option=f"{source}: forecast.as_of")
    start = financial_year_start(frequency.next(as_of))
    horizon = len(frequency.between(frequency.next(as_of), financial_year_periods(start, frequency)[-1]))
    areas = _resolved_areas(counts, assumptions, source)
    categories = _categories(counts, assumptions, source)
    districts = sorted({a for a in areas.values() if a != FORCE_AREA})
    base = Base(data=settings.data, model=settings.model, paths=settings.paths, seed=settings.seed)
    baseline = fit_baseline(counts, base=base, as_of=as_of, horizon=horizon,
                            split={c: districts for c in categories} if districts else {}, jobs=jobs, progress=progress)
    paths = baseline.paths
    if scenario is not None:
        scenario = dataclasses.replace(scenario, base=scenario.base.model_copy(
            update={"as_of": f"{as_of:%Y-%m}", "horizon": horizon}))
        resolved = resolve_scenario(scenario, counts)
        paths = apply_drivers(paths, resolved.drivers, seed=scenario.base.seed).paths
    rows = []
    for key, area in areas.items():
        for category in categories:
            history = series_of(counts, category=category, area=area).loc[:as_of]
            result = ForecastResult(category=category, area=area, model=base.model, history=history,
                                    paths=paths.total(category, area))
            rows.append({"recipient": key, "area": area, "category": category,
                         "expected": float(result.year_total_paths(start).mean())})
    return pd.DataFrame(rows), financial_year_label(start), baseline.notes


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


def _limits(key: str, label: str, recipient, change_limit: float | None) -> tuple[Limit, ...]:
    last = recipient.last_year
    limits = []
    if change_limit is not None:
        limits.append(Limit("change-down", GE, (1 - change_limit) * last,
                            f"{label}: at most {change_limit:.0%} below 2013/14 (at least {money((1 - change_limit) * last)})", "change"))
        limits.append(Limit("change-up", LE, (1 + change_limit) * last,
                            f"{label}: at most {change_limit:.0%} above 2013/14 (at most {money((1 + change_limit) * last)})", "change"))
    for name, sense, bound, word in (("floor", GE, recipient.floor, "at least"), ("ceiling", LE, recipient.ceiling, "at most")):
        if bound is None:
            continue
        kind, number = bound
        amount = number * last if kind == "share" else number
        why = f" ({number:.0%} of 2013/14)" if kind == "share" else ""
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
            raise ScenarioError(f"constraints.fairness.basis is population but fund.recipients.{missing[0]}.population "
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
               samples: int | None = None, fix_last_year: bool = False) -> AllocationSpec:
    """The allocation problem as numbers: recipients and limits, curves, budget, fairness, schemes."""
    constraints = assumptions.constraints
    areas = dict(zip(baselines["recipient"], baselines["area"]))
    recipients = []
    for key, recipient in assumptions.fund.recipients.items():
        label = recipient.label or key.replace("-", " ").title()
        recipients.append(Recipient(key=key, label=label, last_year=recipient.last_year,
                                    limits=_limits(key, label, recipient, constraints.change_limit),
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

@dataclass
class CsfResult:
    """The optimal split and everything a finance officer asks of it.

    Attributes
    ----------
    table
        Per recipient: 2013/14 and optimal allocation, change, outcome under
        each, what the next £10,000 buys, and the robust (uncertainty)
        allocation with the 80% range of its share.
    binding
        Constraints that hold the plan back and what each costs (outcome
        gained by re-solving without it).
    budget_curve
        Total outcome as the budget sweeps; infeasible budgets say why.
    schemes
        Invest-to-save options: cost, benefit, payback, chosen or why not.
    reproduction
        The 2013/14 allocation solved as a constraint: it must come back exactly.
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

    @property
    def gain(self) -> float:
        """Outcome of the optimal split minus the 2013/14 split (fund only, not schemes)."""
        return float(self.table["optimal_outcome"].sum() - self.table["last_year_outcome"].sum())

    @property
    def moved(self) -> float:
        """Pounds that change hands between recipients."""
        return float((self.table["optimal"] - self.table["last_year"]).abs().sum() / 2)


def _fund_outcome(spec: AllocationSpec, spend: dict[str, float]) -> dict[str, float]:
    curves = spec.curves[0]
    return {k: float(curves[k](v)) for k, v in spend.items()}


def _without_limit(spec: AllocationSpec, constraint_name: str) -> AllocationSpec:
    """``spec`` with one recipient limit (``change-down:birmingham``) removed, so the curve is cut over the freed range."""
    limit_name, key = constraint_name.split(":", 1)
    recipients = tuple(dataclasses.replace(r, limits=tuple(x for x in r.limits if x.name != limit_name))
                       if r.key == key else r for r in spec.recipients)
    return dataclasses.replace(spec, recipients=recipients)


def _price(spec: AllocationSpec, optimal: Allocation, constraint, solver: str) -> float:
    """Outcome gained by dropping the constraint and solving again (the budget: by £10,000 more)."""
    if constraint.group == "budget":
        return allocate(with_budget(spec, spec.budget + MARGINAL_STEP), solver=solver).true_outcome - optimal.true_outcome
    if constraint.group in ("change", "floor", "ceiling"):
        return allocate(_without_limit(spec, constraint.name), solver=solver).true_outcome - optimal.true_outcome
    return solve(optimal.problem.without(constraint.name), solver=solver).objective - optimal.solution.objective


def _prices(spec: AllocationSpec, optimal: Allocation, solver: str) -> pd.DataFrame:
    """Each binding constraint's price: the outcome gained by solving again without it (verified, not a dual)."""
    rows = []
    for constraint in optimal.solution.binding(optimal.problem):
        if constraint.group in ("curve", "cvar", "fixed"):
            continue
        try:
            price = max(_price(spec, optimal, constraint, solver), 0.0)
        except InfeasibleError:
            price = float("nan")
        per = "per £10,000 more" if constraint.group == "budget" else "if dropped"
        rows.append({"constraint": constraint.name, "description": constraint.description, "group": constraint.group,
                     "price": price, "price_basis": per})
    return pd.DataFrame(rows, columns=["constraint", "description", "group", "price", "price_basis"])


def _budget_curve(spec: AllocationSpec, solver: str, sweep: tuple[float, float, float]) -> pd.DataFrame:
    """Total outcome as the budget sweeps, with every constraint and with the change limit lifted."""
    loose = dataclasses.replace(spec, recipients=tuple(
        dataclasses.replace(r, limits=tuple(x for x in r.limits if x.group != "change")) for r in spec.recipients))
    rows = []
    for budget in np.arange(sweep[0], sweep[1] + sweep[2] / 2, sweep[2]):
        row = {"budget": float(budget)}
        for name, variant in (("", spec), ("no_change_limit_", loose)):
            try:
                allocation = allocate(with_budget(variant, float(budget)), solver=solver)
                row.update({f"{name}outcome": allocation.true_outcome, f"{name}spent": allocation.total_spend,
                            f"{name}why_not": ""})
            except InfeasibleError as error:
                row.update({f"{name}outcome": np.nan, f"{name}spent": np.nan,
                            f"{name}why_not": str(error).split("allow one: ")[-1]})
        rows.append(row)
    return pd.DataFrame(rows)


def _stability(spec: AllocationSpec, sampled: tuple, count: int, solver: str) -> pd.DataFrame:
    shares = []
    for curves in sampled[:count]:
        allocation = allocate(dataclasses.replace(spec, curves=(curves,), measure="mean"), solver=solver)
        total = allocation.total_spend
        shares.append({k: v / total for k, v in allocation.spend.items()})
    frame = pd.DataFrame(shares)
    return pd.DataFrame({"share_p10": frame.quantile(0.1), "share_median": frame.median(), "share_p90": frame.quantile(0.9)})


def _scheme_table(spec: AllocationSpec, optimal: Allocation) -> pd.DataFrame:
    rows = []
    for scheme in spec.schemes:
        chosen = optimal.schemes.get(scheme.key, False)
        beyond = spec.payback_limit is not None and scheme.payback_years is not None and scheme.payback_years > spec.payback_limit
        why = "chosen" if chosen else ("payback beyond the limit" if beyond else "reserve better spent on the others")
        rows.append({"scheme": scheme.label, "cost": scheme.cost, "benefit": scheme.benefit,
                     "payback_years": scheme.payback_years, "chosen": chosen, "why": why})
    return pd.DataFrame(rows, columns=["scheme", "cost", "benefit", "payback_years", "chosen", "why"])


def _allocation_table(spec: AllocationSpec, optimal: Allocation, robust: Allocation, stability: pd.DataFrame) -> pd.DataFrame:
    last = {r.key: r.last_year for r in spec.recipients}
    optimal_outcome = _fund_outcome(spec, optimal.spend)
    last_outcome = _fund_outcome(spec, last)
    curves = spec.curves[0]
    robust_total = robust.total_spend
    rows = []
    for r in spec.recipients:
        x = optimal.spend[r.key]
        rows.append({"recipient": r.key, "label": r.label, "last_year": r.last_year, "optimal": x,
                     "change": x - r.last_year, "change_pct": x / r.last_year - 1 if r.last_year else np.nan,
                     "optimal_outcome": optimal_outcome[r.key], "last_year_outcome": last_outcome[r.key],
                     "marginal_10k": curves[r.key].marginal(x, MARGINAL_STEP),
                     "robust": robust.spend[r.key], "robust_share": robust.spend[r.key] / robust_total,
                     **stability.loc[r.key].to_dict()})
    return pd.DataFrame(rows)


def optimise_csf(counts: pd.DataFrame, assumptions: CsfAssumptions, *, source: str, budget: float | None = None,
                 currency: str | None = None, scenario: Scenario | None = None, solver: str = DEFAULT_SOLVER,
                 jobs: int = 1, progress: Progress | None = None,
                 budget_sweep: tuple[float, float, float] = BUDGET_SWEEP) -> CsfResult:
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
    scenario
        Drivers applied to the baseline forecasts.
    solver
        ``"highs"`` or ``"cbc"``.

    Raises
    ------
    InfeasibleError
        The constraints cannot all hold; names the smallest relaxation.
    ScenarioError
        An assumptions entry that does not match the data.
    """
    try:
        weights = weights_for(currency or assumptions.outcome.currency, harm=assumptions.outcome.harm_weights,
                              harm_source=assumptions.outcome.harm_source)
    except ValueError as error:
        raise ScenarioError(f"{source}: {error}.") from None
    if scenario is not None and scenario.base.data != assumptions.forecast.data:
        raise UsageError(f"the scenario uses data '{scenario.base.data}' but the assumptions forecast "
                         f"'{assumptions.forecast.data}'; make them the same.")
    baselines, year, notes = baseline_crime(counts, assumptions, source=source, scenario=scenario, jobs=jobs,
                                            progress=progress)
    spec = build_spec(assumptions, baselines, weights, budget=budget)
    seconds = {}
    started = time.perf_counter()
    optimal = allocate(spec, solver=solver)
    seconds["optimal"] = time.perf_counter() - started
    reproduction = allocate(build_spec(assumptions, baselines, weights, budget=budget, fix_last_year=True), solver=solver)
    sampled = curves_for(assumptions, baselines, weights, samples=assumptions.uncertainty.samples)
    started = time.perf_counter()
    robust = allocate(dataclasses.replace(spec, curves=sampled), solver=solver)
    seconds["uncertainty"] = time.perf_counter() - started
    started = time.perf_counter()
    stability = _stability(spec, sampled, assumptions.uncertainty.stability_samples, solver)
    seconds["stability"] = time.perf_counter() - started
    started = time.perf_counter()
    binding = _prices(spec, optimal, solver)
    curve = _budget_curve(spec, solver, budget_sweep)
    seconds["prices_and_budget_curve"] = time.perf_counter() - started
    data = {key: counts.attrs.get(key) for key in ("source", "illustrative", "notice")}
    return CsfResult(name=assumptions.name, source=source, year=year, weights=weights, baselines=baselines, spec=spec,
                     optimal=optimal, table=_allocation_table(spec, optimal, robust, stability), binding=binding,
                     budget_curve=curve, schemes=_scheme_table(spec, optimal), reproduction=reproduction, robust=robust,
                     seconds=seconds, samples=len(sampled), notes=notes, data=data)


__all__ = ["CsfResult", "baseline_crime", "build_spec", "curves_for", "optimise_csf"]

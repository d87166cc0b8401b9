"""Electric fleet renewals: which vehicles go electric, where charge points go, under budget, duty and CO2.

Whole-life cost of each (vehicle, option) is discounted over the appraisal:
purchase price less the discounted residual value, or the lease payments
(paid yearly in advance), plus energy and maintenance each year. A battery
EV is allowed only where the vehicle's 95th-percentile daily miles fit its
winter range, its duty allows it (24-hour response is excluded unless the
rules say otherwise) and its dwell time at base can recharge that day's
miles. Charge points per site are integers sized to the plug-in vehicles
there; the grant applies to them. The choice is a MILP solved to proven
optimality by the shared solver layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import time
from pathlib import Path

import numpy as np
import pandas as pd

from crimecast.errors import InfeasibleError, TimeLimitError
from crimecast.optimise.fleet_spec import ELECTRIC, Fleet, Option, Vehicle
from crimecast.optimise.model import (BINARY, EQ, GE, INTEGER, LE, MINIMISE, SLIP_RATIO, Constraint, Problem, Solution,
                                      money)
from crimecast.optimise.solver import DEFAULT_SOLVER, solve
from crimecast.words import counted

COST, CO2, WEIGHTED = "cost", "co2", "weighted"
PLUG_IN = ("battery-ev", "plug-in-hybrid")
FROM_FILE = "from-file"  # budget / co2_cap: the fleet file's limit (None always means no limit)
DEFAULT_TIME_LIMIT = 60.0  # seconds for the plan's solve; the what-if analyses share as much again
CO2_TIE_BREAK = 1e-6  # £ per tonne-equivalent nudge so a CO2-only objective still prefers the cheaper of equals
TORNADO_SWING = 0.2


# ---------------------------------------------------------------- costs and rules

def annual_miles(vehicle: Vehicle, fleet: Fleet) -> float:
    return vehicle.mean_daily_miles * fleet.spec.appraisal.days_per_year


def _annuity(amount: float, years: int, rate: float, *, in_advance: bool) -> float:
    start = 0 if in_advance else 1
    return sum(amount / (1 + rate) ** t for t in range(start, start + years))


def electric_share(vehicle: Vehicle, option: Option) -> float:
    """Share of miles driven on mains electricity: all for a battery EV, up to its electric range for a plug-in hybrid."""
    if option.kind == "battery-ev":
        return 1.0
    if option.kind == "plug-in-hybrid":
        return min(1.0, option.electric_range_miles / vehicle.mean_daily_miles)
    return 0.0


def _energy_per_mile(vehicle: Vehicle, option: Option, fleet: Fleet) -> float:
    """Pounds of electricity and fuel a mile of ``vehicle``'s driving costs on ``option``."""
    prices, share = fleet.spec.prices, electric_share(vehicle, option)
    return (share * option.kwh_per_mile * prices.electricity_per_kwh
            + (1 - share) * option.litres_per_mile * prices.fuel_per_litre)


@dataclass(frozen=True)
class Costing:
    """Whole-life cost (discounted £) and CO2 (tonnes) of one vehicle on one option over the appraisal."""

    capital: float
    energy: float
    maintenance: float
    co2_tonnes: float

    @property
    def whole_life(self) -> float:
        return self.capital + self.energy + self.maintenance


def costing(vehicle: Vehicle, option: Option, fleet: Fleet) -> Costing:
    """Discounted whole-life cost and appraisal-period CO2 of ``option`` for ``vehicle``."""
    appraisal, prices, scope = fleet.spec.appraisal, fleet.spec.prices, fleet.spec.rules.co2_scope
    years, rate = appraisal.years, appraisal.discount_rate
    miles = annual_miles(vehicle, fleet)
    share = electric_share(vehicle, option)
    if option.finance == "lease":
        capital = _annuity(option.lease_per_year, years, rate, in_advance=True)
    else:
        capital = option.price - option.price * option.residual_fraction / (1 + rate) ** years
    energy_per_year = miles * _energy_per_mile(vehicle, option, fleet)
    tailpipe = miles * (1 - share if option.kind == "plug-in-hybrid" else 1.0) * option.co2_g_per_mile / 1e6
    grid = miles * share * option.kwh_per_mile * prices.grid_kg_co2_per_kwh / 1e3 if scope == "tailpipe+grid" else 0.0
    return Costing(capital=capital, energy=_annuity(energy_per_year, years, rate, in_advance=False),
                   maintenance=_annuity(miles * option.maintenance_per_mile, years, rate, in_advance=False),
                   co2_tonnes=(tailpipe + grid) * years)


CHEAP_VEHICLE = 1000.0  # pounds: every option priced under this, and under a year's running, looks like thousands


def _price(option: Option) -> float:
    """What an option costs up front: its price, or a year's lease."""
    return option.lease_per_year if option.finance == "lease" else option.price


def _running_per_year(vehicle: Vehicle, option: Option, fleet: Fleet) -> float:
    """A year's fuel or electricity and maintenance of ``option`` doing ``vehicle``'s miles (undiscounted)."""
    return annual_miles(vehicle, fleet) * (_energy_per_mile(vehicle, option, fleet) + option.maintenance_per_mile)


def thousands_note(fleet: Fleet) -> str | None:
    """A sentence when the vehicles' prices look like thousands of pounds (``price: 15.3`` for £15,300), else ``None``.

    A cheap vehicle is allowed (an e-bike can cost a few hundred pounds), so the sign is two things together: every
    option's price (or yearly lease) is under :data:`CHEAP_VEHICLE`, and under a year of its own running costs
    (fuel or electricity and maintenance, in pounds per mile) on the vehicles whose roles it fills: a car bought for
    less than a year's diesel. Prices written that way are solved as they stand, and buying looks almost free.
    """
    options = [o for o in fleet.spec.options if any(v.role in o.roles for v in fleet.vehicles)]
    if not options:
        return None
    running = {o.name: float(np.mean([_running_per_year(v, o, fleet) for v in fleet.vehicles if v.role in o.roles]))
               for o in options}
    if any(_price(o) >= CHEAP_VEHICLE for o in fleet.spec.options):
        return _slips_note(fleet, options, running)
    if any(_price(o) >= running[o.name] for o in options):
        return None
    first = options[0]
    price = f"£{_price(first):,.2f}{' a year' if first.finance == 'lease' else ''}"
    return (f"Every option's price is under {money(CHEAP_VEHICLE)} and less than a year of its running costs ({first.name}: "
            f"{price} against {money(running[first.name])} a year in fuel or electricity and maintenance), so the "
            f"prices look like thousands of pounds and buying looks almost free. Prices are in pounds: if they were "
            f"written in thousands, write them in full ({_price(first) * 1000:,.0f}, not {_price(first):g}).")


def _slips_note(fleet: Fleet, options: list[Option], running: dict[str, float]) -> str | None:
    """A sentence naming each option whose price alone looks like thousands (``price: 28`` beside options at £28,000).

    The sign is three things together: the price (or yearly lease) is under :data:`CHEAP_VEHICLE`, under a year of
    its own running costs, and :data:`SLIP_RATIO` times or more below another option that fills one of its roles. A cheap
    vehicle alone (an e-bike beside cars) is not the sign. Each is named by its key in the fleet file.
    """
    slips = []
    for index, option in enumerate(fleet.spec.options):
        if option not in options or _price(option) >= min(CHEAP_VEHICLE, running[option.name]):
            continue
        peers = [o for o in options if o is not option and set(o.roles) & set(option.roles)
                 and _price(o) >= SLIP_RATIO * _price(option)]
        if not peers:
            continue
        # the nearest in price of the options far dearer for the same work, bought beside bought, leased beside leased
        peer = min(peers, key=lambda o: (o.finance != option.finance, _price(o)))
        key = "lease_per_year" if option.finance == "lease" else "price"
        price = f"£{_price(option):,.2f}{' a year' if option.finance == 'lease' else ''}"
        slips.append(f"{Path(fleet.source).name}: options[{index}].{key} ({option.name}) is {price}: less than a year "
                     f"of its running costs ({money(running[option.name])}), where {peer.name}, for the same work, is "
                     f"{money(_price(peer))}{' a year' if peer.finance == 'lease' else ''}. It looks like thousands of "
                     "pounds, which makes the vehicle almost free (the plan is solved as written). Prices are in "
                     f"pounds: if it was written in thousands, write it in full ({_price(option) * 1000:,.0f}, not "
                     f"{_price(option):g}).")
    return " ".join(slips) or None


def ineligible(vehicle: Vehicle, option: Option, fleet: Fleet) -> str | None:
    """Why ``option`` cannot fill ``vehicle``'s renewal, or ``None`` if it can."""
    if vehicle.role not in option.roles:
        return f"not a {vehicle.role} vehicle"
    if option.kind not in ELECTRIC:
        return None
    if vehicle.role in fleet.spec.rules.battery_ev_roles_excluded:
        return f"{vehicle.role} duty rules out battery EVs"
    winter = option.electric_range_miles * (1 - fleet.spec.appraisal.winter_range_derate)
    if vehicle.p95_daily_miles > winter:
        return f"95th-percentile day of {vehicle.p95_daily_miles:g} miles exceeds the {winter:.0f}-mile winter range"
    hours = vehicle.p95_daily_miles * option.kwh_per_mile / fleet.spec.charge_points.power_kw
    if hours > vehicle.dwell_hours:
        return f"needs {hours:.1f} h to recharge but is at base {vehicle.dwell_hours:g} h"
    return None


def charge_point_cost(fleet: Fleet) -> float:
    points = fleet.spec.charge_points
    return points.cost_per_point * (1 - points.grant_fraction)


# ---------------------------------------------------------------- the MILP

@dataclass
class FleetPlan:
    """A proven-optimal renewal plan against the all-like-for-like baseline.

    Attributes
    ----------
    choices
        Per vehicle: site, role, chosen option and kind, whole-life cost,
        CO2, the like-for-like option's cost and CO2, and why battery EVs
        were not allowed (if they were not).
    sites
        Charge points per site and the plug-in vehicles they serve.
    """

    choices: pd.DataFrame
    sites: pd.DataFrame
    cost: float
    co2: float
    baseline_cost: float
    baseline_co2: float
    objective: str
    solution: Solution

    @property
    def saving(self) -> float:
        return self.baseline_cost - self.cost

    @property
    def co2_saving(self) -> float:
        return self.baseline_co2 - self.co2


def build_fleet_problem(fleet: Fleet, *, objective: str = COST, budget: float | None = None,
                        co2_cap: float | None = None) -> tuple[Problem, dict, dict, dict]:
    """The renewal MILP: (problem, choice variables, charge-point variables, costings)."""
    problem = Problem("Fleet renewal", MINIMISE)
    carbon_price = fleet.spec.limits.carbon_price_per_tonne
    choice, costings = {}, {}
    cost_terms, co2_terms = {}, {}
    for vehicle in fleet.vehicles:
        options = [o for o in fleet.spec.options if ineligible(vehicle, o, fleet) is None]
        if not options:
            raise _no_option(vehicle, fleet)
        row = {}
        for option in options:
            name = problem.add_variable(f"choose:{vehicle.id}:{option.name}", kind=BINARY)
            costings[(vehicle.id, option.name)] = costing(vehicle, option, fleet)
            row[option.name] = name
            cost_terms[name] = costings[(vehicle.id, option.name)].whole_life
            co2_terms[name] = costings[(vehicle.id, option.name)].co2_tonnes
        choice[vehicle.id] = row
        problem.add_constraint(Constraint(f"one-option:{vehicle.id}", {v: 1.0 for v in row.values()}, EQ, 1.0,
                                          f"Vehicle {vehicle.id}: exactly one replacement", soft=False, group="structure"))
    points = fleet.spec.charge_points
    chargers = {}
    for site in sorted({v.site for v in fleet.vehicles}):
        chargers[site] = problem.add_variable(f"charge-points:{site}", low=0, high=None, kind=INTEGER)
        plugged = {choice[v.id][o]: -1.0 for v in fleet.vehicles if v.site == site for o in choice[v.id]
                   if fleet.option(o).kind in PLUG_IN}
        problem.add_constraint(Constraint(f"charging:{site}", {chargers[site]: float(points.vehicles_per_point), **plugged},
                                          GE, 0.0, f"Site {site}: a charge point for every "
                                          f"{counted(points.vehicles_per_point, 'plug-in vehicle')}", soft=False,
                                          group="structure"))
        # No more points than the plug-in vehicles need (a free point, at a 100% grant, must not be installed anyway).
        problem.add_constraint(Constraint(f"charging-max:{site}", {chargers[site]: float(points.vehicles_per_point),
                                                                   **plugged}, LE, float(points.vehicles_per_point - 1),
                                          f"Site {site}: no more charge points than its plug-in vehicles need",
                                          soft=False, group="structure"))
        if points.max_per_site is not None:
            problem.add_constraint(Constraint(f"site-limit:{site}", {chargers[site]: 1.0}, LE, float(points.max_per_site),
                                              f"Site {site}: at most {points.max_per_site} charge points", "charge points",
                                              group="site"))
        cost_terms[chargers[site]] = charge_point_cost(fleet)
    if budget is not None:
        problem.add_constraint(Constraint("budget", dict(cost_terms), LE, budget,
                                          f"Budget: whole-life cost at most {money(budget)}", "£", group="budget"))
    if co2_cap is not None:
        problem.add_constraint(Constraint("co2-cap", dict(co2_terms), LE, co2_cap,
                                          f"CO2 cap: at most {co2_cap:,.1f} tonnes over the appraisal", "tonnes", group="co2"))
    if objective == CO2:
        problem.add_objective({**{k: v + CO2_TIE_BREAK * cost_terms[k] for k, v in co2_terms.items()},
                               **{c: CO2_TIE_BREAK * cost_terms[c] for c in chargers.values()}})
    elif objective == WEIGHTED:
        problem.add_objective({k: cost_terms[k] + carbon_price * co2_terms.get(k, 0.0) for k in cost_terms})
    else:
        problem.add_objective(cost_terms)
    return problem, choice, chargers, costings


def _no_option(vehicle: Vehicle, fleet: Fleet) -> InfeasibleError:
    """No option can fill this renewal: say which vehicle and why each option is ruled out."""
    reasons = [f"{o.name}: {ineligible(vehicle, o, fleet)}" for o in fleet.spec.options if vehicle.role in o.roles]
    why = "; ".join(reasons) if reasons else f"no option lists the role '{vehicle.role}'"
    return InfeasibleError(f"Fleet renewal: no option can replace vehicle {vehicle.id} ({vehicle.role}, site {vehicle.site}): "
                           f"{why}. Offer an option with enough range for its {vehicle.p95_daily_miles:g}-mile 95th-percentile "
                           "day, or a fuelled option for the role.")


def _baseline(fleet: Fleet) -> tuple[float, float]:
    like = [costing(v, fleet.option(v.current), fleet) for v in fleet.vehicles]
    return sum(c.whole_life for c in like), sum(c.co2_tonnes for c in like)


def _electric_note(vehicle: Vehicle, fleet: Fleet) -> str:
    """Why no battery EV could fill this renewal ('' if one could)."""
    if vehicle.role in fleet.spec.rules.battery_ev_roles_excluded:
        return f"{vehicle.role} duty rules out battery EVs"
    offered = [o for o in fleet.spec.options if o.kind in ELECTRIC and vehicle.role in o.roles]
    if not offered:
        return f"no battery EV option is offered for {vehicle.role} vehicles"
    reasons = [ineligible(vehicle, o, fleet) for o in offered]
    return "" if any(r is None for r in reasons) else reasons[0]


def solve_fleet(fleet: Fleet, *, objective: str = COST, budget: float | str | None = FROM_FILE,
                co2_cap: float | str | None = FROM_FILE, solver: str = DEFAULT_SOLVER,
                time_limit: float | None = None) -> FleetPlan:
    """Choose one option per renewal and charge points per site, to proven optimality.

    Parameters
    ----------
    objective
        ``"cost"`` (discounted whole-life cost), ``"co2"`` (tonnes over the
        appraisal; cost breaks ties) or ``"weighted"`` (cost plus
        ``limits.carbon_price_per_tonne`` x tonnes).
    budget, co2_cap
        A number, ``None`` (no limit) or :data:`FROM_FILE` (default: the
        file's ``limits.budget`` / ``limits.co2_cap_tonnes``).
    time_limit
        Seconds for the solve (``None``: no limit).

    Raises
    ------
    InfeasibleError
        No plan meets the budget or CO2 cap; says which must give and by how much.
    TimeLimitError
        Not proven optimal within ``time_limit``; names the best plan and bound.
    """
    budget = fleet.spec.limits.budget if budget == FROM_FILE else budget
    co2_cap = fleet.spec.limits.co2_cap_tonnes if co2_cap == FROM_FILE else co2_cap
    problem, choice, chargers, costings = build_fleet_problem(fleet, objective=objective, budget=budget, co2_cap=co2_cap)
    solution = solve(problem, solver=solver, time_limit=time_limit)
    rows = []
    for vehicle in fleet.vehicles:
        chosen = next(o for o, var in choice[vehicle.id].items() if solution.values[var] > 0.5)
        c, like = costings[(vehicle.id, chosen)], costing(vehicle, fleet.option(vehicle.current), fleet)
        rows.append({"vehicle": vehicle.id, "site": vehicle.site, "role": vehicle.role, "current": vehicle.current,
                     "option": chosen, "kind": fleet.option(chosen).kind, "whole_life_cost": c.whole_life,
                     "co2_tonnes": c.co2_tonnes, "like_for_like_cost": like.whole_life, "like_for_like_co2": like.co2_tonnes,
                     "battery_ev_not_allowed": _electric_note(vehicle, fleet)})
    choices = pd.DataFrame(rows)
    plug_ins = choices[choices["kind"].isin(PLUG_IN)].groupby("site").size()
    sites = pd.DataFrame({"site": list(chargers), "charge_points": [round(solution.values[v]) for v in chargers.values()]})
    sites["plug_in_vehicles"] = sites["site"].map(plug_ins).fillna(0).astype(int)
    sites["cost_after_grant"] = sites["charge_points"] * charge_point_cost(fleet)
    baseline_cost, baseline_co2 = _baseline(fleet)
    return FleetPlan(choices=choices, sites=sites, cost=float(choices["whole_life_cost"].sum() + sites["cost_after_grant"].sum()),
                     co2=float(choices["co2_tonnes"].sum()), baseline_cost=baseline_cost, baseline_co2=baseline_co2,
                     objective=objective, solution=solution)


# ---------------------------------------------------------------- what-ifs

PARAMETERS = {
    "electricity_per_kwh": ("prices", "electricity_per_kwh", "electricity price (£/kWh)"),
    "fuel_per_litre": ("prices", "fuel_per_litre", "fuel price (£/litre)"),
    "grant_fraction": ("charge_points", "grant_fraction", "charge-point grant (share)"),
    "discount_rate": ("appraisal", "discount_rate", "discount rate"),
    "battery_ev_cost": (None, None, "battery EV price and lease (x)"),
}


def with_parameter(fleet: Fleet, parameter: str, value: float) -> Fleet:
    """A copy of ``fleet`` with one price or setting changed (``battery_ev_cost`` scales EV prices and leases)."""
    spec = fleet.spec
    if parameter == "battery_ev_cost":
        options = [o.model_copy(update={"price": None if o.price is None else o.price * value,
                                        "lease_per_year": None if o.lease_per_year is None else o.lease_per_year * value})
                   if o.kind in ELECTRIC else o for o in spec.options]
        return fleet.model_copy(update={"spec": spec.model_copy(update={"options": options})})
    section, key, _ = PARAMETERS[parameter]
    part = getattr(spec, section).model_copy(update={key: value})
    return fleet.model_copy(update={"spec": spec.model_copy(update={section: part})})


def parameter_value(fleet: Fleet, parameter: str) -> float:
    if parameter == "battery_ev_cost":
        return 1.0
    section, key, _ = PARAMETERS[parameter]
    return float(getattr(getattr(fleet.spec, section), key))


class Clock:
    """A time budget shared by a group of solves: each solve gets at most ``per_solve`` and what is left."""

    def __init__(self, seconds: float | None, *, per_solve: float | None = None):
        self.deadline = None if seconds is None else time.perf_counter() + seconds
        self.per_solve = per_solve
        self.skipped: list[str] = []

    def limit(self) -> float | None:
        """Seconds for the next solve; raises :class:`TimeLimitError` when nothing is left."""
        left = None if self.deadline is None else self.deadline - time.perf_counter()
        if left is not None and left <= 0.05:
            raise TimeLimitError("the time allowed for the what-if analyses ran out before this solve started")
        limits = [v for v in (left, self.per_solve) if v is not None]
        return min(limits) if limits else None


def _solve(fleet: Fleet, clock: Clock | None, solver: str, **options) -> FleetPlan:
    return solve_fleet(fleet, solver=solver, time_limit=None if clock is None else clock.limit(), **options)


def _electric_count(fleet: Fleet, role: str, solver: str, clock: Clock | None = None) -> int:
    plan = _solve(fleet, clock, solver, objective=COST, budget=None, co2_cap=None)
    rows = plan.choices[plan.choices["role"] == role]
    return int(rows["kind"].isin(ELECTRIC).sum())


@dataclass(frozen=True)
class SwitchingValue:
    """Where battery EVs stop (or start) being the cheapest choice for a role, checked on both sides.

    ``low``/``high`` bracket the switch (equal to ``value`` +/- the tolerance
    when the search finished; wider when time ran out, and the note says so).
    """

    parameter: str
    role: str
    value: float | None
    current: float
    electric_below: int
    electric_above: int
    note: str = ""
    low: float | None = None
    high: float | None = None


def switching_value(fleet: Fleet, parameter: str, *, role: str, low: float, high: float, tolerance: float = 1e-4,
                    solver: str = DEFAULT_SOLVER, clock: Clock | None = None) -> SwitchingValue:
    """Bisect ``parameter`` on [low, high] for the value at which the number of ``role`` vehicles going electric changes.

    Re-solves the whole plan (cost objective, no budget or CO2 cap, whatever
    the file says) at each step; the result is verified by solving just below
    and just above it. If ``clock`` runs out, the bracket found so far is
    returned with a note instead of a value.
    """
    current = parameter_value(fleet, parameter)
    count = lambda v: _electric_count(with_parameter(fleet, parameter, v), role, solver, clock)  # noqa: E731
    try:
        at_low, at_high = count(low), count(high)
    except TimeLimitError as error:
        return SwitchingValue(parameter, role, None, current, 0, 0, f"not found: {_short(error)}")
    if at_low == at_high:
        return SwitchingValue(parameter, role, None, current, at_low, at_high,
                              f"no switch between {low:g} and {high:g}: {counted(at_low, role + ' vehicle')} electric throughout")
    a, b = low, high
    try:
        while (b - a) > tolerance * max(1.0, abs(b)):
            middle = (a + b) / 2
            if count(middle) == at_low:
                a = middle
            else:
                b = middle
        below, above = count(a), count(b)
    except TimeLimitError:
        return SwitchingValue(parameter, role, None, current, at_low, at_high,
                              f"between {a:.3g} and {b:.3g} (time ran out before narrowing it further)", a, b)
    return SwitchingValue(parameter, role, (a + b) / 2, current, below, above, "", a, b)


def _short(error: Exception) -> str:
    """An error's message without the fleet's name before it or its full stop: it is put inside a note's sentence
    (which ended "..": the message's stop and the note's own)."""
    text = str(error)
    return (text.split(": ", 1)[-1] if text.startswith("Fleet renewal") else text).rstrip(".")


def tradeoff_curve(fleet: Fleet, *, points: int = 8, solver: str = DEFAULT_SOLVER,
                   clock: Clock | None = None) -> pd.DataFrame:
    """Least whole-life cost for each CO2 cap between the cheapest plan's CO2 and the lowest achievable.

    Both ends ignore the file's budget and CO2 cap (the curve shows the whole
    trade-off). A cap whose solve is not proven optimal in time is kept as a
    row with no cost and a status saying why; if an end cannot be solved the
    curve is empty with that status.
    """
    columns = ["co2_cap_tonnes", "whole_life_cost", "co2_tonnes", "battery_evs", "status"]
    try:
        cheapest = _solve(fleet, clock, solver, objective=COST, budget=None, co2_cap=None)
        greenest = _solve(fleet, clock, solver, objective=CO2, budget=None, co2_cap=None)
    except TimeLimitError as error:
        return pd.DataFrame([{"co2_cap_tonnes": np.nan, "whole_life_cost": np.nan, "co2_tonnes": np.nan,
                              "battery_evs": np.nan, "status": f"skipped: {_short(error)}"}], columns=columns)
    rows = []
    for cap in np.linspace(cheapest.co2, greenest.co2, points):
        try:
            plan = _solve(fleet, clock, solver, objective=COST, budget=None, co2_cap=float(cap) + 1e-9)
            rows.append({"co2_cap_tonnes": float(cap), "whole_life_cost": plan.cost, "co2_tonnes": plan.co2,
                         "battery_evs": int(plan.choices["kind"].isin(ELECTRIC).sum()), "status": "proven optimal"})
        except TimeLimitError as error:
            rows.append({"co2_cap_tonnes": float(cap), "whole_life_cost": np.nan, "co2_tonnes": np.nan,
                         "battery_evs": np.nan, "status": f"skipped: {_short(error)}"})
    return pd.DataFrame(rows, columns=columns)


def tornado(fleet: Fleet, *, swing: float = TORNADO_SWING, solver: str = DEFAULT_SOLVER,
            clock: Clock | None = None) -> pd.DataFrame:
    """Optimal whole-life cost (no budget or CO2 cap) with each main price moved down and up by ``swing``, widest first.

    A price whose solves do not finish in time keeps its row, with no cost and a status saying why.
    """
    rows = []
    for parameter, (_, _, label) in PARAMETERS.items():
        current = parameter_value(fleet, parameter)
        low_value, high_value = current * (1 - swing), min(current * (1 + swing), 0.999999 if parameter == "grant_fraction" else np.inf)
        try:
            costs = [_solve(with_parameter(fleet, parameter, v), clock, solver, objective=COST, budget=None,
                            co2_cap=None).cost for v in (low_value, high_value)]
            status = "proven optimal"
        except TimeLimitError as error:
            costs, status = [np.nan, np.nan], f"skipped: {_short(error)}"
        rows.append({"parameter": parameter, "label": label, "low_value": low_value, "high_value": high_value,
                     "cost_at_low": costs[0], "cost_at_high": costs[1], "swing": abs(costs[1] - costs[0]),
                     "status": status})
    return pd.DataFrame(rows).sort_values("swing", ascending=False, ignore_index=True, na_position="last")


def compare_options(fleet: Fleet, vehicle: Vehicle, first: str, second: str) -> dict:
    """Whole-life cost and CO2 of two options for one vehicle: the report's Leaf vs diesel comparison."""
    a, b = costing(vehicle, fleet.option(first), fleet), costing(vehicle, fleet.option(second), fleet)
    return {"first": first, "second": second, "first_cost": a.whole_life, "second_cost": b.whole_life,
            "saving": 1 - a.whole_life / b.whole_life, "first_co2": a.co2_tonnes, "second_co2": b.co2_tonnes}


PRICE_STEP = 1_000.0  # the sensitivity of a headline saving: per £1,000 on the chosen option's price


def _dearer(option: Option) -> Option:
    """The option £1,000 dearer to buy, or £1,000 a year dearer to lease."""
    if option.finance == "lease":
        return option.model_copy(update={"lease_per_year": option.lease_per_year + PRICE_STEP})
    return option.model_copy(update={"price": option.price + PRICE_STEP})


def electric_headlines(fleet: Fleet, plan: FleetPlan) -> list[dict]:
    """Per role where the plan goes electric: the chosen option against like-for-like for a typical vehicle of that role.

    Returns rows with the role, vehicles switched, both options, the whole-life
    saving (share) for the vehicle alone, with its share of a charge point
    after the grant, and with no grant; how many points the saving moves per
    £1,000 on the option's price (or yearly lease); and tailpipe CO2 saved per
    vehicle per year (tonnes).
    """
    rows = []
    electric = plan.choices[plan.choices["kind"].isin(ELECTRIC)]
    points = fleet.spec.charge_points
    per_vehicle_after = charge_point_cost(fleet) / points.vehicles_per_point
    per_vehicle_full = points.cost_per_point / points.vehicles_per_point
    for (role, option), group in electric.groupby(["role", "option"]):
        vehicle = next(v for v in fleet.vehicles if v.id == group["vehicle"].iloc[0])
        comparison = compare_options(fleet, vehicle, option, vehicle.current)
        ev, like = comparison["first_cost"], comparison["second_cost"]
        dearer = costing(vehicle, _dearer(fleet.option(option)), fleet).whole_life
        rows.append({"role": role, "vehicles": len(group), "option": option, "like_for_like": vehicle.current,
                     "mean_daily_miles": vehicle.mean_daily_miles, "saving": comparison["saving"],
                     "saving_with_charge_point": 1 - (ev + per_vehicle_after) / like,
                     "saving_without_grant": 1 - (ev + per_vehicle_full) / like,
                     "charge_point_after_grant": per_vehicle_after, "charge_point_without_grant": per_vehicle_full,
                     "points_per_1000": (dearer - ev) / like * 100,
                     "price_basis": "yearly lease" if fleet.option(option).finance == "lease" else "price",
                     "co2_saved_per_vehicle_year": (comparison["second_co2"] - comparison["first_co2"]) / fleet.spec.appraisal.years})
    return rows


def lease_comparisons(fleet: Fleet) -> list[dict]:
    """Each leased option against buying the same kind of vehicle and against like-for-like, for a typical vehicle.

    Leases are costed as rentals for every appraisal year, so both routes
    cover the same years of use.
    """
    rows = []
    for lease in (o for o in fleet.spec.options if o.finance == "lease"):
        vehicle = next((v for v in fleet.vehicles if v.role in lease.roles and ineligible(v, lease, fleet) is None), None)
        bought = next((o for o in fleet.spec.options if o.finance == "purchase" and o.kind == lease.kind
                       and set(lease.roles) & set(o.roles)), None)
        if vehicle is None or bought is None:
            continue
        cost = costing(vehicle, lease, fleet).whole_life
        rows.append({"lease": lease.name, "role": vehicle.role, "bought": bought.name, "like_for_like": vehicle.current,
                     "vs_buying": cost / costing(vehicle, bought, fleet).whole_life - 1,
                     "vs_like_for_like": cost / costing(vehicle, fleet.option(vehicle.current), fleet).whole_life - 1,
                     "years": fleet.spec.appraisal.years})
    return rows


def co2_saved(fleet: Fleet, plan: FleetPlan, *, months: float) -> float:
    """Tailpipe (or scoped) CO2 the plan saves against like-for-like over ``months`` of use, in tonnes."""
    per_appraisal = plan.baseline_co2 - plan.co2
    return per_appraisal * months / (12 * fleet.spec.appraisal.years)


@dataclass(frozen=True)
class SiteLimitEffect:
    """What the fleet file's ``charge_points.max_per_site`` changed in the plan.

    ``vehicles`` lists each vehicle that takes a plug-in option (battery EV or
    plug-in hybrid) when the plan is solved again without the limit, at a site
    where the limit holds: its site, its option under the limit and without it.
    ``sites`` are those vehicles' sites; ``needed`` is the most charge points
    any of them takes without the limit. ``note`` says why the comparison
    could not be made, if it could not.
    """

    limit: int
    sites: tuple[str, ...]
    vehicles: pd.DataFrame
    needed: int = 0
    cost_without: float = float("nan")
    co2_without: float = float("nan")
    note: str = ""


def site_limit_effect(fleet: Fleet, plan: FleetPlan, *, budget: float | None, co2_cap: float | None,
                      solver: str = DEFAULT_SOLVER, clock: Clock | None = None) -> SiteLimitEffect | None:
    """Which vehicles a binding charge-point limit per site kept off plug-in options.

    The plan is solved again, with the same objective, budget and CO2 cap but
    no ``max_per_site``; vehicles at sites already at the limit that go
    plug-in without it are the ones the limit held back. Returns ``None``
    when the file sets no limit or no site is at it.
    """
    limit = fleet.spec.charge_points.max_per_site
    if limit is None:
        return None
    full = tuple(plan.sites.loc[plan.sites["charge_points"] >= limit, "site"])
    if not full:
        return None
    columns = ["vehicle", "site", "option", "option_without_limit"]
    free = fleet.model_copy(update={"spec": fleet.spec.model_copy(update={
        "charge_points": fleet.spec.charge_points.model_copy(update={"max_per_site": None})})})
    try:
        unlimited = _solve(free, clock, solver, objective=plan.objective, budget=budget, co2_cap=co2_cap)
    except TimeLimitError as error:
        return SiteLimitEffect(limit, full, pd.DataFrame(columns=columns), note=f"not found: {_short(error)}")
    both = plan.choices[["vehicle", "site", "option", "kind"]].merge(
        unlimited.choices[["vehicle", "option", "kind"]], on="vehicle", suffixes=("", "_without_limit"))
    held = both[both["site"].isin(full) & ~both["kind"].isin(PLUG_IN) & both["kind_without_limit"].isin(PLUG_IN)]
    sites = tuple(s for s in full if s in set(held["site"]))
    needed = int(unlimited.sites.loc[unlimited.sites["site"].isin(sites), "charge_points"].max()) if sites else 0
    return SiteLimitEffect(limit, sites, held[columns].reset_index(drop=True), needed, unlimited.cost, unlimited.co2)


SWITCHING_RANGES = {"electricity_per_kwh": (0.01, 1.0), "grant_fraction": (0.0, 1.0)}


def _unconstrained(objective: str, *, budget: float | None, co2_cap: float | None) -> bool:
    return objective == COST and budget is None and co2_cap is None


@dataclass
class FleetReport:
    """The plan and the questions asked of it: headlines, switching values, trade-off, tornado, and what was skipped."""

    plan: FleetPlan
    headlines: list[dict]
    switching: list[tuple[SwitchingValue, str]]
    tradeoff: pd.DataFrame
    tornado: pd.DataFrame
    leases: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    site_limit: SiteLimitEffect | None = None
    budget: float | None = None
    co2_cap: float | None = None

    @property
    def unconstrained(self) -> bool:
        """Whether the plan is the cheapest with no budget or CO2 cap: the plan the switching values and sensitivity
        are read from (otherwise they are read from that cheapest plan, solved besides)."""
        return _unconstrained(self.plan.objective, budget=self.budget, co2_cap=self.co2_cap)

    def switching_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"parameter": v.parameter, "label": label, "role": v.role, "switching_value": v.value,
                              "current": v.current, "electric_below": v.electric_below, "electric_above": v.electric_above,
                              "note": v.note} for v, label in self.switching],
                            columns=["parameter", "label", "role", "switching_value", "current", "electric_below",
                                     "electric_above", "note"])


def fleet_report(fleet: Fleet, *, objective: str = COST, budget: float | str | None = FROM_FILE,
                 co2_cap: float | str | None = FROM_FILE, solver: str = DEFAULT_SOLVER,
                 time_limit: float | None = DEFAULT_TIME_LIMIT) -> FleetReport:
    """Solve the renewal plan and work out what a planner asks of it.

    The plan's solve may take ``time_limit`` seconds (a plan not proven
    optimal in time raises :class:`TimeLimitError`); the what-if analyses
    (switching values, tornado, trade-off curve) share as much again, each
    solve at most a sixth of it: what does not finish is skipped or left
    coarser, and ``notes`` says so. Switching values are found for the role
    with the most battery EVs in the cost-optimal plan (or the first role
    that could have one).
    """
    started = time.perf_counter()
    plan = solve_fleet(fleet, objective=objective, budget=budget, co2_cap=co2_cap, solver=solver, time_limit=time_limit)
    # Each what-if solve gets at most a sixth of the allowance, so one hard point cannot starve the rest.
    clock = Clock(time_limit, per_solve=None if time_limit is None else max(time_limit / 6, 1.0))
    notes = [note for note in (thousands_note(fleet),) if note]
    budget = fleet.spec.limits.budget if budget == FROM_FILE else budget
    co2_cap = fleet.spec.limits.co2_cap_tonnes if co2_cap == FROM_FILE else co2_cap
    unconstrained = _unconstrained(objective, budget=budget, co2_cap=co2_cap)
    site_limit = site_limit_effect(fleet, plan, budget=budget, co2_cap=co2_cap, solver=solver, clock=clock)
    if site_limit is not None and site_limit.note:
        notes.append(f"Charge-point limit per site: its effect was {site_limit.note}.")
    try:
        cheapest = plan if unconstrained else _solve(fleet, clock, solver, objective=COST, budget=None, co2_cap=None)
    except TimeLimitError as error:
        cheapest = None
        notes.append(f"Switching values skipped: the cheapest plan without limits was not proven in time ({_short(error)}).")
    switching = []
    if cheapest is not None:
        electric = cheapest.choices[cheapest.choices["kind"].isin(ELECTRIC)]["role"]
        candidates = [v.role for v in fleet.vehicles if any(ineligible(v, o, fleet) is None
                                                            for o in fleet.spec.options if o.kind in ELECTRIC)]
        role = electric.mode().iloc[0] if not electric.empty else (candidates[0] if candidates else None)
        if role is not None:
            for parameter, (low, high) in SWITCHING_RANGES.items():
                switching.append((switching_value(fleet, parameter, role=role, low=low, high=high, solver=solver,
                                                  clock=clock), PARAMETERS[parameter][2]))
    spread = tornado(fleet, solver=solver, clock=clock)  # cost-only solves: quick, so first
    tradeoff = tradeoff_curve(fleet, solver=solver, clock=clock)
    for value, label in switching:
        if value.value is None and (value.note.startswith("not found") or value.note.startswith("between")):
            notes.append(f"Switching value for the {label}: {value.note}.")
    skipped = int(tradeoff["status"].str.startswith("skipped").sum())
    if skipped:
        notes.append(f"Cost-CO2 trade-off: {skipped} of {counted(len(tradeoff), 'point')} skipped (not proven optimal within the "
                     f"time allowed: {clock.per_solve:g} s a solve, {time_limit:g} s for all the what-ifs); the curve "
                     "shows the rest.")
    skipped = int(spread["status"].str.startswith("skipped").sum())
    if skipped:
        notes.append(f"Sensitivity: {skipped} of {counted(len(spread), 'price')} skipped (not proven optimal within the "
                     "time allowed).")
    return FleetReport(plan=plan, headlines=electric_headlines(fleet, plan), switching=switching, tradeoff=tradeoff,
                       tornado=spread, leases=lease_comparisons(fleet), notes=notes,
                       seconds=time.perf_counter() - started, site_limit=site_limit, budget=budget, co2_cap=co2_cap)

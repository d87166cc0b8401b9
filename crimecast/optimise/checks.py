"""Independent checks of the optimisers: a fine grid for allocations, brute force for fleets.

Neither uses a solver, so each can catch a wrong "optimal" answer. They are
exhaustive and only for small problems (tests and bench/optimise_checks.py).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from crimecast.optimise.allocate import AllocationSpec, Limit, Recipient
from crimecast.optimise.curves import ResponseCurve
from crimecast.optimise.fleet import CO2, CO2_TIE_BREAK, COST, PLUG_IN, WEIGHTED, charge_point_cost, costing, ineligible
from crimecast.optimise.fleet_spec import Fleet, Vehicle
from crimecast.optimise.model import GE, LE


def _range(spec: AllocationSpec, key: str) -> tuple[float, float]:
    recipient = next(r for r in spec.recipients if r.key == key)
    lows = [limit.amount for limit in recipient.limits if limit.sense == GE]
    highs = [limit.amount for limit in recipient.limits if limit.sense == LE]
    return max([0.0, *lows]), min([spec.budget, *highs])


def grid_optimum(spec: AllocationSpec, *, steps: int = 600) -> float:
    """Best total outcome over a fine grid for a three-recipient spec (recipient bounds and the budget only).

    The first two recipients take ``steps`` grid values each over their
    ranges; the third takes whatever is left, up to its ceiling. A lower
    bound on the true optimum (every grid plan is feasible); ``-inf`` if no
    grid plan is.
    """
    keys = [r.key for r in spec.recipients]
    if len(keys) != 3 or len(spec.curves) != 1 or spec.schemes or spec.shares or spec.protected_key:
        raise ValueError("grid_optimum checks three recipients, one curve set, bounds and budget only")
    curves = spec.curves[0]
    (la, ha), (lb, hb), (lc, hc) = (_range(spec, k) for k in keys)
    a = np.linspace(la, ha, steps)[:, None]
    b = np.linspace(lb, hb, steps)[None, :]
    c = np.minimum(hc, spec.budget - a - b)
    feasible = (c >= lc - 1e-9) & (a + b <= spec.budget + 1e-9)
    total = curves[keys[0]](a) + curves[keys[1]](b) + curves[keys[2]](np.maximum(c, 0.0))
    return float(np.where(feasible, total, -np.inf).max())


def fleet_brute_force(fleet: Fleet, *, objective: str = COST, budget: float | None = None,
                      co2_cap: float | None = None) -> float | None:
    """The optimal objective by enumerating every choice of option per vehicle (``None``: no plan is feasible).

    Charge points per site are the fewest that serve its plug-in vehicles
    (more only cost money, and the model allows no more); a site over its
    limit makes the plan infeasible. ``co2`` breaks ties by cost, as the
    model does.
    """
    spec = fleet.spec
    per_point = spec.charge_points.vehicles_per_point
    point_cost = charge_point_cost(fleet)
    choices = []
    for vehicle in fleet.vehicles:
        options = [o for o in spec.options if ineligible(vehicle, o, fleet) is None]
        if not options:
            return None
        choices.append([(vehicle.site, o.kind in PLUG_IN, costing(vehicle, o, fleet)) for o in options])
    best = None
    for combination in itertools.product(*choices):
        cost = sum(c.whole_life for _, _, c in combination)
        co2 = sum(c.co2_tonnes for _, _, c in combination)
        plugged: dict[str, int] = {}
        for site, plug, _ in combination:
            plugged[site] = plugged.get(site, 0) + int(plug)
        points = {site: math.ceil(n / per_point) for site, n in plugged.items()}
        if spec.charge_points.max_per_site is not None and any(p > spec.charge_points.max_per_site for p in points.values()):
            continue
        cost += point_cost * sum(points.values())
        if (budget is not None and cost > budget + 1e-6) or (co2_cap is not None and co2 > co2_cap + 1e-9):
            continue
        if objective == CO2:
            value = co2 + CO2_TIE_BREAK * cost
        elif objective == WEIGHTED:
            value = cost + spec.limits.carbon_price_per_tonne * co2
        else:
            value = cost
        best = value if best is None else min(best, value)
    return best


SHIPPED_ROLES = {"diary-car": "Diesel 1.3L (purchase)", "scheduled-response": "Diesel 1.3L (purchase)",
                 "24h-response": "Diesel 2.0L response car (purchase)", "van": "Diesel small van (purchase)"}


def random_allocation(rng: np.random.Generator) -> AllocationSpec:
    """Three recipients, random curves (half concave, half S-shaped), floors and ceilings, budget."""
    budget = float(rng.uniform(1e5, 1e7))
    s_shaped = rng.random() < 0.5
    recipients, curves = [], {}
    for key in ("a", "b", "c"):
        floor = float(rng.uniform(0, 0.2) * budget)
        ceiling = float(floor + rng.uniform(0.15, 0.8) * budget)
        recipients.append(Recipient(key, key, budget / 3, limits=(Limit("floor", GE, floor, f"{key} floor", "floor"),
                                                                  Limit("ceiling", LE, ceiling, f"{key} ceiling", "ceiling"))))
        steepness = float(rng.uniform(1.5, 4.0)) if s_shaped else float(rng.uniform(0.5, 1.0))
        curves[key] = ResponseCurve(float(rng.uniform(10, 1000)), float(rng.uniform(0.05, 0.6) * budget), steepness)
    return AllocationSpec(recipients=tuple(recipients), curves=(curves,), budget=budget)


def random_fleet(shipped: Fleet, rng: np.random.Generator) -> Fleet:
    """3-6 vehicles over 1-3 sites with varied mileage and time at base; a small site limit some of the time."""
    vehicles = []
    sites = int(rng.integers(1, 4))
    for i in range(int(rng.integers(3, 7))):
        role = str(rng.choice(list(SHIPPED_ROLES)))
        mean = float(np.round(rng.uniform(10, 110), 1))
        vehicles.append(Vehicle(id=f"V{i}", site=f"s{rng.integers(sites)}", role=role, mean_daily_miles=mean,
                                p95_daily_miles=float(np.round(mean * rng.uniform(1.0, 1.6), 1)),
                                dwell_hours=float(rng.choice([2, 6, 10, 14])), current=SHIPPED_ROLES[role]))
    points = shipped.spec.charge_points.model_copy(update={
        "max_per_site": int(rng.choice([1, 2, 4])), "vehicles_per_point": int(rng.choice([1, 1, 2])),
        "grant_fraction": float(rng.choice([0.0, 0.6, 1.0]))})
    prices = shipped.spec.prices.model_copy(update={"electricity_per_kwh": float(rng.uniform(0.05, 0.3)),
                                                    "fuel_per_litre": float(rng.uniform(0.9, 1.6))})
    return shipped.model_copy(update={"vehicles": tuple(vehicles), "spec": shipped.spec.model_copy(
        update={"charge_points": points, "prices": prices})})


def fleet_case(fleet: Fleet, kind: int, rng: np.random.Generator) -> dict:
    """Solve options for a check: 0 cost only, 1 least CO2 within a budget, 2 least cost under a CO2 cap."""
    cheapest = fleet_brute_force(fleet)
    if kind == 0 or cheapest is None:
        return {"objective": COST, "budget": None, "co2_cap": None}
    greenest_co2 = fleet_brute_force(fleet, objective=CO2)
    if kind == 1:
        return {"objective": CO2, "budget": cheapest * float(rng.uniform(1.0, 1.15)), "co2_cap": None}
    low = greenest_co2 if greenest_co2 is not None else 0.0  # CO2 (plus a tiny cost tie-break) of the greenest plan
    return {"objective": COST, "budget": None, "co2_cap": low * float(rng.uniform(0.98, 1.5))}


def objective_of(plan, objective: str) -> float:
    """The value the model minimised for ``plan`` (CO2 with its cost tie-break, or cost)."""
    return plan.co2 + CO2_TIE_BREAK * plan.cost if objective == CO2 else plan.cost



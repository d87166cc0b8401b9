"""Independent checks of the optimisers: a fine grid for allocations, brute force for fleets.

Neither uses a solver, so each can catch a wrong "optimal" answer. They are
exhaustive and only for small problems (tests and bench/optimise_checks.py).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from crimecast.optimise.allocate import AllocationSpec
from crimecast.optimise.fleet import CO2, COST, PLUG_IN, WEIGHTED, charge_point_cost, costing, ineligible
from crimecast.optimise.fleet_spec import Fleet
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
    from crimecast.optimise.fleet import CO2_TIE_BREAK

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

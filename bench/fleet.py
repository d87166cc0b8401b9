"""Fleet renewal at scale: a seeded 1,000-vehicle, 50-site fleet solved to proven optimality (target: under 30 s).

Vehicles are drawn (seeded) over the shipped options' roles with varied
mileage and time at base, and each site may hold at most 12 charge points,
so the site limits bind. Writes the "fleet" section of bench/RESULTS.md,
with the shipped example's check against the report's headline.

    python bench/fleet.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.results import machine, write_section  # noqa: E402
from crimecast.optimise.fleet import COST, CO2, compare_options, costing, solve_fleet  # noqa: E402
from crimecast.optimise.fleet_spec import Fleet, Vehicle, load_fleet  # noqa: E402

VEHICLES, SITES, SEED = 1000, 50, 2013
ROLES = {"diary-car": ("Diesel 1.3L (purchase)", 0.5, 45), "scheduled-response": ("Diesel 1.3L (purchase)", 0.15, 60),
         "24h-response": ("Diesel 2.0L response car (purchase)", 0.2, 120), "van": ("Diesel small van (purchase)", 0.15, 35)}


def big_fleet(shipped: Fleet) -> Fleet:
    rng = np.random.default_rng(SEED)
    roles = rng.choice(list(ROLES), size=VEHICLES, p=[r[1] for r in ROLES.values()])
    vehicles = []
    for i, role in enumerate(roles):
        current, _, typical = ROLES[role]
        mean = float(np.round(rng.gamma(8, typical / 8), 1)) + 1
        vehicles.append(Vehicle(id=f"V{i:04d}", site=f"site-{rng.integers(SITES) + 1:02d}", role=role, mean_daily_miles=mean,
                                p95_daily_miles=float(np.round(mean * rng.uniform(1.1, 1.8), 1)),
                                dwell_hours=float(rng.choice([2, 8, 12, 14, 16])), current=current))
    points = shipped.spec.charge_points.model_copy(update={"max_per_site": 12})
    return shipped.model_copy(update={"vehicles": tuple(vehicles),
                                      "spec": shipped.spec.model_copy(update={"charge_points": points})})


def main() -> None:
    shipped = load_fleet("fleet-2013")
    diary = next(v for v in shipped.vehicles if v.role == "diary-car")
    leaf = compare_options(shipped, diary, "Nissan Leaf (purchase)", "Diesel 1.3L (purchase)")
    thirty = [v for v in shipped.vehicles if v.role == "diary-car"]
    co2 = sum(costing(v, shipped.option(v.current), shipped).co2_tonnes for v in thirty) / shipped.spec.appraisal.years * 10 / 12
    fleet = big_fleet(shipped)
    rows = ["| objective | solver | seconds | vehicles | sites | binary + integer variables | battery EVs | charge points |",
            "|---|---|---|---|---|---|---|---|"]
    slowest = 0.0
    for objective, solver in ((COST, "highs"), (CO2, "highs"), (COST, "cbc")):
        started = time.perf_counter()
        plan = solve_fleet(fleet, objective=objective, solver=solver)
        seconds = time.perf_counter() - started
        slowest = max(slowest, seconds)
        rows.append(f"| {objective} | {solver} | {seconds:.2f} | {VEHICLES} | {SITES} | {len(plan.solution.values)} | "
                    f"{int((plan.choices['kind'] == 'battery-ev').sum())} | {int(plan.sites['charge_points'].sum())} |")
    body = "\n".join([
        "## Electric fleet", "", "`python bench/fleet.py`", "", f"Measured {machine()}.", "",
        f"**The report's headline with the shipped assumptions** (`fleet-2013.yaml`): a Leaf bought for a diary car at "
        f"45 miles a day is {leaf['saving']:.1%} cheaper over {shipped.spec.appraisal.years} years than the diesel 1.3L "
        f"(report: 9.5%; tolerance 1.5 points); 30 Leafs save {co2:.1f} t of tailpipe CO2 in ten months "
        "(report: over 41 t; tolerance 25%).", "",
        f"**Scale**: a seeded {VEHICLES}-vehicle, {SITES}-site fleet (at most 12 charge points a site), each solve proven "
        "optimal (time includes building the model):", "", *rows, "",
        f"Target (under 30 seconds): {'met' if slowest < 30 else '**missed**'} (slowest {slowest:.2f} s).",
    ])
    write_section("fleet", body)
    print(body)


if __name__ == "__main__":
    main()

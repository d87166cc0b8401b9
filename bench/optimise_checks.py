"""Independent checks of both optimisers, both solvers (writes the "optimise-checks" section of bench/RESULTS.md).

1. Allocations: 200 seeded random three-recipient problems (concave and
   S-shaped curves, floors and ceilings) solved by HiGHS and by CBC, each
   compared with the best plan on a 600 x 600 grid, and its proven bound
   checked against the grid (no grid plan may beat the bound).
2. Fleets: 1,000 seeded random small fleets (3-6 vehicles, 1-3 sites, the
   shipped options), a third each cost-only, CO2 within a budget and cost
   under a CO2 cap, solved by HiGHS and by CBC and compared with brute force.
   The CO2-within-budget cases are also solved by CBC with its preprocessing
   on (the old setting) to show what the fix prevents.
3. The shipped Community Safety Fund: Birmingham's -10% limit priced by exact
   re-solve with each solver.

    python bench/optimise_checks.py [--allocations 200] [--fleets 1000]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.results import machine, write_section  # noqa: E402
from crimecast.errors import InfeasibleError  # noqa: E402
from crimecast.optimise import solver as solver_module  # noqa: E402
from crimecast.optimise.allocate import AllocationSpec, Limit, Recipient, allocate  # noqa: E402
from crimecast.optimise.checks import (fleet_brute_force, fleet_case, grid_optimum, objective_of,  # noqa: E402
                                       random_allocation, random_fleet)
from crimecast.optimise.curves import ResponseCurve  # noqa: E402
from crimecast.optimise.fleet import solve_fleet  # noqa: E402
from crimecast.optimise.fleet_spec import load_fleet  # noqa: E402
from crimecast.optimise.model import GE, LE  # noqa: E402

SEED = 16
def check_fleets(count: int) -> tuple[list[str], dict]:
    rng = np.random.default_rng(SEED)
    shipped = load_fleet("fleet-2013")
    tallies = {name: {"cases": 0, "match": 0, "infeasible_agree": 0, "wrong": 0, "seconds": 0.0}
               for name in ("highs", "cbc", "cbc, preprocessing on (old)")}
    by_kind = {0: "cost only", 1: "CO2 within a budget", 2: "cost under a CO2 cap"}
    kinds = {k: 0 for k in by_kind}
    worst = {"highs": 0.0, "cbc": 0.0, "cbc, preprocessing on (old)": 0.0}
    for index in range(count):
        fleet = random_fleet(shipped, rng)
        kind = index % 3
        kinds[kind] += 1
        case = fleet_case(fleet, kind, rng)
        truth = fleet_brute_force(fleet, **case)
        runs = [("highs", "highs", solver_module.CBC_OPTIONS), ("cbc", "cbc", solver_module.CBC_OPTIONS)]
        if kind == 1:
            runs.append(("cbc, preprocessing on (old)", "cbc", ()))
        for name, solver, options in runs:
            saved = solver_module.CBC_OPTIONS
            solver_module.CBC_OPTIONS = options
            tally = tallies[name]
            tally["cases"] += 1
            started = time.perf_counter()
            try:
                plan = solve_fleet(fleet, solver=solver, **case)
                value = objective_of(plan, case["objective"])
                error = abs(value - truth) / max(abs(truth), 1e-9) if truth is not None else np.inf
                worst[name] = max(worst[name], error)
                tally["match" if error <= 1e-6 else "wrong"] += 1
            except InfeasibleError:
                tally["infeasible_agree" if truth is None else "wrong"] += 1
            finally:
                solver_module.CBC_OPTIONS = saved
                tally["seconds"] += time.perf_counter() - started
    rows = ["| solver | fleets | match brute force (within 1e-6) | both infeasible | wrong | largest error | seconds |",
            "|---|---|---|---|---|---|---|"]
    for name, t in tallies.items():
        rows.append(f"| {name} | {t['cases']} | {t['match']} | {t['infeasible_agree']} | {t['wrong']} | "
                    f"{worst[name]:.1e} | {t['seconds']:.1f} |")
    return rows, {"kinds": {by_kind[k]: v for k, v in kinds.items()}, "tallies": tallies}


def check_allocations(count: int) -> tuple[list[str], dict]:
    rng = np.random.default_rng(SEED)
    specs = [random_allocation(rng) for _ in range(count)]
    rows = ["| solver | problems | largest shortfall against the grid | problems short by more than 0.01% | "
            "bound beaten by the grid | largest proven gap | seconds |", "|---|---|---|---|---|---|---|"]
    summary = {}
    grids = [grid_optimum(spec) for spec in specs]
    for solver in ("highs", "cbc"):
        shortfalls, beaten, gaps, failures = [], 0, [], 0
        started = time.perf_counter()
        for spec, grid in zip(specs, grids):
            try:
                allocation = allocate(spec, solver=solver)
            except InfeasibleError:
                failures += 1
                continue
            shortfalls.append((grid - allocation.true_outcome) / grid)
            beaten += grid > allocation.bound * (1 + 1e-12)
            gaps.append(allocation.approximation_error)
        seconds = time.perf_counter() - started
        shortfalls = np.array(shortfalls)
        rows.append(f"| {solver} | {len(shortfalls)} | {shortfalls.max():.2e} | {(shortfalls > 1e-4).sum()} | {beaten} | "
                    f"{max(gaps):.1e} | {seconds:.1f} |")
        summary[solver] = {"max_shortfall": float(shortfalls.max()), "beaten": int(beaten), "failures": failures}
    return rows, summary


def birmingham_price() -> list[str]:
    from crimecast.data.load import load_counts
    from crimecast.data.series import with_totals
    from crimecast.optimise.assumptions import load_assumptions
    from crimecast.optimise.csf import baseline_crime, build_spec
    from crimecast.optimise.weights import weights_for

    assumptions, source = load_assumptions()
    counts = with_totals(load_counts(assumptions.forecast.data))
    baselines, _, _ = baseline_crime(counts, assumptions, source=source, jobs=1)
    spec = build_spec(assumptions, baselines, weights_for("crimes"))
    lines = []
    for solver in ("highs", "cbc"):
        optimal = allocate(spec, solver=solver)
        again = allocate(dataclasses.replace(spec, dropped=frozenset({"change-down:birmingham"})), solver=solver)
        lines.append(f"- {solver}: Birmingham's -10% limit costs {again.true_outcome - optimal.true_outcome:.4f} crimes "
                     f"(exact to ± {again.gap + optimal.gap:.1e}: the two solves' proven gaps)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--allocations", type=int, default=200)
    parser.add_argument("--fleets", type=int, default=1000)
    args = parser.parse_args()
    started = time.perf_counter()
    allocation_rows, allocation_summary = check_allocations(args.allocations)
    fleet_rows, fleet_summary = check_fleets(args.fleets)
    price_lines = birmingham_price()
    kinds = ", ".join(f"{v} {k}" for k, v in fleet_summary["kinds"].items())
    body = "\n".join([
        "## Optimisers: independent checks", "", "`python bench/optimise_checks.py`", "",
        f"Measured {machine()}; seed {SEED}; {time.perf_counter() - started:.0f} s in all.", "",
        f"**Allocations** ({args.allocations} random three-recipient problems, half concave and half S-shaped curves, "
        "floors and ceilings; the grid is 600 x 600 over the first two recipients' ranges, the third taking the rest). "
        "Shortfall is (grid best - plan's true outcome) / grid best: negative means the plan beats the grid.", "",
        *allocation_rows, "",
        f"**Fleets** ({args.fleets} random fleets of 3-6 vehicles on 1-3 sites with the shipped options; {kinds}; "
        "random prices, grant, site limits and vehicles per point), against brute-force enumeration:", "",
        *fleet_rows, "",
        "**Shipped Community Safety Fund, price by exact re-solve:**", "", *price_lines,
    ])
    write_section("optimise-checks", body)
    print(body)


if __name__ == "__main__":
    main()

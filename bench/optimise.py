"""Community Safety Fund solve times (target: under 2 seconds including uncertainty with 200 sampled curves).

Baseline crime is forecast once (not timed); then the allocation problem is
solved five times each way and the median wall time reported: the central
allocation, the allocation over 200 sampled curve sets (mean and CVaR), and
the same with S-shaped curves (binaries). Writes the "optimise" section of
bench/RESULTS.md.

    python bench/optimise.py
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.results import machine, no_options, write_section  # noqa: E402
from crimecast.data.load import load_counts  # noqa: E402
from crimecast.data.series import with_totals  # noqa: E402
from crimecast.optimise.allocate import CVAR, allocate, initial_points  # noqa: E402
from crimecast.optimise.assumptions import load_assumptions  # noqa: E402
from crimecast.optimise import csf  # noqa: E402
from crimecast.optimise.csf import baseline_crime, build_spec, curves_for  # noqa: E402
from crimecast.optimise.curves import ResponseCurve  # noqa: E402
from crimecast.optimise.weights import weights_for  # noqa: E402

REPEATS = 5
SAMPLES = 200


def _timed(spec) -> tuple[float, object]:
    times, allocation = [], None
    for _ in range(REPEATS):
        started = time.perf_counter()
        allocation = allocate(spec)
        times.append(time.perf_counter() - started)
    return statistics.median(times), allocation


def _s_shaped(curves: tuple) -> tuple:
    return tuple({k: ResponseCurve(c.ceiling, c.half_spend, 2.0) for k, c in sample.items()} for sample in curves)


def _prices_warm_and_cold(spec) -> tuple[list[str], float, float]:
    """The binding constraints' prices as the optimiser gives them (each re-solve started from the optimum's
    refinements) and from fresh breakpoints: rows, and the two timings."""
    optimal = allocate(spec)
    started = time.perf_counter()
    warm = csf._prices(spec, optimal, "highs", None)
    warm_seconds = time.perf_counter() - started
    fresh = csf.warm_points
    csf.warm_points = lambda relaxed, near: initial_points(relaxed)  # the search from scratch, for comparison
    try:
        started = time.perf_counter()
        cold = csf._prices(spec, optimal, "highs", None)
        cold_seconds = time.perf_counter() - started
    finally:
        csf.warm_points = fresh
    rows = ["| binding constraint | price, warm start | price, from scratch | difference | warm tolerance (±) |",
            "|---|---|---|---|---|"]
    for w, c in zip(warm.itertuples(), cold.itertuples()):
        rows.append(f"| {w.description} | {w.price:.4f} | {c.price:.4f} | {abs(w.price - c.price):.1e} | "
                    f"{w.price_tolerance:.1e} |")
    return rows, warm_seconds, cold_seconds


def main() -> None:
    no_options(__doc__)
    assumptions, source = load_assumptions()
    counts = with_totals(load_counts(assumptions.forecast.data))
    baselines, year, _ = baseline_crime(counts, assumptions, source=source, jobs=2)
    weights = weights_for("crimes")
    central = build_spec(assumptions, baselines, weights)
    sampled = curves_for(assumptions, baselines, weights, samples=SAMPLES)
    cases = {
        "central concave curves": central,
        f"{SAMPLES} sampled curve sets, mean": dataclasses.replace(central, curves=sampled),
        f"{SAMPLES} sampled curve sets, CVaR 20%": dataclasses.replace(central, curves=sampled, measure=CVAR),
        "central S-shaped curves (binaries)": dataclasses.replace(central, curves=_s_shaped(central.curves)),
        f"{SAMPLES} sampled S-shaped curve sets, mean (binaries)": dataclasses.replace(central, curves=_s_shaped(sampled)),
    }
    rows = ["| problem | median seconds (5 runs) | variables | constraints | refinements | proven gap to the true optimum |",
            "|---|---|---|---|---|---|"]
    worst = 0.0
    for name, spec in cases.items():
        seconds, allocation = _timed(spec)
        worst = max(worst, seconds)
        rows.append(f"| {name} | {seconds:.3f} | {len(allocation.problem.variables)} | {len(allocation.problem.constraints)} | "
                    f"{allocation.refinements} | {allocation.approximation_error:.2e} |")
    verdict = "met" if worst < 2.0 else "**missed**"
    price_rows, warm_seconds, cold_seconds = _prices_warm_and_cold(central)
    body = "\n".join([
        "## Community Safety Fund: solve time", "", "`python bench/optimise.py`", "",
        f"Measured {machine()}; shipped assumptions ({source.split('/')[-1]}), {len(central.recipients)} recipients, "
        f"{len(central.schemes)} invest-to-save schemes, HiGHS via PuLP, {year} baseline crime (forecast once, not timed). "
        "Each time includes building the model, every breakpoint refinement, the proven-optimal solves and the "
        "upper-bound solves that prove the plan within the gap shown of the best possible on the true curves.", "",
        *rows, "",
        f"Every problem is mixed-integer (the schemes are yes/no). Target (under 2 seconds, including uncertainty "
        f"with {SAMPLES} sampled curves): {verdict} (slowest {worst:.2f} s).", "",
        "Binding constraints' prices (each by solving again without the constraint, or with £10,000 more): started "
        f"from the optimum's refined breakpoints, as `forecast optimise csf` does, **{warm_seconds:.2f} s**; from fresh "
        f"breakpoints {cold_seconds:.2f} s. Both are proven within their gaps, so they may differ by up to the sum of "
        "the two tolerances:", "", *price_rows,
    ])
    write_section("optimise", body)
    print(body)


if __name__ == "__main__":
    main()

"""Scenario benchmark: run time of the shipped examples, the 2013/14 replay, and honest totals.

1. Each shipped example run as `forecast scenario run` would (default model,
   1,000 paths, 2 workers): wall time, and for the replay the violence with
   injury forecast against the published +8.7%.
2. Coherent totals on the real London borough panel (../shared/data): each
   borough's categories are forecast separately and added up path by path to
   a financial-year total, paired three ways (independent, the copula pairing
   crimecast uses, fully comonotonic), plus the total forecast directly. The
   80% interval of the total should contain the actual about 80% of the time.

    python bench/scenarios.py              # about 5 minutes on 2 cores
    python bench/scenarios.py --boroughs 8 # a quick look
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.results import SHARED_DATA, machine, write_section  # noqa: E402
from crimecast.data.calendar import financial_year_months  # noqa: E402
from crimecast.data.load import ColumnMap, load_counts  # noqa: E402
from crimecast.data.series import TOTAL_CATEGORY, series_of, with_totals  # noqa: E402
from crimecast.forecast.models import CrimeForecaster  # noqa: E402
from crimecast.forecast.reconcile import correlate_paths, history_correlation  # noqa: E402
from crimecast.forecast.panel import series_seed  # noqa: E402
from crimecast.scenarios.run import run_scenario  # noqa: E402
from crimecast.scenarios.spec import example_names, load_scenario  # noqa: E402

LONDON = SHARED_DATA / "london-mps-borough-monthly-2010-04_2023-09.csv"
EXCLUDED_AREAS = ("aviation-security-so18", "london-heathrow-and-london-city-airports", "unknown", "force")
ORIGINS = ("2017-03", "2018-03", "2021-03", "2022-03")  # financial years 2017/18, 2018/19, 2021/22, 2022/23 (no lockdown year)
PATHS = 1000
SEED = 2014


def examples() -> str:
    rows = ["| example | series forecast | wall seconds | what it shows |", "|---|---|---|---|"]
    for name in example_names():
        started = time.perf_counter()
        result = run_scenario(load_scenario(name), jobs=2)
        seconds = time.perf_counter() - started
        years = result.financial_years().set_index(["category", "area"])
        if name == "domestic-abuse-uplift":
            vwi = years.loc[("violence-with-injury", "force")]
            shows = (f"violence with injury 2013/14: baseline {vwi.baseline_change:+.1%}, scenario "
                     f"{vwi.scenario_change_mean:+.1%} (80% {vwi.scenario_change_lo80:+.1%} to {vwi.scenario_change_hi80:+.1%}), "
                     f"published {vwi.actual_change:+.1%}")
        else:
            trc = years.loc[(TOTAL_CATEGORY, "force")]
            shows = (f"total recorded crime {trc.financial_year}: {trc.difference_mean:+,.0f} crimes "
                     f"(80% {trc.difference_lo80:+,.0f} to {trc.difference_hi80:+,.0f})")
        rows.append(f"| {name} | {len(result.baseline.bottom)} | {seconds:.1f} | {shows} |")
    return "\n".join(rows)


def _borough_case(item) -> dict | None:
    borough, origin, categories, model = item
    as_of = pd.Timestamp(f"{origin}-01")
    start_year = as_of.year
    months = financial_year_months(start_year)
    histories, paths = [], []
    for category, y in categories:
        history = y.loc[:as_of]
        forecaster = CrimeForecaster(model=model, n_paths=PATHS, seed=series_seed(SEED, (category, borough)))
        paths.append(forecaster.fit(history).predict(12).paths)
        histories.append(history)
    actual_total = sum(float(y.reindex(months).sum()) for _, y in categories)
    total_history = sum(histories)
    direct = CrimeForecaster(model=model, n_paths=PATHS, seed=SEED).fit(total_history).predict(12).paths
    pairings = {
        "independent": paths,
        "copula (crimecast)": correlate_paths(paths, history_correlation(histories), seed=SEED),
        "comonotonic": correlate_paths(paths, np.ones((len(paths), len(paths))) * 0.999999 + np.eye(len(paths)) * 1e-6,
                                       seed=SEED),
    }
    row = {"borough": borough, "origin": origin}
    for name, chosen in {**pairings, "direct total": [direct]}.items():
        totals = np.sum([p.sum(axis=1) for p in chosen], axis=0)
        lo, hi = np.quantile(totals, [0.1, 0.9])
        row[f"{name}|in80"] = float(lo <= actual_total <= hi)
        row[f"{name}|width"] = (hi - lo) / actual_total
    return row


def london_cases(limit: int | None, model: str) -> list:
    counts = load_counts(LONDON, columns=ColumnMap(wide=True, category_col="MajorText", area_col="BoroughName"),
                         sum_duplicates=True, fill_missing="zero")
    counts = with_totals(counts[~counts["area"].isin(EXCLUDED_AREAS)])
    counts = counts[(counts["category"] != TOTAL_CATEGORY) & (counts["area"] != "force")]
    full = counts["month"].nunique()
    items = []
    for borough in sorted(counts["area"].unique())[:limit]:
        categories = []
        for category in sorted(counts.loc[counts["area"] == borough, "category"].unique()):
            y = series_of(counts, category=category, area=borough)
            if len(y) == full and y.mean() >= 5:
                categories.append((category, y))
        items += [(borough, origin, categories, model) for origin in ORIGINS]
    return items


def coherence(limit: int | None, model: str, jobs: int) -> str:
    items = london_cases(limit, model)
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        rows = [r for r in pool.map(_borough_case, items) if r]
    seconds = time.perf_counter() - started
    frame = pd.DataFrame(rows)
    methods = [c.split("|")[0] for c in frame.columns if c.endswith("|in80")]
    lines = [f"{len(frame)} cases: {frame['borough'].nunique()} London boroughs x {len(ORIGINS)} origins "
             f"({', '.join(ORIGINS)}), each borough's categories (mean at least 5 a month) forecast with `{model}` and added "
             f"up to the next financial year's total; {seconds:.0f} s.", "",
             "| pairing of the category paths | total inside its 80% interval % | mean 80% width, % of the actual |",
             "|---|---|---|"]
    for method in methods:
        lines.append(f"| {method} | {frame[f'{method}|in80'].mean() * 100:.1f} | {frame[f'{method}|width'].mean() * 100:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--boroughs", type=int, default=None, help="only the first N boroughs")
    parser.add_argument("--model", default="ets", help="model for the London coherence check (default ets: fast)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-examples", action="store_true")
    args = parser.parse_args()
    parts = [f"Measured {machine()}.", ""]
    if not args.skip_examples:
        parts += ["**Shipped examples** (`forecast scenario run NAME`; default model, 1,000 paths, 2 workers):", "", examples(), ""]
    if LONDON.exists():
        parts += ["**Coherent totals on real data.**", "", coherence(args.boroughs, args.model, args.jobs)]
    else:
        parts += [f"London coherence check skipped: {LONDON} is absent."]
    body = "## Scenarios\n\n`python bench/scenarios.py`\n\n" + "\n".join(parts)
    write_section("scenarios", body)
    print(body)


if __name__ == "__main__":
    main()

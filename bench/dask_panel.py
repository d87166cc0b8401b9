"""Scale-out on Dask: the national panel, 43 forces x 10 offence groups, on 1 and 2 local workers.

The Home Office quarterly table in ../shared/data is imported with the
project's own importer (``import_data("home-office", ...)`` into a temporary
store, as ``forecast data import`` does), and every force x offence group
series (430; total recorded crime left out) is forecast as ``forecast run all
--area all --no-backtest --scheduler local:N`` would. Each worker count runs
in its own local Dask cluster; cluster start-up is timed apart from the work.
The forecasts of every run are compared: they must be identical. Writes the
"dask-panel" section of bench/RESULTS.md.

    python bench/dask_panel.py                     # the default model, all 430 series
    python bench/dask_panel.py --model ets --limit 40
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.results import SHARED_DATA, machine, write_section  # noqa: E402
from crimecast.defaults import DEFAULT_PATHS  # noqa: E402
from crimecast.forecast.parallel import scheduler_session  # noqa: E402

HOME_OFFICE = SHARED_DATA / "home-office-pfa-quarterly-offence-group-2002-03_2023-24.csv"
TOTAL = "total-recorded-crime"
NAP_SECONDS = 0.2


def national_panel():
    """The imported table, without the total over offence groups: 43 forces x 10 groups."""
    from crimecast.data.imports import ImportOptions, import_data
    from crimecast.data.sources import DataSource, open_counts

    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "bench.duckdb"
        import_data("home-office", [HOME_OFFICE], name="home-office", store=store,
                    options=ImportOptions(sum_duplicates=True))
        counts = open_counts(DataSource(dataset="home-office", store=str(store)))
    panel = counts[counts["category"] != TOTAL]
    panel.attrs = dict(counts.attrs)
    return panel


def _fingerprint(run) -> str:
    """One hash of every series' key and sample paths, in order."""
    digest = hashlib.sha256()
    for report in run.reports:
        digest.update(f"{report.forecast.category}/{report.forecast.area}".encode())
        digest.update(report.forecast.paths.tobytes())
    return digest.hexdigest()[:16]


def _warm_up() -> None:
    import crimecast.forecast.models  # noqa: F401
    import crimecast.forecast.run  # noqa: F401


def _timed_run(counts, keys, options, workers: int) -> dict:
    """Start a local cluster of ``workers``, then forecast every series on it."""
    from crimecast.forecast.parallel import _ACTIVE
    from crimecast.forecast.run import run_forecasts

    started = time.perf_counter()
    with scheduler_session(f"local:{workers}"):
        client = _ACTIVE.get().client()
        client.wait_for_workers(workers)
        client.run(_warm_up)  # every worker imports the models once, before the clock starts
        ready = time.perf_counter()
        spec, backtest = options
        run = run_forecasts(counts[counts.set_index(["category", "area"]).index.isin(keys)], category="all", area="all",
                            spec=spec, options=backtest)
        done = time.perf_counter()
    return {"workers": workers, "startup": ready - started, "work": done - ready, "series": len(run.reports),
            "failed": len(run.failures), "hash": _fingerprint(run)}


def _nap(item: int) -> int:
    time.sleep(NAP_SECONDS)
    return item


def plumbing(workers: int, tasks: int = 40) -> float:
    """Wall seconds for ``tasks`` sleeps of NAP_SECONDS on a warm local cluster: Dask's own overhead, no CPU."""
    from crimecast.forecast.parallel import _ACTIVE, map_series

    with scheduler_session(f"local:{workers}"):
        _ACTIVE.get().client().wait_for_workers(workers)
        started = time.perf_counter()
        map_series(_nap, range(tasks))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="crimecast", help="forecasting model")
    parser.add_argument("--paths", type=int, default=DEFAULT_PATHS)
    parser.add_argument("--limit", type=int, default=None, help="only the first N series (by category, then force)")
    parser.add_argument("--workers", default="1,2", help="comma-separated local worker counts")
    args = parser.parse_args()
    if not HOME_OFFICE.exists():
        sys.exit(f"skipped: {HOME_OFFICE} is absent (the real data lives only in ../shared/data).")
    from crimecast.forecast.run import BacktestOptions
    from crimecast.forecast.spec import ForecastSpec

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    counts = national_panel()
    imported = time.perf_counter() - started
    keys = sorted(set(zip(counts["category"], counts["area"])))
    keys = keys[: args.limit]
    options = (ForecastSpec(model=args.model, paths=args.paths), BacktestOptions(backtest=False))
    runs = [_timed_run(counts, keys, options, int(n)) for n in args.workers.split(",")]
    base = runs[0]
    lines = ["| local workers | series | cluster start-up and imports s | wall s (work) | speed-up | seconds per series | "
             "worker-seconds per series | forecasts hash |", "|---|---|---|---|---|---|---|---|"]
    for run in runs:
        lines.append(f"| {run['workers']} | {run['series']} | {run['startup']:.1f} | {run['work']:.0f} | "
                     f"{base['work'] / run['work']:.2f} | {run['work'] / run['series']:.2f} | "
                     f"{run['work'] * run['workers'] / run['series']:.2f} | `{run['hash']}` |")
    same = len({run["hash"] for run in runs}) == 1
    naps = {int(n): plumbing(int(n)) for n in args.workers.split(",")}
    left_out = [note for note in counts.attrs.get("notes", []) if "left out" in note]
    command = "python bench/dask_panel.py" + "".join(
        f" --{name} {value}" for name, value, default in (("model", args.model, "crimecast"), ("paths", args.paths, DEFAULT_PATHS),
                                                        ("limit", args.limit, None), ("workers", args.workers, "1,2"))
        if value != default)
    body = f"""## Scale-out on Dask: the national panel

{machine()}; 1-minute load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after
(a load above the 2 cores means other work competed). `{command}`: {len(keys)} series (43 forces x offence groups from
`{HOME_OFFICE.name}`, quarterly, read by `import_data("home-office")` in {imported:.0f} s), each forecast
4 quarters ahead with model `{args.model}`, {args.paths:,} paths, no backtest (what `forecast run all --area all
--no-backtest --scheduler local:N` does per series), on a local Dask cluster of N single-threaded worker processes.

{chr(10).join(lines)}

The importer's note on the 430 force x group series: {' '.join(left_out) or 'none left out.'}

Dask's own overhead, without CPU work: 40 tasks that each sleep {NAP_SECONDS} s took
{', '.join(f'{s:.1f} s on {n} worker(s)' for n, s in naps.items())} (ideal {40 * NAP_SECONDS:.0f} s / N).

Forecasts identical across the runs (same hash of every series' sample paths): **{'yes' if same else 'NO'}**.
Failed series: {', '.join(str(run['failed']) for run in runs)}.
"""
    write_section("dask-panel", body)
    print(body)


if __name__ == "__main__":
    main()

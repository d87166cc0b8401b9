"""Import a generated national-scale police.uk street archive: time and peak memory.

    python bench/import.py                 # 43 forces x 12 months, about 6 million rows
    python bench/import.py --rows 600000   # a tenth, for a quick check

The archive is generated (seeded) in the shape of a data.police.uk download:
monthly folders of ``YYYY-MM-<force>-street.csv`` plus outcomes files, force
sizes spread like England and Wales (a few large forces, many small ones),
blank Crime IDs on anti-social behaviour, some rows with no location. The
import runs in a fresh process (``forecast data import police-uk``), as a
user would run it; peak memory is that process's maximum resident set.
Writes the "import" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.results import machine, write_section  # noqa: E402
from crimecast.data.category_maps import POLICE_UK  # noqa: E402
from crimecast.data.police_uk import STREET_HEADER  # noqa: E402

FORCES = 43
MONTHS = pd.date_range("2023-04-01", periods=12, freq="MS").strftime("%Y-%m")
TYPE_SHARES = np.array([0.30, 0.02, 0.04, 0.09, 0.03, 0.03, 0.08, 0.01, 0.07, 0.01, 0.06, 0.02, 0.06, 0.18])


def force_sizes(total_rows: int, rng: np.random.Generator) -> np.ndarray:
    """Rows per force for the year: lognormal sizes scaled to ``total_rows`` (the largest about 10x the median)."""
    weights = np.sort(rng.lognormal(mean=0.0, sigma=0.8, size=FORCES))[::-1]
    return np.maximum((weights / weights.sum() * total_rows).astype(int), 1000)


def street_frame(force: str, month: str, rows: int, rng: np.random.Generator) -> pd.DataFrame:
    types = np.array(list(POLICE_UK))
    crime_type = rng.choice(types, size=rows, p=TYPE_SHARES / TYPE_SHARES.sum())
    lsoa = rng.integers(0, 800, size=rows)
    located = rng.random(rows) > 0.015
    authority = np.array([f"{force.split()[0]} District {k}" for k in range(8)])[lsoa % 8]
    frame = pd.DataFrame({
        "Crime ID": np.where(crime_type == "Anti-social behaviour", "", pd.Series(rng.integers(0, 2**62, rows)).map("{:x}".format)),
        "Month": month, "Reported by": force, "Falls within": force,
        "Longitude": np.where(located, np.round(rng.uniform(-3, 0, rows), 6).astype(str), ""),
        "Latitude": np.where(located, np.round(rng.uniform(51, 54, rows), 6).astype(str), ""),
        "Location": "On or near High Street",
        "LSOA code": np.where(located, pd.Series(lsoa).map("E01{:06d}".format), ""),
        "LSOA name": np.where(located, pd.Series(authority).str.cat(pd.Series(lsoa % 100).map(" {:03d}A".format)), ""),
        "Crime type": crime_type, "Last outcome category": "Under investigation", "Context": "",
    })
    return frame[list(STREET_HEADER)]


def build_archive(path: Path, total_rows: int, seed: int = 2014) -> int:
    rng = np.random.default_rng(seed)
    sizes = force_sizes(total_rows, rng)
    written = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for f, size in enumerate(sizes):
            force = f"Force{f:02d} Police"
            slug = f"force{f:02d}"
            for month in MONTHS:
                rows = int(rng.poisson(size / 12))
                text = street_frame(force, month, rows, rng).to_csv(index=False, lineterminator="\n")
                archive.writestr(f"{month}/{month}-{slug}-street.csv", text)
                archive.writestr(f"{month}/{month}-{slug}-outcomes.csv", "Crime ID,Month\n")
                written += rows
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=6_000_000, help="rows in the year, all forces (default 6,000,000)")
    parser.add_argument("--area-level", default="local-authority", choices=["force", "local-authority", "lsoa"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crimecast-bench-import-") as folder:
        archive = Path(folder) / "national.zip"
        started = time.perf_counter()
        rows = build_archive(archive, args.rows)
        built = time.perf_counter() - started
        store = Path(folder) / "bench.duckdb"
        command = [sys.executable, "-m", "crimecast", "data", "import", "police-uk", str(archive), "--name", "national",
                   "--store", str(store), "--area-level", args.area_level]
        started = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if result.returncode:
            raise SystemExit(result.stdout + result.stderr)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        archive_mb = archive.stat().st_size / 1e6
        store_mb = store.stat().st_size / 1e6
    print(result.stdout.splitlines()[0])
    body = (f"## Importing a national-scale police.uk street archive\n\n{machine()}. `python bench/import.py"
            f"{'' if args.rows == 6_000_000 else f' --rows {args.rows}'}`: a generated archive of {FORCES} forces x "
            f"{len(MONTHS)} months ({rows:,} rows, {archive_mb:,.0f} MB zipped; built in {built:.0f} s), imported at "
            f"--area-level {args.area_level} by `forecast data import police-uk` in a fresh process.\n\n"
            "| rows | wall time (s) | rows per second | peak memory (MB) | store size (MB) | target |\n|---|---|---|---|---|---|\n"
            f"| {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | {peak_mb:,.0f} | {store_mb:.1f} | under 60 s: "
            f"{'met' if seconds < 60 else 'MISSED'} |\n\n"
            "DuckDB reads and groups the street files (memory capped at 2 GB); the zip's street files are extracted "
            "to a temporary folder first, so disk, not memory, holds the raw rows.")
    write_section("import", body)
    print(f"{rows:,} rows in {seconds:.1f} s, peak {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()

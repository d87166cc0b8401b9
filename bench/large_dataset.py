"""Speed of the main commands on a large imported dataset: police.uk counts by local authority.

    python bench/large_dataset.py                          # this checkout
    python bench/large_dataset.py --before ../old-checkout # and another checkout, alternated with this one

The police.uk by-local-authority file of the shared data (4 forces, about 240
local authorities, 14 crime types, 2018-01 to 2021-09; 972 series, of which
hundreds are sparse out-of-force series) is imported the README's way
(``forecast data import csv FILE --name la --area-col local_authority_from_lsoa_name
--sum-duplicates --areas peers``) into a store in a temporary folder, then each
command runs as a user runs it: a new process of the checkout's code
(``python -m crimecast.cli``), default settings, 2 workers. Every command
reads, validates, gap-fills and totals the whole dataset before its own work,
so that reading is timed on its own too (``open_counts`` in a new process).

With ``--before DIR`` each command runs once on each checkout in turn, so
both meet the same machine load. Wall time on a shared machine moves with
the load (recorded before and after); CPU seconds (this process's children)
move less. Writes the "large-dataset" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.results import SHARED_DATA, machine, write_section  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FILE = "police-uk-monthly-by-local-authority-4-forces-2018-01_2021-09.csv"
IMPORT = ["data", "import", "csv", "{file}", "--name", "la", "--area-col", "local_authority_from_lsoa_name",
          "--sum-duplicates", "--areas", "peers"]
PEERS = "sefton,wirral,knowsley,st-helens"
PLAN = """version: 1
name: Liverpool 2021/22
year: 2021/22
milestones:
  - {name: Burglary, category: burglary, area: liverpool, target: -5%}
  - {name: Vehicle crime, category: vehicle-crime, area: liverpool, target: -5%}
  - {name: Total recorded crime, category: total-recorded-crime, area: liverpool, target: -3%}
"""
COMMANDS = [  # (label, arguments); every one on --dataset la, with --jobs 2 where it takes it
    ("list", ["list"]),
    ("run burglary --area liverpool", ["run", "burglary", "--area", "liverpool", "--jobs", "2"]),
    ("run burglary --area all", ["run", "burglary", "--area", "all", "--jobs", "2"]),
    ("spc burglary --area liverpool", ["spc", "burglary", "--area", "liverpool"]),
    ("spc burglary --area all", ["spc", "burglary", "--area", "all"]),
    (f"compare burglary --area liverpool --peers {PEERS}", ["compare", "burglary", "--area", "liverpool", "--peers", PEERS]),
    ("report --plan (3 Liverpool milestones) --no-pdf", ["report", "--plan", "{plan}", "--no-pdf", "--jobs", "2"]),
]
READ = ("from crimecast.data.sources import DataSource, open_counts; import time; t = time.perf_counter(); "
        "open_counts(DataSource(dataset='la')); print(time.perf_counter() - t)")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(code: Path, args: list[str], *, folder: Path, store: Path) -> tuple[float, float, int, str]:
    """(wall s, CPU s of the process and its workers, exit code, last line of stderr) of one command."""
    env = {**os.environ, "PYTHONPATH": str(code), "CRIMECAST_STORE": str(store), "MPLBACKEND": "Agg"}
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, *args], cwd=folder, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    tail = (done.stderr.strip().splitlines() or [""])[-1]
    return wall, _children_cpu() - cpu, done.returncode, tail


class Checkout:
    """One checkout's code, with its own store and output folder."""

    def __init__(self, name: str, code: Path, scratch: Path, data: Path) -> None:
        self.name, self.code = name, code.resolve()
        self.folder = scratch / name
        self.folder.mkdir()
        self.store = self.folder / "crimecast.duckdb"
        (self.folder / "plan.yaml").write_text(PLAN, encoding="utf-8")
        self.data = data
        self.times: dict[str, tuple[float, float, int]] = {}

    def run(self, label: str, args: list[str], *, cli: bool = True) -> None:
        args = [a.format(file=self.data / FILE, plan=self.folder / "plan.yaml") for a in args]
        full = ["-m", "crimecast.cli", *args] + (["--dataset", "la"] if cli and args[:2] != ["data", "import"] else [])
        wall, cpu, code, tail = timed(self.code, full if cli else args, folder=self.folder, store=self.store)
        if code not in (0, 1) or (code == 1 and not label.endswith("--area all")):
            raise SystemExit(f"{self.name}: {label} failed (exit {code}): {tail}")
        self.times[label] = (wall, cpu, code)
        print(f"  {self.name:>6}  {label:<55} {wall:6.1f} s wall {cpu:6.1f} s CPU  exit {code}", flush=True)

    def read_time(self) -> float:
        env = {**os.environ, "PYTHONPATH": str(self.code), "CRIMECAST_STORE": str(self.store)}
        done = subprocess.run([sys.executable, "-c", READ], cwd=self.folder, env=env, capture_output=True, text=True,
                              check=True)
        return float(done.stdout.strip().splitlines()[-1])


def _load() -> float:
    return os.getloadavg()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, default=None, help="Another checkout to time first, alternated with this one.")
    parser.add_argument("--before-label", default="another checkout",
                        help="What --before holds, for RESULTS.md (e.g. 'main at 0c81ac1'); its path is not written.")
    parser.add_argument("--data", type=Path, default=SHARED_DATA, help="The shared data folder.")
    args = parser.parse_args()
    if not (args.data / FILE).exists():
        raise SystemExit(f"{args.data / FILE} is not there: this benchmark needs the shared real data.")
    load_before = _load()
    with tempfile.TemporaryDirectory() as scratch:
        checkouts = ([Checkout("before", args.before, Path(scratch), args.data)] if args.before else [])
        checkouts.append(Checkout("after", ROOT, Path(scratch), args.data))
        for checkout in checkouts:
            checkout.run("data import", IMPORT)
        reads = {}
        for checkout in checkouts:
            reads[checkout.name] = min(checkout.read_time() for _ in range(3))
            print(f"  {checkout.name:>6}  read the dataset (open_counts, best of 3) {reads[checkout.name]:6.2f} s", flush=True)
        for label, command in COMMANDS:
            for checkout in checkouts:
                checkout.run(label, command)
    load_after = _load()
    write_section("large-dataset", _section(checkouts, reads, args, load_before, load_after))


def _section(checkouts: list[Checkout], reads: dict[str, float], args, load_before: float, load_after: float) -> str:
    names = [c.name for c in checkouts]
    before = f" --before DIR` (DIR: {args.before_label}" if args.before else ""
    head = "| command | " + " | ".join(f"{n} wall s | {n} CPU s" for n in names) + (" | CPU after / before |" if args.before else " |")
    rule = "|---|" + "---|---|" * len(names) + ("---|" if args.before else "")
    rows = [f"| read, validate, gap-fill and total the dataset (in process, best of 3) | "
            + " | ".join(f"{reads[n]:.2f} | -" for n in names) + (f" | {reads['after'] / reads['before']:.2f} (wall) |" if args.before else " |")]
    labels = ["data import", *(label for label, _ in COMMANDS)]
    for label in labels:
        cells = " | ".join(f"{c.times[label][0]:.1f} | {c.times[label][1]:.1f}" for c in checkouts)
        ratio = f" | {checkouts[1].times[label][1] / checkouts[0].times[label][1]:.2f} |" if args.before else " |"
        rows.append(f"| `{label}` | {cells}{ratio}")
    return "\n".join([
        "## Speed of the main commands on a large imported dataset (police.uk local authorities)",
        "",
        f"{machine()}; 1-minute load average {load_before:.1f} before and {load_after:.1f} after (2 cores; a load above "
        f"2 means other work competed: compare CPU seconds). `python bench/large_dataset.py{before}{')' if args.before else '`'}.",
        "",
        f"`{FILE}` imported the README's way into a temporary store (972 series, 2018-01 to 2021-09; 363 series left out "
        "for gaps when read, 363 months filled); each command a new process of the checkout's code on `--dataset la`, "
        "2 workers, default settings (backtests and charts included). `run` and `spc` on `--area all` exit 1: a few "
        "out-of-force authorities hold too few months to forecast or chart, and are listed.",
        "",
        head, rule, *rows,
    ])


if __name__ == "__main__":
    main()

"""Time to build the Board pack for the shipped 2013/14 replay, cold (a new process, as a user runs it).

    python bench/board_pack.py
Runs this checkout's `forecast report --plan plan-2013-14 --as-of 2014-03 --scenario domestic-abuse-uplift
--csf csf-2013-14 --fleet fleet-2013` once with the default paths and writes the "board-pack" section of
bench/RESULTS.md: wall time, the CPU time the run used, the machine's load while it ran, and what it wrote.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.results import machine, no_options, write_section  # noqa: E402

ARGS = ["report", "--plan", "plan-2013-14", "--as-of", "2014-03", "--scenario", "domestic-abuse-uplift",
        "--csf", "csf-2013-14", "--fleet", "fleet-2013"]


def pdf_pages(pdf: Path) -> str:
    if not pdf.exists() or shutil.which("pdfinfo") is None:
        return "-"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return re.search(r"Pages:\s+(\d+)", info).group(1)


def main() -> None:
    no_options(__doc__)
    out = Path(tempfile.mkdtemp(prefix="board-pack-"))
    command = [sys.executable, "-c", "from crimecast.cli import cli; cli(prog_name='forecast')", *ARGS, "--out", str(out)]
    load_before = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_after = os.getloadavg()[0]
    if done.returncode != 0:
        sys.exit(done.stderr.strip().splitlines()[-1])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    html = out / "report.html"
    body = "\n".join([
        "## The Board pack: time to build the 2013/14 replay",
        "",
        f"{machine()}. `python bench/board_pack.py`: `forecast {' '.join(ARGS)}` in a new process, default paths "
        "(1,000 for the milestones, 500 for the fund), 2 workers; includes start-up, every forecast, the optimisers, "
        "rendering and printing the PDF with headless Chromium. Every series is fitted (no saved forecast is read; `--forecast NAME` would reuse one).",
        "",
        "| wall s | CPU s (all processes) | load average before / after | report.html | report.pdf pages |",
        "|---|---|---|---|---|",
        f"| {wall:.0f} | {cpu:.0f} | {load_before:.1f} / {load_after:.1f} | {html.stat().st_size / 1e3:,.0f} kB | "
        f"{pdf_pages(out / 'report.pdf')} |",
    ])
    write_section("board-pack", body)
    print(body)
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Regenerate the pictures in docs/ that the README shows, with this checkout's own `forecast` command.

    nice -n 10 python docs/make_images.py                        # every picture
    nice -n 10 python docs/make_images.py board-pack-desktop     # some, by name (without .png)

Each picture is made as a user would make it: the README's own command, run in a new
process with this checkout's code, in a temporary folder with a store of its own (so
your `crimecast.duckdb` is neither read nor changed), then copied into docs/:

- satisfaction-forecast.png, satisfaction-pchart.png: the embedded illustrative
  satisfaction data (`forecast run satisfaction-crime`, `forecast spc
  satisfaction-crime --from 2011-04`), the charts exactly as the commands write them.
- spc-exceptional-covid-uk.png, compare-funnel-west-midlands-2013-14.png: the real
  Home Office table, read from ../shared/data beside the repository and imported as
  `forces`. Where that folder or file is absent (a fresh clone), these two are
  skipped, with a line saying so, and the pictures already in docs/ are kept.
- board-pack-desktop.png, board-pack-phone.png: the 2013/14 replay's Board pack
  (`forecast report --plan plan-2013-14 --as-of 2014-03 --scenario
  domestic-abuse-uplift --csf csf-2013-14 --fleet fleet-2013 --no-pdf`), opened in
  headless Chromium (found as for the PDF) and photographed: the first screen at
  1280 x 800 CSS pixels and at a phone's 390 x 844. The screenshots are reduced to
  256 colours (median cut, deterministic) to keep the repository small. Without
  Chromium these two are skipped, with a line saying so.

Every step is seeded, so the same checkout on the same machine writes byte-identical
pictures (Chromium's text rendering can differ between machines and versions). The
script prints, per picture, whether it changed. It is not part of the package or of
the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from crimecast.errors import CrimecastError  # noqa: E402
from crimecast.io import write_atomic  # noqa: E402
from crimecast.report.browser import Browser  # noqa: E402
from crimecast.report.pdf import find_chromium  # noqa: E402

DOCS = ROOT / "docs"
SHARED_DATA = ROOT / ".." / "shared" / "data"
HOME_OFFICE = SHARED_DATA / "home-office-pfa-quarterly-offence-group-2002-03_2023-24.csv"
IMPORT_FORCES = ["data", "import", "home-office", str(HOME_OFFICE), "--name", "forces", "--sum-duplicates"]
REPLAY = ["report", "--plan", "plan-2013-14", "--as-of", "2014-03", "--scenario", "domestic-abuse-uplift",
          "--csf", "csf-2013-14", "--fleet", "fleet-2013", "--no-pdf"]
SCREENS = {"board-pack-desktop": (1280, 800), "board-pack-phone": (390, 844)}  # CSS pixels: width, height
SCREENSHOT_COLOURS = 256


@dataclass(frozen=True)
class Chart:
    """A picture a command writes: the commands to run (the last writes it into --out) and its file's pattern."""

    name: str
    commands: tuple[tuple[str, ...], ...]
    pattern: str
    real_data: bool = False


CHARTS = (
    Chart("satisfaction-forecast", (("run", "satisfaction-crime"),), "satisfaction-crime_force_fan.png"),
    Chart("satisfaction-pchart", (("spc", "satisfaction-crime", "--from", "2011-04"),), "*.png"),
    Chart("spc-exceptional-covid-uk",
          (tuple(IMPORT_FORCES),
           ("spc", "theft-offences", "--dataset", "forces", "--area", "west-midlands", "--from", "2016-04",
            "--exceptional", "covid-uk")),
          "*.png", real_data=True),
    Chart("compare-funnel-west-midlands-2013-14",
          (tuple(IMPORT_FORCES), ("example", "population-msf"),
           ("compare", "total-recorded-crime", "--dataset", "forces", "--area", "west-midlands",
            "--peers", "greater-manchester,merseyside,west-yorkshire", "--population", "population-msf.csv",
            "--year", "2013/14")),
          "*_funnel.png", real_data=True),
)


def forecast(args, *, folder: Path, out: Path | None = None) -> None:
    """Run this checkout's `forecast ARGS` in ``folder`` (its own store there); stop the script if it fails."""
    command = [sys.executable, "-m", "crimecast", *args] + (["--out", str(out)] if out else [])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CRIMECAST_STORE": str(folder / "crimecast.duckdb"),
           "MPLBACKEND": "Agg"}
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"`forecast {' '.join(args)}` failed (exit {done.returncode}):\n{done.stderr.strip()}")


def install(name: str, data: bytes) -> str:
    """Write ``data`` as docs/NAME.png; say whether it changed."""
    target = DOCS / f"{name}.png"
    before = hashlib.sha256(target.read_bytes()).hexdigest() if target.exists() else None
    write_atomic(target, lambda tmp: tmp.write_bytes(data))
    state = "new" if before is None else "unchanged" if before == hashlib.sha256(data).hexdigest() else "changed"
    return f"{target.relative_to(ROOT)}: {state} ({len(data) / 1e3:,.0f} kB)"


def make_chart(chart: Chart, folder: Path) -> str:
    """Run ``chart``'s commands in a fresh folder and install the one picture the last one writes."""
    work = folder / chart.name
    work.mkdir()
    out = work / "out"
    *setup, last = chart.commands
    for args in setup:
        forecast(args, folder=work)
    forecast(last, folder=work, out=out)
    found = sorted(out.glob(chart.pattern))
    if len(found) != 1:
        sys.exit(f"{chart.name}: expected one {chart.pattern} in the output, found {[p.name for p in found]}")
    return install(chart.name, found[0].read_bytes())


def fewer_colours(png: bytes) -> bytes:
    """``png`` reduced to a 256-colour palette (median cut: the same input gives the same bytes)."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=SCREENSHOT_COLOURS,
                                                                 method=Image.Quantize.MEDIANCUT)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def make_screens(names: list[str], folder: Path, chromium: str) -> list[str]:
    """Build the 2013/14 replay's Board pack once and photograph its first screen at each size in ``names``."""
    work = folder / "board-pack"
    work.mkdir()
    forecast(REPLAY, folder=work, out=work / "out")
    page = (work / "out" / "report.html").as_uri()
    lines = []
    with Browser(chromium) as browser:
        for name in names:
            width, height = SCREENS[name]
            shot = browser.open(page, width=width, height=height, full_page=False)
            if shot.console_errors or shot.failed_requests or shot.broken_images:
                sys.exit(f"{name}: the page did not load cleanly: {shot.console_errors + shot.failed_requests}, "
                         f"{shot.broken_images} broken images")
            lines.append(install(name, fewer_colours(shot.screenshot)))
    return lines


def main() -> None:
    names = [chart.name for chart in CHARTS] + list(SCREENS)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("only", nargs="*", metavar="NAME", help=f"some of: {', '.join(names)} (default: all)")
    only = parser.parse_args().only
    unknown = sorted(set(only) - set(names))
    if unknown:
        parser.error(f"no picture called {', '.join(unknown)}; choose from {', '.join(names)}")
    wanted = set(only or names)
    skipped = []
    with tempfile.TemporaryDirectory(prefix="crimecast-docs-") as tmp:
        folder = Path(tmp)
        for chart in CHARTS:
            if chart.name not in wanted:
                continue
            if chart.real_data and not HOME_OFFICE.is_file():
                skipped.append(f"{chart.name}.png: needs the real Home Office table, {HOME_OFFICE.name}, in "
                               "../shared/data beside the repository; not there, so the picture in docs/ is kept")
                continue
            print(make_chart(chart, folder), flush=True)
        screens = [name for name in SCREENS if name in wanted]
        chromium = find_chromium()
        if screens and chromium is None:
            skipped += [f"{name}.png: needs Chromium (Debian: apt-get install chromium, or set CRIMECAST_CHROMIUM); "
                        "not found, so the picture in docs/ is kept" for name in screens]
        elif screens:
            print("\n".join(make_screens(screens, folder, chromium)), flush=True)
    for line in skipped:
        print(f"SKIPPED {line}")


if __name__ == "__main__":
    try:
        main()
    except CrimecastError as error:  # Chromium or a command failed: say what, without a traceback
        sys.exit(f"make_images: {error}")

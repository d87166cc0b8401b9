"""Shared fixtures: small seeded tables we make, and the real data when present."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from crimecast.optimise.assumptions import examples_dir

SHARED_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
LONDON = SHARED_DATA / "london-mps-borough-monthly-2010-04_2023-09.csv"
HOME_OFFICE = SHARED_DATA / "home-office-pfa-quarterly-offence-group-2002-03_2023-24.csv"
POLICE_UK = SHARED_DATA / "police-uk-monthly-4-forces-2018-01_2021-09.csv"

needs_shared_data = pytest.mark.skipif(
    not SHARED_DATA.exists(), reason="real data lives only in ../shared/data, which is absent on this machine"
)


def seasonal_counts(months: int = 60, *, level: float = 200.0, seed: int = 0, start: str = "2010-04") -> np.ndarray:
    """Seeded Poisson counts with a yearly cycle."""
    rng = np.random.default_rng(seed)
    t = np.arange(months)
    return rng.poisson(level * (1 + 0.2 * np.sin(2 * np.pi * t / 12)))


@pytest.fixture
def write_csv(tmp_path):
    """Write text to a CSV in a temporary folder and return its path."""

    def write(text: str, name: str = "counts.csv") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def small_csv(tmp_path) -> Path:
    """Two areas x two categories x 48 months, in the tidy layout."""
    months = pd.date_range("2010-04-01", periods=48, freq="MS").strftime("%Y-%m")
    rows = []
    for i, (area, category) in enumerate([(a, c) for a in ("north", "south") for c in ("burglary", "robbery")]):
        for month, count in zip(months, seasonal_counts(48, level=100 + 40 * i, seed=i)):
            rows.append({"month": month, "area": area, "category": category, "count": count})
    path = tmp_path / "small.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def fast_assumptions(tmp_path, **changes):
    """The shipped file with a quick model and fewer samples, plus ``changes`` (dotted keys)."""
    data = yaml.safe_load((examples_dir() / "csf-2013-14.yaml").read_text())
    data["forecast"].update(model="seasonal-naive", paths=200)
    data["uncertainty"].update(samples=30, stability_samples=5)
    data["fund"]["budget_sweep"] = {"low": 6_000_000, "high": 8_000_000, "step": 1_000_000}
    for dotted, value in changes.items():
        target = data
        *parents, last = dotted.split(".")
        for key in parents:
            target = target[key]
        if value is None:
            target.pop(last, None)
        else:
            target[last] = value
    path = tmp_path / "csf.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


# For tests whose point is neither the budget curve nor the spread of the uncertainty samples (tests/test_csf.py
# checks both): the fewest samples the file allows and the curve at one budget, about a fifth fewer solves.
QUICK_FUND = {"uncertainty.samples": 10, "fund.budget_sweep": {"low": 7_000_000, "high": 7_000_000, "step": 1_000_000}}


def unpriced(spec, optimal, solver, time_limit):
    """The fund's binding constraints without their prices: a stand-in for ``crimecast.optimise.csf._prices``.

    Pricing re-solves the fund once per binding constraint, most of an optimisation's time; tests/test_csf.py,
    tests/test_cli.py (optimise csf) and the Board pack replay check the prices and how they are shown.
    """
    rows = [{"constraint": c.name, "description": c.description, "group": c.group, "price": float("nan"),
             "price_tolerance": float("nan"), "price_basis": ""}
            for c in optimal.solution.binding(optimal.problem) if c.group not in ("curve", "cvar", "fixed")]
    return pd.DataFrame(rows, columns=["constraint", "description", "group", "price", "price_tolerance", "price_basis"])


@pytest.fixture
def unpriced_fund(monkeypatch):
    """For tests whose point is not the binding constraints' prices: the fund is optimised without pricing them."""
    import crimecast.optimise.csf as csf

    monkeypatch.setattr(csf, "_prices", unpriced)


@pytest.fixture
def csf_file(tmp_path):
    """Write the shipped CSF assumptions, made quick, with ``changes`` (dotted keys); returns its path."""
    return lambda **changes: fast_assumptions(tmp_path, **changes)


def quarterly_demo() -> pd.DataFrame:
    """The embedded demo data summed into whole quarters (Jan/Apr/Jul/Oct starts), marked quarterly."""
    frame = _quarterly_demo()
    copy = frame.copy()
    copy.attrs = dict(frame.attrs)
    return copy


@functools.lru_cache(maxsize=1)
def _quarterly_demo() -> pd.DataFrame:
    from crimecast.data.frequency import QUARTERLY
    from crimecast.data.load import load_counts
    from crimecast.data.series import with_totals

    monthly = with_totals(load_counts("west-midlands"))
    frame = monthly.assign(month=monthly["month"].dt.to_period("Q").dt.start_time)  # what QUARTERLY.period_containing gives
    grouped = frame.groupby(["month", "area", "category"]).agg(count=("count", "sum"), months=("count", "size"))
    whole = grouped[grouped["months"] == 3].reset_index()[["month", "area", "category", "count"]]
    whole = whole.sort_values(["category", "area", "month"], ignore_index=True)
    whole.attrs = {**monthly.attrs, "frequency": QUARTERLY.name}
    return whole


def quarterly_series(quarters: int = 40, *, level: float = 3000.0, seed: int = 0, start: str = "2004-04") -> pd.Series:
    """Seeded Poisson counts per quarter with a stable yearly cycle (no trend, no step), indexed QS-JAN."""
    rng = np.random.default_rng(seed)
    index = pd.date_range(start, periods=quarters, freq="QS-JAN")
    season = {1: 0.95, 4: 1.0, 7: 1.05, 10: 1.0}
    return pd.Series(rng.poisson([level * season[m] for m in index.month]).astype(float), index=index)


# ---------------------------------------------------------------- the Board pack replay (built once per session)

REPLAY_ARGS = ["report", "--plan", "plan-2013-14", "--as-of", "2014-03", "--scenario", "domestic-abuse-uplift",
               "--csf", "csf-2013-14", "--fleet", "fleet-2013"]
REPLAY_PATHS = "200"  # fewer than the default 1,000: the replay's content does not depend on the path count
REPLAY_MODEL = "ets"  # the fast member of the default model: the tests check content, not accuracy


def fast_csf_for_replay(folder: Path) -> Path:
    """The shipped CSF assumptions (same model and fund) with fewer uncertainty draws and a one-point budget curve.

    The pack's tests check what the CSF section says, not the stability of shares
    or the budget curve, which tests/test_csf.py checks (the pack does not show the curve).
    """
    data = yaml.safe_load((examples_dir() / "csf-2013-14.yaml").read_text(encoding="utf-8"))
    data["uncertainty"].update(samples=10, stability_samples=5)
    data["fund"]["budget_sweep"] = QUICK_FUND["fund.budget_sweep"]
    path = folder / "csf-2013-14.yaml"  # the shipped name, as the pack shows it
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def chromium_or_none():
    from crimecast.report.pdf import find_chromium

    return find_chromium()


needs_chromium = pytest.mark.skipif(chromium_or_none() is None,
                                    reason="Chromium is not installed here (CI installs it: apt-get install chromium)")


@pytest.fixture(scope="session")
def board_replay(tmp_path_factory):
    """``forecast report`` on the shipped 2013/14 replay, run once: (result, folder, seconds)."""
    import time

    from click.testing import CliRunner

    from crimecast.cli import cli

    folder = tmp_path_factory.mktemp("board-pack")
    quick = folder.parent / "domestic-abuse-uplift-ets.yaml"  # the shipped scenario on the fast model
    quick.write_text("version: 1\nname: Domestic-abuse reporting uplift\nextends: domestic-abuse-uplift\n"
                     f"base: {{model: {REPLAY_MODEL}, paths: {REPLAY_PATHS}}}\n", encoding="utf-8")
    quick_csf = fast_csf_for_replay(folder.parent)
    args = [*REPLAY_ARGS, "--paths", REPLAY_PATHS, "--model", REPLAY_MODEL, "--out", str(folder)]
    args[args.index("domestic-abuse-uplift")] = str(quick)
    args[args.index("csf-2013-14")] = str(quick_csf)
    if chromium_or_none() is None:
        args.append("--no-pdf")
    started = time.perf_counter()
    result = CliRunner().invoke(cli, args)
    return result, folder, time.perf_counter() - started


@pytest.fixture
def quick_plan(tmp_path):
    """A one-milestone plan (burglary dwelling -8% in 2013/14) for quick Board packs."""
    import yaml

    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "name": "Burglary check", "year": "2013/14", "milestones": [
        {"name": "Burglary dwelling", "category": "burglary-dwelling", "target": "-8%"}]}), encoding="utf-8")
    return path


def pytest_collection_modifyitems(config, items):
    """Run the slow tests first: with two workers, a long test that starts last leaves the other worker idle.

    (pytest-xdist hands out grouped tests by group size, then single tests in
    this order, so the README walkthrough's parts, for one, no longer queue up
    at the end on one worker.)
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: otherwise in file order


def step_at_a_filled_month(folder: Path) -> pd.DataFrame:
    """Three force-wide series rising 30% from 2018-04, a month missing from the file (filled in when read), where
    the step is found."""
    from crimecast.data.load import load_counts
    from crimecast.data.series import with_totals

    rng = np.random.default_rng(2)  # burglary's step is found at the filled month by the chart and the forecast alike
    months = pd.date_range("2015-04-01", periods=60, freq="MS")
    rows = [(f"{month:%Y-%m}", "force", category, int(count))
            for category, level in (("burglary", 400), ("robbery", 300), ("drugs", 500))
            for i, (month, count) in enumerate(zip(months, rng.poisson(np.where(np.arange(60) >= 36, level * 1.3, level))))
            if i != 36]
    path = folder / "step-at-a-gap.csv"
    pd.DataFrame(rows, columns=["month", "area", "category", "count"]).to_csv(path, index=False)
    return with_totals(load_counts(path))

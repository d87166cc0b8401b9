"""Accuracy on every real panel in ../shared/data, against the strongest classical forecasters.

Panels: London boroughs (monthly), the Home Office table (43 forces x offence
groups, quarterly, read by the project's importer), the police.uk forces and
local authorities (monthly, 2018-01 to 2021-09). Every model is scored on the
same rolling origins of each series (the last ``--windows`` one-year windows,
at least two years of training; police.uk's 45 months allow one window).

Models:

- ``crimecast``, the default (calibrated intervals);
- its members, sampled from the default's own fit, uncalibrated (``member:``);
- ``prophet-default`` (``Prophet()`` on raw counts), ``ets`` (crimecast's
  ETS), ``seasonal-naive``;
- statsforecast peers on raw counts: ``sf-autoets``, ``sf-autoarima``,
  ``sf-autotheta`` and ``sf-median`` (per period, the median of those three
  point forecasts and of their interval bounds).

crimecast's models get the product's default exceptional periods (``covid-uk``,
``--exceptional none`` for none), only those that began before each origin, as
an analyst would have known them then; ``--outside-of covid-uk`` also scores
each window on its periods outside the calendar (a diagnostic in the scores
file; no model is told about them).

Metrics per model: MASE (scaled by the in-sample seasonal-naive MAE; mean and
median over series x origins), the one-year total's absolute % error, 80% and
95% coverage of the periods, seconds per series (all its origins), and 80%
coverage by origin year. Writes the "accuracy" section of bench/RESULTS.md (with
``--series N``; every series: "accuracy-all-series") and the per-window scores
to bench/accuracy-scores.csv.

The panels hold the busier series (20 or more a period, no zero periods), as
a Board would forecast. ``--low-counts`` scores the quiet ones instead (5 to
20 a period, at most 10% zero periods), where the shape of the count noise
matters most, into its own section ("accuracy-low-counts") and scores file;
seasonal references still come from the whole panel.

    nice -n 5 python bench/accuracy.py --jobs 2                          # every panel, every series (17 minutes on 2 cores)
    nice -n 10 python bench/accuracy.py --series 12                      # 12 series per panel (minutes)
    nice -n 10 python bench/accuracy.py --panels london,police-uk-forces --series 20 --jobs 2
    nice -n 10 python bench/accuracy.py --series 30 --low-counts         # the quiet series
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.results import SHARED_DATA, machine, write_section  # noqa: E402
from crimecast.data.load import ColumnMap, load_counts  # noqa: E402
from crimecast.data.series import FORCE_AREA, series_of, with_totals  # noqa: E402
from crimecast.data.exceptional import ExceptionalPeriod, exceptional_mask, load_exceptional  # noqa: E402
from crimecast.defaults import DEFAULT_EXCEPTIONAL, DEFAULT_PATHS, DEFAULT_SEED, NO_EXCEPTIONAL  # noqa: E402
from crimecast.forecast.backtest import backtest_origins  # noqa: E402
from crimecast.forecast.cores import series_frequency  # noqa: E402
from crimecast.forecast.drift import Drift, dataset_drift  # noqa: E402
from crimecast.forecast.metrics import seasonal_naive_mae  # noqa: E402
from crimecast.forecast.models import CrimeForecaster, crimecast_core  # noqa: E402
from crimecast.forecast.parallel import map_series  # noqa: E402

LONDON = SHARED_DATA / "london-mps-borough-monthly-2010-04_2023-09.csv"
HOME_OFFICE = SHARED_DATA / "home-office-pfa-quarterly-offence-group-2002-03_2023-24.csv"
POLICE_UK_FORCES = SHARED_DATA / "police-uk-monthly-4-forces-2018-01_2021-09.csv"
POLICE_UK_LAS = SHARED_DATA / "police-uk-monthly-by-local-authority-4-forces-2018-01_2021-09.csv"
EXCLUDED_AREAS = ("aviation-security-so18", "london-heathrow-and-london-city-airports", "unknown")
MIN_MEAN_COUNT = 20  # per period: busier series only, as the Board would forecast


@dataclass(frozen=True)
class Selection:
    """Which series of a panel are scored: mean count a period in [low, high), at most ``zero_share`` zero periods."""

    low: float = MIN_MEAN_COUNT
    high: float = float("inf")
    zero_share: float = 0.0

    def takes(self, y: pd.Series) -> bool:
        return self.low <= y.mean() < self.high and (y == 0).mean() <= self.zero_share

    def describe(self) -> str:
        upper = "" if self.high == float("inf") else f" and under {self.high:g}"
        zeros = "no zero periods" if not self.zero_share else f"at most {self.zero_share:.0%} zero periods"
        return f"mean at least {self.low:g}{upper} a period, {zeros}"


BUSY = Selection()
# --low-counts: the quiet series the busy panels leave out, where a right-skewed noise model shows most
LOW_COUNTS = Selection(low=5, high=MIN_MEAN_COUNT, zero_share=0.1)
CRIMECAST_MODELS = ("crimecast", "prophet-default", "ets", "seasonal-naive")
SF_MODELS = ("sf-autoets", "sf-autoarima", "sf-autotheta")
MEDIAN = "sf-median"
DEFAULT = "crimecast"
LEVELS = (80, 95)


# --- panels -------------------------------------------------------------------------------------------

def _busy(counts: pd.DataFrame, *, last_period: pd.Timestamp,
          selection: Selection = BUSY) -> list[tuple[str, str, pd.Series]]:
    """Series that reach the last period and that ``selection`` takes (by default: mean 20 or more, no zeros)."""
    chosen = []
    for category, area in counts[["category", "area"]].drop_duplicates().itertuples(index=False):
        y = series_of(counts, category=category, area=area)
        if y.index[-1] == last_period and selection.takes(y):
            chosen.append((category, area, y))
    chosen.sort(key=lambda item: (item[1] != FORCE_AREA, item[1], item[0]))
    return chosen


def london(selection: Selection = BUSY) -> list[tuple[str, str, pd.Series]]:
    """Force-wide and borough x major category, full span (Apr 2010 - Sep 2023)."""
    counts = load_counts(LONDON, columns=ColumnMap(wide=True, category_col="MajorText", area_col="BoroughName"),
                         sum_duplicates=True, fill_missing="zero")
    counts = with_totals(counts[~counts["area"].isin(EXCLUDED_AREAS)])
    counts = counts[counts["category"] != "total-recorded-crime"]
    first = counts["month"].min()
    return [s for s in _busy(counts, last_period=counts["month"].max(), selection=selection) if s[2].index[0] == first]


london_series = london  # the name bench/milestones.py and bench/steps.py import


def home_office(selection: Selection = BUSY) -> list[tuple[str, str, pd.Series]]:
    """43 forces x offence groups, quarterly; fraud (which stops in 2012/13) drops out as it ends early."""
    from bench.dask_panel import national_panel  # imported into a store as `forecast data import` does

    counts = national_panel()
    return _busy(counts, last_period=counts["month"].max(), selection=selection)


def _police_uk(path: Path, area_col: str, selection: Selection = BUSY) -> list[tuple[str, str, pd.Series]]:
    """Areas x crime types present in all but at most one month (2019-07 is missing for three forces).

    Local authorities named from LSOAs outside the four forces have scattered months: they are left out
    (through a filtered copy in a temporary folder) before the strict loader sees them.
    """
    import tempfile

    raw = pd.read_csv(path, dtype={area_col: str}).dropna(subset=[area_col])
    months = raw["month"].nunique()
    present = raw.groupby([area_col, "crime_type"])["month"].transform("nunique")
    with tempfile.TemporaryDirectory() as folder:
        kept = Path(folder) / path.name
        raw[present >= months - 1].to_csv(kept, index=False)
        counts = load_counts(kept, columns=ColumnMap(date_col="month", area_col=area_col, category_col="crime_type",
                                                     value_col="count"),
                             sum_duplicates=True, fill_missing="interpolate", areas="peers")
    return _busy(counts, last_period=counts["month"].max(), selection=selection)


PANELS = {
    "london": (LONDON, london, "London boroughs, monthly"),
    "home-office": (HOME_OFFICE, home_office, "Home Office table, 43 forces x offence groups, quarterly"),
    "police-uk-forces": (POLICE_UK_FORCES, partial(_police_uk, POLICE_UK_FORCES, "force"),
                         "police.uk, 4 forces x crime types, monthly"),
    "police-uk-las": (POLICE_UK_LAS, partial(_police_uk, POLICE_UK_LAS, "local_authority_from_lsoa_name"),
                      "police.uk, local authorities of 4 forces x crime types, monthly"),
}


def subsample(series: list, n: int | None) -> list:
    """Every k-th series, so a small run still spans areas and categories (deterministic)."""
    if n is None or n >= len(series):
        return series
    picks = np.linspace(0, len(series) - 1, n).round().astype(int)
    return [series[i] for i in dict.fromkeys(picks)]


def replay_parser(doc: str) -> argparse.ArgumentParser:
    """A replay script's options: ``--panels``, ``--series``, ``--windows`` and ``--jobs``, with ``doc`` as its help."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--panels", default=",".join(PANELS), help=f"comma-separated, from {', '.join(PANELS)}")
    parser.add_argument("--series", type=int, default=30, help="at most N series per panel, spread evenly")
    parser.add_argument("--windows", type=int, default=3, help="one-year windows at the end of each series")
    parser.add_argument("--jobs", type=int, default=2)
    return parser


def replay_panels(names: str, n_series: int | None):
    """For a replay script: ``(name, title, every series, the chosen ones)`` for each panel in ``names``
    (comma-separated) whose data is present, printing a skip line for one that is absent; exits naming an
    unknown panel."""
    chosen = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in PANELS]
    if unknown:
        sys.exit(f"unknown panel(s) {', '.join(unknown)}; panels: {', '.join(PANELS)}.")
    for name in chosen:
        path, load, title = PANELS[name]
        if not path.exists():
            print(f"### {title}\n\nskipped: `{path.name}` is absent (the real data lives only in ../shared/data).\n")
            continue
        every = load()
        yield name, title, every, subsample(every, n_series)


# --- one window ------------------------------------------------------------------------------------------

@dataclass
class Window:
    """What a model says about one window: per-period median and bounds, and the total's median."""

    point: np.ndarray
    bounds: dict[int, tuple[np.ndarray, np.ndarray]]
    total: float
    seconds: float


def _from_paths(paths: np.ndarray, seconds: float) -> Window:
    bounds = {}
    for level in LEVELS:
        tail = (1 - level / 100) / 2
        low, high = np.quantile(paths, [tail, 1 - tail], axis=0)
        bounds[level] = (low, high)
    return Window(np.median(paths, axis=0), bounds, float(np.median(paths.sum(axis=1))), seconds)


def _member_name(core) -> str:
    name = type(core).__name__.removesuffix("Core").lower()
    if hasattr(core, "trend"):
        name += " damped" if core.trend else " no trend"
    return f"member: {name}"


def known_by(periods: tuple[ExceptionalPeriod, ...], train: pd.Series) -> tuple[ExceptionalPeriod, ...]:
    """The exceptional periods that began inside ``train``'s span: what an analyst knew at the origin.

    Only these are passed, so no forecast is told anything about its target
    periods (a mask acts on training periods only, but the rule is explicit).
    """
    last_day = train.index[-1] + pd.DateOffset(months=series_frequency(train).months_per_period) - pd.Timedelta(days=1)
    return tuple(p for p in periods if p.start <= last_day)


def references(every: list[tuple[str, str, pd.Series]]) -> dict[str, pd.Series]:
    """Per category, each series' seasonal reference, as the product picks it (``season_references``).

    The force-wide series where the panel has one (London: every borough,
    busy or not), else the sum over the panel's areas (a dataset of forces).
    """
    found: dict[str, pd.Series] = {}
    for category, area, y in every:
        if area != FORCE_AREA:
            found[category] = y if category not in found else found[category].add(y, fill_value=0)
    found.update({category: y for category, area, y in every if area == FORCE_AREA})
    return found


def drift_at(references: dict[str, pd.Series], as_of: pd.Timestamp,
             exceptional: tuple[ExceptionalPeriod, ...]) -> Drift | None:
    """The dataset drift the product gives every series of the panel at ``as_of`` (``drift_of``), its category wholes
    being the panel's season references. They are sums of the panel's busy series: the product sums every series, so
    on the Home Office table, before its fraud counts stop (2013/14) and by up to 0.5% in a few quiet categories, the
    product's drift differs a little (2010-01: -1.28% on a year's total against -1.47% here); from 2014 on, and on
    London at every origin checked, the two agree to 0.0001."""
    return dataset_drift(references, as_of=as_of, make_core=crimecast_core, exceptional=exceptional, seed=DEFAULT_SEED)


def _crimecast_windows(model: str, train: pd.Series, horizon: int, n_paths: int, seed: int,
                       exceptional: tuple[ExceptionalPeriod, ...] = (),
                       reference: pd.Series | None = None, drift: Drift | None = None) -> dict[str, Window]:
    """The model's window and, for the default, each member's (sampled from the same fit, uncalibrated)."""
    started = time.perf_counter()
    forecaster = CrimeForecaster(model=model, n_paths=n_paths, seed=seed, exceptional=known_by(exceptional, train),
                                 seasonal_reference=reference, drift=drift if model == DEFAULT else None).fit(train)
    result = forecaster.predict(horizon)
    windows = {model: _from_paths(result.paths, time.perf_counter() - started)}
    for i, core in enumerate(getattr(forecaster.core_, "cores_", []) if model == DEFAULT else []):
        draws = core.sample(horizon, n_paths, seed + i)  # the seeds the blend gives its members
        windows[_member_name(core)] = _from_paths(np.clip(np.expm1(draws), 0.0, None), 0.0)
    return windows


def _sf_windows(train: pd.Series, horizon: int, season: int) -> dict[str, Window]:
    """statsforecast's AutoETS, AutoARIMA and AutoTheta on raw counts, and their median."""
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta

    values = train.to_numpy(dtype=float)
    windows = {}
    for name, model in zip(SF_MODELS, (AutoETS(season_length=season), AutoARIMA(season_length=season),
                                       AutoTheta(season_length=season))):
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = model.forecast(y=values, h=horizon, level=list(LEVELS))
        point = np.clip(out["mean"], 0, None)
        bounds = {level: (out[f"lo-{level}"], out[f"hi-{level}"]) for level in LEVELS}
        windows[name] = Window(point, bounds, float(point.sum()), time.perf_counter() - started)
    members = [windows[name] for name in SF_MODELS]
    windows[MEDIAN] = Window(
        np.median([w.point for w in members], axis=0),
        {level: (np.median([w.bounds[level][0] for w in members], axis=0),
                 np.median([w.bounds[level][1] for w in members], axis=0)) for level in LEVELS},
        float(np.median([w.point for w in members], axis=0).sum()),
        sum(w.seconds for w in members))
    return windows


def _scores(window: Window, train: np.ndarray, actual: np.ndarray, season: int,
            outside: np.ndarray | None = None) -> dict[str, float]:
    point = window.point[:len(actual)]
    scale = seasonal_naive_mae(train, season)
    row = {"mase": float(np.mean(np.abs(actual - point)) / scale) if scale > 0 else float("nan"),
           "total_ape": float(abs(window.total - actual.sum()) / actual.sum() * 100) if actual.sum() > 0 else float("nan"),
           "seconds": window.seconds}
    for level, (low, high) in window.bounds.items():
        row[f"coverage{level}"] = float(np.mean((actual >= low[:len(actual)]) & (actual <= high[:len(actual)])) * 100)
    if outside is not None:  # a diagnostic of the scoring only: no model is told about these periods
        low, high = window.bounds[80]
        kept = outside[:len(actual)]
        row["mase_outside"] = (float(np.mean(np.abs(actual - point)[kept]) / scale) if scale > 0 and kept.any()
                               else float("nan"))
        row["coverage80_outside"] = (float(np.mean(((actual >= low[:len(actual)]) & (actual <= high[:len(actual)]))[kept])
                                           * 100) if kept.any() else float("nan"))
    return row


def score_series(item: tuple[str, str, pd.Series], *, windows: int, models: tuple[str, ...], n_paths: int,
                 seed: int, exceptional: tuple[ExceptionalPeriod, ...] = (),
                 outside_of: tuple[ExceptionalPeriod, ...] | None = None,
                 references: dict[str, pd.Series] | None = None, drift: bool = True) -> pd.DataFrame:
    """Every model on the same rolling origins of one series: one row per (model, origin); the default carries
    the panel's dataset drift, as the product's does, unless ``drift`` is false."""
    category, area, y = item
    season = series_frequency(y).periods_per_year
    horizon = season
    rows = []
    for origin in backtest_origins(len(y), windows=windows, horizon=horizon, frequency=series_frequency(y)):
        train, actual = y.iloc[:origin], y.to_numpy(dtype=float)[origin:origin + horizon]
        outside = None if outside_of is None else ~exceptional_mask(y.index[origin:origin + horizon], outside_of)
        found: dict[str, Window] = {}
        # only the default carries it: measured (a fit of every category's whole) only when the default is scored
        carried = drift_at(references, train.index[-1], exceptional) if drift and references and DEFAULT in models \
            else None
        for model in (m for m in models if m in CRIMECAST_MODELS):
            found.update(_crimecast_windows(model, train, horizon, n_paths, seed, exceptional,
                                            (references or {}).get(category), carried))
        if any(m in models for m in (*SF_MODELS, MEDIAN)):
            found.update(_sf_windows(train, horizon, season))
        for name, window in found.items():
            rows.append({"category": category, "area": area, "model": name, "origin": y.index[origin],
                         **_scores(window, train.to_numpy(dtype=float), actual, season, outside)})
    return pd.DataFrame(rows)


# --- tables ------------------------------------------------------------------------------------------------

def _order(names) -> list[str]:
    first = [DEFAULT, *sorted(n for n in names if n.startswith("member:"))]
    rest = [m for m in (*SF_MODELS, MEDIAN, "ets", "prophet-default", "seasonal-naive") if m in names]
    return [n for n in first if n in names] + rest


def panel_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Per model: MASE mean and median, total error, coverages, seconds per series."""
    per_model = scores.groupby("model")
    seconds = scores.groupby(["model", "category", "area"])["seconds"].sum().groupby("model").mean()
    table = pd.DataFrame({
        "mean MASE": per_model["mase"].mean(), "median MASE": per_model["mase"].median(),
        "mean total error %": per_model["total_ape"].mean(),
        "80% coverage %": per_model["coverage80"].mean(), "95% coverage %": per_model["coverage95"].mean(),
        "seconds per series": seconds,
    })
    return table.loc[_order(table.index)]


def coverage_by_year(scores: pd.DataFrame) -> pd.DataFrame:
    """80% coverage per model and origin year (the year of the first forecast period)."""
    table = scores.assign(year=pd.to_datetime(scores["origin"]).dt.year).pivot_table(
        index="model", columns="year", values="coverage80", aggfunc="mean")
    return table.loc[_order(table.index)]


def markdown(table: pd.DataFrame, *, first: str = "model") -> str:
    def cell(column, value):
        if pd.isna(value):
            return "-"
        return f"{value:.3f}" if "MASE" in str(column) else f"{value:.1f}"

    lines = [f"| {first} | " + " | ".join(map(str, table.columns)) + " |", "|---|" + "---|" * len(table.columns)]
    for name, row in table.iterrows():
        lines.append(f"| {name} | " + " | ".join(cell(c, v) for c, v in row.items()) + " |")
    return "\n".join(lines)


def verdict(table: pd.DataFrame, by_year: pd.DataFrame) -> str:
    """Issue 14's targets for the default against the statsforecast peers, one line."""
    peers = table.loc[[m for m in (*SF_MODELS, MEDIAN) if m in table.index]]
    if peers.empty or DEFAULT not in table.index:
        return "Targets not judged (the default or the statsforecast peers were not run)."
    best = peers["mean MASE"].min()
    ratio = table.at[DEFAULT, "mean MASE"] / best
    total_ok = (table.at[DEFAULT, "mean total error %"] < peers["mean total error %"]).all()
    coverage = table.at[DEFAULT, "80% coverage %"]
    years = by_year.loc[DEFAULT].dropna()
    years_ok = years.between(75, 85).all()
    say = lambda ok: "met" if ok else "MISSED"  # noqa: E731
    return (f"Targets (issue 14): mean MASE <= 0.95 x best peer's ({peers['mean MASE'].idxmin()}): ratio **{ratio:.3f}**, "
            f"{say(ratio <= 0.95)}; total error below every peer's: {say(total_ok)}; 80% coverage 75-85%: "
            f"**{coverage:.1f}%**, {say(75 <= coverage <= 85)}; in every origin year "
            f"({', '.join(f'{y}: {v:.0f}%' for y, v in years.items())}): {say(years_ok)}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--panels", default=",".join(PANELS), help=f"comma-separated, from {', '.join(PANELS)}")
    parser.add_argument("--series", type=int, default=None, help="at most N series per panel, spread evenly (default all)")
    parser.add_argument("--windows", type=int, default=3, help="one-year windows at the end of each series")
    parser.add_argument("--models", default=",".join((*CRIMECAST_MODELS, *SF_MODELS, MEDIAN)))
    parser.add_argument("--paths", type=int, default=DEFAULT_PATHS)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--exceptional", default=DEFAULT_EXCEPTIONAL, metavar="NAME|FILE|none",
                        help="exceptional periods passed to crimecast's models, only those that began before each "
                             f"origin (default: the product's, {DEFAULT_EXCEPTIONAL}; none for every month). "
                             "Peers never see them.")
    parser.add_argument("--outside-of", default=None, metavar="NAME|FILE",
                        help="also score each window on its periods outside these (a diagnostic written to the "
                             "scores file; no model is told about them)")
    parser.add_argument("--scheduler", default=None, help="local:N or tcp://HOST:PORT: run on Dask instead of --jobs")
    parser.add_argument("--low-counts", action="store_true",
                        help=f"score the quiet series ({LOW_COUNTS.describe()}) into their own section".replace("%", "%%"))
    parser.add_argument("--no-drift", action="store_true",
                        help="the default without the dataset drift (the product's --no-drift)")
    args = parser.parse_args()
    selection = LOW_COUNTS if args.low_counts else BUSY
    panels = [p.strip() for p in args.panels.split(",") if p.strip()]
    unknown = [p for p in panels if p not in PANELS]
    if unknown:
        sys.exit(f"unknown panel(s) {', '.join(unknown)}; choose from {', '.join(PANELS)}.")
    models = tuple(m.strip() for m in args.models.split(",") if m.strip())
    exceptional = () if args.exceptional == NO_EXCEPTIONAL else load_exceptional(args.exceptional)
    work = partial(score_series, windows=args.windows, models=models, n_paths=args.paths, seed=DEFAULT_SEED,
                   exceptional=exceptional, drift=not args.no_drift,
                   outside_of=None if args.outside_of is None else load_exceptional(args.outside_of))
    sections, all_scores = [], []
    for name in panels:
        path, load, title = PANELS[name]
        if not path.exists():
            sections.append(f"### {title}\n\nskipped: `{path.name}` is absent (the real data lives only in ../shared/data).")
            continue
        every = load(selection=selection)
        seasonal = references(every if selection == BUSY else load() + every)  # the product reads the whole panel
        series = subsample(every, args.series)
        started = time.perf_counter()
        frames = map_series(partial(work, references=seasonal), series, jobs=args.jobs, scheduler=args.scheduler,
                            progress=lambda label: print(f"  {name}: {label}", file=sys.stderr, flush=True),
                            label=lambda item: f"{item[0]} / {item[1]}")
        wall = time.perf_counter() - started
        scores = pd.concat(frames, ignore_index=True).assign(panel=name)
        all_scores.append(scores)
        table, by_year = panel_table(scores), coverage_by_year(scores)
        origins = sorted({f"{pd.Timestamp(o):%Y-%m}" for o in scores["origin"]})
        sections.append(f"""### {title} (`{name}`)

{len(series)} of {len(every)} series ({selection.describe()}, full span{'' if len(series) == len(every) else ', spread evenly'}); origins {', '.join(origins)}; {wall:.0f} s wall.

{markdown(table)}

80% coverage % by origin year:

{markdown(by_year)}

{verdict(table, by_year)}""")
        print(sections[-1], flush=True)
    if all_scores:
        name = "accuracy-low-counts-scores.csv" if args.low_counts else "accuracy-scores.csv"
        pd.concat(all_scores, ignore_index=True).to_csv(Path(__file__).with_name(name), index=False)
    command = "nice -n 10 python bench/accuracy.py" + "".join(
        f" --{flag} {value}".rstrip() for flag, value, default in (
            ("panels", args.panels, ",".join(PANELS)), ("series", args.series, None), ("windows", args.windows, 3),
            ("models", args.models, parser.get_default("models")), ("paths", args.paths, DEFAULT_PATHS),
            ("jobs", args.jobs, 2), ("scheduler", args.scheduler, None),
            ("exceptional", args.exceptional, DEFAULT_EXCEPTIONAL),
            ("outside-of", args.outside_of, None), ("low-counts", "" if args.low_counts else None, None),
            ("no-drift", "" if args.no_drift else None, None))
        if value != default)
    caveat = "" if args.series is None or args.series >= 30 else (
        f" **A subsample of at most {args.series} series per panel**: with so few series the figures show that the "
        "harness runs, not how accurate a model is on the panel (a single series moves a mean); run without "
        "`--series` (or with 30 or more) to judge the targets.")
    kept_out = ("crimecast's models (the default, its members, `ets`, `prophet-default`, `seasonal-naive`) fit every "
                "month" if not exceptional else
                f"crimecast's models (the default, its members, `ets`, `prophet-default`, `seasonal-naive`) keep the "
                f"`{args.exceptional}` periods that began before each origin out of fitting, as the product does by "
                "default; the statsforecast peers fit every month.")
    heading = ("Accuracy on the real panels' quiet series (5 to 20 a period)" if args.low_counts else
               "Accuracy on the real panels" if args.series else "Accuracy on every series of the real panels")
    body = f"""## {heading}, against the statsforecast peers

{machine()}. `{command}`.{caveat} The same rolling origins for every model (the last {args.windows} one-year
windows of each series, at least two years of training); MASE scaled by the in-sample seasonal-naive MAE;
total error is the one-year total's absolute % error; seconds per series add up its origins.

`crimecast` is the default (calibrated); `member:` rows are its members sampled from the same fit, without
the default's interval calibration (their point forecasts are what the blend averages on the log scale; their
seconds are counted in the default's); `sf-*` are statsforecast on raw counts, `sf-median` the per-period median
of their forecasts and interval bounds; `ets` is crimecast's ETS member alone. {kept_out}

{chr(10).join(chr(10) + s for s in sections)}
"""
    write_section(section_name(low_counts=args.low_counts, series=args.series), body)


def section_name(*, low_counts: bool, series: int | None) -> str:
    """The RESULTS.md section a run writes: a subsample (``--series N``) and every series keep their own sections,
    so the quick run does not overwrite the full one (nor the other way round)."""
    name = "accuracy-low-counts" if low_counts else "accuracy"
    return name if series else f"{name}-all-series"


if __name__ == "__main__":
    main()

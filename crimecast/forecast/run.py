"""The forecasting jobs the CLI runs: one public function per command."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from functools import partial

import pandas as pd

from crimecast.data.frequency import frequency_of
from crimecast.data.exceptional import ExceptionalPeriod, check_no_overlap
from crimecast.data.known_changes import KnownChange, exceptional_periods, months_for
from crimecast.data.series import resolve_area, resolve_category, series_of, select_keys
from crimecast.errors import CrimecastError, DataError
from crimecast.forecast.backtest import (BACKTEST_MODELS, BACKTEST_WINDOWS, backtest_need, backtest_origins,
                                         backtest_series, lost_to_baseline, summarise)
from crimecast.forecast.cores import series_frequency
from crimecast.forecast.models import AUTO, DEFAULT_MODEL, DEFAULT_PATHS, DEFAULT_SEED, CrimeForecaster
from crimecast.forecast.significance import PeriodComparison, year_on_year
from crimecast.forecast.spc import RUN_LENGTH, ControlChart, describe_chart
from crimecast.forecast.steps import process_chart
from crimecast.forecast.parallel import Progress, map_series
from crimecast.forecast.paths import ForecastResult


@dataclass(frozen=True)
class RunOptions:
    """Options shared by every forecast of a run.

    ``horizon`` counts periods of the data (months, or quarters for
    quarterly data); ``None`` means one year ahead: 12 months or 4 quarters.
    """

    horizon: int | None = None
    n_paths: int = DEFAULT_PATHS
    seed: int = DEFAULT_SEED
    model: str = DEFAULT_MODEL
    backtest: bool = True
    windows: int = BACKTEST_WINDOWS
    models: tuple[str, ...] = BACKTEST_MODELS
    steps: bool = True
    known_changes: tuple[KnownChange, ...] = ()
    exceptional: tuple[ExceptionalPeriod, ...] = ()

    def exceptional_for(self, category: str, area: str) -> tuple[ExceptionalPeriod, ...]:
        """The exceptional periods of one series: ``exceptional`` and the known changes of kind exceptional."""
        return series_exceptional(self.exceptional, self.known_changes, category=category, area=area)

    def forecaster_params(self, category: str, area: str) -> dict:
        """Level-shift and exceptional-period settings of the forecaster for one series."""
        params = {"level_shifts": AUTO if self.steps else (),
                  "known_changes": months_for(list(self.known_changes), category=category, area=area)}
        exceptional = self.exceptional_for(category, area)
        if exceptional:  # passed only when set, so models without the parameter still run ordinary series
            params["exceptional"] = exceptional
        return params


def series_exceptional(periods: tuple[ExceptionalPeriod, ...], changes: tuple[KnownChange, ...], *, category: str,
                       area: str) -> tuple[ExceptionalPeriod, ...]:
    """``periods`` with the exceptional known changes of one series, checked not to overlap."""
    combined = tuple(sorted((*periods, *exceptional_periods(list(changes), category=category, area=area)),
                            key=lambda p: p.start))
    check_no_overlap(combined, where=f"exceptional periods of {category} / {area} (--exceptional and --known-changes)")
    return combined


@dataclass
class SeriesReport:
    """A forecast of one series with the backtest that says how far to trust it."""

    forecast: ForecastResult
    scores: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    comparisons: list[PeriodComparison] = field(default_factory=list)

    @property
    def backtest_summary(self) -> pd.DataFrame | None:
        return None if self.scores is None or self.scores.empty else summarise(self.scores)

    @property
    def lost_to(self) -> str | None:
        """The baseline that beat the forecasting model on MASE, if one did."""
        if self.scores is None or self.scores.empty:
            return None
        lost = lost_to_baseline(self.scores, model=self.forecast.model)
        return None if lost.empty else str(lost["best_model"].iloc[0])


def _forecast_one(key: tuple[str, str, pd.Series], options: RunOptions) -> SeriesReport:
    category, area, y = key
    params = options.forecaster_params(category, area)
    frequency = series_frequency(y)
    forecaster = CrimeForecaster(model=options.model, n_paths=options.n_paths, seed=options.seed, **params)
    result = forecaster.fit(y).predict(options.horizon, category=category, area=area)  # None: one year
    report = SeriesReport(forecast=result, comparisons=year_on_year(y))
    if options.backtest:
        if backtest_origins(len(y), windows=options.windows, frequency=frequency):
            models = tuple(dict.fromkeys((options.model, *options.models)))
            report.scores = backtest_series(y, models=models, windows=options.windows, n_paths=options.n_paths,
                                            seed=options.seed, category=category, area=area, **params)
        else:
            report.notes.append(f"{len(y)} {frequency.noun}s is too short to backtest ({backtest_need(frequency)} "
                                "needed); accuracy is unmeasured.")
    winner = report.lost_to
    if winner:
        report.notes.append(
            f"on this series the {winner} baseline beat {options.model} in the backtest (lower MASE); "
            f"consider `--model {winner}`."
        )
    return report


@dataclass(frozen=True)
class SeriesFailure:
    """A series a batch could not forecast, and why (the batch carries on without it)."""

    category: str
    area: str
    reason: str
    detail: str = ""  # the traceback of an unexpected error, shown with --debug

    @property
    def label(self) -> str:
        return f"{self.category} / {self.area}"


def _guarded(work, item: tuple[str, str, pd.Series]):
    """``work(item)``, or a :class:`SeriesFailure` saying why it could not be done."""
    try:
        return work(item)
    except CrimecastError as error:
        return SeriesFailure(item[0], item[1], str(error))
    except Exception as error:  # noqa: BLE001 - one series' bug or numerical failure must not sink a batch
        return SeriesFailure(item[0], item[1], f"unexpected {type(error).__name__}: {error}",
                             detail=traceback.format_exc())


def _map_batch(work, items: list, *, jobs: int, progress: Progress | None) -> tuple[list, list[SeriesFailure]]:
    """Run ``work`` on every item; one series raises as usual, a batch collects failures and carries on."""
    label = lambda item: f"{item[0]} / {item[1]}"  # noqa: E731
    if len(items) == 1:
        return map_series(work, items, jobs=1, progress=progress, label=label), []
    outcomes = map_series(partial(_guarded, work), items, jobs=jobs, progress=progress, label=label)
    return ([o for o in outcomes if not isinstance(o, SeriesFailure)],
            [o for o in outcomes if isinstance(o, SeriesFailure)])


@dataclass
class RunReport:
    """The forecasts of a run, notes about the selection, and the series that failed."""

    reports: list[SeriesReport]
    notes: list[str] = field(default_factory=list)
    failures: list[SeriesFailure] = field(default_factory=list)


def _series_items(counts: pd.DataFrame, category: str, area: str) -> tuple[list[tuple[str, str, pd.Series]], list[str]]:
    keys, notes = select_keys(counts, category=category, area=area)
    if not keys:
        raise DataError(f"no series for category '{category}' in area '{area}'. Run `forecast list` to see what exists.")
    return [(c, a, series_of(counts, category=c, area=a)) for c, a in keys], notes


def run_forecasts(counts: pd.DataFrame, *, category: str, area: str, options: RunOptions = RunOptions(),
                  jobs: int = 1, progress: Progress | None = None) -> RunReport:
    """Forecast (and backtest) every series named by ``category`` and ``area``.

    Parameters
    ----------
    counts
        The validated table, with totals (see ``with_totals``).
    category, area
        Slugs, aliases or ``"all"``.
    options
        Horizon, paths, seed, model and backtest settings.
    jobs
        Worker processes for several series.
    progress
        Called with ``"category / area"`` as each series finishes.

    Returns
    -------
    RunReport
        One report per series forecast, notes about the selection (aliases)
        and, for several series, those that could not be forecast and why:
        one bad series never stops the others.

    Raises
    ------
    CrimecastError
        When a single series is asked for and cannot be forecast.
    """
    items, notes = _series_items(counts, category, area)
    reports, failures = _map_batch(partial(_forecast_one, options=options), items, jobs=jobs, progress=progress)
    return RunReport(reports=reports, notes=notes, failures=failures)


def _backtest_one(item: tuple[str, str, pd.Series], options: RunOptions) -> pd.DataFrame:
    category, area, y = item
    models = tuple(dict.fromkeys((options.model, *options.models)))
    return backtest_series(y, models=models, windows=options.windows, n_paths=options.n_paths, seed=options.seed,
                           category=category, area=area, **options.forecaster_params(category, area))


@dataclass
class BacktestReport:
    """Rolling-origin scores of several models on several series."""

    scores: pd.DataFrame
    model: str
    notes: list[str] = field(default_factory=list)
    failures: list[SeriesFailure] = field(default_factory=list)

    @property
    def overall(self) -> pd.DataFrame:
        """Mean scores per model over every series and window, best MASE first."""
        return summarise(self.scores)

    @property
    def per_series(self) -> pd.DataFrame:
        """Mean MASE, total error and 80% coverage per series and model."""
        columns = ["mase", "total_ape", "coverage80"]
        return self.scores.groupby(["category", "area", "model"])[columns].mean().reset_index()

    @property
    def lost(self) -> pd.DataFrame:
        """Series where a baseline beat ``model`` on MASE."""
        return lost_to_baseline(self.scores, model=self.model)


def run_backtests(counts: pd.DataFrame, *, category: str, area: str, options: RunOptions = RunOptions(),
                  jobs: int = 1, progress: Progress | None = None) -> BacktestReport:
    """Rolling-origin scores of every model on every series named.

    Returns
    -------
    BacktestReport
        One score row per (series, model, window), summaries, and notes
        about the selection (aliases, series too short to backtest).
    """
    items, notes = _series_items(counts, category, area)
    frequency = frequency_of(counts)
    need = f"{backtest_need(frequency)} {frequency.noun}s"
    short = [f"{c} / {a}" for c, a, y in items if not backtest_origins(len(y), windows=options.windows, frequency=frequency)]
    items = [item for item in items if backtest_origins(len(item[2]), windows=options.windows, frequency=frequency)]
    if short:
        notes.append(f"skipped (too short to backtest, {need} needed): {', '.join(short)}")
    if not items:
        raise DataError(f"no series is long enough to backtest: each needs at least {need}.")
    frames, failures = _map_batch(partial(_backtest_one, options=options), items, jobs=jobs, progress=progress)
    if not frames:
        raise DataError("no series could be backtested: " + "; ".join(f"{f.label}: {f.reason}" for f in failures))
    return BacktestReport(scores=pd.concat(frames, ignore_index=True), model=options.model, notes=notes,
                          failures=failures)


@dataclass
class ProcessReport:
    """An SPC reading of one series: the chart, its month effects and the summary sentences."""

    category: str
    area: str
    chart: ControlChart
    month_effects: pd.Series | None
    summary: list[str]
    known: list[KnownChange]
    notes: list[str] = field(default_factory=list)


def run_spc(counts: pd.DataFrame, *, category: str, area: str, start: pd.Timestamp | None = None,
            seasonal_adjust: bool = False, known_changes: tuple[KnownChange, ...] = (),
            run_length: int = RUN_LENGTH, screen: bool = True,
            exceptional: tuple[ExceptionalPeriod, ...] = ()) -> ProcessReport:
    """Statistical process control of one series: periods, signals, steps and a plain-English summary.

    Quarterly data is charted in quarters: limits from the moving ranges
    between quarters, run and trend rules counted in quarters, and
    ``start`` taken as the quarter that holds it. Exceptional periods
    (``exceptional`` and known changes of kind exceptional) are charted but
    kept out of the process average, the limits, the rules and the search
    for steps.

    Raises
    ------
    DataError
        For an unknown series, or one too short (under 12 points) or constant.
    """
    slug, note = resolve_category(counts, category)
    area_slug = resolve_area(counts, area)
    y = series_of(counts, category=slug, area=area_slug)
    known = [k for k in known_changes if k.applies_to(slug, area_slug) and not k.exceptional]
    periods = series_exceptional(exceptional, known_changes, category=slug, area=area_slug)
    chart, effects = process_chart(y, start=start, seasonal_adjust=seasonal_adjust,
                                   known=tuple(k.month for k in known), run_length=run_length, screen=screen,
                                   exceptional=periods)
    return ProcessReport(category=slug, area=area_slug, chart=chart, month_effects=effects,
                         summary=describe_chart(chart, month_effects=effects), known=known,
                         notes=[note] if note else [])

"""The forecasting jobs the CLI runs: one public function per command."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import pandas as pd

from crimecast.data.calendar import financial_year_start
from crimecast.defaults import DEFAULT_EXCEPTIONAL, DEFAULT_MODEL, NO_EXCEPTIONAL
from crimecast.data.exceptional import ExceptionalPeriod, settled_in
from crimecast.data.frequency import Frequency, frequency_of
from crimecast.data.known_changes import KnownChange, check_known_changes
from crimecast.data.series import (ALL, FORCE_AREA, TOTAL_CATEGORY, Selection, default_area, filled_among,
                                   filled_periods, recorded_words, resolve_area, resolve_category, season_references, select_keys,
                                   selection, series_of, whole_title)
from crimecast.errors import CrimecastError, DataError, UsageError
from crimecast.forecast.backtest import (BACKTEST_MODELS, BACKTEST_WINDOWS, backtest_need, backtest_origins,
                                         backtest_series, lost_to_baseline, summarise)
from crimecast.forecast.calibrate import FitCache
from crimecast.forecast.compared import compared_note
from crimecast.forecast.cores import series_frequency
from crimecast.forecast.drift import Drift
from crimecast.forecast.panel import (Panel, default_as_of, drift_of, forecast_panel, panel_keys,
                                     series_exceptional, series_settings)
from crimecast.forecast.spec import ForecastSpec, default_exceptional
from crimecast.forecast.significance import PeriodComparison, year_on_year
from crimecast.forecast.spc import RUN_LENGTH, ControlChart, describe_chart
from crimecast.forecast.steps import process_chart
from crimecast.forecast.parallel import Progress, map_series
from crimecast.forecast.paths import ForecastResult

if TYPE_CHECKING:
    from crimecast.data.sources import DataSource
    from crimecast.forecast.saved import SavedSummary


@dataclass(frozen=True)
class BacktestOptions:
    """How a run scores its model: whether to backtest, how many windows, against which models."""

    backtest: bool = True
    windows: int = BACKTEST_WINDOWS
    models: tuple[str, ...] = BACKTEST_MODELS


def _forecaster_params(spec: ForecastSpec, category: str, area: str, references: dict[str, pd.Series] | None) -> dict:
    """The panel's settings of the forecaster for one series (``series_settings``), its whole read from ``references``."""
    return series_settings(spec, (category, area), (references or {}).get(category))


def _drift_at(spec: ForecastSpec, references: dict[str, pd.Series] | None,
              drifts: dict[pd.Timestamp, Drift | None] | None = None) -> Callable[[pd.Timestamp], Drift | None] | None:
    """The dataset drift at each backtest window's origin, as a forecast from there carries it (``drift_of``):
    read from ``drifts`` (:func:`_window_drifts`, measured once for every worker), else measured here."""
    return None if not references else partial(_window_drift, references=references, spec=spec, drifts=drifts or {})


def _window_drift(end: pd.Timestamp, *, references: dict[str, pd.Series], spec: ForecastSpec,
                  drifts: dict[pd.Timestamp, Drift | None]) -> Drift | None:
    return drifts[end] if end in drifts else drift_of(references, end, spec=spec)


def _window_drifts(references: dict[str, pd.Series], items: list[tuple[str, str, pd.Series]], *, spec: ForecastSpec,
                   options: BacktestOptions) -> dict[pd.Timestamp, Drift | None]:
    """The dataset drift at the origin (last period trained on) of every backtest window of ``items``, each measured
    once, here, for the workers to read rather than measure again; empty when no window carries one (drift off, or
    the default model not among those scored)."""
    if not references or not spec.drift or DEFAULT_MODEL not in (spec.model, *options.models):
        return {}
    ends = {y.index[origin - 1] for _, _, y in items
            for origin in backtest_origins(len(y), windows=options.windows, frequency=series_frequency(y))}
    return {end: drift_of(references, end, spec=spec) for end in sorted(ends)}


@dataclass
class SeriesReport:
    """A forecast of one series with the backtest that says how far to trust it."""

    forecast: ForecastResult
    scores: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    comparisons: list[PeriodComparison] = field(default_factory=list)
    filled: tuple[pd.Timestamp, ...] = ()  # periods missing from the data and filled in (not recorded counts)
    summed_areas: int = 0  # areas whose forecasts add up to this one (a force forecast with its districts), else 0

    @property
    def key(self) -> tuple[str, str]:
        return self.forecast.category, self.forecast.area

    @property
    def compared_without(self) -> tuple:
        """The parts of this total whose counts stop (``forecast.left_out``) that a change on the year before leaves
        out of both years: in the recorded comparisons or the financial years forecast."""
        forecast = self.forecast
        # the years forecast.financial_years() lists (without computing its table): those covered whole
        years = [start for start in sorted({financial_year_start(m) for m in forecast.months})
                 if forecast.year_total_paths(start) is not None] if forecast.left_out else []
        used = {id(p) for c in self.comparisons for p in c.left_out}
        used |= {id(p) for start in years for p in forecast.compared_without(start)}
        return tuple(p for p in self.forecast.left_out if id(p) in used)

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


def _backtest_item(item: tuple[str, str, pd.Series], spec: ForecastSpec, options: BacktestOptions,
                   fits: FitCache | None = None, references: dict[str, pd.Series] | None = None,
                   drifts: dict[pd.Timestamp, Drift | None] | None = None,
                   filled: dict[tuple[str, str], frozenset] | None = None) -> tuple:
    """Backtest scores of one series (``None`` when too short), and a note when it is too short, saying how many of
    its periods are recorded when some (``filled``, by series) were missing and filled in; ``drifts`` as for
    :func:`_drift_at`."""
    category, area, y = item
    frequency = series_frequency(y)
    if not backtest_origins(len(y), windows=options.windows, frequency=frequency):
        among = filled_among(y, (filled or {}).get((category, area), ()))
        recorded = f"{recorded_words(len(y), among, frequency)}," if among else ""
        return None, (f"{frequency.count_of(len(y))}{recorded} is too short to backtest ({backtest_need(frequency)} "
                      "needed); accuracy is unmeasured.")
    models = tuple(dict.fromkeys((spec.model, *options.models)))
    return backtest_series(y, models=models, windows=options.windows, n_paths=spec.paths, seed=spec.seed,
                           category=category, area=area, fits=fits, drift_at=_drift_at(spec, references, drifts),
                           **_forecaster_params(spec, category, area, references)), None


def _backtest_beside_forecast(key: tuple[str, str], history: pd.Series, fits: FitCache, reference: pd.Series | None,
                              *, spec: ForecastSpec, options: BacktestOptions, batch: bool,
                              wholes: dict[str, pd.Series], drifts: dict[pd.Timestamp, Drift | None],
                              filled: dict[tuple[str, str], frozenset] | None = None) -> tuple:
    """:func:`_backtest_item` in the worker that forecast the series, reusing its fits; a batch notes a failure.
    ``wholes`` are the dataset's ``season_references`` (``reference`` is the series' own among them)."""
    item = (key[0], key[1], history)
    work = partial(_backtest_item, spec=spec, options=options, fits=fits, references=wholes, drifts=drifts,
                   filled=filled)
    if not batch:
        return work(item)
    outcome = _guarded(work, item)
    return _unscored(outcome.reason) if isinstance(outcome, SeriesFailure) else outcome


def _unscored(reason: str) -> tuple:
    """What a series whose backtest failed reports: no scores, and why."""
    return None, f"the backtest failed ({reason}); accuracy is unmeasured."


def _report(panel: Panel, counts: pd.DataFrame, item: tuple[str, str, pd.Series], scored) -> SeriesReport:
    category, area, y = item
    filled = tuple(filled_periods(counts, category=category, area=area))
    parts = panel.paths.keys_for(category, area) or []
    summed = len({a for _, a in parts}) if any(a != area for _, a in parts) else 0
    forecast = panel.result(counts, category, area)
    report = SeriesReport(forecast=forecast, comparisons=year_on_year(y, filled=filled, left_out=forecast.left_out),
                          filled=filled, summed_areas=summed)
    report.notes += compared_note((report.key, part) for part in report.compared_without)
    if scored is not None:
        report.scores, short = scored
        if short:
            report.notes.append(short)
    winner = report.lost_to
    if winner:
        report.notes.append(
            f"on this series the {winner} baseline beat {panel.spec.model} in the backtest (lower MASE); "
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

    @property
    def why(self) -> str:
        """The reason without a leading "category / area: " (a single series' error names it; a list does already)."""
        return self.reason.removeprefix(f"{self.label}: ")


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
    panel: Panel | None = None  # the coherent forecast the reports read (what ``--save`` keeps)

    @property
    def batch_notes(self) -> list[str]:
        """For several series, the forecast's notes said once for all of them (exceptional months kept out, short
        calibration, wide intervals, steps modelled); one series gives its own notes with its forecast."""
        if self.panel is None or len(self.reports) + len(self.failures) <= 1:
            return []
        compared = compared_note(((r.key, part) for r in self.reports for part in r.compared_without),
                                 name_areas=len({r.key[1] for r in self.reports}) > 1)
        return list(self.panel.notes) + compared


@dataclass(frozen=True)
class RunData:
    """The data ``forecast run`` works on, read once, and where a forecast it keeps goes (:func:`open_run_data`).

    Attributes
    ----------
    counts
        The counts of the areas asked for: validated, with totals.
    asked
        The area as the command gave it (``None``: not given), of which the data's notes speak.
    area
        The area forecast: as given, else ``all`` for every category, else the area every command defaults to
        (:func:`crimecast.data.series.default_area`); for a rate series, as given.
    rates
        The rate series read with the counts when the category is one of them (forecast as a proportion,
        :func:`crimecast.forecast.rates.run_rate`); ``None`` for counts.
    save
        The name the forecast is kept under in the store (checked); ``None``: not kept.
    store
        The store it is kept in (``None``: the default store).
    """

    counts: pd.DataFrame
    asked: str | None
    area: str | None
    rates: pd.DataFrame | None = None
    save: str | None = None
    store: str | None = None

    def keep(self, run: RunReport) -> SavedSummary | None:
        """Keep ``run``'s forecast in the store under :attr:`save` (replacing one of that name); ``None``, and
        nothing kept, when no name was given, a series failed or nothing was forecast.

        Raises
        ------
        DataError
            When the store cannot be written.
        """
        from crimecast.forecast.saved import save_panel

        if self.save is None or run.panel is None or run.failures:
            return None
        return save_panel(run.panel, name=self.save, counts=self.counts, store=self.store)


def open_run_data(source: DataSource, *, category: str, area: str | None = None, save: str | None = None) -> RunData:
    """Read the counts ``forecast run CATEGORY`` forecasts, once, and check the name it keeps them under.

    Parameters
    ----------
    source
        The data the user named.
    category
        A category (slug or alias), a rate series or ``all``.
    area
        ``--area``: one area, ``all`` or a comma-separated list; ``None``: force-wide (every area for ``all``).
    save
        ``--save NAME``: the forecast is to be kept in ``source``'s store under this name.

    Returns
    -------
    RunData
        The counts (of the areas asked for: forces that end at different periods are read to the last one all
        of them have), the area forecast, the rate series when ``category`` is one, and the store.

    Raises
    ------
    UsageError
        A name ``save`` cannot take, or ``save`` given for a rate series (only forecasts of counts are kept), refused
        before anything is said of the data.
    DataError
        Data that cannot be read, or a category or area it does not hold (refused before anything is said of
        the data, so the error comes alone).
    """
    from crimecast.data.rates import is_rate, rates_for
    from crimecast.data.sources import open_counts, refuse_unknown_names  # (not in the workers, which import this)

    if save is not None:
        from crimecast.forecast.saved import check_forecast_name

        check_forecast_name(save)
    counts = open_counts(source.asking(area))
    refuse_unknown_names(counts, area=area, category=category)
    rates = rates_for(counts)
    store = {"save": save, "store": source.store}
    if category != ALL and is_rate(rates, category):
        if save is not None:
            raise UsageError(f"'{category}' is a rate series; --save keeps forecasts of counts only. Run it without --save.")
        return RunData(counts=counts, asked=area, area=area, rates=rates, **store)
    return RunData(counts=counts, asked=area, area=area or (ALL if category == ALL else default_area(counts)), **store)


def _series_items(counts: pd.DataFrame, category: str, area: str,
                  origin: pd.Timestamp | None = None) -> tuple[list[tuple[str, str, pd.Series]], Selection]:
    chosen = selection(counts, category=category, area=area, origin=origin)
    if not chosen.keys:
        raise DataError(f"no series for category '{category}' in area '{area}'. Run `forecast list` to see what exists.")
    return [(c, a, series_of(counts, category=c, area=a)) for c, a in chosen.keys], chosen


def _backtested_beside(counts: pd.DataFrame, needs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The series asked for that the panel forecasts as they are: backtested where they are forecast."""
    bottom = set(panel_keys(counts, needs)[0])
    return [key for key in needs if key in bottom]


def run_size(counts: pd.DataFrame, *, category: str, area: str, backtest: bool = True,
             spec: ForecastSpec = ForecastSpec()) -> int:
    """How many steps :func:`run_forecasts` reports to ``progress``: series forecast, then the totals backtested."""
    keys, _ = select_keys(counts, category=category, area=area, origin=default_as_of(counts, spec))
    alone = len(keys) - len(_backtested_beside(counts, keys))
    return len(panel_keys(counts, keys)[0]) + (alone if backtest else 0)


def run_forecasts(counts: pd.DataFrame, *, category: str, area: str, spec: ForecastSpec = ForecastSpec(),
                  options: BacktestOptions = BacktestOptions(), jobs: int = 1,
                  progress: Progress | None = None) -> RunReport:
    """Forecast (and backtest) every series named by ``category`` and ``area``, as one coherent panel.

    The series are forecast as :func:`crimecast.forecast.panel.forecast_panel`
    does for every command: a total (total recorded crime, or the force when
    districts are asked for too) is the sum of its parts, path by path.

    Parameters
    ----------
    counts
        The validated table, with totals (see ``with_totals``).
    category, area
        Slugs, aliases or ``"all"``.
    spec
        Model, paths, seed, steps, known changes and horizon.
    options
        Backtest settings.
    jobs
        Worker processes for several series.
    progress
        Called with ``"category / area"`` as each series is forecast, then backtested.

    Returns
    -------
    RunReport
        One report per series forecast, notes about the selection (aliases),
        the panel (to save) and, for several series, those that could not be
        forecast and why: one bad series never stops the others. ``all``
        (every category, or every area) leaves out a category, or a series,
        whose counts stop before the data used ends
        (:func:`crimecast.data.series.selection`), with a note, not as a
        failure; named by category and area, it is refused.

    Raises
    ------
    CrimecastError
        When a single series is asked for and cannot be forecast.
    """
    origin = default_as_of(counts, spec)
    items, chosen = _series_items(counts, category, area, origin)
    batch = len(items) > 1
    needs = [(c, a) for c, a, _ in items]
    beside = _backtested_beside(counts, needs) if options.backtest else []
    references = season_references(counts)
    backtested = [(c, a, y.loc[:origin] if (c, a) in beside else y) for c, a, y in items]  # as each is backtested
    drifts = _window_drifts(references, backtested, spec=spec, options=options) if options.backtest else {}
    filled = {(c, a): frozenset(filled_periods(counts, category=c, area=a)) for c, a, _ in items} if options.backtest else {}
    panel = forecast_panel(counts, spec=spec, needs=needs, jobs=jobs, progress=progress, keep_going=batch,
                           said_stopped=frozenset([*chosen.stopped_categories, *chosen.stopped_series]),  # left out, said so
                           score=partial(_backtest_beside_forecast, spec=spec, options=options, batch=batch,
                                         wholes=references, drifts=drifts, filled=filled),
                           score_keys=beside)
    ready = [item for item in items if panel.has(item[0], item[1])]
    failures = [series_failure(panel, c, a) for c, a, _ in items if not panel.has(c, a)]
    scored: dict = dict(panel.scored)
    alone = [item for item in ready if (item[0], item[1]) not in scored]
    if options.backtest and alone:
        done, lost = _map_batch(partial(_backtest_item, spec=spec, options=options, references=references,
                                        drifts=drifts, filled=filled), alone, jobs=jobs, progress=progress)
        failed = {(f.category, f.area): f.reason for f in lost}
        scores = iter(done)
        scored.update({(c, a): _unscored(failed[(c, a)]) if (c, a) in failed else next(scores) for c, a, _ in alone})
    scored = [scored.get((c, a)) for c, a, _ in ready]
    reports = [_report(panel, counts, item, score) for item, score in zip(ready, scored)]
    return RunReport(reports=reports, notes=chosen.notes, failures=failures, panel=panel)


def series_failure(panel: Panel, category: str, area: str) -> SeriesFailure:
    """Why a series is not in a panel forecast with ``keep_going``: its own reason, or the reason of a part it adds up.

    Parameters
    ----------
    panel
        The batch's forecast, with its ``failures`` (series -> reason, with any traceback after a newline).
    category, area
        The series asked for.

    Returns
    -------
    SeriesFailure
        Its reason (``"its part burglary / north failed: ..."`` when a part failed; ``"not forecast"`` when no
        reason is known) and the traceback, shown with ``--debug``.
    """
    def part_of(key: tuple[str, str]) -> bool:  # a bottom series this one adds up: never another force's
        return category in (key[0], TOTAL_CATEGORY) and area in (key[1], FORCE_AREA)

    own = panel.failures.get((category, area))
    reasons = [((category, area), own)] if own is not None else [
        (key, reason) for key, reason in panel.failures.items() if part_of(key)]
    key, reason = reasons[0] if reasons else ((category, area), "not forecast")
    first, _, detail = reason.partition("\n")
    own = key == (category, area)
    return SeriesFailure(category, area, first if own else f"its part {key[0]} / {key[1]} failed: {first}", detail=detail)


def _backtest_one(item: tuple[str, str, pd.Series], spec: ForecastSpec, options: BacktestOptions,
                  references: dict[str, pd.Series] | None = None,
                  drifts: dict[pd.Timestamp, Drift | None] | None = None) -> pd.DataFrame:
    """One series' scores; ``drifts`` are :func:`_window_drifts` (every window's origin among them)."""
    category, area, y = item
    models = tuple(dict.fromkeys((spec.model, *options.models)))
    return backtest_series(y, models=models, windows=options.windows, n_paths=spec.paths, seed=spec.seed,
                           category=category, area=area, drift_at=_drift_at(spec, references, drifts),
                           **_forecaster_params(spec, category, area, references))


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


def _held(items: list[tuple[str, str, pd.Series]], frequency: Frequency, filled: dict[tuple[str, str], int]) -> str:
    """How long the series too short to backtest are: ``"; burglary / merseyside has 30 (2018-01 to 2020-06)"``;
    of several, ``"; each has 30 (...)"`` when they span the same periods, else the longest's; with how many are
    recorded when some were missing and filled in (``filled``: how many, by series): ``"... has 16 (2019-01 to
    2020-04), of which 2 recorded and 14 missing and filled in"`` (of several alike, ``"up to 14 of them missing
    and filled in"`` when they filled different numbers)."""
    category, area, y = max(items, key=lambda item: len(item[2]), default=(None, None, ()))
    if not len(y):
        return ""
    spans = {(len(i[2]), i[2].index[0], i[2].index[-1]) for i in items if len(i[2])}
    each = len(items) > 1 and len(spans) == 1
    which = f"{category} / {area}" if len(items) == 1 else "each" if each else f"the longest, {category} / {area},"
    among = {filled.get((c, a), 0) for c, a, _ in items} if each else {filled.get((category, area), 0)}
    recorded = ("" if among == {0} else f", of which {len(y) - max(among)} recorded and {max(among)} missing and "
                "filled in" if len(among) == 1 else f", up to {max(among)} of them missing and filled in")
    return f"; {which} has {len(y)} ({frequency.label(y.index[0])} to {frequency.label(y.index[-1])}){recorded}"


def _backtest_items(counts: pd.DataFrame, *, category: str, area: str,
                    options: BacktestOptions) -> tuple[list[tuple[str, str, pd.Series]], list[str]]:
    """The series :func:`run_backtests` scores (those long enough), and its notes on the selection."""
    items, chosen = _series_items(counts, category, area)
    notes = list(chosen.notes)
    frequency = frequency_of(counts)
    need = f"{backtest_need(frequency)} {frequency.noun}s"
    long_enough = [bool(backtest_origins(len(y), windows=options.windows, frequency=frequency)) for _, _, y in items]
    short = [f"{c} / {a}" for (c, a, _), fits in zip(items, long_enough) if not fits]
    if short:
        notes.append(f"skipped (too short to backtest, {need} needed): {', '.join(short)}")
    if not any(long_enough):  # the series' filled periods are read only for this error
        held = _held(items, frequency, {(c, a): filled_among(y, filled_periods(counts, category=c, area=a))
                                        for c, a, y in items})
        raise DataError(f"no series is long enough to backtest: each needs at least {need}{held}.")
    items = [item for item, fits in zip(items, long_enough) if fits]
    return items, notes + _fewer_windows(items, windows=options.windows, frequency=frequency)


def _fewer_windows(items: list[tuple[str, str, pd.Series]], *, windows: int, frequency: Frequency,
                   named: int = 3) -> list[str]:
    """A note naming the series that fit fewer backtest windows than ``windows`` (a 45-month series fits one of the
    default three), and how many more periods the windows asked for need; empty when every series fits them all."""
    need = backtest_need(frequency, windows=windows)
    fewer = [(f"{c} / {a}", len(backtest_origins(len(y), windows=windows, frequency=frequency)), len(y))
             for c, a, y in items if len(y) < need]
    if not fewer:
        return []
    listed = ", ".join(f"{label} {got} ({frequency.count_of(n)}, {need - n} more needed)" for label, got, n in fewer[:named])
    more = f" and {len(fewer) - named} more" if len(fewer) > named else ""
    if len(fewer) == len(items) and len({(got, n) for _, got, n in fewer}) == 1:  # one series, or all alike
        label, got, n = fewer[0]
        listed = (f"{label if len(fewer) == 1 else 'each series'} has {frequency.count_of(n)}, and {windows} one-year "
                  f"windows need {need} ({frequency.count_of(need - n)} more)")
        return [f"only {got} of the {windows} backtest windows asked for (--windows) fit{'s' if got == 1 else ''}: "
                f"{listed}. Scores from fewer windows say less about accuracy."]
    return [f"fewer backtest windows than the {windows} asked for (--windows) fit in {len(fewer)} series, as "
            f"{windows} one-year windows need {need} {frequency.noun}s: {listed}{more}. Scores from fewer windows "
            "say less about accuracy."]


def check_backtest(counts: pd.DataFrame, *, category: str, area: str,
                   options: BacktestOptions = BacktestOptions()) -> None:
    """Refuse, before anything is said about the data, a backtest :func:`run_backtests` would refuse for its
    selection (no series, or none long enough): its error then comes alone.

    Raises
    ------
    DataError
        :func:`run_backtests`'s error for the selection.
    """
    _backtest_items(counts, category=category, area=area, options=options)


def run_backtests(counts: pd.DataFrame, *, category: str, area: str, spec: ForecastSpec = ForecastSpec(),
                  options: BacktestOptions = BacktestOptions(), jobs: int = 1,
                  progress: Progress | None = None) -> BacktestReport:
    """Rolling-origin scores of every model on every series named.

    Returns
    -------
    BacktestReport
        One score row per (series, model, window), summaries, and notes
        about the selection (aliases, series too short to backtest).
    """
    items, notes = _backtest_items(counts, category=category, area=area, options=options)
    references = season_references(counts)
    drifts = _window_drifts(references, items, spec=spec, options=options)
    frames, failures = _map_batch(partial(_backtest_one, spec=spec, options=options, references=references,
                                          drifts=drifts), items, jobs=jobs, progress=progress)
    if not frames:
        raise DataError("no series could be backtested: " + "; ".join(f"{f.label}: {f.reason}" for f in failures))
    if any(drift is not None for drift in drifts.values()):
        notes.append(f"{DEFAULT_MODEL}'s windows carry the dataset drift measured at each window's origin, as its "
                     "forecasts do (--no-drift leaves it out).")
    return BacktestReport(scores=pd.concat(frames, ignore_index=True), model=spec.model, notes=notes,
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
    whole_title: str = ""  # what titles call the data's whole when it is one named force (series.whole_title)


def chart_exceptional(periods: tuple[ExceptionalPeriod, ...], y: pd.Series, *,
                      default: bool) -> tuple[tuple[ExceptionalPeriod, ...], list[str]]:
    """The exceptional periods a control chart of ``y`` keeps out, and notes: the same as a forecast keeps out of fitting.

    A shipped calendar's period is kept out only once ``CALENDAR_SETTLE_MONTHS`` of data follow it, as in the
    forecaster (:func:`crimecast.data.exceptional.settled_in`), so a chart and a forecast of the same series always read
    the same history and find the same step changes. ``default``: the periods are the default calendar's (a note then says so).
    """
    frequency = series_frequency(y)
    kept, notes = settled_in(periods, y.index, last_month=frequency.period_end_month(y.index[-1]),
                             stays_in="the limits", remedy=", as in the forecasts.")
    if default and kept:
        notes.append(f"the {DEFAULT_EXCEPTIONAL} calendar's {frequency.noun}s ({', '.join(dict.fromkeys(p.name for p in kept))}) "
                     "are kept out of the control chart's limits and its search for steps, as every forecast keeps them "
                     "out of fitting (the default of both), so the chart and the forecast read the same history; "
                     f"--exceptional {NO_EXCEPTIONAL} (exceptional: {NO_EXCEPTIONAL} in a file) keeps them in.")
    return kept, notes


def run_spc(counts: pd.DataFrame, *, category: str, area: str, start: pd.Timestamp | None = None,
            seasonal_adjust: bool = False, known_changes: tuple[KnownChange, ...] = (),
            run_length: int = RUN_LENGTH, screen: bool = True,
            exceptional: tuple[ExceptionalPeriod, ...] | None = None) -> ProcessReport:
    """Statistical process control of one series: periods, signals, steps and a plain-English summary.

    Quarterly data is charted in quarters: limits from the moving ranges
    between quarters, run and trend rules counted in quarters, and
    ``start`` taken as the quarter that holds it. Exceptional periods
    (``exceptional`` and known changes of kind exceptional) are charted but
    kept out of the process average, the limits, the rules and the search
    for steps. ``exceptional=None`` (not given) is the forecasts' default,
    the ``DEFAULT_EXCEPTIONAL`` calendar (``covid-uk``), with the same rule
    for when a period is kept out (:func:`chart_exceptional`); ``()`` keeps
    every month in.

    Raises
    ------
    DataError
        For an unknown series, or one too short (under 12 points) or constant.
    """
    slug, note = resolve_category(counts, category)
    area_slug = resolve_area(counts, area)
    y = series_of(counts, category=slug, area=area_slug)
    known_changes = check_known_changes(known_changes, counts)
    known = [k for k in known_changes if k.applies_to(slug, area_slug) and not k.exceptional]
    exceptional = default_exceptional() if exceptional is None else tuple(exceptional)
    default = exceptional == default_exceptional()
    periods = series_exceptional(exceptional, known_changes, category=slug, area=area_slug)
    periods, exceptional_notes = chart_exceptional(periods, y, default=default)
    chart, effects = process_chart(y, start=start, seasonal_adjust=seasonal_adjust,
                                   known=tuple(k.month for k in known), run_length=run_length, screen=screen,
                                   exceptional=periods)
    return ProcessReport(category=slug, area=area_slug, chart=chart, month_effects=effects,
                         summary=describe_chart(chart, month_effects=effects), known=known,
                         notes=([note] if note else []) + exceptional_notes + _steps_at_filled(
                             chart, filled=filled_periods(counts, category=slug, area=area_slug),
                             frequency=frequency_of(counts)), whole_title=whole_title(counts.attrs))


def _steps_at_filled(chart: ControlChart, *, filled: list[pd.Timestamp], frequency) -> list[str]:
    """A note for each step that starts at a period missing from the data and filled in (it began then or later)."""
    return [f"the step from {frequency.label(step.month)} starts at a {frequency.noun} missing from the data and "
            f"filled in, so it began then or a {frequency.noun} later." for step in chart.steps if step.month in filled]

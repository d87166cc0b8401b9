"""Scenario jobs the CLI runs: check, run one, compare several on one baseline."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from crimecast.data.frequency import frequency_of
from crimecast.data.series import FORCE_AREA, TOTAL_CATEGORY, series_of
from crimecast.errors import ScenarioError
from crimecast.forecast.models import AUTO, CrimeForecaster, step_note
from crimecast.forecast.parallel import Progress, map_series
from crimecast.forecast.reconcile import (CoherentPaths, bottom_history, bottom_keys, correlate_paths,
                                          history_correlation)
from crimecast.scenarios.apply import apply_drivers
from crimecast.scenarios.resolve import ResolvedScenario, resolve_scenario
from crimecast.scenarios.result import ScenarioResult, contribution_table
from crimecast.scenarios.spec import Base, Scenario

Key = tuple[str, str]
COMPARED_BASE_KEYS = ("data", "as_of", "horizon", "model", "paths", "seed", "steps")


def load_base_data(base: Base) -> pd.DataFrame:
    """The scenario's dataset, validated, with force and total-recorded-crime totals."""
    from crimecast.data.sources import DataSource, open_counts

    return open_counts(DataSource(data=base.data))


def check_scenario(scenario: Scenario, counts: pd.DataFrame | None = None) -> ResolvedScenario:
    """Validate a loaded scenario against its data without forecasting.

    Raises
    ------
    ScenarioError
        As :func:`crimecast.scenarios.resolve.resolve_scenario`.
    """
    counts = load_base_data(scenario.base) if counts is None else counts
    return resolve_scenario(scenario, counts)


def series_seed(seed: int, key: Key) -> int:
    """A seed per bottom series, so separately forecast series do not share random draws."""
    return seed + zlib.crc32(f"{key[0]}/{key[1]}".encode("utf-8")) % 1_000_000


def _fit_bottom(item: tuple[Key, pd.Series], base: Base, horizon: int) -> tuple[np.ndarray, list[str], list[str]]:
    """Paths of one bottom series, its notes (other than steps) and its steps in a few words."""
    key, history = item
    forecaster = CrimeForecaster(model=base.model, n_paths=base.paths, seed=series_seed(base.seed, key),
                                 level_shifts=AUTO if base.steps else ())
    result = forecaster.fit(history).predict(horizon, category=key[0], area=key[1])
    step_notes = {step_note(step) for step in forecaster.steps_}
    notes = [f"{key[0]} / {key[1]}: {note}" for note in forecaster.notes_ if note not in step_notes]
    steps = [f"{key[0]} / {key[1]} {step.change:+.0%} from {step.month:%Y-%m}" for step in forecaster.steps_]
    return result.paths, notes, steps


@dataclass
class Baseline:
    """The forecast every scenario of a run is applied to."""

    paths: CoherentPaths
    notes: list[str] = field(default_factory=list)


def merge_splits(*splits: dict[str, list[str]]) -> dict[str, list[str]]:
    """Category -> districts named by any of several scenarios or plans."""
    merged: dict[str, list[str]] = {}
    for split in splits:
        for category, districts in split.items():
            merged[category] = sorted(set(merged.get(category, [])) | set(districts))
    return merged


def fit_baseline(counts: pd.DataFrame, *, base: Base, as_of: pd.Timestamp, horizon: int,
                 split: dict[str, list[str]] | None = None, jobs: int = 1, progress: Progress | None = None) -> Baseline:
    """Forecast every bottom series from ``as_of`` and pair their paths.

    Every category is forecast (total recorded crime is their sum); a
    category in ``split`` is forecast as the districts named plus the rest
    of the force, so districts add up to the force.

    Parameters
    ----------
    counts
        The data with totals.
    base
        Model, paths, seed and steps settings (``base.as_of`` and
        ``base.horizon`` are ignored in favour of the arguments).
    as_of, horizon
        The last observed period used and the periods forecast (months, or
        quarters for quarterly data).
    split
        Category -> districts forecast on their own.
    """
    split = split or {}
    categories = sorted(set(counts["category"]) - {TOTAL_CATEGORY})
    districts = sorted(set(counts["area"]) - {FORCE_AREA})
    keys = bottom_keys(categories, split, districts)
    histories = [bottom_history(counts, key, named=split.get(key[0], [])).loc[:as_of] for key in keys]
    fitted = map_series(partial(_fit_bottom, base=base, horizon=horizon), list(zip(keys, histories)),
                        jobs=jobs, progress=progress, label=lambda item: f"{item[0][0]} / {item[0][1]}")
    correlated = correlate_paths([paths for paths, _, _ in fitted], history_correlation(histories), seed=base.seed)
    notes = [note for _, item_notes, _ in fitted for note in item_notes]
    steps = [step for _, _, item_steps in fitted for step in item_steps]
    if steps:
        notes.append(f"step changes modelled as level shifts: {'; '.join(steps)} (set base.steps: false to switch off).")
    if len(keys) > 1:
        notes.append(f"{len(keys)} series forecast separately and added up path by path (totals are coherent); their "
                     "paths are paired so year totals move together as their year-on-year changes have.")
    frequency = frequency_of(counts)
    months = frequency.range(frequency.next(as_of), periods=horizon)
    in_total = counts.attrs.get("total_categories")
    paths = CoherentPaths(months=months, bottom=dict(zip(keys, correlated)),
                          total_categories=None if in_total is None else tuple(in_total))
    return Baseline(paths=paths, notes=notes)


def _baseline_for(counts: pd.DataFrame, resolved: list[ResolvedScenario], *, jobs: int,
                  progress: Progress | None) -> Baseline:
    first = resolved[0]
    return fit_baseline(counts, base=first.scenario.base, as_of=first.as_of, horizon=len(first.months),
                        split=merge_splits(*(r.split for r in resolved)), jobs=jobs, progress=progress)


def _reported(resolved: ResolvedScenario, paths: CoherentPaths) -> list[Key]:
    keys: list[Key] = []
    for driver in resolved.drivers:
        keys += list(driver.targets)
        keys += [(category, FORCE_AREA) for category, _ in driver.targets]
    areas = [a for _, a in keys]
    keys += [(TOTAL_CATEGORY, area) for area in dict.fromkeys([FORCE_AREA, *areas])]
    return [k for k in dict.fromkeys(keys) if paths.keys_for(*k) is not None and
            not (k[0] == TOTAL_CATEGORY and len(resolved.categories) == 1)]


def apply_scenario(resolved: ResolvedScenario, baseline: Baseline, counts: pd.DataFrame, *,
                   reported: list[Key] | None = None) -> ScenarioResult:
    """Apply a resolved scenario's drivers to a baseline forecast and read off the results.

    ``reported`` overrides the series shown (by default the drivers' targets,
    their force-wide categories and total recorded crime).
    """
    seed = resolved.scenario.base.seed
    applied = apply_drivers(baseline.paths, resolved.drivers, seed=seed)
    reported = reported or _reported(resolved, baseline.paths)
    history = {key: series_of(counts, category=key[0], area=key[1]) for key in reported}
    alone = {d.label: apply_drivers(baseline.paths, [d], seed=seed).paths for d in resolved.drivers}
    contributions = contribution_table(baseline.paths, alone, applied.paths, reported=reported, history=history,
                                       as_of=resolved.as_of)
    notes = [*resolved.notes, *baseline.notes]
    if applied.clipped:
        cells = applied.paths.total(TOTAL_CATEGORY, FORCE_AREA).size
        notes.append(f"level shifts took {applied.clipped:,} path-months below zero; they were set to zero "
                     f"({applied.clipped / cells:.2%} of path-months). Narrow the level shift's distribution.")
    data = {key: counts.attrs.get(key) for key in ("source", "illustrative", "notice")}
    return ScenarioResult(resolved=resolved, baseline=baseline.paths, paths=applied.paths, reported=reported,
                          history=history, contributions=contributions, notes=notes, data=data)


def run_scenario(scenario: Scenario, *, counts: pd.DataFrame | None = None, jobs: int = 1,
                 progress: Progress | None = None) -> ScenarioResult:
    """Forecast the scenario's base and apply its drivers to every sample path.

    Parameters
    ----------
    scenario
        From :func:`crimecast.scenarios.spec.load_scenario`.
    counts
        The data with totals; read from ``scenario.base.data`` when omitted.
    jobs
        Worker processes for the series forecasts.
    progress
        Called with ``"category / area"`` as each series is forecast.

    Returns
    -------
    ScenarioResult
        Baseline and scenario paths, monthly and financial-year tables and
        each driver's contribution.
    """
    counts = load_base_data(scenario.base) if counts is None else counts
    resolved = resolve_scenario(scenario, counts)
    baseline = _baseline_for(counts, [resolved], jobs=jobs, progress=progress)
    return apply_scenario(resolved, baseline, counts)


@dataclass
class ScenarioComparison:
    """Several scenarios applied to one baseline forecast."""

    results: list[ScenarioResult]

    def financial_years(self) -> pd.DataFrame:
        """One row per series, financial year and scenario (the baseline first)."""
        years = [result.financial_years() for result in self.results]
        frames = [_one_scenario(years[0], "baseline", "baseline")]
        frames += [_one_scenario(y, result.name, "scenario") for y, result in zip(years, self.results)]
        return pd.concat(frames, ignore_index=True)


def _one_scenario(years: pd.DataFrame, name: str, prefix: str) -> pd.DataFrame:
    columns = {f"{prefix}_mean": "mean", f"{prefix}_lo80": "lo80", f"{prefix}_hi80": "hi80"}
    frame = years[["category", "area", "financial_year", "previous_actual", *columns, "actual"]].rename(columns=columns)
    frame["change"] = frame["mean"] / frame["previous_actual"] - 1
    frame["difference"] = years["difference_mean"] if prefix == "scenario" else 0.0
    return frame.assign(scenario=name)


def _same_base(scenarios: list[Scenario]) -> None:
    first = scenarios[0]
    for other in scenarios[1:]:
        for key in COMPARED_BASE_KEYS:
            if getattr(other.base, key) != getattr(first.base, key):
                raise ScenarioError(
                    f"{other.source}: base.{key} is {getattr(other.base, key)!r} but {first.source} has "
                    f"{getattr(first.base, key)!r}. Scenarios are compared on one baseline forecast, so their base "
                    "settings must match: make them equal, or run them separately."
                )


def compare_scenarios(scenarios: list[Scenario], *, counts: pd.DataFrame | None = None, jobs: int = 1,
                      progress: Progress | None = None) -> ScenarioComparison:
    """Apply several scenarios to one baseline forecast, for side-by-side tables.

    Raises
    ------
    ScenarioError
        When their base settings (data, as_of, horizon, model, paths, seed,
        steps) differ, naming the key.
    """
    if not scenarios:
        raise ScenarioError("no scenarios to compare: give at least one scenario file.")
    _same_base(scenarios)
    counts = load_base_data(scenarios[0].base) if counts is None else counts
    resolved = [resolve_scenario(s, counts) for s in scenarios]
    baseline = _baseline_for(counts, resolved, jobs=jobs, progress=progress)
    reported = list(dict.fromkeys(key for r in resolved for key in _reported(r, baseline.paths)))
    return ScenarioComparison(results=[apply_scenario(r, baseline, counts, reported=reported) for r in resolved])

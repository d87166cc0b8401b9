"""Scenario jobs the CLI runs: check, run one, compare several on one baseline."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crimecast.data.series import FORCE_AREA, TOTAL_CATEGORY, force_named_in, series_of
from crimecast.errors import ScenarioError
from crimecast.forecast.compared import compared_note, stopped_parts
from crimecast.forecast.panel import Panel, forecast_panel
from crimecast.forecast.parallel import Progress
from crimecast.forecast.reconcile import CoherentPaths
from crimecast.forecast.spec import SPEC_KEYS
from crimecast.scenarios.apply import apply_drivers
from crimecast.scenarios.resolve import ResolvedScenario, driver_needs, resolve_scenario
from crimecast.scenarios.result import ScenarioResult, contribution_table, forecast_years
from crimecast.scenarios.spec import Base, Scenario

Key = tuple[str, str]
COMPARED_BASE_KEYS = ("data", *SPEC_KEYS)


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


def scenario_needs(resolved: ResolvedScenario) -> list[Key]:
    """The series a scenario reads: its drivers' targets, their categories force-wide, and total recorded crime."""
    return [(TOTAL_CATEGORY, FORCE_AREA), *driver_needs(resolved)]


def scenario_baseline(counts: pd.DataFrame, resolved: list[ResolvedScenario], *, saved: Panel | None = None,
                      jobs: int = 1, progress: Progress | None = None) -> Panel:
    """The baseline forecast the scenarios are applied to: ``saved`` (checked to serve them), else forecast now.

    Raises
    ------
    DataError
        When ``saved`` starts from another month, stops too soon or lacks a series the scenarios need.
    """
    first = resolved[0]
    needs = [key for r in resolved for key in scenario_needs(r)]
    if saved is not None:
        panel = saved.for_request(needs, as_of=first.as_of, periods=len(first.months),
                                  what=f"the scenario '{first.scenario.name}'",
                                  said_stopped=frozenset(c for r in resolved for c in r.left_out))
        panel.notes.append(f"baseline from the saved forecast '{saved.saved}' ({saved.spec.describe()}); the scenario's "
                           "own base forecast settings are not used.")
        return panel
    return forecast_panel(counts, spec=first.scenario.base.forecast_spec(), needs=needs, as_of=first.as_of,
                          horizon=len(first.months), jobs=jobs, progress=progress,
                          said_stopped=frozenset(c for r in resolved for c in r.left_out))


def _reported(resolved: ResolvedScenario, paths: CoherentPaths) -> list[Key]:
    keys: list[Key] = []
    for driver in resolved.drivers:
        keys += list(driver.targets)
        keys += [(category, FORCE_AREA) for category, _ in driver.targets]
    areas = [a for _, a in keys]
    keys += [(TOTAL_CATEGORY, area) for area in dict.fromkeys([FORCE_AREA, *areas])]
    return [k for k in dict.fromkeys(keys) if paths.keys_for(*k) is not None and
            not (k[0] == TOTAL_CATEGORY and len(resolved.categories) == 1)]


def apply_scenario(resolved: ResolvedScenario, baseline: Panel, counts: pd.DataFrame, *,
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
    if counts.attrs.get("force_name"):  # one force of several, held as the whole: its notes name it
        notes = [force_named_in(note, counts.attrs["force_name"]) for note in notes]
    if applied.clipped:
        cells = applied.paths.total(TOTAL_CATEGORY, FORCE_AREA).size
        notes.append(f"level shifts took {applied.clipped:,} path-months below zero; they were set to zero "
                     f"({applied.clipped / cells:.2%} of path-months). Narrow the level shift's distribution.")
    data = {key: counts.attrs.get(key) for key in ("source", "illustrative", "notice")}
    result = ScenarioResult(resolved=resolved, baseline=baseline.paths, paths=applied.paths, reported=reported,
                            history=history, contributions=contributions, spec=baseline.spec, notes=notes, data=data,
                            left_out={key: stopped_parts(counts, baseline.paths.keys_for(*key) or [],
                                                         as_of=resolved.as_of, total=key) for key in reported})
    result.notes += _compared(result)
    return result


def _compared(result: ScenarioResult) -> list[str]:
    """The note on the totals whose changes leave out parts whose counts stop (said only where a year compared had
    them)."""
    if not any(result.left_out.values()):
        return []
    used = []
    for key in result.reported:
        base, _ = result.forecasts(key)  # the years financial_years() lists for it
        used += [(key, part) for start in forecast_years(result.months, base.history)
                 for part in base.compared_without(start)]
    return compared_note(used, name_areas=len({a for _, a in result.reported}) > 1)


def run_scenario(scenario: Scenario, *, counts: pd.DataFrame | None = None, saved: Panel | None = None, jobs: int = 1,
                 progress: Progress | None = None) -> ScenarioResult:
    """Forecast the scenario's base and apply its drivers to every sample path.

    Parameters
    ----------
    scenario
        From :func:`crimecast.scenarios.spec.load_scenario`.
    counts
        The data with totals; read from ``scenario.base.data`` when omitted.
    saved
        A saved forecast to use as the baseline instead of forecasting
        (see :mod:`crimecast.forecast.saved`).
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
    baseline = scenario_baseline(counts, [resolved], saved=saved, jobs=jobs, progress=progress)
    return apply_scenario(resolved, baseline, counts)


@dataclass
class ScenarioComparison:
    """Several scenarios applied to one baseline forecast."""

    results: list[ScenarioResult]

    def financial_years(self) -> pd.DataFrame:
        """One row per series, financial year and scenario (the baseline first).

        ``mean``, ``lo80``, ``hi80``, ``change`` and ``difference`` are as
        :meth:`ScenarioResult.financial_years` gives them (the means add up);
        the last columns, ``median`` and ``change_median``, are the median
        path's total and change on the year before, as ``scenario run`` shows
        beside each mean change and ``milestones`` gives as its expected change.
        """
        years = [result.financial_years() for result in self.results]
        frames = [_one_scenario(years[0], "baseline", "baseline")]
        frames += [_one_scenario(y, result.name, "scenario") for y, result in zip(years, self.results)]
        return pd.concat(frames, ignore_index=True)


def _one_scenario(years: pd.DataFrame, name: str, prefix: str) -> pd.DataFrame:
    columns = {f"{prefix}_mean": "mean", f"{prefix}_lo80": "lo80", f"{prefix}_hi80": "hi80"}
    frame = years[["category", "area", "financial_year", "previous_actual", "previous_expected",
                   "previous_months_forecast", *columns, "actual"]].rename(columns=columns)
    # On the year before: its actual, or (partly forecast) each path's own year before, as ScenarioResult reads it.
    frame["change"] = years["baseline_change" if prefix == "baseline" else "scenario_change_mean"]
    frame["difference"] = years["difference_mean"] if prefix == "scenario" else 0.0
    return frame.assign(scenario=name, median=years[f"{prefix}_median"], change_median=years[f"{prefix}_change_median"])


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


def compare_scenarios(scenarios: list[Scenario], *, counts: pd.DataFrame | None = None, saved: Panel | None = None,
                      jobs: int = 1, progress: Progress | None = None) -> ScenarioComparison:
    """Apply several scenarios to one baseline forecast, for side-by-side tables.

    Raises
    ------
    ScenarioError
        When their base settings (data and every forecast key) differ,
        naming the key.
    """
    if not scenarios:
        raise ScenarioError("no scenarios to compare: give at least one scenario file.")
    _same_base(scenarios)
    counts = load_base_data(scenarios[0].base) if counts is None else counts
    resolved = [resolve_scenario(s, counts) for s in scenarios]
    baseline = scenario_baseline(counts, resolved, saved=saved, jobs=jobs, progress=progress)
    reported = list(dict.fromkeys(key for r in resolved for key in _reported(r, baseline.paths)))
    return ScenarioComparison(results=[apply_scenario(r, baseline, counts, reported=reported) for r in resolved])

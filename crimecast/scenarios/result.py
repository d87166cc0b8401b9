"""What a scenario run returns: baseline and scenario paths, and the tables read off them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crimecast.data.calendar import financial_year_label, financial_year_months, financial_year_start
from crimecast.forecast.compared import without
from crimecast.forecast.panel import series_forecast
from crimecast.forecast.paths import ForecastResult, interval_columns
from crimecast.forecast.reconcile import CoherentPaths
from crimecast.forecast.spec import ForecastSpec
from crimecast.scenarios.resolve import ResolvedScenario

Key = tuple[str, str]
LEVEL = 0.8
BASELINE = "baseline"


def _bands(values: np.ndarray, prefix: str) -> dict[str, np.ndarray]:
    columns = interval_columns(values, (LEVEL,))
    return {f"{prefix}_{name}": columns[name] for name in ("mean", "lo80", "hi80")}


def forecast_years(months: pd.DatetimeIndex, history: pd.Series) -> list[int]:
    """Financial years the forecast touches that history plus forecast cover completely."""
    years = []
    for start in sorted({financial_year_start(m) for m in months}):
        fy = financial_year_months(start)
        if fy.isin(months).any() and (fy.isin(months) | fy.isin(history.index)).all():
            years.append(start)
    return years


def _actual_total(history: pd.Series, start: int) -> float:
    observed = history.reindex(financial_year_months(start))
    return float(observed.sum()) if observed.notna().all() else np.nan


@dataclass
class ScenarioResult:
    """A scenario applied to a forecast.

    Attributes
    ----------
    resolved
        The scenario as checked against the data.
    baseline, paths
        Bottom-series sample paths without and with the drivers (same rows:
        path *i* of the scenario is path *i* of the baseline changed).
    reported
        The series the output shows: each driver's targets, their
        force-wide categories and total recorded crime.
    history
        Every observed month of each reported series, including any after
        ``as_of`` (shown as the actual outcome).
    contributions
        Change in the mean financial-year total from each driver applied on
        its own, with an interaction row (see :func:`contribution_table`).
    spec
        The settings the baseline was forecast with: the scenario's base, or
        those of the saved forecast read instead.
    notes
        Decisions and warnings in plain words.
    data
        Where the counts came from: ``source``, ``illustrative``, ``notice``.
    left_out
        Per reported total, the parts whose counts stop before ``as_of``
        (:class:`crimecast.forecast.compared.StoppedPart`): a year's change on
        the year before leaves them out of both years.
    """

    resolved: ResolvedScenario
    baseline: CoherentPaths
    paths: CoherentPaths
    reported: list[Key]
    history: dict[Key, pd.Series]
    contributions: pd.DataFrame
    spec: ForecastSpec
    notes: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    left_out: dict = field(default_factory=dict)  # per reported total, its parts whose counts stop (forecast.compared)

    @property
    def name(self) -> str:
        return self.resolved.scenario.name

    @property
    def as_of(self) -> pd.Timestamp:
        return self.resolved.as_of

    @property
    def months(self) -> pd.DatetimeIndex:
        return self.resolved.months

    def forecasts(self, key: Key) -> tuple[ForecastResult, ForecastResult]:
        """(baseline, scenario) forecasts of one reported series."""
        model = self.spec.model
        results = tuple(series_forecast(p, key, history=self.history[key], as_of=self.as_of, model=model)
                        for p in (self.baseline, self.paths))
        for result in results:
            result.left_out = self.left_out.get(key, ())
        return results

    def monthly_table(self) -> pd.DataFrame:
        """Per series and month: baseline, scenario and difference (mean and 80% interval), and the actual if known."""
        frames = []
        for key in self.reported:
            base, scen = self.baseline.total(*key), self.paths.total(*key)
            columns = {**_bands(base, BASELINE), **_bands(scen, "scenario"), **_bands(scen - base, "difference")}
            frame = pd.DataFrame({"category": key[0], "area": key[1], "month": self.months, **columns})
            frame["actual"] = self.history[key].reindex(self.months).to_numpy(dtype=float)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def financial_years(self) -> pd.DataFrame:
        """Per series and financial year: totals and change on the year before, baseline vs scenario.

        Columns: ``previous_actual``; ``previous_expected`` and
        ``previous_months_forecast`` (the year before's expected total and
        how many of its months are forecast: 0 when it is all actual);
        ``baseline_mean/lo80/hi80`` and ``baseline_change``; the same for
        ``scenario`` with ``scenario_change_lo80/hi80``;
        ``difference_mean/lo80/hi80`` (the scenario minus the baseline, path
        by path); and ``actual`` and ``actual_change`` where the data already
        holds the outcome. A year whose year before is itself partly forecast
        (the second year of a two-year scenario) has its change on that year
        read path by path, each path's year against the same path's year
        before, as milestones do.

        The means add up (the difference, and driver by driver in
        :func:`contribution_table`); the last columns, ``baseline_median``,
        ``scenario_median``, ``baseline_change_median`` and
        ``scenario_change_median``, are the median path's total and change, the
        figures ``forecast run`` and ``forecast milestones`` (its expected
        change, under ``--scenario`` too) give a year.
        """
        rows = []
        for key in self.reported:
            whole_base, whole_scen = self.forecasts(key)
            years = forecast_years(self.months, whole_base.history)
            for start in years:
                base, scen = whole_base.year_total_paths(start), whole_scen.year_total_paths(start)
                # changes like with like: a part whose counts stop is left out of both years (forecast.compared)
                base_fc, scen_fc = whole_base.compared(start), whole_scen.compared(start)
                history = without(self.history[key], whole_base.compared_without(start))
                previous = _actual_total(history, start - 1)
                base_before = scen_before = previous
                forecast_before = 0
                if previous != previous and start - 1 in years:  # the year before is partly forecast: path by path
                    base_before, scen_before = base_fc.year_total_paths(start - 1), scen_fc.year_total_paths(start - 1)
                    forecast_before = int(financial_year_months(start - 1).isin(self.months).sum())
                row = {"category": key[0], "area": key[1], "financial_year": financial_year_label(start),
                       "previous_actual": previous, "previous_expected": float(np.mean(base_before)),
                       "previous_months_forecast": forecast_before}
                for prefix, totals in ((BASELINE, base), ("scenario", scen), ("difference", scen - base)):
                    row.update({k: float(v[0]) for k, v in _bands(totals[:, None], prefix).items()})
                base_now, scen_now = base_fc.year_total_paths(start), scen_fc.year_total_paths(start)
                with np.errstate(divide="ignore", invalid="ignore"):
                    change = scen_now / scen_before - 1
                    base_change = base_now / base_before - 1
                before = float(np.mean(base_before))
                row["baseline_change"] = float(np.mean(base_now) / before - 1) if before else np.nan
                row.update({f"scenario_change_{k}": float(v[0]) for k, v in
                            interval_columns(change[:, None], (LEVEL,)).items() if k in ("mean", "lo80", "hi80")})
                if forecast_before:  # the expected change, as the baseline's and milestones': a ratio of means
                    row["scenario_change_mean"] = float(np.mean(scen_now) / np.mean(scen_before) - 1)
                row["actual"] = _actual_total(self.history[key], start)
                row["actual_change"] = _actual_total(history, start) / previous - 1 if previous else np.nan
                row.update(_medians(base, scen, base_change if before else np.nan, change))
                rows.append(row)
        return pd.DataFrame(rows)


def _medians(base: np.ndarray, scen: np.ndarray, base_change: np.ndarray | float,
             scen_change: np.ndarray) -> dict[str, float]:
    """The median path's year total and change on the year before (per path, as ``milestones`` reads its expected
    change: the change met with probability 50%), baseline and scenario."""
    return {"baseline_median": float(np.median(base)), "scenario_median": float(np.median(scen)),
            "baseline_change_median": float(np.median(base_change)),
            "scenario_change_median": float(np.median(scen_change))}


def contribution_table(baseline: CoherentPaths, alone: dict[str, CoherentPaths], together: CoherentPaths, *,
                       reported: list[Key], history: dict[Key, pd.Series], as_of: pd.Timestamp) -> pd.DataFrame:
    """How much each driver moves each reported series' mean financial-year total.

    Each driver is applied on its own to the baseline; ``interaction`` is
    what the drivers do together beyond the sum of their separate effects
    (non-zero when multiplicative drivers overlap), so the rows add up to
    ``all drivers``. Both rows are left out when there is one driver.

    Returns
    -------
    pandas.DataFrame
        ``category, area, financial_year, driver, change`` (crimes) and
        ``share`` of the total change.
    """
    rows = []
    for key in reported:
        observed = history[key].loc[:as_of]
        for start in forecast_years(baseline.months, observed):
            base_mean = _year_mean(baseline, key, observed, start)
            total = _year_mean(together, key, observed, start) - base_mean
            changes = {label: _year_mean(p, key, observed, start) - base_mean for label, p in alone.items()}
            if len(alone) > 1:
                changes["interaction"] = total - sum(changes.values())
                changes["all drivers"] = total
            for label, change in changes.items():
                rows.append({"category": key[0], "area": key[1], "financial_year": financial_year_label(start),
                             "driver": label, "change": change, "share": change / total if total else np.nan})
    return pd.DataFrame(rows)


def _year_mean(paths: CoherentPaths, key: Key, observed: pd.Series, start: int) -> float:
    result = series_forecast(paths, key, history=observed, as_of=pd.Timestamp.max, model="")
    return float(result.year_total_paths(start).mean())

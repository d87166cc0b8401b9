"""SPC of one category in many areas: one chart per area, summarised one row per area."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import pandas as pd

from crimecast.data.series import ALL, resolve_area, resolve_category
from crimecast.errors import CrimecastError, DataError
from crimecast.forecast.parallel import Progress, map_series
from crimecast.forecast.run import ProcessReport, run_spc


@dataclass
class AreasProcessReport:
    """The SPC reading of every area asked for, and the areas that could not be charted (with the reason)."""

    category: str
    reports: list[ProcessReport]
    failures: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # a category read as another, as one area's chart says it

    def rows(self) -> pd.DataFrame:
        """One row per area: the current period's average and limits, whether it is stable, its signals and steps."""
        return pd.DataFrame([area_row(report) for report in self.reports])


def area_names(counts: pd.DataFrame, area: str) -> list[str]:
    """``all`` (every area of the data) or a comma-separated list, resolved to slugs (did-you-mean on a typo)."""
    if area.strip() == ALL:
        return sorted(counts["area"].unique())
    names = [name.strip() for name in area.split(",") if name.strip()]
    if not names:
        raise DataError("--area: name the areas, e.g. --area birmingham,coventry, or --area all.")
    return list(dict.fromkeys(resolve_area(counts, name) for name in names))


def area_row(report: ProcessReport) -> dict:
    """The summary of one area's chart (period labels in the chart's own months or quarters)."""
    chart = report.chart
    label = chart.frequency.label
    last = chart.periods[-1]
    current = sorted({s.rule for s in chart.signals if s.month >= last.start})
    step = chart.steps[-1] if chart.steps else None
    return {"area": report.area, "since": label(last.start), "points": last.points, "mean": round(last.limits.mean, 1),
            "lower": None if last.degenerate else round(max(last.limits.lower, 0.0), 1),
            "upper": None if last.degenerate else round(last.limits.upper, 1),
            "latest": float(chart.values.iloc[-1]),
            "status": _status(last, stable=not current),
            "signals": "; ".join(current), "last_step": f"{label(step.month)} {step.change:+.0%}" if step else "",
            "exceptional_points": int(chart.excluded.sum())}


def _status(period, *, stable: bool) -> str:
    """The current period's status in a row: stable or not, its limits provisional when it is shorter than a chart
    needs (a recent step), as the area's own chart says; or too few crimes to chart."""
    if period.degenerate:
        return "too few crimes to chart"
    return ("stable" if stable else "not stable") + (" (limits provisional)" if period.provisional else "")


def _one(area: str, counts: pd.DataFrame, category: str, options: dict) -> ProcessReport | tuple[str, str]:
    try:
        return run_spc(counts, category=category, area=area, **options)
    except CrimecastError as error:
        return (area, str(error))


def area_count(counts: pd.DataFrame, *, category: str, area: str) -> int:
    """How many areas :func:`run_spc_areas` charts (what it reports to ``progress``)."""
    return len(_areas_of(counts, resolve_category(counts, category)[0], area))


def _areas_of(counts: pd.DataFrame, slug: str, area: str) -> list[str]:
    present = set(counts.loc[counts["category"] == slug, "area"].unique())
    return [a for a in area_names(counts, area) if a in present]


def run_spc_areas(counts: pd.DataFrame, *, category: str, area: str, jobs: int = 1,
                  progress: Progress | None = None, **options) -> AreasProcessReport:
    """SPC of ``category`` in every area named by ``area`` (``all`` or ``a,b,c``).

    ``options`` go to :func:`~crimecast.forecast.run.run_spc` (start,
    seasonal_adjust, known_changes, run_length, screen, exceptional). An area
    that cannot be charted (too short, constant) is listed with the reason;
    the others are still done. ``progress`` is called with each area's name
    as its chart is read.

    Raises
    ------
    DataError
        For an unknown category or area, or when no area could be charted.
    """
    slug, note = resolve_category(counts, category)
    areas = _areas_of(counts, slug, area)
    if not areas:
        raise DataError(f"no series of {slug} in the areas named ({area}); see `forecast list`.")
    outcomes = map_series(partial(_one, counts=counts, category=slug, options=options), areas, jobs=jobs,
                          progress=progress)
    reports = [o for o in outcomes if isinstance(o, ProcessReport)]
    failures = [o for o in outcomes if not isinstance(o, ProcessReport)]
    if not reports:
        raise DataError("no area could be charted: " + "; ".join(f"{a}: {reason}" for a, reason in failures))
    return AreasProcessReport(category=slug, reports=reports, failures=failures, notes=[note] if note else [])

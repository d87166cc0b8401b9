"""One force (or district) against its most similar forces: counts, rates, change, rank, funnel and forecasts.

For a category and a financial year, each area's count, its rate per 1,000
residents (when populations are given), its change on the year before with
the Poisson E-test, the group's rate and each area's rank. The funnel plot
puts each rate against its population with 95% and 99.8% limits around the
group rate: the range a rate could take by Poisson chance alone for an area
of that size. Forecasts of the year after the one compared (the current year) are made side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crimecast.data.calendar import financial_year_label, financial_year_periods, financial_year_start, parse_financial_year
from crimecast.data.frequency import frequency_of
from crimecast.data.population import Population, PopulationTable
from crimecast.data.series import ALL, TOTAL_CATEGORY, filled_in_years, resolve_area, resolve_category, series_of
from crimecast.data.slugs import area_label, slugify
from crimecast.errors import DataError, UsageError
from crimecast.forecast.compared import compared_note, counted_in, stopped_parts, without
from crimecast.forecast.panel import total_categories
from crimecast.forecast.significance import ChangeTest, poisson_e_test
from crimecast.forecast.spec import ForecastSpec

PER = 1000  # rates per 1,000 residents
FUNNEL_LEVELS = (0.95, 0.998)


@dataclass(frozen=True)
class AreaComparison:
    """One area's year: count, the year before, the E-test, and its rate when the population is known."""

    area: str
    count: float
    previous: float
    test: ChangeTest
    population: Population | None = None
    rank: int | None = None
    band: str = ""  # where the rate sits on the funnel
    forecast: dict | None = None  # the year after the one compared: financial_year, mean, lo80, hi80, months_forecast

    @property
    def rate(self) -> float | None:
        return self.count / self.population.people * PER if self.population else None

    @property
    def previous_rate(self) -> float | None:
        return self.previous / self.population.people * PER if self.population else None


@dataclass
class PeerComparison:
    """An area against its peers for one category and financial year."""

    category: str
    focus: str
    areas: list[AreaComparison]
    year: str
    previous_year: str
    group_count: float
    group_previous: float
    group_rate: float | None
    funnel: pd.DataFrame | None
    ranked_by: str
    notes: list[str] = field(default_factory=list)
    spec: ForecastSpec | None = None  # the forecasts' settings; None when none was made (a past year, or none asked)

    @property
    def peers(self) -> list[str]:
        return [a.area for a in self.areas if a.area != self.focus]

    @property
    def has_rates(self) -> bool:
        return self.group_rate is not None

    def table(self) -> pd.DataFrame:
        """One row per area, the focus first: counts, change, E-test, rates, rank, funnel band, forecast."""
        rows = []
        for a in self.areas:
            row = {"area": a.area, "focus": a.area == self.focus, "count": a.count, "previous": a.previous,
                   "change": a.test.change, "p_value": a.test.p_value, "verdict": a.test.verdict}
            if self.has_rates:
                row.update(population=a.population.people, population_year=a.population.year, rate_per_1000=a.rate,
                           previous_rate_per_1000=a.previous_rate, funnel=a.band)
            row["rank"] = a.rank
            if a.forecast:
                row.update({f"forecast_{k}": v for k, v in a.forecast.items()})
            rows.append(row)
        return pd.DataFrame(rows)


def load_peer_group(path: str | Path) -> list[str]:
    """Area names from a peer-group file: a CSV with an ``area`` column, or one name a line.

    Raises
    ------
    DataError
        For a missing file or one with no names.
    """
    from crimecast.io import read_text

    text = read_text(path, what="peer-group file", hint="Give a CSV with an area column, or one area a line.")
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    lines = [line.split(",")[0].strip() for line in lines if line]
    if lines and lines[0].lower() == "area":
        lines = lines[1:]
    if not lines:
        raise DataError(f"{path}: no areas; write one force a line (or a CSV with an area column).")
    return lines


def parse_peers(text: str) -> list[str]:
    """``--peers a,b,c`` as a list, refusing an empty one and ``all`` (which names no peers: the area compared is one
    of every area, and a group is chosen, not all the others)."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise UsageError("--peers: name at least one peer, e.g. --peers greater-manchester,merseyside.")
    if any(slugify(name) == ALL for name in names):
        raise UsageError("--peers takes named areas, e.g. --peers greater-manchester,merseyside: 'all' is not a peer "
                         "list. Name the peers, or give a file of them with --peer-group FILE.")
    return names


def _resolve_areas(counts: pd.DataFrame, focus: str, peers: list[str]) -> tuple[str, list[str]]:
    focus_slug = resolve_area(counts, focus)
    peer_slugs = list(dict.fromkeys(resolve_area(counts, p) for p in peers))
    if focus_slug in peer_slugs:
        raise UsageError(f"'{focus_slug}' is both the area compared and one of its peers; leave it out of the peers.")
    return focus_slug, peer_slugs


def _year_of(series: dict[str, pd.Series], year: str | None, frequency) -> int:
    """The financial year compared: ``year``, else the last one every area has in full."""
    if year is not None:
        return parse_financial_year(year)
    return _last_whole_year(min(s.index[-1] for s in series.values()), frequency)


def _held_back_note(counts: pd.DataFrame, areas: list[str], start: int) -> str | None:
    """Why the year after ``start`` is not the one compared, when some areas compared have it whole but the data was
    used only to the last period every one of them has (their forces end at different periods:
    :func:`crimecast.data.sources.at_common_end`, which keeps each force's end in ``attrs["force_ends"]``)."""
    ends = {area: end for area, end in (counts.attrs.get("force_ends") or {}).items() if area in areas}
    if not ends:
        return None
    frequency = frequency_of(counts)
    whole = {area: _last_whole_year(end, frequency) for area, end in ends.items()}
    if max(whole.values()) <= start:
        return None
    behind = sorted(area for area, last in whole.items() if last <= start)
    ahead = sorted(area for area, last in whole.items() if last > start)
    until = sorted({frequency.label(ends[area]) for area in behind})
    return (f"{financial_year_label(start + 1)} is not compared: it is whole in the data for {', '.join(ahead)}, but "
            f"{', '.join(behind)} {'has' if len(behind) == 1 else 'have'} it only to {' and '.join(until)}, so "
            f"{financial_year_label(start)} is the last financial year every area compared has whole (--year "
            f"{financial_year_label(start + 1)} once {'it has' if len(behind) == 1 else 'they have'} the rest of it).")


def _last_whole_year(end: pd.Timestamp, frequency) -> int:
    """The last financial year whole in a series ending at period ``end``."""
    start = financial_year_start(end)
    return start if frequency.period_end_month(end).month == 3 else start - 1


def _year_total(y: pd.Series, start: int, frequency) -> float:
    return float(y[financial_year_periods(start, frequency)].sum())


def _check_years(y: pd.Series, start: int, frequency, area: str) -> None:
    """Financial year ``start`` and the year before it (its change is on that year) are wholly in ``y``.

    Raises
    ------
    DataError
        Naming the year that is not, the data's span in its own periods
        (``2002/03 Q1 to 2023/24 Q4`` for quarters) and the years that can be
        compared.
    """
    missing = [s for s in (start, start - 1) if not financial_year_periods(s, frequency).isin(y.index).all()]
    if not missing:
        return
    full = [s for s in range(financial_year_start(y.index[0]), financial_year_start(y.index[-1]) + 1)
            if financial_year_periods(s, frequency).isin(y.index).all()]
    comparable = [s for s in full if s - 1 in full]
    what = (f"{financial_year_label(start)} is not fully in the data" if missing[0] == start else
            f"{financial_year_label(start)} is compared with {financial_year_label(start - 1)}, which is not fully in "
            "the data")
    years = (f"the years that can be compared are {financial_year_label(comparable[0])} to "
             f"{financial_year_label(comparable[-1])}" if comparable else "no year can be compared (two full financial "
             "years are needed)")
    raise DataError(f"{area}: {what} ({frequency.label(y.index[0])} to {frequency.label(y.index[-1])}): {years}. "
                    "Choose another --year.")


def _left_out(counts: pd.DataFrame, category: str, area: str, start: int) -> tuple:
    """The categories of an area's total recorded crime whose counts stop before financial year ``start`` ends and
    that counted crimes in it or the year before: its change on the year before leaves them out of both years."""
    if category != TOTAL_CATEGORY:
        return ()
    frequency = frequency_of(counts)
    end = financial_year_periods(start, frequency)[-1]
    parts = stopped_parts(counts, [(c, area) for c in total_categories(counts)], as_of=end)
    return counted_in(parts, financial_year_periods(start - 1, frequency).union(financial_year_periods(start, frequency)))


def _filled_note(counts: pd.DataFrame, category: str, areas: list[str], start: int, frequency) -> str | None:
    """Which areas' compared years hold periods filled in by interpolation (not recorded), or None."""
    filled = {a: filled_in_years(counts, category=category, area=a, start_year=start, frequency=frequency)
              for a in areas}
    named = [f"{area_label(a)} {shown}" for a, shown in filled.items() if shown]
    if not named:
        return None
    return (f"the years compared include {frequency.noun}s filled in by interpolation, not recorded: "
            f"{'; '.join(named)}. Those years' counts, changes and E-tests rest partly on estimates.")


def funnel_limits(group_rate: float, populations: np.ndarray, *, levels: tuple[float, ...] = FUNNEL_LEVELS) -> pd.DataFrame:
    """Rates per 1,000 that an area of each population would reach by Poisson chance around ``group_rate``.

    Limits are exact Poisson quantiles of the expected count (population x
    group rate), divided by the population; ``lo95``/``hi95`` and
    ``lo998``/``hi998`` columns.
    """
    from crimecast.forecast.distributions import poisson_ppf

    populations = np.asarray(populations, dtype=float)
    expected = populations * group_rate / PER
    frame = {"population": populations}
    for level in levels:
        tail = (1 - level) / 2
        name = f"{level * 100:g}".replace(".", "")
        frame[f"lo{name}"] = poisson_ppf(tail, expected) / populations * PER
        frame[f"hi{name}"] = poisson_ppf(1 - tail, expected) / populations * PER
    return pd.DataFrame(frame)


def _band(rate: float, population: float, group_rate: float) -> str:
    limits = funnel_limits(group_rate, np.array([population])).iloc[0]
    if rate > limits["hi998"]:
        return "above 99.8%"
    if rate < limits["lo998"]:
        return "below 99.8%"
    if rate > limits["hi95"]:
        return "above 95%"
    if rate < limits["lo95"]:
        return "below 95%"
    return "within 95%"


def _year_after(result, start: int) -> dict | None:
    """The forecast total of financial year ``start`` (its observed periods actual), mean and 80% interval."""
    years = result.financial_years()
    row = years[years["financial_year"] == financial_year_label(start)] if len(years) else years
    if row.empty:
        return None
    row = row.iloc[0]
    return {"financial_year": row["financial_year"], "mean": float(row["mean"]), "lo80": float(row["lo80"]),
            "hi80": float(row["hi80"]), "months_forecast": int(row["months_forecast"])}


def forecast_horizon(counts: pd.DataFrame, start: int) -> int:
    """Periods from the end of the data to the end of the year after financial year ``start`` (0: that year is past).

    A comparison forecasts only the year after the one compared, and only
    while that year is not complete in the data: the current year (or the
    next, when the data ends at a year end). A past year gets no forecast.
    """
    frequency = frequency_of(counts)
    last, end = counts["month"].max(), financial_year_periods(start + 1, frequency)[-1]
    return len(frequency.between(frequency.next(last), end)) if end > last else 0


def _forecast_years(counts: pd.DataFrame, spec, category: str, areas: list[str], jobs: int, *,
                    start: int) -> dict[str, dict | None]:
    """Each area's total for the year after ``start`` from one coherent panel (the numbers every other command gives)."""
    from crimecast.forecast.panel import forecast_panel

    horizon = forecast_horizon(counts, start)
    panel = forecast_panel(counts, spec=spec, needs=[(category, area) for area in areas], horizon=horizon, jobs=jobs)
    return {area: _year_after(panel.result(counts, category, area), start + 1) for area in areas}


def _forecast_note(counts: pd.DataFrame, start: int, forecasts: dict[str, dict | None]) -> str | None:
    """Why there is no forecast column (a past year), or how much of the forecast year is already observed."""
    frequency = frequency_of(counts)
    after = financial_year_label(start + 1)
    if not forecasts:
        last = frequency.label(counts["month"].max())
        return (f"no forecast: {financial_year_label(start)} is a past year ({after}, the year after it, is complete "
                f"in the data, which runs to {last}); forecasts are shown for the year after the latest full year, "
                "the default --year.")
    months = next((f["months_forecast"] for f in forecasts.values() if f), None)
    if months is not None and months < 12:
        return (f"forecast {after}: the year after the one compared, under way in the data: {12 - months} months "
                f"observed, {months} forecast.")
    return None


def compare_areas(counts: pd.DataFrame, *, category: str, focus: str, peers: list[str], year: str | None = None,
                  population: PopulationTable | None = None, forecast=None, jobs: int = 1) -> PeerComparison:
    """Compare ``focus`` with ``peers`` on ``category`` for one financial year.

    Parameters
    ----------
    counts
        The validated table (monthly or quarterly).
    category, focus, peers
        Category and area names (slugs or aliases); unknown ones are refused
        with a did-you-mean suggestion.
    year
        Financial year such as ``2013/14`` (default: the last full year of every area).
    population
        Residents per area; without it, counts only (ranked by change).
    forecast
        A :class:`~crimecast.forecast.spec.ForecastSpec` for forecasts of the
        year after ``year`` side by side, or ``None`` for none. Made only when
        that year is not complete in the data (the current year, or the next);
        for a past year no forecast is fitted, and a note says so.
    jobs
        Worker processes for the forecasts.

    Returns
    -------
    PeerComparison

    Raises
    ------
    DataError
        For an unknown category or area, a year not in the data, or a
        population file missing an area or the year.
    """
    slug, alias_note = resolve_category(counts, category)
    focus_slug, peer_slugs = _resolve_areas(counts, focus, peers)
    areas = [focus_slug, *peer_slugs]
    series = {area: series_of(counts, category=slug, area=area) for area in areas}
    frequency = frequency_of(counts)
    start = _year_of(series, year, frequency)
    notes = [alias_note] if alias_note else []
    if year is None and (held_back := _held_back_note(counts, areas, start)):
        notes.append(held_back)
    left_out = {a: _left_out(counts, slug, a, start) for a in areas}  # like with like: parts that stop, from both years
    series = {a: without(y, left_out[a]) for a, y in series.items()}
    for a, y in series.items():
        _check_years(y, start, frequency, a)
    totals = {a: (_year_total(y, start, frequency), _year_total(y, start - 1, frequency)) for a, y in series.items()}
    notes += compared_note(((TOTAL_CATEGORY, a), part) for a in areas for part in left_out[a])
    if filled_note := _filled_note(counts, slug, areas, start, frequency):
        notes.append(filled_note)
    people, group_rate, funnel = {}, None, None
    if population is not None:
        people, population_notes = population.for_areas(areas, year=start)
        notes += population_notes
        group_rate = sum(t[0] for t in totals.values()) / sum(p.people for p in people.values()) * PER
        sizes = [p.people for p in people.values()]
        funnel = funnel_limits(group_rate, np.geomspace(min(sizes) * 0.5, max(sizes) * 1.5, 200))
    else:
        notes.append("no population file (--population): counts only, no rates per 1,000 or funnel plot; areas ranked "
                     "by their change on the year before.")
    forecasts = {}
    if forecast is not None and forecast_horizon(counts, start):
        forecasts = _forecast_years(counts, forecast, slug, areas, jobs, start=start)
    if forecast is not None and (forecast_note := _forecast_note(counts, start, forecasts)):
        notes.append(forecast_note)
    rows = []
    for area in areas:
        count, previous = totals[area]
        pop = people.get(area)
        band = _band(count / pop.people * PER, pop.people, group_rate) if pop else ""
        rows.append(AreaComparison(area=area, count=count, previous=previous, test=poisson_e_test(count, previous),
                                   population=pop, band=band, forecast=forecasts.get(area)))
    key = (lambda a: a.rate) if population is not None else (lambda a: a.test.change)
    order = sorted(rows, key=key)
    rows = [AreaComparison(**{**a.__dict__, "rank": order.index(a) + 1}) for a in rows]
    group_count = sum(t[0] for t in totals.values())
    group_previous = sum(t[1] for t in totals.values())
    if group_rate is not None and funnel is not None:
        outside = [a.area for a in rows if a.band.endswith("99.8%")]
        if len(outside) >= len(rows) - 1:
            notes.append("most areas sit outside the 99.8% funnel limits: with counts this large, Poisson chance is small "
                         "and real differences between areas (in recording, demography, deprivation) dominate; read the "
                         "funnel as 'how far apart', not as special causes.")
    return PeerComparison(category=slug, focus=focus_slug, areas=rows, year=financial_year_label(start),
                          previous_year=financial_year_label(start - 1), group_count=group_count,
                          group_previous=group_previous, group_rate=group_rate, funnel=funnel,
                          ranked_by="rate per 1,000 (1 = lowest)" if population is not None
                          else "change on the year before (1 = largest fall)", notes=notes,
                          spec=forecast if forecasts else None)


def peer_names(peers: str | None, peer_group: str | Path | None) -> list[str]:
    """The peers from ``--peers a,b`` or ``--peer-group FILE`` (exactly one of them)."""
    if bool(peers) == bool(peer_group):
        raise UsageError("give the peers with --peers a,b,c or --peer-group FILE (one of the two).")
    return parse_peers(peers) if peers else [slugify(p) or p for p in load_peer_group(peer_group)]

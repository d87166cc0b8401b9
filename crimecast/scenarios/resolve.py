"""A scenario checked against the data: series named, months inside the forecast, counts kept non-negative."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from crimecast.data.calendar import financial_year_label, financial_year_start
from crimecast.data.frequency import frequency_of
from crimecast.defaults import DEFAULT_HORIZON
from crimecast.data.series import (FORCE_AREA, TOTAL_CATEGORY, names_the_whole, resolve_area, resolve_category,
                                   stopped_categories, stopped_categories_note,
                                   series_of, whole_title)
from crimecast.errors import DataError, ScenarioError
from crimecast.forecast.models import MIN_MONTHS_TO_MODEL
from crimecast.scenarios.spec import ALL_CATEGORIES, Driver, LevelShift, Scenario, month_of

RECENT_MONTHS = 12

Key = tuple[str, str]


@dataclass(frozen=True)
class ResolvedDriver:
    """A driver with its targets as series slugs and its months as timestamps."""

    spec: Driver  # one of its kinds (Uplift, LevelShift, ...)
    where: str
    targets: tuple[Key, ...]
    start: pd.Timestamp
    end: pd.Timestamp | None

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def kind(self) -> str:
        return self.spec.kind


@dataclass(frozen=True)
class ResolvedScenario:
    """A scenario ready to apply: where it starts, what it forecasts and its drivers.

    Attributes
    ----------
    as_of
        The last observed month used; the forecast starts the month after.
    months
        The forecast months.
    categories, districts
        Crime categories (not total recorded crime) and districts in the data.
    split
        Category -> districts a driver names, which are forecast on their own.
    notes
        Aliases used and other decisions, in plain words.
    force
        For one force taken out of several (``counts.attrs["force_name"]``), its slug: the data calls it
        ``force``, and files name it so (``robbery_merseyside.png``). Empty otherwise.
    whole_title
        What titles call the data's whole when it is one named force (:func:`crimecast.data.series.whole_title`):
        one taken out of several (``Robbery — Merseyside``), or a dataset of one force (``Robbery — City of London
        Police``), not "force-wide". Empty otherwise.
    """

    scenario: Scenario
    as_of: pd.Timestamp
    months: pd.DatetimeIndex
    categories: tuple[str, ...]
    districts: tuple[str, ...]
    drivers: tuple[ResolvedDriver, ...]
    split: dict[str, list[str]]
    notes: tuple[str, ...]
    force: str = ""
    left_out: tuple[str, ...] = ()  # categories ``category: all`` left out: their counts stop before ``as_of``
    whole_title: str = ""


def _refuse_quarterly(scenario: Scenario, counts: pd.DataFrame) -> None:
    """Scenario drivers (ramps, calendar months, start and end months) are written in months."""
    if frequency_of(counts).months_per_period > 1:
        raise ScenarioError(
            f"{scenario.source}: the data '{counts.attrs.get('source', '')}' is quarterly, and scenarios work on monthly "
            "data only (their drivers start, end and ramp in months). Use a monthly dataset for scenarios; "
            "`forecast run`, `backtest`, `spc` and `milestones` (without --scenario) work on quarterly data."
        )


def _as_of(scenario: Scenario, counts: pd.DataFrame) -> pd.Timestamp:
    first, last = counts["month"].min(), counts["month"].max()
    if scenario.base.as_of is None:
        return last
    as_of = month_of(scenario.base.as_of)
    earliest = first + pd.DateOffset(months=MIN_MONTHS_TO_MODEL - 1)
    if as_of > last or as_of < earliest:
        raise ScenarioError(
            f"{scenario.source}: base.as_of: {as_of:%Y-%m} is outside the data ({first:%Y-%m} to {last:%Y-%m}); "
            f"a forecast needs at least {MIN_MONTHS_TO_MODEL} months before it. Use a month from {earliest:%Y-%m} to {last:%Y-%m}."
        )
    return as_of


def _categories(names: tuple[str, ...], counts: pd.DataFrame, categories: list[str], where: str) -> tuple[list[str], list[str]]:
    slugs, notes = [], []
    for name in names:
        if name.strip().lower() == ALL_CATEGORIES:
            slugs += categories
            continue
        try:
            slug, note = resolve_category(counts, name)
        except DataError as error:
            raise ScenarioError(f"{where}.category: {error}") from None
        if slug == TOTAL_CATEGORY:
            raise ScenarioError(f"{where}.category: total recorded crime is the sum of the categories, so a driver "
                                "cannot change it directly. Write category: all to change every category.")
        slugs.append(slug)
        notes += [note] if note else []
    return list(dict.fromkeys(slugs)), notes


def _driver_areas(spec, scenario: Scenario) -> tuple[str, ...]:
    """The areas a driver names; one that names none acts on the area the scenario forecasts (``base.area``), which is
    the whole when the data read is that area's (``scenario run``) and a district of it when it is the whole force's
    (``milestones --scenario`` and the Board pack read the plan's data)."""
    if "area" in spec.model_fields_set or not scenario.base.area:
        return spec.area
    return (scenario.base.area,)


def _areas(names: tuple[str, ...], counts: pd.DataFrame, districts: list[str], where: str) -> list[str]:
    areas = []
    for name in names:
        if name.strip().lower() in (FORCE_AREA, "all") or names_the_whole(counts, name):
            areas.append(FORCE_AREA)
            continue
        if not districts:
            raise ScenarioError(f"{where}.area: the data has one area only, so drivers apply force-wide. "
                                "Remove the area key.")
        try:
            areas.append(resolve_area(counts, name))
        except DataError as error:
            raise ScenarioError(f"{where}.area: {error}") from None
    return list(dict.fromkeys(areas))


def _month_in_forecast(text: str | None, months: pd.DatetimeIndex, where: str, *, default=None) -> pd.Timestamp | None:
    if text is None:
        return default
    month = month_of(text)
    if month not in months:
        raise ScenarioError(f"{where}: {month:%Y-%m} is outside the forecast ({months[0]:%Y-%m} to {months[-1]:%Y-%m}). "
                            "Use a month inside it, or change base.as_of or base.horizon.")
    return month


def _check_level_shift(driver: ResolvedDriver, counts: pd.DataFrame, as_of: pd.Timestamp) -> None:
    """A negative level shift must not take a series below zero at its recent lowest month."""
    lowest_shift = driver.spec.value.bounds[0]
    if lowest_shift >= 0:
        return
    for category, area in driver.targets:
        recent = series_of(counts, category=category, area=area).loc[:as_of].iloc[-RECENT_MONTHS:]
        if recent.min() + lowest_shift < 0:
            raise ScenarioError(
                f"{driver.where}.value: a level shift as low as {lowest_shift:,.0f} a month would make {category} in "
                f"{area} negative: it was as low as {recent.min():,.0f} in {recent.idxmin():%Y-%m}. Use a shift above "
                f"{-recent.min():,.0f}, or an uplift (a percentage) instead."
            )


def _after_last_year_notes(drivers: list[ResolvedDriver], months: pd.DatetimeIndex) -> list[str]:
    """A note per driver that starts after the last financial year the forecast covers to its end: the scenario is
    reported by whole financial year, so such a driver changes no year shown (and its contribution table is empty)."""
    last_end = months[months.month == 3][-1]
    notes = []
    for driver in drivers:
        if driver.start <= last_end:
            continue
        start_year = financial_year_start(driver.start)
        year_end = pd.Timestamp(year=start_year + 1, month=3, day=1)
        needed = (year_end.year - months[0].year) * 12 + year_end.month - months[0].month + 1
        notes.append(f"{driver.label} starts in {driver.start:%Y-%m}, after the last financial year the forecast covers "
                     f"to its end ({financial_year_label(financial_year_start(last_end))}, to {last_end:%Y-%m}), so it "
                     f"changes no year shown; base.horizon: {needed} reaches the end of "
                     f"{financial_year_label(start_year)}.")
    return notes


def resolve_scenario(scenario: Scenario, counts: pd.DataFrame) -> ResolvedScenario:
    """Check a scenario against the data and turn its names into series.

    Parameters
    ----------
    scenario
        From :func:`crimecast.scenarios.spec.load_scenario`.
    counts
        The validated table with totals (``with_totals``), the scenario's
        ``base.data``.

    Raises
    ------
    ScenarioError
        Naming the file and key path: an unknown category or area, a month
        outside the forecast, a level shift that would make counts negative,
        an ``as_of`` outside the data.
    """
    _refuse_quarterly(scenario, counts)
    as_of = _as_of(scenario, counts)
    horizon = scenario.base.horizon or DEFAULT_HORIZON
    months = pd.date_range(as_of + pd.offsets.MonthBegin(1), periods=horizon, freq="MS")
    if not (months.month == 3).any():
        raise ScenarioError(f"{scenario.source}: base.horizon: {horizon} months from {months[0]:%Y-%m} end in "
                            f"{months[-1]:%Y-%m}, before any financial year ends; a scenario is reported by financial "
                            f"year, so use a horizon that reaches March ({(15 - months[0].month) % 12 + 1} months or more).")
    categories = sorted(set(counts["category"]) - {TOTAL_CATEGORY})
    districts = sorted(set(counts["area"]) - {FORCE_AREA})
    stopped = stopped_categories(counts, origin=as_of)  # left out of category: all, as of every category elsewhere
    every = [c for c in categories if c not in stopped]
    drivers, notes, split = [], [], {}
    for spec in scenario.drivers:
        where = scenario.where.get(spec.label, scenario.source)
        names, alias_notes = _categories(spec.category, counts, every, where)
        areas = _areas(_driver_areas(spec, scenario), counts, districts, where)
        driver = ResolvedDriver(spec=spec, where=where, targets=tuple((c, a) for c in names for a in areas),
                                start=_month_in_forecast(spec.start, months, f"{where}.start", default=months[0]),
                                end=_month_in_forecast(spec.end, months, f"{where}.end"))
        if driver.end is not None and driver.end < driver.start:
            raise ScenarioError(f"{where}.end: {driver.end:%Y-%m} is before the driver starts ({driver.start:%Y-%m}).")
        if isinstance(spec, LevelShift):
            _check_level_shift(driver, counts, as_of)
        for category, area in driver.targets:
            if area != FORCE_AREA:
                split.setdefault(category, []).append(area)
        drivers.append(driver)
        notes += alias_notes
    notes += _after_last_year_notes(drivers, months)
    said = stopped if any(n.strip().lower() == ALL_CATEGORIES for d in scenario.drivers for n in d.category) else {}
    if said:
        notes.insert(0, stopped_categories_note(counts, said, origin=as_of, command=None))
    if not drivers:
        notes.append("the scenario has no drivers, so it equals the baseline forecast.")
    return ResolvedScenario(scenario=scenario, as_of=as_of, months=months, categories=tuple(categories),
                            districts=tuple(districts), drivers=tuple(drivers),
                            split={c: sorted(set(d)) for c, d in split.items()}, notes=tuple(dict.fromkeys(notes)),
                            force=counts.attrs.get("force_name") or "", left_out=tuple(said),
                            whole_title=whole_title(counts.attrs))



def scenario_at(scenario: Scenario, *, as_of: pd.Timestamp, horizon: int) -> Scenario:
    """The scenario moved to forecast ``horizon`` months from ``as_of`` (milestones and the fund set these)."""
    base = scenario.base.model_copy(update={"as_of": f"{as_of:%Y-%m}", "horizon": horizon})
    return dataclasses.replace(scenario, base=base)


def driver_needs(resolved: ResolvedScenario) -> list[Key]:
    """The series the drivers touch: their targets and, for coherence, their categories force-wide."""
    keys: list[Key] = []
    for driver in resolved.drivers:
        keys += list(driver.targets) + [(category, FORCE_AREA) for category, _ in driver.targets]
    return list(dict.fromkeys(keys))

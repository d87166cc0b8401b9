"""Milestone plans: a YAML or CSV list of targets (series, kind, value, financial year).

YAML::

    version: 1
    name: 2013/14 Police and Crime Plan
    year: 2013/14                      # default for every milestone
    data: merseyside                   # optional: a stored dataset, embedded dataset or file
    area: west-midlands                # optional: the area of every milestone that names none (default: force-wide)
    forecast: {model: ets, paths: 1000}  # optional: any ForecastSpec key (crimecast.forecast.spec)
    milestones:
      - {category: burglary-dwelling, target: -8%}          # change on the year before
      - {category: robbery, area: walsall, count: 900}      # a count for the year
      - {category: domestic-abuse, target: +10%, direction: at_least}
      - {category: satisfaction-crime, rate: 88%, basis: rolling-12}  # a rate series: at least 88%

A ``rate`` milestone is for a rate series (satisfied / surveyed): "at least
88%" of the financial year's rate (``basis: financial-year``, the default)
or of the rolling 12-month rate at the year's end (``basis: rolling-12``).

CSV: one milestone per row with columns ``category`` and ``target``,
``count`` or ``rate``, and optionally ``name``, ``area``, ``year``,
``direction``, ``basis``, ``note``.

A plan's ``area:`` is one area, the default of the milestones that give none
(a plan for one force of a table of forces names it once); a milestone's own
``area:`` overrides it. Without either, a milestone is force-wide.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from crimecast.data import sources  # (its functions looked up when called: a test may stand in for open_counts)
from crimecast.data.calendar import financial_year_label, financial_year_start, parse_financial_year, planning_as_of
from crimecast.data.frequency import frequency_of
from crimecast.data.rates import rates_for
from crimecast.data.series import ALL, FORCE_AREA, default_area, resolve_area, selection
from crimecast.data.slugs import display_name
from crimecast.errors import CrimecastError, DataError, PlanError, ScenarioError, UsageError
from crimecast.forecast.spec import ForecastSpec
from crimecast.io import read_text
from crimecast.scenarios.milestones import AT_MOST
from crimecast.scenarios.spec import SCHEMA_VERSION, Scenario
from crimecast.scenarios.values import is_percentage, parse_change, parse_number
from crimecast.specfile import find_file, load_yaml_model, shipped_dir, validation_error

PLAN_COLUMNS = ("name", "category", "area", "target", "count", "year", "direction", "note", "rate", "basis")
FINANCIAL_YEAR, ROLLING_12 = "financial-year", "rolling-12"
BASIS_WORDS = {FINANCIAL_YEAR: "the financial year's rate", ROLLING_12: "rolling 12 months"}


def _year(raw) -> str | None:
    if raw is None or raw == "":
        return None
    try:
        return financial_year_label(parse_financial_year(str(raw)))
    except CrimecastError as error:
        raise ValueError(str(error).rstrip(".")) from None


def _area(raw, *, plan: bool) -> str:
    """An ``area:`` as written: one area's name, refused (in words that name the fix) when it is a list, ``all``,
    several areas or empty. ``plan`` is for the plan's own ``area:``, the default of its milestones."""
    whose = "A plan's area" if plan else "A milestone's area"
    several = ("give the milestones in other areas their own area: key (the plan's area: is the default for those "
               "that give none)" if plan else "write one milestone per area")
    if isinstance(raw, (list, tuple, dict)):
        return _refuse(f"{whose} is one area, such as west-midlands, not a "
                       f"{'mapping' if isinstance(raw, dict) else 'list'}: {several}")
    if raw is not None and (isinstance(raw, bool) or not isinstance(raw, str)):
        return _refuse(f"{whose} is an area's name, such as west-midlands, not {raw!r}")
    text = (raw or "").strip()
    if not text:
        return _refuse(f"{whose} is empty: name one, such as west-midlands, or leave the key out (milestones are then "
                       + ("force-wide)" if plan else "in the plan's area:, else force-wide)"))
    if text.lower() == "all" or "," in text:
        named = "every area" if text.lower() == "all" else "several areas"
        return _refuse(f"{whose} is one area, and '{text}' names {named}: {several}. For one milestone per area, use "
                       "`forecast milestones CATEGORY --target ... --area all` (or --area a,b)")
    return text


def _refuse(message: str):
    raise ValueError(message)


class Milestone(BaseModel):
    """One target: a series, a change on last year or a count, and a financial year."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    category: str
    area: str = FORCE_AREA
    target: float | None = None
    count: float | None = None
    year: str | None = None
    direction: Literal["at_most", "at_least"] = AT_MOST
    note: str = ""
    rate: float | None = None
    basis: Literal["financial-year", "rolling-12"] = FINANCIAL_YEAR

    @model_validator(mode="before")
    @classmethod
    def _rate_at_least(cls, raw):
        """A rate milestone is "at least" unless it says otherwise."""
        if isinstance(raw, dict) and raw.get("rate") not in (None, "") and raw.get("direction") in (None, ""):
            return {**raw, "direction": "at_least"}
        return raw

    @field_validator("rate", mode="before")
    @classmethod
    def _rate(cls, raw):
        if raw is None or raw == "":
            return None
        value = parse_number(raw, allow_percent=True)
        if not 0 < value <= 1:
            raise ValueError(f"a rate target must be above 0% and at most 100%, got {raw!r}: write it as a percentage "
                             "such as 88% (or 0.88)")
        return value

    @field_validator("area", mode="before")
    @classmethod
    def _one_area(cls, raw):
        return _area(raw, plan=False)

    @field_validator("target", mode="before")
    @classmethod
    def _target(cls, raw):
        return None if raw is None or raw == "" else parse_change(raw)

    @field_validator("count", mode="before")
    @classmethod
    def _count(cls, raw):
        if raw is None or raw == "":
            return None
        if is_percentage(raw):  # a change written as a count
            raise ValueError(f"'{raw}' is a percentage, but count is the year's total (a number of crimes, e.g. 12000): "
                             f"write it as target: {raw.strip()} for a change on the year before, or give the year's count")
        value = parse_number(raw, allow_percent=False)
        if value < 0:
            raise ValueError(f"a count target cannot be negative, got {value:g}")
        return value

    @field_validator("year", mode="before")
    @classmethod
    def _fy(cls, raw):
        return _year(raw)

    @model_validator(mode="after")
    def _one_kind(self):
        if (self.target is not None) + (self.count is not None) + (self.rate is not None) != 1:
            raise ValueError("give exactly one of target (a change on the year before, e.g. -8%), count "
                             "(the year's total, e.g. 12000) or rate (for a rate series, e.g. 88%)")
        if self.target is not None and self.target <= -1:
            raise ValueError(f"a change of {self.target:.0%} or less cannot be met; use a value above -100%")
        return self

    @property
    def label(self) -> str:
        return self.name or f"{self.category} {self.area}"

    def describe(self) -> str:
        """``"-8.0% on the year before"``, ``"at most 12,000"`` or ``"at least 88.0% (rolling 12 months)"``."""
        if self.rate is not None:
            return f"{'at most' if self.direction == AT_MOST else 'at least'} {self.rate * 100:.1f}% ({BASIS_WORDS[self.basis]})"
        if self.target is not None:
            return f"{self.target * 100:+.1f}% {'or lower' if self.direction == AT_MOST else 'or higher'}"
        return f"{'at most' if self.direction == AT_MOST else 'at least'} {self.count:,.0f}"


class PlanFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = SCHEMA_VERSION
    name: str = "milestones"
    description: str = ""
    year: str | None = None
    data: str | None = None
    area: str | None = None  # the area of every milestone that names none
    forecast: ForecastSpec | None = None  # model, paths, seed, steps, as_of, ... (crimecast.forecast.spec)
    milestones: list[Milestone]

    @field_validator("year", mode="before")
    @classmethod
    def _fy(cls, raw):
        return _year(raw)

    @field_validator("area", mode="before")
    @classmethod
    def _one_area(cls, raw):
        return _area(raw, plan=True)

    @field_validator("milestones")
    @classmethod
    def _not_empty(cls, milestones):
        if not milestones:
            raise ValueError("a plan needs at least one milestone")
        return milestones


COMMAND_LINE = "command line"  # a Plan's source when its milestones come from command-line options


@dataclass(frozen=True)
class Plan:
    """Milestones with their years filled in, and where they came from."""

    name: str
    milestones: tuple[Milestone, ...]
    source: str
    data: str | None = None
    forecast: ForecastSpec | None = None
    left_out: tuple = ()  # categories, and (category, area) series, ``all`` left out for counts that stop before the forecast
    notes: tuple[str, ...] = ()  # what the plan's making decided (what it left out), in plain words
    carry_on: bool = False  # reached through ``all``: a series that cannot be forecast is left out with a note, as run's
    area_from_plan: tuple[int, ...] = ()  # the milestones (by their place in the file) whose area is the plan's ``area:``
    numbers: tuple[int, ...] = ()  # each milestone's place in the file, once some are left out (:meth:`keeping`)

    @property
    def from_file(self) -> bool:
        return self.source != COMMAND_LINE

    @property
    def areas(self) -> str:
        """The areas its milestones name, as ``--area`` names several (``merseyside,cleveland``): the areas it asks
        the data for (:meth:`crimecast.data.sources.DataSource.asking`)."""
        return ",".join(dict.fromkeys(milestone.area for milestone in self.milestones))

    def keeping(self, keep) -> "Plan":
        """The plan with only the milestones ``keep(milestone)`` is true of, each still named by its place in the
        file (:meth:`where`): the count part of a plan whose rate milestones come first says ``milestones[1]``."""
        places = self.numbers or tuple(range(len(self.milestones)))
        kept = [(m, place) for m, place in zip(self.milestones, places) if keep(m)]
        return dataclasses.replace(self, milestones=tuple(m for m, _ in kept), numbers=tuple(place for _, place in kept))

    def _place(self, index: int) -> int:
        return self.numbers[index] if self.numbers else index

    def where(self, index: int, *, force: str = "") -> str:
        """Milestone ``index`` for messages: ``plan.yaml: milestones[2]``, or ``the command-line target for burglary /
        walsall`` when it came from options (where "milestones[0]" names nothing the user wrote). ``force``: the
        key of the force ``--area`` took out of several (``counts.attrs["force_name"]``), which the data holds as its
        whole: a target on the whole is named by it (``robbery / devon-cornwall``, not ``robbery / force``)."""
        if self.from_file:
            return f"{self.source}: milestones[{self._place(index)}]"
        milestone = self.milestones[index]
        area = force if force and milestone.area == FORCE_AREA else milestone.area
        return f"the command-line target for {milestone.category} / {area}"

    def where_area(self, index: int, *, force: str = "") -> str:
        """Where milestone ``index``'s area was written, for messages about the area: the plan's own ``area:`` when
        the milestone took it (``plan.yaml: area (the plan's, for milestones[0])``), else :meth:`where`."""
        place = self._place(index)
        if self.from_file and place in self.area_from_plan:
            return f"{self.source}: area (the plan's, for milestones[{place}])"
        return self.where(index, force=force)


def plans_dir() -> Path:
    """Where the shipped plans are."""
    return shipped_dir("crimecast.scenarios", "plans")


def _read_csv_plan(path: Path) -> PlanFile:
    text = read_text(path, what="plan", error=PlanError, hint="Check the path, or name a shipped plan.")
    try:
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise PlanError(f"{path}: not a readable CSV ({error}). Check for an unclosed quote.") from None
    if not rows:
        raise PlanError(f"{path}: the plan has no rows. Add a header (category,target,year) and one row per milestone.")
    unknown = [c for c in rows[0] if c and c.strip().lower() not in PLAN_COLUMNS]
    if unknown:
        raise PlanError(f"{path}: unknown column '{unknown[0]}'. Plan columns are: {', '.join(PLAN_COLUMNS)}.")
    milestones = []
    for number, row in enumerate(rows, start=2):
        clean = {k.strip().lower(): (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k}
        clean = {k: v for k, v in clean.items() if v not in ("", None)}
        try:
            milestones.append(Milestone.model_validate(clean))
        except ValidationError as error:
            raise validation_error(error, source=path, lines={}, prefix=f"row {number}", root=Milestone,
                                   error_class=PlanError) from None
    return PlanFile(name=path.stem, milestones=milestones)


def load_plan(path: str | Path, *, year: str | None = None) -> Plan:
    """Read a plan file (``.yaml``/``.yml`` or ``.csv``) or a shipped plan by name.

    Parameters
    ----------
    path
        The file, or the name of a shipped plan (``plan-2013-14``).
    year
        The financial year for milestones that give none (overrides the
        plan's own default year).

    Raises
    ------
    PlanError
        Naming the file, row or key path and the fix.
    """
    path = find_file(path, plans_dir())
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in plans_dir().glob("*.yaml")))
        raise PlanError(f"plan file {path} not found. Give a YAML or CSV plan, or a shipped plan ({known}).")
    if path.suffix.lower() == ".csv":
        spec = _read_csv_plan(path)
    else:
        spec = load_yaml_model(path, PlanFile, what="a plan", error=PlanError)
    default_year = _year(year) if year else spec.year
    milestones, from_plan = [], []
    for index, milestone in enumerate(spec.milestones):
        chosen = milestone.year or default_year
        if chosen is None:
            raise PlanError(f"{path}: milestones[{index}] ({milestone.label}) has no financial year. Add year: 2014/15 "
                                "to the milestone or the plan, or pass --year.")
        update = {"year": chosen}
        if spec.area is not None and "area" not in milestone.model_fields_set:  # the plan's area, unless its own
            update["area"] = spec.area
            from_plan.append(index)
        milestones.append(milestone.model_copy(update=update))
    plan = Plan(name=spec.name, milestones=tuple(milestones), source=str(path), data=spec.data, forecast=spec.forecast,
                area_from_plan=tuple(from_plan))
    return dataclasses.replace(plan, notes=rise_notes(plan))


def _rise_allowed(milestone: Milestone) -> str | None:
    """``8%``: the rise a change target "at most" (``target: 8%``) allows, where a reduction was likely meant."""
    if milestone.target is None or milestone.direction != AT_MOST or milestone.target <= 0:
        return None
    return f"{milestone.target * 100:g}%"


def rise_notes(plan: Plan) -> tuple[str, ...]:
    """A note for each change target "at most" a rise (``target: 8%`` reads "+8.0% or lower"): it allows a rise,
    where a reduction, written ``-8%``, is what such a target usually means."""
    notes = []
    for index, milestone in enumerate(plan.milestones):
        rise = _rise_allowed(milestone)
        if rise is None:
            continue
        if plan.from_file:
            notes.append(f"{plan.where(index)} ({milestone.label}): target: {rise} is '{milestone.describe()}': it "
                         f"allows a rise of {rise} on the year before; a reduction of {rise} is written target: -{rise}.")
        else:  # one option, one note however many series it was set on
            return (f"--target {rise} is '{milestone.describe()}': it allows a rise of {rise} on the year before; a "
                    f"reduction of {rise} is written --target -{rise}.",)
    return tuple(notes)


def _refused_option(error: ValidationError) -> PlanError:
    """A milestone made from command-line options, refused in the options' words: ``--area``, else
    ``--target/--count`` (an empty ``--area`` is told to be left out: the plan file's words speak of keys)."""
    first = error.errors()[0]
    if first["loc"][:1] != ("area",):
        return PlanError(f"--target/--count: {first['msg'].removeprefix('Value error, ')}.")
    if not str(first["input"] or "").strip():
        return PlanError("--area is empty: name one area, such as west-midlands, or leave --area out.")
    return PlanError(f"--area: {first['msg'].removeprefix('Value error, ')}.")


def single_milestone(category: str, *, area: str, target: float | str | None, count: float | None, year: str,
                     direction: str = AT_MOST) -> Plan:
    """A one-milestone plan from command-line options."""
    try:
        milestone = Milestone(category=category, area=area, target=target, count=count, year=year, direction=direction)
    except ValidationError as error:
        raise _refused_option(error) from None
    plan = Plan(name=milestone.label, milestones=(milestone,), source=COMMAND_LINE)
    return dataclasses.replace(plan, notes=rise_notes(plan))


def milestone_plan(keys: list[tuple[str, str]], *, name: str, target: float | str | None, count: float | None, year: str,
                   direction: str = AT_MOST) -> Plan:
    """A plan of one milestone per (category, area), all with the same target (e.g. ``--area all``)."""
    try:
        milestones = tuple(Milestone(category=c, area=a, target=target, count=count, year=year, direction=direction)
                           for c, a in keys)
    except ValidationError as error:
        raise _refused_option(error) from None
    plan = Plan(name=name, milestones=milestones, source=COMMAND_LINE)
    return dataclasses.replace(plan, notes=rise_notes(plan))


def _one_of(category: str | None, plan_file: str | None) -> None:
    """A milestones request names a category or a plan file, not both."""
    if plan_file and category:
        raise UsageError("give either CATEGORY (with --target or --count) or --plan FILE, not both.")


def _scenario_force(counts: pd.DataFrame, *, plan: Plan | None, area: str | None, scenario: Scenario | None) -> str | None:
    """The one force a scenario on a dataset of separate forces (peers) is for: the force ``--area``, the plan's
    milestones and the scenario's ``base.area`` name (``None``: no scenario, data of one force, or none named).

    A scenario forecasts one force's whole (its drivers' categories force-wide), which peers do not have, so the
    force named is taken out of the others as ``--area`` would take it; a force the plan names that the data lacks
    is left to the plan's own check, which names the key.

    Raises
    ------
    UsageError
        When they name different forces.
    ScenarioError
        When the scenario's ``base.area`` is not in the data.
    """
    if scenario is None or counts.attrs.get("areas") != "peers" or counts.attrs.get("force_name"):
        return None
    named: dict[str, list[str]] = {}  # force -> who names it
    given = [("--area", area)] if area not in (None, FORCE_AREA) else []
    given += [(f"the plan {plan.source}", one) for one in (plan.areas.split(",") if plan is not None else [])
              if one != FORCE_AREA]
    for who, name in given:
        try:
            named.setdefault(resolve_area(counts, name), []).append(who)
        except DataError:  # refused where it is named (--area, the plan's milestones), saying which key
            return None
    if scenario.base.area is not None:
        try:
            named.setdefault(resolve_area(counts, scenario.base.area), []).append(f"the scenario {scenario.source}")
        except DataError as error:
            raise ScenarioError(f"{scenario.source}: base.area: {error}") from None
    if len(named) > 1:
        said = "; ".join(f"{' and '.join(who)} {'name' if len(who) > 1 else 'names'} {force}"
                         for force, who in named.items())
        raise UsageError(f"a scenario on a dataset of separate forces is for one force, and these name different "
                         f"forces: {said}. Make the plan's area and the scenario's base.area the same force.")
    return next(iter(named), None)


def _refuse_rates_only(counts) -> None:
    """A change or count target on a dataset of rate series only (no counts): say what a rate milestone is instead."""
    rates = rates_for(counts)
    names = sorted(set(rates["category"])) if rates is not None else []
    example = names[0] if names else "CATEGORY"
    raise UsageError(f"{counts.attrs.get('source', 'the data')} holds rate series only ({', '.join(names) or 'none'}) and "
                     "no counts, so --target and --count have nothing to be set on. A target for a rate is a plan's rate "
                     f"milestone: write `milestones: [{{category: {example}, rate: 88%}}]` with `year:` in a YAML file "
                     "and pass it with --plan FILE.")


def plan_for(counts, *, category: str | None = None, plan_file: str | None = None, area: str = FORCE_AREA,
             target: float | str | None = None, count: float | None = None, year: str | None = None,
             direction: str = AT_MOST, as_of=None) -> Plan:
    """The plan a ``forecast milestones`` request names.

    Parameters
    ----------
    counts
        The data with totals; its last period sets the default year (the next financial year).
    category, plan_file
        One of: a category (one milestone, or one per area), a plan file (or a
        shipped plan), or neither (one milestone per category force-wide, a
        planner's table of achievable targets).
    area
        The area of ``category``: one area, ``all`` (one milestone per area) or a comma-separated list.
    target, count, direction
        The change on the year before (``-0.08`` or ``"-8%"``) or a count, and whether the
        count must stay ``at_most`` or reach ``at_least`` it.
    year
        The financial year (default: the plan's, else the one after the
        last month used: ``as_of`` when given, else the data's last month).
    as_of
        The last month of actuals used (a ``pd.Timestamp``), or ``None``.

    Raises
    ------
    UsageError
        Both a category and a plan file.
    PlanError
        A plan file that cannot be read, or a target that is not usable.
    """
    _one_of(category, plan_file)
    if plan_file:
        return load_plan(plan_file, year=year)
    if counts.empty:
        _refuse_rates_only(counts)
    frequency = frequency_of(counts)
    last = counts["month"].max() if as_of is None else frequency.period_containing(as_of)
    year = year or financial_year_label(financial_year_start(frequency.next(last)))
    change = None if count is not None else target
    if category and area != ALL and "," not in area:
        return single_milestone(category, area=area, target=change, count=count, year=year, direction=direction)
    # the period the assessment forecasts from (assess_milestones): every category leaves out those stopped before it
    origin = frequency.period_containing(
        as_of if as_of is not None else planning_as_of(parse_financial_year(year), frequency.period_end_month(last)))
    origin = min(origin, counts["month"].max())  # an as-of after the data is refused, saying why, by the assessment
    chosen = selection(counts, category=category or ALL, area=area, origin=origin, command="forecast milestones")
    keys = sorted(chosen.keys, key=lambda k: (k[0], k[1] != FORCE_AREA, k[1]))  # the force first, then its districts
    what = f"{display_name(category)} by area" if category else "Every category"  # a title, as a plan's name is
    plan = milestone_plan(keys, name=f"{what} {year}", target=change, count=count, year=year, direction=direction)
    return dataclasses.replace(plan, left_out=(*chosen.stopped_categories, *chosen.stopped_series),
                               notes=(*plan.notes, *chosen.notes), carry_on=ALL in (category or ALL, area))


@dataclass(frozen=True)
class PlanCounts:
    """The counts a milestones request or a Board pack works on, with its plan file read once (:func:`open_plan_counts`).

    ``plan`` is the plan file's; without one, :meth:`milestones` makes the plan from the options on these counts.
    ``noted`` names the areas whose series the data's notes on gaps speak of
    (:func:`crimecast.data.sources.notes_for`): a plan's areas, else ``area``.
    """

    counts: pd.DataFrame
    plan: Plan | None = None
    category: str | None = None
    area: str = FORCE_AREA
    year: str | None = None
    as_of: pd.Timestamp | None = None
    noted: str | None = None

    def milestones(self, *, target: float | str | None = None, count: float | None = None,
                   direction: str = AT_MOST) -> Plan:
        """The plan file's milestones, else those ``target`` or ``count`` make of the category (:func:`plan_for`)."""
        if self.plan is not None:
            return self.plan
        return plan_for(self.counts, category=self.category, area=self.area, target=target, count=count,
                        year=self.year, direction=direction, as_of=self.as_of)


def open_plan_counts(source: sources.DataSource, *, plan_file: str | None = None, category: str | None = None,
                     area: str | None = None, year: str | None = None, as_of: pd.Timestamp | None = None,
                     force_wide: bool = True, scenario: Scenario | None = None) -> PlanCounts:
    """Read a plan file once, and the counts its milestones (or ``category``'s) are assessed on.

    Parameters
    ----------
    source
        The data the user named; when none was, the plan's own ``data:``.
    plan_file, category
        A plan file (or a shipped plan), or a category whose milestones the
        options make (:meth:`PlanCounts.milestones`); neither: every category.
    area
        The area of ``category`` (``--area``): one area, ``all`` or a
        comma-separated list; ``None``: force-wide, or the area ``run`` and
        ``spc`` default to. Several areas are asked for; else a plan's areas
        are: the data is used to the last period every force they name has
        (one force alone: to its own end).
    year
        The financial year of milestones that give none.
    as_of
        A replay from this month (``--as-of``): the periods up to it as the
        data stood then, the later ones (the outcome) as it stands
        (:meth:`crimecast.data.sources.DataSource.replaying`).
    force_wide
        One force of a dataset of peers, the one ``area`` names or the only
        one, is taken as the whole (:func:`crimecast.data.sources.force_wide`),
        as ``forecast milestones`` forecasts it; ``False``: the peers as read
        (the Board pack).
    scenario
        A scenario assessed beside the milestones (:class:`crimecast.scenarios.spec.Scenario`): on a dataset of
        separate forces, the one force it, the plan and ``area`` name is taken as the whole, as ``--area`` takes
        it, in the Board pack too (a scenario forecasts a force's whole, which separate forces have none of).

    Raises
    ------
    UsageError
        Both a category and a plan file; a scenario naming another force than the plan (or ``area``) on a dataset
        of separate forces.
    PlanError
        A plan file that cannot be read.
    ScenarioError
        A scenario's ``base.area`` that the data does not hold, on a dataset of separate forces.
    DataError
        Data that cannot be read, or an area it does not hold.
    """
    _one_of(category, plan_file)
    plan = load_plan(plan_file, year=year) if plan_file else None
    several = area is not None and (area == ALL or "," in area)
    asked = area if several else plan.areas if plan is not None else None
    wanted = source.naming(plan.data if plan is not None else None,
                           where=f"{plan.source}: data" if plan is not None else None).replaying(as_of)
    counts = sources.open_counts(wanted if asked is None else wanted.asking(asked))  # to the last period they all have
    scenario_force = _scenario_force(counts, plan=plan, area=area, scenario=scenario) if not several else None
    if scenario_force is not None:  # a scenario on one force of several: that force, as --area names it
        area, force_wide = scenario_force, True
    if force_wide and counts.attrs.get("areas") == "peers" and not several:
        # one force of peers (named, or the only one): forecast as a whole (a saved forecast reads the same)
        counts = sources.force_wide(counts, area=None if area in (None, FORCE_AREA) else area)
        area = FORCE_AREA if counts.attrs.get("force_name") else area
    if area is None:  # the area `run` and `spc` default to (a plan's milestones carry their own)
        area = FORCE_AREA if plan is not None else default_area(counts)
    noted = asked if plan is not None and not several else area  # a plan's milestones: the areas they name
    return PlanCounts(counts=counts, plan=plan, category=category, area=area, year=year, as_of=as_of, noted=noted)


__all__ = ["COMMAND_LINE", "Milestone", "Plan", "PlanCounts", "load_plan", "milestone_plan", "open_plan_counts",
           "parse_change", "plan_for", "single_milestone"]

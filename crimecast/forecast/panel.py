"""One coherent panel forecast: the series a request needs, forecast once, paired, totals summed path by path.

Every command that forecasts (``run``, ``scenario``, ``milestones``, the
Community Safety Fund) asks for a panel of (category, area) series. Only
*bottom* series are forecast, each with its own seed
(:func:`series_seed`), so a series gets the same paths whichever command
asks for it:

* a category needed force-wide only is forecast at force level;
* a category needed in some districts only is forecast in those districts;
* a category needed force-wide *and* in some districts is forecast in those
  districts plus the rest of the force, and the force is their sum;
* total recorded crime is the sum of every category that counts towards it.

The bottom series' paths are then paired (``pair_paths``) so totals
move together as their history did, each total's from its own parts only, and
every total is the sum of its parts, path by path. Paths are kept at single
precision (exact when saved).
"""

from __future__ import annotations

import traceback
import zlib
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from crimecast.data.frequency import MONTHLY, QUARTERLY, Frequency, frequency_of
from crimecast.data.exceptional import ExceptionalPeriod, calendar_of, check_no_overlap
from crimecast.data.known_changes import KnownChange, check_known_changes, exceptional_periods, months_for
from crimecast.data.months import months_between
from crimecast.data.series import (FORCE_AREA, TOTAL_CATEGORY, filled_among, filled_periods, force_named_in,
                                   season_references, series_named, series_of, whole_title)
from crimecast.errors import CrimecastError, DataError
from crimecast.defaults import DEFAULT_MODEL
from crimecast.forecast.calibrate import WIDE_INTERVALS, FitCache, wide_note
from crimecast.forecast.compared import stopped_parts
from crimecast.forecast.drift import Drift, dataset_drift, passed_over
from crimecast.forecast.models import AUTO, PARTLY_CALIBRATED, CrimeForecaster, crimecast_core, short_note, step_note
from crimecast.forecast.parallel import Progress, map_series
from crimecast.forecast.paths import ForecastResult
from crimecast.forecast.reconcile import REST_OF_FORCE, CoherentPaths, bottom_history, pair_paths
from crimecast.forecast.spec import ForecastSpec
from crimecast.forecast.frequency import series_frequency

Key = tuple[str, str]
MAX_STEPS_LISTED = 8  # a batch's note names this many steps; each series' own notes name all of its own


def series_seed(seed: int, key: Key) -> int:
    """A seed per bottom series, so separately forecast series do not share random draws."""
    return seed + zlib.crc32(f"{key[0]}/{key[1]}".encode("utf-8")) % 1_000_000


def seed_key(counts: pd.DataFrame, key: Key) -> Key:
    """The name a series' seed is made from: one force taken out of a dataset of forces (where it is
    called ``force``) keeps its own name, so it gets the paths it gets in the whole dataset."""
    named = counts.attrs.get("force_name")
    return (key[0], named) if named and key[1] == FORCE_AREA else key


def series_settings(spec: ForecastSpec, key: Key, reference: pd.Series | None = None) -> dict:
    """The forecaster settings ``spec`` gives one series (besides model, paths and seed): level shifts,
    known changes, exceptional periods and the whole its seasonal pattern is pooled with (``reference``,
    see ``season_references``). Forecasts and backtests both use it."""
    return {"seasonal_reference": reference, "level_shifts": AUTO if spec.steps else (),
            "known_changes": months_for(list(spec.known_changes), category=key[0], area=key[1]),
            "exceptional": series_exceptional(spec.exceptional, spec.known_changes, category=key[0], area=key[1])}


def forecaster_for(spec: ForecastSpec, key: Key, *, seeded_as: Key | None = None,
                   reference: pd.Series | None = None, drift: Drift | None = None) -> CrimeForecaster:
    """The forecaster of one bottom series: the one place a panel turns its spec into a model.

    ``seeded_as`` is the name its seed is made from (default ``key``; see :func:`seed_key`);
    ``reference`` the whole its seasonal pattern is pooled with (``season_references``);
    ``drift`` the dataset's (:func:`drift_of`).
    """
    return CrimeForecaster(model=spec.model, n_paths=spec.paths, seed=series_seed(spec.seed, seeded_as or key),
                           drift=drift, **series_settings(spec, key, reference))


def drift_of(wholes: dict[str, pd.Series], as_of: pd.Timestamp, *, spec: ForecastSpec) -> Drift | None:
    """The dataset drift the default model carries from ``as_of`` in every series of a dataset (``wholes``: its
    ``season_references``); ``None`` when ``spec`` leaves it out, or when too few categories have an ordinary year to
    measure it on. Forecasts and backtests both use it; other models never carry it."""
    if not spec.drift:
        return None
    return dataset_drift(wholes, as_of=as_of, make_core=crimecast_core, exceptional=spec.exceptional, seed=spec.seed)


def series_exceptional(periods: Iterable[ExceptionalPeriod], changes: Iterable[KnownChange], *, category: str,
                       area: str) -> tuple[ExceptionalPeriod, ...]:
    """``periods`` with the exceptional known changes of one series, checked not to overlap.

    A shipped calendar's period (``covid-uk``'s, the default's) that a known change overlaps gives way to it:
    the user's own dates win. Periods from the user's own file that overlap one are an error.
    """
    known = exceptional_periods(list(changes), category=category, area=area)
    periods = tuple(p for p in periods
                    if not (calendar_of([p]) and any(k.start <= p.end and p.start <= k.end for k in known)))
    combined = tuple(sorted((*periods, *known), key=lambda p: p.start))
    check_no_overlap(combined, where=f"exceptional periods of {category} / {area} (--exceptional and --known-changes)")
    return combined


def total_categories(counts: pd.DataFrame) -> tuple[str, ...]:
    """The categories that add up to total recorded crime in ``counts``."""
    listed = counts.attrs.get("total_categories")
    return tuple(sorted(listed if listed is not None else set(counts["category"]) - {TOTAL_CATEGORY}))


def districts_of(counts: pd.DataFrame) -> tuple[str, ...]:
    return tuple(sorted(set(counts["area"]) - {FORCE_AREA}))


def panel_keys(counts: pd.DataFrame, needs: Iterable[Key]) -> tuple[list[Key], dict[str, list[str]]]:
    """The bottom series that ``needs`` requires, and category -> districts split off the force.

    See the module docstring for the rules.
    """
    in_total = total_categories(counts)
    present = _present(counts)
    areas_of: dict[str, set[str]] = {}
    for category, area in needs:
        for cat in (in_total if category == TOTAL_CATEGORY else (category,)):
            if area == FORCE_AREA or (cat, area) in present:  # a category an area never recorded adds 0 to its total
                areas_of.setdefault(cat, set()).add(area)
    districts = set(districts_of(counts))
    keys: list[Key] = []
    split: dict[str, list[str]] = {}
    for category in sorted(areas_of):
        named = sorted(areas_of[category] - {FORCE_AREA})
        if not named:
            keys.append((category, FORCE_AREA))
            continue
        keys += [(category, district) for district in named]
        if FORCE_AREA in areas_of[category]:
            split[category] = named
            if {d for d in districts if (category, d) in present} - set(named):
                keys.append((category, REST_OF_FORCE))
    return keys, split


def _present(counts: pd.DataFrame) -> set[Key]:
    return set(map(tuple, counts[["category", "area"]].drop_duplicates().to_numpy()))


def _absent_parts(counts: pd.DataFrame, keys: Iterable[Key]) -> list[Key]:
    """(category, district) pairs the data has no series for that the bottom ``keys`` need as true zeros.

    A district that never recorded a category (London's airports and fraud) adds 0 to
    its total recorded crime, and to the force's sum when that category is forecast
    by district.
    """
    present, keys = _present(counts), list(keys)
    areas = {area for _, area in keys} - {FORCE_AREA, REST_OF_FORCE}
    categories = {category for category, _ in keys}
    split = {category for category, area in keys if area != FORCE_AREA}
    in_total = set(total_categories(counts))
    wanted = {(c, a) for c in categories & in_total for a in areas} | {(c, d) for c in split for d in districts_of(counts)}
    dropped = set(counts.attrs.get("dropped", {}))  # left out for gaps: not a zero, so no total is made of them
    return sorted(key for key in wanted if key not in present and key not in dropped and key[1] != FORCE_AREA)


# The wordings a batch gives, once for every series that has it, instead of each series' own note (``_shared_notes``).
_SHARED = {"partly calibrated": PARTLY_CALIBRATED, "wide": WIDE_INTERVALS}


@dataclass(frozen=True)
class NoteSources:
    """What a panel's notes are made of, series by series, so that a request reading part of a saved panel is
    told of its own series only (:meth:`Panel.for_request`).

    Attributes
    ----------
    forecast
        The bottom series forecast (not those that add 0).
    shared
        A note every series has (the dataset drift's), said once and unled.
    series
        (series, note) pairs: each series' notes but its steps, in the batch's wording.
    own
        (series, wording, note) of each note ``series`` gives in a wording several series share (``_SHARED``:
        intervals calibrated on under three years, wide intervals), with the series' own figures: a request
        reading only one of them is given its own, as a forecast of it alone is. Empty in a forecast saved
        before they were kept: its notes stay in the batch's wording.
    steps
        (series, step) pairs, ``"burglary / north -12% from 2019-05"``.
    stopped
        (series, last period) of the series whose counts stop before the data used ends (they add 0).
    """

    forecast: tuple[Key, ...] = ()
    shared: str | None = None
    series: tuple[tuple[Key, str], ...] = ()
    steps: tuple[tuple[Key, str], ...] = ()
    stopped: tuple[tuple[Key, str], ...] = ()
    own: tuple[tuple[Key, str, str], ...] = ()

    def only(self, keys: Iterable[Key]) -> "NoteSources":
        """These sources cut to the bottom series ``keys``."""
        keep = set(keys)
        return self.renamed(lambda key: key if key in keep else None)

    def renamed(self, name: Callable[[Key], Key | None]) -> "NoteSources":
        """These sources with each series under its new ``name`` (``None``: left out)."""
        def pairs(items):
            return tuple((name(key), *rest) for key, *rest in items if name(key) is not None)

        return NoteSources(forecast=tuple(name(k) for k in self.forecast if name(k) is not None), shared=self.shared,
                           series=pairs(self.series), steps=pairs(self.steps), stopped=pairs(self.stopped),
                           own=pairs(self.own))

    def notes(self, needs: Iterable[Key], *, added: Iterable[Key] = (),
              said_stopped: frozenset[str | Key] = frozenset()) -> list[str]:
        """The notes of a panel of these series serving ``needs``, in plain words; ``added`` the bottom series that
        add up to a series asked for (:meth:`CoherentPaths.added_up`); the stop of a category, or of a
        (category, area) series, in ``said_stopped`` is not said (the request said it already:
        ``stopped_categories_note``, ``stopped_series_note``)."""
        notes = ([self.shared] if self.shared and self.forecast else []) + series_notes_once(self._worded())
        stopped = [(key, last) for key, last in self.stopped if key[0] not in said_stopped and key not in said_stopped]
        notes += [stopped_note(stopped)] if stopped else []
        if self.steps:
            notes.append(steps_note([step for _, step in self.steps]))
        summed = set(added) & set(self.forecast)  # not those that add 0, nor those forecast but in no total asked for
        if len(summed) > 1:
            notes.append(f"{len(summed)} series forecast separately and added up path by path (totals are "
                         "coherent); their paths are paired so year totals move together as their year-on-year changes "
                         "have.")
        return notes

    def _worded(self) -> list[tuple[Key, str]]:
        """``series``, a shared wording that only one series here has given as that series' own note."""
        own = {(key, _SHARED[wording]): note for key, wording, note in self.own if wording in _SHARED}
        held = Counter(note for _, note in dict.fromkeys(self.series))  # how many series have each note
        return [(key, own.get((key, note), note) if held[note] == 1 else note) for key, note in self.series]

    def to_json(self) -> dict:
        """These sources as JSON-ready lists (a saved forecast's meta), read back by :meth:`from_json`."""
        return {"forecast": [list(k) for k in self.forecast], "shared": self.shared,
                **{name: [[*key, text] for key, text in getattr(self, name)] for name in ("series", "steps", "stopped")},
                "own": [[*key, wording, note] for key, wording, note in self.own]}

    @classmethod
    def from_json(cls, saved: dict) -> "NoteSources":
        """Sources saved by :meth:`to_json`; saved before session 29 (no ``own``), each note as the batch worded it."""
        return cls(forecast=tuple((c, a) for c, a in saved["forecast"]), shared=saved["shared"],
                   **{name: tuple(((c, a), text) for c, a, text in saved[name]) for name in ("series", "steps", "stopped")},
                   own=tuple(((c, a), wording, note) for c, a, wording, note in saved.get("own", [])))


@dataclass
class Panel:
    """Coherent sample paths of the bottom series a request needed.

    Attributes
    ----------
    paths
        The bottom series' paths; every total is their sum.
    spec
        The forecast's settings.
    as_of
        The last period of data used; the forecast starts the period after.
    notes
        Decisions and warnings in plain words.
    failures
        Bottom series that could not be forecast, and why (only when asked
        to carry on without them).
    saved
        The saved forecast's name when read from the store.
    force
        The force taken out of several whose series this panel calls ``force`` (:meth:`of_force`), or ``None``:
        what it says of a series names the force.
    reread
        For a saved forecast, the options that read its data again (`` --dataset pu --store PATH``), so that the
        command suggested to save one that serves a request runs on that data as written.
    """

    paths: CoherentPaths
    spec: ForecastSpec
    as_of: pd.Timestamp
    notes: list[str] = field(default_factory=list)
    failures: dict[Key, str] = field(default_factory=dict)
    saved: str | None = None
    series_notes: dict[Key, list[str]] = field(default_factory=dict)
    scored: dict[Key, object] = field(default_factory=dict)  # what ``forecast_panel(score=...)`` returned per series
    note_sources: NoteSources | None = None  # what ``notes`` is made of (none in a forecast saved before session 29)
    force: str | None = None
    reread: str = ""

    @property
    def months(self) -> pd.DatetimeIndex:
        return self.paths.months

    @property
    def frequency(self) -> Frequency:
        """Months or quarters: read from the step between the last period of data and the first forecast."""
        first = self.months[0]
        step = months_between(first, self.as_of)
        return QUARTERLY if step == QUARTERLY.months_per_period else MONTHLY

    def has(self, category: str, area: str) -> bool:
        """Whether (category, area) is a bottom series or a complete sum of them, and was not refused (a series
        whose counts stop before the data used ends adds 0 to its totals but is no forecast of its own). The force
        of a panel of one force taken out of several (:meth:`of_force`) is its whole by its own name too."""
        area = self._area(area)
        return (category, area) not in self.failures and self.paths.keys_for(category, area) is not None

    def total(self, category: str, area: str) -> np.ndarray:
        """Paths (n_paths, periods) of (category, area), summed path by path from its bottom series (the force's
        own name, as :meth:`has`)."""
        return self.paths.total(category, self._area(area))

    def _area(self, area: str) -> str:
        return FORCE_AREA if self.force and area == self.force else area

    def result(self, counts: pd.DataFrame, category: str, area: str) -> ForecastResult:
        """(category, area) as a :class:`ForecastResult`, with its history to ``as_of`` and its parts' notes (a note
        every part has, such as the dataset drift's, said once)."""
        result = series_result(self.paths, counts, category, area, as_of=self.as_of, model=self.spec.model)
        parts = self.paths.keys_for(category, area)
        if parts == [(category, area)]:
            result.notes = list(self.series_notes.get((category, area), []))
        else:
            of_parts = [self.series_notes.get(part, []) for part in parts]
            forecast = [notes for part, notes in zip(parts, of_parts) if part in self.series_notes]  # not the 0s added
            shared = [note for note in forecast[0] if all(note in notes for notes in forecast)] if forecast else []
            result.notes = shared + [f"{c} / {a}: {note}" for (c, a), notes in zip(parts, of_parts)
                                     for note in notes if note not in shared]
            result.notes.append(f"the sum of {len(parts)} series forecast separately, path by path "
                                f"({', '.join(a if c == category else c for c, a in parts[:6])}{', ...' if len(parts) > 6 else ''}).")
        return result

    def for_request(self, needs: Iterable[Key], *, as_of: pd.Timestamp, periods: int, what: str,
                    said_stopped: frozenset[str | Key] = frozenset()) -> "Panel":
        """This panel cut to ``periods``, once it is checked to serve a request (``what`` names it); its notes
        those of the series ``needs`` reads (:meth:`notes_for`, ``said_stopped`` as for :func:`forecast_panel`).

        Raises
        ------
        DataError
            When the panel starts from another month, stops too soon, or
            lacks a series the request needs (saying how to save one that serves).
        """
        name = f"the saved forecast '{self.saved}'" if self.saved else "the forecast"
        frequency = self.frequency
        data_to = f"{frequency.period_end_month(self.as_of):%Y-%m}"  # a quarter is named by its last month, as --as-of is
        wanted = f"{frequency.period_end_month(as_of):%Y-%m}"
        if as_of != self.as_of:
            raise DataError(f"{name} is from the data to {data_to} but {what} needs a forecast from the data to {wanted}. "
                            f"Save a forecast with the data to {wanted} (`{self.save_command(periods=periods, as_of=as_of)}`), "
                            "or change the as-of month.")
        if periods > len(self.months):
            first = frequency.label(self.months[0])
            raise DataError(f"{name} covers {first} to {frequency.label(self.months[-1])}, but {what} needs "
                            f"{frequency.count_of(periods)} from {first}. Save one that covers them "
                            f"(e.g. `{self.save_command(periods=periods)}`).")
        missing = [key for key in dict.fromkeys(needs) if not self.has(*key)]
        if missing:
            listed = ", ".join(f"{c} / {a}" for c, a in missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
            listed = force_named_in(listed, self.force) if self.force else listed
            raise DataError(f"{name} lacks {listed}, which {what} needs. Save a forecast that includes "
                            f"{'them' if len(missing) > 1 else 'it'} (e.g. `{self.save_command(periods=periods)}`).")
        return Panel(paths=self.paths.cut(periods), spec=self.spec, as_of=self.as_of, notes=self.notes_for(needs, said_stopped=said_stopped),
                     failures=dict(self.failures), saved=self.saved, force=self.force, reread=self.reread)

    def save_command(self, *, periods: int, as_of: pd.Timestamp | None = None) -> str:
        """The command that saves a forecast of every series from ``as_of`` (default: this panel's as-of period) over
        ``periods`` (at least the default year), on the data it was read from: run as written it serves any request
        from that origin over ``periods`` (``--as-of`` names a quarter by its last month).

        Parameters
        ----------
        periods
            The periods the forecast must cover; ``--horizon`` is given only when that is more than a year.
        as_of
            The forecast's origin period (default: this panel's).

        Returns
        -------
        str
            ``forecast run all ... --area all --as-of YYYY-MM [--horizon N] --save NAME``, with the panel's data
            options.
        """
        frequency = self.frequency
        origin = frequency.period_end_month(self.as_of if as_of is None else as_of)
        horizon = f" --horizon {periods}" if periods > frequency.periods_per_year else ""  # the default is a year
        return f"forecast run all{self.reread} --area all --as-of {origin:%Y-%m}{horizon} --save NAME"

    def of_force(self, force: str, *, districts: Iterable[str]) -> "Panel":
        """This panel of a dataset of several forces as one of them taken out and held as the whole
        (:func:`crimecast.data.sources.restrict_to`): ``force``'s series are ``force``'s (area ``force``), those of
        its ``districts`` are kept and the other forces' left out. The series keep their paths: one force taken
        out of several is seeded by its own name (:func:`seed_key`), so a forecast of it either way is the same."""
        districts = tuple(districts)
        kept = {force: FORCE_AREA, FORCE_AREA: FORCE_AREA, REST_OF_FORCE: REST_OF_FORCE, **{d: d for d in districts}}

        def name(key: Key) -> Key | None:
            return (key[0], kept[key[1]]) if key[1] in kept else None

        def renamed(items: dict) -> dict:
            return {name(key): value for key, value in items.items() if name(key) is not None}

        paths = CoherentPaths(months=self.paths.months, bottom=renamed(self.paths.bottom),
                              total_categories=self.paths.total_categories, districts=districts)
        return Panel(paths=paths, spec=self.spec, as_of=self.as_of, notes=list(self.notes),
                     failures=renamed(self.failures), saved=self.saved, series_notes=renamed(self.series_notes),
                     scored=renamed(self.scored), force=force, reread=self.reread,
                     note_sources=None if self.note_sources is None else self.note_sources.renamed(name))

    def notes_for(self, needs: Iterable[Key], *, said_stopped: frozenset[str | Key] = frozenset()) -> list[str]:
        """The notes of the bottom series that ``needs`` reads: a saved panel of every series holds notes about
        series a request never uses; the stop of a category in ``said_stopped`` is not said again (the request
        said it). A panel saved without its note sources: its series' own notes, each led by its series."""
        needs = list(dict.fromkeys(needs))
        used = list(dict.fromkeys(key for need in needs for key in (self.paths.keys_for(*need) or [])))
        if self.note_sources is not None:
            return self.note_sources.only(used).notes(needs, added=self.paths.added_up(needs),
                                                      said_stopped=said_stopped)
        return series_notes_once([(key, note) for key in used for note in self.series_notes.get(key, [])])


def series_forecast(paths: CoherentPaths, key: Key, *, history: pd.Series, as_of: pd.Timestamp,
                    model: str) -> ForecastResult:
    """One series of coherent paths as a :class:`ForecastResult`, history cut at ``as_of`` (for tables and year totals)."""
    return ForecastResult(category=key[0], area=key[1], model=model, history=history.loc[:as_of], paths=paths.total(*key))


def series_result(paths: CoherentPaths, counts: pd.DataFrame, category: str, area: str, *, as_of: pd.Timestamp,
                  model: str) -> ForecastResult:
    """:func:`series_forecast` with the history read from ``counts``, and the parts of a total whose counts stop
    before ``as_of`` (they add 0 to its paths) as its ``left_out``: a year's change leaves them out of both years;
    titles call the whole what ``counts`` call it (``whole_title``)."""
    result = series_forecast(paths, (category, area), history=series_of(counts, category=category, area=area),
                             as_of=as_of, model=model)
    result.left_out = stopped_parts(counts, paths.keys_for(category, area) or [], as_of=as_of, total=(category, area))
    result.whole_title = whole_title(counts.attrs)
    return result


@dataclass
class _Fit:
    """One bottom series forecast: paths, the forecaster's notes, its steps in a few words, or why it failed."""

    paths: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)
    other_notes: list[str] = field(default_factory=list)  # the notes that are not about steps
    steps: list[str] = field(default_factory=list)
    reason: str | None = None
    scored: object = None
    partly_calibrated: str | None = None  # the note that intervals were calibrated on under three years, if so
    wide: str | None = None  # the note that intervals are wide, and why (calibrate.wide_note), if so


def _fit_bottom(item: tuple[Key, pd.Series, Key, frozenset], spec: ForecastSpec, horizon: int, keep_going: bool,
                score: Callable | None = None, score_keys: frozenset = frozenset(),
                references: dict[str, pd.Series] | None = None, drift: Drift | None = None) -> _Fit:
    key, history, seeded_as, filled = item
    reference = (references or {}).get(key[0])
    fits = FitCache()  # the series' calibration windows are its backtest's windows: fitted once for both
    try:
        forecaster = forecaster_for(spec, key, seeded_as=seeded_as, reference=reference, drift=drift)
        result = forecaster.fit(history, fits=fits).predict(horizon, category=key[0], area=key[1])
    except CrimecastError as error:
        if not keep_going:
            raise
        return _Fit(reason=str(error))
    except Exception as error:  # noqa: BLE001 - one series' failure must not sink a batch
        if not keep_going:
            raise
        return _Fit(reason=f"unexpected {type(error).__name__}: {error}\n{traceback.format_exc()}")
    frequency = series_frequency(history)
    step_notes = {step_note(step, frequency=frequency): step_note(step, frequency=frequency, filled=step.month in filled)
                  for step in forecaster.steps_}  # a step starting at a filled period says so
    filled_in = filled_among(history, filled)  # a short series says how many of its periods are recorded
    said = {**step_notes, short_note(len(history), frequency=frequency): short_note(len(history), frequency=frequency,
                                                                                   filled=filled_in)}
    scored = score(key, history, fits, reference) if score is not None and key in score_keys else None
    wide = (wide_note(forecaster.calibration_, history.index, label=frequency.label, noun=frequency.noun)
            if forecaster.calibration_ is not None else None)
    notes = [said.get(note, note) for note in [*forecaster.notes_, *([wide] if wide else [])]]
    return _Fit(paths=result.paths.astype(np.float32).astype(np.float64), notes=notes, scored=scored,
                other_notes=[note for note in notes if note not in step_notes.values()],
                partly_calibrated=forecaster.partly_calibrated_note_, wide=wide,
                steps=[f"{key[0]} / {key[1]} {step.change:+.0%} from {frequency.label(step.month)}"
                       + (" (a filled period)" if step.month in filled else "") for step in forecaster.steps_])


def series_notes_once(notes: list[tuple[Key, str]], *, named: int = 3) -> list[str]:
    """Each note once, led by the series it is about: ``burglary / force: ...``, or, for a note several
    series share word for word, ``13 series (burglary / force, robbery / force, drugs / force ...): ...``.

    Parameters
    ----------
    notes
        (series, note) pairs, in order; a note's first appearance fixes its place.
    named
        How many of the series sharing a note are named.
    """
    keys_of: dict[str, list[Key]] = {}
    for key, note in notes:
        keys_of.setdefault(note, [])
        if key not in keys_of[note]:
            keys_of[note].append(key)
    lines = []
    for note, keys in keys_of.items():
        listed = ", ".join(f"{c} / {a}" for c, a in keys[:named]) + (" ..." if len(keys) > named else "")
        lines.append(f"{listed}: {note}" if len(keys) == 1 else f"{len(keys)} series ({listed}): {note}")
    return lines


def _shared_notes(fits: list[tuple[Key, _Fit]]) -> list[tuple[Key, str, str]]:
    """(series, wording, note) of each note a batch gives in one wording for all (``_SHARED``), with the series'
    own: when several were calibrated on under three years, or have wide intervals (each note holds the series'
    own figures, so no two would be given once)."""
    shared = []
    for wording, of in (("partly calibrated", lambda fit: fit.partly_calibrated), ("wide", lambda fit: fit.wide)):
        held = [(key, of(fit)) for key, fit in fits if of(fit) is not None]
        shared += [(key, wording, note) for key, note in held] if len(held) > 1 else []
    return shared


def _batch_notes(fits: list[tuple[Key, _Fit]]) -> list[tuple[Key, str]]:
    """Each series' notes but its steps, in the batch's wording (``_shared_notes``)."""
    shared = {(key, note): _SHARED[wording] for key, wording, note in _shared_notes(fits)}
    return [(key, shared.get((key, note), note)) for key, fit in fits for note in fit.other_notes]


def default_as_of(counts: pd.DataFrame, spec: ForecastSpec) -> pd.Timestamp:
    """``spec.as_of`` as the period holding it, else the data's last period."""
    last = counts["month"].max()
    wanted = spec.as_of_month
    if wanted is None or wanted >= last:
        return last
    return counts.loc[counts["month"] <= wanted, "month"].max()


@dataclass
class _Stopped:
    """Series whose counts stop before the forecast's origin: left out of the fitting."""

    zero: set[Key] = field(default_factory=set)  # bottom series that add 0 to the totals they are part of
    failures: dict[Key, str] = field(default_factory=dict)  # series asked for themselves: not forecast, and why
    parts: list[tuple[Key, str]] = field(default_factory=list)  # bottom series that add 0, with their last period


def _stopped(counts: pd.DataFrame, keys: list[Key], histories: list[pd.Series], *, needs: Iterable[Key],
             as_of: pd.Timestamp, keep_going: bool) -> _Stopped:
    """The series (asked for, or bottom series) whose last count is before ``as_of``.

    A forecast from a series' own last period would be of periods already
    past, labelled as the periods after ``as_of``, so none is made: a series
    asked for is refused (a failure, for a batch) with the reason, and a
    bottom series that is only part of a total asked for (a category that
    stopped being counted, such as the Home Office's fraud after 2012/13)
    adds 0 to it, with a note. A total whose counts stop is refused too.
    """
    frequency = frequency_of(counts)
    asked = list(dict.fromkeys(needs))
    stopped = _Stopped()
    last = {key: h.index[-1] for key, h in zip(keys, histories) if len(h)}
    for key in asked:
        if key not in last:  # a total: its own counts say where it stops
            try:
                history = series_of(counts, category=key[0], area=key[1]).loc[:as_of]
            except DataError:
                continue
            if len(history):
                last[key] = history.index[-1]
        if key in last and last[key] < as_of:
            behind = (last[key].year - as_of.year) * 12 + last[key].month - as_of.month
            reason = (f"{series_named(counts.attrs, *key)}: its counts stop at {frequency.label(last[key])}, "
                      f"{frequency.count_of(-behind // frequency.months_per_period)} before the data used ends "
                      f"({frequency.label(as_of)}): a forecast from its last count would be of {frequency.noun}s "
                      "already past, so it is not forecast.")
            if not keep_going:
                raise DataError(reason)
            stopped.failures[key] = reason
    stopped.zero = {key for key in keys if key in last and last[key] < as_of}
    stopped.parts = [(key, frequency.label(last[key])) for key in sorted(stopped.zero - set(stopped.failures))]
    return stopped


def stopped_note(parts: list[tuple[Key, str]]) -> str:
    """The note on the bottom series (each with its last period's label) that stop before the data used ends."""
    listed = ", ".join(f"{c} / {a} (to {last})" for (c, a), last in parts[:4])
    one = len(parts) == 1
    return (f"{len(parts)} series {'stops' if one else 'stop'} before the data used ends "
            f"({listed}{' ...' if len(parts) > 4 else ''}): {'it is' if one else 'they are'} not "
            f"forecast and {'adds' if one else 'add'} 0 to the totals {'it is' if one else 'they are'} part of.")


def steps_note(steps: list[str]) -> str:
    """The batch's one note on the steps modelled (``"burglary / north -12% from 2019-05"`` each), naming at most
    ``MAX_STEPS_LISTED`` of them."""
    listed = "; ".join(steps[:MAX_STEPS_LISTED]) + (
        f"; and {len(steps) - MAX_STEPS_LISTED} more (each series' own notes name its steps)"
        if len(steps) > MAX_STEPS_LISTED else "")
    shifts = "level shifts" if len(steps) > 1 else "a level shift"
    return (f"{len(steps)} step change{'s' if len(steps) > 1 else ''} modelled as {shifts}: {listed} "
            "(steps: false, or --no-steps, switches this off).")


def forecast_panel(counts: pd.DataFrame, *, spec: ForecastSpec, needs: Iterable[Key], as_of: pd.Timestamp | None = None,
                   horizon: int | None = None, jobs: int = 1, progress: Progress | None = None,
                   keep_going: bool = False, score: Callable | None = None,
                   score_keys: Iterable[Key] = (), said_stopped: frozenset[str | Key] = frozenset()) -> Panel:
    """Forecast the bottom series ``needs`` requires from ``as_of`` and pair their paths.

    Parameters
    ----------
    counts
        The data with totals (``with_totals``).
    spec
        Model, paths, seed, steps and known changes (``as_of`` and
        ``horizon`` are used when the arguments are not given).
    needs
        The (category, area) series the request reads; a category needed
        force-wide and in districts is split (see the module docstring).
    as_of, horizon
        The last period used and the periods forecast (default: from
        ``spec``; one year).
    jobs, progress
        Worker processes, and a callback per bottom series.
    keep_going
        Record a bottom series that fails in ``failures`` and carry on
        (for batches); otherwise its error is raised.
    score, score_keys
        ``score(key, history, fits, reference)`` is called, in the same worker, for each
        bottom series in ``score_keys`` after its forecast, with the
        :class:`FitCache` the forecast filled (a backtest reuses the
        forecast's calibration fits); its results are in ``Panel.scored``.
    said_stopped
        Categories, and (category, area) series, the request left out for counts that stop before ``as_of``
        and said so (``stopped_categories_note``, ``stopped_series_note``): their parts of a total add
        0 as ever, but the panel's notes do not say it again (its
        ``note_sources``, which a saved forecast keeps, still do).
    """
    frequency, needs = frequency_of(counts), list(needs)
    if spec.known_changes:  # a change naming a category or area the data lacks would never apply: refused
        spec = spec.model_copy(update={"known_changes": check_known_changes(spec.known_changes, counts)})
    as_of = default_as_of(counts, spec) if as_of is None else as_of
    horizon = horizon or spec.horizon or frequency.periods_per_year
    keys, split = panel_keys(counts, needs)
    score_keys = frozenset(score_keys)
    if not keys:
        raise DataError("nothing to forecast: no series was asked for.")
    histories = [bottom_history(counts, key, named=split.get(key[0], [])).loc[:as_of] for key in keys]
    stopped = _stopped(counts, keys, histories, needs=needs, as_of=as_of, keep_going=keep_going)
    keys, histories = ([k for k in keys if k not in stopped.zero],
                       [h for k, h in zip(keys, histories) if k not in stopped.zero])
    wholes = season_references(counts)
    drift = drift_of(wholes, as_of, spec=spec) if spec.model == DEFAULT_MODEL else None
    fitted = map_series(partial(_fit_bottom, spec=spec, horizon=horizon, keep_going=keep_going, score=score,
                                score_keys=score_keys, references=wholes, drift=drift),
                        [(key, history, seed_key(counts, key), frozenset(filled_periods(counts, category=key[0],
                                                                                         area=key[1])))
                         for key, history in zip(keys, histories)],
                        jobs=jobs, progress=progress,
                        label=lambda item: f"{item[2][0]} / {item[2][1]}")  # one force of several by its own name
    failures = {**stopped.failures, **{key: fit.reason for key, fit in zip(keys, fitted) if fit.reason is not None}}
    kept = [(key, history, fit) for key, history, fit in zip(keys, histories, fitted) if fit.reason is None]
    paired = pair_paths({key: fit.paths for key, _, fit in kept}, {key: history for key, history, _ in kept},
                        total_categories=total_categories(counts), summed=counts.attrs.get("areas") != "peers",
                        seed_of=lambda category, area: series_seed(spec.seed, seed_key(counts, (category, area))))
    passed = (passed_over(wholes, as_of=as_of, exceptional=spec.exceptional)
              if drift is None and spec.drift and spec.model == DEFAULT_MODEL else None)
    series_notes = {key: [*fit.notes, *([passed] if passed else [])] for key, _, fit in kept}
    drift_note = drift.note(frequency=frequency) if drift is not None else passed  # every series': said once, unled
    batch = [(key, note) for key, note in _batch_notes([(key, fit) for key, _, fit in kept]) if note != drift_note]
    sources = NoteSources(forecast=tuple(key for key, _, _ in kept), shared=drift_note or None, series=tuple(batch),
                          steps=tuple((key, step) for key, _, fit in kept for step in fit.steps),
                          stopped=tuple(stopped.parts),
                          own=tuple(_shared_notes([(key, fit) for key, _, fit in kept])))
    months = frequency.range(frequency.next(as_of), periods=horizon)
    zeros = {key: np.zeros((spec.paths, horizon)) for key in [*stopped.zero, *_absent_parts(counts, keys)]}
    paths = CoherentPaths(months=months, bottom={**paired, **zeros},
                          total_categories=total_categories(counts), districts=districts_of(counts))
    scored = {key: fit.scored for key, _, fit in kept if key in score_keys}
    return Panel(paths=paths, spec=spec, as_of=as_of,
                 notes=sources.notes(needs, added=paths.added_up(needs), said_stopped=said_stopped), failures=failures,
                 series_notes=series_notes, scored=scored, note_sources=sources)


__all__ = ["NoteSources", "Panel", "drift_of", "forecast_panel", "forecaster_for", "panel_keys", "seed_key", "series_forecast", "series_result",
           "series_seed"]

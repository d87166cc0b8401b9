"""One way to point any command at data: an embedded dataset, a stored dataset or a file.

Every command that reads counts takes the same :class:`DataSource` (the CLI
builds it from one shared set of options), and scenario, plan and CSF files
name their data the same way: a stored dataset's name, an embedded
dataset's name, or a file path.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from crimecast.data.force_ends import ends_text, force_ends, ragged
from crimecast.data.frequency import frequency_named, frequency_of, last_complete_period
from crimecast.data.load import DEFAULT_DATASET, EMBEDDED_DATASETS, ColumnMap, counts_from, load_counts
from crimecast.data.schema import DEFAULT_FILL, DEFAULT_MAX_GAP, FillMissing, gap_notes
from crimecast.data.series import (ALL, FORCE_AREA, TOTAL_CATEGORY, SharedReferences, default_area, left_out,
                                   resolve_area, resolve_category, season_references, with_totals)
from crimecast.data.rates import is_rate, rates_for
from crimecast.data.shared import FrozenDict, FrozenList
from crimecast.data.slugs import did_you_mean, slugify
from crimecast.data.store import dataset_names, read_dataset, store_path
from crimecast.errors import DataError, UsageError


@dataclass(frozen=True)
class DataSource:
    """Where counts come from and how to read them.

    Attributes
    ----------
    dataset
        A dataset in the store (``forecast data import ... --name NAME``).
    data
        An embedded dataset's name, or a CSV/Excel file (read with
        ``columns``). A name that is neither a file nor embedded is looked
        up in the store. Neither given: the embedded illustrative data.
    store
        The store file (default ``$CRIMECAST_STORE`` or ``crimecast.duckdb``).
    columns, sum_duplicates, areas, category_map
        How to read a file (see :func:`crimecast.data.load.import_csv`).
    fill_missing, max_gap
        What to do with periods missing inside a series.
    keep_outliers
        Keep counts far above the months around them (refused by default).
    as_of
        Use the data as it stood at the end of this month (later periods are
        dropped); for quarterly data it must end a quarter.
    within
        One force of a dataset of several (peers): only that force and its
        districts are used, and the force becomes the whole (area ``force``),
        as scenarios and the CSF optimiser need.
    force_wide
        The command works on a force's whole (scenarios): without ``within``,
        a dataset of peers holding one force is that force (:func:`force_wide`).
    asked
        The areas the command asks for (``--area``: one, several separated
        by commas, or ``all``): when the forces of a dataset of peers end at
        different periods, the data is used up to the last period every force
        asked for has (:func:`at_common_end`). ``None``: as read.
    replay
        A replay from this month judged on what came after (milestones and
        the Board pack at ``--as-of``): the periods up to it as the data
        stood then (gaps decided on them alone, as ``as_of`` decides them),
        the later ones (the outcome) as the whole data has them
        (:func:`as_it_stood`). ``None``: the whole data's gaps throughout.
    named_in
        The file and key that named ``data`` (``scenario.yaml: base.data``, :meth:`naming`), said when nothing has
        that name; ``None``: the command line.
    """

    dataset: str | None = None
    data: str | None = None
    store: str | None = None
    columns: ColumnMap = field(default_factory=ColumnMap)
    sum_duplicates: bool = False
    areas: str | None = None
    category_map: str | None = None
    fill_missing: FillMissing = DEFAULT_FILL
    max_gap: int = DEFAULT_MAX_GAP
    keep_outliers: bool = False
    as_of: pd.Timestamp | None = None
    within: str | None = None
    force_wide: bool = False
    asked: str | None = None
    replay: pd.Timestamp | None = None
    named_in: str | None = None

    @property
    def given(self) -> bool:
        """Whether the user named any data (else a file's own ``data`` applies)."""
        return self.dataset is not None or self.data is not None

    def naming(self, name: str | None, *, where: str | None = None) -> "DataSource":
        """This source, or one reading ``name`` (from a scenario, plan or CSF file) when none was given; ``where``
        says which file and key named it (``scenario.yaml: base.data``), for the error when nothing has that name."""
        return self if self.given or name is None else replace(self, data=name, named_in=where)

    def inside(self, area: str | None) -> "DataSource":
        """This source restricted to one force of several (``area``); for ``None``, to the force every command
        defaults to when the data is peers of one force alone (:func:`force_wide`), else unchanged."""
        return replace(self, within=area, force_wide=True)

    def asking(self, area: str | None) -> "DataSource":
        """This source for a command asking for ``area`` (``None``: every area), see ``asked``."""
        return replace(self, asked=area or ALL)

    def replaying(self, month: pd.Timestamp | None) -> "DataSource":
        """This source for a replay from ``month`` judged on what came after (``None``: unchanged), see ``replay``."""
        return self if month is None else replace(self, replay=month)


@functools.lru_cache(maxsize=4)
def _embedded(name: str, fill_missing: FillMissing, max_gap: int, keep_outliers: bool) -> pd.DataFrame:
    return load_counts(name, fill_missing=fill_missing, max_gap=max_gap, keep_outliers=keep_outliers)


def _embedded_copy(name: str, source: DataSource) -> pd.DataFrame:
    """An embedded dataset, read and validated once per process (it ships with the package and never changes)."""
    cached = _embedded(name, source.fill_missing, source.max_gap, source.keep_outliers)
    fresh = cached.copy(deep=True)
    fresh.attrs = copy.deepcopy(cached.attrs)  # a caller that changes its copy cannot change the next one
    return fresh


def _read(source: DataSource) -> pd.DataFrame:
    if source.dataset is not None:
        stored = read_dataset(source.dataset, store=source.store)
        return _from_store(stored, source)
    name = source.data or DEFAULT_DATASET
    read_as_shipped = (source.columns == ColumnMap() and not source.sum_duplicates and source.areas is None
                       and source.category_map is None)
    if name in EMBEDDED_DATASETS and not Path(name).exists() and read_as_shipped:
        return _embedded_copy(name, source)
    if name in EMBEDDED_DATASETS or Path(name).exists():
        return load_counts(name, columns=source.columns, sum_duplicates=source.sum_duplicates,
                           fill_missing=source.fill_missing, max_gap=source.max_gap, areas=source.areas,
                           category_map=source.category_map, keep_outliers=source.keep_outliers, as_of=source.as_of)
    stored = dataset_names(source.store)
    if name in stored:
        return _from_store(read_dataset(name, store=source.store), source)
    where = f"{source.named_in}: " if source.named_in else ""
    raise DataError(f"{where}'{name}' is not a file, an embedded dataset ({', '.join(EMBEDDED_DATASETS)}) or a dataset in "
                    f"{store_path(source.store)}.{did_you_mean(name, [*EMBEDDED_DATASETS, *stored])} Check the path, or "
                    "see `forecast data list`.")


def _from_store(stored, source: DataSource) -> pd.DataFrame:
    if stored.kind == "rates":  # rate series only: no counts; commands find the rates by the dataset's name
        empty = pd.DataFrame({"month": pd.to_datetime([]), "area": [], "category": [], "count": pd.Series([], dtype="int64")})
        empty.attrs.update(source=stored.name, illustrative=stored.illustrative is not None,
                           notice=stored.illustrative or "", kind="rates", notes=[], areas="parts",
                           whole="force", fingerprint=stored.fingerprint, store=str(store_path(source.store)),
                           frequency="month", filled=[], dropped={}, total_categories=None, category_notes={}, parents={})
        return empty
    counts = counts_from(stored, source=stored.name, fill_missing=source.fill_missing, max_gap=source.max_gap,
                         keep_outliers=source.keep_outliers, as_of=source.as_of)
    counts.attrs.update(fingerprint=stored.fingerprint, store=str(store_path(source.store)))
    return counts


def as_it_stood(then: pd.DataFrame, whole: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The data as it stood at the end of month ``as_of`` up to it, and as it stands after it.

    ``then`` is the data read with ``as_of`` (its gaps decided on the
    periods up to it: none filled from later counts, no series left out for
    a later gap), ``whole`` the same data read whole. The periods up to
    ``as_of`` and the notes on gaps are ``then``'s; the later periods (a
    replay's outcome) and the periods filled among them are ``whole``'s. A
    series the whole data leaves out for a later gap, or whose counts
    stopped before ``as_of`` as the data stood then (it is not forecast),
    has no later periods: its outcome is not known. A series whose counts
    begin after ``as_of`` did not exist then (``run --as-of`` has no such
    series): it has no periods at all. ``attrs["resumes"]`` keeps, per area,
    where the counts of series that stopped then go on in the whole data (the
    as-of month fell in their gap), and ``attrs["resumes_to"]`` each area's
    last period in the whole data. An ``as_of`` before the data starts:
    ``whole`` (the command refuses it).
    """
    last = None if whole.empty else last_complete_period(as_of, frequency_of(whole))
    if last is None or last < whole["month"].min():
        return whole
    ends = then[then["month"] <= last].groupby(["category", "area"])["month"].max()
    stopped = set(ends.index[ends < last])
    going = set(ends.index) - stopped  # held then, up to the as-of period
    later = whole[whole["month"] > last]
    later = later[[key in going for key in zip(later["category"], later["area"])]]
    joined = pd.concat([then[then["month"] <= last], later], ignore_index=True)
    joined = joined.sort_values(["category", "area", "month"], ignore_index=True)
    gaps = ("notes", "gap_notes", "dropped", "fill_missing", "listed_by")
    joined.attrs = {**whole.attrs, **{key: then.attrs[key] for key in gaps if key in then.attrs},
                    "filled": FrozenList([*then.attrs.get("filled", []),
                                          *(f for f in whole.attrs.get("filled", [])
                                            if f[2] > last and (f[0], f[1]) in going)]),
                    "resumes": _resumes(whole, stopped, after=last),
                    "resumes_to": FrozenDict(whole.groupby(whole["area"].astype(str))["month"].max())}
    return joined


def _resumes(whole: pd.DataFrame, stopped: set, *, after: pd.Timestamp) -> FrozenDict:
    """Per area, the first period after ``after`` with a count (not filled) in the whole data, of the series that
    ``stopped`` before it as the data stood then: the as-of period was in a gap of those series, not after their end
    (``attrs["resumes"]``, for :func:`crimecast.scenarios.assess` to say so)."""
    filled = {(c, a, m) for c, a, m in whole.attrs.get("filled", [])}
    later = whole[whole["month"].gt(after).to_numpy()
                  & np.array([key in stopped for key in zip(whole["category"], whole["area"])], dtype=bool)]
    counted = [(a, m) for c, a, m in zip(later["category"], later["area"], later["month"]) if (c, a, m) not in filled]
    firsts: dict[str, pd.Timestamp] = {}
    for area, month in counted:
        firsts[str(area)] = min(month, firsts.get(str(area), month))
    return FrozenDict(firsts)


def cut_at(counts: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The data as it stood at the end of month ``as_of``.

    Data read with ``as_of`` (:func:`open_counts`) was cut before its gaps
    were decided (:func:`crimecast.data.load.counts_from`); what it held
    after is in ``attrs["held"]`` (each area's last period), for the note.

    Raises
    ------
    UsageError
        When ``as_of`` is before the data starts, or inside a quarter of quarterly data.
    """
    frequency = frequency_of(counts)
    last = last_complete_period(as_of, frequency)
    if last < counts["month"].min():
        raise UsageError(f"--as-of {as_of:%Y-%m} is before the data starts ({counts['month'].min():%Y-%m}).")
    cut = counts[counts["month"] <= last].reset_index(drop=True)
    cut.attrs = dict(counts.attrs)
    held = counts.attrs.get("held", {})
    latest = max([counts["month"].max(), *(held[a] for a in counts["area"].unique() if a in held)])
    if last < latest:
        stood = (f"data as it stood at the end of {as_of:%Y-%m}: {frequency.label(last)} is the last {frequency.noun} "
                 f"used ({frequency.label(latest)} is held).")
        cut.attrs["notes"] = [*cut.attrs.get("notes", []), stood]
        cut.attrs["stood"] = (stood, as_of, latest)  # the note, for at_common_end to say once where the data is used to
    if last > latest:  # nothing to cut: say so, rather than let the user think the data reached as_of
        cut.attrs["notes"] = [*cut.attrs.get("notes", []), f"--as-of {as_of:%Y-%m} is after the data ends "
                              f"({frequency.label(latest)}): all of it is used, and anything forecast starts after "
                              f"{frequency.label(latest)}, not after {as_of:%Y-%m}."]
    cut.attrs["as_of"] = last
    return cut


def _forces_asked(counts: pd.DataFrame, area: str, forces: list[str]) -> list[str]:
    """The forces whose areas ``area`` names (every force for ``all``); a name the data does not hold is left to the
    command, which says so."""
    if area.strip() == ALL:
        return forces
    parents, asked = counts.attrs.get("parents", {}), []
    for name in (n.strip() for n in area.split(",") if n.strip()):
        try:
            slug = resolve_area(counts, name)
        except DataError:
            continue
        force = parents.get(slug, slug)
        if force in forces:
            asked.append(force)
    return list(dict.fromkeys(asked))


def at_common_end(counts: pd.DataFrame, area: str) -> pd.DataFrame:
    """The data up to the last period every force ``area`` asks for has.

    One force's next month may be imported before the others' (police.uk
    data comes force by force): a command on the forces whose counts end
    earlier uses the data to their end, as ``--as-of`` that month would, and
    a note says so, rather than treating their every series as one that
    stopped; ``attrs["force_ends"]`` keeps where each force ended before the
    cut (a comparison says which year that holds back). Data whose forces end
    together (or that is not a dataset of forces) is returned as it is.
    """
    forces = list(counts.attrs.get("forces") or ())
    ends = force_ends(counts, forces, counts.attrs.get("parents", {}))
    asked = _forces_asked(counts, area, list(ends)) if ragged(ends) else []
    if not asked:
        return counts
    end, latest = min(ends[f] for f in asked), counts["month"].max()
    if end >= latest:
        return counts
    frequency = frequency_of(counts)
    cut = counts[counts["month"] <= end].reset_index(drop=True)
    holder = f"{asked[0]} has" if len(asked) == 1 else "every force asked for has"
    note = (f"the forces end at different {frequency.noun}s ({ends_text(ends, frequency)}): the data is used to "
            f"{frequency.label(end)}, the last {frequency.noun} {holder}.")
    notes = list(counts.attrs.get("notes", []))
    if "stood" in counts.attrs:  # cut at --as-of first: one note, not "2019-07 is the last month used" then 2019-06
        stood, as_of, held = counts.attrs["stood"]
        notes = [n for n in notes if n != stood]
        note = (f"data as it stood at the end of {as_of:%Y-%m}, when the forces ended at different {frequency.noun}s "
                f"({ends_text(ends, frequency)}): the data is used to {frequency.label(end)}, the last "
                f"{frequency.noun} {holder} ({frequency.label(held)} is held).")
    cut.attrs = {**counts.attrs, "notes": [*notes, note], "as_of": end, "force_ends": FrozenDict(ends)}
    return cut


class TakenFrom:
    """The data one force was taken out of (:func:`restrict_to`), kept in the force's ``attrs["taken_from"]`` so that
    the data read can still be named as a whole (:func:`data_read`). Shared between copies, never copied; a worker
    process is sent none (it never names the data read: the forecasts it makes are of series)."""

    def __init__(self, counts: pd.DataFrame | None) -> None:
        self.counts = counts

    def __deepcopy__(self, memo: dict) -> "TakenFrom":
        return self

    def __reduce__(self):
        return type(self), (None,)


def data_read(counts: pd.DataFrame) -> pd.DataFrame:
    """The data ``counts`` were read as, with its totals: for one force taken out of several (:func:`restrict_to`),
    every force as read (the rows of the force are those it was taken with, under its own name); else ``counts``.

    The one rule that names the data a forecast was made from (a saved forecast's fingerprint): one force of a
    dataset, forecast as the whole or among the others, is the same data read two ways.
    """
    taken = counts.attrs.get("taken_from")
    return counts if taken is None or taken.counts is None else with_totals(taken.counts)


def restrict_to(counts: pd.DataFrame, area: str) -> pd.DataFrame:
    """One force of a dataset of separate forces, with the force as the whole (area ``force``).

    Raises
    ------
    DataError
        When ``area`` is not in the data (with a suggestion).
    """
    slug = resolve_area(counts, area)
    parents = counts.attrs.get("parents", {})
    keep = counts["area"].eq(slug) | counts["area"].map(parents).eq(slug)
    chosen = counts[keep].reset_index(drop=True)
    chosen["area"] = chosen["area"].replace({slug: FORCE_AREA})
    chosen.attrs = {**counts.attrs, **_gap_notes_of(counts.attrs, areas=_areas_read(counts, slug)),
                    "areas": "parts", "whole": FORCE_AREA,
                    "force_name": slug,
                    "source": f"{counts.attrs.get('source')} ({slug})",
                    "filled": FrozenList((c, FORCE_AREA if a == slug else a, m) for c, a, m in counts.attrs.get("filled", [])
                                         if a == slug or parents.get(a) == slug),
                    **{key: FrozenDict({FORCE_AREA if a == slug else a: m for a, m in counts.attrs.get(key, {}).items()
                                        if a == slug or parents.get(a) == slug})
                       for key in ("held", "resumes", "resumes_to")},  # per area: the force's own, as area force
                    "season_references": SharedReferences(season_references(counts)),  # the sum over every force
                    "taken_from": counts.attrs.get("taken_from") or TakenFrom(counts)}  # the data read (data_read)
    return chosen


def notice_for(counts: pd.DataFrame, *, category: str | None = None) -> str:
    """The illustrative notice (``""`` for real data) of what a command reading ``category`` reports on: a rate
    series' own when ``category`` names one (the embedded satisfaction rates are not counts), else the counts'."""
    notice = counts.attrs.get("notice", "")
    if not counts.attrs.get("illustrative") or category is None or slugify(category) in set(counts["category"]):
        return notice
    rates = rates_for(counts)
    return (rates.attrs.get("notice") or notice) if is_rate(rates, category) else notice


def notice_over(counts: pd.DataFrame, categories: list[str]) -> str:
    """The illustrative notice (``""`` for real data) of a command reading every one of ``categories`` (a plan's
    milestones): :func:`notice_for` of each, one notice covering both when counts and rates are read and their
    notices differ (the embedded counts are not real recorded crime, its satisfaction rates not real survey results).

    Examples
    --------
    >>> from crimecast.data.load import load_counts
    >>> print(notice_over(load_counts("west-midlands"), ["burglary-dwelling", "satisfaction-crime"]))
    ... # doctest: +NORMALIZE_WHITESPACE
    ILLUSTRATIVE DATA: synthetic counts calibrated to published West Midlands Police 2013/14 figures, not real
    recorded crime; synthetic satisfaction rates calibrated to published West Midlands Police 2013/14 figures, not
    real survey results.
    """
    notice = counts.attrs.get("notice", "")
    held = set(counts["category"])
    if not counts.attrs.get("illustrative") or counts.attrs.get("kind") == "rates" or not categories or all(
            slugify(category) in held for category in categories):  # rates only: its notice is its rates' own
        return notice
    rates = rates_for(counts)  # read once, however many milestones
    read = [is_rate(rates, category) and slugify(category) not in held for category in categories]
    notices = list(dict.fromkeys(((rates.attrs.get("notice") or notice) if rate else notice) for rate in read))
    if len(notices) < 2:
        return notices[0]
    first, *rest = (notice.strip().rstrip(".") for notice in notices if notice)
    prefix = first.split(":", 1)[0] + ": " if ":" in first else ""
    return "; ".join([first, *(n[len(prefix):] if prefix and n.startswith(prefix) else n for n in rest)]) + "."


def notes_for(counts: pd.DataFrame, *, area: str | None, category: str | None = None) -> list[str]:
    """The data's notes (``attrs["notes"]``) for a command reading ``category`` in ``area`` (``--area``).

    The notes on gaps (periods filled in, series left out) speak only of the
    series the command reads: those of ``category`` (total recorded crime: of
    every category it counts) in the areas named (one, or several separated
    by commas) and their sub-areas (the whole of areas that are parts, the
    force, reads every area), and are left out when none of those had a
    gap. Without ``area``, a category is read in the area every command
    defaults to (:func:`crimecast.data.series.default_area`). Every category
    (``None`` or ``all``) in every area (``all``, or no area), or a name the
    data does not hold (the command says why), reads the whole data: its
    notes are as :func:`open_counts` made them.
    """
    notes = list(counts.attrs.get("notes", []))
    if not counts.attrs.get("gap_notes"):
        return notes
    every = category is None or category.strip() == ALL
    try:
        areas = _areas_read(counts, area if area is not None or every else default_area(counts))
    except DataError:
        return notes
    try:
        categories = None if every else _categories_read(counts, category)
    except DataError:
        categories = None
    if areas is None and categories is None:
        return notes
    return _gap_notes_of(counts.attrs, areas=areas, categories=categories)["notes"]


def refuse_unknown_names(counts: pd.DataFrame, *, area: str | None, category: str | None) -> None:
    """Refuse, before anything is said about the data, a command reading ``category`` in ``area`` that names what
    the data does not hold: its error then comes alone, not after notes on the whole data's gaps.

    ``area`` as ``--area`` gives it (one, several separated by commas, ``all``; ``None``: the area every command
    defaults to, refused for separate forces when a category is named); ``category`` a category, an alias or
    ``all`` (``None``: every one). A category that names a rate series (read with the counts,
    :func:`crimecast.data.rates.rates_for`) is the rate path's to check.

    Raises
    ------
    DataError
        The error the command would give: an unknown category or area (with a suggestion), a category left out for
        gaps, separate forces and none named.
    """
    every = category is None or category.strip() == ALL
    try:
        if area is None and not every:
            default_area(counts)
        reason = None if every else left_out(counts, category, area=area)
        if reason is not None:  # as the command says it: the area's reason, and an unknown area besides
            raise DataError(reason)
        if not every:
            resolve_category(counts, category)
        for name in ([] if area is None or area.strip() == ALL else area.split(",")):
            if name.strip():
                resolve_area(counts, name.strip())
    except DataError:
        if not every and is_rate(rates_for(counts), category):
            return
        raise


def _areas_read(counts: pd.DataFrame, area: str | None) -> frozenset[str] | None:
    """The areas whose series a command asking for ``area`` reads: those named and their sub-areas (``parents``);
    ``None`` for every area (``all``, or the whole of areas that are parts, which is their sum)."""
    if area is None or area.strip() == ALL:
        return None
    named = {resolve_area(counts, name.strip()) for name in area.split(",") if name.strip()}
    whole = counts.attrs.get("whole") or FORCE_AREA
    if whole in named and counts.attrs.get("areas", "parts") == "parts":
        return None
    parents = counts.attrs.get("parents", {})
    return frozenset(named | {child for child, parent in parents.items() if parent in named})


def _categories_read(counts: pd.DataFrame, category: str) -> frozenset[str] | None:
    """The categories whose series a command asking for ``category`` reads: it (an alias resolved), or for total
    recorded crime every category it counts (``attrs["total_categories"]``; ``None``: every category)."""
    slug, _ = resolve_category(counts, category)
    if slug != TOTAL_CATEGORY:
        return frozenset({slug})
    in_total = counts.attrs.get("total_categories")
    return None if in_total is None else frozenset({*in_total, TOTAL_CATEGORY})


def _gap_notes_of(attrs: dict, *, areas: frozenset[str] | None, categories: frozenset[str] | None = None) -> dict:
    """``notes`` and ``gap_notes`` with the notes on gaps made again of the series of ``categories`` in ``areas``
    alone (``None``: every one; one rule for :func:`notes_for` and :func:`restrict_to`)."""
    notes, whole = list(attrs.get("notes", [])), list(attrs.get("gap_notes", []))
    if not whole:
        return {}

    def read(category: str, area: str) -> bool:
        return (areas is None or area in areas) and (categories is None or category in categories)

    sums = set(attrs.get("dropped_sums", []))  # a whole not formed for its part's gap: the part is the series left out
    own = gap_notes([f for f in attrs.get("filled", []) if read(f[0], f[1])],
                    {key: reason for key, reason in attrs.get("dropped", {}).items() if read(*key) and key not in sums},
                    how=attrs["fill_missing"], frequency=frequency_named(attrs["frequency"]),
                    listed_by=attrs.get("listed_by", ""))
    at = notes.index(whole[0]) if whole[0] in notes else len(notes)  # the notes on gaps are together, in their place
    rest = [note for note in notes if note not in whole]
    return {"notes": rest[:at] + own + rest[at:], "gap_notes": FrozenList(own)}


def force_wide(counts: pd.DataFrame, *, area: str | None = None) -> pd.DataFrame:
    """The data a command on one force's whole works on (milestones, scenarios).

    ``area`` names one force of a dataset of separate forces (peers): only it
    is kept, as the whole (:func:`restrict_to`). Without one, the area every
    command defaults to (:func:`crimecast.data.series.default_area`, as ``run``
    and ``spc`` use it) decides: peers of a single force are that force, as if
    it were named. Anything else is returned as it is: data of one force (its
    whole is there already), or several peers (commands ask for one by name).

    Raises
    ------
    DataError
        When ``area`` is not in the data (with a suggestion).
    """
    if area is not None:
        return restrict_to(counts, area)
    if counts.attrs.get("areas") != "peers" or counts.empty:
        return counts
    try:
        return restrict_to(counts, default_area(counts))
    except DataError:  # several forces and none named: left to the command, which says so
        return counts


def open_counts(source: DataSource = DataSource()) -> pd.DataFrame:
    """Read, validate and total the counts a command works on.

    Returns
    -------
    pandas.DataFrame
        The data contract with totals (:func:`crimecast.data.series.with_totals`)
        and ``attrs`` saying what it is (source, frequency, areas, notes ...).

    Raises
    ------
    DataError
        For data that cannot be read, naming the file, row or dataset.
    UsageError
        For an ``as_of`` the data cannot serve.
    """
    counts = _read(source)
    if source.replay is not None:
        counts = as_it_stood(_read(replace(source, as_of=source.replay, replay=None)), counts, source.replay)
    if source.within is not None or source.force_wide:
        counts = force_wide(counts, area=source.within)
    if source.as_of is not None:
        counts = cut_at(counts, source.as_of)
    if source.asked is not None:
        counts = at_common_end(counts, source.asked)
    counts = with_totals(counts)
    counts.attrs["read_from"] = source  # to read it again as it stood at another month (a saved forecast's as-of)
    return counts

"""Choosing series from the tidy table: totals, aliases and friendly look-up."""

from __future__ import annotations

import copy
import re
import shlex
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crimecast.data.calendar import financial_year_label, financial_year_periods, financial_year_start
from crimecast.data.force_ends import force_ends, ragged
from crimecast.data.frequency import Frequency, frequency_of
from crimecast.data.load import DEFAULT_DATASET, SINGLE_AREA, data_option
from crimecast.data.months import months_between
from crimecast.data.schema import COLUMNS
from crimecast.data.shared import FrozenDict, FrozenList
from crimecast.data.slugs import AREA_CUTOFF, SUGGEST_CUTOFF, area_label, did_you_mean, slugify
from crimecast.errors import DataError

TOTAL_CATEGORY = "total-recorded-crime"
FORCE_AREA = SINGLE_AREA
CATEGORY_ALIASES: dict[str, str] = {
    "burglary": "burglary-dwelling",
    "bdh": "burglary-dwelling",
    "vwi": "violence-with-injury",
    "trc": "total-recorded-crime",
    "shoplifting-tss": "shoplifting",
}
ALL = "all"
STOPPED_LISTED = 4  # the note on series left out for counts that stop names this many (and counts the rest)


def with_totals(counts: pd.DataFrame) -> pd.DataFrame:
    """Add the whole's area and the total-recorded-crime category as sums, where they are true.

    Areas that are parts of one whole (districts of a force: ``attrs["areas"]
    == "parts"``, the default) gain the whole (``attrs["whole"]``, ``force``)
    as their sum unless the source gives it; peers (separate forces) are
    never summed. A single area that is not itself the whole gains it too
    (the same numbers), so every command finds the force-wide series. Total recorded crime adds the categories the dataset counts
    in it (``attrs["total_categories"]``; all by default), so police.uk's
    anti-social behaviour stays out.
    """
    frame = counts[[*COLUMNS]]
    areas = frame["area"].unique()
    whole = counts.attrs.get("whole") or FORCE_AREA
    dropped, sums = dict(counts.attrs.get("dropped", {})), {}
    if counts.attrs.get("areas", "parts") == "parts" and whole not in areas:
        short = {c: a for c, a in dropped if a != whole}  # a part left out: the whole would be short
        force = frame[~frame["category"].isin(short)].groupby(["month", "category"], as_index=False)["count"].sum()
        frame = pd.concat([frame, force.assign(area=whole)[[*COLUMNS]]], ignore_index=True)
        sums = {(c, whole): f"no {whole} total for {c}: its part {a} was left out. {dropped[(c, a)]}" for c, a in short.items()}
        dropped.update(sums)
    in_total = counts.attrs.get("total_categories")
    parts = frame if in_total is None else frame[frame["category"].isin(in_total)]
    forms_total = parts["category"].nunique() > 1 or (in_total is not None and not parts.empty)
    if forms_total and TOTAL_CATEGORY not in set(frame["category"]):
        total = parts.groupby(["month", "area"], as_index=False)["count"].sum().assign(category=TOTAL_CATEGORY)
        incomplete = _areas_missing_a_category(parts, dropped)
        total = total[~total["area"].isin(incomplete)]
        frame = pd.concat([frame, total[[*COLUMNS]]], ignore_index=True)
    frame = frame.sort_values(["category", "area", "month"], ignore_index=True)
    frame.attrs = {**counts.attrs, "dropped": FrozenDict(dropped),  # with the wholes not formed ...
                   "dropped_sums": FrozenList([*counts.attrs.get("dropped_sums", []), *sums])}  # ... named here
    return frame


def _areas_missing_a_category(parts: pd.DataFrame, dropped: dict) -> set[str]:
    """Areas whose total would be short: one of their categories was left out for gaps."""
    categories = set(parts["category"])
    return {area for (category, area) in dropped if category in categories}


_CUTOFFS = {"area": AREA_CUTOFF, "category": SUGGEST_CUTOFF}


def _resolve(name: str, choices: list[str], *, kind: str, aliases: dict[str, str], source: str = "") -> tuple[str, str | None]:
    slug = slugify(name)
    if slug in choices:
        return slug, None
    if slug in aliases and aliases[slug] in choices:
        return aliases[slug], f"'{name}' is read as {aliases[slug]}."
    where = f" in {source}" if source else ""
    raise DataError(
        f"unknown {kind} '{name}'{where}.{did_you_mean(slug, choices, aliases=aliases, cutoff=_CUTOFFS[kind])} "
        f"Known {'categories' if kind == 'category' else kind + 's'}: {', '.join(choices)} (see `forecast list`)."
    )


def left_out(counts: pd.DataFrame, category: str, *, area: str | None = None) -> str | None:
    """Why ``category`` has no series in ``counts`` when its series were left out for gaps, else ``None``.

    The reason given is that of ``area``'s series when it was left out,
    else of the whole's (or the first left out). An ``area`` that is not in
    the data is named too, with the areas there are.
    """
    dropped = counts.attrs.get("dropped", {})
    slug = slugify(category)
    present = set(counts["category"])
    if slug in present or (slug in CATEGORY_ALIASES and CATEGORY_ALIASES[slug] in present):
        return None
    if slug not in {c for c, _ in dropped} and slug in CATEGORY_ALIASES:
        slug = CATEGORY_ALIASES[slug]
    reasons = {a: reason for (c, a), reason in dropped.items() if c == slug}
    if not reasons:
        return None
    wanted = slugify(area) if area and area != ALL and "," not in area else None
    whole = counts.attrs.get("whole") or FORCE_AREA
    reason = reasons.get(wanted) or reasons.get(whole) or next(iter(reasons.values()))
    source = counts.attrs.get("source", "this data")
    text = f"{slug} has no series to work on in {source}: it was left out for gaps. {reason[:1].upper()}{reason[1:]}"
    if wanted is not None and wanted not in reasons and wanted not in set(counts["area"]):
        try:
            resolve_area(counts, wanted)
        except DataError as error:
            text += f" Besides, {error}"
    return text


def refuse_rates_only(counts: pd.DataFrame) -> None:
    """A dataset of rates only (kind ``rates``) has no counts for a command on counts to read: say so, and what does
    read its rates, rather than list its (no) categories.

    Raises
    ------
    DataError
        For a dataset of rates only.
    """
    if not counts.empty or counts.attrs.get("kind") != "rates":
        return
    source = counts.attrs.get("source", "this data")
    raise DataError(f"{source} holds rate series only (numerator / denominator), no counts, and this command works on "
                    f"counts. A rate is forecast, with a backtest of its intervals, by `forecast run RATE --dataset "
                    f"{source}`, charted by `forecast spc RATE --dataset {source}` and set a target by a plan's rate "
                    f"milestone (`forecast list --dataset {source}` names its rates).")


def resolve_category(counts: pd.DataFrame, name: str) -> tuple[str, str | None]:
    """The category slug for ``name`` (aliases allowed) and a note if aliased.

    Raises
    ------
    DataError
        With a did-you-mean suggestion when the category is unknown, or
        the reason its series were left out (a gap too long to fill).
    """
    refuse_rates_only(counts)
    reason = left_out(counts, name)
    if reason is not None:
        raise DataError(reason)
    return _resolve(name, sorted(counts["category"].unique()), kind="category", aliases=CATEGORY_ALIASES,
                    source=counts.attrs.get("source", ""))


def resolve_area(counts: pd.DataFrame, name: str) -> str:
    """The area slug for ``name``; raises DataError with a suggestion if unknown, or why its series were all left
    out (gaps too long to fill)."""
    dropped = counts.attrs.get("dropped", {})
    slug = slugify(name)
    reasons = [reason for (_, area), reason in dropped.items() if area == slug]
    if reasons and slug not in set(counts["area"]):
        source = counts.attrs.get("source", "this data")
        raise DataError(f"{slug} has no series to work on in {source}: all {len(reasons)} were left out for gaps. "
                        f"{reasons[0]}")
    key, whole = counts.attrs.get("whole_key"), counts.attrs.get("whole") or FORCE_AREA
    aliases = {key: whole} if key else {}  # one force's files hold it as 'force': its own key names it too
    return _resolve(name, sorted(counts["area"].unique()), kind="area", aliases=aliases,
                    source=counts.attrs.get("source", ""))[0]


def names_the_whole(counts: pd.DataFrame, name: str) -> bool:
    """Whether ``name`` is the force ``--area`` took out of several (``counts.attrs["force_name"]``), which the
    data then holds as its whole (area ``force``)."""
    force = counts.attrs.get("force_name")
    return bool(force) and slugify(name) == force


def area_named(attrs: dict, area: str) -> str:
    """``area`` as messages name it: the whole of one force taken out of several (area ``force``) by that force's key
    (``counts.attrs["force_name"]``: ``devon-cornwall``, ``north-dorset``), any other area by its own.

    Only the name shown changes: the data keeps the key ``force``, and a series' seed is made from
    :func:`crimecast.forecast.panel.seed_key`, so the numbers are the same whichever name a message uses.
    """
    force = attrs.get("force_name")
    return force if force and area == (attrs.get("whole") or FORCE_AREA) else area


def series_named(attrs: dict, category: str, area: str) -> str:
    """``burglary / walsall``: one series in messages, its area as :func:`area_named` names it."""
    return f"{category} / {area_named(attrs, area)}"


def whole_title(attrs: dict) -> str:
    """What titles call the whole (area ``force``) of data with ``attrs`` when it is one named force: one force taken
    out of several by its key (``Merseyside``), a dataset of one force named in its files (police.uk's street files
    of one force, a counts file of one force) by the name they give it (``City of London Police``); empty for any
    other whole, which titles call "force-wide" (:func:`crimecast.data.slugs.area_label`)."""
    force = attrs.get("force_name")
    return area_label(force) if force else str(attrs.get("whole_name") or "")


def force_named_in(note: str, force: str, *, whole: str = FORCE_AREA) -> str:
    """``note`` with each series of the whole (``robbery / force``) named by the force it is (``robbery / merseyside``).

    A force taken out of several is held as the whole (area ``force``, see
    :func:`names_the_whole`); notes about its series name the force, not the placeholder.
    ``robbery / force-hq`` (an area of its own) is left as it is.
    """
    series = re.compile(rf"(?<=[a-z0-9]) / {re.escape(whole)}(?![a-z0-9-])")
    return series.sub(lambda _: f" / {force}", note)  # the name as it is, not a replacement pattern


def default_area(counts: pd.DataFrame) -> str:
    """The whole (force-wide) area when present, else the only area (the whole for data with no counts: rates only).

    Raises
    ------
    DataError
        When the areas are separate forces and none was named.
    """
    areas = sorted(counts["area"].unique())
    whole = counts.attrs.get("whole") or FORCE_AREA
    if whole in areas or not areas:
        return whole
    if len(areas) > 1 and counts.attrs.get("areas") == "peers":
        raise DataError(f"the areas of {counts.attrs.get('source', 'this data')} are peers (such as separate forces) with "
                        f"no total over them ({len(areas)}: {', '.join(areas[:5])}{' ...' if len(areas) > 5 else ''}); "
                        "name one with --area.")
    return areas[0]


def aliases_in(counts: pd.DataFrame) -> dict[str, str]:
    """The category aliases that apply to this data: ``burglary`` means burglary-dwelling only where
    the data has burglary dwelling and no category of its own called burglary."""
    categories = set(counts["category"])
    return {alias: target for alias, target in CATEGORY_ALIASES.items() if target in categories and alias not in categories}


class SharedReferences:
    """Season references kept in a frame's ``attrs``: pandas deep-copies and compares ``attrs`` on every
    operation, so this holder is neither copied nor compared by value (it never changes once made)."""

    def __init__(self, references: dict[str, pd.Series]) -> None:
        self.references = references

    def __deepcopy__(self, memo: dict) -> "SharedReferences":
        return self


def season_references(counts: pd.DataFrame) -> dict[str, pd.Series]:
    """Per category, the whole whose seasonal pattern the category's series are pooled with (``pool_season``).

    For districts of a force it is the force-wide series; for a dataset of
    separate forces, the sum over the forces (sub-areas left out; up to the
    last period every force has, when one force's later periods came first); for one
    force taken out of such a dataset (``restrict_to``), that sum as it was
    before the others were dropped (``attrs["season_references"]``).
    """
    given = counts.attrs.get("season_references")
    if given is not None:
        return dict(given.references)
    if counts.attrs.get("areas") == "peers":
        parents = counts.attrs.get("parents", {})
        wholes = counts[~counts["area"].isin(list(parents)) & (counts["area"] != FORCE_AREA)]
        ends = force_ends(counts, list(counts.attrs.get("forces") or ()), parents)
        if ragged(ends):  # a force's next month came first: a sum over the forces is whole up to the earliest end
            wholes = wholes[wholes["month"] <= min(ends.values())]
    else:
        wholes = counts[counts["area"] == (counts.attrs.get("whole") or FORCE_AREA)]
    sums = wholes.groupby(["category", "month"])["count"].sum()
    return {category: sums.loc[category].rename(category).astype(float) for category in sums.index.unique(level=0)}


def series_of(counts: pd.DataFrame, *, category: str, area: str) -> pd.Series:
    """One series as counts indexed by period start (``freq='MS'``, or ``'QS-JAN'`` for quarterly data), named as
    messages name it (:func:`series_named`: ``robbery / devon-cornwall`` for the whole of one force taken out of
    several)."""
    # Plain numpy selection: indexing the frame would copy every column and deep-copy its attrs each call.
    chosen = (counts["category"].to_numpy() == category) & (counts["area"].to_numpy() == area)
    empty = not chosen.any()
    dropped = counts.attrs.get("dropped", {})
    if empty and (category, area) in dropped:
        raise DataError(dropped[(category, area)])
    if empty and category == TOTAL_CATEGORY and any(a == area for _, a in dropped):
        raise DataError(f"no total recorded crime for {area}: one of its categories was left out for gaps "
                        "(see the note when the data is read).")
    if empty and counts.attrs.get("areas") == "peers" and area == FORCE_AREA:
        raise DataError(f"this dataset's areas are peers (such as separate forces), so there is no single '{FORCE_AREA}' total; "
                        f"name one with --area ({', '.join(sorted(counts['area'].unique())[:6])} ...).")
    if empty:
        raise DataError(f"no counts for {category} in {area_named(counts.attrs, area)}. Run `forecast list` to see "
                        "which series exist.")
    months = counts["month"].to_numpy()[chosen]
    order = np.argsort(months, kind="stable")
    index = pd.DatetimeIndex(months[order], freq=frequency_of(counts).pandas_freq, name="month")
    values = pd.Series(counts["count"].to_numpy()[chosen][order], index=index,
                       name=series_named(counts.attrs, category, area))
    values.attrs = copy.deepcopy(counts.attrs)
    return values


def filled_periods(counts: pd.DataFrame, *, category: str, area: str) -> list[pd.Timestamp]:
    """Periods of one series that were missing in the data and filled in (charts mark them).

    A sum holds what its addends filled: total recorded crime a period filled in any
    category it counts (``attrs["total_categories"]``, all by default), and the whole of
    areas that are parts (``attrs["whole"]``, ``force``) a period filled in any of its parts.
    """
    in_total = counts.attrs.get("total_categories")
    summed = area == (counts.attrs.get("whole") or FORCE_AREA) and counts.attrs.get("areas", "parts") == "parts"

    def adds_to_category(c: str) -> bool:
        return c == category or (category == TOTAL_CATEGORY and (in_total is None or c in in_total))

    return sorted({month for c, a, month in counts.attrs.get("filled", [])
                   if adds_to_category(c) and (a == area or summed)})


def filled_among(y: pd.Series, filled: Collection[pd.Timestamp]) -> int:
    """How many of ``y``'s periods are among ``filled`` (periods missing from the data and filled in).

    Parameters
    ----------
    y
        A series indexed by its periods' first days.
    filled
        Periods filled in (:func:`filled_periods`, or a forecast's ``filled``).

    Returns
    -------
    int
        How many of ``y``'s periods were filled in (0 for none).
    """
    return int(y.index.isin(pd.DatetimeIndex(list(filled))).sum()) if len(filled) else 0


def recorded_words(periods: int, filled: int, frequency: Frequency) -> str:
    """``", of which 20 months recorded and 16 missing and filled in"``: how many of a series' periods the data holds.

    Parameters
    ----------
    periods
        The series' periods, recorded and filled in.
    filled
        How many of them were missing from the data and filled in (:func:`crimecast.data.series.filled_among`).
    frequency
        Months or quarters.

    Returns
    -------
    str
        The clause, for a series too short to backtest; ``""`` when none were filled in.
    """
    return f", of which {frequency.count_of(periods - filled)} recorded and {filled} missing and filled in" if filled else ""


def filled_in_years(counts: pd.DataFrame, *, category: str, area: str, start_year: int, frequency: Frequency) -> str:
    """The periods of one series filled in by interpolation (not recorded) in the financial year ``start_year``
    or the year before, each with its year (``'2019-07 (2019/20)'``), comma-separated; ``''`` when none."""
    years = financial_year_periods(start_year - 1, frequency).union(financial_year_periods(start_year, frequency))
    return ", ".join(f"{frequency.label(m)} ({financial_year_label(financial_year_start(m))})"
                     for m in filled_periods(counts, category=category, area=area) if m in years)


def stopped_categories(counts: pd.DataFrame, *, origin: pd.Timestamp,
                       areas: list[str] | None = None) -> dict[str, pd.Timestamp]:
    """The categories whose counts, in every area of ``areas`` (default: all), stop before ``origin`` (the last
    period a forecast uses), each with its last period there: the Home Office's fraud, recorded by forces until
    2012/13.

    Such a category has nothing to be forecast from at ``origin``: every category (``all``: ``forecast run all``,
    milestones without a category, a scenario driver's ``category: all``) leaves it out with
    :func:`stopped_categories_note`, the dataset drift does not measure it, and naming it is refused with the reason
    (``forecast_panel``). Total recorded crime is never one.
    """
    rows = counts["month"] <= origin
    if areas is not None:
        rows &= counts["area"].isin(areas)
    last = counts.loc[rows].groupby("category")["month"].max()
    return {c: month for c, month in last.items() if month < origin and c != TOTAL_CATEGORY}


def stopped_categories_note(counts: pd.DataFrame, stopped: dict[str, pd.Timestamp], *, origin: pd.Timestamp,
                            command: str | None, area: str | None = None) -> str:
    """The one note on the categories :func:`stopped_categories` left out of every category, with how to forecast
    one from its last count (``command``: ``"forecast run"``, or ``"forecast milestones"``, given the data's own
    option (``--dataset forces``) and ``area`` when it names one, or, for several areas, the area of that last
    count; ``None``: a scenario's driver naming it, with ``base.as_of``)."""
    frequency = frequency_of(counts)
    listed = "; ".join(
        f"{c} (counts stop at {frequency.label(last)}, "
        f"{frequency.count_of(months_between(origin, last) // frequency.months_per_period)} before {frequency.label(origin)})"
        for c, last in sorted(stopped.items()))
    name, stop = min(stopped.items())
    one = len(stopped) == 1
    month = f"{frequency.period_end_month(stop):%Y-%m}"
    several = area is not None and (area == ALL or "," in area)
    where = _area_of_last_count(counts, name, stop, area=area) if several else area
    how = f"`{command} {name}{_reading_options(counts, where)} --as-of {month}`" if command else \
        f"category: {name} with base.as_of: {month}"
    return (f"{len(stopped)} {'category' if one else 'categories'} left out, with nothing to forecast from: {listed}. "
            f"To forecast {'it' if one else 'one'} from its last count, name it with that as-of month ({how}).")


def _area_of_last_count(counts: pd.DataFrame, category: str, last: pd.Timestamp, *, area: str) -> str:
    """Of the areas ``area`` names (``all``, or several), the one holding ``category``'s count at ``last``: the
    whole when it is among them, else the first (a command naming it forecasts from that count; peers need one)."""
    rows = (counts["category"] == category) & (counts["month"] == last)
    if area != ALL:
        rows &= counts["area"].isin([resolve_area(counts, name.strip()) for name in area.split(",") if name.strip()])
    held = sorted(counts.loc[rows, "area"].unique())
    whole = counts.attrs.get("whole") or FORCE_AREA
    return whole if whole in held or not held else held[0]


def stopped_series(counts: pd.DataFrame, keys: list[tuple[str, str]], *,
                   origin: pd.Timestamp) -> dict[tuple[str, str], pd.Timestamp]:
    """The series of ``keys`` whose counts stop before ``origin`` (the last period a forecast uses), each with its
    last period: a local authority another force recorded crimes in for a while, or the Home Office's fraud in
    the forces where it stops before ``origin`` when it goes on in others."""
    rows = (counts["month"] <= origin) & counts["category"].isin({c for c, _ in keys}) & counts["area"].isin(
        {a for _, a in keys})
    last = counts.loc[rows].groupby(["category", "area"])["month"].max()
    return {key: last[key] for key in keys if key in last.index and last[key] < origin}


def stopped_series_note(counts: pd.DataFrame, stopped: dict[tuple[str, str], pd.Timestamp], *,
                        origin: pd.Timestamp, command: str, every: bool = False) -> str:
    """The one note on the series :func:`stopped_series` left out of a request through ``all`` (``--area all``, or
    every category in several areas), naming the first ``STOPPED_LISTED`` and how ``command`` forecasts one
    (``every``: the reason nothing is forecast, when they are all the series asked for)."""
    frequency = frequency_of(counts)
    ordered = sorted(stopped.items())
    listed = ", ".join(f"{c} / {a} (to {frequency.label(last)})" for (c, a), last in ordered[:STOPPED_LISTED])
    more = len(ordered) - STOPPED_LISTED
    (category, area), last = ordered[0]
    one = len(ordered) == 1
    how = (f"`{command} {category}{_reading_options(counts, area)} "
           f"--as-of {frequency.period_end_month(last):%Y-%m}`")
    lead = f"none of the {len(ordered)} series asked for has anything" if every else \
        f"{len(ordered)} series left out, with nothing"
    return (f"{lead} to forecast from: {'its' if one else 'their'} counts stop "
            f"before {frequency.label(origin)}, the last {frequency.noun} used "
            f"({listed}{f' and {more} more' if more > 0 else ''}). To forecast {'it' if one else 'one'} from its "
            f"last count, name it with that as-of month ({how}).")


def _reading_options(counts: pd.DataFrame, area: str | None) -> str:
    """The options that read ``counts`` again (`` --dataset forces --area west-midlands``): none for the embedded
    default data, and no ``--area`` for the default area, several areas or ``all`` (but the force a command took
    out of several, as milestones do, by its ``attrs['force_name']``); ``--store PATH`` for a dataset read from a
    store other than the one a command reads by default (``$CRIMECAST_STORE``, else ``crimecast.duckdb`` here), so
    the command runs as written; paths quoted for the shell where they need it."""
    force = counts.attrs.get("force_name")  # one force taken out of several: named, its dataset read
    named = area if area and area != ALL and "," not in area and area != FORCE_AREA else force
    return data_options_text(counts) + (f" --area {named}" if named else "")


def data_options_text(counts: pd.DataFrame) -> str:
    """The options that read the data of ``counts`` again, without an area (`` --dataset forces``, with ``--store
    PATH`` for a store other than the default; none for the embedded default data), so that a command a message
    suggests runs on the same data as written."""
    from crimecast.data.store import store_path

    source = source_read(counts)  # one force taken out of several: its dataset
    data = f" {data_option(source)} {shlex.quote(source)}" if source and source != DEFAULT_DATASET else ""
    store = counts.attrs.get("store")
    if data and store and Path(store) != store_path(None):
        data += f" --store {shlex.quote(str(store))}"
    return data


def source_read(counts: pd.DataFrame) -> str:
    """The data ``counts`` were read from, as a file's ``data:`` names it: ``attrs['source']``, without the force
    :func:`crimecast.data.sources.restrict_to` took out of several (``forces``, not ``forces (merseyside)``)."""
    source, force = str(counts.attrs.get("source") or ""), counts.attrs.get("force_name")
    return source.removesuffix(f" ({force})") if force else source


@dataclass(frozen=True)
class Selection:
    """The series a request names, and those it leaves out for counts that stop before its origin.

    Attributes
    ----------
    keys
        The (category, area) pairs to forecast.
    notes
        Notes such as an alias being used, or the series left out.
    stopped_categories
        Categories left out of every category, stopped in every area asked for (:func:`stopped_categories`).
    stopped_series
        Further series left out, reached through ``all`` (:func:`stopped_series`). Unlike a category stopped
        everywhere, such a series is still part of totals forecast with it (total recorded crime in its area), to
        which it adds 0: the forecast's own note says so.
    """

    keys: list[tuple[str, str]]
    notes: list[str]
    stopped_categories: dict[str, pd.Timestamp] = field(default_factory=dict)
    stopped_series: dict[tuple[str, str], pd.Timestamp] = field(default_factory=dict)


def select_keys(counts: pd.DataFrame, *, category: str, area: str, origin: pd.Timestamp | None = None,
                command: str = "forecast run") -> tuple[list[tuple[str, str]], list[str]]:
    """(category, area) pairs named by ``category`` and ``area``, and notes: :func:`selection`'s."""
    chosen = selection(counts, category=category, area=area, origin=origin, command=command)
    return chosen.keys, chosen.notes


def selection(counts: pd.DataFrame, *, category: str, area: str, origin: pd.Timestamp | None = None,
              command: str = "forecast run") -> Selection:
    """The (category, area) pairs named by ``category`` and ``area``, ``all`` (or a comma-separated list of areas)
    allowed.

    ``origin``
        The last period the forecast uses: ``all`` then leaves out what has nothing to forecast from, with one note
        each saying how ``command`` forecasts one anyway: a category whose counts stop before it in every area
        asked for (:func:`stopped_categories`), then a series whose counts stop before it in one of several areas
        (:func:`stopped_series`), reached through ``all`` (every category, or ``--area all``). A series named
        by category and area is kept (its forecast refuses it, with the reason). ``None`` (a backtest, which
        scores a category's own history) keeps them all.

    Raises
    ------
    DataError
        For an unknown category or area, one series named that has none (why: left out for gaps, a total short of
        such a part), and when every series asked for stops before ``origin``.
    """
    refuse_rates_only(counts)
    notes = []
    if category == ALL:
        categories = sorted(counts["category"].unique())
    else:
        reason = left_out(counts, category, area=area)
        if reason is not None:
            raise DataError(reason)
        slug, note = resolve_category(counts, category)
        categories, notes = [slug], [note] if note else []
    if area == ALL:
        areas = sorted(counts["area"].unique())
    else:  # one area, or several separated by commas
        areas = list(dict.fromkeys(resolve_area(counts, name.strip()) for name in area.split(",") if name.strip()))
    stopped: dict[str, pd.Timestamp] = {}
    if category == ALL and origin is not None:
        stopped = stopped_categories(counts, origin=origin, areas=areas)
        if stopped:
            categories = [c for c in categories if c not in stopped]
            notes.append(stopped_categories_note(counts, stopped, origin=origin, command=command, area=area))
    present = set(map(tuple, counts[["category", "area"]].drop_duplicates().to_numpy()))
    keys = [(c, a) for c in categories for a in areas if (c, a) in present]
    if not keys and len(categories) == 1 and len(areas) == 1:
        series_of(counts, category=categories[0], area=areas[0])  # one series named: why it has none (gaps)
    series: dict[tuple[str, str], pd.Timestamp] = {}
    if ALL in (category, area) and origin is not None and len(keys) > 1:
        series = stopped_series(counts, keys, origin=origin)
        if series:
            keys = [key for key in keys if key not in series]
            if not keys:
                raise DataError(stopped_series_note(counts, series, origin=origin, command=command, every=True))
            notes.append(stopped_series_note(counts, series, origin=origin, command=command))
    return Selection(keys=keys, notes=notes, stopped_categories=stopped, stopped_series=series)


def catalogue(counts: pd.DataFrame) -> pd.DataFrame:
    """One row per category: areas, first and last period, periods of data, whether it counts in
    total recorded crime, and what the source means by it. Periods are labelled as the data counts
    them: ``2013-04``, or ``2013/14 Q1`` for quarterly data."""
    label = frequency_of(counts).label
    grouped = counts.groupby("category")
    in_total = counts.attrs.get("total_categories")
    notes = counts.attrs.get("category_notes", {})
    categories = grouped["area"].nunique().index
    table = pd.DataFrame({
        "areas": grouped["area"].nunique(),
        "first": grouped["month"].min().map(label),
        "last": grouped["month"].max().map(label),
        "periods": grouped["month"].nunique(),
        "in_total": ["-" if c == TOTAL_CATEGORY else "yes" if in_total is None or c in in_total else "no" for c in categories],
        "note": [notes.get(c, "sum of the categories marked yes" if c == TOTAL_CATEGORY else "") for c in categories],
    })
    return table.reset_index()

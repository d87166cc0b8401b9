"""Like with like: a total's year against the year before, without the parts whose counts stop.

A part of a total whose counts stop before the data used ends (the Home
Office's fraud, recorded by forces until 2012/13 and by Action Fraud after)
adds 0 to the total's forecast (:mod:`crimecast.forecast.panel`). Set against
a year before that still counted it, the total would fall by that part for
that reason alone: a forecast of -49.6% "likely met" on a -5% target. So a
total's change on the year before leaves such a part out of *both* years, and
says so in one line (:func:`compared_note`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from crimecast.data.frequency import frequency_of
from crimecast.data.series import FORCE_AREA
from crimecast.data.slugs import display_name

Key = tuple[str, str]


@dataclass(frozen=True, eq=False)
class StoppedPart:
    """A part of a total whose counts stop before the data used ends.

    Attributes
    ----------
    key
        The part's (category, area).
    label
        Its last period in words (``2012/13 Q4``, ``2012-03``).
    counts
        Its counts (it has none after its last period).
    """

    key: Key
    label: str
    counts: pd.Series

    @property
    def last(self) -> pd.Timestamp:
        return self.counts.index[-1]

    def named_in(self, total: Key) -> str:
        """The part as the total's note names it: its category in the total's own area (``fraud-offences``), its
        area in a category summed over areas (``solihull``), else both (``fraud / solihull``)."""
        category, area = self.key
        if area == total[1]:
            return category
        return area if category == total[0] else f"{category} / {area}"

    def counted_in(self, periods: pd.DatetimeIndex) -> bool:
        """Whether the part counted any crime in ``periods`` (else leaving it out changes nothing there)."""
        return bool(self.counts.reindex(periods).fillna(0).abs().sum() > 0)


def stopped_parts(counts: pd.DataFrame, parts: Iterable[Key], *, as_of: pd.Timestamp,
                  total: Key | None = None) -> tuple[StoppedPart, ...]:
    """The ``parts`` of a total whose last count is before ``as_of`` (the last period a forecast uses).

    Parameters
    ----------
    counts
        The data with totals.
    parts
        The bottom series the total is the sum of (``CoherentPaths.keys_for``); a part the data holds no series for
        (a district's rest of the force, a category an area never recorded) is no stopped part.
    as_of
        The last period used.
    total
        The total itself: a series that is its own only part (not a sum) has no parts to leave out.
    """
    parts = list(dict.fromkeys(parts))
    if total is not None and parts == [total]:
        return ()
    frequency = frequency_of(counts)
    stopped = []
    for category, area in parts:
        chosen = (counts["category"].to_numpy() == category) & (counts["area"].to_numpy() == area)
        if not chosen.any():
            continue
        series = pd.Series(counts["count"].to_numpy()[chosen], index=pd.DatetimeIndex(counts["month"].to_numpy()[chosen]))
        series = series.sort_index().loc[:as_of].astype(float)
        if len(series) and series.index[-1] < as_of:
            stopped.append(StoppedPart(key=(category, area), label=frequency.label(series.index[-1]), counts=series))
    return tuple(stopped)


def counted_in(parts: Iterable[StoppedPart], periods: pd.DatetimeIndex) -> tuple[StoppedPart, ...]:
    """The ``parts`` that counted crimes in ``periods``: those a comparison over them leaves out."""
    return tuple(part for part in parts if part.counted_in(periods))


def without(history: pd.Series, parts: Iterable[StoppedPart]) -> pd.Series:
    """``history`` less the counts of ``parts``, period by period (the total as it is compared)."""
    parts = list(parts)
    if not parts:
        return history
    less = history.copy()
    for part in parts:
        less = less - part.counts.reindex(history.index).fillna(0.0).to_numpy()
    return less


def compared_note(items: Iterable[tuple[Key, StoppedPart]], *, name_areas: bool = False) -> list[str]:
    """One line per total category saying which totals are compared with their year before without which stopped parts.

    ``items`` are (total, part) pairs. One area: "total recorded crime compared without fraud-offences, whose counts
    stop at 2012/13 Q4, in both years: ..." (``name_areas``: "total recorded crime in kent ...", for a request of
    several areas); several: how many areas, the first four named, and where the stops fall.
    """
    groups: dict[tuple[str, str], dict[str, list[str]]] = {}
    seen = set()
    for total, part in items:
        if (total, part.key) in seen:
            continue
        seen.add((total, part.key))
        named = groups.setdefault((total[0], part.named_in(total)), {})
        named.setdefault(total[1], []).append(part.label)
    notes = []
    for (category, part), areas in groups.items():
        labels = sorted({label for found in areas.values() for label in found})
        when = f"at {labels[0]}" if len(labels) == 1 else f"between {labels[0]} and {labels[-1]}"
        what = _in_a_sentence(category)
        if len(areas) > 1:
            listed = ", ".join(_area_words(a) for a in list(areas)[:4]) + (" ..." if len(areas) > 4 else "")
            what, when = f"{what} in {len(areas)} areas ({listed})", f"{when} there"
        elif name_areas:
            area = next(iter(areas))
            what = f"{what} {'force-wide' if area == FORCE_AREA else 'in ' + area}"
        notes.append(f"{what} compared without {part}, whose counts stop {when}, in both years: a part no longer "
                     "counted would otherwise read as a fall in crime.")
    return notes


def _area_words(area: str) -> str:
    return "force-wide" if area == FORCE_AREA else area


def _in_a_sentence(category: str) -> str:
    """``'total-recorded-crime'`` -> ``'total recorded crime'`` (an acronym keeps its capitals)."""
    name = display_name(category)
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]


__all__ = ["StoppedPart", "compared_note", "counted_in", "stopped_parts", "without"]

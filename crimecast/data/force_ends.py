"""Where each force's counts end, in a dataset of several forces (peers).

police.uk data comes force by force: one force's next month can be imported
before the others' (or a download lacks a force's latest month), so the
forces of one dataset may end at different months. Commands then use the
data up to the last month every force they ask for has
(:func:`crimecast.data.sources.at_common_end`); ``forecast data list`` and
``show`` say where each force ends. A force further behind than
``FORCE_WAIT_MONTHS`` has stopped, and areas read as peers that are not forces
(local authorities of a counts file) are left alone: their counts that stop
are series that stopped (not forecast from their last count), not months still
to come.
"""

from __future__ import annotations

import pandas as pd

from crimecast.data.frequency import Frequency
from crimecast.data.months import months_between
from crimecast.data.slugs import slugify
from crimecast.defaults import FORCE_WAIT_MONTHS


# Sources published whole, every force at once (the Home Office's table): a force of one that ends early has a gap
# or has stopped (Devon and Cornwall's missing 2013/14 Q3, its counts missing from 2023), it is never waiting for
# its next period, so the data is not cut back to it (which had held every category's whole a quarter behind).
PUBLISHED_WHOLE = ("home-office",)


# A counts file's column of forces (its areas are then forces, named as police.uk's files name them).
FORCE_COLUMNS = ("force", "force-name", "pfa", "police-force-area")


def is_force_column(column: str | None) -> bool:
    """Whether a file's area column is a column of forces (``force``, ``Force name``, ``PFA`` ...)."""
    return bool(column) and slugify(column) in FORCE_COLUMNS


def keyed_as_forces(column: str | None, areas: pd.Series, *, peers: bool) -> bool:
    """Whether a file's areas (``areas``, from area column ``column``) are keyed as police.uk's files key forces
    (:func:`crimecast.data.slugs.force_slug`: ``'Merseyside Police'`` -> ``merseyside``): a column of forces read as
    separate forces (``peers``) or holding one force. The rule of a counts import and a rates import alike, so one
    plan's ``area:`` names a force's counts and its rates."""
    return is_force_column(column) and (peers or areas.nunique() == 1)


def forces_in(hierarchy: pd.DataFrame, *, areas: str, kind: str, options: dict | None = None) -> list[str]:
    """The forces of a dataset of peers whose areas are forces and arrive force by force (police.uk's, a counts
    file's force column): its top-level areas of level ``force``; empty for any other dataset (one force, peers that
    are not forces, or a source of ``kind`` published whole, ``PUBLISHED_WHOLE``).

    Forces are known by their names (the store records them), or, for a counts file imported before the store
    recorded them, by the ``options`` it was imported with (:func:`read_from_force_column`), so such a dataset
    works as one imported now, without importing it again.
    """
    if areas != "peers" or hierarchy.empty or kind in PUBLISHED_WHOLE:
        return []
    top = top_forces(hierarchy)
    named = top["name"].notna().any() or read_from_force_column(kind, options)
    return sorted(top["area"]) if named else []


def read_from_force_column(kind: str, options: dict | None) -> bool:
    """Whether a counts file (``kind`` ``csv``) imported as peers with ``options`` read its areas from a column of
    forces: ``--area-col`` named one (``force``, ``pfa`` ...), or, without ``--areas``, the file's areas were read
    as peers, which only a column of forces makes so (:func:`crimecast.data.load.import_csv`)."""
    if kind != "csv" or not options:
        return False
    column = options.get("area_col")
    return is_force_column(column) if column else options.get("areas") is None


def top_forces(hierarchy: pd.DataFrame) -> pd.DataFrame:
    """The rows of a hierarchy (``area``, ``name``, ``parent``, ``level``) that are forces at its top (no parent)."""
    return hierarchy[(hierarchy["level"] == "force") & hierarchy["parent"].isna()]


def parents_in(hierarchy: pd.DataFrame) -> dict[str, str]:
    """Each area that has a parent (a force's district), with its parent."""
    return {r.area: r.parent for r in hierarchy.itertuples(index=False) if isinstance(r.parent, str)}


def force_ends(months: pd.DataFrame, forces: list[str], parents: dict[str, str]) -> dict[str, pd.Timestamp]:
    """The last period of each force in ``forces`` (its own series and its districts') that is waiting for its next
    periods or has them all, from ``months`` (columns ``month`` and ``area``); empty when there are no forces.

    A force whose counts end more than ``FORCE_WAIT_MONTHS`` before the latest force's has stopped (a series that
    stops is not forecast from its last count, and says so): it is left out.
    """
    if not forces or months.empty:
        return {}
    area = months["area"]
    force = area.map(parents).fillna(area) if parents else area
    last = pd.to_datetime(months["month"]).groupby(force.to_numpy()).max()
    ends = {f: pd.Timestamp(last[f]) for f in forces if f in last.index}
    latest = max(ends.values(), default=None)
    return {f: end for f, end in ends.items() if months_between(latest, end) <= FORCE_WAIT_MONTHS}


def ragged(ends: dict[str, pd.Timestamp]) -> bool:
    """Whether the forces end at different periods."""
    return len(set(ends.values())) > 1


def ends_text(ends: dict[str, pd.Timestamp], frequency: Frequency) -> str:
    """``'avon-and-somerset 2021-09; city-of-london, merseyside 2021-08'``: the forces by where they end, latest first."""
    by_end: dict[pd.Timestamp, list[str]] = {}
    for force, end in sorted(ends.items()):
        by_end.setdefault(end, []).append(force)
    return "; ".join(f"{', '.join(forces)} {frequency.label(end)}" for end, forces in sorted(by_end.items(), reverse=True))


USE_RULE = "a command uses the data up to the last {noun} every force it asks for has"


def ends_note(ends: dict[str, pd.Timestamp], frequency: Frequency) -> str:
    """The one sentence ``forecast data list``, ``show`` and an import say when the forces end at different periods."""
    return (f"the forces end at different {frequency.noun}s ({ends_text(ends, frequency)}): "
            f"{USE_RULE.format(noun=frequency.noun)}.")

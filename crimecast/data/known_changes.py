"""Known process changes: recording-rule changes, reporting campaigns, boundary moves.

A CSV with columns ``month`` and ``description``, and optionally ``category``
and ``area`` (blank means every category or area)::

    month,description,category,area
    2013-04,Operation Sentinel domestic abuse reporting push,violence-with-injury,
    2014-04,National Crime Recording Standard audit,,
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crimecast.data.months import parse_months
from crimecast.data.slugs import slugify
from crimecast.errors import DataError
from crimecast.io import read_csv


@dataclass(frozen=True)
class KnownChange:
    """A dated change in how crime is recorded or reported."""

    month: pd.Timestamp
    description: str
    category: str | None = None
    area: str | None = None

    def applies_to(self, category: str, area: str) -> bool:
        return self.category in (None, category) and self.area in (None, area)


def load_known_changes(path: str | Path) -> list[KnownChange]:
    """Read a known-changes CSV; DataError naming the row and column on bad input."""
    path = Path(path)
    frame = read_csv(path, what="known-changes file", hint="Give the path of a CSV with columns month,description.")
    missing = {"month", "description"} - set(frame.columns)
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(sorted(missing))}; a known-changes file needs month,description "
                        "and optionally category,area.")
    months = parse_months(frame["month"], where=f"{path}, column month", rows=pd.Series(range(2, len(frame) + 2)))
    changes = []
    for row, month in zip(frame.itertuples(index=False), months):
        category = slugify(getattr(row, "category", "")) or None
        area = slugify(getattr(row, "area", "")) or None
        changes.append(KnownChange(month=month, description=row.description.strip(), category=category, area=area))
    return changes


def months_for(changes: list[KnownChange], *, category: str, area: str) -> tuple[pd.Timestamp, ...]:
    """The months of the changes that apply to one series."""
    return tuple(sorted({c.month for c in changes if c.applies_to(category, area)}))

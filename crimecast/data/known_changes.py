"""Known process changes: recording-rule changes, reporting campaigns, boundary moves.

A CSV with columns ``month`` and ``description``, and optionally ``category``
and ``area`` (blank means every category or area)::

    month,description,category,area
    2013-04,Operation Sentinel domestic abuse reporting push,violence-with-injury,
    2014-04,National Crime Recording Standard audit,,

A change may be temporary rather than a permanent step: give the columns
``kind`` (``step``, the default, or ``exceptional``) and ``to`` (the last
month, inclusive); ``month`` (or ``from``) is then its first month::

    month,to,kind,description,category,area
    2020-04,2020-06,exceptional,First national lockdown,,

Exceptional rows become :class:`~crimecast.data.exceptional.ExceptionalPeriod`
(kept out of fitting and control limits), not level shifts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from crimecast.data.exceptional import ExceptionalPeriod, check_no_overlap
from crimecast.data.months import parse_months
from crimecast.data.slugs import slugify
from crimecast.errors import DataError
from crimecast.io import read_csv
from crimecast.words import plural


STEP = "step"
EXCEPTIONAL = "exceptional"
KINDS = (STEP, EXCEPTIONAL)


@dataclass(frozen=True)
class KnownChange:
    """A dated change in how crime is recorded or reported."""

    month: pd.Timestamp
    description: str
    category: str | None = None
    area: str | None = None
    kind: str = "step"
    to: pd.Timestamp | None = None
    where: str | None = field(default=None, compare=False)  # "file, row N", for errors

    @property
    def exceptional(self) -> bool:
        return self.kind == EXCEPTIONAL

    def applies_to(self, category: str, area: str) -> bool:
        return self.category in (None, category) and self.area in (None, area)


def load_known_changes(path: str | Path) -> list[KnownChange]:
    """Read a known-changes CSV; DataError naming the row and column on bad input."""
    path = Path(path)
    frame = read_csv(path, what="known-changes file", hint="Give the path of a CSV with columns month,description.")
    if "from" in frame.columns and "month" not in frame.columns:
        frame = frame.rename(columns={"from": "month"})
    missing = {"month", "description"} - set(frame.columns)
    if missing:
        raise DataError(f"{path}: missing {plural(len(missing), 'column')} {', '.join(sorted(missing))}; "
                        "a known-changes file needs month,description "
                        "and optionally category,area (and kind,to for a temporary, exceptional change).")
    rows = pd.Series(range(2, len(frame) + 2))
    months = parse_months(frame["month"], where=f"{path}, column month", rows=rows)
    changes = []
    for number, row, month in zip(rows, frame.itertuples(index=False), months):
        category = slugify(getattr(row, "category", "")) or None
        area = slugify(getattr(row, "area", "")) or None
        kind, to = _kind_and_end(path, number, row, month)
        changes.append(KnownChange(month=month, description=row.description.strip(), category=category, area=area,
                                   kind=kind, to=to, where=f"{path}, row {number}"))
    _check_exceptional_overlap(path, changes)
    return changes


def check_known_changes(changes, counts: pd.DataFrame) -> tuple[KnownChange, ...]:
    """The known changes with their categories and areas checked against the data.

    A change for a category or area the data does not have would silently
    never apply (a typo such as ``burglry`` or ``westminstr``), so it is
    refused, naming the file and row with a did-you-mean. An alias
    (``burglary`` for burglary-dwelling) is replaced by the slug it stands for.

    Raises
    ------
    DataError
        For a category or area the data does not have.
    """
    from crimecast.data.series import resolve_area, resolve_category

    checked = []
    for change in changes:
        where = change.where or f"known change '{change.description}'"
        updates = {}
        for column, resolve in (("category", lambda n: resolve_category(counts, n)[0]),
                                ("area", lambda n: resolve_area(counts, n))):
            name = getattr(change, column)
            if name is None:
                continue
            try:
                updates[column] = resolve(name)
            except DataError as error:
                raise DataError(f"{where}, column {column}: {error} Correct the {column}, or leave it blank for "
                                f"every {column}.") from None
        checked.append(replace(change, **updates))
    return tuple(checked)


def _kind_and_end(path: Path, number: int, row, month: pd.Timestamp) -> tuple[str, pd.Timestamp | None]:
    """The row's kind (step or exceptional) and, for an exceptional change, its last month."""
    kind = (str(getattr(row, "kind", "")).strip().lower() or STEP)
    if kind not in KINDS:
        raise DataError(f"{path}, row {number}, column kind: '{kind}' is not a kind of change; write step (a permanent "
                        "change) or exceptional (a temporary one, with a 'to' month).")
    text = str(getattr(row, "to", "")).strip()
    if kind == STEP:
        if text:
            raise DataError(f"{path}, row {number}: a 'to' month ({text}) on a step change; a step is permanent. "
                            "Write kind exceptional for a temporary change, or clear 'to'.")
        return kind, None
    if not text:
        raise DataError(f"{path}, row {number}: an exceptional change needs its last month in column 'to' "
                        "(e.g. 2020-06); add the column, or write kind step for a permanent change.")
    to = parse_months(pd.Series([text]), where=f"{path}, column to", rows=pd.Series([number])).iloc[0]
    if to < month:
        raise DataError(f"{path}, row {number}: 'to' ({to:%Y-%m}) is before the first month ({month:%Y-%m}); "
                        "give the first and last month in order.")
    return kind, to


def _check_exceptional_overlap(path: Path, changes: list[KnownChange]) -> None:
    """Exceptional changes for the same series must not overlap."""
    scopes = {(c.category, c.area) for c in changes if c.exceptional}
    for category, area in scopes:
        same = [c for c in changes if c.exceptional and c.category in (None, category) and c.area in (None, area)]
        check_no_overlap([_as_period(c) for c in same], where=str(path))


def _as_period(change: KnownChange) -> ExceptionalPeriod:
    return ExceptionalPeriod(start=change.month, end=change.to, label=change.description)


def exceptional_periods(changes: list[KnownChange], *, category: str, area: str) -> tuple[ExceptionalPeriod, ...]:
    """The exceptional (temporary) changes that apply to one series, as periods."""
    return tuple(sorted((_as_period(c) for c in changes if c.exceptional and c.applies_to(category, area)),
                        key=lambda p: p.start))


def months_for(changes: list[KnownChange], *, category: str, area: str) -> tuple[pd.Timestamp, ...]:
    """The months of the step (permanent) changes that apply to one series."""
    return tuple(sorted({c.month for c in changes if not c.exceptional and c.applies_to(category, area)}))

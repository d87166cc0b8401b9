"""Exceptional periods: months that happened but should not set the pattern (e.g. lockdowns).

Unlike a known change, which is a permanent step, an exceptional period is
temporary: its months are shown, but kept out of model fitting (and of the
interval calibration's scores) and control limits, and the forecast returns
to the pattern around them. A shipped calendar's period counts only once
``CALENDAR_SETTLE_MONTHS`` of data follow it (``settled``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from crimecast.data.frequency import spaced_by_quarters
from crimecast.data.months import months_between
from crimecast.defaults import CALENDAR_SETTLE_MONTHS
from crimecast.errors import DataError
from crimecast.io import read_csv, read_text
from crimecast.words import plural


@dataclass(frozen=True)
class ExceptionalPeriod:
    """A run of exceptional months, ``start`` to ``end`` inclusive (month starts)."""

    start: pd.Timestamp
    end: pd.Timestamp
    label: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise DataError(f"exceptional period '{self.label or f'{self.start:%Y-%m}'}': ends ({self.end:%Y-%m}) before it "
                            f"starts ({self.start:%Y-%m}); give the first and last month in order.")

    @property
    def span(self) -> str:
        """``"2020-03 to 2020-06"``, or ``"2020-11"`` for one month."""
        return f"{self.start:%Y-%m}" if self.start == self.end else f"{self.start:%Y-%m} to {self.end:%Y-%m}"

    @property
    def name(self) -> str:
        return self.label or self.span

    @property
    def named_span(self) -> str:
        """``"lockdown-2 (2020-11)"``; a period without a label by its months only."""
        return f"{self.label} ({self.span})" if self.label else self.span

    @property
    def last_day(self) -> pd.Timestamp:
        return self.end + pd.offsets.MonthEnd(0)


def exceptional_mask(index: pd.DatetimeIndex, periods: Iterable[ExceptionalPeriod]) -> np.ndarray:
    """True for each period of ``index`` that overlaps an exceptional period.

    ``index`` holds period starts (months, or quarters of a quarterly series):
    a quarter is exceptional when any of its months is.
    """
    index = pd.DatetimeIndex(index)
    mask = np.zeros(len(index), dtype=bool)
    if len(index) == 0:
        return mask
    months = 3 if spaced_by_quarters(index) else 1
    period_ends = index + pd.DateOffset(months=months) - pd.Timedelta(days=1)
    for period in periods:
        mask |= (index <= period.last_day) & (period_ends >= period.start)
    return mask


def check_no_overlap(periods: Iterable[ExceptionalPeriod], *, where: str = "exceptional periods") -> None:
    """DataError naming the two periods when any pair overlaps."""
    ordered = sorted(periods, key=lambda p: p.start)
    for before, after in zip(ordered, ordered[1:]):
        if after.start <= before.end:
            raise DataError(f"{where}: '{before.name}' ({before.start:%Y-%m} to {before.end:%Y-%m}) "
                            f"overlaps '{after.name}' ({after.start:%Y-%m} to {after.end:%Y-%m}); "
                            "merge them into one period or move one boundary.")


# ---------------------------------------------------------------- calendars and files

CALENDAR_DIR = Path(__file__).parent / "calendars"
FILE_HINT = ("give a shipped calendar (covid-uk) or a YAML file with 'periods:' (key, from, to) or a CSV with "
             "columns from,to[,label]")


def calendar_names() -> list[str]:
    """The calendars shipped with crimecast, usable by name (``covid-uk``)."""
    return sorted(p.stem for p in CALENDAR_DIR.glob("*.yaml"))


@lru_cache(maxsize=None)
def _shipped(name: str) -> frozenset:
    return frozenset(load_exceptional(name))


def calendar_of(periods: Iterable[ExceptionalPeriod]) -> str | None:
    """The shipped calendar that every one of ``periods`` comes from, or ``None`` (none given, or a user's own)."""
    periods = set(periods)
    return next((name for name in calendar_names() if periods and periods <= _shipped(name)), None)


def settled(periods: Iterable[ExceptionalPeriod], last_month: pd.Timestamp, *,
            months: int = CALENDAR_SETTLE_MONTHS) -> tuple[tuple[ExceptionalPeriod, ...], tuple[ExceptionalPeriod, ...]]:
    """``periods`` split into those to keep out of fitting and the shipped calendar's that have not settled yet.

    A shipped calendar's period settles once ``months`` months of data (up to ``last_month``, the last month the
    data covers) follow its end; a user's own periods are kept out at once. Returns ``(kept_out, waiting)``.
    """
    kept, waiting = [], []
    for period in periods:
        (waiting if calendar_of([period]) and months_between(last_month, period.end) < months else kept).append(period)
    return tuple(kept), tuple(waiting)


def settled_in(periods: Iterable[ExceptionalPeriod], index: pd.DatetimeIndex, *, last_month: pd.Timestamp,
               stays_in: str, remedy: str) -> tuple[tuple[ExceptionalPeriod, ...], list[str]]:
    """The ``periods`` that touch ``index`` and are to be kept out now (see :func:`settled`), and a note on the rest.

    ``last_month`` is the last month the data covers; the note, given when a shipped calendar's period is still
    waiting, says it stays in ``stays_in`` (e.g. ``"the fit"``) and ends with ``remedy`` (from its first character,
    e.g. ``", as in the forecasts."``).
    """
    present = [p for p in periods if exceptional_mask(index, [p]).any()]
    kept, waiting = settled(present, last_month)
    if not waiting:
        return kept, []
    return kept, [f"{', '.join(p.name for p in waiting)} of the {calendar_of(waiting)} calendar ended fewer than "
                  f"{CALENDAR_SETTLE_MONTHS} months before the data does, so {'it stays' if len(waiting) == 1 else 'they stay'} "
                  f"in {stays_in} until the months after show whether the level came back{remedy}"]


def _month(value, *, where: str) -> pd.Timestamp:
    from crimecast.data.months import parse_months

    text = "" if value is None else str(value).strip()
    if not text:
        raise DataError(f"{where}: no month given; write it as YYYY-MM, e.g. 2020-04.")
    return pd.Timestamp(parse_months(pd.Series([text]), where=where).iloc[0])


def _period(start, end, label: str, *, where: str) -> ExceptionalPeriod:
    return ExceptionalPeriod(start=_month(start, where=f"{where}, 'from'"), end=_month(end, where=f"{where}, 'to'"),
                             label=label)


def _from_yaml(path: Path) -> tuple[ExceptionalPeriod, ...]:
    import yaml

    text = read_text(path, what="exceptional-periods file", hint=f"Check the path, or {FILE_HINT}.")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        raise DataError(f"{path}{line}: not valid YAML; check the indentation and quote text holding ':' or '#'.") from None
    rows = data.get("periods") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise DataError(f"{path}: no 'periods:' list; {FILE_HINT}.")
    periods = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise DataError(f"{path}, periods[{number}]: write each period as key, from and to on their own lines.")
        label = str(row.get("key") or row.get("label") or "").strip()
        where = f"{path}, period '{label}'" if label else f"{path}, periods[{number}]"
        unknown = set(row) - {"key", "label", "from", "to", "dates", "source", "note"}
        if unknown:
            raise DataError(f"{where}: unknown {plural(len(unknown), 'key')} {', '.join(sorted(map(str, unknown)))}; "
                            "a period has key, from, to "
                            "and optionally dates, source, note.")
        periods.append(_period(row.get("from"), row.get("to"), label, where=where))
    return tuple(periods)


def _from_csv(path: Path) -> tuple[ExceptionalPeriod, ...]:
    frame = read_csv(path, what="exceptional-periods file", hint=f"Check the path, or {FILE_HINT}.")
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = {"from", "to"} - set(frame.columns)
    if missing:
        raise DataError(f"{path}: missing {plural(len(missing), 'column')} {', '.join(sorted(missing))}; {FILE_HINT}.")
    label_column = next((c for c in ("label", "key") if c in frame.columns), None)
    periods = []
    for number, (_, row) in enumerate(frame.iterrows(), start=2):
        label = str(row[label_column]).strip() if label_column else ""
        periods.append(_period(row["from"], row["to"], label, where=f"{path}, row {number}"))
    if not periods:
        raise DataError(f"{path}: no periods (the file has a header only); add rows from,to,label.")
    return tuple(periods)


def load_exceptional(name_or_path: str | Path) -> tuple[ExceptionalPeriod, ...]:
    """Exceptional periods from a shipped calendar's name or a YAML or CSV file.

    Parameters
    ----------
    name_or_path
        ``covid-uk`` (see :func:`calendar_names`), or a file: YAML with a
        ``periods:`` list of ``key``, ``from``, ``to`` (months, inclusive), or
        a CSV with columns ``from,to`` and optionally ``label``.

    Returns
    -------
    tuple of ExceptionalPeriod
        In the file's order, checked not to overlap.

    Raises
    ------
    DataError
        Naming the file and row or key for an unknown name, a bad month, a
        period that ends before it starts, or two periods that overlap.
    """
    text = str(name_or_path)
    if text in calendar_names():
        path = CALENDAR_DIR / f"{text}.yaml"
    else:
        path = Path(text)
        if not path.exists() and path.suffix.lower() not in (".yaml", ".yml", ".csv"):
            raise DataError(f"--exceptional {text}: no shipped calendar or file of that name; shipped calendars: "
                            f"{', '.join(calendar_names())}. Or {FILE_HINT}.")
    periods = _from_csv(path) if path.suffix.lower() == ".csv" else _from_yaml(path)
    check_no_overlap(periods, where=str(path if path.parent != CALENDAR_DIR else text))
    return periods


def check_within(periods: Iterable[ExceptionalPeriod], *, first: pd.Timestamp, last: pd.Timestamp,
                 where: str = "exceptional periods") -> None:
    """DataError naming the first period that lies wholly outside the data's months ``first`` to ``last``."""
    for period in periods:
        if period.end < first or period.start > last:
            raise DataError(f"{where}: '{period.name}' ({period.start:%Y-%m} to {period.end:%Y-%m}) is outside the data "
                            f"({first:%Y-%m} to {last:%Y-%m}); remove it from the file, or use data that covers it.")


def exceptional_for_data(name_or_path: str | Path | None, counts: pd.DataFrame) -> tuple[ExceptionalPeriod, ...]:
    """The periods of ``--exceptional NAME|FILE``, checked against the months of ``counts`` (``()`` for none).

    A user's file must not hold a period wholly outside the data. A shipped
    calendar is a list of dates that stays true whatever the data: its
    periods outside the data (e.g. after an ``--as-of`` month) are dropped,
    and it is refused only when none of them touches the data.
    """
    if name_or_path is None:
        return ()
    periods = load_exceptional(name_or_path)
    months = pd.DatetimeIndex(counts["month"])
    frequency_months = 3 if counts.attrs.get("frequency") == "quarter" else 1
    first, last = months.min(), months.max() + pd.DateOffset(months=frequency_months - 1)
    where = f"--exceptional {name_or_path}"
    if str(name_or_path) in calendar_names():
        inside = tuple(p for p in periods if p.end >= first and p.start <= last)
        check_within(inside or periods[:1], first=first, last=last, where=where)
        return inside
    check_within(periods, first=first, last=last, where=where)
    return periods

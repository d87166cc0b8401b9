"""Rates as first-class series: a numerator and a denominator per month (satisfied / surveyed, dwelling / burglaries).

A rate series is never a count: it is not summed into total recorded crime,
and the rate of a force made of districts is sum(numerator) / sum(denominator),
never a sum or mean of the districts' rates. The contract is a tidy table
``month, area, category, numerator, denominator`` with whole numbers,
``denominator > 0`` and ``numerator <= denominator``, validated once on entry
(:func:`validate_rates`), naming the file, row and column of the first problem.

What the numerator and denominator are is the file's own words: the column
names given on import (``--numerator-col dwelling --denominator-col
burglaries``), kept with the dataset and carried in a rates table's
``attrs['words']`` (:class:`RateWords`), so labels and sentences say "%
dwelling (of burglaries)", not "% satisfied". The embedded data, and a file
whose columns are ``satisfied`` and ``surveyed``, are victim satisfaction
(:data:`SATISFACTION`).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from crimecast.data.force_ends import is_force_column, keyed_as_forces
from crimecast.data.frequency import MONTHLY
from crimecast.data.months import parse_months
from crimecast.data.read import missing_column, read_table
from crimecast.data.rate_words import SATISFACTION, RateWords, rate_words, words_of
from crimecast.data.schema import ROW
from crimecast.data.slugs import AREA_CUTOFF, did_you_mean, force_slug, slugify
from crimecast.errors import DataError, UsageError

RATE_COLUMNS: tuple[str, ...] = ("month", "area", "category", "numerator", "denominator")
RATE_KEY = ["month", "area", "category"]
FORCE_AREA = "force"
# The embedded illustrative satisfaction data, companion of the embedded counts.
EMBEDDED_RATES: dict[str, str] = {"west-midlands": "west-midlands-satisfaction.csv"}


@dataclass(frozen=True)
class RateColumns:
    """Which file columns hold the month, numerator, denominator, category and area."""

    numerator_col: str
    denominator_col: str
    date_col: str | None = None
    category_col: str | None = None
    area_col: str | None = None
    category_name: str | None = None


def _where(frame: pd.DataFrame, index, source: str) -> str:
    return f"{source}, row {int(frame.at[index, ROW])}" if ROW in frame.columns else source


def _whole_numbers(frame: pd.DataFrame, column: str, label: str, source: str, words: RateWords) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | (values < 0) | ~np.isclose(values.fillna(0) % 1, 0)
    if bad.any():
        index = bad.idxmax()
        raise DataError(f"{_where(frame, index, source)}, column {label}: '{frame.at[index, column]}' is not a "
                        f"non-negative whole number. A rate needs counts (e.g. 437 {words.numerator} of 520 "
                        f"{words.denominator}), not a percentage; fix or remove that row.")
    return values.round().astype("int64")


def validate_rates(frame: pd.DataFrame, *, source: str = "table", numerator_label: str = "numerator",
                   denominator_label: str = "denominator") -> pd.DataFrame:
    """Check a rates table once, on entry, and return it in canonical form.

    Parameters
    ----------
    frame
        Columns ``month`` (month starts), ``area``, ``category``,
        ``numerator``, ``denominator``; optionally ``_row`` (file rows).
    source
        The file or table, named in errors.
    numerator_label, denominator_label
        The file's column names, named in errors, whose words (:func:`rate_words`) the errors use.

    Returns
    -------
    pandas.DataFrame
        Exactly :data:`RATE_COLUMNS`, sorted, whole-number counts.

    Raises
    ------
    DataError
        A denominator of zero, a numerator above its denominator, a value that
        is a rate rather than a count (a fraction or percentage), a duplicate
        month: one line naming the file, row and column and the fix.
    """
    if frame.empty:
        raise DataError(f"{source}: no data rows. Give one row per month with a numerator and a denominator.")
    frame = frame.copy()
    words = rate_words(numerator_label, denominator_label)
    frame["numerator"] = _whole_numbers(frame, "numerator", numerator_label, source, words)
    frame["denominator"] = _whole_numbers(frame, "denominator", denominator_label, source, words)
    zero = frame["denominator"] <= 0
    if zero.any():
        index = zero.idxmax()
        raise DataError(f"{_where(frame, index, source)}, column {denominator_label}: a denominator of "
                        f"{frame.at[index, 'denominator']} ({words.nobody}) gives no rate. Remove the row or give "
                        f"{words.number} (> 0).")
    above = frame["numerator"] > frame["denominator"]
    if above.any():
        index = above.idxmax()
        num, den = frame.at[index, "numerator"], frame.at[index, "denominator"]
        raise DataError(f"{_where(frame, index, source)}, column {numerator_label}: {num} is more than its denominator "
                        f"{den} ({denominator_label}), a rate above 100%. Are the columns swapped? "
                        "Fix the row, or swap --numerator-col and --denominator-col.")
    dup = frame.duplicated(RATE_KEY, keep="first")
    if dup.any():
        index = dup.idxmax()
        raise DataError(f"{_where(frame, index, source)}: a second row for {frame.at[index, 'category']} in "
                        f"{frame.at[index, 'area']} in {frame.at[index, 'month']:%Y-%m}. Each month may appear once; "
                        "remove the duplicate.")
    _refuse_gaps(frame, source=source, words=words)
    tidy = frame[[*RATE_COLUMNS]].sort_values(["category", "area", "month"], ignore_index=True)
    tidy["area"] = tidy["area"].astype(str)
    tidy["category"] = tidy["category"].astype(str)
    return tidy


def _months_missing(months: pd.Series) -> tuple[int, pd.Timestamp, pd.Timestamp] | None:
    """The first gap in a series' sorted months: (the position after it, the month before it, the month after it)."""
    jumps = np.flatnonzero(np.diff(MONTHLY.period_numbers(months).to_numpy()) > 1)
    if not len(jumps):
        return None
    at = int(jumps[0]) + 1
    return at, months.iloc[at - 1], months.iloc[at]


def _gap_text(before: pd.Timestamp, after: pd.Timestamp) -> str:
    """'2019-07' or '2019-07 to 2019-09 (3 months)': the months missing between two months of a series."""
    missing = pd.date_range(before + pd.offsets.MonthBegin(1), after - pd.offsets.MonthBegin(1), freq="MS")
    return f"{missing[0]:%Y-%m}" if len(missing) == 1 else f"{missing[0]:%Y-%m} to {missing[-1]:%Y-%m} ({len(missing)} months)"


def _refuse_gaps(frame: pd.DataFrame, *, source: str, words: RateWords) -> None:
    """A month missing inside a rate series: a rate has no count to fill in (a month of no surveys has no rate), and
    its models and charts step month by month, so the file is refused naming the row after the gap."""
    ordered = frame.sort_values(["category", "area", "month"], kind="stable")
    for (category, area), rows in ordered.groupby(["category", "area"], sort=False):
        gap = _months_missing(rows["month"].reset_index(drop=True))
        if gap is None:
            continue
        at, before, after = gap
        index = rows.index[at]
        raise DataError(f"{_where(frame, index, source)}: {category} in {area} has no row for {_gap_text(before, after)} "
                        f"(between {before:%Y-%m} and {after:%Y-%m}): a rate series needs every month from its first "
                        f"to its last. Add the missing month's row ({words.those} and {words.whole}), or give only "
                        f"the months after the gap.")


def _column(frame: pd.DataFrame, name: str | None, usual: tuple[str, ...], *, option: str, source: str) -> str | None:
    if name is not None:
        if name not in frame.columns:
            raise missing_column(name, list(frame.columns), option=option, source=source)
        return name
    return next((c for c in frame.columns if slugify(c) in usual), None)


def _refuse_rate_values(frame: pd.DataFrame, column: str, source: str, words: RateWords) -> None:
    """A numerator or denominator column holding rates (0.84, 83.8%) instead of counts."""
    text = frame[column].astype(str).str.strip()
    percent = text.str.endswith("%")
    values = pd.to_numeric(text.str.rstrip("%"), errors="coerce")
    fraction = values.notna() & (values % 1 != 0) & (values <= 100)
    bad = percent | fraction
    if bad.any():
        index = bad.idxmax()
        raise DataError(f"{_where(frame, index, source)}, column {column}: '{frame.at[index, column]}' looks like a rate "
                        f"(a fraction or percentage), not a count. Give whole numbers: --numerator-col for "
                        f"{words.those} and --denominator-col for {words.whole}.")


def import_rates_csv(path: str | Path, *, columns: RateColumns, areas: str | None = None) -> pd.DataFrame:
    """Read a CSV or Excel file of rates: a numerator and a denominator column per month.

    Parameters
    ----------
    path
        The file.
    columns
        The numerator and denominator columns (required) and, optionally,
        the month, category and area columns (found by usual names otherwise;
        with no category column the file's name is the category, with no
        area column the one area is ``force``).
    areas
        ``"parts"`` (the default: districts of one force, whose rate is their survey-weighted sum) or ``"peers"``
        (separate forces), which a rates dataset cannot hold yet and is refused; so is an area column of forces
        (``force``, ``pfa`` ...) holding several, unless ``"parts"`` is given.

    Returns
    -------
    pandas.DataFrame
        The validated rates contract (:func:`validate_rates`).

    Raises
    ------
    DataError
        Naming the file, row and column at fault and how to fix it, or an area column of several forces.
    UsageError
        For ``areas="peers"``.
    """
    from crimecast.data.load import AREA_NAMES, CATEGORY_NAMES, DATE_NAMES

    path = Path(path)
    source = str(path)
    if not path.exists():
        raise DataError(f"{path}: no such file. Check the path.")
    frame = read_table(path)
    num = _column(frame, columns.numerator_col, (), option="--numerator-col", source=source)
    den = _column(frame, columns.denominator_col, (), option="--denominator-col", source=source)
    date = _column(frame, columns.date_col, DATE_NAMES, option="--date-col", source=source)
    if date is None:
        raise DataError(f"{source}: cannot tell which column holds the month. Name it with --date-col.")
    category = _column(frame, columns.category_col, CATEGORY_NAMES, option="--category-col", source=source)
    area = _column(frame, columns.area_col, AREA_NAMES, option="--area-col", source=source)
    words = rate_words(num, den)
    for column in (num, den):
        _refuse_rate_values(frame, column, source, words)
    tidy = pd.DataFrame({
        "month": parse_months(frame[date], where=f"{source}, column {date}", rows=frame[ROW]).to_numpy(),
        "area": frame[area].map(slugify) if area else FORCE_AREA,
        "category": frame[category].map(slugify) if category else slugify(columns.category_name or path.stem),
        "numerator": frame[num], "denominator": frame[den], ROW: frame[ROW],
    })
    _refuse_separate_forces(tidy, area, areas, source=source)
    if keyed_as_forces(area, tidy["area"], peers=False):  # one force, keyed as its counts are: merseyside
        tidy["area"] = tidy["area"].map(force_slug)
    rates = validate_rates(tidy, source=source, numerator_label=num, denominator_label=den)
    rates.attrs.update(source=source, illustrative=False, notice="", words=words)
    return rates


def _refuse_separate_forces(tidy: pd.DataFrame, area: str | None, areas: str | None, *, source: str) -> None:
    """Rates of separate forces (``--areas peers``, or an area column of forces holding several): a rates dataset is
    one force's, whose rate is its areas' survey-weighted sum, so separate forces would be read as one force's
    districts and summed into one rate (a ``force`` rate of Merseyside and Cleveland together)."""
    held = sorted(tidy["area"].unique())
    forces = areas == "peers" or (areas is None and is_force_column(area) and len(held) > 1)
    if not forces:
        return
    said = ", ".join(held[:4]) + (" ..." if len(held) > 4 else "")
    why = (f"{source}: the areas in column '{area}' ({said}) are separate forces, and a rates dataset is one force's: "
           f"its areas are read as districts, and the force's rate is their survey-weighted sum, so these forces "
           f"would be added up into one rate. Import each force's rows as a dataset of its own (--name), or pass "
           f"--areas parts if they are districts of one force.")
    if areas == "peers":
        raise UsageError(why.replace("are separate forces", "are separate forces (--areas peers)"))
    raise DataError(why)


def with_force(rates: pd.DataFrame, *, whole: str = FORCE_AREA) -> pd.DataFrame:
    """Add the force's rate series where the data holds only its districts.

    The force's numerator and denominator are the districts' sums, so its
    rate is sum(numerator) / sum(denominator) (a survey-weighted rate), never
    the mean of the districts' rates. Data that already holds the force is
    returned unchanged.
    """
    if rates.empty or whole in set(rates["area"]) or rates["area"].nunique() < 2:
        return rates
    force = rates.groupby(["month", "category"], as_index=False)[["numerator", "denominator"]].sum()
    frame = pd.concat([rates, force.assign(area=whole)[[*RATE_COLUMNS]]], ignore_index=True)
    frame = frame.sort_values(["category", "area", "month"], ignore_index=True)
    frame.attrs = dict(rates.attrs)
    return frame


def embedded_rates(name: str) -> pd.DataFrame | None:
    """The embedded illustrative rates companion of an embedded dataset (``None`` if it has none)."""
    if name not in EMBEDDED_RATES:
        return None
    from crimecast.data.load import embedded_notice

    text = resources.files("crimecast.data").joinpath("demo", EMBEDDED_RATES[name]).read_text(encoding="utf-8")
    import io

    frame = pd.read_csv(io.StringIO(text), dtype={"month": str})
    frame["month"] = pd.to_datetime(frame["month"] + "-01")
    rates = with_force(validate_rates(frame, source=f"{name} (embedded satisfaction)"))
    rates.attrs.update(source=name, illustrative=True, notice=embedded_notice(rates=True), words=SATISFACTION)
    return rates


def rates_for(counts: pd.DataFrame, *, stored: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """The rate series that go with a counts table: the embedded companion, or a stored dataset's rates.

    When the counts are the data as it stood at a month (``attrs['as_of']``: ``--as-of``, a Board pack's date), the
    rates are cut there too, so no survey after it is read, even from a dataset of rates only (which has no counts).
    ``stored`` is a stored dataset's rates as :func:`crimecast.data.store.read_rates` gave them, when read already
    (they are not read again, nor changed). Returns ``None`` when the data has no rates.
    """
    rates = _all_rates_for(counts, stored=stored)
    as_of = counts.attrs.get("as_of")
    if rates is None or as_of is None:
        return rates
    cut = rates[rates["month"] <= as_of].reset_index(drop=True)
    cut.attrs = dict(rates.attrs)
    return cut


def _all_rates_for(counts: pd.DataFrame, *, stored: pd.DataFrame | None = None) -> pd.DataFrame | None:
    source = str(counts.attrs.get("source", ""))
    if counts.attrs.get("kind") == "embedded":
        return embedded_rates(source)
    if counts.attrs.get("store"):
        from crimecast.data.store import read_rates

        rates = read_rates(source, store=counts.attrs["store"]) if stored is None else stored.copy()
        if rates is None or rates.empty:
            return None
        rates = with_force(rates)  # its words (attrs['words']) are read with it
        rates.attrs.update(source=source, illustrative=bool(counts.attrs.get("illustrative")),
                           notice=counts.attrs.get("notice", ""))
        return rates
    return None


def is_rate(rates: pd.DataFrame | None, category: str) -> bool:
    """Whether ``category`` names a rate series in ``rates``."""
    return rates is not None and slugify(category) in set(rates["category"])


def rate_series(rates: pd.DataFrame, *, category: str, area: str) -> pd.DataFrame:
    """One rate series: ``numerator, denominator`` indexed by month (``freq='MS'``).

    Its ``attrs`` name it (``category``, ``area``) and say what its counts are (``words``: the rates table's). A force
    is found by either key (``merseyside``, or ``merseyside-police`` as a rates import keyed it before). The whole
    (``force``, the default area) of a series with one area and no force row (:func:`with_force` adds one only over two
    or more) is that area, as for counts (:func:`crimecast.data.series.default_area`).

    Raises
    ------
    DataError
        When the category or area is not in the rates (with the names there are).
    """
    slug = slugify(category)
    chosen = rates[rates["category"] == slug]
    if chosen.empty:
        names = sorted(rates["category"].unique())
        raise DataError(f"no rate series '{category}'.{did_you_mean(slug, names)} Rate series: {', '.join(names)}.")
    if slugify(area) == FORCE_AREA and chosen["area"].nunique() == 1:  # no whole-force total: the only area, as counts
        area = chosen["area"].iloc[0]
    rows = chosen[chosen["area"] == slugify(area)]
    if rows.empty:  # a force by its other key: merseyside-police, as a rates import keyed a force before
        rows = chosen[chosen["area"].map(force_slug) == force_slug(area)]
    if rows.empty or rows["area"].nunique() > 1:
        areas = sorted(chosen["area"].unique())
        raise DataError(f"no {slug} rate for area '{area}'.{did_you_mean(slugify(area), areas, cutoff=AREA_CUTOFF)} Areas: {', '.join(areas)}.")
    series = rows.set_index("month")[["numerator", "denominator"]].sort_index()
    gap = _months_missing(series.index.to_series())
    if gap is not None:  # a store imported before gaps were refused on entry
        _, before, after = gap
        source = rates.attrs.get("source") or "the rates"
        raise DataError(f"{source}: the {slug} rate for {slugify(area)} has no row for {_gap_text(before, after)} "
                        f"(between {before:%Y-%m} and {after:%Y-%m}): a rate series needs every month from its first to "
                        f"its last. Add the missing month to the file and import it again with --replace.")
    series.index = pd.DatetimeIndex(series.index, freq="MS")
    series.attrs = {"category": slug, "area": slugify(area), "words": words_of(rates)}
    return series


def rate_catalogue(rates: pd.DataFrame) -> pd.DataFrame:
    """One row per rate series: areas, first and last month, and the whole-period rate."""
    grouped = rates.groupby("category")
    sums = grouped[["numerator", "denominator"]].sum()
    return pd.DataFrame({
        "areas": grouped["area"].nunique(), "first": grouped["month"].min().dt.strftime("%Y-%m"),
        "last": grouped["month"].max().dt.strftime("%Y-%m"), "periods": grouped["month"].nunique(),
        "rate": sums["numerator"] / sums["denominator"],
    }).reset_index()


def import_rates(path: str | Path, *, name: str, columns: RateColumns, store: str | Path | None = None,
                 replace: bool = False, areas: str | None = None):
    """Read a rates file, validate it once, and store it as dataset ``name`` (kind ``rates``) in one transaction.

    Returns
    -------
    crimecast.data.store.ImportSummary

    Raises
    ------
    DataError
        Naming the file, row and column of the first bad value, or an area column of several forces (nothing is
        written).
    UsageError
        For ``areas="peers"`` (:func:`import_rates_csv`).
    """
    from crimecast.data.illustrative import illustrative_notice
    from crimecast.data.store import check_name, save_rates, sha256_of

    check_name(name)
    rates = import_rates_csv(path, columns=columns, areas=areas)
    notice = illustrative_notice([sha256_of(Path(path))], rates["area"].unique(), rates=True)
    return save_rates(rates, name=name, path=Path(path), store=store, replace=replace, illustrative=notice)

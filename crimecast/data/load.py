"""Reading counts from the embedded dataset or any CSV into the data contract."""

from __future__ import annotations

import re
import shlex
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from crimecast.data.months import parse_months, parse_quarters
from crimecast.data.frequency import MONTHLY, QUARTERLY, last_complete_period
from crimecast.data.home_office import refuse_rolling_totals
from crimecast.data.layouts import other_importer
from crimecast.data.illustrative import illustrative_notice
from crimecast.data.read import is_month_label, missing_column, read_table
from crimecast.data.schema import DEFAULT_FILL, DEFAULT_MAX_GAP, ROW, FillMissing, clean_counts, validate
from crimecast.data.force_ends import forces_in, is_force_column, keyed_as_forces, parents_in, top_forces
from crimecast.data.shared import FrozenDict, FrozenList
from crimecast.data.category_maps import HOME_OFFICE, POLICE_UK, map_frame, near_miss, read_map_file, shipped_for
from crimecast.data.slugs import force_slug, slugify
from crimecast.data.store import ImportedData, SourceFile, StoredDataset, sha256_of
from crimecast.errors import DataError
from crimecast.words import plural

DEFAULT_DATASET = "west-midlands"
EMBEDDED_DATASETS: dict[str, str] = {
    "west-midlands": "west-midlands.csv",
    "west-midlands-domestic-abuse": "west-midlands-domestic-abuse.csv",
}
SINGLE_AREA = "force"

# Header names recognised without a mapping option (compared as slugs).
DATE_NAMES = ("month", "date", "period", "month-start", "ds")
VALUE_NAMES = ("count", "counts", "value", "crimes", "offences", "number-of-offences", "y")
CATEGORY_NAMES = ("category", "crime-type", "offence", "offence-group", "crime-category", "majortext")
AREA_NAMES = ("area", "district", "borough", "boroughname", "force", "force-name", "local-authority", "pfa")


@dataclass(frozen=True)
class ColumnMap:
    """Which CSV columns hold the month, count, category and area.

    ``None`` means: look for a usual name (``month``, ``count``, ...). With
    ``wide=True`` the months are column headers and ``date_col`` is unused.
    ``minor_col`` names a second category level (London's minor categories):
    both levels are kept, the major ones counted in total recorded crime.
    """

    date_col: str | None = None
    value_col: str | None = None
    category_col: str | None = None
    area_col: str | None = None
    quarter_col: str | None = None
    wide: bool = False
    quarterly: bool = False
    category_name: str | None = None
    minor_col: str | None = None


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.exists() and not path.suffix:
        raise DataError(f"{path}: no such file, embedded dataset or stored dataset. Check the path; "
                        f"embedded datasets: {', '.join(EMBEDDED_DATASETS)}; stored ones: `forecast data list`.")
    frame = read_table(path)
    refuse_rolling_totals(frame, path)
    return frame


def _find_column(frame: pd.DataFrame, given: str | None, usual: tuple[str, ...], *, option: str, source: str) -> str | None:
    if given is not None:
        if given not in frame.columns:
            raise missing_column(given, list(frame.columns), option=option, source=source)
        return given
    for column in frame.columns:
        if slugify(column) in usual:
            return column
    return None


_LOOKS_LIKE_MONTH = re.compile(r"(19|20)[0-9]{2}[-/ ]?[0-9]{2}")  # a header such as 201913 or 2019-00


def _other_importer(frame: pd.DataFrame, source: str) -> str:
    """The importer that reads a file of another layout (police.uk's street files, a Home Office open data table),
    named with the command that imports it; else an empty string."""
    pointer = other_importer(frame.columns, shlex.quote(source), among=("police-uk", "home-office"))
    return f" {pointer}" if pointer else ""


def _melt_wide(frame: pd.DataFrame, id_cols: list[str], *, source: str) -> pd.DataFrame:
    """Months as column headers -> one row per (id columns, month); other columns are ignored."""
    month_cols = [c for c in frame.columns if c not in id_cols and c != ROW and is_month_label(c)]
    mistyped = [c for c in frame.columns if c not in month_cols and _LOOKS_LIKE_MONTH.fullmatch(str(c).strip())]
    if mistyped:
        raise DataError(f"{source}, header: column '{mistyped[0]}' looks like a month but is not one (months run 01 to 12). "
                        "Correct the header (e.g. 201304 or 2013-04) or remove the column; it would otherwise be left out.")
    if not month_cols:
        raise DataError(f"{source}: --wide was given but no column header is a month (like 2013-04 or 201304)."
                        f"{_other_importer(frame, source)}")
    long = frame.melt(id_vars=[*id_cols, ROW], value_vars=month_cols, var_name="_month_label", value_name="_value")
    long["_month"] = parse_months(long["_month_label"], where=f"{source}, header").to_numpy()
    return long


def _tidy_from_csv(path: Path, columns: ColumnMap) -> tuple[pd.DataFrame, str | None, list[str], pd.DataFrame, list[str]]:
    """The file as ``month, area, category, count`` (source category names kept), its area column and notes; then
    what :func:`_check_duplicate_key` names a second row by: the file as read (one row per file row, before a wide
    file is melted) and the columns read as a row's key."""
    source = str(path)
    frame = _read_csv(path)
    as_read = frame  # one row per file row, before a wide file is melted
    notes: list[str] = []
    category_col = _find_column(frame, columns.category_col, CATEGORY_NAMES, option="--category-col", source=source)
    area_col = _find_column(frame, columns.area_col, AREA_NAMES, option="--area-col", source=source)
    minor_col = _find_column(frame, columns.minor_col, (), option="--minor-col", source=source) if columns.minor_col else None
    id_cols = [c for c in (category_col, area_col, minor_col) if c]
    if columns.wide:
        long = _melt_wide(frame, id_cols, source=source)
        month_values, value_col = long["_month"], "_value"
        frame = long
    else:
        date_col = _find_column(frame, columns.date_col, DATE_NAMES, option="--date-col", source=source)
        value_col = _find_column(frame, columns.value_col, VALUE_NAMES, option="--value-col", source=source)
        if date_col is None or value_col is None:
            missing = "--date-col" if date_col is None else "--value-col"
            remedy = _other_importer(frame, source) or f" Name it with {missing}; if months are column headers, pass --wide."
            raise DataError(f"{source}: cannot tell which column holds the {'month' if date_col is None else 'count'}."
                            f"{remedy}")
        if columns.quarterly:
            labels = frame[date_col]
            if columns.quarter_col:
                quarter_col = _find_column(frame, columns.quarter_col, (), option="--quarter-col", source=source)
                labels = frame[date_col] + " Q" + frame[quarter_col].str.replace("Q", "", case=False)
            month_values = parse_quarters(labels, where=f"{source}, column {date_col}", rows=frame[ROW])
        else:
            month_values = parse_months(frame[date_col], where=f"{source}, column {date_col}", rows=frame[ROW])
    tidy = pd.DataFrame({
        "month": month_values.to_numpy(),
        "area": frame[area_col].map(slugify) if area_col else SINGLE_AREA,
        "category": frame[category_col].str.strip() if category_col else (columns.category_name or path.stem),
        "count": frame[value_col],
        "minor": frame[minor_col].str.strip() if minor_col else None,
        ROW: frame[ROW],
        "_column": frame["_month_label"] if columns.wide else value_col,  # where each count is, for errors
    })
    tidy.attrs["category_col"] = category_col
    if area_col:  # each area's name as written (kept for a force column: an extension by another force is caught)
        tidy.attrs["area_names"] = dict(zip(tidy["area"], frame[area_col].astype(str).str.strip()))
    if not area_col:
        notes.append(f"{source}: no area column found, so the file is read as one area '{SINGLE_AREA}' (name one with --area-col).")
    else:
        tidy, notes = _without_blank_areas(tidy, frame[area_col], area_col, source=source, notes=notes)
    tidy["count"] = clean_counts(tidy, source, column=tidy["_column"])
    tidy = tidy.drop(columns="_column")
    return tidy, area_col, notes, as_read, [c for c in (area_col, category_col, minor_col) if c]


def _without_blank_areas(tidy: pd.DataFrame, areas: pd.Series, area_col: str, *, source: str,
                         notes: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Rows whose area is blank (police.uk counts with no location) left out, and said so with a count."""
    blank = areas.fillna("").astype(str).str.strip().eq("").to_numpy()
    if not blank.any():
        return tidy, notes
    crimes = pd.to_numeric(tidy.loc[blank, "count"], errors="coerce").fillna(0).sum()
    first = int(tidy.loc[blank, ROW].iloc[0])
    note = (f"{source}: {int(blank.sum()):,} rows ({crimes:,.0f} crimes; the first at row {first}) have a blank "
            f"{area_col} and are left out: they belong to no area, so area totals leave them out too. Give them an "
            "area in the file (e.g. unknown) to keep them.")
    return tidy[~blank].reset_index(drop=True), [*notes, note]


def _mapped_by(names: list[str], category_map: str | Path | None) -> tuple[str, str]:
    """How the file's category ``names`` become the categories stored (as :func:`_category_map` maps them: by a
    ``--category-map`` file, by a shipped map, or as their slugs), and how to keep two apart, for a message on two
    names that become one."""
    if category_map:
        return f" by {category_map}", f"correct {category_map} if they are different crimes"
    keep_apart = "correct the file's names, or map them apart with --category-map FILE, if they are different crimes"
    if shipped_for(names, POLICE_UK) is not None:
        return " by the police.uk map", keep_apart
    if shipped_for(names, HOME_OFFICE) is not None:
        return " by the Home Office map", keep_apart
    return ", differing only in case or punctuation", keep_apart


def _check_duplicate_key(tidy: pd.DataFrame, frame: pd.DataFrame, read: list[str], *, source: str,
                         area_key: Callable[[str], str] = str, stored: dict[str, str] | None = None,
                         mapped_by: tuple[str, str] = ("", "")) -> None:
    """A second row for a (month, area, category), naming both rows and any column that tells them apart, its
    area by ``area_key`` of it and its category as ``stored`` maps the file's name (``mapped_by``): the keys the
    store and commands name them by (``merseyside``, not ``merseyside-police``; the category a ``--category-map``
    maps it to). Two of the file's categories mapped to one are such rows too, and are named with both names."""
    keys = ["month", "area", "category", "minor"]
    written = tidy["category"]  # a slug per name, not per row (a file read with --data is read by every command)
    keyed = tidy.assign(category=written.map(stored or {}).fillna(written.map({n: slugify(n) for n in written.unique()})))
    dup = keyed.duplicated(keys, keep=False)
    if not dup.any():
        return
    twins = keyed[dup].sort_values([ROW, "month"], kind="stable")
    second = twins[twins.duplicated(keys, keep="first")].iloc[0]
    first = twins[(twins[keys[:3]] == second[keys[:3]]).all(axis=1)].iloc[0]
    rows = f"row {int(first[ROW])}", f"row {int(second[ROW])}"
    where = f"{source}, {rows[1]}: a second count for {second['category']} in {area_key(second['area'])} in " \
            f"{pd.Timestamp(second['month']):%Y-%m} (the first is {rows[0]})"
    names = tidy.at[first.name, "category"], tidy.at[second.name, "category"]
    if names[0] != names[1]:  # two of the file's categories mapped to one
        how, fix = mapped_by
        raise DataError(f"{where}: {rows[0]}'s category '{names[0]}' and {rows[1]}'s '{names[1]}' are both read as "
                        f"{second['category']}{how}. Each (month, area, category) may appear once: {fix}; pass "
                        "--sum-duplicates to add them together if they are parts of one category.")
    raw = frame.set_index(ROW)
    ignored = [c for c in frame.columns if c not in (*read, ROW) and not is_month_label(c)
               and raw.at[first[ROW], c] != raw.at[second[ROW], c] and slugify(c) not in VALUE_NAMES]
    if ignored:
        column = ignored[0]
        raise DataError(f"{where}. The two rows differ in column '{column}' ('{raw.at[first[ROW], column]}' and "
                        f"'{raw.at[second[ROW], column]}'), which this import does not read: its key is (month, "
                        f"{', '.join(read)}). --sum-duplicates adds such rows together: right when they are parts of one "
                        f"count (minor categories of a major one; a local authority's crimes recorded by different "
                        f"forces); otherwise split the file by {column} and import each part.")
    raise DataError(f"{where}. Each (month, area, category) may appear once; remove the duplicate, or pass "
                    "--sum-duplicates to add such rows together (e.g. minor categories into a major one).")


def _category_map(names: list[str], map_file: str | Path | None, *, source: str) -> tuple[pd.DataFrame, list[str]]:
    if map_file:
        return map_frame(read_map_file(Path(map_file)), names), [f"categories mapped by {map_file}."]
    police_uk = shipped_for(names, POLICE_UK)  # whatever the case and punctuation: burglary, anti-social-behaviour
    if police_uk is not None:
        return map_frame(police_uk, names), [f"{source}: the categories are police.uk crime types, so the police.uk map "
                                             "is used: total recorded crime leaves out anti-social behaviour."]
    home_office = shipped_for(names, HOME_OFFICE)
    if home_office is not None:
        return map_frame(home_office, names), []
    return map_frame({}, names), []


def _refuse_near_miss(tidy: pd.DataFrame, *, source: str) -> None:
    """A category mistyped in the file (``Burglery`` among police.uk crime types), named by its first row.

    Read as it stands it would be a category of its own, the months it holds would be missing from the real one
    (and filled in), and the shipped map would not be used for any category (anti-social behaviour would count in
    total recorded crime), all without a word.
    """
    column = tidy.attrs.get("category_col")
    miss = near_miss(list(tidy["category"].unique())) if column else None
    if miss is None:
        return
    name, like, key = miss
    rows = tidy.loc[tidy["category"] == name, ROW]
    kind = "police.uk crime type" if key == "police-uk" else "Home Office offence group"
    others = "police.uk crime types" if key == "police-uk" else "Home Office offence groups"
    more = f" (and {len(rows) - 1} more {plural(len(rows) - 1, 'row')} like it)" if len(rows) > 1 else ""
    raise DataError(f"{source}, row {int(rows.min())}{more}, column {column}: '{name}' is not a {kind}; did you mean "
                    f"'{like}'? The file's other categories are {others}; read as it stands, '{name}' would be a "
                    f"category of its own and the {key} map would not be used. Correct the row, or pass "
                    f"--category-map FILE to map the categories yourself.")


def _with_minor_level(tidy: pd.DataFrame, categories: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Minor categories kept beside their major ones (each major the sum of its minors); only the
    major ones count in total recorded crime."""
    majors = set(categories["category"])
    minor = tidy["minor"].map(slugify)
    minor = minor.where(~minor.isin(majors), minor + "-minor")
    first = tidy.assign(minor_slug=minor).drop_duplicates("minor_slug")
    rows = pd.DataFrame({"source_name": first["minor"], "category": first["minor_slug"], "in_total": False,
                         "note": "minor category of " + first["category"]})
    major = tidy.groupby(["month", "area", "category"], as_index=False).agg(count=("count", "sum"), **{ROW: (ROW, "min")})
    return pd.concat([major.assign(minor=None), tidy.assign(category=minor)], ignore_index=True), \
        pd.concat([categories, rows], ignore_index=True)


def _areas_relation(tidy: pd.DataFrame, area_col: str | None, areas: str | None, *, source: str) -> tuple[str, list[str]]:
    several = tidy["area"].nunique() > 1
    if areas:
        return areas, []
    if several and is_force_column(area_col):
        return "peers", [f"{source}: the areas in column '{area_col}' are read as separate forces (peers): no total over "
                         "them is formed. Pass --areas parts if they are districts of one force."]
    if several:
        return "parts", [f"{source}: the areas are read as districts of one force, whose total is area '{SINGLE_AREA}'. "
                         "Pass --areas peers if they are separate forces."]
    return "parts", []


def import_csv(path: str | Path, *, columns: ColumnMap | None = None, sum_duplicates: bool = False,
               areas: str | None = None, category_map: str | Path | None = None) -> ImportedData:
    """Read a CSV or Excel file of counts (any layout the column mapping describes).

    Parameters
    ----------
    path
        The file.
    columns
        Where the month, count, category and area are; wide or quarterly.
    sum_duplicates
        Add together rows with the same period, area and category.
    areas
        ``"parts"`` (districts of one force, totalled as ``force``) or
        ``"peers"`` (separate forces, never summed); by default peers when
        the area column is a force column, else parts.
    category_map
        A CSV mapping source categories to slugs and total recorded crime;
        by default police.uk crime types and Home Office offence groups are
        recognised, and anything else keeps its own name, all in the total.

    Returns
    -------
    ImportedData
        Counts (not yet validated), categories, hierarchy and provenance.

    Raises
    ------
    DataError
        Naming the file, row and column at fault and how to fix it.
    """
    path = Path(path)
    columns = columns or ColumnMap()
    source = str(path)
    tidy, area_col, notes, as_read, read = _tidy_from_csv(path, columns)
    area_names = tidy.attrs.get("area_names", {})
    if not category_map:  # a misspelt row first: read as it stands it changes how every category is mapped
        _refuse_near_miss(tidy, source=source)
    names = sorted(tidy["category"].unique())
    categories, map_notes = _category_map(names, category_map, source=source)  # a map file read once
    stored = categories.set_index("source_name")["category"]
    relation, area_notes = _areas_relation(tidy, area_col, areas, source=source)  # summing keeps the areas
    keyed = keyed_as_forces(area_col, tidy["area"], peers=relation == "peers")
    if not sum_duplicates:  # a second row named by the keys it would be stored under
        _check_duplicate_key(tidy, as_read, read, source=source,
                             area_key=force_slug if keyed else str, stored=stored.to_dict(),
                             mapped_by=_mapped_by(names, category_map))
    tidy["category"] = tidy["category"].map(stored)
    if columns.minor_col:
        tidy, categories = _with_minor_level(tidy, categories)
    tidy = tidy.drop(columns="minor")
    if sum_duplicates:
        tidy = tidy.groupby(["month", "area", "category"], as_index=False).agg(count=("count", "sum"), **{ROW: (ROW, "min")})
    force_column = is_force_column(area_col)
    if keyed:  # forces, named as police.uk's files name them
        tidy["area"] = tidy["area"].map(force_slug)
        area_names = {force_slug(slug): name for slug, name in area_names.items()}
    whole = SINGLE_AREA if relation == "parts" else None
    level = "force" if relation == "peers" or tidy["area"].nunique() == 1 else "district"
    hierarchy = pd.DataFrame({"area": sorted(tidy["area"].unique()), "name": None,
                              "parent": None if relation == "peers" or level == "force" else whole, "level": level})
    if force_column and level == "force":
        hierarchy["name"] = hierarchy["area"].map(area_names)  # named forces: see store._check_same_areas
    return ImportedData(kind="csv", counts=tidy, frequency=(QUARTERLY if columns.quarterly else MONTHLY).name,
                        areas=relation, whole=whole, categories=categories.drop_duplicates("category"), hierarchy=hierarchy,
                        files=[SourceFile(str(path), sha256_of(path), rows=len(tidy))], notes=notes + map_notes + area_notes)


def embedded_notice(*, rates: bool = False) -> str:
    """The notice every command gives on the embedded datasets: they are illustrative.

    Read from the assumptions file all of them are generated from.

    Parameters
    ----------
    rates
        The notice over the embedded rate series (satisfaction rates, not counts of crime).

    Returns
    -------
    str
        The notice, as the datasets' ``attrs["notice"]`` hold it.
    """
    text = resources.files("crimecast.data").joinpath("demo", "west-midlands.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["dataset"]["rates_notice" if rates else "notice"]


def counts_from(data: ImportedData | StoredDataset, *, source: str, fill_missing: FillMissing = DEFAULT_FILL,
                max_gap: int = DEFAULT_MAX_GAP, keep_outliers: bool = False,
                as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Validate imported or stored counts and attach what they mean as ``attrs``.

    ``attrs``: ``source``, ``illustrative``, ``notice``, ``notes``,
    ``frequency``, ``filled``, ``areas`` (parts or peers), ``whole``,
    ``total_categories``, ``category_notes``, ``kind``, ``parents``, ``forces``
    (the forces of a dataset of named forces as peers: :mod:`crimecast.data.force_ends`),
    ``whole_key`` (the force key of a one-force dataset's whole, ``--area`` finds it by), ``whole_name`` (the name
    its files give that force, which titles call the whole by).

    With ``as_of`` (the data as it stood at the end of that month), periods
    after it are left out before gaps are filled or series left out for them
    (a replay's gaps are those it had then), and ``attrs["held"]`` keeps each
    area's last period held, for :func:`crimecast.data.sources.cut_at` to say
    what was not used. An ``as_of`` before the data starts cuts nothing here
    (``cut_at`` refuses it).
    """
    frequency = QUARTERLY if data.frequency == QUARTERLY.name else MONTHLY
    listed_by = f"`forecast data show {data.name} --gaps`" if isinstance(data, StoredDataset) else ""
    last = None if as_of is None or data.counts.empty else last_complete_period(as_of, frequency)
    until = last if last is not None and last >= data.counts["month"].min() else None
    valid = validate(data.counts, source=source, fill_missing=fill_missing, max_gap=max_gap, frequency=frequency,
                     drop_unfillable=fill_missing != "error", keep_outliers=keep_outliers, listed_by=listed_by,
                     until=until)
    if until is not None:
        valid.attrs["held"] = FrozenDict(data.counts.groupby(data.counts["area"].astype(str))["month"].max())
    categories = data.categories
    in_total = categories.loc[categories["in_total"].astype(bool), "category"].tolist()
    valid.attrs.update(source=source, illustrative=data.illustrative is not None, notice=data.illustrative or "",
                       kind=data.kind,
                       notes=(list(data.notes) if isinstance(data, ImportedData) else []) + valid.attrs["notes"],
                       areas=data.areas, whole=data.whole,
                       total_categories=None if len(in_total) == len(categories) else in_total,
                       category_notes=FrozenDict({r.category: r.note for r in categories.itertuples() if r.note}),
                       parents=FrozenDict(parents_in(data.hierarchy)),
                       forces=FrozenList(forces_in(data.hierarchy, areas=data.areas, kind=data.kind,
                                                   options=data.options)),
                       whole_key=_whole_key(data), whole_name=_whole_name(data))
    return valid


def _whole_name(data: ImportedData | StoredDataset) -> str | None:
    """The name of the one force a dataset of parts is, as its files give it (police.uk's street files of one force:
    ``City of London Police``; a counts file of one force), for titles (:func:`crimecast.data.series.whole_title`);
    ``None`` for any other dataset (districts with an unnamed whole, peers)."""
    if data.areas != "parts":
        return None
    named = top_forces(data.hierarchy).dropna(subset=["name"])
    return str(named["name"].iloc[0]) if len(named) == 1 else None


def _whole_key(data: ImportedData | StoredDataset) -> str | None:
    """The force key of a one-force dataset whose force is its whole (police.uk's files of one force: area ``force``,
    named), so ``--area avon-and-somerset`` finds it as a dataset of several forces would; else ``None``."""
    if data.areas != "parts" or data.whole is None:
        return None
    named = data.hierarchy[(data.hierarchy["area"] == data.whole) & data.hierarchy["name"].notna()]
    key = force_slug(named["name"].iloc[0]) if len(named) else None
    return key if key and key not in set(data.hierarchy["area"]) else None


def data_option(source: str) -> str:
    """The option that reads ``source`` (a file's ``data:``, a saved forecast's data): ``--data`` for a file or an
    embedded dataset, else ``--dataset`` (a stored dataset)."""
    return "--data" if source in EMBEDDED_DATASETS or Path(source).exists() else "--dataset"


def load_counts(
    source: str | Path = DEFAULT_DATASET,
    *,
    columns: ColumnMap | None = None,
    sum_duplicates: bool = False,
    fill_missing: FillMissing = DEFAULT_FILL,
    max_gap: int = DEFAULT_MAX_GAP,
    areas: str | None = None,
    category_map: str | Path | None = None,
    keep_outliers: bool = False,
    as_of: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Load crime counts from an embedded dataset or a file into the validated data contract.

    Parameters
    ----------
    source
        The name of an embedded dataset (``"west-midlands"``) or a CSV or
        Excel path. (Stored datasets: :func:`crimecast.data.sources.open_counts`.)
    columns
        Where the month, count, category and area are in a file, whether the
        file is wide (months as column headers) or quarterly (kept as quarters).
    sum_duplicates
        Add together rows with the same (month, area, category) instead of
        rejecting them, e.g. minor categories read as their major category.
    fill_missing, max_gap
        What to do with periods missing inside a series (see
        :func:`crimecast.data.schema.fill_missing_months`).
    areas, category_map
        See :func:`import_csv`.
    keep_outliers
        Keep counts far above their series (refused by default as likely
        typing errors; see :func:`crimecast.data.schema.validate`).
    as_of
        Decide gaps on the data up to this month (see :func:`counts_from`);
        the embedded datasets have none. Cutting the data is
        :func:`crimecast.data.sources.cut_at`'s.

    Returns
    -------
    pandas.DataFrame
        Columns ``month, area, category, count``; ``attrs`` as
        :func:`counts_from` describes.

    Raises
    ------
    DataError
        With the file, row and column at fault and how to fix it.

    Examples
    --------
    >>> counts = load_counts("west-midlands")
    >>> sorted(counts["area"].unique())[:2]
    ['birmingham', 'coventry']
    """
    name = str(source)
    if name in EMBEDDED_DATASETS:
        path = resources.files("crimecast.data").joinpath("demo", EMBEDDED_DATASETS[name])
        with resources.as_file(path) as csv_path:
            imported = import_csv(Path(csv_path), areas="parts")
        imported.notes = [n for n in imported.notes if "districts of one force" not in n]
        valid = counts_from(imported, source=name, fill_missing="error")
        valid.attrs.update(illustrative=True, notice=embedded_notice(), kind="embedded")
        return valid
    imported = import_csv(Path(name), columns=columns, sum_duplicates=sum_duplicates, areas=areas, category_map=category_map)
    # A shipped example read directly (--data burglary.csv) is as illustrative as one imported into the store.
    imported.illustrative = illustrative_notice([f.sha256 for f in imported.files],
                                                [*imported.hierarchy["name"], *imported.hierarchy["area"]])
    return counts_from(imported, source=name, fill_missing=fill_missing, max_gap=max_gap, keep_outliers=keep_outliers,
                       as_of=as_of)

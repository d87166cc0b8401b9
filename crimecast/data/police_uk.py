"""data.police.uk street-level archives -> monthly counts by crime type and area.

The standard download is a zip of monthly folders holding
``YYYY-MM-<force>-street.csv`` (one row per crime or ASB incident), with
``-outcomes`` and ``-stop-and-search`` files beside them. DuckDB reads and
groups the street files, so a national year (about six million rows) is
counted in bounded memory.

What the real files hold, and what is done with it:

- anti-social behaviour rows have no Crime ID: counted as their own series,
  outside total recorded crime;
- rows with no LSOA (no location) are counted at force level only;
- LSOAs in local authorities outside a force's own area are kept as areas of
  their own and reported;
- a month in the archive with no rows of a crime type is a true zero; a month
  missing from the archive is missing (left as a gap).
"""

from __future__ import annotations

import re
import shlex
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crimecast.data.category_maps import POLICE_UK, map_frame
from crimecast.data.layouts import STREET_HEADER, other_importer
from crimecast.data.slugs import area_label, force_slug, renamed_note, slugify
from crimecast.data.store import ONE_FORCE_NOTE, ImportedData, SourceFile, sha256_of
from crimecast.errors import DataError
from crimecast.words import counted, plural

STREET_COLUMNS_SQL = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in STREET_HEADER) + "}"  # read_csv's columns=
STREET_FILE = re.compile(r"(\d{4}-\d{2})-([a-z0-9-]+)-street\.csv$")
SKIPPED_FILE = re.compile(r"-(outcomes|stop-and-search)\.csv$")
AREA_LEVELS = ("force", "local-authority", "lsoa")
WHOLE = "force"
# A local authority counts as a force's own when it holds at least this share of the
# located crimes of the force's largest local authority; the rest are reported as outside.
OWN_AREA_SHARE = 0.10


@dataclass
class _Collected:
    street: list[Path]
    sources: list[SourceFile]
    skipped: int
    origins: list[str]  # each street file's source (the file itself, or the archive it came from)

    def used(self, dropped) -> list[SourceFile]:
        """The sources a street file was read from, those whose every street file was ``dropped`` (paths: byte-
        identical copies left out) left out as well."""
        read = {Path(o).resolve() for f, o in zip(self.street, self.origins) if str(f) not in dropped}
        return [s for s in self.sources if Path(s.path).resolve() in read]


def _check_header(path: Path, shown: str) -> None:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            header = handle.readline().strip()
    except UnicodeDecodeError:
        raise DataError(f"{shown}: not UTF-8 text. Street files from data.police.uk are UTF-8; download it again.") from None
    if not header:
        raise DataError(f"{shown}: the file is empty. Download that month again from data.police.uk, or leave the file out.")
    columns = tuple(c.strip().strip('"') for c in header.split(","))
    renamed = [(i, c, s) for i, (c, s) in enumerate(zip(columns, STREET_HEADER), start=1) if c != s]
    if columns != STREET_HEADER and len(columns) == len(STREET_HEADER) and len(renamed) <= len(STREET_HEADER) // 2:
        listed = "; ".join(f"column {i} is '{c}', not '{s}'" for i, c, s in renamed)
        raise DataError(f"{shown}: the header differs from the police.uk street layout ({listed}). Rename it back "
                        "(street files are read by their standard header), or download the file again.")
    if columns != STREET_HEADER:
        raise DataError(f"{shown}: not a police.uk street file (its header is '{header[:80]}'). "
                        f"Street files start: {','.join(STREET_HEADER[:4])},... "
                        + other_importer(columns, shlex.quote(shown) if shown == str(path) else "FILE",  # FILE: in a zip
                                         among=("home-office", "csv")))


def _extract_zip(path: Path, folder: Path) -> tuple[list[Path], int]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise DataError(f"{path}: not a readable zip archive ({error}). Download it again from data.police.uk.") from None
    street, skipped = [], 0
    folder = folder / f"{sum(1 for _ in folder.iterdir()):03d}-{path.name}"  # each archive its own: names may repeat
    folder.mkdir()
    with archive:
        for member in archive.infolist():
            name = Path(member.filename).name
            if SKIPPED_FILE.search(name):
                skipped += 1
            elif STREET_FILE.search(name):
                target = folder / f"{len(street):05d}-{name}"
                try:
                    with archive.open(member) as source, open(target, "wb") as sink:
                        shutil.copyfileobj(source, sink, 1 << 20)
                except (zipfile.BadZipFile, OSError, EOFError) as error:
                    raise DataError(f"{path}: {member.filename} is damaged in the archive ({error}). "
                                    "Download the archive again.") from None
                street.append(target)
    return street, skipped


def collect_street_files(paths: list[Path], folder: Path) -> _Collected:
    """Street CSVs from zips, folders or files (zips extracted into ``folder``).

    Raises
    ------
    DataError
        When a path is missing, a zip is damaged, or no street file is found.
    """
    street: list[Path] = []
    sources: list[SourceFile] = []
    origins: list[str] = []
    skipped = 0
    given = set()
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise DataError(f"{path}: no such file or folder.")
        if path.resolve() in given:
            continue  # named twice: read once
        given.add(path.resolve())
        if path.is_dir():
            files = sorted(path.rglob("*.csv"))
            skipped += sum(1 for f in files if SKIPPED_FILE.search(f.name))
            found = [f for f in files if STREET_FILE.search(f.name)]
            street += found
            origins += [str(f) for f in found]
            sources += [SourceFile(str(f), sha256_of(f)) for f in found]
        elif path.suffix.lower() == ".zip":
            found, skipped_here = _extract_zip(path, folder)
            if not found:
                raise DataError(f"{path}: the archive holds no street files (YYYY-MM-<force>-street.csv). "
                                "On data.police.uk, tick 'Include crime data' when downloading.")
            street += found
            origins += [str(path)] * len(found)
            skipped += skipped_here
            sources.append(SourceFile(str(path), sha256_of(path)))
        else:
            street.append(path)
            origins.append(str(path))
            sources.append(SourceFile(str(path), sha256_of(path)))
    unique = {f.resolve(): f for f in reversed(street)}  # a file named twice (or inside a folder also named) is read once
    origins = [o for f, o in zip(street, origins) if unique.get(f.resolve()) is f]
    street = [f for f in street if unique.get(f.resolve()) is f]
    sources = list({Path(s.path).resolve(): s for s in reversed(sources)}.values())[::-1]
    if not street:
        raise DataError(f"no police.uk street files in {', '.join(map(str, paths))}. "
                        "Give the downloaded zip, its folder, or the YYYY-MM-<force>-street.csv files.")
    for path in street:
        _check_header(path, _shown(path, folder))
    return _Collected(street, sources, skipped, origins)


def _connect(memory_limit: str):
    import duckdb

    connection = duckdb.connect()
    connection.execute(f"SET memory_limit = '{memory_limit}'")
    connection.execute("SET preserve_insertion_order = false")
    return connection


def _area_expression(level: str, lookup: bool) -> str:
    if lookup:
        return "lookup.area"
    if level == "lsoa":
        return "lower(lsoa_code)"
    return "regexp_replace(trim(lsoa_name), '\\s+\\S+$', '')"


_ANY_CELL_SQL = "trim(concat_ws('', " + ", ".join(f'"{c}"' for c in STREET_HEADER) + ")) <> ''"  # not a blank row


def _shown(path: Path, folder: Path) -> str:
    """A street file as the user knows it: one extracted from an archive as ``archive.zip: name.csv`` (without the
    prefixes that keep extracted files apart)."""
    if path.parent.parent != folder:
        return str(path)
    return f"{path.parent.name.split('-', 1)[1]}: {path.name.split('-', 1)[1]}"


def _read_rows(connection, files: list[Path], *, folder: Path) -> None:
    """The rows of every file, grouped, in the temporary table ``street`` (with each row's file); an all-blank row
    (a spreadsheet's trailing ``,,,,``) is no row."""
    import duckdb

    listed = "[" + ", ".join("'" + str(f).replace("'", "''") + "'" for f in files) + "]"
    query = (f"CREATE TEMP TABLE street AS SELECT filename, \"Month\" AS month, \"Falls within\" AS force, "
             f"nullif(trim(\"LSOA code\"), '') AS lsoa_code, nullif(trim(\"LSOA name\"), '') AS lsoa_name, "
             f"\"Crime type\" AS crime_type, count(*) AS n "
             f"FROM read_csv({listed}, header = true, auto_detect = false, columns = {STREET_COLUMNS_SQL}, quote = '\"', "
             f"escape = '\"', strict_mode = true, null_padding = false, filename = true) WHERE {_ANY_CELL_SQL} GROUP BY ALL")
    try:
        connection.execute(query)
    except duckdb.Error as error:
        raise DataError(_culprit(connection, files, folder=folder, error=error)) from None
    read = {row[0] for row in connection.execute("SELECT DISTINCT filename FROM street").fetchall()}
    empty = [f for f in files if str(f) not in read]
    if empty:
        raise DataError(f"{_shown(empty[0], folder)}: a header but no rows. A police.uk street file holds a row per "
                        "crime; download that month again from data.police.uk, or leave the file out.")


def _drop_repeated_files(connection, files: list[Path], *, folder: Path) -> dict[str, str]:
    """One file per force and month: a byte-identical copy is left out (``{copy: the file kept}``; a note says so,
    :func:`_left_out`); two different files for one force's month (overlapping downloads) are refused, naming both,
    since adding them would count it twice."""
    repeated = connection.execute("SELECT force, month, list(DISTINCT filename ORDER BY filename) FROM street "
                                  "GROUP BY force, month HAVING count(DISTINCT filename) > 1 ORDER BY month, force").fetchall()
    order = {str(f): i for i, f in enumerate(files)}
    dropped: dict[str, str] = {}
    for force, month, names in repeated:
        names = sorted((n for n in names if n not in dropped), key=order.__getitem__)
        kept = names[0]
        for name in names[1:]:
            if sha256_of(Path(name)) != sha256_of(Path(kept)):
                raise DataError(
                    f"{_shown(Path(kept), folder)} and {_shown(Path(name), folder)} both hold {force}'s {month} and differ "
                    "(two downloads that overlap?). Adding them would count that month twice: give each force's month "
                    "once (the later download holds any revised counts).")
            dropped[name] = kept
    for name in dropped:
        connection.execute("DELETE FROM street WHERE filename = ?", [name])
    return dropped


def _left_out(dropped: dict[str, str], *, folder: Path) -> list[str]:
    """The import's notes on the copies left out (not listed among the dataset's files either)."""
    return [f"{_shown(Path(name), folder)} left out: the same file as {_shown(Path(kept), folder)}."
            for name, kept in dropped.items()]


_MONTH_SQL = "'^[0-9]{4}-(0[1-9]|1[0-2])$'"
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def _check_months(connection, files: list[Path], *, folder: Path) -> None:
    """Every Month is YYYY-MM: a bad one is named by file, row and column before anything is counted."""
    bad = connection.execute(f"SELECT month FROM street WHERE month IS NULL OR NOT regexp_matches(trim(month), {_MONTH_SQL}) "
                             "LIMIT 1").fetchall()
    if bad:
        raise DataError(_bad_month(files, folder=folder))


def _bad_month(files: list[Path], *, folder: Path) -> str:
    """The first row whose Month is not YYYY-MM, as a one-line error."""
    import csv

    for path in files:
        shown = _shown(path, folder)
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            for row in reader:
                if not "".join(row).strip():
                    continue  # a blank row is no row (as in _read_rows)
                value = row[1].strip() if len(row) > 1 else ""
                if not _MONTH.fullmatch(value):
                    return (f"{shown}, row {reader.line_num}, column Month: '{value}' is not a month. police.uk street "
                            "files write months as YYYY-MM (e.g. 2019-01); correct that row, or download the file "
                            "again from data.police.uk.")
    return "a police.uk street file has a Month that is not YYYY-MM; download the files again from data.police.uk."


def _culprit(connection, files: list[Path], *, folder: Path, error: Exception) -> str:
    """The first file DuckDB cannot read, with its message, for a one-line error."""
    import duckdb

    for path in files:
        try:
            connection.execute(f"SELECT count(*) FROM read_csv('{str(path).replace(chr(39), chr(39) * 2)}', header = true, "
                               f"auto_detect = false, columns = {STREET_COLUMNS_SQL}, strict_mode = true, null_padding = false)")
        except duckdb.Error as file_error:
            shown = _shown(path, folder)
            detail = " ".join(str(file_error).split())[:200]
            return (f"{shown}: cannot be read as a police.uk street file ({detail}). "
                    "It may be truncated or saved in another encoding; download it again.")
    return f"the street files cannot be read together ({str(error).splitlines()[0]})."


def _lookup_table(connection, path: Path) -> None:
    from crimecast.data.read import read_table

    frame = read_table(path)
    slugs = {slugify(c): c for c in frame.columns}
    code = next((slugs[c] for c in ("lsoa-code", "lsoa", "lsoa11cd", "lsoa21cd", "lsoacd") if c in slugs), None)
    area = next((c for c in frame.columns if c not in (code, "_row")), None)
    if code is None or area is None:
        raise DataError(f"{path}: an LSOA lookup needs a column of LSOA codes (lsoa_code) and one of area names "
                        "(e.g. csp or ward).")
    table = pd.DataFrame({"lsoa_code": frame[code].str.strip(), "area": frame[area].str.strip()})
    connection.register("lookup_frame", table)
    connection.execute("CREATE TEMP TABLE lookup AS SELECT * FROM lookup_frame")


def _grouped(connection, level: str, lookup: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    forces = connection.execute("SELECT month, force, crime_type, sum(n)::BIGINT AS count FROM street "
                                "GROUP BY ALL").df()
    if level == "force":
        return forces, pd.DataFrame(columns=["month", "force", "area", "crime_type", "count"])
    join = "JOIN lookup USING (lsoa_code)" if lookup else ""
    areas = connection.execute(f"SELECT month, force, {_area_expression(level, lookup)} AS area, crime_type, "
                               f"sum(n)::BIGINT AS count FROM street {join} WHERE lsoa_code IS NOT NULL GROUP BY ALL").df()
    return forces, areas


def _with_true_zeros(frame: pd.DataFrame, present: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Zero rows for every series in every month its force is in the archive without a row of it."""
    series = frame[keys].drop_duplicates()
    grid = series.merge(present, on="force")
    full = grid.merge(frame, on=[*keys, "month"], how="left")
    full["count"] = full["count"].fillna(0).astype("int64")
    return full


def _own_areas(areas: pd.DataFrame) -> dict[str, set[str]]:
    located = areas.groupby(["force", "area"])["count"].sum()
    own = {}
    for force, per_area in located.groupby(level="force"):
        per_area = per_area.droplevel("force")
        own[force] = set(per_area[per_area >= OWN_AREA_SHARE * per_area.max()].index)
    return own


def _notes(connection, forces: list[str], areas: pd.DataFrame, level: str, own: dict[str, set[str]]) -> list[str]:
    notes = []
    unlocated = connection.execute("SELECT force, sum(n)::BIGINT FROM street WHERE lsoa_code IS NULL GROUP BY force "
                                   "ORDER BY force").fetchall()
    if level != "force" and unlocated:
        listed = ", ".join(f"{force_slug(f)} {n:,}" for f, n in unlocated)
        notes.append(f"rows with no location (no LSOA) are counted in their force's total only: {listed}.")
    for force in forces:
        outside = sorted(set(areas.loc[areas["force"] == force, "area"]) - own.get(force, set()))
        if level == "local-authority" and outside:
            count = int(areas[(areas["force"] == force) & areas["area"].isin(outside)]["count"].sum())
            notes.append(f"{force}: {count:,} crimes in LSOAs of {len(outside)} local authorities outside its own area "
                         f"({', '.join(outside[:5])}{' ...' if len(outside) > 5 else ''}); kept as areas of their own.")
    return notes


def _area_slugs(pairs: pd.DataFrame, force_names: list[str]) -> pd.Series:
    """Slugs for unique (force, area) pairs, unique across the dataset: an area that two forces
    share, or that has a force's own name (the City of London), is told apart by a suffix."""
    slugs = pairs["area"].map(slugify)
    if len(force_names) == 1:
        return slugs.where(slugs != WHOLE, slugs + "-area")
    forces = {force_slug(f) for f in force_names}
    shared = slugs.map(slugs.value_counts()) > 1
    slugs = slugs.where(~shared, slugs + "-" + pairs["force"].map(force_slug))
    return slugs.where(~slugs.isin(forces), slugs + "-area")


def _renamed_areas(slugs: pd.DataFrame) -> list[str]:
    """A note naming the areas whose slug had to differ from their name's (``_area_slugs``), and why."""
    return renamed_note(slugs[["force", "area", "slug"]].itertuples(index=False))


def _hierarchy(forces: list[str], areas: pd.DataFrame, level: str, own: dict[str, set[str]], single: bool) -> pd.DataFrame:
    rows = [{"area": WHOLE if single else force_slug(f), "name": f, "parent": None, "level": "force"} for f in forces]
    located = areas[["force", "area", "slug"]] if "slug" in areas else areas.assign(slug=[])[["force", "area", "slug"]]
    for (force, area, slug) in located.drop_duplicates().itertuples(index=False):
        inside = area in own.get(force, set()) or level != "local-authority"
        rows.append({"area": slug, "name": area, "parent": WHOLE if single else force_slug(force),
                     "level": level if inside else f"{level} (outside the force)"})
    return pd.DataFrame(rows).drop_duplicates("area")


def import_street_files(paths: list[Path], *, area_level: str = "force", lsoa_lookup: Path | None = None,
                        memory_limit: str = "2GB", step=None) -> ImportedData:
    """Count police.uk street-level files into monthly series.

    Parameters
    ----------
    paths
        Zip archives as downloaded, folders, or ``YYYY-MM-<force>-street.csv`` files.
    area_level
        ``"force"``, ``"local-authority"`` (from the LSOA name) or ``"lsoa"``.
        Below force level the force totals are kept as well (area ``force``
        for one force; the force's own name when there are several).
    lsoa_lookup
        Optional CSV mapping LSOA codes to areas (e.g. Community Safety
        Partnerships or wards); used instead of ``area_level``.
    memory_limit
        DuckDB's memory cap while counting.
    step
        Called with a few words at each stage (for progress).

    Returns
    -------
    ImportedData
        Monthly counts (true zeros filled, missing months left out), the
        police.uk category map (anti-social behaviour outside total recorded
        crime), the area hierarchy and provenance.

    Raises
    ------
    DataError
        For a missing, damaged, truncated or wrongly encoded file.
    """
    if area_level not in AREA_LEVELS:
        raise DataError(f"unknown area level '{area_level}'; use one of {', '.join(AREA_LEVELS)}.")
    level = "lookup" if lsoa_lookup else area_level
    with tempfile.TemporaryDirectory(prefix="crimecast-police-uk-") as folder:
        collected = collect_street_files(paths, Path(folder))
        if step:
            step(f"counting the rows of {counted(len(collected.street), 'street file')} with DuckDB")
        connection = _connect(memory_limit)
        try:
            _read_rows(connection, collected.street, folder=Path(folder))
            _check_months(connection, collected.street, folder=Path(folder))
            dropped = _drop_repeated_files(connection, collected.street, folder=Path(folder))
            repeats = _left_out(dropped, folder=Path(folder))
            if lsoa_lookup:
                _lookup_table(connection, Path(lsoa_lookup))
            forces_frame, areas = _grouped(connection, level, bool(lsoa_lookup))
            present = forces_frame[["force", "month"]].drop_duplicates()
            force_names = sorted(present["force"].unique())
            own = _own_areas(areas) if len(areas) else {}
            notes = _notes(connection, force_names, areas, level, own)
            rows = int(connection.execute("SELECT sum(n) FROM street").fetchone()[0])
        finally:
            connection.close()
    single = len(force_names) == 1
    forces_full = _with_true_zeros(forces_frame, present, ["force", "crime_type"])
    forces_full["area"] = WHOLE if single else forces_full["force"].map(force_slug)
    parts = [forces_full]
    if len(areas):
        areas_full = _with_true_zeros(areas, present, ["force", "area", "crime_type"])
        slugs = areas[["force", "area"]].drop_duplicates().reset_index(drop=True)
        slugs["slug"] = _area_slugs(slugs, force_names)
        notes += _renamed_areas(slugs)
        areas = areas.merge(slugs, on=["force", "area"])
        areas_full = areas_full.merge(slugs, on=["force", "area"]).drop(columns="area").rename(columns={"slug": "area"})
        parts.append(areas_full)
    counts = pd.concat(parts, ignore_index=True)
    categories = map_frame(POLICE_UK, sorted(counts["crime_type"].unique()))
    counts["category"] = counts["crime_type"].map(categories.set_index("source_name")["category"])
    counts["month"] = pd.to_datetime(counts["month"], format="%Y-%m")
    counts = counts[["month", "area", "category", "count"]].sort_values(["category", "area", "month"], ignore_index=True)
    hierarchy = _hierarchy(force_names, areas, level, own, single)
    summary = (f"{rows:,} {plural(rows, 'row')} from {counted(len(collected.street) - len(repeats), 'street file')} of "
               f"{counted(len(force_names), 'force')}"
               + (f"; {counted(collected.skipped, 'outcomes/stop-and-search file')} skipped" if collected.skipped else ""))
    forces_text = ONE_FORCE_NOTE if single else \
        f"{len(force_names)} forces ({', '.join(area_label(force_slug(f)) for f in force_names)}) are peers, never summed"
    return ImportedData(kind="police-uk", counts=counts, frequency="month", areas="parts" if single else "peers",
                        whole=WHOLE if single else None, categories=categories, hierarchy=hierarchy,
                        files=collected.used(dropped), notes=[summary, forces_text, *repeats, *notes], true_zeros=True)

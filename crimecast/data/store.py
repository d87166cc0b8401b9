"""The embedded store: one DuckDB file holding imported datasets and their provenance.

An analyst can open the file with any DuckDB client and query it with SQL.
The tables (documented in the README, "Your own data"):

``datasets``
    One row per dataset: ``name, kind, frequency, areas, whole, fingerprint,
    created_at, updated_at, crimecast_version, notes``.
``counts``
    ``dataset, month, area, category, count``: the counts in the data
    contract. ``month`` is the first month of each period (month or quarter).
    A month missing from the source has no row; a true zero has a row of 0.
``categories``
    ``dataset, category, source_name, in_total, note``: how the source's
    categories map to crimecast's slugs and which add up to total recorded crime.
``areas``
    ``dataset, area, name, parent, level``: the area hierarchy.
``files``
    ``dataset, path, sha256, rows, imported_at, crimecast_version``: provenance.
``crimecast_meta``
    ``key, value``: marks the file as a crimecast store (``schema_version``).
``forecasts``
    One row per saved forecast (``forecast run ... --save NAME``): ``name, data,
    fingerprint, as_of, first_period, periods, frequency, paths, series, spec,
    meta, created_at, crimecast_version``. ``fingerprint`` is the SHA-256 of
    the data up to ``as_of`` (as :func:`fingerprint`); ``spec`` the forecast
    settings as JSON.
``forecast_paths``
    ``forecast, category, area, paths``: one row per bottom series of a saved
    forecast; ``paths`` is a zlib-compressed little-endian float32 array of
    ``paths`` rows by ``periods`` columns (NumPy:
    ``np.frombuffer(zlib.decompress(blob), "<f4").reshape(paths, periods)``).
``rates``
    ``dataset, month, area, category, numerator, denominator``: rate series
    (satisfied / surveyed), imported with ``--numerator-col`` and
    ``--denominator-col`` (whose names the dataset's ``options`` keep, as
    ``{"numerator": ..., "denominator": ...}``: the rate's own words). Never summed into counts; a rate is
    ``numerator / denominator`` and a force's rate ``sum(numerator) / sum(denominator)``.
    A dataset of rates only has kind ``rates`` and no rows in ``counts``.
    (Added without a schema change: older stores gain the table on their next import.)
``illustrative``
    ``dataset, notice``: datasets imported from crimecast's shipped example
    files (synthetic); every command that reports on one shows ``notice``.
    Kept when such a dataset is extended. (Added without a schema change,
    as ``rates``.)

Every import is one transaction: a failed import leaves the store as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from dataclasses import replace as copy_with
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

from crimecast.data.force_ends import ends_note, force_ends, forces_in, parents_in, ragged, top_forces
from crimecast.data.frequency import frequency_named
from crimecast.data.rate_words import rate_words
from crimecast.data.slugs import RENAMED_NOTE, force_slug, renamed_note
from crimecast.defaults import STORE_ENV
from crimecast.errors import DataError, UsageError

DEFAULT_STORE = Path("crimecast.duckdb")
SCHEMA_VERSION = "1"
LOCK_WAIT_SECONDS = 10.0

_TABLES = (
    "CREATE TABLE IF NOT EXISTS crimecast_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    "CREATE TABLE IF NOT EXISTS datasets (name VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, frequency VARCHAR NOT NULL, "
    "areas VARCHAR NOT NULL, whole VARCHAR, fingerprint VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, "
    "updated_at TIMESTAMP NOT NULL, crimecast_version VARCHAR NOT NULL, notes VARCHAR NOT NULL, options VARCHAR NOT NULL)",
    "CREATE TABLE IF NOT EXISTS counts (dataset VARCHAR NOT NULL, month DATE NOT NULL, area VARCHAR NOT NULL, "
    "category VARCHAR NOT NULL, count BIGINT NOT NULL, PRIMARY KEY (dataset, month, area, category))",
    "CREATE TABLE IF NOT EXISTS categories (dataset VARCHAR NOT NULL, category VARCHAR NOT NULL, source_name VARCHAR, "
    "in_total BOOLEAN NOT NULL, note VARCHAR, PRIMARY KEY (dataset, category))",
    "CREATE TABLE IF NOT EXISTS areas (dataset VARCHAR NOT NULL, area VARCHAR NOT NULL, name VARCHAR, parent VARCHAR, "
    "level VARCHAR, PRIMARY KEY (dataset, area))",
    "CREATE TABLE IF NOT EXISTS files (dataset VARCHAR NOT NULL, path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, "
    "rows BIGINT, imported_at TIMESTAMP NOT NULL, crimecast_version VARCHAR NOT NULL)",
)
_FORECAST_TABLES = (  # added after schema version 1 was released; created in older stores when first saved to
    "CREATE TABLE IF NOT EXISTS forecasts (name VARCHAR PRIMARY KEY, data VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL, "
    "as_of DATE NOT NULL, first_period DATE NOT NULL, periods INTEGER NOT NULL, frequency VARCHAR NOT NULL, "
    "paths INTEGER NOT NULL, series INTEGER NOT NULL, spec VARCHAR NOT NULL, meta VARCHAR NOT NULL, "
    "created_at TIMESTAMP NOT NULL, crimecast_version VARCHAR NOT NULL)",
    "CREATE TABLE IF NOT EXISTS forecast_paths (forecast VARCHAR NOT NULL, category VARCHAR NOT NULL, "
    "area VARCHAR NOT NULL, paths BLOB NOT NULL, PRIMARY KEY (forecast, category, area))",
)
_RATES_TABLE = ("CREATE TABLE IF NOT EXISTS rates (dataset VARCHAR NOT NULL, month DATE NOT NULL, area VARCHAR NOT NULL, "
                "category VARCHAR NOT NULL, numerator BIGINT NOT NULL, denominator BIGINT NOT NULL CHECK (denominator > 0), "
                "CHECK (numerator <= denominator), PRIMARY KEY (dataset, month, area, category))")

_ILLUSTRATIVE_TABLE = "CREATE TABLE IF NOT EXISTS illustrative (dataset VARCHAR PRIMARY KEY, notice VARCHAR NOT NULL)"


def crimecast_version() -> str:
    """The installed crimecast version (``"unknown"`` when run from a bare checkout)."""
    try:
        return version("crimecast")
    except PackageNotFoundError:
        return "unknown"


def store_path(store: str | Path | None = None) -> Path:
    """The store file: ``store`` if given, else ``$CRIMECAST_STORE``, else ``crimecast.duckdb`` here."""
    if store:
        return Path(store)
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks (bounded memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_FINGERPRINTED = (("month", "area", "category", "count"), ("month", "area", "category", "numerator", "denominator"))


def fingerprint(table: pd.DataFrame) -> str:
    """SHA-256 of a counts table (or a rates table: numerator and denominator, no count) in canonical order: equal
    data, equal fingerprint."""
    columns = list(_FINGERPRINTED[0] if "count" in table.columns else _FINGERPRINTED[1])
    canonical = table[columns].sort_values(["category", "area", "month"])
    text = canonical.to_csv(index=False, date_format="%Y-%m", lineterminator="\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class SourceFile:
    """One input file of an import: where it was, its SHA-256 and how many rows it held."""

    path: str
    sha256: str
    rows: int | None = None


@dataclass
class ImportedData:
    """What an importer hands to the store: counts plus their meaning.

    Attributes
    ----------
    kind
        The importer (``police-uk``, ``home-office``, ``csv``).
    counts
        ``month, area, category, count`` (validated, no duplicates).
    frequency
        ``"month"`` or ``"quarter"``.
    areas
        ``"parts"``: the areas are parts of one whole whose total is the area
        ``whole`` (computed as their sum when the source does not give it);
        ``"peers"``: separate forces, never summed.
    categories
        ``category, source_name, in_total, note``: which categories add up to
        total recorded crime.
    hierarchy
        ``area, name, parent, level``.
    true_zeros
        A period in which a force has any row is complete: a series the
        dataset knows with no row in it had no crimes (police.uk archives).
        Kept true when the dataset is extended, whatever order files come in.
    illustrative
        The notice to show when the data is illustrative (made from
        crimecast's shipped examples), else ``None``.
    """

    kind: str
    counts: pd.DataFrame
    frequency: str
    areas: str
    whole: str | None
    categories: pd.DataFrame
    hierarchy: pd.DataFrame
    files: list[SourceFile]
    notes: list[str] = field(default_factory=list)
    options: dict = field(default_factory=dict)
    true_zeros: bool = False
    illustrative: str | None = None


@dataclass(frozen=True)
class ImportSummary:
    """What an import did to the store."""

    dataset: str
    store: Path
    unchanged: bool
    periods_added: int
    values_changed: int
    series: int
    first: pd.Timestamp
    last: pd.Timestamp
    frequency: str
    seconds: float
    notes: tuple[str, ...]
    illustrative: str | None = None


def _duckdb():
    import duckdb

    return duckdb


def _is_lock_error(error: Exception) -> bool:
    text = str(error).lower()
    return "lock" in text or "conflicting" in text or "resource temporarily unavailable" in text


@contextlib.contextmanager
def connect(store: str | Path | None = None, *, write: bool = False,
            wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator:
    """Open the store, checking it is a crimecast store.

    A store in use by another process's import is waited for up to
    ``wait_seconds`` and then refused with a clear message; nothing is
    half-written either way.

    Raises
    ------
    DataError
        When the file is missing (reading), not a DuckDB file, not a crimecast
        store, or busy.
    """
    duckdb = _duckdb()
    path = store_path(store)
    if not write and not path.exists():
        raise DataError(f"no store at {path}. Import data first with `forecast data import KIND FILE... --name NAME`, "
                        f"or point at a store with --store PATH (or {STORE_ENV}).")
    if path.is_dir():
        raise DataError(f"{path} is a folder; --store needs a file such as crimecast.duckdb.")
    if write:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DataError(f"{path}: cannot create the store's folder ({error.strerror}). Choose another --store.") from None
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            connection = duckdb.connect(str(path), read_only=not write)
            break
        except duckdb.Error as error:
            if _is_lock_error(error) and time.monotonic() < deadline:
                time.sleep(0.2)
                continue
            if _is_lock_error(error):
                raise DataError(f"{path}: the store is in use by another crimecast process (an import?). "
                                "Wait for it to finish and try again.") from None
            raise DataError(f"{path}: not a crimecast store ({str(error).splitlines()[0]}). "
                            "Name another file with --store.") from None
    try:
        _check_or_create(connection, path, write=write)
        yield connection
    finally:
        connection.close()


def _check_or_create(connection, path: Path, *, write: bool) -> None:
    tables = {row[0] for row in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "crimecast_meta" not in tables:
        if tables or not write:
            raise DataError(f"{path}: a DuckDB file, but not a crimecast store (it has no crimecast_meta table). "
                            "Name another file with --store.")
        connection.execute("BEGIN TRANSACTION")
        for statement in (*_TABLES, *_FORECAST_TABLES, _RATES_TABLE, _ILLUSTRATIVE_TABLE):
            connection.execute(statement)
        connection.execute("INSERT INTO crimecast_meta VALUES ('schema_version', ?), ('created_by', ?)",
                           [SCHEMA_VERSION, f"crimecast {crimecast_version()}"])
        connection.execute("COMMIT")
        return
    row = connection.execute("SELECT value FROM crimecast_meta WHERE key = 'schema_version'").fetchone()
    if row is None or row[0] != SCHEMA_VERSION:
        raise DataError(f"{path}: a crimecast store of schema version {row[0] if row else '?'}; this crimecast reads "
                        f"version {SCHEMA_VERSION}. Import into a new store with --store.")


def _existing_counts(connection, name: str) -> pd.DataFrame:
    return connection.execute("SELECT month, area, category, count FROM counts WHERE dataset = ?", [name]).df()


def _merge(old: pd.DataFrame, new: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """New counts over old ones: (merged, periods added, values changed)."""
    if old.empty:
        return new, new["month"].nunique(), 0
    old = old.assign(month=pd.to_datetime(old["month"]))
    keyed_old = old.set_index(["month", "area", "category"])["count"]
    keyed_new = new.set_index(["month", "area", "category"])["count"]
    common = keyed_new.index.intersection(keyed_old.index)
    changed = int((keyed_new.loc[common].to_numpy() != keyed_old.loc[common].to_numpy()).sum())
    added = len(set(new["month"]) - set(old["month"]))
    merged = pd.concat([keyed_old.drop(common), keyed_new]).rename("count").reset_index()
    return merged, added, changed


def _force_of(hierarchy: pd.DataFrame) -> dict[str, str]:
    """Each area's force: a force is its own, any other area its parent's."""
    forces = {}
    for row in hierarchy.itertuples(index=False):
        forces[row.area] = row.parent if isinstance(row.parent, str) and row.level != "force" else row.area
    return forces


def with_true_zeros(counts: pd.DataFrame, hierarchy: pd.DataFrame) -> pd.DataFrame:
    """Zero rows for every series in every month its force has any row but it has none.

    The stored counts of a source whose months are complete (police.uk:
    a month in the archive without a row of a crime type had none) after
    merging an extension: categories and areas first seen in a later file
    get zeros for the earlier months, and those missing from a later file
    zeros for its months, exactly as a one-shot import of all the files.
    """
    if counts.empty:
        return counts
    counts = counts.assign(month=pd.to_datetime(counts["month"]))
    force = counts["area"].map(_force_of(hierarchy)).fillna(counts["area"])
    keyed = counts.assign(_force=force)
    present = keyed[["_force", "month"]].drop_duplicates()
    series = keyed[["_force", "area", "category"]].drop_duplicates()
    grid = series.merge(present, on="_force").merge(keyed, on=["_force", "area", "category", "month"], how="left")
    grid["count"] = grid["count"].fillna(0).astype("int64")
    return grid[["month", "area", "category", "count"]].sort_values(["category", "area", "month"], ignore_index=True)


def _union(old: pd.DataFrame, new: pd.DataFrame, key: str) -> pd.DataFrame:
    """Rows of ``new``, plus those of ``old`` whose ``key`` the new import does not mention."""
    if old.empty:
        return new
    kept = old[~old[key].isin(set(new[key]))]
    return pd.concat([new, kept], ignore_index=True).sort_values(key, ignore_index=True) if len(kept) else new


def _extended(connection, name: str, data: ImportedData, hierarchy: pd.DataFrame) -> ImportedData:
    """``data`` with the categories and areas (``hierarchy``: its ``areas`` rows) the stored dataset already knows (an
    extension keeps them)."""
    categories = connection.execute("SELECT category, source_name, in_total, note FROM categories WHERE dataset = ?",
                                    [name]).df()
    return copy_with(data, categories=_union(categories, data.categories, "category"),
                     hierarchy=_union(hierarchy, data.hierarchy, "area"))


def _forces_text(hierarchy: pd.DataFrame, areas: str, whole: str | None) -> str:
    """What a dataset's areas are, in a few words: one force (its total area ``force``) or several as peers."""
    forces = hierarchy[hierarchy["level"] == "force"]
    named = ", ".join(n if isinstance(n, str) else a for a, n in zip(forces["area"], forces["name"]))
    if areas == "parts":
        return f"one force ({named}) as area '{whole}'" if named else f"parts of one whole, area '{whole}'"
    return f"{len(forces)} forces as peers ({named})" if len(forces) else "separate areas as peers"


def _named_forces(hierarchy: pd.DataFrame) -> pd.Series:
    """The force of each area that is a named force (police.uk forces; a force column's): name by area."""
    forces = hierarchy[(hierarchy["level"] == "force") & hierarchy["name"].notna()]
    return forces.set_index("area")["name"]


ONE_FORCE_NOTE = "one force: its total is area 'force'"  # a one-force police.uk import's note (police_uk.py)


def _stored_area_of(force: str, stored: pd.DataFrame) -> str | None:
    """The area a stored dataset keeps the force named ``force`` as (names compared as force keys, so 'AVON AND SOMERSET
    CONSTABULARY' is 'Avon and Somerset Constabulary'), or ``None``."""
    top, key = top_forces(stored), force_slug(force)
    named = top.dropna(subset=["name"])
    matches = named.loc[named["name"].map(force_slug) == key, "area"]
    unnamed = top.loc[top["name"].isna() & (top["area"] == key), "area"]  # a counts file's force, stored unnamed before
    return matches.iloc[0] if len(matches) else unnamed.iloc[0] if len(unnamed) else None


def _renamed(data: ImportedData, mapping: dict[str, str], **changes) -> ImportedData:
    """``data`` with areas renamed by ``mapping`` (in its counts and in its hierarchy's areas and parents)."""
    if not mapping:
        return copy_with(data, **changes) if changes else data
    hierarchy = data.hierarchy.assign(area=data.hierarchy["area"].replace(mapping),
                                      parent=data.hierarchy["parent"].replace(mapping))
    return copy_with(data, counts=data.counts.assign(area=data.counts["area"].replace(mapping)), hierarchy=hierarchy,
                     **changes)


def _onto_stored_forces(stored: pd.DataFrame, data: ImportedData, *, areas: str, name: str) -> ImportedData:
    """``data`` with its forces under the areas dataset ``name`` keeps them as, and one force's files read as that
    force of a dataset of several.

    A force's area is its name's key (``avon-and-somerset``), whichever file named it; a store made before that keeps
    a one-force counts file's force as ``avon-and-somerset-constabulary``, and an extension adds to that area, not to a
    second one summed with it. One force's files (police.uk's, whose total is area ``force``; a counts file of one
    force) extending a dataset of several forces are that force's counts beside the others' (peers are never
    summed), as an import of several forces' files would have them: its next month may come before theirs. A
    force's districts keep the areas the dataset holds them as (:func:`_districts_onto`), whichever other forces'
    files come with them.
    """
    forces = top_forces(data.hierarchy).dropna(subset=["name"])
    districts = set(data.hierarchy["parent"].dropna())
    one_of_several = areas == "peers" and data.areas == "parts" and len(forces) == 1 and districts <= {data.whole}
    if data.areas != areas and not one_of_several:
        return data  # refused by _check_same_areas
    mapping = {}
    for area, force in zip(forces["area"], forces["name"]):
        kept = _stored_area_of(force, stored)
        if kept is not None and kept != area:
            mapping[area] = kept
        elif kept is None and one_of_several:
            mapping[area] = force_slug(force)  # a force new to the dataset: beside the others, as a peer
    if not one_of_several:
        mapping.update(_districts_onto(stored, data.hierarchy, forces=mapping, name=name))
        renamed = {a: b for a, b in mapping.items() if a != b}
        return _renamed(data, renamed, notes=_renamed_note_kept(data, renamed))
    force_area = mapping.get(forces["area"].iloc[0], forces["area"].iloc[0])
    mapping.update(_districts_onto(stored, data.hierarchy, forces={data.whole: force_area}, name=name))
    mapping.setdefault(data.whole, force_area)
    renamed = {a: b for a, b in mapping.items() if a != b}
    new = "" if _stored_area_of(forces["name"].iloc[0], stored) else ", a force new to it"
    notes = [n for n in _renamed_note_kept(data, renamed) if n != ONE_FORCE_NOTE]
    notes.append(f"one force's files ({forces['name'].iloc[0]}{new}) extend dataset '{name}' of several forces: its "
                 f"counts are area '{force_area}', beside the other forces' (peers, never summed).")
    return _renamed(data, renamed, areas="peers", whole=None, notes=notes)


def _renamed_note_kept(data: ImportedData, mapping: dict[str, str]) -> list[str]:
    """``data``'s notes, with its note on areas whose key is not their name's (``slugs.renamed_note``) saying the keys
    the dataset keeps them as (``mapping``), not the ones the import alone would have given them."""
    at = next((i for i, n in enumerate(data.notes) if n.startswith(RENAMED_NOTE)), None)
    if at is None or not mapping:
        return list(data.notes)
    hierarchy = data.hierarchy
    force_names = dict(zip(hierarchy["area"], hierarchy["name"]))
    districts = [(force_names.get(parent) or parent, district, mapping.get(area, area))
                 for area, district, parent in zip(hierarchy["area"], hierarchy["name"], hierarchy["parent"])
                 if isinstance(parent, str) and isinstance(district, str)]
    return [*data.notes[:at], *renamed_note(districts), *data.notes[at + 1:]]


def _districts_onto(stored: pd.DataFrame, hierarchy: pd.DataFrame, *, forces: dict[str, str],
                    name: str) -> dict[str, str]:
    """The areas an extension's named districts (police.uk's local authorities, LSOAs) are in the stored dataset:
    those it already holds for their force (by name), else their own, told apart from a force's name (``-area``) or
    another force's area of that name (by the force's key).

    A district's key is fixed when it is first imported: an area two forces share is told apart by a suffix only
    when both are in one import (police_uk._area_slugs), so a later month in which only one of them records
    crimes there (or a second force first does) would otherwise give it another key, and split its series in two.
    ``forces`` maps the import's force areas to the areas the dataset keeps them as (an import's own areas by default).
    """
    mapping: dict[str, str] = {}
    districts = hierarchy[hierarchy["parent"].map(lambda parent: isinstance(parent, str))
                         & hierarchy["name"].map(lambda named: isinstance(named, str))]
    if districts.empty:  # unnamed districts (a counts file's): their area is their name's key, the same every import
        return mapping
    top, held = set(top_forces(stored)["area"]), set(stored["area"])
    force_areas = [forces.get(p, p) for p in districts["parent"]]
    kept, taken = {}, {}  # per force: its districts the dataset holds (name -> area), and the areas others hold
    for force_area in dict.fromkeys(force_areas):
        if force_area in held and force_area not in top:
            raise DataError(f"dataset '{name}' holds an area '{force_area}' that is not the force of that name, so "
                            "this force's counts would be added to it. Import all the files together with --replace, "
                            "or these under another --name.")
        own = stored[stored["parent"] == force_area]
        kept[force_area], taken[force_area] = dict(zip(own["name"], own["area"])), held - set(own["area"])
    top |= set(forces.values())
    for area, district, force_area in zip(districts["area"], districts["name"], force_areas):
        own = kept[force_area]
        mapping[area] = own[district] if district in own else f"{area}-area" if area in top else \
            f"{area}-{force_area}" if area in taken[force_area] else area
    return mapping


def _check_same_areas(stored: pd.DataFrame, name: str, data: ImportedData, *, areas: str, whole: str | None) -> None:
    """An extension keeps the dataset's areas (``stored``: its ``areas`` rows): the same relation (parts of one whole,
    or peers) and, for an area both name, the same force (a second force's files would otherwise overwrite the
    first's counts)."""
    fix = ("Import all the files together with --replace, or import these under another --name." if data.kind != "csv"
           else "Put every force in one file (forces in a force column are kept apart as peers) and import it with "
                "--replace, or import this file under another --name.")
    if (areas, whole) != (data.areas, data.whole):
        raise DataError(f"dataset '{name}' holds {_forces_text(stored, areas, whole)}; this import holds "
                        f"{_forces_text(data.hierarchy, data.areas, data.whole)}, so its counts would not line up with "
                        f"the stored ones. {fix}")
    old = _named_forces(stored)
    new = _named_forces(data.hierarchy)
    # the same force written another way ("AVON AND SOMERSET CONSTABULARY", "... Police") is no clash: names are
    # compared as force keys
    clash = [(a, old[a], new[a]) for a in old.index.intersection(new.index) if force_slug(old[a]) != force_slug(new[a])]
    if clash:
        area, before, after = clash[0]
        raise DataError(f"dataset '{name}' holds {before}'s counts as area '{area}'; this import's area '{area}' is "
                        f"{after}. Adding it would overwrite one with the other. {fix}")
    known = {force_slug(force) for force in old}
    added = sorted({force for force in new if force_slug(force) not in known})
    if areas == "parts" and len(old) and added:
        raise DataError(f"dataset '{name}' holds {_forces_text(stored, areas, whole)}; this import adds "
                        f"{', '.join(added)}, which would be summed with it into area '{whole}'. {fix}")


def save_import(data: ImportedData, *, name: str, store: str | Path | None = None, replace: bool = False,
                started: float | None = None) -> ImportSummary:
    """Write an import into the store as one transaction.

    Importing the same files again changes nothing; newer periods extend the
    dataset (a period given again takes the newer count). A dataset of another
    kind or frequency under the same name is refused unless ``replace``, and so
    is an extension that changes the dataset's forces (another force's files
    for a one-force dataset, whose area ``force`` they would overwrite or be
    summed into; one force's for a dataset of peers).

    Raises
    ------
    DataError
        When the store cannot be written or the dataset would be mixed.
    """
    started = time.monotonic() if started is None else started
    with connect(store, write=True) as connection:
        existing = connection.execute("SELECT kind, frequency, areas, created_at, options, whole FROM datasets "
                                      "WHERE name = ?", [name]).fetchone()
        if existing and not replace and (existing[0], existing[1]) != (data.kind, data.frequency):
            raise DataError(f"dataset '{name}' already holds {existing[0]} data by {existing[1]}; this import is {data.kind} "
                            f"by {data.frequency}. Choose another --name, or pass --replace.")
        if existing and not replace and json.loads(existing[4]) != data.options:
            raise DataError(f"dataset '{name}' was imported with other options ({_options_text(json.loads(existing[4]))}); "
                            f"this import uses {_options_text(data.options)}. Choose another --name, or pass --replace.")
        if existing and not replace:
            stored = connection.execute("SELECT area, name, parent, level FROM areas WHERE dataset = ?", [name]).df()
            data = _onto_stored_forces(stored, data, areas=existing[2], name=name)
            _check_same_areas(stored, name, data, areas=existing[2], whole=existing[5])
        known = {row[0] for row in connection.execute("SELECT sha256 FROM files WHERE dataset = ?", [name]).fetchall()}
        if existing and not replace and all(f.sha256 in known for f in data.files):
            counts = _existing_counts(connection, name)
            return _summary(name, store, counts, data, unchanged=True, added=0, changed=0, started=started,
                            illustrative=illustrative_of(connection, name))
        old = pd.DataFrame(columns=["month", "area", "category", "count"]) if replace or not existing else _existing_counts(connection, name)
        if existing and not replace:
            data = _extended(connection, name, data, stored)
        merged, added, changed = _merge(old, data.counts)
        if data.true_zeros:
            merged = with_true_zeros(merged, data.hierarchy)
        _write(connection, name=name, data=data, merged=merged, created=None if replace or not existing else existing[3])
        notice = illustrative_of(connection, name)
    return _summary(name, store, merged, data, unchanged=False, added=added, changed=changed, started=started,
                    illustrative=notice, ends=_ends_note(merged, data))


def _ends_note(counts: pd.DataFrame, data: ImportedData) -> list[str]:
    """The note on the forces of a dataset of several that end at different periods (a force's next month imported
    before the others'), after an import: said, not stored (``forecast data list`` and ``show`` say it from the counts)."""
    forces = forces_in(data.hierarchy, areas=data.areas, kind=data.kind, options=data.options)
    ends = force_ends(counts, forces, parents_in(data.hierarchy))
    return [ends_note(ends, frequency_named(data.frequency))] if ragged(ends) else []


def _write(connection, *, name: str, data: ImportedData, merged: pd.DataFrame, created) -> None:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    stamp = crimecast_version()
    connection.execute("BEGIN TRANSACTION")
    try:
        replaced = ("files",) if created is None else ()  # a new or replaced dataset: no earlier file is in it
        for table in ("counts", "categories", "areas", "datasets", *replaced):
            connection.execute(f"DELETE FROM {table} WHERE {'name' if table == 'datasets' else 'dataset'} = ?", [name])
        rows = merged.assign(dataset=name, month=pd.to_datetime(merged["month"]).dt.date)
        connection.register("new_counts", rows[["dataset", "month", "area", "category", "count"]])
        connection.execute("INSERT INTO counts SELECT dataset, month, area, category, count FROM new_counts")
        connection.unregister("new_counts")
        categories = data.categories.assign(dataset=name)[["dataset", "category", "source_name", "in_total", "note"]]
        connection.register("new_categories", categories)
        connection.execute("INSERT INTO categories SELECT * FROM new_categories")
        connection.unregister("new_categories")
        hierarchy = data.hierarchy.assign(dataset=name)[["dataset", "area", "name", "parent", "level"]]
        connection.register("new_areas", hierarchy)
        connection.execute("INSERT INTO areas SELECT * FROM new_areas")
        connection.unregister("new_areas")
        connection.execute("INSERT INTO datasets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           [name, data.kind, data.frequency, data.areas, data.whole, fingerprint(merged),
                            created or now, now, stamp, json.dumps(data.notes), json.dumps(data.options, sort_keys=True)])
        for source in data.files:
            connection.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)",
                               [name, source.path, source.sha256, source.rows, now, stamp])
        _mark_illustrative(connection, name, data.illustrative, keep=created is not None)
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _mark_illustrative(connection, name: str, notice: str | None, *, keep: bool) -> None:
    """Record (inside the caller's transaction) that ``name`` is illustrative; an extension keeps an earlier mark."""
    connection.execute(_ILLUSTRATIVE_TABLE)
    if not keep:
        connection.execute("DELETE FROM illustrative WHERE dataset = ?", [name])
    if notice:
        connection.execute("INSERT OR REPLACE INTO illustrative VALUES (?, ?)", [name, notice])


def illustrative_of(connection, name: str) -> str | None:
    """The illustrative-data notice stored for a dataset, or ``None`` (real data, or a store from before the table)."""
    if not _has_table(connection, "illustrative"):
        return None
    row = connection.execute("SELECT notice FROM illustrative WHERE dataset = ?", [name]).fetchone()
    return row[0] if row else None


def _options_text(options: dict) -> str:
    return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(options.items()) if v not in (None, False)) or "defaults"


def _summary(name, store, counts: pd.DataFrame, data: ImportedData, *, unchanged: bool, added: int, changed: int,
             started: float, illustrative: str | None = None, ends: list[str] = ()) -> ImportSummary:
    months = pd.to_datetime(counts["month"])
    return ImportSummary(dataset=name, store=store_path(store), unchanged=unchanged, periods_added=added,
                         values_changed=changed, series=int(counts[["area", "category"]].drop_duplicates().shape[0]),
                         first=months.min(), last=months.max(), frequency=data.frequency,
                         seconds=time.monotonic() - started, notes=(*data.notes, *ends), illustrative=illustrative)


@dataclass(frozen=True)
class StoredDataset:
    """A dataset read back from the store, with everything needed to use it."""

    name: str
    kind: str
    frequency: str
    areas: str
    whole: str | None
    fingerprint: str
    updated_at: pd.Timestamp
    counts: pd.DataFrame
    categories: pd.DataFrame
    hierarchy: pd.DataFrame
    files: pd.DataFrame
    notes: tuple[str, ...]
    illustrative: str | None = None
    options: dict = field(default_factory=dict)  # the import options it was made with (``datasets.options``)


def dataset_names(store: str | Path | None = None) -> list[str]:
    """Names of the datasets in the store (empty when there is no store)."""
    if not store_path(store).exists():
        return []
    with connect(store) as connection:
        return [row[0] for row in connection.execute("SELECT name FROM datasets ORDER BY name").fetchall()]


def list_datasets(store: str | Path | None = None) -> pd.DataFrame:
    """One row per dataset: name, kind, frequency, series, first and last period, periods missing inside its series
    (``missing``, as ``forecast data show`` counts them, and ``gappy``, the series with any), files, updated, and
    ``force_ends`` (for a dataset of forces as peers, each force's last period; else empty)."""
    with connect(store) as connection:
        # rate series (the rates table, when the store has one) count as series like counts do
        observed = ("(SELECT dataset, month, area, category FROM counts UNION ALL "
                    "SELECT dataset, month, area, category FROM rates)" if _has_table(connection, "rates") else "counts")
        # per series: the periods it holds and those from its first to its last (a quarter is 3 months)
        series = ("SELECT o.dataset, count(*) AS held, min(o.month) AS first, max(o.month) AS last, "
                  "(max(year(o.month) * 12 + month(o.month)) - min(year(o.month) * 12 + month(o.month))) "
                  "// (CASE WHEN d.frequency = 'quarter' THEN 3 ELSE 1 END) + 1 AS span "
                  f"FROM {observed} o JOIN datasets d ON d.name = o.dataset GROUP BY o.dataset, o.area, o.category, "
                  "d.frequency")
        listed = connection.execute(
            f"WITH series AS ({series}), held AS (SELECT dataset, count(*) AS series, min(first) AS first, "
            "max(last) AS last, sum(span - held) AS missing, count(*) FILTER (WHERE span > held) AS gappy "
            "FROM series GROUP BY dataset) "
            "SELECT d.name, d.kind, d.frequency, d.areas, coalesce(h.series, 0) AS series, h.first, h.last, "
            "CAST(coalesce(h.missing, 0) AS BIGINT) AS missing, coalesce(h.gappy, 0) AS gappy, "
            "(SELECT count(*) FROM files f WHERE f.dataset = d.name) AS files, d.updated_at, "
            + ("d.name IN (SELECT dataset FROM illustrative)" if _has_table(connection, "illustrative") else "false")
            + " AS illustrative FROM datasets d LEFT JOIN held h ON h.dataset = d.name ORDER BY d.name").df()
        ends = _force_ends_of(connection)
    return listed.assign(force_ends=[ends.get(name, {}) for name in listed["name"]])


def _force_ends_of(connection) -> dict[str, dict[str, pd.Timestamp]]:
    """Where each force ends, for every dataset of named forces as peers (:mod:`crimecast.data.force_ends`)."""
    ends = {}
    for name, kind, options in connection.execute("SELECT name, kind, options FROM datasets WHERE areas = 'peers' "
                                                  "ORDER BY name").fetchall():
        hierarchy = connection.execute("SELECT area, name, parent, level FROM areas WHERE dataset = ?", [name]).df()
        forces = forces_in(hierarchy, areas="peers", kind=kind, options=json.loads(options))
        if forces:
            last = connection.execute("SELECT area, max(month) AS month FROM counts WHERE dataset = ? GROUP BY area",
                                      [name]).df()
            ends[name] = force_ends(last, forces, parents_in(hierarchy))
    return ends


def read_dataset(name: str, *, store: str | Path | None = None) -> StoredDataset:
    """Read one dataset back.

    Raises
    ------
    DataError
        When the store or the dataset does not exist (with the names there are).
    """
    from crimecast.data.slugs import did_you_mean

    with connect(store) as connection:
        row = connection.execute("SELECT name, kind, frequency, areas, whole, fingerprint, updated_at, notes, options "
                                 "FROM datasets WHERE name = ?", [name]).fetchone()
        if row is None:
            names = [r[0] for r in connection.execute("SELECT name FROM datasets ORDER BY name").fetchall()]
            listed = ", ".join(names) if names else "none yet"
            raise DataError(f"no dataset '{name}' in {store_path(store)}.{did_you_mean(name, names)} "
                            f"Datasets there: {listed} (see `forecast data list`).")
        counts = connection.execute("SELECT month, area, category, count FROM counts WHERE dataset = ? "
                                    "ORDER BY category, area, month", [name]).df()
        categories = connection.execute("SELECT category, source_name, in_total, note FROM categories WHERE dataset = ? "
                                        "ORDER BY category", [name]).df()
        hierarchy = connection.execute("SELECT area, name, parent, level FROM areas WHERE dataset = ? ORDER BY area",
                                       [name]).df()
        files = connection.execute("SELECT path, sha256, rows, imported_at, crimecast_version FROM files "
                                   "WHERE dataset = ? ORDER BY imported_at, path", [name]).df()
        notice = illustrative_of(connection, name)
    counts["month"] = pd.to_datetime(counts["month"])
    counts["count"] = counts["count"].astype("int64")
    return StoredDataset(name=row[0], kind=row[1], frequency=row[2], areas=row[3], whole=row[4], fingerprint=row[5],
                         updated_at=pd.Timestamp(row[6]), counts=counts, categories=categories, hierarchy=hierarchy,
                         files=files, notes=tuple(json.loads(row[7])), illustrative=notice,
                         options=json.loads(row[8]) if row[8] else {})


def drop_dataset(name: str, *, store: str | Path | None = None) -> int:
    """Remove a dataset and its provenance; returns the number of count rows removed.

    Raises
    ------
    DataError
        When there is no such dataset.
    """
    read_dataset(name, store=store)  # a clear error for an unknown name
    with connect(store, write=True) as connection:
        removed = connection.execute("SELECT count(*) FROM counts WHERE dataset = ?", [name]).fetchone()[0]
        connection.execute("BEGIN TRANSACTION")
        for table in ("counts", "categories", "areas", "files", *(("rates",) if _has_table(connection, "rates") else ())):
            connection.execute(f"DELETE FROM {table} WHERE dataset = ?", [name])
        connection.execute(_ILLUSTRATIVE_TABLE)
        connection.execute("DELETE FROM illustrative WHERE dataset = ?", [name])
        connection.execute("DELETE FROM datasets WHERE name = ?", [name])
        connection.execute("COMMIT")
    return int(removed)


def check_name(name: str) -> str:
    """A dataset name: letters, digits, ``-`` and ``_``.

    Raises
    ------
    UsageError
        For anything else.
    """
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}", name or ""):
        raise UsageError(f"'{name}' is not a usable dataset name; use letters, digits, '-' and '_' (e.g. merseyside).")
    return name


# ---------------------------------------------------------------- saved forecasts

def _has_forecasts(connection) -> bool:
    tables = {row[0] for row in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    return "forecasts" in tables


def encode_paths(paths) -> bytes:
    """A paths array as zlib-compressed little-endian float32 bytes (see ``forecast_paths``)."""
    import zlib

    import numpy as np

    return zlib.compress(np.ascontiguousarray(paths, dtype="<f4").tobytes(), 6)


def decode_paths(blob: bytes, *, paths: int, periods: int):
    """The array ``encode_paths`` stored, as float64."""
    import zlib

    import numpy as np

    return np.frombuffer(zlib.decompress(blob), dtype="<f4").reshape(paths, periods).astype(np.float64)


def save_forecast_rows(name: str, *, row: dict, arrays: dict[tuple[str, str], bytes],
                       store: str | Path | None = None) -> bool:
    """Write one saved forecast (its ``forecasts`` row and ``forecast_paths`` blobs) in one transaction.

    Returns whether a forecast of that name was replaced.
    """
    columns = ("name", "data", "fingerprint", "as_of", "first_period", "periods", "frequency", "paths", "series", "spec",
               "meta", "created_at", "crimecast_version")
    values = {**row, "name": name, "created_at": datetime.now(timezone.utc).replace(tzinfo=None),
              "crimecast_version": crimecast_version(), "series": len(arrays)}
    with connect(store, write=True) as connection:
        for statement in _FORECAST_TABLES:
            connection.execute(statement)
        replaced = connection.execute("SELECT count(*) FROM forecasts WHERE name = ?", [name]).fetchone()[0] > 0
        connection.execute("BEGIN TRANSACTION")
        try:
            connection.execute("DELETE FROM forecast_paths WHERE forecast = ?", [name])
            connection.execute("DELETE FROM forecasts WHERE name = ?", [name])
            connection.execute(f"INSERT INTO forecasts ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                               [values[c] for c in columns])
            connection.executemany("INSERT INTO forecast_paths VALUES (?, ?, ?, ?)",
                                   [[name, c, a, blob] for (c, a), blob in arrays.items()])
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    return replaced


def forecast_names(connection) -> list[str]:
    if not _has_forecasts(connection):
        return []
    return [row[0] for row in connection.execute("SELECT name FROM forecasts ORDER BY name").fetchall()]


def _no_forecast(name: str, store, names: list[str]) -> DataError:
    from crimecast.data.slugs import did_you_mean

    listed = ", ".join(names) if names else "none yet"
    return DataError(f"no saved forecast '{name}' in {store_path(store)}.{did_you_mean(name, names)} Saved forecasts: "
                     f"{listed} (see `forecast forecasts`; save one with `forecast run ... --save {name}`).")


def read_forecast_rows(name: str, *, store: str | Path | None = None) -> tuple[dict, dict[tuple[str, str], bytes]]:
    """One saved forecast's row and its blobs by (category, area).

    Raises
    ------
    DataError
        When there is no store, or no forecast of that name (with the names there are).
    """
    if not store_path(store).exists():
        raise _no_forecast(name, store, [])
    with connect(store) as connection:
        names = forecast_names(connection)
        if name not in names:
            raise _no_forecast(name, store, names)
        frame = connection.execute("SELECT * FROM forecasts WHERE name = ?", [name]).df()
        blobs = connection.execute("SELECT category, area, paths FROM forecast_paths WHERE forecast = ? "
                                   "ORDER BY category, area", [name]).fetchall()
    return frame.iloc[0].to_dict(), {(c, a): bytes(blob) for c, a, blob in blobs}


def list_forecasts(store: str | Path | None = None) -> pd.DataFrame:
    """One row per saved forecast: name, data, as_of, frequency, periods, paths, series, spec, kilobytes, created_at."""
    columns = ["name", "data", "as_of", "frequency", "periods", "paths", "series", "spec", "kilobytes", "created_at"]
    if not store_path(store).exists():
        return pd.DataFrame(columns=columns)
    with connect(store) as connection:
        if not _has_forecasts(connection):
            return pd.DataFrame(columns=columns)
        return connection.execute(
            "SELECT f.name, f.data, f.as_of, f.frequency, f.periods, f.paths, f.series, f.spec, "
            "(SELECT coalesce(sum(octet_length(p.paths)), 0) FROM forecast_paths p WHERE p.forecast = f.name) / 1024.0 "
            "AS kilobytes, f.created_at FROM forecasts f ORDER BY f.name").df()


def drop_forecast(name: str, *, store: str | Path | None = None) -> None:
    """Remove a saved forecast.

    Raises
    ------
    DataError
        When there is no such forecast.
    """
    read_forecast_rows(name, store=store)  # a clear error for an unknown name
    with connect(store, write=True) as connection:
        connection.execute("BEGIN TRANSACTION")
        connection.execute("DELETE FROM forecast_paths WHERE forecast = ?", [name])
        connection.execute("DELETE FROM forecasts WHERE name = ?", [name])
        connection.execute("COMMIT")


# ---------------------------------------------------------------- rates (numerator / denominator series)

def _has_table(connection, table: str) -> bool:
    return bool(connection.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]).fetchone()[0])


def save_rates(rates: pd.DataFrame, *, name: str, path: Path, store: str | Path | None = None,
               replace: bool = False, illustrative: str | None = None) -> ImportSummary:
    """Write validated rates (:func:`crimecast.data.rates.validate_rates`) as a dataset of kind ``rates``, in one transaction.

    Raises
    ------
    DataError
        When a dataset of counts already has the name (unless ``replace``).
    """
    started = time.monotonic()
    with connect(store, write=True) as connection:
        connection.execute(_RATES_TABLE)
        existing = connection.execute("SELECT kind, created_at FROM datasets WHERE name = ?", [name]).fetchone()
        if existing and existing[0] != "rates" and not replace:
            raise DataError(f"dataset '{name}' already holds {existing[0]} counts; these are rates. Choose another --name, "
                            "or pass --replace.")
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        connection.execute("BEGIN TRANSACTION")
        try:
            for table in ("counts", "categories", "areas", "rates", "files"):
                connection.execute(f"DELETE FROM {table} WHERE dataset = ?", [name])
            connection.execute("DELETE FROM datasets WHERE name = ?", [name])
            rows = rates.assign(dataset=name, month=pd.to_datetime(rates["month"]).dt.date)
            connection.register("new_rates", rows[["dataset", "month", "area", "category", "numerator", "denominator"]])
            connection.execute("INSERT INTO rates SELECT dataset, month, area, category, numerator, denominator FROM new_rates")
            connection.unregister("new_rates")
            connection.execute("INSERT INTO datasets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               [name, "rates", "month", "parts", "force", fingerprint(rates),
                                existing[1] if existing and not replace else now, now, crimecast_version(), "[]",
                                json.dumps(_words_options(rates), sort_keys=True)])
            connection.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)",
                               [name, str(path), sha256_of(Path(path)), len(rates), now, crimecast_version()])
            _mark_illustrative(connection, name, illustrative, keep=False)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    months = pd.to_datetime(rates["month"])
    return ImportSummary(dataset=name, store=store_path(store), unchanged=False, periods_added=months.nunique(),
                         values_changed=0, series=int(rates[["area", "category"]].drop_duplicates().shape[0]),
                         first=months.min(), last=months.max(), frequency="month",
                         seconds=time.monotonic() - started, notes=("rates: numerator / denominator series, never summed "
                                                                     "into total recorded crime.",), illustrative=illustrative)


def _words_options(rates: pd.DataFrame) -> dict:
    """What a rates dataset keeps in ``datasets.options``: its numerator's and denominator's names (the file's columns)."""
    words = rates.attrs.get("words")
    return {} if words is None else {"numerator": words.numerator, "denominator": words.denominator}


def read_rates(name: str, *, store: str | Path | None = None) -> pd.DataFrame | None:
    """A dataset's rate series (``month, area, category, numerator, denominator``), or ``None`` if it has none.

    ``attrs['words']`` says what the numerator and denominator are (:func:`crimecast.data.rates.rate_words` of the
    names kept at import; ``numerator`` and ``denominator`` for a dataset stored before they were kept).
    """
    with connect(store) as connection:
        if not _has_table(connection, "rates"):
            return None
        frame = connection.execute("SELECT month, area, category, numerator, denominator FROM rates WHERE dataset = ? "
                                   "ORDER BY category, area, month", [name]).df()
        options = connection.execute("SELECT options FROM datasets WHERE name = ?", [name]).fetchone()
    if frame.empty:
        return None
    frame["month"] = pd.to_datetime(frame["month"])
    frame = frame.astype({"numerator": "int64", "denominator": "int64"})
    names = json.loads(options[0]) if options and options[0] else {}
    frame.attrs["words"] = rate_words(names.get("numerator"), names.get("denominator"))
    return frame

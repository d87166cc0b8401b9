"""``forecast data import``: read a source with its importer and save it in the store."""

from __future__ import annotations

import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from crimecast.data.force_ends import force_ends, forces_in, parents_in
from crimecast.data.illustrative import illustrative_notice
from crimecast.data.frequency import frequency_named
from crimecast.data.load import ColumnMap, import_csv
from crimecast.data.schema import validate
from crimecast.data.store import ImportSummary, StoredDataset, check_name, read_dataset, save_import
from crimecast.defaults import DEFAULT_MAX_GAP
from crimecast.errors import DataError, UsageError
from crimecast.words import plural

KINDS = ("police-uk", "home-office", "csv")
DOWNLOAD_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class ImportOptions:
    """How to read the files of one import (each importer uses the options that apply to it)."""

    area_level: str = "force"
    lsoa_lookup: str | None = None
    offence_level: str = "group"
    columns: ColumnMap = ColumnMap()
    sum_duplicates: bool = False
    areas: str | None = None
    category_map: str | None = None


def download(url: str, folder: Path, *, progress: Callable[[int, int | None], None] | None = None) -> Path:
    """Fetch ``url`` into ``folder`` (streamed; ``progress(bytes_so_far, total)``).

    Raises
    ------
    DataError
        When the address cannot be fetched, with the reason.
    """
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"--url {url}: give an http:// or https:// address.")
    name = Path(urllib.request.urlparse(url).path).name or "download.zip"
    target = folder / name
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response, open(target, "wb") as sink:
            total = int(response.headers.get("Content-Length") or 0) or None
            done = 0
            for block in iter(lambda: response.read(1 << 20), b""):
                sink.write(block)
                done += len(block)
                if progress:
                    progress(done, total)
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise DataError(f"{url}: could not be downloaded ({reason}). Check the address, or download the file and "
                        "give its path instead.") from None
    return target


def _options_used(kind: str, options: ImportOptions) -> dict:
    """The options that shape what ``kind`` reads, recorded so a re-import with others is caught."""
    if kind == "police-uk":
        return {"area_level": options.area_level, "lsoa_lookup": options.lsoa_lookup}
    if kind == "home-office":
        return {"offence_level": options.offence_level, "sum_duplicates": options.sum_duplicates}
    columns = {k: v for k, v in vars(options.columns).items() if v not in (None, False)}
    return {**columns, "sum_duplicates": options.sum_duplicates, "areas": options.areas,
            "category_map": options.category_map}


def read_source(kind: str, paths: list[Path], options: ImportOptions, *, step: Callable[[str], None] | None = None):
    """Run the importer for ``kind`` on ``paths``: an :class:`~crimecast.data.store.ImportedData`."""
    if kind == "police-uk":
        from crimecast.data.police_uk import import_street_files

        return import_street_files(paths, area_level=options.area_level,
                                   lsoa_lookup=Path(options.lsoa_lookup) if options.lsoa_lookup else None, step=step)
    if kind == "home-office":
        from crimecast.data.home_office import import_home_office

        return import_home_office(paths, level=options.offence_level, sum_duplicates=options.sum_duplicates)
    if kind == "csv":
        if len(paths) != 1:
            raise UsageError("a csv import reads one file at a time; import further files into the same --name.")
        return import_csv(paths[0], columns=options.columns, sum_duplicates=options.sum_duplicates,
                          areas=options.areas, category_map=options.category_map)
    raise UsageError(f"unknown kind '{kind}'; use one of {', '.join(KINDS)}.")


def import_data(kind: str, paths: list[str | Path], *, name: str, store: str | Path | None = None,
                options: ImportOptions = ImportOptions(), url: str | None = None, replace: bool = False,
                progress: Callable[[int, int | None], None] | None = None,
                step: Callable[[str], None] | None = None) -> ImportSummary:
    """Import files (or a downloaded archive) into the store as dataset ``name``.

    The files are read and checked completely before the store is touched,
    and the store is written in one transaction, so a failed import leaves
    it as it was. Importing the same files again changes nothing; newer
    periods extend the dataset.

    Parameters
    ----------
    kind
        ``police-uk`` (street-level archives), ``home-office`` (open data
        tables) or ``csv`` (any CSV/Excel the column mapping describes).
    paths
        Files, folders or zips (police-uk); none when ``url`` is given.
    name
        The dataset's name in the store.
    url
        Download this archive first (police-uk).
    replace
        Replace the dataset instead of extending it.
    progress, step
        Called with the bytes downloaded so far, and with a few words at each
        stage of the work (for a progress display).

    Returns
    -------
    ImportSummary

    Raises
    ------
    DataError
        For unreadable input (naming the file and row) or a busy or foreign store.
    UsageError
        For options that cannot work together.
    """
    check_name(name)
    started = time.monotonic()
    if url and paths:
        raise UsageError("give files or --url, not both.")
    if not url and not paths:
        raise UsageError("name the files to import (or --url ADDRESS for a police.uk archive).")
    with tempfile.TemporaryDirectory(prefix="crimecast-download-") as folder:
        sources = [download(url, Path(folder), progress=progress)] if url else [Path(p) for p in paths]
        say = step or (lambda _: None)
        say(f"reading {kind} data from {', '.join(Path(p).name for p in sources[:3])}{' ...' if len(sources) > 3 else ''}")
        data = read_source(kind, sources, options, step=say)
        data.options = _options_used(kind, options)
        data.illustrative = illustrative_notice([f.sha256 for f in data.files],
                                                [*data.hierarchy["name"], *data.hierarchy["area"]])
        if url:
            for source in data.files:
                source.path = url
    say(f"checking {len(data.counts):,} counts against the data contract")
    validate(data.counts, source=_files_label(data), frequency=frequency_named(data.frequency), fill=False)  # before writing
    data.notes = [*data.notes, *_sparse_note(data)]
    say(f"writing dataset '{name}' to the store")
    return save_import(data, name=name, store=store, replace=replace, started=started)


def _files_label(data) -> str:
    """The files an import read, for its error messages (errors name the file, not only the dataset)."""
    paths = [f.path for f in data.files]
    return paths[0] if len(paths) == 1 else f"{paths[0]} (and {len(paths) - 1} more {plural(len(paths) - 1, 'file')})"


def _sparse_note(data) -> list[str]:
    """A note on series too sparse to forecast (under half the periods they span): stored, not refused."""
    from crimecast.data.frequency import frequency_named
    from crimecast.data.schema import sparse_series

    frequency = frequency_named(data.frequency)
    counts = data.counts.assign(month=pd.to_datetime(data.counts["month"]))
    sparse = sparse_series(counts, frequency)
    if not sparse:
        return []
    listed = ", ".join(f"{c} / {a}" for c, a in sparse[:4]) + (" ..." if len(sparse) > 4 else "")
    return [f"{len(sparse)} series are too sparse to forecast (fewer than half the {frequency.noun}s between their first "
            f"and last hold a count; e.g. {listed}): they are stored, but commands leave out those with gaps longer "
            f"than --max-gap (default {DEFAULT_MAX_GAP}), saying why, and a forecast of the rest means little."]


@dataclass(frozen=True)
class DatasetDescription:
    """``forecast data show``: a stored dataset and, per series, its periods, gaps, zeros and total."""

    dataset: StoredDataset
    series: pd.DataFrame
    force_ends: dict[str, pd.Timestamp] = field(default_factory=dict)  # a dataset of forces as peers: each one's end

    @property
    def imports(self) -> int:
        """How many imports wrote the dataset's files (each import stamps its files with one time)."""
        return int(self.dataset.files["imported_at"].nunique())

    @property
    def last_import_files(self) -> list[str]:
        """The files of the last import, whose notes the store keeps (``dataset.notes``)."""
        files = self.dataset.files
        return [] if files.empty else list(files.loc[files["imported_at"] == files["imported_at"].max(), "path"])


def _series_table(counts: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """One row per series: first and last period, periods held, periods missing inside it, zeros and total (all
    series at once)."""
    from crimecast.data.frequency import frequency_named

    freq = frequency_named(frequency)
    columns = ["category", "area", "first", "last", "periods", "missing", "zeros", "total"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    months = pd.to_datetime(counts["month"])
    table = counts.assign(month=months, number=freq.period_numbers(months), zero=counts["count"].eq(0)).groupby(
        ["category", "area"]).agg(first=("month", "min"), last=("month", "max"), periods=("month", "size"),
                                  low=("number", "min"), high=("number", "max"), zeros=("zero", "sum"),
                                  total=("count", "sum")).reset_index()
    table["missing"] = table["high"] - table["low"] + 1 - table["periods"]
    for end in ("first", "last"):
        table[end] = table[end].map(freq.label)
    return table[columns].astype({c: "int64" for c in ("periods", "missing", "zeros", "total")})


def describe_dataset(name: str, *, store: str | Path | None = None) -> DatasetDescription:
    """Everything ``forecast data show`` prints about a stored dataset.

    Raises
    ------
    DataError
        When there is no such dataset.
    """
    stored = read_dataset(name, store=store)
    if stored.kind == "rates":  # rate series: periods and gaps as for counts; the total is of the numerator
        from crimecast.data.store import read_rates

        rates = read_rates(name, store=store)
        series = _series_table(rates.rename(columns={"numerator": "count"}), stored.frequency)
        denominators = rates.groupby(["category", "area"])["denominator"].sum()
        series["denominator"] = [int(denominators[(c, a)]) for c, a in zip(series["category"], series["area"])]
        return DatasetDescription(dataset=stored, series=series)
    forces = forces_in(stored.hierarchy, areas=stored.areas, kind=stored.kind, options=stored.options)
    ends = force_ends(stored.counts, forces, parents_in(stored.hierarchy))
    return DatasetDescription(dataset=stored, series=_series_table(stored.counts, stored.frequency), force_ends=ends)

"""Saved forecasts: a panel's paths, spec and data fingerprint kept in the store, and read back without refitting.

``forecast run ... --save NAME`` keeps the coherent panel the run made;
``--forecast NAME`` on ``scenario run|compare``, ``milestones``,
``optimise csf`` and ``report`` reads it back instead of forecasting, and
``--against NAME`` on ``milestones`` and ``report`` sets the year so far
against it (:mod:`crimecast.scenarios.against`). A saved forecast is
refused when the data up to its as-of month has changed since (another
fingerprint; months added after it are expected and not part of the
check), or when it lacks a series the request needs.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crimecast.data.frequency import frequency_of
from crimecast.data.load import data_option
from crimecast.data.series import data_options_text, source_read
from crimecast.data.sources import data_read, open_counts
from crimecast.data.store import (decode_paths, drop_forecast, encode_paths, fingerprint, list_forecasts,
                                  read_forecast_rows, save_forecast_rows, store_path)
from crimecast.errors import DataError, UsageError
from crimecast.forecast.panel import NoteSources, Panel, districts_of
from crimecast.forecast.reconcile import CoherentPaths
from crimecast.forecast.spec import ForecastSpec


def check_forecast_name(name: str) -> str:
    """A saved forecast's name: letters, digits, ``-`` and ``_``.

    Raises
    ------
    UsageError
        For anything else.
    """
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}", name or ""):
        raise UsageError(f"'{name}' is not a usable forecast name; use letters, digits, '-' and '_' (e.g. wm-2014).")
    return name


def data_identity(counts: pd.DataFrame, as_of: pd.Timestamp) -> tuple[str, str]:
    """The data a forecast from ``as_of`` used: its name and fingerprint, the same however it is read.

    The name is the data's (``forces``, not ``forces (merseyside)``: :func:`~crimecast.data.series.source_read`), and
    the fingerprint that of every row up to ``as_of`` of the data read (:func:`~crimecast.data.sources.data_read`):
    one force taken out of a dataset of several (scenarios, the Community Safety Fund, milestones) is the dataset
    read, as a forecast of that force among the others (`forecast run ... --save`) read it.
    """
    read = data_read(counts)
    end = as_of if counts.empty else min(as_of, counts["month"].max())  # no later rows than ``counts`` holds
    return source_read(counts), fingerprint(read[read["month"] <= end])


@dataclass(frozen=True)
class SavedSummary:
    """What ``--save`` wrote."""

    name: str
    store: Path
    series: int
    kilobytes: float
    replaced: bool


def save_panel(panel: Panel, *, name: str, counts: pd.DataFrame, store: str | Path | None = None) -> SavedSummary:
    """Keep ``panel`` in the store under ``name`` (replacing one of that name).

    Raises
    ------
    UsageError
        For a name that is not usable.
    DataError
        When the store cannot be written.
    """
    check_forecast_name(name)
    arrays = {key: encode_paths(paths) for key, paths in panel.paths.bottom.items()}
    meta = {"total_categories": list(panel.paths.total_categories or []), "districts": list(panel.paths.districts or []),
            "notes": panel.notes, "series_notes": [[c, a, notes] for (c, a), notes in panel.series_notes.items()],
            **({"note_sources": panel.note_sources.to_json()} if panel.note_sources is not None else {})}
    data, digest = data_identity(counts, panel.as_of)
    row = {"data": data, "fingerprint": digest,
           "as_of": panel.as_of.date(), "first_period": panel.months[0].date(), "periods": len(panel.months),
           "frequency": frequency_of(counts).noun, "paths": panel.spec.paths,
           "spec": json.dumps(panel.spec.model_dump(mode="json"), sort_keys=True), "meta": json.dumps(meta)}
    replaced = save_forecast_rows(name, row=row, arrays=arrays, store=store)
    return SavedSummary(name=name, store=store_path(store), series=len(arrays),
                        kilobytes=sum(len(blob) for blob in arrays.values()) / 1024, replaced=replaced)


def load_panel(name: str, *, counts: pd.DataFrame, store: str | Path | None = None) -> Panel:
    """Read a saved forecast back, after checking that the data it was made from has not changed.

    Raises
    ------
    DataError
        When there is no such forecast, or the data up to its as-of month
        differs from the data it was made from.
    """
    row, blobs = read_forecast_rows(name, store=store)
    as_of = pd.Timestamp(row["as_of"])
    reading, now = data_identity(counts, as_of)
    if now != row["fingerprint"]:
        reading, now = data_identity(_as_it_stood(counts, as_of), as_of)
    made_from = str(row["data"])
    if now != row["fingerprint"] and made_from and made_from != reading:
        raise DataError(f"the saved forecast '{name}' was made from the data '{made_from}', and this command reads "
                        f"'{reading}'. Pass {data_option(made_from)} {made_from} to use it.")
    if now != row["fingerprint"]:
        data_to = frequency_of(counts).period_end_month(as_of)  # a quarter by its last month, as --as-of names it
        raise DataError(f"the saved forecast '{name}' was made from data '{row['data']}' up to {data_to:%Y-%m}, and that "
                        f"data has changed since (fingerprint {row['fingerprint'][:12]}, now {now[:12]} with "
                        f"'{reading}'). Forecast again and save it (`forecast run ... --save "
                        f"{name}`), or use the data it was made from.")
    periods, n_paths = int(row["periods"]), int(row["paths"])
    frequency = frequency_of(counts)
    months = frequency.range(pd.Timestamp(row["first_period"]), periods=periods)
    meta = json.loads(row["meta"])
    paths = CoherentPaths(months=months,
                          bottom={key: decode_paths(blob, paths=n_paths, periods=periods) for key, blob in blobs.items()},
                          total_categories=tuple(meta["total_categories"]), districts=tuple(meta["districts"]))
    panel = Panel(paths=paths, spec=_saved_spec(json.loads(row["spec"])), as_of=as_of,
                  notes=list(meta["notes"]), saved=name,
                  series_notes={(c, a): list(notes) for c, a, notes in meta["series_notes"]},
                  note_sources=NoteSources.from_json(meta["note_sources"]) if "note_sources" in meta else None,
                  reread=data_options_text(counts))
    return read_as(panel, counts)


def _as_it_stood(counts: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """``counts``' data read again as it stood at the end of ``as_of``'s period, as ``run --as-of --save`` read it.

    Read to a later month, the periods up to ``as_of`` can differ without any count having changed: gaps are decided
    on the whole data read, so a series of another force whose counts stop at ``as_of`` and stay missing for longer
    than may be filled (Devon and Cornwall on the Home Office table, from 2022/23 Q3) is left out of it, where the
    forecast saved then read its earlier periods. ``counts`` as they are when they were not read from a source
    (``attrs["read_from"]``, :func:`~crimecast.data.sources.open_counts`) or end by ``as_of``'s period.
    """
    source = counts.attrs.get("read_from")
    if source is None or counts.empty or counts["month"].max() <= as_of:
        return counts
    to = frequency_of(counts).period_end_month(as_of)
    return open_counts(dataclasses.replace(source, as_of=to, replay=None))


def read_as(panel: Panel, counts: pd.DataFrame) -> Panel:
    """``panel`` with its series named as ``counts`` name them: for one force taken out of several
    (``attrs["force_name"]``, :func:`~crimecast.data.sources.restrict_to`), the force's series are its whole,
    ``force``, its districts' are kept and the other forces' left out (:meth:`Panel.of_force`); else as it is."""
    force = counts.attrs.get("force_name")
    return panel if not force else panel.of_force(force, districts=districts_of(counts))


def _saved_spec(saved: dict) -> ForecastSpec:
    """A saved forecast's settings; one saved before the dataset drift (no ``drift`` key) carried none."""
    return ForecastSpec.model_validate({"drift": False, **saved})


def saved_forecasts(store: str | Path | None = None) -> pd.DataFrame:
    """One row per saved forecast: name, data, as_of (the first month of the last period of data), frequency
    (``month`` or ``quarter``), periods, paths, series, model, the settings switched off
    (``"steps off, drift off"``, or ``"-"``), size (kB), created."""
    table = list_forecasts(store)
    specs = [_saved_spec(json.loads(text)) for text in table["spec"]]
    return table.drop(columns=["spec"]).assign(model=[spec.model for spec in specs],
                                               off=[_switched_off(spec) for spec in specs])


def _switched_off(spec: ForecastSpec) -> str:
    """The defaults a forecast was made without: ``"steps off, drift off"``, or ``"-"``."""
    return ", ".join(spec.switched_off) or "-"


def drop_saved(name: str, *, store: str | Path | None = None) -> None:
    """Remove a saved forecast (DataError naming the forecasts there are when there is none of that name)."""
    drop_forecast(name, store=store)


__all__ = ["SavedSummary", "check_forecast_name", "data_identity", "drop_saved", "load_panel",
           "read_as", "save_panel", "saved_forecasts"]

"""Rendering imports and stored datasets for the terminal and JSON."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from crimecast.data.force_ends import ends_note, ragged
from crimecast.data.imports import DatasetDescription
from crimecast.data.store import ImportSummary
from crimecast.defaults import DEFAULT_MAX_GAP
from crimecast.report.text import Line, heading, note, plain
from crimecast.words import plural


def import_sentence(summary: ImportSummary) -> str:
    """One line on what an import did."""
    from crimecast.data.frequency import frequency_named

    freq = frequency_named(summary.frequency)
    span = f"{freq.label(summary.first)} to {freq.label(summary.last)}"
    if summary.unchanged:
        return (f"Dataset '{summary.dataset}' already holds these files: nothing changed ({summary.series} series, "
                f"{span}) in {summary.store}.")
    changed = f", {summary.values_changed:,} values revised" if summary.values_changed else ""
    return (f"Imported '{summary.dataset}' into {summary.store} in {summary.seconds:.1f} s: {summary.series} series by "
            f"{summary.frequency}, {span} ({summary.periods_added} new "
            f"{plural(summary.periods_added, summary.frequency)}{changed}).")


def import_json(summary: ImportSummary) -> dict:
    return {"dataset": summary.dataset, "store": str(summary.store), "unchanged": summary.unchanged,
            "periods_added": summary.periods_added, "values_changed": summary.values_changed, "series": summary.series,
            "first": f"{summary.first:%Y-%m}", "last": f"{summary.last:%Y-%m}", "frequency": summary.frequency,
            "seconds": round(summary.seconds, 3), "notes": list(summary.notes),
            "illustrative": summary.illustrative is not None, "notice": summary.illustrative or ""}


def import_text(summary: ImportSummary) -> list[Line]:
    """``forecast data import``: what the import did, whether the data is illustrative, and its notes."""
    flagged = [note(summary.illustrative)] if summary.illustrative else []
    return [plain(import_sentence(summary)), *flagged, *(plain(f"Note: {text}") for text in summary.notes)]


def rates_import_json(summary: ImportSummary) -> dict:
    """``forecast data import ... --numerator-col ... --json``: as for counts, marked as rates."""
    return {**import_json(summary), "rates": True}


def dropped_text(name: str, removed: int) -> list[Line]:
    """``forecast data drop NAME``: what was removed."""
    return [plain(f"Dropped '{name}' ({removed:,} counts).")]


def _label(month, frequency: str) -> str:
    from crimecast.data.frequency import frequency_named

    return frequency_named(frequency).label(pd.Timestamp(month))


def datasets_table(frame: pd.DataFrame) -> pd.DataFrame:
    """``forecast data list``: one row per dataset."""
    return pd.DataFrame({
        "dataset": frame["name"], "kind": frame["kind"], "by": frame["frequency"], "areas": frame["areas"],
        "series": frame["series"], "first": [_label(m, f) for m, f in zip(frame["first"], frame["frequency"])],
        "last": [_label(m, f) for m, f in zip(frame["last"], frame["frequency"])], "missing": frame["missing"],
        "files": frame["files"], "updated": pd.to_datetime(frame["updated_at"]).dt.strftime("%Y-%m-%d %H:%M")})


def series_summary(description: DatasetDescription) -> pd.DataFrame:
    """Per category: series, periods, missing periods, zeros and the total count (for rate series: the numerator's
    and denominator's totals and their rate; a rate is never counted in total recorded crime)."""
    series = description.series
    grouped = series.groupby("category")
    if "denominator" in series:
        numerator, denominator = grouped["total"].sum(), grouped["denominator"].sum()
        return pd.DataFrame({
            "series": grouped.size(), "first": grouped["first"].min(), "last": grouped["last"].max(),
            "missing": grouped["missing"].sum(), "numerator": numerator.map(lambda v: f"{v:,}"),
            "denominator": denominator.map(lambda v: f"{v:,}"),
            "rate": (numerator / denominator).map(lambda v: f"{v:.1%}"),
        }).reset_index()
    in_total = description.dataset.categories.set_index("category")["in_total"]
    return pd.DataFrame({
        "series": grouped.size(), "first": grouped["first"].min(), "last": grouped["last"].max(),
        "missing": grouped["missing"].sum(), "zeros": grouped["zeros"].sum(),
        "total": grouped["total"].sum().map(lambda v: f"{v:,}"),
        "in_total": [("yes" if in_total.get(c, True) else "no") for c in grouped.size().index],
    }).reset_index()


def _gappy(description: DatasetDescription) -> pd.DataFrame:
    """The series with periods missing inside them, most missing first."""
    gappy = description.series[description.series["missing"] > 0]
    return gappy.sort_values("missing", ascending=False, kind="stable")


_FILL_RULE = (f"fill gaps of up to --max-gap (default {DEFAULT_MAX_GAP}) in a row and leave out series with longer "
              "ones")  # what commands do with the gaps listed


def gaps_sentence(description: DatasetDescription) -> str:
    gappy = _gappy(description)
    noun = description.dataset.frequency
    if gappy.empty:
        return f"No {noun} is missing inside any series."
    listed = ", ".join(f"{r.category} / {r.area} ({r.missing})" for r in gappy.head(5).itertuples())
    every = f" (`forecast data show {description.dataset.name} --gaps` lists them all)" if len(gappy) > 5 else ""
    return (f"{len(gappy)} series have missing {noun}s inside them, most: {listed}"
            f"{' ...' if len(gappy) > 5 else ''}{every}. Commands {_FILL_RULE}.")


def gaps_text(description: DatasetDescription) -> list[Line]:
    """``forecast data show NAME --gaps``: every series with periods missing inside it, most missing first."""
    from crimecast.report.tables import text_table

    gappy = _gappy(description)
    noun = description.dataset.frequency
    if gappy.empty:
        return [plain(f"{description.dataset.name}: no {noun} is missing inside any series.")]
    table = gappy[["category", "area", "first", "last", "missing"]].rename(columns={"missing": f"{noun}s missing"})
    return [heading(f"{description.dataset.name}: {len(gappy)} series with {noun}s missing inside them "
                    f"({int(gappy['missing'].sum()):,} {noun}s); commands {_FILL_RULE}."),
            plain(text_table(table.reset_index(drop=True), align_left=("category", "area", "first", "last")))]


def describe_json(description: DatasetDescription) -> dict:
    from crimecast.report.serialise import records

    stored = description.dataset
    return {"dataset": stored.name, "kind": stored.kind, "frequency": stored.frequency, "areas": stored.areas,
            "whole": stored.whole, "fingerprint": stored.fingerprint, "series": records(description.series),
            "categories": records(stored.categories), "areas_table": records(stored.hierarchy),
            "files": records(stored.files), "notes": list(stored.notes), "imports": description.imports,
            "notes_of_files": description.last_import_files,
            "illustrative": stored.illustrative is not None, "notice": stored.illustrative or "",
            "force_ends": _ends_labels(description.force_ends, stored.frequency)}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def datasets_json(frame: pd.DataFrame) -> list[dict]:
    """``forecast data list --json``: one record per dataset."""
    from crimecast.report.serialise import records

    table = datasets_table(frame)
    table["series_with_gaps"] = frame["gappy"]
    table["force_ends"] = [_ends_labels(ends, f) for ends, f in zip(frame["force_ends"], frame["frequency"])]
    table["illustrative"] = frame["illustrative"].astype(bool) if "illustrative" in frame else False
    return records(table)


def datasets_text(frame: pd.DataFrame, *, store: str) -> list[Line]:
    """``forecast data list``: the datasets in ``store``, or how to import the first."""
    from crimecast.report.tables import text_table

    if frame.empty:
        return [plain(f"No datasets in {store} yet. Import one with `forecast data import KIND FILE --name NAME`.")]
    table = datasets_table(frame)
    if "illustrative" in frame:  # imported from the shipped examples: said beside the name
        table["dataset"] = [f"{n} (illustrative)" if flag else n for n, flag in zip(table["dataset"], frame["illustrative"])]
    lines = [heading(f"Datasets in {store}:"), plain(text_table(table, align_left=("dataset", "kind", "by", "areas")))]
    gappy = frame[frame["missing"] > 0]
    if not gappy.empty:  # where the gaps are: a dataset's own listing names every series with any
        units = "months or quarters" if frame["frequency"].nunique() > 1 else f"{frame['frequency'].iloc[0]}s"
        example = gappy["name"].iloc[0]
        lines.append(plain(f"missing: {units} missing inside a dataset's series; `forecast data show {example} --gaps` "
                           f"lists each series with gaps. Commands {_FILL_RULE}."))
    lines += [plain(f"{name}: {_ends_sentence(ends, frequency)}") for name, ends, frequency
              in zip(frame["name"], frame["force_ends"], frame["frequency"]) if ragged(ends)]
    return lines


def _ends_sentence(ends: dict, frequency: str) -> str:
    """Where the forces of a dataset end, when they end at different periods (a force's next month came first)."""
    from crimecast.data.frequency import frequency_named

    return ends_note(ends, frequency_named(frequency))


def _ends_labels(ends: dict, frequency: str) -> dict[str, str]:
    return {force: _label(end, frequency) for force, end in ends.items()}


def _notes_text(description: DatasetDescription) -> list[Line]:
    """The stored notes; after several imports they are the last one's ("853 rows from 2 street files" is of its
    files, not of the dataset), so they are labelled with its files."""
    notes = description.dataset.notes
    if description.imports <= 1 or not notes:
        return [plain(f"Note: {text}") for text in notes]
    files = [Path(path).name for path in description.last_import_files]
    return [plain(f"Notes of the last of {description.imports} imports ({', '.join(files)}; every import's files are "
                  "listed below):"), *[plain(f"  {text}") for text in notes]]


def describe_text(description: DatasetDescription) -> list[Line]:
    """``forecast data show``: series, gaps, areas, notes, files and the fingerprint."""
    from crimecast.report.tables import text_table

    stored = description.dataset
    areas = "peers (such as separate forces), never summed" if stored.areas == "peers" else "parts of one force"
    rates = stored.kind == "rates"  # rate series have no area table: their areas are those of the series
    areas_held = sorted(description.series["area"].unique()) if rates else list(stored.hierarchy["area"])
    lines = [heading(f"{stored.name}: {stored.kind} data by {stored.frequency}; areas are {areas}."),
             *([note(stored.illustrative)] if stored.illustrative else []),
             plain(text_table(series_summary(description), align_left=("category", "first", "last", "in_total"))),
             plain(), plain(gaps_sentence(description)),
             *([plain(_capital(_ends_sentence(description.force_ends, stored.frequency)))]
               if ragged(description.force_ends) else []),
             plain(f"Areas ({len(areas_held)}): " + ", ".join(areas_held[:20]) + (" ..." if len(areas_held) > 20 else ""))]
    lines += _notes_text(description)
    lines.append(heading("\nFiles:"))
    lines += [plain(f"  {row.path}  sha256 {row.sha256[:16]}...  imported {row.imported_at:%Y-%m-%d %H:%M} "
                    f"(crimecast {row.crimecast_version})") for row in stored.files.itertuples()]
    lines.append(plain(f"Fingerprint of the {'rates' if rates else 'counts'}: {stored.fingerprint[:16]}..."))
    return lines


def catalogue_text(counts: pd.DataFrame, *, embedded: tuple[str, ...], rates: pd.DataFrame | None = None) -> list[Line]:
    """``forecast list``: the embedded datasets, any rate series, then the categories, areas and aliases of ``counts``."""
    from crimecast.data.series import aliases_in, catalogue
    from crimecast.report.tables import areas_sentence, text_table

    lines = [heading("Embedded datasets:"), *(plain(f"  {name} (illustrative)") for name in embedded)]
    if rates is not None:  # rate series (satisfied / surveyed): forecast and charted as proportions
        from crimecast.data.rate_words import words_of
        from crimecast.report.rates import catalogue_display

        lines += [heading(f"\nRate series in {counts.attrs.get('source')} ({words_of(rates).ratio}, never in total "
                          "recorded crime):"), plain(text_table(catalogue_display(rates), align_left=("category",)))]
        if counts.empty:
            return lines
    lines += [heading(f"\nCategories in {counts.attrs.get('source')} (by {counts.attrs.get('frequency', 'month')}):"),
             plain(text_table(catalogue(counts), align_left=("category", "note"))),
             heading("\nAreas:"), plain("  " + ", ".join(sorted(counts["area"].unique())))]
    aliases = aliases_in(counts)
    if aliases:
        lines.append(plain("\nAliases: " + ", ".join(f"{alias} = {target}" for alias, target in aliases.items()) + "."))
    return [*lines, plain("\n" + areas_sentence(counts))]

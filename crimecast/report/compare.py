"""A peer comparison rendered: text, JSON-ready dict, CSV frame and the funnel plot, and the files written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from crimecast.data.slugs import area_label, display_name
from crimecast.forecast.compare import PeerComparison
from crimecast.report.serialise import records
from crimecast.report.tables import count, model_text, p_value, percent, text_table
from crimecast.report.text import Line, heading, note, plain
from crimecast.words import counted


def title(comparison: PeerComparison) -> str:
    return (f"{display_name(comparison.category)} {comparison.year}: {area_label(comparison.focus)} and its peers "
            f"({', '.join(area_label(p) for p in comparison.peers)})")


def display_frame(comparison: PeerComparison) -> pd.DataFrame:
    """The table as printed: counts, change and E-test, rates, rank, funnel band and the forecast."""
    rows = []
    for a in comparison.areas:
        row = {"area": area_label(a.area) + (" *" if a.area == comparison.focus else ""),
               comparison.year: count(a.count), comparison.previous_year: count(a.previous),
               "change": percent(a.test.change), "E-test p": p_value(a.test.p_value), "verdict": a.test.verdict}
        if comparison.has_rates:
            row.update({"residents": f"{a.population.people:,.0f} ({a.population.year})",
                        "per 1,000": f"{a.rate:.1f}", "funnel": a.band})
        row["rank"] = str(a.rank)
        if a.forecast:
            row[f"expected {a.forecast['financial_year']} (mean, 80%)"] = (
                f"{count(a.forecast['mean'])} ({count(a.forecast['lo80'])}-{count(a.forecast['hi80'])})")
        rows.append(row)
    return pd.DataFrame(rows)


def group_line(comparison: PeerComparison) -> str:
    """The group's total, change and (with populations) rate per 1,000."""
    change = comparison.group_count / comparison.group_previous - 1 if comparison.group_previous else float("nan")
    line = (f"Group of {len(comparison.areas)}: {count(comparison.group_count)} in {comparison.year} "
            f"({percent(change)} on {comparison.previous_year})")
    if comparison.has_rates:
        line += f", {comparison.group_rate:.1f} per 1,000 residents"
    return line + f". Rank: {comparison.ranked_by}."


def _body(comparison: PeerComparison) -> list[str]:
    """The table, the group's line and the key, below the title."""
    shown = display_frame(comparison)
    return [text_table(shown, align_left=("area", "verdict", "funnel")), "", group_line(comparison), "* the area compared."]


def text(comparison: PeerComparison) -> str:
    """The comparison as plain text: title, table, the group and the key."""
    return "\n".join([title(comparison), "", *_body(comparison)])


def compare_text(comparison: PeerComparison, *, data_label: str, folder: Path, files: list[Path]) -> list[Line]:
    """``forecast compare``: the title with the data's name (and the forecasts' model, when the year after is
    forecast), the table, the group, notes and the files written.

    Parameters
    ----------
    comparison
        What :func:`crimecast.forecast.compare.compare_areas` returned.
    data_label
        Where the counts come from, e.g. ``'west-midlands (illustrative)'``.
    folder, files
        The output folder as the user gave it, and the files written there.
    """
    spec = comparison.spec
    model = "" if spec is None else f" Model: {model_text(spec.model, paths=spec.paths, off=spec.switched_off)}."
    lines = [heading(title(comparison) + f". Data: {data_label}.{model}"), plain(), *(plain(line) for line in _body(comparison)),
             *(note(f"Note: {text}") for text in comparison.notes)]
    if files:
        lines.append(plain(f"\nWrote {counted(len(files), 'file')} to {folder}/ ({', '.join(p.name for p in files)})."))
    return lines


def output_stem(comparison: PeerComparison) -> str:
    """``compare_<category>_<focus>_<year>``: the start of the comparison's file names."""
    return f"compare_{comparison.category}_{comparison.focus}_{comparison.year.replace('/', '-')}"


def write_compare_files(comparison: PeerComparison, folder: Path, *, data_label: str, notice: str = "",
                        chart: bool = True) -> list[Path]:
    """``forecast compare``: the CSV and, with rates and ``chart``, the funnel plot PNG, in ``folder``; the paths.

    Parameters
    ----------
    comparison
        What :func:`crimecast.forecast.compare.compare_areas` returned.
    folder
        Where to write (the command's staged output folder).
    data_label
        Where the counts come from, written in a ``data`` column.
    notice
        The illustrative-data notice for the plot's caption.
    chart
        Draw the funnel plot (drawn only when the comparison has populations).
    """
    from crimecast.io import write_csv_atomic
    from crimecast.report.charts import save_figure

    folder, stem = Path(folder), output_stem(comparison)
    written = [write_csv_atomic(csv_frame(comparison, data_label=data_label), folder / f"{stem}.csv")]
    if comparison.has_rates and chart:
        written.append(save_figure(funnel_figure(comparison, notice=notice), folder / f"{stem}_funnel.png"))
    return written


def payload(comparison: PeerComparison) -> dict:
    """JSON-ready: the rows, the group and the notes."""
    data = {"category": comparison.category, "focus": comparison.focus, "peers": comparison.peers,
            "year": comparison.year, "previous_year": comparison.previous_year,
            "group": {"count": comparison.group_count, "previous": comparison.group_previous,
                      "rate_per_1000": comparison.group_rate},
            "ranked_by": comparison.ranked_by, "areas": records(comparison.table()), "notes": comparison.notes}
    return data


def compare_json(comparison: PeerComparison, *, data: dict, files: list) -> dict:
    """``forecast compare --json``: :func:`payload` with the data's name, whether it is illustrative, and the files."""
    return {**payload(comparison), "data": data.get("source"), "illustrative": bool(data.get("illustrative")),
            "files": [str(p) for p in files]}


def funnel_figure(comparison: PeerComparison, *, notice: str = ""):
    """Each area's rate per 1,000 against its residents, with 95% and 99.8% limits around the group rate."""
    from crimecast.report.charts import number_axis, subplots, with_caption

    funnel = comparison.funnel
    fig, ax = subplots(figsize=(9, 6), dpi=100)
    x = funnel["population"] / 1e6
    ax.fill_between(x, funnel["lo998"], funnel["hi998"], color="tab:blue", alpha=0.10, label="99.8% limits (chance alone)")
    ax.fill_between(x, funnel["lo95"], funnel["hi95"], color="tab:blue", alpha=0.18, label="95% limits")
    ax.axhline(comparison.group_rate, color="tab:blue", linewidth=1.4,
               label=f"group rate {comparison.group_rate:.1f} per 1,000")
    for a in comparison.areas:
        focus = a.area == comparison.focus
        ax.scatter([a.population.people / 1e6], [a.rate], s=90 if focus else 60, zorder=5,
                   color="tab:red" if focus else "0.25", marker="D" if focus else "o")
        ax.annotate(f"{area_label(a.area)}\n{a.rate:.1f}", (a.population.people / 1e6, a.rate), xytext=(8, 4),
                    textcoords="offset points", fontsize=9, fontweight="bold" if focus else "normal")
    rates = [a.rate for a in comparison.areas]
    spread = max(rates) - min(rates)
    ax.set_ylim(max(0, min(min(rates), funnel["lo998"].min()) - 0.3 * spread),
                max(max(rates), funnel["hi998"].max()) + 0.3 * spread)
    ax.set_xlim(x.min(), x.max())
    ax.set_title(f"{display_name(comparison.category)}, {comparison.year}: crimes per 1,000 residents\n"
                 f"{area_label(comparison.focus)} (red) and its most similar forces", fontsize=12)
    years = sorted({a.population.year for a in comparison.areas})
    ax.set_xlabel(f"residents (millions, {', '.join(map(str, years))})")
    ax.set_ylabel("recorded crimes per 1,000 residents")
    number_axis(ax.xaxis, ax.yaxis)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.grid(color="0.92")
    caption = ("A force outside the band differs from the group by more than chance would explain for its size. "
               "Limits: Poisson, around the group's rate")
    if any("approximate" in a.population.source.lower() for a in comparison.areas):
        caption += ". Some populations are approximate (see the population file's source column)"
    return with_caption(fig, caption, notice)  # its full stop, the notice after it, wrapped to the figure's width


def csv_frame(comparison: PeerComparison, *, data_label: str) -> pd.DataFrame:
    frame = comparison.table().assign(category=comparison.category, year=comparison.year, data=data_label)
    return frame.replace({np.nan: None})

"""Render a :class:`~crimecast.report.board.BoardPack` as one self-contained HTML page (and write it, with a PDF).

The page is made by Jinja2 templates shipped in ``crimecast/report/templates``;
charts are the same matplotlib charts the other commands save, embedded as
SVG data URIs, so the file opens offline and fetches nothing. Numbers come
formatted from the pack; the templates only lay them out.
"""

from __future__ import annotations

import base64
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from crimecast.data.slugs import area_label, display_name
from crimecast.forecast import mdc
from crimecast.io import write_atomic
from crimecast.optimise.model import money
from crimecast.report import fleet as fleet_text
from crimecast.report import optimise as csf_text
from crimecast.report.board import YEAR_END, BoardPack, MilestoneView, part_forecast_footnote
from crimecast.report.charts import allocation_chart, control_chart_figure, milestone_chart, tradeoff_chart
from crimecast.report.milestones import probability
from crimecast.report.pdf import PdfError, print_pdf
from crimecast.report.text import Line, error, heading, plain
from crimecast.report.tables import count, p_equals, percent

HTML_NAME, PDF_NAME = "report.html", "report.pdf"
SVG_SETTINGS = {"svg.fonttype": "none", "svg.hashsalt": "crimecast-board-pack"}
SVG_METADATA = {"Date": None, "Creator": None}

# Icons in the manner of "Making Data Count": a letter in a circle, coloured from a colour-blind-safe
# palette (Okabe-Ito blue and orange, and grey), always with the words beside them.
ICONS = {
    mdc.COMMON_CAUSE: ("~", "neutral"), mdc.IMPROVING: (None, "good"), mdc.CONCERNING: (None, "bad"),
    mdc.CONSISTENTLY_MET: ("P", "good"), mdc.CONSISTENTLY_MISSED: ("F", "bad"), mdc.HIT_AND_MISS: ("?", "neutral"),
    mdc.NO_LIMITS: ("-", "neutral"), mdc.MOVED: ("!", "neutral"),
}


@dataclass(frozen=True)
class Icon:
    kind: str
    letter: str
    tone: str
    text: str


@dataclass(frozen=True)
class Chart:
    src: str
    alt: str
    caption: str
    width: int = 1000
    height: int = 500


# ---------------------------------------------------------------- charts

def chart(fig, alt: str, caption: str) -> Chart:
    """A Figure as an embedded :class:`Chart` with its pixel size; closes the Figure."""
    width, height = (fig.get_size_inches() * fig.dpi).round().astype(int)
    return Chart(svg_data_uri(fig), alt, caption, int(width), int(height))


def svg_data_uri(fig) -> str:
    """A matplotlib Figure as a base64 SVG data URI (deterministic: no date, fixed ids); closes the Figure."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    try:
        with matplotlib.rc_context(SVG_SETTINGS):
            fig.savefig(buffer, format="svg", metadata=SVG_METADATA)
    finally:
        plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _spc_chart(view: MilestoneView, notice: str) -> Chart:
    process = view.process
    if view.assessment.unit == "rate":  # a rate milestone: its p-chart (Laney's p' when overdispersed)
        from crimecast.report.rates import p_chart_figure

        points = process.chart.points
        alt = (f"{process.chart.kind} of {display_name(process.category).lower()}, {area_label(process.area)}, monthly "
               f"from {points['month'].iloc[0]:%B %Y} to {points['month'].iloc[-1]:%B %Y}. " + " ".join(process.summary))
        return chart(p_chart_figure(process.chart, category=process.category, area=process.area, notice=notice), alt,
                     f"{process.chart.kind}: the average and each month's limits for its number of "
                     f"{process.chart.words.unit}.")
    fig = control_chart_figure(process.chart, category=process.category, area=process.area,
                               known={k.month: k.description for k in process.known}, notice=notice,
                               whole=process.whole_title)
    values = process.chart.values
    frequency = view.assessment.frequency
    alt = (f"XmR chart of {display_name(process.category).lower()}, {area_label(process.area, whole=process.whole_title)}, "
           f"{frequency.adjective} "
           f"from {frequency.label(values.index[0]) if frequency.months_per_period > 1 else f'{values.index[0]:%B %Y}'} "
           f"to {frequency.label(values.index[-1]) if frequency.months_per_period > 1 else f'{values.index[-1]:%B %Y}'}. "
           + " ".join(process.summary))
    return chart(fig, alt, "Statistical process control (XmR) chart: process average and natural "
                 "limits per period, special causes marked.")


def _cumulative_chart(view: MilestoneView, pack: BoardPack, notice: str) -> Chart:
    a = view.assessment
    if a.unit == "rate":
        from crimecast.report.rates import pct, rate_milestone_chart

        fig = rate_milestone_chart(a, as_of=pack.provenance.forecast_from, notice=notice)
        outcome = f" The actual rate was {pct(a.outcome)}." if a.outcome is not None else ""
        alt = (f"The year's rate month by month through {a.year} against the {pct(a.threshold)} target; the forecast "
               f"from {pack.provenance.forecast_from:%B %Y} expects {pct(a.baseline.expected)} (80% interval "
               f"{pct(a.baseline.lo80)} to {pct(a.baseline.hi80)}).{outcome}")
        return chart(fig, alt, "The year's rate so far, and the forecast's 80% band, against the target.")
    fig = milestone_chart(a, as_of=pack.provenance.forecast_from, notice=notice)
    outcome = f" The actual outcome was {count(a.outcome)} ({percent(a.outcome_change)})." if a.outcome is not None else ""
    scenario = " The scenario's 80% band is shown beside it." if a.scenario is not None and a.scenario_changes else ""
    alt = (f"Cumulative recorded crimes through {a.year}: the target trajectory ends at {count(a.threshold)}; the "
           f"forecast from {pack.provenance.forecast_from:%B %Y} expects {count(a.baseline.expected)} (80% interval "
           f"{count(a.baseline.lo80)} to {count(a.baseline.hi80)}).{scenario}{outcome}")
    return chart(fig, alt, "Fan chart of the year, cumulative: the forecast's 80% band against the "
                 "target's seasonal trajectory.")


# ---------------------------------------------------------------- tables and icons

def _icon(kind: str, text: str, side: str | None = None) -> Icon:
    letter, tone = ICONS[kind]
    return Icon(kind=kind, letter=letter or ("H" if side == "higher" else "L"), tone=tone, text=text)


def _ytd_cell(view: MilestoneView, stage: str) -> dict:
    ytd = view.ytd
    if view.assessment.unit == "rate":
        if not ytd.months:
            return {"main": "no month observed yet", "sub": ""}
        span = "" if stage == YEAR_END else f", {ytd.months} month{'s' if ytd.months > 1 else ''}"
        return {"main": f"{(ytd.actual - ytd.previous) * 100:+.1f} pts",
                "sub": f"{ytd.actual * 100:.1f}% vs {ytd.previous * 100:.1f}%{span}"}
    if not ytd.months or ytd.test is None:
        return {"main": f"no {ytd.frequency.noun} observed yet", "sub": ""}
    span = "" if stage == YEAR_END else f", {ytd.span}"
    return {"main": percent(ytd.test.change), "sub": f"{count(ytd.actual)} vs {count(ytd.previous)}{span}"}


def _test_cell(view: MilestoneView) -> dict:
    test = view.ytd.test
    if test is None:
        return {"main": "-", "sub": ""}
    return {"main": test.verdict, "sub": p_equals(test.p_value)}


def summary_columns(pack: BoardPack) -> dict[str, str]:
    """The summary's columns: the key of each row's cell, and its heading.

    The outcome has a column only when some milestone's year is complete (a
    year-end pack): before then it would be a column of dashes.
    """
    made = pack.provenance.forecast_from.strftime("%b %Y")
    year_end = pack.stage == YEAR_END
    columns = {"milestone": "Milestone", "target": "Target",
               "ytd": f"{pack.year} vs {pack.previous_year}" if year_end else
               f"Year to date vs same {pack.provenance.frequency.noun}s last year",
               "test": "Poisson E-test",
               "forecast": f"Forecast for the year, made {made}" if year_end else "Forecast for the year",
               "p_meet": f"P(meet), {made}" if year_end else "P(meet)", "outcome": "Outcome",
               "variation": "Variation", "assurance": "Assurance"}
    if all(view.assessment.outcome is None for view in pack.milestones):
        del columns["outcome"]
    return columns


def summary_footnotes(pack: BoardPack) -> list[dict]:
    """The summary's footnotes, each once, in the order of the rows that carry them: ``{"mark": "*", "id": ...,
    "text": ...}``. One for each year before that is not complete (:func:`crimecast.report.board.part_forecast_footnote`),
    tied to the forecast cells whose change is on it."""
    texts = list(dict.fromkeys(text for view in pack.milestones
                               if (text := part_forecast_footnote(view.assessment)) is not None))
    return [{"mark": "*" * (index + 1), "id": f"summary-note-{index + 1}", "text": text}
            for index, text in enumerate(texts)]


def summary_rows(pack: BoardPack, footnotes: list[dict] | None = None) -> list[dict]:
    """One row per milestone, formatted for the summary table (with the numbers behind the icons as data); a cell
    that ``footnotes`` (:func:`summary_footnotes`) speaks of carries its mark and link."""
    by_text = {note["text"]: note for note in (footnotes if footnotes is not None else summary_footnotes(pack))}
    rows = []
    for view in pack.milestones:
        a = view.assessment
        outlook = a.baseline
        met = "-" if a.met is None else ("met" if a.met else "missed")
        row = {
            "anchor": view.anchor, "milestone": a.label, "target": a.milestone.describe(),
            "ytd": _ytd_cell(view, pack.stage), "test": _test_cell(view),
            "forecast": {"main": f"{count(outlook.expected)} ({percent(outlook.expected_change)})",
                         "sub": f"80%: {count(outlook.lo80)} to {count(outlook.hi80)}"},
            "p_meet": probability(outlook.probability.p, outlook.probability.n),
            "outcome": {"main": met, "sub": ""} if a.outcome is None else {"main": met, "sub": percent(a.outcome_change)},
            "variation": _icon(view.variation.kind, view.variation.label, view.variation.side),
            "assurance": _icon(view.assurance.kind, view.assurance.label),
            "data": {"p-meet": f"{outlook.probability.p:.4f}", "variation": view.variation.kind,
                     "variation-side": view.variation.side or "", "assurance": view.assurance.kind,
                     "monthly-target": f"{view.assurance.monthly_target:.1f}", "lower": f"{view.assurance.lower:.1f}",
                     "upper": f"{view.assurance.upper:.1f}", "direction": a.milestone.direction,
                     "outcome-change": "" if a.outcome_change is None else f"{a.outcome_change:.4f}",
                     "met": "" if a.met is None else str(a.met).lower()},
        }
        footnote = by_text.get(part_forecast_footnote(a))
        if footnote is not None:  # the change is on a year before that is partly forecast: say so beside it
            row["forecast"]["note"] = footnote
        if a.unit == "rate":  # percentages and points, not counts
            row["forecast"] = {"main": f"{outlook.expected * 100:.1f}% ({outlook.expected_change * 100:+.1f} pts)",
                               "sub": f"80%: {outlook.lo80 * 100:.1f}% to {outlook.hi80 * 100:.1f}%"}
            if a.outcome is not None:
                row["outcome"] = {"main": met, "sub": f"{a.outcome * 100:.1f}%"}
            row["data"].update({"monthly-target": f"{view.assurance.monthly_target:.4f}",
                                "lower": f"{view.assurance.lower:.4f}", "upper": f"{view.assurance.upper:.4f}",
                                "unit": "rate"})
        rows.append(row)
    return rows


def _on_paper(text: str) -> str:
    """A terminal table's text as the Board reads it: an arrow for "->"."""
    return text.replace("->", "\u2192")


def _frame(frame: pd.DataFrame) -> dict:
    """A table for the page: its headings capitalised as the summary's are (the terminal keeps lower case)."""
    headings = [_on_paper(str(c)) for c in frame.columns]
    return {"columns": [h[:1].upper() + h[1:] for h in headings],
            "rows": [[_on_paper(str(v)) for v in row] for row in frame.itertuples(index=False)]}


def scenario_rows(pack: BoardPack) -> dict:
    rows = []
    for view in pack.scenario.milestones:
        a = view.assessment
        n = a.baseline.probability.n
        rows.append([a.label, a.milestone.describe(), percent(a.baseline.expected_change),
                     probability(a.baseline.probability.p, n), percent(a.scenario.expected_change),
                     probability(a.scenario.probability.p, n),
                     "-" if a.outcome_change is None else percent(a.outcome_change)])
    return {"columns": ["Milestone", "Target", "Baseline: expected change", "Baseline: P(meet)",
                        "Scenario: expected change", "Scenario: P(meet)", "Outcome"], "rows": rows}


def _csf_context(pack: BoardPack, notice: str) -> dict | None:
    if pack.csf is None:
        return None
    result = pack.csf.result
    table = result.table
    last = result.last_year_label or "last year"
    fig = allocation_chart(result, notice=notice)
    alt = ("Bar chart of the Community Safety Fund by recipient: " + "; ".join(
        f"{row.label} {money(row.last_year)} in {last}, {money(row.optimal)} optimal" for row in table.itertuples()) + ".")
    return {"view": pack.csf, "allocation": _frame(csf_text.allocation_table(result)),
            "schemes": _frame(csf_text.scheme_table(result)) if not result.schemes.empty else None,
            "chart": chart(fig, alt, f"Allocation by recipient: {last}, optimal, and optimal under uncertainty."),
            "source": Path(result.source).name}


def fleet_heading(name: str) -> str:
    """The fleet section's heading: the fleet's name, after "Fleet renewal: " unless the name already says fleet."""
    return name[:1].upper() + name[1:] if "fleet" in name.lower() else f"Fleet renewal: {name}"


def _fleet_context(pack: BoardPack) -> dict | None:
    """The fleet section; its chart carries no data notice, since the fleet plan rests on no crime counts."""
    if pack.fleet is None:
        return None
    report = pack.fleet.report
    plan = report.plan
    fig = tradeoff_chart(report.tradeoff, baseline_cost=plan.baseline_cost, baseline_co2=plan.baseline_co2)
    alt = (f"Least whole-life cost for each cap on CO2, from {report.tradeoff['co2_tonnes'].min():,.1f} t to "
           f"{report.tradeoff['co2_tonnes'].max():,.1f} t; like-for-like renewals cost {money(plan.baseline_cost)} "
           f"for {plan.baseline_co2:,.1f} t; the plan costs {money(plan.cost)} for {plan.co2:,.1f} t.")
    sites = fleet_text.site_table(plan)
    return {"view": pack.fleet, "heading": fleet_heading(pack.fleet.name), "plan": _frame(fleet_text.plan_table(plan)),
            "sites": _frame(sites) if not sites.empty else None,
            "chart": chart(fig, alt, "Fleet renewal: least whole-life cost against CO2.")}


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("crimecast.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(count=count, percent=percent)
    return env


def render_html(pack: BoardPack) -> str:
    """The Board pack as one HTML document (a string), charts embedded."""
    notice, frequency = pack.provenance.notice, pack.provenance.frequency
    footnotes = summary_footnotes(pack)
    milestones = [{"view": v, "spc": _spc_chart(v, notice), "cumulative": _cumulative_chart(v, pack, notice),
                   "variation": _icon(v.variation.kind, v.variation.label, v.variation.side),
                   "assurance": _icon(v.assurance.kind, v.assurance.label)} for v in pack.milestones]
    context = {
        "pack": pack, "year_end": pack.stage == YEAR_END, "summary": summary_rows(pack, footnotes),
        "summary_notes": footnotes,
        "summary_columns": summary_columns(pack), "milestones": milestones,
        "scenario": pack.scenario, "scenario_table": scenario_rows(pack) if pack.scenario is not None else None,
        "csf": _csf_context(pack, notice), "fleet": _fleet_context(pack), "provenance": pack.provenance,
        "icons": [_icon(k, t, s) for k, t, s in (
            (mdc.COMMON_CAUSE, "Common cause variation: no signal of change", None),
            (mdc.IMPROVING, "Special cause, improving: a signal of change for the better (L lower, H higher)", "lower"),
            (mdc.CONCERNING, "Special cause, concerning: a signal of change for the worse (H higher, L lower)", "higher"),
            (mdc.CONSISTENTLY_MET, "Target consistently met: outside the limits on the right side", None),
            (mdc.HIT_AND_MISS, "Hit and miss: the target lies within the process limits", None),
            (mdc.CONSISTENTLY_MISSED, "Target consistently missed: outside the limits on the wrong side", None),
            (mdc.MOVED, "Not judged: the target lies beyond a limit and so does at least one point of the latest "
                        f"{mdc.recent_periods(frequency=frequency)} {frequency.noun}s; the process has moved past the "
                        "limits", None))],
    }
    return _environment().get_template("board.html.j2").render(**context)


# ---------------------------------------------------------------- files

@dataclass(frozen=True)
class Written:
    """What :func:`write_board_pack` wrote, and why there is no PDF if there is none."""

    html: Path
    pdf: Path | None
    pdf_problem: str | None = None
    removed_stale_pdf: bool = False


def write_board_pack(pack: BoardPack, folder: Path, *, pdf: bool = True) -> Written:
    """Write ``report.html`` (and ``report.pdf`` printed from it by headless Chromium) into ``folder``, atomically.

    The PDF is printed from a temporary copy of the page and both are renamed
    into place only when complete. Without Chromium (or with ``pdf=False``)
    only the HTML is written, and a ``report.pdf`` left from an earlier run
    is removed so the folder never holds a PDF of another pack.
    """
    folder = Path(folder)
    html_text = render_html(pack)
    html_path, pdf_path = folder / HTML_NAME, folder / PDF_NAME
    problem = None
    if pdf:
        try:
            write_atomic(pdf_path, lambda tmp: _print_from_copy(html_text, folder, tmp))
        except PdfError as error:
            problem = str(error)
    write_atomic(html_path, lambda tmp: tmp.write_text(html_text, encoding="utf-8"))
    made = pdf and problem is None
    stale = not made and pdf_path.exists()
    if stale:
        pdf_path.unlink()
    return Written(html=html_path, pdf=pdf_path if made else None, pdf_problem=problem, removed_stale_pdf=stale)


def _print_from_copy(html_text: str, folder: Path, pdf_tmp: Path) -> None:
    handle, name = tempfile.mkstemp(prefix=".report.", suffix=".html", dir=folder)
    os.close(handle)
    page = Path(name)
    try:
        page.write_text(html_text, encoding="utf-8")
        print_pdf(page, pdf_tmp)
    finally:
        page.unlink(missing_ok=True)


def written_text(pack: BoardPack, written: Written, *, seconds: float) -> list[Line]:
    """``forecast report``: the pack's title, the files written and how long it took; a PDF that failed, as an error."""
    lines = [heading(f"\n{pack.title}."),
             plain(f"Wrote {written.html}" + (f" and {written.pdf}" if written.pdf else "") + f" in {seconds:.0f} s.")]
    if written.removed_stale_pdf:
        lines.append(plain(f"Removed the old {written.html.parent / 'report.pdf'}, which was from another run."))
    if written.pdf_problem:
        lines.append(error(f"Error: {written.pdf_problem} report.html is complete."))
    return lines


__all__ = ["Written", "render_html", "summary_footnotes", "summary_rows", "svg_data_uri", "write_board_pack",
           "written_text"]

"""Milestone output: the position table in a Board's words, and files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from crimecast.data.calendar import financial_year_label
from crimecast.data.slugs import area_label, display_name, slugify
from crimecast.io import write_csv_atomic
from crimecast.report import serialise, tables
from crimecast.report.tables import count, p_equals, percent
from crimecast.report.text import Line, heading, note, plain
from crimecast.scenarios.against import AHEAD, ON_PLAN, AgainstReport, AgainstSaved
from crimecast.scenarios.assessment import Assessment, MilestoneReport
from crimecast.scenarios.milestones import RECOMMENDED_LEVELS, Probability
from crimecast.words import counted


def probability(p: float, n: int) -> str:
    """``0.221`` -> ``'22%'``; 0 or 1 shown against the number of paths, not as certainty."""
    if p == 0:
        return f"< {100 / n:.1g}%"
    if p == 1:
        return f"> {100 - 100 / n:.4g}%"
    return f"{p * 100:.1f}%" if p < 0.01 or p > 0.99 else f"{p * 100:.0f}%"


def _monte_carlo(probability_: Probability) -> str:
    if probability_.p in (0.0, 1.0):
        return f"{'no' if probability_.p == 0 else 'every'} simulated path of {probability_.n:,} meets it"
    return f"Monte Carlo error +/-{probability_.se * 100:.1f} points"


def _series(a: Assessment) -> str:
    return f"{display_name(a.category)} — {area_label(a.area)}"


def _ytd(a: Assessment) -> str:
    if not a.months_observed:
        return "-"
    gap = a.ytd_actual / a.ytd_trajectory - 1 if a.ytd_trajectory else float("nan")
    text = f"{count(a.ytd_actual)} vs {count(a.ytd_trajectory)} ({percent(gap)})"
    if a.ytd_test is not None:
        text += f"; {percent(a.ytd_test.change)} on last year, {p_equals(a.ytd_test.p_value)}"
    return text


def _forecast_mark(a: Assessment) -> str:
    """Beside 'last year' when the year before is not complete: ``(part forecast)``, or ``(forecast)`` when none observed."""
    if not a.last_year_partly_forecast:
        return ""
    return " (forecast)" if len(a.last_year_forecast) == a.frequency.periods_per_year else " (part forecast)"


def targets_met(a: Assessment) -> dict[float, str]:
    """The targets met with probability 50%, 70% and 90%, as the milestone's target is written: year totals for a
    count target ("at most 90,000": ``91,480``), else changes on last year (``-1.6%``); empty when there are none."""
    if a.count_target:
        return {level: count(value) for level, value in a.baseline.levels.items()}
    return {level: percent(value) for level, value in a.baseline.recommended.items()}


def _outcome(a: Assessment, *, sentence: bool = False) -> str:
    """The year's outcome as its target is written: a change (``-3.9%``), or a count target's total (``1,662``; in a
    sentence with its change, ``1,662 (-3.9%)``)."""
    if not a.count_target:
        return percent(a.outcome_change)
    change = a.outcome_change
    return f"{count(a.outcome)} ({percent(change)})" if sentence and change is not None else count(a.outcome)


def position_table(report: MilestoneReport) -> pd.DataFrame:
    """The position for every milestone: target, expected, P(meet), verdict and the targets met with 50/70/90%."""
    rows = []
    for a in report.assessments:
        n = a.baseline.probability.n
        if a.unit == "rate":
            rows.append(_rate_row(a, report))
            continue
        row = {
            "milestone": a.label, "year": a.year, "target": a.milestone.describe(),
            "last year": count(a.last_year) + _forecast_mark(a),
            "expected (80%)": f"{count(a.baseline.expected)} ({count(a.baseline.lo80)} to {count(a.baseline.hi80)})",
            "change": percent(a.baseline.expected_change),
            "P(meet)": probability(a.baseline.probability.p, n), "verdict": a.baseline.verdict,
            "met with 50/70/90%": " / ".join(met[q] for q in RECOMMENDED_LEVELS) if (met := targets_met(a)) else "-",
        }
        if a.scenario is not None:
            row["scenario change"] = percent(a.scenario.expected_change)
            row["scenario P(meet)"] = probability(a.scenario.probability.p, n)
        if any(x.months_observed for x in report.assessments):
            row["year to date vs trajectory"] = _ytd(a)
        if a.outcome is not None:
            row["outcome"] = f"{_outcome(a)} ({'met' if a.met else 'missed'})"
        rows.append(row)
    return pd.DataFrame(rows).fillna("-")


def _pct(value: float | None) -> str:
    return "-" if value is None or value != value else f"{value * 100:.1f}%"


def _points(value: float | None) -> str:
    return "-" if value is None or value != value else f"{value * 100:+.1f} pts"


def _last_rate(a: Assessment, *, sentence: bool = False) -> str:
    """A rate milestone's year before: its rate, and over how many months when surveys are missing for some."""
    months = a.last_year_months_recorded
    if not months:
        return f"no month of {financial_year_label(a.year_start - 1)} recorded" if sentence else "not recorded"
    if months == 12:
        return f"last year {_pct(a.last_year)}" if sentence else _pct(a.last_year)
    if sentence:
        return f"last year only partly recorded: {_pct(a.last_year)} over {months} of its 12 months"
    return f"{_pct(a.last_year)} ({months} of 12 months)"


def _rate_row(a: Assessment, report: MilestoneReport) -> dict:
    """A rate milestone's row: rates and changes in points, recommended targets as rates."""
    b, n = a.baseline, a.baseline.probability.n
    row = {"milestone": a.label, "year": a.year, "target": a.milestone.describe(), "last year": _last_rate(a),
           "expected (80%)": f"{_pct(b.expected)} ({_pct(b.lo80)} to {_pct(b.hi80)})", "change": _points(b.expected_change),
           "P(meet)": probability(b.probability.p, n), "verdict": b.verdict,
           "met with 50/70/90%": " / ".join(_pct(b.recommended[q]) for q in RECOMMENDED_LEVELS)}
    if a.scenario is not None:
        row["scenario change"] = _points(a.scenario.expected_change)
        row["scenario P(meet)"] = probability(a.scenario.probability.p, n)
    if any(x.months_observed for x in report.assessments):
        row["year to date vs trajectory"] = f"{_pct(a.ytd_actual)} vs {_pct(a.ytd_trajectory)}" if a.months_observed else "-"
    if a.outcome is not None:
        row["outcome"] = f"{_pct(a.outcome)} ({'met' if a.met else 'missed'})"
    return row


def _rate_sentence(a: Assessment) -> str:
    b, n = a.baseline, a.baseline.probability.n
    when = f"after {a.frequency.count_of(a.periods_observed)} of {a.year}" if a.months_observed else f"before {a.year} starts"
    line = (f"{a.label} ({a.milestone.describe()} in {a.year}, a rate): {when}, the chance of meeting it is "
            f"{probability(b.probability.p, n)} ({_monte_carlo(b.probability)}): {b.verdict}. Expected {_pct(b.expected)} "
            f"(80%: {_pct(b.lo80)} to {_pct(b.hi80)}; {_last_rate(a, sentence=True)}); a target of "
            f"{_pct(b.recommended[0.5])} is a coin toss, {_pct(b.recommended[0.7])} is met 7 times in 10.")
    if a.outcome is not None:
        line += f" Outcome: {_pct(a.outcome)}, {'met' if a.met else 'missed'}."
    return line


CALIBRATION_CAVEAT = ("Backtested on real data, probabilities from 10% up were a little optimistic on London's boroughs "
                      "(targets met up to 7 points less often than predicted, before the year and six months into it) "
                      "and more so on the Home Office table, where recorded crime rose year after year (9-19 points "
                      "from 20% to 70% before the year, 6-12 from 20% to 50% six months into it; bench/RESULTS.md): "
                      "where crime is rising, read 'likely met' as 'at risk'.")


def _expected_change(a: Assessment) -> str:
    """The expected change on last year (``+0.9%``; ``1,312 (+0.8%)`` for a count target); after a year of none, the
    expected count instead of ``-``."""
    change = a.baseline.expected_change
    if change is not None and change == change:  # a count target's in crimes too, as its targets met are
        return f"{count(a.baseline.expected)} ({percent(change)})" if a.count_target else percent(change)
    if a.last_year == 0:
        return f"{count(a.baseline.expected)} (no change can be given on a year with no crimes)"
    return f"{count(a.baseline.expected)} (no change on last year can be given)"


def assurance_sentences(report: MilestoneReport) -> list[str]:
    """One sentence per milestone, in the words of a performance report."""
    lines = []
    for a in report.assessments:
        n = a.baseline.probability.n
        if a.unit == "rate":
            lines.append(_rate_sentence(a))
            continue
        observed, noun = a.periods_observed, a.frequency.noun
        when = (f"after {observed} {noun}{'s' if observed > 1 else ''} of {a.year}"
                if a.months_observed else f"before {a.year} starts")
        line = (f"{a.label} ({a.milestone.describe()} in {a.year}): {when}, the chance of meeting it is "
                f"{probability(a.baseline.probability.p, n)} ({_monte_carlo(a.baseline.probability)}): {a.baseline.verdict}. "
                f"Expected {_expected_change(a)}")
        met = targets_met(a)
        if met and met[0.5] == _expected_change(a):  # the expected change is the median's: say it once
            line += f", the target that is a coin toss; {met[0.7]} is met 7 times in 10."
        elif met:
            line += f"; a target of {met[0.5]} is a coin toss, {met[0.7]} is met 7 times in 10."
        else:
            line += "."
        if a.scenario is not None:
            line += (f" Under the scenario: expected {percent(a.scenario.expected_change)}, chance "
                     f"{probability(a.scenario.probability.p, n)} ({a.scenario.verdict}).")
        if a.outcome is not None:
            line += f" Outcome: {_outcome(a, sentence=True)}, {'met' if a.met else 'missed'}."
        lines.append(line)
    return lines


def output_dir(out_dir: Path, report: MilestoneReport) -> Path:
    return Path(out_dir) / f"milestones-{slugify(report.plan.name)}"


def write_milestone_tables(report: MilestoneReport, folder: Path, *, data_label: str) -> list[Path]:
    """``milestones.csv`` (one row per milestone) and ``trajectories.csv`` (month by month), atomically.

    Quarterly trajectories keep ``month`` (each quarter's first month) and
    add a ``quarter`` label (``2014/15 Q1``) after it.
    """
    table = report.table().assign(as_of=f"{report.as_of:%Y-%m}", scenario=report.scenario_name or "", data=data_label)
    cumulative = pd.concat([a.cumulative.assign(milestone=a.label) for a in report.assessments], ignore_index=True)
    frequency = report.assessments[0].frequency if report.assessments else None
    if frequency is not None and frequency.months_per_period > 1:
        cumulative.insert(1, frequency.noun, cumulative["month"].map(frequency.label))
    cumulative["month"] = cumulative["month"].dt.strftime("%Y-%m")
    written = [write_csv_atomic(table.round(4), folder / "milestones.csv"),
               write_csv_atomic(cumulative.round(1).assign(data=data_label), folder / "trajectories.csv")]
    if report.against is not None:
        against = report.against.table().assign(as_of=f"{report.as_of:%Y-%m}", saved=report.against.saved, data=data_label)
        written.append(write_csv_atomic(against.round(4), folder / "against-saved.csv"))
    return written


def chart_name(index: int, a: Assessment) -> str:
    return f"{index + 1:02d}_{slugify(a.label)}.png"


# ---------------------------------------------------------------- the year so far against the saved start-of-year forecast

def _percentile(share: float) -> str:
    """``0.08`` -> ``'8th'``: where the actual falls among the saved paths (``'0th'`` and ``'100th'``: outside them all)."""
    value = min(max(round(share * 100), 0), 100)
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


def _among_paths(m: AgainstSaved, n: int) -> str:
    """``'the 8th percentile of its paths'``, or above (below) every one of them."""
    if m.percentile == 1:
        return f"above every one of its {n:,} paths"
    if m.percentile == 0:
        return f"below every one of its {n:,} paths"
    return f"the {_percentile(m.percentile)} percentile of its paths"


def _position(m: AgainstSaved) -> str:
    """``'ahead of the plan's forecast (fewer crimes than it expected), outside its 80% interval'``."""
    if m.position == ON_PLAN:
        return "exactly on the plan's forecast"
    fewer = m.actual < m.expected
    what = f"{'fewer' if fewer else 'more'} crimes than it expected"
    where = "inside its 80% interval, so within the year-to-date uncertainty" if m.inside80 else "outside its 80% interval"
    return f"{'ahead of' if m.position == AHEAD else 'behind'} the plan's forecast ({what}), {where}"


def against_table(against: AgainstReport) -> pd.DataFrame:
    """The year so far against the saved forecast, one row per milestone, for people."""
    rows = []
    for m in against.milestones:
        a, n = m.assessment, m.now.probability.n
        rows.append({"milestone": a.label, "year to date": count(m.actual),
                     "saved forecast (80%)": f"{count(m.expected)} ({count(m.lo80)} to {count(m.hi80)})",
                     "gap": percent(m.gap), "percentile": _percentile(m.percentile), "position": m.position,
                     "P(meet) at start": probability(m.at_start.probability.p, n),
                     "P(meet) now": probability(m.now.probability.p, n),
                     "P(meet) refitted": probability(a.baseline.probability.p, a.baseline.probability.n)})
    return pd.DataFrame(rows)


def against_sentences(against: AgainstReport) -> list[str]:
    """One sentence per milestone: the year so far against the saved forecast, and the chance of meeting it now."""
    lines = []
    for m in against.milestones:
        a, n = m.assessment, m.now.probability.n
        observed, noun = m.periods_observed, against.frequency.noun
        lines.append(
            f"{a.label}, {observed} {noun}{'s' if observed > 1 else ''} of {a.year}: {count(m.actual)} recorded against "
            f"{count(m.expected)} expected by the forecast saved as '{against.saved}' (80%: {count(m.lo80)} to "
            f"{count(m.hi80)}), {percent(m.gap)}, {_among_paths(m, n)}: running "
            f"{_position(m)}. From that forecast, given the {noun}s observed, the chance of meeting "
            f"{a.milestone.describe()} is {probability(m.now.probability.p, n)} (it was "
            f"{probability(m.at_start.probability.p, n)} at the start of the year; refitted to the {noun}s observed, "
            f"{probability(a.baseline.probability.p, a.baseline.probability.n)}).")
    return lines


def against_text(against: AgainstReport) -> list[Line]:
    """``forecast milestones --against NAME``: the heading, the table and the sentences."""
    lines = [heading(f"\nAgainst the forecast saved at the start of the year as '{against.saved}' (from "
                     f"{against.saved_data_to:%Y-%m}; {against.spec.describe()}; read, not refitted):"),
             plain(tables.text_table(against_table(against), align_left=("milestone", "position"))), plain()]
    lines += [plain(line) for line in against_sentences(against)]
    return lines + [note(f"Note: {text}") for text in against.notes]


def against_json(against: AgainstReport) -> dict:
    """The year so far against the saved forecast, for programs."""
    return {"saved": against.saved, "saved_as_of": against.saved_data_to, "model": against.spec.model,
            "paths": against.spec.paths, "seed": against.spec.seed, "milestones": serialise.records(against.table()),
            "sentences": against_sentences(against), "notes": list(against.notes)}


def milestones_json(report: MilestoneReport, *, data: dict, files: list[Path]) -> dict:
    """``forecast milestones --json``: the plan, the settings, one record per milestone, notes and files.

    Parameters
    ----------
    report
        What :func:`crimecast.scenarios.assess.assess_milestones` returned.
    data
        The counts' ``attrs`` (source, illustrative).
    files
        The files written.
    """
    payload = {"plan": report.plan.name, "as_of": report.as_of, "scenario": report.scenario_name,
               "data": data.get("source"), "illustrative": bool(data.get("illustrative")),
               "model": report.count_model or report.rate_model, "rate_model": report.rate_model,
               "paths": report.base.paths,
               "milestones": serialise.records(report.table()), "notes": report.notes,
               "calibration_caveat": CALIBRATION_CAVEAT,
               "files": [str(p) for p in files]}
    if report.against is not None:
        payload["against"] = against_json(report.against)
    return payload


def _model_text(report: MilestoneReport) -> str:
    """The models used, as the header says them: ``crimecast, 1,000 paths``; rates only ``logit-binomial, 1,000
    paths`` (the count model's settings, steps or drift, do not apply); both ``...; rate milestones: logit-binomial``."""
    if report.count_model is None:
        return tables.model_text(report.rate_model, paths=report.base.paths)
    rates = f"; rate milestones: {report.rate_model}" if report.rate_model else ""
    return tables.model_text(report.count_model, paths=report.base.paths, off=report.base.switched_off) + rates


def milestones_text(report: MilestoneReport, *, data_label: str, folder: Path, files: list[Path]) -> list[Line]:
    """``forecast milestones``: the position table, a sentence per milestone, the year against a saved forecast, notes."""
    observed = max(a.months_observed for a in report.assessments)
    as_of = report.assessments[0].frequency.label(report.as_of)  # "2013/14 Q2" for quarterly data, not its last month
    stage = f"in-year assurance as of {as_of}" if observed else f"planning from {as_of}"
    scenario_text = f", scenario '{report.scenario_name}'" if report.scenario_name else ""
    model = _model_text(report)
    lines = [heading(f"\n{report.title}: {stage}{scenario_text}. Data: {data_label}. Model: {model}."),
             plain(tables.text_table(position_table(report), align_left=("milestone", "year", "target", "verdict"))),
             plain()]
    lines += [plain(line) for line in assurance_sentences(report)]
    if report.against is not None:
        lines += against_text(report.against)
    if any(a.baseline.probability.p > 0.6 or (a.scenario and a.scenario.probability.p > 0.6) for a in report.assessments):
        lines.append(note(f"Note: {CALIBRATION_CAVEAT}"))
    lines += [note(f"Note: {text}") for text in report.notes]
    return lines + [plain(f"\nWrote {counted(len(files), 'file')} to {folder}/.")]

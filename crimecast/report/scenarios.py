"""Scenario output: drivers in words (with the share arithmetic), tables and files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from crimecast.data.series import FORCE_AREA
from crimecast.data.slugs import area_label, display_name, slugify
from crimecast.io import write_csv_atomic
from crimecast.report.tables import count, percent, signed_count
from crimecast.report.text import Line, heading, note, plain
from crimecast.scenarios.resolve import ResolvedDriver, ResolvedScenario
from crimecast.scenarios.result import ScenarioResult
from crimecast.scenarios.run import ScenarioComparison
from crimecast.scenarios.spec import MONTH_NAMES, LevelShift, Seasonal, Share, Trend, Uplift
from crimecast.words import counted

DECIMALS = 1


def _targets(driver: ResolvedDriver, whole: str) -> str:
    return ", ".join(f"{display_name(c).lower()} ({area_label(a, whole=whole)})" for c, a in driver.targets)


def _series(category: str, area: str, whole: str) -> str:
    """``Robbery — force-wide``; ``Robbery — Merseyside`` for one named force (``whole``: what the data's whole is
    called, ``ResolvedScenario.whole_title``)."""
    return f"{display_name(category)} — {area_label(area, whole=whole)}"


def _timing(driver: ResolvedDriver) -> str:
    text = f"from {driver.start:%Y-%m}"
    ramp = driver.spec.ramp_months
    text += f", phased in over {ramp} months" if ramp > 1 else ", at once" if not isinstance(driver.spec, Trend) else ""
    if driver.end is not None:
        text += f", until {driver.end:%Y-%m}"
    return text


def _share_arithmetic(spec: Share) -> str:
    before, after = spec.from_.mean, spec.to.mean
    factor = (1 - before) / (1 - after)
    return (f"The rest of the category is unchanged, so it scales by (1 - {before:.3f}) / (1 - {after:.3f}) = "
            f"{factor:.3f}, i.e. {percent(factor - 1)} once fully in (at the mean shares).")


def describe_driver(driver: ResolvedDriver, *, whole: str = "") -> str:
    """One paragraph saying what a driver does, with its arithmetic; ``whole`` names the data's whole when it is one
    named force (``ResolvedScenario.whole_title``), where the targets would read "force-wide".

    Examples
    --------
    A share driver reads: "domestic abuse reporting push (share): domestic
    abuse as a share of violence with injury (force-wide) moves from +30% to
    triangular low +33%, mode +36%, high +38% (mean 35.7%), from 2013-04, at
    once. The rest of the category is unchanged, so it scales by (1 - 0.300)
    / (1 - 0.357) = 1.088, i.e. +8.8% once fully in (at the mean shares)."
    """
    spec = driver.spec
    head = f"{driver.label} ({spec.kind.replace('_', ' ')}): "
    uncertain = lambda value, signed=True: (f" (mean {percent(value.mean, signed=signed)})"  # noqa: E731
                                            if value.is_uncertain else "")
    if isinstance(spec, Share):
        text = (f"{spec.part} as a share of {_targets(driver, whole)} moves from {spec.from_.describe(percent=True, signed=False)}"
                f"{uncertain(spec.from_, False)} to {spec.to.describe(percent=True, signed=False)}{uncertain(spec.to, False)}, "
                f"{_timing(driver)}. {_share_arithmetic(spec)}")
    elif isinstance(spec, Uplift):
        text = f"{spec.value.describe(percent=True)}{uncertain(spec.value)} on {_targets(driver, whole)}, {_timing(driver)}."
    elif isinstance(spec, LevelShift):
        mean = f" (mean {spec.value.mean:+,.0f})" if spec.value.is_uncertain else ""
        text = f"{spec.value.describe()}{mean} crimes a month on each of {_targets(driver, whole)}, {_timing(driver)}."
    elif isinstance(spec, Trend):
        text = (f"{spec.value.describe(percent=True)}{uncertain(spec.value)} a year on {_targets(driver, whole)}, compounding "
                f"monthly {_timing(driver)}" + (", then held." if driver.end is not None else "."))
    elif isinstance(spec, Seasonal):
        names = ", ".join(MONTH_NAMES[m - 1].title() for m in spec.months)
        text = f"{spec.value.describe(percent=True)}{uncertain(spec.value)} in {names} on {_targets(driver, whole)}, {_timing(driver)}."
    else:  # pragma: no cover - every kind is handled above
        text = spec.kind
    evidence = f" Evidence: {spec.evidence}" if spec.evidence else ""
    return head + text + evidence


def named_area(area: str, force: str) -> str:
    """``area`` as scenario files name it: the whole (area ``force``) called by the force's slug for one force taken
    out of several (``ResolvedScenario.force``, as milestones' files name it); ``area`` itself when ``force`` is empty."""
    return force if force and area == FORCE_AREA else area


def named_areas(frame: pd.DataFrame, force: str) -> pd.DataFrame:
    """``frame`` with each area as :func:`named_area` names it; unchanged when ``force`` is empty."""
    return frame.assign(area=frame["area"].map(lambda area: named_area(area, force))) if force else frame


def chart_name(result: ScenarioResult, key: tuple[str, str]) -> str:
    """The file name of one series' scenario chart, ``<category>_<area>.png``, the area named as in the CSVs and JSON:
    ``robbery_merseyside.png`` for one force of several, ``robbery_force.png`` for a single force's data."""
    category, area = key
    return f"{category}_{named_area(area, result.resolved.force)}.png"


def _interval(mean: float, lo: float, hi: float) -> str:
    return f"{count(mean)} ({count(lo)} to {count(hi)})"


def _forecast_mark(months: int) -> str:
    return " (forecast)" if months >= 12 else " (part forecast)"


def last_year(years: pd.DataFrame) -> list[str]:
    """The year before each row's year: its actual total, or its expected total marked ``(part forecast)`` (or
    ``(forecast)``, when none of it is recorded)."""
    return [count(actual) if actual == actual else f"{count(expected)}{_forecast_mark(forecast)}" if forecast else "-"
            for actual, expected, forecast in zip(years["previous_actual"], years["previous_expected"],
                                                  years["previous_months_forecast"])]


def part_forecast_note(years: pd.DataFrame) -> list[str]:
    """Say once, where a year's year before is forecast (in part or whole), how its change is read."""
    later = years.loc[years["previous_months_forecast"] > 0, "financial_year"].unique()
    if not len(later):
        return []
    return [f"{', '.join(later)}: the year before is not yet recorded in full, so 'last year' is its expected total "
            "(marked forecast), and each change is on the same path's year before (the scenario's on the "
            "scenario's), allowing for the uncertainty of both years."]


def year_table(result: ScenarioResult) -> pd.DataFrame:
    """Financial-year totals, baseline vs scenario, for the terminal.

    The totals, differences and changes are means (they add up, as the contributions do); each change has the median
    path's beside it, the expected change ``forecast milestones`` gives (under ``--scenario`` too).
    """
    years = result.financial_years()
    has_actual = years["actual"].notna().any()
    shown = pd.DataFrame({
        "series": [_series(c, a, result.resolved.whole_title) for c, a in zip(years["category"], years["area"])],
        "year": years["financial_year"],
        "last year": last_year(years),
        "baseline (80%)": [_interval(*r) for r in zip(years["baseline_mean"], years["baseline_lo80"], years["baseline_hi80"])],
        "change": years["baseline_change"].map(percent),
        "median": years["baseline_change_median"].map(percent),
        "scenario (80%)": [_interval(*r) for r in zip(years["scenario_mean"], years["scenario_lo80"], years["scenario_hi80"])],
        "change ": years["scenario_change_mean"].map(percent),
        "median ": years["scenario_change_median"].map(percent),
        "difference (80%)": [f"{signed_count(m)} ({signed_count(lo)} to {signed_count(hi)})" for m, lo, hi in
                             zip(years["difference_mean"], years["difference_lo80"], years["difference_hi80"])],
    })
    if has_actual:
        shown["actual"] = [f"{count(a)} ({percent(c)})" if a == a else "-" for a, c in zip(years["actual"], years["actual_change"])]
    return shown


SHOWN_CHANGE = 0.5  # crimes: drivers moving a series by less are left out of the terminal table
SUMMARY_ROWS = ("interaction", "all drivers")


def contribution_frame(result: ScenarioResult) -> pd.DataFrame:
    """Each driver's share of the change in each series' financial-year total.

    Drivers that do not move a series are left out; ``interaction`` and
    ``all drivers`` are shown only where two or more drivers move it.
    """
    parts = []
    for _, group in result.contributions.groupby(["category", "area", "financial_year"], sort=False):
        summary = group["driver"].isin(SUMMARY_ROWS)
        moving = group[~summary & (group["change"].abs() >= SHOWN_CHANGE)]
        parts += [moving, group[summary]] if len(moving) > 1 else [moving]
    table = pd.concat(parts)
    return pd.DataFrame({
        "series": [_series(c, a, result.resolved.whole_title) for c, a in zip(table["category"], table["area"])],
        "year": table["financial_year"],
        "driver": table["driver"],
        "crimes": table["change"].map(signed_count),
        "share of change": table["share"].map(lambda v: "-" if v != v else f"{v * 100:.0f}%".replace("-0%", "0%")),
    })


def actual_sentences(result: ScenarioResult) -> list[str]:
    """Where the data already holds the outcome: how far the scenario moved the forecast toward it."""
    lines = []
    for row in result.financial_years().itertuples():
        if row.actual != row.actual or row.previous_actual != row.previous_actual:
            continue
        gap_before = row.actual_change - row.baseline_change
        gap_after = row.actual_change - row.scenario_change_mean
        closed = 1 - abs(gap_after) / abs(gap_before) if gap_before else float("nan")
        verdict = (f"closing {closed:.0%} of the gap" if closed >= 0 else
                   "further from the outcome than the baseline" if closed == closed else "the baseline was exact")
        lines.append(
            f"{_series(row.category, row.area, result.resolved.whole_title)}, {row.financial_year}: the outcome was "
            f"{percent(row.actual_change)}; the baseline forecast {percent(row.baseline_change)} and the scenario "
            f"{percent(row.scenario_change_mean)} (80% {percent(row.scenario_change_lo80)} to "
            f"{percent(row.scenario_change_hi80)}): {verdict}."
        )
    return lines


def comparison_table(comparison: ScenarioComparison) -> pd.DataFrame:
    """One row per series and year, one column per scenario: mean total and change on the year before, with the
    median path's change beside it (as ``scenario run`` shows it): ``19,517 (+9.4%, median +8.8%)``."""
    table = comparison.financial_years()
    rows = []
    for (category, area, year), group in table.groupby(["category", "area", "financial_year"], sort=False):
        row = {"series": _series(category, area, comparison.results[0].resolved.whole_title), "year": year,
               "last year": last_year(group.iloc[:1])[0]}
        for item in group.itertuples():
            row[item.scenario] = f"{count(item.mean)} ({percent(item.change)}, median {percent(item.change_median)})"
        rows.append(row)
    return pd.DataFrame(rows).fillna("-")


def output_dir(out_dir: Path, name: str) -> Path:
    """The folder for one scenario's files: ``OUT/scenario-<name>``."""
    return Path(out_dir) / f"scenario-{slugify(name)}"


def write_scenario_tables(result: ScenarioResult, folder: Path, *, data_label: str) -> list[Path]:
    """Monthly, financial-year and contribution CSVs (atomic writes)."""
    extra = {"scenario": result.name, "data": data_label}
    force = result.resolved.force
    monthly = named_areas(result.monthly_table(), force)
    monthly["month"] = monthly["month"].dt.strftime("%Y-%m")
    return [
        write_csv_atomic(monthly.round(DECIMALS).assign(**extra), folder / "monthly.csv"),
        write_csv_atomic(_medians_last(named_areas(result.financial_years(), force).round(4).assign(**extra)),
                         folder / "financial_years.csv"),
        write_csv_atomic(named_areas(result.contributions, force).round(4).assign(**extra), folder / "contributions.csv"),
    ]


def _medians_last(years: pd.DataFrame) -> pd.DataFrame:
    """The median columns (added in session 32) after every older one, so a reader by position still works."""
    medians = [column for column in years.columns if column == "median" or column.endswith("_median")]
    return years[[column for column in years.columns if column not in medians] + medians]


def comparison_frame(comparison: ScenarioComparison) -> pd.DataFrame:
    """``forecast scenario compare``'s rows (:meth:`ScenarioComparison.financial_years`), each area named as the
    scenario files name it, for the CSV and ``--json``.

    Parameters
    ----------
    comparison
        From :func:`crimecast.scenarios.run.compare_scenarios`.

    Returns
    -------
    pandas.DataFrame
        One row per series, financial year and scenario, the baseline first.
    """
    return named_areas(comparison.financial_years(), comparison.results[0].resolved.force)


def write_comparison_csv(table: pd.DataFrame, folder: Path, *, data_label: str | None) -> Path:
    """``scenario-comparison.csv``: ``table`` (:func:`comparison_frame`) with a ``data`` column, and the median
    columns after it (added later: a reader by position still works).

    Parameters
    ----------
    table
        From :func:`comparison_frame`.
    folder
        The output folder.
    data_label
        The data the scenarios were run on (the ``data`` column).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    return write_csv_atomic(_medians_last(table.round(4).assign(data=data_label)), Path(folder) / "scenario-comparison.csv")


def scenario_json(result: ScenarioResult, *, files: list[Path]) -> dict:
    """``forecast scenario run --json``: the scenario, its drivers in words, years, contributions, months, notes, files."""
    from crimecast.report import serialise

    scenario, force = result.resolved.scenario, result.resolved.force
    return {"scenario": scenario.name, "description": scenario.description.strip(), "file": scenario.source,
            "data": result.data.get("source"), "illustrative": bool(result.data.get("illustrative")),
            "notice": result.data.get("notice", ""), "as_of": result.as_of, "base": scenario.base.model_dump(),
            "drivers": [{"name": d.label, "kind": d.kind, "description": describe_driver(d, whole=result.resolved.whole_title),
                         "defined_in": d.where}
                        for d in result.resolved.drivers],
            "financial_years": serialise.records(named_areas(result.financial_years(), force)),
            "contributions": serialise.records(named_areas(result.contributions, force)),
            "monthly": serialise.records(named_areas(result.monthly_table(), force)), "notes": result.notes,
            "files": [str(p) for p in files]}


def scenario_text(result: ScenarioResult, *, data_label: str, folder: Path, files: list[Path]) -> list[Line]:
    """``forecast scenario run``: the drivers, financial years, actual outcomes, contributions, notes and files."""
    from crimecast.report import tables

    scenario = result.resolved.scenario
    spec = result.spec  # the saved forecast's settings when one was read, not the file's base
    lines = [heading(f"\nScenario: {scenario.name}. Data: {data_label}. Forecast from {result.as_of:%Y-%m} "
                     f"({tables.model_text(spec.model, paths=spec.paths, off=spec.switched_off)}).")]
    if scenario.description.strip():
        lines.append(plain(scenario.description.strip()))
    lines.append(heading("\nDrivers:"))
    lines += [plain(f"- {describe_driver(driver, whole=result.resolved.whole_title)}") for driver in result.resolved.drivers]
    lines += [heading("\nFinancial years (mean and 80% interval; change on the year before: mean, and median as milestones "
                      "gives it):"),
              plain(tables.text_table(year_table(result), align_left=("series", "year")))]
    lines += [plain(line) for line in actual_sentences(result)]
    lines += [note(f"Note: {text}") for text in part_forecast_note(result.financial_years())]
    if len(result.resolved.drivers):
        lines += [heading("\nContributions (each driver applied on its own):"),
                  plain(tables.text_table(contribution_frame(result), align_left=("series", "year", "driver")))]
    lines += [note(f"Note: {text}") for text in result.notes]
    return lines + [plain(f"\nWrote {counted(len(files), 'file')} to {folder}/.")]


def check_json(resolved: ResolvedScenario) -> dict:
    """``forecast scenario check --json``: the scenario is valid; its forecast months, drivers and notes."""
    scenario = resolved.scenario
    return {"valid": True, "scenario": scenario.name, "file": scenario.source, "as_of": resolved.as_of,
            "forecast": [resolved.months[0], resolved.months[-1]],
            "drivers": [{"name": d.label, "kind": d.kind, "description": describe_driver(d, whole=resolved.whole_title)}
                        for d in resolved.drivers],
            "notes": list(resolved.notes)}


def check_text(resolved: ResolvedScenario) -> list[Line]:
    """``forecast scenario check``: valid, what it forecasts, each driver in words, and notes."""
    scenario = resolved.scenario
    lines = [plain(f"{scenario.source}: valid. Scenario '{scenario.name}' on {scenario.base.data}, forecasting "
                   f"{resolved.months[0]:%Y-%m} to {resolved.months[-1]:%Y-%m} with {counted(len(resolved.drivers), 'driver')}:")]
    lines += [plain(f"- {describe_driver(driver, whole=resolved.whole_title)}") for driver in resolved.drivers]
    return lines + [note(f"Note: {text}") for text in resolved.notes]


def comparison_json(comparison: ScenarioComparison, *, table: pd.DataFrame, file: Path) -> dict:
    """``forecast scenario compare --json``: the scenarios and their financial-year totals side by side."""
    from crimecast.report.serialise import records

    data = comparison.results[0].data
    return {"data": data.get("source"), "illustrative": bool(data.get("illustrative")),
            "scenarios": [r.name for r in comparison.results], "financial_years": records(table), "file": str(file)}


def comparison_text(comparison: ScenarioComparison, *, file: Path) -> list[Line]:
    """``forecast scenario compare``: mean totals and changes per scenario, on the one baseline (its model named as
    ``scenario run`` names it)."""
    from crimecast.report.tables import model_text, text_table

    first = comparison.results[0]
    spec = first.spec  # the saved forecast's settings when one was read, not the files' base
    return [heading(f"\nScenarios compared on one baseline forecast from {first.as_of:%Y-%m} "
                    f"({model_text(spec.model, paths=spec.paths, off=spec.switched_off)}), mean total and change on "
                    "the year before, and the median change as milestones gives it:"),
            plain(text_table(comparison_table(comparison), align_left=("series", "year"))),
            *(note(f"Note: {text}") for text in part_forecast_note(comparison.results[0].financial_years())),
            plain(f"\nWrote {file}.")]


def template_written_text(path: Path) -> list[Line]:
    """``forecast scenario new``: where the template went and what to do next."""
    return [plain(f"Wrote {path}. Edit the drivers, then run `forecast scenario check {path}`.")]

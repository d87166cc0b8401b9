"""Plain-text tables and sentences for the terminal, in a Board's words."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

import pandas as pd

from crimecast.data.frequency import MONTHLY, Frequency
from crimecast.data.series import filled_among
from crimecast.data.slugs import area_label, display_name
from crimecast.forecast.metrics import METRIC_LABELS
from crimecast.forecast.paths import ForecastResult


def count(value: float) -> str:
    """``12078.4`` -> ``'12,078'``."""
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.0f}"


def signed_count(value: float) -> str:
    """``-183.2`` -> ``'-183'``, ``1606`` -> ``'+1,606'``; a count that rounds to none is ``'0'``, not ``'-0'``."""
    if value is None or value != value:
        return "-"
    text = f"{value:+,.0f}"
    return "0" if text in ("+0", "-0") else text


def percent(value: float, *, signed: bool = True) -> str:
    """``-0.0612`` -> ``'-6.1%'``; a change that rounds to nothing is ``'+0.0%'``, never ``'-0.0%'``."""
    if value is None or math.isnan(value):
        return "-"
    rounded = round(value * 100, 1) + 0.0  # (+ 0.0 turns -0.0 into 0.0)
    return f"{rounded:+.1f}%" if signed else f"{rounded:.1f}%"


def text_table(frame: pd.DataFrame, *, align_left: tuple[str, ...] = ()) -> str:
    """Columns padded to their widest cell; text columns left, numbers right."""
    cells = [[str(c) for c in frame.columns]] + [[str(v) for v in row] for row in frame.itertuples(index=False)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(frame.columns))]
    left = {i for i, c in enumerate(frame.columns) if c in align_left}
    lines = []
    for r, row in enumerate(cells):
        lines.append("  ".join(v.ljust(w) if i in left else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths))).rstrip())
        if r == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def forecast_table(result: ForecastResult) -> str:
    """Month (or quarter, ``2013/14 Q1``), median forecast, 80% and 95% intervals."""
    table = result.monthly_table()
    frequency = result.frequency
    shown = pd.DataFrame({
        frequency.noun: table["month"].map(frequency.label),
        "forecast": table["median"].map(count),
        "80% interval": [f"{count(lo)} - {count(hi)}" for lo, hi in zip(table["lo80"], table["hi80"])],
        "95% interval": [f"{count(lo)} - {count(hi)}" for lo, hi in zip(table["lo95"], table["hi95"])],
    })
    return text_table(shown, align_left=(frequency.noun,))


def direction(change_lo: float, change_hi: float) -> str:
    """'down' or 'up' only when the whole 80% interval of the change says so."""
    if change_hi < 0:
        return "down"
    if change_lo > 0:
        return "up"
    return "no clear change"


def filled_words(filled, frequency: Frequency = MONTHLY) -> str:
    """``' (includes 1 month filled in by interpolation, not recorded: 2019-07)'``, or ``''`` when none."""
    if not len(filled):
        return ""
    shown = ", ".join(frequency.label(m) for m in sorted(filled))
    return f" (includes {frequency.count_of(len(filled))} filled in by interpolation, not recorded: {shown})"


def _filled_in_year(filled, year_label: str, frequency: Frequency) -> list:
    from crimecast.data.calendar import financial_year_periods, parse_financial_year

    periods = financial_year_periods(parse_financial_year(year_label), frequency)
    return [m for m in filled if m in periods]


def _without(parts, total: tuple[str, str] | None) -> str:
    """``', without fraud-offences'``: the parts of a total whose counts stop, left out of a comparison; or ``''``."""
    if not parts:
        return ""
    return ", without " + ", ".join(p.named_in(total) if total else f"{p.key[0]} / {p.key[1]}" for p in parts)


def _without_in_year(result: ForecastResult, year_label: str) -> str:
    """``', without fraud-offences'`` when a part left out of the year's comparison counted crimes in the year's own
    observed periods (its total leaves them out too, as the year before does); else ``''``."""
    from crimecast.data.calendar import financial_year_periods

    start = int(year_label[:4])
    periods = financial_year_periods(start, result.frequency)
    return _without([p for p in result.compared_without(start) if p.counted_in(periods)],
                    (result.category, result.area))


def year_sentences(result: ForecastResult, *, filled=()) -> list[str]:
    """One sentence per financial year the forecast covers, with its change on the year before.

    ``filled``: periods missing from the data and filled in; a year total
    (actual or part actual) that includes any says so.
    """
    lines = []
    frequency = result.frequency
    for row in result.financial_years().itertuples():
        part = " (part actual)" if row.months_forecast < 12 else ""
        fills = _filled_in_year(filled, row.financial_year, frequency) if part else []
        if fills:
            part = f" (part actual; {filled_words(fills, frequency)[2:]}"
        line = (f"Financial year {row.financial_year}{part}{_without_in_year(result, row.financial_year)}: "
                f"{count(row.median)} (median forecast; "
                f"80% interval {count(row.lo80)} - {count(row.hi80)}; 95% {count(row.lo95)} - {count(row.hi95)}).")
        if row.previous_actual == 0:
            previous = f"{int(row.financial_year[:4]) - 1}/{row.financial_year[2:4]}"
            line += f"\n  Against {previous} actual 0: no change can be given on a year with no crimes."
        elif not math.isnan(row.previous_actual):
            previous = f"{int(row.financial_year[:4]) - 1}/{row.financial_year[2:4]}"
            fills = filled_words(_filled_in_year(filled, previous, frequency), frequency)
            without = _without(result.compared_without(int(row.financial_year[:4])), (result.category, result.area))
            line += (f"\n  Against {previous} actual {count(row.previous_actual)}{fills}{without}: "
                     f"{percent(row.change_median)} "
                     f"(80% interval {percent(row.change_lo80)} to {percent(row.change_hi80)}), "
                     f"{direction(row.change_lo80, row.change_hi80)}.")
        lines.append(line)
    return lines


def year_window(frequency: Frequency = MONTHLY) -> str:
    """``'12 months'`` or ``'4 quarters'``: one backtest window."""
    return f"{frequency.periods_per_year} {frequency.noun}s"


def _score_columns(scores: pd.DataFrame, *, frequency: Frequency) -> dict[str, pd.Series]:
    """The backtest scores both tables show (MASE, the year total's error, 80% coverage), headed and formatted once."""
    total_label = METRIC_LABELS["total_ape"].replace("12-month", f"{frequency.periods_per_year}-{frequency.noun}")
    return {METRIC_LABELS["mase"]: scores["mase"].map(lambda v: f"{v:.2f}"),
            total_label: scores["total_ape"].map(lambda v: f"{v:.1f}"),
            METRIC_LABELS["coverage80"]: scores["coverage80"].map(lambda v: f"{v:.0f}")}


def per_series_backtest_table(per_series: pd.DataFrame, *, frequency: Frequency = MONTHLY) -> str:
    """Each series' mean scores by model, headed in the overall table's words."""
    shown = pd.DataFrame({"category": per_series["category"], "area": per_series["area"], "model": per_series["model"],
                          **_score_columns(per_series, frequency=frequency)})
    return text_table(shown, align_left=("category", "area", "model"))


def backtest_table(summary: pd.DataFrame, *, frequency: Frequency = MONTHLY) -> str:
    """Mean scores per model, best MASE first."""
    shown = pd.DataFrame({"model": summary.index, **_score_columns(summary, frequency=frequency),
                          METRIC_LABELS["coverage95"]: summary["coverage95"].map(lambda v: f"{v:.0f}"),
                          "windows": summary["windows"]})
    return text_table(shown, align_left=("model",))


def model_label(result: ForecastResult, *, filled: Collection[pd.Timestamp] = ()) -> str:
    """The model that made ``result``'s numbers: its model's name, or, for a series too short for a seasonal model
    (under two years), ``'recent average level (too short for crimecast: 18 months)'``; with ``filled`` (the periods
    missing from the data and filled in) among them, ``'... 16 months, 14 of them filled in)'``."""
    from crimecast.forecast.models import min_periods_to_model

    frequency = result.frequency
    if len(result.history) < min_periods_to_model(frequency):
        among = filled_among(result.history, filled)
        of_them = f", {among} of them filled in" if among else ""
        return f"recent average level (too short for {result.model}: {frequency.count_of(len(result.history))}{of_them})"
    return result.model


def switched_off_text(off: Sequence[str]) -> str:
    """``', drift off'``: the defaults a forecast goes without (``ForecastSpec.switched_off``), to follow a header's
    model and paths; ``''`` when it goes without none."""
    return "".join(f", {item}" for item in off)


def model_text(model: str, *, paths: int, off: Sequence[str] = ()) -> str:
    """``'crimecast, 1,000 paths, drift off'``: the model a header names, its paths and the defaults it goes without
    (``ForecastSpec.switched_off``); one wording for every command that forecasts."""
    return f"{model}, {paths:,} paths{switched_off_text(off)}"


def series_title(result: ForecastResult) -> str:
    return f"{display_name(result.category)} — {area_label(result.area, whole=result.whole_title)}"


def p_value(value: float) -> str:
    """``3e-7`` -> ``'< 0.001'``; ``0.1648`` -> ``'0.165'``."""
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def p_equals(value: float) -> str:
    """``3e-7`` -> ``'p < 0.001'`` (not ``'p = < 0.001'``); ``0.1648`` -> ``'p = 0.165'``."""
    shown = p_value(value)
    return f"p {shown}" if shown.startswith("<") else f"p = {shown}"


def spc_periods(chart) -> pd.DataFrame:
    """One row per period: start, end (``2013-04``, or ``2013/14 Q1`` for quarters), points, mean, lower and upper natural limits."""
    label = chart.frequency.label
    return pd.DataFrame([{
        "start": label(p.start), "end": label(p.end), "points": p.points,
        "mean": round(p.limits.mean, 1), "lower": None if p.degenerate else round(max(p.limits.lower, 0.0), 1),
        "upper": None if p.degenerate else round(p.limits.upper, 1),
    } for p in chart.periods])


def spc_signals(chart) -> pd.DataFrame:
    """One row per month (``quarter`` for quarterly data) with a special cause: when, value, the rules that fired there."""
    frequency = chart.frequency
    when = frequency.noun
    rows: dict = {}
    for signal in chart.signals:
        row = rows.setdefault(signal.month, {when: frequency.label(signal.month), "value": round(signal.value, 1), "rules": []})
        row["rules"].append(signal.rule)
    return pd.DataFrame([{**row, "rules": "; ".join(row["rules"])} for row in rows.values()],
                        columns=[when, "value", "rules"])


def comparison_line(comparison, *, frequency: Frequency = MONTHLY, total: tuple[str, str] | None = None) -> str:
    """``'2013/14 on 2012/13: 12,868 vs 13,705, -6.1%: a significant fall (Poisson E-test p < 0.001).'``; a total's
    comparison that leaves out parts whose counts stop names them (``'..., without fraud-offences: ...'``)."""
    test = comparison.test
    filled = filled_words(comparison.filled, frequency)
    return (f"{comparison.label}{_without(comparison.left_out, total)}: {count(test.current)} vs "
            f"{count(test.previous)}{filled}, "  # what is not recorded
            f"{percent(test.change)}: {test.verdict} (Poisson E-test {p_equals(test.p_value)}).")


def summary_frame(reports, *, failures=()) -> pd.DataFrame:
    """One row per series: the last financial year covered, its change, backtest MASE, and ``status``.

    ``status`` is ``ok``, or ``failed: <reason>`` for a series in ``failures``
    (whose numbers are blank), so the file says which series are missing and why.
    ``months_forecast`` is how many months of that year are forecast (fewer
    than 12: the rest are actual, and the table says "part actual").
    ``median_total`` is the median of the year-total paths (the figure one
    series' output calls the "median forecast"), and ``change_on_previous``
    its change; ``lo80`` and ``hi80`` the year total's 80% interval.
    ``compared_without`` names the parts of a total whose counts stop that the
    change leaves out of both years (like with like), if any.
    """
    rows = []
    for report in reports:
        result = report.forecast
        years = result.financial_years()
        year = years.iloc[-1] if not years.empty else {}
        summary = report.backtest_summary
        rows.append({
            "category": result.category, "area": result.area,
            "financial_year": year.get("financial_year"),
            "median_total": _rounded(year.get("median"), 1),
            "lo80": _rounded(year.get("lo80"), 1),
            "hi80": _rounded(year.get("hi80"), 1),
            "change_on_previous": _rounded(year.get("change_median"), 4),
            "backtest_mase": None if summary is None else round(summary.at[result.model, "mase"], 3),
            "lost_to_baseline": report.lost_to or "",
            "status": "ok",
            "months_forecast": year.get("months_forecast"),
            "compared_without": _compared_without(result, year.get("financial_year")),
        })
    for failure in failures:
        rows.append({"category": failure.category, "area": failure.area, "lost_to_baseline": "",
                     "status": f"failed: {failure.why}"})
    columns = ["category", "area", "financial_year", "median_total", "lo80", "hi80", "change_on_previous",
               "backtest_mase", "lost_to_baseline", "status", "months_forecast", "compared_without"]
    return pd.DataFrame(rows, columns=columns)


def _compared_without(result: ForecastResult, year: str | None) -> str:
    """The parts of a total whose counts stop that its change on the year before leaves out of both years
    (``'fraud-offences (to 2012/13 Q4)'``), or ``''``."""
    if not year:
        return ""
    parts = result.compared_without(int(year[:4]))
    return "; ".join(f"{p.named_in((result.category, result.area))} (to {p.label})" for p in parts)


def summary_display(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`summary_frame` for people: counts with thousands separators, the change as a percentage."""
    def shown(value, render):
        return "-" if value is None or pd.isna(value) else render(value)

    return pd.DataFrame({
        "category": frame["category"], "area": frame["area"],
        "financial year": [("-" if pd.isna(year) else f"{year} (part actual)" if pd.notna(ahead) and ahead < 12 else year)
                           for year, ahead in zip(frame["financial_year"], frame["months_forecast"])],
        "median": frame["median_total"].map(lambda v: shown(v, count)),  # the year total's, as one series' output says
        "80% interval": [f"{count(lo)} - {count(hi)}" if pd.notna(lo) else "-" for lo, hi in zip(frame["lo80"], frame["hi80"])],
        "change": frame["change_on_previous"].map(lambda v: shown(v, percent)),
        "backtest MASE": frame["backtest_mase"].map(lambda v: shown(v, lambda x: f"{x:.2f}")),
        "lost to baseline": frame["lost_to_baseline"].replace("", "-"),
    })


def _rounded(value, digits: int):
    return None if value is None or pd.isna(value) else round(float(value), digits)


def areas_sentence(counts: pd.DataFrame) -> str:
    """How the areas of a dataset relate, in one sentence for ``forecast list``."""
    whole = counts.attrs.get("whole") or "force"
    if counts.attrs.get("areas") == "peers" and counts["area"].nunique() == 1:  # default_area: the one force
        return (f"The areas are peers (such as separate forces), and this data holds one, {counts['area'].iloc[0]}: "
                "it is the default area of every command.")
    if counts.attrs.get("areas") == "peers":
        return ("The areas are peers (such as separate forces, or the local authorities of several forces): no total "
                "over them is formed; name one with --area (the default is refused).")
    if whole in set(counts["area"]) and counts["area"].nunique() > 1:
        return f"The areas are parts of one force; '{whole}' is its total and the default area."
    return "One area: it is the default."

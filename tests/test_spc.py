import numpy as np
import pandas as pd
import pytest

from tests.conftest import needs_shared_data

from crimecast.errors import DataError
from crimecast.forecast.spc import (control_chart, describe_chart, detect_steps, runs, trends, two_of_three,
                                    xmr_limits, beyond_limits)

# Worked by hand: sum 157 over 12 points; moving ranges 2,1,2,1,18,19,1,2,1,2,1 (sum 50 over 11).
REFERENCE = np.array([10, 12, 11, 13, 12, 30, 11, 12, 10, 11, 13, 12], dtype=float)


def months(n, start="2011-04-01"):
    return pd.date_range(start, periods=n, freq="MS")


def test_reference_limits_match_the_hand_calculation():
    limits = xmr_limits(REFERENCE)
    assert limits.mean == pytest.approx(157 / 12)
    assert limits.mr_bar == pytest.approx(50 / 11)
    assert limits.upper == pytest.approx(157 / 12 + 2.66 * 50 / 11)
    assert limits.lower == pytest.approx(157 / 12 - 2.66 * 50 / 11)
    assert np.flatnonzero(beyond_limits(REFERENCE, limits)).tolist() == [5]


def test_reference_with_moving_range_screening():
    # 3.267 x 50/11 = 14.85: the ranges 18 and 19 are screened out, leaving 13 over 9 ranges.
    limits = xmr_limits(REFERENCE, screen=True)
    assert limits.mr_bar == pytest.approx(13 / 9)
    assert limits.upper == pytest.approx(157 / 12 + 2.66 * 13 / 9)
    assert np.flatnonzero(beyond_limits(REFERENCE, limits)).tolist() == [5]


def test_run_of_seven_on_one_side_is_flagged_and_six_is_not():
    seven = np.array([0, 1, 1, 1, 1, 1, 1, 1, 0, -1], dtype=float)
    assert np.flatnonzero(runs(seven, 0.5)).tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert not runs(seven[:7], 0.5).any()
    assert runs(seven, 0.5, length=6).sum() == 7


def test_points_on_the_mean_break_a_run():
    values = np.array([1, 1, 1, 0.5, 1, 1, 1, 1], dtype=float)
    assert not runs(values, 0.5).any()


def test_trend_of_six_rising_points():
    values = np.array([5, 1, 2, 3, 4, 5, 6, 2], dtype=float)
    assert np.flatnonzero(trends(values)).tolist() == [1, 2, 3, 4, 5, 6]
    assert not trends(values[:6]).any()


def test_two_of_three_beyond_two_thirds_same_side():
    limits = xmr_limits(np.array([10, 11, 10, 11, 10, 11, 10, 11], dtype=float))
    near = limits.mean + 0.8 * (limits.upper - limits.mean)
    values = np.array([10.5, near, 10.5, near, 10.5, 10.5])
    assert np.flatnonzero(two_of_three(values, limits)).tolist() == [1, 3]
    opposite = np.array([10.5, near, 10.5, limits.mean - 0.8 * (limits.mean - limits.lower), 10.5])
    assert not two_of_three(opposite, limits).any()


def test_a_break_starts_a_period_with_its_own_mean_and_limits():
    values = pd.Series([10, 11, 10, 12, 11, 10, 11, 20, 21, 20, 22, 21, 20, 21], index=months(14), dtype=float)
    chart = control_chart(values, breaks=[values.index[7]])
    assert [p.points for p in chart.periods] == [7, 7]
    assert chart.periods[0].limits.mean == pytest.approx(75 / 7) and chart.periods[1].limits.mean == pytest.approx(145 / 7)


@pytest.mark.parametrize("values, message", [(np.arange(11.0), "at least 12 months"), (np.full(20, 7.0), "no variation")])
def test_too_short_or_constant_series_is_explained(values, message):
    with pytest.raises(DataError, match=message):
        control_chart(pd.Series(values, index=months(len(values))))


def _synthetic(seed: int, step: float, n: int = 48, level: float = 200.0):
    rng = np.random.default_rng(seed)
    at = int(rng.integers(12, n - 12))
    mean = np.full(n, level)
    mean[at:] *= 1 + step
    series = pd.Series(rng.poisson(mean).astype(float), index=months(n, "2010-01-01"))
    return series, series.index[at]


def test_twenty_percent_steps_are_found_within_a_month_in_at_least_90_percent():
    found = 0
    for seed in range(200):
        series, truth = _synthetic(seed, 0.2 if seed % 2 else -0.2)
        found += any(abs((s.month - truth).days) <= 31 for s in detect_steps(series))
    assert found / 200 >= 0.90


def test_series_without_a_step_raise_a_false_step_at_most_5_percent():
    false = sum(bool(detect_steps(_synthetic(10_000 + seed, 0.0)[0])) for seed in range(200))
    assert false / 200 <= 0.05


def test_a_steady_decline_is_not_called_a_step():
    series = pd.Series(1000 * 0.99 ** np.arange(48), index=months(48)) + np.random.default_rng(1).normal(0, 5, 48)
    assert detect_steps(series) == []


def test_known_changes_are_always_steps_with_their_measured_size():
    series, _ = _synthetic(3, 0.0)
    steps = detect_steps(series, known=[series.index[20]])
    assert len(steps) == 1 and steps[0].known and abs(steps[0].change) < 0.1


def test_summary_speaks_like_the_report():
    values = pd.Series([100.0] * 12 + [80.0] * 12, index=months(24)) + np.tile([1.0, -1.0], 12)
    chart = control_chart(values, breaks=[values.index[12]])
    chart.steps = detect_steps(values)
    lines = describe_chart(chart)
    assert lines[0] == "Step change down of 20% from 2012-04 to a process average of 80."
    assert "Since 2012-04 the process is stable" in lines[1]


def test_limits_from_mostly_zeros_are_not_set_nor_read_and_the_summary_says_why():
    values = pd.Series([0.0] * 30 + [1, 11, 7, 10, 18, 20], index=months(36))  # London's airports' burglary, 2020-23
    chart = control_chart(values)
    (period,) = chart.periods
    assert period.degenerate and chart.signals == []  # limits 1.6 to 2.1 would flag every zero month
    lines = describe_chart(chart)
    assert lines[-1].startswith("Too few crimes, too evenly spread, for a control chart: 30 of the 36 months since "
                                "2011-04 had none (average 1.9 a month)")
    assert not any("natural limits" in line or "Special cause" in line for line in lines)
    assert lines[-1].endswith("The latest 6 months (2013-10 to 2014-03) all had some, 1 to 20 a month, after 30 "
                              "months with none: a change too recent to be tested as a step; watch whether it lasts.")
    quiet = describe_chart(control_chart(pd.Series([0.0] * 33 + [1, 1, 0], index=months(36))))
    assert "too few crimes" in quiet[-1].lower() and "latest" not in quiet[-1]  # a lone one or two is noise
    from pathlib import Path

    from crimecast.forecast.run import ProcessReport
    from crimecast.report.forecast import spc_text
    from crimecast.report.tables import spc_periods

    assert spc_periods(chart)[["lower", "upper"]].isna().all(axis=None)
    text = "\n".join(line.text for line in spc_text(ProcessReport("burglary", "airports", chart, None, lines, []),
                                                     folder=Path("out"), files=[]))
    assert "2011-04  2014-03      36     2      -      -" in text and "No special-cause signals" not in text


def test_a_period_shorter_than_a_chart_needs_has_its_limits_called_provisional():
    values = pd.Series([100.0, 104, 98, 101] * 4 + [120.0, 124, 118, 121, 119, 123, 120], index=months(23))
    lines = describe_chart(control_chart(values, breaks=[values.index[16]]))
    assert lines[-1].endswith("(provisional: only 7 months since 2012-08; limits firm up at 12).")


def test_a_row_of_several_areas_calls_provisional_limits_provisional_as_the_chart_does():
    """`forecast spc burglary --dataset pu --area all` called Avon and Somerset's 11 months since a step 'stable'
    while its own chart called the limits provisional."""
    from crimecast.forecast.run import ProcessReport
    from crimecast.forecast.spc_areas import area_row

    values = pd.Series([100.0, 104, 98, 101] * 4 + [120.0, 124, 118, 121, 119, 123, 120], index=months(23))
    chart = control_chart(values, breaks=[values.index[16]])
    row = area_row(ProcessReport("burglary", "north", chart, None, describe_chart(chart), []))
    assert (row["points"], row["status"]) == (7, "stable (limits provisional)")
    whole = control_chart(values.iloc[:16])
    assert area_row(ProcessReport("burglary", "north", whole, None, describe_chart(whole), []))["status"] == "stable"


# ---------------------------------------------------------------- quarterly charts

def test_quarterly_chart_limits_come_from_quarterly_moving_ranges():
    from crimecast.data.series import series_of
    from crimecast.forecast.run import run_spc
    from tests.conftest import quarterly_demo

    counts = quarterly_demo()
    report = run_spc(counts, category="total-recorded-crime", area="force", start=pd.Timestamp("2009-04-01"))
    values = series_of(counts, category="total-recorded-crime", area="force").loc["2009-04-01":]
    assert len(report.chart.values) == len(values) == 20  # points are quarters
    for period in report.chart.periods:
        piece = values.loc[period.start:period.end].to_numpy(dtype=float)
        assert period.limits == xmr_limits(piece, screen=True)
        assert (period.limits.upper - period.limits.mean) / period.limits.mean > 0.02  # not the +/-1% of spread months
    summary = " ".join(report.summary)
    assert "a quarter" in summary and "a month" not in summary and " Q" in summary


def test_quarterly_tables_and_sentences_speak_of_quarters():
    from crimecast.report.tables import spc_periods, spc_signals

    values = pd.Series(np.r_[np.full(8, 100.0), 130.0, np.full(7, 100.0)] + np.tile([0.0, 3.0, -2.0, 1.0], 4),
                       index=pd.date_range("2010-04-01", periods=16, freq="QS-JAN"))
    chart = control_chart(values)
    periods, signals = spc_periods(chart), spc_signals(chart)
    assert periods.iloc[0].tolist()[:3] == ["2010/11 Q1", "2013/14 Q4", 16]
    assert list(signals.columns) == ["quarter", "value", "rules"] and signals["quarter"].iloc[0] == "2012/13 Q1"
    text = " ".join(describe_chart(chart))
    assert "No step change since 2010/11 Q1" in text and "a quarter" in text and "2012/13 Q1" in text


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_false_steps_on_a_stable_seasonal_quarterly_series(seed):
    from crimecast.forecast.steps import process_chart
    from tests.conftest import quarterly_series

    y = quarterly_series(40, seed=seed)
    chart, effects = process_chart(y)
    assert list(effects.index) == [1, 4, 7, 10]
    assert len(chart.values) == 20  # default span: five years of quarters
    assert chart.steps == [] and len(chart.periods) == 1
    beyond = [s for s in chart.signals if s.rule == "beyond limit"]
    assert len(beyond) <= 1


def test_a_quarterly_chart_too_short_says_quarters():
    values = pd.Series(np.arange(8.0), index=pd.date_range("2012-04-01", periods=8, freq="QS-JAN"))
    with pytest.raises(DataError, match="at least 12 quarters"):
        control_chart(values)


def west_midlands_quarters():
    from crimecast.data.frequency import QUARTERLY
    from crimecast.data.months import parse_quarters
    from crimecast.data.series import with_totals
    from crimecast.data.slugs import slugify
    from tests.conftest import HOME_OFFICE

    raw = pd.read_csv(HOME_OFFICE)
    rows = raw[raw["Force Name"] == "West Midlands"]
    labels = rows["Financial Year"].astype(str) + " Q" + rows["Financial Quarter"].astype(str)
    frame = pd.DataFrame({"month": parse_quarters(labels, where="home office").to_numpy(), "area": "force",
                          "category": rows["Offence Group"].map(slugify).to_numpy(),
                          "count": rows["Number of Offences"].to_numpy()})
    frame = frame.groupby(["month", "area", "category"], as_index=False)["count"].sum()  # sum duplicates
    frame.attrs = {"source": HOME_OFFICE.name, "frequency": QUARTERLY.name}
    return with_totals(frame)


@needs_shared_data
def test_west_midlands_total_from_the_home_office_table_is_charted_in_quarters():
    from crimecast.forecast.run import run_spc

    counts = west_midlands_quarters()
    assert counts["month"].min() == pd.Timestamp("2002-04-01") and counts["month"].nunique() == 88
    report = run_spc(counts, category="total-recorded-crime", area="force")
    chart = report.chart
    # Five years of quarters outside the lockdowns (kept out by default, as in the forecasts): 2018/19 Q2 on.
    assert (~chart.excluded).sum() == 20 and chart.values.index[0] == pd.Timestamp("2018-07-01")
    last = chart.periods[-1].limits
    assert 0.05 < (last.upper - last.mean) / last.mean < 0.2  # sensible limits, not +/-1%
    assert len(chart.steps) <= 1 and len({s.month for s in chart.signals}) < len(chart.values) / 2
    assert "a quarter" in " ".join(report.summary)


# ---------------------------------------------------------------- exceptional periods and step sizes

def _lockdown_series():
    """Two years near 541, a three-month dip to about 300, then a year near 606 (seeded noise)."""
    rng = np.random.default_rng(3)
    level = np.r_[np.full(24, 541.0), np.full(3, 300.0), np.full(12, 606.0)]
    return pd.Series(level + rng.normal(0, 8, len(level)), index=months(len(level), "2018-04-01"))


def test_exceptional_months_are_charted_but_kept_out_of_the_limits_and_rules():
    from crimecast.data.exceptional import ExceptionalPeriod

    values = _lockdown_series()
    lockdown = (ExceptionalPeriod(pd.Timestamp("2020-04-01"), pd.Timestamp("2020-06-01"), "lockdown"),)
    chart = control_chart(values, exceptional=lockdown)
    kept = values.drop(values.index[24:27])
    assert chart.periods[0].limits == xmr_limits(kept.to_numpy(), screen=True)
    assert chart.periods[0].points == len(kept)
    assert len(chart.values) == len(values) and chart.excluded.sum() == 3
    assert not {s.month for s in chart.signals} & set(values.index[24:27])
    assert any("lockdown (2020-04 to 2020-06)" in line for line in describe_chart(chart))


def test_a_lockdown_dip_is_not_a_step_and_does_not_turn_a_rise_into_a_fall():
    from crimecast.data.exceptional import ExceptionalPeriod

    values = _lockdown_series()
    lockdown = (ExceptionalPeriod(pd.Timestamp("2020-04-01"), pd.Timestamp("2020-06-01"), "lockdown"),)
    (step,) = detect_steps(values, known=[pd.Timestamp("2020-04-01")], exceptional=lockdown)
    assert step.known and step.month == pd.Timestamp("2020-07-01")  # the first month after the lockdown
    assert step.before == pytest.approx(541, abs=6) and step.after == pytest.approx(606, abs=6)
    assert step.change > 0.1


def test_step_sizes_compare_the_periods_either_side_not_across_the_next_step():
    values = pd.Series(np.r_[np.full(24, 500.0), np.full(6, 400.0), np.full(18, 600.0)] + np.tile([1.0, -1.0], 24),
                       index=months(48))
    first, second = detect_steps(values, known=[values.index[24], values.index[30]])
    assert first.after == pytest.approx(400, abs=1) and first.change == pytest.approx(-0.2, abs=0.01)
    assert second.before == pytest.approx(400, abs=1) and second.change == pytest.approx(0.5, abs=0.01)


def test_too_few_points_outside_the_exceptional_periods():
    from crimecast.data.exceptional import ExceptionalPeriod

    values = pd.Series(np.arange(14.0), index=months(14))
    with pytest.raises(DataError, match="10 points outside the exceptional periods is too few"):
        control_chart(values, exceptional=(ExceptionalPeriod(values.index[2], values.index[5]),))


# ---------------------------------------------------------------- the same exceptional periods as the forecasts

def _lockdown_and_step_series():
    """Monthly 2016-04 to 2023-09 near 200, the covid-uk lockdown months near 120, and a step up to 260 from 2022-08."""
    index = pd.date_range("2016-04-01", "2023-09-01", freq="MS")
    rng = np.random.default_rng(11)
    level = np.where(index >= "2022-08-01", 260.0, 200.0)
    lockdown = index.isin(pd.to_datetime(["2020-04-01", "2020-05-01", "2020-06-01", "2020-11-01", "2021-01-01",
                                          "2021-02-01", "2021-03-01"]))
    level[lockdown] = 120.0
    return pd.DataFrame({"month": index, "area": "force", "category": "burglary",
                         "count": rng.poisson(level).astype(float)})


def test_spc_keeps_the_forecasts_default_exceptional_months_out_and_finds_the_same_step():
    """Not given, --exceptional is the forecasts' covid-uk calendar: the chart finds the 2022-08 step that the
    forecast's own step search finds (lockdown months filled from the pattern around them), and says why."""
    from crimecast.data.exceptional import exceptional_mask
    from crimecast.forecast.run import run_spc
    from crimecast.forecast.spec import default_exceptional
    from crimecast.forecast.steps import find_level_shifts

    counts = _lockdown_and_step_series()
    report = run_spc(counts, category="burglary", area="force")
    assert report.chart.exceptional == default_exceptional() and report.chart.excluded.sum() == 7
    assert [s.month for s in report.chart.steps] == [pd.Timestamp("2022-08-01")]
    assert any("covid-uk calendar's months (lockdown-1, lockdown-2, lockdown-3) are kept out" in n for n in report.notes)
    y = counts.set_index("month")["count"]
    filled = y.mask(exceptional_mask(y.index, default_exceptional())).interpolate()
    assert [s.month for s in find_level_shifts(filled)] == [pd.Timestamp("2022-08-01")]
    kept_out = y.mask(exceptional_mask(y.index, default_exceptional()))  # as the forecast's fit holds them: NaN
    assert [s.month for s in find_level_shifts(kept_out)] == [pd.Timestamp("2022-08-01")]
    kept_in = run_spc(counts, category="burglary", area="force", exceptional=())
    assert kept_in.chart.excluded.sum() == 0 and not kept_in.notes


def test_a_lockdown_that_has_not_settled_stays_in_the_chart_as_in_the_forecast():
    """Data to 2020-09: lockdown-1 ended three months before, fewer than the forecasts wait, so it stays in."""
    from crimecast.forecast.run import run_spc

    counts = _lockdown_and_step_series()
    report = run_spc(counts[counts["month"] <= "2020-09-01"], category="burglary", area="force")
    assert report.chart.excluded.sum() == 0
    assert any("lockdown-1 of the covid-uk calendar ended fewer than 6 months before the data does" in n
               for n in report.notes)


def test_spc_says_when_a_step_starts_at_a_filled_month(tmp_path):
    from crimecast.forecast.run import run_spc
    from tests.conftest import step_at_a_filled_month

    report = run_spc(step_at_a_filled_month(tmp_path), category="burglary", area="force", exceptional=())
    assert [f"{step.month:%Y-%m}" for step in report.chart.steps] == ["2018-04"]
    assert "the step from 2018-04 starts at a month missing from the data and filled in, so it began then or a month later." in report.notes

"""Making Data Count icons: variation at the latest month and assurance against the limits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crimecast.forecast import mdc
from crimecast.forecast.spc import Limits, StepChange, control_chart

MONTHS = pd.date_range("2011-04-01", periods=36, freq="MS")


def _chart(values, *, steps=()):
    chart = control_chart(pd.Series(np.asarray(values, dtype=float), index=MONTHS[:len(values)]),
                          breaks=[s.month for s in steps])
    chart.steps = list(steps)
    return chart


def test_a_special_cause_is_improving_on_the_side_the_milestone_wants():
    assert mdc.special_cause_kind("lower", lower_is_better=True) == mdc.IMPROVING
    assert mdc.special_cause_kind("higher", lower_is_better=True) == mdc.CONCERNING
    assert mdc.special_cause_kind("higher", lower_is_better=False) == mdc.IMPROVING
    assert "special_cause_kind" in mdc.__all__  # shared with the p-chart's reading (the Board pack's rates)


def test_limits_that_mean_nothing_give_neither_reading():
    # mostly zeros (London's airports' burglary): limits less than 2 apart would flag nearly every month
    chart = _chart([0] * 30 + [1, 0, 0, 3, 0, 0])
    assert chart.periods[-1].degenerate
    reading = mdc.variation(chart, lower_is_better=True)
    assert reading.kind == mdc.NO_LIMITS and reading.side is None and reading.label == "Too few crimes to chart"
    judged = mdc.assurance(chart.periods[-1].limits, year_target=6, degenerate=True)
    assert judged.kind == mdc.NO_LIMITS and judged.label.startswith("Not judged")
    assert mdc.assurance(chart.periods[-1].limits, year_target=6).kind != mdc.NO_LIMITS
    from crimecast.report.board_html import ICONS

    assert mdc.NO_LIMITS in ICONS  # the Board pack draws an icon for it


def test_a_stable_process_is_common_cause():
    values = 100 + np.tile([3, -2, 1, -3, 2, -1], 6)
    reading = mdc.variation(_chart(values))
    assert reading.kind == mdc.COMMON_CAUSE and reading.side is None
    assert reading.label == "Common cause variation"


@pytest.mark.parametrize("last, lower_is_better, kind, side", [
    (160, True, mdc.CONCERNING, "higher"), (160, False, mdc.IMPROVING, "higher"),
    (40, True, mdc.IMPROVING, "lower"), (40, False, mdc.CONCERNING, "lower"),
])
def test_a_last_point_beyond_a_limit_is_special_cause_on_its_side(last, lower_is_better, kind, side):
    values = np.append(100 + np.tile([3, -2, 1, -3, 2, -1], 5)[:-1], last)
    reading = mdc.variation(_chart(values), lower_is_better=lower_is_better)
    assert (reading.kind, reading.side) == (kind, side)
    assert "beyond limit" in reading.reason


def test_a_step_in_the_last_year_is_special_cause_even_after_rebaselining():
    values = np.concatenate([100 + np.tile([3, -2, 1, -3, 2, -1], 5), 130 + np.array([2, -1, 1, -2, 1, 0])])
    step = StepChange(month=MONTHS[30], before=100, after=130, t_statistic=9.0, evidence="test")
    reading = mdc.variation(_chart(values, steps=[step]))
    assert (reading.kind, reading.side) == (mdc.CONCERNING, "higher")
    old = StepChange(month=MONTHS[10], before=100, after=130, t_statistic=9.0, evidence="test")
    values = np.concatenate([100 + np.tile([3, -2, 1, -3, 2], 2), 130 + np.tile([2, -1, 1, -2, 1, 0, -1], 4)[:26]])
    assert mdc.variation(_chart(values, steps=[old])).kind == mdc.COMMON_CAUSE


@given(mean=st.floats(50, 5000), spread=st.floats(1, 500), target=st.floats(0, 120_000), lower_better=st.booleans())
def test_assurance_follows_where_the_monthly_target_sits(mean, spread, target, lower_better):
    limits = Limits(mean=mean, mr_bar=spread / 2.66, lower=mean - spread, upper=mean + spread)
    reading = mdc.assurance(limits, year_target=target, lower_is_better=lower_better)
    monthly, lower, upper = target / 12, max(mean - spread, 0), mean + spread
    assert reading.monthly_target == pytest.approx(monthly) and (reading.lower, reading.upper) == (lower, upper)
    beyond_good = monthly >= upper if lower_better else monthly <= lower
    beyond_bad = monthly < lower if lower_better else monthly > upper
    expected = mdc.CONSISTENTLY_MET if beyond_good else mdc.CONSISTENTLY_MISSED if beyond_bad else mdc.HIT_AND_MISS
    assert reading.kind == expected


def test_assurance_words():
    limits = Limits(mean=100, mr_bar=10, lower=73.4, upper=126.6)
    assert mdc.assurance(limits, year_target=12 * 130).label == "Target consistently met"
    assert mdc.assurance(limits, year_target=12 * 70).label == "Target consistently missed"
    assert mdc.assurance(limits, year_target=12 * 95).label == "Hit and miss"
    assert mdc.assurance(limits, year_target=12 * 70, lower_is_better=False).label == "Target consistently met"


def test_a_target_beyond_a_limit_the_latest_periods_also_lie_beyond_is_not_judged():
    limits = Limits(mean=100, mr_bar=10, lower=73.4, upper=126.6)
    settled = [100, 95, 104, 98]
    assert mdc.assurance(limits, year_target=12 * 70, latest=settled).kind == mdc.CONSISTENTLY_MISSED
    assert mdc.assurance(limits, year_target=12 * 70, latest=[*settled, 71, 72]).kind == mdc.MOVED
    assert mdc.assurance(limits, year_target=12 * 130, latest=[*settled, 128]).kind == mdc.MOVED  # met side too
    assert mdc.assurance(limits, year_target=12 * 95, latest=[*settled, 60]).kind == mdc.HIT_AND_MISS  # target within
    recent, beyond = mdc.recent_beyond([*settled, 71, 72], monthly_target=70, lower=73.4, upper=126.6)
    assert list(recent) == [*settled, 71, 72] and list(recent[beyond]) == [71, 72]


def test_beyond_limit_months_inside_the_latest_six_but_not_at_the_end_still_mean_the_target_is_not_judged():
    # Westminster theft, 2023: three months above the upper limit in May-July, back inside in August-September; the
    # target above the upper limit read "consistently met" beside a 38% chance of meeting it
    limits = Limits(mean=100, mr_bar=10, lower=73.4, upper=126.6)
    settled = [100, 95, 104, 98, 101, 99]
    inside_six = [*settled, 130, 135, 128, 110, 105]  # three beyond, the latest two inside: all within the latest 6
    assert mdc.assurance(limits, year_target=12 * 130, latest=inside_six).kind == mdc.MOVED
    recent, beyond = mdc.recent_beyond(inside_six, monthly_target=130, lower=73.4, upper=126.6)
    assert list(recent) == inside_six[-6:] and list(recent[beyond]) == [130, 135, 128]
    older = [*settled, 130, 135, 128, 110, 105, 100, 97, 103, 99]  # the same months, now 7 to 9 months back
    assert mdc.assurance(limits, year_target=12 * 130, latest=older).kind == mdc.CONSISTENTLY_MET
    assert mdc.assurance(limits, year_target=12 * 70, latest=inside_six).kind == mdc.CONSISTENTLY_MISSED  # other side


def test_the_window_is_six_months_or_two_quarters():
    from crimecast.data.frequency import QUARTERLY

    assert (mdc.recent_periods(), mdc.recent_periods(frequency=QUARTERLY)) == (6, 2)
    limits = Limits(mean=2000.0, mr_bar=180.0, lower=1536.0, upper=2500.0)
    three_back = [2000, 1990, 1450, 2010, 2020]  # a quarter beyond the lower limit three quarters back: outside 2
    reading = mdc.assurance(limits, year_target=4 * 1400, frequency=QUARTERLY, latest=three_back)
    assert reading.kind == mdc.CONSISTENTLY_MISSED
    assert mdc.assurance(limits, year_target=4 * 1400, frequency=QUARTERLY, latest=three_back[:-1]).kind == mdc.MOVED
    assert mdc.assurance(limits, year_target=4 * 1400, latest=three_back).kind == mdc.MOVED  # as months: within 6


def test_assurance_on_quarterly_data_shares_the_year_over_four_quarters():
    from crimecast.data.frequency import QUARTERLY

    limits = Limits(mean=2000.0, mr_bar=180.0, lower=1536.0, upper=2500.0)  # a quarter's natural limits
    reading = mdc.assurance(limits, year_target=8126.0, lower_is_better=True, frequency=QUARTERLY)
    assert reading.monthly_target == pytest.approx(8126.0 / 4)  # 2,031.5 a quarter, not 677 (a twelfth)
    assert reading.kind == mdc.HIT_AND_MISS and reading.frequency is QUARTERLY


def test_a_recent_step_on_quarterly_data_is_dated_by_its_quarter():
    quarters = pd.date_range("2018-04-01", periods=16, freq="QS-JAN")
    values = np.concatenate([100 + np.tile([3, -2, 1, -3], 3), 130 + np.array([2, -1, 1, -2])])
    chart = control_chart(pd.Series(values.astype(float), index=quarters), breaks=[quarters[12]])
    chart.steps = [StepChange(month=quarters[12], before=100, after=130, t_statistic=9.0, evidence="test")]
    reading = mdc.variation(chart)
    assert reading.reason == "step change +30% from 2021/22 Q1"  # April-June 2021, not "2021-04"


# West Midlands total recorded crime, Home Office table, 2008/09 Q2 to 2013/14 Q1 (fraud included, as the chart has
# it): the fall of 2011/12 came gradually, so no step is confirmed; the five latest quarters lie below the lower limit
# (44,472) of the average since 2008/09 Q2, and the latest is 3% up on the year before. The pack said "improving".
WEST_MIDLANDS_TRC = [58074, 55737, 53042, 55780, 51885, 51762, 52000, 56464, 56025, 50511, 52367, 52959, 49026,
                     46570, 44999, 43267, 42863, 43351, 41278, 43865]
QUARTERS = pd.date_range("2008-07-01", periods=len(WEST_MIDLANDS_TRC), freq="QS-JAN")


def test_a_level_held_beyond_a_limit_for_over_a_year_is_read_as_the_new_baseline():
    chart = control_chart(pd.Series(np.asarray(WEST_MIDLANDS_TRC, dtype=float), index=QUARTERS))
    assert not chart.steps and chart.periods[-1].limits.lower == pytest.approx(44472, abs=1)
    settled = mdc.settled_level(chart)
    assert settled is not None and settled.since == pd.Timestamp("2012-04-01") and settled.when == "2012/13 Q1"
    assert settled.points == 5 and settled.side == "lower"
    assert settled.limits.lower < 43865 < settled.limits.upper  # the latest quarter, against the level it settled at
    reading = mdc.variation(chart, lower_is_better=True)
    assert (reading.kind, reading.side, reading.settled) == (mdc.COMMON_CAUSE, None, settled)
    assert reading.label == "Common cause at a lower level since 2012/13 Q1"


def test_a_run_beyond_a_limit_of_a_year_or_less_is_still_special_cause():
    # the same chart a quarter earlier: four quarters below the lower limit, from 2012/13 Q1 to Q4, the fall still news
    values = WEST_MIDLANDS_TRC[:-1]
    chart = control_chart(pd.Series(np.asarray(values, dtype=float), index=QUARTERS[:-1]))
    assert mdc.settled_level(chart) is None
    reading = mdc.variation(chart, lower_is_better=True)
    assert (reading.kind, reading.side, reading.settled) == (mdc.IMPROVING, "lower", None)


def test_a_point_beyond_the_settled_levels_own_limits_is_special_cause_against_it():
    # 24 months near 100, then 14 near 60 (below the lower limit throughout), the last jumping to 75: against the
    # level of 60 it is a special cause, higher (concerning for a reduction), though still under the old limits
    values = np.concatenate([100 + np.tile([3, -2, 1, -3, 2, -1], 4), 60 + np.tile([1, -1, 0, 1, -1, 0, 1], 2)[:13],
                             [75.0]])
    months = pd.date_range("2010-04-01", periods=len(values), freq="MS")
    chart = control_chart(pd.Series(values, index=months))
    assert not chart.steps  # a run the step search did not confirm (a confirmed step would start a new period)
    reading = mdc.variation(chart, lower_is_better=True)
    assert reading.settled is not None and reading.settled.points == 14
    assert (reading.kind, reading.side) == (mdc.CONCERNING, "higher") and "beyond limit" in reading.reason
    assert reading.label == f"Special cause: concerning (higher) at a lower level since {reading.settled.when}"

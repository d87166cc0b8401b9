import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from crimecast.forecast.paths import ForecastResult


def result(paths, *, last="2014-03-01", history_months=24, level=100):
    months = pd.date_range(end=last, periods=history_months, freq="MS")
    history = pd.Series(level, index=months, dtype="int64")
    return ForecastResult(category="robbery", area="force", model="test", history=history, paths=np.asarray(paths, float))


def test_monthly_table_months_follow_history():
    table = result(np.ones((10, 3))).monthly_table()
    assert table["month"].tolist() == list(pd.date_range("2014-04-01", periods=3, freq="MS"))


def test_full_forecast_year_total_and_change_on_last_year():
    paths = np.tile(np.full(12, 110.0), (50, 1))
    years = result(paths).financial_years()
    row = years.iloc[0]
    assert row["financial_year"] == "2014/15" and row["median"] == pytest.approx(1320)
    assert row["previous_actual"] == 1200 and row["change_median"] == pytest.approx(0.10)


def test_part_year_uses_actuals_for_observed_months():
    paths = np.tile(np.full(6, 50.0), (20, 1))
    years = result(paths, last="2014-09-01").financial_years()
    row = years.set_index("financial_year").loc["2014/15"]
    assert row["months_forecast"] == 6 and row["median"] == pytest.approx(6 * 100 + 6 * 50)


def test_year_not_covered_is_left_out():
    years = result(np.ones((5, 3))).financial_years()
    assert years.empty


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (40, 6), elements=st.floats(0, 1e5)))
def test_intervals_are_nested_and_contain_the_median(paths):
    table = result(paths).monthly_table()
    assert (table["lo95"] <= table["lo80"] + 1e-9).all() and (table["lo80"] <= table["median"] + 1e-9).all()
    assert (table["median"] <= table["hi80"] + 1e-9).all() and (table["hi80"] <= table["hi95"] + 1e-9).all()


def quarterly_result(paths, *, last="2013-10-01", quarters=12, level=100):
    quarters_index = pd.date_range(end=last, periods=quarters, freq="QS-JAN")
    history = pd.Series(level, index=quarters_index, dtype="int64")
    return ForecastResult(category="robbery", area="force", model="test", history=history, paths=np.asarray(paths, float))


def test_quarterly_forecast_periods_follow_the_history_in_quarters():
    r = quarterly_result(np.ones((3, 5)))
    assert r.months.freqstr == "QS-JAN"
    assert [f"{m:%Y-%m}" for m in r.months] == ["2014-01", "2014-04", "2014-07", "2014-10", "2015-01"]


def test_financial_year_totals_add_four_quarters():
    # history to 2013/14 Q3 (Oct-Dec 2013) at 100 a quarter; forecast 2013/14 Q4 and all of 2014/15
    paths = np.array([[10.0, 1.0, 2.0, 3.0, 4.0], [20.0, 5.0, 5.0, 5.0, 5.0]])
    r = quarterly_result(paths)
    assert np.allclose(r.year_total_paths(2013), [300 + 10, 300 + 20])
    assert np.allclose(r.year_total_paths(2014), [1 + 2 + 3 + 4, 20])
    years = r.financial_years()
    assert list(years["financial_year"]) == ["2013/14", "2014/15"]
    assert list(years["months_forecast"]) == [3, 12]  # one quarter, then four
    assert years["previous_actual"].iloc[0] == 400  # 2012/13: four observed quarters


def test_quarterly_year_not_covered_is_left_out():
    r = quarterly_result(np.ones((2, 2)))  # 2013/14 Q4 and 2014/15 Q1 only
    assert r.year_total_paths(2014) is None
    assert list(r.financial_years()["financial_year"]) == ["2013/14"]


def test_year_totals_are_worked_out_once_and_follow_new_paths():
    import dataclasses

    import numpy as np
    import pandas as pd

    from crimecast.forecast.paths import ForecastResult

    history = pd.Series(100.0, index=pd.date_range("2012-04-01", periods=24, freq="MS"))
    result = ForecastResult("burglary", "force", "m", history, np.full((50, 12), 10.0))
    first = result.financial_years()
    first.loc[0, "mean"] = -1  # a caller's change to its table does not reach the next caller
    assert result.financial_years()["mean"].iloc[0] == 120
    assert dataclasses.replace(result, paths=result.paths * 2).financial_years()["mean"].iloc[0] == 240

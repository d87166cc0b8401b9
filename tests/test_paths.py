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

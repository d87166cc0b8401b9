import pandas as pd
import pytest

from crimecast.data.months import parse_months, parse_quarters
from crimecast.errors import DataError


@pytest.mark.parametrize("label", ["2013-04", "2013-04-01", "2013 Apr", "Apr 2013", "Apr-13", "201304",
                                   "2013/04", "01/04/2013", "April 2013", "2013-04-17"])
def test_common_month_formats_read_as_april_2013(label):
    assert parse_months(pd.Series([label]), where="f").iloc[0] == pd.Timestamp("2013-04-01")


def test_year_then_month_name_as_in_1995_jan():
    assert parse_months(pd.Series(["1995 Jan", "1995 Feb"]), where="f").tolist() == [pd.Timestamp("1995-01-01"), pd.Timestamp("1995-02-01")]


def test_integer_yyyymm_values():
    assert parse_months(pd.Series([201304, 201305]), where="f").iloc[1] == pd.Timestamp("2013-05-01")


def test_unreadable_month_names_the_row_and_value():
    with pytest.raises(DataError, match=r"data.csv, column month: row 3, 'Aprilish' is not a month"):
        parse_months(pd.Series(["2013-04", "Aprilish"]), where="data.csv, column month", rows=pd.Series([2, 3]))


def test_calendar_and_financial_quarters():
    starts = parse_quarters(pd.Series(["2013 Q1", "2013/14 Q1", "2013/14 Q4"]), where="f")
    assert starts.tolist() == [pd.Timestamp("2013-01-01"), pd.Timestamp("2013-04-01"), pd.Timestamp("2014-01-01")]


def test_bad_quarter_is_explained():
    with pytest.raises(DataError, match="is not a quarter"):
        parse_quarters(pd.Series(["2013 Q5"]), where="f")


def test_months_between_counts_whole_months_for_a_month_or_an_index():
    from crimecast.data.months import months_between

    assert months_between(pd.Timestamp("2021-09-01"), pd.Timestamp("2021-03-01")) == 6
    assert months_between(pd.Timestamp("2020-01-01"), pd.Timestamp("2020-11-01")) == -10
    assert list(months_between(pd.date_range("2013-03-01", periods=3, freq="MS"), pd.Timestamp("2013-04-01"))) == [-1, 0, 1]

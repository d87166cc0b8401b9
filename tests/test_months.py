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


def test_a_column_of_financial_years_is_refused_not_read_as_year_and_month():
    # '2002/03' .. '2011/12' would each read as a month (%Y/%m): a Home Office table's four quarters summed into one
    years = pd.Series([f"{y}/{(y + 1) % 100:02d}" for y in range(2002, 2012)])
    with pytest.raises(DataError, match=r"t.csv, column Financial Year: holds financial years \(like '2002/03'\), not "
                                        r"months.*import home-office.*--quarterly and --quarter-col"):
        parse_months(years, where="t.csv, column Financial Year")
    assert parse_months(pd.Series(["2012/04", "2013/05"]), where="f").iloc[1] == pd.Timestamp("2013-05-01")


def test_us_dates_month_first_are_refused_not_summed_into_january():
    us = pd.Series([f"{m}/1/2018" for m in range(1, 13)])  # Excel in a US locale: 2/1/2018 is 1 February
    with pytest.raises(DataError, match=r"f, column month: dates such as '1/1/2018' and '2/1/2018' read day first .* "
                                        r"would all fall in January; they look like US dates"):
        parse_months(us, where="f, column month")
    uk = parse_months(pd.Series(["01/01/2018", "01/02/2018", "17/03/2018"]), where="f")
    assert uk.tolist() == list(pd.date_range("2018-01-01", periods=3, freq="MS"))

import pandas as pd
import pytest

from crimecast.data.calendar import financial_year_of, financial_year_months, parse_financial_year
from crimecast.errors import UsageError


def test_april_starts_the_financial_year():
    assert financial_year_of(pd.Timestamp("2013-03-01")) == "2012/13"
    assert financial_year_of(pd.Timestamp("2013-04-01")) == "2013/14"
    assert financial_year_of(pd.Timestamp("1999-12-01")) == "1999/00"


def test_financial_year_months_run_april_to_march():
    months = financial_year_months(2013)
    assert (months[0], months[-1], len(months)) == (pd.Timestamp("2013-04-01"), pd.Timestamp("2014-03-01"), 12)


@pytest.mark.parametrize("label", ["2014/15", "2014-15", "2014/2015"])
def test_parse_financial_year(label):
    assert parse_financial_year(label) == 2014


def test_parse_financial_year_rejects_non_consecutive_years():
    with pytest.raises(UsageError, match="must follow"):
        parse_financial_year("2014/16")


def test_a_financial_year_is_twelve_months_or_four_quarters():
    from crimecast.data.calendar import financial_year_periods
    from crimecast.data.frequency import QUARTERLY

    assert financial_year_periods(2013).equals(financial_year_months(2013))
    quarters = financial_year_periods(2013, QUARTERLY)
    assert [f"{q:%Y-%m}" for q in quarters] == ["2013-04", "2013-07", "2013-10", "2014-01"]
    assert quarters.freqstr == "QS-JAN"


def test_milestones_are_planned_from_the_month_before_a_year_the_data_covers_else_from_the_data_end():
    from crimecast.data.calendar import planning_as_of

    assert planning_as_of(2013, pd.Timestamp("2014-03-01")) == pd.Timestamp("2013-03-01")  # a replay of 2013/14
    assert planning_as_of(2013, pd.Timestamp("2013-09-01")) == pd.Timestamp("2013-09-01")  # in the year
    assert planning_as_of(2014, pd.Timestamp("2014-03-01")) == pd.Timestamp("2014-03-01")  # the year ahead

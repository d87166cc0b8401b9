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

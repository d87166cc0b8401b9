import pandas as pd
import pytest

from crimecast.data.frequency import spaced_by_quarters


@pytest.mark.parametrize("index,expected", [
    (pd.date_range("2010-01-01", periods=8, freq="QS-JAN"), True),
    (pd.date_range("2010-04-01", periods=8, freq="QS-APR"), True),  # financial quarters
    (pd.date_range("2010-01-01", periods=8, freq="MS"), False),
    (pd.DatetimeIndex(["2010-01-01", "2010-04-01"]), False),  # too few to tell
    (pd.DatetimeIndex(["2010-01-01", "2010-04-01", "2010-10-01"]), False),  # a gap
    (pd.DatetimeIndex(["2010-01-15", "2010-04-15", "2010-07-15"]), False),  # not month starts
])
def test_quarter_spacing_is_read_from_the_months(index, expected):
    assert spaced_by_quarters(index) is expected

"""crimecast.report.tables: the formatting every table and sentence shares."""

import math

from hypothesis import given, strategies as st

from crimecast.report.tables import percent


def test_a_change_that_rounds_to_nothing_is_plus_nothing():
    assert percent(-0.0000001) == "+0.0%" and percent(-0.0000001, signed=False) == "0.0%"  # was '-0.0%'
    assert percent(-0.0612) == "-6.1%" and percent(0.0612) == "+6.1%" and percent(float("nan")) == "-"


@given(st.floats(min_value=-10, max_value=10, allow_nan=False))
def test_percent_is_the_change_to_one_decimal_with_its_sign(value):
    shown = percent(value)
    assert not shown.startswith("-0.0%")
    assert math.isclose(float(shown[:-1]), value * 100, abs_tol=0.05 + 1e-9)

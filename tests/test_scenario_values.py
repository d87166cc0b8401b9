"""Uncertain driver values: parsing, sampling, bounds."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crimecast.scenarios.values import Value, parse_value


@pytest.mark.parametrize("raw, expected", [(0.1, 0.1), ("10%", 0.1), ("+10%", 0.1), ("-2.5%", -0.025), ("0.36", 0.36), (3, 3.0)])
def test_numbers_and_percentages(raw, expected):
    assert parse_value(raw) == Value.fixed(expected)


def test_count_values_refuse_percentages():
    with pytest.raises(ValueError, match="percentage.*count per month"):
        parse_value("10%", allow_percent=False)


@pytest.mark.parametrize("raw, message", [
    ({"dist": "triangle", "low": 0, "mode": 1, "high": 2}, "unknown distribution 'triangle'. Did you mean 'triangular'"),
    ({"low": 0, "high": 1}, "needs 'dist'"),
    ({"dist": "normal", "mean": 0.1}, "missing sd"),
    ({"dist": "uniform", "low": 0, "high": 1, "mode": 0.5}, "unknown key.*mode"),
    ({"dist": "triangular", "low": 0.4, "mode": 0.36, "high": 0.38}, "low <= mode <= high"),
    ({"dist": "normal", "mean": 0.1, "sd": -1}, "sd >= 0"),
    ("lots", "expected a number"),
    (True, "expected a number"),
    (float("nan"), "finite"),
])
def test_bad_values_say_what_to_write(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_value(raw)


def test_distributions_sample_reproducibly_with_the_right_mean():
    value = parse_value({"dist": "triangular", "low": 0.33, "mode": 0.36, "high": 0.38})
    first = value.sample(np.random.default_rng(1), 20_000)
    again = value.sample(np.random.default_rng(1), 20_000)
    assert np.array_equal(first, again)
    assert first.min() >= 0.33 and first.max() <= 0.38
    assert first.mean() == pytest.approx(value.mean, abs=0.001)
    assert value.bounds == (0.33, 0.38) and value.is_uncertain


def test_normal_bounds_are_three_sds():
    value = parse_value({"dist": "normal", "mean": 10, "sd": 2}, allow_percent=False)
    assert value.bounds == (4, 16) and value.mean == 10


@given(st.floats(-0.9, 5, allow_nan=False))
def test_fixed_values_sample_to_themselves(number):
    assert np.all(Value.fixed(number).sample(np.random.default_rng(0), 5) == number)


def test_describe_for_output():
    assert parse_value("10%").describe(percent=True) == "+10%"
    text = parse_value({"dist": "triangular", "low": 0.33, "mode": 0.36, "high": 0.38}).describe(percent=True, signed=False)
    assert text == "triangular low 33%, mode 36%, high 38%"

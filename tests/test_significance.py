import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from crimecast.forecast import significance
from crimecast.forecast.significance import poisson_e_test, year_on_year


def test_e_test_matches_the_published_example():
    # 25 robberies after 16: Krishnamoorthy & Thomson's E-test gives p = 0.165.
    test = poisson_e_test(25, 16)
    assert test.p_value == pytest.approx(0.165, abs=0.001)
    assert test.verdict == "no significant change" and test.change == pytest.approx(0.5625)


def test_large_falls_are_significant():
    assert poisson_e_test(12868, 13705).verdict == "a significant fall"


def test_normal_limit_agrees_with_the_exact_sum(monkeypatch):
    approximate = poisson_e_test(2100, 2000).p_value
    monkeypatch.setattr(significance, "NORMAL_LIMIT_RATE", 1e9)
    assert poisson_e_test(2100, 2000).p_value == pytest.approx(approximate, abs=1e-3)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 300), st.integers(0, 300))
def test_p_value_is_a_probability_and_symmetric(a, b):
    p = poisson_e_test(a, b).p_value
    assert 0 <= p <= 1 and p == pytest.approx(poisson_e_test(b, a).p_value)


def test_year_on_year_compares_full_years_and_year_to_date():
    index = pd.date_range("2012-04-01", "2014-09-01", freq="MS")
    history = pd.Series(100, index=index)
    comparisons = year_on_year(history)
    assert [c.label for c in comparisons] == ["2013/14 on 2012/13",
                                              "2014/15 year to date (6 months) on the same months of 2013/14"]
    assert comparisons[1].test.current == 600 and comparisons[1].test.previous == 600


def test_year_on_year_on_quarters_adds_four_quarters_and_counts_quarters_to_date():
    index = pd.date_range("2011-04-01", periods=11, freq="QS-JAN")  # 2011/12 Q1 ... 2013/14 Q3
    history = pd.Series([100] * 4 + [90] * 4 + [80] * 3, index=index)
    comparisons = year_on_year(history)
    assert comparisons[0].label == "2012/13 on 2011/12"
    assert (comparisons[0].test.current, comparisons[0].test.previous) == (360, 400)
    assert comparisons[1].label == "2013/14 year to date (3 quarters) on the same quarters of 2012/13"
    assert (comparisons[1].test.current, comparisons[1].test.previous) == (240, 270)


def _pairwise_p_value(current: int, previous: int) -> float:
    """The E-test by its definition: the weight of every pair of counts at least as extreme, summed over a grid."""
    observed = abs(significance._statistic(np.array(current), np.array(previous)))
    rate = (current + previous) / 2
    spread = 12 * np.sqrt(rate) + 10
    grid = np.arange(max(0, int(np.floor(rate - spread))), int(np.ceil(rate + spread)) + 1)
    weights = significance._poisson_pmf(grid, rate)
    extreme = np.abs(significance._statistic(grid[:, None], grid[None, :])) >= observed - 1e-12
    return float(min(1.0, (np.outer(weights, weights) * extreme).sum()))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 300), st.integers(0, 300))
def test_the_closed_form_tails_give_the_pairwise_sum(a, b):
    assume(a + b > 0)  # no counts at all: p = 1 by definition, with no rate to weigh by
    assert poisson_e_test(a, b).p_value == pytest.approx(_pairwise_p_value(a, b), rel=1e-9, abs=1e-12)

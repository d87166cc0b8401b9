"""The numpy chi-square tail and Poisson quantile that replace SciPy's."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimecast.forecast.distributions import chi2_sf, poisson_ppf, upper_gamma


def test_chi_square_tail_at_known_points():
    assert chi2_sf(3.841458820694124, 1) == pytest.approx(0.05, rel=1e-12)  # the 5% critical value on 1 df
    assert chi2_sf(0.0, 4) == 1.0 and chi2_sf(1e4, 3) == pytest.approx(0.0, abs=1e-300)


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 200))
def test_chi_square_on_two_degrees_of_freedom_is_exponential(x):
    assert chi2_sf(x, 2) == pytest.approx(math.exp(-x / 2), rel=1e-12, abs=1e-300)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.floats(0.01, 80))
def test_upper_gamma_at_whole_shapes_is_a_poisson_cdf(k, x):
    exact = sum(math.exp(-x + i * math.log(x) - math.lgamma(i + 1)) for i in range(k))  # P(Poisson(x) <= k - 1)
    assert upper_gamma(k, x) == pytest.approx(exact, rel=1e-10, abs=1e-300)


@settings(max_examples=80, deadline=None)
@given(st.floats(0.0, 3000.0), st.sampled_from([0.001, 0.025, 0.5, 0.975, 0.999]))
def test_poisson_quantile_is_the_first_count_whose_cdf_reaches_q(mu, q):
    k = int(poisson_ppf(q, mu))
    cdf = lambda n: upper_gamma(n + 1, mu) if mu > 0 else 1.0  # P(X <= n)
    assert cdf(k) >= q * (1 - 1e-9)
    assert k == 0 or cdf(k - 1) < q * (1 + 1e-9)


def test_poisson_quantile_keeps_the_shape_of_its_means():
    means = np.array([[1.0, 10.0], [100.0, 0.0]])
    assert poisson_ppf(0.5, means).shape == (2, 2) and poisson_ppf(0.5, means)[1, 1] == 0
    with pytest.raises(ValueError):
        poisson_ppf(1.0, 3.0)


@pytest.mark.parametrize("mu", [3e6, 1e9])
def test_poisson_quantiles_of_huge_means_follow_the_normal_limit(mu):
    for q, z in ((0.999, 3.090232306167813), (0.001, -3.090232306167813)):
        cornish_fisher = mu + z * math.sqrt(mu) + (z * z - 1) / 6  # the normal quantile with its skew correction
        assert abs(float(poisson_ppf(q, mu)) - cornish_fisher) <= 2


def test_missing_or_infinite_values_are_refused_or_carried():
    with pytest.raises(ValueError, match="finite"):
        poisson_ppf(0.5, [10.0, float("nan")])
    assert math.isnan(chi2_sf(float("nan"), 3)) and chi2_sf(float("inf"), 3) == 0.0

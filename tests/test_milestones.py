"""Milestone arithmetic against analytic cases, and its invariants."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimecast.scenarios.milestones import (AT_LEAST, probability_of_meeting, recommended_changes, recommended_levels,
                                            seasonal_profile, trajectory, verdict)


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


@pytest.mark.parametrize("threshold", [9_000, 9_800, 10_000, 10_300, 11_000])
def test_probability_matches_the_closed_form_within_monte_carlo_error(threshold):
    totals = np.random.default_rng(7).normal(10_000, 500, size=20_000)
    result = probability_of_meeting(totals, threshold)
    expected = normal_cdf((threshold - 10_000) / 500)
    assert abs(result.p - expected) <= 4 * max(result.se, 1 / totals.size)
    assert result.se == pytest.approx(math.sqrt(result.p * (1 - result.p) / totals.size))


def test_at_least_is_the_other_tail():
    totals = np.random.default_rng(1).normal(100, 10, 5000)
    below = probability_of_meeting(totals, 95).p
    above = probability_of_meeting(totals, 95, direction=AT_LEAST).p
    assert below + above == pytest.approx(1.0, abs=1e-9)  # continuous draws: no ties at 95


@settings(max_examples=60, deadline=None)
@given(st.floats(0.5, 2.0), st.floats(-0.5, 0.5), st.floats(0.0, 0.3), st.integers(0, 100))
def test_probabilities_lie_in_0_1_and_rise_with_a_looser_target(scale, change, extra, seed):
    totals = np.random.default_rng(seed).gamma(20, 50 * scale, size=500)
    last = 1000 * scale
    tight = probability_of_meeting(totals, (1 + change) * last).p
    loose = probability_of_meeting(totals, (1 + change + extra) * last).p
    assert 0.0 <= tight <= loose <= 1.0


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 1000))
def test_recommended_targets_are_met_with_their_probability(seed):
    totals = np.random.default_rng(seed).normal(1000, 80, size=4000)
    recommended = recommended_changes(totals, 1000.0)
    assert recommended[0.5] < recommended[0.7] < recommended[0.9]
    for level, change in recommended.items():
        assert probability_of_meeting(totals, (1 + change) * 1000).p == pytest.approx(level, abs=0.002)


def test_recommended_levels_are_quantiles_turned_by_direction_and_changes_are_them_over_last_year():
    totals = np.arange(1.0, 102.0)  # quantile q is 1 + 100 q
    assert recommended_levels(totals) == {0.5: 51.0, 0.7: 71.0, 0.9: 91.0}
    assert recommended_levels(totals, direction=AT_LEAST) == {0.5: 51.0, 0.7: pytest.approx(31.0), 0.9: pytest.approx(11.0)}
    assert recommended_changes(totals, 50.0, direction=AT_LEAST) == pytest.approx({0.5: 0.02, 0.7: -0.38, 0.9: -0.78})


def test_trajectory_follows_the_seasonal_profile_and_ends_on_target():
    expected = np.array([100, 100, 100, 100, 100, 100, 100, 100, 100, 150, 150, 100.0])
    path = trajectory(1200.0, expected)
    assert path[-1] == pytest.approx(1200.0)
    assert np.diff(np.concatenate([[0], path]))[9] == pytest.approx(1.5 * np.diff(path)[0])
    assert seasonal_profile(np.zeros(12)).sum() == pytest.approx(1.0)


@pytest.mark.parametrize("p, words", [(0.95, "likely met"), (0.7, "likely met"), (0.5, "at risk"), (0.3, "at risk"), (0.1, "unlikely")])
def test_verdicts(p, words):
    assert verdict(p) == words

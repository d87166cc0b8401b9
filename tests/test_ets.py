import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from crimecast.forecast.ets import _best_initial_states, _errors, fit_ets, simulate_ets


def simulated_ets(n, *, alpha, beta, gamma, phi, period=12, sigma=0.05, seed=0):
    """An additive damped-trend seasonal ETS series with known parameters."""
    rng = np.random.default_rng(seed)
    level, trend = 6.0, 0.01
    season = list(0.2 * np.sin(2 * np.pi * np.arange(period) / period))
    values = []
    for t in range(n):
        k = t % period
        error = rng.normal(0, sigma)
        values.append(level + phi * trend + season[k] + error)
        level, trend = level + phi * trend + alpha * error, phi * trend + beta * error
        season[k] += gamma * error
    return np.array(values)


def test_fits_at_least_as_well_as_the_true_parameters():
    values = simulated_ets(240, alpha=0.3, beta=0.01, gamma=0.05, phi=0.9, seed=1)
    fit = fit_ets(values, period=12)
    errors, *_ = _errors(values, 12, np.array([[0.3, 0.01, 0.05, 0.9]]), damped_trend=True)
    true_sse = _best_initial_states(errors)[1][0]
    assert fit.sse <= true_sse
    assert fit.sigma == pytest.approx(0.05, rel=0.15)


def test_recovers_the_smoothing_of_a_level_process():
    values = simulated_ets(240, alpha=0.3, beta=0.0, gamma=0.05, phi=0.0, seed=5)
    fit = fit_ets(values, period=12, damped_trend=False)
    assert fit.alpha == pytest.approx(0.3, abs=0.1)


def test_damped_trend_fits_at_least_as_well_as_no_trend():
    values = simulated_ets(120, alpha=0.2, beta=0.02, gamma=0.1, phi=0.95, seed=2)
    best = fit_ets(values, period=12)
    other = fit_ets(values, period=12, damped_trend=False)
    # the damped-trend model nests the no-trend one (beta and trend near zero), so it fits at least as well
    assert best.sse <= other.sse * 1.02


def test_seasonal_states_are_used_in_order_after_the_last_point():
    months = np.arange(60)
    values = 5 + np.where(months % 12 == 0, 1.0, 0.0)  # a spike every 12th period, from the first
    fit = fit_ets(values + np.random.default_rng(0).normal(0, 0.01, 60), period=12)
    paths = simulate_ets(fit, horizon=24, n_paths=200, seed=1)
    median = np.median(paths, axis=0)
    assert np.argmax(median[:12]) == 0 and np.argmax(median[12:]) == 0  # 60 is a multiple of 12: spike next


def test_quarterly_period_and_short_series():
    values = simulated_ets(16, alpha=0.2, beta=0.01, gamma=0.1, phi=0.9, period=4, seed=3)
    fit = fit_ets(values, period=4)
    assert fit.season.shape == (4,)
    assert simulate_ets(fit, horizon=8, n_paths=10, seed=0).shape == (10, 8)


def test_constant_series_has_no_noise_and_flat_paths():
    fit = fit_ets(np.full(36, 4.0), period=12)
    paths = simulate_ets(fit, horizon=12, n_paths=5, seed=0)
    assert fit.sigma == pytest.approx(0.0, abs=1e-6)
    assert np.allclose(paths, 4.0, atol=1e-4)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), damped=st.booleans())
def test_parameters_stay_admissible_and_paths_are_seeded(seed, damped):
    values = np.random.default_rng(seed).normal(5, 0.3, 48).cumsum() / 10 + 5
    fit = fit_ets(values, period=12, damped_trend=damped)
    assert 0 < fit.alpha < 1 and 0 <= fit.gamma < 1 - fit.alpha
    if damped:
        assert 0 < fit.beta < fit.alpha and 0.8 <= fit.phi <= 0.98
    else:
        assert fit.beta == 0 and fit.trend == 0
    first = simulate_ets(fit, horizon=6, n_paths=20, seed=seed)
    assert np.array_equal(first, simulate_ets(fit, horizon=6, n_paths=20, seed=seed))
    assert np.isfinite(first).all()

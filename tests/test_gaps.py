import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimecast.forecast.gaps import fill_gaps, pool_season, season_effects


def seasonal_log(months=72, *, level=6.0, slope=0.0, noise=0.0, seed=0):
    t = np.arange(months)
    rng = np.random.default_rng(seed)
    values = level + slope * t + 0.2 * np.sin(2 * np.pi * t / 12) + rng.normal(0, noise, months)
    return pd.Series(values, index=pd.date_range("2014-01-01", periods=months, freq="MS"))


def test_a_series_without_gaps_is_returned_unchanged():
    y = seasonal_log()
    assert fill_gaps(y) is y


def test_a_gap_inside_the_series_gets_the_seasonal_pattern_and_the_trend_across_it():
    y = seasonal_log(slope=0.01)
    gapped = y.copy()
    gapped.iloc[40:46] = np.nan  # half a year, across the seasonal peak
    filled = fill_gaps(gapped)
    np.testing.assert_allclose(filled.iloc[40:46], y.iloc[40:46], atol=0.01)
    assert filled.drop(filled.index[40:46]).equals(y.drop(y.index[40:46]))


def test_a_gap_at_the_end_carries_the_level_before_it_with_the_months_effects():
    y = seasonal_log()
    gapped = y.copy()
    gapped.iloc[-4:] = np.nan  # a lockdown in the last months of the training data
    filled = fill_gaps(gapped)
    np.testing.assert_allclose(filled.iloc[-4:], y.iloc[-4:], atol=0.01)


def test_quarters_are_filled_with_quarter_effects():
    index = pd.date_range("2010-01-01", periods=32, freq="QS-JAN")
    y = pd.Series(5 + 0.3 * (index.month == 7), index=index)
    gapped = y.copy()
    gapped.iloc[[10, 11]] = np.nan
    np.testing.assert_allclose(fill_gaps(gapped), y, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 60), st.integers(1, 11), st.integers(0, 100))
def test_filled_values_stay_within_the_range_the_pattern_allows(start, length, seed):
    y = seasonal_log(noise=0.05, seed=seed)
    gapped = y.copy()
    gapped.iloc[start:start + length] = np.nan
    filled = fill_gaps(gapped)
    assert filled.notna().all()
    assert filled.min() > y.min() - 0.3 and filled.max() < y.max() + 0.3


def test_nothing_to_fill_from_is_an_error():
    with pytest.raises(ValueError, match="every period is missing"):
        fill_gaps(pd.Series(np.nan, index=pd.date_range("2014-01-01", periods=5, freq="MS")))


def test_season_effects_are_indexed_by_calendar_month_whatever_month_the_series_starts():
    y = seasonal_log(noise=0.0)  # starts in January: effect 0.2 * sin(2 pi (month - 1) / 12)
    expected = 0.2 * np.sin(2 * np.pi * np.arange(12) / 12)
    from crimecast.forecast.gaps import season_effects

    np.testing.assert_allclose(season_effects(y).to_numpy(), expected - expected.mean(), atol=1e-6)
    np.testing.assert_allclose(season_effects(y.iloc[5:]).to_numpy(), expected - expected.mean(), atol=1e-6)


def test_pooling_moves_the_month_effects_that_share_of_the_way_to_the_reference():
    y = seasonal_log(noise=0.05, seed=1)
    t = np.arange(len(y))
    reference = pd.Series(8.0 + 0.4 * np.cos(2 * np.pi * t / 12), index=y.index)  # another pattern, another level
    own, theirs = season_effects(y), season_effects(reference)
    for weight in (0.25, 0.5, 1.0):
        pooled = season_effects(pool_season(y, reference, weight=weight))
        np.testing.assert_allclose(pooled, own + weight * (theirs - own), atol=1e-9)
    assert pool_season(y, reference, weight=0.0) is y


def test_pooling_with_itself_or_too_little_reference_changes_nothing():
    y = seasonal_log(noise=0.05)
    assert pool_season(y, y.copy(), weight=0.75).equals(y)
    short = seasonal_log(noise=0.05, seed=2).iloc[-6:]  # half a year of reference
    assert pool_season(y, short, weight=0.75) is y


def test_pooling_leaves_exceptional_months_out_of_both_patterns_and_missing():
    y = seasonal_log(noise=0.05, seed=3)
    reference = seasonal_log(level=9.0, noise=0.05, seed=4)
    gapped = y.copy()
    gapped.iloc[30:36] = np.nan
    pooled = pool_season(gapped, reference, weight=0.5)
    assert pooled.iloc[30:36].isna().all()
    spiked = reference.copy()
    spiked.iloc[30:36] += 3.0  # what the reference did in those months must not count
    assert pool_season(gapped, spiked, weight=0.5).equals(pooled)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), weight=st.floats(0.0, 1.0), years=st.integers(2, 6))
def test_pooling_keeps_every_years_level(seed, weight, years):
    """The shift is a pattern of the year with mean zero: each whole year's mean log count is kept."""
    y = seasonal_log(12 * years, noise=0.1, seed=seed)
    reference = seasonal_log(12 * years, level=7.0, noise=0.3, seed=seed + 1)
    pooled = pool_season(y, reference, weight=weight)
    np.testing.assert_allclose(pooled.to_numpy().reshape(years, 12).mean(axis=1),
                               y.to_numpy().reshape(years, 12).mean(axis=1), atol=1e-9)

"""The light members (recent level) and BlendCore's shrinking of the forecast change on the last year (no Prophet fits)."""

from functools import partial

from hypothesis import given, settings, strategies as st

import numpy as np
import pandas as pd
import pytest

from crimecast.forecast.cores import BlendCore, ETSCore, LevelCore, RecentLevelCore, SeasonalNaiveCore
from crimecast.forecast.models import CHANGE_SHRINK, FALL_SHRINK, crimecast_core

NO_TREND = partial(ETSCore, trend=False)


def rising_log_series(months: int = 60, growth: float = 0.02) -> pd.Series:
    """Log counts rising ``growth`` a month from about 200, with a yearly cycle (no noise)."""
    t = np.arange(months)
    counts = 200 * np.exp(growth * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 12))
    return pd.Series(np.log1p(counts), index=pd.date_range("2015-04-01", periods=months, freq="MS"))


def first_year_change(paths: np.ndarray, y_log: pd.Series) -> float:
    """Log ratio of the median paths' first-year total to the last year observed."""
    return float(np.log(np.expm1(np.median(paths[:, :12], axis=0)).sum() / np.expm1(y_log.to_numpy()[-12:]).sum()))


def test_without_shrink_the_blend_is_the_average_of_its_members():
    y_log = rising_log_series()
    blend = BlendCore((ETSCore, SeasonalNaiveCore)).fit(y_log)
    members = [core.sample(12, 50, 7 + i) for i, core in enumerate(blend.cores_)]
    np.testing.assert_allclose(blend.sample(12, 50, 7), (members[0] + members[1]) / 2)


def test_combine_weighs_members_draws_and_shrinks_the_weighted_blend():
    y_log = rising_log_series()
    blend = BlendCore((ETSCore, SeasonalNaiveCore), change_shrink=0.5).fit(y_log)
    members = [core.sample(12, 50, 7 + i) for i, core in enumerate(blend.cores_)]
    np.testing.assert_allclose(blend.combine(members), blend.sample(12, 50, 7))
    only_first = blend.combine(members, weights=(1.0, 0.0))
    shift = members[0] - only_first
    np.testing.assert_allclose(shift, shift[0, 0])  # the first member alone, shifted once by the shrink
    assert first_year_change(only_first, y_log) == pytest.approx(first_year_change(members[0], y_log) / 2, abs=0.01)
    np.testing.assert_allclose(blend.combine(members, weights=(3.0, 1.0)),
                               blend.combine(members, weights=(0.75, 0.25)))  # weights are normalised


def test_shrink_moves_every_path_by_the_same_amount_and_halves_the_forecast_change():
    y_log = rising_log_series()
    plain = BlendCore((ETSCore, NO_TREND)).fit(y_log).sample(24, 400, 3)
    shrunk = BlendCore((ETSCore, NO_TREND), change_shrink=0.5).fit(y_log).sample(24, 400, 3)
    shift = plain - shrunk
    np.testing.assert_allclose(shift, shift[0, 0])  # one level shift: path shapes and spread are kept
    before, after = first_year_change(plain, y_log), first_year_change(shrunk, y_log)
    assert before > 0.15  # a rising series is forecast to keep rising ...
    assert after == pytest.approx(before / 2, abs=0.01)  # ... by half as much


@pytest.mark.parametrize("growth", [0.02, -0.02])
def test_falls_use_the_fall_shrink_and_rises_the_change_shrink(growth):
    y_log = rising_log_series(growth=growth)
    plain = BlendCore((ETSCore, NO_TREND)).fit(y_log).sample(24, 400, 3)
    shrunk = BlendCore((ETSCore, NO_TREND), change_shrink=0.2, fall_shrink=0.6).fit(y_log).sample(24, 400, 3)
    before, after = first_year_change(plain, y_log), first_year_change(shrunk, y_log)
    assert np.sign(before) == np.sign(growth) and abs(before) > 0.15
    kept = 0.8 if growth > 0 else 0.4
    assert after == pytest.approx(kept * before, abs=0.01)


def test_a_fall_shrink_alone_leaves_rises_alone():
    y_log = rising_log_series()
    plain = BlendCore((ETSCore, NO_TREND)).fit(y_log).sample(12, 200, 3)
    np.testing.assert_allclose(BlendCore((ETSCore, NO_TREND), fall_shrink=0.5).fit(y_log).sample(12, 200, 3), plain)


def test_shrink_measures_the_change_on_the_pattern_around_exceptional_months():
    y_log = rising_log_series()
    dipped = y_log.copy()
    dipped.iloc[-3:] = np.nan  # the last three months exceptional: filled from the pattern, not read as zero
    blend = BlendCore((ETSCore,), change_shrink=0.5).fit(dipped)
    assert np.isfinite(blend.last_year_).all() and blend.last_year_.min() > 100


def test_a_shrinking_blend_needs_the_training_series_to_fit_members():
    with pytest.raises(ValueError, match="training series"):
        BlendCore((ETSCore,), change_shrink=0.5).fit_members([ETSCore().fit(rising_log_series())])


def test_the_default_model_shrinks_falls_harder_than_rises():
    core = crimecast_core(level_shifts=())
    assert (core.change_shrink, core.fall_shrink) == (CHANGE_SHRINK, FALL_SHRINK)
    assert 0 < CHANGE_SHRINK < FALL_SHRINK < 1


# --- RecentLevelCore ------------------------------------------------------------------------------------

PATTERN = 0.2 * np.sin(2 * np.pi * np.arange(12) / 12)  # a month-of-year pattern on the log scale, mean zero


def seasonal_log_series(levels: np.ndarray, *, start: str = "2016-01-01", freq: str = "MS",
                        pattern: np.ndarray = PATTERN) -> pd.Series:
    """Log counts: ``levels`` (one per period) plus the pattern of the period in the year."""
    index = pd.date_range(start, periods=len(levels), freq=freq)
    phase = (index.month - 1) // (12 // len(pattern))
    return pd.Series(np.asarray(levels, dtype=float) + pattern[phase], index=index)


def test_recent_level_of_a_constant_series_is_flat_with_no_noise():
    paths = RecentLevelCore().fit(pd.Series(np.full(36, 4.0), index=pd.date_range("2016-01-01", periods=36,
                                                                                   freq="MS"))).sample(24, 5, 0)
    np.testing.assert_allclose(paths, 4.0, atol=1e-9)


def test_recent_level_carries_the_last_half_year_with_the_seasonal_pattern():
    levels = 5 + 0.01 * np.arange(36)  # rising: the last half-year averages 5 + 0.01 x 32.5
    core = RecentLevelCore().fit(seasonal_log_series(levels))
    assert core.level_ == pytest.approx(5.325, abs=1e-9)  # the last half-year's level, no trend carried on
    median = np.median(core.sample(12, 2000, 1), axis=0)
    np.testing.assert_allclose(median, 5.325 + PATTERN, atol=0.01)  # series ends in December: January's effect first


def test_recent_level_spread_grows_with_the_horizon_and_paths_are_seeded():
    noise = np.random.default_rng(3).normal(0, 0.05, 48)
    core = RecentLevelCore().fit(seasonal_log_series(5 + noise))
    paths = core.sample(24, 3000, 11)
    spread = paths.std(axis=0)
    assert spread[0] == pytest.approx(core.sigma_, rel=0.1) and spread[-1] > 1.5 * spread[0]
    np.testing.assert_array_equal(paths, core.sample(24, 3000, 11))
    assert not np.array_equal(paths, core.sample(24, 3000, 12))


def test_recent_level_of_quarters_uses_two_quarters_and_the_quarter_pattern():
    quarters = np.array([0.1, -0.05, 0.05, -0.1])
    levels = 4 + 0.02 * np.arange(16)  # the last two quarters average 4 + 0.02 x 14.5
    core = RecentLevelCore().fit(seasonal_log_series(levels, freq="QS-JAN", pattern=quarters))
    assert core.level_ == pytest.approx(4.29, abs=1e-9)
    np.testing.assert_allclose(np.median(core.sample(8, 2000, 1), axis=0), 4.29 + np.r_[quarters, quarters], atol=0.01)


def test_recent_level_reads_exceptional_months_as_the_pattern_around_them():
    y_log = seasonal_log_series(np.full(48, 5.0))
    dipped = y_log.copy()
    dipped.iloc[-4:] = np.nan  # exceptional last months: neither zero nor a dip
    core = RecentLevelCore().fit(dipped)
    assert core.level_ == pytest.approx(5.0, abs=0.01)
    assert np.isfinite(core.sample(12, 10, 0)).all()


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), shift=st.floats(-3, 3), months=st.integers(24, 72))
def test_recent_level_moves_with_the_series_and_keeps_its_spread(seed, shift, months):
    y_log = seasonal_log_series(5 + np.random.default_rng(seed).normal(0, 0.1, months).cumsum() / 5)
    paths = RecentLevelCore().fit(y_log).sample(12, 50, seed)
    shifted = RecentLevelCore().fit(y_log + shift).sample(12, 50, seed)
    np.testing.assert_allclose(shifted, paths + shift, atol=1e-9)
    assert np.isfinite(paths).all()


# --- LevelCore -------------------------------------------------------------------------------------------

def test_level_core_equal_counts_still_have_counting_noise():
    """Three months of 1: the interval is not one number (it was 12 to 12 for the year)."""
    y_log = np.log1p(pd.Series([1.0, 1.0, 1.0], index=pd.date_range("2021-01-01", periods=3, freq="MS")))
    counts = np.expm1(LevelCore().fit(y_log).sample(12, 2000, 0)).sum(axis=1)
    low, high = np.quantile(counts, [0.1, 0.9])
    assert high - low > 4
    assert 6 < np.median(counts) < 20


def test_level_core_noisy_history_keeps_its_own_spread():
    values = np.log1p(pd.Series([50.0, 150.0, 60.0, 140.0], index=pd.date_range("2021-01-01", periods=4, freq="MS")))
    core = LevelCore().fit(values)
    assert core.scale_ == pytest.approx(np.std(values.to_numpy(), ddof=1) * np.sqrt(1 + 1 / 4))

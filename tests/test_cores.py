"""BlendCore's shrinking of the forecast change on the last year (no Prophet fits: ETS members only)."""

from functools import partial

import numpy as np
import pandas as pd
import pytest

from crimecast.forecast.cores import BlendCore, ETSCore, SeasonalNaiveCore
from crimecast.forecast.models import CHANGE_SHRINK, crimecast_core

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


def test_shrink_moves_every_path_by_the_same_amount_and_halves_the_forecast_change():
    y_log = rising_log_series()
    plain = BlendCore((ETSCore, NO_TREND)).fit(y_log).sample(24, 400, 3)
    shrunk = BlendCore((ETSCore, NO_TREND), change_shrink=0.5).fit(y_log).sample(24, 400, 3)
    shift = plain - shrunk
    np.testing.assert_allclose(shift, shift[0, 0])  # one level shift: path shapes and spread are kept
    before, after = first_year_change(plain, y_log), first_year_change(shrunk, y_log)
    assert before > 0.15  # a rising series is forecast to keep rising ...
    assert after == pytest.approx(before / 2, abs=0.01)  # ... by half as much


def test_shrink_measures_the_change_on_the_pattern_around_exceptional_months():
    y_log = rising_log_series()
    dipped = y_log.copy()
    dipped.iloc[-3:] = np.nan  # the last three months exceptional: filled from the pattern, not read as zero
    blend = BlendCore((ETSCore,), change_shrink=0.5).fit(dipped)
    assert np.isfinite(blend.last_year_).all() and blend.last_year_.min() > 100


def test_a_shrinking_blend_needs_the_training_series_to_fit_members():
    with pytest.raises(ValueError, match="training series"):
        BlendCore((ETSCore,), change_shrink=0.5).fit_members([ETSCore().fit(rising_log_series())])


def test_the_default_model_halves_the_change():
    assert crimecast_core(level_shifts=()).change_shrink == CHANGE_SHRINK > 0

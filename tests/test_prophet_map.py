import warnings

import numpy as np
import pandas as pd
import pytest

from crimecast.forecast.cores import ProphetCore, _import_prophet, with_frequency
from crimecast.forecast.prophet_map import _changepoint_times
from tests.conftest import seasonal_counts


@pytest.mark.slow
def test_parameters_are_prophets_own_fit_of_the_same_data():
    months = pd.date_range("2009-04-01", periods=60, freq="MS")
    y = with_frequency(np.log1p(pd.Series(seasonal_counts(60, level=400, seed=7), index=months).astype(float)))
    y.iloc[20:23] = np.nan  # exceptional months are left out, as Prophet leaves out missing values
    core = ProphetCore(changepoint_range=0.95, level_shifts=(pd.Timestamp("2012-06-01"),)).fit(y)
    design = core.design(months)
    Prophet = _import_prophet()
    model = Prophet(growth="linear", yearly_seasonality=False, weekly_seasonality=False, daily_seasonality=False,
                    changepoint_range=0.95, uncertainty_samples=0)
    for column in design.columns:
        model.add_regressor(column, prior_scale=1.0 if column.startswith("m") else 10.0, standardize=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(design.assign(ds=months, y=y.to_numpy()), seed=1, algorithm="LBFGS")
    fit = core.fit_
    assert np.allclose(fit.beta, model.params["beta"][0])
    assert np.allclose(fit.delta, model.params["delta"][0])
    assert np.allclose([fit.k, fit.m, fit.sigma_obs],
                       [model.params["k"][0, 0], model.params["m"][0, 0], model.params["sigma_obs"][0, 0]])
    assert np.allclose(fit.changepoints_t, model.changepoints_t)
    future = pd.date_range(months[-1] + pd.offsets.MonthBegin(), periods=12, freq="MS")
    trend = model.predict_trend(pd.DataFrame({"t": (future - model.start) / model.t_scale, "floor": 0.0}))
    assert np.allclose(fit.trend(future), trend)
    ours = core.sample(12, 3000, seed=1)  # undamped core: Prophet's own predictive distribution
    model.uncertainty_samples = 3000
    theirs = model.predictive_samples(core.design(future).assign(ds=future))["yhat"].T
    assert np.abs(np.median(ours, 0) - np.median(theirs, 0)).max() < 0.02
    assert ours.std(0) == pytest.approx(theirs.std(0), rel=0.1)


def test_changepoints_follow_prophets_grid():
    t = np.linspace(0, 1, 60)
    grid = _changepoint_times(t, 0.8)
    assert len(grid) == 25 and grid.max() <= t[int(60 * 0.8) - 1]
    assert list(_changepoint_times(np.linspace(0, 1, 2), 0.8)) == [0.0]  # too short: Prophet's dummy


def test_sampling_is_seeded_and_shaped():
    months = pd.date_range("2010-01-01", periods=36, freq="MS")
    y = with_frequency(np.log1p(pd.Series(seasonal_counts(36, level=50, seed=2), index=months).astype(float)))
    core = ProphetCore().fit(y)
    first = core.sample(12, 50, seed=4)
    assert first.shape == (50, 12)
    assert np.array_equal(first, core.sample(12, 50, seed=4))
    assert not np.array_equal(first, core.sample(12, 50, seed=5))

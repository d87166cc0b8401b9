"""Forecasts of proportions: logit local level with binomial sampling and extra-binomial variation."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from crimecast.data.rates import embedded_rates
from crimecast.forecast.rates import backtest_rate, fit_rate, forecast_rate, run_rate


def _series(rate: float, surveys: int, months: int = 48, seed: int = 0, logit_sd: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = np.full(months, surveys)
    p = 1 / (1 + np.exp(-(np.log(rate / (1 - rate)) + rng.normal(0, logit_sd, months))))
    return pd.DataFrame({"numerator": rng.binomial(n, p), "denominator": n},
                        index=pd.date_range("2010-04-01", periods=months, freq="MS"))


@settings(max_examples=25, deadline=None)
@given(rate=st.floats(0.01, 0.99), surveys=st.integers(1, 2000), seed=st.integers(0, 1000))
def test_forecast_proportions_stay_within_zero_and_one(rate, surveys, seed):
    result = forecast_rate(_series(rate, surveys, months=30, seed=seed), horizon=6, n_paths=100, seed=seed)
    table = result.table()
    assert ((result.rate_paths >= 0) & (result.rate_paths <= 1)).all()
    assert (table["lo95"] <= table["lo80"]).all() and (table["lo80"] <= table["mean"]).all()
    assert (table["mean"] <= table["hi80"]).all() and (table["hi80"] <= table["hi95"]).all()
    assert (table[["lo95", "hi95"]].to_numpy() >= 0).all() and (table[["lo95", "hi95"]].to_numpy() <= 1).all()


def test_fewer_surveys_give_wider_intervals():
    history = _series(0.85, 500)
    many = forecast_rate(history, horizon=3, n_paths=2000, denominators=np.full(3, 2000)).table()
    few = forecast_rate(history, horizon=3, n_paths=2000, denominators=np.full(3, 50)).table()
    assert ((few["hi80"] - few["lo80"]) > 1.5 * (many["hi80"] - many["lo80"])).all()


def test_extra_binomial_variation_is_found_only_when_present():
    assert fit_rate(_series(0.8, 500, months=72, logit_sd=0.3)).dispersion > 2
    assert fit_rate(_series(0.8, 500, months=72, logit_sd=0.0)).dispersion < 1.5


def test_same_seed_same_paths_and_year_rate_uses_observed_months():
    history = _series(0.8, 400, months=42)  # ends 2013-09: half of 2013/14 observed
    a, b = (forecast_rate(history, horizon=6, n_paths=200, seed=7) for _ in range(2))
    assert np.array_equal(a.paths, b.paths)
    year = a.year_rate_paths(2013)
    observed = history.loc["2013-04-01":]
    expected = (observed["numerator"].sum() + a.paths.sum(axis=1)) / (observed["denominator"].sum() + a.denominators.sum())
    assert np.allclose(year, expected)


def test_backtest_coverage_beats_binomial_sampling_alone_on_overdispersed_data():
    series = _series(0.8, 400, months=72, logit_sd=0.25, seed=3)
    model = backtest_rate(series, origins=12, n_paths=300)
    binomial = backtest_rate(series, origins=12, n_paths=300, binomial_only=True)
    assert model.monthly80 > binomial.monthly80 and 0.6 <= model.monthly80 <= 1.0


def test_run_rate_reports_rolling_twelve_months_on_the_embedded_data():
    report = run_rate(embedded_rates("west-midlands"), category="satisfaction-crime", area="force", n_paths=200,
                      backtest=False)
    assert round(report.last12, 3) == 0.838 and 0.75 < report.next12.mean() < 0.92
    assert report.forecast.months[0] == pd.Timestamp("2014-04-01")

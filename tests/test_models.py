import numpy as np
import pandas as pd
import pytest

from crimecast.data.load import load_counts
from crimecast.data.series import series_of, with_totals
from crimecast.errors import ModelError, NotFittedError
from crimecast.forecast.models import CrimeForecaster
from crimecast.data.exceptional import ExceptionalPeriod, load_exceptional
from tests.conftest import quarterly_demo, quarterly_series, seasonal_counts


def series(months=72, **kwargs):
    return pd.Series(seasonal_counts(months, **kwargs), index=pd.date_range("2008-04-01", periods=months, freq="MS"))


def test_predict_before_fit_is_refused():
    with pytest.raises(NotFittedError):
        CrimeForecaster().predict(12)


def test_unknown_model_is_refused():
    with pytest.raises(ModelError, match="unknown model 'arima'"):
        CrimeForecaster(model="arima").fit(series())


def test_init_only_stores_parameters():
    forecaster = CrimeForecaster(n_paths=123, seed=9)
    assert forecaster.get_params() == {"model": "crimecast", "n_paths": 123, "seed": 9, "level_shifts": "auto",
                                       "known_changes": (), "exceptional": (), "seasonal_reference": None,
                                       "drift": None}
    assert not hasattr(forecaster, "core_")


@pytest.mark.slow
@pytest.mark.parametrize("model", ["crimecast", "prophet-default", "ets", "seasonal-naive"])
def test_every_model_gives_non_negative_paths_of_the_right_shape(model):
    y = series(level=3)
    result = CrimeForecaster(model=model, n_paths=1000, seed=1).fit(y).predict(12)
    assert result.paths.shape == (1000, 12)
    assert (result.paths >= 0).all()


@pytest.mark.parametrize("model", ["ets", "seasonal-naive"])
def test_a_months_forecast_does_not_depend_on_the_horizon(model):
    forecaster = CrimeForecaster(model=model, n_paths=300, seed=3).fit(series())
    longest = forecaster.predict(36).paths
    for horizon in (1, 12, 24):
        assert np.array_equal(forecaster.predict(horizon).paths, longest[:, :horizon])


@pytest.mark.slow
def test_calibrated_forecast_does_not_depend_on_the_horizon():
    """Issue 17: the first year's intervals were 1,067-1,210 at --horizon 12 and 905-1,422 at 24."""
    y = series(60)
    short = CrimeForecaster(n_paths=300, seed=3, level_shifts=()).fit(y)
    assert np.array_equal(short.predict(12).paths, short.predict(24).paths[:, :12])
    assert short.calibration_.windows == 2  # one-year windows at 36 and 48 months, whatever the horizon


@pytest.mark.slow
def test_a_series_under_four_years_calibrates_on_its_part_year_and_says_so():
    """Issue 14: a 33-month series got the fixed fallback factor, whatever its own backtest showed."""
    forecaster = CrimeForecaster(model="prophet", n_paths=200, seed=1).fit(series(33))
    assert forecaster.calibration_.windows == 1 and forecaster.calibration_.n_scores == 9  # months 25-33
    assert any(note.startswith("intervals calibrated on only 9 backtest months") for note in forecaster.notes_)
    assert not any("too short to calibrate" in note for note in forecaster.notes_)


def test_a_horizon_beyond_the_simulated_months_is_refused():
    forecaster = CrimeForecaster(model="seasonal-naive", n_paths=100).fit(series())
    with pytest.raises(ModelError, match="1 to 60 months ahead"):
        forecaster.predict(61)


@pytest.mark.slow
def test_same_seed_gives_identical_paths_and_another_seed_does_not():
    y = series()
    first = CrimeForecaster(seed=5).fit(y).predict(12).paths
    again = CrimeForecaster(seed=5).fit(y).predict(12).paths
    other = CrimeForecaster(seed=6).fit(y).predict(12).paths
    assert np.array_equal(first, again) and not np.array_equal(first, other)


@pytest.mark.slow
def test_seasonality_is_recovered_on_monthly_data():
    counts = with_totals(load_counts("west-midlands"))
    y = series_of(counts, category="burglary-dwelling", area="force")
    table = CrimeForecaster(seed=1).fit(y).predict(12).monthly_table().set_index("month")
    november, june = table.loc["2014-11-01", "median"], table.loc["2014-06-01", "median"]
    assert november > 1.2 * june


@pytest.mark.slow
def test_level_shift_regressor_captures_a_step():
    months = pd.date_range("2008-04-01", periods=72, freq="MS")
    y = pd.Series(seasonal_counts(72, level=300, seed=4), index=months)
    y[months >= "2012-11-01"] = (y[months >= "2012-11-01"] * 1.3).round().astype(int)
    with_step = CrimeForecaster(seed=1, level_shifts=("2012-11-01",)).fit(y)
    prophet_member = with_step.core_.cores_[0]
    assert prophet_member.effects_["step_2012_11"] == pytest.approx(np.log(1.3), abs=0.08)
    future = with_step.predict(12).monthly_table()["median"].mean()
    assert future == pytest.approx(y[-12:].mean(), rel=0.08)


@pytest.mark.slow
def test_short_series_falls_back_to_a_level_model_with_a_warning():
    forecaster = CrimeForecaster(seed=1).fit(series(18))
    assert "fewer than 24" in forecaster.notes_[0]
    assert forecaster.predict(6).paths.shape == (1000, 6)


def test_too_short_for_anything():
    with pytest.raises(ModelError, match="only 2 month"):
        CrimeForecaster().fit(series(2))


@pytest.mark.slow
def test_auto_level_shifts_find_the_embedded_shoplifting_step():
    counts = with_totals(load_counts("west-midlands"))
    y = series_of(counts, category="shoplifting", area="force")
    forecaster = CrimeForecaster(seed=1).fit(y)
    assert [f"{s.month:%Y-%m}" for s in forecaster.steps_] == ["2012-11"]
    assert any("--no-steps" in note for note in forecaster.notes_)
    assert CrimeForecaster(seed=1, level_shifts=()).fit(y).steps_ == []


# ---------------------------------------------------------------- quarterly series

def test_a_step_in_a_quarterly_series_is_dated_by_its_quarter_not_its_first_month():
    from crimecast.forecast.panel import _fit_bottom
    from crimecast.forecast.spec import ForecastSpec

    y = quarterly_series(32, seed=4)
    y[y.index >= "2009-10-01"] *= 1.4  # a step up from October-December 2009, financial 2009/10 Q3
    forecaster = CrimeForecaster(seed=1, n_paths=200).fit(y)
    assert [f"{s.month:%Y-%m}" for s in forecaster.steps_] == ["2009-10"]
    assert forecaster.notes_[0].startswith("step change up of 41% from 2009/10 Q3 is modelled as a level shift")
    assert not any("2009-10" in note for note in forecaster.notes_)
    fit = _fit_bottom((("robbery", "force"), y, ("robbery", "force"), frozenset()), ForecastSpec(paths=200, seed=1), 4,
                      False)
    assert fit.steps == ["robbery / force +41% from 2009/10 Q3"]
    assert not any("level shift" in note for note in fit.other_notes)  # the step's note is known as one


def test_a_quarterly_series_is_forecast_in_quarters_one_year_ahead_by_default():
    y = quarterly_series(32)
    result = CrimeForecaster(model="ets", n_paths=200, seed=1).fit(y).predict()
    assert result.paths.shape == (200, 4)
    assert result.months.freqstr == "QS-JAN" and result.frequency.periods_per_year == 4
    assert list(result.months) == list(pd.date_range(y.index[-1] + pd.DateOffset(months=3), periods=4, freq="QS-JAN"))


def test_a_quarterly_series_without_freq_is_recognised_by_its_spacing():
    y = quarterly_series(32)
    bare = pd.Series(y.to_numpy(), index=pd.DatetimeIndex(list(y.index)))
    assert bare.index.freq is None
    result = CrimeForecaster(model="seasonal-naive", n_paths=100, seed=1).fit(bare).predict()
    assert result.months.freqstr == "QS-JAN" and result.horizon == 4


def test_seasonal_naive_on_quarters_repeats_the_same_quarter_last_year():
    pattern = np.array([100.0, 200.0, 400.0, 800.0])
    y = pd.Series(np.tile(pattern, 6), index=pd.date_range("2008-01-01", periods=24, freq="QS-JAN"))
    result = CrimeForecaster(model="seasonal-naive", n_paths=50, seed=1).fit(y).predict(8)
    assert np.allclose(np.median(result.paths, axis=0), np.tile(pattern, 2))  # lag 4: no year-on-year change to add


def test_short_quarterly_series_note_counts_quarters():
    forecaster = CrimeForecaster(model="ets", n_paths=100).fit(quarterly_series(6))
    assert forecaster.notes_[0].startswith("only 6 quarters of data (fewer than 8)")


@pytest.mark.slow
def test_crimecast_on_quarterly_demo_data_has_quarter_effects_and_calibrates_on_quarters():
    from crimecast.forecast.seasonal import month_effects_of

    y = series_of(quarterly_demo(), category="burglary-dwelling", area="force")
    forecaster = CrimeForecaster(n_paths=200, seed=1).fit(y)
    prophet = forecaster.core_.cores_[0]
    effects = month_effects_of(prophet)
    assert list(effects.index) == [1, 4, 7, 10] and np.log(effects).mean() == pytest.approx(0.0, abs=1e-9)
    assert forecaster.calibration_.from_data and forecaster.calibration_.n_scores == 3 * 4
    result = forecaster.predict()
    years = result.financial_years()
    assert list(years["financial_year"]) == ["2014/15"] and years["months_forecast"].iloc[0] == 12


LOCKDOWN = (ExceptionalPeriod(pd.Timestamp("2020-03-01"), pd.Timestamp("2020-06-01"), "lockdown"),)


def with_lockdown(months=64, *, level=400, factor=0.5):
    """A seasonal series from 2015-03 whose last four months (2020-03 to 2020-06) are halved."""
    y = pd.Series(seasonal_counts(months, level=level), index=pd.date_range("2015-03-01", periods=months, freq="MS"))
    y[y.index >= "2020-03-01"] = (y[y.index >= "2020-03-01"] * factor).round()
    return y


def test_exceptional_months_at_the_end_do_not_set_the_level():
    y = with_lockdown()
    ordinary = y[y.index < "2020-03-01"].iloc[-12:].mean()
    plain = CrimeForecaster(model="ets", n_paths=300, seed=1).fit(y).predict(12)
    kept_out = CrimeForecaster(model="ets", n_paths=300, seed=1, exceptional=LOCKDOWN).fit(y)
    result = kept_out.predict(12)
    assert np.median(result.paths.sum(axis=1)) / 12 == pytest.approx(ordinary, rel=0.1)
    assert np.median(plain.paths.sum(axis=1)) / 12 < 0.8 * ordinary
    assert result.history.equals(y.astype("int64"))  # the months are still shown
    assert any("4 exceptional months (lockdown)" in note for note in result.notes)


def test_exceptional_periods_outside_the_series_change_nothing():
    y = series()
    before_data = (ExceptionalPeriod(pd.Timestamp("1990-01-01"), pd.Timestamp("1990-06-01")),)
    plain = CrimeForecaster(model="ets", n_paths=200, seed=2).fit(y)
    other = CrimeForecaster(model="ets", n_paths=200, seed=2, exceptional=before_data).fit(y)
    assert np.array_equal(plain.predict(12).paths, other.predict(12).paths) and other.notes_ == plain.notes_


def test_a_calendar_lockdown_stays_in_the_fit_until_six_months_of_data_follow_it():
    covid = load_exceptional("covid-uk")
    y = pd.Series(np.full(60, 300.0), index=pd.date_range("2016-01-01", periods=60, freq="MS"))  # to 2020-12
    early = CrimeForecaster(model="ets", n_paths=100, seed=1, exceptional=covid).fit(y)
    assert any(n.startswith("lockdown-2 of the covid-uk calendar ended fewer than 6 months") for n in early.notes_)
    assert any("(lockdown-1 of the covid-uk calendar) kept out" in n for n in early.notes_)  # ended 2020-06: settled
    own = tuple(ExceptionalPeriod(p.start, p.end, "my lockdown") for p in covid)
    assert not any("fewer than" in n for n in CrimeForecaster(model="ets", n_paths=100, seed=1,
                                                              exceptional=own).fit(y).notes_)


def test_a_series_that_is_all_exceptional_is_refused():
    y = series(30)
    everything = (ExceptionalPeriod(y.index[0], y.index[-2]),)
    with pytest.raises(ModelError, match="only 1 month"):
        CrimeForecaster(model="ets", exceptional=everything).fit(y)


@pytest.mark.slow
def test_a_lockdown_dip_is_neither_a_step_nor_the_new_level_nor_scored_in_calibration():
    """Issue 12: lockdown months were carried forward and read as permanent level shifts. Issue 14 (session 25):
    months kept out of the fit are kept out of the calibration windows' scores too (bench/calibration_windows.py)."""
    y = with_lockdown()
    plain = CrimeForecaster(n_paths=300, seed=1).fit(y)
    kept_out = CrimeForecaster(n_paths=300, seed=1, exceptional=LOCKDOWN).fit(y)
    assert plain.steps_ and not kept_out.steps_
    assert kept_out.calibration_.n_scores == plain.calibration_.n_scores - 4  # the four lockdown months
    assert "out of the interval calibration scores" in " ".join(kept_out.notes_)
    ordinary = y[y.index < "2020-03-01"].iloc[-12:].mean()
    assert np.median(kept_out.predict(12).paths.sum(axis=1)) / 12 == pytest.approx(ordinary, rel=0.1)


@pytest.mark.slow
def test_the_default_pools_its_month_effects_with_the_reference_and_baselines_do_not():
    y = series(36)  # one short calibration window: few fits
    flat = pd.Series(1000.0, index=y.index)  # a whole with no seasonal pattern at all
    options = dict(n_paths=200, seed=3, level_shifts=())
    own = CrimeForecaster(**options).fit(y).predict(12).paths
    pooled = CrimeForecaster(**options, seasonal_reference=flat).fit(y).predict(12).paths

    def swing(paths):  # peak-to-trough of the median path over the year
        median = np.median(paths, axis=0)
        return median.max() / median.min()

    assert swing(pooled) < 1 + 0.6 * (swing(own) - 1)  # a flat whole takes most of the pattern away
    ets = [CrimeForecaster(model="ets", n_paths=100, seed=3, seasonal_reference=reference).fit(y).predict(12).paths
           for reference in (None, flat)]
    assert np.array_equal(*ets)  # baselines are the plain methods

"""Dataset drift: last year's shortfall of the category wholes' forecasts, carried forward at a share."""

from functools import partial

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from crimecast.cli import cli
from crimecast.data.exceptional import ExceptionalPeriod
from crimecast.data.frequency import MONTHLY, QUARTERLY
from crimecast.data.sources import DataSource, open_counts
from crimecast.forecast import drift as drift_module
from crimecast.forecast.drift import DRIFT_SHARE, Drift, passed_over
from crimecast.forecast.backtest import backtest_series
from crimecast.forecast.models import CrimeForecaster, crimecast_core
from crimecast.data.series import season_references
from crimecast.forecast.run import BacktestOptions, run_forecasts
from crimecast.forecast.panel import drift_of, forecast_panel
from crimecast.forecast.spec import ForecastSpec
from tests.conftest import seasonal_counts

dataset_drift = partial(drift_module.dataset_drift, make_core=crimecast_core)
MONTHS = pd.date_range("2010-04-01", periods=72, freq="MS")


def _wholes(categories: int, *, rise: float = 0.15) -> dict[str, pd.Series]:
    """Seasonal counts whose level rises by ``rise`` in the last year, in every category."""
    lift = np.where(np.arange(len(MONTHS)) >= 60, 1 + rise, 1.0)
    return {f"c{i}": pd.Series(seasonal_counts(len(MONTHS), level=300.0 + 50 * i, seed=i) * lift, index=MONTHS,
                               dtype=float) for i in range(categories)}


def test_a_rise_every_category_shares_is_measured_and_carried_forward_at_the_share():
    drift = dataset_drift(_wholes(4), as_of=MONTHS[-1], seed=1)
    assert drift.categories == 4 and drift.year_start == MONTHS[60]
    assert 0.08 < np.log1p(drift.missed) < 0.2  # log(1.15) = 0.14, less what the forecasts caught of the rise
    assert 0.02 < drift.year_change < 0.06  # a quarter of it
    note = drift.note(frequency=MONTHLY)
    assert note.startswith("dataset drift: in the year 2015-04 to 2016-03 this dataset's 4 categories, each summed over "
                           "its areas, came in ") and "--no-drift" in note
    quarters = Drift(errors=(0.05, 0.08, 0.11, 0.14), categories=9, year_start=pd.Timestamp("2016-04-01"))
    assert "in the year 2016/17 Q1 to 2016/17 Q4 this dataset's 9 categories" in quarters.note(frequency=QUARTERLY)


def test_the_total_and_a_category_that_stops_early_are_not_measured():
    wholes = _wholes(4)
    collapsed = wholes["c0"].copy()
    collapsed.iloc[-12:] = 5.0  # its counts fall away (the Home Office's fraud to Action Fraud) ...
    stopped = collapsed.iloc[:-6]  # ... and stop half a year before the origin
    wholes = {**wholes, "fraud": stopped, "total-recorded-crime": sum(wholes.values())}
    drift = dataset_drift(wholes, as_of=MONTHS[-1], seed=1)
    assert drift == dataset_drift(_wholes(4), as_of=MONTHS[-1], seed=1) and drift.categories == 4


def test_a_category_whose_counts_collapse_in_the_year_measured_is_not_measured():
    """The Home Office's fraud at 2013/14 Q1: about 18,600 a quarter, then 5,493 and 91 as its recording moved to
    Action Fraud (four forces still counted a little), carried -4.9% into every series' year (-1.0% without it)."""
    wholes = _wholes(4)
    collapsing = wholes["c0"].copy() * 3
    collapsing.iloc[-3:] = 40.0  # still busy over four years, with no empty month, but fallen away
    drift = dataset_drift({**wholes, "fraud": collapsing}, as_of=MONTHS[-1], seed=1)
    assert drift == dataset_drift(wholes, as_of=MONTHS[-1], seed=1) and drift.categories == 4
    halved = wholes["c0"].copy() * 3
    halved.iloc[-12:] *= 0.5  # a fall of a half is a trend the drift is for: measured
    assert dataset_drift({**wholes, "fraud": halved}, as_of=MONTHS[-1], seed=1).categories == 5


def test_a_quiet_category_is_not_measured():
    quiet = pd.Series(np.where(np.arange(len(MONTHS)) % 5 == 0, 0.0, 3.0), index=MONTHS)  # London's fraud and forgery
    with_quiet = dataset_drift({**_wholes(4), "fraud-and-forgery": quiet}, as_of=MONTHS[-1], seed=1)
    assert with_quiet == dataset_drift(_wholes(4), as_of=MONTHS[-1], seed=1)


def test_the_note_says_the_miss_whose_share_it_carries():
    falling = Drift(errors=tuple(np.linspace(0.12, 0.0, 12)), categories=5, year_start=MONTHS[36])
    note = falling.note(frequency=MONTHLY)  # year totals of skewed paths can differ in sign from the months' misses
    assert f"came in {falling.missed:.1%} above" in note and f"about {falling.year_change:+.1%}" in note
    assert falling.year_change == pytest.approx(np.expm1(DRIFT_SHARE * np.log1p(falling.missed)))
    assert "more in its first months" in note and note.endswith("--no-drift (drift: false in a file) leaves it out.")


def test_a_whole_with_a_missing_period_is_not_measured():
    wholes = _wholes(4)
    holed = {**wholes, "c3": wholes["c3"].drop(MONTHS[30:33])}  # areas covering different spans
    assert dataset_drift(holed, as_of=MONTHS[-1], seed=1).categories == 3


def test_quarterly_periods_known_by_the_end_of_the_origin_quarter():
    quarters = pd.date_range("2008-04-01", periods=24, freq="QS-JAN")
    wholes = {f"q{i}": pd.Series(np.full(24, 900.0 + 100 * i) * np.where(np.arange(24) >= 20, 1.1, 1.0),
                                 index=quarters) for i in range(4)}
    as_of = quarters[-1]  # 2013/14 Q3: October to December 2013
    assert dataset_drift(wholes, as_of=as_of, seed=1).categories == 4
    inside = ExceptionalPeriod(start=pd.Timestamp("2013-11-01"), end=pd.Timestamp("2013-11-01"), label="in its 2nd month")
    assert dataset_drift(wholes, as_of=as_of, exceptional=(inside,), seed=1) is None


def test_no_drift_without_enough_categories_or_history():
    assert dataset_drift(_wholes(2), as_of=MONTHS[-1], seed=1) is None
    assert dataset_drift(_wholes(4), as_of=MONTHS[40], seed=1) is None  # no year after three years' training


def test_a_year_touching_an_exceptional_period_gives_no_drift():
    lockdown = ExceptionalPeriod(start=MONTHS[64], end=MONTHS[66], label="lockdown")
    assert dataset_drift(_wholes(4), as_of=MONTHS[-1], exceptional=(lockdown,), seed=1) is None
    later = ExceptionalPeriod(start=MONTHS[-1] + pd.DateOffset(months=1), end=MONTHS[-1] + pd.DateOffset(months=3),
                              label="after the origin")
    assert dataset_drift(_wholes(4), as_of=MONTHS[-1], exceptional=(later,), seed=1).year_start == MONTHS[60]


def test_as_of_cuts_the_wholes():
    early = dataset_drift(_wholes(4), as_of=MONTHS[59], seed=1)
    assert early.year_start == MONTHS[48] and abs(early.missed) < 0.08


@settings(max_examples=30, deadline=None)
@given(st.floats(-0.3, 0.3), st.floats(-0.03, 0.03), st.integers(1, 30), st.floats(0.0, 1.0))
def test_shifts_are_the_share_of_a_line_held_after_the_year(intercept, slope, periods, share):
    errors = tuple(intercept + slope * h for h in range(12))
    drift = Drift(errors=errors, categories=5, year_start=MONTHS[0], share=share)
    expected = share * np.array([errors[min(h, 11)] for h in range(periods)])
    assert np.allclose(drift.shifts(periods), expected, atol=1e-9)


def test_the_forecaster_multiplies_each_path_and_says_so():
    y = pd.Series(seasonal_counts(48, level=200.0), index=MONTHS[:48], dtype=float)
    drift = Drift(errors=(0.1,) * 12, categories=5, year_start=MONTHS[36], share=0.5)
    plain = CrimeForecaster(model="seasonal-naive", seed=3).fit(y)
    shifted = CrimeForecaster(model="seasonal-naive", seed=3, drift=drift).fit(y)
    assert np.allclose(shifted.predict(12).paths, np.expm1(np.log1p(plain.predict(12).paths) + 0.05))
    assert any(note.startswith("dataset drift") for note in shifted.notes_)
    small = Drift(errors=(0.004,) * 12, categories=5, year_start=MONTHS[36])
    assert not any("drift" in note for note in CrimeForecaster(model="seasonal-naive", drift=small).fit(y).notes_)


def test_only_the_default_model_with_drift_on_carries_it():
    counts = open_counts(DataSource(data="west-midlands"))
    as_of, wholes = counts["month"].max(), season_references(counts)
    assert drift_of(wholes, as_of, spec=ForecastSpec()).categories >= 3
    assert drift_of(wholes, as_of, spec=ForecastSpec(drift=False)) is None
    ets_on, ets_off = (forecast_panel(counts, spec=ForecastSpec(model="ets", paths=100, drift=drift),
                                      needs=[("robbery", "force")]) for drift in (True, False))
    assert np.array_equal(ets_on.total("robbery", "force"), ets_off.total("robbery", "force"))


def test_no_drift_on_the_command_line(tmp_path):
    def forecast(*extra):
        out = tmp_path / ("off" if extra else "on")
        result = CliRunner().invoke(cli, ["run", "burglary", "--no-backtest", "--no-chart", "--paths", "200",
                                          "--out", str(out), *extra])
        assert result.exit_code == 0, result.output
        return pd.read_csv(out / "burglary-dwelling_force_forecast.csv")

    on, off = forecast(), forecast("--no-drift")
    spec = ForecastSpec(paths=200)
    drift = drift_of(season_references(open_counts(DataSource(data="west-midlands"))), pd.Timestamp("2014-03-01"),
                     spec=spec)
    assert not on.equals(off) and drift is not None
    assert ForecastSpec(drift=False).describe().endswith("drift off") and "drift" not in spec.describe()


def test_a_batch_and_a_sum_say_the_drift_once():
    counts = open_counts(DataSource(data="west-midlands", as_of=pd.Timestamp("2013-09-01")))  # a drift of +0.6%
    run = run_forecasts(counts, category="all", area="force", spec=ForecastSpec(paths=200),
                        options=BacktestOptions(backtest=False))
    said = [note for note in run.batch_notes if "dataset drift" in note]
    assert len(said) == 1 and said[0].startswith("dataset drift: ")
    total = next(r for r in run.reports if r.forecast.category == "total-recorded-crime").forecast
    assert [note for note in total.notes if "dataset drift" in note] == said


def test_the_backtest_says_its_windows_carry_the_drift():
    def backtest(*extra):
        result = CliRunner().invoke(cli, ["backtest", "burglary", "--models", "seasonal-naive", "--paths", "200", *extra])
        assert result.exit_code == 0, result.output
        return result.output

    assert "windows carry the dataset drift" in backtest()
    assert "dataset drift" not in backtest("--no-drift")


def test_a_backtest_measures_each_windows_drift_once_for_every_series(monkeypatch):
    """Measured before the series are scored, and handed to them (to every worker), not measured again in each."""
    import crimecast.forecast.run as run

    counts = open_counts(DataSource(data="west-midlands"))
    measured, read = [], []
    lifted = Drift(errors=(0.1,) * 12, categories=5, year_start=MONTHS[0])
    monkeypatch.setattr(run, "drift_of", lambda wholes, end, *, spec: measured.append(end) or lifted)

    def scored(y, *, drift_at, category, area, **_):
        read.extend(drift_at(y.index[end - 1]) for end in (len(y) - 24, len(y) - 12))
        return pd.DataFrame({"category": [category], "area": [area], "model": ["crimecast"]})

    monkeypatch.setattr(run, "backtest_series", scored)
    report = run.run_backtests(counts, category="robbery", area="all", options=BacktestOptions(windows=2))
    assert measured == [pd.Timestamp("2012-03-01"), pd.Timestamp("2013-03-01")]  # once per origin, not per series
    assert len(read) == 2 * 8 and all(drift is lifted for drift in read)
    assert any("windows carry the dataset drift" in note for note in report.notes)


def test_backtest_windows_carry_the_drift_they_are_given():
    y = pd.Series(seasonal_counts(60, level=200.0), index=MONTHS[:60], dtype=float)
    lifted = Drift(errors=(0.5,) * 12, categories=5, year_start=MONTHS[0], share=1.0)
    plain = backtest_series(y, models=("crimecast", "ets"), windows=1, n_paths=200)
    carried = backtest_series(y, models=("crimecast", "ets"), windows=1, n_paths=200, drift_at=lambda end: lifted)
    by_model = lambda scores: scores.set_index("model")["mase"]  # noqa: E731
    assert by_model(carried)["crimecast"] > by_model(plain)["crimecast"] + 0.5  # every month 65% too high
    assert by_model(carried)["ets"] == by_model(plain)["ets"]  # only the default model carries it


def test_a_year_holding_a_lockdown_says_why_no_drift_is_carried():
    lockdown = ExceptionalPeriod(start=MONTHS[64], end=MONTHS[66], label="lockdown")
    note = passed_over(_wholes(4), as_of=MONTHS[-1], exceptional=(lockdown,))
    assert note == ("no dataset drift carried: the year 2015-04 to 2016-03 holds lockdown, so last year's "
                    "dataset-wide forecast error says nothing about the next.")
    assert passed_over(_wholes(4), as_of=MONTHS[59], exceptional=(lockdown,)) is None  # the year before it
    counts = open_counts(DataSource(data="west-midlands"))
    flood = ExceptionalPeriod(start=pd.Timestamp("2013-06-01"), end=pd.Timestamp("2013-07-01"), label="a flood")
    panel = forecast_panel(counts, spec=ForecastSpec(paths=100, exceptional=(flood,)), needs=[("robbery", "force")])
    said = "no dataset drift carried: the year 2013-04 to 2014-03 holds a flood, so"
    assert any(note.startswith(said) for note in panel.notes)
    assert any(note.startswith(said) for note in panel.result(counts, "robbery", "force").notes)

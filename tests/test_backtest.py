import pandas as pd
import pytest

from crimecast.errors import DataError
from crimecast.forecast.backtest import backtest_origins, backtest_series, lost_to_baseline, summarise
from crimecast.forecast.metrics import METRICS
from tests.conftest import seasonal_counts


def test_three_windows_of_twelve_from_the_end():
    assert backtest_origins(96) == [60, 72, 84]
    assert backtest_origins(40) == [28]


def test_too_short_to_backtest_says_how_long_is_needed():
    y = pd.Series(seasonal_counts(30), index=pd.date_range("2010-01-01", periods=30, freq="MS"))
    with pytest.raises(DataError, match="at least 36 months"):
        backtest_series(y)


def test_too_short_to_backtest_says_how_many_months_are_recorded(write_csv):
    """The library's error counted filled months as data ("30 months is too short"), where the CLI says how many
    are recorded; and said "1 months" of one."""
    from crimecast.data.load import load_counts
    from crimecast.data.series import series_of

    months = [m for m in pd.date_range("2012-01-01", periods=30, freq="MS") if not "2013-03" <= f"{m:%Y-%m}" <= "2013-04"]
    counts = load_counts(write_csv("month,area,category,count\n" + "".join(f"{m:%Y-%m},north,robbery,{20 + m.month}\n"
                                                                            for m in months)))
    with pytest.raises(DataError, match=r"^robbery: 30 months, of which 28 months recorded and 2 missing and "
                                        r"filled in, is too short to backtest; it needs at least 36 months \(24 to "
                                        r"train, 12 to test\)\.$"):
        backtest_series(series_of(counts, category="robbery", area="north"), category="robbery", area="north")
    with pytest.raises(DataError, match=r": 30 months is too short"):  # no periods filled, as given
        backtest_series(series_of(counts, category="robbery", area="north"), category="robbery", area="north", filled=())


def test_no_series_long_enough_to_backtest_says_how_long_they_are(write_csv):
    """`backtest burglary --area merseyside --as-of 2020-06` said "each needs at least 36 months", not that it had 30."""
    from crimecast.data.load import load_counts
    from crimecast.data.series import with_totals
    from crimecast.forecast.run import run_backtests

    rows = [f"{m:%Y-%m},{area},robbery,{20 + i % 12 + (area == 'south')}" for area in ("north", "south")
            for i, m in enumerate(pd.date_range("2012-01-01", periods=30 - 6 * (area == "south"), freq="MS"))]
    counts = with_totals(load_counts(write_csv("month,area,category,count\n" + "\n".join(rows) + "\n"), areas="peers"))
    with pytest.raises(DataError, match=r"at least 36 months; robbery / north has 30 \(2012-01 to 2014-06\)\.$"):
        run_backtests(counts, category="robbery", area="north")
    with pytest.raises(DataError, match=r"at least 36 months; the longest, robbery / north, has 30 \(2012-01 to 2014-06\)"):
        run_backtests(counts, category="robbery", area="all")


@pytest.mark.slow
def test_backtest_scores_every_model_on_every_window():
    y = pd.Series(seasonal_counts(72, level=400), index=pd.date_range("2008-04-01", periods=72, freq="MS"))
    scores = backtest_series(y, models=("crimecast", "ets", "seasonal-naive"), n_paths=300, category="c", area="a")
    assert len(scores) == 9 and set(METRICS) <= set(scores.columns)
    summary = summarise(scores)
    assert set(summary.index) == {"crimecast", "ets", "seasonal-naive"}
    assert (summary["coverage80"].between(0, 100)).all()


def test_lost_to_baseline_names_the_winner():
    scores = pd.DataFrame({"category": "c", "area": "a", "model": ["crimecast", "ets"], "mase": [1.0, 0.8]})
    lost = lost_to_baseline(scores)
    assert lost.iloc[0]["best_model"] == "ets"


def test_quarterly_windows_are_one_year_of_four_quarters():
    from crimecast.data.frequency import QUARTERLY

    assert backtest_origins(32, frequency=QUARTERLY) == [20, 24, 28]
    assert backtest_origins(12, frequency=QUARTERLY) == [8]
    assert backtest_origins(11, frequency=QUARTERLY) == []


def test_quarterly_backtest_scores_four_quarter_windows_with_a_lag_4_mase():
    from tests.conftest import quarterly_series

    y = quarterly_series(24)
    scores = backtest_series(y, models=("seasonal-naive",), n_paths=200)
    assert [f"{o:%Y-%m}" for o in scores["origin"]] == ["2007-04", "2008-04", "2009-04"]
    assert scores["mase"].between(0.2, 3).all()
    with pytest.raises(DataError, match=r"at least 12 quarters \(8 to train, 4 to test\)"):
        backtest_series(y.iloc[:11], models=("seasonal-naive",))


def test_backtest_keeps_exceptional_months_out_of_fitting_but_scores_them():
    from crimecast.data.exceptional import ExceptionalPeriod

    y = pd.Series(seasonal_counts(72, level=400), index=pd.date_range("2008-04-01", periods=72, freq="MS"))
    y.iloc[44:48] = (y.iloc[44:48] * 0.3).round()  # a dip just before the second window
    dip = (ExceptionalPeriod(y.index[44], y.index[47], "dip"),)
    plain = backtest_series(y, models=("ets",), n_paths=200)
    kept_out = backtest_series(y, models=("ets",), n_paths=200, exceptional=dip)
    assert len(kept_out) == 3 and kept_out["mase"].iloc[1] < plain["mase"].iloc[1]


def test_lost_to_baseline_skips_series_no_model_could_be_scored_on():
    # an almost all-zero series (London's airports burglary) has no in-sample seasonal-naive error, so every
    # model's MASE is NaN: no baseline "won" there, and a batch must not crash (pandas 3 raises on idxmin)
    nan = float("nan")
    scores = pd.DataFrame({"category": "c", "area": ["a", "a", "b", "b"], "model": ["crimecast", "ets"] * 2,
                           "mase": [nan, nan, 1.0, 0.8]})
    lost = lost_to_baseline(scores)
    assert list(lost["area"]) == ["b"] and list(lost["best_model"]) == ["ets"]

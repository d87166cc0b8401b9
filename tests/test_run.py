"""crimecast.forecast.run: the data `forecast run` reads, opened by one library function (open_run_data)."""

from __future__ import annotations

import pytest

from crimecast.data.sources import DataSource
from crimecast.errors import DataError, UsageError
from crimecast.forecast.run import RunReport, SeriesFailure, open_run_data


def test_open_run_data_reads_the_counts_and_the_area_run_forecasts(small_csv):
    one = open_run_data(DataSource(data=str(small_csv)), category="burglary")
    assert (one.asked, one.area, one.rates, one.save) == (None, "force", None, None)  # force-wide by default
    assert set(one.counts["area"]) >= {"north", "south", "force"}
    every = open_run_data(DataSource(data=str(small_csv)), category="all")
    assert every.area == "all"  # every category: in every area
    named = open_run_data(DataSource(data=str(small_csv)), category="robbery", area="north")
    assert (named.asked, named.area) == ("north", "north")


def test_open_run_data_refuses_a_name_the_data_does_not_hold_and_a_bad_save_name_before_reading(small_csv, tmp_path):
    with pytest.raises(DataError, match="burglery"):
        open_run_data(DataSource(data=str(small_csv)), category="burglery")
    with pytest.raises(UsageError, match="not a usable forecast name"):  # before the data: no "no such file"
        open_run_data(DataSource(data=str(tmp_path / "missing.csv")), category="burglary", save="bad/name")


def test_a_rate_series_to_be_saved_is_refused_by_open_run_data():
    with pytest.raises(UsageError, match="'satisfaction-crime' is a rate series; --save keeps forecasts of counts only"):
        open_run_data(DataSource(), category="satisfaction-crime", save="s")


def test_a_rate_series_comes_with_its_rates_and_the_area_as_given():
    data = open_run_data(DataSource(), category="satisfaction-crime")
    assert data.rates is not None and data.area is None and data.asked is None


def test_keep_saves_nothing_when_a_series_failed(small_csv, tmp_path):
    store = tmp_path / "store.duckdb"
    data = open_run_data(DataSource(data=str(small_csv), store=str(store)), category="all", save="s")
    assert data.store == str(store)
    failed = RunReport(reports=[], failures=[SeriesFailure(category="burglary", area="north", reason="x")],
                       panel=object())
    assert data.keep(failed) is None and not store.exists()


def test_a_series_too_short_to_backtest_says_how_many_of_its_months_are_recorded(write_csv):
    """Two street files a year apart, read with --max-gap 14: `backtest` said "burglary / city has 16 (2019-01 to
    2020-04)" and `run` "16 months is too short to backtest", counting the 14 months missing and filled in."""
    from crimecast.data.sources import open_counts
    from crimecast.forecast.run import check_backtest, run_forecasts
    from crimecast.forecast.spec import forecast_spec

    path = write_csv("month,area,category,count\n2019-01,city,burglary,24\n2020-04,city,burglary,29\n")
    counts = open_counts(DataSource(data=str(path), max_gap=14))
    with pytest.raises(DataError, match=r"burglary / city has 16 \(2019-01 to 2020-04\), of which 2 recorded and 14 "
                                        r"missing and filled in\.$"):
        check_backtest(counts, category="burglary", area="city")
    report = run_forecasts(counts, category="burglary", area="city", spec=forecast_spec(paths=200)).reports[0]
    assert ("16 months, of which 2 months recorded and 14 missing and filled in, is too short to backtest (36 "
            "needed); accuracy is unmeasured.") in report.notes


def test_keep_without_a_save_name_keeps_nothing(small_csv, tmp_path):
    """RunData says ``save=None``: not kept; ``keep`` passed ``name=None`` on to save_panel."""
    store = tmp_path / "store.duckdb"
    data = open_run_data(DataSource(data=str(small_csv), store=str(store)), category="all")
    assert data.keep(RunReport(reports=[], failures=[], panel=object())) is None and not store.exists()


def test_a_series_one_period_short_of_the_windows_asked_for_says_one_month():
    """'3 one-year windows need 60 (1 months more)'."""
    import pandas as pd

    from crimecast.data.frequency import MONTHLY
    from crimecast.forecast.run import _fewer_windows

    y = pd.Series(range(59), index=pd.date_range("2015-01-01", periods=59, freq="MS"), dtype=float)
    note = _fewer_windows([("burglary", "north", y)], windows=3, frequency=MONTHLY)
    assert note == ["only 2 of the 3 backtest windows asked for (--windows) fit: burglary / north has 59 months, and "
                    "3 one-year windows need 60 (1 month more). Scores from fewer windows say less about accuracy."]

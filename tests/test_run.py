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

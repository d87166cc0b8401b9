"""The peer comparison: counts, E-tests, rates, ranks and funnel limits (library level)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimecast.data.load import load_counts
from crimecast.data.population import load_population
from crimecast.data.series import series_of, with_totals
from crimecast.errors import DataError, UsageError
from crimecast.forecast.compare import compare_areas, funnel_limits, peer_names
from crimecast.forecast.significance import poisson_e_test


@pytest.fixture(scope="module")
def counts():
    return with_totals(load_counts("west-midlands"))


@pytest.fixture
def population(write_csv):
    return load_population(write_csv("area,population,year\nbirmingham,1000000,2011\ncoventry,300000,2011\n"
                                     "dudley,310000,2011\n", name="population.csv"))


def test_counts_changes_and_rates_come_from_the_years_in_the_data(counts, population):
    result = compare_areas(counts, category="robbery", focus="birmingham", peers=["coventry", "dudley"], year="2012/13",
                           population=population)
    y = series_of(counts, category="robbery", area="coventry")
    coventry = next(a for a in result.areas if a.area == "coventry")
    assert coventry.count == y["2012-04":"2013-03"].sum() and coventry.previous == y["2011-04":"2012-03"].sum()
    assert coventry.test == poisson_e_test(coventry.count, coventry.previous)
    assert coventry.rate == pytest.approx(coventry.count / 300_000 * 1000)
    assert result.group_rate == pytest.approx(sum(a.count for a in result.areas) / 1_610_000 * 1000)
    rates = {a.area: a.rate for a in result.areas}
    assert [a.area for a in sorted(result.areas, key=lambda a: a.rank)] == sorted(rates, key=rates.get)
    assert result.areas[0].area == "birmingham" and result.peers == ["coventry", "dudley"]


def test_without_population_counts_only_ranked_by_change(counts):
    result = compare_areas(counts, category="robbery", focus="birmingham", peers=["coventry"], year="2012/13")
    assert not result.has_rates and result.funnel is None and "no population file" in result.notes[0]
    changes = {a.area: a.test.change for a in result.areas}
    assert {a.area: a.rank for a in result.areas} == {a: i + 1 for i, a in enumerate(sorted(changes, key=changes.get))}


def test_unknown_peer_gets_a_suggestion(counts):
    with pytest.raises(DataError, match="unknown area 'coventri'.*Did you mean 'coventry'"):
        compare_areas(counts, category="robbery", focus="birmingham", peers=["coventri"])


def test_year_not_in_the_data(counts):
    with pytest.raises(DataError, match="2020/21 is not fully in the data"):
        compare_areas(counts, category="robbery", focus="birmingham", peers=["coventry"], year="2020/21")


def test_a_year_whose_year_before_is_not_in_the_data_is_named_with_the_years_that_can_be(counts):
    # the embedded data runs 2006-04 to 2014-03: 2006/07 has no year before it to be compared with
    with pytest.raises(DataError, match=r"2006/07 is compared with 2005/06, which is not fully in the data \(2006-04 to "
                                        r"2014-03\): the years that can be compared are 2007/08 to 2013/14"):
        compare_areas(counts, category="robbery", focus="birmingham", peers=["coventry"], year="2006/07")


def test_a_year_outside_quarterly_data_names_its_span_in_quarters():
    from tests.conftest import quarterly_demo

    with pytest.raises(DataError, match=r"2030/31 is not fully in the data \(2006/07 Q1 to 2013/14 Q4\): the years "
                                        r"that can be compared are 2007/08 to 2013/14"):  # was "(2006-04 to 2014-01)"
        compare_areas(quarterly_demo(), category="robbery", focus="birmingham", peers=["coventry"], year="2030/31")


def test_population_file_missing_a_peer(counts, population):
    with pytest.raises(DataError, match="no population for 'walsall'"):
        compare_areas(counts, category="robbery", focus="birmingham", peers=["walsall"], population=population)


def test_focus_among_its_peers_and_no_peers_are_refused(counts):
    with pytest.raises(UsageError, match="both the area compared and one of its peers"):
        compare_areas(counts, category="robbery", focus="birmingham", peers=["birmingham"])
    with pytest.raises(UsageError, match="--peers a,b,c or --peer-group FILE"):
        peer_names(None, None)


def test_peer_group_file(write_csv):
    path = write_csv("area\n# the most similar forces\ngreater-manchester\nMerseyside\n", name="peers.csv")
    assert peer_names(None, path) == ["greater-manchester", "merseyside"]


@settings(max_examples=40, deadline=None)
@given(rate=st.floats(1, 200), small=st.floats(1e4, 1e6), factor=st.floats(1.5, 20))
def test_funnel_limits_hold_the_group_rate_and_narrow_with_size(rate, small, factor):
    frame = funnel_limits(rate, np.array([small, small * factor]))
    assert (frame["lo998"] <= frame["lo95"]).all() and (frame["hi95"] <= frame["hi998"]).all()
    assert (frame["lo95"] <= rate + 1e-9).all() and (frame["hi95"] >= rate - 1e-9).all()
    width = frame["hi998"] - frame["lo998"]
    assert width.iloc[1] <= width.iloc[0] + 1e-9


# ---------------------------------------------------------------- the forecast column: the year after the one compared

def _quick_spec():
    from crimecast.forecast.spec import ForecastSpec

    return ForecastSpec(model="seasonal-naive", paths=100)


def test_a_past_year_gets_no_forecast_and_fits_nothing(counts, monkeypatch):
    """2012/13 with data to 2014-03: the year after it (2013/14) is complete, so no forecast is fitted, and a note says why."""
    import crimecast.forecast.panel as panel
    from crimecast.forecast.compare import forecast_horizon

    def no_fit(*args, **kwargs):
        raise AssertionError("a past year must not fit forecasts")

    monkeypatch.setattr(panel, "forecast_panel", no_fit)
    assert forecast_horizon(counts, 2012) == 0 and forecast_horizon(counts, 2013) == 12
    result = compare_areas(counts, category="robbery", focus="birmingham", peers=["coventry"], year="2012/13",
                           forecast=_quick_spec())
    assert all(a.forecast is None for a in result.areas)
    assert any(n.startswith("no forecast: 2012/13 is a past year (2013/14, the year after it, is complete")
               for n in result.notes)
    assert "forecast_mean" not in result.table().columns


def test_the_latest_year_gets_the_forecast_of_the_year_after_it(counts):
    result = compare_areas(counts, category="robbery", focus="birmingham", peers=["coventry"], year="2013/14",
                           forecast=_quick_spec())
    assert {a.forecast["financial_year"] for a in result.areas} == {"2014/15"}
    assert all(a.forecast["months_forecast"] == 12 for a in result.areas)
    assert not any(n.startswith(("no forecast", "forecast 2014/15")) for n in result.notes)


def test_a_year_under_way_is_forecast_with_its_observed_months_actual(counts):
    """Data to 2013-09: 2012/13 is the latest full year, and the forecast is of 2013/14, six months of it observed."""
    known = counts[counts["month"] <= "2013-09-01"].reset_index(drop=True)
    known.attrs.update(counts.attrs)
    result = compare_areas(known, category="robbery", focus="birmingham", peers=["coventry"], forecast=_quick_spec())
    assert result.year == "2012/13"
    birmingham = result.areas[0]
    assert birmingham.forecast["financial_year"] == "2013/14" and birmingham.forecast["months_forecast"] == 6
    observed = series_of(known, category="robbery", area="birmingham")["2013-04":"2013-09"].sum()
    assert birmingham.forecast["lo80"] > observed  # the observed half counted as actual, the rest added
    assert "forecast 2013/14: the year after the one compared, under way in the data: 6 months observed, 6 forecast." \
        in result.notes

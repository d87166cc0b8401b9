"""The illustrative dataset meets every calibration target it claims (report-facts.md)."""

import numpy as np
import pandas as pd
import pytest

from crimecast.data.calendar import financial_year_of
from crimecast.data.demo import generate, load_assumptions
from crimecast.data.load import load_counts
from crimecast.data.series import series_of, with_totals


@pytest.fixture(scope="module")
def counts():
    return with_totals(load_counts("west-midlands"))


def force(counts, category):
    return series_of(counts, category=category, area="force")


def year_total(series, label):
    return series[[financial_year_of(m) == label for m in series.index]].sum()


def change(series):
    return year_total(series, "2013/14") / year_total(series, "2012/13") - 1


def test_period_and_categories(counts):
    assert counts["month"].min() == pd.Timestamp("2006-04-01") and counts["month"].max() == pd.Timestamp("2014-03-01")
    for slug in ["burglary-dwelling", "burglary-other", "violence-with-injury", "violence-without-injury", "robbery",
                 "vehicle-crime", "shoplifting", "theft-other", "criminal-damage", "total-recorded-crime"]:
        assert slug in set(counts["category"])


def test_burglary_dwelling_down_6_1_percent_with_winter_peak(counts):
    bdh = force(counts, "burglary-dwelling")
    assert change(bdh) == pytest.approx(-0.061, abs=0.001)
    year = bdh["2013-04":"2014-03"]
    for month in ("2013-10", "2013-11", "2013-12", "2014-01"):
        assert year[month].iloc[0] > year.mean()


def test_violence_with_injury_up_8_7_percent_with_july_spike(counts):
    vwi = force(counts, "violence-with-injury")
    assert change(vwi) == pytest.approx(0.087, abs=0.001)
    neighbours = vwi[["2013-06-01", "2013-08-01"]].mean()
    assert vwi["2013-07-01"] > 1.15 * neighbours


def test_domestic_share_rises_from_30_to_36_percent(counts):
    domestic = load_counts("west-midlands-domestic-abuse").groupby("month")["count"].sum()
    vwi = force(counts, "violence-with-injury")
    share = domestic / vwi.reindex(domestic.index)
    assert share["2012-04":"2013-03"].mean() == pytest.approx(0.30, abs=0.01)
    assert share["2014-01":"2014-03"].mean() == pytest.approx(0.36 - 0.01, abs=0.015)


def test_vehicle_crime_steps_down_from_december_2012_to_1841_a_month(counts):
    vehicle = force(counts, "vehicle-crime")
    assert vehicle["2013-04":"2014-03"].mean() == pytest.approx(1841, rel=0.005)
    assert vehicle["2012-12":"2014-03"].mean() < 0.95 * vehicle["2012-04":"2012-11"].mean()


def test_shoplifting_up_15_7_percent_after_november_2012_step(counts):
    shop = force(counts, "shoplifting")
    assert change(shop) == pytest.approx(0.157, abs=0.001)
    assert shop["2012-11":"2014-03"].mean() > 1.2 * shop["2012-04":"2012-10"].mean()


def test_total_recorded_crime_14381_a_month_and_up_2_3_percent(counts):
    total = force(counts, "total-recorded-crime")
    assert total["2013-04":"2014-03"].mean() == pytest.approx(14381, abs=2)
    assert change(total) == pytest.approx(0.023, abs=0.0005)


def test_districts_follow_population(counts):
    totals = counts[(counts["category"] == "total-recorded-crime") & (counts["area"] != "force")].groupby("area")["count"].sum()
    assert totals.idxmax() == "birmingham" and totals.idxmin() == "solihull"
    population = pd.Series({k: v["population"] for k, v in load_assumptions()["districts"].items()})
    assert np.corrcoef(totals[population.index], population)[0, 1] > 0.95


def test_generator_reproduces_the_committed_file_exactly():
    generated, _ = generate()
    committed = load_counts("west-midlands")
    merged = committed.merge(generated, on=["month", "area", "category"], suffixes=("", "_new"))
    assert len(merged) == len(committed) == len(generated)
    assert (merged["count"] == merged["count_new"]).all()

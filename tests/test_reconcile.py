"""Coherent totals: bottom series, rest of the force, paths paired by correlation."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimecast.data.load import load_counts
from crimecast.data.series import series_of, with_totals
from crimecast.forecast.reconcile import (AREA_CORRELATION_FLOOR, REST_OF_FORCE, CoherentPaths, bottom_history, bottom_keys,
                                          correlate_paths, _sum_of, history_correlation, pair_paths)

MONTHS = pd.date_range("2014-04-01", periods=12, freq="MS")


def paths_for(keys, seed=0, n=200):
    rng = np.random.default_rng(seed)
    return CoherentPaths(months=MONTHS, bottom={k: rng.gamma(5, 20, size=(n, 12)) for k in keys})


def test_bottom_keys_split_only_named_categories():
    keys = bottom_keys(["burglary", "robbery"], {"burglary": ["walsall", "dudley"]}, ["dudley", "solihull", "walsall"])
    assert keys == [("burglary", "dudley"), ("burglary", "walsall"), ("burglary", REST_OF_FORCE), ("robbery", "force")]


def test_no_rest_when_every_district_is_named():
    assert bottom_keys(["b"], {"b": ["x", "y"]}, ["x", "y"]) == [("b", "x"), ("b", "y")]


def test_totals_are_sums_of_parts_and_unavailable_districts_say_so():
    paths = paths_for([("burglary", "walsall"), ("burglary", REST_OF_FORCE), ("robbery", "force")])
    burglary = paths.total("burglary", "force")
    assert np.array_equal(burglary, paths.bottom[("burglary", "walsall")] + paths.bottom[("burglary", REST_OF_FORCE)])
    assert np.allclose(paths.total("total-recorded-crime", "force"), burglary + paths.bottom[("robbery", "force")])
    assert paths.keys_for("robbery", "walsall") is None and paths.keys_for("total-recorded-crime", "walsall") is None
    with pytest.raises(KeyError):
        paths.total("robbery", "walsall")


def test_rest_of_force_is_force_less_named_districts():
    counts = with_totals(load_counts("west-midlands"))
    rest = bottom_history(counts, ("robbery", REST_OF_FORCE), named=["birmingham", "walsall"])
    parts = sum(series_of(counts, category="robbery", area=a) for a in ("coventry", "dudley", "sandwell", "solihull", "wolverhampton"))
    assert np.array_equal(rest.to_numpy(), parts.to_numpy())


@settings(max_examples=30, deadline=None)
@given(st.floats(-0.9, 0.9), st.integers(0, 1000))
def test_correlate_paths_keeps_each_series_paths_and_pairs_them(rho, seed):
    paths = [paths_for([("a", "force")], seed=1).bottom[("a", "force")], paths_for([("b", "force")], seed=2).bottom[("b", "force")]]
    corr = np.array([[1.0, rho], [rho, 1.0]])
    paired = correlate_paths(paths, corr, seed=seed)
    for before, after in zip(paths, paired):  # the same set of paths, reordered whole
        assert np.array_equal(np.sort(before, axis=0), np.sort(after, axis=0))
        assert {tuple(r) for r in before} == {tuple(r) for r in after}


def test_correlate_paths_induces_the_rank_correlation():
    a = np.random.default_rng(0).gamma(5, 20, size=(4000, 12))
    b = np.random.default_rng(1).gamma(5, 20, size=(4000, 12))
    paired = correlate_paths([a, b], np.array([[1, 0.7], [0.7, 1]]), seed=3)
    totals = [p.sum(axis=1) for p in paired]
    ranks = [pd.Series(t).rank() for t in totals]
    assert np.corrcoef(ranks)[0, 1] == pytest.approx(0.68, abs=0.05)
    wider = (totals[0] + totals[1]).std() > (a.sum(axis=1) + b.sum(axis=1)).std()
    assert wider  # positively correlated parts make the total less certain than independent ones


def test_history_correlation_is_a_shrunk_correlation_matrix():
    t = np.arange(96)
    rng = np.random.default_rng(0)
    common = np.cumsum(rng.normal(0, 0.05, 96))
    index = pd.date_range("2006-04-01", periods=96, freq="MS")
    one = pd.Series(np.exp(5 + common + rng.normal(0, 0.02, 96)), index=index)
    two = pd.Series(np.exp(4 + common + rng.normal(0, 0.02, 96) + 0 * t), index=index)
    corr = history_correlation([one, two])
    assert corr.shape == (2, 2) and np.allclose(np.diag(corr), 1)
    assert 0.3 < corr[0, 1] <= 0.7 + 1e-9  # strongly related, shrunk by 30% towards independence


def test_history_correlation_survives_a_series_that_never_changes():
    index = pd.date_range("2010-04-01", periods=60, freq="MS")
    flat = pd.Series(3.0, index=index)
    moving = pd.Series(np.linspace(100, 200, 60), index=index)
    corr = history_correlation([flat, moving])
    assert np.allclose(corr, np.eye(2))


def test_history_correlation_of_quarterly_series_uses_same_quarter_last_year_changes():
    index = pd.date_range("2004-04-01", periods=40, freq="QS-JAN")
    rng = np.random.default_rng(5)
    common = np.cumsum(rng.normal(0, 0.05, 40))
    season = np.tile([1.0, 1.1, 1.3, 0.9], 10)  # a strong cycle that lag-4 changes remove
    a = pd.Series(np.round(1000 * season * np.exp(common)), index=index)
    b = pd.Series(np.round(500 * season * np.exp(common + rng.normal(0, 0.01, 40))), index=index)
    noise = pd.Series(np.round(800 * season * np.exp(rng.normal(0, 0.05, 40))), index=index)
    corr = history_correlation([a, b, noise])
    assert corr[0, 1] > 0.6 and abs(corr[0, 2]) < 0.5


def _area_panel():
    """Paths and histories of x and y (in the total) and z (not) in areas a and b, all moving together."""
    index = pd.date_range("2008-04-01", periods=72, freq="MS")
    rng = np.random.default_rng(4)
    common = np.cumsum(rng.normal(0, 0.05, 72))
    keys = [(c, a) for c in ("x", "y", "z") for a in ("a", "b")]
    histories = {k: pd.Series(np.exp(5 + common + rng.normal(0, 0.02, 72)), index=index) for k in keys}
    return paths_for(keys, seed=9).bottom, histories


def _seed_of(category, area):
    return len(category) * 1000 + len(area)


@pytest.mark.parametrize("summed", [False, True])
def test_an_areas_total_is_paired_from_its_own_parts_alone(summed):
    paths, histories = _area_panel()
    paired = pair_paths(paths, histories, total_categories=("x", "y"), summed=summed, seed_of=_seed_of)
    own = [("x", "a"), ("y", "a")]
    alone = pair_paths({k: paths[k] for k in own}, {k: histories[k] for k in own}, total_categories=("x", "y"),
                       summed=summed, seed_of=_seed_of)
    total, total_alone = (sum(p[k] for k in own) for p in (paired, alone))
    assert {tuple(r) for r in total} == {tuple(r) for r in total_alone}  # the same paths of a's total
    if not summed:  # peers: row for row, and z (in no total) untouched
        np.testing.assert_array_equal(total, total_alone)
        assert all(np.array_equal(paired[("z", a)], paths[("z", a)]) for a in ("a", "b"))
    else:  # districts: the areas' totals, and z's parts, move together
        totals = [sum(paired[(c, a)] for c in ("x", "y")).sum(axis=1) for a in ("a", "b")]
        assert np.corrcoef(totals)[0, 1] > 0.3
        assert np.corrcoef([paired[("z", a)].sum(axis=1) for a in ("a", "b")])[0, 1] > 0.3


def test_an_areas_sum_keeps_the_periods_of_a_category_recorded_from_later():
    early = pd.Series([10.0, 20.0, 30.0, 40.0], index=pd.date_range("2012-04-01", periods=4, freq="MS"))
    late = pd.Series([1.0, 2.0], index=pd.date_range("2012-06-01", periods=2, freq="MS"))  # recorded from June
    total = _sum_of([late, early])
    assert list(total.index) == list(early.index)  # not cut to the two months both have
    assert total.tolist() == [10.0, 20.0, 31.0, 42.0]  # before June the late category adds 0


def _rank_correlations(totals):
    ranks = np.argsort(np.argsort(np.asarray(totals), axis=1), axis=1)
    corr = np.corrcoef(ranks)
    return corr[np.triu_indices(len(totals), 1)]


def test_districts_whose_histories_moved_apart_still_have_year_totals_paired_together():
    """A force-wide surprise moves every district's year at once, however apart their month-by-month histories moved
    (bench/RESULTS.md, sum-calibration): districts of one force are paired at least AREA_CORRELATION_FLOOR together,
    peers not."""
    index = pd.date_range("2008-04-01", periods=72, freq="MS")
    rng = np.random.default_rng(5)
    keys = [("x", a) for a in ("a", "b", "c", "d")]
    histories = {k: pd.Series(np.exp(5 + rng.normal(0, 0.1, 72)), index=index) for k in keys}  # no common movement
    paths = paths_for(keys, seed=9, n=2000).bottom
    districts = pair_paths(paths, histories, total_categories=None, summed=True, seed_of=_seed_of)
    paired = _rank_correlations([districts[k].sum(axis=1) for k in keys])  # ranks of normals at 0.3: about 0.29
    assert paired.min() > 0.2 and paired.mean() > 0.25
    floored = history_correlation([histories[k] for k in keys], floor=AREA_CORRELATION_FLOOR)
    assert np.allclose(np.diag(floored), 1) and floored[np.triu_indices(4, 1)].min() >= AREA_CORRELATION_FLOOR - 1e-9
    assert np.abs(history_correlation([histories[k] for k in keys])[np.triu_indices(4, 1)]).max() < 0.2  # as estimated
    short = [h.iloc[:20] for h in histories.values()]  # too short to estimate: independent, or the floor
    assert np.allclose(history_correlation(short), np.eye(4))
    assert np.allclose(history_correlation(short, floor=0.3)[np.triu_indices(4, 1)], 0.3)

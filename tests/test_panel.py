"""The coherent panel: only the series a request needs, forecast once; totals are sums of parts, path by path."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from crimecast.data.sources import DataSource, open_counts
from crimecast.errors import DataError
from crimecast.forecast.panel import forecast_panel, panel_keys, series_seed
from crimecast.forecast.reconcile import REST_OF_FORCE
from crimecast.forecast.spec import ForecastSpec

SPEC = ForecastSpec(model="seasonal-naive", paths=100)


@pytest.fixture(scope="module")
def counts():
    return open_counts(DataSource(data="west-midlands"))


def test_only_the_series_asked_for_are_forecast(counts):
    assert panel_keys(counts, [("burglary-dwelling", "force")]) == ([("burglary-dwelling", "force")], {})
    assert panel_keys(counts, [("robbery", "walsall")]) == ([("robbery", "walsall")], {})
    keys, split = panel_keys(counts, [("robbery", "walsall"), ("robbery", "force")])
    assert keys == [("robbery", "walsall"), ("robbery", REST_OF_FORCE)] and split == {"robbery": ["walsall"]}
    total, _ = panel_keys(counts, [("total-recorded-crime", "force")])
    assert len(total) == 10 and all(area == "force" for _, area in total)


def test_totals_are_sums_of_parts_path_by_path(counts):
    panel = forecast_panel(counts, spec=SPEC, needs=[("robbery", "walsall"), ("robbery", "force"),
                                                     ("total-recorded-crime", "force")])
    parts = panel.total("robbery", "walsall") + panel.total("robbery", REST_OF_FORCE)
    assert np.array_equal(panel.total("robbery", "force"), parts)
    categories = {c for c, _ in panel.paths.bottom}
    assert np.allclose(panel.total("total-recorded-crime", "force"),
                       sum(panel.total(c, "force") for c in categories))
    assert panel.has("robbery", "walsall") and not panel.has("robbery", "dudley")


def test_a_series_gets_the_same_paths_whichever_request_asks_for_it(counts):
    alone = forecast_panel(counts, spec=SPEC, needs=[("robbery", "force")])
    among = forecast_panel(counts, spec=SPEC, needs=[("total-recorded-crime", "force")])
    # pairing reorders whole paths; the set of paths of the series is unchanged
    assert np.array_equal(np.sort(alone.total("robbery", "force"), axis=0), np.sort(among.total("robbery", "force"), axis=0))


def test_a_panel_refuses_a_request_it_cannot_serve(counts):
    panel = forecast_panel(counts, spec=SPEC, needs=[("robbery", "walsall")])
    with pytest.raises(DataError, match="lacks robbery / force"):
        panel.for_request([("robbery", "force")], as_of=panel.as_of, periods=12, what="this")
    with pytest.raises(DataError, match="--horizon 13"):
        panel.for_request([("robbery", "walsall")], as_of=panel.as_of, periods=13, what="this")
    assert panel.for_request([("robbery", "walsall")], as_of=panel.as_of, periods=6, what="this").months.size == 6


@settings(max_examples=30, deadline=None)
@given(needs=st.lists(st.tuples(st.sampled_from(["robbery", "shoplifting", "total-recorded-crime"]),
                                st.sampled_from(["force", "walsall", "dudley"])), min_size=1, max_size=5))
def test_every_series_asked_for_can_be_read_off_the_bottom_series(counts, needs):
    keys, split = panel_keys(counts, needs)
    from crimecast.forecast.reconcile import CoherentPaths
    from crimecast.forecast.panel import districts_of, total_categories

    paths = CoherentPaths(months=counts["month"].unique()[:1], bottom={k: np.zeros((1, 1)) for k in keys},
                          total_categories=total_categories(counts), districts=districts_of(counts))
    assert all(paths.keys_for(*need) is not None for need in needs)
    assert len(set(keys)) == len(keys)


def test_series_seeds_differ_by_series_and_follow_the_seed():
    assert series_seed(1, ("a", "b")) != series_seed(1, ("a", "c")) and series_seed(2, ("a", "b")) == series_seed(1, ("a", "b")) + 1


def test_one_force_taken_out_of_several_gets_the_paths_it_has_among_them(tmp_path):
    from crimecast.data.imports import import_data
    from tests.builders import street_archive

    store = str(tmp_path / "s.duckdb")
    import_data("police-uk", [street_archive(tmp_path)], name="north", store=store)
    both = open_counts(DataSource(dataset="north", store=store))
    one = open_counts(DataSource(dataset="north", store=store, within="merseyside"))
    spec = ForecastSpec(model="seasonal-naive", paths=100, steps=False)
    among = forecast_panel(both, spec=spec, needs=[("burglary", "merseyside")], horizon=3)
    alone = forecast_panel(one, spec=spec, needs=[("burglary", "force")], horizon=3)
    assert np.array_equal(among.total("burglary", "merseyside"), alone.total("burglary", "force"))


def test_a_quarterly_forecast_that_cannot_serve_names_its_quarters_and_the_as_of_by_its_last_month(tmp_path):
    from crimecast.data.imports import import_data
    from tests.builders import home_office_text

    source = tmp_path / "ho.csv"
    source.write_text(home_office_text(quarters=20), encoding="utf-8")
    store = str(tmp_path / "s.duckdb")
    import_data("home-office", [source], name="forces", store=store)
    counts = open_counts(DataSource(dataset="forces", store=store, within="merseyside"))
    panel = forecast_panel(counts, spec=SPEC, needs=[("robbery", "force")])  # data to 2016/17 Q4, ending 2017-03
    with pytest.raises(DataError, match=r"from the data to 2017-03 but the plan needs a forecast from the data to "
                                        r"2016-12\. .*--as-of 2016-12"):
        panel.for_request([("robbery", "force")], as_of=panel.as_of - pd.DateOffset(months=3), periods=4, what="the plan")
    with pytest.raises(DataError, match=r"covers 2017/18 Q1 to 2017/18 Q4, but the plan needs 8 quarters from 2017/18 Q1\. "
                                        r".*`forecast run all --area all --as-of 2017-03 "
                                        r"--horizon 8 --save NAME`"):
        panel.for_request([("robbery", "force")], as_of=panel.as_of, periods=8, what="the plan")
    short = forecast_panel(counts, spec=SPEC, needs=[("robbery", "force")], horizon=2)  # too few periods to see the spacing
    assert short.frequency.name == "quarter"
    with pytest.raises(DataError, match=r"covers 2017/18 Q1 to 2017/18 Q2, but the plan needs 4 quarters"):
        short.for_request([("robbery", "force")], as_of=short.as_of, periods=4, what="the plan")


def test_every_forecast_and_backtest_of_a_district_pools_with_its_force(counts, monkeypatch):
    """The panel, and the backtests beside it and alone, give each series its category's force-wide reference."""
    import crimecast.forecast.backtest as backtest_module
    import crimecast.forecast.panel as panel_module
    from crimecast.forecast.models import CrimeForecaster
    from crimecast.forecast.run import BacktestOptions, run_backtests, run_forecasts

    seen = []

    class Spy(CrimeForecaster):
        def fit(self, y, **kwargs):
            seen.append((y.name, self.seasonal_reference))
            return super().fit(y, **kwargs)

    monkeypatch.setattr(panel_module, "CrimeForecaster", Spy)
    monkeypatch.setattr(backtest_module, "CrimeForecaster", Spy)
    force = counts[(counts["category"] == "robbery") & (counts["area"] == "force")].set_index("month")["count"]
    options = BacktestOptions(models=(), windows=1)
    run_forecasts(counts, category="robbery", area="walsall,force", spec=SPEC, options=options)
    run_backtests(counts, category="robbery", area="dudley", spec=SPEC, options=options)
    assert len(seen) >= 4  # the two bottom series, the backtest beside one, the backtest alone
    for _, reference in seen:
        assert reference is not None and reference.tolist() == force.astype(float).tolist()


def test_a_note_several_series_share_is_given_once_naming_them():
    from crimecast.forecast.panel import series_notes_once

    shared = "3 exceptional months (lockdown-1 of the covid-uk calendar) kept out of fitting."
    notes = [(("burglary", "force"), shared), (("robbery", "force"), shared), (("drugs", "force"), shared),
             (("theft", "force"), shared), (("robbery", "force"), "a short series.")]
    assert series_notes_once(notes) == [f"4 series (burglary / force, robbery / force, drugs / force ...): {shared}",
                                        "robbery / force: a short series."]
    assert series_notes_once([(("burglary", "north"), shared)]) == [f"burglary / north: {shared}"]


def _peers_with_a_stopped_category(tmp_path):
    """Two forces x two categories, 48 months; fraud in kent stops 24 months before the data ends (as the Home
    Office's fraud stops after 2012/13)."""
    months = pd.date_range("2010-04-01", periods=48, freq="MS")
    rows = [(m, force, category, 100 + i % 12) for force in ("kent", "essex") for category in ("fraud", "theft")
            for i, m in enumerate(months) if not (force == "kent" and category == "fraud" and i >= 24)]
    path = tmp_path / "forces.csv"
    pd.DataFrame(rows, columns=["month", "force", "category", "count"]).assign(
        month=lambda t: t["month"].dt.strftime("%Y-%m")).to_csv(path, index=False)
    return open_counts(DataSource(data=str(path)))


def test_a_series_that_stopped_is_not_forecast_from_its_last_count_and_adds_zero_to_its_total(tmp_path):
    counts = _peers_with_a_stopped_category(tmp_path)
    with pytest.raises(DataError, match=r"fraud / kent: its counts stop at 2012-03, 24 months before the data used "
                                        r"ends \(2014-03\).*already past, so it is not forecast"):
        forecast_panel(counts, spec=SPEC, needs=[("fraud", "kent")])
    panel = forecast_panel(counts, spec=SPEC, needs=[("total-recorded-crime", "kent")])
    assert not panel.failures and any(note.startswith("1 series stops before the data used ends (fraud / kent (to 2012-03)): it is not forecast and adds 0") for note in panel.notes)
    np.testing.assert_array_equal(panel.total("total-recorded-crime", "kent"), panel.total("theft", "kent"))
    assert panel.months[0] == pd.Timestamp("2014-04-01")
    batch = forecast_panel(counts, spec=SPEC, needs=[("fraud", "kent"), ("total-recorded-crime", "kent")], keep_going=True)
    assert list(batch.failures) == [("fraud", "kent")] and batch.has("total-recorded-crime", "kent")


def test_a_district_that_never_recorded_a_category_adds_zero_to_its_total_and_the_force(tmp_path):
    # London's airports have no fraud-and-forgery rows: `forecast run all` (every category in every district)
    # stopped with "no counts for fraud-and-forgery in london-heathrow-and-london-city-airports"
    months = pd.date_range("2010-04-01", periods=48, freq="MS")
    rows = [(m, area, category, 100 + i % 12 + 10 * (area == "north")) for area in ("north", "airport")
            for category in ("fraud", "theft") for i, m in enumerate(months) if not (area == "airport" and category == "fraud")]
    path = tmp_path / "districts.csv"
    pd.DataFrame(rows, columns=["month", "area", "category", "count"]).assign(
        month=lambda t: t["month"].dt.strftime("%Y-%m")).to_csv(path, index=False)
    counts = open_counts(DataSource(data=str(path), areas="parts"))
    needs = [(c, a) for c in ("fraud", "theft", "total-recorded-crime") for a in ("north", "airport", "force")
             if (c, a) != ("fraud", "airport")]
    panel = forecast_panel(counts, spec=SPEC, needs=needs, keep_going=True)
    assert not panel.failures and all(panel.has(c, a) for c, a in needs)
    np.testing.assert_array_equal(panel.total("total-recorded-crime", "airport"), panel.total("theft", "airport"))
    np.testing.assert_array_equal(panel.total("fraud", "force"), panel.total("fraud", "north"))
    assert (panel.total("fraud", "force") > 0).all()


@pytest.mark.slow
def test_intervals_calibrated_on_under_three_years_are_noted_once_for_a_batch(counts):
    """Each series' own figures make its note unique; a batch says it once, naming the series (a newcomer saw 13)."""
    from crimecast.forecast.models import PARTLY_CALIBRATED

    short = counts[counts["month"] < counts["month"].min() + pd.DateOffset(months=40)].reset_index(drop=True)
    short.attrs = dict(counts.attrs)
    needs = [("robbery", "walsall"), ("robbery", "dudley")]
    panel = forecast_panel(short, spec=ForecastSpec(model="prophet", paths=100, steps=False), needs=needs, horizon=3)
    shared = [note for note in panel.notes if PARTLY_CALIBRATED in note]
    assert shared == [f"2 series (robbery / dudley, robbery / walsall): {PARTLY_CALIBRATED}"]
    for key in needs:  # a one-series view keeps the series' own figures
        assert any(note.startswith("intervals calibrated on only 12 backtest months") for note in panel.series_notes[key])
    alone = forecast_panel(short, spec=ForecastSpec(model="prophet", paths=100, steps=False), needs=needs[:1], horizon=3)
    assert any(note.startswith("robbery / walsall: intervals calibrated on only 12 backtest months") for note in alone.notes)
    assert not any(PARTLY_CALIBRATED in note for note in alone.notes)  # one series: its own figures, not the batch's


def test_wide_intervals_are_noted_once_for_a_batch():
    """Each wide note holds its series' own years and misses; a batch names the series once with one wording."""
    from crimecast.forecast.calibrate import WIDE_INTERVALS
    from crimecast.forecast.panel import _Fit, _batch_notes, series_notes_once

    fits = [(("theft", area), _Fit(other_notes=[f"intervals are wide ({area}'s own figures)."],
                                   wide=f"intervals are wide ({area}'s own figures).")) for area in ("force", "westminster")]
    assert series_notes_once(_batch_notes(fits)) == [f"2 series (theft / force, theft / westminster): {WIDE_INTERVALS}"]
    assert series_notes_once(_batch_notes(fits[:1])) == ["theft / force: intervals are wide (force's own figures)."]


def test_the_batch_steps_note_names_a_few_and_counts_the_rest():
    from crimecast.forecast.panel import MAX_STEPS_LISTED, steps_note

    steps = [f"burglary / area-{n} -10% from 2020-04" for n in range(MAX_STEPS_LISTED + 3)]
    text = steps_note(steps)
    assert text.startswith(f"{MAX_STEPS_LISTED + 3} step changes modelled as level shifts: burglary / area-0 -10%")
    assert f"area-{MAX_STEPS_LISTED - 1} " in text and f"area-{MAX_STEPS_LISTED} " not in text
    assert "; and 3 more (each series' own notes name its steps)" in text
    assert steps_note(steps[:1]).startswith("1 step change modelled as a level shift: burglary / area-0 -10% from 2020-04 (")


def test_a_step_starting_at_a_filled_month_says_it_may_have_begun_a_month_later(tmp_path):
    from conftest import step_at_a_filled_month

    counts = step_at_a_filled_month(tmp_path)
    panel = forecast_panel(counts, spec=ForecastSpec(paths=100, exceptional=()), needs=[("burglary", "force")])
    step = [note for note in panel.result(counts, "burglary", "force").notes if note.startswith("step change up")]
    assert len(step) == 1 and step[0].endswith("2018-04 itself was missing from the data and filled in, so the step "
                                               "began then or a month later.")


def _two_areas(tmp_path, *, areas: str):
    """North and south x burglary, robbery and anti-social behaviour (not in total recorded crime), 2010-04 to
    2014-03, moving together (a shared year-on-year swing), read as ``areas`` (peers or parts)."""
    months = pd.date_range("2010-04-01", periods=48, freq="MS")
    rng = np.random.default_rng(7)
    swing = np.exp(np.cumsum(rng.normal(0, 0.04, 48)))
    rows = [(m, area, category, round(level * swing[i] * (1 + 0.2 * np.sin(i / 2)) * rng.uniform(0.9, 1.1)))
            for area, scale in (("north", 1.0), ("south", 0.6))
            for category, level in (("burglary", 300 * scale), ("robbery", 120 * scale), ("asb", 500 * scale))
            for i, m in enumerate(months)]
    path, categories = tmp_path / f"{areas}.csv", tmp_path / "categories.csv"
    pd.DataFrame(rows, columns=["month", "area", "category", "count"]).assign(
        month=lambda t: t["month"].dt.strftime("%Y-%m")).to_csv(path, index=False)
    categories.write_text("source,category,in_total\nburglary,burglary,yes\nrobbery,robbery,yes\nasb,asb,no\n")
    return open_counts(DataSource(data=str(path), areas=areas, category_map=str(categories)))


@pytest.mark.parametrize("areas", ["peers", "parts"])
def test_a_total_is_paired_from_its_own_parts_whatever_else_is_forecast(tmp_path, areas):
    """Merseyside's total recorded crime (police.uk) was 158,756 forecast alone, 158,974 with anti-social behaviour
    beside it and 158,936 with the other forces: its parts were paired with every series of the run."""
    counts = _two_areas(tmp_path, areas=areas)
    total = ("total-recorded-crime", "north")
    alone = forecast_panel(counts, spec=SPEC, needs=[total])
    wide = ["north", "south"] + (["force"] if areas == "parts" else [])
    every = forecast_panel(counts, spec=SPEC, needs=[(c, a) for c in ("burglary", "robbery", "asb", "total-recorded-crime")
                                                     for a in wide])
    # the same paths (among the districts of a force, in another order: the districts are paired as wholes after)
    np.testing.assert_array_equal(_rows(alone.total(*total)), _rows(every.total(*total)))
    if areas == "peers":
        np.testing.assert_array_equal(alone.total(*total), every.total(*total))
    added = [note for note in every.notes if "forecast separately and added up" in note]
    summed = 4 if areas == "peers" else 6  # of 6 forecast: peers' asb is in no total; a force's asb is its districts'
    assert len(added) == 1 and added[0].startswith(f"{summed} series forecast separately")


def _rows(paths: np.ndarray) -> np.ndarray:
    """A panel's paths in a fixed order of rows (the set of paths, whichever row each sits in)."""
    return paths[np.lexsort(paths.T[::-1])]


def _rank_correlation(a, b) -> float:
    """Spearman's correlation without scipy (pandas' method="spearman" needs it; the test extra does not install it)."""
    return float(pd.Series(a).rank().corr(pd.Series(b).rank()))


def test_the_areas_of_a_force_are_paired_as_wholes_so_its_total_moves_as_they_have(tmp_path):
    counts = _two_areas(tmp_path, areas="parts")
    needs = [(c, a) for c in ("total-recorded-crime", "asb") for a in ("north", "south", "force")]
    panel = forecast_panel(counts, spec=ForecastSpec(model="seasonal-naive", paths=400), needs=needs)
    north, south = (panel.total("total-recorded-crime", a).sum(axis=1) for a in ("north", "south"))
    assert _rank_correlation(north, south) > 0.3  # they swung together
    asb = [panel.total("asb", a).sum(axis=1) for a in ("north", "south")]
    assert _rank_correlation(*asb) > 0.3
    np.testing.assert_array_equal(panel.total("total-recorded-crime", "force"), panel.total(
        "total-recorded-crime", "north") + panel.total("total-recorded-crime", "south"))

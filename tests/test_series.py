import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimecast.data.schema import validate
from crimecast.data.series import (resolve_area, resolve_category, season_references, select_keys, selection, series_of,
                                   with_totals)
from crimecast.errors import DataError
from tests.conftest import HOME_OFFICE, needs_shared_data


def table(values: dict[tuple[str, str], list[int]]) -> pd.DataFrame:
    rows = []
    for (area, category), counts in values.items():
        for month, count in zip(pd.date_range("2013-01-01", periods=len(counts), freq="MS"), counts):
            rows.append({"month": month, "area": area, "category": category, "count": count})
    return validate(pd.DataFrame(rows))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 500), min_size=4, max_size=4), st.lists(st.integers(0, 500), min_size=4, max_size=4),
       st.lists(st.integers(0, 500), min_size=4, max_size=4))
def test_force_and_total_are_sums_of_their_parts(a, b, c):
    counts = with_totals(table({("north", "burglary-dwelling"): a, ("south", "burglary-dwelling"): b, ("north", "robbery"): c}))
    force = series_of(counts, category="burglary-dwelling", area="force")
    assert force.tolist() == [x + y for x, y in zip(a, b)]
    total_north = series_of(counts, category="total-recorded-crime", area="north")
    assert total_north.tolist() == [x + y for x, y in zip(a, c)]
    total_force = series_of(counts, category="total-recorded-crime", area="force")
    assert total_force.tolist() == [x + y + z for x, y, z in zip(a, b, c)]


def test_burglary_alias_is_announced():
    counts = table({("north", "burglary-dwelling"): [1, 2]})
    assert resolve_category(counts, "burglary") == ("burglary-dwelling", "'burglary' is read as burglary-dwelling.")


def test_unknown_category_suggests_the_nearest():
    counts = table({("north", "shoplifting"): [1, 2]})
    with pytest.raises(DataError, match="unknown category 'shopliftng'. Did you mean 'shoplifting'"):
        resolve_category(counts, "shopliftng")


def test_unknown_area_suggests_the_nearest():
    counts = table({("birmingham", "robbery"): [1, 2]})
    with pytest.raises(DataError, match="Did you mean 'birmingham'"):
        resolve_area(counts, "Birmingam")


@pytest.mark.parametrize(("typed", "hint"), [
    ("birmingham", None),  # another force's district, not a slip: no letter-alike borough is offered
    ("heathrow", "london-heathrow-and-london-city-airports"),  # a word of the name
    ("westminister", "westminster"),
])
def test_an_area_is_suggested_only_for_a_slip_or_a_word_of_its_name(typed, hint):
    counts = table({(area, "robbery"): [1, 2] for area in
                    ("barking-and-dagenham", "newham", "westminster", "london-heathrow-and-london-city-airports")})
    counts.attrs["source"] = "london"
    with pytest.raises(DataError, match=f"unknown area '{typed}' in london\\.") as raised:
        resolve_area(counts, typed)
    suggestion = str(raised.value).split(" Known areas")[0]
    assert (f"Did you mean '{hint}'?" in suggestion) if hint else ("Did you mean" not in suggestion)


def test_an_area_whose_series_were_all_left_out_is_not_called_unknown():
    rows = table({("north", "robbery"): [5, 6, 7, 8]})
    gappy = pd.DataFrame({"month": pd.to_datetime(["2013-01-01", "2013-06-01"]), "area": "south",
                          "category": "robbery", "count": [3, 4]})
    counts = validate(pd.concat([rows, gappy], ignore_index=True), drop_unfillable=True)
    with pytest.raises(DataError, match="south has no series to work on in .*left out for gaps.*4 months in a row"):
        resolve_area(counts, "south")


def test_one_series_left_out_for_gaps_says_why_when_named_though_its_area_has_others():
    """Devon and Cornwall's robbery (four quarters missing) named with --area devon-cornwall, which still has fraud:
    the request says why it has no series (was: "no series for category 'robbery' in area 'devon-cornwall'. Run
    `forecast list` to see what exists."), and so does its total recorded crime."""
    rows = table({("north", "robbery"): [5, 6, 7, 8, 9, 10], ("north", "burglary"): [1, 2, 3, 4, 5, 6],
                  ("south", "burglary"): [1, 2, 3, 4, 5, 6]})
    gappy = pd.DataFrame({"month": pd.to_datetime(["2013-01-01", "2013-06-01"]), "area": "south",
                          "category": "robbery", "count": [3, 4]})
    counts = validate(pd.concat([rows, gappy], ignore_index=True), drop_unfillable=True)
    counts.attrs["areas"] = "peers"
    counts = with_totals(counts)
    with pytest.raises(DataError, match="robbery in south has 4 months in a row with no count"):
        selection(counts, category="robbery", area="south")
    with pytest.raises(DataError, match="no total recorded crime for south: one of its categories was left out for gaps"):
        selection(counts, category="total-recorded-crime", area="south")


def test_select_all_lists_every_series():
    counts = with_totals(table({("north", "robbery"): [1, 2], ("south", "robbery"): [1, 2]}))
    keys, _ = select_keys(counts, category="all", area="all")
    assert ("robbery", "force") in keys and len(keys) == 3


def test_districts_pool_their_seasonal_pattern_with_their_force():
    counts = with_totals(table({("north", "burglary"): [5, 6, 7, 8], ("south", "burglary"): [1, 2, 3, 4],
                                ("north", "robbery"): [2, 2, 2, 2], ("south", "robbery"): [1, 0, 1, 0]}))
    references = season_references(counts)
    assert references["burglary"].tolist() == [6, 8, 10, 12]
    assert references["robbery"].tolist() == series_of(counts, category="robbery", area="force").tolist()


@needs_shared_data
def test_every_area_of_the_home_office_table_leaves_out_the_forces_whose_fraud_stopped(tmp_path):
    """`forecast run all --dataset forces --area all --as-of 2013-06` failed as a batch (exit 1): fraud stops
    after 2012/13 Q4 in 39 forces and goes on a little in 4, so it was no category stopped in every area. (Read whole,
    as here; `--as-of` now decides gaps on the data up to then, where it stops in 41 and goes on in 2.)"""
    from crimecast.data.imports import ImportOptions, import_data
    from crimecast.data.sources import DataSource, open_counts

    store = tmp_path / "ho.duckdb"
    import_data("home-office", [HOME_OFFICE], name="forces", store=store, options=ImportOptions(sum_duplicates=True))
    counts = open_counts(DataSource(dataset="forces", store=str(store)))
    chosen = selection(counts, category="all", area="all", origin=pd.Timestamp("2013-04-01"))
    assert not chosen.stopped_categories and len(chosen.stopped_series) == 39
    assert {c for c, _ in chosen.stopped_series} == {"fraud-offences"}
    assert [a for c, a in chosen.keys if c == "fraud-offences"] == [
        "avon-somerset", "cheshire", "devon-cornwall", "greater-manchester"]
    assert chosen.notes == [
        "39 series left out, with nothing to forecast from: their counts stop before 2013/14 Q1, the last quarter used "
        "(fraud-offences / bedfordshire (to 2012/13 Q4), fraud-offences / cambridgeshire (to 2012/13 Q4), "
        "fraud-offences / cleveland (to 2012/13 Q4), fraud-offences / cumbria (to 2012/13 Q4) and 35 more). To "
        "forecast one from its last count, name it with that as-of month (`forecast run fraud-offences --dataset "
        f"forces --store {store} --area bedfordshire --as-of 2013-03`)."]  # the store it was read from: runs as written
    every = selection(counts, category="all", area="all", origin=counts["month"].max())  # stopped everywhere by then
    assert list(every.stopped_categories) == ["fraud-offences"] and not every.stopped_series
    assert (f"(`forecast run fraud-offences --dataset forces --store {store} --area greater-manchester "
            "--as-of 2013-12`)") in every.notes[0]


def test_forces_pool_with_their_sum_only_up_to_the_last_month_every_force_has():
    """One force's next month imported first: was a sum of that force alone for that month (a fall of about half)."""
    rows = [(m, area, "burglary", n) for area, n, months in (("north", 50, 4), ("south", 40, 3))
            for m in pd.date_range("2020-01-01", periods=months, freq="MS")]
    counts = pd.DataFrame(rows, columns=["month", "area", "category", "count"])
    counts.attrs.update(areas="peers", forces=["north", "south"], parents={})
    assert season_references(counts)["burglary"].tolist() == [90, 90, 90]
    counts.attrs.update(forces=[])  # areas that are not forces (local authorities): an area that ends has stopped
    assert season_references(counts)["burglary"].tolist() == [90, 90, 90, 50]


def test_one_area_taken_out_of_several_keeps_its_key_but_is_named_by_it():
    """restrict_to holds the area asked for as the whole ('force', so its seed is the one seed_key gives it): its
    series is named by that area in messages (was 'robbery / force') and titles call the whole by it."""
    from crimecast.data.series import whole_title
    from crimecast.data.sources import restrict_to

    counts = table({("north", "robbery"): [1, 2, 3, 4], ("south", "robbery"): [5, 6, 7, 8]})
    counts.attrs.update(areas="peers")
    south = restrict_to(counts, "south")
    assert set(south["area"]) == {"force"} and series_of(south, category="robbery", area="force").name == "robbery / south"
    assert whole_title(south.attrs) == "South" and whole_title(counts.attrs) == ""

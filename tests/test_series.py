import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimecast.data.schema import validate
from crimecast.data.series import resolve_area, resolve_category, season_references, select_keys, series_of, with_totals
from crimecast.errors import DataError


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

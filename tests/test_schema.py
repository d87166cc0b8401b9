import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimecast.data.schema import COLUMNS, clean_counts, validate
from crimecast.errors import DataError


def frame(counts, months=None, area="north", category="burglary"):
    months = months or [f"2013-{m:02d}-01" for m in range(1, len(counts) + 1)]
    return pd.DataFrame({"month": pd.to_datetime(months), "area": area, "category": category, "count": counts})


def test_valid_table_comes_back_canonical():
    tidy = validate(frame([3, 4, 5]))
    assert list(tidy.columns) == list(COLUMNS)
    assert tidy["count"].dtype == "int64"


def test_negative_count_names_row_and_fix():
    table = frame([3, -1, 5]).assign(_row=[2, 3, 4])
    with pytest.raises(DataError, match=r"f.csv, row 3, column count: '-1' is not a non-negative whole number"):
        validate(table, source="f.csv")


def test_thousands_separators_are_read_and_a_bad_count_names_the_files_column():
    table = pd.DataFrame({"count": ["1,234", "12,345,678", "7"], "_row": [2, 3, 4]})
    assert clean_counts(table, "f.csv").tolist() == [1234, 12345678, 7]
    for bad in ("1,23", "12,3456", "1.234,5"):  # not thousands separators: refused, not guessed at
        with pytest.raises(DataError, match=rf"f.csv, row 3, column Number of Offences: '{bad}' is not a non-negative"):
            clean_counts(table.assign(count=["1", bad, "2"]), "f.csv", column="Number of Offences")


def test_fractional_count_rejected():
    with pytest.raises(DataError, match="'2.5' is not a non-negative whole number"):
        validate(frame([3, 2.5, 5]))


def test_duplicate_month_area_category_rejected_with_fix():
    table = frame([3, 4], months=["2013-01-01", "2013-01-01"])
    with pytest.raises(DataError, match="second count for burglary in north in 2013-01.*--sum-duplicates"):
        validate(table)


def test_a_duplicate_names_both_rows_in_file_order():
    """Was "row 2: a second count ..." alone, not saying which row it repeats (sorted frames put it first)."""
    table = frame([3, 4, 5], months=["2013-02-01", "2013-01-01", "2013-01-01"]).assign(_row=[9, 4, 2])
    with pytest.raises(DataError, match=r"^src, row 4: a second count for burglary in north in 2013-01 \(the first is "
                                        r"row 2\)\. Each"):
        validate(table, source="src")


def test_short_gap_is_interpolated_by_default_and_recorded_as_filled():
    table = frame([3, 4, 6], months=["2013-01-01", "2013-02-01", "2013-04-01"])
    tidy = validate(table)
    assert tidy["count"].tolist() == [3, 4, 5, 6]
    assert tidy.attrs["filled"] == [("burglary", "north", pd.Timestamp("2013-03-01"))]


def test_gap_longer_than_the_limit_is_an_error_naming_series_and_months():
    table = frame([3, 4, 5], months=["2013-01-01", "2013-02-01", "2013-06-01"])
    with pytest.raises(DataError, match=r"burglary in north has 3 months in a row with no count \(2013-03, 2013-04, 2013-05\).*--max-gap 3"):
        validate(table)
    assert validate(table, max_gap=3)["count"].tolist() == [3, 4, 4, 4, 5, 5]


def test_when_no_series_is_left_the_error_says_so_of_every_series_and_names_the_longest_gap():
    months = ["2013-01-01", "2013-02-01", "2013-06-01"]
    table = pd.concat([frame([3, 4, 5], months=months, category="anti-social-behaviour"),
                       frame([3, 4, 5], months=["2013-01-01", "2013-02-01", "2013-09-01"])])
    with pytest.raises(DataError) as error:
        validate(table, drop_unfillable=True)
    message = str(error.value)
    assert message.startswith("table: none of its 2 series can be used: each has a gap longer than the 2 months")
    assert "the longest: burglary in north has 6 months in a row" in message and "--max-gap 6" in message


def test_a_limit_of_one_month_is_said_in_the_singular():
    """"each has a gap longer than the 1 months that may be filled"."""
    months = ["2013-01-01", "2013-02-01", "2013-05-01"]
    table = pd.concat([frame([3, 4, 5], months=months, category="robbery"), frame([3, 4, 5], months=months)])
    with pytest.raises(DataError, match=r"^table: none of its 2 series can be used: each has a gap longer than the 1 "
                                        r"month that may be filled; the longest: robbery in north has 2 months in a "
                                        r"row with no count \(2013-03, 2013-04\), more than the 1 that may be filled"):
        validate(table, drop_unfillable=True, max_gap=1)
    with pytest.raises(DataError, match=r"burglary in north has 1 month in a row with no count \(2013-03\), more "):
        validate(frame([3, 4, 5], months=["2013-01-01", "2013-02-01", "2013-04-01"]), max_gap=0)


def test_error_policy_refuses_any_gap():
    table = frame([3, 4, 5], months=["2013-01-01", "2013-02-01", "2013-04-01"])
    with pytest.raises(DataError, match="no count for 2013-03.*--fill-missing"):
        validate(table, fill_missing="error")


def test_gaps_are_decided_per_series_and_summarised_in_one_note():
    left = frame([3, 4, 6], months=["2013-01-01", "2013-02-01", "2013-04-01"])
    right = frame([0, 0, 0, 0], months=[str(m.date()) for m in pd.date_range("2013-01-01", periods=4, freq="MS")]).assign(area="south")
    tidy = validate(pd.concat([left, right], ignore_index=True))
    assert tidy.loc[tidy["area"] == "south", "count"].tolist() == [0, 0, 0, 0]
    assert len(tidy.attrs["notes"]) == 1 and "filled 1 missing month in 1 series" in tidy.attrs["notes"][0]


def test_many_filled_series_make_one_short_note_naming_the_worst_and_where_all_are_listed():
    months = [str(m.date()) for m in pd.date_range("2019-01-01", periods=12, freq="MS")]
    gappy = [m for m in months if m != "2019-07-01"]
    areas = [frame([5] * 11, months=gappy).assign(area=f"district-{i:02d}") for i in range(40)]
    worst = frame([5] * 9, months=[m for m in gappy if m not in ("2019-03-01", "2019-10-01")]).assign(area="worst")
    tidy = validate(pd.concat([*areas, worst], ignore_index=True), listed_by="`forecast data show la --gaps`")
    (text,) = tidy.attrs["notes"]
    assert "filled 43 missing months in 41 series" in text and "most often 2019-07, in 41 series" in text
    assert "at most 3 in one series, burglary / worst" in text and "`forecast data show la --gaps` lists every" in text
    assert sum(f"district-{i:02d}" in text for i in range(40)) == 0 and len(text) < 300


def test_a_few_filled_series_are_named_each():
    """One to three series filled: the note names each (category / area), as the note on series left out does
    (was "filled 1 missing quarter(s) in 1 series (all 2013/14 Q1)", naming none)."""
    gappy = frame([3, 4, 6], months=["2013-01-01", "2013-02-01", "2013-04-01"], area="south")
    (one,) = validate(gappy).attrs["notes"]
    assert "(all 2013-03; in burglary / south)" in one
    twice = frame([3, 4, 6, 7], months=["2013-01-01", "2013-03-01", "2013-05-01", "2013-06-01"]).assign(area="north")
    (two,) = validate(pd.concat([gappy, twice], ignore_index=True)).attrs["notes"]
    assert "in 2 series" in two and "in burglary / north (2), burglary / south)" in two


def test_missing_month_filled_with_zero_or_interpolation():
    table = frame([3, 4, 6], months=["2013-01-01", "2013-02-01", "2013-04-01"])
    assert validate(table, fill_missing="zero")["count"].tolist() == [3, 4, 0, 6]
    filled = validate(table, fill_missing="interpolate")
    assert filled["count"].tolist() == [3, 4, 5, 6]
    assert "filled 1 missing month" in filled.attrs["notes"][0]


def test_quarterly_table_gaps_are_counted_in_quarters():
    from crimecast.data.frequency import QUARTERLY

    table = frame([3, 4, 6], months=["2013-01-01", "2013-04-01", "2013-10-01"])
    tidy = validate(table, frequency=QUARTERLY)
    assert tidy["count"].tolist() == [3, 4, 5, 6] and tidy.attrs["frequency"] == "quarter"
    with pytest.raises(DataError, match="does not start a quarter"):
        validate(frame([3], months=["2013-02-01"]), frequency=QUARTERLY)


def test_missing_column_says_how_to_map():
    with pytest.raises(DataError, match="missing column.*--value-col"):
        validate(frame([1]).drop(columns="count"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=30))
def test_any_non_negative_integer_series_validates_unchanged(counts):
    months = [str(m.date()) for m in pd.date_range("2010-01-01", periods=len(counts), freq="MS")]
    tidy = validate(frame(counts, months=months), keep_outliers=True)  # spikes are refused by default: see test_io
    assert tidy["count"].tolist() == counts


def _filled_one_by_one(table, max_gap):
    """The gap filling as first written, one series at a time: the reference for the vectorised version."""
    parts, filled, dropped = [], [], []
    for (area, category), group in table.groupby(["area", "category"], sort=False):
        full = group.set_index("month")["count"].reindex(pd.date_range(group["month"].min(), group["month"].max(), freq="MS"))
        missing = full.index[full.isna()]
        runs = (full.notna().cumsum()[full.isna()].value_counts() if len(missing) else pd.Series(dtype=int))
        if len(missing) and runs.max() > max_gap:
            dropped.append((category, area))
            continue
        filled += [(category, area, month) for month in missing]
        parts.append(pd.DataFrame({"month": full.index, "area": area, "category": category,
                                   "count": full.astype(float).interpolate().round().astype("int64").to_numpy()}))
    return pd.concat(parts, ignore_index=True) if parts else None, filled, dropped


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.tuples(st.booleans(), st.integers(0, 500)), min_size=1, max_size=20), min_size=1, max_size=5),
       st.integers(0, 3), st.randoms(use_true_random=False))
def test_gaps_filled_for_all_series_at_once_as_one_by_one(series, max_gap, random):
    """Filling every series' gaps in one pass gives each series what filling it alone gives, in the same order."""
    from crimecast.data.schema import fill_missing_months

    rows = []
    for number, months in enumerate(series):
        months[0] = (True, months[0][1])  # a series starts and ends with a count
        months[-1] = (True, months[-1][1])
        rows += [(pd.Timestamp("2015-01-01") + pd.DateOffset(months=m), f"area-{number % 2}", f"cat-{number}", count)
                 for m, (present, count) in enumerate(months) if present]
    random.shuffle(rows)
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    expected, expected_filled, expected_dropped = _filled_one_by_one(table, max_gap)
    if expected is None:
        with pytest.raises(DataError, match="more than the"):
            fill_missing_months(table, how="interpolate", source="t", max_gap=max_gap, drop_unfillable=True)
        return
    got, _, filled, dropped = fill_missing_months(table, how="interpolate", source="t", max_gap=max_gap,
                                                  drop_unfillable=True)
    key = ["category", "area", "month"]
    pd.testing.assert_frame_equal(got.sort_values(key, ignore_index=True), expected.sort_values(key, ignore_index=True))
    assert filled == expected_filled and list(dropped) == expected_dropped


def test_a_stray_month_is_named_after_sparse_series_are_passed_over():
    """Scattered series are data; the first dense series with a month far from the rest is the one named."""
    sparse = frame([1, 2, 1], months=["2013-01-01", "2015-06-01", "2017-01-01"], area="outside")
    months = [str(m.date()) for m in pd.date_range("2014-01-01", periods=24, freq="MS")]
    dense = frame(list(range(5, 29)) + [7], months=months + ["2019-01-01"], area="south")
    early = frame([4] + list(range(5, 29)), months=["2003-01-01"] + months, area="west").assign(category="robbery")
    table = pd.concat([sparse, dense, early], ignore_index=True).assign(_row=lambda t: t.index + 2)
    with pytest.raises(DataError, match=r"row 29, column month: 2019-01 is 37 months away from the rest of burglary in "
                                        r"south \(2014-01 to 2015-12\)"):
        validate(table, source="f.csv")
    with pytest.raises(DataError, match=r"row 30, column month: 2003-01 is 132 months away from the rest of robbery in "
                                        r"west \(2014-01 to 2015-12\)"):
        validate(table[table["area"] != "south"], source="f.csv")

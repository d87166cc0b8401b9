"""Rate series (numerator / denominator): validation on entry, CSV import, force rates, the embedded satisfaction data."""

import pandas as pd
import pytest

from crimecast.data.load import load_counts
from crimecast.data.rates import (RateColumns, embedded_rates, import_rates_csv, rate_series, validate_rates,
                                  with_force)
from crimecast.data.series import TOTAL_CATEGORY, with_totals
from crimecast.errors import DataError


def _rates_csv(tmp_path, rows, name="sat.csv"):
    path = tmp_path / name
    pd.DataFrame(rows, columns=["month", "district", "satisfied", "surveyed"]).to_csv(path, index=False)
    return path


GOOD = [["2013-04", "north", 80, 100], ["2013-05", "north", 85, 100], ["2013-04", "south", 30, 50], ["2013-05", "south", 40, 50]]
COLUMNS = RateColumns(numerator_col="satisfied", denominator_col="surveyed")


def test_import_reads_numerator_and_denominator_and_names_the_series_after_the_file(tmp_path):
    rates = import_rates_csv(_rates_csv(tmp_path, GOOD), columns=COLUMNS)
    assert list(rates.columns) == ["month", "area", "category", "numerator", "denominator"]
    assert set(rates["category"]) == {"sat"} and set(rates["area"]) == {"north", "south"}
    assert rates["numerator"].sum() == 235 and rates["denominator"].sum() == 300


def test_a_rates_words_are_its_files_columns_kept_with_the_dataset(tmp_path):
    from crimecast.data.rates import SATISFACTION, RateWords, import_rates, rate_words, words_of
    from crimecast.data.store import read_rates

    assert words_of(import_rates_csv(_rates_csv(tmp_path, GOOD), columns=COLUMNS)) is SATISFACTION
    assert rate_words("Satisfied", "SURVEYED") is SATISFACTION and rate_words() == RateWords("numerator", "denominator")
    share = pd.DataFrame(GOOD, columns=["month", "district", "dwelling", "burglaries"])
    share.to_csv(tmp_path / "share.csv", index=False)
    store = tmp_path / "s.duckdb"
    import_rates(tmp_path / "share.csv", name="share", store=store,
                 columns=RateColumns(numerator_col="dwelling", denominator_col="burglaries"))
    words = words_of(rate_series(with_force(read_rates("share", store=store)), category="share", area="force"))
    assert (words.ratio, words.axis, words.year_axis, words.unit) == (
        "dwelling / burglaries", "% dwelling (of burglaries)", "dwelling, year to date", "burglaries")
    assert words.chart_axis == "dwelling (of burglaries)"  # a chart's ticks read 30%: its title does not repeat it
    assert (SATISFACTION.ratio, SATISFACTION.axis, SATISFACTION.unit) == (
        "satisfied / surveyed", "% satisfied (of those surveyed)", "surveys")


@pytest.mark.parametrize("row, words", [
    (["2013-06", "north", 5, 0], ["row 6", "column surveyed", "denominator of 0", "number surveyed"]),
    (["2013-06", "north", 120, 100], ["row 6", "column satisfied", "more than its denominator 100", "above 100%", "swap"]),
    (["2013-06", "north", "83.8%", 100], ["row 6", "column satisfied", "looks like a rate", "whole numbers"]),
    (["2013-06", "north", 0.84, 1], ["row 6", "column satisfied", "looks like a rate"]),
    (["2013-04", "north", 70, 100], ["row 6", "second row", "north", "2013-04"]),
])
def test_bad_rate_rows_are_one_line_naming_file_row_column_and_fix(tmp_path, row, words):
    path = _rates_csv(tmp_path, [*GOOD, row])
    with pytest.raises(DataError) as error:
        import_rates_csv(path, columns=COLUMNS)
    message = str(error.value)
    assert "\n" not in message and str(path) in message
    for word in words:
        assert word in message


def test_a_duplicate_rate_row_names_its_area_by_the_key_it_is_stored_under(write_csv):
    """As the counts import does: a force column's 'Merseyside Police' is stored (and named) as merseyside."""
    path = write_csv("month,force,satisfied,surveyed\n2020-01,Merseyside Police,40,50\n"
                     "2020-01,Merseyside Police,41,50\n", name="satisfaction.csv")
    with pytest.raises(DataError, match="row 3: a second row for satisfaction in merseyside in 2020-01"):
        import_rates_csv(path, columns=RateColumns(numerator_col="satisfied", denominator_col="surveyed"))


@pytest.mark.parametrize("row, words", [
    (["2013-06", "north", 0, 0], ["column burglaries", "a denominator of 0 (no burglaries)", "the number of burglaries (> 0)"]),
    (["2013-06", "north", "38.5%", 100], ["column dwelling", "looks like a rate",
                                          "--numerator-col for dwelling and --denominator-col for burglaries"]),
    (["2013-06", "north", -3, 100], ["column dwelling", "(e.g. 437 dwelling of 520 burglaries)"]),
])
def test_a_general_rates_bad_rows_are_told_in_its_own_columns_words(tmp_path, row, words):
    path = tmp_path / "share.csv"
    pd.DataFrame([*GOOD, row], columns=["month", "district", "dwelling", "burglaries"]).to_csv(path, index=False)
    with pytest.raises(DataError) as error:
        import_rates_csv(path, columns=RateColumns(numerator_col="dwelling", denominator_col="burglaries"))
    message = str(error.value)
    assert "row 6" in message and "survey" not in message and "satisf" not in message, message
    for word in words:
        assert word in message, message


def test_satisfactions_bad_rows_keep_their_words(tmp_path):
    path = _rates_csv(tmp_path, [*GOOD, ["2013-06", "north", 5, 0]])
    with pytest.raises(DataError, match=r"a denominator of 0 \(nobody surveyed\) gives no rate\. Remove the row or "
                                        r"give the number surveyed \(> 0\)\."):
        import_rates_csv(path, columns=COLUMNS)
    path = _rates_csv(tmp_path, [*GOOD, ["2013-06", "north", "83.8%", 100]])
    with pytest.raises(DataError, match="--numerator-col for those satisfied and --denominator-col for those surveyed"):
        import_rates_csv(path, columns=COLUMNS)
    path = _rates_csv(tmp_path, [*GOOD, ["2013-06", "north", -1, 100]])
    with pytest.raises(DataError, match=r"\(e\.g\. 437 satisfied of 520 surveyed\)"):
        import_rates_csv(path, columns=COLUMNS)


def test_a_missing_numerator_column_is_named_with_the_columns_there_are(tmp_path):
    with pytest.raises(DataError, match="no column 'happy' \\(given by --numerator-col\\)"):
        import_rates_csv(_rates_csv(tmp_path, GOOD), columns=RateColumns(numerator_col="happy", denominator_col="surveyed"))


def test_force_rate_is_the_survey_weighted_rate_of_its_districts_not_their_mean(tmp_path):
    rates = with_force(import_rates_csv(_rates_csv(tmp_path, GOOD), columns=COLUMNS))
    force = rate_series(rates, category="sat", area="force")
    assert force.loc["2013-04-01", "numerator"] == 110 and force.loc["2013-04-01", "denominator"] == 150
    assert force.loc["2013-04-01", "numerator"] / force.loc["2013-04-01", "denominator"] != (0.8 + 0.6) / 2


def test_validate_refuses_an_empty_table():
    with pytest.raises(DataError, match="no data rows"):
        validate_rates(pd.DataFrame(columns=["month", "area", "category", "numerator", "denominator"]))


def test_embedded_satisfaction_matches_the_report_figures():
    rates = embedded_rates("west-midlands")
    assert rates.attrs["illustrative"] and "ILLUSTRATIVE" in rates.attrs["notice"]
    crime = rate_series(rates, category="satisfaction-crime", area="force")
    year = crime.loc["2013-04-01":"2014-03-01"]
    assert round(year["numerator"].sum() / year["denominator"].sum(), 3) == 0.838  # para 106: rolling 12 months
    monthly = year["numerator"] / year["denominator"]
    assert monthly.idxmax() == pd.Timestamp("2014-02-01") and monthly.max() == 0.875  # para 108: February high
    assert 300 <= year["denominator"].mean() <= 800  # surveys of a plausible size
    asb = rate_series(rates, category="satisfaction-asb", area="force").loc["2013-04-01":"2014-03-01"]
    assert round(asb["numerator"].sum() / asb["denominator"].sum(), 3) == 0.777  # para 107
    assert asb.loc["2014-03-01", "numerator"] / asb.loc["2014-03-01", "denominator"] == 0.80
    districts = rates[(rates["area"] != "force") & (rates["category"] == "satisfaction-crime")]
    assert districts.groupby("month")["denominator"].sum().loc["2014-02-01"] == crime.loc["2014-02-01", "denominator"]


def test_rates_never_enter_total_recorded_crime():
    counts = with_totals(load_counts("west-midlands"))
    assert not any(c.startswith("satisfaction") for c in counts["category"].unique())
    total = counts[(counts["category"] == TOTAL_CATEGORY) & (counts["area"] == "force")]
    year = total[(total["month"] >= "2013-04-01") & (total["month"] <= "2014-03-01")]["count"].sum()
    assert abs(year / 12 - 14381) < 5  # para 71 (to rounding), unchanged by the satisfaction data


def test_a_one_force_rates_file_keys_its_force_as_the_counts_import_does_and_an_old_key_still_resolves(tmp_path):
    """A force column of 'Merseyside Police' was keyed merseyside-police in a rates file, merseyside in a counts file,
    so one plan needed two area: spellings for one force; now both say merseyside, and a dataset stored with the old
    key is still found by either spelling."""
    from crimecast.data.load import ColumnMap, import_csv

    months = ["2013-04", "2013-05"]
    pd.DataFrame({"month": months, "force": "Merseyside Police", "satisfied": [80, 85], "surveyed": [100, 100]}).to_csv(
        tmp_path / "sat.csv", index=False)
    pd.DataFrame({"month": months, "force": "Merseyside Police", "crime_type": "Burglary", "count": [9, 8]}).to_csv(
        tmp_path / "counts.csv", index=False)
    rates = import_rates_csv(tmp_path / "sat.csv", columns=COLUMNS)
    counts = import_csv(tmp_path / "counts.csv", columns=ColumnMap(area_col="force")).counts
    assert set(rates["area"]) == set(counts["area"]) == {"merseyside"}
    stored = rates.assign(area="merseyside-police")  # as stored before
    for area in ("merseyside", "merseyside-police", "Merseyside Police"):
        assert rate_series(stored, category="sat", area=area)["numerator"].sum() == 165
        assert rate_series(rates, category="sat", area=area)["numerator"].sum() == 165
    with pytest.raises(DataError, match="no sat rate for area 'cleveland'"):
        rate_series(stored, category="sat", area="cleveland")


def test_a_one_area_rates_table_answers_to_the_whole_force_as_counts_do(tmp_path):
    """with_force adds a force row only over two or more areas, so a one-force file (area merseyside) had no 'force'
    and the default area failed ("no sat rate for area 'force'. Areas: merseyside"); the only area is the default."""
    frame = pd.DataFrame({"month": ["2013-04", "2013-05"], "force": "Merseyside Police", "satisfied": [80, 85],
                          "surveyed": [100, 100]})
    frame.to_csv(tmp_path / "sat.csv", index=False)
    rates = with_force(import_rates_csv(tmp_path / "sat.csv", columns=COLUMNS))
    series = rate_series(rates, category="sat", area="force")
    assert series["numerator"].sum() == 165 and series.attrs["area"] == "merseyside"
    two = validate_rates(pd.DataFrame({"month": pd.to_datetime(["2013-04-01"] * 2), "area": ["north", "south"],
                                       "category": "sat", "numerator": [8, 3], "denominator": [10, 5]}))
    with pytest.raises(DataError, match="no sat rate for area 'force'"):  # two areas with no total: not one of them
        rate_series(two, category="sat", area="force")


def test_a_month_missing_inside_a_rate_series_is_refused_on_entry_naming_the_row_and_months(tmp_path):
    rows = [["2013-04", "north", 80, 100], ["2013-05", "north", 85, 100], ["2013-08", "north", 70, 100],
            ["2013-04", "south", 30, 50], ["2013-05", "south", 40, 50]]
    with pytest.raises(DataError) as error:
        import_rates_csv(_rates_csv(tmp_path, rows), columns=COLUMNS)
    message = str(error.value)
    assert "sat.csv, row 4" in message and "sat in north" in message
    assert "2013-06 to 2013-07 (2 months)" in message and "Add the missing month" in message

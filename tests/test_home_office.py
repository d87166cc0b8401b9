import pandas as pd
import pytest

from crimecast.data.home_office import import_home_office
from crimecast.errors import DataError
from tests.builders import ONS_ROLLING, home_office_text
from tests.conftest import HOME_OFFICE, needs_shared_data


def test_quarters_stay_quarters_and_forces_are_peers(write_csv):
    data = import_home_office([write_csv(home_office_text())])
    assert data.frequency == "quarter" and data.areas == "peers"
    months = sorted(data.counts["month"].unique())
    assert pd.Timestamp(months[0]) == pd.Timestamp("2012-04-01") and pd.Timestamp(months[1]) == pd.Timestamp("2012-07-01")
    assert set(data.counts["area"]) == {"west-midlands", "merseyside"}
    assert set(data.counts["category"]) == {"robbery", "theft-offences"}


def test_duplicate_and_negative_rows_need_sum_duplicates_and_are_netted(write_csv):
    path = write_csv(home_office_text(duplicate=True, negative=True))
    with pytest.raises(DataError, match=r"row \d+: a negative adjustment row.*--sum-duplicates"):
        import_home_office([path])
    plain = import_home_office([write_csv(home_office_text(), name="plain.csv")]).counts.set_index(["month", "area", "category"])
    netted = import_home_office([path], sum_duplicates=True).counts.set_index(["month", "area", "category"])
    key = (pd.Timestamp("2012-07-01"), "west-midlands", "theft-offences")
    assert netted.at[key, "count"] == plain.at[key, "count"] + 3
    key = (pd.Timestamp("2012-10-01"), "west-midlands", "robbery")
    assert netted.at[key, "count"] == plain.at[key, "count"] - 2


def test_duplicate_row_named(write_csv):
    with pytest.raises(DataError, match=r"row 66: a second row for the same quarter"):
        import_home_office([write_csv(home_office_text(duplicate=True))])


def test_a_gap_is_left_as_a_gap(write_csv):
    data = import_home_office([write_csv(home_office_text(gap=("2013/14", 2)))])
    merseyside = data.counts[(data.counts["area"] == "merseyside") & (data.counts["category"] == "robbery")]
    assert pd.Timestamp("2013-07-01") not in set(merseyside["month"]) and len(merseyside) == 15


@pytest.mark.parametrize(("text", "importer"), [
    ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
     "Last outcome category,Context\nabc,2019-01,Merseyside Police,Merseyside Police,-2.7,53.3,On or near X,"
     "E01012393,Halton 001B,Drugs,,\n", "import it with `forecast data import police-uk {path} --name NAME`"),
    ("month,force,crime_type,count\n2019-01,Merseyside Police,Drugs,3\n",
     "imports with `forecast data import csv {path} --name NAME`"),
])
def test_a_file_of_another_importers_layout_names_that_importer(write_csv, text, importer):
    """A police.uk street file (or a file of counts) given to the Home Office importer said only "no column for the
    financial year": the importer that reads it is named, as `import csv` names the others (session 31)."""
    path = write_csv(text)
    with pytest.raises(DataError, match="no column for the financial year") as caught:
        import_home_office([path])
    assert importer.format(path=path) in str(caught.value)


def test_rolling_totals_are_refused(write_csv):
    with pytest.raises(DataError, match="rolling 12-month totals"):
        import_home_office([write_csv(ONS_ROLLING)])


@needs_shared_data
def test_real_table_imports_with_duplicates_netted():
    data = import_home_office([HOME_OFFICE], sum_duplicates=True)
    west_midlands = data.counts[data.counts["area"] == "west-midlands"]
    assert west_midlands["month"].min() == pd.Timestamp("2002-04-01")
    assert data.counts["area"].nunique() == 43

import pandas as pd
import pytest

from crimecast.data.load import ColumnMap, load_counts
from crimecast.errors import DataError
from tests.conftest import HOME_OFFICE, LONDON, POLICE_UK, needs_shared_data


def test_embedded_dataset_is_labelled_illustrative():
    counts = load_counts("west-midlands")
    assert counts.attrs["illustrative"] is True
    assert "ILLUSTRATIVE" in counts.attrs["notice"]
    assert set(counts["area"]) == {"birmingham", "coventry", "dudley", "sandwell", "solihull", "walsall", "wolverhampton"}


def test_a_shipped_example_read_directly_is_labelled_illustrative_and_an_edited_copy_of_it_not(tmp_path):
    import shutil
    from importlib import resources

    example = tmp_path / "burglary.csv"  # as `forecast example burglary` copies it
    with resources.as_file(resources.files("crimecast.data").joinpath("examples", "burglary.csv")) as shipped:
        shutil.copyfile(shipped, example)
    columns = ColumnMap(date_col="Month", value_col="Crimes")
    counts = load_counts(example, columns=columns)
    assert counts.attrs["illustrative"] is True and "ILLUSTRATIVE" in counts.attrs["notice"]
    example.write_text(example.read_text().replace(",1", ",2", 1))  # your own numbers in the same layout
    assert load_counts(example, columns=columns).attrs["illustrative"] is False


def test_csv_with_mapped_columns_and_no_area(write_csv):
    path = write_csv("Period,Crimes\n2013 Jan,5\n2013 Feb,7\n")
    counts = load_counts(path, columns=ColumnMap(date_col="Period", value_col="Crimes"))
    assert counts["area"].unique().tolist() == ["force"]
    assert counts["category"].unique().tolist() == ["counts"]
    assert "no area column" in counts.attrs["notes"][0]


def test_unknown_mapped_column_lists_the_columns(write_csv):
    path = write_csv("month,count\n2013-01,5\n")
    with pytest.raises(DataError, match="no column 'Crimes' \\(given by --value-col\\). The columns are: month, count"):
        load_counts(path, columns=ColumnMap(value_col="Crimes"))


def test_a_mistyped_column_gets_a_case_insensitive_suggestion_and_month_headers_are_counted(write_csv):
    months = ",".join(f"{y}{m:02d}" for y in (2012, 2013) for m in range(1, 13))
    path = write_csv(f"MajorText,MinorText,BoroughName,{months}\nBurglary,Dwelling,Barnet,{','.join(['1'] * 24)}\n")
    with pytest.raises(DataError) as caught:
        load_counts(path, columns=ColumnMap(wide=True, category_col="Majortext", area_col="BoroughName"))
    message = str(caught.value)
    assert "no column 'Majortext' (given by --category-col). Did you mean 'MajorText'?" in message
    assert message.endswith("The columns are: MajorText, MinorText, BoroughName and 24 month headers (201201 to 201312).")


def test_a_column_holding_the_name_given_is_suggested(write_csv):
    path = write_csv("month,force,local_authority_from_lsoa_name,crime_type,count\n2019-01,Merseyside,Wirral,Drugs,3\n")
    with pytest.raises(DataError, match="no column 'local_authority' \\(given by --area-col\\). "
                                        "Did you mean 'local_authority_from_lsoa_name'\\?"):
        load_counts(path, columns=ColumnMap(area_col="local_authority"))


STREET_ROW = "abc,2019-01,Merseyside Police,Merseyside Police,-2.7,53.3,On or near X,E01012393,Halton 001B,Drugs,,\n"


@pytest.mark.parametrize(("header", "row", "importer"), [
    ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
     "Last outcome category,Context", STREET_ROW, "forecast data import police-uk {path} --name NAME"),
    ("Financial Year,Financial Quarter,Force Name,Offence Group,Number of Offences",
     "2002/03,1,Avon & Somerset,Drug offences,561\n", "forecast data import home-office {path} --name NAME --sum-duplicates"),
])
def test_a_file_of_another_importers_layout_names_that_importer(write_csv, header, row, importer):
    path = write_csv(f"{header}\n{row}")
    with pytest.raises(DataError, match="cannot tell which column") as caught:
        load_counts(path)
    assert f"import it with `{importer.format(path=path)}`" in str(caught.value)
    assert "--wide" not in str(caught.value)  # not the remedy for these files


def test_wide_file_melts_months_from_headers(write_csv):
    path = write_csv("Category,Area,Note,2013-01,2013-02\nRobbery,North,x,4,5\nRobbery,South,y,1,2\n")
    counts = load_counts(path, columns=ColumnMap(wide=True))
    assert len(counts) == 4 and counts["count"].sum() == 12


def test_quarterly_counts_stay_quarters(write_csv):
    path = write_csv("quarter,count\n2013/14 Q1,10\n2013/14 Q2,12\n")
    counts = load_counts(path, columns=ColumnMap(date_col="quarter", quarterly=True))
    assert counts["count"].tolist() == [10, 12]
    assert counts["month"].tolist() == [pd.Timestamp("2013-04-01"), pd.Timestamp("2013-07-01")]
    assert counts.attrs["frequency"] == "quarter"


def test_rolling_twelve_month_totals_are_refused(write_csv):
    path = write_csv("12 months ending,PFA,Offence,Rolling year total number of offences\n31-03-2013,West Midlands,Robbery,3000\n")
    with pytest.raises(DataError, match="rolling 12-month totals.*12 times too large"):
        load_counts(path)


def test_police_uk_crime_types_keep_asb_out_of_total_and_forces_are_peers(write_csv):
    from crimecast.data.series import with_totals

    path = write_csv("month,force,crime_type,count\n2020-01,Merseyside Police,Anti-social behaviour,50\n"
                     "2020-01,Merseyside Police,Burglary,10\n2020-01,Merseyside Police,Robbery,5\n"
                     "2020-01,Cleveland Police,Burglary,7\n2020-01,Cleveland Police,Robbery,1\n")
    counts = with_totals(load_counts(path))
    assert "force" not in set(counts["area"])
    total = counts[(counts["category"] == "total-recorded-crime")].set_index("area")["count"]
    assert total.to_dict() == {"cleveland": 8, "merseyside": 15}
    assert counts.attrs["category_notes"]["burglary"].startswith("all burglary")


@pytest.mark.parametrize("asb, burglary, violence", [
    ("anti-social-behaviour", "burglary", "violence-and-sexual-offences"),  # slugs
    ("anti-social behaviour", "BURGLARY", "Violence And Sexual Offences"),  # any case
    ("Anti-social behaviour", "burglary", "Violence and sexual offences"),  # one name written otherwise
])
def test_police_uk_crime_types_in_any_case_or_as_slugs_get_the_police_uk_map(write_csv, asb, burglary, violence):
    from crimecast.data.series import with_totals

    path = write_csv("month,force,crime_type,count\n" + "".join(
        f"2020-0{m},Merseyside Police,{name},{n}\n" for m in (1, 2) for name, n in ((asb, 50), (burglary, 10), (violence, 7))))
    counts = with_totals(load_counts(path))
    assert set(counts["category"]) == {"anti-social-behaviour", "burglary", "violence-and-sexual-offences",
                                       "total-recorded-crime"}
    assert counts.loc[counts["category"] == "total-recorded-crime", "count"].unique().tolist() == [17]  # ASB left out
    assert any("police.uk map is used" in note for note in counts.attrs["notes"])
    assert counts.attrs["category_notes"]["burglary"].startswith("all burglary")


def test_a_duplicate_row_names_its_category_as_the_category_map_maps_it(write_csv, tmp_path):
    """Named by the slug of the file's own name (burglary-residential), not the category it is stored under."""
    path = write_csv("month,area,category,count\n2020-01,north,Burglary - residential,10\n"
                     "2020-01,north,Burglary - residential,11\n")
    mapping = tmp_path / "map.csv"
    mapping.write_text("source,category\nBurglary - residential,residential-burglary\n", encoding="utf-8")
    with pytest.raises(DataError, match="row 3: a second count for residential-burglary in north in 2020-01"):
        load_counts(path, category_map=mapping)



def test_two_categories_mapped_to_one_are_a_duplicate_named_with_both_rows_and_names(write_csv, tmp_path):
    """Two of the file's categories that a --category-map (or their slug) makes one, with a row each for a month and
    area: was the schema check's "row 4: a second count for residential-burglary ...", naming neither the first row
    nor the two names, nor that a map made them one."""
    path = write_csv("month,area,category,count\n2020-01,north,Burglary - residential,10\n"
                     "2020-01,north,Robbery,4\n2020-01,north,Burglary residential,3\n")
    mapping = tmp_path / "map.csv"
    mapping.write_text("source,category\nBurglary - residential,residential-burglary\n"
                       "Burglary residential,residential-burglary\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_counts(path, category_map=mapping)
    assert str(caught.value) == (
        f"{path}, row 4: a second count for residential-burglary in north in 2020-01 (the first is row 2): row 2's "
        f"category 'Burglary - residential' and row 4's 'Burglary residential' are both read as residential-burglary "
        f"by {mapping}. Each (month, area, category) may appear once: correct {mapping} if they are different crimes; "
        "pass --sum-duplicates to add them together if they are parts of one category.")
    summed = load_counts(path, category_map=mapping, sum_duplicates=True)
    assert summed.loc[summed["category"] == "residential-burglary", "count"].tolist() == [13]
    cased = write_csv("month,area,category,count\n2020-01,north,Burglary,10\n2020-01,north,BURGLARY,3\n")
    with pytest.raises(DataError, match="row 3: .* \\(the first is row 2\\): row 2's category 'Burglary' and row 3's "
                                        "'BURGLARY' are both read as burglary, differing only in case or punctuation"):
        load_counts(cased)


@pytest.mark.parametrize("other, areas, key", [
    ("Merseyside Police", None, "merseyside"),  # one force: stored as merseyside
    ("Cleveland Police", None, "merseyside"),  # forces as peers
    ("Cleveland Police", "parts", "merseyside-police"),  # districts of one force: the name's slug is the key
])
def test_a_duplicate_row_names_its_area_by_the_key_it_is_stored_under(write_csv, other, areas, key):
    path = write_csv("month,force,crime_type,count\n2020-01,Merseyside Police,Burglary,10\n"
                     f"2020-01,{other},Robbery,5\n2020-01,Merseyside Police,Burglary,11\n")
    with pytest.raises(DataError, match=f"row 4: a second count for burglary in {key} in 2020-01"):
        load_counts(path, areas=areas)


@pytest.mark.parametrize("asb, burglary, robbery, typo", [
    ("Anti-social behaviour", "Burglary", "Robbery", "Burglery"),  # police.uk's own names
    ("anti-social-behaviour", "burglary", "robbery", "burglery"),  # written as slugs: still police.uk, still named
])
def test_a_mistyped_police_uk_crime_type_is_named_by_row_rather_than_made_a_category(write_csv, asb, burglary,
                                                                                    robbery, typo):
    rows = "".join(f"2020-0{m},Merseyside Police,{t},{n}\n" for m in (1, 2, 3)
                   for t, n in ((asb, 50), (burglary, 10), (robbery, 5)))
    path = write_csv("month,force,crime_type,count\n" + rows.replace(f"2020-02,Merseyside Police,{burglary}",
                                                                     f"2020-02,Merseyside Police,{typo}"))
    with pytest.raises(DataError, match=f"row 6, column crime_type: '{typo}' is not a police.uk crime type; "
                                        "did you mean 'Burglary'"):
        load_counts(path)
    mapped = write_csv(f"source,category,in_total\n{typo},burglary-typo,yes\n", name="map.csv")
    assert "burglary-typo" in set(load_counts(path, category_map=mapped)["category"])  # mapped on purpose: kept


def test_a_mistyped_crime_type_is_named_before_a_duplicate_row(write_csv):
    """A file with both: the duplicate row (which names its area by its stored key) was said first, though the
    misspelt row is what a user corrects first (read as it stands it changes how every category is mapped)."""
    rows = "".join(f"2020-0{m},Merseyside Police,{t},{n}\n" for m in (1, 2, 3)
                   for t, n in (("Anti-social behaviour", 50), ("Burglary", 10), ("Robbery", 5)))
    path = write_csv("month,force,crime_type,count\n" + rows.replace("2020-02,Merseyside Police,Burglary",
                                                                     "2020-02,Merseyside Police,Burglery")
                     + "2020-03,Merseyside Police,Robbery,6\n")
    with pytest.raises(DataError, match="row 6, column crime_type: 'Burglery' is not a police.uk crime type"):
        load_counts(path)


def test_an_import_reads_its_category_map_once(write_csv, monkeypatch):
    """Without --sum-duplicates the map file was read twice: for the duplicate check, then for the import."""
    import crimecast.data.load as load_module

    reads, read = [], load_module.read_map_file
    monkeypatch.setattr(load_module, "read_map_file", lambda path: reads.append(path) or read(path))
    path = write_csv("month,area,category,count\n2020-01,north,Burglary - residential,10\n2020-02,north,"
                     "Burglary - residential,11\n")
    mapping = write_csv("source,category\nBurglary - residential,residential-burglary\n", name="map.csv")
    assert set(load_counts(path, category_map=mapping)["category"]) == {"residential-burglary"}
    assert len(reads) == 1


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("month,count\n", "header but no rows"),
    ("month,count\n2013-01,5\nnot-a-month,6\n", "row 3, 'not-a-month' is not a month"),
    ("month,count\n2013-01,5\n2013-02,-2\n", "row 3, column count: '-2'"),
    ("month,count\n2013-01,5\n2013-02,lots\n", "row 3, column count: 'lots'"),
    ("month,count\n2013-01,5\n2013-01,6\n", "row 3: a second count"),
    ("month,count\n2013-01,5\n2013-05,6\n", "3 months in a row with no count \\(2013-02, 2013-03, 2013-04\\)"),
    ("month;count\n2013-01;5\n", "separated by semicolons"),
])
def test_bad_files_get_one_clear_error(write_csv, text, message):
    path = write_csv(text)
    with pytest.raises(DataError, match=message):
        load_counts(path)


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_counts(tmp_path / "nope.csv")


@needs_shared_data
def test_real_london_panel_wide_with_major_categories_summed():
    counts = load_counts(LONDON, columns=ColumnMap(wide=True, category_col="MajorText", area_col="BoroughName"),
                         sum_duplicates=True, fill_missing="zero")
    assert counts["month"].min() == pd.Timestamp("2010-04-01") and counts["month"].max() == pd.Timestamp("2023-09-01")
    assert "burglary" in set(counts["category"]) and "westminster" in set(counts["area"])


@needs_shared_data
def test_real_home_office_quarters_with_separate_quarter_column():
    columns = ColumnMap(date_col="Financial Year", quarter_col="Financial Quarter", quarterly=True,
                        value_col="Number of Offences")
    with pytest.raises(DataError, match="row 661: a second count for theft-offences in london-city-of"):
        load_counts(HOME_OFFICE, columns=columns, fill_missing="zero")
    counts = load_counts(HOME_OFFICE, columns=columns, fill_missing="zero", sum_duplicates=True)
    west_midlands = counts[counts["area"] == "west-midlands"]
    assert west_midlands["month"].min() == pd.Timestamp("2002-04-01")


@needs_shared_data
def test_real_police_uk_gap_in_2019_07_is_reported_then_filled():
    with pytest.raises(DataError, match="2019-07"):
        load_counts(POLICE_UK, fill_missing="error")
    filled = load_counts(POLICE_UK, fill_missing="interpolate")
    assert any("2019-07" in note for note in filled.attrs["notes"])

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from crimecast.data.police_uk import force_slug, import_street_files
from crimecast.errors import DataError
from tests.builders import STREET_HEADER, street_archive, street_csv_text
from tests.conftest import SHARED_DATA, needs_shared_data


def _series(data, area, category):
    counts = data.counts
    return counts[(counts["area"] == area) & (counts["category"] == category)].set_index("month")["count"]


def test_force_names_become_short_slugs():
    assert force_slug("Merseyside Police") == "merseyside"
    assert force_slug("Avon and Somerset Constabulary") == "avon-and-somerset"


def test_archive_counts_each_force_month_and_type(tmp_path):
    data = import_street_files([street_archive(tmp_path)])
    assert data.areas == "peers" and data.whole is None and data.frequency == "month"
    assert set(data.counts["area"]) == {"merseyside", "cleveland"}
    burglary = _series(data, "merseyside", "burglary")
    assert burglary.index.tolist() == list(pd.date_range("2020-01-01", periods=3, freq="MS"))
    assert (burglary >= 7).all()  # six or more located rows plus the row with no location
    assert any("outcomes" in note for note in data.notes)


def test_asb_is_a_series_of_its_own_outside_the_total(tmp_path):
    data = import_street_files([street_archive(tmp_path)])
    in_total = data.categories.set_index("category")["in_total"]
    assert not in_total["anti-social-behaviour"] and in_total["burglary"]
    assert "all burglary" in data.categories.set_index("category").at["burglary", "note"]


def test_a_month_in_the_archive_without_a_type_is_a_true_zero_and_a_missing_file_is_a_gap(tmp_path):
    archive = street_archive(tmp_path, missing=("Cleveland Police", "2020-02"),
                             skip_type=("Merseyside Police", "2020-02", "Shoplifting"))
    data = import_street_files([archive])
    assert _series(data, "merseyside", "shoplifting").loc["2020-02-01"] == 0
    assert pd.Timestamp("2020-02-01") not in _series(data, "cleveland", "shoplifting").index


def test_local_authority_level_keeps_force_totals_reports_unlocated_and_outside_rows(tmp_path):
    data = import_street_files([street_archive(tmp_path)], area_level="local-authority")
    areas = set(data.counts["area"])
    assert {"liverpool", "wirral", "sefton", "halton", "middlesbrough", "merseyside", "cleveland"} <= areas
    month = pd.Timestamp("2020-01-01")
    merseyside = data.counts[(data.counts["month"] == month) & (data.counts["category"] == "burglary")]
    force_total = merseyside.loc[merseyside["area"] == "merseyside", "count"].item()
    parts = merseyside.loc[merseyside["area"].isin(["liverpool", "wirral", "sefton", "halton"]), "count"].sum()
    assert force_total == parts + 1  # the row with no location counts at force level only
    assert any("no location" in note for note in data.notes)
    assert any("outside its own area (Halton)" in note for note in data.notes)
    level = data.hierarchy.set_index("area")["level"]
    assert level["halton"].endswith("(outside the force)") and level["liverpool"] == "local-authority"


def test_one_force_is_a_whole_of_its_districts(tmp_path):
    path = tmp_path / "2020-01-merseyside-street.csv"
    path.write_text(street_csv_text("Merseyside Police", "2020-01", seed=1), encoding="utf-8")
    data = import_street_files([path], area_level="local-authority")
    assert data.areas == "parts" and data.whole == "force" and "force" in set(data.counts["area"])


def test_lsoa_lookup_maps_to_partnerships(tmp_path):
    lookup = tmp_path / "lookup.csv"
    lookup.write_text("lsoa_code,csp\nE01012393,Halton CSP\n", encoding="utf-8")
    data = import_street_files([street_archive(tmp_path)], lsoa_lookup=lookup)
    assert "halton-csp" in set(data.counts["area"])


@pytest.mark.parametrize("make, message", [
    (lambda d: (d / "bad.zip").write_bytes(b"not a zip") and d / "bad.zip", "not a readable zip"),
    (lambda d: _zip(d, {"readme.txt": "x"}), "holds no street files"),
    (lambda d: _zip(d, {}), "holds no street files"),
    (lambda d: _file(d, "2020-01-merseyside-street.csv", ",".join(STREET_HEADER) + "\nabc,2020-01,x\n"),
     "cannot be read as a police.uk street file"),
    (lambda d: _file(d, "2020-01-merseyside-street.csv", "Month,Crime type\n2020-01,Burglary\n"),
     r"not a police.uk street file.*A file of counts .* imports with `forecast data import csv \S*2020-01-merseyside-street.csv "
     r"--name NAME`"),  # was: "csv FILE", though the file was named
    (lambda d: _file(d, "pfa.csv", "Financial Year,Financial Quarter,Force Name,Offence Group,Number of Offences\n"
                                   "2002/03,1,Avon & Somerset,Drug offences,561\n"),  # was: the csv importer named
     r"not a police.uk street file.*Home Office open data table's.*`forecast data import home-office .*pfa.csv "
     r"--name NAME --sum-duplicates`"),
    (lambda d: _bytes(d, "2020-01-merseyside-street.csv",
                      street_csv_text("Merseyside Police", "2020-01", seed=1).replace("High Street", "Caf\xe9 Street").encode("latin-1")),
     "cannot be read|not UTF-8"),
])
def test_bad_archives_get_one_clear_error(tmp_path, make, message):
    with pytest.raises(DataError, match=message):
        import_street_files([make(tmp_path)])


def test_a_file_of_counts_in_an_archive_is_pointed_to_the_csv_importer_as_file(tmp_path):
    """A file inside a zip has no path of its own to give `import csv`: it is named FILE (a file given whole, by its
    own path: see test_bad_archives_get_one_clear_error)."""
    archive = _zip(tmp_path, {"2020-01-merseyside-street.csv": "Month,Crime type\n2020-01,Burglary\n"})
    with pytest.raises(DataError, match=r"archive.zip: 2020-01-merseyside-street.csv: not a police.uk street file.*"
                                        r"`forecast data import csv FILE --name NAME`"):
        import_street_files([archive])


def _zip(folder, members):
    path = folder / "archive.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def _file(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _bytes(folder, name, data):
    path = folder / name
    path.write_bytes(data)
    return path


def test_a_header_only_or_renamed_street_file_is_one_clear_error_naming_it(tmp_path):
    good = _file(tmp_path, "2020-01-merseyside-street.csv", street_csv_text("Merseyside Police", "2020-01", seed=1))
    header_only = _file(tmp_path, "2020-02-merseyside-street.csv", ",".join(STREET_HEADER) + "\n")
    with pytest.raises(DataError, match=r"2020-02-merseyside-street.csv: a header but no rows"):
        import_street_files([good, header_only])
    renamed = _file(tmp_path, "2020-03-merseyside-street.csv",
                    street_csv_text("Merseyside Police", "2020-03", seed=1).replace("Crime type", "crime_type", 1))
    with pytest.raises(DataError, match=r"2020-03-merseyside-street.csv: .*column 10 is 'crime_type', not 'Crime type'"):
        import_street_files([good, renamed])


def test_a_spreadsheets_trailing_blank_rows_are_no_rows(tmp_path):
    text = street_csv_text("Merseyside Police", "2020-01", seed=1)
    clean = import_street_files([_file(tmp_path, "2020-01-merseyside-street.csv", text)])
    resaved = tmp_path / "resaved"
    resaved.mkdir()
    blank = import_street_files([_file(resaved, "2020-01-merseyside-street.csv", text + ",,,,,,,,,,,\n,,,,,,,,,,,\n")])
    pd.testing.assert_frame_equal(blank.counts, clean.counts)


def test_a_force_month_in_two_files_is_counted_once_or_refused_naming_both(tmp_path):
    text = street_csv_text("Merseyside Police", "2020-01", seed=1)
    once = import_street_files([_file(tmp_path, "2020-01-merseyside-street.csv", text)])
    copy = _file(tmp_path, "2020-01-merseyside-street (1).csv", text)
    twice = import_street_files([tmp_path / "2020-01-merseyside-street.csv", copy, copy])
    pd.testing.assert_frame_equal(twice.counts, once.counts)
    assert any("(1).csv left out: the same file as" in note for note in twice.notes)
    assert [Path(f.path).name for f in twice.files] == ["2020-01-merseyside-street.csv"]  # the copy left out is no file
    saved, resaved = tmp_path / "c", tmp_path / "d"  # the same download saved twice: the second archive adds nothing
    saved.mkdir(), resaved.mkdir()
    later = street_csv_text("Merseyside Police", "2020-02", seed=2)
    kept = _zip(saved, {"2020-01/2020-01-merseyside-street.csv": text})
    again = import_street_files([kept, _zip(resaved, {"2020-01/2020-01-merseyside-street.csv": text})])
    assert [f.path for f in again.files] == [str(kept)]
    both = import_street_files([kept, _zip(resaved, {"2020-01/2020-01-merseyside-street.csv": text,
                                                     "2020-02/2020-02-merseyside-street.csv": later})])
    assert [Path(f.path).parent.name for f in both.files] == ["c", "d"]  # the second archive's 2020-02 is read
    first, second = tmp_path / "a", tmp_path / "b"  # two overlapping downloads, the month revised in the later one
    first.mkdir(), second.mkdir()
    old = _zip(first, {"2020-01/2020-01-merseyside-street.csv": text})
    new = _zip(second, {"2020-01/2020-01-merseyside-street.csv": text.rsplit("\n", 2)[0] + "\n"})
    with pytest.raises(DataError, match=r"archive.zip: 2020-01-merseyside-street.csv and archive.zip: "
                                         r"2020-01-merseyside-street.csv both hold Merseyside Police's 2020-01 and differ"):
        import_street_files([old, new])


@needs_shared_data
def test_real_street_files_city_of_london_robbery_april_2020_is_a_true_zero():
    data = import_street_files([SHARED_DATA / "police-uk-street"], area_level="local-authority")
    robbery = _series(data, "city-of-london", "robbery")
    assert robbery.loc["2020-04-01"] == 0
    assert pd.Timestamp("2020-04-01") not in _series(data, "merseyside", "robbery").index  # no Merseyside file that month
    assert "city-of-london-area" in set(data.counts["area"])  # the authority, told apart from the force
    assert any("City of London (City of London Police) is 'city-of-london-area'" in note for note in data.notes)

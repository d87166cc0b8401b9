import multiprocessing
import time

import duckdb
import pandas as pd
import pytest

from crimecast.data.imports import ImportOptions, import_data
from crimecast.data.store import connect, drop_dataset, list_datasets, read_dataset
from crimecast.errors import DataError
from tests.builders import home_office_text, street_archive
from tests.conftest import SHARED_DATA

SHARED_STREET = SHARED_DATA / "police-uk-street"


def _table(store, sql):
    with duckdb.connect(str(store), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_import_is_recorded_with_provenance_and_queryable_with_sql(tmp_path):
    store = tmp_path / "crimecast.duckdb"
    summary = import_data("police-uk", [street_archive(tmp_path)], name="north", store=store)
    assert not summary.unchanged and summary.periods_added == 3
    assert _table(store, "SELECT count(DISTINCT area) FROM counts WHERE dataset = 'north'") == [(2,)]
    (path, sha, version), = _table(store, "SELECT path, sha256, crimecast_version FROM files")
    assert path.endswith("archive.zip") and len(sha) == 64 and version
    stored = read_dataset("north", store=store)
    assert stored.kind == "police-uk" and stored.frequency == "month" and stored.areas == "peers"


def test_importing_the_same_files_again_changes_nothing(tmp_path):
    store = tmp_path / "s.duckdb"
    archive = street_archive(tmp_path)
    import_data("police-uk", [archive], name="north", store=store)
    before = read_dataset("north", store=store)
    again = import_data("police-uk", [archive], name="north", store=store)
    after = read_dataset("north", store=store)
    assert again.unchanged and before.fingerprint == after.fingerprint and before.updated_at == after.updated_at


def test_newer_months_extend_a_dataset(tmp_path):
    store = tmp_path / "s.duckdb"
    first = tmp_path / "a"
    first.mkdir()
    import_data("police-uk", [street_archive(first, months=("2020-01", "2020-02"))], name="north", store=store)
    second = tmp_path / "b"
    second.mkdir()
    summary = import_data("police-uk", [street_archive(second, months=("2020-02", "2020-03"))], name="north", store=store)
    assert summary.periods_added == 1
    months = read_dataset("north", store=store).counts["month"].unique()
    assert sorted(pd.to_datetime(months)) == list(pd.date_range("2020-01-01", periods=3, freq="MS"))
    assert len(read_dataset("north", store=store).files) == 2


def test_a_failed_import_leaves_the_store_as_it_was(tmp_path, write_csv):
    store = tmp_path / "s.duckdb"
    import_data("home-office", [write_csv(home_office_text())], name="forces", store=store)
    before = read_dataset("forces", store=store)
    with pytest.raises(DataError, match="second row"):
        import_data("home-office", [write_csv(home_office_text(quarters=20, duplicate=True), name="b.csv")],
                    name="forces", store=store)
    after = read_dataset("forces", store=store)
    assert before.fingerprint == after.fingerprint and len(after.files) == 1


def test_other_import_options_need_replace(tmp_path):
    store = tmp_path / "s.duckdb"
    archive = street_archive(tmp_path)
    import_data("police-uk", [archive], name="north", store=store)
    with pytest.raises(DataError, match="other options.*--replace"):
        import_data("police-uk", [archive], name="north", store=store, options=ImportOptions(area_level="local-authority"))
    summary = import_data("police-uk", [archive], name="north", store=store, replace=True,
                          options=ImportOptions(area_level="local-authority"))
    assert summary.series > 20


def test_list_show_and_drop(tmp_path, write_csv):
    store = tmp_path / "s.duckdb"
    import_data("home-office", [write_csv(home_office_text())], name="forces", store=store)
    listed = list_datasets(store)
    assert listed["name"].tolist() == ["forces"] and listed["frequency"].tolist() == ["quarter"]
    assert drop_dataset("forces", store=store) > 0
    with pytest.raises(DataError, match="no dataset 'forces'.*none yet"):
        read_dataset("forces", store=store)


def test_unknown_dataset_suggests_a_name(tmp_path, write_csv):
    store = tmp_path / "s.duckdb"
    import_data("home-office", [write_csv(home_office_text())], name="forces", store=store)
    with pytest.raises(DataError, match="no dataset 'force'.*Did you mean 'forces'"):
        read_dataset("force", store=store)


def test_files_that_are_not_crimecast_stores_are_refused(tmp_path):
    text = tmp_path / "notes.duckdb"
    text.write_text("hello")
    with pytest.raises(DataError, match="not a crimecast store"):
        with connect(text):
            pass
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as connection:
        connection.execute("CREATE TABLE x (a INT)")
    with pytest.raises(DataError, match="not a crimecast store"):
        with connect(other, write=True):
            pass
    with pytest.raises(DataError, match="no store at"):
        with connect(tmp_path / "missing.duckdb"):
            pass


def _hold_store(path, ready, seconds):
    with connect(path, write=True):
        ready.set()
        time.sleep(seconds)


def test_a_second_import_while_one_runs_fails_cleanly(tmp_path, write_csv):
    store = tmp_path / "s.duckdb"
    with connect(store, write=True):
        pass
    ready = multiprocessing.get_context("spawn").Event()
    holder = multiprocessing.get_context("spawn").Process(target=_hold_store, args=(store, ready, 4))
    holder.start()
    try:
        assert ready.wait(30)
        with pytest.raises(DataError, match="in use by another crimecast process"):
            with connect(store, write=True, wait_seconds=0.5):
                pass
    finally:
        holder.terminate()  # the lock dies with the process holding it: no need to wait out its hold
        holder.join()
    import_data("home-office", [write_csv(home_office_text())], name="forces", store=store)  # free again
    assert read_dataset("forces", store=store).frequency == "quarter"


def _street_month(folder, force, month, **kwargs):
    from tests.builders import FORCES, street_csv_text

    path = folder / f"{month}-{FORCES[force][0]}-street.csv"
    path.write_text(street_csv_text(force, month, seed=int(month[-2:]), **kwargs))
    return path


def _stored_tables(store, name):
    stored = read_dataset(name, store=store)
    return (stored.counts.sort_values(["category", "area", "month"], ignore_index=True),
            stored.categories.sort_values("category", ignore_index=True)[["category", "source_name", "in_total"]],
            sorted(stored.hierarchy["area"]))


def test_police_uk_months_imported_one_by_one_give_the_one_shot_table(tmp_path):
    """A crime type absent from one month's file is a true zero whichever route the files take:
    vehicle crime is missing from the first file imported (2020-01) and first seen in the second
    (2020-03, out of order); robbery is missing from the last (2020-02)."""
    force = "Merseyside Police"
    files = [_street_month(tmp_path, force, "2020-01", skip_type="Vehicle crime"),
             _street_month(tmp_path, force, "2020-02", skip_type="Robbery"),
             _street_month(tmp_path, force, "2020-03")]
    store = tmp_path / "s.duckdb"
    options = ImportOptions(area_level="local-authority")
    import_data("police-uk", files, name="once", store=store, options=options)
    for index in (0, 2, 1):
        import_data("police-uk", [files[index]], name="stepwise", store=store, options=options)
    once, stepwise = _stored_tables(store, "once"), _stored_tables(store, "stepwise")
    pd.testing.assert_frame_equal(once[0], stepwise[0])
    pd.testing.assert_frame_equal(once[1], stepwise[1])
    assert once[2] == stepwise[2]
    robbery = stepwise[0][(stepwise[0]["category"] == "robbery") & (stepwise[0]["area"] == "liverpool")]
    vehicle = stepwise[0][(stepwise[0]["category"] == "vehicle-crime") & (stepwise[0]["area"] == "liverpool")]
    assert robbery.set_index("month").at[pd.Timestamp("2020-02-01"), "count"] == 0
    assert vehicle.set_index("month").at[pd.Timestamp("2020-01-01"), "count"] == 0


@pytest.mark.skipif(not (SHARED_STREET / "2020-04-city-of-london-street.csv").exists(),
                    reason="the real police.uk street files (../shared/data/police-uk-street) are not here")
def test_real_city_of_london_months_one_by_one_keep_robbery_april_2020_as_a_true_zero(tmp_path):
    files = [SHARED_STREET / "2019-01-city-of-london-street.csv", SHARED_STREET / "2020-04-city-of-london-street.csv"]
    store = tmp_path / "s.duckdb"
    import_data("police-uk", files, name="once", store=store)
    for path in files:
        import_data("police-uk", [path], name="stepwise", store=store)
    once, stepwise = _stored_tables(store, "once"), _stored_tables(store, "stepwise")
    pd.testing.assert_frame_equal(once[0], stepwise[0])
    robbery = stepwise[0][stepwise[0]["category"] == "robbery"].set_index("month")["count"]
    assert robbery.loc["2020-04-01"] == 0


def test_an_extension_by_another_force_is_refused_and_changes_nothing(tmp_path, write_csv):
    """A one-force dataset keeps its force as area 'force': another force's next file would overwrite its counts
    (police.uk) or be summed with it (a CSV's force column)."""
    store = tmp_path / "s.duckdb"
    import_data("police-uk", [_street_month(tmp_path, "Merseyside Police", "2020-01")], name="one", store=store)
    before = read_dataset("one", store=store)
    with pytest.raises(DataError, match=r"holds Merseyside Police's counts as area 'force'; this import's area 'force' "
                                        r"is Cleveland Police.*--replace"):
        import_data("police-uk", [_street_month(tmp_path, "Cleveland Police", "2020-02")], name="one", store=store)
    assert read_dataset("one", store=store).fingerprint == before.fingerprint
    avon = write_csv("month,force,crime_type,count\n2020-01,Avon Police,Burglary,5\n2020-02,Avon Police,Burglary,6\n", "a.csv")
    other = write_csv("month,force,crime_type,count\n2020-01,Kent Police,Burglary,7\n", "k.csv")
    import_data("csv", [avon], name="avon", store=store)
    with pytest.raises(DataError, match=r"this import adds Kent Police, which would be summed with it into area 'force'"):
        import_data("csv", [other], name="avon", store=store)
    later = write_csv("month,force,crime_type,count\n2020-03,Avon Police,Burglary,4\n", "a3.csv")
    assert import_data("csv", [later], name="avon", store=store).periods_added == 1  # the same force extends it
    shouted = write_csv("month,force,crime_type,count\n2020-04,AVON POLICE ,Burglary,3\n", "a4.csv")
    assert import_data("csv", [shouted], name="avon", store=store).periods_added == 1  # ... however it is written


@pytest.mark.parametrize("level", ["force", "local-authority"])
def test_one_forces_next_month_extends_a_dataset_of_several_as_a_one_shot_import_would(tmp_path, level):
    """Was refused ("this import holds one force ... Import it together with a file of another of the dataset's
    forces"): the month is that force's, beside the others' (peers are never summed); they have none yet."""
    store, options = tmp_path / "s.duckdb", ImportOptions(area_level=level)
    archive = street_archive(tmp_path, months=("2020-01",))
    mersey = _street_month(tmp_path, "Merseyside Police", "2020-02")
    import_data("police-uk", [archive], name="two", store=store, options=options)
    summary = import_data("police-uk", [mersey], name="two", store=store, options=options)
    assert summary.periods_added == 1
    assert "one force's files (Merseyside Police) extend dataset 'two' of several forces: its counts are area " \
           "'merseyside'" in " ".join(summary.notes)
    assert "the forces end at different months (merseyside 2020-02; cleveland 2020-01)" in " ".join(summary.notes)
    import_data("police-uk", [archive, mersey], name="once", store=store, options=options)
    stepwise, once = _stored_tables(store, "two"), _stored_tables(store, "once")
    pd.testing.assert_frame_equal(stepwise[0], once[0])  # no month made up for Cleveland, no area 'force'
    assert stepwise[2] == once[2]
    assert read_dataset("two", store=store).areas == "peers"


def test_list_counts_the_periods_missing_inside_each_datasets_series(tmp_path, write_csv):
    store = tmp_path / "s.duckdb"
    import_data("police-uk", [street_archive(tmp_path, missing=("Cleveland Police", "2020-02"))], name="north",
                store=store)
    import_data("home-office", [write_csv(home_office_text(gap=("2013/14", 2)))], name="forces", store=store)
    listed = list_datasets(store).set_index("name")
    north = read_dataset("north", store=store).counts
    cleveland = len(north.loc[north["area"] == "cleveland", "category"].unique())  # each of its series lacks 2020-02
    assert cleveland > 1 and (listed.loc["north", "missing"], listed.loc["north", "gappy"]) == (cleveland, cleveland)
    # quarterly: Merseyside's two offence groups each lack one quarter (one period, not three months)
    assert (listed.loc["forces", "missing"], listed.loc["forces", "gappy"]) == (2, 2)

def test_a_replaced_dataset_keeps_only_its_own_files(tmp_path):
    store = tmp_path / "s.duckdb"
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    old = street_archive(first, months=("2020-01", "2020-02"))
    import_data("police-uk", [old], name="north", store=store)
    new = street_archive(second, months=("2020-02", "2020-03"))
    import_data("police-uk", [new], name="north", store=store, replace=True)
    assert list(read_dataset("north", store=store).files["path"]) == [str(new)]
    again = import_data("police-uk", [old], name="north", store=store)  # no longer in it: read, not "nothing changed"
    assert not again.unchanged and again.periods_added == 1

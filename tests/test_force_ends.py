import pandas as pd

from crimecast.data.force_ends import ends_note, force_ends, forces_in, parents_in, ragged
from crimecast.data.frequency import MONTHLY


def _hierarchy(rows):
    return pd.DataFrame(rows, columns=["area", "name", "parent", "level"])


def test_the_forces_of_a_dataset_of_named_forces_and_where_each_ends():
    hierarchy = _hierarchy([("merseyside", "Merseyside Police", None, "force"), ("cleveland", None, None, "force"),
                            ("wirral", "Wirral", "merseyside", "local-authority")])
    forces = forces_in(hierarchy, areas="peers", kind="police-uk")
    assert forces == ["cleveland", "merseyside"]  # named or not, once any is
    months = pd.DataFrame({"month": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-01-01", "2020-03-01"]),
                           "area": ["cleveland", "merseyside", "merseyside", "wirral"]})
    ends = force_ends(months, forces, parents_in(hierarchy))  # a district's month is its force's
    assert ends == {"cleveland": pd.Timestamp("2020-01-01"), "merseyside": pd.Timestamp("2020-03-01")} and ragged(ends)
    assert ends_note(ends, MONTHLY) == ("the forces end at different months (merseyside 2020-03; cleveland 2020-01): a "
                                        "command uses the data up to the last month every force it asks for has.")


def test_areas_that_are_not_named_forces_or_one_force_have_no_force_ends():
    local_authorities = _hierarchy([("wirral", None, None, "force"), ("halton", None, None, "force")])
    assert forces_in(local_authorities, areas="peers", kind="csv") == []
    one = _hierarchy([("force", "Merseyside Police", None, "force")])
    assert forces_in(one, areas="parts", kind="police-uk") == []


def test_forces_of_a_table_published_whole_never_wait_so_the_data_is_not_cut_back_to_a_gap():
    """The Home Office table as of 2013-12: Devon and Cornwall's 2013/14 Q3 is missing (a gap), and its forces were
    read as waiting, which held every category's whole, and so the dataset drift, a quarter behind."""
    from crimecast.data.series import season_references

    hierarchy = _hierarchy([("devon-cornwall", "Devon and Cornwall", None, "force"), ("kent", "Kent", None, "force")])
    assert forces_in(hierarchy, areas="peers", kind="police-uk") == ["devon-cornwall", "kent"]
    assert forces_in(hierarchy, areas="peers", kind="home-office") == []
    quarters = pd.date_range("2013-01-01", periods=4, freq="QS-JAN")
    counts = pd.DataFrame([(q, "kent", "robbery", 10) for q in quarters] +
                          [(q, "devon-cornwall", "robbery", 5) for q in quarters[:3]],
                          columns=["month", "area", "category", "count"])
    for kind, last in (("police-uk", quarters[2]), ("home-office", quarters[3])):
        counts.attrs.update(areas="peers", parents={}, forces=forces_in(hierarchy, areas="peers", kind=kind))
        assert season_references(counts)["robbery"].index[-1] == last


def test_a_force_far_behind_the_others_has_stopped_rather_than_waiting_for_its_next_months():
    months = pd.DataFrame({"month": pd.to_datetime(["2020-06-01", "2020-03-01", "2020-02-01"]),
                           "area": ["essex", "kent", "surrey"]})
    ends = force_ends(months, ["essex", "kent", "surrey"], {})  # three months behind waits; four has stopped
    assert ends == {"essex": pd.Timestamp("2020-06-01"), "kent": pd.Timestamp("2020-03-01")}


def test_a_counts_file_of_forces_stored_without_their_names_is_known_by_its_import_options():
    """A store made before the forces' names were recorded has none: its forces are known from the options the
    counts file was imported with (a column of forces), never for a column of local authorities or where the options
    cannot tell (--areas peers without --area-col)."""
    unnamed = _hierarchy([("merseyside", None, None, "force"), ("cleveland", None, None, "force")])
    for options in ({"areas": None, "sum_duplicates": False}, {"area_col": "force", "areas": "peers"}):
        assert forces_in(unnamed, areas="peers", kind="csv", options=options) == ["cleveland", "merseyside"]
    for options in ({"area_col": "local_authority_from_lsoa_name", "areas": "peers"}, {"areas": "peers"}, None):
        assert forces_in(unnamed, areas="peers", kind="csv", options=options) == []

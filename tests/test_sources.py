import numpy as np
import pandas as pd
import pytest

from crimecast.data.imports import ImportOptions, import_data
from crimecast.data.load import ColumnMap, load_counts
from crimecast.data.series import catalogue, season_references, series_of, with_totals
from crimecast.data.sources import DataSource, cut_at, notes_for, open_counts, restrict_to
from crimecast.errors import DataError, UsageError
from tests.builders import home_office_text, replay_text, street_archive
from tests.conftest import HOME_OFFICE, needs_shared_data


def test_default_is_the_embedded_illustrative_data():
    counts = open_counts()
    assert counts.attrs["illustrative"] and "force" in set(counts["area"])


def test_as_of_cuts_the_data_and_says_so():
    counts = open_counts(DataSource(as_of=pd.Timestamp("2012-06-01")))
    assert counts["month"].max() == pd.Timestamp("2012-06-01")
    assert any("as it stood at the end of 2012-06" in note for note in counts.attrs["notes"])
    with pytest.raises(UsageError, match="before the data starts"):
        open_counts(DataSource(as_of=pd.Timestamp("1999-01-01")))


def test_a_name_that_is_not_a_file_is_looked_up_in_the_store(tmp_path):
    store = tmp_path / "s.duckdb"
    import_data("police-uk", [street_archive(tmp_path)], name="north", store=store)
    counts = open_counts(DataSource(data="north", store=str(store)))
    assert counts.attrs["source"] == "north" and counts.attrs["areas"] == "peers"
    with pytest.raises(DataError, match="not a file, an embedded dataset"):
        open_counts(DataSource(data="south", store=str(store)))
    with pytest.raises(DataError, match="^plan.yaml: data: 'nort' is not a file.*Did you mean 'north'\\?"):
        open_counts(DataSource(store=str(store)).naming("nort", where="plan.yaml: data"))  # a file's key, named


def test_one_force_of_several_becomes_the_whole(tmp_path):
    store = tmp_path / "s.duckdb"
    import_data("police-uk", [street_archive(tmp_path)], name="north", store=store)
    both = open_counts(DataSource(dataset="north", store=str(store)))
    one = open_counts(DataSource(dataset="north", store=str(store), within="merseyside"))
    assert set(one["area"]) == {"force"} and one.attrs["source"] == "north (merseyside)"
    assert series_of(one, category="burglary", area="force").equals(series_of(both, category="burglary", area="merseyside")
                                                                     .rename("burglary / force"))
    with pytest.raises(DataError, match="unknown area 'mersey'.*Did you mean 'merseyside'"):
        restrict_to(both, "mersey")


def test_a_force_taken_out_keeps_the_sum_over_forces_as_its_seasonal_reference(tmp_path):
    store = tmp_path / "s.duckdb"
    import_data("police-uk", [street_archive(tmp_path)], name="north", store=store)
    both = open_counts(DataSource(dataset="north", store=str(store)))
    one = open_counts(DataSource(dataset="north", store=str(store), within="merseyside"))
    forces = sorted(set(both["area"]) - set(both.attrs.get("parents", {})))
    assert len(forces) > 1
    summed = sum(series_of(both, category="burglary", area=f) for f in forces)
    for counts in (both, one):  # every force, and one taken out, pool with the same whole
        np.testing.assert_allclose(season_references(counts)["burglary"].to_numpy(), summed.to_numpy())


def test_quarterly_as_of_must_end_a_quarter(write_csv, tmp_path):
    store = tmp_path / "s.duckdb"
    import_data("home-office", [write_csv(home_office_text())], name="forces", store=store)
    counts = open_counts(DataSource(dataset="forces", store=str(store)))
    assert cut_at(counts, pd.Timestamp("2014-03-01"))["month"].max() == pd.Timestamp("2014-01-01")
    with pytest.raises(UsageError, match="middle of a quarter.*2013-12.*2014-03"):
        cut_at(counts, pd.Timestamp("2014-02-01"))


def test_two_category_levels_coexist_and_only_the_major_one_is_totalled(write_csv):
    path = write_csv("Major,Minor,Borough,201301,201302\nBurglary,Burglary in a dwelling,North,5,6\n"
                     "Burglary,Burglary business,North,2,1\nRobbery,Robbery of personal property,North,3,3\n")
    counts = with_totals(load_counts(path, columns=ColumnMap(wide=True, category_col="Major", area_col="Borough",
                                                             minor_col="Minor")))
    north = counts[counts["area"] == "north"].set_index(["category", "month"])["count"]
    assert north[("burglary", pd.Timestamp("2013-01-01"))] == 7
    assert north[("burglary-in-a-dwelling", pd.Timestamp("2013-01-01"))] == 5
    assert north[("total-recorded-crime", pd.Timestamp("2013-01-01"))] == 10
    table = catalogue(counts).set_index("category")
    assert table.at["burglary-business", "in_total"] == "no" and table.at["burglary-business", "note"] == "minor category of burglary"


def test_a_series_left_out_for_a_long_gap_says_why_when_asked_for(write_csv):
    rows = [f"2013-{m:02d},north,burglary,{10 + m}" for m in range(1, 13) if m not in (4, 5, 6)]
    rows += [f"2013-{m:02d},north,robbery,{5 + m}" for m in range(1, 13)]
    counts = with_totals(load_counts(write_csv("month,area,category,count\n" + "\n".join(rows) + "\n")))
    assert any("1 series left out" in note for note in counts.attrs["notes"])
    assert "robbery" in set(counts["category"]) and "burglary" not in set(counts["category"])
    with pytest.raises(DataError, match="burglary in north has 3 months in a row"):
        series_of(counts, category="burglary", area="north")
    with pytest.raises(DataError, match="no total recorded crime for north"):
        series_of(counts, category="total-recorded-crime", area="north")
    with pytest.raises(DataError, match="no force total for burglary: its part north was left out"):
        series_of(counts, category="burglary", area="force")
    with pytest.raises(DataError, match="no total recorded crime for force"):
        series_of(counts, category="total-recorded-crime", area="force")


def test_the_embedded_data_is_read_once_but_every_caller_gets_its_own_copy():
    first = open_counts()
    first.loc[0, "count"] = -1
    first.attrs["notes"].append("changed by a caller")
    second = open_counts()
    assert second.loc[0, "count"] >= 0 and "changed by a caller" not in second.attrs["notes"]
    assert second.equals(open_counts()) and second.attrs == open_counts().attrs


def test_a_force_taken_out_of_several_keeps_only_its_own_notes_on_gaps(write_csv):
    rows = [f"2013-{m:02d},{area},burglary,{10 + m}" for m in range(1, 13) for area in ("north", "south")
            if not (area == "south" and m in (4, 5, 6))]
    counts = load_counts(write_csv("month,area,category,count\n" + "\n".join(rows) + "\n"), areas="peers")
    assert any("(burglary / south)" in note for note in counts.attrs["notes"])
    assert not any("left out" in note for note in restrict_to(counts, "north").attrs["notes"])
    assert notes_for(counts, area="north") == [] and notes_for(counts, area="all") == counts.attrs["notes"]


def test_the_notes_on_gaps_speak_of_the_category_read_and_of_the_force_by_default(write_csv):
    """`forecast run burglary` listed robbery's gaps (the notes were narrowed to the areas asked for only, and not
    at all without --area); the force of districts reads every district, total recorded crime every category."""
    rows = [f"2013-{m:02d},{area},{category},{10 + m}" for m in range(1, 13) for area in ("north", "south")
            for category in ("burglary", "robbery", "theft")
            if not (area == "south" and category == "robbery" and m in (4, 5, 6))  # too long to fill: left out
            and not (area == "north" and category == "theft" and m == 8)]  # filled
    counts = with_totals(load_counts(write_csv("month,area,category,count\n" + "\n".join(rows) + "\n")))
    dropped = "1 series left out for gaps that may not be filled (robbery / south)"  # not 2: no force total formed
    filled = "filled 1 missing month in 1 series"

    def gaps(**asked) -> list[str]:
        return [said for said in (filled, dropped) if any(n.startswith(said) for n in notes_for(counts, **asked))]

    assert gaps(area=None) == [filled, dropped]
    assert gaps(area=None, category="burglary") == gaps(area="force", category="burglary") == []
    assert gaps(area=None, category="theft") == [filled] and gaps(area="south", category="theft") == []
    assert gaps(area=None, category="robbery") == gaps(area="all", category="robbery") == [dropped]
    assert gaps(area="north", category="total-recorded-crime") == [filled]
    assert notes_for(counts, area=None, category="all") == notes_for(counts, area=None) == counts.attrs["notes"]


def test_as_of_decides_gaps_on_the_data_as_it_stood_then(write_csv):
    """Gaps were decided on the whole data before --as-of cut it: a replay left out a series for a gap after the as-of
    month, and filled a month before it from a count after it (future data leaking into the replay)."""
    months = pd.date_range("2012-01-01", "2014-06-01", freq="MS")
    missing = {("burglary", "north"): {"2014-01", "2014-02", "2014-03"},  # too long to fill, after the as-of month
               ("robbery", "south"): {"2013-06", "2013-07"}}  # short, straddling the as-of month
    rows = [f"{m:%Y-%m},{area},{category},{20 + i % 12}" for category in ("burglary", "robbery")
            for area in ("north", "south") for i, m in enumerate(months)
            if f"{m:%Y-%m}" not in missing.get((category, area), ())]
    path = str(write_csv("month,area,category,count\n" + "\n".join(rows) + "\n"))
    whole = open_counts(DataSource(data=path, areas="peers"))  # no as-of: as before
    assert list(whole.attrs["dropped"]) == [("burglary", "north")] and len(whole.attrs["filled"]) == 2
    replay = open_counts(DataSource(data=path, areas="peers", as_of=pd.Timestamp("2013-06-01")))
    assert not replay.attrs["dropped"] and not replay.attrs["filled"]
    assert series_of(replay, category="burglary", area="north").index[-1] == pd.Timestamp("2013-06-01")
    assert series_of(replay, category="robbery", area="south").index[-1] == pd.Timestamp("2013-05-01")  # not filled
    assert not any("left out" in n or "filled" in n for n in replay.attrs["notes"])
    north = open_counts(DataSource(data=path, areas="peers", as_of=pd.Timestamp("2013-06-01"), within="north"))
    assert "2013-06 is the last month used (2014-06 is held)" in " ".join(north.attrs["notes"])


def test_a_replay_decides_gaps_as_the_data_stood_then_and_keeps_the_outcome_as_it_stands(write_csv):
    """Milestones and the Board pack at --as-of read the whole data (the year's outcome) and refit to the as-of month:
    their gaps were decided on the whole data, so a replay left out a series for a later gap and filled a month before
    the as-of month from a count after it."""
    path, as_of = str(write_csv(replay_text())), pd.Timestamp("2013-06-01")
    replay = open_counts(DataSource(data=path, areas="peers").replaying(as_of))
    then = open_counts(DataSource(data=path, areas="peers", as_of=as_of))
    known = replay[replay["month"] <= as_of].reset_index(drop=True)
    pd.testing.assert_frame_equal(known, then)  # up to the as-of month, as `run --as-of` reads it
    assert not replay.attrs["dropped"] and "held" not in replay.attrs
    assert replay.attrs["filled"] == [("burglary", "south", pd.Timestamp("2013-10-01"))]  # the outcome's, after it
    assert series_of(replay, category="burglary", area="north").index[-1] == as_of  # its later gap: outcome unknown
    assert series_of(replay, category="robbery", area="south").index[-1] == pd.Timestamp("2013-05-01")  # stopped then
    assert series_of(replay, category="robbery", area="north").index[-1] == pd.Timestamp("2014-06-01")  # the outcome
    assert series_of(replay, category="burglary", area="south").loc["2013-10-01"] == 27  # filled in the outcome (26, 28)
    assert not any("left out" in n or "filled" in n for n in replay.attrs["notes"])  # the gaps as they stood then
    assert DataSource(data=path).replaying(None) == DataSource(data=path)


@needs_shared_data
def test_a_replay_of_the_home_office_table_has_devon_and_cornwall_and_fills_no_fraud_from_later_quarters(tmp_path):
    store = tmp_path / "ho.duckdb"
    import_data("home-office", [HOME_OFFICE], name="forces", store=store, options=ImportOptions(sum_duplicates=True))
    counts = open_counts(DataSource(dataset="forces", store=str(store), as_of=pd.Timestamp("2013-06-01")))
    assert not counts.attrs["dropped"] and not counts.attrs["filled"]  # every gap of the table is after 2013/14 Q1
    assert series_of(counts, category="robbery", area="devon-cornwall").index[-1] == pd.Timestamp("2013-04-01")
    for force in ("greater-manchester", "devon-cornwall"):  # no count for 2013/14 Q1 as the data stood then
        assert series_of(counts, category="fraud-offences", area=force).index[-1] == pd.Timestamp("2013-01-01")
    replay = open_counts(DataSource(dataset="forces", store=str(store)).replaying(pd.Timestamp("2013-06-01")))
    assert not [f for f in replay.attrs["filled"] if f[2] <= pd.Timestamp("2013-06-01")]  # milestones' and the pack's
    assert series_of(replay, category="robbery", area="devon-cornwall").index[-1] == pd.Timestamp("2013-04-01")
    assert series_of(replay, category="fraud-offences", area="greater-manchester").index[-1] == pd.Timestamp("2013-01-01")


def test_a_replay_leaves_out_a_series_whose_counts_begin_after_the_as_of_month(write_csv):
    """A series with no count up to the as-of month did not exist as the data stood then (`run --as-of` has no such
    series): a replay gave it its later periods alone, and milestones through `all` said it had "only 0 months of
    data" (police.uk's local-authority counts at 2020-09: burglary / north-dorset)."""
    late = "".join(f"2014-0{m},north,theft,{30 + m}\n" for m in range(1, 7))
    path, as_of = str(write_csv(replay_text() + late)), pd.Timestamp("2013-06-01")
    then = open_counts(DataSource(data=path, areas="peers", as_of=as_of))
    replay = open_counts(DataSource(data=path, areas="peers").replaying(as_of))
    assert "theft" not in set(then["category"]) and "theft" not in set(replay["category"])
    assert series_of(replay, category="robbery", area="north").index[-1] == pd.Timestamp("2014-06-01")  # the outcome
    before = open_counts(DataSource(data=path, areas="peers").replaying(pd.Timestamp("2009-06-01")))
    assert len(before) == len(open_counts(DataSource(data=path, areas="peers")))  # before the data: left to the command

"""Exceptional periods: the shipped calendar, user files, validation against the data, the quarterly mask."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimecast.data.exceptional import (CALENDAR_DIR, ExceptionalPeriod, calendar_names, check_within,
                                        exceptional_for_data, exceptional_mask, load_exceptional, settled,
                                        settled_in)
from crimecast.errors import DataError

M = pd.Timestamp


def test_covid_uk_calendar_by_name_holds_the_three_england_lockdowns():
    periods = load_exceptional("covid-uk")
    assert "covid-uk" in calendar_names()
    assert [(p.label, p.start, p.end) for p in periods] == [
        ("lockdown-1", M("2020-04-01"), M("2020-06-01")),
        ("lockdown-2", M("2020-11-01"), M("2020-11-01")),
        ("lockdown-3", M("2021-01-01"), M("2021-03-01")),
    ]


def test_a_period_is_named_by_its_months_once():
    one, three = (ExceptionalPeriod(M("2020-11-01"), M("2020-11-01"), "lockdown-2"),
                  ExceptionalPeriod(M("2021-01-01"), M("2021-03-01")))
    assert (one.named_span, one.name) == ("lockdown-2 (2020-11)", "lockdown-2")
    assert three.named_span == three.name == "2021-01 to 2021-03"


def test_covid_uk_file_names_its_sources_and_says_what_is_uncertain():
    text = (CALENDAR_DIR / "covid-uk.yaml").read_text()
    for citation in ("SI 2020/350", "SI 2020/1200", "SI 2021/8", "23 March 2020", "31 October 2020", "4 January 2021"):
        assert citation in text
    assert "not\n# re-checked against legislation.gov.uk" in text


def test_yaml_and_csv_user_files(write_csv, tmp_path):
    yaml_file = tmp_path / "mine.yaml"
    yaml_file.write_text("periods:\n  - key: flood\n    from: 2012-06\n    to: 2012-07\n")
    assert load_exceptional(yaml_file) == (ExceptionalPeriod(M("2012-06-01"), M("2012-07-01"), "flood"),)
    csv_file = write_csv("from,to,label\n2012-06,2012-07,flood\n2013-01,2013-01,snow\n", name="mine.csv")
    assert [p.label for p in load_exceptional(csv_file)] == ["flood", "snow"]


def test_overlapping_periods_in_a_file_name_both_and_the_fix(write_csv):
    path = write_csv("from,to,label\n2012-06,2012-09,flood\n2012-08,2012-10,strike\n", name="x.csv")
    with pytest.raises(DataError, match="'flood' .* overlaps 'strike' .*merge them"):
        load_exceptional(path)


def test_bad_month_names_the_row(write_csv):
    with pytest.raises(DataError, match="row 3"):
        load_exceptional(write_csv("from,to\n2012-06,2012-07\nsoon,2012-09\n", name="x.csv"))


def test_period_ending_before_it_starts(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("periods:\n  - key: odd\n    from: 2012-06\n    to: 2012-01\n")
    with pytest.raises(DataError, match="'odd': ends \\(2012-01\\) before it starts"):
        load_exceptional(path)


def test_unknown_name_lists_the_calendars():
    with pytest.raises(DataError, match="no shipped calendar or file of that name; shipped calendars: covid-uk"):
        load_exceptional("covid-scotland")


def test_unknown_yaml_key_is_named(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("periods:\n  - key: a\n    from: 2012-06\n    until: 2012-07\n")
    with pytest.raises(DataError, match="period 'a': unknown key until"):
        load_exceptional(path)


def test_period_outside_the_data_names_it_and_the_fix():
    with pytest.raises(DataError, match="'lockdown-1' \\(2020-04 to 2020-06\\) is outside the data \\(2008-04 to 2014-03\\); "
                                        "remove it"):
        check_within(load_exceptional("covid-uk"), first=M("2008-04-01"), last=M("2014-03-01"))


def test_exceptional_for_data_on_a_quarterly_table_counts_the_last_quarter_whole():
    counts = pd.DataFrame({"month": pd.date_range("2018-04-01", "2020-01-01", freq="QS-JAN")})
    counts.attrs["frequency"] = "quarter"
    with pytest.raises(DataError, match="outside the data \\(2018-04 to 2020-03\\)"):
        exceptional_for_data("covid-uk", counts)
    counts = pd.DataFrame({"month": pd.date_range("2018-04-01", "2021-01-01", freq="QS-JAN")})
    counts.attrs["frequency"] = "quarter"
    assert len(exceptional_for_data("covid-uk", counts)) == 3
    assert exceptional_for_data(None, counts) == ()


@settings(max_examples=60, deadline=None)
@given(start=st.integers(0, 40), length=st.integers(1, 8))
def test_a_quarter_is_exceptional_exactly_when_one_of_its_months_is(start, length):
    months = pd.date_range("2019-01-01", periods=48, freq="MS")
    period = ExceptionalPeriod(months[start], months[min(start + length - 1, 47)])
    monthly = pd.Series(exceptional_mask(months, [period]), index=months)
    quarters = pd.date_range("2019-01-01", periods=16, freq="QS-JAN")
    quarterly = exceptional_mask(quarters, [period])
    expected = monthly.groupby(monthly.index.to_period("Q").start_time).any()
    assert quarterly.tolist() == expected.reindex(quarters).tolist()


def test_a_shipped_calendar_keeps_only_the_periods_in_the_data_but_a_user_file_is_strict(write_csv):
    counts = pd.DataFrame({"month": pd.date_range("2018-04-01", "2020-09-01", freq="MS")})  # e.g. --as-of 2020-09
    assert [p.label for p in exceptional_for_data("covid-uk", counts)] == ["lockdown-1"]
    mine = write_csv("from,to,label\n2020-04,2020-06,first\n2020-11,2020-11,second\n", name="mine.csv")
    with pytest.raises(DataError, match="'second' \\(2020-11 to 2020-11\\) is outside the data \\(2018-04 to 2020-09\\)"):
        exceptional_for_data(mine, counts)


def test_a_calendar_period_waits_six_months_of_data_but_a_users_own_counts_at_once():
    covid = load_exceptional("covid-uk")
    lockdown_3 = next(p for p in covid if p.end == M("2021-03-01"))
    own = ExceptionalPeriod(M("2021-01-01"), M("2021-03-01"), "outage")
    kept, waiting = settled((*covid, own), M("2021-08-01"))  # five months after lockdown-3's end
    assert waiting == (lockdown_3,) and own in kept and len(kept) == len(covid)
    kept, waiting = settled(covid, M("2021-09-01"))  # six months after: it has settled
    assert (kept, waiting) == (tuple(covid), ())
    assert settled(covid, M("2021-09-01"), months=7)[1] == (lockdown_3,)


def test_settled_in_keeps_only_the_periods_in_the_data_and_words_the_waiting_ones_once():
    covid = load_exceptional("covid-uk")
    months = pd.date_range("2019-01-01", "2020-12-01", freq="MS")  # lockdown-3 (2021) is not in the data
    kept, notes = settled_in(covid, months, last_month=M("2020-12-01"), stays_in="the limits", remedy=", as ever.")
    assert [p.label for p in kept] == ["lockdown-1"]
    assert notes == ["lockdown-2 of the covid-uk calendar ended fewer than 6 months before the data does, so it stays "
                     "in the limits until the months after show whether the level came back, as ever."]
    quarters = pd.date_range("2019-01-01", "2021-01-01", freq="QS")  # to 2021 Q1, whose last month is 2021-03
    kept, notes = settled_in(covid, quarters, last_month=M("2021-03-01"), stays_in="the fit", remedy=".")
    assert [p.label for p in kept] == ["lockdown-1"]
    assert notes[0].startswith("lockdown-2, lockdown-3 of the covid-uk calendar")
    assert "so they stay in the fit" in notes[0]
    own = (ExceptionalPeriod(M("2020-11-01"), M("2020-11-01"), "outage"),)
    assert settled_in(own, months, last_month=M("2020-12-01"), stays_in="the fit", remedy=".") == (own, [])

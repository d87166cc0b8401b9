import pandas as pd
import pytest

from crimecast.data.known_changes import load_known_changes, months_for
from crimecast.errors import DataError


def test_known_changes_file_with_optional_scope(write_csv):
    path = write_csv("month,description,category,area\n2013-04,Operation Sentinel,Violence with injury,\n2014-04,Audit,,\n")
    changes = load_known_changes(path)
    assert changes[0].category == "violence-with-injury" and changes[0].area is None
    assert months_for(changes, category="violence-with-injury", area="birmingham") == (pd.Timestamp("2013-04-01"), pd.Timestamp("2014-04-01"))
    assert months_for(changes, category="robbery", area="force") == (pd.Timestamp("2014-04-01"),)


def test_bad_month_names_the_row(write_csv):
    with pytest.raises(DataError, match="row 3, 'someday' is not a month"):
        load_known_changes(write_csv("month,description\n2013-04,a\nsomeday,b\n"))


def test_missing_description_column(write_csv):
    with pytest.raises(DataError, match="missing column description"):
        load_known_changes(write_csv("month\n2013-04\n"))


def test_exceptional_rows_are_periods_not_steps(write_csv):
    from crimecast.data.known_changes import exceptional_periods

    path = write_csv("month,to,kind,description,category\n2013-04,,step,Sentinel,\n"
                     "2020-04,2020-06,exceptional,Lockdown,burglary\n")
    changes = load_known_changes(path)
    assert months_for(changes, category="burglary", area="force") == (pd.Timestamp("2013-04-01"),)
    (period,) = exceptional_periods(changes, category="burglary", area="force")
    assert (period.start, period.end, period.label) == (pd.Timestamp("2020-04-01"), pd.Timestamp("2020-06-01"), "Lockdown")
    assert exceptional_periods(changes, category="robbery", area="force") == ()


def test_from_column_is_read_as_month(write_csv):
    changes = load_known_changes(write_csv("from,to,kind,description\n2020-04,2020-06,exceptional,Lockdown\n"))
    assert changes[0].exceptional and changes[0].month == pd.Timestamp("2020-04-01")


@pytest.mark.parametrize("body, message", [
    ("2020-04,2020-06,temporary,x", "row 2, column kind: 'temporary' is not a kind of change"),
    ("2020-04,,exceptional,x", "row 2: an exceptional change needs its last month in column 'to'"),
    ("2020-04,2020-06,step,x", "row 2: a 'to' month \\(2020-06\\) on a step change"),
    ("2020-04,2020-02,exceptional,x", "row 2: 'to' \\(2020-02\\) is before the first month"),
])
def test_bad_exceptional_rows_name_the_row_and_the_fix(write_csv, body, message):
    with pytest.raises(DataError, match=message):
        load_known_changes(write_csv("month,to,kind,description\n" + body + "\n"))


def test_overlapping_exceptional_rows_are_refused(write_csv):
    path = write_csv("month,to,kind,description\n2020-04,2020-06,exceptional,first\n2020-06,2020-08,exceptional,second\n")
    with pytest.raises(DataError, match="'first' .* overlaps 'second'"):
        load_known_changes(path)


def test_known_changes_are_checked_against_the_data_and_aliases_resolved(tmp_path):
    from crimecast.data.known_changes import check_known_changes
    from crimecast.data.load import load_counts
    from crimecast.errors import DataError

    path = tmp_path / "changes.csv"
    path.write_text("month,description,category,area\n2012-08,Op X,burglary,Dudley\n2013-01,Audit,,\n")
    counts = load_counts("west-midlands")
    checked = check_known_changes(load_known_changes(path), counts)
    assert [(c.category, c.area) for c in checked] == [("burglary-dwelling", "dudley"), (None, None)]
    path.write_text("month,description,category,area\n2013-01,Audit,,\n2012-08,Op X,robbery,westminster\n")
    with pytest.raises(DataError, match=r"changes.csv, row 3, column area: unknown area 'westminster'"):
        check_known_changes(load_known_changes(path), counts)

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
    with pytest.raises(DataError, match="missing column\\(s\\) description"):
        load_known_changes(write_csv("month\n2013-04\n"))

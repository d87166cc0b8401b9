import copy
import pickle

import pandas as pd
import pytest

from crimecast.data.schema import validate
from crimecast.data.series import series_of, with_totals
from crimecast.data.shared import FrozenDict, FrozenList


def _gappy_table():
    months = pd.to_datetime(["2013-01-01", "2013-02-01", "2013-04-01", "2013-05-01",
                             "2013-01-01", "2013-02-01", "2013-06-01", "2013-07-01"])
    return pd.DataFrame({"month": months, "area": ["north"] * 4 + ["south"] * 4, "category": "burglary",
                         "count": [3, 4, 6, 7, 1, 2, 3, 4]})


def test_pandas_operations_share_the_filled_and_dropped_periods_instead_of_copying_them():
    """pandas deep-copies attrs into every result: the large ones are shared, so a column or sort costs no copy."""
    counts = with_totals(validate(_gappy_table(), drop_unfillable=True))
    assert counts.attrs["filled"] == [("burglary", "north", pd.Timestamp("2013-03-01"))]
    assert list(counts.attrs["dropped"]) == [("burglary", "south"), ("burglary", "force")]  # no whole without south
    for result in (counts["count"], counts.sort_values("month"), counts[counts["count"] > 3],
                   series_of(counts, category="burglary", area="north")):
        assert result.attrs["filled"] is counts.attrs["filled"]
        assert result.attrs["dropped"] is counts.attrs["dropped"]


def test_frozen_containers_refuse_changes_and_survive_pickling():
    filled, dropped = FrozenList([("burglary", "north", pd.Timestamp("2013-03-01"))]), FrozenDict({("a", "b"): "why"})
    for change in (lambda: filled.append(1), lambda: filled.__setitem__(0, 1), lambda: dropped.update(x=1),
                   lambda: dropped.__setitem__("x", 1), lambda: dropped.pop(("a", "b"))):
        with pytest.raises(TypeError, match="never changed: make a new one"):
            change()
    assert copy.deepcopy(filled) is filled and copy.copy(dropped) is dropped
    assert pickle.loads(pickle.dumps(filled)) == filled and type(pickle.loads(pickle.dumps(dropped))) is FrozenDict
    assert {**dropped, "x": 1} == {("a", "b"): "why", "x": 1} and [*filled, 2][-1] == 2  # new containers are free

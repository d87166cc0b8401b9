"""map_series: in order, on processes, and stopped at once on an error."""

from __future__ import annotations

import multiprocessing

import pytest

from crimecast.forecast.parallel import map_series


def square(x: int) -> int:
    return x * x


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x


def test_results_come_back_in_order_on_processes():
    seen = []
    assert map_series(square, range(6), jobs=2, progress=seen.append) == [0, 1, 4, 9, 16, 25]
    assert seen == [str(i) for i in range(6)]


def test_an_error_in_a_worker_reaches_the_caller_and_the_pool_is_gone():
    with pytest.raises(ValueError, match="three"):
        map_series(fail_on_three, range(8), jobs=2)
    assert multiprocessing.active_children() == []

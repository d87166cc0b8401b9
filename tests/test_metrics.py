import numpy as np
import pytest

from crimecast.forecast.metrics import METRICS, mase, seasonal_naive_mae, total_ape


def test_seasonal_naive_mae_by_hand():
    train = np.array([10.0] * 12 + [12.0] * 12)
    assert seasonal_naive_mae(train) == pytest.approx(2.0)


def test_mase_by_hand():
    train = np.array([10.0] * 12 + [12.0] * 12)
    paths = np.full((5, 2), 13.0)
    assert mase(train, np.array([12.0, 15.0]), paths) == pytest.approx(((1 + 2) / 2) / 2.0)


def test_total_ape_by_hand():
    assert total_ape(np.ones(24), np.array([50.0, 50.0]), np.full((3, 2), 55.0)) == pytest.approx(10.0)


def test_coverage_counts_months_inside_the_interval():
    paths = np.tile(np.arange(101.0)[:, None], (1, 4))
    actual = np.array([50.0, 5.0, 95.0, 89.0])
    assert METRICS["coverage80"](np.ones(24), actual, paths) == pytest.approx(50.0)

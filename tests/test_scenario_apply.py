"""Drivers on sample paths: the invariants a planner relies on."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from crimecast.forecast.reconcile import REST_OF_FORCE, CoherentPaths
from crimecast.scenarios.apply import apply_drivers, phase_weights
from crimecast.scenarios.resolve import ResolvedDriver
from crimecast.scenarios.spec import Driver

MONTHS = pd.date_range("2014-04-01", periods=12, freq="MS")
KEYS = [("burglary", "walsall"), ("burglary", REST_OF_FORCE), ("robbery", "force"), ("shoplifting", "force")]
TRC = ("total-recorded-crime", "force")


def baseline(seed: int = 0, n: int = 300) -> CoherentPaths:
    rng = np.random.default_rng(seed)
    return CoherentPaths(months=MONTHS, bottom={k: rng.gamma(4, 25 * (i + 1), size=(n, 12)) for i, k in enumerate(KEYS)})


def driver(targets, start="2014-04", end=None, **spec) -> ResolvedDriver:
    spec.setdefault("category", [c for c, _ in targets])
    parsed = TypeAdapter(Driver).validate_python(spec)
    return ResolvedDriver(spec=parsed, where="test.yaml: drivers[0]", targets=tuple(targets), start=pd.Timestamp(start),
                          end=pd.Timestamp(end) if end else None)


ZERO_EFFECTS = [
    dict(kind="uplift", value=0.0),
    dict(kind="level_shift", value=0.0),
    dict(kind="trend", value=0.0),
    dict(kind="share", **{"from": 0.3, "to": 0.3}),
    dict(kind="seasonal", months=[12, 1], value=0.0),
]
TARGETS = [("burglary", "force"), ("burglary", "walsall"), ("robbery", "force")]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(ZERO_EFFECTS), st.sampled_from(TARGETS), st.integers(0, 10_000), st.integers(1, 6))
def test_a_zero_effect_scenario_reproduces_the_baseline_exactly(effect, target, seed, ramp):
    base = baseline(seed)
    extra = {} if effect["kind"] == "trend" else {"ramp_months": ramp}
    applied = apply_drivers(base, [driver([target], name="zero", **effect, **extra)], seed=seed)
    for key in KEYS:
        assert np.array_equal(applied.paths.bottom[key], base.bottom[key])


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(TARGETS), st.integers(0, 10_000))
def test_a_ten_percent_uplift_scales_mean_and_every_quantile_by_ten_percent(target, seed):
    base = baseline(seed)
    applied = apply_drivers(base, [driver([target], kind="uplift", value="10%")], seed=seed).paths
    before, after = base.total(*target), applied.total(*target)
    np.testing.assert_allclose(after.mean(axis=0), 1.1 * before.mean(axis=0), rtol=1e-12)
    for q in (0.025, 0.1, 0.5, 0.9, 0.975):
        np.testing.assert_allclose(np.quantile(after, q, axis=0), 1.1 * np.quantile(before, q, axis=0), rtol=1e-12)
    np.testing.assert_allclose(applied.total(*TRC) - base.total(*TRC), 0.1 * before, rtol=1e-9, atol=1e-9)


def test_totals_stay_coherent_and_untouched_series_stay_put():
    base = baseline()
    applied = apply_drivers(base, [driver([("burglary", "walsall")], kind="uplift", value=0.2),
                                   driver([("burglary", "force")], name="force", kind="level_shift", value=30)], seed=1).paths
    np.testing.assert_allclose(applied.total("burglary", "force"),
                               applied.bottom[("burglary", "walsall")] + applied.bottom[("burglary", REST_OF_FORCE)])
    np.testing.assert_allclose(applied.total(*TRC), sum(applied.bottom[k] for k in KEYS))
    assert np.array_equal(applied.bottom[("robbery", "force")], base.bottom[("robbery", "force")])
    np.testing.assert_allclose(applied.total("burglary", "force"),
                               base.total("burglary", "force") + 0.2 * base.bottom[("burglary", "walsall")] + 30)


def test_the_series_a_scenario_changes_are_named_and_no_other():
    base = baseline()
    applied = apply_drivers(base, [driver([("burglary", "walsall")], kind="uplift", value=0.2),
                                   driver([("shoplifting", "force")], name="none", kind="level_shift", value=0)], seed=1)
    assert applied.changed == {("burglary", "walsall")}  # a driver of no effect changes nothing
    assert applied.changes("burglary", "walsall") and applied.changes("burglary", "force") and applied.changes(*TRC)
    assert not applied.changes("robbery", "force") and not applied.changes("shoplifting", "force")
    for key in set(KEYS) - applied.changed:
        assert np.array_equal(applied.paths.bottom[key], base.bottom[key])
    assert apply_drivers(base, [], seed=1).changed == frozenset()


MULTIPLICATIVE = [
    dict(name="u", kind="uplift", value={"dist": "normal", "mean": 0.05, "sd": 0.02}),
    dict(name="t", kind="trend", value={"dist": "triangular", "low": 0.0, "mode": 0.05, "high": 0.1}),
    dict(name="s", kind="share", **{"from": 0.3, "to": {"dist": "uniform", "low": 0.32, "high": 0.38}}, ramp_months=4),
    dict(name="m", kind="seasonal", months=["Dec", "Jan"], value=-0.1),
]


@settings(max_examples=30, deadline=None)
@given(st.permutations(range(len(MULTIPLICATIVE))), st.integers(0, 1000))
def test_driver_order_does_not_change_the_result(order, seed):
    base = baseline(seed)
    drivers = [driver([TARGETS[i % 3]], **spec) for i, spec in enumerate(MULTIPLICATIVE)]
    shifts = [driver([("robbery", "force")], name="l1", kind="level_shift", value=-5),
              driver([("burglary", "force")], name="l2", kind="level_shift", value=8)]
    reference = apply_drivers(base, drivers + shifts, seed=seed).paths
    shuffled = [drivers[i] for i in order]
    mixed = shuffled[:2] + shifts[:1] + shuffled[2:] + shifts[1:]
    other = apply_drivers(base, mixed, seed=seed).paths
    for key in KEYS:
        assert np.array_equal(reference.bottom[key], other.bottom[key])


def flat(level: float = 1000.0) -> CoherentPaths:
    """Every path and month at ``level`` crimes: worked examples by hand."""
    return CoherentPaths(months=MONTHS, bottom={("robbery", "force"): np.full((3, 12), level)})


def test_share_driver_moves_the_share_and_leaves_the_rest_unchanged():
    # 1,000 robberies, 300 of them the sub-population (30%). The other 700 are unchanged, and the
    # sub-population grows until it is 36% of the total: 700 is then 64%, so the total is 1,093.75.
    applied = apply_drivers(flat(), [driver([("robbery", "force")], kind="share", **{"from": 0.30, "to": 0.36})],
                            seed=0).paths
    total = applied.total("robbery", "force")
    np.testing.assert_allclose(total, 1093.75)
    np.testing.assert_allclose((total - 700) / total, 0.36)


def test_ramp_and_end_phase_the_effect():
    weights = phase_weights(MONTHS, start=pd.Timestamp("2014-06-01"), end=pd.Timestamp("2015-01-01"), ramp_months=4)
    assert weights.tolist() == [0, 0, 0.25, 0.5, 0.75, 1, 1, 1, 1, 1, 0, 0]


def test_a_yearly_trend_reaches_its_value_after_twelve_months_by_equal_monthly_steps():
    applied = apply_drivers(flat(), [driver([("robbery", "force")], kind="trend", value=0.12)], seed=0).paths
    monthly = applied.total("robbery", "force")[0]
    assert monthly[-1] == pytest.approx(1120.0)  # +12% a year: April 2014 to March 2015 is the first year
    steps = monthly / np.concatenate([[1000.0], monthly[:-1]])
    np.testing.assert_allclose(steps, steps[0])  # compounding: the same growth every month
    assert 1.009 < steps[0] < 1.0095  # about 0.95% a month, less than 12% / 12 = 1%


def test_a_trend_holds_the_level_reached_at_its_end():
    applied = apply_drivers(flat(), [driver([("robbery", "force")], end="2014-09", kind="trend", value=0.21)], seed=0).paths
    monthly = applied.total("robbery", "force")[0]
    assert monthly[5] == pytest.approx(1100.0)  # six months of +21% a year is +10% (1.1 x 1.1 = 1.21)
    np.testing.assert_allclose(monthly[5:], monthly[5])  # held after September
    assert np.all(np.diff(monthly[:6]) > 0)


def test_seasonal_changes_only_the_named_months():
    base = baseline()
    applied = apply_drivers(base, [driver([("robbery", "force")], kind="seasonal", months=["Nov", 12], value=-0.2)], seed=0).paths
    factor = applied.total("robbery", "force")[0] / base.total("robbery", "force")[0]
    assert np.allclose(factor, np.where(MONTHS.month.isin([11, 12]), 0.8, 1.0))


def test_a_drivers_draws_do_not_depend_on_the_other_drivers():
    base = baseline()
    uncertain = driver([("robbery", "force")], name="u", kind="uplift", value={"dist": "normal", "mean": 0.1, "sd": 0.05})
    other = driver([("shoplifting", "force")], name="o", kind="uplift", value={"dist": "normal", "mean": 0.2, "sd": 0.05})
    alone = apply_drivers(base, [uncertain], seed=5).paths.total("robbery", "force")
    together = apply_drivers(base, [other, uncertain], seed=5).paths.total("robbery", "force")
    assert np.array_equal(alone, together)
    factors = alone[:, 0] / base.total("robbery", "force")[:, 0]
    assert factors.std() > 0.03 and factors.mean() == pytest.approx(1.1, abs=0.01)


def test_negative_level_shifts_stop_at_zero_and_are_counted():
    base = baseline()
    applied = apply_drivers(base, [driver([("robbery", "force")], kind="level_shift", value=-200)], seed=0)
    assert applied.paths.total("robbery", "force").min() == 0.0 and applied.clipped > 0


def test_level_shift_where_a_series_is_zero_is_shared_evenly():
    zero = CoherentPaths(months=MONTHS, bottom={("b", "x"): np.zeros((2, 12)), ("b", REST_OF_FORCE): np.zeros((2, 12))})
    applied = apply_drivers(zero, [driver([("b", "force")], kind="level_shift", value=10)], seed=0).paths
    assert np.all(applied.bottom[("b", "x")] == 5) and np.all(applied.total("b", "force") == 10)

"""Drivers applied to sample paths, keeping every total the sum of its parts.

A driver acts on the series it names. When that series is a sum of bottom
series (a category split into districts, say), each part is scaled pro rata,
so totals stay coherent in every path.

Multiplicative drivers (uplift, trend, share, seasonal) are applied first and
in a fixed order (by name), so their order in the file never changes the
result; level shifts (additive) follow, in file order. Each uncertain value
draws once per path from a generator seeded by the scenario seed and the
driver's name, so adding, removing or reordering other drivers does not change
a driver's draws.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimecast.data.months import months_between
from crimecast.forecast.reconcile import CoherentPaths
from crimecast.scenarios.resolve import ResolvedDriver
from crimecast.scenarios.spec import LevelShift, Seasonal, Share, Trend, Uplift
from crimecast.scenarios.values import Value

SHARE_CEILING = 0.999  # keeps (1 - share) away from zero when a wide distribution is sampled
MONTHS_PER_YEAR = 12


def driver_rng(seed: int, label: str) -> np.random.Generator:
    """The generator for one driver's draws: depends on the seed and the driver's name only."""
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(label.encode("utf-8"))]))


def months_elapsed(months: pd.DatetimeIndex, start: pd.Timestamp) -> np.ndarray:
    """1 in ``start``, 2 the month after, ...; 0 or less before it."""
    return (months_between(months, start) + 1).to_numpy(dtype=float)


def phase_weights(months: pd.DatetimeIndex, *, start: pd.Timestamp, end: pd.Timestamp | None, ramp_months: int) -> np.ndarray:
    """How much of the effect applies each month: 0 before ``start``, ramping to 1, 0 after ``end``."""
    elapsed = months_elapsed(months, start)
    weights = np.clip(elapsed / ramp_months, 0.0, 1.0) if ramp_months else (elapsed >= 1).astype(float)
    if end is not None:
        weights[months > end] = 0.0
    return weights


def _draw(value: Value, rng: np.random.Generator, n: int) -> np.ndarray:
    return value.sample(rng, n)


def multiplier(driver: ResolvedDriver, months: pd.DatetimeIndex, n_paths: int, *, seed: int) -> np.ndarray:
    """The factor (n_paths, horizon) a multiplicative driver applies to its series."""
    spec = driver.spec
    rng = driver_rng(seed, driver.label)
    weights = phase_weights(months, start=driver.start, end=driver.end, ramp_months=spec.ramp_months)[None, :]
    if isinstance(spec, Uplift):
        return 1.0 + np.maximum(_draw(spec.value, rng, n_paths), -SHARE_CEILING)[:, None] * weights
    if isinstance(spec, Seasonal):
        in_months = np.isin(months.month, spec.months)[None, :]
        return 1.0 + np.maximum(_draw(spec.value, rng, n_paths), -SHARE_CEILING)[:, None] * weights * in_months
    if isinstance(spec, Trend):
        elapsed = np.maximum(months_elapsed(months, driver.start), 0.0)
        if driver.end is not None:  # the change reached by ``end`` is held after it
            elapsed = np.minimum(elapsed, months_elapsed(pd.DatetimeIndex([driver.end]), driver.start)[0])
        rate = np.maximum(_draw(spec.value, rng, n_paths), -SHARE_CEILING)
        return (1.0 + rate)[:, None] ** (elapsed[None, :] / MONTHS_PER_YEAR)
    if isinstance(spec, Share):
        before = np.clip(_draw(spec.from_, rng, n_paths), 0.0, SHARE_CEILING)[:, None]
        after = np.clip(_draw(spec.to, rng, n_paths), 0.0, SHARE_CEILING)[:, None]
        share = before + (after - before) * weights
        return (1.0 - before) / (1.0 - share)
    raise TypeError(f"{driver.kind} is not a multiplicative driver")


def addition(driver: ResolvedDriver, months: pd.DatetimeIndex, n_paths: int, *, seed: int) -> np.ndarray:
    """The crimes a month (n_paths, horizon) a level shift adds to its series."""
    weights = phase_weights(months, start=driver.start, end=driver.end, ramp_months=driver.spec.ramp_months)
    return _draw(driver.spec.value, driver_rng(seed, driver.label), n_paths)[:, None] * weights[None, :]


def _scale_parts(bottom: dict, keys: list, factor: np.ndarray) -> None:
    for key in keys:
        bottom[key] = bottom[key] * factor


def _add_to_parts(bottom: dict, keys: list, added: np.ndarray) -> int:
    """Add ``added`` to the sum of ``keys`` pro rata (evenly where the sum is zero); returns path-months clipped at zero."""
    total = np.sum([bottom[key] for key in keys], axis=0)
    new_total = total + added
    clipped = int((new_total < 0).sum())
    new_total = np.maximum(new_total, 0.0)
    positive = total > 0
    ratio = np.divide(new_total, total, out=np.ones_like(total), where=positive)
    for key in keys:
        bottom[key] = np.where(positive, bottom[key] * ratio, new_total / len(keys))
    return clipped


@dataclass(frozen=True)
class Applied:
    """Scenario paths, how many path-months a level shift had to stop at zero, and the bottom series it changed."""

    paths: CoherentPaths
    clipped: int
    changed: frozenset = frozenset()  # the bottom series' keys a driver changed; the others equal the baseline's

    def changes(self, category: str, area: str) -> bool:
        """Whether the scenario changes the series (category, area): one of its bottom series was changed."""
        return bool(set(self.paths.keys_for(category, area) or ()) & self.changed)


def apply_drivers(baseline: CoherentPaths, drivers: list[ResolvedDriver] | tuple[ResolvedDriver, ...], *, seed: int) -> Applied:
    """Apply drivers to baseline paths; totals stay sums of their parts.

    Parameters
    ----------
    baseline
        Bottom-series paths from the forecast.
    drivers
        Resolved drivers (targets present among the baseline's series).
    seed
        The scenario seed; each driver's draws depend on it and the driver's name.

    Returns
    -------
    Applied
        The scenario's paths. With no drivers (or only zero effects) they
        equal the baseline exactly; ``changed`` names the bottom series a
        driver changed (every other series is the baseline's, unchanged).
    """
    bottom = dict(baseline.bottom)
    changed = set()
    n_paths = next(iter(bottom.values())).shape[0]
    months = baseline.months
    ordered = sorted((d for d in drivers if not isinstance(d.spec, LevelShift)), key=lambda d: d.label)
    for driver in ordered:
        factor = multiplier(driver, months, n_paths, seed=seed)
        if np.all(factor == 1.0):
            continue
        for category, area in driver.targets:
            _scale_parts(bottom, baseline.keys_for(category, area), factor)
            changed.update(baseline.keys_for(category, area))
    clipped = 0
    for driver in (d for d in drivers if isinstance(d.spec, LevelShift)):
        added = addition(driver, months, n_paths, seed=seed)
        if np.all(added == 0.0):
            continue
        for category, area in driver.targets:
            clipped += _add_to_parts(bottom, baseline.keys_for(category, area), added)
            changed.update(baseline.keys_for(category, area))
    return Applied(paths=baseline.with_bottom(bottom), clipped=clipped, changed=frozenset(changed))

"""Coherent totals: forecast the parts, add them up path by path.

Scenarios change some districts and some categories. To keep the force equal
to the sum of its districts and total recorded crime equal to the sum of its
categories in every sample path, the forecast is made for *bottom* series
only: each category at force level, or split into the districts a scenario
names plus the rest of the force. Every total is then a sum of bottom paths.

Series forecast separately have independent paths, which would make totals
too certain when categories rise and fall together. ``correlate_paths``
reorders each series' paths (whole paths, so each series' own forecast is
unchanged) so that their year totals rank together as the series' recent
year-on-year changes did (Iman-Conover with a Gaussian copula).
``pair_paths`` decides which series are paired with which, so that a total's
paths depend only on the series that add up to it (see its docstring); the
districts of one force are paired at least ``AREA_CORRELATION_FLOOR``
correlated, for the force-wide surprises their histories' month-by-month
changes do not show.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crimecast.data.series import FORCE_AREA, TOTAL_CATEGORY, series_of
from crimecast.forecast.cores import series_frequency

REST_OF_FORCE = "rest-of-force"
CORRELATION_MONTHS = 60
CORRELATION_YEARS = 5  # CORRELATION_MONTHS in years: 60 months or 20 quarters
CORRELATION_MIN_POINTS = 12  # year-on-year changes needed to estimate a correlation
CORRELATION_SHRINKAGE = 0.3  # towards independence: a few years of history estimate correlations noisily
# The districts of one force are paired at least this correlated (their year totals, ``pair_paths``). A force-wide
# surprise moves every district's year at once, and the year-on-year changes of monthly counts, mostly each
# district's own month noise, hardly show it: on London's 32 boroughs (8 busy categories x 7 yearly origins) the
# boroughs' misses of their year totals correlated 0.30 on average where the pairing put 0.18, and the force's total
# as their sum held 35 of 56 actual totals in its 80% interval (interval score 39.1% of the actual); at least 0.3,
# 41 of 56 (35.3%), about the width the force forecast directly has. The history's own correlations did not say
# which cases needed more (an equal 0.3 did as well as the floor; the history's mean, case by case, no better than
# now). Tuned on origins in September; confirmed on origins in March (the four busiest categories: 17 -> 22 of 28,
# score 30.1% -> 26.6%; bench/RESULTS.md, sum-calibration).
AREA_CORRELATION_FLOOR = 0.3

Key = tuple[str, str]


@dataclass(frozen=True)
class CoherentPaths:
    """Sample paths of bottom series; every total is their sum, path by path.

    Attributes
    ----------
    months
        The forecast periods (month starts, or quarter starts for quarterly data).
    bottom
        ``(category, area) -> array (n_paths, horizon)``. ``area`` is
        ``"force"`` for an unsplit category, else a district or
        ``"rest-of-force"``.
    total_categories
        The categories that add up to total recorded crime (``None``: all);
        police.uk's anti-social behaviour, for one, is not a crime.
    """

    months: pd.DatetimeIndex
    bottom: dict[Key, np.ndarray]
    total_categories: tuple[str, ...] | None = None
    districts: tuple[str, ...] | None = None  # every district of the data, to tell a whole force from some districts

    def _force_parts(self, category: str) -> list[Key] | None:
        if (category, FORCE_AREA) in self.bottom:
            return [(category, FORCE_AREA)]
        parts = [key for key in self.bottom if key[0] == category]
        areas = {area for _, area in parts}
        if not parts or not (REST_OF_FORCE in areas or self.districts is None or set(self.districts) <= areas):
            return None
        return parts

    def keys_for(self, category: str, area: str) -> list[Key] | None:
        """The bottom series that add up to (category, area), or ``None`` if they cannot.

        ``category`` may be ``total-recorded-crime`` (every category that
        counts towards it) and ``area`` ``"force"`` (every area). A district
        is available only when it is a bottom series; the force only when its
        parts cover every district (or it is a bottom series itself).
        """
        categories = [category]
        if category == TOTAL_CATEGORY:
            categories = (sorted(self.total_categories) if self.total_categories is not None
                          else sorted({c for c, _ in self.bottom}))
        keys = []
        for cat in categories:
            parts = self._force_parts(cat) if area == FORCE_AREA else ([(cat, area)] if (cat, area) in self.bottom else None)
            if not parts:
                return None
            keys += parts
        return keys

    def total(self, category: str, area: str) -> np.ndarray:
        """Paths of (category, area) as the sum of its bottom series."""
        keys = self.keys_for(category, area)
        if keys is None:
            raise KeyError(f"{category} / {area} is not a sum of the forecast's bottom series")
        return np.sum([self.bottom[key] for key in keys], axis=0)

    def added_up(self, wanted: Iterable[Key]) -> list[Key]:
        """The bottom series that add up to one of ``wanted`` that is a sum of several (in order, each once).

        Parameters
        ----------
        wanted
            ``(category, area)`` series asked for; one that is a single bottom series, or not a sum of them
            (:meth:`keys_for` gives ``None``), adds nothing.

        Returns
        -------
        list of (str, str)
            The bottom keys of the wanted totals, in order of first appearance, without repeats.
        """
        keys = [self.keys_for(*key) or [] for key in wanted]
        return list(dict.fromkeys(part for parts in keys if len(parts) > 1 for part in parts))

    def with_bottom(self, bottom: dict[Key, np.ndarray]) -> "CoherentPaths":
        return CoherentPaths(months=self.months, bottom=bottom, total_categories=self.total_categories,
                             districts=self.districts)

    def cut(self, periods: int) -> "CoherentPaths":
        """The first ``periods`` periods (a forecast's first periods do not depend on how far it goes)."""
        return CoherentPaths(months=self.months[:periods], bottom={k: v[:, :periods] for k, v in self.bottom.items()},
                             total_categories=self.total_categories, districts=self.districts)


def bottom_keys(categories: list[str], split: dict[str, list[str]], districts: list[str]) -> list[Key]:
    """Bottom series: each category at force level, or its named districts plus the rest.

    Parameters
    ----------
    categories
        Every crime category (not total recorded crime).
    split
        Category -> districts that must be forecast on their own.
    districts
        Every district in the data.
    """
    keys: list[Key] = []
    for category in categories:
        named = sorted(set(split.get(category, [])))
        if not named:
            keys.append((category, FORCE_AREA))
            continue
        keys += [(category, district) for district in named]
        if set(districts) - set(named):
            keys.append((category, REST_OF_FORCE))
    return keys


def bottom_history(counts: pd.DataFrame, key: Key, *, named: list[str]) -> pd.Series:
    """The observed series of a bottom key; ``rest-of-force`` is the force less ``named`` districts."""
    category, area = key
    if area != REST_OF_FORCE:
        return series_of(counts, category=category, area=area)
    force = series_of(counts, category=category, area=FORCE_AREA)
    for district in named:
        force = force - series_of(counts, category=category, area=district).reindex(force.index, fill_value=0)
    return force.clip(lower=0)


def history_correlation(histories: list[pd.Series], *, months: int | None = None,
                        shrinkage: float = CORRELATION_SHRINKAGE, floor: float = 0.0) -> np.ndarray:
    """Correlation of the series' year-on-year log changes over the last ``months`` periods, shrunk towards 0.

    By default the last five years (60 months or 20 quarters); a change is
    on the same month, or quarter, a year before. Every correlation is then
    at least ``floor`` (``AREA_CORRELATION_FLOOR`` for the districts of one
    force; 0, the default, leaves them as estimated), a history too short to
    estimate any included.
    """
    year = series_frequency(histories[0]).periods_per_year if histories else 12
    months = months or CORRELATION_YEARS * year
    frame = pd.concat([np.log1p(h.astype(float)) for h in histories], axis=1).iloc[-(months + year):]
    changes = frame.diff(year).dropna()
    k = len(histories)
    if len(changes) < CORRELATION_MIN_POINTS:
        return _at_least(np.eye(k), floor)
    with np.errstate(divide="ignore", invalid="ignore"):  # a series that never changed correlates with nothing
        corr = np.nan_to_num(np.corrcoef(changes.to_numpy().T), nan=0.0).reshape(k, k)
    np.fill_diagonal(corr, 1.0)
    corr = _at_least((1 - shrinkage) * corr + shrinkage * np.eye(k), floor)
    values, vectors = np.linalg.eigh(corr)  # guard against a matrix that is not quite positive definite
    corr = vectors @ np.diag(np.clip(values, 1e-6, None)) @ vectors.T
    scale = np.sqrt(np.diag(corr))
    return corr / np.outer(scale, scale)


def _at_least(corr: np.ndarray, floor: float) -> np.ndarray:
    """``corr`` with every correlation below ``floor`` raised to it (the caller keeps it positive definite)."""
    if floor <= 0:
        return corr
    raised = np.maximum(corr, floor)
    np.fill_diagonal(raised, 1.0)
    return raised


def correlate_paths(paths: list[np.ndarray], correlation: np.ndarray, *, seed: int) -> list[np.ndarray]:
    """Reorder each series' paths so their totals rank together as ``correlation`` says.

    Each series keeps exactly the same set of paths (so its own mean and
    quantiles are unchanged); only which path sits in which row changes.
    """
    if len(paths) <= 1:
        return [p.copy() for p in paths]
    return [series_paths[rows] for series_paths, rows in zip(paths, pairing_rows(paths, correlation, seed=seed))]


def pairing_rows(paths: list[np.ndarray], correlation: np.ndarray, *, seed: int) -> list[np.ndarray]:
    """The rows ``correlate_paths`` puts each series' paths in: ``paths[j][rows[j]]`` is series ``j`` paired.

    Each series' paths are sorted by their total and handed out in the rank
    order of one column of seeded correlated normal scores.

    Parameters
    ----------
    paths
        Each series' paths, ``(n_paths, horizon)``, all with the same ``n_paths``.
    correlation
        The series' correlation matrix, ``(len(paths), len(paths))``.
    seed
        Seed of the normal scores: the same seed, the same rows.

    Returns
    -------
    list of numpy.ndarray
        For each series, a permutation of ``range(n_paths)``.
    """
    n = paths[0].shape[0]
    scores = np.random.default_rng(seed).multivariate_normal(np.zeros(len(paths)), correlation, size=n,
                                                             method="cholesky")
    rows = []
    for j, series_paths in enumerate(paths):
        by_total = np.argsort(series_paths.sum(axis=1), kind="stable")
        ranks = np.argsort(np.argsort(scores[:, j], kind="stable"), kind="stable")
        rows.append(by_total[ranks])
    return rows


def _sum_of(histories: list[pd.Series]) -> pd.Series:
    """The periods' sum of ``histories`` over every period any of them has, a part's missing periods counted as 0
    (as :func:`crimecast.forecast.panel.panel_keys` counts a category an area never recorded): a category recorded
    from later than the others does not shorten its area's history."""
    return pd.concat(histories, axis=1, sort=True).sum(axis=1, min_count=1).dropna()


def pair_paths(paths: dict[Key, np.ndarray], histories: dict[Key, pd.Series], *,
               total_categories: Collection[str] | None, summed: bool,
               seed_of: Callable[[str, str], int]) -> dict[Key, np.ndarray]:
    """The bottom series' ``paths`` paired so that each total's paths depend only on the series that add up to it.

    1. In each area, the categories that count towards total recorded crime
       (``total_categories``; ``None``: all) are paired on their own
       histories, seeded by the area's total (``seed_of(TOTAL_CATEGORY,
       area)``): an area's total recorded crime is the same whatever else is
       forecast beside it (other forces, anti-social behaviour, which is not
       in it).
    2. When the areas are parts of one whole (``summed``: districts of a
       force, not peers), the areas' blocks of step 1 are then paired as
       blocks, every series of an area moved by the same rows (so each
       area's total keeps its paths), on the histories of the areas' sums
       (seeded by ``seed_of("total-recorded-crime by area", "force")``);
       and each category outside the total across its areas, on its own
       (``seed_of(f"{category} by area", "force")``). The force's total
       then moves as its areas have, and every two areas at least
       ``AREA_CORRELATION_FLOOR`` together: force-wide surprises.

    A category outside the total in one area only (peers) is left as it is:
    no total holds it with another series.

    Parameters
    ----------
    paths, histories
        Each bottom series' paths ``(n_paths, horizon)`` and observed history.
    total_categories
        The categories that add up to total recorded crime (``None``: all).
    summed
        Whether the areas add up to a whole (districts of one force).
    seed_of
        The seed of a pairing, from its name (category, area).
    """
    def in_total(category: str) -> bool:
        return total_categories is None or category in total_categories

    paired = dict(paths)
    blocks: dict[str, list[Key]] = {}
    for key in sorted(paths):
        if in_total(key[0]):
            blocks.setdefault(key[1], []).append(key)
    for area, keys in blocks.items():
        _pair(paired, [[key] for key in keys], [histories[key] for key in keys], seed=seed_of(TOTAL_CATEGORY, area))
    if not summed:
        return paired
    areas = sorted(blocks)
    _pair(paired, [blocks[area] for area in areas],
          [_sum_of([histories[key] for key in blocks[area]]) for area in areas], seed=seed_of(f"{TOTAL_CATEGORY} by area", FORCE_AREA),
          floor=AREA_CORRELATION_FLOOR)
    for category in sorted({c for c, _ in paths if not in_total(c)}):
        keys = sorted(key for key in paths if key[0] == category)
        _pair(paired, [[key] for key in keys], [histories[key] for key in keys],
              seed=seed_of(f"{category} by area", FORCE_AREA), floor=AREA_CORRELATION_FLOOR)
    return paired


def _pair(paths: dict[Key, np.ndarray], groups: list[list[Key]], histories: list[pd.Series], *, seed: int,
          floor: float = 0.0) -> None:
    """Reorder each group's paths in ``paths`` (all of a group's series by the same rows) so that the groups' sums
    rank together as ``histories`` (one a group) did, every two at least ``floor`` correlated."""
    if len(groups) <= 1:
        return
    sums = [np.sum([paths[key] for key in group], axis=0) for group in groups]
    for group, rows in zip(groups, pairing_rows(sums, history_correlation(histories, floor=floor), seed=seed)):
        for key in group:
            paths[key] = paths[key][rows]

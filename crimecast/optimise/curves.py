"""Response curves (outcome as a function of spend) and their exact piecewise-linear form.

A curve is ``ceiling * s^n / (s^n + half^n)`` for spend ``s``: it reaches half
its ceiling at ``half_spend`` and never more than ``ceiling``. With
``steepness`` n <= 1 it is concave (every pound buys less than the one
before); with n > 1 it is S-shaped (a start-up cost before returns grow,
then diminishing).

Concave curves become a pure LP: spend is split into segments between
breakpoints and, because the slopes fall, a maximising solver fills them in
order. S-shaped curves need the lambda formulation with one binary per
segment (PuLP's SOS2 is not used: HiGHS ignores it and CBC drops it in its
default mode). Breakpoints are added where the solution lands until the
outcome on the true curve is within 0.1% of the piecewise optimum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crimecast.optimise.model import BINARY, EQ, LE, Constraint, Problem

DEFAULT_POINTS = 16
CONCAVITY_TOLERANCE = 1e-9


@dataclass(frozen=True)
class ResponseCurve:
    """Outcome bought by spend: ``ceiling * s^n / (s^n + half_spend^n)``.

    Attributes
    ----------
    ceiling
        The most the spend can ever buy (same unit as the outcome).
    half_spend
        Spend (£) that buys half the ceiling.
    steepness
        n: 1 or less is concave; above 1 is S-shaped.
    """

    ceiling: float
    half_spend: float
    steepness: float = 1.0

    def __call__(self, spend):
        spend = np.maximum(np.asarray(spend, dtype=float), 0.0)
        n = self.steepness
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(spend > 0, (spend / self.half_spend) ** n, 0.0)
        return self.ceiling * ratio / (1.0 + ratio)

    @property
    def is_concave(self) -> bool:
        return self.steepness <= 1.0

    def marginal(self, spend: float, step: float) -> float:
        """What ``step`` more pounds buy at ``spend``, on the true curve."""
        return float(self(spend + step) - self(spend))


def breakpoints(curve: ResponseCurve, low: float, high: float, *, points: int = DEFAULT_POINTS) -> np.ndarray:
    """Breakpoints on [low, high]: evenly spread, plus the inflection region of an S-shaped curve."""
    if high <= low:
        return np.array([low, low])
    grid = np.linspace(low, high, points)
    if not curve.is_concave:
        around = curve.half_spend * np.array([0.25, 0.5, 0.75, 1.0, 1.5, 2.0])
        grid = np.concatenate([grid, around[(around > low) & (around < high)]])
    return np.unique(grid)


def is_concave_on(values: np.ndarray, points: np.ndarray) -> bool:
    """Whether the piecewise-linear interpolation has non-increasing slopes."""
    slopes = np.diff(values) / np.diff(points)
    return bool(np.all(np.diff(slopes) <= CONCAVITY_TOLERANCE * max(1.0, float(np.abs(slopes).max(initial=0)))))


MIN_GAP_SHARE = 1e-4  # breakpoints closer than this share of the range add nothing but numerical trouble


def thin(points: np.ndarray) -> np.ndarray:
    """Sorted breakpoints with near-duplicates dropped (the two ends are always kept).

    Segments a few millionths of the range wide make the solver's tolerances
    bite: HiGHS has reported a suboptimal plan as optimal on such a grid.
    """
    points = np.unique(np.asarray(points, dtype=float))
    if len(points) <= 2:
        return points
    gap = MIN_GAP_SHARE * (points[-1] - points[0])
    kept = [points[0]]
    for point in points[1:-1]:
        if point - kept[-1] >= gap and points[-1] - point >= gap:
            kept.append(point)
    return np.array([*kept, points[-1]])


def refine(points: np.ndarray, spend: float) -> np.ndarray:
    """Add ``spend`` and the midpoints either side of it, so the next solve is exact around it."""
    points = np.unique(np.concatenate([points, [spend]]))
    index = int(np.searchsorted(points, spend))
    extra = [(points[i] + points[i + 1]) / 2 for i in (index - 1, index) if 0 <= i < len(points) - 1]
    return thin(np.concatenate([points, extra]))


@dataclass(frozen=True)
class Piecewise:
    """A curve's piecewise form inside a Problem: its outcome as ``constant + sum(coef * var)``."""

    terms: dict[str, float]
    constant: float

    def value(self, values: dict[str, float]) -> float:
        return self.constant + sum(coef * values.get(name, 0.0) for name, coef in self.terms.items())


def add_curve(problem: Problem, curves: list[ResponseCurve], *, key: str, spend: str, points: np.ndarray,
              label: str) -> list[Piecewise]:
    """Add the piecewise form of one recipient's curve(s) over ``points`` to ``problem``, tied to ``spend``.

    ``curves`` holds one curve, or one per uncertainty sample. The samples
    share the segment (or lambda) variables, since spend is one decision,
    and differ only in their coefficients, so the problem does not grow with
    the number of samples. Returns one outcome expression per curve.
    """
    values = np.array([curve(points) for curve in curves])
    if len(points) < 2 or points[-1] == points[0]:
        return [Piecewise(terms={}, constant=float(v[0])) for v in values]
    if all(is_concave_on(v, points) for v in values):
        return _segments(problem, key=key, spend=spend, points=points, values=values, label=label)
    return _lambdas(problem, key=key, spend=spend, points=points, values=values, label=label)


def _segments(problem: Problem, *, key: str, spend: str, points: np.ndarray, values: np.ndarray,
              label: str) -> list[Piecewise]:
    """Concave: spend = first point + filled segments; a maximiser fills them in order because slopes fall."""
    widths = np.diff(points)
    link = {spend: 1.0}
    segments = []
    for k, width in enumerate(widths):
        segment = problem.add_variable(f"{key}:seg{k}", low=0.0, high=float(width))
        link[segment] = -1.0
        segments.append(segment)
    problem.add_constraint(Constraint(f"{key}:spend", link, EQ, float(points[0]),
                                      f"{label}: spend is the sum of its curve segments", soft=False, group="curve"))
    slopes = np.diff(values, axis=1) / widths
    return [Piecewise(terms=dict(zip(segments, map(float, row))), constant=float(v[0])) for row, v in zip(slopes, values)]


def _lambdas(problem: Problem, *, key: str, spend: str, points: np.ndarray, values: np.ndarray,
             label: str) -> list[Piecewise]:
    """Not concave: spend is a weighted pair of adjacent breakpoints, the pair chosen by one binary per segment."""
    weights = [problem.add_variable(f"{key}:lam{k}", low=0.0, high=1.0) for k in range(len(points))]
    segments = [problem.add_variable(f"{key}:on{k}", kind=BINARY) for k in range(len(points) - 1)]

    def structural(name: str, terms: dict, sense: str, rhs: float, text: str) -> None:
        problem.add_constraint(Constraint(f"{key}:{name}", terms, sense, rhs, f"{label}: {text}", soft=False, group="curve"))

    structural("convex", {w: 1.0 for w in weights}, EQ, 1.0, "curve weights sum to one")
    structural("one-segment", {z: 1.0 for z in segments}, EQ, 1.0, "spend lies on one curve segment")
    structural("spend", {spend: 1.0, **{w: -float(p) for w, p in zip(weights, points)}}, EQ, 0.0,
               "spend is the weighted breakpoints")
    for k, weight in enumerate(weights):
        adjacent = [segments[j] for j in (k - 1, k) if 0 <= j < len(segments)]
        structural(f"adjacent{k}", {weight: 1.0, **{z: -1.0 for z in adjacent}}, LE, 0.0,
                   "only the chosen segment's ends carry weight")
    return [Piecewise(terms={w: float(x) for w, x in zip(weights, v)}, constant=0.0) for v in values]

"""Response curves (outcome as a function of spend) and their exact piecewise-linear form.

A curve is ``ceiling * s^n / (s^n + half^n)`` for spend ``s``: it reaches half
its ceiling at ``half_spend`` and never more than ``ceiling``. With
``steepness`` n <= 1 it is concave (every pound buys less than the one
before); with n > 1 it is S-shaped (a start-up cost before returns grow,
then diminishing).

Concave curves become a pure LP: spend is split into segments between
breakpoints and, because the slopes fall, a maximising solver fills them in
order. S-shaped curves need binaries: the incremental formulation, one per
segment boundary (PuLP's SOS2 is not used: HiGHS ignores it and CBC drops it
in its default mode). Breakpoints are added either side of where the solution
lands until a proven upper bound on the true optimum (:func:`add_curve_bound`)
is within a stated tolerance of the true outcome of the chosen plan.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
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
        return _hill(spend, self.ceiling, self.half_spend, self.steepness)

    @property
    def is_concave(self) -> bool:
        return self.steepness <= 1.0

    @property
    def inflection(self) -> float:
        """Where the curve turns from convex to concave: its steepest point (0 for a concave curve)."""
        return float(_inflection(self.half_spend, self.steepness))

    def marginal(self, spend: float, step: float) -> float:
        """What ``step`` more pounds buy at ``spend``, on the true curve."""
        return float(self(spend + step) - self(spend))

    def slope(self, spend):
        """The curve's derivative at ``spend`` (infinite at 0 when steepness < 1)."""
        return _hill_slope(spend, self.ceiling, self.half_spend, self.steepness)


def _hill(spend, ceiling, half_spend, steepness):
    """``ceiling * s^n / (s^n + half^n)``; the parameters may be arrays that broadcast against ``spend``.

    Computed as ``ceiling`` times the logistic of ``n * log(s / half)``, so a
    steep curve far past its half-spend gives its ceiling, not ``inf / inf``.
    """
    share, _ = _shares(spend, half_spend, steepness)
    return ceiling * share


def _hill_slope(spend, ceiling, half_spend, steepness):
    """The derivative of :func:`_hill` (at zero: ``ceiling / half`` for n = 1, 0 above, infinite below)."""
    return _hill_and_slope(spend, ceiling, half_spend, steepness)[1]


def _hill_and_slope(spend, ceiling, half_spend, steepness):
    """:func:`_hill` and its derivative from one evaluation."""
    spend = np.maximum(np.asarray(spend, dtype=float), 0.0)
    share, rest = _shares(spend, half_spend, steepness)
    with np.errstate(divide="ignore", invalid="ignore"):
        at_zero = np.where(steepness == 1, ceiling / half_spend, np.where(steepness > 1, 0.0, np.inf))
        slope = np.where(spend > 0, ceiling * steepness * share * rest / np.where(spend > 0, spend, 1.0), at_zero)
    return ceiling * share, slope


def _shares(spend, half_spend, steepness):
    """``r / (1 + r)`` and ``1 / (1 + r)`` for ``r = (s / half)^n``, without overflow (both 0 and 1 reachable)."""
    spend = np.maximum(np.asarray(spend, dtype=float), 0.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = steepness * np.log(np.where(spend > 0, spend, 1.0) / half_spend)
        share = np.where(spend > 0, 1.0 / (1.0 + np.exp(-z)), 0.0)
        rest = np.where(spend > 0, 1.0 / (1.0 + np.exp(z)), 1.0)
    return share, rest


def _inflection(half_spend, steepness):
    """Where ``_hill`` turns from convex to concave, its steepest point (0 when it is concave throughout)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(steepness > 1, half_spend * (np.maximum(steepness - 1, 0) / (steepness + 1)) ** (1 / steepness), 0.0)


@dataclass(frozen=True)
class MeanCurve:
    """The mean of several curves (one per uncertainty sample), with its slope: for a bound on a mean objective."""

    curves: tuple[ResponseCurve, ...]

    def __call__(self, spend):
        return np.mean([curve(spend) for curve in self.curves], axis=0)

    def slope(self, spend):
        return np.mean([curve.slope(spend) for curve in self.curves], axis=0)

    @property
    def is_concave(self) -> bool:
        return all(curve.is_concave for curve in self.curves)


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


MIN_GAP_SHARE = 1e-4  # breakpoints closer than this share of the range (or reach) add nothing but numerical trouble
MIN_GAP_ABSOLUTE = 1e-9  # nor closer than this share of the largest breakpoint, clear of floating-point rounding


def thin(points: np.ndarray, *, reach: tuple[float, float] | None = None) -> np.ndarray:
    """Sorted breakpoints with near-duplicates dropped (the two ends are always kept).

    Segments a few millionths of the range wide make the solver's tolerances
    bite: HiGHS has reported a suboptimal plan as optimal on such a grid.

    ``reach`` is the range ``(low, high)`` the recipient's own limits allow
    (default: the whole range of the points). Points closer than
    :data:`MIN_GAP_SHARE` of its width (and never closer than
    :data:`MIN_GAP_ABSOLUTE` of the largest point, well clear of
    floating-point rounding) are near-duplicates, and its ends, where they are breakpoints,
    are kept before any point inside (the outer two points are always kept, so
    a limit nearer to one of them than the gap gives way to it). A plan held
    at a limit then always sits on a breakpoint, where the upper bound is
    exact: a recipient capped at £1 of a £1,000 fund would otherwise lose its
    cap to a breakpoint within a tenth of a pound of it, and the bound,
    taken on a segment running past the cap, could never close.
    """
    points = np.unique(np.asarray(points, dtype=float))
    if len(points) <= 2:
        return points
    gap = max(MIN_GAP_SHARE * _width(points, reach), MIN_GAP_ABSOLUTE * max(abs(points[-1]), 1.0))
    limits = [point for point in (reach or ()) if point in points]
    kept = [points[0], points[-1]]
    for point in [*limits, *points[1:-1]]:
        i = bisect.bisect(kept, point)
        if point - kept[i - 1] >= gap and kept[i] - point >= gap:
            kept.insert(i, point)
    return np.array(kept)


def _width(points: np.ndarray, reach: tuple[float, float] | None) -> float:
    """The width of ``reach`` if it is positive, else of the points' whole range (never zero)."""
    whole = max(float(points[-1] - points[0]), 1e-12)
    width = 0.0 if reach is None else float(reach[1] - reach[0])
    return width if 0 < width < whole else whole


SNAP_SHARE = 1e-6  # a spend this close (share of the range, or reach) to a breakpoint is taken to sit on it


def refine(points: np.ndarray, spend: float, *, reach: tuple[float, float] | None = None) -> np.ndarray:
    """Bracket ``spend`` from both sides: add it (unless it sits on a breakpoint) and the midpoints of the segments either side.

    A spend a hair above a breakpoint (solver round-off) snaps to that
    breakpoint, so the segment to its left is refined as well as the one to
    its right: otherwise one side of the optimum is never cut finer and the
    search stops short of it. ``reach`` as in :func:`thin`.
    """
    points = np.unique(np.asarray(points, dtype=float))
    span = _width(points, reach)
    nearest = int(np.argmin(np.abs(points - spend)))
    if abs(points[nearest] - spend) > SNAP_SHARE * span:
        points = np.unique(np.concatenate([points, [spend]]))
        nearest = int(np.argmin(np.abs(points - spend)))
    extra = [(points[i] + points[i + 1]) / 2 for i in (nearest - 1, nearest) if 0 <= i < len(points) - 1]
    return thin(np.concatenate([points, extra]), reach=reach)


def split_at_excess(points: np.ndarray, curve, spend: float, *, reach: tuple[float, float] | None = None) -> np.ndarray:
    """Add ``spend`` and the point where ``curve`` rises furthest above the chord of the segment holding ``spend``.

    Where an upper bound lands, that point is what makes the bound loose;
    cutting there (not at the midpoint) closes the gap fastest. ``reach`` as
    in :func:`thin`.
    """
    points = np.unique(np.asarray(points, dtype=float))
    index = int(np.clip(np.searchsorted(points, spend) - 1, 0, len(points) - 2))
    left, right = points[index], points[index + 1]
    grid = np.linspace(left, right, DEVIATION_GRID)
    values = curve(grid)
    excess = values - (values[0] + (values[-1] - values[0]) * (grid - left) / max(right - left, 1e-12))
    return thin(np.concatenate([points, [spend, grid[int(np.argmax(excess))]]]), reach=reach)


DEVIATION_GRID = 65  # points per segment at which a curve's rise above its chord is measured
NEGLIGIBLE_RISE = 1e-9  # a segment's rise below this share of the curve's largest value is rounding, not shape


def chord_cones(curve, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per segment: the largest rise above the chord, and slopes bounding that rise from each end.

    With ``t`` the position in the segment (0 to 1), the rise is at most
    ``excess``, at most ``left * t`` and at most ``right * (1 - t)``: so the
    bound is zero at both ends of a segment, not just its largest rise.

    The bounds are proven, not sampled: each segment is cut at
    ``DEVIATION_GRID`` points and at the curve's inflection, so every piece is
    either convex (its rise is largest at an end) or concave (its rise lies
    under the tangents at both ends, whose meeting point bounds it). Next to
    each end of the segment, where the cone's ratio has no end value, the
    rise's own slope bounds it. ``left`` is infinite where the curve's slope is
    (a concave curve at zero spend).
    """
    points = np.asarray(points, dtype=float)
    members = curve.curves if isinstance(curve, MeanCurve) else (curve,)
    # One row per curve (axis 0): the mean's rise is the mean of its curves' rises, so the mean of their bounds bounds it.
    ceiling, half, n = (np.array([getattr(c, name) for c in members], dtype=float)[:, None, None]
                        for name in ("ceiling", "half_spend", "steepness"))
    bend = _inflection(half, n)
    lows, highs = points[None, :-1, None], points[None, 1:, None]
    widths = highs - lows
    safe_widths = np.where(widths > 0, widths, 1.0)
    grid = np.broadcast_to(np.linspace(0.0, 1.0, DEVIATION_GRID), (len(members), len(points) - 1, DEVIATION_GRID))
    t = np.sort(np.concatenate([grid, np.clip((bend - lows) / safe_widths, 0.0, 1.0)], axis=2), axis=2)
    x = lows + widths * t
    values, curve_slope = _hill_and_slope(x, ceiling, half, n)
    chord = (values[..., -1:] - values[..., :1]) / safe_widths  # per pound
    rise = values - values[..., :1] - chord * (x - lows)
    slope = curve_slope - chord  # the rise's slope per pound
    tops = _piece_tops(x, rise, slope, concave=(n <= 1) | ((x[..., :-1] + x[..., 1:]) / 2 >= bend))
    t_low, t_high = t[..., :-1], t[..., 1:]
    # On [low, x] the rise over its distance from low is at most the rise's steepest slope there (slopes rise to the
    # bend, then fall); likewise towards high with its shallowest. Each piece takes the smaller of that and its top
    # over its distance from the end: the slope bound alone serves where a piece touches the end.
    at_bend = _hill_slope(np.clip(bend, lows, highs), ceiling, half, n)
    steepest = np.where(x[..., 1:] <= bend, curve_slope[..., 1:], at_bend)
    shallowest = np.minimum(curve_slope[..., :-1], curve_slope[..., -1:])
    with np.errstate(divide="ignore", invalid="ignore"):
        by_top_left = np.where(t_low > 0, tops / np.where(t_low > 0, t_low, 1.0), np.inf)
        by_top_right = np.where(t_high < 1, tops / np.where(t_high < 1, 1 - t_high, 1.0), np.inf)
        left = np.minimum(by_top_left, widths * (steepest - chord)).max(axis=2)
        right = np.minimum(by_top_right, widths * (chord - shallowest)).max(axis=2)
    empty = widths[..., 0] <= 0  # a zero-width segment has no rise
    excess = np.where(empty, 0.0, np.maximum(tops.max(axis=2), 0.0))
    left, right = (np.where(empty, 0.0, np.maximum(cone, 0.0)) for cone in (left, right))
    return excess.mean(axis=0), left.mean(axis=0), right.mean(axis=0)


def _piece_tops(x: np.ndarray, rise: np.ndarray, slope: np.ndarray, *, concave: np.ndarray) -> np.ndarray:
    """The most the rise can reach between consecutive cut points (each piece wholly convex or wholly concave)."""
    lo_x, hi_x, lo_r, hi_r = x[..., :-1], x[..., 1:], rise[..., :-1], rise[..., 1:]
    lo_s, hi_s = slope[..., :-1], slope[..., 1:]
    ends = np.maximum(lo_r, hi_r)  # a convex piece is highest at an end
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # A concave piece lies under both end tangents: their crossing (or an end, if outside the piece) bounds it.
        finite = np.isfinite(lo_s)
        cross = np.where(finite & (lo_s > hi_s), (hi_r - lo_r + lo_s * lo_x - hi_s * hi_x) / (lo_s - hi_s), hi_x)
        cross = np.clip(np.nan_to_num(cross, nan=0.0, posinf=0.0, neginf=0.0), lo_x, hi_x)
        at_cross = np.minimum(np.where(finite, lo_r + lo_s * (cross - lo_x), np.inf), hi_r + hi_s * (cross - hi_x))
        from_high = hi_r - np.minimum(hi_s, 0.0) * (hi_x - lo_x)  # the high end's tangent alone, at its highest
        tangents = np.maximum(ends, np.where(finite, at_cross, from_high))
    return np.where(concave, tangents, ends)


def chord_excess(curve: ResponseCurve, points: np.ndarray) -> np.ndarray:
    """Per segment, an upper bound on how far the true curve rises above the straight line between its ends.

    Proven on every point of the segment, not only where it is measured (see :func:`chord_cones`).
    """
    points = np.asarray(points, dtype=float)
    if len(points) < 2:
        return np.zeros(0)
    return chord_cones(curve, points)[0]


@dataclass(frozen=True)
class Piecewise:
    """A curve's piecewise form inside a Problem: its outcome as ``constant + sum(coef * var)``."""

    terms: dict[str, float]
    constant: float

    def value(self, values: dict[str, float]) -> float:
        return self.constant + sum(coef * values.get(name, 0.0) for name, coef in self.terms.items())

    def plus(self, other: "Piecewise", *, weight: float = 1.0) -> "Piecewise":
        """This expression plus ``weight`` times ``other``."""
        terms = dict(self.terms)
        for name, coef in other.terms.items():
            terms[name] = terms.get(name, 0.0) + weight * coef
        return Piecewise(terms=terms, constant=self.constant + weight * other.constant)


def piecewise_sum(pieces: Iterable[Piecewise], *, weight: float = 1.0) -> Piecewise:
    """``weight`` times the sum of ``pieces`` (one expression; the empty sum is zero)."""
    result = Piecewise(terms={}, constant=0.0)
    for piece in pieces:
        result = result.plus(piece, weight=weight)
    return result


def add_curve(problem: Problem, curves: list[ResponseCurve], *, key: str, spend: str, points: np.ndarray,
              label: str) -> list[Piecewise]:
    """Add the piecewise form of one recipient's curve(s) over ``points`` to ``problem``, tied to ``spend``.

    ``curves`` holds one curve, or one per uncertainty sample. The samples
    share the segment variables, since spend is one decision,
    and differ only in their coefficients, so the problem does not grow with
    the number of samples. Returns one outcome expression per curve.
    """
    values = np.array([curve(points) for curve in curves])
    if len(points) < 2 or points[-1] == points[0]:
        return [Piecewise(terms={}, constant=float(v[0])) for v in values]
    if all(is_concave_on(v, points) for v in values):
        return _segments(problem, key=key, spend=spend, points=points, values=values, label=label)
    return _incremental(problem, key=key, spend=spend, points=points, values=values, label=label)


def add_curve_bound(problem: Problem, curves: list, *, key: str, spend: str, points: np.ndarray,
                    label: str, anchors: list[float] | None = None) -> list[Piecewise]:
    """An expression that is never below the true curve(s) at the same spend: for a proven upper bound.

    Concave curves: the outcome is at most every tangent at the breakpoints
    (a pure LP). Other curves: spend moves along the segments in order (one
    binary per segment boundary) and the outcome is the chord plus the most
    the true curve rises above it on the segment the spend lies in.
    Maximising either over the same constraints gives a bound no plan can
    beat on the true curves. Tangents are also taken at ``anchors`` (where
    earlier plans and bounds put this recipient) and at points closing in on
    each, so the bound tightens where it matters: tangents are cuts, not
    breakpoints, so they can sit closer together than breakpoints safely can.

    Curves of both shapes (or a mean of sampled curves whose steepness lies
    either side of 1) are split by shape, each part bounded its own way and
    the bounds added (:func:`_bound_by_shape`).
    """
    points = np.asarray(points, dtype=float)
    if len(points) < 2 or points[-1] == points[0]:
        return [Piecewise(terms={}, constant=float(curve(points[:1])[0])) for curve in curves]
    parts = [_shape_parts(curve) for curve in curves]
    if any(len(own) > 1 for own in parts) or len({curve.is_concave for own in parts for _, curve in own}) > 1:
        return _bound_by_shape(problem, parts, key=key, spend=spend, points=points, label=label, anchors=anchors)
    if all(curve.is_concave for curve in curves):
        at = _tangent_points(curves, points, anchors)
        return [_tangents(problem, curve, key=f"{key}:{index}", spend=spend, points=at, label=label)
                for index, curve in enumerate(curves)]
    values = np.array([curve(points) for curve in curves])
    if len(curves) == 1:
        return _incremental(problem, key=key, spend=spend, points=points, values=values, label=label,
                            cones=chord_cones(curves[0], points))
    excess = np.array([chord_excess(curve, points) for curve in curves])
    return _incremental(problem, key=key, spend=spend, points=points, values=values, label=label, excess=excess)


def _tangent_points(curves: list, points: np.ndarray, anchors: list[float] | None) -> np.ndarray:
    """Where concave curves get tangents: the breakpoints, and points closing in on each recent anchor.

    Many curves (a CVaR over samples) each get their own tangents, so there
    only the ends, the breakpoints nearest the anchors and one step either
    side of each are used (any subset of tangents is valid), except next to
    the low end where a curve is infinitely steep (steepness below 1 at zero
    spend): there a tangent's height at the end shrinks only as its distance
    to the power of the steepness, so the full ladder is kept.
    """
    if not anchors:
        return points
    width = max(points[-1] - points[0], 1e-9)
    many = len(curves) > 10
    recent = anchors[-4:] if not many else anchors[-2:]
    ladder = np.concatenate([[0.0], np.geomspace(1e-9, 1e-1, 17)]) * width
    near = [np.concatenate([a + ladder, a - ladder]) for a in recent]
    base = points
    if many:
        near = [np.array([a, a - 1e-3 * width, a + 1e-3 * width]) for a in recent]
        if any(a - points[0] <= 1e-3 * width for a in recent) and any(np.isinf(curve.slope(points[0])) for curve in curves):
            near.append(points[0] + ladder)
        closest = np.argsort(np.abs(points[:, None] - np.array(recent)[None, :]).min(axis=1))[:4]
        base = np.concatenate([points[[0, -1]], points[closest]])
    at = np.concatenate([base, *near])
    return np.unique(at[(at >= points[0]) & (at <= points[-1])])


def _shape_parts(curve) -> list[tuple[float, object]]:
    """``curve`` as ``(weight, part)`` pairs that sum to it, each part concave or each not (a mean is split by shape)."""
    members = curve.curves if isinstance(curve, MeanCurve) else ()
    concave = tuple(member for member in members if member.is_concave)
    if not concave or len(concave) == len(members):
        return [(1.0, curve)]
    other = tuple(member for member in members if not member.is_concave)
    return [(len(concave) / len(members), MeanCurve(concave)), (len(other) / len(members), MeanCurve(other))]


def _bound_by_shape(problem: Problem, parts: list[list[tuple[float, object]]], *, key: str, spend: str,
                    points: np.ndarray, label: str, anchors: list[float] | None) -> list[Piecewise]:
    """Bound the concave parts by tangents and the rest by chords and rises; per curve, the weighted sum of its parts.

    A curve with steepness below 1 has an infinite slope at zero spend, so its
    rise above the chord of the first segment has no cone from the left: as
    part of an S-shaped whole (a mean of samples with steepness either side of
    1), a plan at £0 was credited that segment's whole rise, which shrinks
    only as the first breakpoint nears 0 (no nearer than thinning allows), and
    the bound stalled above the gap target. Tangents, taken ever closer to the
    plan (``anchors``), close in on it instead. The sum of upper bounds on the
    parts is an upper bound on the whole.
    """
    shaped = [(index, weight, part) for index, own in enumerate(parts) for weight, part in own]
    totals = [Piecewise(terms={}, constant=0.0) for _ in parts]
    for concave, name in ((True, "concave"), (False, "s-shaped")):
        group = [(index, weight, part) for index, weight, part in shaped if part.is_concave == concave]
        if not group:
            continue
        pieces = add_curve_bound(problem, [part for _, _, part in group], key=f"{key}:{name}", spend=spend, points=points,
                                 label=label, anchors=anchors)
        for (index, weight, _), piece in zip(group, pieces):
            totals[index] = totals[index].plus(piece, weight=weight)
    return totals


def _tangents(problem: Problem, curve, *, key: str, spend: str, points: np.ndarray, label: str) -> Piecewise:
    """A variable held under the curve's tangent at every breakpoint: above a concave curve everywhere."""
    outcome = problem.add_variable(f"{key}:upper", low=None)
    values, slopes = curve(points), curve.slope(points)
    for k, (point, value, slope) in enumerate(zip(points, values, slopes)):
        if not np.isfinite(slope):
            continue
        problem.add_constraint(Constraint(f"{key}:tangent{k}", {outcome: 1.0, spend: -float(slope)}, LE,
                                          float(value - slope * point), f"{label}: under its tangent", soft=False,
                                          group="curve"))
    return Piecewise(terms={outcome: 1.0}, constant=0.0)


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


def _incremental(problem: Problem, *, key: str, spend: str, points: np.ndarray, values: np.ndarray, label: str,
                 excess: np.ndarray | None = None, cones: tuple | None = None) -> list[Piecewise]:
    """Not concave: segments filled in order, forced by one binary per boundary (the incremental formulation).

    ``fill_k`` in [0, 1] is how much of segment k is used; ``full_k`` is 1
    when segment k is full, so ``fill_(k+1) <= full_k <= fill_k``. Its LP
    relaxation is much tighter than one binary per segment on the weights.
    With ``excess`` (one row per curve), the outcome also gains the excess of
    the segment the spend lies in (for an upper bound); with ``cones`` (one
    curve), a bonus per segment held under its excess and under the two
    slopes from its ends, so it is zero at every breakpoint.
    """
    widths = np.diff(points)
    fills = [problem.add_variable(f"{key}:fill{k}", low=0.0, high=1.0) for k in range(len(widths))]
    full = [problem.add_variable(f"{key}:full{k}", kind=BINARY) for k in range(len(widths) - 1)]

    def structural(name: str, terms: dict, sense: str, rhs: float, text: str) -> None:
        problem.add_constraint(Constraint(f"{key}:{name}", terms, sense, rhs, f"{label}: {text}", soft=False, group="curve"))

    structural("spend", {spend: 1.0, **{f: -float(w) for f, w in zip(fills, widths)}}, EQ, float(points[0]),
               "spend is the sum of its curve segments")
    for k, z in enumerate(full):
        structural(f"full{k}", {z: 1.0, fills[k]: -1.0}, LE, 0.0, "a segment counts as full only when it is")
        structural(f"order{k}", {fills[k + 1]: 1.0, z: -1.0}, LE, 0.0, "segments are used in order")
    rises = np.diff(values, axis=1)
    out = []
    for index, (row, v) in enumerate(zip(rises, values)):
        terms = dict(zip(fills, map(float, row)))
        constant = float(v[0])
        if excess is not None:  # active segment k = full_(k-1) - full_k (full_(-1) = 1, full_last = 0)
            e = excess[index]
            constant += float(e[0])
            for k, z in enumerate(full):
                terms[z] = terms.get(z, 0.0) + float(e[k + 1] - e[k])
        if cones is not None:
            negligible = NEGLIGIBLE_RISE * max(float(np.abs(v).max()), 1e-12)
            for k, (e, left, right) in enumerate(zip(*cones)):
                if e <= negligible:  # a rounding-sized rise: added outright (a bound may only grow), not as a badly
                    constant += max(float(e), 0.0)  # scaled variable a solver then puts a hair below its bound
                    continue
                # Free below: it is maximised up to its caps, all zero off its segment, where a solver's own
                # tolerance (a fill of -1e-8 times a cone slope) can put it a hair below zero.
                bonus = problem.add_variable(f"{key}:bonus{k}", low=None)
                active = {bonus: 1.0}  # bonus <= e * (full_(k-1) - full_k), full_(-1) = 1, full_last = 0
                if k > 0:
                    active[full[k - 1]] = -float(e)
                if k < len(full):
                    active[full[k]] = float(e)
                structural(f"bonus-active{k}", active, LE, float(e) if k == 0 else 0.0, "rise only on the active segment")
                if np.isfinite(left):  # infinite where the curve's own slope is (a concave curve at zero spend)
                    structural(f"bonus-left{k}", {bonus: 1.0, fills[k]: -float(left)}, LE, 0.0, "rise from the left end")
                structural(f"bonus-right{k}", {bonus: 1.0, fills[k]: float(right)}, LE, float(right), "rise to the right end")
                terms[bonus] = 1.0
        out.append(Piecewise(terms=terms, constant=constant))
    return out

"""The two distribution functions crimecast needs, in numpy: no SciPy import (about 1.5 s) for a p-chart or a funnel.

``chi2_sf`` tests a p-chart's overdispersion; ``poisson_ppf`` sets a funnel
plot's limits. Both use the regularised incomplete gamma function, by its
series below ``a + 1`` and its continued fraction above (the classical
split, accurate to about 1e-14).
"""

from __future__ import annotations

import math

import numpy as np

_EPSILON = 1e-15
_MAX_TERMS = 1000
_TINY = 1e-300


def _lower_series(a: float, x: float) -> float:
    """P(a, x), the regularised lower incomplete gamma, by its power series (for x < a + 1)."""
    term = total = 1.0 / a
    denominator = a
    for _ in range(_MAX_TERMS):
        denominator += 1.0
        term *= x / denominator
        total += term
        if abs(term) < abs(total) * _EPSILON:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _upper_fraction(a: float, x: float) -> float:
    """Q(a, x), the regularised upper incomplete gamma, by Lentz's continued fraction (for x >= a + 1)."""
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    fraction = d
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        step = d * c
        fraction *= step
        if abs(step - 1.0) < _EPSILON:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * fraction


def upper_gamma(a: float, x: float) -> float:
    """Q(a, x) = Gamma(a, x) / Gamma(a): the regularised upper incomplete gamma function, ``a > 0``."""
    if a <= 0:
        raise ValueError("the shape a must be positive")
    if x <= 0:
        return 1.0
    if x < a + 1.0:
        return max(0.0, 1.0 - _lower_series(a, x))
    return min(1.0, _upper_fraction(a, x))


def chi2_sf(statistic: float, df: float) -> float:
    """P(X >= ``statistic``) for a chi-square variable X on ``df`` degrees of freedom."""
    return upper_gamma(df / 2.0, statistic / 2.0)


def _poisson_quantile(q: float, mu: float) -> int:
    """The smallest count k with P(X <= k) >= q, for X ~ Poisson(``mu``)."""
    if mu <= 0:
        return 0
    spread = 12.0 * math.sqrt(mu) + 12.0
    low = max(0, math.floor(mu - spread))
    counts = np.arange(low, math.ceil(mu + spread) + 1)
    log_factorial = math.lgamma(low + 1.0) + np.concatenate([[0.0], np.cumsum(np.log(counts[1:].astype(float)))])
    below = 0.0 if low == 0 else upper_gamma(float(low), mu)  # P(X < low) = Q(low, mu): negligible, but exact
    cdf = below + np.cumsum(np.exp(counts * math.log(mu) - mu - log_factorial))
    return int(counts[min(int(np.searchsorted(cdf, q * (1 - 1e-12))), len(counts) - 1)])


def poisson_ppf(q: float, mu) -> np.ndarray:
    """Poisson quantiles: for each mean in ``mu``, the smallest count whose cumulative probability reaches ``q``.

    ``q`` is taken a hair low (relative 1e-12), so a cumulative probability
    that equals ``q`` up to rounding counts as reaching it.
    """
    if not 0 < q < 1:
        raise ValueError("q must be strictly between 0 and 1")
    means = np.atleast_1d(np.asarray(mu, dtype=float))
    return np.array([_poisson_quantile(q, float(m)) for m in means.ravel()], dtype=float).reshape(np.shape(mu))


__all__ = ["chi2_sf", "poisson_ppf", "upper_gamma"]

"""Driver values that may be uncertain: a number, or a distribution sampled once per path.

A scenario file writes a value as a number (``0.10``), a percentage string
(``"+10%"``) or a mapping naming a distribution::

    {dist: triangular, low: 0.33, mode: 0.36, high: 0.38}
    {dist: normal, mean: 0.08, sd: 0.03}
    {dist: uniform, low: 0.03, high: 0.12}

Each path draws its own value, so the scenario's uncertainty adds to the
forecast's (Monte Carlo).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

import numpy as np
from pydantic import PlainValidator

from crimecast.data.slugs import did_you_mean
from crimecast.words import plural

DISTRIBUTION_KEYS: dict[str, tuple[str, ...]] = {
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "uniform": ("low", "high"),
}
NORMAL_PLAUSIBLE_SDS = 3.0  # the "lowest plausible" value of a normal, for safety checks
_PERCENT = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*%\s*$")
_THOUSANDS = re.compile(r"^\s*[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?\s*$")  # "8,000", as a spreadsheet writes it


@dataclass(frozen=True)
class Value:
    """A fixed number or a distribution of numbers.

    Attributes
    ----------
    dist
        ``"fixed"``, ``"triangular"``, ``"normal"`` or ``"uniform"``.
    params
        The distribution's parameters, in the order of ``DISTRIBUTION_KEYS``
        (one number for ``"fixed"``).
    """

    dist: str
    params: tuple[float, ...]

    @classmethod
    def fixed(cls, number: float) -> "Value":
        return cls("fixed", (float(number),))

    @property
    def mean(self) -> float:
        """The expected value."""
        if self.dist == "triangular":
            return sum(self.params) / 3
        if self.dist == "uniform":
            return (self.params[0] + self.params[1]) / 2
        return self.params[0]

    @property
    def bounds(self) -> tuple[float, float]:
        """The lowest and highest plausible values (mean +/- 3 sd for a normal)."""
        if self.dist == "fixed":
            return self.params[0], self.params[0]
        if self.dist == "normal":
            mean, sd = self.params
            return mean - NORMAL_PLAUSIBLE_SDS * sd, mean + NORMAL_PLAUSIBLE_SDS * sd
        return self.params[0], self.params[-1]

    @property
    def is_uncertain(self) -> bool:
        return self.dist != "fixed" and self.bounds[0] != self.bounds[1]

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws (all equal for a fixed value)."""
        if self.dist == "fixed":
            return np.full(n, self.params[0])
        if self.dist == "triangular":
            low, mode, high = self.params
            return np.full(n, low) if low == high else rng.triangular(low, mode, high, size=n)
        if self.dist == "normal":
            return rng.normal(self.params[0], self.params[1], size=n)
        return rng.uniform(self.params[0], self.params[1], size=n)

    def describe(self, *, percent: bool = False, signed: bool = True) -> str:
        """``"+10%"`` or ``"triangular low 33%, mode 36%, high 38%"``, for output."""
        sign = "+" if signed else ""
        show = (lambda x: f"{x * 100:{sign}.1f}%".replace(".0%", "%")) if percent else (lambda x: f"{x:{sign},.4g}")
        if self.dist == "fixed":
            return show(self.params[0])
        names = DISTRIBUTION_KEYS[self.dist]
        return f"{self.dist} " + ", ".join(f"{name} {show(p)}" for name, p in zip(names, self.params))


def parse_number(raw, *, allow_percent: bool) -> float:
    """A number from a number, a numeric string (``"8,000"`` too) or (if allowed) a percentage such as "-8%"."""
    if isinstance(raw, bool):
        raise ValueError(f"expected a number, got {raw!r}")
    if isinstance(raw, (int, float)):
        if not np.isfinite(raw):
            raise ValueError(f"expected a finite number, got {raw!r}")
        return float(raw)
    if isinstance(raw, str):
        match = _PERCENT.match(raw)
        if match and allow_percent:
            return float(match.group(1)) / 100
        if match:
            raise ValueError(f"'{raw}' is a percentage, but this value is a count per month: write a number")
        try:
            return parse_number(float(raw.replace(",", "") if _THOUSANDS.match(raw) else raw), allow_percent=allow_percent)
        except ValueError:
            pass
    hint = " or a percentage such as '+10%'" if allow_percent else ""
    raise ValueError(f"expected a number{hint}, got {raw!r}")


def is_percentage(raw) -> bool:
    """Whether ``raw`` is written as a percentage (``"-5%"``)."""
    return isinstance(raw, str) and _PERCENT.match(raw) is not None


def parse_change(raw, *, what: str = "target", of: str = "the year before") -> float:
    """A change: ``"-8%"``, ``-0.08`` or ``"-0.08"``, as a fraction of ``of``.

    A number written without ``%`` is a fraction, so one of 1 or more in size
    (``8``, ``-8``: almost always a percentage without its sign) is refused
    rather than read as +800% or -800%; ``"+150%"`` is accepted as written.
    The one rule for milestone targets and scenario drivers' changes.

    Parameters
    ----------
    what
        What the value is, to start the message (``"target"``, ``"value"``, ``"low"``).
    of
        What the fraction is of, for the message.

    Raises
    ------
    ValueError
        Not a number or percentage, or a bare number of 1 or more in size.
    """
    value = parse_number(raw, allow_percent=True)
    if abs(value) >= 1 and not (isinstance(raw, str) and raw.strip().endswith("%")):
        size, sign, other = f"{abs(value):g}", "-" if value < 0 else "+", "+" if value < 0 else "-"
        fraction = f"{'-' if value < 0 else ''}{abs(value) / 100:g}"
        raise ValueError(f"{what} {raw} would be a change of {value:+.0%} (a number without % is a fraction of {of}): "
                         f"write it as a percentage, {sign}{size}% or {other}{size}% (or {fraction} as a fraction)")
    return value


def _check_order(dist: str, params: tuple[float, ...]) -> None:
    if dist == "triangular" and not params[0] <= params[1] <= params[2]:
        raise ValueError(f"triangular needs low <= mode <= high, got {params[0]:g}, {params[1]:g}, {params[2]:g}")
    if dist == "uniform" and not params[0] <= params[1]:
        raise ValueError(f"uniform needs low <= high, got {params[0]:g}, {params[1]:g}")
    if dist == "normal" and params[1] < 0:
        raise ValueError(f"normal needs sd >= 0, got {params[1]:g}")


def parse_value(raw, *, allow_percent: bool = True, change: str | None = None) -> Value:
    """Read a value as written in a scenario file.

    ``change`` (what the value is a fraction of) marks a change: each number
    is read by :func:`parse_change`, so a bare ``10`` is refused, not read as +1000%.

    Raises
    ------
    ValueError
        With the fix, for an unknown distribution, missing or extra
        parameters, non-numbers or parameters out of order.
    """
    if isinstance(raw, Value):
        return raw

    def number(item, what: str) -> float:
        if change is not None:
            return parse_change(item, what=what, of=change)
        return parse_number(item, allow_percent=allow_percent)

    if not isinstance(raw, dict):
        return Value.fixed(number(raw, "value"))
    dist = raw.get("dist")
    if dist not in DISTRIBUTION_KEYS:
        known = ", ".join(DISTRIBUTION_KEYS)
        if dist is None:
            raise ValueError(f"an uncertain value needs 'dist' ({known}), e.g. {{dist: triangular, low: 0.33, mode: 0.36, high: 0.38}}")
        raise ValueError(f"unknown distribution '{dist}'.{did_you_mean(str(dist), list(DISTRIBUTION_KEYS))} Use one of: {known}")
    names = DISTRIBUTION_KEYS[dist]
    extra = sorted(set(raw) - {"dist", *names})
    missing = [name for name in names if name not in raw]
    if extra or missing:
        problem = f"unknown {plural(len(extra), 'key')} {', '.join(extra)}" if extra else f"missing {', '.join(missing)}"
        raise ValueError(f"{problem}: a {dist} value takes exactly {', '.join(names)}")
    params = tuple(number(raw[name], name) for name in names)
    _check_order(dist, params)
    return Value(dist, params)


Fraction = Annotated[Value, PlainValidator(lambda raw: parse_value(raw, allow_percent=True))]
"""A schema field holding a value that may be written as a percentage (``"36%"``)."""
Count = Annotated[Value, PlainValidator(lambda raw: parse_value(raw, allow_percent=False))]
"""A schema field holding a value in units (crimes, pounds): no percentages."""

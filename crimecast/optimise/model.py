"""Optimisation problems as plain data: variables, named constraints in plain English, an objective.

Problems are built here without PuLP, so the rest of crimecast never touches
a solver; ``crimecast.optimise.solver`` turns a :class:`Problem` into PuLP and
back. Every constraint carries a unique name and a sentence a finance officer
can read ("Solihull floor: at least 90% of 2013/14"), which infeasibility
explanations and constraint prices quote.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crimecast.words import plural

CONTINUOUS, BINARY, INTEGER = "continuous", "binary", "integer"
LE, GE, EQ = "<=", ">=", "=="
MAXIMISE, MINIMISE = "max", "min"
# An amount this many times below its peers' (one vehicle's price beside the others' for its work, one recipient's last
# year beside the others') looks like one amount written in thousands of pounds: the fleet and the fund say so.
SLIP_RATIO = 100.0


def money(value: float, *, signed: bool = False) -> str:
    """``2497583`` -> ``'£2,497,583'`` (``'+£…'``/``'-£…'`` when signed; ``'-'`` for NaN), as descriptions quote it."""
    if value != value:
        return "-"
    if signed:
        return f"{'+' if value >= 0 else '-'}£{abs(value):,.0f}"
    return f"£{value:,.0f}"


@dataclass(frozen=True)
class Variable:
    """A decision variable with bounds (``None`` for unbounded) and a kind."""

    name: str
    low: float | None = 0.0
    high: float | None = None
    kind: str = CONTINUOUS


@dataclass(frozen=True)
class ShareOf:
    """What a share limit is a share of, so that its relaxation can be told in percentage points of the share.

    Attributes
    ----------
    share
        The limit as a share (``0.248`` for "at most 24.8% of the district total").
    of
        What it is a share of, as the limit says it after "the" ("district total", "fund").
    terms
        Variables whose sum is the total (the district total), or
    amount
        a fixed total (the fund).
    """

    share: float
    of: str
    terms: tuple[str, ...] = ()
    amount: float | None = None

    def total(self, values: dict[str, float]) -> float:
        """The total at ``values``: the fixed amount, or the sum of the variables."""
        return self.amount if self.amount is not None else sum(values.get(name, 0.0) for name in self.terms)


@dataclass(frozen=True)
class Constraint:
    """``sum(coef * var) <sense> rhs``, named, with its meaning in words.

    Attributes
    ----------
    name
        Unique key, e.g. ``"floor:solihull"``.
    description
        What it means, e.g. ``"Solihull floor: at least £257,344 (90% of 2013/14)"``.
    unit
        Unit of the right-hand side, for explanations (``"£"``, ``"schemes"``).
    soft
        A policy constraint (a limit someone chose), as opposed to a
        structural one (a curve's own definition). Only soft constraints
        are reported as binding and priced.
    relaxable
        Whether an infeasibility explanation may relax it. False for
        structural constraints and for givens such as the size of the fund.
    scale
        The size a relaxation is measured against (``None``: the right-hand
        side). Needed where the right-hand side is 0, as for a share written
        ``x - share * total >= 0``: there the scale is the money the share is
        of, so a pound of relaxation weighs the same as on a pound limit.
    group
        A family for reporting (``"budget"``, ``"floor"``, ``"change"``...).
    share_of
        For a share limit, what it is a share of (:class:`ShareOf`): an
        infeasibility explanation then says how many percentage points the
        share would have to move, and the pounds that frees.
    """

    name: str
    terms: dict[str, float]
    sense: str
    rhs: float
    description: str = ""
    unit: str = ""
    soft: bool = True
    group: str = ""
    relaxable: bool = True
    scale: float | None = None
    share_of: ShareOf | None = None

    @property
    def size(self) -> float:
        """What one unit of relaxation is measured against (at least 1)."""
        return max(1.0, abs(self.scale if self.scale is not None else self.rhs))

    def lhs(self, values: dict[str, float]) -> float:
        return sum(coef * values.get(name, 0.0) for name, coef in self.terms.items())

    def slack(self, values: dict[str, float]) -> float:
        """How far from binding at ``values``: >= 0 when satisfied (for ``==``, minus the gap)."""
        lhs = self.lhs(values)
        if self.sense == LE:
            return self.rhs - lhs
        if self.sense == GE:
            return lhs - self.rhs
        return -abs(lhs - self.rhs)


@dataclass
class Problem:
    """A linear or mixed-integer problem.

    Names must be unique: ``add_variable`` and ``add_constraint`` refuse a
    repeated name instead of silently overwriting it.
    """

    name: str
    sense: str = MAXIMISE
    variables: dict[str, Variable] = field(default_factory=dict)
    constraints: dict[str, Constraint] = field(default_factory=dict)
    objective: dict[str, float] = field(default_factory=dict)
    objective_constant: float = 0.0

    def add_variable(self, name: str, *, low: float | None = 0.0, high: float | None = None,
                     kind: str = CONTINUOUS) -> str:
        if name in self.variables:
            raise ValueError(f"variable '{name}' is defined twice")
        self.variables[name] = Variable(name, low, high, kind)
        return name

    def add_constraint(self, constraint: Constraint) -> Constraint:
        if constraint.name in self.constraints:
            raise ValueError(f"constraint '{constraint.name}' is defined twice")
        unknown = set(constraint.terms) - set(self.variables)
        if unknown:
            raise ValueError(f"constraint '{constraint.name}' uses undefined {plural(len(unknown), 'variable')} "
                             f"{sorted(unknown)}")
        self.constraints[constraint.name] = constraint
        return constraint

    def add_objective(self, terms: dict[str, float]) -> None:
        for name, coef in terms.items():
            self.objective[name] = self.objective.get(name, 0.0) + coef

    def without(self, *names: str) -> "Problem":
        """A copy without the named constraints (to price them by re-solving)."""
        kept = {k: v for k, v in self.constraints.items() if k not in names}
        return Problem(self.name, self.sense, dict(self.variables), kept, dict(self.objective), self.objective_constant)

    def with_constraints(self, *constraints: Constraint) -> "Problem":
        """A copy with extra constraints."""
        copy = self.without()
        for constraint in constraints:
            copy.add_constraint(constraint)
        return copy

    @property
    def is_mixed_integer(self) -> bool:
        return any(v.kind != CONTINUOUS for v in self.variables.values())


@dataclass(frozen=True)
class Solution:
    """A proven-optimal solution: values, objective, which solver and how long it took."""

    values: dict[str, float]
    objective: float
    solver: str
    seconds: float

    def binding(self, problem: Problem, *, tolerance: float = 1e-6) -> list[Constraint]:
        """Soft inequality constraints with (almost) no slack at this solution."""
        out = []
        for constraint in problem.constraints.values():
            if constraint.soft and constraint.sense != EQ:
                scale = max(1.0, abs(constraint.rhs))
                if constraint.slack(self.values) <= tolerance * scale:
                    out.append(constraint)
        return out

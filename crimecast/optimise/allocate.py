"""Allocate a budget across recipients against response curves, exactly, under named constraints.

Pure numbers in, a proven-optimal allocation out. The Community Safety Fund
(``csf.py``) builds an :class:`AllocationSpec` from its assumptions file and
asks the questions a finance officer has of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from crimecast.optimise.curves import DEFAULT_POINTS, Piecewise, ResponseCurve, add_curve, breakpoints, refine, thin
from crimecast.optimise.model import BINARY, EQ, GE, LE, MAXIMISE, Constraint, Problem, Solution, money
from crimecast.optimise.solver import DEFAULT_SOLVER, solve

APPROXIMATION_TARGET = 0.001  # true outcome within 0.1% of the piecewise optimum
MAX_REFINEMENTS = 12
POLISH_GAIN = 1e-7  # a refinement that improves the true outcome by less than this share ends the search
MEAN, CVAR = "mean", "cvar"


@dataclass(frozen=True)
class Limit:
    """One bound on a recipient's allocation, named and described for explanations and prices."""

    name: str
    sense: str
    amount: float
    description: str
    group: str


@dataclass(frozen=True)
class Recipient:
    """Who can receive money, and the limits on how much."""

    key: str
    label: str
    last_year: float = 0.0
    limits: tuple[Limit, ...] = ()
    fixed: float | None = None

    @property
    def ceiling(self) -> float | None:
        highs = [limit.amount for limit in self.limits if limit.sense == LE]
        return min(highs) if highs else None


@dataclass(frozen=True)
class Scheme:
    """A yes/no invest-to-save option paid from the reserve."""

    key: str
    label: str
    cost: float
    benefit: float
    payback_years: float | None = None


@dataclass(frozen=True)
class AllocationSpec:
    """Everything the optimiser needs, as numbers.

    Attributes
    ----------
    curves
        One dict per sample, recipient key -> curve (one dict: no uncertainty).
    shares
        Recipient key -> target share for the fairness band (``None``: no band).
    fairness_band
        Allowed distance (fraction points) from the target share, among the
        recipients that have a share.
    protected_key, protected_share
        A recipient that must get at least this share of the budget.
    measure, cvar_alpha
        ``"mean"`` outcome over the samples, or ``"cvar"``: the mean of the
        worst ``cvar_alpha`` share of samples (a downside measure).
    """

    recipients: tuple[Recipient, ...]
    curves: tuple[dict[str, ResponseCurve], ...]
    budget: float
    reserve: float = 0.0
    schemes: tuple[Scheme, ...] = ()
    payback_limit: float | None = None
    shares: dict[str, float] | None = None
    fairness_band: float | None = None
    share_basis: str = ""
    protected_key: str | None = None
    protected_share: float | None = None
    measure: str = MEAN
    cvar_alpha: float = 0.2
    unit: str = "crimes prevented"


@dataclass
class Allocation:
    """A proven-optimal allocation and how well the piecewise form matched the true curves."""

    spend: dict[str, float]
    schemes: dict[str, bool]
    objective: float
    true_outcome: float
    approximation_error: float
    refinements: int
    solution: Solution
    problem: Problem
    points: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def total_spend(self) -> float:
        return sum(self.spend.values())


def _recipient_constraints(problem: Problem, spec: AllocationSpec, spend: dict[str, str]) -> None:
    # The fund is a given: explanations of infeasibility relax the limits people chose, not the money available.
    problem.add_constraint(Constraint("budget", {v: 1.0 for v in spend.values()}, LE, spec.budget,
                                      f"Fund: at most {money(spec.budget)} in total", "£", group="budget", relaxable=False))
    for r in spec.recipients:
        if r.fixed is not None:
            problem.add_constraint(Constraint(f"fixed:{r.key}", {spend[r.key]: 1.0}, EQ, r.fixed,
                                              f"{r.label}: fixed at {money(r.fixed)}", "£", group="fixed"))
        for limit in r.limits:
            problem.add_constraint(Constraint(f"{limit.name}:{r.key}", {spend[r.key]: 1.0}, limit.sense, limit.amount,
                                              limit.description, "£", group=limit.group))


def _share_constraints(problem: Problem, spec: AllocationSpec, spend: dict[str, str]) -> None:
    if spec.shares and spec.fairness_band is not None:
        members = [r for r in spec.recipients if r.key in spec.shares]
        for r in members:
            share, band = spec.shares[r.key], spec.fairness_band
            for name, sense, bound, word in (("fair-low", GE, share - band, "at least"), ("fair-high", LE, share + band, "at most")):
                if (name == "fair-low" and bound <= 0) or (name == "fair-high" and bound >= 1):
                    continue
                terms = {spend[m.key]: -bound for m in members}
                terms[spend[r.key]] = terms[spend[r.key]] + 1.0
                problem.add_constraint(Constraint(
                    f"{name}:{r.key}", terms, sense, 0.0,
                    f"{r.label}: {word} {bound:.1%} of the district total ({spec.share_basis} share {share:.1%} "
                    f"{'-' if sense == GE else '+'} {band * 100:.0f} points)", "share of the district total", group="fairness"))
    if spec.protected_key and spec.protected_share:
        terms = {v: -spec.protected_share for v in spend.values()}
        terms[spend[spec.protected_key]] += 1.0
        label = next(r.label for r in spec.recipients if r.key == spec.protected_key)
        problem.add_constraint(Constraint("protected-share", terms, GE, 0.0,
                                          f"{label}: at least {spec.protected_share:.0%} of the fund (protected share)",
                                          "share of the fund", group="protected"))


def _scheme_variables(problem: Problem, spec: AllocationSpec) -> dict[str, str]:
    chosen = {s.key: problem.add_variable(f"scheme:{s.key}", kind=BINARY) for s in spec.schemes}
    if spec.schemes:
        problem.add_constraint(Constraint("reserve", {chosen[s.key]: s.cost for s in spec.schemes}, LE, spec.reserve,
                                          f"Invest-to-save reserve: at most {money(spec.reserve)}", "£", group="reserve",
                                          relaxable=False))
    for s in spec.schemes:
        if spec.payback_limit is not None and s.payback_years is not None and s.payback_years > spec.payback_limit:
            problem.add_constraint(Constraint(
                f"payback:{s.key}", {chosen[s.key]: 1.0}, LE, 0.0,
                f"{s.label}: payback {s.payback_years:.1f} years is beyond the {spec.payback_limit:g}-year limit",
                "schemes", group="payback"))
    return chosen


def _outcomes(problem: Problem, spec: AllocationSpec, spend: dict[str, str],
              points: dict[str, np.ndarray]) -> list[Piecewise]:
    """One outcome expression per sample: the sum of the recipients' piecewise curves (shared variables)."""
    per_recipient = [add_curve(problem, [c[r.key] for c in spec.curves], key=f"curve:{r.key}", spend=spend[r.key],
                               points=points[r.key], label=f"{r.label} response curve") for r in spec.recipients]
    outcomes = []
    for pieces in zip(*per_recipient):
        terms: dict[str, float] = {}
        for piece in pieces:
            for name, coef in piece.terms.items():
                terms[name] = terms.get(name, 0.0) + coef
        outcomes.append(Piecewise(terms=terms, constant=sum(piece.constant for piece in pieces)))
    return outcomes


def _objective(problem: Problem, spec: AllocationSpec, outcomes: list[Piecewise], chosen: dict[str, str]) -> None:
    benefits = {chosen[s.key]: s.benefit for s in spec.schemes}
    if spec.measure == CVAR and len(outcomes) > 1:
        eta = problem.add_variable("cvar:threshold", low=None)
        tail = max(1, round(spec.cvar_alpha * len(outcomes)))
        problem.add_objective({eta: 1.0, **benefits})
        for s, outcome in enumerate(outcomes):
            shortfall = problem.add_variable(f"cvar:short{s}", low=0.0)
            problem.add_objective({shortfall: -1.0 / tail})
            terms = {shortfall: 1.0, eta: -1.0, **outcome.terms}
            problem.add_constraint(Constraint(f"cvar:sample{s}", terms, GE, -outcome.constant,
                                              f"sample {s}: shortfall below the tail threshold", soft=False, group="cvar"))
        return
    weight = 1.0 / len(outcomes)
    mean: dict[str, float] = {}
    for outcome in outcomes:
        for name, coef in outcome.terms.items():
            mean[name] = mean.get(name, 0.0) + coef * weight
        problem.objective_constant += outcome.constant * weight
    problem.add_objective({**mean, **benefits})


def build_problem(spec: AllocationSpec, points: dict[str, np.ndarray]) -> tuple[Problem, dict[str, str], dict[str, str]]:
    """The LP/MILP for ``spec`` with curves cut at ``points``: (problem, spend variables, scheme variables)."""
    problem = Problem("Community Safety Fund allocation", MAXIMISE)
    spend = {r.key: problem.add_variable(f"spend:{r.key}", low=0.0, high=spec.budget) for r in spec.recipients}
    _recipient_constraints(problem, spec, spend)
    _share_constraints(problem, spec, spend)
    chosen = _scheme_variables(problem, spec)
    _objective(problem, spec, _outcomes(problem, spec, spend, points), chosen)
    return problem, spend, chosen


def true_outcome(spec: AllocationSpec, spend: dict[str, float], schemes: dict[str, bool]) -> float:
    """The objective evaluated on the true curves (not their piecewise form)."""
    per_sample = np.array([sum(float(c[k](spend[k])) for k in spend) for c in spec.curves])
    if spec.measure == CVAR and len(per_sample) > 1:
        tail = max(1, round(spec.cvar_alpha * len(per_sample)))
        value = float(np.sort(per_sample)[:tail].mean())
    else:
        value = float(per_sample.mean())
    return value + sum(s.benefit for s in spec.schemes if schemes.get(s.key))


def initial_points(spec: AllocationSpec, *, points: int = DEFAULT_POINTS) -> dict[str, np.ndarray]:
    """Breakpoints per recipient over the range its own limits allow, shared by every sample.

    The dense cut covers only the reachable range (e.g. +/-10% of last
    year), where decisions land, so the piecewise optimum is close to the
    true one from the first solve; 0 and the whole budget are kept as end
    points so that the curve itself never encodes a limit (the named
    constraints do, and an infeasibility explanation can relax them).
    """
    grids = {}
    for r in spec.recipients:
        high = spec.budget if r.ceiling is None else min(spec.budget, r.ceiling)
        low = min(high, max([0.0, *(limit.amount for limit in r.limits if limit.sense == GE)]))
        if r.fixed is not None:
            low = high = min(max(r.fixed, 0.0), spec.budget)
        grid = np.unique(np.concatenate([breakpoints(c[r.key], low, high, points=points) for c in spec.curves[:5]]))
        extra = [v for v in (r.last_year,) if low < v < high] + [0.0, spec.budget]
        grids[r.key] = thin(np.concatenate([grid, extra]))
    return grids


def allocate(spec: AllocationSpec, *, solver: str = DEFAULT_SOLVER, time_limit: float | None = None,
             points: dict[str, np.ndarray] | None = None) -> Allocation:
    """Solve, adding breakpoints where the solution lands until the true outcome is within 0.1% of the piecewise one.

    Raises
    ------
    InfeasibleError
        The constraints cannot all hold; says which would have to give, by how much.
    SolverError
        No proven optimum.
    """
    points = dict(points or initial_points(spec))
    previous = None
    for refinement in range(MAX_REFINEMENTS + 1):
        problem, spend_vars, scheme_vars = build_problem(spec, points)
        solution = solve(problem, solver=solver, time_limit=time_limit)
        spend = {k: max(0.0, solution.values[v]) for k, v in spend_vars.items()}
        schemes = {k: solution.values[v] > 0.5 for k, v in scheme_vars.items()}
        actual = true_outcome(spec, spend, schemes)
        error = abs(actual - solution.objective) / max(abs(solution.objective), 1e-9)
        # Stop once the piecewise optimum matches the true curves and a finer cut no longer improves the plan.
        settled = previous is not None and actual - previous <= POLISH_GAIN * max(abs(actual), 1e-9)
        if (error <= APPROXIMATION_TARGET and settled) or refinement == MAX_REFINEMENTS:
            return Allocation(spend=spend, schemes=schemes, objective=solution.objective, true_outcome=actual,
                              approximation_error=error, refinements=refinement, solution=solution, problem=problem,
                              points=points)
        previous = actual
        points = {k: refine(points[k], spend[k]) for k in points}
    raise AssertionError("unreachable")  # pragma: no cover


def with_budget(spec: AllocationSpec, budget: float) -> AllocationSpec:
    return replace(spec, budget=budget)

"""Allocate a budget across recipients against response curves, exactly, under named constraints.

Pure numbers in, a proven-optimal allocation out. The Community Safety Fund
(``csf.py``) builds an :class:`AllocationSpec` from its assumptions file and
asks the questions a finance officer has of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from crimecast.errors import InfeasibleError, SolverError
from crimecast.optimise.curves import (DEFAULT_POINTS, MeanCurve, Piecewise, ResponseCurve, add_curve, add_curve_bound, breakpoints,
                                       piecewise_sum, refine, split_at_excess, thin)
from crimecast.optimise.model import BINARY, EQ, GE, LE, MAXIMISE, MINIMISE, Constraint, Problem, ShareOf, Solution, money
from crimecast.optimise.solver import DEFAULT_SOLVER, MIP_GAP, explain_infeasibility, solve

GAP_TARGET = 1e-6  # refine until the plan's true outcome is within this share of a proven upper bound on the true optimum
GAP_LIMIT = 1e-4  # if refinements run out, a plan proven within this share (0.01%) is returned with its gap; else refused
MAX_REFINEMENTS = 25
# A plan that beats its own "proven" bound by more than this share shows that the bound missed how far a curve
# rises between the points where the rise is measured: it proves nothing, so refinement goes on.
BOUND_SLACK = 1e-9
POLISH_GAIN = 1e-7  # a refinement that improves the true outcome by less than this share triggers the bound check
MEAN, CVAR = "mean", "cvar"
FEWER_POUNDS = 0.8  # a change smaller in pounds is said beside the one smallest in the limits' own units at most this share
PROBLEM = "Community Safety Fund allocation"


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
        A recipient that must get at least this share of the fund (``budget``,
        spent or not: at least ``protected_share * budget``).
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
    dropped: frozenset[str] = frozenset()


@dataclass
class Allocation:
    """An allocation proven within ``gap`` of the best possible on the true curves.

    Attributes
    ----------
    objective
        The piecewise optimum (what the solver maximised).
    true_outcome
        The plan's outcome on the true curves.
    bound
        A proven upper bound on the best outcome any plan could reach on the
        true curves (a solve of an over-estimate of every curve).
    approximation_error
        ``(bound - true_outcome) / |bound|``: the most the plan can fall short
        of the true optimum, as a share. At most :data:`GAP_TARGET`.
    """

    spend: dict[str, float]
    schemes: dict[str, bool]
    objective: float
    true_outcome: float
    approximation_error: float
    refinements: int
    solution: Solution
    problem: Problem
    points: dict[str, np.ndarray] = field(default_factory=dict)
    bound: float = float("nan")

    @property
    def total_spend(self) -> float:
        return sum(self.spend.values())

    @property
    def gap(self) -> float:
        """The most the plan can fall short of the true optimum, in the outcome's unit."""
        return max(self.bound - self.true_outcome, 0.0)


def _add(problem: Problem, spec: AllocationSpec, constraint: Constraint) -> None:
    """Add ``constraint`` unless the spec drops it (to price it by solving again without it)."""
    if constraint.name not in spec.dropped:
        problem.add_constraint(constraint)


def _recipient_constraints(problem: Problem, spec: AllocationSpec, spend: dict[str, str]) -> None:
    # The fund is a given: explanations of infeasibility relax the limits people chose, not the money available.
    _add(problem, spec, Constraint("budget", {v: 1.0 for v in spend.values()}, LE, spec.budget,
                                      f"Fund: at most {money(spec.budget)} in total", "£", group="budget", relaxable=False))
    for r in spec.recipients:
        if r.fixed is not None:
            _add(problem, spec, Constraint(f"fixed:{r.key}", {spend[r.key]: 1.0}, EQ, r.fixed,
                                              f"{r.label}: fixed at {money(r.fixed)}", "£", group="fixed"))
        for limit in r.limits:
            _add(problem, spec, Constraint(f"{limit.name}:{r.key}", {spend[r.key]: 1.0}, limit.sense, limit.amount,
                                              limit.description, "£", group=limit.group))


def _share_constraints(problem: Problem, spec: AllocationSpec, spend: dict[str, str]) -> None:
    if spec.shares and spec.fairness_band is not None:
        members = [r for r in spec.recipients if r.key in spec.shares]
        district_total = _district_total(spec, members)
        for r in members:
            share, band = spec.shares[r.key], spec.fairness_band
            for name, sense, bound, word in (("fair-low", GE, share - band, "at least"), ("fair-high", LE, share + band, "at most")):
                if (name == "fair-low" and bound <= 0) or (name == "fair-high" and bound >= 1):
                    continue
                terms = {spend[m.key]: -bound for m in members}
                terms[spend[r.key]] = terms[spend[r.key]] + 1.0
                _add(problem, spec, Constraint(
                    f"{name}:{r.key}", terms, sense, 0.0,
                    f"{r.label}: {word} {bound:.1%} of the district total ({spec.share_basis} share {share:.1%} "
                    f"{'-' if sense == GE else '+'} {band * 100:.0f} points)", "£ of the district total", group="fairness",
                    scale=district_total, share_of=ShareOf(bound, "district total", tuple(spend[m.key] for m in members))))
    if spec.protected_key and spec.protected_share:
        # A share of the whole fund, as its words say, not of the money spent: where the limits let the fund go
        # unspent (every amount written in thousands against a fund in pounds) 10% of the spend was £495 of £3m.
        amount = spec.protected_share * spec.budget
        label = next(r.label for r in spec.recipients if r.key == spec.protected_key)
        _add(problem, spec, Constraint("protected-share", {spend[spec.protected_key]: 1.0}, GE, amount,
                                       f"{label}: at least {spec.protected_share:.0%} of the fund (protected share: at "
                                       f"least {money(amount)})", "£", group="protected", scale=spec.budget,
                                       share_of=ShareOf(spec.protected_share, "fund", amount=spec.budget)))


def _district_total(spec: AllocationSpec, members: list[Recipient]) -> float:
    """The district total a fairness limit's relaxation is weighed against: the fund times the districts' part of last
    year's split (the fund where there is no last year), so a share of the district total is weighed in percentage
    points of that total, as it is written, and a share of the fund in points of the fund."""
    everyone = sum(r.last_year for r in spec.recipients)
    districts = sum(r.last_year for r in members)
    return spec.budget * districts / everyone if everyone > 0 and districts > 0 else spec.budget


def _scheme_variables(problem: Problem, spec: AllocationSpec) -> dict[str, str]:
    chosen = {s.key: problem.add_variable(f"scheme:{s.key}", kind=BINARY) for s in spec.schemes}
    if spec.schemes:
        _add(problem, spec, Constraint("reserve", {chosen[s.key]: s.cost for s in spec.schemes}, LE, spec.reserve,
                                          f"Invest-to-save reserve: at most {money(spec.reserve)}", "£", group="reserve",
                                          relaxable=False))
    for s in spec.schemes:
        if spec.payback_limit is not None and s.payback_years is not None and s.payback_years > spec.payback_limit:
            _add(problem, spec, Constraint(
                f"payback:{s.key}", {chosen[s.key]: 1.0}, LE, 0.0,
                f"{s.label}: payback {s.payback_years:.1f} years is beyond the {spec.payback_limit:g}-year limit",
                "schemes", group="payback"))
    return chosen


def _outcomes(problem: Problem, spec: AllocationSpec, spend: dict[str, str],
              points: dict[str, np.ndarray], *, upper: bool = False,
              anchors: dict[str, list[float]] | None = None) -> list[Piecewise]:
    """One outcome expression per sample: the sum of the recipients' piecewise curves (shared variables).

    With ``upper``, each curve's over-estimate instead, for a proven bound.
    """
    add = add_curve_bound if upper else add_curve
    pooled = upper and (spec.measure != CVAR or len(spec.curves) == 1)  # a mean objective needs only the mean curve

    def curves_of(key: str) -> list:
        every = [c[key] for c in spec.curves]
        return [MeanCurve(tuple(every))] if pooled and len(every) > 1 else every

    extra = (lambda key: {"anchors": (anchors or {}).get(key)}) if upper else (lambda key: {})
    per_recipient = [add(problem, curves_of(r.key), key=f"curve:{r.key}", spend=spend[r.key],
                         points=points[r.key], label=f"{r.label} response curve", **extra(r.key))
                     for r in spec.recipients]
    return [piecewise_sum(pieces) for pieces in zip(*per_recipient)]


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
    mean = piecewise_sum(outcomes, weight=1.0 / len(outcomes))
    problem.objective_constant += mean.constant
    problem.add_objective({**mean.terms, **benefits})


def build_problem(spec: AllocationSpec, points: dict[str, np.ndarray], *, upper: bool = False,
                  anchors: dict[str, list[float]] | None = None) -> tuple[Problem, dict[str, str], dict[str, str]]:
    """The LP/MILP for ``spec`` with curves cut at ``points``: (problem, spend variables, scheme variables).

    With ``upper``, every curve is over-estimated, so its optimum bounds the true optimum from above.
    """
    name = PROBLEM + (" (upper bound)" if upper else "")
    problem = Problem(name, MAXIMISE)
    spend = {r.key: problem.add_variable(f"spend:{r.key}", low=0.0, high=spec.budget) for r in spec.recipients}
    _recipient_constraints(problem, spec, spend)
    _share_constraints(problem, spec, spend)
    chosen = _scheme_variables(problem, spec)
    _objective(problem, spec, _outcomes(problem, spec, spend, points, upper=upper, anchors=anchors), chosen)
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


def reach(spec: AllocationSpec, recipient: Recipient) -> tuple[float, float]:
    """The spend ``recipient``'s own limits allow, within the fund.

    Parameters
    ----------
    spec
        The allocation; the limits it drops (``spec.dropped``) are ignored.
    recipient
        One of ``spec.recipients``.

    Returns
    -------
    tuple of float
        ``(low, high)``: breakpoints are thinned relative to this range, and its ends are kept.
    """
    limits = [limit for limit in recipient.limits if f"{limit.name}:{recipient.key}" not in spec.dropped]
    high = min([spec.budget, *(limit.amount for limit in limits if limit.sense == LE)])
    low = min(high, max([0.0, *(limit.amount for limit in limits if limit.sense == GE)]))
    if recipient.fixed is not None:
        low = high = min(max(recipient.fixed, 0.0), spec.budget)
    return low, high


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
        low, high = reach(spec, r)
        grid = np.unique(np.concatenate([breakpoints(c[r.key], low, high, points=points) for c in spec.curves[:5]]))
        extra = [v for v in (r.last_year,) if low < v < high] + [0.0, spec.budget]
        grids[r.key] = thin(np.concatenate([grid, extra]), reach=(low, high))
    return grids


def warm_points(spec: AllocationSpec, near: Allocation) -> dict[str, np.ndarray]:
    """Breakpoints for ``spec`` that keep the cuts a nearby solve (``near``) refined around its plan.

    A small change to a solved problem (one constraint dropped, a little more
    budget) has its optimum near the old one, so starting from the old
    refinements saves rounds; the fresh grid for ``spec`` is kept too, so the
    range its own limits allow is covered. The answer is still proven within
    the gap target.
    """
    fresh = initial_points(spec)
    reaches = {r.key: reach(spec, r) for r in spec.recipients}
    return {key: thin(np.concatenate([grid, np.clip(near.points.get(key, grid), 0.0, spec.budget)]), reach=reaches[key])
            for key, grid in fresh.items()}


def _within_budget(spend: dict[str, float], budget: float) -> dict[str, float]:
    """Take a solver's round-off over the budget (pennies) off the largest spend, so the plan never exceeds the fund."""
    over = sum(spend.values()) - budget
    if over <= 0:
        return spend
    largest = max(spend, key=spend.get)
    return {**spend, largest: max(spend[largest] - over, 0.0)}


def allocate(spec: AllocationSpec, *, solver: str = DEFAULT_SOLVER, time_limit: float | None = None,
             points: dict[str, np.ndarray] | None = None, gap_target: float = GAP_TARGET) -> Allocation:
    """Solve, refining the curves around the plan until it is proven within ``gap_target`` of the true optimum.

    Each round solves the piecewise problem (curves cut at breakpoints) and
    adds breakpoints either side of where the plan lands. Once a finer cut
    no longer improves the plan, a second problem in which every curve is
    over-estimated (:func:`crimecast.optimise.curves.add_curve_bound`) is
    solved: no plan can beat its optimum on the true curves. If the plan's
    true outcome is within ``gap_target`` of that bound the answer is
    returned; otherwise both plans' spends are refined and the search goes
    on. If :data:`MAX_REFINEMENTS` rounds do not reach ``gap_target`` (curves
    with features far finer than the budget), a plan proven within
    :data:`GAP_LIMIT` is returned with its gap; otherwise nothing is.

    Raises
    ------
    InfeasibleError
        The constraints cannot all hold; says which would have to give, by how much.
    SolverError
        No proven optimum, or the plan could not be proven within :data:`GAP_LIMIT`.
    """
    points = dict(points or initial_points(spec))
    reaches = {r.key: reach(spec, r) for r in spec.recipients}
    anchors: dict[str, list[float]] = {k: [] for k in points}  # where plans and bounds landed: tangent cuts go there
    previous = None
    bound, error = float("nan"), float("inf")
    for refinement in range(MAX_REFINEMENTS + 1):
        problem, spend_vars, scheme_vars = build_problem(spec, points)
        try:
            solution = solve(problem, solver=solver, time_limit=time_limit, presolve=False, explain=False)
        except InfeasibleError:
            why = explain(problem, solver=solver, time_limit=time_limit)
            raise _fund_below_floors(spec, why, solver=solver, time_limit=time_limit) from None
        spend = {k: max(0.0, solution.values[v]) for k, v in spend_vars.items()}
        schemes = {k: solution.values[v] > 0.5 for k, v in scheme_vars.items()}
        actual = true_outcome(spec, spend, schemes)
        settled = previous is not None and actual - previous <= POLISH_GAIN * max(abs(actual), 1e-9)
        previous = actual
        new_points = {k: refine(points[k], spend[k], reach=reaches[k]) for k in points}
        if settled or refinement == MAX_REFINEMENTS:
            for k in anchors:
                anchors[k].append(spend[k])
            upper, upper_spend, _ = build_problem(spec, points, upper=True, anchors=anchors)
            upper_solution = solve(upper, solver=solver, time_limit=time_limit, presolve=False)
            bound = upper_solution.objective + MIP_GAP * max(abs(upper_solution.objective), 1.0)
            # The bound's own plan meets every constraint too: if it does better on the true curves, it is the
            # answer (this also rescues a piecewise solve a solver wrongly called optimal).
            upper_plan = {k: max(0.0, upper_solution.values[v]) for k, v in upper_spend.items()}
            upper_schemes = {k: upper_solution.values[v] > 0.5 for k, v in scheme_vars.items()}
            upper_actual = true_outcome(spec, upper_plan, upper_schemes)
            if upper_actual > actual:
                spend, schemes, actual, solution, problem = upper_plan, upper_schemes, upper_actual, upper_solution, upper
            spend = _within_budget(spend, spec.budget)
            actual = true_outcome(spec, spend, schemes)
            error = (bound - actual) / max(abs(bound), 1e-9)
            bound_holds = error >= -BOUND_SLACK
            if bound_holds and (error <= gap_target or (refinement == MAX_REFINEMENTS and error <= GAP_LIMIT)):
                return Allocation(spend=spend, schemes=schemes, objective=solution.objective, true_outcome=actual,
                                  approximation_error=max(error, 0.0), refinements=refinement, solution=solution,
                                  problem=problem, points=points, bound=bound)
            for k, v in upper_spend.items():
                anchors[k].append(max(0.0, upper_solution.values[v]))
            new_points = {k: split_at_excess(refine(new_points[k], max(0.0, upper_solution.values[v]), reach=reaches[k]),
                                             MeanCurve(tuple(c[k] for c in spec.curves)), max(0.0, upper_solution.values[v]),
                                             reach=reaches[k])
                          for k, v in upper_spend.items()}
        points = new_points
    if not np.isfinite(error):
        raise SolverError("Community Safety Fund allocation: no finite upper bound could be computed for the plan, so "
                          "nothing is proven and crimecast reports nothing. Check the response curves for extreme values.")
    if error < -BOUND_SLACK:
        raise SolverError(f"Community Safety Fund allocation: the chosen plan does better ({-error:.2e} of the outcome) than "
                          "the upper bound meant to prove it, so the bound missed a sharp bend in some response curve and "
                          "nothing is proven; crimecast reports nothing. Check the response curves for extreme values.")
    raise SolverError(f"Community Safety Fund allocation: after {MAX_REFINEMENTS} refinements the plan is proven only "
                      f"within {error:.2e} of the best possible on the true curves (at most {GAP_LIMIT:.0e} is accepted), so "
                      "crimecast reports nothing. Check the response curves for extreme values.")


def _per_pound(constraint: Constraint) -> float:
    """A limit's relaxation weighed in pounds (a limit in other units, a scheme's payback, against its own size)."""
    return 1.0 if constraint.unit.startswith("£") else 1.0 / constraint.size


def explain(problem: Problem, *, solver: str = DEFAULT_SOLVER, time_limit: float | None = None) -> InfeasibleError:
    """The smallest change that would allow a plan, and, where another is smaller in pounds, that one too.

    The first is weighed in the units each limit is written in: a share in percentage points of what it is a
    share of (the district total, the fund), a sum of money against itself. A share limit's points can be many
    pounds, so where the change that moves the fewest pounds relaxes other limits and moves at most
    :data:`FEWER_POUNDS` of the first's pounds, it is said after it ("Or, the smallest change in pounds (£X
    against £Y): ..."): a finance officer chooses. Each comes from its own solve of the relaxed problem. The
    error's ``relaxations`` are the first's.

    Parameters
    ----------
    problem
        The fund's allocation problem, found infeasible.
    solver, time_limit
        As :func:`crimecast.optimise.solver.solve` takes them, for each elastic solve.

    Returns
    -------
    InfeasibleError
        The error to raise, its message naming the change (or changes).

    Raises
    ------
    SolverError
        When the first elastic solve does not end at a proven optimum.
    """
    error = explain_infeasibility(problem, solver=solver, time_limit=time_limit)
    if not error.relaxations:
        return error
    try:
        pounds = explain_infeasibility(problem, solver=solver, time_limit=time_limit, weight=_per_pound)
    except SolverError:
        return error

    def money_of(found: InfeasibleError) -> float:
        return sum(amount for _, amount, unit in found.relaxations if unit.startswith("£"))

    first, least = money_of(error), money_of(pounds)
    if (not pounds.relaxations or {text for text, _, _ in pounds.relaxations} == {text for text, _, _ in error.relaxations}
            or least > FEWER_POUNDS * first):
        return error
    reason = f"{error.reason}. Or, the smallest change in pounds ({money(least)} against {money(first)}): {pounds.reason}"
    return InfeasibleError(f"{problem.name}: no plan meets every constraint. The smallest change that would allow one: "
                           f"{reason}.", error.relaxations, reason=reason)


def floors_total(spec: AllocationSpec) -> float:
    """What the recipients' own lower limits (floors, change limits, fixed sums) add up to: the least fund that can meet them.

    Limits the spec drops (``spec.dropped``) are left out.
    """
    total = 0.0
    for r in spec.recipients:
        lows = [limit.amount for limit in r.limits if limit.sense == GE and f"{limit.name}:{r.key}" not in spec.dropped]
        total += max([0.0, *lows]) if r.fixed is None else max(r.fixed, 0.0)
    return total


def _lower_limits(spec: AllocationSpec) -> list[tuple[str, float]]:
    """Each recipient's own lower limit that holds (the largest, or its fixed sum): its own words and its amount."""
    said = []
    for r in spec.recipients:
        if r.fixed is not None:
            said.append((f"{r.label}: fixed at {money(r.fixed)}", r.fixed))
            continue
        lows = [limit for limit in r.limits if limit.sense == GE and f"{limit.name}:{r.key}" not in spec.dropped]
        if lows and max(limit.amount for limit in lows) > 0:
            highest = max(lows, key=lambda limit: limit.amount)
            said.append((highest.description, highest.amount))
    return said


def with_lower_limits_scaled(spec: AllocationSpec, ratio: float) -> AllocationSpec:
    """``spec`` with every recipient's lower limits (and fixed sums) multiplied by ``ratio``."""
    return replace(spec, recipients=tuple(
        replace(r, limits=tuple(replace(limit, amount=limit.amount * ratio) if limit.sense == GE else limit
                                for limit in r.limits),
                fixed=None if r.fixed is None else r.fixed * ratio) for r in spec.recipients))


def _solvable(spec: AllocationSpec, *, solver: str, time_limit: float | None) -> bool | None:
    """Whether some plan meets every constraint of ``spec`` (``None``: the solver could not say)."""
    try:
        solve(build_problem(spec, initial_points(spec))[0], solver=solver, time_limit=time_limit, explain=False,
              presolve=False)
    except InfeasibleError:
        return False
    except SolverError:
        return None
    return True


def lowest_fund(spec: AllocationSpec, *, solver: str = DEFAULT_SOLVER,
                time_limit: float | None = None) -> tuple[float, list[Constraint]] | None:
    """The least fund that meets every limit of ``spec``, found by solving, and the share limits that set it.

    The recipients' lower limits add up to the least fund that meets them, but
    a protected share is a share of the fund, so it grows with it: with
    £2,295,000 of district floors and the force protected at 16% of the fund,
    no fund under £2,732,143 will do, though the floors add up to £2,700,000.
    This solves for the fund (the budget and the protected share written
    against it as a variable), with every limit that ``spec`` keeps; the
    solve is proven optimal or raises.

    Returns
    -------
    tuple or None
        ``(fund, share limits binding at it)`` (the fairness band or the
        protected share, as in the allocation problem at ``spec.budget``), or
        ``None`` where no fund meets every limit.

    Raises
    ------
    SolverError
        The solve ended without a proven optimum.
    """
    problem = Problem(f"{PROBLEM} (lowest fund)", MINIMISE)
    spend = {r.key: problem.add_variable(f"spend:{r.key}", low=0.0) for r in spec.recipients}
    fund = problem.add_variable("fund", low=0.0)
    _recipient_constraints(problem, spec, spend)
    _share_constraints(problem, spec, spend)
    for name, share in (("budget", 1.0), ("protected-share", spec.protected_share)):  # the fund is the unknown
        if name in problem.constraints:
            constraint = problem.constraints[name]
            problem.constraints[name] = replace(constraint, terms={**constraint.terms, fund: -share}, rhs=0.0)
    problem.add_objective({fund: 1.0})
    try:
        solution = solve(problem, solver=solver, time_limit=time_limit, explain=False)
    except InfeasibleError:
        return None
    biting = [c for c in problem.constraints.values() if c.group in ("fairness", "protected")
              and c.slack(solution.values) <= 1e-6 * c.size]
    return solution.values[fund], biting


def _share_words(spec: AllocationSpec, constraint: Constraint) -> str:
    """A share limit that sets the lowest fund, in words that hold at any fund (no pound figure of ``spec.budget``)."""
    if constraint.group == "protected":
        label = next(r.label for r in spec.recipients if r.key == spec.protected_key)
        return f"the protected share ({label}: at least {spec.protected_share:.0%} of the fund)"
    return constraint.description


def _fund_below_floors(spec: AllocationSpec, error: InfeasibleError, *, solver: str,
                       time_limit: float | None) -> InfeasibleError:
    """``error``, or, where the recipients' lower limits add up to more than the fund, that plain fact first.

    The fund is not relaxed by the elastic explanation (it is a given), which
    then shares the shortfall across the floors as its weights happen to fall
    (Westminster's "lowered by £630,000", all of it, and Camden's by £195,545:
    read as advice to zero Westminster). So the message leads with the sum:
    the lower limits add up to £X and the fund is £Y; raise the fund to the
    lowest fund that meets every limit (:func:`lowest_fund`: more than £X
    where a protected share of the fund bites) or cut the lower limits by
    £X - £Y in total, each checked by solving (the cut as the same share off
    every lower limit), then names the lower limits. Where a check fails the
    elastic explanation follows. The error's ``reason`` (a budget curve's
    "why no plan" cell) is the first sentence: the fact and the way out. Its
    ``relaxations`` are the change with the fund as it is that the message
    names: the lower limits each cut by the same share (then, where that is
    not enough, what else must give), or the elastic explanation's where the
    message falls back on it.
    """
    floors = float(np.ceil(floors_total(spec) - 1e-6))
    if floors <= spec.budget:
        return _or_raise_the_fund(spec, error, solver=solver, time_limit=time_limit)
    try:
        lowest = lowest_fund(spec, solver=solver, time_limit=time_limit)
    except SolverError:
        return error
    needed = floors if lowest is None else max(floors, float(np.ceil(lowest[0] - 1e-6)))
    raised = lowest is not None and _solvable(with_budget(spec, needed), solver=solver, time_limit=time_limit)
    cut = 1.0 - spec.budget / floors
    scaled = _solvable(with_lower_limits_scaled(spec, spec.budget / floors), solver=solver, time_limit=time_limit)
    if raised is None or scaled is None or (lowest is not None and not raised):  # the solves disagree: not said
        return error
    short, over = money(needed - spec.budget), money(floors - spec.budget)
    fact = f"The recipients' lower limits add up to {money(floors)} and the fund is {money(spec.budget)}"
    if needed > floors:
        said = [_share_words(spec, c) for c in lowest[1]] or ["every other limit"]
        fact += f", and with {' and '.join(said)} the lowest fund that meets them all is {money(needed)}"
    lower = _lower_limits(spec)
    limits = f" The lower limits: {'; '.join(text for text, _ in lower)}."
    elastic = (f" The smallest change that would allow one with the fund as it is: {error.reason}." if error.relaxations
               else f" {error.reason}")
    relaxations = error.relaxations  # the change with the fund as it is, as the message names it
    cut_evenly = [(text, amount * cut, "£") for text, amount in lower if amount > 0]
    if scaled:  # cutting the lower limits evenly is that change
        relaxations = cut_evenly
    else:  # the shortfall is the lower limits' together: say what else must give once they are cut evenly
        after = _after_the_cut(spec, cut, solver=solver, time_limit=time_limit)
        if after is not None:
            elastic, relaxations = after[0], [*cut_evenly, *after[1]]
    if raised and scaled:
        first = (f"{fact}: raise the fund by {short} (to {money(needed)}), or cut the lower limits by {over} in total "
                 f"(the same {cut:.1%} off each would do).")
        rest = limits
    elif raised:
        first = f"{fact}: raise the fund by {short} (to {money(needed)})."
        rest = (f" Cutting the lower limits by {over} in total instead would not do on its own (not with the same "
                f"{cut:.1%} off each).{limits}{elastic}")
    elif scaled:
        first = (f"{fact}: cut the lower limits by {over} in total (the same {cut:.1%} off each would do); no larger "
                 "fund would do on its own.")
        rest = limits
    else:
        first = (f"{fact}: no larger fund would do on its own, nor cutting the lower limits by {over} in total (the "
                 f"same {cut:.1%} off each).")
        rest = elastic
    return InfeasibleError(f"{PROBLEM}: no plan meets every constraint. {first}{rest}", relaxations, reason=first)


def _after_the_cut(spec: AllocationSpec, cut: float, *, solver: str,
                   time_limit: float | None) -> tuple[str, list[tuple[str, float, str]]] | None:
    """With every lower limit cut by ``cut`` (a share, the same off each: the fund then meets their sum), what else
    would have to give: a sentence, and those relaxations (as ``InfeasibleError.relaxations``); ``None`` where the
    solves cannot say.

    The caller has found that cut not enough (:func:`_solvable`), so the problem is not solved again: its elastic
    explanation is, and where nothing need give (the cut was enough after all) there is nothing to say.
    The elastic explanation at the fund as it is put the whole shortfall of the lower limits on one of them
    ("W: at least £1,800 would have to be lowered by £150"): the shortfall is theirs together.
    """
    scaled = with_lower_limits_scaled(spec, 1.0 - cut)
    try:
        why = explain(build_problem(scaled, initial_points(scaled))[0], solver=solver, time_limit=time_limit)
    except SolverError:
        return None
    if not why.relaxations:
        return None
    return (f" With the fund as it is, the lower limits together are the shortfall; with each cut by {cut:.1%}: "
            f"{why.reason}."), why.relaxations


def _or_raise_the_fund(spec: AllocationSpec, error: InfeasibleError, *, solver: str,
                       time_limit: float | None) -> InfeasibleError:
    """``error`` (the lower limits fit the fund, but a share limit makes it impossible), with the other way out: the
    lowest fund that meets every limit (:func:`lowest_fund`), checked by solving at it.

    A protected share grows with the fund, but the districts' floors do not: London's at £2,295,000 with the force
    at 16% of £2,710,000 leave no plan (the floors add up to £2,700,000), and the elastic explanation names only the
    share ("lowered by 0.69 percentage points"); a fund of £2,732,143 would do as well. Where no fund would do, or a
    solve cannot say, ``error`` is returned as it is.
    """
    try:
        lowest = lowest_fund(spec, solver=solver, time_limit=time_limit)
    except SolverError:
        return error
    if lowest is None:
        return error
    needed = float(np.ceil(lowest[0] - 1e-6))
    if needed <= spec.budget or not _solvable(with_budget(spec, needed), solver=solver, time_limit=time_limit):
        return error
    said = [_share_words(spec, c) for c in lowest[1]]
    why = f"with {' and '.join(said)}, " if said else ""
    raised = (f"or raise the fund by {money(needed - spec.budget)} (to {money(needed)}: {why}the lowest fund that "
              "meets every limit)")
    message = str(error).removesuffix(".")
    return InfeasibleError(f"{message}; {raised}.", error.relaxations, reason=f"{error.reason}; {raised}")


def with_budget(spec: AllocationSpec, budget: float) -> AllocationSpec:
    return replace(spec, budget=budget)

"""The only module that touches PuLP: solve a Problem, check the status, explain infeasibility.

HiGHS (through ``highspy``) is the default; PuLP's bundled CBC is the
fallback (PuLP 3.x ships CBC; PuLP 4 will not). Numbers are returned only
from a solve proven optimal: PuLP reports status "Optimal" after a time limit
(with solution status "integer feasible") and leaves plausible-looking
values in the variables after an infeasible solve, so both statuses are
checked and nothing is read otherwise. Every answer is then checked against
the problem itself (each constraint, bound and integer variable) and refused
if it breaks one.

CBC runs with its MIP preprocessing off: the bundled CBC 2.10.3 has returned
plans several percent worse than the optimum labelled "Optimal" with
preprocessing on (on about 1 in 100 small fleet problems with a CO2 cap or
budget); with it off every one of 1,000 random fleets matched brute force
(bench/optimise_checks.py).

A solve stopped by its time limit raises :class:`TimeLimitError` naming the
problem, the best plan found and the best proven bound. An infeasible
problem is re-solved with elastic slack on every soft constraint to find the
smallest relaxation that would make it feasible, each constraint's slack
weighed against its own size, reported in the constraints' own words.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Callable

import pulp

from crimecast.errors import InfeasibleError, SolverError, TimeLimitError
from crimecast.optimise.model import EQ, GE, INTEGER, LE, MAXIMISE, MINIMISE, BINARY, Constraint, Problem, Solution

HIGHS, CBC = "highs", "cbc"
SOLVERS = (HIGHS, CBC)
DEFAULT_SOLVER = HIGHS
MIP_GAP = 1e-7  # relative gap at which a mixed-integer solve counts as proven optimal
RELAXATION_TOLERANCE = 1e-6
FEASIBILITY_TOLERANCE = 1e-6  # an answer breaking a constraint by more than this share of its size is refused
CBC_OPTIONS = ("preprocess off",)  # CBC 2.10.3's preprocessing has returned wrong "optimal" plans


def available_solvers() -> list[str]:
    """The solvers this machine can run, best first."""
    found = []
    if pulp.HiGHS(msg=False).available():
        found.append(HIGHS)
    if _cbc(None).available():
        found.append(CBC)
    return found


def _cbc(time_limit: float | None, log_path: str | None = None):
    # PuLP 3.x warns that PULP_CBC_CMD (its bundled CBC) goes in PuLP 4; crimecast pins pulp<4 for exactly this.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        extra = {"logPath": log_path} if log_path else {}
        return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=MIP_GAP, options=list(CBC_OPTIONS), **extra)


def _pulp_solver(name: str, time_limit: float | None, log_path: str | None = None, presolve: bool = True):
    if name not in SOLVERS:
        raise SolverError(f"unknown solver '{name}'. Use one of: {', '.join(SOLVERS)}.")
    available = available_solvers()
    if name not in available:
        if not available:
            raise SolverError("no solver is available: install highspy (pip install highspy) or PuLP with its bundled CBC.")
        name = available[0]
    if name == HIGHS:
        return HIGHS, pulp.HiGHS(msg=False, timeLimit=time_limit, gapRel=MIP_GAP, **({} if presolve else {"presolve": "off"}))
    return CBC, _cbc(time_limit, log_path)


def _category(kind: str) -> str:
    return {BINARY: pulp.LpBinary, INTEGER: pulp.LpInteger}.get(kind, pulp.LpContinuous)


def _new_variable(model: pulp.LpProblem, name: str, low, high, category):
    """``model.add_variable`` where PuLP has it (3.3+, the PuLP 4 way), else ``LpVariable``."""
    if hasattr(model, "add_variable"):
        return model.add_variable(name, low, high, cat=category)
    return pulp.LpVariable(name, lowBound=low, upBound=high, cat=category)


def _to_pulp(problem: Problem) -> tuple[pulp.LpProblem, dict[str, pulp.LpVariable]]:
    """PuLP model with collision-proof names (v0, v1, ... and c0, c1, ...); our names stay in the Problem."""
    sense = pulp.LpMaximize if problem.sense == MAXIMISE else pulp.LpMinimize
    model = pulp.LpProblem("crimecast", sense)
    variables = {}
    for index, var in enumerate(problem.variables.values()):
        low, high = var.low, var.high
        if var.kind == BINARY:
            low, high = 0, 1
        variables[var.name] = _new_variable(model, f"v{index}", low, high, _category(var.kind))
    model += pulp.LpAffineExpression([(variables[n], c) for n, c in problem.objective.items()],
                                     constant=problem.objective_constant)
    senses = {LE: pulp.LpConstraintLE, GE: pulp.LpConstraintGE, EQ: pulp.LpConstraintEQ}
    for index, constraint in enumerate(problem.constraints.values()):
        expression = pulp.LpAffineExpression([(variables[n], c) for n, c in constraint.terms.items()])
        model.addConstraint(pulp.LpConstraint(expression, senses[constraint.sense], f"c{index}", constraint.rhs))
    return model, variables


@contextlib.contextmanager
def _quiet_native_stdout():
    """Silence what solvers print from C (HiGHS prints a banner when created), so --json output stays clean."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (embedded use): nothing to protect
        yield
        return
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


@dataclasses.dataclass(frozen=True)
class _Run:
    model: pulp.LpProblem
    variables: dict
    solver: str
    seconds: float
    best: float | None  # best plan's objective when the solve stopped early
    bound: float | None  # best proven bound on the optimum when the solve stopped early


def _run(problem: Problem, solver: str, time_limit: float | None, presolve: bool = True) -> _Run:
    model, variables = _to_pulp(problem)
    with tempfile.TemporaryDirectory(prefix="crimecast-cbc-") as folder:
        log_path = os.path.join(folder, "cbc.log")
        name, backend = _pulp_solver(solver, time_limit, log_path, presolve)
        started = time.perf_counter()
        with _quiet_native_stdout():
            model.solve(backend)
        seconds = time.perf_counter() - started
        best, bound = _highs_bounds(model, problem) if name == HIGHS else _cbc_bounds(log_path, problem)
    return _Run(model, variables, name, seconds, best, bound)


def _finite(value) -> float | None:
    return float(value) if value is not None and math.isfinite(float(value)) and abs(float(value)) < 1e29 else None


def _highs_bounds(model: pulp.LpProblem, problem: Problem) -> tuple[float | None, float | None]:
    """HiGHS's incumbent and dual bound, in the problem's own sense (PuLP flips a maximisation's sign)."""
    try:
        info = model.solverModel.getInfo()
    except AttributeError:  # pragma: no cover - an older PuLP without solverModel
        return None, None
    sign = -1.0 if problem.sense == MAXIMISE else 1.0
    best = _finite(info.objective_function_value) if info.primal_solution_status == 2 else None
    bound = _finite(info.mip_dual_bound) if problem.is_mixed_integer else None
    return (None if best is None else sign * best + problem.objective_constant,
            None if bound is None else sign * bound + problem.objective_constant)


def _cbc_bounds(log_path: str, problem: Problem) -> tuple[float | None, float | None]:
    """CBC's incumbent and bound from its log ("Objective value:", "Lower bound:") for a minimisation."""
    if problem.sense == MAXIMISE:  # CBC logs a maximisation in its own flipped sense: not quoted
        return None, None
    try:
        with open(log_path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None, None
    found = {}
    for key in ("Objective value", "Lower bound"):
        match = re.findall(rf"{key}:\s+(-?[0-9.eE+-]+)", text)
        found[key] = _finite(match[-1]) if match else None
    shift = problem.objective_constant
    return tuple(None if v is None else v + shift for v in (found["Objective value"], found["Lower bound"]))


def _violations(problem: Problem, values: dict[str, float]) -> list[str]:
    """What the answer breaks: constraints, bounds or integrality beyond a small tolerance."""
    broken = []
    for constraint in problem.constraints.values():
        magnitude = sum(abs(coef * values.get(name, 0.0)) for name, coef in constraint.terms.items())
        if constraint.slack(values) < -FEASIBILITY_TOLERANCE * max(constraint.size, magnitude, 1.0):
            broken.append(constraint.description or constraint.name)
    for var in problem.variables.values():
        value = values.get(var.name, 0.0)
        low, high = (0, 1) if var.kind == BINARY else (var.low, var.high)
        size = FEASIBILITY_TOLERANCE * max(1.0, abs(low or 0.0), abs(high or 0.0))
        if (low is not None and value < low - size) or (high is not None and value > high + size):
            broken.append(f"the bounds of {var.name} ({value:.10g} outside {low}..{high})")
        if var.kind != "continuous" and abs(value - round(value)) > 1e-6:
            broken.append(f"{var.name} must be whole ({value:.10g})")
    return broken


def _describe_stop(problem: Problem, run: _Run, time_limit: float | None) -> str:
    best = "no plan found" if run.best is None else f"best plan found {run.best:,.6g}"
    bound = ("the solver reported no proven bound" if run.bound is None
             else f"best proven bound {run.bound:,.6g} ({'no plan can do better' if problem.sense == MAXIMISE else 'no plan can cost less'})")
    return (f"{problem.name}: {run.solver} did not prove an optimum within the time limit of {time_limit:g} s "
            f"({best}; {bound}), so crimecast reports nothing from it. Allow more time (--time-limit) or simplify "
            "the problem.")


def solve(problem: Problem, *, solver: str = DEFAULT_SOLVER, time_limit: float | None = None,
          explain: bool = True, presolve: bool = True) -> Solution:
    """Solve to proven optimality or raise.

    Parameters
    ----------
    problem
        The problem, with named constraints.
    solver
        ``"highs"`` (default) or ``"cbc"``; falls back to whichever is installed.
    time_limit
        Seconds. A solve stopped by it raises :class:`TimeLimitError`, never a result.
    explain
        On infeasibility, re-solve elastically to say what would have to give.
    presolve
        HiGHS's presolve. Off for the small, badly scaled piecewise-curve
        problems: there it made HiGHS slower and once return a plan 0.05%
        short of the optimum labelled optimal (the allocation's bound check
        caught it).

    Raises
    ------
    InfeasibleError
        No plan meets every constraint; the message names the smallest
        relaxation in the constraints' own words.
    TimeLimitError
        Stopped by ``time_limit``; names the best plan found and the best proven bound.
    SolverError
        Unbounded, an answer that breaks a constraint, or any other non-optimal end.
    """
    run = _run(problem, solver, time_limit, presolve)
    for retry_solver, retry_presolve in ((solver, True), (CBC, True)):
        if run.model.status != pulp.LpStatusNotSolved or (retry_solver, retry_presolve) == (run.solver, presolve):
            break
        # HiGHS sometimes gives up on a badly scaled LP ("Not Solved"); the answer of another
        # route is checked just the same (constraints here, the proven bound by the caller)
        run = _run(problem, retry_solver, time_limit, retry_presolve)
    model, variables, name, seconds = run.model, run.variables, run.solver, run.seconds
    if model.status == pulp.LpStatusOptimal and model.sol_status == pulp.LpSolutionOptimal:
        values = {n: float(v.varValue or 0.0) for n, v in variables.items()}
        objective = float(pulp.value(model.objective) or 0.0)
        broken = _violations(problem, values)
        if broken:
            raise SolverError(f"{problem.name}: {name} returned a plan that breaks {broken[0]}"
                              f"{f' (and {len(broken) - 1} more)' if len(broken) > 1 else ''}, so crimecast refuses "
                              "it. Try the other solver (--solver).")
        return Solution(values=values, objective=objective, solver=name, seconds=seconds)
    stopped = time_limit is not None and seconds >= 0.9 * time_limit
    if stopped or model.sol_status == pulp.LpSolutionIntegerFeasible or (
            model.status == pulp.LpStatusOptimal and model.sol_status != pulp.LpSolutionOptimal):
        if time_limit is None:
            raise SolverError(f"{problem.name}: {name} stopped with a plan it could not prove optimal, so crimecast "
                              "reports nothing. Simplify the problem or try the other solver.")
        raise TimeLimitError(_describe_stop(problem, run, time_limit), best=run.best, bound=run.bound)
    if model.status == pulp.LpStatusInfeasible and explain:
        raise explain_infeasibility(problem, solver=solver, time_limit=time_limit)
    if model.status == pulp.LpStatusInfeasible:
        raise InfeasibleError(f"{problem.name}: no plan meets every constraint.")
    if model.status == pulp.LpStatusUnbounded:
        raise SolverError(f"{problem.name}: the objective can grow without limit; a spending or count bound is missing.")
    raise SolverError(f"{problem.name}: {name} ended with status '{pulp.LpStatus[model.status]}' and no proven optimum.")


def _elastic(problem: Problem, weight: Callable[[Constraint], float] | None = None) -> tuple[Problem, dict[str, list[tuple[str, float]]]]:
    """The problem with slack on every relaxable constraint, minimising the total relative relaxation.

    ``weight(constraint)`` is what a unit of its relaxation costs (default: one over its size, so each relaxation
    is weighed against the constraint's own size).
    """
    elastic = Problem(f"{problem.name} (elastic)", MINIMISE, dict(problem.variables))
    slacks: dict[str, list[tuple[str, float]]] = {}
    for index, constraint in enumerate(problem.constraints.values()):
        terms = dict(constraint.terms)
        if constraint.soft and constraint.relaxable:
            directions = {LE: [-1.0], GE: [1.0], EQ: [1.0, -1.0]}[constraint.sense]
            slacks[constraint.name] = []
            for k, sign in enumerate(directions):
                slack = elastic.add_variable(f"__slack{index}_{k}", low=0.0)
                terms[slack] = sign
                slacks[constraint.name].append((slack, sign))
                elastic.add_objective({slack: 1.0 / constraint.size if weight is None else weight(constraint)})
        elastic.add_constraint(dataclasses.replace(constraint, terms=terms))
    return elastic, slacks


def explain_infeasibility(problem: Problem, *, solver: str = DEFAULT_SOLVER, time_limit: float | None = None,
                          weight: Callable[[Constraint], float] | None = None) -> InfeasibleError:
    """The smallest relaxation of soft constraints that makes ``problem`` feasible, as an error to raise.

    ``weight(constraint)``: what a unit of a constraint's relaxation costs (default: one over its size, so each
    is weighed against its own size; ``lambda c: 1.0`` for pounds, where every relaxable limit is in pounds).
    """
    elastic, slacks = _elastic(problem, weight)
    try:
        solution = solve(elastic, solver=solver, explain=False, time_limit=time_limit)
    except InfeasibleError:
        return InfeasibleError(f"{problem.name}: no plan is possible even with every adjustable limit relaxed; the "
                               "fixed parts of the problem contradict each other.")
    relaxations = []
    for name, parts in slacks.items():
        amount = sum(solution.values[slack] for slack, _ in parts)
        if amount > RELAXATION_TOLERANCE * problem.constraints[name].size:
            relaxations.append((problem.constraints[name], amount))
    if not relaxations:
        return InfeasibleError(f"{problem.name}: the solver reported no feasible plan, but none of the limits needs to "
                               "give; this is a numerical problem, please report it.")
    lines = "; ".join(relaxation_words(constraint, amount, solution.values) for constraint, amount in relaxations)
    return InfeasibleError(f"{problem.name}: no plan meets every constraint. The smallest change that would allow "
                           f"one: {lines}.", [(c.description or c.name, a, c.unit) for c, a in relaxations], reason=lines)


def relaxation_words(constraint: Constraint, amount: float, values: dict[str, float]) -> str:
    """"<constraint> would have to be lowered/raised by <amount>": a share limit in percentage points of its share.

    A share limit (``constraint.share_of``) is relaxed in the solver by pounds
    of its own expression (``x - share * total``); told in pounds it read "at
    most 24.8% of the district total ... would have to be raised by £68,035 of
    the district total". Its relaxation is said as percentage points of the
    share at ``values`` (the relaxed plan), with the pounds it frees and the
    total they are of; the points and the share are rounded away from the
    limit, so that the share said does allow a plan.
    """
    text = constraint.description or constraint.name
    direction = "lowered" if constraint.sense == GE else "raised" if constraint.sense == LE else "moved"
    share = constraint.share_of
    total = share.total(values) if share is not None else 0.0
    if share is None or constraint.sense == EQ or total <= 0:
        return f"{text} would have to be {direction} by {_amount(amount, constraint.unit)}"
    points = 100.0 * amount / total
    decimals = max(1, min(6, 1 - math.floor(math.log10(points))))
    # Rounded away from the limit, so that the share said allows a plan (14.29% said as 14.3% did not)
    step = 10.0 ** decimals
    moved = 100.0 * share.share + (points if constraint.sense == LE else -points)
    moved = (math.ceil(moved * step - 1e-9) if constraint.sense == LE else math.floor(moved * step + 1e-9)) / step
    points = math.ceil(points * step - 1e-9) / step
    frees = "more" if constraint.sense == LE else "less"
    return (f"{text} would have to be {direction} by {points:.{decimals}f} percentage points, to {moved:.{decimals}f}% "
            f"(£{amount:,.0f} {frees} of the £{total:,.0f} {share.of})")


def _amount(amount: float, unit: str) -> str:
    if unit.startswith("£"):
        return f"£{amount:,.0f}{unit[1:]}"
    return f"{amount:,.4g}{' ' + unit if unit else ''}"

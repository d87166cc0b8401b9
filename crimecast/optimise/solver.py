"""The only module that touches PuLP: solve a Problem, check the status, explain infeasibility.

HiGHS (through ``highspy``) is the default; PuLP's bundled CBC is the
fallback (PuLP 3.x ships CBC; PuLP 4 will not). Numbers are returned only
from a solve proven optimal: PuLP reports status "Optimal" after a time limit
(with solution status "integer feasible") and leaves plausible-looking
values in the variables after an infeasible solve, so both statuses are
checked and nothing is read otherwise. An infeasible problem is re-solved
with elastic slack on every soft constraint to find the smallest relaxation
that would make it feasible, reported in the constraints' own words.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import time
import warnings

import pulp

from crimecast.errors import InfeasibleError, SolverError
from crimecast.optimise.model import EQ, GE, INTEGER, LE, MAXIMISE, MINIMISE, BINARY, Problem, Solution

HIGHS, CBC = "highs", "cbc"
SOLVERS = (HIGHS, CBC)
DEFAULT_SOLVER = HIGHS
MIP_GAP = 1e-7  # relative gap at which a mixed-integer solve counts as proven optimal
RELAXATION_TOLERANCE = 1e-6


def available_solvers() -> list[str]:
    """The solvers this machine can run, best first."""
    found = []
    if pulp.HiGHS(msg=False).available():
        found.append(HIGHS)
    if _cbc(None).available():
        found.append(CBC)
    return found


def _cbc(time_limit: float | None):
    # PuLP 3.x warns that PULP_CBC_CMD (its bundled CBC) goes in PuLP 4; crimecast pins pulp<4 for exactly this.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=MIP_GAP)


def _pulp_solver(name: str, time_limit: float | None):
    if name not in SOLVERS:
        raise SolverError(f"unknown solver '{name}'. Use one of: {', '.join(SOLVERS)}.")
    available = available_solvers()
    if name not in available:
        if not available:
            raise SolverError("no solver is available: install highspy (pip install highspy) or PuLP with its bundled CBC.")
        name = available[0]
    if name == HIGHS:
        return HIGHS, pulp.HiGHS(msg=False, timeLimit=time_limit, gapRel=MIP_GAP)
    return CBC, _cbc(time_limit)


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


def _run(problem: Problem, solver: str, time_limit: float | None) -> tuple[pulp.LpProblem, dict, str, float]:
    name, backend = _pulp_solver(solver, time_limit)
    model, variables = _to_pulp(problem)
    started = time.perf_counter()
    with _quiet_native_stdout():
        model.solve(backend)
    return model, variables, name, time.perf_counter() - started


def solve(problem: Problem, *, solver: str = DEFAULT_SOLVER, time_limit: float | None = None,
          explain: bool = True) -> Solution:
    """Solve to proven optimality or raise.

    Parameters
    ----------
    problem
        The problem, with named constraints.
    solver
        ``"highs"`` (default) or ``"cbc"``; falls back to whichever is installed.
    time_limit
        Seconds. A solve stopped by it is an error, never a result.
    explain
        On infeasibility, re-solve elastically to say what would have to give.

    Raises
    ------
    InfeasibleError
        No plan meets every constraint; the message names the smallest
        relaxation in the constraints' own words.
    SolverError
        Unbounded, stopped at the time limit, or any other non-optimal end.
    """
    model, variables, name, seconds = _run(problem, solver, time_limit)
    if model.status == pulp.LpStatusOptimal and model.sol_status == pulp.LpSolutionOptimal:
        values = {n: float(v.varValue or 0.0) for n, v in variables.items()}
        objective = float(pulp.value(model.objective) or 0.0)
        return Solution(values=values, objective=objective, solver=name, seconds=seconds)
    if model.sol_status == pulp.LpSolutionIntegerFeasible or (
            model.status == pulp.LpStatusOptimal and model.sol_status != pulp.LpSolutionOptimal):
        raise SolverError(f"{problem.name}: {name} stopped (time limit {time_limit} s) with a plan it could not prove "
                          "optimal, so crimecast reports nothing. Allow more time or simplify the problem.")
    if model.status == pulp.LpStatusInfeasible and explain:
        raise explain_infeasibility(problem, solver=solver)
    if model.status == pulp.LpStatusInfeasible:
        raise InfeasibleError(f"{problem.name}: no plan meets every constraint.")
    if model.status == pulp.LpStatusUnbounded:
        raise SolverError(f"{problem.name}: the objective can grow without limit; a spending or count bound is missing.")
    raise SolverError(f"{problem.name}: {name} ended with status '{pulp.LpStatus[model.status]}' and no proven optimum.")


def _elastic(problem: Problem) -> tuple[Problem, dict[str, list[tuple[str, float]]]]:
    """The problem with slack on every relaxable constraint, minimising the total relative relaxation."""
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
                elastic.add_objective({slack: 1.0 / max(1.0, abs(constraint.rhs))})
        elastic.add_constraint(dataclasses.replace(constraint, terms=terms))
    return elastic, slacks


def explain_infeasibility(problem: Problem, *, solver: str = DEFAULT_SOLVER) -> InfeasibleError:
    """The smallest relaxation of soft constraints that makes ``problem`` feasible, as an error to raise."""
    elastic, slacks = _elastic(problem)
    try:
        solution = solve(elastic, solver=solver, explain=False)
    except InfeasibleError:
        return InfeasibleError(f"{problem.name}: no plan is possible even with every adjustable limit relaxed; the "
                               "fixed parts of the problem contradict each other.")
    relaxations = []
    for name, parts in slacks.items():
        amount = sum(solution.values[slack] for slack, _ in parts)
        if amount > RELAXATION_TOLERANCE * max(1.0, abs(problem.constraints[name].rhs)):
            constraint = problem.constraints[name]
            direction = "lowered" if constraint.sense == GE else "raised" if constraint.sense == LE else "moved"
            relaxations.append((constraint.description or name, amount, constraint.unit, direction))
    if not relaxations:
        return InfeasibleError(f"{problem.name}: the solver reported no feasible plan, but none of the limits needs to "
                               "give; this is a numerical problem, please report it.")
    lines = "; ".join(f"{text} would have to be {direction} by {_amount(amount, unit)}"
                      for text, amount, unit, direction in relaxations)
    return InfeasibleError(f"{problem.name}: no plan meets every constraint. The smallest change that would allow "
                           f"one: {lines}.", [(t, a, u) for t, a, u, _ in relaxations])


def _amount(amount: float, unit: str) -> str:
    if unit == "£":
        return f"£{amount:,.0f}"
    return f"{amount:,.4g}{' ' + unit if unit else ''}"

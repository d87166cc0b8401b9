"""The PuLP layer: proven optima only, named infeasibility, HiGHS and CBC agree."""

import itertools

import numpy as np
import pytest

from crimecast.errors import InfeasibleError, SolverError, TimeLimitError
from crimecast.optimise.model import BINARY, EQ, GE, LE, MINIMISE, Constraint, Problem
from crimecast.optimise.solver import available_solvers, solve


def knapsack(values, costs, capacity) -> Problem:
    problem = Problem("knapsack")
    for i in range(len(values)):
        problem.add_variable(f"x{i}", kind=BINARY)
    problem.add_objective({f"x{i}": v for i, v in enumerate(values)})
    problem.add_constraint(Constraint("capacity", {f"x{i}": c for i, c in enumerate(costs)}, LE, capacity,
                                      f"Reserve: at most £{capacity:,}", "£"))
    return problem


def brute_force_knapsack(values, costs, capacity) -> float:
    best = 0.0
    for choice in itertools.product([0, 1], repeat=len(values)):
        if np.dot(choice, costs) <= capacity:
            best = max(best, float(np.dot(choice, values)))
    return best


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_knapsack_matches_brute_force_on_both_solvers(solver):
    rng = np.random.default_rng(4)
    values, costs = rng.integers(10, 100, 12).tolist(), rng.integers(20, 90, 12).tolist()
    solution = solve(knapsack(values, costs, 300), solver=solver)
    assert solution.objective == pytest.approx(brute_force_knapsack(values, costs, 300))
    assert all(v in (0.0, 1.0) for v in np.round(list(solution.values.values()), 9))


def test_both_solvers_are_available_here():
    assert available_solvers() == ["highs", "cbc"]


def test_infeasible_floors_are_explained_by_name():
    problem = Problem("floors")
    for name in ("solihull", "dudley"):
        problem.add_variable(name)
    problem.add_objective({"solihull": 1.0, "dudley": 1.0})
    problem.add_constraint(Constraint("budget", {"solihull": 1.0, "dudley": 1.0}, LE, 500_000, "Fund: at most £500,000", "£"))
    problem.add_constraint(Constraint("floor:solihull", {"solihull": 1.0}, GE, 300_000, "Solihull floor: at least £300,000", "£"))
    problem.add_constraint(Constraint("floor:dudley", {"dudley": 1.0}, GE, 250_000, "Dudley floor: at least £250,000", "£"))
    with pytest.raises(InfeasibleError) as caught:
        solve(problem)
    message = str(caught.value)
    assert "no plan meets every constraint" in message and "£50,000" in message
    assert any(amount == pytest.approx(50_000) for _, amount, _ in caught.value.relaxations)


def test_structural_contradictions_are_not_blamed_on_adjustable_limits():
    problem = Problem("fixed")
    problem.add_variable("x")
    problem.add_constraint(Constraint("a", {"x": 1.0}, GE, 2.0, soft=False))
    problem.add_constraint(Constraint("b", {"x": 1.0}, LE, 1.0, soft=False))
    with pytest.raises(InfeasibleError, match="fixed parts of the problem contradict"):
        solve(problem)


def market_split(seed: int = 1, rows: int = 5, items: int = 40) -> Problem:
    """Cornuejols-Dawande market split: tiny, and notoriously slow to prove optimal."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 100, size=(rows, items))
    problem = Problem("market split", MINIMISE)
    for j in range(items):
        problem.add_variable(f"x{j}", kind=BINARY)
    for i in range(rows):
        plus, minus = problem.add_variable(f"p{i}"), problem.add_variable(f"m{i}")
        problem.add_objective({plus: 1.0, minus: 1.0})
        terms = {f"x{j}": float(a[i, j]) for j in range(items)}
        problem.add_constraint(Constraint(f"row{i}", {**terms, plus: 1.0, minus: -1.0}, EQ, float(a[i].sum() // 2)))
    return problem


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_a_time_limited_solve_is_never_reported_as_optimal(solver):
    with pytest.raises(TimeLimitError) as caught:
        solve(market_split(), solver=solver, time_limit=0.5)
    message = str(caught.value)
    assert message.startswith("market split:") and "did not prove an optimum within the time limit of 0.5 s" in message
    assert "best proven bound" in message or "no proven bound" in message
    if solver == "highs":  # HiGHS reports its incumbent and dual bound; the bound can never beat the incumbent
        assert caught.value.bound is not None and caught.value.best is not None
        assert caught.value.bound <= caught.value.best + 1e-9


def test_repeated_names_are_refused():
    problem = Problem("p")
    problem.add_variable("x")
    with pytest.raises(ValueError, match="defined twice"):
        problem.add_variable("x")
    problem.add_constraint(Constraint("c", {"x": 1.0}, LE, 1.0))
    with pytest.raises(ValueError, match="defined twice"):
        problem.add_constraint(Constraint("c", {"x": 1.0}, LE, 2.0))
    with pytest.raises(ValueError, match="undefined variable"):
        problem.add_constraint(Constraint("d", {"y": 1.0}, LE, 2.0))


def test_unbounded_is_an_error_not_a_number():
    problem = Problem("unbounded")
    problem.add_variable("x", high=None)
    problem.add_objective({"x": 1.0})
    with pytest.raises(SolverError):
        solve(problem)

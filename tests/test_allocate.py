"""Allocation against response curves: brute force, S-shapes, schemes, bounds (property tests)."""

import itertools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimecast.errors import InfeasibleError, SolverError
from crimecast.optimise.allocate import (CVAR, GAP_LIMIT, GAP_TARGET, AllocationSpec, Limit, Recipient, Scheme, allocate, build_problem,
                                         initial_points, lowest_fund, true_outcome, warm_points, with_budget)
from crimecast.optimise.checks import grid_optimum
from crimecast.optimise.solver import MIP_GAP, solve
from crimecast.optimise.curves import (MeanCurve, Piecewise, ResponseCurve, add_curve_bound, breakpoints, chord_cones, is_concave_on,
                                      piecewise_sum, refine, thin)
from crimecast.optimise.model import GE, LE, MAXIMISE, Problem

RECIPIENTS = tuple(Recipient(k, k.title(), last_year=300.0) for k in "abc")


def brute_force(curves: dict, budget: int, step: int) -> float:
    """The best outcome over every split of the whole budget in whole steps (the budget is always spent)."""
    x, y = np.meshgrid(np.arange(0, budget + 1, step, dtype=float), np.arange(0, budget + 1, step, dtype=float))
    splits = x + y <= budget
    x, y = x[splits], y[splits]
    return float(np.max(curves["a"](x) + curves["b"](y) + curves["c"](budget - x - y)))


def test_concave_case_matches_a_brute_force_grid():
    curves = {"a": ResponseCurve(100, 200), "b": ResponseCurve(150, 500), "c": ResponseCurve(60, 100)}
    allocation = allocate(AllocationSpec(recipients=RECIPIENTS, curves=(curves,), budget=1000))
    assert allocation.true_outcome >= brute_force(curves, 1000, 5) * (1 - 1e-4)
    assert allocation.approximation_error <= 1e-6 and allocation.bound >= brute_force(curves, 1000, 5)
    assert allocation.total_spend == pytest.approx(1000)
    assert not allocation.problem.is_mixed_integer  # concave curves (and their tangent bound) stay a pure LP


def test_s_shaped_case_matches_a_brute_force_grid():
    curves = {"a": ResponseCurve(100, 300, 3), "b": ResponseCurve(150, 600, 2.5), "c": ResponseCurve(60, 150, 2)}
    allocation = allocate(AllocationSpec(recipients=RECIPIENTS, curves=(curves,), budget=1000), gap_target=1e-5)
    assert allocation.problem.is_mixed_integer  # incremental formulation with binaries, not SOS2
    assert allocation.true_outcome >= brute_force(curves, 1000, 4) * (1 - 1e-5)
    assert allocation.approximation_error <= 1e-5


def test_s_shape_invests_in_one_recipient_rather_than_spreading_thinly():
    curves = {k: ResponseCurve(100, 400, 4) for k in "abc"}
    # gap_target: this checks where the money goes, not the last decimal (a symmetric MILP is slow to close tightly)
    allocation = allocate(AllocationSpec(recipients=RECIPIENTS, curves=(curves,), budget=900), gap_target=1e-4)
    assert sorted(allocation.spend.values())[-1] > 400  # spreading 300 each would sit below every curve's take-off


def test_a_search_started_from_a_nearby_solve_reaches_the_same_proven_optimum():
    curves = {"a": ResponseCurve(100, 300, 3), "b": ResponseCurve(150, 600, 2.5), "c": ResponseCurve(60, 150, 2)}
    capped = tuple(Recipient(k, k.title(), 300.0, limits=(Limit("cap", LE, 330.0, f"{k}: at most 330", "change"),))
                   for k in "abc")
    solved = allocate(AllocationSpec(recipients=capped, curves=(curves,), budget=900), gap_target=1e-5)
    relaxed = AllocationSpec(recipients=capped, curves=(curves,), budget=1000, dropped=frozenset({"cap:a"}))
    warm = warm_points(relaxed, solved)
    assert all(max(points) <= 1000 and 0.0 in points for points in warm.values())  # the new range is covered
    cold = allocate(relaxed, gap_target=1e-5)
    started = allocate(relaxed, gap_target=1e-5, points=warm)
    assert started.spend["a"] > 330  # the dropped cap no longer binds, though the old cuts stopped there
    assert started.true_outcome == pytest.approx(cold.true_outcome, rel=2e-5)
    assert started.approximation_error <= 1e-5 and started.refinements <= cold.refinements


def test_curve_helpers():
    curve = ResponseCurve(10, 100)
    assert curve(100) == pytest.approx(5) and curve(0) == 0 and curve.is_concave
    points = breakpoints(curve, 0, 1000)
    assert is_concave_on(curve(points), points)
    s_curve = ResponseCurve(10, 100, 3)
    assert not is_concave_on(s_curve(breakpoints(s_curve, 0, 1000)), breakpoints(s_curve, 0, 1000))
    assert 333.0 in refine(np.array([0.0, 500.0, 1000.0]), 333.0)


def test_piecewise_sum_adds_shared_and_own_terms_and_weights_every_piece():
    a, b = Piecewise(terms={"x": 1.0, "y": 2.0}, constant=3.0), Piecewise(terms={"y": 4.0, "z": -1.0}, constant=1.0)
    assert piecewise_sum([a, b]) == Piecewise(terms={"x": 1.0, "y": 6.0, "z": -1.0}, constant=4.0)
    assert piecewise_sum([a, b], weight=0.5) == Piecewise(terms={"x": 0.5, "y": 3.0, "z": -0.5}, constant=2.0)
    assert piecewise_sum([]) == Piecewise(terms={}, constant=0.0)
    values = {"x": 2.0, "y": -1.0, "z": 5.0}
    assert piecewise_sum([a, b]).value(values) == pytest.approx(a.value(values) + b.value(values))


def test_schemes_are_a_knapsack_with_a_known_answer_and_payback_limit():
    schemes = (Scheme("s0", "Target hardening", 120, 60, 1.7), Scheme("s1", "Coordinator", 90, 25, 3.0),
               Scheme("s2", "ANPR", 150, 200, 3.8), Scheme("s3", "Case system", 110, 40, 2.4))
    curves = {k: ResponseCurve(10, 100) for k in "abc"}
    spec = AllocationSpec(recipients=RECIPIENTS, curves=(curves,), budget=300, reserve=350, schemes=schemes, payback_limit=3.0)
    allocation = allocate(spec)
    assert allocation.schemes == {"s0": True, "s1": True, "s2": False, "s3": True}
    unlimited = allocate(AllocationSpec(recipients=RECIPIENTS, curves=(curves,), budget=300, reserve=350, schemes=schemes))
    best = max((c for c in itertools.product([0, 1], repeat=4) if np.dot(c, [120, 90, 150, 110]) <= 350),
               key=lambda c: np.dot(c, [60, 25, 200, 40]))
    assert [unlimited.schemes[f"s{i}"] for i in range(4)] == [bool(b) for b in best]


def test_infeasible_floors_name_the_recipient():
    recipients = (Recipient("solihull", "Solihull", 300, limits=(Limit("floor", GE, 700, "Solihull floor: at least £700", "floor"),)),
                  Recipient("dudley", "Dudley", 300, limits=(Limit("floor", GE, 400, "Dudley floor: at least £400", "floor"),)))
    curves = {k: ResponseCurve(10, 100) for k in ("solihull", "dudley")}
    with pytest.raises(InfeasibleError, match=r"add up to £1,100 and the fund is £1,000: raise the fund by £100 .*"
                                              "The lower limits: Solihull floor: at least £700; Dudley floor: at least £400"):
        allocate(AllocationSpec(recipients=recipients, curves=(curves,), budget=1000))


def test_highs_and_cbc_give_the_same_optimum():
    curves = {"a": ResponseCurve(100, 300, 2), "b": ResponseCurve(150, 500), "c": ResponseCurve(60, 100)}
    spec = AllocationSpec(recipients=RECIPIENTS, curves=(curves,), budget=1000)
    problem, _, _ = build_problem(spec, initial_points(spec))
    assert solve(problem, solver="highs").objective == pytest.approx(solve(problem, solver="cbc").objective, rel=1e-7)
    # the whole refinement loop may settle on different breakpoints, but on the same optimum within its tolerance
    assert allocate(spec, solver="highs").true_outcome == pytest.approx(allocate(spec, solver="cbc").true_outcome, rel=2e-3)


def test_cvar_protects_the_worst_samples():
    rng = np.random.default_rng(0)
    samples = tuple({"a": ResponseCurve(rng.uniform(50, 150), 200), "b": ResponseCurve(100, rng.uniform(100, 900)),
                     "c": ResponseCurve(60, 100)} for _ in range(60))
    mean = allocate(AllocationSpec(recipients=RECIPIENTS, curves=samples, budget=1000))
    cvar = allocate(AllocationSpec(recipients=RECIPIENTS, curves=samples, budget=1000, measure=CVAR, cvar_alpha=0.2))
    cvar_spec = AllocationSpec(recipients=RECIPIENTS, curves=samples, budget=1000, measure=CVAR, cvar_alpha=0.2)
    assert true_outcome(cvar_spec, cvar.spend, {}) >= true_outcome(cvar_spec, mean.spend, {}) - 1e-6


@st.composite
def allocation_cases(draw):
    n = draw(st.integers(2, 5))
    budget = draw(st.floats(1_000, 100_000))
    recipients, curves = [], {}
    for i in range(n):
        key = f"r{i}"
        floor = draw(st.floats(0, budget / (2 * n)))
        ceiling = draw(st.one_of(st.none(), st.floats(floor + 1, budget)))
        limits = [Limit("floor", GE, floor, f"{key} floor", "floor")]
        if ceiling is not None:
            limits.append(Limit("ceiling", LE, ceiling, f"{key} ceiling", "ceiling"))
        recipients.append(Recipient(key, key, last_year=budget / n, limits=tuple(limits)))
        curves[key] = ResponseCurve(draw(st.floats(1, 1000)), draw(st.floats(10, budget)), draw(st.sampled_from([0.7, 1.0, 2.0])))
    return AllocationSpec(recipients=tuple(recipients), curves=(curves,), budget=budget)


@settings(max_examples=10, deadline=None)
@given(allocation_cases())
def test_allocations_respect_the_budget_and_every_bound(spec):
    allocation = allocate(spec)
    tolerance = 1e-6 * spec.budget
    assert allocation.total_spend <= spec.budget + tolerance
    for r in spec.recipients:
        for limit in r.limits:
            x = allocation.spend[r.key]
            assert (x >= limit.amount - tolerance) if limit.sense == GE else (x <= limit.amount + tolerance)
    leftover = spec.budget - allocation.total_spend
    if leftover > tolerance:  # money left unspent must buy (next to) nothing wherever it could still go
        curves = spec.curves[0]
        for r in spec.recipients:
            room = min(leftover, (r.ceiling if r.ceiling is not None else np.inf) - allocation.spend[r.key])
            if room > tolerance:
                gain = curves[r.key](allocation.spend[r.key] + room) - curves[r.key](allocation.spend[r.key])
                assert gain <= 1e-3 * max(allocation.true_outcome, 1e-9)


def test_a_recipient_capped_far_below_its_bend_is_proven_optimal():
    """Found by hypothesis: its cap (£1 of £1,000) was thinned away as within a tenth of a pound of a breakpoint, so
    the bound, taken on a segment running past the cap, stalled 1.02e-4 above the plan and the plan was refused."""
    recipients = [Recipient(f"r{i}", f"r{i}", 200.0, limits=(Limit("floor", GE, 0.0, f"r{i} floor", "floor"),))
                  for i in range(5)]
    recipients[3] = Recipient("r3", "r3", 200.0, limits=(Limit("floor", GE, 0.0, "r3 floor", "floor"),
                                                         Limit("ceiling", LE, 1.0, "r3 ceiling", "ceiling")))
    curves = {f"r{i}": ResponseCurve(1.0, 10.0, 0.7) for i in range(5)} | {"r3": ResponseCurve(11.0, 10.0, 2.0)}
    allocation = allocate(AllocationSpec(recipients=tuple(recipients), curves=(curves,), budget=1000.0))
    assert 1.0 in allocation.points["r3"]  # the cap is a breakpoint, so the bound is exact there
    assert allocation.spend["r3"] == pytest.approx(1.0, abs=1e-6) and allocation.total_spend <= 1000.0 + 1e-6
    assert 0 <= allocation.approximation_error <= GAP_TARGET


def test_saturated_curves_may_leave_money_that_buys_nothing():
    recipients = tuple(Recipient(k, k, 23415.5, limits=(Limit("floor", GE, 0.0, f"{k} floor", "floor"),)) for k in ("r0", "r1"))
    curves = {"r0": ResponseCurve(1.0, 10.0, 0.7), "r1": ResponseCurve(1.0, 10.0, 2.0)}
    allocation = allocate(AllocationSpec(recipients=recipients, curves=(curves,), budget=46831.0))
    assert allocation.total_spend <= 46831.0 + 1e-6
    assert allocation.true_outcome == pytest.approx(curves["r0"](46831.0 / 2) + curves["r1"](46831.0 / 2), rel=1e-3)


@pytest.mark.parametrize("floor_, ceiling, half0, half1, budget", [(6.103515625e-05, 16.0, 8000.0, 51555.0, 85264.0),
                                                                   (6.103515625e-05, 14.0, 7640.0, 50682.0, 85268.0)])
def test_near_duplicate_breakpoints_do_not_mislead_the_solver(floor_, ceiling, half0, half1, budget):
    """Found by hypothesis: a floor a hair above zero once made HiGHS call a poor plan optimal, or infeasible."""
    recipients = (Recipient("r0", "r0", budget / 2, limits=(Limit("floor", GE, floor_, "r0 floor", "floor"),)),
                  Recipient("r1", "r1", budget / 2, limits=(Limit("floor", GE, 0.0, "r1 floor", "floor"),)))
    curves = {"r0": ResponseCurve(1.0, half0, 2.0), "r1": ResponseCurve(ceiling, half1, 2.0)}
    spec = AllocationSpec(recipients=recipients, curves=(curves,), budget=budget)
    highs, cbc = allocate(spec, solver="highs"), allocate(spec, solver="cbc")
    assert highs.total_spend == pytest.approx(budget, rel=1e-6)
    assert highs.true_outcome == pytest.approx(cbc.true_outcome, rel=1e-6)


def test_refinement_brackets_a_spend_a_hair_above_a_breakpoint():
    """The old refine added only the right-hand midpoint here, so the left segment was never cut finer."""
    points = np.array([0.0, 100.0, 200.0, 300.0])
    refined = refine(points, 100.0 + 4.7e-10)
    assert 50.0 in refined and 150.0 in refined  # both neighbouring segments are split
    assert not any(abs(p - 100.0) < 1e-6 and p != 100.0 for p in refined)  # no near-duplicate breakpoint


def test_thinning_keeps_a_recipients_limits_and_cuts_finely_inside_its_reach():
    points = np.array([0.0, 0.9333, 0.99995, 1.0, 1000.0])
    assert 1.0 not in thin(points)  # without its reach: within a tenth (1e-4 of 0-1,000) of 0.9333
    kept = thin(points, reach=(0.0, 1.0))
    assert 1.0 in kept and 0.9333 in kept and 0.99995 not in kept  # the cap comes first; a hair below it goes
    assert 0.95 not in refine(np.array([0.0, 0.9, 1.0, 1000.0]), 1.0)
    assert 0.95 in refine(np.array([0.0, 0.9, 1.0, 1000.0]), 1.0, reach=(0.0, 1.0))  # cuts finer than a tenth near the cap


def random_three(seed: int) -> AllocationSpec:
    rng = np.random.default_rng(seed)
    budget = float(rng.uniform(1e5, 1e7))
    steepness = (lambda: float(rng.uniform(1.5, 3.5))) if seed % 2 else (lambda: float(rng.uniform(0.5, 1.0)))
    recipients, curves = [], {}
    for key in "abc":
        floor = float(rng.uniform(0, 0.2) * budget)
        recipients.append(Recipient(key, key, budget / 3, limits=(
            Limit("floor", GE, floor, f"{key} floor", "floor"),
            Limit("ceiling", LE, floor + float(rng.uniform(0.15, 0.8)) * budget, f"{key} ceiling", "ceiling"))))
        curves[key] = ResponseCurve(float(rng.uniform(10, 1000)), float(rng.uniform(0.05, 0.6) * budget), steepness())
    return AllocationSpec(recipients=tuple(recipients), curves=(curves,), budget=budget)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize("seed", [3, 4, 7, 10])
def test_random_problems_match_a_fine_grid_and_their_bound_holds(seed, solver):
    """Independent check (concave and S-shaped): no grid plan beats the plan by more than 1e-5, or beats its bound."""
    spec = random_three(seed)
    allocation = allocate(spec, solver=solver)
    grid = grid_optimum(spec, steps=400)
    assert allocation.true_outcome >= grid * (1 - 1e-5)
    assert grid <= allocation.bound * (1 + 1e-12)
    assert allocation.approximation_error <= 1e-4 and allocation.gap == pytest.approx(allocation.bound - allocation.true_outcome)


def on_one_curve(recipients: tuple[Recipient, ...], **options) -> AllocationSpec:
    """A fund of ``recipients``, each on the same response curve (``ResponseCurve(100, 300)``), with ``options``."""
    return AllocationSpec(recipients=recipients, curves=({r.key: ResponseCurve(100, 300) for r in recipients},), **options)


def test_a_protected_share_that_cannot_hold_is_named_not_blamed_on_other_limits():
    recipients = (Recipient("a", "A", 500, limits=(Limit("change-up", LE, 550, "A: at most £550", "change"),)),
                  Recipient("b", "B", 500, limits=(Limit("change-down", GE, 450, "B: at least £450", "change"),)))
    spec = on_one_curve(recipients, budget=1000, protected_key="a", protected_share=0.7)
    with pytest.raises(InfeasibleError) as caught:
        allocate(spec)
    named = [text for text, _, _ in caught.value.relaxations]
    assert any("protected share" in text for text in named), named


def test_a_plan_that_beats_its_bound_is_not_called_proven(monkeypatch):
    """If the bound ever came out below the plan's own true outcome (here forced by a negative solver allowance),
    the bound proves nothing: a negative gap must not pass as proof."""
    import crimecast.optimise.allocate as allocate_module

    monkeypatch.setattr(allocate_module, "MIP_GAP", -0.01)
    recipients = tuple(Recipient(k, k, 50.0, limits=(Limit("floor", GE, 0.0, f"{k} floor", "floor"),)) for k in ("r0", "r1"))
    curves = {"r0": ResponseCurve(10.0, 30.0, 3.0), "r1": ResponseCurve(10.0, 60.0, 0.8)}
    with pytest.raises(SolverError, match="does better .* than the upper bound"):
        allocate(AllocationSpec(recipients=recipients, curves=(curves,), budget=100.0))


def assert_rise_bounded(curve, points):
    """Every point of each segment, densest where a rise can hide (both ends and the curve's bends), is within the
    bound ``chord_cones`` gives."""
    excess, left, right = chord_cones(curve, points)
    bends = [c.inflection for c in getattr(curve, "curves", (curve,))]
    for k, (low, high) in enumerate(zip(points[:-1], points[1:])):
        near = np.geomspace(1e-12, 1.0, 400) * (high - low)
        x = np.concatenate([np.linspace(low, high, 5_001), low + near, high - near,
                            *[np.clip(b + np.concatenate([-near, near]), low, high) for b in bends]])
        t = (x - low) / (high - low)
        rise = curve(x) - (curve(low) + (curve(high) - curve(low)) * t)
        from_left = np.where(t > 0, left[k] * np.where(t > 0, t, 1.0), 0.0)  # left may be infinite at zero spend
        allowed = np.minimum(excess[k], np.minimum(from_left, right[k] * (1 - t)))
        assert np.all(rise <= allowed + 1e-12 * max(abs(curve(high)), 1.0)), (k, low, high)


@settings(max_examples=30, deadline=None)
@given(ceiling=st.floats(0.1, 1000), half=st.floats(0.01, 10_000), steepness=st.sampled_from([0.3, 0.7, 1.0, 1.5, 2.0, 5.0, 8.0]),
       cuts=st.lists(st.floats(1e-3, 1e5), min_size=1, max_size=4, unique=True))
def test_the_rise_above_each_chord_is_bounded_everywhere_not_only_where_it_is_measured(ceiling, half, steepness, cuts):
    """The bound's allowance must hold between its measuring points too: a sharp bend inside a wide segment once
    slipped between them (the rise was sampled), so a 'proven' bound could be beaten."""
    assert_rise_bounded(ResponseCurve(ceiling, half, steepness), np.unique(np.concatenate([[0.0], cuts])))


def test_the_rise_of_a_mean_of_curves_is_bounded_by_its_members_bounds():
    curve = MeanCurve((ResponseCurve(10.0, 5.0, 8.0), ResponseCurve(40.0, 300.0, 2.0), ResponseCurve(5.0, 50.0, 0.7)))
    assert_rise_bounded(curve, np.array([0.0, 2.0, 900.0, 5000.0]))  # a sharp bend (about 5) inside a wide segment


def test_a_breakpoint_a_hair_below_the_bend_keeps_the_cone_slopes_modest():
    curve = ResponseCurve(1.0, 1.0, 3.0)
    points = np.array([0.0, curve.inflection * (1 - 1e-12), 2.0])
    excess, left, right = chord_cones(curve, points)
    assert left[1] < 1.0 and right[1] < 1.0  # not 1e10: the rise's own slope bounds the piece next to the bend
    assert_rise_bounded(curve, points)


def test_steep_curves_far_past_their_half_spend_stay_finite():
    curve = ResponseCurve(10.0, 3.0, 300.0)
    assert curve(1e11) == 10.0 and curve.slope(1e11) == 0.0 and np.all(np.isfinite(chord_cones(curve, np.array([0.0, 5.0, 100.0]))))
    recipients = tuple(Recipient(k, k, 50.0, limits=(Limit("floor", GE, 0.0, f"{k} floor", "floor"),)) for k in ("r0", "r1"))
    allocation = allocate(AllocationSpec(recipients=recipients, curves=({"r0": curve, "r1": ResponseCurve(5.0, 40.0, 0.7)},),
                                         budget=100.0))
    assert allocation.approximation_error <= GAP_LIMIT


def test_cbc_a_little_off_a_cone_does_not_void_the_bound():
    """Found by bench/optimise_checks.py: CBC put a recipient's fill of its last segment a hair below zero, which
    pushed that segment's rise allowance to -2e-6, outside a bound of zero it did not need, and the plan was refused."""
    limits = {"a": (715575.9217882844, 3269081.3212282243), "b": (1082765.6810978397, 5076816.082038223),
              "c": (1508840.382235882, 6330733.663270934)}
    recipients = tuple(Recipient(k, k, 7927860.726972892 / 3, limits=(Limit("floor", GE, low, f"{k} floor", "floor"),
                                                             Limit("ceiling", LE, high, f"{k} ceiling", "ceiling")))
                       for k, (low, high) in limits.items())
    curves = {"a": ResponseCurve(343.50497456507117, 3043489.505687121, 3.342954631590408),
              "b": ResponseCurve(774.9642357925532, 4280492.688605996, 2.388018794735377),
              "c": ResponseCurve(121.46365370385068, 3357149.524625152, 2.38049932893881)}
    spec = AllocationSpec(recipients=recipients, curves=(curves,), budget=7927860.726972892)
    allocation = allocate(spec, solver="cbc")
    assert allocation.approximation_error <= GAP_TARGET * 1.5
    assert allocation.true_outcome >= grid_optimum(spec, steps=200) * (1 - 1e-6)


def mixed_steepness_samples(seed: int = 0, samples: int = 8) -> AllocationSpec:
    """Sampled curves whose steepness straddles 1 (n from 0.6 to 1.6), and a fund too small for "c" to get anything."""
    rng = np.random.default_rng(seed)
    base = {"a": (100.0, 50.0), "b": (80.0, 60.0), "c": (20.0, 400.0)}
    curves = tuple({k: ResponseCurve(ceiling * rng.uniform(0.8, 1.2), half * rng.uniform(0.8, 1.2), float(rng.uniform(0.6, 1.6)))
                    for k, (ceiling, half) in base.items()} for _ in range(samples))
    recipients = tuple(Recipient(k, k, 100.0 / 3, limits=(Limit("floor", GE, 0.0, f"{k} floor", "floor"),)) for k in base)
    return AllocationSpec(recipients=recipients, curves=curves, budget=100.0)


def test_mixed_steepness_samples_with_a_recipient_at_zero_are_proven_to_the_target():
    """Found in review: a mean of sampled curves with some n < 1 (infinite slope at £0) and some n > 1 was bounded as
    one S-shaped curve, whose rise allowance on its first segment has no cone from the left; at a plan of £0 the bound
    took that whole allowance, which shrinks only as fast as the first breakpoint (thinned at 1e-4 of the range), so
    the proven gap stalled at 8.2e-6 after every refinement."""
    spec = mixed_steepness_samples()
    assert {c["c"].steepness < 1 for c in spec.curves} == {True, False}
    allocation = allocate(spec)
    assert allocation.spend["c"] < 0.01 and allocation.total_spend == pytest.approx(100.0)
    assert 0 <= allocation.approximation_error <= GAP_TARGET and allocation.refinements < 10
    # The bound is still proven: no plan on a fine grid (c down to a billionth of a pound) beats it.
    a = np.linspace(50.0, 65.0, 3_001)[:, None]
    c = np.concatenate([[0.0], np.geomspace(1e-9, 5.0, 60)])[None, :]
    total = sum(curves["a"](a) + curves["b"](np.maximum(100.0 - a - c, 0.0)) + curves["c"](c) for curves in spec.curves)
    best = float(np.where(a + c <= 100.0, total / len(spec.curves), -np.inf).max())
    assert best <= allocation.bound and allocation.true_outcome >= best * (1 - GAP_TARGET)


def bound_at(curves: list, points: np.ndarray, anchors: list[float], spend: float) -> float:
    """The curves' upper-bound expressions at ``spend`` (held there), summed and maximised, plus the solver's allowance."""
    problem = Problem("bound check", MAXIMISE)
    held = problem.add_variable("spend", low=spend, high=spend)
    for piece in add_curve_bound(problem, curves, key="curve", spend=held, points=points, label="curve", anchors=anchors):
        problem.add_objective(piece.terms)
        problem.objective_constant += piece.constant
    value = solve(problem, presolve=False).objective
    return value + MIP_GAP * max(abs(value), 1.0)


@settings(max_examples=10, deadline=None)
@given(members=st.lists(st.tuples(st.floats(1, 1000), st.floats(10, 10_000), st.sampled_from([0.3, 0.7, 1.0, 1.5, 2.0, 5.0])),
                        min_size=1, max_size=3),
       cuts=st.lists(st.floats(10, 1e5), min_size=1, max_size=4, unique=True),
       where=st.one_of(st.just(0.0), st.floats(1e-6, 1.0)), pooled=st.booleans())
def test_the_bound_of_curves_of_both_shapes_is_never_below_them(members, cuts, where, pooled):
    """Steepness either side of 1 (a mean of samples, or one curve per sample as a CVaR bounds them): the concave
    parts are bounded by tangents, the rest by chords and rises; the sum must still be above the true curve, at £0,
    a little above it, at the anchors and anywhere else."""
    curves = [ResponseCurve(c, h, n) for c, h, n in members] + [ResponseCurve(5.0, 50.0, 0.7), ResponseCurve(8.0, 30.0, 2.0)]
    curves = [MeanCurve(tuple(curves))] if pooled else curves
    points = thin(np.concatenate([[0.0], cuts]))
    spend = where * points[-1]
    for at in (0.0, 1e-6 * points[-1], spend):
        assert bound_at(curves, points, [0.0, spend], at) >= sum(float(curve(at)) for curve in curves), at


def test_a_share_limit_that_cannot_hold_is_relaxed_in_percentage_points_of_the_share():
    """Was "at most 25.0% of the district total ... would have to be raised by £223 of the district total"."""
    recipients = (Recipient("w", "W", 700, limits=(Limit("change-down", GE, 630, "W: at least £630", "change"),)),
                  Recipient("c", "C", 900, limits=(Limit("change-up", LE, 1000, "C: at most £1,000", "change"),)))
    spec = on_one_curve(recipients, budget=2000, shares={"w": 0.15, "c": 0.85}, fairness_band=0.10,
                        share_basis="population")
    with pytest.raises(InfeasibleError) as caught:
        allocate(spec)
    message = str(caught.value)
    # the relaxed plan: W at its £630 floor, C at its £1,000 ceiling: W has 38.7% of £1,630, 13.7 points over 25%
    assert ("W: at most 25.0% of the district total (population share 15.0% + 10 points) would have to be raised by "
            "13.7 percentage points, to 38.7% (£222 more of the £1,630 district total)") in message, message
    assert ("C: at least 75.0% of the district total (population share 85.0% - 10 points) would have to be lowered by "
            "13.7 percentage points, to 61.3% (£222 less of the £1,630 district total)") in message, message


def test_a_protected_share_is_of_the_whole_fund_not_of_the_money_spent():
    """Amounts in thousands against a fund in pounds: 10% of what the limits let be spent was £495 of £3,000,000."""
    recipients = (Recipient("a", "A", 45, limits=(Limit("change-up", LE, 50, "A: at most £50", "change"),)),
                  Recipient("b", "B", 90, limits=(Limit("change-up", LE, 100, "B: at most £100", "change"),)))
    spec = on_one_curve(recipients, budget=1000, protected_key="a", protected_share=0.1)
    with pytest.raises(InfeasibleError) as caught:
        allocate(spec)
    assert ("A: at least 10% of the fund (protected share: at least £100) would have to be lowered by 5.0 percentage "
            "points, to 5.0% (£50 less of the £1,000 fund)") in str(caught.value), str(caught.value)
    assert allocate(replace(spec, budget=400)).spend["a"] == pytest.approx(50)  # 10% of £400 fits under £50


def test_a_fund_below_the_lower_limits_leads_with_their_sum_not_a_split_of_the_shortfall():
    """Was "W: at least £630 would have to be lowered by £630; C: ... by £195 ...", read as advice to zero W."""
    recipients = tuple(Recipient(k, k.upper(), last, limits=(Limit("change-down", GE, 0.9 * last, f"{k.upper()}: at least "
                                                                   f"£{0.9 * last:,.0f}", "change"),))
                       for k, last in (("w", 700), ("c", 450), ("h", 420)))
    with pytest.raises(InfeasibleError) as caught:
        allocate(on_one_curve(recipients, budget=1000))
    assert str(caught.value) == (
        "Community Safety Fund allocation: no plan meets every constraint. The recipients' lower limits add up to "
        "£1,413 and the fund is £1,000: raise the fund by £413 (to £1,413), or cut the lower limits by £413 in total "
        "(the same 29.2% off each would do). The lower limits: W: at least £630; C: at least £405; H: at least £378.")
    # the budget curve's "why no plan" cell: the fact and the way out, not every lower limit (they stay in the message)
    assert caught.value.reason == ("The recipients' lower limits add up to £1,413 and the fund is £1,000: raise the "
                                   "fund by £413 (to £1,413), or cut the lower limits by £413 in total (the same 29.2% "
                                   "off each would do).")


def test_a_fund_below_the_lower_limits_names_the_lowest_fund_that_meets_the_protected_share_too():
    """A protected share grows with the fund: with it biting, the message said raising the fund to the floors' sum
    "would not be enough on its own" and named no fund that would be (London boroughs, share 0.16)."""
    spec = _floors_over_the_fund(0.16)
    with pytest.raises(InfeasibleError) as caught:
        allocate(spec)
    first = ("The recipients' lower limits add up to £3,150 and the fund is £3,000, and with the protected share (F: at "
             "least 16% of the fund) the lowest fund that meets them all is £3,215: raise the fund by £215 (to £3,215).")
    assert str(caught.value).startswith(f"Community Safety Fund allocation: no plan meets every constraint. {first}")
    assert caught.value.reason == first and "not be enough" not in str(caught.value)
    assert allocate(with_budget(spec, 3215)).spend["f"] >= 0.16 * 3215 - 1e-6  # £2,700 / 0.84 = £3,214.29: it does
    with pytest.raises(InfeasibleError):
        allocate(with_budget(spec, 3214))
    assert lowest_fund(spec)[0] == pytest.approx(2700 / 0.84)
    capped = replace(spec, recipients=(*spec.recipients[:2], _kept("f", 450, high=True)))  # 16% of £3,215 is over F's £495
    with pytest.raises(InfeasibleError) as caught:
        allocate(capped)
    assert caught.value.reason.endswith("£3,000: no larger fund would do on its own, nor cutting the lower limits by "
                                        "£105 in total (the same 3.4% off each).")
    assert lowest_fund(replace(spec, protected_share=0.6)) is None  # 60% of any fund over £2,700 is more than F's £550
    # the lower limits fit the fund (£3,150 of £3,200), the share does not: lowering it, or the lowest fund that meets
    # every limit (London, share 0.16 at £2,710,000: only 'lowered by 0.69 percentage points' was said)
    with pytest.raises(InfeasibleError) as caught:
        allocate(with_budget(spec, 3200))
    raised = ("or raise the fund by £15 (to £3,215: with the protected share (F: at least 16% of the fund), the lowest "
              "fund that meets every limit)")
    assert "F: at least 16% of the fund (protected share: at least £512) would have to be lowered by" in str(caught.value)
    assert str(caught.value).endswith(f"; {raised}.") and caught.value.reason.endswith(f"; {raised}"), str(caught.value)


def _kept(key: str, last: float, high: bool = False) -> Recipient:
    """Recipient ``key`` kept to at least 90% of ``last`` (with ``high``, to at most 110% of it too)."""
    limits = [Limit("change-down", GE, 0.9 * last, f"{key.upper()}: at least £{0.9 * last:,.0f}", "change")]
    limits += [Limit("change-up", LE, 1.1 * last, f"{key.upper()}: at most £{1.1 * last:,.0f}", "change")] if high else []
    return Recipient(key, key.upper(), last, limits=tuple(limits))


def _floors_over_the_fund(protected_share: float | None = 0.16) -> AllocationSpec:
    """W, C and F kept to 90% of last year (£3,150) from a fund of £3,000, F protected at ``protected_share``."""
    return on_one_curve((_kept("w", 2000), _kept("c", 1000), _kept("f", 500, high=True)), budget=3000,
                        protected_key="f" if protected_share else None, protected_share=protected_share)


def test_a_fund_below_the_lower_limits_with_the_fund_as_it_is_names_them_together_not_one_floor():
    """Raise only (cutting the lower limits evenly is not enough on its own, the protected share bites): the rest said
    "W: at least £1,800 would have to be lowered by £150", the whole shortfall on the largest floor."""
    spec = _floors_over_the_fund()
    with pytest.raises(InfeasibleError) as caught:
        allocate(spec)
    message = str(caught.value)
    assert "W: at least £1,800 would have to be lowered" not in message, message
    assert message.endswith(
        "The lower limits: W: at least £1,800; C: at least £900; F: at least £450. With the fund as it is, the lower "
        "limits together are the shortfall; with each cut by 4.8%: F: at least 16% of the fund (protected share: at "
        "least £480) would have to be lowered by 1.8 percentage points, to 14.2% (£51 less of the £3,000 fund)."), message
    # checked by solving: the lower limits cut by 4.8% and the share at 14.2% of £3,000 (£426) leave a plan
    cut = replace(spec, recipients=tuple(replace(r, limits=tuple(replace(limit, amount=limit.amount * 3000 / 3150)
                                                                   if limit.sense == GE else limit for limit in r.limits))
                                           for r in spec.recipients), protected_share=0.142)
    assert sum(allocate(cut).spend.values()) <= 3000 + 1e-6


@pytest.mark.parametrize("protected_share", [0.16, None])
def test_a_fund_below_the_lower_limits_lists_as_relaxations_what_its_message_names(protected_share):
    """The message names the lower limits together (each cut by 4.8%, then, raise only, the protected share), but
    ``relaxations`` still held the one-floor result it replaced: W's £1,800 lowered by the whole £150."""
    with pytest.raises(InfeasibleError) as caught:
        allocate(_floors_over_the_fund(protected_share))
    message, relaxations = str(caught.value), caught.value.relaxations
    floors = [(text, round(amount, 1), unit) for text, amount, unit in relaxations[:3]]
    assert floors == [("W: at least £1,800", 85.7, "£"), ("C: at least £900", 42.9, "£"), ("F: at least £450", 21.4, "£")]
    assert sum(amount for _, amount, _ in relaxations[:3]) == pytest.approx(150)  # "by £150 in total"
    if protected_share is None:  # cutting them is enough: that is all the change the message names
        assert len(relaxations) == 3 and "(the same 4.8% off each would do)" in message, message
    else:  # and then the share, as "with each cut by 4.8%: F: at least 16% ... lowered by 1.8 points" says
        assert [text for text, _, _ in relaxations[3:]] == [
            "F: at least 16% of the fund (protected share: at least £480)"], relaxations
        assert f"with each cut by 4.8%: {relaxations[3][0]} would have to be lowered by 1.8" in message, message
        assert relaxations[3][1] == pytest.approx(51, abs=1)  # "(£51 less of the £3,000 fund)"


def test_a_remedy_much_smaller_in_pounds_than_the_one_smallest_in_points_is_said_too():
    """Three fairness limits moved 24 points in all (£314) were the only remedy named; C's floor lowered by £210 alone
    also does, in fewer pounds: both are said, each in its own units, each from its own solve."""
    recipients = tuple(Recipient(k, k.upper(), last, limits=(
        Limit("change-down", GE, 0.9 * last, f"{k.upper()}: at least £{0.9 * last:,.0f}", "change"),
        Limit("change-up", LE, 1.1 * last, f"{k.upper()}: at most £{1.1 * last:,.0f}", "change")))
        for k, last in (("a", 400), ("b", 500), ("c", 400)))
    spec = on_one_curve(recipients, budget=1300, shares={"a": 4 / 9, "b": 4 / 9, "c": 1 / 9}, fairness_band=0.03,
                        share_basis="population")
    with pytest.raises(InfeasibleError) as caught:
        allocate(spec)
    message = str(caught.value)
    assert ("C: at most 14.1% of the district total (population share 11.1% + 3 points) would have to be raised by 13.6 "
            "percentage points, to 27.7% (£177 more of the £1,300 district total). Or, the smallest change in pounds "
            "(£210 against £314): C: at least £360 would have to be lowered by £210.") in message, message
    floor_lowered = replace(spec, recipients=(*recipients[:2], replace(recipients[2], limits=(
        Limit("change-down", GE, 149, "C: at least £149", "change"), recipients[2].limits[1]))))
    assert allocate(floor_lowered).spend["c"] == pytest.approx(150, abs=2)

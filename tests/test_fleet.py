"""Electric fleet renewals: the report's headline, brute force, duty and range rules, infeasibility, switching values."""

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimecast.errors import FleetFileError, InfeasibleError
import numpy as np

from crimecast.optimise.checks import fleet_brute_force, fleet_case, objective_of, random_fleet
from crimecast.optimise.fleet import (CO2, Clock, charge_point_cost, compare_options, costing, electric_headlines,
                                      ineligible, lease_comparisons, solve_fleet, switching_value, tornado,
                                      tradeoff_curve, with_parameter)
from crimecast.optimise.fleet_spec import Fleet, Vehicle, load_fleet

REPORT_SAVING, SAVING_TOLERANCE = 0.095, 0.015
REPORT_CO2_TONNES, CO2_TOLERANCE = 41.0, 0.25


@pytest.fixture(scope="module")
def fleet():
    return load_fleet("fleet-2013")


def test_leaf_is_about_9_5_percent_cheaper_than_the_diesel_for_a_diary_car(fleet):
    diary = next(v for v in fleet.vehicles if v.role == "diary-car")
    assert diary.mean_daily_miles == 45
    comparison = compare_options(fleet, diary, "Nissan Leaf (purchase)", "Diesel 1.3L (purchase)")
    assert abs(comparison["saving"] - REPORT_SAVING) <= SAVING_TOLERANCE


def test_thirty_leafs_save_tailpipe_co2_of_the_order_of_41_tonnes_in_ten_months(fleet):
    diary = [v for v in fleet.vehicles if v.role == "diary-car"]
    assert len(diary) == 30 and len({v.site for v in diary}) == 13
    per_year = sum(costing(v, fleet.option(v.current), fleet).co2_tonnes for v in diary) / fleet.spec.appraisal.years
    ten_months = per_year * 10 / 12
    assert abs(ten_months / REPORT_CO2_TONNES - 1) <= CO2_TOLERANCE


def test_the_shipped_plan(fleet):
    plan = solve_fleet(fleet)
    by_role = plan.choices.groupby("role")["kind"].agg(lambda k: set(k))
    assert by_role["diary-car"] == {"battery-ev"} and "battery-ev" not in by_role["24h-response"]
    assert plan.sites["charge_points"].sum() == 30 and plan.cost < plan.baseline_cost
    lease = compare_options(fleet, fleet.vehicles[0], "Nissan Leaf (lease)", "Nissan Leaf (purchase)")
    assert lease["saving"] < 0  # the lease costs more: the price of passing on the residual-value risk


def tiny_fleet(fleet: Fleet, vehicles: list[Vehicle]) -> Fleet:
    return fleet.model_copy(update={"vehicles": tuple(vehicles)})


def brute_force(fleet: Fleet) -> float:
    options = [[o for o in fleet.spec.options if ineligible(v, o, fleet) is None] for v in fleet.vehicles]
    best = math.inf
    for choice in itertools.product(*options):
        cost = sum(costing(v, o, fleet).whole_life for v, o in zip(fleet.vehicles, choice))
        sites = {}
        for v, o in zip(fleet.vehicles, choice):
            if o.kind in ("battery-ev", "plug-in-hybrid"):
                sites[v.site] = sites.get(v.site, 0) + 1
        points = sum(math.ceil(n / fleet.spec.charge_points.vehicles_per_point) for n in sites.values())
        if any(n > (fleet.spec.charge_points.max_per_site or 10**9) for n in sites.values()):
            continue
        best = min(best, cost + points * charge_point_cost(fleet))
    return best


def test_a_tiny_fleet_matches_brute_force_enumeration(fleet):
    vehicles = [Vehicle(id="a", site="x", role="diary-car", mean_daily_miles=45, p95_daily_miles=55, dwell_hours=14, current="Diesel 1.3L (purchase)"),
                Vehicle(id="b", site="x", role="diary-car", mean_daily_miles=20, p95_daily_miles=30, dwell_hours=14, current="Diesel 1.3L (purchase)"),
                Vehicle(id="c", site="y", role="van", mean_daily_miles=35, p95_daily_miles=60, dwell_hours=14, current="Diesel small van (purchase)"),
                Vehicle(id="d", site="y", role="diary-car", mean_daily_miles=70, p95_daily_miles=90, dwell_hours=14, current="Diesel 1.3L (purchase)")]
    small = tiny_fleet(fleet, vehicles)
    for spec_fleet in (small, with_parameter(small, "electricity_per_kwh", 0.30), with_parameter(small, "battery_ev_cost", 0.7)):
        assert solve_fleet(spec_fleet).cost == pytest.approx(brute_force(spec_fleet), rel=1e-9)


vehicle_rows = st.tuples(st.sampled_from(["diary-car", "24h-response", "van"]), st.floats(5, 150), st.floats(0, 90),
                         st.floats(0, 24), st.sampled_from(["s1", "s2", "s3"]))


@settings(max_examples=30, deadline=None)
@given(st.lists(vehicle_rows, min_size=1, max_size=12), st.floats(0.3, 1.5))
def test_duty_range_and_charging_rules_hold_on_random_fleets(fleet, rows, ev_price):
    current = {"diary-car": "Diesel 1.3L (purchase)", "24h-response": "Diesel 2.0L response car (purchase)",
               "van": "Diesel small van (purchase)"}
    vehicles = [Vehicle(id=f"v{i}", site=site, role=role, mean_daily_miles=mean, p95_daily_miles=mean + extra,
                        dwell_hours=dwell, current=current[role]) for i, (role, mean, extra, dwell, site) in enumerate(rows)]
    everywhere = [o.model_copy(update={"roles": ("diary-car", "24h-response", "van")}) if o.kind == "battery-ev" else o
                  for o in fleet.spec.options]
    random_fleet = with_parameter(fleet.model_copy(update={"vehicles": tuple(vehicles),
                                                           "spec": fleet.spec.model_copy(update={"options": everywhere})}),
                                  "battery_ev_cost", ev_price)
    plan = solve_fleet(random_fleet)
    winter = 1 - random_fleet.spec.appraisal.winter_range_derate
    for row, vehicle in zip(plan.choices.itertuples(), vehicles):
        option = random_fleet.option(row.option)
        assert vehicle.role in option.roles
        if option.kind == "battery-ev":
            assert vehicle.role != "24h-response"
            assert vehicle.p95_daily_miles <= option.electric_range_miles * winter
            assert vehicle.p95_daily_miles * option.kwh_per_mile / random_fleet.spec.charge_points.power_kw <= vehicle.dwell_hours
    plugged = plan.choices[plan.choices["kind"].isin(["battery-ev", "plug-in-hybrid"])].groupby("site").size()
    for site in plan.sites.itertuples():
        assert site.charge_points >= plugged.get(site.site, 0)


def test_an_impossible_co2_cap_or_budget_is_explained_by_name(fleet):
    with pytest.raises(InfeasibleError, match=r"CO2 cap: at most 10.0 tonnes over the appraisal would have to be raised by"):
        solve_fleet(fleet, co2_cap=10.0)
    with pytest.raises(InfeasibleError, match=r"Budget: whole-life cost at most £500,000 would have to be raised by £"):
        solve_fleet(fleet, budget=500_000)


def test_co2_objective_within_a_budget(fleet):
    cheapest = solve_fleet(fleet)
    greener = solve_fleet(fleet, objective=CO2, budget=cheapest.cost + 5_000)
    assert greener.co2 < cheapest.co2 and greener.cost <= cheapest.cost + 5_000 + 1e-6


@pytest.mark.parametrize("parameter, low, high", [("electricity_per_kwh", 0.01, 1.0), ("grant_fraction", 0.0, 1.0)])
def test_switching_values_are_verified_by_re_solving_on_both_sides(fleet, parameter, low, high):
    value = switching_value(fleet, parameter, role="diary-car", low=low, high=high)
    assert value.value is not None and low < value.value < high
    def electric(v):
        plan = solve_fleet(with_parameter(fleet, parameter, v))
        return int((plan.choices.query("role == 'diary-car'")["kind"] == "battery-ev").sum())
    below, above = electric(value.value - 0.01), electric(value.value + 0.01)
    assert {below, above} == {0, 30} and below == value.electric_below


@pytest.mark.parametrize("csv_text, message", [
    ("id,site,role,mean_daily_miles,p95_daily_miles,dwell_hours,current\nA,s,diary-car,45,40,14,Diesel 1.3L (purchase)\n",
     "row 2: p95_daily_miles (40) is below mean_daily_miles (45)"),
    ("id,site,role,mean_daily_miles,p95_daily_miles,dwell_hours,current\nA,s,diary-car,45,55,14,Tesla\n",
     "current 'Tesla' is not one of the options"),
    ("id,site,role,mean_daily_miles,p95_daily_miles,dwell_hours,current\nA,s,diary-car,45,55,14,Diesel 1.3L (purchase)\n"
     "A,s,diary-car,45,55,14,Diesel 1.3L (purchase)\n", "vehicle id 'A' appears twice"),
    ("id,site,role,miles,p95_daily_miles,dwell_hours,current\n", "no vehicles"),
    ("id,site,role,mean_daily_miles,p95_daily_miles,dwell_hours,current,colour\nA,s,diary-car,45,55,14,Diesel 1.3L (purchase),red\n",
     "unknown column 'colour'"),
    ("id,site,role,mean_daily_miles,p95_daily_miles,dwell_hours,current\nA,s,diary-car,forty,55,14,Diesel 1.3L (purchase)\n",
     "row 2: mean_daily_miles"),
    # typos: the closest name is suggested (was: "Add the role to that option's roles", and no suggestion for a column)
    ("id,site,role,mean_daily_miles,p95_daily_miles,dwell_hours,current\nA,s,diary-kar,45,55,14,Diesel 1.3L (purchase)\n",
     "row 2: role 'diary-kar' is not among the roles of its current option 'Diesel 1.3L (purchase)' (diary-car, "
     "scheduled-response). No option has that role. Did you mean 'diary-car'?"),
    ("id,site,role,mean_miles,p95_daily_miles,dwell_hours,current\nA,s,diary-car,45,55,14,Diesel 1.3L (purchase)\n",
     "unknown column 'mean_miles'. Did you mean 'mean_daily_miles'?"),
    ("id,site,role,mean_daily_miles,p95_daily_miles,dwell_hours,current\nA,s,24h-response,45,55,14,Diesel 1.3L (purchase)\n",
     "role '24h-response' is not among the roles of its current option 'Diesel 1.3L (purchase)' (diary-car, "
     "scheduled-response). It is a role of "),
])
def test_bad_vehicle_files_name_the_row(tmp_path, csv_text, message):
    from crimecast.optimise.assumptions import examples_dir

    (tmp_path / "fleet.yaml").write_text((examples_dir() / "fleet-2013.yaml").read_text().replace(
        "vehicles: fleet-2013-vehicles.csv", "vehicles: vehicles.csv"))
    (tmp_path / "vehicles.csv").write_text(csv_text)
    with pytest.raises(FleetFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_fleet(tmp_path / "fleet.yaml")


@pytest.mark.parametrize("old, new, message", [
    ("  - name: Nissan Leaf (lease)\n    kind: battery-ev\n    roles: [diary-car, scheduled-response]\n    finance: lease\n    lease_per_year: 3900",
     "  - name: Nissan Leaf (lease)\n    kind: battery-ev\n    roles: [diary-car, scheduled-response]\n    finance: lease",
     "is leased, so it needs lease_per_year"),
    ("  power_kw: 3.7", "  powr_kw: 3.7", "unknown key 'powr_kw'. Did you mean 'power_kw'?"),
    ("  grant_fraction: 0.60", "  grant_fraction: 1.6", "grant_fraction"),
    # a percentage without its sign: was "Input should be less than or equal to 1."
    ("  grant_fraction: 0.60", "  grant_fraction: 60",
     "charge_points.grant_fraction: 60 would be 6000%: this is a share, written as a fraction of 1 (for 60% write 0.6)."),
    ("  discount_rate: 0.035", "  discount_rate: 3.5", "appraisal.discount_rate: 3.5 would be 350%: this is a share"),
    # a price in pence: was read as £117 a litre, the response cars' whole-life cost £7,279,274
    ("  fuel_per_litre: 1.17", "  fuel_per_litre: 117", "prices.fuel_per_litre: 117 would be £117.00 a litre: prices "
     "are in pounds, so a price in pence is divided by 100 (1.17 for 117p)."),
    ("  electricity_per_kwh: 0.11", "  electricity_per_kwh: 11", "prices.electricity_per_kwh: 11 would be £11.00 a kWh"),
])
def test_bad_fleet_files_name_the_key(tmp_path, old, new, message):
    from crimecast.optimise.assumptions import examples_dir

    text = (examples_dir() / "fleet-2013.yaml").read_text()
    assert old in text
    (tmp_path / "fleet.yaml").write_text(text.replace(old, new))
    (tmp_path / "fleet-2013-vehicles.csv").write_text((examples_dir() / "fleet-2013-vehicles.csv").read_text())
    with pytest.raises(FleetFileError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        load_fleet(tmp_path / "fleet.yaml")


def test_random_small_fleets_match_brute_force_on_both_solvers(fleet):
    """Independent check: cost only, CO2 within a budget and cost under a CO2 cap, HiGHS and CBC (preprocessing off)."""
    rng = np.random.default_rng(161)
    for index in range(9):
        small = random_fleet(fleet, rng)
        case = fleet_case(small, index % 3, rng)
        truth = fleet_brute_force(small, **case)
        for solver in ("highs", "cbc"):
            if truth is None:
                with pytest.raises(InfeasibleError):
                    solve_fleet(small, solver=solver, **case)
            else:
                plan = solve_fleet(small, solver=solver, **case)
                assert objective_of(plan, case["objective"]) == pytest.approx(truth, rel=1e-6), (index, solver, case)


def test_cbc_runs_with_its_preprocessing_off():
    from crimecast.optimise.solver import CBC_OPTIONS, _cbc

    assert "preprocess off" in CBC_OPTIONS and "preprocess off" in _cbc(None).options


def test_free_charge_points_are_not_installed_beyond_the_plug_in_vehicles(fleet):
    free = fleet.model_copy(update={"spec": fleet.spec.model_copy(update={
        "charge_points": fleet.spec.charge_points.model_copy(update={"grant_fraction": 1.0})})})
    plan = solve_fleet(free)
    assert (plan.sites["charge_points"] == plan.sites["plug_in_vehicles"]).all()
    assert plan.sites["charge_points"].sum() <= (plan.choices["kind"].isin(["battery-ev", "plug-in-hybrid"])).sum()


def test_a_vehicle_no_option_can_replace_is_named(fleet):
    ev_only = fleet.spec.model_copy(update={"options": [
        *fleet.spec.options, fleet.option("Small electric van (purchase)").model_copy(
            update={"name": "E-bike courier", "roles": ("courier",)})]})
    far = Vehicle(id="C7", site="s1", role="courier", mean_daily_miles=70, p95_daily_miles=90, dwell_hours=12,
                  current="E-bike courier")
    with pytest.raises(InfeasibleError, match=r"no option can replace vehicle C7 \(courier, site s1\): E-bike courier: "
                                              r"95th-percentile day of 90 miles exceeds the 60-mile winter range"):
        solve_fleet(Fleet(spec=ev_only, vehicles=(*fleet.vehicles, far), source="test"))


def test_none_means_no_limit_and_the_tradeoff_starts_at_the_uncapped_plan(fleet):
    cheapest = solve_fleet(fleet)
    capped_file = fleet.model_copy(update={"spec": fleet.spec.model_copy(update={
        "limits": fleet.spec.limits.model_copy(update={"co2_cap_tonnes": 0.9 * cheapest.co2})})})
    assert solve_fleet(capped_file).co2 <= 0.9 * cheapest.co2 + 1e-6  # default: the file's cap
    assert solve_fleet(capped_file, co2_cap=None).co2 == pytest.approx(cheapest.co2)  # None: no cap
    curve = tradeoff_curve(capped_file, points=3)
    assert curve["co2_cap_tonnes"].iloc[0] == pytest.approx(cheapest.co2)


def test_analyses_out_of_time_skip_and_say_so(fleet):
    clock = Clock(0.0)
    curve = tradeoff_curve(fleet, points=3, clock=clock)
    assert curve["whole_life_cost"].isna().all() and curve["status"].str.startswith("skipped").all()
    spread = tornado(fleet, clock=Clock(0.0))
    assert spread["status"].str.startswith("skipped").all()
    value = switching_value(fleet, "grant_fraction", role="diary-car", low=0.0, high=1.0, clock=Clock(0.0))
    assert value.value is None and value.note.startswith("not found")


def test_headline_saving_with_and_without_infrastructure(fleet):
    plan = solve_fleet(fleet)
    row = electric_headlines(fleet, plan)[0]
    assert row["saving"] > row["saving_with_charge_point"] > row["saving_without_grant"]
    assert row["charge_point_after_grant"] == pytest.approx(1_000) and row["charge_point_without_grant"] == pytest.approx(2_500)
    assert 4 < row["points_per_1000"] < 6  # each £1,000 on the Leaf moves the saving by about 5 points
    lease = lease_comparisons(fleet)[0]
    assert lease["vs_buying"] > lease["vs_like_for_like"] > 0


@pytest.mark.parametrize("make, message", [
    (lambda d: (d / "v.csv").write_bytes("id,role\nCaf\xe9,x\n".encode("latin-1")) and d / "v.csv", "line 2: byte 0xe9 is not UTF-8"),
    (lambda d: d, "is a folder, not a file"),
])
def test_an_unreadable_vehicles_file_is_one_clear_error(tmp_path, make, message):
    from crimecast.optimise.fleet_spec import _read_vehicles

    with pytest.raises(FleetFileError, match=message):
        _read_vehicles(make(tmp_path))


def _site_limited(fleet: Fleet, limit: int) -> Fleet:
    points = fleet.spec.charge_points.model_copy(update={"max_per_site": limit})
    return fleet.model_copy(update={"spec": fleet.spec.model_copy(update={"charge_points": points})})


@pytest.mark.parametrize("limit, held", [(2, 4), (0, 30)])
def test_a_binding_site_limit_names_the_vehicles_it_kept_diesel(fleet, limit, held):
    from crimecast.optimise.fleet import site_limit_effect
    from crimecast.report.fleet import site_limit_sentence

    limited = _site_limited(fleet, limit)
    plan = solve_fleet(limited)
    effect = site_limit_effect(limited, plan, budget=None, co2_cap=None)
    assert len(effect.vehicles) == held and set(effect.vehicles["option"]) == {"Diesel 1.3L (purchase)"}
    assert set(effect.vehicles["option_without_limit"]) == {"Nissan Leaf (purchase)"} and effect.needed == 3
    assert effect.cost_without == pytest.approx(solve_fleet(fleet).cost) and effect.cost_without < plan.cost
    text = site_limit_sentence(effect, plan)[0]
    assert "max_per_site" in text and f"keeps {held} vehicles from going electric" in text
    assert effect.vehicles["vehicle"].iloc[0] in text
    # The shipped limit of 4 never binds: nothing to say.
    shipped = solve_fleet(fleet)
    assert site_limit_sentence(site_limit_effect(fleet, shipped, budget=None, co2_cap=None), shipped) == []


def _priced(fleet: Fleet, scale: float, **only) -> Fleet:
    """``fleet`` with every option's price and yearly lease multiplied by ``scale`` (or set, by option name)."""
    def scaled(o):
        new = only.get(o.name)
        return o.model_copy(update={"price": o.price if o.price is None else (new or o.price * scale),
                                    "lease_per_year": o.lease_per_year if o.lease_per_year is None
                                    else (new or o.lease_per_year * scale)})
    spec = fleet.spec.model_copy(update={"options": [scaled(o) for o in fleet.spec.options]})
    return fleet.model_copy(update={"spec": spec})


def test_prices_written_in_thousands_are_noted_not_refused(fleet):
    """`price: 15.3` for a £15,300 Leaf was solved without a word (the Leaf 67% cheaper than the diesel); it still
    solves, with a note. Cheap vehicles alone are not the sign: one option under a year's running is not enough."""
    from crimecast.optimise.fleet import thousands_note

    note = thousands_note(_priced(fleet, 0.001))
    assert note is not None and note.startswith("Every option's price is under £1,000 and less than a year of its "
                                                "running costs (Diesel 1.3L (purchase): £13.00 against £1,844 a year")
    assert note.endswith("write them in full (13,000, not 13).")
    assert thousands_note(fleet) is None
    cheap = {o.name: 800.0 for o in fleet.spec.options}  # all £800 (e-bikes, say): the Leaf's is over its £600 a year
    assert thousands_note(_priced(fleet, 1, **cheap)) is None


def test_one_price_slipped_into_thousands_is_named_by_its_key():
    """One option at 15.3 beside options at £13,000 was solved without a word (the Leaf almost free); the note names
    the key and the fix. A cheap option that is not far below the others, or not under a year's running, is not."""
    from crimecast.optimise.fleet import thousands_note

    fleet = load_fleet("fleet-2013")
    note = thousands_note(_priced(fleet, 1, **{"Nissan Leaf (purchase)": 15.3}))
    assert note == ("fleet-2013.yaml: options[1].price (Nissan Leaf (purchase)) is £15.30: less than a year of its "
                    "running costs (£600), where Diesel 1.3L (purchase), for the same work, is £13,000. It looks like "
                    "thousands of pounds, which makes the vehicle almost free (the plan is solved as written). Prices "
                    "are in pounds: if it was written in thousands, write it in full (15,300, not 15.3).")
    leased = thousands_note(_priced(fleet, 1, **{"Nissan Leaf (lease)": 3.9}))
    assert leased.startswith("fleet-2013.yaml: options[2].lease_per_year (Nissan Leaf (lease)) is £3.90 a year:")
    assert thousands_note(_priced(fleet, 1, **{"Nissan Leaf (purchase)": 800})) is None  # over its £600 a year
    assert thousands_note(_priced(fleet, 1, **{"Nissan Leaf (purchase)": 500, "Diesel 1.3L (purchase)": 60_000,
                                               "Nissan Leaf (lease)": 60_000, "Petrol hybrid (purchase)": 60_000,
                                               "Plug-in hybrid (purchase)": 60_000})) is not None
    assert thousands_note(_priced(fleet, 1, **{"Nissan Leaf (purchase)": 500})) is None  # only 26 times below the rest


def test_an_error_put_inside_a_note_keeps_one_full_stop():
    from crimecast.optimise.fleet import _short

    error = ValueError("Fleet renewal 2013: the solve stopped at its time limit.")
    note = f"Charge-point limit per site: its effect was not found: {_short(error)}."
    assert note.endswith("time limit.") and not note.endswith("..")  # was "time limit.."

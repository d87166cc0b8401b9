"""Fleet renewal output: the plan in words, tables, CSVs and an Excel workbook."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from crimecast.io import write_csv_atomic
from crimecast.optimise.model import money
from crimecast.optimise.fleet import TORNADO_SWING, FleetPlan, FleetReport, SiteLimitEffect, SwitchingValue
from crimecast.optimise.fleet_spec import Fleet
from crimecast.report.optimise import solver_name
from crimecast.report.text import Line, heading, note, plain
from crimecast.report.workbook import MONEY, NUMBER0, NUMBER1, NUMBER2, Sheet, notes_sheet
from crimecast.report.workbook import write_workbook as write_sheets
from crimecast.words import counted


def plan_table(plan: FleetPlan) -> pd.DataFrame:
    """Vehicles by role and chosen option, with whole-life cost and CO2 against like-for-like."""
    grouped = plan.choices.groupby(["role", "current", "option"], sort=True).agg(
        vehicles=("vehicle", "size"), cost=("whole_life_cost", "sum"), like=("like_for_like_cost", "sum"),
        co2=("co2_tonnes", "sum"), like_co2=("like_for_like_co2", "sum")).reset_index()
    return pd.DataFrame({
        "role": grouped["role"], "renewing": grouped["current"], "replacement": grouped["option"],
        "vehicles": grouped["vehicles"], "whole-life cost": grouped["cost"].map(money),
        "vs like-for-like": (grouped["cost"] - grouped["like"]).map(lambda v: money(v, signed=True)),
        "CO2 t": grouped["co2"].map(lambda v: f"{v:,.1f}"),
        "CO2 saved t": (grouped["like_co2"] - grouped["co2"]).map(lambda v: f"{v:,.1f}"),
    })


def site_table(plan: FleetPlan) -> pd.DataFrame:
    sites = plan.sites[plan.sites["charge_points"] > 0]
    return pd.DataFrame({"site": sites["site"], "charge points": sites["charge_points"],
                         "plug-in vehicles": sites["plug_in_vehicles"], "cost after grant": sites["cost_after_grant"].map(money)})


def summary_sentences(plan: FleetPlan, headlines: list[dict], *, years: int) -> list[str]:
    lines = [
        f"Whole-life cost over {years} years (discounted, charge points included): {money(plan.cost)} against "
        f"{money(plan.baseline_cost)} for like-for-like renewals, a saving of {money(plan.saving)} "
        f"({plan.saving / plan.baseline_cost:.1%}).",
        f"CO2 over the appraisal: {plan.co2:,.1f} t against {plan.baseline_co2:,.1f} t ({plan.co2_saving:,.1f} t saved).",
    ]
    for row in headlines:
        lines.append(
            f"{row['role']}: {row['vehicles']} go to {row['option']}. Against {row['like_for_like']} at "
            f"{row['mean_daily_miles']:g} miles a day, the vehicle alone is {_pct(row['saving'])} cheaper over its life; "
            f"with its charge point ({money(row['charge_point_after_grant'])} after the grant) {_pct(row['saving_with_charge_point'])}; "
            f"with no grant ({money(row['charge_point_without_grant'])}) {_pct(row['saving_without_grant'])}. Each £1,000 on "
            f"its {row['price_basis']} moves the saving by {row['points_per_1000']:.1f} points. It saves "
            f"{row['co2_saved_per_vehicle_year']:.2f} t CO2 a vehicle a year.")
    not_allowed = plan.choices[plan.choices["battery_ev_not_allowed"] != ""]
    kinds = not_allowed["battery_ev_not_allowed"].map(lambda r: re.sub(r"[0-9][0-9.,]*", "#", r))
    for _, group in not_allowed.groupby(kinds, sort=False):
        reasons = group["battery_ev_not_allowed"].unique()
        example = reasons[0] if len(reasons) == 1 else f"for example {group['vehicle'].iloc[0]}: {reasons[0]}"
        lines.append(f"No battery EV for {counted(len(group), 'vehicle')} ({', '.join(group['vehicle'].head(4))}"
                     f"{'...' if len(group) > 4 else ''}): {example}.")
    return lines


def _pct(share: float) -> str:
    return f"{share:.1%}" if share >= 0 else f"{-share:.1%} dearer (not cheaper)"


def lease_sentences(leases: list[dict]) -> list[str]:
    """Each lease against buying the same vehicle and against like-for-like, over the same years."""
    return [f"Leasing ({row['lease']}) for a {row['role']} costs {row['vs_buying']:+.1%} against buying the "
            f"{row['bought']} and {row['vs_like_for_like']:+.1%} against the {row['like_for_like']}, over the same "
            f"{row['years']} years of use (rentals for every year): the price of handing the residual-value and battery "
            "risk to the lessor." for row in leases]


def switching_sentence(value: SwitchingValue, label: str) -> str:
    if value.value is None:
        return f"{label}: {value.note}."
    direction = "stop" if value.electric_below > value.electric_above else "start"
    return (f"{label}: battery EVs {direction} being the cheapest choice for {value.role} vehicles at {value.value:.3g} "
            f"(now {value.current:.3g}); checked by solving either side ({value.electric_below} electric just below, "
            f"{value.electric_above} just above).")


SITE_LIMIT_NAMED = 12  # vehicles named in the site-limit sentence; the JSON lists them all


def site_limit_sentence(effect: SiteLimitEffect | None, plan: FleetPlan) -> list[str]:
    """The vehicles a binding charge-point limit per site kept off plug-in options, and what lifting it would do."""
    if effect is None or effect.vehicles.empty:
        return []
    held, limit = effect.vehicles, effect.limit
    rule = ("No charge points are allowed (max_per_site: 0 under charge_points in the fleet file), which keeps"
            if limit == 0 else
            f"Charge points are limited to {limit} a site (max_per_site under charge_points in the fleet file); at "
            f"{counted(len(effect.sites), 'site')} ({', '.join(effect.sites)}) that keeps")
    groups = []
    for (option, without), group in held.groupby(["option", "option_without_limit"], sort=False):
        names = [f"{v} ({s})" for v, s in zip(group["vehicle"], group["site"])]
        shown = ", ".join(names[:SITE_LIMIT_NAMED]) + (f" and {len(names) - SITE_LIMIT_NAMED} more"
                                                       if len(names) > SITE_LIMIT_NAMED else "")
        groups.append(f"{shown} stay {option} instead of going to {without}")
    change = effect.cost_without - plan.cost
    lifted = (f"Without the limit (up to {counted(effect.needed, 'charge point')} a site) the plan costs "
              f"{money(effect.cost_without)} ({money(abs(change))} {'less' if change <= 0 else 'more'}) and emits "
              f"{effect.co2_without:,.1f} t CO2 ({abs(plan.co2 - effect.co2_without):,.1f} t "
              f"{'less' if effect.co2_without <= plan.co2 else 'more'}).")
    return [f"{rule} {counted(len(held), 'vehicle')} from going electric: {'; '.join(groups)}. {lifted}"]


def site_limit_json(effect: SiteLimitEffect | None) -> dict | None:
    """The site-limit effect for ``--json`` (``None`` when the file sets no limit or no site is at it)."""
    from crimecast.report.serialise import records

    if effect is None:
        return None
    return {"max_per_site": effect.limit, "sites_held_back": list(effect.sites), "vehicles": records(effect.vehicles),
            "charge_points_needed": effect.needed, "cost_without_limit": effect.cost_without,
            "co2_without_limit": effect.co2_without, "note": effect.note}


def output_dir(out_dir: Path) -> Path:
    return Path(out_dir) / "optimise-fleet"


def write_tables(plan: FleetPlan, tradeoff: pd.DataFrame, tornado: pd.DataFrame, switching: pd.DataFrame,
                 folder: Path) -> list[Path]:
    return [write_csv_atomic(plan.choices.round(2), folder / "vehicles.csv"),
            write_csv_atomic(plan.sites.round(2), folder / "charge_points.csv"),
            write_csv_atomic(tradeoff.round(3), folder / "tradeoff.csv"),
            write_csv_atomic(tornado.round(2), folder / "tornado.csv"),
            write_csv_atomic(switching, folder / "switching_values.csv")]


def _plan_sheet(fleet: Fleet, report: FleetReport) -> Sheet:
    plan = report.plan
    frame = plan.choices.assign(difference=plan.choices["whole_life_cost"] - plan.choices["like_for_like_cost"])
    title = (f"{fleet.spec.name}: whole-life cost {money(plan.cost)} against {money(plan.baseline_cost)} like-for-like "
             f"({plan.saving / plan.baseline_cost:.1%} saved, charge points included); CO2 {plan.co2:,.1f} t against "
             f"{plan.baseline_co2:,.1f} t")
    return Sheet(frame[["vehicle", "site", "role", "current", "option", "kind", "whole_life_cost", "like_for_like_cost",
                        "difference", "co2_tonnes", "like_for_like_co2", "battery_ev_not_allowed"]],
                 title=title, formats={"whole_life_cost": MONEY, "like_for_like_cost": MONEY, "difference": MONEY,
                                       "co2_tonnes": NUMBER2, "like_for_like_co2": NUMBER2},
                 headers={"vehicle": "Vehicle", "site": "Site", "role": "Role", "current": "Renewing",
                          "option": "Replacement", "kind": "Kind", "whole_life_cost": "Whole-life cost (discounted)",
                          "like_for_like_cost": "Like-for-like cost", "difference": "Difference",
                          "co2_tonnes": "CO2 (t, appraisal)", "like_for_like_co2": "Like-for-like CO2 (t)",
                          "battery_ev_not_allowed": "Why no battery EV"})


def _assumptions_sheet(fleet: Fleet) -> Sheet:
    """Every option and price the plan rests on."""
    spec = fleet.spec
    rows = []
    for o in spec.options:
        price = f"{money(o.lease_per_year)} a year (lease)" if o.finance == "lease" else f"{money(o.price)} (residual {o.residual_fraction:.0%})"
        energy = (f"{o.kwh_per_mile:g} kWh/mile, {o.electric_range_miles:g} miles electric range" if o.kwh_per_mile else "")
        fuel = f"{o.litres_per_mile:g} litres/mile" if o.litres_per_mile else ""
        rows.append({"item": o.name, "detail": "; ".join(x for x in (o.kind, ", ".join(o.roles), price, fuel, energy,
                                                                    f"maintenance £{o.maintenance_per_mile:g}/mile",
                                                                    f"{o.co2_g_per_mile:g} g CO2/mile") if x),
                     "evidence": o.evidence})
    cp, pr, ap = spec.charge_points, spec.prices, spec.appraisal
    rows += [
        {"item": "Charge points", "detail": f"{money(cp.cost_per_point)} a point, {cp.grant_fraction:.0%} grant, "
                                            f"{cp.power_kw:g} kW, one per {counted(cp.vehicles_per_point, 'plug-in vehicle')}, "
                                            f"at most {cp.max_per_site if cp.max_per_site is not None else 'any'} a site",
         "evidence": cp.evidence},
        {"item": "Prices", "detail": f"fuel £{pr.fuel_per_litre:g}/litre; electricity £{pr.electricity_per_kwh:g}/kWh; "
                                     f"grid {pr.grid_kg_co2_per_kwh:g} kg CO2/kWh", "evidence": pr.evidence},
        {"item": "Appraisal", "detail": f"{ap.years} years at {ap.discount_rate:.1%}; {ap.days_per_year} days a year; "
                                        f"winter range cut by {ap.winter_range_derate:.0%}; {ap.emission_factor_year}",
         "evidence": ap.evidence},
        {"item": "Rules", "detail": f"no battery EV for: {', '.join(spec.rules.battery_ev_roles_excluded) or 'none'}; "
                                    f"CO2 counted: {spec.rules.co2_scope}", "evidence": "fleet file"},
        {"item": "Limits", "detail": f"budget {money(spec.limits.budget) if spec.limits.budget else 'none'}; CO2 cap "
                                     f"{spec.limits.co2_cap_tonnes if spec.limits.co2_cap_tonnes is not None else 'none'}; "
                                     f"carbon price £{spec.limits.carbon_price_per_tonne:g}/t", "evidence": "fleet file"},
    ]
    return Sheet(pd.DataFrame(rows), title="Assumptions: every option and price the plan rests on",
                 headers={"item": "Item", "detail": "Detail", "evidence": "Evidence"})


METHOD = [
    "Method: each vehicle's replacement and each site's charge points are chosen by a mixed-integer programme solved to "
    "proven optimality (HiGHS, or CBC with its preprocessing off). Whole-life cost is discounted: purchase less the "
    "discounted residual value, or yearly lease rentals in advance, plus energy and maintenance each year.",
    "A battery EV is allowed only where the vehicle's 95th-percentile day fits the winter range, its duty allows it, and "
    "its time at base can recharge that day's miles. Charge points are whole numbers: one per plug-in vehicle or per "
    "the number set, never more than the plug-in vehicles need.",
    "Switching values re-solve the whole plan either side of the value; the trade-off curve and the sensitivity re-solve "
    "without the file's budget or CO2 cap. Every solve has a time limit; what did not finish is listed in these notes.",
]


def write_workbook(fleet: Fleet, report: FleetReport, switching: pd.DataFrame, path: Path, *, notes: list[str]) -> Path:
    """One Excel workbook: the plan, charge points, trade-off, sensitivity, switching values, assumptions, notes."""
    plan = report.plan
    sheets = {
        "Vehicles": _plan_sheet(fleet, report),
        "Charge points": Sheet(plan.sites, formats={"cost_after_grant": MONEY}, headers={
            "site": "Site", "charge_points": "Charge points", "plug_in_vehicles": "Plug-in vehicles",
            "cost_after_grant": "Cost after grant"}),
        "Cost vs CO2": Sheet(report.tradeoff, formats={"co2_cap_tonnes": NUMBER1, "whole_life_cost": MONEY,
                                                       "co2_tonnes": NUMBER1, "battery_evs": NUMBER0}, headers={
            "co2_cap_tonnes": "CO2 cap (t)", "whole_life_cost": "Least whole-life cost", "co2_tonnes": "CO2 (t)",
            "battery_evs": "Battery EVs", "status": "Status"}),
        "Sensitivity": Sheet(report.tornado.drop(columns=["parameter"]), formats={
            "low_value": NUMBER2, "high_value": NUMBER2, "cost_at_low": MONEY, "cost_at_high": MONEY, "swing": MONEY},
            headers={"label": "Price", "low_value": "20% lower", "high_value": "20% higher",
                     "cost_at_low": "Optimal cost, lower", "cost_at_high": "Optimal cost, higher", "swing": "Swing",
                     "status": "Status"}),
        "Switching values": Sheet(switching.drop(columns=["parameter"]), formats={
            "switching_value": NUMBER2, "current": NUMBER2}, headers={
            "label": "Price", "role": "Role", "switching_value": "Switching value", "current": "Now",
            "electric_below": "Electric just below", "electric_above": "Electric just above", "note": "Note"}),
        "Assumptions": _assumptions_sheet(fleet),
        "Notes": notes_sheet([*notes, *METHOD, "Cell values are reproducible; the workbook also records when it was saved."]),
    }
    return write_sheets(sheets, path)


def fleet_sentences(fleet: Fleet, report: FleetReport) -> list[str]:
    """The plan against like-for-like, leases, switching values and notes, in words (terminal and workbook)."""
    plan = report.plan
    sentences = summary_sentences(plan, report.headlines, years=fleet.spec.appraisal.years)
    sentences += site_limit_sentence(report.site_limit, plan)
    sentences += lease_sentences(report.leases)
    sentences += [switching_sentence(v, label) for v, label in report.switching]
    return sentences + list(report.notes)


def fleet_json(fleet: Fleet, report: FleetReport, *, objective: str, files: list[Path]) -> dict:
    """``forecast optimise fleet --json``: the plan, charge points, what-ifs and notes, and the files written."""
    from crimecast.report.serialise import records

    plan = report.plan
    return {"fleet": fleet.source, "objective": objective, "budget": report.budget, "co2_cap": report.co2_cap,
            "cost": plan.cost, "co2": plan.co2,
            "baseline_cost": plan.baseline_cost, "baseline_co2": plan.baseline_co2,
            "vehicles": records(plan.choices), "charge_points": records(plan.sites),
            "headlines": report.headlines, "leases": report.leases, "notes": report.notes,
            "site_limit": site_limit_json(report.site_limit),
            "seconds": report.seconds, "switching_values": records(report.switching_frame()),
            "tradeoff": records(report.tradeoff), "tornado": records(report.tornado),
            "files": [str(p) for p in files]}


def _money_or_skipped(value: float) -> str:
    return money(value) if value == value else "skipped"


def limits_text(report: FleetReport) -> str:
    """The limits the plan was solved within, as the first line says them: ``", within a budget of £800,000"``."""
    limits = ([f"a budget of {money(report.budget)}"] if report.budget is not None else []) + (
        [f"a CO2 cap of {report.co2_cap:,.1f} t"] if report.co2_cap is not None else [])
    return f", within {' and '.join(limits)}" if limits else ""


def fleet_text(fleet: Fleet, report: FleetReport, *, objective: str, sentences: list[str], folder: Path,
               files: list[Path]) -> list[Line]:
    """``forecast optimise fleet``: the plan by role, charge points, the sentences, the tornado and the files."""
    from crimecast.report.tables import text_table

    plan = report.plan
    lines = [heading(f"\n{fleet.spec.name}: {len(fleet.vehicles)} renewals, objective {objective}{limits_text(report)}, "
                     "solved to proven "
                     f"optimality by {solver_name(plan.solution.solver)} in {plan.solution.seconds:.1f} s "
                     f"(everything: {report.seconds:.1f} s).")]
    lines.append(plain(text_table(plan_table(plan), align_left=("role", "renewing", "replacement"))))
    sites = site_table(plan)
    if not sites.empty:
        lines += [heading("\nCharge points:"), plain(text_table(sites, align_left=("site",)))]
    lines += [plain(), *(plain(sentence) for sentence in sentences)]
    tornado = report.tornado
    shown = tornado.assign(low=tornado["cost_at_low"].map(_money_or_skipped),
                           high=tornado["cost_at_high"].map(_money_or_skipped),
                           swing=tornado["swing"].map(_money_or_skipped))
    cheapest = "" if report.unconstrained else ", minimising cost with no budget or CO2 cap, as the switching values do"
    return lines + [heading(f"\nSensitivity (each price {TORNADO_SWING:.0%} lower / higher; optimal whole-life cost"
                            f"{cheapest}):"),
                    plain(text_table(shown[["label", "low", "high", "swing"]], align_left=("label",))),
                    note("\nNote: prices and costs are the file's assumptions; see its evidence fields."),
                    plain(f"\nWrote {counted(len(files), 'file')} to {folder}/ (Excel: fleet.xlsx).")]

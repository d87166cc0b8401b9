"""Fleet renewal output: the plan in words, tables, CSVs and an Excel workbook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from crimecast.io import write_csv_atomic, write_excel_atomic
from crimecast.optimise.model import money
from crimecast.optimise.fleet import FleetPlan, SwitchingValue


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
        lines.append(f"{row['role']}: {row['vehicles']} go to {row['option']}, {row['saving']:.1%} cheaper over its life than "
                     f"{row['like_for_like']} at {row['mean_daily_miles']:g} miles a day, saving "
                     f"{row['co2_saved_per_vehicle_year']:.2f} t CO2 a vehicle a year.")
    not_allowed = plan.choices[plan.choices["battery_ev_not_allowed"] != ""]
    for reason, group in not_allowed.groupby("battery_ev_not_allowed"):
        lines.append(f"No battery EV for {len(group)} vehicle(s) ({', '.join(group['vehicle'].head(4))}"
                     f"{'...' if len(group) > 4 else ''}): {reason}.")
    return lines


def switching_sentence(value: SwitchingValue, label: str) -> str:
    if value.value is None:
        return f"{label}: {value.note}."
    direction = "stop" if value.electric_below > value.electric_above else "start"
    return (f"{label}: battery EVs {direction} being the cheapest choice for {value.role} vehicles at {value.value:.3g} "
            f"(now {value.current:.3g}); checked by solving either side ({value.electric_below} electric just below, "
            f"{value.electric_above} just above).")


def output_dir(out_dir: Path) -> Path:
    return Path(out_dir) / "optimise-fleet"


def write_tables(plan: FleetPlan, tradeoff: pd.DataFrame, tornado: pd.DataFrame, switching: pd.DataFrame,
                 folder: Path) -> list[Path]:
    return [write_csv_atomic(plan.choices.round(2), folder / "vehicles.csv"),
            write_csv_atomic(plan.sites.round(2), folder / "charge_points.csv"),
            write_csv_atomic(tradeoff.round(3), folder / "tradeoff.csv"),
            write_csv_atomic(tornado.round(2), folder / "tornado.csv"),
            write_csv_atomic(switching, folder / "switching_values.csv")]


def write_workbook(plan: FleetPlan, tradeoff: pd.DataFrame, tornado: pd.DataFrame, switching: pd.DataFrame,
                   path: Path, *, notes: list[str]) -> Path:
    sheets = {"Vehicles": plan.choices.round(2), "Charge points": plan.sites, "Cost vs CO2": tradeoff.round(3),
              "Sensitivity": tornado.round(2), "Switching values": switching,
              "Notes": pd.DataFrame({"note": [*notes, "Cell values are reproducible; the workbook also records when it was saved."]})}
    return write_excel_atomic(sheets, path)

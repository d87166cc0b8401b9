"""Community Safety Fund output: tables in a finance officer's words, CSVs and an Excel workbook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from crimecast.io import write_csv_atomic, write_excel_atomic
from crimecast.optimise.model import money
from crimecast.optimise.csf import CsfResult

EXCEL_NOTE = "Cell values are reproducible; the workbook also records when it was saved."


def outcome(value: float, result: CsfResult, *, signed: bool = False) -> str:
    """An outcome in its currency: pounds for the social cost, otherwise crimes to one decimal."""
    if value != value:
        return "-"
    if result.weights.currency == "cost":
        return money(value, signed=signed)
    return f"{value:+,.1f}" if signed else f"{value:,.1f}"


def allocation_table(result: CsfResult) -> pd.DataFrame:
    """Recipient, 2013/14, optimal, change, outcome under each, what the next £10,000 buys, robust share."""
    t = result.table
    unit = result.weights.unit
    return pd.DataFrame({
        "recipient": t["label"],
        "2013/14": t["last_year"].map(money),
        "optimal": t["optimal"].map(money),
        "change": [f"{money(c, signed=True)} ({p * 100:+.1f}%)" for c, p in zip(t["change"], t["change_pct"])],
        f"{unit} (2013/14 -> optimal)": [f"{outcome(a, result)} -> {outcome(b, result)}"
                                          for a, b in zip(t["last_year_outcome"], t["optimal_outcome"])],
        "next £10k buys": t["marginal_10k"].map(lambda v: outcome(v, result) if result.weights.currency == "cost" else f"{v:,.2f}"),
        "share under uncertainty (80% range)": [f"{m * 100:.1f}% ({lo * 100:.1f}-{hi * 100:.1f}%)" for m, lo, hi in
                                                zip(t["robust_share"], t["share_p10"], t["share_p90"])],
    })


def binding_table(result: CsfResult) -> pd.DataFrame:
    """Constraints holding the plan back, with their price in the outcome's unit."""
    b = result.binding
    if b.empty:
        return b
    return pd.DataFrame({"binding constraint": b["description"],
                         f"price ({result.weights.unit})": [
                             f"{outcome(p, result) if result.weights.currency == 'cost' or p != p else f'{p:,.2f}'} {basis}"
                             for p, basis in zip(b["price"], b["price_basis"])]})


def scheme_table(result: CsfResult) -> pd.DataFrame:
    s = result.schemes
    if s.empty:
        return s
    return pd.DataFrame({"invest-to-save scheme": s["scheme"], "cost": s["cost"].map(money),
                         "benefit": s["benefit"].map(lambda v: outcome(v, result)),
                         "payback": s["payback_years"].map(lambda v: "-" if v != v or v is None else f"{v:.1f} years"),
                         "decision": s["why"]})


def summary_sentences(result: CsfResult) -> list[str]:
    """The headline, the reproduction check, the approximation and the uncertainty, in words."""
    t = result.table
    unit = result.weights.unit
    reproduced = max(abs(result.reproduction.spend[k] - v) for k, v in zip(t["recipient"], t["last_year"]))
    lines = [
        f"The optimal split of {money(result.spec.budget)} gives {outcome(t['optimal_outcome'].sum(), result)} ({unit}) "
        f"in {result.year}, against {outcome(t['last_year_outcome'].sum(), result)} from the 2013/14 split: "
        f"{outcome(result.gain, result, signed=True)}, moving {money(result.moved)} between recipients.",
        f"Constrained to the 2013/14 allocation, the optimiser returns it exactly (largest difference £{reproduced:,.2f}).",
        f"Piecewise curves match the true curves to {result.optimal.approximation_error:.4%} of the outcome "
        f"({result.optimal.refinements} refinement(s)); solved to proven optimality by {result.optimal.solution.solver}.",
        f"Under uncertainty: over {result.samples} sampled sets of response curves, the allocation that maximises the "
        f"{'mean' if result.spec.measure == 'mean' else f'worst {result.spec.cvar_alpha:.0%} (CVaR)'} outcome is the "
        "share shown; the range is where each share lands when each sample is optimised on its own.",
    ]
    chosen = result.schemes[result.schemes["chosen"]] if not result.schemes.empty else result.schemes
    if not chosen.empty:
        lines.append(f"Reserve: fund {', '.join(chosen['scheme'])} ({money(chosen['cost'].sum())} of "
                     f"{money(result.spec.reserve)}), adding {outcome(chosen['benefit'].sum(), result)} ({unit}).")
    return lines


def output_dir(out_dir: Path) -> Path:
    return Path(out_dir) / "optimise-csf"


def write_tables(result: CsfResult, folder: Path) -> list[Path]:
    """CSVs of the allocation, constraints, budget curve, schemes and baseline crime."""
    return [
        write_csv_atomic(result.table.round(4), folder / "allocation.csv"),
        write_csv_atomic(result.binding.round(4), folder / "binding_constraints.csv"),
        write_csv_atomic(result.budget_curve.round(4), folder / "budget_curve.csv"),
        write_csv_atomic(result.schemes.round(4), folder / "schemes.csv"),
        write_csv_atomic(result.baselines.round(2), folder / "baseline_crime.csv"),
    ]


def write_workbook(result: CsfResult, path: Path, *, notes: list[str]) -> Path:
    """One Excel workbook for finance officers: allocation, constraints, budget curve, schemes, baselines, notes."""
    sheets = {
        "Allocation": result.table.round(2), "Binding constraints": result.binding.round(4),
        "Budget curve": result.budget_curve.round(2), "Invest-to-save": result.schemes.round(2),
        "Baseline crime": result.baselines.round(1),
        "Notes": pd.DataFrame({"note": [*notes, f"Outcome unit: {result.weights.unit}. Weights: {result.weights.source}",
                                        EXCEL_NOTE]}),
    }
    return write_excel_atomic(sheets, path)

"""Community Safety Fund output: tables in a finance officer's words, CSVs and an Excel workbook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from crimecast.data.slugs import area_label
from crimecast.io import write_csv_atomic
from crimecast.optimise.model import money
from crimecast.optimise.csf import CsfResult
from crimecast.optimise.solver import CBC, HIGHS
from crimecast.report.workbook import (MONEY, NUMBER1, NUMBER2, PERCENT, SIGNED_PERCENT, Sheet, notes_sheet,
                                      write_workbook as write_sheets)
from crimecast.words import counted

EXCEL_NOTE = "Cell values are reproducible; the workbook also records when it was saved."


SOLVER_NAMES = {HIGHS: "HiGHS", CBC: "CBC"}


def solver_name(solver: str) -> str:
    """A solver as its makers write it: ``"highs"`` -> ``"HiGHS"``, ``"cbc"`` -> ``"CBC"``."""
    return SOLVER_NAMES.get(solver, solver)


def outcome(value: float, result: CsfResult, *, signed: bool = False) -> str:
    """An outcome in its currency: pounds for the social cost, otherwise crimes to one decimal."""
    if value != value:
        return "-"
    if result.weights.currency == "cost":
        return money(value, signed=signed)
    return f"{value:+,.1f}" if signed else f"{value:,.1f}"


def _rate(value: float, result: CsfResult) -> str:
    return outcome(value, result) if result.weights.currency == "cost" else f"{value:,.2f}"


def allocation_table(result: CsfResult) -> pd.DataFrame:
    """Recipient, last year, optimal, change, outcome under each, what the next £10,000 buys (flagged at a limit), robust share."""
    t = result.table
    unit = result.weights.unit
    last = result.last_year_label
    flags = ["" if not (up or down) else " (at upper limit: cannot take more)" if up else " (at lower limit)"
             for up, down in zip(t["at_ceiling"], t["at_floor"])]
    return pd.DataFrame({
        "recipient": t["label"],
        last: t["last_year"].map(money),
        "optimal": t["optimal"].map(money),
        "change": [f"{money(c, signed=True)} ({p * 100:+.1f}%)" for c, p in zip(t["change"], t["change_pct"])],
        f"{unit} ({last} -> optimal)": [f"{outcome(a, result)} -> {outcome(b, result)}"
                                         for a, b in zip(t["last_year_outcome"], t["optimal_outcome"])],
        "next £10k buys": [_rate(v, result) + flag for v, flag in zip(t["marginal_10k"], flags)],
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
                             f"{_price_text(p, tol, result)} {basis}"
                             for p, tol, basis in zip(b["price"], b["price_tolerance"], b["price_basis"])]})


def _price_text(price: float, tolerance: float, result: CsfResult) -> str:
    if price != price:
        return "- (no plan without it)"
    if result.weights.currency == "cost":
        return f"{money(price)} (± {money(max(tolerance, 0.5))})"
    return f"{price:,.2f} (± {max(tolerance, 1e-4):.1g})"


def _small(value: float, result: CsfResult) -> str:
    return money(value) if result.weights.currency == "cost" else f"{value:.2g}"


def gain_sentence(result: CsfResult) -> str:
    """The headline gain with its uncertainty beside it."""
    spread = result.gain_spread
    head = f"{outcome(result.gain, result, signed=True)}"
    if spread is None:
        return head
    verdict = ("it is a loss in more than 95% of sampled curve sets" if spread.share_negative > 0.95
               else "the gain is within the response curves' own uncertainty: it could be a loss"
               if spread.share_negative >= 0.05 else "the gain holds in at least 95% of sampled curve sets")
    return (f"{head} (over {spread.samples} sampled sets of response curves: median "
            f"{outcome(spread.median, result, signed=True)}, 80% range {outcome(spread.p10, result, signed=True)} to "
            f"{outcome(spread.p90, result, signed=True)}; the {result.last_year_label} split does better in "
            f"{spread.share_negative:.0%} of them, so {verdict})")


def why_sentences(result: CsfResult) -> list[str]:
    """One sentence per recipient: why it gets what it gets."""
    return [f"{label}: {why}" for label, why in zip(result.table["label"], result.table["why"])]


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
    last = result.last_year_label
    scenario = f" under scenario '{result.scenario}'" if result.scenario else ""
    lines = [
        f"The optimal split of {money(result.spec.budget)} gives {outcome(t['optimal_outcome'].sum(), result)} ({unit}) "
        f"in {result.year}{scenario}, against {outcome(t['last_year_outcome'].sum(), result)} from the {last} split: "
        f"{gain_sentence(result)}; it moves {money(result.moved)} between recipients (invest-to-save schemes excluded).",
        *last_year_break_sentences(result),
        f"Constrained to the {last} allocation, the optimiser returns it exactly (largest difference £{reproduced:,.2f}).",
        f"Proven within {_small(result.optimal.gap, result)} ({result.optimal.approximation_error:.1e} of the outcome) "
        f"of the best any split can do on the true response curves: an upper bound from over-estimated curves, after "
        f"{counted(result.optimal.refinements, 'refinement')}; solved to proven optimality by "
        f"{solver_name(result.optimal.solution.solver)}. "
        "Constraint prices are exact re-solves, each to the ± shown.",
        f"Under uncertainty: over {result.samples} sampled sets of response curves, the allocation that maximises the "
        f"{'mean' if result.spec.measure == 'mean' else f'worst {result.spec.cvar_alpha:.0%} (CVaR)'} outcome is the "
        "share shown; the range is where each share lands when each sample is optimised on its own.",
    ]
    lines += money_sentences(result)
    chosen = result.schemes[result.schemes["chosen"]] if not result.schemes.empty else result.schemes
    if not chosen.empty:
        lines.append(f"Reserve: fund {', '.join(chosen['scheme'])} ({money(chosen['cost'].sum())} of "
                     f"{money(result.spec.reserve)}), adding {outcome(chosen['benefit'].sum(), result)} ({unit}).")
    return lines


def last_year_break_sentences(result: CsfResult) -> list[str]:
    """Last year's split breaks a share limit (a fairness band narrower than its spread): said, with the check's change."""
    broken = result.last_year_breaks
    if not broken:
        return []
    which = "this limit" if len(broken) == 1 else "these limits"
    return [f"The {result.last_year_label} split itself breaks {which}: {'; '.join(broken)}. It is compared as it was, "
            f"and the check that the optimiser returns it is made without {which}."]


def money_sentences(result: CsfResult) -> list[str]:
    """What the headline's two splits spend, when that is not the whole fund for both.

    A fund the limits cannot spend leaves money unspent; a fund of another size
    than last year's split (``--budget``, or a recipient left out) makes part of
    the gain over that split the difference in money, not the better split.
    """
    t = result.table
    budget, spent, last_total = result.spec.budget, float(t["optimal"].sum()), float(t["last_year"].sum())
    last = result.last_year_label
    lines = left_out_sentences(result)
    if budget - spent >= 0.5:
        lines.append(f"Only {money(spent)} of the {money(budget)} fund is allocated: the limits let no recipient take "
                     f"more, so {money(budget - spent)} is left unspent.")
    if abs(spent - last_total) >= 0.5:
        more = "more" if spent > last_total else "less"
        lines.append(f"The {last} split spends {money(last_total)} and the optimal split {money(spent)}, "
                     f"{money(abs(spent - last_total))} {more}: part of the difference in outcome is that money, "
                     "not a better split.")
    return lines


LEFT_OUT_NAMED = 8  # districts named in the sentence; the JSON lists them all


def left_out_sentences(result: CsfResult) -> list[str]:
    """The districts of the data the fund file has no recipient for: they get nothing."""
    if not result.left_out:
        return []
    names = [area_label(a) for a in result.left_out]
    shown = ", ".join(names[:LEFT_OUT_NAMED]) + (f" and {len(names) - LEFT_OUT_NAMED} more"
                                                 if len(names) > LEFT_OUT_NAMED else "")
    which, they, them = ((f"{names[0]}, a district of the data", "it gets", "it") if len(names) == 1 else
                         (f"{len(names)} districts of the data ({shown})", "they get", "them"))
    return [f"The fund file has no recipient for {which}: {they} nothing from the fund (the {result.last_year_label} "
            f"split shown is the file's, without {them}). Add {them} under fund.recipients to give {them} a share."]


def csf_json(result: CsfResult, *, source: str, data: dict, files: list[Path]) -> dict:
    """``forecast optimise csf --json``: the allocation, binding constraints, budget curve and schemes, and the files.

    Parameters
    ----------
    result
        What :func:`crimecast.optimise.csf.optimise_csf` returned.
    source
        The assumptions file read.
    data
        The counts' ``attrs`` (illustrative).
    files
        The files written.
    """
    from crimecast.report import serialise

    return {"assumptions": source, "year": result.year, "budget": result.spec.budget,
            "scenario": result.scenario, "last_year_label": result.last_year_label,
            "unit": result.weights.unit, "weights_source": result.weights.source,
            "illustrative_data": bool(data.get("illustrative")),
            "gain": result.gain, "gain_spread": result.gain_spread and vars(result.gain_spread), "moved": result.moved,
            "proven_gap": result.optimal.gap,
            "allocation": serialise.records(result.table), "binding": serialise.records(result.binding),
            "budget_curve": serialise.records(result.budget_curve),
            "schemes": serialise.records(result.schemes), "solve_seconds": result.seconds,
            "districts_without_recipient": list(result.left_out),
            "last_year_breaks": list(result.last_year_breaks),
            "notes": list(result.notes), "files": [str(p) for p in files]}


def csf_title(result: CsfResult) -> str:
    """The fund, its year once (the file's name usually holds it), the scenario, the outcome's currency and the
    baseline forecast: ``"Community Safety Fund 2014/15 (...): outcome in crimes prevented; baseline crime forecast
    by ets (500 paths, seed 2014)."``"""
    year = "" if result.year in result.name else f", {result.year}"
    scenario = f", scenario '{result.scenario}'" if result.scenario else ""
    spec = result.forecast
    baseline = (f"; baseline crime forecast by {spec.model} ({spec.describe().removeprefix(f'{spec.model}, ')})"
                if spec is not None else "")
    return f"{result.name}{year}{scenario}: outcome in {result.weights.unit}{baseline}."


def csf_text(result: CsfResult, *, source: str, folder: Path, files: list[Path]) -> list:
    """``forecast optimise csf``: the allocation, sentences, why, binding constraints, schemes, the caveat and files."""
    from crimecast.report.tables import text_table
    from crimecast.report.text import heading, note, plain

    lines = [heading(f"\n{csf_title(result)}"),
             plain(text_table(allocation_table(result), align_left=("recipient", "next £10k buys"))), plain()]
    lines += [plain(line) for line in summary_sentences(result)]
    lines.append(heading("\nWhy each recipient gets what it gets:"))
    lines += [plain(f"  {line}") for line in why_sentences(result)]
    binding = binding_table(result)
    if not binding.empty:
        lines += [heading("\nBinding constraints and what each costs (found by solving again without it):"),
                  plain(text_table(binding, align_left=tuple(binding.columns)))]
    schemes = scheme_table(result)
    if not schemes.empty:
        lines += [heading("\nInvest-to-save reserve:"),
                  plain(text_table(schemes, align_left=("invest-to-save scheme", "decision")))]
    lines.append(note(f"\nNote: response curves are assumptions ({source}); weights: {result.weights.source}"))
    lines += [note(f"Note: {text}") for text in result.notes]  # the baseline forecast's (a saved forecast read, ...)
    return lines + [plain(f"\nWrote {counted(len(files), 'file')} to {folder}/ (Excel: csf.xlsx).")]


def output_dir(out_dir: Path) -> Path:
    return Path(out_dir) / "optimise-csf"


def write_tables(result: CsfResult, folder: Path) -> list[Path]:
    """CSVs of the allocation, constraints, budget curve, schemes and baseline crime (each names the scenario, if any)."""
    table = result.table if result.scenario is None else result.table.assign(scenario=result.scenario)
    return [
        write_csv_atomic(table.round(4), folder / "allocation.csv"),
        write_csv_atomic(result.binding.round(4), folder / "binding_constraints.csv"),
        write_csv_atomic(result.budget_curve.round(4), folder / "budget_curve.csv"),
        write_csv_atomic(result.schemes.round(4), folder / "schemes.csv"),
        write_csv_atomic(result.baselines.round(2), folder / "baseline_crime.csv"),
    ]


ALLOCATION_FORMATS = {"last_year": MONEY, "optimal": MONEY, "change": MONEY, "change_pct": SIGNED_PERCENT,
                      "optimal_outcome": NUMBER1, "last_year_outcome": NUMBER1, "marginal_10k": NUMBER2,
                      "robust": MONEY, "robust_share": PERCENT, "share_p10": PERCENT, "share_median": PERCENT,
                      "share_p90": PERCENT}


def _allocation_sheet(result: CsfResult) -> Sheet:
    unit, last = result.weights.unit, result.last_year_label
    frame = result.table[["label", "last_year", "optimal", "change", "change_pct", "last_year_outcome", "optimal_outcome",
                          "marginal_10k", "at_ceiling", "why", "robust_share", "share_p10",
                          "share_p90"]].copy()
    frame["at_ceiling"] = frame["at_ceiling"].map({True: "yes: cannot take more", False: ""})
    formats = dict(ALLOCATION_FORMATS)
    if result.weights.currency == "cost":
        formats.update(optimal_outcome=MONEY, last_year_outcome=MONEY, marginal_10k=MONEY)
    scenario = f", scenario '{result.scenario}'" if result.scenario else ""
    return Sheet(frame, title=f"{result.name}: {result.year}{scenario}. {gain_sentence(result)}", formats=formats, headers={
        "label": "Recipient", "last_year": f"{last} allocation", "optimal": "Optimal allocation",
        "change": "Change (£)", "change_pct": "Change (%)", "last_year_outcome": f"{unit.capitalize()} with the {last} split",
        "optimal_outcome": f"{unit.capitalize()} with the optimal split", "marginal_10k": "What the next £10,000 buys",
        "at_ceiling": "At an upper limit", "held_by": "Limit holding it", "why": "Why it gets this",
        "robust": "Optimal under uncertainty", "robust_share": "Share under uncertainty",
        "share_p10": "Share, 10th percentile", "share_p90": "Share, 90th percentile"})


def _assumptions_sheet(result: CsfResult) -> Sheet:
    """Every curve (central parameters and the pound figures they give) and every price the answer rests on."""
    rows = []
    central = result.spec.curves[0]
    a = result.assumptions
    for r in result.spec.recipients:
        curve = central[r.key]
        params = a.response_for(r.key) if a is not None else {}
        ranges = "; ".join(f"{name.replace('_', ' ')}: {value}" for name, value in params.items())
        rows.append({"item": f"{r.label} response curve", "value": curve.ceiling, "unit": f"{result.weights.unit} at most",
                     "detail": f"half of it bought by {money(curve.half_spend)}; steepness {curve.steepness:g}; {ranges}",
                     "evidence": _evidence(a, r.key)})
    for scheme in result.spec.schemes:
        rows.append({"item": f"Scheme: {scheme.label}", "value": scheme.cost, "unit": "£ cost",
                     "detail": f"benefit {scheme.benefit:,.1f} {result.weights.unit}"
                               + (f"; payback {scheme.payback_years:.1f} years" if scheme.payback_years else ""),
                     "evidence": "ILLUSTRATIVE business case (assumptions file)"})
    rows += [
        {"item": "Fund", "value": result.spec.budget, "unit": "£", "detail": f"reserve {money(result.spec.reserve)}",
         "evidence": "assumptions file (fund.budget, fund.reserve)"},
        {"item": "Outcome weights", "value": None, "unit": result.weights.unit, "detail": result.weights.source,
         "evidence": result.weights.currency},
        {"item": "Scenario", "value": None, "unit": "", "detail": result.scenario or "none (baseline forecasts)",
         "evidence": "--scenario"},
        {"item": "Baseline crime", "value": float(result.baselines["expected"].sum()), "unit": "crimes expected",
         "detail": f"forecast for {result.year}, all recipients and categories", "evidence": "forecast section"},
    ]
    return Sheet(pd.DataFrame(rows), title="Assumptions: every curve and price the answer rests on",
                 headers={"item": "Item", "value": "Value", "unit": "Unit", "detail": "Detail", "evidence": "Evidence"},
                 formats={"value": NUMBER1})


def _evidence(assumptions, key: str) -> str:
    if assumptions is None:
        return ""
    own = assumptions.fund.recipients[key].response.evidence
    return own or assumptions.response.evidence


METHOD = [
    "Method: each recipient's response curve says how many crimes its spend prevents: ceiling x s^n / (s^n + half^n). "
    "The optimiser cuts each curve at breakpoints and solves a linear (or mixed-integer) programme to proven optimality.",
    "Exactness: breakpoints are added either side of the chosen spend until a proven upper bound (every curve "
    "over-estimated: tangents for concave curves, chord plus the curve's largest rise above it otherwise) is within "
    "one part in a million of the plan's outcome on the true curves.",
    "Constraint prices: the outcome gained by solving the whole problem again without the constraint (the fund: with "
    "£10,000 more); each price is exact to the sum of the two solves' proven gaps, shown as ±.",
    "Uncertainty: the response-curve parameters are drawn from their ranges; the robust split maximises the mean (or "
    "CVaR) outcome over the draws, and the gain's range scores the optimal and last year's splits on every draw.",
]


def write_workbook(result: CsfResult, path: Path, *, notes: list[str]) -> Path:
    """One Excel workbook for finance officers: allocation, constraints, budget curve, schemes, baselines, assumptions, notes."""
    money_cols = {"budget": MONEY, "spent": MONEY, "no_change_limit_spent": MONEY, "outcome": NUMBER1,
                  "no_change_limit_outcome": NUMBER1}
    sheets = {
        "Allocation": _allocation_sheet(result),
        "Binding constraints": Sheet(result.binding, formats={"price": NUMBER2, "price_tolerance": NUMBER2}, headers={
            "constraint": "Key", "description": "Binding constraint", "group": "Kind", "price": f"Price ({result.weights.unit})",
            "price_tolerance": "Price exact to ±", "price_basis": "Price is"}),
        "Budget curve": Sheet(result.budget_curve, formats=money_cols, headers={
            "budget": "Budget", "outcome": f"{result.weights.unit.capitalize()} (fund only)", "spent": "Spent",
            "why_not": "Why no plan", "no_change_limit_outcome": "Without the change limit",
            "no_change_limit_spent": "Spent without the change limit", "no_change_limit_why_not": "Why no plan (no change limit)"}),
        "Invest-to-save": Sheet(result.schemes, formats={"cost": MONEY, "benefit": NUMBER1, "payback_years": NUMBER1}, headers={
            "scheme": "Scheme", "cost": "Cost", "benefit": f"Benefit ({result.weights.unit})", "payback_years": "Payback (years)",
            "chosen": "Chosen", "why": "Decision"}),
        "Baseline crime": Sheet(result.baselines, formats={"expected": NUMBER1}, headers={
            "recipient": "Recipient", "area": "Area", "category": "Category", "expected": f"Expected crimes, {result.year}",
            "scenario": "Scenario"}),
        "Assumptions": _assumptions_sheet(result),
        "Notes": notes_sheet([*notes, *why_sentences(result), *METHOD,
                              f"Outcome unit: {result.weights.unit}. Weights: {result.weights.source}", EXCEL_NOTE]),
    }
    return write_sheets(sheets, path)

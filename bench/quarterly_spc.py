"""SPC of quarterly Home Office data: charted in quarters vs spread over months.

    python bench/quarterly_spc.py                  # West Midlands, total recorded crime
    python bench/quarterly_spc.py --force "Merseyside"

Reads the Home Office police force area table (../shared/data; financial
year, quarter, force, offence group, count) for one force and charts total
recorded crime (all offence groups) two ways:

- **quarters**: the table as quarters (``attrs["frequency"] = "quarter"``),
  as crimecast reads quarterly data now;
- **spread over months**: each quarter's count split evenly over its three
  months (remainder to the first), as crimecast's CSV loader did before
  quarterly became a frequency of its own.

For each span it reports the points charted, the periods (a new one at each
confirmed step), the last period's natural limits as +/- % of its mean, and
the special-cause signals by rule. Writes the "quarterly-spc" section of
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.results import SHARED_DATA, machine, write_section  # noqa: E402
from crimecast.data.frequency import MONTHLY, QUARTERLY  # noqa: E402
from crimecast.data.months import parse_quarters  # noqa: E402
from crimecast.data.series import with_totals  # noqa: E402
from crimecast.data.slugs import slugify  # noqa: E402
from crimecast.forecast.run import run_spc  # noqa: E402

HOME_OFFICE = SHARED_DATA / "home-office-pfa-quarterly-offence-group-2002-03_2023-24.csv"
SPANS = (None, "2019-04", "2014-04")


def home_office_quarters(path: Path, force: str) -> pd.DataFrame:
    """One force's offence groups as a quarterly counts table (duplicate rows summed)."""
    raw = pd.read_csv(path)
    rows = raw[raw["Force Name"] == force]
    if rows.empty:
        raise SystemExit(f"{path.name}: no rows for force '{force}'.")
    labels = rows["Financial Year"].astype(str) + " Q" + rows["Financial Quarter"].astype(str)
    frame = pd.DataFrame({"month": parse_quarters(labels, where=path.name).to_numpy(), "area": "force",
                          "category": rows["Offence Group"].map(slugify).to_numpy(),
                          "count": rows["Number of Offences"].to_numpy(dtype="int64")})
    frame = frame.groupby(["month", "area", "category"], as_index=False)["count"].sum()
    grid = pd.MultiIndex.from_product([QUARTERLY.between(frame["month"].min(), frame["month"].max()),
                                       ["force"], sorted(frame["category"].unique())], names=["month", "area", "category"])
    frame = frame.set_index(["month", "area", "category"]).reindex(grid, fill_value=0).reset_index()
    frame.attrs = {"source": path.name, "frequency": QUARTERLY.name}
    return with_totals(frame)


def spread_over_months(quarters: pd.DataFrame) -> pd.DataFrame:
    """The old reading: each quarter's count split over its three months, remainder to the first."""
    parts = []
    for offset in range(3):
        part = quarters.copy()
        part["count"] = part["count"] // 3 + ((part["count"] % 3) > offset).astype("int64")
        part["month"] = part["month"] + pd.DateOffset(months=offset)
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True).sort_values(["category", "area", "month"], ignore_index=True)
    frame.attrs = {**quarters.attrs, "frequency": MONTHLY.name}
    return frame


def measure(counts: pd.DataFrame, start: str | None) -> dict:
    report = run_spc(counts, category="total-recorded-crime", area="force",
                     start=pd.Timestamp(start) if start else None)
    chart = report.chart
    last = chart.periods[-1].limits
    rules = Counter(s.rule for s in chart.signals)
    return {"points": len(chart.values), "periods": len(chart.periods), "steps": len(chart.steps),
            "mean": last.mean, "limits_pct": (last.upper - last.mean) / last.mean * 100,
            "signal_points": len({s.month for s in chart.signals}), "rules": rules,
            "first": chart.values.index[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--force", default="West Midlands")
    parser.add_argument("--no-write", action="store_true", help="Print only; leave RESULTS.md alone.")
    args = parser.parse_args()
    if not HOME_OFFICE.exists():
        raise SystemExit(f"{HOME_OFFICE} is absent: this benchmark needs the shared real data.")
    started = time.perf_counter()
    quarters = home_office_quarters(HOME_OFFICE, args.force)
    months = spread_over_months(quarters)
    lines = ["| data read as | span | points | periods (steps) | last period mean | limits, +/- % of mean | points with a signal | signals by rule |",
             "|---|---|---|---|---|---|---|---|"]
    for start in SPANS:
        for name, counts in (("quarters", quarters), ("spread over months", months)):
            m = measure(counts, start)
            span = f"from {start}" if start else f"default (from {m['first']:%Y-%m})"
            rules = ", ".join(f"{rule} {n}" for rule, n in sorted(m["rules"].items())) or "none"
            lines.append(f"| {name} | {span} | {m['points']} | {m['periods']} ({m['steps']}) | {m['mean']:,.0f} | "
                         f"{m['limits_pct']:.1f} | {m['signal_points']} | {rules} |")
    seconds = time.perf_counter() - started
    body = "\n".join([
        "## SPC of quarterly Home Office data: quarters vs spread over months",
        "",
        f"{machine()}. `python bench/quarterly_spc.py --force \"{args.force}\"`, {seconds:.0f} s. "
        f"{args.force} total recorded crime (all offence groups) from `{HOME_OFFICE.name}`, "
        f"{quarters['month'].nunique()} quarters. Default span: five years of quarters, three years of months.",
        "",
        *lines,
        "",
        "Spread evenly over months, the three months of a quarter are equal to within rounding, so two moving",
        "ranges in three are 0 or 1: the limits collapse to about +/-1% and nearly every point signals.",
    ])
    print(body)
    if not args.no_write:
        write_section("quarterly-spc", body)


if __name__ == "__main__":
    main()

"""Rate forecasts (proportions): interval coverage on backtests, and how often the p-chart needs Laney's correction.

    python bench/rates.py              # illustrative satisfaction + London boroughs (about 2 minutes)
    python bench/rates.py --boroughs 8 # fewer London boroughs

Two models are scored from rolling origins, each forecasting the next 12
months with the survey numbers actually made: crimecast's rate model (logit
local level, binomial sampling of the surveys, extra-binomial variation) and
a reference with binomial sampling only (the last 12 months' rate). Coverage
is the share of actual monthly rates inside the 80% / 95% intervals, and of
actual 12-month rates (the milestone's window) inside theirs.

Series:
* the embedded ILLUSTRATIVE victim satisfaction (crime, ASB), force-wide
  and per district (7 districts), 36 origins each;
* a REAL rate formed from ../shared/data: the share of burglaries that were
  burglaries in a dwelling (BURGLARY IN A DWELLING / all BURGLARY), per London
  borough per month (Metropolitan Police, London Datastore), about 200-400
  burglaries a month per borough, origins so that every forecast month is
  before March 2020 (lockdown months are not a rate model's question).

Writes the "rates" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.results import SHARED_DATA, machine, write_section  # noqa: E402
from crimecast.data.rates import embedded_rates, rate_series  # noqa: E402
from crimecast.forecast.pchart import LANEY, p_chart  # noqa: E402
from crimecast.forecast.rates import backtest_rate  # noqa: E402

LONDON = SHARED_DATA / "london-mps-borough-monthly-2010-04_2023-09.csv"
ORIGINS, PATHS = 36, 500


def london_burglary_share(limit: int | None) -> dict[str, pd.DataFrame]:
    frame = pd.read_csv(LONDON)
    months = [c for c in frame.columns if c.isdigit()]
    burglary = frame[frame["MajorText"] == "BURGLARY"]
    series = {}
    for borough, group in burglary.groupby("BoroughName"):
        rows = group.set_index("MinorText")[months].astype(float)
        if "BURGLARY IN A DWELLING" not in rows.index:
            continue
        data = pd.DataFrame({"numerator": rows.loc["BURGLARY IN A DWELLING"].to_numpy(), "denominator": rows.sum().to_numpy()},
                            index=pd.to_datetime(months, format="%Y%m")).loc[:"2020-02-01"]
        if (data["denominator"] <= 0).any() or data["denominator"].mean() < 50:
            continue  # airports and "unknown" areas: too few burglaries to be a rate
        series[borough] = data.astype("int64")
        if limit and len(series) >= limit:
            break
    return series


def score(named: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, list[str]]:
    rows, laney = [], []
    for binomial_only in (False, True):
        results = [backtest_rate(s, origins=ORIGINS, n_paths=PATHS, binomial_only=binomial_only) for s in named.values()]
        weights = np.array([r.origins for r in results], dtype=float)
        rows.append({"model": results[0].model, "series": len(results), "origins": int(weights.sum()),
                     **{k: float(np.average([getattr(r, k) for r in results], weights=weights))
                        for k in ("monthly80", "monthly95", "window80", "window95", "mean_width80")}})
    for name, s in named.items():
        chart = p_chart(s.iloc[-36:], find_steps=False)
        laney.append(chart.kind)
    return pd.DataFrame(rows), laney


def table(frame: pd.DataFrame) -> str:
    lines = ["| model | series | origins | monthly 80% | monthly 95% | 12-month rate 80% | 12-month rate 95% | mean 80% width |",
             "|---|---|---|---|---|---|---|---|"]
    for r in frame.itertuples():
        lines.append(f"| {r.model} | {r.series} | {r.origins} | {r.monthly80:.1%} | {r.monthly95:.1%} | {r.window80:.1%} | "
                     f"{r.window95:.1%} | {r.mean_width80 * 100:.1f} pts |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--boroughs", type=int, default=None, help="At most this many London boroughs (default: all).")
    args = parser.parse_args()
    started = time.perf_counter()
    rates = embedded_rates("west-midlands")
    parts = [f"## Rate forecasts: interval coverage (proportions)\n\n{machine()}. `python bench/rates.py`"
             + (f" --boroughs {args.boroughs}" if args.boroughs else "") + f"; {ORIGINS} origins per series, "
             f"{PATHS} paths, 12 months ahead with the surveys actually made.\n"]
    for category in ("satisfaction-crime", "satisfaction-asb"):
        named = {area: rate_series(rates, category=category, area=area) for area in sorted(rates["area"].unique())}
        frame, laney = score(named)
        parts.append(f"**{category}** (ILLUSTRATIVE embedded data: force and 7 districts; its 2013/14 fall is a "
                     f"deliberate step, so windows over it miss by design). p-chart of the last 36 months: "
                     f"{laney.count(LANEY)} of {len(laney)} series overdispersed (Laney's p').\n\n{table(frame)}\n")
    if LONDON.exists():
        named = london_burglary_share(args.boroughs)
        frame, laney = score(named)
        sizes = np.mean([s["denominator"].mean() for s in named.values()])
        parts.append(f"**London: share of burglaries in a dwelling** (REAL: BURGLARY IN A DWELLING / all BURGLARY, "
                     f"{len(named)} boroughs, mean {sizes:.0f} burglaries a month, forecasts up to February 2020). "
                     f"p-chart of the last 36 months: {laney.count(LANEY)} of {len(laney)} boroughs "
                     f"overdispersed (Laney's p').\n\n{table(frame)}\n")
    else:
        parts.append("London data absent (../shared/data): the real-rate rows were not measured.\n")
    parts.append(f"Reading: binomial sampling alone (the usual p +/- z sqrt(p(1-p)/n)) is far too narrow on real rates, "
                 "whose months vary more than their sample sizes explain; the logit local level with extra-binomial "
                 f"variation is the model `forecast run` uses for rates. Took {time.perf_counter() - started:.0f} s.")
    write_section("rates", "\n".join(parts))
    print("\n".join(parts))


if __name__ == "__main__":
    main()

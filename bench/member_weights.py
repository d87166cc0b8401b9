"""How far re-weighting the default's members could take its accuracy: a ceiling, not a model.

The default averages three members (Prophet, no-trend ETS, the recent level)
with equal weights on the log scale. This script asks whether different
weights could reach issue 14's MASE target (0.95 x the best statsforecast
peer) on each real panel, on the same series and origins as
``bench/accuracy.py``:

- ``equal``: the members' draws combined as the default does (uncalibrated;
  calibration barely moves a median), which should be close to the default;
- ``best fixed (in-sample)``: the weights on a 0.1 grid that give the panel's
  lowest mean MASE, chosen on the panel's own outcomes: optimistic;
- ``London's best fixed``: London's in-sample weights applied to each panel:
  the honest version (tuned on one panel, confirmed on the others);
- ``best per horizon (in-sample)``: separate in-sample weights for every
  period ahead, an even more optimistic ceiling;
- ``default + sf-median``: the point average of the default and the peers' median.

If even the in-sample ceilings miss the target, no weighting of these
members meets it. Writes the "member-weights" section of bench/RESULTS.md.

    nice -n 10 python bench/member_weights.py                 # 30 series per panel, about 15 minutes
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.accuracy import (DEFAULT, MEDIAN, PANELS, SF_MODELS, _sf_windows, known_by,  # noqa: E402
                            subsample)
from bench.results import machine, write_section  # noqa: E402
from crimecast.data.exceptional import load_exceptional  # noqa: E402
from crimecast.defaults import DEFAULT_EXCEPTIONAL, DEFAULT_PATHS, DEFAULT_SEED  # noqa: E402
from crimecast.forecast.backtest import backtest_origins  # noqa: E402
from crimecast.forecast.cores import series_frequency  # noqa: E402
from crimecast.forecast.metrics import seasonal_naive_mae  # noqa: E402
from crimecast.forecast.models import CrimeForecaster  # noqa: E402

GRID = [w for w in itertools.product([k / 10 for k in range(11)], repeat=2) if sum(w) <= 1.0 + 1e-9]
TUNING_PANEL = "london"


def _weights(pair: tuple[float, float]) -> tuple[float, float, float]:
    return (pair[0], pair[1], round(1.0 - pair[0] - pair[1], 1))


def _shown(weights: tuple[float, ...]) -> str:
    return " / ".join(f"{w:.1f}" for w in weights)


def window_errors(y, origin: int, *, exceptional, n_paths: int, seed: int) -> dict:
    """Absolute errors over the seasonal-naive MAE, per period, of every weighting and of the peers, at one origin."""
    season = series_frequency(y).periods_per_year
    train, actual = y.iloc[:origin], y.to_numpy(dtype=float)[origin:origin + season]
    forecaster = CrimeForecaster(n_paths=n_paths, seed=seed, exceptional=known_by(exceptional, train)).fit(train)
    blend = forecaster.core_
    draws = [core.sample(season, n_paths, seed + i) for i, core in enumerate(blend.cores_)]
    scale = seasonal_naive_mae(train.to_numpy(dtype=float), season)

    def errors(point: np.ndarray) -> np.ndarray:
        return np.abs(actual - point[:len(actual)]) / scale

    def median_of(log_paths: np.ndarray) -> np.ndarray:
        return np.median(np.clip(np.expm1(log_paths), 0.0, None), axis=0)

    default = np.median(forecaster.predict(season).paths, axis=0)
    peers = _sf_windows(train, season, season)
    found = {DEFAULT: errors(default), "default + sf-median": errors((default + peers[MEDIAN].point) / 2)}
    found.update({name: errors(peers[name].point) for name in (*SF_MODELS, MEDIAN)})
    found["equal"] = errors(median_of(blend.combine(draws)))
    found.update({_weights(pair): errors(median_of(blend.combine(draws, weights=_weights(pair)))) for pair in GRID})
    return found


def panel_errors(panel: str, *, series: int, windows: int, exceptional, n_paths: int, seed: int) -> list[dict]:
    """``window_errors`` for every origin of ``series`` series of ``panel``."""
    found = []
    for _, _, y in subsample(PANELS[panel][1](), series):
        frequency = series_frequency(y)
        for origin in backtest_origins(len(y), windows=windows, horizon=frequency.periods_per_year, frequency=frequency):
            found.append(window_errors(y, origin, exceptional=exceptional, n_paths=n_paths, seed=seed))
        print(f"{panel}: {len(found)} windows", file=sys.stderr, flush=True)
    return found


def mase(found: list[dict], key) -> float:
    return float(np.mean([w[key].mean() for w in found]))


def per_horizon_ceiling(found: list[dict]) -> float:
    """Mean MASE with the in-sample best weights chosen separately for each period ahead."""
    horizon = min(len(w[DEFAULT]) for w in found)
    best = [min(np.mean([w[_weights(p)][h] for w in found]) for p in GRID) for h in range(horizon)]
    return float(np.mean(best))


def summary(panel: str, found: list[dict], tuned: tuple) -> dict:
    """One row of the table: the default, the ceilings and the best peer on one panel."""
    best = _weights(min(GRID, key=lambda p: mase(found, _weights(p))))
    peer = min((*SF_MODELS, MEDIAN), key=lambda m: mase(found, m))
    return {"panel": panel, "windows": len(found), "default": mase(found, DEFAULT), "equal": mase(found, "equal"),
            "best fixed": mase(found, best), "weights": best, "tuned": mase(found, tuned),
            "per horizon": per_horizon_ceiling(found), "with peers": mase(found, "default + sf-median"),
            "peer": peer, "peer MASE": mase(found, peer)}


def markdown(rows: list[dict], tuned: tuple) -> str:
    lines = ["| panel | windows | default | equal (uncalibrated) | best fixed, in-sample (weights P/E/R) | "
             f"London's best ({_shown(tuned)}) | best per horizon, in-sample | default + sf-median | target (0.95 x best peer) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        target = 0.95 * r["peer MASE"]
        lines.append(f"| {r['panel']} | {r['windows']} | {r['default']:.3f} | {r['equal']:.3f} | "
                     f"{r['best fixed']:.3f} ({_shown(r['weights'])}) | {r['tuned']:.3f} | {r['per horizon']:.3f} | "
                     f"{r['with peers']:.3f} | {target:.3f} ({r['peer']} {r['peer MASE']:.3f}) |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--panels", default=",".join(PANELS), help=f"comma-separated, from {', '.join(PANELS)}")
    parser.add_argument("--series", type=int, default=30, help="series per panel, spread evenly (default 30)")
    parser.add_argument("--windows", type=int, default=3)
    args = parser.parse_args()
    panels = args.panels.split(",")
    if TUNING_PANEL not in panels:
        parser.error(f"--panels must include {TUNING_PANEL}: its in-sample weights are applied to the others")
    exceptional = load_exceptional(DEFAULT_EXCEPTIONAL)
    found = {panel: panel_errors(panel, series=args.series, windows=args.windows, exceptional=exceptional,
                                 n_paths=DEFAULT_PATHS, seed=DEFAULT_SEED) for panel in panels}
    tuned = _weights(min(GRID, key=lambda p: mase(found[TUNING_PANEL], _weights(p))))
    rows = [summary(panel, found[panel], tuned) for panel in panels]
    command = "python bench/member_weights.py" + ("" if args.series == 30 else f" --series {args.series}") + (
        "" if args.panels == ",".join(PANELS) else f" --panels {args.panels}")
    write_section("member-weights", f"""## How far re-weighting the default's members could go (issue 14)

{machine()}. `{command}`. Mean MASE on the same series and origins as `bench/accuracy.py --series {args.series}`
(the default's exceptional periods, seed and paths). Weights are Prophet / no-trend ETS / recent level on the log
scale, with the default's change shrink; "in-sample" columns choose the weights on the panel's own outcomes, so
they are ceilings no real forecast could reach; "London's best" applies the tuning panel's in-sample weights to
every panel.

{markdown(rows, tuned)}
""")


if __name__ == "__main__":
    main()

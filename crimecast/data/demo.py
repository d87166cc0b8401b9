"""Seeded generator of the illustrative West Midlands dataset.

The assumptions live in ``demo/west-midlands.toml``; this module turns them
into expected monthly counts per category and district, then draws
negative-binomial counts with a fixed seed. Run ``python -m crimecast.data.demo``
to regenerate ``demo/west-midlands.csv``, ``demo/west-midlands-domestic-abuse.csv`` and
``demo/west-midlands-satisfaction.csv`` (victim satisfaction: satisfied / surveyed).
The data are illustrative, not real recorded crime.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from crimecast.data.calendar import financial_year_start
from crimecast.data.months import months_between
from crimecast.io import write_csv_atomic

DEMO_DIR = Path(__file__).with_name("demo")
ASSUMPTIONS_PATH = DEMO_DIR / "west-midlands.toml"
BASE_YEAR_START = pd.Timestamp("2012-04-01")
TARGET_YEAR_START = pd.Timestamp("2013-04-01")


@dataclass(frozen=True)
class MonthGrid:
    """The months generated and the masks the calibration needs."""

    months: pd.DatetimeIndex

    @property
    def target_year(self) -> np.ndarray:
        return np.array([financial_year_start(m) == 2013 for m in self.months])

    @property
    def base_year(self) -> np.ndarray:
        return np.array([financial_year_start(m) == 2012 for m in self.months])

    def years_since(self, start: pd.Timestamp) -> np.ndarray:
        return np.asarray(months_between(pd.DatetimeIndex(self.months), start), dtype=float) / 12.0


def load_assumptions(path: Path = ASSUMPTIONS_PATH) -> dict:
    """The written-down assumptions as a dictionary."""
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _seasonal_and_spikes(spec: dict, grid: MonthGrid) -> np.ndarray:
    seasonality = np.asarray(spec["seasonality"], dtype=float)
    seasonality = seasonality / seasonality.mean()
    factor = seasonality[grid.months.month - 1]
    for spike in spec.get("spikes", []):
        factor = factor * np.where(grid.months == pd.Timestamp(spike["month"] + "-01"), 1 + spike["size"], 1.0)
    return factor


def _decline_before_base(grid: MonthGrid, trend_before: float) -> np.ndarray:
    """Multiplier for months before April 2012 (1 from April 2012 on)."""
    years = np.minimum(grid.years_since(BASE_YEAR_START), 0.0)
    return (1 + trend_before) ** years


def _trend_expected(spec: dict, grid: MonthGrid, *, monthly: float, change: float) -> np.ndarray:
    factor = _seasonal_and_spikes(spec, grid)
    years = np.maximum(grid.years_since(TARGET_YEAR_START), -1.0)
    shape = (1 + change) ** years * _decline_before_base(grid, spec["trend_before"]) * factor
    return shape * 12 * monthly / shape[grid.target_year].sum()


def _step_expected(spec: dict, grid: MonthGrid) -> np.ndarray:
    factor = _seasonal_and_spikes(spec, grid)
    after = grid.months >= pd.Timestamp(spec["step_month"] + "-01")
    level_after = 12 * spec["monthly_2013_14"] / factor[grid.target_year].sum()
    if "change_2013_14" in spec:
        base_total = 12 * spec["monthly_2013_14"] / (1 + spec["change_2013_14"])
        base_after = level_after * factor[grid.base_year & after].sum()
        level_before = (base_total - base_after) / factor[grid.base_year & ~after].sum()
    else:
        level_before = level_after / (1 + spec["step_size"])
    level = np.where(after, level_after, level_before * _decline_before_base(grid, spec["trend_before"]))
    return level * factor


def expected_force_counts(assumptions: dict, grid: MonthGrid) -> dict[str, np.ndarray]:
    """Expected force-wide monthly counts per category, calibrated to the targets."""
    targets = assumptions["force_targets"]
    balancing = targets["balancing_category"]
    expected = {}
    for name, spec in assumptions["categories"].items():
        if name == balancing:
            continue
        if "step_month" in spec:
            expected[name] = _step_expected(spec, grid)
        else:
            expected[name] = _trend_expected(spec, grid, monthly=spec["monthly_2013_14"], change=spec["change_2013_14"])
    others_target = sum(e[grid.target_year].sum() for e in expected.values())
    others_base = sum(e[grid.base_year].sum() for e in expected.values())
    total_target = 12 * targets["total_monthly_2013_14"]
    total_base = total_target / (1 + targets["total_change_2013_14"])
    rest_target, rest_base = total_target - others_target, total_base - others_base
    expected[balancing] = _trend_expected(
        assumptions["categories"][balancing], grid, monthly=rest_target / 12, change=rest_target / rest_base - 1
    )
    return expected


def _district_shares(assumptions: dict, categories: list[str], rng: np.random.Generator) -> pd.DataFrame:
    districts = assumptions["districts"]
    weight = pd.Series({d: v["population"] * v["relative_rate"] for d, v in districts.items()})
    sd = assumptions["dataset"]["district_share_sd"]
    wobble = pd.DataFrame(np.exp(rng.normal(0.0, sd, size=(len(weight), len(categories)))), index=weight.index, columns=categories)
    shares = wobble.mul(weight, axis=0)
    return shares / shares.sum(axis=0)


def _draw(expected: np.ndarray, dispersion: float, rng: np.random.Generator) -> np.ndarray:
    return rng.negative_binomial(dispersion, dispersion / (dispersion + expected))


def _rake_calibrated_years(draws: np.ndarray, expected: np.ndarray, grid: MonthGrid) -> np.ndarray:
    """Scale the drawn counts of 2012/13 and 2013/14 so force totals hit the targets.

    Noise of the size real series have would move an annual change by a point
    or two; the published changes are the calibration targets, so those two
    years are scaled to them (districts x months keep their noise pattern).
    """
    draws = draws.astype(float)
    for year in (grid.base_year, grid.target_year):
        draws[:, year] *= expected[year].sum() / draws[:, year].sum()
    return np.round(draws).astype("int64")


def _domestic_share(spec: dict, grid: MonthGrid) -> np.ndarray:
    ramp = np.clip(grid.years_since(TARGET_YEAR_START) + 1 / 12, 0.0, 1.0)
    before, end = spec["domestic_share_before"], spec["domestic_share_end"]
    return before + (end - before) * ramp


def generate(assumptions: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate the dataset from the assumptions with their seed.

    Returns
    -------
    (counts, domestic)
        District counts by category in the data contract, and the domestic
        part of violence with injury (category ``violence-with-injury-domestic``).
    """
    assumptions = assumptions or load_assumptions()
    meta = assumptions["dataset"]
    rng = np.random.default_rng(meta["seed"])
    grid = MonthGrid(pd.date_range(meta["first_month"] + "-01", meta["last_month"] + "-01", freq="MS"))
    expected = expected_force_counts(assumptions, grid)
    categories = list(assumptions["categories"])
    shares = _district_shares(assumptions, categories, rng)
    vwi_spec = assumptions["categories"]["violence-with-injury"]
    domestic_share = _domestic_share(vwi_spec, grid)
    rows, domestic_rows = [], []
    for category in categories:
        means = np.outer(shares[category].to_numpy(), expected[category])
        draws = _rake_calibrated_years(_draw(means, meta["dispersion"], rng), expected[category], grid)
        for district, counts in zip(shares.index, draws):
            rows.append(pd.DataFrame({"month": grid.months, "area": district, "category": category, "count": counts}))
            if category == "violence-with-injury":
                domestic = rng.binomial(counts, domestic_share)
                domestic_rows.append(pd.DataFrame({"month": grid.months, "area": district, "category": "violence-with-injury-domestic", "count": domestic}))
    return pd.concat(rows, ignore_index=True), pd.concat(domestic_rows, ignore_index=True)


# ---------------------------------------------------------------- victim satisfaction (rates)

SATISFACTION_SEED_OFFSET = 1  # its own random stream, so the counts stay byte-identical


def _expected_rates(spec: dict, months: pd.DatetimeIndex) -> np.ndarray:
    target = np.array([financial_year_start(m) == 2013 for m in months])
    by_year = {int(k): v for k, v in spec["level_by_year"].items()}
    expected = np.array([by_year.get(financial_year_start(m), np.nan) for m in months])
    expected[target] = spec["monthly_2013_14"]
    return expected


def _calibrate_year(satisfied: np.ndarray, surveyed: np.ndarray, spec: dict, months: pd.DatetimeIndex) -> np.ndarray:
    """Set the fixed month to its published rate, then scale the rest of 2013/14 to the year's published rate."""
    satisfied = satisfied.astype(float)
    year = np.flatnonzero([financial_year_start(m) == 2013 for m in months])
    fixed = int(np.flatnonzero(months == pd.Timestamp(spec["fixed_month"] + "-01"))[0])
    satisfied[fixed] = round(spec["fixed_rate"] * surveyed[fixed])
    rest = year[year != fixed]
    wanted = round(spec["year_rate_2013_14"] * surveyed[year].sum()) - satisfied[fixed]
    scaled = np.floor(satisfied[rest] * wanted / satisfied[rest].sum())
    order = np.argsort(-(satisfied[rest] * wanted / satisfied[rest].sum() - scaled), kind="stable")
    scaled[order[: int(wanted - scaled.sum())]] += 1  # largest remainders: the year hits its rate exactly
    satisfied[rest] = np.minimum(scaled, surveyed[rest])
    return satisfied.astype("int64")


def generate_satisfaction(assumptions: dict | None = None) -> pd.DataFrame:
    """Monthly victim satisfaction by district (``month, area, category, numerator, denominator``), seeded.

    Force-wide surveys and satisfied victims are drawn first (binomial around
    a logit-normal monthly rate: extra-binomial variation), the year 2013/14
    calibrated to the published figures, then split over districts: surveys
    by population, satisfied victims by a multivariate hypergeometric draw,
    so the districts add up to the force exactly.
    """
    assumptions = assumptions or load_assumptions()
    meta = assumptions["dataset"]
    rng = np.random.default_rng(meta["seed"] + SATISFACTION_SEED_OFFSET)
    districts = assumptions["districts"]
    population = np.array([d["population"] for d in districts.values()], dtype=float)
    rows = []
    for category, spec in assumptions["satisfaction"].items():
        months = pd.date_range(spec["first_month"] + "-01", meta["last_month"] + "-01", freq="MS")
        expected = _expected_rates(spec, months)
        surveyed = rng.poisson(spec["surveys_per_month"], size=len(months))
        fixed = months == pd.Timestamp(spec["fixed_month"] + "-01")
        surveyed[fixed] = spec["surveys_per_month"]
        logit = np.log(expected / (1 - expected)) + rng.normal(0.0, spec["logit_sd"], size=len(months))
        satisfied = _calibrate_year(rng.binomial(surveyed, 1 / (1 + np.exp(-logit))), surveyed, spec, months)
        for month, n, x in zip(months, surveyed, satisfied):
            split_n = rng.multinomial(n, population / population.sum())
            split_x = rng.multivariate_hypergeometric(split_n, x)
            rows.append(pd.DataFrame({"month": month, "area": list(districts), "category": category,
                                      "numerator": split_x, "denominator": split_n}))
    frame = pd.concat(rows, ignore_index=True)
    return frame.sort_values(["category", "area", "month"], ignore_index=True)


def _to_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(month=frame["month"].dt.strftime("%Y-%m"))


def main() -> None:
    """Regenerate the committed CSV files."""
    counts, domestic = generate()
    write_csv_atomic(_to_csv_frame(counts), DEMO_DIR / "west-midlands.csv")
    write_csv_atomic(_to_csv_frame(domestic), DEMO_DIR / "west-midlands-domestic-abuse.csv")
    satisfaction = generate_satisfaction()
    write_csv_atomic(_to_csv_frame(satisfaction), DEMO_DIR / "west-midlands-satisfaction.csv")
    write_csv_atomic(_example_satisfaction(satisfaction), DEMO_DIR.parent / "examples" / "satisfaction.csv")


def _example_satisfaction(satisfaction: pd.DataFrame) -> pd.DataFrame:
    """The force's crime-victim satisfaction as a user's file might hold it: month, satisfied, surveyed."""
    crime = satisfaction[satisfaction["category"] == "satisfaction-crime"]
    force = crime.groupby("month", as_index=False)[["numerator", "denominator"]].sum()
    return pd.DataFrame({"month": force["month"].dt.strftime("%Y-%m"), "satisfied": force["numerator"],
                         "surveyed": force["denominator"]})


if __name__ == "__main__":
    main()

"""Small example input files in the layouts the README walks through, made from the embedded data.

Every file is derived from the illustrative ``west-midlands`` dataset (itself
synthetic), never from real data, so the README's "your own data" commands can
be tried before one has one's own file. Regenerate (byte-identical) with
``python -m crimecast.data.example_inputs``; ``forecast example NAME`` copies one
into the working folder.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from crimecast.data.load import load_counts
from crimecast.io import write_csv_atomic

EXAMPLES_DIR = Path(__file__).parent / "examples"
FIRST_MONTH = "2010-04"  # keep the files small: four years
# London Datastore-style major and minor categories for some embedded categories.
LONDON_CATEGORIES = {
    "burglary-dwelling": ("Burglary", "Burglary - Residential"),
    "burglary-other": ("Burglary", "Burglary - Business and Community"),
    "violence-with-injury": ("Violence Against the Person", "Violence with Injury"),
    "violence-without-injury": ("Violence Against the Person", "Violence without Injury"),
    "robbery": ("Robbery", "Robbery of Personal Property"),
}
POLICE_UK_CATEGORIES = {"burglary-dwelling": "Burglary", "robbery": "Robbery", "vehicle-crime": "Vehicle crime",
                        "shoplifting": "Shoplifting"}
GAP_MONTH = "2012-08"  # the month counts.csv leaves out, as a real extract sometimes does


def _recent(counts: pd.DataFrame) -> pd.DataFrame:
    return counts[counts["month"] >= pd.Timestamp(FIRST_MONTH)]


def burglary_csv(counts: pd.DataFrame) -> pd.DataFrame:
    """One series, force-wide burglary dwelling, with its own column names (Month, Crimes)."""
    force = counts[counts["category"] == "burglary-dwelling"].groupby("month", as_index=False)["count"].sum()
    return pd.DataFrame({"Month": force["month"].dt.strftime("%b %Y"), "Crimes": force["count"]})


def police_uk_csv(counts: pd.DataFrame) -> pd.DataFrame:
    """data.police.uk style: month, force, crime_type, count, with one month missing."""
    chosen = counts[counts["category"].isin(POLICE_UK_CATEGORIES)]
    force = chosen.groupby(["month", "category"], as_index=False)["count"].sum()
    force = force[force["month"] != pd.Timestamp(GAP_MONTH)]
    return pd.DataFrame({"month": force["month"].dt.strftime("%Y-%m"), "force": "West Midlands Police (illustrative)",
                         "crime_type": force["category"].map(POLICE_UK_CATEGORIES), "count": force["count"]})


def london_csv(counts: pd.DataFrame) -> pd.DataFrame:
    """London Datastore layout: one row per minor category and borough, months (YYYYMM) as column headers."""
    chosen = counts[counts["category"].isin(LONDON_CATEGORIES)].copy()
    chosen["MajorText"] = chosen["category"].map(lambda c: LONDON_CATEGORIES[c][0])
    chosen["MinorText"] = chosen["category"].map(lambda c: LONDON_CATEGORIES[c][1])
    chosen["BoroughName"] = chosen["area"].str.title()
    chosen["label"] = chosen["month"].dt.strftime("%Y%m")
    wide = chosen.pivot_table(index=["MajorText", "MinorText", "BoroughName"], columns="label", values="count",
                              aggfunc="sum").reset_index()
    wide.columns.name = None
    return wide


def home_office_csv(counts: pd.DataFrame) -> pd.DataFrame:
    """Home Office table layout: financial year and quarter in two columns, one row per force and offence group."""
    chosen = counts[counts["category"].isin(LONDON_CATEGORIES)].copy()
    chosen["Offence Group"] = chosen["category"].map(lambda c: LONDON_CATEGORIES[c][0])
    start = chosen["month"].dt.year - (chosen["month"].dt.month < 4)
    chosen["Financial Year"] = start.astype(str) + "/" + ((start + 1) % 100).map("{:02d}".format)
    chosen["Financial Quarter"] = ((chosen["month"].dt.month - 4) % 12) // 3 + 1
    table = chosen.groupby(["Financial Year", "Financial Quarter", "Offence Group"], as_index=False)["count"].sum()
    table.insert(2, "Force Name", "West Midlands (illustrative)")
    return table.rename(columns={"count": "Number of Offences"})


def changes_csv() -> pd.DataFrame:
    """Known process changes in the embedded data's story (report paras 79-82 and the vehicle-crime step)."""
    return pd.DataFrame([
        {"month": "2012-12", "description": "Vehicle crime: new recording practice (illustrative)",
         "category": "vehicle-crime", "area": ""},
        {"month": "2013-04", "description": "Domestic abuse reporting push", "category": "violence-with-injury",
         "area": ""},
    ])


STREET_FORCE = "West Midlands Police (illustrative)"
STREET_DISTRICTS = ("solihull", "walsall", "dudley")
STREET_SCALE = 20  # one street row for every 20 crimes of the embedded districts: a small archive
STREET_TYPES = {"burglary-dwelling": "Burglary", "burglary-other": "Burglary", "vehicle-crime": "Vehicle crime",
                "shoplifting": "Shoplifting", "robbery": "Robbery", "violence-with-injury": "Violence and sexual offences",
                "violence-without-injury": "Violence and sexual offences", "criminal-damage": "Criminal damage and arson",
                "theft-other": "Other theft", "other-offences": "Other crime"}
STREET_FIRST_MONTH = "2011-04"


def street_archive(counts: pd.DataFrame, path: Path, *, seed: int = 2014) -> Path:
    """A data.police.uk-style zip (monthly folders of street files, one row per crime) for three districts.

    Synthetic, from the embedded illustrative data scaled down; anti-social
    behaviour is added (blank Crime ID), a few rows have no location, and each
    district has a handful of LSOAs. Written with fixed timestamps so the zip is
    byte-identical on every run.
    """
    import zipfile

    import numpy as np

    from crimecast.data.police_uk import STREET_HEADER

    rng = np.random.default_rng(seed)
    chosen = counts[counts["area"].isin(STREET_DISTRICTS) & counts["category"].isin(STREET_TYPES)
                    & (counts["month"] >= pd.Timestamp(STREET_FIRST_MONTH))]
    chosen = chosen.assign(crime_type=chosen["category"].map(STREET_TYPES))
    grouped = chosen.groupby(["month", "area", "crime_type"], as_index=False)["count"].sum()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for month, rows in grouped.groupby("month"):
            lines = [",".join(STREET_HEADER)]
            for row in rows.itertuples():
                lines += _street_lines(row.area, row.crime_type, int(rng.poisson(row.count / STREET_SCALE)), month, rng)
            for area in STREET_DISTRICTS:  # anti-social behaviour, about a third as many as crimes
                asb = int(rng.poisson(rows.loc[rows["area"] == area, "count"].sum() / STREET_SCALE / 3))
                lines += _street_lines(area, "Anti-social behaviour", asb, month, rng)
            info = zipfile.ZipInfo(f"{month:%Y-%m}/{month:%Y-%m}-west-midlands-street.csv", date_time=(2014, 4, 1, 0, 0, 0))
            archive.writestr(info, "\n".join(lines) + "\n", compress_type=zipfile.ZIP_DEFLATED)
    return path


def _street_lines(area: str, crime_type: str, n: int, month: pd.Timestamp, rng) -> list[str]:
    lines = []
    for i in range(n):
        located = rng.random() > 0.02
        crime_id = "" if crime_type == "Anti-social behaviour" else f"{rng.integers(0, 2**63):016x}"
        lsoa = int(rng.integers(1, 6))
        where = (f"-1.8,52.4,On or near High Street,E0100{STREET_DISTRICTS.index(area)}{lsoa:03d},"
                 f"{area.title()} 00{lsoa}A") if located else ",,No location,,"
        lines.append(f"{crime_id},{month:%Y-%m},{STREET_FORCE},{STREET_FORCE},{where},{crime_type},Under investigation,")
    return lines


def generate() -> dict[str, pd.DataFrame]:
    """Every example input, by file name."""
    counts = _recent(load_counts("west-midlands"))
    return {"burglary.csv": burglary_csv(counts), "counts.csv": police_uk_csv(counts),
            "london.csv": london_csv(counts), "pfa.csv": home_office_csv(counts), "changes.csv": changes_csv()}


def main() -> None:
    """Regenerate the committed example files."""
    for name, frame in generate().items():
        write_csv_atomic(frame, EXAMPLES_DIR / name)
    street_archive(load_counts("west-midlands"), EXAMPLES_DIR / "police-uk-street.zip")


if __name__ == "__main__":
    main()

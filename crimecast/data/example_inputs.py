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


def generate() -> dict[str, pd.DataFrame]:
    """Every example input, by file name."""
    counts = _recent(load_counts("west-midlands"))
    return {"burglary.csv": burglary_csv(counts), "counts.csv": police_uk_csv(counts),
            "london.csv": london_csv(counts), "pfa.csv": home_office_csv(counts), "changes.csv": changes_csv()}


def main() -> None:
    """Regenerate the committed example files."""
    for name, frame in generate().items():
        write_csv_atomic(frame, EXAMPLES_DIR / name)


if __name__ == "__main__":
    main()

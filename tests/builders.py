"""Small files in the shape of each real format, made by the tests (never copies of real data)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from crimecast.data.police_uk import STREET_HEADER

TYPES = ("Anti-social behaviour", "Burglary", "Robbery", "Shoplifting", "Vehicle crime", "Violence and sexual offences")
FORCES = {"Merseyside Police": ("merseyside", ("Liverpool", "Wirral", "Sefton"), "Halton"),
          "Cleveland Police": ("cleveland", ("Middlesbrough", "Stockton-on-Tees"), None)}


def street_rows(force: str, month: str, *, seed: int, per_type: int = 6, skip_type: str | None = None) -> list[str]:
    """Street-file lines for one force and month: LSOAs in its own authorities, one row with no
    location, one LSOA just outside (Merseyside), ASB with a blank Crime ID."""
    rng = np.random.default_rng(seed)
    slug, authorities, outside = FORCES[force]
    lines = []
    for t, crime_type in enumerate(TYPES):
        if crime_type == skip_type:
            continue
        for i in range(per_type + int(rng.integers(0, 4))):
            authority = authorities[(i + t) % len(authorities)]
            crime_id = "" if crime_type == "Anti-social behaviour" else f"{slug}{month}{t:02d}{i:03d}"
            lines.append(f"{crime_id},{month},{force},{force},-2.9,53.4,On or near High Street,"
                         f"E0100{t}{i:03d},{authority} 0{i % 9}1A,{crime_type},Under investigation,")
    lines.append(f"{slug}{month}x,{month},{force},{force},,,No location,,,Burglary,Under investigation,")
    if outside:
        lines.append(f"{slug}{month}y,{month},{force},{force},-2.7,53.3,On or near Road,E01012393,{outside} 001B,"
                     "Robbery,Under investigation,")
    return lines


def street_csv_text(force: str, month: str, **kwargs) -> str:
    return ",".join(STREET_HEADER) + "\n" + "\n".join(street_rows(force, month, **kwargs)) + "\n"


def street_archive(folder: Path, *, months=("2020-01", "2020-02", "2020-03"), missing: tuple[str, str] | None = None,
                   skip_type: tuple[str, str, str] | None = None, name: str = "archive.zip") -> Path:
    """A data.police.uk-style zip: monthly folders of two forces' street files plus outcomes files.

    ``missing=(force, month)`` leaves that file out of the archive (a missing month);
    ``skip_type=(force, month, type)`` gives that file no rows of the type (a true zero).
    """
    path = folder / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for m, month in enumerate(months):
            for f, (force, (slug, _, _)) in enumerate(FORCES.items()):
                if missing == (force, month):
                    continue
                skip = skip_type[2] if skip_type and skip_type[:2] == (force, month) else None
                archive.writestr(f"{month}/{month}-{slug}-street.csv",
                                 street_csv_text(force, month, seed=10 * m + f, skip_type=skip))
                archive.writestr(f"{month}/{month}-{slug}-outcomes.csv", "Crime ID,Month\n")
    return path


def home_office_text(*, quarters: int = 16, gap: tuple[str, int] | None = None, duplicate: bool = False,
                     negative: bool = False, forces: tuple[str, ...] = ("West Midlands", "Merseyside")) -> str:
    """A Home Office PFA open data table: two forces (or ``forces``) x two offence groups by financial quarter."""
    lines = ["Financial Year,Financial Quarter,Force Name,Offence Group,Number of Offences"]
    rng = np.random.default_rng(3)
    for q in range(quarters):
        year = 2012 + q // 4
        label, quarter = f"{year}/{(year + 1) % 100:02d}", q % 4 + 1
        for force in forces:
            for group, level in (("Robbery", 900), ("Theft offences", 20000)):
                if gap == (label, quarter) and force == "Merseyside":
                    continue
                lines.append(f"{label},{quarter},{force},{group},{int(level * (1 + 0.1 * rng.standard_normal()))}")
    if duplicate:
        lines.append("2012/13,2,West Midlands,Theft offences,3")
    if negative:
        lines.append("2012/13,3,West Midlands,Robbery,-2")
    return "\n".join(lines) + "\n"


ONS_ROLLING = ("12 months ending,PFA,Region,Offence,Rolling year total number of offences\n"
               "31-03-2013,West Midlands,West Midlands,Violence with injury,20000\n"
               "30-06-2013,West Midlands,West Midlands,Violence with injury,20400\n")


def replay_text() -> str:
    """Two forces' (north, south) burglary and robbery by month, 2010-04 to 2014-06, with gaps before, around and
    after 2013-06: north's burglary too long to fill after it (2014-01 to 2014-03), south's robbery straddling it
    (2013-06, 2013-07) and south's burglary after it (2013-10)."""
    months = [f"{2010 + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}" for i in range(51)]
    missing = {("burglary", "north"): {"2014-01", "2014-02", "2014-03"}, ("robbery", "south"): {"2013-06", "2013-07"},
               ("burglary", "south"): {"2013-10"}}
    rows = [f"{m},{area},{category},{20 + i % 12 + (area == 'south')}" for category in ("burglary", "robbery")
            for area in ("north", "south") for i, m in enumerate(months) if m not in missing.get((category, area), ())]
    return "month,area,category,count\n" + "\n".join(rows) + "\n"


def avon_fund(*, data: str, as_of: str, paths: int) -> dict:
    """A Community Safety Fund file (as a dict, for ``yaml.safe_dump``) of £1,000,000 split between the police (area
    ``force``) and partners (``avon-and-somerset``) against burglary and robbery, forecast from ``data`` at ``as_of``."""
    return {"version": 1, "name": "Avon fund", "fund": {
        "budget": 1_000_000, "budget_sweep": {"low": 1_000_000, "high": 1_000_000, "step": 100_000},
        "recipients": {"police": {"area": "force", "last_year": 600_000},
                       "partners": {"area": "avon-and-somerset", "last_year": 400_000}}},
        "outcome": {"categories": ["burglary", "robbery"]},
        "forecast": {"data": data, "as_of": as_of, "model": "seasonal-naive", "paths": paths},
        "response": {"max_reduction": {"dist": "triangular", "low": 0.01, "mode": 0.03, "high": 0.05},
                     "half_spend_per_crime": {"dist": "triangular", "low": 20, "mode": 40, "high": 80}},
        "uncertainty": {"samples": 10, "stability_samples": 5}}

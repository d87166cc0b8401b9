"""How each source's categories map to crimecast's slugs, and which add up to total recorded crime.

A map is a table ``source_name, category, in_total, note``. Shipped maps
cover police.uk crime types and Home Office offence groups; any other
source can bring its own CSV (``--category-map FILE`` with columns
``source,category`` and optionally ``in_total``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from crimecast.data.slugs import slugify
from crimecast.errors import DataError

ASB_NOTE = "anti-social behaviour incidents are not crimes: a series of its own, outside total recorded crime"

# police.uk street-level crime types (the 14 used since 2013).
POLICE_UK: dict[str, tuple[str, bool, str]] = {
    "Anti-social behaviour": ("anti-social-behaviour", False, ASB_NOTE),
    "Bicycle theft": ("bicycle-theft", True, ""),
    "Burglary": ("burglary", True, "all burglary: police.uk does not split dwellings from other buildings"),
    "Criminal damage and arson": ("criminal-damage-and-arson", True, ""),
    "Drugs": ("drugs", True, ""),
    "Other crime": ("other-crime", True, ""),
    "Other theft": ("other-theft", True, ""),
    "Possession of weapons": ("possession-of-weapons", True, ""),
    "Public order": ("public-order", True, ""),
    "Robbery": ("robbery", True, ""),
    "Shoplifting": ("shoplifting", True, ""),
    "Theft from the person": ("theft-from-the-person", True, ""),
    "Vehicle crime": ("vehicle-crime", True, "all vehicle crime (theft of and from vehicles, interference)"),
    "Violence and sexual offences": ("violence-and-sexual-offences", True,
                                     "all violence against the person and sexual offences (police.uk does not split "
                                     "violence with injury)"),
}

FRAUD_NOTE = ("fraud was recorded by forces until 2012/13 and by Action Fraud from 2013/14: force counts stop, "
              "so total recorded crime falls at that break for that reason alone")

# Home Office police recorded crime open data tables: offence groups.
HOME_OFFICE: dict[str, tuple[str, bool, str]] = {
    "Violence against the person": ("violence-against-the-person", True, ""),
    "Sexual offences": ("sexual-offences", True, ""),
    "Robbery": ("robbery", True, ""),
    "Theft offences": ("theft-offences", True, "includes burglary, vehicle offences, shoplifting and other theft"),
    "Criminal damage and arson": ("criminal-damage-and-arson", True, ""),
    "Drug offences": ("drug-offences", True, ""),
    "Possession of weapons offences": ("possession-of-weapons-offences", True, ""),
    "Public order offences": ("public-order-offences", True, ""),
    "Miscellaneous crimes against society": ("miscellaneous-crimes-against-society", True, ""),
    "Fraud offences": ("fraud-offences", True, FRAUD_NOTE),
}

SHIPPED_MAPS: dict[str, dict[str, tuple[str, bool, str]]] = {"police-uk": POLICE_UK, "home-office": HOME_OFFICE}


def map_frame(shipped: dict[str, tuple[str, bool, str]], names: list[str]) -> pd.DataFrame:
    """The map rows for the source names present; unknown names keep their slug and count in the total."""
    rows = []
    for name in sorted(set(names)):
        category, in_total, note = shipped.get(name, (slugify(name), True, ""))
        rows.append({"source_name": name, "category": category, "in_total": in_total, "note": note})
    return pd.DataFrame(rows, columns=["source_name", "category", "in_total", "note"])


def _folded(shipped: dict[str, tuple[str, bool, str]]) -> dict[str, str]:
    """A shipped map's names by their slug (``anti-social-behaviour`` -> ``Anti-social behaviour``)."""
    return {slugify(name): name for name in shipped}


def shipped_for(names: list[str], shipped: dict[str, tuple[str, bool, str]]) -> dict[str, tuple[str, bool, str]] | None:
    """The shipped map keyed by the file's own names when they are its names; else ``None``.

    Names written otherwise (``burglary``, ``BURGLARY``, ``anti-social-behaviour``, ``Violence And Sexual Offences``:
    the same words whatever the case and punctuation) are its names when every one is and at least one is a name of
    several words (``anti-social-behaviour``, ``theft-offences``): a file of one-word slugs alone (``burglary``,
    ``robbery``, as crimecast's own data contract writes any source's categories) is not taken for police.uk's.

    Parameters
    ----------
    names
        The file's category names, as written.
    shipped
        A shipped map (:data:`POLICE_UK`, :data:`HOME_OFFICE`): name -> (category, in total, note).

    Returns
    -------
    dict or None
        The map's entries keyed by the file's names, or ``None`` when the names are not the map's.
    """
    if names and set(names) <= set(shipped):
        return {name: shipped[name] for name in names}
    folded = _folded(shipped)
    if not names or any(slugify(name) not in folded for name in names):
        return None
    if not any("-" in slugify(name) for name in names):
        return None
    return {name: shipped[folded[slugify(name)]] for name in names}


def _known(names: list[str], shipped: dict[str, tuple[str, bool, str]]) -> list[str]:
    """The names that are the shipped map's, as :func:`shipped_for` takes them: written otherwise only when one of
    those is a name of several words."""
    folded = _folded(shipped)
    written_otherwise = [name for name in names if slugify(name) in folded]
    if any("-" in slugify(name) for name in written_otherwise):
        return written_otherwise
    return [name for name in names if name in shipped]


NEAR_MISS = 0.8  # how alike (difflib ratio) a category must be to a shipped map's to be taken for a typing error of it


def near_miss(names: list[str]) -> tuple[str, str, str] | None:
    """A category that looks like a mistyped name of the shipped map the others follow, else ``None``.

    Names are compared whatever their case and punctuation (``burglary`` is ``Burglary``). When at least two of
    ``names``, and more than half, are one shipped map's (police.uk crime types, Home Office offence groups) and
    another is not but is very like one of its names (``Burglery`` for ``Burglary``), returns ``(name, the map's
    name it is like, the map's key)``: left alone, it would be a category of its own, the month it holds would be
    missing from the real one, and the map would not be used for any of them.

    Parameters
    ----------
    names
        The file's category names, as written.

    Returns
    -------
    tuple or None
        ``(name, the shipped name it is like, the map's key)`` (the first such name in sorted order), else ``None``.
    """
    import difflib

    unique = sorted(set(names))
    if any(shipped_for(unique, shipped) is not None for shipped in SHIPPED_MAPS.values()):
        return None  # every name is one map's (police.uk and Home Office share Robbery, for one)
    key, shipped = max(SHIPPED_MAPS.items(), key=lambda item: len(_known(unique, item[1])))
    folded = _folded(shipped)
    known = _known(unique, shipped)
    if len(known) >= 2 and 2 * len(known) > len(unique):  # the file follows this map, but for a few
        for name in (n for n in unique if slugify(n) not in folded):
            close = difflib.get_close_matches(slugify(name), list(folded), n=1, cutoff=NEAR_MISS)
            if close:
                return name, folded[close[0]], key
    return None


def read_map_file(path: Path) -> dict[str, tuple[str, bool, str]]:
    """A user's category map: a CSV with columns ``source`` and ``category`` (and optionally ``in_total``).

    Raises
    ------
    DataError
        Naming the file, row and column at fault.
    """
    from crimecast.data.read import read_table

    frame = read_table(path)
    columns = {slugify(c): c for c in frame.columns}
    missing = [c for c in ("source", "category") if c not in columns]
    if missing:
        raise DataError(f"{path}: a category map needs columns source and category (and optionally in_total); "
                        f"missing {', '.join(missing)}.")
    shipped = {}
    for index, row in frame.iterrows():
        flag = str(row[columns["in-total"]]).strip().lower() if "in-total" in columns else "yes"
        if flag not in {"yes", "no", "true", "false", "1", "0", ""}:
            raise DataError(f"{path}, row {index + 2}, column in_total: '{flag}' is not yes or no.")
        shipped[str(row[columns["source"]]).strip()] = (slugify(row[columns["category"]]), flag in {"yes", "true", "1", ""}, "")
    return shipped

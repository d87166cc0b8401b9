"""Kebab-case names for categories and areas, and friendly look-up of them."""

from __future__ import annotations

import difflib
import re

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """``'Burglary in a Dwelling'`` -> ``'burglary-in-a-dwelling'``."""
    return _NON_WORD.sub("-", str(name).strip().lower()).strip("-")


def display_name(slug: str) -> str:
    """``'burglary-dwelling'`` -> ``'Burglary dwelling'``."""
    return slug.replace("-", " ").capitalize()


def did_you_mean(name: str, choices: list[str]) -> str:
    """A ``" Did you mean 'x'?"`` hint, or an empty string when nothing is close."""
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.5)
    if not close:
        close = [c for c in choices if name in c or c in name][:1]
    return f" Did you mean '{close[0]}'?" if close else ""


def area_label(slug: str) -> str:
    """``'force'`` -> ``'force-wide'``; ``'solihull'`` -> ``'Solihull'``."""
    return "force-wide" if slug == "force" else slug.replace("-", " ").title()

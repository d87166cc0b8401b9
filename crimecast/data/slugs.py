"""Kebab-case names for categories and areas, and friendly look-up of them."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """``'Burglary in a Dwelling'`` -> ``'burglary-in-a-dwelling'``."""
    return _NON_WORD.sub("-", str(name).strip().lower()).strip("-")


ACRONYMS = {"asb": "ASB", "anpr": "ANPR", "csf": "CSF"}  # words shown in capitals
HYPHENATED = ("anti-social",)  # words whose hyphen is the word's own, not the slug's


def display_name(slug: str) -> str:
    """``'burglary-dwelling'`` -> ``'Burglary dwelling'``; ``'satisfaction-asb'`` -> ``'Satisfaction ASB'``;
    ``'anti-social-behaviour'`` -> ``'Anti-social behaviour'``."""
    text = slug.lower()
    for word in HYPHENATED:
        text = text.replace(word, word.replace("-", "\0"))
    words = " ".join(ACRONYMS.get(word, word) for word in text.split("-")).replace("\0", "-")
    return words[:1].upper() + words[1:]


SUGGEST_CUTOFF = 0.5  # how alike (difflib ratio) a key, category or option must be to be suggested
AREA_CUTOFF = 0.75  # a place is suggested only for a slip of the keyboard: 'birmingham' is not 'durham'


def did_you_mean(name: str, choices: list[str], *, aliases: dict[str, str] | None = None,
                 cutoff: float = SUGGEST_CUTOFF) -> str:
    """A ``" Did you mean 'x'?"`` hint, or an empty string when nothing is close.

    ``aliases`` (short name -> choice) are matched too, so ``burgalry`` finds
    ``burglary`` (burglary-dwelling) rather than ``burglary-other``; a second
    suggestion is given only when it is about as close as the first.
    ``cutoff`` is the least likeness suggested; failing that, a choice that
    holds every word of ``name`` (``heathrow``, ``city-of-london`` for
    ``london-city-of``) or that ``name`` holds is suggested.
    """
    aliases = {a: t for a, t in (aliases or {}).items() if t in choices}
    names = list(choices) + list(aliases)
    close = difflib.get_close_matches(name, names, n=4, cutoff=cutoff)
    if close:  # a second suggestion only when it is about as close as the first
        best = difflib.SequenceMatcher(None, name, close[0]).ratio()
        close = [c for c in close if difflib.SequenceMatcher(None, name, c).ratio() >= best - 0.05]
    else:
        close = [c for c in choices if name in c or c in name or _holds_words(c, name)][:1]
    shown, targets = [], set()
    for match in close:
        target = aliases.get(match, match)
        if target in targets:
            continue
        targets.add(target)
        shown.append(f"'{match}' ({target})" if match in aliases else f"'{match}'")
        if len(shown) == 2:
            break
    return f" Did you mean {' or '.join(shown)}?" if shown else ""


_FORCE_SUFFIX = re.compile(r"-(police|constabulary|police-service|police-force)$")


def force_slug(name: str) -> str:
    """A force's area key, whichever file named it: ``'Merseyside Police'`` -> ``'merseyside'``; ``'Avon and Somerset
    Constabulary'`` -> ``'avon-and-somerset'`` (police.uk's street files, a counts file's force column)."""
    return _FORCE_SUFFIX.sub("", slugify(name))


RENAMED_NOTE = "areas renamed to keep every name unique"  # how the note below starts (an extension rewrites it)


def renamed_note(areas: Iterable[tuple[str, str, str]]) -> list[str]:
    """The note naming the areas, given as (force, the area's name, its key), whose key is not their name's, and why
    (a force's own name, or a name two forces share); empty when every key is its name's."""
    listed = ", ".join(f"{area} ({force}) is '{slug}'" for force, area, slug in areas if slug != slugify(area))
    return [f"{RENAMED_NOTE} (a force's own name, or a name two forces share): {listed}."] if listed else []


SMALL_WORDS = frozenset({"and", "of", "the", "upon", "on", "under"})  # lower case inside a place's name


def _holds_words(choice: str, name: str) -> bool:
    """Whether ``choice`` has every word of ``name`` (small words aside), in any order."""
    words = set(name.split("-")) - SMALL_WORDS - {""}
    return bool(words) and words <= set(choice.split("-"))


def area_label(slug: str, *, whole: str = "") -> str:
    """``'force'`` -> ``'force-wide'``; ``'solihull'`` -> ``'Solihull'``; ``'avon-and-somerset'`` -> ``'Avon and
    Somerset'``; ``'city-of-london'`` -> ``'City of London'``.

    ``whole`` is what the data's whole (area ``'force'``) is called when it is one named force
    (:func:`crimecast.data.series.whole_title`): ``area_label('force', whole='Merseyside')`` -> ``'Merseyside'``.
    """
    if slug == "force":
        return whole or "force-wide"
    words = slug.split("-")
    return " ".join(word if i and word in SMALL_WORDS else word.title() for i, word in enumerate(words))

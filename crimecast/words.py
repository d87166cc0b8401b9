"""Words for a number of things: ``1 file``, ``2 files``, never ``2 file(s)``.

A module of its own (no imports) so that every layer's messages, from the data
readers to the reports, say counts the same way.
"""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``noun`` as it goes with ``count``: itself for one, else ``many`` (``noun + 's'`` unless given).

    Parameters
    ----------
    count
        How many there are.
    noun
        The word for one (``'file'``, ``'series'``).
    many
        The word for any other number, when it is not ``noun + 's'`` (``'categories'``).

    Returns
    -------
    str
        The word alone (``'file'``, ``'files'``).
    """
    return noun if count == 1 else (many if many is not None else f"{noun}s")


def counted(count: int, noun: str, many: str | None = None) -> str:
    """``'1 file'``, ``'2 files'``: ``count`` and its word (:func:`plural`).

    Parameters
    ----------
    count
        How many there are.
    noun
        The word for one.
    many
        The word for any other number, when it is not ``noun + 's'``.

    Returns
    -------
    str
        The number, a space and the word.
    """
    return f"{count} {plural(count, noun, many)}"


__all__ = ["counted", "plural"]

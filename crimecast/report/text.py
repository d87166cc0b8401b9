"""Terminal text as data: lines with a style, rendered (coloured, bold) by the CLI, the one place that prints.

A report module returns ``list[Line]`` for a result; the CLI echoes each with
its style. Tests can read the lines without a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Style = Literal["plain", "heading", "note"]


@dataclass(frozen=True)
class Line:
    """One line (or block) of terminal output and how it is shown."""

    text: str = ""
    style: Style = "plain"


def plain(text: str = "") -> Line:
    """An ordinary line (a table is one multi-line block)."""
    return Line(text)


def heading(text: str) -> Line:
    """A heading, shown in bold."""
    return Line(text, "heading")


def note(text: str) -> Line:
    """A caution for the reader, shown in yellow."""
    return Line(text, "note")


def as_text(lines: list[Line]) -> str:
    """The lines without styles, one per line (for files and tests)."""
    return "\n".join(line.text for line in lines)


__all__ = ["Line", "Style", "as_text", "heading", "note", "plain"]

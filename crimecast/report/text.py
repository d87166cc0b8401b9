"""Terminal text as data: lines with a style, rendered (coloured, bold) by the CLI, the one place that prints.

A report module returns ``list[Line]`` for a result; the CLI echoes each with
its style, on stdout or (``err``) stderr, so that ``--json`` keeps stdout pure
JSON while messages still reach the user. Tests can read the lines without a
terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from crimecast.words import counted

Style = Literal["plain", "heading", "note", "error", "done"]


@dataclass(frozen=True)
class Line:
    """One line (or block) of terminal output and how it is shown."""

    text: str = ""
    style: Style = "plain"
    err: bool = False  # shown on stderr (messages beside the result), not stdout


def plain(text: str = "") -> Line:
    """An ordinary line (a table is one multi-line block)."""
    return Line(text)


def heading(text: str) -> Line:
    """A heading, shown in bold."""
    return Line(text, "heading")


def note(text: str, *, err: bool = False) -> Line:
    """A caution for the reader, shown in yellow (on stderr with ``err``)."""
    return Line(text, "note", err)


def error(text: str) -> Line:
    """Something that could not be done, shown in red on stderr."""
    return Line(text, "error", True)


def done(text: str) -> Line:
    """Something kept for later (e.g. a saved forecast), shown in green on stderr."""
    return Line(text, "done", True)


def detail(text: str) -> Line:
    """Supporting detail for an error (e.g. a traceback with ``--debug``), unstyled on stderr."""
    return Line(text, "plain", True)


def as_text(lines: list[Line]) -> str:
    """The lines without styles, one per line (for files and tests)."""
    return "\n".join(line.text for line in lines)


def wrote_line(files: list, folder, *, chart: bool = True) -> str:
    """``Wrote 3 files to out/ (chart x.png).`` (the chart written last), or ``(e.g. x.csv)`` when none was drawn
    or ``chart`` is false (``(x.csv)`` when it is the only file)."""
    named = (f"chart {files[-1].name}" if chart and files[-1].suffix == ".png" else
             f"{'e.g. ' if len(files) > 1 else ''}{files[0].name}")
    return f"\nWrote {counted(len(files), 'file')} to {folder}/ ({named})."


__all__ = ["Line", "Style", "as_text", "detail", "done", "error", "heading", "note", "plain", "wrote_line"]

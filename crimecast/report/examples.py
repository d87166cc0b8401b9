"""``forecast example``: the shipped examples listed, and what was copied."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from crimecast.examples import Example
from crimecast.report.text import Line, heading, plain


def examples_text(shipped: Iterable[Example]) -> list[Line]:
    """One line per shipped example: its name, what it is and its files."""
    lines = [heading("Shipped examples (copy with `forecast example NAME`):")]
    for example in shipped:
        lines.append(plain(f"  {example.name:<28} {example.kind}: {', '.join(f.name for f in example.files)}"))
    return lines


def copied_text(written: Iterable[Path]) -> list[Line]:
    """The files copied into the working folder."""
    return [plain(f"Copied {', '.join(str(p) for p in written)}.")]


__all__ = ["copied_text", "examples_text"]

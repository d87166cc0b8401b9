"""Shared helpers for bench scripts: machine description and RESULTS.md sections."""

from __future__ import annotations

import argparse
import os
import platform
import re
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
SHARED_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
HEADER = "# Benchmark results\n\nMeasured by the scripts in `bench/`; each section is rewritten by its script.\n"


def no_options(doc: str | None) -> None:
    """Parse a bench script's command line when it takes no options, so ``--help`` prints ``doc`` and stops
    (rather than running the whole bench and rewriting its section)."""
    argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()


def machine() -> str:
    """One line saying when and on what the benchmark ran."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"{now}; {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section ``name`` of RESULTS.md with ``body``."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    tmp = RESULTS.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(RESULTS)

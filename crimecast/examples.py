"""The shipped examples, and copying them into a working folder to start from.

Scenarios, plans, the Community Safety Fund assumptions, the fleet and small
data files in the layouts the README uses. ``forecast example NAME`` copies one
(with any file it names, such as a fleet's vehicles CSV) so it can be edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crimecast.data.slugs import did_you_mean
from crimecast.errors import UsageError
from crimecast.io import read_text, write_atomic

_PACKAGE = Path(__file__).parent
_SOURCES: tuple[tuple[str, Path, str], ...] = (
    ("scenario", _PACKAGE / "scenarios" / "examples", "*.yaml"),
    ("plan", _PACKAGE / "scenarios" / "plans", "*.yaml"),
    ("optimiser input", _PACKAGE / "optimise" / "examples", "*.yaml"),
    ("data file (illustrative)", _PACKAGE / "data" / "examples", "*.csv"),
    ("police.uk street archive (illustrative)", _PACKAGE / "data" / "examples", "*.zip"),
)
_KIND_BY_NAME = {"csf": "Community Safety Fund assumptions", "fleet": "fleet",
                 "population": "population file (real figures; see its source column)"}


@dataclass(frozen=True)
class Example:
    """A shipped example: its name, what it is, and the files it copies."""

    name: str
    kind: str
    files: tuple[Path, ...]


def _companions(path: Path) -> tuple[Path, ...]:
    """Files a YAML example names beside itself (a fleet's ``vehicles:`` CSV)."""
    import yaml

    if path.suffix != ".yaml":
        return ()
    data = yaml.safe_load(read_text(path, what="shipped example"))
    named = data.get("vehicles") if isinstance(data, dict) else None
    return (path.parent / named,) if isinstance(named, str) and (path.parent / named).exists() else ()


def examples() -> dict[str, Example]:
    """Every shipped example by name."""
    found: dict[str, Example] = {}
    for kind, folder, pattern in _SOURCES:
        for path in sorted(folder.glob(pattern)):
            label = _KIND_BY_NAME.get(path.stem.split("-")[0], kind)
            found[path.stem] = Example(name=path.stem, kind=label, files=(path, *_companions(path)))
    return found


def copy_examples(names: list[str], *, folder: Path = Path("."), force: bool = False) -> list[Path]:
    """Copy the named examples into ``folder``; returns the files written.

    Raises
    ------
    UsageError
        For an unknown name (with a suggestion), or a file that already exists
        (unless ``force``): nothing is copied then.
    """
    known = examples()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"no shipped example '{unknown[0]}'.{did_you_mean(unknown[0], list(known))} "
                         "Run `forecast example --list` to see them all.")
    sources = [source for name in names for source in known[name].files]
    targets = [Path(folder) / source.name for source in sources]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        raise UsageError(f"{existing[0]} already exists. Edit it, remove it, or add --force to overwrite it with the example.")
    for source, target in zip(sources, targets):
        data = source.read_bytes()
        write_atomic(target, lambda tmp, data=data: tmp.write_bytes(data))
    return targets

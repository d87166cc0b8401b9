"""Specification files (YAML, validated by pydantic): safe reading, line numbers and plain-word errors.

The one loader behind scenario, plan, fleet and Community Safety Fund files.
It sits below every domain: a domain passes in its schema (a pydantic model),
the error class to raise and, where a list holds several kinds of entry told
apart by a ``kind`` key (a scenario's drivers), the kinds by name.

* YAML is read with ``safe_load`` rules: no tags that build objects, and a key
  written twice is refused rather than silently keeping the last.
* Every error names the file and line (or a CSV row), the key path and the fix.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationError

from crimecast.data.slugs import did_you_mean
from crimecast.errors import CrimecastError, SpecFileError
from crimecast.io import read_text

Kinds = Mapping[str, Mapping[str, type[BaseModel]]]
"""List key -> {kind name -> the model for entries of that kind} (e.g. ``{"drivers": {"uplift": Uplift}}``)."""

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class Strict(BaseModel):
    """A schema model that refuses unknown keys and cannot be changed once read."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def month_text(raw) -> str:
    """``'2014-04'`` from ``'2014-04'``, ``2014-04-01`` or a date."""
    if isinstance(raw, (dt.date, dt.datetime)):
        return f"{raw.year:04d}-{raw.month:02d}"
    match = _MONTH.match(str(raw).strip()) or re.match(r"^(\d{4})-(\d{1,2})-01$", str(raw).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"expected a month written YYYY-MM (e.g. 2014-04), got {raw!r}")
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


Month = Annotated[str, PlainValidator(month_text)]
"""A month written ``YYYY-MM`` (a YAML date such as ``2014-04-01`` is accepted), kept as ``'YYYY-MM'``."""


def shipped_dir(package: str, folder: str) -> Path:
    """The folder of shipped files (examples, plans) inside a crimecast package."""
    return Path(str(resources.files(package).joinpath(folder)))


def find_file(path: str | Path, folder: Path) -> Path:
    """``path`` as given, or the shipped file of that name (without ``.yaml``) in ``folder``."""
    path = Path(path)
    shipped = folder / f"{path.name}.yaml"
    return shipped if not path.exists() and not path.suffix and shipped.exists() else path


# ---------------------------------------------------------------- YAML, safely, with line numbers

def _key_path(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _line_map(node, path: tuple, lines: dict, *, source: str, error: type[CrimecastError]) -> dict[tuple, int]:
    """Key path -> 1-based line, refusing duplicate keys (YAML would silently keep the last)."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise error(f"{source} line {key_node.start_mark.line + 1}: key '{_key_path(path + (key,))}' "
                            "appears twice. Keep one.")
            seen.add(key)
            _line_map(value_node, path + (key,), lines, source=source, error=error)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, path + (index,), lines, source=source, error=error)
    return lines


def read_yaml(path: Path, *, what: str, hint: str,
              error: type[CrimecastError] = SpecFileError) -> tuple[Any, dict[tuple, int]]:
    """Parse a YAML file with ``yaml.safe_load`` rules and map key paths to 1-based lines.

    Parameters
    ----------
    path
        The file.
    what
        What the file is, for messages (``"scenario file"``).
    hint
        How to get a good file, added when it does not exist (``"or name a shipped example"``).
    error
        The exception class to raise.

    Returns
    -------
    data, lines
        The parsed document and ``{key path: line}``.

    Raises
    ------
    CrimecastError
        (of class ``error``) for a missing or unreadable file, invalid YAML, a
        tag that builds objects, or a key written twice.
    """
    text = read_text(path, what=what, error=error, hint=f"Check the path, {hint}.")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as problem_error:
        mark = getattr(problem_error, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(problem_error, "problem", None) or str(problem_error)
        if "constructor for the tag" in problem:
            article = "an" if what[:1] in "aeiou" else "a"
            raise error(f"{path}{where}: YAML tags that build objects ({problem.split('tag ')[-1]}) are not "
                        f"allowed: {article} {what} holds plain values only. Remove the tag.") from None
        raise error(f"{path}{where}: not valid YAML ({problem}). Check indentation and that "
                    "text containing ':' or '#' is quoted.") from None
    lines = _line_map(node, (), {}, source=str(path), error=error) if node is not None else {}
    return data, lines


# ---------------------------------------------------------------- errors in plain words

def _model_at(root: type[BaseModel], loc: tuple, kinds: Kinds) -> type[BaseModel] | None:
    """The schema model that the mapping at ``loc`` (a path below ``root``) is validated against."""
    model: type[BaseModel] | None = root
    parts = list(loc)
    while parts and model is not None:
        part = parts.pop(0)
        field = model.model_fields.get(part) if isinstance(part, str) else None
        if field is None:
            return None
        if part in kinds:
            model = kinds[part].get(parts[1]) if len(parts) >= 2 else None
            parts = parts[2:]
            continue
        inner = field.annotation
        if typing.get_origin(inner) in (list, dict):
            inner = typing.get_args(inner)[-1]
            parts = parts[1:]  # the list index or dict key
        model = inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None
    return model


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _clean_loc(loc: tuple, kinds: Kinds) -> tuple:
    """Drop pydantic's union-tag element (``drivers.0.uplift.value`` -> ``drivers[0].value``)."""
    parts = list(loc)
    if len(parts) >= 3 and parts[0] in kinds and parts[2] in kinds[parts[0]]:
        del parts[2]
    return tuple(parts)


_PERCENT_TEXT = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*%\s*$")


def _share_hint(error: dict) -> str:
    """For a share (a key bounded by 1) written as a percentage, ``10`` or ``"10%"``: what it would be and how to
    write it (``0.1``), instead of pydantic's "Input should be less than 1"; else ``""``."""
    kind, raw, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    limit = ctx.get("lt", ctx.get("le"))
    if kind in ("less_than", "less_than_equal") and limit == 1 and isinstance(raw, (int, float)) and raw >= 1:
        return (f"{raw:g} would be {raw:.0%}: this is a share, written as a fraction of 1 (for {raw:g}% write "
                f"{raw / 100:g}).")
    match = _PERCENT_TEXT.match(raw) if kind == "float_parsing" and isinstance(raw, str) else None
    if match:
        number = float(match.group(1))
        return f"'{raw.strip()}' is a percentage: write it as a fraction of 1 ({number / 100:g} for {number:g}%)."
    return ""


def _message(error: dict, root: type[BaseModel], kinds: Kinds) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1], kinds)
        allowed = _allowed_keys(model) if model else []
        hint = did_you_mean(str(loc[-1]), allowed) if allowed else ""
        listed = f" Keys allowed here: {', '.join(allowed)}." if allowed else ""
        return f"unknown key '{loc[-1]}'.{hint}{listed}"
    if kind == "missing":
        return f"missing required key '{loc[-1]}'."
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        names = list(kinds.get(loc[0], {})) if loc else []
        entry = str(loc[0]).rstrip("s") if loc else "entry"
        tag = error.get("ctx", {}).get("tag")
        known = ", ".join(names)
        if tag is None:
            return f"this {entry} has no 'kind'. Add kind: one of {known}."
        return f"unknown {entry} kind '{tag}'.{did_you_mean(str(tag), names)} Use one of: {known}."
    if kind == "invalid_key" and isinstance(error.get("input"), (int, float)):
        return ("one of its keys is a number: inside {...} a comma ends an entry, so a number "
                "written with a thousands comma, such as count: 8,000, is read as 8 and a key 000. Write it without "
                "the comma (count: 8000) or in quotes (count: \"8,000\").")
    share = _share_hint(error)
    if share:
        return share
    message = str(error["msg"]).removeprefix("Value error, ")
    first_word = message.split(" ", 1)[0]
    if "_" not in first_word:  # keep key names such as p95_daily_miles as written
        message = message[0].upper() + message[1:]
    return message + ("" if message.endswith(".") else ".")


def validation_error(error: ValidationError, *, source: Path, lines: Mapping[tuple, int], root: type[BaseModel],
                     prefix: str = "", kinds: Kinds | None = None,
                     error_class: type[CrimecastError] = SpecFileError) -> CrimecastError:
    """One plain error from pydantic's list: file, line (or ``prefix``, e.g. a CSV row), key path and the fix.

    Parameters
    ----------
    error
        What pydantic raised.
    source, lines
        The file and its ``{key path: line}`` map (empty for a CSV row).
    root
        The model the whole document (or row) was validated against.
    prefix
        Where in the file when there are no lines (``"row 3"``).
    kinds
        Lists whose entries are told apart by ``kind`` (see :data:`Kinds`).
    error_class
        The exception class to return.

    Returns
    -------
    CrimecastError
        To be raised by the caller (``raise validation_error(...) from None``).
    """
    kinds = kinds or {}
    # An unknown key usually explains a "missing" one beside it (a typo), so say it first.
    first = min(error.errors(), key=lambda e: e["type"] != "extra_forbidden")
    clean = _clean_loc(first["loc"], kinds)
    if first["type"] == "invalid_key":  # the key is not written as pydantic names it (8,000's 000 is read as 0)
        clean = clean[:-1]
    line = lines.get(clean) or lines.get(clean[:-1])
    where = f"{source} line {line}" if line else f"{source} {prefix}".rstrip()
    more = len(error.errors()) - 1
    tail = f" ({more} more problem{'s' if more > 1 else ''} after this one.)" if more else ""
    key = _key_path(clean) if clean else ""
    return error_class(f"{where}: {key + ': ' if key else ''}{_message(first, root, kinds)}{tail}")


# ---------------------------------------------------------------- loading

def load_yaml_model(path: Path, model: type[BaseModel], *, what: str, error: type[CrimecastError] = SpecFileError,
                    hint: str = "or start from a shipped example", kinds: Kinds | None = None) -> BaseModel:
    """Read ``path`` safely and validate it against ``model``; errors name the file, line, key and fix.

    Parameters
    ----------
    path
        The YAML file.
    model
        The schema (a pydantic model, usually a :class:`Strict`).
    what
        What the file is, with its article (``"a fleet file"``), for messages.
    error
        The exception class to raise.
    hint
        How to get a good file, said when it does not exist.
    kinds
        Lists whose entries are told apart by ``kind`` (see :data:`Kinds`).

    Returns
    -------
    BaseModel
        The validated ``model``.
    """
    data, lines = read_yaml(path, what=what.split(" ", 1)[-1], hint=hint, error=error)
    if not isinstance(data, dict):
        empty = " is empty (or holds only comments)" if data is None else ""
        raise error(f"{path}{empty}: {what} is a YAML mapping of keys to values. Start from a shipped example "
                    "(`forecast example --list`).")
    try:
        return model.model_validate(data)
    except ValidationError as problem:
        raise validation_error(problem, source=path, lines=lines, root=model, kinds=kinds, error_class=error) from None


__all__ = ["Kinds", "Month", "Strict", "find_file", "load_yaml_model", "read_yaml", "shipped_dir", "validation_error"]

"""The scenario file: a versioned schema (pydantic), safe YAML loading and ``extends``.

A scenario is a name, a base (dataset and forecast settings) and a list of
drivers, each changing some series from some month. See
``crimecast/scenarios/template.yaml`` for every key with comments.

``extends`` merges other scenario files into this one, in order:

* ``base`` keys are taken from each parent in turn, then from this file
  (a key set later wins);
* drivers are the parents' drivers in order, then this file's; a driver with
  the same name as an earlier one replaces it where it stood;
* ``drop_drivers`` then removes drivers by name;
* ``name`` and ``description`` are this file's own.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, field_validator, model_validator

from crimecast.data.load import DEFAULT_DATASET, EMBEDDED_DATASETS
from crimecast.data.slugs import did_you_mean
from crimecast.errors import ScenarioError
from crimecast.io import read_text
from crimecast.forecast.spec import ForecastSpec
from crimecast.scenarios.values import Value, parse_value

SCHEMA_VERSION = 1
FORCE = "force"
ALL_CATEGORIES = "all"
MAX_HORIZON = 36
MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def _month(raw) -> str:
    """``'2014-04'`` from ``'2014-04'``, ``2014-04-01`` or a date."""
    if isinstance(raw, (dt.date, dt.datetime)):
        return f"{raw.year:04d}-{raw.month:02d}"
    match = _MONTH.match(str(raw).strip()) or re.match(r"^(\d{4})-(\d{1,2})-01$", str(raw).strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"expected a month written YYYY-MM (e.g. 2014-04), got {raw!r}")
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


def _calendar_month(raw) -> int:
    text = str(raw).strip().lower()
    if text[:3] in MONTH_NAMES and not text.isdigit():
        return MONTH_NAMES.index(text[:3]) + 1
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    raise ValueError(f"expected a calendar month (1-12 or a name such as Dec), got {raw!r}")


def _names(raw) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)) or not items or not all(isinstance(i, str) and i.strip() for i in items):
        raise ValueError(f"expected a name or a list of names, got {raw!r}")
    return tuple(items)


Month = Annotated[str, PlainValidator(_month)]
Fraction = Annotated[Value, PlainValidator(lambda raw: parse_value(raw, allow_percent=True))]
Count = Annotated[Value, PlainValidator(lambda raw: parse_value(raw, allow_percent=False))]
Names = Annotated[tuple[str, ...], PlainValidator(_names)]


def _change(raw) -> Value:
    """A multiplicative change (uplift, trend, seasonal): above -100%, or counts would vanish."""
    value = parse_value(raw, allow_percent=True)
    if value.bounds[0] <= -1:
        raise ValueError(f"a change of {value.bounds[0] * 100:.0f}% or less would make counts zero or negative; "
                         "use a value above -100%")
    return value


Change = Annotated[Value, PlainValidator(_change)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _Driver(_Strict):
    name: str | None = None
    category: Names
    area: Names = (FORCE,)
    start: Month | None = None  # default: the first forecast month
    end: Month | None = None
    ramp_months: int = Field(default=0, ge=0, le=MAX_HORIZON)
    evidence: str = ""

    @model_validator(mode="after")
    def _end_after_start(self):
        if self.end is not None and self.start is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    @property
    def label(self) -> str:
        """The driver's name, or one made from its kind and targets."""
        return self.name or f"{self.kind} {'+'.join(self.category)} {'+'.join(self.area)}"


class Uplift(_Driver):
    """Counts multiplied by (1 + value) once fully phased in."""

    kind: Literal["uplift"]
    value: Change


class LevelShift(_Driver):
    """``value`` crimes a month added (negative: removed) once fully phased in."""

    kind: Literal["level_shift"]
    value: Count


class Trend(_Driver):
    """Counts change by ``value`` a year, compounding monthly from ``start`` (to ``end``, then held)."""

    kind: Literal["trend"]
    value: Change

    @field_validator("ramp_months")
    @classmethod
    def _no_ramp(cls, ramp):
        if ramp:
            raise ValueError("a trend builds up month by month already; remove ramp_months")
        return ramp


class Share(_Driver):
    """A sub-population's share of the category moves from ``from`` to ``to``; the rest is unchanged."""

    kind: Literal["share"]
    part: str = "the sub-population"
    from_: Fraction = Field(alias="from")
    to: Fraction

    @field_validator("from_", "to")
    @classmethod
    def _range(cls, value):
        low, high = value.bounds
        if low < 0 or high >= 1:
            raise ValueError(f"a share must lie in [0, 1) (0% up to but not 100%), got {low:g} to {high:g}; "
                             "write e.g. 0.36 or '36%'")
        return value


class Seasonal(_Driver):
    """Counts in the given calendar months multiplied by (1 + value)."""

    kind: Literal["seasonal"]
    months: tuple[int, ...]
    value: Change

    @field_validator("months", mode="before")
    @classmethod
    def _months(cls, raw):
        items = [raw] if isinstance(raw, (str, int)) else raw
        if not isinstance(items, (list, tuple)) or not items:
            raise ValueError("expected a list of calendar months, e.g. [Nov, Dec, Jan]")
        return tuple(sorted({_calendar_month(item) for item in items}))


DRIVER_KINDS: dict[str, type[_Driver]] = {
    "uplift": Uplift, "level_shift": LevelShift, "trend": Trend, "share": Share, "seasonal": Seasonal,
}
Driver = Annotated[Union[Uplift, LevelShift, Trend, Share, Seasonal], Field(discriminator="kind")]


class Base(ForecastSpec):
    """The dataset a scenario starts from, and its forecast (the keys of :class:`~crimecast.forecast.spec.ForecastSpec`)."""

    data: str = DEFAULT_DATASET
    area: str | None = None
    horizon: int | None = Field(default=None, ge=1, le=MAX_HORIZON)  # months; None: one year


class ScenarioFile(_Strict):
    """One scenario file as written (before ``extends`` is merged)."""

    version: int = SCHEMA_VERSION
    name: str
    description: str = ""
    extends: Names | None = None
    base: Base = Base()
    drivers: list[Driver] = []
    drop_drivers: tuple[str, ...] = ()

    @field_validator("version")
    @classmethod
    def _supported(cls, version):
        if version != SCHEMA_VERSION:
            raise ValueError(f"this file is for scenario schema version {version}; this crimecast reads version "
                             f"{SCHEMA_VERSION}. Run `forecast scenario new NAME` for a current template")
        return version


@dataclass(frozen=True)
class Scenario:
    """A scenario with ``extends`` merged: what is applied to the forecast.

    Attributes
    ----------
    name, description
        As written in the file.
    base
        Dataset and forecast settings (data paths made absolute).
    drivers
        Drivers in application order, each with a unique ``label``.
    source
        The file it was read from.
    where
        Driver label -> ``"file: drivers[i]"``, for error messages.
    """

    name: str
    description: str
    base: Base
    drivers: tuple[_Driver, ...]
    source: str
    where: dict[str, str]


# ---------------------------------------------------------------- YAML, safely, with line numbers

def _line_map(node, path: tuple = (), lines: dict | None = None, *, source: str) -> dict[tuple, int]:
    """Key path -> 1-based line, refusing duplicate keys (YAML would silently keep the last)."""
    lines = {} if lines is None else lines
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise ScenarioError(f"{source} line {key_node.start_mark.line + 1}: key '{_key_path(path + (key,))}' "
                                    "appears twice. Keep one.")
            seen.add(key)
            _line_map(value_node, path + (key,), lines, source=source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, path + (index,), lines, source=source)
    return lines


def read_yaml(path: Path, *, what: str = "scenario file",
              hint: str = "or run `forecast scenario new NAME` to write a template") -> tuple[Any, dict[tuple, int]]:
    """Parse a YAML file with ``yaml.safe_load`` rules (no object construction) and map key paths to lines."""
    text = read_text(path, what=what, error=ScenarioError, hint=f"Check the path, {hint}.")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        if "constructor for the tag" in problem:
            raise ScenarioError(f"{path}{where}: YAML tags that build objects ({problem.split('tag ')[-1]}) are not "
                                f"allowed: {'an' if what[:1] in 'aeiou' else 'a'} {what} holds plain values only. Remove the tag.") from None
        raise ScenarioError(f"{path}{where}: not valid YAML ({problem}). Check indentation and that "
                            "text containing ':' or '#' is quoted.") from None
    lines = _line_map(node, source=str(path)) if node is not None else {}
    return data, lines


# ---------------------------------------------------------------- errors in plain words

def _key_path(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The schema model that the mapping at ``loc`` (a path below ``root``) is validated against."""
    model: type[BaseModel] | None = root
    parts = list(loc)
    while parts and model is not None:
        part = parts.pop(0)
        field = model.model_fields.get(part) if isinstance(part, str) else None
        if field is None:
            return None
        if part == "drivers" and model is ScenarioFile:
            model = DRIVER_KINDS.get(parts[1]) if len(parts) >= 2 else None
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


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union-tag element (``drivers.0.uplift.value`` -> ``drivers[0].value``)."""
    parts = list(loc)
    if len(parts) >= 3 and parts[0] == "drivers" and parts[2] in DRIVER_KINDS:
        del parts[2]
    return tuple(parts)


def _message(error: dict, root: type[BaseModel]) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1])
        allowed = _allowed_keys(model) if model else []
        hint = did_you_mean(str(loc[-1]), allowed) if allowed else ""
        listed = f" Keys allowed here: {', '.join(allowed)}." if allowed else ""
        return f"unknown key '{loc[-1]}'.{hint}{listed}"
    if kind == "missing":
        return f"missing required key '{loc[-1]}'."
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tag = error.get("ctx", {}).get("tag")
        known = ", ".join(DRIVER_KINDS)
        if tag is None:
            return f"this driver has no 'kind'. Add kind: one of {known}."
        return f"unknown driver kind '{tag}'.{did_you_mean(str(tag), list(DRIVER_KINDS))} Use one of: {known}."
    message = str(error["msg"]).removeprefix("Value error, ")
    first_word = message.split(" ", 1)[0]
    if "_" not in first_word:  # keep key names such as p95_daily_miles as written
        message = message[0].upper() + message[1:]
    return message + ("" if message.endswith(".") else ".")


def validation_error(error: ValidationError, *, source: Path, lines: dict[tuple, int], prefix: str = "",
                     root: type[BaseModel] | None = None) -> ScenarioError:
    """One plain error from pydantic's list: file, line (or ``prefix``, e.g. a CSV row), key path and the fix."""
    # An unknown key usually explains a "missing" one beside it (a typo), so say it first.
    first = min(error.errors(), key=lambda e: e["type"] != "extra_forbidden")
    loc = first["loc"]
    clean = _clean_loc(loc)
    line = lines.get(clean) or lines.get(clean[:-1])
    where = f"{source} line {line}" if line else f"{source} {prefix}".rstrip()
    more = len(error.errors()) - 1
    tail = f" ({more} more problem{'s' if more > 1 else ''} after this one.)" if more else ""
    root = root or ScenarioFile
    key = _key_path(clean) if clean else ""
    return ScenarioError(f"{where}: {key + ': ' if key else ''}{_message(first, root)}{tail}")


# ---------------------------------------------------------------- loading

def find_file(path: str | Path, folder: Path) -> Path:
    """``path`` as given, or the shipped file of that name (without ``.yaml``) in ``folder``."""
    path = Path(path)
    shipped = folder / f"{path.name}.yaml"
    return shipped if not path.exists() and not path.suffix and shipped.exists() else path


def load_yaml_model(path: Path, model: type[BaseModel], *, what: str) -> BaseModel:
    """Read ``path`` safely and validate it against ``model``; errors name the file, line, key and fix."""
    data, lines = read_yaml(path, what=what.split(" ", 1)[-1], hint="or start from a shipped example")
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: {what} is a YAML mapping of keys to values. Start from a shipped example.")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise validation_error(error, source=path, lines=lines, root=model) from None


# ---------------------------------------------------------------- scenarios and extends

def examples_dir() -> Path:
    """Where the shipped example scenarios are."""
    return Path(str(resources.files("crimecast.scenarios").joinpath("examples")))


def example_names() -> list[str]:
    """Names of the shipped examples (file names without ``.yaml``)."""
    return sorted(p.stem for p in examples_dir().glob("*.yaml"))


def _find_parent(name: str, *, child: Path) -> Path:
    candidate = (child.parent / name).resolve()
    if candidate.is_file():
        return candidate
    shipped = examples_dir() / f"{Path(name).stem}.yaml"
    if shipped.is_file() and not Path(name).parent.parts:
        return shipped
    raise ScenarioError(f"{child}: extends: '{name}' is neither a file next to {child.name} nor a shipped example "
                        f"({', '.join(example_names())}). Give a path relative to {child.name}.")


def read_scenario_file(path: Path) -> ScenarioFile:
    """Read and validate one file on its own (``extends`` not merged)."""
    data, lines = read_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario file is a YAML mapping with at least 'name' and 'drivers'. "
                            "Run `forecast scenario new NAME` for a template.")
    try:
        spec = ScenarioFile.model_validate(data)
    except ValidationError as error:
        raise validation_error(error, source=path, lines=lines) from None
    _check_unique_labels(spec.drivers, source=path, lines=lines)
    return _with_absolute_data(spec, path)


def _check_unique_labels(drivers: list, *, source: Path, lines: dict) -> None:
    seen: dict[str, int] = {}
    for index, driver in enumerate(drivers):
        if driver.label in seen:
            line = lines.get(("drivers", index))
            raise ScenarioError(f"{source}{f' line {line}' if line else ''}: drivers[{index}]: two drivers are both "
                                f"called '{driver.label}' (also drivers[{seen[driver.label]}]). Give each a distinct name.")
        seen[driver.label] = index


def _with_absolute_data(spec: ScenarioFile, path: Path) -> ScenarioFile:
    if "data" not in spec.base.model_fields_set or spec.base.data in EMBEDDED_DATASETS:
        return spec
    data = (path.parent / spec.base.data).resolve()
    if not data.exists():
        return spec  # not a file beside the scenario: a stored dataset's name (or a clear error when read)
    base = spec.base.model_copy(update={"data": str(data)})
    return spec.model_copy(update={"base": base})


def _merge(files: list[tuple[ScenarioFile, Path]]) -> tuple[dict, list, dict[str, str]]:
    """Base keys, drivers and where each driver came from, merged in order."""
    base: dict = {}
    drivers: dict[str, Any] = {}
    where: dict[str, str] = {}
    for spec, path in files:
        base.update({key: getattr(spec.base, key) for key in spec.base.model_fields_set})
        for index, driver in enumerate(spec.drivers):
            drivers[driver.label] = driver  # same label: replaced where it stood (dict keeps first position)
            where[driver.label] = f"{path}: drivers[{index}]"
        for name in spec.drop_drivers:
            if name not in drivers:
                raise ScenarioError(f"{path}: drop_drivers: no driver called '{name}' to drop."
                                    f"{did_you_mean(name, list(drivers))} Drivers so far: {', '.join(drivers) or 'none'}.")
            del drivers[name]
    return base, list(drivers.values()), where


def _collect(path: Path, chain: tuple[Path, ...]) -> list[tuple[ScenarioFile, Path]]:
    """This file's ancestors (depth first, in ``extends`` order) then the file itself."""
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain[chain.index(path):], path))
        raise ScenarioError(f"{chain[-1]}: extends: scenarios extend each other in a circle ({cycle}). "
                            "Remove one of the extends entries.")
    spec = read_scenario_file(path)
    ordered: list[tuple[ScenarioFile, Path]] = []
    for parent in spec.extends or ():
        ordered += _collect(_find_parent(parent, child=path), (*chain, path))
    return [*ordered, (spec, path)]


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file, merge what it ``extends`` and validate it.

    Parameters
    ----------
    path
        A YAML file, or the name of a shipped example (see ``example_names``).

    Returns
    -------
    Scenario
        Drivers in application order, base settings merged.

    Raises
    ------
    ScenarioError
        Naming the file, line and key path at fault and the fix: malformed
        YAML, unknown keys or kinds, values out of range, cyclic ``extends``.
        Checks against the data (categories, months) happen in
        :func:`crimecast.scenarios.resolve.resolve_scenario`.
    """
    path = Path(path)
    if not path.exists() and not path.suffix and path.name in example_names():
        path = examples_dir() / f"{path.name}.yaml"
    path = path.resolve()
    files = _collect(path, ())
    base, drivers, where = _merge(files)
    own = files[-1][0]
    return Scenario(name=own.name, description=own.description, base=Base(**base), drivers=tuple(drivers),
                    source=str(path), where=where)


def month_of(text: str) -> pd.Timestamp:
    """The month-start timestamp of a ``YYYY-MM`` string from the schema."""
    return pd.Timestamp(f"{text}-01")

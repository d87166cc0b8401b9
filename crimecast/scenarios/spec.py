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

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import pandas as pd
from pydantic import Field, PlainValidator, ValidationError, field_validator, model_validator

from crimecast import specfile
from crimecast.data.load import DEFAULT_DATASET, EMBEDDED_DATASETS
from crimecast.data.slugs import did_you_mean
from crimecast.errors import ScenarioError
from crimecast.forecast.spec import ForecastSpec
from crimecast.scenarios.values import Count, Fraction, Value, parse_value
from crimecast.specfile import Month, Strict, read_yaml, shipped_dir

SCHEMA_VERSION = 1
FORCE = "force"
ALL_CATEGORIES = "all"
MAX_HORIZON = 36
MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


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


Names = Annotated[tuple[str, ...], PlainValidator(_names)]


def _change(raw) -> Value:
    """A multiplicative change (uplift, trend, seasonal): above -100%, or counts would vanish."""
    value = parse_value(raw, change="the counts it changes")
    if value.bounds[0] <= -1:
        raise ValueError(f"a change of {value.bounds[0] * 100:.0f}% or less would make counts zero or negative; "
                         "use a value above -100%")
    return value


Change = Annotated[Value, PlainValidator(_change)]


class _Driver(Strict):
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


class ScenarioFile(Strict):
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
    data_where
        The file and key that name ``base.data`` (``"file: base.data"``, that of the file ``extends`` took it from),
        for error messages; empty when no file names it.
    """

    name: str
    description: str
    base: Base
    drivers: tuple[_Driver, ...]
    source: str
    where: dict[str, str]
    data_where: str = ""


# ---------------------------------------------------------------- reading one file

_KINDS = {"drivers": DRIVER_KINDS}
_HINT = "or run `forecast scenario new NAME` to write a template"


def validation_error(error: ValidationError, *, source: Path, lines: dict[tuple, int]) -> ScenarioError:
    """One plain :class:`ScenarioError` from pydantic's list (see :func:`crimecast.specfile.validation_error`)."""
    return specfile.validation_error(error, source=source, lines=lines, root=ScenarioFile, kinds=_KINDS,
                                     error_class=ScenarioError)


# ---------------------------------------------------------------- scenarios and extends

def examples_dir() -> Path:
    """Where the shipped example scenarios are."""
    return shipped_dir("crimecast.scenarios", "examples")


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
    data, lines = read_yaml(path, what="scenario file", hint=_HINT, error=ScenarioError)
    if not isinstance(data, dict):
        empty = " is empty (or holds only comments)" if data is None else ""
        raise ScenarioError(f"{path}{empty}: a scenario file is a YAML mapping with at least 'name' and 'drivers'. "
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
    data_where = next((f"{file}: base.data" for spec, file in reversed(files) if "data" in spec.base.model_fields_set), "")
    return Scenario(name=own.name, description=own.description, base=Base(**base), drivers=tuple(drivers),
                    source=str(path), where=where, data_where=data_where)


def month_of(text: str) -> pd.Timestamp:
    """The month-start timestamp of a ``YYYY-MM`` string from the schema."""
    return pd.Timestamp(f"{text}-01")

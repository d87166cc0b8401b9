"""ForecastSpec: the one description of a forecast, validated once, with the one set of defaults.

Scenario files (``base:``), plan files (``forecast:``), Community Safety Fund
assumptions (``forecast:``) and the command line all describe a forecast
with these keys::

    model: crimecast        # one of crimecast, prophet, prophet-default, ets, seasonal-naive
    paths: 1000             # simulated sample paths per series (100 to 100,000)
    seed: 2014              # the same seed gives the same paths
    steps: true             # model confirmed step changes as level shifts
    drift: true             # carry a quarter of last year's dataset-wide forecast error forward (crimecast model)
    as_of: 2014-03          # last month of data used (default: the data's last month)
    horizon: 12             # periods ahead (default: one year, 12 months or 4 quarters)
    known_changes:          # recording-rule changes and the like, always treated as steps
      - {month: 2013-04, description: reporting push, category: violence-with-injury}
    exceptional:            # temporary periods (e.g. lockdowns) kept out of the pattern
      - {start: 2020-04, end: 2020-06, label: first lockdown}
    # or a shipped calendar's name (exceptional: covid-uk, the default), or exceptional: none

Every default comes from :mod:`crimecast.defaults`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Annotated, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, field_validator

from crimecast.data.exceptional import ExceptionalPeriod
from crimecast.data.known_changes import KnownChange
from crimecast.data.slugs import did_you_mean, slugify
from crimecast.errors import UsageError
from crimecast.specfile import Month, month_text
from crimecast.defaults import (DEFAULT_EXCEPTIONAL, DEFAULT_MODEL, DEFAULT_PATHS, DEFAULT_SEED, MAX_HORIZON,
                                MODEL_NAMES, NO_EXCEPTIONAL)

MIN_PATHS, MAX_PATHS = 100, 100_000
SPEC_KEYS = ("model", "paths", "seed", "steps", "drift", "as_of", "horizon", "known_changes", "exceptional")
# The settings only the default model has (its Prophet member's level shifts; the dataset drift): the command-line
# switch that turns each off, and what the default model does with it.
DEFAULT_ONLY: dict[str, tuple[str, str]] = {"steps": ("--no-steps", "models step changes as level shifts"),
                                            "drift": ("--no-drift", "carries the dataset drift")}
# The command-line option of each forecast setting a command may be given (``False`` of a switch: it was given).
OPTIONS: dict[str, str] = {"model": "--model", "paths": "--paths", "seed": "--seed",
                           **{name: flag for name, (flag, _) in DEFAULT_ONLY.items()},
                           "known_changes": "--known-changes", "exceptional": "--exceptional"}
# The options that say how forecasts are run (worker processes, a Dask cluster), not what they are: unused, like the
# settings, where nothing is forecast.
RUN_OPTIONS: dict[str, str] = {"jobs": "--jobs", "scheduler": "--scheduler"}


def _timestamp(raw) -> pd.Timestamp:
    return pd.Timestamp(f"{month_text(raw)}-01")


def _mapping(raw, kind: str, keys: tuple[str, ...], required: tuple[str, ...]) -> dict:
    if not isinstance(raw, dict):
        raise ValueError(f"each {kind} is a mapping with keys {', '.join(keys)}, got {raw!r}")
    unknown = [k for k in raw if k not in keys]
    if unknown:
        raise ValueError(f"unknown key '{unknown[0]}' in a {kind}.{did_you_mean(str(unknown[0]), list(keys))} "
                         f"Keys allowed: {', '.join(keys)}")
    missing = [k for k in required if raw.get(k) in (None, "")]
    if missing:
        raise ValueError(f"a {kind} needs '{missing[0]}'")
    return raw


def _known_change(raw) -> KnownChange:
    if isinstance(raw, KnownChange):
        return raw
    raw = _mapping(raw, "known change", ("month", "description", "category", "area"), ("month", "description"))
    return KnownChange(month=_timestamp(raw["month"]), description=str(raw["description"]).strip(),
                       category=slugify(str(raw.get("category") or "")) or None,
                       area=slugify(str(raw.get("area") or "")) or None)


def _exceptional(raw) -> ExceptionalPeriod:
    if isinstance(raw, ExceptionalPeriod):
        return raw
    raw = _mapping(raw, "exceptional period", ("start", "end", "label"), ("start", "end"))
    start, end = _timestamp(raw["start"]), _timestamp(raw["end"])
    if end < start:
        raise ValueError(f"exceptional period ends ({end:%Y-%m}) before it starts ({start:%Y-%m})")
    return ExceptionalPeriod(start=start, end=end, label=str(raw.get("label") or ""))


def _items(parse):
    def validate(raw) -> tuple:
        if raw is None:
            return ()
        if not isinstance(raw, (list, tuple)):
            raise ValueError(f"expected a list, got {raw!r}")
        return tuple(parse(item) for item in raw)
    return validate


@lru_cache(maxsize=None)
def calendar_periods(name: str) -> tuple[ExceptionalPeriod, ...]:
    """The periods of a shipped calendar (``covid-uk``), or ``()`` for ``none``."""
    from crimecast.data.exceptional import calendar_names, load_exceptional

    name = name.strip()
    if name.lower() == NO_EXCEPTIONAL:
        return ()
    if name not in calendar_names():
        raise ValueError(f"unknown calendar '{name}'.{did_you_mean(name, calendar_names())} Use a shipped calendar "
                         f"({', '.join(calendar_names())}), {NO_EXCEPTIONAL}, or a list of {{start, end, label}}")
    return load_exceptional(name)


def default_exceptional() -> tuple[ExceptionalPeriod, ...]:
    """The periods every spec keeps out unless it says otherwise: ``DEFAULT_EXCEPTIONAL``'s."""
    return calendar_periods(DEFAULT_EXCEPTIONAL)


def _exceptional_items(raw) -> tuple:
    """A list of periods, or a shipped calendar's name, or ``none``."""
    return calendar_periods(raw) if isinstance(raw, str) else _items(_exceptional)(raw)


def _dump_known(changes: tuple[KnownChange, ...]) -> list[dict]:
    return [{"month": f"{c.month:%Y-%m}", "description": c.description, "category": c.category, "area": c.area}
            for c in changes]


def _dump_exceptional(periods: tuple[ExceptionalPeriod, ...]) -> list[dict]:
    return [{"start": f"{p.start:%Y-%m}", "end": f"{p.end:%Y-%m}", "label": p.label} for p in periods]


KnownChanges = Annotated[tuple, PlainValidator(_items(_known_change)), PlainSerializer(_dump_known)]
ExceptionalPeriods = Annotated[tuple, PlainValidator(_exceptional_items), PlainSerializer(_dump_exceptional)]


class ForecastSpec(BaseModel):
    """How to forecast: model, paths, seed, steps, as-of month, horizon, known changes and exceptional periods.

    Attributes
    ----------
    model
        A name from :data:`crimecast.forecast.models.MODELS`.
    paths, seed
        Sample paths per series and the random seed.
    steps
        Model confirmed step changes as level shifts (``False``: none); the default model's (its Prophet
        member's), other models never.
    drift
        Carry a share of the dataset's drift (how far last year's forecasts
        of its categories fell short, ``crimecast.forecast.drift``) into the
        default model's forecasts (``False``: none; other models never).
    as_of
        Last month of data used, ``"YYYY-MM"``; ``None``: the data's last.
    horizon
        Periods ahead (months, or quarters for quarterly data); ``None``:
        one year.
    known_changes
        Known process changes (:class:`~crimecast.data.known_changes.KnownChange`).
    exceptional
        Exceptional periods (:class:`~crimecast.data.exceptional.ExceptionalPeriod`),
        kept out of fitting (see ``CrimeForecaster``); default: the
        ``DEFAULT_EXCEPTIONAL`` calendar (``covid-uk``), which changes only
        series that span 2020-21; ``()`` (``none`` in a file) keeps every month in.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    model: str = DEFAULT_MODEL
    paths: int = Field(default=DEFAULT_PATHS, ge=MIN_PATHS, le=MAX_PATHS)
    seed: int = DEFAULT_SEED
    steps: bool = True
    drift: bool = True
    as_of: Month | None = None
    horizon: int | None = Field(default=None, ge=1, le=MAX_HORIZON)
    known_changes: KnownChanges = ()
    exceptional: ExceptionalPeriods = Field(default_factory=default_exceptional)

    @field_validator("model")
    @classmethod
    def _known_model(cls, model: str) -> str:
        if model not in MODEL_NAMES:
            raise ValueError(f"unknown model '{model}'.{did_you_mean(model, list(MODEL_NAMES))} "
                             f"Use one of: {', '.join(MODEL_NAMES)}")
        return model

    @property
    def as_of_month(self) -> pd.Timestamp | None:
        """``as_of`` as a month-start timestamp."""
        return None if self.as_of is None else pd.Timestamp(f"{self.as_of}-01")

    def forecast_spec(self) -> "ForecastSpec":
        """Just the forecast settings (a file's section may add keys such as ``data``)."""
        return ForecastSpec(**{key: getattr(self, key) for key in SPEC_KEYS})

    def updated(self, **changes: Any) -> "ForecastSpec":
        """A copy with ``changes`` (``None`` values ignored), validated again.

        Raises
        ------
        crimecast.errors.UsageError
            When a value is not valid (one line naming the key).
        """
        from pydantic import ValidationError

        from crimecast.errors import UsageError

        given = {k: v for k, v in changes.items() if v is not None}
        if not given:
            return self
        values = {key: getattr(self, key) for key in type(self).model_fields}
        try:
            return type(self)(**{**values, **given})
        except ValidationError as error:
            first = error.errors()[0]
            key = ".".join(str(p) for p in first["loc"])
            raise UsageError(f"{key}: {str(first['msg']).removeprefix('Value error, ')}.") from None

    @property
    def switched_off(self) -> list[str]:
        """The defaults this forecast goes without: ``["steps off", "drift off"]`` (only for the default model, the
        one that has them)."""
        return self.switched_off_for((self.model,))

    def switched_off_for(self, models: Sequence[str]) -> list[str]:
        """The defaults forecasts by ``models`` (a backtest's) go without: ``["steps off", "drift off"]`` when the
        default model is among them (steps and drift are its own, :data:`DEFAULT_ONLY`), else none."""
        if DEFAULT_MODEL not in models:
            return []
        return [f"{name} off" for name in DEFAULT_ONLY if not getattr(self, name)]

    def describe(self, *, paths_word: str = "paths") -> str:
        """``"crimecast, 1,000 paths, seed 2014"`` (and steps or drift off, when they are); ``paths_word`` names the paths."""
        return ", ".join([f"{self.model}", f"{self.paths:,} {paths_word}", f"seed {self.seed}", *self.switched_off])


def forecast_spec(*, model: str | None = None, paths: int | None = None, seed: int | None = None,
                  steps: bool | None = None, drift: bool | None = None, as_of: str | None = None, horizon: int | None = None,
                  known_changes: tuple | None = None, exceptional: tuple | None = None, base: ForecastSpec | None = None) -> ForecastSpec:
    """A spec from command-line options: ``base`` (default: every default) with the options given.

    Raises
    ------
    crimecast.errors.UsageError
        For a value that is not valid.

    ``exceptional=None`` keeps ``base``'s periods (by default the
    ``DEFAULT_EXCEPTIONAL`` calendar); ``()`` keeps every month in.
    """
    return (base or ForecastSpec()).updated(model=model, paths=paths, seed=seed, steps=steps, drift=drift, as_of=as_of,
                                            horizon=horizon, known_changes=tuple(known_changes or ()) or None,
                                            exceptional=None if exceptional is None else tuple(exceptional))


def refuse_unused(given: dict, *, where: str, why: str, instead: str = "",
                  names: Sequence[str] = tuple(OPTIONS)) -> None:
    """Refuse the options in ``given`` that a command would leave unused, rather than leave them unused without a word.

    The one wording of such a refusal: ``"--model and --no-drift have no effect with --forecast wm: the saved
    forecast's settings are used. Leave --model and --no-drift out, or forecast afresh without --forecast."``

    Parameters
    ----------
    given
        The command line's settings, as :func:`forecast_spec` takes them (``None``: not given; ``False`` where a
        switch such as ``--no-drift`` was given), and ``exceptional`` (``--exceptional``) where the command has it;
        ``jobs`` and ``scheduler`` (:data:`RUN_OPTIONS`) where the command is asked how to run its forecasts.
    where, why, instead
        Where they have no effect (``"with --no-forecast"``), why (``"nothing is forecast"``) and what to do
        instead besides leaving them out (``""``: nothing).
    names
        The keys of ``given`` to refuse when given (default: every one in :data:`OPTIONS`; those of
        :data:`RUN_OPTIONS` only when named).

    Raises
    ------
    crimecast.errors.UsageError
        Naming the options given, where and why they have no effect, and what to do instead.
    """
    options = {**OPTIONS, **RUN_OPTIONS}
    unused = [options[name] for name in names if given.get(name) is not None]
    if not unused:
        return
    flags = unused[0] if len(unused) == 1 else f"{', '.join(unused[:-1])} and {unused[-1]}"
    raise UsageError(f"{flags} {'has' if len(unused) == 1 else 'have'} no effect {where}: {why}. "
                     f"Leave {flags} out{f', or {instead}' if instead else ''}.")


def refuse_unused_switches(spec: ForecastSpec, given: dict, *, models: Sequence[str] = ()) -> None:
    """Refuse ``--no-steps`` and ``--no-drift`` when no model run has what they switch off (only the default model
    has steps and drift, :data:`DEFAULT_ONLY`), rather than leave them unused without a word (:func:`refuse_unused`).

    Parameters
    ----------
    spec
        The forecast's settings (its model, from the command line or a file).
    given
        The command line's settings, as :func:`forecast_spec` takes them (``False`` where a switch was given).
    models
        A backtest's models, run beside ``spec.model``.

    Raises
    ------
    crimecast.errors.UsageError
        Naming the switches, the models, and what to do instead.
    """
    run = tuple(dict.fromkeys((spec.model, *models)))
    unused = [name for name in DEFAULT_ONLY if given.get(name) is False]
    if DEFAULT_MODEL in run or not unused:
        return
    named = f"the models compared ({', '.join(run)})" if models else f"the {spec.model} model"
    instead = f"add {DEFAULT_MODEL} to --models" if models else f"use --model {DEFAULT_MODEL}"
    does = " and ".join(DEFAULT_ONLY[name][1] for name in unused)
    refuse_unused(given, names=unused, where=f"with {named}", why=f"only the default model, {DEFAULT_MODEL}, {does}",
                  instead=instead)


__all__ = ["DEFAULT_ONLY", "ForecastSpec", "Month", "OPTIONS", "RUN_OPTIONS", "SPEC_KEYS", "calendar_periods", "default_exceptional",
           "forecast_spec", "month_text", "refuse_unused", "refuse_unused_switches"]

"""Fleet inputs: vehicles due for renewal (CSV), vehicle options, charge points and prices (YAML).

Validated once, with errors that name the file, row or key and the fix.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from crimecast.data.slugs import did_you_mean
from crimecast.errors import FleetFileError
from crimecast.optimise.assumptions import examples_dir
from crimecast.specfile import Strict, find_file, load_yaml_model, validation_error

KINDS = ("diesel", "petrol", "hybrid", "plug-in-hybrid", "battery-ev")
ELECTRIC = ("battery-ev",)
VEHICLE_COLUMNS = ("id", "site", "role", "mean_daily_miles", "p95_daily_miles", "dwell_hours", "current", "source")


class Vehicle(Strict):
    """One vehicle due for renewal."""

    id: str
    site: str
    role: str
    mean_daily_miles: float = Field(gt=0)
    p95_daily_miles: float = Field(gt=0)
    dwell_hours: float = Field(ge=0, le=24)
    current: str
    source: str = ""

    @model_validator(mode="after")
    def _p95_at_least_mean(self):
        if self.p95_daily_miles < self.mean_daily_miles:
            raise ValueError(f"p95_daily_miles ({self.p95_daily_miles:g}) is below mean_daily_miles "
                             f"({self.mean_daily_miles:g}); the 95th percentile of daily miles cannot be below the mean")
        return self


class Option(Strict):
    """A vehicle that can fill a renewal, bought or leased."""

    name: str
    kind: Literal["diesel", "petrol", "hybrid", "plug-in-hybrid", "battery-ev"]
    roles: tuple[str, ...]
    finance: Literal["purchase", "lease"] = "purchase"
    price: float | None = Field(default=None, ge=0)
    lease_per_year: float | None = Field(default=None, ge=0)
    residual_fraction: float = Field(default=0.0, ge=0, lt=1)
    litres_per_mile: float = Field(default=0.0, ge=0)
    kwh_per_mile: float = Field(default=0.0, ge=0)
    electric_range_miles: float = Field(default=0.0, ge=0)
    maintenance_per_mile: float = Field(default=0.0, ge=0)
    co2_g_per_mile: float = Field(default=0.0, ge=0)
    evidence: str = ""

    @model_validator(mode="after")
    def _consistent(self):
        if self.finance == "purchase" and self.price is None:
            raise ValueError(f"option '{self.name}' is bought, so it needs price")
        if self.finance == "lease" and self.lease_per_year is None:
            raise ValueError(f"option '{self.name}' is leased, so it needs lease_per_year")
        if self.kind in ("battery-ev", "plug-in-hybrid") and (self.kwh_per_mile <= 0 or self.electric_range_miles <= 0):
            raise ValueError(f"option '{self.name}' charges from the mains, so it needs kwh_per_mile and electric_range_miles")
        if self.kind != "battery-ev" and self.litres_per_mile <= 0:
            raise ValueError(f"option '{self.name}' burns fuel, so it needs litres_per_mile")
        return self


class ChargePoints(Strict):
    cost_per_point: float = Field(ge=0)
    grant_fraction: float = Field(default=0.0, ge=0, le=1)
    power_kw: float = Field(gt=0)
    vehicles_per_point: int = Field(default=1, ge=1)
    max_per_site: int | None = Field(default=None, ge=0)
    evidence: str = ""


# The most a price in pounds can plausibly be: above it, the price is in pence (117 for £1.17 a litre).
MOST_POUNDS = {"fuel_per_litre": ("a litre", 10.0), "electricity_per_kwh": ("a kWh", 5.0)}


class Prices(Strict):
    fuel_per_litre: float = Field(gt=0)
    electricity_per_kwh: float = Field(gt=0)
    grid_kg_co2_per_kwh: float = Field(default=0.0, ge=0)
    evidence: str = ""

    @field_validator("fuel_per_litre", "electricity_per_kwh")
    @classmethod
    def _in_pounds(cls, price: float, info) -> float:
        """A price in pence (``117``) is refused, not read as £117 a litre."""
        per, most = MOST_POUNDS[info.field_name]
        if price > most:
            raise ValueError(f"{price:g} would be £{price:,.2f} {per}: prices are in pounds, so a price in pence "
                             f"is divided by 100 ({price / 100:g} for {price:g}p)")
        return price


class Appraisal(Strict):
    years: int = Field(ge=1, le=20)
    discount_rate: float = Field(ge=0, lt=1)
    days_per_year: int = Field(ge=1, le=366)
    winter_range_derate: float = Field(ge=0, lt=1)
    emission_factor_year: str
    evidence: str = ""


class Rules(Strict):
    battery_ev_roles_excluded: tuple[str, ...] = ("24h-response",)
    co2_scope: Literal["tailpipe", "tailpipe+grid"] = "tailpipe"


class Limits(Strict):
    budget: float | None = Field(default=None, gt=0)
    co2_cap_tonnes: float | None = Field(default=None, ge=0)
    carbon_price_per_tonne: float = Field(default=0.0, ge=0)


class FleetFile(Strict):
    version: int = 1
    name: str
    description: str = ""
    vehicles: str
    options: list[Option]
    charge_points: ChargePoints
    prices: Prices
    appraisal: Appraisal
    rules: Rules = Rules()
    limits: Limits = Limits()

    @model_validator(mode="after")
    def _unique_options(self):
        names = [o.name for o in self.options]
        duplicate = next((n for n in names if names.count(n) > 1), None)
        if duplicate:
            raise ValueError(f"two options are both called '{duplicate}'; give each a distinct name")
        return self


class Fleet(BaseModel):
    """The fleet file with its vehicles read and cross-checked."""

    model_config = ConfigDict(frozen=True)

    spec: FleetFile
    vehicles: tuple[Vehicle, ...]
    source: str

    def option(self, name: str) -> Option:
        return next(o for o in self.spec.options if o.name == name)


def _read_vehicles(path: Path) -> list[Vehicle]:
    from crimecast.io import read_text

    text = read_text(path, what="vehicles file", error=FleetFileError, hint="Give its path relative to the fleet file.")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    if not rows:
        raise FleetFileError(f"{path}: no vehicles. Add a header ({', '.join(VEHICLE_COLUMNS[:-1])}) and one row per vehicle.")
    unknown = [c for c in rows[0] if c and c.strip() not in VEHICLE_COLUMNS]
    if unknown:
        raise FleetFileError(f"{path}: unknown column '{unknown[0]}'.{did_you_mean(unknown[0].strip(), list(VEHICLE_COLUMNS))} "
                             f"Vehicle columns are: {', '.join(VEHICLE_COLUMNS)}.")
    vehicles = []
    for number, row in enumerate(rows, start=2):
        clean = {k.strip(): v.strip() for k, v in row.items() if k and v is not None and v.strip() != ""}
        try:
            vehicles.append(Vehicle.model_validate(clean))
        except ValidationError as error:
            raise validation_error(error, source=path, lines={}, prefix=f"row {number}", root=Vehicle,
                                   error_class=FleetFileError) from None
    ids = [v.id for v in vehicles]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate:
        raise FleetFileError(f"{path}: vehicle id '{duplicate}' appears twice. Give each vehicle its own id.")
    return vehicles


def _cross_check(fleet_file: FleetFile, vehicles: list[Vehicle], path: Path) -> None:
    names = {o.name for o in fleet_file.options}
    for number, vehicle in enumerate(vehicles, start=2):
        if vehicle.current not in names:
            raise FleetFileError(f"{fleet_file.vehicles} row {number}: current '{vehicle.current}' is not one of the options "
                                f"in {path.name} ({', '.join(sorted(names))}).{did_you_mean(vehicle.current, sorted(names))} "
                                "The like-for-like option must be listed.")
        current = fleet_file.options[[o.name for o in fleet_file.options].index(vehicle.current)]
        if vehicle.role not in current.roles:
            raise FleetFileError(f"{fleet_file.vehicles} row {number}: role '{vehicle.role}' is not among the roles of its "
                                 f"current option '{vehicle.current}' ({', '.join(current.roles)}). "
                                 f"{_role_remedy(vehicle.role, fleet_file, current=vehicle.current)}")


def _role_remedy(role: str, fleet_file: FleetFile, *, current: str) -> str:
    """What to do about a vehicle's role its current option lacks: a role of other options (set current to one), a
    slip of the keyboard (the closest role the options have), or a new role (add it to the option's roles)."""
    holders = [o.name for o in fleet_file.options if role in o.roles]
    if holders:
        return (f"It is a role of {' and '.join(repr(h) for h in holders)}: make current one of those, or add the role "
                f"to the roles of '{current}'.")
    roles = sorted({r for o in fleet_file.options for r in o.roles})
    hint = did_you_mean(role, roles).strip()
    if hint:
        return f"No option has that role. {hint} If it is a role of its own, add it to the roles of '{current}'."
    return f"No option has that role (the roles are: {', '.join(roles)}). Add it to the roles of '{current}'."


def load_fleet(path: str | Path = "fleet-2013") -> Fleet:
    """Read a fleet file (or the shipped ``fleet-2013``) and the vehicles CSV it names.

    Raises
    ------
    FleetFileError
        Naming the file, row or key and the fix.
    """
    path = find_file(path, examples_dir())
    fleet_file = load_yaml_model(path, FleetFile, what="a fleet file", error=FleetFileError)
    vehicles = _read_vehicles((path.parent / fleet_file.vehicles).resolve())
    _cross_check(fleet_file, vehicles, path)
    return Fleet(spec=fleet_file, vehicles=tuple(vehicles), source=str(path))

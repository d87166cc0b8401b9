"""The Community Safety Fund assumptions file: fund, recipients, response curves, constraints, schemes.

Every number that is not a published figure carries ``evidence`` saying
where it comes from or that it is an assumption. See
``crimecast/optimise/examples/csf-2013-14.yaml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from crimecast.data.load import DEFAULT_DATASET, EMBEDDED_DATASETS
from crimecast.forecast.models import DEFAULT_SEED
from crimecast.errors import FundFileError
from crimecast.forecast.spec import ForecastSpec
from crimecast.scenarios.values import Count, Fraction, Value, parse_number
from crimecast.specfile import Strict, find_file, load_yaml_model, shipped_dir

SCHEMA_VERSION = 1


def _pounds_or_share(raw):
    """``250000`` (pounds) or ``"90%"`` (of last year's allocation): kept as (kind, number)."""
    if raw is None:
        return None
    if isinstance(raw, str) and raw.strip().endswith("%"):
        return ("share", parse_number(raw, allow_percent=True))
    value = parse_number(raw, allow_percent=False)
    if value < 0:
        raise ValueError(f"expected a non-negative amount in pounds or a percentage of last year, got {raw!r}")
    return ("pounds", value)


class Response(Strict):
    """How spend turns into prevented crime for one recipient (missing keys take the defaults)."""

    max_reduction: Fraction | None = None
    half_spend_per_crime: Count | None = None
    steepness: Count | None = None
    evidence: str = ""

    @field_validator("max_reduction")
    @classmethod
    def _a_share(cls, value: Value | None) -> Value | None:
        """A share of baseline crime, so below 1: a 3 (3% written as a percentage without its sign) is refused,
        not read as preventing three times the crime there is."""
        if value is None:
            return value
        reached = value.params[:1] if value.dist == "normal" else value.params  # a normal's mean; else every bound
        over = max(reached)
        if over >= 1:
            raise ValueError(f"{over:g} would prevent {over:.0%} of the baseline crime: max_reduction is the share "
                             "unlimited spending could prevent, written as a fraction below 1 "
                             f"({over / 100:g} for {over:g}%, or '{over:g}%')")
        return value


class Recipient(Strict):
    label: str | None = None
    area: str
    last_year: float = Field(ge=0)
    population: int | None = Field(default=None, ge=0)
    response: Response = Response()
    floor: tuple | None = None
    ceiling: tuple | None = None

    @field_validator("floor", "ceiling", mode="before")
    @classmethod
    def _amount(cls, raw):
        return _pounds_or_share(raw)


class BudgetSweep(Strict):
    """The budgets the budget curve is drawn at: ``low`` to ``high`` in steps of ``step`` (pounds)."""

    low: float = Field(gt=0)
    high: float = Field(gt=0)
    step: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self):
        if self.high < self.low:
            raise ValueError(f"budget_sweep.high ({self.high:,.0f}) is below budget_sweep.low ({self.low:,.0f})")
        if (self.high - self.low) / self.step > 100:
            raise ValueError("budget_sweep has more than 100 steps; use a larger step")
        return self


class Fund(Strict):
    budget: float = Field(gt=0)
    reserve: float = Field(default=0.0, ge=0)
    recipients: dict[str, Recipient]
    last_year_label: str | None = None  # the year of last_year (e.g. "2013/14"); default: the year before the forecast
    budget_sweep: BudgetSweep | None = None  # default: 85% to 120% of the budget in 12 steps
    evidence: str = ""

    def sweep(self, budget: float) -> tuple[float, float, float]:
        """(low, high, step) of the budget curve for a fund of ``budget``."""
        if self.budget_sweep is not None:
            return self.budget_sweep.low, self.budget_sweep.high, self.budget_sweep.step
        step = max(round(0.35 * budget / 12, -3), 1_000.0)
        return max(round(0.85 * budget, -3), step), round(1.2 * budget, -3), step

    @field_validator("recipients")
    @classmethod
    def _some(cls, recipients):
        if len(recipients) < 2:
            raise ValueError("an allocation needs at least two recipients")
        return recipients


class Outcome(Strict):
    categories: tuple[str, ...]
    currency: Literal["crimes", "harm", "cost"] = "crimes"
    harm_weights: dict[str, float] | None = None
    harm_source: str = ""


class Forecast(ForecastSpec):
    """The data and forecast of baseline crime (the keys of :class:`~crimecast.forecast.spec.ForecastSpec`)."""

    data: str = DEFAULT_DATASET


class Fairness(Strict):
    basis: Literal["population", "crime", "harm"] = "population"
    band: float = Field(gt=0, lt=1)


class Protected(Strict):
    recipient: str
    share: float = Field(gt=0, lt=1)


class Constraints(Strict):
    change_limit: float | None = Field(default=None, gt=0, lt=1)
    fairness: Fairness | None = None
    protected: Protected | None = None


class SchemeOption(Strict):
    name: str
    cost: float = Field(gt=0)
    crimes_prevented: float = Field(ge=0)
    category: str
    savings_per_year: float | None = Field(default=None, ge=0)
    evidence: str = ""


class Schemes(Strict):
    payback_limit_years: float | None = Field(default=None, gt=0)
    options: list[SchemeOption] = []


class Uncertainty(Strict):
    samples: int = Field(default=200, ge=10, le=5000)
    measure: Literal["mean", "cvar"] = "mean"
    cvar_alpha: float = Field(default=0.2, gt=0, le=0.5)
    stability_samples: int = Field(default=50, ge=5, le=500)
    seed: int = DEFAULT_SEED


class CsfAssumptions(Strict):
    """The whole assumptions file."""

    version: int = SCHEMA_VERSION
    name: str
    description: str = ""
    fund: Fund
    outcome: Outcome
    forecast: Forecast = Forecast()
    response: Response
    constraints: Constraints = Constraints()
    schemes: Schemes = Schemes()
    uncertainty: Uncertainty = Uncertainty()

    @model_validator(mode="after")
    def _consistent(self):
        for field_name in ("max_reduction", "half_spend_per_crime"):
            if getattr(self.response, field_name) is None:
                raise ValueError(f"response.{field_name} needs a default value")
        if self.constraints.protected and self.constraints.protected.recipient not in self.fund.recipients:
            raise ValueError(f"constraints.protected.recipient '{self.constraints.protected.recipient}' is not one of "
                             f"the recipients ({', '.join(self.fund.recipients)})")
        return self

    def response_for(self, key: str) -> dict[str, Value]:
        """A recipient's response parameters, its own overriding the defaults."""
        own = self.fund.recipients[key].response
        steepness = own.steepness or self.response.steepness or Value.fixed(1.0)
        return {"max_reduction": own.max_reduction or self.response.max_reduction,
                "half_spend_per_crime": own.half_spend_per_crime or self.response.half_spend_per_crime,
                "steepness": steepness}


def examples_dir() -> Path:
    """Where the shipped optimiser inputs (CSF assumptions, fleets) are."""
    return shipped_dir("crimecast.optimise", "examples")


DEFAULT_ASSUMPTIONS = "csf-2013-14"


def load_assumptions(path: str | Path = DEFAULT_ASSUMPTIONS) -> tuple[CsfAssumptions, str]:
    """Read and validate an assumptions file (or the shipped ``csf-2013-14``); returns it and its path.

    Raises
    ------
    FundFileError
        Naming the file, line and key path and the fix.
    """
    path = find_file(path, examples_dir())
    assumptions = load_yaml_model(path, CsfAssumptions, what="an assumptions file", error=FundFileError)
    beside = path.parent / assumptions.forecast.data
    if assumptions.forecast.data not in EMBEDDED_DATASETS and "data" in assumptions.forecast.model_fields_set \
            and beside.exists():
        forecast = assumptions.forecast.model_copy(update={"data": str((path.parent / assumptions.forecast.data).resolve())})
        assumptions = assumptions.model_copy(update={"forecast": forecast})
    return assumptions, str(path)

"""Outcome currencies: crimes prevented, harm-weighted crimes, or the social cost of crime avoided.

``crimes`` counts every prevented crime once. ``cost`` weights each by the
Home Office estimate of its economic and social cost. ``harm`` needs a
weight table supplied in the assumptions file (with its source), such as the
ONS Crime Severity Score or the Cambridge Crime Harm Index mapped to the
data's categories: crimecast ships none, because both are published per
detailed offence and mapping them to broad categories is a judgement the
user should make and state.
"""

from __future__ import annotations

from dataclasses import dataclass

CRIMES, HARM, COST = "crimes", "harm", "cost"
CURRENCIES = (CRIMES, HARM, COST)

UNIT_COST_SOURCE = (
    "Home Office, The economic and social costs of crime, second edition (Heeks, Reed, Tafsiri and Prince, "
    "Research Report 99, July 2018), Table 1, unit costs in 2015/16 prices. Mapping to crimecast categories is an "
    "ASSUMPTION: burglary-dwelling = domestic burglary; vehicle-crime = theft from vehicle (the most common vehicle "
    "offence; theft of a vehicle costs far more, so this understates vehicle crime); criminal-damage = criminal "
    "damage other than arson. Categories without a unit cost (business crimes, 'other') count nothing in this currency."
)
# Pounds per crime, 2015/16 prices (see UNIT_COST_SOURCE).
UNIT_COSTS: dict[str, float] = {
    "violence-with-injury": 14_050,
    "violence-without-injury": 5_930,
    "robbery": 11_320,
    "burglary-dwelling": 5_930,
    "vehicle-crime": 870,
    "criminal-damage": 1_350,
}
UNITS = {CRIMES: "crimes prevented", HARM: "harm-weighted crimes prevented", COST: "£ social cost avoided"}


@dataclass(frozen=True)
class Weights:
    """Per-category weights for one currency, with where they come from."""

    currency: str
    values: dict[str, float]
    source: str

    def of(self, category: str) -> float:
        return self.values.get(category, 1.0 if self.currency == CRIMES else 0.0)

    @property
    def unit(self) -> str:
        return UNITS[self.currency]


def weights_for(currency: str, *, harm: dict[str, float] | None = None, harm_source: str = "") -> Weights:
    """The weight table for ``currency``.

    Raises
    ------
    ValueError
        For ``harm`` without a supplied table (say how to add one).
    """
    if currency == CRIMES:
        return Weights(CRIMES, {}, "every crime counts once")
    if currency == COST:
        return Weights(COST, dict(UNIT_COSTS), UNIT_COST_SOURCE)
    if currency == HARM:
        if not harm:
            raise ValueError("the harm currency needs a weight table: add outcome.harm_weights {category: weight} and "
                             "outcome.harm_source (e.g. ONS Crime Severity Score weights mapped to your categories) "
                             "to the assumptions file")
        return Weights(HARM, dict(harm), harm_source or "supplied in the assumptions file (no source given)")
    raise ValueError(f"unknown currency '{currency}'; use one of {', '.join(CURRENCIES)}")

"""What a rate's numerator and denominator are called: the words its labels and sentences use.

A rate's two counts are named by the rates file's own columns (``--numerator-col dwelling
--denominator-col burglaries``), kept with the dataset in the store, so charts say "%
dwelling (of burglaries)"; columns called ``satisfied`` and ``surveyed`` are victim
satisfaction, in its own words (:data:`SATISFACTION`). A module of its own so that the
store, which keeps the names, and the rates reader, which saves them, both use it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crimecast.data.slugs import slugify


@dataclass(frozen=True)
class RateWords:
    """What a rate's numerator and denominator are called, for chart labels and sentences.

    Attributes
    ----------
    numerator, denominator
        The names of the two counts (the rates file's column names): ``"dwelling"`` and ``"burglaries"``.
    unit
        What the denominator counts, as a plural noun: "a typical month's burglaries", "200 burglaries a month"
        (by default the denominator's name; ``"surveys"`` for satisfaction).
    whole
        The denominator after "of": "% dwelling (of burglaries)" (by default the denominator's name;
        ``"those surveyed"`` for satisfaction).
    sampling
        The sampling the rates' limits and intervals allow for: "months vary no more than binomial sampling explains"
        (``"survey sampling"`` for satisfaction).
    name
        What the rate is, in a note: "rate milestones (dwelling / burglaries)" (by default :attr:`ratio`;
        ``"satisfaction"``).
    series
        What its monthly counts are, before "series": "forecast afresh from their rate series" (``"survey"``).
    those
        The numerator's count, in an import error: "--numerator-col for dwelling" (by default the numerator's name;
        ``"those satisfied"``).
    nobody
        A denominator of 0, in an import error: "(no burglaries)" (``"nobody surveyed"``).
    number
        What a denominator row must give instead: "the number of burglaries (> 0)" (``"the number surveyed"``).
    """

    numerator: str = "numerator"
    denominator: str = "denominator"
    unit: str | None = None
    whole: str | None = None
    sampling: str = "binomial sampling"
    name: str | None = None
    series: str = "rate"
    those: str | None = None
    nobody: str | None = None
    number: str | None = None

    def __post_init__(self) -> None:
        defaults = {"unit": self.denominator, "whole": self.denominator, "name": self.ratio, "those": self.numerator,
                    "nobody": f"no {self.denominator}", "number": f"the number of {self.denominator}"}
        for field_name, default in defaults.items():
            object.__setattr__(self, field_name, getattr(self, field_name) or default)

    @property
    def ratio(self) -> str:
        """``"dwelling / burglaries"``."""
        return f"{self.numerator} / {self.denominator}"

    @property
    def axis(self) -> str:
        """The rate's axis in words, as ``--json`` gives it: ``"% dwelling (of burglaries)"``,
        ``"% satisfied (of those surveyed)"``."""
        return f"% {self.numerator} (of {self.whole})"

    @property
    def chart_axis(self) -> str:
        """A chart's y-axis title, whose ticks carry the unit (``85%``): ``"satisfied (of those surveyed)"``."""
        return f"{self.numerator} (of {self.whole})"

    @property
    def year_axis(self) -> str:
        """A rate milestone chart's y-axis title (its ticks read ``85%``): ``"dwelling, year to date"``."""
        return f"{self.numerator}, year to date"

    def as_json(self) -> dict:
        """For ``--json``: the numerator's and denominator's names, the ratio and the chart axis.

        ``denominator`` is what a forecast's ``denominator`` column counts (burglaries, for a share of burglaries).
        """
        return {"numerator": self.numerator, "denominator": self.denominator, "ratio": self.ratio, "axis": self.axis}


SATISFACTION = RateWords("satisfied", "surveyed", unit="surveys", whole="those surveyed", sampling="survey sampling",
                         name="satisfaction", series="survey", those="those satisfied", nobody="nobody surveyed",
                         number="the number surveyed")


def rate_words(numerator: str | None = None, denominator: str | None = None) -> RateWords:
    """The words of a rate whose counts are called ``numerator`` and ``denominator`` (a rates file's columns).

    ``satisfied`` and ``surveyed`` (any case) are victim satisfaction, in its own words (:data:`SATISFACTION`); no
    names (a dataset stored before the names were kept) give ``numerator`` and ``denominator``.
    """
    if not numerator or not denominator:
        return RateWords()
    if (slugify(numerator), slugify(denominator)) == (SATISFACTION.numerator, SATISFACTION.denominator):
        return SATISFACTION
    return RateWords(str(numerator).strip(), str(denominator).strip())


def words_of(rates: pd.DataFrame | None) -> RateWords:
    """The words of a rates table (``attrs['words']``), or of a rate series (:func:`rate_series` copies them)."""
    words = None if rates is None else rates.attrs.get("words")
    return words if isinstance(words, RateWords) else RateWords()


__all__ = ["RateWords", "SATISFACTION", "rate_words", "words_of"]

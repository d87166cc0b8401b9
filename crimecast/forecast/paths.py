"""ForecastResult: predictive sample paths and what is read off them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crimecast.data.calendar import financial_year_label, financial_year_periods, financial_year_start
from crimecast.data.frequency import Frequency
from crimecast.forecast.cores import series_frequency

INTERVAL_LEVELS: tuple[float, ...] = (0.8, 0.95)


def interval_columns(values: np.ndarray, levels: tuple[float, ...]) -> dict[str, np.ndarray]:
    """Mean, median and central intervals of ``values`` (paths along axis 0)."""
    columns = {"mean": values.mean(axis=0), "median": np.median(values, axis=0)}
    tails = [(1 - level) / 2 for level in levels]
    bounds = np.quantile(values, [q for tail in tails for q in (tail, 1 - tail)], axis=0)  # one partition for all
    for i, level in enumerate(levels):
        pct = round(level * 100)
        columns[f"lo{pct}"], columns[f"hi{pct}"] = bounds[2 * i], bounds[2 * i + 1]
    return columns


@dataclass
class ForecastResult:
    """A forecast of one series as predictive sample paths.

    Attributes
    ----------
    category, area
        The series forecast.
    model
        Name of the model that made the paths.
    history
        Observed counts indexed by month start, or by quarter start for
        quarterly data (its index ``freq`` says which).
    paths
        Array (n_paths, horizon) of simulated counts per period (month or
        quarter), never negative. Scenarios and milestone probabilities are
        computed on these.
    notes
        Automatic decisions and warnings, each saying how to override it.
    left_out
        The parts of a total whose counts stop before the forecast begins
        (:class:`crimecast.forecast.compared.StoppedPart`): they add 0 to its
        paths, so a year's change on the year before leaves them out of both
        years (:meth:`compared_without`).
    whole_title
        What titles call the data's whole (area ``force``) when it is one named force
        (:func:`crimecast.data.series.whole_title`); empty: "force-wide".
    """

    category: str
    area: str
    model: str
    history: pd.Series
    paths: np.ndarray
    notes: list[str] = field(default_factory=list)
    left_out: tuple = ()
    whole_title: str = ""

    @property
    def frequency(self) -> Frequency:
        """Months or quarters: the frequency of the history."""
        return series_frequency(self.history)

    @property
    def months(self) -> pd.DatetimeIndex:
        """The forecast periods (month starts, or quarter starts for quarterly data)."""
        frequency = self.frequency
        return frequency.range(frequency.next(self.history.index[-1]), periods=self.paths.shape[1])

    @property
    def horizon(self) -> int:
        return self.paths.shape[1]

    def quantiles(self, probabilities: list[float] | tuple[float, ...]) -> pd.DataFrame:
        """Quantiles of the paths per period: one column per probability."""
        values = np.quantile(self.paths, probabilities, axis=0).T
        return pd.DataFrame(values, index=self.months, columns=list(probabilities))

    def monthly_table(self, *, levels: tuple[float, ...] = INTERVAL_LEVELS) -> pd.DataFrame:
        """Month (the period's first month), mean, median and ``lo80``/``hi80``/``lo95``/``hi95`` interval columns."""
        table = pd.DataFrame(interval_columns(self.paths, levels), index=self.months)
        table.index.name = "month"
        return table.reset_index()

    def year_total_paths(self, start_year: int) -> np.ndarray | None:
        """Paths of the financial-year total, actuals for observed periods.

        A year is its 12 months, or its 4 quarters for quarterly data.
        Returns ``None`` when the year is not covered by history plus forecast.
        """
        months = financial_year_periods(start_year, self.frequency)
        observed = self.history.reindex(months)
        forecast_months = self.months
        in_forecast = months.isin(forecast_months)
        if not (observed.notna() | in_forecast).all():
            return None
        actual = float(observed.fillna(0).sum())
        columns = forecast_months.isin(months[in_forecast & observed.isna()])
        return actual + self.paths[:, columns].sum(axis=1)

    def compared_without(self, start_year: int) -> tuple:
        """The stopped parts (``left_out``) that financial year ``start_year``'s change on the year before leaves
        out of both years: those that counted crimes in either."""
        from crimecast.forecast.compared import counted_in

        if not self.left_out:
            return ()
        frequency = self.frequency
        years = financial_year_periods(start_year - 1, frequency).union(financial_year_periods(start_year, frequency))
        return counted_in(self.left_out, years)

    def compared(self, start_year: int) -> "ForecastResult":
        """This forecast as financial year ``start_year`` is compared with the year before: the history without the
        parts :meth:`compared_without` leaves out (the paths already add 0 for them)."""
        from crimecast.forecast.compared import without

        parts = self.compared_without(start_year)
        if not parts:
            return self
        return ForecastResult(category=self.category, area=self.area, model=self.model,
                              history=without(self.history, parts), paths=self.paths, notes=self.notes,
                              whole_title=self.whole_title)

    def financial_years(self, *, levels: tuple[float, ...] = INTERVAL_LEVELS) -> pd.DataFrame:
        """Totals for each financial year the forecast touches and fully covers.

        Columns: ``financial_year``, ``months_forecast`` (months of the year
        that are forecast: 3 per quarter for quarterly data),
        ``previous_actual`` (the year before, where fully observed, as it is compared: without the parts that stop,
        :meth:`compared_without`), ``mean``, ``median`` (the year's total on the same basis: a stopped part's counts
        in the year's observed periods are left out too),
        intervals, and the same for the change on the previous year
        (``change_mean``, ``change_lo80``, ...), as fractions.
        """
        # Tables, files and summaries all ask for these: worked out once for these very paths and history.
        cached = self.__dict__.get("_years")
        if cached is not None and cached[0] is self.paths and cached[1] is self.history and cached[2] == tuple(levels):
            return cached[3].copy()
        table = self._financial_years(levels)
        self.__dict__["_years"] = (self.paths, self.history, tuple(levels), table)
        return table.copy()

    def _financial_years(self, levels: tuple[float, ...]) -> pd.DataFrame:
        rows = []
        frequency = self.frequency
        years = sorted({financial_year_start(m) for m in self.months})
        for start in years:
            compared = self.compared(start)  # without the parts that stop, in both years (like with like)
            totals = compared.year_total_paths(start)
            if totals is None:
                continue
            forecast = int(self.months.isin(financial_year_periods(start, frequency)).sum())
            row = {"financial_year": financial_year_label(start), "months_forecast": forecast * frequency.months_per_period}
            total_columns = interval_columns(totals[:, None], levels)
            row.update({k: v.item() for k, v in total_columns.items()})
            previous = compared.history.reindex(financial_year_periods(start - 1, frequency))
            row["previous_actual"] = float(previous.sum()) if previous.notna().all() else np.nan
            if previous.notna().all() and previous.sum() > 0:
                change = totals / previous.sum() - 1
                row.update({f"change_{k}": v.item() for k, v in interval_columns(change[:, None], levels).items()})
            else:  # no year before, or no crimes in it: a change is not defined
                row.update({f"change_{k}": np.nan for k in total_columns})
            rows.append(row)
        return pd.DataFrame(rows)

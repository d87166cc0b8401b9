"""The p-chart, and Laney's p' chart when the months vary more than sampling explains."""

import numpy as np
import pandas as pd
import pytest

from crimecast.data.rates import SATISFACTION, embedded_rates, rate_series
from crimecast.errors import DataError
from crimecast.forecast.pchart import LANEY, PLAIN, describe_p_chart, p_chart


def test_a_start_after_the_rates_end_names_their_last_month():
    with pytest.raises(DataError, match="--from 2030-01 is after the data ends \\(its last month is 2014-03\\)"):
        p_chart(_series(0.0), start=pd.Timestamp("2030-01-01"))


def _series(logit_sd: float, *, n: int = 500, months: int = 36, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = 1 / (1 + np.exp(-(np.log(0.85 / 0.15) + rng.normal(0, logit_sd, months))))
    sizes = rng.integers(n // 2, n * 2, months)
    return pd.DataFrame({"numerator": rng.binomial(sizes, p), "denominator": sizes},
                        index=pd.date_range("2011-04-01", periods=months, freq="MS"))


def test_binomial_months_get_the_plain_p_chart_with_limits_from_each_months_surveys():
    chart = p_chart(_series(0.0), find_steps=False)
    assert chart.kind == PLAIN and not chart.periods[0].laney
    points = chart.points
    centre = points["numerator"].sum() / points["denominator"].sum()
    widest = points.loc[points["denominator"].idxmin()]
    narrowest = points.loc[points["denominator"].idxmax()]
    assert widest["upper"] - widest["lower"] > narrowest["upper"] - narrowest["lower"]
    assert widest["upper"] == pytest.approx(centre + 3 * np.sqrt(centre * (1 - centre) / widest["denominator"]))


def test_overdispersed_months_get_laney_limits_widened_by_sigma_z():
    chart = p_chart(_series(0.25), find_steps=False)
    period = chart.periods[0]
    assert chart.kind == LANEY and period.sigma_z > 1.5 and period.p_value < 0.05
    assert any("p' chart (Laney) used" in line for line in describe_p_chart(chart))
    plain_width = 3 * np.sqrt(period.centre * (1 - period.centre) / chart.points["denominator"])
    assert np.allclose(chart.points["upper"] - chart.points["centre"], np.minimum(plain_width * period.sigma_z,
                                                                                   1 - period.centre))


def test_a_rate_that_drifts_is_not_said_to_vary_no_more_than_sampling_explains():
    # 36 months drifting from 80% to 88%, each within a point of the one before: the chi-square test rejects
    # (the months stray from the average) while sigma_z (month to month) is below 1, so the plain chart is kept
    rates = np.linspace(0.80, 0.88, 36) + np.where(np.arange(36) % 2, 0.004, -0.004)
    series = pd.DataFrame({"numerator": np.round(rates * 800).astype(int), "denominator": 800},
                          index=pd.date_range("2011-04-01", periods=36, freq="MS"))
    series.attrs["words"] = SATISFACTION  # surveys: "survey sampling"
    chart = p_chart(series, find_steps=False)
    period = chart.periods[0]
    assert chart.kind == PLAIN and period.p_value < 1e-6 and period.sigma_z < 1 and period.drifting
    sentence = describe_p_chart(chart)[0]
    assert "no more than survey sampling explains" not in sentence, sentence
    assert sentence.startswith("Apr 2011 to Mar 2014: p-chart used: the months stray from the average more than survey "
                               "sampling explains (chi-square p = "), sentence
    assert f"no more than sampling does (sigma_z {period.sigma_z:.2f})" in sentence
    assert "the plain limits are kept" in sentence
    binomial = p_chart(_series(0.0), find_steps=False)  # months that vary by sampling alone keep their words
    assert not binomial.periods[0].drifting  # a rate of no named counts: its sampling is binomial, not a survey's
    assert "the months vary no more than binomial sampling explains" in describe_p_chart(binomial)[0]


def test_a_month_far_off_is_flagged_beyond_the_limits():
    series = _series(0.0)
    series.iloc[20] = [int(series.iloc[20, 1] * 0.5), series.iloc[20, 1]]
    chart = p_chart(series, find_steps=False)
    assert any(s.rule == "beyond limit" and s.month == series.index[20] for s in chart.signals)


def test_too_short_a_series_is_refused():
    with pytest.raises(DataError, match="too few for a p-chart"):
        p_chart(_series(0.0, months=8))


def test_the_embedded_asb_satisfaction_is_overdispersed():
    chart = p_chart(rate_series(embedded_rates("west-midlands"), category="satisfaction-asb", area="force"),
                    start=pd.Timestamp("2011-04-01"))
    assert chart.kind == LANEY

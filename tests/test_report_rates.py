"""Rate series rendered without a terminal: ``forecast run`` and ``forecast spc`` text as lines, and their files."""

from pathlib import Path

import pandas as pd
import pytest

from crimecast.data.rates import embedded_rates, rate_series
from crimecast.forecast.pchart import describe_p_chart, p_chart
from crimecast.forecast.rates import run_rate
from crimecast.report import rates as render
from crimecast.report.text import as_text

FOLDER = Path("out")


@pytest.fixture(scope="module")
def rates():
    return embedded_rates("west-midlands")


def test_a_rate_forecast_as_lines_and_its_csv(rates, tmp_path):
    report = run_rate(rates, category="satisfaction-crime", area="force", n_paths=200, backtest=False)
    written = render.write_rate_run_files(report, tmp_path, data_label="west-midlands (illustrative)", chart=False)
    assert [p.name for p in written] == ["satisfaction-crime_force_forecast.csv"]
    frame = pd.read_csv(written[0])
    assert len(frame) == 12 and frame["mean"].between(0, 1).all() and set(frame["data"]) == {"west-midlands (illustrative)"}
    lines = render.rate_run_text(report, data_label="west-midlands (illustrative)", folder=FOLDER, files=written)
    assert lines[0].style == "heading"
    assert "(a rate: satisfied / surveyed). Data: west-midlands (illustrative). Model:" in lines[0].text
    text = as_text(lines)
    assert "Rolling 12 months to Mar 2014: 83.8%" in text and "Backtest" not in text
    assert lines[-1].text == "\nWrote 1 file to out/ (satisfaction-crime_force_forecast.csv)."  # no "e.g." for the only file
    assert not any(line.err for line in lines)
    fig = render.rate_fan_chart(report)  # ticks read 85%: the axis title does not repeat the unit, the JSON's keeps it
    assert fig.axes[0].get_ylabel() == "satisfied (of those surveyed)"
    assert render.rate_run_json(report, data={}, rates={}, files=[])["words"]["axis"] == "% satisfied (of those surveyed)"


def test_a_p_chart_as_lines_and_its_files(rates, tmp_path):
    series = rate_series(rates, category="satisfaction-asb", area="force")
    chart = p_chart(series, start=series.index[-1] - pd.DateOffset(months=35))
    written = render.write_p_chart_files(chart, tmp_path, category="satisfaction-asb", area="force")
    assert [p.name for p in written] == ["satisfaction-asb_force_pchart.csv", "satisfaction-asb_force_pchart.png"]
    assert len(pd.read_csv(written[0])) == 36 and written[1].stat().st_size > 10_000
    summary = describe_p_chart(chart)
    lines = render.p_chart_text(chart, category="satisfaction-asb", area="force", summary=summary, folder=FOLDER,
                                files=written)
    assert lines[0].text == f"\n{render.title('satisfaction-asb', 'force')}: {chart.kind}" and lines[0].style == "heading"
    assert lines[1].text.split()[:6] == ["start", "end", "chart", "average", "sigma_z", "overdispersion"]
    assert [line.text for line in lines[3:3 + len(summary)]] == summary
    assert lines[-1].text == "\nWrote 2 files to out/ (chart satisfaction-asb_force_pchart.png)."
    payload = render.p_chart_json(chart, category="satisfaction-asb", area="force", rates=rates.attrs, summary=summary,
                                  files=written)
    assert len(payload["points"]) == 36 and payload["chart"] == chart.kind  # the points made when not given


def test_the_p_chart_is_labelled_in_the_rates_own_words(rates):
    import matplotlib.pyplot as plt

    from crimecast.data.rates import RateWords

    series = rate_series(rates, category="satisfaction-asb", area="force")
    share = series.copy()
    share.attrs["words"] = RateWords("dwelling", "burglaries")  # e.g. the share of burglaries in a dwelling
    for data, label, caption in ((series, "satisfied (of those surveyed)", "each month's surveys"),
                                 (share, "dwelling (of burglaries)", "each month's burglaries")):
        fig = render.p_chart_figure(p_chart(data, start=data.index[-1] - pd.DateOffset(months=35)),
                                    category="satisfaction-asb", area="force")
        texts = " ".join(t.get_text() for t in fig.texts)
        plt.close(fig)
        assert fig.axes[0].get_ylabel() == label and caption in texts, texts


def test_a_rate_forecasts_json_names_its_numerator_and_denominator(rates):
    from crimecast.data.rates import RateWords

    share = rates.copy()
    share.attrs["words"] = RateWords("dwelling", "burglaries")  # e.g. the share of burglaries in a dwelling
    for data, words in ((rates, ("satisfied", "surveyed")), (share, ("dwelling", "burglaries"))):
        report = run_rate(data, category="satisfaction-crime", area="force", n_paths=100, backtest=False)
        payload = render.rate_run_json(report, data={}, rates={}, files=[])
        assert (payload["words"]["numerator"], payload["words"]["denominator"]) == words
        # the denominator assumed, under a name true of every rate (burglaries are not surveys); words name it
        assert "denominator" in payload["forecast"][0] and "surveys" not in payload["forecast"][0]

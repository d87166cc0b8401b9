"""``forecast run``, ``spc`` and ``forecasts`` rendered without a terminal: lines with styles and streams, and files."""

from pathlib import Path

import pandas as pd
import pytest

from crimecast.data.sources import DataSource, open_counts
from crimecast.forecast.run import BacktestOptions, SeriesFailure, run_forecasts, run_spc
from crimecast.forecast.saved import SavedSummary
from crimecast.forecast.spc_areas import run_spc_areas
from crimecast.forecast.spec import forecast_spec
from crimecast.report import forecast as render
from crimecast.report.text import as_text

FAST = forecast_spec(model="seasonal-naive", paths=200)
FOLDER = Path("out")


@pytest.fixture
def counts(small_csv):
    return open_counts(DataSource(data=str(small_csv)))


def _run(counts, category, area, *, backtest=False):
    return run_forecasts(counts, category=category, area=area, spec=FAST, options=BacktestOptions(backtest=backtest))


def test_one_series_is_shown_in_full_on_stdout(counts):
    run = _run(counts, "burglary", "north")
    summary = render.run_summary(run.reports, failures=run.failures)
    files = [FOLDER / "burglary_north_forecast.csv", FOLDER / "burglary_north_fan.png"]
    lines = render.run_text(run.reports, summary=summary, data_label="small.csv", folder=FOLDER, files=files)
    assert summary is None
    assert lines[0].style == "heading" and lines[0].text.startswith("\nBurglary")
    assert "Data: small.csv. Model: seasonal-naive, 200 paths." in lines[0].text
    assert lines[-1].text == "\nWrote 2 files to out/ (e.g. burglary_north_forecast.csv)."
    assert not any(line.err for line in lines), "the result goes to stdout"
    text = as_text(lines)
    assert "80%" in text and "Backtest" not in text  # no backtest was asked for


def test_the_backtest_table_follows_the_forecast_when_there_is_one(counts):
    run = _run(counts, "robbery", "south", backtest=True)
    lines = render.series_text(run.reports[0], data_label="small.csv")
    [at] = [i for i, line in enumerate(lines) if line.text.startswith("\nBacktest: ")]
    assert lines[at].text.endswith("(lower MASE is better):")
    assert "seasonal-naive" in lines[at + 1].text  # the table of scores, model by model


def test_a_batch_is_one_table_with_its_summary_csv(counts, tmp_path):
    run = _run(counts, "all", "all")
    summary = render.run_summary(run.reports, failures=run.failures)
    assert summary is not None and len(summary) == len(run.reports) > 1
    written = render.write_run_files(run.reports, tmp_path, counts=counts, data_label="small.csv", summary=summary,
                                     chart=False)
    assert [p.name for p in written[-2:]] == ["total-recorded-crime_south_forecast.csv", "summary.csv"]
    assert all(p.exists() for p in written) and len(written) == len(run.reports) + 1
    assert set(pd.read_csv(tmp_path / "summary.csv")["data"]) == {"small.csv"}
    lines = render.run_text(run.reports, summary=summary, data_label="small.csv", folder=tmp_path, files=written)
    assert len(lines) == 3 and lines[0].text.split()[:2] == ["category", "area"]
    assert lines[1].style == "note" and "the sum of 2 areas' forecasts" in lines[1].text  # the force rows
    assert "north" in lines[0].text and lines[2].text.startswith(f"\nWrote {len(written)} files to {tmp_path}/")


def test_the_summary_csv_names_the_year_total_it_holds_the_median(counts, tmp_path):
    # summary.csv's "expected_total" held the median of the year-total paths, not their mean (the expectation)
    run = _run(counts, "all", "all")
    summary = render.run_summary(run.reports, failures=run.failures)
    render.write_run_files(run.reports, tmp_path, counts=counts, data_label="small.csv", summary=summary, chart=False)
    written = pd.read_csv(tmp_path / "summary.csv")
    assert "median_total" in written.columns and not any("expected" in c for c in written.columns)
    years = [r.forecast.financial_years().iloc[-1] for r in run.reports]
    assert list(written["median_total"]) == [round(float(y["median"]), 1) for y in years]
    assert any(round(float(y["median"]), 1) != round(float(y["mean"]), 1) for y in years)  # the two differ here


def test_failures_go_to_stderr_in_red_with_tracebacks_only_when_debugging():
    failures = [SeriesFailure("robbery", "solihull", "only 2 month(s) of data", detail="Traceback ..."),
                SeriesFailure("burglary", "force", "its part failed")]
    lines = render.failures_text(failures, what="forecast")
    assert [line.text for line in lines] == ["\nCould not forecast 2 series (the others are done):",
                                             "- robbery / solihull: only 2 month(s) of data",
                                             "- burglary / force: its part failed"]
    assert all(line.err and line.style == "error" for line in lines)
    debug = render.failures_text(failures, what="backtest", debug=True)
    assert debug[0].text.startswith("\nCould not backtest 2")
    assert [line.text for line in debug if line.style == "plain"] == ["Traceback ..."] and debug[2].err
    assert render.failures_text([], what="forecast") == []
    assert render.stale_names(failures) == ("robbery_solihull_forecast.csv", "robbery_solihull_fan.png",
                                            "burglary_force_forecast.csv", "burglary_force_fan.png")


def test_save_messages_say_where_or_why_not_on_stderr():
    saved = SavedSummary(name="wm-2014", store=Path("crimecast.duckdb"), series=88, kilobytes=1234.4, replaced=True)
    [kept] = render.save_text(saved, name="wm-2014", failures=[])
    assert kept.style == "done" and kept.err
    assert kept.text == ("Saved the forecast as 'wm-2014' in crimecast.duckdb (88 series forecast, 1,234 kB; replaced the "
                         "one of that name). Use it with --forecast wm-2014.")
    [refused] = render.save_text(None, name="wm-2014", failures=[SeriesFailure("a", "b", "c")])
    assert refused.style == "error" and refused.err and refused.text.startswith("Not saved as 'wm-2014'")
    assert render.save_text(None, name="wm-2014", failures=[]) == []
    [note] = render.run_text([], summary=None, data_label="x", folder=Path("out"), files=[],
                             notes=["areas are districts"])  # on stdout, first, as backtest's and spc's
    assert (note.text, note.style, note.err) == ("Note: areas are districts", "note", False)
    [removed] = render.removed_text([Path("out/x.csv")])
    assert removed.err and removed.text.startswith("Removed out/x.csv: ")


def test_spc_text_and_files(counts, tmp_path):
    report = run_spc(counts, category="robbery", area="north")
    written = render.write_spc_files(report, tmp_path, counts=counts)
    assert [p.name for p in written] == ["robbery_north_spc_periods.csv", "robbery_north_spc_signals.csv",
                                         "robbery_north_spc.png"]
    assert written[-1].stat().st_size > 10_000
    lines = render.spc_text(report, folder=tmp_path, files=written)
    headings = [line.text for line in lines if line.style == "heading"]
    assert headings == ["\nRobbery — North: XmR chart"]
    assert lines[-1].text == f"\nWrote 3 files to {tmp_path}/ (chart robbery_north_spc.png)."
    assert report.summary and all(sentence in as_text(lines) for sentence in report.summary)
    assert not any(line.err for line in lines)


def test_spc_of_several_areas_lists_each_and_the_areas_that_failed(small_csv, write_csv):
    text = small_csv.read_text() + "".join(f"2013-{m:02d},east,robbery,{50 + m}\n" for m in range(1, 7))
    counts = open_counts(DataSource(data=str(write_csv(text, "part.csv")), areas="peers"))
    report = run_spc_areas(counts, category="robbery", area="all")
    rows = report.rows()
    lines = render.spc_areas_text(report, rows=rows, folder=FOLDER,
                                  files=[FOLDER / "robbery_areas_spc.csv", FOLDER / "robbery_north_spc.png"])
    assert lines[0].text == "\nRobbery: XmR chart of each area (the current period)" and lines[0].style == "heading"
    assert "north" in lines[1].text and "south" in lines[1].text and "east" not in lines[1].text
    assert lines[2].text == "\nWrote 2 files to out/ (robbery_areas_spc.csv and one chart per area)."
    [failed] = render.spc_areas_failures_text(report)
    assert failed.text.startswith("- east: ") and "too few" in failed.text and failed.err and failed.style == "error"


def test_saved_forecasts_as_a_table_or_how_to_save_one():
    empty = pd.DataFrame(columns=["name", "data", "as_of", "periods", "model", "off", "paths", "series", "kilobytes",
                                  "created_at"])
    assert as_text(render.saved_text(empty)) == "No saved forecasts. Save one with `forecast run CATEGORY --save NAME`."
    table = pd.DataFrame({"name": ["wm-2014"], "data": ["west-midlands"], "as_of": [pd.Timestamp("2014-03-01")],
                          "frequency": ["month"], "periods": [12], "model": ["crimecast"], "off": ["drift off"], "paths": [1000], "series": [88],
                          "kilobytes": [1234.4], "created_at": [pd.Timestamp("2026-11-27 21:05")]})
    [shown] = render.saved_text(table)
    assert shown.text.splitlines()[0].split() == ["name", "data", "as_of", "periods", "model", "off", "paths", "series",
                                                  "kilobytes", "created_at"]
    assert "drift off" in shown.text
    assert "2014-03" in shown.text and "2026-11-27 21:05" in shown.text and "1234" in shown.text
    assert "1234.4" not in shown.text  # whole kilobytes (the rounding was lost in a comment: 1234.4)
    quarterly = table.assign(as_of=[pd.Timestamp("2012-10-01")], frequency=["quarter"])  # was listed as 2012-10
    assert render.saved_text(quarterly)[0].text.splitlines()[2].split()[:4] == ["wm-2014", "west-midlands", "2012/13", "Q3"]
    assert as_text(render.dropped_text("wm-2014")) == "Dropped the saved forecast 'wm-2014'."
    [record] = render.saved_json(table)["forecasts"]
    assert record["created_at"] == "2026-11-27T21:05:00" and record["as_of"] == "2014-03"  # was "2026-11"
    assert record["as_of_label"] == "2014-03" and list(record)[2:4] == ["as_of", "as_of_label"]
    [record] = render.saved_json(quarterly)["forecasts"]  # a month only: the quarter as the data names it too
    assert record["as_of"] == "2012-10" and record["as_of_label"] == "2012/13 Q3"


def test_a_period_filled_in_is_marked_filled_in_the_csv_and_named_in_year_totals(write_csv, tmp_path):
    from click.testing import CliRunner

    from crimecast.cli import cli

    months = [m for m in pd.date_range("2017-04-01", "2020-03-01", freq="MS") if m != pd.Timestamp("2019-07-01")]
    rows = [f"{m:%Y-%m},north,burglary,{100 + (i % 12) * 3}" for i, m in enumerate(months)]
    path = write_csv("month,area,category,count\n" + "\n".join(rows) + "\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["run", "burglary", "--data", str(path), "--area", "north", "--model",
                                      "seasonal-naive", "--paths", "100", "--no-backtest", "--no-chart",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "burglary_north_forecast.csv")
    kinds = table.set_index("month")["kind"]
    assert kinds["2019-07"] == "filled" and kinds["2019-06"] == kinds["2019-08"] == "actual"
    assert (table["kind"] == "filled").sum() == 1
    recorded = next(line for line in result.output.splitlines() if line.startswith("Recorded 2019/20 on 2018/19"))
    assert "includes 1 month filled in by interpolation, not recorded: 2019-07" in recorded
    against = next(line for line in result.output.splitlines() if "Against 2019/20 actual" in line)
    assert "includes 1 month filled in" in against


def test_spc_table_and_sentence_round_the_average_once(write_csv):
    values = [1985 if i % 2 == 0 else 1997 for i in range(36)]
    values[0] += 17  # mean 1,991.47: the CSV keeps 1991.5, the text shows 1,991 in the table and the sentence alike
    months = pd.date_range("2011-04-01", periods=36, freq="MS")
    path = write_csv("month,area,category,count\n" + "\n".join(f"{m:%Y-%m},north,robbery,{v}" for m, v in zip(months, values)))
    counts = open_counts(DataSource(data=str(path)))
    report = run_spc(counts, category="robbery", area="north")
    assert len(report.chart.periods) == 1 and report.chart.periods[0].limits.mean == pytest.approx(1991 + 17 / 36)
    text = as_text(render.spc_text(report, folder=FOLDER, files=[]))
    assert "average 1,991 a month" in text
    row = next(line for line in text.splitlines() if line.startswith("2011-04"))
    assert "1,991" in row.split() and "1,992" not in row


def test_a_series_too_short_to_model_is_headed_with_the_level_it_is_forecast_with(write_csv, tmp_path):
    months = pd.date_range("2012-04-01", periods=18, freq="MS")
    path = write_csv("month,area,category,count\n" + "\n".join(f"{m:%Y-%m},north,robbery,{20 + i % 3}"
                                                                 for i, m in enumerate(months)))
    counts = open_counts(DataSource(data=str(path)))
    report = run_forecasts(counts, category="robbery", area="north", spec=forecast_spec(paths=200),
                           options=BacktestOptions(backtest=False)).reports[0]
    heading = as_text(render.series_text(report, data_label="t"))
    assert "Model: recent average level (too short for crimecast: 18 months)" in heading
    assert "Model: crimecast," not in heading
    from crimecast.report.files import forecast_frame

    assert set(forecast_frame(report.forecast)["model"]) == {"recent average level (too short for crimecast: 18 months)"}


def test_a_short_series_mostly_filled_in_says_how_many_of_its_months_are_recorded(write_csv):
    # two street files a year apart, read with --max-gap 14: 16 months, of which 14 filled in
    path = write_csv("month,area,category,count\n2019-01,city,burglary,24\n2020-04,city,burglary,29\n")
    counts = open_counts(DataSource(data=str(path), max_gap=14))
    report = run_forecasts(counts, category="burglary", area="city", spec=forecast_spec(paths=200),
                           options=BacktestOptions(backtest=False)).reports[0]
    text = as_text(render.series_text(report, data_label="t"))
    assert "Model: recent average level (too short for crimecast: 16 months, 14 of them filled in)" in text
    assert ("only 16 months of data (fewer than 24), of which 2 months recorded and 14 missing and filled in: "
            "forecast is the recent average level") in text


def test_a_failure_whose_reason_names_its_series_is_not_named_twice():
    # a batch over police.uk local authorities listed "- burglary / allerdale: burglary / allerdale: its counts stop ..."
    failures = [SeriesFailure("burglary", "allerdale", "burglary / allerdale: its counts stop at 2019-11")]
    [_, line] = render.failures_text(failures, what="forecast")
    assert line.text == "- burglary / allerdale: its counts stop at 2019-11"


def test_the_run_all_table_says_when_a_year_is_part_actual():
    # London to 2023-09: the batch table showed "2023/24" beside a year half recorded, half forecast
    from crimecast.report.tables import summary_display

    frame = pd.DataFrame({"category": ["burglary", "robbery"], "area": "force", "financial_year": ["2023/24", "2014/15"],
                          "median_total": [58_416.0, 900.0], "lo80": [56_096.0, 800.0], "hi80": [61_093.0, 1_000.0],
                          "change_on_previous": [0.072, -0.01], "backtest_mase": [0.79, None],
                          "lost_to_baseline": "", "status": "ok", "months_forecast": [6, 12]})
    shown = summary_display(frame)
    assert list(shown["financial year"]) == ["2023/24 (part actual)", "2014/15"]
    assert list(shown["median"]) == ["58,416", "900"]  # the median, as one series' output names it (milestones: mean)


def test_a_backtest_of_several_series_heads_its_per_series_table_as_the_overall_one():
    from crimecast.data.frequency import MONTHLY
    from crimecast.report.tables import per_series_backtest_table

    per_series = pd.DataFrame({"category": ["burglary", "robbery"], "area": ["force", "force"], "model": ["ets", "ets"],
                               "mase": [0.254, 0.5], "total_ape": [0.94, 7.2], "coverage80": [77.8, 39.0]})
    header, _, first, _ = per_series_backtest_table(per_series, frequency=MONTHLY).splitlines()
    assert header.split()[:3] == ["category", "area", "model"]
    assert "MASE" in header and "12-month total error %" in header and "80% coverage %" in header
    assert "total_ape" not in header and first.split()[-3:] == ["0.25", "0.9", "78"]

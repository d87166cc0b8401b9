"""Every command through click's CliRunner, as a user would type it."""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import QUICK_FUND
from crimecast.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def invoke(*args, **kwargs):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, **kwargs)


@pytest.mark.slow
def test_run_burglary_prints_forecast_year_and_backtest(tmp_path):
    result = invoke("run", "burglary", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "ILLUSTRATIVE DATA" in out and "'burglary' is read as burglary-dwelling" in out
    assert "80% interval" in out and "Financial year 2014/15" in out and "Against 2013/14 actual 12,868" in out
    assert "Backtest: 3 windows" in out and "seasonal-naive" in out and "ets" in out
    assert "west-midlands (illustrative)" in (tmp_path / "burglary-dwelling_force_forecast.csv").read_text()
    assert (tmp_path / "burglary-dwelling_force_fan.png").stat().st_size > 10_000


@pytest.mark.slow
def test_run_is_byte_identical_for_the_same_seed(tmp_path):
    for name in ("a", "b"):
        assert invoke("run", "robbery", "--area", "solihull", "--no-backtest", "--out", str(tmp_path / name)).exit_code == 0
    for file in ("robbery_solihull_forecast.csv", "robbery_solihull_fan.png"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_run_json_is_machine_readable(tmp_path):
    result = invoke("run", "shoplifting", "--model", "ets", "--paths", "200", "--no-backtest", "--no-chart", "--json",
                    "--out", str(tmp_path))  # the JSON is the point; the default model is run above
    payload = json.loads(result.stdout)
    series = payload["series"][0]
    assert payload["illustrative"] is True and series["category"] == "shoplifting" and len(series["forecast"]) == 12
    assert series["financial_years"][0]["financial_year"] == "2014/15"


def test_run_shows_progress_while_it_draws_the_fan_charts(small_csv, tmp_path):
    result = invoke("run", "robbery", "--data", str(small_csv), "--area", "all", "--model", "seasonal-naive",
                    "--paths", "100", "--no-backtest", "--jobs", "1", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Forecasting" in result.stderr and "Drawing charts" in result.stderr
    assert sorted(p.name for p in tmp_path.glob("*_fan.png")) == ["robbery_force_fan.png", "robbery_north_fan.png",
                                                                   "robbery_south_fan.png"]


def test_a_batch_says_its_force_row_is_the_sum_of_the_districts(small_csv, tmp_path):
    result = invoke("run", "robbery", "--data", str(small_csv), "--area", "all", "--model", "seasonal-naive",
                    "--paths", "100", "--no-backtest", "--no-chart", "--jobs", "1", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert ("the row robbery / force is the sum of 2 areas' forecasts, path by path, so the areas add up to it; "
            "`forecast run robbery` without --area all forecasts the force from its own counts") in result.output
    assert "Note: 2 series forecast separately and added up path by path" in result.output  # the batch's own notes
    districts = invoke("run", "robbery", "--data", str(small_csv), "--area", "north,south", "--model", "seasonal-naive",
                       "--paths", "100", "--no-backtest", "--no-chart", "--jobs", "1", "--out", str(tmp_path), "--json")
    assert districts.exit_code == 0 and "the sum of" not in districts.output
    assert not any("added up" in text for text in json.loads(districts.stdout)["batch_notes"])  # nothing is summed


def test_headers_name_the_model(small_csv, tmp_path):
    quick = ["--data", str(small_csv), "--model", "seasonal-naive", "--paths", "100", "--jobs", "1"]
    one = ["run", "robbery", "--area", "north", *quick, "--no-backtest", "--no-chart", "--out", str(tmp_path)]
    assert ". Model: seasonal-naive, 100 paths.\n" in invoke(*one).output
    batch = ["run", "robbery", "--area", "all", *quick, "--no-backtest", "--no-chart", "--out", str(tmp_path)]
    assert "Model:" not in invoke(*batch).output  # a batch's table has no header while nothing is off
    milestones = ["milestones", "robbery", "--area", "north", *quick, "--no-chart", "--out", str(tmp_path)]
    assert "Model: seasonal-naive, 100 paths.\n" in invoke(*milestones).output
    backtest = ["backtest", "robbery", "--area", "north", *quick, "--models", "seasonal-naive,ets"]
    assert "Overall (2 windows per series):" in invoke(*backtest).output
    compare = ["compare", "robbery", "--area", "north", "--peers", "south", *quick, "--no-chart", "--out", str(tmp_path)]
    assert ". Model: seasonal-naive, 100 paths.\n" in invoke(*compare).output  # forecasts 2014/15 beside 2013/14
    unforecast = invoke("compare", "robbery", "--area", "north", "--peers", "south", "--data", str(small_csv),
                        "--no-forecast", "--no-chart", "--out", str(tmp_path))
    assert unforecast.exit_code == 0 and "Model:" not in unforecast.output  # nothing forecast: no model to name


def _small_scenarios(tmp_path, small_csv, base: str) -> list[str]:
    """Two scenario files on ``small_csv`` with ``base`` settings (besides data and as_of): robbery up 5% and 20%."""
    files = []
    for name, value in (("low", "0.05"), ("high", "0.2")):
        files.append(tmp_path / f"{name}.yaml")
        files[-1].write_text(f"name: {name}\nbase: {{data: {small_csv}, as_of: 2014-03, {base}}}\n"
                             f"drivers:\n  - {{kind: uplift, category: robbery, value: {value}}}\n", encoding="utf-8")
    return [str(f) for f in files]


def test_headers_name_the_defaults_a_forecast_goes_without(small_csv, tmp_path):
    """Steps and drift are the default model's own: its headers say when they are off, in one wording; a backtest
    of --model ets beside crimecast says it of crimecast's windows (was: silent)."""
    off = ["--data", str(small_csv), "--paths", "100", "--jobs", "1", "--no-steps", "--no-drift"]
    said = "crimecast, 100 paths, steps off, drift off"
    one = ["run", "robbery", "--area", "north", *off, "--no-backtest", "--no-chart", "--out", str(tmp_path)]
    assert f". Model: {said}.\n" in invoke(*one).output
    batch = ["run", "robbery", "--area", "all", *off, "--no-backtest", "--no-chart", "--out", str(tmp_path)]
    assert f"\nModel: {said}.\ncategory " in invoke(*batch).output
    milestones = ["milestones", "robbery", "--area", "north", *off, "--no-chart", "--out", str(tmp_path)]
    assert f"Model: {said}.\n" in invoke(*milestones).output
    compare = ["compare", "robbery", "--area", "north", "--peers", "south", *off, "--no-chart", "--out", str(tmp_path)]
    assert f". Model: {said}.\n" in invoke(*compare).output
    backtest = invoke("backtest", "robbery", "--area", "north", *off, "--model", "ets", "--models", "ets,crimecast")
    assert "Overall (2 windows per series, steps off, drift off):" in backtest.output
    files = _small_scenarios(tmp_path, small_csv, "paths: 100, steps: false, drift: false")
    assert f"Forecast from 2014-03 ({said}).\n" in invoke("scenario", "run", files[0], "--jobs", "1", "--no-chart",
                                                           "--out", str(tmp_path)).output
    compared = invoke("scenario", "compare", *files, "--jobs", "1", "--out", str(tmp_path)).output
    assert f"one baseline forecast from 2014-03 ({said}), mean total" in compared
    other = _small_scenarios(tmp_path, small_csv, "model: seasonal-naive, paths: 100, steps: false")
    assert "(seasonal-naive, 100 paths), mean total" in invoke("scenario", "compare", *other, "--out", str(tmp_path)).output


def test_steps_and_drift_switches_are_refused_where_no_model_has_them(small_csv, tmp_path):
    """Only the default model has steps and drift: --no-steps and --no-drift with other models would do nothing, so
    they are refused as an option left unused is (exit 2; was: silent)."""
    quick = ["--data", str(small_csv), "--model", "ets", "--paths", "100", "--jobs", "1"]
    commands = [["run", "robbery", "--area", "north", "--no-backtest", "--no-chart"],
                ["milestones", "robbery", "--area", "north", "--no-chart"],
                ["compare", "robbery", "--area", "north", "--peers", "south", "--no-chart"]]
    for command in commands:
        result = invoke(*command, *quick, "--no-drift", "--out", str(tmp_path))
        assert result.exit_code == 2, result.output
        assert ("Error: --no-drift has no effect with the ets model: only the default model, crimecast, carries the "
                "dataset drift. Leave --no-drift out, or use --model crimecast.") in result.output
    backtest = invoke("backtest", "robbery", "--area", "north", *quick, "--models", "ets,seasonal-naive", "--no-steps",
                      "--no-drift")
    assert backtest.exit_code == 2 and ("--no-steps and --no-drift have no effect with the models compared (ets, "
                                        "seasonal-naive): only the default model, crimecast, models step changes as "
                                        "level shifts and carries the dataset drift") in backtest.output
    assert "add crimecast to --models" in backtest.output


def test_forecast_settings_a_command_would_leave_unused_are_refused(small_csv, tmp_path):
    """Where nothing uses them, forecast settings are refused as --no-drift with another model is (exit 2, one line,
    the same wording; was: silent): compare with --no-forecast, or of a past year, forecasts nothing; a rate series
    has its own model; milestones reading a saved forecast use its settings."""
    compare = invoke("compare", "robbery", "--area", "north", "--peers", "south", "--data", str(small_csv),
                     "--no-forecast", "--no-drift", "--no-chart", "--out", str(tmp_path))
    assert compare.exit_code == 2 and ("Error: --no-drift has no effect with --no-forecast: nothing is forecast. Leave "
                                       "--no-drift out, or drop --no-forecast.") in compare.output
    past = invoke("compare", "robbery", "--area", "north", "--peers", "south", "--data", str(small_csv), "--year",
                  "2011/12", "--model", "ets", "--no-chart", "--out", str(tmp_path))  # (2012/13 is complete: no forecast)
    assert past.exit_code == 2 and ("Error: --model has no effect with --year 2011/12: it is a past year, so nothing "
                                    "is forecast. Leave --model out.") in past.output, past.output
    rate = invoke("run", "satisfaction-crime", "--model", "ets", "--no-drift", "--paths", "200", "--no-backtest",
                  "--no-chart", "--out", str(tmp_path))
    assert rate.exit_code == 2 and ("Error: --model and --no-drift have no effect on a rate series "
                                    "('satisfaction-crime'): a rate is forecast as a proportion by its own model, "
                                    "logit-binomial (--paths, --seed and --horizon apply). Leave --model and --no-drift "
                                    "out.") in rate.output
    saved = invoke("milestones", "robbery", "--area", "north", "--data", str(small_csv), "--forecast", "wm",
                   "--paths", "200", "--seed", "3", "--no-drift", "--no-chart", "--out", str(tmp_path))
    assert saved.exit_code == 2 and ("Error: --paths, --seed and --no-drift have no effect with --forecast wm: the "
                                     "saved forecast's settings are used. Leave --paths, --seed and --no-drift out, or "
                                     "forecast afresh without --forecast.") in saved.output


def test_how_forecasts_run_and_a_packs_settings_are_refused_where_nothing_uses_them(small_csv, tmp_path):
    """--jobs (and --scheduler) beside compare --no-forecast, and report --forecast NAME's --model and --seed (the
    milestones read the saved forecast, the fund forecasts with its own file's model and seed), with --paths where
    there is no fund to take it: refused in the one wording (exit 2; was: accepted, and unused without a word)."""
    compare = invoke("compare", "robbery", "--area", "north", "--peers", "south", "--data", str(small_csv),
                     "--no-forecast", "--jobs", "2", "--no-chart", "--out", str(tmp_path))
    assert compare.exit_code == 2 and ("Error: --jobs has no effect with --no-forecast: nothing is forecast. Leave "
                                       "--jobs out, or drop --no-forecast.") in compare.output
    pack = ("report", "--plan", "plan-2013-14", "--forecast", "start", "--no-pdf", "--store", str(tmp_path / "s.duckdb"),
            "--out", str(tmp_path / "pack"))
    refused = invoke(*pack, "--model", "ets", "--seed", "3")
    assert refused.exit_code == 2 and ("Error: --model and --seed have no effect with --forecast start: the saved "
                                       "forecast's settings are used. Leave --model and --seed out, or forecast afresh "
                                       "without --forecast.") in refused.output
    assert invoke(*pack, "--paths", "200").exit_code == 2
    fund = invoke(*pack, "--paths", "200", "--csf", "csf-2013-14")  # --paths sets the fund's when it forecasts afresh
    assert fund.exit_code == 1 and "no saved forecast 'start'" in fund.output, fund.output


@pytest.mark.slow
def test_run_all_forecasts_every_series_with_progress(small_csv, tmp_path):
    result = invoke("run", "all", "--data", str(small_csv), "--model", "seasonal-naive", "--paths", "200", "--no-backtest",
                    "--no-chart", "--jobs", "1", "--out", str(tmp_path))  # the batch is the point, not the model
    assert result.exit_code == 0, result.output
    assert "Forecasting" in result.output
    summary = (tmp_path / "summary.csv").read_text()
    for area in ("north", "south", "force"):
        assert f"robbery,{area}" in summary and f"total-recorded-crime,{area}" in summary
    assert len(list(tmp_path.glob("*_forecast.csv"))) == 9


@pytest.mark.slow
def test_backtest_prints_scores_of_all_models():
    # The default model's backtest is tested in test_backtest.py and by `forecast run burglary` above.
    result = invoke("backtest", "burglary", "--model", "ets", "--models", "ets,prophet-default,seasonal-naive")
    assert result.exit_code == 0, result.output
    assert "Overall (3 windows per series)" in result.output
    for model in ("prophet-default", "ets", "seasonal-naive"):
        assert model in result.output


def test_backtest_fitting_fewer_windows_than_asked_says_so_and_how_much_more_data_they_need(write_csv):
    import pandas as pd

    months = pd.date_range("2018-01-01", periods=45, freq="MS")  # police.uk's 4 forces: 2018-01 to 2021-09
    path = write_csv("month,count\n" + "".join(f"{m:%Y-%m},{100 + i % 12}\n" for i, m in enumerate(months)))
    quick = ["--data", str(path), "--model", "seasonal-naive", "--models", "ets", "--paths", "200"]
    result = invoke("backtest", "counts", *quick)
    assert result.exit_code == 0, result.output
    assert ("only 1 of the 3 backtest windows asked for (--windows) fits: counts / force has 45 months, and 3 "
            "one-year windows need 60 (15 months more)") in result.output
    assert "windows asked for" not in invoke("backtest", "counts", *quick, "--windows", "1").output


def test_backtest_of_series_fitting_different_numbers_of_windows_says_how_many_each_has(write_csv):
    """`--area all` over a 60-month series and a 45-month one was headed "Overall (3 window(s) per series)", the
    number of distinct windows: the shorter had one."""
    import pandas as pd

    rows = [f"{m:%Y-%m},{area},{100 + i % 12}" for area, first in (("north", "2018-01"), ("south", "2019-04"))
            for i, m in enumerate(pd.date_range(first, "2022-12-01", freq="MS"))]
    path = write_csv("month,area,count\n" + "\n".join(rows) + "\n")
    quick = ["--data", str(path), "--areas", "peers", "--model", "seasonal-naive", "--models", "ets", "--paths", "200"]
    result = invoke("backtest", "counts", "--area", "all", *quick)
    assert result.exit_code == 0, result.output
    assert "Overall (1 to 3 windows per series):" in result.output
    assert "Overall (1 window per series):" in invoke("backtest", "counts", "--area", "south", *quick).output


def test_backtest_json(small_csv):
    result = invoke("backtest", "robbery", "--area", "north", "--data", str(small_csv), "--model", "ets",
                    "--models", "ets,seasonal-naive", "--json")
    payload = json.loads(result.stdout)
    assert {row["model"] for row in payload["overall"]} == {"ets", "seasonal-naive"}


def test_backtest_rejects_unknown_model():
    result = invoke("backtest", "burglary", "--models", "crimecast,arima")
    assert result.exit_code == 2 and "unknown model arima;" in result.output
    several = invoke("backtest", "burglary", "--models", "crimecast,arima,arma")
    assert several.exit_code == 2 and "unknown models arima, arma;" in several.output


def test_backtest_with_nothing_to_compare_suggests_a_list_without_repeats():
    """`--model seasonal-naive --models seasonal-naive` suggested `--models seasonal-naive,ets,seasonal-naive`."""
    result = invoke("backtest", "burglary", "--model", "seasonal-naive", "--models", "seasonal-naive")
    assert result.exit_code == 2 and "e.g. --models seasonal-naive,crimecast,ets (choose" in result.output


def test_list_shows_datasets_categories_and_areas():
    result = invoke("list")
    assert result.exit_code == 0
    assert "west-midlands (illustrative)" in result.output and "total-recorded-crime" in result.output
    assert "birmingham" in result.output and "force" in result.output


@pytest.mark.parametrize("text, message", [
    ("month,count\n2013-01,5\nsoon,6\n", "row 3, 'soon' is not a month"),
    ("month,count\n2013-01,5\n2013-01,6\n", "a second count"),
    ("month,count\n2013-01,5\n2013-02,-1\n", "'-1' is not a non-negative whole number"),
    ("month,count\n2013-01,5\n2013-05,6\n", "--max-gap 3"),
    ("", "the file is empty"),
])
def test_bad_input_gives_one_clear_error_and_exit_1(write_csv, text, message):
    result = invoke("run", "all", "--data", str(write_csv(text)))
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert result.output.count("Error:") == 1


def test_unknown_category_suggests_one():
    result = invoke("run", "shopliftin")
    assert result.exit_code == 1 and "Did you mean 'shoplifting'" in result.output


def test_unknown_area_suggests_one():
    result = invoke("run", "robbery", "--area", "solihul")
    assert result.exit_code == 1 and "Did you mean 'solihull'" in result.output


def test_debug_shows_the_traceback(write_csv):
    runner = CliRunner()
    result = runner.invoke(cli, ["--debug", "run", "all", "--data", str(write_csv(""))])
    assert result.exit_code != 0 and result.exception is not None


@pytest.mark.slow
def test_short_series_warns_and_falls_back(write_csv, tmp_path):
    rows = "\n".join(f"2013-{m:02d},{10 + m}" for m in range(1, 13)) + "\n" + "\n".join(f"2014-{m:02d},{12 + m}" for m in range(1, 7))
    result = invoke("run", "all", "--data", str(write_csv("month,count\n" + rows + "\n")), "--no-chart", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "fewer than 24" in result.output and "too short to backtest" in result.output


def test_quarterly_and_mapped_columns_through_the_cli(write_csv):
    text = "Year,Q,Offences\n" + "\n".join(f"{y}/{(y + 1) % 100:02d},{q},{30 + q}" for y in range(2008, 2014) for q in range(1, 5))
    path = write_csv(text + "\n")
    result = invoke("list", "--data", str(path), "--date-col", "Year", "--quarter-col", "Q", "--value-col", "Offences", "--quarterly")
    assert result.exit_code == 0, result.output
    assert "(by quarter)" in result.output and "2008/09 Q1" in result.output and "2008-04" not in result.output


def _command_paths(group=cli, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from _command_paths(command, (*prefix, name))


@pytest.mark.parametrize("command", [" ".join(p) for p in _command_paths()])
def test_every_command_has_help_with_an_example_and_is_in_the_readme(command):
    result = invoke(*command.split(), "--help")
    assert result.exit_code == 0 and "Examples:" in result.output
    assert re.search(rf"forecast {command}\b", README.read_text())


@pytest.mark.slow
def test_spc_prints_periods_signals_and_summary(tmp_path):
    result = invoke("spc", "vehicle-crime", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "XmR chart" in result.output and "Step change down of 9% from 2012-12" in result.output
    assert (tmp_path / "vehicle-crime_force_spc.png").stat().st_size > 10_000
    assert "2012-12" in (tmp_path / "vehicle-crime_force_spc_periods.csv").read_text()


@pytest.mark.slow
def test_spc_json_with_known_changes(write_csv, tmp_path):
    known = write_csv("month,description,category\n2013-04,Operation Sentinel,violence-with-injury\n", name="known.csv")
    result = invoke("spc", "violence-with-injury", "--known-changes", str(known), "--seasonal-adjust", "--json",
                    "--out", str(tmp_path))
    payload = json.loads(result.stdout)
    assert payload["seasonally_adjusted"] is True
    assert any(step["known"] and step["month"] == "2013-04" for step in payload["steps"])


def test_spc_too_short_is_explained(write_csv):
    rows = "\n".join(f"2013-{m:02d},{10 + m % 3}" for m in range(1, 11))
    result = invoke("spc", "counts", "--data", str(write_csv("month,count\n" + rows + "\n")))
    assert result.exit_code == 1 and "at least 12 months" in result.output


def test_spc_from_after_the_data_ends_names_its_last_month():
    result = invoke("spc", "robbery", "--from", "2030-01")  # the embedded data end at 2014-03
    assert result.exit_code == 1 and "only 0 months" not in result.output
    assert ("--from 2030-01 is after the data ends (its last month is 2014-03): there is nothing to chart. A chart "
            "needs at least 12 months: give a --from no later than 2013-04") in result.output


def test_spc_bad_from_month_is_a_usage_error():
    result = invoke("spc", "robbery", "--from", "last spring")
    assert result.exit_code == 2 and "--from" in result.output


@pytest.mark.slow
def test_run_models_confirmed_steps_and_says_how_to_switch_off(tmp_path):
    result = invoke("run", "shoplifting", "--no-backtest", "--no-chart", "--out", str(tmp_path))
    assert "step change up of 30% from 2012-11 is modelled as a level shift (pass --no-steps" in result.output
    assert "Recorded 2013/14 on 2012/13" in result.output and "a significant rise (Poisson E-test p < 0.001)" in result.output
    off = invoke("run", "shoplifting", "--no-backtest", "--no-chart", "--no-steps", "--out", str(tmp_path))
    assert "level shift" not in off.output


# ---------------------------------------------------------------- scenarios

FAST_SCENARIO = """\
name: Walsall test
base: {as_of: 2013-03, model: seasonal-naive, paths: 300}
drivers:
  - {name: op, kind: uplift, category: burglary, area: walsall, value: "-10%"}
  - {name: push, kind: share, part: domestic abuse, category: vwi, from: 0.3, to: {dist: triangular, low: 0.33, mode: 0.36, high: 0.38}}
"""


def test_scenario_run_prints_drivers_years_contributions_and_writes_files(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(FAST_SCENARIO, encoding="utf-8")
    result = invoke("scenario", "run", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "ILLUSTRATIVE DATA" in out and "Scenario: Walsall test" in out and "(seasonal-naive, 300 paths).\n" in out
    assert "(1 - 0.300) / (1 - 0.357) = 1.088" in out
    assert "Burglary dwelling — Walsall" in out and "Total recorded crime — force-wide" in out
    assert "the outcome was +8.7%" in out and "Contributions" in out and "interaction" in out
    folder = tmp_path / "out" / "scenario-walsall-test"
    assert {p.name for p in folder.iterdir()} >= {"monthly.csv", "financial_years.csv", "contributions.csv",
                                                  "burglary-dwelling_walsall.png", "total-recorded-crime_force.png"}
    assert "west-midlands (illustrative)" in (folder / "monthly.csv").read_text()


def test_scenario_run_header_names_only_what_its_model_goes_without(tmp_path):
    """seasonal-naive has no steps to switch off (the default model's, see test_headers_name_the_defaults_...)."""
    path = tmp_path / "s.yaml"
    path.write_text(FAST_SCENARIO.replace("paths: 300}", "paths: 300, steps: false}"), encoding="utf-8")
    result = invoke("scenario", "run", str(path), "--out", str(tmp_path), "--no-chart")
    assert result.exit_code == 0, result.output
    assert "Forecast from 2013-03 (seasonal-naive, 300 paths).\n" in result.output


@pytest.mark.parametrize("command", [["scenario", "run", "FAST"],
                                     ["milestones", "burglary", "--area", "coventry,dudley", "--model", "seasonal-naive"]])
def test_the_illustrative_notice_comes_first_then_progress_as_run_has_it(tmp_path, command):
    fast = tmp_path / "s.yaml"
    fast.write_text(FAST_SCENARIO, encoding="utf-8")
    result = invoke(*[str(fast) if word == "FAST" else word for word in command], "--no-chart", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("ILLUSTRATIVE DATA") and "Forecasting" in lines[1]
    assert "  forecast " not in result.stderr  # one series a line was another wording from `run all`'s


def test_scenario_run_json(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(FAST_SCENARIO, encoding="utf-8")
    result = invoke("scenario", "run", str(path), "--out", str(tmp_path), "--json", "--no-chart")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["illustrative"] is True and payload["as_of"] == "2013-03"
    assert [d["name"] for d in payload["drivers"]] == ["op", "push"]
    assert {r["category"] for r in payload["financial_years"]} >= {"burglary-dwelling", "total-recorded-crime"}


def test_scenario_compare_side_by_side(tmp_path):
    for name, value in (("low", "0.05"), ("high", "0.2")):
        (tmp_path / f"{name}.yaml").write_text(
            f"name: {name}\nbase: {{as_of: 2013-03, model: seasonal-naive, paths: 300}}\n"
            f"drivers:\n  - {{kind: uplift, category: robbery, value: {value}}}\n", encoding="utf-8")
    result = invoke("scenario", "compare", str(tmp_path / "low.yaml"), str(tmp_path / "high.yaml"), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "baseline" in result.output and "low" in result.output and "high" in result.output
    assert (tmp_path / "scenario-comparison.csv").exists()


def test_scenario_compare_gives_the_median_change_beside_each_mean_as_scenario_run_does(tmp_path):
    """`scenario run` shows the median path's change beside the mean; `scenario compare` gave the means only. The
    CSV's older columns keep their names and places (the medians come last), and --json has them too."""
    (tmp_path / "low.yaml").write_text("name: low\nbase: {as_of: 2013-03, model: seasonal-naive, paths: 300}\n"
                                       "drivers:\n  - {kind: uplift, category: robbery, value: 0.05}\n", encoding="utf-8")
    scenario = str(tmp_path / "low.yaml")
    run = invoke("scenario", "run", scenario, "--json", "--no-chart", "--out", str(tmp_path))
    year = next(r for r in json.loads(run.stdout)["financial_years"] if r["category"] == "robbery")
    compared = invoke("scenario", "compare", scenario, "--out", str(tmp_path)).output
    robbery = next(line for line in compared.splitlines() if line.startswith("Robbery"))
    for mean, median in ((year["baseline_change"], year["baseline_change_median"]),
                         (year["scenario_change_mean"], year["scenario_change_median"])):
        assert f"({mean * 100:+.1f}%, median {median * 100:+.1f}%)" in robbery
    header = (tmp_path / "scenario-comparison.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == ["category", "area", "financial_year", "previous_actual", "previous_expected",
                      "previous_months_forecast", "mean", "lo80", "hi80", "actual", "change", "difference", "scenario",
                      "data", "median", "change_median"]
    rows = json.loads(invoke("scenario", "compare", scenario, "--json", "--out", str(tmp_path)).stdout)["financial_years"]
    low = next(r for r in rows if r["category"] == "robbery" and r["scenario"] == "low")
    assert low["change_median"] == pytest.approx(year["scenario_change_median"], abs=1e-6)
    assert low["median"] == pytest.approx(year["scenario_median"], abs=1e-6)


def test_scenario_new_writes_a_template_that_checks(tmp_path):
    path = tmp_path / "my-plan.yaml"
    result = invoke("scenario", "new", "My plan", "--out", str(path))
    assert result.exit_code == 0, result.output
    checked = invoke("scenario", "check", str(path))
    assert checked.exit_code == 0, checked.output
    assert "valid" in checked.output and "reporting push (share)" in checked.output
    again = CliRunner().invoke(cli, ["scenario", "new", "My plan", "--out", str(path)])
    assert again.exit_code == 2 and "already exists" in again.output and "--force" in again.output


def test_scenario_check_shipped_example():
    result = invoke("scenario", "check", "planning-2014-15")
    assert result.exit_code == 0, result.output
    assert "2014-04 to 2015-03" in result.output and "Birmingham burglary operation" in result.output


@pytest.mark.parametrize("text, message", [
    ("name: s\ndrivers:\n  - {kind: uplift, category: burglery, value: 0.1}\n", "unknown category 'burglery'"),
    ("name: s\ndrivers:\n  - {kind: uplift, category: robbery, valeu: 0.1}\n", "unknown key 'valeu'"),
    ("name: s\ndrivers: [\n", "not valid YAML"),
])
def test_scenario_errors_are_one_line_without_traceback(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    for command in ("check", "run"):
        result = CliRunner().invoke(cli, ["scenario", command, str(path)])
        assert result.exit_code == 1
        assert message in result.output and "Traceback" not in result.output and str(path) in result.output


def test_only_a_command_made_to_read_peers_reads_them_beside_its_area(write_csv, tmp_path, monkeypatch):
    """The data options read --peers (or a --peer-group file's areas) beside --area, for a command made to read
    peers: compare's reading is asked for by the decorator (``data_options(peers=True)``), not found by name."""
    import click

    import crimecast.data.sources as sources
    from crimecast.cli import data_options

    asked, open_counts = [], sources.open_counts
    monkeypatch.setattr(sources, "open_counts", lambda source: asked.append(source.asked) or open_counts(source))
    months = [f"{y}-{m:02d}" for y in range(2010, 2014) for m in range(1, 13)]
    path = write_csv("month,area,category,count\n" + "".join(
        f"{month},{area},robbery,{50 + i % 12}\n" for i, month in enumerate(months) for area in ("north", "south")
        if (month, area) != ("2012-06", "south")))  # south's gap, filled in: a note of south's alone

    def probe(decorator):
        @click.command()
        @click.argument("category")
        @click.option("--area")
        @click.option("--peers")
        @click.option("--peer-group", "peer_group")
        @decorator
        def command(category, area, peers, peer_group, counts):
            click.echo(f"{len(counts)} rows")
        return command

    args = ["robbery", "--data", str(path), "--area", "north", "--peers", "south"]
    plain, peers = (CliRunner().invoke(probe(decorator), args) for decorator in (data_options, data_options(peers=True)))
    (tmp_path / "g.txt").write_text("south\n", encoding="utf-8")
    group = CliRunner().invoke(probe(data_options(peers=True)), [*args[:-2], "--peer-group", str(tmp_path / "g.txt")])
    assert [plain.exit_code, peers.exit_code, group.exit_code] == [0, 0, 0], plain.output + peers.output + group.output
    assert asked == ["north", "north,south", "north,south"]
    assert "2012-06" not in plain.output and "2012-06" in peers.output and "2012-06" in group.output


# ---------------------------------------------------------------- milestones

def test_milestones_for_one_category(tmp_path):
    result = invoke("milestones", "burglary", "--target", "-8%", "--year", "2013/14", "--model", "ets", "--paths", "500",
                    "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "\nBurglary dwelling — force-wide: planning from 2013-03" in out and "-8.0% or lower" in out and "P(meet)" in out
    assert "met with 50/70/90%" in out and "Outcome: -6.1%, missed" in out
    folder = tmp_path / "milestones-burglary-force"
    assert (folder / "milestones.csv").exists() and (folder / "trajectories.csv").exists()
    assert (folder / "01_burglary-dwelling-force-wide.png").stat().st_size > 10_000


def test_milestones_and_the_board_pack_read_their_plan_once(small_csv, tmp_path, monkeypatch):
    """milestones read the plan file three times: for its areas, for its data and for its milestones."""
    import crimecast.scenarios.plan as plan_module

    reads, load = [], plan_module.load_plan
    monkeypatch.setattr(plan_module, "load_plan", lambda path, **options: reads.append(path) or load(path, **options))
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"year: 2013/14\ndata: {small_csv}\nmilestones:\n  - {{category: robbery, area: north, target: -5%}}\n")
    result = invoke("milestones", "--plan", plan, "--model", "seasonal-naive", "--paths", "100", "--no-chart",
                    "--out", tmp_path / "m")
    assert result.exit_code == 0 and "Robbery — North  2013/14  -5.0% or lower" in result.output, result.output
    assert reads == [str(plan)]
    early = CliRunner().invoke(cli, ["report", "--plan", str(plan), "--as-of", "2005-03", "--no-pdf",
                                     "--out", str(tmp_path / "pack")])  # refused once the plan and its data are read
    assert early.exit_code == 2 and "before the first month of data" in early.output, early.output
    assert reads == [str(plan)] * 2


def test_milestones_warn_that_probabilities_backtested_optimistic_where_crime_rose(tmp_path):
    result = invoke("milestones", "burglary", "--target", "+10%", "--year", "2013/14", "--model", "ets", "--paths", "300",
                    "--out", str(tmp_path), "--no-chart")
    assert result.exit_code == 0, result.output
    assert "likely met" in result.output and "a little optimistic" in result.output
    assert "read 'likely met' as 'at risk'" in " ".join(result.output.split())


def test_milestones_every_category_in_year_json(tmp_path):
    result = invoke("milestones", "--year", "2013/14", "--as-of", "2013-09", "--model", "seasonal-naive", "--paths", "300",
                    "--out", str(tmp_path), "--json", "--no-chart")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["as_of"] == "2013-09" and len(payload["milestones"]) == 11
    row = payload["milestones"][0]
    assert row["months_observed"] == 6 and 0 <= row["p_meet"] <= 1 and row["ytd_p_value"] is not None


def test_milestones_plan_with_scenario(tmp_path):
    scenario = tmp_path / "push.yaml"
    scenario.write_text("name: push\nbase: {as_of: 2013-03, model: seasonal-naive, paths: 300}\n"
                        "drivers:\n  - {kind: share, category: vwi, from: 0.3, to: 0.36}\n")
    result = invoke("milestones", "--plan", "plan-2013-14", "--scenario", str(scenario), "--out", str(tmp_path), "--no-chart")
    assert result.exit_code == 0, result.output
    assert "scenario change" in result.output and "Under the scenario" in result.output
    assert "Crime in priority areas (proxy)" in result.output


@pytest.mark.parametrize("args, code, message", [
    (["milestones", "burglery"], 1, "Error: the command-line target for burglery / force: unknown category 'burglery'"),
    (["milestones", "burglary", "--target", "lots"], 2, "expected a number"),
    (["milestones", "burglary", "--plan", "plan-2013-14"], 2, "not both"),
    (["milestones", "burglary", "--as-of", "2015-01"], 2, "after the last month of data"),
    # through every area it said "none of the 8 series asked for has anything to forecast from"
    (["milestones", "burglary", "--area", "all", "--as-of", "2015-03"], 2, "after the last month of data"),
    (["milestones", "--plan", "nowhere.yaml"], 1, "not found"),
    (["milestones", "burglary", "--target", "-8"], 2, "target -8 would be a change of -800%"),  # not -800% or -8%
    (["milestones", "burglary", "--count", "500", "--target", "-8%"], 2, "give --target or --count, not both"),
    (["milestones", "--plan", "plan-2013-14", "--target", "-8%"], 2, "carry their own targets"),
    # a year the data cannot reach, either side, is a usage error (2001/02 was exit 1), said from the data's last month
    (["milestones", "burglary", "--target", "-8%", "--year", "2027/28"], 2,
     "ends 168 months after 2014-03 (the data's last month); at most 36 months can be forecast. Choose a nearer --year."),
    (["milestones", "burglary", "--target", "-8%", "--year", "2001/02"], 2, "the first year that can be assessed is"),
])
def test_milestone_errors_are_one_line(args, code, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output


def test_milestones_scenario_must_use_the_same_data(small_csv, tmp_path):
    result = CliRunner().invoke(cli, ["milestones", "burglary", "--data", str(small_csv), "--scenario", "domestic-abuse-uplift"])
    assert result.exit_code == 2 and "uses data 'west-midlands'" in result.output
    assert "Pass --data west-midlands," in result.output  # an embedded dataset (or a file) is read with --data ...
    stored = tmp_path / "stored.yaml"
    stored.write_text("name: s\nbase: {data: london}\ndrivers: []\n")
    result = CliRunner().invoke(cli, ["milestones", "burglary", "--scenario", str(stored)])
    assert result.exit_code == 2 and "Pass --dataset london," in result.output  # ... a stored one with --dataset


# ---------------------------------------------------------------- optimise

def test_optimise_csf_prints_the_allocation_and_writes_csv_excel_and_charts(csf_file, tmp_path):
    result = invoke("optimise", "csf", "--assumptions", str(csf_file()), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Birmingham" in out and "next £10k buys" in out and "returns it exactly" in out
    assert "Binding constraints" in out and "per £10,000 more" in out and "payback beyond the limit" in out
    folder = tmp_path / "optimise-csf"
    names = {p.name for p in folder.iterdir()}
    assert {"allocation.csv", "binding_constraints.csv", "budget_curve.csv", "schemes.csv", "csf.xlsx",
            "allocation.png", "budget_curve.png"} <= names
    import openpyxl

    workbook = openpyxl.load_workbook(folder / "csf.xlsx")
    assert workbook.sheetnames[:3] == ["Allocation", "Binding constraints", "Budget curve"]
    assert {"Assumptions", "Notes"} <= set(workbook.sheetnames)
    sheet = workbook["Allocation"]
    headers = [cell.value for cell in sheet[3]]
    assert headers[:3] == ["Recipient", "2013/14 allocation", "Optimal allocation"] and sheet.freeze_panes == "A4"
    assert sheet["B4"].number_format == '"£"#,##0;-"£"#,##0' and sheet["E4"].number_format == "+0.0%;-0.0%;0.0%"
    assert sheet.column_dimensions["A"].width >= len("West Midlands Police")
    assert "80% range" in sheet["A1"].value
    items = [row[0].value for row in workbook["Assumptions"].iter_rows(min_row=4)]
    assert "Birmingham response curve" in items and "Fund" in items
    assert "Why each recipient gets what it gets" in out and "cannot take more" in out
    assert "80% range" in out and "(± " in out


def test_optimise_csf_scenario_is_traced_in_output_csv_and_workbook(csf_file, tmp_path):
    result = invoke("optimise", "csf", "--assumptions", str(csf_file(**QUICK_FUND)), "--scenario", "planning-2014-15",
                    "--out", str(tmp_path), "--no-chart")
    assert result.exit_code == 0, result.output
    label = "2014/15 planning (planning-2014-15.yaml)"
    assert f"scenario '{label}'" in result.output
    first = result.stdout.strip().splitlines()[0]  # the year once (the name holds it), and the file's baseline forecast
    assert first.startswith("Community Safety Fund 2014/15 (held at the 2013/14 level), scenario")
    assert ": 2014/15" not in first and "baseline crime forecast by seasonal-naive (200 paths, seed " in first
    folder = tmp_path / "optimise-csf"
    import openpyxl
    import pandas as pd

    assert set(pd.read_csv(folder / "allocation.csv")["scenario"]) == {label}
    assert set(pd.read_csv(folder / "baseline_crime.csv")["scenario"]) == {label}
    workbook = openpyxl.load_workbook(folder / "csf.xlsx")
    assert label in workbook["Allocation"]["A1"].value
    details = [row[3].value for row in workbook["Assumptions"].iter_rows(min_row=4)]
    assert label in details


def test_optimise_csf_json_with_budget_and_objective(csf_file, tmp_path):
    result = invoke("optimise", "csf", "--assumptions", str(csf_file(**QUICK_FUND)), "--budget", "7319000", "--objective", "cost",
                    "--out", str(tmp_path), "--json", "--no-chart")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["budget"] == 7319000 and payload["unit"] == "£ social cost avoided"
    assert sum(r["optimal"] for r in payload["allocation"]) <= 7319000 + 1e-6


def test_optimise_csf_says_a_category_read_as_another_as_every_command_does(csf_file, tmp_path, unpriced_fund):
    """outcome.categories: [burglary, ...] was read as burglary-dwelling without a word, on stdout or in --json."""
    fund = csf_file(**QUICK_FUND, **{"outcome.categories": ["burglary", "robbery"]})
    said = "Note: 'burglary' is read as burglary-dwelling."
    result = invoke("optimise", "csf", "--assumptions", str(fund), "--out", str(tmp_path), "--no-chart")
    assert result.exit_code == 0, result.output
    assert result.stdout.count(said) == 1 and said not in result.stderr
    as_json = invoke("optimise", "csf", "--assumptions", str(fund), "--out", str(tmp_path), "--no-chart", "--json")
    assert json.loads(as_json.stdout)["notes"].count(said[len("Note: "):]) == 1


def test_optimise_csf_says_what_a_fund_beyond_the_limits_leaves_unspent(csf_file, tmp_path, unpriced_fund):
    """A fund above the sum of the recipients' ceilings: the money left over, and that last year's split spent less."""
    result = invoke("optimise", "csf", "--assumptions", str(csf_file(**QUICK_FUND)), "--budget", "9000000",
                    "--out", str(tmp_path), "--no-chart")
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    pounds = lambda text: float(text.replace(",", ""))  # noqa: E731
    spent, unspent = re.search(r"Only £([\d,]+) of the £9,000,000 fund is allocated: .* so £([\d,]+) is left unspent",
                               out).groups()
    assert pounds(spent) == pytest.approx(1.1 * 6_969_000, abs=10) and pounds(spent) + pounds(unspent) == 9_000_000
    more = re.search(r"The 2013/14 split spends £6,969,000 and the optimal split £[\d,]+, £([\d,]+) more: part of", out)
    assert pounds(more.group(1)) == pytest.approx(0.1 * 6_969_000, abs=10)
    # every recipient is at its ceiling: "more than elsewhere" only where its next £10,000 does buy more
    compared = re.findall(r"would buy ([\d.]+), more than the ([\d.]+) elsewhere", out)
    assert all(float(here) > float(there) for here, there in compared)
    assert out.count("but it cannot take more") == 8 and len(compared) < 8


def _one_force_fund(tmp_path, area: str) -> Path:
    """A quick fund of two recipients in one force's area (``area``), on ``avon.csv``: one force in a force column."""
    path = tmp_path / f"fund-{area}.yaml"
    path.write_text(f"""version: 1
name: Avon fund
fund:
  budget: 1000000
  budget_sweep: {{low: 1000000, high: 1000000, step: 100000}}
  recipients:
    police: {{area: {area}, last_year: 600000}}
    partners: {{area: {area}, last_year: 400000}}
outcome: {{categories: [burglary, robbery]}}
forecast: {{data: {tmp_path / "avon.csv"}, as_of: 2019-03, model: seasonal-naive, paths: 200}}
response:
  max_reduction: {{dist: triangular, low: 0.01, mode: 0.03, high: 0.05}}
  half_spend_per_crime: {{dist: triangular, low: 20, mode: 40, high: 80}}
uncertainty: {{samples: 10, stability_samples: 5}}
""", encoding="utf-8")
    return path


def test_optimise_csf_on_one_force_of_peers_reads_area_force_as_that_force(tmp_path, unpriced_fund):
    """``area: force`` on a dataset of peers holding one force is that force, the area every command defaults to (as
    run and milestones do), and gives what naming the force gives: was "unknown area 'force' ... Known areas:
    avon-and-somerset"."""
    months = [f"{y}-{m:02d}" for y in range(2016, 2020) for m in range(1, 13)]
    rows = [f"{month},Avon and Somerset Constabulary,{crime},{base + 5 * (i % 12)}" for i, month in enumerate(months)
            for crime, base in (("Burglary", 800), ("Robbery", 90))]
    (tmp_path / "avon.csv").write_text("month,force,crime_type,count\n" + "\n".join(rows) + "\n", encoding="utf-8")
    asked = {area: invoke("optimise", "csf", "--assumptions", str(_one_force_fund(tmp_path, area)), "--areas", "peers",
                          "--no-chart", "--out", str(tmp_path / area))
             for area in ("force", "avon-and-somerset")}
    assert asked["force"].exit_code == 0, asked["force"].output
    assert asked["force"].output.replace("fund-force", "fund-avon-and-somerset").replace(
        str(tmp_path / "force"), str(tmp_path / "avon-and-somerset")) == asked["avon-and-somerset"].output
    baseline = (tmp_path / "force" / "optimise-csf" / "baseline_crime.csv").read_text()
    assert "police,avon-and-somerset,burglary," in baseline  # the force by its name, as scenarios name it


@pytest.mark.parametrize("solver", ["highs", "cbc"])  # --solver reaches the solve (test_allocate.py compares the two)
def test_optimise_csf_infeasible_is_one_clear_line(csf_file, solver):
    result = CliRunner().invoke(cli, ["optimise", "csf", "--assumptions", str(csf_file(**{"fund.recipients.solihull.floor": "130%"})),
                                      "--solver", solver])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no plan meets every constraint" in result.output and "Solihull" in result.output


def test_optimise_fleet_prints_the_plan_and_writes_files(tmp_path):
    result = invoke("optimise", "fleet", "fleet-2013", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Nissan Leaf (purchase)" in out and "Against Diesel 1.3L (purchase)" in out
    assert "the vehicle alone is 9.4% cheaper over its life; with its charge point (£1,000 after the grant) 3.3%" in out
    assert "5.9% dearer (not cheaper)" in out and "moves the saving by 5.0 points" in out
    assert "+14.8% against buying the Nissan Leaf (purchase) and +4.0% against the Diesel 1.3L" in out
    assert "24h-response duty rules out battery EVs" in out and "stop being the cheapest choice" in out
    assert "Charge points:" in out and "Sensitivity" in out
    folder = tmp_path / "optimise-fleet"
    assert {"vehicles.csv", "charge_points.csv", "tradeoff.csv", "tornado.csv", "switching_values.csv", "fleet.xlsx",
            "tradeoff.png", "tornado.png"} <= {p.name for p in folder.iterdir()}
    import openpyxl

    workbook = openpyxl.load_workbook(folder / "fleet.xlsx")
    assert {"Assumptions", "Notes"} <= set(workbook.sheetnames)
    sheet = workbook["Vehicles"]
    assert [c.value for c in sheet[3]][:3] == ["Vehicle", "Site", "Role"] and sheet.freeze_panes == "A4"
    assert sheet["G4"].number_format == '"£"#,##0;-"£"#,##0'
    items = [row[0].value for row in workbook["Assumptions"].iter_rows(min_row=4)]
    assert "Nissan Leaf (purchase)" in items and "Charge points" in items


def test_optimise_fleet_time_limit_skips_what_does_not_finish_and_says_so(tmp_path):
    result = invoke("optimise", "fleet", "fleet-2013", "--time-limit", "0.1", "--out", str(tmp_path), "--no-chart")
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 1:  # the plan itself did not finish: named, with its bound
        assert "did not prove an optimum within the time limit of 0.1 s" in result.output
    else:
        assert "skipped" in result.output


def test_optimise_fleet_json_and_co2_objective(tmp_path):
    result = invoke("optimise", "fleet", "fleet-2013", "--objective", "co2", "--budget", "800000", "--out", str(tmp_path),
                    "--json", "--no-chart")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["cost"] <= 800000 + 1e-6 and payload["co2"] < payload["baseline_co2"]
    assert payload["budget"] == 800000 and payload["co2_cap"] is None


def test_optimise_fleet_says_the_cap_it_was_solved_within_and_that_the_sensitivity_is_without_it(tmp_path):
    result = invoke("optimise", "fleet", "fleet-2013", "--co2-cap", "140", "--out", str(tmp_path), "--no-chart")
    assert result.exit_code == 0, result.output
    first = next(line for line in result.output.splitlines() if "renewals, objective" in line)
    assert "objective cost, within a CO2 cap of 140.0 t, solved" in first
    assert "optimal whole-life cost, minimising cost with no budget or CO2 cap" in result.output
    plain = invoke("optimise", "fleet", "fleet-2013", "--out", str(tmp_path), "--no-chart").output
    assert "objective cost, solved" in plain and "optimal whole-life cost):" in plain


def test_optimise_fleet_impossible_cap_is_one_line():
    result = CliRunner().invoke(cli, ["optimise", "fleet", "fleet-2013", "--co2-cap", "10"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "CO2 cap: at most 10.0 tonnes" in result.output and "would have to be raised" in result.output


# ---------------------------------------------------------------- quarterly data through the commands

@pytest.fixture
def quarterly_data(monkeypatch):
    """Every command that reads --data gets the demo data summed into quarters (as a quarterly import gives)."""
    from tests.conftest import quarterly_demo

    monkeypatch.setattr("crimecast.data.sources.open_counts", lambda *args, **kwargs: quarterly_demo())


def test_run_on_quarterly_data_forecasts_four_quarters_and_labels_them(quarterly_data, tmp_path):
    result = invoke("run", "burglary", "--model", "seasonal-naive", "--paths", "200", "--no-backtest", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "quarter " in out and "2014/15 Q1" in out and "2014/15 Q4" in out and "2015/16" not in out
    assert "Financial year 2014/15: " in out and "Against 2013/14 actual 12,868" in out
    assert "2013/14 on 2012/13" in out  # the recorded change adds four quarters a year
    frame = (tmp_path / "burglary-dwelling_force_forecast.csv").read_text().splitlines()
    assert frame[0].startswith("category,area,month,quarter,kind,")
    assert frame[-1].split(",")[2:5] == ["2015-01", "2014/15 Q4", "forecast"]
    assert (tmp_path / "burglary-dwelling_force_fan.png").stat().st_size > 10_000


def test_run_json_on_quarterly_data_and_horizon_in_quarters(quarterly_data, tmp_path):
    result = invoke("run", "burglary", "--model", "seasonal-naive", "--paths", "200", "--no-backtest", "--no-chart",
                    "--horizon", "8", "--json", "--out", str(tmp_path))
    payload = json.loads(result.stdout)
    forecast = payload["series"][0]["forecast"]
    assert [row["month"] for row in forecast] == ["2014-04", "2014-07", "2014-10", "2015-01", "2015-04", "2015-07",
                                                  "2015-10", "2016-01"]
    assert [y["financial_year"] for y in payload["series"][0]["financial_years"]] == ["2014/15", "2015/16"]
    assert forecast[0]["quarter"] == "2014/15 Q1" and forecast[-1]["quarter"] == "2015/16 Q4"


def test_backtest_on_quarterly_data_uses_one_year_windows_of_quarters(quarterly_data):
    result = invoke("backtest", "burglary", "--model", "seasonal-naive", "--models", "ets", "--paths", "200", "--json")
    payload = json.loads(result.stdout)
    assert payload["overall"][0]["windows"] == 3
    assert not [note for note in payload["notes"] if "too short" in note]  # 32 quarters hold three 4-quarter windows


def test_spc_on_quarterly_data_speaks_of_quarters(quarterly_data, tmp_path):
    result = invoke("spc", "total-recorded-crime", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "2009/10 Q1" in result.output and "a quarter" in result.output and "a month" not in result.output
    signals = (tmp_path / "total-recorded-crime_force_spc_signals.csv").read_text()
    assert signals.startswith("quarter,value,rules")


def test_milestones_on_quarterly_data_and_a_mid_quarter_as_of(quarterly_data, tmp_path):
    refused = invoke("milestones", "burglary", "--as-of", "2013-08", "--paths", "200")
    assert refused.exit_code == 2
    assert "in the middle of a quarter" in refused.output and "(2013-06)" in refused.output and "(2013-09)" in refused.output
    result = invoke("milestones", "burglary", "--target", "-8%", "--year", "2013/14", "--as-of", "2013-09",
                    "--model", "seasonal-naive", "--paths", "200", "--jobs", "1", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "after 2 quarters of 2013/14" in result.output and "Outcome: -6.1%" in result.output
    assert "in-year assurance as of 2013/14 Q2." in result.output  # the quarter, not its last month (2013-09)
    folder = tmp_path / "milestones-burglary-force"
    trajectories = (folder / "trajectories.csv").read_text().splitlines()
    assert trajectories[0].startswith("month,quarter,") and len(trajectories) == 5
    assert any(p.suffix == ".png" for p in folder.iterdir())


def test_milestones_as_of_decide_gaps_on_the_data_as_it_stood_then(write_csv, tmp_path):
    """Milestones at --as-of read the whole data (the year's outcome) and decided its gaps on it: a series was left out
    for a gap after the as-of month, and a month before it was filled from a count after it."""
    from tests.builders import replay_text

    data = ["--data", str(write_csv(replay_text())), "--areas", "peers", "--as-of", "2013-06", "--target", "-5%",
            "--model", "seasonal-naive", "--paths", "200", "--jobs", "1", "--no-chart", "--out", str(tmp_path)]
    kept = invoke("milestones", "burglary", "--area", "north", *data)  # its gap (2014-01 to 2014-03) is after 2013-06
    assert kept.exit_code == 0, kept.output
    assert "after 3 months of 2013/14" in kept.output and "left out for gaps" not in kept.output
    stopped = invoke("milestones", "robbery", "--area", "south", *data)  # 2013-06 missing then: not filled from 2013-07
    assert stopped.exit_code == 1 and "its counts stop at 2013-05" in stopped.output
    assert "filled" not in stopped.output


def test_messages_on_one_area_taken_out_of_several_name_it_not_force(write_csv, tmp_path):
    """Milestones on one area of peers forecast it as the whole (area 'force', its seed still made from its own key):
    a message named its series 'burglary / force' (the target's, a series' that stops); it names the area asked for."""
    from tests.builders import replay_text

    data = ["--data", str(write_csv(replay_text())), "--areas", "peers", "--target", "-5%", "--model", "seasonal-naive",
            "--paths", "200", "--jobs", "1", "--no-chart", "--out", str(tmp_path)]
    gaps = invoke("milestones", "burglary", "--area", "north", *data)  # left out for a gap too long to fill
    assert gaps.exit_code == 1 and "Error: the command-line target for burglary / north: burglary has" in gaps.output
    stopped = invoke("milestones", "robbery", "--area", "south", "--as-of", "2013-06", *data)
    assert stopped.exit_code == 1 and "Error: robbery / south: its counts stop at 2013-05" in stopped.output
    assert "/ force" not in gaps.output + stopped.output


# ---------------------------------------------------------------- --json: stdout is JSON and nothing else

# Commands whose --json output a test above already reads with json.loads(result.stdout) (notes and
# progress go to stderr, which CliRunner keeps apart): the test that does it.
JSON_TESTED_ABOVE = {
    "run": "test_run_json_is_machine_readable", "backtest": "test_backtest_json",
    "spc": "test_spc_json_with_known_changes", "scenario run": "test_scenario_run_json",
    "milestones": "test_milestones_every_category_in_year_json",
    "optimise csf": "test_optimise_csf_json_with_budget_and_objective",
    "optimise fleet": "test_optimise_fleet_json_and_co2_objective",
}


def _json_commands(tmp: Path, data: Path) -> dict[str, list[str]]:
    """A cheap invocation of every other command that takes --json, in an order that works."""
    scenario = tmp / "s.yaml"
    scenario.write_text(f"name: quick\nbase: {{data: {data}, as_of: 2013-03, model: seasonal-naive, paths: 200}}\n"
                        "drivers:\n  - {kind: uplift, category: robbery, area: north, value: 0.1}\n", encoding="utf-8")
    store = str(tmp / "store.duckdb")
    return {
        "data import": ["data", "import", "csv", str(data), "--name", "small", "--store", store],
        "data list": ["data", "list", "--store", store],
        "data show": ["data", "show", "small", "--store", store],
        "scenario check": ["scenario", "check", str(scenario)],
        "scenario compare": ["scenario", "compare", str(scenario), "--jobs", "1", "--out", str(tmp / "compare")],
        "compare": ["compare", "robbery", "--data", str(data), "--area", "north", "--peers", "south", "--no-forecast",
                    "--out", str(tmp / "peers")],
        "forecasts": ["forecasts", "--store", store],
    }


def _commands_with_json_option() -> set[str]:
    found = set()

    def walk(group, prefix):
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                walk(command, f"{prefix}{name} ")
            elif any("--json" in param.opts for param in command.params):
                found.add(f"{prefix}{name}")

    walk(cli, "")
    return found


def test_every_json_command_prints_only_json_on_stdout(small_csv, tmp_path):
    commands = _json_commands(tmp_path, small_csv)
    assert set(commands) | set(JSON_TESTED_ABOVE) == _commands_with_json_option(), "a new --json command: test it here"
    assert all(name in globals() for name in JSON_TESTED_ABOVE.values())
    for name, args in commands.items():  # in order: data list and show read what data import stored
        result = CliRunner().invoke(cli, [*args, "--json"])
        assert result.exit_code == 0, f"{name}: {result.output}"
        try:
            json.loads(result.stdout)
        except json.JSONDecodeError as error:
            pytest.fail(f"`forecast {name} --json` printed more than JSON on stdout ({error}):\n{result.stdout[:500]}")


def test_milestones_plan_next_year_from_mid_year_data(tmp_path):
    """Autumn planning: data to 2013-09, a target for 2014/15 on a 2013/14 not yet complete."""
    result = invoke("milestones", "burglary", "--target", "-8%", "--year", "2014/15", "--as-of", "2013-09",
                    "--model", "seasonal-naive", "--paths", "300", "--out", str(tmp_path), "--no-chart")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "planning from 2013-09" in text and "(part forecast)" in text
    assert "2013/14, the year its change targets are measured on, is partly forecast" in text
    assert "Oct 2013 to Mar 2014 forecast" in text


def test_the_notes_on_gaps_speak_of_the_series_asked_for(write_csv, tmp_path):
    """Of the areas asked for (session 29), and of the category: `spc burglary` listed robbery's gaps, and without
    --area spoke of the whole dataset (the force of districts reads every district)."""
    rows = [f"{y}-{m:02d},{area},{category},{20 + m + (area == 'south')}" for y in (2012, 2013, 2014)
            for m in range(1, 13) for area in ("north", "south") for category in ("burglary", "robbery")
            if not (area == "south" and category == "robbery" and y == 2013 and m in (4, 5, 6))  # too long to fill
            and not (area == "south" and category == "burglary" and (y, m) == (2013, 8))]  # filled
    data = write_csv("month,area,category,count\n" + "\n".join(rows) + "\n")
    dropped, filled = "1 series left out for gaps that may not be filled (robbery / south)", "filled 1 missing month "
    asked = {area: invoke("spc", "burglary", "--data", str(data), "--areas", "peers", "--area", area, "--no-chart",
                          "--out", str(tmp_path / area)) for area in ("north", "south", "all")}
    assert asked["north"].exit_code == 0 and "Note:" not in asked["north"].stderr
    for area in ("south", "all"):
        assert filled in asked[area].stderr and dropped not in asked[area].stderr
    robbery = invoke("spc", "robbery", "--data", str(data), "--areas", "peers", "--area", "all", "--no-chart",
                     "--out", str(tmp_path / "robbery"))
    assert dropped in robbery.stderr and filled not in robbery.stderr
    force = invoke("spc", "burglary", "--data", str(data), "--no-chart", "--out", str(tmp_path / "force"))
    assert force.exit_code == 0 and filled in force.stderr and dropped not in force.stderr
    run = invoke("run", "burglary", "--data", str(data), "--model", "seasonal-naive", "--paths", "200", "--no-backtest",
                 "--no-chart", "--jobs", "1", "--out", str(tmp_path / "run"))
    assert run.exit_code == 0 and filled in run.stderr and dropped not in run.stderr


def test_an_unknown_category_or_area_is_refused_before_any_note_on_the_data(write_csv, tmp_path):
    """`run burglery --area merseyside` said "filled 14 ... in 14 series" before the unknown-category error, and `run
    burglary` on separate forces the whole dataset's gaps before "name one with --area": an error comes alone (so
    too a Board pack's plan naming what the data does not hold, and a backtest of a series too short: session 31)."""
    rows = [f"{y}-{m:02d},{area},{category},{20 + m}" for y in (2012, 2013, 2014) for m in range(1, 13)
            for area in ("north", "south") for category in ("burglary", "robbery") if (y, m) != (2013, 8)]  # all filled
    data = str(write_csv("month,area,category,count\n" + "\n".join(rows) + "\n"))
    peers = ["--data", data, "--areas", "peers"]
    plan = tmp_path / "plan.yaml"  # a Board pack's plan with a misspelt category: was the notes, then the error
    plan.write_text("version: 1\nname: x\nyear: 2015/16\nmilestones:\n  - {category: burglery, area: south, "
                    "target: -5%}\n", encoding="utf-8")
    late = tmp_path / "late.yaml"  # a plan whose as_of: is past the data: was the notes, then the error
    late.write_text("version: 1\nname: x\nyear: 2014/15\nforecast: {as_of: 2016-03}\nmilestones:\n  - {category: "
                    "burglary, area: south, target: -5%}\n", encoding="utf-8")
    for args, error in [(["run", "burglery", "--area", "south"], "unknown category 'burglery'"),
                        (["spc", "burglery", "--area", "south"], "unknown category 'burglery'"),
                        (["backtest", "burglery", "--area", "south"], "unknown category 'burglery'"),
                        (["run", "burglary", "--area", "sout"], "unknown area 'sout'"),
                        (["run", "burglary"], "name one with --area"),
                        (["spc", "burglary"], "name one with --area"),
                        (["milestones", "burglery", "--target", "-5%", "--area", "south"], "unknown category 'burglery'"),
                        (["report", "--plan", str(plan), "--no-pdf"], "unknown category 'burglery'"),
                        (["backtest", "burglary", "--area", "south", "--as-of", "2014-06"], "no series is long enough"),
                        (["compare", "burglary", "--area", "south", "--peers", "west"], "unknown area 'west'")]:
        result = invoke(*args, *peers, *([] if args[0] == "backtest" else ["--out", str(tmp_path / "out")]))
        assert result.exit_code == 1 and result.stderr.startswith("Error: ") and error in result.stderr, result.stderr
        assert "Note:" not in result.stderr and "interpolation" not in result.stderr, args  # no note on the gaps
    for args in (["--plan", str(late)], ["burglary", "--target", "-5%", "--area", "south", "--as-of", "2016-03"]):
        result = invoke("milestones", *args, *peers, "--out", str(tmp_path / "out"))
        assert result.exit_code == 2 and result.stderr.startswith("Error: the as-of month, 2016-03, is after the last "
                                                                  "month of data"), result.stderr
    said = invoke("spc", "burglary", "--area", "south", *peers, "--no-chart", "--out", str(tmp_path / "spc"))
    assert said.exit_code == 0 and "Note: filled 1 missing month " in said.stderr  # the notes of a command that runs


@pytest.mark.parametrize(("name", "text", "args", "key"), [
    ("scenario.yaml", "version: 1\nname: x\nbase:\n  data: west-midland\ndrivers:\n  - {name: push, kind: uplift, "
     "category: robbery, value: 0.1}\n", ["scenario", "check"], "base.data"),
    ("plan.yaml", "version: 1\nname: x\nyear: 2013/14\ndata: west-midland\nmilestones:\n  - {category: robbery, "
     "target: -5%}\n", ["milestones", "--plan"], "data"),
])
def test_a_files_misspelt_data_is_named_by_file_and_key_with_a_suggestion(tmp_path, name, text, args, key):
    """A scenario's `data: londn` said only "'londn' is not a file, ...": no file, no key, no suggestion, though
    `--dataset pux` gets one."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = invoke(*args, str(path), "--store", str(tmp_path / "s.duckdb"))
    assert result.exit_code == 1, result.output
    assert f"Error: {path}: {key}: 'west-midland' is not a file" in result.stderr
    assert "Did you mean 'west-midlands'?" in result.stderr


def test_the_cli_has_no_thin_wrappers_of_library_functions():
    """The CLI is glue: a function of cli.py that only hands its arguments to another function is that function,
    called directly (was: _is_rate(rates, category), returning crimecast.data.rates.is_rate(rates, category))."""
    import ast

    import crimecast.cli

    tree = ast.parse(Path(crimecast.cli.__file__).read_text(encoding="utf-8"))
    wrappers = []
    for function in (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)):
        body = [s for s in function.body if not isinstance(s, (ast.Import, ast.ImportFrom))
                and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]  # imports and docstring
        call = body[0].value if len(body) == 1 and isinstance(body[0], ast.Return) else None
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
            continue
        passed = [a.id for a in call.args if isinstance(a, ast.Name)] + [
            k.value.id for k in call.keywords if isinstance(k.value, ast.Name) and k.arg == k.value.id]
        params = [a.arg for a in (*function.args.args, *function.args.kwonlyargs)]
        if params and passed == params and len(call.args) + len(call.keywords) == len(params):
            wrappers.append(f"{function.name} -> {call.func.id}")
    assert not wrappers, wrappers


# ---------------------------------------------------------------- notes: the same stream for every command

QUICK = ["--model", "seasonal-naive", "--paths", "100", "--jobs", "1"]


@pytest.mark.parametrize("args", [
    ["run", "burglary", *QUICK, "--horizon", "3", "--no-backtest", "--no-chart"],
    ["backtest", "burglary", *QUICK, "--models", "seasonal-naive,ets", "--windows", "1"],
    ["spc", "burglary", "--no-chart"],
    ["spc", "burglary", "--area", "birmingham,coventry", "--no-chart"],
    ["milestones", "burglary", *QUICK, "--no-chart"],
    ["milestones", "burglary", "--area", "birmingham,coventry", *QUICK, "--no-chart"],
], ids=["run", "backtest", "spc", "spc-areas", "milestones", "milestones-areas"])
def test_a_category_read_as_another_is_said_once_on_stdout_by_every_command(args, tmp_path):
    """A newcomer found the note on stderr (run), on stdout (backtest, milestones --area all) or not at all
    (milestones for one series): every command now says it as most did, among its own notes on stdout."""
    out = [] if args[0] == "backtest" else ["--out", str(tmp_path)]
    result = invoke(*args, *out)
    assert result.exit_code == 0, result.output
    said = "Note: 'burglary' is read as burglary-dwelling."
    assert result.stdout.count(said) == 1 and said not in result.stderr, (result.stdout, result.stderr)
    as_json = invoke(*args, *out, "--json")
    assert said not in as_json.stderr
    assert said[len("Note: "):] in json.loads(as_json.stdout)["notes"]

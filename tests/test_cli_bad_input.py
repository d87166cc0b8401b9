"""Issue 17: bad input and awkward conditions through the CLI, one case each.

Each bad input must give exit code 1 (data) or 2 (usage), one ``Error:`` line,
no traceback, and leave no output file behind. Series models here are the fast
baselines; the slow ones are marked.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import seasonal_counts
from crimecast.cli import cli

FAST = ("--model", "seasonal-naive", "--no-backtest", "--paths", "200", "--jobs", "1")
MILESTONE_FAST = ("--model", "seasonal-naive", "--paths", "200", "--jobs", "1")
ROOT = Path(__file__).resolve().parents[1]


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_one_error(result, code: int, message: str) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.output
    assert message in result.output, result.output


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) if folder.exists() else []


def monthly_csv(path: Path, series: dict[tuple[str, str], np.ndarray], *, start: str = "2009-04") -> Path:
    rows = []
    for (category, area), values in series.items():
        months = pd.date_range(start, periods=len(values), freq="MS")
        rows += [f"{m:%Y-%m},{area},{category},{int(v)}" for m, v in zip(months, values)]
    path.write_text("month,area,category,count\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def burglary(tmp_path) -> Path:
    return monthly_csv(tmp_path / "burglary.csv", {("burglary", "solihull"): seasonal_counts(60)})


# ------------------------------------------------------------ 1. output checked before any work

@pytest.mark.parametrize("below, message", [("file.txt/sub", "which is a file"), ("file.txt", "is a file, not a folder")])
def test_bad_out_is_refused_before_any_forecasting(tmp_path, monkeypatch, burglary, below, message):
    import crimecast.forecast.run as run

    monkeypatch.setattr(run, "run_forecasts", lambda *a, **k: pytest.fail("forecast before checking --out"))
    (tmp_path / "file.txt").write_text("x")
    out = tmp_path / below
    result = invoke("run", "all", "--data", burglary, "--out", out, *FAST)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output
    assert files_in(tmp_path) == ["burglary.csv", "file.txt"]


@pytest.mark.parametrize("command", [
    ["spc", "vehicle-crime"], ["scenario", "run", "domestic-abuse-uplift"], ["scenario", "compare", "domestic-abuse-uplift"],
    ["milestones", "burglary"], ["optimise", "csf"], ["optimise", "fleet", "fleet-2013"],
])
def test_every_command_with_out_checks_it_first(tmp_path, command):
    (tmp_path / "file.txt").write_text("x")
    result = invoke(*command, "--out", tmp_path / "file.txt" / "sub")
    assert result.exit_code == 2 and "which is a file" in result.output and "Traceback" not in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_unwritable_out_is_refused(tmp_path, burglary):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = invoke("run", "all", "--data", burglary, "--out", locked, *FAST)
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 2 and "cannot write" in result.output


# ------------------------------------------------------------ 2. one bad series never sinks a batch

def test_a_batch_finishes_every_series_it_can_and_exits_1_at_the_end(tmp_path):
    data = monthly_csv(tmp_path / "two.csv", {("burglary", "solihull"): seasonal_counts(60)})
    with data.open("a") as handle:  # a robbery series of two months: too short for any forecast
        handle.write("2014-02,solihull,robbery,3\n2014-03,solihull,robbery,4\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "robbery_solihull_forecast.csv").write_text("from an earlier run")
    result = invoke("run", "all", "--data", data, "--out", out, *FAST)
    assert result.exit_code == 1, result.output
    # the force's robbery and both totals of recorded crime are sums with that series as a part
    assert "Could not forecast 4 series" in result.output and "- robbery / solihull: " in result.output
    assert "- total-recorded-crime / force: its part robbery / solihull failed: " in result.output
    assert "Traceback" not in result.output
    assert "burglary_solihull_forecast.csv" in files_in(out)
    assert "robbery_solihull_forecast.csv" not in files_in(out), "a stale file for the failed series is removed"
    summary = pd.read_csv(out / "summary.csv").set_index(["category", "area"])
    assert summary.loc[("robbery", "solihull"), "status"].startswith("failed: ")
    assert summary.loc[("burglary", "solihull"), "status"] == "ok"


def test_one_force_failing_is_not_blamed_for_another_force(tmp_path):
    """Separate forces (peers) are no force's parts: each failure is its own, with its own reason."""
    data = tmp_path / "forces.csv"
    rows = [f"{m:%Y-%m},{force},burglary,{c}" for force in ("Kent", "Essex")
            for m, c in zip(pd.date_range("2009-04-01", periods=60, freq="MS"), seasonal_counts(60))]
    rows += ["2014-03,Anglia,burglary,3", "2014-02,Fenland,burglary,5", "2014-03,Fenland,burglary,4"]
    data.write_text("month,force,category,count\n" + "\n".join(rows) + "\n")
    result = invoke("run", "burglary", "--data", data, "--area", "all", "--out", tmp_path / "out", *FAST)
    assert result.exit_code == 1, result.output
    assert "Could not forecast 2 series" in result.output
    assert "- burglary / anglia: only 1 month of data" in result.output
    assert "- burglary / fenland: only 2 months of data" in result.output
    assert "its part" not in result.output


def test_milestones_through_every_area_leave_out_a_series_too_short_to_forecast_with_one_note(tmp_path):
    """`forecast milestones burglary --area all` on the police.uk local-authority file stopped at its first local
    authority of one month ("only 1 month of data") where `run` lists such series and carries on: milestones now
    leave them out with one note, in run's words; named on its own, such a series is still refused."""
    data = tmp_path / "forces.csv"
    rows = [f"{m:%Y-%m},{force},burglary,{c}" for force in ("Kent", "Essex")
            for m, c in zip(pd.date_range("2009-04-01", periods=60, freq="MS"), seasonal_counts(60))]
    rows += ["2014-03,Anglia,burglary,3", "2014-02,Fenland,burglary,5", "2014-03,Fenland,burglary,4"]
    data.write_text("month,force,category,count\n" + "\n".join(rows) + "\n")
    every = invoke("milestones", "burglary", "--target", "-5%", "--data", data, "--area", "all", "--no-chart",
                   "--out", tmp_path / "m", *MILESTONE_FAST)
    assert every.exit_code == 0, every.output
    text = " ".join(every.output.split())
    assert ("2 series could not be forecast, so their milestones are left out (the others are done). "
            "burglary / anglia: only 1 month of data; at least 3 are needed for any forecast. "
            "burglary / fenland: only 2 months of data; at least 3 are needed for any forecast.") in text
    assert "Burglary — Kent" in text and "Burglary — Essex" in text and "Anglia (" not in text
    one = invoke("milestones", "burglary", "--target", "-5%", "--data", data, "--area", "anglia", "--no-chart",
                 "--out", tmp_path / "one", *MILESTONE_FAST)
    assert_one_error(one, 1, "only 1 month of data")


def test_a_series_whose_counts_stopped_is_left_out_of_every_area_not_forecast_as_if_it_were_current(tmp_path):
    """A force's series that stops two years before the data ends is not forecast for months already past:
    `--area all` (every area) left it out with a note (the batch exited 1, a failure, for what it could not do),
    naming both forces it is listed as a failure, and named alone it is refused."""
    months = pd.date_range("2009-04-01", periods=60, freq="MS")
    rows = [f"{m:%Y-%m},{force},burglary,{c}" for force in ("Kent", "Essex")
            for i, (m, c) in enumerate(zip(months, seasonal_counts(60))) if force == "Essex" or i < 36]
    data = tmp_path / "forces.csv"
    data.write_text("month,force,category,count\n" + "\n".join(rows) + "\n")
    result = invoke("run", "burglary", "--data", data, "--area", "all", "--out", tmp_path / "out", *FAST)
    assert result.exit_code == 0, result.output
    assert ("1 series left out, with nothing to forecast from: its counts stop before 2014-03, the last month used "
            "(burglary / kent (to 2012-03)). To forecast it from its last count, name it with that as-of month "
            f"(`forecast run burglary --data {data} --area kent --as-of 2012-03`).") in " ".join(result.output.split())
    assert "Could not forecast" not in result.output and "1 series stops" not in result.output  # said once
    written = files_in(tmp_path / "out")
    assert "burglary_essex_forecast.csv" in written and not [name for name in written if "kent" in name]
    both = invoke("run", "burglary", "--data", data, "--area", "kent,essex", "--out", tmp_path / "both", *FAST)
    assert both.exit_code == 1 and ("- burglary / kent: its counts stop at 2012-03, 24 months before the data used "
                                    "ends (2014-03)") in both.output
    one = invoke("run", "burglary", "--data", data, "--area", "kent", "--out", tmp_path / "one", *FAST)
    assert one.exit_code == 1 and "its counts stop at 2012-03" in one.output and "Traceback" not in one.output


def test_every_area_leaves_out_a_series_whose_counts_stop_in_one_of_them_with_a_note_naming_a_command_that_works(tmp_path):
    """The Home Office table with --as-of 2013-06: fraud stops in 39 of 43 forces, so it is no category stopped
    everywhere, and `run all --area all` failed as a batch (exit 1, 39 failures); now those series are left out
    with one note whose command works, and a category every area stopped in names an area to forecast it in
    (peers have no default area: `forecast run fraud --data ... --as-of 2012-06` was refused)."""
    months = pd.date_range("2009-04-01", periods=60, freq="MS")
    stops = {"kent": 36, "essex": 39}  # fraud to 2012-03 and to 2012-06
    rows = [f"{m:%Y-%m},{force},{category},{c}" for force in stops for category in ("burglary", "fraud")
            for i, (m, c) in enumerate(zip(months, seasonal_counts(60))) if category == "burglary" or i < stops[force]]
    data = tmp_path / "forces.csv"
    data.write_text("month,force,category,count\n" + "\n".join(rows) + "\n")
    batch = invoke("run", "all", "--data", data, "--area", "all", "--as-of", "2012-06", "--out", tmp_path / "out", *FAST)
    assert batch.exit_code == 0, batch.output
    text = " ".join(batch.output.split())
    assert ("1 series left out, with nothing to forecast from: its counts stop before 2012-06, the last month used "
            "(fraud / kent (to 2012-03)). To forecast it from its last count, name it with that as-of month "
            f"(`forecast run fraud --data {data} --area kent --as-of 2012-03`).") in text
    assert "Could not forecast" not in text and "fraud_essex_forecast.csv" in files_in(tmp_path / "out")
    assert "1 series stops" not in text  # said once, by the selection (run all --area all listed the 39 twice)
    assert "total recorded crime in kent compared without fraud, whose counts stop at 2012-03" in text
    suggested = invoke("run", "fraud", "--data", data, "--area", "kent", "--as-of", "2012-03",
                       "--out", tmp_path / "suggested", *FAST)
    assert suggested.exit_code == 0, suggested.output
    every = invoke("run", "all", "--data", data, "--area", "all", "--out", tmp_path / "every", *FAST)
    assert every.exit_code == 0, every.output
    assert ("1 category left out, with nothing to forecast from: fraud (counts stop at 2012-06, 21 months before "
            "2014-03). To forecast it from its last count, name it with that as-of month (`forecast run fraud --data "
            f"{data} --area essex --as-of 2012-06`).") in " ".join(every.output.split())
    named = invoke("run", "fraud", "--data", data, "--area", "all", "--out", tmp_path / "named", *FAST)
    assert_one_error(named, 1, "none of the 2 series asked for has anything to forecast from")


def test_every_category_leaves_out_one_whose_counts_stop_with_a_note_not_a_failure(tmp_path):
    """The Home Office's fraud stops in 2012/13: `run all` on a force exited 1 for it, a batch that did all it could
    reported as failed; now every category (run, milestones, a scenario's category: all) leaves it out with one
    note saying when it stops and how to forecast it, and naming it still gets the clear error."""
    months = pd.date_range("2009-04-01", periods=60, freq="MS")
    rows = [f"{m:%Y-%m},{force},{category},{c}" for force in ("Kent", "Essex") for category in ("burglary", "fraud")
            for i, (m, c) in enumerate(zip(months, seasonal_counts(60))) if category == "burglary" or i < 36]
    data = tmp_path / "forces.csv"
    data.write_text("month,force,category,count\n" + "\n".join(rows) + "\n")
    said = "1 category left out, with nothing to forecast from: fraud (counts stop at 2012-03, 24 months before 2014-03)."
    batch = invoke("run", "all", "--data", data, "--area", "kent", "--out", tmp_path / "out", *FAST)
    assert batch.exit_code == 0, batch.output
    assert f"{said} To forecast it from its last count, name it with that as-of month " \
           f"(`forecast run fraud --data {data} --area kent --as-of 2012-03`)." in batch.output
    suggested = invoke("run", "fraud", "--data", data, "--area", "kent", "--as-of", "2012-03",
                       "--out", tmp_path / "suggested", *FAST)  # the command the note gives works as written
    assert suggested.exit_code == 0, suggested.output
    assert "Could not forecast" not in batch.output and "1 series stops" not in batch.output  # said once
    named = invoke("run", "fraud", "--data", data, "--area", "kent", "--out", tmp_path / "one", *FAST)
    assert named.exit_code == 1 and "fraud / kent: its counts stop at 2012-03" in named.output
    plan = invoke("milestones", "--data", data, "--area", "kent", "--no-chart", "--out", tmp_path / "m", *MILESTONE_FAST)
    assert plan.exit_code == 0, plan.output
    assert f"{said} To forecast it from its last count, name it with that as-of month " \
           f"(`forecast milestones fraud --data {data} --area kent --as-of 2012-03`)." in plan.output
    replay = invoke("milestones", "--data", data, "--area", "kent", "--year", "2011/12", "--no-chart",
                    "--out", tmp_path / "r", *MILESTONE_FAST)
    assert replay.exit_code == 0 and "Fraud — Kent" in replay.output and "left out" not in replay.output


def test_every_category_read_from_a_saved_forecast_says_a_stopped_category_once(tmp_path):
    """Milestones of every category on `run all --save`: the saved panel's note that fraud adds 0 to the total
    (the plan already said it is left out) was said a second time."""
    months = pd.date_range("2009-04-01", periods=60, freq="MS")
    rows = [f"{m:%Y-%m},kent,{category},{c}" for category in ("burglary", "fraud")
            for i, (m, c) in enumerate(zip(months, seasonal_counts(60))) if category == "burglary" or i < 36]
    data, store = tmp_path / "kent.csv", tmp_path / "store.duckdb"
    data.write_text("month,area,category,count\n" + "\n".join(rows) + "\n")
    saved = invoke("run", "all", "--data", data, "--store", store, "--save", "k", "--no-chart",
                   "--out", tmp_path / "out", *FAST)
    assert saved.exit_code == 0, saved.output
    plan = invoke("milestones", "--data", data, "--store", store, "--forecast", "k", "--no-chart",
                  "--out", tmp_path / "m", "--jobs", "1")  # (the saved forecast's settings: no --model or --paths)
    assert plan.exit_code == 0, plan.output
    assert "1 category left out, with nothing to forecast from: fraud" in plan.output
    assert "1 series stops" not in plan.output


def test_a_backtest_batch_reports_the_series_that_failed(tmp_path, monkeypatch):
    import crimecast.forecast.run as run

    real = run._backtest_one

    def flaky(item, spec, options, **kwargs):
        if item[0] == "robbery":
            raise ZeroDivisionError("no variation")
        return real(item, spec, options, **kwargs)

    monkeypatch.setattr(run, "_backtest_one", flaky)
    data = monthly_csv(tmp_path / "two.csv", {("burglary", "solihull"): seasonal_counts(60),
                                             ("robbery", "solihull"): seasonal_counts(60, seed=3)})
    result = invoke("backtest", "all", "--data", data, "--models", "ets,seasonal-naive", "--model", "seasonal-naive",
                    "--paths", "200", "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert "Could not backtest 2 series" in result.output and "unexpected ZeroDivisionError" in result.output  # and force
    assert "Overall" in result.output and "Traceback" not in result.output


def test_an_all_zero_series_is_forecast_as_zero_with_a_plain_note(tmp_path):
    data = monthly_csv(tmp_path / "zero.csv", {("robbery", "solihull"): np.zeros(60)})
    result = invoke("run", "robbery", "--data", data, "--out", tmp_path / "out", *FAST)  # seasonal-naive: no steps
    assert result.exit_code == 0, result.output
    assert "no change can be given on a year with no crimes" in result.output


@pytest.mark.slow
def test_an_all_zero_series_in_a_batch_with_steps_is_forecast(tmp_path):
    data = monthly_csv(tmp_path / "zero.csv", {("burglary", "solihull"): seasonal_counts(48),
                                              ("robbery", "solihull"): np.zeros(48)})
    result = invoke("run", "all", "--data", data, "--out", tmp_path / "out", "--no-backtest", "--paths", "200", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert {"robbery_solihull_forecast.csv", "burglary_solihull_forecast.csv"} <= set(files_in(tmp_path / "out"))


# ------------------------------------------------------------ 3. a month's forecast does not depend on --horizon

def test_the_first_months_are_the_same_whatever_the_horizon(tmp_path, burglary):
    tables = {}
    for horizon in (12, 24):
        out = tmp_path / f"h{horizon}"
        result = invoke("run", "all", "--data", burglary, "--out", out, "--horizon", horizon, "--model", "ets",
                        "--no-backtest", "--paths", "200", "--no-chart")
        assert result.exit_code == 0, result.output
        frame = pd.read_csv(out / "burglary_solihull_forecast.csv")
        tables[horizon] = frame[frame["kind"] == "forecast"].reset_index(drop=True)
    assert len(tables[24]) == 24
    pd.testing.assert_frame_equal(tables[12], tables[24].iloc[:12])


# ------------------------------------------------------------ 4. files others can read

def test_output_files_get_the_users_normal_permissions(tmp_path, burglary):
    old = os.umask(0o022)
    try:
        result = invoke("run", "all", "--data", burglary, "--out", tmp_path / "out", *FAST)
        template = CliRunner().invoke(cli, ["scenario", "new", "mine", "--out", str(tmp_path / "mine.yaml")])
    finally:
        os.umask(old)
    assert result.exit_code == 0 and template.exit_code == 0
    for path in [*(tmp_path / "out").iterdir(), tmp_path / "mine.yaml"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


# ------------------------------------------------------------ 5. one guarded reader

@pytest.mark.parametrize("args, message", [
    (["--data", "{dir}"], "is a folder, not a file"),
    (["--data", "{latin}"], "line 3: byte 0xe9 is not UTF-8"),
    (["--data", "{semicolon}"], "separated by semicolons"),
    (["--known-changes", "{latin_changes}"], "known-changes file"),
    (["--known-changes", "{quote_changes}"], "unclosed quote"),
    (["--known-changes", "{dir}"], "is a folder, not a file"),
])
def test_unreadable_files_give_one_line(tmp_path, burglary, args, message):
    paths = {"dir": tmp_path, "latin": tmp_path / "latin.csv", "semicolon": tmp_path / "semi.csv",
             "latin_changes": tmp_path / "changes-latin.csv", "quote_changes": tmp_path / "changes-quote.csv"}
    paths["latin"].write_bytes("month,count\n2013-01,5\n2013-02,6 caf\xe9\n".encode("latin-1"))
    paths["semicolon"].write_text("month;count\n2013-01;5\n", encoding="utf-8")
    paths["latin_changes"].write_bytes("month,description\n2013-04,op\xe9ration\n".encode("latin-1"))
    paths["quote_changes"].write_text('month,description\n2013-04,"Operation\n', encoding="utf-8")
    args = [a.format(**paths) for a in args]
    if "--data" not in args:
        args += ["--data", str(burglary)]
    out = tmp_path / "out"
    result = invoke("run", "all", *args, "--out", out, *FAST)
    assert_one_error(result, 1, message)
    assert not out.exists()


def test_ctrl_c_exits_130_with_one_line_and_no_files(tmp_path, monkeypatch, burglary):
    import crimecast.report.charts as charts

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(charts, "png_bytes", interrupted)
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.csv").write_text("previous run")
    result = invoke("run", "all", "--data", burglary, "--out", out, *FAST)
    assert result.exit_code == 130 and "Interrupted" in result.output and "Traceback" not in result.output
    assert files_in(out) == ["summary.csv"] and (out / "summary.csv").read_text() == "previous run"


# ------------------------------------------------------------ 6. plausibility

def _with_row(tmp_path: Path, month: str, count: str) -> Path:
    path = monthly_csv(tmp_path / "data.csv", {("burglary", "force"): seasonal_counts(60)})
    with path.open("a") as handle:
        handle.write(f"{month},force,burglary,{count}\n")
    return path


@pytest.mark.parametrize("month, count, message", [
    ("2014-04", "1000000000000", "row 62, column count: 1,000,000,000,000 for burglary in force in 2014-04 is"),
    ("2014-04", "1e20", "too large to be a monthly count"),
    ("2030-01", "200", "row 62, column month: 2030-01 is after the current month"),
    ("1999-01", "200", "row 62, column month: 1999-01 is 123 months away from the rest of burglary in force"),
    ("2016-01", "200", "row 62, column month: 2016-01 is 22 months away from the rest of burglary in force (2009-04 to 2014-03)"),
])
def test_implausible_rows_are_named(tmp_path, month, count, message):
    result = invoke("run", "all", "--data", _with_row(tmp_path, month, count), "--out", tmp_path / "out", *FAST)
    assert_one_error(result, 1, message)
    assert "months missing" not in result.output and not (tmp_path / "out").exists()


def test_an_outlier_is_kept_only_when_asked(tmp_path):
    data = _with_row(tmp_path, "2014-04", "1000000000000")
    assert "--keep-outliers" in invoke("list", "--data", data).output
    result = invoke("list", "--data", data, "--keep-outliers")
    assert result.exit_code == 0, result.output


# ------------------------------------------------------------ 8. messages that mislead

def test_a_month_in_another_documented_format_is_named_as_such(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("month,count\n2006-03,5\nApr 2006,6\n", encoding="utf-8")
    assert_one_error(invoke("list", "--data", path), 1, "'Apr 2006' is a month, but written differently")


def test_burgalry_suggests_burglary():
    result = invoke("run", "burgalry")
    assert_one_error(result, 1, "Did you mean 'burglary' (burglary-dwelling)")


def test_yaml_tag_error_names_the_kind_of_file(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("version: 1\nname: !!python/object:os.system x\nmilestones: []\n", encoding="utf-8")
    result = invoke("milestones", "--plan", plan)
    assert_one_error(result, 1, "a plan holds plain values only")


@pytest.mark.parametrize("models", [",", "crimecast", " , crimecast ,"])
def test_backtest_refuses_nothing_to_compare(models):
    result = invoke("backtest", "burglary", "--models", models)
    assert result.exit_code == 2 and "at least one model to compare" in result.output


# ------------------------------------------------------------ 9. examples and files that agree

def test_example_copies_a_shipped_example_with_its_csv(tmp_path):
    result = invoke("example", "fleet-2013", "changes", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert files_in(tmp_path) == ["changes.csv", "fleet-2013-vehicles.csv", "fleet-2013.yaml"]
    assert_one_error(invoke("example", "fleet-2013", "--out", tmp_path), 2, "already exists")
    assert_one_error(invoke("example", "fleet-2031", "--out", tmp_path), 2, "Did you mean 'fleet-2013'")
    listing = invoke("example", "--list")
    assert listing.exit_code == 0 and "domestic-abuse-uplift" in listing.output and "pfa.csv" in listing.output


def test_run_all_summary_prints_formatted_numbers(tmp_path):
    data = monthly_csv(tmp_path / "two.csv", {("burglary", "solihull"): seasonal_counts(60, level=5000),
                                             ("robbery", "solihull"): seasonal_counts(60, seed=3)})
    result = invoke("run", "all", "--data", data, "--out", tmp_path / "out", *FAST, "--no-chart")  # the printed table
    assert result.exit_code == 0, result.output
    assert re.search(r"\d,\d{3}", result.output) and re.search(r"[+-]\d+\.\d%", result.output)
    assert not re.search(r"-0\.0\d{3}\b", result.output)


def test_seasonal_adjust_keeps_the_unadjusted_chart(tmp_path):
    for extra in ([], ["--seasonal-adjust"]):
        assert invoke("spc", "burglary", "--out", tmp_path, *extra).exit_code == 0
    assert {"burglary-dwelling_force_spc.png", "burglary-dwelling_force_spc_adjusted.png"} <= set(files_in(tmp_path))


# ------------------------------------------------------------ 10. start-up

def test_the_console_command_exits_with_its_code_and_flushes_its_output(tmp_path):
    def forecast(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "crimecast", *args], cwd=tmp_path, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})

    listed = forecast("list")
    assert listed.returncode == 0 and "west-midlands" in listed.stdout  # written before the process ends at once
    usage = forecast("run")
    assert usage.returncode == 2 and "Missing argument" in usage.stderr
    unknown = forecast("run", "no-such-crime", "--no-chart")
    assert unknown.returncode == 1 and "unknown category" in unknown.stderr and "Traceback" not in unknown.stderr
    assert forecast("--version").returncode == 0


def test_help_imports_no_heavy_library():
    code = ("import sys, crimecast.cli; from click.testing import CliRunner; "
            "CliRunner().invoke(crimecast.cli.cli, ['--help']); "
            "print(sorted(m for m in ('pandas', 'scipy', 'matplotlib', 'prophet', 'statsmodels', 'pulp', 'numpy') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_charts_do_not_choose_a_backend_for_the_process():
    code = ("import matplotlib; before = matplotlib.rcParams['backend']; import crimecast.report.charts; "
            "print(matplotlib.rcParams['backend'] == before)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={**os.environ, "MPLBACKEND": "svg"})
    assert result.stdout.strip() == "True"



def test_a_malformed_month_in_a_street_file_names_file_row_and_column(tmp_path):
    from tests.builders import street_csv_text

    folder = tmp_path / "bad"
    folder.mkdir()
    lines = street_csv_text("Merseyside Police", "2019-01", seed=1).splitlines()
    lines[4] = lines[4].replace(",2019-01,", ",2019-13,", 1)
    (folder / "2019-01-merseyside-street.csv").write_text("\n".join(lines) + "\n")
    result = invoke("data", "import", "police-uk", folder, "--name", "bad", "--store", tmp_path / "s.duckdb")
    assert_one_error(result, 1, "2019-01-merseyside-street.csv, row 5, column Month: '2019-13' is not a month")
    assert "YYYY-MM" in result.output and not (tmp_path / "s.duckdb").exists()


@pytest.mark.parametrize("text, message", [
    ("month,area,category,count\n2019-01,a,burglary,3\n2019-13,a,burglary,4\n", "row 3, '2019-13' is not a month"),
    ("MajorText,BoroughName,201901,201913,201903\nBurglary,Camden,3,4,5\n", "column '201913' looks like a month"),
])
def test_a_malformed_month_in_a_csv_is_named_not_dropped(tmp_path, text, message):
    path = tmp_path / "counts.csv"
    path.write_text(text)
    wide = ("--wide",) if "MajorText" in text else ()
    result = invoke("data", "import", "csv", path, *wide, "--name", "c", "--store", tmp_path / "s.duckdb")
    assert_one_error(result, 1, message)
    assert str(path) in result.output


@pytest.mark.parametrize("row, message", [
    ("2012-08,Op X,burglary,westminstr", "row 2, column area: unknown area 'westminstr'"),
    ("2012-08,Op X,burglry,", "row 2, column category: unknown category 'burglry' in west-midlands. Did you mean 'burglary'"),
])
def test_a_misspelt_name_in_a_known_changes_file_is_refused(tmp_path, row, message):
    path = tmp_path / "kc-bad.csv"
    path.write_text("month,description,category,area\n" + row + "\n")
    result = invoke("spc", "burglary-dwelling", "--area", "dudley", "--known-changes", path, "--out", tmp_path / "out")
    assert_one_error(result, 1, message)
    assert str(path) in result.output and not (tmp_path / "out").exists()

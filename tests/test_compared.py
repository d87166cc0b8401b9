"""A total's change on the year before, like with like: a part whose counts stop is left out of both years.

The fixture is the Home Office's fraud in small: Kent's fraud, half its total recorded crime, stops at 2012-03 (as
fraud moved to Action Fraud after 2012/13); Essex's goes on. Compared with a year before that still counted it, Kent's
total fell by half for that reason alone: `forecast milestones` gave -47.9% "likely met" on a -5% target.
"""

from __future__ import annotations

import csv
import re
import shlex

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import HOME_OFFICE, needs_shared_data, seasonal_counts
from crimecast.cli import cli
from crimecast.forecast.compared import compared_note, stopped_parts, without

FAST = ("--model", "seasonal-naive", "--paths", "200", "--jobs", "1")
MONTHS = pd.date_range("2009-04-01", periods=60, freq="MS")  # 2009/10 to 2013/14
STOPS = 36  # Kent's fraud: its last count is 2012-03


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _count(category: str, force: str) -> pd.Series:
    values = pd.Series(seasonal_counts(60), index=MONTHS, dtype=float)
    return values.iloc[:STOPS] if (category, force) == ("fraud", "kent") else values


@pytest.fixture
def forces(tmp_path):
    rows = [f"{m:%Y-%m},{force},{category},{int(c)}" for force in ("kent", "essex") for category in ("burglary", "fraud")
            for m, c in _count(category, force).items()]
    path = tmp_path / "forces.csv"
    path.write_text("month,force,category,count\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _sum(category: str, force: str, first: str, last: str) -> int:
    return int(_count(category, force).loc[first:last].sum())


def _text(result) -> str:
    return " ".join(result.output.split())


# ---------------------------------------------------------------- the parts and the note

def test_a_part_whose_counts_stop_is_taken_out_of_the_history_and_named_in_one_line():
    counts = pd.DataFrame([(m, "kent", c, v) for c in ("burglary", "fraud") for m, v in _count(c, "kent").items()],
                          columns=["month", "area", "category", "count"])
    parts = stopped_parts(counts, [("burglary", "kent"), ("fraud", "kent"), ("robbery", "kent")],
                          as_of=pd.Timestamp("2012-06-01"))
    assert [(p.key, p.label) for p in parts] == [(("fraud", "kent"), "2012-03")]
    assert not stopped_parts(counts, [("fraud", "kent")], as_of=pd.Timestamp("2012-06-01"), total=("fraud", "kent"))
    total = _count("burglary", "kent") + _count("fraud", "kent").reindex(MONTHS, fill_value=0)
    pd.testing.assert_series_equal(without(total, parts), _count("burglary", "kent"))
    assert compared_note([(("total-recorded-crime", "kent"), parts[0])]) == [
        "total recorded crime compared without fraud, whose counts stop at 2012-03, in both years: a part no longer "
        "counted would otherwise read as a fall in crime."]


# ---------------------------------------------------------------- every command that states a total's change

def test_milestones_compare_a_total_without_the_part_that_stopped_in_both_years(forces, tmp_path):
    """Before: last year 4,754 (with fraud), expected -47.9%, P(meet) > 99.9%: "likely met" on a -5% target."""
    result = invoke("milestones", "total-recorded-crime", "--target", "-5%", "--data", forces, "--area", "kent",
                    "--as-of", "2012-06", "--no-chart", "--out", tmp_path / "out", *FAST)
    assert result.exit_code == 0, result.output
    text = _text(result)
    assert ("total recorded crime compared without fraud, whose counts stop at 2012-03, in both years: a part no "
            "longer counted would otherwise read as a fall in crime.") in text
    assert "likely met" not in text
    with open(tmp_path / "out" / "milestones-total-recorded-crime-kent" / "milestones.csv", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert float(row["last_year"]) == _sum("burglary", "kent", "2011-04", "2012-03")  # the year before, without fraud
    assert float(row["ytd_actual"]) == _sum("burglary", "kent", "2012-04", "2012-06")
    assert abs(float(row["expected_change"])) < 0.2 and row["compared_without"] == "fraud (to 2012-03)"


def test_the_board_pack_sets_the_year_to_date_against_last_year_without_the_part_that_stopped(forces, tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("version: 1\nname: Kent\nyear: 2012/13\nmilestones:\n"
                    "  - {category: total-recorded-crime, area: kent, target: -5%}\n", encoding="utf-8")
    result = invoke("report", "--plan", plan, "--data", forces, "--as-of", "2012-09", "--no-pdf",
                    "--out", tmp_path / "pack", *FAST)
    assert result.exit_code == 0, result.output
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (tmp_path / "pack" / "report.html").read_text()))
    now, before = (_sum("burglary", "kent", first, last) for first, last in (("2012-04", "2012-09"),
                                                                          ("2011-04", "2011-09")))
    assert f"({now:,} against {before:,})" in page  # before: against burglary and fraud
    assert "compared without fraud, whose counts stop at 2012-03, in both years" in page


def test_run_says_the_recorded_and_forecast_changes_of_a_total_without_the_part_that_stopped(forces, tmp_path):
    result = invoke("run", "total-recorded-crime", "--data", forces, "--area", "kent", "--as-of", "2012-06",
                    "--no-backtest", "--no-chart", "--out", tmp_path, *FAST)
    assert result.exit_code == 0, result.output
    now, before = _sum("burglary", "kent", "2012-04", "2012-06"), _sum("burglary", "kent", "2011-04", "2011-06")
    assert (f"Recorded 2012/13 year to date (3 months) on the same months of 2011/12, without fraud: {now:,} vs "
            f"{before:,}") in result.output
    assert f"Against 2011/12 actual {_sum('burglary', 'kent', '2011-04', '2012-03'):,}, without fraud: " in result.output
    assert "compared without fraud, whose counts stop at 2012-03, in both years" in _text(result)
    batch = invoke("run", "all", "--data", forces, "--area", "all", "--as-of", "2012-06", "--no-backtest",
                   "--no-chart", "--out", tmp_path / "all", *FAST)
    assert batch.exit_code == 0, batch.output
    summary = pd.read_csv(tmp_path / "all" / "summary.csv").set_index(["category", "area"])
    assert summary.at[("total-recorded-crime", "kent"), "change_on_previous"] > -0.2  # was -0.48
    assert summary.at[("total-recorded-crime", "kent"), "compared_without"] == "fraud (to 2012-03)"
    assert "total recorded crime in kent compared without fraud" in _text(batch)


def test_a_scenario_states_a_totals_change_without_the_part_that_stopped(forces, tmp_path):
    scenario = tmp_path / "push.yaml"
    scenario.write_text(f"version: 1\nname: push\nbase: {{data: {forces}, area: kent, as_of: 2012-06, paths: 200, "
                        "model: seasonal-naive}\ndrivers:\n  - {name: more, kind: uplift, category: burglary, value: 0.05}\n",
                        encoding="utf-8")
    result = invoke("scenario", "run", scenario, "--no-chart", "--jobs", "1", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    years = pd.read_csv(tmp_path / "out" / "scenario-push" / "financial_years.csv")
    total = years[years["category"] == "total-recorded-crime"].iloc[0]
    assert total["previous_actual"] == _sum("burglary", "kent", "2011-04", "2012-03")
    assert total["baseline_change"] > -0.2 and total["actual_change"] > -0.2  # both were about -0.48
    assert "compared without fraud, whose counts stop at 2012-03, in both years" in _text(result)


def test_compare_ranks_totals_by_their_change_without_the_part_that_stopped(forces, tmp_path):
    result = invoke("compare", "total-recorded-crime", "--data", forces, "--area", "kent", "--peers", "essex",
                    "--year", "2012/13", "--no-forecast", "--no-chart", "--json", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    kent = {a["area"]: a for a in __import__("json").loads(result.stdout)["areas"]}["kent"]
    assert kent["previous"] == _sum("burglary", "kent", "2011-04", "2012-03")


# ---------------------------------------------------------------- the commands notes suggest run as written

def test_a_suggested_milestones_command_runs_as_written_from_another_store(forces, tmp_path, monkeypatch):
    """The note left --store out: `forecast milestones fraud --dataset syn --area kent --as-of 2012-03` asked for a
    store in the working folder ("no store at crimecast.duckdb")."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRIMECAST_STORE", raising=False)
    store = tmp_path / "elsewhere" / "forces.duckdb"
    store.parent.mkdir()
    assert invoke("data", "import", "csv", forces, "--name", "syn", "--store", store).exit_code == 0
    plan = invoke("milestones", "--dataset", "syn", "--store", store, "--area", "kent", "--no-chart", *FAST)
    assert plan.exit_code == 0, plan.output
    suggested = re.search(r"\(`(forecast milestones [^`]+)`\)", _text(plan)).group(1)
    assert "--target" not in suggested  # --target defaults to 0%: the command needs none
    ran = invoke(*shlex.split(suggested)[1:], "--no-chart", *FAST)
    assert ran.exit_code == 0, ran.output
    assert "Fraud — Kent" in ran.output


@needs_shared_data
def test_west_midlands_total_on_the_home_office_table_is_compared_without_fraud(tmp_path):
    """2013/14 from 2013/14 Q1: 2012/13 was 170,759 with fraud, 168,802 without (its counts stop at 2012/13 Q4)."""
    store = tmp_path / "forces.duckdb"
    assert invoke("data", "import", "home-office", HOME_OFFICE, "--name", "forces", "--sum-duplicates",
                  "--store", store).exit_code == 0
    result = invoke("milestones", "total-recorded-crime", "--target", "-5%", "--dataset", "forces", "--store", store,
                    "--area", "west-midlands", "--as-of", "2013-06", "--no-chart", "--out", tmp_path / "out", *FAST)
    assert result.exit_code == 0, result.output
    assert re.search(r"Total recorded crime — West Midlands\s+2013/14\s+-5.0% or lower\s+168,802\s", result.output)
    assert ("total recorded crime compared without fraud-offences, whose counts stop at 2012/13 Q4, in both years"
            in _text(result))


def test_a_years_total_and_its_change_leave_out_the_part_that_stopped_within_the_year(tmp_path):
    """Cheshire's fraud on the Home Office table counts 35 in 2013/14 Q1 and stops: `run total-recorded-crime
    --as-of 2013-09` gave the year's median with those 35 (56,325) but its change without them (-0.6% on 56,615,
    where 56,325 is -0.5%). Both now leave the part out, and the year's line says so."""
    rows = [f"{m:%Y-%m},kent,{category},{c}" for category in ("burglary", "fraud")
            for i, (m, c) in enumerate(zip(MONTHS, seasonal_counts(60))) if category == "burglary" or i < 38]
    data = tmp_path / "kent.csv"  # fraud to 2012-05: two months of 2012/13 observed, then it stops
    data.write_text("month,area,category,count\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = invoke("run", "total-recorded-crime", "--data", data, "--as-of", "2012-06", "--no-backtest",
                    "--no-chart", "--out", tmp_path / "out", *FAST)
    assert result.exit_code == 0, result.output
    year = re.search(r"Financial year 2012/13 \(part actual\), without fraud: ([\d,]+) \(median", result.output)
    against = re.search(r"Against 2011/12 actual ([\d,]+), without fraud: ([+-][\d.]+)%", result.output)
    assert year and against, result.output
    median, previous = (float(found.replace(",", "")) for found in (year.group(1), against.group(1)))
    assert f"{(median / previous - 1) * 100:+.1f}" == against.group(2)  # one basis: the change is of the total shown
    assert "compared without fraud, whose counts stop at 2012-05, in both years" in _text(result)

"""Rate series through the CLI: run, spc, list, data import and milestones, as a user would type them."""

import json

import pandas as pd
from click.testing import CliRunner

from crimecast.cli import cli
from crimecast.data.rates import embedded_rates


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _satisfaction_csv(tmp_path, *, change=None, name="sat.csv"):
    rates = embedded_rates("west-midlands")
    force = rates[(rates["area"] == "force") & (rates["category"] == "satisfaction-crime")]
    frame = pd.DataFrame({"month": force["month"].dt.strftime("%Y-%m"), "satisfied": force["numerator"],
                          "surveyed": force["denominator"]}).reset_index(drop=True).astype(object)
    if change:
        frame.loc[change[0], change[1]] = change[2]
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_run_on_a_rate_series_prints_percentages_and_writes_csv_and_chart(tmp_path):
    result = invoke("run", "satisfaction-crime", "--paths", "200", "--no-backtest", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "ILLUSTRATIVE DATA" in out and "a rate: satisfied / surveyed" in out
    assert "Rolling 12 months to Mar 2014: 83.8%" in out and "80% interval" in out and "%" in out.split("\n")[-12]
    forecast = pd.read_csv(tmp_path / "satisfaction-crime_force_forecast.csv")
    assert forecast["mean"].between(0, 1).all() and len(forecast) == 12
    assert (tmp_path / "satisfaction-crime_force_fan.png").stat().st_size > 10_000


def test_what_run_refuses_on_a_rate_series_is_refused_before_the_notice(tmp_path):
    """`run satisfaction-crime --save s` (and `--model ets`) printed the illustrative notice, then the error."""
    for option in (["--save", "s", "--store", str(tmp_path / "s.duckdb")], ["--model", "ets"]):
        result = CliRunner().invoke(cli, ["run", "satisfaction-crime", *option, "--out", str(tmp_path)])
        assert result.exit_code == 2 and result.stderr.startswith("Error: "), result.stderr
        assert "ILLUSTRATIVE" not in result.output


def test_run_on_a_rate_series_with_backtest_and_json(tmp_path):
    result = invoke("run", "satisfaction-asb", "--area", "birmingham", "--paths", "200", "--json", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)  # pure JSON on stdout; the illustrative notice goes to stderr
    assert payload["rate"] and payload["area"] == "birmingham" and payload["illustrative"]
    assert {c["model"] for c in payload["coverage"]} == {"logit-binomial", "binomial-only"}


def test_spc_on_a_rate_series_draws_the_p_chart_and_says_which(tmp_path):
    result = invoke("spc", "satisfaction-asb", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "p' chart (Laney)" in result.output and "survey sampling alone explains" in result.output
    points = pd.read_csv(tmp_path / "satisfaction-asb_force_pchart.csv")
    assert len(points) == 36 and (points["lower"] < points["centre"]).all()
    assert (tmp_path / "satisfaction-asb_force_pchart.png").stat().st_size > 10_000


def test_list_shows_rate_series_apart_from_categories():
    result = invoke("list")
    assert result.exit_code == 0
    assert "Rate series in west-midlands" in result.output and "satisfaction-crime" in result.output


def test_import_rates_then_forecast_spc_and_milestones_from_the_store(tmp_path):
    store = str(tmp_path / "s.duckdb")
    result = invoke("data", "import", "csv", str(_satisfaction_csv(tmp_path)), "--numerator-col", "satisfied",
                    "--denominator-col", "surveyed", "--name", "sat", "--store", store)
    assert result.exit_code == 0, result.output
    assert "never summed into total recorded crime" in result.output
    listed = invoke("data", "list", "--store", store)
    assert "rates" in listed.output and "2008-04" in listed.output
    run = invoke("run", "sat", "--dataset", "sat", "--store", store, "--paths", "200", "--no-backtest",
                 "--out", str(tmp_path / "o"))
    assert run.exit_code == 0 and "Rolling 12 months to Mar 2014: 83.8%" in run.output
    assert "(a rate: satisfied / surveyed)" in run.output  # the file's columns are satisfaction's own words
    spc = invoke("spc", "sat", "--dataset", "sat", "--store", store, "--out", str(tmp_path / "o"))
    assert spc.exit_code == 0 and "p-chart" in spc.output
    plan = tmp_path / "plan.yaml"
    plan.write_text("year: 2013/14\nmilestones:\n  - {name: Satisfaction, category: sat, rate: 88%, basis: rolling-12}\n")
    milestones = invoke("milestones", "--plan", str(plan), "--dataset", "sat", "--store", store, "--paths", "300",
                        "--out", str(tmp_path / "o"))
    assert milestones.exit_code == 0, milestones.output
    assert "at least 88.0% (rolling 12 months)" in milestones.output and "83.8% (missed)" in milestones.output


def test_a_one_force_rates_dataset_needs_no_area_on_the_command_line_or_in_a_plan(tmp_path):
    """A satisfaction file of one force (area merseyside, no 'force' total) failed run and a plan with no area:
    "no sat rate for area 'force'. Areas: merseyside"; its only area is the default, as for counts."""
    store, path = str(tmp_path / "s.duckdb"), _satisfaction_csv(tmp_path)
    pd.read_csv(path).assign(force="Merseyside Police").to_csv(path, index=False)
    assert invoke("data", "import", "csv", str(path), "--numerator-col", "satisfied", "--denominator-col", "surveyed",
                  "--name", "sat", "--store", store).exit_code == 0
    run = invoke("run", "sat", "--dataset", "sat", "--store", store, "--paths", "200", "--no-backtest",
                 "--out", str(tmp_path / "o"))
    assert run.exit_code == 0, run.output
    assert "Sat — Merseyside (a rate" in run.output and "Rolling 12 months to Mar 2014: 83.8%" in run.output
    plan = tmp_path / "plan.yaml"
    plan.write_text("year: 2013/14\nmilestones:\n  - {name: Satisfaction, category: sat, rate: 88%}\n")
    milestones = invoke("milestones", "--plan", str(plan), "--dataset", "sat", "--store", store, "--paths", "200",
                        "--no-chart", "--out", str(tmp_path / "o"))
    assert milestones.exit_code == 0, milestones.output
    assert "83.8% (missed)" in milestones.output


def test_a_share_of_burglaries_is_told_in_its_own_columns_words(tmp_path):
    # the share of burglaries that were in a dwelling: no "satisfied", no "surveys", in the text or the chart
    store = str(tmp_path / "s.duckdb")
    path = tmp_path / "dwelling-share.csv"
    pd.read_csv(_satisfaction_csv(tmp_path)).rename(columns={"satisfied": "dwelling", "surveyed": "burglaries"}).to_csv(
        path, index=False)
    result = invoke("data", "import", "csv", str(path), "--numerator-col", "dwelling", "--denominator-col", "burglaries",
                    "--name", "share", "--store", store)
    assert result.exit_code == 0, result.output
    listed = invoke("list", "--dataset", "share", "--store", store)
    assert "Rate series in share (dwelling / burglaries, never in total recorded crime)" in listed.output
    run = invoke("run", "dwelling-share", "--dataset", "share", "--store", store, "--paths", "200", "--no-backtest",
                 "--no-chart", "--out", str(tmp_path / "o"))
    assert run.exit_code == 0 and "(a rate: dwelling / burglaries)" in run.output, run.output
    assert "burglaries ahead assumed at" in run.output and "binomial sampling of the burglaries" in run.output
    header = (tmp_path / "o" / "dwelling-share_force_forecast.csv").read_text().splitlines()[0].split(",")
    assert header[:3] == ["month", "denominator", "mean"]  # the burglaries assumed, not "surveys"
    spc = invoke("spc", "dwelling-share", "--dataset", "share", "--store", store, "--out", str(tmp_path / "o"), "--json")
    assert spc.exit_code == 0 and "binomial sampling" in spc.stdout
    assert json.loads(spc.stdout)["words"] == {"numerator": "dwelling", "denominator": "burglaries",
                                               "ratio": "dwelling / burglaries", "axis": "% dwelling (of burglaries)"}
    plan = tmp_path / "plan.yaml"
    plan.write_text("year: 2013/14\nmilestones:\n  - {name: Share, category: dwelling-share, rate: 80%}\n")
    unchanged = tmp_path / "unchanged.yaml"  # a scenario for this data: its (no) drivers leave rates as they are
    unchanged.write_text("version: 1\nname: none\ndescription: no change\nbase:\n  data: share\ndrivers: []\n")
    milestones = invoke("milestones", "--plan", str(plan), "--dataset", "share", "--store", store, "--paths", "200",
                        "--scenario", str(unchanged), "--no-chart", "--out", str(tmp_path / "o"))
    assert milestones.exit_code == 0, milestones.output
    assert "rate milestones (dwelling / burglaries) are shown unchanged under it" in milestones.output
    for out in (run.output, spc.stdout, milestones.output):
        assert "satisf" not in out.lower() and "survey" not in out.lower(), out


def test_bad_rate_files_fail_in_one_line_with_exit_1_and_no_dataset(tmp_path):
    store = tmp_path / "s.duckdb"
    cases = [(("5", "surveyed", 0), "denominator of 0"), (("5", "satisfied", 9999), "more than its denominator"),
             (("5", "satisfied", "84%"), "looks like a rate")]
    for (row, column, value), words in cases:
        path = _satisfaction_csv(tmp_path, change=(int(row), column, value), name=f"bad-{column}.csv")
        result = CliRunner().invoke(cli, ["data", "import", "csv", str(path), "--numerator-col", "satisfied",
                                          "--denominator-col", "surveyed", "--name", "bad", "--store", str(store)])
        assert result.exit_code == 1 and "Traceback" not in result.output
        lines = [line for line in result.output.splitlines() if line.startswith("Error")]
        assert len(lines) == 1 and words in lines[0] and "row 7" in lines[0] and column in lines[0]
    assert not store.exists() or "bad" not in invoke("data", "list", "--store", str(store)).output


def test_rates_of_separate_forces_are_refused_not_added_up_into_one_force_rate(tmp_path):
    """Satisfaction of Merseyside and Cleveland in a `force` column (or with --areas peers, which a rates import took
    and dropped): was stored as districts of one force, with a `force` rate of both forces' surveys added up, the
    default area of a plan without one; refused (nothing stored), and --areas parts still reads them as districts."""
    store = tmp_path / "s.duckdb"
    sat = pd.read_csv(_satisfaction_csv(tmp_path))
    frame = pd.concat([sat.assign(force=force) for force in ("Merseyside Police", "Cleveland Police")])
    path = tmp_path / "forces.csv"
    frame.to_csv(path, index=False)
    ask = ["data", "import", "csv", str(path), "--numerator-col", "satisfied", "--denominator-col", "surveyed",
           "--area-col", "force", "--name", "sat", "--store", str(store)]
    for extra, code in (([], 1), (["--areas", "peers"], 2)):
        result = CliRunner().invoke(cli, ask + extra)
        assert result.exit_code == code, result.output
        assert ("the areas in column 'force' (cleveland-police, merseyside-police) are separate forces" in result.output
                and "Import each force's rows as a dataset of its own" in result.output), result.output
    assert not store.exists() or "sat" not in invoke("data", "list", "--store", str(store)).output
    assert invoke(*ask, "--areas", "parts").exit_code == 0


def test_only_one_of_numerator_and_denominator_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["data", "import", "csv", str(_satisfaction_csv(tmp_path)), "--numerator-col",
                                      "satisfied", "--name", "x", "--store", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 2 and "needs both --numerator-col" in result.output


def test_milestones_plan_of_satisfaction_on_the_embedded_data(tmp_path):
    plan = tmp_path / "satisfaction.yaml"
    plan.write_text("year: 2013/14\nmilestones:\n  - {name: Crime, category: satisfaction-crime, rate: 88%}\n"
                    "  - {name: ASB, category: satisfaction-asb, rate: 80%, basis: rolling-12}\n")
    result = invoke("milestones", "--plan", str(plan), "--paths", "300", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "at least 88.0% (the financial year's rate)" in out and "at least 80.0% (rolling 12 months)" in out
    assert "83.8% (missed)" in out and "77.7% (missed)" in out and "P(meet)" in out
    folder = next(tmp_path.glob("milestones-*"))
    table = pd.read_csv(folder / "milestones.csv")
    assert list(table["unit"]) == ["rate", "rate"] and (folder / "01_crime.png").exists()


def test_a_plan_of_counts_and_rates_on_the_embedded_data_gives_a_notice_covering_both(tmp_path):
    """The notice said only "synthetic counts ..., not real recorded crime" of a plan with satisfaction milestones too
    (and of a plan of rates only)."""
    from crimecast.data.load import embedded_notice

    plan = tmp_path / "mixed.yaml"
    rate = "  - {name: Crime, category: satisfaction-crime, rate: 88%}\n"
    plan.write_text("year: 2013/14\nmilestones:\n  - {name: Burglary, category: burglary-dwelling, target: -8%}\n" + rate)
    args = ("--model", "seasonal-naive", "--paths", "100", "--jobs", "1", "--no-chart", "--out", str(tmp_path))
    result = CliRunner().invoke(cli, ["milestones", "--plan", str(plan), *args])
    assert result.exit_code == 0, result.output
    notice = result.stderr.splitlines()[0]
    assert notice.startswith("ILLUSTRATIVE DATA: synthetic counts") and "not real recorded crime" in notice
    assert "synthetic satisfaction rates" in notice and notice.endswith("not real survey results.")
    plan.write_text("year: 2013/14\nmilestones:\n" + rate)
    rates_only = CliRunner().invoke(cli, ["milestones", "--plan", str(plan), *args])
    assert rates_only.exit_code == 0 and rates_only.stderr.splitlines()[0] == embedded_notice(rates=True)


def test_rate_milestones_on_a_dataset_of_rates_name_their_model_and_check_a_scenario_as_counts_do(tmp_path):
    store = str(tmp_path / "s.duckdb")
    assert invoke("data", "import", "csv", str(_satisfaction_csv(tmp_path)), "--numerator-col", "satisfied",
                  "--denominator-col", "surveyed", "--name", "sat", "--store", store).exit_code == 0
    plan = tmp_path / "plan.yaml"
    plan.write_text("year: 2013/14\nmilestones:\n  - {name: Satisfaction, category: sat, rate: 88%}\n")
    args = ("milestones", "--plan", str(plan), "--dataset", "sat", "--store", store, "--paths", "200", "--no-chart",
            "--out", str(tmp_path / "o"))
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert "Model: logit-binomial, 200 paths." in result.output and "crimecast" not in result.output.split("\n")[1]
    assert json.loads(invoke(*args, "--json").stdout)["model"] == "logit-binomial"
    other = invoke(*args, "--scenario", "planning-2014-15")  # West Midlands' scenario: its data is not this
    assert other.exit_code == 2 and "uses data 'west-midlands' but the milestones use 'sat'" in other.output
    drivers = tmp_path / "push.yaml"
    drivers.write_text("version: 1\nname: push\ndescription: more\nbase:\n  data: sat\ndrivers:\n  - name: push\n"
                       "    kind: uplift\n    category: sat\n    value: 0.1\n")
    pushed = invoke(*args, "--scenario", str(drivers))
    assert pushed.exit_code == 1 and "drivers[0].category: sat holds rate series only (sat) and no counts" in pushed.output
    target = invoke("milestones", "sat", "--target", "-5%", "--dataset", "sat", "--store", store)  # was a traceback
    assert target.exit_code == 2 and "holds rate series only (sat)" in target.output and "rate: 88%" in target.output



def test_a_stored_rate_series_with_a_missing_month_is_one_error_not_a_traceback(tmp_path):
    from crimecast.data.store import save_rates

    rates = embedded_rates("west-midlands")
    rates = rates[(rates["area"] == "force") & (rates["category"] == "satisfaction-crime")]
    rates = rates[rates["month"] != pd.Timestamp("2013-07-01")].reset_index(drop=True)  # a store imported before gaps were refused
    store, path = str(tmp_path / "s.duckdb"), tmp_path / "sat.csv"
    path.write_text("month,satisfied,surveyed\n")
    save_rates(rates, name="sat", path=path, store=store)
    for command in ("run", "spc"):
        result = CliRunner().invoke(cli, [command, "satisfaction-crime", "--dataset", "sat", "--store", store,
                                          "--no-chart", "--out", str(tmp_path)])
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and not isinstance(result.exception, ValueError)
        assert "no row for 2013-07" in result.output and "import it again with --replace" in result.output


def test_a_command_on_counts_given_a_dataset_of_rates_only_says_so_and_what_reads_rates(tmp_path):
    store = str(tmp_path / "s.duckdb")
    invoke("data", "import", "csv", str(_satisfaction_csv(tmp_path)), "--numerator-col", "satisfied",
           "--denominator-col", "surveyed", "--name", "sat", "--store", store)
    for args in (("backtest", "sat"), ("compare", "sat", "--area", "force", "--peers", "force")):
        result = CliRunner().invoke(cli, [*args, "--dataset", "sat", "--store", store])
        assert result.exit_code == 1, result.output
        assert "sat holds rate series only" in result.output and "`forecast run RATE --dataset sat`" in result.output
        assert "Known categories:  (" not in result.output


def test_the_illustrative_notice_over_a_rate_series_speaks_of_rates_not_counts(tmp_path):
    """The embedded data's notice said "synthetic counts" over satisfaction rates; the counts' notice is unchanged."""
    for args in (["run", "satisfaction-crime", "--no-backtest"], ["spc", "satisfaction-asb"]):
        result = invoke(*args, "--no-chart", "--out", str(tmp_path))
        assert result.exit_code == 0, result.output
        assert "ILLUSTRATIVE DATA: synthetic satisfaction rates" in result.stderr and "counts" not in result.stderr
        assert result.stderr.count("ILLUSTRATIVE") == 1
    assert "synthetic satisfaction rates" in embedded_rates("west-midlands").attrs["notice"]  # its charts and JSON
    counts = invoke("spc", "robbery", "--no-chart", "--out", str(tmp_path))
    assert "ILLUSTRATIVE DATA: synthetic counts" in counts.stderr

"""Scenarios end to end on the embedded data: coherent totals, tables, contributions, the 2013/14 replay."""

import dataclasses
import textwrap

import numpy as np
import pytest

from crimecast.data.load import load_counts
from crimecast.data.series import series_of, with_totals
from crimecast.errors import ScenarioError
from crimecast.forecast.reconcile import REST_OF_FORCE
from crimecast.scenarios.run import compare_scenarios, run_scenario
from crimecast.scenarios.spec import load_scenario

FAST_BASE = "{as_of: 2013-03, model: seasonal-naive, paths: 400}"


@pytest.fixture(scope="module")
def counts():
    return with_totals(load_counts("west-midlands"))


def write_scenario(path, drivers: str, *, name: str = "test", base: str = FAST_BASE):
    text = f"name: {name}\nbase: {base}\ndrivers:\n" + textwrap.indent(textwrap.dedent(drivers), "  ")
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


@pytest.fixture(scope="module")
def result(counts, tmp_path_factory):
    scenario = write_scenario(tmp_path_factory.mktemp("s") / "s.yaml", """
        - {name: op, kind: uplift, category: burglary-dwelling, area: walsall, value: -0.1, ramp_months: 3}
        - {name: push, kind: share, category: violence-with-injury, from: 0.3, to: 0.36}
        """)
    return run_scenario(scenario, counts=counts)


def test_reported_series_are_targets_their_force_totals_and_trc(result):
    assert result.reported == [("burglary-dwelling", "walsall"), ("burglary-dwelling", "force"),
                               ("violence-with-injury", "force"), ("total-recorded-crime", "force")]
    assert ("burglary-dwelling", REST_OF_FORCE) in result.baseline.bottom


def test_every_path_is_coherent(result):
    for paths in (result.baseline, result.paths):
        categories = sorted({c for c, _ in paths.bottom})
        trc = sum(paths.total(c, "force") for c in categories)
        assert len(categories) == 10 and np.allclose(paths.total("total-recorded-crime", "force"), trc)
        assert np.allclose(paths.total("burglary-dwelling", "force"),
                           paths.bottom[("burglary-dwelling", "walsall")] + paths.bottom[("burglary-dwelling", REST_OF_FORCE)])


def test_financial_year_table_and_actual_outcome(result, counts):
    years = result.financial_years().set_index(["category", "area"])
    vwi = years.loc[("violence-with-injury", "force")]
    assert vwi["financial_year"] == "2013/14"
    assert vwi["scenario_mean"] == pytest.approx(vwi["baseline_mean"] * 0.7 / 0.64, rel=1e-9)
    actual = series_of(counts, category="violence-with-injury", area="force").loc["2013-04":"2014-03"].sum()
    assert vwi["actual"] == actual and vwi["actual_change"] == pytest.approx(0.087, abs=0.001)
    walsall = years.loc[("burglary-dwelling", "walsall")]
    assert walsall["difference_hi80"] < 0 < walsall["baseline_mean"]
    trc = years.loc[("total-recorded-crime", "force")]
    assert trc["difference_mean"] == pytest.approx(vwi["difference_mean"] + walsall["difference_mean"], rel=1e-9)


def test_contributions_add_up(result):
    table = result.contributions.query("category == 'total-recorded-crime'").set_index("driver")["change"]
    assert table["op"] < 0 < table["push"]
    assert table["op"] + table["push"] + table["interaction"] == pytest.approx(table["all drivers"])
    assert abs(table["interaction"]) < 1e-6  # the two drivers touch different series


def test_monthly_table_has_baseline_scenario_difference_and_actuals(result):
    monthly = result.monthly_table()
    assert len(monthly) == 4 * 12
    assert {"baseline_mean", "scenario_lo80", "difference_hi80", "actual"} <= set(monthly.columns)
    assert monthly["actual"].notna().all()


def test_same_inputs_same_numbers(counts, tmp_path):
    drivers = "- {name: rise, kind: trend, category: shoplifting, value: {dist: normal, mean: 0.08, sd: 0.03}}\n"
    first = run_scenario(write_scenario(tmp_path / "a.yaml", drivers), counts=counts).financial_years()
    second = run_scenario(write_scenario(tmp_path / "a.yaml", drivers), counts=counts).financial_years()
    assert first.equals(second)


def test_compare_runs_several_scenarios_on_one_baseline(counts, tmp_path):
    low = write_scenario(tmp_path / "low.yaml", "- {name: r, kind: uplift, category: robbery, value: 0.05}", name="low")
    high = write_scenario(tmp_path / "high.yaml", "- {name: r, kind: uplift, category: robbery, value: 0.2}", name="high")
    comparison = compare_scenarios([low, high], counts=counts)
    table = comparison.financial_years().query("category == 'robbery'").set_index("scenario")
    assert list(table.index) == ["baseline", "low", "high"]
    assert table.loc["high", "mean"] == pytest.approx(table.loc["baseline", "mean"] * 1.2)
    assert table.loc["low", "mean"] == pytest.approx(table.loc["baseline", "mean"] * 1.05)


def test_compare_refuses_different_bases(tmp_path):
    one = write_scenario(tmp_path / "one.yaml", "- {kind: uplift, category: robbery, value: 0.1}")
    two = write_scenario(tmp_path / "two.yaml", "- {kind: uplift, category: robbery, value: 0.1}",
                         base="{as_of: 2013-06, model: seasonal-naive, paths: 400}")
    with pytest.raises(ScenarioError, match="base.as_of is '2013-06'.*must match"):
        compare_scenarios([one, two])


def test_the_domestic_abuse_share_moves_2013_14_toward_the_published_outcome(counts):
    """The report's 30% -> 36% share applied as of March 2013 (issue 4).

    On ETS, the fast member of the default model: the replay on the default model
    itself is test_assess.py's test_the_2013_14_replay_with_the_default_model,
    which checks the same violence-with-injury outcome under this scenario.
    """
    scenario = load_scenario("domestic-abuse-uplift")
    scenario = dataclasses.replace(scenario, base=scenario.base.model_copy(update={"model": "ets", "paths": 400}))
    result = run_scenario(scenario, counts=counts)
    vwi = result.financial_years().set_index(["category", "area"]).loc[("violence-with-injury", "force")]
    assert vwi["actual_change"] == pytest.approx(0.087, abs=0.001)
    assert abs(vwi["scenario_change_mean"] - vwi["actual_change"]) < 0.5 * abs(vwi["baseline_change"] - vwi["actual_change"])
    assert vwi["scenario_change_lo80"] < vwi["actual_change"] < vwi["scenario_change_hi80"]


def test_one_force_of_several_is_named_where_the_whole_would_read_force_wide(result, tmp_path):
    from crimecast.report.scenarios import contribution_frame, describe_driver, write_scenario_tables, year_table

    push = result.resolved.drivers[1]
    assert "violence with injury (force-wide)" in describe_driver(push)  # one force's own data: force-wide
    assert "Violence with injury — force-wide" in set(year_table(result)["series"])
    named = dataclasses.replace(result, resolved=dataclasses.replace(result.resolved, force="merseyside",
                                                                     whole_title="Merseyside"))
    assert "violence with injury (Merseyside)" in describe_driver(push, whole="Merseyside")
    assert {"Violence with injury — Merseyside", "Burglary dwelling — Walsall"} <= set(year_table(named)["series"])
    assert "Total recorded crime — Merseyside" in set(contribution_frame(named)["series"])
    years = write_scenario_tables(named, tmp_path, data_label="x")[1].read_text(encoding="utf-8")
    assert "violence-with-injury,merseyside," in years and ",force," not in years


def test_a_year_after_a_forecast_year_has_its_change_read_path_by_path(counts, tmp_path):
    from crimecast.report.scenarios import comparison_table, part_forecast_note, year_table

    scenario = write_scenario(tmp_path / "two.yaml", "- {name: r, kind: uplift, category: robbery, value: 0.1}",
                              base="{as_of: 2014-03, horizon: 24, model: seasonal-naive, paths: 200}")
    result = run_scenario(scenario, counts=counts)
    years = result.financial_years().query("category == 'robbery'").set_index("financial_year")
    second = years.loc["2015/16"]
    assert np.isnan(second["previous_actual"]) and second["previous_months_forecast"] == 12
    assert second["previous_expected"] == pytest.approx(years.loc["2014/15", "baseline_mean"])
    assert second["baseline_change"] == pytest.approx(second["baseline_mean"] / second["previous_expected"] - 1)
    assert second["scenario_change_mean"] == pytest.approx(second["scenario_mean"] / years.loc["2014/15", "scenario_mean"] - 1)
    shown = year_table(result).set_index(["series", "year"]).loc[("Robbery — force-wide", "2015/16")]
    assert shown["last year"].endswith("(forecast)") and shown["change"] != "-" and shown["change "] != "-"
    assert part_forecast_note(result.financial_years())[0].startswith("2015/16: the year before is not yet recorded")
    compared = comparison_table(compare_scenarios([scenario], counts=counts)).set_index(["series", "year"])
    assert "-" not in compared.loc[("Robbery — force-wide", "2015/16")].tolist()


def test_a_contribution_that_rounds_to_no_crimes_shows_0_not_minus_0(result):
    from crimecast.report.scenarios import contribution_frame

    tiny = result.contributions.copy()
    tiny.loc[tiny["driver"] == "interaction", "change"] = -0.3
    shown = contribution_frame(dataclasses.replace(result, contributions=tiny))
    assert "-0" not in shown["crimes"].tolist() and "0" in shown["crimes"].tolist()


def test_the_year_table_shows_beside_each_mean_change_the_median_milestones_expects(result, tmp_path):
    """scenario run showed only means (+9.4% for violence with injury under the reporting push) where milestones
    --scenario expects the median path's change (+8.8%): two figures for one forecast. Each change now has the median
    milestones gives beside it; the CSV keeps its columns in their order and adds the medians after them."""
    from crimecast.report.scenarios import write_scenario_tables, year_table
    from crimecast.report.tables import percent
    from crimecast.scenarios.assessment import outlook

    key = ("violence-with-injury", "force")
    years = result.financial_years().set_index(["category", "area"])
    vwi = years.loc[key]
    shown = year_table(result).set_index("series").loc["Violence with injury — force-wide"]
    for forecast, name, column in zip(result.forecasts(key), ("baseline", "scenario"), ("median", "median ")):
        expected = outlook(forecast.year_total_paths(2013), last_year=vwi["previous_actual"], threshold=0.0)
        assert vwi[f"{name}_change_median"] == pytest.approx(expected.expected_change, abs=1e-12)
        assert vwi[f"{name}_median"] == pytest.approx(expected.expected, abs=1e-9)
        assert shown[column] == percent(expected.expected_change)
    assert shown["change "] == percent(vwi["scenario_change_mean"]) != shown["median "]  # the mean, as before
    header = write_scenario_tables(result, tmp_path, data_label="x")[1].read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",")[:23] == [
        "category", "area", "financial_year", "previous_actual", "previous_expected", "previous_months_forecast",
        "baseline_mean", "baseline_lo80", "baseline_hi80", "scenario_mean", "scenario_lo80", "scenario_hi80",
        "difference_mean", "difference_lo80", "difference_hi80", "baseline_change", "scenario_change_mean",
        "scenario_change_lo80", "scenario_change_hi80", "actual", "actual_change", "scenario", "data"]
    assert header.split(",")[23:] == ["baseline_median", "scenario_median", "baseline_change_median",
                                      "scenario_change_median"]  # added last, so readers by position still work

"""Scenarios checked against the data: each mistake named with file, key path and fix."""

import textwrap

import pandas as pd
import pytest

from crimecast.data.load import load_counts
from crimecast.data.series import with_totals
from crimecast.errors import ScenarioError
from crimecast.scenarios.resolve import resolve_scenario
from crimecast.scenarios.spec import load_scenario


@pytest.fixture(scope="module")
def counts():
    return with_totals(load_counts("west-midlands"))


@pytest.fixture
def scenario(tmp_path):
    def make(drivers: str, base: str = "as_of: 2013-03"):
        path = tmp_path / "s.yaml"
        path.write_text(textwrap.dedent(f"name: s\nbase: {{{base}}}\ndrivers:\n") + textwrap.indent(textwrap.dedent(drivers), "  "),
                        encoding="utf-8")
        return load_scenario(path)
    return make


def test_names_become_series_and_defaults_fill_in(counts, scenario):
    resolved = resolve_scenario(scenario("""
        - {name: a, kind: uplift, category: burglary, area: [Walsall, force], value: 0.1}
        - {name: b, kind: uplift, category: all, value: 0.01, start: 2013-06, end: 2013-12}
        """), counts)
    a, b = resolved.drivers
    assert a.targets == (("burglary-dwelling", "walsall"), ("burglary-dwelling", "force"))
    assert a.start == pd.Timestamp("2013-04-01") and a.end is None
    assert len(b.targets) == 10 and b.start == pd.Timestamp("2013-06-01")
    assert resolved.split == {"burglary-dwelling": ["walsall"]}
    assert resolved.months[0] == pd.Timestamp("2013-04-01") and len(resolved.months) == 12
    assert any("'burglary' is read as burglary-dwelling" in n for n in resolved.notes)


def test_as_of_defaults_to_the_last_month(counts, scenario):
    resolved = resolve_scenario(scenario("- {kind: uplift, category: robbery, value: 0.1}", base="horizon: 14"), counts)
    assert resolved.as_of == pd.Timestamp("2014-03-01") and len(resolved.months) == 14


def test_a_horizon_that_ends_no_financial_year_is_refused(counts, scenario):
    with pytest.raises(ScenarioError, match="base.horizon: 6 months from 2014-04 end in 2014-09.*12 months or more"):
        resolve_scenario(scenario("- {kind: uplift, category: robbery, value: 0.1}", base="horizon: 6"), counts)


@pytest.mark.parametrize("drivers, base, message", [
    ("- {kind: uplift, category: burglery, value: 0.1}", "as_of: 2013-03",
     "drivers[0].category: unknown category 'burglery'"),
    ("- {kind: uplift, category: robbery, area: walsal, value: 0.1}", "as_of: 2013-03",
     "drivers[0].area: unknown area 'walsal'"),
    ("- {kind: uplift, category: robbery, value: 0.1, start: 2015-01}", "as_of: 2013-03",
     "drivers[0].start: 2015-01 is outside the forecast (2013-04 to 2014-03)"),
    ("- {kind: uplift, category: robbery, value: 0.1, end: 2013-02}", "as_of: 2013-03",
     "drivers[0].end: 2013-02 is outside the forecast"),
    ("- {kind: uplift, category: robbery, value: 0.1, start: 2013-09, end: 2013-08}", "as_of: 2013-03",
     "end 2013-08 is before start 2013-09"),
    ("- {kind: level_shift, category: robbery, area: solihull, value: -500}", "as_of: 2013-03",
     "drivers[0].value: a level shift as low as -500 a month would make robbery in solihull negative"),
    ("- {kind: level_shift, category: robbery, value: {dist: normal, mean: -100, sd: 1000}}", "as_of: 2013-03",
     "would make robbery in force negative"),
    ("- {kind: uplift, category: trc, value: 0.1}", "as_of: 2013-03", "write category: all"),
    ("- {kind: uplift, category: robbery, value: 0.1}", "as_of: 2016-03", "base.as_of: 2016-03 is outside the data"),
])
def test_mistakes_against_the_data_are_named(counts, scenario, drivers, base, message):
    with pytest.raises(ScenarioError) as caught:
        resolve_scenario(scenario(drivers, base), counts)
    assert message.lower() in str(caught.value).lower()
    assert "s.yaml" in str(caught.value)


def test_single_area_data_refuses_district_drivers(scenario, small_csv):
    counts = with_totals(load_counts(small_csv)).query("area == 'north'").assign(area="force")
    with pytest.raises(ScenarioError, match="one area only"):
        resolve_scenario(scenario("- {kind: uplift, category: robbery, area: north, value: 0.1}", base="as_of: 2013-03"), counts)


def test_a_driver_may_name_the_force_that_area_picked(scenario, small_csv):
    """One force of several, forecast as the whole (--area merseyside): a driver naming it means force-wide."""
    counts = with_totals(load_counts(small_csv)).query("area == 'north'").assign(area="force")
    counts.attrs["force_name"] = "north"
    resolved = resolve_scenario(scenario("- {kind: uplift, category: robbery, area: North, value: 0.1}",
                                         base="as_of: 2013-03"), counts)
    assert [driver.targets for driver in resolved.drivers] == [(("robbery", "force"),)]
    assert resolved.force == "north"  # so output names it, not "force-wide"
    with pytest.raises(ScenarioError, match="one area only"):  # any other area is still refused
        resolve_scenario(scenario("- {kind: uplift, category: robbery, area: south, value: 0.1}", base="as_of: 2013-03"),
                         counts)


def test_category_all_leaves_out_a_category_whose_counts_stop_before_as_of(scenario):
    # as `forecast run all` and milestones do (the Home Office's fraud stops in 2012/13): named, the panel refuses it
    raw = load_counts("west-midlands")
    stopped = raw.loc[~((raw["category"] == "robbery") & (raw["month"] > pd.Timestamp("2012-03-01")))]
    stopped.attrs = raw.attrs
    resolved = resolve_scenario(scenario("- {name: b, kind: uplift, category: all, value: 0.01}"), with_totals(stopped))
    assert "robbery" not in {c for c, _ in resolved.drivers[0].targets} and len(resolved.drivers[0].targets) == 9
    assert resolved.left_out == ("robbery",)
    assert resolved.notes[0] == ("1 category left out, with nothing to forecast from: robbery (counts stop at 2012-03, "
                                 "12 months before 2013-03). To forecast it from its last count, name it with that "
                                 "as-of month (category: robbery with base.as_of: 2012-03).")


def test_a_driver_after_the_last_whole_year_shown_says_it_changes_none(tmp_path):
    """From mid-year data a 12-month forecast reports one whole year; a driver starting after it says so and how far
    base.horizon must reach, rather than leaving a table of zero differences and an empty contribution table."""
    from click.testing import CliRunner

    from crimecast.cli import cli

    path = tmp_path / "late.yaml"
    path.write_text("version: 1\nname: late\nbase: {as_of: 2013-09}\ndrivers:\n"
                    "  - {name: push, kind: uplift, category: robbery, value: 0.1, start: 2014-04}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["scenario", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert ("push starts in 2014-04, after the last financial year the forecast covers to its end (2013/14, to 2014-03), "
            "so it changes no year shown; base.horizon: 18 reaches the end of 2014/15.") in result.output
    path.write_text(path.read_text(encoding="utf-8").replace("as_of: 2013-09", "as_of: 2013-09, horizon: 18"),
                    encoding="utf-8")
    assert "changes no year shown" not in CliRunner().invoke(cli, ["scenario", "check", str(path)]).output


def test_a_driver_without_an_area_acts_on_the_area_the_scenario_forecasts(counts, scenario):
    """`base.area: walsall` read with the whole force's data (milestones and the Board pack read the plan's data, not
    the scenario's part of it): a driver that names no area acts on Walsall, as `scenario run` has it, not force-wide;
    one that names the force still does."""
    resolved = resolve_scenario(scenario("""
        - {name: a, kind: uplift, category: burglary, value: 0.1}
        - {name: b, kind: uplift, category: robbery, area: force, value: 0.1}
        """, base="as_of: 2013-03, area: walsall"), counts)
    a, b = resolved.drivers
    assert a.targets == (("burglary-dwelling", "walsall"),) and b.targets == (("robbery", "force"),)
    assert resolved.split == {"burglary-dwelling": ["walsall"]}

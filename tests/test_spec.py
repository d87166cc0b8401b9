"""ForecastSpec: one validated description of a forecast, embedded by scenario, plan and fund files."""

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, strategies as st

from crimecast.cli import cli
from crimecast.defaults import DEFAULT_MODEL, DEFAULT_PATHS, DEFAULT_SEED
from crimecast.errors import FundFileError, ScenarioError, UsageError
from crimecast.forecast.spec import ForecastSpec, forecast_spec
from crimecast.optimise.assumptions import load_assumptions
from crimecast.scenarios.plan import load_plan
from crimecast.scenarios.spec import load_scenario


def test_defaults_come_from_the_defaults_module():
    spec = ForecastSpec()
    assert (spec.model, spec.paths, spec.seed, spec.steps, spec.as_of, spec.horizon) == (
        DEFAULT_MODEL, DEFAULT_PATHS, DEFAULT_SEED, True, None, None)


def test_the_default_exceptional_periods_are_the_default_calendars_and_none_keeps_every_month_in():
    from crimecast.data.exceptional import load_exceptional
    from crimecast.defaults import DEFAULT_EXCEPTIONAL

    assert ForecastSpec().exceptional == load_exceptional(DEFAULT_EXCEPTIONAL) == load_exceptional("covid-uk")
    assert forecast_spec().exceptional == ForecastSpec().exceptional  # an option not given keeps the default
    assert forecast_spec(exceptional=()).exceptional == ()  # --exceptional none
    assert ForecastSpec(exceptional="none").exceptional == ForecastSpec(exceptional=[]).exceptional == ()
    assert ForecastSpec(exceptional="covid-uk") == ForecastSpec()
    assert ForecastSpec.model_validate(ForecastSpec(exceptional="none").model_dump(mode="json")).exceptional == ()
    with pytest.raises(ValueError, match="unknown calendar 'covid'. Did you mean 'covid-uk'"):
        ForecastSpec(exceptional="covid")


def test_an_unknown_model_suggests_the_nearest():
    with pytest.raises(ValueError, match="unknown model 'prophet-defualt'. Did you mean 'prophet-default'"):
        ForecastSpec(model="prophet-defualt")


def test_known_changes_and_exceptional_periods_read_from_mappings_and_round_trip():
    spec = ForecastSpec(as_of="2014-03-01", known_changes=[{"month": "2013-04", "description": "push",
                                                            "category": "Violence with injury"}],
                        exceptional=[{"start": "2020-04", "end": "2020-06", "label": "lockdown"}])
    assert spec.as_of == "2014-03" and spec.as_of_month == pd.Timestamp("2014-03-01")
    assert spec.known_changes[0].month == pd.Timestamp("2013-04-01") and spec.known_changes[0].category == "violence-with-injury"
    assert spec.exceptional[0].end == pd.Timestamp("2020-06-01") and spec.exceptional[0].label == "lockdown"
    assert ForecastSpec.model_validate(spec.model_dump(mode="json")) == spec


@pytest.mark.parametrize("raw, message", [
    ({"exceptional": [{"start": "2020-06", "end": "2020-04"}]}, "ends (2020-04) before it starts (2020-06)"),
    ({"known_changes": [{"month": "2013-04"}]}, "needs 'description'"),
    ({"known_changes": [{"month": "2013-04", "description": "x", "areas": "y"}]}, "unknown key 'areas'"),
    ({"as_of": "April"}, "expected a month written YYYY-MM"),
    ({"paths": 10}, "greater than or equal to 100"),
])
def test_bad_values_are_named(raw, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ForecastSpec(**raw)


def test_options_given_override_a_files_settings_and_bad_ones_are_a_usage_error():
    base = ForecastSpec(model="ets", paths=500)
    assert forecast_spec(base=base, seed=3) == ForecastSpec(model="ets", paths=500, seed=3)
    assert forecast_spec(base=base, model=None) == base
    with pytest.raises(UsageError, match="^paths: "):
        base.updated(paths=5)


@given(paths=st.integers(100, 100_000), seed=st.integers(-10**6, 10**6), model=st.sampled_from(
    ["crimecast", "prophet", "prophet-default", "ets", "seasonal-naive"]))
def test_a_spec_survives_json(paths, seed, model):
    spec = ForecastSpec(paths=paths, seed=seed, model=model)
    assert ForecastSpec.model_validate_json(spec.model_dump_json()) == spec


def test_scenario_plan_and_fund_files_embed_it(tmp_path):
    scenario = load_scenario("domestic-abuse-uplift")
    assert isinstance(scenario.base, ForecastSpec) and scenario.base.forecast_spec() == ForecastSpec(as_of="2013-03")
    assumptions, _ = load_assumptions("csf-2013-14")
    assert assumptions.forecast.forecast_spec() == ForecastSpec(model="ets", paths=500, as_of="2014-03")
    plan = tmp_path / "plan.yaml"
    plan.write_text("name: p\nyear: 2013/14\nforecast: {model: ets, paths: 300}\nmilestones:\n"
                    "  - {category: burglary, target: -8%}\n", encoding="utf-8")
    assert load_plan(plan).forecast == ForecastSpec(model="ets", paths=300)


def test_an_unknown_model_in_a_fund_file_is_one_line(csf_file, tmp_path):
    path = csf_file(**{"forecast.model": "arima"})
    with pytest.raises(FundFileError, match=r"line \d+: forecast.model: Unknown model 'arima'.*Use one of: crimecast"):
        load_assumptions(path)
    result = CliRunner().invoke(cli, ["optimise", "csf", "--assumptions", str(path), "--out", str(tmp_path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert [line for line in result.output.splitlines() if line.startswith("Error")][0].count("arima") == 1


def test_a_scenario_base_with_an_unknown_key_names_the_spec_keys(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"name": "s", "base": {"modle": "ets"}, "drivers": []}), encoding="utf-8")
    with pytest.raises(ScenarioError, match="unknown key 'modle'. Did you mean 'model'.*known_changes, exceptional"):
        load_scenario(path)


def test_steps_and_drift_off_are_said_only_where_the_default_model_runs():
    """Steps and drift are the default model's own: an ets forecast goes without neither; a backtest of ets beside
    crimecast does (crimecast's windows)."""
    spec = ForecastSpec(model="ets", steps=False, drift=False)
    assert spec.switched_off == [] and "off" not in spec.describe()
    assert spec.switched_off_for(("ets", "crimecast")) == ["steps off", "drift off"]
    assert ForecastSpec(steps=False).switched_off == ["steps off"]

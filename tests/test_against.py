"""The year so far against the forecast saved at the start of the year: `milestones --against NAME`."""

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from crimecast.cli import cli
from crimecast.data.sources import DataSource, open_counts
from crimecast.errors import DataError, UsageError
from crimecast.forecast.models import CrimeForecaster
from crimecast.forecast.panel import forecast_panel
from crimecast.forecast.spec import ForecastSpec
from crimecast.scenarios.against import AHEAD, BEHIND
from crimecast.scenarios.assess import assess_milestones
from crimecast.scenarios.plan import single_milestone

QUICK = ["--model", "seasonal-naive", "--paths", "200"]
SPEC = ForecastSpec(model="seasonal-naive", paths=200)
YEAR = pd.date_range("2013-04-01", periods=12, freq="MS")


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _counts(path):
    return open_counts(DataSource(data=str(path)))


def _saved(counts, *, as_of="2013-03", horizon=12, needs=(("robbery", "north"),)):
    panel = forecast_panel(counts, spec=SPEC, needs=list(needs), as_of=pd.Timestamp(f"{as_of}-01"), horizon=horizon)
    panel.saved = "start"
    return panel


def _assess(counts, saved, *, as_of="2013-09", target=-0.05, direction="at_most"):
    plan = single_milestone("robbery", area="north", target=target, count=None, year="2013/14", direction=direction)
    return assess_milestones(counts, plan, spec=SPEC.updated(as_of=as_of), against=saved)


def _scaled(path, factor, months=YEAR[:6]):
    """The small table with robbery in north over ``months`` scaled by ``factor`` (the year so far going well or badly)."""
    frame = pd.read_csv(path)
    rows = (frame["area"] == "north") & (frame["category"] == "robbery") & frame["month"].isin(months.strftime("%Y-%m"))
    frame.loc[rows, "count"] = (frame.loc[rows, "count"] * factor).round()
    frame.to_csv(path, index=False)
    return path


def test_the_year_so_far_is_read_against_the_saved_paths(small_csv):
    counts = _counts(small_csv)
    saved = _saved(counts)
    report = _assess(counts, saved)
    m = report.against.milestones[0]
    so_far = saved.total("robbery", "north")[:, :6].sum(axis=1)
    assert m.periods_observed == 6 and m.expected == pytest.approx(so_far.mean())
    assert m.lo80 <= m.expected <= m.hi80 and 0 <= m.percentile <= 1
    totals = m.actual + saved.total("robbery", "north")[:, 6:12].sum(axis=1)
    a = report.assessments[0]
    assert m.now.probability.p == pytest.approx(np.mean(totals <= a.threshold))
    assert m.at_start.probability.p == pytest.approx(np.mean(saved.total("robbery", "north")[:, :12].sum(axis=1)
                                                             <= a.threshold))
    assert m.actual == a.ytd_actual and m.assessment is a
    row = report.against.table().iloc[0]
    assert row["p_meet_refitted"] == a.baseline.probability.p and row["ytd_expected"] == m.expected


@pytest.mark.parametrize("factor, position, above", [(1.6, BEHIND, True), (0.5, AHEAD, False)])
def test_a_year_running_badly_or_well_is_behind_or_ahead_of_the_plan(small_csv, factor, position, above):
    saved = _saved(_counts(small_csv))  # the forecast as it stood in March 2013
    changed = _counts(_scaled(small_csv, factor))  # then the months of 2013/14 came in high or low
    m = _assess(changed, saved, target=0.03).against.milestones[0]  # about a coin toss at the start of the year
    assert 0.2 < m.at_start.probability.p < 0.8
    assert m.position == position and not m.inside80
    assert m.percentile == (1.0 if above else 0.0)
    assert (m.now.probability.p < m.at_start.probability.p) if above else (m.now.probability.p > m.at_start.probability.p)


def test_for_a_target_to_raise_a_count_more_is_ahead(small_csv):
    saved = _saved(_counts(small_csv))
    high = _counts(_scaled(small_csv, 1.6))
    assert _assess(high, saved, target=0.05, direction="at_least").against.milestones[0].position == AHEAD


@pytest.mark.parametrize("kwargs, error, message", [
    ({"as_of": "2013-06"}, DataError, "not at the start of 2013/14"),
    ({"horizon": 6}, DataError, "stops at 2013-09, before 2013/14 ends"),
    ({"needs": (("burglary", "north"),)}, DataError, "lacks robbery / north"),
])
def test_a_saved_forecast_that_is_not_the_start_of_the_year_is_refused(small_csv, kwargs, error, message):
    """Each refusal names the command that saves one that serves, whole (was `forecast run ... --as-of 2013-03
    --save NAME`, and "Save it again with --horizon 12 or more")."""
    counts = _counts(small_csv)
    with pytest.raises(error, match=message) as refused:
        _assess(counts, _saved(counts, **kwargs))
    assert "`forecast run all --area all --as-of 2013-03 --save NAME`" in str(refused.value)  # (a panel not read back)


def test_nothing_observed_yet_is_refused(small_csv):
    counts = _counts(small_csv)
    with pytest.raises(UsageError, match="before 2013/14 starts"):
        _assess(counts, _saved(counts), as_of="2013-03")


# ---------------------------------------------------------------- the command

@pytest.fixture
def start_of_year(small_csv, tmp_path):
    """`run robbery --area north --as-of 2013-03 --save start` on the small table: (data, store)."""
    store = tmp_path / "s.duckdb"
    result = invoke("run", "robbery", "--area", "north", "--as-of", "2013-03", "--data", small_csv, *QUICK,
                    "--no-backtest", "--no-chart", "--save", "start", "--store", store, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    return small_csv, store


def _milestones(data, store, tmp_path, *extra):
    return invoke("milestones", "robbery", "--area", "north", "--target", "-5%", "--as-of", "2013-09", "--data", data,
                  *QUICK, "--against", "start", "--store", store, "--no-chart", "--out", tmp_path / "o", *extra)


def test_milestones_against_prints_the_year_so_far_against_the_saved_forecast(start_of_year, tmp_path):
    data, store = start_of_year
    result = _milestones(data, store, tmp_path)
    assert result.exit_code == 0, result.output
    assert "Against the forecast saved at the start of the year as 'start' (from 2013-03" in result.output
    assert "expected by the forecast saved as 'start' (80%:" in result.output
    assert "the plan's forecast" in result.output and "at the start of the year" in result.output
    folder = tmp_path / "o" / "milestones-robbery-north"
    assert (folder / "against-saved.csv").read_text().splitlines()[0].startswith("milestone,category,area,year")
    payload = json.loads(_milestones(data, store, tmp_path, "--json").stdout)
    against = payload["against"]
    assert against["saved"] == "start" and against["saved_as_of"] == "2013-03" and against["model"] == "seasonal-naive"
    row = against["milestones"][0]
    assert row["periods_observed"] == 6 and row["position"] in ("ahead", "behind")
    assert row["ytd_lo80"] <= row["ytd_expected"] <= row["ytd_hi80"] and 0 <= row["p_meet"] <= 1
    assert row["p_meet_refitted"] == payload["milestones"][0]["p_meet"]


def test_months_added_after_the_saved_origin_are_expected_but_earlier_ones_must_not_change(start_of_year, tmp_path):
    data, store = start_of_year
    before = json.loads(_milestones(data, store, tmp_path, "--json").stdout)["against"]["milestones"][0]
    _scaled(data, 1.6)  # months after the origin differ (as actuals arrive): still served, and now behind the plan
    after = json.loads(_milestones(data, store, tmp_path, "--json").stdout)["against"]["milestones"][0]
    assert after["ytd_actual"] > before["ytd_actual"] and after["position"] == "behind"
    assert after["ytd_expected"] == before["ytd_expected"]
    _scaled(data, 1.1, months=pd.DatetimeIndex(["2012-11-01"]))  # a month before the origin revised
    refused = _milestones(data, store, tmp_path)
    assert refused.exit_code == 1 and "has changed since" in refused.output and "Traceback" not in refused.output


def test_a_saved_forecast_from_inside_the_year_is_refused_in_one_line(small_csv, tmp_path):
    store = tmp_path / "s.duckdb"
    assert invoke("run", "robbery", "--area", "north", "--as-of", "2013-06", "--data", small_csv, *QUICK, "--no-backtest",
                  "--no-chart", "--save", "start", "--store", store, "--out", tmp_path / "o").exit_code == 0
    result = _milestones(small_csv, store, tmp_path)
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert result.exit_code == 1 and len(errors) == 1
    assert "was made from data to 2013-06, not at the start of 2013/14" in errors[0] and "--as-of 2013-03" in errors[0]


def test_against_a_forecast_lacking_the_series_or_missing_is_refused(start_of_year, tmp_path, monkeypatch):
    data, store = start_of_year
    monkeypatch.setattr(CrimeForecaster, "fit", lambda self, y, **_: pytest.fail("a model was fitted"))  # before fitting
    lacking = invoke("milestones", "burglary", "--area", "north", "--as-of", "2013-09", "--data", data, *QUICK,
                     "--against", "start", "--store", store, "--no-chart", "--out", tmp_path / "o")
    assert lacking.exit_code == 1 and "lacks burglary / north" in lacking.output
    missing = invoke("milestones", "robbery", "--area", "north", "--as-of", "2013-09", "--data", data, "--against", "nope",
                     "--store", store, "--out", tmp_path / "o")
    assert missing.exit_code == 1 and "no saved forecast 'nope'" in missing.output


def test_the_year_defaults_to_the_one_after_as_of(start_of_year, tmp_path):
    data, store = start_of_year
    result = invoke("milestones", "robbery", "--area", "north", "--as-of", "2012-09", "--data", data, *QUICK, "--json",
                    "--no-chart", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["milestones"][0]["year"] == "2012/13"


def test_a_start_of_year_forecast_given_as_forecast_inside_the_year_points_to_against(start_of_year, tmp_path):
    data, store = start_of_year
    result = invoke("milestones", "robbery", "--area", "north", "--as-of", "2013-09", "--data", data, "--forecast", "start",
                    "--store", store, "--no-chart", "--out", tmp_path / "o")
    assert result.exit_code == 1 and "pass it as --against start" in result.output


def test_quarterly_data_is_set_against_the_saved_quarters():
    from crimecast.report.milestones import against_text
    from crimecast.report.text import as_text
    from tests.conftest import quarterly_demo

    counts = quarterly_demo()
    saved = forecast_panel(counts, spec=SPEC, needs=[("burglary-dwelling", "force")], as_of=pd.Timestamp("2013-01-01"),
                           horizon=4)  # the quarter January-March 2013: data to March
    saved.saved = "q"
    plan = single_milestone("burglary-dwelling", area="force", target=-0.08, count=None, year="2013/14")
    against = assess_milestones(counts, plan, spec=SPEC.updated(as_of="2013-09"), against=saved).against
    m = against.milestones[0]
    assert m.periods_observed == 2 and m.expected == pytest.approx(saved.total("burglary-dwelling", "force")[:, :2].sum(1).mean())
    text = as_text(against_text(against))
    assert "(from 2013-03;" in text and "2 quarters of 2013/14" in text and "given the quarters observed" in text


def test_one_force_of_several_is_set_against_the_forecast_run_saved_for_it(tmp_path):
    from tests.builders import home_office_text

    source = tmp_path / "ho.csv"
    source.write_text(home_office_text(quarters=20), encoding="utf-8")
    store = tmp_path / "s.duckdb"
    assert invoke("data", "import", "home-office", source, "--name", "forces", "--store", store).exit_code == 0
    where = ["--dataset", "forces", "--store", store, "--area", "merseyside", *QUICK, "--out", tmp_path / "out"]
    saved = invoke("run", "robbery", "--as-of", "2016-03", "--no-backtest", "--no-chart", "--save", "start", *where)
    assert saved.exit_code == 0, saved.output
    result = invoke("milestones", "robbery", "--target", "-5%", "--as-of", "2016-09", "--against", "start",
                    "--no-chart", "--json", *where)
    assert result.exit_code == 0, result.output
    against = json.loads(result.stdout)["against"]
    counts = open_counts(DataSource(dataset="forces", store=str(store)))
    year_so_far = counts[(counts["category"] == "robbery") & (counts["area"] == "merseyside")
                         & counts["month"].between("2016-04-01", "2016-07-01")]["count"].sum()
    row = against["milestones"][0]
    assert against["saved_as_of"] == "2016-03" and row["area"] == "merseyside" and row["periods_observed"] == 2
    assert row["ytd_actual"] == year_so_far and row["ytd_lo80"] < row["ytd_expected"] < row["ytd_hi80"]

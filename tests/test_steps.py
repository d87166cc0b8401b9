"""Step changes on the embedded data, as the report describes them (fits Prophet: slow)."""

import pandas as pd
import pytest

from crimecast.data.load import load_counts
from crimecast.data.series import series_of, with_totals
from crimecast.forecast.steps import process_chart
from conftest import HOME_OFFICE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def counts():
    return with_totals(load_counts("west-midlands"))


def months_apart(a: pd.Timestamp, b: str) -> int:
    b = pd.Timestamp(b)
    return abs((a.year - b.year) * 12 + a.month - b.month)


def test_vehicle_crime_step_down_from_december_2012(counts):
    chart, _ = process_chart(series_of(counts, category="vehicle-crime", area="force"))
    assert len(chart.steps) == 1 and chart.steps[0].change < 0
    assert months_apart(chart.steps[0].month, "2012-12") <= 1


def test_shoplifting_step_up_from_november_2012(counts):
    chart, _ = process_chart(series_of(counts, category="shoplifting", area="force"))
    assert len(chart.steps) == 1 and chart.steps[0].change > 0.2
    assert months_apart(chart.steps[0].month, "2012-11") <= 1


def test_violence_with_injury_rise_in_2013_14_is_found(counts):
    chart, _ = process_chart(series_of(counts, category="violence-with-injury", area="force"))
    rises = [s for s in chart.steps if s.change > 0 and pd.Timestamp("2013-04-01") <= s.month <= pd.Timestamp("2014-03-01")]
    assert rises


def test_seasonally_adjusted_burglary_has_no_false_step_from_winter_peaks(counts):
    chart, effects = process_chart(series_of(counts, category="burglary-dwelling", area="force"), seasonal_adjust=True)
    assert chart.steps == [] and chart.seasonally_adjusted
    assert effects[11] > 1.1 and effects[6] < 0.95  # November above, June below the typical month


def test_a_known_change_inside_a_quarter_marks_the_quarter_that_holds_it():
    from crimecast.forecast.steps import process_chart
    from tests.conftest import quarterly_series

    y = quarterly_series(40, seed=4)
    chart, _ = process_chart(y, known=(pd.Timestamp("2012-05-01"),))
    known = [s for s in chart.steps if s.known]
    assert [f"{s.month:%Y-%m}" for s in known] == ["2012-04"]
    assert chart.periods[1].start == pd.Timestamp("2012-04-01")


def test_the_model_cores_do_not_import_the_step_search():
    """Issue 13: cores -> steps -> seasonal -> cores was an import cycle; steps now build on cores."""
    import subprocess
    import sys

    code = ("import sys, crimecast.forecast.cores; "
            "print(sorted(m for m in sys.modules if m in ('crimecast.forecast.steps', 'crimecast.forecast.seasonal')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.skipif(not HOME_OFFICE.exists(), reason="real data lives only in ../shared/data, which is absent here")
def test_the_forecast_models_the_steps_the_chart_shows_when_lockdowns_are_kept_out(tmp_path):
    """Home Office, West Midlands theft: the forecast modelled "+17% from 2021/22 Q3" where `forecast spc` found no
    step, because its search counted the kept-out lockdown quarters as points of its five years (a newcomer's trial)."""
    from crimecast.data.sources import DataSource, open_counts
    from crimecast.forecast.models import CrimeForecaster
    from crimecast.forecast.run import run_spc
    from crimecast.forecast.spec import default_exceptional

    from crimecast.data.imports import ImportOptions, import_data

    store = tmp_path / "ho.duckdb"
    import_data("home-office", [HOME_OFFICE], name="ho", store=store, options=ImportOptions(sum_duplicates=True))
    counts = open_counts(DataSource(dataset="ho", store=str(store)))
    y = series_of(counts, category="theft-offences", area="west-midlands")
    chart = run_spc(counts, category="theft-offences", area="west-midlands").chart
    forecaster = CrimeForecaster(n_paths=100, seed=1, exceptional=default_exceptional()).fit(y)
    assert [s.month for s in forecaster.steps_] == [s.month for s in chart.steps]

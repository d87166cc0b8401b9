"""The Board pack on a saved forecast: `forecast report --forecast NAME` and `--against NAME`.

Apart from tests/test_board.py, whose tests share one worker with the 2013/14 replay, so these spread over the others.
"""

from __future__ import annotations

import html
import re

import pytest
from click.testing import CliRunner

from conftest import QUICK_FUND
from crimecast.cli import cli
from crimecast.forecast.models import CrimeForecaster

DATA_URI = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")


def _plain(page: str) -> str:
    """The page's text without the embedded charts, tags or entities."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", DATA_URI.sub("", page))))


# ---------------------------------------------------------------- a saved forecast: --forecast NAME and --against NAME

@pytest.fixture(scope="module")
def start_2013(tmp_path_factory):
    """Burglary dwelling forecast from March 2013 (seasonal-naive, 100 paths), saved as 'start-2013' (read only)."""
    tmp_path = tmp_path_factory.mktemp("start-2013")
    store = tmp_path / "s.duckdb"
    result = CliRunner().invoke(cli, ["run", "burglary-dwelling", "--as-of", "2013-03", "--model", "seasonal-naive",
                                      "--paths", "100", "--no-backtest", "--no-chart", "--save", "start-2013",
                                      "--store", str(store), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    return store


def _pack(quick_plan, store, out, *args):
    """The pack, quick: with --forecast its milestones read the saved forecast, so --model (and --paths, but for a
    fund's fresh forecast) would be unused, and are refused; they are left out."""
    saved = "--forecast" in args
    settings = [*([] if saved else ["--model", "seasonal-naive"]), *(["--paths", "100"] if not saved or "--csf" in args
                                                                    else [])]
    return CliRunner().invoke(cli, ["report", "--plan", str(quick_plan), *settings, "--no-pdf", "--store", str(store),
                                    "--out", str(out), *args])


def test_an_in_year_pack_sets_the_year_so_far_against_the_start_of_year_forecast(quick_plan, start_2013, tmp_path):
    result = _pack(quick_plan, start_2013, tmp_path / "pack", "--as-of", "2013-09", "--against", "start-2013")
    assert result.exit_code == 0, result.output
    text = _plain((tmp_path / "pack" / "report.html").read_text(encoding="utf-8"))
    assert "Burglary dwelling, 6 months of 2013/14:" in text and "expected by the forecast saved as 'start-2013'" in text
    assert "the plan's forecast" in text and "Saved start-of-year forecast" in text


def test_a_year_end_pack_reads_the_saved_forecast_without_fitting(quick_plan, start_2013, tmp_path, monkeypatch):
    monkeypatch.setattr(CrimeForecaster, "fit", lambda self, y, **_: pytest.fail("a model was fitted"))
    result = _pack(quick_plan, start_2013, tmp_path / "pack", "--as-of", "2014-03", "--forecast", "start-2013")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "pack" / "report.html").read_text(encoding="utf-8")
    assert "year-end report" in result.output and "read from the saved forecast" in page
    assert "Saved forecast (read, not refitted)" in page


@pytest.mark.parametrize("args, message", [
    (["--as-of", "2013-09", "--forecast", "start-2013"], "pass it as --against start-2013"),
    (["--as-of", "2014-03", "--against", "start-2013"], "pass it as --forecast start-2013"),
    (["--as-of", "2013-09", "--forecast", "nope"], "no saved forecast 'nope'"),
])
def test_a_saved_forecast_that_cannot_serve_the_pack_is_one_line(quick_plan, start_2013, tmp_path, args, message):
    result = _pack(quick_plan, start_2013, tmp_path / "pack", *args)
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert result.exit_code in (1, 2) and len(errors) == 1 and message in errors[0], result.output
    assert not (tmp_path / "pack" / "report.html").exists()


def test_the_fund_is_forecast_afresh_when_the_saved_forecast_does_not_serve_it(quick_plan, start_2013, tmp_path,
                                                                                csf_file, unpriced_fund):
    result = _pack(quick_plan, start_2013, tmp_path / "pack", "--as-of", "2014-03", "--forecast", "start-2013",
                   "--csf", csf_file(**QUICK_FUND))
    assert result.exit_code == 0, result.output
    text = _plain((tmp_path / "pack" / "report.html").read_text(encoding="utf-8"))
    assert "the fund's baseline crime was forecast afresh, as the saved forecast 'start-2013' does not serve it (it" in text


def test_rate_milestones_beside_a_saved_forecast_say_they_were_forecast_afresh(start_2013, tmp_path):
    import json

    import yaml

    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump({"version": 1, "name": "Check", "year": "2013/14", "milestones": [
        {"name": "Burglary dwelling", "category": "burglary-dwelling", "target": "-8%"},
        {"name": "Victim satisfaction, crime", "category": "satisfaction-crime", "rate": "88%", "basis": "rolling-12"}]}))
    result = CliRunner().invoke(cli, ["milestones", "--plan", str(plan), "--as-of", "2013-03", "--forecast", "start-2013",
                                      "--no-chart", "--json", "--store", str(start_2013),
                                      "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)["notes"]
    assert any("read from the saved forecast 'start-2013'" in n for n in notes)
    assert any("rate milestones (satisfaction) are forecast afresh" in n for n in notes)


def test_a_plan_of_rates_only_beside_a_saved_forecast_says_it_was_forecast_afresh(start_2013, tmp_path):
    import json

    import yaml

    plan = tmp_path / "rates.yaml"
    plan.write_text(yaml.safe_dump({"version": 1, "name": "Rates", "year": "2013/14", "milestones": [
        {"name": "Victim satisfaction, crime", "category": "satisfaction-crime", "rate": "88%", "basis": "rolling-12"}]}))
    result = CliRunner().invoke(cli, ["milestones", "--plan", str(plan), "--as-of", "2013-03", "--forecast", "start-2013",
                                      "--no-chart", "--json", "--store", str(start_2013),
                                      "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert any("forecast afresh" in note for note in json.loads(result.stdout)["notes"])

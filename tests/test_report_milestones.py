"""Milestone output: the calibration caveat states the figures bench/RESULTS.md holds; the year-to-date cell."""

import re
from pathlib import Path

from crimecast.report.milestones import CALIBRATION_CAVEAT

RESULTS = Path(__file__).resolve().parents[1] / "bench" / "RESULTS.md"


def _gaps(section: str, stage: str) -> dict[float, float]:
    """The gap (points) by bin start for one stage's table, bins of 30 or more cases."""
    table = section.split(f"**{stage}**", 1)[1].split("Brier", 1)[0]
    rows = re.findall(r"^\| (\d\.\d)-\d\.\d \| (\d+) \| [\d.]+ \| [\d.]+ \| ([-+][\d.]+)", table, flags=re.M)
    return {float(start): float(gap) for start, cases, gap in rows if int(cases) >= 30}


def _points(gap: float) -> int:
    return int(gap + 0.5)  # half up: a gap of 8.5 points is "up to 9"


def test_the_calibration_caveat_states_the_backtest_figures():
    text = RESULTS.read_text(encoding="utf-8")
    section = text.split("## Milestone probabilities: calibration", 1)[1].split("\n## ", 1)[0]
    london = section.split("### London boroughs", 1)[1].split("\n### ", 1)[0]
    home_office = section.split("### Home Office table", 1)[1].split("\n### ", 1)[0]
    worst = max(-gap for stage in ("before the year", "in year (6 months)")
                for start, gap in _gaps(london, stage).items() if start >= 0.1)
    assert f"up to {_points(worst)} points less often" in CALIBRATION_CAVEAT
    before = [-gap for start, gap in _gaps(home_office, "before the year").items() if 0.2 <= start < 0.7]
    during = [-gap for start, gap in _gaps(home_office, "in year (6 months)").items() if 0.2 <= start < 0.5]
    assert f"({_points(min(before))}-{_points(max(before))} points from 20% to 70% before the year" in CALIBRATION_CAVEAT
    assert f"{_points(min(during))}-{_points(max(during))} from 20% to 50% six months into it" in CALIBRATION_CAVEAT


def test_the_year_to_date_cell_writes_p_as_every_other_place_does():
    from types import SimpleNamespace

    from crimecast.forecast.significance import poisson_e_test
    from crimecast.report.milestones import _ytd

    def cell(current: int, previous: int) -> str:
        return _ytd(SimpleNamespace(months_observed=6, ytd_actual=current, ytd_trajectory=100.0,
                                    ytd_test=poisson_e_test(current, previous)))

    assert cell(110, 85).endswith("on last year, p = 0.074")
    assert cell(500, 300).endswith("on last year, p < 0.001")


def test_the_header_names_the_model_each_kind_of_milestone_is_forecast_with():
    from types import SimpleNamespace

    from crimecast.forecast.spec import ForecastSpec
    from crimecast.report.milestones import _model_text
    from crimecast.scenarios.assessment import MilestoneReport

    def header(*units: str, spec: ForecastSpec = ForecastSpec()) -> str:
        milestones = [SimpleNamespace(unit=unit) for unit in units]
        return _model_text(MilestoneReport(plan=None, as_of=None, base=spec, assessments=milestones))

    assert header("count") == "crimecast, 1,000 paths"
    assert header("rate") == "logit-binomial, 1,000 paths"  # rates only: not the count model's name
    assert header("rate", spec=ForecastSpec(drift=False)) == "logit-binomial, 1,000 paths"  # its settings are not theirs
    assert header("count", "rate") == "crimecast, 1,000 paths; rate milestones: logit-binomial"


def test_a_year_after_a_year_of_none_expects_a_count_not_a_dash():
    from types import SimpleNamespace

    from crimecast.report.milestones import _expected_change

    def expected(change: float, *, count_target: bool = False):
        return _expected_change(SimpleNamespace(baseline=SimpleNamespace(expected_change=change, expected=1.2),
                                                last_year=0.0, count_target=count_target))

    assert expected(0.009) == "+0.9%"
    assert expected(0.009, count_target=True) == "1 (+0.9%)"  # a count target: in counts too
    assert expected(float("nan")) == "1 (no change can be given on a year with no crimes)"


def test_a_count_milestone_gives_the_targets_met_as_year_totals_not_changes(small_csv, tmp_path):
    """"at most 900" read "a -1.7% target would be a coin toss" and "met with 50/70/90%" in percentages."""
    from click.testing import CliRunner

    from crimecast.cli import cli

    ask = ["milestones", "robbery", "--area", "north", "--data", str(small_csv), "--year", "2013/14", "--model",
           "seasonal-naive", "--paths", "100", "--no-chart", "--out", str(tmp_path)]
    counted = CliRunner().invoke(cli, [*ask, "--count", "1500"])
    assert counted.exit_code == 0, counted.output
    row = next(line for line in counted.output.splitlines() if line.startswith("Robbery — North  2013/14"))
    met = re.search(r"(\d[\d,]*) / (\d[\d,]*) / (\d[\d,]*)", row)
    assert met and "%" not in met.group(0), row  # year totals, as the target is written
    assert re.search(rf"Expected \d[\d,]* \([-+][\d.]+%\); a target of {met.group(1)} is a coin toss, "
                     rf"{met.group(2)} is met 7 times in 10\. Outcome: 1,662 \(-3\.9%\), missed\.", counted.output)
    assert row.endswith("  1,662 (missed)"), row  # the outcome in counts too
    changed = CliRunner().invoke(cli, [*ask, "--target", "-5%"])  # a change target: still changes
    assert re.search(r"Expected [-+][\d.]+%, the target that is a coin toss; [-+][\d.]+% is met 7 times in 10",
                     changed.output), changed.output  # the expected change is the median's: said once

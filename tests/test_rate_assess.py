"""Rate milestones: "at least 88%" on the year's or the rolling 12-month rate, with P(meet) and outcome."""

import pandas as pd
import pytest
from pydantic import ValidationError

from crimecast.data.load import load_counts
from crimecast.data.series import with_totals
from crimecast.forecast.spec import ForecastSpec
from crimecast.scenarios.assess import assess_milestones
from crimecast.scenarios.milestones import AT_LEAST
from crimecast.scenarios.plan import Milestone, Plan, load_plan


def _plan(*milestones):
    return Plan(name="satisfaction", milestones=tuple(milestones), source="test")


def test_the_shipped_2013_14_plan_holds_all_six_milestones_with_two_rates():
    plan = load_plan("plan-2013-14")
    assert len(plan.milestones) == 6
    rates = [m for m in plan.milestones if m.rate is not None]
    assert [(m.category, m.rate, m.basis, m.direction) for m in rates] == [
        ("satisfaction-crime", 0.88, "rolling-12", AT_LEAST), ("satisfaction-asb", 0.80, "rolling-12", AT_LEAST)]


@pytest.mark.parametrize("raw", ["188%", "0%", "88"])
def test_a_rate_target_outside_zero_to_one_hundred_percent_is_refused(raw):
    with pytest.raises(ValidationError, match="a rate target must be above 0% and at most 100%"):
        Milestone(category="satisfaction-crime", rate=raw, year="2013/14")


def test_replayed_satisfaction_milestones_give_p_meet_recommended_rates_and_the_outcome():
    counts = with_totals(load_counts("west-midlands"))
    crime = Milestone(name="crime", category="satisfaction-crime", rate="88%", basis="rolling-12", year="2013/14")
    asb = Milestone(name="asb", category="satisfaction-asb", rate="80%", year="2013/14")
    report = assess_milestones(counts, _plan(crime, asb), spec=ForecastSpec(paths=400))
    assert report.as_of == pd.Timestamp("2013-03-01")
    a, b = report.assessments
    assert a.unit == "rate" and round(a.outcome, 3) == 0.838 and a.met is False
    assert round(b.outcome, 3) == 0.777 and b.met is False
    assert 0 <= a.baseline.probability.p < 0.2 and 0.8 < a.baseline.expected < 0.9
    recommended = a.baseline.recommended
    assert recommended[0.5] > recommended[0.7] > recommended[0.9]  # a surer target is a lower rate
    assert "rolling 12 months" in a.milestone.describe() and "financial year" in b.milestone.describe()
    assert report.table().loc[0, "unit"] == "rate"


def test_in_year_a_rate_milestone_counts_the_months_observed():
    counts = with_totals(load_counts("west-midlands"))
    crime = Milestone(category="satisfaction-crime", rate="88%", year="2013/14")
    a = assess_milestones(counts, _plan(crime), spec=ForecastSpec(paths=300, as_of="2013-12")).assessments[0]
    assert a.months_observed == 9 and 0.8 < a.ytd_actual < 0.86
    assert round(a.outcome, 3) == 0.838  # the data holds the rest of the year: a replay shows the outcome
    assert a.baseline.probability.p < 0.05  # nine months near 83%: 88% for the year is out of reach


def test_counts_cut_at_a_month_cut_the_surveys_too():
    """A Board pack dated September 2013 cuts the counts there: it must not show the year's survey outcome either."""
    counts = with_totals(load_counts("west-midlands"))
    cut = counts[counts["month"] <= pd.Timestamp("2013-12-01")].reset_index(drop=True)
    cut.attrs = dict(counts.attrs)
    crime = Milestone(category="satisfaction-crime", rate="88%", year="2013/14")
    a = assess_milestones(cut, _plan(crime), spec=ForecastSpec(paths=300, as_of="2013-12")).assessments[0]
    assert a.months_observed == 9 and 0.8 < a.ytd_actual < 0.86
    assert a.outcome is None and a.met is None  # the surveys after December are not read


def test_a_rate_milestone_planned_mid_year_shows_the_year_before_over_the_months_recorded():
    """Planning 2014/15 from December 2013: 2013/14 has surveys for April to December only; 'last year' is
    their rate, said to be over 9 of 12 months, not a blank."""
    import dataclasses

    from crimecast.data.rates import rate_series, rates_for
    from crimecast.report.milestones import assurance_sentences, position_table

    counts = with_totals(load_counts("west-midlands"))
    crime = Milestone(category="satisfaction-crime", rate="88%", year="2014/15")
    report = assess_milestones(counts, _plan(crime), spec=ForecastSpec(paths=300, as_of="2013-12"))
    a = report.assessments[0]
    surveys = rate_series(rates_for(counts), category="satisfaction-crime", area="force").loc["2013-04-01":"2013-12-01"]
    assert a.last_year == pytest.approx(surveys["numerator"].sum() / surveys["denominator"].sum())
    assert a.last_year_recorded == 9 and report.table().loc[0, "last_year_months_recorded"] == 9
    assert a.baseline.expected_change == pytest.approx(a.baseline.expected - a.last_year)
    assert position_table(report).loc[0, "last year"] == f"{a.last_year * 100:.1f}% (9 of 12 months)"
    assert f"last year only partly recorded: {a.last_year * 100:.1f}% over 9 of its 12 months" in assurance_sentences(report)[0]
    none = dataclasses.replace(report, assessments=[dataclasses.replace(a, last_year=float("nan"), last_year_recorded=0)])
    assert position_table(none).loc[0, "last year"] == "not recorded"
    assert "no month of 2013/14 recorded" in assurance_sentences(none)[0]


def test_a_saved_forecast_beside_rate_milestones_is_noted_in_the_rates_own_words():
    from types import SimpleNamespace

    from crimecast.data.rates import SATISFACTION, RateWords
    from crimecast.scenarios.rate_assess import rates_afresh_note

    def note(words):
        return rates_afresh_note(SimpleNamespace(assessments=[SimpleNamespace(rate_words=None),
                                                              SimpleNamespace(rate_words=words)]))

    assert note(SATISFACTION) == ("the rate milestones (satisfaction) are forecast afresh from their survey series: a "
                                  "saved forecast holds counts only.")
    assert note(RateWords("dwelling", "burglaries")) == (
        "the rate milestones (dwelling / burglaries) are forecast afresh from their rate series: a saved forecast "
        "holds counts only.")

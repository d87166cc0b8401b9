"""The monthly charts' fixed layout: nothing clipped, nothing overlapping, whatever the size of the numbers."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from crimecast.forecast.paths import ForecastResult
from crimecast.data.load import load_counts
from crimecast.data.series import with_totals
from crimecast.forecast.spec import ForecastSpec
from crimecast.forecast.steps import process_chart
from crimecast.report.charts import control_chart_figure, fan_chart, milestone_chart, png_bytes
from crimecast.report.milestones import probability
from crimecast.report.rates import p_chart_figure, rate_milestone_chart
from crimecast.scenarios.assess import assess_milestones
from crimecast.scenarios.plan import Milestone, Plan, single_milestone
from crimecast.scenarios.spec import load_scenario


def _result(level: float, *, months: int = 60, freq: str = "MS") -> ForecastResult:
    index = pd.date_range("2009-04-01", periods=months, freq=freq)
    history = pd.Series(np.round(level * (1 + 0.2 * np.sin(np.arange(months)))), index=index).astype("int64")
    paths = np.random.default_rng(0).normal(level, 0.1 * level, size=(200, 12 if freq == "MS" else 4)).clip(0)
    return ForecastResult(category="total-recorded-crime", area="west-midlands-and-somewhere-with-a-long-name",
                          model="crimecast", history=history, paths=paths)


def _extent(artist, renderer):
    return artist.get_window_extent(renderer)


def _renderer(fig):
    """``fig`` laid out as saved, then drawn: its renderer, for measuring what is in it."""
    png_bytes(fig)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _drawn(label, plot, renderer) -> bool:
    """Tick labels exist for ticks outside the view too; only those beside the plot are drawn."""
    box = _extent(label, renderer)
    middle_x, middle_y = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    return plot.x0 - 1 <= middle_x <= plot.x1 + 1 or plot.y0 - 1 <= middle_y <= plot.y1 + 1 and box.x1 <= plot.x0


def assert_laid_out(fig):
    """Every text inside the figure; axis label clear of the numbers; title above, caption below the plot."""
    renderer = _renderer(fig)
    ax = fig.axes[0]
    figure_box = fig.bbox
    plot = ax.get_window_extent(renderer)
    x_labels = ax.get_xticklabels() + ax.get_xticklabels(minor=True)  # financial years: minor ticks
    shown = [t for t in ax.get_yticklabels() + x_labels if t.get_text() and _drawn(t, plot, renderer)]
    for text in [ax.title, ax.xaxis.label, ax.yaxis.label, *fig.texts, *shown]:
        box = _extent(text, renderer)
        assert box.x0 >= -1 and box.y0 >= -1 and box.x1 <= figure_box.x1 + 1 and box.y1 <= figure_box.y1 + 1, text.get_text()
    y_ticks = [_extent(t, renderer) for t in ax.get_yticklabels() if t.get_text() and _drawn(t, plot, renderer)]
    assert _extent(ax.yaxis.label, renderer).x1 <= min(b.x0 for b in y_ticks) + 1  # the axis label clears the numbers
    assert _extent(ax.title, renderer).y0 >= plot.y1  # the title sits above the plot (financial years between)
    caption_top = max(_extent(t, renderer).y1 for t in fig.texts)
    assert caption_top <= _extent(ax.xaxis.label, renderer).y0 + 1  # the caption sits under the axis label


def assert_legend_below(fig):
    """The legend sits under the plot (between the axis label and the caption), clear of every point and label in it."""
    renderer = _renderer(fig)
    ax = fig.axes[0]
    legend = _extent(ax.get_legend(), renderer)
    assert legend.y1 <= ax.get_window_extent(renderer).y0 - 1  # wholly below the plot: it covers nothing in it
    assert legend.y1 <= _extent(ax.xaxis.label, renderer).y0 + 1
    assert legend.y0 >= max(_extent(t, renderer).y1 for t in fig.texts) - 1  # above the caption
    assert legend.x0 >= 0 and legend.x1 <= fig.bbox.x1


NOTICE = "ILLUSTRATIVE DATA: synthetic counts calibrated to published figures, not real recorded crime."


@pytest.mark.parametrize("level,freq", [(3, "MS"), (950, "MS"), (1_250_000, "MS"), (40_000, "QS-JAN")])
def test_fan_chart_is_laid_out_whatever_the_numbers(level, freq):
    assert_laid_out(fan_chart(_result(level, months=60 if freq == "MS" else 24, freq=freq), notice=NOTICE))


@pytest.mark.parametrize("freq,months,years", [("MS", 60, range(2009, 2015)), ("QS-JAN", 24, range(2010, 2016))])
def test_the_x_axis_reads_financial_years_not_calendar_years(freq, months, years):
    from matplotlib.dates import num2date

    ax = fan_chart(_result(950, months=months, freq=freq)).axes[0]
    ticks = [num2date(t) for t in ax.get_xticks()]  # a tick at each 1 April, not at each 1 January
    assert [(t.year, t.month, t.day) for t in ticks] == [(year, 4, 1) for year in years]
    assert not any(t.get_text() for t in ax.get_xticklabels())
    labels = [t.get_text() for t in ax.get_xticklabels(minor=True)]  # each year labelled under its middle
    assert labels == [f"{y}/{(y + 1) % 100:02d}" for y in years]
    assert [num2date(t).month for t in ax.get_xticks(minor=True)] == [10] * len(labels)
    assert ax.get_xlabel().startswith("financial year, April to March")
    assert not [t for t in ax.texts if t.get_text() in labels]  # not repeated above the plot


@pytest.mark.parametrize("first,last,labels", [("2019-05-01", "2019-09-01", ["2019/20"]),
                                               ("2019-11-01", "2020-06-01", ["2019/20", "2020/21"])])
def test_a_chart_of_under_a_year_still_names_its_financial_years(first, last, labels):
    """No 1 October on the chart: the axis had no label at all (the years were labelled only at their middles)."""
    import matplotlib.pyplot as plt

    from crimecast.report.charts import mark_financial_years

    fig, ax = plt.subplots()
    months = pd.date_range(first, last, freq="MS")
    ax.plot(months, range(len(months)))
    mark_financial_years(ax, months[0], months[-1])
    assert [t.get_text() for t in ax.get_xticklabels(minor=True)] == labels
    plt.close(fig)


def test_control_chart_is_laid_out():
    y = _result(12_000).history
    chart, _ = process_chart(y, known=(pd.Timestamp("2012-04-01"),))
    fig = control_chart_figure(chart, category="burglary-dwelling", area="force",
                               known={pd.Timestamp("2012-04-01"): "recording change"}, notice=NOTICE)
    assert_laid_out(fig)
    assert_legend_below(fig)  # a step's label stands at the plot's foot, where the legend used to be


def test_the_scenario_band_is_drawn_only_on_a_series_the_scenario_changes():
    counts = with_totals(load_counts())
    scenario = load_scenario("domestic-abuse-uplift")  # changes violence with injury only
    scenario = dataclasses.replace(scenario, base=scenario.base.model_copy(update={"model": "seasonal-naive", "paths": 200}))
    plan = Plan(name="two", source="test", milestones=(Milestone(category="burglary-dwelling", target=-0.08, year="2013/14"),
                                                      Milestone(category="violence-with-injury", target=-0.05, year="2013/14")))
    burglary, violence = assess_milestones(counts, plan, scenario=scenario).assessments
    labels = {a.category: [t.get_text() for t in milestone_chart(a, as_of=pd.Timestamp("2013-03-01")).axes[0]
                           .get_legend().get_texts()] for a in (burglary, violence)}
    assert "scenario 80% interval" in labels["violence-with-injury"]
    assert "scenario 80% interval" not in labels["burglary-dwelling"] and "forecast 80% interval" in labels["burglary-dwelling"]


def test_milestone_chart_is_laid_out():
    counts = with_totals(load_counts())
    plan = single_milestone("burglary", area="force", target=-0.08, count=None, year="2013/14")
    assessment = assess_milestones(counts, plan, spec=ForecastSpec(model="seasonal-naive", paths=200,
                                                                  as_of="2013-09")).assessments[0]
    assert_laid_out(milestone_chart(assessment, as_of=pd.Timestamp("2013-09-01"), notice=NOTICE))


@pytest.mark.parametrize("notice", ["", NOTICE])
def test_a_caption_is_a_sentence_with_or_without_the_data_notice(notice):
    chart, _ = process_chart(_result(12_000).history)
    fig = control_chart_figure(chart, category="burglary-dwelling", area="force", notice=notice)
    caption = " ".join(" ".join(t.get_text() for t in fig.texts).split())
    assert caption == "Limits: process average +/- 2.66 x average moving range." + (f" {notice}" if notice else "")


@pytest.fixture(scope="module")
def satisfaction():
    """Victim satisfaction (crime) against 88% in 2013/14, forecast from March 2013."""
    counts = with_totals(load_counts())
    milestone = Milestone(category="satisfaction-crime", rate="88%", basis="rolling-12", year="2013/14")
    return assess_milestones(counts, Plan(name="rates", milestones=(milestone,), source="test"),
                             spec=ForecastSpec(paths=1000)).assessments[0]


def test_a_rate_milestone_chart_keeps_its_legend_off_the_points(satisfaction):
    fig = rate_milestone_chart(satisfaction, as_of=pd.Timestamp("2013-03-01"), notice=NOTICE)
    assert_laid_out(fig)
    assert_legend_below(fig)  # the year's first month sits low at the left, where the legend used to be
    assert fig.axes[0].get_ylabel() == "satisfied, year to date"  # its ticks read 88%: the title does not repeat it


def test_a_rate_milestone_chart_gives_p_meet_as_the_summary_does(satisfaction):
    assessment = satisfaction
    fig = rate_milestone_chart(assessment, as_of=pd.Timestamp("2013-03-01"), notice=NOTICE)
    caption = " ".join(" ".join(t.get_text() for t in fig.texts).split())
    chance = probability(assessment.baseline.probability.p, 1000)
    assert assessment.baseline.probability.p < 0.01 and "." in chance  # under 1%: one decimal, never rounded to 0% or 1%
    assert caption.startswith(f"forecast from Mar 2013; P(meet) {chance}: {assessment.baseline.verdict}. ILLUSTRATIVE")


def test_a_p_chart_keeps_its_legend_off_the_lower_limit():
    from crimecast.data.rates import embedded_rates, rate_series
    from crimecast.forecast.pchart import p_chart

    series = rate_series(embedded_rates("west-midlands"), category="satisfaction-asb", area="force")
    fig = p_chart_figure(p_chart(series, start=series.index[-1] - pd.DateOffset(months=35)), category="satisfaction-asb",
                         area="force", notice=NOTICE)
    assert_laid_out(fig)
    assert_legend_below(fig)  # inside the plot it sat on the lower limit line


def test_a_chart_without_limits_says_why_in_its_caption():
    from crimecast.forecast.spc import control_chart

    values = pd.Series([0.0] * 30 + [1, 11, 7, 10, 18, 20], index=pd.date_range("2020-10-01", periods=36, freq="MS"))
    fig = control_chart_figure(control_chart(values), category="burglary", area="force")
    caption = " ".join(" ".join(t.get_text() for t in fig.texts).split())
    assert caption.startswith("No control limits: too few crimes to set limits (they would be less than 2 apart)")


def assert_step_labels_clear(fig):
    """No step label is crossed by a line (as drawn, steps and all), a band's top or foot, or a point."""
    from matplotlib.cbook import STEP_LOOKUP_MAP
    from matplotlib.collections import PolyCollection
    from matplotlib.path import Path

    renderer = _renderer(fig)
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_rotation() == 90]
    assert labels
    shapes = []
    for line in ax.lines:
        xy = line.get_xydata()
        if np.ptp(xy[:, 0]) == 0:  # a dashed step line or a year's grey line: the labels stand beside them
            continue
        if line.get_drawstyle() != "default":
            xy = np.column_stack(STEP_LOOKUP_MAP[line.get_drawstyle()](*xy.T))
        shapes.append(line.get_transform().transform(xy))
    for collection in ax.collections:
        if isinstance(collection, PolyCollection):  # a band: its horizontal edges (its ends stand at the steps)
            for path in collection.get_paths():
                xy = collection.get_transform().transform(path.vertices)
                shapes += [pair for pair in zip(xy[:-1], xy[1:]) if pair[0][1] == pair[1][1]]
        else:
            shapes += [[point, point] for point in collection.get_offset_transform().transform(collection.get_offsets())]
    for label in labels:
        box = _extent(label, renderer)
        assert box.y0 >= ax.get_window_extent(renderer).y0 and box.y1 <= ax.get_window_extent(renderer).y1
        for shape in shapes:
            assert not Path(np.asarray(shape)).intersects_bbox(box, filled=False), label.get_text()


def test_a_p_chart_step_label_stands_clear_of_the_limits():
    """The README's satisfaction p-chart: 'step down' stood at the plot's foot, across the lower limit line."""
    from crimecast.data.rates import embedded_rates, rate_series
    from crimecast.forecast.pchart import p_chart

    series = rate_series(embedded_rates("west-midlands"), category="satisfaction-crime", area="force")
    chart = p_chart(series, start=pd.Timestamp("2011-04-01"))
    assert chart.steps
    assert_step_labels_clear(p_chart_figure(chart, category="satisfaction-crime", area="force", notice=NOTICE))


def test_an_xmr_step_label_stands_clear_of_points_near_the_foot():
    """A fall to a few crimes a month: the label at the foot crossed the points and the band after the step."""
    index = pd.date_range("2015-04-01", periods=48, freq="MS")
    values = pd.Series(np.r_[np.full(24, 100.0), np.full(24, 12.0)] + np.tile([3, -2, 1, -3, 2, 0], 8), index=index)
    chart, _ = process_chart(values)
    assert chart.steps
    fig = control_chart_figure(chart, category="burglary-dwelling", area="force", notice=NOTICE)
    assert_step_labels_clear(fig)
    assert_laid_out(fig)


def _tick_labels(axis) -> list[str]:
    lo, hi = axis.get_view_interval()
    ticks = [t for t in axis.get_majorticklocs() if lo <= t <= hi]
    return axis.get_major_formatter().format_ticks(ticks)


@pytest.mark.parametrize("level", [30_000, 1_250_000])
def test_count_axes_read_as_a_board_reads_numbers(level):
    """The theft XmR chart read 30000 (and a fan chart of a million crimes 1.0 under an offset 1e6)."""
    import re

    result = _result(level)
    chart, _ = process_chart(result.history)
    for fig in (fan_chart(result), control_chart_figure(chart, category="theft-offences", area="force")):
        labels = _tick_labels(fig.axes[0].yaxis)
        assert all(re.fullmatch(r"\d{1,3}(,\d{3})*", label) for label in labels), labels
        assert any("," in label for label in labels)
        png_bytes(fig)
        assert not fig.axes[0].yaxis.get_offset_text().get_text()


def test_rate_axes_read_as_percentages():
    from crimecast.data.rates import embedded_rates, rate_series
    from crimecast.forecast.pchart import p_chart

    series = rate_series(embedded_rates("west-midlands"), category="satisfaction-crime", area="force")
    fig = p_chart_figure(p_chart(series, start=pd.Timestamp("2011-04-01")), category="satisfaction-crime", area="force")
    labels = _tick_labels(fig.axes[0].yaxis)
    assert labels and all(label.endswith("%") and label[:-1].isdigit() for label in labels), labels


@pytest.mark.parametrize("ticks,suffix,labels", [
    ([0, 5000, 30000, 1_250_000], "", ["0", "5,000", "30,000", "1,250,000"]),
    ([0, 0.5, 1.0, 2.5], "", ["0.0", "0.5", "1.0", "2.5"]),
    ([-1500, -1e-12, 1500], "", ["-1,500", "0", "1,500"]),
    ([80.0, 85.0, 90.0], "%", ["80%", "85%", "90%"]),
    ([0.1 + 0.2, 0.6], "", ["0.3", "0.6"]),
])
def test_tick_numbers_have_thousands_separated_and_only_the_decimals_they_need(ticks, suffix, labels):
    from crimecast.report.charts import NumberFormatter

    assert NumberFormatter(suffix).format_ticks(ticks) == labels


def test_a_step_label_with_no_room_beside_its_line_gets_room_at_the_top():
    """Lines fill the plot from foot to top at the step: the y axis is raised, and the label stands above them."""
    from crimecast.report.charts import label_steps, subplots

    months = pd.date_range("2020-04-01", periods=24, freq="MS")
    fig, ax = subplots(figsize=(10, 5), dpi=100)
    for level in range(0, 101, 5):
        ax.plot(months, [level] * len(months))
    ax.set_ylim(0, 100)
    ax.axvline(months[12], linestyle="--")
    label_steps(ax, [(months[12], "step +40%")])
    assert ax.get_ylim()[0] == 0 and ax.get_ylim()[1] > 110
    assert ax.texts[0].get_va() == "top"
    assert_step_labels_clear(fig)


@pytest.mark.parametrize("levels", [range(0, 101, 5), [50]])
def test_a_step_label_too_long_for_the_plot_leaves_the_y_axis_the_right_way_up(levels):
    """A known change's description longer than the plot is tall turned the y axis upside down (0 to -650)."""
    from crimecast.report.charts import label_steps, subplots

    months = pd.date_range("2020-04-01", periods=24, freq="MS")
    fig, ax = subplots(figsize=(10, 5), dpi=100)
    for level in levels:
        ax.plot(months, [level] * len(months))
    bottom, top = ax.get_ylim()
    label_steps(ax, [(months[12], "Home Office counting rules changed for violence without injury and stalking, "
                                  "April 2015")])
    low, high = ax.get_ylim()
    assert low == bottom and top <= high <= bottom + 2 * (top - bottom), (low, high)


@pytest.mark.parametrize("budget", [7_319_000.0, 8_500_000.0, 9_500_000.0])
def test_the_budget_curves_budget_label_stands_in_the_plot_clear_of_the_curves(budget):
    """'this year's budget' stood above the plot, past its right edge for a budget at or beyond the sweep's end."""
    from types import SimpleNamespace

    from crimecast.report.charts import budget_curve_chart

    budgets = np.arange(6.0, 8.51, 0.25) * 1e6
    outcome = 9.4e6 + 0.55 * (budgets - 6e6)
    curve = pd.DataFrame({"budget": budgets, "outcome": np.where(budgets < 6.5e6, np.nan, np.minimum(outcome, 1.03e7)),
                          "no_change_limit_outcome": outcome})
    result = SimpleNamespace(budget_curve=curve, spec=SimpleNamespace(budget=budget), year="2014/15",
                             weights=SimpleNamespace(unit="£ social cost avoided"))
    fig = budget_curve_chart(result, notice=NOTICE)
    assert_step_labels_clear(fig)  # up its line, inside the plot, crossed by no curve
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax = fig.axes[0]
    label, plot = _extent(ax.texts[0], renderer), ax.get_window_extent(renderer)
    assert plot.x0 <= label.x0 and label.x1 <= plot.x1  # not past the plot's edge
    assert not label.overlaps(_extent(ax.get_legend(), renderer))

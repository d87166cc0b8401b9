"""A peer comparison rendered without a terminal: ``forecast compare`` as lines, and its files."""

from pathlib import Path

import pandas as pd
import pytest

from crimecast.data.load import load_counts
from crimecast.data.population import load_population
from crimecast.data.series import with_totals
from crimecast.forecast.compare import compare_areas
from crimecast.report import compare as render
from crimecast.report.text import as_text


@pytest.fixture(scope="module")
def counts():
    return with_totals(load_counts("west-midlands"))


def test_the_comparison_as_lines_matches_its_plain_text(counts, tmp_path):
    comparison = compare_areas(counts, category="robbery", focus="birmingham", peers=["coventry", "dudley"],
                               year="2012/13")
    written = render.write_compare_files(comparison, tmp_path, data_label="west-midlands (illustrative)")
    assert [p.name for p in written] == ["compare_robbery_birmingham_2012-13.csv"], "no funnel plot without residents"
    assert set(pd.read_csv(written[0])["data"]) == {"west-midlands (illustrative)"}
    lines = render.compare_text(comparison, data_label="west-midlands (illustrative)", folder=Path("out"), files=written)
    assert lines[0].style == "heading" and lines[0].text == render.title(comparison) + ". Data: west-midlands (illustrative)."
    body = as_text(lines[1:]).split("\nNote: ")[0].split("\n\nWrote ")[0]
    assert body == "\n" + render.text(comparison).split("\n", 2)[2]
    assert [line.text for line in lines if line.style == "note"] == [f"Note: {n}" for n in comparison.notes]
    assert lines[-1].text == "\nWrote 1 file to out/ (compare_robbery_birmingham_2012-13.csv)."


def test_the_funnel_plot_is_written_with_residents(counts, tmp_path, write_csv):
    population = load_population(write_csv("area,population,year\nbirmingham,1000000,2011\ncoventry,300000,2011\n"
                                           "dudley,310000,2011\n", name="population.csv"))
    comparison = compare_areas(counts, category="robbery", focus="birmingham", peers=["coventry", "dudley"],
                               year="2012/13", population=population)
    written = render.write_compare_files(comparison, tmp_path, data_label="x")
    assert [p.name for p in written] == ["compare_robbery_birmingham_2012-13.csv",
                                         "compare_robbery_birmingham_2012-13_funnel.png"]
    (tmp_path / "no-chart").mkdir()
    assert [p.suffix for p in render.write_compare_files(comparison, tmp_path / "no-chart", data_label="x",
                                                         chart=False)] == [".csv"]


def test_the_funnel_plots_caption_wraps_clear_of_the_axis_label(counts, write_csv):
    """A long caption (approximate populations and a data notice): the funnel's own caption code kept too little room
    under the plot for seven lines and ran into the x-axis label; it is now the charts' shared caption."""
    from test_charts import assert_laid_out

    population = load_population(write_csv("area,population,year,source\nbirmingham,1000000,2011,approximate\n"
                                           "coventry,300000,2011,census\ndudley,310000,2011,census\n",
                                           name="population.csv"))
    comparison = compare_areas(counts, category="robbery", focus="birmingham", peers=["coventry", "dudley"],
                               year="2012/13", population=population)
    notice = ("ILLUSTRATIVE DATA: synthetic counts calibrated to published West Midlands Police 2013/14 figures, not "
              "real recorded crime. ") * 6
    fig = render.funnel_figure(comparison, notice=notice.strip())
    assert_laid_out(fig)
    caption = " ".join(" ".join(t.get_text() for t in fig.texts).split())
    assert "rate. Some populations are approximate" in caption and ".." not in caption and caption.endswith("crime.")

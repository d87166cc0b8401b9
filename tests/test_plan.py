"""Milestone plan files: YAML and CSV, with one clear error per mistake."""

import pandas as pd
import pytest

from crimecast.errors import PlanError
from crimecast.scenarios.plan import load_plan, single_milestone


def test_shipped_plan_has_the_reports_six_milestones():
    plan = load_plan("plan-2013-14")
    assert [(m.category, m.target) for m in plan.milestones[:4]] == [
        ("total-recorded-crime", -0.05), ("burglary-dwelling", -0.08), ("violence-with-injury", -0.08), ("total-recorded-crime", -0.07)]
    assert [(m.category, m.rate) for m in plan.milestones[4:]] == [("satisfaction-crime", 0.88), ("satisfaction-asb", 0.80)]
    assert {m.year for m in plan.milestones} == {"2013/14"}


def test_year_option_fills_milestones_without_one(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("milestones:\n  - {category: robbery, target: -5%}\n  - {category: robbery, count: 900, year: 2015-16}\n")
    plan = load_plan(path, year="2014/15")
    assert [m.year for m in plan.milestones] == ["2014/15", "2015/16"]
    assert plan.milestones[1].describe() == "at most 900"


def test_a_change_target_at_most_a_rise_says_it_allows_a_rise_and_how_a_reduction_is_written(tmp_path):
    """`target: 8%` reads "+8.0% or lower", likely met, with no hint that a reduction is written -8%."""
    from crimecast.scenarios.plan import milestone_plan

    path = tmp_path / "p.yaml"
    path.write_text("year: 2014/15\nmilestones:\n  - {name: Burglary, category: burglary, target: 8%}\n"
                    "  - {category: robbery, target: -8%}\n  - {category: theft, target: 5%, direction: at_least}\n")
    assert load_plan(path).notes == (f"{path}: milestones[0] (Burglary): target: 8% is '+8.0% or lower': it allows a "
                                     "rise of 8% on the year before; a reduction of 8% is written target: -8%.",)
    said = ("--target 7.5% is '+7.5% or lower': it allows a rise of 7.5% on the year before; a reduction of 7.5% is "
            "written --target -7.5%.",)
    assert single_milestone("burglary", area="force", target="7.5%", count=None, year="2014/15").notes == said
    every = milestone_plan([("burglary", "a"), ("burglary", "b")], name="x", target=0.075, count=None, year="2014/15")
    assert every.notes == said  # one note for the one option
    for quiet in (dict(target="-8%", count=None), dict(target="8%", count=None, direction="at_least"),
                  dict(target=None, count=900.0)):
        assert single_milestone("burglary", area="force", year="2014/15", **quiet).notes == ()


def test_csv_plan(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("Category,Area,Target,Year,Name\nburglary,walsall,-8%,2014/15,Walsall burglary\nrobbery,,,2014/15,\n")
    with pytest.raises(PlanError, match="row 3: Give exactly one of target"):
        load_plan(path)
    path.write_text("Category,Area,Target,Year,Name\nburglary,walsall,-8%,2014/15,Walsall burglary\nrobbery,,-0.02,2014/15,\n")
    plan = load_plan(path)
    assert plan.milestones[0].label == "Walsall burglary" and plan.milestones[0].area == "walsall"
    assert plan.milestones[1].area == "force" and plan.milestones[1].target == pytest.approx(-0.02)


@pytest.mark.parametrize("text, message", [
    ("milestones:\n  - {category: robbery, targte: -5%}\nyear: 2014/15\n", "milestones[0].targte: unknown key 'targte'. Did you mean 'target'?"),
    ("milestones:\n  - {category: robbery, target: -5%, count: 10}\nyear: 2014/15\n", "give exactly one of target"),
    ("milestones:\n  - {category: robbery, target: -5%}\nyear: 2014/16\n", "not a financial year"),
    ("milestones:\n  - {category: robbery, target: -5%}\n", "has no financial year"),
    ("milestones:\n  - {category: robbery, target: lots}\nyear: 2014/15\n", "expected a number"),
    ("milestones:\n  - {category: robbery, target: -120%}\nyear: 2014/15\n", "cannot be met"),
    ("milestones: []\n", "at least one milestone"),
    ("milestones: [\n", "not valid YAML"),
])
def test_bad_plans_name_file_and_key(tmp_path, text, message):
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert message.lower() in str(caught.value).lower() and str(path) in str(caught.value)


def test_unknown_csv_column_and_missing_file(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("category,goal\nrobbery,-5%\n")
    with pytest.raises(PlanError, match="unknown column 'goal'"):
        load_plan(path)
    with pytest.raises(PlanError, match="not found.*plan-2013-14"):
        load_plan(tmp_path / "absent.yaml")


@pytest.mark.parametrize("suffix, text", [(".csv", "category,target,year\nrobbery,8,2014/15\n"),
                                          (".yaml", "milestones:\n  - {category: robbery, target: -8, year: 2014/15}\n"),
                                          (".csv", "category,target,year\nrobbery,1,2014/15\n")])
def test_a_target_without_percent_sign_of_one_or_more_is_refused_not_read_as_hundreds_of_percent(tmp_path, suffix, text):
    path = tmp_path / f"plan{suffix}"
    path.write_text(text)
    with pytest.raises(PlanError, match=r"would be a change of [-+]\d+00%.*write it as a percentage"):
        load_plan(path)
    path.write_text("milestones:\n  - {category: robbery, target: +150%, year: 2014/15}\n"
                    "  - {category: robbery, target: -0.08, year: 2014/15}\n")
    assert [m.target for m in load_plan(path.rename(tmp_path / "ok.yaml")).milestones] == [1.5, -0.08]


@pytest.mark.parametrize("suffix, text", [(".yaml", "milestones:\n  - {category: robbery, count: -5%, year: 2014/15}\n"),
                                          (".csv", "category,count,year\nrobbery,5%,2014/15\n")])
def test_a_percentage_as_a_count_is_refused_as_the_years_count_not_a_count_per_month(tmp_path, suffix, text):
    path = tmp_path / f"plan{suffix}"
    path.write_text(text)
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert "per month" not in str(caught.value) and "the year's total" in str(caught.value)
    assert "write it as target" in str(caught.value)


def test_a_count_with_thousands_separators_is_read_as_a_spreadsheet_writes_it(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text('category,count,year\nrobbery,"8,000",2014/15\nburglary,"12,500.5",2014/15\n')
    assert [m.count for m in load_plan(path).milestones] == [8000, 12500.5]
    path.write_text('category,count,year\nrobbery,"8,00",2014/15\n')
    with pytest.raises(PlanError, match="(?i)expected a number, got '8,00'"):
        load_plan(path)


def test_single_milestone_from_options():
    plan = single_milestone("burglary", area="force", target=-0.08, count=None, year="2014/15")
    assert plan.milestones[0].describe() == "-8.0% or lower"
    with pytest.raises(PlanError, match="exactly one"):
        single_milestone("burglary", area="force", target=-0.08, count=100, year="2014/15")


@pytest.mark.parametrize("area", ["", "  "])
def test_an_empty_area_option_is_refused_in_the_options_words_not_a_plan_files(area):
    # was "--area: A milestone's area is empty: ... or leave the key out (milestones are then in the plan's area:, ...)"
    with pytest.raises(PlanError) as caught:
        single_milestone("burglary", area=area, target=-0.08, count=None, year="2014/15")
    assert str(caught.value) == "--area is empty: name one area, such as west-midlands, or leave --area out."


# ---------------------------------------------------------------- plan_for: the plan a milestones request names

def test_plan_for_names_one_milestone_one_per_area_or_every_category(small_csv):
    import pandas as pd

    from crimecast.data.sources import DataSource, open_counts
    from crimecast.errors import UsageError
    from crimecast.scenarios.plan import plan_for

    counts = open_counts(DataSource(data=str(small_csv)))  # 2010-04 to 2014-03, areas north and south
    one = plan_for(counts, category="robbery", area="north", target=-0.05)
    assert [(m.category, m.area, m.target, m.year) for m in one.milestones] == [("robbery", "north", -0.05, "2014/15")]
    areas = plan_for(counts, category="robbery", area="all", target=-0.05)
    assert [m.area for m in areas.milestones] == ["force", "north", "south"] and areas.name == "Robbery by area 2014/15"
    every = plan_for(counts, count=100.0, target=-0.05, as_of=pd.Timestamp("2012-09-01"))
    assert every.name == "Every category 2012/13" and all(m.count == 100.0 and m.target is None for m in every.milestones)
    with pytest.raises(UsageError, match="not both"):
        plan_for(counts, category="robbery", plan_file="plan-2013-14")


# ---------------------------------------------------------------- open_plan_counts: the plan read once, and its counts

@pytest.fixture
def plan_reads(monkeypatch):
    """Every reading of a plan file (``load_plan``), by its path."""
    import crimecast.scenarios.plan as plan_module

    reads, load = [], plan_module.load_plan
    monkeypatch.setattr(plan_module, "load_plan", lambda path, **options: reads.append(path) or load(path, **options))
    return reads


def test_open_plan_counts_reads_the_plan_once_and_the_data_and_areas_it_names(small_csv, tmp_path, plan_reads):
    from crimecast.data.sources import DataSource
    from crimecast.scenarios.plan import open_plan_counts

    plan = tmp_path / "plan.yaml"
    plan.write_text(f"data: {small_csv}\nmilestones:\n  - {{category: robbery, area: north, target: -5%}}\n"
                    "  - {category: burglary, area: south, count: 900, year: 2015/16}\n")
    opened = open_plan_counts(DataSource(), plan_file=str(plan), year="2014/15")
    assert opened.counts.attrs["source"] == str(small_csv)  # the plan's data: none was named
    assert opened.noted == "north,south" and opened.area == "force"  # its notes: the areas its milestones name
    assert [m.year for m in opened.plan.milestones] == ["2014/15", "2015/16"]
    assert opened.milestones(target=-0.08) is opened.plan  # a plan file carries its own targets
    assert plan_reads == [str(plan)]
    named = open_plan_counts(DataSource(data="west-midlands"), plan_file=str(plan), year="2014/15")
    assert named.counts.attrs["source"] == "west-midlands" and len(plan_reads) == 2  # the data named wins


def test_open_plan_counts_for_a_category_makes_its_milestones_as_plan_for_does(small_csv):
    from crimecast.data.sources import DataSource
    from crimecast.errors import UsageError
    from crimecast.scenarios.plan import open_plan_counts, plan_for

    source = DataSource(data=str(small_csv))
    every = open_plan_counts(source, category="robbery", area="all", as_of=pd.Timestamp("2013-09-01"))
    assert every.plan is None and every.noted == "all"
    made = every.milestones(target=-0.05)
    assert made == plan_for(every.counts, category="robbery", area="all", target=-0.05, as_of=pd.Timestamp("2013-09-01"))
    assert [(m.area, m.year) for m in made.milestones] == [("force", "2013/14"), ("north", "2013/14"), ("south", "2013/14")]
    one = open_plan_counts(source, category="robbery", area="north")
    assert (one.area, one.noted) == ("north", "north")
    assert [m.count for m in one.milestones(count=90.0, direction="at_least").milestones] == [90.0]
    with pytest.raises(UsageError, match="not both"):  # refused before any data is read (there is none here)
        open_plan_counts(DataSource(data="nowhere.csv"), category="robbery", plan_file="plan-2013-14")


def test_open_plan_counts_takes_one_force_of_peers_as_the_whole_unless_told_not_to(write_csv):
    from crimecast.data.sources import DataSource
    from crimecast.scenarios.plan import open_plan_counts

    months = pd.date_range("2010-04-01", periods=48, freq="MS").strftime("%Y-%m")
    path = write_csv("month,area,category,count\n" + "".join(f"{m},avon,robbery,{90 + i % 12}\n"
                                                            for i, m in enumerate(months)))
    source = DataSource(data=str(path), areas="peers")
    whole = open_plan_counts(source, category="robbery")
    assert whole.counts.attrs["force_name"] == "avon" and whole.area == "force"
    assert set(whole.counts["area"]) == {"force"}
    as_read = open_plan_counts(source, category="robbery", force_wide=False)
    assert "force_name" not in as_read.counts.attrs and as_read.area == "avon"  # the area every command defaults to


# ---------------------------------------------------------------- a plan's own area: the default of its milestones

def test_a_plans_area_is_the_default_of_milestones_that_name_none(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("version: 1\nyear: 2013/14\narea: west-midlands\nmilestones:\n"
                    "  - {category: robbery, target: -5%}\n  - {category: burglary, target: -5%, area: merseyside}\n"
                    "  - {category: theft, target: -5%}\n")
    plan = load_plan(path)
    assert [m.area for m in plan.milestones] == ["west-midlands", "merseyside", "west-midlands"]
    assert plan.areas == "west-midlands,merseyside" and plan.area_from_plan == (0, 2)
    assert plan.where_area(0) == f"{path}: area (the plan's, for milestones[0])"
    assert plan.where_area(1) == f"{path}: milestones[1]"  # its own area: named as its own
    path.write_text("version: 1\nyear: 2013/14\nmilestones:\n  - {category: robbery, target: -5%}\n")
    assert load_plan(path).milestones[0].area == "force" and load_plan(path).area_from_plan == ()


@pytest.mark.parametrize("area, message", [
    ("[west-midlands, merseyside]", "area: A plan's area is one area, such as west-midlands, not a list"),
    ("all", "area: A plan's area is one area, and 'all' names every area"),
    ("west-midlands,merseyside", "area: A plan's area is one area, and 'west-midlands,merseyside' names several areas: "
                                 "give the milestones in other areas their own area: key"),
    ("''", "area: A plan's area is empty"),
    ("", "area: A plan's area is empty"),
    ("7", "area: A plan's area is an area's name, such as west-midlands, not 7"),
])
def test_a_bad_plan_area_is_refused_naming_the_key_and_its_line(tmp_path, area, message):
    path = tmp_path / "plan.yaml"
    path.write_text(f"version: 1\nyear: 2013/14\narea: {area}\nmilestones:\n  - {{category: robbery, target: -5%}}\n")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert f"{path} line 3: {message}" in str(caught.value)


def test_a_milestones_own_bad_area_is_refused_naming_the_milestone(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("version: 1\nyear: 2013/14\nmilestones:\n  - {category: robbery, target: -5%, area: [a, b]}\n")
    with pytest.raises(PlanError, match=r"line 4: milestones\[0\]\.area: A milestone's area is one area, such as "
                                        r"west-midlands, not a list: write one milestone per area"):
        load_plan(path)


def test_the_count_part_of_a_plan_names_each_milestone_by_its_place_in_the_file(tmp_path):
    from crimecast.scenarios.rate_assess import count_part

    path = tmp_path / "plan.yaml"
    path.write_text("version: 1\nyear: 2013/14\narea: walsall\nmilestones:\n  - {category: satisfaction-crime, rate: 88%}\n"
                    "  - {category: burglary, target: -5%}\n")
    counted = count_part(load_plan(path))
    assert counted.where(0) == f"{path}: milestones[1]"
    assert counted.where_area(0) == f"{path}: area (the plan's, for milestones[1])"


def test_a_count_with_a_thousands_comma_inside_braces_is_explained(tmp_path):
    """`{category: burglary, count: 8,000}` is YAML for count 8 and a key 000: was "milestones[0][0]: Keys should be
    strings"."""
    path = tmp_path / "plan.yaml"
    path.write_text("version: 1\nyear: 2014/15\nmilestones:\n  - {category: burglary, count: 8,000}\n")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert str(caught.value) == (f"{path} line 4: milestones[0]: one of its keys is a number: inside {{...}} a comma "
                                 "ends an entry, so a number written with a thousands comma, such as count: 8,000, is "
                                 'read as 8 and a key 000. Write it without the comma (count: 8000) or in quotes '
                                 '(count: "8,000").')
    path.write_text('version: 1\nyear: 2014/15\nmilestones:\n  - {category: burglary, count: "8,000"}\n')
    assert load_plan(path).milestones[0].count == 8000

"""Scenario files: schema, safe YAML, extends, and one clear error per bad file."""

import textwrap

import pytest

from crimecast.errors import ScenarioError
from crimecast.scenarios.spec import Share, Uplift, example_names, load_scenario

DRIVER = """
  - name: push
    kind: share
    category: violence-with-injury
    from: 0.30
    to: 0.36
"""


@pytest.fixture
def write(tmp_path):
    def write(text: str, name: str = "scenario.yaml"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path
    return write


def test_shipped_examples_load():
    assert example_names() == ["domestic-abuse-uplift", "planning-2014-15", "shoplifting-national-rise"]
    for name in example_names():
        scenario = load_scenario(name)
        assert scenario.drivers and scenario.name


def test_a_minimal_file_gets_documented_defaults(write):
    scenario = load_scenario(write("name: s\ndrivers:" + DRIVER))
    assert scenario.base.data == "west-midlands" and scenario.base.paths == 1000 and scenario.base.as_of is None
    driver = scenario.drivers[0]
    assert isinstance(driver, Share) and driver.area == ("force",) and driver.start is None
    assert driver.from_.mean == 0.30 and driver.label == "push"


def test_extends_merges_as_documented(write):
    write("""
        name: parent one
        description: parent
        base: {as_of: 2013-03, paths: 500}
        drivers:
          - {name: a, kind: uplift, category: robbery, value: 0.1}
          - {name: b, kind: uplift, category: robbery, value: 0.2}
        """, "one.yaml")
    write("""
        name: parent two
        base: {paths: 200, seed: 7}
        drivers:
          - {name: c, kind: level_shift, category: robbery, value: 5}
        """, "two.yaml")
    child = write("""
        name: child
        extends: [one.yaml, two.yaml]
        base: {seed: 9}
        drivers:
          - {name: a, kind: uplift, category: robbery, value: 0.5}
          - {name: d, kind: trend, category: robbery, value: 0.05}
        drop_drivers: [b]
        """)
    scenario = load_scenario(child)
    assert [d.label for d in scenario.drivers] == ["a", "c", "d"]  # a replaced in place, b dropped, d appended
    assert scenario.drivers[0].value.mean == 0.5
    assert (scenario.base.as_of, scenario.base.paths, scenario.base.seed) == ("2013-03", 200, 9)
    assert scenario.name == "child" and scenario.description == ""
    assert scenario.where["c"].endswith("two.yaml: drivers[0]")


def test_data_paths_are_relative_to_the_file_that_sets_them(write, tmp_path):
    (tmp_path / "counts.csv").write_text("month,count\n2013-01,1\n", encoding="utf-8")
    scenario = load_scenario(write("name: s\nbase: {data: counts.csv}\n"))
    assert scenario.base.data == str(tmp_path / "counts.csv")


def test_a_data_name_that_is_no_file_beside_it_is_kept_as_a_stored_dataset_name(write):
    assert load_scenario(write("name: s\nbase: {data: merseyside}\n")).base.data == "merseyside"


def test_extends_can_name_a_shipped_example(write):
    scenario = load_scenario(write("name: mine\nextends: domestic-abuse-uplift\n"))
    assert scenario.drivers[0].label == "domestic abuse reporting push" and scenario.base.as_of == "2013-03"


BAD_FILES = [
    ("name: s\ndrivers:\n  - {kind: uplift, category: robbery, valu: 0.1}\n",
     "line 3: drivers[0].valu: unknown key 'valu'. Did you mean 'value'? Keys allowed here:"),
    ("name: s\nbsae: {}\n", "bsae: unknown key 'bsae'. Did you mean 'base'?"),
    ("name: s\ndrivers:\n  - {kind: uplfit, category: robbery, value: 0.1}\n", "unknown driver kind 'uplfit'. Did you mean 'uplift'?"),
    ("name: s\ndrivers:\n  - {category: robbery, value: 0.1}\n", "has no 'kind'"),
    ("name: s\ndrivers:" + DRIVER.replace("0.36", "1.0"), "drivers[0].to: A share must lie in [0, 1)"),
    ("name: s\ndrivers:" + DRIVER.replace("0.30", "-0.1"), "drivers[0].from: A share must lie in [0, 1)"),
    ("name: s\ndrivers:\n  - {kind: uplift, category: robbery, value: '-150%'}\n", "use a value above -100%"),
    ("name: s\ndrivers:\n  - {kind: uplift, category: robbery, value: 10}\n",  # not +1000%
     "drivers[0].value: value 10 would be a change of +1000% (a number without % is a fraction of the counts it "
     "changes): write it as a percentage, +10% or -10% (or 0.1 as a fraction)"),
    ("name: s\ndrivers:\n  - {kind: trend, category: robbery, value: {dist: uniform, low: 3, high: 8}}\n",
     "low 3 would be a change of +300%"),
    ("name: s\ndrivers:\n  - {kind: uplift, category: robbery, value: 0.1, start: April}\n", "expected a month written YYYY-MM"),
    ("name: s\ndrivers:\n  - {kind: trend, category: robbery, value: 0.1, ramp_months: 3}\n", "remove ramp_months"),
    ("name: s\ndrivers:\n  - {kind: seasonal, category: robbery, value: 0.1, months: [Dec, Smarch]}\n", "calendar month"),
    ("name: s\ndrivers:\n  - {kind: level_shift, category: robbery, value: '5%'}\n", "count per month"),
    ("name: s\nbase: {model: profet}\n", "unknown model 'profet'. Did you mean 'prophet'?"),
    ("name: s\nversion: 2\n", "schema version 2"),
    ("drivers: []\n", "missing required key 'name'"),
    ("name: s\ndrivers:\n  - {kind: uplift, category: robbery, value: 0.1}\n  - {kind: uplift, category: robbery, value: 0.2}\n",
     "drivers[1]: two drivers are both called 'uplift robbery force' (also drivers[0])"),
    ("name: s\nname: t\n", "line 2: key 'name' appears twice"),
    ("name: s\ndrivers:\n  - kind: uplift\n   category: x\n", "not valid YAML"),
    ("name: s\nbase: !!python/object/apply:os.system ['echo hacked']\n", "tags that build objects"),
    ("- just\n- a list\n", "a scenario file is a YAML mapping"),
    ("", "is empty (or holds only comments): a scenario file is"),
]


@pytest.mark.parametrize("text, message", BAD_FILES)
def test_each_bad_file_gives_one_clear_error_naming_file_and_key(write, text, message):
    path = write(text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(path) in str(caught.value)
    assert message.lower() in str(caught.value).lower()


def test_cyclic_extends_is_named(write):
    write("name: a\nextends: b.yaml\n", "a.yaml")
    write("name: b\nextends: c.yaml\n", "b.yaml")
    write("name: c\nextends: a.yaml\n", "c.yaml")
    with pytest.raises(ScenarioError, match=r"in a circle \(a.yaml -> b.yaml -> c.yaml -> a.yaml\)"):
        load_scenario(write("name: a\nextends: b.yaml\n", "a.yaml"))


def test_missing_parent_and_missing_file(write, tmp_path):
    with pytest.raises(ScenarioError, match="extends: 'nowhere.yaml' is neither a file"):
        load_scenario(write("name: s\nextends: nowhere.yaml\n"))
    with pytest.raises(ScenarioError, match="not found.*forecast scenario new"):
        load_scenario(tmp_path / "absent.yaml")


def test_drop_drivers_must_name_a_driver(write):
    with pytest.raises(ScenarioError, match="no driver called 'psuh' to drop. Did you mean 'push'"):
        load_scenario(write("name: s\ndrop_drivers: [psuh]\ndrivers:" + DRIVER))


def test_yaml_dates_and_percent_strings_are_accepted(write):
    scenario = load_scenario(write("name: s\ndrivers:\n  - {kind: uplift, category: robbery, value: '+10%', start: 2014-04-01}\n"))
    driver = scenario.drivers[0]
    assert isinstance(driver, Uplift) and driver.start == "2014-04" and driver.value.mean == pytest.approx(0.1)

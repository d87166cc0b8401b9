"""Saved forecasts: `run --save`, `--forecast NAME` on scenario, milestones and the fund, and `forecast forecasts`."""

import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from conftest import QUICK_FUND
from crimecast.cli import cli
from crimecast.data.sources import DataSource, open_counts
from crimecast.errors import DataError
from crimecast.forecast.saved import _saved_spec, _switched_off
from crimecast.forecast.models import CrimeForecaster
from crimecast.forecast.panel import forecast_panel
from crimecast.forecast.saved import load_panel, save_panel
from crimecast.forecast.spec import ForecastSpec
from tests.builders import avon_fund

pytestmark = pytest.mark.xdist_group("saved-store")  # one worker: the saved forecasts are made once

QUICK = ["--model", "seasonal-naive", "--paths", "200"]


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def saved_store(tmp_path_factory):
    """A store holding `run all --save wm` and `run burglary --save b` (seasonal-naive, 200 paths)."""
    folder = tmp_path_factory.mktemp("saved")
    store = folder / "store.duckdb"
    for args in (["all", "--save", "wm"], ["burglary", "--save", "b"]):
        result = invoke("run", *args, *QUICK, "--no-backtest", "--no-chart", "--jobs", "1", "--store", store,
                        "--out", folder / "out")
        assert result.exit_code == 0, result.output
        assert f"Saved the forecast as '{args[-1]}'" in result.output
    return store


@pytest.fixture
def no_fitting(monkeypatch):
    """Make any model fit fail: a command that reuses a saved forecast must not fit."""
    def refuse(self, y):
        raise AssertionError("a model was fitted")
    monkeypatch.setattr(CrimeForecaster, "fit", refuse)


def test_forecasts_lists_what_is_saved_and_drops_one(saved_store, tmp_path):
    listed = invoke("forecasts", "--store", saved_store, "--json")
    table = {row["name"]: row for row in json.loads(listed.stdout)["forecasts"]}
    assert table["wm"]["series"] == 70 and table["b"]["series"] == 1 and table["wm"]["model"] == "seasonal-naive"
    assert table["wm"]["periods"] == 12 and 0 < table["b"]["kilobytes"] < table["wm"]["kilobytes"]
    assert table["wm"]["off"] == "-"
    text = invoke("forecasts", "--store", saved_store).output
    assert "wm" in text and "west-midlands" in text and "2014-03" in text
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(saved_store.read_bytes())
    assert invoke("forecasts", "--store", copy, "--drop", "b").exit_code == 0
    assert [r["name"] for r in json.loads(invoke("forecasts", "--store", copy, "--json").stdout)["forecasts"]] == ["wm"]


def test_milestones_scenario_and_fund_reuse_the_saved_forecast_without_fitting(saved_store, tmp_path, csf_file,
                                                                               no_fitting, unpriced_fund):
    out = tmp_path / "out"
    for args in (["milestones", "burglary", "--target", "-8%", "--no-chart"],
                 ["scenario", "run", "planning-2014-15", "--no-chart"],
                 ["optimise", "csf", "--assumptions", csf_file(**QUICK_FUND), "--no-chart"]):
        result = invoke(*args, "--forecast", "wm", "--store", saved_store, "--out", out)
        assert result.exit_code == 0, (args, result.output)
        assert "saved forecast 'wm'" in result.output  # the fund says so too (its notes were once not printed)
    compared = invoke("scenario", "compare", "planning-2014-15", "--forecast", "wm", "--store", saved_store, "--out", out)
    assert compared.exit_code == 0, compared.output


def test_a_command_reading_part_of_a_saved_forecast_gets_the_notes_of_its_own_series_only(saved_store, tmp_path):
    result = invoke("milestones", "burglary", "--target", "-8%", "--no-chart", "--forecast", "wm", "--store", saved_store,
                    "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert "7 series forecast separately" in result.output  # burglary's districts, not the 70 series saved
    assert "70 series" not in result.output


def test_notes_of_part_of_a_panel_name_only_its_series():
    from crimecast.forecast.panel import NoteSources

    sources = NoteSources(forecast=(("burglary", "north"), ("robbery", "north")), shared="drift note.",
                          series=((("robbery", "north"), "intervals are wide."),),
                          steps=((("burglary", "north"), "burglary / north -12% from 2019-05"),
                                 (("robbery", "north"), "robbery / north -9% from 2019-01")))
    assert NoteSources.from_json(json.loads(json.dumps(sources.to_json()))) == sources
    notes = sources.only([("burglary", "north")]).notes([("burglary", "north")])
    assert notes[0] == "drift note." and "burglary / north -12%" in notes[1] and len(notes) == 2
    assert not any("robbery" in note for note in notes)


def test_one_series_read_from_a_saved_batch_gets_its_own_wide_note_and_two_the_shared_one(tmp_path, monkeypatch):
    """A batch says wide intervals once for all; one of its series read back says its own years and misses, as a
    forecast of it alone does (it said the batch's 'a forecast of one of these series alone says which years')."""
    from crimecast.forecast import calibrate
    from crimecast.forecast.calibrate import WIDE_INTERVALS

    monkeypatch.setattr(calibrate, "WINDOW_FACTOR_SHARE", 1.0)  # the whole factor: two series of the embedded data wide
    counts = open_counts(DataSource(data="west-midlands"))
    wide = [("robbery", "wolverhampton"), ("vehicle-crime", "wolverhampton")]  # both wide on the embedded data
    needs = [*wide, ("burglary-other", "wolverhampton")]
    panel = forecast_panel(counts, spec=ForecastSpec(paths=100), needs=needs, jobs=1)
    assert f"2 series (robbery / wolverhampton, vehicle-crime / wolverhampton): {WIDE_INTERVALS}" in panel.notes
    save_panel(panel, name="w", counts=counts, store=tmp_path / "s.duckdb")
    back = load_panel("w", counts=counts, store=tmp_path / "s.duckdb")
    for key in wide:
        own = [note for note in panel.series_notes[key] if note.startswith("intervals are wide (width factor 3.")]
        assert len(own) == 1 and "in the backtest year" in own[0]
        assert f"{key[0]} / {key[1]}: {own[0]}" in back.notes_for([key])
        assert not any(WIDE_INTERVALS in note for note in back.notes_for([key]))
    assert f"2 series (robbery / wolverhampton, vehicle-crime / wolverhampton): {WIDE_INTERVALS}" in back.notes_for(wide)


def test_a_forecast_saved_before_own_notes_were_kept_reads_back_in_the_batch_wording():
    from crimecast.forecast.calibrate import WIDE_INTERVALS
    from crimecast.forecast.panel import NoteSources

    key, other = ("robbery", "north"), ("theft", "north")
    sources = NoteSources(forecast=(key, other), series=((key, WIDE_INTERVALS), (other, WIDE_INTERVALS)),
                          own=((key, "wide", "intervals are wide (robbery's own figures)."),
                               (other, "wide", "intervals are wide (theft's own figures).")))
    assert NoteSources.from_json(json.loads(json.dumps(sources.to_json()))) == sources
    assert sources.only([key]).notes([key]) == ["robbery / north: intervals are wide (robbery's own figures)."]
    saved = {name: value for name, value in sources.to_json().items() if name != "own"}  # saved before session 29
    assert NoteSources.from_json(saved).only([key]).notes([key]) == [f"robbery / north: {WIDE_INTERVALS}"]


def test_a_saved_forecast_gives_the_numbers_of_a_refit(saved_store, tmp_path):
    def milestone(*extra):
        result = invoke("milestones", "burglary", "--target", "-8%", "--no-chart", "--json", "--store", saved_store,
                        "--out", tmp_path, *extra)
        assert result.exit_code == 0, result.output
        row = json.loads(result.stdout)["milestones"][0]
        return row["expected"], row["lo80"], row["hi80"], row["p_meet"]

    assert milestone("--forecast", "b") == milestone(*QUICK)
    run = json.loads(invoke("run", "burglary", *QUICK, "--no-backtest", "--no-chart", "--json", "--out", tmp_path).stdout)
    # the expected total is the median path's, the central figure run gives a year (the mean lies above it on skewed series)
    assert run["series"][0]["financial_years"][0]["median"] == pytest.approx(milestone("--forecast", "b")[0], abs=1e-6)


def test_saved_paths_round_trip_exactly(tmp_path):
    counts = open_counts(DataSource(data="west-midlands"))
    panel = forecast_panel(counts, spec=ForecastSpec(model="seasonal-naive", paths=100),
                           needs=[("robbery", "force"), ("robbery", "walsall")])
    save_panel(panel, name="r", counts=counts, store=tmp_path / "s.duckdb")
    back = load_panel("r", counts=counts, store=tmp_path / "s.duckdb")
    assert back.spec == panel.spec and back.as_of == panel.as_of and list(back.months) == list(panel.months)
    for key, paths in panel.paths.bottom.items():
        assert np.array_equal(back.paths.bottom[key], paths)
    assert np.array_equal(back.total("robbery", "force"), panel.total("robbery", "force"))


@pytest.mark.parametrize("args, message", [
    (["milestones", "burglary", "--forecast", "nope"], "no saved forecast 'nope'"),
    (["milestones", "robbery", "--forecast", "b"], "lacks robbery / force"),
    (["milestones", "--plan", "plan-2013-14", "--forecast", "b"], "is from the data to 2014-03 but the plan needs a forecast from the data to 2013-03"),
    (["scenario", "run", "domestic-abuse-uplift", "--forecast", "wm"], "is from the data to 2014-03"),
    (["forecasts", "--drop", "nope"], "no saved forecast 'nope'"),
])
def test_a_saved_forecast_that_cannot_serve_is_one_line_exit_1(saved_store, tmp_path, args, message):
    result = invoke(*args, "--store", saved_store, *(["--out", tmp_path] if args[0] != "forecasts" else []))
    assert result.exit_code == 1, result.output
    error = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(error) == 1 and message in error[0] and "Traceback" not in result.output


def test_a_saved_forecast_is_refused_when_its_data_changed(small_csv, tmp_path):
    store = tmp_path / "s.duckdb"
    result = invoke("run", "robbery", "--area", "north", "--data", small_csv, *QUICK, "--no-backtest", "--no-chart",
                    "--save", "n", "--store", store, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(small_csv)
    frame.loc[0, "count"] += 5  # an earlier month revised
    frame.to_csv(small_csv, index=False)
    counts = open_counts(DataSource(data=str(small_csv)))
    with pytest.raises(DataError, match="has changed since"):
        load_panel("n", counts=counts, store=store)
    result = invoke("milestones", "robbery", "--area", "north", "--data", small_csv, "--forecast", "n", "--store", store,
                    "--out", tmp_path)
    assert result.exit_code == 1 and "has changed since" in result.output


def test_a_bad_save_name_is_refused_before_any_work(tmp_path):
    result = invoke("run", "burglary", "--save", "no spaces", "--out", tmp_path)
    assert result.exit_code == 2 and "not a usable forecast name" in result.output


def test_milestones_area_all_gives_one_row_per_area(saved_store, tmp_path, no_fitting):
    result = invoke("milestones", "burglary", "--target", "-5%", "--area", "all", "--forecast", "wm", "--store",
                    saved_store, "--no-chart", "--json", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["milestones"]
    assert [r["area"] for r in rows][0] == "force" and len(rows) == 8
    some = invoke("milestones", "burglary", "--area", "walsall,dudley", "--forecast", "wm", "--store", saved_store,
                  "--no-chart", "--json", "--out", tmp_path)
    assert [r["area"] for r in json.loads(some.stdout)["milestones"]] == ["dudley", "walsall"]



def test_milestones_for_one_force_of_several_reuse_the_forecast_run_saved(tmp_path, monkeypatch):
    from tests.conftest import seasonal_counts

    months = pd.date_range("2016-04-01", periods=48, freq="MS").strftime("%Y-%m")
    rows = [{"month": m, "force": force, "category": "burglary", "count": c}
            for i, force in enumerate(("mersey", "avon")) for m, c in zip(months, seasonal_counts(48, level=300, seed=i))]
    data, store = tmp_path / "forces.csv", tmp_path / "store.duckdb"
    pd.DataFrame(rows).to_csv(data, index=False)
    assert invoke("data", "import", "csv", data, "--name", "forces", "--area-col", "force", "--store", store).exit_code == 0
    where = ["--area", "mersey", "--as-of", "2019-06", "--dataset", "forces", "--store", store]
    saved = invoke("run", "burglary", *where, *QUICK, "--no-backtest", "--no-chart", "--save", "m", "--out", tmp_path / "o")
    assert saved.exit_code == 0, saved.output
    monkeypatch.setattr(CrimeForecaster, "fit", lambda self, y, **_: pytest.fail("a model was fitted"))
    result = invoke("milestones", "burglary", "--target", "-8%", "--year", "2019/20", *where, "--forecast", "m",
                    "--no-chart", "--json", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert "read from the saved forecast 'm'" in result.output


def test_a_saved_forecast_read_with_other_data_names_the_dataset_it_was_made_from(small_csv, tmp_path):
    store = tmp_path / "s.duckdb"
    assert invoke("data", "import", "csv", small_csv, "--name", "london", "--store", store).exit_code == 0
    result = invoke("run", "robbery", "--area", "force", "--dataset", "london", *QUICK, "--no-backtest", "--no-chart",
                    "--save", "wb", "--store", store, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    result = invoke("milestones", "robbery", "--target", "-5%", "--forecast", "wb", "--store", store,
                    "--out", tmp_path / "m")  # without --dataset london: the embedded illustrative data is read
    assert result.exit_code == 1, result.output
    error = next(line for line in result.output.splitlines() if line.startswith("Error"))
    assert "has changed since" not in error
    assert "the saved forecast 'wb' was made from the data 'london'" in error and "Pass --dataset london" in error
    result = invoke("milestones", "robbery", "--target", "-5%", "--year", "2013/14", "--forecast", "wb",
                    "--dataset", "london", "--store", store, "--out", tmp_path / "m")
    assert "made from the data" not in result.output


def test_a_forecast_saved_before_the_drift_reads_back_without_it():
    assert _saved_spec({"model": "crimecast", "paths": 1000}).drift is False
    assert _saved_spec(ForecastSpec().model_dump(mode="json")).drift is True


def test_the_list_says_which_defaults_a_saved_forecast_was_made_without():
    assert _switched_off(ForecastSpec(drift=False)) == "drift off"
    assert _switched_off(ForecastSpec(steps=False, drift=False)) == "steps off, drift off"
    assert _switched_off(ForecastSpec(model="ets", drift=False)) == "-"  # only the default model carries a drift


def _peers_file(tmp_path, forces: dict[str, int]) -> Path:
    """Burglary and robbery of ``forces`` (name: level), 2016-2019, in a force column: read with --areas peers."""
    months = [f"{y}-{m:02d}" for y in range(2016, 2020) for m in range(1, 13)]
    rows = [f"{month},{force},{crime},{(level if crime == 'Burglary' else level // 8) + 5 * (i % 12)}"
            for force, level in forces.items() for crime in ("Burglary", "Robbery") for i, month in enumerate(months)]
    path = tmp_path / "forces.csv"
    path.write_text("month,force,crime_type,count\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _burglary_cut(tmp_path, data: str, area: str = "") -> Path:
    path = tmp_path / "cut.yaml"
    path.write_text(f"version: 1\nname: cut\nbase:\n  data: {data}\n  as_of: 2019-03\n{area}  model: seasonal-naive\n"
                    "  paths: 200\ndrivers:\n  - {name: cut, kind: uplift, category: burglary, value: -0.05}\n",
                    encoding="utf-8")
    return path


def _without_reading_notes(text: str) -> str:
    """Output without the lines that differ between reading a saved forecast and forecasting: the note that says
    it was read, the progress bar and the folder written to."""
    return "\n".join(line for line in text.splitlines() if "saved forecast" not in line and line != "Forecasting"
                     and not line.startswith("Wrote "))


def test_a_forecast_saved_of_one_force_of_peers_serves_every_command_reading_it_as_the_whole(tmp_path, unpriced_fund):
    """One force of peers (the police.uk counts of Merseyside read with --areas peers) is taken as the whole by
    scenarios, milestones, the fund and the pack; `run` forecasts it by its name. Was: "the saved forecast 'a' was
    made from the data 'avon', and this command reads 'avon (avon-and-somerset)'" (scenario run), milestones named
    the data as read otherwise, and the fund's area: force was unknown; the data a forecast was made from is now
    named the same however it is read (data_identity), so reading it gives what forecasting gives."""
    store = tmp_path / "s.duckdb"
    data = _peers_file(tmp_path, {"Avon and Somerset Constabulary": 800})
    assert invoke("data", "import", "csv", data, "--areas", "peers", "--name", "avon", "--store", store).exit_code == 0
    saved = invoke("run", "all", "--dataset", "avon", "--as-of", "2019-03", *QUICK, "--no-backtest", "--no-chart",
                   "--jobs", "1", "--save", "a", "--store", store, "--out", tmp_path / "o")
    assert saved.exit_code == 0, saved.output
    where = ["--store", store, "--no-chart"]
    scenario = ["scenario", "run", _burglary_cut(tmp_path, "avon"), *where]
    fund = tmp_path / "fund.yaml"
    fund.write_text(yaml.safe_dump(avon_fund(data="avon", as_of="2019-03", paths=200)), encoding="utf-8")
    commands = {"scenario": scenario,
                "milestones": ["milestones", "burglary", "--target", "-5%", "--dataset", "avon", "--year", "2019/20",
                               "--as-of", "2019-03", *where],
                "fund": ["optimise", "csf", "--assumptions", fund, *where]}
    for name, command in commands.items():
        made_with = QUICK if name == "milestones" else []  # (the files say how the scenario and the fund forecast)
        read, made = (invoke(*command, *extra, "--out", tmp_path / f"{name}{len(extra)}")
                      for extra in (("--forecast", "a"), made_with))
        assert read.exit_code == 0 and "from the saved forecast 'a'" in read.output, (name, read.output)
        assert made.exit_code == 0, (name, made.output)
        if name != "scenario":  # (its total recorded crime pairs the series forecast, which are not the same ones)
            assert _without_reading_notes(read.output) == _without_reading_notes(made.output), name
    ours, fresh = (pd.read_csv(tmp_path / f"scenario{n}" / "scenario-cut" / "financial_years.csv") for n in (2, 0))
    assert len(ours)
    assert ours[ours["category"] == "burglary"].equals(fresh[fresh["category"] == "burglary"])
    plan = tmp_path / "plan.yaml"
    plan.write_text("name: avon\nyear: 2019/20\nmilestones:\n  - {category: burglary, target: -5%}\n", encoding="utf-8")
    pack = invoke("report", "--plan", plan, "--dataset", "avon", "--as-of", "2019-03", "--csf", fund, "--forecast", "a",
                  "--no-pdf", "--store", store, "--out", tmp_path / "pack")
    assert pack.exit_code == 0, pack.output
    page = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (tmp_path / "pack" / "report.html").read_text())))
    assert "Baseline crime is each recipient's forecast for 2019/20 read from the saved forecast 'a'" in page


def test_a_forecast_saved_of_one_force_among_several_serves_a_scenario_on_that_force(tmp_path):
    """A scenario on one force of several (base area) reads the forecast `run --area` saved of it, as milestones
    did: was "made from the data 'forces', and this command reads 'forces (mersey)'". Another force's forecast
    lacks it, and says so by its name."""
    store = tmp_path / "s.duckdb"
    data = _peers_file(tmp_path, {"Mersey": 400, "Avon": 800})
    assert invoke("data", "import", "csv", data, "--areas", "peers", "--name", "forces", "--store", store).exit_code == 0
    for force in ("mersey", "avon"):
        saved = invoke("run", "all", "--dataset", "forces", "--area", force, "--as-of", "2019-03", *QUICK,
                       "--no-backtest", "--no-chart", "--jobs", "1", "--save", force, "--store", store, "--out", tmp_path)
        assert saved.exit_code == 0, saved.output
    scenario = ["scenario", "run", _burglary_cut(tmp_path, "forces", area="  area: mersey\n"), "--store", store,
                "--no-chart"]
    read = invoke(*scenario, "--forecast", "mersey", "--out", tmp_path / "read")
    assert read.exit_code == 0 and "baseline from the saved forecast 'mersey'" in read.output, read.output
    assert invoke(*scenario, "--out", tmp_path / "made").exit_code == 0
    ours, fresh = (pd.read_csv(tmp_path / n / "scenario-cut" / "financial_years.csv") for n in ("read", "made"))
    assert len(ours) and ours[ours["category"] == "burglary"].equals(fresh[fresh["category"] == "burglary"])
    other = invoke(*scenario, "--forecast", "avon", "--out", tmp_path / "other")
    assert other.exit_code == 1 and "the saved forecast 'avon' lacks" in other.output
    assert "burglary / mersey" in other.output and "/ force" not in other.output
    # the command it suggests reads the same data, as written (was `forecast run all --area all --save NAME`: the
    # embedded illustrative data)
    assert f"`forecast run all --dataset forces --store {store} --area all --as-of 2019-03 --save NAME`" in other.output


def test_a_quarterly_saved_forecast_is_named_in_quarters_and_the_save_it_suggests_serves_as_written(tmp_path):
    """Was: `forecasts` listed as_of 2014-10 and the refusal said "covers 2015-01 to 2015-12" of quarterly data; and the
    suggested `forecast run all ... --save NAME` had no --as-of or --horizon, so run as written it did not serve."""
    import shlex

    from tests.builders import home_office_text

    store, source = tmp_path / "s.duckdb", tmp_path / "ho.csv"
    source.write_text(home_office_text(quarters=20), encoding="utf-8")
    assert invoke("data", "import", "home-office", source, "--name", "forces", "--store", store).exit_code == 0
    quick = [*QUICK, "--no-backtest", "--no-chart", "--jobs", "1", "--out", tmp_path / "o"]
    saved = invoke("run", "robbery", "--dataset", "forces", "--area", "merseyside", "--as-of", "2014-12",
                   "--save", "q", "--store", store, *quick)
    assert saved.exit_code == 0, saved.output
    assert invoke("forecasts", "--store", store).output.splitlines()[2].split()[:3] == ["q", "forces", "2014/15"]
    milestone = ["--target", "-5%", "--dataset", "forces", "--area", "merseyside", "--as-of", "2014-12",
                 "--store", store, "--out", tmp_path / "m", "--no-chart"]
    for category, year, said in [("robbery", "2015/16", "covers 2014/15 Q4 to 2015/16 Q3, but the plan needs 5 "
                                                        "quarters from 2014/15 Q4"),
                                 ("theft-offences", "2014/15", "lacks theft-offences / merseyside")]:
        asked = ["milestones", category, *milestone, "--year", year]
        refused = invoke(*asked, "--forecast", "q")
        assert refused.exit_code == 1 and said in refused.output, refused.output
        [command] = re.findall(r"`(forecast run [^`]+)`", refused.output)
        name = f"served-{category}"
        made = invoke(*shlex.split(command.replace("NAME", name))[1:], *quick)
        assert made.exit_code == 0, (command, made.output)
        served = invoke(*asked, "--forecast", name)
        assert served.exit_code == 0 and f"from the saved forecast '{name}'" in served.output, (command, served.output)


def test_a_forecast_saved_before_another_force_went_quiet_still_serves_the_year_so_far(tmp_path):
    """Another force's counts stop at the saved as-of and stay missing (Devon and Cornwall on the Home Office table):
    read whole, its gap is too long and the series is left out, so the data to the as-of month *read now* differs from
    the data the forecast was saved from; as it stood then, it is the same, and the saved forecast serves (here
    `--against`; the year-end Board pack's `--forecast` reads it the same way)."""
    from tests.conftest import seasonal_counts

    months = pd.date_range("2016-04-01", periods=48, freq="MS")
    quiet = set(pd.date_range("2019-02-01", periods=5, freq="MS"))  # avon: none from 2019-02 to 2019-06, then again
    rows = [{"month": f"{m:%Y-%m}", "force": force, "category": "burglary", "count": c}
            for i, force in enumerate(("mersey", "avon")) for m, c in zip(months, seasonal_counts(48, level=300, seed=i))
            if not (force == "avon" and m in quiet)]
    data, store = tmp_path / "forces.csv", tmp_path / "store.duckdb"
    pd.DataFrame(rows).to_csv(data, index=False)
    assert invoke("data", "import", "csv", data, "--name", "forces", "--area-col", "force", "--store", store).exit_code == 0
    where = ["--area", "mersey", "--dataset", "forces", "--store", store]
    saved = invoke("run", "burglary", *where, "--as-of", "2019-03", *QUICK, "--no-backtest", "--no-chart", "--save",
                   "start", "--out", tmp_path / "o")
    assert saved.exit_code == 0, saved.output
    result = invoke("milestones", "burglary", "--target", "-8%", "--year", "2019/20", *where, "--as-of", "2019-09",
                    "--against", "start", "--no-chart", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert "has changed since" not in result.output and "saved at the start of the year as 'start'" in result.output
    frame = pd.read_csv(data)
    frame.loc[0, "count"] += 5  # a month before the as-of revised: refused as before
    frame.to_csv(data, index=False)
    assert invoke("data", "import", "csv", data, "--name", "forces", "--area-col", "force", "--replace",
                  "--store", store).exit_code == 0
    result = invoke("milestones", "burglary", "--target", "-8%", "--year", "2019/20", *where, "--as-of", "2019-09",
                    "--against", "start", "--no-chart", "--out", tmp_path / "o")
    assert result.exit_code == 1 and "has changed since" in result.output

"""`forecast data ...` and the shared data options, through click's CliRunner."""

import functools
import http.server
import json
import threading

import pandas as pd
import pytest
from click.testing import CliRunner

from crimecast.cli import cli
from tests.builders import ONS_ROLLING, TYPES, home_office_text, street_archive
from tests.conftest import HOME_OFFICE, POLICE_UK, SHARED_DATA, needs_shared_data


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def store(tmp_path):
    return tmp_path / "crimecast.duckdb"


def test_import_list_show_drop(tmp_path, store):
    archive = street_archive(tmp_path)
    result = invoke("data", "import", "police-uk", archive, "--name", "north", "--store", store)
    assert result.exit_code == 0, result.output
    assert "Imported 'north'" in result.output and "2 forces" in result.output
    again = invoke("data", "import", "police-uk", archive, "--name", "north", "--store", store)
    assert "nothing changed" in again.output
    listed = invoke("data", "list", "--store", store)
    assert "north" in listed.output and "police-uk" in listed.output
    shown = invoke("data", "show", "north", "--store", store)
    assert shown.exit_code == 0 and "anti-social-behaviour" in shown.output and "sha256" in shown.output
    payload = json.loads(invoke("data", "show", "north", "--store", store, "--json").stdout)
    assert payload["frequency"] == "month" and payload["areas"] == "peers"
    assert invoke("data", "drop", "north", "--store", store).exit_code == 0
    assert "No datasets" in invoke("data", "list", "--store", store).output


def test_data_show_names_the_series_most_missing_first_and_gaps_lists_them_all(tmp_path, store):
    months = [str(m)[:7] for m in pd.date_range("2019-01-01", periods=16, freq="MS")]
    rows = [(m, f"district-{i}", "robbery", 5) for i in range(7) for m in months if m not in months[1:2 * i:2]]
    path = tmp_path / "gappy.csv"
    pd.DataFrame(rows, columns=["month", "area", "category", "count"]).to_csv(path, index=False)
    assert invoke("data", "import", "csv", path, "--name", "gappy", "--store", store).exit_code == 0
    shown = invoke("data", "show", "gappy", "--store", store).output
    assert "6 series have missing months inside them, most: robbery / district-6 (6), robbery / district-5 (5)" in shown
    assert "`forecast data show gappy --gaps` lists them all" in shown and "district-1 (1)" not in shown
    listed = invoke("data", "show", "gappy", "--gaps", "--store", store)
    assert listed.exit_code == 0 and "6 series with months missing inside them (21 months)" in listed.output
    assert all(f"district-{i}" in listed.output for i in range(1, 7)) and "district-0" not in listed.output
    run = invoke("list", "--dataset", "gappy", "--store", store)
    assert "(most often 2019-02, in 6 series; at most 6 in one series, robbery / district-6)" in run.output
    assert "`forecast data show gappy --gaps` lists every series with gaps" in run.output


def test_store_from_the_environment(tmp_path, store, monkeypatch):
    monkeypatch.setenv("CRIMECAST_STORE", str(store))
    assert invoke("data", "import", "police-uk", street_archive(tmp_path), "--name", "north").exit_code == 0
    assert store.exists() and "north" in invoke("data", "list").output


def test_commands_read_a_stored_dataset_and_totals_leave_out_asb(tmp_path, store):
    invoke("data", "import", "police-uk", street_archive(tmp_path), "--name", "north", "--store", store)
    listed = invoke("list", "--dataset", "north", "--store", store)
    assert listed.exit_code == 0, listed.output
    assert "separate forces" in listed.output and "burglary-dwelling" not in listed.output
    assert "The areas are peers (such as separate forces, or the local authorities of several forces)" in listed.output
    assert "all burglary" in listed.output
    refused = invoke("spc", "burglary", "--dataset", "north", "--store", store, "--out", tmp_path / "o")
    assert refused.exit_code == 1 and "separate forces" in refused.output and "--area" in refused.output


def test_bad_input_is_one_line_and_leaves_the_store_unchanged(tmp_path, store, write_csv):
    invoke("data", "import", "home-office", write_csv(home_office_text()), "--name", "forces", "--store", store)
    before = store.read_bytes()
    cases = [
        (("data", "import", "home-office", write_csv(home_office_text(quarters=20, duplicate=True), name="d.csv")),
         "second row for the same quarter"),
        (("data", "import", "home-office", write_csv(ONS_ROLLING, name="ons.csv")), "rolling 12-month totals"),
        (("data", "import", "police-uk", write_csv("x", name="bad.zip")), "not a readable zip"),
        (("data", "import", "police-uk", tmp_path / "nothing.zip"), "no such file"),
        (("data", "import", "csv", write_csv("month,force,crime_type,count\n2020-01,Kent Police,Burglary,9\n"
                                             "2020-01,Kent Police,Robbery,2\n2020-02,Kent Police,Burglary,8\n"
                                             "2020-02,Kent Police,Robery,3\n", name="typo.csv")),
         "row 5, column crime_type: 'Robery' is not a police.uk crime type; did you mean 'Robbery'?"),
    ]
    for args, message in cases:
        result = invoke(*args, "--name", "forces", "--store", store)
        assert result.exit_code == 1, result.output
        assert message in result.output and "Traceback" not in result.output
        assert result.output.count("Error:") == 1 and result.output.strip().splitlines()[-1].startswith("Error:")
    assert store.read_bytes() == before
    unknown = invoke("list", "--dataset", "nope", "--store", store)
    assert unknown.exit_code == 1 and "no dataset 'nope'" in unknown.output
    foreign = tmp_path / "foreign.duckdb"
    foreign.write_text("not a database")
    assert "not a crimecast store" in invoke("data", "list", "--store", foreign).output
    both = invoke("list", "--dataset", "forces", "--data", "west-midlands", "--store", store)
    assert both.exit_code == 2 and "not both" in both.output


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_import_from_a_url(tmp_path, store):
    street_archive(tmp_path, name="served.zip")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/served.zip"
        result = invoke("data", "import", "police-uk", "--url", url, "--name", "north", "--store", store)
        assert result.exit_code == 0, result.output
        missing = invoke("data", "import", "police-uk", "--url", url.replace("served", "absent"), "--name", "x",
                         "--store", store)
        assert missing.exit_code == 1 and "could not be downloaded" in missing.output
    finally:
        server.shutdown()
    shown = json.loads(invoke("data", "show", "north", "--store", store, "--json").stdout)
    assert shown["files"][0]["path"] == url


def test_quarterly_dataset_refuses_a_mid_quarter_as_of(tmp_path, store, write_csv):
    invoke("data", "import", "home-office", write_csv(home_office_text()), "--name", "forces", "--store", store)
    result = invoke("spc", "robbery", "--dataset", "forces", "--area", "west-midlands", "--store", store,
                    "--as-of", "2014-05", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "middle of a quarter" in result.output and "2014-03" in result.output


def test_one_area_tidy_file_gets_a_force_total_so_scenarios_work(write_csv):
    from crimecast.data.sources import DataSource, open_counts

    rows = "\n".join(f"2020-{m:02d},merseyside,{c},{10 + m}" for m in range(1, 13) for c in ("Burglary", "Anti-social behaviour"))
    counts = open_counts(DataSource(data=str(write_csv("month,area,category,count\n" + rows + "\n"))))
    assert {"merseyside", "force"} == set(counts["area"])
    total = counts[(counts["category"] == "total-recorded-crime") & (counts["area"] == "force")]["count"]
    assert total.tolist() == [10 + m for m in range(1, 13)]  # burglary only: ASB is not a crime


@needs_shared_data
def test_real_files_into_one_store(tmp_path, store):
    for args in (("police-uk", SHARED_DATA / "police-uk-street", "--name", "street", "--area-level", "local-authority"),
                 ("csv", POLICE_UK, "--name", "police-uk-4"),
                 ("home-office", HOME_OFFICE, "--name", "home-office", "--sum-duplicates")):
        result = invoke("data", "import", *args, "--store", store)
        assert result.exit_code == 0, result.output
    assert len(invoke("data", "list", "--store", store, "--json").stdout) > 10
    from crimecast.data.sources import DataSource, open_counts

    counts = open_counts(DataSource(dataset="police-uk-4", store=str(store)))
    total = counts[(counts["category"] == "total-recorded-crime") & (counts["area"] == "merseyside")].set_index("month")["count"]
    year = lambda start: total.loc[f"{start}-04-01":f"{start + 1}-03-01"].sum()  # noqa: E731
    assert year(2020) / year(2019) - 1 == pytest.approx(-0.052, abs=0.005)


def test_a_force_has_one_area_key_whichever_police_uk_file_it_came_from(tmp_path, store):
    """Was: a counts file of one force named it 'avon-and-somerset-constabulary', one of several 'avon-and-somerset';
    and the force of one force's street files ('force') could not be asked for by its key."""
    rows = [f"2020-{m:02d},{force},Burglary,{n + m}" for m in range(1, 4)
            for force, n in (("Avon and Somerset Constabulary", 50), ("Merseyside Police", 40))]
    several, one = tmp_path / "several.csv", tmp_path / "one.csv"
    several.write_text("month,force,crime_type,count\n" + "\n".join(rows) + "\n", encoding="utf-8")
    one.write_text("month,force,crime_type,count\n" + "\n".join(r for r in rows if "Avon" in r) + "\n", encoding="utf-8")
    for name, path in (("several", several), ("one", one)):
        assert invoke("data", "import", "csv", path, "--name", name, "--store", store).exit_code == 0
    areas = {name: invoke("data", "show", name, "--store", store).output for name in ("several", "one")}
    assert "Areas (2): avon-and-somerset, merseyside" in areas["several"]
    assert "Areas (1): avon-and-somerset\n" in areas["one"] and "constabulary" not in areas["one"]
    street = invoke("data", "import", "police-uk", _street_file(tmp_path, "Merseyside Police", "2020-01"), "--name",
                    "street", "--store", store)
    assert street.exit_code == 0, street.output
    asked = invoke("spc", "burglary", "--dataset", "street", "--area", "merseyside", "--store", store, "--no-chart",
                   "--out", tmp_path / "o")  # the area is found (a month is too few to chart)
    assert "only 1 month to chart" in asked.output and "unknown area" not in asked.output, asked.output


def test_a_one_force_dataset_stored_before_keeps_its_area_when_extended(tmp_path, store):
    """A store made before keeps 'avon-and-somerset-constabulary': the next month adds to that area rather than to a
    second one summed with it into 'force'."""
    import duckdb

    first, later = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("month,force,crime_type,count\n2020-01,Avon and Somerset Constabulary,Burglary,5\n", encoding="utf-8")
    later.write_text("month,force,crime_type,count\n2020-02,Avon and Somerset Constabulary,Burglary,6\n", encoding="utf-8")
    assert invoke("data", "import", "csv", first, "--name", "avon", "--store", store).exit_code == 0
    with duckdb.connect(str(store)) as connection:  # as the import wrote it before
        for table in ("counts", "areas"):
            connection.execute(f"UPDATE {table} SET area = 'avon-and-somerset-constabulary' WHERE dataset = 'avon'")
    assert invoke("data", "import", "csv", later, "--name", "avon", "--store", store).exit_code == 0
    with duckdb.connect(str(store), read_only=True) as connection:
        rows = connection.execute("SELECT area, strftime(month, '%Y-%m'), count FROM counts ORDER BY month").fetchall()
    assert rows == [("avon-and-somerset-constabulary", "2020-01", 5), ("avon-and-somerset-constabulary", "2020-02", 6)]


def _street_file(folder, force, month):
    from tests.builders import FORCES, street_csv_text

    path = folder / f"{month}-{FORCES[force][0]}-street.csv"
    path.write_text(street_csv_text(force, month, seed=int(month[-2:])), encoding="utf-8")
    return path


def _ragged_forces(tmp_path, store):
    """The dataset ``forces`` of Merseyside and Cleveland to 2019-12, then Merseyside's 2020-01 imported on its own
    (the forces end at different months); the second import's result."""
    _merseyside_push(tmp_path, store, _burglary_rows())
    january = tmp_path / "merseyside-2020-01.csv"
    january.write_text("month,force,crime_type,count\n2020-01,Merseyside Police,Burglary,410\n", encoding="utf-8")
    imported = invoke("data", "import", "csv", january, "--name", "forces", "--store", store)
    assert imported.exit_code == 0, imported.output
    return imported


def test_one_forces_next_month_extends_a_dataset_of_several_and_commands_say_where_the_forces_end(tmp_path, store):
    """Was refused (a one-force import into a dataset of several), and once in (with a file of another force), every
    series of the other force 'stopped': `run --area cleveland` failed. Now each command uses the data to the last
    month every force it asks for has, and says so; `data list` and `data show` say where each force ends."""
    imported = _ragged_forces(tmp_path, store)
    assert "(1 new month)" in imported.output
    ends = ("the forces end at different months (merseyside 2020-01; cleveland 2019-12): a command uses the data up to "
            "the last month every force it asks for has.")
    assert f"forces: {ends}" in invoke("data", "list", "--store", store).output
    assert ends[:1].upper() + ends[1:] in invoke("data", "show", "forces", "--store", store).output
    payload = json.loads(invoke("data", "show", "forces", "--store", store, "--json").stdout)
    assert payload["force_ends"] == {"cleveland": "2019-12", "merseyside": "2020-01"}
    quick = ("--dataset", "forces", "--store", store, "--model", "seasonal-naive", "--paths", 200, "--no-backtest",
             "--no-chart", "--json", "--out", tmp_path / "o")
    behind = invoke("run", "burglary", "--area", "cleveland", *quick)
    assert behind.exit_code == 0, behind.output  # was: "its counts stop at 2019-12, 1 month before the data used ends"
    assert json.loads(behind.stdout)["series"][0]["forecast"][0]["month"] == "2020-01"
    assert ("the forces end at different months (merseyside 2020-01; cleveland 2019-12): the data is used to 2019-12, "
            "the last month cleveland has.") in behind.output
    both = invoke("run", "burglary", "--area", "all", *quick)
    assert both.exit_code == 0 and "the last month every force asked for has" in both.output, both.output
    assert {s["forecast"][0]["month"] for s in json.loads(both.stdout)["series"]} == {"2020-01"}
    ahead = invoke("run", "burglary", "--area", "merseyside", *quick)
    assert ahead.exit_code == 0 and "the data is used to" not in ahead.output, ahead.output
    assert json.loads(ahead.stdout)["series"][0]["forecast"][0]["month"] == "2020-02"


def test_a_dataset_of_one_forces_street_files_is_titled_by_the_force_its_files_name(tmp_path, store):
    """Merseyside's own street files: run, spc and milestones titled its force-wide series 'force-wide'; they name
    the force as its files do (the area stays 'force', and the numbers are as they were)."""
    months = [f"{y}-{m:02d}" for y in (2018, 2019) for m in range(1, 13)] + ["2020-01", "2020-02", "2020-03"]
    files = [_street_file(tmp_path, "Merseyside Police", month) for month in months]
    assert invoke("data", "import", "police-uk", *files, "--name", "mersey", "--store", store).exit_code == 0
    quick = ("--dataset", "mersey", "--store", store, "--no-chart", "--out", tmp_path / "o")
    forecast = ("--model", "seasonal-naive", "--paths", 200)
    titles = {"run": "Burglary — Merseyside Police. Data: mersey.", "spc": "Burglary — Merseyside Police: XmR chart",
              "milestones": "Burglary — Merseyside Police  2020/21"}
    shown = {"run": invoke("run", "burglary", *quick, *forecast, "--no-backtest"),
             "spc": invoke("spc", "burglary", *quick),
             "milestones": invoke("milestones", "burglary", "--target", "-5%", "--year", "2020/21", *quick, *forecast)}
    for command, result in shown.items():
        assert result.exit_code == 0 and titles[command] in result.output, result.output
        assert "force-wide" not in result.output


def test_a_counts_file_of_forces_in_an_older_store_has_its_forces_read_as_forces_without_importing_it_again(tmp_path,
                                                                                                       store):
    """A store made before the forces' names were recorded: a counts file of forces whose download lacks Cleveland's
    last month was read as areas whose counts stop (`run --area cleveland` failed: "its counts stop at 2019-12, 1
    month before the data used ends"), until imported again; its import options say its areas are forces."""
    import duckdb

    months = [f"{y}-{m:02d}" for y in range(2017, 2020) for m in range(1, 13)] + ["2020-01"]
    rows = [f"{month},{force},Burglary,{base + 3 * (i % 12)}" for i, month in enumerate(months)
            for force, base in (("Merseyside Police", 400), ("Cleveland Police", 150))
            if (month, force) != ("2020-01", "Cleveland Police")]
    path = tmp_path / "forces.csv"
    path.write_text("month,force,crime_type,count\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert invoke("data", "import", "csv", path, "--name", "forces", "--store", store).exit_code == 0
    with duckdb.connect(str(store)) as connection:  # as the store was before it recorded the forces' names
        connection.execute("UPDATE areas SET name = NULL WHERE dataset = 'forces'")
    assert "forces: the forces end at different months (merseyside 2020-01; cleveland 2019-12)" in invoke(
        "data", "list", "--store", store).output
    behind = invoke("run", "burglary", "--area", "cleveland", "--dataset", "forces", "--store", store, "--model",
                    "seasonal-naive", "--paths", 200, "--no-backtest", "--no-chart", "--out", tmp_path / "o")
    assert behind.exit_code == 0 and "the data is used to 2019-12, the last month cleveland has" in behind.output, \
        behind.output


def test_an_area_keeps_its_key_when_a_later_month_has_a_second_force_recording_crimes_there(tmp_path, store):
    """Halton, outside Merseyside, held Merseyside's crimes only; in February Cleveland records one there too. The
    extension gave Merseyside's Halton a second key ('halton' to January, 'halton-merseyside' from February: one
    series split in two); it keeps 'halton', and Cleveland's is told apart by its key."""
    import duckdb

    from tests.builders import street_csv_text

    def month(name: str, *, halton: bool) -> list:
        folder = tmp_path / name
        folder.mkdir()
        cleveland = street_csv_text("Cleveland Police", name, seed=2) + (
            f"c{name}h,{name},Cleveland Police,Cleveland Police,-2.7,53.3,On or near Road,E01012393,Halton 001B,"
            "Robbery,Under investigation,\n" if halton else "")
        (folder / f"{name}-cleveland-street.csv").write_text(cleveland, encoding="utf-8")
        (folder / f"{name}-merseyside-street.csv").write_text(street_csv_text("Merseyside Police", name, seed=1),
                                                              encoding="utf-8")
        return sorted(folder.glob("*.csv"))

    options = ("--name", "two", "--area-level", "local-authority", "--store", store)
    assert invoke("data", "import", "police-uk", *month("2020-01", halton=False), *options).exit_code == 0
    later = invoke("data", "import", "police-uk", *month("2020-02", halton=True), *options)
    assert later.exit_code == 0, later.output
    assert ("areas renamed to keep every name unique (a force's own name, or a name two forces share): Halton "
            "(Cleveland Police) is 'halton-cleveland'.") in later.output
    with duckdb.connect(str(store), read_only=True) as connection:
        halton = connection.execute("SELECT area, parent FROM areas WHERE dataset = 'two' AND name = 'Halton' "
                                    "ORDER BY area").fetchall()
        months = connection.execute("SELECT strftime(month, '%Y-%m'), count FROM counts WHERE area = 'halton' AND "
                                    "category = 'robbery' ORDER BY month").fetchall()
    assert halton == [("halton", "merseyside"), ("halton-cleveland", "cleveland")]
    assert months == [("2020-01", 1), ("2020-02", 1)]


def test_milestones_and_the_board_pack_on_several_forces_use_the_data_to_the_last_month_they_all_have(tmp_path, store):
    """`milestones --area all` and a plan naming forces that end at different months (`milestones --plan`, the Board
    pack) read the data as `run --area all` does (was: every series of the force a month behind was left out as one
    whose counts stop, and its milestone with it; a plan was refused: "burglary / cleveland: its counts stop at
    2019-12, 1 month before the data used ends")."""
    _ragged_forces(tmp_path, store)
    quick = ("--dataset", "forces", "--store", store, "--model", "seasonal-naive", "--paths", 200)
    used = "the data is used to 2019-12, the last month every force asked for has"
    every = invoke("milestones", "burglary", "--target", "-5%", "--area", "all", "--year", "2019/20", *quick,
                   "--no-chart", "--json", "--out", tmp_path / "o")
    assert every.exit_code == 0 and used in every.output, every.output
    assert {m["area"] for m in json.loads(every.stdout)["milestones"]} == {"cleveland", "merseyside"}
    plan = tmp_path / "plan.csv"
    plan.write_text("category,area,target,year\nburglary,merseyside,-5%,2019/20\nburglary,cleveland,-5%,2019/20\n")
    assessed = invoke("milestones", "--plan", plan, *quick, "--no-chart", "--out", tmp_path / "m")
    assert assessed.exit_code == 0 and used in assessed.output, assessed.output
    pack = invoke("report", "--plan", plan, *quick, "--no-pdf", "--out", tmp_path / "pack")
    assert pack.exit_code == 0 and used in pack.output, pack.output


def test_run_as_of_uses_the_data_as_it_stood(tmp_path):
    result = invoke("run", "robbery", "--area", "solihull", "--model", "seasonal-naive", "--as-of", "2012-06",
                    "--no-backtest", "--no-chart", "--json", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["series"][0]["forecast"][0]["month"] == "2012-07"


def _merseyside_push(tmp_path, store, rows: list[str], *, model: str | None = None):
    """Import ``rows`` (month,force,crime_type,count) as the dataset ``forces``; a scenario file of a 10% burglary
    uplift on Merseyside, as of 2019-03, with 200 paths (and ``model``)."""
    path = tmp_path / "forces.csv"
    path.write_text("month,force,crime_type,count\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert invoke("data", "import", "csv", path, "--name", "forces", "--store", store).exit_code == 0
    scenario = tmp_path / "push.yaml"
    chosen = f"  model: {model}\n" if model else ""
    scenario.write_text("version: 1\nname: push\nbase:\n  data: forces\n  area: merseyside\n  as_of: 2019-03\n"
                        f"{chosen}  paths: 200\ndrivers:\n  - name: push\n    kind: uplift\n    category: burglary\n"
                        "    value: 0.1\n", encoding="utf-8")
    return scenario


def _burglary_rows() -> list[str]:
    """Rows (month,force,crime_type,count) of Merseyside's and Cleveland's burglary, 2016-01 to 2019-12."""
    months = [f"{y}-{m:02d}" for y in range(2016, 2020) for m in range(1, 13)]
    return [f"{month},{force},Burglary,{base + 3 * (i % 12)}" for i, month in enumerate(months)
            for force, base in (("Merseyside Police", 400), ("Cleveland Police", 150))]


def _merseyside_plan(tmp_path, store):
    """The dataset ``forces`` of :func:`_burglary_rows`, the push scenario (:func:`_merseyside_push`, seasonal-naive)
    and a plan file of 2019/20 on Merseyside (its ``area:``), burglary down 5%: (scenario, plan)."""
    scenario = _merseyside_push(tmp_path, store, _burglary_rows(), model="seasonal-naive")
    plan = tmp_path / "plan.yaml"
    plan.write_text("version: 1\nyear: 2019/20\ndata: forces\narea: merseyside\nmilestones:\n"
                    "  - {category: burglary, target: -5%}\n", encoding="utf-8")
    return scenario, plan


def test_scenario_and_milestones_on_one_force_of_a_stored_dataset(tmp_path, store):
    months = [f"{y}-{m:02d}" for y in range(2016, 2020) for m in range(1, 13)]
    rows = [f"{month},{force},{kind},{base + 3 * (i % 12)}" for i, month in enumerate(months)
            for force, base in (("Merseyside Police", 400), ("Cleveland Police", 150))
            for kind, base in (("Burglary", base), ("Anti-social behaviour", 2 * base))]
    scenario = _merseyside_push(tmp_path, store, rows, model="seasonal-naive")
    result = invoke("scenario", "run", scenario, "--store", store, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert "forces (merseyside)" in result.output and "+10.0%" in result.output
    folder = tmp_path / "o" / "scenario-push"  # the charts are named after the force, as the CSVs name its area
    years = pd.read_csv(folder / "financial_years.csv")
    assert {f"{c}_{a}.png" for c, a in zip(years["category"], years["area"])} == {p.name for p in folder.glob("*.png")}
    assert (folder / "burglary_merseyside.png").exists() and not list(folder.glob("*_force.png"))
    milestones = invoke("milestones", "burglary", "--target", "-5%", "--dataset", "forces", "--area", "merseyside",
                        "--store", store, "--year", "2019/20", "--as-of", "2019-03", "--model", "seasonal-naive",
                        "--paths", "200", "--no-chart", "--out", tmp_path / "m")
    assert milestones.exit_code == 0, milestones.output
    assert "forces (merseyside)" in milestones.output and "P(meet)" in milestones.output
    assert "\nBurglary — Merseyside: planning from 2019-03." in milestones.output  # as its row, not "burglary merseyside"


def test_a_scenario_on_one_force_of_several_names_the_force_in_its_notes_not_force(tmp_path, store):
    months = [f"{y}-{m:02d}" for y in range(2016, 2020) for m in range(1, 13)]
    rows = [f"{month},{force},Burglary,{base + 3 * (i % 12) + (60 if i >= 30 else 0)}" for i, month in enumerate(months)
            for force, base in (("Merseyside Police", 400), ("Cleveland Police", 150))]  # a step: a note names it
    scenario = _merseyside_push(tmp_path, store, rows)
    result = invoke("scenario", "run", scenario, "--store", store, "--no-chart", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("Note:")]
    assert any("burglary / merseyside" in line for line in notes), notes
    assert not any("burglary / force" in line for line in notes), notes


def test_a_sum_over_a_filled_month_says_so_and_p_reads_p_less_than(tmp_path):
    months = [f"{y}-{m:02d}" for y in range(2017, 2021) for m in range(1, 13)][3:39]  # 2017-04 to 2020-03
    rows = [f"{month},{area},{category},{base + 7 * (i % 12) + (40 * i if category == 'robbery' else 0)}"
            for i, month in enumerate(months) for area in ("north", "south")
            for category, base in (("burglary", 300), ("robbery", 100))
            if (month, area, category) != ("2019-07", "north", "burglary")]  # missing in one series: filled in
    path = tmp_path / "counts.csv"
    path.write_text("month,area,category,count\n" + "\n".join(rows) + "\n", encoding="utf-8")

    def recorded(category, area):
        result = invoke("run", category, "--area", area, "--data", path, "--model", "seasonal-naive", "--no-backtest",
                        "--no-chart", "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        assert "p = <" not in result.output
        return next(line for line in result.output.splitlines() if line.startswith("Recorded 2019/20 on 2018/19"))

    filled = "(includes 1 month filled in by interpolation, not recorded: 2019-07)"
    force_total = recorded("total-recorded-crime", "force")  # a sum over categories and districts holds the filled month
    assert filled in force_total and "(Poisson E-test p < 0.001)" in force_total
    assert filled not in recorded("burglary", "south")
    milestones = invoke("milestones", "total-recorded-crime", "--target", "-5%", "--data", path, "--year", "2019/20",
                        "--as-of", "2019-03", "--model", "seasonal-naive", "--paths", 200, "--no-chart",
                        "--out", tmp_path / "m")
    assert milestones.exit_code == 0, milestones.output
    assert ("Note: months filled in by interpolation, not recorded, inside the years planned: total-recorded-crime / "
            "force 2019-07 (2019/20).") in milestones.output


def test_a_series_left_out_for_a_gap_says_so_when_asked_for_not_unknown_category(tmp_path, store, write_csv):
    path = write_csv("month,area,category,count\n2019-01,city-of-london,burglary,24\n2020-04,city-of-london,burglary,29\n"
                     "2019-01,city-of-london,robbery,8\n2019-02,city-of-london,robbery,5\n2019-03,city-of-london,robbery,6\n")
    assert invoke("data", "import", "csv", str(path), "--name", "col", "--store", store).exit_code == 0
    result = invoke("run", "burglary", "--dataset", "col", "--store", store, "--area", "nowhere", "--no-chart",
                    "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    error = next(line for line in result.output.splitlines() if line.startswith("Error"))
    assert "unknown category" not in error
    assert "burglary has no series to work on in col: it was left out for gaps" in error
    assert "14 months in a row with no count" in error and "--max-gap 14" in error
    assert "unknown area 'nowhere'" in error and "Known areas: city-of-london, force" in error


def test_list_shows_a_quarterly_datasets_span_in_quarters(tmp_path, store, write_csv):
    assert invoke("data", "import", "home-office", write_csv(home_office_text(quarters=16)), "--name", "forces",
                  "--store", store).exit_code == 0
    result = invoke("list", "--dataset", "forces", "--store", store)
    assert result.exit_code == 0, result.output
    robbery = next(line for line in result.output.splitlines() if line.startswith("robbery "))
    assert "2012/13 Q1" in robbery and "2015/16 Q4" in robbery  # not 2012-04 and 2016-01, the quarters' first months
    assert "2016-01" not in robbery


@pytest.mark.parametrize("command", [("run", "burglary", "--area", "north", "--no-backtest", "--model", "seasonal-naive",
                                      "--paths", "100", "--no-chart"),
                                     ("spc", "burglary", "--area", "north")])
def test_as_of_after_the_data_ends_is_said_not_silently_ignored(tmp_path, small_csv, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(*command, "--data", small_csv, "--as-of", "2016-01")
    assert result.exit_code == 0, result.output
    assert "--as-of 2016-01 is after the data ends (2014-03)" in result.output


def test_a_shipped_example_read_with_data_is_not_said_to_be_imported(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("example", "burglary").exit_code == 0
    result = invoke("spc", "burglary", "--data", "burglary.csv", "--no-chart")
    assert result.exit_code == 0, result.output
    assert "ILLUSTRATIVE DATA: from crimecast's shipped example files" in result.stderr and "imported" not in result.stderr


def test_data_imported_from_the_shipped_examples_stays_illustrative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    notice = "ILLUSTRATIVE DATA: from crimecast's shipped example files"
    assert invoke("example", "police-uk-street", "satisfaction").exit_code == 0
    imported = invoke("data", "import", "police-uk", "police-uk-street.zip", "--name", "my-force",
                      "--area-level", "local-authority")
    assert imported.exit_code == 0 and notice in imported.output
    run = invoke("run", "burglary", "--dataset", "my-force", "--no-backtest", "--model", "seasonal-naive", "--paths", "100",
                 "--no-chart", "--json")
    assert run.exit_code == 0, run.output
    assert notice in run.stderr and json.loads(run.stdout)["illustrative"]
    spc = invoke("spc", "burglary", "--dataset", "my-force")
    assert spc.exit_code == 0 and notice in spc.output
    rates = invoke("data", "import", "csv", "satisfaction.csv", "--numerator-col", "satisfied", "--denominator-col",
                   "surveyed", "--name", "sat")
    assert rates.exit_code == 0 and notice in rates.output
    p_chart = invoke("spc", "satisfaction", "--dataset", "sat")
    assert p_chart.exit_code == 0 and notice in p_chart.output
    for said in (rates.output, p_chart.output):  # rates are worded as rates: was "not real recorded crime"
        assert "not real survey results" in said and "not real recorded crime" not in said
    assert "my-force (illustrative)" in invoke("data", "list").output
    assert notice in invoke("data", "show", "sat").output
    assert json.loads(invoke("data", "show", "my-force", "--json").stdout)["illustrative"]


def test_real_data_is_not_flagged_and_an_extension_keeps_the_flag(tmp_path, store, monkeypatch):
    from crimecast.data.example_inputs import STREET_FORCE
    from crimecast.data.illustrative import NOTICE
    from tests.builders import street_csv_text

    real = invoke("data", "import", "police-uk", street_archive(tmp_path), "--name", "north", "--store", store)
    assert real.exit_code == 0 and NOTICE not in real.output
    assert NOTICE not in invoke("spc", "burglary", "--dataset", "north", "--area", "merseyside", "--store", store).output
    monkeypatch.chdir(tmp_path)
    assert invoke("example", "police-uk-street").exit_code == 0
    assert invoke("data", "import", "police-uk", "police-uk-street.zip", "--name", "wm", "--store", store).exit_code == 0
    later = tmp_path / "2014-04-west-midlands-street.csv"  # the example's force, a month on
    later.write_text(street_csv_text("Merseyside Police", "2014-04", seed=3).replace("Merseyside Police", STREET_FORCE))
    extended = invoke("data", "import", "police-uk", later, "--name", "wm", "--store", store)
    assert extended.exit_code == 0 and NOTICE in extended.output
    assert NOTICE in invoke("data", "show", "wm", "--store", store).output


def _by_local_authority(folder):
    """A police.uk-by-local-authority extract in the real file's layout: two forces, rows with a blank local
    authority (no location), Westminster in both forces, and a sparse out-of-force authority (four scattered
    months, 15 apart at the end) beside dense series."""
    months = [f"{2018 + m // 12}-{m % 12 + 1:02d}" for m in range(30)]
    rows = ["month,force,local_authority_from_lsoa_name,crime_type,count"]
    for i, month in enumerate(months):
        rows += [f"{month},City of London Police,City of London,Burglary,{20 + i % 5}",
                 f"{month},City of London Police,,Burglary,3",
                 f"{month},Metropolitan Police Service,Camden,Burglary,{80 + i % 7}"]
        if i % 3 == 0:
            rows.append(f"{month},City of London Police,Westminster,Burglary,2")
            rows.append(f"{month},Metropolitan Police Service,Westminster,Burglary,{90 + i % 4}")
    rows += [f"{month},City of London Police,Basingstoke and Deane,Burglary,1"
             for month in ("2018-06", "2018-12", "2019-05", "2020-06")]
    path = folder / "by-la.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_police_uk_local_authority_file_says_what_the_duplicate_key_is(tmp_path, store):
    path = _by_local_authority(tmp_path)
    result = invoke("data", "import", "csv", path, "--name", "la", "--area-col", "local_authority_from_lsoa_name",
                    "--store", store)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{path}, row " in result.output and "a second count for burglary in westminster in 2018-01" in result.output
    assert "differ in column 'force' ('City of London Police' and 'Metropolitan Police Service')" in result.output
    assert "in  in" not in result.output and not store.exists()


def test_a_police_uk_local_authority_file_imports_with_blank_and_sparse_areas_reported(tmp_path, store):
    path = _by_local_authority(tmp_path)
    result = invoke("data", "import", "csv", path, "--name", "la", "--area-col", "local_authority_from_lsoa_name",
                    "--sum-duplicates", "--areas", "peers", "--store", store)
    assert result.exit_code == 0, result.output
    assert "30 rows (90 crimes; the first at row 3) have a blank local_authority_from_lsoa_name and are left out" \
        in result.output
    assert "2 series are too sparse to forecast" in result.output and "burglary / basingstoke-and-deane" in result.output
    shown = json.loads(invoke("data", "show", "la", "--store", store, "--json").stdout)
    series = {(s["category"], s["area"]): s for s in shown["series"]}
    assert series[("burglary", "westminster")]["total"] == sum(2 + 90 + i % 4 for i in range(0, 30, 3))
    assert series[("burglary", "basingstoke-and-deane")]["periods"] == 4
    spc = invoke("spc", "burglary", "--dataset", "la", "--area", "camden", "--store", store)
    assert spc.exit_code == 0, spc.output


def test_a_wide_file_with_minor_rows_names_the_column_behind_a_duplicate(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("example", "london").exit_code == 0
    result = invoke("data", "import", "csv", "london.csv", "--wide", "--category-col", "MajorText", "--area-col",
                    "BoroughName", "--name", "london", "--store", tmp_path / "s.duckdb")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "london.csv, row 9: a second count for burglary in birmingham in 2010-04 (the first is row 2)" in result.output
    assert "differ in column 'MinorText'" in result.output


def test_data_show_of_rates_gives_numerator_denominator_and_rate_not_a_total_of_crimes(tmp_path, store):
    """A rate series is never in total recorded crime: `data show` says what its numbers are and lists its areas."""
    months = pd.date_range("2012-04-01", periods=24, freq="MS").strftime("%Y-%m")
    rows = [f"{m},{area},{40 + i % 5},{50}" for area in ("north", "south") for i, m in enumerate(months)]
    path = tmp_path / "satisfaction.csv"
    path.write_text("month,area,satisfied,surveyed\n" + "\n".join(rows) + "\n")
    imported = invoke("data", "import", "csv", path, "--numerator-col", "satisfied", "--denominator-col", "surveyed",
                      "--name", "sat", "--store", store)
    assert imported.exit_code == 0, imported.output
    shown = invoke("data", "show", "sat", "--store", store)
    assert shown.exit_code == 0, shown.output
    header, _, row = shown.output.splitlines()[1:4]
    assert header.split() == ["category", "series", "first", "last", "missing", "numerator", "denominator", "rate"]
    assert row.split() == ["satisfaction", "2", "2012-04", "2014-03", "0", "2,012", "2,400", "83.8%"]
    assert "in_total" not in shown.output and "Areas (2): north, south" in shown.output
    assert "Fingerprint of the rates" in shown.output


def test_a_file_resaved_by_excel_imports_as_the_clean_one(tmp_path, store, write_csv):
    """BOM, CRLF, thousands separators in quoted cells, dd/mm/yyyy dates and a trailing row of empty cells."""
    months = pd.date_range("2019-04-01", periods=30, freq="MS")
    counts = [900 + 13 * i for i in range(30)]
    clean = "month,force,crime_type,count\n" + "".join(
        f"{m:%Y-%m},Avon Police,Burglary,{c}\n" for m, c in zip(months, counts))
    resaved = "\ufeffmonth,force,crime_type,count\r\n" + "".join(
        f"{m:%d/%m/%Y},Avon Police,Burglary,\"{c:,}\"\r\n" for m, c in zip(months, counts)) + ",,,\r\n"
    assert '"1,186"' in resaved
    for name, text in (("clean", clean), ("resaved", resaved)):
        result = invoke("data", "import", "csv", write_csv(text, f"{name}.csv"), "--name", name, "--store", store)
        assert result.exit_code == 0, result.output
    shown = [json.loads(invoke("data", "show", name, "--store", store, "--json").stdout) for name in ("clean", "resaved")]
    assert shown[0]["fingerprint"] == shown[1]["fingerprint"]


def _one_force_of_peers(tmp_path, store) -> None:
    """Dataset ``a``: one force's burglary, 2016-2019, in a force column imported as peers (no area 'force')."""
    months = [f"{y}-{m:02d}" for y in range(2016, 2020) for m in range(1, 13)]
    rows = [f"{month},Avon and Somerset Constabulary,Burglary,{800 + 5 * (i % 12)}" for i, month in enumerate(months)]
    path = tmp_path / "avon.csv"
    path.write_text("month,force,crime_type,count\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert invoke("data", "import", "csv", path, "--areas", "peers", "--name", "a", "--store", store).exit_code == 0


def test_one_force_of_peers_is_every_commands_default_area_as_for_run(tmp_path, store):
    _one_force_of_peers(tmp_path, store)
    listed = invoke("list", "--dataset", "a", "--store", store).output  # was: "name one with --area"
    assert "this data holds one, avon-and-somerset: it is the default area of every command." in listed
    quick = ("--store", store, "--model", "seasonal-naive", "--paths", 200, "--no-chart", "--out", tmp_path / "o")
    ask = ("milestones", "burglary", "--target", "-5%", "--dataset", "a", "--year", "2019/20", "--as-of", "2019-03", *quick)
    default, named = invoke(*ask), invoke(*ask, "--area", "avon-and-somerset")
    assert default.exit_code == 0, default.output  # was: unknown area 'force' in a. Known areas: avon-and-somerset
    assert default.output == named.output and "Burglary — Avon and Somerset: planning from 2019-03" in default.output
    plan = tmp_path / "plan.yaml"
    plan.write_text("name: avon\nyear: 2019/20\nmilestones:\n  - {category: burglary, target: -5%}\n", encoding="utf-8")
    planned = invoke("milestones", "--plan", plan, "--dataset", "a", "--as-of", "2019-03", *quick)
    assert planned.exit_code == 0 and "Burglary — Avon and Somerset" in planned.output, planned.output
    scenario = tmp_path / "cut.yaml"
    scenario.write_text("version: 1\nname: cut\nbase:\n  data: a\n  as_of: 2019-03\n  model: seasonal-naive\n  paths: 200\n"
                        "drivers:\n  - name: cut\n    kind: uplift\n    category: burglary\n    value: -0.05\n")
    run = invoke("scenario", "run", scenario, "--store", store, "--no-chart", "--out", tmp_path / "o")
    assert run.exit_code == 0 and "-5% on burglary (Avon and Somerset)" in run.output, run.output
    pack = invoke("report", "--plan", plan, "--dataset", "a", "--as-of", "2019-03", "--model", "seasonal-naive",
                  "--paths", 200, "--no-pdf", "--store", store, "--out", tmp_path / "pack")
    assert pack.exit_code == 0, pack.output


def test_milestones_on_one_force_of_peers_take_a_scenario_of_that_dataset(tmp_path, store):
    """The force taken out of the dataset (by default, or named) is still the scenario's data: was "the scenario uses
    data 'a' but the milestones use 'a (avon-and-somerset)'"."""
    _one_force_of_peers(tmp_path, store)
    scenario = tmp_path / "cut.yaml"
    scenario.write_text("version: 1\nname: cut\nbase:\n  data: a\n  as_of: 2019-03\n  model: seasonal-naive\n  paths: 200\n"
                        "drivers:\n  - name: cut\n    kind: uplift\n    category: burglary\n    value: -0.05\n")
    ask = ("milestones", "burglary", "--target", "-5%", "--dataset", "a", "--year", "2019/20", "--as-of", "2019-03",
           "--scenario", scenario, "--store", store, "--model", "seasonal-naive", "--paths", 200, "--no-chart",
           "--out", tmp_path / "o")
    for named in ((), ("--area", "avon-and-somerset")):
        result = invoke(*ask, *named)
        assert result.exit_code == 0, result.output
        assert "scenario 'cut'" in result.output and "Under the scenario" in result.output
    other = tmp_path / "other.yaml"  # a scenario of other data is still refused
    other.write_text(scenario.read_text().replace("data: a", "data: b"))
    refused = invoke(*[other if word == scenario else word for word in ask])
    assert refused.exit_code == 2 and "uses data 'b' but the milestones use 'a (avon-and-somerset)'" in refused.output


def test_milestones_on_several_peers_without_an_area_ask_for_one(tmp_path, store):
    _merseyside_push(tmp_path, store, _burglary_rows())
    for category in ((), ("burglary",)):  # the planner's table of every category, and one category
        result = invoke("milestones", *category, "--dataset", "forces", "--store", store, "--no-chart")
        assert result.exit_code == 1 and "peers (such as separate forces)" in result.output, result.output
        assert "name one with --area" in result.output and "unknown area 'force'" not in result.output


def test_a_scenario_on_several_peers_takes_the_force_the_plan_and_scenario_name(tmp_path, store):
    """A plan (`area: merseyside`) and a scenario (`base.area: merseyside`) on a dataset of several forces: milestones
    and the Board pack (which has no --area) said "name one with --area"; the force they name is the area, as
    --area merseyside takes it, and different forces are refused."""
    scenario, plan = _merseyside_plan(tmp_path, store)
    ask = ("milestones", "--plan", plan, "--as-of", "2019-03", "--scenario", scenario, "--store", store,
           "--model", "seasonal-naive", "--no-chart", "--out", tmp_path / "o")
    taken, named = invoke(*ask), invoke(*ask, "--area", "merseyside")
    assert taken.exit_code == 0, taken.output
    assert taken.output == named.output and "Under the scenario" in taken.output
    pack = invoke("report", "--plan", plan, "--as-of", "2019-03", "--scenario", scenario, "--store", store,
                  "--model", "seasonal-naive", "--paths", 200, "--no-pdf", "--out", tmp_path / "pack")
    assert pack.exit_code == 0, pack.output
    assert "push (uplift): +10% on burglary (Merseyside)" in (tmp_path / "pack" / "report.html").read_text(encoding="utf-8")
    plan.write_text(plan.read_text().replace("area: merseyside", "area: cleveland"), encoding="utf-8")
    for command in (ask, ("report", "--plan", plan, "--as-of", "2019-03", "--scenario", scenario, "--store", store,
                          "--no-pdf", "--out", tmp_path / "pack2")):
        refused = invoke(*command)
        assert refused.exit_code == 2, refused.output
        assert (f"these name different forces: the plan {plan} names cleveland; the scenario {scenario} names "
                "merseyside") in refused.output


def test_a_board_pack_on_one_force_of_several_reads_the_fund_as_optimise_csf_does(tmp_path, store):
    """The plan and scenario take Merseyside out of two forces; the fund file splits money between both forces: the
    pack read the fund's areas in Merseyside alone ("unknown area 'cleveland' in forces (merseyside). Known areas:
    force"); it reads them as `forecast optimise csf` does, every force of the dataset."""
    import yaml

    scenario, plan = _merseyside_plan(tmp_path, store)
    fund = tmp_path / "fund.yaml"
    fund.write_text(yaml.safe_dump({
        "version": 1, "name": "Two forces fund", "fund": {
            "budget": 1_000_000, "budget_sweep": {"low": 1_000_000, "high": 1_000_000, "step": 100_000},
            "recipients": {"mersey": {"area": "merseyside", "last_year": 600_000},
                           "cleve": {"area": "cleveland", "last_year": 400_000}}},
        "outcome": {"categories": ["burglary"]},
        "forecast": {"data": "forces", "as_of": "2019-03", "model": "seasonal-naive", "paths": 100},
        "response": {"max_reduction": {"dist": "triangular", "low": 0.01, "mode": 0.03, "high": 0.05},
                     "half_spend_per_crime": {"dist": "triangular", "low": 20, "mode": 40, "high": 80}},
        "uncertainty": {"samples": 10, "stability_samples": 5}}), encoding="utf-8")
    alone = invoke("optimise", "csf", "--assumptions", fund, "--store", store, "--out", tmp_path / "o")
    assert alone.exit_code == 0, alone.output
    pack = invoke("report", "--plan", plan, "--as-of", "2019-03", "--scenario", scenario, "--csf", fund, "--store",
                  store, "--model", "seasonal-naive", "--paths", 200, "--no-pdf", "--out", tmp_path / "pack")
    assert pack.exit_code == 0, pack.output
    page = (tmp_path / "pack" / "report.html").read_text(encoding="utf-8")
    allocated = pd.read_csv(tmp_path / "o" / "optimise-csf" / "allocation.csv")
    for label, optimal in zip(allocated["label"], allocated["optimal"]):  # the pack's split is optimise csf's
        assert f"{label}</" in page and f"£{optimal:,.0f}" in page, (label, optimal)
    assert "push (uplift): +10% on burglary (Merseyside)" in page


def test_data_show_labels_the_notes_as_the_last_imports_and_list_counts_the_gaps(tmp_path, store):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    for folder, months in ((first, ("2020-01",)), (second, ("2020-03",))):  # 2020-02 is missing
        assert invoke("data", "import", "police-uk", street_archive(folder, months=months), "--name", "north",
                      "--store", store).exit_code == 0
    shown = invoke("data", "show", "north", "--store", store).output
    assert "Notes of the last of 2 imports (archive.zip; every import's files are listed below):" in shown
    assert "\nNote: " not in shown.split("Files:")[0]  # a note of one import is not said of the whole dataset
    listed = invoke("data", "list", "--store", store)
    header, _, row = listed.output.splitlines()[1:4]
    assert header.split()[7] == "missing" and row.split()[7] == str(len(TYPES) * 2)  # both forces, every type
    assert "`forecast data show north --gaps` lists each series with gaps" in listed.output
    payload = json.loads(invoke("data", "list", "--store", store, "--json").stdout)
    assert payload[0]["missing"] == payload[0]["series_with_gaps"] == len(TYPES) * 2


def test_an_as_of_at_a_forces_missing_month_says_once_where_the_data_is_used_to(tmp_path):
    """The police.uk files lack 2019-07 for three forces: as the data stood at the end of 2019-07, Merseyside ended at
    2019-06. One note says so (was two: "2019-07 is the last month used", then "the data is used to 2019-06")."""
    months = [f"{y}-{m:02d}" for y in range(2017, 2021) for m in range(1, 13)]
    rows = [f"{month},{force},Burglary,{base + 3 * (i % 12)}" for i, month in enumerate(months)
            for force, base in (("Merseyside Police", 400), ("Cleveland Police", 150))
            if (month, force) != ("2019-07", "Merseyside Police")]
    path = tmp_path / "forces.csv"
    path.write_text("month,force,crime_type,count\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = invoke("run", "burglary", "--data", path, "--area", "merseyside", "--as-of", "2019-07", "--model",
                    "seasonal-naive", "--paths", 200, "--no-backtest", "--no-chart", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert ("Note: data as it stood at the end of 2019-07, when the forces ended at different months (cleveland 2019-07; "
            "merseyside 2019-06): the data is used to 2019-06, the last month merseyside has (2020-12 is held).") in result.output
    assert "2019-07 is the last month used" not in result.output

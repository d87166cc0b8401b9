"""map_series: in order, on processes or a Dask cluster, the same results, and stopped at once on an error."""

from __future__ import annotations

import importlib.util
import json
import multiprocessing

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from crimecast.cli import cli
from crimecast.errors import UsageError
from crimecast.forecast import parallel
from crimecast.forecast.parallel import Scheduler, map_series, parse_scheduler, scheduler_session


def square(x: int) -> int:
    return x * x


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x


def test_results_come_back_in_order_on_processes():
    seen = []
    assert map_series(square, range(6), jobs=2, progress=seen.append) == [0, 1, 4, 9, 16, 25]
    assert seen == [str(i) for i in range(6)]


def test_an_error_in_a_worker_reaches_the_caller_and_the_pool_is_gone():
    with pytest.raises(ValueError, match="three"):
        map_series(fail_on_three, range(8), jobs=2)
    assert multiprocessing.active_children() == []


# --- Dask: the same results wherever the work runs -------------------------------------------------

needs_dask = pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                                reason="dask.distributed is an optional extra (pip install 'crimecast[dask]')")


@pytest.mark.parametrize(("text", "expected"), [
    ("local:2", Scheduler(workers=2)),
    (" local:1 ", Scheduler(workers=1)),
    ("tcp://10.0.0.5:8786", Scheduler(address="tcp://10.0.0.5:8786")),
    ("tls://scheduler.example:8786", Scheduler(address="tls://scheduler.example:8786")),
])
def test_scheduler_forms_are_read(text, expected):
    assert parse_scheduler(text) == expected


@given(workers=st.integers(1, 64), host=st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z0-9-]{1,10}){0,2}", fullmatch=True),
       port=st.integers(1, 65535))
def test_a_scheduler_reads_back_as_written(workers, host, port):
    assert parse_scheduler(f"local:{workers}").text == f"local:{workers}"
    assert parse_scheduler(f"tcp://{host}:{port}").text == f"tcp://{host}:{port}"


@pytest.mark.parametrize("text", ["local", "local:0", "local:65", "10.0.0.5:8786", "tcp://host", "http://host:80", ""])
def test_a_malformed_scheduler_is_a_usage_error(text):
    with pytest.raises(UsageError, match="--scheduler"):
        parse_scheduler(text)


@needs_dask
def test_on_a_local_dask_cluster_results_come_in_order_and_an_error_reaches_the_caller():
    seen = []
    with scheduler_session("local:2"):
        assert map_series(square, range(6), progress=seen.append) == [0, 1, 4, 9, 16, 25]
        with pytest.raises(ValueError, match="three"):
            map_series(fail_on_three, range(8))
    assert sorted(seen) == [str(i) for i in range(6)]  # one tick per item, in the order they finished


def _run_json(data, tmp_path, *options):
    result = CliRunner().invoke(cli, ["run", "robbery", "--data", str(data), "--area", "all", "--model", "seasonal-naive",
                                      "--paths", "200", "--no-backtest", "--no-chart", "--json", "--out", str(tmp_path), *options],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)
    return result.stdout


@needs_dask
def test_run_gives_the_same_json_in_one_process_a_pool_and_a_dask_cluster(small_csv, tmp_path):
    one = _run_json(small_csv, tmp_path, "--jobs", "1")
    series = json.loads(one)["series"]
    assert [s["area"] for s in series] == ["force", "north", "south"]
    assert _run_json(small_csv, tmp_path, "--jobs", "2") == one
    assert _run_json(small_csv, tmp_path, "--scheduler", "local:2") == one


def _one_line_error(*options):
    result = CliRunner().invoke(cli, ["run", "burglary", "--area", "all", "--model", "seasonal-naive", "--no-backtest",
                                      "--no-chart", *options])
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return result.exit_code, lines[0]


def test_a_malformed_scheduler_is_one_line_and_exit_2():
    code, line = _one_line_error("--scheduler", "my-cluster:8786")
    assert code == 2 and "'local:N'" in line and "tcp://HOST:PORT" in line


def test_without_dask_installed_scheduler_says_how_to_install_it(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name, *a))
    code, line = _one_line_error("--scheduler", "local:2")
    assert code == 2 and "pip install 'crimecast[dask]'" in line


@needs_dask
def test_an_unreachable_scheduler_is_one_line_and_exit_1(monkeypatch):
    monkeypatch.setattr(parallel, "CONNECT_SECONDS", 1)
    code, line = _one_line_error("--scheduler", "tcp://127.0.0.1:9")
    assert code == 1 and "could not reach the Dask scheduler at tcp://127.0.0.1:9" in line

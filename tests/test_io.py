"""crimecast.io: output checked before work, normal permissions, staged publishing, one guarded reader."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from crimecast.errors import DataError, UsageError
from crimecast.io import (STAGING_PREFIX, check_output_dir, read_csv, read_text, staged_output, write_atomic,
                          write_csv_atomic)


@pytest.fixture
def umask():
    """Set the process umask for one test and restore it after."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda mask: os.umask(mask)
    os.umask(old)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_atomic_writes_get_the_umask_permissions_not_private_ones(tmp_path, umask, mask, mode):
    umask(mask)
    path = write_csv_atomic(pd.DataFrame({"a": [1]}), tmp_path / "x.csv")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_a_failed_write_leaves_no_file(tmp_path):
    def broken(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(tmp_path / "x.csv", broken)
    assert list(tmp_path.iterdir()) == []


def test_output_under_a_file_is_refused_without_creating_anything(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        check_output_dir(tmp_path / "file" / "sub")
    with pytest.raises(UsageError, match="is a file, not a folder"):
        check_output_dir(tmp_path / "file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_unwritable_output_folder_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(UsageError, match="cannot write"):
            check_output_dir(locked / "out")
    finally:
        locked.chmod(0o755)


def test_staged_output_publishes_together_and_removes_stale_files(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old_forecast.csv").write_text("stale")
    (out / "keep.txt").write_text("user's")
    with staged_output(out) as stage:
        (stage.dir / "sub").mkdir()
        write_csv_atomic(pd.DataFrame({"a": [1]}), stage.dir / "sub" / "new.csv")
        assert not (out / "sub").exists(), "nothing is visible before publishing"
        stage.publish(stale=("old_forecast.csv",))
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["keep.txt", "sub", "sub/new.csv"]
    assert stage.removed == [out / "old_forecast.csv"]


def test_interrupted_staged_output_leaves_the_folder_as_it_was(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.csv").write_text("previous run")
    with pytest.raises(KeyboardInterrupt):
        with staged_output(out) as stage:
            write_csv_atomic(pd.DataFrame({"a": [1]}), stage.dir / "summary.csv")
            raise KeyboardInterrupt
    assert [p.name for p in out.iterdir()] == ["summary.csv"]
    assert (out / "summary.csv").read_text() == "previous run"


def test_a_folder_created_for_a_failed_run_is_removed(tmp_path):
    with pytest.raises(RuntimeError):
        with staged_output(tmp_path / "new" / "out"):
            raise RuntimeError("model failed")
    assert not (tmp_path / "new" / "out").exists()


def test_two_runs_into_one_folder_never_mix(tmp_path):
    out = tmp_path / "out"
    with staged_output(out) as first, staged_output(out) as second:
        for stage, run in ((first, "first"), (second, "second")):
            for name in ("a.csv", "a.png", "summary.csv"):
                write_atomic(stage.dir / name, lambda tmp, run=run: tmp.write_text(run))
        second.publish()
        first.publish()
    assert {p.read_text() for p in out.iterdir()} == {"first"}
    assert not any(p.name.startswith(STAGING_PREFIX) for p in out.iterdir())


def test_read_text_names_the_line_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("month,description\n2013-04,caf\xe9 closure\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"line 2: byte 0xe9 is not UTF-8"):
        read_text(path, what="known-changes file")


def test_read_text_accepts_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffmonth,count\n".encode("utf-8"))
    assert read_text(path) == "month,count\n"


def test_read_text_on_a_folder_and_a_missing_file(tmp_path):
    with pytest.raises(DataError, match="is a folder, not a file"):
        read_text(tmp_path, what="data file")
    with pytest.raises(DataError, match="not found"):
        read_text(tmp_path / "nope.csv", what="data file")


@pytest.mark.parametrize("text, match", [
    ("month;count\n2013-04;5\n", "separated by semicolons"),
    ("month\tcount\n2013-04\t5\n", "separated by tabs"),
    ('month,description\n2013-04,"unclosed\n', "unclosed quote"),
    ("", "the file is empty"),
])
def test_read_csv_errors_say_what_to_fix(tmp_path, text, match):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=match):
        read_csv(path, what="data file")
